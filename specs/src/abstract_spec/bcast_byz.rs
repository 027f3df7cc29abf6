//! `bcastByz`, a one-round asynchronous reliable broadcast tolerating
//! Byzantine processes ([Srikanth & Toueg, Distributed Computing 2(2),
//! 1987](https://doi.org/10.1007/BF01667080), Fig. 7), transcribed from
//! Konnov, Tran and Widder's `specifications/bcastByz/bcastByz.tla` in
//! [tlaplus/Examples](https://github.com/tlaplus/Examples).
//!
//! `N` processes, `F` of them Byzantine (which ones is chosen initially), and
//! the algorithm is designed for `T >= F`. A correct process echoes when it
//! got the broadcaster's INIT (`V1`) or `N - 2T` echoes, and accepts on `N -
//! T` echoes; a Byzantine process may have sent an echo to anyone. The
//! checker shows `TypeOK`, `FCConstraints`, and from `InitNoBcast`
//! `Unforg` (no correct process accepts when none was broadcast to).

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

/// A process, an element of `Proc == 1 .. N`, here `0..n`. An `ECHO` message
/// `<<p, "ECHO">>` is its sender `p` (`M == {"ECHO"}` has one element).
pub type Proc = usize;

/// The values of `pc[i]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Pc {
    /// `"V0"`: has not received the broadcaster's INIT.
    V0,
    /// `"V1"`: has received it.
    V1,
    /// `"SE"`: has sent ECHO, not accepted.
    SE,
    /// `"AC"`: has accepted.
    AC,
}

/// A state of `bcastByz`: its five variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// `Corr`: the correct processes (unchanged after `Init`).
    pub corr: BTreeSet<Proc>,
    /// `Faulty == Proc \ Corr`.
    pub faulty: BTreeSet<Proc>,
    /// `pc[i]`.
    pub pc: Vec<Pc>,
    /// `rcvd[i]`: the senders of the ECHOs `i` has received.
    pub rcvd: Vec<BTreeSet<Proc>>,
    /// `sent`: the senders of the ECHOs correct processes sent.
    pub sent: BTreeSet<Proc>,
}

/// Which disjunct of `Step(self)` after the receive: TLC tries each disjunct
/// of a `\/`, so two that hold (`UponV1` and `UponNonFaulty` both lead `V1`
/// to `SE`) give the successor twice, as here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Upon {
    /// `UponV1(self)`: got INIT, echoes.
    V1,
    /// `UponNonFaulty(self)`: between `N - 2T` and `N - T` echoes; echoes.
    NonFaulty,
    /// `UponAcceptNotSentBefore(self)`: `N - T` echoes; echoes and accepts.
    AcceptNotSentBefore,
    /// `UponAcceptSentBefore(self)`: echoed before, `N - T` echoes; accepts.
    AcceptSentBefore,
}

/// The disjuncts of `Next`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Step(self)` for `self \in Corr`, with the witness `newMessages` of
    /// `ReceiveFromAnySender(self)`'s `\E newMessages \in SUBSET (sent \cup
    /// ByzMsgs)` and the disjunct that follows.
    Step {
        me: Proc,
        new_messages: BTreeSet<Proc>,
        upon: Upon,
    },
    /// `UNCHANGED vars`, the self-loop for terminated computations (TLC
    /// generates it as a successor of every state).
    Unchanged,
}

/// Which initial predicate the behaviours start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Start {
    /// `Spec`'s `Init`: every `pc` is `"V0"` or `"V1"`.
    Init,
    /// `SpecNoBcast`'s `InitNoBcast`: every `pc` is `"V0"`.
    InitNoBcast,
}

/// `bcastByz` with constants `N`, `T`, `F`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BcastByz {
    pub n: usize,
    pub t: usize,
    pub f: usize,
    pub start: Start,
}

impl BcastByz {
    /// `Spec` with the given constants.
    pub fn new(n: usize, t: usize, f: usize) -> Self {
        Self {
            n,
            t,
            f,
            start: Start::Init,
        }
    }

    /// `SpecNoBcast` with the given constants.
    pub fn no_bcast(n: usize, t: usize, f: usize) -> Self {
        Self {
            start: Start::InitNoBcast,
            ..Self::new(n, t, f)
        }
    }

    /// `bcastByz.cfg`: `N = 4, T = 1, F = 1`, `SPECIFICATION Spec`.
    pub fn mc() -> Self {
        Self::new(4, 1, 1)
    }

    /// `bcastByzNoBcast.cfg`: `N = 10, T = 3, F = 2`, `SPECIFICATION
    /// SpecNoBcast`.
    pub fn mc_no_bcast() -> Self {
        Self::no_bcast(10, 3, 2)
    }

    /// `ASSUME NTF`: `N > 3T`, `T >= F`.
    pub fn ntf(&self) -> bool {
        self.n > 3 * self.t && self.t >= self.f
    }

    /// `TypeOK`.
    pub fn type_ok(&self, s: &State) -> bool {
        s.pc.len() == self.n
            && s.corr.iter().chain(&s.faulty).all(|p| *p < self.n)
            && s.sent.iter().all(|p| *p < self.n)
            && s.rcvd.len() == self.n
            && s.rcvd
                .iter()
                .all(|r| r.iter().all(|p| s.sent.contains(p) || s.faulty.contains(p)))
    }

