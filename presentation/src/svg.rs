//! Counterexamples as sequence diagrams (Lamport diagrams), in standalone SVG.
//!
//! One vertical swimlane per actor, time flowing down, one row per step,
//! numbered as the CLI numbers them; below the last row, every lane's final
//! state under a band that says how the path ends ("violated here"). Labels
//! are cut to fit, with the full text in a `<title>` (a browser's tooltip).
//!
//! The output depends on the counterexample alone (no ids, no timestamps, no
//! floats printed), so a committed report changes only when its
//! counterexample does.

use crate::diff::{diff, summary_line};
use crate::report::step_line;
use checker::summary::{Change, Counterexample, CounterexampleKind, Step, StepKind};
use std::fmt::Write;
use std::ops::RangeInclusive;

/// A standalone SVG document drawing `ce`, headed by `title`.
pub fn sequence_diagram(ce: &Counterexample, title: &str) -> String {
    sequence_diagram_with(ce, title, &Options::default())
}

/// What a caller that knows more than the counterexample can add.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    /// Every lane's state before the first step. Without it, the note under
    /// an actor's first change shows its whole new state (the state before
    /// is not in a [`Counterexample`]); with it, only what changed.
    pub initial_states: Option<&'a [String]>,
    /// Label the last row as the plain end of a path, with these words,
    /// instead of by `ce.kind`: for a path that breaks nothing.
    pub plain_end: Option<&'a str>,
    /// A step (numbered from 1) to mark with a band and these words: where
    /// two runs of `dsw compare` part.
    pub mark: Option<(usize, &'a str)>,
}

/// [`sequence_diagram`], with what [`Options`] adds.
pub fn sequence_diagram_with(ce: &Counterexample, title: &str, opts: &Options) -> String {
    sized(ce, title, opts).0
}

/// Two diagrams side by side in one document under `title`: `dsw
/// compare`'s bug variant (left) and correct protocol (right).
pub fn side_by_side(
    title: &str,
    left: (&Counterexample, &str, &Options),
    right: (&Counterexample, &str, &Options),
) -> String {
    let (l, lw, lh) = sized(left.0, left.1, left.2);
    let (r, rw, rh) = sized(right.0, right.1, right.2);
    let (w, h) = (lw + GAP_BETWEEN + rw, TITLE_H + lh.max(rh));
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>\n",
        esc(title)
    );
    text(
        &mut out,
        MARGIN,
        20,
        "title",
        &fit(title, chars_in(w - 2 * MARGIN, TITLE_ADVANCE)),
    );
    for (svg, x) in [(l, 0), (r, lw + GAP_BETWEEN)] {
        out.push_str(&svg.replacen("<svg ", &format!("<svg x=\"{x}\" y=\"{TITLE_H}\" "), 1));
    }
    let _ = writeln!(
        out,
        "<line x1=\"{x}\" y1=\"{TITLE_H}\" x2=\"{x}\" y2=\"{h}\" stroke=\"#d0d7de\" stroke-width=\"2\"/>",
        x = lw + GAP_BETWEEN / 2
    );
    out.push_str("</svg>\n");
    out
}

/// Between the two diagrams of [`side_by_side`].
const GAP_BETWEEN: i32 = 20;

/// The document, its width and its height.
fn sized(ce: &Counterexample, title: &str, opts: &Options) -> (String, i32, i32) {
    let l = Layout::new(ce, opts);
    let mut out = String::new();
    let (w, h) = (l.width, l.height());
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" role=\"img\">\n<title>{}</title>\n\
         <desc>counterexample path {} ({} steps)</desc>\n<style>{STYLE}</style>\n",
        esc(title),
        esc(&ce.path),
        ce.steps.len(),
    );
    // A white ground keeps the diagram readable on a dark page.
    let _ = writeln!(out, "<rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>");
    for row in (1..ce.steps.len()).step_by(2) {
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"{}\" fill=\"#f6f8fa\"/>",
            l.row_top(row),
            l.row_h,
        );
    }
    if let Some((step, words)) = opts.mark.filter(|(s, _)| (1..=ce.steps.len()).contains(s)) {
        band(&mut out, &l, step - 1..=step - 1, 0, Tone::Mark, words);
    }
    let (tone, ending) = match opts.plain_end {
        Some(words) => (Tone::Plain, words),
        None => ending(ce.kind),
    };
    band(&mut out, &l, l.final_row()..=l.final_row(), 0, tone, ending);
    if let Some(start) = l.loop_start {
        band(
            &mut out,
            &l,
            start..=ce.steps.len() - 1,
            LOOP_HEAD_H,
            Tone::Loop,
            "loop: the steps below repeat forever",
        );
    }

    text(
        &mut out,
        MARGIN,
        20,
        "title",
        &fit(title, chars_in(w - 2 * MARGIN, TITLE_ADVANCE)),
    );
    lanes(&mut out, &l, ce);
    for (row, step) in ce.steps.iter().enumerate() {
        draw_step(&mut out, &l, ce, row, step);
    }
    final_states(&mut out, &l, ce);
    out.push_str("</svg>\n");
    (out, w, h)
}

