//! `dsw run swim`: the members over UDP on loopback, the last one killed a
//! few periods in, and the times until it is first suspected and until
//! every live member declares it failed, over one seed or several
//! (`--seeds K`), set beside §3.1's expected detection time; and, under
//! `--loss`, how often a live member is declared failed (a false positive).
//!
//! The runtime cannot kill a node, so the victim kills itself (a timer that
//! only real runs set) and handles nothing after. Times are sampled from
//! the members' published states every few milliseconds, a resolution well
//! under the protocol period.
//!
//! [`trial`] and the predictions are public for the measurement that writes
//! `reports-data/swim-*.json` (`models/examples/swim_detection.rs`).
//!
//! Why the measured first suspicion lies above §3.1's prediction (by 0.1
//! to 0.6 periods at 3-8 members, 16 runs each; BENCHMARKS.md has the
//! figures): [`Timeline`] rebuilds each first suspicion from the event log
//! in §3.1's terms, and the gap splits into three parts. Measuring adds
//! nothing (sampling the published states and reading the log agree within
//! 0.015 periods), and neither do the ping timeout, the ping-req round or
//! the suspicion timeout (the first suspicion is the end of the first
//! period that pinged the victim; declaring failed comes later). The period
//! grid adds about 0.2 periods on a loaded machine: each period is timed
//! from when the last one's timer fired, a few ms late, so periods last
//! 1.07-1.10 of `PERIOD`, and the kill falls 0.58-0.65 of a period before
//! a member's next period rather than 0.5 (a longer period is likelier to
//! contain it); §3.1's model fed with each run's offsets and period length
//! ([`Timeline::expected_given_offsets`]) accounts for that part. What is
//! left is the targets drawn, within the ±0.2 sampling error of a 16-run
//! mean, and the share of periods that pinged the victim matches
//! 1/(n - 1).

use super::{Member, Selection, Status, SwimCfg, SwimState};
use crate::registry::{Config, Params, RunOptions, RunReport};
use crate::runner::VALIDATED;
use crate::validate::{validate, NetworkKind, Validation};
use runtime::{self, EventKind, RunConfig};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The protocol period T' of real runs (the checker ignores time).
pub const PERIOD: Duration = Duration::from_millis(100);

/// When the victim is killed: after the group has run a few periods.
const KILL_AFTER: Duration = Duration::from_millis(500);

/// How one run is set up.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Kill the last member after [`KILL_AFTER`] and stop once every live
    /// member declares it failed; otherwise kill nobody and stop at the
    /// first false positive.
    pub kill: bool,
    /// The run's limit.
    pub duration: Duration,
    pub loss: f64,
    pub duplicate: f64,
    pub seed: u64,
    /// Hostile datagrams to send the members (`dsw run --fuzz`).
    pub fuzz: u64,
}

/// What one run measured. Times are in protocol periods: after the kill for
/// detection, after the start for a false positive.
#[derive(Clone, Debug, Default)]
pub struct Trial {
    pub seed: u64,
    /// Members, and the victim (the last one).
    pub members: usize,
    /// When the victim was killed, since the start.
    pub killed: Option<Duration>,
    /// Some live member first held the victim suspected (or failed).
    pub first_suspected: Option<f64>,
    /// Some live member first declared the victim failed.
    pub first_declared: Option<f64>,
    /// Every live member declared the victim failed.
    pub all_declared: Option<f64>,
    /// Each live member declared the victim failed.
    pub declared: Vec<Option<f64>>,
    /// A member first declared a member that was up failed.
    pub false_positive: Option<f64>,
    /// Who declared whom failed while both were up, at the end.
    pub falsely_declared: Vec<String>,
    /// The run stopped because it saw what it waited for.
    pub finished: bool,
    pub sent: usize,
    pub received: usize,
    pub lost: usize,
    pub malformed: usize,
    pub seconds: f64,
    /// Each member's last state.
    pub states: Vec<String>,
    /// From the event log: what the first suspicion is made of (kill runs).
    pub timeline: Option<Timeline>,
    /// The run's trace (`dsw run --trace`).
    pub trace: Vec<runtime::trace::TraceEvent>,
    /// The run replayed through the model ([`crate::validate`]).
    pub validation: Validation,
    /// What the fuzzer sent, with [`Setup::fuzz`].
    pub fuzz: Option<runtime::fuzz::FuzzReport>,
}

