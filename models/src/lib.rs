//! Every protocol of the course as Stateright actors, and the registry that
//! lists them. A protocol module says what the protocol *is*; checking,
//! reports and the CLI live in `checker` and `checker-cli`.

pub mod itf_export;
pub mod itf_replay;
pub mod processes;
pub mod real_replay;
pub mod registry;
pub mod reports;
pub mod run_trace;
pub mod runner;
pub mod shrink;
pub mod validate;

pub mod abd_register;
pub mod alternating_bit;
pub mod byzantine_generals;
pub mod causal_broadcast;
pub mod chandy_lamport;
pub mod channel;
pub mod crawler;
pub mod flp;
pub mod gossip;
pub mod lamport_clocks;
pub mod lamport_mutex;
pub mod mapreduce;
pub mod paxos;
pub mod raft;
pub mod raft_kv;
pub mod reliable_broadcast;
pub mod rpc_kv;
pub mod swim;
pub mod three_phase_commit;
pub mod tla_specs;
pub mod total_order_broadcast;
pub mod two_phase_commit;

pub use registry::{InputError, Params, Protocol, RunOptions, RunReport, CORRECT};

use checker::{CheckOptions, CheckSummary, Progress};

/// The registry: every protocol, in course order. A new protocol is one
/// module and one line here.
pub static PROTOCOLS: &[&Protocol] = &[
    &alternating_bit::PROTOCOL,
    &mapreduce::PROTOCOL,
    &rpc_kv::PROTOCOL,
    &crawler::PROTOCOL,
    &two_phase_commit::PROTOCOL,
    &paxos::PROTOCOL,
    &raft::PROTOCOL,
    &raft_kv::PROTOCOL,
    &abd_register::PROTOCOL,
    &lamport_clocks::PROTOCOL,
    &lamport_mutex::PROTOCOL,
    &chandy_lamport::PROTOCOL,
    &byzantine_generals::PROTOCOL,
    &three_phase_commit::PROTOCOL,
    &flp::PROTOCOL,
    &reliable_broadcast::PROTOCOL,
    &causal_broadcast::PROTOCOL,
    &total_order_broadcast::PROTOCOL,
    &swim::PROTOCOL,
    &gossip::PROTOCOL,
];

/// The protocol called `name`, or the abstract spec (`spec:<name>`, from
/// [`tla_specs::SPECS`]), or an error listing the known ones.
pub fn protocol(name: &str) -> Result<&'static Protocol, InputError> {
    let all = || PROTOCOLS.iter().chain(tla_specs::SPECS).copied();
    all().find(|p| p.name == name).ok_or_else(|| {
        InputError(format!(
            "unknown model \"{name}\"; known: {}{}",
            all().map(|p| p.name).collect::<Vec<_>>().join(", "),
            registry::did_you_mean(name, all().map(|p| p.name))
        ))
    })
}

