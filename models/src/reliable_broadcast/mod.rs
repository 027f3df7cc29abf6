//! Eager reliable broadcast, as [Cachin, Guerraoui & Rodrigues, "Introduction
//! to Reliable and Secure Distributed Programming" (2011)](https://doi.org/10.1007/978-3-642-15260-3)
//! §3.3.2 gives it (Algorithm 3.3) and [Hadzilacos & Toueg, "A Modular
//! Approach to Fault-Tolerant Broadcasts and Related Problems" (1994)](https://ecommons.cornell.edu/handle/1813/6220)
//! Fig. 1 ("diffusion"): the sender sends its message to every process; a
//! process that receives a message for the first time delivers it and relays
//! it to every other process, so that one correct receiver suffices.
//!
//! Fault model: reliable unordered links (no loss, no duplication); up to
//! `crashes` processes crash and stay down (crash-stop: a crash may happen,
//! never must). Best-effort broadcast is a loop of point-to-point sends, one
//! per step (the `Send` timer), so a process may crash mid-broadcast having
//! sent to only some processes.
//!
//! What the checker shows (3 processes, p1 broadcasts one message, one
//! crash): integrity, validity and agreement hold, and a process delivers
//! the message although the sender crashed before sending it there.
//! Uniform agreement (a process that delivers and then crashes counts too)
//! is violated by every variant, the correct one included, as Cachin et al.
//! §3.4.2 say of eager reliable broadcast: p1 delivers its own copy and
//! crashes before sending to anyone else. `no-relay` (a receiver delivers
//! without relaying) loses agreement: p1 sends to itself and p2, crashes,
//! and p3 never delivers. `no-duplicate-check` delivers a relayed copy
//! again: integrity violated.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the links
//! lose and duplicate messages (Cachin et al. §2.4.2's fair-loss links),
//! and each point-to-point send goes over a stubborn link, Cachin et al.
//! Algorithm 2.1 ("Retransmit Forever"): the sender remembers every
//! (destination, message) it sent and sends them all again on a timer.
//! Perfect links (Algorithm 2.2, "Eliminate Duplicates") drop the copies
//! a stubborn link delivers again; here the broadcast's own `delivered`
//! check does that, as a message is known by its sender and number.

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

/// A process by number: 0 is p1, the sender.
pub type Process = usize;
/// A message's number among its sender's broadcasts.
pub type Seq = u8;
/// A broadcast message, known by its sender and number (Cachin et al.
/// assume every message unique; HT 1994 §2.1 tag it with `sender(m)`).
pub type Message = (Process, Seq);

/// The one message of the algorithm: Cachin et al.'s `[DATA, s, m]`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RbMsg {
    Data { sender: Process, seq: Seq },
}

impl fmt::Debug for RbMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Data({})", message_name(&self.message()))
    }
}

impl RbMsg {
    fn message(&self) -> Message {
        let RbMsg::Data { sender, seq } = self;
        (*sender, *seq)
    }
}

/// A process's own steps. To the checker a timer is "this step is
/// enabled"; the duration only shapes real runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RbTimer {
    /// Best-effort broadcast's next point-to-point send (Cachin et al.
    /// Algorithm 3.1: "forall q in Π do trigger <pl, Send | q, m>").
    Send,
    /// With [`RbCfg::retransmit`]: the stubborn link's timer (Cachin et al.
    /// Algorithm 2.1, "upon event <Timeout>"): every send made is made
    /// again.
    Retransmit,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RbState {
    // Best-effort broadcast.
    /// The point-to-point sends not made yet, in order: (destination,
    /// message).
    pub outbox: Vec<(Process, Message)>,
    // Reliable broadcast.
    /// What this process rb-delivered, in order: Cachin et al.'s
    /// `delivered` set, kept as a list so that a duplicate would show.
    pub delivered: Vec<Message>,
    // Stubborn links (with `retransmit` only; empty otherwise).
    /// Every point-to-point send made: Cachin et al. Algorithm 2.1's
    /// `sent`, (destination, message).
    pub sent: Vec<(Process, Message)>,
    // History variable, not read by the algorithm.
    /// What this process rb-broadcast.
    pub broadcast: Vec<Message>,
}

