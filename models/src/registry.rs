//! The registry's types: what every protocol declares about itself, and the
//! one place where a user's variant and `-p key=value` choices are checked.
//!
//! The CLI, the reports and the snapshot tests read only this table, so a
//! protocol, its parameters, properties, variants and expected verdicts are
//! listed once.

use checker::{CheckOptions, CheckSummary, Describe, Progress, PropertyKind, Verdict};
use presentation::explorer::Opened;
use serde::Serialize;
use stateright::Model;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;

/// Parameter values by name, every declared parameter present.
pub type Params = BTreeMap<&'static str, i64>;

/// One typed, bounded parameter of a protocol.
#[derive(Debug, Serialize)]
pub struct ParamSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
}

/// A rule tying parameters together that their ranges alone cannot say,
/// such as "fewer crashes than workers". `check` returns the complaint, which
/// names the values the parameter may take given the others.
pub struct ParamRule {
    /// The rule in words, as `dsw show` lists it.
    pub doc: &'static str,
    pub check: fn(&Params) -> Result<(), String>,
}

impl std::fmt::Debug for ParamRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.doc)
    }
}

impl Serialize for ParamRule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.doc)
    }
}

/// One property, as the model declares it, with where it comes from.
#[derive(Debug, Serialize)]
pub struct PropertySpec {
    pub name: &'static str,
    pub kind: PropertyKind,
    /// Paper and section.
    pub source: &'static str,
}

/// A variant of the protocol: the correct one, or one known bug.
#[derive(Debug, Serialize)]
pub struct VariantSpec {
    pub name: &'static str,
    pub doc: &'static str,
    /// Verdicts that differ from a correct protocol's (`always` and
    /// `eventually` hold, `sometimes` finds an example).
    pub expect: &'static [(&'static str, Verdict)],
}

/// A named configuration besides the default that `check --all` also runs,
/// such as "the coordinator may crash".
#[derive(Debug, Serialize)]
pub struct ScenarioSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub variant: &'static str,
    pub params: &'static [(&'static str, i64)],
    /// Fairness other than the protocol's, if the scenario is about it.
    pub fairness: Option<checker::Fairness>,
    pub expect: &'static [(&'static str, Verdict)],
}

/// The variant every protocol has: no bug.
pub const CORRECT: &str = "correct";

/// What a real UDP run found.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub model: String,
    pub variant: String,
    /// Over all nodes: messages that left a node (`sent`; one the fault
    /// injector duplicated counts once), datagrams a node received and
    /// handled (`received`, duplicates included), messages the fault
    /// injector dropped instead of sending (`lost`), and datagrams a node
    /// received but could not read as a message (`malformed`).
    pub sent: usize,
    pub received: usize,
    pub lost: usize,
    pub malformed: usize,
    /// Wall time of the run (real runs are not deterministic).
    pub seconds: f64,
    /// What the clients observed, one line per operation.
    pub observations: Vec<String>,
    /// Each `always` property of the model on the recorded run, and
    /// whether the workload finished in time.
    pub checks: Vec<(String, bool)>,
    /// When a check failed: every node's last state and the recorded
    /// history, the values and nodes that break it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// Every recorded event with its Lamport time, for `dsw run --trace`
    /// (of a run over one seed; empty where a protocol does not keep it).
    #[serde(skip)]
    pub trace: Vec<runtime::trace::TraceEvent>,
    /// With `--fuzz`: the hostile datagrams sent, by kind; `malformed`
    /// counts those that reached a node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<runtime::fuzz::FuzzReport>,
    /// The recorded run replayed through the model
    /// ([`crate::validate`]): its steps matched, or the first that the
    /// model cannot take.
    pub validation: crate::validate::Validation,
}

/// Options of a real run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub duration: std::time::Duration,
    pub loss: f64,
    pub duplicate: f64,
    pub seed: u64,
    /// How many runs, with seeds `seed`, `seed + 1`, ...: swim's and
    /// raft's measurements take several; every other protocol runs one.
    pub seeds: u64,
    /// Crash a node mid-run if the protocol chooses one
    /// ([`crate::runner::Runnable::crash`]; raft: its leader); false runs
    /// without (`dsw run --no-crash`).
    pub crash: bool,
    /// Keep the run's storage directory and say where it is.
    pub keep_storage: bool,
    /// The nemesis (`dsw run --nemesis`): faults on a schedule drawn from
    /// the seed, instead of the protocol's own crash.
    pub nemesis: Option<NemesisOptions>,
    /// Hostile datagrams sent to the nodes during the run (`dsw run
    /// --fuzz`, [`runtime::fuzz`]).
    pub fuzz: u64,
    /// A node made to misbehave ([`runtime::Tamper`]): tests of trace
    /// validation only, never set by `dsw`.
    #[doc(hidden)]
    pub tamper: Option<runtime::Tamper>,
    /// Run each node as its own OS process (`dsw run --processes`).
    pub processes: Option<crate::processes::ProcessOptions>,
    /// Run one node only, as this process (`dsw node`).
    pub node: Option<crate::processes::NodeOptions>,
}

