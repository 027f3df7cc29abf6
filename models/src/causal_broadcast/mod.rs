//! Causal broadcast with vector timestamps, the CBCAST protocol of [Birman,
//! Schiper & Stephenson, "Lightweight Causal and Atomic Group Multicast"
//! (TOCS 1991)](https://doi.org/10.1145/128738.128742) §4.1, as Cachin,
//! Guerraoui & Rodrigues (2011) §3.9.3 give it ("Waiting Causal Broadcast",
//! Algorithm 3.15): a process counts in `VT[j]` the messages it delivered
//! from each process `j`; a broadcast carries the sender's vector time
//! after counting itself; a receiver delays a message until it has delivered
//! everything the sender had when it sent it.
//!
//! Fault model: reliable unordered links (no loss, no duplication, any
//! delay), no crashes. Workload: the first `broadcasters` processes each
//! broadcast `messages` messages, each at any time (a timer), so every
//! interleaving of broadcasts and deliveries is explored, causal chains
//! through a third process included.
//!
//! What the checker shows (3 processes, p1 and p2 broadcast twice each):
//! integrity and causal order hold, every message is delivered, and
//! messages wait (a sender's second message arriving before its first; p2
//! delivering p1's message, broadcasting, and p3 receiving p2's first).
//! `no-vector-clock-check` delivers on receipt: p2 delivers p1's second
//! message before its first (the shortest counterexample), or p3 p2's
//! message before p1's that p2 had delivered before broadcasting;
//! `no-next-from-sender-check` keeps half of the delivery condition (the
//! sender's causal past delivered) and drops the other (the next message
//! from that sender): p1's second message overtakes its first;
//! `sender-entry-only` timestamps with the sender's own count alone (FIFO
//! broadcast's sequence number): FIFO order kept, the chain across
//! processes broken.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the links
//! lose and duplicate messages (Cachin et al. §2.4.2's fair-loss links),
//! and Algorithm 3.15's reliable links are built on them as Cachin et al.
//! §2.4 build perfect links: each send goes over a stubborn link
//! (Algorithm 2.1, "Retransmit Forever": the sender remembers every
//! (destination, message) it sent and sends them all again on a timer),
//! and the receiver passes each message up once (Algorithm 2.2,
//! "Eliminate Duplicates": a message already received is dropped, known
//! by its sender and its number). So every message reaches CBCAST once,
//! in any order, as the reliable unordered links above, and the delivery
//! rule runs unchanged.

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// A process by number: 0 is p1.
pub type Process = usize;
/// A vector time, `VT` of BSS 1991 §4.1: entry `j` counts the messages
/// from process `j` delivered (and, for a process's own entry, broadcast).
pub type VectorTime = Vec<u8>;
/// A broadcast message, known by its sender and its number among the
/// sender's broadcasts (from 1): the sender's own entry of its timestamp.
pub type Message = (Process, u8);

fn message_name((sender, k): &Message) -> String {
    format!("m{k}@p{}", sender + 1)
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CbMsg {
    /// A broadcast message with its timestamp `VT(m)` (Cachin et al.'s
    /// `[DATA, W, m]`).
    Data { sender: Process, vt: VectorTime },
}

impl fmt::Debug for CbMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let CbMsg::Data { sender, vt } = self;
        write!(
            f,
            "Data({}, VT {vt:?})",
            message_name(&(*sender, vt[*sender]))
        )
    }
}

