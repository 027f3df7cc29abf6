//! The explorer's pages, as HTML strings built from plain data. Everything
//! that comes from the model or the request is escaped here ([`h`]); the
//! stylesheet and script are compiled in ([`asset`]).

use super::route::percent_encode;
use super::Site;
use crate::diff::{diff, FieldChange};
use crate::report::{step_line, thousands};
use checker::explore::Progress;
use checker::summary::{CheckSummary, Counterexample, PropertyKind, Verdict};
use std::fmt::Write;

const CSS: &str = include_str!("assets/explorer.css");
const JS: &str = include_str!("assets/explorer.js");

/// The body and content type of a compiled-in asset.
pub fn asset(name: &str) -> (&'static str, &'static str) {
    match name {
        "/explorer.js" => (JS, "text/javascript; charset=utf-8"),
        _ => (CSS, "text/css; charset=utf-8"),
    }
}

/// The check started from the index page.
pub enum CheckStatus<'a> {
    Idle,
    Running(Option<Progress>),
    Done(&'a CheckSummary),
    Failed(&'a str),
}

/// One property's value at every position of a path.
pub struct PropertyLine {
    pub name: String,
    pub kind: PropertyKind,
    /// Whether its condition is true, at positions 0 (the initial state) to n.
    pub values: Vec<bool>,
}

/// What the path page shows.
pub struct PathView {
    pub headline: String,
    /// The property the link names, and its kind.
    pub selected: Option<(String, PropertyKind)>,
    /// The path breaks nothing the link names: a plain path.
    pub plain: bool,
    /// Where the path differs from what the link claims.
    pub notes: Vec<String>,
    /// What the trace this path was opened from says about it (`&trace=N`).
    pub trace_notes: Vec<String>,
    /// The trace's recorded event the model could not take, and why: the
    /// path stops before it.
    pub divergence: Option<String>,
    pub ce: Counterexample,
    /// Every lane's state at positions 0 (initial) to n (after the last step).
    pub positions: Vec<Vec<String>>,
    pub properties: Vec<PropertyLine>,
    /// Steps enabled after the last state: (action index, as a step line).
    pub next: Vec<(usize, String)>,
    pub svg: String,
}

/// `s` as HTML text or attribute value: the SVG renderer's escaping, which
/// also replaces the control characters a page cannot show.
pub fn h(s: &str) -> String {
    crate::svg::esc(s)
}

fn head(title: &str, refresh: bool) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         {}<title>{}</title><link rel=\"stylesheet\" href=\"/explorer.css\">\
         <script src=\"/explorer.js\" defer></script></head>\n<body>\n",
        if refresh {
            "<meta http-equiv=\"refresh\" content=\"1\">"
        } else {
            ""
        },
        h(title)
    )
}

fn top_bar(site: &Site) -> String {
    format!(
        "<header class=\"top\"><a class=\"home\" href=\"/\">{} <span class=\"variant\">({})</span></a>\
         <span class=\"params\">{}</span><span class=\"brand\">DS Workbench explorer</span></header>\n",
        h(&site.model),
        h(&site.variant),
        h(&site.params)
    )
}

/// An error page: what went wrong, and the way back.
pub fn error(status: u16, title: &str, message: &str) -> String {
    let mut out = head(&format!("{status} {title} · DS Workbench explorer"), false);
    let _ = write!(
        out,
        "<main class=\"error\"><h1>{status} · {}</h1><p id=\"error-message\">{}</p>\
         <p><a href=\"/\">Back to the model</a></p></main>\n</body></html>\n",
        h(title),
        h(message)
    );
    out
}

fn source<'a>(site: &'a Site, property: &str) -> &'a str {
    site.sources
        .iter()
        .find(|(name, _)| name == property)
        .map_or("", |(_, s)| s.as_str())
}

