//! A real run's trace (`dsw run --trace`) opened in the explorer as a path
//! of the model it serves: what `dsw explore --trace` and the page's upload
//! do with a file that is JSON lines of events rather than an ITF trace.
//!
//! Each recorded delivery, timer, random choice, crash and restart is the
//! model's step (the mapping of trace validation, [`crate::validate`], and
//! of `dsw shrink`, [`crate::shrink::trace_events`]): the enabled action
//! whose described step has the same kind, actor, sender and label. What
//! the step sends must be what the node recorded sending after it (its
//! `sent`, `lost` and `cut` lines up to its next step), in order. A
//! delivery or timer the model's actor ignores (no change) is no step of a
//! path. The first event the model cannot take ends the path, with why.
//!
//! What this does not judge, beside `dsw run`'s own validation: the
//! trace holds no state hashes, so a node's state is compared only through
//! what it sends; a node's start is the model's initial state.

use checker::analyses::Analyses;
use checker::describe::Describe;
use checker::shrink::Event;
use checker::summary::StepKind;
use runtime::trace::{TraceEvent, TraceKind};
use stateright::Model;

/// What a trace file is, told by its content.
pub enum Format {
    /// One JSON object with `#meta` and `states` (`dsw check --itf`).
    Itf,
    /// JSON lines of recorded events (`dsw run --trace`), parsed.
    Run(Vec<TraceEvent>),
}

const NEITHER: &str = "expected an ITF trace (one JSON object with #meta and states, as dsw check --itf writes) or a real run's trace (JSON lines of events, as dsw run --trace writes)";

/// Tells an ITF trace from a real run's trace. A file that is one JSON
/// object with neither `node` nor `kind` is taken for ITF (its reader says
/// what is missing); one whose first line is an object with `node` and
/// `kind` is read as JSON lines, a bad line named by its number.
pub fn format(text: &str) -> Result<Format, String> {
    let is_event = |v: &serde_json::Value| {
        v.as_object()
            .is_some_and(|o| o.contains_key("node") && o.contains_key("kind"))
    };
    if let Ok(whole) = serde_json::from_str::<serde_json::Value>(text) {
        if !is_event(&whole) {
            return if whole.is_object() {
                Ok(Format::Itf)
            } else {
                Err(format!("the file is JSON but not an object; {NEITHER}"))
            };
        }
    }
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    match serde_json::from_str::<serde_json::Value>(first) {
        Ok(v) if is_event(&v) => runtime::trace::parse(text)
            .map(Format::Run)
            .map_err(|e| format!("{e} (a real run's trace, as dsw run --trace writes)")),
        Ok(v) if v.is_object() => Ok(Format::Itf),
        _ => Err(format!("not JSON, or not a JSON object; {NEITHER}")),
    }
}

/// A real run's trace followed on a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Followed {
    /// The path in the explorer's encoding: the initial state, then each
    /// step's action index.
    pub indices: Vec<usize>,
    /// The trace's lines, and its model events (deliveries, timers, random
    /// choices, crashes, restarts).
    pub lines: usize,
    pub events: usize,
    /// Model events followed, and of those, ones the actor ignored (no
    /// step of the path).
    pub followed: usize,
    pub ignored: usize,
    /// The first recorded event the model cannot take, and why.
    pub divergence: Option<String>,
}

impl Followed {
    /// One line on what was followed.
    pub fn summary(&self) -> String {
        let steps = self.indices.len() - 1;
        let ignored = if self.ignored == 0 {
            String::new()
        } else {
            format!(", {} of them ignored by the actor (no step)", self.ignored)
        };
        let all = if self.divergence.is_none() {
            "all "
        } else {
            ""
        };
        format!(
            "a real run's trace: {all}{} of its {} model events followed{ignored}, a path of {steps} step{} ({} lines recorded)",
            self.followed,
            self.events,
            if steps == 1 { "" } else { "s" },
            self.lines
        )
    }
}

/// How a recorded event reads: its line, node and what happened.
fn recorded(e: &TraceEvent, line: usize, lanes: &[String]) -> String {
    let peer = |p: Option<usize>| {
        p.and_then(|p| lanes.get(p).cloned())
            .unwrap_or_else(|| format!("node {}", p.unwrap_or(0)))
    };
    let label = e.label.clone().unwrap_or_default();
    let what = match e.kind {
        TraceKind::Delivered => format!(
            "{} received {label} from {} (sent at L{})",
            e.name,
            peer(e.peer),
            e.sent_lamport.unwrap_or(0)
        ),
        TraceKind::Timer => format!("{}'s timer {label} fired", e.name),
        TraceKind::Crash => format!("{} crashed", e.name),
        TraceKind::Restart => format!("{} restarted", e.name),
        TraceKind::Chose => format!("{} chose {label}", e.name),
        _ => format!("{} {:?}", e.name, e.kind),
    };
    format!("line {line} (L{}): {what}", e.lamport)
}

