//! Trace validation: a real run's record replayed through the model, after
//! Cirstea, Kuppe, Loillier and Merz, "Validating Traces of Distributed
//! Programs Against TLA+ Specifications" (2024,
//! <https://arxiv.org/abs/2404.16075>): each recorded event is mapped to
//! the model's action, and the first one the model cannot take is the
//! divergence.
//!
//! The mapping (Stateright's `ActorModelAction`s): a `Delivered` datagram
//! is `Deliver { src, dst, msg }`, a `Timer` is `Timeout`, a `Chose` is
//! `SelectRandom` (the runtime picks at once what the model leaves
//! pending; a held run's `Selected`, the choice its node kept `Pending`
//! until the driver made it, is the model's `SelectRandom` as a step of its
//! own), a `Crash` is `Crash` and a `Restart` is `Recover`. Sends are
//! not actions: they are what a step emits, so the sends a node recorded
//! after a step must be exactly those its actor emits at that step, in
//! order; so must its storage writes and random choices. The network is
//! the model's (ordered: FIFO per link; unordered; duplicating or not)
//! with the run's own faults: a datagram the fault injector lost or
//! duplicated, one a partition cut, one that reached a node while it was
//! down, or one that never arrived, is the network's doing (§4.2 of the
//! paper treats a lossy network so). How many crashes the model allows is
//! not judged: the run's crashes, like its losses, are its fault
//! injector's.
//!
//! Actors are deterministic given their inputs, so each node's recorded
//! inputs are replayed through its actor: the model's state before each
//! step is the replayed one, and the runtime's hash of the node's state
//! after each step ([`runtime::RunResult::step_hashes`]) must equal the
//! replayed state's, so a node whose state departs from the model's is
//! caught at that step even before it sends anything different.

use runtime::{state_hash, Event, EventKind, RunResult};
use serde::Serialize;
use stateright::actor::{is_no_op, is_no_op_with_timer, Actor, Command, Id, Network, Out};
use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::fmt::Debug;
use std::hash::Hash;

/// The model's network, as far as validation needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkKind {
    /// FIFO per (sender, receiver) link.
    Ordered,
    /// Any order; a message may be delivered again.
    UnorderedDuplicating,
    /// Any order; each message sent is delivered at most once.
    UnorderedNonDuplicating,
}

impl NetworkKind {
    /// The kind of a Stateright network.
    pub fn of<M: Eq + Hash>(network: &Network<M>) -> Self {
        match network {
            Network::Ordered(_) => NetworkKind::Ordered,
            Network::UnorderedDuplicating(..) => NetworkKind::UnorderedDuplicating,
            Network::UnorderedNonDuplicating(_) => NetworkKind::UnorderedNonDuplicating,
        }
    }
}

/// What validating one run (or several, summed) found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Validation {
    /// Runs validated (several with `--seeds`).
    pub runs: usize,
    /// Model steps matched: deliveries, timeouts, random choices, crashes
    /// and restarts (each node's start is the model's initial state, not a
    /// step).
    pub steps: usize,
    pub deliveries: usize,
    pub timeouts: usize,
    pub choices: usize,
    pub crashes: usize,
    pub restarts: usize,
    /// Of `timeouts`: steps the real run adds to the model's actor (a
    /// `runner::Ticking` heartbeat), which the checker never takes.
    pub run_only: usize,
    /// Deliveries and timers the actor ignored (no change, nothing sent):
    /// no step of the model, but matched (the model ignores them too).
    pub no_ops: usize,
    /// Sends matched, lost and cut ones included.
    pub sends: usize,
    /// The first event the model cannot match, if any (of the first run
    /// that has one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub divergence: Option<Divergence>,
}

/// The first recorded event the model cannot match.
#[derive(Clone, Debug, Serialize)]
pub struct Divergence {
    /// The seed of the run, when several were validated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Its index in the run's event log (from 0), and the number of the
    /// node's step it is (from 0, the node's start being step 0).
    pub event: usize,
    pub node_step: usize,
    /// Steps matched before it, over all nodes.
    pub steps_before: usize,
    pub node: usize,
    pub name: String,
    /// The recorded event, and the model's action it maps to.
    pub recorded: String,
    pub action: String,
    /// Why the model cannot take it: the action is not enabled, the sends
    /// differ, or the state differs.
    pub reason: String,
    /// The node in the model before the step: its state, timers, whether
    /// it is down.
    pub model_before: String,
    /// What the model's actor would do, and what the run recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

impl Validation {
    pub fn valid(&self) -> bool {
        self.divergence.is_none()
    }

