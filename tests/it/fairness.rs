//! Liveness that loops: a model whose only non-terminating runs starve a
//! message forever. Under weak fairness that starvation is not a run worth
//! reporting (the delivery is enabled all along, so it must happen); with
//! no fairness it is a lasso.

use checker::{CheckOptions, CounterexampleKind, Fairness, Verdict};
use stateright::actor::{model_timeout, Actor, ActorModel, ActorModelState, Id, Network, Out};
use stateright::Expectation as Exp;
use std::borrow::Cow;

/// A ticker that sends one message and then ticks forever, flipping a bit,
/// and a receiver that notes the message.
#[derive(Clone, Debug)]
enum Node {
    Ticker { to: Id },
    Receiver,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ping;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Tick;

impl Actor for Node {
    type Msg = Ping;
    type Timer = Tick;
    type State = bool;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        match self {
            Node::Ticker { .. } => "ticker".into(),
            Node::Receiver => "receiver".into(),
        }
    }

    fn on_start(&self, _: Id, _: &Option<()>, o: &mut Out<Self>) -> bool {
        if let Node::Ticker { to } = self {
            o.send(*to, Ping);
            o.set_timer(Tick, model_timeout());
        }
        false
    }

    fn on_msg(&self, _: Id, state: &mut Cow<bool>, _: Id, _: Ping, _: &mut Out<Self>) {
        if let Node::Receiver = self {
            *state.to_mut() = true;
        }
    }

    fn on_timeout(&self, _: Id, state: &mut Cow<bool>, _: &Tick, o: &mut Out<Self>) {
        let flipped = !**state;
        *state.to_mut() = flipped;
        o.set_timer(Tick, model_timeout());
    }
}

fn model() -> ActorModel<Node> {
    ActorModel::new((), ())
        .actor(Node::Ticker { to: Id::from(1) })
        .actor(Node::Receiver)
        .init_network(Network::new_unordered_nonduplicating([]))
        .property(Exp::Eventually, "received", received)
        .property(Exp::Sometimes, "can receive", received)
}

fn received(_: &ActorModel<Node>, state: &ActorModelState<Node>) -> bool {
    *state.actor_states[1]
}

fn check(fairness: Fairness) -> checker::CheckSummary {
    let opts = CheckOptions {
        fairness,
        ..CheckOptions::default()
    };
    checker::check(model(), &opts, &mut |_| {})
}

#[test]
fn starving_a_message_is_no_counterexample_under_weak_fairness() {
    for fairness in [Fairness::Weak, Fairness::Strong] {
        let s = check(fairness);
        let p = s.property("received").unwrap();
        assert_eq!(p.verdict, Verdict::Holds, "{fairness:?}: {p:?}");
        assert_eq!(
            s.property("can receive").unwrap().verdict,
            Verdict::ExampleFound
        );
    }
}

#[test]
fn starving_a_message_is_a_lasso_without_fairness() {
    let s = check(Fairness::None);
    let p = s.property("received").unwrap();
    assert_eq!(p.verdict, Verdict::Violated);
    let ce = p.counterexample.as_ref().unwrap();
    assert_eq!(ce.kind, CounterexampleKind::Lasso);
    let start = ce.loop_start.expect("a lasso has a loop");
    assert!(start < ce.steps.len(), "the loop has steps: {ce:?}");
    // The loop only ticks; the message is never delivered.
    assert!(
        ce.steps[start..].iter().all(|st| st.label == "Tick"),
        "{ce:?}"
    );
    // Stateright's own `eventually` sees no violation here at all: every
    // path revisits a state, and it judges only paths that end.
    use stateright::{Checker, Model};
    let sr = model().checker().spawn_bfs().join();
    assert!(sr.discovery("received").is_none());
}
