//! `Voting`, Lamport's high-level consensus algorithm behind Paxos: acceptors
//! vote in numbered ballots, and a value is chosen when a quorum votes for it
//! in one ballot. Transcribed from `Voting.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples), directories
//! `specifications/Paxos/` and `specifications/PaxosHowToWinATuringAward/`
//! (the two copies define the same variables, `Init`, `Next` and `Inv`).
//!
//! No messages and no faults: an acceptor may raise `maxBal[a]` at any time
//! (`IncreaseMaxBal`) and may vote in ballot `b` only if a quorum shows the
//! value safe at `b` (`VoteFor`). The checker shows `Inv` (`VotesSafe`,
//! `OneValuePerBallot`) and that at most one value is chosen; under
//! [`chosen`] every step is a [`Consensus`](super::consensus) step or a
//! stutter (`THEOREM Implementation == Spec => C!Spec`).

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

use super::consensus;
pub use super::consensus::Value;

/// An acceptor, an element of the constant set `Acceptor`, here `0..acceptors`.
pub type Acceptor = usize;

/// A ballot number, or `-1` where the TLA+ writes `Ballot \cup {-1}`.
/// `Ballot == Nat` is overridden by the models to `0..max_ballot`.
pub type Ballot = i32;

/// A state of `Voting`: its two variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `votes[a]`: the set of votes `<<b, v>>` cast by acceptor `a`.
    pub votes: Vec<BTreeSet<(Ballot, Value)>>,
    /// `maxBal[a]`: `a` will cast no further vote in a ballot below it.
    pub max_bal: Vec<Ballot>,
}

/// The disjuncts of `Next == \E a \in Acceptor, b \in Ballot :
/// IncreaseMaxBal(a, b) \/ \E v \in Value : VoteFor(a, b, v)`.
///
/// TLC produces one successor per satisfying witness of every `\E` it meets
/// while evaluating an action: the `\E Q \in Quorum` of `VoteFor`, the `\E c
/// \in -1..(b-1)` of `ShowsSafeAt`, and the `\E a \in Q : VotedFor(a, c, v)`
/// in the consequent of `(c # -1) => ...` (TLC evaluates an implication whose
/// antecedent holds by enumerating its consequent). So `VoteFor` names these
/// witnesses: then the successors Stateright generates (its `state_count`)
/// are the "states generated" TLC reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `IncreaseMaxBal(a, b)`: `a` promises not to vote below `b`.
    IncreaseMaxBal(Acceptor, Ballot),
    /// `VoteFor(a, b, v)`, with `quorums[q]`, `c` and `voted` the witnesses
    /// of `\E Q \in Quorum : ShowsSafeAt(Q, b, v)`: `voted` is the acceptor of
    /// `Q` that voted for `v` in `c`, `None` when `c = -1`.
    VoteFor {
        a: Acceptor,
        b: Ballot,
        v: Value,
        q: usize,
        c: Ballot,
        voted: Option<Acceptor>,
    },
}

/// The `Voting` specification: `Acceptor = 0..acceptors`, `Value =
/// 0..values`, `Quorum = quorums`, `Ballot = 0..max_ballot`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Voting {
    pub acceptors: usize,
    pub values: usize,
    /// The constant `Quorum`. `QuorumAssumption` (every two quorums
    /// intersect) is not enforced, so that breaking it can be checked.
    pub quorums: Vec<BTreeSet<Acceptor>>,
    /// The largest ballot of the override `Ballot <- 0..max_ballot`.
    pub max_ballot: Ballot,
    /// Whether the MC configuration declares `SYMMETRY
    /// Permutations(Acceptor) \cup Permutations(Value)`. Not part of the
    /// spec: it changes only how a checker counts, one state per orbit under
    /// [`Voting::representative`]. Used by the workbench's checker as its view.
    pub symmetry: bool,
}

