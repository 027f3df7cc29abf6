//! Logical clocks, as [Lamport, "Time, Clocks, and the Ordering of Events in
//! a Distributed System" (CACM 1978)](https://lamport.azurewebsites.net/pubs/time-clocks.pdf)
//! defines them: a process ticks its clock between any two of its events
//! (IR1), stamps each message with its clock (IR2a), and on receipt sets its
//! clock past the stamp (IR2b); then a -> b implies C(a) < C(b). Beside them,
//! vector clocks (Fidge 1988; Mattern 1989), which capture -> exactly.
//!
//! Fault model: unordered network, no loss, each message delivered once; no
//! crashes. Workload: each process takes `events` events of its own, each an
//! internal event or a send to a process of its choice (the checker tries
//! every choice), and receives whatever is sent to it.
//!
//! What the checker shows: the Clock Condition and the strong clock condition
//! of vector clocks hold on every path, with -> computed from a history
//! variable (each process's log of events, each receive naming its send);
//! concurrent events with C(a) < C(b) exist (the converse fails), and so does
//! causality relayed through a third process. Lamport's total order =>
//! (clock, ties broken by process) completes ->, and concurrent events with
//! equal clocks show that it needs the tie-break. `receive-not-past-timestamp`
//! breaks the Clock Condition and =>; `merge-sender-entry-only` the vector
//! one.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses and duplicates messages, and the exactly-once delivery above is
//! rebuilt as Cachin, Guerraoui & Rodrigues ("Introduction to Reliable and
//! Secure Distributed Programming", 2011, §2.4) build perfect links: every
//! send is made again on a timer (Algorithm 2.1, "Retransmit Forever"; the
//! message is rebuilt from the send event's clocks, which the history
//! keeps), and a receiver drops a message it already received (Algorithm
//! 2.2, "Eliminate Duplicates", knowing it by its sender and its send
//! event), so a copy is no new receive event and the clock rules run
//! unchanged.

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// The value of a clock: `C_i` of §2, or one entry of a vector clock.
pub type Clock = u32;
/// A process by number: 0 is P, 1 is Q, 2 is R (the names of Lamport's
/// Figure 1).
pub type Process = usize;
/// A vector clock: entry `j` counts the events of process `j` known here.
pub type VectorClock = Vec<Clock>;

/// Lamport's names for the processes.
const NAMES: [char; 3] = ['P', 'Q', 'R'];

fn name(p: Process) -> char {
    NAMES.get(p).copied().unwrap_or('?')
}

/// A message, stamped with both clocks.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClockMsg {
    /// `T_m = C_i(a)`, the sender's clock at the send event `a` (IR2a).
    pub tm: Clock,
    /// The sender's vector clock at the send event.
    pub vm: VectorClock,
    /// History variable, not part of the algorithm: the send event's
    /// position in the sender's log, so that a receive names its send.
    pub sent_as: usize,
}

/// The steps a process takes on its own. To the checker a timer is "this
/// step is enabled"; the durations only shape real runs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClockTimer {
    /// An internal event.
    Internal,
    /// The sending of a message to this process.
    SendTo(Process),
    /// With [`ClocksCfg::retransmit`]: the stubborn links' timer (Cachin et
    /// al. Algorithm 2.1); every message sent is sent again.
    Retransmit,
}

impl fmt::Debug for ClockTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClockTimer::Internal => f.write_str("Internal"),
            ClockTimer::SendTo(p) => write!(f, "SendTo({})", name(*p)),
            ClockTimer::Retransmit => f.write_str("Retransmit"),
        }
    }
}

/// What an event of the history was.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    Internal,
    Send {
        to: Process,
    },
    /// The receipt of the message sent as event `sent_as` of `from`.
    Receive {
        from: Process,
        sent_as: usize,
    },
}

