//! `dsw shrink`: a real run's trace (`dsw run --trace`) or a counterexample
//! path cut down by delta debugging ([`checker::shrink`]) to the events the
//! violation needs.
//!
//! A trace's model events are its deliveries (`delivered`: sender, receiver
//! and message), timers, crashes, restarts and random choices; its sends,
//! losses, cuts and storage writes are what those steps did, not steps.
//! They are replayed on the model with the real run's actors and network
//! ([`Runnable::for_real_network`], [`runner::indexed`]), its lanes the
//! trace's node numbers, as trace validation ([`crate::validate`]) replays
//! the run: the trace writes node ids as the model does, a crash is the
//! model's `Crash` and a restart its `Recover` (from the node's durable
//! storage; the model allows as many nodes down at once as the trace has),
//! and a timer only the real run has (a heartbeat) is its actor's step
//! ([`Runnable::run_only_step`]) taken on the model's state. A path is
//! followed on the model as checked.

use crate::registry::{Params, Protocol};
use crate::runner::{self, Runnable};
use checker::analyses::Analyses;
use checker::describe::Describe;
use checker::shrink::{Event, Extra, Replay, Shrunk, Target};
use checker::summary::{Change, Step, StepKind};
use runtime::trace::{TraceEvent, TraceKind};
use stateright::actor::{Actor, ActorModel, ActorModelState, Command, Envelope, Id, Network, Out};
use stateright::{Expectation, Model};
use std::borrow::Cow;
use std::sync::Arc;

/// What to shrink.
pub enum Input<'a> {
    /// A real run's trace, as `runtime::trace::parse` reads it, and each
    /// event's line in its file (from 1, blank lines counted).
    Trace {
        events: &'a [TraceEvent],
        lines: &'a [usize],
    },
    /// A path in the explorer's encoding: `0/3/1`.
    Path(&'a str),
}