    /// The one line `dsw run` prints.
    pub fn line(&self) -> String {
        match &self.divergence {
            None => format!(
                "trace validation: valid, {} steps matched the model ({})",
                self.steps,
                self.tally()
            ),
            Some(d) => format!(
                "trace validation: DIVERGED at event {} ({}'s step {}, after {} steps matched{}): {}",
                d.event,
                d.name,
                d.node_step,
                d.steps_before,
                d.seed.map_or(String::new(), |s| format!(", seed {s}")),
                d.reason
            ),
        }
    }

    fn tally(&self) -> String {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = vec![count(self.deliveries, "delivery", "deliveries")];
        let ticks = if self.run_only > 0 {
            format!(" ({} of them real-run ticks)", self.run_only)
        } else {
            String::new()
        };
        parts.push(format!(
            "{}{ticks}",
            count(self.timeouts, "timeout", "timeouts")
        ));
        for (n, one, many) in [
            (self.choices, "random choice", "random choices"),
            (self.crashes, "crash", "crashes"),
            (self.restarts, "restart", "restarts"),
        ] {
            if n > 0 {
                parts.push(count(n, one, many));
            }
        }
        let runs = if self.runs > 1 {
            format!(", over {} runs", self.runs)
        } else {
            String::new()
        };
        format!(
            "{}; {} as the model emits them; {} ignored by the actor{runs}",
            parts.join(", "),
            count(self.sends, "send", "sends"),
            count(self.no_ops, "receipt or timer", "receipts and timers"),
        )
    }

    /// The divergence's evidence, one line each.
    pub fn evidence(&self) -> Vec<String> {
        let Some(d) = &self.divergence else {
            return Vec::new();
        };
        let mut lines = vec![
            format!("recorded: {}", d.recorded),
            format!("the model's action: {}", d.action),
            format!("the model before it: {}", d.model_before),
        ];
        if let Some(e) = &d.expected {
            lines.push(format!("the model expected: {e}"));
        }
        if let Some(f) = &d.found {
            lines.push(format!("the run recorded: {f}"));
        }
        lines
    }

    /// Adds another run's validation (`seed`'s) to this one.
    pub fn add(&mut self, other: &Validation, seed: u64) {
        self.runs += other.runs;
        self.steps += other.steps;
        self.deliveries += other.deliveries;
        self.timeouts += other.timeouts;
        self.choices += other.choices;
        self.crashes += other.crashes;
        self.restarts += other.restarts;
        self.run_only += other.run_only;
        self.no_ops += other.no_ops;
        self.sends += other.sends;
        if self.divergence.is_none() {
            self.divergence = other.divergence.clone().map(|d| Divergence {
                seed: Some(seed),
                ..d
            });
        }
    }
}

/// What a step emits, as the runtime records it and as the model expects
/// it.
#[derive(Clone, Debug, PartialEq)]
enum Output<M> {
    Send {
        to: usize,
        msg: M,
    },
    Stored {
        bytes: usize,
    },
    Chose {
        key: String,
        of: usize,
    },
    /// A held run's choice left pending (`of` 0: withdrawn).
    Pending {
        key: String,
        of: usize,
    },
    StorageFailed,
}

impl<M: Debug> Output<M> {
    fn show(&self, names: &[String]) -> String {
        match self {
            Output::Send { to, msg } => format!("{msg:?} to {}", names[*to]),
            Output::Stored { bytes } => format!("storage write of {bytes} bytes"),
            Output::Chose { key, of } => format!("random choice {key:?} among {of}"),
            Output::Pending { key, of } => {
                format!("random choice {key:?} among {of} left pending")
            }
            Output::StorageFailed => "storage failure".into(),
        }
    }
}

fn show_all<M: Debug>(outputs: &[Output<M>], names: &[String]) -> String {
    if outputs.is_empty() {
        return "nothing".into();
    }
    let shown: Vec<String> = outputs.iter().map(|o| o.show(names)).collect();
    format!("[{}]", shown.join(", "))
}

/// One node as the model has it.
struct Node<A: Actor> {
    state: A::State,
    timers: Vec<A::Timer>,
    crashed: bool,
    /// Its storage as the model keeps it (the last `Save`), and the file's
    /// bytes as the runtime writes them (a save that repeats them writes
    /// nothing).
    saved: Option<A::Storage>,
    file: Option<Vec<u8>>,
    /// Storage failed: the node stopped.
    stopped: bool,
    /// Steps replayed so far (its start first).
    steps: usize,
    /// Its random choices pending (a held run's), by key in the order
    /// asked, as the model's `random_choices` keeps them.
    pending: Vec<(String, Vec<A::Random>)>,
}

/// A datagram on its way: its receiver, message, and copies not yet
/// received.
struct Flight<M> {
    dst: usize,
    msg: M,
    copies: u32,
    /// A later datagram on its FIFO link was received first.
    overtaken: bool,
}

/// The network, each send known by its sender and Lamport time (which the
/// datagram carries).
struct Net<M> {
    kind: NetworkKind,
    flights: HashMap<(usize, u64), Flight<M>>,
    /// Ordered networks: each link's sends not yet received, oldest first.
    links: HashMap<(usize, usize), VecDeque<u64>>,
}

impl<M: Clone + PartialEq + Debug> Net<M> {
    fn send(&mut self, src: usize, lamport: u64, dst: usize, msg: &M, duplicated: bool) {
        let copies = if duplicated { 2 } else { 1 };
        self.flights.insert(
            (src, lamport),
            Flight {
                dst,
                msg: msg.clone(),
                copies,
                overtaken: false,
            },
        );
        if self.kind == NetworkKind::Ordered {
            self.links.entry((src, dst)).or_default().push_back(lamport);
        }
    }

