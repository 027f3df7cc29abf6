//! Total order broadcast by a fixed sequencer with a backup, after [Défago,
//! Schiper & Urbán, "Total Order Broadcast and Multicast Algorithms:
//! Taxonomy and Survey" (ACM Computing Surveys 2004)](https://doi.org/10.1145/1041680.1041682)
//! §4.1 (fixed sequencer, the broadcast-broadcast form): a sender sends its
//! message to every process; the sequencer assigns it the next sequence
//! number and broadcasts the number; every process delivers in number
//! order. For fail-over, the sequencer first stores each assignment at a
//! backup and broadcasts it only once the backup has acknowledged it, so the
//! backup, taking over, knows every number that anyone may have seen.
//!
//! Fault model: reliable unordered links; the sequencer p1 may crash (a
//! choice, never forced) and stays down; a perfect failure detector tells
//! the backup p2 (Cachin et al. 2011 §2.6.2), modelled as a notification
//! sent at the crash. p3 broadcasts `messages` messages at the start.
//!
//! What the checker shows (3 processes, p3 broadcasting twice): integrity
//! and total order hold, every message is delivered by every correct
//! process, and deliveries happen after the fail-over.
//! `failover-without-agreement` broadcasts each number before the backup
//! has it: the backup takes over unaware of number 1, gives it to another
//! message, and two processes deliver in different orders (and a message
//! numbered twice is delivered twice). Total
//! order broadcast is equivalent to consensus (Chandra & Toueg 1996); the
//! backup's acknowledgement is the agreement on the last number that a
//! fail-over needs, and it suffices here only because the failure detector
//! is perfect and one process crashes.

use crate::registry::{Config, ParamSpec, Params, PropertySpec, Protocol, VariantSpec};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A process by number: 0 is p1, the first sequencer; 1 is p2, its backup.
pub type Process = usize;
/// A sequence number, from 1.
pub type SeqNo = u8;
/// A broadcast message: its sender and its number among the sender's
/// broadcasts (from 1).
pub type Message = (Process, u8);

const SEQUENCER: Process = 0;
const BACKUP: Process = 1;

fn message_name((sender, k): &Message) -> String {
    format!("m{k}@p{}", sender + 1)
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TobMsg {
    /// The sender's message, to every process.
    Data(Message),
    /// The sequencer's order: message `m` is number `n`.
    Seq { m: Message, n: SeqNo },
    /// The sequencer stores an assignment at the backup.
    Backup { m: Message, n: SeqNo },
    /// The backup holds assignment `n`.
    BackupAck { n: SeqNo },
    /// The perfect failure detector's notice that the sequencer crashed.
    Crashed,
}

impl fmt::Debug for TobMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TobMsg::Data(m) => write!(f, "Data({})", message_name(m)),
            TobMsg::Seq { m, n } => write!(f, "Seq({} is #{n})", message_name(m)),
            TobMsg::Backup { m, n } => write!(f, "Backup({} is #{n})", message_name(m)),
            TobMsg::BackupAck { n } => write!(f, "BackupAck(#{n})"),
            TobMsg::Crashed => f.write_str("Crashed"),
        }
    }
}

/// The fault model's choice for the sequencer, made by the checker (or, on
/// a real run, by a coin at the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TobFault {
    /// The sequencer crashes now and never recovers.
    Crash,
    /// The sequencer will not crash in this run.
    NoCrash,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TobState {
    /// Messages received (a sender has its own).
    pub received: BTreeSet<Message>,
    /// The order as this process knows it: number to message, the first
    /// assignment heard for each number.
    pub order: BTreeMap<SeqNo, Message>,
    /// The next number to deliver.
    pub next: SeqNo,
    // Sequencer state.
    /// This process assigns numbers (p1 at the start, p2 after taking
    /// over).
    pub sequencing: bool,
    /// The assignment waiting for the backup's acknowledgement.
    pub awaiting: Option<(Message, SeqNo)>,
    /// The fault: this process crashed (it takes no step any more).
    pub crashed: bool,
    // History variable, not read by the algorithm.
    /// What this process delivered, in order.
    pub delivered: Vec<Message>,
}

