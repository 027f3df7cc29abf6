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
use crate::liveness::{bad_forever, Class, Edge, Ending, Fairness, Lasso, Stop, UNFAIR};
use rayon::prelude::*;
use stateright::{Expectation, Model};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::time::{Duration, Instant};

/// A state's number: its position in BFS order.
pub type StateId = u32;

/// Fingerprints are already hashes: don't hash them again.
#[derive(Default)]
struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A 64-bit fingerprint, the same on every run (SipHash with fixed keys).
fn fingerprint<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Where exploration stops short of the whole space.
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub max_depth: Option<usize>,
    pub max_states: Option<usize>,
    pub timeout: Option<Duration>,
    /// Which infinite runs count as `eventually` counterexamples.
    pub fairness: Fairness,
}

/// A limit of [`Limits`] that stopped a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    MaxDepth,
    MaxStates,
    Timeout,
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
pub struct Explored {
    /// For every state but the initial ones: (parent, action index).
    pub parent: Vec<Option<(StateId, u32)>>,
    /// Index of each initial state in `init_states()`.
    pub init_index: Vec<u32>,
    pub depth: Vec<u32>,
    /// Successors, with the action leading there and its fairness class,
    /// kept only when a liveness property needs them.
    pub edges: Option<Vec<Vec<Edge>>>,
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
    /// One entry per property, in declaration order.
    pub findings: Vec<Option<Finding>>,
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

    /// The action indices from an initial state to `id`: Stateright's path
    /// encoding (the first number indexes `init_states()`).
    pub fn action_indices(&self, id: StateId) -> Vec<usize> {
        let mut rev = Vec::new();
        let mut cur = id;
        while let Some((parent, action)) = self.parent[cur as usize] {
            rev.push(action as usize);
            cur = parent;
        }
        rev.push(self.init_index[cur as usize] as usize);
        rev.reverse();
        rev
    }

    /// The action indices along `trail`, a path of states joined by edges
    /// and starting at an initial state.
    pub fn trail_indices(&self, trail: &[StateId]) -> Vec<usize> {
        let edges = self.edges.as_ref().expect("trails need edges");
        let mut out = vec![self.init_index[trail[0] as usize] as usize];
        for pair in trail.windows(2) {
            let edge = edges[pair[0] as usize]
                .iter()
                .find(|e| e.to == pair[1])
                .expect("consecutive trail states are joined by an edge");
            out.push(edge.action as usize);
        }
        out
    }

    /// The action indices of a lasso, prefix and loop.
    pub fn lasso_indices(&self, lasso: &Lasso) -> Vec<usize> {
        std::iter::once(self.init_index[lasso.init as usize] as usize)
            .chain(lasso.steps.iter().map(|&(action, _)| action as usize))
            .collect()
    }
}

/// A state's successors: (action index, fairness class, the refinements
/// the step breaks as bits, the next state with its fingerprint, or `None`
/// when it lies outside the boundary).
type Expansion<S> = (StateId, Vec<(u32, Option<u64>, u64, Option<(u64, S)>)>);

/// States expanded together before their successors are merged.
const CHUNK: usize = 4096;

