//! Total order (atomic) broadcast two ways. By a fixed sequencer with a
//! backup, after [Défago, Schiper & Urbán, "Total Order Broadcast and
//! Multicast Algorithms: Taxonomy and Survey" (ACM Computing Surveys
//! 2004)](https://doi.org/10.1145/1041680.1041682) §4.1 (fixed sequencer,
//! broadcast-broadcast): a sender sends its message to every process; the
//! sequencer assigns it the next number and broadcasts the number; every
//! process delivers in number order. The sequencer first stores each
//! assignment at a backup and broadcasts it only once the backup has
//! acknowledged it, so the backup, taking over, knows every number that
//! anyone may have seen. And by consensus, [Chandra & Toueg, "Unreliable
//! Failure Detectors for Reliable Distributed Systems" (JACM
//! 1996)](https://doi.org/10.1145/226643.226647), "On Atomic Broadcast"
//! (the figure "Using Consensus to solve Atomic Broadcast"): a process
//! R-broadcasts its message; whenever it has received messages it has not
//! delivered, it proposes them to consensus instance k, and delivers the
//! batch instance k decides, less what it delivered, in a deterministic
//! order. Consensus here is an object (a process that cannot crash, whose
//! first proposal per instance wins), the black box of the reduction.
//!
//! Fault model: reliable unordered links; p1 may crash (a choice, never
//! forced) and stays down. With the sequencer, a perfect failure detector
//! tells the backup p2 (Cachin et al. 2011 §2.6.2), modelled as a notice
//! the crash sends. The last `broadcasters` processes broadcast `messages`
//! messages each at the start.
//!
//! What the checker shows (3 processes, p2 and p3 broadcasting one message
//! each): integrity, total order and first deliveries agreeing hold, every
//! message is delivered by every correct process, deliveries happen after
//! a fail-over, and via consensus (scenario `via-consensus`) the consensus
//! object's properties hold too. Sequencer bugs:
//! `failover-without-agreement` broadcasts a number before the backup
//! holds it (two messages with one number); `no-resend-on-takeover` does
//! not rebroadcast the numbers the backup holds (a process waits forever
//! for a number only the crashed sequencer and the backup knew). Bugs of
//! the reduction, each caught in its `via-consensus-` scenario:
//! `deliver-own-proposal` delivers what it proposed rather than what was
//! decided; `own-messages-first` delivers its own messages of a decided
//! batch before the others, an order that is not the same everywhere.
//! Total order broadcast and consensus are equivalent (Chandra & Toueg);
//! the report page says where each direction lives here.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the links
//! lose and duplicate messages (Cachin et al. 2011 §2.4.2's fair-loss
//! links), and the reliable links both algorithms assume (Défago et al.
//! 2004 §2.1's quasi-reliable channels; Chandra & Toueg's reliable
//! channels) are built on them: every send goes over a stubborn link
//! (Cachin et al. Algorithm 2.1, "Retransmit Forever": a process remembers
//! every (destination, message) it sent and sends them all again on a
//! timer). Every rule here already ignores a copy (a message received is a
//! set member, the first assignment of a number counts, an acknowledgement
//! counts only while awaited, a decision only for the instance awaited),
//! so no duplicate elimination (Algorithm 2.2) is needed on top. The
//! consensus object answers every proposal it gets, so a proposer's
//! retransmitted proposal fetches a lost decision again. A crashed p1
//! sends nothing more, but the perfect failure detector's notice to the
//! backup is repeated on p1's timer: its strong completeness is
//! "eventually every process that crashes is permanently detected"
//! (Cachin et al. §2.6.2), which one notice lost for good would break.

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// A process by number: 0 is p1, the first sequencer; 1 is p2, its backup.
/// Via consensus, the consensus object comes after the processes.
pub type Process = usize;
/// A sequence number, from 1.
pub type SeqNo = u8;
/// A broadcast message: its sender and its number among the sender's
/// broadcasts (from 1).
pub type Message = (Process, u8);
/// A consensus instance, Chandra & Toueg's `k`, from 1.
pub type Instance = u8;
/// A set of messages proposed to, or decided by, one instance:
/// `A_undelivered` and `msgSet^k`.
pub type Batch = BTreeSet<Message>;

const SEQUENCER: Process = 0;
const BACKUP: Process = 1;

fn message_name((sender, k): &Message) -> String {
    format!("m{k}@p{}", sender + 1)
}

