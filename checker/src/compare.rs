//! A bug variant's counterexample followed on the correct protocol
//! (`dsw compare`): the same schedule (deliveries, losses, timers, crashes,
//! choices), step by step, and the first step at which the correct
//! protocol does something else.
//!
//! Both models are the same type (one configuration, two `Bug` values), so
//! their states compare directly: the runs part at the first step after
//! which the two states differ (an actor's state, the messages in flight,
//! its timers). A step of the schedule is matched on the correct run by
//! its kind, actor, sender and message (or timer, or choice) by value;
//! once the runs have parted, the message the schedule delivers may not
//! exist there with the same content (the proposer proposes another
//! value), so it is matched by sender, receiver and constructor instead,
//! and the step says so. Where nothing matches (the message was never
//! sent, the timer is not set), the schedule cannot be followed further
//! and the comparison stops there.

use crate::analyses::Analyses;
use crate::describe::Describe;
use crate::itf::ItfState;
use crate::liveness::{Fairness, FairnessClasses};
use crate::replay::{Claim, Outcome};
use crate::state_diff::{diff, part_words, Sides};
use crate::summary::{Counterexample, CounterexampleKind, PropertyKind, Step, StepKind};
use serde::Serialize;
use stateright::{Expectation, Model};

/// A message a step sent: its receiver's lane and the message.
pub type Sent = (usize, String);

/// How a step of the schedule was taken on the correct run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Followed {
    /// Matched by sender, receiver and constructor only: the content
    /// differs from the bug variant's.
    pub by_type: bool,
    /// The correct protocol's actor did nothing on it (no state change, no
    /// message): its state is the one before.
    pub ignored: bool,
}

/// Where the schedule could not be followed on the correct run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stopped {
    /// The step (numbered from 1) that has no match.
    pub at: usize,
    pub why: String,
}

/// What the property the bug broke does on the correct run, as far as it
/// was followed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Judgement {
    /// `always` or a refinement: true in every state (step) followed.
    Kept { states: usize },
    /// `always` or a refinement: false at this step (0: initially).
    Violated { at: usize },
    /// `eventually`: true at this step of the correct run.
    Reached { at: usize },
    /// `eventually`: false on every state followed, and the correct run
    /// ends as the bug's does, judged as `dsw check --replay` judges a
    /// trace: the loop closes and is fair, or the run may stop where it
    /// stops.
    AlsoNever { why: String },
    /// `eventually`: false on every state followed, which alone shows
    /// nothing (the run may go on to reach it): why it does not end as
    /// the bug's does.
    NotReached { states: usize, why: String },
    /// Not judged on a run: why.
    NotJudged { why: String },
}

impl Judgement {
    /// The correct run breaks the property as the bug's did.
    pub fn violated(&self) -> bool {
        matches!(
            self,
            Judgement::Violated { .. } | Judgement::AlsoNever { .. }
        )
    }
}

/// Both runs on one schedule.
#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    /// The property the bug variant's counterexample is for.
    pub property: String,
    pub property_kind: PropertyKind,
    /// The bug variant's counterexample, as the check reported it.
    pub buggy: Counterexample,
    /// The correct protocol on its schedule: the steps followed (all, or
    /// up to [`Comparison::stopped`]), and its states where it ended.
    pub correct: Counterexample,
    /// Each lane's state before the first step, on each run.
    pub buggy_initial: Vec<String>,
    pub correct_initial: Vec<String>,
    /// Per step, what it sent, on each run.
    pub buggy_sent: Vec<Vec<Sent>>,
    pub correct_sent: Vec<Vec<Sent>>,
    /// Per step followed on the correct run, how it was matched.
    pub followed: Vec<Followed>,
    /// The first step (numbered from 1; 0: the initial states) after which
    /// the two runs' states differ, if they ever do.
    pub divergence: Option<usize>,
    /// Where the states differ after that step, a line per value (the
    /// bug variant's side first), and the parts of the state they are in
    /// (an actor's state, its stable storage, its timers, the messages in
    /// flight), each once.
    pub differences: Vec<String>,
    pub parts: Vec<String>,
    /// Where the schedule could not be followed, if it could not.
    pub stopped: Option<Stopped>,
    pub judgement: Judgement,
}

/// The constructor of a message, timer or choice as `Debug` prints it:
/// `Accept` of `Accept { ballot: 1, value: 2 }` or `Accept(1, 2)`.
pub fn constructor(label: &str) -> &str {
    let end = label.find(['(', '{', ' ', '[']).unwrap_or(label.len());
    &label[..end]
}

