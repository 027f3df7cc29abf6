//! The concurrent web crawler of [MIT 6.824, lecture 2 ("RPC and
//! Threads")](https://pdos.csail.mit.edu/6.824/notes/crawler.go), in its
//! `ConcurrentMutex` form: a call tests and sets `f.fetched[url]` under
//! the mutex `f.mu`, and if the URL is new fetches the page and, for each
//! link, does `done.Add(1)` then `go` a call for it whose deferred
//! `done.Done()` counts it out; then it blocks in `done.Wait()`. Each call
//! has its own `sync.WaitGroup`; `main` returns when the root call returns.
//!
//! Fault model: no faults; goroutines interleave arbitrarily. Each access to
//! shared memory (a critical section on `fetchState`, a read of the fake
//! fetcher's map) is one message to the memory actor and its reply; a
//! WaitGroup operation is one message to the goroutine that owns it. When
//! `main` returns the program exits and memory answers no one. The web is
//! [`WEB`]: a cycle, two links to `c`, and a link to a page that does not
//! exist (`Fetch` fails, and the call returns). The checker shows every
//! URL fetched at most once, every call returning after its goroutines and
//! `main` after the whole crawl; `unsynchronised-check-then-insert` fetches
//! `c` twice, `add-in-child` returns before its goroutines have counted
//! themselves, `done-twice` drives a WaitGroup negative.
//!
//! Loss and duplication are outside this fault model, so `dsw run crawler`
//! refuses `--loss` and `--duplicate` (issue 18 asks every runnable model
//! to survive them; this one has no network to lose anything on): its
//! messages stand for one Go program's memory accesses and WaitGroup
//! calls, which the lecture's crawler makes between goroutines of one
//! process, and a lost `f.mu.Lock()` or `done.Done()` is no failure a
//! program has to survive, nor one its code could retry (a retried
//! `done.Done()` is the `done-twice` bug). Its real run still shows the
//! goroutines interleaving over UDP on loopback, without injected faults.

use crate::registry::{Config, Params, PropertySpec, Protocol, VariantSpec};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A page's address (one letter, for short diagrams).
pub type Url = char;

/// The bundled web: each page and the links on it, as the lecture's
/// `fakeFetcher` holds them. `a` links to `c` both directly and through
/// `b`, so two goroutines race for `c`; `c` links back to `a` (a cycle);
/// `b` links to `x`, which is not in the map: its fetch fails ("not
/// found"), as the lecture's link to `golang.org/cmd/` does.
pub const WEB: &[(Url, &[Url])] = &[('a', &['b', 'c']), ('b', &['c', 'x']), ('c', &['a'])];

/// Where the crawl starts.
pub const ROOT: Url = 'a';

/// The links on `url`'s page, or `None` if there is no such page.
pub fn page(url: Url) -> Option<&'static [Url]> {
    WEB.iter().find(|(u, _)| *u == url).map(|(_, links)| *links)
}

/// Every URL reachable from [`ROOT`] by links, the root included (a link
/// to a missing page counts: the crawler must try it).
pub fn reachable() -> BTreeSet<Url> {
    let mut seen = BTreeSet::from([ROOT]);
    let mut frontier = vec![ROOT];
    while let Some(u) = frontier.pop() {
        for v in page(u).unwrap_or_default() {
            if seen.insert(*v) {
                frontier.push(*v);
            }
        }
    }
    seen
}

/// One call of `ConcurrentMutex` the crawl may make: `main`'s call for the
/// root, or the goroutine `go`ne for a link, known by its path of URLs from
/// the root. A call for a URL already on its path is a leaf: its ancestor
/// claimed that URL before starting anything, so it finds it fetched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    pub path: Vec<Url>,
    /// The index (in [`calls`]) of the call that started it.
    pub parent: Option<usize>,
}

impl Call {
    pub fn url(&self) -> Url {
        *self.path.last().unwrap_or(&ROOT)
    }
}

