//! `LamportMutex`, Lamport's distributed mutual exclusion algorithm ([Time,
//! Clocks, and the Ordering of Events in a Distributed System, CACM 21(7),
//! 1978](https://lamport.azurewebsites.net/pubs/time-clocks.pdf)),
//! transcribed from Merz's `specifications/lamport_mutex/LamportMutex.tla`
//! in [tlaplus/Examples](https://github.com/tlaplus/Examples), with
//! `MCLamportMutex.cfg`'s state constraint `ClockConstraint` as the model's
//! boundary.
//!
//! A process broadcasts a timestamped request, every other process records it
//! and acknowledges; a process enters when everyone acknowledged and its
//! request beats every request it knows of; on exit it broadcasts a release.
//! Pairwise FIFO channels, no loss, no crashes. The checker shows `Mutex` and
//! `BoundedNetwork` on every state within `ClockConstraint`; like TLC, it
//! does not explore beyond it, so the verdict is bounded by `maxClock`.

use std::collections::BTreeSet;

use serde::Serialize;
use stateright::{Model, Property};

/// A process, an element of `Proc == 1 .. N`, here `0..n` (process `p` is the
/// TLA+'s `p+1`; the order, which breaks ties in `beats`, is the same).
pub type Proc = usize;

/// A clock value; `req[p][q] = 0` means no request.
pub type Clock = u32;

/// An element of `Message`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Message {
    /// `ReqMessage(c) == [type |-> "req", clock |-> c]`.
    Req(Clock),
    /// `AckMessage == [type |-> "ack", clock |-> 0]`.
    Ack,
    /// `RelMessage == [type |-> "rel", clock |-> 0]`.
    Rel,
}

/// A state of `LamportMutex`: its five variables.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `clock[p]`: the local clock of `p`.
    pub clock: Vec<Clock>,
    /// `req[p][q]`: the clock of `q`'s request as `p` received it, 0 if none.
    pub req: Vec<Vec<Clock>>,
    /// `ack[p]`: the processes that acknowledged `p`'s request.
    pub ack: Vec<BTreeSet<Proc>>,
    /// `network[p][q]`: the FIFO queue of messages from `p` to `q`.
    pub network: Vec<Vec<Vec<Message>>>,
    /// `crit`: the processes in the critical section.
    pub crit: BTreeSet<Proc>,
}

/// The disjuncts of `Next`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Request(p)`: `p` requests the critical section.
    Request(Proc),
    /// `Enter(p)`: `p` enters the critical section.
    Enter(Proc),
    /// `Exit(p)`: `p` leaves it and broadcasts a release.
    Exit(Proc),
    /// `ReceiveRequest(p, q)`: `p` receives `q`'s request and acknowledges.
    ReceiveRequest(Proc, Proc),
    /// `ReceiveAck(p, q)`: `p` receives `q`'s acknowledgement.
    ReceiveAck(Proc, Proc),
    /// `ReceiveRelease(p, q)`: `p` receives `q`'s release.
    ReceiveRelease(Proc, Proc),
}

/// `LamportMutex` with constants `N` and `maxClock`, and the override `Nat <-
/// 0 .. MaxNat` of `MCLamportMutex`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LamportMutex {
    pub n: usize,
    /// The bound of `ClockConstraint == \A p \in Proc : clock[p] <= maxClock`.
    pub max_clock: Clock,
    /// `MaxNat`: `Nat` is `0 .. MaxNat`, which only `TypeOK` reads.
    pub max_nat: Clock,
}

impl LamportMutex {
    pub fn new(n: usize, max_clock: Clock, max_nat: Clock) -> Self {
        Self {
            n,
            max_clock,
            max_nat,
        }
    }

    /// `beats(p, q)`: `p` believes its request has priority over `q`'s.
    pub fn beats(s: &State, p: Proc, q: Proc) -> bool {
        let (mine, theirs) = (s.req[p][p], s.req[p][q]);
        theirs == 0 || mine < theirs || (mine == theirs && p < q)
    }

    /// `Broadcast(s, m)` applied to `network[s]`: `m` appended to every
    /// channel from `s` but its own.
    fn broadcast(network: &mut [Vec<Message>], s: Proc, m: Message) {
        for (r, channel) in network.iter_mut().enumerate() {
            if r != s {
                channel.push(m);
            }
        }
    }

