//! Running Stateright's checkers and turning their discoveries into a
//! [`CheckSummary`].

use crate::analyses::{Analyses, View};
use crate::describe::Describe;
use crate::graph::{self, Finding, Limit, Limits, RefinementFailure, Tick};
use crate::liveness::{Ending, Fairness, FairnessClasses, Stop};
use crate::simulation::Sighting;
use crate::summary::{
    CheckSummary, Counterexample, CounterexampleKind, PropertyKind, PropertyResult, SymmetryUse,
    Timing, ValenceSummary, Verdict,
};
use crate::symmetry::SymmetryMode;
use stateright::{Checker, Expectation, Model};
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
    /// Stop the own BFS when the process's resident memory reaches this
    /// many bytes (the verdicts are then inconclusive).
    pub max_memory: Option<u64>,
    /// Which infinite runs count against `eventually` (own BFS only).
    pub fairness: Fairness,
    /// Whether to reduce by the model's declared symmetry (own BFS only).
    pub symmetry: SymmetryMode,
    /// Keep the states of the counterexamples, for an ITF export
    /// ([`crate::itf`]). The search itself ignores it: the caller that
    /// knows the model's states serialise replays the paths afterwards
    /// ([`crate::itf::fill`]); the workbench's registry does.
    pub itf: bool,
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
            max_memory: None,
            fairness: Fairness::Weak,
            symmetry: SymmetryMode::Auto,
            itf: false,
        }
    }
}

/// A simulation takes this many steps in all, unless `--max-states` says
/// otherwise (or `--timeout` stops it first).
pub const DEFAULT_SIMULATION_STATES: usize = 100_000;

/// What a long check reports while it runs.
#[derive(Clone, Debug)]
pub struct Progress {
    pub states: usize,
    pub unique_states: usize,
    pub max_depth: usize,
    pub elapsed: Duration,
    /// The process's resident memory, where the system tells it.
    pub resident_bytes: Option<u64>,
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
    let (analyses, symmetry) = with_symmetry(&model, analyses, opts);
    let with_use = |mut summary: CheckSummary| {
        if symmetry.as_ref().is_some_and(|u| u.applied) {
            unjudge_lassos(&mut summary);
        }
        summary.symmetry = symmetry.clone();
        summary
    };
    match opts.strategy {
        Strategy::Bfs => {
            let reduced = symmetry.as_ref().is_some_and(|u| u.applied);
            let summary = bfs(
                &model,
                &analyses,
                opts,
                reduced,
                Instant::now(),
                on_progress,
            );
            return with_use(summary);
        }
        Strategy::Simulation { seed } => {
            return with_use(simulation(&model, &analyses, opts, seed, on_progress));
        }
        Strategy::Dfs => {}
    }
    let refinements = judged(&analyses);
    let mut builder = model.checker().threads(opts.threads.max(1));
    if let Some(depth) = opts.max_depth {
        builder = builder.target_max_depth(depth);
    }
    let max_states = opts.max_states;
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
        Strategy::Dfs => with_use(summarise(
            builder.spawn_dfs(),
            opts,
            max_states,
            start,
            &refinements,
            analyses.boundary.clone(),
            on_progress,
        )),
        Strategy::Simulation { .. } => unreachable!("handled above"),
    }
}

/// Under symmetry a loop of representatives need not be a fair loop of
/// the real system: the renaming that maps each state to its
/// representative may change along the loop, so an actor whose step the
/// loop never takes can look served by another actor's step (two-phase
/// commit's `lossy` scenario showed one: RM1's vote lost forever, judged
/// fair because RM3's vote, renamed, was delivered). A lasso found under
/// symmetry is therefore not shown; the verdict is inconclusive. A run
/// that stops is kept: whether it can go on is a property of one state,
/// which every renaming keeps.
fn unjudge_lassos(summary: &mut CheckSummary) {
    for p in &mut summary.properties {
        if p.verdict == Verdict::Violated
            && p.counterexample_kind == Some(CounterexampleKind::Lasso)
        {
            p.verdict = Verdict::Inconclusive;
            p.counterexample_kind = None;
            p.loop_start = None;
            p.counterexample = None;
            p.reason = Some(
                "a loop found among symmetry representatives need not be a fair run of the real system (check with --symmetry off)"
                    .into(),
            );
        }
    }
}