fn message_name((sender, seq): &Message) -> String {
    format!("m{}@p{}", seq + 1, sender + 1)
}

impl fmt::Debug for RbState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = |ms: &[Message]| ms.iter().map(message_name).collect::<Vec<_>>().join(", ");
        let outbox: Vec<String> = self
            .outbox
            .iter()
            .map(|(to, m)| format!("{}->p{}", message_name(m), to + 1))
            .collect();
        write!(
            f,
            "{{delivered: [{}], outbox: [{}]",
            names(&self.delivered),
            outbox.join(", ")
        )?;
        if !self.broadcast.is_empty() {
            write!(f, ", broadcast: [{}]", names(&self.broadcast))?;
        }
        if !self.sent.is_empty() {
            let sent: Vec<String> = self
                .sent
                .iter()
                .map(|(to, m)| format!("{}->p{}", message_name(m), to + 1))
                .collect();
            write!(f, ", sent: [{}]", sent.join(", "))?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule of the algorithm weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithm as published.
    #[default]
    None,
    /// A process delivers a message on first receipt but does not relay it:
    /// best-effort broadcast alone. Must violate "agreement" when the
    /// sender crashes mid-broadcast.
    NoRelay,
    /// A process delivers every copy it receives, not only the first.
    /// Must violate "integrity" (no duplication).
    NoDuplicateCheck,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NoRelay, Bug::NoDuplicateCheck];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoRelay => "no-relay",
            Bug::NoDuplicateCheck => "no-duplicate-check",
        }
    }
}

#[derive(Clone, Debug)]
pub struct RbActor {
    pub process: Process,
    /// Every process's id, p1 first.
    pub processes: Vec<Id>,
    /// How many messages this process rb-broadcasts when it starts.
    pub messages: Seq,
    /// Sends go over stubborn links (see [`RbCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// The pause between two point-to-point sends, on a real network. The
/// checker fires the timer at any time.
const SEND: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(3);
/// The stubborn link's period Δ on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl RbActor {
    /// Best-effort broadcast of `m` to `to`: queued sends, one per `Send`.
    fn beb_broadcast(
        &self,
        s: &mut RbState,
        m: Message,
        to: impl Iterator<Item = Process>,
        o: &mut Out<Self>,
    ) {
        if s.outbox.is_empty() {
            o.set_timer(RbTimer::Send, SEND);
        }
        s.outbox.extend(to.map(|q| (q, m)));
    }
}

