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
//! removing any single event of it no longer does.

use crate::analyses::Analyses;
use crate::describe::Describe;
use crate::summary::{Step, StepKind};
use stateright::{Expectation, Model};

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
        }
    }
}

/// A schedule replayed on the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Every event was taken; the property breaks after `at` of them (0:
    /// initially). `path` is the explorer's encoding of the replay up to
    /// there, `steps` the steps described.
    Violates {
        at: usize,
        path: String,
        steps: Vec<Step>,
    },
    /// Every event was taken, and the property holds in every state.
    Holds,
    /// Event `at` (from 0) is no step enabled there.
    Stuck { at: usize },
}

/// Replays `events` on `model` from its initial state `init`, judging
/// `property` (an `always` property of the model) in every state.
pub fn replay<M>(
    model: &M,
    analyses: &Analyses<M>,
    init: usize,
    property: &str,
    events: &[Event],
) -> Result<Replay, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let properties = model.properties();
    let p = properties
        .iter()
        .find(|p| p.name == property)
        .ok_or_else(|| format!("the model has no property \"{property}\""))?;
    if p.expectation != Expectation::Always {
        return Err(format!(
            "\"{property}\" is not an always property: a schedule breaks only those in a state"
        ));
    }
    let holds = |s: &M::State| (p.condition)(model, s);
    let mut state = model
        .init_states()
        .into_iter()
        .nth(init)
        .ok_or_else(|| format!("the model has no initial state {init}"))?;
    let mut path = vec![init.to_string()];
    let mut steps = Vec::new();
    if !holds(&state) {
        return Ok(Replay::Violates {
            at: 0,
            path: path.join("/"),
            steps,
        });
    }
    for (i, event) in events.iter().enumerate() {
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let found = actions.into_iter().enumerate().find_map(|(index, a)| {
            if analyses.excluded.as_ref().is_some_and(|x| x(&a)) {
                return None;
            }
            let next = model.next_state(&state, a.clone());
            let step = model.describe_step(&state, &a, next.as_ref().unwrap_or(&state));
            event.matches(&step).then_some((index, next, step))
        });
        let Some((index, next, step)) = found else {
            return Ok(Replay::Stuck { at: i });
        };
        // An ignored delivery or timer changes nothing: the state stays.
        if let Some(next) = next {
            state = next;
        }
        path.push(index.to_string());
        steps.push(step);
        if !holds(&state) {
            return Ok(Replay::Violates {
                at: i + 1,
                path: path.join("/"),
                steps,
            });
        }
    }
    Ok(Replay::Holds)
}

/// What [`shrink`] found.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// Indices into the input's events of those kept, in order.
    pub kept: Vec<usize>,
    /// The replay of the kept events (a violation).
    pub replay: Replay,
    /// Subsets replayed.
    pub tests: usize,
}

/// ddmin over `events`, which must replay to a violation of `property`
/// (else the error says what they do). The result is 1-minimal.
pub fn shrink<M>(
    model: &M,
    analyses: &Analyses<M>,
    init: usize,
    property: &str,
    events: &[Event],
) -> Result<Shrunk, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let pick = |ix: &[usize]| -> Vec<Event> { ix.iter().map(|&i| events[i].clone()).collect() };
    let mut tests = 0;
    let mut fails = |ix: &[usize]| -> Result<bool, String> {
        tests += 1;
        Ok(matches!(
            replay(model, analyses, init, property, &pick(ix))?,
            Replay::Violates { .. }
        ))
    };
    let all: Vec<usize> = (0..events.len()).collect();
    match replay(model, analyses, init, property, events)? {
        Replay::Violates { at, .. } => {
            // The events after the violation play no part: start from the
            // prefix that ends at it.
            let mut current: Vec<usize> = all[..at].to_vec();
            let mut n = 2;
            while current.len() >= 2 {
                let chunks = split(&current, n);
                let mut reduced = false;
                // Reduce to a subset.
                for c in &chunks {
                    if fails(c)? {
                        current = c.clone();
                        n = 2;
                        reduced = true;
                        break;
                    }
                }
                // Reduce to a complement.
                if !reduced {
                    for i in 0..chunks.len() {
                        let complement: Vec<usize> = chunks
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != i)
                            .flat_map(|(_, c)| c.iter().copied())
                            .collect();
                        if fails(&complement)? {
                            current = complement;
                            n = (n - 1).max(2);
                            reduced = true;
                            break;
                        }
                    }
                }
                if !reduced {
                    if n >= current.len() {
                        break;
                    }
                    n = (2 * n).min(current.len());
                }
            }
            let replay = replay(model, analyses, init, property, &pick(&current))?;
            Ok(Shrunk {
                kept: current,
                replay,
                tests,
            })
        }
        Replay::Holds => Err(format!(
            "\"{property}\" holds in every state of the replay of all {} events: nothing to shrink",
            events.len()
        )),
        Replay::Stuck { at } => Err(format!(
            "event {} ({:?} at lane {}: {}) is no step the model can take there, so the schedule \
             is not one of this model (another variant or parameters?)",
            at + 1,
            events[at].kind,
            events[at].actor,
            events[at].label
        )),
    }
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
    use super::split;

    #[test]
    fn split_keeps_every_item_in_order() {
        assert_eq!(split(&[1, 2, 3, 4, 5], 2), [vec![1, 2], vec![3, 4, 5]]);
        assert_eq!(split(&[1, 2, 3], 3), [vec![1], vec![2], vec![3]]);
    }
}