impl fmt::Debug for TobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |ms: &mut dyn Iterator<Item = &Message>| {
            ms.map(message_name).collect::<Vec<_>>().join(", ")
        };
        let order: Vec<String> = self
            .order
            .iter()
            .map(|(n, m)| format!("#{n} {}", message_name(m)))
            .collect();
        write!(
            f,
            "{{delivered: [{}], order: [{}], received: [{}]",
            names(&mut self.delivered.iter()),
            order.join(", "),
            names(&mut self.received.iter())
        )?;
        if self.sequencing {
            f.write_str(", sequencer")?;
        }
        if let Some((m, n)) = &self.awaiting {
            write!(f, ", awaiting ack of #{n} {}", message_name(m))?;
        }
        if self.crashed {
            f.write_str(", crashed")?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule of the algorithm weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithm as described.
    #[default]
    None,
    /// The sequencer broadcasts each number at once, sending it to the
    /// backup alongside rather than first: after a crash the backup may
    /// not know the last number assigned and gives it to another message.
    /// Must violate "total order".
    FailoverWithoutAgreement,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::FailoverWithoutAgreement];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::FailoverWithoutAgreement => "failover-without-agreement",
        }
    }
}

#[derive(Clone, Debug)]
pub struct TobActor {
    pub process: Process,
    /// Every process's id, p1 first.
    pub processes: Vec<Id>,
    /// How many messages this process broadcasts at the start.
    pub messages: u8,
    pub bug: Bug,
}

impl TobActor {
    fn others(&self) -> Vec<Id> {
        (0..self.processes.len())
            .filter(|q| *q != self.process)
            .map(|q| self.processes[q])
            .collect()
    }

    /// Delivery: "deliver m when all messages with a lower number have
    /// been delivered" (Défago et al. §4.1), once m itself has arrived.
    fn deliver(s: &mut TobState) {
        while let Some(m) = s.order.get(&s.next).copied() {
            if !s.received.contains(&m) {
                break;
            }
            s.delivered.push(m);
            s.next += 1;
        }
    }

    /// The sequencer's rule: the next received message without a number
    /// gets the next number. p1 first stores it at the backup and
    /// broadcasts it on the acknowledgement (the bug: both at once); the
    /// backup, once sequencer, has no backup and broadcasts at once.
    fn assign(&self, s: &mut TobState, o: &mut Out<Self>) {
        if !s.sequencing || s.awaiting.is_some() {
            return;
        }
        let numbered: BTreeSet<Message> = s.order.values().copied().collect();
        let Some(m) = s.received.iter().find(|m| !numbered.contains(m)).copied() else {
            return;
        };
        let n = s.order.keys().max().map_or(1, |n| n + 1);
        let has_backup = self.process == SEQUENCER;
        if has_backup {
            o.send(self.processes[BACKUP], TobMsg::Backup { m, n });
        }
        if has_backup && self.bug != Bug::FailoverWithoutAgreement {
            s.awaiting = Some((m, n));
            return;
        }
        self.order(s, m, n, o);
        self.assign(s, o);
    }

    /// The sequencer fixes `m` as number `n`: to everyone, and itself.
    fn order(&self, s: &mut TobState, m: Message, n: SeqNo, o: &mut Out<Self>) {
        s.order.entry(n).or_insert(m);
        o.broadcast(&self.others(), &TobMsg::Seq { m, n });
        Self::deliver(s);
    }
}

impl Actor for TobActor {
    type Msg = TobMsg;
    type Timer = ();
    type State = TobState;
    type Storage = ();
    type Random = TobFault;

