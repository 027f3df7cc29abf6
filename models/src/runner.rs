//! Real runs: a protocol's own actors over UDP on loopback, and the model's
//! own `always` properties checked on what really happened.
//!
//! The recorded sends and deliveries are folded through the model's
//! `record_msg_out` / `record_msg_in` (the same functions that build the
//! history while checking, e.g. a linearizability tester), in the real-time
//! order the runtime logged them; the nodes' last states and that history
//! make one model state, on which every `always` property is evaluated.
//!
//! A protocol may crash one of its nodes mid-run ([`Runnable::crash`]): the
//! runtime stops it, drops what reaches it while it is down, and restarts it
//! from its storage file; the crash and the restart are printed with the
//! run. A real run may also give each actor a periodic step the checker
//! does not take ([`Ticking`], e.g. Raft's idle-period heartbeat).

use crate::processes;
use crate::registry::{Config, Params, RunOptions, RunReport};
use crate::validate::{validate, NetworkKind, Validation};
use runtime::faults::Scheduled;
use runtime::{self, Crash, EventKind, RunResult};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stateright::actor::{
    Actor, ActorModel, ActorModelState, Command, Envelope, Id, Out, RandomChoices, Timers,
};
use stateright::Expectation;
use std::borrow::Cow;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::time::Duration;

/// A protocol whose actors also run over real UDP.
pub trait Runnable: Config + Clone {
    type Actor: Actor<
            Msg: Ord + Serialize + DeserializeOwned + Send + 'static,
            Timer: Ord + Send + 'static + Serialize + DeserializeOwned,
            State: Send + 'static,
            Storage: Serialize + DeserializeOwned + Send,
            Random: Send,
        > + Clone
        + Send
        + 'static;
    type History: Clone + Debug + Hash;

    /// How many actors the configuration has.
    fn actor_count(&self) -> usize;
    /// The model with its actors known by `ids`: indices when checked,
    /// socket addresses when run.
    fn model_on(self, ids: &[Id]) -> ActorModel<Self::Actor, Self, Self::History>;
    /// True when the workload is complete, so the run may stop early.
    fn done(states: &[Option<<Self::Actor as Actor>::State>]) -> bool;
    /// What the clients observed, one line each, for the run's printout.
    fn observations(
        states: &[<Self::Actor as Actor>::State],
        history: &Self::History,
    ) -> Vec<String>;
    /// Whether a message, as the history records it, invokes a client's
    /// operation or returns it: the client is the node that sends it (an
    /// invocation; a return the client records itself) or receives it (a
    /// reply). Only messages the history takes count (a retransmitted
    /// request it ignores is no new operation), for the run's latency
    /// line ([`Operation`]). Default: the model has no clients.
    fn client_op(_msg: &<Self::Actor as Actor>::Msg) -> Option<OpEdge> {
        None
    }
    /// The register the history checker (`dsw history`) judges this run's
    /// clients by, and each client message as a line of their history
    /// ([`HistoryEdge`]): every real run with clients writes its history as
    /// `dsw history` reads it and checks it there too ([`client_history`]).
    /// Default: no clients.
    const CLIENT_HISTORY: Option<history::ModelKind> = None;
    /// A message the model's history takes (see [`Runnable::client_op`])
    /// as an invocation or a completion of its client's operation.
    fn history_edge(_msg: &<Self::Actor as Actor>::Msg) -> Option<HistoryEdge> {
        None
    }
    /// Real runs: whom to crash, when, and for how long. While no node is
    /// down, every few milliseconds, with the number of crashes so far and
    /// the nodes' states (none for a node not started yet): a `Some` crashes
    /// that node at once, and it restarts from its storage file after
    /// `down_for`. The run finishes only with every node up again. Default:
    /// no one (and `dsw run --no-crash` never asks).
    fn crash(
        &self,
        _crashes: usize,
        _states: &[Option<<Self::Actor as Actor>::State>],
    ) -> Option<Crash> {
        None
    }
    /// The configuration `dsw run` (and each `dsw node` it starts) runs,
    /// from the one the user gave: e.g. retransmission on, as the model's
    /// `lossy` scenario checks it, since a real network may lose what the
    /// default check's network never does. `dsw replay` runs the checked
    /// configuration as given. Default: the same configuration.
    fn for_real_network(self) -> Self {
        self
    }
    /// The configuration whose actors start in `init`, one of the checked
    /// model's initial states: where `dsw replay` starts its real nodes
    /// when a path begins there (FLP's eight input configurations are the
    /// initial states of one model, a real run's inputs one of them).
    /// Default: the configuration as given.
    fn starting_in(self, _init: &ActorModelState<Self::Actor, Self::History>) -> Self {
        self
    }
    /// The step a real run adds to each actor ([`Ticking`]'s `tick`), if
    /// it adds one: `dsw shrink` replays a trace's ticks with it. Default:
    /// none.
    fn run_only_step() -> Option<RunOnlyStep<Self::Actor>> {
        None
    }
}