/// `dsw run <model>`'s defaults: 5 s, no loss or duplication, seed 0, one
/// run, the protocol's own crash, storage removed, no nemesis, no fuzz.
impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            duration: std::time::Duration::from_secs(5),
            loss: 0.0,
            duplicate: 0.0,
            seed: 0,
            seeds: 1,
            crash: true,
            keep_storage: false,
            nemesis: None,
            fuzz: 0,
            tamper: None,
            processes: None,
            node: None,
        }
    }
}

/// What the nemesis may do, and where its schedule goes before the run.
#[derive(Clone)]
pub struct NemesisOptions {
    pub kinds: Vec<runtime::faults::Kind>,
    /// Called with each line of the schedule before the run starts.
    pub announce: fn(&str),
}

impl std::fmt::Debug for NemesisOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NemesisOptions {:?}", self.kinds)
    }
}

impl RunOptions {
    /// Whether the protocol's own crash happens: asked for, and no
    /// nemesis (which alone crashes nodes when there is one).
    pub fn own_crash(&self) -> bool {
        self.crash && self.nemesis.is_none()
    }

    /// The runtime's configuration for one run with these options' seed.
    pub fn run_config(&self) -> runtime::RunConfig {
        runtime::RunConfig {
            duration: self.duration,
            loss: self.loss,
            duplicate: self.duplicate,
            seed: self.seed,
            keep_storage: self.keep_storage,
            nemesis: Vec::new(),
            fuzz: self.fuzz,
            tamper: self.tamper,
        }
    }
}

/// `check(variant, params, options, on_progress)`.
pub type CheckFn = fn(&str, &Params, &CheckOptions, &mut dyn FnMut(&Progress)) -> CheckSummary;
/// `explore(variant, params, site, listener)`: serves the explorer on the
/// model until the returned server is dropped.
pub type ExploreFn = fn(
    &str,
    &Params,
    presentation::explorer::Site,
    std::net::TcpListener,
) -> std::io::Result<presentation::explorer::Server>;
/// `replay(variant, params, trace, claim, out)`: follows an ITF trace on
/// the model ([`checker::replay::replay`]), each line to `out`.
pub type ReplayFn = fn(
    &str,
    &Params,
    &checker::replay::Trace,
    &checker::replay::Claim,
    &mut dyn FnMut(&str),
) -> checker::replay::Outcome;
/// `compare(variant, params, options, property, also_correct, given,
/// on_progress)`: the bug variant checked, and its counterexample to
/// `property` (or to its first violated property, those in `also_correct`
/// last) followed on the correct variant ([`checker::compare::compare`]);
/// with `given`, that counterexample instead, and no check.
pub type CompareFn = fn(
    &str,
    &Params,
    &CheckOptions,
    Option<&str>,
    &[&str],
    Option<Given<'_>>,
    &mut dyn FnMut(&Progress),
) -> Result<checker::compare::Comparison, String>;

/// A counterexample already found (by the catalog's check, or a path the
/// explorer shows) for [`CompareFn`] to follow without checking again.
#[derive(Clone, Copy, Debug)]
pub struct Given<'a> {
    pub property: &'a str,
    pub kind: checker::PropertyKind,
    pub ce: &'a checker::Counterexample,
}
/// `run(variant, params, options)`.
pub type RunFn = fn(&str, &Params, &RunOptions) -> Result<RunReport, String>;

