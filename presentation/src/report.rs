//! The Markdown reports that `dsw report` writes to `reports/`: an index with
//! one row per model and check, and one page per model with its properties,
//! verdicts, and every violated or inconclusive property's counterexample as
//! numbered steps plus an SVG sequence diagram ([`crate::svg`]).
//!
//! Built from plain data (the registry's words and the [`CheckSummary`]s);
//! nothing here reads [`CheckSummary::timing`]. The reports are committed and
//! a test regenerates them to catch a stale copy, so they must be a function
//! of the verdicts alone.

use crate::plot::{line_plot, PlotData};
use crate::svg::sequence_diagram;
use checker::summary::{
    Change, CheckSummary, Counterexample, CounterexampleKind, PropertyKind, Step, StepKind, Verdict,
};
use std::collections::BTreeSet;
use std::fmt::Write;

/// One model's page: what the registry says about it and what was checked.
#[derive(Clone, Debug)]
pub struct ModelReport<'a> {
    /// The CLI id (`two-phase-commit`); also names the page and its folder of
    /// diagrams.
    pub name: &'a str,
    /// The course section it belongs to.
    pub section: &'a str,
    pub summary: &'a str,
    pub citations: &'a [&'a str],
    /// Markdown written for the page (not escaped): how to read the checks.
    /// Empty for none.
    pub notes: &'a str,
    /// In declaration order: the verdict table's columns.
    pub properties: Vec<PropertyDoc<'a>>,
    /// Variants and scenarios, in the order the page lists them.
    pub checks: Vec<CheckedJob<'a>>,
    /// Plots of committed measurements (`reports-data/<file>.json`), as
    /// (file stem, data): drawn from the data alone, never from timings
    /// taken while the report is written.
    pub plots: Vec<(&'a str, &'a PlotData)>,
}

/// One property as the model declares it.
#[derive(Clone, Copy, Debug)]
pub struct PropertyDoc<'a> {
    pub name: &'a str,
    pub kind: PropertyKind,
    /// Paper and section.
    pub source: &'a str,
}

/// One check of the model: a variant, or a scenario, at its configuration.
#[derive(Clone, Debug)]
pub struct CheckedJob<'a> {
    /// `correct`, `commit-on-majority`, `coordinator-crash (correct)`.
    pub label: String,
    /// What the variant or scenario is.
    pub doc: &'a str,
    /// `rms=3 coordinator_crashes=0`.
    pub params: String,
    pub summary: &'a CheckSummary,
    /// Every verdict is the one the registry expects.
    pub matches_registry: bool,
    /// For a bug variant: its counterexample followed on the correct
    /// protocol (`dsw compare`), drawn side by side and linked from the
    /// counterexample's section.
    pub comparison: Option<checker::compare::Comparison>,
}

/// Where the plot of `reports-data/<stem>.json` goes, relative to the
/// reports directory: `swim/plot--swim-detection.svg`.
pub fn plot_file_name(model: &str, stem: &str) -> String {
    format!("{}/plot--{}.svg", slug(model), slug(stem))
}

/// Where a model's page goes, relative to the reports directory.
pub fn page_file_name(model: &str) -> String {
    format!("{}.md", slug(model))
}

/// Where the diagram of one counterexample goes, relative to the reports
/// directory: `two-phase-commit/commit-on-majority--agreement.svg`. Slugs
/// never hold `--`, so the two parts cannot run into each other.
pub fn svg_file_name(model: &str, job: &str, property: &str) -> String {
    format!("{}/{}--{}.svg", slug(model), slug(job), slug(property))
}

/// Where the side-by-side diagram of a bug variant's counterexample and the
/// correct protocol on its schedule goes, relative to the reports
/// directory: `paxos/compare-ignore-highest-accepted--agreement.svg`.
pub fn compare_file_name(model: &str, job: &str, property: &str) -> String {
    format!(
        "{}/compare-{}--{}.svg",
        slug(model),
        slug(job),
        slug(property)
    )
}

