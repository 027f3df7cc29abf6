//! `dsw compare` shown: a bug variant and the correct protocol on one
//! schedule, as numbered steps for a terminal and as two sequence diagrams
//! side by side.
//!
//! Each step of the schedule is printed once, with what it did on each run
//! (the state it changed, as a diff against the actor's state before, and
//! the messages it sent) when the two differ, and once when they do not.
//! The first step after which the runs' states differ is marked.

use crate::diff::{diff, summary_line};
use crate::report::step_line;
use crate::svg::{side_by_side, Options};
use checker::compare::{Comparison, Judgement, Sent};
use checker::summary::{Change, Counterexample, Step};
use serde::Serialize;
use std::fmt::Write;

/// What each step did on one run, in words: per step, the changed lanes'
/// diffs and the messages sent, joined.
fn effects(ce: &Counterexample, initial: &[String], sent: &[Vec<Sent>]) -> Vec<String> {
    let lane = |i: usize| ce.actors.get(i).map_or("?", String::as_str);
    let mut now: Vec<String> = initial.to_vec();
    ce.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let sent = sent.get(i);
            let mut parts = Vec::new();
            for Change { actor, state } in &step.changes {
                let before = now.get(*actor).map(String::as_str);
                let line = summary_line(&diff(before, state));
                if let Some(slot) = now.get_mut(*actor) {
                    *slot = state.clone();
                }
                if !line.is_empty() {
                    parts.push(format!("{}: {line}", lane(*actor)));
                }
            }
            let sent: Vec<String> = sent
                .into_iter()
                .flatten()
                .map(|(to, msg)| format!("{msg} to {}", lane(*to)))
                .collect();
            if !sent.is_empty() {
                parts.push(format!("sends {}", sent.join(", ")));
            }
            if parts.is_empty() {
                "no change".to_string()
            } else {
                parts.join("; ")
            }
        })
        .collect()
}

/// The property on the bug variant's run, in words.
pub fn buggy_words(c: &Comparison) -> String {
    let name = &c.property;
    let n = c.buggy.steps.len();
    match c.buggy.kind {
        checker::CounterexampleKind::Lasso => format!(
            "\"{name}\" never holds: the steps from {} on repeat forever",
            c.buggy.loop_start.map_or(n, |s| s + 1)
        ),
        checker::CounterexampleKind::Deadlock => {
            format!("\"{name}\" never holds: after step {n} no step is enabled")
        }
        checker::CounterexampleKind::Stutter => format!(
            "\"{name}\" never holds: after step {n} only steps that need never happen are enabled"
        ),
        _ => format!("\"{name}\" is violated at step {n}"),
    }
}

/// The property on the correct run, in words.
pub fn judgement_words(c: &Comparison) -> String {
    let name = &c.property;
    let at = |i: usize| {
        if i == 0 {
            "initially".to_string()
        } else {
            format!("at step {i}")
        }
    };
    let followed = if c.stopped.is_some() {
        "followed"
    } else {
        "of the schedule"
    };
    let refines = c.property_kind == checker::PropertyKind::Refines;
    let leads_to = c.property_kind == checker::PropertyKind::LeadsTo;
    match &c.judgement {
        Judgement::Kept { states } if refines => format!(
            "\"{name}\" holds: each of the {} steps {followed} is a step of the spec or a stutter",
            states.saturating_sub(1)
        ),
        Judgement::Kept { states } => {
            format!("\"{name}\" holds in all {states} states {followed}")
        }
        Judgement::Violated { at: i } => format!("\"{name}\" is violated {} too", at(*i)),
        Judgement::Reached { .. } if leads_to => format!(
            "\"{name}\" holds: where its condition holds, what it leads to holds then or later"
        ),
        Judgement::Reached { at: i } => format!("\"{name}\" holds {}", at(*i)),
        Judgement::AlsoNever { why } => format!("\"{name}\" never holds either: {why}"),
        Judgement::NotReached { states, why } if leads_to => format!(
            "\"{name}\" is still waiting after the {states} states {followed}, which alone shows no violation: {why}"
        ),
        Judgement::NotReached { states, why } => format!(
            "\"{name}\" holds in none of the {states} states {followed}, which alone shows no violation: {why}"
        ),
        Judgement::NotJudged { why } => format!("\"{name}\" is not judged on the run: {why}"),
    }
}

