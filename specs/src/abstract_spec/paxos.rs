//! `Paxos`, Lamport's specification of the Paxos consensus algorithm without
//! explicit leaders or learners. Transcribed from `Paxos.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples), directories
//! `specifications/Paxos/` and `specifications/PaxosHowToWinATuringAward/`
//! (same variables, `Init` and `Next`; the latter's `Inv` has two more
//! conjuncts, and both are checked here).
//!
//! Ballot leaders send phase 1a and 2a messages, acceptors answer with 1b and
//! 2b; `msgs` is every message ever sent, so a message may be received late,
//! never, or many times (loss and duplication need no separate actions). No
//! crashes. The checker shows `Inv`, and under [`Paxos::abstraction`] (the
//! `votes` of 2b messages, and `maxBal`) every step is a
//! [`Voting`](super::voting) step or a stutter (`THEOREM Spec => V!Spec`).

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

use super::consensus;
use super::voting::{self, majorities, permutations, Acceptor, Ballot, Value, Voting};

/// An element of `Message`; serialized as the TLA+ record.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type")]
pub enum Message {
    /// `[type |-> "1a", bal |-> b]`: the leader of ballot `b` begins it.
    #[serde(rename = "1a")]
    OneA { bal: Ballot },
    /// `[type |-> "1b", acc, bal, mbal, mval]`: `acc` joins ballot `bal` and
    /// reports its highest vote `<<mbal, mval>>` (`<<-1, None>>` if none).
    #[serde(rename = "1b")]
    OneB {
        acc: Acceptor,
        bal: Ballot,
        mbal: Ballot,
        mval: Option<Value>,
    },
    /// `[type |-> "2a", bal, val]`: the leader of `bal` asks for votes for `val`.
    #[serde(rename = "2a")]
    TwoA { bal: Ballot, val: Value },
    /// `[type |-> "2b", acc, bal, val]`: `acc` voted for `val` in `bal`.
    #[serde(rename = "2b")]
    TwoB {
        acc: Acceptor,
        bal: Ballot,
        val: Value,
    },
}

/// A state of `Paxos`: its four variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `maxBal[a]`: the highest ballot `a` has joined, or -1.
    pub max_bal: Vec<Ballot>,
    /// `maxVBal[a]`: the ballot of `a`'s highest vote, or -1.
    pub max_v_bal: Vec<Ballot>,
    /// `maxVal[a]`: the value of that vote, or `None`.
    pub max_val: Vec<Option<Value>>,
    /// `msgs`: every message ever sent.
    pub msgs: BTreeSet<Message>,
}

/// The disjuncts of `Next`, each with the witnesses of the `\E`s TLC
/// enumerates in it: TLC produces one successor per satisfying witness, so
/// with the witnesses in the action the successors Stateright generates (its
/// `state_count`) are TLC's "states generated".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Phase1a(b)`: send `[type |-> "1a", bal |-> b]`; always enabled.
    Phase1a(Ballot),
    /// `Phase2a(b, v)` with the witnesses of `\E Q \in Quorum` (`q`, an index
    /// into `quorums`) and of the disjunction that follows: `None` for `Q1bv =
    /// {}`, `Some(m)` for `\E m \in Q1bv` (the highest-ballot vote reported,
    /// which is for `v`).
    Phase2a {
        b: Ballot,
        v: Value,
        q: usize,
        m: Option<Message>,
    },
    /// `Phase1b(a)` on receipt of the 1a message `m` (the `\E m \in msgs`).
    Phase1b(Acceptor, Message),
    /// `Phase2b(a)` on receipt of the 2a message `m` (the `\E m \in msgs`).
    Phase2b(Acceptor, Message),
}

/// The `Paxos` specification: `Acceptor = 0..acceptors`, `Value =
/// 0..values`, `Quorum = quorums`, `Ballot = 0..max_ballot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Paxos {
    pub acceptors: usize,
    pub values: usize,
    /// The constant `Quorum` (its intersection assumption is not enforced).
    pub quorums: Vec<BTreeSet<Acceptor>>,
    /// The largest ballot of the override `Ballot <- 0..max_ballot`.
    pub max_ballot: Ballot,
    /// Whether the MC configuration declares `SYMMETRY
    /// Permutations(Acceptor) \cup Permutations(Value)`. Not part of the
    /// spec: it changes only how a checker counts, one state per orbit under
    /// [`Paxos::representative`]. Used by the workbench's checker as its view.
    pub symmetry: bool,
}