/// The sends node `node` recorded after event `at`, up to its next step:
/// (receiver, label) in order.
fn recorded_sends(trace: &[TraceEvent], at: usize, node: usize) -> Vec<(usize, String)> {
    trace[at + 1..]
        .iter()
        .filter(|e| e.node == node && e.kind != TraceKind::Nemesis)
        .take_while(|e| {
            !matches!(
                e.kind,
                TraceKind::Delivered
                    | TraceKind::Timer
                    | TraceKind::Crash
                    | TraceKind::Restart
                    | TraceKind::Chose
            )
        })
        .filter(|e| matches!(e.kind, TraceKind::Sent | TraceKind::Lost | TraceKind::Cut))
        .map(|e| {
            (
                e.peer.unwrap_or(usize::MAX),
                e.label.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn show_sends(sends: &[(usize, String)], lanes: &[String]) -> String {
    if sends.is_empty() {
        return "nothing".into();
    }
    let shown: Vec<String> = sends
        .iter()
        .map(|(to, m)| {
            format!(
                "{m} to {}",
                lanes
                    .get(*to)
                    .cloned()
                    .unwrap_or_else(|| format!("node {to}"))
            )
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

/// The trace's nodes must be the model's actors: the same number at most,
/// and each node named as its lane (an unnamed actor's lane is `actor i`,
/// its node `node i`).
fn same_nodes(trace: &[TraceEvent], lanes: &[String]) -> Result<(), String> {
    for (i, e) in trace.iter().enumerate() {
        if e.kind == TraceKind::Nemesis {
            continue;
        }
        let fits = lanes.get(e.node).is_some_and(|lane| {
            *lane == e.name
                || (*lane == format!("actor {}", e.node) && e.name == format!("node {}", e.node))
        });
        if !fits {
            return Err(format!(
                "line {}: node {} is \"{}\", but the model's actor {} is {}: the trace is of another model or configuration (its actors: {})",
                i + 1,
                e.node,
                e.name,
                e.node,
                lanes
                    .get(e.node)
                    .map_or("missing".to_string(), |l| format!("\"{l}\"")),
                lanes.join(", ")
            ));
        }
    }
    Ok(())
}

/// Follows `trace` on `model` from its first initial state.
pub fn follow<M>(
    model: &M,
    analyses: &Analyses<M>,
    trace: &[TraceEvent],
) -> Result<Followed, String>
where
    M: Model + Describe,
    M::State: Clone,
    M::Action: Clone,
{
    let lanes = model.lanes();
    same_nodes(trace, &lanes)?;
    let (events, at) = crate::shrink::trace_events(trace);
    let mut state = model
        .init_states()
        .into_iter()
        .next()
        .ok_or("the model has no initial state")?;
    let mut found = Followed {
        indices: vec![0],
        lines: trace.len(),
        events: events.len(),
        followed: 0,
        ignored: 0,
        divergence: None,
    };
    for (event, &i) in events.iter().zip(&at) {
        let e = &trace[i];
        let what = recorded(e, i + 1, &lanes);
        if found.indices.len() > presentation::explorer::route::MAX_STEPS {
            found.divergence = Some(format!(
                "{what}: not followed, the explorer shows at most {} steps",
                presentation::explorer::route::MAX_STEPS
            ));
            break;
        }
        let mut actions = Vec::new();
        model.actions(&state, &mut actions);
        let mut others = Vec::new();
        let mut matched = None;
        for (index, a) in actions.into_iter().enumerate() {
            if analyses.excluded.as_ref().is_some_and(|x| x(&a)) {
                continue;
            }
            let next = model.next_state(&state, a.clone());
            let step = model.describe_step(&state, &a, next.as_ref().unwrap_or(&state));
            if event.matches(&step) {
                matched = Some((index, a, next));
                break;
            }
            if step.actor == event.actor && step.kind == event.kind {
                others.push(match step.from {
                    Some(f) => format!(
                        "{} from {}",
                        step.label,
                        lanes.get(f).cloned().unwrap_or_default()
                    ),
                    None => step.label,
                });
            }
        }
        let Some((index, action, next)) = matched else {
            found.divergence = Some(format!(
                "{what}: the model cannot take this step ({}); {}",
                not_enabled(event, &lanes),
                if others.is_empty() {
                    "the model has no step of that kind for it there".to_string()
                } else {
                    format!(
                        "the model's steps of that kind for it there: {}",
                        others.join("; ")
                    )
                }
            ));
            break;
        };
        if matches!(
            event.kind,
            StepKind::Deliver | StepKind::Timeout | StepKind::Random | StepKind::Recover
        ) {
            let expected = model.sent(&state, &action);
            let got = recorded_sends(trace, i, e.node);
            if expected != got {
                found.divergence = Some(format!(
                    "{what}: sends differ: the model's actor sends {}, the run recorded {}",
                    show_sends(&expected, &lanes),
                    show_sends(&got, &lanes)
                ));
                break;
            }
        }
        found.followed += 1;
        match next {
            Some(next) => {
                state = next;
                found.indices.push(index);
            }
            // An ignored delivery or timer changes nothing: no step.
            None => found.ignored += 1,
        }
    }
    Ok(found)
}

fn not_enabled(event: &Event, lanes: &[String]) -> String {
    let name = |i: usize| lanes.get(i).cloned().unwrap_or_else(|| format!("node {i}"));
    match event.kind {
        StepKind::Deliver => format!(
            "not enabled: no {} from {} is on its way to {} in the model",
            event.label,
            name(event.from.unwrap_or(usize::MAX)),
            name(event.actor)
        ),
        StepKind::Timeout => format!(
            "not enabled: {}'s timer {} is not set in the model",
            name(event.actor),
            event.label
        ),
        StepKind::Random => format!(
            "not enabled: {} has no pending choice {} in the model",
            name(event.actor),
            event.label
        ),
        StepKind::Crash => format!(
            "not enabled: the model cannot crash {} there (down already, or no crash left)",
            name(event.actor)
        ),
        StepKind::Recover => format!(
            "not enabled: {} is not down in the model",
            name(event.actor)
        ),
        _ => "not enabled".into(),
    }
}
