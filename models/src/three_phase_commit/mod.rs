//! Three-phase commit, as [Skeen, "Nonblocking Commit Protocols" (SIGMOD
//! 1981)](https://doi.org/10.1145/582318.582339) introduced it: two-phase
//! commit with a pre-commit phase between the votes and the commit, so that
//! no site can be uncertain while another has committed; when the
//! coordinator fails the others finish with a termination protocol (a backup
//! collects every site's state and decides: Skeen §5; Bernstein, Hadzilacos
//! & Goodman 1987 §7.5).
//!
//! Fault model: by default the coordinator (TM) may crash and stay down
//! (crash-stop), links are reliable, and a crash is detected (Skeen's site
//! failures are reported: a perfect failure detector, modelled as a notice
//! each participant receives after the crash). RMs do not fail, so the
//! backup never does, and the termination rule may commit straight from a
//! committable state (Bernstein et al.'s two-step rule, which first moves the
//! uncertain sites to committable, matters only when the backup can fail). A
//! crash is one step: it never lands between two sends of a broadcast.
//! With `partition = 1` the network may instead cut the TM off from every RM
//! (messages across the cut are lost) while timeouts stay accurate, as in a
//! synchronous network: the RMs cannot tell the partition from a crash. With
//! `false_suspicion = 1` links stay reliable but timeouts may fire early (an
//! asynchronous network). The checker shows agreement (AC1) and commit
//! validity (AC3) holding and termination holding despite the crash
//! (non-blocking: two-phase-commit's `coordinator-crash` blocks on the same
//! crash); under a partition, or with timeouts that may fire early,
//! agreement is VIOLATED, the known flaw of 3PC (the RMs decide, so 3PC stays
//! non-blocking, at the price of atomicity). `no-precommit` and
//! `commit-when-uncertain` break agreement.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses and duplicates messages and every undecided actor repeats, on a
//! timer, the message it is waiting on an answer to: an RM its vote or its
//! ack to the TM, its report to the backup; the backup its state request
//! to the RMs that have not reported; and the failure detector its notice
//! of the crash. A TM or backup that has moved on answers a repeat with
//! where it is now (pre-commit, or its decision). Agreement and commit
//! validity hold, and under strong fairness (a message sent again and
//! again is delivered at last) every RM decides, crash or no crash.

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A participant (RM), by number: the TM is actor 0 and RM `r` (from 1) is
/// actor `r`. RM 1 is the first backup coordinator.
pub type Rm = usize;

/// An RM's state, Skeen's finite-state automaton: q, w, p, c, a.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RmState {
    /// q: has not voted.
    Working,
    /// w: voted yes, uncertain.
    Prepared,
    /// p: received pre-commit ("committable").
    PreCommitted,
    /// c
    Committed,
    /// a
    Aborted,
}

impl RmState {
    fn decided(self) -> bool {
        matches!(self, RmState::Committed | RmState::Aborted)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ThreePhaseMsg {
    /// RM `rm` votes yes.
    Prepared { rm: Rm },
    /// Phase 2: every RM voted yes; the TM is about to commit.
    PreCommit,
    /// RM `rm` is committable.
    Ack { rm: Rm },
    /// Phase 3 (or a backup's decision): commit.
    Commit,
    /// The TM's (or a backup's) decision: abort.
    Abort,
    /// The failure detector reports that the TM has crashed.
    CoordinatorFailed,
    /// Termination protocol: the backup asks for every RM's state.
    StateReq,
    /// Termination protocol: RM `rm`'s state, sent to the backup.
    Report { rm: Rm, state: RmState },
}

/// Steps each actor may take on its own; the checker fires a timer at any
/// time (the durations only shape real runs).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ThreePhaseTimer {
    /// A working RM votes yes.
    Prepare,
    /// A working RM aborts on its own (votes no).
    ChooseToAbort,
    /// The TM gives up waiting for votes and aborts.
    Abort,
    /// With `partition` or `false_suspicion`: the TM gives up waiting for
    /// acks and commits (Skeen's timeout transition from p: every site voted
    /// yes).
    AckTimeout,
    /// `false_suspicion`: an RM that voted gives up on the TM and starts the
    /// termination protocol.
    SuspectTm,
    /// `false_suspicion`: an RM gives up on the backup it reported to.
    SuspectBackup,
    /// With `retransmit`: an undecided actor repeats what it waits on an
    /// answer to (see `on_timeout`).
    Retransmit,
}

/// The fault, as a choice made once at the TM: fairness makes it choose
/// eventually, and any option may be chosen, so a fault may happen and is
/// never forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Fault {
    /// The TM stops for good.
    Crash,
    /// The network cuts the TM off from every RM for good: what it sends
    /// from now on is lost, and so is what is sent to it. The TM lives on.
    Partition,
    /// No fault in this run.
    NoFault,
}

/// `tmState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TmState {
    Init,
    PreCommitted,
    Committed,
    Aborted,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ThreePhaseState {
    Tm {
        tm_state: TmState,
        /// RMs that voted yes.
        tm_prepared: BTreeSet<Rm>,
        /// RMs that acknowledged pre-commit.
        acks: BTreeSet<Rm>,
        crashed: bool,
        /// The network's state, not the TM's knowledge: the TM is cut off
        /// (its sends and receipts are lost; it never reads this otherwise).
        partitioned: bool,
    },
    Rm {
        rm_state: RmState,
        /// History variable: this RM voted yes (AC3 is about votes).
        voted_yes: bool,
        // termination protocol
        /// The TM is down (or suspected, with `false_suspicion`).
        tm_failed: bool,
        /// RMs this one believes down (only with `false_suspicion`).
        suspects: BTreeSet<Rm>,
        /// As backup: the states reported to it.
        reports: BTreeMap<Rm, RmState>,
    },
}