/// The first suspicion rebuilt from the run's event log, in the terms of
/// §3.1's analysis: each live member's periods after the kill, and whom it
/// pinged in each. Times are in periods after the victim's `Kill` timer.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Per live member, when its first period after the kill began (§3.1's
    /// analysis with unsynchronised periods: uniform in [0, 1)).
    pub offsets: Vec<f64>,
    /// Per live member, the end of the first period after the kill in which
    /// it pinged the victim: when its own probe suspects it.
    pub own_suspicion: Vec<Option<f64>>,
    /// Periods of live members begun after the kill and less than a
    /// period after the first suspicion (so nobody had declared the victim
    /// failed, and it was a candidate in each), and how many of them pinged
    /// the victim: §3.1's 1/(n - 1) per period. Whether a period counts is
    /// settled before its target is drawn, so the share is unbiased.
    pub periods: usize,
    pub picked_victim: usize,
    /// The mean length of the live members' periods after the kill, in
    /// protocol periods (a timer fires a little late, and the next period
    /// is timed from when it fired).
    pub period_length: f64,
}

impl Timeline {
    /// The first suspicion as the log has it: the earliest end of a period
    /// that pinged the victim.
    pub fn first(&self) -> Option<f64> {
        self.own_suspicion
            .iter()
            .flatten()
            .copied()
            .reduce(f64::min)
    }

    /// §3.1's expected first detection given this run's offsets and
    /// period length `L`: member i suspects at `offsets[i] + L·G_i`
    /// periods, `G_i` geometric from 1 with `p = 1/(n - 1)`; the expected
    /// minimum, by integrating the survival function. Its mean over runs
    /// differs from [`unsynchronised_first_detection`] only by the offsets
    /// drawn and the periods' length; what is left between it and the
    /// measured time is the targets drawn.
    pub fn expected_given_offsets(&self) -> f64 {
        let p = 1.0 / self.offsets.len() as f64;
        let length = if self.period_length > 0.0 {
            self.period_length
        } else {
            1.0
        };
        let survival = |t: f64| {
            self.offsets
                .iter()
                .map(|r| (1.0 - p).powf(((t - r) / length).max(0.0).floor()))
                .product::<f64>()
        };
        let step = 1e-3;
        (0..100_000)
            .map(|i| survival((f64::from(i) + 0.5) * step) * step)
            .sum()
    }
}

/// Reads a kill run's events: see [`Timeline`].
fn timeline(
    n: usize,
    events: &[runtime::Event<super::SwimMsg, super::SwimTimer>],
) -> Option<Timeline> {
    use super::{SwimMsg, SwimTimer};
    let victim = n - 1;
    let killed = events
        .iter()
        .find(|e| e.node == victim && matches!(e.kind, EventKind::Timer(SwimTimer::Kill)))?
        .at;
    let after = |t: Duration| periods(t.saturating_sub(killed));
    let mut tl = Timeline::default();
    // Per live member, its periods begun after the kill: (start, target).
    let mut all: Vec<Vec<(f64, Option<usize>)>> = Vec::new();
    let mut lengths = Vec::new();
    for m in (0..n).filter(|m| *m != victim) {
        let mut mine: Vec<(f64, Option<usize>)> = Vec::new();
        let mut suspicion = None;
        for e in events.iter().filter(|e| e.node == m && e.at >= killed) {
            match &e.kind {
                EventKind::Timer(SwimTimer::Period) => {
                    if let Some((start, target)) = mine.last() {
                        lengths.push(after(e.at) - start);
                        if *target == Some(victim) && suspicion.is_none() {
                            suspicion = Some(after(e.at));
                        }
                    }
                    mine.push((after(e.at), None));
                }
                EventKind::Sent {
                    to,
                    msg: SwimMsg::Ping { prober, .. },
                    ..
                }
                | EventKind::Lost {
                    to,
                    msg: SwimMsg::Ping { prober, .. },
                } if *prober == m => {
                    if let Some((_, target @ None)) = mine.last_mut() {
                        *target = Some(*to);
                    }
                }
                _ => {}
            }
        }
        tl.offsets.push(mine.first()?.0);
        tl.own_suspicion.push(suspicion);
        all.push(mine);
    }
    let window = tl.first().map_or(f64::INFINITY, |f| f + 1.0);
    for (start, target) in all.iter().flatten() {
        if *start < window {
            tl.periods += 1;
            tl.picked_victim += usize::from(*target == Some(victim));
        }
    }
    tl.period_length = lengths.iter().sum::<f64>() / lengths.len().max(1) as f64;
    Some(tl)
}

