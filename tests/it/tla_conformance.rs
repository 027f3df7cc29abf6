//! The abstract specs against Lamport's TLA+ originals: TLC's distinct-state
//! counts, `TCConsistent` with non-vacuity witnesses, and the refinement
//! `TwoPhase => TCommit` checked on every reachable step; then Consensus,
//! Voting and Paxos against TLC's distinct states, states generated and depth
//! for each MC configuration of tlaplus/Examples, their invariants, and the
//! refinements `Paxos => Voting => Consensus`.
//!
//! The counts are hard-coded rather than snapshotted (unlike protocol models):
//! they come from TLC, an oracle outside this workspace, so a different count
//! means the transcription is unfaithful, not that a snapshot needs review.

use std::collections::{HashMap, HashSet};
use std::fmt::Debug;
use std::hash::Hash;

use checker::fingerprint::fingerprint;
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
pub(crate) fn reachable_states<M>(model: M) -> Vec<M::State>
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

// ---------------------------------------------------------------------------
// Lamport's consensus chain: Consensus, Voting, Paxos.
//
// Oracle: the `manifest.json` of tlaplus/Examples `specifications/Paxos/` and
// `specifications/PaxosHowToWinATuringAward/`, read at commit
// 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9: for each MC configuration TLC's
// `distinctStates`, `totalStates` (TLC's "states generated") and `stateDepth`.
// ---------------------------------------------------------------------------

use specs::abstract_spec::{consensus, voting, Consensus, Paxos, Voting};
use std::collections::{BTreeSet, VecDeque};

/// What TLC reports at the end of a complete run.
#[derive(Debug, PartialEq, Eq)]
struct Tlc {
    distinct: usize,
    generated: usize,
    depth: usize,
}

/// Explores `model` as TLC's breadth-first search does: initial states are
/// depth 1 and all counted as generated; every successor of an expanded state
/// is generated (revisits and stutters included), and it is new, then queued
/// and counted distinct, when its `view` has not been seen. With `SYMMETRY`
/// the view is the orbit's representative, so one state per orbit is counted
/// and expanded (the first one met, as TLC expands the state it found).
/// A state outside the model's boundary (TLC's `CONSTRAINT`) is generated
/// but neither counted distinct nor expanded, as TLC's model checker does.
/// One thread, so the depth is the true BFS depth. Like TLC, it stores a
/// 64-bit fingerprint per seen state, not the state, so memory stays low
/// (the queue of one BFS level holds the only full states).
fn tlc_bfs<M: Model>(model: &M, view: impl Fn(&M::State) -> M::State) -> Tlc
where
    M::State: Clone + Hash + Eq,
{
    tlc_run(model, view).0
}

