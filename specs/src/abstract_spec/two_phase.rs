//! `TwoPhase`, the Two-Phase Commit protocol from [Gray & Lamport, "Consensus
//! on Transaction Commit" (2006)](https://doi.org/10.1145/1132863.1132867),
//! Section 3, written in TLA+ in the paper's appendix (Lamport's `TwoPhase.tla`).
//!
//! RMs spontaneously send `Prepared` to the transaction manager (TM), which
//! commits once it has heard from every RM and may abort at any time before;
//! the TM's `Prepare` messages are left out, as in the spec. Network: `msgs`
//! only grows, so a message may be received late, never, or many times; no
//! crashes. The checker shows `TCConsistent` holds, and [`abstraction`] maps
//! every step to a `TCommit` step or a stutter (`THEOREM TPSpec => TCSpec`).

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

use super::tcommit::{self, tc_consistent, Rm, RmState};

/// The value of `tmState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TmState {
    /// `"init"`: undecided; the TM is still collecting `Prepared` messages.
    Init,
    /// `"committed"`: the TM has sent `Commit`.
    Committed,
    /// `"aborted"`: the TM has sent `Abort`.
    Aborted,
}

/// An element of `Message == [type : {"Prepared"}, rm : RM] \cup [type :
/// {"Commit", "Abort"}]`; serialized as the TLA+ record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type")]
pub enum Message {
    /// `[type |-> "Prepared", rm |-> rm]`: from `rm` to the TM.
    Prepared { rm: Rm },
    /// `[type |-> "Commit"]`: from the TM to every RM.
    Commit,
    /// `[type |-> "Abort"]`: from the TM to every RM.
    Abort,
}

/// A state of `TwoPhase`: its four variables. The Rust types enforce
/// `TPTypeOK`, except that RM indices stay in `0..rms` only because the actions
/// never produce others.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    // RM state
    /// `rmState`: the state of each RM, indexed by [`Rm`].
    pub rm_state: Vec<RmState>,

    // TM state
    /// `tmState`.
    pub tm_state: TmState,
    /// `tmPrepared`: the RMs from which the TM has received `Prepared`.
    pub tm_prepared: BTreeSet<Rm>,

    // network
    /// `msgs`: every message ever sent; receiving one does not remove it.
    pub msgs: BTreeSet<Message>,
}

/// The disjuncts of `TPNext`, named as in `TwoPhase.tla`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `TMRcvPrepared(rm)`: the undecided TM records `rm`'s `Prepared` message.
    TMRcvPrepared(Rm),
    /// `TMCommit`: the TM, prepared by every RM, commits and sends `Commit`.
    TMCommit,
    /// `TMAbort`: the undecided TM aborts and sends `Abort`.
    TMAbort,
    /// `RMPrepare(rm)`: a working RM prepares and sends `Prepared`.
    RMPrepare(Rm),
    /// `RMChooseToAbort(rm)`: a working RM aborts on its own, sending nothing.
    RMChooseToAbort(Rm),
    /// `RMRcvCommitMsg(rm)`: an RM receives `Commit` and commits.
    RMRcvCommitMsg(Rm),
    /// `RMRcvAbortMsg(rm)`: an RM receives `Abort` and aborts.
    RMRcvAbortMsg(Rm),
}

/// The `TwoPhase` specification with `RM = 0..rms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TwoPhase {
    /// The number of resource managers, the size of the constant `RM`.
    pub rms: usize,
}

impl TwoPhase {
    /// `TwoPhase` with `RM = 0..rms`.
    pub fn new(rms: usize) -> Self {
        Self { rms }
    }
}

impl Default for TwoPhase {
    /// Three RMs, the configuration whose TLC state count (288) is quoted
    /// alongside the spec.
    fn default() -> Self {
        Self::new(3)
    }
}

impl State {
    /// The state with its RMs renamed, RM `r` becoming RM `perm[r]`: TLC's
    /// `SYMMETRY Permutations(RM)` applied to one state. Every action and
    /// property treats the RMs alike, so renaming them maps runs to runs.
    pub fn renamed(&self, perm: &[Rm]) -> State {
        let mut rm_state = self.rm_state.clone();
        for (rm, s) in self.rm_state.iter().enumerate() {
            rm_state[perm[rm]] = *s;
        }
        State {
            rm_state,
            tm_state: self.tm_state,
            tm_prepared: self.tm_prepared.iter().map(|&rm| perm[rm]).collect(),
            msgs: self
                .msgs
                .iter()
                .map(|m| match m {
                    Message::Prepared { rm } => Message::Prepared { rm: perm[*rm] },
                    other => other.clone(),
                })
                .collect(),
        }
    }
}

