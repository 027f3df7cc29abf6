//! Workspace-level integration tests.

/// Paxos's ballot view is sound; valence finds FLP's bivalent duel.
mod analyses;
/// Every catalog check's verdicts, state counts and counterexamples, as
/// insta snapshots, and each verdict against the registry's expectation.
mod catalog;
/// `dsw compare`: every bug variant's counterexample on the correct
/// protocol parts from it or stops, and keeps the property the bug broke.
mod compare;
/// Our `eventually` agrees with Stateright's where Stateright can judge.
mod differential;
/// The explorer over plain HTTP: counterexample pages; bad requests survived.
mod explorer;
/// Fair runs: a starved message is no counterexample under fairness; a run
/// may stop where only unfair steps (a crash) are enabled.
mod fairness;
/// `dsw check --itf`: counterexamples as ITF files, read back with `itf`.
mod itf;
/// MapReduce, RPC and threads: rules exercised, acknowledgements matched.
mod mapreduce_rpc_threads;
/// `dsw replay`: a bug's counterexample followed on real nodes violates
/// the same property there, for every runnable model that has one.
mod real_replay;
/// The registry agrees with the models it describes; bad input is refused.
mod registry;
/// `dsw check --replay`: exported counterexamples followed back, tampered
/// copies caught at the step changed, bad files refused.
mod replay;
/// The committed reports are what `dsw report` generates now.
mod reports;
/// The first four models: rules exercised, faults that may (not must) happen.
mod rules;
/// Simulation on every model: no panic, repeatable, proves nothing.
mod simulation;
/// Symmetry reduction: true symmetries, exact orbits, unchanged verdicts.
mod symmetry;
/// Two threads find what one finds: counts, verdicts, counterexamples.
mod threads;
/// The abstract TLA+ specs reproduce TLC's state counts and refine.
mod tla_conformance;
/// Real runs over UDP: properties hold; malformed datagrams are survived.
mod udp;