// Geometry, in pixels. Text is monospace, so a label's width is its length
// in characters times the font's advance (about 0.6 em; a little more here,
// so a label still fits when the viewer's monospace font is wider).
const ADVANCE: f64 = 7.3; // 12 px text
const SMALL_ADVANCE: f64 = 6.7; // 11 px text
const TITLE_ADVANCE: f64 = 8.0; // 13 px text
const MARGIN: i32 = 10;
/// Left of the first lane: the step numbers.
const GUTTER: i32 = 40;
const TITLE_H: i32 = 30;
const HEADER_H: i32 = 24;
/// A step row: its label's baseline at `LABEL_Y`, its arrow or marker at
/// `GLYPH_Y`, both from the row's top.
const ROW_H: i32 = 38;
/// Added to every row when some step changed a state: the line under the
/// step that says what changed, at `NOTE_Y` from the row's top.
const NOTE_H: i32 = 14;
const NOTE_Y: i32 = 42;
/// Above a lasso's first looping step: the head of the loop's band, where its
/// label goes clear of the steps.
const LOOP_HEAD_H: i32 = 18;
const LABEL_Y: i32 = 16;
const GLYPH_Y: i32 = 26;
/// Between the last step and the final states.
const FINAL_GAP: i32 = 10;
/// The final states' heading line.
const FINAL_HEAD_H: i32 = 24;
const STATE_LINE_H: i32 = 14;
const MAX_STATE_LINES: usize = 8;
/// Lane spacing: enough for a typical label, within bounds, narrower when
/// many lanes would make the diagram too wide.
const MIN_GAP: i32 = 150;
const MAX_GAP: i32 = 260;
const CROWDED_GAP: i32 = 120;
const MAX_LANES_WIDTH: i32 = 1200;
/// A plain model has one lane of action boxes, which may be wider.
const SINGLE_LANE_MIN: i32 = 320;
const SINGLE_LANE_MAX: i32 = 640;
/// Labels longer than this do not widen the lanes further; they are cut.
const LONG_LABEL: usize = 32;

const STYLE: &str = "\
text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono','Liberation Mono',monospace;font-size:12px;fill:#1f2328}\
.title{font-size:13px;font-weight:bold}\
.name{font-weight:bold;text-anchor:middle}\
.num{fill:#656d76;text-anchor:end}\
.mid{text-anchor:middle}\
.end{text-anchor:end}\
.halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.lost{fill:#656d76}\
.timer{fill:#8250df}\
.crash{fill:#cf222e}\
.recover{fill:#1a7f37}\
.random{fill:#9a6700}\
.small{font-size:11px}\
.note{fill:#0550ae}\
.step.current .hit{fill:#fff8c5;fill-opacity:.8;stroke:#d4a72c}\
.bold{font-weight:bold}";

/// Where everything goes. Rows are the steps (`0..steps`), then one more row,
/// [`Layout::final_row`], for the final states.
struct Layout {
    lanes: usize,
    gap: i32,
    width: i32,
    steps: usize,
    row_h: i32,
    /// A lasso's first looping step, if it is one of the steps.
    loop_start: Option<usize>,
    /// Per step, what it changed: (lane, the change in one line).
    notes: Vec<Vec<(usize, String)>>,
    /// Each lane's final state, wrapped to its box.
    states: Vec<Vec<String>>,
    state_box_h: i32,
}

impl Layout {
    fn new(ce: &Counterexample, opts: &Options) -> Layout {
        // Trust no index: a lane exists for every actor a step names.
        let lanes = ce
            .steps
            .iter()
            .flat_map(|s| std::iter::once(s.actor).chain(s.from))
            .map(|i| i + 1)
            .chain([ce.actors.len(), ce.final_states.len(), 1])
            .max()
            .unwrap_or(1);
        let longest = ce
            .steps
            .iter()
            .map(|s| lane_label(s).map_or(s.label.chars().count(), |t| t.chars().count()))
            .chain(ce.actors.iter().map(|a| a.chars().count()))
            .max()
            .unwrap_or(0)
            .min(LONG_LABEL);
        let want = (longest as f64 * ADVANCE) as i32 + 24;
        let gap = if lanes == 1 {
            want.clamp(SINGLE_LANE_MIN, SINGLE_LANE_MAX)
        } else {
            let gap = want.clamp(MIN_GAP, MAX_GAP);
            let crowded = MAX_LANES_WIDTH / lanes as i32;
            if gap > crowded {
                crowded.max(CROWDED_GAP)
            } else {
                gap
            }
        };
        let per_line = chars_in(state_box_w(gap) - 12, SMALL_ADVANCE);
        let states: Vec<Vec<String>> = (0..lanes)
            .map(|i| {
                let state = ce.final_states.get(i).map_or("", String::as_str);
                wrap(state, per_line, MAX_STATE_LINES)
            })
            .collect();
        let lines = states.iter().map(Vec::len).max().unwrap_or(0).max(1) as i32;
        let notes = notes(ce, lanes, opts.initial_states);
        let row_h = if notes.iter().any(|n| !n.is_empty()) {
            ROW_H + NOTE_H
        } else {
            ROW_H
        };
        Layout {
            lanes,
            gap,
            width: GUTTER + lanes as i32 * gap + MARGIN,
            steps: ce.steps.len(),
            row_h,
            loop_start: ce.loop_start.filter(|&s| s < ce.steps.len()),
            notes,
            states,
            state_box_h: lines * STATE_LINE_H + 8,
        }
    }