fn batch_name(batch: &Batch) -> String {
    let names: Vec<String> = batch.iter().map(message_name).collect();
    format!("{{{}}}", names.join(", "))
}

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TobMsg {
    /// The sender's message, to every process (Chandra & Toueg's
    /// R-broadcast: one step sends every copy, so no crash splits it).
    Data(Message),
    // The fixed sequencer.
    /// The sequencer's order: message `m` is number `n`.
    Seq { m: Message, n: SeqNo },
    /// The sequencer stores an assignment at the backup.
    Backup { m: Message, n: SeqNo },
    /// The backup holds assignment `n`.
    BackupAck { n: SeqNo },
    /// The perfect failure detector's notice that the sequencer crashed
    /// (with `retransmit`, repeated on the crashed p1's timer).
    Crashed,
    // Atomic broadcast via consensus.
    /// `propose(k, A_undelivered)`, to the consensus object.
    Propose { k: Instance, batch: Batch },
    /// `decide(k, msgSet^k)`: the object's answer to a proposal.
    Decide { k: Instance, batch: Batch },
}

impl fmt::Debug for TobMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TobMsg::Data(m) => write!(f, "Data({})", message_name(m)),
            TobMsg::Seq { m, n } => write!(f, "Seq({} is #{n})", message_name(m)),
            TobMsg::Backup { m, n } => write!(f, "Backup({} is #{n})", message_name(m)),
            TobMsg::BackupAck { n } => write!(f, "BackupAck(#{n})"),
            TobMsg::Crashed => f.write_str("Crashed"),
            TobMsg::Propose { k, batch } => write!(f, "Propose(k={k}, {})", batch_name(batch)),
            TobMsg::Decide { k, batch } => write!(f, "Decide(k={k}, {})", batch_name(batch)),
        }
    }
}

/// A process's own steps. To the checker a timer is "this step is
/// enabled"; the duration only shapes real runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TobTimer {
    /// Chandra & Toueg's task "when R_delivered − A_delivered ≠ ∅": propose
    /// what is undelivered to the next instance. A step of its own, so that
    /// a proposal may carry messages from several senders.
    Propose,
    /// With [`TobCfg::retransmit`]: the stubborn link's timer (Cachin et
    /// al. Algorithm 2.1, "upon event <Timeout>"): every send made is made
    /// again.
    Retransmit,
}

/// The fault model's choice for p1, made by the checker (or, on a real
/// run, by a coin at the start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TobFault {
    /// p1 crashes now and never recovers.
    Crash,
    /// p1 will not crash in this run.
    NoCrash,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TobState {
    /// Messages received (a sender has its own): Chandra & Toueg's
    /// `R_delivered`.
    pub received: BTreeSet<Message>,
    /// What this process delivered, in order: `A_delivered`, which the
    /// consensus reduction reads; to the sequencer a history variable.
    pub delivered: Vec<Message>,
    /// The fault: this process crashed (it takes no step any more).
    pub crashed: bool,
    // Fixed sequencer.
    /// The order as this process knows it: number to message, the first
    /// assignment heard for each number.
    pub order: BTreeMap<SeqNo, Message>,
    /// The next number to deliver.
    pub next: SeqNo,
    /// This process assigns numbers (p1 at the start, p2 after taking
    /// over).
    pub sequencing: bool,
    /// The assignment waiting for the backup's acknowledgement.
    pub awaiting: Option<(Message, SeqNo)>,
    // Via consensus: a process.
    /// What this process proposed to each instance, the last one `k`,
    /// awaiting its decision unless `decided` has it.
    pub proposed: BTreeMap<Instance, Batch>,
    /// The decisions it learned.
    pub decided: BTreeMap<Instance, Batch>,
    // Via consensus: the consensus object.
    /// This is the consensus object's state, not a process's.
    pub object: bool,
    /// The decision of each instance: its first proposal.
    pub decisions: BTreeMap<Instance, Batch>,
    // The links under the algorithm (with `retransmit` only; empty
    // otherwise).
    /// Every point-to-point send this process made: Cachin et al.
    /// Algorithm 2.1's `sent`, (destination, message). A set: a message
    /// made again (an acknowledgement of a copy) is the same send.
    pub sent: BTreeSet<(Id, TobMsg)>,
}

impl TobState {
    /// Received and not delivered: Chandra & Toueg's `R_delivered −
    /// A_delivered`.
    fn undelivered(&self) -> Batch {
        self.received
            .iter()
            .filter(|m| !self.delivered.contains(m))
            .copied()
            .collect()
    }

    /// The instance this process proposed to and awaits the decision of.
    fn awaited(&self) -> Option<Instance> {
        let (&k, _) = self.proposed.last_key_value()?;
        (!self.decided.contains_key(&k)).then_some(k)
    }
}

