//! [`TwoPhase`](super::two_phase) again, the same TLA+ spec with the same
//! names, actions and state counts, but with its sets stored as bit sets so
//! that a state is a few bytes that copy without allocating.
//!
//! Why a second transcription: [`super::two_phase`] keeps `tmPrepared` and
//! `msgs` as `BTreeSet`s, the literal reading of the TLA+; it is the one the
//! refinement and conformance tests read. This one is what a model checker
//! built for speed (SPIN, or Stateright's own hand-written 2PC example) would
//! store, and it lets the engine benchmark tell the engine's cost from the
//! allocator's. A test checks that both explore the same number of states
//! and reach the same `rmState` values.

use serde::Serialize;
use stateright::{Model, Property};

use super::tcommit::{tc_consistent, Rm, RmState};
use super::two_phase::{Action, Message, TmState};

/// At most this many RMs: `RM` is a bit set in a `u16`.
pub const MAX_RMS: usize = 16;

/// A set of RMs (`SUBSET RM`), as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct RmSet(u16);

impl RmSet {
    pub fn contains(self, rm: Rm) -> bool {
        self.0 & (1 << rm) != 0
    }
    pub fn insert(&mut self, rm: Rm) {
        self.0 |= 1 << rm;
    }
    /// `RM \subseteq self` for `RM = 0..rms`.
    pub fn holds_all(self, rms: usize) -> bool {
        let all = ((1u32 << rms) - 1) as u16;
        self.0 & all == all
    }
}

/// `msgs`, the set of every message ever sent: which RMs sent `Prepared`,
/// and whether `Commit` and `Abort` were sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Msgs {
    prepared: RmSet,
    commit: bool,
    abort: bool,
}

impl Msgs {
    pub fn contains(&self, m: &Message) -> bool {
        match *m {
            Message::Prepared { rm } => self.prepared.contains(rm),
            Message::Commit => self.commit,
            Message::Abort => self.abort,
        }
    }
    pub fn insert(&mut self, m: Message) {
        match m {
            Message::Prepared { rm } => self.prepared.insert(rm),
            Message::Commit => self.commit = true,
            Message::Abort => self.abort = true,
        }
    }
}

/// A state of `TwoPhase`: its four variables, each a few bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `rmState`, indexed by [`Rm`]; entries past the last RM stay `Working`
    /// and are never read.
    pub rm_state: [RmState; MAX_RMS],
    pub tm_state: TmState,
    pub tm_prepared: RmSet,
    pub msgs: Msgs,
}

/// `TwoPhase` with `RM = 0..rms`, compactly stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TwoPhase {
    pub rms: usize,
}

impl TwoPhase {
    /// `TwoPhase` with `RM = 0..rms`; at most [`MAX_RMS`].
    pub fn new(rms: usize) -> Self {
        assert!(rms <= MAX_RMS, "at most {MAX_RMS} RMs");
        Self { rms }
    }

    /// `rmState` restricted to `RM`, as [`super::two_phase`] stores it.
    pub fn rm_state(&self, state: &State) -> Vec<RmState> {
        state.rm_state[..self.rms].to_vec()
    }
}

impl Model for TwoPhase {
    type State = State;
    type Action = Action;

    /// `TPInit`.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            rm_state: [RmState::Working; MAX_RMS],
            tm_state: TmState::Init,
            tm_prepared: RmSet::default(),
            msgs: Msgs::default(),
        }]
    }

    /// The instances of `TPNext`, in [`super::two_phase`]'s order.
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

    /// One arm per TLA+ action, guard then primed assignments, as in
    /// [`super::two_phase`]; the state is `Copy`, so a disabled action costs
    /// no allocation.
    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = *last;
        match action {
            Action::TMRcvPrepared(rm)
                if last.tm_state == TmState::Init
                    && last.msgs.contains(&Message::Prepared { rm }) =>
            {
                next.tm_prepared.insert(rm);
            }
            Action::TMCommit
                if last.tm_state == TmState::Init && last.tm_prepared.holds_all(self.rms) =>
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
            // Gray & Lamport 2006, Section 3, as in `two_phase`.
            Property::<Self>::always("TCConsistent", |m, state| {
                tc_consistent(&state.rm_state[..m.rms])
            }),
            Property::<Self>::sometimes("committed", |m, state| {
                state.rm_state[..m.rms]
                    .iter()
                    .all(|s| *s == RmState::Committed)
            }),
            Property::<Self>::sometimes("aborted", |m, state| {
                state.rm_state[..m.rms]
                    .iter()
                    .all(|s| *s == RmState::Aborted)
            }),
        ]
    }
}
