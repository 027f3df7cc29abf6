//! The first four models as an expert writes them: every rule of the paper
//! exercised by a checked configuration, properties as strong as the
//! paper's, and faults that may happen but never must.

use checker::{CheckOptions, Fairness, Verdict};
use models::registry::{Config, Protocol};
use stateright::{Expectation, Model};

fn check_with_fairness<M>(model: M, fairness: Fairness) -> checker::CheckSummary
where
    M: Model + checker::Describe + checker::liveness::FairnessClasses + Send + Sync + 'static,
    M::State: Clone + std::fmt::Debug + std::hash::Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    let opts = CheckOptions {
        fairness,
        ..CheckOptions::default()
    };
    checker::check(model, &opts, &mut |_| {})
}

fn source(protocol: &Protocol, property: &str) -> &'static str {
    protocol
        .properties
        .iter()
        .find(|p| p.name == property)
        .unwrap_or_else(|| panic!("{} declares {property:?}", protocol.name))
        .source
}

mod two_phase_commit {
    use super::*;
    use models::two_phase_commit::{
        Bug, TmState, TwoPhaseCfg, TwoPhaseModel, TwoPhaseState, PROTOCOL,
    };
    use std::sync::Arc;

    type State = <TwoPhaseModel as Model>::State;

    fn tm_crashed(_: &TwoPhaseModel, s: &State) -> bool {
        s.actor_states
            .iter()
            .any(|a| matches!(**a, TwoPhaseState::Tm { crashed: true, .. }))
    }

    /// A fault may happen and need not: were the crash a timer, fairness
    /// would force it, and "eventually the TM has crashed" would hold.
    #[test]
    fn the_coordinator_may_crash_but_need_not() {
        let cfg = TwoPhaseCfg {
            rms: 3,
            coordinator_crashes: 1,
            retransmit: false,
            bug: Bug::None,
        };
        for fairness in [Fairness::Weak, Fairness::Strong] {
            let model = cfg
                .clone()
                .into_model()
                .property(Expectation::Eventually, "the TM has crashed", tm_crashed)
                .property(Expectation::Sometimes, "the TM can crash", tm_crashed);
            let s = check_with_fairness(model, fairness);
            assert_eq!(
                s.property("the TM has crashed").unwrap().verdict,
                Verdict::Violated,
                "{fairness:?}"
            );
            assert_eq!(
                s.property("the TM can crash").unwrap().verdict,
                Verdict::ExampleFound
            );
        }
    }

    /// AC1 is about every process that decides, the TM included: a TM that
    /// has committed while an RM has aborted on its own violates it even
    /// before any RM has heard the commit.
    #[test]
    fn agreement_counts_the_coordinators_decision() {
        let model = TwoPhaseCfg::default().into_model();
        let mut s = model.init_states().remove(0);
        s.actor_states[0] = Arc::new(TwoPhaseState::Tm {
            tm_state: TmState::Committed,
            tm_prepared: [1, 2, 3].into(),
            crashed: false,
        });
        s.actor_states[1] = Arc::new(TwoPhaseState::Rm {
            rm_state: models::two_phase_commit::RmState::Aborted,
            voted_yes: false,
        });
        let agreement = model
            .properties()
            .into_iter()
            .find(|p| p.name == "agreement")
            .unwrap();
        assert!(!(agreement.condition)(&model, &s));
    }

    /// Blocking under a crash-stop TM is not an AC5 violation, and AC4 is
    /// not checked (TwoPhase.tla's TM may abort at any time): the property
    /// list says both.
    #[test]
    fn termination_is_not_labelled_ac5_and_ac4_is_declared_unchecked() {
        let termination = source(&PROTOCOL, "termination");
        assert!(termination.contains("Not AC5"), "{termination}");
        assert!(termination.contains("blocking"), "{termination}");
        assert!(PROTOCOL.notes.contains("AC4"), "{}", PROTOCOL.notes);
        assert!(PROTOCOL.notes.contains("refines TCommit"));
        assert!(source(&PROTOCOL, "agreement").contains("TM"));
    }

    /// The fault is a fair choice between Crash and NoCrash: the docs say
    /// so (fairness forces the choice, never the crash).
    #[test]
    fn the_docs_say_fairness_forces_the_choice_not_the_crash() {
        let doc = PROTOCOL
            .params
            .iter()
            .find(|p| p.name == "coordinator_crashes")
            .unwrap()
            .doc;
        assert!(
            doc.contains("NoCrash") && doc.contains("never the crash"),
            "{doc}"
        );
        assert!(!doc.contains("unfair"), "{doc}");
    }