    /// A copy of `src`'s send at `lamport` reached `dst`: why the model's
    /// network cannot have carried it, if it cannot.
    fn receive(
        &mut self,
        src: usize,
        lamport: Option<u64>,
        dst: usize,
        msg: &M,
        names: &[String],
    ) -> Result<(), String> {
        let Some(lamport) = lamport else {
            return Err("the datagram carries no send time".into());
        };
        let Some(f) = self.flights.get(&(src, lamport)) else {
            return Err(format!(
                "{} recorded no send at Lamport time {lamport}: the message was never sent",
                names[src]
            ));
        };
        if f.dst != dst || f.msg != *msg {
            return Err(format!(
                "{}'s send at Lamport time {lamport} was {:?} to {}",
                names[src], f.msg, names[f.dst]
            ));
        }
        if f.overtaken {
            return Err(format!(
                "a later message from {} to {} was received before it: the model's links are FIFO",
                names[src], names[dst]
            ));
        }
        let duplicating = self.kind == NetworkKind::UnorderedDuplicating;
        if f.copies == 0 && !duplicating {
            return Err(format!(
                "every copy {} put on the network was already received, and the model's network does not duplicate",
                names[src]
            ));
        }
        if self.kind == NetworkKind::Ordered {
            let link = self.links.entry((src, dst)).or_default();
            // Older sends on the link are lost: none may arrive later.
            while let Some(&front) = link.front() {
                if front >= lamport {
                    break;
                }
                link.pop_front();
                if let Some(older) = self.flights.get_mut(&(src, front)) {
                    older.overtaken = true;
                }
            }
        }
        let f = self.flights.get_mut(&(src, lamport)).expect("found above");
        f.copies = f.copies.saturating_sub(1);
        if f.copies == 0 && self.kind == NetworkKind::Ordered {
            let link = self.links.entry((src, dst)).or_default();
            if link.front() == Some(&lamport) {
                link.pop_front();
            }
        }
        Ok(())
    }