impl fmt::Debug for TobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |ms: &mut dyn Iterator<Item = &Message>| {
            ms.map(message_name).collect::<Vec<_>>().join(", ")
        };
        let batches = |bs: &BTreeMap<Instance, Batch>| {
            bs.iter()
                .map(|(k, b)| format!("k={k} {}", batch_name(b)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.object {
            return write!(f, "{{decisions: [{}]}}", batches(&self.decisions));
        }
        write!(
            f,
            "{{delivered: [{}], received: [{}]",
            names(&mut self.delivered.iter()),
            names(&mut self.received.iter())
        )?;
        if !self.order.is_empty() {
            let order: Vec<String> = self
                .order
                .iter()
                .map(|(n, m)| format!("#{n} {}", message_name(m)))
                .collect();
            write!(f, ", order: [{}]", order.join(", "))?;
        }
        if self.sequencing {
            f.write_str(", sequencer")?;
        }
        if let Some((m, n)) = &self.awaiting {
            write!(f, ", awaiting ack of #{n} {}", message_name(m))?;
        }
        if !self.proposed.is_empty() {
            write!(f, ", proposed: [{}]", batches(&self.proposed))?;
        }
        if !self.decided.is_empty() {
            write!(f, ", decided: [{}]", batches(&self.decided))?;
        }
        if !self.sent.is_empty() {
            write!(f, ", sent: {}", self.sent.len())?;
        }
        if self.crashed {
            f.write_str(", crashed")?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule of an algorithm weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithms as described.
    #[default]
    None,
    /// Sequencer: p1 broadcasts each number at once, sending it to the
    /// backup alongside rather than first: after a crash the backup may
    /// not know the last number assigned and gives it to another message.
    /// Must violate "total order".
    FailoverWithoutAgreement,
    /// Sequencer: the backup, taking over, numbers what is left but does
    /// not rebroadcast the assignments it holds, one of which p1 may have
    /// crashed before broadcasting. Must violate "every message
    /// delivered".
    NoResendOnTakeover,
    /// Consensus: a process delivers the batch it proposed to instance k,
    /// not the batch k decided. Must violate "first deliveries agree" and
    /// "total order" (scenario `via-consensus-deliver-own-proposal`).
    DeliverOwnProposal,
    /// Consensus: a process delivers its own messages of a decided batch
    /// first, then the others, instead of one deterministic order. Must
    /// violate "first deliveries agree" (scenario
    /// `via-consensus-own-messages-first`).
    OwnMessagesFirst,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::FailoverWithoutAgreement,
        Bug::NoResendOnTakeover,
        Bug::DeliverOwnProposal,
        Bug::OwnMessagesFirst,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::FailoverWithoutAgreement => "failover-without-agreement",
            Bug::NoResendOnTakeover => "no-resend-on-takeover",
            Bug::DeliverOwnProposal => "deliver-own-proposal",
            Bug::OwnMessagesFirst => "own-messages-first",
        }
    }
}

/// What an actor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A process of the group.
    Process,
    /// The consensus object, via consensus.
    ConsensusObject,
}

#[derive(Clone, Debug)]
pub struct TobActor {
    pub role: Role,
    pub process: Process,
    /// Every process's id, p1 first (the consensus object excluded).
    pub processes: Vec<Id>,
    /// The consensus object's id: atomic broadcast via consensus, rather
    /// than by a sequencer.
    pub consensus: Option<Id>,
    /// How many messages this process broadcasts at the start.
    pub messages: u8,
    /// Sends go over stubborn links (see [`TobCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// How long a process may wait before proposing, on a real network. The
/// checker fires the timer at any time.
const PROPOSE: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(5);
/// The stubborn link's period Δ on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl TobActor {
    fn others(&self) -> Vec<Id> {
        (0..self.processes.len())
            .filter(|q| *q != self.process)
            .map(|q| self.processes[q])
            .collect()
    }

    /// Sends `msg` to `to`; over a stubborn link the send is remembered
    /// too: "upon event <sl, Send | q, m> do trigger <fll, Send | q, m>;
    /// sent := sent ∪ {(q, m)}" (Cachin et al. Algorithm 2.1).
    fn send(&self, s: &mut TobState, to: Id, msg: TobMsg, o: &mut Out<Self>) {
        if self.retransmit {
            s.sent.insert((to, msg.clone()));
        }
        o.send(to, msg);
    }

    /// Sends `msg` to every other process, each over its link.
    fn send_to_others(&self, s: &mut TobState, msg: &TobMsg, o: &mut Out<Self>) {
        for to in self.others() {
            self.send(s, to, msg.clone(), o);
        }
    }