/// Decides whether the check reduces by the model's declared symmetry, and
/// if so folds the representative into the view (after the model's own):
/// the BFS then stores one state per orbit, and replays counterexamples on
/// concrete states as it does under any view. See [`crate::symmetry`] for
/// why `eventually` properties and valence are judged without it unless
/// it is forced.
fn with_symmetry<M: Model + 'static>(
    model: &M,
    mut analyses: Analyses<M>,
    opts: &CheckOptions,
) -> (Analyses<M>, Option<SymmetryUse>)
where
    M::State: 'static,
{
    let Some(symmetry) = analyses.symmetry.take() else {
        return (analyses, None);
    };
    let liveness = model
        .properties()
        .iter()
        .any(|p| p.expectation == Expectation::Eventually)
        || !analyses.leads_to.is_empty();
    let valence = analyses.decision.is_some();
    let unpreserved = match (liveness, valence) {
        (true, true) => Some("eventually (or leads-to) properties and valence"),
        (true, false) => Some("eventually (or leads-to) properties"),
        (false, true) => Some("valence"),
        (false, false) => None,
    };
    let (applied, note) = match (opts.strategy, opts.symmetry, unpreserved) {
        (_, SymmetryMode::Off, _) => (false, Some("--symmetry off".to_string())),
        (Strategy::Dfs | Strategy::Simulation { .. }, _, _) => (
            false,
            Some("only the BFS reduces by symmetry".to_string()),
        ),
        (_, SymmetryMode::Auto, Some(what)) => (
            false,
            Some(format!(
                "off: this check judges {what}, which the reduction does not preserve (--symmetry on forces it)"
            )),
        ),
        (_, SymmetryMode::On, Some(_)) => {
            let mut note = Vec::new();
            if liveness {
                note.push("forced: an eventually (or leads-to) property is shown violated only by a run that stops, never by a loop, never shown to hold");
            } else {
                note.push("forced");
            }
            if valence {
                note.push("no valence analysis");
            }
            (true, Some(note.join("; ")))
        }
        (_, _, None) => (true, None),
    };
    if applied {
        if valence {
            // A bivalent fair run is a liveness question: not under symmetry.
            analyses.decision = None;
        }
        let representative = symmetry.representative;
        analyses.view = Some(match analyses.view.take() {
            Some(view) => Box::new(move |s: &M::State| representative(&view(s))),
            None => representative,
        });
    }
    let used = SymmetryUse {
        what: symmetry.what,
        applied,
        note,
    };
    (analyses, Some(used))
}