/// [`tlc_bfs`], which also checks every `always` property on every distinct
/// state (TLC checks its `INVARIANT`s there) and returns, with the counts,
/// the names of the `sometimes` properties some distinct state satisfies.
fn tlc_run<M: Model>(
    model: &M,
    view: impl Fn(&M::State) -> M::State,
) -> (Tlc, BTreeSet<&'static str>)
where
    M::State: Clone + Hash + Eq,
{
    let properties = model.properties();
    let mut witnessed = BTreeSet::new();
    let mut judge = |s: &M::State| {
        for p in &properties {
            let holds = (p.condition)(model, s);
            match p.expectation {
                Expectation::Always => assert!(holds, "{} violated", p.name),
                Expectation::Sometimes if holds => {
                    witnessed.insert(p.name);
                }
                _ => {}
            }
        }
    };
    let mut seen: HashSet<u64> = HashSet::new();
    let mut queue = VecDeque::new();
    let inits = model.init_states();
    let mut generated = inits.len();
    for s in inits {
        if model.within_boundary(&s) && seen.insert(fingerprint(&view(&s))) {
            judge(&s);
            queue.push_back((s, 1));
        }
    }
    let mut depth = 0;
    let mut actions = Vec::new();
    while let Some((s, d)) = queue.pop_front() {
        depth = depth.max(d);
        model.actions(&s, &mut actions);
        for action in actions.drain(..) {
            let Some(next) = model.next_state(&s, action) else {
                continue;
            };
            generated += 1;
            if model.within_boundary(&next) && seen.insert(fingerprint(&view(&next))) {
                judge(&next);
                queue.push_back((next, d + 1));
            }
        }
    }
    let tlc = Tlc {
        distinct: seen.len(),
        generated,
        depth,
    };
    (tlc, witnessed)
}

/// Checks `model` completely with Stateright's BFS (one thread), asserts that
/// its counts are TLC's (`state_count` is TLC's "states generated" because
/// each action names the witnesses of the `\E`s TLC enumerates), that the
/// `always` properties hold and the `sometimes` ones are witnessed, and that
/// [`tlc_bfs`] without a view agrees.
fn assert_checks_as_tlc<M>(model: M, tlc: Tlc)
where
    M: Model + Clone + Send + Sync + 'static,
    M::State: Clone + Debug + Hash + Eq + Send + Sync + 'static,
    M::Action: Clone + Debug + PartialEq,
{
    assert_eq!(tlc_bfs(&model, M::State::clone), tlc);
    let properties = model.properties();
    assert!(properties
        .iter()
        .any(|p| p.expectation == Expectation::Always));
    let checker = model.checker().threads(1).spawn_bfs().join();
    assert!(checker.is_done());
    assert_eq!(
        Tlc {
            distinct: checker.unique_state_count(),
            generated: checker.state_count(),
            depth: checker.max_depth(),
        },
        tlc
    );
    for p in properties {
        match p.expectation {
            Expectation::Always => checker.assert_no_discovery(p.name),
            Expectation::Sometimes => {
                checker.assert_any_discovery(p.name);
            }
            Expectation::Eventually => unreachable!("the specs declare no liveness"),
        }
    }
}

/// `specifications/PaxosHowToWinATuringAward/MCConsensus.cfg` (`Value = {a,
/// b, c}`, `SPECIFICATION Spec`, `INVARIANT Inv`): manifest.json records
/// distinctStates 4, totalStates 4, stateDepth 2.
#[test]
fn consensus_mc_consensus_has_tlc_counts() {
    let model = Consensus::new(3);
    assert_eq!(model, Consensus::default());
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 4,
            generated: 4,
            depth: 2,
        },
    );
}

/// `specifications/Paxos/MCConsensus.cfg` (`Value = {"a", "b", "c"}`,
/// `SPECIFICATION ISpec` of MCConsensus.tla, `INVARIANT Inv`): every state of
/// `IInv` is initial, so the four states are all initial (depth 1) and the
/// three `Next` steps from `chosen = {}` revisit them. manifest.json records
/// distinctStates 4, totalStates 7, stateDepth 1.
#[test]
fn consensus_mc_consensus_ispec_has_tlc_counts() {
    assert_checks_as_tlc(
        Consensus::inductive(3),
        Tlc {
            distinct: 4,
            generated: 7,
            depth: 1,
        },
    );
}

/// `specifications/PaxosHowToWinATuringAward/MCVoting.cfg`: acceptors `{a1,
/// a2, a3}`, values `{v1, v2}`, the three majorities, `Ballot <- 0..2`, no
/// symmetry; `INVARIANT Inv`, `PROPERTY C!Spec` (checked below as the
/// refinement). manifest.json records distinctStates 6752, totalStates 41017,
/// stateDepth 16.
#[test]
fn voting_mc_voting_turing_award_has_tlc_counts() {
    let model = Voting::new(3, 2, 2);
    assert_eq!(model, Voting::default());
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 6752,
            generated: 41017,
            depth: 16,
        },
    );
}

/// `specifications/Paxos/MCVoting.cfg`: acceptors `{a1, a2, a3}`, values
/// `{v1, v2}`, the three majorities, `Ballot <- 0..1`, and `SYMMETRY
/// MCSymmetry` (`Permutations(MCAcceptor) \cup Permutations(MCValue)`), so TLC
/// counts one state per orbit under renaming acceptors and values.
/// manifest.json records distinctStates 77, totalStates 451, stateDepth 11.
/// Generated states match too: a renamed state has as many successors (with
/// their witnesses), so it does not matter which state of an orbit is
/// expanded. Without symmetry the same configuration has 599 states.
#[test]
fn voting_mc_voting_symmetric_has_tlc_counts() {
    let model = Voting::new(3, 2, 1);
    assert_eq!(
        tlc_bfs(&model, |s| model.representative(s)),
        Tlc {
            distinct: 77,
            generated: 451,
            depth: 11,
        }
    );
    // The properties, on the whole (unreduced) space.
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 599,
            generated: 3124,
            depth: 11,
        },
    );
}

