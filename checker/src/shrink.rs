//! `dsw shrink`: a schedule that breaks an `always` property (a real run's
//! trace, or a counterexample path) made 1-minimal by delta debugging
//! (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing
//! Input", IEEE TSE 28(2), 2002, the `ddmin` algorithm of §3).
//!
//! The schedule is a list of events in the model's vocabulary ([`Event`]:
//! a delivery from a sender to a receiver of a message, a timer, a crash, a
//! restart, a random choice, each as `describe_step` prints it). The test
//! replays a subset on the model from its initial state: each event must
//! be a step enabled where the replay stands (the message in flight, the
//! timer set, the node up to crash), else the subset is *unresolved*
//! (ddmin counts it as not failing); it fails when some state along the
//! replay breaks the property. What ddmin returns still fails, and
//! removing any single event of it leaves a schedule that either breaks
//! nothing or is no schedule the model can follow.

use crate::analyses::Analyses;
use crate::describe::Describe;
use crate::summary::{Step, StepKind};
use stateright::Model;
use std::collections::HashMap;

/// One event of a schedule: what a [`Step`] says, without what it changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub kind: StepKind,
    /// The acting (receiving) lane.
    pub actor: usize,
    /// The sender, for deliveries and drops.
    pub from: Option<usize>,
    /// The message, timer or choice as `Debug` prints it; not compared for
    /// crashes and restarts.
    pub label: String,
    /// A step only a real run takes (a heartbeat timer the model's actor
    /// does not have): replayed by the caller's [`Target::extra`], never
    /// by one of the model's actions.
    pub run_only: bool,
}

impl Event {
    /// Whether `step` is this event (crashes and restarts by kind and actor).
    pub fn matches(&self, step: &Step) -> bool {
        self.kind == step.kind
            && self.actor == step.actor
            && self.from == step.from
            && (matches!(self.kind, StepKind::Crash | StepKind::Recover)
                || self.label == step.label)
    }

    /// The event of a described step.
    pub fn of(step: &Step) -> Self {
        Event {
            kind: step.kind,
            actor: step.actor,
            from: step.from,
            label: step.label.clone(),
            run_only: false,
        }
    }
}

/// A step only the real run takes, from a state: a run-only event
/// ([`Event::run_only`]), or an event none of the model's actions is (a
/// delivery on a FIFO link whose older messages the real network lost).
/// The state after it and the step described, or `None` where it is not
/// enabled.
pub type Extra<'a, M> =
    &'a dyn Fn(&<M as Model>::State, &Event) -> Option<(<M as Model>::State, Step)>;

/// What a schedule is replayed on: the model from one of its initial
/// states, the property judged in every state.
pub struct Target<'a, M: Model> {
    pub model: &'a M,
    pub analyses: &'a Analyses<M>,
    pub init: usize,
    /// The property, true where it holds.
    pub holds: &'a dyn Fn(&M::State) -> bool,
    /// The steps only the real run takes, if the schedule may have any.
    pub extra: Option<Extra<'a, M>>,
}

/// A schedule replayed on the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Every event was taken; the property breaks after `at` of them (0:
    /// initially). `path` is the explorer's encoding of the replay up to
    /// there (none when a run-only step is part of it), `steps` the steps
    /// described.
    Violates {
        at: usize,
        path: Option<String>,
        steps: Vec<Step>,
    },
    /// Every event was taken, and the property holds in every state.
    Holds,
    /// Event `at` (from 0) is no step enabled there.
    Stuck { at: usize },
}