/// What the sampler saw, as times since the run started.
#[derive(Default)]
struct Seen {
    killed: Option<Duration>,
    first_suspected: Option<Duration>,
    /// When each member first held the victim failed.
    declared: Vec<Option<Duration>>,
    false_positive: Option<Duration>,
}

fn periods(d: Duration) -> f64 {
    d.as_secs_f64() / PERIOD.as_secs_f64()
}

/// Who declared a member that is up failed, among members that are up.
fn false_declarations(states: &[&SwimState]) -> Vec<(Member, Member)> {
    let mut out = Vec::new();
    for (m, s) in states.iter().enumerate().filter(|(_, s)| !s.killed) {
        for (o, st) in s.view.iter().enumerate() {
            if *st == Status::Faulty && !states[o].killed {
                out.push((m, o));
            }
        }
    }
    out
}

/// One run of `cfg` as `setup` says.
pub fn trial(cfg: &SwimCfg, setup: &Setup) -> Result<Trial, String> {
    let n = cfg.members;
    let victim: Member = n - 1;
    let bound = runtime::bind(n)?;
    let ids = bound.ids.clone();
    let mut actors = cfg.actors(&ids, Selection::Random, PERIOD);
    if setup.kill {
        actors[victim].kill_after = Some(KILL_AFTER);
    }

    let start = Instant::now();
    let seen = Mutex::new(Seen {
        declared: vec![None; n],
        ..Seen::default()
    });
    let kill = setup.kill;
    let done = |states: &[Option<SwimState>]| {
        let now = start.elapsed();
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        let states: Vec<&SwimState> = states.iter().flatten().collect();
        if states.len() < n {
            return false;
        }
        if seen.false_positive.is_none() && !false_declarations(&states).is_empty() {
            seen.false_positive = Some(now);
        }
        if !kill {
            return seen.false_positive.is_some();
        }
        if seen.killed.is_none() && states[victim].killed {
            seen.killed = Some(now);
        }
        if seen.killed.is_none() {
            return false;
        }
        for (m, s) in states.iter().enumerate().filter(|(m, _)| *m != victim) {
            match s.view[victim] {
                Status::Suspect(_) if seen.first_suspected.is_none() => {
                    seen.first_suspected = Some(now)
                }
                Status::Faulty if seen.declared[m].is_none() => {
                    seen.first_suspected.get_or_insert(now);
                    seen.declared[m] = Some(now);
                }
                _ => {}
            }
        }
        (0..n)
            .filter(|m| *m != victim)
            .all(|m| seen.declared[m].is_some())
    };
    let names = runtime::trace::names(&actors);
    let replayed = actors.clone();
    let result = runtime::run(
        actors,
        bound,
        &RunConfig {
            duration: setup.duration,
            loss: setup.loss,
            duplicate: setup.duplicate,
            seed: setup.seed,
            keep_storage: false,
            nemesis: Vec::new(),
            fuzz: setup.fuzz,
            tamper: None,
        },
        done,
    );
    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());

    let since_kill = |t: Option<Duration>| Some(periods(t?.saturating_sub(seen.killed?)));
    let live = (0..n).filter(|m| *m != victim);
    let declared: Vec<Option<f64>> = (0..n).map(|m| since_kill(seen.declared[m])).collect();
    let all_declared = live
        .clone()
        .map(|m| seen.declared[m])
        .collect::<Option<Vec<Duration>>>()
        .and_then(|ts| ts.into_iter().max());
    let first_declared = live.clone().filter_map(|m| seen.declared[m]).min();
    let states: Vec<&SwimState> = result.states.iter().collect();
    let timeline = if kill {
        timeline(n, &result.events)
    } else {
        None
    };
    Ok(Trial {
        seed: setup.seed,
        members: n,
        killed: seen.killed,
        first_suspected: since_kill(seen.first_suspected),
        first_declared: since_kill(first_declared),
        all_declared: since_kill(all_declared),
        declared,
        false_positive: seen.false_positive.map(periods),
        falsely_declared: false_declarations(&states)
            .into_iter()
            .map(|(m, o)| format!("m{} declared live m{} failed", m + 1, o + 1))
            .collect(),
        finished: result.finished,
        sent: result.count(|k| matches!(k, EventKind::Sent { .. })),
        received: result.count(|k| matches!(k, EventKind::Delivered { .. })),
        lost: result.count(|k| matches!(k, EventKind::Lost { .. })),
        malformed: result.count(|k| matches!(k, EventKind::Malformed { .. })),
        seconds: result.elapsed.as_secs_f64(),
        states: result
            .states
            .iter()
            .enumerate()
            .map(|(m, s)| format!("m{}: {s:?}", m + 1))
            .collect(),
        timeline,
        trace: runtime::trace::trace(&result, &names),
        // The model's network: unordered, each message delivered once.
        validation: validate(
            &replayed,
            &ids,
            NetworkKind::UnorderedNonDuplicating,
            &result,
            &|_| false,
        ),
        fuzz: result.fuzz.clone(),
    })
}