/// The model, its properties and the check.
pub fn index(
    site: &Site,
    lanes: &[String],
    inits: &[String],
    properties: &[(String, PropertyKind)],
    check: &CheckStatus,
) -> String {
    let running = matches!(check, CheckStatus::Running(_));
    let mut out = head(
        &format!("{} ({}) · DS Workbench explorer", site.model, site.variant),
        running,
    );
    out.push_str(&top_bar(site));
    let _ = write!(
        out,
        "<main class=\"index\"><h1>{} <span class=\"variant\">({})</span></h1>\n\
         <p>Actors: {}. Parameters: <code>{}</code>.</p>\n",
        h(&site.model),
        h(&site.variant),
        h(&lanes.join(", ")),
        h(&site.params)
    );

    out.push_str("<h2>Properties</h2>\n<table class=\"props\"><thead><tr><th>property</th><th>kind</th><th>source</th><th>verdict</th><th>path</th></tr></thead><tbody>\n");
    let summary = match check {
        CheckStatus::Done(s) => Some(*s),
        _ => None,
    };
    for (name, kind) in properties {
        let result = summary.and_then(|s| s.property(name));
        let verdict = result.map_or(String::new(), |r| {
            let class = match r.verdict {
                Verdict::Violated | Verdict::NoExample => "bad",
                Verdict::Inconclusive => "unknown",
                Verdict::Holds | Verdict::ExampleFound => "good",
            };
            let title = r
                .reason
                .as_ref()
                .map_or(String::new(), |why| format!(" title=\"{}\"", h(why)));
            let why = r.reason.as_ref().map_or(String::new(), |why| {
                format!("<br><small>{}</small>", h(why))
            });
            format!(
                "<span class=\"verdict {class}\"{title}>{}</span>{why}",
                r.verdict
            )
        });
        let path = result
            .and_then(|r| r.counterexample.as_ref().map(|ce| (r, ce)))
            .map_or(String::new(), |(r, ce)| {
                let what = match r.verdict {
                    Verdict::ExampleFound => "the example",
                    _ => "the counterexample",
                };
                format!(
                    "<a class=\"ce\" href=\"{}\">{what}, {} step{}</a>",
                    h(&path_href(&ce.path, Some(name), ce.loop_start)),
                    ce.steps.len(),
                    if ce.steps.len() == 1 { "" } else { "s" }
                )
            });
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{verdict}</td><td>{path}</td></tr>",
            h(name),
            kind.as_str(),
            h(source(site, name))
        );
    }
    out.push_str("</tbody></table>\n");

    match check {
        CheckStatus::Idle => out.push_str(
            "<p><a class=\"button\" id=\"run-check\" href=\"/check\">Run the check</a> \
             breadth first, as <code>dsw check</code> does: every verdict, and a link to \
             each counterexample.</p>\n",
        ),
        CheckStatus::Running(p) => {
            let progress = p.as_ref().map_or("starting".to_string(), |p| {
                format!(
                    "{} states, {} unique, depth {}",
                    thousands(p.states),
                    thousands(p.unique_states),
                    p.max_depth
                )
            });
            let _ = writeln!(
                out,
                "<p class=\"checking\">Checking: {}. This page refreshes until it is done.</p>",
                h(&progress)
            );
        }
        CheckStatus::Done(s) => {
            let _ = writeln!(
                out,
                "<p>Checked breadth first with {} fairness: {} unique states, max depth {}{}.</p>",
                s.fairness.name(),
                thousands(s.unique_states),
                s.max_depth,
                if s.complete {
                    String::new()
                } else {
                    format!(" (incomplete: {})", h(&s.cut_off_by.join("; ")))
                }
            );
        }
        CheckStatus::Failed(why) => {
            let _ = writeln!(out, "<p class=\"bad\">The check failed: {}.</p>", h(why));
        }
    }

    out.push_str(
        "<h2 id=\"load\">Open a trace</h2>\n<form class=\"load\" method=\"post\" action=\"/load\" \
         enctype=\"multipart/form-data\"><p>An ITF trace of this model as <code>dsw check --itf</code> \
         writes it (<code>*.itf.json</code>), or a real run's trace as <code>dsw run --trace</code> \
         writes it (JSON lines: each recorded delivery, timer, crash and restart becomes the \
         model's step, up to the first one the model cannot take), followed on the model and \
         shown as a path: \
         <input type=\"file\" name=\"trace\" id=\"trace-file\" accept=\".json,.jsonl,application/json\"> \
         <button type=\"submit\" id=\"trace-open\">Open</button></p></form>\n",
    );
    out.push_str("<h2>Explore by hand</h2>\n<p>Start from an initial state and choose each step yourself:</p>\n<ul class=\"inits\">\n");
    for (i, init) in inits.iter().enumerate().take(50) {
        let _ = writeln!(
            out,
            "<li><a href=\"/path/{i}\">initial state {i}</a> <code>{}</code></li>",
            h(&super::route::shorten(init, 160))
        );
    }
    out.push_str("</ul>\n</main>\n</body></html>\n");
    out
}