    fn lane_x(&self, lane: usize) -> i32 {
        GUTTER + self.gap / 2 + lane as i32 * self.gap
    }

    /// The row below the last step, where the final states are.
    fn final_row(&self) -> usize {
        self.steps
    }

    fn row_top(&self, row: usize) -> i32 {
        let mut top = TITLE_H + HEADER_H + 8 + row as i32 * self.row_h;
        if self.loop_start.is_some_and(|s| row >= s) {
            top += LOOP_HEAD_H;
        }
        if row >= self.steps {
            top + FINAL_GAP
        } else {
            top
        }
    }

    fn row_bottom(&self, row: usize) -> i32 {
        if row >= self.steps {
            self.row_top(row) + FINAL_HEAD_H + self.state_box_h + 8
        } else {
            self.row_top(row) + self.row_h
        }
    }

    fn height(&self) -> i32 {
        self.row_bottom(self.final_row()) + MARGIN
    }
}

/// Per step, each changed lane's change in one line, diffed against the
/// lane's state before (its previous change, or its initial state if known).
fn notes(
    ce: &Counterexample,
    lanes: usize,
    initial: Option<&[String]>,
) -> Vec<Vec<(usize, String)>> {
    let mut now: Vec<Option<&str>> = (0..lanes)
        .map(|i| initial.and_then(|s| s.get(i)).map(String::as_str))
        .collect();
    ce.steps
        .iter()
        .map(|step| {
            let mut row = Vec::new();
            for Change { actor, state } in &step.changes {
                let Some(before) = now.get_mut(*actor) else {
                    continue;
                };
                let line = summary_line(&diff(*before, state));
                *before = Some(state);
                if !line.is_empty() {
                    row.push((*actor, line));
                }
            }
            row
        })
        .collect()
}

fn state_box_w(gap: i32) -> i32 {
    gap - 12
}

/// The colour of a band.
#[derive(Clone, Copy)]
enum Tone {
    /// A property is broken here.
    Bad,
    /// A `sometimes` property's example.
    Good,
    /// Neither: the search stopped here.
    Unknown,
    /// The end of a path that is not a counterexample.
    Plain,
    /// A lasso's loop: these steps repeat forever.
    Loop,
    /// Where two runs part (`dsw compare`).
    Mark,
}

impl Tone {
    /// (stroke, fill)
    fn colours(self) -> (&'static str, &'static str) {
        match self {
            Tone::Bad => ("#cf222e", "#ffebe9"),
            Tone::Good => ("#1a7f37", "#dafbe1"),
            Tone::Unknown => ("#9a6700", "#fff8c5"),
            Tone::Plain => ("#57606a", "#f6f8fa"),
            Tone::Loop => ("#8250df", "#fbefff"),
            Tone::Mark => ("#bc4c00", "#fff1e5"),
        }
    }
}

fn ending(kind: CounterexampleKind) -> (Tone, &'static str) {
    match kind {
        CounterexampleKind::Violation => (Tone::Bad, "violated here"),
        CounterexampleKind::Deadlock => (Tone::Bad, "violated here: no step is enabled"),
        CounterexampleKind::Stutter => (Tone::Bad, "and then nothing more happens"),
        CounterexampleKind::Example => (Tone::Good, "example"),
        CounterexampleKind::Bounded => (Tone::Unknown, "cut off by the bound"),
        CounterexampleKind::Lasso => (Tone::Bad, "never holds: the loop above repeats forever"),
        CounterexampleKind::Refinement => (Tone::Bad, "the last step is no step of the spec"),
    }
}

/// A band across `rows` (inclusive; the final-state row is
/// [`Layout::final_row`]) and the `head` pixels above them, labelled at its
/// top right. Drawn before the lanes and steps, so it stays behind them.
fn band(
    out: &mut String,
    l: &Layout,
    rows: RangeInclusive<usize>,
    head: i32,
    tone: Tone,
    label: &str,
) {
    let (stroke, fill) = tone.colours();
    let top = l.row_top(*rows.start()) - head - 2;
    let bottom = l.row_bottom(*rows.end()) + 2;
    // The loop's band is named, so a page (the explorer) can find it.
    let class = match tone {
        Tone::Loop => " class=\"loop-band\"",
        _ => "",
    };
    let _ = writeln!(
        out,
        "<rect{class} x=\"2\" y=\"{top}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\" \
         stroke=\"{stroke}\" stroke-width=\"1.5\"/>",
        l.width - 4,
        bottom - top,
    );
    let _ =
        writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" class=\"end small bold halo\" style=\"fill:{stroke}\">{}</text>",
        l.width - MARGIN,
        top + 15,
        // Left of the label: "final state", or nothing in a loop's head.
        esc(&fit(label, chars_in(l.width - 2 * MARGIN - 100, SMALL_ADVANCE)))
    );
}