/// Every protocol is one of these.
pub struct Protocol {
    /// The CLI id, kebab-case as in CATALOG.md.
    pub name: &'static str,
    /// The course section it belongs to.
    pub section: &'static str,
    pub summary: &'static str,
    pub citations: &'static [&'static str],
    /// Markdown for the report page, after the sources: how to read the
    /// checks, when the verdicts alone do not tell the story. Empty for none.
    pub notes: &'static str,
    pub params: &'static [ParamSpec],
    /// Rules between parameters, checked after each one's range.
    pub param_rules: &'static [ParamRule],
    pub properties: &'static [PropertySpec],
    /// The correct variant first, then the known bugs.
    pub variants: &'static [VariantSpec],
    pub scenarios: &'static [ScenarioSpec],
    /// The fairness its liveness properties assume, unless `--fairness`
    /// says otherwise.
    pub fairness: checker::Fairness,
    /// Builds the model and checks it.
    pub check: CheckFn,
    /// Serves the workbench's explorer on the model ([`serve_explorer`]).
    pub explore: ExploreFn,
    /// Follows an ITF trace of the model ([`replay_config`]).
    pub replay: ReplayFn,
    /// Follows a bug variant's counterexample on the correct variant
    /// ([`compare_config`]).
    pub compare: CompareFn,
    /// Runs the actors over real UDP on loopback, if the protocol supports it.
    pub run: Option<RunFn>,
}

impl std::fmt::Debug for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Protocol")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The candidate closest to a mistyped `name`, if one is close: within an
/// edit distance of a third of its length (at least 2), or starting with
/// it. Phrased for an error message: `; did you mean "paxos"?`.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    use checker::compare::distance;
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= limit || (!name.is_empty() && c.starts_with(name)))
        .min()
        .map_or(String::new(), |(_, c)| format!("; did you mean \"{c}\"?"))
}

/// A user's choice was not valid. The message names the valid choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError(pub String);

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

impl ScenarioSpec {
    /// The `dsw check` arguments that give this scenario by hand:
    /// `--variant correct -p retry=1 --fairness weak`.
    pub fn arguments(&self) -> String {
        let mut args = format!("--variant {}", self.variant);
        for (k, v) in self.params {
            args.push_str(&format!(" -p {k}={v}"));
        }
        if let Some(f) = self.fairness {
            args.push_str(&format!(" --fairness {}", f.name()));
        }
        args
    }
}

impl Protocol {
    /// The variant called `name`, or an error listing the known ones.
    pub fn variant(&self, name: &str) -> Result<&VariantSpec, InputError> {
        self.variants
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| {
                InputError(format!(
                    "unknown variant \"{name}\" of {}; known: {}{}",
                    self.name,
                    self.variants
                        .iter()
                        .map(|v| v.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                    did_you_mean(name, self.variants.iter().map(|v| v.name))
                ))
            })
    }

    /// The property called `name`, or an error listing the known ones.
    pub fn property(&self, name: &str) -> Result<&PropertySpec, InputError> {
        self.properties
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| {
                let known = self.properties.iter().map(|p| p.name);
                InputError(format!(
                    "unknown property \"{name}\" of {}; known: {}{}",
                    self.name,
                    known.clone().collect::<Vec<_>>().join(", "),
                    did_you_mean(name, known)
                ))
            })
    }

    /// The scenario called `name`, or an error listing the known ones.
    pub fn scenario(&self, name: &str) -> Result<&ScenarioSpec, InputError> {
        self.scenarios
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| {
                let known: Vec<&str> = self.scenarios.iter().map(|s| s.name).collect();
                InputError(format!(
                    "unknown scenario \"{name}\" of {}; known: {}{}",
                    self.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    },
                    did_you_mean(name, known.iter().copied())
                ))
            })
    }

    /// Every parameter at its default.
    pub fn default_params(&self) -> Params {
        self.params.iter().map(|p| (p.name, p.default)).collect()
    }

    /// The defaults with `overrides` (`key=value` strings) applied, each
    /// checked for a known name, an integer value and the declared range,
    /// then against the protocol's rules between parameters.
    pub fn params_with(&self, overrides: &[String]) -> Result<Params, InputError> {
        let mut params = self.default_params();
        for kv in overrides {
            let Some((key, value)) = kv.split_once('=') else {
                return Err(InputError(format!(
                    "parameter \"{kv}\" is not of the form key=value; {}",
                    self.param_list()
                )));
            };
            let (key, value) = (key.trim(), value.trim());
            let Some(spec) = self.params.iter().find(|p| p.name == key) else {
                return Err(InputError(format!(
                    "unknown parameter \"{key}\" of {}; {}{}",
                    self.name,
                    self.param_list(),
                    did_you_mean(key, self.params.iter().map(|p| p.name))
                )));
            };
            let Ok(v) = value.parse::<i64>() else {
                return Err(InputError(format!(
                    "parameter {key} takes an integer from {} to {}, not \"{value}\"",
                    spec.min, spec.max
                )));
            };
            if !(spec.min..=spec.max).contains(&v) {
                return Err(InputError(format!(
                    "parameter {key} = {v} is out of range; it takes {} to {}",
                    spec.min, spec.max
                )));
            }
            params.insert(spec.name, v);
        }
        for rule in self.param_rules {
            (rule.check)(&params).map_err(InputError)?;
        }
        Ok(params)
    }

    fn param_list(&self) -> String {
        if self.params.is_empty() {
            return "it takes no parameters".into();
        }
        let list: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{} ({}..={}, default {})", p.name, p.min, p.max, p.default))
            .collect();
        format!("known: {}", list.join(", "))
    }

    /// The verdict the registry expects of `property` under these overrides.
    pub fn expected(&self, property: &PropertySpec, overrides: &[(&str, Verdict)]) -> Verdict {
        overrides
            .iter()
            .find(|(name, _)| *name == property.name)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| property.kind.verdict_without_discovery().correct())
    }
}

