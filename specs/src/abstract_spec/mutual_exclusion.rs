//! `MutualExclusion`, the problem Lamport's algorithm solves ([Time, Clocks,
//! and the Ordering of Events in a Distributed System, CACM 21(7),
//! 1978](https://lamport.azurewebsites.net/pubs/time-clocks.pdf), requirement
//! I: "a process which has been granted the resource must release it before
//! it can be granted to another process"), written as a plain spec with the
//! variable `crit` of `LamportMutex.tla`.
//!
//! One variable, `crit`, the processes in the critical section: a process
//! may enter when nobody is in it, and leave. No messages, no faults. The
//! checker shows `Mutex`; the `lamport-mutex` actor model implements it under
//! its set of processes holding the resource.

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

/// A process, here `0..n`.
pub type Proc = usize;

/// A state of `MutualExclusion`: its single variable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `crit`: the processes in the critical section.
    pub crit: BTreeSet<Proc>,
}

/// `Next == \E p \in Proc : Enter(p) \/ Exit(p)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Enter(p) == crit = {} /\ crit' = {p}`.
    Enter(Proc),
    /// `Exit(p) == p \in crit /\ crit' = crit \ {p}`.
    Exit(Proc),
}

/// `MutualExclusion` with `Proc = 0..n`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MutualExclusion {
    pub n: usize,
}

impl MutualExclusion {
    pub fn new(n: usize) -> Self {
        Self { n }
    }
}

/// `Mutex == \A p, q \in crit : p = q`, as in `LamportMutex.tla`.
pub fn mutex(crit: &BTreeSet<Proc>) -> bool {
    crit.len() <= 1
}

impl Model for MutualExclusion {
    type State = State;
    type Action = Action;

    /// `Init == crit = {}`.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            crit: BTreeSet::new(),
        }]
    }

    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        for p in 0..self.n {
            actions.push(Action::Enter(p));
            actions.push(Action::Exit(p));
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        match action {
            Action::Enter(p) if last.crit.is_empty() => Some(State {
                crit: BTreeSet::from([p]),
            }),
            Action::Exit(p) if last.crit.contains(&p) => {
                let mut next = last.clone();
                next.crit.remove(&p);
                Some(next)
            }
            _ => None,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![Property::<Self>::always("Mutex", |_, s| mutex(&s.crit))]
    }
}