/// A process's own steps. To the checker a timer is "this step is
/// enabled"; the duration only shapes real runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CbTimer {
    /// The application broadcasts its next message.
    Broadcast,
    /// With [`CbCfg::retransmit`]: the stubborn link's timer (Cachin et al.
    /// Algorithm 2.1, "upon event <Timeout>"): every send made is made
    /// again.
    Retransmit,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CbState {
    /// `VT(p)`: messages delivered from each process, own broadcasts
    /// included.
    pub vt: VectorTime,
    /// Messages received and not yet deliverable, with their timestamps:
    /// BSS's delay queue, Cachin et al.'s `pending`.
    pub pending: BTreeSet<(Process, VectorTime)>,
    // The workload.
    /// Broadcasts the application has still to make.
    pub to_broadcast: u8,
    // The links under the algorithm (with `retransmit` only; empty
    // otherwise).
    /// Every point-to-point send made: Cachin et al. Algorithm 2.1's
    /// `sent`, (destination, timestamped message).
    pub sent: Vec<(Process, CbMsg)>,
    /// Every message the links passed up to CBCAST: Algorithm 2.2's
    /// `delivered`, by sender and number.
    pub received: BTreeSet<Message>,
    // History variable, not read by the algorithm.
    /// What this process delivered, in order; its own broadcasts appear
    /// where it made them, as it delivers each one at once.
    pub delivered: Vec<Message>,
}

impl fmt::Debug for CbState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let delivered: Vec<String> = self.delivered.iter().map(message_name).collect();
        write!(
            f,
            "{{VT: {:?}, delivered: [{}]",
            self.vt,
            delivered.join(", ")
        )?;
        if !self.pending.is_empty() {
            let pending: Vec<String> = self
                .pending
                .iter()
                .map(|(j, vt)| format!("{} VT {vt:?}", message_name(&(*j, vt[*j]))))
                .collect();
            write!(f, ", pending: [{}]", pending.join(", "))?;
        }
        if !self.sent.is_empty() {
            let sent: Vec<String> = self
                .sent
                .iter()
                .map(|(to, CbMsg::Data { sender, vt })| {
                    format!("{}->p{}", message_name(&(*sender, vt[*sender])), to + 1)
                })
                .collect();
            write!(f, ", sent: [{}]", sent.join(", "))?;
        }
        if !self.received.is_empty() {
            let received: Vec<String> = self.received.iter().map(message_name).collect();
            write!(f, ", received: [{}]", received.join(", "))?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule of the protocol weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// A received message is delivered at once, without comparing its
    /// timestamp with the receiver's vector time. Must violate "causal
    /// order".
    NoVectorClockCheck,
    /// The delivery condition keeps its second half (everything the sender
    /// had delivered, the receiver has too) and skips the first, that the
    /// message is the next one from its sender (BSS 1991 §4.1's "VT(m)[j] =
    /// VT(p)[j] + 1"): a sender's later message overtakes its earlier one.
    /// Must violate "causal order".
    NoNextFromSenderCheck,
    /// A broadcast's timestamp carries the sender's own count alone, zero
    /// elsewhere: a sequence number per sender, which orders each sender's
    /// messages (FIFO broadcast) and nothing else. Must violate "causal
    /// order" through a chain across processes.
    SenderEntryOnly,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::NoVectorClockCheck,
        Bug::NoNextFromSenderCheck,
        Bug::SenderEntryOnly,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoVectorClockCheck => "no-vector-clock-check",
            Bug::NoNextFromSenderCheck => "no-next-from-sender-check",
            Bug::SenderEntryOnly => "sender-entry-only",
        }
    }
}

#[derive(Clone, Debug)]
pub struct CbActor {
    pub process: Process,
    /// Every process's id, p1 first.
    pub processes: Vec<Id>,
    /// How many messages this process broadcasts.
    pub messages: u8,
    /// Sends go over stubborn links, copies dropped (see
    /// [`CbCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// How long the application waits before each broadcast, on a real
/// network. The checker fires the timer at any time.
const THINK: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(20);
/// The stubborn link's period Δ on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl CbActor {
    /// BSS 1991 §4.1's delivery condition for a message from `j` with
    /// timestamp `w` at a process whose vector time is `vt`: "(1) VT(m)[j]
    /// = VT(p)[j] + 1" (it is the next message from `j`) and "(2) for all
    /// k ≠ j: VT(m)[k] ≤ VT(p)[k]" (everything `j` had delivered, `p` has
    /// too). Cachin et al.'s `W ≤ V` with `W[j]` counting before the
    /// broadcast. The bug `no-next-from-sender-check` drops (1).
    fn deliverable(&self, vt: &VectorTime, j: Process, w: &VectorTime) -> bool {
        let next_from_sender = match self.bug {
            Bug::NoNextFromSenderCheck => true,
            _ => w[j] == vt[j] + 1,
        };
        next_from_sender && (0..vt.len()).all(|k| k == j || w[k] <= vt[k])
    }