impl std::fmt::Debug for ThreePhaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ThreePhaseState::Tm {
                tm_state,
                tm_prepared,
                acks,
                crashed,
                partitioned,
            } => {
                let mut s = f.debug_struct("Tm");
                s.field("tm_state", tm_state)
                    .field("tm_prepared", tm_prepared);
                if !acks.is_empty() {
                    s.field("acks", acks);
                }
                if *crashed {
                    s.field("crashed", crashed);
                }
                if *partitioned {
                    s.field("partitioned", partitioned);
                }
                s.finish()
            }
            ThreePhaseState::Rm {
                rm_state,
                voted_yes,
                tm_failed,
                suspects,
                reports,
            } => {
                let mut s = f.debug_struct("Rm");
                s.field("rm_state", rm_state).field("voted_yes", voted_yes);
                if *tm_failed {
                    s.field("tm_failed", tm_failed);
                }
                if !suspects.is_empty() {
                    s.field("suspects", suspects);
                }
                if !reports.is_empty() {
                    s.field("reports", reports);
                }
                s.finish()
            }
        }
    }
}

/// Known bugs, each one rule of 3PC weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// The TM commits as soon as every RM voted yes, with no pre-commit
    /// phase: two-phase commit with 3PC's termination protocol. Must violate
    /// "agreement" (an uncertain backup aborts while the TM's commit is on
    /// its way).
    NoPreCommit,
    /// The backup commits when every RM is uncertain (voted yes), as if
    /// "all voted yes" meant committable. Must violate "agreement" (the TM
    /// may have aborted: Skeen's rule that no uncertain state may lead to
    /// commit).
    CommitWhenUncertain,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NoPreCommit, Bug::CommitWhenUncertain];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoPreCommit => "no-precommit",
            Bug::CommitWhenUncertain => "commit-when-uncertain",
        }
    }
}

#[derive(Clone, Debug)]
pub enum ThreePhaseActor {
    Tm {
        rms: Vec<Id>,
        bug: Bug,
        may_crash: bool,
        /// The network may cut the TM off from every RM.
        partition: bool,
        /// Timeouts may fire early (an asynchronous network).
        suspicion: bool,
        /// Repeats on a timer (see [`ThreePhaseCfg::retransmit`]).
        retransmit: bool,
    },
    Rm {
        rm: Rm,
        /// Every actor's id, the TM first.
        ids: Vec<Id>,
        bug: Bug,
        /// Timeouts may fire early (an asynchronous network): an RM may
        /// suspect a TM or backup that is alive.
        suspicion: bool,
        /// Repeats on a timer (see [`ThreePhaseCfg::retransmit`]).
        retransmit: bool,
    },
}

/// The backup's decision over every state it knows (Bernstein et al. 1987
/// §7.5, 3PC's termination protocol): an abort or a commit stands; a
/// committable site means the TM decided to commit; if every site is
/// uncertain or has not voted, nobody can have committed, and the TM may
/// have aborted, so abort.
fn termination_rule(states: &[RmState], bug: Bug) -> RmState {
    let committable = states.contains(&RmState::Committed)
        || states.contains(&RmState::PreCommitted)
        // The bug: "everyone voted yes" taken for "committable".
        || bug == Bug::CommitWhenUncertain && states.iter().all(|s| *s == RmState::Prepared);
    if !states.contains(&RmState::Aborted) && committable {
        RmState::Committed
    } else {
        RmState::Aborted
    }
}

impl ThreePhaseActor {
    /// This RM's backup: the lowest-numbered RM it does not suspect.
    fn backup(ids: &[Id], suspects: &BTreeSet<Rm>) -> Rm {
        (1..ids.len())
            .find(|r| !suspects.contains(r))
            .unwrap_or(ids.len())
    }

    /// Termination protocol, once the TM is down: report to the backup, or,
    /// as the backup, decide when every RM it does not suspect has reported.
    fn terminate(
        rm: Rm,
        ids: &[Id],
        bug: Bug,
        suspicion: bool,
        state: &mut ThreePhaseState,
        o: &mut Out<Self>,
    ) {
        let ThreePhaseState::Rm {
            rm_state,
            tm_failed: true,
            suspects,
            reports,
            ..
        } = state
        else {
            return;
        };
        let backup = Self::backup(ids, suspects);
        if backup != rm {
            return;
        }
        let waiting =
            (1..ids.len()).any(|r| r != rm && !suspects.contains(&r) && !reports.contains_key(&r));
        if waiting || rm_state.decided() {
            return;
        }
        let mut states: Vec<RmState> = reports.values().copied().collect();
        states.push(*rm_state);
        let decision = termination_rule(&states, bug);
        *rm_state = decision;
        reports.clear();
        let msg = if decision == RmState::Committed {
            ThreePhaseMsg::Commit
        } else {
            ThreePhaseMsg::Abort
        };
        for r in (1..ids.len()).filter(|r| *r != rm) {
            o.send(ids[r], msg.clone());
        }
        if suspicion {
            o.cancel_timer(ThreePhaseTimer::SuspectTm);
            o.cancel_timer(ThreePhaseTimer::SuspectBackup);
        }
    }

    /// The RM learns (or, with `false_suspicion`, guesses) that the TM is down: the
    /// backup asks every RM for its state, the others report to it.
    fn tm_down(&self, state: &mut Cow<ThreePhaseState>, o: &mut Out<Self>) {
        let ThreePhaseActor::Rm {
            rm,
            ids,
            bug,
            suspicion,
            ..
        } = self
        else {
            return;
        };
        let s = state.to_mut();
        let ThreePhaseState::Rm {
            rm_state,
            tm_failed,
            suspects,
            ..
        } = s
        else {
            return;
        };
        *tm_failed = true;
        let backup = Self::backup(ids, suspects);
        if backup != *rm {
            o.send(
                ids[backup],
                ThreePhaseMsg::Report {
                    rm: *rm,
                    state: *rm_state,
                },
            );
            if *suspicion {
                o.set_timer(ThreePhaseTimer::SuspectBackup, durations::SUSPECT);
            }
        } else {
            for r in (1..ids.len()).filter(|r| *r != *rm && !suspects.contains(r)) {
                o.send(ids[r], ThreePhaseMsg::StateReq);
            }
        }
        Self::terminate(*rm, ids, *bug, *suspicion, s, o);
    }
}

impl Actor for ThreePhaseActor {
    type Msg = ThreePhaseMsg;
    type Timer = ThreePhaseTimer;
    type State = ThreePhaseState;
    type Storage = ();
    type Random = Fault;

