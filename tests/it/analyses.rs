//! What models declare besides their properties: Paxos's ballot view is a
//! bisimulation that keeps every property, and valence analysis finds FLP's
//! bivalent run in the Paxos duel and none where there is no duel.

use models::paxos::{Bug, PaxosCfg};
use models::registry::Config;
use stateright::Model;
use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

/// A state's fingerprint (Paxos's history has no `Eq`, only `Hash`).
fn fp<T: Hash>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Explores Paxos with retries *without* the view, breadth first, and checks
/// on every state reached that the view (1) is idempotent, (2) keeps every
/// property's value, and (3) has successors whose views are exactly the
/// views of the state's own successors: the claim that makes exploring the
/// view sound (see `models::paxos::view`'s docs). One crash is allowed, so
/// stable storage and recovery are renumbered too. The model's boundary (at
/// most so many messages in flight) is judged on views, as the checker
/// judges it.
#[test]
fn the_paxos_ballot_view_is_a_bisimulation_that_keeps_every_property() {
    let cfg = PaxosCfg {
        clients: 2,
        servers: 3,
        crashes: 1,
        retry: true,
        bug: Bug::None,
    };
    let model = cfg.into_model();
    let view = PaxosCfg::analyses(&model)
        .view
        .expect("with retry, Paxos declares a view");
    let properties = model.properties();
    let successors = |s: &<models::paxos::PaxosModel as Model>::State| {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
            .into_iter()
            .filter_map(|a| model.next_state(s, a))
            .map(|n| view(&n))
            .filter(|n| Model::within_boundary(&model, n))
            .map(|n| fp(&n))
            .collect::<HashSet<u64>>()
    };

    let mut seen = HashSet::new();
    let mut queue: VecDeque<_> = model.init_states().into();
    let mut renumbered = 0;
    while let Some(s) = queue.pop_front() {
        if seen.len() >= 20_000 {
            break;
        }
        if !seen.insert(fp(&s)) {
            continue;
        }
        let v = view(&s);
        assert_eq!(fp(&view(&v)), fp(&v), "the view is idempotent");
        if fp(&v) != fp(&s) {
            renumbered += 1;
        }
        for p in &properties {
            assert_eq!(
                (p.condition)(&model, &s),
                (p.condition)(&model, &v),
                "{} differs between a state and its view",
                p.name
            );
        }
        assert_eq!(
            successors(&s),
            successors(&v),
            "a state and its view have the same successors, up to the view"
        );
        let mut actions = Vec::new();
        model.actions(&s, &mut actions);
        queue.extend(
            actions
                .into_iter()
                .filter_map(|a| model.next_state(&s, a))
                .filter(|n| Model::within_boundary(&model, &view(n))),
        );
    }
    assert_eq!(seen.len(), 20_000, "the space is larger than the sample");
    assert!(
        renumbered > 0,
        "the sample never exercised the view: it proves nothing"
    );
}

/// The catalog's `duelling-proposers`: two retrying proposers, no crashes.
fn duel_cfg() -> PaxosCfg {
    PaxosCfg {
        clients: 2,
        servers: 3,
        crashes: 0,
        retry: true,
        bug: Bug::None,
    }
}

fn check_job(model: &str, job: &str) -> checker::CheckSummary {
    models::catalog_jobs()
        .into_iter()
        .find(|j| j.protocol.name == model && j.name() == job)
        .unwrap_or_else(|| panic!("no catalog job {model}@{job}"))
        .check(&mut |_| {})
}

/// FLP's bivalent run, found: both values stay reachable from the initial
/// state and along a fair loop of the duel, which never decides.
#[test]
fn the_paxos_duel_stays_bivalent_forever_and_one_proposer_does_not() {
    let duel = check_job("paxos", "duelling-proposers");
    let v = duel.valence.expect("paxos declares its decisions");
    assert_eq!(v.initial, vec![vec!["A".to_string(), "B".to_string()]]);
    assert_eq!(v.bivalent_initial, 1);
    let run = v
        .bivalent_forever
        .expect("the duel is a fair run that stays bivalent");
    assert!(run.loop_start.is_some_and(|k| k < run.steps.len()));

    let one = check_job("paxos", "one-proposer");
    let v = one.valence.expect("paxos declares its decisions");
    assert_eq!(v.initial, vec![vec!["A".to_string()]]);
    assert_eq!((v.bivalent_initial, v.bivalent_states), (0, 0));
    assert!(v.bivalent_forever.is_none());
}