/// Whether `candidate` is the same step as `wanted` by kind, actor and
/// sender, and by value (`exact`) or constructor.
fn same_step(wanted: &Step, candidate: &Step, exact: bool) -> bool {
    wanted.kind == candidate.kind
        && wanted.actor == candidate.actor
        && wanted.from == candidate.from
        && if exact {
            wanted.label == candidate.label
        } else {
            constructor(&wanted.label) == constructor(&candidate.label)
        }
}

/// The edit distance of two strings, in characters (Levenshtein): which of
/// several messages of one constructor is closest to the schedule's, and
/// which name a mistyped one meant.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A run on its own model: the initial state, then each action taken and
/// the state after it.
type Own<M> = (
    <M as Model>::State,
    Vec<(<M as Model>::Action, <M as Model>::State)>,
);

/// A candidate for a step on the correct run: its rank (matched by type,
/// ignored, distance of its label, its label: the smallest first), the
/// action, the state after (none when ignored) and the step described.
type Candidate<M> = (
    (bool, bool, usize, String),
    <M as Model>::Action,
    Option<<M as Model>::State>,
    Step,
);

/// `ce` followed on the model it came from: its initial state (the path's
/// first index) and, per step, the state after and the action taken (the
/// first enabled action whose described step is the counterexample's,
/// state changes included).
fn follow_own<M>(model: &M, analyses: &Analyses<M>, ce: &Counterexample) -> Result<Own<M>, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let first = ce
        .path
        .split('/')
        .next()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(0);
    let init = model.init_states().into_iter().nth(first).ok_or_else(|| {
        format!("the counterexample starts in initial state {first}, which the model does not have")
    })?;
    let mut current = init.clone();
    let mut taken = Vec::with_capacity(ce.steps.len());
    for (i, step) in ce.steps.iter().enumerate() {
        let mut actions = Vec::new();
        model.actions(&current, &mut actions);
        let found = actions
            .into_iter()
            .filter(|a| !analyses.excluded.as_ref().is_some_and(|x| x(a)))
            .find_map(|a| {
                let next = model.next_state(&current, a.clone())?;
                (model.describe_step(&current, &a, &next) == *step).then_some((a, next))
            })
            .ok_or_else(|| {
                format!(
                    "step {} of the counterexample is no step of its own model",
                    i + 1
                )
            })?;
        current = found.1.clone();
        taken.push(found);
    }
    Ok((init, taken))
}

/// Why step `step` has no match on the correct run, whose steps so far
/// were `taken` and sent `sent`.
fn unfollowable(lanes: &[String], step: &Step, taken: &[Step], sent: &[Vec<Sent>]) -> String {
    let lane = |i: usize| lanes.get(i).map_or("?", String::as_str);
    let to = lane(step.actor);
    let from = step.from.unwrap_or(step.actor);
    let ctor = constructor(&step.label);
    match step.kind {
        StepKind::Drop => format!(
            "no {ctor} from {} to {to} is in flight there to be lost on the correct run",
            lane(from)
        ),
        StepKind::Deliver => {
            let sent_at = (0..sent.len().min(taken.len())).rev().find(|&i| {
                taken[i].actor == from
                    && sent[i]
                        .iter()
                        .any(|(r, m)| *r == step.actor && constructor(m) == ctor)
            });
            match sent_at {
                Some(i) => format!(
                    "no {ctor} from {} to {to} can be delivered there: the one sent at step {} was \
                     delivered already, or waits behind another on a FIFO link",
                    lane(from),
                    i + 1
                ),
                _ => format!(
                    "no {ctor} from {} to {to} can be delivered there, and no step before sent \
                     one on the correct run",
                    lane(from)
                ),
            }
        }
        StepKind::Timeout => format!(
            "{to}'s timer {} is not set on the correct run",
            constructor(&step.label)
        ),
        StepKind::Crash => format!("{to} cannot crash there on the correct run"),
        StepKind::Recover => format!("{to} is not crashed there on the correct run"),
        StepKind::Random => format!(
            "{to} has no pending choice {} on the correct run",
            constructor(&step.label)
        ),
        StepKind::Action => format!("the action {} is not enabled", step.label),
    }
}

/// The two sides of a comparison.
pub struct Pair<'a, M: Model> {
    pub buggy: &'a M,
    pub buggy_analyses: &'a Analyses<M>,
    /// The bug variant's name, as the differences name its side.
    pub variant: &'a str,
    pub correct: &'a M,
    pub correct_analyses: &'a Analyses<M>,
}

