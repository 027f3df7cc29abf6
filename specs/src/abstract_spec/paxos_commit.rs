//! `PaxosCommit`, the Paxos Commit algorithm of [Gray & Lamport, "Consensus
//! on Transaction Commit" (2006)](https://doi.org/10.1145/1132863.1132867),
//! Section 4 (TLA+ in its appendix), transcribed from
//! `specifications/transaction_commit/PaxosCommit.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples).
//!
//! Each RM's prepared/aborted decision is one instance of Paxos (`ins`), run
//! by a set of acceptors with majorities as quorums; ballot 0's phase 2a is
//! the RM's own, higher ballots' leaders are anyone. Commit when every
//! instance chose `"prepared"`, abort when one chose `"aborted"`. `msgs` is
//! every message ever sent (loss and duplication need no actions). The
//! checker shows `PCTypeOK` and `TCConsistent`, and that `rmState` takes
//! only [`TCommit`] steps (`THEOREM PCSpec => TC!TCSpec`).

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

use super::tcommit::{self, Rm, RmState, TCommit};
use super::voting::majorities;

/// An acceptor, an element of `Acceptor`, here `0..acceptors`.
pub type Acceptor = usize;

/// A ballot number, or `-1` in `Ballot \cup {-1}`.
pub type Ballot = i32;

/// The strings `"prepared"`, `"aborted"` and `"none"` of an acceptor's `val`
/// and of the messages' `val` (`"none"` only in `aState` and phase 1b).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Val {
    Prepared,
    Aborted,
    None,
}

/// An element of `Message`, serialized as the TLA+ record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Message {
    /// `[type |-> "phase1a", ins, bal]`.
    Phase1a { ins: Rm, bal: Ballot },
    /// `[type |-> "phase1b", ins, mbal, bal, val, acc]`.
    Phase1b {
        ins: Rm,
        mbal: Ballot,
        bal: Ballot,
        val: Val,
        acc: Acceptor,
    },
    /// `[type |-> "phase2a", ins, bal, val]`.
    Phase2a { ins: Rm, bal: Ballot, val: Val },
    /// `[type |-> "phase2b", acc, ins, bal, val]`.
    Phase2b {
        acc: Acceptor,
        ins: Rm,
        bal: Ballot,
        val: Val,
    },
    /// `[type |-> "Commit"]`.
    Commit,
    /// `[type |-> "Abort"]`.
    Abort,
}

/// `aState[ins][ac]`: the state of acceptor `ac` in instance `ins`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AState {
    pub mbal: Ballot,
    pub bal: Ballot,
    pub val: Val,
}

/// A state of `PaxosCommit`: its three variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `rmState[rm]`.
    pub rm_state: Vec<RmState>,
    /// `aState[ins][ac]`.
    pub a_state: Vec<Vec<AState>>,
    /// `msgs`: every message ever sent.
    pub msgs: BTreeSet<Message>,
}

/// The disjuncts of `PCNext`, with the witnesses of the `\E`s and `\/`s TLC
/// enumerates: it makes one successor per satisfying witness, so with the
/// witnesses in the action the successors are TLC's "states generated".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `RMPrepare(rm)`.
    RMPrepare(Rm),
    /// `RMChooseToAbort(rm)`.
    RMChooseToAbort(Rm),
    /// `RMRcvCommitMsg(rm)`.
    RMRcvCommitMsg(Rm),
    /// `RMRcvAbortMsg(rm)`.
    RMRcvAbortMsg(Rm),
    /// `Phase1a(bal, rm)`; always enabled.
    Phase1a(Ballot, Rm),
    /// `Phase2a(bal, rm)` with the witness `MS` (an index into the
    /// majorities) of `\E MS \in Majority`. The inner `\A ac \in MS : \E m
    /// \in mset : m.acc = ac` has one witness per acceptor: an acceptor sends
    /// one phase 1b message per instance and `mbal` (its `mbal` must grow).
    Phase2a { bal: Ballot, rm: Rm, ms: usize },
    /// `Decide`'s first disjunct, with the witness `(b, MS)` of `Decided(rm,
    /// "prepared")` for every RM in turn (TLC enumerates the `\E` inside
    /// the `\A rm \in RM`, so the witnesses multiply).
    DecideCommit(Vec<(Ballot, usize)>),
    /// `Decide`'s second disjunct, with the witnesses `rm` and `(b, MS)` of
    /// `\E rm \in RM : Decided(rm, "aborted")`.
    DecideAbort { rm: Rm, b: Ballot, ms: usize },
    /// `Phase1b(acc)` with the witness `m` (a phase 1a message).
    Phase1b(Acceptor, Message),
    /// `Phase2b(acc)` with the witness `m` (a phase 2a message).
    Phase2b(Acceptor, Message),
}