    /// Sequencer delivery: "deliver m when all messages with a lower number
    /// have been delivered" (Défago et al. §4.1), once m itself has arrived.
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
        if self.process == SEQUENCER {
            self.send(s, self.processes[BACKUP], TobMsg::Backup { m, n }, o);
            match self.bug {
                Bug::FailoverWithoutAgreement => {}
                _ => {
                    s.awaiting = Some((m, n));
                    return;
                }
            }
        }
        self.order(s, m, n, o);
        self.assign(s, o);
    }

    /// The sequencer fixes `m` as number `n`: to everyone, and itself.
    fn order(&self, s: &mut TobState, m: Message, n: SeqNo, o: &mut Out<Self>) {
        s.order.entry(n).or_insert(m);
        self.send_to_others(s, &TobMsg::Seq { m, n }, o);
        Self::deliver(s);
    }

    /// Via consensus: the proposing task is enabled when something is
    /// undelivered and no decision is awaited.
    fn enable_proposal(&self, s: &TobState, o: &mut Out<Self>) {
        if self.consensus.is_some() && s.awaited().is_none() && !s.undelivered().is_empty() {
            o.set_timer(TobTimer::Propose, PROPOSE);
        }
    }

    /// The proposing task: "k := k + 1; A_undelivered := R_delivered −
    /// A_delivered; propose(k, A_undelivered)" (Chandra & Toueg).
    fn propose(&self, state: &mut Cow<TobState>, o: &mut Out<Self>) {
        let (Some(object), false) = (self.consensus, state.crashed) else {
            return;
        };
        let batch = state.undelivered();
        if state.awaited().is_some() || batch.is_empty() {
            return;
        }
        let s = state.to_mut();
        let k = s.proposed.keys().max().map_or(1, |k| k + 1);
        s.proposed.insert(k, batch.clone());
        self.send(s, object, TobMsg::Propose { k, batch }, o);
    }
}

impl Actor for TobActor {
    type Msg = TobMsg;
    type Timer = TobTimer;
    type State = TobState;
    type Storage = ();
    type Random = TobFault;

    fn name(&self) -> String {
        match self.role {
            Role::Process => format!("p{}", self.process + 1),
            Role::ConsensusObject => "consensus".to_string(),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> TobState {
        let mut s = TobState {
            received: BTreeSet::new(),
            delivered: Vec::new(),
            crashed: false,
            order: BTreeMap::new(),
            next: 1,
            sequencing: self.role == Role::Process
                && self.consensus.is_none()
                && self.process == SEQUENCER,
            awaiting: None,
            proposed: BTreeMap::new(),
            decided: BTreeMap::new(),
            object: self.role == Role::ConsensusObject,
            decisions: BTreeMap::new(),
            sent: BTreeSet::new(),
        };
        if s.object {
            return s;
        }
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)". The consensus
        // object only answers, so it has no timer of its own.
        if self.retransmit {
            o.set_timer(TobTimer::Retransmit, RETRANSMIT);
        }
        if self.process == SEQUENCER {
            o.choose_random("fault", vec![TobFault::Crash, TobFault::NoCrash]);
        }
        // TO-broadcast(m): send m to every process (the sender keeps it).
        for k in 1..=self.messages {
            let m = (self.process, k);
            s.received.insert(m);
            self.send_to_others(&mut s, &TobMsg::Data(m), o);
        }
        self.assign(&mut s, o);
        self.enable_proposal(&s, o);
        s
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<TobState>, src: Id, msg: TobMsg, o: &mut Out<Self>) {
        if state.crashed {
            return;
        }
        match msg {
            // The consensus object: the first proposal to an instance is
            // its decision, and every proposer learns the decision
            // (Chandra & Toueg's "propose(k, ...); wait until decide(k,
            // ...)" as one call to a linearizable object).
            TobMsg::Propose { k, batch } if self.role == Role::ConsensusObject => {
                let decision = match state.decisions.get(&k) {
                    Some(decision) => decision.clone(),
                    None => {
                        state.to_mut().decisions.insert(k, batch.clone());
                        batch
                    }
                };
                o.send(src, TobMsg::Decide { k, batch: decision });
            }
            // A message arrives (R-deliver(m)): keep it; deliver it if its
            // number is next, and number it if this process sequences; or
            // enable a proposal.
            TobMsg::Data(m) => {
                let s = state.to_mut();
                s.received.insert(m);
                Self::deliver(s);
                self.assign(s, o);
                self.enable_proposal(s, o);
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
                let s = state.to_mut();
                s.order.entry(n).or_insert(m);
                self.send(s, self.processes[SEQUENCER], TobMsg::BackupAck { n }, o);
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
            // before broadcasting the last one; the bug does not) and
            // numbers what is left from the highest number it holds.
            TobMsg::Crashed if self.process == BACKUP && !state.sequencing => {
                let s = state.to_mut();
                s.sequencing = true;
                match self.bug {
                    Bug::NoResendOnTakeover => {}
                    _ => {
                        for (n, m) in s.order.clone() {
                            self.send_to_others(s, &TobMsg::Seq { m, n }, o);
                        }
                    }
                }
                Self::deliver(s);
                self.assign(s, o);
            }
            // "wait until decide(k, msgSet^k); A_deliver^k := msgSet^k −
            // A_delivered; atomically deliver all messages in A_deliver^k
            // in some deterministic order" (Chandra & Toueg), here the
            // order of message ids. The bugs deliver the proposal instead,
            // or this process's own messages first.
            TobMsg::Decide { k, batch } if state.awaited() == Some(k) => {
                let s = state.to_mut();
                let source = match self.bug {
                    Bug::DeliverOwnProposal => s.proposed[&k].clone(),
                    _ => batch.clone(),
                };
                s.decided.insert(k, batch);
                let mut deliver: Vec<Message> = source
                    .into_iter()
                    .filter(|m| !s.delivered.contains(m))
                    .collect();
                match self.bug {
                    Bug::OwnMessagesFirst => deliver.sort_by_key(|m| (m.0 != self.process, *m)),
                    _ => deliver.sort(),
                }
                s.delivered.extend(deliver);
                self.enable_proposal(s, o);
            }
            _ => {}
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<TobState>, timer: &TobTimer, o: &mut Out<Self>) {
        match timer {
            TobTimer::Propose => self.propose(state, o),
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger
            // <fll, Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm
            // 2.1). A crashed p1 sends nothing; only the failure
            // detector's notice of its crash is repeated, at its place.
            TobTimer::Retransmit => {
                if !state.crashed {
                    for (to, msg) in &state.sent {
                        o.send(*to, msg.clone());
                    }
                } else if self.consensus.is_none() {
                    o.send(self.processes[BACKUP], TobMsg::Crashed);
                }
                o.set_timer(TobTimer::Retransmit, RETRANSMIT);
            }
        }
    }

    /// The fault: p1 stops for good; with a sequencer, the failure detector
    /// tells the backup.
    fn on_random(&self, _id: Id, state: &mut Cow<TobState>, fault: &TobFault, o: &mut Out<Self>) {
        if *fault == TobFault::Crash && !state.crashed {
            state.to_mut().crashed = true;
            o.cancel_timer(TobTimer::Propose);
            if self.consensus.is_none() {
                o.send(self.processes[BACKUP], TobMsg::Crashed);
            }
        }
    }
}

type State = stateright::actor::ActorModelState<TobActor>;

/// The processes' states, the consensus object's left out.
fn processes<'a>(model: &TobModel, state: &'a State) -> &'a [std::sync::Arc<TobState>] {
    &state.actor_states[..model.cfg.processes]
}

/// Every message broadcast in the run: each broadcaster's, all at the start.
fn broadcast(model: &TobModel) -> impl Iterator<Item = Message> + '_ {
    model
        .actors
        .iter()
        .flat_map(|a| (1..=a.messages).map(move |k| (a.process, k)))
}

