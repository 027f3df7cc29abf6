//! Lamport's mutual exclusion algorithm, as [Lamport, "Time, Clocks, and the
//! Ordering of Events in a Distributed System" (CACM 1978)](https://lamport.azurewebsites.net/pubs/time-clocks.pdf)
//! gives it in "Ordering the Events Totally": every process keeps a request
//! queue; a request is broadcast with its logical timestamp and acknowledged;
//! a process is granted the resource when its request is first in its queue
//! under => (timestamp, then process) and it has heard from every other
//! process later than that; a release is broadcast and dequeues the request.
//!
//! Fault model: FIFO links ("messages sent from P_i to P_j are received in
//! the same order as they are sent"), no loss, no crashes. Workload: each
//! process requests the resource `requests` times (a timer: it may ask at
//! any time) and releases it after a while (a timer too: every process that
//! is granted the resource eventually releases it, as requirement III
//! assumes).
//!
//! What the checker shows (two processes, one request each; the scenario
//! `two-requests` asks twice): mutual exclusion and grants in timestamp order
//! hold, and every request is granted under weak fairness. Over a non-FIFO
//! network (`non-fifo-network`) an acknowledgement overtakes a request and
//! both processes hold the resource at once (with one request each nobody
//! starves: a release never overtakes a request its receiver has already
//! acknowledged). Without the release broadcast (`release-not-broadcast`)
//! the other process waits forever: a deadlock.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses, duplicates and reorders messages, and the FIFO links the paper
//! assumes are built on it: each link is a stubborn link (Cachin, Guerraoui
//! & Rodrigues, "Introduction to Reliable and Secure Distributed
//! Programming", 2011, Algorithm 2.1 "Retransmit Forever": every frame
//! sent is sent again on a timer) whose frames carry the link's sequence
//! numbers, and the receiver takes only the number it expects next, as
//! FIFO delivery by sequence number does (Cachin et al. §3.9), a copy or
//! a frame ahead of a gap being dropped (it comes again). So every message
//! reaches the algorithm once and in order, and rules 1-5 run unchanged.
//! There are no acknowledgements: they would only let a sender stop
//! resending, and they double the messages the checker must lose.

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

/// A logical clock's value (IR1 and IR2 of "Logical Clocks").
pub type Timestamp = u32;
/// A process by number: 0 is P1, 1 is P2, ...
pub type Process = usize;
/// "T_m:P_i requests resource", ordered by =>: by timestamp, ties broken by
/// process number (the paper's arbitrary total order of the processes).
pub type Request = (Timestamp, Process);

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MutexMsg {
    /// Rule 1: "T_m:P_i requests resource", sent to every other process.
    Request { tm: Timestamp },
    /// Rule 2: the (timestamped) acknowledgment of a request.
    Ack { tm: Timestamp },
    /// Rule 3: the timestamped "P_i releases resource".
    Release { tm: Timestamp },
    /// With [`MutexCfg::retransmit`], the FIFO link's frame: one of the
    /// messages above and its sequence number on the link from its sender
    /// to its receiver.
    Frame { seq: u32, msg: Box<MutexMsg> },
}

impl MutexMsg {
    fn tm(&self) -> Timestamp {
        match self {
            MutexMsg::Request { tm } | MutexMsg::Ack { tm } | MutexMsg::Release { tm } => *tm,
            MutexMsg::Frame { msg, .. } => msg.tm(),
        }
    }
}

/// A process's own steps. To the checker a timer is "this step is
/// enabled"; the durations only shape real runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MutexTimer {
    /// The process wants the resource (rule 1).
    Request,
    /// The process is done with the resource (rule 3).
    Release,
    /// With [`MutexCfg::retransmit`]: the stubborn links' timer; every
    /// frame sent is sent again.
    Retransmit,
}

