//! `ChangRoberts`, leader election on a unidirectional ring ([Chang &
//! Roberts, CACM 22(5), 1979](https://doi.org/10.1145/359104.359108)),
//! transcribed from the TLA+ translation of Merz's PlusCal algorithm in
//! `specifications/chang_roberts/ChangRoberts.tla` of
//! [tlaplus/Examples](https://github.com/tlaplus/Examples), with
//! `MCChangRoberts.tla`'s `Id == [i \in 1 .. N |-> i]`.
//!
//! Initiators send their identity to their successor; a node forwards a
//! smaller identity (and has then lost), swallows a larger one, and wins when
//! its own comes back. `msgs[n]` is a set (no duplicates, any order), no
//! loss, no crashes. The checker shows `Correctness`: a winner is the
//! initiator with the smallest identity, and every other node has lost.

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

/// A node, an element of `Node == 1 .. N`, here `0..n` (node `i` is the
/// TLA+'s node `i+1`).
pub type Node = usize;

/// An identity, an element of `Id`.
pub type Ident = u32;

/// The PlusCal labels, the values of `pc[self]` (`"Done"` is never reached:
/// `n1` loops forever).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pc {
    N0,
    N1,
}

/// The values of `state[self]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Cand,
    Lost,
    Won,
}

/// A state of `ChangRoberts`: its four variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `msgs[n]`: the identities waiting to be received by node `n`.
    pub msgs: Vec<BTreeSet<Ident>>,
    /// `pc[self]`.
    pub pc: Vec<Pc>,
    /// `initiator[self]`: whether the node starts the election.
    pub initiator: Vec<bool>,
    /// `state[self]`.
    pub state: Vec<NodeState>,
}

/// The disjuncts of `Next == \E self \in Node : n0(self) \/ n1(self)`
/// (`Terminating` is never enabled: no `pc` is ever `"Done"`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `n0(self)`: an initiator sends its identity to its successor.
    N0(Node),
    /// `n1(self)` with the witness `id` of `\E id \in msgs[self]`.
    N1(Node, Ident),
}

/// `ChangRoberts` with `N` nodes and identities `Id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangRoberts {
    /// `Id[i]`: the identity of node `i`, all distinct.
    pub id: Vec<Ident>,
}

impl ChangRoberts {
    /// `MCChangRoberts` with `N` nodes: `Id == [i \in 1 .. N |-> i]`.
    pub fn new(n: usize) -> Self {
        Self {
            id: (1..=n as Ident).collect(),
        }
    }

    /// `N`.
    pub fn n(&self) -> usize {
        self.id.len()
    }

    /// `succ(n)`: the next node along the ring.
    pub fn succ(&self, n: Node) -> Node {
        (n + 1) % self.n()
    }

    /// `Correctness`: a node that won is an initiator, every other node lost,
    /// and every other initiator has a larger identity.
    pub fn correctness(&self, s: &State) -> bool {
        (0..self.n())
            .filter(|n| s.state[*n] == NodeState::Won)
            .all(|n| {
                s.initiator[n]
                    && (0..self.n()).filter(|m| *m != n).all(|m| {
                        s.state[m] == NodeState::Lost
                            && (!s.initiator[m] || self.id[m] > self.id[n])
                    })
            })
    }
}

impl Default for ChangRoberts {
    /// `MCChangRoberts.cfg`: `N = 3`.
    fn default() -> Self {
        Self::new(3)
    }
}

impl Model for ChangRoberts {
    type State = State;
    type Action = Action;

    /// `Init`: no messages, `initiator \in [Node -> BOOLEAN]`, initiators
    /// are candidates and the others have lost, every `pc` is `"n0"`.
    fn init_states(&self) -> Vec<State> {
        let n = self.n();
        (0u32..1 << n)
            .map(|bits| {
                let initiator: Vec<bool> = (0..n).map(|i| bits & (1 << i) != 0).collect();
                State {
                    msgs: vec![BTreeSet::new(); n],
                    pc: vec![Pc::N0; n],
                    state: initiator
                        .iter()
                        .map(|i| if *i { NodeState::Cand } else { NodeState::Lost })
                        .collect(),
                    initiator,
                }
            })
            .collect()
    }

    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        for n in 0..self.n() {
            actions.push(Action::N0(n));
            actions.extend(state.msgs[n].iter().map(|id| Action::N1(n, *id)));
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = last.clone();
        match action {
            // n0(self): an initiator sends Id[self] to succ(self); then n1.
            Action::N0(me) if last.pc[me] == Pc::N0 => {
                if last.initiator[me] {
                    next.msgs[self.succ(me)].insert(self.id[me]);
                }
                next.pc[me] = Pc::N1;
            }
            // n1(self): receive id; forward it if lost or if it is smaller
            // than Id[self] (and then lose), else swallow it, and win if it
            // is Id[self].
            Action::N1(me, id) if last.pc[me] == Pc::N1 && last.msgs[me].contains(&id) => {
                next.msgs[me].remove(&id);
                if last.state[me] == NodeState::Lost {
                    next.msgs[self.succ(me)].insert(id);
                } else if id < self.id[me] {
                    next.state[me] = NodeState::Lost;
                    next.msgs[self.succ(me)].insert(id);
                } else if id == self.id[me] {
                    next.state[me] = NodeState::Won;
                }
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // MCChangRoberts.cfg, INVARIANTS TypeOK Correctness.
            Property::<Self>::always("TypeOK", |m, s| {
                s.msgs.iter().flatten().all(|id| m.id.contains(id))
            }),
            Property::<Self>::always("Correctness", |m, s| m.correctness(s)),
            // Not in the spec: a leader can be elected at all (`Liveness`
            // as a possibility).
            Property::<Self>::sometimes("some node won", |_, s| s.state.contains(&NodeState::Won)),
        ]
    }
}
