//! The concurrent web crawler of [MIT 6.824, lecture 2 ("RPC and
//! Threads")](https://pdos.csail.mit.edu/6.824/notes/crawler.go), in its
//! `ConcurrentMutex` form: one goroutine per link, sharing a `fetchState`
//! whose `fetched` map, guarded by a mutex, is tested and set before each
//! fetch, so that every URL is fetched once. One counter of goroutines
//! started and not finished (a `sync.WaitGroup` for the whole crawl, as the
//! lecture's channel crawler counts `n`) tells `main` when the crawl is over.
//!
//! Fault model: no faults; goroutines interleave arbitrarily. Each critical
//! section is one message to the shared state and its reply (messages
//! between threads are unordered, none lost). The web is [`WEB`]: three
//! reachable pages with a cycle and one unreachable page. The checker shows
//! every URL fetched once and the crawl returning complete;
//! `unsynchronised-check-then-insert` fetches a URL twice (two goroutines
//! both check before either inserts), `add-in-child` returns early (the
//! counter reaches zero before a spawned goroutine counts itself).

use crate::registry::{Config, Params, PropertySpec, Protocol, VariantSpec};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// A page's address (one letter, for short diagrams).
pub type Url = char;

/// The bundled web: each page and the links on it, as the lecture's
/// `fakeFetcher` holds them. `a` links to `c` both directly and through
/// `b`, so two goroutines race for `c`; `c` links back to `a` (a cycle);
/// nothing links to `d`.
pub const WEB: &[(Url, &[Url])] = &[
    ('a', &['b', 'c']),
    ('b', &['c']),
    ('c', &['a']),
    ('d', &['a']),
];

/// Where the crawl starts.
pub const ROOT: Url = 'a';

/// The links on `url`'s page.
pub fn links(url: Url) -> &'static [Url] {
    WEB.iter()
        .find(|(u, _)| *u == url)
        .map_or(&[], |(_, links)| *links)
}

/// Every page reachable from [`ROOT`], the root included.
pub fn reachable() -> BTreeSet<Url> {
    let mut seen = BTreeSet::from([ROOT]);
    let mut frontier = vec![ROOT];
    while let Some(u) = frontier.pop() {
        for v in links(u) {
            if seen.insert(*v) {
                frontier.push(*v);
            }
        }
    }
    seen
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CrawlerMsg {
    /// `go ConcurrentMutex(u, fetcher, f)`: the parent starts a goroutine.
    Go,

    // Critical sections on the shared `fetchState`, each under `f.mu`.
    /// `already := f.fetched[url]; f.fetched[url] = true`.
    TestAndSet(Url),
    /// The bug's first half: `already := f.fetched[url]`, lock released.
    Check(Url),
    /// The bug's second half: `f.fetched[url] = true`.
    Insert(Url),
    /// `done.Add(n)`: count `n` goroutines about to start.
    Add(u8),
    /// `done.Done()`: this goroutine is finished.
    Done,

    // Their replies.
    Already(bool),
    Checked(bool),
    Inserted,
    Added,
    DoneOk,
}

/// Where a goroutine is in `ConcurrentMutex`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Not running: not started yet, or returned.
    Idle,
    /// (The bug) waiting for its own `Add(1)` to be counted.
    CountingItself,
    /// Waiting to learn whether the URL was already fetched.
    Checking,
    /// (The bug) fetched is false; waiting for its insert.
    Inserting,
    /// Fetched; waiting for its children to be counted before it starts
    /// them.
    CountingChildren,
    /// Counting itself out.
    Finishing,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CrawlerState {
    /// The shared `fetchState` and the crawl's counter.
    Shared {
        /// `f.fetched`: URLs some goroutine has claimed.
        fetched: BTreeSet<Url>,
        /// Goroutines counted and not finished; `main`'s own call counts as
        /// one.
        pending: u8,
        /// What `main` returned: the fetched set once the counter reached
        /// zero. The program then exits and the shared state answers no one.
        result: Option<BTreeSet<Url>>,
    },
    Goroutine {
        phase: Phase,
        /// How many times this goroutine fetched its URL.
        fetches: u8,
        /// It once found its URL already fetched and skipped it.
        skipped: bool,
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
    /// Each goroutine counts itself (`done.Add(1)` inside the goroutine, the
    /// classic WaitGroup misuse) instead of its parent counting it before
    /// `go`: the counter ignores goroutines started but not yet running and
    /// may reach zero early. Must violate "returns only when complete".
    AddInChild,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::UnsynchronisedCheckThenInsert,
        Bug::AddInChild,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::UnsynchronisedCheckThenInsert => "unsynchronised-check-then-insert",
            Bug::AddInChild => "add-in-child",
        }
    }
}

