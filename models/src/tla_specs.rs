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
use specs::abstract_spec::{Consensus, Paxos, Voting};

use crate::registry::{Config, ParamSpec, Params, PropertySpec, Protocol, VariantSpec, CORRECT};

/// Every abstract specification `dsw` can check, each named `spec:<name>`.
pub static SPECS: &[&Protocol] = &[&CONSENSUS, &VOTING, &PAXOS];

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

pub static CONSENSUS: Protocol = Protocol {
    name: "spec:consensus",
    section: SECTION,
    summary: "Consensus.tla: at most one value is ever chosen, and once chosen it stays",
    citations: &[EXAMPLES, "Consensus.tla and MCConsensus.cfg"],
    notes: "",
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
    param_rules: &[],
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
    variants: AS_WRITTEN,
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<ConsensusCfg>,
    explore: crate::registry::explore_config::<ConsensusCfg>,
    run: None,
};

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

pub static VOTING: Protocol = Protocol {
    name: "spec:voting",
    section: SECTION,
    summary: "Voting.tla: acceptors vote in numbered ballots; a quorum voting for one value in one ballot chooses it",
    citations: &[EXAMPLES, "Voting.tla and MCVoting.cfg"],
    notes: "",
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
    param_rules: &[],
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
    variants: AS_WRITTEN,
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<VotingCfg>,
    explore: crate::registry::explore_config::<VotingCfg>,
    run: None,
};

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

pub static PAXOS: Protocol = Protocol {
    name: "spec:paxos",
    section: SECTION,
    summary: "Paxos.tla: Paxos without leaders or learners, messages never removed; implements Voting",
    citations: &[EXAMPLES, "Paxos.tla, MCPaxos.cfg and MCPaxosTiny.cfg"],
    notes: "",
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
    param_rules: &[],
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
    variants: AS_WRITTEN,
    scenarios: &[],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<PaxosCfg>,
    explore: crate::registry::explore_config::<PaxosCfg>,
    run: None,
};