/// `specifications/Paxos/MCPaxos.cfg`: one acceptor `{a1}`, one value `{v1}`,
/// `Quorum = {{a1}}`, `Ballot <- 0..1` (for Paxos and for `[Voting]`);
/// `INVARIANT Inv1 Inv2 Inv3 Inv4` (all in our `Inv` and `V!Inv`),
/// `PROPERTY V!Spec` (the refinement, below). Its `SYMMETRY` renames one
/// acceptor and one value, which changes nothing (checked below).
/// manifest.json records distinctStates 25, totalStates 82, stateDepth 9.
#[test]
fn paxos_mc_paxos_has_tlc_counts() {
    let model = Paxos::new(1, 1, 1);
    let tlc = Tlc {
        distinct: 25,
        generated: 82,
        depth: 9,
    };
    assert_eq!(tlc_bfs(&model, |s| model.representative(s)), tlc);
    assert_checks_as_tlc(model, tlc);
}

/// `specifications/PaxosHowToWinATuringAward/MCPaxosTiny.cfg`: acceptors
/// `{a1, a2, a3}`, values `{v1, v2}`, the three majorities, `MaxBallot = 1`
/// (`Ballot <- 0..MaxBallot`, also for `[Voting]`), no symmetry; `INVARIANT
/// Inv`, `PROPERTY V!Spec`. manifest.json records distinctStates 3921,
/// totalStates 23563, stateDepth 17. (MCPaxosSmall.cfg, `MaxBallot = 2`, has
/// no recorded counts; see BENCHMARKS.md.)
#[test]
fn paxos_mc_paxos_tiny_has_tlc_counts() {
    let model = Paxos::new(3, 2, 1);
    assert_eq!(model, Paxos::default());
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 3921,
            generated: 23563,
            depth: 17,
        },
    );
}

/// `Impl => Spec` under `abstraction`, as TLC checks a `PROPERTY` that is
/// another spec: every initial state maps to an initial state of `spec`, and
/// every step from every reachable state maps to a `spec` step or a stutter.
/// Returns the image of the reachable states and the number of non-stutter
/// steps, or the first step that is neither.
fn refinement<I, S>(
    imp: &I,
    spec: &S,
    abstraction: impl Fn(&I::State) -> S::State,
) -> Result<(HashSet<S::State>, usize), String>
where
    I: Model + Clone + Send + Sync + 'static,
    I::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    I::Action: Clone + Debug + PartialEq,
    S: Model,
    S::State: Debug + Hash + Eq,
{
    for init in imp.init_states() {
        if !spec.init_states().contains(&abstraction(&init)) {
            return Err(format!("{init:?} maps to no initial state"));
        }
    }
    let mut image = HashSet::new();
    let mut steps = 0;
    for state in reachable_states(imp.clone()) {
        let from = abstraction(&state);
        for (action, next) in imp.next_steps(&state) {
            let to = abstraction(&next);
            if from != to {
                if !spec.next_states(&from).contains(&to) {
                    return Err(format!(
                        "{action:?} from {state:?} maps to {from:?} -> {to:?}, not a spec step"
                    ));
                }
                steps += 1;
            }
        }
        image.insert(from);
    }
    Ok((image, steps))
}

/// [`refinement`], which must hold.
fn assert_refines<I, S>(
    imp: &I,
    spec: &S,
    abstraction: impl Fn(&I::State) -> S::State,
) -> (HashSet<S::State>, usize)
where
    I: Model + Clone + Send + Sync + 'static,
    I::State: Clone + Debug + Hash + PartialEq + Send + Sync + 'static,
    I::Action: Clone + Debug + PartialEq,
    S: Model,
    S::State: Debug + Hash + Eq,
{
    refinement(imp, spec, abstraction).unwrap_or_else(|e| panic!("{e}"))
}

/// Voting.tla, `THEOREM Implementation == Spec => C!Spec` (MCVoting.cfg's
/// `PROPERTY`): under `chosen`, every Voting step is a Consensus step or a
/// stutter, and every Consensus state is reached (each value can be chosen).
#[test]
fn voting_refines_consensus() {
    for model in [Voting::new(3, 2, 2), Voting::new(3, 2, 1)] {
        let spec = model.consensus();
        let (image, steps) = assert_refines(&model, &spec, |s| model.abstraction(s));
        assert!(steps > 0);
        let all: HashSet<consensus::State> = reachable_states(spec).into_iter().collect();
        assert_eq!(image, all);
    }
}