/// `PaxosCommit` with `RM = 0..rms`, `Acceptor = 0..acceptors`, `Majority`
/// its majorities and `Ballot = 0..max_ballot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaxosCommit {
    pub rms: usize,
    pub acceptors: usize,
    pub max_ballot: Ballot,
    /// The constant `Majority`.
    pub majority: Vec<BTreeSet<Acceptor>>,
}

impl PaxosCommit {
    pub fn new(rms: usize, acceptors: usize, max_ballot: Ballot) -> Self {
        Self {
            rms,
            acceptors,
            max_ballot,
            majority: majorities(acceptors),
        }
    }

    /// The constant `Ballot`.
    pub fn ballots(&self) -> std::ops::RangeInclusive<Ballot> {
        0..=self.max_ballot
    }

    /// `Decided(rm, v)` for the witness `(b, MS)`: every acceptor of `MS`
    /// voted for `v` in ballot `b` of instance `rm`.
    pub fn decided_with(&self, s: &State, rm: Rm, v: Val, (b, ms): (Ballot, usize)) -> bool {
        self.majority[ms].iter().all(|ac| {
            s.msgs.contains(&Message::Phase2b {
                acc: *ac,
                ins: rm,
                bal: b,
                val: v,
            })
        })
    }

    /// The witnesses `(b, MS)` of `Decided(rm, v)` that hold in `s`.
    pub fn decided_witnesses(&self, s: &State, rm: Rm, v: Val) -> Vec<(Ballot, usize)> {
        self.ballots()
            .flat_map(|b| (0..self.majority.len()).map(move |ms| (b, ms)))
            .filter(|w| self.decided_with(s, rm, v, *w))
            .collect()
    }

    /// The value `Phase2a(bal, rm)` proposes with majority `MS`, if every
    /// acceptor of `MS` sent its phase 1b message for `bal`: `"aborted"`
    /// when none of them voted, else the value of the highest-ballot vote
    /// (`CHOOSE`: the first in `msgs`'s order; votes in one ballot of one
    /// instance agree, as a ballot has one phase 2a message).
    pub fn phase2a_value(&self, s: &State, bal: Ballot, rm: Rm, ms: usize) -> Option<Val> {
        let majority = &self.majority[ms];
        let mset: Vec<(Acceptor, Ballot, Val)> = s
            .msgs
            .iter()
            .filter_map(|m| match *m {
                Message::Phase1b {
                    ins,
                    mbal,
                    bal: vbal,
                    val,
                    acc,
                } if ins == rm && mbal == bal && majority.contains(&acc) => Some((acc, vbal, val)),
                _ => None,
            })
            .collect();
        if !majority
            .iter()
            .all(|ac| mset.iter().any(|(acc, _, _)| acc == ac))
        {
            return None;
        }
        let maxbal = mset.iter().map(|(_, b, _)| *b).max().unwrap_or(-1);
        Some(if maxbal == -1 {
            Val::Aborted
        } else {
            mset.iter()
                .find(|(_, b, _)| *b == maxbal)
                .expect("maxbal")
                .2
        })
    }