/// Where `a` (the bug variant's state) and `b` (the correct protocol's)
/// differ, as lines, and the parts of the state those are in.
fn differences<S: ItfState>(
    lanes: &[String],
    variant: &str,
    a: &S,
    b: &S,
) -> (Vec<String>, Vec<String>) {
    let (Ok(a), Ok(b)) = (a.itf(), b.itf()) else {
        return (Vec::new(), Vec::new());
    };
    let sides = Sides {
        lanes,
        left: variant,
        right: "correct",
    };
    let mut lines = Vec::new();
    diff(&sides, &a, &b, &mut lines);
    let mut parts: Vec<String> = Vec::new();
    for line in &lines {
        let path = line.split_once(':').map_or(line.as_str(), |(p, _)| p);
        let part = part_words(path);
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    (lines, parts)
}

/// Follows the schedule of `ce`, a counterexample to `property` found on
/// `buggy`, on `correct` (the same model type: the correct variant of the
/// same configuration). `fairness` is the check's, under which a
/// liveness counterexample's ending is judged on the correct run.
pub fn compare<M>(
    sides: &Pair<'_, M>,
    property: &str,
    property_kind: PropertyKind,
    fairness: Fairness,
    ce: &Counterexample,
) -> Result<Comparison, String>
where
    M: Model + Describe + FairnessClasses,
    M::State: Clone + PartialEq + ItfState,
    M::Action: Clone,
{
    let Pair {
        buggy,
        buggy_analyses,
        variant,
        correct,
        correct_analyses,
    } = *sides;
    let lanes = correct.lanes();
    let (buggy_init, buggy_run) = follow_own(buggy, buggy_analyses, ce)?;
    let buggy_sent: Vec<Vec<Sent>> = {
        let mut before = &buggy_init;
        buggy_run
            .iter()
            .map(|(a, after)| {
                let sent = buggy.sent(before, a);
                before = after;
                sent
            })
            .collect()
    };
    let first = ce
        .path
        .split('/')
        .next()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(0);
    let mut comparison = Comparison {
        property: property.to_string(),
        property_kind,
        buggy: ce.clone(),
        correct: Counterexample {
            kind: ce.kind,
            path: String::new(),
            actors: lanes.clone(),
            steps: Vec::new(),
            loop_start: None,
            final_states: Vec::new(),
        },
        buggy_initial: buggy.describe_state(&buggy_init),
        correct_initial: Vec::new(),
        buggy_sent,
        correct_sent: Vec::new(),
        followed: Vec::new(),
        divergence: None,
        differences: Vec::new(),
        parts: Vec::new(),
        stopped: None,
        judgement: Judgement::NotJudged { why: String::new() },
    };
    let Some(init) = correct.init_states().into_iter().nth(first) else {
        comparison.stopped = Some(Stopped {
            at: 0,
            why: format!("the correct protocol has no initial state {first}"),
        });
        return Ok(comparison);
    };
    comparison.correct_initial = correct.describe_state(&init);
    if init != buggy_init {
        comparison.divergence = Some(0);
        (comparison.differences, comparison.parts) =
            differences(&lanes, variant, &buggy_init, &init);
    }
    let mut run = vec![init];
    let mut actions_taken = Vec::new();
    for (i, (step, (_, buggy_after))) in ce.steps.iter().zip(&buggy_run).enumerate() {
        let current = run.last().expect("a run has a state");
        let mut actions = Vec::new();
        correct.actions(current, &mut actions);
        let mut best: Option<Candidate<M>> = None;
        for action in actions {
            if correct_analyses
                .excluded
                .as_ref()
                .is_some_and(|x| x(&action))
            {
                continue;
            }
            let next = correct.next_state(current, action.clone());
            let taken = correct.describe_step(current, &action, next.as_ref().unwrap_or(current));
            let exact = same_step(step, &taken, true);
            if !exact && !same_step(step, &taken, false) {
                continue;
            }
            let key = (
                !exact,
                next.is_none(),
                if exact {
                    0
                } else {
                    distance(&step.label, &taken.label)
                },
                taken.label.clone(),
            );
            if best.as_ref().is_none_or(|(k, ..)| key < *k) {
                best = Some((key, action, next, taken));
            }
        }
        let Some(((by_type, ignored, ..), action, next, taken)) = best else {
            comparison.stopped = Some(Stopped {
                at: i + 1,
                why: unfollowable(
                    &lanes,
                    step,
                    &comparison.correct.steps,
                    &comparison.correct_sent,
                ),
            });
            break;
        };
        comparison.correct_sent.push(correct.sent(current, &action));
        let next = next.unwrap_or_else(|| current.clone());
        if comparison.divergence.is_none() && next != *buggy_after {
            comparison.divergence = Some(i + 1);
            (comparison.differences, comparison.parts) =
                differences(&lanes, variant, buggy_after, &next);
        }
        comparison.followed.push(Followed { by_type, ignored });
        comparison.correct.steps.push(taken);
        actions_taken.push(action);
        run.push(next);
    }
    let last = run.last().expect("a run has a state");
    comparison.correct.final_states = correct.describe_state(last);
    comparison.judgement = judge(
        correct,
        correct_analyses,
        &comparison,
        fairness,
        &run,
        &actions_taken,
    );
    // The correct run is drawn with the bug's loop only where it closes
    // that loop too.
    if matches!(comparison.judgement, Judgement::AlsoNever { .. }) {
        comparison.correct.loop_start = ce.loop_start;
    }
    Ok(comparison)
}

/// What `comparison.property` does on the correct run's states `run`,
/// reached by `taken`.
fn judge<M>(
    model: &M,
    analyses: &Analyses<M>,
    comparison: &Comparison,
    fairness: Fairness,
    run: &[M::State],
    taken: &[M::Action],
) -> Judgement
where
    M: Model + FairnessClasses,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let name = comparison.property.as_str();
    if let Some(p) = model.properties().into_iter().find(|p| p.name == name) {
        return match p.expectation {
            Expectation::Always => match run.iter().position(|s| !(p.condition)(model, s)) {
                Some(at) => Judgement::Violated { at },
                None => Judgement::Kept { states: run.len() },
            },
            Expectation::Eventually => match run.iter().position(|s| (p.condition)(model, s)) {
                Some(at) => Judgement::Reached { at },
                None => never(model, analyses, comparison, fairness, run, taken),
            },
            Expectation::Sometimes => Judgement::NotJudged {
                why: "a sometimes property has examples, not counterexamples".into(),
            },
        };
    }
    if let Some(r) = analyses.refinements.iter().find(|r| r.name == name) {
        if !r.judged() {
            return Judgement::NotJudged {
                why: r.unjudged.clone().unwrap_or_default(),
            };
        }
        if !r.maps_init(&run[0]) {
            return Judgement::Violated { at: 0 };
        }
        return match (1..run.len()).find(|&i| !r.maps_step(&run[i - 1], &run[i])) {
            Some(at) => Judgement::Violated { at },
            None => Judgement::Kept { states: run.len() },
        };
    }
    if let Some(l) = analyses.leads_to.iter().find(|l| l.name == name) {
        // The last state where P holds must be followed by Q, then or later.
        let mut pending = None;
        for (i, s) in run.iter().enumerate() {
            if pending.is_none() && (l.p)(s) {
                pending = Some(i);
            }
            if (l.q)(s) {
                pending = None;
            }
        }
        return match pending {
            None => Judgement::Reached { at: run.len() - 1 },
            Some(_) => never(model, analyses, comparison, fairness, run, taken),
        };
    }
    Judgement::NotJudged {
        why: format!("the model has no property \"{name}\""),
    }
}

