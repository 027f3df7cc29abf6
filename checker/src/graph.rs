//! The workbench's own breadth-first explorer.
//!
//! Why not Stateright's BFS alone: its checkers overwrite a property's
//! discovery every time another violating state is visited (`bfs.rs`,
//! `discoveries.insert`), so the counterexample reported is the *last* one
//! found, not the shortest; and its `eventually` judgement misses runs that
//! revisit a state. This explorer walks the state space level by level,
//! keeps the first (hence shortest) witness of every property, keeps the
//! graph (parent pointers, and edges when a liveness property needs them),
//! and judges `eventually` over the graph.
//!
//! Determinism: successors of a level are computed in parallel (rayon, on
//! the caller's pool) but merged in frontier order, action order, so the
//! state numbering, the counts and every counterexample are the same for
//! any number of threads.

use crate::analyses::Analyses;
use crate::fingerprint::{fingerprint, Claim, Claims, Lookup, Seen};
use crate::liveness::{
    bad_forever, bad_forever_from, Class, Edge, Edges, Ending, Fairness, Lasso, Stop, UNFAIR,
};
use rayon::prelude::*;
use stateright::{Expectation, Model};
use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// A state's number: its position in BFS order.
pub type StateId = u32;

/// `parent` of an initial state.
const NO_PARENT: StateId = StateId::MAX;

/// Where exploration stops short of the whole space.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub max_depth: Option<usize>,
    pub max_states: Option<usize>,
    pub timeout: Option<Duration>,
    /// Stop when the process's resident memory reaches this many bytes.
    pub max_memory: Option<u64>,
    /// Which infinite runs count as `eventually` counterexamples.
    pub fairness: Fairness,
}

/// A limit of [`Limits`] that stopped a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    MaxDepth,
    MaxStates,
    Timeout,
    MaxMemory,
}

/// What the explorer found about one property.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// `always` violated / `sometimes` example: the first such state.
    Witness(StateId),
    /// `eventually` violated: a path through states where it never holds
    /// (given as states), ending in a state where a fair run may stop: no
    /// step is enabled, or none that fairness demands.
    Stops(Vec<StateId>, Stop),
    /// `eventually` violated: a fair infinite run on which it never holds.
    Lasso(Lasso),
    /// `eventually` not shown: such a path ends where the search was cut off.
    Bounded(Vec<StateId>),
}

/// Where a declared refinement fails first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefinementFailure {
    /// This initial state maps to no initial state of the spec.
    Init(StateId),
    /// Action `action` from `from` maps to neither a spec step nor a stutter.
    Step { from: StateId, action: u32 },
}

/// The explored graph.
///
/// What it keeps per state, for memory: the parent's number and the action
/// from it (8 bytes), whether its future was cut (1 byte), and only when a
/// liveness property or valence needs them, its edges and which properties
/// hold there. Depths are level boundaries, not a number per state.
pub struct Explored {
    /// Per state: its parent, or `NO_PARENT` for an initial state.
    parent: Vec<StateId>,
    /// Per state: the action index from its parent, or for an initial
    /// state its index in `init_states()`.
    via: Vec<u32>,
    /// The first state of each depth, in order.
    level_start: Vec<StateId>,
    /// Successors, with the action leading there and its fairness class,
    /// kept only when a liveness property needs them.
    pub edges: Option<Edges>,
    /// States generated, revisits included.
    pub generated: usize,
    pub max_depth: usize,
    /// False when a limit or the model's boundary cut off some state's
    /// future.
    pub complete: bool,
    /// The limit that stopped the search, if one did.
    pub stopped_by: Option<Limit>,
    /// True when the model's boundary kept some successor out.
    pub boundary_cut: bool,
    /// True when some state lies on the model's horizon (see
    /// [`crate::analyses::Horizon`]): cut off for `eventually` only.
    pub horizon_reached: bool,
    /// One entry per property, in declaration order.
    pub findings: Vec<Option<Finding>>,
    /// One entry per declared leads-to property, in declaration order: a
    /// finding's path starts at an initial state, as an `eventually` one's.
    pub leads_to_findings: Vec<Option<Finding>>,
    /// One entry per declared refinement, in declaration order.
    pub refinement_failures: Vec<Option<RefinementFailure>>,
    /// Per state, the decision values it has reached, when the model
    /// declares a decision predicate (for valence analysis).
    pub decided: Option<Vec<u64>>,
    /// Per state, whether its future was cut off (a limit or the boundary).
    pub cut: Vec<bool>,
}

impl Explored {
    pub fn unique_states(&self) -> usize {
        self.parent.len()
    }

    /// The number of initial states (numbered first).
    pub fn init_count(&self) -> usize {
        self.level_start
            .get(1)
            .map_or(self.parent.len(), |&s| s as usize)
    }

