//! The command line, as clap derive structs: one per subcommand, doc comments
//! as help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// DS Workbench: distributed-systems protocols as checked, runnable models.
///
/// Every model is checked exhaustively for its safety, reachability and
/// liveness properties; every known-bug variant must be caught with a
/// concrete counterexample.
#[derive(Debug, Parser)]
#[command(name = "dsw", version, arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every model: its course section and variants.
    List(ListArgs),
    /// One model: summary, citations, parameters, properties, variants.
    Show(ShowArgs),
    /// Check one model (or, with --all, the whole catalog against the
    /// registry; with --replay FILE, re-check a counterexample file).
    #[command(after_help = CHECK_EXIT_CODES)]
    Check(CheckArgs),
    /// Serve the web explorer on one model: its properties, a check to run,
    /// and any path as a sequence diagram to step through.
    Explore(ExploreArgs),
    /// Run a model's actors over real UDP on loopback and check what happened.
    Run(RunArgs),
    /// Run one node of a model's real run as this process, at the address
    /// a cluster file gives it, recording its steps (what `dsw run
    /// --processes` starts, one per node).
    #[command(after_help = NODE_HELP)]
    Node(NodeArgs),
    /// Draw a trace recorded by `dsw run --trace` as a sequence diagram.
    #[command(after_help = TRACE_HELP)]
    Trace(TraceArgs),
    /// Follow a bug variant's counterexample on the correct protocol: the
    /// same schedule, both runs step by step, the first difference marked.
    #[command(after_help = COMPARE_HELP)]
    Compare(CompareArgs),
    /// Follow a counterexample on real nodes: the model's actors over UDP
    /// on loopback, every datagram held and released in the path's order,
    /// timers and crashes fired as the path says; then the model's `always`
    /// properties judged on the real end state.
    #[command(after_help = REPLAY_HELP)]
    Replay(ReplayArgs),
    /// Cut a real run's trace, or a counterexample path, down to the events
    /// an `always` property's violation needs (delta debugging, ddmin).
    #[command(after_help = SHRINK_HELP)]
    Shrink(ShrinkArgs),
    /// Regenerate the Markdown and SVG reports.
    Report(ReportArgs),
    /// Check a recorded history of client operations for linearizability.
    #[command(after_help = format!("{}\n\n{HISTORY_EXIT_CODES}", history::FORMAT))]
    History(HistoryArgs),
}

/// `dsw history --help` ends with these.
const HISTORY_EXIT_CODES: &str = "\
Exit codes:
  0  linearizable
  1  not linearizable: prints the key, the line where the shortest failing
     prefix of the history ends (the completion of the first operation whose
     result no order of the operations before it can give), that operation,
     and the operations concurrent with it (only the key, if a prefix
     search needs more than 200,000 configurations)
  2  bad input: the file, line number and what is valid there";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryModel {
    /// One register: read, write, cas, append; no `key`.
    Register,
    /// A register per `key`, each checked on its own.
    Kv,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The history: JSON lines (format below).
    pub file: std::path::PathBuf,
    /// The object the clients used.
    #[arg(long, value_enum)]
    pub model: HistoryModel,
}

/// `dsw trace --help` ends with these.
const TRACE_HELP: &str = "\
The file: JSON lines, one recorded event a line, as `dsw run --trace` writes
them (see README.md, \"Recorded traces\"). The diagram has a lane per node
and a row per delivery, loss, drop at a node that is down, timer, crash and
restart, in the order the run recorded them; each message label ends with
the Lamport times of its send and its receipt (L3→5).

Exit codes:
  0  drawn, and every delivery's Lamport time is above its send's
  1  drawn, but some receipt is not after its send (a broken trace)
  2  bad input: the file, the line number and what is valid there";

/// `dsw compare --help` ends with these.
const COMPARE_HELP: &str = "\
The bug variant is checked as `dsw check <model> --variant V` checks it
(breadth first, one thread, the model's fairness), and its counterexample
to --property (or to the first property it violates) is followed on the
correct variant at the same parameters: each delivery, loss, timer, crash
and choice matched by actor and message, by value, or, once the runs have
parted, by sender, receiver and message type (the step then says the
content differs). Where the correct run has no such step (the message was
never sent), the comparison says so and stops there.

With --json, stdout is one JSON object (docs/schema/compare.schema.json):
both runs' steps, per step followed the pair (matched by value or type,
what each run did), the first difference and where the schedule stopped.

Exit codes:
  0  compared (whether or not, and where, the runs part)
  2  bad input: unknown model, variant or property, the correct variant
     itself, or a property the variant does not violate";

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The model, as `dsw list` names it.
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// The property whose counterexample to follow (default: the first
    /// the variant violates).
    #[arg(long)]
    pub property: Option<String>,
    /// Also write both runs as sequence diagrams side by side (SVG).
    #[arg(long, value_name = "SVG")]
    pub out: Option<std::path::PathBuf>,
    /// Print the comparison as JSON instead of text (fields: see
    /// docs/schema/compare.schema.json).
    #[arg(long)]
    pub json: bool,
}