impl Paxos {
    /// `Paxos` with majority quorums.
    pub fn new(acceptors: usize, values: usize, max_ballot: Ballot) -> Self {
        Self::with_quorums(acceptors, values, majorities(acceptors), max_ballot)
    }

    /// `Paxos` with the given `Quorum`.
    pub fn with_quorums(
        acceptors: usize,
        values: usize,
        quorums: Vec<BTreeSet<Acceptor>>,
        max_ballot: Ballot,
    ) -> Self {
        Self {
            acceptors,
            values,
            quorums,
            max_ballot,
            symmetry: false,
        }
    }

    /// The same configuration with `SYMMETRY` declared.
    pub fn with_symmetry(self) -> Self {
        Self {
            symmetry: true,
            ..self
        }
    }

    /// The overridden `Ballot`, `0..max_ballot`.
    pub fn ballots(&self) -> std::ops::RangeInclusive<Ballot> {
        0..=self.max_ballot
    }

    /// `V == INSTANCE Voting`: the same constants (the MC files override
    /// `Ballot <-[Voting]` with the same range).
    pub fn voting(&self) -> Voting {
        Voting::with_quorums(
            self.acceptors,
            self.values,
            self.quorums.clone(),
            self.max_ballot,
        )
    }

    /// `votes[a]`: the votes `<<m.bal, m.val>>` of the 2b messages `a` sent.
    pub fn votes(&self, s: &State) -> Vec<BTreeSet<(Ballot, Value)>> {
        let mut votes = vec![BTreeSet::new(); self.acceptors];
        for m in &s.msgs {
            if let Message::TwoB { acc, bal, val } = m {
                votes[*acc].insert((*bal, *val));
            }
        }
        votes
    }

    /// The refinement mapping of `V == INSTANCE Voting`: Voting's `votes` is
    /// the defined [`Paxos::votes`], its `maxBal` this module's `maxBal`.
    pub fn abstraction(&self, s: &State) -> voting::State {
        voting::State {
            votes: self.votes(s),
            max_bal: s.max_bal.clone(),
        }
    }

    /// `V!chosen`, the values Voting's `chosen` holds under the mapping.
    pub fn chosen(&self, s: &State) -> BTreeSet<Value> {
        self.voting().chosen(&self.abstraction(s))
    }

    /// `TypeOK`, with the overridden `Ballot`.
    pub fn type_ok(&self, s: &State) -> bool {
        let ballot = |b: &Ballot| self.ballots().contains(b);
        let ballot_or_none = |b: &Ballot| *b == -1 || ballot(b);
        let acceptor = |a: &Acceptor| *a < self.acceptors;
        let value = |v: &Value| *v < self.values;
        [&s.max_bal, &s.max_v_bal]
            .iter()
            .all(|f| f.len() == self.acceptors && f.iter().all(ballot_or_none))
            && s.max_val.len() == self.acceptors
            && s.max_val.iter().flatten().all(value)
            && s.msgs.iter().all(|m| match m {
                Message::OneA { bal } => ballot(bal),
                Message::OneB {
                    acc,
                    bal,
                    mbal,
                    mval,
                } => acceptor(acc) && ballot(bal) && ballot_or_none(mbal) && mval.iter().all(value),
                Message::TwoA { bal, val } => ballot(bal) && value(val),
                Message::TwoB { acc, bal, val } => acceptor(acc) && ballot(bal) && value(val),
            })
    }