    /// A prepared RM that aborts on its own (RMChooseToAbort enabled in
    /// Prepared) breaks AC1: some run has the TM commit and that RM abort,
    /// and the correct protocol never lets a prepared RM abort but on the
    /// TM's word.
    #[test]
    fn a_prepared_rm_that_aborts_on_its_own_breaks_agreement() {
        fn prepared_rm_aborted_alone(_: &TwoPhaseModel, s: &State) -> bool {
            let tm_committed = s.actor_states.iter().any(|a| {
                matches!(
                    **a,
                    TwoPhaseState::Tm {
                        tm_state: TmState::Committed,
                        ..
                    }
                )
            });
            tm_committed
                && s.actor_states.iter().any(|a| {
                    matches!(
                        **a,
                        TwoPhaseState::Rm {
                            rm_state: models::two_phase_commit::RmState::Aborted,
                            voted_yes: true,
                        }
                    )
                })
        }
        for (bug, expected) in [
            (Bug::None, Verdict::Holds),
            (Bug::PreparedRmAborts, Verdict::Violated),
        ] {
            let model = TwoPhaseCfg {
                bug,
                ..TwoPhaseCfg::default()
            }
            .into_model()
            .property(
                Expectation::Always,
                "no prepared RM aborts after a commit",
                |m, s| !prepared_rm_aborted_alone(m, s),
            );
            let s = check_with_fairness(model, Fairness::Weak);
            assert_eq!(
                s.property("no prepared RM aborts after a commit")
                    .unwrap()
                    .verdict,
                expected,
                "{bug:?}"
            );
            let agreement = s.property("agreement").unwrap().verdict;
            assert_eq!(agreement == Verdict::Violated, bug != Bug::None, "{bug:?}");
        }
    }
}

mod paxos {
    use super::*;
    use models::paxos::{PaxosCfg, PaxosModel, PaxosMsg, PaxosState};
    use stateright::actor::ActorModelAction;

    type State = <PaxosModel as Model>::State;

    /// Phase 2(a)'s "highest-numbered" rule is exercised where agreement is
    /// shown: in scenario `highest-accepted` a phase 1 hears of two accepted
    /// values, the search is complete (no view, no bound), and agreement
    /// holds; taking the lowest instead (`lowest-accepted`, the same
    /// configuration) chooses a second value. At the default, with one
    /// ballot per proposer, the case never arises.
    #[test]
    fn the_highest_accepted_rule_is_exercised_where_agreement_holds() {
        let highest = scenario("highest-accepted");
        assert_eq!(highest.variant, "correct");
        assert!(highest.complete, "{:?}", highest.cut_off_by);
        let verdict = |s: &checker::CheckSummary, p: &str| s.property(p).unwrap().verdict;
        assert_eq!(
            verdict(&highest, "two values reported"),
            Verdict::ExampleFound
        );
        assert_eq!(verdict(&highest, "agreement"), Verdict::Holds);

        let lowest = scenario("lowest-accepted");
        assert_eq!(lowest.variant, "pick-lowest-accepted");
        assert_eq!(lowest.unique_states, highest.unique_states);
        assert_eq!(verdict(&lowest, "agreement"), Verdict::Violated);

        let default = models::catalog_jobs()
            .into_iter()
            .find(|j| j.protocol.name == "paxos" && j.scenario.is_none())
            .unwrap()
            .check(&mut |_| {});
        assert_eq!(verdict(&default, "two values reported"), Verdict::NoExample);
    }

    /// §2.1's third requirement is its own property: a learner that learned
    /// a value nobody chose breaks it, whatever the clients see.
    #[test]
    fn learning_an_unchosen_value_breaks_learns_only_chosen() {
        let model = PaxosCfg {
            crashes: 0,
            clients: 1,
            ..PaxosCfg::default()
        }
        .into_model();
        let mut state = model.init_states().remove(0);
        let mut s = match &*state.actor_states[1] {
            PaxosState::Server(s) => s.clone(),
            PaxosState::Client(_) => unreachable!("actor 1 is a server"),
        };
        s.chosen = Some('A');
        state.actor_states[1] = std::sync::Arc::new(PaxosState::Server(s));
        let property = model
            .properties()
            .into_iter()
            .find(|p| p.name == "learns only chosen")
            .unwrap();
        assert!(!(property.condition)(&model, &state));
        let init = model.init_states().remove(0);
        assert!((property.condition)(&model, &init));
    }