    /// What is on its way to `dst`, for the evidence (at most a few).
    fn towards(&self, dst: usize, names: &[String]) -> String {
        let mut on: Vec<(usize, u64, &M)> = self
            .flights
            .iter()
            .filter(|(_, f)| f.dst == dst && f.copies > 0 && !f.overtaken)
            .map(|(&(src, l), f)| (src, l, &f.msg))
            .collect();
        on.sort_by_key(|&(src, l, _)| (l, src));
        let n = on.len();
        let shown: Vec<String> = on
            .iter()
            .take(8)
            .map(|(src, l, m)| format!("{m:?} from {} (L{l})", names[*src]))
            .collect();
        let more = if n > 8 {
            format!(" and {} more", n - 8)
        } else {
            String::new()
        };
        format!("[{}{more}]", shown.join(", "))
    }
}

/// The events of each node's steps: the input event (none for the start)
/// and what it emitted.
struct Steps {
    /// Per node: the outputs of its start.
    start: Vec<Vec<usize>>,
    /// Per input event (delivery, timer, restart): its outputs.
    outputs: HashMap<usize, Vec<usize>>,
}

fn is_output<M, T>(k: &EventKind<M, T>) -> bool {
    matches!(
        k,
        EventKind::Sent { .. }
            | EventKind::Lost { .. }
            | EventKind::Cut { .. }
            | EventKind::Stored { .. }
            | EventKind::StorageFailed { .. }
            | EventKind::Chose { .. }
            | EventKind::Pending { .. }
    )
}

fn is_input<M, T>(k: &EventKind<M, T>) -> bool {
    matches!(
        k,
        EventKind::Delivered { .. }
            | EventKind::Timer(_)
            | EventKind::Restart { .. }
            | EventKind::Crash { .. }
            | EventKind::Selected { .. }
    )
}

fn steps<M, T>(events: &[Event<M, T>], n: usize) -> Steps {
    let mut steps = Steps {
        start: vec![Vec::new(); n],
        outputs: HashMap::new(),
    };
    let mut current: Vec<Option<usize>> = vec![None; n];
    for (i, e) in events.iter().enumerate() {
        if e.node >= n || matches!(e.kind, EventKind::Nemesis { .. }) {
            continue;
        }
        if is_input(&e.kind) {
            current[e.node] = Some(i);
            steps.outputs.insert(i, Vec::new());
        } else if is_output(&e.kind) {
            match current[e.node] {
                Some(input) => steps.outputs.entry(input).or_default().push(i),
                None => steps.start[e.node].push(i),
            }
        }
    }
    steps
}

fn output_of<M: Clone, T>(e: &Event<M, T>) -> Option<Output<M>> {
    Some(match &e.kind {
        EventKind::Sent { to, msg, .. }
        | EventKind::Lost { to, msg }
        | EventKind::Cut { to, msg } => Output::Send {
            to: *to,
            msg: msg.clone(),
        },
        EventKind::Stored { bytes } => Output::Stored { bytes: *bytes },
        EventKind::Chose { key, of, .. } => Output::Chose {
            key: key.clone(),
            of: *of,
        },
        EventKind::Pending { key, of } => Output::Pending {
            key: key.clone(),
            of: *of,
        },
        EventKind::StorageFailed { .. } => Output::StorageFailed,
        _ => return None,
    })
}

/// Validates `run`, the record of `actors` (node `i` known as `ids[i]`)
/// over a network of kind `network`. `run_only` tells the timers the real
/// run adds to the model's actors (counted apart).
pub fn validate<A>(
    actors: &[A],
    ids: &[Id],
    network: NetworkKind,
    run: &RunResult<A>,
    run_only: &dyn Fn(&A::Timer) -> bool,
) -> Validation
where
    A: Actor,
    A::Storage: Serialize,
{
    replay(actors, ids, network, run, run_only).validation
}

/// A run replayed through its actors: the validation, and each node's
/// state as the replay left it (at the end of the run, or before the step
/// it diverged at), and whether it was down.
pub struct Replayed<S> {
    pub validation: Validation,
    pub states: Vec<S>,
    pub down: Vec<bool>,
}

/// [`validate`], keeping the replayed states: how a run whose nodes were
/// processes learns them (its `run.states` empty: then the end states are
/// not compared with anything).
pub fn replay<A>(
    actors: &[A],
    ids: &[Id],
    network: NetworkKind,
    run: &RunResult<A>,
    run_only: &dyn Fn(&A::Timer) -> bool,
) -> Replayed<A::State>
where
    A: Actor,
    A::Storage: Serialize,
{
    let mut v = Validator {
        actors,
        ids,
        run,
        run_only,
        names: runtime::trace::names(actors),
        net: Net {
            kind: network,
            flights: HashMap::new(),
            links: HashMap::new(),
        },
        nodes: Vec::new(),
        steps: steps(&run.events, actors.len()),
        deferred: run.events.iter().any(|e| {
            matches!(
                e.kind,
                EventKind::Pending { .. } | EventKind::Selected { .. }
            )
        }),
        found: Validation {
            runs: 1,
            ..Validation::default()
        },
    };
    if let Err(d) = v.walk() {
        v.found.divergence = Some(*d);
    }
    let mut states = Vec::with_capacity(actors.len());
    let mut down = Vec::with_capacity(actors.len());
    for (i, actor) in actors.iter().enumerate() {
        match v.nodes.get(i) {
            Some(n) => {
                states.push(n.state.clone());
                down.push(n.crashed);
            }
            // Not reached: the replay stopped at an earlier node's start.
            None => {
                states.push(actor.on_start(ids[i], &None, &mut Out::new()));
                down.push(false);
            }
        }
    }
    Replayed {
        validation: v.found,
        states,
        down,
    }
}

struct Validator<'a, A: Actor> {
    actors: &'a [A],
    ids: &'a [Id],
    run: &'a RunResult<A>,
    run_only: &'a dyn Fn(&A::Timer) -> bool,
    names: Vec<String>,
    net: Net<A::Msg>,
    nodes: Vec<Node<A>>,
    steps: Steps,
    found: Validation,
    /// A held run: its nodes keep random choices pending, as the model
    /// does, rather than making them at once.
    deferred: bool,
}