/// A model's page, and the diagrams it links: `(file name relative to the
/// reports directory, SVG)`, in the order the page shows them. The page
/// itself goes to [`page_file_name`], next to the diagrams' folder.
pub fn model_page(r: &ModelReport) -> (String, Vec<(String, String)>) {
    let mut md = String::new();
    let mut svgs: Vec<(String, String)> = Vec::new();
    let _ = writeln!(md, "# {}\n", md_text(r.name));
    let _ = writeln!(md, "{}\n", md_text(r.summary));
    let _ = writeln!(md, "Course section: {}.\n", md_text(r.section));
    if !r.citations.is_empty() {
        md.push_str("Sources:\n\n");
        for c in r.citations {
            let _ = writeln!(md, "- {}", md_text(c));
        }
        md.push('\n');
    }
    let mut used = BTreeSet::new();
    if !r.notes.trim().is_empty() {
        let notes = notes_with_diagrams(r, &mut used, &mut svgs);
        let _ = writeln!(md, "## Reading the checks\n\n{}\n", notes.trim());
    }

    md.push_str("## Properties\n\n| property | kind | source |\n|---|---|---|\n");
    for p in &r.properties {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            md_text(p.name),
            p.kind.as_str(),
            md_text(p.source)
        );
    }

    if !r.plots.is_empty() {
        md.push_str("\n## Measurements\n\n");
        md.push_str(
            "Real runs, not checks: plotted from data committed under `reports-data/`, \
             which the command beside each plot regenerates.\n",
        );
        for (stem, data) in &r.plots {
            let file = plot_file_name(r.name, stem);
            let _ = writeln!(md, "\n### {}\n", md_text(&data.title));
            let _ = writeln!(md, "![plot: {}]({file})\n", md_text(&data.title));
            if !data.notes.trim().is_empty() {
                let _ = writeln!(md, "{}\n", data.notes.trim());
            }
            let _ = write!(md, "Data: `reports-data/{stem}.json`");
            if data.command.is_empty() {
                md.push_str(".\n");
            } else {
                let _ = writeln!(md, ", written by {}.", code(&data.command));
            }
            svgs.push((file, line_plot(data)));
        }
    }

    let columns = property_columns(r);
    md.push_str("\n## Verdicts\n\n| check | parameters | unique states | max depth |");
    for c in &columns {
        let _ = write!(md, " {} |", md_text(c));
    }
    md.push_str(" matches registry |\n|---|---|--:|--:|");
    md.push_str(&"---|".repeat(columns.len()));
    md.push_str("---|\n");
    for job in &r.checks {
        let s = job.summary;
        let _ = write!(
            md,
            "| {} | {} | {} | {} |",
            md_text(&job.label),
            code(&job.params),
            states_cell(s),
            s.max_depth
        );
        for c in &columns {
            let cell = s
                .property(c)
                .map_or("not checked".to_owned(), |p| verdict_cell(p.verdict));
            let _ = write!(md, " {cell} |");
        }
        let _ = writeln!(md, " {} |", matches_cell(job.matches_registry));
    }
    if r.checks.iter().any(|j| !j.summary.complete) {
        md.push_str(
            "\n(incomplete): a limit or the model's bound cut the search short, so what \
             it did not find is `inconclusive` there, never `holds`.\n",
        );
    }

    for job in &r.checks {
        let s = job.summary;
        let _ = writeln!(md, "\n## {}\n", md_text(&job.label));
        if !job.doc.is_empty() {
            let _ = writeln!(md, "{}\n", md_text(job.doc));
        }
        let _ = writeln!(
            md,
            "Checked with {}, {}, {} thread{}, {} fairness: {} unique states, max depth {}{}.",
            if job.params.is_empty() {
                "the default parameters".to_owned()
            } else {
                code(&job.params)
            },
            s.strategy,
            s.threads,
            if s.threads == 1 { "" } else { "s" },
            s.fairness.name(),
            thousands(s.unique_states),
            s.max_depth,
            if s.complete {
                String::new()
            } else {
                format!(" (incomplete: {})", md_text(&s.cut_off_by.join("; ")))
            },
        );
        for p in &s.properties {
            if let (Verdict::Inconclusive, Some(reason), None) =
                (p.verdict, &p.reason, &p.counterexample)
            {
                let _ = writeln!(
                    md,
                    "\n{} is inconclusive: {}.",
                    md_text(&p.name),
                    md_text(reason)
                );
            }
        }
        let examples: Vec<String> = s
            .properties
            .iter()
            .filter(|p| p.verdict == Verdict::ExampleFound)
            .map(|p| {
                let steps = p
                    .counterexample
                    .as_ref()
                    .map_or(String::new(), |ce| format!(" ({} steps)", ce.steps.len()));
                format!("{}{steps}", md_text(&p.name))
            })
            .collect();
        if !examples.is_empty() {
            let _ = writeln!(md, "\nExamples found, not drawn: {}.", examples.join(", "));
        }
        if let Some(v) = &s.valence {
            let initial = v.initial_words(" or ", "none");
            let _ = writeln!(
                md,
                "\nValence (FLP 1985 §3), decisions {}: {} of {} initial state{} bivalent \
                 (reachable: {}); {} bivalent state{}{}; {}.",
                md_text(&v.values.join(", ")),
                v.bivalent_initial,
                v.initial.len(),
                if v.initial.len() == 1 { "" } else { "s" },
                md_text(&initial.join("; ")),
                thousands(v.bivalent_states),
                if v.bivalent_states == 1 { "" } else { "s" },
                if v.complete {
                    ""
                } else {
                    " among those explored"
                },
                match &v.bivalent_forever {
                    Some(ce) if ce.kind == CounterexampleKind::Lasso => format!(
                        "a fair run stays bivalent forever (a lasso of {} steps, path {})",
                        ce.steps.len(),
                        code(&ce.path)
                    ),
                    Some(ce) => format!(
                        "a fair run stays bivalent forever (it stops, bivalent, after {} steps, path {})",
                        ce.steps.len(),
                        code(&ce.path)
                    ),
                    None if v.complete => "no fair run stays bivalent forever".to_owned(),
                    None => "no fair run that stays bivalent forever was found in the part explored (inconclusive)".to_owned(),
                }
            );
        }
        for p in &s.properties {
            let Some(ce) = &p.counterexample else {
                continue;
            };
            if !matches!(p.verdict, Verdict::Violated | Verdict::Inconclusive) {
                continue;
            }
            let how = ending_words(ce.kind);
            let _ = writeln!(md, "\n### {}: {how}\n", md_text(&p.name));
            let _ = writeln!(
                md,
                "{} step{}, explorer path {}:\n",
                ce.steps.len(),
                if ce.steps.len() == 1 { "" } else { "s" },
                code(&ce.path)
            );
            md.push_str(&fenced(&numbered_steps(ce)));
            let mut file = svg_file_name(r.name, &job.label, &p.name);
            let stem = file.trim_end_matches(".svg").to_owned();
            let mut n = 1;
            while !used.insert(file.clone()) {
                n += 1;
                file = format!("{stem}-{n}.svg");
            }
            let title = format!("{} ({}): {} {}", r.name, job.label, p.name, p.verdict);
            let _ = writeln!(
                md,
                "\n![sequence diagram: {}]({file})",
                md_text(&format!("{}, {how}", p.name))
            );
            svgs.push((file, sequence_diagram(ce, &title)));
            if let Some(c) = job.comparison.as_ref().filter(|c| c.property == p.name) {
                let variant = job.summary.variant.as_str();
                let file = compare_file_name(r.name, &job.label, &p.name);
                if used.insert(file.clone()) {
                    let _ = writeln!(
                        md,
                        "\n[Side by side with the correct protocol on this schedule]({file}): {}.",
                        md_text(&crate::compare::first_difference_words(c, variant))
                    );
                    svgs.push((file, crate::compare::svg(c, r.name, variant)));
                }
            }
        }
    }
    (md, svgs)
}