impl Actor for RbActor {
    type Msg = RbMsg;
    type Timer = RbTimer;
    type State = RbState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        format!("p{}", self.process + 1)
    }

    /// "upon event <rb, Broadcast | m> do trigger <beb, Broadcast | [DATA,
    /// self, m]>" (Cachin et al. Algorithm 3.3): to every process, this one
    /// included, which delivers its own message when its copy arrives.
    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> RbState {
        let mut s = RbState {
            outbox: Vec::new(),
            delivered: Vec::new(),
            sent: Vec::new(),
            broadcast: Vec::new(),
        };
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)".
        if self.retransmit {
            o.set_timer(RbTimer::Retransmit, RETRANSMIT);
        }
        for seq in 0..self.messages {
            let m = (self.process, seq);
            s.broadcast.push(m);
            self.beb_broadcast(&mut s, m, 0..self.processes.len(), o);
        }
        s
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<RbState>, _src: Id, msg: RbMsg, o: &mut Out<Self>) {
        let m = msg.message();
        let first = !state.delivered.contains(&m);
        match msg {
            // "upon event <beb, Deliver | p, [DATA, s, m]> do if m ∉ delivered
            // then delivered := delivered ∪ {m}; trigger <rb, Deliver | s,
            // m>; trigger <beb, Broadcast | [DATA, s, m]>" (Algorithm 3.3).
            // The relay goes to every other process: HT 1994 Fig. 1 ("if
            // sender(m) ≠ p then send(m) to all"), as the sender has sent to
            // all already and this process's own copy would be ignored. The
            // bug `no-relay` delivers and stops there.
            RbMsg::Data { sender, .. } if first => {
                let s = state.to_mut();
                s.delivered.push(m);
                if sender != self.process && self.bug != Bug::NoRelay {
                    let me = self.process;
                    self.beb_broadcast(s, m, (0..self.processes.len()).filter(|q| *q != me), o);
                }
            }
            // A copy of a message already delivered: ignored. The bug
            // delivers it again.
            RbMsg::Data { .. } if self.bug == Bug::NoDuplicateCheck => {
                state.to_mut().delivered.push(m);
            }
            RbMsg::Data { .. } => {}
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<RbState>, timer: &RbTimer, o: &mut Out<Self>) {
        match timer {
            // Best-effort broadcast's loop: the next point-to-point send.
            // Over a stubborn link it is remembered too: "upon event <sl,
            // Send | q, m> do trigger <fll, Send | q, m>; sent := sent ∪
            // {(q, m)}" (Cachin et al. Algorithm 2.1).
            RbTimer::Send if !state.outbox.is_empty() => {
                let s = state.to_mut();
                let (to, m) = s.outbox.remove(0);
                o.send(
                    self.processes[to],
                    RbMsg::Data {
                        sender: m.0,
                        seq: m.1,
                    },
                );
                if self.retransmit && !s.sent.contains(&(to, m)) {
                    s.sent.push((to, m));
                }
                if !s.outbox.is_empty() {
                    o.set_timer(RbTimer::Send, SEND);
                }
            }
            RbTimer::Send => {}
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger
            // <fll, Send | q, m>; starttimer(Δ)" (Algorithm 2.1): a copy
            // lost on the fair-loss link is sent again, and again, so one
            // gets through.
            RbTimer::Retransmit => {
                for (to, (sender, seq)) in &state.sent {
                    o.send(
                        self.processes[*to],
                        RbMsg::Data {
                            sender: *sender,
                            seq: *seq,
                        },
                    );
                }
                o.set_timer(RbTimer::Retransmit, RETRANSMIT);
            }
        }
    }
}

type State = stateright::actor::ActorModelState<RbActor>;

/// Every message some process rb-broadcast.
fn broadcasts(state: &State) -> impl Iterator<Item = Message> + '_ {
    state
        .actor_states
        .iter()
        .flat_map(|s| s.broadcast.iter().copied())
}

/// The processes up in `state`. Crashes are crash-stop, so at the end of a
/// run these are its correct processes.
fn up(state: &State) -> impl Iterator<Item = &RbState> + '_ {
    state
        .actor_states
        .iter()
        .zip(&state.crashed)
        .filter(|(_, crashed)| !**crashed)
        .map(|(s, _)| &**s)
}

// Properties.

/// Integrity (HT 1994 §2.1: "every correct process R-delivers m at most
/// once, and only if m was previously R-broadcast by sender(m)"), as
/// Cachin et al. §3.3.1 split it, RB2 no duplication and RB3 no creation,
/// for every process, crashed or not.
fn integrity(_: &RbModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| {
        s.delivered.iter().enumerate().all(|(i, m)| {
            !s.delivered[..i].contains(m) && state.actor_states[m.0].broadcast.contains(m)
        })
    })
}

/// RB1 validity (Cachin et al. §3.3.1): "If a correct process p broadcasts
/// a message m, then p eventually delivers m." Each process's broadcasts
/// are delivered by it unless it crashed; the predicate is stable (nothing
/// is undelivered, nobody recovers), so "eventually" means: every fair run
/// ends with it true.
fn validity(_: &RbModel, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .zip(&state.crashed)
        .all(|(s, crashed)| *crashed || s.broadcast.iter().all(|m| s.delivered.contains(m)))
}

