//! Lamport's abstract specifications (the `specs` crate) registered like
//! protocols, so that `dsw check spec:voting -p max_ballot=1 -p symmetry=1`
//! checks a spec as TLC checks an MC configuration: its invariants, a
//! reachability witness, the refinement to the spec above it, and with
//! `symmetry=1` one state per orbit (TLC's `SYMMETRY`, as a view).
//!
//! They are listed in [`SPECS`], apart from the catalog's [`crate::PROTOCOLS`]:
//! `dsw list` shows them in a section of their own, and neither `check --all`
//! nor the reports run them (their counts are pinned against TLC's by
//! `tests/it/tla_conformance.rs` instead).

use checker::PropertyKind;
use serde::Serialize;
use specs::abstract_spec::{
    BcastByz, ChangRoberts, Consensus, Ewd840, LamportMutex, Paxos, PaxosCommit,
    SyncTerminationDetection, Voting,
};

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, VariantSpec, CORRECT,
};

/// Every abstract specification `dsw` can check, each named `spec:<name>`.
pub static SPECS: &[&Protocol] = &[
    &CONSENSUS,
    &VOTING,
    &PAXOS,
    &PAXOS_COMMIT,
    &LAMPORT_MUTEX,
    &EWD840,
    &SYNC_TERMINATION_DETECTION,
    &CHANG_ROBERTS,
    &BCAST_BYZ,
    &BCAST_BYZ_NO_BCAST,
];

/// The section `dsw list` shows them under.
const SECTION: &str = "Abstract specifications (TLA+)";

/// Where the three specs come from.
const EXAMPLES: &str = "tlaplus/Examples, specifications/Paxos/ and specifications/PaxosHowToWinATuringAward/ (Leslie Lamport)";

/// The only variant: the spec as written.
const AS_WRITTEN: &[VariantSpec] = &[VariantSpec {
    name: CORRECT,
    doc: "the spec as written in the TLA+",
    expect: &[],
}];

/// What differs from spec to spec in its registry entry; [`spec`] adds the
/// rest, which is the same for all.
struct Spec {
    name: &'static str,
    summary: &'static str,
    citations: &'static [&'static str],
    notes: &'static str,
    params: &'static [ParamSpec],
    param_rules: &'static [ParamRule],
    properties: &'static [PropertySpec],
}

impl Spec {
    /// What a spec leaves out: no notes, no rules between parameters.
    const DEFAULTS: Spec = Spec {
        name: "",
        summary: "",
        citations: &[],
        notes: "",
        params: &[],
        param_rules: &[],
        properties: &[],
    };
}

/// A spec's registry entry, checked and explored through `C`: one variant
/// (the spec as written), no scenarios, no real run, and weak fairness,
/// which no spec here uses (none has an `eventually` property).
const fn spec<C>(s: Spec) -> Protocol
where
    C: Config,
    <C::Model as stateright::Model>::State: Clone
        + std::fmt::Debug
        + std::hash::Hash
        + PartialEq
        + checker::itf::ItfState
        + Send
        + Sync
        + 'static,
    <C::Model as stateright::Model>::Action:
        Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static,
{
    Protocol {
        name: s.name,
        section: SECTION,
        summary: s.summary,
        citations: s.citations,
        notes: s.notes,
        params: s.params,
        param_rules: s.param_rules,
        properties: s.properties,
        variants: AS_WRITTEN,
        scenarios: &[],
        fairness: checker::Fairness::Weak,
        check: crate::registry::check_config::<C>,
        explore: crate::registry::explore_config::<C>,
        replay: crate::registry::replay_config::<C>,
        compare: crate::registry::compare_config::<C>,
        run: None,
    }
}

/// `symmetry`: TLC's `SYMMETRY Permutations(Acceptor) \cup Permutations(Value)`.
const SYMMETRY: ParamSpec = ParamSpec {
    name: "symmetry",
    doc: "1: count one state per orbit under renaming acceptors and values (TLC's SYMMETRY)",
    default: 0,
    min: 0,
    max: 1,
};

/// `Consensus` with `Value = 0..values`, from `Init` or (`ispec`) from every
/// state of `IInv`.
#[derive(Debug, Serialize)]
pub struct ConsensusCfg {
    pub values: usize,
    pub ispec: bool,
}

impl Config for ConsensusCfg {
    type Model = Consensus;