/// Checks one protocol variant at the given parameters.
pub fn check(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> CheckSummary {
    let mut summary = (protocol.check)(variant, params, opts, on_progress);
    summary.model = protocol.name.to_string();
    summary
}

/// `dsw compare`: a bug variant's counterexample (to `property`, or to the
/// first property it violates, preferring one the correct protocol keeps at
/// the defaults by the registry) followed on the correct variant at the
/// same parameters. Bad input (the correct variant itself, an unknown property)
/// and a check that shows no such counterexample are errors naming what is
/// valid.
pub fn compare(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    opts: &CheckOptions,
    property: Option<&str>,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<checker::compare::Comparison, InputError> {
    protocol.variant(variant)?;
    let bugs: Vec<&str> = protocol
        .variants
        .iter()
        .map(|v| v.name)
        .filter(|v| *v != CORRECT)
        .collect();
    if variant == CORRECT {
        return Err(InputError(if bugs.is_empty() {
            format!(
                "{} has no bug variant to compare with the correct one",
                protocol.name
            )
        } else {
            format!(
                "variant correct is what a bug variant is compared with; pick a bug variant of {}: {}",
                protocol.name,
                bugs.join(", ")
            )
        }));
    }
    if let Some(name) = property {
        protocol.property(name)?;
    }
    // What the correct protocol violates too, by the registry: at the
    // defaults only (a scenario's expectations are its variant's).
    let also_correct: Vec<&str> =
        if *params == protocol.default_params() && opts.fairness == protocol.fairness {
            protocol
                .variant(CORRECT)?
                .expect
                .iter()
                .filter(|(_, v)| *v == checker::Verdict::Violated)
                .map(|(name, _)| *name)
                .collect()
        } else {
            Vec::new()
        };
    (protocol.compare)(
        variant,
        params,
        opts,
        property,
        &also_correct,
        None,
        on_progress,
    )
    .map_err(|e| {
        // At the defaults, a variant caught only in a scenario says which.
        let scenarios: Vec<String> = protocol
            .scenarios
            .iter()
            .filter(|s| s.variant == variant)
            .map(|s| format!("dsw compare {} --scenario {}", protocol.name, s.name))
            .collect();
        if *params == protocol.default_params() && !scenarios.is_empty() {
            InputError(format!("{e}; its scenarios: {}", scenarios.join(", ")))
        } else {
            InputError(e)
        }
    })
}

/// A counterexample already found on `protocol`'s bug `variant` at
/// `params` (by the catalog's check, or a path the explorer shows)
/// followed on the correct variant, without checking again; `fairness` is
/// the check's, under which a liveness counterexample's ending is judged.
pub fn compare_given(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    fairness: checker::Fairness,
    given: registry::Given<'_>,
) -> Result<checker::compare::Comparison, String> {
    if variant == CORRECT {
        return Err("variant correct is what a bug variant is compared with".into());
    }
    (protocol.compare)(
        variant,
        params,
        &CheckOptions {
            fairness,
            ..CheckOptions::default()
        },
        Some(given.property),
        &[],
        Some(given),
        &mut |_| {},
    )
}

/// Runs one protocol variant over real UDP on loopback, if it can.
/// The protocols whose real run measures over several seeds (`--seeds`).
pub const MULTI_SEED_RUNS: &[&str] = &["swim", "raft", "raft-kv"];
/// The protocols whose real run the nemesis cannot drive (they call the
/// runtime themselves, with their own fault plans).
pub const NO_NEMESIS_RUNS: &[&str] = &["swim", "gossip"];
/// The protocols whose nodes save what they must not forget in a storage
/// file, so that the nemesis may kill one and restart it from the file
/// (any other model's node would come back empty, a fault outside its
/// model).
pub const KILL_RUNS: &[&str] = &["paxos", "abd-register", "raft", "raft-kv"];

/// The protocols whose messages are no network's: the crawler's stand for
/// one Go program's memory accesses and WaitGroup calls between its
/// goroutines, which are never lost or duplicated, so `--loss` and
/// `--duplicate` are outside its fault model.
pub const NO_LOSS_RUNS: &[&str] = &["crawler"];

/// Why `opts`'s message loss or duplication does not apply to `protocol`'s
/// real run, if it does not ([`NO_LOSS_RUNS`]).
pub fn loss_refusal(protocol: &Protocol, opts: &RunOptions) -> Option<String> {
    if NO_LOSS_RUNS.contains(&protocol.name) && (opts.loss > 0.0 || opts.duplicate > 0.0) {
        return Some(format!(
            "--loss and --duplicate do not apply to {}: its messages stand for one Go program's memory accesses and WaitGroup calls between goroutines (MIT 6.824 lecture 2's crawler runs in one process), which are never lost or duplicated; run it without them (every other runnable model takes them)",
            protocol.name
        ));
    }
    None
}

/// Why `opts` cannot run `protocol`'s nodes as processes (`dsw run
/// --processes`, `dsw node`), if they cannot: a model whose real run
/// drives the runtime itself, or the fuzzer.
pub fn processes_refusal(protocol: &Protocol, opts: &RunOptions) -> Option<String> {
    let as_processes = if opts.node.is_some() {
        Some("dsw node")
    } else {
        opts.processes.as_ref().map(|_| "--processes")
    };
    if let Some(how) = as_processes {
        if NO_NEMESIS_RUNS.contains(&protocol.name) {
            return Some(format!(
                "{how} is not supported by {}: its real run drives the runtime itself; {how} is for every other runnable model",
                protocol.name
            ));
        }
        if opts.fuzz > 0 {
            return Some(format!(
                "--fuzz is not supported with {how}: the fuzzer sends from the nodes' own sockets, which are the children's"
            ));
        }
    }
    None
}

/// Why `opts` cannot run `protocol` for real, if they cannot: one line
/// naming what is valid. `dsw run` asks before it starts anything.
pub fn run_refusal(protocol: &Protocol, opts: &RunOptions) -> Option<String> {
    if protocol.run.is_none() {
        return Some(format!("{} has no real run yet", protocol.name));
    }
    if opts.seeds > 1 && !MULTI_SEED_RUNS.contains(&protocol.name) {
        return Some(format!(
            "--seeds {} is not supported by {}: it runs one seed (--seed); --seeds is for {}",
            opts.seeds,
            protocol.name,
            MULTI_SEED_RUNS.join(", ")
        ));
    }
    if let Some(why) = processes_refusal(protocol, opts).or_else(|| loss_refusal(protocol, opts)) {
        return Some(why);
    }
    if let Some(nemesis) = &opts.nemesis {
        if NO_NEMESIS_RUNS.contains(&protocol.name) {
            return Some(format!(
                "--nemesis is not supported by {}: its real run drives the runtime itself; --nemesis is for every other runnable model",
                protocol.name
            ));
        }
        let kill = nemesis.kinds.contains(&runtime::faults::Kind::Kill);
        if kill && !KILL_RUNS.contains(&protocol.name) {
            return Some(format!(
                "--nemesis kill is not supported by {}: a killed node restarts from its storage file, and only {} keep one (partition and pause apply to every model)",
                protocol.name,
                KILL_RUNS.join(", ")
            ));
        }
    }
    None
}

pub fn run(
    protocol: &Protocol,
    variant: &str,
    params: &Params,
    opts: &RunOptions,
) -> Result<RunReport, String> {
    if let Some(why) = run_refusal(protocol, opts) {
        return Err(why);
    }
    let run = protocol
        .run
        .ok_or_else(|| format!("{} has no real run yet", protocol.name))?;
    let mut report = run(variant, params, opts)?;
    report.model = protocol.name.to_string();
    Ok(report)
}

/// One entry of the catalog's checks: a variant at the default parameters,
/// or a named scenario.
#[derive(Clone, Debug)]
pub struct Job {
    pub protocol: &'static Protocol,
    pub variant: &'static str,
    pub scenario: Option<&'static registry::ScenarioSpec>,
    pub params: Params,
    pub fairness: checker::Fairness,
    pub expect: &'static [(&'static str, checker::Verdict)],
}