/// What a model's notes write to draw one of its checks' paths in place:
/// `{{diagram: <check label> | <property>}}`, e.g. `{{diagram: correct |
/// all committed}}`. Any path the check found is drawn, a `sometimes`
/// example included (the page draws only violations otherwise), so notes
/// can set a run beside another: its file is the one [`svg_file_name`]
/// names, and another model's diagram is linked by that name too.
pub const DIAGRAM_DIRECTIVE: &str = "{{diagram:";

/// The notes, each [`DIAGRAM_DIRECTIVE`] replaced by its image link (and the
/// diagram added to `svgs`), or by a visible line saying what is missing.
fn notes_with_diagrams(
    r: &ModelReport,
    used: &mut BTreeSet<String>,
    svgs: &mut Vec<(String, String)>,
) -> String {
    let mut out = String::new();
    let mut rest = r.notes;
    while let Some(start) = rest.find(DIAGRAM_DIRECTIVE) {
        out.push_str(&rest[..start]);
        let after = &rest[start + DIAGRAM_DIRECTIVE.len()..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let (label, property) = after[..end].split_once('|').unwrap_or((&after[..end], ""));
        let (label, property) = (label.trim(), property.trim());
        let found = r
            .checks
            .iter()
            .find(|j| j.label == label)
            .and_then(|j| j.summary.property(property).map(|p| (j, p)))
            .and_then(|(j, p)| p.counterexample.as_ref().map(|ce| (j, p, ce)));
        match found {
            Some((job, p, ce)) => {
                let file = svg_file_name(r.name, &job.label, &p.name);
                used.insert(file.clone());
                let title = format!("{} ({}): {} {}", r.name, job.label, p.name, p.verdict);
                let _ = write!(
                    out,
                    "![sequence diagram: {} ({}), {} steps]({file})",
                    md_text(&p.name),
                    md_text(&job.label),
                    ce.steps.len()
                );
                svgs.push((file, sequence_diagram(ce, &title)));
            }
            None => {
                let _ = write!(
                    out,
                    "*(no path to draw: check {} has no path for {})*",
                    code(label),
                    code(property)
                );
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// The index: one row per model and check.
pub fn index_page(models: &[ModelReport]) -> String {
    let mut md = String::from(
        "# Reports\n\n\
         Generated by `dsw report`: every model, variant and scenario of the \
         catalog, as `dsw check --all` checks them. Do not edit; regenerate. \
         Verdicts other than the usual ones (`holds`, `example-found`) are named.\n\n\
         | model | check | unique states | max depth | verdicts | matches registry |\n\
         |---|---|--:|--:|---|---|\n",
    );
    for m in models {
        let link = format!("[{}]({})", md_text(m.name), page_file_name(m.name));
        if m.checks.is_empty() {
            let _ = writeln!(md, "| {link} | not checked | | | | |");
        }
        for job in &m.checks {
            let s = job.summary;
            let notable: Vec<String> = s
                .properties
                .iter()
                .filter(|p| !matches!(p.verdict, Verdict::Holds | Verdict::ExampleFound))
                .map(|p| format!("{}: {}", md_text(&p.name), verdict_cell(p.verdict)))
                .collect();
            let verdicts = if notable.is_empty() {
                "all hold".to_owned()
            } else {
                notable.join(", ")
            };
            let _ = writeln!(
                md,
                "| {link} | {} | {} | {} | {verdicts} | {} |",
                md_text(&job.label),
                states_cell(s),
                s.max_depth,
                matches_cell(job.matches_registry)
            );
        }
    }
    md
}

/// One step as the terminal prints it: `RM1 -> TM  Prepared { rm: 1 }`,
/// `TM  timer Commit`.
pub fn step_line(ce: &Counterexample, step: &Step) -> String {
    let lane = |i: usize| ce.actors.get(i).map_or("?", String::as_str);
    let from = lane(step.from.unwrap_or(step.actor));
    let to = lane(step.actor);
    match step.kind {
        StepKind::Deliver => format!("{from} -> {to}  {}", step.label),
        StepKind::Drop => format!("{from} -x {to}  lost {}", step.label),
        StepKind::Timeout => format!("{to}  timer {}", step.label),
        StepKind::Crash => format!("{to}  crashes"),
        StepKind::Recover => format!("{to}  recovers"),
        StepKind::Random => format!("{to}  chooses {}", step.label),
        StepKind::Action => step.label.clone(),
    }
}

/// The steps numbered from 1, each followed by the states it changed,
/// indented: the lines a terminal prints under "counterexample for ...".
pub fn numbered_steps(ce: &Counterexample) -> String {
    let mut out = String::new();
    for (n, step) in ce.steps.iter().enumerate() {
        if ce.loop_start == Some(n) {
            let _ = writeln!(out, "       -- loop: the steps below repeat forever --");
        }
        let _ = writeln!(out, "  {:>3}. {}", n + 1, step_line(ce, step));
        for Change { actor, state } in &step.changes {
            let lane = ce.actors.get(*actor).map_or("?", String::as_str);
            let _ = writeln!(out, "         {lane} = {state}");
        }
    }
    if let Some(end) = stop_words(ce.kind) {
        let _ = writeln!(out, "       -- {end} --");
    }
    out
}

/// How a run that stops ends, as the line under its last step.
pub fn stop_words(kind: CounterexampleKind) -> Option<&'static str> {
    match kind {
        CounterexampleKind::Deadlock => Some("and then nothing more happens: no step is enabled"),
        CounterexampleKind::Stutter => Some(
            "and then nothing more happens: only steps that need never happen (a crash, a loss, ...) are enabled",
        ),
        _ => None,
    }
}

/// How a counterexample ends, in words.
fn ending_words(kind: CounterexampleKind) -> &'static str {
    match kind {
        CounterexampleKind::Violation => "violated",
        CounterexampleKind::Example => "example",
        CounterexampleKind::Deadlock => "violated (the run stops: no step is enabled)",
        CounterexampleKind::Stutter => {
            "violated (the run stops: nothing that fairness demands is enabled)"
        }
        CounterexampleKind::Bounded => "inconclusive (the run was cut off by the checking bound)",
        CounterexampleKind::Lasso => "violated (an infinite fair run: the loop repeats forever)",
        CounterexampleKind::Refinement => {
            "violated (the last step is neither a step of the spec nor a stutter)"
        }
    }
}

/// The verdict table's columns: the declared properties, then any a summary
/// reports that the declaration lacks (so nothing checked goes unshown).
fn property_columns<'a>(r: &'a ModelReport) -> Vec<&'a str> {
    let mut columns: Vec<&str> = r.properties.iter().map(|p| p.name).collect();
    for job in &r.checks {
        for p in &job.summary.properties {
            if !columns.contains(&p.name.as_str()) {
                columns.push(&p.name);
            }
        }
    }
    columns
}

fn verdict_cell(v: Verdict) -> String {
    match v {
        Verdict::Violated => "**violated**".to_owned(),
        Verdict::NoExample => "**no-example**".to_owned(),
        v => v.as_str().to_owned(),
    }
}

fn matches_cell(matches: bool) -> &'static str {
    if matches {
        "yes"
    } else {
        "**NO**"
    }
}

