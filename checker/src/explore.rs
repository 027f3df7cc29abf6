//! Running Stateright's checkers and turning their discoveries into a
//! [`CheckSummary`].

use crate::analyses::{Analyses, View};
use crate::describe::Describe;
use crate::graph::{self, Finding, Limits, RefinementFailure, Tick};
use crate::liveness::{Fairness, FairnessClasses};
use crate::summary::{
    CheckSummary, Counterexample, CounterexampleKind, PropertyKind, PropertyResult, Timing,
    ValenceSummary, Verdict,
};
use stateright::{Checker, Expectation, Model, UniformChooser};
use std::fmt::Debug;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// How the state space is walked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Breadth first: shortest counterexamples; the default.
    Bfs,
    /// Depth first: less memory, longer counterexamples.
    Dfs,
    /// Random walks from a seed; never complete, so never proves `holds`.
    Simulation { seed: u64 },
}

impl Strategy {
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Bfs => "bfs",
            Strategy::Dfs => "dfs",
            Strategy::Simulation { .. } => "simulation",
        }
    }
}

/// Limits and knobs of one check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub strategy: Strategy,
    pub threads: usize,
    pub max_depth: Option<usize>,
    pub max_states: Option<usize>,
    pub timeout: Option<Duration>,
    /// Which infinite runs count against `eventually` (own BFS only).
    pub fairness: Fairness,
}

impl Default for CheckOptions {
    /// BFS on one thread without limits: what the snapshots and reports use,
    /// because it gives the shortest counterexamples, deterministically.
    fn default() -> Self {
        CheckOptions {
            strategy: Strategy::Bfs,
            threads: 1,
            max_depth: None,
            max_states: None,
            timeout: None,
            fairness: Fairness::Weak,
        }
    }
}

/// A simulation runs until one of these stops it, when the user set neither.
pub const DEFAULT_SIMULATION_STATES: usize = 100_000;

/// What a long check reports while it runs.
#[derive(Clone, Debug)]
pub struct Progress {
    pub states: usize,
    pub unique_states: usize,
    pub max_depth: usize,
    pub elapsed: Duration,
}

/// Checks `model` and summarises every property in declaration order.
///
/// `on_progress` is called about once a second while the check runs. The
/// returned summary leaves `model`, `variant` and `config` for the caller.
pub fn check<M>(
    model: M,
    opts: &CheckOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe + FairnessClasses + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    check_with(model, Analyses::none(), opts, on_progress)
}

/// [`check`], with what the model declares besides its properties:
/// refinements are judged after the properties (kind `refines`), a view
/// abstracts the states explored, and a decision predicate adds a valence
/// analysis. Only the workbench's BFS keeps the graph these need; under DFS
/// and simulation a refinement is `inconclusive` and there is no valence.
pub fn check_with<M>(
    model: M,
    analyses: Analyses<M>,
    opts: &CheckOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe + FairnessClasses + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    if opts.strategy == Strategy::Bfs {
        return bfs(&model, &analyses, opts, Instant::now(), on_progress);
    }
    let refinements: Vec<String> = analyses
        .refinements
        .iter()
        .map(|r| r.name.clone())
        .collect();
    let mut builder = model.checker().threads(opts.threads.max(1));
    if let Some(depth) = opts.max_depth {
        builder = builder.target_max_depth(depth);
    }
    let max_states = match (opts.strategy, opts.max_states, opts.timeout) {
        (Strategy::Simulation { .. }, None, None) => Some(DEFAULT_SIMULATION_STATES),
        (_, n, _) => n,
    };
    if let Some(n) = max_states {
        builder = builder.target_state_count(n);
    }
    if let Some(t) = opts.timeout {
        builder = builder.timeout(t);
    }

    let start = Instant::now();
    match opts.strategy {
        Strategy::Bfs => unreachable!("handled above"),
        // Depth first and simulation are Stateright's: their counterexamples
        // are whichever it kept, not the shortest.
        Strategy::Dfs => summarise(
            builder.spawn_dfs(),
            opts,
            max_states,
            start,
            &refinements,
            on_progress,
        ),
        Strategy::Simulation { seed } => summarise(
            builder.spawn_simulation(seed, UniformChooser),
            opts,
            max_states,
            start,
            &refinements,
            on_progress,
        ),
    }
}