    fn new(_variant: &str, params: &Params) -> Self {
        ConsensusCfg {
            values: params["values"] as usize,
            ispec: params["ispec"] == 1,
        }
    }

    fn into_model(self) -> Consensus {
        if self.ispec {
            Consensus::inductive(self.values)
        } else {
            Consensus::new(self.values)
        }
    }
}

pub static CONSENSUS: Protocol = spec::<ConsensusCfg>(Spec {
    name: "spec:consensus",
    summary: "Consensus.tla: at most one value is ever chosen, and once chosen it stays",
    citations: &[EXAMPLES, "Consensus.tla and MCConsensus.cfg"],
    params: &[
        ParamSpec {
            name: "values",
            doc: "the size of the constant Value (MCConsensus: 3)",
            default: 3,
            min: 1,
            max: 5,
        },
        ParamSpec {
            name: "ispec",
            doc:
                "1: ISpec of Paxos/MCConsensus.tla, every state of IInv initial (Inv is inductive)",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    properties: &[
        PropertySpec {
            name: "Inv",
            kind: PropertyKind::Always,
            source: "Consensus.tla, THEOREM Invariance == Spec => []Inv",
        },
        PropertySpec {
            name: "chosen # {}",
            kind: PropertyKind::Sometimes,
            source: "Paxos/Consensus.tla, Success as a possibility",
        },
    ],
    ..Spec::DEFAULTS
});

/// `Voting` with majority quorums, `Ballot <- 0..max_ballot`, and TLC's
/// symmetry if asked.
#[derive(Debug, Serialize)]
pub struct VotingCfg {
    pub acceptors: usize,
    pub values: usize,
    pub max_ballot: i32,
    pub symmetry: bool,
}

impl Config for VotingCfg {
    type Model = Voting;

    fn new(_variant: &str, params: &Params) -> Self {
        VotingCfg {
            acceptors: params["acceptors"] as usize,
            values: params["values"] as usize,
            max_ballot: params["max_ballot"] as i32,
            symmetry: params["symmetry"] == 1,
        }
    }

    fn into_model(self) -> Voting {
        let model = Voting::new(self.acceptors, self.values, self.max_ballot);
        if self.symmetry {
            model.with_symmetry()
        } else {
            model
        }
    }

    /// `THEOREM Implementation == Spec => C!Spec` under `chosen`; with
    /// `symmetry=1`, the orbit representative as the view: majority quorums
    /// are closed under renaming acceptors, so renaming maps steps to steps,
    /// and the properties and the refinement do not depend on names.
    fn analyses(model: &Voting) -> checker::Analyses<Voting> {
        let mapping = model.clone();
        let view = model.clone();
        checker::Analyses {
            refinements: vec![checker::Refinement::new(
                "refines Consensus",
                model.consensus(),
                move |s| mapping.abstraction(s),
            )],
            view: model.symmetry.then(|| {
                Box::new(move |s: &specs::abstract_spec::voting::State| view.representative(s))
                    as checker::analyses::View<Voting>
            }),
            ..checker::Analyses::none()
        }
    }
}

pub static VOTING: Protocol = spec::<VotingCfg>(Spec {
    name: "spec:voting",
    summary: "Voting.tla: acceptors vote in numbered ballots; a quorum voting for one value in one ballot chooses it",
    citations: &[EXAMPLES, "Voting.tla and MCVoting.cfg"],
    params: &[
        ParamSpec {
            name: "acceptors",
            doc: "the size of Acceptor; Quorum is its majorities (MCVoting: 3)",
            default: 3,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "values",
            doc: "the size of Value (MCVoting: 2)",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "max_ballot",
            doc: "Ballot <- 0..max_ballot (PaxosHowToWinATuringAward/MCVoting: 2, Paxos/MCVoting: 1)",
            default: 2,
            min: 0,
            max: 2,
        },
        SYMMETRY,
    ],
    properties: &[
        PropertySpec {
            name: "Inv",
            kind: PropertyKind::Always,
            source: "Voting.tla, THEOREM Invariance == Spec => []Inv",
        },
        PropertySpec {
            name: "C!Inv",
            kind: PropertyKind::Always,
            source: "Voting.tla, THEOREM Implementation == Spec => C!Spec: at most one value chosen",
        },
        PropertySpec {
            name: "chosen # {}",
            kind: PropertyKind::Sometimes,
            source: "reachability: a value can be chosen",
        },
        PropertySpec {
            name: "refines Consensus",
            kind: PropertyKind::Refines,
            source: "Voting.tla, THEOREM Implementation == Spec => C!Spec (MCVoting.cfg's PROPERTY)",
        },
    ],
    ..Spec::DEFAULTS
});

/// `Paxos` with majority quorums, `Ballot <- 0..max_ballot`, and TLC's
/// symmetry if asked.
#[derive(Debug, Serialize)]
pub struct PaxosCfg {
    pub acceptors: usize,
    pub values: usize,
    pub max_ballot: i32,
    pub symmetry: bool,
}

impl Config for PaxosCfg {
    type Model = Paxos;

    fn new(_variant: &str, params: &Params) -> Self {
        PaxosCfg {
            acceptors: params["acceptors"] as usize,
            values: params["values"] as usize,
            max_ballot: params["max_ballot"] as i32,
            symmetry: params["symmetry"] == 1,
        }
    }

    fn into_model(self) -> Paxos {
        let model = Paxos::new(self.acceptors, self.values, self.max_ballot);
        if self.symmetry {
            model.with_symmetry()
        } else {
            model
        }
    }

    /// `THEOREM Implementation == Spec => V!Spec` under `votes` and
    /// `maxBal`, and through it `V!C!Spec` under `V!chosen`; with
    /// `symmetry=1` the orbit representative as the view, sound as for
    /// `spec:voting`.
    fn analyses(model: &Paxos) -> checker::Analyses<Paxos> {
        let to_voting = model.clone();
        let to_consensus = model.clone();
        let view = model.clone();
        checker::Analyses {
            refinements: vec![
                checker::Refinement::new("refines Voting", model.voting(), move |s| {
                    to_voting.abstraction(s)
                }),
                checker::Refinement::new(
                    "refines Consensus",
                    model.voting().consensus(),
                    move |s| specs::abstract_spec::consensus::State {
                        chosen: to_consensus.chosen(s),
                    },
                ),
            ],
            view: model.symmetry.then(|| {
                Box::new(move |s: &specs::abstract_spec::paxos::State| view.representative(s))
                    as checker::analyses::View<Paxos>
            }),
            ..checker::Analyses::none()
        }
    }
}

pub static PAXOS: Protocol = spec::<PaxosCfg>(Spec {
    name: "spec:paxos",
    summary: "Paxos.tla: Paxos without leaders or learners, messages never removed; implements Voting",
    citations: &[EXAMPLES, "Paxos.tla, MCPaxos.cfg and MCPaxosTiny.cfg"],
    params: &[
        ParamSpec {
            name: "acceptors",
            doc: "the size of Acceptor; Quorum is its majorities (MCPaxosTiny: 3, Paxos/MCPaxos: 1)",
            default: 3,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "values",
            doc: "the size of Value (MCPaxosTiny: 2, Paxos/MCPaxos: 1)",
            default: 2,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "max_ballot",
            doc: "Ballot <- 0..max_ballot (MCPaxosTiny and Paxos/MCPaxos: 1, MCPaxosSmall: 2)",
            default: 1,
            min: 0,
            max: 2,
        },
        SYMMETRY,
    ],
    properties: &[
        PropertySpec {
            name: "Inv",
            kind: PropertyKind::Always,
            source: "PaxosHowToWinATuringAward/Paxos.tla, THEOREM Invariance == Spec => []Inv (includes Paxos/MCPaxos.tla's Inv1..Inv3)",
        },
        PropertySpec {
            name: "V!Inv",
            kind: PropertyKind::Always,
            source: "Paxos/Paxos.tla, Inv's conjunct V!Inv (MCPaxos.tla's Inv4)",
        },
        PropertySpec {
            name: "V!C!Inv",
            kind: PropertyKind::Always,
            source: "Paxos.tla, Spec => V!Spec => V!C!Spec: at most one value chosen",
        },
        PropertySpec {
            name: "V!chosen # {}",
            kind: PropertyKind::Sometimes,
            source: "reachability: a value can be chosen",
        },
        PropertySpec {
            name: "refines Voting",
            kind: PropertyKind::Refines,
            source: "Paxos.tla, THEOREM Implementation == Spec => V!Spec (MCPaxos.cfg's PROPERTY)",
        },
        PropertySpec {
            name: "refines Consensus",
            kind: PropertyKind::Refines,
            source: "Paxos.tla, Spec => V!C!Spec, by transitivity",
        },
    ],
    ..Spec::DEFAULTS
});

/// Where the specs below come from.
const MORE_EXAMPLES: &str =
    "tlaplus/Examples, specifications/ (commit 32a32c7b0b97562da2dd4b2e55b7f81cd6fea2b9)";

/// `PaxosCommit` with majority quorums and `Ballot = 0..max_ballot`.
#[derive(Debug, Serialize)]
pub struct PaxosCommitCfg {
    pub rms: usize,
    pub acceptors: usize,
    pub max_ballot: i32,
}

impl Config for PaxosCommitCfg {
    type Model = PaxosCommit;

    fn new(_variant: &str, params: &Params) -> Self {
        PaxosCommitCfg {
            rms: params["rms"] as usize,
            acceptors: params["acceptors"] as usize,
            max_ballot: params["max_ballot"] as i32,
        }
    }

    fn into_model(self) -> PaxosCommit {
        PaxosCommit::new(self.rms, self.acceptors, self.max_ballot)
    }

    /// `THEOREM PCSpec => TC!TCSpec` under `rmState`.
    fn analyses(model: &PaxosCommit) -> checker::Analyses<PaxosCommit> {
        checker::Analyses {
            refinements: vec![checker::Refinement::new(
                "refines TCommit",
                model.tcommit(),
                PaxosCommit::abstraction,
            )],
            ..checker::Analyses::none()
        }
    }
}

pub static PAXOS_COMMIT: Protocol = spec::<PaxosCommitCfg>(Spec {
    name: "spec:paxos-commit",
    summary: "PaxosCommit.tla: one Paxos instance per RM decides prepared or aborted; implements TCommit",
    citations: &[
        MORE_EXAMPLES,
        "transaction_commit/PaxosCommit.tla and PaxosCommit.cfg (Gray & Lamport, Consensus on Transaction Commit, 2006, Section 4)",
    ],
    notes: "The default is PaxosCommit.cfg: 1,321,761 distinct states (about 1.3 million), a long check; -p rms=1 is quick.",
    params: &[
        ParamSpec {
            name: "rms",
            doc: "the size of RM (PaxosCommit.cfg: 2)",
            default: 2,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "acceptors",
            doc: "the size of Acceptor; Majority is its majorities (PaxosCommit.cfg: 3)",
            default: 3,
            min: 1,
            max: 3,
        },
        ParamSpec {
            name: "max_ballot",
            doc: "Ballot = 0..max_ballot (PaxosCommit.cfg: {0, 1})",
            default: 1,
            min: 0,
            max: 2,
        },
    ],
    properties: &[
        PropertySpec {
            name: "PCTypeOK",
            kind: PropertyKind::Always,
            source: "PaxosCommit.tla, THEOREM PCSpec => PCTypeOK (PaxosCommit.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "TC!TCConsistent",
            kind: PropertyKind::Always,
            source: "PaxosCommit.tla, THEOREM PCSpec => TC!TCSpec, whose invariant is TCConsistent",
        },
        PropertySpec {
            name: "committed",
            kind: PropertyKind::Sometimes,
            source: "reachability: every RM commits",
        },
        PropertySpec {
            name: "aborted",
            kind: PropertyKind::Sometimes,
            source: "reachability: every RM aborts",
        },
        PropertySpec {
            name: "refines TCommit",
            kind: PropertyKind::Refines,
            source: "PaxosCommit.tla, THEOREM PCSpec => TC!TCSpec",
        },
    ],
    ..Spec::DEFAULTS
});

/// `LamportMutex` with `N` processes, bounded by `ClockConstraint`, and
/// `MaxNat = maxClock + 1` as in `MCLamportMutex.cfg`.
#[derive(Debug, Serialize)]
pub struct LamportMutexCfg {
    pub n: usize,
    pub max_clock: u32,
}

impl Config for LamportMutexCfg {
    type Model = LamportMutex;

    fn new(_variant: &str, params: &Params) -> Self {
        LamportMutexCfg {
            n: params["n"] as usize,
            max_clock: params["max_clock"] as u32,
        }
    }

    fn into_model(self) -> LamportMutex {
        LamportMutex::new(self.n, self.max_clock, self.max_clock + 1)
    }

    /// The boundary (`CONSTRAINT ClockConstraint`): a search it cuts is
    /// bounded, and says so. And `Mutex` as a refinement of the plain
    /// mutual exclusion spec under `crit`.
    fn analyses(model: &LamportMutex) -> checker::Analyses<LamportMutex> {
        checker::Analyses {
            refinements: vec![checker::Refinement::new(
                "refines MutualExclusion",
                specs::abstract_spec::MutualExclusion::new(model.n),
                |s: &specs::abstract_spec::lamport_mutex::State| {
                    specs::abstract_spec::mutual_exclusion::State {
                        crit: s.crit.clone(),
                    }
                },
            )],
            boundary: Some(format!(
                "CONSTRAINT ClockConstraint: every clock <= maxClock = {}",
                model.max_clock
            )),
            ..checker::Analyses::none()
        }
    }
}

pub static LAMPORT_MUTEX: Protocol = spec::<LamportMutexCfg>(Spec {
    name: "spec:lamport-mutex",
    summary: "LamportMutex.tla: requests, acknowledgements and releases over FIFO channels, bounded by ClockConstraint",
    citations: &[
        MORE_EXAMPLES,
        "lamport_mutex/LamportMutex.tla, MCLamportMutex.tla and MCLamportMutex.cfg (Lamport, Time, Clocks, and the Ordering of Events, CACM 1978)",
    ],
    notes: "TLC's CONSTRAINT is the model's boundary: states beyond it are neither counted nor expanded, so every verdict is bounded by maxClock, never a proof. The default is MCLamportMutex.cfg: 724,274 distinct states; -p max_clock=3 is quick.",
    params: &[
        ParamSpec {
            name: "n",
            doc: "the number of processes N (MCLamportMutex.cfg: 3)",
            default: 3,
            min: 2,
            max: 3,
        },
        ParamSpec {
            name: "max_clock",
            doc: "maxClock of ClockConstraint (MCLamportMutex.cfg: 6; MaxNat is maxClock + 1)",
            default: 6,
            min: 1,
            max: 7,
        },
    ],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "LamportMutex.tla, TypeOK (MCLamportMutex.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "BoundedNetwork",
            kind: PropertyKind::Always,
            source: "LamportMutex.tla, BoundedNetwork (MCLamportMutex.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "Mutex",
            kind: PropertyKind::Always,
            source: "LamportMutex.tla, Mutex (MCLamportMutex.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "crit # {}",
            kind: PropertyKind::Sometimes,
            source: "reachability: a process enters",
        },
        PropertySpec {
            name: "refines MutualExclusion",
            kind: PropertyKind::Refines,
            source: "Mutex as a spec: under crit, every step enters an empty critical section, leaves it, or stutters",
        },
    ],
    ..Spec::DEFAULTS
});