// The paper's analysis (§3.1).

/// §3.1's expected number of protocol periods from a crash to its first
/// detection, with one of `n` members crashed: each of the `n - 1` live
/// members pings it with probability `1/(n - 1)` per period, so some member
/// does with probability `1 - (1 - 1/(n - 1))^(n - 1)`, which tends to
/// `1 - 1/e`; the expected number of periods is the inverse, `e/(e - 1)`
/// ≈ 1.58 for a large group ("T' · e/(e-1)").
pub fn paper_first_detection(n: usize) -> f64 {
    let live = n as f64 - 1.0;
    1.0 / (1.0 - (1.0 - 1.0 / live).powf(live))
}

/// The same, with the paper's periods taken unsynchronised, as members run
/// them: each live member's next period starts a uniform fraction of a
/// period after the crash, and detects it at its end with probability
/// `1/(n - 1)`, so member `i` detects at `R_i + G_i` periods (`R_i` uniform
/// in [0, 1), `G_i` geometric from 1). The expected minimum over the `n - 1`
/// members, by integrating its survival function numerically: it adds
/// about half a period to [`paper_first_detection`] for a small group.
pub fn unsynchronised_first_detection(n: usize) -> f64 {
    let live = n as i32 - 1;
    let p = 1.0 / f64::from(live);
    // P(R + G > t), t = j + u: G >= j + 1 always exceeds t; G = j does when
    // R > u.
    let survival = |t: f64| {
        let j = t.floor();
        let u = t - j;
        let at_least_next = (1.0 - p).powf(j);
        let exactly_j = if j >= 1.0 {
            p * (1.0 - p).powf(j - 1.0)
        } else {
            0.0
        };
        at_least_next + exactly_j * (1.0 - u)
    };
    let step = 1e-3;
    (0..200_000)
        .map(|i| survival((f64::from(i) + 0.5) * step).powi(live) * step)
        .sum()
}

