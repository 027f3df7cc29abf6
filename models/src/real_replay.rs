//! `dsw replay`: a checker counterexample followed on real nodes.
//!
//! The path (Stateright's index encoding, as `dsw check` links it, or the
//! counterexample the check finds) is decoded on the model at the
//! configuration given; the same configuration's actors, started as the
//! path's initial state has them ([`Runnable::starting_in`]), then run over
//! UDP on loopback in the runtime's held mode ([`runtime::held`]): every
//! datagram is parked at its receiver, no timer fires by itself, and each
//! step of the path is carried out on the real nodes in order (a delivery
//! releases the parked datagram from that sender to that receiver whose
//! message equals the step's, a timer fires, a node crashes or restarts, a
//! loss discards the datagram). A random choice stays pending on its node,
//! as the model keeps it, until the path's step that makes it, which makes
//! it with the option the path picked. The model's `always` properties are then judged
//! on the real end state, as `dsw run` judges them, and the run is replayed
//! through the model (trace validation).
//!
//! The nodes know each other by socket addresses, the model by indices: a
//! real message is compared with the path's after mapping every id in it
//! (a number, or a map key, equal to a node's address) to its index.

use crate::registry::{check_config, Config, InputError, Params};
use crate::runner::{end_state, Recorded, Runnable};
use checker::{CheckOptions, Describe, PropertyKind, Verdict};
use runtime::held::Parked;
use runtime::EventKind;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use stateright::actor::{Actor, ActorModelAction, ActorModelState, Id};
use stateright::{Expectation, Model};
use std::time::Duration;

/// `replay(variant, params, options, property, path, out)`: follows the
/// path (or the check's counterexample to `property`, or to the first
/// `always` property violated) on real nodes, each line to `out`. True
/// when the real nodes took every step and violate exactly the `always`
/// properties the model violates at the path's end; false when a step
/// could not be followed or the outcome differs.
pub type ReplayFn = fn(
    &str,
    &Params,
    &CheckOptions,
    Option<&str>,
    Option<&str>,
    &mut dyn FnMut(&str),
) -> Result<bool, InputError>;

/// How long the driver waits for a datagram the step needs to arrive, or
/// for a node to finish a step.
const PATIENCE: Duration = Duration::from_secs(5);

/// The replay of `protocol`, or why it has none.
pub fn replayer(name: &str) -> Result<ReplayFn, String> {
    use crate::{
        abd_register, alternating_bit, byzantine_generals, causal_broadcast, chandy_lamport,
        crawler, flp, gossip, lamport_clocks, lamport_mutex, mapreduce, paxos, raft, raft_kv,
        reliable_broadcast, rpc_kv, swim, three_phase_commit, total_order_broadcast,
        two_phase_commit,
    };
    Ok(match name {
        "abd-register" => replay_config::<abd_register::AbdCfg>,
        "alternating-bit" => replay_config::<alternating_bit::AbpCfg>,
        "byzantine-generals" => replay_config::<byzantine_generals::ByzantineCfg>,
        "causal-broadcast" => replay_config::<causal_broadcast::CbCfg>,
        "chandy-lamport" => replay_config::<chandy_lamport::SnapshotCfg>,
        "crawler" => replay_config::<crawler::CrawlerCfg>,
        "flp" => replay_config::<flp::FlpCfg>,
        "gossip" => replay_config::<gossip::GossipCfg>,
        "lamport-clocks" => replay_config::<lamport_clocks::ClocksCfg>,
        "lamport-mutex" => replay_config::<lamport_mutex::MutexCfg>,
        "mapreduce" => replay_config::<mapreduce::MrCfg>,
        "paxos" => replay_config::<paxos::PaxosCfg>,
        "raft" => replay_config::<raft::RaftCfg>,
        "raft-kv" => replay_config::<raft_kv::RaftKvCfg>,
        "rpc-kv" => replay_config::<rpc_kv::KvCfg>,
        "swim" => replay_config::<swim::SwimCfg>,
        "three-phase-commit" => replay_config::<three_phase_commit::ThreePhaseCfg>,
        "total-order-broadcast" => replay_config::<total_order_broadcast::TobCfg>,
        "reliable-broadcast" => replay_config::<reliable_broadcast::RbCfg>,
        "two-phase-commit" => replay_config::<two_phase_commit::TwoPhaseCfg>,
        _ => {
            return Err(format!(
                "{name} cannot be replayed on real nodes: it has no real run; replayable: {}",
                REPLAYABLE.join(", ")
            ))
        }
    })
}

