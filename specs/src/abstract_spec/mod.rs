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
//!
//! And more of tlaplus/Examples, each with its MC configuration:
//!
//! - [`paxos_commit`]: Paxos Commit (Gray & Lamport 2006, Section 4), which
//!   implements [`tcommit`].
//! - [`lamport_mutex`]: Lamport's mutual exclusion with `MCLamportMutex`'s
//!   state constraint as its boundary; [`mutual_exclusion`] is the plain
//!   problem the `lamport-mutex` actor model refines.
//! - [`ewd840`]: Dijkstra's termination detection on a ring, which
//!   implements [`sync_termination_detection`].
//! - [`chang_roberts`]: leader election on a ring.
//! - [`bcast_byz`]: reliable broadcast with Byzantine processes.
//!
//! And the workbench's own:
//!
//! - [`replicated_log`]: a committed log that only grows, never changing an
//!   entry; the `raft` model refines it.

pub mod bcast_byz;
pub mod chang_roberts;
pub mod consensus;
pub mod ewd840;
pub mod lamport_mutex;
pub mod mutual_exclusion;
pub mod paxos;
pub mod paxos_commit;
pub mod replicated_log;
pub mod sync_termination_detection;
pub mod tcommit;
pub mod two_phase;
pub mod two_phase_compact;
pub mod voting;

pub use bcast_byz::BcastByz;
pub use chang_roberts::ChangRoberts;
pub use consensus::Consensus;
pub use ewd840::Ewd840;
pub use lamport_mutex::LamportMutex;
pub use mutual_exclusion::MutualExclusion;
pub use paxos::Paxos;
pub use paxos_commit::PaxosCommit;
pub use replicated_log::ReplicatedLog;
pub use sync_termination_detection::SyncTerminationDetection;
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

plain_spec!(
    TCommit,
    TwoPhase,
    Consensus,
    Voting,
    Paxos,
    PaxosCommit,
    LamportMutex,
    MutualExclusion,
    ReplicatedLog,
    Ewd840,
    SyncTerminationDetection,
    ChangRoberts,
    BcastByz,
);

// Every spec's state serialises: an ITF export (`dsw check spec:... --itf`)
// writes it through serde.
checker::itf_via_serde!(
    bcast_byz::State,
    chang_roberts::State,
    consensus::State,
    ewd840::State,
    lamport_mutex::State,
    mutual_exclusion::State,
    paxos::State,
    paxos_commit::State,
    replicated_log::State,
    sync_termination_detection::State,
    tcommit::State,
    two_phase::State,
    two_phase_compact::State,
    voting::State,
);