/// The majorities of `0..acceptors`, in the order the MC files list them
/// (`{{a1, a2}, {a1, a3}, {a2, a3}}` for three).
pub fn majorities(acceptors: usize) -> Vec<BTreeSet<Acceptor>> {
    let size = acceptors / 2 + 1;
    (0u32..1 << acceptors)
        .filter(|bits| bits.count_ones() as usize == size)
        .map(|bits| (0..acceptors).filter(|a| bits & (1 << a) != 0).collect())
        .collect::<BTreeSet<BTreeSet<Acceptor>>>()
        .into_iter()
        .collect()
}

/// Every permutation of `0..n`, each as the image of `0, 1, ..`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new()];
    }
    let mut all = Vec::new();
    for shorter in permutations(n - 1) {
        for at in 0..n {
            let mut p = shorter.clone();
            p.insert(at, n - 1);
            all.push(p);
        }
    }
    all
}

impl Voting {
    /// `Voting` with majority quorums.
    pub fn new(acceptors: usize, values: usize, max_ballot: Ballot) -> Self {
        Self::with_quorums(acceptors, values, majorities(acceptors), max_ballot)
    }

    /// `Voting` with the given `Quorum`.
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

    /// `QuorumAssumption`: every quorum is a set of acceptors, and every two
    /// quorums intersect.
    pub fn quorum_assumption(&self) -> bool {
        self.quorums
            .iter()
            .all(|q| q.iter().all(|a| *a < self.acceptors))
            && self
                .quorums
                .iter()
                .all(|q1| self.quorums.iter().all(|q2| !q1.is_disjoint(q2)))
    }

    /// `VotedFor(a, b, v) == <<b, v>> \in votes[a]`.
    pub fn voted_for(s: &State, a: Acceptor, b: Ballot, v: Value) -> bool {
        s.votes[a].contains(&(b, v))
    }

    /// `ChosenAt(b, v)`: a quorum all voted for `v` in ballot `b`.
    pub fn chosen_at(&self, s: &State, b: Ballot, v: Value) -> bool {
        self.quorums
            .iter()
            .any(|q| q.iter().all(|a| Self::voted_for(s, *a, b, v)))
    }

    /// `chosen == {v \in Value : \E b \in Ballot : ChosenAt(b, v)}`.
    pub fn chosen(&self, s: &State) -> BTreeSet<Value> {
        (0..self.values)
            .filter(|v| self.ballots().any(|b| self.chosen_at(s, b, *v)))
            .collect()
    }

    /// `DidNotVoteAt(a, b) == \A v \in Value : ~VotedFor(a, b, v)`.
    pub fn did_not_vote_at(&self, s: &State, a: Acceptor, b: Ballot) -> bool {
        (0..self.values).all(|v| !Self::voted_for(s, a, b, v))
    }

    /// `CannotVoteAt(a, b) == maxBal[a] > b /\ DidNotVoteAt(a, b)`.
    pub fn cannot_vote_at(&self, s: &State, a: Acceptor, b: Ballot) -> bool {
        s.max_bal[a] > b && self.did_not_vote_at(s, a, b)
    }

    /// `NoneOtherChoosableAt(b, v)`: some quorum each of whose acceptors voted
    /// for `v` in `b` or never can vote in `b`.
    pub fn none_other_choosable_at(&self, s: &State, b: Ballot, v: Value) -> bool {
        self.quorums.iter().any(|q| {
            q.iter()
                .all(|a| Self::voted_for(s, *a, b, v) || self.cannot_vote_at(s, *a, b))
        })
    }

    /// `SafeAt(b, v) == \A c \in 0..(b-1) : NoneOtherChoosableAt(c, v)`.
    pub fn safe_at(&self, s: &State, b: Ballot, v: Value) -> bool {
        (0..b).all(|c| self.none_other_choosable_at(s, c, v))
    }