/// Where the correct protocol first does something else on the schedule,
/// or where the schedule stops, and the property on its run, in one line
/// (no full stop): for a report's link to the side-by-side diagram.
pub fn first_difference_words(c: &Comparison, variant: &str) -> String {
    let first = match (c.divergence, &c.stopped) {
        (Some(0), _) => "the initial states already differ".to_string(),
        (Some(d), _) => {
            let step = c
                .buggy
                .steps
                .get(d - 1)
                .map_or(String::new(), |s| format!(" ({})", step_line(&c.buggy, s)));
            let buggy = effects(&c.buggy, &c.buggy_initial, &c.buggy_sent);
            let correct = effects(&c.correct, &c.correct_initial, &c.correct_sent);
            let what = match (buggy.get(d - 1), correct.get(d - 1)) {
                (Some(b), Some(k)) if b != k => format!(": {variant} {b}; correct {k}"),
                _ => format!(", in {}{}", parts_words(c), first_line(c)),
            };
            format!("first difference at step {d}{step}{what}")
        }
        (None, Some(s)) => format!(
            "no difference in the {} steps before the schedule stops",
            s.at - 1
        ),
        (None, None) => format!("correct does what {variant} does on every step"),
    };
    let first = match c.divergence {
        Some(0) => format!("{first}, in {}{}", parts_words(c), first_line(c)),
        _ => first,
    };
    let stop = match &c.stopped {
        Some(s) if c.divergence.is_some() => format!(
            "; the schedule cannot be followed from step {}: {}",
            s.at, s.why
        ),
        Some(s) => format!(", at step {}: {}", s.at, s.why),
        None => String::new(),
    };
    format!("{first}{stop}; {}", judgement_words(c))
}