/// The lanes' headers and lines. A lane is dashed and pale while its actor
/// is crashed.
fn lanes(out: &mut String, l: &Layout, ce: &Counterexample) {
    // The lanes stop at the final states' band, so its label stays clear.
    let top = TITLE_H + HEADER_H;
    let bottom = l.row_top(l.final_row()) - 2;
    for lane in 0..l.lanes {
        let x = l.lane_x(lane);
        let mut from = top;
        let mut crashed = false;
        for (row, step) in ce.steps.iter().enumerate() {
            let flips = step.actor == lane
                && matches!(
                    (step.kind, crashed),
                    (StepKind::Crash, false) | (StepKind::Recover, true)
                );
            if flips {
                let y = l.row_top(row) + GLYPH_Y;
                lane_segment(out, lane, x, from, y, crashed);
                from = y;
                crashed = !crashed;
            }
        }
        lane_segment(out, lane, x, from, bottom, crashed);

        let name = match ce.actors.get(lane) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("actor {lane}"),
        };
        let shown = fit(&name, chars_in(l.gap - 24, ADVANCE));
        let box_w = ((shown.chars().count() as f64 * ADVANCE) as i32 + 20).min(l.gap - 12);
        let _ = writeln!(
            out,
            "<g class=\"lane\" data-lane=\"{lane}\"><title>{}</title><rect x=\"{}\" y=\"{TITLE_H}\" \
             width=\"{box_w}\" height=\"{HEADER_H}\" rx=\"4\" fill=\"#eaeef2\" stroke=\"#57606a\"/>",
            esc(&name),
            x - box_w / 2,
        );
        text(out, x, TITLE_H + 16, "name", &shown);
        out.push_str("</g>\n");
    }
}

fn lane_segment(out: &mut String, lane: usize, x: i32, y1: i32, y2: i32, crashed: bool) {
    let style = if crashed {
        "stroke=\"#d0d7de\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\""
    } else {
        "stroke=\"#8c959f\" stroke-width=\"1.5\""
    };
    let _ = writeln!(
        out,
        "<line class=\"lane-line\" data-lane=\"{lane}\" x1=\"{x}\" y1=\"{y1}\" x2=\"{x}\" \
         y2=\"{y2}\" {style}/>"
    );
}

/// What a lane-local step says above its marker; `None` for arrows and
/// action boxes, which carry the bare label.
fn lane_label(step: &Step) -> Option<String> {
    match step.kind {
        StepKind::Timeout => Some(format!("timer {}", step.label)),
        StepKind::Crash => Some("crash".into()),
        StepKind::Recover => Some("recover".into()),
        StepKind::Random => Some(format!("chooses {}", step.label)),
        StepKind::Deliver | StepKind::Drop | StepKind::Action => None,
    }
}

/// One step: its number, then its arrow, marker or box, grouped under a
/// tooltip with the step as the terminal prints it and the states it changed.
fn draw_step(out: &mut String, l: &Layout, ce: &Counterexample, row: usize, step: &Step) {
    let top = l.row_top(row);
    let mut tip = format!("{}. {}", row + 1, step_line(ce, step));
    for Change { actor, state } in &step.changes {
        let lane = ce.actors.get(*actor).map_or("?", String::as_str);
        let _ = write!(tip, "\n{lane} = {state}");
    }
    // `data-step` and the row-wide `hit` rectangle let a page (the explorer)
    // mark the current step and select a step by clicking its row;
    // `data-actors` (the acting lane, and the sender's) lets it dim the
    // steps of actors folded away.
    let actors = match step.from {
        Some(from) if from != step.actor => format!("{} {from}", step.actor),
        _ => step.actor.to_string(),
    };
    let _ = writeln!(
        out,
        "<g class=\"step\" data-step=\"{}\" data-actors=\"{actors}\"><title>{}</title>\n\
         <rect class=\"hit\" x=\"0\" y=\"{top}\" width=\"{}\" height=\"{}\" fill=\"#fff\" \
         fill-opacity=\"0\"/>",
        row + 1,
        esc(&tip),
        l.width,
        l.row_h,
    );
    text(
        out,
        GUTTER - 8,
        top + GLYPH_Y + 4,
        "num",
        &(row + 1).to_string(),
    );
    let x = l.lane_x(step.actor);
    let y = top + GLYPH_Y;
    match (step.kind, step.from) {
        (StepKind::Deliver | StepKind::Drop, Some(from)) if from != step.actor => {
            message(out, l, row, from, step);
        }
        (StepKind::Deliver | StepKind::Drop, _) => {
            // To itself: a loop on the lane's right.
            let lost = step.kind == StepKind::Drop;
            let _ = writeln!(
                out,
                "<path d=\"M{} {} h20 v12 h-{}\" fill=\"none\" {}/>",
                x + 3,
                y - 6,
                if lost { 12 } else { 14 },
                if lost { LOST_STROKE } else { ARROW_STROKE },
            );
            if lost {
                cross(out, x + 11, y + 6, 4, "#cf222e", 2);
            } else {
                arrow_head(out, x + 3, y + 6, -1);
            }
            let class = if lost { "lost" } else { "" };
            side_label(out, l, step.actor, y + 4, 30, class, &step.label);
        }
        (StepKind::Action, _) => {
            let w = l.gap - 16;
            let _ = writeln!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{}\" rx=\"4\" fill=\"#ddf4ff\" stroke=\"#54aeff\"/>",
                x - w / 2,
                top + 6,
                ROW_H - 12,
            );
            text(
                out,
                x,
                top + ROW_H / 2 + 4,
                "mid",
                &fit(&step.label, chars_in(w - 12, ADVANCE)),
            );
        }
        (kind, _) => {
            let (class, label) = match kind {
                StepKind::Timeout => {
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{x}\" cy=\"{y}\" r=\"6\" fill=\"#fff\" stroke=\"#8250df\" stroke-width=\"1.5\"/>\
                         <path d=\"M{x} {} v4 h3\" fill=\"none\" stroke=\"#8250df\" stroke-width=\"1.5\"/>",
                        y - 4
                    );
                    ("timer", lane_label(step))
                }
                StepKind::Crash => {
                    cross(out, x, y, 6, "#cf222e", 3);
                    ("crash", lane_label(step))
                }
                StepKind::Recover => {
                    let _ = writeln!(
                        out,
                        "<circle cx=\"{x}\" cy=\"{y}\" r=\"6\" fill=\"#1a7f37\"/>\
                         <path d=\"M{} {y} l2 3 l4 -6\" fill=\"none\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
                        x - 3
                    );
                    ("recover", lane_label(step))
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "<path d=\"M{x} {} l6 6 l-6 6 l-6 -6 z\" fill=\"#fff8c5\" stroke=\"#9a6700\" stroke-width=\"1.5\"/>",
                        y - 6
                    );
                    ("random", lane_label(step))
                }
            };
            side_label(
                out,
                l,
                step.actor,
                y + 4,
                12,
                class,
                &label.unwrap_or_default(),
            );
        }
    }
    let notes = l.notes.get(row).map_or(&[][..], Vec::as_slice);
    for (lane, note) in notes {
        // Several notes in a row (a step that changed several actors) share it.
        let right = notes
            .iter()
            .map(|(other, _)| l.lane_x(*other) - 8)
            .filter(|&x| x > l.lane_x(*lane))
            .min()
            .unwrap_or(l.width - MARGIN);
        let left = notes
            .iter()
            .map(|(other, _)| l.lane_x(*other) + 8)
            .filter(|&x| x < l.lane_x(*lane))
            .max()
            .unwrap_or(GUTTER);
        note_text(out, l, *lane, top + NOTE_Y, (left, right), note);
    }
    out.push_str("</g>\n");
}