/// A liveness property not reached on the correct run: does the run end
/// as the bug's does? Judged as `dsw check --replay` judges a trace's
/// ending: a loop must close and be fair under `fairness`, a run may stop
/// only where fairness demands none of the steps enabled.
fn never<M>(
    model: &M,
    analyses: &Analyses<M>,
    comparison: &Comparison,
    fairness: Fairness,
    run: &[M::State],
    taken: &[M::Action],
) -> Judgement
where
    M: Model + FairnessClasses,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let states = run.len();
    if let Some(s) = &comparison.stopped {
        return Judgement::NotReached {
            states,
            why: format!("the schedule could not be followed from step {}", s.at),
        };
    }
    let kind = comparison.buggy.kind;
    if !matches!(
        kind,
        CounterexampleKind::Lasso | CounterexampleKind::Deadlock | CounterexampleKind::Stutter
    ) {
        return Judgement::NotReached {
            states,
            why: format!("the bug's counterexample is a {} run", kind.name()),
        };
    }
    let claim = Claim {
        property: comparison.property.clone(),
        kind,
        fairness,
        by: "the bug's run".to_string(),
    };
    match crate::replay::judge(
        model,
        analyses,
        &claim,
        comparison.buggy.loop_start,
        run,
        taken,
    ) {
        Outcome::Shows(why) => Judgement::AlsoNever { why },
        Outcome::DoesNotShow(why) => Judgement::NotReached { states, why },
        Outcome::Diverges { what, .. } => Judgement::NotReached { states, why: what },
    }
}

#[cfg(test)]
mod tests {
    use super::constructor;

    #[test]
    fn constructor_is_the_name_before_fields() {
        assert_eq!(constructor("Accept { ballot: 1, value: 2 }"), "Accept");
        assert_eq!(constructor("Prepare(3)"), "Prepare");
        assert_eq!(constructor("Election"), "Election");
        assert_eq!(constructor("crash"), "crash");
    }
}