/// Where the explorer shows a shrunk schedule's violation: the
/// configuration's parameters that differ from their defaults, and the
/// path.
#[derive(Debug)]
pub struct Explorer {
    pub params: Vec<(&'static str, i64)>,
    pub path: String,
}

/// A schedule shrunk.
#[derive(Debug)]
pub struct Outcome {
    /// The property it violates.
    pub property: String,
    /// The model's lanes.
    pub lanes: Vec<String>,
    /// The input's model events, and where each came from (`trace line
    /// 12`, `step 3 of the path`).
    pub events: Vec<Event>,
    pub origin: Vec<String>,
    /// For a trace: each event's index in it.
    pub trace_index: Vec<usize>,
    pub shrunk: Shrunk,
    /// The shrunk schedule in the explorer, or why it has none there.
    pub explorer: Result<Explorer, String>,
}

/// Why there is no shrunk schedule: bad input (exit 2); an input the model
/// follows to the end without a violation (exit 1); or one it cannot
/// follow, so that it shows no violation on the model (exit 1).
#[derive(Debug)]
pub enum Failed {
    BadInput(String),
    NoViolation(String),
    Stuck(String),
}

/// `shrink(protocol, variant, params, input, property)` for one protocol.
pub type ShrinkFn =
    fn(&Protocol, &str, &Params, &Input<'_>, Option<&str>) -> Result<Outcome, Failed>;

/// The protocols whose real run's actors are their model's, so that a
/// trace maps onto the model, and their shrinkers. (gossip's and swim's
/// real members pick peers at random once a period, the checked ones any
/// peer at any time: their traces do not map.)
pub fn shrinker(name: &str) -> Result<ShrinkFn, String> {
    use crate::{
        abd_register, alternating_bit, byzantine_generals, causal_broadcast, chandy_lamport,
        crawler, flp, lamport_clocks, lamport_mutex, mapreduce, paxos, raft, raft_kv,
        reliable_broadcast, rpc_kv, three_phase_commit, total_order_broadcast, two_phase_commit,
    };
    Ok(match name {
        "abd-register" => shrink_config::<abd_register::AbdCfg>,
        "alternating-bit" => shrink_config::<alternating_bit::AbpCfg>,
        "byzantine-generals" => shrink_config::<byzantine_generals::ByzantineCfg>,
        "causal-broadcast" => shrink_config::<causal_broadcast::CbCfg>,
        "chandy-lamport" => shrink_config::<chandy_lamport::SnapshotCfg>,
        "crawler" => shrink_config::<crawler::CrawlerCfg>,
        "flp" => shrink_config::<flp::FlpCfg>,
        "lamport-clocks" => shrink_config::<lamport_clocks::ClocksCfg>,
        "lamport-mutex" => shrink_config::<lamport_mutex::MutexCfg>,
        "mapreduce" => shrink_config::<mapreduce::MrCfg>,
        "paxos" => shrink_config::<paxos::PaxosCfg>,
        "raft" => shrink_config::<raft::RaftCfg>,
        "raft-kv" => shrink_config::<raft_kv::RaftKvCfg>,
        "rpc-kv" => shrink_config::<rpc_kv::KvCfg>,
        "three-phase-commit" => shrink_config::<three_phase_commit::ThreePhaseCfg>,
        "total-order-broadcast" => shrink_config::<total_order_broadcast::TobCfg>,
        "reliable-broadcast" => shrink_config::<reliable_broadcast::RbCfg>,
        "two-phase-commit" => shrink_config::<two_phase_commit::TwoPhaseCfg>,
        _ => {
            return Err(format!(
            "{name} cannot be shrunk: its real run's actors are not its model's; shrinkable: {}",
            SHRINKABLE.join(", ")
        ))
        }
    })
}

/// The protocols [`shrinker`] shrinks.
pub const SHRINKABLE: &[&str] = &[
    "abd-register",
    "alternating-bit",
    "byzantine-generals",
    "causal-broadcast",
    "chandy-lamport",
    "crawler",
    "flp",
    "lamport-clocks",
    "lamport-mutex",
    "mapreduce",
    "paxos",
    "raft",
    "raft-kv",
    "reliable-broadcast",
    "rpc-kv",
    "three-phase-commit",
    "total-order-broadcast",
    "two-phase-commit",
];

/// A trace's model events, and each one's index in it.
pub fn trace_events(trace: &[TraceEvent]) -> (Vec<Event>, Vec<usize>) {
    trace
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let (kind, from, label) = match e.kind {
                TraceKind::Delivered => (StepKind::Deliver, e.peer, e.label.clone()?),
                TraceKind::Timer => (StepKind::Timeout, None, e.label.clone()?),
                TraceKind::Crash => (StepKind::Crash, None, "crash".into()),
                TraceKind::Restart => (StepKind::Recover, None, "recover".into()),
                TraceKind::Chose => (StepKind::Random, None, e.label.clone()?),
                _ => return None,
            };
            Some((
                Event {
                    kind,
                    actor: e.node,
                    from,
                    label,
                    run_only: e.run_only,
                },
                i,
            ))
        })
        .unzip()
}

/// An event in words, its nodes by name: `server 1 receiving Prepare {
/// .. } from server 0`.
fn event_words(e: &Event, names: &[String]) -> String {
    let name = |i: usize| names.get(i).cloned().unwrap_or_else(|| format!("node {i}"));
    let who = name(e.actor);
    match e.kind {
        StepKind::Deliver | StepKind::Drop => format!(
            "{who} receiving {} from {}",
            e.label,
            e.from.map_or("?".into(), name)
        ),
        StepKind::Timeout if e.run_only => format!("{who}'s real-run timer {}", e.label),
        StepKind::Timeout => format!("{who}'s timer {}", e.label),
        StepKind::Crash => format!("{who} crashing"),
        StepKind::Recover => format!("{who} restarting"),
        StepKind::Random => format!("{who} choosing {}", e.label),
        StepKind::Action => format!("{who}: {}", e.label),
    }
}