/// `dsw shrink --help` ends with these.
const SHRINK_HELP: &str = "\
The schedule's events (a trace's deliveries, timers, crashes, restarts and
random choices; a path's steps) are replayed on the model from its initial
state, each matched by actor, sender and message (timer, choice) to a step
enabled there; a trace at the configuration `dsw run` ran (retransmission
on where the model's real run turns it on), so give shrink the --variant
and -p the run had. Zeller's ddmin then removes events, halves first, then
smaller parts, down to single events, keeping a subset while its replay
still breaks the property in some state (a subset whose replay gets stuck,
an event no longer enabled, counts as not breaking it). The result breaks
the property, and removing any one of its events does not: 1-minimal, not
necessarily the shortest.

Exit codes:
  0  shrunk: prints the events kept, how many were removed, and the path
     of the shrunk schedule (with --out, writes the trace's kept lines)
  1  nothing to shrink: the replay of the whole input breaks no `always`
     property (or not --property), or an event of it is no step of the model
  2  bad input: unknown model, variant, parameter or property, a property
     that is not `always`, an unreadable or malformed trace, a malformed
     path, or a model whose real run does not map onto it";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["trace", "path"])))]
pub struct ShrinkArgs {
    /// The model, as `dsw list` names it.
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// A trace written by `dsw run <model> --trace FILE`.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<std::path::PathBuf>,
    /// A path in the explorer's encoding (`0/3/1`), as `dsw check` prints
    /// it, at the configuration given.
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
    /// The `always` property to keep violated (default: the first the
    /// whole schedule violates).
    #[arg(long)]
    pub property: Option<String>,
    /// Write the shrunk trace here (the kept events' lines and the sends
    /// of the messages they deliver); with --trace only.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// `dsw replay --help` ends with these.
const REPLAY_HELP: &str = "\
Without PATH, the variant is checked as `dsw check` checks it (breadth
first, one thread) and the counterexample to --property (or to the first
`always` property it violates) is replayed. With PATH (the explorer's
encoding that `dsw check` links: the initial state's index, then each step's
index among the enabled actions), that path is followed on the model at the
configuration given, which must be the one `dsw check` printed it for.

The nodes run that same configuration (e.g. two-phase-commit without
retransmission unless -p retransmit=1: the driver loses nothing). Each
datagram a node receives is held; a step of the path releases the one from
that sender to that receiver whose message equals the step's (node
addresses mapped to the model's indices), fires that timer, crashes or
restarts that node, or discards the datagram it loses. A random choice
stays pending on its node, as the model keeps it (a later choice with the
same key replaces it, a crash forgets it), until the path's step that makes
it, with the option the path picked. The real end state is judged
by the model's `always` properties (as `dsw run` judges them, with trace
validation); the network's messages still in flight are not part of it.

Exit codes:
  0  reproduced: every step was taken on the real nodes, the real end state
     violates exactly the `always` properties the model's does, and the
     recorded run validates against the model
  1  not reproduced: a step could not be followed (printed with why), or
     the real nodes violate other properties than the model, or the trace
     does not validate
  2  bad input: unknown model, variant, scenario, parameter or property, a
     property that is not `always` or not violated, a malformed path, or a
     model that cannot be replayed on real nodes";

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The model, as `dsw list` names it.
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// The `always` property whose counterexample to replay (default: the
    /// first the variant violates); with PATH, the property the path's end
    /// must violate.
    #[arg(long)]
    pub property: Option<String>,
    /// A path as `dsw check` links it (0/1/0/1/0/0/4); default: the check's
    /// counterexample.
    pub path: Option<String>,
}

#[derive(Debug, Args)]
pub struct TraceArgs {
    /// The trace, written by `dsw run <model> --trace FILE`.
    pub file: std::path::PathBuf,
    /// Write the sequence diagram (SVG) here; without it the steps are
    /// printed, numbered as in the diagram.
    #[arg(long, value_name = "SVG")]
    pub out: Option<std::path::PathBuf>,
    /// Draw at most this many steps, the first ones (a long run has
    /// thousands).
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub max_steps: u64,
}