    /// "Before sending m, process p_i increments VT(p_i)[i] and timestamps
    /// m" (BSS 1991 §4.1), sends it to every other process, and delivers it
    /// at once. The bug leaves every other entry of the timestamp zero.
    /// Over a stubborn link each send is remembered too: "upon event <sl,
    /// Send | q, m> do trigger <fll, Send | q, m>; sent := sent ∪ {(q, m)}"
    /// (Cachin et al. Algorithm 2.1).
    fn broadcast(&self, state: &mut Cow<CbState>, o: &mut Out<Self>) {
        let me = self.process;
        if state.to_broadcast == 0 {
            return;
        }
        let s = state.to_mut();
        s.to_broadcast -= 1;
        s.vt[me] += 1;
        let vt = match self.bug {
            Bug::SenderEntryOnly => (0..s.vt.len())
                .map(|k| if k == me { s.vt[me] } else { 0 })
                .collect(),
            _ => s.vt.clone(),
        };
        let others: Vec<Process> = (0..self.processes.len()).filter(|q| *q != me).collect();
        let ids: Vec<Id> = others.iter().map(|q| self.processes[*q]).collect();
        let msg = CbMsg::Data { sender: me, vt };
        o.broadcast(&ids, &msg);
        if self.retransmit {
            s.sent.extend(others.iter().map(|q| (*q, msg.clone())));
        }
        s.delivered.push((me, s.vt[me]));
        if s.to_broadcast > 0 {
            o.set_timer(CbTimer::Broadcast, THINK);
        }
    }
}

