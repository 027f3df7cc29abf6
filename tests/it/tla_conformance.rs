//! The abstract specs against Lamport's TLA+ originals: TLC's distinct-state
//! counts, `TCConsistent` with non-vacuity witnesses, and the refinement
//! `TwoPhase => TCommit` checked on every reachable step.
//!
//! The counts are hard-coded rather than snapshotted (unlike protocol models):
//! they come from TLC, an oracle outside this workspace, so a different count
//! means the transcription is unfaithful, not that a snapshot needs review.

use std::collections::HashSet;
use std::fmt::Debug;
use std::hash::Hash;

use specs::abstract_spec::{tcommit, two_phase, TCommit, TwoPhase};
use stateright::{Checker, Expectation, Model, StateRecorder};

/// The properties both specs declare, in order: the invariant, then the
/// witnesses that it is not vacuous.
const PROPERTIES: [(&str, Expectation); 3] = [
    ("TCConsistent", Expectation::Always),
    ("committed", Expectation::Sometimes),
    ("aborted", Expectation::Sometimes),
];

/// Explores `model` completely (BFS, one thread) and checks it against TLC:
/// `tlc_distinct_states` distinct states, `TCConsistent` never violated, both
/// outcomes reached.
fn assert_matches_tlc<M>(model: M, tlc_distinct_states: usize)
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq,
{
    // `assert_no_discovery` passes for a property that does not exist, so pin
    // the declared properties first.
    let declared: Vec<_> = model
        .properties()
        .into_iter()
        .map(|p| (p.name, p.expectation))
        .collect();
    assert_eq!(declared, PROPERTIES);

    let checker = model.checker().threads(1).spawn_bfs().join();
    assert!(checker.is_done());
    assert_eq!(checker.unique_state_count(), tlc_distinct_states);
    checker.assert_no_discovery("TCConsistent");
    checker.assert_any_discovery("committed");
    checker.assert_any_discovery("aborted");
}

#[test]
fn tcommit_3_rms_has_tlc_state_count() {
    assert_matches_tlc(TCommit::new(3), 34);
}

#[test]
fn two_phase_3_rms_has_tlc_state_count() {
    assert_matches_tlc(TwoPhase::new(3), 288);
}

#[test]
fn two_phase_5_rms_has_tlc_state_count() {
    assert_matches_tlc(TwoPhase::new(5), 8_832);
}

#[test]
fn defaults_are_three_rms() {
    assert_eq!(TCommit::default(), TCommit::new(3));
    assert_eq!(TwoPhase::default(), TwoPhase::new(3));
}

/// Every reachable state of `model`, from a complete one-thread BFS.
fn reachable_states<M>(model: M) -> Vec<M::State>
where
    M: Model + Send + Sync + 'static,
    M::State: Clone + Hash + PartialEq + Send + Sync + 'static,
    M::Action: Clone + PartialEq,
{
    let (recorder, states) = StateRecorder::new_with_accessor();
    let checker = model
        .checker()
        .threads(1)
        .visitor(recorder)
        .spawn_bfs()
        .join();
    assert!(checker.is_done());
    states()
}

/// `THEOREM TPSpec => TCSpec` under [`two_phase::abstraction`], checked as TLC
/// checks a refinement: the initial state maps to `TCInit`, and every step from
/// every reachable state maps to a `TCNext` step or leaves `rmState` unchanged.
/// Also checks that the image is all of `TCommit`, so the mapping is not
/// satisfied by a `TwoPhase` that does too little.
fn assert_two_phase_refines_tcommit(rms: usize) {
    let two_phase = TwoPhase::new(rms);
    let tcommit = TCommit::new(rms);
    assert_eq!(
        two_phase
            .init_states()
            .iter()
            .map(two_phase::abstraction)
            .collect::<Vec<_>>(),
        tcommit.init_states(),
    );

    let mut image: HashSet<tcommit::State> = HashSet::new();
    let mut tcommit_steps = 0;
    for state in reachable_states(two_phase.clone()) {
        let from = two_phase::abstraction(&state);
        for (action, next) in two_phase.next_steps(&state) {
            let to = two_phase::abstraction(&next);
            if from != to {
                assert!(
                    tcommit.next_states(&from).contains(&to),
                    "{action:?} from {state:?} maps to {from:?} -> {to:?}, not a TCommit step",
                );
                tcommit_steps += 1;
            }
        }
        image.insert(from);
    }
    assert!(tcommit_steps > 0, "every TwoPhase step was a stutter");

    let tcommit_states: HashSet<_> = reachable_states(tcommit).into_iter().collect();
    assert_eq!(image, tcommit_states);
}

#[test]
fn two_phase_3_rms_refines_tcommit() {
    assert_two_phase_refines_tcommit(3);
}

#[test]
fn two_phase_5_rms_refines_tcommit() {
    assert_two_phase_refines_tcommit(5);
}

/// The compact transcription explores exactly the same space: TLC's counts,
/// and the same set of `rmState` values as the literal one.
#[test]
fn compact_two_phase_matches_tlc_and_the_literal_transcription() {
    use specs::abstract_spec::two_phase_compact;
    assert_matches_tlc(two_phase_compact::TwoPhase::new(3), 288);
    assert_matches_tlc(two_phase_compact::TwoPhase::new(5), 8_832);
    let compact = two_phase_compact::TwoPhase::new(4);
    let mut ours: Vec<_> = reachable_states(compact.clone())
        .iter()
        .map(|s| compact.rm_state(s))
        .collect();
    let mut literal: Vec<_> = reachable_states(TwoPhase::new(4))
        .into_iter()
        .map(|s| s.rm_state)
        .collect();
    assert_eq!(ours.len(), literal.len());
    ours.sort();
    ours.dedup();
    literal.sort();
    literal.dedup();
    assert_eq!(ours, literal);
}