    /// The prepare requests of a client's write: to every acceptor with
    /// `ask_all`, else to a fixed majority.
    fn prepares_after_first_put(ask_all: bool) -> usize {
        let model = PaxosCfg {
            ask_all,
            ..PaxosCfg::default()
        }
        .into_model();
        let init = model.init_states().remove(0);
        let mut actions = Vec::new();
        model.actions(&init, &mut actions);
        let put = actions
            .into_iter()
            .find(|a| {
                matches!(
                    a,
                    ActorModelAction::Deliver {
                        msg: PaxosMsg::Put { .. },
                        ..
                    }
                )
            })
            .expect("a client's Put is in flight");
        let next = model.next_state(&init, put).expect("a step");
        next.network
            .iter_all()
            .filter(|e| matches!(e.msg, PaxosMsg::Prepare { .. }))
            .count()
    }

    #[test]
    fn with_ask_all_a_proposer_asks_every_acceptor() {
        assert_eq!(prepares_after_first_put(true), 3);
        assert_eq!(prepares_after_first_put(false), 2);
    }

    /// The accept requests of the first proposal: to every acceptor with
    /// `ask_all` (Paxos.tla's Phase2a), else to the acceptors that promised.
    #[test]
    fn with_ask_all_a_proposer_sends_accept_requests_to_every_acceptor() {
        for (ask_all, expected) in [(true, 3), (false, 2)] {
            let model = PaxosCfg {
                ask_all,
                crashes: 0,
                clients: 1,
                ..PaxosCfg::default()
            }
            .into_model();
            // Deliver everything, first in the action order, until the
            // proposer has sent its accept requests.
            let mut state = model.init_states().remove(0);
            let accepts = |s: &State| {
                s.network
                    .iter_all()
                    .filter(|e| matches!(e.msg, PaxosMsg::Accept { .. }))
                    .count()
            };
            while accepts(&state) == 0 {
                let mut actions = Vec::new();
                model.actions(&state, &mut actions);
                state = actions
                    .into_iter()
                    .find_map(|a| model.next_state(&state, a))
                    .expect("a step before the accept requests");
            }
            assert_eq!(accepts(&state), expected, "ask_all={ask_all}");
        }
    }

    fn scenario(name: &str) -> checker::CheckSummary {
        let job = models::catalog_jobs()
            .into_iter()
            .find(|j| j.protocol.name == "paxos" && j.name() == name)
            .expect("the scenario is in the catalog");
        job.check(&mut |_| {})
    }

    /// §2.4's condition for progress, a working proposer and a working
    /// majority: asking every acceptor, a value is eventually chosen
    /// whichever acceptor crashes; asking a fixed majority, the crash of
    /// one of its acceptors (never the proposer, which stays up) stops it.
    #[test]
    fn progress_needs_some_live_majority_only_when_every_acceptor_is_asked() {
        let live = scenario("live-majority");
        let chosen = live.property("eventually chosen").unwrap();
        assert_eq!(chosen.verdict, Verdict::Holds);

        let fixed = scenario("fixed-majority");
        let chosen = fixed.property("eventually chosen").unwrap();
        assert_eq!(chosen.verdict, Verdict::Violated);
        let run = chosen.counterexample.as_ref().unwrap();
        let crashes: Vec<usize> = run
            .steps
            .iter()
            .filter(|s| s.kind == checker::StepKind::Crash)
            .map(|s| s.actor)
            .collect();
        assert_eq!(crashes, [1], "the proposer's other acceptor crashes");
    }

    /// Forgetting the promise and forgetting the acceptance are two bugs,
    /// each its own variant.
    #[test]
    fn forgetting_the_promise_and_the_acceptance_are_separate_variants() {
        let names: Vec<&str> = models::paxos::PROTOCOL
            .variants
            .iter()
            .map(|v| v.name)
            .collect();
        for v in [
            "forget-promise-on-crash",
            "forget-acceptance-on-crash",
            "pick-lowest-accepted",
        ] {
            assert!(names.contains(&v), "{v} missing from {names:?}");
        }
    }
}