const ARROW_STROKE: &str = "stroke=\"#1f2328\" stroke-width=\"1.5\"";
const LOST_STROKE: &str = "stroke=\"#8c959f\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"";

/// A delivery (an arrow from `from` to the step's actor) or a loss (a dashed
/// arrow that stops short in a cross), labelled with the message.
fn message(out: &mut String, l: &Layout, row: usize, from: usize, step: &Step) {
    let y = l.row_top(row) + GLYPH_Y;
    let (x1, x2) = (l.lane_x(from), l.lane_x(step.actor));
    let dir = (x2 - x1).signum();
    let lost = step.kind == StepKind::Drop;
    if lost {
        let end = x1 + (x2 - x1) * 3 / 5;
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" {LOST_STROKE}/>",
            x1 + 3 * dir,
            end - 5 * dir,
        );
        cross(out, end, y, 5, "#cf222e", 2);
    } else {
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" {ARROW_STROKE}/>",
            x1 + 3 * dir,
            x2 - 10 * dir,
        );
        arrow_head(out, x2 - 2 * dir, y, dir);
    }
    // Centred over the arrow, but free to run past its ends: a row holds
    // one step, so its whole width is the label's, up to the diagram's edges.
    let shown = fit(&step.label, chars_in(l.width - GUTTER - MARGIN, ADVANCE));
    let half = (shown.chars().count() as f64 * ADVANCE / 2.0) as i32;
    let (lo, hi) = (GUTTER + half, l.width - MARGIN - half);
    let centre = ((x1 + x2) / 2).clamp(lo.min(hi), hi.max(lo));
    text(
        out,
        centre,
        l.row_top(row) + LABEL_Y,
        if lost { "mid halo lost" } else { "mid halo" },
        &shown,
    );
}

/// A label beside a lane-local marker at height `y`: on the lane's right,
/// `offset` pixels from it, or on its left for the last of several lanes
/// (whose right has only the margin). A row holds one step, so the label
/// may cross other lanes, up to the diagram's edge.
fn side_label(
    out: &mut String,
    l: &Layout,
    lane: usize,
    y: i32,
    offset: i32,
    class: &str,
    s: &str,
) {
    let x = l.lane_x(lane);
    let class = format!("halo {class}");
    if l.lanes > 1 && lane + 1 == l.lanes {
        let shown = fit(s, chars_in(x - offset - GUTTER, ADVANCE));
        text(out, x - offset, y, &format!("end {class}"), &shown);
    } else {
        let shown = fit(s, chars_in(l.width - MARGIN - x - offset, ADVANCE));
        text(out, x + offset, y, class.trim_end(), &shown);
    }
}

