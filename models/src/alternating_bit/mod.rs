//! The alternating-bit protocol, as [Bartlett, Scantlebury & Wilkinson, "A
//! Note on Reliable Full-Duplex Transmission over Half-Duplex Links" (CACM
//! 1969)](https://doi.org/10.1145/362946.362970) introduced it: a sender
//! tags each message with one bit and retransmits it until the receiver
//! acknowledges that bit; the receiver delivers a message only when its bit
//! is the one expected, and acknowledges every copy.
//!
//! Fault model: FIFO links that lose messages and never duplicate them,
//! each buffering at most `capacity` messages ([`crate::channel`]); a
//! retransmission onto a full link is lost, which only removes behaviours of
//! the unbounded lossy link, so every verdict is about links of at most
//! `capacity` messages. The checker shows delivery exactly once and in
//! order; "every message delivered" VIOLATED under weak fairness (a lasso
//! in which every retransmission is lost: delivery is enabled only now and
//! then) and HOLDING under strong fairness of delivery; `no-sequence-bit`
//! delivers duplicates and `take-any-ack` (the sender ignores the ack's
//! bit) loses a message. FIFO is the protocol's assumption: with
//! `reordering = 1` the links are Stateright's unordered duplicating
//! network (they reorder and duplicate), and the checker finds a network
//! duplicate of an old message accepted as new when its bit comes round
//! again, and a stale ack taken for a new one, so a message is never
//! delivered (scenario `reordering-link`; Lynch 1996 §22.4 shows that no
//! protocol with bounded tags survives such links).

use crate::channel::BoundedFifo;
use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{Fairness, PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::{Expectation, Property};
use std::borrow::Cow;
use std::ops::Range;
use std::time::Duration;

/// The one-bit sequence number of the paper.
pub type Bit = bool;
/// A message's payload: its position in the stream, from 0.
pub type Payload = u8;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbpMsg {
    /// The sender's message, tagged with its bit.
    Msg { bit: Bit, payload: Payload },
    /// The receiver acknowledges a message with this bit.
    Ack { bit: Bit },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbpTimer {
    /// The sender's retransmission timeout.
    Resend,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AbpState {
    Sender {
        /// The payload being sent; `stream` once all are acknowledged.
        next: Payload,
        /// The bit of the message being sent.
        bit: Bit,
        /// How many messages there are (a constant of the run).
        stream: Payload,
    },
    Receiver {
        /// The bit of the next message to deliver.
        expected: Bit,
        /// What was delivered to the application, in order.
        delivered: Vec<Payload>,
    },
}

/// Known bugs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// The receiver ignores the bit and delivers every copy it receives.
    /// Must violate "delivered once, in order".
    NoSequenceBit,
    /// The sender takes any ack for the current message's, ignoring its
    /// bit: a late copy of the previous message's ack moves it on while the
    /// current message is lost. Must violate "every message delivered".
    TakeAnyAck,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NoSequenceBit, Bug::TakeAnyAck];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoSequenceBit => "no-sequence-bit",
            Bug::TakeAnyAck => "take-any-ack",
        }
    }
}

#[derive(Clone, Debug)]
pub enum AbpActor {
    Sender {
        receiver: Id,
        messages: Payload,
        bug: Bug,
    },
    Receiver {
        bug: Bug,
    },
}