/// `EWD840` with `N` nodes.
#[derive(Debug, Serialize)]
pub struct Ewd840Cfg {
    pub n: usize,
}

impl Config for Ewd840Cfg {
    type Model = Ewd840;

    fn new(_variant: &str, params: &Params) -> Self {
        Ewd840Cfg {
            n: params["n"] as usize,
        }
    }

    fn into_model(self) -> Ewd840 {
        Ewd840::new(self.n)
    }

    /// `TDSpec`: under `active` and `terminationDetected`.
    fn analyses(model: &Ewd840) -> checker::Analyses<Ewd840> {
        checker::Analyses {
            refinements: vec![checker::Refinement::new(
                "refines SyncTerminationDetection",
                model.sync_termination_detection(),
                Ewd840::abstraction,
            )],
            ..checker::Analyses::none()
        }
    }
}

pub static EWD840: Protocol = spec::<Ewd840Cfg>(Spec {
    name: "spec:ewd840",
    summary: "EWD840.tla: Dijkstra's termination detection with a token on a ring; implements SyncTerminationDetection",
    citations: &[
        MORE_EXAMPLES,
        "ewd840/EWD840.tla and EWD840.cfg (Dijkstra, Feijen, van Gasteren, EWD 840)",
    ],
    params: &[ParamSpec {
        name: "n",
        doc: "the number of nodes N (EWD840.cfg: 3)",
        default: 3,
        min: 1,
        max: 5,
    }],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "EWD840.tla, TypeOK (EWD840.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "TerminationDetection",
            kind: PropertyKind::Always,
            source: "EWD840.tla, TerminationDetection (EWD840.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "Inv",
            kind: PropertyKind::Always,
            source: "EWD840.tla, Dijkstra's inductive invariant Inv (EWD840.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "terminationDetected",
            kind: PropertyKind::Sometimes,
            source: "reachability: termination is detected",
        },
        PropertySpec {
            name: "refines SyncTerminationDetection",
            kind: PropertyKind::Refines,
            source: "EWD840.tla, TDSpec == TD!Spec (EWD840.cfg's PROPERTY), its safety part",
        },
    ],
    ..Spec::DEFAULTS
});