mod alternating_bit {
    use super::*;
    use models::alternating_bit::PROTOCOL;

    fn job(name: &str) -> models::Job {
        models::catalog_jobs()
            .into_iter()
            .find(|j| j.protocol.name == "alternating-bit" && j.name() == name)
            .unwrap_or_else(|| panic!("{name} is in the catalog"))
    }

    fn final_state(ce: &checker::summary::Counterexample, lane: &str) -> String {
        let i = ce.actors.iter().position(|a| a == lane).expect("lane");
        ce.final_states[i].clone()
    }

    /// The summary says what the links do: FIFO, lossy, not duplicating.
    #[test]
    fn the_summary_is_true_about_the_network() {
        assert!(PROTOCOL.summary.contains("FIFO"), "{}", PROTOCOL.summary);
        assert!(
            !PROTOCOL.summary.contains("duplicating"),
            "{}",
            PROTOCOL.summary
        );
    }

    /// The scenario that shows why the links must be FIFO: over a
    /// reordering, duplicating link the receiver delivers [0, 1, 0], the
    /// second 0 a network duplicate (no retransmission in the run), and a
    /// message is never delivered.
    #[test]
    fn a_reordering_link_delivers_a_stale_copy_as_new() {
        let s = job("reordering-link").check(&mut |_| {});
        let order = s.property("delivered once, in order").unwrap();
        assert_eq!(order.verdict, Verdict::Violated);
        let ce = order.counterexample.as_ref().unwrap();
        assert!(
            final_state(ce, "receiver").contains("delivered: [0, 1, 0]"),
            "{ce:#?}"
        );
        assert!(
            ce.steps
                .iter()
                .all(|s| s.kind != checker::StepKind::Timeout),
            "{ce:#?}"
        );
        let every = s.property("every message delivered").unwrap();
        assert_eq!(every.verdict, Verdict::Violated);
    }

    /// A sender that takes any ack moves past a lost message: the stream is
    /// done at the sender while the receiver misses a message.
    #[test]
    fn a_sender_that_takes_any_ack_loses_a_message() {
        let s = models::check(
            &PROTOCOL,
            "take-any-ack",
            &PROTOCOL.default_params(),
            &CheckOptions {
                fairness: PROTOCOL.fairness,
                ..CheckOptions::default()
            },
            &mut |_| {},
        );
        let every = s.property("every message delivered").unwrap();
        assert_eq!(every.verdict, Verdict::Violated);
        let ce = every.counterexample.as_ref().unwrap();
        assert!(final_state(ce, "sender").contains("next: 2"), "{ce:#?}");
        assert!(
            final_state(ce, "receiver").contains("delivered: [0]"),
            "{ce:#?}"
        );
        let correct = job(models::CORRECT).check(&mut |_| {});
        assert_eq!(
            correct.property("every message delivered").unwrap().verdict,
            Verdict::Holds
        );
    }
}

mod abd_register {
    use super::*;
    use models::abd_register::{AbdCfg, AbdModel, AbdState, Phase, Response, PROTOCOL};

    type State = <AbdModel as Model>::State;

    /// The catalog job named `name` of abd-register.
    fn job(name: &str) -> models::Job {
        models::catalog_jobs()
            .into_iter()
            .find(|j| j.protocol.name == "abd-register" && j.name() == name)
            .unwrap_or_else(|| panic!("{name} is in the catalog"))
    }

