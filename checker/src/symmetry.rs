//! Symmetry reduction: interchangeable actors (TLC's `SYMMETRY`, Ip & Dill,
//! "Better Verification Through Symmetry" (1996)).
//!
//! When some actors are interchangeable (renaming them maps every run to a
//! run and keeps every property), states that differ only by such a
//! renaming form an *orbit*, and the BFS need store only one state per
//! orbit: its representative. The representative here is the renaming
//! whose state has the smallest fingerprint, as TLC picks it, so it is the
//! same for every state of an orbit and the reduced count is exactly the
//! number of orbits.
//!
//! A symmetry is a view (see [`crate::analyses::View`]) and is applied as
//! one, after the model's own view: counterexamples are still replayed on
//! concrete states. What it does not preserve is *fairness*: a fairness
//! class names actors ("deliver this message to RM 2"), and the renaming
//! that maps a state to its representative changes those names, so a fair
//! run may project onto a loop of representatives that looks unfair, and an
//! unfair run onto one that looks fair (the renaming changes along the
//! loop, so one actor's step can seem to serve another's class). So neither
//! a fair loop among representatives nor its absence says anything about
//! the real system. Hence `eventually` properties and valence are judged
//! without the reduction unless it is forced, and then a "holds" and a
//! lasso are reported as inconclusive; only a run that stops (a property of
//! one state, which renaming keeps) is shown (see [`crate::explore`]).

use crate::fingerprint::fingerprint;
use stateright::actor::{Actor, ActorModel, ActorModelState, Id};
use stateright::{Model, Rewrite, RewritePlan};
use std::hash::Hash;

/// Interchangeable parts of a model's states, declared by the model.
pub struct Symmetry<M: Model> {
    /// What is interchangeable, in words: "the RMs".
    pub what: String,
    /// The representative of a state's orbit.
    pub representative: crate::analyses::View<M>,
}

/// Whether a check uses the model's declared symmetry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SymmetryMode {
    /// Where declared, unless the check judges what the reduction does not
    /// preserve (`eventually` properties, valence).
    #[default]
    Auto,
    /// Where declared, always; `eventually` verdicts that need the whole
    /// graph are then inconclusive, and there is no valence analysis.
    On,
    /// Never.
    Off,
}

impl SymmetryMode {
    pub const ALL: [SymmetryMode; 3] = [SymmetryMode::Auto, SymmetryMode::On, SymmetryMode::Off];

    pub fn name(self) -> &'static str {
        match self {
            SymmetryMode::Auto => "auto",
            SymmetryMode::On => "on",
            SymmetryMode::Off => "off",
        }
    }
}

/// Every permutation of `0..n`, in lexicographic order.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut all = Vec::new();
    let mut p: Vec<usize> = (0..n).collect();
    loop {
        all.push(p.clone());
        // The next permutation in lexicographic order, if any.
        let Some(i) = (1..n).rev().find(|&i| p[i - 1] < p[i]) else {
            return all;
        };
        let j = (i..n)
            .rev()
            .find(|&j| p[i - 1] < p[j])
            .expect("p[i] qualifies");
        p.swap(i - 1, j);
        p[i..].reverse();
    }
}

/// Of `candidates`, the one with the smallest fingerprint (the first of
/// equal ones): a canonical choice when `candidates` is a whole orbit.
pub fn smallest<S: Hash>(candidates: impl IntoIterator<Item = S>) -> S {
    candidates
        .into_iter()
        .map(|s| (fingerprint(&s), s))
        .min_by_key(|(fp, _)| *fp)
        .expect("an orbit has at least its own state")
        .1
}

/// Renames the actors of `state`: actor `group[k]` becomes actor
/// `group[perm[k]]`, every other actor keeps its id. Actor states, storage,
/// random choices, messages and the history are rewritten (every `Id` in
/// them renamed) and moved to their new positions; timers and crash flags
/// move with their actor (timers must not hold ids).
pub fn rename_actors<A, H>(
    state: &ActorModelState<A, H>,
    group: &[usize],
    perm: &[usize],
) -> ActorModelState<A, H>
where
    A: Actor,
    A::State: Rewrite<Id>,
    A::Msg: Rewrite<Id>,
    A::Storage: Rewrite<Id>,
    A::Random: Rewrite<Id>,
    H: Rewrite<Id> + Clone,
{
    let n = state.actor_states.len();
    // to[i]: the new id of actor i; from[j]: the old id of actor j.
    let mut to: Vec<usize> = (0..n).collect();
    for (k, &p) in perm.iter().enumerate() {
        to[group[k]] = group[p];
    }
    let mut from = vec![0; n];
    for (i, &j) in to.iter().enumerate() {
        from[j] = i;
    }
    let plan = RewritePlan::new(to, |id: &Id, to: &Vec<usize>| {
        Id::from(
            to.get(usize::from(*id))
                .copied()
                .unwrap_or(usize::from(*id)),
        )
    });
    let moved = |j: usize| from[j];
    ActorModelState {
        actor_states: (0..n)
            .map(|j| state.actor_states[moved(j)].rewrite(&plan))
            .collect(),
        network: state.network.rewrite(&plan),
        timers_set: (0..n).map(|j| state.timers_set[moved(j)].clone()).collect(),
        random_choices: (0..n)
            .map(|j| state.random_choices[moved(j)].rewrite(&plan))
            .collect(),
        crashed: (0..n).map(|j| state.crashed[moved(j)]).collect(),
        history: state.history.rewrite(&plan),
        actor_storages: (0..n)
            .map(|j| state.actor_storages[moved(j)].rewrite(&plan))
            .collect(),
    }
}

/// The symmetry of an actor model whose actors `group` (by index) are
/// interchangeable: the representative is the renaming of them with the
/// smallest fingerprint, all `group.len()!` tried.
pub fn actors<A, C, H>(what: impl Into<String>, group: Vec<usize>) -> Symmetry<ActorModel<A, C, H>>
where
    A: Actor + 'static,
    A::State: Rewrite<Id> + Hash,
    A::Msg: Rewrite<Id> + Hash + Ord,
    A::Storage: Rewrite<Id> + Hash,
    A::Random: Rewrite<Id> + Hash,
    A::Timer: Hash + Ord,
    H: Rewrite<Id> + Clone + Hash + std::fmt::Debug + Send + Sync + 'static,
    C: 'static,
    ActorModel<A, C, H>: Model<State = ActorModelState<A, H>>,
    ActorModelState<A, H>: Hash,
{
    let perms = permutations(group.len());
    Symmetry {
        what: what.into(),
        representative: Box::new(move |s: &ActorModelState<A, H>| {
            smallest(perms.iter().map(|p| rename_actors(s, &group, p)))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutations_are_all_there_once_in_order() {
        assert_eq!(permutations(0), vec![Vec::<usize>::new()]);
        assert_eq!(
            permutations(3),
            vec![
                vec![0, 1, 2],
                vec![0, 2, 1],
                vec![1, 0, 2],
                vec![1, 2, 0],
                vec![2, 0, 1],
                vec![2, 1, 0]
            ]
        );
        assert_eq!(permutations(5).len(), 120);
    }

    #[test]
    fn the_smallest_is_the_same_for_every_member_of_an_orbit() {
        // Orbits of pairs under swapping: (a, b) ~ (b, a).
        let rep = |(a, b): (u8, u8)| smallest([(a, b), (b, a)]);
        assert_eq!(rep((1, 2)), rep((2, 1)));
        assert_ne!(rep((1, 2)), rep((1, 3)));
    }
}