/// `SyncTerminationDetection` with `N` nodes.
#[derive(Debug, Serialize)]
pub struct SyncTerminationDetectionCfg {
    pub n: usize,
}

impl Config for SyncTerminationDetectionCfg {
    type Model = SyncTerminationDetection;

    fn new(_variant: &str, params: &Params) -> Self {
        SyncTerminationDetectionCfg {
            n: params["n"] as usize,
        }
    }

    fn into_model(self) -> SyncTerminationDetection {
        SyncTerminationDetection::new(self.n)
    }
}

pub static SYNC_TERMINATION_DETECTION: Protocol = spec::<SyncTerminationDetectionCfg>(Spec {
    name: "spec:sync-termination-detection",
    summary: "SyncTerminationDetection.tla: what termination detection on a ring means, with synchronous messages",
    citations: &[
        MORE_EXAMPLES,
        "ewd840/SyncTerminationDetection.tla and SyncTerminationDetection.cfg (Stephan Merz)",
    ],
    params: &[ParamSpec {
        name: "n",
        doc: "the number of nodes N (SyncTerminationDetection.cfg: 7)",
        default: 7,
        min: 1,
        max: 8,
    }],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "SyncTerminationDetection.tla, TypeOK (the cfg's INVARIANT)",
        },
        PropertySpec {
            name: "TDCorrect",
            kind: PropertyKind::Always,
            source: "SyncTerminationDetection.tla, TDCorrect (the cfg's INVARIANT)",
        },
        PropertySpec {
            name: "terminationDetected",
            kind: PropertyKind::Sometimes,
            source: "reachability: termination is detected",
        },
    ],
    ..Spec::DEFAULTS
});