    /// `Inv` of `PaxosHowToWinATuringAward/Paxos.tla`, the inductive invariant
    /// that explains why Paxos implements Voting. Its conjuncts other than
    /// `maxBal[a] >= maxVBal[a]` and the one about 2b messages are `Inv1`,
    /// `Inv2` and `Inv3` of `Paxos/MCPaxos.tla`; `Inv4` is [`Voting::inv`] of
    /// the mapping, checked as the property `V!Inv`.
    pub fn inv(&self, s: &State) -> bool {
        let votes = self.votes(s);
        let voting = self.voting();
        let mapped = self.abstraction(s);
        let two_a = |bal: Ballot, val: Value| s.msgs.contains(&Message::TwoA { bal, val });
        self.type_ok(s)
            && (0..self.acceptors).all(|a| s.max_bal[a] >= s.max_v_bal[a])
            && (0..self.acceptors).all(|a| {
                if s.max_v_bal[a] == -1 {
                    s.max_val[a].is_none()
                } else {
                    s.max_val[a].is_some_and(|v| votes[a].contains(&(s.max_v_bal[a], v)))
                }
            })
            && s.msgs.iter().all(|m| match m {
                Message::OneA { .. } => true,
                Message::OneB {
                    acc,
                    bal,
                    mbal,
                    mval,
                } => {
                    s.max_bal[*acc] >= *bal
                        && (*mbal < 0 || mval.is_some_and(|v| votes[*acc].contains(&(*mbal, v))))
                }
                Message::TwoA { bal, val } => {
                    self.quorums
                        .iter()
                        .any(|q| voting.shows_safe_at(&mapped, q, *bal, *val))
                        && (0..self.values).all(|w| !two_a(*bal, w) || w == *val)
                }
                Message::TwoB { acc, bal, val } => s.max_v_bal[*acc] >= *bal && two_a(*bal, *val),
            })
    }

    /// The state `s` with acceptors renamed by `acceptor` and values by
    /// `value` (`p[i]` the new name of `i`).
    pub fn permute(s: &State, acceptor: &[usize], value: &[usize]) -> State {
        let n = s.max_bal.len();
        let mut next = State {
            max_bal: vec![-1; n],
            max_v_bal: vec![-1; n],
            max_val: vec![None; n],
            msgs: BTreeSet::new(),
        };
        for (a, renamed) in acceptor.iter().enumerate() {
            next.max_bal[*renamed] = s.max_bal[a];
            next.max_v_bal[*renamed] = s.max_v_bal[a];
            next.max_val[*renamed] = s.max_val[a].map(|v| value[v]);
        }
        next.msgs = s
            .msgs
            .iter()
            .map(|m| match m {
                Message::OneA { bal } => Message::OneA { bal: *bal },
                Message::OneB {
                    acc,
                    bal,
                    mbal,
                    mval,
                } => Message::OneB {
                    acc: acceptor[*acc],
                    bal: *bal,
                    mbal: *mbal,
                    mval: mval.map(|v| value[v]),
                },
                Message::TwoA { bal, val } => Message::TwoA {
                    bal: *bal,
                    val: value[*val],
                },
                Message::TwoB { acc, bal, val } => Message::TwoB {
                    acc: acceptor[*acc],
                    bal: *bal,
                    val: value[*val],
                },
            })
            .collect();
        next
    }

    /// The least state of `s`'s orbit under every renaming of acceptors and
    /// of values, as [`Voting::representative`]; a symmetry only when
    /// `Quorum` is closed under renaming acceptors.
    pub fn representative(&self, s: &State) -> State {
        let mut best = s.clone();
        for pa in &permutations(self.acceptors) {
            for pv in &permutations(self.values) {
                let t = Self::permute(s, pa, pv);
                if t < best {
                    best = t;
                }
            }
        }
        best
    }

    /// `Send(m) == msgs' = msgs \cup {m}`.
    fn send(next: &mut State, m: Message) {
        next.msgs.insert(m);
    }
}

impl Default for Paxos {
    /// `MCPaxosTiny` of `PaxosHowToWinATuringAward/`: acceptors `{a1, a2,
    /// a3}`, values `{v1, v2}`, majority quorums, `MaxBallot = 1`.
    fn default() -> Self {
        Self::new(3, 2, 1)
    }
}

impl Model for Paxos {
    type State = State;
    type Action = Action;

