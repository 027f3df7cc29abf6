//! `dsw run raft-kv`: three servers and the clients over UDP on loopback,
//! each server's Raft state (`current_term`, `voted_for`, `log[]`) in a
//! file written and fsynced before any message that depends on it is sent,
//! the leader crashed once it has committed an entry of its term and
//! restarted from its file ([`crate::raft::run`] does the same for the log
//! alone). The run checks, on what really happened:
//!
//! - the model's `always` properties on the recorded run: "linearizable"
//!   (Stateright's tester, folded from the recorded requests and replies)
//!   and "exactly-once application";
//! - the clients' history, written out as a Jepsen-style history (the
//!   format of `dsw history`) and checked by the workbench's own
//!   linearizability checker, [`history`]: two checkers, one history;
//! - the servers' applied logs agree: no two servers ever applied
//!   different entries at one index (Figure 3's State Machine Safety),
//!   across the crash (what a server applied is kept with its log);
//! - a leader of a later term took over, and the restarted server read back
//!   exactly what it had saved ([`crate::raft::run`]'s checks).
//!
//! The real run is not the checked configuration: every server stands for
//! election with a randomized timeout, terms are unbounded, every client
//! runs its whole workload and retries until answered ([`RETRIES`] at
//! most), and the leader sends AppendEntries every
//! [`crate::raft::run::HEARTBEAT`], which is Raft's retransmission under
//! `--loss`. Crashes, the restart's replay of the log, loss, duplication
//! and reordering are in the real run only: the checked model has none of
//! them (see the module doc of [`super`]).

use super::{KvMsg, KvOp, KvRet, RaftKvActor, RaftKvCfg, RaftKvState, Seq};
use crate::raft::run::{self as raft_run, Takeover, HEARTBEAT};
use crate::raft::{LogEntry, RaftState};
use crate::registry::{Config, Params, RunOptions, RunReport};
use crate::runner::{self, Recorded, Ticking};
use runtime::EventKind;
use stateright::actor::{Id, Out};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Sends of one request beyond its first, at most, on a real run: more
/// than a run's length of retry timeouts, so a client gives up on nothing.
pub const RETRIES: u8 = 50;

/// The longest log on a real run: room for every request and its retries.
pub const MAX_LOG: usize = 64;

/// The check [`applied_logs_agree`] adds.
pub const LOGS_AGREE: &str =
    "the servers' applied logs agree (no index applied with two different entries)";
/// The check the history checker adds.
pub const HISTORY_LINEARIZABLE: &str =
    "the client history is linearizable (the history checker, dsw history)";

/// The configuration a real run uses (see the module doc).
pub fn real_cfg(cfg: RaftKvCfg) -> RaftKvCfg {
    RaftKvCfg {
        ops: 2,
        retries: RETRIES,
        retrying: cfg.clients,
        max_term: 0,
        max_log: MAX_LOG,
        candidates: cfg.servers,
        contested: 1,
        ..cfg
    }
}

/// The leader's idle-period AppendEntries (Figure 2), through the server's
/// state machine like every other Raft step.
pub(crate) fn heartbeat(
    actor: &RaftKvActor,
    id: Id,
    state: &mut Cow<RaftKvState>,
    o: &mut Out<RaftKvActor>,
) {
    if let RaftKvActor::Server(server) = actor {
        super::with_server(state, |s| {
            server.raft_step(s, o, |r, ro| raft_run::heartbeat(&server.raft, id, r, ro))
        });
    }
}

/// Raft's state in a server's.
fn raft_state(s: &RaftKvState) -> Option<&RaftState<super::KvCmd>> {
    match s {
        RaftKvState::Server(s) => Some(&s.raft),
        RaftKvState::Client(_) => None,
    }
}

/// What a server applied, by index, over the whole run: a server keeps
/// every `(index, entry)` it ever applied with its log (Raft's ghost
/// state), so a restarted server's first life counts too. The first index
/// two servers applied differently, if any.
pub fn applied_logs_agree<'a>(
    states: impl IntoIterator<Item = &'a RaftKvState>,
) -> Result<usize, String> {
    let mut at: BTreeMap<usize, LogEntry<super::KvCmd>> = BTreeMap::new();
    for s in states.into_iter().filter_map(raft_state) {
        for &(index, entry) in &s.ghost.applied {
            match at.get(&index) {
                Some(e) if *e != entry => {
                    return Err(format!("index {index} applied as {e:?} and as {entry:?}"))
                }
                _ => {
                    at.insert(index, entry);
                }
            }
        }
    }
    Ok(at.len())
}

