//! `dsw run gossip`: the members over UDP on loopback, each starting a
//! push-pull with a random peer once a period (memberlist's
//! `pushPullTrigger`), m1 .. m`writers` each writing once to the same key
//! (with the default one key), [`WRITE_GAP`] apart, and the rounds until
//! every member holds m1's write, set beside the rounds epidemic
//! dissemination predicts. The run stops when the members have converged
//! as the checker's "convergence" says (every member holds the newest
//! write).
//!
//! The safety properties are checked on what happened, not on the last
//! states: each member's state is rebuilt from the event log by its own
//! handlers ([`Replay`]), and "values only move forward" and "no lost
//! update" are evaluated after every step. With two writers they can fail:
//! m2 writes after it has held m1's write, so a stale copy of m1's could
//! undo it (`--variant lww-without-versions` does, and the run says at
//! which delivery). With `--variant skewed-clock` m2's clock is behind m1's,
//! so m2's write, when it follows m1's, carries the smaller timestamp and
//! m1's comes back to m2: "no lost update" fails at that delivery while
//! "values only move forward" holds. Whether m2's write followed m1's is
//! reported (a run in which m2 wrote before hearing of m1's has concurrent
//! writes, and nothing to lose). The replayed last states must equal the
//! run's, or the run reports that the log does not replay.
//!
//! Times come from the run's event log, not from sampling: the write is m1's
//! `Write` timer, and a member holds it from the first delivery to it of a
//! message that carries it or a write that follows it (m2's, once m2 had
//! held m1's). The plot's measurement ([`measure`]) runs one writer.
//!
//! A round is counted, not timed: the estimates' round is one exchange
//! begun by every member, so the rounds a write took are the exchanges that
//! ran between the write and the moment the last member held it (those
//! begun in that window, and those under way at the write that delivered a
//! message in it), divided by the members. Wall-clock time over the period
//! is reported beside it but is not a round count: on a loaded machine the
//! process can stall, every member's overdue period then fires in one
//! burst, and the members stay in step afterwards (each period is re-armed
//! from when it fired), so a write can cross the whole group within a
//! millisecond. That is how one 4-member run once measured "0.00 rounds".
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

use super::{GossipActor, GossipCfg, GossipMsg, GossipState, GossipTimer, Selection};
use crate::registry::{Config, Params, RunOptions, RunReport};
use crate::runner::VALIDATED;
use crate::validate::{validate, NetworkKind};
use runtime::{self, EventKind};
use serde::Serialize;
use stateright::actor::{Actor, Id, Out};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// memberlist's push-pull interval on real runs (the checker ignores time).
pub const PERIOD: Duration = Duration::from_millis(100);

/// When m1 writes: after the members have run a few periods.
const WRITE_AT: Duration = Duration::from_millis(300);

/// The time between one writer's write and the next's (m2 writes this long
/// after m1, ...): long enough that m1's write has usually reached m2, so
/// that m2's write follows it and a stale copy of m1's could undo it.
const WRITE_GAP: Duration = Duration::from_millis(500);

/// When writer `w` (m1 is 0) writes.
fn write_at(w: usize) -> Duration {
    WRITE_AT + WRITE_GAP * w as u32
}

/// One member's step, rebuilt from the log, that broke a property.
#[derive(Clone, Debug)]
pub struct Violation {
    pub at: Duration,
    pub member: usize,
    /// The step, as the log has it.
    pub step: String,
    /// The member's state after it.
    pub state: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {} ms m{} {}, then held {}",
            self.at.as_millis(),
            self.member + 1,
            self.step,
            self.state
        )
    }
}

/// The `always` properties on what really happened: each member's state
/// rebuilt from the run's event log by the member's own handlers (its
/// `Write` timer and every delivery, in the order it handled them; the
/// handlers are deterministic, and a period's push changes no state), and
/// both properties evaluated after every step. The final states alone
/// would miss a member that moved back and forward again.
#[derive(Clone, Debug)]
pub struct Replay {
    /// Steps that changed a member's state.
    pub steps: usize,
    /// The first step after which a member held an older value than one
    /// it had held ("values only move forward").
    pub moved_back: Option<Violation>,
    /// The first step after which a member held a write after holding one
    /// that follows it ("no lost update").
    pub lost_update: Option<Violation>,
    /// The writes, in the order they were made: writer and entry.
    pub writes: Vec<(usize, super::Entry)>,
    /// Each member's state after its last step.
    pub last: Vec<GossipState>,
}