/// Where a step happens, for its divergence.
struct At {
    event: usize,
    node: usize,
    recorded: String,
    action: String,
}

impl<A> Validator<'_, A>
where
    A: Actor,
    A::Storage: Serialize,
{
    fn node_of(&self, id: Id) -> Option<usize> {
        self.ids.iter().position(|i| *i == id)
    }

    fn before(&self, node: usize) -> String {
        let n = &self.nodes[node];
        format!(
            "{} {}{:?}; timers set: {:?}; on its way to it: {}",
            self.names[node],
            if n.crashed { "(down) " } else { "" },
            n.state,
            n.timers,
            self.net.towards(node, &self.names)
        )
    }

    fn diverge(&self, at: &At, reason: String) -> Box<Divergence> {
        self.diverge_with(at, reason, None, None)
    }

    fn diverge_with(
        &self,
        at: &At,
        reason: String,
        expected: Option<String>,
        found: Option<String>,
    ) -> Box<Divergence> {
        let model_before = if at.node < self.nodes.len() {
            self.before(at.node)
        } else {
            format!("{} not started", self.names[at.node])
        };
        Box::new(Divergence {
            seed: None,
            event: at.event,
            node_step: self.nodes.get(at.node).map_or(0, |n| n.steps),
            steps_before: self.found.steps,
            node: at.node,
            name: self.names[at.node].clone(),
            recorded: at.recorded.clone(),
            action: at.action.clone(),
            reason,
            model_before,
            expected,
            found,
        })
    }

    fn walk(&mut self) -> Result<(), Box<Divergence>> {
        let run = self.run;
        // Every node starts with the model's initial state: on_start with
        // no storage.
        for node in 0..self.actors.len() {
            let mut out = Out::new();
            let state = self.actors[node].on_start(self.ids[node], &None, &mut out);
            self.nodes.push(Node {
                state: state.clone(),
                timers: Vec::new(),
                crashed: false,
                saved: None,
                file: None,
                stopped: false,
                steps: 0,
                pending: Vec::new(),
            });
            let outputs = self.steps.start[node].clone();
            let at = At {
                event: outputs.first().copied().unwrap_or(0),
                node,
                recorded: format!("{}'s start", self.names[node]),
                action: "the initial state (on_start)".into(),
            };
            self.settle(&at, state, out, &outputs)?;
        }
        for (i, e) in run.events.iter().enumerate() {
            let node = e.node;
            if node >= self.nodes.len() || matches!(e.kind, EventKind::Nemesis { .. }) {
                continue;
            }
            let name = self.names[node].clone();
            match &e.kind {
                EventKind::Sent {
                    to,
                    msg,
                    duplicated,
                } => self.net.send(node, e.lamport, *to, msg, *duplicated),
                EventKind::Delivered { from, msg, ignored } => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!(
                            "{name} received {msg:?} from {} (sent at L{}){}",
                            self.names.get(*from).cloned().unwrap_or_default(),
                            e.sent_lamport.unwrap_or(0),
                            if *ignored { ", ignored" } else { "" }
                        ),
                        action: format!(
                            "Deliver {{ src: {}, dst: {name}, msg: {msg:?} }}",
                            self.names.get(*from).cloned().unwrap_or_default()
                        ),
                    };
                    self.deliver(&at, *from, e.sent_lamport, msg, *ignored)?;
                }
                EventKind::Dropped { from, msg } => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!("{msg:?} from node {from} reached {name} while down"),
                        action: "none: the network lost it".into(),
                    };
                    if !self.nodes[node].crashed {
                        return Err(self.diverge(&at, format!("{name} is not down")));
                    }
                    if let Err(why) =
                        self.net
                            .receive(*from, e.sent_lamport, node, msg, &self.names)
                    {
                        return Err(self.diverge(&at, format!("not enabled: {why}")));
                    }
                }
                EventKind::Timer(timer) => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!("{name}'s timer {timer:?} fired"),
                        action: format!("Timeout({name}, {timer:?})"),
                    };
                    self.timeout(&at, timer)?;
                }
                EventKind::Crash { stored } => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!("{name} crashed"),
                        action: format!("Crash({name})"),
                    };
                    let n = &self.nodes[node];
                    if n.crashed {
                        return Err(self.diverge(&at, format!("not enabled: {name} is down")));
                    }
                    self.storage_agrees(&at, stored, "held")?;
                    let n = &mut self.nodes[node];
                    n.crashed = true;
                    n.timers.clear();
                    n.pending.clear();
                    self.found.crashes += 1;
                    self.found.steps += 1;
                }
                EventKind::Restart { restored } => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!("{name} restarted"),
                        action: format!("Recover({name})"),
                    };
                    if !self.nodes[node].crashed {
                        return Err(self.diverge(&at, format!("not enabled: {name} is up")));
                    }
                    self.storage_agrees(&at, restored, "read back")?;
                    let mut out = Out::new();
                    let state = self.actors[node].on_start(
                        self.ids[node],
                        &self.nodes[node].saved,
                        &mut out,
                    );
                    self.nodes[node].crashed = false;
                    let outputs = self.steps.outputs.get(&i).cloned().unwrap_or_default();
                    self.settle(&at, state, out, &outputs)?;
                    self.found.restarts += 1;
                    self.found.steps += 1;
                }
                EventKind::Selected {
                    key, index, choice, ..
                } => {
                    let at = At {
                        event: i,
                        node,
                        recorded: format!("{name} made its pending choice {key:?}: {choice}"),
                        action: format!("SelectRandom({name}, {key:?}, {choice})"),
                    };
                    self.select(&at, key, *index)?;
                }
                EventKind::StorageFailed { .. } => self.nodes[node].stopped = true,
                _ => {}
            }
        }
        for node in 0..self.nodes.len() {
            let recorded = run.step_hashes.get(node).map_or(0, Vec::len);
            let n = &self.nodes[node];
            let at = At {
                event: run.events.len(),
                node,
                recorded: format!("{}'s last state", self.names[node]),
                action: "none: the end of the run".into(),
            };
            if n.stopped {
                continue;
            }
            if recorded != n.steps {
                return Err(self.diverge(
                    &at,
                    format!(
                        "the run recorded {recorded} steps of {}, its events {}",
                        self.names[node], n.steps
                    ),
                ));
            }
            if !run.states.is_empty() && run.states.get(node) != Some(&n.state) {
                return Err(self.diverge_with(
                    &at,
                    "state differs at the end of the run".into(),
                    Some(format!("{:?}", n.state)),
                    run.states.get(node).map(|s| format!("{s:?}")),
                ));
            }
        }
        Ok(())
    }

    /// What the node's storage file held (`recorded`, at a crash or a
    /// restart) must be what the model saved.
    fn storage_agrees(
        &self,
        at: &At,
        recorded: &Option<serde_json::Value>,
        verb: &str,
    ) -> Result<(), Box<Divergence>> {
        let n = &self.nodes[at.node];
        let model = n
            .file
            .as_ref()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok());
        if model == *recorded {
            return Ok(());
        }
        let show = |v: &Option<serde_json::Value>| match v {
            Some(v) => v.to_string(),
            None => "nothing".into(),
        };
        Err(self.diverge_with(
            at,
            format!("state differs: the storage file {verb} is not what the model saved"),
            Some(show(&model)),
            Some(show(recorded)),
        ))
    }

    fn deliver(
        &mut self,
        at: &At,
        from: usize,
        sent: Option<u64>,
        msg: &A::Msg,
        ignored: bool,
    ) -> Result<(), Box<Divergence>> {
        let node = at.node;
        if from >= self.nodes.len() {
            return Err(self.diverge(at, format!("not enabled: no node {from}")));
        }
        if self.nodes[node].crashed {
            return Err(self.diverge(at, format!("not enabled: {} is down", self.names[node])));
        }
        if let Err(why) = self.net.receive(from, sent, node, msg, &self.names) {
            return Err(self.diverge(at, format!("not enabled: {why}")));
        }
        let mut cow = Cow::Borrowed(&self.nodes[node].state);
        let mut out = Out::new();
        self.actors[node].on_msg(
            self.ids[node],
            &mut cow,
            self.ids[from],
            msg.clone(),
            &mut out,
        );
        let no_op = is_no_op(&cow, &out);
        let state = cow.into_owned();
        let outputs = self
            .steps
            .outputs
            .get(&at.event)
            .cloned()
            .unwrap_or_default();
        let before = self.nodes[node].state.clone();
        self.settle(at, state, out, &outputs)?;
        if no_op != ignored {
            let what = |no_op: bool| {
                if no_op {
                    "ignores it (no change, nothing sent)"
                } else {
                    "acts on it"
                }
            };
            // Restore the state before, so the evidence shows it.
            let after = std::mem::replace(&mut self.nodes[node].state, before);
            self.nodes[node].steps -= 1;
            return Err(self.diverge_with(
                at,
                "state differs: the real node and the model's actor disagree on whether the message changes anything".into(),
                Some(format!("the actor {}; its state after: {after:?}", what(no_op))),
                Some(format!("the node {}", what(ignored))),
            ));
        }
        // An ignored message is no step of an unordered network's model
        // (Stateright's `next_state` is `None`); on an ordered one it is
        // still taken off its link.
        if no_op && self.net.kind != NetworkKind::Ordered {
            self.found.no_ops += 1;
        } else {
            self.found.deliveries += 1;
            self.found.steps += 1;
        }
        Ok(())
    }

    /// A held run's pending choice `key` made with option `index`: the
    /// model's `SelectRandom`, which takes the choice off before the step's
    /// commands (they may ask again).
    fn select(&mut self, at: &At, key: &str, index: usize) -> Result<(), Box<Divergence>> {
        let node = at.node;
        let n = &self.nodes[node];
        if n.crashed {
            return Err(self.diverge(at, format!("not enabled: {} is down", self.names[node])));
        }
        let Some(k) = n.pending.iter().position(|(p, _)| p == key) else {
            return Err(self.diverge(at, format!("not enabled: no choice {key:?} is pending")));
        };
        let Some(pick) = n.pending[k].1.get(index).cloned() else {
            return Err(self.diverge(
                at,
                format!(
                    "not enabled: the choice {key:?} has {} options",
                    n.pending[k].1.len()
                ),
            ));
        };
        self.nodes[node].pending.remove(k);
        let n = &self.nodes[node];
        let mut cow = Cow::Borrowed(&n.state);
        let mut out = Out::new();
        self.actors[node].on_random(self.ids[node], &mut cow, &pick, &mut out);
        let state = cow.into_owned();
        let outputs = self
            .steps
            .outputs
            .get(&at.event)
            .cloned()
            .unwrap_or_default();
        self.settle(at, state, out, &outputs)?;
        self.found.choices += 1;
        self.found.steps += 1;
        Ok(())
    }

    fn timeout(&mut self, at: &At, timer: &A::Timer) -> Result<(), Box<Divergence>> {
        let node = at.node;
        let n = &self.nodes[node];
        if n.crashed {
            return Err(self.diverge(at, format!("not enabled: {} is down", self.names[node])));
        }
        if !n.timers.contains(timer) {
            return Err(self.diverge(at, format!("not enabled: {timer:?} is not set")));
        }
        let mut cow = Cow::Borrowed(&n.state);
        let mut out = Out::new();
        self.actors[node].on_timeout(self.ids[node], &mut cow, timer, &mut out);
        let no_op = is_no_op_with_timer(&cow, &out, timer);
        let state = cow.into_owned();
        if !no_op {
            // The timer is no longer set, unless the step sets it again.
            self.nodes[node].timers.retain(|t| t != timer);
        }
        let outputs = self
            .steps
            .outputs
            .get(&at.event)
            .cloned()
            .unwrap_or_default();
        self.settle(at, state, out, &outputs)?;
        if no_op {
            self.found.no_ops += 1;
        } else {
            self.found.timeouts += 1;
            self.found.steps += 1;
            if (self.run_only)(timer) {
                self.found.run_only += 1;
            }
        }
        Ok(())
    }

    /// The end of a step: `out` carried out on `state` as the runtime
    /// does (storage first, then sends, timers and random choices in
    /// order, a choice resolved as the run recorded it); what it emits
    /// must be the recorded `outputs`, and the state's hash the one the
    /// run recorded after the step.
    fn settle(
        &mut self,
        at: &At,
        mut state: A::State,
        out: Out<A>,
        outputs: &[usize],
    ) -> Result<(), Box<Divergence>> {
        let run = self.run;
        let recorded: Vec<Output<A::Msg>> = outputs
            .iter()
            .filter_map(|&o| output_of(&run.events[o]))
            .collect();
        let mut expected = Vec::new();
        let mut picks = outputs.iter().filter_map(|&o| match &run.events[o].kind {
            EventKind::Chose { key, index, of, .. } => Some((key.clone(), *index, *of)),
            _ => None,
        });
        let node = at.node;
        self.apply(node, out, &mut state, &mut picks, &mut expected);
        let matched =
            expected.len() == recorded.len() && expected.iter().zip(&recorded).all(|(e, r)| e == r);
        // A disk that fails is the environment's: the node stops there.
        let failed = recorded.last() == Some(&Output::StorageFailed)
            && expected.len() >= recorded.len()
            && expected[..recorded.len() - 1] == recorded[..recorded.len() - 1]
            && matches!(
                expected.get(recorded.len() - 1),
                Some(Output::Stored { .. })
            );
        if !matched && !failed {
            let sends = |o: &[Output<A::Msg>]| {
                o.iter()
                    .filter(|x| matches!(x, Output::Send { .. }))
                    .count()
            };
            let what = if sends(&expected) != sends(&recorded)
                || expected
                    .iter()
                    .filter(|x| matches!(x, Output::Send { .. }))
                    .ne(recorded.iter().filter(|x| matches!(x, Output::Send { .. })))
            {
                "sends differ"
            } else {
                "what the step emitted differs (storage writes or random choices)"
            };
            return Err(self.diverge_with(
                at,
                format!(
                    "{what}: expected {}, recorded {}",
                    show_all(&expected, &self.names),
                    show_all(&recorded, &self.names)
                ),
                Some(show_all(&expected, &self.names)),
                Some(show_all(&recorded, &self.names)),
            ));
        }
        self.found.sends += expected
            .iter()
            .filter(|x| matches!(x, Output::Send { .. }))
            .count();
        let k = self.nodes[node].steps;
        let hash = run.step_hashes.get(node).and_then(|h| h.get(k)).copied();
        if hash != Some(state_hash(&state)) {
            // The run keeps each node's last state whole; the others as
            // hashes.
            let last = run.step_hashes.get(node).map_or(0, Vec::len) == k + 1;
            let found = match (hash, last) {
                (None, _) => "no state recorded for this step".to_string(),
                (Some(_), true) => format!("{:?}", run.states[node]),
                (Some(h), false) => format!(
                    "a state whose hash is {h:#018x} (the run keeps only its last state whole)"
                ),
            };
            return Err(self.diverge_with(
                at,
                "state differs: the node's state after this step is not the model's".into(),
                Some(format!("{state:?}")),
                Some(found),
            ));
        }
        let n = &mut self.nodes[node];
        n.state = state;
        n.steps += 1;
        if failed {
            n.stopped = true;
        }
        Ok(())
    }

    fn apply(
        &mut self,
        node: usize,
        out: Out<A>,
        state: &mut A::State,
        picks: &mut dyn Iterator<Item = (String, usize, usize)>,
        expected: &mut Vec<Output<A::Msg>>,
    ) {
        let commands: Vec<_> = out.into_iter().collect();
        let last_save = commands.iter().rev().find_map(|c| match c {
            Command::Save(s) => Some(s),
            _ => None,
        });
        if let Some(storage) = last_save {
            let bytes = serde_json::to_vec(storage).unwrap_or_default();
            let n = &mut self.nodes[node];
            if n.file.as_deref() != Some(&bytes[..]) {
                expected.push(Output::Stored { bytes: bytes.len() });
                n.file = Some(bytes);
            }
        }
        for command in commands {
            match command {
                Command::Send(to, msg) => {
                    if let Some(to) = self.node_of(to) {
                        expected.push(Output::Send { to, msg });
                    }
                }
                Command::SetTimer(timer, _) => {
                    let timers = &mut self.nodes[node].timers;
                    timers.retain(|t| *t != timer);
                    timers.push(timer);
                }
                Command::CancelTimer(timer) => self.nodes[node].timers.retain(|t| *t != timer),
                Command::ChooseRandom(key, choices) if self.deferred => {
                    expected.push(Output::Pending {
                        key: key.clone(),
                        of: choices.len(),
                    });
                    let pending = &mut self.nodes[node].pending;
                    pending.retain(|(k, _)| *k != key);
                    if !choices.is_empty() {
                        pending.push((key, choices));
                    }
                }
                Command::ChooseRandom(key, choices) => {
                    if choices.is_empty() {
                        continue;
                    }
                    let of = choices.len();
                    expected.push(Output::Chose {
                        key: key.clone(),
                        of,
                    });
                    // The model's SelectRandom, with the option the run
                    // picked; without a matching pick, the outputs differ
                    // and nothing after it can be compared.
                    let Some((_, index, _)) = picks
                        .next()
                        .filter(|(k, i, o)| *k == key && *o == of && *i < of)
                    else {
                        return;
                    };
                    let mut cow = Cow::Borrowed(&*state);
                    let mut more = Out::new();
                    self.actors[node].on_random(
                        self.ids[node],
                        &mut cow,
                        &choices[index],
                        &mut more,
                    );
                    if let Cow::Owned(s) = cow {
                        *state = s;
                    }
                    self.found.choices += 1;
                    self.found.steps += 1;
                    self.apply(node, more, state, picks, expected);
                }
                Command::Save(storage) => self.nodes[node].saved = Some(storage),
            }
        }
    }
}
