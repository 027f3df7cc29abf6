//! Two-phase commit, as [Gray & Lamport, "Consensus on Transaction Commit"
//! (2006)](https://lamport.azurewebsites.net/video/consensus-on-transaction-commit.pdf)
//! §3 specifies it in TwoPhase.tla: resource managers (RMs) prepare or
//! choose to abort; the transaction manager (TM) commits once every RM is
//! prepared, or aborts, and tells the RMs.
//!
//! Fault model: unordered network that loses nothing and delivers each
//! message once; with `coordinator_crashes = 1` the TM may crash and stay
//! down (crash-stop). The crash may happen and need not: the TM must
//! eventually choose between `Crash` and `NoCrash` (a pending random choice
//! is a fair step), so fairness forces the choice, never the crash. The
//! checker shows AC1 (over the RMs and the TM's decision) and AC3 holding,
//! AC2 through "refines TCommit", termination holding without crashes and
//! the RMs blocking when the TM crashes (Gray & Lamport §3.3; not an AC5
//! violation, since AC5 assumes failures are repaired), `commit-on-majority`
//! breaking AC3 and AC1, and `prepared-rm-aborts` breaking AC1. AC4 is not
//! checked (see `PROTOCOL.notes`).
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses and duplicates messages, and a prepared RM sends its Prepared
//! again on a timer until it hears the decision; a TM that has decided
//! answers each repeated Prepared with the same decision. TwoPhase.tla's
//! `msgs` is a set of messages ever sent, so a repeated message is the same
//! message and every repetition is a stutter of the spec: AC1, AC3 and both
//! refinements hold, and under strong fairness (a message sent again and
//! again is delivered at last) every RM decides.

use crate::registry::{Config, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::{Expectation, Rewrite, RewritePlan};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// An RM, by number: the TM is actor 0 and RM `r` (from 1) is actor `r`.
pub type Rm = usize;

/// Messages of TwoPhase.tla's `Messages` set.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TwoPhaseMsg {
    /// `[type |-> "Prepared", rm |-> r]`: RM `r` is prepared to commit (votes yes).
    Prepared { rm: Rm },
    /// `[type |-> "Commit"]`: the TM's commit decision.
    Commit,
    /// `[type |-> "Abort"]`: the TM's abort decision.
    Abort,
}

/// Renaming RMs (symmetry reduction): an RM's number is its actor id.
fn rename_rm<S>(rm: Rm, plan: &RewritePlan<Id, S>) -> Rm {
    usize::from(plan.rewrite(&Id::from(rm)))
}

impl Rewrite<Id> for TwoPhaseMsg {
    fn rewrite<S>(&self, plan: &RewritePlan<Id, S>) -> Self {
        match self {
            TwoPhaseMsg::Prepared { rm } => TwoPhaseMsg::Prepared {
                rm: rename_rm(*rm, plan),
            },
            other => other.clone(),
        }
    }
}

/// The internal steps each actor may take on its own. To the checker a timer
/// is "this action is enabled" and fires at any time; the durations only
/// shape real runs (see [`durations`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TwoPhaseTimer {
    /// RMPrepare: a working RM prepares.
    Prepare,
    /// RMChooseToAbort: a working RM aborts on its own.
    ChooseToAbort,
    /// TMCommit: enabled once enough RMs are prepared.
    Commit,
    /// TMAbort: the TM may abort at any time before it decides (a timeout).
    Abort,
    /// With [`TwoPhaseCfg::retransmit`]: a prepared RM that has not heard
    /// the decision sends Prepared again (see `on_timeout`).
    Retransmit,
}

/// The fault model's choice for the TM, made by the checker (or, on a real
/// run, by a coin at start). A pending random choice is a fair step: the TM
/// eventually chooses one option. Fairness forces the choice, never the
/// crash, because `NoCrash` is offered too; a choice of `[Crash]` alone
/// would make the crash forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TwoPhaseFault {
    /// The TM crashes now and never recovers.
    Crash,
    /// The TM will not crash in this run: the choice is withdrawn.
    NoCrash,
}

