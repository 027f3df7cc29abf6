//! The distributed snapshot of [Chandy & Lamport, "Distributed Snapshots:
//! Determining Global States of Distributed Systems" (TOCS 1985)](https://lamport.azurewebsites.net/pubs/chandy.pdf)
//! §3, over a bank: processes move money to each other while one of them
//! records a global state. A process records its own state and sends a marker
//! on every outgoing channel before sending anything else on it; a channel's
//! state is what arrives on it after its receiver recorded and before the
//! channel's marker.
//!
//! Fault model: FIFO channels (§2), no loss, no crashes. Workload: each of
//! the processes p, q, r starts with `transfers` units and sends one unit at
//! a time to a process of its choice, `transfers` times; p initiates one
//! snapshot at any moment.
//!
//! What the checker shows: the cut is consistent, each recorded channel
//! state is exactly the transfers in flight across the cut (§3.1), the
//! recorded balances plus the recorded money in flight equal the total, and
//! the snapshot completes under weak fairness. With `transfers = 1` a channel
//! holds at most one transfer, so a channel state is never longer than one.
//! `non-fifo-channels` lets a transfer overtake a marker (an inconsistent
//! cut, money counted twice); `stop-on-first-marker` ends the recording of
//! every channel at the first marker (a channel recorded short, money in
//! flight lost); `markers-from-initiator-only` never completes, and its cut is
//! inconsistent too (nothing precedes a recorded process's later transfers).
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses, duplicates and reorders messages, and §2's FIFO channels are built
//! on it as lamport-mutex builds its FIFO links: each channel is a stubborn
//! link (Cachin, Guerraoui & Rodrigues, "Introduction to Reliable and
//! Secure Distributed Programming", 2011, Algorithm 2.1 "Retransmit
//! Forever": every frame sent is sent again on a timer) whose frames carry
//! the channel's sequence numbers, and the receiver takes only the number
//! it expects next (FIFO delivery by sequence number, Cachin et al. §3.9),
//! dropping a copy or a frame ahead of a gap (it comes again). So every
//! transfer and marker reaches the algorithm once and in the order sent,
//! and the marker rules run unchanged. `non-fifo-channels` there is the
//! receiver passing frames up as they come, copies dropped but no order
//! restored.

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

/// A process by number: 0 is p (the initiator), 1 is q, 2 is r.
pub type Process = usize;
/// Units of money.
pub type Money = u32;
/// A transfer's number on its channel, from 0. Receivers use it to ignore a
/// copy (a real run over UDP may duplicate); the checker's network never
/// duplicates.
pub type Seq = u8;

const NAMES: [char; 3] = ['p', 'q', 'r'];

fn name(p: Process) -> char {
    NAMES.get(p).copied().unwrap_or('?')
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnapshotMsg {
    /// One unit of money, the `seq`-th transfer on its channel.
    Transfer { seq: Seq },
    /// The snapshot's marker (§3.2).
    Marker,
    /// With [`SnapshotCfg::retransmit`], the FIFO channel's frame: one of
    /// the messages above and its number on the channel from its sender
    /// to its receiver.
    Frame { number: u32, msg: Box<SnapshotMsg> },
}

/// A process's own steps. To the checker a timer is "this step is
/// enabled"; the durations only shape real runs.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SnapshotTimer {
    /// Send one unit to this process.
    TransferTo(Process),
    /// The initiator starts the snapshot by recording its own state.
    Snapshot,
    /// With [`SnapshotCfg::retransmit`]: the stubborn links' timer; every
    /// frame sent is sent again.
    Retransmit,
}

impl fmt::Debug for SnapshotTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotTimer::TransferTo(p) => write!(f, "TransferTo({})", name(*p)),
            SnapshotTimer::Snapshot => f.write_str("Snapshot"),
            SnapshotTimer::Retransmit => f.write_str("Retransmit"),
        }
    }
}

/// The recording of one incoming channel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Channel {
    /// The receiver recorded its state; these transfers arrived since.
    Recording(Vec<Seq>),
    /// The channel's marker arrived: its recorded state.
    Recorded(Vec<Seq>),
}

/// A process's recorded state, with what the cut's consistency is judged on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Recorded {
    pub balance: Money,
    /// History: transfers sent along each outgoing channel before recording
    /// (§3.1's n).
    pub sent: Vec<Seq>,
    /// History: transfers received along each incoming channel before
    /// recording (§3.1's m, as the set of their numbers).
    pub received: Vec<BTreeSet<Seq>>,
}