/// A client's message as a line of its history (Jepsen's format, which
/// `dsw history` reads): the client is the node that sends it (an
/// invocation, or a return the client records itself) or receives it (a
/// reply).
#[derive(Clone, Debug, PartialEq)]
pub enum HistoryEdge {
    /// The client invokes `f` (`read`, `write`, `cas`, `append`) on `key`
    /// (kv only) with `value` (null for a read).
    Invoke {
        f: &'static str,
        key: Option<String>,
        value: serde_json::Value,
    },
    /// It returns ok: a read with the value read (`Some`), anything else
    /// with its invocation's value (`None`).
    Ok(Option<serde_json::Value>),
    /// It returns having taken no effect (Jepsen's `fail`).
    Fail,
}

/// The clients' history of a run as `dsw history` reads it: one JSON line
/// per invocation and completion, from the messages the model's history
/// takes ([`Runnable::history_edge`]), in the order the runtime logged
/// them (`index`). An operation never completed stays open: it may or may
/// not have taken effect. Empty for a model without clients.
pub fn client_history<C, R>(
    model: &ActorModel<C::Actor, C, C::History>,
    ids: &[Id],
    run: &RunResult<R>,
) -> String
where
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg>,
{
    let mut lines = Vec::new();
    let mut open: std::collections::HashMap<
        usize,
        (&'static str, Option<String>, serde_json::Value),
    > = Default::default();
    fold(model, ids, run, |e, msg| {
        let Some(edge) = C::history_edge(msg) else {
            return;
        };
        let (kind, (f, key, value)) = match edge {
            HistoryEdge::Invoke { f, key, value } => {
                open.insert(e.node, (f, key.clone(), value.clone()));
                ("invoke", (f, key, value))
            }
            HistoryEdge::Ok(result) => match open.remove(&e.node) {
                Some((f, key, value)) => ("ok", (f, key, result.unwrap_or(value))),
                None => return,
            },
            HistoryEdge::Fail => match open.remove(&e.node) {
                Some(op) => ("fail", op),
                None => return,
            },
        };
        let mut line = serde_json::json!({
            "process": e.node,
            "type": kind,
            "f": f,
            "value": value,
            "index": lines.len(),
        });
        if let Some(key) = key {
            line["key"] = serde_json::Value::from(key);
        }
        lines.push(line.to_string());
    });
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The check [`client_history`] adds to a real run's.
pub const HISTORY_LINEARIZABLE: &str =
    "the client history is linearizable (the history checker, dsw history)";

/// A step a real run adds to an actor ([`Ticking::tick`]).
pub type RunOnlyStep<A> = fn(&A, Id, &mut Cow<<A as Actor>::State>, &mut Out<A>);

/// The run's line for what `--fuzz` sent, by kind, and how many datagrams
/// the nodes recorded as malformed.
pub fn fuzz_line(f: &runtime::fuzz::FuzzReport, malformed: usize) -> String {
    format!(
        "fuzz: {} hostile datagrams sent ({} random bytes, {} real ones cut short, {} of the largest size, {} valid JSON of the wrong shape, {} real messages from an address that is no node's; {} from a node's own socket); the nodes recorded {malformed} as malformed and ignored them",
        f.sent(),
        f.random,
        f.truncated,
        f.oversized,
        f.wrong_json,
        f.replayed,
        f.from_a_node,
    )
}

/// The model with actors known by their indices: what the checker explores.
pub fn indexed<C: Runnable>(cfg: C) -> ActorModel<C::Actor, C, C::History> {
    let ids: Vec<Id> = (0..cfg.actor_count()).map(Id::from).collect();
    cfg.model_on(&ids)
}

/// `Protocol::run` for any [`Runnable`].
pub fn run_config<C>(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String>
where
    C: Runnable,
{
    run_cfg(C::new(variant, params).for_real_network(), variant, opts)
}

/// Runs `cfg`'s actors over UDP, as given: for a protocol whose real run
/// needs more than [`Runnable::for_real_network`] (e.g. Raft's own report).
pub fn run_cfg<C>(cfg: C, variant: &str, opts: &RunOptions) -> Result<RunReport, String>
where
    C: Runnable,
{
    Ok(report(&record(cfg, opts, |a| a)?, variant))
}

/// A real run, and the model state it makes.
pub struct Recorded<C: Runnable, R: Actor> {
    /// The model, its actors known by their socket addresses (`ids`).
    pub model: ActorModel<C::Actor, C, C::History>,
    pub ids: Vec<Id>,
    /// What the runtime recorded (of the actors as run, `R`).
    pub run: RunResult<R>,
    /// The nodes' last states and the history folded from the run: what
    /// the properties are evaluated on. A node down at the end is crashed.
    pub state: ActorModelState<C::Actor, C::History>,
    /// The nemesis's faults (`dsw run --nemesis`), in the order applied.
    pub schedule: Vec<Scheduled>,
    /// The actors as run, and which of their timers the real run adds to
    /// the model's actors ([`Ticking`]'s tick; none unless the caller
    /// says so).
    pub actors: Vec<R>,
    pub run_only: fn(&R::Timer) -> bool,
    /// Each node ran as its own OS process (`dsw run --processes`).
    pub processes: bool,
}

impl<C: Runnable, R: Actor> Recorded<C, R> {
    /// Node `i`'s name, as its actor gives it.
    pub fn name(&self, i: usize) -> String {
        actor_name(&self.model.actors, i)
    }
}

impl<C: Runnable, R: Actor<Storage: Serialize>> Recorded<C, R> {
    /// The run replayed through the model ([`crate::validate`]): the
    /// actors as run, over the model's network.
    pub fn validation(&self) -> Validation {
        let network = NetworkKind::of(&self.model.init_network);
        validate(&self.actors, &self.ids, network, &self.run, &self.run_only)
    }
}

fn actor_name<A: Actor>(actors: &[A], i: usize) -> String {
    match actors.get(i).map(Actor::name) {
        Some(name) if !name.is_empty() => name,
        _ => format!("node {i}"),
    }
}

/// Runs `cfg`'s actors, each as `wrap` makes it for a real run (the same
/// messages, states and storage; e.g. [`Ticking`]), with the crashes
/// [`Runnable::crash`] asks for unless `opts.crash` is false, and folds
/// the record into one model state.
pub fn record<C, R>(
    cfg: C,
    opts: &RunOptions,
    wrap: impl Fn(C::Actor) -> R,
) -> Result<Recorded<C, R>, String>
where
    C: Runnable,
    R: Actor<
            Msg = <C::Actor as Actor>::Msg,
            State = <C::Actor as Actor>::State,
            Storage = <C::Actor as Actor>::Storage,
            Timer: Send + 'static + Serialize + DeserializeOwned,
            Random: Send,
        > + Send
        + 'static,
{
    if let Some(node) = &opts.node {
        // One node of this configuration, as this process.
        let addrs = processes::cluster(node)?;
        if addrs.len() != cfg.actor_count() {
            return Err(format!(
                "the cluster file lists {} nodes; this configuration has {}",
                addrs.len(),
                cfg.actor_count()
            ));
        }
        let model = cfg.model_on(&processes::ids_of(&addrs));
        let actors: Vec<R> = model.actors.iter().cloned().map(&wrap).collect();
        processes::node(actors, addrs, opts, node)?;
        return Err(processes::ONE_NODE.into());
    }
    let hosts = opts.processes.as_ref().and_then(|p| p.hosts.as_ref());
    let bound = match hosts {
        // Nodes elsewhere (network namespaces): at the addresses given.
        Some(hosts) if hosts.len() == cfg.actor_count() => runtime::Bound {
            sockets: Vec::new(),
            ids: hosts.iter().map(|h| Id::from(h.addr)).collect(),
            storage: runtime::StorageDir::create()?,
        },
        Some(hosts) => {
            return Err(format!(
                "{} hosts given for {} nodes",
                hosts.len(),
                cfg.actor_count()
            ))
        }
        None => runtime::bind(cfg.actor_count())?,
    };
    let ids = bound.ids.clone();
    let model = cfg.model_on(&ids);
    let actors: Vec<R> = model.actors.iter().cloned().map(&wrap).collect();
    // The same again, for validation to replay.
    let run_actors: Vec<R> = model.actors.iter().cloned().map(&wrap).collect();
    let mut crashes = 0;
    // With a nemesis, it alone crashes nodes.
    let own_crash = opts.own_crash();
    let crash = |states: &[Option<<C::Actor as Actor>::State>]| {
        let c = own_crash
            .then(|| model.cfg.crash(crashes, states))
            .flatten()?;
        crashes += 1;
        Some(c)
    };
    let mut run_cfg = opts.run_config();
    if let Some(nemesis) = &opts.nemesis {
        let n = model.actors.len();
        run_cfg.nemesis = runtime::faults::schedule(&nemesis.kinds, n, opts.seed, opts.duration);
        let name = |i: usize| actor_name(&model.actors, i);
        for s in &run_cfg.nemesis {
            (nemesis.announce)(&s.line(&name));
        }
    }
    let schedule = run_cfg.nemesis.clone();
    let run = match &opts.processes {
        Some(p) => {
            let network = NetworkKind::of(&model.init_network);
            processes::drive(&actors, network, bound, &run_cfg, p, C::done, crash)?
        }
        None => runtime::run_with(actors, bound, &run_cfg, C::done, crash),
    };

    let state = end_state(&model, &ids, &run);
    Ok(Recorded {
        model,
        ids,
        run,
        state,
        schedule,
        actors: run_actors,
        run_only: |_| false,
        processes: opts.processes.is_some(),
    })
}

/// The model state a real run ends in: the nodes' last states (a node down
/// at the end is crashed), and the history folded from the run's sends and
/// deliveries through the model's `record_msg_out` / `record_msg_in`, in
/// the order the runtime logged them. Its network is the initial one.
pub(crate) fn end_state<
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg, State = <C::Actor as Actor>::State>,
>(
    model: &ActorModel<C::Actor, C, C::History>,
    ids: &[Id],
    run: &RunResult<R>,
) -> ActorModelState<C::Actor, C::History> {
    let history = fold(model, ids, run, |_, _| {});
    let n = run.states.len();
    ActorModelState {
        actor_states: run.states.iter().cloned().map(Arc::new).collect(),
        network: model.init_network.clone(),
        timers_set: vec![Timers::new(); n],
        random_choices: vec![RandomChoices::default(); n],
        crashed: run.down.clone(),
        history,
        actor_storages: vec![None; n],
    }
}

/// The run's sends and deliveries folded, in the order the runtime logged
/// them, through the model's `record_msg_out` / `record_msg_in`: the
/// history the properties read. `taken` is called with each event that
/// changed it, and its message.
fn fold<C, R>(
    model: &ActorModel<C::Actor, C, C::History>,
    ids: &[Id],
    run: &RunResult<R>,
    mut taken: impl FnMut(&runtime::Event<R::Msg, R::Timer>, &R::Msg),
) -> C::History
where
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg>,
{
    let mut history = model.init_history.clone();
    for e in &run.events {
        let (src, dst, msg, out) = match &e.kind {
            // A lost message was still sent: the model records it on send too.
            // So is one a partition cut.
            EventKind::Sent { to, msg, .. }
            | EventKind::Lost { to, msg }
            | EventKind::Cut { to, msg } => (ids[e.node], ids[*to], msg, true),
            EventKind::Delivered {
                from,
                msg,
                ignored: false,
            } => (ids[*from], ids[e.node], msg, false),
            // The checker takes no step for an ignored delivery, and
            // records no history for it either; a message dropped at a
            // node that is down was never received.
            EventKind::Delivered { ignored: true, .. }
            | EventKind::Timer(_)
            | EventKind::Malformed { .. }
            | EventKind::Stored { .. }
            | EventKind::StorageFailed { .. }
            | EventKind::Crash { .. }
            | EventKind::Dropped { .. }
            | EventKind::Restart { .. }
            | EventKind::Nemesis { .. }
            | EventKind::Paused
            | EventKind::Resumed
            | EventKind::Chose { .. }
            | EventKind::Pending { .. }
            | EventKind::Selected { .. } => continue,
        };
        let envelope = Envelope { src, dst, msg };
        let record = if out {
            model.record_msg_out
        } else {
            model.record_msg_in
        };
        if let Some(h) = record(&model.cfg, &history, envelope) {
            history = h;
            taken(e, msg);
        }
    }
    history
}

/// The run's trace as `dsw run --trace` writes it: messages and timers
/// with node ids written as the model writes them ([`model_ids`]), so that
/// `dsw shrink` can match them with the model's steps, and the real run's
/// own timers marked ([`Recorded::run_only`]).
fn trace<C, R>(rec: &Recorded<C, R>) -> Vec<runtime::trace::TraceEvent>
where
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg>,
{
    let mut lines = runtime::trace::trace(&rec.run, &runtime::trace::names(&rec.model.actors));
    for (line, e) in lines.iter_mut().zip(&rec.run.events) {
        if let Some(label) = &mut line.label {
            *label = model_ids(label, &rec.ids);
        }
        if let Some(timer) = &mut line.timer {
            *timer = model_ids(timer, &rec.ids);
        }
        if let EventKind::Timer(timer) = &e.kind {
            line.run_only = (rec.run_only)(timer);
        }
    }
    lines
}

/// Where a message stands in a client's operation ([`Runnable::client_op`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpEdge {
    Invoke,
    Return,
}

/// A client's operation on a real run: its node, and the real times (from
/// the run's start) it was invoked and returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub client: usize,
    pub invoked: Duration,
    pub returned: Option<Duration>,
}

/// The clients' operations of a run, in the order invoked, as the history
/// records them ([`Runnable::client_op`]).
pub fn operations<C, R>(
    model: &ActorModel<C::Actor, C, C::History>,
    ids: &[Id],
    run: &RunResult<R>,
) -> Vec<Operation>
where
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg>,
{
    let mut ops: Vec<Operation> = Vec::new();
    let mut open: std::collections::HashMap<usize, usize> = Default::default();
    fold(model, ids, run, |e, msg| match C::client_op(msg) {
        Some(OpEdge::Invoke) => {
            open.insert(e.node, ops.len());
            ops.push(Operation {
                client: e.node,
                invoked: e.at,
                returned: None,
            });
        }
        Some(OpEdge::Return) => {
            if let Some(i) = open.remove(&e.node) {
                ops[i].returned = Some(e.at);
            }
        }
        None => {}
    });
    ops
}

/// The `p`-th percentile (0 < p <= 100) of `sorted` by nearest rank: the
/// smallest value with at least p% of the values at or below it. None
/// when there are no values.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

/// The run's throughput and its clients' latency, one line: operations
/// returned per second of the run, messages sent per second, and the
/// latency (invoke to return, real time) at p50 and p99. None without
/// client operations.
pub fn clients_line(ops: &[Operation], sent: usize, elapsed: Duration) -> Option<String> {
    if ops.is_empty() {
        return None;
    }
    let mut latencies: Vec<Duration> = ops
        .iter()
        .filter_map(|o| Some(o.returned? - o.invoked))
        .collect();
    latencies.sort();
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    let ms = |d: Option<Duration>| {
        d.map_or("-".to_string(), |d| {
            format!("{:.1} ms", d.as_secs_f64() * 1e3)
        })
    };
    let few = match latencies.len() {
        0 => "; none returned".to_string(),
        n if n < 100 => format!("; of {n}, so p99 is the slowest"),
        _ => String::new(),
    };
    Some(format!(
        "clients: {} of {} operations returned in {secs:.2} s ({:.0} ops/s, {:.0} messages sent/s), latency p50 {}, p99 {} (invoke to return, real time{few})",
        latencies.len(),
        ops.len(),
        latencies.len() as f64 / secs,
        sent as f64 / secs,
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 99.0)),
    ))
}

