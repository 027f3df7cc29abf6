//! An ITF trace followed on the model (`dsw check --replay FILE`): the
//! inverse of [`crate::itf`].
//!
//! The trace is matched by what it says, never by the indices of the
//! path it came from (Stateright's action order follows its hash maps,
//! which are seeded per process): state 0 must equal the encoding
//! ([`ItfState`]) of one of the model's initial states, and each next state
//! the encoding of a successor of the current one, reached by an action
//! described ([`Describe::describe_step`]) as the file's `action` says.
//! Candidates that match encode equal, so which one is followed does not
//! matter and the replay prints the same lines on every run; where none
//! matches, the closest candidate (the recorded action first, then the
//! fewest differing values, then the text of its encoding) is shown as a
//! diff against the file.
//!
//! Once the trace is followed, what its `#meta` claims (a violation of
//! `property`, a lasso, a run that stops, ...) is judged again on the
//! replayed states: the model's own properties, its leads-to properties,
//! refinements and decision predicate ([`Analyses`]), and for runs that
//! stop or loop, the fairness the file names.

use crate::analyses::Analyses;
use crate::describe::Describe;
use crate::itf::{ItfState, ACTION_VAR, BIVALENT};
use crate::liveness::{stop_among, Fairness, FairnessClasses, Stop};
use crate::summary::{CounterexampleKind, Step, StepKind};
use serde_json::{Map, Value};
use stateright::{Expectation, Model};
use std::collections::BTreeSet;

/// The variable a trace whose states have an `action` field of their own
/// names its steps by ([`crate::itf::trace`]).
const OTHER_ACTION_VAR: &str = "dsw_action";

/// At most this many differences are printed for a divergence.
const DIFF_LINES: usize = 8;

/// An ITF trace as `dsw check --itf` writes it, read back.
#[derive(Clone, Debug, PartialEq)]
pub struct Trace {
    /// `#meta`, whose values [`crate::itf`] writes as strings.
    pub meta: Map<String, Value>,
    pub vars: Vec<String>,
    /// Each state's variables, without `#meta` and the action variable.
    pub states: Vec<Map<String, Value>>,
    /// Each state's action variable, if it has one.
    pub actions: Vec<Option<Value>>,
    /// For a lasso: the index of the state the last one returns to.
    pub loop_index: Option<usize>,
}

impl Trace {
    /// Reads an ITF trace, or says why `text` is not one.
    pub fn parse(text: &str) -> Result<Trace, String> {
        let doc: Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON ({e}), so not ITF"))?;
        let Value::Object(mut doc) = doc else {
            return Err("not an ITF trace: the document is not a JSON object".into());
        };
        let meta = match doc.remove("#meta") {
            Some(Value::Object(m)) => m,
            None => Map::new(),
            Some(_) => return Err("not an ITF trace: #meta is not an object".into()),
        };
        let vars: Vec<String> = match doc.remove("vars") {
            Some(Value::Array(vs)) => vs
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(format!(
                        "not an ITF trace: a variable name is {other}, not a string"
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => return Err("not an ITF trace: it has no \"vars\" list".into()),
        };
        let action_var = if vars.iter().any(|v| v == OTHER_ACTION_VAR) {
            OTHER_ACTION_VAR
        } else {
            ACTION_VAR
        };
        let Some(Value::Array(raw)) = doc.remove("states") else {
            return Err("not an ITF trace: it has no \"states\" list".into());
        };
        if raw.is_empty() {
            return Err("the trace has no states".into());
        }
        let mut states = Vec::with_capacity(raw.len());
        let mut actions = Vec::with_capacity(raw.len());
        for (i, s) in raw.into_iter().enumerate() {
            let Value::Object(mut record) = s else {
                return Err(format!("not an ITF trace: state {i} is not an object"));
            };
            record.remove("#meta");
            actions.push(record.remove(action_var));
            states.push(record);
        }
        let loop_index = match doc.remove("loop") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(k) if (k as usize) < states.len() => Some(k as usize),
                _ => {
                    return Err(format!(
                        "\"loop\" is {v}; it must be the index of a state, 0 to {}",
                        states.len() - 1
                    ))
                }
            },
        };
        Ok(Trace {
            meta,
            vars,
            states,
            actions,
            loop_index,
        })
    }