/// One event of a process's history, with both clocks' values at it.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Event {
    pub kind: EventKind,
    /// `C_i(a)`.
    pub c: Clock,
    /// The vector clock at `a`.
    pub v: VectorClock,
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EventKind::Internal => f.write_str("internal")?,
            EventKind::Send { to } => write!(f, "send to {}", name(*to))?,
            EventKind::Receive { from, sent_as } => write!(
                f,
                "receive {}{}",
                name(*from).to_ascii_lowercase(),
                sent_as + 1
            )?,
        }
        write!(f, " C={} V={:?}", self.c, self.v)
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ClockState {
    /// Which process this is (a constant, for naming its events).
    pub process: Process,
    /// `C_i`: the Lamport clock.
    pub c: Clock,
    /// The vector clock.
    pub v: VectorClock,
    /// How many events of its own the process may still take.
    pub left: u8,
    /// History variable: every event so far, in order (p1, p2, ...).
    pub history: Vec<Event>,
}

/// The clocks, the budget, then each event as Lamport names it (`p1`,
/// `q2`), so that a step shows the event it added.
impl fmt::Debug for ClockState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{C: {}, V: {:?}, left: {}", self.c, self.v, self.left)?;
        let letter = name(self.process).to_ascii_lowercase();
        for (i, e) in self.history.iter().enumerate() {
            write!(f, ", {letter}{}: {e:?}", i + 1)?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The rules as published.
    #[default]
    None,
    /// IR2(b) weakened: on receipt the clock catches up with `T_m` but does
    /// not pass it (`C_j := max(C_j + 1, T_m)`), so a receive may carry
    /// its send's time. Must violate "clock condition" (and "total order").
    ReceiveNotPastTimestamp,
    /// The vector merge takes only the sender's own entry of `V_m`,
    /// forgetting what the sender knew of third processes. Must violate
    /// "strong clock condition" (with three processes).
    MergeSenderEntryOnly,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::ReceiveNotPastTimestamp,
        Bug::MergeSenderEntryOnly,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::ReceiveNotPastTimestamp => "receive-not-past-timestamp",
            Bug::MergeSenderEntryOnly => "merge-sender-entry-only",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ClockActor {
    pub process: Process,
    /// Every process's id, P first.
    pub processes: Vec<Id>,
    /// Events of its own each process takes.
    pub events: u8,
    /// Sends over stubborn links, copies dropped (see
    /// [`ClocksCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// How long a process waits before its next event of its own, on a real
/// network. The checker fires a timer at any time.
const NEXT_EVENT: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(30);
/// The stubborn links' period Δ on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl ClockActor {
    /// Enables every event of its own (an internal event, a send to each
    /// other process) while the budget lasts.
    fn arm(&self, left: u8, o: &mut Out<Self>) {
        let timers = std::iter::once(ClockTimer::Internal).chain(
            (0..self.processes.len())
                .filter(|p| *p != self.process)
                .map(ClockTimer::SendTo),
        );
        for t in timers {
            if left > 0 {
                o.set_timer(t, NEXT_EVENT);
            } else {
                o.cancel_timer(t);
            }
        }
    }
}

impl Actor for ClockActor {
    type Msg = ClockMsg;
    type Timer = ClockTimer;
    type State = ClockState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        name(self.process).to_string()
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> ClockState {
        self.arm(self.events, o);
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)".
        if self.retransmit {
            o.set_timer(ClockTimer::Retransmit, RETRANSMIT);
        }
        ClockState {
            process: self.process,
            c: 0,
            v: vec![0; self.processes.len()],
            left: self.events,
            history: Vec::new(),
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<ClockState>,
        src: Id,
        msg: ClockMsg,
        o: &mut Out<Self>,
    ) {
        let _ = o;
        let Some(from) = self.processes.iter().position(|p| *p == src) else {
            return;
        };
        // Over a stubborn link a message comes again and again: "upon
        // event <sl, Deliver | q, m> do if m ∉ delivered then ..." (Cachin
        // et al. Algorithm 2.2): a copy is dropped, not a new event.
        let receipt = EventKind::Receive {
            from,
            sent_as: msg.sent_as,
        };
        if self.retransmit && state.history.iter().any(|e| e.kind == receipt) {
            return;
        }
        // The receipt of a message is an event: IR1 and IR2(b). "Upon
        // receiving a message m, process P_j sets C_j greater than or equal
        // to its present value and greater than T_m."
        let s = state.to_mut();
        s.c = match self.bug {
            Bug::ReceiveNotPastTimestamp => (s.c + 1).max(msg.tm),
            _ => s.c.max(msg.tm) + 1,
        };
        // The vector clock takes the entrywise maximum with V_m, then counts
        // the event (Mattern 1989). The bug keeps only the sender's entry.
        match self.bug {
            Bug::MergeSenderEntryOnly => s.v[from] = s.v[from].max(msg.vm[from]),
            _ => {
                for (mine, theirs) in s.v.iter_mut().zip(&msg.vm) {
                    *mine = (*mine).max(*theirs);
                }
            }
        }
        s.v[self.process] += 1;
        let (c, v) = (s.c, s.v.clone());
        s.history.push(Event {
            kind: EventKind::Receive {
                from,
                sent_as: msg.sent_as,
            },
            c,
            v,
        });
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<ClockState>,
        timer: &ClockTimer,
        o: &mut Out<Self>,
    ) {
        let to = match timer {
            ClockTimer::Internal => None,
            ClockTimer::SendTo(to) => Some(*to),
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger
            // <fll, Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm
            // 2.1): each send event's message, stamped as it was then.
            ClockTimer::Retransmit => {
                for (k, e) in state.history.iter().enumerate() {
                    if let EventKind::Send { to } = e.kind {
                        let msg = ClockMsg {
                            tm: e.c,
                            vm: e.v.clone(),
                            sent_as: k,
                        };
                        o.send(self.processes[to], msg);
                    }
                }
                o.set_timer(ClockTimer::Retransmit, RETRANSMIT);
                return;
            }
        };
        if state.left == 0 {
            return;
        }
        // An event of the process's own. IR1: "Each process P_i increments
        // C_i between any two successive events."
        let s = state.to_mut();
        s.left -= 1;
        s.c += 1;
        s.v[self.process] += 1;
        let kind = match to {
            None => EventKind::Internal,
            // IR2(a): "the message m contains a timestamp T_m = C_i(a)".
            Some(to) => {
                o.send(
                    self.processes[to],
                    ClockMsg {
                        tm: s.c,
                        vm: s.v.clone(),
                        sent_as: s.history.len(),
                    },
                );
                EventKind::Send { to }
            }
        };
        let (c, v) = (s.c, s.v.clone());
        s.history.push(Event { kind, c, v });
        self.arm(s.left, o);
    }
}

// Happened-before, from the history.

type State = stateright::actor::ActorModelState<ClockActor>;

/// Every event of the run and, for each, the set of events that happened
/// before it (as a bit set over the list), by the definition of §2: (1)
/// earlier events of the same process, (2) a send before its receipt, (3)
/// transitively.
struct Causality<'a> {
    events: Vec<((Process, usize), &'a Event)>,
    past: Vec<u64>,
}

impl<'a> Causality<'a> {
    fn of(state: &'a State) -> Self {
        let histories: Vec<&[Event]> = state
            .actor_states
            .iter()
            .map(|s| s.history.as_slice())
            .collect();
        let mut offset = Vec::with_capacity(histories.len());
        let mut events = Vec::new();
        for (p, h) in histories.iter().enumerate() {
            offset.push(events.len());
            events.extend(h.iter().enumerate().map(|(k, e)| ((p, k), e)));
        }
        debug_assert!(events.len() <= 64, "the bit sets hold at most 64 events");
        let mut past: Vec<Option<u64>> = vec![None; events.len()];
        for i in 0..events.len() {
            Self::past_of(i, &events, &offset, &mut past);
        }
        Causality {
            events,
            past: past.into_iter().map(Option::unwrap_or_default).collect(),
        }
    }

    /// Memoised: a send is always recorded before its receipt, so the
    /// recursion follows -> backwards and ends.
    fn past_of(
        i: usize,
        events: &[((Process, usize), &Event)],
        offset: &[usize],
        past: &mut [Option<u64>],
    ) -> u64 {
        if let Some(p) = past[i] {
            return p;
        }
        let ((_, k), e) = events[i];
        let mut set = 0u64;
        if k > 0 {
            set |= Self::past_of(i - 1, events, offset, past) | 1 << (i - 1);
        }
        if let EventKind::Receive { from, sent_as } = e.kind {
            let s = offset[from] + sent_as;
            set |= Self::past_of(s, events, offset, past) | 1 << s;
        }
        past[i] = Some(set);
        set
    }

    /// a -> b.
    fn before(&self, a: usize, b: usize) -> bool {
        self.past[b] & (1 << a) != 0
    }

    /// Every ordered pair of distinct events.
    fn pairs(&self) -> Vec<(usize, usize)> {
        let n = self.events.len();
        (0..n)
            .flat_map(|a| (0..n).filter(move |b| *b != a).map(move |b| (a, b)))
            .collect()
    }
}

/// V(a) < V(b): no entry greater, and the two differ.
fn vector_less(a: &VectorClock, b: &VectorClock) -> bool {
    a != b && a.iter().zip(b).all(|(x, y)| x <= y)
}

// Properties.

/// Clock Condition: "For any events a, b: if a -> b then C(a) < C(b)"
/// (Lamport 1978, "Logical Clocks").
fn clock_condition(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    cause
        .pairs()
        .into_iter()
        .filter(|&(a, b)| cause.before(a, b))
        .all(|(a, b)| cause.events[a].1.c < cause.events[b].1.c)
}

/// The total order => (Lamport 1978, "Ordering the Events Totally"): "if a
/// is an event in process P_i and b is an event in process P_j, then a => b
/// if and only if either (i) C_i(a) < C_j(b) or (ii) C_i(a) = C_j(b) and P_i
/// < P_j" (processes ordered by number). It is a total order that completes
/// ->: distinct events have distinct (C, i) pairs, and a -> b implies a => b.
fn total_order(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    let key = |e: usize| (cause.events[e].1.c, cause.events[e].0 .0);
    cause
        .pairs()
        .into_iter()
        .all(|(a, b)| key(a) != key(b) && (!cause.before(a, b) || key(a) < key(b)))
}

/// Vector clocks characterise causality: a -> b if and only if V(a) <
/// V(b), so a and b are concurrent exactly when neither vector dominates
/// (Fidge 1988; Mattern 1989, "Virtual Time and Global States of
/// Distributed Systems").
fn strong_clock_condition(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    cause
        .pairs()
        .into_iter()
        .all(|(a, b)| cause.before(a, b) == vector_less(&cause.events[a].1.v, &cause.events[b].1.v))
}

/// Reachability: two concurrent events with C(a) < C(b). Lamport 1978:
/// the converse of the Clock Condition does not hold, so C cannot tell
/// concurrency (vector clocks can).
fn concurrent_events(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    cause.pairs().into_iter().any(|(a, b)| {
        !cause.before(a, b) && !cause.before(b, a) && cause.events[a].1.c < cause.events[b].1.c
    })
}

/// Reachability: two concurrent events of different processes with equal
/// clocks, so => needs its tie-break (ii) on process order.
fn equal_clocks(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    cause.pairs().into_iter().any(|(a, b)| {
        !cause.before(a, b) && !cause.before(b, a) && cause.events[a].1.c == cause.events[b].1.c
    })
}

/// Reachability: a -> b through a third process, with no message from a's
/// process to b's: the transitive rule (3) of -> at work, which a merge
/// that forgets third parties gets wrong.
fn relayed_causality(_: &ClocksModel, state: &State) -> bool {
    let cause = Causality::of(state);
    let heard_from = |to: Process, from: Process| {
        state.actor_states[to]
            .history
            .iter()
            .any(|e| matches!(e.kind, EventKind::Receive { from: f, .. } if f == from))
    };
    cause.pairs().into_iter().any(|(a, b)| {
        let ((pa, _), (pb, _)) = (cause.events[a].0, cause.events[b].0);
        pa != pb && cause.before(a, b) && !heard_from(pb, pa)
    })
}

// Configuration.

pub type ClocksModel = ActorModel<ClockActor, ClocksCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClocksCfg {
    pub processes: usize,
    /// Events of its own (internal or send) each process takes.
    pub events: u8,
    /// The network loses and duplicates messages; every send is repeated
    /// on a timer (a stubborn link, Cachin et al. Algorithm 2.1) and a
    /// receiver drops copies (Algorithm 2.2): scenario `lossy`, and every
    /// real run (`dsw run lamport-clocks` sets it). Off by default: each
    /// message delivered once.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for ClocksCfg {
    fn default() -> Self {
        ClocksCfg {
            processes: 3,
            events: 1,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for ClocksCfg {
    type Model = ClocksModel;

    fn new(variant: &str, params: &Params) -> Self {
        ClocksCfg {
            processes: params["processes"] as usize,
            events: params["events"] as u8,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> ClocksModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for ClocksCfg {
    type Actor = ClockActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// Every process took its events, and every message sent was received.
    fn done(states: &[Option<ClockState>]) -> bool {
        let states: Vec<&ClockState> = states.iter().flatten().collect();
        let received = |from: Process, k: usize| {
            states.iter().any(|s| {
                s.history
                    .iter()
                    .any(|e| e.kind == EventKind::Receive { from, sent_as: k })
            })
        };
        states.iter().all(|s| {
            s.left == 0
                && s.history.iter().enumerate().all(|(k, e)| {
                    !matches!(e.kind, EventKind::Send { .. }) || received(s.process, k)
                })
        })
    }

    fn observations(states: &[ClockState], _: &()) -> Vec<String> {
        states
            .iter()
            .map(|s| format!("{}: {s:?}", name(s.process)))
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> ClocksModel {
        let actors: Vec<ClockActor> = (0..self.processes)
            .map(|process| ClockActor {
                process,
                processes: ids.to_vec(),
                events: self.events,
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        // Each message delivered once unless retransmitting; then links
        // that lose and duplicate (Stateright's duplicating network keeps a
        // message in flight until it is lost).
        let (network, lossy) = if self.retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "clock condition", clock_condition)
            .property(Expectation::Always, "total order", total_order)
            .property(
                Expectation::Always,
                "strong clock condition",
                strong_clock_condition,
            )
            .property(
                Expectation::Sometimes,
                "concurrent events with C(a) < C(b)",
                concurrent_events,
            )
            .property(
                Expectation::Sometimes,
                "concurrent events with equal clocks",
                equal_clocks,
            )
            .property(
                Expectation::Sometimes,
                "relayed causality",
                relayed_causality,
            )
    }

    /// `dsw run lamport-clocks`: the configuration given, with `retransmit`
    /// on, as scenario `lossy` checks it: a real network may lose and
    /// duplicate (`--loss`, `--duplicate`), and the workload waits for
    /// every message sent to be received.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "lamport-clocks",
    section: "Distributed consensus and time",
    summary: "Logical clocks on message passing: a -> b implies C(a) < C(b); vector clocks beside them capture -> exactly",
    citations: &[
        "Lamport, Time, Clocks, and the Ordering of Events in a Distributed System (CACM 21(7), 1978)",
        "Fidge, Timestamps in Message-Passing Systems That Preserve the Partial Ordering (ACSC 1988)",
        "Mattern, Virtual Time and Global States of Distributed Systems (1989)",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes (P, Q, R); merge-sender-entry-only needs three to show",
            default: 3,
            min: 2,
            max: 3,
        },
        ParamSpec {
            name: "events",
            doc: "events of its own (internal or send) each process takes; 2 with three processes is 800k states",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: the network loses and duplicates messages, every send is repeated on a timer (a stubborn link, Cachin et al. Algorithm 2.1) and a receiver drops copies (Algorithm 2.2) (scenario lossy; every real run retransmits); 0: each message delivered once, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "clock condition",
            kind: PropertyKind::Always,
            source: "Lamport 1978, Logical Clocks: if a -> b then C(a) < C(b)",
        },
        PropertySpec {
            name: "total order",
            kind: PropertyKind::Always,
            source: "Lamport 1978, Ordering the Events Totally: => (C, then process order) is a total order completing ->",
        },
        PropertySpec {
            name: "strong clock condition",
            kind: PropertyKind::Always,
            source: "Fidge 1988; Mattern 1989: a -> b iff V(a) < V(b)",
        },
        PropertySpec {
            name: "concurrent events with C(a) < C(b)",
            kind: PropertyKind::Sometimes,
            source: "reachability; Lamport 1978: the converse of the Clock Condition does not hold",
        },
        PropertySpec {
            name: "concurrent events with equal clocks",
            kind: PropertyKind::Sometimes,
            source: "reachability; Lamport 1978, Ordering the Events Totally: ties are broken by process order",
        },
        PropertySpec {
            name: "relayed causality",
            kind: PropertyKind::Sometimes,
            source: "reachability; Lamport 1978, The Partial Ordering, rule 3 (transitivity)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "IR1 and IR2 as published; vector clocks merged entrywise",
            expect: &[],
        },
        VariantSpec {
            name: "receive-not-past-timestamp",
            doc: "on receipt the clock catches up with T_m but does not pass it: a receive may carry its send's time",
            expect: &[
                ("clock condition", Verdict::Violated),
                ("total order", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "merge-sender-entry-only",
            doc: "the vector merge keeps only the sender's own entry, forgetting what it knew of third processes",
            expect: &[("strong clock condition", Verdict::Violated)],
        },
    ],
    scenarios: &[ScenarioSpec {
        name: "lossy",
        doc: "the real run's configuration: a network that loses and duplicates, every send repeated on a timer (stubborn links, Cachin et al. Algorithm 2.1) and copies dropped by the receiver (Algorithm 2.2), so a copy is no new event: both clock conditions and the total order hold, and every example is still found",
        variant: crate::registry::CORRECT,
        params: &[("retransmit", 1)],
        fairness: None,
        expect: &[],
    }],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<ClocksCfg>,
    explore: crate::registry::explore_config::<ClocksCfg>,
    replay: crate::registry::replay_config::<ClocksCfg>,
    compare: crate::registry::compare_config::<ClocksCfg>,
    run: Some(crate::runner::run_config::<ClocksCfg>),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::BugVariant;

    #[test]
    fn registry_lists_every_bug_and_property_in_order() {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        let listed: Vec<&str> = PROTOCOL.variants.iter().map(|v| v.name).collect();
        assert_eq!(names, listed);
        let defaults = ClocksCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, ClocksCfg::default());
        let model = defaults.into_model();
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }

    #[test]
    fn vector_order_is_strict_and_entrywise() {
        assert!(vector_less(&vec![1, 0, 0], &vec![1, 1, 0]));
        assert!(!vector_less(&vec![1, 0, 0], &vec![1, 0, 0]));
        assert!(!vector_less(&vec![1, 0, 0], &vec![0, 1, 0]));
        assert!(!vector_less(&vec![0, 1, 0], &vec![1, 0, 0]));
    }
}