#[derive(Clone, Debug)]
pub enum CrawlerActor {
    /// The shared state (memory, not a thread): it only answers.
    Shared,
    /// The goroutine that crawls `url`, reached by one link (or `main`'s
    /// call, for the root). Only a goroutine that fetches a page starts the
    /// goroutines of its links, so while each page is fetched once there is
    /// one per link. When a page is fetched twice (the bug), a link's
    /// goroutine is started twice and runs twice, one run after the other.
    Goroutine {
        url: Url,
        /// The page whose link it follows; `None` for the root, which
        /// `main` calls directly.
        from: Option<Url>,
        shared: Id,
        /// The goroutines of the links on `url`'s page.
        children: Vec<Id>,
        bug: Bug,
    },
}

impl CrawlerActor {
    /// The goroutine's first critical section: is the URL fetched yet?
    fn check(&self, o: &mut Out<Self>) -> Phase {
        let CrawlerActor::Goroutine {
            url, shared, bug, ..
        } = self
        else {
            return Phase::Idle;
        };
        match bug {
            Bug::UnsynchronisedCheckThenInsert => o.send(*shared, CrawlerMsg::Check(*url)),
            Bug::None | Bug::AddInChild => o.send(*shared, CrawlerMsg::TestAndSet(*url)),
        }
        Phase::Checking
    }

    /// Fetches the page (its links are in [`WEB`]) and counts the children
    /// before starting them: "Add calls with a positive delta ... must
    /// happen before a Wait" (sync.WaitGroup). The bug starts them at once,
    /// each to count itself, and counts itself out.
    fn fetch(&self, fetches: u8, o: &mut Out<Self>) -> CrawlerState {
        let mut phase = Phase::Finishing;
        if let CrawlerActor::Goroutine {
            shared,
            children,
            bug,
            ..
        } = self
        {
            match bug {
                _ if children.is_empty() => o.send(*shared, CrawlerMsg::Done),
                Bug::AddInChild => {
                    self.spawn(o);
                    o.send(*shared, CrawlerMsg::Done);
                }
                Bug::None | Bug::UnsynchronisedCheckThenInsert => {
                    o.send(*shared, CrawlerMsg::Add(children.len() as u8));
                    phase = Phase::CountingChildren;
                }
            }
        }
        CrawlerState::Goroutine {
            phase,
            fetches: fetches + 1,
            skipped: false,
        }
    }