/// `ChangRoberts` with `N` nodes and `MCChangRoberts`'s identities.
#[derive(Debug, Serialize)]
pub struct ChangRobertsCfg {
    pub n: usize,
}

impl Config for ChangRobertsCfg {
    type Model = ChangRoberts;

    fn new(_variant: &str, params: &Params) -> Self {
        ChangRobertsCfg {
            n: params["n"] as usize,
        }
    }

    fn into_model(self) -> ChangRoberts {
        ChangRoberts::new(self.n)
    }
}

pub static CHANG_ROBERTS: Protocol = spec::<ChangRobertsCfg>(Spec {
    name: "spec:chang-roberts",
    summary: "ChangRoberts.tla: leader election on a unidirectional ring; the smallest initiator wins",
    citations: &[
        MORE_EXAMPLES,
        "chang_roberts/ChangRoberts.tla, MCChangRoberts.tla and MCChangRoberts.cfg (Chang & Roberts, CACM 1979)",
    ],
    params: &[ParamSpec {
        name: "n",
        doc: "the number of nodes N, with Id[i] = i (MCChangRoberts.cfg: 3)",
        default: 3,
        min: 1,
        max: 5,
    }],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "ChangRoberts.tla, TypeOK (MCChangRoberts.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "Correctness",
            kind: PropertyKind::Always,
            source: "ChangRoberts.tla, Correctness (MCChangRoberts.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "some node won",
            kind: PropertyKind::Sometimes,
            source: "reachability: a leader is elected",
        },
    ],
    ..Spec::DEFAULTS
});