/// The workbench's own BFS ([`crate::graph`]): shortest counterexamples, the
/// same for any thread count, and `eventually` judged over the graph.
fn bfs<M>(
    model: &M,
    analyses: &Analyses<M>,
    opts: &CheckOptions,
    start: Instant,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe + FairnessClasses + Send + Sync,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync,
    M::Action: Clone + Debug + PartialEq + Send + Sync,
{
    let limits = Limits {
        max_depth: opts.max_depth,
        max_states: opts.max_states,
        timeout: opts.timeout,
        fairness: opts.fairness,
    };
    let threads = opts.threads.max(1);
    let mut tick = |t: &Tick| {
        on_progress(&Progress {
            states: t.generated,
            unique_states: t.unique,
            max_depth: t.depth,
            elapsed: t.elapsed,
        })
    };
    // One thread explores on the caller's thread: no pool, so no rayon
    // worker (as in `check --all`) ever waits on another pool. If a pool
    // cannot start, explore on this thread too.
    let pool = (threads > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .ok()
        })
        .flatten();
    let classes = |a: &M::Action| model.fairness_class(a);
    let g = graph::explore(model, &limits, &classes, analyses, pool.as_ref(), &mut tick);
    let seconds = start.elapsed().as_secs_f64();
    let view = analyses.view.as_ref();
    let mut found: Vec<Option<Found<M>>> = g
        .findings
        .iter()
        .zip(model.properties())
        .map(|(finding, property)| {
            let (verdict, kind, indices) = match finding.as_ref()? {
                Finding::Witness(id) if property.expectation == Expectation::Always => (
                    Verdict::Violated,
                    CounterexampleKind::Violation,
                    g.action_indices(*id),
                ),
                Finding::Witness(id) => (
                    Verdict::ExampleFound,
                    CounterexampleKind::Example,
                    g.action_indices(*id),
                ),
                Finding::Deadlock(trail) => (
                    Verdict::Violated,
                    CounterexampleKind::Deadlock,
                    g.trail_indices(trail),
                ),
                Finding::Bounded(trail) => (
                    Verdict::Inconclusive,
                    CounterexampleKind::Bounded,
                    g.trail_indices(trail),
                ),
                Finding::Lasso(lasso) => (
                    Verdict::Violated,
                    CounterexampleKind::Lasso,
                    g.lasso_indices(lasso),
                ),
            };
            let loop_start = match finding {
                Some(Finding::Lasso(lasso)) => Some(lasso.loop_start),
                _ => None,
            };
            let (run, indices) = replay(model, view, &indices);
            Some(Found {
                verdict,
                kind,
                run,
                encoded: encode(&indices),
                loop_start,
            })
        })
        .collect();
    // Refinements: the path to the first edge that maps to no spec step.
    found.extend(g.refinement_failures.iter().map(|failure| {
        let indices = match failure.as_ref()? {
            RefinementFailure::Init(id) => g.action_indices(*id),
            RefinementFailure::Step { from, action } => {
                let mut indices = g.action_indices(*from);
                indices.push(*action as usize);
                indices
            }
        };
        let (run, indices) = replay(model, view, &indices);
        Some(Found {
            verdict: Verdict::Violated,
            kind: CounterexampleKind::Refinement,
            run,
            encoded: encode(&indices),
            loop_start: None,
        })
    }));
    let refinements: Vec<String> = analyses
        .refinements
        .iter()
        .map(|r| r.name.clone())
        .collect();
    let counts = Counts {
        states: g.generated,
        unique_states: g.unique_states(),
        max_depth: g.max_depth,
        complete: g.complete,
    };
    let mut summary = assemble(model, opts, threads, counts, &refinements, found, seconds);
    if let (Some(decision), Some(edges), Some(decided)) = (&analyses.decision, &g.edges, &g.decided)
    {
        let inits = g.init_count();
        let v = crate::valence::analyse(edges, decided, &g.cut, inits, opts.fairness);
        let names = |bits: u64| -> Vec<String> {
            decision
                .names
                .iter()
                .enumerate()
                .filter(|(k, _)| bits & (1 << k) != 0)
                .map(|(_, name)| name.clone())
                .collect()
        };
        let forever = v.forever.map(|lasso| {
            let (run, indices) = replay(model, view, &g.lasso_indices(&lasso));
            let (steps, final_states) = model.describe_run(&run);
            Counterexample {
                kind: CounterexampleKind::Lasso,
                path: encode(&indices),
                actors: model.lanes(),
                steps,
                loop_start: Some(lasso.loop_start),
                final_states,
            }
        });
        summary.valence = Some(ValenceSummary {
            values: decision.names.clone(),
            initial: (0..inits).map(|s| names(v.reachable[s])).collect(),
            bivalent_initial: (0..inits).filter(|&s| v.bivalent[s]).count(),
            bivalent_states: v.bivalent.iter().filter(|&&b| b).count(),
            complete: g.complete && !g.cut.contains(&true),
            bivalent_forever: forever,
        });
    }
    summary
}

