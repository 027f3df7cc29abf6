//! How results read in a terminal.

use checker::{CheckSummary, Counterexample, CounterexampleKind, Verdict};
use models::Params;
use std::fmt::Write;

pub use checker::report::thousands;

/// `rms=3 coordinator_crashes=0`.
pub fn params_line(params: &Params) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A verdict as a person reads it.
pub fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "holds",
        Verdict::Violated => "VIOLATED",
        Verdict::ExampleFound => "example found",
        Verdict::NoExample => "NO EXAMPLE (vacuous?)",
        Verdict::Inconclusive => "inconclusive (cut off by the bound)",
    }
}

/// The summary of one check, with every counterexample of a violated or
/// inconclusive property.
pub fn summary(s: &CheckSummary, params: &Params, explore_hint: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})  {}", s.model, s.variant, params_line(params));
    let timing = s.timing.as_ref().map_or(String::new(), |t| {
        format!(
            ", {:.2} s, {} states/s",
            t.seconds,
            thousands(t.states_per_second as usize)
        )
    });
    let _ = writeln!(
        out,
        "  {}, {} thread{}: {} states, {} unique, max depth {}{}{}",
        s.strategy,
        s.threads,
        if s.threads == 1 { "" } else { "s" },
        thousands(s.states),
        thousands(s.unique_states),
        s.max_depth,
        timing,
        if s.complete {
            ""
        } else {
            " (INCOMPLETE: a limit stopped the search)"
        }
    );
    let width = s.properties.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in &s.properties {
        let _ = writeln!(
            out,
            "  {:width$}  {:10}  {}",
            p.name,
            p.kind.as_str(),
            verdict_words(p.verdict)
        );
    }
    for p in &s.properties {
        if let (Some(ce), Verdict::Violated | Verdict::Inconclusive) =
            (&p.counterexample, p.verdict)
        {
            out.push('\n');
            out.push_str(&counterexample(&p.name, ce, explore_hint));
        }
    }
    out
}

/// A counterexample as numbered steps, then the link that opens it in the
/// explorer and the command that serves the explorer.
pub fn counterexample(property: &str, ce: &Counterexample, explore_hint: &str) -> String {
    let mut out = String::new();
    let how = match ce.kind {
        CounterexampleKind::Violation => "violated",
        CounterexampleKind::Example => "example",
        CounterexampleKind::Deadlock => "violated: the run stops (no step is enabled)",
        CounterexampleKind::Bounded => "inconclusive: the run was cut off by the checking bound",
        CounterexampleKind::Lasso => "violated: a fair run that loops forever",
    };
    let _ = writeln!(
        out,
        "counterexample for \"{property}\" ({how}), {} steps:",
        ce.steps.len()
    );
    out.push_str(&checker::report::numbered_steps(ce));
    let _ = writeln!(
        out,
        "  explorer: {}\n            (served by: {explore_hint})",
        checker::explorer::link(checker::explorer::DEFAULT_ADDR, property, ce)
    );
    out
}