/// Paxos.tla, `THEOREM Implementation == Spec => V!Spec` (MCPaxos's
/// `PROPERTY VotingSpecBar`): under `votes` (the 2b messages) and `maxBal`,
/// every Paxos step is a Voting step or a stutter. The image is not all of
/// Voting (Voting raises `maxBal` without messages), but it includes states
/// where a value is chosen.
#[test]
fn paxos_refines_voting() {
    for model in [Paxos::new(1, 1, 1), Paxos::new(3, 2, 1)] {
        let spec = model.voting();
        let (image, steps) = assert_refines(&model, &spec, |s| model.abstraction(s));
        assert!(steps > 0);
        let spec_states: HashSet<voting::State> =
            reachable_states(spec.clone()).into_iter().collect();
        assert!(image.is_subset(&spec_states));
        assert!(image.iter().any(|s| !spec.chosen(s).is_empty()));
    }
}

/// Two quorums that do not intersect, `{{a1}, {a2, a3}}`: Lamport's exercise
/// in Voting.tla ("show why the assumption that any pair of quorums has an
/// element in common is necessary"). Voting then lets two values be chosen,
/// so the checks above can fail.
fn disjoint_quorums() -> Vec<BTreeSet<voting::Acceptor>> {
    vec![BTreeSet::from([0]), BTreeSet::from([1, 2])]
}

#[test]
fn voting_without_quorum_intersection_chooses_two_values() {
    let model = Voting::with_quorums(3, 2, disjoint_quorums(), 1);
    assert!(!model.quorum_assumption());
    assert!(Voting::default().quorum_assumption());
    let checker = model.clone().checker().threads(1).spawn_bfs().join();
    let path = checker.discovery("C!Inv").expect("two values chosen");
    assert_eq!(model.chosen(path.last_state()).len(), 2);
    // And the refinement fails at the step that chooses the second value.
    let failure = refinement(&model, &model.consensus(), |s| model.abstraction(s))
        .expect_err("a step from one chosen value to two is no Consensus step");
    assert!(failure.contains("VoteFor"), "{failure}");
}

/// Lamport's second exercise, in Paxos.tla: with quorums that do not
/// intersect, "running TLC will not find an error": Paxos still implements
/// Voting (its `Inv` holds and the refinement holds), but Voting, and so
/// Paxos, may then choose two values.
#[test]
fn paxos_without_quorum_intersection_still_implements_voting() {
    let model = Paxos::with_quorums(3, 2, disjoint_quorums(), 1);
    let checker = model.clone().checker().threads(1).spawn_bfs().join();
    assert!(checker.is_done());
    checker.assert_no_discovery("Inv");
    let path = checker.discovery("V!C!Inv").expect("two values chosen");
    assert_eq!(model.chosen(path.last_state()).len(), 2);
    let spec = model.voting();
    let (_, steps) = assert_refines(&model, &spec, |s| model.abstraction(s));
    assert!(steps > 0);
}

/// The renamings behind `SYMMETRY` are symmetries of the specs (majority
/// quorums): from every reachable state, renaming acceptors and values maps
/// the successors of a state onto the successors of the renamed state. So
/// the representative is a sound view: one state per orbit loses nothing.
#[test]
fn renaming_acceptors_and_values_is_a_symmetry() {
    fn successors<M: Model>(model: &M, s: &M::State) -> HashSet<M::State>
    where
        M::State: Hash + Eq,
    {
        model.next_states(s).into_iter().collect()
    }
    let acceptor_perms = voting::permutations(3);
    let value_perms = voting::permutations(2);
    assert_eq!((acceptor_perms.len(), value_perms.len()), (6, 2));

    let model = Voting::new(3, 2, 1);
    for s in reachable_states(model.clone()) {
        for pa in &acceptor_perms {
            for pv in &value_perms {
                let renamed: HashSet<_> = successors(&model, &s)
                    .iter()
                    .map(|t| Voting::permute(t, pa, pv))
                    .collect();
                assert_eq!(renamed, successors(&model, &Voting::permute(&s, pa, pv)));
            }
        }
    }

    let model = Paxos::new(3, 2, 0);
    for s in reachable_states(model.clone()) {
        for pa in &acceptor_perms {
            for pv in &value_perms {
                let renamed: HashSet<_> = successors(&model, &s)
                    .iter()
                    .map(|t| Paxos::permute(t, pa, pv))
                    .collect();
                assert_eq!(renamed, successors(&model, &Paxos::permute(&s, pa, pv)));
            }
        }
    }
}