/// Every call the crawl may make, parents before children.
pub fn calls() -> Vec<Call> {
    let mut calls = vec![Call {
        path: vec![ROOT],
        parent: None,
    }];
    let mut i = 0;
    while i < calls.len() {
        let path = calls[i].path.clone();
        let url = calls[i].url();
        if !path[..path.len() - 1].contains(&url) {
            for v in page(url).unwrap_or_default() {
                let mut p = path.clone();
                p.push(*v);
                calls.push(Call {
                    path: p,
                    parent: Some(i),
                });
            }
        }
        i += 1;
    }
    calls
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CrawlerMsg {
    /// `go func(u string) { ... }(u)`: the parent starts a goroutine.
    Go,

    // Shared memory.
    /// Under `f.mu`: `already := f.fetched[url]; f.fetched[url] = true`.
    TestAndSet(Url),
    /// The bug's first half: `already := f.fetched[url]`, lock released.
    Check(Url),
    /// The bug's second half: `f.fetched[url] = true`.
    Insert(Url),
    /// `fetcher.Fetch(url)`: a read of the fake fetcher's map.
    Fetch(Url),
    /// `main` returned: the program exits.
    Exit,
    // Its replies.
    Already(bool),
    Checked(bool),
    Inserted,
    /// The page, if it exists (`err != nil` if not); its links are the
    /// calling goroutine's children.
    Fetched {
        found: bool,
    },

    // A parent's WaitGroup, owned by the parent.
    /// (The bug) `done.Add(1)` from inside the child.
    Add,
    Added,
    /// The child's deferred `done.Done()`.
    Done,
}

/// Where a call of `ConcurrentMutex` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Not started.
    Idle,
    /// (The bug) its own `done.Add(1)` on the parent's WaitGroup, under way.
    CountingItself,
    /// Under `f.mu`: is the URL fetched yet?
    Checking,
    /// (The bug) found unfetched; now inserting it.
    Inserting,
    /// `fetcher.Fetch(url)`.
    Fetching,
    /// `done.Wait()`: some child not yet counted out.
    Waiting,
    /// Returned, having counted itself out of its parent's WaitGroup (the
    /// root: `main` returned). `already`: at `if already { return }`.
    Returned { already: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CrawlerState {
    /// The program's shared memory.
    Memory {
        /// `f.fetched`: URLs some call has claimed.
        fetched: BTreeSet<Url>,
        /// How many times each URL was fetched (a record for the
        /// properties, not the program's).
        fetches: BTreeMap<Url, u8>,
        /// `main` returned and the program exited.
        exited: bool,
    },
    Goroutine {
        phase: Phase,
        /// Its WaitGroup `done`'s counter; Go panics if it goes negative.
        done: i8,
    },
}

/// Known bugs, each one line of the crawler changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The crawler as the lecture writes it.
    #[default]
    None,
    /// The check and the insert are separate critical sections (or no lock
    /// at all): two goroutines may both find the URL unfetched. Must violate
    /// "each URL fetched at most once".
    UnsynchronisedCheckThenInsert,
    /// Each goroutine calls `done.Add(1)` itself, once running, instead of
    /// its parent before `go` (the classic WaitGroup misuse; the Go
    /// documentation: "calls with a positive delta ... must happen before a
    /// Wait"): the parent's `Wait` may return before its children are
    /// counted. Must violate "a call returns after its goroutines" and
    /// "main returns only after every reachable URL is fetched".
    AddInChild,
    /// A child counts itself out twice (an explicit `done.Done()` besides
    /// the deferred one): the counter reaches zero while a sibling still
    /// runs, then goes negative. Must violate "WaitGroup counter never
    /// negative".
    DoneTwice,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::UnsynchronisedCheckThenInsert,
        Bug::AddInChild,
        Bug::DoneTwice,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::UnsynchronisedCheckThenInsert => "unsynchronised-check-then-insert",
            Bug::AddInChild => "add-in-child",
            Bug::DoneTwice => "done-twice",
        }
    }
}

#[derive(Clone, Debug)]
pub enum CrawlerActor {
    /// The shared memory (not a thread): it only answers.
    Memory,
    /// One call of `ConcurrentMutex`: `main`'s for the root (`parent` is
    /// `None`), or a goroutine for a link.
    Goroutine {
        url: Url,
        /// The URLs from the root to here, for its name.
        path: Vec<Url>,
        /// Whose WaitGroup counts it: the call that started it.
        parent: Option<Id>,
        memory: Id,
        /// The goroutines for the links on `url`'s page.
        children: Vec<Id>,
        bug: Bug,
    },
}