impl Job {
    /// The variant's name, or the scenario's: unique within a protocol, and
    /// the suffix of the job's snapshot.
    pub fn name(&self) -> &'static str {
        self.scenario.map_or(self.variant, |s| s.name)
    }

    /// How the catalog checks it: BFS, one thread, its fairness, and the
    /// machine's memory bound (a check that outgrows it says so).
    pub fn options(&self) -> CheckOptions {
        CheckOptions {
            fairness: self.fairness,
            max_memory: checker::graph::default_max_memory(),
            ..CheckOptions::default()
        }
    }

    /// Checks the job as the catalog does.
    pub fn check(&self, on_progress: &mut dyn FnMut(&Progress)) -> CheckSummary {
        self.check_with(&self.options(), on_progress)
    }

    /// Checks the job with other options (such as [`CheckOptions::itf`]).
    pub fn check_with(
        &self,
        opts: &CheckOptions,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> CheckSummary {
        check(self.protocol, self.variant, &self.params, opts, on_progress)
    }

    /// Every property whose verdict differs from the registry's expectation,
    /// as `(property, expected, found)`.
    pub fn mismatches(
        &self,
        summary: &CheckSummary,
    ) -> Vec<(&'static str, checker::Verdict, Option<checker::Verdict>)> {
        self.protocol
            .properties
            .iter()
            .filter_map(|p| {
                let expected = self.protocol.expected(p, self.expect);
                let found = summary.property(p.name).map(|r| r.verdict);
                (found != Some(expected)).then_some((p.name, expected, found))
            })
            .collect()
    }
}

/// Every check of the catalog, in registry order: each protocol's variants
/// at their defaults, then its scenarios.
pub fn catalog_jobs() -> Vec<Job> {
    PROTOCOLS.iter().flat_map(|p| jobs_of(p)).collect()
}

/// One protocol's jobs.
pub fn jobs_of(protocol: &'static Protocol) -> Vec<Job> {
    let variants = protocol.variants.iter().map(|v| Job {
        protocol,
        variant: v.name,
        scenario: None,
        params: protocol.default_params(),
        fairness: protocol.fairness,
        expect: v.expect,
    });
    let scenarios = protocol.scenarios.iter().map(|s| {
        let mut params = protocol.default_params();
        for (k, v) in s.params {
            params.insert(k, *v);
        }
        Job {
            protocol,
            variant: s.variant,
            scenario: Some(s),
            params,
            fairness: s.fairness.unwrap_or(protocol.fairness),
            expect: s.expect,
        }
    });
    variants.chain(scenarios).collect()
}