/// The parts of the state the runs first differ in, in words.
fn parts_words(c: &Comparison) -> String {
    match c.parts.as_slice() {
        [] => "what the states' encodings do not show".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The first value the runs differ in, after a colon, or nothing.
fn first_line(c: &Comparison) -> String {
    c.differences
        .first()
        .map_or(String::new(), |l| format!(" ({l})"))
}

/// The lines saying where the states differ, as many as are worth reading.
fn difference_lines(out: &mut String, c: &Comparison, indent: &str) {
    const SHOWN: usize = 4;
    for line in c.differences.iter().take(SHOWN) {
        let _ = writeln!(out, "{indent}{line}");
    }
    if c.differences.len() > SHOWN {
        let _ = writeln!(out, "{indent}... and {} more", c.differences.len() - SHOWN);
    }
}

fn step_text(ce: &Counterexample, step: &Step) -> String {
    step_line(ce, step)
}

/// The comparison as numbered steps: `model`, `variant` and the lines a
/// terminal prints.
pub fn text(c: &Comparison, model: &str, variant: &str) -> String {
    let mut out = String::new();
    let n = c.buggy.steps.len();
    let _ = writeln!(
        out,
        "{model}: {variant} and correct on one schedule, the counterexample to \"{}\" ({}, {n} step{})",
        c.property,
        c.buggy.kind.name(),
        if n == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "  the same deliveries, timers and faults, matched by message and actor; \
         \"=\" where correct does what {variant} does, \"!\" where not{}",
        if c.stopped.is_some() {
            ", \"x\" where the schedule stops, \"-\" the variant's steps after it"
        } else {
            ""
        }
    );
    match (c.divergence, &c.stopped) {
        (Some(0), _) => {
            let _ = writeln!(
                out,
                "  the initial states already differ, in {}:",
                parts_words(c)
            );
            difference_lines(&mut out, c, "    ");
        }
        (Some(d), _) => {
            let _ = writeln!(out, "  first difference: step {d}");
        }
        (None, Some(s)) => {
            let _ = writeln!(
                out,
                "  no difference in the {} steps followed before the schedule stops",
                s.at - 1
            );
        }
        (None, None) => {
            let _ = writeln!(out, "  no difference: correct does the same on every step");
        }
    }
    let buggy_effects = effects(&c.buggy, &c.buggy_initial, &c.buggy_sent);
    let correct_effects = effects(&c.correct, &c.correct_initial, &c.correct_sent);
    let width = variant.len().max("correct".len());
    for (i, step) in c.buggy.steps.iter().enumerate() {
        let number = i + 1;
        if c.buggy.loop_start == Some(i) {
            let _ = writeln!(
                out,
                "         -- loop ({variant}): the steps below repeat forever --"
            );
        }
        if c.stopped.as_ref().is_some_and(|s| s.at == number) {
            let why = &c.stopped.as_ref().expect("stopped").why;
            let _ = writeln!(out, "  {number:>3} x {}", step_text(&c.buggy, step));
            let _ = writeln!(out, "        {:<width$}  {}", variant, buggy_effects[i]);
            let _ = writeln!(out, "        {:<width$}  cannot follow: {why}", "correct");
            let _ = writeln!(
                out,
                "      ^ the schedule cannot be followed on the correct protocol from step {number}: stopped here"
            );
            for (j, rest) in c.buggy.steps.iter().enumerate().skip(i + 1) {
                let _ = writeln!(out, "  {:>3} - {}", j + 1, step_text(&c.buggy, rest));
                let _ = writeln!(out, "        {:<width$}  {}", variant, buggy_effects[j]);
            }
            break;
        }
        let Some(taken) = c.correct.steps.get(i) else {
            break;
        };
        let followed = c.followed[i];
        let same = same_at(c, i, &buggy_effects[i], &correct_effects[i]);
        let _ = writeln!(
            out,
            "  {number:>3} {} {}",
            if same { '=' } else { '!' },
            step_text(&c.buggy, step)
        );
        if same {
            let _ = writeln!(out, "        {}", buggy_effects[i]);
        } else {
            let _ = writeln!(out, "        {:<width$}  {}", variant, buggy_effects[i]);
            let what = if followed.ignored {
                "ignores it: no change, nothing sent".to_string()
            } else {
                correct_effects[i].clone()
            };
            if followed.by_type {
                let _ = writeln!(
                    out,
                    "        {:<width$}  {} (the content differs: matched by sender, receiver and type)",
                    "correct",
                    step_text(&c.correct, taken)
                );
                let _ = writeln!(out, "        {:<width$}  {what}", "");
            } else {
                let _ = writeln!(out, "        {:<width$}  {what}", "correct");
            }
        }
        if c.divergence == Some(number) {
            let _ = writeln!(
                out,
                "      ^ first difference: correct does something else at step {number}, in {}:",
                parts_words(c)
            );
            difference_lines(&mut out, c, "        ");
        }
    }
    let _ = writeln!(out, "  {variant}: {}", buggy_words(c));
    let _ = writeln!(out, "  correct: {}", judgement_words(c));
    out
}

/// The comparison as one SVG document: the bug variant's diagram left, the
/// correct protocol's right, the first difference marked on both.
pub fn svg(c: &Comparison, model: &str, variant: &str) -> String {
    let mark_words = c.divergence.map(|d| format!("first difference: step {d}"));
    let mark = c
        .divergence
        .zip(mark_words.as_deref())
        .filter(|(d, _)| *d > 0);
    let left_opts = Options {
        initial_states: Some(&c.buggy_initial),
        plain_end: None,
        mark,
    };
    let end = match &c.stopped {
        Some(s) => format!("cannot follow step {}: {}", s.at, s.why),
        None => judgement_words(c),
    };
    let right_opts = Options {
        initial_states: Some(&c.correct_initial),
        plain_end: Some(&end),
        mark,
    };
    let left_title = format!("{variant}: {}", buggy_words(c));
    let right_title = "correct, on the same schedule".to_string();
    side_by_side(
        &format!(
            "{model}: {variant} vs correct on the counterexample to \"{}\"",
            c.property
        ),
        (&c.buggy, &left_title, &left_opts),
        (&c.correct, &right_title, &right_opts),
    )
}

/// Whether step `i` (from 0) did the same on both runs: matched by value,
/// not ignored, the same effects, and not where the states part.
fn same_at(c: &Comparison, i: usize, buggy_effect: &str, correct_effect: &str) -> bool {
    let followed = c.followed[i];
    !followed.by_type
        && !followed.ignored
        && buggy_effect == correct_effect
        && c.divergence != Some(i + 1)
}

/// A message a step sent, for `--json`.
#[derive(Debug, Serialize)]
pub struct SentJson {
    /// The receiver's lane.
    pub to: usize,
    pub message: String,
}

/// One step of the schedule taken on both runs, for `--json`.
#[derive(Debug, Serialize)]
pub struct PairJson {
    /// The step's number (from 1): `buggy.steps[step - 1]` and
    /// `correct.steps[step - 1]`.
    pub step: usize,
    /// `value`: the correct run took the step with the same message (timer,
    /// choice); `type`: with the same sender, receiver and constructor only.
    pub matched: &'static str,
    /// The correct protocol's actor did nothing on it.
    pub ignored: bool,
    /// Both runs did the same on it (the text's `=`).
    pub same: bool,
    pub buggy_effect: String,
    pub correct_effect: String,
    pub buggy_sent: Vec<SentJson>,
    pub correct_sent: Vec<SentJson>,
}

/// What `dsw compare --json` prints (docs/schema/compare.schema.json).
#[derive(Debug, Serialize)]
pub struct ComparisonJson<'a> {
    pub model: &'a str,
    pub variant: &'a str,
    pub property: &'a str,
    pub property_kind: checker::PropertyKind,
    pub buggy: &'a Counterexample,
    pub correct: &'a Counterexample,
    pub buggy_initial: &'a [String],
    pub correct_initial: &'a [String],
    /// One per step followed on the correct run.
    pub pairs: Vec<PairJson>,
    /// The first step after which the states differ (0: initially).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_difference: Option<usize>,
    /// Where the states differ after that step: the parts of the state
    /// (`TM's timers`, `the messages in flight`), and a line per value.
    pub differing_parts: &'a [String],
    pub differences: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<&'a checker::compare::Stopped>,
    pub judgement: &'a Judgement,
    /// The property on each run, in words.
    pub buggy_says: String,
    pub correct_says: String,
}

/// The comparison as [`ComparisonJson`].
pub fn json<'a>(c: &'a Comparison, model: &'a str, variant: &'a str) -> ComparisonJson<'a> {
    let buggy_effects = effects(&c.buggy, &c.buggy_initial, &c.buggy_sent);
    let correct_effects = effects(&c.correct, &c.correct_initial, &c.correct_sent);
    let sent = |s: Option<&Vec<Sent>>| -> Vec<SentJson> {
        s.into_iter()
            .flatten()
            .map(|(to, message)| SentJson {
                to: *to,
                message: message.clone(),
            })
            .collect()
    };
    let pairs = (0..c.correct.steps.len())
        .map(|i| PairJson {
            step: i + 1,
            matched: if c.followed[i].by_type {
                "type"
            } else {
                "value"
            },
            ignored: c.followed[i].ignored,
            same: same_at(c, i, &buggy_effects[i], &correct_effects[i]),
            buggy_effect: buggy_effects[i].clone(),
            correct_effect: correct_effects[i].clone(),
            buggy_sent: sent(c.buggy_sent.get(i)),
            correct_sent: sent(c.correct_sent.get(i)),
        })
        .collect();
    ComparisonJson {
        model,
        variant,
        property: &c.property,
        property_kind: c.property_kind,
        buggy: &c.buggy,
        correct: &c.correct,
        buggy_initial: &c.buggy_initial,
        correct_initial: &c.correct_initial,
        pairs,
        first_difference: c.divergence,
        differing_parts: &c.parts,
        differences: &c.differences,
        stopped: c.stopped.as_ref(),
        judgement: &c.judgement,
        buggy_says: buggy_words(c),
        correct_says: judgement_words(c),
    }
}
