//! `EWD840`, Dijkstra, Feijen and van Gasteren's termination detection on a
//! ring ([EWD 840](https://www.cs.utexas.edu/users/EWD/ewd08xx/EWD840.PDF)),
//! transcribed from Merz's `specifications/ewd840/EWD840.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples).
//!
//! Node 0 sends a token around the ring (`N-1`, `N-2`, ..., 0); a node that
//! activated a node ahead of the token is black and blackens the token; a
//! white token back at a white, passive node 0 means every node is passive.
//! Synchronous messages, no faults. The idea behind the snapshot model's
//! marker. The checker shows `TerminationDetection` and Dijkstra's `Inv`, and
//! that under [`Ewd840::abstraction`] every step is a
//! [`SyncTerminationDetection`] step or a stutter (`TDSpec`, a `PROPERTY` of
//! `EWD840.cfg`).

use serde::Serialize;
use stateright::{Model, Property};

pub use super::sync_termination_detection::Node;
use super::sync_termination_detection::{self, terminated, SyncTerminationDetection};

/// An element of `Color == {"white", "black"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Color {
    White,
    Black,
}

/// A state of `EWD840`: its four variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `active[i]`: whether node `i` is active.
    pub active: Vec<bool>,
    /// `color[i]`: the color of node `i`.
    pub color: Vec<Color>,
    /// `tpos`: the node holding the token.
    pub tpos: Node,
    /// `tcolor`: the token's color.
    pub tcolor: Color,
}

/// Which disjunct of a token-passing guard holds. TLC evaluates a `\/`
/// inside an action by trying each disjunct in turn, so an action whose
/// guard has two true disjuncts yields its successor twice ("states
/// generated" counts both); naming the disjunct in the action does the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Because {
    /// `~ active[i]` (`PassToken` only).
    Passive,
    /// `color[i] = "black"`.
    NodeBlack,
    /// `tcolor = "black"`.
    TokenBlack,
}

/// The disjuncts of `Next == System \/ Environment`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `InitiateProbe`: node 0 holds the token, it or the token is black; it
    /// sends a white token to node `N-1` and becomes white.
    InitiateProbe(Because),
    /// `PassToken(i)`, `i # 0`: node `i` passes the token to `i-1`,
    /// blackening it if `i` is black, and becomes white.
    PassToken(Node, Because),
    /// `SendMsg(i)` with the witness `j` of `\E j \in Node \ {i}`: active
    /// node `i` activates `j`, and becomes black if `j > i`.
    SendMsg(Node, Node),
    /// `Deactivate(i)`: active node `i` becomes passive.
    Deactivate(Node),
}

/// `EWD840` with `N` nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ewd840 {
    /// The constant `N`.
    pub n: usize,
}

impl Ewd840 {
    pub fn new(n: usize) -> Self {
        Self { n }
    }

    /// `terminationDetected`: a white token at node 0, which is white and
    /// passive.
    pub fn termination_detected(s: &State) -> bool {
        s.tpos == 0 && s.tcolor == Color::White && s.color[0] == Color::White && !s.active[0]
    }

    /// `TerminationDetection == terminationDetected => terminated`.
    pub fn termination_detection(s: &State) -> bool {
        !Self::termination_detected(s) || terminated(&s.active)
    }

    /// Dijkstra's inductive invariant `Inv == P0 \/ P1 \/ P2`.
    pub fn inv(s: &State) -> bool {
        // P0:: \A i \in Node : tpos < i => ~ active[i]
        let p0 = (s.tpos + 1..s.active.len()).all(|i| !s.active[i]);
        // P1:: \E j \in 0 .. tpos : color[j] = "black"
        let p1 = (0..=s.tpos).any(|j| s.color[j] == Color::Black);
        // P2:: tcolor = "black"
        let p2 = s.tcolor == Color::Black;
        p0 || p1 || p2
    }