// Properties.

/// Uniform integrity (Défago et al. 2004 §2.2): "For any message m, every
/// process delivers m at most once, and only if m was previously broadcast
/// by sender(m)."
fn integrity(model: &TobModel, state: &State) -> bool {
    processes(model, state).iter().all(|s| {
        s.delivered.iter().enumerate().all(|(i, m)| {
            !s.delivered[..i].contains(m) && m.1 >= 1 && m.1 <= model.actors[m.0].messages
        })
    })
}

/// Uniform total order (Défago et al. 2004 §2.2): "If some process delivers
/// some message m before message m', then a process delivers m' only after
/// it has delivered m."
fn total_order(model: &TobModel, state: &State) -> bool {
    let lists: Vec<&Vec<Message>> = processes(model, state)
        .iter()
        .map(|s| &s.delivered)
        .collect();
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

/// Consensus from atomic broadcast, the easy direction of Chandra & Toueg
/// 1996's equivalence ("On Atomic Broadcast"): a process proposes by
/// A-broadcasting its value and decides the first message it A-delivers.
/// This is that consensus's (uniform) agreement: any two processes'
/// first deliveries, crashed ones included, are one message. Total order
/// alone does not say it of a state, as two processes may each have
/// delivered only one message, a different one.
fn first_deliveries_agree(model: &TobModel, state: &State) -> bool {
    let mut firsts = processes(model, state)
        .iter()
        .filter_map(|s| s.delivered.first());
    match firsts.next() {
        Some(first) => firsts.all(|m| m == first),
        None => true,
    }
}

/// The consensus object, as atomic broadcast via consensus uses it
/// (Chandra & Toueg 1996, "On Atomic Broadcast", with consensus as they
/// specify it: agreement, uniform validity, uniform integrity): every
/// decision a process learned for instance k is the object's one decision
/// for k (agreement, here uniform, and decided once); that decision is some
/// process's proposal to k (uniform validity); and, as the reduction
/// needs, it is a non-empty set of broadcast messages.
fn consensus_object(model: &TobModel, state: &State) -> bool {
    let Some(object) = state.actor_states.get(model.cfg.processes) else {
        return true;
    };
    let all: Batch = broadcast(model).collect();
    let procs = processes(model, state);
    let agreement = procs.iter().all(|s| {
        s.decided
            .iter()
            .all(|(k, b)| object.decisions.get(k) == Some(b))
    });
    let validity = object.decisions.iter().all(|(k, d)| {
        !d.is_empty() && d.is_subset(&all) && procs.iter().any(|s| s.proposed.get(k) == Some(d))
    });
    agreement && validity
}

/// Validity and uniform agreement (Défago et al. 2004 §2.2), with only p1
/// crashing: every message is eventually delivered by every correct
/// process (one that never crashes: p2, p3, and p1 unless it crashed).
/// Each broadcaster sends its messages in its first step, so a crashed
/// broadcaster's are delivered too.
fn every_message_delivered(model: &TobModel, state: &State) -> bool {
    processes(model, state)
        .iter()
        .all(|s| s.crashed || broadcast(model).all(|m| s.delivered.contains(&m)))
}

/// Reachability: the sequencer crashed and the backup delivered a message
/// it numbered itself after taking over (a number beyond every number the
/// sequencer assigned).
fn delivered_after_failover(model: &TobModel, state: &State) -> bool {
    if model.cfg.consensus {
        return false;
    }
    let sequencer = &state.actor_states[SEQUENCER];
    let assigned_by_sequencer = sequencer.order.len() + usize::from(sequencer.awaiting.is_some());
    sequencer.crashed && state.actor_states[BACKUP].delivered.len() > assigned_by_sequencer
}

/// Reachability: an instance decided a batch of two messages or more, so
/// that the order within a batch matters.
fn a_batch_of_two(model: &TobModel, state: &State) -> bool {
    state
        .actor_states
        .get(model.cfg.processes)
        .is_some_and(|o| o.decisions.values().any(|b| b.len() >= 2))
}

// Configuration.

pub type TobModel = ActorModel<TobActor, TobCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TobCfg {
    pub processes: usize,
    /// The last `broadcasters` processes broadcast.
    pub broadcasters: usize,
    /// How many messages each of them broadcasts.
    pub messages: u8,
    /// Atomic broadcast via consensus, rather than by a sequencer.
    pub consensus: bool,
    /// The links lose and duplicate messages, and every send goes over a
    /// stubborn link (Cachin et al. Algorithm 2.1, "Retransmit Forever"):
    /// scenario `lossy`, and every real run (`dsw run
    /// total-order-broadcast` sets it). Off by default: reliable links, as
    /// both algorithms assume.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for TobCfg {
    fn default() -> Self {
        TobCfg {
            processes: 3,
            broadcasters: 2,
            messages: 1,
            consensus: false,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for TobCfg {
    type Model = TobModel;

    fn new(variant: &str, params: &Params) -> Self {
        TobCfg {
            processes: params["processes"] as usize,
            broadcasters: params["broadcasters"] as usize,
            messages: params["messages"] as u8,
            consensus: params["consensus"] != 0,
            retransmit: params["retransmit"] == 1,
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
        self.processes + usize::from(self.consensus)
    }

    /// Every process up delivered every message broadcast (the broadcasters
    /// have theirs from the start).
    fn done(states: &[Option<TobState>]) -> bool {
        let Some(states) = states
            .iter()
            .map(Option::as_ref)
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let procs: Vec<&TobState> = states.into_iter().filter(|s| !s.object).collect();
        let all: BTreeSet<Message> = procs
            .iter()
            .enumerate()
            .flat_map(|(p, s)| s.received.iter().filter(move |m| m.0 == p).copied())
            .collect();
        procs
            .iter()
            .all(|s| s.crashed || all.iter().all(|m| s.delivered.contains(m)))
    }

    fn observations(states: &[TobState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| {
                if s.object {
                    return format!("consensus object decided {s:?}");
                }
                let ms: Vec<String> = s.delivered.iter().map(message_name).collect();
                let crashed = if s.crashed { " (crashed)" } else { "" };
                format!("p{}{crashed} delivered [{}]", p + 1, ms.join(", "))
            })
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> TobModel {
        let n = self.processes;
        let consensus = self.consensus.then(|| ids[n]);
        let mut actors: Vec<TobActor> = (0..n)
            .map(|process| TobActor {
                role: Role::Process,
                process,
                processes: ids[..n].to_vec(),
                consensus,
                messages: if process + self.broadcasters >= n {
                    self.messages
                } else {
                    0
                },
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        if self.consensus {
            actors.push(TobActor {
                role: Role::ConsensusObject,
                process: n,
                processes: ids[..n].to_vec(),
                consensus,
                messages: 0,
                retransmit: self.retransmit,
                bug: self.bug,
            });
        }
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
            .property(Expectation::Always, "total order", total_order)
            .property(
                Expectation::Always,
                "first deliveries agree",
                first_deliveries_agree,
            )
            .property(Expectation::Always, "consensus object", consensus_object)
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
            .property(Expectation::Sometimes, "a batch of two", a_batch_of_two)
    }

    /// `dsw run total-order-broadcast`: the configuration given, with
    /// `retransmit` on, as scenario `lossy` checks it: a real network may
    /// lose and duplicate (`--loss`, `--duplicate`), and over links that do
    /// not retransmit a lost message or number is never delivered.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "total-order-broadcast",
    section: "Broadcast and membership",
    summary: "Total order broadcast by a fixed sequencer whose backup takes over after a crash, and by consensus (Chandra & Toueg): the two problems are equivalent",
    citations: &[
        "Défago, Schiper & Urbán, Total Order Broadcast and Multicast Algorithms: Taxonomy and Survey (ACM Computing Surveys 36(4), 2004), §2.2 (properties), §4.1 (fixed sequencer)",
        "Chandra & Toueg, Unreliable Failure Detectors for Reliable Distributed Systems (JACM 43(2), 1996), On Atomic Broadcast: atomic broadcast and consensus are equivalent (the figure Using Consensus to solve Atomic Broadcast)",
        "Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2011), §2.6.2 (perfect failure detector), §6.1 (total-order broadcast, Algorithm 6.1 Consensus-Based Total-Order Broadcast)",
    ],
    notes: NOTES,
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes: p1 sequences, p2 is its backup, the last ones broadcast",
            default: 3,
            min: 3,
            max: 4,
        },
        ParamSpec {
            name: "broadcasters",
            doc: "how many processes (the last ones) broadcast",
            default: 2,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "messages",
            doc: "messages each broadcaster broadcasts, at the start",
            default: 1,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "consensus",
            doc: "1: atomic broadcast via a consensus object (Chandra & Toueg); 0: by the fixed sequencer",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: links lose and duplicate messages, and each send is repeated on a timer forever (a stubborn link, Cachin et al. Algorithm 2.1; the failure detector's notice too) (scenario lossy; every real run retransmits); 0: reliable links, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[ParamRule {
        doc: "broadcasters <= processes",
        check: broadcasters_within_processes,
    }],
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
            name: "first deliveries agree",
            kind: PropertyKind::Always,
            source: "Chandra & Toueg 1996, On Atomic Broadcast: consensus from atomic broadcast (decide the first message delivered), its uniform agreement",
        },
        PropertySpec {
            name: "consensus object",
            kind: PropertyKind::Always,
            source: "Chandra & Toueg 1996, consensus (agreement, uniform validity, uniform integrity) as On Atomic Broadcast's reduction uses it",
        },
        PropertySpec {
            name: "every message delivered",
            kind: PropertyKind::Eventually,
            source: "Défago et al. 2004 §2.2 (validity, uniform agreement), only p1 crashing",
        },
        PropertySpec {
            name: "delivered after fail-over",
            kind: PropertyKind::Sometimes,
            source: "reachability: the backup's fail-over at work (the sequencer only; no example via consensus, which has no fail-over)",
        },
        PropertySpec {
            name: "a batch of two",
            kind: PropertyKind::Sometimes,
            source: "reachability: an instance decides two messages, whose order Chandra & Toueg's deterministic rule fixes (via consensus only; the sequencer numbers one message at a time)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "each number is broadcast only once the backup holds it, and the backup rebroadcasts what it holds on taking over; via consensus, each decided batch delivered in one deterministic order",
            expect: &[("a batch of two", Verdict::NoExample)],
        },
        VariantSpec {
            name: "failover-without-agreement",
            doc: "the sequencer broadcasts each number while sending it to the backup: the backup takes over unaware of number 1 and gives it to another message, two messages with one number (and a message with two numbers, delivered twice; and a process stuck on a number whose message it already delivered)",
            expect: &[
                ("integrity", Verdict::Violated),
                ("total order", Verdict::Violated),
                ("first deliveries agree", Verdict::Violated),
                ("every message delivered", Verdict::Violated),
                ("a batch of two", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "no-resend-on-takeover",
            doc: "the backup, taking over, does not rebroadcast the numbers it holds: p1 crashed after the backup acknowledged number 1 and before broadcasting it, and p3 waits for number 1 forever",
            expect: &[
                ("every message delivered", Verdict::Violated),
                ("a batch of two", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "deliver-own-proposal",
            doc: "via consensus, a process delivers the batch it proposed, not the one decided: p2 and p3 each deliver their own message first (the sequencer never runs this rule: caught in scenario via-consensus-deliver-own-proposal)",
            expect: &[("a batch of two", Verdict::NoExample)],
        },
        VariantSpec {
            name: "own-messages-first",
            doc: "via consensus, a process delivers its own messages of a decided batch before the others: the batch {m1@p2, m1@p3} is delivered in two orders (caught in scenario via-consensus-own-messages-first)",
            expect: &[("a batch of two", Verdict::NoExample)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "via-consensus",
            doc: "atomic broadcast via a consensus object (Chandra & Toueg): every property holds, p1 may crash, and a batch of two messages is decided",
            variant: crate::registry::CORRECT,
            params: &[("consensus", 1)],
            fairness: None,
            expect: &[("delivered after fail-over", Verdict::NoExample)],
        },
        ScenarioSpec {
            name: "via-consensus-deliver-own-proposal",
            doc: "deliver-own-proposal via consensus: p2 proposes {m1@p2}, p3 proposes {m1@p3}, the object decides p2's, and p3 delivers its own message first",
            variant: "deliver-own-proposal",
            params: &[("consensus", 1)],
            fairness: None,
            expect: &[
                ("total order", Verdict::Violated),
                ("first deliveries agree", Verdict::Violated),
                ("delivered after fail-over", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "via-consensus-own-messages-first",
            doc: "own-messages-first via consensus: instance 1 decides {m1@p2, m1@p3}; p2 delivers m1@p2 first, p3 m1@p3",
            variant: "own-messages-first",
            params: &[("consensus", 1)],
            fairness: None,
            expect: &[
                ("total order", Verdict::Violated),
                ("first deliveries agree", Verdict::Violated),
                ("delivered after fail-over", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: the fixed sequencer over links that lose and duplicate messages, every send repeated on a timer (stubborn links, Cachin et al. Algorithm 2.1), the failure detector's notice too; p3 alone broadcasts (two broadcasters passed 2.4 million unique states, 3.7 GiB, in two minutes without finishing). Integrity, total order and first deliveries agreeing hold, the backup still takes over and delivers, and under strong fairness (a message sent again and again is delivered at last) every message is delivered",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1), ("broadcasters", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[("a batch of two", Verdict::NoExample)],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<TobCfg>,
    explore: crate::registry::explore_config::<TobCfg>,
    replay: crate::registry::replay_config::<TobCfg>,
    compare: crate::registry::compare_config::<TobCfg>,
    run: Some(crate::runner::run_config::<TobCfg>),
};

/// The parameter rule: the broadcasters are among the processes.
fn broadcasters_within_processes(params: &Params) -> Result<(), String> {
    let (b, n) = (params["broadcasters"], params["processes"]);
    if b <= n {
        return Ok(());
    }
    Err(format!(
        "parameter broadcasters = {b} exceeds processes = {n}: broadcasters must be 1 to {n}"
    ))
}

/// The report page's reading of the checks: the equivalence with consensus,
/// and where each direction of it lives in this module.
const NOTES: &str = r#"
Total order (atomic) broadcast and consensus are equivalent in an
asynchronous system with crash failures (Chandra & Toueg 1996, "On Atomic
Broadcast"): each can be built from the other, so neither is easier. Both
directions are in `models/src/total_order_broadcast/mod.rs`:

- **Atomic broadcast from consensus** (scenario `via-consensus`, `-p
  consensus=1`): Chandra & Toueg's reduction. A process R-broadcasts its
  message (`on_start`, `TobMsg::Data`); the task "when R_delivered −
  A_delivered ≠ ∅" is the `Propose` timer (`on_timeout`), which proposes
  the undelivered messages to the next instance k; the `TobMsg::Decide`
  arm of `on_msg` delivers the decided batch less what was delivered, in
  the order of message ids. Consensus is a black box here, the consensus
  object (the `TobMsg::Propose` arm: the first proposal to an instance is
  its decision), and property "consensus object" checks that it behaves
  as one: every decision learned is the object's one decision for that
  instance, and that decision is a proposal. The bugs break the two rules
  that make every process deliver the same sequence: deliver the
  *decision* (`deliver-own-proposal` delivers the proposal), in a
  *deterministic* order (`own-messages-first`).
- **Consensus from atomic broadcast**: propose by A-broadcasting, decide
  the first message A-delivered. Property "first deliveries agree" is that
  consensus's agreement, checked on every run of both algorithms; its
  validity is "integrity" (a delivered message was broadcast), and its
  termination follows from "every message delivered".

The fixed sequencer (the default) is consensus in disguise: each number
is a consensus on which message gets it, which the sequencer decides
alone, safe while it lives. Fail-over needs the processes to agree on the
last number assigned. Here that agreement is the backup's acknowledgement,
which every number waits for before it is broadcast, and it suffices only
because the failure detector is perfect (the backup takes over only after
a real crash, modelled as a notice the crash sends) and at most p1
crashes; with suspicions that may be wrong, or more crashes, fail-over
needs consensus proper. Without the acknowledgement
(`failover-without-agreement`) the backup takes over unaware of number 1
and gives it to a second message; without the rebroadcast on takeover
(`no-resend-on-takeover`) a number only the backup holds never reaches p3.
"#;