    /// `id`'s parent and the action index from it; `None` for an initial
    /// state.
    pub fn parent_of(&self, id: StateId) -> Option<(StateId, u32)> {
        let p = self.parent[id as usize];
        (p != NO_PARENT).then(|| (p, self.via[id as usize]))
    }

    /// The BFS depth of `id` (0 for an initial state).
    pub fn depth_of(&self, id: StateId) -> usize {
        self.level_start.partition_point(|&s| s <= id) - 1
    }

    /// The action indices from an initial state to `id`: Stateright's path
    /// encoding (the first number indexes `init_states()`).
    pub fn action_indices(&self, id: StateId) -> Vec<usize> {
        let mut rev = Vec::new();
        let mut cur = id;
        while let Some((parent, action)) = self.parent_of(cur) {
            rev.push(action as usize);
            cur = parent;
        }
        rev.push(self.via[cur as usize] as usize);
        rev.reverse();
        rev
    }

    /// The action indices along `trail`, a path of states joined by edges
    /// and starting at an initial state.
    pub fn trail_indices(&self, trail: &[StateId]) -> Vec<usize> {
        let edges = self.edges.as_ref().expect("trails need edges");
        let mut out = vec![self.via[trail[0] as usize] as usize];
        for pair in trail.windows(2) {
            let edge = edges[pair[0] as usize]
                .iter()
                .find(|e| e.to == pair[1])
                .expect("consecutive trail states are joined by an edge");
            out.push(edge.action as usize);
        }
        out
    }

    /// The steps (action, state reached) from an initial state to `id`
    /// along the BFS tree, and that initial state.
    fn tree_steps(&self, id: StateId) -> (StateId, Vec<(u32, StateId)>) {
        let mut steps = Vec::new();
        let mut cur = id;
        while let Some((parent, action)) = self.parent_of(cur) {
            steps.push((action, cur));
            cur = parent;
        }
        steps.reverse();
        (cur, steps)
    }

    /// A finding whose run starts at `ending`'s first state, given from an
    /// initial state: the BFS tree's path to that state first.
    fn with_prefix(&self, ending: Ending) -> Finding {
        match ending {
            Ending::Stops(trail, stop) => Finding::Stops(self.trail_from_init(trail), stop),
            Ending::Bounded(trail) => Finding::Bounded(self.trail_from_init(trail)),
            Ending::Lasso(lasso) => {
                let (init, mut steps) = self.tree_steps(lasso.init);
                let loop_start = steps.len() + lasso.loop_start;
                steps.extend(lasso.steps);
                Finding::Lasso(Lasso {
                    init,
                    steps,
                    loop_start,
                })
            }
        }
    }

    fn trail_from_init(&self, trail: Vec<StateId>) -> Vec<StateId> {
        let (init, steps) = self.tree_steps(trail[0]);
        std::iter::once(init)
            .chain(steps.iter().map(|&(_, s)| s))
            .chain(trail.into_iter().skip(1))
            .collect()
    }

    /// The action indices of a lasso, prefix and loop.
    pub fn lasso_indices(&self, lasso: &Lasso) -> Vec<usize> {
        std::iter::once(self.via[lasso.init as usize] as usize)
            .chain(lasso.steps.iter().map(|&(action, _)| action as usize))
            .collect()
    }
}

/// Where a successor goes.
enum Target {
    /// Outside the model's boundary: not explored.
    Outside,
    /// A state already numbered (its number, if the table keeps numbers).
    Seen(Option<StateId>),
    /// Not seen before this chunk: the state is the next one in the
    /// part's `states`, its fingerprint the next in `fps`.
    New,
}

/// One step from a state being expanded.
struct Succ {
    action: u32,
    /// Its fairness class as a hash; `None` when never fair.
    class: Option<u64>,
    /// The declared refinements it breaks, as bits.
    broken: u64,
    target: Target,
}

/// A run of consecutive frontier states, judged and expanded on one worker.
struct Part<S> {
    /// Per state: one bit per property, set where its condition holds.
    bits: Vec<u64>,
    /// Per state: the decision values reached (valence), when declared.
    decided: Vec<u64>,
    /// Per state: whether it lies on the model's horizon, when declared.
    horizon: Vec<bool>,
    /// Per state: the end of its successors in `succ`.
    ends: Vec<usize>,
    succ: Vec<Succ>,
    /// The states of the `New` successors, in order: kept apart so that
    /// the many successors already seen take a few bytes each.
    states: Vec<S>,
    /// Their fingerprints, in the same order.
    fps: Vec<u64>,
    /// Successors already seen that are not kept in `succ`, because no
    /// edge is kept and they break no refinement: only counted.
    skipped: usize,
}

