//! The workbench's engine, generic over any Stateright [`Model`](stateright::Model):
//! it explores a model (its own BFS, simulation, or Stateright's DFS) and
//! turns what it found into verdicts and readable counterexamples, as plain
//! data. Showing them is the `presentation` crate's job, running actors for
//! real the `runtime` crate's.
//!
//! Nothing here knows a protocol: the `models` crate says what each protocol
//! is, this crate says how to check any of them.

pub mod analyses;
pub mod compare;
pub mod describe;
pub mod explore;
pub mod fingerprint;
pub mod graph;
pub mod itf;
pub mod liveness;
pub mod replay;
pub mod shrink;
pub mod simulation;
pub mod state_diff;
pub mod summary;
pub mod symmetry;
pub mod valence;

pub use analyses::{Analyses, Decision, LeadsTo, Refinement};
pub use describe::Describe;
pub use explore::{check, check_with, CheckOptions, Progress, Strategy};
pub use liveness::Fairness;
pub use summary::{
    Change, CheckSummary, Counterexample, CounterexampleKind, PropertyKind, PropertyResult, Step,
    StepKind, Timing, ValenceSummary, Verdict,
};
pub use symmetry::{Symmetry, SymmetryMode};