    /// `Init`: every `maxBal` and `maxVBal` is -1, every `maxVal` is `None`,
    /// no message sent.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            max_bal: vec![-1; self.acceptors],
            max_v_bal: vec![-1; self.acceptors],
            max_val: vec![None; self.acceptors],
            msgs: BTreeSet::new(),
        }]
    }

    /// Every instance of `Next` with every candidate witness; whether it is
    /// enabled is decided in [`Paxos::next_state`].
    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        for b in self.ballots() {
            actions.push(Action::Phase1a(b));
            for v in 0..self.values {
                for q in 0..self.quorums.len() {
                    actions.push(Action::Phase2a { b, v, q, m: None });
                    for m in &state.msgs {
                        actions.push(Action::Phase2a {
                            b,
                            v,
                            q,
                            m: Some(m.clone()),
                        });
                    }
                }
            }
        }
        for a in 0..self.acceptors {
            for m in &state.msgs {
                actions.push(Action::Phase1b(a, m.clone()));
                actions.push(Action::Phase2b(a, m.clone()));
            }
        }
    }

    /// One arm per action: the guard is its enabling condition (with the
    /// action's witnesses), the body its primed assignments.
    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = last.clone();
        match action {
            Action::Phase1a(b) => Self::send(&mut next, Message::OneA { bal: b }),
            Action::Phase2a { b, v, q, m }
                if !last
                    .msgs
                    .iter()
                    .any(|m| matches!(m, Message::TwoA { bal, .. } if *bal == b)) =>
            {
                let quorum = &self.quorums[q];
                // LET Q1b == the ballot-b 1b messages from Q,
                //     Q1bv == those reporting a vote (mbal >= 0)
                let q1b: Vec<&Message> = last
                    .msgs
                    .iter()
                    .filter(|m| matches!(m, Message::OneB { acc, bal, .. } if quorum.contains(acc) && *bal == b))
                    .collect();
                let mbal = |m: &Message| match m {
                    Message::OneB { mbal, .. } => *mbal,
                    _ => unreachable!("Q1b holds 1b messages"),
                };
                let q1bv: Vec<&Message> = q1b.iter().copied().filter(|m| mbal(m) >= 0).collect();
                let all_of_q_replied = quorum.iter().all(|a| {
                    q1b.iter()
                        .any(|m| matches!(m, Message::OneB { acc, .. } if acc == a))
                });
                let shows_v_safe = match &m {
                    // Q1bv = {}
                    None => q1bv.is_empty(),
                    // \E m \in Q1bv : m.mval = v /\ \A mm \in Q1bv : m.mbal >= mm.mbal
                    Some(m) => {
                        q1bv.contains(&m)
                            && matches!(m, Message::OneB { mval, .. } if *mval == Some(v))
                            && q1bv.iter().all(|mm| mbal(m) >= mbal(mm))
                    }
                };
                if !(all_of_q_replied && shows_v_safe) {
                    return None;
                }
                Self::send(&mut next, Message::TwoA { bal: b, val: v });
            }
            Action::Phase1b(a, Message::OneA { bal })
                if last.msgs.contains(&Message::OneA { bal }) && bal > last.max_bal[a] =>
            {
                next.max_bal[a] = bal;
                Self::send(
                    &mut next,
                    Message::OneB {
                        acc: a,
                        bal,
                        mbal: last.max_v_bal[a],
                        mval: last.max_val[a],
                    },
                );
            }
            Action::Phase2b(a, Message::TwoA { bal, val })
                if last.msgs.contains(&Message::TwoA { bal, val }) && bal >= last.max_bal[a] =>
            {
                next.max_bal[a] = bal;
                next.max_v_bal[a] = bal;
                next.max_val[a] = Some(val);
                Self::send(&mut next, Message::TwoB { acc: a, bal, val });
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // PaxosHowToWinATuringAward/Paxos.tla, `THEOREM Invariance ==
            // Spec => []Inv` (which includes Paxos/MCPaxos.tla's Inv1..Inv3).
            Property::<Self>::always("Inv", |m, s| m.inv(s)),
            // Paxos/Paxos.tla, the conjunct `V!Inv` of `Inv` (MCPaxos's Inv4):
            // Voting's invariant of the mapped state.
            Property::<Self>::always("V!Inv", |m, s| m.voting().inv(&m.abstraction(s))),
            // Spec => V!Spec => V!C!Spec: at most one value chosen.
            Property::<Self>::always("V!C!Inv", |m, s| consensus::inv(m.values, &m.chosen(s))),
            // Not in the spec: a value can be chosen at all.
            Property::<Self>::sometimes("V!chosen # {}", |m, s| !m.chosen(s).is_empty()),
        ]
    }
}