/// Replays `events` on `target`.
pub fn replay<M>(target: &Target<'_, M>, events: &[Event]) -> Result<Replay, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let model = target.model;
    let holds = target.holds;
    let init = target.init;
    let mut state = model
        .init_states()
        .into_iter()
        .nth(init)
        .ok_or_else(|| format!("the model has no initial state {init}"))?;
    let mut path = Some(vec![init.to_string()]);
    let mut steps = Vec::new();
    let encode = |path: &Option<Vec<String>>| path.as_ref().map(|p| p.join("/"));
    if !holds(&state) {
        return Ok(Replay::Violates {
            at: 0,
            path: encode(&path),
            steps,
        });
    }
    for (i, event) in events.iter().enumerate() {
        if event.run_only {
            let Some((next, step)) = target.extra.and_then(|x| x(&state, event)) else {
                return Ok(Replay::Stuck { at: i });
            };
            state = next;
            path = None;
            steps.push(step);
        } else {
            let mut actions = Vec::new();
            model.actions(&state, &mut actions);
            let found = actions.into_iter().enumerate().find_map(|(index, a)| {
                if target.analyses.excluded.as_ref().is_some_and(|x| x(&a)) {
                    return None;
                }
                let next = model.next_state(&state, a.clone());
                let step = model.describe_step(&state, &a, next.as_ref().unwrap_or(&state));
                event.matches(&step).then_some((index, next, step))
            });
            match found {
                Some((index, next, step)) => {
                    // An ignored delivery or timer changes nothing: the
                    // state stays.
                    if let Some(next) = next {
                        state = next;
                    }
                    if let Some(p) = path.as_mut() {
                        p.push(index.to_string());
                    }
                    steps.push(step);
                }
                // What only the real network does (a FIFO link that lost
                // older messages) is the caller's to carry out.
                None => {
                    let Some((next, step)) = target.extra.and_then(|x| x(&state, event)) else {
                        return Ok(Replay::Stuck { at: i });
                    };
                    state = next;
                    path = None;
                    steps.push(step);
                }
            }
        }
        if !holds(&state) {
            return Ok(Replay::Violates {
                at: i + 1,
                path: encode(&path),
                steps,
            });
        }
    }
    Ok(Replay::Holds)
}

/// What [`shrink`] found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// How many of the input's events the whole schedule's replay took
    /// up to the violation (ddmin starts from them).
    pub prefix: usize,
    /// Indices into the input's events of those kept, in order.
    pub kept: Vec<usize>,
    /// The replay of the kept events (a violation).
    pub replay: Replay,
    /// Subsets replayed (each distinct subset once).
    pub tests: usize,
}

/// ddmin over `events`, which must replay on `target` to a violation:
/// else `Err` is what the whole schedule does instead ([`Replay::Holds`]
/// or [`Replay::Stuck`]). The result is 1-minimal.
pub fn shrink<M>(target: &Target<'_, M>, events: &[Event]) -> Result<Result<Shrunk, Replay>, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let at = match replay(target, events)? {
        Replay::Violates { at, .. } => at,
        other => return Ok(Err(other)),
    };
    let pick = |ix: &[usize]| -> Vec<Event> { ix.iter().map(|&i| events[i].clone()).collect() };
    // The events after the violation play no part: start from the prefix
    // that ends at it.
    let mut error = None;
    let (kept, tests) = ddmin(at, |ix| match replay(target, &pick(ix)) {
        Ok(r) => matches!(r, Replay::Violates { .. }),
        Err(e) => {
            error = Some(e);
            false
        }
    });
    if let Some(e) = error {
        return Err(e);
    }
    let replay = replay(target, &pick(&kept))?;
    Ok(Ok(Shrunk {
        prefix: at,
        kept,
        replay,
        tests,
    }))
}

/// Zeller and Hildebrandt's `ddmin` over the items `0..n`, all of which
/// `fails` is assumed to fail on (and the empty set not): a failing
/// subset, in order, from which no single item can be removed without it
/// passing, and the number of distinct subsets `fails` was asked about.
/// Each subset is tested once: with two parts a complement is the other
/// part, and a granularity revisits parts it tried before.
pub fn ddmin(n: usize, mut fails: impl FnMut(&[usize]) -> bool) -> (Vec<usize>, usize) {
    let mut seen: HashMap<Vec<usize>, bool> = HashMap::new();
    let mut test = |ix: &[usize]| -> bool {
        if let Some(&f) = seen.get(ix) {
            return f;
        }
        let f = fails(ix);
        seen.insert(ix.to_vec(), f);
        f
    };
    let mut current: Vec<usize> = (0..n).collect();
    let mut parts = 2;
    while current.len() >= 2 {
        let chunks = split(&current, parts);
        // Reduce to a subset.
        if let Some(c) = chunks.iter().find(|c| test(c)) {
            current = c.clone();
            parts = 2;
            continue;
        }
        // Reduce to a complement.
        let complement = (0..chunks.len()).find_map(|i| {
            let rest: Vec<usize> = chunks
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .flat_map(|(_, c)| c.iter().copied())
                .collect();
            test(&rest).then_some(rest)
        });
        if let Some(rest) = complement {
            current = rest;
            parts = (parts - 1).max(2);
            continue;
        }
        // Increase the granularity, or stop: every single item's
        // complement passed.
        if parts >= current.len() {
            break;
        }
        parts = (2 * parts).min(current.len());
    }
    (current, seen.len())
}