impl Actor for CbActor {
    type Msg = CbMsg;
    type Timer = CbTimer;
    type State = CbState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        format!("p{}", self.process + 1)
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> CbState {
        if self.messages > 0 {
            o.set_timer(CbTimer::Broadcast, THINK);
        }
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)".
        if self.retransmit {
            o.set_timer(CbTimer::Retransmit, RETRANSMIT);
        }
        CbState {
            vt: vec![0; self.processes.len()],
            pending: BTreeSet::new(),
            to_broadcast: self.messages,
            sent: Vec::new(),
            received: BTreeSet::new(),
            delivered: Vec::new(),
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<CbState>, _src: Id, msg: CbMsg, _o: &mut Out<Self>) {
        let CbMsg::Data { sender, vt: w } = msg;
        // Over a stubborn link a message comes again and again: "upon
        // event <sl, Deliver | q, m> do if m ∉ delivered then delivered :=
        // delivered ∪ {m}; trigger <pl, Deliver | q, m>" (Cachin et al.
        // Algorithm 2.2), so a copy never reaches CBCAST.
        if self.retransmit {
            let m = (sender, w[sender]);
            if state.received.contains(&m) {
                return;
            }
            state.to_mut().received.insert(m);
        }
        let s = state.to_mut();
        // The bug: delivered on receipt, whatever its timestamp says.
        if self.bug == Bug::NoVectorClockCheck {
            s.vt[sender] += 1;
            s.delivered.push((sender, w[sender]));
            return;
        }
        // "upon event <rb, Deliver | p, [DATA, W, m]> do pending :=
        // pending ∪ {(p, W, m)}; while exists (p', W', m') ∈ pending such
        // that W' ≤ V do pending := pending \ {(p', W', m')}; V[rank(p')]
        // := V[rank(p')] + 1; trigger <crb, Deliver | p', m'>" (Cachin et
        // al. Algorithm 3.15), with BSS's condition.
        s.pending.insert((sender, w));
        while let Some((j, w)) = s
            .pending
            .iter()
            .find(|(j, w)| self.deliverable(&s.vt, *j, w))
            .cloned()
        {
            s.pending.remove(&(j, w.clone()));
            s.vt[j] += 1;
            s.delivered.push((j, w[j]));
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<CbState>, timer: &CbTimer, o: &mut Out<Self>) {
        match timer {
            CbTimer::Broadcast => self.broadcast(state, o),
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger
            // <fll, Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm
            // 2.1): a copy lost on the fair-loss link is sent again, and
            // again, so one gets through.
            CbTimer::Retransmit => {
                for (to, msg) in &state.sent {
                    o.send(self.processes[*to], msg.clone());
                }
                o.set_timer(CbTimer::Retransmit, RETRANSMIT);
            }
        }
    }
}

type State = stateright::actor::ActorModelState<CbActor>;

/// The causal past of broadcast `m` (Cachin et al. §3.9.1): `m1 -> m` if
/// the sender of `m` broadcast or delivered `m1` before broadcasting `m`,
/// or transitively. A process delivers its own message when it broadcasts
/// it, so what came before `m` in its sender's delivery list is exactly
/// what it broadcast or delivered before.
fn causal_past(states: &[&CbState], m: Message, past: &mut BTreeSet<Message>) {
    let before = states[m.0].delivered.iter().take_while(|d| **d != m);
    for d in before {
        if past.insert(*d) {
            causal_past(states, *d, past);
        }
    }
}

fn states(state: &State) -> Vec<&CbState> {
    state.actor_states.iter().map(|s| &**s).collect()
}

// Properties.

/// Causal delivery (Cachin et al. §3.9.1, CRB5: "For any message m1 that
/// potentially caused a message m2, i.e., m1 -> m2, no process delivers m2
/// unless it has already delivered m1"; BSS 1991 §2.3): for each process
/// and each message it delivered, everything in that message's causal past
/// was delivered there before it.
fn causal_order(_: &CbModel, state: &State) -> bool {
    let states = states(state);
    states.iter().all(|s| {
        s.delivered.iter().enumerate().all(|(i, m)| {
            let mut past = BTreeSet::new();
            causal_past(&states, *m, &mut past);
            past.iter().all(|p| s.delivered[..i].contains(p))
        })
    })
}

/// Integrity (Cachin et al. §3.9.1, CRB2 no duplication and CRB3 no
/// creation, inherited from reliable broadcast §3.3.1; [Hadzilacos & Toueg
/// 1994](https://ecommons.cornell.edu/handle/1813/6220) §2.1): "No
/// message is delivered more than once" and "If a process delivers a
/// message m with sender s, then m was previously broadcast by process s."
/// A message `(j, k)` was broadcast once `j` has made `k` broadcasts.
fn integrity(model: &CbModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| {
        s.delivered.iter().enumerate().all(|(i, m)| {
            let (j, k) = *m;
            let made = model.actors[j].messages - state.actor_states[j].to_broadcast;
            !s.delivered[..i].contains(m) && 1 <= k && k <= made
        })
    })
}

/// Every message is eventually delivered by every process (Cachin et al.
/// §3.9.1: CRB1 validity and CRB4 agreement, with no process crashing):
/// each process delivered each message of each broadcaster. Message by
/// message, so that a duplicate cannot stand in for a missing one.
fn every_message_delivered(model: &CbModel, state: &State) -> bool {
    let mut broadcast = model
        .actors
        .iter()
        .flat_map(|a| (1..=a.messages).map(move |k| (a.process, k)));
    broadcast.all(|m| state.actor_states.iter().all(|s| s.delivered.contains(&m)))
}

/// Reachability: a message received before its causal past waits.
fn a_delivery_waits(_: &CbModel, state: &State) -> bool {
    state.actor_states.iter().any(|s| !s.pending.is_empty())
}

/// Reachability: a broadcast causally after another process's broadcast,
/// so that causal order says more than FIFO order.
fn causal_chain(_: &CbModel, state: &State) -> bool {
    let states = states(state);
    states.iter().enumerate().any(|(p, s)| {
        s.delivered.iter().filter(|m| m.0 == p).any(|m| {
            let mut past = BTreeSet::new();
            causal_past(&states, *m, &mut past);
            past.iter().any(|d| d.0 != p)
        })
    })
}

// Configuration.