/// What a step changed in `lane`, in small type under the step: right of
/// the lane up to `right` (the next lane with a note in this row, or the
/// diagram's edge), or left of it for the last of several lanes, down to
/// `left`. Under a plain model's action box, from the box's left.
fn note_text(
    out: &mut String,
    l: &Layout,
    lane: usize,
    y: i32,
    (left, right): (i32, i32),
    note: &str,
) {
    let x = l.lane_x(lane);
    if l.lanes == 1 {
        let w = l.gap - 16;
        let shown = fit(note, chars_in(w - 12, SMALL_ADVANCE));
        text(out, x - w / 2 + 6, y, "small note halo", &shown);
    } else if lane + 1 == l.lanes {
        let shown = fit(note, chars_in(x - 6 - left, SMALL_ADVANCE));
        text(out, x - 6, y, "small note halo end", &shown);
    } else {
        let shown = fit(note, chars_in(right - x - 6, SMALL_ADVANCE));
        text(out, x + 6, y, "small note halo", &shown);
    }
}

/// An arrow head with its tip at (x, y), pointing right (`dir` 1) or left (-1).
fn arrow_head(out: &mut String, x: i32, y: i32, dir: i32) {
    let back = x - 10 * dir;
    let _ = writeln!(
        out,
        "<path d=\"M{x} {y} L{back} {} L{back} {} z\" fill=\"#1f2328\"/>",
        y - 4,
        y + 4
    );
}

fn cross(out: &mut String, x: i32, y: i32, r: i32, colour: &str, width: i32) {
    let _ = writeln!(
        out,
        "<path d=\"M{} {} l{} {} M{} {} l{} {}\" stroke=\"{colour}\" stroke-width=\"{width}\" \
         stroke-linecap=\"round\"/>",
        x - r,
        y - r,
        2 * r,
        2 * r,
        x - r,
        y + r,
        2 * r,
        -2 * r,
    );
}

/// Under the last step: each lane's final state in a box (dashed if the actor
/// is down), wrapped, with the whole state as the box's tooltip.
fn final_states(out: &mut String, l: &Layout, ce: &Counterexample) {
    let top = l.row_top(l.final_row());
    text(out, MARGIN, top + 15, "small bold", "final state");
    let box_w = state_box_w(l.gap);
    let y = top + FINAL_HEAD_H;
    for (lane, lines) in l.states.iter().enumerate() {
        let x = l.lane_x(lane) - box_w / 2;
        let state = ce.final_states.get(lane).map_or("", String::as_str);
        let down = ce
            .steps
            .iter()
            .rev()
            .find(|s| s.actor == lane && matches!(s.kind, StepKind::Crash | StepKind::Recover));
        let dash = if down.is_some_and(|s| s.kind == StepKind::Crash) {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<g class=\"final\" data-lane=\"{lane}\"><title>{}</title><rect x=\"{x}\" y=\"{y}\" \
             width=\"{box_w}\" height=\"{}\" rx=\"3\" \
             fill=\"#fff\" stroke=\"#8c959f\"{dash}/>",
            esc(state),
            l.state_box_h,
        );
        for (i, line) in lines.iter().enumerate() {
            text(out, x + 6, y + 15 + i as i32 * STATE_LINE_H, "small", line);
        }
        out.push_str("</g>\n");
    }
}

/// A `<text>` element; `s` is escaped here.
fn text(out: &mut String, x: i32, y: i32, class: &str, s: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x}\" y=\"{y}\" class=\"{class}\">{}</text>",
        esc(s)
    );
}

/// How many characters of `advance` pixels fit in `px`.
fn chars_in(px: i32, advance: f64) -> usize {
    if px <= 0 {
        0
    } else {
        (f64::from(px) / advance) as usize
    }
}

/// `s` on one line, cut to `max` characters with an ellipsis.
fn fit(s: &str, max: usize) -> String {
    let flat = s.chars().map(|c| if c.is_whitespace() { ' ' } else { c });
    if s.chars().count() <= max {
        return flat.collect();
    }
    if max == 0 {
        return String::new();
    }
    let mut cut: String = flat.take(max - 1).collect();
    cut.push('…');
    cut
}

/// `s` in lines of at most `width` characters, broken at spaces where it can
/// be, at most `max_lines` of them (the last ending in an ellipsis if cut).
fn wrap(s: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(2);
    let mut lines: Vec<Vec<char>> = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for word in s.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            if line.is_empty() && word.len() <= width {
                line = word;
                break;
            }
            if !line.is_empty() && line.len() + 1 + word.len() <= width {
                line.push(' ');
                line.extend(word);
                break;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let rest = word.split_off(width);
            lines.push(word);
            word = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.truncate(width - 1);
            last.push('…');
        }
    }
    lines.into_iter().map(String::from_iter).collect()
}