/// The protocols [`replayer`] replays.
pub const REPLAYABLE: &[&str] = &[
    "abd-register",
    "alternating-bit",
    "byzantine-generals",
    "causal-broadcast",
    "chandy-lamport",
    "crawler",
    "flp",
    "gossip",
    "lamport-clocks",
    "lamport-mutex",
    "mapreduce",
    "paxos",
    "raft",
    "raft-kv",
    "reliable-broadcast",
    "rpc-kv",
    "swim",
    "three-phase-commit",
    "total-order-broadcast",
    "two-phase-commit",
];

type Action<C> = ActorModelAction<
    <<C as Runnable>::Actor as Actor>::Msg,
    <<C as Runnable>::Actor as Actor>::Timer,
    <<C as Runnable>::Actor as Actor>::Random,
>;
type State<C> = ActorModelState<<C as Runnable>::Actor, <C as Runnable>::History>;

/// [`ReplayFn`] for a protocol whose checked model is its actors over a
/// network ([`Runnable::model_on`] with indices), or a wrapper of them
/// with the same states and actions that takes fewer of their steps: the
/// alternating-bit protocol's bounded FIFO links
/// ([`crate::channel::BoundedFifo`]: a message the bound cut is one the
/// real nodes sent and the path never delivers), gossip's and swim's
/// bounds on loss and timing (a message the model consumes as lost to a
/// crashed member stays held), FLP's eight input configurations as
/// initial states ([`Runnable::starting_in`] starts the real processes
/// with the path's inputs). The real nodes are the checked actors:
/// gossip's and swim's pick peers as the checker does, not at random once
/// a period as `dsw run` has them.
pub fn replay_config<C>(
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    property: Option<&str>,
    path: Option<&str>,
    out: &mut dyn FnMut(&str),
) -> Result<bool, InputError>
where
    C: Runnable + 'static,
    C::Model: Model<State = State<C>, Action = Action<C>> + Describe,
    <C as Runnable>::History: 'static,
    <C::Model as Model>::State: Clone
        + std::fmt::Debug
        + std::hash::Hash
        + PartialEq
        + checker::itf::ItfState
        + Send
        + Sync
        + 'static,
    <C::Model as Model>::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let model = C::new(variant, params).into_model();
    let properties = model.properties();
    let always: Vec<&'static str> = properties
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .map(|p| p.name)
        .collect();
    let path = match path {
        Some(p) => {
            if let Some(name) = property.filter(|n| !always.contains(n)) {
                return Err(InputError(format!(
                    "\"{name}\" is no always property of the model; a real end state is judged by: {}",
                    always.join(", ")
                )));
            }
            p.to_string()
        }
        None => counterexample_path::<C>(variant, params, opts, property, &always)?,
    };
    let (states, actions) = decode::<C>(&model, &path)?;
    let last = states.last().expect("a path has a state");
    let predicted: Vec<&str> = always
        .iter()
        .copied()
        .filter(|name| {
            let p = properties.iter().find(|p| p.name == *name);
            p.is_some_and(|p| !(p.condition)(&model, last))
        })
        .collect();
    if let Some(name) = property.filter(|n| !predicted.contains(n)) {
        return Err(InputError(format!(
            "the path {path} does not end in a violation of \"{name}\" on the model; it violates: {}",
            list(&predicted)
        )));
    }
    let lanes = model.lanes();
    let steps: Vec<checker::Step> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| model.describe_step(&states[i], a, &states[i + 1]))
        .collect();
    let ce = checker::Counterexample {
        kind: checker::CounterexampleKind::Violation,
        path: path.clone(),
        actors: lanes.clone(),
        steps: steps.clone(),
        loop_start: None,
        final_states: Vec::new(),
    };
    // The real nodes start where the path starts: the configuration
    // whose actors start in its initial state, or none.
    let start = C::new(variant, params).starting_in(&states[0]);
    if !crate::runner::indexed(start.clone())
        .init_states()
        .contains(&states[0])
    {
        return Err(InputError(format!(
            "the path {path} starts in initial state {}, which the real nodes cannot start in: they start as a real run starts them, every node up (flp's initially-dead p0 takes no step at all)",
            path.split('/').next().unwrap_or_default()
        )));
    }
    let n = start.actor_count();
    // Which option each of the path's random choices picks.
    let picks: Vec<Option<usize>> = actions
        .iter()
        .enumerate()
        .map(|(k, a)| match a {
            ActorModelAction::SelectRandom { actor, key, .. } => {
                random_index::<C>(&states[k], *actor, key, a)
            }
            _ => None,
        })
        .collect();

    // The real nodes: the same configuration's actors, known by their
    // socket addresses.
    // (`bind` gives node i the i-th smallest id, so ids compare as the
    // model's indices do: Paxos's ballots break ties by proposer id.)
    let bound = runtime::bind(n).map_err(InputError)?;
    let ids = bound.ids.clone();
    let real = start.model_on(&ids);
    let actors: Vec<C::Actor> = real.actors.clone();
    let names: Vec<String> = (0..ids.len())
        .map(|i| format!("{} {}", lanes[i], ids[i]))
        .collect();
    out(&format!(
        "replaying path {path} ({} steps{}) on real nodes over UDP on loopback: {}",
        actions.len(),
        if predicted.is_empty() {
            String::new()
        } else {
            format!("; the model violates {} at its end", predicted.join(", "))
        },
        names.join(", ")
    ));
    let duplicating = matches!(
        crate::validate::NetworkKind::of(&real.init_network),
        crate::validate::NetworkKind::UnorderedDuplicating
    );
    let cfg = runtime::RunConfig {
        duration: PATIENCE,
        loss: 0.0,
        duplicate: 0.0,
        seed: 0,
        keep_storage: false,
        nemesis: Vec::new(),
        fuzz: 0,
        tamper: None,
    };
    let (run, followed, parked) = runtime::held::run_held(actors, bound, &cfg, |d| {
        if !d.wait_started(PATIENCE) {
            return Err((0, "the nodes did not all start".to_string()));
        }
        for (k, action) in actions.iter().enumerate() {
            let line = presentation::report::step_line(&ce, &steps[k]);
            let done = follow::<C>(d, action, &ids, picks[k], duplicating);
            match done {
                Ok(how) => out(&format!("  {:>3}. {line}{how}", k + 1)),
                Err(why) => return Err((k, format!("{line}: {why}"))),
            }
        }
        // Let the last step's datagrams land, so what is left in flight is
        // counted.
        d.settle(Duration::from_millis(500));
        Ok(())
    });
    if let Err((k, why)) = followed {
        out(&format!(
            "cannot follow step {} on the real nodes: {why}",
            k + 1
        ));
        return Ok(false);
    }
    let state = end_state::<C, C::Actor>(&real, &ids, &run);
    let rec = Recorded {
        actors: real.actors.clone(),
        model: real,
        ids,
        run,
        state,
        schedule: Vec::new(),
        run_only: |_| false,
        processes: false,
    };
    let sent = rec.run.count(|k| matches!(k, EventKind::Sent { .. }));
    let delivered = rec.run.count(|k| matches!(k, EventKind::Delivered { .. }));
    out(&format!(
        "on the real nodes: {sent} datagrams sent, {delivered} delivered, {} still held at the end",
        parked.len()
    ));
    let mut violated = Vec::new();
    for name in &always {
        let p = rec.model.properties.iter().find(|p| p.name == *name);
        let holds = p.is_some_and(|p| (p.condition)(&rec.model, &rec.state));
        let model_holds = !predicted.contains(name);
        if !holds {
            violated.push(*name);
        }
        out(&format!(
            "  {name}: {} on the real nodes ({} on the model)",
            if holds { "holds" } else { "VIOLATED" },
            if model_holds { "holds" } else { "violated" }
        ));
    }
    let validation = rec.validation();
    let valid = validation.valid();
    out(&format!("  {}", validation.line()));
    if !valid {
        for line in validation.evidence() {
            out(&format!("    {line}"));
        }
    }
    if !violated.is_empty() {
        for (i, s) in rec.state.actor_states.iter().enumerate() {
            out(&format!("  {}: {s:?}", rec.name(i)));
        }
    }
    let same = violated == predicted;
    for name in &violated {
        out(&format!("VIOLATED on the real nodes: {name}"));
    }
    if same && valid {
        out(&format!(
            "reproduced: the real nodes took every step and {}, as the model does",
            if violated.is_empty() {
                "violate no always property".to_string()
            } else {
                format!("violate {}", violated.join(", "))
            }
        ));
    } else if !same {
        out(&format!(
            "not reproduced: the model violates {} at the path's end, the real nodes {}",
            list(&predicted),
            list(&violated)
        ));
    } else {
        out("not reproduced: the real run is not one the model takes (trace validation)");
    }
    Ok(same && valid)
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// The check's counterexample to `property` (or to the first `always`
/// property violated), as a path.
fn counterexample_path<C>(
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    property: Option<&str>,
    always: &[&str],
) -> Result<String, InputError>
where
    C: Config,
    <C::Model as Model>::State: Clone
        + std::fmt::Debug
        + std::hash::Hash
        + PartialEq
        + checker::itf::ItfState
        + Send
        + Sync
        + 'static,
    <C::Model as Model>::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    if let Some(name) = property.filter(|n| !always.contains(n)) {
        return Err(InputError(format!(
            "\"{name}\" is no always property of the model; a real end state is judged by: {}",
            always.join(", ")
        )));
    }
    let summary = check_config::<C>(variant, params, opts, &mut |_| {});
    let violated: Vec<&checker::PropertyResult> = summary
        .properties
        .iter()
        .filter(|p| {
            p.kind == PropertyKind::Always
                && p.verdict == Verdict::Violated
                && p.counterexample.is_some()
        })
        .collect();
    let names = violated.iter().map(|p| p.name.as_str()).collect::<Vec<_>>();
    let found = match property {
        Some(name) => violated.iter().find(|p| p.name == name).ok_or_else(|| {
            InputError(format!(
                "variant {variant} does not violate \"{name}\" here ({}); its always properties violated: {}",
                summary.property(name).map_or("no such property", |p| p.verdict.as_str()),
                list(&names)
            ))
        })?,
        None => violated.first().ok_or_else(|| {
            InputError(format!(
                "variant {variant} violates no always property here, so there is no counterexample to replay on real nodes"
            ))
        })?,
    };
    Ok(found
        .counterexample
        .as_ref()
        .expect("a violated property here has a counterexample")
        .path
        .clone())
}