/// The run's report: the model's `always` properties on the recorded
/// state, whether the workload finished, the crashes and restarts, and
/// the evidence of any failed check.
pub fn report<C, R>(rec: &Recorded<C, R>, variant: &str) -> RunReport
where
    C: Runnable,
    R: Actor<Msg = <C::Actor as Actor>::Msg, Storage = <C::Actor as Actor>::Storage>,
{
    let run = &rec.run;
    let state = &rec.state;
    let sent = run.count(|k| matches!(k, EventKind::Sent { .. }));
    let received = run.count(|k| matches!(k, EventKind::Delivered { .. }));
    let lost = run.count(|k| matches!(k, EventKind::Lost { .. }));
    let malformed = run.count(|k| matches!(k, EventKind::Malformed { .. }));
    let states: Vec<_> = state.actor_states.iter().map(|s| (**s).clone()).collect();
    let mut observations = Vec::new();
    if rec.processes {
        observations.push(format!(
            "processes: each of the {} nodes ran as its own OS process (dsw node) at the address the run's cluster file gave it; their records were merged and replayed through the model to rebuild their states",
            states.len()
        ));
    }
    observations.extend(
        C::observations(&states, &state.history)
            .iter()
            .map(|l| model_ids(l, &rec.ids)),
    );
    let ops = operations::<C, R>(&rec.model, &rec.ids, run);
    observations.extend(clients_line(&ops, sent, run.elapsed));
    observations.extend(crash_lines(rec));
    observations.extend(nemesis_lines(rec));
    if let Some(f) = &run.fuzz {
        observations.push(fuzz_line(f, malformed));
    }
    if let Some(dir) = &run.storage_dir {
        observations.push(format!("storage kept in {}", dir.display()));
    }
    let failures: Vec<String> = run
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::StorageFailed { error } => Some(format!("{}: {error}", rec.name(e.node))),
            _ => None,
        })
        .collect();
    let mut checks: Vec<(String, bool)> = rec
        .model
        .properties
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .map(|p| (p.name.to_string(), (p.condition)(&rec.model, state)))
        .collect();
    checks.push(("workload finished in time".into(), run.finished));
    let mut history_evidence = None;
    if let Some(kind) = C::CLIENT_HISTORY {
        let text = client_history(&rec.model, &rec.ids, run);
        let (line, linearizable) = match history::parse(&text, kind) {
            Ok(parsed) => {
                let ops = match parsed.failed {
                    0 => format!("{} operations", parsed.ops.len()),
                    failed => format!(
                        "{} operations and {failed} that failed (took no effect)",
                        parsed.ops.len()
                    ),
                };
                match history::check(&parsed) {
                    history::Verdict::Linearizable => {
                        (format!("client history: {ops}, linearizable"), true)
                    }
                    history::Verdict::NotLinearizable(f) => (
                        format!("client history: {ops}, NOT linearizable: {f:?}"),
                        false,
                    ),
                }
            }
            Err(e) => (format!("client history: does not parse: {e:?}"), false),
        };
        observations.push(line);
        if let Some(dir) = &run.storage_dir {
            let file = dir.join("history.jsonl");
            observations.push(match std::fs::write(&file, &text) {
                Ok(()) => format!(
                    "client history written to {} (dsw history {} --model {})",
                    file.display(),
                    file.display(),
                    kind.name()
                ),
                Err(e) => format!("cannot write {}: {e}", file.display()),
            });
        }
        if !linearizable {
            history_evidence = Some(format!("client history:\n{text}"));
        }
        checks.push((HISTORY_LINEARIZABLE.into(), linearizable));
    }
    let validation = rec.validation();
    checks.push((VALIDATED.into(), validation.valid()));
    if !failures.is_empty() {
        checks.push(("storage written and read back".into(), false));
    }
    // A violation's evidence: every node's last state, and the history the
    // properties read, so the values and nodes that break it are in view.
    let evidence = if checks.iter().all(|(_, ok)| *ok) {
        Vec::new()
    } else {
        let lines = state.actor_states.iter().enumerate().map(|(i, s)| {
            format!(
                "{}: {}",
                rec.name(i),
                model_ids(&format!("{s:?}"), &rec.ids)
            )
        });
        let history = model_ids(&format!("history: {:?}", state.history), &rec.ids);
        failures
            .into_iter()
            .chain(lines)
            .chain(Some(history).filter(|h| h != "history: ()"))
            .chain(history_evidence)
            .collect()
    };
    RunReport {
        model: String::new(),
        variant: variant.to_string(),
        sent,
        received,
        lost,
        malformed,
        seconds: run.elapsed.as_secs_f64(),
        observations,
        checks,
        evidence,
        // Labels as the checker prints them (node ids as indices), so the
        // explorer and `dsw shrink` match them to the model's steps.
        trace: trace(rec),
        fuzz: run.fuzz.clone(),
        validation,
    }
}