/// How long the sender waits before retransmitting, on a real network.
/// The checker fires the timer at any time.
const RESEND: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl Actor for AbpActor {
    type Msg = AbpMsg;
    type Timer = AbpTimer;
    type State = AbpState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        match self {
            AbpActor::Sender { .. } => "sender".into(),
            AbpActor::Receiver { .. } => "receiver".into(),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> AbpState {
        match self {
            AbpActor::Sender {
                receiver, messages, ..
            } => {
                if *messages > 0 {
                    o.send(
                        *receiver,
                        AbpMsg::Msg {
                            bit: false,
                            payload: 0,
                        },
                    );
                    o.set_timer(AbpTimer::Resend, RESEND);
                }
                AbpState::Sender {
                    next: 0,
                    bit: false,
                    stream: *messages,
                }
            }
            AbpActor::Receiver { .. } => AbpState::Receiver {
                expected: false,
                delivered: Vec::new(),
            },
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<AbpState>, src: Id, msg: AbpMsg, o: &mut Out<Self>) {
        match (self, state.as_ref(), msg) {
            // Sender: the current message is acknowledged; send the next one
            // with the other bit. The bug: any ack will do.
            (
                AbpActor::Sender {
                    receiver,
                    messages,
                    bug,
                },
                AbpState::Sender { next, bit, .. },
                AbpMsg::Ack { bit: acked },
            ) if (acked == *bit || *bug == Bug::TakeAnyAck) && next < messages => {
                let (next, bit) = (next + 1, !bit);
                *state.to_mut() = AbpState::Sender {
                    next,
                    bit,
                    stream: *messages,
                };
                if next < *messages {
                    o.send(*receiver, AbpMsg::Msg { bit, payload: next });
                    o.set_timer(AbpTimer::Resend, RESEND);
                } else {
                    o.cancel_timer(AbpTimer::Resend);
                }
            }
            // Receiver: the expected bit is a new message: deliver it. The
            // bug: any copy is "new".
            (
                AbpActor::Receiver { bug },
                AbpState::Receiver {
                    expected,
                    delivered,
                },
                AbpMsg::Msg { bit, payload },
            ) if bit == *expected || *bug == Bug::NoSequenceBit => {
                let mut delivered = delivered.clone();
                delivered.push(payload);
                *state.to_mut() = AbpState::Receiver {
                    expected: !bit,
                    delivered,
                };
                o.send(src, AbpMsg::Ack { bit });
            }
            // Receiver: a copy of the last message; its ack may have been
            // lost, so acknowledge it again.
            (AbpActor::Receiver { .. }, AbpState::Receiver { .. }, AbpMsg::Msg { bit, .. }) => {
                o.send(src, AbpMsg::Ack { bit });
            }
            _ => {}
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<AbpState>, _timer: &AbpTimer, o: &mut Out<Self>) {
        // Sender: no ack yet; send the current message again.
        if let (
            AbpActor::Sender {
                receiver, messages, ..
            },
            AbpState::Sender { next, bit, .. },
        ) = (self, state.as_ref())
        {
            if next < messages {
                o.send(
                    *receiver,
                    AbpMsg::Msg {
                        bit: *bit,
                        payload: *next,
                    },
                );
                o.set_timer(AbpTimer::Resend, RESEND);
            }
        }
    }
}

type State = stateright::actor::ActorModelState<AbpActor>;

/// The configuration a model of the protocol was built from: the checked
/// model (bounded FIFO links) and the real run's (the actors over UDP)
/// judge the same properties.
pub trait AbpConfigured {
    fn abp(&self) -> &AbpCfg;
}

impl AbpConfigured for AbpModel {
    fn abp(&self) -> &AbpCfg {
        &self.inner.cfg
    }
}

impl AbpConfigured for ActorModel<AbpActor, AbpCfg> {
    fn abp(&self) -> &AbpCfg {
        &self.cfg
    }
}

fn delivered(state: &State) -> &[Payload] {
    state
        .actor_states
        .iter()
        .find_map(|s| match &**s {
            AbpState::Receiver { delivered, .. } => Some(delivered.as_slice()),
            AbpState::Sender { .. } => None,
        })
        .unwrap_or_default()
}

// Properties.

/// "The information is delivered in the correct order and without
/// duplication" (Bartlett et al. 1969, p. 260): what was delivered is a
/// prefix of what was sent.
fn delivered_once_in_order<M>(_: &M, state: &State) -> bool {
    delivered(state)
        .iter()
        .enumerate()
        .all(|(i, p)| usize::from(*p) == i)
}

/// Every message is eventually delivered (Bartlett et al. 1969: the link is
/// "reliable" as long as retransmissions eventually get through, i.e. under
/// strong fairness of delivery; Lynch 1996 §22.3).
fn every_message_delivered<M: AbpConfigured>(model: &M, state: &State) -> bool {
    (0..model.abp().messages).all(|p| delivered(state).contains(&p))
}

/// Reachability: the whole stream arrives.
fn all_delivered<M: AbpConfigured>(model: &M, state: &State) -> bool {
    delivered(state).len() == usize::from(model.abp().messages)
}

// Configuration.

pub type AbpModel = BoundedFifo<AbpActor, AbpCfg>;

#[derive(Clone, Debug, Serialize)]
pub struct AbpCfg {
    /// How many messages the sender streams.
    pub messages: Payload,
    /// How many messages each link buffers; more are lost.
    pub capacity: usize,
    /// The links reorder and duplicate (any copy ever sent may arrive, any
    /// number of times, in any order) instead of being FIFO.
    pub reordering: bool,
    pub bug: Bug,
}

impl Default for AbpCfg {
    fn default() -> Self {
        AbpCfg {
            messages: 2,
            capacity: 2,
            reordering: false,
            bug: Bug::None,
        }
    }
}

impl Config for AbpCfg {
    type Model = AbpModel;

    fn new(variant: &str, params: &Params) -> Self {
        AbpCfg {
            messages: params["messages"] as Payload,
            capacity: params["capacity"] as usize,
            reordering: params["reordering"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    /// The actors over Stateright's ordered network, each channel cut
    /// back to `capacity` messages after every step.
    fn into_model(self) -> AbpModel {
        let capacity = self.capacity;
        BoundedFifo {
            inner: crate::runner::indexed(self),
            capacity,
            properties: vec![
                Property::always("delivered once, in order", delivered_once_in_order),
                Property::eventually("every message delivered", every_message_delivered),
                Property::sometimes("all delivered", all_delivered),
            ],
        }
    }

    /// The boundary in `model_on`, in words.
    fn analyses(_: &AbpModel) -> checker::Analyses<AbpModel> {
        checker::Analyses {
            boundary: Some("no delivery past the stream's end, itself a violation".into()),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for AbpCfg {
    type Actor = AbpActor;
    type History = ();

    fn actor_count(&self) -> usize {
        2
    }

    /// The sender and the receiver, known by `ids`, over unbounded lossy
    /// links (FIFO unless `reordering`): what a real run is replayed
    /// through. The checked model bounds each channel ([`Config::into_model`]).
    fn model_on(self, ids: &[Id]) -> ActorModel<AbpActor, AbpCfg> {
        let sender = AbpActor::Sender {
            receiver: ids[1],
            messages: self.messages,
            bug: self.bug,
        };
        let receiver = AbpActor::Receiver { bug: self.bug };
        // A reordering link is Stateright's duplicating network: a set of
        // every message sent, each deliverable again and again. It is
        // finite, so it needs no capacity (the bound cuts FIFO links only).
        let network = if self.reordering {
            Network::new_unordered_duplicating([])
        } else {
            Network::new_ordered([])
        };
        ActorModel::new(self, ())
            .actor(sender)
            .actor(receiver)
            .init_network(network)
            .lossy_network(LossyNetwork::Yes)
            // A receiver that delivers duplicates (the bug) would deliver
            // forever; a delivery past the stream's length is already a
            // violation, so the space of interest ends there.
            .within_boundary(|cfg, state| delivered(state).len() <= usize::from(cfg.messages))
            .property(
                Expectation::Always,
                "delivered once, in order",
                delivered_once_in_order,
            )
            .property(
                Expectation::Eventually,
                "every message delivered",
                every_message_delivered,
            )
            .property(Expectation::Sometimes, "all delivered", all_delivered)
    }

    /// The sender has every message acknowledged and the receiver has
    /// delivered as many: nothing more will be sent.
    fn done(states: &[Option<AbpState>]) -> bool {
        let (mut acknowledged, mut delivered) = (None, None);
        for s in states.iter().flatten() {
            match s {
                AbpState::Sender { next, stream, .. } => acknowledged = Some((*next, *stream)),
                AbpState::Receiver { delivered: d, .. } => delivered = Some(d.len()),
            }
        }
        match (acknowledged, delivered) {
            (Some((next, stream)), Some(d)) => next == stream && d >= usize::from(stream),
            _ => false,
        }
    }

    fn observations(states: &[AbpState], _: &()) -> Vec<String> {
        states
            .iter()
            .map(|s| match s {
                AbpState::Sender { next, stream, .. } => {
                    format!("sender: {next} of {stream} messages acknowledged")
                }
                AbpState::Receiver { delivered, .. } => {
                    format!("receiver delivered {delivered:?}")
                }
            })
            .collect()
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "alternating-bit",
    section: "Basics: failure models",
    summary: "Stop-and-wait with a one-bit sequence number over lossy FIFO links (and why they must be FIFO)",
    citations: &[
        "Bartlett, Scantlebury & Wilkinson, A Note on Reliable Full-Duplex Transmission over Half-Duplex Links (CACM 12(5), 1969)",
        "Lynch, Distributed Algorithms (1996), §22.3 (the alternating-bit protocol) and §22.4 (bounded tags and reordering links)",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "messages",
            doc: "messages the sender streams",
            default: 2,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "capacity",
            doc: "messages each link buffers; what is sent onto a full link is lost",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "reordering",
            doc: "1: the links are an unordered duplicating network (they reorder and duplicate) instead of FIFO: the protocol's assumption broken",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "delivered once, in order",
            kind: PropertyKind::Always,
            source: "Bartlett et al. 1969, p. 260; Lynch 1996 §22.3; over links of at most `capacity` messages (a retransmission onto a full link is lost)",
        },
        PropertySpec {
            name: "every message delivered",
            kind: PropertyKind::Eventually,
            source: "Bartlett et al. 1969; needs strong fairness of delivery (Lynch 1996 §22.3)",
        },
        PropertySpec {
            name: "all delivered",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "the receiver delivers only the expected bit",
            expect: &[],
        },
        VariantSpec {
            name: "no-sequence-bit",
            doc: "the receiver delivers every copy it receives",
            // Past the boundary (a delivery beyond the stream) the space is
            // not explored, so liveness is honestly inconclusive here.
            expect: &[
                ("delivered once, in order", Verdict::Violated),
                ("every message delivered", Verdict::Inconclusive),
            ],
        },
        VariantSpec {
            name: "take-any-ack",
            doc: "the sender takes any ack as the current message's, whatever its bit: a late ack of message 0 moves it past message 1, which was lost",
            expect: &[("every message delivered", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "weak-fairness",
            doc: "only weak fairness of delivery: every retransmission may be lost forever",
            variant: crate::registry::CORRECT,
            params: &[],
            fairness: Some(Fairness::Weak),
            expect: &[("every message delivered", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "reordering-link",
            doc: "why the links must be FIFO: over a reordering, duplicating link a network duplicate of message 0 arrives after message 1 and, its bit expected again, is delivered as new (delivered [0, 1, 0]); and a stale ack of message 0 acknowledges message 2, which is never delivered",
            variant: crate::registry::CORRECT,
            params: &[("reordering", 1), ("messages", 3)],
            fairness: None,
            expect: &[
                ("delivered once, in order", Verdict::Violated),
                ("every message delivered", Verdict::Violated),
            ],
        },
    ],
    fairness: Fairness::Strong,
    check: crate::registry::check_config::<AbpCfg>,
    explore: crate::registry::explore_config::<AbpCfg>,
    replay: crate::registry::replay_config::<AbpCfg>,
    compare: crate::registry::compare_config::<AbpCfg>,
    run: Some(run),
};

/// `dsw run alternating-bit`: the sender and the receiver over UDP on
/// loopback, the sender's retransmission timer getting the stream through
/// whatever `--loss` drops. The run says what its links were, against the
/// model's: how many datagrams arrived after a later one on their link (the
/// model's links are FIFO; loopback UDP does not reorder in practice, and
/// trace validation would reject a reordered delivery), how many the fault
/// injector duplicated (the checked links never duplicate; a duplicate is
/// sent right after its original, so the link stays FIFO), and the most
/// datagrams ever in flight on one link (the checked links hold at most
/// `capacity`).
fn run(
    variant: &str,
    params: &Params,
    opts: &crate::registry::RunOptions,
) -> Result<crate::registry::RunReport, String> {
    let cfg = AbpCfg::new(variant, params);
    let (capacity, reordering) = (cfg.capacity, cfg.reordering);
    let rec = crate::runner::record(cfg, opts, |a| a)?;
    let mut report = crate::runner::report(&rec, variant);
    let links = Links::of(&rec.run.events);
    report.observations.push(format!(
        "links: reordered {} (datagrams that arrived after a later one on their link; {}); duplicated {} (sends the fault injector sent twice, the copy right behind its original, so FIFO still; the checked links lose but never duplicate); at most {} datagrams in flight on a link at once (the checked links hold at most capacity = {capacity}{})",
        links.overtaken,
        if reordering {
            "the model's links here reorder and duplicate, scenario reordering-link; loopback did not do that to this run"
        } else {
            "the model's links are FIFO"
        },
        links.duplicated,
        links.most_in_flight,
        if links.most_in_flight > capacity {
            "; this run went past it, where the checker's verdicts do not reach"
        } else {
            ""
        },
    ));
    Ok(report)
}

/// What a real run's links did, from its record.
#[derive(Debug, Default, PartialEq, Eq)]
struct Links {
    /// Datagrams received after a datagram sent later on the same link.
    overtaken: usize,
    /// Sends the fault injector sent twice.
    duplicated: usize,
    /// The most datagrams sent on one link and not yet received (or
    /// dropped at a node that was down) at any moment.
    most_in_flight: usize,
}

impl Links {
    fn of<T>(events: &[runtime::Event<AbpMsg, T>]) -> Links {
        use runtime::EventKind;
        use std::collections::HashMap;
        let mut links = Links::default();
        let mut in_flight: HashMap<(usize, usize), usize> = HashMap::new();
        let mut latest: HashMap<(usize, usize), u64> = HashMap::new();
        for e in events {
            match &e.kind {
                EventKind::Sent { to, duplicated, .. } => {
                    let n = in_flight.entry((e.node, *to)).or_default();
                    *n += if *duplicated { 2 } else { 1 };
                    links.most_in_flight = links.most_in_flight.max(*n);
                    links.duplicated += usize::from(*duplicated);
                }
                EventKind::Delivered { from, .. } | EventKind::Dropped { from, .. } => {
                    let link = (*from, e.node);
                    let n = in_flight.entry(link).or_default();
                    *n = n.saturating_sub(1);
                    if let Some(sent) = e.sent_lamport {
                        let last = latest.entry(link).or_default();
                        if sent < *last {
                            links.overtaken += 1;
                        }
                        *last = sent.max(*last);
                    }
                }
                _ => {}
            }
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use runtime::{Event, EventKind};
    use std::time::Duration;

    fn event(
        node: usize,
        sent_lamport: Option<u64>,
        kind: EventKind<AbpMsg, AbpTimer>,
    ) -> Event<AbpMsg, AbpTimer> {
        Event {
            at: Duration::ZERO,
            node,
            lamport: 0,
            sent_lamport,
            kind,
        }
    }

    /// Two sends on one link, the first duplicated: three datagrams in
    /// flight; the second arriving before the first's copies makes those
    /// copies overtaken; the other direction is counted apart.
    #[test]
    fn links_count_what_overtook_and_what_was_in_flight() {
        let m = |bit| AbpMsg::Msg { bit, payload: 0 };
        let sent = |to, msg, duplicated| EventKind::Sent {
            to,
            msg,
            duplicated,
        };
        let got = |from, msg| EventKind::Delivered {
            from,
            msg,
            ignored: false,
        };
        let events = vec![
            event(0, None, sent(1, m(false), true)),
            event(0, None, sent(1, m(true), false)),
            event(1, Some(2), got(0, m(true))),
            event(1, Some(1), got(0, m(false))),
            event(1, Some(1), got(0, m(false))),
            event(1, None, sent(0, AbpMsg::Ack { bit: true }, false)),
            event(0, Some(3), got(1, AbpMsg::Ack { bit: true })),
        ];
        assert_eq!(
            Links::of(&events),
            Links {
                overtaken: 2,
                duplicated: 1,
                most_in_flight: 3
            }
        );
    }
}
