//! `dsw run gossip`: the members over UDP on loopback, each starting a
//! push-pull with a random peer once a period (memberlist's
//! `pushPullTrigger`), one write injected at m1, and the rounds until every
//! member holds it, set beside the rounds epidemic dissemination predicts.
//!
//! Times come from the run's event log, not from sampling: the write is m1's
//! `Write` timer, and a member holds it from the first delivery to it of a
//! message that carries it (with one write, the merge always takes it). A
//! round is one period.
//!
//! The estimates (n members): Pittel (1987) shows that a rumor pushed to a
//! random member each round reaches all n in log2 n + ln n + O(1) rounds;
//! push-pull is at least as fast, since every exchange pushes, and Karp,
//! Schindelhauer, Shenker & Vöcking ("Randomized Rumor Spreading", FOCS
//! 2000) show it needs log3 n + O(log log n). Demers et al. §1.3 give the
//! same picture as recurrences (push: p_{i+1} = p_i e^{-1}; pull:
//! p_{i+1} = p_i^2, for the fraction p_i of members still without the
//! update). The measurement is set beside log2 n + ln n, the push bound, an
//! upper reference, and log3 n, push-pull's leading term. Real periods are
//! not in step: a member may hear the write and pass it on within one
//! period, so measured rounds can fall below the synchronous model's.

use super::{GossipCfg, GossipMsg, GossipState, GossipTimer, Selection};
use crate::registry::{Config, Params, RunOptions, RunReport};
use runtime::{self, EventKind};
use serde::Serialize;
use std::time::Duration;

/// memberlist's push-pull interval on real runs (the checker ignores time).
pub const PERIOD: Duration = Duration::from_millis(100);

/// When m1 writes: after the members have run a few periods.
const WRITE_AT: Duration = Duration::from_millis(300);

/// One real run's convergence: when the write was made and when each member
/// first held it, as times since the run started.
#[derive(Clone, Debug, Serialize)]
pub struct Convergence {
    pub members: usize,
    pub seed: u64,
    pub written: Option<Duration>,
    /// Per member, m1 first.
    pub held: Vec<Option<Duration>>,
}

impl Convergence {
    /// From the write until the last member held it, if every one did.
    pub fn elapsed(&self) -> Option<Duration> {
        let last = self.held.iter().copied().collect::<Option<Vec<_>>>()?;
        Some(last.into_iter().max()?.saturating_sub(self.written?))
    }

    /// The same, in periods.
    pub fn rounds(&self) -> Option<f64> {
        Some(self.elapsed()?.as_secs_f64() / PERIOD.as_secs_f64())
    }
}

/// The rounds Pittel's push bound predicts, without its O(1): log2 n + ln n.
pub fn push_estimate(n: usize) -> f64 {
    let n = n as f64;
    n.log2() + n.ln()
}

/// Push-pull's leading term (Karp et al. 2000): log3 n.
pub fn push_pull_estimate(n: usize) -> f64 {
    (n as f64).log(3.0)
}

fn carries_write(msg: &GossipMsg) -> bool {
    let (GossipMsg::PushPull { db, .. } | GossipMsg::PushPullReply { db, .. }) = msg;
    db.iter().flatten().any(|e| e.write == 0)
}

/// Runs `members` members until every one holds m1's write (or
/// `opts.duration` passes), and returns the run's record with when each
/// member first held it.
fn run_once(
    cfg: &GossipCfg,
    opts: &RunOptions,
) -> Result<(Convergence, runtime::RunResult<super::GossipActor>), String> {
    let n = cfg.members;
    let bound = runtime::bind(n)?;
    let ids = bound.ids.clone();
    let mut actors = cfg.actors(&ids, Selection::Random, PERIOD);
    for a in &mut actors {
        a.writes = a.me == 0;
        a.write_at = WRITE_AT;
    }
    let holds = |s: &GossipState| s.db.iter().flatten().any(|e| e.write == 0);
    let done = |states: &[Option<GossipState>]| states.iter().flatten().all(holds);
    let result = runtime::run(actors, bound, &opts.run_config(), done);
    let mut conv = Convergence {
        members: n,
        seed: opts.seed,
        written: None,
        held: vec![None; n],
    };
    for e in &result.events {
        match &e.kind {
            EventKind::Timer(GossipTimer::Write) if e.node == 0 => {
                conv.written = Some(e.at);
                conv.held[0] = Some(e.at);
            }
            EventKind::Delivered { msg, .. } if carries_write(msg) => {
                conv.held[e.node].get_or_insert(e.at);
            }
            _ => {}
        }
    }
    Ok((conv, result))
}