/// `rmState[r]` of TwoPhase.tla.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RmState {
    Working,
    Prepared,
    Committed,
    Aborted,
}

/// `tmState` of TwoPhase.tla.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TmState {
    Init,
    Committed,
    Aborted,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TwoPhaseState {
    Tm {
        tm_state: TmState,
        /// `tmPrepared`: the RMs from which the TM has received Prepared.
        tm_prepared: BTreeSet<Rm>,
        /// The fault model's crash: the TM is gone for good (crash-stop) and
        /// takes no step; `tm_state` keeps the decision it had made.
        crashed: bool,
    },
    Rm {
        rm_state: RmState,
        /// History variable: this RM voted yes (prepared) at some point.
        /// AC3 is stated over votes, which `rmState` alone forgets.
        voted_yes: bool,
    },
}

impl Rewrite<Id> for TwoPhaseState {
    fn rewrite<S>(&self, plan: &RewritePlan<Id, S>) -> Self {
        match self {
            TwoPhaseState::Tm {
                tm_state,
                tm_prepared,
                crashed,
            } => TwoPhaseState::Tm {
                tm_state: *tm_state,
                tm_prepared: tm_prepared.iter().map(|&r| rename_rm(r, plan)).collect(),
                crashed: *crashed,
            },
            rm => rm.clone(),
        }
    }
}

impl Rewrite<Id> for TwoPhaseFault {
    fn rewrite<S>(&self, _: &RewritePlan<Id, S>) -> Self {
        *self
    }
}

/// As derived, but a TM that is up does not say so: only a crash shows.
impl std::fmt::Debug for TwoPhaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TwoPhaseState::Tm {
                tm_state,
                tm_prepared,
                crashed,
            } => {
                let mut tm = f.debug_struct("Tm");
                tm.field("tm_state", tm_state)
                    .field("tm_prepared", tm_prepared);
                if *crashed {
                    tm.field("crashed", crashed);
                }
                tm.finish()
            }
            TwoPhaseState::Rm {
                rm_state,
                voted_yes,
            } => f
                .debug_struct("Rm")
                .field("rm_state", rm_state)
                .field("voted_yes", voted_yes)
                .finish(),
        }
    }
}

/// Known bugs, each one rule of TwoPhase.tla weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// TMCommit is enabled once a majority of RMs is prepared, not all of
    /// them. Must violate "commit validity" (AC3) and "agreement" (AC1).
    CommitOnMajority,
    /// RMChooseToAbort is enabled in `Prepared` too: an RM that voted yes
    /// still aborts on its own, the classic 2PC error (a prepared RM must
    /// wait for the TM). Must violate "agreement" (AC1) and both
    /// refinements.
    PreparedRmAborts,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::CommitOnMajority, Bug::PreparedRmAborts];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::CommitOnMajority => "commit-on-majority",
            Bug::PreparedRmAborts => "prepared-rm-aborts",
        }
    }
}

#[derive(Clone, Debug)]
pub enum TwoPhaseActor {
    Tm {
        /// The RMs' ids, RM 1 first.
        rms: Vec<Id>,
        bug: Bug,
        /// The fault model lets the TM crash (and stay down).
        may_crash: bool,
        /// Answers a repeated vote with its decision (see
        /// [`TwoPhaseCfg::retransmit`]).
        retransmit: bool,
    },
    Rm {
        tm: Id,
        rm: Rm,
        bug: Bug,
        /// A prepared RM repeats its vote on a timer (see
        /// [`TwoPhaseCfg::retransmit`]).
        retransmit: bool,
    },
}

impl TwoPhaseActor {
    fn tm_may_commit(rms: usize, bug: Bug, prepared: usize) -> bool {
        match bug {
            // "The TM can commit the transaction only if all RMs are
            // prepared" (TMCommit's enabling condition, Gray & Lamport §3).
            Bug::None => prepared == rms,
            Bug::CommitOnMajority => prepared > rms / 2,
            Bug::PreparedRmAborts => prepared == rms,
        }
    }