    /// `go ConcurrentMutex(u, ...)` for every link.
    fn spawn(&self, o: &mut Out<Self>) {
        if let CrawlerActor::Goroutine { children, .. } = self {
            for child in children {
                o.send(*child, CrawlerMsg::Go);
            }
        }
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
            CrawlerActor::Shared => "fetchState".into(),
            CrawlerActor::Goroutine {
                url, from: None, ..
            } => format!("main: {url}"),
            CrawlerActor::Goroutine {
                url,
                from: Some(from),
                ..
            } => format!("go {url} from {from}"),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> CrawlerState {
        match self {
            // main: `done.Add(1)` for its own call.
            CrawlerActor::Shared => CrawlerState::Shared {
                fetched: BTreeSet::new(),
                pending: 1,
                result: None,
            },
            // main calls ConcurrentMutex(root) itself.
            CrawlerActor::Goroutine { from, .. } => CrawlerState::Goroutine {
                phase: if from.is_none() {
                    self.check(o)
                } else {
                    Phase::Idle
                },
                fetches: 0,
                skipped: false,
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
        let fetches = match state.as_ref() {
            CrawlerState::Goroutine { fetches, .. } => *fetches,
            CrawlerState::Shared { .. } => 0,
        };
        match (self, state.as_ref(), msg) {
            // fetchState, under f.mu. Once main has returned the program
            // has exited: nothing is answered any more.
            (
                CrawlerActor::Shared,
                CrawlerState::Shared {
                    result: Some(_), ..
                },
                _,
            ) => {}
            (CrawlerActor::Shared, CrawlerState::Shared { fetched, .. }, M::TestAndSet(url)) => {
                let already = fetched.contains(&url);
                if let CrawlerState::Shared { fetched, .. } = state.to_mut() {
                    fetched.insert(url);
                }
                o.send(src, M::Already(already));
            }
            (CrawlerActor::Shared, CrawlerState::Shared { fetched, .. }, M::Check(url)) => {
                o.send(src, M::Checked(fetched.contains(&url)));
            }
            (CrawlerActor::Shared, CrawlerState::Shared { .. }, M::Insert(url)) => {
                if let CrawlerState::Shared { fetched, .. } = state.to_mut() {
                    fetched.insert(url);
                }
                o.send(src, M::Inserted);
            }
            (CrawlerActor::Shared, CrawlerState::Shared { .. }, M::Add(n)) => {
                if let CrawlerState::Shared { pending, .. } = state.to_mut() {
                    *pending += n;
                }
                o.send(src, M::Added);
            }
            // The counter reaches zero: main's Wait returns the crawl.
            (CrawlerActor::Shared, CrawlerState::Shared { .. }, M::Done) => {
                if let CrawlerState::Shared {
                    fetched,
                    pending,
                    result,
                } = state.to_mut()
                {
                    *pending = pending.saturating_sub(1);
                    if *pending == 0 {
                        *result = Some(fetched.clone());
                    }
                }
                o.send(src, M::DoneOk);
            }

            // A goroutine starts. The bug: it counts itself first.
            (
                CrawlerActor::Goroutine { shared, bug, .. },
                CrawlerState::Goroutine {
                    phase: Phase::Idle, ..
                },
                M::Go,
            ) => {
                let phase = if *bug == Bug::AddInChild {
                    o.send(*shared, M::Add(1));
                    Phase::CountingItself
                } else {
                    self.check(o)
                };
                set_phase(state, phase);
            }
            (
                CrawlerActor::Goroutine { .. },
                CrawlerState::Goroutine {
                    phase: Phase::CountingItself,
                    ..
                },
                M::Added,
            ) => {
                let phase = self.check(o);
                set_phase(state, phase);
            }
            // Not fetched yet, and now claimed: fetch.
            (
                CrawlerActor::Goroutine { .. },
                CrawlerState::Goroutine {
                    phase: Phase::Checking,
                    ..
                },
                M::Already(false),
            ) => {
                *state.to_mut() = self.fetch(fetches, o);
            }
            // The bug: not fetched when checked; claim it, then fetch.
            (
                CrawlerActor::Goroutine { shared, url, .. },
                CrawlerState::Goroutine {
                    phase: Phase::Checking,
                    ..
                },
                M::Checked(false),
            ) => {
                o.send(*shared, M::Insert(*url));
                set_phase(state, Phase::Inserting);
            }
            (
                CrawlerActor::Goroutine { .. },
                CrawlerState::Goroutine {
                    phase: Phase::Inserting,
                    ..
                },
                M::Inserted,
            ) => {
                *state.to_mut() = self.fetch(fetches, o);
            }
            // Already fetched: `if already { return }`.
            (
                CrawlerActor::Goroutine { shared, .. },
                CrawlerState::Goroutine {
                    phase: Phase::Checking,
                    ..
                },
                M::Already(true) | M::Checked(true),
            ) => {
                o.send(*shared, M::Done);
                *state.to_mut() = CrawlerState::Goroutine {
                    phase: Phase::Finishing,
                    fetches,
                    skipped: true,
                };
            }
            // The children are counted: start them, then count itself out.
            (
                CrawlerActor::Goroutine { shared, .. },
                CrawlerState::Goroutine {
                    phase: Phase::CountingChildren,
                    ..
                },
                M::Added,
            ) => {
                self.spawn(o);
                o.send(*shared, M::Done);
                set_phase(state, Phase::Finishing);
            }
            // Counted out: return.
            (
                CrawlerActor::Goroutine { .. },
                CrawlerState::Goroutine {
                    phase: Phase::Finishing,
                    ..
                },
                M::DoneOk,
            ) => {
                set_phase(state, Phase::Idle);
            }
            _ => {}
        }
    }
}

fn set_phase(state: &mut Cow<CrawlerState>, to: Phase) {
    if let CrawlerState::Goroutine { phase, .. } = state.to_mut() {
        *phase = to;
    }
}

// Properties.

type State = stateright::actor::ActorModelState<CrawlerActor>;

/// The URL goroutine `index` crawls (actor 0 is the shared state).
fn url_of(index: usize) -> Option<Url> {
    match index {
        0 => None,
        1 => Some(ROOT),
        i => followed_links().get(i - 2).map(|(_, to)| *to),
    }
}

/// How many goroutines fetched `url`.
fn fetches(state: &State, url: Url) -> usize {
    state
        .actor_states
        .iter()
        .enumerate()
        .filter(|(i, _)| url_of(*i) == Some(url))
        .map(|(_, s)| match &**s {
            CrawlerState::Goroutine { fetches, .. } => usize::from(*fetches),
            CrawlerState::Shared { .. } => 0,
        })
        .sum()
}

fn result(state: &State) -> Option<&BTreeSet<Url>> {
    state.actor_states.iter().find_map(|s| match &**s {
        CrawlerState::Shared { result, .. } => result.as_ref(),
        CrawlerState::Goroutine { .. } => None,
    })
}

fn all_reachable_fetched(state: &State) -> bool {
    reachable().iter().all(|u| fetches(state, *u) > 0)
}

/// "Fetch each URL only once" (6.824 lecture 2, the crawler's first
/// challenge: "don't fetch a page twice"; the `fetched` map under `mu`).
fn fetched_at_most_once(_: &CrawlerModel, state: &State) -> bool {
    WEB.iter().all(|(u, _)| fetches(state, *u) <= 1)
}

/// "Know when finished" (6.824 lecture 2, the crawler's third challenge):
/// the crawl returns only once every reachable page has been fetched.
fn returns_only_when_complete(_: &CrawlerModel, state: &State) -> bool {
    result(state).is_none() || all_reachable_fetched(state)
}

/// The crawl terminates, every reachable page fetched (6.824 lecture 2:
/// "exploit concurrency" without losing pages, and "know when finished").
fn crawl_completes(_: &CrawlerModel, state: &State) -> bool {
    result(state).is_some() && all_reachable_fetched(state)
}

/// Reachability: a goroutine reached a page already fetched (the cycle, or
/// the two links to `c`), so "at most once" is tested, not vacuous.
fn page_already_fetched(_: &CrawlerModel, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .any(|s| matches!(&**s, CrawlerState::Goroutine { skipped: true, .. }))
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

/// The links the crawl may follow: every link on a reachable page, in
/// [`WEB`] order. Goroutine `i` (actor `i + 2`) follows link `i`.
fn followed_links() -> Vec<(Url, Url)> {
    let reachable = reachable();
    WEB.iter()
        .filter(|(u, _)| reachable.contains(u))
        .flat_map(|(u, links)| links.iter().map(move |v| (*u, *v)))
        .collect()
}

impl Runnable for CrawlerCfg {
    type Actor = CrawlerActor;
    type History = ();

    fn actor_count(&self) -> usize {
        2 + followed_links().len()
    }

    fn done(states: &[Option<CrawlerState>]) -> bool {
        states.iter().flatten().any(|s| {
            matches!(
                s,
                CrawlerState::Shared {
                    result: Some(_),
                    ..
                }
            )
        })
    }

    fn observations(states: &[CrawlerState], _: &()) -> Vec<String> {
        let mut lines: Vec<String> = states
            .iter()
            .filter_map(|s| match s {
                CrawlerState::Shared { result, .. } => Some(format!("main returned: {result:?}")),
                CrawlerState::Goroutine { .. } => None,
            })
            .collect();
        let fetched: usize = states
            .iter()
            .map(|s| match s {
                CrawlerState::Goroutine { fetches, .. } => usize::from(*fetches),
                CrawlerState::Shared { .. } => 0,
            })
            .sum();
        lines.push(format!("pages fetched: {fetched}"));
        lines
    }

    /// The shared state, `main`'s goroutine for the root, then one goroutine
    /// per followed link, known by `ids`.
    fn model_on(self, ids: &[Id]) -> CrawlerModel {
        let links = followed_links();
        let children_of = |url: Url| -> Vec<Id> {
            links
                .iter()
                .enumerate()
                .filter(|(_, (from, _))| *from == url)
                .map(|(i, _)| ids[i + 2])
                .collect()
        };
        let goroutine = |url: Url, from: Option<Url>| CrawlerActor::Goroutine {
            url,
            from,
            shared: ids[0],
            children: children_of(url),
            bug: self.bug,
        };
        let mut actors = vec![CrawlerActor::Shared, goroutine(ROOT, None)];
        actors.extend(links.iter().map(|(from, to)| goroutine(*to, Some(*from))));
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(Network::new_unordered_nonduplicating([]))
            .property(
                Expectation::Always,
                "each URL fetched at most once",
                fetched_at_most_once,
            )
            .property(
                Expectation::Always,
                "returns only when complete",
                returns_only_when_complete,
            )
            .property(Expectation::Eventually, "crawl completes", crawl_completes)
            .property(
                Expectation::Sometimes,
                "page already fetched",
                page_already_fetched,
            )
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "crawler",
    section: "MapReduce, RPC and threads",
    summary: "Goroutines crawl a small web, sharing a mutex-guarded fetched set and a WaitGroup",
    citations: &[
        "MIT 6.824 (6.5840) Distributed Systems, lecture 2, RPC and Threads: crawler.go (ConcurrentMutex)",
        "The Go Programming Language Specification and sync.WaitGroup documentation (Add before go)",
    ],
    notes: "",
    params: &[],
    properties: &[
        PropertySpec {
            name: "each URL fetched at most once",
            kind: PropertyKind::Always,
            source: "6.824 lecture 2, crawler challenge: fetch each URL once",
        },
        PropertySpec {
            name: "returns only when complete",
            kind: PropertyKind::Always,
            source: "6.824 lecture 2, crawler challenge: know when finished",
        },
        PropertySpec {
            name: "crawl completes",
            kind: PropertyKind::Eventually,
            source: "6.824 lecture 2: every reachable page fetched and the crawl terminates",
        },
        PropertySpec {
            name: "page already fetched",
            kind: PropertyKind::Sometimes,
            source: "reachability: the fetched check is exercised",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "test-and-set of fetched[url] in one critical section; the parent counts its children before go",
            expect: &[],
        },
        VariantSpec {
            name: "unsynchronised-check-then-insert",
            doc: "fetched[url] is read and written in separate critical sections: two goroutines both find c unfetched and both fetch it",
            expect: &[("each URL fetched at most once", Verdict::Violated)],
        },
        VariantSpec {
            name: "add-in-child",
            doc: "each goroutine counts itself once running (done.Add(1) inside the goroutine): the counter reaches zero while children have not started, and main returns early",
            expect: &[
                ("returns only when complete", Verdict::Violated),
                ("crawl completes", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<CrawlerCfg>,
    explore: crate::registry::explore_config::<CrawlerCfg>,
    run: Some(crate::runner::run_config::<CrawlerCfg>),
};