/// `dsw check --help` ends with these.
const CHECK_EXIT_CODES: &str = "\
Exit codes:
  0  every property holds (a complete search judged each one), or with --all:
     every verdict matches the registry
  1  a property is violated (its counterexample is printed), or with --all:
     some verdict differs from the registry
  2  bad input (unknown model, variant, parameter or flag)
  3  nothing is violated, but some verdict is inconclusive: a limit
     (--max-depth, --max-states, --timeout) or the model's bound cut the
     search short, a simulation cannot prove anything, or the strategy
     cannot judge a property (lassos under dfs); not a proof

With --replay FILE:
  0  the trace is followed to its end and shows what its #meta says
  1  the trace diverges from the model (the step, what differs from the
     closest successor), or is followed but does not show it
  2  bad input (the file cannot be read, is not an ITF trace written by
     --itf, or names an unknown model, variant or parameter)";

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON: an array of {name, section, summary, variants: [{name}]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The model, as `dsw list` names it.
    pub model: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The model, variant and parameters shared by check, explore and run.
#[derive(Debug, Args)]
pub struct Target {
    /// The variant: `correct` (the default) or a known bug (see `dsw show
    /// <model>`).
    #[arg(long)]
    pub variant: Option<String>,
    /// A named scenario of the model (see `dsw show <model>`): its variant,
    /// parameters and fairness; -p and --fairness given too override it.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Set a parameter, as key=value (repeatable).
    #[arg(short = 'p', long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StrategyArg {
    /// Breadth first: shortest counterexamples.
    Bfs,
    /// Depth first.
    Dfs,
    /// Random walks from --seed; never proves a property holds.
    Simulation,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The model to check (omit with --all or --replay).
    #[arg(
        required_unless_present_any = ["all", "replay"],
        conflicts_with_all = ["all", "replay"]
    )]
    pub model: Option<String>,
    /// Check every model, variant and scenario of the catalog at its default
    /// configuration, and compare each verdict with the registry.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub target: Target,
    /// How to walk the state space.
    #[arg(long, value_enum, default_value = "bfs")]
    pub strategy: StrategyArg,
    /// Checker threads (for one model; --all runs models in parallel instead).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Explore paths of at most this many steps.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_depth: Option<u64>,
    /// Stop after this many states.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_states: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Stop when the process holds this many MiB of memory (default: 80% of
    /// the machine's); the verdicts then say what was cut off.
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_memory: Option<u64>,
    /// Seed of the simulation strategy.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Which infinite runs count against `eventually` properties (default:
    /// what the model declares, see `dsw show`).
    #[arg(long, value_enum)]
    pub fairness: Option<FairnessArg>,
    /// Store one state per orbit of the model's interchangeable actors (see
    /// `dsw show`); auto: unless the check judges `eventually` properties or
    /// valence, which the reduction does not preserve.
    #[arg(long, value_enum, default_value = "auto")]
    pub symmetry: SymmetryArg,
    /// Print JSON on stdout (one check: the summary described by
    /// docs/schema/check.schema.json).
    #[arg(long)]
    pub json: bool,
    /// Also write every counterexample the check prints (each violated or
    /// inconclusive property's, lassos included, and a bivalent run) as an
    /// Informal Trace Format file (Apalache's ADR-015) in DIR, created if
    /// missing: <model>-<variant>-<property>.itf.json (with --all or
    /// --scenario, the scenario's name in place of the variant).
    #[arg(long, value_name = "DIR")]
    pub itf: Option<std::path::PathBuf>,
    /// Re-check a counterexample: follow an ITF file written by --itf on
    /// the model, variant and parameters its #meta names, step by step
    /// (each state must be the model's successor by the recorded action),
    /// then judge what the file claims (the property violated, the run
    /// stopping, the lasso closing) on the replayed run. --fairness
    /// overrides the file's.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["all", "itf", "json", "variant", "scenario", "params"]
    )]
    pub replay: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SymmetryArg {
    /// Where the model declares a symmetry and the check preserves it.
    Auto,
    /// Where the model declares a symmetry; `eventually` holds become
    /// inconclusive and valence is skipped.
    On,
    /// Never.
    Off,
}