/// The check trace validation adds to a run's.
pub const VALIDATED: &str = "trace validation: every recorded step is one the model takes";

/// One line per crash and per restart, in order.
fn crash_lines<C: Runnable, R: Actor>(rec: &Recorded<C, R>) -> Vec<String> {
    let bytes = |v: &Option<serde_json::Value>| match v {
        Some(v) => format!("{} bytes", v.to_string().len()),
        None => "nothing".to_string(),
    };
    // Datagrams dropped at a node while it was down.
    let dropped = |node: usize| {
        let events = rec.run.events.iter();
        events
            .filter(|e| e.node == node && matches!(e.kind, EventKind::Dropped { .. }))
            .count()
    };
    rec.run
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Crash { stored } => Some(format!(
                "crash: {} at {:.3} s{} (its storage file held {})",
                rec.name(e.node),
                e.at.as_secs_f64(),
                if rec.processes {
                    ", SIGKILL to its process"
                } else {
                    ""
                },
                bytes(stored)
            )),
            EventKind::Restart { restored } if rec.processes => Some(format!(
                "restart: {} at {:.3} s, a new process from its storage file ({} read back; datagrams sent to it while it was down found no socket)",
                rec.name(e.node),
                e.at.as_secs_f64(),
                bytes(restored),
            )),
            EventKind::Restart { restored } => Some(format!(
                "restart: {} at {:.3} s, from its storage file ({} read back; {} datagrams dropped while it was down)",
                rec.name(e.node),
                e.at.as_secs_f64(),
                bytes(restored),
                dropped(e.node)
            )),
            _ => None,
        })
        .collect()
}

