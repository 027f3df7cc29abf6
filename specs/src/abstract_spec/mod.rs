//! Abstract specifications from [Gray & Lamport, "Consensus on Transaction
//! Commit" (ACM TODS 31(1), 2006)](https://doi.org/10.1145/1132863.1132867),
//! transcribed from Lamport's `TCommit.tla` and `TwoPhase.tla` as plain
//! Stateright [`Model`](stateright::Model)s: same variables, same actions, same
//! initial state, so TLC's distinct-state counts carry over unchanged.
//!
//! - [`tcommit`]: what transaction commit means (Section 2), one variable
//!   `rmState` and the invariant `TCConsistent`.
//! - [`two_phase`]: the Two-Phase Commit protocol (Section 3), which implements
//!   [`tcommit`] under [`two_phase::abstraction`].
//! - [`two_phase_compact`]: the same spec with its sets stored as bit sets,
//!   for the engine benchmark.
//!
//! And Lamport's consensus chain from the TLA+ examples
//! (`specifications/Paxos/`, `specifications/PaxosHowToWinATuringAward/`):
//!
//! - [`consensus`]: what consensus means, one variable `chosen` and `Inv`.
//! - [`voting`]: the voting algorithm, which implements [`consensus`] under
//!   [`voting::Voting::abstraction`].
//! - [`paxos`]: the Paxos algorithm, which implements [`voting`] under
//!   [`paxos::Paxos::abstraction`].

pub mod consensus;
pub mod paxos;
pub mod tcommit;
pub mod two_phase;
pub mod two_phase_compact;
pub mod voting;

pub use consensus::Consensus;
pub use paxos::Paxos;
pub use tcommit::TCommit;
pub use two_phase::TwoPhase;
pub use voting::Voting;

/// How the workbench's checker reads a plain spec: one lane, `system`,
/// whose state is the spec's whole state; and no fair steps, since the specs
/// state no liveness (TLC's `Spec == Init /\ [][Next]_vars` has no fairness
/// conjunct).
macro_rules! plain_spec {
    ($($spec:ty),* $(,)?) => {$(
        impl checker::Describe for $spec {
            fn lanes(&self) -> Vec<String> {
                vec!["system".into()]
            }
            fn describe_step(
                &self,
                _before: &Self::State,
                action: &Self::Action,
                after: &Self::State,
            ) -> checker::summary::Step {
                checker::describe::describe_plain_step::<Self>(action, after)
            }
            fn describe_state(&self, state: &Self::State) -> Vec<String> {
                vec![format!("{state:?}")]
            }
        }

        impl checker::liveness::FairnessClasses for $spec {
            fn fairness_class(&self, _action: &Self::Action) -> Option<u64> {
                None
            }
        }
    )*};
}

plain_spec!(TCommit, TwoPhase, Consensus, Voting, Paxos);
