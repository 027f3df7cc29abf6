//! One cell of the engine table in BENCHMARKS.md: the workbench's BFS or
//! Stateright's BFS on the *same* model value, safety properties only (no
//! `eventually`, no view, no valence), and what it cost.
//!
//! ```text
//! cargo run --release -p models --example engine_bench -- <engine> <model> <size> <threads>
//!   engine:  workbench | stateright
//!   model:   twophase (size = RMs) | twophase-compact (size = RMs)
//!            | twophase-symmetric (size = RMs; workbench only: one state
//!              per orbit of the RMs, TLC's SYMMETRY)
//!            | a registry protocol (size = its variant, default parameters)
//! cargo run --release -p models --example engine_bench -- workbench twophase 9 2
//! cargo run --release -p models --example engine_bench -- stateright paxos correct 1
//! ```
//!
//! It prints one line: unique and generated states, wall and CPU seconds,
//! peak RSS and bytes per unique state. Run each cell in its own process
//! (`scripts/engine-table` does): the peak RSS is the process's.

use checker::graph::{explore, Limits};
use models::registry::Config;
use stateright::{Checker, Expectation, Model};
use std::hash::Hash;
use std::time::Instant;

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: engine_bench <workbench|stateright> <twophase|twophase-compact|twophase-symmetric|PROTOCOL> <RMS|VARIANT> <THREADS>";

/// The protocol's model for `variant` at its default parameters, with its
/// `eventually` properties left out.
macro_rules! registry_model {
    ($cfg:ty, $name:expr, $variant:expr) => {{
        let (name, variant): (&str, &str) = ($name, $variant);
        let protocol = models::PROTOCOLS
            .iter()
            .find(|p| p.name == name)
            .expect("a registry protocol");
        if !protocol.variants.iter().any(|v| v.name == variant) {
            let names: Vec<_> = protocol.variants.iter().map(|v| v.name).collect();
            fail(&format!(
                "{name} has no variant {variant:?}: {}",
                names.join(", ")
            ));
        }
        let mut model = <$cfg>::new(variant, &protocol.default_params()).into_model();
        model
            .properties
            .retain(|p| p.expectation != Expectation::Eventually);
        model
    }};
}

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [engine, model, size, threads] = &args[..] else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let engine = match engine.as_str() {
        "workbench" => Engine::Workbench,
        "stateright" => Engine::Stateright,
        other => fail(&format!(
            "unknown engine {other:?}: workbench or stateright"
        )),
    };
    let threads: usize = threads
        .parse()
        .ok()
        .filter(|&t| t >= 1)
        .unwrap_or_else(|| fail("THREADS is a number, at least 1"));
    let rms = || -> usize {
        size.parse()
            .ok()
            .filter(|&n| (1..=12).contains(&n))
            .unwrap_or_else(|| fail("RMS is a number from 1 to 12"))
    };
    let cell = match model.as_str() {
        "twophase" => run(engine, threads, specs::abstract_spec::TwoPhase::new(rms())),
        "twophase-symmetric" => {
            if let Engine::Stateright = engine {
                fail("Stateright's BFS has no symmetry reduction (its DFS does)");
            }
            let analyses = checker::Analyses::<specs::abstract_spec::TwoPhase> {
                view: Some(Box::new(specs::abstract_spec::two_phase::State::canonical)),
                ..checker::Analyses::none()
            };
            run_with(engine, threads, specs::abstract_spec::TwoPhase::new(rms()), &analyses)
        }
        "twophase-compact" => run(
            engine,
            threads,
            specs::abstract_spec::two_phase_compact::TwoPhase::new(rms()),
        ),
        "paxos" => run(engine, threads, registry_model!(models::paxos::PaxosCfg, model, size)),
        "abd-register" => run(
            engine,
            threads,
            registry_model!(models::abd_register::AbdCfg, model, size),
        ),
        "two-phase-commit" => run(
            engine,
            threads,
            registry_model!(models::two_phase_commit::TwoPhaseCfg, model, size),
        ),
        "raft" => run(engine, threads, registry_model!(models::raft::RaftCfg, model, size)),
        other => fail(&format!(
            "unknown model {other:?}: twophase, twophase-compact, twophase-symmetric, paxos, abd-register, two-phase-commit or raft"
        )),
    };
    let peak = peak_rss_kib() * 1024;
    println!(
        "{engine:?} {model} {size} threads={threads}: {} unique, {} generated, {:.2} s wall, {:.2} s CPU, peak RSS {} MiB, {} bytes/unique state",
        cell.unique,
        cell.generated,
        cell.wall,
        cpu_seconds(),
        peak / (1024 * 1024),
        peak / cell.unique.max(1) as u64,
    );
}

#[derive(Clone, Copy, Debug)]
enum Engine {
    Workbench,
    Stateright,
}

struct Cell {
    unique: usize,
    generated: usize,
    wall: f64,
}

#[allow(clippy::print_stderr)]
fn fail(message: &str) -> ! {
    eprintln!("engine_bench: {message}\n{USAGE}");
    std::process::exit(2)
}

fn run<M>(engine: Engine, threads: usize, model: M) -> Cell
where
    M: Model + Send + Sync + 'static,
    M::State: Hash + Send + Sync + std::fmt::Debug + Clone + PartialEq + 'static,
    M::Action: Send + std::fmt::Debug + Clone + PartialEq + 'static,
{
    run_with(engine, threads, model, &checker::Analyses::none())
}

fn run_with<M>(engine: Engine, threads: usize, model: M, analyses: &checker::Analyses<M>) -> Cell
where
    M: Model + Send + Sync + 'static,
    M::State: Hash + Send + Sync + std::fmt::Debug + Clone + PartialEq + 'static,
    M::Action: Send + std::fmt::Debug + Clone + PartialEq + 'static,
{
    let start = Instant::now();
    match engine {
        Engine::Workbench => {
            let pool = (threads > 1).then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .expect("a thread pool")
            });
            let classes = |_: &M::Action| None;
            let g = explore(
                &model,
                &Limits::default(),
                &classes,
                analyses,
                pool.as_ref(),
                &mut |_| {},
            );
            Cell {
                unique: g.unique_states(),
                generated: g.generated,
                wall: start.elapsed().as_secs_f64(),
            }
        }
        Engine::Stateright => {
            let checker = model.checker().threads(threads).spawn_bfs().join();
            Cell {
                unique: checker.unique_state_count(),
                generated: checker.state_count(),
                wall: start.elapsed().as_secs_f64(),
            }
        }
    }
}

fn peak_rss_kib() -> u64 {
    status_field("VmHWM:")
}

fn status_field(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// User plus system CPU time of this process, from `/proc/self/stat`
/// (fields 14 and 15, in clock ticks of 1/100 s on Linux).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) may hold spaces; count from after it.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // After ')' the fields start at field 3 (state): utime is field 14.
    (ticks(14 - 3) + ticks(15 - 3)) as f64 / 100.0
}