    /// A named condition on ABD's states.
    type Condition = (&'static str, fn(&AbdModel, &State) -> bool);

    /// Checks the correct protocol at `job`'s parameters with `extra`
    /// reachability properties added, and returns each one's verdict.
    fn reachable(job: &models::Job, extra: &[Condition]) -> Vec<Verdict> {
        let cfg = <AbdCfg as Config>::new(models::CORRECT, &job.params);
        let mut model = cfg.into_model();
        for (name, f) in extra {
            model = model.property(Expectation::Sometimes, name, *f);
        }
        let analyses = AbdCfg::analyses(&model);
        let s = checker::check_with(model, analyses, &job.options(), &mut |_| {});
        extra
            .iter()
            .map(|(name, _)| s.property(name).unwrap().verdict)
            .collect()
    }

    fn labels(s: &State) -> Vec<(u32, usize)> {
        s.actor_states
            .iter()
            .filter_map(|a| match &**a {
                AbdState::Client {
                    phase: Phase::Update { ts, .. },
                    op: 0,
                    ..
                } => Some(*ts),
                _ => None,
            })
            .collect()
    }

    /// Both writers chose sequence number 1: only the writer id tells the
    /// labels apart.
    fn writers_tie(_: &AbdModel, s: &State) -> bool {
        let l = labels(s);
        l.len() == 2 && l[0].0 == l[1].0
    }

    /// A writer's query phase saw the other writer's label: it picks seq 2.
    fn writer_saw_other_write(_: &AbdModel, s: &State) -> bool {
        labels(s).iter().any(|ts| ts.0 == 2)
    }

    /// The two reads after the writes are in flight together.
    fn reads_overlap(_: &AbdModel, s: &State) -> bool {
        s.actor_states
            .iter()
            .filter(|a| {
                matches!(&***a, AbdState::Client { op: 1, phase, .. }
                    if matches!(phase, Phase::Query { .. } | Phase::Update { .. }))
            })
            .count()
            == 2
    }

    /// Scenario `two-writers` exercises the writer's query phase (a label
    /// above the other's), the tie-break on writer ids (the same seq), and
    /// two reads at once, on the correct protocol.
    #[test]
    fn two_writers_exercise_the_query_phase_the_tie_break_and_concurrent_reads() {
        let job = job("two-writers");
        assert_eq!(job.variant, models::CORRECT);
        assert_eq!(
            reachable(
                &job,
                &[
                    ("writers tie", writers_tie),
                    ("writer saw the other write", writer_saw_other_write),
                    ("reads overlap", reads_overlap),
                ]
            ),
            [Verdict::ExampleFound; 3]
        );
    }

    /// Without the writer id in the label, the tie is not broken: after
    /// both writes returned, the two reads return different values.
    #[test]
    fn the_tie_break_variant_makes_two_later_reads_disagree() {
        let job = job("tie-break");
        assert_eq!(job.variant, "timestamp-without-writer-id");
        let s = job.check(&mut |_| {});
        let ce = s
            .property("linearizable")
            .and_then(|p| p.counterexample.as_ref())
            .expect("linearizable is violated");
        let returned: Vec<&String> = ce
            .actors
            .iter()
            .zip(&ce.final_states)
            .filter(|(a, _)| a.starts_with("client"))
            .map(|(_, s)| s)
            .collect();
        assert_eq!(returned.len(), 2, "{ce:#?}");
        let reads: Vec<bool> = [1, 2]
            .iter()
            .map(|v| returned.iter().any(|s| s.contains(&format!("ReadOk({v})"))))
            .collect();
        assert_eq!(reads, [true, true], "{ce:#?}");
    }

    /// A server crashes (for good) in scenario `server-crash`, and every
    /// operation still completes: each client asks every server and goes
    /// on with the first majority.
    fn crashed_and_done(_: &AbdModel, s: &State) -> bool {
        s.crashed.iter().any(|c| *c)
            && s.actor_states.iter().all(|a| match &**a {
                AbdState::Client { returned, .. } => returned
                    .iter()
                    .any(|r| matches!(r, Response::ReadOk(_) | Response::WriteOk)),
                AbdState::Server { .. } => true,
            })
    }

    #[test]
    fn a_minority_server_may_crash_and_every_operation_completes() {
        let job = job("server-crash");
        assert_eq!(
            reachable(&job, &[("crashed and done", crashed_and_done)]),
            [Verdict::ExampleFound]
        );
        let s = job.check(&mut |_| {});
        assert_eq!(
            s.property("every operation completes").unwrap().verdict,
            Verdict::Holds
        );
    }

    /// "Every operation completes with a majority alive" is a checked
    /// `eventually` property, and the fault model never lets a majority
    /// crash, whatever the parameter asks.
    #[test]
    fn termination_is_checked_and_crashes_stay_a_minority() {
        let p = PROTOCOL
            .properties
            .iter()
            .find(|p| p.name == "every operation completes")
            .expect("declared");
        assert_eq!(p.kind, checker::PropertyKind::Eventually);
        let mut params = PROTOCOL.default_params();
        params.insert("crashes", 1);
        params.insert("servers", 4);
        let cfg = AbdCfg::new(models::CORRECT, &params);
        assert_eq!(cfg.crashes, 1);
        params.insert("servers", 3);
        assert_eq!(AbdCfg::new(models::CORRECT, &params).crashes, 1);
    }
    /// Client 1's write, which starts after client 2's returned, is
    /// labelled above it: seq 2, from the query phase.
    fn later_write_labelled_above(_: &AbdModel, s: &State) -> bool {
        matches!(
            &*s.actor_states[0],
            AbdState::Client {
                op: 0,
                phase: Phase::Update { ts: (2, 1), .. },
                ..
            }
        )
    }

    /// A write that starts after another writer's returned: only the query
    /// phase lifts its label above the first, and then the writer's own
    /// read returns its value. Without the query phase (the bug, or a
    /// correct model that left it out), the read returns 2.
    #[test]
    fn a_write_after_another_needs_the_query_phase() {
        let in_turn = job("writes-in-turn");
        assert_eq!(in_turn.variant, models::CORRECT);
        assert_eq!(
            reachable(
                &in_turn,
                &[("later write labelled above", later_write_labelled_above)]
            ),
            [Verdict::ExampleFound]
        );
        let s = in_turn.check(&mut |_| {});
        assert_eq!(s.property("linearizable").unwrap().verdict, Verdict::Holds);
        assert_eq!(
            s.property("every operation completes").unwrap().verdict,
            Verdict::Holds
        );

        let bug = job("no-writer-query");
        assert_eq!(bug.variant, "writer-skips-query");
        let s = bug.check(&mut |_| {});
        let lin = s.property("linearizable").unwrap();
        assert_eq!(lin.verdict, Verdict::Violated);
        let ce = lin.counterexample.as_ref().unwrap();
        let i = ce.actors.iter().position(|a| a == "client 1").unwrap();
        assert!(
            ce.final_states[i].contains("returned: [WriteOk, ReadOk(2)]"),
            "{ce:#?}"
        );
    }

    /// The view's liveness soundness rests on "the model has no cycles":
    /// the graph of views the checker explores is acyclic (no step leads
    /// back to a view on the current path, itself included), for every
    /// catalog check of abd-register but the heaviest and `lossy`. So no lasso can be
    /// reported, and no fairness class is needed to judge liveness.
    #[test]
    fn the_explored_graph_is_acyclic() {
        use std::collections::HashMap;
        #[derive(PartialEq)]
        enum Mark {
            OnPath,
            Done,
        }
        for job in models::catalog_jobs()
            .into_iter()
            // `lossy` has cycles (a message lost, sent again): there the
            // view renumbers no server and liveness is judged on lassos.
            .filter(|j| {
                j.protocol.name == "abd-register" && !["tie-break", "lossy"].contains(&j.name())
            })
        {
            let cfg = <AbdCfg as Config>::new(job.variant, &job.params);
            let model = cfg.into_model();
            let analyses = AbdCfg::analyses(&model);
            let view = analyses.view.as_ref().expect("a view");
            let excluded = analyses.excluded.as_ref();
            let fp = |s: &State| checker::fingerprint::fingerprint(&view(s));
            let successors = |s: &State| -> Vec<State> {
                let mut actions = Vec::new();
                model.actions(s, &mut actions);
                actions
                    .into_iter()
                    .filter(|a| !excluded.is_some_and(|e| e(a)))
                    .filter_map(|a| model.next_state(s, a))
                    .filter(|n| Model::within_boundary(&model, n))
                    .collect()
            };
            let mut marks: HashMap<u64, Mark> = HashMap::new();
            for init in model.init_states() {
                let f = fp(&init);
                if marks.contains_key(&f) {
                    continue;
                }
                marks.insert(f, Mark::OnPath);
                let mut stack = vec![(f, successors(&init))];
                while let Some(top) = stack.last_mut() {
                    let Some(next) = top.1.pop() else {
                        marks.insert(top.0, Mark::Done);
                        stack.pop();
                        continue;
                    };
                    let g = fp(&next);
                    match marks.get(&g) {
                        Some(Mark::OnPath) => panic!("{}: a cycle through {next:?}", job.name()),
                        Some(Mark::Done) => {}
                        None => {
                            marks.insert(g, Mark::OnPath);
                            let s = successors(&next);
                            stack.push((g, s));
                        }
                    }
                }
            }
            assert!(marks.len() > 100, "{}: {} views", job.name(), marks.len());
        }
    }
}

mod flp {
    use models::flp::{Bug, FlpActor, FlpMsg, FlpState, FlpTimer};
    use stateright::actor::{Actor, Command, Id, Out};
    use std::borrow::Cow;
    use std::collections::BTreeSet;