    fn name(&self) -> String {
        format!("p{}", self.process + 1)
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> TobState {
        let mut s = TobState {
            received: BTreeSet::new(),
            order: BTreeMap::new(),
            next: 1,
            sequencing: self.process == SEQUENCER,
            awaiting: None,
            crashed: false,
            delivered: Vec::new(),
        };
        if self.process == SEQUENCER {
            o.choose_random("fault", vec![TobFault::Crash, TobFault::NoCrash]);
        }
        // TO-broadcast(m): send m to every process (the sender keeps it).
        for k in 1..=self.messages {
            let m = (self.process, k);
            s.received.insert(m);
            o.broadcast(&self.others(), &TobMsg::Data(m));
        }
        self.assign(&mut s, o);
        s
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<TobState>, _src: Id, msg: TobMsg, o: &mut Out<Self>) {
        if state.crashed {
            return;
        }
        match msg {
            // A message arrives: keep it, deliver it if its number is next,
            // and number it if this process sequences.
            TobMsg::Data(m) => {
                let s = state.to_mut();
                s.received.insert(m);
                Self::deliver(s);
                self.assign(s, o);
            }
            // An order: the first assignment of a number counts.
            TobMsg::Seq { m, n } => {
                let s = state.to_mut();
                s.order.entry(n).or_insert(m);
                Self::deliver(s);
            }
            // The backup stores an assignment and acknowledges it, unless it
            // sequences already (the sender has crashed).
            TobMsg::Backup { m, n } if !state.sequencing => {
                state.to_mut().order.entry(n).or_insert(m);
                o.send(self.processes[SEQUENCER], TobMsg::BackupAck { n });
            }
            // The backup holds the assignment: broadcast it, go on.
            TobMsg::BackupAck { n } if state.awaiting.is_some_and(|(_, a)| a == n) => {
                let s = state.to_mut();
                let (m, n) = s.awaiting.take().expect("awaiting");
                self.order(s, m, n, o);
                self.assign(s, o);
            }
            // Fail-over: the backup becomes the sequencer. It broadcasts
            // every assignment it holds (the old sequencer may have crashed
            // before broadcasting the last one) and numbers what is left
            // from the highest number it holds.
            TobMsg::Crashed if self.process == BACKUP && !state.sequencing => {
                let s = state.to_mut();
                s.sequencing = true;
                for (n, m) in s.order.clone() {
                    o.broadcast(&self.others(), &TobMsg::Seq { m, n });
                }
                Self::deliver(s);
                self.assign(s, o);
            }
            _ => {}
        }
    }

    /// The fault: the sequencer stops for good; the failure detector tells
    /// the backup.
    fn on_random(&self, _id: Id, state: &mut Cow<TobState>, fault: &TobFault, o: &mut Out<Self>) {
        if *fault == TobFault::Crash && !state.crashed {
            state.to_mut().crashed = true;
            o.send(self.processes[BACKUP], TobMsg::Crashed);
        }
    }
}

type State = stateright::actor::ActorModelState<TobActor>;

// Properties.

/// Uniform integrity (Défago et al. 2004 §2.2): "For any message m, every
/// process delivers m at most once, and only if m was previously broadcast
/// by sender(m)."
fn integrity(model: &TobModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| {
        s.delivered.iter().enumerate().all(|(i, m)| {
            !s.delivered[..i].contains(m) && m.1 >= 1 && m.1 <= model.actors[m.0].messages
        })
    })
}

/// Uniform total order (Défago et al. 2004 §2.2): "If some process delivers
/// some message m before message m', then a process delivers m' only after
/// it has delivered m."
fn total_order(_: &TobModel, state: &State) -> bool {
    let lists: Vec<&Vec<Message>> = state.actor_states.iter().map(|s| &s.delivered).collect();
    lists.iter().all(|p| {
        p.iter().enumerate().all(|(i, m)| {
            p[i + 1..].iter().all(|later| {
                lists
                    .iter()
                    .all(|q| match q.iter().position(|d| d == later) {
                        Some(j) => q[..j].contains(m),
                        None => true,
                    })
            })
        })
    })
}

/// Validity and uniform agreement (Défago et al. 2004 §2.2), with only the
/// sequencer crashing: every message is eventually delivered by every
/// correct process (one that never crashes: p2, p3, and p1 unless it
/// crashed).
fn every_message_delivered(model: &TobModel, state: &State) -> bool {
    let broadcast: Vec<Message> = model
        .actors
        .iter()
        .flat_map(|a| (1..=a.messages).map(move |k| (a.process, k)))
        .collect();
    state
        .actor_states
        .iter()
        .all(|s| s.crashed || broadcast.iter().all(|m| s.delivered.contains(m)))
}

/// Reachability: the sequencer crashed and the backup delivered a message
/// it numbered itself after taking over (a number beyond every number the
/// sequencer assigned).
fn delivered_after_failover(_: &TobModel, state: &State) -> bool {
    let sequencer = &state.actor_states[SEQUENCER];
    let assigned_by_sequencer = sequencer.order.len() + usize::from(sequencer.awaiting.is_some());
    sequencer.crashed && state.actor_states[BACKUP].delivered.len() > assigned_by_sequencer
}

// Configuration.

pub type TobModel = ActorModel<TobActor, TobCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TobCfg {
    pub processes: usize,
    /// How many messages the last process broadcasts.
    pub messages: u8,
    pub bug: Bug,
}

impl Default for TobCfg {
    fn default() -> Self {
        TobCfg {
            processes: 3,
            messages: 2,
            bug: Bug::None,
        }
    }
}

impl Config for TobCfg {
    type Model = TobModel;

