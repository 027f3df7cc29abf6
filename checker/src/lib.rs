//! The workbench's engine, generic over any Stateright [`Model`](stateright::Model):
//! it runs the exploration, turns Stateright's discoveries into verdicts and
//! readable counterexamples, and (in later modules) draws and runs them.
//!
//! Nothing here knows a protocol: the `models` crate says what each protocol
//! is, this crate says how to check, show and run any of them.

pub mod analyses;
pub mod describe;
pub mod diff;
pub mod explore;
pub mod explorer;
pub mod fingerprint;
pub mod graph;
pub mod liveness;
pub mod plot;
pub mod report;
pub mod runtime;
pub mod simulation;
pub mod summary;
pub mod svg;
pub mod symmetry;
pub mod valence;

pub use analyses::{Analyses, Decision, Refinement};
pub use describe::Describe;
pub use explore::{check, check_with, CheckOptions, Progress, Strategy};
pub use liveness::Fairness;
pub use summary::{
    Change, CheckSummary, Counterexample, CounterexampleKind, PropertyKind, PropertyResult, Step,
    StepKind, Timing, ValenceSummary, Verdict,
};
pub use symmetry::{Symmetry, SymmetryMode};