/// One line per fault of the nemesis: when it really started and healed,
/// and what it did (datagrams cut; what the paused node did while paused).
fn nemesis_lines<C: Runnable, R: Actor>(rec: &Recorded<C, R>) -> Vec<String> {
    use runtime::faults::Fault;
    let events = &rec.run.events;
    let name = |i: usize| rec.name(i);
    let at = |index: usize, healed: bool| {
        events.iter().find_map(|e| match e.kind {
            EventKind::Nemesis {
                index: i,
                healed: h,
            } if i == index && h == healed => Some(e.at),
            _ => None,
        })
    };
    let secs = |d: Option<std::time::Duration>| match d {
        Some(d) => format!("{:.3} s", d.as_secs_f64()),
        None => "never (the run ended)".to_string(),
    };
    rec.schedule
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (from, to) = (at(i, false), at(i, true));
            let within = |e: &&runtime::Event<R::Msg, R::Timer>| {
                from.is_some_and(|f| e.at >= f) && to.is_none_or(|t| e.at <= t)
            };
            let what = match &s.fault {
                Fault::Partition(_) => format!(
                    "{} datagrams cut",
                    events
                        .iter()
                        .filter(within)
                        .filter(|e| matches!(e.kind, EventKind::Cut { .. }))
                        .count()
                ),
                Fault::Pause(k) => {
                    // What the node did between its thread stopping and
                    // resuming.
                    let stopped = events.iter().position(|e| {
                        e.node == *k && matches!(e.kind, EventKind::Paused) && within(&e)
                    });
                    let handled = stopped.map(|p| {
                        events[p + 1..]
                            .iter()
                            .filter(|e| e.node == *k)
                            .take_while(|e| !matches!(e.kind, EventKind::Resumed))
                            .filter(|e| !matches!(e.kind, EventKind::Nemesis { .. }))
                            .count()
                    });
                    match handled {
                        Some(0) => format!("{} did nothing while paused", name(*k)),
                        Some(h) => format!("{} did {h} things while paused", name(*k)),
                        None => format!("{} never paused", name(*k)),
                    }
                }
                Fault::Kill(k) => format!("{} down (see its crash and restart)", name(*k)),
            };
            format!(
                "nemesis: {} from {} to {}, {what}",
                s.fault.describe(&name),
                secs(from),
                secs(to)
            )
        })
        .collect()
}