/// The workbench's own random walks ([`crate::simulation`]): never
/// complete, so nothing it does not find is shown; what it finds (a
/// violation, an example, a run that stops or a fair loop on which an
/// `eventually` property never holds, a step no spec allows) is real.
fn simulation<M>(
    model: &M,
    analyses: &Analyses<M>,
    opts: &CheckOptions,
    seed: u64,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe + FairnessClasses,
    M::State: Clone + Debug + Hash + PartialEq,
    M::Action: Clone + Debug + PartialEq,
{
    let start = Instant::now();
    let max_states = opts.max_states.unwrap_or(DEFAULT_SIMULATION_STATES);
    let sim = crate::simulation::simulate(
        model,
        analyses,
        seed,
        opts.fairness,
        max_states,
        opts.max_depth,
        opts.timeout,
        &mut |states, unique_states, max_depth| {
            on_progress(&Progress {
                states,
                unique_states,
                max_depth,
                elapsed: start.elapsed(),
                resident_bytes: crate::graph::resident_bytes(),
            })
        },
    );
    let seconds = start.elapsed().as_secs_f64();
    let found_at = |verdict, kind, indices: &[usize], loop_start| {
        let (run, _) = replay(model, None, indices);
        Some(Found {
            verdict,
            kind,
            run,
            encoded: encode(indices),
            loop_start,
        })
    };
    let mut found: Vec<Option<Found<M>>> = sim
        .sightings
        .iter()
        .zip(model.properties())
        .map(|(sighting, property)| match sighting.as_ref()? {
            Sighting::Witness(path) if property.expectation == Expectation::Always => {
                found_at(Verdict::Violated, CounterexampleKind::Violation, path, None)
            }
            Sighting::Witness(path) => found_at(
                Verdict::ExampleFound,
                CounterexampleKind::Example,
                path,
                None,
            ),
            Sighting::Stops(path, stop) => found_at(
                Verdict::Violated,
                match stop {
                    Stop::Deadlock => CounterexampleKind::Deadlock,
                    Stop::Stutter => CounterexampleKind::Stutter,
                },
                path,
                None,
            ),
            Sighting::Lasso(path, k) => {
                found_at(Verdict::Violated, CounterexampleKind::Lasso, path, Some(*k))
            }
        })
        .collect();
    found.extend(analyses.leads_to.iter().map(|_| None));
    found.extend(sim.refinement_failures.iter().map(|failure| {
        found_at(
            Verdict::Violated,
            CounterexampleKind::Refinement,
            failure.as_deref()?,
            None,
        )
    }));
    let refinements = judged(analyses);
    let counts = Counts {
        states: sim.states,
        unique_states: sim.unique_states,
        max_depth: sim.max_depth,
        complete: false,
        cut_off_by: vec![format!(
            "a simulation follows random runs ({} walks from seed {seed}); it never covers the whole space",
            sim.walks
        )],
        horizon: None,
        seconds,
    };
    let unjudged = |kind: PropertyKind, cut: &[String]| match kind {
        PropertyKind::LeadsTo => Some(
            "not judged: a simulation does not look for leads-to runs; use --strategy bfs"
                .to_string(),
        ),
        _ => Some(not_shown(kind, cut)),
    };
    assemble(
        model,
        opts,
        opts.threads.max(1),
        counts,
        &refinements,
        found,
        &unjudged,
    )
}

/// The workbench's own BFS ([`crate::graph`]): shortest counterexamples, the
/// same for any thread count, and `eventually` judged over the graph.
fn bfs<M>(
    model: &M,
    analyses: &Analyses<M>,
    opts: &CheckOptions,
    reduced: bool,
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
        max_memory: opts.max_memory,
        fairness: opts.fairness,
    };
    let threads = opts.threads.max(1);
    let mut tick = |t: &Tick| {
        on_progress(&Progress {
            states: t.generated,
            unique_states: t.unique,
            max_depth: t.depth,
            elapsed: t.elapsed,
            resident_bytes: t.resident_bytes,
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
    let expectations = model
        .properties()
        .into_iter()
        .map(|p| Some(p.expectation))
        .chain(analyses.leads_to.iter().map(|_| None));
    let mut found: Vec<Option<Found<M>>> = g
        .findings
        .iter()
        .chain(&g.leads_to_findings)
        .zip(expectations)
        .map(|(finding, expectation)| {
            let (verdict, kind, indices) = match finding.as_ref()? {
                Finding::Witness(id) if expectation == Some(Expectation::Always) => (
                    Verdict::Violated,
                    CounterexampleKind::Violation,
                    g.action_indices(*id),
                ),
                Finding::Witness(id) => (
                    Verdict::ExampleFound,
                    CounterexampleKind::Example,
                    g.action_indices(*id),
                ),
                Finding::Stops(trail, stop) => (
                    Verdict::Violated,
                    match stop {
                        Stop::Deadlock => CounterexampleKind::Deadlock,
                        Stop::Stutter => CounterexampleKind::Stutter,
                    },
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
    let refinements = judged(analyses);
    let mut cut_off_by = Vec::new();
    if let Some(limit) = g.stopped_by {
        cut_off_by.push(limit_words(limit, opts));
    }
    if g.boundary_cut {
        cut_off_by.push(boundary_words(analyses));
    }
    let counts = Counts {
        states: g.generated,
        unique_states: g.unique_states(),
        max_depth: g.max_depth,
        complete: g.complete,
        cut_off_by,
        horizon: g
            .horizon_reached
            .then(|| analyses.horizon.as_ref().map(|h| h.words.clone()))
            .flatten(),
        seconds,
    };
    // What the BFS leaves undecided: only what a cut-off part could change.
    // An `eventually` property is judged on the states from which it can
    // still fail; if none of them was cut off, its verdict stands (a cut
    // one gives a `bounded` finding instead).
    // Under symmetry reduction a fair loop found among representatives is
    // real, but finding none shows nothing (see `crate::symmetry`).
    let unjudged = |kind: PropertyKind, cut: &[String]| {
        match kind {
        PropertyKind::Eventually | PropertyKind::LeadsTo if reduced => Some(
            "no fair counterexample among the orbits' representatives, which does not show there is none: \
             fairness names actors and the reduction renames them (--symmetry off decides it)"
                .to_string(),
        ),
        _ if cut.is_empty() => None,
        PropertyKind::Eventually => None,
        // A leads-to may fail from a state where P holds in the part not
        // explored, so a cut search shows nothing about it.
        _ => Some(not_shown(kind, cut)),
    }
    };
    let mut summary = assemble(model, opts, threads, counts, &refinements, found, &unjudged);
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
        let forever = v.forever.and_then(|ending| {
            let (kind, indices, loop_start) = match &ending {
                Ending::Lasso(lasso) => (
                    CounterexampleKind::Lasso,
                    g.lasso_indices(lasso),
                    Some(lasso.loop_start),
                ),
                Ending::Stops(trail, Stop::Deadlock) => {
                    (CounterexampleKind::Deadlock, g.trail_indices(trail), None)
                }
                Ending::Stops(trail, Stop::Stutter) => {
                    (CounterexampleKind::Stutter, g.trail_indices(trail), None)
                }
                Ending::Bounded(_) => return None,
            };
            let (run, indices) = replay(model, view, &indices);
            let (steps, final_states) = model.describe_run(&run);
            Some(Counterexample {
                kind,
                path: encode(&indices),
                actors: model.lanes(),
                steps,
                loop_start,
                final_states,
            })
        });
        summary.valence = Some(ValenceSummary {
            values: decision.names.clone(),
            initial: (0..inits).map(|s| names(v.reachable[s])).collect(),
            bivalent_initial: (0..inits).filter(|&s| v.bivalent[s]).count(),
            bivalent_states: v.bivalent.iter().filter(|&&b| b).count(),
            complete: g.complete,
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
    cut_off_by: Vec<String>,
    /// The model's horizon, if a state reached it: it cuts `eventually`
    /// runs only.
    horizon: Option<String>,
    seconds: f64,
}

/// A property the analyses declare: its name, its kind, and why no engine
/// judges it, if none does.
type Judged = (String, PropertyKind, Option<String>);

/// The analyses' properties, judged after the model's own: every leads-to,
/// then every refinement (with why it is not judged if it is not).
fn judged<M: Model>(analyses: &Analyses<M>) -> Vec<Judged> {
    let leads_to = analyses
        .leads_to
        .iter()
        .map(|l| (l.name.clone(), PropertyKind::LeadsTo, None));
    let refinements = analyses.refinements.iter().map(|r| {
        let why = r.unjudged.as_ref().map(|why| format!("not judged: {why}"));
        (r.name.clone(), PropertyKind::Refines, why)
    });
    leads_to.chain(refinements).collect()
}

/// Why a property without a finding is not decided, given what cut the
/// search short (`None`: its verdict stands).
type Unjudged<'a> = dyn Fn(PropertyKind, &[String]) -> Option<String> + 'a;

/// "not violated in the part explored; --timeout 2 s reached".
fn not_shown(kind: PropertyKind, cut: &[String]) -> String {
    let what = match kind {
        PropertyKind::Sometimes => "no example",
        _ => "not violated",
    };
    format!("{what} in the part explored; {}", cut.join("; "))
}

/// A limit that stopped the search, as the user set it.
fn limit_words(limit: Limit, opts: &CheckOptions) -> String {
    match limit {
        Limit::MaxDepth => format!("--max-depth {} reached", opts.max_depth.unwrap_or_default()),
        Limit::MaxStates => format!(
            "--max-states {} reached",
            opts.max_states.unwrap_or_default()
        ),
        Limit::Timeout => format!(
            "--timeout {} s reached",
            opts.timeout.unwrap_or_default().as_secs()
        ),
        Limit::MaxMemory => format!(
            "--max-memory {} MiB reached",
            opts.max_memory.unwrap_or_default() / (1024 * 1024)
        ),
    }
}

/// The model's bound, in its own words.
fn boundary_words<M: Model>(analyses: &Analyses<M>) -> String {
    match &analyses.boundary {
        Some(words) => format!("the model's bound cut it off ({words})"),
        None => "the model's bound cut it off".to_string(),
    }
}

/// The summary of either engine: every property in declaration order, with
/// its counterexample as readable steps.
fn assemble<M>(
    model: &M,
    opts: &CheckOptions,
    threads: usize,
    counts: Counts,
    refinements: &[Judged],
    found: Vec<Option<Found<M>>>,
    unjudged: &Unjudged<'_>,
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
        .map(|p| (p.name.to_string(), PropertyKind::from(p.expectation), None))
        .chain(refinements.iter().cloned());
    let properties = named
        .zip(found)
        .map(|((name, kind, not_judged), found)| {
            let Some(found) = found else {
                let reason = not_judged.or_else(|| unjudged(kind, &counts.cut_off_by));
                return PropertyResult {
                    name,
                    kind,
                    verdict: match reason {
                        Some(_) => Verdict::Inconclusive,
                        None => kind.verdict_without_discovery(),
                    },
                    counterexample_kind: None,
                    loop_start: None,
                    reason,
                    counterexample: None,
                };
            };
            let (steps, final_states) = model.describe_run(&found.run);
            let liveness = kind.is_liveness();
            PropertyResult {
                name,
                kind,
                verdict: found.verdict,
                counterexample_kind: liveness.then_some(found.kind),
                loop_start: found.loop_start,
                reason: (found.kind == CounterexampleKind::Bounded).then(|| {
                    let mut why = "a run on which it never holds reaches a state whose future was not explored".to_string();
                    for cut in &counts.cut_off_by {
                        why.push_str("; ");
                        why.push_str(cut);
                    }
                    if let Some(words) = &counts.horizon {
                        why.push_str(&format!("; the model's workload bound ends runs there ({words})"));
                    }
                    why
                }),
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
        cut_off_by: counts.cut_off_by,
        properties,
        valence: None,
        symmetry: None,
        itf_states: Vec::new(),
        timing: Some(Timing {
            seconds: counts.seconds,
            states_per_second: if counts.seconds > 0.0 {
                counts.states as f64 / counts.seconds
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
/// sound, one always exists. A step from a view to itself (a timer that
/// sends again what is still in flight) is shown as the explored action
/// itself where the real state has it: any stutter matches such a step,
/// and the first in Stateright's order, a loss of some dead message, would
/// show a step the checker never took (and, in a lasso's loop, one that
/// fairness does not demand).
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
                let explored = actions_of(&seen)[i].clone();
                let target = model
                    .next_state(&seen, explored.clone())
                    .map(|n| view(&n))
                    .expect("the explored edge exists");
                let real = actions_of(&state);
                let leads = |ci: usize| {
                    let next = model.next_state(&state, real[ci].clone())?;
                    (view(&next) == target).then(|| (ci, real[ci].clone(), next))
                };
                let itself = (target == seen)
                    .then(|| real.iter().position(|a| *a == explored))
                    .flatten();
                itself
                    .and_then(leads)
                    .or_else(|| (0..real.len()).find_map(leads))
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
///
/// Stateright's DFS and simulation keep no graph: an `eventually` property
/// is judged only on runs that end (a lasso is invisible to them), and a
/// refinement is not judged at all; both say so rather than "holds".
fn summarise<M, C>(
    checker: C,
    opts: &CheckOptions,
    max_states: Option<usize>,
    start: Instant,
    refinements: &[Judged],
    boundary: Option<String>,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    M: Model + Describe + FairnessClasses,
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
                resident_bytes: crate::graph::resident_bytes(),
            });
        }
    }
    let checker = checker.join();
    let seconds = start.elapsed().as_secs_f64();

    let model = checker.model();
    let unique_states = checker.unique_state_count();
    let max_depth = checker.max_depth();
    let timed_out = opts.timeout.is_some_and(|t| start.elapsed() >= t);
    let mut cut_off_by = Vec::new();
    if timed_out {
        cut_off_by.push(limit_words(Limit::Timeout, opts));
    }
    if max_states.is_some_and(|n| unique_states >= n) {
        cut_off_by.push(limit_words(Limit::MaxStates, opts));
    }
    if opts.max_depth.is_some_and(|d| max_depth >= d) {
        cut_off_by.push(limit_words(Limit::MaxDepth, opts));
    }
    // Stateright's DFS does not tell whether the boundary kept a state out;
    // a model that declares one may have been cut.
    if let Some(words) = boundary {
        cut_off_by.push(format!("the model's bound may have cut it off ({words})"));
    }
    let complete = cut_off_by.is_empty();

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
                // successor lies outside the boundary. Only a state where a
                // fair run may stop is a real end of one.
                Expectation::Eventually => {
                    let fair = model
                        .next_steps(path.last_state())
                        .into_iter()
                        .map(|(a, _)| model.fairness_class(&a).is_some());
                    match crate::liveness::stop_among(fair, opts.fairness) {
                        Some(Stop::Deadlock) => (Verdict::Violated, CounterexampleKind::Deadlock),
                        Some(Stop::Stutter) => (Verdict::Violated, CounterexampleKind::Stutter),
                        None => (Verdict::Inconclusive, CounterexampleKind::Bounded),
                    }
                }
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
    let strategy = opts.strategy.name();
    let unjudged = |kind: PropertyKind, cut: &[String]| {
        match kind {
        PropertyKind::Eventually => Some(format!(
            "{strategy} judges only runs that end; a fair run that loops forever (a lasso) is invisible to it: use --strategy bfs"
        )),
        PropertyKind::LeadsTo => Some(format!(
            "not judged: {strategy} keeps no edges to follow a run on from where P holds; use --strategy bfs"
        )),
        PropertyKind::Refines => Some(format!(
            "not judged: {strategy} keeps no edges to check steps against the spec; use --strategy bfs"
        )),
        _ if cut.is_empty() => None,
        _ => Some(not_shown(kind, cut)),
    }
    };
    let counts = Counts {
        states: checker.state_count(),
        unique_states,
        max_depth,
        complete,
        cut_off_by,
        horizon: None,
        seconds,
    };
    assemble(
        model,
        opts,
        opts.threads.max(1),
        counts,
        refinements,
        found,
        &unjudged,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::LeadsTo;
    use crate::summary::{Step, StepKind};
    use stateright::Property;

    /// A graph of small numbers: each edge an action, of its own fair class.
    struct Toy {
        edges: Vec<(u8, u8)>,
    }

    impl Model for Toy {
        type State = u8;
        type Action = (u8, u8);
        fn init_states(&self) -> Vec<u8> {
            vec![0]
        }
        fn actions(&self, s: &u8, actions: &mut Vec<(u8, u8)>) {
            actions.extend(self.edges.iter().filter(|(from, _)| from == s));
        }
        fn next_state(&self, _: &u8, (_, to): (u8, u8)) -> Option<u8> {
            Some(to)
        }
        fn properties(&self) -> Vec<Property<Self>> {
            vec![Property::sometimes("reaches 2", |_, s| *s == 2)]
        }
    }

    impl Describe for Toy {
        fn lanes(&self) -> Vec<String> {
            vec!["toy".into()]
        }
        fn describe_step(&self, _: &u8, (from, to): &(u8, u8), _: &u8) -> Step {
            Step {
                kind: StepKind::Action,
                actor: 0,
                from: None,
                label: format!("{from} -> {to}"),
                changes: Vec::new(),
            }
        }
        fn describe_state(&self, s: &u8) -> Vec<String> {
            vec![s.to_string()]
        }
    }

    impl FairnessClasses for Toy {
        fn fairness_class(&self, &(from, to): &(u8, u8)) -> Option<u64> {
            Some(u64::from(from) << 8 | u64::from(to))
        }
    }

    /// 0 idles, or requests (1); a request is granted (2), then done (0).
    const GRANTED: [(u8, u8); 4] = [(0, 0), (0, 1), (1, 2), (2, 0)];

    /// "requested ~> granted" on `edges`, with `p` as the request.
    fn check_toy(edges: &[(u8, u8)], p: fn(&u8) -> bool, opts: &CheckOptions) -> CheckSummary {
        let model = Toy {
            edges: edges.to_vec(),
        };
        let analyses = Analyses {
            leads_to: vec![LeadsTo::new("requested ~> granted", p, |s: &u8| *s == 2)],
            ..Analyses::none()
        };
        let mut summary = check_with(model, analyses, opts, &mut |_| {});
        summary.timing = None;
        summary
    }

    fn requested(s: &u8) -> bool {
        *s == 1
    }

    #[test]
    fn leads_to_holds_when_every_request_is_granted() {
        // The idle loop at 0 never requests: eventually "granted" would
        // fail on it, but a leads-to asks nothing of a run without P.
        let s = check_toy(&GRANTED, requested, &CheckOptions::default());
        let r = s.property("requested ~> granted").unwrap();
        assert_eq!(r.kind, PropertyKind::LeadsTo);
        assert_eq!(r.verdict, Verdict::Holds, "{r:?}");
        assert!(r.counterexample.is_none());
        assert_eq!(s.unique_states, 3);
    }

    #[test]
    fn leads_to_is_violated_by_a_fair_lasso_after_p() {
        // 1 may also go to 3 and back: cycling 1 -> 3 -> 1 never grants,
        // and is weakly fair (the grant is not enabled at 3).
        let edges = [GRANTED.as_slice(), &[(1, 3), (3, 1)]].concat();
        let runs: Vec<CheckSummary> = [1, 2]
            .into_iter()
            .map(|threads| {
                let opts = CheckOptions {
                    threads,
                    ..CheckOptions::default()
                };
                check_toy(&edges, requested, &opts)
            })
            .collect();
        let r = runs[0].property("requested ~> granted").unwrap();
        assert_eq!(r.verdict, Verdict::Violated);
        assert_eq!(r.counterexample_kind, Some(CounterexampleKind::Lasso));
        let ce = r.counterexample.as_ref().unwrap();
        let labels: Vec<&str> = ce.steps.iter().map(|s| s.label.as_str()).collect();
        // The prefix to P (one step), then the loop through not-Q states.
        assert_eq!(labels, ["0 -> 1", "1 -> 3", "3 -> 1"]);
        assert_eq!(r.loop_start, Some(1));
        assert_eq!(ce.loop_start, Some(1));
        // The same verdict and counterexample for any thread count.
        assert_eq!(runs[0].properties, runs[1].properties);
        assert_eq!(runs[0].unique_states, runs[1].unique_states);
        // Strong fairness demands the grant, enabled infinitely often.
        let strong = CheckOptions {
            fairness: Fairness::Strong,
            ..CheckOptions::default()
        };
        let s = check_toy(&edges, requested, &strong);
        assert_eq!(
            s.property("requested ~> granted").unwrap().verdict,
            Verdict::Holds
        );
    }

    #[test]
    fn leads_to_is_violated_by_a_run_that_stops_after_p() {
        // 1 may also go to 4, which has no step: the run stops ungranted.
        let edges = [GRANTED.as_slice(), &[(1, 4)]].concat();
        let s = check_toy(&edges, requested, &CheckOptions::default());
        let r = s.property("requested ~> granted").unwrap();
        assert_eq!(r.verdict, Verdict::Violated);
        assert_eq!(r.counterexample_kind, Some(CounterexampleKind::Deadlock));
        let ce = r.counterexample.as_ref().unwrap();
        assert_eq!(ce.steps.len(), 2);
        assert_eq!(ce.final_states, ["4"]);
    }

    #[test]
    fn leads_to_holds_vacuously_when_p_never_holds() {
        // The lasso 1 -> 3 -> 1 is there, but no state has P.
        let edges = [GRANTED.as_slice(), &[(1, 3), (3, 1)]].concat();
        let s = check_toy(&edges, |s| *s == 9, &CheckOptions::default());
        let r = s.property("requested ~> granted").unwrap();
        assert_eq!(r.verdict, Verdict::Holds, "{r:?}");
    }

    #[test]
    fn leads_to_is_never_shown_by_a_cut_search_or_an_engine_without_a_graph() {
        // Cut off before the violation: not "holds".
        let edges = [GRANTED.as_slice(), &[(1, 3), (3, 1)]].concat();
        let cut = CheckOptions {
            max_depth: Some(1),
            ..CheckOptions::default()
        };
        let r = check_toy(&edges, requested, &cut);
        let r = r.property("requested ~> granted").unwrap();
        assert_eq!(r.verdict, Verdict::Inconclusive, "{r:?}");
        // A cut search that found no P at all: P (here 3) may lie beyond
        // the cut.
        let r = check_toy(&edges, |s| *s == 3, &cut);
        let r = r.property("requested ~> granted").unwrap();
        assert_eq!(r.verdict, Verdict::Inconclusive, "{r:?}");
        for strategy in [Strategy::Dfs, Strategy::Simulation { seed: 1 }] {
            let opts = CheckOptions {
                strategy,
                max_states: Some(100),
                ..CheckOptions::default()
            };
            let s = check_toy(&edges, requested, &opts);
            let r = s.property("requested ~> granted").unwrap();
            assert_eq!(r.verdict, Verdict::Inconclusive, "{strategy:?}");
            assert!(
                r.reason
                    .as_deref()
                    .unwrap_or_default()
                    .contains("not judged"),
                "{r:?}"
            );
        }
    }
}
