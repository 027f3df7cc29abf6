//! `dsw run raft`: the servers over UDP on loopback, each server's
//! persistent state (`current_term`, `voted_for`, `log[]`) in a file that
//! is written and fsynced before any message that depends on it is sent;
//! the leader crashed once it has committed an entry of its term, and
//! restarted from its file after [`DOWN_FOR`]. The run checks Figure 3's
//! properties on what happened, that a leader of a later term took over,
//! and that the restarted server came back with exactly what it had saved,
//! which holds every entry it had sent out as leader.
//!
//! The real run is not the checked configuration: the checker's cuts of
//! the timing (`candidates`, `contested`, `max_term`, `patient`, the
//! in-flight bounds) do not apply. Every server stands for election with a
//! randomized timeout (150..300 ms, §5.2), terms are unbounded, and each
//! new leader appends its client's command while the log is shorter than
//! `max_log` (at least [`MIN_LOG`], so that the successor has an entry of
//! its own term to commit, §5.4.2). A leader also sends AppendEntries to
//! every follower each [`HEARTBEAT`], "during idle periods to prevent
//! election timeouts" (Figure 2): the checker leaves that step out (it
//! changes nothing on a network that loses nothing), but on a real one it
//! holds elections off and is Raft's retransmission: a lost AppendEntries,
//! or its lost reply, is repeated at the next heartbeat; a lost RequestVote
//! or reply costs an election timeout and a new term.

use super::{Cmd, Command, LogEntry, RaftActor, RaftCfg, RaftMsg, RaftState, RaftStorage, Term};
use crate::registry::{Config, Params, RunOptions, RunReport};
use crate::runner::{self, Recorded, Runnable, Ticking};
use runtime::{Crash, EventKind};
use stateright::actor::{Actor, Id, Out};
use std::borrow::Cow;
use std::time::Duration;

/// The leader's idle-period AppendEntries, well under the election
/// timeout (150..300 ms): "broadcastTime ≪ electionTimeout" (§5.6).
pub const HEARTBEAT: Duration = Duration::from_millis(50);

/// How long the crashed leader stays down: longer than any election
/// timeout, so that the others elect a successor before it is back.
pub const DOWN_FOR: Duration = Duration::from_millis(500);

/// The shortest log a real run's leaders append to.
pub const MIN_LOG: usize = 4;

/// Raft's tick on a real run: a leader sends each follower AppendEntries
/// from its `next_index` on (a heartbeat when the follower lacks nothing).
pub fn heartbeat<C: Cmd>(
    server: &RaftActor<C>,
    id: Id,
    state: &mut Cow<RaftState<C>>,
    o: &mut Out<RaftActor<C>>,
) {
    if state.is_leader() {
        for j in server.peers(id) {
            server.append_entries(state, j, o);
        }
    }
}

/// The configuration a real run uses (see the module doc).
pub fn real_cfg(cfg: RaftCfg) -> RaftCfg {
    RaftCfg {
        candidates: cfg.servers,
        max_term: 0,
        contested: 1,
        max_log: cfg.max_log.max(MIN_LOG),
        crashes: 0,
        max_in_flight: 0,
        max_per_link: 0,
        patient: false,
        ..cfg
    }
}

/// [`crate::runner::Runnable::crash`] for Raft: once, the leader, as soon
/// as it has committed an entry of its own term (the workload has
/// started), down for [`DOWN_FOR`].
pub fn crash_leader<'a, C: Cmd>(
    crashes: usize,
    states: impl IntoIterator<Item = Option<&'a RaftState<C>>>,
) -> Option<Crash> {
    if crashes > 0 {
        return None;
    }
    states.into_iter().enumerate().find_map(|(node, s)| {
        let s = s?;
        let committed_own = s.commit_index > 0 && s.term_at(s.commit_index) == s.current_term;
        (s.is_leader() && committed_own).then_some(Crash {
            node,
            down_for: DOWN_FOR,
        })
    })
}

/// The checks a run with a crash adds to the model's properties.
pub const NEW_LEADER: &str =
    "a new leader took over (a leader in a later term than the crashed one's)";
pub const RECOVERED: &str = "the restarted server recovered its persistent state (what it saved, holding every entry it sent as leader)";

/// What the crash and the restart show.
#[derive(Clone, Debug)]
pub struct Takeover<C = Command> {
    /// The crashed server, when, and the term it led.
    pub victim: usize,
    pub crashed_at: Duration,
    pub crashed_term: Term,
    /// What its storage file held when it crashed, and what it read back.
    pub stored: Option<RaftStorage<C>>,
    pub restored: Option<RaftStorage<C>>,
    pub restarted_at: Option<Duration>,
    /// Entries `(index, entry)` it had sent out as leader before the crash.
    pub shipped: Vec<(usize, LogEntry<C>)>,
    /// The first leader of a later term: who, its term, and when it first
    /// sent AppendEntries.
    pub successor: Option<(usize, Term, Duration)>,
    /// The victim's term at the end of the run.
    pub final_term: Term,
    /// Storage writes (each fsynced) over the run, all servers.
    pub writes: usize,
}

