//! What models declare besides their properties: Paxos's ballot view and
//! ABD's view are bisimulations that keep every property, and valence analysis finds FLP's
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
    paxos_view_is_a_bisimulation(
        PaxosCfg {
            clients: 2,
            servers: 3,
            crashes: 1,
            retry: true,
            max_round: 0,
            ask_all: false,
            crash_proposers: true,
            retransmit: false,
            bug: Bug::None,
        },
        false,
    );
}

/// The same for scenario `lossy`'s view, which forgets dead messages of a
/// duplicating, lossy network (see `models::paxos::lossy_view`'s docs).
#[test]
fn the_paxos_lossy_view_is_a_bisimulation_that_keeps_every_property() {
    paxos_view_is_a_bisimulation(
        PaxosCfg {
            crashes: 0,
            retransmit: true,
            ..PaxosCfg::default()
        },
        true,
    );
}

/// `stutters`: steps from a state to one with the same view are left out
/// (the lossy view's dead messages: delivering one only sends dead
/// messages, losing one changes nothing the view keeps).
fn paxos_view_is_a_bisimulation(cfg: PaxosCfg, stutters: bool) {
    let model = cfg.into_model();
    let view = PaxosCfg::analyses(&model)
        .view
        .expect("Paxos declares a view here");
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
        // A step back to the same view (delivering or losing a message
        // the lossy view forgets) is a stutter the view does not show.
        let moves = |s: &_| {
            let mut next = successors(s);
            if stutters {
                next.remove(&fp(&v));
            }
            next
        };
        assert_eq!(
            moves(&s),
            moves(&v),
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
        max_round: 0,
        ask_all: false,
        crash_proposers: true,
        retransmit: false,
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

// Every view, the same treatment.

/// A small deterministic generator (SplitMix64) for the random walks.
struct Walk(u64);

impl Walk {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

/// The claim that makes exploring a view sound, tested on states of the
/// model *without* the view: `walks` random walks of up to `steps` steps
/// from the initial states, and on every state `s` visited, (1) the view is
/// idempotent, (2) every property has the same value on `s` and `view(s)`,
/// and (3) the step commutes with the view: the views of `s`'s successors
/// are exactly the views of `view(s)`'s successors. The model's boundary is
/// judged on views, as the checker judges it. Returns how many visited
/// states the view changed, so a caller can insist the walk exercised it.
/// Any model that declares a view (a Raft term view, say) calls this.
pub fn assert_view_commutes<M>(
    model: &M,
    view: &dyn Fn(&M::State) -> M::State,
    walks: usize,
    steps: usize,
    seed: u64,
) -> usize
where
    M: Model,
    M::State: Clone + Hash + std::fmt::Debug,
{
    assert_view_commutes_excluding(model, view, &|_| false, walks, steps, seed)
}

/// [`assert_view_commutes`] for a model whose fault model excludes some
/// actions (`Analyses::excluded`), which the walks never take either.
pub fn assert_view_commutes_excluding<M>(
    model: &M,
    view: &dyn Fn(&M::State) -> M::State,
    excluded: &dyn Fn(&M::Action) -> bool,
    walks: usize,
    steps: usize,
    seed: u64,
) -> usize
where
    M: Model,
    M::State: Clone + Hash + std::fmt::Debug,
{
    assert_view_commutes_up_to(model, view, excluded, walks, steps, seed, false)
}

/// [`assert_view_commutes_excluding`], with `stutters`: steps to a state
/// with the same view as the current one are left out on both sides (a
/// view that forgets dead messages of a duplicating network: delivering
/// one only sends dead messages, losing one changes nothing it keeps).
pub fn assert_view_commutes_up_to<M>(
    model: &M,
    view: &dyn Fn(&M::State) -> M::State,
    excluded: &dyn Fn(&M::Action) -> bool,
    walks: usize,
    steps: usize,
    seed: u64,
    stutters: bool,
) -> usize
where
    M: Model,
    M::State: Clone + Hash + std::fmt::Debug,
{
    let successors = |s: &M::State| -> Vec<M::State> {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
            .into_iter()
            .filter(|a| !excluded(a))
            .filter_map(|a| model.next_state(s, a))
            .filter(|n| model.within_boundary(&view(n)))
            .collect()
    };
    let viewed =
        |s: &M::State| -> HashSet<u64> { successors(s).iter().map(|n| fp(&view(n))).collect() };
    let properties = model.properties();
    let inits = model.init_states();
    let mut rng = Walk(seed);
    let mut changed = 0;
    for _ in 0..walks {
        let mut s = inits[rng.below(inits.len())].clone();
        for _ in 0..steps {
            let v = view(&s);
            assert_eq!(fp(&view(&v)), fp(&v), "the view is idempotent: {s:?}");
            if fp(&v) != fp(&s) {
                changed += 1;
            }
            for p in &properties {
                assert_eq!(
                    (p.condition)(model, &s),
                    (p.condition)(model, &v),
                    "{} differs between a state and its view: {s:?}",
                    p.name
                );
            }
            let moves = |s: &M::State| {
                let mut next = viewed(s);
                if stutters {
                    next.remove(&fp(&v));
                }
                next
            };
            assert_eq!(
                moves(&s),
                moves(&v),
                "view(next(s)) != view(next(view(s))) at {s:?}"
            );
            let next = successors(&s);
            if next.is_empty() {
                break;
            }
            s = next[rng.below(next.len())].clone();
        }
    }
    changed
}

/// Paxos's ballot view commutes with every step on random walks of the
/// unviewed model, in each configuration that explores it: the duel, the
/// duel with a crash (stable storage renumbered too), the duel asking every
/// acceptor, and `pick-lowest-accepted`'s scenario.
#[test]
fn the_paxos_ballot_view_commutes_on_random_walks_of_the_unviewed_model() {
    let configs = [
        duel_cfg(),
        PaxosCfg {
            crashes: 1,
            ..duel_cfg()
        },
        PaxosCfg {
            ask_all: true,
            crash_proposers: true,
            ..duel_cfg()
        },
        PaxosCfg {
            bug: Bug::PickLowestAccepted,
            ..duel_cfg()
        },
    ];
    for (i, cfg) in configs.into_iter().enumerate() {
        let model = cfg.clone().into_model();
        let view = PaxosCfg::analyses(&model).view.expect("with retry, a view");
        let changed = assert_view_commutes(&model, &*view, 300, 120, 7 + i as u64);
        assert!(changed > 0, "{cfg:?}: the walks never exercised the view");
    }
}

/// Raft's term view commutes with every step on random walks of the
/// unviewed model, wherever terms are unbounded: votes that split among
/// three patient candidates, Figure 8's rotation of two impatient ones
/// (the view shifts terms by whole turns), and the rotation with a crash
/// (storage renumbered too).
#[test]
fn the_raft_term_view_commutes_on_random_walks_of_the_unviewed_model() {
    use models::raft::{Bug, RaftCfg};
    let split = RaftCfg {
        candidates: 3,
        max_term: 0,
        contested: 1,
        max_log: 1,
        max_in_flight: 6,
        max_per_link: 2,
        patient: true,
        ..RaftCfg::default()
    };
    let rotation = RaftCfg {
        max_term: 0,
        contested: 0,
        max_in_flight: 6,
        ..RaftCfg::default()
    };
    let configs = [
        split,
        rotation.clone(),
        RaftCfg {
            crashes: 1,
            max_log: 1,
            ..rotation
        },
    ];
    for (i, cfg) in configs.into_iter().enumerate() {
        assert_eq!(cfg.bug, Bug::None);
        let model = cfg.clone().into_model();
        let view = RaftCfg::analyses(&model)
            .view
            .expect("no term bound: a view");
        let changed = assert_view_commutes(&model, &*view, 200, 120, 11 + i as u64);
        assert!(changed > 0, "{cfg:?}: the walks never exercised the view");
    }
}

/// The invariant the ballot view's renumbering relies on (see
/// `models::paxos::ballot_view_invariant`) holds on every state that each
/// retry configuration of the catalog explores, checked as an `always`
/// property by the checker itself, view and all.
#[test]
fn the_ballot_view_invariant_holds_wherever_the_view_is_explored() {
    use stateright::Expectation;
    for job in models::catalog_jobs() {
        if job.protocol.name != "paxos" || job.params["retry"] == 0 || job.params["max_round"] != 0
        {
            continue;
        }
        let cfg = <PaxosCfg as Config>::new(job.variant, &job.params);
        let model =
            cfg.into_model()
                .property(Expectation::Always, "ballot view invariant", |_, s| {
                    models::paxos::ballot_view_invariant(s)
                });
        let analyses = PaxosCfg::analyses(&model);
        let summary = checker::check_with(model, analyses, &job.options(), &mut |_| {});
        let p = summary.property("ballot view invariant").unwrap();
        // Every explored state keeps it; where the in-flight bound cut the
        // search (the view is only ever explored within it), that is all
        // the verdict may say.
        let expected = if summary.complete {
            checker::Verdict::Holds
        } else {
            checker::Verdict::Inconclusive
        };
        assert_eq!(p.verdict, expected, "{}: {p:?}", job.name());
    }
}

/// And the invariant is what matters: the hand-built state of
/// `the_ballot_view_keeps_a_gap_of_two_rounds` with the leader at round 4
/// (a proposer three rounds behind, which two proposers never reach) breaks
/// both the invariant and the commutation.
#[test]
fn without_the_invariant_the_ballot_view_does_not_commute() {
    use models::paxos::{PaxosMsg, PaxosState, ServerState};
    use stateright::actor::{Envelope, Id, Network};
    use std::sync::Arc;

    let model = duel_cfg().into_model();
    let view = PaxosCfg::analyses(&model).view.expect("a view");
    let server = |round, client: usize, value, id: usize| ServerState {
        round,
        request: Some((Id::from(client), value)),
        ballot: Some((round, Id::from(id))),
        promised: Some((round, Id::from(id))),
        ..ServerState::default()
    };
    let state = |leader: u32| {
        let mut s = model.init_states().remove(0);
        s.actor_states[0] = Arc::new(PaxosState::Server(server(leader, 3, 'A', 0)));
        s.actor_states[1] = Arc::new(PaxosState::Server(server(1, 4, 'B', 1)));
        s.network = Network::new_unordered_nonduplicating([Envelope {
            src: Id::from(2),
            dst: Id::from(1),
            msg: PaxosMsg::Nack {
                ballot: (1, Id::from(1)),
                promised: (1, Id::from(0)),
            },
        }]);
        s
    };
    let successors = |s: &<models::paxos::PaxosModel as Model>::State| {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
            .into_iter()
            .filter_map(|a| model.next_state(s, a))
            .map(|n| fp(&view(&n)))
            .collect::<HashSet<u64>>()
    };
    assert!(models::paxos::ballot_view_invariant(&state(2)));
    let s = state(4);
    assert!(!models::paxos::ballot_view_invariant(&s));
    assert_ne!(successors(&s), successors(&view(&s)));
}

/// ABD's view (dead messages forgotten, servers sorted) commutes with every
/// step on random walks of the unviewed model, in each configuration the
/// catalog checks: the default, two writers (correct and without writer
/// ids), a crash that stays, and `lossy` (up to stutters).
#[test]
fn the_abd_view_commutes_on_random_walks_of_the_unviewed_model() {
    use models::abd_register::{AbdCfg, PROTOCOL};
    let jobs = models::jobs_of(&PROTOCOL);
    assert!(jobs.len() >= 5);
    for (i, job) in jobs.iter().enumerate() {
        let model = AbdCfg::new(job.variant, &job.params).into_model();
        let analyses = AbdCfg::analyses(&model);
        let view = analyses.view.expect("a view");
        let excluded = analyses.excluded.expect("crash-stop servers only");
        // `lossy` forgets dead messages of a duplicating network: up to
        // stutters.
        let stutters = job.params["retransmit"] == 1;
        let changed = assert_view_commutes_up_to(
            &model,
            &*view,
            &*excluded,
            200,
            60,
            11 + i as u64,
            stutters,
        );
        assert!(
            changed > 0,
            "{}: the walks never exercised the view",
            job.name()
        );
    }
}

// FLP.

/// FLP's Lemma 2 and Theorem 1 on the `flp` model: in Lemma 2's chain of
/// initial configurations (000, 001, 011, 010, 110, 111, 101, 100) the ones
/// with two 1s are bivalent and the rest univalent; a fair run with no
/// crash loops forever through bivalent configurations, and it is the run
/// that violates termination. Each bug decides on every fair run instead,
/// and loses agreement.
#[test]
fn flp_has_a_bivalent_initial_configuration_and_a_bivalent_fair_lasso() {
    use checker::{CounterexampleKind, StepKind, Verdict};
    let correct = check_job("flp", "correct");
    assert!(correct.complete);
    let v = correct.valence.clone().expect("flp declares its decisions");
    let words: Vec<String> = v.initial.iter().map(|d| d.join(" ")).collect();
    assert_eq!(words, ["0", "0", "0 1", "0", "0 1", "1", "0 1", "0"]);
    assert_eq!(v.bivalent_initial, 3);
    let forever = v.bivalent_forever.expect("FLP's run stays bivalent");
    assert_eq!(forever.kind, CounterexampleKind::Lasso);
    let termination = correct.property("termination").unwrap();
    assert_eq!(termination.verdict, Verdict::Violated);
    let lasso = termination.counterexample.as_ref().unwrap();
    assert_eq!(lasso.kind, CounterexampleKind::Lasso);
    for run in [lasso, &forever] {
        assert!(
            run.steps.iter().all(|s| s.kind == StepKind::Deliver),
            "FLP's run needs no crash: {:?}",
            run.steps
        );
        // Every process takes a step in the loop.
        let loop_start = run.loop_start.unwrap();
        let movers: std::collections::BTreeSet<usize> =
            run.steps[loop_start..].iter().map(|s| s.actor).collect();
        assert_eq!(movers.len(), 3, "{:?}", run.steps);
    }
    assert_eq!(
        correct.property("agreement").unwrap().verdict,
        Verdict::Holds
    );
    assert_eq!(
        correct.property("validity").unwrap().verdict,
        Verdict::Holds
    );

    for bug in [
        "propose-without-majority",
        "decide-on-one-proposal",
        "ignore-proposal",
    ] {
        let s = check_job("flp", bug);
        assert_eq!(
            s.property("agreement").unwrap().verdict,
            Verdict::Violated,
            "{bug}"
        );
        assert_eq!(
            s.property("termination").unwrap().verdict,
            Verdict::Holds,
            "{bug}"
        );
        assert!(s.valence.unwrap().bivalent_forever.is_none(), "{bug}");
    }
}

/// FLP §4 and the n - f wait on the `flp` model: with p0 dead from the
/// start (Theorem 2's setting) every fair run decides and no initial
/// configuration is bivalent, on a reliable network and on a lossy one
/// with retransmission. `wait-for-all`, which waits for all three
/// processes, has no bivalent configuration at all when every process is
/// up, but never decides with p0 dead, and with a crash its termination
/// counterexample is a run that stops after a crash, the others waiting for
/// the crashed one.
#[test]
fn flp_decides_without_a_dead_process_and_waiting_for_all_does_not() {
    use checker::{CounterexampleKind, StepKind, Verdict};
    let dead = check_job("flp", "initially-dead");
    assert!(dead.complete);
    assert_eq!(
        dead.property("termination").unwrap().verdict,
        Verdict::Holds
    );
    let v = dead.valence.expect("flp declares its decisions");
    assert_eq!((v.bivalent_initial, v.bivalent_states), (0, 0));

    // On a lossy network with retransmission, the same: every strongly
    // fair run decides, and each initial configuration reaches the
    // decisions it reaches on a reliable one (a resent message is one sent
    // before, the input its report carries included).
    let lossy = check_job("flp", "initially-dead-lossy");
    assert!(lossy.complete);
    assert_eq!(
        lossy.property("termination").unwrap().verdict,
        Verdict::Holds
    );
    let lv = lossy.valence.expect("flp declares its decisions");
    assert_eq!(lv.initial, v.initial);
    assert_eq!((lv.bivalent_initial, lv.bivalent_states), (0, 0));

    let stuck = check_job("flp", "initially-dead-wait-for-all");
    let termination = stuck.property("termination").unwrap();
    assert_eq!(termination.verdict, Verdict::Violated);
    let run = termination.counterexample.as_ref().unwrap();
    assert_eq!(run.kind, CounterexampleKind::Deadlock);
    assert!(run.steps.iter().all(|s| s.kind == StepKind::Deliver));

    let all = check_job("flp", "wait-for-all");
    let v = all.valence.clone().expect("flp declares its decisions");
    assert_eq!((v.bivalent_initial, v.bivalent_states), (0, 0));
    assert_eq!(all.property("agreement").unwrap().verdict, Verdict::Holds);
    let termination = all.property("termination").unwrap();
    assert_eq!(termination.verdict, Verdict::Violated);
    let run = termination.counterexample.as_ref().unwrap();
    assert_eq!(run.kind, CounterexampleKind::Deadlock);
    assert!(
        run.steps.iter().any(|s| s.kind == StepKind::Crash),
        "{:?}",
        run.steps
    );
}

/// The round view commutes with every step on random walks of the unviewed
/// model, with a crash and in a bug variant that proposes two values, and
/// with retransmission on a lossy network (with a crash, and with p0 dead
/// from the start), where a step to a state with the same view is a stutter
/// on both sides.
#[test]
fn the_flp_round_view_commutes_on_random_walks_of_the_unviewed_model() {
    use models::flp::{Bug, FlpCfg};
    let lossy = FlpCfg {
        retransmit: true,
        ..FlpCfg::default()
    };
    let configs = [
        FlpCfg::default(),
        FlpCfg {
            bug: Bug::ProposeWithoutMajority,
            ..FlpCfg::default()
        },
        lossy.clone(),
        FlpCfg {
            crashes: 0,
            initially_dead: true,
            ..lossy.clone()
        },
        FlpCfg {
            crashes: 0,
            initially_dead: true,
            bug: Bug::ForgetPastRounds,
            ..lossy
        },
    ];
    for (i, cfg) in configs.into_iter().enumerate() {
        let model = cfg.clone().into_model();
        let view = FlpCfg::analyses(&model).view.expect("flp declares a view");
        let changed = assert_view_commutes_up_to(
            &model,
            &*view,
            &|_| false,
            300,
            120,
            11 + i as u64,
            cfg.retransmit,
        );
        assert!(changed > 0, "{cfg:?}: the walks never exercised the view");
    }
}

/// `committed` is the prefix up to the highest index any server ever
/// applied, read from that server's log as commands; a crash keeps it
/// (history variables in storage), and a log that loses an entry it
/// knew committed maps to a step `ReplicatedLog` does not have.
#[test]
fn raft_committed_is_the_longest_prefix_a_server_knows() {
    use models::raft::{
        replicated_log_spec, to_replicated_log, Command, LogEntry, RaftCfg, RaftModel,
    };
    type State = <RaftModel as Model>::State;
    let model = RaftCfg::default().into_model();
    let mut s = model.init_states().remove(0);
    let committed = |s: &State| to_replicated_log(s).committed;
    assert_eq!(committed(&s), Vec::<char>::new());
    let e = |term, command| LogEntry {
        term,
        command: Command(command),
    };
    let set = |s: &mut State, i: usize, log: Vec<LogEntry>, applied: usize| {
        let mut r = (*s.actor_states[i]).clone();
        r.ghost.applied = (1..).zip(log[..applied].iter().copied()).collect();
        r.log = log;
        s.actor_states[i] = std::sync::Arc::new(r);
    };
    // Server 2 knows one entry committed, server 1 both.
    set(&mut s, 2, vec![e(1, 'a'), e(2, 'b')], 1);
    assert_eq!(committed(&s), ['a']);
    let before = s.clone();
    set(&mut s, 1, vec![e(1, 'a'), e(2, 'b')], 2);
    assert_eq!(committed(&s), ['a', 'b']);
    let spec = replicated_log_spec(&model.cfg);
    let rl = |s: &State| specs::abstract_spec::replicated_log::State {
        committed: committed(s),
    };
    // Two entries committed in one step: one Commit.
    assert!(spec.next_states(&rl(&before)).contains(&rl(&s)));
    // Server 1 restarts: its commit index is gone, its ghost is not.
    let mut restarted = s.clone();
    let mut r = (*restarted.actor_states[1]).clone();
    r.commit_index = 0;
    r.last_applied = 0;
    r.state_machine.clear();
    restarted.actor_states[1] = std::sync::Arc::new(r);
    assert_eq!(committed(&restarted), ['a', 'b']);
    let both = rl(&s);
    // Figure 8's (d): the log that knew `a` committed at index 1 has it
    // overwritten; `committed` changes, which no step of the spec does.
    let mut r = (*s.actor_states[1]).clone();
    r.log = vec![e(3, 'b'), e(3, 'b')];
    s.actor_states[1] = std::sync::Arc::new(r);
    assert_eq!(committed(&s), ['b', 'b']);
    let after = rl(&s);
    assert!(after != both && !spec.next_states(&both).contains(&after));
}