    /// `TypeOK` under `Nat <- 0 .. MaxNat` (`Clock == Nat \ {0}`).
    pub fn type_ok(&self, s: &State) -> bool {
        let clock_ok = |c: Clock| (1..=self.max_nat).contains(&c);
        s.clock.len() == self.n
            && s.clock.iter().all(|c| clock_ok(*c))
            && s.req.iter().flatten().all(|c| *c <= self.max_nat)
            && s.ack.iter().flatten().all(|p| *p < self.n)
            && s.network.iter().flatten().flatten().all(|m| match m {
                Message::Req(c) => clock_ok(*c),
                Message::Ack | Message::Rel => true,
            })
            && s.crit.iter().all(|p| *p < self.n)
    }

    /// `BoundedNetwork`: no channel holds more than three messages.
    pub fn bounded_network(s: &State) -> bool {
        s.network.iter().flatten().all(|channel| channel.len() <= 3)
    }

    /// `Mutex == \A p, q \in crit : p = q`.
    pub fn mutex(s: &State) -> bool {
        s.crit.len() <= 1
    }
}

impl Default for LamportMutex {
    /// `MCLamportMutex.cfg`: `N = 3`, `maxClock = 6`, `MaxNat = 7`.
    fn default() -> Self {
        Self::new(3, 6, 7)
    }
}

impl Model for LamportMutex {
    type State = State;
    type Action = Action;

    /// `Init`: clocks 1, no requests, acknowledgements or messages, nobody
    /// in the critical section.
    fn init_states(&self) -> Vec<State> {
        let n = self.n;
        vec![State {
            clock: vec![1; n],
            req: vec![vec![0; n]; n],
            ack: vec![BTreeSet::new(); n],
            network: vec![vec![Vec::new(); n]; n],
            crit: BTreeSet::new(),
        }]
    }

    fn actions(&self, _state: &State, actions: &mut Vec<Action>) {
        for p in 0..self.n {
            actions.push(Action::Request(p));
            actions.push(Action::Enter(p));
            actions.push(Action::Exit(p));
        }
        for p in 0..self.n {
            for q in (0..self.n).filter(|q| *q != p) {
                actions.push(Action::ReceiveRequest(p, q));
                actions.push(Action::ReceiveAck(p, q));
                actions.push(Action::ReceiveRelease(p, q));
            }
        }
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        let head = |q: Proc, p: Proc| last.network[q][p].first().copied();
        let mut next = last.clone();
        match action {
            Action::Request(p) if last.req[p][p] == 0 => {
                next.req[p][p] = last.clock[p];
                Self::broadcast(&mut next.network[p], p, Message::Req(last.clock[p]));
                next.ack[p] = BTreeSet::from([p]);
            }
            Action::Enter(p)
                if last.ack[p].len() == self.n
                    && (0..self.n)
                        .filter(|q| *q != p)
                        .all(|q| Self::beats(last, p, q)) =>
            {
                next.crit.insert(p);
            }
            Action::Exit(p) if last.crit.contains(&p) => {
                next.crit.remove(&p);
                Self::broadcast(&mut next.network[p], p, Message::Rel);
                next.req[p][p] = 0;
                next.ack[p].clear();
            }
            Action::ReceiveRequest(p, q) => {
                let Some(Message::Req(c)) = head(q, p) else {
                    return None;
                };
                next.req[p][q] = c;
                next.clock[p] = if c > last.clock[p] {
                    c + 1
                } else {
                    last.clock[p] + 1
                };
                next.network[q][p].remove(0);
                next.network[p][q].push(Message::Ack);
            }
            Action::ReceiveAck(p, q) if head(q, p) == Some(Message::Ack) => {
                next.ack[p].insert(q);
                next.network[q][p].remove(0);
            }
            Action::ReceiveRelease(p, q) if head(q, p) == Some(Message::Rel) => {
                next.req[p][q] = 0;
                next.network[q][p].remove(0);
            }
            _ => return None,
        }
        Some(next)
    }

    /// `CONSTRAINT ClockConstraint`: TLC neither counts nor expands a state
    /// beyond it.
    fn within_boundary(&self, state: &State) -> bool {
        state.clock.iter().all(|c| *c <= self.max_clock)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            // MCLamportMutex.cfg, INVARIANTS TypeOK BoundedNetwork Mutex.
            Property::<Self>::always("TypeOK", |m, s| m.type_ok(s)),
            Property::<Self>::always("BoundedNetwork", |_, s| Self::bounded_network(s)),
            Property::<Self>::always("Mutex", |_, s| Self::mutex(s)),
            // Not in the spec: a process can enter at all.
            Property::<Self>::sometimes("crit # {}", |_, s| !s.crit.is_empty()),
        ]
    }
}