    /// The body of `ShowsSafeAt(Q, b, v)` for one witness `c` of its `\E c \in
    /// -1..(b-1)` and, when `c # -1`, one witness `voted` of `\E a \in Q :
    /// VotedFor(a, c, v)`: every acceptor of `Q` has `maxBal >= b`, acceptor
    /// `voted` of `Q` voted for `v` in `c` (no witness when `c = -1`), and no
    /// acceptor of `Q` voted in a ballot strictly between `c` and `b`.
    pub fn shows_safe_at_with(
        &self,
        s: &State,
        q: &BTreeSet<Acceptor>,
        (b, v): (Ballot, Value),
        c: Ballot,
        voted: Option<Acceptor>,
    ) -> bool {
        q.iter().all(|a| s.max_bal[*a] >= b)
            && (-1..b).contains(&c)
            && match voted {
                None => c == -1,
                Some(a) => c != -1 && q.contains(&a) && Self::voted_for(s, a, c, v),
            }
            && (c + 1..b).all(|d| q.iter().all(|a| self.did_not_vote_at(s, *a, d)))
    }

    /// The witnesses `(c, voted)` [`Voting::shows_safe_at_with`] may be
    /// given for ballot `b` and quorum `q`: `(-1, None)`, and `(c, Some(a))`
    /// for every `c` in `0..(b-1)` and `a` in `q`.
    pub fn witnesses(
        q: &BTreeSet<Acceptor>,
        b: Ballot,
    ) -> impl Iterator<Item = (Ballot, Option<Acceptor>)> + '_ {
        std::iter::once((-1, None))
            .chain((0..b).flat_map(move |c| q.iter().map(move |a| (c, Some(*a)))))
    }

    /// `ShowsSafeAt(Q, b, v)`.
    pub fn shows_safe_at(&self, s: &State, q: &BTreeSet<Acceptor>, b: Ballot, v: Value) -> bool {
        Self::witnesses(q, b).any(|(c, voted)| self.shows_safe_at_with(s, q, (b, v), c, voted))
    }

    /// `TypeOK`: `votes \in [Acceptor -> SUBSET (Ballot \X Value)]` and
    /// `maxBal \in [Acceptor -> Ballot \cup {-1}]`, with the overridden
    /// `Ballot`.
    pub fn type_ok(&self, s: &State) -> bool {
        s.votes.len() == self.acceptors
            && s.max_bal.len() == self.acceptors
            && s.votes
                .iter()
                .flatten()
                .all(|(b, v)| self.ballots().contains(b) && *v < self.values)
            && s.max_bal
                .iter()
                .all(|b| *b == -1 || self.ballots().contains(b))
    }

    /// `VotesSafe`: every vote cast is for a value safe at its ballot.
    pub fn votes_safe(&self, s: &State) -> bool {
        (0..self.acceptors).all(|a| s.votes[a].iter().all(|(b, v)| self.safe_at(s, *b, *v)))
    }

    /// `OneValuePerBallot`: no two votes in one ballot are for different
    /// values.
    pub fn one_value_per_ballot(&self, s: &State) -> bool {
        let all: Vec<_> = s.votes.iter().flatten().collect();
        all.iter()
            .all(|(b1, v1)| all.iter().all(|(b2, v2)| b1 != b2 || v1 == v2))
    }

    /// `Inv == TypeOK /\ VotesSafe /\ OneValuePerBallot`.
    pub fn inv(&self, s: &State) -> bool {
        self.type_ok(s) && self.votes_safe(s) && self.one_value_per_ballot(s)
    }

    /// The `Consensus` spec `C == INSTANCE Consensus` refers to: the same
    /// `Value`, starting from `Init`.
    pub fn consensus(&self) -> consensus::Consensus {
        consensus::Consensus::new(self.values)
    }

    /// The refinement mapping of `C == INSTANCE Consensus`: Consensus's
    /// `chosen` is this module's defined `chosen`.
    pub fn abstraction(&self, s: &State) -> consensus::State {
        consensus::State {
            chosen: self.chosen(s),
        }
    }

    /// The state `s` with acceptors renamed by `acceptor` and values by
    /// `value` (each a permutation, `p[i]` the new name of `i`).
    pub fn permute(s: &State, acceptor: &[usize], value: &[usize]) -> State {
        let mut votes = vec![BTreeSet::new(); s.votes.len()];
        let mut max_bal = vec![-1; s.max_bal.len()];
        for a in 0..s.votes.len() {
            votes[acceptor[a]] = s.votes[a].iter().map(|(b, v)| (*b, value[*v])).collect();
            max_bal[acceptor[a]] = s.max_bal[a];
        }
        State { votes, max_bal }
    }

    /// The least state (in `State`'s order) of `s`'s orbit under every
    /// renaming of acceptors and of values: the representative under which
    /// TLC's `SYMMETRY Permutations(Acceptor) \cup Permutations(Value)` counts
    /// states. A symmetry of the spec only when `Quorum` is closed under
    /// renaming acceptors (e.g. [`majorities`]); checked by a debug assertion.
    pub fn representative(&self, s: &State) -> State {
        let acceptor_perms = permutations(self.acceptors);
        debug_assert!(acceptor_perms.iter().all(|p| {
            let renamed: BTreeSet<BTreeSet<Acceptor>> = self
                .quorums
                .iter()
                .map(|q| q.iter().map(|a| p[*a]).collect())
                .collect();
            renamed == self.quorums.iter().cloned().collect()
        }));
        let value_perms = permutations(self.values);
        let mut best = s.clone();
        for pa in &acceptor_perms {
            for pv in &value_perms {
                let t = Self::permute(s, pa, pv);
                if t < best {
                    best = t;
                }
            }
        }
        best
    }
}