    fn ids() -> [Id; 3] {
        [Id::from(0), Id::from(1), Id::from(2)]
    }

    /// What `out` sends to `to`.
    fn sent_to(out: &Out<FlpActor>, to: Id) -> BTreeSet<FlpMsg> {
        out.iter()
            .filter_map(|c| match c {
                Command::Send(dst, msg) if *dst == to => Some(msg.clone()),
                _ => None,
            })
            .collect()
    }

    /// p1 (input 0) with retransmission, driven by p2's messages through
    /// two rounds: round 1 splits (0 and 1: both propose ?, both fall back
    /// to 0), round 2 agrees on 0, and p1 waits for a second proposal; then,
    /// if `decide`, p2's proposal of 0 decides it.
    fn p1_after_two_rounds(bug: Bug, decide: bool) -> (FlpActor, FlpState) {
        let [p0, p1, p2] = ids();
        let actor = FlpActor {
            me: 1,
            peers: vec![p0, p1, p2],
            input: 0,
            retransmit: true,
            bug,
        };
        let mut o = Out::new();
        let mut state = Cow::Owned(actor.on_start(p1, &None, &mut o));
        let mut from_p2 = vec![
            FlpMsg::Report { round: 1, value: 1 },
            FlpMsg::Proposal {
                round: 1,
                value: None,
            },
            FlpMsg::Report { round: 2, value: 0 },
        ];
        if decide {
            from_p2.push(FlpMsg::Proposal {
                round: 2,
                value: Some(0),
            });
        }
        for msg in from_p2 {
            actor.on_msg(p1, &mut state, p2, msg, &mut Out::new());
        }
        (actor, state.into_owned())
    }