impl Replay {
    /// Replays `events` through `actors` (those of the run; their ids
    /// are only used to name the sender of a delivery).
    pub fn from_events(
        actors: &[GossipActor],
        events: &[runtime::Event<GossipMsg, GossipTimer>],
    ) -> Self {
        let ids: Vec<Id> = actors.iter().map(|a| a.ids[a.me]).collect();
        let mut states: Vec<GossipState> = actors
            .iter()
            .map(|a| a.on_start(ids[a.me], &None, &mut Out::new()))
            .collect();
        let mut replay = Replay {
            steps: 0,
            moved_back: None,
            lost_update: None,
            writes: Vec::new(),
            last: Vec::new(),
        };
        for e in events {
            let Some(actor) = actors.get(e.node) else {
                continue;
            };
            let mut cow = Cow::Borrowed(&states[e.node]);
            let mut out = Out::new();
            let step = match &e.kind {
                EventKind::Timer(timer) => {
                    actor.on_timeout(ids[e.node], &mut cow, timer, &mut out);
                    format!("fired {timer:?}")
                }
                EventKind::Delivered { from, msg, .. } => {
                    let Some(src) = ids.get(*from) else {
                        continue;
                    };
                    actor.on_msg(ids[e.node], &mut cow, *src, msg.clone(), &mut out);
                    format!("took m{}'s {msg:?}", from + 1)
                }
                _ => continue,
            };
            let Cow::Owned(next) = cow else {
                continue;
            };
            replay.steps += 1;
            if let EventKind::Timer(GossipTimer::Write) = &e.kind {
                if let Some(w) = next.db[actor.key()] {
                    replay.writes.push((e.node, w));
                }
            }
            let violation = || Violation {
                at: e.at,
                member: e.node,
                step: step.clone(),
                state: format!("{next:?}"),
            };
            if replay.moved_back.is_none() && !super::member_moves_forward(&next) {
                replay.moved_back = Some(violation());
            }
            if replay.lost_update.is_none() && !super::member_keeps_updates(&next) {
                replay.lost_update = Some(violation());
            }
            states[e.node] = next;
        }
        replay.last = states;
        replay
    }
}

/// One real run's convergence: when the write was made and when each member
/// first held it, as times since the run started, and the exchanges that
/// ran in between.
#[derive(Clone, Debug, Serialize)]
pub struct Convergence {
    pub members: usize,
    pub seed: u64,
    pub written: Option<Duration>,
    /// Per member, m1 first.
    pub held: Vec<Option<Duration>>,
    /// Push-pull exchanges that ran between the write and the last member's
    /// first holding it: begun in that window, or under way at the write
    /// and delivering a message in it. `None` if not every member held it.
    pub exchanges: Option<usize>,
}

