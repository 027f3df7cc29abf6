//! Bounded lossy FIFO channels, a modelling device some protocols need.
//!
//! Stateright's ordered network keeps every message sent, so a protocol that
//! retransmits on a timer (the alternating-bit protocol) fills it without
//! bound and the state space is infinite. A real link has a buffer: when it
//! is full, what is sent onto it is lost. [`BoundedFifo`] wraps an actor
//! model with an ordered network and, after every step, cuts each channel
//! back to `capacity` messages by losing the newest ones. Loss by overflow is
//! part of the step that sent, so it is no separate (fair or unfair) action.

use checker::liveness::FairnessClasses;
use checker::{Describe, Step};
use stateright::actor::{Actor, ActorModel, ActorModelState, Network};
use stateright::{Model, Property};
use std::fmt::Debug;
use std::hash::Hash;

/// An actor model whose ordered channels each hold at most `capacity`
/// messages. Its properties are its own (they see the wrapper).
pub struct BoundedFifo<A, C, H = ()>
where
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + Debug + Hash,
{
    pub inner: ActorModel<A, C, H>,
    pub capacity: usize,
    pub properties: Vec<Property<Self>>,
}

impl<A, C, H> BoundedFifo<A, C, H>
where
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + Debug + Hash,
{
    /// Loses the newest messages of every channel beyond the capacity.
    fn bound(&self, mut state: ActorModelState<A, H>) -> ActorModelState<A, H> {
        if let Network::Ordered(channels) = &mut state.network {
            for queue in channels.values_mut() {
                queue.truncate(self.capacity);
            }
            channels.retain(|_, q| !q.is_empty());
        }
        state
    }
}

impl<A, C, H> Model for BoundedFifo<A, C, H>
where
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + Debug + Hash,
{
    type State = ActorModelState<A, H>;
    type Action = <ActorModel<A, C, H> as Model>::Action;

    fn init_states(&self) -> Vec<Self::State> {
        self.inner
            .init_states()
            .into_iter()
            .map(|s| self.bound(s))
            .collect()
    }

    fn actions(&self, state: &Self::State, actions: &mut Vec<Self::Action>) {
        self.inner.actions(state, actions)
    }

    fn next_state(&self, state: &Self::State, action: Self::Action) -> Option<Self::State> {
        self.inner.next_state(state, action).map(|s| self.bound(s))
    }

    fn format_action(&self, action: &Self::Action) -> String {
        self.inner.format_action(action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        self.properties.clone()
    }

    fn within_boundary(&self, state: &Self::State) -> bool {
        Model::within_boundary(&self.inner, state)
    }
}

impl<A, C, H> Describe for BoundedFifo<A, C, H>
where
    A: Actor,
    A::Msg: Ord + Debug,
    A::Timer: Ord + Debug,
    A::State: Debug,
    H: Clone + Debug + Hash,
{
    fn lanes(&self) -> Vec<String> {
        self.inner.lanes()
    }

    fn describe_step(
        &self,
        before: &Self::State,
        action: &Self::Action,
        after: &Self::State,
    ) -> Step {
        self.inner.describe_step(before, action, after)
    }

    fn describe_state(&self, state: &Self::State) -> Vec<String> {
        self.inner.describe_state(state)
    }

    fn sent(&self, before: &Self::State, action: &Self::Action) -> Vec<(usize, String)> {
        self.inner.sent(before, action)
    }
}

impl<A, C, H> FairnessClasses for BoundedFifo<A, C, H>
where
    A: Actor,
    A::Msg: Ord,
    A::Timer: Ord,
    H: Clone + Debug + Hash,
{
    fn fairness_class(&self, action: &Self::Action) -> Option<u64> {
        self.inner.fairness_class(action)
    }
}