/// The timer of a [`Ticking`] actor: the actor's own, or its tick.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TickTimer<T> {
    Actor(T),
    Tick,
}

/// The actor's own timer as the model prints it (a trace's timer lines
/// then read as the checker's steps do); the tick as `Tick`.
impl<T: Debug> Debug for TickTimer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TickTimer::Actor(t) => t.fmt(f),
            TickTimer::Tick => f.write_str("Tick"),
        }
    }
}

impl<T> TickTimer<T> {
    /// The tick: a step of the real run only ([`Recorded::run_only`]).
    pub fn is_tick(&self) -> bool {
        matches!(self, TickTimer::Tick)
    }
}

/// An actor with one more step on a real run: `tick`, every `period`. The
/// checker never takes it (it explores the actor alone); a real run needs
/// it where a protocol repeats itself on a clock, as Raft's leader sends
/// AppendEntries "during idle periods to prevent election timeouts" and
/// so retransmits what was lost (Figure 2). Same messages, states and
/// storage as the actor.
#[derive(Clone)]
pub struct Ticking<A: Actor> {
    pub actor: A,
    pub period: Duration,
    pub tick: fn(&A, Id, &mut Cow<A::State>, &mut Out<A>),
}

impl<A: Actor + Debug> Debug for Ticking<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} ticking every {:?}", self.actor, self.period)
    }
}