/// The path's states and actions on `model`, as the explorer follows it.
#[allow(clippy::type_complexity)]
fn decode<C: Runnable>(
    model: &impl Model<State = State<C>, Action = Action<C>>,
    path: &str,
) -> Result<(Vec<State<C>>, Vec<Action<C>>), InputError> {
    let malformed = |why: String| {
        InputError(format!(
            "path \"{path}\": {why}; a path is the initial state's index, then each step's index among the enabled actions, as `dsw check` links it (0/1/0/1)"
        ))
    };
    let indices: Vec<usize> = path
        .split('/')
        .enumerate()
        .map(|(i, part)| {
            part.parse::<usize>()
                .ok()
                .filter(|_| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| malformed(format!("part {} ({part:?}) is not an index", i + 1)))
        })
        .collect::<Result<_, _>>()?;
    let inits = model.init_states();
    let init = inits.get(indices[0]).cloned().ok_or_else(|| {
        malformed(format!(
            "there is no initial state {}; the model has {}",
            indices[0],
            inits.len()
        ))
    })?;
    let mut states = vec![init];
    let mut actions = Vec::new();
    for (n, &i) in indices[1..].iter().enumerate() {
        let state = &states[n];
        let mut enabled = Vec::new();
        model.actions(state, &mut enabled);
        let action = enabled.get(i).cloned().ok_or_else(|| {
            malformed(format!(
                "step {} asks for action {i}, but {} are enabled there",
                n + 1,
                enabled.len()
            ))
        })?;
        let next = model.next_state(state, action.clone()).ok_or_else(|| {
            malformed(format!(
                "step {} takes action {i}, which changes nothing there",
                n + 1
            ))
        })?;
        states.push(next);
        actions.push(action);
    }
    Ok((states, actions))
}

