//! How results read in a terminal.

use checker::{CheckSummary, Counterexample, CounterexampleKind, PropertyResult, Verdict};
use models::Params;
use std::fmt::Write;

pub use presentation::report::thousands;

/// Set once stdout refused a write (its reader went away).
static STDOUT_CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to stdout unless it has been closed; a failed write closes it
/// for the rest of the run instead of panicking as `println!` does.
pub fn emit(args: std::fmt::Arguments<'_>, newline: bool) {
    use std::io::Write as _;
    use std::sync::atomic::Ordering;
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_fmt(args).and_then(|()| {
        if newline {
            stdout.write_all(b"\n")?;
        }
        stdout.flush()
    });
    if written.is_err() {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// `rms=3 coordinator_crashes=0`.
pub fn params_line(params: &Params) -> String {
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A verdict as a person reads it.
pub fn verdict_words(p: &PropertyResult) -> String {
    match p.verdict {
        Verdict::Holds => "holds".into(),
        Verdict::Violated => "VIOLATED".into(),
        Verdict::ExampleFound => "example found".into(),
        Verdict::NoExample => "NO EXAMPLE (vacuous?)".into(),
        Verdict::Inconclusive => match &p.reason {
            Some(reason) => format!("inconclusive: {reason}"),
            None => "inconclusive".into(),
        },
    }
}

/// The summary of one check, with every counterexample of a violated or
/// inconclusive property.
/// `explorer` is the address the explorer will serve on, for the links.
pub fn summary(s: &CheckSummary, params: &Params, explorer: &str, explore_hint: &str) -> String {
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
            String::new()
        } else {
            format!(" (INCOMPLETE: {})", s.cut_off_by.join("; "))
        }
    );
    if let Some(u) = &s.symmetry {
        let what = if u.applied {
            format!("{} are interchangeable: counts are orbits", u.what)
        } else {
            format!("{} are interchangeable, not used", u.what)
        };
        let note = u.note.as_ref().map_or(String::new(), |n| format!(" ({n})"));
        let _ = writeln!(out, "  symmetry: {what}{note}");
    }
    let width = s.properties.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in &s.properties {
        let _ = writeln!(
            out,
            "  {:width$}  {:10}  {}",
            p.name,
            p.kind.as_str(),
            verdict_words(p)
        );
    }
    if let Some(v) = &s.valence {
        out.push_str(&valence(v));
    }
    for p in &s.properties {
        if let (Some(ce), Verdict::Violated | Verdict::Inconclusive) =
            (&p.counterexample, p.verdict)
        {
            out.push('\n');
            out.push_str(&counterexample(&p.name, ce, explorer, explore_hint));
        }
    }
    if let Some(ce) = s.valence.as_ref().and_then(|v| v.bivalent_forever.as_ref()) {
        out.push('\n');
        out.push_str(&counterexample(
            "stays bivalent",
            ce,
            explorer,
            explore_hint,
        ));
    }
    out
}

/// Valence analysis in three lines: the initial states, how many states are
/// bivalent, and whether a fair run stays so forever.
fn valence(v: &checker::ValenceSummary) -> String {
    let initial = v.initial_words(", ", "none reachable");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  valence (FLP): decisions {}; {} of {} initial states bivalent ({}); {} bivalent states{}",
        v.values.join(", "),
        v.bivalent_initial,
        v.initial.len(),
        initial.join("; "),
        thousands(v.bivalent_states),
        if v.complete {
            ""
        } else {
            " (inconclusive: the search was cut off, so these are only what the explored part reaches)"
        }
    );
    let _ = writeln!(
        out,
        "  {}",
        match &v.bivalent_forever {
            Some(ce) if ce.kind == CounterexampleKind::Lasso => format!(
                "a fair run stays bivalent forever: a lasso of {} steps (below)",
                ce.steps.len()
            ),
            Some(ce) => format!(
                "a fair run stays bivalent forever: it stops, bivalent, after {} steps (below)",
                ce.steps.len()
            ),
            None if v.complete => "no fair run stays bivalent forever".to_string(),
            None =>
                "no fair run found that stays bivalent forever in the part explored (inconclusive)"
                    .to_string(),
        }
    );
    out
}

/// A counterexample as numbered steps, then the link that opens it in the
/// explorer (served at `explorer`) and the command that serves it there.
pub fn counterexample(
    property: &str,
    ce: &Counterexample,
    explorer: &str,
    explore_hint: &str,
) -> String {
    let mut out = String::new();
    let how = match ce.kind {
        CounterexampleKind::Violation => "violated",
        CounterexampleKind::Example => "example",
        CounterexampleKind::Deadlock => "violated: the run stops (no step is enabled)",
        CounterexampleKind::Stutter => {
            "violated: the run stops (only steps that need never happen are enabled)"
        }
        CounterexampleKind::Bounded => "inconclusive: the run was cut off by the checking bound",
        CounterexampleKind::Lasso => "violated: a fair run that loops forever",
        CounterexampleKind::Refinement => {
            "violated: the last step is neither a step of the spec nor a stutter"
        }
    };
    let _ = writeln!(
        out,
        "counterexample for \"{property}\" ({how}), {} steps:",
        ce.steps.len()
    );
    out.push_str(&presentation::report::numbered_steps(ce));
    let _ = writeln!(
        out,
        "  explorer: {}\n            (served by: {explore_hint})",
        presentation::explorer::link(explorer, property, ce)
    );
    out
}