/// The actor's commands as the ticking actor's.
fn lift<A: Actor>(inner: Out<A>, o: &mut Out<Ticking<A>>) {
    for command in inner {
        match command {
            Command::Send(to, msg) => o.send(to, msg),
            Command::SetTimer(t, range) => o.set_timer(TickTimer::Actor(t), range),
            Command::CancelTimer(t) => o.cancel_timer(TickTimer::Actor(t)),
            Command::ChooseRandom(key, choices) => o.choose_random(key, choices),
            Command::Save(storage) => o.save(storage),
        }
    }
}

impl<A: Actor> Actor for Ticking<A> {
    type Msg = A::Msg;
    type Timer = TickTimer<A::Timer>;
    type State = A::State;
    type Storage = A::Storage;
    type Random = A::Random;

    fn name(&self) -> String {
        self.actor.name()
    }

    fn on_start(&self, id: Id, storage: &Option<A::Storage>, o: &mut Out<Self>) -> A::State {
        let mut inner = Out::new();
        let state = self.actor.on_start(id, storage, &mut inner);
        lift(inner, o);
        o.set_timer(TickTimer::Tick, runtime::exactly(self.period));
        state
    }

    fn on_msg(&self, id: Id, state: &mut Cow<A::State>, src: Id, msg: A::Msg, o: &mut Out<Self>) {
        let mut inner = Out::new();
        self.actor.on_msg(id, state, src, msg, &mut inner);
        lift(inner, o);
    }