/// `bcastByz` from `Init`, or from `InitNoBcast` when `no_bcast` (set by
/// [`BcastByzNoBcastCfg`], the other entry).
#[derive(Debug, Serialize)]
pub struct BcastByzCfg {
    pub n: usize,
    pub t: usize,
    pub f: usize,
    pub no_bcast: bool,
}

impl Config for BcastByzCfg {
    type Model = BcastByz;

    fn new(_variant: &str, params: &Params) -> Self {
        BcastByzCfg {
            n: params["n"] as usize,
            t: params["t"] as usize,
            f: params["f"] as usize,
            no_bcast: false,
        }
    }

    fn into_model(self) -> BcastByz {
        if self.no_bcast {
            BcastByz::no_bcast(self.n, self.t, self.f)
        } else {
            BcastByz::new(self.n, self.t, self.f)
        }
    }
}

/// `ASSUME NTF`: `N > 3T` and `T >= F`.
fn ntf(params: &Params) -> Result<(), String> {
    let (n, t, f) = (params["n"], params["t"], params["f"]);
    if n > 3 * t && t >= f {
        Ok(())
    } else {
        Err(format!(
            "ASSUME NTF needs n > 3t and t >= f; got n={n}, t={t}, f={f}"
        ))
    }
}

const NTF: ParamRule = ParamRule {
    doc: "ASSUME NTF: n > 3t and t >= f",
    check: ntf,
};