/// A run: (state, action taken from it), the last action `None`.
type Run<M> = Vec<(<M as Model>::State, Option<<M as Model>::Action>)>;

/// What an engine found for one property.
struct Found<M: Model> {
    verdict: Verdict,
    kind: CounterexampleKind,
    /// The run, concrete: (state, action taken from it).
    run: Run<M>,
    /// The path's action-index encoding, for the explorer.
    encoded: String,
    loop_start: Option<usize>,
}

/// How much an engine explored.
struct Counts {
    states: usize,
    unique_states: usize,
    max_depth: usize,
    complete: bool,
}

/// The summary of either engine: every property in declaration order, with
/// its counterexample as readable steps.
fn assemble<M>(
    model: &M,
    opts: &CheckOptions,
    threads: usize,
    counts: Counts,
    refinements: &[String],
    found: Vec<Option<Found<M>>>,
    seconds: f64,
) -> CheckSummary
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let lanes = model.lanes();
    let named = model
        .properties()
        .into_iter()
        .map(|p| (p.name.to_string(), PropertyKind::from(p.expectation)))
        .chain(
            refinements
                .iter()
                .map(|name| (name.clone(), PropertyKind::Refines)),
        );
    let properties = named
        .zip(found)
        .map(|((name, kind), found)| {
            let Some(found) = found else {
                return PropertyResult {
                    name,
                    kind,
                    verdict: kind.verdict_without_discovery(),
                    counterexample_kind: None,
                    loop_start: None,
                    counterexample: None,
                };
            };
            let (steps, final_states) = model.describe_run(&found.run);
            let liveness = kind == PropertyKind::Eventually;
            PropertyResult {
                name,
                kind,
                verdict: found.verdict,
                counterexample_kind: liveness.then_some(found.kind),
                loop_start: found.loop_start,
                counterexample: Some(Counterexample {
                    kind: found.kind,
                    path: found.encoded,
                    actors: lanes.clone(),
                    steps,
                    loop_start: found.loop_start,
                    final_states,
                }),
            }
        })
        .collect();
    CheckSummary {
        model: String::new(),
        variant: String::new(),
        config: serde_json::Value::Null,
        strategy: opts.strategy.name().to_string(),
        threads,
        fairness: opts.fairness,
        states: counts.states,
        unique_states: counts.unique_states,
        max_depth: counts.max_depth,
        complete: counts.complete,
        properties,
        valence: None,
        timing: Some(Timing {
            seconds,
            states_per_second: if seconds > 0.0 {
                counts.states as f64 / seconds
            } else {
                0.0
            },
        }),
    }
}