    /// `PCTypeOK`.
    pub fn type_ok(&self, s: &State) -> bool {
        let ballot = |b: Ballot| self.ballots().contains(&b);
        let rm = |r: Rm| r < self.rms;
        let acc = |a: Acceptor| a < self.acceptors;
        s.rm_state.len() == self.rms
            && s.a_state.len() == self.rms
            && s.a_state.iter().all(|row| {
                row.len() == self.acceptors
                    && row
                        .iter()
                        .all(|a| ballot(a.mbal) && (a.bal == -1 || ballot(a.bal)))
            })
            && s.msgs.iter().all(|m| match *m {
                Message::Phase1a { ins, bal } => rm(ins) && bal != 0 && ballot(bal),
                Message::Phase1b {
                    ins,
                    mbal,
                    bal,
                    acc: a,
                    ..
                } => rm(ins) && ballot(mbal) && (bal == -1 || ballot(bal)) && acc(a),
                Message::Phase2a { ins, bal, val } => rm(ins) && ballot(bal) && val != Val::None,
                Message::Phase2b {
                    acc: a,
                    ins,
                    bal,
                    val,
                } => acc(a) && rm(ins) && ballot(bal) && val != Val::None,
                Message::Commit | Message::Abort => true,
            })
    }

    /// `TC == INSTANCE TCommit`: the same `RM`.
    pub fn tcommit(&self) -> TCommit {
        TCommit::new(self.rms)
    }

    /// The refinement mapping of `TC`: `rmState` is `rmState`.
    pub fn abstraction(s: &State) -> tcommit::State {
        tcommit::State {
            rm_state: s.rm_state.clone(),
        }
    }
}

impl Default for PaxosCommit {
    /// `PaxosCommit.cfg`: `RM = {r1, r2}`, `Acceptor = {a1, a2, a3}`, the
    /// three majorities, `Ballot = {0, 1}`.
    fn default() -> Self {
        Self::new(2, 3, 1)
    }
}

impl Model for PaxosCommit {
    type State = State;
    type Action = Action;

    /// `PCInit`: every RM working, every acceptor at `mbal 0, bal -1, val
    /// "none"`, no messages.
    fn init_states(&self) -> Vec<State> {
        let fresh = AState {
            mbal: 0,
            bal: -1,
            val: Val::None,
        };
        vec![State {
            rm_state: vec![RmState::Working; self.rms],
            a_state: vec![vec![fresh; self.acceptors]; self.rms],
            msgs: BTreeSet::new(),
        }]
    }