/// The most nodes of a trace down at once.
fn most_down(trace: &[TraceEvent]) -> usize {
    let mut down = std::collections::BTreeSet::new();
    let mut most = 0;
    for e in trace {
        match e.kind {
            TraceKind::Crash => {
                down.insert(e.node);
            }
            TraceKind::Restart => {
                down.remove(&e.node);
            }
            _ => continue,
        }
        most = most.max(down.len());
    }
    most
}

/// [`ShrinkFn`] for any [`Runnable`].
pub fn shrink_config<C>(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    input: &Input<'_>,
    property: Option<&str>,
) -> Result<Outcome, Failed>
where
    C: Runnable,
    <C::Model as Model>::State: Clone,
    <C::Model as Model>::Action: Clone,
{
    match input {
        Input::Path(path) => {
            let model = C::new(variant, params).into_model();
            let analyses = C::analyses(&model);
            let (init, events) = path_events(&model, path).map_err(Failed::BadInput)?;
            let names = model.lanes();
            let origin: Vec<String> = (1..=events.len())
                .map(|k| format!("step {k} of the path"))
                .collect();
            let words = |i: usize| format!("{} ({})", origin[i], event_words(&events[i], &names));
            let (property, shrunk) =
                shrink_on(&model, &analyses, init, &events, None, property, &words)?;
            let explorer = match &shrunk.replay {
                Replay::Violates {
                    path: Some(path), ..
                } => Ok(Explorer {
                    params: differing(protocol, params),
                    path: path.clone(),
                }),
                _ => Err("the shrunk path has no encoding".into()),
            };
            Ok(Outcome {
                property,
                lanes: names,
                trace_index: (0..events.len()).collect(),
                events,
                origin,
                shrunk,
                explorer,
            })
        }
        Input::Trace {
            events: trace,
            lines,
        } => {
            let real = C::new(variant, params).for_real_network();
            let mut model = runner::indexed(real.clone());
            let names = runtime::trace::names(&model.actors);
            fits(protocol, trace, lines, &names)?;
            model.max_crashes = model.max_crashes.max(most_down(trace));
            let (events, trace_index) = trace_events(trace);
            let origin: Vec<String> = trace_index
                .iter()
                .map(|&i| format!("trace line {}", lines[i]))
                .collect();
            let words = |i: usize| format!("{} ({})", origin[i], event_words(&events[i], &names));
            let tick = |state: &ActorModelState<C::Actor, C::History>, e: &Event| {
                if e.run_only {
                    run_only(&model, C::run_only_step()?, state, e)
                } else {
                    overtaking(&model, state, e)
                }
            };
            let analyses = Analyses::none();
            let (property, shrunk) =
                shrink_on(&model, &analyses, 0, &events, Some(&tick), property, &words)?;
            let kept: Vec<Event> = shrunk.kept.iter().map(|&i| events[i].clone()).collect();
            let explorer = explorer_path::<C>(protocol, variant, &real, &property, &kept);
            Ok(Outcome {
                property,
                lanes: model.lanes(),
                events,
                origin,
                trace_index,
                shrunk,
                explorer,
            })
        }
    }
}

/// Refuses a trace whose nodes are not the model's: a node the
/// configuration lacks, or one named otherwise.
fn fits(
    protocol: &Protocol,
    trace: &[TraceEvent],
    lines: &[usize],
    names: &[String],
) -> Result<(), Failed> {
    for (e, line) in trace.iter().zip(lines) {
        if e.kind == TraceKind::Nemesis {
            continue;
        }
        let theirs = names.get(e.node);
        if theirs != Some(&e.name) {
            return Err(Failed::BadInput(format!(
                "trace line {line} is node {} \"{}\", but {} at this configuration has {}: is it a trace of this model, variant and -p?",
                e.node,
                e.name,
                protocol.name,
                match theirs {
                    Some(n) => format!("\"{n}\" there"),
                    None => format!("{} nodes ({})", names.len(), names.join(", ")),
                }
            )));
        }
    }
    Ok(())
}