/// `s` as XML character data or attribute value. Characters XML 1.0 cannot
/// hold at all (most control characters) become U+FFFD.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' => out.push(c),
            c if c >= '\u{10000}' => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn step(kind: StepKind, actor: usize, from: Option<usize>, label: &str) -> Step {
        Step {
            kind,
            actor,
            from,
            label: label.into(),
            changes: vec![Change {
                actor,
                state: format!("after {label}"),
            }],
        }
    }

    /// Three lanes: a delivery, a loss, a timer, a crash and a recovery.
    pub(crate) fn sample() -> Counterexample {
        Counterexample {
            kind: CounterexampleKind::Violation,
            path: "0/3/1/2/0".into(),
            actors: vec!["TM".into(), "RM1".into(), "RM2".into()],
            steps: vec![
                step(StepKind::Deliver, 0, Some(1), "Prepared { rm: 1 }"),
                step(StepKind::Drop, 2, Some(0), "Commit"),
                step(StepKind::Timeout, 2, None, "Prepare"),
                step(StepKind::Crash, 0, None, "crash"),
                step(StepKind::Recover, 0, None, "recover"),
            ],
            loop_start: None,
            final_states: vec![
                "Tm { tm_state: Committed, tm_prepared: {1, 2}, log: [Commit, Commit, Commit, Commit, Commit, Commit, Commit, Commit, Commit, Commit, Commit] }".into(),
                "Rm { rm_state: Committed }".into(),
                "Rm { rm_state: Prepared }".into(),
            ],
        }
    }

    /// Tags open and close in order, and every `&` starts an entity: a
    /// well-formedness check without an XML parser.
    pub(crate) fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.trim_end().ends_with("</svg>"));
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(open) = rest.find('<') {
            assert!(!rest[..open].contains('>'), "stray '>' in text");
            check_entities(&rest[..open]);
            let close = rest[open..].find('>').expect("unclosed tag") + open;
            let tag = &rest[open + 1..close];
            assert!(!tag.contains('<'), "'<' inside a tag: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().expect("tag name");
                stack.push(name);
            }
            check_entities(tag);
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            rest = &rest[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(rest.trim().is_empty());
    }

    fn check_entities(s: &str) {
        for (i, _) in s.match_indices('&') {
            let entity = &s[i..s[i..].find(';').map_or(s.len(), |e| i + e + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&entity),
                "bad entity {entity:?}"
            );
        }
    }

    #[test]
    fn draws_every_lane_step_and_final_state() {
        let ce = sample();
        let svg = sequence_diagram(&ce, "2pc: agreement");
        assert_well_formed(&svg);
        for lane in &ce.actors {
            assert!(svg.contains(&format!(">{lane}</text>")), "lane {lane}");
        }
        for n in 1..=ce.steps.len() {
            assert!(
                svg.contains(&format!("class=\"num\">{n}</text>")),
                "step {n}"
            );
        }
        assert!(svg.contains("Prepared { rm: 1 }"));
        assert!(svg.contains("timer Prepare"));
        assert!(
            svg.contains("stroke-dasharray=\"5 3\""),
            "the loss is dashed"
        );
        assert!(svg.contains(">crash</text>") && svg.contains(">recover</text>"));
        assert!(svg.contains("violated here"));
        // The long final state is cut in the box but whole in its tooltip.
        assert!(svg.contains(&format!("<title>{}</title>", esc(&ce.final_states[0]))));
        assert!(svg.contains('…'));
        // The tooltip of a step reads as the terminal prints it.
        assert!(svg.contains("<title>1. RM1 -&gt; TM  Prepared { rm: 1 }\nTM = after"));
    }

    #[test]
    fn output_is_deterministic() {
        let ce = sample();
        assert_eq!(sequence_diagram(&ce, "t"), sequence_diagram(&ce, "t"));
    }

    #[test]
    fn escapes_markup_in_labels_names_and_states() {
        let mut ce = sample();
        ce.steps[0].label = "Put { key: \"<&>\", v: 'x' }".into();
        ce.actors[2] = "R<2>".into();
        ce.final_states[1] = "a & b".into();
        let svg = sequence_diagram(&ce, "title <&>");
        assert_well_formed(&svg);
        assert!(svg.contains("Put { key: &quot;&lt;&amp;&gt;&quot;, v: &#39;x&#39; }"));
        assert!(svg.contains("R&lt;2&gt;"));
        assert!(svg.contains("a &amp; b"));
        assert!(svg.contains("<title>title &lt;&amp;&gt;</title>"));
        assert!(!svg.contains("<&>"));
        // Control characters XML cannot hold are replaced.
        ce.steps[1].label = "bell\u{7}".into();
        assert!(!sequence_diagram(&ce, "t").contains('\u{7}'));
    }

    #[test]
    fn every_ending_is_labelled() {
        let mut ce = sample();
        for (kind, words) in [
            (CounterexampleKind::Violation, "violated here"),
            (CounterexampleKind::Deadlock, "no step is enabled"),
            (CounterexampleKind::Example, ">example<"),
            (CounterexampleKind::Bounded, "cut off by the bound"),
        ] {
            ce.kind = kind;
            let svg = sequence_diagram(&ce, "t");
            assert!(svg.contains(words), "{kind:?}");
        }
    }

    #[test]
    fn survives_odd_input() {
        // No steps, an action lane, a step naming an unknown actor, a
        // message to oneself, an empty name.
        let mut ce = sample();
        ce.steps.clear();
        assert_well_formed(&sequence_diagram(&ce, "empty"));
        let plain = Counterexample {
            kind: CounterexampleKind::Example,
            path: "0".into(),
            actors: vec!["system".into()],
            steps: vec![step(StepKind::Action, 0, None, "TmRcvPrepared(1)")],
            loop_start: None,
            final_states: vec!["{ tm: init }".into()],
        };
        assert_well_formed(&sequence_diagram(&plain, "plain"));
        let mut lasso = sample();
        lasso.kind = CounterexampleKind::Lasso;
        lasso.loop_start = Some(2);
        let svg = sequence_diagram(&lasso, "lasso");
        assert_well_formed(&svg);
        assert!(
            svg.contains("repeat forever"),
            "the loop is drawn as a band"
        );
        let mut odd = sample();
        odd.steps.push(step(StepKind::Deliver, 5, Some(5), "Ping"));
        odd.steps.push(step(StepKind::Drop, 1, None, "Ping"));
        odd.steps.push(step(StepKind::Random, 1, None, "3"));
        odd.actors[1].clear();
        let svg = sequence_diagram(&odd, "odd");
        assert_well_formed(&svg);
        assert!(svg.contains(">actor 1</text>") && svg.contains(">actor 5</text>"));
    }

    #[test]
    fn notes_say_what_each_step_changed() {
        let mut ce = sample();
        ce.steps.truncate(2);
        ce.steps[0].changes[0].state = "Tm { votes: {1}, decided: false }".into();
        ce.steps[1].changes = vec![
            Change {
                actor: 0,
                state: "Tm { votes: {1}, decided: true }".into(),
            },
            Change {
                actor: 2,
                state: "Rm { aborted: true }".into(),
            },
        ];
        // Without the initial states, an actor's first change is its whole
        // new state; later changes are diffs.
        let svg = sequence_diagram(&ce, "t");
        assert_well_formed(&svg);
        assert!(svg.contains("class=\"small note halo\">Tm { votes: {1}, decided: false }<"));
        assert!(svg.contains(">decided: true</text>"), "{svg}");
        assert!(svg.contains(">Rm { aborted: true }</text>"));
        // With them, every note is a diff.
        let initial = [
            "Tm { votes: {}, decided: false }".to_string(),
            "Rm { aborted: false }".into(),
            "Rm { aborted: false }".into(),
        ];
        let svg = sequence_diagram_with(
            &ce,
            "t",
            &Options {
                initial_states: Some(&initial),
                plain_end: None,
                mark: None,
            },
        );
        assert!(svg.contains(">votes: {1}</text>"), "{svg}");
        assert!(svg.contains(">aborted: true</text>"));
        // Every step is a selectable row, naming its actors (the acting
        // lane, then the sender's); every lane's parts name the lane.
        for (i, step) in ce.steps.iter().enumerate() {
            let actors = match step.from {
                Some(from) if from != step.actor => format!("{} {from}", step.actor),
                _ => step.actor.to_string(),
            };
            assert!(svg.contains(&format!(
                "<g class=\"step\" data-step=\"{}\" data-actors=\"{actors}\">",
                i + 1
            )));
        }
        for lane in 0..3 {
            assert!(svg.contains(&format!("<g class=\"lane\" data-lane=\"{lane}\">")));
            assert!(svg.contains(&format!("<line class=\"lane-line\" data-lane=\"{lane}\"")));
            assert!(svg.contains(&format!("<g class=\"final\" data-lane=\"{lane}\">")));
        }
        assert_eq!(svg.matches("class=\"hit\"").count(), 2);
    }

    #[test]
    fn a_lassos_loop_is_a_named_band() {
        let mut ce = sample();
        assert!(!sequence_diagram(&ce, "t").contains("loop-band"));
        ce.kind = CounterexampleKind::Lasso;
        ce.loop_start = Some(1);
        let svg = sequence_diagram(&ce, "t");
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<rect class=\"loop-band\"").count(), 1);
        assert!(svg.contains("loop: the steps below repeat forever"));
    }

    #[test]
    fn a_plain_end_replaces_the_verdict() {
        let svg = sequence_diagram_with(
            &sample(),
            "t",
            &Options {
                initial_states: None,
                plain_end: Some("end of the path"),
                mark: None,
            },
        );
        assert_well_formed(&svg);
        assert!(svg.contains(">end of the path<") && !svg.contains("violated here"));
    }

    #[test]
    fn a_loop_has_a_head_clear_of_its_first_step() {
        let mut lasso = sample();
        lasso.kind = CounterexampleKind::Lasso;
        let plain = Layout::new(&lasso, &Options::default());
        lasso.loop_start = Some(2);
        let l = Layout::new(&lasso, &Options::default());
        assert_eq!(l.row_top(1), plain.row_top(1));
        assert_eq!(l.row_top(2), plain.row_top(2) + LOOP_HEAD_H);
        // A loop_start past the steps draws no loop.
        lasso.loop_start = Some(99);
        assert!(!sequence_diagram(&lasso, "t").contains("repeat forever"));
    }

    #[test]
    fn wraps_and_fits() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("a\nb", 3), "a b");
        assert_eq!(wrap("aa bb cc", 5, 3), ["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3, 5), ["abc", "def", "gh"]);
        assert_eq!(wrap("aa bb cc dd", 5, 1), ["aa b…"]);
        assert!(wrap("", 5, 3).is_empty());
    }
}