/// `0/3/1`: the init state's index, then each action's.
fn encode(indices: &[usize]) -> String {
    indices
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

/// Follows action indices from an initial state, as Stateright's explorer
/// does with the same encoding, and returns the run with the indices of
/// the concrete actions taken.
///
/// Under a view the indices are those of the explored (viewed) states; the
/// run shown is the concrete one: from each real state, the first action
/// whose successor has the same view as the explored step's. The view being
/// sound, one always exists.
fn replay<M>(model: &M, view: Option<&View<M>>, indices: &[usize]) -> (Run<M>, Vec<usize>)
where
    M: Model,
    M::State: Clone + PartialEq,
    M::Action: Clone + PartialEq,
{
    let actions_of = |s: &M::State| {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
    };
    let mut state = model.init_states()[indices[0]].clone();
    let mut run = Vec::with_capacity(indices.len());
    let mut concrete = vec![indices[0]];
    for &i in &indices[1..] {
        let (ci, action, next) = match view {
            None => {
                let action = actions_of(&state)[i].clone();
                let next = model
                    .next_state(&state, action.clone())
                    .expect("the explored edge exists");
                (i, action, next)
            }
            Some(view) => {
                let seen = view(&state);
                let target = model
                    .next_state(&seen, actions_of(&seen)[i].clone())
                    .map(|n| view(&n))
                    .expect("the explored edge exists");
                actions_of(&state)
                    .into_iter()
                    .enumerate()
                    .find_map(|(ci, a)| {
                        let next = model.next_state(&state, a.clone())?;
                        (view(&next) == target).then_some((ci, a, next))
                    })
                    .expect("the view is sound: a real step matches each explored step")
            }
        };
        concrete.push(ci);
        run.push((std::mem::replace(&mut state, next), Some(action)));
    }
    run.push((state, None));
    (run, concrete)
}

/// Waits for `checker`, reporting progress, then reads its discoveries.
fn summarise<M, C>(
    checker: C,
    opts: &CheckOptions,
    max_states: Option<usize>,
    start: Instant,
    refinements: &[String],
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe,
    M::State: Clone + Debug + Hash + PartialEq,
    M::Action: Clone + Debug + PartialEq,
    C: Checker<M>,
{
    let mut last_report = Instant::now();
    while !checker.is_done() {
        std::thread::sleep(Duration::from_millis(20));
        if last_report.elapsed() >= Duration::from_secs(1) {
            last_report = Instant::now();
            on_progress(&Progress {
                states: checker.state_count(),
                unique_states: checker.unique_state_count(),
                max_depth: checker.max_depth(),
                elapsed: start.elapsed(),
            });
        }
    }
    let checker = checker.join();
    let seconds = start.elapsed().as_secs_f64();

    let model = checker.model();
    let unique_states = checker.unique_state_count();
    let max_depth = checker.max_depth();
    let timed_out = opts.timeout.is_some_and(|t| start.elapsed() >= t);
    let complete = !matches!(opts.strategy, Strategy::Simulation { .. })
        && !timed_out
        && max_states.is_none_or(|n| unique_states < n)
        && opts.max_depth.is_none_or(|d| max_depth < d);

    let mut found: Vec<Option<Found<M>>> = model
        .properties()
        .into_iter()
        .map(|property| {
            let path = checker.discovery(property.name)?;
            let (verdict, kind) = match property.expectation {
                Expectation::Always => (Verdict::Violated, CounterexampleKind::Violation),
                Expectation::Sometimes => (Verdict::ExampleFound, CounterexampleKind::Example),
                // Stateright reports an `eventually` discovery at a
                // "terminal" state, which includes a state whose every
                // successor lies outside the boundary. Only a state with
                // no successor at all is a real end of a run.
                Expectation::Eventually if model.next_steps(path.last_state()).is_empty() => {
                    (Verdict::Violated, CounterexampleKind::Deadlock)
                }
                Expectation::Eventually => (Verdict::Inconclusive, CounterexampleKind::Bounded),
            };
            let encoded = path.encode(model);
            Some(Found {
                verdict,
                kind,
                run: path.into_vec(),
                encoded,
                loop_start: None,
            })
        })
        .collect();
    found.extend(refinements.iter().map(|_| None));
    let counts = Counts {
        states: checker.state_count(),
        unique_states,
        max_depth,
        complete,
    };
    let mut summary = assemble(
        model,
        opts,
        opts.threads.max(1),
        counts,
        refinements,
        found,
        seconds,
    );
    // Stateright's checkers keep no edges, so a refinement is not judged.
    for p in &mut summary.properties {
        if p.kind == PropertyKind::Refines {
            p.verdict = Verdict::Inconclusive;
        }
    }
    summary
}