/// A process's ends of its FIFO links (with `retransmit` only; empty
/// otherwise), indexed by the process at the other end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Links {
    /// The messages sent to each process, in order: the frame numbered
    /// `seq` carries `sent[to][seq]` (Algorithm 2.1's `sent`).
    pub sent: Vec<Vec<MutexMsg>>,
    /// The sequence number expected next from each process.
    pub recv_next: Vec<u32>,
}

/// Where a process is with the resource.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// Not asking for the resource.
    Idle,
    /// Its request is out; waiting for rule 5's two conditions.
    Waiting(Request),
    /// Granted the resource (rule 5).
    Holding(Request),
}

/// History variable: one request a process made and, once it was granted,
/// how many releases from each process it had received by then.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Made {
    pub request: Request,
    pub granted_after_releases: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct MutexState {
    /// `C_i`, ticked at every event (IR1, IR2).
    pub clock: Timestamp,
    /// The request queue, ordered by =>.
    pub request_queue: BTreeSet<Request>,
    /// The latest timestamp received from each process (rule 5 (ii)).
    pub latest: Vec<Timestamp>,
    pub phase: Phase,
    /// The FIFO links under the algorithm.
    pub links: Links,
    // History variables, not part of the algorithm.
    /// Every request this process made, in order.
    pub made: Vec<Made>,
    /// How many releases it has received from each process.
    pub releases_received: Vec<u8>,
}

/// The algorithm's variables first, then the history, and no process's
/// own entry in `latest`.
impl fmt::Debug for MutexState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{clock: {}, phase: {:?}, request_queue: {:?}, latest: {:?}, made: {:?}}}",
            self.clock,
            self.phase,
            self.request_queue,
            self.latest,
            self.made.iter().map(|m| m.request).collect::<Vec<_>>()
        )?;
        if !self.links.recv_next.is_empty() {
            write!(f, " taken: {:?}", self.links.recv_next)?;
        }
        Ok(())
    }
}

/// Known bugs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithm as published, over FIFO links.
    #[default]
    None,
    /// The links may reorder messages, against the paper's assumption that
    /// "messages sent from P_i to P_j are received in the same order as they
    /// are sent". Must violate "mutual exclusion".
    NonFifoNetwork,
    /// Rule 3 without its message: the releasing process dequeues its own
    /// request but tells nobody. Must violate "every request granted".
    ReleaseNotBroadcast,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NonFifoNetwork, Bug::ReleaseNotBroadcast];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NonFifoNetwork => "non-fifo-network",
            Bug::ReleaseNotBroadcast => "release-not-broadcast",
        }
    }
}

#[derive(Clone, Debug)]
pub struct MutexActor {
    pub process: Process,
    /// Every process's id, P1 first.
    pub processes: Vec<Id>,
    /// How many times this process requests the resource.
    pub requests: u8,
    /// Messages go over stubborn FIFO links (see [`MutexCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// How long a process waits before asking, and holds the resource, on a
/// real network. The checker fires a timer at any time.
const THINK: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(20);
const HOLD: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(10);
/// The stubborn links' period on a real network: a few round trips.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl MutexActor {
    fn others(&self) -> Vec<Id> {
        (0..self.processes.len())
            .filter(|p| *p != self.process)
            .map(|p| self.processes[p])
            .collect()
    }

    /// Sends `msg` to every other process: on the network itself, or, with
    /// `retransmit`, as the next frame of each FIFO link.
    fn send_to_others(&self, s: &mut MutexState, msg: MutexMsg, o: &mut Out<Self>) {
        if !self.retransmit {
            o.broadcast(&self.others(), &msg);
            return;
        }
        for to in (0..self.processes.len()).filter(|p| *p != self.process) {
            self.send_frame(s, to, msg.clone(), o);
        }
    }