    /// `#meta.key` as a string, if it is one.
    pub fn meta_str(&self, key: &str) -> Option<&str> {
        self.meta.get(key).and_then(Value::as_str)
    }
}

/// What the trace's `#meta` says it shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// The property (or [`BIVALENT`]).
    pub property: String,
    pub kind: CounterexampleKind,
    /// Which infinite runs count, for runs that stop or loop.
    pub fairness: Fairness,
    /// Who claims it, as the judgement's words name them ("the file").
    pub by: String,
}

impl Claim {
    /// The claim of a trace written by `dsw check --itf`, or what its
    /// `#meta` lacks.
    pub fn of(trace: &Trace) -> Result<Claim, String> {
        let get = |key: &str| {
            trace.meta_str(key).ok_or_else(|| {
                format!("#meta has no \"{key}\" (a trace written by dsw check --itf has one)")
            })
        };
        let property = get("property")?.to_string();
        let kind = get("counterexample")?;
        let kind = CounterexampleKind::from_name(kind).ok_or_else(|| {
            format!(
                "#meta.counterexample is \"{kind}\"; known: violation, example, deadlock, \
                 stutter, lasso, bounded, refinement"
            )
        })?;
        let fairness = get("fairness")?;
        let fairness = Fairness::ALL
            .into_iter()
            .find(|f| f.name() == fairness)
            .ok_or_else(|| {
                format!("#meta.fairness is \"{fairness}\"; known: none, weak, strong")
            })?;
        Ok(Claim {
            property,
            kind,
            fairness,
            by: "the file".to_string(),
        })
    }
}

/// How a replay ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Followed to the end, and the replayed run shows what `#meta` says.
    Shows(String),
    /// Followed to the end, but the run does not show it: why.
    DoesNotShow(String),
    /// State `at` (0 for the initial state) is not the model's: what
    /// happened, then the differences from the closest candidate.
    Diverges {
        at: usize,
        what: String,
        diff: Vec<String>,
    },
}

impl Outcome {
    /// Followed to the end and showing what the file says.
    pub fn ok(&self) -> bool {
        matches!(self, Outcome::Shows(_))
    }
}

/// A state as the trace's variables: the record of an actor model's state,
/// or one variable `state` for a state that is not a record (as
/// [`crate::itf::trace`] writes it).
pub fn record_of(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(m) if !m.keys().any(|k| k.starts_with('#')) => m,
        other => Map::from_iter([("state".to_string(), other)]),
    }
}

/// One candidate for the next state.
struct Candidate {
    step: Option<Step>,
    record: Map<String, Value>,
    action_matches: bool,
}

/// Follows `trace` on `model`, calling `out` with each line as it goes
/// (the initial state, then one line per step), and judges `claim` on the
/// run if the trace is followed to its end.
pub fn replay<M>(
    model: &M,
    analyses: &Analyses<M>,
    trace: &Trace,
    claim: &Claim,
    out: &mut dyn FnMut(&str),
) -> Outcome
where
    M: Model + Describe + FairnessClasses,
    M::State: ItfState + Clone + PartialEq,
    M::Action: Clone,
{
    match follow(model, analyses, trace, out) {
        Ok(run) => judge(
            model,
            analyses,
            claim,
            trace.loop_index,
            &run.states,
            &run.actions,
        ),
        Err(diverges) => diverges,
    }
}

/// The path `trace` takes on `model` in the explorer's encoding (the
/// initial state's index, then each step's index among the actions enabled
/// before it, as [`crate::summary::Counterexample::path`] has it), or where
/// and why the model parts from it ([`Outcome::Diverges`]).
pub fn path<M>(model: &M, analyses: &Analyses<M>, trace: &Trace) -> Result<Vec<usize>, Outcome>
where
    M: Model + Describe,
    M::State: ItfState + Clone + PartialEq,
    M::Action: Clone,
{
    follow(model, analyses, trace, &mut |_| {}).map(|run| run.indices)
}