pub static BCAST_BYZ: Protocol = spec::<BcastByzCfg>(Spec {
    name: "spec:bcast-byz",
    summary: "bcastByz.tla (Spec): Srikanth & Toueg's echo broadcast with Byzantine processes",
    citations: &[
        MORE_EXAMPLES,
        "bcastByz/bcastByz.tla and bcastByz.cfg (Konnov, Tran, Widder; Srikanth & Toueg 1987, Fig. 7)",
    ],
    notes: "CorrLtl and RelayLtl, the cfg's temporal PROPERTIES, are not checked: the specs state no fairness here.",
    params: &[
        ParamSpec {
            name: "n",
            doc: "the number of processes N (bcastByz.cfg: 4)",
            default: 4,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "t",
            doc: "the number of faults tolerated T (bcastByz.cfg: 1)",
            default: 1,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "f",
            doc: "the number of Byzantine processes F (bcastByz.cfg: 1)",
            default: 1,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[NTF],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "bcastByz.tla, TypeOK (bcastByz.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "FCConstraints",
            kind: PropertyKind::Always,
            source: "bcastByz.tla, FCConstraints (bcastByz.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "some correct process accepts",
            kind: PropertyKind::Sometimes,
            source: "reachability: a correct process reaches AC",
        },
    ],
});

/// `bcastByz` from `InitNoBcast`.
#[derive(Debug, Serialize)]
pub struct BcastByzNoBcastCfg(BcastByzCfg);

impl Config for BcastByzNoBcastCfg {
    type Model = BcastByz;

    fn new(variant: &str, params: &Params) -> Self {
        BcastByzNoBcastCfg(BcastByzCfg {
            no_bcast: true,
            ..BcastByzCfg::new(variant, params)
        })
    }

    fn into_model(self) -> BcastByz {
        self.0.into_model()
    }
}

pub static BCAST_BYZ_NO_BCAST: Protocol = spec::<BcastByzNoBcastCfg>(Spec {
    name: "spec:bcast-byz-no-bcast",
    summary: "bcastByz.tla (SpecNoBcast): nobody got the broadcast, so no correct process accepts (Unforg)",
    citations: &[
        MORE_EXAMPLES,
        "bcastByz/bcastByz.tla and bcastByzNoBcast.cfg (Konnov, Tran, Widder)",
    ],
    notes: "CorrLtl and RelayLtl, the cfg's temporal PROPERTIES, are not checked: the specs state no fairness here.",
    params: &[
        ParamSpec {
            name: "n",
            doc: "the number of processes N (bcastByzNoBcast.cfg: 10)",
            default: 10,
            min: 1,
            max: 10,
        },
        ParamSpec {
            name: "t",
            doc: "the number of faults tolerated T (bcastByzNoBcast.cfg: 3)",
            default: 3,
            min: 0,
            max: 3,
        },
        ParamSpec {
            name: "f",
            doc: "the number of Byzantine processes F (bcastByzNoBcast.cfg: 2)",
            default: 2,
            min: 0,
            max: 3,
        },
    ],
    param_rules: &[NTF],
    properties: &[
        PropertySpec {
            name: "TypeOK",
            kind: PropertyKind::Always,
            source: "bcastByz.tla, TypeOK (bcastByzNoBcast.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "FCConstraints",
            kind: PropertyKind::Always,
            source: "bcastByz.tla, FCConstraints (bcastByzNoBcast.cfg's INVARIANT)",
        },
        PropertySpec {
            name: "Unforg",
            kind: PropertyKind::Always,
            source: "bcastByz.tla, Unforg and THEOREM Unforg_Step4 == SpecNoBcast => []Unforg",
        },
        PropertySpec {
            name: "Faulty # {}",
            kind: PropertyKind::Sometimes,
            source: "reachability: there are Byzantine processes (F > 0), so Unforg is not vacuous",
        },
    ],
});