fn states_cell(s: &CheckSummary) -> String {
    if s.complete {
        thousands(s.unique_states)
    } else {
        format!("{} (incomplete)", thousands(s.unique_states))
    }
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let groups: Vec<_> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(String::from_utf8_lossy)
        .collect();
    groups.join(",")
}

/// A file-name-safe id: lowercase ASCII letters and digits, other runs of
/// characters as one `-`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

/// Plain text in Markdown (also inside a table cell): the characters that
/// would start markup are escaped, and line breaks become spaces.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` as inline code, safe inside a table cell.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    let fence = "`".repeat(longest_run(&s, '`') + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// `s` as a fenced `text` block, its fence longer than any run of backticks
/// in it.
fn fenced(s: &str) -> String {
    let fence = "`".repeat(longest_run(s, '`').max(2) + 1);
    format!("{fence}text\n{s}{fence}\n")
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::svg::tests::{assert_well_formed, sample};
    use checker::summary::{PropertyResult, Timing};

    fn result(
        name: &str,
        kind: PropertyKind,
        verdict: Verdict,
        ce: Option<Counterexample>,
    ) -> PropertyResult {
        PropertyResult {
            name: name.into(),
            kind,
            verdict,
            counterexample_kind: None,
            loop_start: None,
            reason: None,
            counterexample: ce,
        }
    }

    fn summary(variant: &str, violated: bool) -> CheckSummary {
        let mut bounded = sample();
        bounded.kind = CounterexampleKind::Bounded;
        let mut example = sample();
        example.kind = CounterexampleKind::Example;
        let agreement = if violated {
            result(
                "agreement",
                PropertyKind::Always,
                Verdict::Violated,
                Some(sample()),
            )
        } else {
            result("agreement", PropertyKind::Always, Verdict::Holds, None)
        };
        CheckSummary {
            model: "two-phase-commit".into(),
            variant: variant.into(),
            config: serde_json::json!({ "rms": 3 }),
            strategy: "bfs".into(),
            threads: 1,
            fairness: checker::liveness::Fairness::Weak,
            states: 2345,
            unique_states: 1234,
            max_depth: 10,
            complete: true,
            cut_off_by: Vec::new(),
            properties: vec![
                agreement,
                result(
                    "termination",
                    PropertyKind::Eventually,
                    Verdict::Inconclusive,
                    Some(bounded),
                ),
                result(
                    "all committed",
                    PropertyKind::Sometimes,
                    Verdict::ExampleFound,
                    Some(example),
                ),
            ],
            valence: None,
            symmetry: None,
            itf_states: Vec::new(),
            timing: Some(Timing {
                seconds: 1.25,
                states_per_second: 1876.0,
            }),
        }
    }

    const CITATIONS: &[&str] = &["Gray & Lamport, Consensus on Transaction Commit (2006), §3"];

    fn report<'a>(summaries: &'a [CheckSummary]) -> ModelReport<'a> {
        ModelReport {
            name: "two-phase-commit",
            section: "Distributed consensus and time",
            summary: "Resource managers vote; the TM commits only if all are prepared",
            citations: CITATIONS,
            notes: "",
            properties: vec![
                PropertyDoc {
                    name: "agreement",
                    kind: PropertyKind::Always,
                    source: "AC1",
                },
                PropertyDoc {
                    name: "termination",
                    kind: PropertyKind::Eventually,
                    source: "AC5",
                },
                PropertyDoc {
                    name: "all committed",
                    kind: PropertyKind::Sometimes,
                    source: "reachability",
                },
            ],
            checks: summaries
                .iter()
                .map(|s| CheckedJob {
                    label: if s.variant == "correct" {
                        "coordinator-crash (correct)".into()
                    } else {
                        s.variant.clone()
                    },
                    doc: "the TM commits on a majority of votes",
                    params: "rms=3 coordinator_crashes=0".into(),
                    summary: s,
                    matches_registry: s.variant != "correct",
                    comparison: None,
                })
                .collect(),
            plots: Vec::new(),
        }
    }

    fn svg_links(md: &str) -> Vec<String> {
        md.match_indices("](")
            .map(|(i, _)| {
                let rest = &md[i + 2..];
                rest[..rest.find(')').expect("closed link")].to_owned()
            })
            .filter(|l| l.ends_with(".svg"))
            .collect()
    }

    #[test]
    fn notes_draw_the_paths_they_name_and_say_when_one_is_missing() {
        let summaries = [summary("correct", false)];
        let mut r = report(&summaries);
        r.notes = "Before. {{diagram: coordinator-crash (correct) | all committed}} \
                   Between. {{diagram: correct | no such property}} After.";
        let (md, svgs) = model_page(&r);
        let file = "two-phase-commit/coordinator-crash-correct--all-committed.svg";
        // The `sometimes` example the notes name is drawn, in the notes.
        assert!(md.contains(&format!(
            "Before. ![sequence diagram: all committed (coordinator-crash (correct)), 5 steps]({file}) Between."
        )), "{md}");
        assert_eq!(svgs[0].0, file);
        assert_well_formed(&svgs[0].1);
        // A name that matches nothing is said, not dropped.
        assert!(md.contains(
            "Between. *(no path to draw: check `correct` has no path for `no such property`)* After."
        ));
        assert!(!md.contains("{{"));
        assert_eq!(
            svg_links(&md),
            svgs.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn page_links_exactly_the_diagrams_it_returns() {
        let summaries = [
            summary("commit-on-majority", true),
            summary("correct", false),
        ];
        let (md, svgs) = model_page(&report(&summaries));
        let names: Vec<String> = svgs.iter().map(|(f, _)| f.clone()).collect();
        assert_eq!(svg_links(&md), names);
        // Violated and inconclusive are drawn; the `sometimes` example is not.
        assert_eq!(
            names,
            [
                "two-phase-commit/commit-on-majority--agreement.svg",
                "two-phase-commit/commit-on-majority--termination.svg",
                "two-phase-commit/coordinator-crash-correct--termination.svg",
            ]
        );
        for (name, svg) in &svgs {
            assert!(name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-/.".contains(c)));
            assert_well_formed(svg);
        }
        assert!(md.contains("Examples found, not drawn: all committed (5 steps)."));
    }

    #[test]
    fn page_links_its_plots_and_returns_them() {
        let summaries = [summary("correct", false)];
        let data = PlotData::from_json(
            r#"{"model": "two-phase-commit", "title": "Commit latency", "x_label": "RMs",
                "y_label": "ms", "command": "dsw run two-phase-commit", "notes": "How to read it.",
                "series": [{"name": "measured", "points": [[2, 1.5], [3, 2.5]]},
                           {"name": "predicted", "points": [[2, 1], [3, 2]], "predicted": true}]}"#,
        )
        .unwrap();
        let mut page = report(&summaries);
        page.plots = vec![("2pc-latency", &data)];
        let (md, svgs) = model_page(&page);
        let plot = "two-phase-commit/plot--2pc-latency.svg";
        assert!(svg_links(&md).contains(&plot.to_owned()));
        assert!(md.contains("## Measurements\n"));
        assert!(md.contains("### Commit latency\n\n![plot: Commit latency](two-phase-commit/plot--2pc-latency.svg)\n\nHow to read it.\n"));
        assert!(md.contains(
            "Data: `reports-data/2pc-latency.json`, written by `dsw run two-phase-commit`."
        ));
        // The page comes before the verdicts, and the SVG is the plot of
        // the data, returned with the diagrams.
        assert!(md.find("## Measurements") < md.find("## Verdicts"));
        let svg = &svgs
            .iter()
            .find(|(f, _)| f == plot)
            .expect("plot returned")
            .1;
        assert_eq!(*svg, line_plot(&data));
        assert_well_formed(svg);
        assert_eq!(model_page(&page), (md.clone(), svgs.clone()));
    }

    #[test]
    fn page_has_tables_steps_and_no_timings() {
        let summaries = [
            summary("commit-on-majority", true),
            summary("correct", false),
        ];
        let (md, _) = model_page(&report(&summaries));
        assert!(md.starts_with("# two-phase-commit\n"));
        assert!(md.contains("- Gray & Lamport, Consensus on Transaction Commit (2006), §3\n"));
        assert!(md.contains("| agreement | always | AC1 |"));
        assert!(md.contains(
            "| commit-on-majority | `rms=3 coordinator_crashes=0` | 1,234 | 10 | **violated** | inconclusive | example-found | yes |"
        ));
        assert!(md.contains("| **NO** |"));
        assert!(md.contains("### agreement: violated\n"));
        assert!(md.contains(
            "    1. RM1 -> TM  Prepared { rm: 1 }\n         TM = after Prepared { rm: 1 }\n"
        ));
        assert!(md.contains("    2. TM -x RM2  lost Commit\n"));
        assert!(md.contains("    3. RM2  timer Prepare\n"));
        assert!(md.contains("    4. TM  crashes\n"));

        // Timings never reach a report.
        let mut untimed = summaries.clone();
        for s in &mut untimed {
            s.timing = None;
        }
        assert_eq!(
            model_page(&report(&summaries)),
            model_page(&report(&untimed))
        );
        assert!(!md.contains("1.25") && !md.contains("1876"));
        assert_eq!(
            index_page(&[report(&summaries)]),
            index_page(&[report(&untimed)])
        );
    }

    #[test]
    fn index_rows_link_model_pages() {
        let summaries = [
            summary("commit-on-majority", true),
            summary("correct", false),
        ];
        let index = index_page(&[report(&summaries)]);
        assert!(index.contains(
            "| [two-phase-commit](two-phase-commit.md) | commit-on-majority | 1,234 | 10 | agreement: **violated**, termination: inconclusive | yes |"
        ));
        assert!(index.contains("| coordinator-crash (correct) |"));
        assert_eq!(index, index_page(&[report(&summaries)]));
    }

    #[test]
    fn markdown_is_escaped_and_names_are_safe() {
        assert_eq!(md_text("a|b *c* <d>"), "a\\|b \\*c\\* \\<d\\>");
        assert_eq!(code("x`y"), "``x`y``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(fenced("a ``` b\n"), "````text\na ``` b\n````\n");
        assert_eq!(
            slug("Coordinator-Crash (correct)"),
            "coordinator-crash-correct"
        );
        assert_eq!(slug("--"), "x");
        assert_eq!(
            svg_file_name("two-phase-commit", "commit-on-majority", "commit validity"),
            "two-phase-commit/commit-on-majority--commit-validity.svg"
        );
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn clashing_file_names_are_numbered() {
        let summaries = [summary("x y", true), summary("x-y", true)];
        let (md, svgs) = model_page(&report(&summaries));
        let names: Vec<&str> = svgs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "two-phase-commit/x-y--agreement.svg",
                "two-phase-commit/x-y--termination.svg",
                "two-phase-commit/x-y--agreement-2.svg",
                "two-phase-commit/x-y--termination-2.svg",
            ]
        );
        assert_eq!(svg_links(&md), names);
    }
}
