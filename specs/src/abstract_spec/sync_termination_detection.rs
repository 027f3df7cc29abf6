//! `SyncTerminationDetection`, Merz's abstract specification of termination
//! detection on a ring with synchronous communication, which
//! [`ewd840`](super::ewd840) implements. Transcribed from
//! `specifications/ewd840/SyncTerminationDetection.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples).
//!
//! Nodes are active or passive; an active node may wake any node up or
//! terminate; termination may be detected once every node is passive. No
//! messages (synchronous communication) and no faults. The checker shows
//! `TDCorrect` (termination is detected only when it has happened).

use serde::Serialize;
use stateright::{Model, Property};

/// A node, an element of `Node == 0 .. N-1`.
pub type Node = usize;

/// A state of `SyncTerminationDetection`: its two variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `active[n]`: whether node `n` is active.
    pub active: Vec<bool>,
    /// `terminationDetected`: has termination been detected?
    pub termination_detected: bool,
}

/// The disjuncts of `Next`, with the witnesses TLC enumerates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Terminate(i)` with the chosen element of `terminationDetected' \in
    /// {terminationDetected, terminated'}`: TLC makes one successor per
    /// element of that set, so one when both are equal and two otherwise.
    Terminate(Node, bool),
    /// `Wakeup(i, j)`: active node `i` activates node `j` (`j` may be `i`).
    Wakeup(Node, Node),
    /// `DetectTermination`: every node is passive, and it is detected.
    DetectTermination,
}

/// `SyncTerminationDetection` with `N` nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyncTerminationDetection {
    /// The constant `N`.
    pub n: usize,
}

impl SyncTerminationDetection {
    pub fn new(n: usize) -> Self {
        Self { n }
    }
}

impl Default for SyncTerminationDetection {
    /// `SyncTerminationDetection.cfg`: `N = 7`.
    fn default() -> Self {
        Self::new(7)
    }
}

/// `terminated == \A n \in Node : ~ active[n]`.
pub fn terminated(active: &[bool]) -> bool {
    active.iter().all(|a| !a)
}

impl Model for SyncTerminationDetection {
    type State = State;
    type Action = Action;

    /// `Init`: `active \in [Node -> BOOLEAN]` and `terminationDetected \in
    /// {FALSE, terminated}`, in TLC's order (each function, then each
    /// element of the set, duplicates dropped).
    fn init_states(&self) -> Vec<State> {
        let mut inits = Vec::new();
        for bits in 0u32..1 << self.n {
            let active: Vec<bool> = (0..self.n).map(|i| bits & (1 << i) != 0).collect();
            inits.push(State {
                active: active.clone(),
                termination_detected: false,
            });
            if terminated(&active) {
                inits.push(State {
                    active,
                    termination_detected: true,
                });
            }
        }
        inits
    }

    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        for i in 0..self.n {
            actions.push(Action::Terminate(i, false));
            actions.push(Action::Terminate(i, true));
        }
        for i in 0..self.n {
            for j in 0..self.n {
                actions.push(Action::Wakeup(i, j));
            }
        }
        actions.push(Action::DetectTermination);
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let mut next = last.clone();
        match action {
            // Terminate(i): active[i], it becomes passive, and termination
            // may (need not) be detected if every node is now passive.
            Action::Terminate(i, detected) if last.active[i] => {
                next.active[i] = false;
                if detected != last.termination_detected && detected != terminated(&next.active) {
                    return None;
                }
                next.termination_detected = detected;
            }
            // Wakeup(i, j): active[i], j becomes active.
            Action::Wakeup(i, j) if last.active[i] => {
                next.active[j] = true;
            }
            // DetectTermination: terminated, terminationDetected' = TRUE.
            Action::DetectTermination if terminated(&last.active) => {
                next.termination_detected = true;
            }
            _ => return None,
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // SyncTerminationDetection.cfg, INVARIANT TypeOK.
            Property::<Self>::always("TypeOK", |m, s| s.active.len() == m.n),
            // SyncTerminationDetection.cfg, INVARIANT TDCorrect.
            Property::<Self>::always("TDCorrect", |_, s| {
                !s.termination_detected || terminated(&s.active)
            }),
            // Not in the spec: termination can be detected at all.
            Property::<Self>::sometimes("terminationDetected", |_, s| s.termination_detected),
        ]
    }
}
