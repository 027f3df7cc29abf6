//! The workbench's own simulation: seeded random walks.
//!
//! Why not Stateright's: its simulation (0.31, `simulation.rs`) picks an
//! action with `swap_remove` and records the index it drew; when that
//! action turns out to be a no-op (`next_state` is `None`, as an actor's
//! ignored message is) it draws again from the *shrunken* list and records
//! that index too, and the path it rebuilds from those indices then takes
//! other actions than the walk did, or panics ("Unable to reconstruct a
//! `Path`"). Here a walk draws only among the actions that lead somewhere,
//! and records each one's index in the model's full list, which is what
//! the path encoding means everywhere else.
//!
//! Each walk starts from an initial state and ends where a fair run may
//! stop (see [`crate::liveness::may_stop`]), where it returns to a state
//! it has visited (a loop: judged fair or not, so a simulation can find
//! lassos too), where the model's boundary or `max_depth` ends it. Walk
//! `k` draws from its own generator, seeded by the seed and `k`, and walks
//! run one after another: the same seed gives the same walks, counts and
//! counterexamples, whatever the thread count.

use crate::analyses::Analyses;
use crate::liveness::{stop_among, Fairness, FairnessClasses, Stop};
use stateright::{Expectation, Model};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

/// How long one walk may be when the user sets no `--max-depth`.
pub const DEFAULT_WALK_DEPTH: usize = 1_000;

/// What a simulation found about one property: the path's action indices
/// (the first indexes `init_states()`), and how it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sighting {
    /// `always` violated, or `sometimes` satisfied, at the path's end.
    Witness(Vec<usize>),
    /// `eventually` never held on a run that stops at the path's end.
    Stops(Vec<usize>, Stop),
    /// `eventually` never held on a fair run that repeats the path from
    /// `loop_start` (a step index) forever.
    Lasso(Vec<usize>, usize),
}

/// Everything the walks found.
pub struct Simulated {
    /// Per property, in declaration order.
    pub sightings: Vec<Option<Sighting>>,
    /// Per refinement: a path whose last step maps to no spec step.
    pub refinement_failures: Vec<Option<Vec<usize>>>,
    /// Steps taken, over all walks (states visited, revisits included).
    pub states: usize,
    /// Distinct states visited.
    pub unique_states: usize,
    /// The longest walk, in steps.
    pub max_depth: usize,
    pub walks: usize,
}

/// SplitMix64 (Steele, Lea & Flood, "Fast Splittable Pseudorandom Number
/// Generators", OOPSLA 2014): small, seedable, the same on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`), by rejection, so no index is favoured.
    fn below(&mut self, n: usize) -> usize {
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next();
            if x < zone {
                return (x % n) as usize;
            }
        }
    }
}