impl State {
    /// The representative of this state's orbit under renaming the RMs,
    /// without trying every renaming: the RMs sorted by what the state says
    /// about each (its `rmState`, whether the TM has its `Prepared`, whether
    /// its `Prepared` was sent). No variable relates two RMs, so RMs that
    /// agree on these are interchangeable and the sorted state is the same
    /// for every state of an orbit.
    pub fn canonical(&self) -> State {
        let about = |rm: Rm| {
            (
                self.rm_state[rm],
                self.tm_prepared.contains(&rm),
                self.msgs.contains(&Message::Prepared { rm }),
            )
        };
        let mut order: Vec<Rm> = (0..self.rm_state.len()).collect();
        order.sort_by_key(|&rm| about(rm));
        // RM `order[k]` becomes RM `k`.
        let mut perm = vec![0; order.len()];
        for (k, &rm) in order.iter().enumerate() {
            perm[rm] = k;
        }
        self.renamed(&perm)
    }
}

/// The refinement mapping implied by `INSTANCE TCommit` in `TwoPhase.tla`:
/// `TCommit`'s `rmState` is `TwoPhase`'s `rmState`, and the TM and the messages
/// are hidden. Under it every `TwoPhase` step is a `TCommit` step or a stutter
/// (`THEOREM TPSpec => TCSpec`).
pub fn abstraction(state: &State) -> tcommit::State {
    tcommit::State {
        rm_state: state.rm_state.clone(),
    }
}

impl Model for TwoPhase {
    type State = State;
    type Action = Action;

    /// `TPInit`: every RM working, the TM undecided, nothing prepared or sent.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            rm_state: vec![RmState::Working; self.rms],
            tm_state: TmState::Init,
            tm_prepared: BTreeSet::new(),
            msgs: BTreeSet::new(),
        }]
    }

    /// Every instance of `TPNext == TMCommit \/ TMAbort \/ \E rm \in RM :
    /// ...`; whether it is enabled is decided in [`TwoPhase::next_state`], where
    /// each action's guard sits next to its effect as in the TLA+ definition.
    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        actions.push(Action::TMCommit);
        actions.push(Action::TMAbort);
        for rm in 0..self.rms {
            actions.push(Action::TMRcvPrepared(rm));
            actions.push(Action::RMPrepare(rm));
            actions.push(Action::RMChooseToAbort(rm));
            actions.push(Action::RMRcvCommitMsg(rm));
            actions.push(Action::RMRcvAbortMsg(rm));
        }
    }

    /// One arm per TLA+ action: the guard is its enabling condition, the body
    /// its primed assignments (variables not assigned are `UNCHANGED`); `None`
    /// when disabled. `RMRcvCommitMsg` and `RMRcvAbortMsg` have no guard on
    /// `rmState`, so they may stutter, exactly as in the spec.
    fn next_state(&self, last_state: &State, action: Action) -> Option<State> {
        let last = last_state;
        let mut next = last.clone();
        match action {
            Action::TMRcvPrepared(rm)
                if last.tm_state == TmState::Init
                    && last.msgs.contains(&Message::Prepared { rm }) =>
            {
                next.tm_prepared.insert(rm);
            }
            Action::TMCommit
                if last.tm_state == TmState::Init
                    && (0..self.rms).all(|rm| last.tm_prepared.contains(&rm)) =>
            {
                next.tm_state = TmState::Committed;
                next.msgs.insert(Message::Commit);
            }
            Action::TMAbort if last.tm_state == TmState::Init => {
                next.tm_state = TmState::Aborted;
                next.msgs.insert(Message::Abort);
            }
            Action::RMPrepare(rm) if last.rm_state[rm] == RmState::Working => {
                next.rm_state[rm] = RmState::Prepared;
                next.msgs.insert(Message::Prepared { rm });
            }
            Action::RMChooseToAbort(rm) if last.rm_state[rm] == RmState::Working => {
                next.rm_state[rm] = RmState::Aborted;
            }
            Action::RMRcvCommitMsg(rm) if last.msgs.contains(&Message::Commit) => {
                next.rm_state[rm] = RmState::Committed;
            }
            Action::RMRcvAbortMsg(rm) if last.msgs.contains(&Message::Abort) => {
                next.rm_state[rm] = RmState::Aborted;
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // Gray & Lamport 2006, Section 3: Two-Phase Commit meets Section 2's
            // Consistency requirement (it follows from `TPSpec => TCSpec`).
            Property::<Self>::always("TCConsistent", |_, state| tc_consistent(&state.rm_state)),
            // Not in the spec: witnesses that TCConsistent is not vacuous.
            Property::<Self>::sometimes("committed", |_, state| {
                state.rm_state.iter().all(|s| *s == RmState::Committed)
            }),
            Property::<Self>::sometimes("aborted", |_, state| {
                state.rm_state.iter().all(|s| *s == RmState::Aborted)
            }),
        ]
    }
}