/// A process's ends of its FIFO channels (with `retransmit` only; empty
/// otherwise), indexed by the process at the other end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Links {
    /// The messages sent on each outgoing channel, in order: the frame
    /// numbered `number` carries `sent[to][number]` (Algorithm 2.1's
    /// `sent`).
    pub sent: Vec<Vec<SnapshotMsg>>,
    /// The frame number expected next on each incoming channel.
    pub recv_next: Vec<u32>,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SnapshotState {
    // The bank.
    pub balance: Money,
    /// Transfers still to make.
    pub left: u8,
    /// Transfers sent along each outgoing channel.
    pub sent: Vec<Seq>,
    /// Transfers received along each incoming channel.
    pub received: Vec<BTreeSet<Seq>>,
    // The snapshot.
    /// The recorded local state, once recorded.
    pub recorded: Option<Recorded>,
    /// Each incoming channel's recording, once the process recorded
    /// (`None` for itself).
    pub channels: Vec<Option<Channel>>,
    /// The channels under the algorithm.
    pub links: Links,
}

/// The bank, then the snapshot: the recorded balance and each channel's
/// recording by its sender's name.
impl fmt::Debug for SnapshotState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{balance: {}, left: {}, sent: {:?}",
            self.balance, self.left, self.sent
        )?;
        if let Some(r) = &self.recorded {
            write!(f, ", recorded: {}", r.balance)?;
        }
        for (i, c) in self.channels.iter().enumerate() {
            if let Some(c) = c {
                write!(f, ", from {}: {c:?}", name(i))?;
            }
        }
        if !self.links.recv_next.is_empty() {
            let frames: Vec<usize> = self.links.sent.iter().map(Vec::len).collect();
            write!(
                f,
                ", frames sent: {frames:?}, next: {:?}",
                self.links.recv_next
            )?;
        }
        f.write_str("}")
    }
}

impl SnapshotState {
    /// Every incoming channel's state is recorded (§3.3).
    fn complete(&self) -> bool {
        self.recorded.is_some()
            && self
                .channels
                .iter()
                .flatten()
                .all(|c| matches!(c, Channel::Recorded(_)))
    }
}

/// Known bugs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithm as published, over FIFO channels.
    #[default]
    None,
    /// Channels that reorder, against §2's "channels are first-in
    /// first-out": a transfer sent after the marker arrives before it. Must
    /// violate "consistent cut", "channel states exact" and "money conserved".
    NonFifoChannels,
    /// The Marker-Receiving Rule ends the recording of every channel at the
    /// first marker after recording, not only the marker's own channel.
    /// Must violate "channel states exact" and "money conserved".
    StopOnFirstMarker,
    /// A process that records on a marker sends no markers of its own (the
    /// Marker-Sending Rule only for the initiator). Must violate "snapshot
    /// completes" (no channel into the initiator closes) and "consistent
    /// cut" (a transfer it sends after recording reaches a process that has
    /// not recorded).
    MarkersFromInitiatorOnly,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::NonFifoChannels,
        Bug::StopOnFirstMarker,
        Bug::MarkersFromInitiatorOnly,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NonFifoChannels => "non-fifo-channels",
            Bug::StopOnFirstMarker => "stop-on-first-marker",
            Bug::MarkersFromInitiatorOnly => "markers-from-initiator-only",
        }
    }
}