    /// RMChooseToAbort's enabling condition, `rmState[r] = "working"`
    /// (TwoPhase.tla, Gray & Lamport §3): once an RM has sent Prepared it
    /// must wait for the TM's decision.
    fn rm_may_choose_to_abort(bug: Bug, rm_state: RmState) -> bool {
        match bug {
            Bug::PreparedRmAborts => matches!(rm_state, RmState::Working | RmState::Prepared),
            Bug::None | Bug::CommitOnMajority => rm_state == RmState::Working,
        }
    }
}

impl Actor for TwoPhaseActor {
    type Msg = TwoPhaseMsg;
    type Timer = TwoPhaseTimer;
    type State = TwoPhaseState;
    type Storage = ();
    type Random = TwoPhaseFault;

    fn name(&self) -> String {
        match self {
            TwoPhaseActor::Tm { .. } => "TM".into(),
            TwoPhaseActor::Rm { rm, .. } => format!("RM{rm}"),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> Self::State {
        match self {
            TwoPhaseActor::Tm { may_crash, .. } => {
                o.set_timer(TwoPhaseTimer::Abort, durations::ABORT);
                if *may_crash {
                    o.choose_random("fault", vec![TwoPhaseFault::Crash, TwoPhaseFault::NoCrash]);
                }
                TwoPhaseState::Tm {
                    tm_state: TmState::Init,
                    tm_prepared: BTreeSet::new(),
                    crashed: false,
                }
            }
            TwoPhaseActor::Rm { .. } => {
                o.set_timer(TwoPhaseTimer::Prepare, durations::PREPARE);
                o.set_timer(TwoPhaseTimer::ChooseToAbort, durations::CHOOSE_TO_ABORT);
                TwoPhaseState::Rm {
                    rm_state: RmState::Working,
                    voted_yes: false,
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
            // TMRcvPrepared(r)
            (
                TwoPhaseActor::Tm { rms, bug, .. },
                TwoPhaseState::Tm {
                    tm_state: TmState::Init,
                    tm_prepared,
                    crashed: false,
                },
                TwoPhaseMsg::Prepared { rm },
            ) if !tm_prepared.contains(&rm) => {
                let (rms, bug) = (rms.len(), *bug);
                if let TwoPhaseState::Tm { tm_prepared, .. } = state.to_mut() {
                    tm_prepared.insert(rm);
                    if Self::tm_may_commit(rms, bug, tm_prepared.len()) {
                        o.set_timer(TwoPhaseTimer::Commit, durations::COMMIT);
                    }
                }
            }
            // A Prepared after the decision: the RM has not heard it (its
            // copy was lost) and asks again by repeating its vote. The TM
            // sends the same decision again, to that RM: a message already
            // in TwoPhase.tla's `msgs`, so a stutter of the spec. This is
            // the coordinator's side of the termination protocol, "an
            // uncertain participant ... asks the coordinator" (Bernstein,
            // Hadzilacos & Goodman 1987, ch. 7, 2PC's timeout actions).
            (
                TwoPhaseActor::Tm {
                    retransmit: true, ..
                },
                TwoPhaseState::Tm {
                    tm_state: decision @ (TmState::Committed | TmState::Aborted),
                    crashed: false,
                    ..
                },
                TwoPhaseMsg::Prepared { .. },
            ) => {
                let msg = if *decision == TmState::Committed {
                    TwoPhaseMsg::Commit
                } else {
                    TwoPhaseMsg::Abort
                };
                o.send(src, msg);
            }
            // RMRcvCommitMsg(r)
            (TwoPhaseActor::Rm { .. }, TwoPhaseState::Rm { rm_state, .. }, TwoPhaseMsg::Commit)
                if *rm_state != RmState::Committed =>
            {
                if let TwoPhaseState::Rm { rm_state, .. } = state.to_mut() {
                    *rm_state = RmState::Committed;
                }
                o.cancel_timer(TwoPhaseTimer::Prepare);
                o.cancel_timer(TwoPhaseTimer::ChooseToAbort);
                o.cancel_timer(TwoPhaseTimer::Retransmit);
            }
            // RMRcvAbortMsg(r)
            (TwoPhaseActor::Rm { .. }, TwoPhaseState::Rm { rm_state, .. }, TwoPhaseMsg::Abort)
                if *rm_state != RmState::Aborted =>
            {
                if let TwoPhaseState::Rm { rm_state, .. } = state.to_mut() {
                    *rm_state = RmState::Aborted;
                }
                o.cancel_timer(TwoPhaseTimer::Prepare);
                o.cancel_timer(TwoPhaseTimer::ChooseToAbort);
                o.cancel_timer(TwoPhaseTimer::Retransmit);
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
            // RMPrepare(r)
            (
                TwoPhaseActor::Rm {
                    tm,
                    rm,
                    bug,
                    retransmit,
                },
                TwoPhaseState::Rm {
                    rm_state: RmState::Working,
                    ..
                },
                TwoPhaseTimer::Prepare,
            ) => {
                *state.to_mut() = TwoPhaseState::Rm {
                    rm_state: RmState::Prepared,
                    voted_yes: true,
                };
                if !Self::rm_may_choose_to_abort(*bug, RmState::Prepared) {
                    o.cancel_timer(TwoPhaseTimer::ChooseToAbort);
                }
                o.send(*tm, TwoPhaseMsg::Prepared { rm: *rm });
                if *retransmit {
                    o.set_timer(TwoPhaseTimer::Retransmit, durations::RETRANSMIT);
                }
            }
            // A prepared RM that has not heard the decision sends its vote
            // again. Once prepared it "must wait" for the TM (Gray & Lamport
            // 2006, §3), and on a lossy network its vote or the decision
            // may be gone: waiting alone would block it as surely as a
            // crashed TM. Repeating the same Prepared is the uncertain
            // participant's timeout action, asking the coordinator for the
            // outcome (Bernstein et al. 1987, ch. 7, 2PC's timeout actions);
            // the TM counts a vote once and, once decided, answers it with
            // the decision.
            (
                TwoPhaseActor::Rm { tm, rm, .. },
                TwoPhaseState::Rm {
                    rm_state: RmState::Prepared,
                    ..
                },
                TwoPhaseTimer::Retransmit,
            ) => {
                o.send(*tm, TwoPhaseMsg::Prepared { rm: *rm });
                o.set_timer(TwoPhaseTimer::Retransmit, durations::RETRANSMIT);
            }
            // RMChooseToAbort(r)
            (
                TwoPhaseActor::Rm { bug, .. },
                TwoPhaseState::Rm {
                    rm_state,
                    voted_yes,
                },
                TwoPhaseTimer::ChooseToAbort,
            ) if Self::rm_may_choose_to_abort(*bug, *rm_state) => {
                *state.to_mut() = TwoPhaseState::Rm {
                    rm_state: RmState::Aborted,
                    voted_yes: *voted_yes,
                };
                o.cancel_timer(TwoPhaseTimer::Prepare);
                o.cancel_timer(TwoPhaseTimer::Retransmit);
            }
            // TMCommit
            (
                TwoPhaseActor::Tm { rms, .. },
                TwoPhaseState::Tm {
                    tm_state: TmState::Init,
                    crashed: false,
                    ..
                },
                TwoPhaseTimer::Commit,
            ) => {
                if let TwoPhaseState::Tm { tm_state, .. } = state.to_mut() {
                    *tm_state = TmState::Committed;
                }
                o.cancel_timer(TwoPhaseTimer::Abort);
                o.broadcast(rms, &TwoPhaseMsg::Commit);
            }
            // TMAbort
            (
                TwoPhaseActor::Tm { rms, .. },
                TwoPhaseState::Tm {
                    tm_state: TmState::Init,
                    crashed: false,
                    ..
                },
                TwoPhaseTimer::Abort,
            ) => {
                if let TwoPhaseState::Tm { tm_state, .. } = state.to_mut() {
                    *tm_state = TmState::Aborted;
                }
                o.cancel_timer(TwoPhaseTimer::Commit);
                o.broadcast(rms, &TwoPhaseMsg::Abort);
            }
            _ => {}
        }
    }

    fn on_random(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        fault: &TwoPhaseFault,
        o: &mut Out<Self>,
    ) {
        // The fault: the TM stops for good, whatever it was doing.
        if let (
            TwoPhaseActor::Tm { .. },
            TwoPhaseState::Tm { crashed: false, .. },
            TwoPhaseFault::Crash,
        ) = (self, state.as_ref(), fault)
        {
            if let TwoPhaseState::Tm { crashed, .. } = state.to_mut() {
                *crashed = true;
            }
            o.cancel_timer(TwoPhaseTimer::Commit);
            o.cancel_timer(TwoPhaseTimer::Abort);
        }
    }
}

type State = stateright::actor::ActorModelState<TwoPhaseActor>;

/// How long each step waits on a real network. The checker ignores them.
mod durations {
    use std::ops::Range;
    use std::time::Duration;

    const fn ms(a: u64, b: u64) -> Range<Duration> {
        Duration::from_millis(a)..Duration::from_millis(b)
    }
    /// RMs usually prepare quickly, and rarely give up first.
    pub const PREPARE: Range<Duration> = ms(1, 20);
    pub const CHOOSE_TO_ABORT: Range<Duration> = ms(15, 200);
    pub const COMMIT: Range<Duration> = ms(1, 5);
    /// The TM's timeout is far longer than a vote takes.
    pub const ABORT: Range<Duration> = ms(150, 250);
    /// A prepared RM repeats its vote a few times per TM timeout.
    pub const RETRANSMIT: Range<Duration> = ms(20, 40);
}

fn rm_states(state: &State) -> impl Iterator<Item = (RmState, bool)> + '_ {
    state.actor_states.iter().filter_map(|s| match **s {
        TwoPhaseState::Rm {
            rm_state,
            voted_yes,
        } => Some((rm_state, voted_yes)),
        TwoPhaseState::Tm { .. } => None,
    })
}

// Properties.

/// AC1: "all processes that reach a decision reach the same one"
/// (Bernstein, Hadzilacos & Goodman, "Concurrency Control and Recovery in
/// Database Systems", 1987, §7.2). The processes are the RMs and the TM, so
/// this is stronger than TwoPhase.tla's `TCConsistent` (Gray & Lamport 2006,
/// §2: "no RM has aborted while another has committed"): the TM's decision
/// counts too, even before any RM has heard it.
fn agreement(_: &TwoPhaseModel, state: &State) -> bool {
    let tm = tm_decision(state);
    let committed =
        tm == Some(TmState::Committed) || rm_states(state).any(|(s, _)| s == RmState::Committed);
    let aborted =
        tm == Some(TmState::Aborted) || rm_states(state).any(|(s, _)| s == RmState::Aborted);
    !(committed && aborted)
}

/// The TM's decision, if it has made one (a crashed TM keeps it).
fn tm_decision(state: &State) -> Option<TmState> {
    state.actor_states.iter().find_map(|s| match **s {
        TwoPhaseState::Tm {
            tm_state: TmState::Init,
            ..
        }
        | TwoPhaseState::Rm { .. } => None,
        TwoPhaseState::Tm { tm_state, .. } => Some(tm_state),
    })
}

/// AC3: the Commit decision can only be reached if all processes voted Yes
/// (Bernstein et al. 1987, §7.2). AC2 and AC4 are not properties of their
/// own: see `PROTOCOL.notes`.
fn commit_validity(_: &TwoPhaseModel, state: &State) -> bool {
    let any_committed = tm_decision(state) == Some(TmState::Committed)
        || rm_states(state).any(|(s, _)| s == RmState::Committed);
    !any_committed || rm_states(state).all(|(_, voted_yes)| voted_yes)
}

/// Termination: every RM eventually decides. 2PC guarantees it only while
/// the TM is up: with a crash-stop TM, "the classic Two-Phase Commit
/// protocol blocks if the coordinator fails" (Gray & Lamport 2006, abstract
/// and §3.3). This is not AC5 (Bernstein et al. 1987, §7.2),
/// which assumes every failure is eventually repaired: a TM that never
/// recovers shows blocking, not an AC5 violation.
fn termination(_: &TwoPhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| matches!(s, RmState::Committed | RmState::Aborted))
}

/// Reachability: the transaction can commit at every RM.
fn all_committed(_: &TwoPhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| s == RmState::Committed)
}

/// Reachability: the transaction can abort at every RM.
fn all_aborted(_: &TwoPhaseModel, state: &State) -> bool {
    rm_states(state).all(|(s, _)| s == RmState::Aborted)
}

// Refinement mappings (Gray & Lamport 2006, §3: "TwoPhase implements
// TCommit"; the appendix's `THEOREM TPSpec => TCSpec`).

/// The actor model as a state of TwoPhase.tla: the RMs' and the TM's
/// variables are the actors' (RM `r` is the spec's RM `r - 1`), and `msgs`,
/// the set of every message ever sent, is rebuilt from what the senders
/// remember: `Prepared` from an RM that voted yes, `Commit` and `Abort` from
/// the TM's decision. A crashed TM keeps its variables and takes no step, so
/// its crash maps to a stutter.
pub fn to_two_phase(state: &State) -> specs::abstract_spec::two_phase::State {
    use specs::abstract_spec::two_phase::{Message, State as Spec, TmState as SpecTm};
    let mut spec = Spec {
        rm_state: rm_states(state).map(|(s, _)| to_tcommit_rm(s)).collect(),
        tm_state: SpecTm::Init,
        tm_prepared: BTreeSet::new(),
        msgs: BTreeSet::new(),
    };
    for (i, (_, voted_yes)) in rm_states(state).enumerate() {
        if voted_yes {
            spec.msgs.insert(Message::Prepared { rm: i });
        }
    }
    for actor in &state.actor_states {
        if let TwoPhaseState::Tm {
            tm_state,
            tm_prepared,
            ..
        } = &**actor
        {
            spec.tm_prepared = tm_prepared.iter().map(|rm| rm - 1).collect();
            spec.tm_state = match tm_state {
                TmState::Init => SpecTm::Init,
                TmState::Committed => SpecTm::Committed,
                TmState::Aborted => SpecTm::Aborted,
            };
            match tm_state {
                TmState::Init => {}
                TmState::Committed => drop(spec.msgs.insert(Message::Commit)),
                TmState::Aborted => drop(spec.msgs.insert(Message::Abort)),
            }
        }
    }
    spec
}

/// The actor model as a state of TCommit.tla: only the RMs' states.
pub fn to_tcommit(state: &State) -> specs::abstract_spec::tcommit::State {
    specs::abstract_spec::tcommit::State {
        rm_state: rm_states(state).map(|(s, _)| to_tcommit_rm(s)).collect(),
    }
}

fn to_tcommit_rm(s: RmState) -> specs::abstract_spec::tcommit::RmState {
    use specs::abstract_spec::tcommit::RmState as Spec;
    match s {
        RmState::Working => Spec::Working,
        RmState::Prepared => Spec::Prepared,
        RmState::Committed => Spec::Committed,
        RmState::Aborted => Spec::Aborted,
    }
}

// Configuration.

pub type TwoPhaseModel = ActorModel<TwoPhaseActor, TwoPhaseCfg>;

#[derive(Clone, Debug, Serialize)]
pub struct TwoPhaseCfg {
    pub rms: usize,
    /// 0: the TM never fails; 1: it may crash once and stay down.
    pub coordinator_crashes: usize,
    /// A prepared RM repeats its vote on a timer until it hears the
    /// decision, the TM answers each repeat with its decision, and the
    /// network loses and duplicates messages: scenario `lossy`, and every
    /// real run (`dsw run two-phase-commit` sets it). Off by default.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for TwoPhaseCfg {
    fn default() -> Self {
        TwoPhaseCfg {
            rms: 3,
            coordinator_crashes: 0,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for TwoPhaseCfg {
    type Model = TwoPhaseModel;

    fn new(variant: &str, params: &Params) -> Self {
        TwoPhaseCfg {
            rms: params["rms"] as usize,
            coordinator_crashes: params["coordinator_crashes"] as usize,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> TwoPhaseModel {
        crate::runner::indexed(self)
    }

    /// Every step maps to a TwoPhase step or a stutter, and so to a TCommit
    /// step or a stutter (Gray & Lamport 2006, §3 and the appendix's
    /// `THEOREM TPSpec => TCSpec`).
    fn analyses(model: &TwoPhaseModel) -> checker::Analyses<TwoPhaseModel> {
        use specs::abstract_spec::{tcommit::TCommit, two_phase::TwoPhase};
        let rms = model.cfg.rms;
        checker::Analyses {
            refinements: vec![
                checker::Refinement::new("refines TwoPhase", TwoPhase::new(rms), to_two_phase),
                checker::Refinement::new("refines TCommit", TCommit::new(rms), to_tcommit),
            ],
            // An RM's commit or abort is its decision (FLP's irrevocable
            // output), whether the TM told it or it aborted on its own.
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
            // TwoPhase.tla's RMs are a symmetry set: renaming them maps runs
            // to runs and keeps every property (each is stated over all RMs
            // alike) and both refinements (TwoPhase and TCommit are
            // symmetric in RM too).
            symmetry: Some(checker::symmetry::actors("the RMs", (1..=rms).collect())),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for TwoPhaseCfg {
    type Actor = TwoPhaseActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.rms + 1
    }

    fn done(states: &[Option<TwoPhaseState>]) -> bool {
        states.iter().flatten().all(|s| match s {
            TwoPhaseState::Tm {
                tm_state, crashed, ..
            } => *tm_state != TmState::Init || *crashed,
            TwoPhaseState::Rm { rm_state, .. } => {
                matches!(rm_state, RmState::Committed | RmState::Aborted)
            }
        })
    }

    fn observations(states: &[TwoPhaseState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                TwoPhaseState::Tm {
                    tm_state,
                    crashed: false,
                    ..
                } => format!("TM: {tm_state:?}"),
                TwoPhaseState::Tm { tm_state, .. } => format!("TM: {tm_state:?}, crashed"),
                TwoPhaseState::Rm {
                    rm_state,
                    voted_yes,
                } => {
                    let vote = if *voted_yes { "yes" } else { "no" };
                    format!("RM{i}: {rm_state:?} (voted {vote})")
                }
            })
            .collect()
    }

    /// The TM and the RMs, known by `ids` (TM first): indices when checked,
    /// socket addresses when run for real.
    fn model_on(self, ids: &[Id]) -> TwoPhaseModel {
        let tm = TwoPhaseActor::Tm {
            rms: ids[1..].to_vec(),
            bug: self.bug,
            may_crash: self.coordinator_crashes > 0,
            retransmit: self.retransmit,
        };
        let (bug, retransmit) = (self.bug, self.retransmit);
        let rms = (1..=self.rms).map(|rm| TwoPhaseActor::Rm {
            tm: ids[0],
            rm,
            bug,
            retransmit,
        });
        // TwoPhase.tla's `msgs` keeps every message: nothing is lost, and a
        // message may be received more than once. Without retransmission
        // the network neither loses nor duplicates (a repeat would change
        // nothing here); with it, it does both (Stateright's duplicating
        // network keeps a message in flight until it is lost).
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
    }

    /// `dsw run two-phase-commit`: the configuration given, with `retransmit`
    /// on, as scenario `lossy` checks it: a real network may lose and
    /// duplicate (`--loss`, `--duplicate`), and without retransmission a lost
    /// vote or decision would leave a prepared RM waiting for good.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "two-phase-commit",
    section: "Distributed consensus and time",
    summary: "Resource managers vote; the transaction manager commits only if all are prepared",
    citations: &[
        "Gray & Lamport, Consensus on Transaction Commit (2006), §3 and TwoPhase.tla",
        "Gray, Notes on Data Base Operating Systems (1978)",
        "Bernstein, Hadzilacos & Goodman, Concurrency Control and Recovery in Database Systems (1987), ch. 7",
    ],
    notes: "AC2 (a process cannot reverse its decision, Bernstein et al. 1987 §7.2) is implied by \"refines TCommit\": TCommit's steps never leave committed or aborted. AC4 (if all voted Yes and nothing failed, the decision is Commit) is not checked: TwoPhase.tla's TM may abort at any time before it decides (TMAbort), so it does not hold. Scenario `coordinator-crash` blocks: three-phase-commit's page draws its run beside 3PC's on the same crash, where the RMs decide.",
    params: &[
        crate::registry::ParamSpec {
            name: "rms",
            doc: "resource managers",
            default: 3,
            min: 1,
            max: 5,
        },
        crate::registry::ParamSpec {
            name: "coordinator_crashes",
            doc: "1: the TM eventually chooses Crash or NoCrash (fairness forces the choice, never the crash); after Crash it stays down (crash-stop)",
            default: 0,
            min: 0,
            max: 1,
        },
        crate::registry::ParamSpec {
            name: "retransmit",
            doc: "1: a prepared RM repeats its vote on a timer until it hears the decision, the TM answers a repeat with its decision, and the network loses and duplicates messages (scenario lossy; every real run retransmits); 0: a lossless network, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "agreement",
            kind: PropertyKind::Always,
            source: "AC1, Bernstein et al. 1987 §7.2, over the RMs and the TM's decision (stronger than TCConsistent, Gray & Lamport 2006 §2)",
        },
        PropertySpec {
            name: "commit validity",
            kind: PropertyKind::Always,
            source: "AC3, Bernstein et al. 1987 §7.2",
        },
        PropertySpec {
            name: "termination",
            kind: PropertyKind::Eventually,
            source: "every RM decides while the TM is up; with a crash-stop TM, blocking (Gray & Lamport 2006, abstract and §3.3). Not AC5, which assumes failures are repaired",
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
            name: "refines TwoPhase",
            kind: PropertyKind::Refines,
            source: "Gray & Lamport 2006 §3, TwoPhase.tla: every step is a TwoPhase step or a stutter",
        },
        PropertySpec {
            name: "refines TCommit",
            kind: PropertyKind::Refines,
            source: "Gray & Lamport 2006 §2-3, THEOREM TPSpec => TCSpec: every step is a TCommit step or a stutter",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "TwoPhase.tla as published",
            expect: &[],
        },
        VariantSpec {
            name: "commit-on-majority",
            doc: "the TM commits once a majority of RMs is prepared",
            expect: &[
                ("agreement", Verdict::Violated),
                ("commit validity", Verdict::Violated),
                ("refines TwoPhase", Verdict::Violated),
                ("refines TCommit", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "prepared-rm-aborts",
            doc: "an RM that voted yes (Prepared) may still abort on its own",
            expect: &[
                ("agreement", Verdict::Violated),
                ("refines TwoPhase", Verdict::Violated),
                ("refines TCommit", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "coordinator-crash",
            doc: "the TM may crash and stay down: prepared RMs block forever",
            variant: crate::registry::CORRECT,
            params: &[("coordinator_crashes", 1)],
            fairness: None,
            expect: &[("termination", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: a prepared RM repeats its vote on a timer until it hears the decision and the TM answers each repeat with its decision, on a network that loses and duplicates messages. AC1, AC3 and both refinements hold and, under strong fairness (a message sent again and again is delivered at last), every RM decides",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<TwoPhaseCfg>,
    explore: crate::registry::explore_config::<TwoPhaseCfg>,
    replay: crate::registry::replay_config::<TwoPhaseCfg>,
    compare: crate::registry::compare_config::<TwoPhaseCfg>,
    run: Some(crate::runner::run_config::<TwoPhaseCfg>),
};