/// RB4 agreement (Cachin et al. §3.3.1; HT 1994 §2.1): "If a message m is
/// delivered by some correct process, then m is eventually delivered by
/// every correct process." A correct process is one that never crashes on
/// the run. As a state predicate: each message is *settled* among the
/// processes up (see [`settled`]). That is stable (crashes only shrink the
/// set of processes up, and a message no process up holds cannot reach
/// one), so "eventually" holds exactly when every fair run ends settled; at
/// its end the processes up are the correct ones, and nothing is in flight
/// to them, so settled there is agreement.
fn agreement(_: &RbModel, state: &State) -> bool {
    broadcasts(state).all(|m| settled(state, m, false))
}

/// URB4 uniform agreement (Cachin et al. §3.4.1, Module 3.3; HT 1994 §2,
/// the uniform counterpart of Agreement): "If a message m is delivered by
/// some process (whether correct or faulty), then m is eventually
/// delivered by every correct process." Checked as [`agreement`] is, with
/// the deliveries of crashed processes counted. Eager reliable broadcast
/// does not ensure it, and the check shows why (Cachin et al. §3.4.2): a
/// process delivers on first receipt and crashes before its relay leaves,
/// here p1 delivering its own message, so every variant violates it.
/// Uniformity costs waiting for acknowledgements before delivering
/// (Algorithm 3.4, All-Ack), which this model does not do.
fn uniform_agreement(_: &RbModel, state: &State) -> bool {
    broadcasts(state).all(|m| settled(state, m, true))
}

/// Message `m` is settled: delivered by every process up, or by none of
/// them (by no process at all, crashed ones included, when `uniform`) with
/// no copy on its way to one (none in the network to a process up, none
/// queued by a process up, none a process up sends again to a process up
/// over its stubborn link).
fn settled(state: &State, m: Message, uniform: bool) -> bool {
    if up(state).all(|s| s.delivered.contains(&m)) {
        return true;
    }
    let delivered_somewhere = if uniform {
        state.actor_states.iter().any(|s| s.delivered.contains(&m))
    } else {
        up(state).any(|s| s.delivered.contains(&m))
    };
    let in_flight = state
        .network
        .iter_deliverable()
        .any(|e| e.msg.message() == m && !state.crashed[usize::from(e.dst)]);
    let queued = up(state).any(|s| s.outbox.iter().any(|(_, q)| *q == m));
    let resent = up(state).any(|s| s.sent.iter().any(|(to, q)| *q == m && !state.crashed[*to]));
    !delivered_somewhere && !in_flight && !queued && !resent
}

/// Reachability: a process delivered a message.
fn delivered(_: &RbModel, state: &State) -> bool {
    state.actor_states.iter().any(|s| !s.delivered.is_empty())
}

/// Reachability, the point of relaying: the sender crashed with its send
/// to some process still queued, and that process delivered the message
/// anyway, from a relay.
fn delivered_despite_sender_crash(_: &RbModel, state: &State) -> bool {
    state.actor_states.iter().enumerate().any(|(p, s)| {
        state.crashed[p]
            && s.outbox.iter().any(|(to, m)| {
                m.0 == p && !state.crashed[*to] && state.actor_states[*to].delivered.contains(m)
            })
    })
}

// Configuration.