/// States expanded together before their successors are merged: limits are
/// checked, and progress reported, between chunks. A chunk's new successors
/// are all held until the merge, so a bigger chunk costs memory (4096 held
/// 1.6x the peak of 1024 on the Paxos default) and a smaller one leaves the
/// workers fewer parts to share.
const CHUNK: usize = 1024;

/// States one worker takes at a time within a chunk.
const PART: usize = 128;

/// A chunk of frontier states and the parts its expansion fills (their
/// buffers reused from chunk to chunk, which keeps the allocator from
/// handing the memory back to the system and faulting it in again).
struct Chunk<S> {
    states: Vec<(StateId, S)>,
    parts: Vec<Part<S>>,
}

impl<S> Default for Chunk<S> {
    fn default() -> Self {
        Chunk {
            states: Vec::with_capacity(CHUNK),
            parts: Vec::new(),
        }
    }
}

impl<S> Chunk<S> {
    /// How many parts hold this chunk's expansion.
    fn used(&self) -> usize {
        self.states.len().div_ceil(PART)
    }

    /// The new successors' fingerprints, part by part, in order.
    fn fps(&self) -> Vec<&[u64]> {
        self.parts[..self.used()]
            .iter()
            .map(|p| &p.fps[..])
            .collect()
    }
}

/// An action's fairness class, as a hash; `None` for actions that are never
/// fair (loss, crashes).
pub type ClassOf<'a, M> = dyn Fn(&<M as Model>::Action) -> Option<u64> + Sync + 'a;

/// Progress of a running exploration.
#[derive(Clone, Debug)]
pub struct Tick {
    pub generated: usize,
    pub unique: usize,
    pub depth: usize,
    pub elapsed: Duration,
    /// The process's resident memory, where the system tells it.
    pub resident_bytes: Option<u64>,
}