/// A trace followed on the model.
struct Followed<M: Model> {
    states: Vec<M::State>,
    actions: Vec<M::Action>,
    /// The initial state's index, then each action's among those enabled.
    indices: Vec<usize>,
}

fn follow<M>(
    model: &M,
    analyses: &Analyses<M>,
    trace: &Trace,
    out: &mut dyn FnMut(&str),
) -> Result<Followed<M>, Outcome>
where
    M: Model + Describe,
    M::State: ItfState + Clone + PartialEq,
    M::Action: Clone,
{
    let lanes = model.lanes();
    let encode = |s: &M::State| s.itf().map(record_of).map_err(|e| e.to_string());

    // State 0: one of the initial states.
    let mut inits = Vec::new();
    for (i, s) in model.init_states().into_iter().enumerate() {
        match encode(&s) {
            Ok(record) => inits.push((i, s, record)),
            Err(e) => {
                return Err(Outcome::Diverges {
                    at: 0,
                    what: format!("initial state {i} of the model does not encode: {e}"),
                    diff: Vec::new(),
                })
            }
        }
    }
    let Some(found) = inits.iter().position(|(_, _, r)| *r == trace.states[0]) else {
        let candidates = inits
            .iter()
            .map(|(_, _, record)| Candidate {
                step: None,
                record: record.clone(),
                action_matches: true,
            })
            .collect::<Vec<_>>();
        let (what, diff) = closest(&lanes, &trace.states[0], &candidates);
        return Err(Outcome::Diverges {
            at: 0,
            what: format!(
                "state 0 is none of the model's {} initial state{}{what}",
                inits.len(),
                if inits.len() == 1 { "" } else { "s" }
            ),
            diff,
        });
    };
    let (index, first, _) = inits.swap_remove(found);
    out(&format!("  state 0: initial state {index} of the model"));
    let mut run: Vec<M::State> = vec![first];
    let mut taken: Vec<M::Action> = Vec::new();
    let mut indices = vec![index];

    for at in 1..trace.states.len() {
        let current = run.last().expect("a run has a state");
        let recorded = trace.actions[at].as_ref();
        let mut actions = Vec::new();
        model.actions(current, &mut actions);
        let mut candidates = Vec::new();
        for (i, action) in actions.into_iter().enumerate() {
            if analyses.excluded.as_ref().is_some_and(|x| x(&action)) {
                continue;
            }
            let Some(next) = model.next_state(current, action.clone()) else {
                continue;
            };
            let record = match encode(&next) {
                Ok(r) => r,
                Err(e) => {
                    return Err(Outcome::Diverges {
                        at,
                        what: format!("a successor of state {} does not encode: {e}", at - 1),
                        diff: Vec::new(),
                    })
                }
            };
            let step = model.describe_step(current, &action, &next);
            let action_matches = recorded.is_none_or(|r| *r == crate::itf::step_action(&step));
            if action_matches && record == trace.states[at] {
                let viewed = match &analyses.view {
                    Some(view) => view(&next),
                    None => next.clone(),
                };
                if !model.within_boundary(&viewed) {
                    return Err(Outcome::Diverges {
                        at,
                        what: format!(
                            "state {at} is the model's, but outside its boundary{}, which no check goes beyond",
                            analyses
                                .boundary
                                .as_ref()
                                .map_or(String::new(), |b| format!(" ({b})"))
                        ),
                        diff: Vec::new(),
                    });
                }
                out(&format!("  {at:>3}. {}", step_words(&lanes, &step)));
                run.push(next);
                taken.push(action);
                indices.push(i);
                candidates.clear();
                break;
            }
            candidates.push(Candidate {
                step: Some(step),
                record,
                action_matches,
            });
        }
        if run.len() == at + 1 {
            continue;
        }
        if candidates.is_empty() {
            return Err(Outcome::Diverges {
                at,
                what: format!(
                    "the model has no step from state {}: nothing is enabled there",
                    at - 1
                ),
                diff: Vec::new(),
            });
        }
        let recorded_words = recorded.map_or("no recorded action".to_string(), |r| {
            recorded_action_words(&lanes, r)
        });
        if let Some(c) = candidates.iter().find(|c| c.record == trace.states[at]) {
            let step = c.step.as_ref().expect("a step's candidate has a step");
            return Err(Outcome::Diverges {
                at,
                what: format!(
                    "the model reaches state {at} from state {}, but by {}, not by the recorded {recorded_words}",
                    at - 1,
                    step_words(&lanes, step)
                ),
                diff: Vec::new(),
            });
        }
        let (what, diff) = closest(&lanes, &trace.states[at], &candidates);
        return Err(Outcome::Diverges {
            at,
            what: format!(
                "no step of the model from state {} (of {} enabled) leads to state {at} by the recorded {recorded_words}{what}",
                at - 1,
                candidates.len()
            ),
            diff,
        });
    }
    Ok(Followed {
        states: run,
        actions: taken,
        indices,
    })
}