/// Two-phase commit starts bivalent (commit and abort both reachable), but
/// under weak fairness every run decides: no run stays bivalent.
#[test]
fn two_phase_commit_starts_bivalent_and_always_decides() {
    let summary = check_job("two-phase-commit", "correct");
    let v = summary.valence.expect("2PC declares its decisions");
    assert_eq!(v.bivalent_initial, 1);
    assert!(v.bivalent_states > 1);
    assert!(v.bivalent_forever.is_none());
}

/// The case the sampled test above rarely reaches: a proposer two rounds
/// behind retries, and its new ballot must stay below the leader's. Rounds
/// {1, 3} may become {1, 3} but not {1, 2}: then the retry (round 2) would
/// tie the leader's round and, with a higher id, overtake it.
#[test]
fn the_ballot_view_keeps_a_gap_of_two_rounds() {
    use models::paxos::{PaxosMsg, PaxosState, ServerState};
    use stateright::actor::{Envelope, Id, Network};
    use std::sync::Arc;

    let model = duel_cfg().into_model();
    let view = PaxosCfg::analyses(&model).view.expect("a view");
    let mut s = model.init_states().remove(0);
    let server = |round, client: usize, value, id: usize| ServerState {
        round,
        request: Some((Id::from(client), value)),
        ballot: Some((round, Id::from(id))),
        promised: Some((round, Id::from(id))),
        ..ServerState::default()
    };
    s.actor_states[0] = Arc::new(PaxosState::Server(server(3, 3, 'A', 0)));
    s.actor_states[1] = Arc::new(PaxosState::Server(server(1, 4, 'B', 1)));
    // Server 1 is refused by a promise of round 1 and retries at round 2.
    s.network = Network::new_unordered_nonduplicating([Envelope {
        src: Id::from(2),
        dst: Id::from(1),
        msg: PaxosMsg::Nack {
            ballot: (1, Id::from(1)),
            promised: (1, Id::from(0)),
        },
    }]);
    let successors = |s: &<models::paxos::PaxosModel as Model>::State| {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
            .into_iter()
            .filter_map(|a| model.next_state(s, a))
            .map(|n| fp(&view(&n)))
            .collect::<HashSet<u64>>()
    };
    assert!(!successors(&s).is_empty());
    assert_eq!(successors(&s), successors(&view(&s)));
}

/// The duel's lasso is fair on the real run, not only on views: every
/// message in flight when its loop starts is delivered within the loop,
/// unless delivering it does nothing (then Stateright does not even offer
/// it, and fairness asks nothing of it). So no message waits forever while
/// the loop repeats with ever higher ballots.
#[test]
fn the_duel_loop_starves_no_message() {
    use stateright::actor::ActorModelAction;

    let duel = check_job("paxos", "duelling-proposers");
    let ce = duel
        .property("eventually chosen")
        .and_then(|p| p.counterexample.clone())
        .expect("the duel is a counterexample");
    let loop_start = ce.loop_start.expect("a lasso");
    let indices: Vec<usize> = ce.path.split('/').map(|i| i.parse().unwrap()).collect();

    let model = duel_cfg().into_model();
    let mut states = vec![model.init_states().remove(indices[0])];
    for &i in &indices[1..] {
        let s = states.last().unwrap();
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        let next = model
            .next_state(s, actions[i].clone())
            .expect("a real step");
        states.push(next);
    }
    let (first, last) = (&states[loop_start], states.last().unwrap());
    let in_flight = |s: &<models::paxos::PaxosModel as Model>::State| {
        s.network
            .iter_all()
            .map(|e| (e.src, e.dst, e.msg.clone()))
            .collect::<Vec<_>>()
    };
    assert!(
        !in_flight(first).is_empty(),
        "messages are in flight when the loop starts: the check below checks something"
    );
    let waiting: Vec<_> = in_flight(first)
        .into_iter()
        .filter(|m| in_flight(last).contains(m))
        .filter(|(src, dst, msg)| {
            let deliver = ActorModelAction::Deliver {
                src: *src,
                dst: *dst,
                msg: msg.clone(),
            };
            model.next_state(last, deliver).is_some()
        })
        .collect();
    assert!(
        waiting.is_empty(),
        "deliverable all through the loop, never delivered: {waiting:?}"
    );
}
