//! `dsw shrink`: a real run's trace (`dsw run --trace`) or a counterexample
//! path cut down by delta debugging ([`checker::shrink`]) to the events the
//! violation needs.
//!
//! A trace's model events are its deliveries (`delivered`: sender, receiver
//! and message), timers, crashes, restarts and random choices; its sends,
//! losses, cuts and storage writes are what those steps did, not steps.
//! They are replayed on the model at the configuration the real run ran
//! ([`Runnable::for_real_network`]), its lanes the trace's node numbers. A
//! path is followed on the model as checked.

use crate::registry::Params;
use crate::runner::Runnable;
use checker::shrink::{Event, Replay, Shrunk};
use checker::summary::StepKind;
use runtime::trace::{TraceEvent, TraceKind};
use stateright::Model;

/// What to shrink.
pub enum Input<'a> {
    /// A real run's trace, as `runtime::trace::parse` reads it.
    Trace(&'a [TraceEvent]),
    /// A path in the explorer's encoding: `0/3/1`.
    Path(&'a str),
}

/// A schedule shrunk.
#[derive(Debug)]
pub struct Outcome {
    /// The property it violates.
    pub property: String,
    /// The model's lanes.
    pub lanes: Vec<String>,
    /// The input's model events; for a trace, each one's index in it.
    pub events: Vec<Event>,
    pub trace_index: Vec<usize>,
    pub shrunk: Shrunk,
}

/// Why there is no shrunk schedule: bad input (exit 2), or an input that
/// violates nothing on the model (exit 1).
#[derive(Debug)]
pub enum Failed {
    BadInput(String),
    NoViolation(String),
}

/// `shrink(variant, params, input, property)` for one protocol.
pub type ShrinkFn = fn(&str, &Params, &Input<'_>, Option<&str>) -> Result<Outcome, Failed>;

/// The protocols whose real run's trace maps onto their model (those `dsw
/// replay` runs on real nodes), and their shrinkers.
pub fn shrinker(name: &str) -> Result<ShrinkFn, String> {
    use crate::{
        abd_register, alternating_bit, byzantine_generals, causal_broadcast, chandy_lamport,
        crawler, lamport_clocks, lamport_mutex, mapreduce, paxos, raft, raft_kv,
        reliable_broadcast, rpc_kv, three_phase_commit, total_order_broadcast, two_phase_commit,
    };
    Ok(match name {
        "abd-register" => shrink_config::<abd_register::AbdCfg>,
        "alternating-bit" => shrink_config::<alternating_bit::AbpCfg>,
        "byzantine-generals" => shrink_config::<byzantine_generals::ByzantineCfg>,
        "causal-broadcast" => shrink_config::<causal_broadcast::CbCfg>,
        "chandy-lamport" => shrink_config::<chandy_lamport::SnapshotCfg>,
        "crawler" => shrink_config::<crawler::CrawlerCfg>,
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
            crate::real_replay::REPLAYABLE.join(", ")
        ))
        }
    })
}

/// A trace's model events, and each one's index in the trace.
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
                },
                i,
            ))
        })
        .unzip()
}

/// [`ShrinkFn`] for any [`Runnable`].
pub fn shrink_config<C>(
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
    let cfg = C::new(variant, params);
    let cfg = match input {
        Input::Trace(_) => cfg.for_real_network(),
        Input::Path(_) => cfg,
    };
    let model = cfg.into_model();
    let analyses = C::analyses(&model);
    let (init, events, trace_index) = match input {
        Input::Trace(trace) => {
            let (events, index) = trace_events(trace);
            (0, events, index)
        }
        Input::Path(path) => {
            let (init, events) = path_events(&model, path).map_err(Failed::BadInput)?;
            let n = events.len();
            (init, events, (0..n).collect())
        }
    };
    let always: Vec<&'static str> = model
        .properties()
        .iter()
        .filter(|p| p.expectation == stateright::Expectation::Always)
        .map(|p| p.name)
        .collect();
    let property = match property {
        Some(name) if always.contains(&name) => name.to_string(),
        Some(name) => {
            return Err(Failed::BadInput(format!(
                "\"{name}\" is no always property of the model; shrink keeps one of: {}",
                always.join(", ")
            )))
        }
        None => always
            .iter()
            .find(|p| {
                matches!(
                    checker::shrink::replay(&model, &analyses, init, p, &events),
                    Ok(Replay::Violates { .. })
                )
            })
            .ok_or_else(|| {
                Failed::NoViolation(format!(
                    "the model, replayed along its {} events, violates none of its always properties ({})",
                    events.len(),
                    always.join(", ")
                ))
            })?
            .to_string(),
    };
    let shrunk = checker::shrink::shrink(&model, &analyses, init, &property, &events)
        .map_err(Failed::NoViolation)?;
    Ok(Outcome {
        property,
        lanes: checker::describe::Describe::lanes(&model),
        events,
        trace_index,
        shrunk,
    })
}

/// A path's initial state and its steps as events; an index that names no
/// enabled action is an error saying which.
fn path_events<M>(model: &M, path: &str) -> Result<(usize, Vec<Event>), String>
where
    M: Model + checker::describe::Describe,
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