/// The successors of one state, fingerprinted (the costly part, done in
/// parallel when there is a pool).
fn expand<M>(
    model: &M,
    classes: &ClassOf<'_, M>,
    analyses: &Analyses<M>,
    (id, s): &(StateId, M::State),
) -> Expansion<M::State>
where
    M: Model,
    M::State: Hash,
{
    let mut actions = Vec::new();
    model.actions(s, &mut actions);
    let succ = actions
        .into_iter()
        .enumerate()
        .filter(|(_, a)| {
            analyses
                .excluded
                .as_ref()
                .is_none_or(|excluded| !excluded(a))
        })
        .filter_map(|(ai, a)| {
            let class = classes(&a);
            let next = model.next_state(s, a)?;
            let mut broken = 0u64;
            for (k, r) in analyses.refinements.iter().enumerate() {
                if !r.maps_step(s, &next) {
                    broken |= 1 << k;
                }
            }
            let next = match &analyses.view {
                Some(view) => view(&next),
                None => next,
            };
            let inside = model.within_boundary(&next);
            Some((
                ai as u32,
                class,
                broken,
                inside.then(|| (fingerprint(&next), next)),
            ))
        })
        .collect();
    (*id, succ)
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
    let start = Instant::now();
    let mut last_tick = Instant::now();
    let properties = model.properties();
    assert!(
        properties.len() <= 64,
        "the explorer keeps one bit per property: at most 64"
    );
    assert!(
        analyses.refinements.len() <= 64,
        "the explorer keeps one bit per refinement: at most 64"
    );
    let needs_edges = analyses.decision.is_some()
        || properties
            .iter()
            .any(|p| p.expectation == Expectation::Eventually);
    let mut ids: HashMap<u64, StateId, BuildHasherDefault<IdentityHasher>> = HashMap::default();
    let mut g = Explored {
        parent: Vec::new(),
        init_index: Vec::new(),
        depth: Vec::new(),
        edges: needs_edges.then(Vec::new),
        generated: 0,
        max_depth: 0,
        complete: true,
        stopped_by: None,
        boundary_cut: false,
        findings: vec![None; properties.len()],
        refinement_failures: vec![None; analyses.refinements.len()],
        decided: analyses.decision.as_ref().map(|_| Vec::new()),
        cut: Vec::new(),
    };
    // Fairness classes, numbered in order of first appearance.
    let mut class_ids: HashMap<u64, Class> = HashMap::new();
    // Per state, one bit per property: does its condition hold here?
    let mut holds: Vec<u64> = Vec::new();
    // States whose successors were not explored (a limit, or the boundary):
    // `g.cut`.

    let mut frontier: Vec<(StateId, M::State)> = Vec::new();
    for (i, s) in model.init_states().into_iter().enumerate() {
        for (k, r) in analyses.refinements.iter().enumerate() {
            if !r.maps_init(&s) && g.refinement_failures[k].is_none() {
                // Numbered as the state will be if it is new; an initial
                // state that repeats an earlier one maps as that one did.
                let id = ids.get(&fingerprint(&s)).copied();
                let id = id.unwrap_or(g.parent.len() as StateId);
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
        let fp = fingerprint(&s);
        if ids.contains_key(&fp) {
            continue;
        }
        let id = g.parent.len() as StateId;
        ids.insert(fp, id);
        g.parent.push(None);
        g.init_index.push(i as u32);
        g.depth.push(0);
        if let Some(e) = g.edges.as_mut() {
            e.push(Vec::new());
        }
        frontier.push((id, s));
    }
    g.init_index.resize(g.parent.len(), 0);

    let mut depth = 0usize;
    while !frontier.is_empty() {
        // Judge the level's states, in order.
        for (id, s) in &frontier {
            let mut bits = 0u64;
            for (k, p) in properties.iter().enumerate() {
                let ok = (p.condition)(model, s);
                if ok {
                    bits |= 1 << k;
                }
                let first = g.findings[k].is_none();
                match p.expectation {
                    Expectation::Always if !ok && first => {
                        g.findings[k] = Some(Finding::Witness(*id))
                    }
                    Expectation::Sometimes if ok && first => {
                        g.findings[k] = Some(Finding::Witness(*id))
                    }
                    _ => {}
                }
            }
            holds.push(bits);
            g.cut.push(false);
            if let (Some(decided), Some(d)) = (g.decided.as_mut(), analyses.decision.as_ref()) {
                decided.push((d.decided)(s));
            }
        }
        g.max_depth = depth;

        let stop = if limits.max_depth.is_some_and(|d| depth >= d) {
            Some(Limit::MaxDepth)
        } else if limits.max_states.is_some_and(|n| g.parent.len() >= n) {
            Some(Limit::MaxStates)
        } else if limits.timeout.is_some_and(|t| start.elapsed() >= t) {
            Some(Limit::Timeout)
        } else {
            None
        };
        if let Some(limit) = stop {
            // Only states with a successor were cut off; one without is a
            // real end of a run, and a search that stopped only at such
            // states is complete after all.
            for (id, s) in &frontier {
                let mut actions = Vec::new();
                model.actions(s, &mut actions);
                let excluded = |a: &M::Action| analyses.excluded.as_ref().is_some_and(|x| x(a));
                if actions
                    .into_iter()
                    .any(|a| !excluded(&a) && model.next_state(s, a).is_some())
                {
                    g.cut[*id as usize] = true;
                    g.complete = false;
                    g.stopped_by = Some(limit);
                }
            }
            break;
        }

        // Expand the level chunk by chunk (in parallel on `pool`), merging
        // each chunk in order: deterministic, and only one chunk's
        // successors are held at a time.
        let mut next_frontier = Vec::new();
        for chunk in frontier.chunks(CHUNK) {
            let expanded: Vec<Expansion<M::State>> = match pool {
                Some(pool) => pool.install(|| {
                    chunk
                        .par_iter()
                        .map(|x| expand(model, classes, analyses, x))
                        .collect()
                }),
                None => chunk
                    .iter()
                    .map(|x| expand(model, classes, analyses, x))
                    .collect(),
            };
            for (from, succ) in expanded {
                for (action, class, broken, next) in succ {
                    if broken != 0 {
                        for (k, failure) in g.refinement_failures.iter_mut().enumerate() {
                            if broken & (1 << k) != 0 && failure.is_none() {
                                *failure = Some(RefinementFailure::Step { from, action });
                            }
                        }
                    }
                    let Some((fp, next)) = next else {
                        // A successor outside the boundary: this state's
                        // future was cut, not ended.
                        g.cut[from as usize] = true;
                        g.complete = false;
                        g.boundary_cut = true;
                        continue;
                    };
                    g.generated += 1;
                    let to = match ids.get(&fp) {
                        Some(&to) => to,
                        None => {
                            let to = g.parent.len() as StateId;
                            ids.insert(fp, to);
                            g.parent.push(Some((from, action)));
                            g.depth.push(depth as u32 + 1);
                            if let Some(e) = g.edges.as_mut() {
                                e.push(Vec::new());
                            }
                            next_frontier.push((to, next));
                            to
                        }
                    };
                    if let Some(e) = g.edges.as_mut() {
                        let class = match class {
                            None => UNFAIR,
                            Some(hash) => {
                                let fresh = class_ids.len() as Class;
                                *class_ids.entry(hash).or_insert(fresh)
                            }
                        };
                        e[from as usize].push(Edge { to, action, class });
                    }
                }
            }
        }
        g.init_index.resize(g.parent.len(), 0);
        frontier = next_frontier;
        depth += 1;
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            on_tick(&Tick {
                generated: g.generated,
                unique: g.parent.len(),
                depth,
                elapsed: start.elapsed(),
            });
        }
    }

    if let Some(edges) = &g.edges {
        for (k, p) in properties.iter().enumerate() {
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
    }
    g
}

impl Explored {
    pub fn init_count(&self) -> usize {
        self.parent.iter().take_while(|p| p.is_none()).count()
    }
}