    /// The link's sender: the frame takes the link's next sequence number
    /// and is remembered, to be sent again ("upon event <sl, Send | q, m>
    /// do trigger <fll, Send | q, m>; sent := sent ∪ {(q, m)}", Cachin et
    /// al. Algorithm 2.1).
    fn send_frame(&self, s: &mut MutexState, to: Process, msg: MutexMsg, o: &mut Out<Self>) {
        let seq = s.links.sent[to].len() as u32;
        s.links.sent[to].push(msg.clone());
        o.send(
            self.processes[to],
            MutexMsg::Frame {
                seq,
                msg: Box::new(msg),
            },
        );
    }

    /// Rule 5: "P_i is granted the resource when (i) there is a T_m:P_i
    /// requests resource message in its request queue which is ordered
    /// before any other request in its queue by the relation =>, and (ii)
    /// P_i has received a message from every other process timestamped
    /// later than T_m." Checked after every event that may make it true.
    fn grant_if_due(&self, s: &mut MutexState, o: &mut Out<Self>) {
        let Phase::Waiting(request) = s.phase else {
            return;
        };
        let first = s.request_queue.first() == Some(&request);
        let heard_later = (0..self.processes.len())
            .filter(|p| *p != self.process)
            .all(|p| s.latest[p] > request.0);
        if first && heard_later {
            s.phase = Phase::Holding(request);
            if let Some(made) = s.made.last_mut() {
                made.granted_after_releases = Some(s.releases_received.clone());
            }
            o.set_timer(MutexTimer::Release, HOLD);
        }
    }
}