/// §3.1's probability that one probe of a live member fails and (without
/// suspicion) declares it failed, with each message lost with probability
/// `loss` and no other member failed: the ping or its ack is lost
/// (`1 - (1 - loss)^2`), and each of the `k` indirect paths (ping-req,
/// ping, ack, ack) loses a message (`1 - (1 - loss)^4`).
pub fn paper_false_detection_per_probe(loss: f64, k: usize) -> f64 {
    let delivered = 1.0 - loss;
    (1.0 - delivered.powi(2)) * (1.0 - delivered.powi(4)).powi(k as i32)
}

/// Without suspicion, the probability that a group of `n` members, each
/// completing `probes` probes, declares some live member failed: every
/// failed probe is a false positive.
pub fn paper_false_positive_within(loss: f64, k: usize, n: usize, probes: usize) -> f64 {
    let p = paper_false_detection_per_probe(loss, k);
    1.0 - (1.0 - p).powi((n * probes) as i32)
}

/// Mean, least and greatest of what was seen, and how many saw it.
fn stats(xs: impl Iterator<Item = Option<f64>>) -> (usize, usize, f64, f64, f64) {
    let all: Vec<Option<f64>> = xs.collect();
    let seen: Vec<f64> = all.iter().flatten().copied().collect();
    let mean = seen.iter().sum::<f64>() / seen.len().max(1) as f64;
    let min = seen.iter().copied().fold(f64::INFINITY, f64::min);
    let max = seen.iter().copied().fold(0.0, f64::max);
    (seen.len(), all.len(), mean, min, max)
}

fn stats_line(label: &str, xs: impl Iterator<Item = Option<f64>>) -> String {
    match stats(xs) {
        (0, runs, ..) => format!("{label}: not seen in {runs} runs"),
        (1, 1, mean, ..) => format!(
            "{label} {:.0} ms after the kill ({mean:.2} periods)",
            mean * PERIOD.as_secs_f64() * 1000.0
        ),
        (seen, runs, mean, min, max) => format!(
            "{label}: mean {mean:.2} periods after the kill (min {min:.2}, max {max:.2}; seen in {seen} of {runs} runs)"
        ),
    }
}