/// `/path/0/3/1?property=agreement&loop=2`.
fn path_href(path: &str, property: Option<&str>, loop_start: Option<usize>) -> String {
    let mut href = format!("/path/{path}");
    let mut sep = '?';
    if let Some(p) = property {
        let _ = write!(href, "{sep}property={}", percent_encode(p));
        sep = '&';
    }
    if let Some(k) = loop_start {
        let _ = write!(href, "{sep}loop={k}");
    }
    href
}

/// A lane's name, or `actor i`.
fn lane(ce: &Counterexample, i: usize) -> String {
    match ce.actors.get(i) {
        Some(name) if !name.is_empty() => name.clone(),
        _ => format!("actor {i}"),
    }
}

/// A diff as a list: `M field: before → after`, each change marked with
/// its letter and class: A (the field is new), M (its value changed), D
/// (it is gone).
fn diff_list(changes: &[FieldChange]) -> String {
    let mut out = String::from("<ul class=\"diff\">");
    for c in changes {
        let field = if c.field.is_empty() {
            String::new()
        } else {
            format!("<span class=\"field\">{}</span> ", h(&c.field))
        };
        let (mark, change) = match (c.before.as_deref(), c.after.as_deref()) {
            (Some(b), Some(a)) => (
                Some(Mark::Modified),
                format!("<del>{}</del> → <ins>{}</ins>", h(b), h(a)),
            ),
            (None, Some(a)) => (
                Some(Mark::Added),
                format!("<ins>{}</ins> <span class=\"none\">(new)</span>", h(a)),
            ),
            (Some(b), None) => (
                Some(Mark::Deleted),
                format!("<del>{}</del> <span class=\"none\">(removed)</span>", h(b)),
            ),
            (None, None) => (None, String::new()),
        };
        match mark {
            Some(m) => {
                let _ = write!(
                    out,
                    "<li class=\"{}\"><abbr class=\"amd\" title=\"{}\">{}</abbr> {field}{change}</li>",
                    m.class(),
                    h(m.word()),
                    m.letter()
                );
            }
            None => {
                let _ = write!(out, "<li>{field}{change}</li>");
            }
        }
    }
    out.push_str("</ul>");
    out
}

/// How a field of a state changed in a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Added,
    Modified,
    Deleted,
}

impl Mark {
    #[cfg(test)]
    const ALL: [Mark; 3] = [Mark::Added, Mark::Modified, Mark::Deleted];

    fn letter(self) -> char {
        match self {
            Mark::Added => 'A',
            Mark::Modified => 'M',
            Mark::Deleted => 'D',
        }
    }

    fn class(self) -> &'static str {
        match self {
            Mark::Added => "added",
            Mark::Modified => "modified",
            Mark::Deleted => "deleted",
        }
    }

    fn word(self) -> &'static str {
        match self {
            Mark::Added => "added: the field is new",
            Mark::Modified => "modified: the field's value changed",
            Mark::Deleted => "deleted: the field is gone",
        }
    }
}

/// The link to position `pos` of the page, as a small button: without the
/// script a link to `#step=k`, with it one that copies the page's address
/// with `#step=k` (the page opens on the step its address names).
fn deep_link(pos: usize) -> String {
    format!(
        "<a class=\"deeplink\" href=\"#step={pos}\" data-pos=\"{pos}\" \
         title=\"Copy a link to {}\">#</a>",
        if pos == 0 {
            "the initial state".to_string()
        } else {
            format!("step {pos}")
        }
    )
}

