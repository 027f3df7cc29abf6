//! `dsw run swim`: the members over UDP on loopback, the last one killed a
//! few periods in, and the time until every live member declares it failed,
//! set beside §3.1's expected detection time.
//!
//! The runtime cannot kill a node, so the victim kills itself (a timer that
//! only real runs set) and handles nothing after. Times are sampled from
//! the members' published states every few milliseconds, a resolution well
//! under the protocol period.

use super::{Member, Selection, Status, SwimCfg, SwimState};
use crate::registry::{Config, Params, RunOptions, RunReport};
use runtime::{self, EventKind, RunConfig};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The protocol period T' of real runs (the checker ignores time).
pub const PERIOD: Duration = Duration::from_millis(100);

/// When the victim is killed: after the group has run a few periods.
const KILL_AFTER: Duration = Duration::from_millis(500);

/// What the sampler saw, as times since the run started.
#[derive(Default)]
struct Seen {
    killed: Option<Duration>,
    first_suspected: Option<Duration>,
    /// When each member first held the victim failed.
    declared: Vec<Option<Duration>>,
}

/// `Protocol::run` for SWIM.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = SwimCfg::new(variant, params);
    let n = cfg.members;
    let victim: Member = n - 1;
    let bound = runtime::bind(n)?;
    let ids = bound.ids.clone();
    let mut actors = cfg.actors(&ids, Selection::Random, PERIOD);
    actors[victim].kill_after = Some(KILL_AFTER);

    let start = Instant::now();
    let seen = Mutex::new(Seen {
        declared: vec![None; n],
        ..Seen::default()
    });
    let done = |states: &[Option<SwimState>]| {
        let now = start.elapsed();
        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        let states: Vec<&SwimState> = states.iter().flatten().collect();
        if states.len() < n {
            return false;
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
    let result = runtime::run(
        actors,
        bound,
        &RunConfig {
            duration: opts.duration,
            loss: opts.loss,
            duplicate: opts.duplicate,
            seed: opts.seed,
        },
        done,
    );
    let seen = seen.into_inner().unwrap_or_else(|e| e.into_inner());

    let periods = |d: Duration| d.as_secs_f64() / PERIOD.as_secs_f64();
    let since_kill =
        |t: Option<Duration>| -> Option<Duration> { Some(t?.saturating_sub(seen.killed?)) };
    let show = |label: &str, t: Option<Duration>| match since_kill(t) {
        Some(d) => format!(
            "{label} {} ms after the kill ({:.2} periods)",
            d.as_millis(),
            periods(d)
        ),
        None => format!("{label}: not seen"),
    };
    let live = (0..n).filter(|m| *m != victim);
    let all = live
        .clone()
        .map(|m| seen.declared[m])
        .collect::<Option<Vec<Duration>>>()
        .and_then(|ts| ts.into_iter().max());
    let first = live.clone().filter_map(|m| seen.declared[m]).min();
    // §3.1: each of the n - 1 live members pings the failed one with
    // probability 1/(n - 1) per period, so some member does with
    // probability 1 - (1 - 1/(n - 1))^(n - 1), which tends to 1 - 1/e; the
    // expected number of periods to the first detection is its inverse,
    // e/(e - 1) for a large group.
    let q = 1.0 - 1.0 / (n as f64 - 1.0);
    let expected_first = 1.0 / (1.0 - q.powi(n as i32 - 1));
    let mut observations = vec![
        format!(
            "{n} members, k = {}, protocol period {} ms, suspicion {} periods; m{} killed at {} ms",
            cfg.k,
            PERIOD.as_millis(),
            cfg.suspicion,
            victim + 1,
            seen.killed.map_or(0, |t| t.as_millis())
        ),
        show("first suspected", seen.first_suspected),
        show("first declared failed", first),
        show("declared failed by every live member", all),
        format!(
            "§3.1: expected periods to the first detection 1/(1 - (1 - 1/{})^{}) = {expected_first:.2} (e/(e-1) = 1.58 for a large group), then {} periods of suspicion and the dissemination",
            n - 1,
            n - 1,
            cfg.suspicion
        ),
    ];
    for m in live.clone() {
        observations.push(show(
            &format!("m{} declared it failed", m + 1),
            seen.declared[m],
        ));
    }

    let falsely_declared: Vec<String> = result
        .states
        .iter()
        .enumerate()
        .filter(|(m, _)| *m != victim)
        .flat_map(|(m, s)| {
            let states = &result.states;
            s.view
                .iter()
                .enumerate()
                .filter(move |(o, st)| *o != victim && **st == Status::Faulty && !states[*o].killed)
                .map(move |(o, _)| format!("m{} declared live m{} failed", m + 1, o + 1))
        })
        .collect();
    let checks = vec![
        ("accuracy".to_string(), falsely_declared.is_empty()),
        (
            format!(
                "strong completeness: m{} declared failed by every live member",
                victim + 1
            ),
            result.finished,
        ),
    ];
    let evidence = if checks.iter().all(|(_, ok)| *ok) {
        Vec::new()
    } else {
        falsely_declared
            .into_iter()
            .chain(
                result
                    .states
                    .iter()
                    .enumerate()
                    .map(|(m, s)| format!("m{}: {s:?}", m + 1)),
            )
            .collect()
    };
    Ok(RunReport {
        model: String::new(),
        variant: variant.to_string(),
        sent: result.count(|k| matches!(k, EventKind::Sent { .. })),
        received: result.count(|k| matches!(k, EventKind::Delivered { .. })),
        lost: result.count(|k| matches!(k, EventKind::Lost { .. })),
        malformed: result.count(|k| matches!(k, EventKind::Malformed { .. })),
        seconds: result.elapsed.as_secs_f64(),
        observations,
        checks,
        evidence,
    })
}