#[derive(Clone, Debug)]
pub struct SnapshotActor {
    pub process: Process,
    /// Every process's id, p first.
    pub processes: Vec<Id>,
    /// Units each process starts with, and transfers it makes.
    pub transfers: u8,
    /// Messages go over stubborn FIFO links (see
    /// [`SnapshotCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// How long a process waits before its next transfer, and p before the
/// snapshot, on a real network. The checker fires a timer at any time.
const NEXT_TRANSFER: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(30);
const SNAPSHOT: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(40);
/// The stubborn links' period on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl SnapshotActor {
    fn others(&self) -> impl Iterator<Item = Process> + '_ {
        (0..self.processes.len()).filter(|p| *p != self.process)
    }

    /// Sends `msg` on the channel to `to`: on the network itself, or, with
    /// `retransmit`, as the channel's next frame, remembered to be sent
    /// again ("upon event <sl, Send | q, m> do trigger <fll, Send | q, m>;
    /// sent := sent ∪ {(q, m)}", Cachin et al. Algorithm 2.1).
    fn send(&self, s: &mut SnapshotState, to: Process, msg: SnapshotMsg, o: &mut Out<Self>) {
        if !self.retransmit {
            o.send(self.processes[to], msg);
            return;
        }
        let number = s.links.sent[to].len() as u32;
        s.links.sent[to].push(msg.clone());
        o.send(
            self.processes[to],
            SnapshotMsg::Frame {
                number,
                msg: Box::new(msg),
            },
        );
    }

    /// Enables a transfer to each other process while any are left.
    fn arm(&self, left: u8, o: &mut Out<Self>) {
        for p in self.others() {
            if left > 0 {
                o.set_timer(SnapshotTimer::TransferTo(p), NEXT_TRANSFER);
            } else {
                o.cancel_timer(SnapshotTimer::TransferTo(p));
            }
        }
    }

    /// Records the process's own state and starts recording every incoming
    /// channel but `closed` (whose state is empty). Then the Marker-Sending
    /// Rule: "for each channel c, incident on, and directed away from p: p
    /// sends one marker along c after p records its state and before p sends
    /// further messages along c" (§3.2).
    fn record(
        &self,
        s: &mut SnapshotState,
        closed: Option<Process>,
        send_markers: bool,
        o: &mut Out<Self>,
    ) {
        s.recorded = Some(Recorded {
            balance: s.balance,
            sent: s.sent.clone(),
            received: s.received.clone(),
        });
        for p in self.others() {
            s.channels[p] = Some(if Some(p) == closed {
                Channel::Recorded(Vec::new())
            } else {
                Channel::Recording(Vec::new())
            });
        }
        if send_markers {
            let others: Vec<Process> = self.others().collect();
            for p in others {
                self.send(s, p, SnapshotMsg::Marker, o);
            }
        }
    }
}