impl CrawlerActor {
    /// The call's first critical section: is the URL fetched yet?
    fn check(&self, o: &mut Out<Self>) -> Phase {
        if let CrawlerActor::Goroutine {
            url, memory, bug, ..
        } = self
        {
            match bug {
                Bug::UnsynchronisedCheckThenInsert => o.send(*memory, CrawlerMsg::Check(*url)),
                Bug::None | Bug::AddInChild | Bug::DoneTwice => {
                    o.send(*memory, CrawlerMsg::TestAndSet(*url))
                }
            }
        }
        Phase::Checking
    }

    /// `return`, with the deferred `done.Done()` on the parent's WaitGroup;
    /// `main`'s return ends the program. The bug counts itself out twice.
    fn ret(&self, already: bool, o: &mut Out<Self>) -> Phase {
        if let CrawlerActor::Goroutine {
            parent,
            memory,
            bug,
            ..
        } = self
        {
            match parent {
                None => o.send(*memory, CrawlerMsg::Exit),
                Some(parent) => {
                    o.send(*parent, CrawlerMsg::Done);
                    if *bug == Bug::DoneTwice {
                        o.send(*parent, CrawlerMsg::Done);
                    }
                }
            }
        }
        Phase::Returned { already }
    }
}

fn goroutine(state: &CrawlerState) -> (Phase, i8) {
    match state {
        CrawlerState::Goroutine { phase, done } => (*phase, *done),
        CrawlerState::Memory { .. } => (Phase::Idle, 0),
    }
}

