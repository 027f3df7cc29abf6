//! Turning a Stateright [`Path`] into readable [`Step`]s.
//!
//! Actor models get swimlanes (one per actor), deliveries with sender and
//! receiver, timers, crashes and the actor states each step changed. A plain
//! model, such as an abstract spec, is one lane of actions.

use crate::summary::{Change, Step, StepKind};
use stateright::actor::{Actor, ActorModel, ActorModelAction, ActorModelState, Command, Out};
use stateright::{Model, Path};
use std::borrow::Cow;
use std::fmt::Debug;
use std::hash::Hash;

/// How a model's states and actions read in a counterexample.
pub trait Describe: Model {
    /// One name per swimlane.
    fn lanes(&self) -> Vec<String>;
    /// One step: the state before it, what happened, and the state after.
    fn describe_step(
        &self,
        before: &Self::State,
        action: &Self::Action,
        after: &Self::State,
    ) -> Step;
    /// Each lane's state, as printed under the last step.
    fn describe_state(&self, state: &Self::State) -> Vec<String>;

    /// The messages `action` sends from `before`, each with its receiver's
    /// lane, in the order the actor sends them (what a step's state change
    /// does not show when the network already holds an equal message).
    /// Nothing, for a model without messages.
    fn sent(&self, _before: &Self::State, _action: &Self::Action) -> Vec<(usize, String)> {
        Vec::new()
    }

    /// A whole path, as steps plus the final states.
    fn describe_path(&self, path: &Path<Self::State, Self::Action>) -> (Vec<Step>, Vec<String>)
    where
        Self::State: Clone,
        Self::Action: Clone,
    {
        self.describe_run(&path.clone().into_vec())
    }

    /// A run given as (state, action taken from it), the last action `None`.
    fn describe_run(
        &self,
        run: &[(Self::State, Option<Self::Action>)],
    ) -> (Vec<Step>, Vec<String>) {
        let mut steps = Vec::with_capacity(run.len());
        for window in run.windows(2) {
            if let (before, Some(action)) = (&window[0].0, &window[0].1) {
                steps.push(self.describe_step(before, action, &window[1].0));
            }
        }
        let last = &run.last().expect("a run has a state").0;
        (steps, self.describe_state(last))
    }
}

impl<A, C, H> Describe for ActorModel<A, C, H>
where
    A: Actor,
    A::Msg: Ord + Debug,
    A::Timer: Ord + Debug,
    A::State: Debug,
    H: Clone + Debug + Hash,
{
    fn lanes(&self) -> Vec<String> {
        self.actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = a.name();
                if name.is_empty() {
                    format!("actor {i}")
                } else {
                    name
                }
            })
            .collect()
    }

    fn describe_step(
        &self,
        before: &ActorModelState<A, H>,
        action: &ActorModelAction<A::Msg, A::Timer, A::Random>,
        after: &ActorModelState<A, H>,
    ) -> Step {
        let (kind, actor, from, label) = match action {
            ActorModelAction::Deliver { src, dst, msg } => (
                StepKind::Deliver,
                usize::from(*dst),
                Some(usize::from(*src)),
                format!("{msg:?}"),
            ),
            ActorModelAction::Drop(env) => (
                StepKind::Drop,
                usize::from(env.dst),
                Some(usize::from(env.src)),
                format!("{:?}", env.msg),
            ),
            ActorModelAction::Timeout(id, timer) => (
                StepKind::Timeout,
                usize::from(*id),
                None,
                format!("{timer:?}"),
            ),
            ActorModelAction::Crash(id) => {
                (StepKind::Crash, usize::from(*id), None, "crash".into())
            }
            ActorModelAction::Recover(id) => {
                (StepKind::Recover, usize::from(*id), None, "recover".into())
            }
            ActorModelAction::SelectRandom { actor, random, .. } => (
                StepKind::Random,
                usize::from(*actor),
                None,
                format!("{random:?}"),
            ),
        };
        let changes = before
            .actor_states
            .iter()
            .zip(&after.actor_states)
            .enumerate()
            .filter(|(_, (b, a))| b != a)
            .map(|(i, (_, a))| Change {
                actor: i,
                state: format!("{a:?}"),
            })
            .collect();
        Step {
            kind,
            actor,
            from,
            label,
            changes,
        }
    }

    fn sent(
        &self,
        before: &ActorModelState<A, H>,
        action: &ActorModelAction<A::Msg, A::Timer, A::Random>,
    ) -> Vec<(usize, String)> {
        // The actor's handler again, on the state before: its commands.
        let mut out = Out::<A>::new();
        let state =
            |id: stateright::actor::Id| Cow::Borrowed(&*before.actor_states[usize::from(id)]);
        match action {
            ActorModelAction::Deliver { src, dst, msg } => self.actors[usize::from(*dst)].on_msg(
                *dst,
                &mut state(*dst),
                *src,
                msg.clone(),
                &mut out,
            ),
            ActorModelAction::Timeout(id, timer) => {
                self.actors[usize::from(*id)].on_timeout(*id, &mut state(*id), timer, &mut out)
            }
            ActorModelAction::SelectRandom { actor, random, .. } => self.actors
                [usize::from(*actor)]
            .on_random(*actor, &mut state(*actor), random, &mut out),
            ActorModelAction::Recover(id) => {
                let i = usize::from(*id);
                let _ = self.actors[i].on_start(*id, &before.actor_storages[i], &mut out);
            }
            ActorModelAction::Drop(_) | ActorModelAction::Crash(_) => {}
        }
        out.into_iter()
            .filter_map(|c| match c {
                Command::Send(dst, msg) => Some((usize::from(dst), format!("{msg:?}"))),
                _ => None,
            })
            .collect()
    }

    fn describe_state(&self, state: &ActorModelState<A, H>) -> Vec<String> {
        state
            .actor_states
            .iter()
            .zip(&state.crashed)
            .map(|(s, crashed)| {
                if *crashed {
                    format!("{s:?} (crashed)")
                } else {
                    format!("{s:?}")
                }
            })
            .collect()
    }
}

/// [`Describe`] for a plain model: one lane, named `system`, whose state is
/// the model's whole state.
pub fn describe_plain_step<M>(action: &M::Action, after: &M::State) -> Step
where
    M: Model,
    M::Action: Debug,
    M::State: Debug,
{
    Step {
        kind: StepKind::Action,
        actor: 0,
        from: None,
        label: format!("{action:?}"),
        changes: vec![Change {
            actor: 0,
            state: format!("{after:?}"),
        }],
    }
}