/// `Protocol::run` for gossip.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = GossipCfg::new(variant, params);
    let n = cfg.members;
    let (conv, result) = run_once(&cfg, opts)?;
    let ms = |d: Duration| d.as_millis();
    let mut observations = vec![
        format!(
            "{n} members, push-pull with a random peer every {} ms; m1 writes a at {} ms (other parameters are the checker's)",
            ms(PERIOD),
            conv.written.map_or(0, ms)
        ),
        match (conv.elapsed(), conv.rounds()) {
            (Some(d), Some(r)) => {
                format!("every member held it {} ms after the write ({r:.2} rounds)", ms(d))
            }
            _ => "not every member held it".to_string(),
        },
        format!(
            "estimates: log2 n + ln n = {:.2} rounds (Pittel 1987, push), log3 n = {:.2} (Karp et al. 2000, push-pull)",
            push_estimate(n),
            push_pull_estimate(n)
        ),
    ];
    for (m, t) in conv.held.iter().enumerate().skip(1) {
        observations.push(match (t, conv.written) {
            (Some(t), Some(w)) => {
                format!("m{} held it after {} ms", m + 1, ms(t.saturating_sub(w)))
            }
            _ => format!("m{}: not held", m + 1),
        });
    }
    // The `always` properties on every member's last state.
    let forward = |s: &GossipState| {
        s.db.iter()
            .zip(&s.high)
            .all(|(e, h)| e.map(|e| e.version) == *h)
    };
    let not_lost = |s: &GossipState| {
        s.db.iter()
            .flatten()
            .all(|e| s.superseded & super::bit(e.write) == 0)
    };
    let checks = vec![
        (
            "values only move forward".to_string(),
            result.states.iter().all(forward),
        ),
        (
            "no lost update".to_string(),
            result.states.iter().all(not_lost),
        ),
        (
            "convergence: every member holds m1's write".to_string(),
            result.finished,
        ),
    ];
    let evidence = if checks.iter().all(|(_, ok)| *ok) {
        Vec::new()
    } else {
        result
            .states
            .iter()
            .enumerate()
            .map(|(m, s)| format!("m{}: {s:?}", m + 1))
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

/// Runs the correct protocol `seeds` times at each group size in `sizes`
/// (seeds 1 ..= `seeds`, no loss), one run after another: the data of the
/// convergence plot.
pub fn measure(sizes: &[usize], seeds: u64) -> Result<Vec<Convergence>, String> {
    let mut all = Vec::new();
    for &members in sizes {
        let cfg = GossipCfg {
            members,
            join: false,
            ..GossipCfg::default()
        };
        for seed in 1..=seeds {
            let opts = RunOptions {
                duration: Duration::from_secs(20),
                loss: 0.0,
                duplicate: 0.0,
                seed,
                seeds: 1,
                crash: true,
                keep_storage: false,
            };
            all.push(run_once(&cfg, &opts)?.0);
        }
    }
    Ok(all)
}

/// The median of the rounds of the runs at each size that converged.
fn median_rounds(runs: &[Convergence], members: usize) -> Option<f64> {
    let mut r: Vec<f64> = runs
        .iter()
        .filter(|c| c.members == members)
        .filter_map(Convergence::rounds)
        .collect();
    if r.is_empty() {
        return None;
    }
    r.sort_by(f64::total_cmp);
    let mid = r.len() / 2;
    Some(if r.len() % 2 == 1 {
        r[mid]
    } else {
        (r[mid - 1] + r[mid]) / 2.0
    })
}

/// The plot's data file (`reports-data/gossip-convergence.json`): the
/// median measured rounds per size beside the two estimates, and every
/// run's rounds.
pub fn plot_data(runs: &[Convergence]) -> serde_json::Value {
    let mut sizes: Vec<usize> = runs.iter().map(|c| c.members).collect();
    sizes.dedup();
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    let series = |name: &str, f: &dyn Fn(usize) -> Option<f64>| {
        serde_json::json!({
            "name": name,
            "points": sizes
                .iter()
                .filter_map(|&n| Some(serde_json::json!([n, round2(f(n)?)])))
                .collect::<Vec<_>>(),
        })
    };
    let predicted = |name: &str, f: &dyn Fn(usize) -> Option<f64>| {
        let mut s = series(name, f);
        s["predicted"] = serde_json::Value::Bool(true);
        s
    };
    let seeds = runs.iter().map(|c| c.seed).max().unwrap_or(0);
    serde_json::json!({
        "model": "gossip",
        "title": "gossip: rounds until one write reaches every member",
        "x_label": "members",
        "y_label": "rounds (push-pull periods) until every member holds one write",
        "series": [
            series("measured (median rounds)", &|n| median_rounds(runs, n)),
            predicted("log2 n + ln n (push alone, Pittel 1987)", &|n| Some(push_estimate(n))),
            predicted("log3 n (push-pull, Karp et al. 2000)", &|n| Some(push_pull_estimate(n))),
        ],
        "command": "scripts/gossip-convergence",
        "notes": format!(
            "One write at m1, a push-pull exchange with a random partner every {} ms, \
             members on loopback; {seeds} runs (seeds 1 to {seeds}) per size, the median \
             of the rounds until every member holds the write. Every exchange also \
             pushes, so push's log2 n + ln n bounds it from above; push-pull's leading \
             term is log3 n. Members' periods are not in step, so a write can take \
             more than one hop in a period.",
            PERIOD.as_millis()
        ),
        "period_ms": PERIOD.as_millis() as u64,
        "runs": runs
            .iter()
            .map(|c| serde_json::json!({
                "members": c.members,
                "seed": c.seed,
                "rounds": c.rounds().map(round2),
            }))
            .collect::<Vec<_>>(),
    })
}
