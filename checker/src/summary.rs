//! What a check produces: verdicts and counterexamples, as plain data that the
//! CLI prints, `--json` serialises, the reports render and the snapshots keep.

use serde::{Deserialize, Serialize};

/// Which temporal operator a property uses (Stateright's `Expectation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PropertyKind {
    /// A safety property: true in every reachable state.
    Always,
    /// A reachability property: true in some reachable state.
    Sometimes,
    /// A liveness property: every run reaches a state where it is true.
    Eventually,
    /// A leads-to property `P ~> Q`: on every run, every state where `P`
    /// holds is followed, at it or later, by one where `Q` holds (see
    /// [`crate::analyses::LeadsTo`]).
    LeadsTo,
    /// A refinement: every step maps to a step of an abstract spec or a
    /// stutter (see [`crate::analyses::Refinement`]).
    Refines,
}

impl PropertyKind {
    /// The verdict a property of this kind has when nothing was discovered.
    pub fn verdict_without_discovery(self) -> Verdict {
        match self {
            PropertyKind::Always
            | PropertyKind::Eventually
            | PropertyKind::LeadsTo
            | PropertyKind::Refines => Verdict::Holds,
            PropertyKind::Sometimes => Verdict::NoExample,
        }
    }

    /// Whether a violation is a run that never reaches a state: one that
    /// stops, a lasso, or `bounded` when the search was cut off.
    pub fn is_liveness(self) -> bool {
        matches!(self, PropertyKind::Eventually | PropertyKind::LeadsTo)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PropertyKind::Always => "always",
            PropertyKind::Sometimes => "sometimes",
            PropertyKind::Eventually => "eventually",
            PropertyKind::LeadsTo => "leads-to",
            PropertyKind::Refines => "refines",
        }
    }
}

impl From<stateright::Expectation> for PropertyKind {
    fn from(e: stateright::Expectation) -> Self {
        match e {
            stateright::Expectation::Always => PropertyKind::Always,
            stateright::Expectation::Sometimes => PropertyKind::Sometimes,
            stateright::Expectation::Eventually => PropertyKind::Eventually,
        }
    }
}

/// The outcome for one property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// `always`/`eventually`: no counterexample in the explored space.
    Holds,
    /// `always`/`eventually`: a counterexample was found.
    Violated,
    /// `sometimes`: a state satisfying it was reached.
    ExampleFound,
    /// `sometimes`: no explored state satisfies it (the property is vacuous here).
    NoExample,
    /// Not shown either way: the search was cut off before it could tell
    /// (a limit, the model's bound, a simulation), or the strategy cannot
    /// judge a property of this kind (lassos under DFS). The result's
    /// `reason` says which. Never counted as a proof or as a violation.
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Violated => "violated",
            Verdict::ExampleFound => "example-found",
            Verdict::NoExample => "no-example",
            Verdict::Inconclusive => "inconclusive",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        [
            Verdict::Holds,
            Verdict::Violated,
            Verdict::ExampleFound,
            Verdict::NoExample,
            Verdict::Inconclusive,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one step of a counterexample did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// A message was delivered to `actor` from `from`.
    Deliver,
    /// The network lost a message on its way from `from` to `actor`.
    Drop,
    /// A timer of `actor` fired.
    Timeout,
    /// `actor` crashed, losing its volatile state.
    Crash,
    /// `actor` restarted from its durable storage.
    Recover,
    /// `actor` made a nondeterministic choice.
    Random,
    /// A step of a plain (non-actor) model, such as an abstract spec.
    Action,
}

/// One step of a counterexample, in the model's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    /// Index of the acting (receiving) actor, its swimlane in a diagram.
    pub actor: usize,
    /// Index of the sender, for deliveries and drops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<usize>,
    /// The message, timer or action, as the model prints it.
    pub label: String,
    /// Actor states this step changed.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<Change>,
}

/// An actor's state after a step that changed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub actor: usize,
    pub state: String,
}

/// How a counterexample ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CounterexampleKind {
    /// `always`: the last state breaks the property.
    Violation,
    /// `sometimes`: the last state is the example.
    Example,
    /// `eventually`: the run ends in a state with no enabled step, and the
    /// property never held on it.
    Deadlock,
    /// `eventually`: the run stops in a state where steps are enabled but
    /// fairness demands none of them (a crash, a loss, or anything under no
    /// fairness): nothing more need happen, and the property never held.
    Stutter,
    /// `eventually`: an infinite run, fair under the check's fairness, on
    /// which the property never holds; `loop_start` says where it repeats.
    Lasso,
    /// `eventually`: the run was cut off by the checking bound; inconclusive.
    Bounded,
    /// `refines`: the last step maps to no step of the abstract spec, and
    /// is not a stutter either.
    Refinement,
}

impl CounterexampleKind {
    /// Every kind, in declaration order.
    pub const ALL: [CounterexampleKind; 7] = [
        CounterexampleKind::Violation,
        CounterexampleKind::Example,
        CounterexampleKind::Deadlock,
        CounterexampleKind::Stutter,
        CounterexampleKind::Lasso,
        CounterexampleKind::Bounded,
        CounterexampleKind::Refinement,
    ];