/// `items` in `n` parts of nearly equal size, in order.
fn split(items: &[usize], n: usize) -> Vec<Vec<usize>> {
    let mut parts = Vec::with_capacity(n);
    let mut start = 0;
    for i in 0..n {
        let end = start + (items.len() - start) / (n - i);
        parts.push(items[start..end].to_vec());
        start = end;
    }
    parts.retain(|p| !p.is_empty());
    parts
}

#[cfg(test)]
mod tests {
    use super::{ddmin, split};
    use std::collections::HashMap;

    #[test]
    fn split_keeps_every_item_in_order() {
        assert_eq!(split(&[1, 2, 3, 4, 5], 2), [vec![1, 2], vec![3, 4, 5]]);
        assert_eq!(split(&[1, 2, 3], 3), [vec![1], vec![2], vec![3]]);
    }

    /// SplitMix64, so the property test is the same on every run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    fn mask(ix: &[usize]) -> u32 {
        ix.iter().fold(0, |m, &i| m | 1 << i)
    }

    /// The oracle, by brute force over every subset of `0..n`: whether
    /// `result` fails and removing any single item of it passes.
    fn one_minimal(n: usize, fails: &dyn Fn(u32) -> bool, result: u32) -> bool {
        fails(result)
            && (0..n)
                .filter(|i| result & 1 << i != 0)
                .all(|i| !fails(result & !(1 << i)))
    }

    /// Over many random failure predicates on up to 9 items (the full set
    /// fails, the empty set passes, any other subset fails at random,
    /// often or rarely), ddmin's result is a failing subset, 1-minimal as
    /// the brute-force oracle judges it, in order, and no subset is tested
    /// twice.
    #[test]
    fn ddmin_is_one_minimal_on_random_predicates() {
        let mut rng = Rng(19);
        for round in 0..3000 {
            let n = 1 + (rng.next() % 9) as usize;
            let density = [2, 10, 50, 90][round % 4];
            let all = (1u32 << n) - 1;
            let table: Vec<bool> = (0..=all)
                .map(|m| m == all || (m != 0 && rng.next() % 100 < density))
                .collect();
            let fails = |m: u32| table[m as usize];
            let mut asked: HashMap<u32, usize> = HashMap::new();
            let (result, tests) = ddmin(n, |ix| {
                *asked.entry(mask(ix)).or_default() += 1;
                fails(mask(ix))
            });
            assert!(result.windows(2).all(|w| w[0] < w[1]), "{result:?}");
            let m = mask(&result);
            assert!(
                one_minimal(n, &fails, m),
                "round {round}: n {n}, result {result:?} is not 1-minimal"
            );
            assert!(asked.values().all(|&k| k == 1), "round {round}: {asked:?}");
            assert_eq!(tests, asked.len());
        }
    }

    /// With one cause (the failure needs exactly items S, whatever else is
    /// there), ddmin finds S itself, for every S of up to 8 items.
    #[test]
    fn ddmin_finds_the_one_cause() {
        for n in 1..=8usize {
            for cause in 1u32..(1 << n) {
                let (result, _) = ddmin(n, |ix| mask(ix) & cause == cause);
                assert_eq!(mask(&result), cause, "n {n}");
            }
        }
        // Nothing to remove from a single item.
        let (result, tests) = ddmin(1, |_| true);
        assert_eq!((result, tests), (vec![0], 0));
        let (result, _) = ddmin(0, |_| true);
        assert!(result.is_empty());
    }
}