/// The closest candidate to `file`, as words and a diff: the recorded
/// action first, then the fewest differences, then the text of its
/// encoding (never the model's action order).
fn closest(
    lanes: &[String],
    file: &Map<String, Value>,
    candidates: &[Candidate],
) -> (String, Vec<String>) {
    let file = Value::Object(file.clone());
    let sides = crate::state_diff::Sides {
        lanes,
        left: "the file",
        right: "the model",
    };
    let best = candidates
        .iter()
        .map(|c| {
            let model = Value::Object(c.record.clone());
            let mut lines = Vec::new();
            let n = crate::state_diff::diff(&sides, &file, &model, &mut lines);
            (!c.action_matches, n, model.to_string(), lines, c)
        })
        .min_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    let Some((_, n, _, mut lines, c)) = best else {
        return (String::new(), Vec::new());
    };
    let which = match (&c.step, c.action_matches) {
        (Some(_), true) => "; by the recorded step the model reaches".to_string(),
        (Some(step), false) => format!(
            "; the closest successor, by {}, is",
            step_words(lanes, step)
        ),
        (None, _) => "; the closest initial state is".to_string(),
    };
    if lines.len() > DIFF_LINES {
        lines.truncate(DIFF_LINES);
        lines.push(format!("... and {} more", n - DIFF_LINES));
    }
    (
        format!(
            "{which} a state that differs in {n} value{} (file vs model):",
            if n == 1 { "" } else { "s" }
        ),
        lines,
    )
}