pub type RbModel = ActorModel<RbActor, RbCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RbCfg {
    pub processes: usize,
    /// How many messages p1 broadcasts.
    pub messages: Seq,
    /// Processes that may crash (and stay down), at most.
    pub crashes: usize,
    /// The links lose and duplicate messages, and every send goes over a
    /// stubborn link (Cachin et al. Algorithm 2.1, "Retransmit Forever"):
    /// scenario `lossy`, and every real run (`dsw run reliable-broadcast`
    /// sets it). Off by default: reliable links, as Algorithm 3.3 assumes.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for RbCfg {
    fn default() -> Self {
        RbCfg {
            processes: 3,
            messages: 1,
            crashes: 1,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for RbCfg {
    type Model = RbModel;

    fn new(variant: &str, params: &Params) -> Self {
        RbCfg {
            processes: params["processes"] as usize,
            messages: params["messages"] as Seq,
            crashes: params["crashes"] as usize,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> RbModel {
        crate::runner::indexed(self)
    }

    /// Crash-stop: a crashed process never recovers.
    fn analyses(_: &RbModel) -> checker::Analyses<RbModel> {
        checker::Analyses {
            excluded: Some(Box::new(|a| {
                matches!(a, stateright::actor::ActorModelAction::Recover(_))
            })),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for RbCfg {
    type Actor = RbActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// Every process delivered every message p1 broadcast, and has nothing
    /// left to send.
    fn done(states: &[Option<RbState>]) -> bool {
        let Some(Some(sender)) = states.first() else {
            return false;
        };
        states.iter().all(|s| {
            s.as_ref().is_some_and(|s| {
                s.outbox.is_empty() && sender.broadcast.iter().all(|m| s.delivered.contains(m))
            })
        })
    }

    fn observations(states: &[RbState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| {
                let ms: Vec<String> = s.delivered.iter().map(message_name).collect();
                format!("p{} delivered [{}]", p + 1, ms.join(", "))
            })
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> RbModel {
        let actors: Vec<RbActor> = (0..self.processes)
            .map(|process| RbActor {
                process,
                processes: ids.to_vec(),
                messages: if process == 0 { self.messages } else { 0 },
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        let crashes = self.crashes;
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
            .max_crashes(crashes)
            .property(Expectation::Always, "integrity", integrity)
            .property(Expectation::Eventually, "validity", validity)
            .property(Expectation::Eventually, "agreement", agreement)
            .property(
                Expectation::Eventually,
                "uniform agreement",
                uniform_agreement,
            )
            .property(Expectation::Sometimes, "a message delivered", delivered)
            .property(
                Expectation::Sometimes,
                "delivered despite the sender's crash",
                delivered_despite_sender_crash,
            )
    }

    /// `dsw run reliable-broadcast`: the configuration given, with
    /// `retransmit` on, as scenario `lossy` checks it: a real network may lose
    /// and duplicate (`--loss`, `--duplicate`), and over links that do not
    /// retransmit a lost copy is never delivered.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "reliable-broadcast",
    section: "Broadcast and membership",
    summary: "Eager reliable broadcast: relay on first receipt, so that a sender crashing mid-broadcast cannot split the correct processes",
    citations: &[
        "Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2011), §3.2-3.3 (Algorithm 3.3, Eager Reliable Broadcast)",
        "Hadzilacos & Toueg, A Modular Approach to Fault-Tolerant Broadcasts and Related Problems (TR 94-1425, 1994), §2 and Fig. 1",
    ],
    notes: "A correct process is one that never crashes on the run. Agreement is checked as `eventually` of a stable predicate, each message *settled*: delivered by every process up, or by none of them with no copy on its way to one. Crashes are crash-stop and never forced, so every fair run ends (stutters) in a state where only crashes are enabled; the processes up there are the correct ones, nothing is in flight to them, and settled there is RB4. Best-effort broadcast is one send per step, so the sender may crash after sending to only some processes (the `no-relay` counterexample: p1 sends to itself and p2, crashes, and p3 never hears of the message). Uniform agreement (URB4, Cachin et al. §3.4) is checked the same way, counting the deliveries of processes that crashed; eager reliable broadcast does not ensure it, so every check of this model, the correct variant's included, exits 1 with its counterexample: p1 sends to itself, delivers, and crashes before anyone else hears of the message. This is the expected verdict, recorded in the registry like FLP's termination; a uniform algorithm (All-Ack, Algorithm 3.4) delivers a message only once every process its perfect failure detector has not suspected has relayed it. With `retransmit = 1` (scenario `lossy`, and every real run) the links lose and duplicate messages and every send goes over a stubborn link (Cachin et al. Algorithm 2.1, Retransmit Forever: each send is made again on a timer); RB's own `delivered` check drops the copies, as perfect links (Algorithm 2.2) would. Validity and agreement then need strong fairness (a message sent again and again is delivered at last), which the scenario assumes.",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes; p1 is the sender",
            default: 3,
            min: 2,
            max: 4,
        },
        ParamSpec {
            name: "messages",
            doc: "messages p1 broadcasts, all at the start",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "crashes",
            doc: "processes that may crash (crash-stop), at most",
            default: 1,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: links lose and duplicate messages and each send is repeated on a timer forever (a stubborn link, Cachin et al. Algorithm 2.1; scenario lossy; every real run retransmits); 0: reliable links, no timer",
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
            source: "Hadzilacos & Toueg 1994 §2.1 (Integrity); Cachin et al. 2011 §3.3.1 RB2 (no duplication), RB3 (no creation)",
        },
        PropertySpec {
            name: "validity",
            kind: PropertyKind::Eventually,
            source: "Cachin et al. 2011 §3.3.1 RB1; Hadzilacos & Toueg 1994 §2.1 (Validity)",
        },
        PropertySpec {
            name: "agreement",
            kind: PropertyKind::Eventually,
            source: "Cachin et al. 2011 §3.3.1 RB4; Hadzilacos & Toueg 1994 §2.1 (Agreement)",
        },
        PropertySpec {
            name: "uniform agreement",
            kind: PropertyKind::Eventually,
            source: "Cachin et al. 2011 §3.4.1 URB4 (Module 3.3); Hadzilacos & Toueg 1994 §2 (Uniform Agreement): not ensured by eager reliable broadcast (Cachin et al. §3.4.2)",
        },
        PropertySpec {
            name: "a message delivered",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "delivered despite the sender's crash",
            kind: PropertyKind::Sometimes,
            source: "reachability: the relay rule at work (Cachin et al. 2011 §3.3.2)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "eager reliable broadcast: relay on first receipt; not uniform (Cachin et al. §3.4.2): p1 delivers its own message and crashes before relaying it, so uniform agreement is VIOLATED, as it must be",
            expect: &[("uniform agreement", Verdict::Violated)],
        },
        VariantSpec {
            name: "no-relay",
            doc: "a process delivers on first receipt without relaying (best-effort broadcast): when the sender crashes after sending to only some processes, the others never deliver",
            expect: &[
                ("agreement", Verdict::Violated),
                ("uniform agreement", Verdict::Violated),
                ("delivered despite the sender's crash", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "no-duplicate-check",
            doc: "a process delivers every copy it receives, relayed ones included",
            expect: &[
                ("integrity", Verdict::Violated),
                ("uniform agreement", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "relay-crash",
            doc: "four processes, two of which may crash: the sender mid-broadcast and then a process mid-relay; the correct processes still agree (eager reliable broadcast tolerates any number of crashes), and uniform agreement is still VIOLATED",
            variant: crate::registry::CORRECT,
            params: &[("processes", 4), ("crashes", 2)],
            fairness: None,
            expect: &[("uniform agreement", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: links that lose and duplicate messages, every send repeated on a timer (stubborn links, Cachin et al. Algorithm 2.1), one crash. Integrity, validity and agreement hold under strong fairness (a message sent again and again is delivered at last); uniform agreement is still VIOLATED",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[("uniform agreement", Verdict::Violated)],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<RbCfg>,
    explore: crate::registry::explore_config::<RbCfg>,
    replay: crate::registry::replay_config::<RbCfg>,
    compare: crate::registry::compare_config::<RbCfg>,
    run: Some(crate::runner::run_config::<RbCfg>),
};