/// The process's resident memory in bytes (Linux: `/proc/self/statm`).
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The memory bound a check gets unless told otherwise: 80% of what the
/// machine (or the control group the process runs in) has, so that a check
/// too big for it stops with a clear verdict instead of being killed.
pub fn default_max_memory() -> Option<u64> {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()?
        .lines()
        .find(|l| l.starts_with("MemTotal:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()?
        * 1024;
    let group = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    Some(group.map_or(total, |g| g.min(total)) / 5 * 4)
}

/// What is fixed for one exploration: the model and what is judged.
struct Explorer<'a, M: Model> {
    model: &'a M,
    properties: Vec<stateright::Property<M>>,
    /// The bit of each leads-to property's `P` in a state's judgement; its
    /// `Q` is the next bit.
    leads_to_bit: usize,
    classes: &'a ClassOf<'a, M>,
    analyses: &'a Analyses<M>,
    /// Whether edges are kept (then fairness classes are computed).
    edges: bool,
}

impl<M> Explorer<'_, M>
where
    M: Model + Sync,
    M::State: Hash + Send + Sync,
    M::Action: Send,
{
    /// One bit per property: does its condition hold in `s`?
    fn judge(&self, s: &M::State) -> u64 {
        let mut bits = 0u64;
        for (k, p) in self.properties.iter().enumerate() {
            if (p.condition)(self.model, s) {
                bits |= 1 << k;
            }
        }
        for (j, l) in self.analyses.leads_to.iter().enumerate() {
            let k = self.leads_to_bit + 2 * j;
            if (l.p)(s) {
                bits |= 1 << k;
            }
            if (l.q)(s) {
                bits |= 1 << (k + 1);
            }
        }
        bits
    }

    fn decided(&self, s: &M::State) -> u64 {
        self.analyses
            .decision
            .as_ref()
            .map_or(0, |d| (d.decided)(s))
    }

    fn excluded(&self, a: &M::Action) -> bool {
        self.analyses.excluded.as_ref().is_some_and(|x| x(a))
    }

    /// Judges and expands `states` into `part` (its buffers are reused
    /// from chunk to chunk); successors already in `seen` are dropped here,
    /// on the worker.
    fn expand(&self, states: &[(StateId, M::State)], seen: &Seen, part: &mut Part<M::State>) {
        part.bits.clear();
        part.decided.clear();
        part.horizon.clear();
        part.ends.clear();
        part.succ.clear();
        part.states.clear();
        part.fps.clear();
        part.skipped = 0;
        let edges = self.edges;
        let mut actions = Vec::new();
        for (_, s) in states {
            part.bits.push(self.judge(s));
            if self.analyses.decision.is_some() {
                part.decided.push(self.decided(s));
            }
            if let Some(h) = &self.analyses.horizon {
                part.horizon.push((h.reached)(s));
            }
            self.model.actions(s, &mut actions);
            for (ai, a) in actions.drain(..).enumerate() {
                if self.excluded(&a) {
                    continue;
                }
                // Classes matter only on edges (liveness and valence).
                let class = if edges { (self.classes)(&a) } else { None };
                let Some(next) = self.model.next_state(s, a) else {
                    continue;
                };
                let mut broken = 0u64;
                for (k, r) in self.analyses.refinements.iter().enumerate() {
                    if r.judged() && !r.maps_step(s, &next) {
                        broken |= 1 << k;
                    }
                }
                let next = match &self.analyses.view {
                    Some(view) => view(&next),
                    None => next,
                };
                let target = if !self.model.within_boundary(&next) {
                    Target::Outside
                } else {
                    let fp = fingerprint(&next);
                    match seen.get(fp) {
                        Lookup::Seen(_) if !edges && broken == 0 => {
                            part.skipped += 1;
                            continue;
                        }
                        Lookup::Seen(id) => Target::Seen(id),
                        Lookup::New => {
                            part.states.push(next);
                            part.fps.push(fp);
                            Target::New
                        }
                    }
                };
                part.succ.push(Succ {
                    action: ai as u32,
                    class,
                    broken,
                    target,
                });
            }
            part.ends.push(part.succ.len());
        }
    }

    /// Judges and expands a chunk's states into its parts, in parallel on
    /// `pool` when given.
    fn expand_chunk(
        &self,
        chunk: &mut Chunk<M::State>,
        seen: &Seen,
        pool: Option<&rayon::ThreadPool>,
    ) {
        let used = chunk.used();
        if chunk.parts.len() < used {
            chunk.parts.resize_with(used, Part::default);
        }
        let Chunk { states, parts } = chunk;
        match pool {
            Some(pool) => pool.install(|| {
                states
                    .par_chunks(PART)
                    .zip(parts.par_iter_mut())
                    .for_each(|(states, part)| self.expand(states, seen, part))
            }),
            None => {
                for (states, part) in states.chunks(PART).zip(parts.iter_mut()) {
                    self.expand(states, seen, part);
                }
            }
        }
    }

    /// Judges a state that will not be expanded, and says whether it has a
    /// step to take (then its future is cut off, not ended).
    fn judge_unexpanded(&self, s: &M::State) -> (u64, u64, bool) {
        let mut actions = Vec::new();
        self.model.actions(s, &mut actions);
        let moves = actions
            .into_iter()
            .any(|a| !self.excluded(&a) && self.model.next_state(s, a).is_some());
        (self.judge(s), self.decided(s), moves)
    }
}

impl<S> Default for Part<S> {
    fn default() -> Self {
        Part {
            bits: Vec::new(),
            decided: Vec::new(),
            horizon: Vec::new(),
            ends: Vec::new(),
            succ: Vec::new(),
            states: Vec::new(),
            fps: Vec::new(),
            skipped: 0,
        }
    }
}

/// Runs `f` over `items` in order-preserving parts, on `pool` if given.
fn in_parts<T: Sync, R: Send>(
    pool: Option<&rayon::ThreadPool>,
    items: &[T],
    f: impl Fn(&[T]) -> R + Sync + Send,
) -> Vec<R> {
    match pool {
        Some(pool) => pool.install(|| items.par_chunks(PART).map(&f).collect()),
        None => items.chunks(PART).map(f).collect(),
    }
}

/// Explores `model` breadth first within `limits`.
///
/// Successors are computed on `pool` when given, else on this thread.
pub fn explore<M>(
    model: &M,
    limits: &Limits,
    classes: &ClassOf<'_, M>,
    analyses: &Analyses<M>,
    pool: Option<&rayon::ThreadPool>,
    on_tick: &mut dyn FnMut(&Tick),
) -> Explored
where
    M: Model + Sync,
    M::State: Hash + Send + Sync,
    M::Action: Send,
{
    let Some(pool) = pool else {
        return explore_on(model, limits, classes, analyses, None, on_tick);
    };
    // The search runs on one of the pool's workers, and this thread only
    // passes its progress on. From a worker, each chunk's `join` and
    // claim run in place; from this thread, each was handed to the pool
    // while this thread slept until it was done, two hand-offs per chunk
    // of 1,024 states (on TwoPhase at 9 RMs, 11% of a 2-thread run's
    // samples were the kernel putting threads to sleep and waking them).
    let (ticks, received) = std::sync::mpsc::channel();
    let mut explored = None;
    pool.in_place_scope(|scope| {
        let explored = &mut explored;
        scope.spawn(move |_| {
            let mut tick = |t: &Tick| {
                let _ = ticks.send(t.clone());
            };
            *explored = Some(explore_on(
                model,
                limits,
                classes,
                analyses,
                Some(pool),
                &mut tick,
            ));
        });
        for t in received {
            on_tick(&t);
        }
    });
    explored.expect("the search ran to its end on the pool")
}

/// [`explore`] on this thread, with `pool` for the parallel parts.
fn explore_on<M>(
    model: &M,
    limits: &Limits,
    classes: &ClassOf<'_, M>,
    analyses: &Analyses<M>,
    pool: Option<&rayon::ThreadPool>,
    on_tick: &mut dyn FnMut(&Tick),
) -> Explored
where
    M: Model + Sync,
    M::State: Hash + Send + Sync,
    M::Action: Send,
{
    let start = Instant::now();
    let mut last_tick = Instant::now();
    let properties = model.properties();
    assert!(
        properties.len() + 2 * analyses.leads_to.len() <= 64,
        "the explorer keeps one bit per property, two per leads-to: at most 64"
    );
    assert!(
        analyses.refinements.len() <= 64,
        "the explorer keeps one bit per refinement: at most 64"
    );
    let liveness = properties
        .iter()
        .any(|p| p.expectation == Expectation::Eventually)
        || !analyses.leads_to.is_empty();
    let needs_edges = analyses.decision.is_some() || liveness;
    let x = Explorer {
        model,
        leads_to_bit: properties.len(),
        properties,
        classes,
        analyses,
        edges: needs_edges,
    };
    let mut seen = Seen::new(needs_edges);
    let mut g = Explored {
        parent: Vec::new(),
        via: Vec::new(),
        level_start: Vec::new(),
        edges: needs_edges.then(Edges::default),
        generated: 0,
        max_depth: 0,
        complete: true,
        stopped_by: None,
        boundary_cut: false,
        horizon_reached: false,
        findings: vec![None; x.properties.len()],
        leads_to_findings: vec![None; analyses.leads_to.len()],
        refinement_failures: vec![None; analyses.refinements.len()],
        decided: analyses.decision.as_ref().map(|_| Vec::new()),
        cut: Vec::new(),
    };
    // Fairness classes, numbered in order of first appearance.
    let mut class_ids: HashMap<u64, Class> = HashMap::new();
    // Per state, one bit per property, when a liveness property needs them.
    let mut holds: Vec<u64> = Vec::new();

    let mut frontier: Vec<(StateId, M::State)> = Vec::new();
    for (i, s) in model.init_states().into_iter().enumerate() {
        for (k, r) in analyses.refinements.iter().enumerate() {
            if r.judged() && !r.maps_init(&s) && g.refinement_failures[k].is_none() {
                // Numbered as the state will be if it is new; an initial
                // state that repeats an earlier one maps as that one did.
                let id = frontier
                    .iter()
                    .find(|(_, t)| fingerprint(t) == fingerprint(&s))
                    .map_or(g.parent.len() as StateId, |(id, _)| *id);
                g.refinement_failures[k] = Some(RefinementFailure::Init(id));
            }
        }
        let s = match &analyses.view {
            Some(view) => view(&s),
            None => s,
        };
        if !model.within_boundary(&s) {
            g.complete = false;
            g.boundary_cut = true;
            continue;
        }
        g.generated += 1;
        let id = g.parent.len() as StateId;
        if seen.insert(fingerprint(&s), id) != Lookup::New {
            continue;
        }
        g.parent.push(NO_PARENT);
        g.via.push(i as u32);
        frontier.push((id, s));
    }

    // Records the judgement of state `id` (states are judged in order).
    let mut record = |g: &mut Explored, id: StateId, bits: u64, decided: u64| {
        debug_assert_eq!(g.cut.len(), id as usize);
        for (k, p) in x.properties.iter().enumerate() {
            let ok = bits & (1 << k) != 0;
            if g.findings[k].is_none() {
                match p.expectation {
                    Expectation::Always if !ok => g.findings[k] = Some(Finding::Witness(id)),
                    Expectation::Sometimes if ok => g.findings[k] = Some(Finding::Witness(id)),
                    _ => {}
                }
            }
        }
        if liveness {
            holds.push(bits);
        }
        if let Some(d) = g.decided.as_mut() {
            d.push(decided);
        }
        g.cut.push(false);
    };

    let mut depth = 0usize;
    // Two chunks in flight: while one is merged (in order, on one thread),
    // the next is expanded (in parallel). That is sound only when the table
    // keeps no numbers: then what the next chunk's expansion reads of the
    // table is complete as soon as this chunk's claims are in, and the merge
    // writes nothing it reads. With numbers (edges kept), a chunk's new
    // states get theirs after its merge, so the next one waits.
    let overlap = !needs_edges;
    let mut bufs: [Chunk<M::State>; 2] = [Chunk::default(), Chunk::default()];
    let mut unexpanded: Vec<(StateId, M::State)> = Vec::new();
    let mut claims = Claims::default();
    // Per new successor of a chunk, the number it got (or its first
    // occurrence's).
    let mut batch_ids: Vec<StateId> = Vec::new();
    // The next level's states. It and `frontier` swap at each level and
    // keep their capacity: a level that grew a buffer to millions of
    // states leaves it for the levels after, which then neither copy on
    // growth nor fault in fresh pages.
    let mut next_frontier: Vec<(StateId, M::State)> = Vec::new();
    while !frontier.is_empty() {
        g.level_start.push(frontier[0].0);
        g.max_depth = depth;
        // The level is taken a chunk at a time, and each chunk's states are
        // dropped once merged, as a queue would: only the rest of this
        // level and the next one are held.
        let mut level = frontier.drain(..);
        // The buffer of the chunk expanded and claimed, awaiting its merge,
        // and how many states that merge will number.
        let mut ready: Option<(usize, usize)> = None;
        loop {
            // Limits are judged as if every chunk before were merged: the
            // same stopping point whether chunks overlap or not.
            if g.stopped_by.is_none() && level.len() > 0 {
                let numbered = g.parent.len() + ready.map_or(0, |(_, n)| n);
                g.stopped_by = if limits.max_depth.is_some_and(|d| depth >= d) {
                    Some(Limit::MaxDepth)
                } else if limits.max_states.is_some_and(|n| numbered >= n) {
                    Some(Limit::MaxStates)
                } else if limits.timeout.is_some_and(|t| start.elapsed() >= t) {
                    Some(Limit::Timeout)
                } else if limits
                    .max_memory
                    .is_some_and(|m| resident_bytes().is_some_and(|r| r >= m))
                {
                    Some(Limit::MaxMemory)
                } else {
                    None
                };
            }
            let next = (g.stopped_by.is_none() && level.len() > 0).then(|| {
                let b = ready.map_or(0, |(b, _)| 1 - b);
                bufs[b].states.clear();
                bufs[b].states.extend(level.by_ref().take(CHUNK));
                b
            });
            let Some((cur, _)) = ready else {
                let Some(b) = next else { break };
                x.expand_chunk(&mut bufs[b], &seen, pool);
                ready = Some((b, claim(&mut seen, &bufs[b], pool, &mut claims)));
                continue;
            };
            let [first, second] = &mut bufs;
            let (this, other) = if cur == 0 {
                (first, second)
            } else {
                (second, first)
            };
            let mut merge_this = || {
                merge_chunk(
                    &mut g,
                    this,
                    &claims,
                    &mut batch_ids,
                    &mut class_ids,
                    &mut next_frontier,
                    &mut record,
                )
            };
            match (next, pool) {
                (Some(_), Some(pool)) if overlap => {
                    let seen = &seen;
                    pool.install(|| {
                        rayon::join(merge_this, || x.expand_chunk(other, seen, Some(pool)))
                    });
                }
                (Some(_), None) if overlap => {
                    merge_this();
                    x.expand_chunk(other, &seen, None);
                }
                (Some(_), _) => {
                    merge_this();
                    number(&mut seen, this, &claims, &batch_ids, pool);
                    x.expand_chunk(other, &seen, pool);
                }
                (None, _) => {
                    merge_this();
                    number(&mut seen, this, &claims, &batch_ids, pool);
                }
            }
            ready = next.map(|b| (b, claim(&mut seen, &bufs[b], pool, &mut claims)));
            if last_tick.elapsed() >= Duration::from_secs(1) {
                last_tick = Instant::now();
                on_tick(&Tick {
                    generated: g.generated,
                    unique: g.parent.len(),
                    depth: depth + 1,
                    elapsed: start.elapsed(),
                    resident_bytes: resident_bytes(),
                });
            }
        }
        if g.stopped_by.is_some() {
            if let Some(&(first, _)) = next_frontier.first() {
                g.level_start.push(first);
                g.max_depth = depth + 1;
            }
            unexpanded = level.collect();
            unexpanded.append(&mut next_frontier);
            break;
        }
        drop(level);
        std::mem::swap(&mut frontier, &mut next_frontier);
        if !frontier.is_empty() {
            depth += 1;
        }
    }

    // A stopped search: judge what was numbered but not expanded. Only
    // states with a step to take were cut off; one without is a real end
    // of a run, and a search that stopped only at such states is complete
    // after all.
    if !unexpanded.is_empty() {
        let judged = in_parts(pool, &unexpanded, |states| {
            states
                .iter()
                .map(|(_, s)| x.judge_unexpanded(s))
                .collect::<Vec<_>>()
        });
        for ((id, _), (bits, decided, moves)) in unexpanded.iter().zip(judged.into_iter().flatten())
        {
            record(&mut g, *id, bits, decided);
            if moves {
                g.cut[*id as usize] = true;
                g.complete = false;
            }
        }
    }
    if g.complete {
        g.stopped_by = None;
    }
    if let Some(e) = g.edges.as_mut() {
        e.close(g.parent.len());
    }

    if let Some(edges) = &g.edges {
        for (k, p) in x.properties.iter().enumerate() {
            if p.expectation == Expectation::Eventually {
                let bad = |id: StateId| holds[id as usize] & (1 << k) == 0;
                let inits = g.init_count();
                let cut = &g.cut;
                g.findings[k] =
                    bad_forever(edges, &bad, cut, inits, limits.fairness).map(|e| match e {
                        Ending::Stops(trail, stop) => Finding::Stops(trail, stop),
                        Ending::Lasso(lasso) => Finding::Lasso(lasso),
                        Ending::Bounded(trail) => Finding::Bounded(trail),
                    });
            }
        }
        // P ~> Q: runs through states where Q is false, entered wherever P
        // holds and Q does not (each at its BFS depth, so the path found is
        // the shortest in all), then prefixed with the BFS tree's path there.
        for j in 0..analyses.leads_to.len() {
            let (p, q) = (x.leads_to_bit + 2 * j, x.leads_to_bit + 2 * j + 1);
            let bad = |id: StateId| holds[id as usize] & (1 << q) == 0;
            let starts: Vec<(StateId, u32)> = (0..holds.len() as StateId)
                .filter(|&id| holds[id as usize] & (1 << p) != 0 && bad(id))
                .map(|id| (id, g.depth_of(id) as u32))
                .collect();
            g.leads_to_findings[j] =
                bad_forever_from(edges, &bad, &g.cut, &starts, limits.fairness)
                    .map(|e| g.with_prefix(e));
        }
    }
    g
}

/// Claims an expanded chunk's new fingerprints in the table (in parallel,
/// the same outcome for any thread count); gives how many are new.
fn claim<S>(
    seen: &mut Seen,
    chunk: &Chunk<S>,
    pool: Option<&rayon::ThreadPool>,
    claims: &mut Claims,
) -> usize {
    seen.claim(&chunk.fps(), pool, claims);
    claims.fresh()
}

/// Writes the numbers a chunk's merge gave its new states into the table
/// (nothing when the table keeps no numbers).
fn number<S>(
    seen: &mut Seen,
    chunk: &Chunk<S>,
    claims: &Claims,
    ids: &[StateId],
    pool: Option<&rayon::ThreadPool>,
) {
    seen.number(&chunk.fps(), claims, |i| ids[i], pool);
}

/// Merges an expanded and claimed chunk into the graph, in frontier order
/// and action order: its states are judged, its new successors numbered.
fn merge_chunk<S>(
    g: &mut Explored,
    chunk: &mut Chunk<S>,
    claims: &Claims,
    ids: &mut Vec<StateId>,
    class_ids: &mut HashMap<u64, Class>,
    next_frontier: &mut Vec<(StateId, S)>,
    record: &mut impl FnMut(&mut Explored, StateId, u64, u64),
) {
    ids.clear();
    let mut merged = Merged {
        claims,
        next: 0,
        ids,
    };
    let used = chunk.used();
    let mut states = chunk.states.iter();
    for part in &mut chunk.parts[..used] {
        g.generated += part.skipped;
        let mut first = 0;
        let mut succs = part.succ.drain(..);
        let mut news = part.states.drain(..);
        for (i, &end) in part.ends.iter().enumerate() {
            let from = states.next().expect("a part per state").0;
            let decided = part.decided.get(i).copied().unwrap_or(0);
            record(g, from, part.bits[i], decided);
            // On the horizon: its future is cut for `eventually` only (the
            // search itself stays complete).
            if part.horizon.get(i).copied().unwrap_or(false) {
                g.cut[from as usize] = true;
                g.horizon_reached = true;
            }
            if let Some(e) = g.edges.as_mut() {
                e.open(from);
            }
            for succ in succs.by_ref().take(end - first) {
                merge(
                    g,
                    &mut merged,
                    class_ids,
                    next_frontier,
                    from,
                    succ,
                    &mut news,
                );
            }
            first = end;
        }
    }
}

/// The new successors of a chunk as the merge walks them.
struct Merged<'a> {
    claims: &'a Claims,
    /// The index of the next new successor in the chunk.
    next: usize,
    /// Per new successor so far, its state number.
    ids: &'a mut Vec<StateId>,
}

