//! `Consensus`, Lamport's specification of the consensus problem: a set of
//! processes choose at most one value. Transcribed from `Consensus.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples), directories
//! `specifications/Paxos/` and `specifications/PaxosHowToWinATuringAward/`
//! (the two copies define the same variable, `Init`, `Next` and `Inv`).
//!
//! One variable, `chosen`, the set of chosen values: initially empty, it may
//! become `{v}` for one value `v` and then never changes. No processes, no
//! messages, no faults. The checker shows `Inv` (at most one value chosen).
//! [`voting`](super::voting) implements it under [`super::voting::chosen`].

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

/// A value, an element of the constant set `Value`, here `0..values`.
pub type Value = usize;

/// A state of `Consensus`: the value of its single variable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `chosen`: the set of all values that have been chosen.
    pub chosen: BTreeSet<Value>,
}

/// The next-state relation `Next == chosen = {} /\ \E v \in Value : chosen' =
/// {v}`, one action per witness `v` of the `\E`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Next` with witness `v`: nothing is chosen yet, and `v` becomes chosen.
    Next(Value),
}

/// Which initial predicate the behaviours start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Start {
    /// `Spec == Init /\ [][Next]_chosen`, with `Init == chosen = {}`.
    Init,
    /// `ISpec == IInv /\ [][Next]_chosen` of `Paxos/MCConsensus.tla`: every
    /// state satisfying `IInv` (`chosen \in SUBSET Value /\ Cardinality(chosen)
    /// \leq 1`) is initial, so checking `Inv` checks that `Inv` is inductive.
    IInv,
}

/// The `Consensus` specification with `Value = 0..values`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consensus {
    /// The size of the constant `Value`.
    pub values: usize,
    /// `Spec` or `ISpec`.
    pub start: Start,
}

impl Consensus {
    /// `Spec` with `Value = 0..values`.
    pub fn new(values: usize) -> Self {
        Self {
            values,
            start: Start::Init,
        }
    }

    /// `ISpec` (`Paxos/MCConsensus.tla`) with `Value = 0..values`.
    pub fn inductive(values: usize) -> Self {
        Self {
            values,
            start: Start::IInv,
        }
    }
}

impl Default for Consensus {
    /// Three values, as both `MCConsensus.cfg`s (`Value = {a, b, c}`).
    fn default() -> Self {
        Self::new(3)
    }
}

/// `TypeOK == chosen \subseteq Value /\ IsFiniteSet(chosen)` (a `BTreeSet` is
/// finite).
pub fn type_ok(values: usize, chosen: &BTreeSet<Value>) -> bool {
    chosen.iter().all(|v| *v < values)
}

/// `Inv == TypeOK /\ Cardinality(chosen) \leq 1`: at most one value is chosen
/// (`THEOREM Invariance == Spec => []Inv`).
pub fn inv(values: usize, chosen: &BTreeSet<Value>) -> bool {
    type_ok(values, chosen) && chosen.len() <= 1
}

impl Model for Consensus {
    type State = State;
    type Action = Action;

    /// `Init == chosen = {}`, or for `ISpec` every `chosen \in SUBSET Value`
    /// with `Cardinality(chosen) \leq 1`.
    fn init_states(&self) -> Vec<State> {
        let empty = State {
            chosen: BTreeSet::new(),
        };
        match self.start {
            Start::Init => vec![empty],
            Start::IInv => std::iter::once(empty)
                .chain((0..self.values).map(|v| State {
                    chosen: BTreeSet::from([v]),
                }))
                .collect(),
        }
    }

    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        actions.extend((0..self.values).map(Action::Next));
    }

    /// `Next`: enabled when `chosen = {}`, and then `chosen' = {v}`.
    fn next_state(&self, last_state: &State, action: Action) -> Option<State> {
        match action {
            Action::Next(v) if last_state.chosen.is_empty() => Some(State {
                chosen: BTreeSet::from([v]),
            }),
            _ => None,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // Consensus.tla, `THEOREM Invariance == Spec => []Inv`.
            Property::<Self>::always("Inv", |m, s| inv(m.values, &s.chosen)),
            // Not in the spec: a value can be chosen at all (`Success`, the
            // liveness property of Paxos/Consensus.tla, as a possibility).
            Property::<Self>::sometimes("chosen # {}", |_, s| !s.chosen.is_empty()),
        ]
    }
}