// ---------------------------------------------------------------------------
// More of tlaplus/Examples: PaxosCommit, LamportMutex, EWD840 and
// SyncTerminationDetection, ChangRoberts, bcastByz.
//
// Oracle: each folder's `manifest.json` in tlaplus/Examples at commit
// 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9 (`distinctStates`, `totalStates`
// = TLC's "states generated", `stateDepth`), cited per test.
//
// TLC's successor semantics, which the specs' actions follow so that both
// counts match: one successor per satisfying witness of every `\E` (and of
// `x' \in S`, one per element of the set S), and one per true disjunct of a
// `\/` met while evaluating an action, even when the disjunct has no primed
// variable (EWD840's `tcolor = "black" \/ color[0] = "black"`). A state that
// violates the `CONSTRAINT` is generated but neither counted nor expanded.
// ---------------------------------------------------------------------------

use specs::abstract_spec::{
    bcast_byz, ewd840, sync_termination_detection, BcastByz, ChangRoberts, Ewd840, LamportMutex,
    MutualExclusion, PaxosCommit, SyncTerminationDetection,
};

/// [`tlc_run`] without a view must give `tlc` with every `sometimes`
/// property witnessed; the cheap check for the large configurations, which
/// holds one BFS level of states and a fingerprint per distinct state.
fn assert_tlc_run<M: Model>(model: &M, tlc: Tlc)
where
    M::State: Clone + Hash + Eq,
{
    let (counts, witnessed) = tlc_run(model, M::State::clone);
    assert_eq!(counts, tlc);
    for p in model.properties() {
        if p.expectation == Expectation::Sometimes {
            assert!(witnessed.contains(p.name), "{} never witnessed", p.name);
        }
    }
}

/// `specifications/ewd840/SyncTerminationDetection.cfg` (`N = 7`,
/// `INVARIANTS TypeOK TDCorrect`): manifest.json records distinctStates 129,
/// totalStates 3722, stateDepth 1. Every reachable state is initial (any
/// `active`, and `terminationDetected` may be TRUE when all are passive), so
/// the depth is 1; `Terminate(i)` generates one successor per element of
/// `{terminationDetected, terminated'}` (one when both are equal).
#[test]
fn sync_termination_detection_has_tlc_counts() {
    let model = SyncTerminationDetection::default();
    assert_eq!(model.n, 7);
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 129,
            generated: 3722,
            depth: 1,
        },
    );
}

/// The states of `model` with their BFS depth (initial states 1), from a
/// one-thread BFS.
fn bfs_depths<M: Model>(model: &M) -> HashMap<M::State, usize>
where
    M::State: Clone + Hash + Eq,
{
    let mut depth = HashMap::new();
    let mut queue = VecDeque::new();
    for s in model.init_states() {
        if depth.insert(s.clone(), 1).is_none() {
            queue.push_back(s);
        }
    }
    while let Some(s) = queue.pop_front() {
        let d = depth[&s];
        for next in model.next_states(&s) {
            if !depth.contains_key(&next) {
                depth.insert(next.clone(), d + 1);
                queue.push_back(next);
            }
        }
    }
    depth
}