    fn on_timeout(
        &self,
        id: Id,
        state: &mut Cow<A::State>,
        timer: &TickTimer<A::Timer>,
        o: &mut Out<Self>,
    ) {
        let mut inner = Out::new();
        match timer {
            TickTimer::Actor(t) => self.actor.on_timeout(id, state, t, &mut inner),
            TickTimer::Tick => {
                (self.tick)(&self.actor, id, state, &mut inner);
                o.set_timer(TickTimer::Tick, runtime::exactly(self.period));
            }
        }
        lift(inner, o);
    }

    fn on_random(&self, id: Id, state: &mut Cow<A::State>, random: &A::Random, o: &mut Out<Self>) {
        let mut inner = Out::new();
        self.actor.on_random(id, state, random, &mut inner);
        lift(inner, o);
    }
}

/// `text` (a state's `Debug`) with every real node id written as the
/// model writes it, `i` for node `i`: `Id(n)`, and the bare numbers some
/// models print (raft-kv's `[client.seq op]`). A real id is a socket's
/// address and port, far above any index or value a model uses, so a
/// number is taken for one only when it is a whole run of digits equal
/// to a real id of at least 2^16. A real run's evidence and trace then
/// read as the checker's counterexamples do.
fn model_ids(text: &str, ids: &[Id]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let digits = from.len() - from.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (number, tail) = from.split_at(digits);
        let node = number
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 1 << 16)
            .and_then(|n| ids.iter().position(|id| usize::from(*id) == n));
        match node {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str(number),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Every message in flight. Stateright 0.31's `Network::iter_all` never
/// ends on an ordered network (its iterator returns a link's first
/// message again and again), so the FIFO links are walked here, each in
/// its order.
pub fn in_flight<M: Eq + std::hash::Hash>(
    network: &stateright::actor::Network<M>,
) -> Box<dyn Iterator<Item = stateright::actor::Envelope<&M>> + '_> {
    use stateright::actor::{Envelope, Network};
    match network {
        Network::Ordered(links) => Box::new(links.iter().flat_map(|(&(src, dst), queue)| {
            queue.iter().map(move |msg| Envelope { src, dst, msg })
        })),
        network => Box::new(network.iter_all()),
    }
}

#[cfg(test)]
mod tests {
    use super::{clients_line, model_ids, percentile, Operation};
    use std::time::Duration;

    /// Nearest rank: p50 of 1..=10 ms is 5 ms, p99 is 10 ms; of 200
    /// values p99 is the 198th; one value is every percentile; none is
    /// none.
    #[test]
    fn percentiles_are_nearest_ranks() {
        let ms = |n: u64| Duration::from_millis(n);
        let ten: Vec<Duration> = (1..=10).map(ms).collect();
        assert_eq!(percentile(&ten, 50.0), Some(ms(5)));
        assert_eq!(percentile(&ten, 99.0), Some(ms(10)));
        assert_eq!(percentile(&ten, 10.0), Some(ms(1)));
        let many: Vec<Duration> = (1..=200).map(ms).collect();
        assert_eq!(percentile(&many, 99.0), Some(ms(198)));
        assert_eq!(percentile(&many, 50.0), Some(ms(100)));
        assert_eq!(percentile(&[ms(7)], 99.0), Some(ms(7)));
        assert_eq!(percentile(&[], 50.0), None);
    }

    /// The line counts what returned, and its latencies only.
    #[test]
    fn the_clients_line_reads_the_operations() {
        let op = |invoked: u64, returned: Option<u64>| Operation {
            client: 0,
            invoked: Duration::from_millis(invoked),
            returned: returned.map(Duration::from_millis),
        };
        let ops = [op(0, Some(4)), op(10, Some(12)), op(20, None)];
        let line = clients_line(&ops, 50, Duration::from_millis(500)).unwrap();
        assert_eq!(
            line,
            "clients: 2 of 3 operations returned in 0.50 s (4 ops/s, 100 messages sent/s), latency p50 2.0 ms, p99 4.0 ms (invoke to return, real time; of 2, so p99 is the slowest)"
        );
        assert_eq!(clients_line(&[], 50, Duration::from_secs(1)), None);
    }
    use stateright::actor::Id;

    #[test]
    fn real_ids_read_as_the_models() {
        let ids = [Id::from(139_637_976_829_988), Id::from(139_637_976_831_708)];
        assert_eq!(
            model_ids(
                "{ballot: (1, Id(139637976831708)), from: Id(139637976829988), other: Id(7)}",
                &ids
            ),
            "{ballot: (1, Id(1)), from: Id(0), other: Id(7)}"
        );
        assert_eq!(model_ids("Id(", &ids), "Id(");
        assert_eq!(
            model_ids(
                "entries: [1[139637976829988.2 Get(x)]], 1396379768299880",
                &ids
            ),
            "entries: [1[0.2 Get(x)]], 1396379768299880"
        );
    }
}
