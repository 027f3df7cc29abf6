//! Symmetry reduction: the declared symmetries are true symmetries of their
//! models, the reduced search stores exactly one state per orbit, and no
//! verdict changes with it (except the `eventually` verdicts it cannot
//! decide, which say so).

use crate::tla_conformance::reachable_states;
use checker::graph::{explore, Limits};
use checker::symmetry::{permutations, smallest};
use checker::{Analyses, CheckOptions, SymmetryMode, Verdict};
use specs::abstract_spec::two_phase::{Message, State, TmState};
use specs::abstract_spec::TwoPhase;
use stateright::Model;
use std::collections::BTreeSet;

/// An orbit of TwoPhase, computed without permutations: what the state says
/// about each RM (its state, whether the TM has its Prepared, whether its
/// Prepared was sent), as a multiset, beside the TM's state and decisions.
/// Nothing relates two RMs, so two states are renamings of each other
/// exactly when these agree.
fn orbit_signature(s: &State) -> (TmState, bool, bool, Vec<(u8, bool, bool)>) {
    let mut rms: Vec<(u8, bool, bool)> = s
        .rm_state
        .iter()
        .enumerate()
        .map(|(rm, state)| {
            (
                *state as u8,
                s.tm_prepared.contains(&rm),
                s.msgs.contains(&Message::Prepared { rm }),
            )
        })
        .collect();
    rms.sort();
    (
        s.tm_state,
        s.msgs.contains(&Message::Commit),
        s.msgs.contains(&Message::Abort),
        rms,
    )
}

/// TLC's `SYMMETRY Permutations(RM)` on TwoPhase at 5 RMs: the reduced
/// search stores exactly one state per orbit, counted independently, and
/// judges every property as the full search does. (Stateright's 2pc
/// example reports 665 for the same space: its representative sorts the
/// RMs by `rmState` alone, so two RMs in one state but with different
/// messages can leave an orbit with more than one representative.)
#[test]
fn two_phase_at_5_rms_reduces_to_exactly_its_orbits() {
    let full = reachable_states(TwoPhase::new(5));
    assert_eq!(full.len(), 8_832, "TLC's count for 5 RMs");
    let orbits: BTreeSet<_> = full.iter().map(orbit_signature).collect();

    let perms = permutations(5);
    let analyses = Analyses::<TwoPhase> {
        view: Some(Box::new(move |s: &State| {
            smallest(perms.iter().map(|p| s.renamed(p)))
        })),
        ..Analyses::none()
    };
    let limits = Limits::default();
    let reduced = explore(
        &TwoPhase::new(5),
        &limits,
        &|_| None,
        &analyses,
        None,
        &mut |_| {},
    );
    let whole = explore(
        &TwoPhase::new(5),
        &limits,
        &|_| None,
        &Analyses::none(),
        None,
        &mut |_| {},
    );
    // The sorted canonical form the benchmarks use picks one state per
    // orbit too: the same count, and the same state for a whole orbit.
    let sorted = explore(
        &TwoPhase::new(5),
        &limits,
        &|_| None,
        &Analyses {
            view: Some(Box::new(State::canonical)),
            ..Analyses::none()
        },
        None,
        &mut |_| {},
    );
    assert_eq!(sorted.unique_states(), reduced.unique_states());
    for s in full.iter().step_by(7) {
        for p in permutations(5).iter().step_by(11) {
            assert_eq!(s.renamed(p).canonical(), s.canonical());
        }
    }
    assert!(reduced.complete && whole.complete);
    assert_eq!(whole.unique_states(), 8_832);
    assert_eq!(reduced.unique_states(), orbits.len());
    assert_eq!(reduced.unique_states(), 314);
    // TCConsistent not violated, both outcomes reached, at the same depths.
    let depth = |g: &checker::graph::Explored, k: usize| match &g.findings[k] {
        Some(checker::graph::Finding::Witness(id)) => Some(g.depth_of(*id)),
        None => None,
        other => panic!("unexpected finding {other:?}"),
    };
    for k in 0..3 {
        assert_eq!(depth(&reduced, k), depth(&whole, k), "property {k}");
    }
    assert_eq!(depth(&whole, 0), None);
}