/// The verdict a correct protocol has for a property of this kind.
trait Correct {
    fn correct(self) -> Verdict;
}

impl Correct for Verdict {
    fn correct(self) -> Verdict {
        match self {
            Verdict::NoExample => Verdict::ExampleFound,
            v => v,
        }
    }
}

/// A protocol's configuration: built from checked parameters and a variant,
/// serialised into every summary, and turned into a checkable model.
pub trait Config: Serialize + Sized {
    type Model: Model + Describe + checker::liveness::FairnessClasses + Send + Sync + 'static;
    /// `variant` is one of the registry's names; `params` holds every
    /// declared parameter within its range.
    fn new(variant: &str, params: &Params) -> Self;
    fn into_model(self) -> Self::Model;
    /// What the model declares besides its properties: refinements, a view,
    /// a decision predicate. Nothing, unless the protocol says otherwise.
    fn analyses(_model: &Self::Model) -> checker::Analyses<Self::Model> {
        checker::Analyses::none()
    }
}

/// A protocol's `Bug` enum: the correct variant and each known bug, by the
/// names the registry and the CLI use.
pub trait BugVariant: Copy + 'static {
    /// Every variant, the correct one first.
    const ALL: &'static [Self];
    /// The variant's name (`correct`, or the bug's kebab-case name).
    fn name(self) -> &'static str;
}

/// The bug a registry variant names. The CLI has checked the name against
/// the registry, and the tests check the registry's variants against every
/// `Bug` enum, so a failure here is a registry bug, not bad input.
pub fn bug<B: BugVariant>(variant: &str) -> B {
    B::ALL
        .iter()
        .copied()
        .find(|b| b.name() == variant)
        .unwrap_or_else(|| panic!("variant {variant:?} is in the registry but not in the Bug enum"))
}

/// `Protocol::check` for any [`Config`]. With `opts.itf`, the model is
/// built a second time after the check, to replay every printed
/// counterexample and keep its states ([`checker::itf::fill`]).
pub fn check_config<C>(
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary
where
    C: Config,
    <C::Model as Model>::State:
        Clone + Debug + Hash + PartialEq + checker::itf::ItfState + Send + Sync + 'static,
    <C::Model as Model>::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    let cfg = C::new(variant, params);
    let mut config = serde_json::to_value(&cfg).unwrap_or(serde_json::Value::Null);
    // A config names its bug as the CLI does (`no-relay`, `correct`), not
    // as the Rust enum does (`NoRelay`, `None`).
    if let Some(bug) = config.get_mut("bug") {
        *bug = serde_json::Value::from(variant);
    }
    let model = cfg.into_model();
    let analyses = C::analyses(&model);
    let mut summary = checker::check_with(model, analyses, opts, on_progress);
    summary.variant = variant.to_string();
    summary.config = config;
    if opts.itf {
        checker::itf::fill(&C::new(variant, params).into_model(), &mut summary);
    }
    summary
}

/// `Protocol::replay` for any [`Config`]: the model and what it declares
/// besides its properties, built as a check builds them, with the trace
/// followed on it.
pub fn replay_config<C>(
    variant: &str,
    params: &Params,
    trace: &checker::replay::Trace,
    claim: &checker::replay::Claim,
    out: &mut dyn FnMut(&str),
) -> checker::replay::Outcome
where
    C: Config,
    <C::Model as Model>::State: Clone + PartialEq + checker::itf::ItfState,
    <C::Model as Model>::Action: Clone,
{
    let model = C::new(variant, params).into_model();
    let analyses = C::analyses(&model);
    checker::replay::replay(&model, &analyses, trace, claim, out)
}