/// `specifications/ewd840/EWD840.cfg` (`N = 3`, `INVARIANTS TypeOK
/// TerminationDetection Inv`): manifest.json records distinctStates 302,
/// totalStates 2001, stateDepth 10. Distinct and generated states match
/// (generated only because `InitiateProbe` and `PassToken` yield their
/// successor once per true disjunct of their guard: without that, 1817).
///
/// The depth does not: a one-thread BFS, ours and Stateright's, finds 9.
/// TLC's manifest runs use several workers, and a multi-worker TLC records a
/// state's depth as its discoverer's plus one, while workers expand states of
/// two levels at once (tlaplus/tlaplus#883,
/// <https://github.com/tlaplus/tlaplus/issues/883>). So a state `u` of true
/// depth `k` that is also a successor of a state `v` of depth `k` may be
/// discovered from `v` first and recorded at `k + 1`; and then a path from
/// `u` that goes one level deeper at each step down to depth 9 may be
/// discovered along `u`'s line, its last state recorded at 10. This test
/// finds such a `v`, `u` and path (initial states, all queued before any
/// worker starts, are excluded), and checks that no state is deeper than 9.
#[test]
fn ewd840_has_tlc_counts_and_depth_9_not_10() {
    let model = Ewd840::default();
    assert_eq!(model.n, 3);
    assert_checks_as_tlc(
        model.clone(),
        Tlc {
            distinct: 302,
            generated: 2001,
            depth: 9,
        },
    );
    let depths = bfs_depths(&model);
    assert_eq!(depths.values().max(), Some(&9));
    // Whether a path one level deeper per step leads from `s` to depth 9.
    fn descends_to_9(
        model: &Ewd840,
        depths: &HashMap<ewd840::State, usize>,
        s: &ewd840::State,
    ) -> bool {
        depths[s] == 9
            || model
                .next_states(s)
                .iter()
                .any(|t| depths[t] == depths[s] + 1 && descends_to_9(model, depths, t))
    }
    let race = depths.iter().filter(|(_, d)| **d >= 2).find_map(|(v, d)| {
        model
            .next_states(v)
            .into_iter()
            .find(|u| depths[u] == *d && descends_to_9(&model, &depths, u))
            .map(|u| (v.clone(), u))
    });
    assert!(
        race.is_some(),
        "no same-level step leads to depth 9: a multi-worker TLC could not record 10"
    );
}

/// `EWD840.cfg`'s `PROPERTY TDSpec` (`TD == INSTANCE
/// SyncTerminationDetection`): under `active` and the defined
/// `terminationDetected`, every EWD840 step is a SyncTerminationDetection
/// step or a stutter, and termination detection is among them.
#[test]
fn ewd840_refines_sync_termination_detection() {
    let model = Ewd840::default();
    let spec = model.sync_termination_detection();
    let (image, steps) = assert_refines(&model, &spec, ewd840::Ewd840::abstraction);
    assert!(steps > 0);
    assert!(image
        .iter()
        .any(|s: &sync_termination_detection::State| s.termination_detected));
}

/// `specifications/chang_roberts/MCChangRoberts.cfg` (`N = 3`, `Id == [i \in
/// 1 .. N |-> i]`, `INVARIANTS TypeOK Correctness`): manifest.json records
/// distinctStates 137, totalStates 227, stateDepth 10.
#[test]
fn chang_roberts_mc_chang_roberts_has_tlc_counts() {
    let model = ChangRoberts::default();
    assert_eq!(model.id, vec![1, 2, 3]);
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 137,
            generated: 227,
            depth: 10,
        },
    );
}

/// `specifications/bcastByz/bcastByz.cfg` (`N = 4, T = 1, F = 1`,
/// `SPECIFICATION Spec`, `INVARIANTS TypeOK FCConstraints`): manifest.json
/// records distinctStates 14424, totalStates 227344, stateDepth 7. Generated
/// states count one successor per subset `newMessages` of `sent \cup
/// ByzMsgs`, per true `Upon` disjunct, and the `UNCHANGED vars` self-loop of
/// every state.
#[test]
fn bcast_byz_has_tlc_counts() {
    let model = BcastByz::mc();
    assert!(model.ntf());
    assert_eq!(model, BcastByz::default());
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 14424,
            generated: 227344,
            depth: 7,
        },
    );
}

/// `specifications/bcastByz/bcastByzNoBcast.cfg` (`N = 10, T = 3, F = 2`,
/// `SPECIFICATION SpecNoBcast`, `INVARIANTS TypeOK FCConstraints Unforg`):
/// manifest.json records distinctStates 45, totalStates 90, stateDepth 1.
/// The 45 = C(10, 8) initial states choose the correct processes; each has
/// one successor, its `UNCHANGED vars` self-loop, since at most 2 Byzantine
/// echoes never reach `N - 2T = 4`.
#[test]
fn bcast_byz_no_bcast_has_tlc_counts() {
    let model = BcastByz::mc_no_bcast();
    assert!(model.ntf());
    assert_eq!(model.start, bcast_byz::Start::InitNoBcast);
    assert_checks_as_tlc(
        model,
        Tlc {
            distinct: 45,
            generated: 90,
            depth: 1,
        },
    );
}