/// A step in a line, as counterexamples print it.
pub fn step_words(lanes: &[String], step: &Step) -> String {
    let lane = |i: usize| lanes.get(i).map_or("?", String::as_str);
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

/// The file's `action` of a step, in words.
fn recorded_action_words(lanes: &[String], action: &Value) -> String {
    let kind = match action["kind"].as_str() {
        Some("deliver") => Some(StepKind::Deliver),
        Some("drop") => Some(StepKind::Drop),
        Some("timeout") => Some(StepKind::Timeout),
        Some("crash") => Some(StepKind::Crash),
        Some("recover") => Some(StepKind::Recover),
        Some("random") => Some(StepKind::Random),
        Some("action") => Some(StepKind::Action),
        _ => None,
    };
    match (kind, action["actor"].as_u64(), action["label"].as_str()) {
        (Some(kind), Some(actor), Some(label)) => format!(
            "step ({})",
            step_words(
                lanes,
                &Step {
                    kind,
                    actor: actor as usize,
                    from: action["from"].as_u64().map(|f| f as usize),
                    label: label.to_string(),
                    changes: Vec::new(),
                }
            )
        ),
        _ => format!("action {}", crate::state_diff::short(action)),
    }
}

/// What a run shows of `claim`: its states `run` (the initial one first)
/// and the actions `taken` between them; for a lasso, `loop_index` is the
/// state the last one returns to. A replayed trace's run is judged so, and
/// so is the correct protocol's run on a bug's schedule (`dsw compare`).
pub fn judge<M>(
    model: &M,
    analyses: &Analyses<M>,
    claim: &Claim,
    loop_index: Option<usize>,
    run: &[M::State],
    taken: &[M::Action],
) -> Outcome
where
    M: Model + FairnessClasses,
    M::State: Clone + PartialEq,
    M::Action: Clone,
{
    let last = run.len() - 1;
    let name = claim.property.as_str();
    let by = claim.by.as_str();
    let properties = model.properties();
    let property = properties.iter().find(|p| p.name == name);
    let at = |i: usize| {
        if i == 0 {
            "in the initial state (state 0)".to_string()
        } else {
            format!("at step {i}")
        }
    };
    // Where the run is bad forever, for the kinds that end a liveness
    // counterexample: every state from `from` on.
    let bad_from: Result<(usize, String), String> = if name == BIVALENT {
        match &analyses.decision {
            Some(d) => match run.iter().position(|s| (d.decided)(s) != 0) {
                None => Ok((
                    0,
                    "no state of the run has decided (that each stays bivalent, with two \
                     decisions reachable, needs the search and is not judged again here)"
                        .to_string(),
                )),
                Some(i) => Err(format!("the run decides {}", at(i))),
            },
            None => Err("the model declares no decision predicate".to_string()),
        }
    } else if let Some(p) = property.filter(|p| p.expectation == Expectation::Eventually) {
        match run.iter().position(|s| (p.condition)(model, s)) {
            None => Ok((
                0,
                format!("\"{name}\" holds in none of its {} states", run.len()),
            )),
            Some(i) => Err(format!("\"{name}\" holds {}", at(i))),
        }
    } else if let Some(l) = analyses.leads_to.iter().find(|l| l.name == name) {
        // The first state where P holds and Q never holds from there on.
        let q_after: Vec<bool> = {
            let mut any = false;
            let mut v: Vec<bool> = run
                .iter()
                .rev()
                .map(|s| {
                    any |= (l.q)(s);
                    any
                })
                .collect();
            v.reverse();
            v
        };
        match (0..run.len()).find(|&i| (l.p)(&run[i]) && !q_after[i]) {
            Some(i) => Ok((
                i,
                format!(
                    "its condition holds {} and what it leads to holds in none of the {} states from there",
                    at(i),
                    run.len() - i
                ),
            )),
            None => Err(format!(
                "no state of the run has \"{name}\"'s condition without what it leads to holding then or later"
            )),
        }
    } else {
        Err(String::new())
    };
    // `ending`: the first state of how the run ends (its last state for a
    // stop, the loop's first for a lasso). As the check judges it, the
    // model's workload bound cuts a state's future, so a run may not end
    // there; it may pass through such a state on the way.
    let liveness = |ending_from: usize, ending: String| -> Outcome {
        match &bad_from {
            Ok((from, words)) => {
                if let Some(h) = &analyses.horizon {
                    let mut ends = ending_from.max(*from)..run.len();
                    if let Some(i) = ends.find(|&i| (h.reached)(&run[i])) {
                        return Outcome::DoesNotShow(format!(
                            "{words}, but state {i} is at the model's workload bound ({}): the run may stop or stay there only because of the bound",
                            h.words
                        ));
                    }
                }
                Outcome::Shows(format!("{words}; {ending}"))
            }
            Err(why) if why.is_empty() => unknown(model, analyses, name),
            Err(why) => Outcome::DoesNotShow(format!("{why}, so the run does not violate it")),
        }
    };
    // Fair classes of the enabled steps of `s` (excluded ones left out).
    let enabled = |s: &M::State| -> Vec<Option<u64>> {
        let mut actions = Vec::new();
        model.actions(s, &mut actions);
        actions
            .into_iter()
            .filter(|a| !analyses.excluded.as_ref().is_some_and(|x| x(a)))
            .filter(|a| model.next_state(s, a.clone()).is_some())
            .map(|a| model.fairness_class(&a))
            .collect()
    };
    match claim.kind {
        CounterexampleKind::Violation | CounterexampleKind::Example => {
            let Some(p) = property else {
                return unknown(model, analyses, name);
            };
            let want = claim.kind == CounterexampleKind::Example;
            let (what, kind) = if want {
                ("holds", Expectation::Sometimes)
            } else {
                ("is violated", Expectation::Always)
            };
            if p.expectation != kind {
                return Outcome::DoesNotShow(format!(
                    "{by} claims a {} of \"{name}\", which is not an {} property of the model",
                    claim.kind.name(),
                    if want { "sometimes" } else { "always" }
                ));
            }
            match run.iter().position(|s| (p.condition)(model, s) == want) {
                Some(i) if i == last => Outcome::Shows(format!(
                    "\"{name}\" {what} {}, the trace's last state, as {by} says",
                    at(i)
                )),
                Some(i) => Outcome::Shows(format!(
                    "\"{name}\" {what} {} (before the trace's last state, {last})",
                    at(i)
                )),
                None => Outcome::DoesNotShow(format!(
                    "\"{name}\" never {} on the run's {} states",
                    if want { "holds" } else { "fails" },
                    run.len()
                )),
            }
        }
        CounterexampleKind::Deadlock => {
            let out = enabled(&run[last]);
            if out.is_empty() {
                liveness(last, format!(
                    "and no step is enabled in its last state ({last}): the run stops there, as {by} says"
                ))
            } else {
                Outcome::DoesNotShow(format!(
                    "{by} says the run stops with no step enabled, but {} step{} enabled in its last state ({last})",
                    out.len(),
                    if out.len() == 1 { " is" } else { "s are" }
                ))
            }
        }
        CounterexampleKind::Stutter => {
            let out = enabled(&run[last]);
            match stop_among(out.iter().map(Option::is_some), claim.fairness) {
                Some(Stop::Stutter) => liveness(last, format!(
                    "and of the {} steps enabled in its last state ({last}), {} fairness demands none: the run may stop there, as {by} says",
                    out.len(),
                    claim.fairness.name()
                )),
                Some(Stop::Deadlock) => liveness(last, format!(
                    "and no step at all is enabled in its last state ({last}): the run stops there"
                )),
                None => Outcome::DoesNotShow(format!(
                    "{by} says the run may stop in its last state ({last}), but {} fairness demands one of the steps enabled there",
                    claim.fairness.name()
                )),
            }
        }
        CounterexampleKind::Lasso => {
            let Some(k) = loop_index else {
                return Outcome::DoesNotShow(
                    format!("{by} says the run is a lasso, but it has no \"loop\""),
                );
            };
            let view = |s: &M::State| match &analyses.view {
                Some(v) => v(s),
                None => s.clone(),
            };
            if last == k || view(&run[last]) != view(&run[k]) {
                return Outcome::DoesNotShow(format!(
                    "{by} says the run loops back to state {k}, but its last state ({last}) is not state {k}{}",
                    if analyses.view.is_some() { " (under the model's view)" } else { "" }
                ));
            }
            // The loop's states are k..last (the last is state k again), its
            // steps those taken from them.
            // With a view, the check judged fairness on the view's states
            // and edges (its classes name the messages there, ballots
            // and all), so the loop is judged on them too: a step takes
            // the class of any action from the viewed state to the next
            // viewed state.
            let (classes, taken_classes): (Vec<Vec<Option<u64>>>, BTreeSet<u64>) =
                if analyses.view.is_some() {
                    let viewed: Vec<M::State> = run[k..=last].iter().map(view).collect();
                    let classes = viewed[..viewed.len() - 1].iter().map(enabled).collect();
                    let mut taken = BTreeSet::new();
                    for w in viewed.windows(2) {
                        let mut actions = Vec::new();
                        model.actions(&w[0], &mut actions);
                        for a in actions {
                            if analyses.excluded.as_ref().is_some_and(|x| x(&a)) {
                                continue;
                            }
                            let class = model.fairness_class(&a);
                            if let (Some(c), Some(n)) = (class, model.next_state(&w[0], a)) {
                                if view(&n) == w[1] {
                                    taken.insert(c);
                                }
                            }
                        }
                    }
                    (classes, taken)
                } else {
                    let classes = run[k..last].iter().map(enabled).collect();
                    let taken = taken[k..last]
                        .iter()
                        .filter_map(|a| model.fairness_class(a))
                        .collect();
                    (classes, taken)
                };
            // The classes fairness demands be taken in the loop: under weak
            // fairness those enabled in every state of it, under strong
            // those enabled in any.
            let sets = classes
                .iter()
                .map(|c| c.iter().flatten().copied().collect::<BTreeSet<u64>>());
            let demanded: BTreeSet<u64> = match claim.fairness {
                Fairness::None => BTreeSet::new(),
                Fairness::Weak => sets
                    .reduce(|a, b| a.intersection(&b).copied().collect())
                    .unwrap_or_default(),
                Fairness::Strong => sets.flatten().collect(),
            };
            let starved = demanded.difference(&taken_classes).count();
            if starved > 0 {
                return Outcome::DoesNotShow(format!(
                    "the loop from state {k} is not fair under {} fairness: {starved} class{} of steps it keeps enabled {} never taken in it",
                    claim.fairness.name(),
                    if starved == 1 { "" } else { "es" },
                    if starved == 1 { "is" } else { "are" }
                ));
            }
            liveness(k, format!(
                "and its last state ({last}) is state {k} again{}: the loop of {} step{} repeats forever, fair under {} fairness, as {by} says",
                if analyses.view.is_some() { " (under the model's view)" } else { "" },
                last - k,
                if last - k == 1 { "" } else { "s" },
                claim.fairness.name()
            ))
        }
        // An inconclusive run: the bound the file names, the check's or
        // the model's workload bound, is what it claims, so reaching the
        // model's bound does not refute it.
        CounterexampleKind::Bounded => match &bad_from {
            Ok((_, words)) => Outcome::Shows(format!(
                "{words}; {by} says a bound cut the run off here (inconclusive), and a replay cannot see further either"
            )),
            Err(why) if why.is_empty() => unknown(model, analyses, name),
            Err(why) => Outcome::DoesNotShow(format!("{why}, so the run does not violate it")),
        },
        CounterexampleKind::Refinement => {
            let Some(r) = analyses.refinements.iter().find(|r| r.name == name) else {
                return unknown(model, analyses, name);
            };
            if !r.judged() {
                return Outcome::DoesNotShow(format!(
                    "\"{name}\" is not judged in this configuration: {}",
                    r.unjudged.as_deref().unwrap_or("")
                ));
            }
            if !r.maps_init(&run[0]) {
                return Outcome::Shows(format!(
                    "the initial state maps to no initial state of the spec: \"{name}\" fails in state 0{}",
                    if last == 0 { format!(", as {by} says") } else { String::new() }
                ));
            }
            match (1..run.len()).find(|&i| !r.maps_step(&run[i - 1], &run[i])) {
                Some(i) => Outcome::Shows(format!(
                    "step {i} is neither a step of the spec nor a stutter: \"{name}\" fails at step {i}{}",
                    if i == last {
                        format!(", the trace's last, as {by} says")
                    } else {
                        format!(" (before the trace's last step, {last})")
                    }
                )),
                None => Outcome::DoesNotShow(format!(
                    "every step of the run maps to a step of the spec or a stutter: \"{name}\" does not fail on it"
                )),
            }
        }
    }
}

/// The file names a property the model does not have.
fn unknown<M: Model>(model: &M, analyses: &Analyses<M>, name: &str) -> Outcome {
    let mut known: Vec<String> = model
        .properties()
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    known.extend(analyses.leads_to.iter().map(|l| l.name.clone()));
    known.extend(analyses.refinements.iter().map(|r| r.name.clone()));
    Outcome::DoesNotShow(format!(
        "the model has no property \"{name}\" of the kind the file claims; its properties: {}",
        known.join(", ")
    ))
}