impl Actor for MutexActor {
    type Msg = MutexMsg;
    type Timer = MutexTimer;
    type State = MutexState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        format!("P{}", self.process + 1)
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> MutexState {
        if self.requests > 0 {
            o.set_timer(MutexTimer::Request, THINK);
        }
        let n = self.processes.len();
        let links = if self.retransmit {
            o.set_timer(MutexTimer::Retransmit, RETRANSMIT);
            Links {
                sent: vec![Vec::new(); n],
                recv_next: vec![0; n],
            }
        } else {
            Links::default()
        };
        MutexState {
            clock: 0,
            request_queue: BTreeSet::new(),
            latest: vec![0; n],
            phase: Phase::Idle,
            links,
            made: Vec::new(),
            releases_received: vec![0; n],
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<MutexState>,
        src: Id,
        msg: MutexMsg,
        o: &mut Out<Self>,
    ) {
        let Some(from) = self.processes.iter().position(|p| *p == src) else {
            return;
        };
        let msg = match msg {
            // The link's receiver: only the frame expected next is taken;
            // a copy of one taken, or one ahead of a gap, is dropped (the
            // sender sends it again), so messages reach the algorithm once
            // and in the order sent.
            MutexMsg::Frame { seq, msg } if self.retransmit => {
                if seq != state.links.recv_next[from] {
                    return;
                }
                state.to_mut().links.recv_next[from] += 1;
                *msg
            }
            MutexMsg::Frame { .. } => return,
            msg => msg,
        };
        // Every receipt is an event: IR2(b) sets the clock past T_m.
        let s = state.to_mut();
        s.clock = s.clock.max(msg.tm()) + 1;
        s.latest[from] = s.latest[from].max(msg.tm());
        match msg {
            // Rule 2: "When process P_j receives the message T_m:P_i requests
            // resource, it places it on its request queue and sends a
            // (timestamped) acknowledgment message to P_i."
            MutexMsg::Request { tm } => {
                s.request_queue.insert((tm, from));
                let ack = MutexMsg::Ack { tm: s.clock };
                if self.retransmit {
                    self.send_frame(s, from, ack, o);
                } else {
                    o.send(src, ack);
                }
            }
            // An acknowledgment only counts for rule 5 (ii).
            MutexMsg::Ack { .. } => {}
            // Rule 4: "When process P_j receives a P_i releases resource
            // message, it removes any T_m:P_i requests resource message from
            // its request queue."
            MutexMsg::Release { .. } => {
                s.request_queue.retain(|(_, p)| *p != from);
                s.releases_received[from] += 1;
            }
            MutexMsg::Frame { .. } => {}
        }
        self.grant_if_due(s, o);
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<MutexState>,
        timer: &MutexTimer,
        o: &mut Out<Self>,
    ) {
        match (timer, &state.phase) {
            // Rule 1: "To request the resource, process P_i sends the message
            // T_m:P_i requests resource to every other process, and puts
            // that message on its request queue, where T_m is the timestamp
            // of the message."
            (MutexTimer::Request, Phase::Idle) if state.made.len() < usize::from(self.requests) => {
                let s = state.to_mut();
                s.clock += 1;
                let request = (s.clock, self.process);
                s.request_queue.insert(request);
                s.phase = Phase::Waiting(request);
                s.made.push(Made {
                    request,
                    granted_after_releases: None,
                });
                self.send_to_others(s, MutexMsg::Request { tm: request.0 }, o);
                self.grant_if_due(s, o);
            }
            // Rule 3: "To release the resource, process P_i removes any
            // T_m:P_i requests resource message from its request queue and
            // sends a (timestamped) P_i releases resource message to every
            // other process." The bug sends nothing.
            (MutexTimer::Release, Phase::Holding(_)) => {
                let s = state.to_mut();
                s.clock += 1;
                let me = self.process;
                s.request_queue.retain(|(_, p)| *p != me);
                s.phase = Phase::Idle;
                if self.bug != Bug::ReleaseNotBroadcast {
                    let release = MutexMsg::Release { tm: s.clock };
                    self.send_to_others(s, release, o);
                }
                if s.made.len() < usize::from(self.requests) {
                    o.set_timer(MutexTimer::Request, THINK);
                }
            }
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger <fll,
            // Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm 2.1):
            // a frame lost is sent again, and again, so one gets through.
            (MutexTimer::Retransmit, _) => {
                for (to, frames) in state.links.sent.iter().enumerate() {
                    for (seq, msg) in frames.iter().enumerate() {
                        o.send(
                            self.processes[to],
                            MutexMsg::Frame {
                                seq: seq as u32,
                                msg: Box::new(msg.clone()),
                            },
                        );
                    }
                }
                o.set_timer(MutexTimer::Retransmit, RETRANSMIT);
            }
            _ => {}
        }
    }
}

type State = stateright::actor::ActorModelState<MutexActor>;

fn holding(state: &State) -> usize {
    state
        .actor_states
        .iter()
        .filter(|s| matches!(s.phase, Phase::Holding(_)))
        .count()
}

// Properties.

/// Requirement I: "A process which has been granted the resource must
/// release it before it can be granted to another process" (Lamport 1978,
/// "Ordering the Events Totally"): at most one process holds it.
fn mutual_exclusion(_: &MutexModel, state: &State) -> bool {
    holding(state) <= 1
}

/// Requirement II, "different requests for the resource must be granted in
/// the order in which they are made", in the order the algorithm uses, =>
/// (which extends ->): a request is granted only after every request before
/// it under => was released and that release reached the granted process.
/// Stated over the history, so that a real run checks it on the whole run.
fn granted_in_timestamp_order(_: &MutexModel, state: &State) -> bool {
    let made: Vec<(Process, usize, &Made)> = state
        .actor_states
        .iter()
        .enumerate()
        .flat_map(|(p, s)| s.made.iter().enumerate().map(move |(k, m)| (p, k, m)))
        .collect();
    made.iter().all(|(j, _, later)| {
        let Some(seen) = &later.granted_after_releases else {
            return true;
        };
        made.iter()
            .filter(|(i, _, earlier)| i != j && earlier.request < later.request)
            .all(|(i, k, _)| usize::from(seen[*i]) > *k)
    })
}

/// Requirement III: "If every process which is granted the resource
/// eventually releases it, then every request is eventually granted": each
/// process's requests were all made and granted.
fn every_request_granted(model: &MutexModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| {
        s.made.len() == usize::from(model.cfg.requests)
            && s.made.iter().all(|m| m.granted_after_releases.is_some())
    })
}