/// A delivery on a FIFO link past older messages the real network lost
/// (sent to a node that was down, or across a cut), as trace validation
/// reads it: those are taken off the link, and the model's own delivery
/// of this one is the step. `None` where no message queued on the link
/// is this one.
fn overtaking<A, C, H>(
    model: &ActorModel<A, C, H>,
    state: &ActorModelState<A, H>,
    e: &Event,
) -> Option<(ActorModelState<A, H>, Step)>
where
    ActorModel<A, C, H>: Model<State = ActorModelState<A, H>> + Describe,
    <ActorModel<A, C, H> as Model>::Action: Clone,
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + std::fmt::Debug + std::hash::Hash,
{
    let (StepKind::Deliver, Some(src)) = (e.kind, e.from) else {
        return None;
    };
    let link = (Id::from(src), Id::from(e.actor));
    let Network::Ordered(links) = &state.network else {
        return None;
    };
    let queued = links.get(&link)?.len();
    let mut next = state.clone();
    for _ in 1..queued {
        if let Network::Ordered(links) = &mut next.network {
            links.get_mut(&link)?.pop_front();
        }
        let mut actions = Vec::new();
        model.actions(&next, &mut actions);
        for action in actions {
            let after = model.next_state(&next, action.clone());
            let step = model.describe_step(&next, &action, after.as_ref().unwrap_or(&next));
            if e.matches(&step) {
                return Some((after.unwrap_or(next), step));
            }
        }
    }
    None
}

/// A real run's own step ([`Runnable::run_only_step`]) on `state`, as
/// Stateright carries out an actor's commands: the sends on the network
/// (and in the history), the timers, random choices and storage.
fn run_only<A, C, H>(
    model: &ActorModel<A, C, H>,
    step: runner::RunOnlyStep<A>,
    state: &ActorModelState<A, H>,
    e: &Event,
) -> Option<(ActorModelState<A, H>, Step)>
where
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + std::fmt::Debug + std::hash::Hash,
{
    let i = e.actor;
    if i >= model.actors.len() || state.crashed[i] {
        return None;
    }
    let id = Id::from(i);
    let mut cow = Cow::Borrowed(&*state.actor_states[i]);
    let mut out = Out::new();
    step(&model.actors[i], id, &mut cow, &mut out);
    let mut next = state.clone();
    let mut changes = Vec::new();
    if let Cow::Owned(s) = cow {
        changes.push(Change {
            actor: i,
            state: format!("{s:?}"),
        });
        next.actor_states[i] = Arc::new(s);
    }
    let mut sent = Vec::new();
    for command in out {
        match command {
            Command::Send(dst, msg) => {
                let env = Envelope {
                    src: id,
                    dst,
                    msg: &msg,
                };
                if let Some(h) = (model.record_msg_out)(&model.cfg, &next.history, env) {
                    next.history = h;
                }
                sent.push(Envelope { src: id, dst, msg });
            }
            Command::SetTimer(t, _) => {
                next.timers_set[i].set(t);
            }
            Command::CancelTimer(t) => {
                next.timers_set[i].cancel(&t);
            }
            Command::ChooseRandom(key, choices) if choices.is_empty() => {
                next.random_choices[i].remove(&key);
            }
            Command::ChooseRandom(key, choices) => next.random_choices[i].insert(key, choices),
            Command::Save(s) => next.actor_storages[i] = Some(s),
        }
    }
    if !sent.is_empty() {
        // Stateright's own send is private to it: the network is built
        // again with the new messages after those in flight (FIFO links
        // keep their order).
        let all = runner::in_flight(&next.network)
            .map(|env| env.to_cloned_msg())
            .chain(sent);
        next.network = match &state.network {
            Network::Ordered(_) => Network::new_ordered(all),
            Network::UnorderedNonDuplicating(_) => Network::new_unordered_nonduplicating(all),
            Network::UnorderedDuplicating(..) => Network::new_unordered_duplicating(all),
        };
    }
    let step = Step {
        kind: StepKind::Timeout,
        actor: i,
        from: None,
        label: e.label.clone(),
        changes,
    };
    Some((next, step))
}

