//! What checking liveness costs on one model, for BENCHMARKS.md: the same
//! BFS with its `eventually` properties and valence analysis (`full`), and
//! without them (`safety`, which keeps no edges), one thread.
//!
//! ```text
//! cargo run --release -p models --example liveness_cost -- paxos forget-promise full
//! cargo run --release -p models --example liveness_cost -- paxos forget-promise safety
//! ```
//!
//! Run each mode in its own process: the peak RSS it prints is the
//! process's.

use checker::graph::{explore, Limits};
use checker::liveness::FairnessClasses;
use models::registry::Config;
use stateright::{Expectation, Model};
use std::time::Instant;

#[allow(clippy::print_stdout, clippy::print_stderr)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, variant, mode] = &args[..] else {
        eprintln!(
            "usage: liveness_cost <paxos|abd-register|two-phase-commit> <variant> <full|safety>"
        );
        std::process::exit(2);
    };
    let report = match model.as_str() {
        "paxos" => measure::<models::paxos::PaxosCfg>("paxos", variant, mode),
        "abd-register" => measure::<models::abd_register::AbdCfg>("abd-register", variant, mode),
        "two-phase-commit" => {
            measure::<models::two_phase_commit::TwoPhaseCfg>("two-phase-commit", variant, mode)
        }
        other => {
            eprintln!("liveness_cost: unknown model {other}");
            std::process::exit(2);
        }
    };
    println!("{report}");
}

fn measure<C>(name: &str, variant: &str, mode: &str) -> String
where
    C: Config,
    C::Model: AsMutProperties + Model<State: std::hash::Hash + Send + Sync, Action: Send> + Sync,
{
    let protocol = models::PROTOCOLS
        .iter()
        .find(|p| p.name == name)
        .expect("a registry protocol");
    let mut model = C::new(variant, &protocol.default_params()).into_model();
    let mut analyses = C::analyses(&model);
    if mode == "safety" {
        drop_liveness(&mut model);
        analyses.decision = None;
    }
    let limits = Limits {
        fairness: protocol.fairness,
        ..Limits::default()
    };
    let classes = |a: &<C::Model as Model>::Action| model.fairness_class(a);
    let start = Instant::now();
    let g = explore(&model, &limits, &classes, &analyses, None, &mut |_| {});
    if let (Some(edges), Some(decided)) = (&g.edges, &g.decided) {
        let v = checker::valence::analyse(edges, decided, &g.cut, g.init_count(), limits.fairness);
        std::hint::black_box(v.bivalent.len());
    }
    let seconds = start.elapsed().as_secs_f64();
    let edges: usize = g.edges.as_ref().map_or(0, |e| e.edge_count());
    let peak = peak_rss_kib();
    format!(
        "{name} {variant} {mode}: {} unique states, {} generated, {edges} edges kept, {seconds:.2} s, peak RSS {} MiB, {} bytes/state",
        g.unique_states(),
        g.generated,
        peak / 1024,
        peak * 1024 / g.unique_states().max(1) as u64,
    )
}

/// Leaves out every `eventually` property.
fn drop_liveness<M: AsMutProperties>(model: &mut M) {
    model
        .properties_mut()
        .retain(|p| p.expectation != Expectation::Eventually);
}

/// The property list of an actor model, which `Model` only lends by value.
trait AsMutProperties: Model {
    fn properties_mut(&mut self) -> &mut Vec<stateright::Property<Self>>;
}

impl AsMutProperties for models::paxos::PaxosModel {
    fn properties_mut(&mut self) -> &mut Vec<stateright::Property<Self>> {
        &mut self.properties
    }
}

impl AsMutProperties for models::abd_register::AbdModel {
    fn properties_mut(&mut self) -> &mut Vec<stateright::Property<Self>> {
        &mut self.properties
    }
}

impl AsMutProperties for models::two_phase_commit::TwoPhaseModel {
    fn properties_mut(&mut self) -> &mut Vec<stateright::Property<Self>> {
        &mut self.properties
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