    fn name(&self) -> String {
        match self {
            ThreePhaseActor::Tm { .. } => "TM".into(),
            ThreePhaseActor::Rm { rm, .. } => format!("RM{rm}"),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> Self::State {
        match self {
            ThreePhaseActor::Tm {
                may_crash,
                partition,
                ..
            } => {
                o.set_timer(ThreePhaseTimer::Abort, durations::ABORT);
                let mut faults = Vec::new();
                if *may_crash {
                    faults.push(Fault::Crash);
                }
                if *partition {
                    faults.push(Fault::Partition);
                }
                if !faults.is_empty() {
                    faults.push(Fault::NoFault);
                    o.choose_random("fault", faults);
                }
                ThreePhaseState::Tm {
                    tm_state: TmState::Init,
                    tm_prepared: BTreeSet::new(),
                    acks: BTreeSet::new(),
                    crashed: false,
                    partitioned: false,
                }
            }
            ThreePhaseActor::Rm { .. } => {
                o.set_timer(ThreePhaseTimer::Prepare, durations::PREPARE);
                o.set_timer(ThreePhaseTimer::ChooseToAbort, durations::CHOOSE_TO_ABORT);
                ThreePhaseState::Rm {
                    rm_state: RmState::Working,
                    voted_yes: false,
                    tm_failed: false,
                    suspects: BTreeSet::new(),
                    reports: BTreeMap::new(),
                }
            }
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        src: Id,
        msg: Self::Msg,
        o: &mut Out<Self>,
    ) {
        match (self, state.as_ref(), msg) {
            // Phase 1 ends when every RM voted yes: phase 2 sends pre-commit
            // (Skeen §4: "the coordinator ... sends a prepare message").
            (
                ThreePhaseActor::Tm {
                    rms,
                    bug,
                    partition,
                    suspicion,
                    ..
                },
                ThreePhaseState::Tm {
                    tm_state: TmState::Init,
                    tm_prepared,
                    crashed: false,
                    partitioned: false,
                    ..
                },
                ThreePhaseMsg::Prepared { rm },
            ) if !tm_prepared.contains(&rm) => {
                let all = tm_prepared.len() + 1 == rms.len();
                if let ThreePhaseState::Tm {
                    tm_state,
                    tm_prepared,
                    ..
                } = state.to_mut()
                {
                    tm_prepared.insert(rm);
                    if all {
                        o.cancel_timer(ThreePhaseTimer::Abort);
                        // The bug: straight to commit, as 2PC does.
                        if *bug == Bug::NoPreCommit {
                            *tm_state = TmState::Committed;
                            o.broadcast(rms, &ThreePhaseMsg::Commit);
                        } else {
                            *tm_state = TmState::PreCommitted;
                            o.broadcast(rms, &ThreePhaseMsg::PreCommit);
                            if *suspicion || *partition {
                                o.set_timer(ThreePhaseTimer::AckTimeout, durations::SUSPECT);
                            }
                        }
                    }
                }
            }
            // A vote again, after the TM moved on: the RM has not heard
            // the pre-commit or the decision (lost) and repeats its vote.
            // The TM sends where it is now, to that RM: what it sent to
            // every RM already (Skeen §4's messages, repeated, not new).
            (
                ThreePhaseActor::Tm {
                    retransmit: true, ..
                },
                ThreePhaseState::Tm {
                    tm_state:
                        tm_state @ (TmState::PreCommitted | TmState::Committed | TmState::Aborted),
                    crashed: false,
                    partitioned: false,
                    ..
                },
                ThreePhaseMsg::Prepared { .. },
            ) => {
                let msg = match tm_state {
                    TmState::PreCommitted => ThreePhaseMsg::PreCommit,
                    TmState::Committed => ThreePhaseMsg::Commit,
                    _ => ThreePhaseMsg::Abort,
                };
                o.send(src, msg);
            }
            // An ack again, after the TM committed: its commit to this RM
            // was lost; the same commit again.
            (
                ThreePhaseActor::Tm {
                    retransmit: true, ..
                },
                ThreePhaseState::Tm {
                    tm_state: TmState::Committed,
                    crashed: false,
                    partitioned: false,
                    ..
                },
                ThreePhaseMsg::Ack { .. },
            ) => o.send(src, ThreePhaseMsg::Commit),
            // Phase 3: every RM is committable, so commit.
            (
                ThreePhaseActor::Tm { rms, .. },
                ThreePhaseState::Tm {
                    tm_state: TmState::PreCommitted,
                    acks,
                    crashed: false,
                    partitioned: false,
                    ..
                },
                ThreePhaseMsg::Ack { rm },
            ) if !acks.contains(&rm) => {
                let all = acks.len() + 1 == rms.len();
                if let ThreePhaseState::Tm { tm_state, acks, .. } = state.to_mut() {
                    acks.insert(rm);
                    if all {
                        *tm_state = TmState::Committed;
                        o.cancel_timer(ThreePhaseTimer::AckTimeout);
                        o.broadcast(rms, &ThreePhaseMsg::Commit);
                    }
                }
            }
            // An uncertain RM becomes committable and acknowledges.
            (
                ThreePhaseActor::Rm { rm, ids, .. },
                ThreePhaseState::Rm {
                    rm_state: RmState::Prepared,
                    ..
                },
                ThreePhaseMsg::PreCommit,
            ) => {
                if let ThreePhaseState::Rm { rm_state, .. } = state.to_mut() {
                    *rm_state = RmState::PreCommitted;
                }
                o.send(ids[0], ThreePhaseMsg::Ack { rm: *rm });
            }
            // A pre-commit again (the RM's ack was lost and it repeated
            // it, or the TM answered a repeated vote): acknowledge again.
            (
                ThreePhaseActor::Rm {
                    rm,
                    ids,
                    retransmit: true,
                    ..
                },
                ThreePhaseState::Rm {
                    rm_state: RmState::PreCommitted,
                    tm_failed: false,
                    ..
                },
                ThreePhaseMsg::PreCommit,
            ) => o.send(ids[0], ThreePhaseMsg::Ack { rm: *rm }),
            // Commit or abort, from the TM or a backup.
            (
                ThreePhaseActor::Rm { suspicion, .. },
                ThreePhaseState::Rm { rm_state, .. },
                msg @ (ThreePhaseMsg::Commit | ThreePhaseMsg::Abort),
            ) if !rm_state.decided() => {
                if let ThreePhaseState::Rm {
                    rm_state, reports, ..
                } = state.to_mut()
                {
                    *rm_state = if msg == ThreePhaseMsg::Commit {
                        RmState::Committed
                    } else {
                        RmState::Aborted
                    };
                    reports.clear();
                }
                for t in [
                    ThreePhaseTimer::Prepare,
                    ThreePhaseTimer::ChooseToAbort,
                    ThreePhaseTimer::Retransmit,
                ] {
                    o.cancel_timer(t);
                }
                if *suspicion {
                    o.cancel_timer(ThreePhaseTimer::SuspectTm);
                    o.cancel_timer(ThreePhaseTimer::SuspectBackup);
                }
            }
            // Termination protocol: the failure detector reports the TM down.
            (
                ThreePhaseActor::Rm { .. },
                ThreePhaseState::Rm {
                    rm_state,
                    tm_failed: false,
                    ..
                },
                ThreePhaseMsg::CoordinatorFailed,
            ) if !rm_state.decided() => self.tm_down(state, o),
            // Termination protocol: as backup, collect a state.
            (
                ThreePhaseActor::Rm {
                    rm,
                    ids,
                    bug,
                    suspicion,
                    ..
                },
                ThreePhaseState::Rm { rm_state, .. },
                ThreePhaseMsg::Report { rm: from, state: s },
            ) if !rm_state.decided() => {
                let st = state.to_mut();
                if let ThreePhaseState::Rm {
                    reports, tm_failed, ..
                } = st
                {
                    reports.insert(from, s);
                    // A report means the TM is down (or suspected).
                    if !*tm_failed {
                        self.tm_down(state, o);
                        return;
                    }
                }
                Self::terminate(*rm, ids, *bug, *suspicion, st, o);
            }
            // Termination protocol: any RM tells the backup its state; an
            // undecided one now knows the TM is down.
            (
                ThreePhaseActor::Rm { rm, suspicion, .. },
                ThreePhaseState::Rm {
                    rm_state,
                    tm_failed,
                    ..
                },
                ThreePhaseMsg::StateReq,
            ) => {
                o.send(
                    src,
                    ThreePhaseMsg::Report {
                        rm: *rm,
                        state: *rm_state,
                    },
                );
                if !rm_state.decided() && !*tm_failed {
                    if let ThreePhaseState::Rm { tm_failed, .. } = state.to_mut() {
                        *tm_failed = true;
                    }
                    if *suspicion {
                        o.set_timer(ThreePhaseTimer::SuspectBackup, durations::SUSPECT);
                    }
                }
            }
            // A decided RM answers a late report with its decision.
            (
                ThreePhaseActor::Rm { ids, .. },
                ThreePhaseState::Rm { rm_state, .. },
                ThreePhaseMsg::Report { rm: from, .. },
            ) => {
                let msg = if *rm_state == RmState::Committed {
                    ThreePhaseMsg::Commit
                } else {
                    ThreePhaseMsg::Abort
                };
                o.send(ids[from], msg);
            }
            _ => {}
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        timer: &Self::Timer,
        o: &mut Out<Self>,
    ) {
        match (self, state.as_ref(), timer) {
            // The RM votes yes.
            (
                ThreePhaseActor::Rm {
                    rm,
                    ids,
                    suspicion,
                    retransmit,
                    ..
                },
                ThreePhaseState::Rm {
                    rm_state: RmState::Working,
                    ..
                },
                ThreePhaseTimer::Prepare,
            ) => {
                if *retransmit {
                    o.set_timer(ThreePhaseTimer::Retransmit, durations::RETRANSMIT);
                }
                if let ThreePhaseState::Rm {
                    rm_state,
                    voted_yes,
                    ..
                } = state.to_mut()
                {
                    *rm_state = RmState::Prepared;
                    *voted_yes = true;
                }
                o.cancel_timer(ThreePhaseTimer::ChooseToAbort);
                o.send(ids[0], ThreePhaseMsg::Prepared { rm: *rm });
                if *suspicion {
                    o.set_timer(ThreePhaseTimer::SuspectTm, durations::SUSPECT);
                }
            }
            // The RM votes no: it aborts on its own (q is adjacent to a).
            (
                ThreePhaseActor::Rm { .. },
                ThreePhaseState::Rm {
                    rm_state: RmState::Working,
                    ..
                },
                ThreePhaseTimer::ChooseToAbort,
            ) => {
                if let ThreePhaseState::Rm { rm_state, .. } = state.to_mut() {
                    *rm_state = RmState::Aborted;
                }
                o.cancel_timer(ThreePhaseTimer::Prepare);
            }
            // Retransmission. Skeen's protocols assume a network that
            // loses nothing (§2: a site failure is the only failure, and it
            // is detected); on one that loses, an undecided RM could wait
            // forever for an answer to a lost message, blocking as 2PC
            // does. So it repeats the message it waits on an answer to, as
            // 2PC's and 3PC's timeout actions re-ask (Bernstein et al. 1987
            // §7.4-7.5): its vote (uncertain) or its ack (committable) to
            // the TM, or, once the TM is down, its report to its backup. A
            // backup repeats its state request to the RMs that have not
            // reported. Each repeat is a message already sent, and each
            // receiver answers it as it answered the first.
            (
                ThreePhaseActor::Rm { rm, ids, .. },
                ThreePhaseState::Rm {
                    rm_state,
                    tm_failed,
                    suspects,
                    reports,
                    ..
                },
                ThreePhaseTimer::Retransmit,
            ) if !rm_state.decided() => {
                let rm = *rm;
                let backup = Self::backup(ids, suspects);
                match (tm_failed, rm_state) {
                    (false, RmState::Prepared) => o.send(ids[0], ThreePhaseMsg::Prepared { rm }),
                    (false, RmState::PreCommitted) => o.send(ids[0], ThreePhaseMsg::Ack { rm }),
                    (true, _) if backup != rm => o.send(
                        ids[backup],
                        ThreePhaseMsg::Report {
                            rm,
                            state: *rm_state,
                        },
                    ),
                    (true, _) => {
                        for r in (1..ids.len()).filter(|r| {
                            *r != rm && !suspects.contains(r) && !reports.contains_key(r)
                        }) {
                            o.send(ids[r], ThreePhaseMsg::StateReq);
                        }
                    }
                    _ => {}
                }
                o.set_timer(ThreePhaseTimer::Retransmit, durations::RETRANSMIT);
            }
            // The failure detector repeats its notice: a perfect detector
            // eventually suspects a crashed site "permanently" at every
            // correct site (Chandra & Toueg 1996, "Unreliable failure
            // detectors", the definition of strong completeness), which on
            // a lossy network takes telling it again. The crashed TM's
            // actor stands in for the detector, as its first notice does
            // (see `on_random`).
            (
                ThreePhaseActor::Tm { rms, .. },
                ThreePhaseState::Tm { crashed: true, .. },
                ThreePhaseTimer::Retransmit,
            ) => {
                o.broadcast(rms, &ThreePhaseMsg::CoordinatorFailed);
                o.set_timer(ThreePhaseTimer::Retransmit, durations::RETRANSMIT);
            }
            // The TM aborts while collecting votes (a no vote or a timeout).
            (
                ThreePhaseActor::Tm { rms, .. },
                ThreePhaseState::Tm {
                    tm_state: TmState::Init,
                    crashed: false,
                    partitioned,
                    ..
                },
                ThreePhaseTimer::Abort,
            ) => {
                if !*partitioned {
                    o.broadcast(rms, &ThreePhaseMsg::Abort);
                }
                if let ThreePhaseState::Tm { tm_state, .. } = state.to_mut() {
                    *tm_state = TmState::Aborted;
                }
            }
            // The TM commits without every ack: Skeen's timeout transition
            // from p (a site that does not ack is taken for failed). In a
            // synchronous network the timeout is accurate: it fires only
            // when the acks are lost (`partition`); with `false_suspicion`
            // it may fire while they are merely late.
            (
                ThreePhaseActor::Tm { rms, suspicion, .. },
                ThreePhaseState::Tm {
                    tm_state: TmState::PreCommitted,
                    crashed: false,
                    partitioned,
                    ..
                },
                ThreePhaseTimer::AckTimeout,
            ) if *suspicion || *partitioned => {
                if !*partitioned {
                    o.broadcast(rms, &ThreePhaseMsg::Commit);
                }
                if let ThreePhaseState::Tm { tm_state, .. } = state.to_mut() {
                    *tm_state = TmState::Committed;
                }
            }
            // An accurate timeout does not fire while the acks can still
            // come: the timer stays set, and this is no step at all.
            (
                ThreePhaseActor::Tm { .. },
                ThreePhaseState::Tm {
                    tm_state: TmState::PreCommitted,
                    crashed: false,
                    ..
                },
                ThreePhaseTimer::AckTimeout,
            ) => o.set_timer(ThreePhaseTimer::AckTimeout, durations::SUSPECT),
            // `false_suspicion`: an RM that voted suspects the TM.
            (
                ThreePhaseActor::Rm { .. },
                ThreePhaseState::Rm {
                    rm_state,
                    tm_failed: false,
                    ..
                },
                ThreePhaseTimer::SuspectTm,
            ) if !rm_state.decided() => self.tm_down(state, o),
            // `false_suspicion`: an RM suspects its backup and reports to the next.
            (
                ThreePhaseActor::Rm { rm, ids, .. },
                ThreePhaseState::Rm {
                    rm_state,
                    tm_failed: true,
                    suspects,
                    ..
                },
                ThreePhaseTimer::SuspectBackup,
            ) if !rm_state.decided() => {
                let backup = Self::backup(ids, suspects);
                if backup == *rm {
                    return;
                }
                if let ThreePhaseState::Rm { suspects, .. } = state.to_mut() {
                    suspects.insert(backup);
                }
                self.tm_down(state, o);
            }
            _ => {}
        }
    }

    fn on_random(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        random: &Self::Random,
        o: &mut Out<Self>,
    ) {
        let ThreePhaseActor::Tm {
            rms,
            suspicion,
            retransmit,
            ..
        } = self
        else {
            return;
        };
        match (state.as_ref(), random) {
            // The TM stops for good; the failure detector tells every RM
            // (only without `false_suspicion`, where it is perfect).
            (ThreePhaseState::Tm { crashed: false, .. }, Fault::Crash) => {
                if let ThreePhaseState::Tm { crashed, .. } = state.to_mut() {
                    *crashed = true;
                }
                o.cancel_timer(ThreePhaseTimer::Abort);
                o.cancel_timer(ThreePhaseTimer::AckTimeout);
                if !*suspicion {
                    o.broadcast(rms, &ThreePhaseMsg::CoordinatorFailed);
                    if *retransmit {
                        o.set_timer(ThreePhaseTimer::Retransmit, durations::RETRANSMIT);
                    }
                }
            }
            // The TM is cut off. Nothing more arrives from it, so the RMs'
            // timeouts fire exactly as on a crash (the same notice: in a
            // synchronous network a timeout cannot tell the two apart), while
            // the TM lives on and its own timeouts fire on the lost votes or
            // acks (Skeen's model has site failures only, no partitions).
            (
                ThreePhaseState::Tm {
                    crashed: false,
                    partitioned: false,
                    ..
                },
                Fault::Partition,
            ) => {
                if let ThreePhaseState::Tm { partitioned, .. } = state.to_mut() {
                    *partitioned = true;
                }
                o.broadcast(rms, &ThreePhaseMsg::CoordinatorFailed);
            }
            _ => {}
        }
    }
}

type State = stateright::actor::ActorModelState<ThreePhaseActor>;

/// How long each step waits on a real network. The checker ignores them.
mod durations {
    use std::ops::Range;
    use std::time::Duration;

    const fn ms(a: u64, b: u64) -> Range<Duration> {
        Duration::from_millis(a)..Duration::from_millis(b)
    }
    pub const PREPARE: Range<Duration> = ms(1, 20);
    pub const CHOOSE_TO_ABORT: Range<Duration> = ms(15, 200);
    pub const ABORT: Range<Duration> = ms(150, 250);
    pub const SUSPECT: Range<Duration> = ms(300, 500);
    /// Several repeats per TM timeout.
    pub const RETRANSMIT: Range<Duration> = ms(20, 40);
}

fn rm_states(state: &State) -> impl Iterator<Item = (RmState, bool)> + '_ {
    state.actor_states.iter().filter_map(|s| match **s {
        ThreePhaseState::Rm {
            rm_state,
            voted_yes,
            ..
        } => Some((rm_state, voted_yes)),
        ThreePhaseState::Tm { .. } => None,
    })
}

fn tm_state(state: &State) -> TmState {
    match *state.actor_states[0] {
        ThreePhaseState::Tm { tm_state, .. } => tm_state,
        ThreePhaseState::Rm { .. } => TmState::Init,
    }
}

// Properties.

/// AC1: all processes that reach a decision reach the same one (Bernstein,
/// Hadzilacos & Goodman 1987, §7.2; Skeen 1981 §2: "all sites ... either
/// commit or abort"). The TM's decision counts too.
fn agreement(_: &ThreePhaseModel, state: &State) -> bool {
    let committed = rm_states(state).any(|(s, _)| s == RmState::Committed)
        || tm_state(state) == TmState::Committed;
    let aborted =
        rm_states(state).any(|(s, _)| s == RmState::Aborted) || tm_state(state) == TmState::Aborted;
    !(committed && aborted)
}

/// AC3: the Commit decision can only be reached if all processes voted Yes
/// (Bernstein et al. 1987, §7.2).
fn commit_validity(_: &ThreePhaseModel, state: &State) -> bool {
    let any_committed = rm_states(state).any(|(s, _)| s == RmState::Committed);
    !any_committed || rm_states(state).all(|(_, voted_yes)| voted_yes)
}

/// Non-blocking (Skeen 1981 §3: "a protocol is nonblocking if ... the
/// operational sites can terminate the transaction"): every RM eventually
/// decides, even if the TM crashes.
fn termination(_: &ThreePhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| s.decided())
}

/// Reachability: the transaction can commit at every RM.
fn all_committed(_: &ThreePhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| s == RmState::Committed)
}

/// Reachability: the transaction can abort at every RM.
fn all_aborted(_: &ThreePhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| s == RmState::Aborted)
}