/// The shrinking itself, on any model: the property (`--property`, else
/// the first `always` property the whole schedule breaks), then ddmin.
/// `words(i)` says where event `i` came from and what it is.
fn shrink_on<M>(
    model: &M,
    analyses: &Analyses<M>,
    init: usize,
    events: &[Event],
    extra: Option<Extra<'_, M>>,
    property: Option<&str>,
    words: &dyn Fn(usize) -> String,
) -> Result<(String, Shrunk), Failed>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let properties = model.properties();
    let always: Vec<_> = properties
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .collect();
    let target = |p: &'_ stateright::Property<M>| {
        let condition = p.condition;
        move |s: &M::State| condition(model, s)
    };
    let names = || always.iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
    let n = events.len();
    let stuck = |at: usize, what: &str| {
        Failed::Stuck(format!(
            "the model cannot follow the schedule: {} is no step it can take there (after {at} of its {n} events), so the schedule shows {what} on this model (another variant or -p?)",
            words(at)
        ))
    };
    let chosen = match property {
        Some(name) => match always.iter().find(|p| p.name == name) {
            Some(p) => p,
            None => {
                return Err(Failed::BadInput(format!(
                    "\"{name}\" is no always property of the model; shrink keeps one of: {}",
                    names()
                )))
            }
        },
        None => {
            let mut last = Replay::Holds;
            let mut found = None;
            for p in &always {
                let holds = target(p);
                let t = Target {
                    model,
                    analyses,
                    init,
                    holds: &holds,
                    extra,
                };
                last = checker::shrink::replay(&t, events).map_err(Failed::BadInput)?;
                if matches!(last, Replay::Violates { .. }) {
                    found = Some(p);
                    break;
                }
            }
            match (found, last) {
                (Some(p), _) => p,
                (None, Replay::Stuck { at }) => {
                    return Err(stuck(at, "no violation of its always properties"))
                }
                (None, _) => {
                    return Err(Failed::NoViolation(format!(
                        "the model follows all {n} events and none of its always properties ({}) is violated along them",
                        names()
                    )))
                }
            }
        }
    };
    let holds = target(chosen);
    let t = Target {
        model,
        analyses,
        init,
        holds: &holds,
        extra,
    };
    match checker::shrink::shrink(&t, events).map_err(Failed::BadInput)? {
        Ok(shrunk) => Ok((chosen.name.to_string(), shrunk)),
        Err(Replay::Stuck { at }) => Err(stuck(
            at,
            &format!("no violation of \"{}\"", chosen.name),
        )),
        Err(_) => Err(Failed::NoViolation(format!(
            "the model follows all {n} events and \"{}\" holds in every state along them: nothing to shrink",
            chosen.name
        ))),
    }
}

/// The parameters that differ from their defaults.
fn differing(protocol: &Protocol, params: &Params) -> Vec<(&'static str, i64)> {
    protocol
        .params
        .iter()
        .filter_map(|s| {
            let v = *params.get(s.name)?;
            (v != s.default).then_some((s.name, v))
        })
        .collect()
}

/// The most values of one parameter tried when looking for the real run's
/// configuration among the checkable ones.
const MOST_TRIED: i64 = 64;