impl Convergence {
    /// Reads a run's event log (in real-time order): when m1 wrote, when
    /// each member first held the write, and the exchanges in between.
    pub fn from_events(
        members: usize,
        seed: u64,
        events: &[runtime::Event<GossipMsg, GossipTimer>],
    ) -> Self {
        let mut conv = Convergence {
            members,
            seed,
            written: None,
            held: vec![None; members],
            exchanges: None,
        };
        // Exchanges (initiator, peer) whose push-pull has gone out and whose
        // reply has not yet come back.
        let mut open: Vec<(usize, usize)> = Vec::new();
        // Those of them under way at the write, not yet counted.
        let mut at_write: Vec<(usize, usize)> = Vec::new();
        let mut counted = 0;
        for e in events {
            let window = conv.written.is_some();
            match &e.kind {
                EventKind::Timer(GossipTimer::Write) if e.node == 0 => {
                    conv.written = Some(e.at);
                    conv.held[0] = Some(e.at);
                    at_write = open.clone();
                }
                EventKind::Sent {
                    to,
                    msg: GossipMsg::PushPull { .. },
                    ..
                }
                | EventKind::Lost {
                    to,
                    msg: GossipMsg::PushPull { .. },
                } => {
                    open.push((e.node, *to));
                    if window {
                        counted += 1;
                    }
                }
                EventKind::Delivered { from, msg, .. } => {
                    let exchange = match msg {
                        GossipMsg::PushPull { .. } => (*from, e.node),
                        GossipMsg::PushPullReply { .. } => (e.node, *from),
                    };
                    if let GossipMsg::PushPullReply { .. } = msg {
                        open.retain(|x| *x != exchange);
                    }
                    if let Some(i) = at_write.iter().position(|x| *x == exchange) {
                        at_write.remove(i);
                        counted += 1;
                    }
                    if carries_write(msg) && conv.held[e.node].is_none() {
                        conv.held[e.node] = Some(e.at);
                        if conv.held.iter().all(Option::is_some) {
                            conv.exchanges = Some(counted);
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        conv
    }

    /// From the write until the last member held it, if every one did.
    pub fn elapsed(&self) -> Option<Duration> {
        let last = self.held.iter().copied().collect::<Option<Vec<_>>>()?;
        Some(last.into_iter().max()?.saturating_sub(self.written?))
    }

    /// Wall-clock time from the write until every member held it, in
    /// periods: not a round count when periods do not run on time.
    pub fn periods(&self) -> Option<f64> {
        Some(self.elapsed()?.as_secs_f64() / PERIOD.as_secs_f64())
    }

    /// Rounds: the exchanges that ran until every member held the write,
    /// per member (a round is one exchange begun by each member).
    pub fn rounds(&self) -> Option<f64> {
        Some(self.exchanges? as f64 / self.members as f64)
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

/// m1's write, or a write that follows it (its writer had held m1's): a
/// member that holds the latter has m1's update's effect.
fn has_write(e: &super::Entry) -> bool {
    e.write == 0 || e.after & super::bit(0) != 0
}

fn carries_write(msg: &GossipMsg) -> bool {
    let (GossipMsg::PushPull { db, .. } | GossipMsg::PushPullReply { db, .. }) = msg;
    db.iter().flatten().any(has_write)
}

/// Whether the members have converged, as the checker's "convergence"
/// says: every write made (some member has held it), every member holding
/// the same entries, each the newest any member has held for its key.
fn converged(writers: usize, states: &[&GossipState]) -> bool {
    let Some(first) = states.first() else {
        return true;
    };
    let held = states.iter().fold(0, |p, s| p | s.past);
    let newest = |key: usize| states.iter().filter_map(|s| s.high[key]).max();
    (0..writers).all(|w| held & super::bit(w) != 0)
        && states.iter().all(|s| s.db == first.db)
        && (0..first.db.len()).all(|key| first.db[key].map(|e| e.version) == newest(key))
}

/// One run: its convergence, the actors, the record and the nodes' ids.
type OneRun = (
    Convergence,
    Vec<GossipActor>,
    runtime::RunResult<GossipActor>,
    Vec<Id>,
);

/// Runs `cfg.members` members, m1 .. m`cfg.writers` each writing once
/// ([`write_at`]), until they converge (or `opts.duration` passes), and
/// returns the actors, the run's record, and when each member first held
/// m1's write (or one that follows it).
fn run_once(cfg: &GossipCfg, opts: &RunOptions) -> Result<OneRun, String> {
    let n = cfg.members;
    let bound = runtime::bind(n)?;
    let ids = bound.ids.clone();
    let mut actors = cfg.actors(&ids, Selection::Random, PERIOD);
    for a in &mut actors {
        a.write_at = write_at(a.me);
    }
    let writers = cfg.writers;
    let done = |states: &[Option<GossipState>]| {
        let states: Vec<&GossipState> = states.iter().flatten().collect();
        converged(writers, &states)
    };
    let result = runtime::run(actors.clone(), bound, &opts.run_config(), done);
    let conv = Convergence::from_events(n, opts.seed, &result.events);
    Ok((conv, actors, result, ids))
}

/// `Protocol::run` for gossip.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = GossipCfg::new(variant, params);
    let n = cfg.members;
    let (conv, actors, result, ids) = run_once(&cfg, opts)?;
    // The model's network: unordered, each message delivered once.
    let validation = validate(
        &actors,
        &ids,
        NetworkKind::UnorderedNonDuplicating,
        &result,
        &|_| false,
    );
    let replay = Replay::from_events(&actors, &result.events);
    let ms = |d: Duration| d.as_millis();
    let mut observations = vec![
        format!(
            "{n} members, push-pull with a random peer every {} ms; {} (other parameters are the checker's)",
            ms(PERIOD),
            (0..cfg.writers)
                .map(|w| format!(
                    "m{} writes {} at {} ms",
                    w + 1,
                    super::value(w),
                    ms(write_at(w))
                ))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        match (conv.elapsed(), conv.periods(), conv.exchanges, conv.rounds()) {
            (Some(d), Some(p), Some(x), Some(r)) => format!(
                "every member held it after {r:.2} rounds ({x} exchanges among {n} members), {} ms after the write ({p:.2} periods of wall-clock time)",
                ms(d)
            ),
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
    for (m, e) in &replay.writes {
        let follows: Vec<String> = (0..n)
            .filter(|w| e.after & super::bit(*w) != 0)
            .map(|w| super::value(w).to_string())
            .collect();
        observations.push(if follows.is_empty() {
            format!(
                "m{}'s write {e:?} follows no other write (m{} had held none)",
                m + 1,
                m + 1
            )
        } else {
            format!(
                "m{}'s write {e:?} follows {} (m{} had held it when it wrote)",
                m + 1,
                follows.join(", "),
                m + 1
            )
        });
    }
    observations.push(format!(
        "safety checked after each of the {} steps that changed a member's state (its write, every delivery), on the states rebuilt from the event log",
        replay.steps
    ));
    if let Some(f) = &result.fuzz {
        let malformed = result.count(|k| matches!(k, EventKind::Malformed { .. }));
        observations.push(crate::runner::fuzz_line(f, malformed));
    }
    // The log rebuilds exactly the states the run ended in, or the
    // step-by-step checks are not about this run.
    let replayed = replay.last == result.states;
    let mut checks = vec![
        (
            "values only move forward (after every step)".to_string(),
            replay.moved_back.is_none(),
        ),
        (
            "no lost update (after every step)".to_string(),
            replay.lost_update.is_none(),
        ),
        (
            "convergence: every member holds the newest write".to_string(),
            result.finished,
        ),
    ];
    checks.push((VALIDATED.to_string(), validation.valid()));
    if !replayed {
        checks.push((
            "the event log replays to the run's last states".to_string(),
            false,
        ));
    }
    let mut evidence = Vec::new();
    if let Some(v) = &replay.moved_back {
        evidence.push(format!("values moved back: {v}"));
    }
    if let Some(v) = &replay.lost_update {
        evidence.push(format!("lost update: {v}"));
    }
    if checks.iter().any(|(_, ok)| !*ok) {
        evidence.extend(
            result
                .states
                .iter()
                .enumerate()
                .map(|(m, s)| format!("m{} at the end: {s:?}", m + 1)),
        );
    }
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
        trace: runtime::trace::trace(&result, &runtime::trace::names(&actors)),
        fuzz: result.fuzz.clone(),
        validation,
    })
}

/// Runs the correct protocol `seeds` times at each group size in `sizes`
/// (seeds 1 ..= `seeds`, no loss), one run after another: the data of the
/// convergence plot.
pub fn measure(sizes: &[usize], seeds: u64) -> Result<Vec<Convergence>, String> {
    let mut all = Vec::new();
    for &members in sizes {
        // One writer: the plot measures one write's spread.
        let cfg = GossipCfg {
            members,
            writers: 1,
            join: false,
            ..GossipCfg::default()
        };
        for seed in 1..=seeds {
            let opts = RunOptions {
                duration: Duration::from_secs(20),
                seed,
                ..RunOptions::default()
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
        "y_label": "rounds (exchanges per member) until every member holds one write",
        "series": [
            series("measured (median rounds)", &|n| median_rounds(runs, n)),
            predicted("log2 n + ln n (push alone, Pittel 1987)", &|n| Some(push_estimate(n))),
            predicted("log3 n (push-pull, Karp et al. 2000)", &|n| Some(push_pull_estimate(n))),
        ],
        "command": "scripts/gossip-convergence",
        "notes": format!(
            "One write at m1, a push-pull exchange with a random partner every {} ms, \
             members on loopback; {seeds} runs (seeds 1 to {seeds}) per size, the median \
             of the rounds until every member holds the write. A round is counted, not \
             timed: the exchanges that ran from the write until the last member held it, \
             divided by the members (each run's wall-clock periods are in `periods`). \
             Every exchange also pushes, so push's log2 n + ln n bounds it from above; \
             push-pull's leading term is log3 n. Members' periods are not in step, so a \
             write can take more than one hop in a round.",
            PERIOD.as_millis()
        ),
        "period_ms": PERIOD.as_millis() as u64,
        "runs": runs
            .iter()
            .map(|c| serde_json::json!({
                "members": c.members,
                "seed": c.seed,
                "rounds": c.rounds().map(round2),
                "exchanges": c.exchanges,
                "periods": c.periods().map(round2),
            }))
            .collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::Event;

    /// A recorded run in which m3 takes m2's `b` (written after m2 held
    /// `a`), then a stale `a` from m1, then `b` again. Under
    /// `lww-without-versions` the replay reports both properties broken at
    /// the stale copy, although every member's last state satisfies both
    /// (the old check, on last states only, passed it); the correct merge
    /// ignores the stale copy, and the same log breaks nothing.
    #[test]
    fn replay_catches_a_value_that_moved_back_and_forward_again() {
        let a = super::super::Entry {
            version: (1, 0),
            write: 0,
            after: 0,
        };
        let b = super::super::Entry {
            version: (2, 1),
            write: 1,
            after: super::super::bit(0),
        };
        let push = |e| GossipMsg::PushPull {
            db: vec![Some(e)],
            members: 0b111,
        };
        let ms = |x: u64| x * 1000;
        let events = vec![
            ev(ms(300), 0, EventKind::Timer(GossipTimer::Write)),
            ev(ms(350), 1, delivered(0, push(a))),
            ev(ms(800), 1, EventKind::Timer(GossipTimer::Write)),
            ev(ms(850), 2, delivered(1, push(b))),
            ev(ms(870), 2, delivered(0, push(a))),
            ev(
                ms(900),
                2,
                delivered(
                    1,
                    GossipMsg::PushPullReply {
                        db: vec![Some(b)],
                        members: 0b111,
                    },
                ),
            ),
        ];
        let ids: Vec<Id> = (0..3).map(Id::from).collect();
        let actors = |bug| {
            GossipCfg {
                bug,
                ..GossipCfg::default()
            }
            .actors(&ids, Selection::Random, PERIOD)
        };
        let lww = Replay::from_events(&actors(super::super::Bug::LwwWithoutVersions), &events);
        assert_eq!(lww.steps, 6);
        let moved = lww.moved_back.expect("m3 moved back");
        let lost = lww.lost_update.expect("m3 lost b");
        for v in [&moved, &lost] {
            assert_eq!((v.at, v.member), (Duration::from_millis(870), 2), "{v}");
        }
        assert!(
            moved
                .to_string()
                .contains("took m1's PushPull [Some(a@1.m1)]"),
            "{moved}"
        );
        // The last states satisfy both properties: only the step-by-step
        // check sees what happened.
        assert_eq!(lww.last[2].db, vec![Some(b)]);
        assert!(lww.last.iter().all(super::super::member_moves_forward));
        assert!(lww.last.iter().all(super::super::member_keeps_updates));

        let correct = Replay::from_events(&actors(super::super::Bug::None), &events);
        // The stale copy changes nothing, nor does `b` again.
        assert_eq!(correct.steps, 4);
        assert!(correct.moved_back.is_none() && correct.lost_update.is_none());
        assert_eq!(correct.last, lww.last);
    }

    fn delivered(from: usize, msg: GossipMsg) -> EventKind<GossipMsg, GossipTimer> {
        EventKind::Delivered {
            from,
            msg,
            ignored: false,
        }
    }

    fn entry() -> super::super::Db {
        vec![Some(super::super::Entry {
            version: (1, 0),
            write: 0,
            after: 0,
        })]
    }

    fn ev(
        micros: u64,
        node: usize,
        kind: EventKind<GossipMsg, GossipTimer>,
    ) -> Event<GossipMsg, GossipTimer> {
        Event {
            at: Duration::from_micros(micros),
            node,
            lamport: 0,
            sent_lamport: None,
            kind,
        }
    }

    /// The "0.00 rounds" run: the process stalled, and on waking m2, m3 and
    /// m4 each began an exchange with m1 just before m1's overdue write
    /// fired; m1 answered all three with the write, all within 300 µs.
    /// Three exchanges among four members ran: 0.75 rounds, not 0.00.
    #[test]
    fn rounds_count_the_exchanges_a_stall_squeezes_into_no_time() {
        let push = |db| GossipMsg::PushPull {
            db,
            members: 0b1111,
        };
        let reply = |db| GossipMsg::PushPullReply {
            db,
            members: 0b1111,
        };
        let t0 = 300_000;
        let mut events = Vec::new();
        for m in 1..4 {
            events.push(ev(
                t0 - 10 + m as u64,
                m,
                EventKind::Timer(GossipTimer::Round),
            ));
            events.push(ev(
                t0 - 10 + m as u64,
                m,
                EventKind::Sent {
                    to: 0,
                    msg: push(vec![None]),
                    duplicated: false,
                },
            ));
        }
        events.push(ev(t0, 0, EventKind::Timer(GossipTimer::Write)));
        for m in 1..4u64 {
            let m = m as usize;
            events.push(ev(
                t0 + 20 * m as u64,
                0,
                EventKind::Delivered {
                    from: m,
                    msg: push(vec![None]),
                    ignored: false,
                },
            ));
            events.push(ev(
                t0 + 20 * m as u64,
                0,
                EventKind::Sent {
                    to: m,
                    msg: reply(entry()),
                    duplicated: false,
                },
            ));
            events.push(ev(
                t0 + 100 * m as u64,
                m,
                EventKind::Delivered {
                    from: 0,
                    msg: reply(entry()),
                    ignored: false,
                },
            ));
        }
        let conv = Convergence::from_events(4, 6, &events);
        assert_eq!(conv.written, Some(Duration::from_micros(t0)));
        assert_eq!(conv.exchanges, Some(3));
        assert_eq!(conv.rounds(), Some(0.75));
        // Wall-clock time says almost nothing happened: 0.003 periods.
        assert!(conv.periods().unwrap() < 0.01);
    }

    /// On time: m1 pushes at 10 ms after the write, m3 pulls from m2 at
    /// 50 ms and m4 from m1 at 90 ms; an exchange finished before the write
    /// does not count. Three exchanges, 0.75 rounds, 0.9 periods.
    #[test]
    fn rounds_count_exchanges_begun_after_the_write() {
        let push = |db| GossipMsg::PushPull {
            db,
            members: 0b1111,
        };
        let reply = |db| GossipMsg::PushPullReply {
            db,
            members: 0b1111,
        };
        let ms = |x: u64| x * 1000;
        let events = vec![
            ev(
                ms(250),
                2,
                EventKind::Sent {
                    to: 3,
                    msg: push(vec![None]),
                    duplicated: false,
                },
            ),
            ev(
                ms(250) + 100,
                3,
                EventKind::Delivered {
                    from: 2,
                    msg: push(vec![None]),
                    ignored: false,
                },
            ),
            ev(
                ms(250) + 100,
                3,
                EventKind::Sent {
                    to: 2,
                    msg: reply(vec![None]),
                    duplicated: false,
                },
            ),
            ev(
                ms(250) + 200,
                2,
                EventKind::Delivered {
                    from: 3,
                    msg: reply(vec![None]),
                    ignored: true,
                },
            ),
            ev(ms(300), 0, EventKind::Timer(GossipTimer::Write)),
            ev(
                ms(310),
                0,
                EventKind::Sent {
                    to: 1,
                    msg: push(entry()),
                    duplicated: false,
                },
            ),
            ev(
                ms(310) + 100,
                1,
                EventKind::Delivered {
                    from: 0,
                    msg: push(entry()),
                    ignored: false,
                },
            ),
            ev(
                ms(350),
                2,
                EventKind::Sent {
                    to: 1,
                    msg: push(vec![None]),
                    duplicated: false,
                },
            ),
            ev(
                ms(350) + 100,
                1,
                EventKind::Delivered {
                    from: 2,
                    msg: push(vec![None]),
                    ignored: false,
                },
            ),
            ev(
                ms(350) + 100,
                1,
                EventKind::Sent {
                    to: 2,
                    msg: reply(entry()),
                    duplicated: false,
                },
            ),
            ev(
                ms(350) + 200,
                2,
                EventKind::Delivered {
                    from: 1,
                    msg: reply(entry()),
                    ignored: false,
                },
            ),
            ev(
                ms(390),
                3,
                EventKind::Sent {
                    to: 0,
                    msg: push(vec![None]),
                    duplicated: false,
                },
            ),
            ev(
                ms(390) + 100,
                0,
                EventKind::Delivered {
                    from: 3,
                    msg: push(vec![None]),
                    ignored: false,
                },
            ),
            ev(
                ms(390) + 100,
                0,
                EventKind::Sent {
                    to: 3,
                    msg: reply(entry()),
                    duplicated: false,
                },
            ),
            ev(
                ms(390) + 200,
                3,
                EventKind::Delivered {
                    from: 0,
                    msg: reply(entry()),
                    ignored: false,
                },
            ),
        ];
        let conv = Convergence::from_events(4, 1, &events);
        assert_eq!(conv.exchanges, Some(3));
        assert_eq!(conv.rounds(), Some(0.75));
        assert!((conv.periods().unwrap() - 0.902).abs() < 1e-9);
        // Without m4's exchange, not every member held it.
        let conv = Convergence::from_events(4, 1, &events[..12]);
        assert_eq!((conv.exchanges, conv.rounds()), (None, None));
    }
}