    /// `TD == INSTANCE SyncTerminationDetection`: same `N`.
    pub fn sync_termination_detection(&self) -> SyncTerminationDetection {
        SyncTerminationDetection::new(self.n)
    }

    /// The refinement mapping of `TD`: `active` is `active`, and
    /// `terminationDetected` is this module's defined `terminationDetected`.
    pub fn abstraction(s: &State) -> sync_termination_detection::State {
        sync_termination_detection::State {
            active: s.active.clone(),
            termination_detected: Self::termination_detected(s),
        }
    }
}

impl Default for Ewd840 {
    /// `EWD840.cfg`: `N = 3`.
    fn default() -> Self {
        Self::new(3)
    }
}

impl Model for Ewd840 {
    type State = State;
    type Action = Action;

    /// `Init`: every `active`, `color` and `tpos`; `tcolor = "black"`.
    fn init_states(&self) -> Vec<State> {
        let n = self.n;
        let mut inits = Vec::new();
        for a in 0u32..1 << n {
            for c in 0u32..1 << n {
                for tpos in 0..n {
                    inits.push(State {
                        active: (0..n).map(|i| a & (1 << i) != 0).collect(),
                        color: (0..n)
                            .map(|i| {
                                if c & (1 << i) != 0 {
                                    Color::Black
                                } else {
                                    Color::White
                                }
                            })
                            .collect(),
                        tpos,
                        tcolor: Color::Black,
                    });
                }
            }
        }
        inits
    }

    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        actions.push(Action::InitiateProbe(Because::TokenBlack));
        actions.push(Action::InitiateProbe(Because::NodeBlack));
        for i in 1..self.n {
            for why in [Because::Passive, Because::NodeBlack, Because::TokenBlack] {
                actions.push(Action::PassToken(i, why));
            }
        }
        for i in 0..self.n {
            for j in (0..self.n).filter(|j| *j != i) {
                actions.push(Action::SendMsg(i, j));
            }
            actions.push(Action::Deactivate(i));
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let holds = |i: Node, why: Because| match why {
            Because::Passive => !last.active[i],
            Because::NodeBlack => last.color[i] == Color::Black,
            Because::TokenBlack => last.tcolor == Color::Black,
        };
        let mut next = last.clone();
        match action {
            // InitiateProbe: tpos = 0 /\ (tcolor = "black" \/ color[0] = "black")
            Action::InitiateProbe(why @ (Because::TokenBlack | Because::NodeBlack))
                if last.tpos == 0 && holds(0, why) =>
            {
                next.tpos = self.n - 1;
                next.tcolor = Color::White;
                next.color[0] = Color::White;
            }
            // PassToken(i): tpos = i /\ (~active[i] \/ color[i] = "black" \/ tcolor = "black")
            Action::PassToken(i, why) if i != 0 && last.tpos == i && holds(i, why) => {
                next.tpos = i - 1;
                if last.color[i] == Color::Black {
                    next.tcolor = Color::Black;
                }
                next.color[i] = Color::White;
            }
            // SendMsg(i): active[i], activates j, blackens i if j > i.
            Action::SendMsg(i, j) if last.active[i] && i != j => {
                next.active[j] = true;
                if j > i {
                    next.color[i] = Color::Black;
                }
            }
            // Deactivate(i): active[i] becomes FALSE.
            Action::Deactivate(i) if last.active[i] => {
                next.active[i] = false;
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // EWD840.cfg, INVARIANTS TypeOK TerminationDetection Inv.
            Property::<Self>::always("TypeOK", |m, s| {
                s.active.len() == m.n && s.color.len() == m.n && s.tpos < m.n
            }),
            Property::<Self>::always("TerminationDetection", |_, s| {
                Self::termination_detection(s)
            }),
            Property::<Self>::always("Inv", |_, s| Self::inv(s)),
            // Not in the spec: termination can be detected at all.
            Property::<Self>::sometimes("terminationDetected", |_, s| {
                Self::termination_detected(s)
            }),
        ]
    }
}