    /// What p1's retransmission timer sends to each other process.
    fn timeout(actor: &FlpActor, state: &FlpState) -> [BTreeSet<FlpMsg>; 2] {
        let [p0, p1, p2] = ids();
        let mut o = Out::new();
        let mut s = Cow::Borrowed(state);
        actor.on_timeout(p1, &mut s, &FlpTimer::Retransmit, &mut o);
        assert!(
            o.iter()
                .any(|c| matches!(c, Command::SetTimer(FlpTimer::Retransmit, _))),
            "the timer is set again: a stubborn link retransmits forever"
        );
        [sent_to(&o, p0), sent_to(&o, p2)]
    }

    /// A stubborn link sends again everything it sent (Cachin, Guerraoui
    /// & Rodrigues 2011, Algorithm 2.1): after two rounds, p1's timer sends
    /// both rounds' reports and proposals to p0 (which may still be in
    /// round 1, every message to it lost) and to p2; once decided, its
    /// decision too. `forget-past-rounds` sends only the round it is in;
    /// `no-relay` never the decision, but still what it sent.
    #[test]
    fn retransmission_sends_every_round_kept_and_the_decision() {
        let round = |r, report, proposal| {
            [
                FlpMsg::Report {
                    round: r,
                    value: report,
                },
                FlpMsg::Proposal {
                    round: r,
                    value: proposal,
                },
            ]
        };
        let both: BTreeSet<FlpMsg> = round(1, 0, None)
            .into_iter()
            .chain(round(2, 0, Some(0)))
            .collect();
        let (actor, state) = p1_after_two_rounds(Bug::None, false);
        assert_eq!((state.round, state.decision), (2, None));
        assert_eq!(timeout(&actor, &state), [both.clone(), both.clone()]);

        let (actor, state) = p1_after_two_rounds(Bug::ForgetPastRounds, false);
        let last: BTreeSet<FlpMsg> = round(2, 0, Some(0)).into_iter().collect();
        assert_eq!(timeout(&actor, &state), [last.clone(), last]);

        let (actor, state) = p1_after_two_rounds(Bug::None, true);
        assert_eq!(state.decision, Some(0));
        let mut decided = both.clone();
        decided.insert(FlpMsg::Decide { value: 0 });
        assert_eq!(timeout(&actor, &state), [decided.clone(), decided]);

        let (actor, state) = p1_after_two_rounds(Bug::NoRelay, true);
        assert_eq!(state.decision, Some(0));
        assert_eq!(timeout(&actor, &state), [both.clone(), both]);
    }
}
