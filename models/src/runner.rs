//! Real runs: a protocol's own actors over UDP on loopback, and the model's
//! own `always` properties checked on what really happened.
//!
//! The recorded sends and deliveries are folded through the model's
//! `record_msg_out` / `record_msg_in` (the same functions that build the
//! history while checking, e.g. a linearizability tester), in the real-time
//! order the runtime logged them; the nodes' last states and that history
//! make one model state, on which every `always` property is evaluated.

use crate::registry::{Config, Params, RunOptions, RunReport};
use runtime::{self, EventKind};
use serde::de::DeserializeOwned;
use serde::Serialize;
use stateright::actor::{Actor, ActorModel, ActorModelState, Envelope, Id, RandomChoices, Timers};
use stateright::Expectation;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

/// A protocol whose actors also run over real UDP.
pub trait Runnable: Config + Clone {
    type Actor: Actor<
            Msg: Ord + Serialize + DeserializeOwned + Send + 'static,
            Timer: Ord + Send + 'static,
            State: Send + 'static,
            Storage: Send,
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
    run_cfg(C::new(variant, params), variant, opts)
}

/// Runs `cfg`'s actors over UDP: for a protocol whose real run differs
/// from its checked configuration (e.g. a worker killed mid-job).
pub fn run_cfg<C>(cfg: C, variant: &str, opts: &RunOptions) -> Result<RunReport, String>
where
    C: Runnable,
{
    let bound = runtime::bind(cfg.actor_count())?;
    let ids = bound.ids.clone();
    let model = cfg.model_on(&ids);
    let run = runtime::run(model.actors.clone(), bound, &opts.run_config(), C::done);

    let (finished, elapsed) = (run.finished, run.elapsed);
    let mut history = model.init_history.clone();
    for e in &run.events {
        let (src, dst, msg, out) = match &e.kind {
            // A lost message was still sent: the model records it on send too.
            EventKind::Sent { to, msg } | EventKind::Lost { to, msg } => {
                (ids[e.node], ids[*to], msg, true)
            }
            EventKind::Delivered {
                from,
                msg,
                ignored: false,
            } => (ids[*from], ids[e.node], msg, false),
            // The checker takes no step for an ignored delivery, and
            // records no history for it either.
            EventKind::Delivered { ignored: true, .. }
            | EventKind::Timer(_)
            | EventKind::Malformed { .. } => continue,
        };
        let envelope = Envelope { src, dst, msg };
        let record = if out {
            model.record_msg_out
        } else {
            model.record_msg_in
        };
        if let Some(h) = record(&model.cfg, &history, envelope) {
            history = h;
        }
    }

    let sent = run.count(|k| matches!(k, EventKind::Sent { .. }));
    let received = run.count(|k| matches!(k, EventKind::Delivered { .. }));
    let lost = run.count(|k| matches!(k, EventKind::Lost { .. }));
    let malformed = run.count(|k| matches!(k, EventKind::Malformed { .. }));
    let n = run.states.len();
    let observations = C::observations(&run.states, &history);
    let state = ActorModelState {
        actor_states: run.states.into_iter().map(Arc::new).collect(),
        network: model.init_network.clone(),
        timers_set: vec![Timers::new(); n],
        random_choices: vec![RandomChoices::default(); n],
        crashed: vec![false; n],
        history,
        actor_storages: vec![None; n],
    };
    let mut checks: Vec<(String, bool)> = model
        .properties
        .iter()
        .filter(|p| p.expectation == Expectation::Always)
        .map(|p| (p.name.to_string(), (p.condition)(&model, &state)))
        .collect();
    checks.push(("workload finished in time".into(), finished));
    // A violation's evidence: every node's last state, and the history the
    // properties read, so the values and nodes that break it are in view.
    let evidence = if checks.iter().all(|(_, ok)| *ok) {
        Vec::new()
    } else {
        let names = model.actors.iter().map(|a| a.name());
        state
            .actor_states
            .iter()
            .zip(names)
            .enumerate()
            .map(|(i, (s, name))| {
                let name = if name.is_empty() {
                    format!("node {i}")
                } else {
                    name
                };
                format!("{name}: {s:?}")
            })
            .chain(Some(format!("history: {:?}", state.history)).filter(|h| h != "history: ()"))
            .collect()
    };
    Ok(RunReport {
        model: String::new(),
        variant: variant.to_string(),
        sent,
        received,
        lost,
        malformed,
        seconds: elapsed.as_secs_f64(),
        observations,
        checks,
        evidence,
    })
}