/// `specifications/lamport_mutex/MCLamportMutex.cfg` (`N = 3`, `maxClock =
/// 6`, `Nat <- 0 .. 7`, `INVARIANTS TypeOK BoundedNetwork Mutex`,
/// `CONSTRAINT ClockConstraint`): manifest.json records distinctStates
/// 724274, totalStates 2729079, stateDepth 61. States beyond
/// `ClockConstraint` are generated but neither counted nor expanded, which
/// [`tlc_run`] does with the model's `within_boundary`. Stateright's BFS
/// drops them before counting, so only its distinct count is TLC's.
///
/// About 20 s in the test profile, so not run by default:
/// `cargo test -p workbench-tests --test it -- --ignored lamport_mutex_mc`.
#[test]
#[ignore = "about 20 s; run with --ignored"]
fn lamport_mutex_mc_lamport_mutex_has_tlc_counts() {
    let model = LamportMutex::default();
    assert_eq!((model.n, model.max_clock, model.max_nat), (3, 6, 7));
    assert_tlc_run(
        &model,
        Tlc {
            distinct: 724274,
            generated: 2729079,
            depth: 61,
        },
    );
}

/// The same semantics on a configuration small enough to run always:
/// `maxClock = 3` keeps a fraction of the space, and Stateright's distinct
/// count agrees with [`tlc_run`]'s, while TLC's generated count exceeds
/// Stateright's by the successors beyond the constraint.
#[test]
fn lamport_mutex_constraint_is_counted_as_tlc_does() {
    let model = LamportMutex::new(3, 3, 7);
    let (tlc, _) = tlc_run(&model, Clone::clone);
    let checker = model.clone().checker().threads(1).spawn_bfs().join();
    assert!(checker.is_done());
    assert_eq!(checker.unique_state_count(), tlc.distinct);
    assert_eq!(checker.max_depth(), tlc.depth);
    assert!(checker.state_count() < tlc.generated);
    checker.assert_no_discovery("Mutex");
    // Without the constraint there are more states: it does cut.
    let mut beyond = 0;
    for s in reachable_states(model.clone()) {
        beyond += model
            .next_states(&s)
            .iter()
            .filter(|t| !model.within_boundary(t))
            .count();
    }
    assert_eq!(checker.state_count() + beyond, tlc.generated);
}

/// `specifications/transaction_commit/PaxosCommit.cfg` (`RM = {r1, r2}`,
/// three acceptors with their majorities, `Ballot = {0, 1}`, `INVARIANT
/// PCTypeOK`): manifest.json records distinctStates 1321761, totalStates
/// 16959159, stateDepth 28. Generated states count `Decide`'s witnesses
/// `(b, MS)` of `Decided(rm, v)`, multiplied over the RMs of `\A rm`.
///
/// About 150 s in the test profile, so not run by default:
/// `cargo test -p workbench-tests --test it -- --ignored paxos_commit_mc`.
#[test]
#[ignore = "about 150 s; run with --ignored"]
fn paxos_commit_mc_paxos_commit_has_tlc_counts() {
    let model = PaxosCommit::default();
    assert_eq!((model.rms, model.acceptors, model.max_ballot), (2, 3, 1));
    assert_tlc_run(
        &model,
        Tlc {
            distinct: 1321761,
            generated: 16959159,
            depth: 28,
        },
    );
}

/// `THEOREM PCSpec => TC!TCSpec` under `rmState`, on a configuration small
/// enough to check every step: one RM, three acceptors, `Ballot = {0, 1}`;
/// both outcomes are reached.
#[test]
fn paxos_commit_refines_tcommit() {
    let model = PaxosCommit::new(1, 3, 1);
    let spec = model.tcommit();
    let (image, steps) = assert_refines(&model, &spec, PaxosCommit::abstraction);
    assert!(steps > 0);
    let all: HashSet<tcommit::State> = reachable_states(spec).into_iter().collect();
    assert_eq!(image, all);
}

/// MutualExclusion is what LamportMutex's `Mutex` says: under `crit`,
/// every LamportMutex step (within `maxClock = 3`) is an Enter, an Exit or a
/// stutter.
#[test]
fn lamport_mutex_refines_mutual_exclusion() {
    let model = LamportMutex::new(3, 3, 7);
    let spec = MutualExclusion::new(3);
    let (image, steps) = assert_refines(&model, &spec, |s| {
        specs::abstract_spec::mutual_exclusion::State {
            crit: s.crit.clone(),
        }
    });
    assert!(steps > 0);
    assert_eq!(image.len(), 4);
}