impl Default for Voting {
    /// `MCVoting` of `PaxosHowToWinATuringAward/`: acceptors `{a1, a2, a3}`,
    /// values `{v1, v2}`, majority quorums, `Ballot <- 0..2`.
    fn default() -> Self {
        Self::new(3, 2, 2)
    }
}

impl Model for Voting {
    type State = State;
    type Action = Action;

    /// `Init`: no votes, every `maxBal[a] = -1`.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            votes: vec![BTreeSet::new(); self.acceptors],
            max_bal: vec![-1; self.acceptors],
        }]
    }

    /// Every instance of `Next` and of the witnesses of `VoteFor`; whether it
    /// is enabled is decided in [`Voting::next_state`].
    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        for a in 0..self.acceptors {
            for b in self.ballots() {
                actions.push(Action::IncreaseMaxBal(a, b));
                for v in 0..self.values {
                    for (q, quorum) in self.quorums.iter().enumerate() {
                        for (c, voted) in Self::witnesses(quorum, b) {
                            actions.push(Action::VoteFor {
                                a,
                                b,
                                v,
                                q,
                                c,
                                voted,
                            });
                        }
                    }
                }
            }
        }
    }

    /// One arm per action: the guard is its enabling condition, the body its
    /// primed assignments.
    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = last.clone();
        match action {
            // IncreaseMaxBal(a, b) == b > maxBal[a] /\ maxBal' = ... /\ UNCHANGED votes
            Action::IncreaseMaxBal(a, b) if b > last.max_bal[a] => {
                next.max_bal[a] = b;
            }
            // VoteFor(a, b, v): a may vote in b, has not voted in b, nobody
            // voted for another value in b, and quorum q shows v safe at b.
            Action::VoteFor {
                a,
                b,
                v,
                q,
                c,
                voted,
            } if last.max_bal[a] <= b
                && last.votes[a].iter().all(|vt| vt.0 != b)
                && (0..self.acceptors)
                    .filter(|other| *other != a)
                    .all(|other| last.votes[other].iter().all(|vt| vt.0 != b || vt.1 == v))
                && self.shows_safe_at_with(last, &self.quorums[q], (b, v), c, voted) =>
            {
                next.votes[a].insert((b, v));
                next.max_bal[a] = b;
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // Voting.tla, `THEOREM Invariance == Spec => []Inv`.
            Property::<Self>::always("Inv", |m, s| m.inv(s)),
            // Voting.tla, `THEOREM Implementation == Spec => C!Spec`, whose
            // safety consequence is Consensus's `Inv` of `chosen`.
            Property::<Self>::always("C!Inv", |m, s| consensus::inv(m.values, &m.chosen(s))),
            // Not in the spec: a value can be chosen at all.
            Property::<Self>::sometimes("chosen # {}", |m, s| !m.chosen(s).is_empty()),
        ]
    }
}