    /// `FCConstraints` (finiteness holds by construction; `ByzMsgs` has as
    /// many elements as `Faulty`, one message each).
    pub fn fc_constraints(&self, s: &State) -> bool {
        s.corr.iter().chain(&s.faulty).all(|p| *p < self.n)
            && s.corr.union(&s.faulty).count() == self.n
            && s.corr.is_disjoint(&s.faulty)
            && s.corr.len() + self.t >= self.n
            && s.faulty.len() <= self.t
    }

    /// `Unforg`: no correct process has accepted.
    pub fn unforg(s: &State) -> bool {
        s.corr.iter().all(|i| s.pc[*i] != Pc::AC)
    }
}

impl Default for BcastByz {
    fn default() -> Self {
        Self::mc()
    }
}

/// Every subset of `set`, as `SUBSET set`.
fn subsets(set: &BTreeSet<Proc>) -> impl Iterator<Item = BTreeSet<Proc>> + '_ {
    let elements: Vec<Proc> = set.iter().copied().collect();
    (0u32..1 << elements.len()).map(move |bits| {
        (0..elements.len())
            .filter(|k| bits & (1 << k) != 0)
            .map(|k| elements[k])
            .collect()
    })
}

impl Model for BcastByz {
    type State = State;
    type Action = Action;

    /// `Init` (or `InitNoBcast`): nothing sent or received, every `pc` in
    /// `{"V0", "V1"}` (or `"V0"`), `N - F` correct processes.
    fn init_states(&self) -> Vec<State> {
        let procs: BTreeSet<Proc> = (0..self.n).collect();
        let pc_choices: u32 = match self.start {
            Start::Init => 1 << self.n,
            Start::InitNoBcast => 1,
        };
        let mut inits = Vec::new();
        for pc_bits in 0..pc_choices {
            let pc: Vec<Pc> = (0..self.n)
                .map(|i| {
                    if pc_bits & (1 << i) != 0 {
                        Pc::V1
                    } else {
                        Pc::V0
                    }
                })
                .collect();
            for corr in subsets(&procs).filter(|c| c.len() == self.n - self.f) {
                inits.push(State {
                    faulty: procs.difference(&corr).copied().collect(),
                    corr,
                    pc: pc.clone(),
                    rcvd: vec![BTreeSet::new(); self.n],
                    sent: BTreeSet::new(),
                });
            }
        }
        inits
    }

    /// The steps of every correct process for every subset of the messages
    /// it may receive (`sent \cup ByzMsgs`, `ByzMsgs == Faulty \X M`).
    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        let receivable: BTreeSet<Proc> = state.sent.union(&state.faulty).copied().collect();
        for me in &state.corr {
            for new_messages in subsets(&receivable) {
                for upon in [
                    Upon::V1,
                    Upon::NonFaulty,
                    Upon::AcceptNotSentBefore,
                    Upon::AcceptSentBefore,
                ] {
                    actions.push(Action::Step {
                        me: *me,
                        new_messages: new_messages.clone(),
                        upon,
                    });
                }
            }
        }
        actions.push(Action::Unchanged);
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let Action::Step {
            me,
            new_messages,
            upon,
        } = action
        else {
            // UNCHANGED vars
            return Some(last.clone());
        };
        let mut next = last.clone();
        // ReceiveFromAnySender(self): rcvd'[self] = rcvd[self] \cup newMessages.
        next.rcvd[me].extend(new_messages);
        let received = next.rcvd[me].len();
        let (n, t) = (self.n, self.t);
        let pc = last.pc[me];
        let (to, echo) = match upon {
            Upon::V1 if pc == Pc::V1 => (Pc::SE, true),
            Upon::NonFaulty
                if matches!(pc, Pc::V0 | Pc::V1) && received + 2 * t >= n && received + t < n =>
            {
                (Pc::SE, true)
            }
            Upon::AcceptNotSentBefore if matches!(pc, Pc::V0 | Pc::V1) && received + t >= n => {
                (Pc::AC, true)
            }
            Upon::AcceptSentBefore if pc == Pc::SE && received + t >= n => (Pc::AC, false),
            _ => return None,
        };
        next.pc[me] = to;
        if echo {
            next.sent.insert(me);
        }
        Some(next)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        // bcastByz.cfg: INVARIANTS TypeOK FCConstraints.
        let mut properties = vec![
            Property::<Self>::always("TypeOK", |m, s| m.type_ok(s)),
            Property::<Self>::always("FCConstraints", |m, s| m.fc_constraints(s)),
        ];
        properties.push(match self.start {
            // Not in the spec: a correct process can accept at all.
            Start::Init => {
                Property::<Self>::sometimes("some correct process accepts", |_, s| !Self::unforg(s))
            }
            // bcastByzNoBcast.cfg: INVARIANTS TypeOK FCConstraints Unforg.
            Start::InitNoBcast => Property::<Self>::always("Unforg", |_, s| Self::unforg(s)),
        });
        if self.start == Start::InitNoBcast {
            // Not in the spec: Unforg is checked against Byzantine
            // processes, not vacuously in a run without any.
            properties.push(Property::<Self>::sometimes("Faulty # {}", |_, s| {
                !s.faulty.is_empty()
            }));
        }
        properties
    }
}