pub type CbModel = ActorModel<CbActor, CbCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CbCfg {
    pub processes: usize,
    /// The first `broadcasters` processes broadcast.
    pub broadcasters: usize,
    /// How many messages each of them broadcasts.
    pub messages: u8,
    /// The links lose and duplicate messages, every send goes over a
    /// stubborn link (Cachin et al. Algorithm 2.1, "Retransmit Forever")
    /// and copies are dropped (Algorithm 2.2): scenario `lossy`, and every
    /// real run (`dsw run causal-broadcast` sets it). Off by default:
    /// reliable links, as Algorithm 3.15 assumes.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for CbCfg {
    fn default() -> Self {
        CbCfg {
            processes: 3,
            broadcasters: 2,
            messages: 2,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for CbCfg {
    type Model = CbModel;

    fn new(variant: &str, params: &Params) -> Self {
        CbCfg {
            processes: params["processes"] as usize,
            broadcasters: (params["broadcasters"] as usize).min(params["processes"] as usize),
            messages: params["messages"] as u8,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> CbModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for CbCfg {
    type Actor = CbActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// Every broadcast was made (each process delivers its own at once,
    /// so the own entries of the vector times count them), and every
    /// process delivered all of them.
    fn done(states: &[Option<CbState>]) -> bool {
        let Some(states) = states
            .iter()
            .map(Option::as_ref)
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let broadcast: usize = states
            .iter()
            .enumerate()
            .map(|(p, s)| usize::from(s.vt[p]))
            .sum();
        states
            .iter()
            .all(|s| s.to_broadcast == 0 && s.delivered.len() == broadcast)
    }

    fn observations(states: &[CbState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| {
                let ms: Vec<String> = s.delivered.iter().map(message_name).collect();
                format!("p{} delivered [{}]", p + 1, ms.join(", "))
            })
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> CbModel {
        let actors: Vec<CbActor> = (0..self.processes)
            .map(|process| CbActor {
                process,
                processes: ids.to_vec(),
                messages: if process < self.broadcasters {
                    self.messages
                } else {
                    0
                },
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        // Reliable links unless retransmitting; then fair-loss links that
        // also duplicate (Stateright's duplicating network keeps a message
        // in flight until it is lost).
        let (network, lossy) = if self.retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "integrity", integrity)
            .property(Expectation::Always, "causal order", causal_order)
            .property(
                Expectation::Eventually,
                "every message delivered",
                every_message_delivered,
            )
            .property(Expectation::Sometimes, "a delivery waits", a_delivery_waits)
            .property(Expectation::Sometimes, "a causal chain", causal_chain)
    }

    /// `dsw run causal-broadcast`: the configuration given, with `retransmit`
    /// on, as scenario `lossy` checks it: a real network may lose and
    /// duplicate (`--loss`, `--duplicate`), and over links that do not
    /// retransmit a lost message is never delivered.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "causal-broadcast",
    section: "Broadcast and membership",
    summary: "Causal broadcast with vector timestamps (ISIS CBCAST): a message waits until its causal past is delivered",
    citations: &[
        "Birman, Schiper & Stephenson, Lightweight Causal and Atomic Group Multicast (TOCS 9(3), 1991), §4.1 (the CBCAST protocol)",
        "Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2011), §3.9 (Algorithm 3.15, Waiting Causal Broadcast)",
        "Lamport, Time, Clocks, and the Ordering of Events in a Distributed System (CACM 1978): happened-before",
        "Hadzilacos & Toueg, A Modular Approach to Fault-Tolerant Broadcasts and Related Problems (TR 94-1425, 1994), §2.1 (Integrity)",
    ],
    notes: "Causal order is checked against happened-before computed from the run, not from the vector times the protocol keeps: a process delivers its own broadcast at once, so its delivery list records, in order, what it broadcast and delivered, and the causal past of a broadcast is what precedes it in its sender's list, closed transitively (Cachin et al. 2011 §3.9.1). A variant that corrupts the timestamps is therefore judged by what really happened. Broadcasts are timers, fair and at any time, so every interleaving of broadcasts and deliveries is explored. With `retransmit = 1` (scenario `lossy`, and every real run) the links lose and duplicate messages, every send goes over a stubborn link (Cachin et al. Algorithm 2.1, Retransmit Forever: each send is made again on a timer) and the receiver passes each message up once (Algorithm 2.2, Eliminate Duplicates), rebuilding the reliable links CBCAST assumes. Every message delivered then needs strong fairness (a message sent again and again is delivered at last; under weak fairness a run that loses every copy is fair), which the scenario assumes.",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes in the group",
            default: 3,
            min: 2,
            max: 4,
        },
        ParamSpec {
            name: "broadcasters",
            doc: "how many processes (the first ones) broadcast",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "messages",
            doc: "messages each broadcaster broadcasts, each at any time",
            default: 2,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: links lose and duplicate messages, each send is repeated on a timer forever (a stubborn link, Cachin et al. Algorithm 2.1) and the receiver drops copies (Algorithm 2.2) (scenario lossy; every real run retransmits); 0: reliable links, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "integrity",
            kind: PropertyKind::Always,
            source: "Cachin et al. 2011 §3.9.1 (CRB2 no duplication, CRB3 no creation); Hadzilacos & Toueg 1994 §2.1 (Integrity)",
        },
        PropertySpec {
            name: "causal order",
            kind: PropertyKind::Always,
            source: "Cachin et al. 2011 §3.9.1 (CRB5, causal delivery); Birman, Schiper & Stephenson 1991 §2.3",
        },
        PropertySpec {
            name: "every message delivered",
            kind: PropertyKind::Eventually,
            source: "Cachin et al. 2011 §3.9.1 (CRB1 validity, CRB4 agreement), no crashes",
        },
        PropertySpec {
            name: "a delivery waits",
            kind: PropertyKind::Sometimes,
            source: "reachability: the delivery condition at work (BSS 1991 §4.1)",
        },
        PropertySpec {
            name: "a causal chain",
            kind: PropertyKind::Sometimes,
            source: "reachability: a broadcast after delivering another process's message (Cachin et al. 2011 §3.9.1)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "CBCAST: deliver a message once its causal past is delivered",
            expect: &[],
        },
        VariantSpec {
            name: "no-vector-clock-check",
            doc: "a message is delivered on receipt: p2 delivers p1's second message before its first (or p3 delivers p2's message before p1's that p2 had delivered before broadcasting)",
            expect: &[
                ("causal order", Verdict::Violated),
                ("a delivery waits", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "no-next-from-sender-check",
            doc: "the delivery condition checks only that the sender's causal past is delivered, not that the message is the next one from its sender (VT(m)[j] = VT(p)[j] + 1): p2 delivers p1's second message before its first",
            expect: &[("causal order", Verdict::Violated)],
        },
        VariantSpec {
            name: "sender-entry-only",
            doc: "a timestamp carries only the sender's own count (FIFO broadcast's sequence number): each sender's messages still wait for their predecessors, but the chain through p2 is lost",
            expect: &[("causal order", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "fifo",
            doc: "only p1 broadcasts, twice: its second message may arrive first and waits (causal order includes FIFO order); no chain crosses processes",
            variant: crate::registry::CORRECT,
            params: &[("broadcasters", 1), ("messages", 2)],
            fairness: None,
            expect: &[("a causal chain", Verdict::NoExample)],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: links that lose and duplicate messages, every send repeated on a timer (stubborn links, Cachin et al. Algorithm 2.1) and copies dropped (Algorithm 2.2); p1 and p2 broadcast once each (twice each does not finish in a minute), so p3 may receive p2's message before p1's that p2 delivered first, and it waits. Integrity and causal order hold and, under strong fairness (a message sent again and again is delivered at last), every message is delivered",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1), ("messages", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<CbCfg>,
    explore: crate::registry::explore_config::<CbCfg>,
    replay: crate::registry::replay_config::<CbCfg>,
    compare: crate::registry::compare_config::<CbCfg>,
    run: Some(crate::runner::run_config::<CbCfg>),
};