fn fingerprint<T: Hash>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// Walks `model` at random from `seed` until `max_states` steps were taken
/// or `timeout` passed.
#[allow(clippy::too_many_arguments)]
pub fn simulate<M>(
    model: &M,
    analyses: &Analyses<M>,
    seed: u64,
    fairness: Fairness,
    max_states: usize,
    max_depth: Option<usize>,
    timeout: Option<Duration>,
    on_tick: &mut dyn FnMut(usize, usize, usize),
) -> Simulated
where
    M: Model + FairnessClasses,
    M::State: Clone + Hash,
    M::Action: Clone,
{
    let start = Instant::now();
    let mut last_tick = Instant::now();
    let properties = model.properties();
    let init_states = model.init_states();
    let max_depth = max_depth.unwrap_or(DEFAULT_WALK_DEPTH);
    let mut out = Simulated {
        sightings: vec![None; properties.len()],
        refinement_failures: vec![None; analyses.refinements.len()],
        states: 0,
        unique_states: 0,
        max_depth: 0,
        walks: 0,
    };
    let mut seen: HashSet<u64> = HashSet::new();
    let excluded = |a: &M::Action| analyses.excluded.as_ref().is_some_and(|x| x(a));
    let viewed = |s: &M::State| match &analyses.view {
        Some(view) => fingerprint(&view(s)),
        None => fingerprint(s),
    };
    while !init_states.is_empty()
        && out.states < max_states
        && timeout.is_none_or(|t| start.elapsed() < t)
    {
        let mut rng = SplitMix64(seed ^ fingerprint(&out.walks));
        out.walks += 1;
        let first = rng.below(init_states.len());
        let mut state = init_states[first].clone();
        let mut path = vec![first];
        // Per step of the walk: the state's view fingerprint, its enabled
        // fair classes, and the class of the step taken from it.
        let mut trail: Vec<(u64, BTreeSet<u64>, Option<u64>)> = Vec::new();
        let mut position: HashMap<u64, usize> = HashMap::new();
        // Properties of kind `eventually` that have not held on this walk.
        let mut never: Vec<bool> = properties
            .iter()
            .map(|p| p.expectation == Expectation::Eventually)
            .collect();
        for (k, r) in analyses.refinements.iter().enumerate() {
            if !r.maps_init(&state) && out.refinement_failures[k].is_none() {
                out.refinement_failures[k] = Some(path.clone());
            }
        }
        loop {
            if !model.within_boundary(&state) {
                break;
            }
            out.states += 1;
            if seen.insert(fingerprint(&state)) {
                out.unique_states += 1;
            }
            for (k, p) in properties.iter().enumerate() {
                let ok = (p.condition)(model, &state);
                let found = match p.expectation {
                    Expectation::Always => !ok,
                    Expectation::Sometimes => ok,
                    Expectation::Eventually => {
                        never[k] &= !ok;
                        false
                    }
                };
                if found && out.sightings[k].is_none() {
                    out.sightings[k] = Some(Sighting::Witness(path.clone()));
                }
            }
            // On the model's horizon a run may end only because of a
            // workload bound: from here this walk judges no `eventually`.
            if analyses
                .horizon
                .as_ref()
                .is_some_and(|h| (h.reached)(&state))
            {
                never.iter_mut().for_each(|n| *n = false);
            }
            // The steps that lead somewhere, by index in the full list.
            let mut actions = Vec::new();
            model.actions(&state, &mut actions);
            let steps: Vec<(usize, M::Action, M::State)> = actions
                .into_iter()
                .enumerate()
                .filter(|(_, a)| !excluded(a))
                .filter_map(|(i, a)| {
                    let next = model.next_state(&state, a.clone())?;
                    Some((i, a, next))
                })
                .collect();
            let classes: BTreeSet<u64> = steps
                .iter()
                .filter_map(|(_, a, _)| model.fairness_class(a))
                .collect();
            let here = viewed(&state);
            if let Some(&k) = position.get(&here) {
                // Back where step `k` left from: the walk would loop.
                let looped = &trail[k..];
                let taken: BTreeSet<u64> = looped.iter().filter_map(|t| t.2).collect();
                let demanded: BTreeSet<u64> = match fairness {
                    Fairness::None => BTreeSet::new(),
                    Fairness::Weak => looped
                        .iter()
                        .map(|t| t.1.clone())
                        .reduce(|a, b| a.intersection(&b).copied().collect())
                        .unwrap_or_default(),
                    Fairness::Strong => looped.iter().flat_map(|t| t.1.clone()).collect(),
                };
                if demanded.is_subset(&taken) {
                    for (p, sighting) in never.iter().zip(out.sightings.iter_mut()) {
                        if *p && sighting.is_none() {
                            *sighting = Some(Sighting::Lasso(path.clone(), k));
                        }
                    }
                }
                break;
            }
            let fair = steps
                .iter()
                .map(|(_, a, _)| model.fairness_class(a).is_some());
            if let Some(stop) = stop_among(fair, fairness) {
                // A fair run may end here; if it is a deadlock the walk
                // must, otherwise it goes on and this end is one sample.
                for (p, sighting) in never.iter().zip(out.sightings.iter_mut()) {
                    if *p && sighting.is_none() {
                        *sighting = Some(Sighting::Stops(path.clone(), stop));
                    }
                }
            }
            if steps.is_empty() || path.len() > max_depth {
                break;
            }
            let count = steps.len();
            let (index, action, next) = steps
                .into_iter()
                .nth(rng.below(count))
                .expect("drawn below the count");
            for (k, r) in analyses.refinements.iter().enumerate() {
                if out.refinement_failures[k].is_none() && !r.maps_step(&state, &next) {
                    let mut failed = path.clone();
                    failed.push(index);
                    out.refinement_failures[k] = Some(failed);
                }
            }
            position.insert(here, trail.len());
            trail.push((here, classes, model.fairness_class(&action)));
            path.push(index);
            out.max_depth = out.max_depth.max(path.len() - 1);
            state = next;
            if out.states >= max_states {
                break;
            }
        }
        if last_tick.elapsed() >= Duration::from_secs(1) {
            last_tick = Instant::now();
            on_tick(out.states, out.unique_states, out.max_depth);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn below_stays_in_range_and_is_repeatable() {
        let mut a = SplitMix64(7);
        let mut b = SplitMix64(7);
        for n in 1..50 {
            let x = a.below(n);
            assert!(x < n);
            assert_eq!(x, b.below(n));
        }
    }
}