/// `Protocol::compare` for any [`Config`]: the bug variant checked as
/// `dsw check` checks it, its counterexample to `property` (or to the
/// first property it violates, preferring one not in `also_correct`, which
/// the correct protocol violates too) taken, and that schedule followed on the
/// correct variant at the same parameters. Says why not when the check
/// shows no such counterexample.
pub fn compare_config<C>(
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    property: Option<&str>,
    also_correct: &[&str],
    given: Option<Given<'_>>,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<checker::compare::Comparison, String>
where
    C: Config,
    <C::Model as Model>::State:
        Clone + Debug + Hash + PartialEq + checker::itf::ItfState + Send + Sync + 'static,
    <C::Model as Model>::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    let follow = |name: &str, kind, ce: &checker::Counterexample| {
        let buggy = C::new(variant, params).into_model();
        let buggy_analyses = C::analyses(&buggy);
        let correct = C::new(CORRECT, params).into_model();
        let correct_analyses = C::analyses(&correct);
        let pair = checker::compare::Pair {
            buggy: &buggy,
            buggy_analyses: &buggy_analyses,
            variant,
            correct: &correct,
            correct_analyses: &correct_analyses,
        };
        checker::compare::compare(&pair, name, kind, opts.fairness, ce)
    };
    if let Some(g) = given {
        return follow(g.property, g.kind, g.ce);
    }
    let summary = check_config::<C>(variant, params, opts, on_progress);
    let violated: Vec<&checker::PropertyResult> = summary
        .properties
        .iter()
        .filter(|p| p.verdict == Verdict::Violated && p.counterexample.is_some())
        .collect();
    let names = || {
        if violated.is_empty() {
            "none".to_string()
        } else {
            violated
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let found = match property {
        Some(name) => violated.iter().find(|p| p.name == name).ok_or_else(|| {
            format!(
                "variant {variant} does not violate \"{name}\" here ({}); it violates: {}",
                summary
                    .property(name)
                    .map_or("no such property", |p| p.verdict.as_str()),
                names()
            )
        })?,
        None if violated.is_empty() => {
            return Err(format!(
                "variant {variant} violates no property here, so there is no counterexample to follow"
            ))
        }
        None => violated
            .iter()
            .find(|p| !also_correct.contains(&p.name.as_str()))
            .ok_or_else(|| {
                format!(
                    "variant {variant} violates here only what correct violates too ({}), so on its schedule both fail and the comparison shows nothing the bug does; name one with --property to compare anyway",
                    names()
                )
            })?,
    };
    let ce = found
        .counterexample
        .as_ref()
        .expect("a violated property here has a counterexample");
    follow(&found.name, found.kind, ce)
}

/// `Protocol::explore` for any [`Config`]: the workbench's explorer
/// ([`presentation::explorer`]) on the model, served on `listener`; it
/// opens ITF traces of the same configuration ([`itf_target`]).
pub fn explore_config<C>(
    variant: &str,
    params: &Params,
    mut site: presentation::explorer::Site,
    listener: std::net::TcpListener,
) -> std::io::Result<presentation::explorer::Server>
where
    C: Config,
    <C::Model as Model>::State:
        Clone + Debug + Hash + PartialEq + checker::itf::ItfState + Send + Sync + 'static,
    <C::Model as Model>::Action: Clone + Debug + PartialEq + Send + Sync + 'static,
{
    let model = C::new(variant, params).into_model();
    let analyses = C::analyses(&model);
    site.load = {
        let (name, variant, params) = (site.model.clone(), variant.to_string(), params.clone());
        // A function pointer, so the closure need not outlive `C`.
        let target: fn(&str, &str, &Params, &str) -> Result<Opened, String> = trace_target::<C>;
        Some(std::sync::Arc::new(move |text: &str| {
            target(&name, &variant, &params, text)
        }))
    };
    presentation::explorer::serve(listener, model, analyses, site)
}

/// The explorer's page of a trace file's `text`, told by its content: an
/// ITF trace ([`itf_target`]) or a real run's trace
/// ([`crate::run_trace`]), followed on `model`'s `variant` at `params`.
pub fn trace_target<C>(
    model: &str,
    variant: &str,
    params: &Params,
    text: &str,
) -> Result<Opened, String>
where
    C: Config,
    <C::Model as Model>::State: Clone + PartialEq + checker::itf::ItfState,
    <C::Model as Model>::Action: Clone,
{
    let events = match crate::run_trace::format(text)? {
        crate::run_trace::Format::Itf => {
            return itf_target::<C>(model, variant, params, text).map(|target| Opened {
                target,
                ..Opened::default()
            })
        }
        crate::run_trace::Format::Run(events) => events,
    };
    let built = C::new(variant, params).into_model();
    let analyses = C::analyses(&built);
    let followed = crate::run_trace::follow(&built, &analyses, &events)?;
    let mut divergence = followed.divergence.clone();
    // `dsw run` runs the configuration given with retransmission on
    // (`Runnable::for_real_network`): say so where the served one has it off.
    if let (Some(d), Some(0)) = (&mut divergence, params.get("retransmit")) {
        d.push_str(&format!(
            " (dsw run runs {model} with retransmit=1: open the trace with -p retransmit=1)"
        ));
    }
    let path: Vec<String> = followed.indices.iter().map(usize::to_string).collect();
    Ok(Opened {
        target: format!("/path/{}", path.join("/")),
        notes: vec![format!("{}.", followed.summary())],
        divergence,
    })
}

/// The explorer's address (`/path/0/3/1?property=P&loop=K`) of the ITF
/// trace `text`, followed on `model`'s `variant` at `params` (the
/// configuration the explorer serves, which the trace's `#meta` must name),
/// or why it is not a path of it.
pub fn itf_target<C>(
    model: &str,
    variant: &str,
    params: &Params,
    text: &str,
) -> Result<String, String>
where
    C: Config,
    <C::Model as Model>::State: Clone + PartialEq + checker::itf::ItfState,
    <C::Model as Model>::Action: Clone,
{
    let replay = crate::itf_replay::parse(text)?;
    if replay.protocol.name != model || replay.variant != variant || replay.params != *params {
        return Err(format!(
            "the trace is of {}; the explorer serves {model} ({variant}){}{}: open it with \
             dsw explore {} --trace FILE",
            replay.target(),
            if params.is_empty() { "" } else { " " },
            params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" "),
            replay.protocol.name
        ));
    }
    let built = C::new(variant, params).into_model();
    let analyses = C::analyses(&built);
    let indices = checker::replay::path(&built, &analyses, &replay.trace).map_err(|o| match o {
        checker::replay::Outcome::Diverges { at, what, diff } => {
            let mut why = format!("the model parts from the trace at state {at}: {what}");
            for line in diff {
                why.push_str(&format!(" {line};"));
            }
            why.trim_end_matches(';').to_string()
        }
        other => format!("the trace is not a path of the model: {other:?}"),
    })?;
    let mut target = format!(
        "/path/{}?property={}",
        indices
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("/"),
        presentation::explorer::route::percent_encode(&replay.claim.property)
    );
    if let Some(k) = replay.trace.loop_index {
        target.push_str(&format!("&loop={k}"));
    }
    Ok(target)
}

/// Serves the explorer for `protocol`'s `variant` at `params` on `listener`:
/// what `dsw explore` runs. Its check (started from the index page) is the
/// protocol's at `fairness` (a scenario's own, or the protocol's default),
/// breadth first on one thread; paths that stop are judged at it too.
pub fn serve_explorer(
    protocol: &'static Protocol,
    variant: &str,
    params: &Params,
    fairness: checker::Fairness,
    listener: std::net::TcpListener,
) -> std::io::Result<presentation::explorer::Server> {
    let site = presentation::explorer::Site {
        model: protocol.name.to_string(),
        variant: variant.to_string(),
        params: params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" "),
        sources: protocol
            .properties
            .iter()
            .map(|p| (p.name.to_string(), p.source.to_string()))
            .collect(),
        fairness,
        // Set by the protocol's explore function, which knows its model.
        load: None,
        check: {
            let (variant, params) = (variant.to_string(), params.clone());
            Box::new(move |progress: &mut dyn FnMut(&Progress)| {
                let opts = CheckOptions {
                    fairness,
                    ..CheckOptions::default()
                };
                let mut summary = (protocol.check)(&variant, &params, &opts, progress);
                summary.model = protocol.name.to_string();
                summary
            })
        },
        compare: (variant != CORRECT).then(|| {
            let (variant, params) = (variant.to_string(), params.clone());
            let compare: presentation::explorer::CompareFn = Box::new(move |property, kind, ce| {
                crate::compare_given(
                    protocol,
                    &variant,
                    &params,
                    fairness,
                    Given { property, kind, ce },
                )
            });
            compare
        }),
    };
    (protocol.explore)(variant, params, site, listener)
}