impl<C: Cmd> Takeover<C> {
    /// The successor's first AppendEntries, after the crash.
    pub fn new_leader_after(&self) -> Option<Duration> {
        self.successor
            .map(|(_, _, at)| at.saturating_sub(self.crashed_at))
    }

    /// The restarted server read back exactly what its file held at the
    /// crash, and that holds its term as leader and every entry it sent.
    pub fn recovered(&self) -> bool {
        let Some(restored) = &self.restored else {
            return false;
        };
        self.stored.as_ref() == Some(restored)
            && restored.current_term >= self.crashed_term
            && self
                .shipped
                .iter()
                .all(|(index, e)| restored.log.get(index - 1) == Some(e))
            && self.final_term >= restored.current_term
    }
}

fn storage<C: Cmd>(v: &Option<serde_json::Value>) -> Option<RaftStorage<C>> {
    serde_json::from_value(v.clone()?).ok()
}

/// The first crash of the run, and what followed it. `raft` finds Raft's
/// message in one of the run's (a module wrapping Raft's servers sends its
/// own messages too); `raft_state` Raft's state in a server's.
pub fn takeover<K, R, C>(
    rec: &Recorded<K, R>,
    raft: impl Fn(&R::Msg) -> Option<&RaftMsg<C>>,
    raft_state: impl Fn(&<K::Actor as Actor>::State) -> Option<&RaftState<C>>,
) -> Option<Takeover<C>>
where
    K: Runnable,
    R: Actor,
    C: Cmd,
{
    let events = &rec.run.events;
    let crash = events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Crash { .. }))?;
    let victim = events[crash].node;
    let EventKind::Crash { stored } = &events[crash].kind else {
        unreachable!("found above")
    };
    let mut t = Takeover {
        victim,
        crashed_at: events[crash].at,
        crashed_term: 0,
        stored: storage(stored),
        restored: None,
        restarted_at: None,
        shipped: Vec::new(),
        successor: None,
        final_term: 0,
        writes: 0,
    };
    for e in &events[..crash] {
        if let (
            true,
            EventKind::Sent { msg, .. } | EventKind::Lost { msg, .. } | EventKind::Cut { msg, .. },
        ) = (e.node == victim, &e.kind)
        {
            if let Some(RaftMsg::AppendEntries {
                term,
                prev_log_index,
                entries,
                ..
            }) = raft(msg)
            {
                t.crashed_term = t.crashed_term.max(*term);
                for (k, entry) in entries.iter().enumerate() {
                    let at = (prev_log_index + 1 + k, *entry);
                    if !t.shipped.contains(&at) {
                        t.shipped.push(at);
                    }
                }
            }
        }
    }
    for e in &events[crash..] {
        match &e.kind {
            EventKind::Restart { restored } if e.node == victim && t.restarted_at.is_none() => {
                t.restored = storage(restored);
                t.restarted_at = Some(e.at);
            }
            EventKind::Sent { msg, .. }
            | EventKind::Lost { msg, .. }
            | EventKind::Cut { msg, .. } => {
                if let Some(RaftMsg::AppendEntries { term, .. }) = raft(msg) {
                    if *term > t.crashed_term && t.successor.is_none() {
                        t.successor = Some((e.node, *term, e.at));
                    }
                }
            }
            _ => {}
        }
    }
    t.writes = rec.run.count(|k| matches!(k, EventKind::Stored { .. }));
    t.final_term = raft_state(&rec.state.actor_states[victim]).map_or(0, |s| s.current_term);
    Some(t)
}

/// One real run of `cfg` (already [`real_cfg`]), its report and what the
/// crash showed (none without a crash).
pub fn trial(
    cfg: RaftCfg,
    variant: &str,
    opts: &RunOptions,
) -> Result<(RunReport, Option<Takeover>), String> {
    let mut rec = runner::record(cfg, opts, |actor| Ticking {
        actor,
        period: HEARTBEAT,
        tick: heartbeat,
    })?;
    rec.run_only = runner::TickTimer::is_tick;
    let mut report = runner::report(&rec, variant);
    let takeover = takeover(&rec, itself, itself);
    if opts.own_crash() {
        report_takeover(&mut report, takeover.as_ref(), |i| rec.name(i));
    }
    Ok((report, takeover))
}

/// Raft's own message and state, as [`takeover`] asks for them.
fn itself<T>(t: &T) -> Option<&T> {
    Some(t)
}