/// The clients' history as `dsw history` reads it (Jepsen-style JSON
/// lines, key-value): a request's first send is its invocation, the reply
/// its client accepts (the first for the request in flight) its
/// completion, and an operation never answered stays open (it may or may
/// not have taken effect). `time` is the event's position in the run's
/// record. A `Get` of a key never written returns the empty string here
/// and `null` there.
pub fn client_history<R: stateright::actor::Actor<Msg = KvMsg>>(
    rec: &Recorded<RaftKvCfg, R>,
) -> String {
    let clients: Vec<bool> = rec
        .model
        .actors
        .iter()
        .map(|a| matches!(a, RaftKvActor::Client(_)))
        .collect();
    let mut invoked: BTreeMap<usize, (Seq, KvOp)> = BTreeMap::new();
    let mut returned: BTreeMap<usize, Seq> = BTreeMap::new();
    let mut lines = Vec::new();
    let line = |process: usize, kind: &str, op: KvOp, ret: Option<&KvRet>, time: usize| {
        let (f, key, value) = match (op, ret) {
            (KvOp::Get(k), Some(KvRet::Value(v))) if !v.is_empty() => {
                ("read", k, serde_json::json!(v))
            }
            (KvOp::Get(k), _) => ("read", k, serde_json::Value::Null),
            (KvOp::Put(k, v), _) => ("write", k, serde_json::json!(v.to_string())),
            (KvOp::Append(k, v), _) => ("append", k, serde_json::json!(v.to_string())),
        };
        serde_json::json!({
            "process": process,
            "type": kind,
            "f": f,
            "key": key.to_string(),
            "value": value,
            "time": time,
        })
        .to_string()
    };
    for (time, e) in rec.run.events.iter().enumerate() {
        match &e.kind {
            EventKind::Sent {
                msg: KvMsg::Request { seq, op },
                ..
            }
            | EventKind::Lost {
                msg: KvMsg::Request { seq, op },
                ..
            }
            | EventKind::Cut {
                msg: KvMsg::Request { seq, op },
                ..
            } if clients[e.node] && invoked.get(&e.node).is_none_or(|(s, _)| s < seq) => {
                invoked.insert(e.node, (*seq, *op));
                lines.push(line(e.node, "invoke", *op, None, time));
            }
            EventKind::Delivered {
                msg: KvMsg::Reply { seq, ret },
                ignored: false,
                ..
            } if clients[e.node]
                && invoked.get(&e.node).is_some_and(|(s, _)| s == seq)
                && returned.get(&e.node) != Some(seq) =>
            {
                returned.insert(e.node, *seq);
                let op = invoked[&e.node].1;
                lines.push(line(e.node, "ok", op, Some(ret), time));
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

/// One real run of `cfg` (already [`real_cfg`]), its report and what the
/// crash showed.
pub fn trial(
    cfg: RaftKvCfg,
    variant: &str,
    opts: &RunOptions,
) -> Result<(RunReport, Option<Takeover<super::KvCmd>>), String> {
    let mut rec = runner::record(cfg, opts, |actor| Ticking {
        actor,
        period: HEARTBEAT,
        tick: heartbeat,
    })?;
    rec.run_only = runner::TickTimer::is_tick;
    let mut report = runner::report(&rec, variant);
    match applied_logs_agree(rec.state.actor_states.iter().map(|s| &**s)) {
        Ok(n) => {
            report.observations.push(format!(
                "applied: {n} log entries, the same on every server that applied them"
            ));
            report.checks.push((LOGS_AGREE.to_string(), true));
        }
        Err(e) => {
            report.evidence.push(e);
            report.checks.push((LOGS_AGREE.to_string(), false));
        }
    }
    let text = client_history(&rec);
    let ops = text.lines().filter(|l| l.contains("\"invoke\"")).count();
    if let Some(dir) = &rec.run.storage_dir {
        let file = dir.join("history.jsonl");
        std::fs::write(&file, &text)
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        report.observations.push(format!(
            "client history: {} (dsw history {} --model kv)",
            file.display(),
            file.display()
        ));
    }
    let parsed = history::parse(&text, history::ModelKind::Kv)
        .map_err(|e| format!("the run's own history does not parse: {e:?}"))?;
    let verdict = history::check(&parsed);
    report.observations.push(format!(
        "client history: {ops} operations, {}",
        match &verdict {
            history::Verdict::Linearizable => "linearizable".to_string(),
            history::Verdict::NotLinearizable(f) => format!("NOT linearizable: {f:?}"),
        }
    ));
    let linearizable = verdict == history::Verdict::Linearizable;
    if !linearizable {
        report.evidence.push(format!("client history:\n{text}"));
    }
    report
        .checks
        .push((HISTORY_LINEARIZABLE.to_string(), linearizable));
    let takeover = raft_run::takeover(
        &rec,
        |m| match m {
            KvMsg::Raft(r) => Some(r),
            _ => None,
        },
        raft_state,
    );
    if opts.own_crash() {
        raft_run::report_takeover(&mut report, takeover.as_ref(), |i| rec.name(i));
    }
    Ok((report, takeover))
}

/// `Protocol::run` for raft-kv: one run per seed, `opts.seed` on.
pub fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    let cfg = real_cfg(RaftKvCfg::new(variant, params));
    let setup = format!(
        "{} servers, every one a candidate (election timeout 150..300 ms), terms unbounded, \
         heartbeat every {} ms; {} clients (client 0: Append(x, a), Get(x); client 1: Get(x), \
         Put(x, c)), each retrying until answered{}",
        cfg.servers,
        HEARTBEAT.as_millis(),
        cfg.clients,
        raft_run::crash_words(opts)
    );
    raft_run::over_seeds(setup, opts, |one| {
        let (report, t) = trial(cfg.clone(), variant, one)?;
        Ok((report, t.as_ref().and_then(Takeover::new_leader_after)))
    })
}