/// Reachability: two processes wait for the resource at once, so rule 5
/// has to choose.
fn contention(_: &MutexModel, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .filter(|s| matches!(s.phase, Phase::Waiting(_)))
        .count()
        >= 2
}

// Refinement mapping.

/// The actor model as a state of the plain mutual exclusion spec
/// ([`specs::abstract_spec::MutualExclusion`]): `crit` is the set of
/// processes holding the resource. A grant is `Enter`, a release `Exit`,
/// every other step a stutter; requirement I is that no grant happens
/// while another process holds the resource.
pub fn to_mutual_exclusion(state: &State) -> specs::abstract_spec::mutual_exclusion::State {
    specs::abstract_spec::mutual_exclusion::State {
        crit: state
            .actor_states
            .iter()
            .enumerate()
            .filter(|(_, s)| matches!(s.phase, Phase::Holding(_)))
            .map(|(p, _)| p)
            .collect(),
    }
}

// Configuration.

pub type MutexModel = ActorModel<MutexActor, MutexCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MutexCfg {
    pub processes: usize,
    /// How many times each process requests the resource.
    pub requests: u8,
    /// The network loses, duplicates and reorders, and FIFO links are
    /// built on it (stubborn links whose frames carry sequence numbers,
    /// taken in order): scenario `lossy`, and
    /// every real run (`dsw run lamport-mutex` sets it). Off by default:
    /// reliable FIFO links, as the paper assumes.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for MutexCfg {
    fn default() -> Self {
        MutexCfg {
            processes: 2,
            requests: 1,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for MutexCfg {
    type Model = MutexModel;

    fn new(variant: &str, params: &Params) -> Self {
        MutexCfg {
            processes: params["processes"] as usize,
            requests: params["requests"] as u8,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> MutexModel {
        crate::runner::indexed(self)
    }

    /// Every step maps to a step of the plain mutual exclusion spec (enter
    /// an empty critical section, leave it) or to a stutter.
    fn analyses(model: &MutexModel) -> checker::Analyses<MutexModel> {
        checker::Analyses {
            refinements: vec![checker::Refinement::new(
                "refines MutualExclusion",
                specs::abstract_spec::MutualExclusion::new(model.cfg.processes),
                to_mutual_exclusion,
            )],
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for MutexCfg {
    type Actor = MutexActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.processes
    }

    /// Every request was granted and released.
    fn done(states: &[Option<MutexState>]) -> bool {
        states.iter().flatten().all(|s| {
            s.phase == Phase::Idle
                && !s.made.is_empty()
                && s.made.iter().all(|m| m.granted_after_releases.is_some())
        })
    }

    fn observations(states: &[MutexState], _: &()) -> Vec<String> {
        let mut grants: Vec<(Request, usize)> = states
            .iter()
            .enumerate()
            .flat_map(|(p, s)| {
                s.made
                    .iter()
                    .filter(|m| m.granted_after_releases.is_some())
                    .map(move |m| (m.request, p))
            })
            .collect();
        grants.sort();
        grants
            .iter()
            .map(|((tm, _), p)| format!("P{} granted its request of time {tm}", p + 1))
            .collect()
    }

    fn model_on(self, ids: &[Id]) -> MutexModel {
        let actors: Vec<MutexActor> = (0..self.processes)
            .map(|process| MutexActor {
                process,
                processes: ids.to_vec(),
                requests: self.requests,
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        // Under stubborn FIFO links the network may do anything but create
        // messages: lose, duplicate (Stateright's duplicating network keeps
        // a message in flight until it is lost) and reorder.
        let (network, lossy) = match self.bug {
            _ if self.retransmit => (Network::new_unordered_duplicating([]), LossyNetwork::Yes),
            Bug::NonFifoNetwork => (Network::new_unordered_nonduplicating([]), LossyNetwork::No),
            _ => (Network::new_ordered([]), LossyNetwork::No),
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "mutual exclusion", mutual_exclusion)
            .property(
                Expectation::Always,
                "granted in timestamp order",
                granted_in_timestamp_order,
            )
            .property(
                Expectation::Eventually,
                "every request granted",
                every_request_granted,
            )
            .property(Expectation::Sometimes, "contention", contention)
    }

    /// `dsw run lamport-mutex`: the configuration given, with `retransmit` on,
    /// as scenario `lossy` checks it: a real network may lose, duplicate and
    /// reorder (`--loss`, `--duplicate`), and the algorithm needs reliable FIFO
    /// links.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "lamport-mutex",
    section: "Distributed consensus and time",
    summary: "Mutual exclusion with request queues, acknowledgements and release broadcasts over logical clocks",
    citations: &[
        "Lamport, Time, Clocks, and the Ordering of Events in a Distributed System (CACM 21(7), 1978), Ordering the Events Totally",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "processes",
            doc: "processes competing for the resource (three: 731k states)",
            default: 2,
            min: 2,
            max: 3,
        },
        ParamSpec {
            name: "requests",
            doc: "times each process requests the resource",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: the network loses, duplicates and reorders, and every link resends all it sent on a timer (a stubborn link, Cachin et al. Algorithm 2.1) with sequence numbers the receiver takes in order, restoring reliable FIFO links (scenario lossy; every real run retransmits); 0: reliable FIFO links, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "mutual exclusion",
            kind: PropertyKind::Always,
            source: "Lamport 1978, Ordering the Events Totally, requirement I",
        },
        PropertySpec {
            name: "granted in timestamp order",
            kind: PropertyKind::Always,
            source: "Lamport 1978, Ordering the Events Totally, requirement II, in the order =>",
        },
        PropertySpec {
            name: "every request granted",
            kind: PropertyKind::Eventually,
            source: "Lamport 1978, Ordering the Events Totally, requirement III (every holder releases: a fair timer)",
        },
        PropertySpec {
            name: "contention",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "refines MutualExclusion",
            kind: PropertyKind::Refines,
            source: "requirement I as a spec (specs::abstract_spec::MutualExclusion): a grant enters an empty critical section, a release leaves it",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "rules 1-5 as published, over FIFO links",
            expect: &[],
        },
        VariantSpec {
            name: "non-fifo-network",
            doc: "links that reorder: an acknowledgement overtakes a request, and two processes hold the resource",
            expect: &[
                ("mutual exclusion", Verdict::Violated),
                ("granted in timestamp order", Verdict::Violated),
                ("refines MutualExclusion", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "release-not-broadcast",
            doc: "a release dequeues the process's own request but is not sent: the others wait forever",
            expect: &[("every request granted", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "two-requests",
            doc: "each process asks twice: the resource changes hands repeatedly, and every request is still granted in order",
            variant: crate::registry::CORRECT,
            params: &[("requests", 2)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: a network that loses, duplicates and reorders, under stubborn links (every frame resent on a timer, Cachin et al. Algorithm 2.1) with sequence numbers taken in order, which restore the paper's FIFO links. Mutual exclusion, timestamp order and the refinement hold and, under strong fairness (a frame sent again and again is delivered at last), every request is granted",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<MutexCfg>,
    explore: crate::registry::explore_config::<MutexCfg>,
    replay: crate::registry::replay_config::<MutexCfg>,
    compare: crate::registry::compare_config::<MutexCfg>,
    run: Some(crate::runner::run_config::<MutexCfg>),
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
        let defaults = MutexCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, MutexCfg::default());
        let model = defaults.into_model();
        let mut declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        declared.push("refines MutualExclusion");
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }
}