/// Merges one successor of `from` into the graph.
fn merge<S>(
    g: &mut Explored,
    merged: &mut Merged<'_>,
    class_ids: &mut HashMap<u64, Class>,
    next_frontier: &mut Vec<(StateId, S)>,
    from: StateId,
    succ: Succ,
    news: &mut impl Iterator<Item = S>,
) {
    if succ.broken != 0 {
        for (k, failure) in g.refinement_failures.iter_mut().enumerate() {
            if succ.broken & (1 << k) != 0 && failure.is_none() {
                *failure = Some(RefinementFailure::Step {
                    from,
                    action: succ.action,
                });
            }
        }
    }
    let to = match succ.target {
        Target::Outside => {
            // A successor outside the boundary: this state's future was
            // cut, not ended.
            g.cut[from as usize] = true;
            g.complete = false;
            g.boundary_cut = true;
            return;
        }
        Target::Seen(id) => {
            g.generated += 1;
            id
        }
        Target::New => {
            let next = news.next().expect("a state per new successor");
            g.generated += 1;
            let i = merged.next;
            merged.next += 1;
            let id = match merged.claims.get(i) {
                Claim::New => {
                    let id = g.parent.len() as StateId;
                    g.parent.push(from);
                    g.via.push(succ.action);
                    next_frontier.push((id, next));
                    Some(id)
                }
                Claim::Earlier(first) => Some(merged.ids[first as usize]),
                Claim::Seen(old) => old,
            };
            merged.ids.push(id.unwrap_or(StateId::MAX));
            id
        }
    };
    if let Some(e) = g.edges.as_mut() {
        let to = to.expect("the table keeps numbers when edges are kept");
        let class = match succ.class {
            None => UNFAIR,
            Some(hash) => {
                let fresh = class_ids.len() as Class;
                *class_ids.entry(hash).or_insert(fresh)
            }
        };
        e.push(Edge {
            to,
            action: succ.action,
            class,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stateright::Property;

    /// One initial state with `width` successors, each with one successor
    /// of its own: two levels of `width` states.
    struct Wide {
        width: u32,
    }

    impl Model for Wide {
        type State = u32;
        type Action = u32;
        fn init_states(&self) -> Vec<u32> {
            vec![0]
        }
        fn actions(&self, state: &u32, actions: &mut Vec<u32>) {
            if *state == 0 {
                actions.extend(1..=self.width);
            } else if *state <= self.width {
                actions.push(*state + self.width);
            }
        }
        fn next_state(&self, _: &u32, action: u32) -> Option<u32> {
            Some(action)
        }
        fn properties(&self) -> Vec<Property<Self>> {
            vec![Property::always("small", |m, s| *s <= 2 * m.width)]
        }
    }

    fn run(model: &Wide, limits: &Limits, threads: usize) -> Explored {
        let pool = (threads > 1).then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
        });
        explore(
            model,
            limits,
            &|_| None,
            &Analyses::none(),
            pool.as_ref(),
            &mut |_| {},
        )
    }

    #[test]
    fn the_whole_space_is_numbered_level_by_level() {
        let model = Wide { width: 10_000 };
        for threads in [1, 2] {
            let g = run(&model, &Limits::default(), threads);
            assert!(g.complete);
            assert_eq!(g.unique_states(), 20_001);
            assert_eq!(g.generated, 20_001);
            assert_eq!(g.max_depth, 2);
            assert_eq!(g.init_count(), 1);
            assert_eq!(g.depth_of(0), 0);
            assert_eq!(g.depth_of(10_000), 1);
            assert_eq!(g.depth_of(10_001), 2);
            assert_eq!(g.parent_of(10_001), Some((1, 0)));
            assert_eq!(g.action_indices(20_000), vec![0, 9_999, 0]);
            assert_eq!(g.findings, vec![None]);
        }
    }

    /// `--max-states` stops inside a level: the second level is not
    /// finished once the bound is passed, and what was numbered is judged.
    #[test]
    fn max_states_stops_inside_a_level() {
        let model = Wide { width: 10_000 };
        let limits = Limits {
            max_states: Some(12_000),
            ..Limits::default()
        };
        let g = run(&model, &limits, 1);
        assert_eq!(g.stopped_by, Some(Limit::MaxStates));
        assert!(!g.complete);
        assert!(g.unique_states() < 20_001, "{}", g.unique_states());
        assert!(g.unique_states() >= 12_000);
        assert_eq!(g.cut.len(), g.unique_states());
        // Level-1 states not expanded are cut; level-2 states have no step
        // to take, so they are ends, not cuts.
        assert!(g.cut[10_000]);
        assert!(!g.cut[g.unique_states() - 1]);
        assert_eq!(g.max_depth, 2);
    }

    #[test]
    fn max_memory_stops_the_search() {
        let model = Wide { width: 10_000 };
        let limits = Limits {
            max_memory: Some(1),
            ..Limits::default()
        };
        let g = run(&model, &limits, 1);
        if resident_bytes().is_some() {
            assert_eq!(g.stopped_by, Some(Limit::MaxMemory));
            assert_eq!(g.unique_states(), 1);
            assert!(g.cut[0]);
        }
    }
}
