//! Running Stateright's checkers and turning their discoveries into a
//! [`CheckSummary`].

use crate::describe::Describe;
use crate::summary::{
    CheckSummary, Counterexample, CounterexampleKind, PropertyKind, PropertyResult, Timing,
    Verdict,
};
use stateright::{Checker, Model, UniformChooser};
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
    M: Model + Describe + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
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
        Strategy::Bfs => summarise(builder.spawn_bfs(), opts, max_states, start, on_progress),
        Strategy::Dfs => summarise(builder.spawn_dfs(), opts, max_states, start, on_progress),
        Strategy::Simulation { seed } => summarise(
            builder.spawn_simulation(seed, UniformChooser),
            opts,
            max_states,
            start,
            on_progress,
        ),
    }
}

/// Waits for `checker`, reporting progress, then reads its discoveries.
fn summarise<M, C>(
    checker: C,
    opts: &CheckOptions,
    max_states: Option<usize>,
    start: Instant,
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

    let lanes = model.lanes();
    let properties = model
        .properties()
        .into_iter()
        .map(|property| {
            let kind = PropertyKind::from(property.expectation);
            let Some(path) = checker.discovery(property.name) else {
                return PropertyResult {
                    name: property.name.to_string(),
                    kind,
                    verdict: kind.verdict_without_discovery(),
                    counterexample: None,
                };
            };
            let (verdict, ce_kind) = match kind {
                PropertyKind::Always => (Verdict::Violated, CounterexampleKind::Violation),
                PropertyKind::Sometimes => (Verdict::ExampleFound, CounterexampleKind::Example),
                PropertyKind::Eventually => {
                    // Stateright reports an `eventually` discovery at a
                    // "terminal" state, which includes a state whose every
                    // successor lies outside the boundary. Only a state with
                    // no successor at all is a real end of a run.
                    if model.next_steps(path.last_state()).is_empty() {
                        (Verdict::Violated, CounterexampleKind::Deadlock)
                    } else {
                        (Verdict::Inconclusive, CounterexampleKind::Bounded)
                    }
                }
            };
            let (steps, final_states) = model.describe_path(&path);
            PropertyResult {
                name: property.name.to_string(),
                kind,
                verdict,
                counterexample: Some(Counterexample {
                    kind: ce_kind,
                    path: path.encode(model),
                    actors: lanes.clone(),
                    steps,
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
        threads: opts.threads.max(1),
        states: checker.state_count(),
        unique_states,
        max_depth,
        complete,
        properties,
        timing: Some(Timing {
            seconds,
            states_per_second: if seconds > 0.0 {
                checker.state_count() as f64 / seconds
            } else {
                0.0
            },
        }),
    }
}