impl From<SymmetryArg> for checker::SymmetryMode {
    fn from(s: SymmetryArg) -> Self {
        match s {
            SymmetryArg::Auto => checker::SymmetryMode::Auto,
            SymmetryArg::On => checker::SymmetryMode::On,
            SymmetryArg::Off => checker::SymmetryMode::Off,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FairnessArg {
    /// Every infinite run, even one that starves a message forever.
    None,
    /// A message or timer enabled continuously is eventually taken.
    Weak,
    /// A message or timer enabled infinitely often is taken infinitely often.
    Strong,
}

impl From<FairnessArg> for checker::Fairness {
    fn from(f: FairnessArg) -> Self {
        match f {
            FairnessArg::None => checker::Fairness::None,
            FairnessArg::Weak => checker::Fairness::Weak,
            FairnessArg::Strong => checker::Fairness::Strong,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// The model to explore, as `dsw list` names it.
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// Address to serve on: loopback only unless you say otherwise; port 0
    /// picks a free port (printed when the explorer starts). Without it,
    /// the first free port from 127.0.0.1:3000 up, as the links `dsw check`
    /// prints name it.
    #[arg(long)]
    pub bind: Option<String>,
    /// Which infinite runs count against `eventually` properties, for the
    /// check the page runs and the paths it shows (default: the scenario's,
    /// else what the model declares).
    #[arg(long, value_enum)]
    pub fairness: Option<FairnessArg>,
    /// Open a trace as a path, and print the path's address: an ITF trace
    /// (`dsw check --itf` writes them; the explorer serves the
    /// configuration its #meta names, so not with --variant, --scenario, -p
    /// or --fairness), or a real run's trace (`dsw run --trace` writes it,
    /// JSON lines; followed on the configuration given, up to the first
    /// recorded event the model cannot take, which is printed). Told apart
    /// by content.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// How long the workload may run, in seconds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub duration: u64,
    /// Probability of dropping each datagram (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub loss: f64,
    /// Probability of delivering a datagram twice (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub duplicate: f64,
    /// Seed of the faults: whether a datagram is lost or duplicated is a
    /// hash of the seed, its link, its bytes and how often its sender sent
    /// it there (not of the threads' timing), and --nemesis and --fuzz
    /// draw from it. What a rerun cannot reproduce is the threads'
    /// scheduling: which datagrams are sent, and when.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Runs, with seeds --seed, --seed + 1, ... (swim's detection times,
    /// raft's and raft-kv's time to a new leader after the crash; every
    /// other model runs one).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub seeds: u64,
    /// Run without crashing anyone. By default a model that chooses a
    /// victim has it crashed mid-run and restarted from its storage file:
    /// raft and raft-kv crash their leader once an entry is committed and
    /// check that a new leader takes over and the restarted server recovers
    /// what it saved. Other models crash no one either way.
    #[arg(long)]
    pub no_crash: bool,
    /// Faults on a schedule drawn from --seed, Jepsen's nemesis menu,
    /// comma-separated: `partition` (one node isolated, a majority and a
    /// minority, a ring of overlapping majorities, or one-way: a node's
    /// outgoing datagrams dropped), `kill` (a node crashes and restarts
    /// from its storage file: paxos, abd-register, raft, raft-kv), `pause`
    /// (a node stops handling anything, then resumes with its state). Two
    /// faults per kind, one at a time, within the first two thirds of
    /// --duration; the schedule is printed before the run and the run goes
    /// on at least until the last fault heals. Replaces the model's own
    /// crash. Not for swim or gossip.
    #[arg(long, value_name = "KINDS", value_parser = nemesis_kinds)]
    pub nemesis: Option<NemesisKinds>,
    /// Send N hostile datagrams to the nodes during the run, drawn from
    /// --seed: random bytes, real datagrams cut short, datagrams of the
    /// largest size, valid JSON of the wrong shape (these four also from
    /// the nodes' own addresses), and real messages from an address that
    /// is no node's. Each must be ignored; the workload counts as finished
    /// only once all are sent.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub fuzz: u64,
    /// Keep the directory the nodes' storage files are written to (a fresh
    /// one under the system's temp directory, removed at the end by
    /// default) and print where it is.
    #[arg(long)]
    pub keep_storage: bool,
    /// Write every recorded event (send, delivery, loss, timer, crash,
    /// restart, storage write) to FILE as JSON lines, each with its node's
    /// Lamport time and the real time; `dsw trace FILE` draws it. One seed
    /// only. The Lamport times follow causality; the interleaving of
    /// concurrent events is the threads' scheduling, which a rerun with
    /// the same seed does not reproduce.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<std::path::PathBuf>,
    /// Run each node as its own OS process (`dsw node`, this program),
    /// on loopback, with a cluster file in the run's directory; the
    /// driver merges their records and replays them through the model to
    /// check the run. The nemesis's kill is a real SIGKILL, then a
    /// restart from the storage directory; its pause SIGSTOP, then
    /// SIGCONT; its partition each process's own send filter. Not for swim
    /// or gossip, nor with --fuzz.
    #[arg(long)]
    pub processes: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `dsw node --help` ends with this.
const NODE_HELP: &str = "\
The cluster file: one node a line, its id and its IPv4 address with port:
  # abd-register: 3 servers, 1 client
  0 10.0.0.1:7000
  1 10.0.0.2:7000
  2 10.0.0.3:7000
  3 10.0.0.4:7000
Ids run from 0 with no gap, one per node of the model's real-run
configuration; blank lines and lines starting with # are skipped.

The record: JSON lines, appended as they happen: {\"Event\":{...}} for each
event (sent, delivered, lost, timer, stored, random choice, crash, restart)
and {\"Hash\":N} for the hash of the node's state after each step. A node
started on a record that already holds events restarts: it reads its storage
back, and its record goes on. SIGTERM (or SIGINT) stops it after its current
step.";

#[derive(Debug, Args)]
pub struct NodeArgs {
    pub model: String,
    #[command(flatten)]
    pub target: Target,
    /// This node's id in the cluster file.
    #[arg(long)]
    pub id: usize,
    /// Every node's address (see below).
    #[arg(long, value_name = "FILE")]
    pub cluster: std::path::PathBuf,
    /// The directory the node's storage file (node-<id>.json) is kept in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub storage: std::path::PathBuf,
    /// The file the node's record is appended to (default:
    /// record-<id>.jsonl in the storage directory).
    #[arg(long, value_name = "FILE")]
    pub record: Option<std::path::PathBuf>,
    /// The node stops after this many seconds, if not stopped before.
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub time_limit: u64,
    /// Probability of dropping each datagram the node sends (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub loss: f64,
    /// Probability of sending a datagram twice (0 to 1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub duplicate: f64,
    /// Seed of the fault injection and of the node's timers and random
    /// choices.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The run's start, in microseconds since the Unix epoch: the record's
    /// times count from it, so that several nodes' records merge (default:
    /// this process's start).
    #[arg(long, value_name = "MICROS")]
    pub epoch_micros: Option<u64>,
    /// Bind the socket and open the record, then wait until FILE exists
    /// before starting (`dsw run --processes` creates it once every node
    /// is listening).
    #[arg(long, value_name = "FILE")]
    pub start_when: Option<std::path::PathBuf>,
    /// A partition file to follow: its first line a version, its second
    /// one character per (sender, receiver) pair of nodes, `1` where what
    /// the sender sends to the receiver is dropped (recorded as cut).
    /// The node polls it and acknowledges each version it applies in
    /// FILE.ack-<id>; `dsw run --processes --nemesis partition` writes it.
    #[arg(long, value_name = "FILE")]
    pub partition_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Where to write the reports.
    #[arg(long, default_value = "reports")]
    pub out: std::path::PathBuf,
    /// Committed measurements to plot on the model pages: every JSON file
    /// there whose "model" names a model.
    #[arg(long, default_value = "reports-data")]
    pub data: std::path::PathBuf,
}

/// `--nemesis`'s list of kinds.
#[derive(Clone, Debug)]
pub struct NemesisKinds(pub Vec<runtime::faults::Kind>);

fn nemesis_kinds(s: &str) -> Result<NemesisKinds, String> {
    runtime::faults::parse_kinds(s).map(NemesisKinds)
}

fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number from 0 to 1"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not from 0 to 1"))
    }
}

/// Clap's error in at most two lines: what was wrong, with what is valid
/// (possible values, clap's "did you mean" tip, the subcommands), then the
/// usage line.
pub fn brief(rendered: &str) -> String {
    let mut lines = rendered.lines();
    let first = lines.next().unwrap_or_default();
    let mut what = first.strip_prefix("error: ").unwrap_or(first).to_string();
    let mut usage = None;
    let mut details = Vec::new();
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(u) = line.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if let Some((_, similar)) = line
            .split_once("tip: a similar")
            .and_then(|(_, t)| t.split_once("exists: "))
        {
            details.push(format!("did you mean {similar}?"));
        } else if !line.starts_with("For more information") {
            details.push(
                line.trim_start_matches('[')
                    .trim_end_matches(']')
                    .to_string(),
            );
        }
    }
    if what.starts_with("unrecognized subcommand") {
        details.push("subcommands: list, show, check, explore, run, trace, report, history".into());
    }
    if !details.is_empty() {
        what = format!("{}; {}", what.trim_end_matches(':'), details.join("; "));
    }
    match usage {
        Some(usage) => format!("{what}\nusage: {usage} (see --help)"),
        None => what,
    }
}