    /// The actions with their witnesses; the witnesses of `Decide`, and the
    /// messages `Phase1b` and `Phase2b` may take, are read off the state.
    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        for rm in 0..self.rms {
            actions.push(Action::RMPrepare(rm));
            actions.push(Action::RMChooseToAbort(rm));
            actions.push(Action::RMRcvCommitMsg(rm));
            actions.push(Action::RMRcvAbortMsg(rm));
        }
        for bal in self.ballots().filter(|b| *b != 0) {
            for rm in 0..self.rms {
                actions.push(Action::Phase1a(bal, rm));
                for ms in 0..self.majority.len() {
                    actions.push(Action::Phase2a { bal, rm, ms });
                }
            }
        }
        // \A rm \in RM : Decided(rm, "prepared"): one witness per RM.
        let mut commits: Vec<Vec<(Ballot, usize)>> = vec![Vec::new()];
        for rm in 0..self.rms {
            let witnesses = self.decided_witnesses(state, rm, Val::Prepared);
            commits = commits
                .iter()
                .flat_map(|prefix| {
                    witnesses.iter().map(move |w| {
                        let mut longer = prefix.clone();
                        longer.push(*w);
                        longer
                    })
                })
                .collect();
        }
        actions.extend(commits.into_iter().map(Action::DecideCommit));
        for rm in 0..self.rms {
            for (b, ms) in self.decided_witnesses(state, rm, Val::Aborted) {
                actions.push(Action::DecideAbort { rm, b, ms });
            }
        }
        for acc in 0..self.acceptors {
            for m in &state.msgs {
                match m {
                    Message::Phase1a { .. } => actions.push(Action::Phase1b(acc, *m)),
                    Message::Phase2a { .. } => actions.push(Action::Phase2b(acc, *m)),
                    _ => {}
                }
            }
        }
    }

    /// One arm per action: its guard, then its primed assignments.
    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = last.clone();
        match action {
            Action::RMPrepare(rm) if last.rm_state[rm] == RmState::Working => {
                next.rm_state[rm] = RmState::Prepared;
                next.msgs.insert(Message::Phase2a {
                    ins: rm,
                    bal: 0,
                    val: Val::Prepared,
                });
            }
            Action::RMChooseToAbort(rm) if last.rm_state[rm] == RmState::Working => {
                next.rm_state[rm] = RmState::Aborted;
                next.msgs.insert(Message::Phase2a {
                    ins: rm,
                    bal: 0,
                    val: Val::Aborted,
                });
            }
            Action::RMRcvCommitMsg(rm) if last.msgs.contains(&Message::Commit) => {
                next.rm_state[rm] = RmState::Committed;
            }
            Action::RMRcvAbortMsg(rm) if last.msgs.contains(&Message::Abort) => {
                next.rm_state[rm] = RmState::Aborted;
            }
            Action::Phase1a(bal, rm) => {
                next.msgs.insert(Message::Phase1a { ins: rm, bal });
            }
            // Phase2a(bal, rm): no phase 2a message for bal in instance rm
            // yet, and majority ms answered phase 1b for bal.
            Action::Phase2a { bal, rm, ms }
                if !last.msgs.iter().any(|m| {
                    matches!(m, Message::Phase2a { ins, bal: b, .. } if *ins == rm && *b == bal)
                }) =>
            {
                let val = self.phase2a_value(last, bal, rm, ms)?;
                next.msgs.insert(Message::Phase2a { ins: rm, bal, val });
            }
            Action::DecideCommit(witnesses)
                if witnesses.len() == self.rms
                    && witnesses
                        .iter()
                        .enumerate()
                        .all(|(rm, w)| self.decided_with(last, rm, Val::Prepared, *w)) =>
            {
                next.msgs.insert(Message::Commit);
            }
            Action::DecideAbort { rm, b, ms } if self.decided_with(last, rm, Val::Aborted, (b, ms)) => {
                next.msgs.insert(Message::Abort);
            }
            Action::Phase1b(acc, m @ Message::Phase1a { ins, bal })
                if last.msgs.contains(&m) && last.a_state[ins][acc].mbal < bal =>
            {
                let a = last.a_state[ins][acc];
                next.a_state[ins][acc].mbal = bal;
                next.msgs.insert(Message::Phase1b {
                    ins,
                    mbal: bal,
                    bal: a.bal,
                    val: a.val,
                    acc,
                });
            }
            Action::Phase2b(acc, m @ Message::Phase2a { ins, bal, val })
                if last.msgs.contains(&m) && last.a_state[ins][acc].mbal <= bal =>
            {
                next.a_state[ins][acc] = AState {
                    mbal: bal,
                    bal,
                    val,
                };
                next.msgs.insert(Message::Phase2b { acc, ins, bal, val });
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // PaxosCommit.cfg, INVARIANT PCTypeOK.
            Property::<Self>::always("PCTypeOK", |m, s| m.type_ok(s)),
            // THEOREM PCSpec => TC!TCSpec, whose invariant is TCConsistent.
            Property::<Self>::always("TC!TCConsistent", |_, s| {
                tcommit::tc_consistent(&s.rm_state)
            }),
            // Not in the spec: both outcomes are reachable.
            Property::<Self>::sometimes("committed", |_, s| {
                s.rm_state.iter().all(|r| *r == RmState::Committed)
            }),
            Property::<Self>::sometimes("aborted", |_, s| {
                s.rm_state.iter().all(|r| *r == RmState::Aborted)
            }),
        ]
    }
}