/// `Protocol::run` for SWIM: `opts.seeds` runs, seeds `opts.seed` on.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = SwimCfg::new(variant, params);
    let n = cfg.members;
    let victim = n - 1;
    let mut trials = Vec::new();
    for seed in opts.seed..opts.seed + opts.seeds.max(1) {
        let setup = Setup {
            kill: true,
            duration: opts.duration,
            loss: opts.loss,
            duplicate: opts.duplicate,
            seed,
            fuzz: opts.fuzz,
        };
        trials.push(trial(&cfg, &setup)?);
    }
    let runs = trials.len();
    let mut observations = vec![format!(
        "{n} members, k = {}, protocol period {} ms, suspicion {} periods; m{} killed {} ms in; {runs} run{} (seed{} {}{}), loss {}",
        cfg.k,
        PERIOD.as_millis(),
        cfg.suspicion,
        victim + 1,
        KILL_AFTER.as_millis(),
        if runs == 1 { "" } else { "s" },
        if runs == 1 { "" } else { "s" },
        opts.seed,
        if runs == 1 {
            String::new()
        } else {
            format!("..{}", opts.seed + runs as u64 - 1)
        },
        opts.loss,
    )];
    observations.push(stats_line(
        "first suspected",
        trials.iter().map(|t| t.first_suspected),
    ));
    observations.push(stats_line(
        "first declared failed",
        trials.iter().map(|t| t.first_declared),
    ));
    observations.push(stats_line(
        "declared failed by every live member",
        trials.iter().map(|t| t.all_declared),
    ));
    observations.push(format!(
        "§3.1: expected periods to the first detection 1/(1 - (1 - 1/{live})^{live}) = {:.2} \
         (e/(e-1) = 1.58 for a large group); {:.2} with the members' periods unsynchronised; \
         then {} periods of suspicion and the dissemination",
        paper_first_detection(n),
        unsynchronised_first_detection(n),
        cfg.suspicion,
        live = n - 1,
    ));
    if runs == 1 {
        for m in (0..n).filter(|m| *m != victim) {
            observations.push(stats_line(
                &format!("m{} declared it failed", m + 1),
                std::iter::once(trials[0].declared[m]),
            ));
        }
    }
    // What the fuzzer sent, over every run.
    let fuzz = trials
        .iter()
        .filter_map(|t| t.fuzz.as_ref())
        .fold(None, |sum, f| {
            let s: runtime::fuzz::FuzzReport = sum.unwrap_or_default();
            Some(runtime::fuzz::FuzzReport {
                random: s.random + f.random,
                truncated: s.truncated + f.truncated,
                oversized: s.oversized + f.oversized,
                wrong_json: s.wrong_json + f.wrong_json,
                replayed: s.replayed + f.replayed,
                from_a_node: s.from_a_node + f.from_a_node,
            })
        });
    if let Some(f) = &fuzz {
        let malformed = trials.iter().map(|t| t.malformed).sum();
        observations.push(crate::runner::fuzz_line(f, malformed));
    }
    let fp_runs = trials.iter().filter(|t| t.false_positive.is_some()).count();
    observations.push(format!(
        "false positives (a live member declared failed by a live one): in {fp_runs} of {runs} run{}; \
         §3.1: a probe of a live member fails with probability {:.4} at loss {}, k = {}, \
         and without suspicion that is a false positive",
        if runs == 1 { "" } else { "s" },
        paper_false_detection_per_probe(opts.loss, cfg.k),
        opts.loss,
        cfg.k,
    ));

    let falsely: Vec<String> = trials
        .iter()
        .flat_map(|t| {
            t.falsely_declared
                .iter()
                .map(move |f| format!("seed {}: {f}", t.seed))
        })
        .collect();
    let unfinished: Vec<u64> = trials
        .iter()
        .filter(|t| !t.finished)
        .map(|t| t.seed)
        .collect();
    let mut validation = Validation::default();
    for t in &trials {
        validation.add(&t.validation, t.seed);
    }
    let checks = vec![
        ("accuracy".to_string(), fp_runs == 0),
        (
            format!(
                "strong completeness: m{} declared failed by every live member{}",
                victim + 1,
                if runs == 1 { "" } else { " in every run" }
            ),
            unfinished.is_empty(),
        ),
        (VALIDATED.to_string(), validation.valid()),
    ];
    let mut evidence = Vec::new();
    if checks.iter().any(|(_, ok)| !ok) {
        evidence.extend(falsely);
        if !unfinished.is_empty() {
            evidence.push(format!("unfinished seeds: {unfinished:?}"));
        }
        for t in trials
            .iter()
            .filter(|t| !t.finished || t.false_positive.is_some())
            .take(3)
        {
            evidence.extend(t.states.iter().map(|s| format!("seed {}: {s}", t.seed)));
        }
    }
    Ok(RunReport {
        model: String::new(),
        variant: variant.to_string(),
        sent: trials.iter().map(|t| t.sent).sum(),
        received: trials.iter().map(|t| t.received).sum(),
        lost: trials.iter().map(|t| t.lost).sum(),
        malformed: trials.iter().map(|t| t.malformed).sum(),
        seconds: trials.iter().map(|t| t.seconds).sum(),
        observations,
        checks,
        evidence,
        // Of the first run: `dsw run --trace` takes one seed.
        trace: trials
            .first_mut()
            .map(|t| std::mem::take(&mut t.trace))
            .unwrap_or_default(),
        fuzz,
        validation,
    })
}
