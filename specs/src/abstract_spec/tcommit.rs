//! `TCommit`, the specification of transaction commit from [Gray & Lamport,
//! "Consensus on Transaction Commit" (2006)](https://doi.org/10.1145/1132863.1132867),
//! Section 2, written in TLA+ in the paper's appendix (Lamport's `TCommit.tla`).
//!
//! Each resource manager (RM) starts `working`, may become `prepared`, and then
//! ends `committed` or `aborted`. The spec says which decisions are allowed, not
//! how they are reached: no processes, no messages, no faults, one variable.
//! The checker shows `TCConsistent` holds and that both outcomes are reachable.

use serde::Serialize;
use stateright::{Model, Property};

/// A resource manager, an element of the constant set `RM`, here `0..rms`.
pub type Rm = usize;

/// The value of `rmState[rm]`, one of the four strings of `TCTypeOK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RmState {
    /// `"working"`: the initial state; the RM may still prepare or abort.
    Working,
    /// `"prepared"`: the RM is willing to commit and may no longer abort on
    /// its own.
    Prepared,
    /// `"committed"`: final.
    Committed,
    /// `"aborted"`: final.
    Aborted,
}

/// Which disjunct of `Decide(rm)` is taken: both may be enabled at once (when
/// every RM is prepared), so the choice is part of the action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Decision {
    /// The first disjunct: `rmState[rm] = "prepared" /\ canCommit`.
    Commit,
    /// The second disjunct: `rmState[rm] \in {"working", "prepared"} /\ notCommitted`.
    Abort,
}

/// A state of `TCommit`: the value of its single variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `rmState`: the state of each RM, indexed by [`Rm`].
    pub rm_state: Vec<RmState>,
}

/// The disjuncts of `TCNext == \E rm \in RM : Prepare(rm) \/ Decide(rm)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Prepare(rm)`: a working RM becomes prepared.
    Prepare(Rm),
    /// `Decide(rm)`: an RM commits if `canCommit`, or aborts if `notCommitted`.
    Decide(Rm, Decision),
}

/// The `TCommit` specification with `RM = 0..rms`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TCommit {
    /// The number of resource managers, the size of the constant `RM`.
    pub rms: usize,
}

impl TCommit {
    /// `TCommit` with `RM = 0..rms`.
    pub fn new(rms: usize) -> Self {
        Self { rms }
    }
}

impl Default for TCommit {
    /// Three RMs, the configuration whose TLC state count (34) is quoted
    /// alongside the spec.
    fn default() -> Self {
        Self::new(3)
    }
}

/// `canCommit`: every RM is prepared or committed, so committing is allowed.
pub fn can_commit(rm_state: &[RmState]) -> bool {
    rm_state
        .iter()
        .all(|s| matches!(s, RmState::Prepared | RmState::Committed))
}

/// `notCommitted`: no RM has committed, so aborting is still allowed.
pub fn not_committed(rm_state: &[RmState]) -> bool {
    rm_state.iter().all(|s| *s != RmState::Committed)
}

/// `TCConsistent`: no RM has aborted while another has committed, the
/// Consistency requirement of Section 2 (`THEOREM TCSpec => [](TCTypeOK /\
/// TCConsistent)`). A free function so that `TwoPhase` checks the very same
/// predicate.
pub fn tc_consistent(rm_state: &[RmState]) -> bool {
    let aborted = rm_state.contains(&RmState::Aborted);
    let committed = rm_state.contains(&RmState::Committed);
    !(aborted && committed)
}

impl Model for TCommit {
    type State = State;
    type Action = Action;

    /// `TCInit == rmState = [rm \in RM |-> "working"]`.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            rm_state: vec![RmState::Working; self.rms],
        }]
    }

    /// Every instance of `\E rm \in RM : Prepare(rm) \/ Decide(rm)`; whether it
    /// is enabled is decided in [`TCommit::next_state`], where each action's
    /// guard sits next to its effect as in the TLA+ definition.
    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        for rm in 0..self.rms {
            actions.push(Action::Prepare(rm));
            actions.push(Action::Decide(rm, Decision::Commit));
            actions.push(Action::Decide(rm, Decision::Abort));
        }
    }

    /// One arm per TLA+ action: the guard is its enabling condition, the arm
    /// yields `rmState' = [rmState EXCEPT ![rm] = new]`; `None` when disabled.
    fn next_state(&self, last_state: &State, action: Action) -> Option<State> {
        let rm_state = &last_state.rm_state;
        let (rm, new) = match action {
            Action::Prepare(rm) if rm_state[rm] == RmState::Working => (rm, RmState::Prepared),
            Action::Decide(rm, Decision::Commit)
                if rm_state[rm] == RmState::Prepared && can_commit(rm_state) =>
            {
                (rm, RmState::Committed)
            }
            Action::Decide(rm, Decision::Abort)
                if matches!(rm_state[rm], RmState::Working | RmState::Prepared)
                    && not_committed(rm_state) =>
            {
                (rm, RmState::Aborted)
            }
            _ => return None,
        };
        let mut next = last_state.clone();
        next.rm_state[rm] = new;
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // Gray & Lamport 2006, Section 2, the Consistency requirement.
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