impl Actor for SnapshotActor {
    type Msg = SnapshotMsg;
    type Timer = SnapshotTimer;
    type State = SnapshotState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        name(self.process).to_string()
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> SnapshotState {
        self.arm(self.transfers, o);
        if self.process == 0 {
            o.set_timer(SnapshotTimer::Snapshot, SNAPSHOT);
        }
        let n = self.processes.len();
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)".
        let links = if self.retransmit {
            o.set_timer(SnapshotTimer::Retransmit, RETRANSMIT);
            Links {
                sent: vec![Vec::new(); n],
                recv_next: vec![0; n],
            }
        } else {
            Links::default()
        };
        SnapshotState {
            balance: Money::from(self.transfers),
            left: self.transfers,
            sent: vec![0; n],
            received: vec![BTreeSet::new(); n],
            recorded: None,
            channels: vec![None; n],
            links,
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<SnapshotState>,
        src: Id,
        msg: SnapshotMsg,
        o: &mut Out<Self>,
    ) {
        let Some(from) = self.processes.iter().position(|p| *p == src) else {
            return;
        };
        let msg = match msg {
            // The channel's receiver: only the frame expected next is
            // taken; a copy of one taken, or one ahead of a gap, is dropped
            // (the sender sends it again), so messages reach the algorithm
            // once and in the order sent. The bug passes every frame up as
            // it comes: the algorithm drops a transfer's copy by its number
            // and a marker's by the recording's state, but nothing restores
            // the order.
            SnapshotMsg::Frame { number, msg } if self.retransmit => {
                match self.bug {
                    Bug::NonFifoChannels => {}
                    _ if number != state.links.recv_next[from] => return,
                    _ => state.to_mut().links.recv_next[from] += 1,
                }
                *msg
            }
            SnapshotMsg::Frame { .. } => return,
            msg => msg,
        };
        match (msg, &state.channels[from]) {
            // A transfer: credit it; if the channel is being recorded, it is
            // part of the channel's state.
            (SnapshotMsg::Transfer { seq }, _) if !state.received[from].contains(&seq) => {
                let s = state.to_mut();
                s.balance += 1;
                s.received[from].insert(seq);
                if let Some(Channel::Recording(msgs)) = &mut s.channels[from] {
                    msgs.push(seq);
                }
            }
            // Marker-Receiving Rule, first marker: "if q has not recorded its
            // state then q records its state; q records the state of c as
            // the empty sequence" (§3.2), then sends its markers.
            (SnapshotMsg::Marker, _) if state.recorded.is_none() => {
                let s = state.to_mut();
                let send_markers = self.bug != Bug::MarkersFromInitiatorOnly;
                self.record(s, Some(from), send_markers, o);
                if self.bug == Bug::StopOnFirstMarker {
                    for c in s.channels.iter_mut().flatten() {
                        if let Channel::Recording(msgs) = c {
                            *c = Channel::Recorded(std::mem::take(msgs));
                        }
                    }
                }
            }
            // Marker-Receiving Rule, recorded already: "q records the state
            // of c as the sequence of messages received along c after q's
            // state was recorded and before q received the marker along c."
            // The bug closes every channel still recording.
            (SnapshotMsg::Marker, Some(Channel::Recording(_))) => {
                let s = state.to_mut();
                for (p, c) in s.channels.iter_mut().enumerate() {
                    if let Some(Channel::Recording(msgs)) = c {
                        if p == from || self.bug == Bug::StopOnFirstMarker {
                            *c = Some(Channel::Recorded(std::mem::take(msgs)));
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<SnapshotState>,
        timer: &SnapshotTimer,
        o: &mut Out<Self>,
    ) {
        match timer {
            // A transfer of one unit; each process starts with as many units
            // as it transfers, so it never runs short.
            SnapshotTimer::TransferTo(to) if state.left > 0 && state.balance > 0 => {
                let s = state.to_mut();
                s.balance -= 1;
                s.left -= 1;
                let seq = s.sent[*to];
                s.sent[*to] += 1;
                self.send(s, *to, SnapshotMsg::Transfer { seq }, o);
                self.arm(s.left, o);
            }
            // The initiator records its state spontaneously (§3.2).
            SnapshotTimer::Snapshot if state.recorded.is_none() => {
                self.record(state.to_mut(), None, true, o);
            }
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger <fll,
            // Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm 2.1):
            // a frame lost is sent again, and again, so one gets through.
            SnapshotTimer::Retransmit => {
                for (to, frames) in state.links.sent.iter().enumerate() {
                    for (number, msg) in frames.iter().enumerate() {
                        o.send(
                            self.processes[to],
                            SnapshotMsg::Frame {
                                number: number as u32,
                                msg: Box::new(msg.clone()),
                            },
                        );
                    }
                }
                o.set_timer(SnapshotTimer::Retransmit, RETRANSMIT);
            }
            _ => {}
        }
    }
}

type State = stateright::actor::ActorModelState<SnapshotActor>;

fn total(model: &SnapshotModel) -> Money {
    model.cfg.processes as Money * Money::from(model.cfg.transfers)
}

// Properties.

/// The cut is consistent: no transfer received before its receiver recorded
/// was sent after its sender recorded. For each channel c from p to q,
/// every message q received before recording is among the n messages p sent
/// before recording (Chandy & Lamport 1985, §3.1: m <= n; §4, Theorem 1: the
/// recorded state is reachable).
fn consistent_cut(_: &SnapshotModel, state: &State) -> bool {
    let recorded: Vec<Option<&Recorded>> = state
        .actor_states
        .iter()
        .map(|s| s.recorded.as_ref())
        .collect();
    recorded.iter().enumerate().all(|(q, rq)| {
        recorded.iter().enumerate().all(|(p, rp)| match (rp, rq) {
            (Some(rp), Some(rq)) if p != q => rq.received[p].iter().all(|seq| *seq < rp.sent[q]),
            _ => true,
        })
    })
}

/// Every recorded channel state is exactly what was in flight across the
/// cut: for a channel c from p to q, "the state of c ... is the sequence of
/// messages sent along c before the sender's state is recorded, excluding
/// the sequence of messages received along c before the receiver's state is
/// recorded" (Chandy & Lamport 1985, §3.1), in the order they were sent.
fn channel_states_exact(_: &SnapshotModel, state: &State) -> bool {
    let procs = &state.actor_states;
    procs.iter().enumerate().all(|(q, sq)| {
        let Some(rq) = &sq.recorded else {
            return true;
        };
        sq.channels
            .iter()
            .enumerate()
            .all(|(p, c)| match (c, &procs[p].recorded) {
                (Some(Channel::Recorded(got)), Some(rp)) => {
                    let in_flight: Vec<Seq> = (0..rp.sent[q])
                        .filter(|seq| !rq.received[p].contains(seq))
                        .collect();
                    *got == in_flight
                }
                _ => true,
            })
    })
}

/// Once the snapshot is complete, the recorded balances plus the money
/// recorded in the channels equal the bank's total: the recorded state is a
/// state the system could have been in (§4, Theorem 1), so it keeps every
/// invariant, here conservation of money (§1's bank example).
fn money_conserved(model: &SnapshotModel, state: &State) -> bool {
    if !state.actor_states.iter().all(|s| s.complete()) {
        return true;
    }
    let balances: Money = state
        .actor_states
        .iter()
        .filter_map(|s| s.recorded.as_ref().map(|r| r.balance))
        .sum();
    let in_flight: usize = state
        .actor_states
        .iter()
        .flat_map(|s| s.channels.iter().flatten())
        .map(|c| match c {
            Channel::Recording(m) | Channel::Recorded(m) => m.len(),
        })
        .sum();
    balances + in_flight as Money == total(model)
}

/// Every process records its state and the state of every incoming channel
/// (§3.3: "if the graph is strongly connected and at least one process
/// spontaneously records its state, then all processes will record their
/// states in finite time", and every channel's marker arrives).
fn snapshot_completes(_: &SnapshotModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| s.complete())
}

/// Reachability: a complete snapshot that recorded money in flight, so the
/// channel recording matters.
fn money_in_flight_recorded(_: &SnapshotModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| s.complete())
        && state
            .actor_states
            .iter()
            .flat_map(|s| s.channels.iter().flatten())
            .any(|c| matches!(c, Channel::Recorded(m) if !m.is_empty()))
}

// Configuration.

pub type SnapshotModel = ActorModel<SnapshotActor, SnapshotCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SnapshotCfg {
    pub processes: usize,
    /// Units each process starts with, and transfers it makes.
    pub transfers: u8,
    /// The network loses, duplicates and reorders, and every channel is a
    /// stubborn link with sequence numbers taken in order (Cachin et al.
    /// Algorithm 2.1 and §3.9), which restores §2's FIFO channels:
    /// scenario `lossy`, and every real run (`dsw run chandy-lamport` sets
    /// it). Off by default: FIFO channels, as the paper assumes.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for SnapshotCfg {
    fn default() -> Self {
        SnapshotCfg {
            processes: 3,
            transfers: 1,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for SnapshotCfg {
    type Model = SnapshotModel;

    fn new(variant: &str, params: &Params) -> Self {
        SnapshotCfg {
            processes: params["processes"] as usize,
            transfers: params["transfers"] as u8,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> SnapshotModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for SnapshotCfg {
    type Actor = SnapshotActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// The snapshot is complete, and every transfer was made and received.
    fn done(states: &[Option<SnapshotState>]) -> bool {
        let states: Vec<&SnapshotState> = states.iter().flatten().collect();
        let sent: usize = states
            .iter()
            .flat_map(|s| &s.sent)
            .map(|n| usize::from(*n))
            .sum();
        let received: usize = states
            .iter()
            .flat_map(|s| &s.received)
            .map(BTreeSet::len)
            .sum();
        states.iter().all(|s| s.complete() && s.left == 0) && sent == received
    }

    fn observations(states: &[SnapshotState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| format!("{}: {s:?}", name(p)))
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> SnapshotModel {
        let actors: Vec<SnapshotActor> = (0..self.processes)
            .map(|process| SnapshotActor {
                process,
                processes: ids.to_vec(),
                transfers: self.transfers,
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        // Under stubborn FIFO links the network may do anything but create
        // messages: lose, duplicate (Stateright's duplicating network keeps
        // a message in flight until it is lost) and reorder.
        let (network, lossy) = match self.bug {
            _ if self.retransmit => (Network::new_unordered_duplicating([]), LossyNetwork::Yes),
            Bug::NonFifoChannels => (Network::new_unordered_nonduplicating([]), LossyNetwork::No),
            _ => (Network::new_ordered([]), LossyNetwork::No),
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "consistent cut", consistent_cut)
            .property(
                Expectation::Always,
                "channel states exact",
                channel_states_exact,
            )
            .property(Expectation::Always, "money conserved", money_conserved)
            .property(
                Expectation::Eventually,
                "snapshot completes",
                snapshot_completes,
            )
            .property(
                Expectation::Sometimes,
                "money in flight recorded",
                money_in_flight_recorded,
            )
    }

    /// `dsw run chandy-lamport`: the configuration given, with `retransmit`
    /// on, as scenario `lossy` checks it: a real network may lose,
    /// duplicate and reorder (`--loss`, `--duplicate`), and the algorithm
    /// needs reliable FIFO channels.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "chandy-lamport",
    section: "Distributed consensus and time",
    summary: "A marker-based snapshot of a bank's processes and channels, taken while money moves",
    citations: &[
        "Chandy & Lamport, Distributed Snapshots: Determining Global States of Distributed Systems (TOCS 3(1), 1985)",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes p, q, r; stop-on-first-marker needs three (two incoming channels)",
            default: 3,
            min: 2,
            max: 3,
        },
        ParamSpec {
            name: "transfers",
            doc: "units each process starts with and sends, one at a time",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: the network loses, duplicates and reorders, and every channel resends all it sent on a timer (a stubborn link, Cachin et al. Algorithm 2.1) with sequence numbers the receiver takes in order, restoring FIFO channels (scenario lossy; every real run retransmits); 0: FIFO channels, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "consistent cut",
            kind: PropertyKind::Always,
            source: "Chandy & Lamport 1985, §3.1 (m <= n) and §4, Theorem 1",
        },
        PropertySpec {
            name: "channel states exact",
            kind: PropertyKind::Always,
            source: "Chandy & Lamport 1985, §3.1: a channel's state is the messages sent before its sender recorded, less those received before its receiver recorded",
        },
        PropertySpec {
            name: "money conserved",
            kind: PropertyKind::Always,
            source: "Chandy & Lamport 1985, §4, Theorem 1: the recorded state is reachable, so it keeps the bank's invariant",
        },
        PropertySpec {
            name: "snapshot completes",
            kind: PropertyKind::Eventually,
            source: "Chandy & Lamport 1985, §3.3 (termination)",
        },
        PropertySpec {
            name: "money in flight recorded",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "the marker rules as published, over FIFO channels",
            expect: &[],
        },
        VariantSpec {
            name: "non-fifo-channels",
            doc: "channels that reorder: a transfer sent after the marker arrives before it",
            expect: &[
                ("consistent cut", Verdict::Violated),
                ("channel states exact", Verdict::Violated),
                ("money conserved", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "stop-on-first-marker",
            doc: "the first marker after recording ends the recording of every channel, not only its own",
            expect: &[
                ("channel states exact", Verdict::Violated),
                ("money conserved", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "markers-from-initiator-only",
            doc: "a process that records on a marker sends no markers of its own: its later transfers reach processes that have not recorded (an inconsistent cut), and no channel into the initiator ever closes",
            expect: &[
                ("consistent cut", Verdict::Violated),
                ("snapshot completes", Verdict::Violated),
                ("money in flight recorded", Verdict::NoExample),
            ],
        },
    ],
    scenarios: &[ScenarioSpec {
        name: "lossy",
        doc: "the real run's configuration: a network that loses, duplicates and reorders, under stubborn links (every frame resent on a timer, Cachin et al. Algorithm 2.1) with sequence numbers taken in order, which restore the paper's FIFO channels; p and q only (three processes passed 840,000 unique states, 1.3 GiB, in 30 s without finishing). The cut is consistent, channel states exact, money conserved and, under strong fairness (a frame sent again and again is delivered at last), the snapshot completes",
        variant: crate::registry::CORRECT,
        params: &[("retransmit", 1), ("processes", 2)],
        fairness: Some(checker::Fairness::Strong),
        expect: &[],
    }],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<SnapshotCfg>,
    explore: crate::registry::explore_config::<SnapshotCfg>,
    replay: crate::registry::replay_config::<SnapshotCfg>,
    compare: crate::registry::compare_config::<SnapshotCfg>,
    run: Some(crate::runner::run_config::<SnapshotCfg>),
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
        let defaults = SnapshotCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, SnapshotCfg::default());
        let model = defaults.into_model();
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }
}