/// Reachability: the TM crashed before it committed and the RMs still
/// committed, so by the termination protocol (Skeen 1981 §5): the crash
/// case is not vacuous.
fn committed_after_crash(_: &ThreePhaseModel, state: &State) -> bool {
    let crashed = matches!(
        *state.actor_states[0],
        ThreePhaseState::Tm { crashed: true, .. }
    );
    crashed
        && tm_state(state) != TmState::Committed
        && rm_states(state).all(|(s, _)| s == RmState::Committed)
}

/// Reachability: where two-phase commit blocks, 3PC decides. Every RM voted
/// yes and the TM crashed before deciding anything, the state in which
/// two-phase-commit's `coordinator-crash` stops for good (its prepared RMs
/// can only wait: Skeen 1981 §3, 2PC is blocking); here every RM has
/// decided all the same, by the termination protocol (§5).
fn decides_where_2pc_blocks(_: &ThreePhaseModel, state: &State) -> bool {
    let crashed_undecided = matches!(
        *state.actor_states[0],
        ThreePhaseState::Tm {
            crashed: true,
            tm_state: TmState::Init,
            ..
        }
    );
    crashed_undecided && rm_states(state).all(|(s, voted_yes)| voted_yes && s.decided())
}

// Configuration.

pub type ThreePhaseModel = ActorModel<ThreePhaseActor, ThreePhaseCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreePhaseCfg {
    pub rms: usize,
    /// 0: the TM never fails; 1: it may crash once and stay down.
    pub coordinator_crashes: usize,
    /// The network may cut the TM off from every RM for good (messages
    /// across the cut are lost); timeouts stay accurate, as in a synchronous
    /// network, so the RMs take the partition for a crash.
    pub partition: bool,
    /// Timeouts may fire early (an asynchronous network): sites may
    /// suspect a TM or backup that is alive. The network stays reliable.
    pub false_suspicion: bool,
    /// Undecided actors repeat on a timer what they wait on an answer to,
    /// and the network loses and duplicates messages: scenario `lossy`,
    /// and every real run (`dsw run three-phase-commit` sets it). Off by
    /// default; not with `partition` or `false_suspicion`.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for ThreePhaseCfg {
    /// Two RMs and a TM that may crash: the termination protocol runs.
    fn default() -> Self {
        ThreePhaseCfg {
            rms: 2,
            coordinator_crashes: 1,
            partition: false,
            false_suspicion: false,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for ThreePhaseCfg {
    type Model = ThreePhaseModel;

    fn new(variant: &str, params: &Params) -> Self {
        ThreePhaseCfg {
            rms: params["rms"] as usize,
            coordinator_crashes: params["coordinator_crashes"] as usize,
            partition: params["partition"] == 1,
            false_suspicion: params["false_suspicion"] == 1,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> ThreePhaseModel {
        crate::runner::indexed(self)
    }

    /// An RM's commit or abort is its decision.
    fn analyses(_model: &ThreePhaseModel) -> checker::Analyses<ThreePhaseModel> {
        checker::Analyses {
            decision: Some(checker::Decision {
                names: vec!["commit".into(), "abort".into()],
                decided: Box::new(|s: &State| {
                    rm_states(s).fold(0, |bits, (rm, _)| match rm {
                        RmState::Committed => bits | 1,
                        RmState::Aborted => bits | 2,
                        _ => bits,
                    })
                }),
            }),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for ThreePhaseCfg {
    type Actor = ThreePhaseActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.rms + 1
    }

    fn done(states: &[Option<ThreePhaseState>]) -> bool {
        states.iter().flatten().all(|s| match s {
            ThreePhaseState::Tm { .. } => true,
            ThreePhaseState::Rm { rm_state, .. } => rm_state.decided(),
        })
    }

    fn observations(states: &[ThreePhaseState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                ThreePhaseState::Tm {
                    tm_state, crashed, ..
                } => {
                    let crashed = if *crashed { ", crashed" } else { "" };
                    format!("TM: {tm_state:?}{crashed}")
                }
                ThreePhaseState::Rm {
                    rm_state,
                    voted_yes,
                    tm_failed,
                    ..
                } => {
                    let vote = if *voted_yes { "yes" } else { "no" };
                    let how = if *tm_failed {
                        ", after learning the TM was down"
                    } else {
                        ""
                    };
                    format!("RM{i}: {rm_state:?} (voted {vote}){how}")
                }
            })
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> ThreePhaseModel {
        let tm = ThreePhaseActor::Tm {
            rms: ids[1..].to_vec(),
            bug: self.bug,
            may_crash: self.coordinator_crashes > 0,
            partition: self.partition,
            suspicion: self.false_suspicion,
            retransmit: self.retransmit,
        };
        let (bug, suspicion, retransmit) = (self.bug, self.false_suspicion, self.retransmit);
        let rms = (1..=self.rms).map(|rm| ThreePhaseActor::Rm {
            rm,
            ids: ids.to_vec(),
            bug,
            suspicion,
            retransmit,
        });
        // Reliable links by default; with retransmission they lose and
        // duplicate (Stateright's duplicating network keeps a message in
        // flight until it is lost).
        let (network, lossy) = if retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actor(tm)
            .actors(rms)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "agreement", agreement)
            .property(Expectation::Always, "commit validity", commit_validity)
            .property(Expectation::Eventually, "termination", termination)
            .property(Expectation::Sometimes, "all committed", all_committed)
            .property(Expectation::Sometimes, "all aborted", all_aborted)
            .property(
                Expectation::Sometimes,
                "committed after a crash",
                committed_after_crash,
            )
            .property(
                Expectation::Sometimes,
                "decides where 2PC blocks",
                decides_where_2pc_blocks,
            )
    }

    /// `dsw run three-phase-commit`: the configuration given, with
    /// `retransmit` on, as scenario `lossy` checks it: a real network may lose
    /// and duplicate (`--loss`, `--duplicate`), and without retransmission a
    /// lost vote, ack, report or decision would leave an RM waiting for good.
    /// With `partition` or `false_suspicion` the run is as configured.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: !self.partition && !self.false_suspicion,
            ..self
        }
    }
}

/// The report page's story: 2PC's block and 3PC's termination on one crash.
const NOTES: &str = "\
**The same coordinator crash, two protocols.** On the left, two-phase-commit's \
scenario `coordinator-crash`: every RM votes yes and the TM crashes before it \
decides. The prepared RMs may not abort (the TM may have committed) nor commit \
(it may have aborted), so they wait, and no step is enabled: 2PC blocks \
(Skeen 1981 §3). On the right, the shortest run of 3PC that reaches the same \
situation (every RM voted yes, the TM crashed undecided) and then decides \
(two RMs here, three on the left; the crash is the same): RM2 learns of the \
crash and reports its state, Prepared, to RM1, the backup coordinator; as no \
RM is committable, RM1 aborts and tells RM2 (the termination protocol, §5). 3PC can do this because of the rule the pre-commit phase enforces: no RM \
is ever uncertain while another has committed, so an all-uncertain group may \
safely abort. Scenarios `partition` and `false-suspicion` show the price: the \
same termination protocol run against a TM that is alive breaks agreement.

| two-phase-commit, `coordinator-crash`: blocked | three-phase-commit, `correct`: decided |
|---|---|
| ![sequence diagram: two-phase-commit coordinator-crash, termination violated](two-phase-commit/coordinator-crash-correct--termination.svg) | {{diagram: correct | decides where 2PC blocks}} |
";

pub static PROTOCOL: Protocol = Protocol {
    name: "three-phase-commit",
    section: "Distributed consensus and time",
    summary: "Two-phase commit plus a pre-commit phase and a termination protocol: non-blocking under crash-stop, unsafe under a partition or early timeouts",
    citations: &[
        "Skeen, Nonblocking Commit Protocols (SIGMOD 1981), §3-5",
        "Bernstein, Hadzilacos & Goodman, Concurrency Control and Recovery in Database Systems (1987), §7.2 and §7.5",
    ],
    notes: NOTES,
    params: &[
        ParamSpec {
            name: "rms",
            doc: "resource managers (participants)",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "coordinator_crashes",
            doc: "1 lets the TM crash and stay down (crash-stop)",
            default: 1,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "partition",
            doc: "1: the network may cut the TM off from every RM for good; timeouts stay accurate (synchronous)",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "false_suspicion",
            doc: "1: timeouts may fire early (asynchronous): sites may suspect a live TM or backup; links stay reliable",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: undecided RMs repeat their vote, ack or report, a backup its state request, the failure detector its notice, on a timer, and the network loses and duplicates messages (scenario lossy; every real run retransmits); 0: reliable links, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[crate::registry::ParamRule {
        doc: "retransmit = 1 needs partition = 0 and false_suspicion = 0",
        check: retransmit_fits,
    }],
    properties: &[
        PropertySpec {
            name: "agreement",
            kind: PropertyKind::Always,
            source: "AC1, Bernstein et al. 1987 §7.2; Skeen 1981 §2",
        },
        PropertySpec {
            name: "commit validity",
            kind: PropertyKind::Always,
            source: "AC3, Bernstein et al. 1987 §7.2",
        },
        PropertySpec {
            name: "termination",
            kind: PropertyKind::Eventually,
            source: "non-blocking, Skeen 1981 §3; AC5, Bernstein et al. 1987 §7.2",
        },
        PropertySpec {
            name: "all committed",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "all aborted",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "committed after a crash",
            kind: PropertyKind::Sometimes,
            source: "reachability: the termination protocol commits, Skeen 1981 §5",
        },
        PropertySpec {
            name: "decides where 2PC blocks",
            kind: PropertyKind::Sometimes,
            source: "reachability: every RM voted yes, the TM crashed undecided, and the RMs decide (Skeen 1981 §3: 2PC blocks there; §5: the termination protocol)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "3PC with the termination protocol; the TM may crash (crash-stop, detected), links are reliable: the RMs never block, where two-phase-commit's coordinator-crash does",
            expect: &[],
        },
        VariantSpec {
            name: "no-precommit",
            doc: "the TM commits as soon as every RM voted yes: 2PC with 3PC's termination protocol, which then can never commit after the crash (no RM is ever committable)",
            expect: &[
                ("agreement", Verdict::Violated),
                ("committed after a crash", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "commit-when-uncertain",
            doc: "the backup commits when every RM is uncertain",
            expect: &[("agreement", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "partition",
            doc: "the network may cut the TM off from the RMs for good, and nothing else goes wrong: timeouts are accurate (a synchronous network), so the RMs take the partition for a crash and the backup aborts on two uncertain states, while the TM, alive, times out on the lost acks and commits: atomicity VIOLATED, the known flaw of 3PC; every counterexample contains the partition step",
            variant: crate::registry::CORRECT,
            params: &[("partition", 1), ("coordinator_crashes", 0)],
            fairness: None,
            expect: &[
                ("agreement", Verdict::Violated),
                ("committed after a crash", Verdict::NoExample),
                ("decides where 2PC blocks", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's retransmitting actors on a network that loses and duplicates messages, the TM up: undecided RMs repeat their vote or ack, and the TM answers a repeat with where it is now. Agreement and commit validity hold and, under strong fairness (a message sent again and again is delivered at last), every RM decides. With the crash too (-p coordinator_crashes=1, the real run's default) the same holds on 908,336 states, minutes rather than seconds, so not part of the catalog",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1), ("coordinator_crashes", 0)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[
                ("committed after a crash", Verdict::NoExample),
                ("decides where 2PC blocks", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "false-suspicion",
            doc: "links are reliable and nothing fails, but timeouts may fire early (an asynchronous network): the TM commits on a timeout while an RM that suspected the live TM runs the termination protocol and aborts, atomicity VIOLATED: 3PC needs accurate failure detection",
            variant: crate::registry::CORRECT,
            params: &[("false_suspicion", 1), ("coordinator_crashes", 0)],
            fairness: None,
            expect: &[
                ("agreement", Verdict::Violated),
                ("committed after a crash", Verdict::NoExample),
                ("decides where 2PC blocks", Verdict::NoExample),
            ],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<ThreePhaseCfg>,
    explore: crate::registry::explore_config::<ThreePhaseCfg>,
    replay: crate::registry::replay_config::<ThreePhaseCfg>,
    compare: crate::registry::compare_config::<ThreePhaseCfg>,
    run: Some(crate::runner::run_config::<ThreePhaseCfg>),
};

/// Retransmission is for the fault model of scenario `lossy`: links that
/// lose, timeouts that are accurate. With `partition` or
/// `false_suspicion` 3PC already breaks agreement on reliable links.
fn retransmit_fits(params: &Params) -> Result<(), String> {
    for other in ["partition", "false_suspicion"] {
        if params["retransmit"] == 1 && params[other] == 1 {
            return Err(format!(
                "parameter {other} = 1 is out of range with retransmit = 1; it takes 0"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::BugVariant;

    #[test]
    fn registry_lists_every_bug_and_property_in_order() {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        let listed: Vec<&str> = PROTOCOL.variants.iter().map(|v| v.name).collect();
        assert_eq!(names, listed);
        let defaults = ThreePhaseCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, ThreePhaseCfg::default());
        let model = defaults.into_model();
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }

    /// Bernstein et al. 1987 §7.5: the termination rule's four cases.
    #[test]
    fn termination_rule_cases() {
        use RmState::*;
        let rule = |s: &[RmState]| termination_rule(s, Bug::None);
        assert_eq!(rule(&[Aborted, Prepared]), Aborted);
        assert_eq!(rule(&[Committed, PreCommitted]), Committed);
        assert_eq!(rule(&[PreCommitted, Prepared]), Committed);
        assert_eq!(rule(&[Prepared, Prepared]), Aborted);
        assert_eq!(rule(&[Working, Prepared]), Aborted);
    }

    fn check(params: &[(&'static str, i64)]) -> checker::CheckSummary {
        let mut p = PROTOCOL.default_params();
        p.extend(params.iter().copied());
        crate::registry::check_config::<ThreePhaseCfg>(
            crate::registry::CORRECT,
            &p,
            &checker::CheckOptions::default(),
            &mut |_| {},
        )
    }

    fn agreement_counterexample(s: &checker::CheckSummary) -> Option<&checker::Counterexample> {
        s.property("agreement")
            .and_then(|r| r.counterexample.as_ref())
    }

    /// The partition is what breaks atomicity: the same configuration
    /// without it keeps agreement (timeouts are accurate), and with it the
    /// shortest violation cuts the TM off, the backup aborts on two
    /// uncertain states and the TM, alive, commits on its ack timeout.
    #[test]
    fn every_agreement_violation_needs_the_partition() {
        let without = check(&[("coordinator_crashes", 0), ("partition", 0)]);
        assert!(agreement_counterexample(&without).is_none());
        let with = check(&[("coordinator_crashes", 0), ("partition", 1)]);
        let ce = agreement_counterexample(&with).expect("agreement violated");
        assert!(
            ce.steps
                .iter()
                .any(|s| s.kind == checker::StepKind::Random && s.label.contains("Partition")),
            "{ce:#?}"
        );
        assert!(ce.final_states[0].contains("Committed"), "{ce:#?}");
        assert!(
            ce.final_states.iter().any(|s| s.contains("Aborted")),
            "{ce:#?}"
        );
    }

    /// The real lesson: on a reliable network where nothing fails, a
    /// timeout that fires early is enough to break agreement.
    #[test]
    fn early_timeouts_break_agreement_with_no_fault_at_all() {
        let s = check(&[("coordinator_crashes", 0), ("false_suspicion", 1)]);
        let ce = agreement_counterexample(&s).expect("agreement violated");
        assert!(
            ce.steps.iter().all(|s| matches!(
                s.kind,
                checker::StepKind::Deliver | checker::StepKind::Timeout
            )),
            "{ce:#?}"
        );
    }

    /// Neither scenario blocks: the RMs always decide (3PC is non-blocking
    /// even when it is wrong); a termination failure would be the model's.
    #[test]
    fn no_scenario_blocks() {
        for params in [
            &[("coordinator_crashes", 0), ("partition", 1)][..],
            &[("coordinator_crashes", 0), ("false_suspicion", 1)][..],
            &[][..],
        ] {
            let s = check(params);
            assert_eq!(
                s.property("termination").map(|r| r.verdict),
                Some(Verdict::Holds),
                "{params:?}"
            );
        }
    }
}
