//! Liveness that loops or stops: a model whose only non-terminating runs
//! starve a message forever (under weak fairness that starvation is not a
//! run worth reporting: the delivery is enabled all along, so it must
//! happen), and one where a crash may happen and then nothing more (TLA+'s
//! stuttering: a fair run may stop where fairness demands no step).

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
fn without_fairness_a_run_may_stop_at_once() {
    // TLA+'s semantics: every state may stutter, and with no fairness a run
    // that stutters forever from the start is a behaviour like any other.
    let s = check(Fairness::None);
    let p = s.property("received").unwrap();
    assert_eq!(p.verdict, Verdict::Violated);
    let ce = p.counterexample.as_ref().unwrap();
    assert_eq!(ce.kind, CounterexampleKind::Stutter, "{ce:?}");
    assert!(ce.steps.is_empty(), "{ce:?}");
    // Stateright's own `eventually` sees no violation here at all: every
    // path revisits a state, and it judges only paths that end.
    use stateright::{Checker, Model};
    let sr = model().checker().spawn_bfs().join();
    assert!(sr.discovery("received").is_none());
}

/// A sender that sends one message at start, and a receiver that may crash
/// (once) and notes the message.
#[derive(Clone, Debug)]
enum Pair {
    Sender { to: Id },
    Receiver,
}

impl Actor for Pair {
    type Msg = Ping;
    type Timer = Tick;
    type State = bool;
    type Storage = ();
    type Random = ();

    fn on_start(&self, _: Id, _: &Option<()>, o: &mut Out<Self>) -> bool {
        if let Pair::Sender { to } = self {
            o.send(*to, Ping);
        }
        false
    }

    fn on_msg(&self, _: Id, state: &mut Cow<bool>, _: Id, _: Ping, _: &mut Out<Self>) {
        if let Pair::Receiver = self {
            *state.to_mut() = true;
        }
    }
}

fn crashing(max_crashes: usize) -> ActorModel<Pair> {
    ActorModel::new((), ())
        .actor(Pair::Sender { to: Id::from(1) })
        .actor(Pair::Receiver)
        // A set of messages: a sender that restarts sends its one Ping
        // again, which changes nothing, so the space stays finite.
        .init_network(Network::new_unordered_duplicating([]))
        .max_crashes(max_crashes)
        .property(Exp::Eventually, "received", |_, s| *s.actor_states[1])
}

#[test]
fn a_crash_may_happen_and_then_nothing_more() {
    // Once the receiver has crashed, only recovering is enabled, and no
    // fairness demands it: the run may stop there, the message never
    // received. Judged as a deadlock or a loop only, this run was missed
    // and "received" was said to hold.
    for fairness in [Fairness::Weak, Fairness::Strong] {
        let opts = CheckOptions {
            fairness,
            ..CheckOptions::default()
        };
        let s = checker::check(crashing(1), &opts, &mut |_| {});
        let p = s.property("received").unwrap();
        assert_eq!(p.verdict, Verdict::Violated, "{fairness:?}: {p:?}");
        let ce = p.counterexample.as_ref().unwrap();
        assert_eq!(ce.kind, CounterexampleKind::Stutter);
        assert_eq!(ce.steps.len(), 1, "{ce:?}");
        assert_eq!(ce.steps[0].kind, checker::StepKind::Crash);
        let text = presentation::report::numbered_steps(ce);
        assert!(text.contains("and then nothing more happens"), "{text}");
        // Without the crash, the delivery is demanded, and happens.
        let s = checker::check(crashing(0), &opts, &mut |_| {});
        assert_eq!(s.property("received").unwrap().verdict, Verdict::Holds);
    }
}