impl Actor for CrawlerActor {
    type Msg = CrawlerMsg;
    type Timer = ();
    type State = CrawlerState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        match self {
            CrawlerActor::Memory => "memory".into(),
            CrawlerActor::Goroutine {
                url, parent: None, ..
            } => format!("main: {url}"),
            CrawlerActor::Goroutine { path, .. } => {
                format!("go {}", path.iter().collect::<String>())
            }
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> CrawlerState {
        match self {
            CrawlerActor::Memory => CrawlerState::Memory {
                fetched: BTreeSet::new(),
                fetches: BTreeMap::new(),
                exited: false,
            },
            // main: `ConcurrentMutex(root, fetcher, makeState())`.
            CrawlerActor::Goroutine { parent, .. } => CrawlerState::Goroutine {
                phase: if parent.is_none() {
                    self.check(o)
                } else {
                    Phase::Idle
                },
                done: 0,
            },
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<CrawlerState>,
        src: Id,
        msg: CrawlerMsg,
        o: &mut Out<Self>,
    ) {
        use CrawlerMsg as M;
        let (phase, done) = goroutine(state);
        match (self, state.as_ref(), msg) {
            // Memory. Once main has returned, the program is gone.
            (CrawlerActor::Memory, CrawlerState::Memory { exited: true, .. }, _) => {}
            (CrawlerActor::Memory, CrawlerState::Memory { fetched, .. }, M::TestAndSet(url)) => {
                let already = fetched.contains(&url);
                if let CrawlerState::Memory { fetched, .. } = state.to_mut() {
                    fetched.insert(url);
                }
                o.send(src, M::Already(already));
            }
            (CrawlerActor::Memory, CrawlerState::Memory { fetched, .. }, M::Check(url)) => {
                o.send(src, M::Checked(fetched.contains(&url)));
            }
            (CrawlerActor::Memory, CrawlerState::Memory { .. }, M::Insert(url)) => {
                if let CrawlerState::Memory { fetched, .. } = state.to_mut() {
                    fetched.insert(url);
                }
                o.send(src, M::Inserted);
            }
            (CrawlerActor::Memory, CrawlerState::Memory { .. }, M::Fetch(url)) => {
                if let CrawlerState::Memory { fetches, .. } = state.to_mut() {
                    *fetches.entry(url).or_default() += 1;
                }
                o.send(
                    src,
                    M::Fetched {
                        found: page(url).is_some(),
                    },
                );
            }
            (CrawlerActor::Memory, CrawlerState::Memory { .. }, M::Exit) => {
                if let CrawlerState::Memory { exited, .. } = state.to_mut() {
                    *exited = true;
                }
            }

            // A goroutine starts. The bug: it counts itself first.
            (CrawlerActor::Goroutine { bug, .. }, _, M::Go) if phase == Phase::Idle => {
                let phase = if *bug == Bug::AddInChild {
                    o.send(src, M::Add);
                    Phase::CountingItself
                } else {
                    self.check(o)
                };
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            (CrawlerActor::Goroutine { .. }, _, M::Added) if phase == Phase::CountingItself => {
                let phase = self.check(o);
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            // Not fetched yet, and now claimed: fetch.
            (CrawlerActor::Goroutine { url, memory, .. }, _, M::Already(false))
                if phase == Phase::Checking =>
            {
                o.send(*memory, M::Fetch(*url));
                *state.to_mut() = CrawlerState::Goroutine {
                    phase: Phase::Fetching,
                    done,
                };
            }
            // The bug: not fetched when checked; claim it, then fetch.
            (CrawlerActor::Goroutine { url, memory, .. }, _, M::Checked(false))
                if phase == Phase::Checking =>
            {
                o.send(*memory, M::Insert(*url));
                *state.to_mut() = CrawlerState::Goroutine {
                    phase: Phase::Inserting,
                    done,
                };
            }
            (CrawlerActor::Goroutine { url, memory, .. }, _, M::Inserted)
                if phase == Phase::Inserting =>
            {
                o.send(*memory, M::Fetch(*url));
                *state.to_mut() = CrawlerState::Goroutine {
                    phase: Phase::Fetching,
                    done,
                };
            }
            // `if already { return }`.
            (CrawlerActor::Goroutine { .. }, _, M::Already(true) | M::Checked(true))
                if phase == Phase::Checking =>
            {
                let phase = self.ret(true, o);
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            // `if err != nil { return }`.
            (CrawlerActor::Goroutine { .. }, _, M::Fetched { found: false })
                if phase == Phase::Fetching =>
            {
                let phase = self.ret(false, o);
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            // `for _, u := range urls { done.Add(1); go ... }; done.Wait()`.
            // The bug leaves the Add to each child.
            (CrawlerActor::Goroutine { children, bug, .. }, _, M::Fetched { found: true })
                if phase == Phase::Fetching =>
            {
                let mut done = done;
                for child in children {
                    if *bug != Bug::AddInChild {
                        done += 1;
                    }
                    o.send(*child, M::Go);
                }
                let phase = if done == 0 {
                    self.ret(false, o)
                } else {
                    Phase::Waiting
                };
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            // Operations on this call's WaitGroup, from its children: the
            // counter is memory, so they happen whatever the call is doing.
            (CrawlerActor::Goroutine { .. }, CrawlerState::Goroutine { .. }, M::Add) => {
                *state.to_mut() = CrawlerState::Goroutine {
                    phase,
                    done: done + 1,
                };
                o.send(src, M::Added);
            }
            // The counter reaches zero: `done.Wait()` returns, and so does
            // the call.
            (CrawlerActor::Goroutine { .. }, CrawlerState::Goroutine { .. }, M::Done) => {
                let done = done - 1;
                let phase = if phase == Phase::Waiting && done == 0 {
                    self.ret(false, o)
                } else {
                    phase
                };
                *state.to_mut() = CrawlerState::Goroutine { phase, done };
            }
            _ => {}
        }
    }
}

// Properties.

type State = stateright::actor::ActorModelState<CrawlerActor>;

fn memory(state: &State) -> Option<(&BTreeMap<Url, u8>, bool)> {
    state.actor_states.iter().find_map(|s| match &**s {
        CrawlerState::Memory {
            fetches, exited, ..
        } => Some((fetches, *exited)),
        CrawlerState::Goroutine { .. } => None,
    })
}

/// How many times `url` was fetched.
fn fetches(state: &State, url: Url) -> u8 {
    memory(state)
        .and_then(|(f, _)| f.get(&url).copied())
        .unwrap_or_default()
}

/// `main`'s call (actor 1) has returned.
fn main_returned(state: &State) -> bool {
    state
        .actor_states
        .get(1)
        .is_some_and(|s| matches!(goroutine(s).0, Phase::Returned { .. }))
}

fn all_reachable_fetched(state: &State) -> bool {
    reachable().iter().all(|u| fetches(state, *u) > 0)
}

/// "Don't fetch a page twice" (6.824 lecture 2, the crawler's first
/// challenge; the `fetched` map under `mu`).
fn fetched_at_most_once(_: &CrawlerModel, state: &State) -> bool {
    memory(state).is_none_or(|(f, _)| f.values().all(|n| *n <= 1))
}

/// "Know when finished" (6.824 lecture 2, the crawler's third challenge):
/// `main` returns only once every reachable URL has been fetched.
fn returns_only_when_complete(_: &CrawlerModel, state: &State) -> bool {
    !main_returned(state) || all_reachable_fetched(state)
}

/// The WaitGroup's contract (Go's `sync` documentation: "Wait blocks until
/// the WaitGroup counter is zero"), which the lecture's per-call `done`
/// relies on: a call that started goroutines returns only after each of
/// them has returned.
fn returns_after_its_goroutines(_: &CrawlerModel, state: &State) -> bool {
    // Actor `k + 1` makes call `k` (ids are socket addresses on real runs,
    // so children are found by index, not by id).
    let calls = calls();
    let phase = |k: usize| state.actor_states.get(k + 1).map(|s| goroutine(s).0);
    (0..calls.len()).all(|k| {
        phase(k) != Some(Phase::Returned { already: false })
            || calls
                .iter()
                .enumerate()
                .filter(|(_, c)| c.parent == Some(k))
                .all(|(j, _)| matches!(phase(j), Some(Phase::Returned { .. })))
    })
}

/// Go's `sync.WaitGroup`: "If the counter becomes negative, Add panics."
fn counter_never_negative(_: &CrawlerModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| goroutine(s).1 >= 0)
}

/// The crawl terminates with every reachable URL fetched (6.824 lecture 2:
/// "exploit concurrency" without losing pages, and "know when finished").
fn crawl_completes(_: &CrawlerModel, state: &State) -> bool {
    main_returned(state) && all_reachable_fetched(state)
}

/// Reachability: a call reached a page already fetched (the cycle, or the
/// two links to `c`), so "at most once" is tested, not vacuous.
fn page_already_fetched(_: &CrawlerModel, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .any(|s| goroutine(s).0 == Phase::Returned { already: true })
}

/// Reachability: a fetch failed (`x` is not in the web) and its call
/// returned, so the error path is exercised.
fn missing_page_skipped(model: &CrawlerModel, state: &State) -> bool {
    model
        .actors
        .iter()
        .zip(&state.actor_states)
        .any(|(a, s)| match a {
            CrawlerActor::Goroutine { url, .. } => {
                page(*url).is_none() && goroutine(s).0 == Phase::Returned { already: false }
            }
            CrawlerActor::Memory => false,
        })
}

// Configuration.

pub type CrawlerModel = ActorModel<CrawlerActor, CrawlerCfg, ()>;

#[derive(Clone, Debug, Serialize)]
pub struct CrawlerCfg {
    pub bug: Bug,
}

impl Config for CrawlerCfg {
    type Model = CrawlerModel;

    fn new(variant: &str, _params: &Params) -> Self {
        CrawlerCfg {
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> CrawlerModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for CrawlerCfg {
    type Actor = CrawlerActor;
    type History = ();

    fn actor_count(&self) -> usize {
        1 + calls().len()
    }

    fn done(states: &[Option<CrawlerState>]) -> bool {
        states
            .iter()
            .flatten()
            .any(|s| matches!(s, CrawlerState::Memory { exited: true, .. }))
    }

    fn observations(states: &[CrawlerState], _: &()) -> Vec<String> {
        let mut lines = Vec::new();
        for s in states {
            if let CrawlerState::Memory {
                fetched,
                fetches,
                exited,
            } = s
            {
                lines.push(format!("main returned: {exited}; fetched set {fetched:?}"));
                lines.push(format!("fetches per URL: {fetches:?}"));
            }
        }
        lines
    }

    /// The memory, `main`'s call, then one goroutine per call of
    /// [`calls`], known by `ids`.
    fn model_on(self, ids: &[Id]) -> CrawlerModel {
        let (calls, bug) = (calls(), self.bug);
        let actors: Vec<CrawlerActor> = calls
            .iter()
            .enumerate()
            .map(|(i, call)| CrawlerActor::Goroutine {
                url: call.url(),
                path: call.path.clone(),
                parent: call.parent.map(|p| ids[p + 1]),
                memory: ids[0],
                children: calls
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.parent == Some(i))
                    .map(|(j, _)| ids[j + 1])
                    .collect(),
                bug,
            })
            .collect();
        ActorModel::new(self, ())
            .actor(CrawlerActor::Memory)
            .actors(actors)
            .init_network(Network::new_unordered_nonduplicating([]))
            .property(
                Expectation::Always,
                "each URL fetched at most once",
                fetched_at_most_once,
            )
            .property(
                Expectation::Always,
                "a call returns after its goroutines",
                returns_after_its_goroutines,
            )
            .property(
                Expectation::Always,
                "WaitGroup counter never negative",
                counter_never_negative,
            )
            .property(
                Expectation::Always,
                "main returns only after every reachable URL is fetched",
                returns_only_when_complete,
            )
            .property(Expectation::Eventually, "crawl completes", crawl_completes)
            .property(
                Expectation::Sometimes,
                "page already fetched",
                page_already_fetched,
            )
            .property(
                Expectation::Sometimes,
                "missing page skipped",
                missing_page_skipped,
            )
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "crawler",
    section: "MapReduce, RPC and threads",
    summary: "Goroutines crawl a small web, sharing a mutex-guarded fetched set; each call waits for its own goroutines on a WaitGroup",
    citations: &[
        "MIT 6.824 (6.5840) Distributed Systems, lecture 2, RPC and Threads: crawler.go (ConcurrentMutex)",
        "The Go standard library, sync.WaitGroup documentation (Add before go; Wait; a negative counter panics)",
    ],
    notes: "",
    params: &[],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "each URL fetched at most once",
            kind: PropertyKind::Always,
            source: "6.824 lecture 2, crawler challenge: don't fetch a page twice",
        },
        PropertySpec {
            name: "a call returns after its goroutines",
            kind: PropertyKind::Always,
            source: "6.824 lecture 2, ConcurrentMutex's done.Wait(); Go sync.WaitGroup (Wait blocks until the counter is zero)",
        },
        PropertySpec {
            name: "WaitGroup counter never negative",
            kind: PropertyKind::Always,
            source: "Go sync.WaitGroup (a negative counter panics)",
        },
        PropertySpec {
            name: "main returns only after every reachable URL is fetched",
            kind: PropertyKind::Always,
            source: "6.824 lecture 2, crawler challenge: know when finished",
        },
        PropertySpec {
            name: "crawl completes",
            kind: PropertyKind::Eventually,
            source: "6.824 lecture 2: every reachable URL fetched and the crawl terminates",
        },
        PropertySpec {
            name: "page already fetched",
            kind: PropertyKind::Sometimes,
            source: "reachability: the fetched check is exercised",
        },
        PropertySpec {
            name: "missing page skipped",
            kind: PropertyKind::Sometimes,
            source: "reachability: a failed fetch returns (err != nil)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "test-and-set of fetched[url] in one critical section; each call counts its goroutines before go and waits for them",
            expect: &[],
        },
        VariantSpec {
            name: "unsynchronised-check-then-insert",
            doc: "fetched[url] is read and written in separate critical sections: two goroutines both find c unfetched and both fetch it",
            expect: &[("each URL fetched at most once", Verdict::Violated)],
        },
        VariantSpec {
            name: "add-in-child",
            doc: "each goroutine calls done.Add(1) itself once running: its parent's Wait may return first, and main returns before the crawl is done",
            expect: &[
                ("a call returns after its goroutines", Verdict::Violated),
                (
                    "main returns only after every reachable URL is fetched",
                    Verdict::Violated,
                ),
                ("crawl completes", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "done-twice",
            doc: "a child counts itself out twice: its parent's Wait returns while a sibling still runs, and the counter goes negative",
            expect: &[
                ("a call returns after its goroutines", Verdict::Violated),
                ("WaitGroup counter never negative", Verdict::Violated),
                (
                    "main returns only after every reachable URL is fetched",
                    Verdict::Violated,
                ),
                ("crawl completes", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<CrawlerCfg>,
    explore: crate::registry::explore_config::<CrawlerCfg>,
    replay: crate::registry::replay_config::<CrawlerCfg>,
    compare: crate::registry::compare_config::<CrawlerCfg>,
    run: Some(crate::runner::run_config::<CrawlerCfg>),
};