/// What the crash showed, into the run's report: the storage writes, what
/// the victim held and read back, its successor, and the checks
/// [`NEW_LEADER`] and [`RECOVERED`] (both failed when no leader was
/// crashed).
pub fn report_takeover<C: Cmd>(
    report: &mut RunReport,
    takeover: Option<&Takeover<C>>,
    name: impl Fn(usize) -> String,
) {
    let Some(t) = takeover else {
        report.checks.push((NEW_LEADER.to_string(), false));
        report.checks.push((RECOVERED.to_string(), false));
        report
            .evidence
            .push("no leader was crashed: none committed an entry of its term".to_string());
        return;
    };
    report.observations.push(format!(
        "storage: {} writes, each fsynced before the step's messages were sent",
        t.writes
    ));
    let saved = |s: &Option<RaftStorage<C>>| match s {
        Some(s) => format!("term {}, log {:?}", s.current_term, s.log),
        None => "nothing".to_string(),
    };
    report.observations.push(format!(
        "{} led term {} and crashed holding {}; read back on restart: {}",
        name(t.victim),
        t.crashed_term,
        saved(&t.stored),
        saved(&t.restored)
    ));
    match (t.successor, t.new_leader_after()) {
        (Some((who, term, _)), Some(after)) => report.observations.push(format!(
            "new leader: {} in term {term}, its first AppendEntries {} ms after the crash",
            name(who),
            after.as_millis()
        )),
        _ => report
            .observations
            .push("new leader: none in a later term".to_string()),
    }
    report
        .checks
        .push((NEW_LEADER.to_string(), t.successor.is_some()));
    report.checks.push((RECOVERED.to_string(), t.recovered()));
}

/// `Protocol::run` for Raft: one run per seed, `opts.seed` on; with several
/// seeds, every check must hold in every run.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = real_cfg(RaftCfg::new(variant, params));
    let setup = format!(
        "{} servers, every one a candidate (election timeout 150..300 ms), terms unbounded, \
         heartbeat every {} ms, up to {} log entries{}",
        cfg.servers,
        HEARTBEAT.as_millis(),
        cfg.max_log,
        crash_words(opts)
    );
    over_seeds(setup, opts, |one| {
        let (report, t) = trial(cfg.clone(), variant, one)?;
        Ok((report, t.as_ref().and_then(Takeover::new_leader_after)))
    })
}

/// How a run's setup line describes the crash.
pub fn crash_words(opts: &RunOptions) -> String {
    if opts.own_crash() {
        format!(
            "; the leader is crashed once it commits an entry of its term, and restarts from its storage file {} ms later",
            DOWN_FOR.as_millis()
        )
    } else if opts.nemesis.is_some() {
        "; crashes only by the nemesis".to_string()
    } else {
        "; no crash (--no-crash)".to_string()
    }
}

/// One run per seed, `opts.seed` on, each by `trial` (which also gives the
/// time from the crash to the new leader): one report, each check held
/// only if it held in every run, a line per run and the mean time to the
/// new leader.
pub fn over_seeds(
    setup: String,
    opts: &RunOptions,
    trial: impl Fn(&RunOptions) -> Result<(RunReport, Option<Duration>), String>,
) -> Result<RunReport, String> {
    let runs = opts.seeds.max(1);
    if runs == 1 {
        let (mut report, _) = trial(opts)?;
        report.observations.insert(0, setup);
        return Ok(report);
    }
    let mut total: Option<RunReport> = None;
    let mut afters = Vec::new();
    for seed in opts.seed..opts.seed + runs {
        let one = RunOptions {
            seed,
            seeds: 1,
            ..opts.clone()
        };
        let (report, after) = trial(&one)?;
        afters.extend(after);
        let line = format!(
            "seed {seed}: {:.2} s, new leader {}",
            report.seconds,
            after.map_or("not seen".to_string(), |a| format!(
                "{} ms after the crash",
                a.as_millis()
            ))
        );
        let failed: Vec<String> = report
            .checks
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(name, _)| format!("seed {seed}: {name} VIOLATED"))
            .collect();
        let sum = total.get_or_insert_with(|| RunReport {
            sent: 0,
            received: 0,
            lost: 0,
            malformed: 0,
            seconds: 0.0,
            observations: vec![setup.clone()],
            evidence: Vec::new(),
            validation: Default::default(),
            ..report.clone()
        });
        sum.validation.add(&report.validation, seed);
        sum.sent += report.sent;
        sum.received += report.received;
        sum.lost += report.lost;
        sum.malformed += report.malformed;
        sum.seconds += report.seconds;
        sum.observations.push(line);
        for (check, (_, ok)) in sum.checks.iter_mut().zip(&report.checks) {
            check.1 &= ok;
        }
        sum.evidence.extend(failed);
        sum.evidence
            .extend(report.evidence.iter().map(|e| format!("seed {seed}: {e}")));
    }
    let mut sum = total.expect("at least one run");
    if opts.own_crash() && !afters.is_empty() {
        let ms: Vec<f64> = afters.iter().map(|a| a.as_secs_f64() * 1000.0).collect();
        let mean = ms.iter().sum::<f64>() / ms.len() as f64;
        let min = ms.iter().copied().fold(f64::INFINITY, f64::min);
        let max = ms.iter().copied().fold(0.0, f64::max);
        sum.observations.push(format!(
            "new leader after the crash: mean {mean:.0} ms (min {min:.0}, max {max:.0}; seen in {} of {runs} runs)",
            ms.len()
        ));
    }
    if sum.checks.iter().all(|(_, ok)| *ok) {
        sum.evidence.clear();
    }
    Ok(sum)
}