    /// The kind's name as JSON and ITF files write it (`lasso`).
    pub fn name(self) -> &'static str {
        match self {
            CounterexampleKind::Violation => "violation",
            CounterexampleKind::Example => "example",
            CounterexampleKind::Deadlock => "deadlock",
            CounterexampleKind::Stutter => "stutter",
            CounterexampleKind::Lasso => "lasso",
            CounterexampleKind::Bounded => "bounded",
            CounterexampleKind::Refinement => "refinement",
        }
    }

    /// The kind [`CounterexampleKind::name`] names.
    pub fn from_name(name: &str) -> Option<CounterexampleKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// A path from an initial state, as readable steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    pub kind: CounterexampleKind,
    /// Stateright's action-index encoding of the path (`0/3/1`), which the
    /// explorer opens at `/path/<path>`.
    pub path: String,
    /// The actors' names, one swimlane each.
    pub actors: Vec<String>,
    pub steps: Vec<Step>,
    /// For a lasso: the index in `steps` where the loop starts; the steps
    /// from there on repeat forever.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub loop_start: Option<usize>,
    /// Every actor's state at the end of the path.
    pub final_states: Vec<String>,
}

/// The verdict of one property.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyResult {
    pub name: String,
    pub kind: PropertyKind,
    pub verdict: Verdict,
    /// For an `eventually` property with a counterexample: `lasso`,
    /// `deadlock` or `bounded` (the same as `counterexample.kind`, here for
    /// scripts that only read the verdicts).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub counterexample_kind: Option<CounterexampleKind>,
    /// For a lasso: where its loop starts in the counterexample's steps.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub loop_start: Option<usize>,
    /// For an inconclusive verdict: why the search could not tell.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// How long a check took. Kept apart so that snapshots and reports, which
/// must be deterministic, can leave it out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub seconds: f64,
    pub states_per_second: f64,
}

/// Everything one check found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckSummary {
    pub model: String,
    pub variant: String,
    /// The protocol's configuration as it was checked.
    pub config: serde_json::Value,
    pub strategy: String,
    pub threads: usize,
    /// Which infinite runs counted against `eventually` properties.
    pub fairness: crate::liveness::Fairness,
    /// States generated, including revisits.
    pub states: usize,
    pub unique_states: usize,
    pub max_depth: usize,
    /// False when a limit (`--max-states`, `--max-depth`, `--timeout`), the
    /// model's bound, or the strategy (a simulation) left part of the space
    /// unexplored. Then no verdict says `holds` (or `no-example`) unless the
    /// part that decides it was explored whole.
    pub complete: bool,
    /// What cut the search short, in words, when it is not complete.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cut_off_by: Vec<String>,
    pub properties: Vec<PropertyResult>,
    /// Valence analysis, when the model declares a decision predicate.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub valence: Option<ValenceSummary>,
    /// Whether the model's declared symmetry reduced the search, when it
    /// declares one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub symmetry: Option<SymmetryUse>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
    /// With [`CheckOptions::itf`](crate::CheckOptions::itf): the states of
    /// every counterexample `dsw check` prints, as ITF expressions
    /// ([`crate::itf::fill`], called by whoever knows the model's states
    /// serialise: the registry). Not part of the JSON output.
    #[serde(skip)]
    pub itf_states: Vec<crate::itf::States>,
}

/// What a check did with the model's declared symmetry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SymmetryUse {
    /// What is interchangeable: "the RMs".
    pub what: String,
    /// True when the search stored one state per orbit (the counts are
    /// then orbits).
    pub applied: bool,
    /// Why it was not applied, or what it leaves undecided.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

/// Valence analysis (Fischer, Lynch & Paterson 1985, §3): which decisions
/// each initial state can still reach, and whether a fair run can stay
/// undecided with two decisions still open forever.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValenceSummary {
    /// The decision values, as the model names them.
    pub values: Vec<String>,
    /// Per initial state: the decision values reachable from it.
    pub initial: Vec<Vec<String>>,
    /// Initial states from which two or more values are reachable.
    pub bivalent_initial: usize,
    /// Explored states that are bivalent: undecided, two or more values
    /// reachable.
    pub bivalent_states: usize,
    /// False when the search was cut off: what is reachable is then only
    /// what was seen.
    pub complete: bool,
    /// A fair run through bivalent states only, a lasso, if there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bivalent_forever: Option<Counterexample>,
}

impl ValenceSummary {
    /// Each initial state's reachable values, joined by `and`, or `none`.
    pub fn initial_words(&self, and: &str, none: &str) -> Vec<String> {
        self.initial
            .iter()
            .map(|values| match values.len() {
                0 => none.to_owned(),
                _ => values.join(and),
            })
            .collect()
    }
}

impl CheckSummary {
    /// True when some property is violated (not merely inconclusive).
    pub fn any_violation(&self) -> bool {
        self.properties
            .iter()
            .any(|p| p.verdict == Verdict::Violated)
    }

    /// True when nothing is violated but some verdict, or the valence
    /// analysis, could not be decided: not a proof (`dsw check` exits 3).
    pub fn any_inconclusive(&self) -> bool {
        self.properties
            .iter()
            .any(|p| p.verdict == Verdict::Inconclusive)
            || self.valence.as_ref().is_some_and(|v| !v.complete)
    }

    pub fn property(&self, name: &str) -> Option<&PropertyResult> {
        self.properties.iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::CounterexampleKind;

    /// The name files carry is the one serde writes in `--json`, and it
    /// reads back to the same kind.
    #[test]
    fn counterexample_kind_names_match_the_json_and_read_back() {
        for kind in CounterexampleKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
            assert_eq!(CounterexampleKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(CounterexampleKind::from_name("loop"), None);
    }
}
