//! How the workbench shows a check, generic over any Stateright model:
//! Markdown pages for `reports/` ([`report`]), SVG sequence diagrams of
//! counterexamples ([`svg`]), what a step changed in an actor ([`diff`]),
//! and the web explorer `dsw explore` serves ([`explorer`]).
//!
//! The engine (`checker`) decides verdicts and builds counterexamples as
//! plain data; this crate only renders them, so it depends on the engine
//! and never the other way round.

pub mod compare;
pub mod diff;
pub mod explorer;
pub mod plot;
pub mod report;
pub mod svg;