/// The shrunk schedule of a trace in the explorer: the parameters whose
/// model is the real run's configuration (`real`), found one parameter at
/// a time among the declared ranges, and the schedule followed on that
/// model as `dsw explore` builds it, which must still break `property`.
fn explorer_path<C>(
    protocol: &Protocol,
    variant: &str,
    real: &C,
    property: &str,
    kept: &[Event],
) -> Result<Explorer, String>
where
    C: Runnable,
    <C::Model as Model>::State: Clone,
    <C::Model as Model>::Action: Clone,
{
    if kept.iter().any(|e| e.run_only) {
        return Err(
            "it takes a step only the real run has (its heartbeat), which no model path can".into(),
        );
    }
    let want = serde_json::to_value(real).map_err(|e| e.to_string())?;
    let json = |p: &Params| serde_json::to_value(C::new(variant, p)).ok();
    let distance = |p: &Params| -> usize {
        match (json(p), &want) {
            (Some(serde_json::Value::Object(a)), serde_json::Value::Object(b)) => {
                b.iter().filter(|(k, v)| a.get(*k) != Some(v)).count()
            }
            (Some(a), b) => usize::from(a != *b),
            (None, _) => usize::MAX,
        }
    };
    let valid = |p: &Params| {
        let args: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
        protocol.params_with(&args).is_ok()
    };
    let mut params = protocol.default_params();
    let mut best = distance(&params);
    // Coordinate descent: each parameter set to the value that brings the
    // configuration closest, until nothing changes.
    let mut improved = true;
    while best > 0 && improved {
        improved = false;
        for spec in protocol.params {
            let hi = spec.max.min(spec.min.saturating_add(MOST_TRIED));
            for v in spec.min..=hi {
                let mut p = params.clone();
                p.insert(spec.name, v);
                let d = distance(&p);
                if d < best && valid(&p) {
                    (params, best) = (p, d);
                    improved = true;
                }
            }
        }
    }
    if best > 0 {
        return Err(format!(
            "the real run's configuration is none that -p can give (it differs in {best} settings), so no explorer serves it"
        ));
    }
    let model = C::new(variant, &params).into_model();
    let analyses = C::analyses(&model);
    let p = model
        .properties()
        .into_iter()
        .find(|p| p.name == property)
        .ok_or("the explorer's model lacks the property")?;
    let holds = |s: &<C::Model as Model>::State| (p.condition)(&model, s);
    let target = Target {
        model: &model,
        analyses: &analyses,
        init: 0,
        holds: &holds,
        extra: None,
    };
    match checker::shrink::replay(&target, kept)? {
        Replay::Violates {
            path: Some(path), ..
        } => Ok(Explorer {
            params: differing(protocol, &params),
            path,
        }),
        Replay::Stuck { at } => Err(format!(
            "the explorer's model cannot take its step {} there (it allows fewer crashes?)",
            at + 1
        )),
        _ => Err("the explorer's model does not break the property along it".into()),
    }
}

/// A path's initial state and its steps as events; an index that names no
/// enabled action is an error saying which.
fn path_events<M>(model: &M, path: &str) -> Result<(usize, Vec<Event>), String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let bad = |part: &str| {
        format!(
            "\"{part}\" in path {path} is not an index: a path is numbers separated by /, such as 0/3/1"
        )
    };
    let indices = path
        .split('/')
        .map(|p| p.parse::<usize>().map_err(|_| bad(p)))
        .collect::<Result<Vec<_>, _>>()?;
    let init = indices[0];
    let mut state = model.init_states().into_iter().nth(init).ok_or_else(|| {
        format!("path {path} starts in initial state {init}, which the model does not have")
    })?;
    let mut events = Vec::new();
    for (n, &i) in indices[1..].iter().enumerate() {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let Some(action) = actions.get(i).cloned() else {
            return Err(format!(
                "step {} of path {path} asks for action {i}, but {} are enabled there",
                n + 1,
                actions.len()
            ));
        };
        let next = model.next_state(&state, action.clone());
        let step = model.describe_step(&state, &action, next.as_ref().unwrap_or(&state));
        events.push(Event::of(&step));
        if let Some(next) = next {
            state = next;
        }
    }
    Ok((init, events))
}