    fn new(variant: &str, params: &Params) -> Self {
        TobCfg {
            processes: params["processes"] as usize,
            messages: params["messages"] as u8,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> TobModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for TobCfg {
    type Actor = TobActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// Every process up delivered every message the last process
    /// broadcast.
    fn done(states: &[Option<TobState>]) -> bool {
        let Some(Some(last)) = states.last() else {
            return false;
        };
        let total = last
            .received
            .iter()
            .filter(|m| m.0 == states.len() - 1)
            .count();
        states.iter().all(|s| {
            s.as_ref()
                .is_some_and(|s| s.crashed || s.delivered.len() == total)
        })
    }

    fn observations(states: &[TobState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| {
                let ms: Vec<String> = s.delivered.iter().map(message_name).collect();
                let crashed = if s.crashed { " (crashed)" } else { "" };
                format!("p{}{crashed} delivered [{}]", p + 1, ms.join(", "))
            })
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> TobModel {
        let last = self.processes - 1;
        let actors: Vec<TobActor> = (0..self.processes)
            .map(|process| TobActor {
                process,
                processes: ids.to_vec(),
                messages: if process == last { self.messages } else { 0 },
                bug: self.bug,
            })
            .collect();
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(Network::new_unordered_nonduplicating([]))
            .property(Expectation::Always, "integrity", integrity)
            .property(Expectation::Always, "total order", total_order)
            .property(
                Expectation::Eventually,
                "every message delivered",
                every_message_delivered,
            )
            .property(
                Expectation::Sometimes,
                "delivered after fail-over",
                delivered_after_failover,
            )
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "total-order-broadcast",
    section: "Broadcast and membership",
    summary: "Total order broadcast by a fixed sequencer whose backup takes over after a crash, knowing the last number assigned",
    citations: &[
        "Défago, Schiper & Urbán, Total Order Broadcast and Multicast Algorithms: Taxonomy and Survey (ACM Computing Surveys 36(4), 2004), §2.2 (properties), §4.1 (fixed sequencer)",
        "Chandra & Toueg, Unreliable Failure Detectors for Reliable Distributed Systems (JACM 1996): atomic broadcast and consensus are equivalent",
        "Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2011), §2.6.2 (perfect failure detector)",
    ],
    notes: "Total order broadcast is equivalent to consensus (Chandra & Toueg 1996): each number is a consensus on which message gets it. The fixed sequencer decides alone, which is safe while it lives; fail-over needs the processes to agree on the last number assigned. Here that agreement is the backup's acknowledgement, which every number waits for before it is broadcast, and it suffices only because the failure detector is perfect (the backup takes over only after a real crash, modelled as a notice the crash sends) and at most the sequencer crashes; with suspicions that may be wrong, or more crashes, fail-over needs consensus proper. Without the acknowledgement (`failover-without-agreement`) the backup takes over unaware of number 1 and gives it to a second message.",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes: p1 sequences, p2 is its backup, the last one broadcasts",
            default: 3,
            min: 3,
            max: 4,
        },
        ParamSpec {
            name: "messages",
            doc: "messages the last process broadcasts, at the start",
            default: 2,
            min: 1,
            max: 3,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "integrity",
            kind: PropertyKind::Always,
            source: "Défago et al. 2004 §2.2 (uniform integrity)",
        },
        PropertySpec {
            name: "total order",
            kind: PropertyKind::Always,
            source: "Défago et al. 2004 §2.2 (uniform total order)",
        },
        PropertySpec {
            name: "every message delivered",
            kind: PropertyKind::Eventually,
            source: "Défago et al. 2004 §2.2 (validity, uniform agreement), only the sequencer crashing",
        },
        PropertySpec {
            name: "delivered after fail-over",
            kind: PropertyKind::Sometimes,
            source: "reachability: the backup's fail-over at work",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "each number is broadcast only once the backup holds it",
            expect: &[],
        },
        VariantSpec {
            name: "failover-without-agreement",
            doc: "the sequencer broadcasts each number while sending it to the backup: the backup takes over unaware of number 1 and gives it to another message, two messages with one number (and a message with two numbers, delivered twice; and a process stuck on a number whose message it already delivered)",
            expect: &[
                ("integrity", Verdict::Violated),
                ("total order", Verdict::Violated),
                ("every message delivered", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<TobCfg>,
    explore: crate::registry::explore_config::<TobCfg>,
    run: Some(crate::runner::run_config::<TobCfg>),
};