/// The RMs of two-phase-commit are interchangeable: on every reachable
/// state, renaming them keeps every property and maps the successors onto
/// the successors of the renamed state.
#[test]
fn the_rms_of_two_phase_commit_are_a_true_symmetry() {
    use models::registry::Config;
    use models::two_phase_commit::{TwoPhaseCfg, TwoPhaseModel};
    for crashes in [0, 1] {
        let cfg = TwoPhaseCfg {
            coordinator_crashes: crashes,
            ..TwoPhaseCfg::default()
        };
        let model: TwoPhaseModel = cfg.clone().into_model();
        let group: Vec<usize> = (1..=cfg.rms).collect();
        let perms = permutations(cfg.rms);
        let fp = checker::fingerprint::fingerprint::<<TwoPhaseModel as Model>::State>;
        let successors = |s: &<TwoPhaseModel as Model>::State| {
            let mut actions = Vec::new();
            model.actions(s, &mut actions);
            actions
                .into_iter()
                .filter_map(|a| model.next_state(s, a))
                .collect::<Vec<_>>()
        };
        let properties = model.properties();
        let judge = |s: &<TwoPhaseModel as Model>::State| -> Vec<bool> {
            properties
                .iter()
                .map(|p| (p.condition)(&model, s))
                .collect()
        };
        let states = reachable_states(cfg.into_model());
        assert!(states.len() > 100);
        for s in &states {
            for p in &perms {
                let renamed = checker::symmetry::rename_actors(s, &group, p);
                assert_eq!(judge(&renamed), judge(s));
                let expected: BTreeSet<u64> = successors(s)
                    .iter()
                    .map(|t| fp(&checker::symmetry::rename_actors(t, &group, p)))
                    .collect();
                let found: BTreeSet<u64> = successors(&renamed).iter().map(fp).collect();
                assert_eq!(found, expected, "renaming by {p:?}");
            }
        }
    }
}

/// Every catalog check of a model that declares a symmetry, with the
/// reduction forced on and off: the same verdict for every property the
/// reduction preserves, counterexamples of the same length, fewer states;
/// an `eventually` verdict is either the same violation or an honest
/// "inconclusive", never a different claim.
#[test]
fn every_catalog_verdict_is_the_same_with_and_without_symmetry() {
    let mut checked = 0;
    for job in models::catalog_jobs() {
        let with = |mode, max_states| {
            let opts = CheckOptions {
                symmetry: mode,
                max_states,
                ..job.options()
            };
            models::check(job.protocol, job.variant, &job.params, &opts, &mut |_| {})
        };
        // Whether the model declares a symmetry, from a one-state search.
        if with(SymmetryMode::Off, Some(1)).symmetry.is_none() {
            continue;
        }
        let off = with(SymmetryMode::Off, None);
        assert!(!off.symmetry.as_ref().unwrap().applied);
        let on = with(SymmetryMode::On, None);
        assert!(on.symmetry.as_ref().unwrap().applied);
        assert!(
            on.unique_states < off.unique_states,
            "{} {}",
            job.protocol.name,
            job.name()
        );
        // Auto applies it only where the check judges no `eventually`
        // property and no valence: here, never, so auto is off.
        let auto = with(SymmetryMode::Auto, None);
        assert_eq!(auto.unique_states, off.unique_states);
        for (a, b) in on.properties.iter().zip(&off.properties) {
            let what = format!("{} {} {}", job.protocol.name, job.name(), a.name);
            match a.kind {
                checker::PropertyKind::Eventually => match a.verdict {
                    Verdict::Violated => assert_eq!(b.verdict, Verdict::Violated, "{what}"),
                    other => assert_eq!(other, Verdict::Inconclusive, "{what}"),
                },
                _ => {
                    assert_eq!(a.verdict, b.verdict, "{what}");
                    let len = |p: &checker::PropertyResult| {
                        p.counterexample.as_ref().map(|c| c.steps.len())
                    };
                    assert_eq!(len(a), len(b), "{what}");
                }
            }
        }
        assert!(on.valence.is_none(), "no valence under symmetry");
        checked += 1;
    }
    assert!(checked >= 2, "two-phase-commit's checks declare it");
}