/// Which option a `SelectRandom` picks among its node's pending choices.
fn random_index<C: Runnable>(
    state: &State<C>,
    actor: Id,
    key: &str,
    action: &Action<C>,
) -> Option<usize> {
    let ActorModelAction::SelectRandom { random, .. } = action else {
        return None;
    };
    let choices = state.random_choices.get(usize::from(actor))?;
    let options = choices.map.get(key)?;
    options.iter().position(|o| o == random)
}

/// Carries out one step on the real nodes: what it did, as a suffix of
/// its line, or why it cannot.
fn follow<C: Runnable>(
    d: &runtime::held::Driver<C::Actor>,
    action: &Action<C>,
    ids: &[Id],
    pick: Option<usize>,
    duplicating: bool,
) -> Result<String, String> {
    let held = |src: Id, dst: Id, msg: &<C::Actor as Actor>::Msg| {
        let (s, t) = (usize::from(src), usize::from(dst));
        let same =
            |p: &Parked<_>| p.from == s && p.to == t && indexed(&p.msg, ids).as_ref() == Some(msg);
        // On a network that duplicates, a message delivered already may
        // be delivered again: a copy of it, unless a new one is held.
        if duplicating && d.wait_for(Duration::ZERO, same).is_none() {
            if let Some(copy) = d.copy_of_delivered(same) {
                return Ok((copy, true));
            }
        }
        d.wait_for(PATIENCE, same).map(|p| (p, false)).ok_or_else(|| {
            let similar = d
                .parked()
                .into_iter()
                .filter(|p| p.from == s && p.to == t)
                .count();
            format!(
                "the real nodes never sent that datagram (waited {PATIENCE:?}; {similar} others from the same sender to the same receiver are held)"
            )
        })
    };
    match action {
        ActorModelAction::Deliver { src, dst, msg } => {
            let (p, copy) = held(*src, *dst, msg)?;
            d.deliver(p.seq)?;
            let what = if copy {
                "a copy of a datagram released before (the network duplicates)"
            } else {
                "datagram"
            };
            Ok(format!("   released {what} #{}", p.seq))
        }
        ActorModelAction::Drop(env) => {
            let (p, _) = held(env.src, env.dst, &env.msg)?;
            if !d.discard(p.seq) {
                return Err("the datagram was no longer held".into());
            }
            Ok(format!("   discarded datagram #{}", p.seq))
        }
        ActorModelAction::Timeout(id, timer) => {
            d.fire(usize::from(*id), timer.clone())?;
            Ok("   fired".into())
        }
        ActorModelAction::Crash(id) => {
            d.crash(usize::from(*id))?;
            Ok("   crashed".into())
        }
        ActorModelAction::Recover(id) => {
            d.recover(usize::from(*id))?;
            Ok("   restarted from its storage file".into())
        }
        ActorModelAction::SelectRandom { actor, key, .. } => {
            let index = pick.ok_or("the model has no such pending choice")?;
            d.choose(usize::from(*actor), key, index)?;
            Ok(format!("   made its pending choice (option {index})"))
        }
    }
}

/// A real message with every node's address in it replaced by the node's
/// index: what the model's message is. None if it does not read back.
fn indexed<M: Serialize + DeserializeOwned>(msg: &M, ids: &[Id]) -> Option<M> {
    let mut value = serde_json::to_value(msg).ok()?;
    renumber(&mut value, ids);
    serde_json::from_value(value).ok()
}

fn renumber(value: &mut Value, ids: &[Id]) {
    let index = |n: u64| ids.iter().position(|id| usize::from(*id) as u64 == n);
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_u64().and_then(index) {
                *value = Value::from(i);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| renumber(v, ids)),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut v) in entries {
                renumber(&mut v, ids);
                let key = match k.parse::<u64>().ok().and_then(index) {
                    Some(i) => i.to_string(),
                    None => k,
                };
                map.insert(key, v);
            }
        }
        _ => {}
    }
}