/// Above the diagram, for the script (hidden without it): a checkbox per
/// actor, whose lane folds away when unchecked (its steps dim in the list
/// and the diagram), and a filter that keeps the steps whose line (the
/// actors, the message type and its content) contains the text typed.
fn views(ce: &Counterexample) -> String {
    let lanes = ce
        .actors
        .len()
        .max(ce.steps.iter().map(|s| s.actor + 1).max().unwrap_or(0));
    let mut out = String::from(
        "<section id=\"views\" class=\"views\" hidden>\n<fieldset class=\"actors\"><legend>Actors</legend>",
    );
    for i in 0..lanes {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" class=\"actor\" data-lane=\"{i}\" checked> {}</label> ",
            h(&lane(ce, i))
        );
    }
    out.push_str(
        "<output id=\"folded\"></output></fieldset>\n\
         <label class=\"filter\">Filter steps <input type=\"search\" id=\"filter\" \
         placeholder=\"message type or actor, e.g. Accept\" autocomplete=\"off\"></label> \
         <output id=\"matches\"></output>\n</section>\n",
    );
    out
}

/// A path, stepped through: the story, the diagram, the steps with their
/// diffs, the state at the step in focus, and the steps enabled after it.
pub fn path(site: &Site, v: &PathView) -> String {
    let ce = &v.ce;
    let n = ce.steps.len();
    let mut out = head(
        &format!(
            "{} · {} ({}) · DS Workbench explorer",
            v.headline, site.model, site.variant
        ),
        false,
    );
    out.push_str(&top_bar(site));
    let tone = if v.plain {
        "plain"
    } else if ce.loop_start.is_some() {
        "loop"
    } else {
        match v.selected.as_ref().map(|(_, k)| *k) {
            Some(PropertyKind::Sometimes) => "good",
            _ => "bad",
        }
    };
    let _ = write!(
        out,
        "<main id=\"walk\" data-steps=\"{n}\">\n<div class=\"layout\">\n<div class=\"left\">\n<section class=\"story tone-{tone}\"><h1 id=\"headline\">{}</h1>\n",
        h(&v.headline)
    );
    if let Some((name, kind)) = &v.selected {
        let src = source(site, name);
        let _ = write!(
            out,
            "<p><b>{}</b> is {} property{}{}. ",
            h(name),
            match kind {
                PropertyKind::Always => "a safety (<i>always</i>)",
                PropertyKind::Sometimes => "a reachability (<i>sometimes</i>)",
                PropertyKind::Eventually => "a liveness (<i>eventually</i>)",
                PropertyKind::LeadsTo => "a liveness (<i>leads-to</i>, P ~&gt; Q)",
                PropertyKind::Refines => "a refinement (<i>refines</i>)",
            },
            if src.is_empty() { "" } else { " from " },
            h(src)
        );
        if !v.plain {
            out.push_str(match (kind, ce.loop_start) {
                (PropertyKind::Always, _) => {
                    "It must be true in every state; the state after the last step \
                     (the red band) breaks it."
                }
                (PropertyKind::Sometimes, _) => {
                    "Some reachable state must make it true; the state after the last \
                     step (the green band) does."
                }
                (PropertyKind::Eventually, Some(_)) => {
                    "Every run must reach a state where it is true; this run never does: \
                     after its first steps, the steps in the purple band repeat forever."
                }
                (PropertyKind::Eventually, None)
                    if ce.kind == checker::summary::CounterexampleKind::Stutter =>
                {
                    "Every run must reach a state where it is true; this run stops \
                     without reaching one, and then nothing more happens: the steps \
                     still enabled (a crash, a loss, ...) need never happen, and \
                     fairness demands none of them."
                }
                (PropertyKind::Eventually, None) => {
                    "Every run must reach a state where it is true; this run stops \
                     (no step is enabled) without reaching one."
                }
                (PropertyKind::LeadsTo, Some(_)) => {
                    "Every state where P holds must be followed, at it or later, by one \
                     where Q holds; on this run P holds and then Q never does: after its \
                     first steps, the steps in the purple band repeat forever."
                }
                (PropertyKind::LeadsTo, None) => {
                    "Every state where P holds must be followed, at it or later, by one \
                     where Q holds; on this run P holds, and then the run stops without \
                     Q: no step is enabled, or only steps fairness never demands (a \
                     crash, a loss, ...)."
                }
                (PropertyKind::Refines, _) => {
                    "Every step must map to a step of the abstract spec, or change \
                     nothing the spec sees; the last step (the red band) does neither."
                }
            });
        }
        out.push_str("</p>\n");
    }
    for note in &v.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", h(note));
    }
    for note in &v.trace_notes {
        let _ = writeln!(out, "<p class=\"note trace-note\">{}</p>", h(note));
    }
    if let Some(d) = &v.divergence {
        let _ = writeln!(
            out,
            "<p class=\"bad\" id=\"trace-divergence\">The model cannot follow the trace \
             further; the path stops before this recorded event. {}</p>",
            h(d)
        );
    }
    if let (Some(_), Some((name, _)), false) = (&site.compare, &v.selected, v.plain) {
        let _ = writeln!(out, "<p><a id=\"compare-link\" href=\"{}\">Beside the correct protocol on this schedule</a>: where it first does something else.</p>", h(&path_href(&ce.path, Some(name), ce.loop_start).replacen("/path/", "/compare/", 1)));
    }
    out.push_str(
        "<p class=\"how\">Time runs down; each column is an actor. An arrow is a message \
         delivered, labelled with the message; a dashed arrow ending in a red cross is a \
         message lost; a clock is a timer firing; a red cross on a column is a crash. The \
         blue line under a step says what it changed in that actor. Step with \
         <kbd>←</kbd> <kbd>→</kbd> or the buttons, or click a step.</p>\n</section>\n",
    );

    out.push_str(&views(ce));
    out.push_str("<div class=\"diagram\" id=\"diagram\">\n");
    out.push_str(&v.svg);
    out.push_str("</div>\n</div>\n<aside class=\"panel\">\n");
    out.push_str(
        "<nav class=\"controls\"><button id=\"first\" title=\"The initial state (Home)\">first</button>\
         <button id=\"prev\" title=\"The step before (←)\">◀ back</button>\
         <output id=\"where\"></output>\
         <button id=\"next\" title=\"The step after (→)\">next ▶</button>\
         <button id=\"last\" title=\"The last step (End)\">last</button></nav>\n",
    );

    // The state at each position; the script shows the one in focus.
    out.push_str("<div class=\"snapshots\">\n");
    for (pos, states) in v.positions.iter().enumerate() {
        let step = pos.checked_sub(1).and_then(|i| ce.steps.get(i));
        let changed: Vec<usize> =
            step.map_or(Vec::new(), |s| s.changes.iter().map(|c| c.actor).collect());
        let heading = match step {
            None => "Initial state".to_string(),
            Some(s) => format!("After step {pos}: {}", step_line(ce, s)),
        };
        let _ = write!(
            out,
            "<section class=\"snapshot\" data-pos=\"{pos}\"{}><h2>{}</h2>\n<p class=\"here\">",
            if pos == n { "" } else { " hidden" },
            h(&heading)
        );
        for p in &v.properties {
            let value = p.values.get(pos).copied().unwrap_or(false);
            let _ = write!(
                out,
                "<span class=\"prop {}\" title=\"{} property, {} in this state\">{}: {}</span> ",
                if value { "true" } else { "false" },
                p.kind.as_str(),
                if value { "true" } else { "false" },
                h(&p.name),
                if value { "true" } else { "false" }
            );
        }
        out.push_str("</p>\n");
        for &i in &changed {
            let before = pos
                .checked_sub(1)
                .and_then(|b| v.positions.get(b))
                .and_then(|p| p.get(i));
            let Some(after) = states.get(i) else {
                continue;
            };
            let _ = writeln!(
                out,
                "<div class=\"change\"><span class=\"who\">{} changed</span>{}</div>",
                h(&lane(ce, i)),
                diff_list(&diff(before.map(String::as_str), after))
            );
        }
        out.push_str("<table class=\"states\">");
        for (i, state) in states.iter().enumerate() {
            let class = if changed.contains(&i) {
                " class=\"changed\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "<tr{class}><th>{}</th><td><code>{}</code></td></tr>",
                h(&lane(ce, i)),
                h(state)
            );
        }
        out.push_str("</table>\n");
        let prefix: Vec<&str> = ce.path.split('/').take(pos + 1).collect();
        let _ = writeln!(
            out,
            "<p class=\"branch\"><a href=\"{}\">Explore from here</a>: open the path up to \
             this state, to choose other steps.</p></section>",
            h(&path_href(&prefix.join("/"), None, None))
        );
    }
    out.push_str("</div>\n");

    // Every step with what it changed.
    let _ = writeln!(
        out,
        "<ol id=\"steps\" class=\"steps\">\n<li data-pos=\"0\" class=\"init\">{}Initial state</li>",
        deep_link(0)
    );
    for (i, step) in ce.steps.iter().enumerate() {
        if ce.loop_start == Some(i) {
            out.push_str("<li class=\"loop-mark\">↻ loop: the steps below repeat forever</li>\n");
        }
        let line = step_line(ce, step);
        let mut actors = vec![step.actor];
        actors.extend(step.from.filter(|&f| f != step.actor));
        let _ = write!(
            out,
            "<li data-pos=\"{}\" data-actors=\"{}\" data-line=\"{}\"{}>{}<span class=\"num\">{}.</span> {}",
            i + 1,
            actors
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            h(&line),
            if ce.loop_start.is_some_and(|k| i >= k) {
                " class=\"in-loop\" title=\"in the loop: repeats forever\""
            } else {
                ""
            },
            deep_link(i + 1),
            i + 1,
            h(&line)
        );
        for c in &step.changes {
            let before = v.positions.get(i).and_then(|p| p.get(c.actor));
            let _ = write!(
                out,
                "<div class=\"change\"><span class=\"who\">{}</span>{}</div>",
                h(&lane(ce, c.actor)),
                diff_list(&diff(before.map(String::as_str), &c.state))
            );
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n</aside>\n</div>\n");

    // Onward from the last state.
    let _ = writeln!(
        out,
        "<section class=\"next\"><h2>Steps enabled after step {n}</h2>"
    );
    if v.next.is_empty() {
        out.push_str("<p>None: no step is enabled in the last state.</p>\n");
    } else {
        out.push_str("<p>Each extends the path by one step.</p>\n<ul>\n");
        let property = v.selected.as_ref().map(|(name, _)| name.as_str());
        for (i, line) in &v.next {
            let _ = writeln!(
                out,
                "<li><a href=\"{}\">{}</a></li>",
                h(&path_href(&format!("{}/{i}", ce.path), property, None)),
                h(line)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n</main>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_change_is_marked_added_modified_or_deleted() {
        let list = diff_list(&diff(
            Some("{ballot: 1, promised: None, stale: 3}"),
            "{ballot: 2, promised: None, accepted: 'A'}",
        ));
        for (class, letter, field) in [
            ("modified", 'M', "ballot"),
            ("added", 'A', "accepted"),
            ("deleted", 'D', "stale"),
        ] {
            let word = Mark::ALL
                .into_iter()
                .find(|m| m.class() == class)
                .map(Mark::word)
                .expect("a mark");
            let want = format!(
                "<li class=\"{class}\"><abbr class=\"amd\" title=\"{}\">{letter}</abbr> \
                 <span class=\"field\">{field}</span>",
                h(word)
            );
            assert!(list.contains(&want), "{want} not in {list}");
        }
        assert!(
            !list.contains("promised"),
            "unchanged fields are not listed"
        );
    }
}
