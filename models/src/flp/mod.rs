//! The FLP impossibility, shown on a protocol: [Fischer, Lynch & Paterson,
//! "Impossibility of Distributed Consensus with One Faulty Process" (JACM
//! 1985)](https://doi.org/10.1145/3149.214121) prove that no deterministic
//! protocol for binary consensus in the asynchronous model is totally correct
//! if one process may crash. The protocol here is [Ben-Or, "Another Advantage
//! of Free Choice" (PODC 1983)](https://doi.org/10.1145/800221.806707) with its
//! coin replaced by the fixed value 0, so it is deterministic: each round a
//! process reports its estimate, proposes a value only a majority reported,
//! decides on f + 1 proposals, adopts a proposal it saw, and otherwise falls
//! back to 0. One addition to Ben-Or: a process that decides halts and
//! relays `Decide` (in Ben-Or's protocol a decided process keeps running
//! rounds, so the others still hear from it; here it stops, and the relay
//! is what lets the others decide without it).
//!
//! Fault model: three processes, at most one crash (crash-stop, never forced:
//! Stateright's crash step, which fairness never demands), a reliable
//! unordered network with unbounded delays. Each process waits for n - f = 2
//! messages per phase, as it must to be live despite a crash (FLP §2: an
//! admissible run may have one process that takes no more steps; Ben-Or's
//! "wait till n - t messages"). A process counts its own report and
//! proposal at once, so the two it waits for always include its own: the
//! runs checked are those of Ben-Or's schedules in which a process's own
//! message is never overtaken, and "agreement holds" is about these runs.
//!
//! What the checker shows: "agreement" and "validity" hold (so does FLP's
//! partial correctness: both decisions are reachable), and "termination" is
//! VIOLATED by a fair lasso with no crash at all. The valence analysis (FLP
//! §3) lists every initial configuration in the order of Lemma 2's chain
//! (neighbours differ in one input) and finds the bivalent ones, and its fair
//! run that stays bivalent forever is a run of the kind Theorem 1 builds with
//! Lemma 3 (the checker finds it as a cycle of the state graph, not by FLP's
//! adversary): each round, the deliveries that would make the configuration
//! univalent are made only after they no longer matter. Rounds are
//! unbounded; the checker explores a round-renumbering view ([`view`]) under
//! which that run is a cycle. Scenario `initially-dead` is FLP §4's setting
//! (Theorem 2): p0 is dead from the start and takes no step, and there
//! "termination" holds. `propose-without-majority`, `decide-on-one-proposal`
//! and `ignore-proposal` each break "agreement"; `wait-for-all` waits for
//! all three processes and never decides when one is dead. "every correct
//! process decides" is a leads-to (some process decided ~> every live
//! process decided) that holds thanks to the relay; `no-relay` drops the
//! relay and breaks it: two processes decide and halt, and the third waits
//! forever for a round they never run.
//!
//! Ben-Or's channels are reliable; a real network's are not. With
//! `retransmit = 1` (scenario `initially-dead-lossy`, and every real run)
//! the network loses, duplicates and reorders, and each process
//! makes its links reliable as a stubborn link does (Cachin, Guerraoui &
//! Rodrigues 2011, Algorithm 2.1, "retransmit forever"): on a timer it
//! sends again every report and proposal it has sent, of every round, and
//! once decided its decision too. The old rounds matter: a process may move
//! on while another still waits for its proposal of the round it left
//! (`forget-past-rounds` sends only the current round's, and two processes
//! alone then wait for each other forever). The lossy network is checked
//! in FLP §4's setting, p0 dead from the start, where p1 and p2 must still
//! decide; there the two are never more than a round apart, so the check
//! needs only the last round's proposal sent again. With three live
//! processes the lossy state space is too large to check in seconds, and a
//! test checks directly that a process sends again every round it kept.

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, RunOptions, RunReport,
    ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::describe::Describe;
use checker::liveness::FairnessClasses;
use checker::summary::Step;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{
    Actor, ActorModel, ActorModelAction, Envelope, Id, LossyNetwork, Network, Out,
};
use stateright::{Expectation, Model, Path, Property};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A binary input or decision value (FLP §2: "x_p ∈ {0, 1}").
pub type Value = u8;
/// Ben-Or's round number r, from 1.
pub type Round = u32;
/// A process, by its index: p0, p1, p2.
pub type Process = usize;

/// N: the number of processes.
pub const N: usize = 3;
/// f: the crashes tolerated (FLP's "one faulty process").
pub const F: usize = 1;
/// What a process adopts when it saw no proposal: the coin of Ben-Or's
/// protocol, fixed so that the protocol is deterministic.
pub const FALLBACK: Value = 0;

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlpMsg {
    /// Phase 1, Ben-Or's (1, r, x): the sender's estimate in round r.
    Report { round: Round, value: Value },
    /// Phase 2, Ben-Or's (2, r, v, D) (`Some(v)`) or (2, r, ?) (`None`).
    Proposal { round: Round, value: Option<Value> },
    /// The sender decided `value`: the receiver decides it too. Not in
    /// Ben-Or's protocol, where a process that decides keeps running rounds:
    /// here a decided process halts, so the others could be left waiting for
    /// its reports after a crash of a third; the relay lets them decide.
    Decide { value: Value },
}

impl std::fmt::Debug for FlpMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FlpMsg::Report { round, value } => write!(f, "Report(r{round}, {value})"),
            FlpMsg::Proposal {
                round,
                value: Some(v),
            } => write!(f, "Proposal(r{round}, {v})"),
            FlpMsg::Proposal { round, value: None } => write!(f, "Proposal(r{round}, ?)"),
            FlpMsg::Decide { value } => write!(f, "Decide({value})"),
        }
    }
}

/// Which messages of its round a process is waiting for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Phase {
    /// Waiting for n - f reports.
    Reporting,
    /// Waiting for n - f proposals.
    Proposing,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FlpState {
    // FLP's registers (§2)
    /// The input register x_p.
    pub input: Value,
    /// The output register y_p, written once: `None` is FLP's b.
    pub decision: Option<Value>,
    // Ben-Or's round
    pub round: Round,
    pub phase: Phase,
    /// The value this process reports next: its input, then what each round
    /// leaves it.
    pub estimate: Value,
    /// This round's reports, by sender.
    pub reports: BTreeMap<Process, Value>,
    /// This round's proposals, by sender.
    pub proposals: BTreeMap<Process, Option<Value>>,
    /// With [`FlpCfg::retransmit`]: every report and proposal this process
    /// has sent, to be sent again (a stubborn link keeps what it sent).
    /// Empty otherwise.
    pub sent: BTreeSet<FlpMsg>,
}

impl std::fmt::Debug for FlpState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(v) = self.decision {
            return write!(f, "decided {v} (input {})", self.input);
        }
        write!(
            f,
            "r{} {:?} estimate {} (input {})",
            self.round, self.phase, self.estimate, self.input
        )?;
        if !self.reports.is_empty() {
            write!(f, " reports {:?}", self.reports)?;
        }
        if !self.proposals.is_empty() {
            let p: Vec<String> = self
                .proposals
                .iter()
                .map(|(q, v)| match v {
                    Some(v) => format!("{q}: {v}"),
                    None => format!("{q}: ?"),
                })
                .collect();
            write!(f, " proposals {{{}}}", p.join(", "))?;
        }
        if !self.sent.is_empty() {
            let sent: Vec<String> = self.sent.iter().map(|m| format!("{m:?}")).collect();
            write!(f, " sent {{{}}}", sent.join(", "))?;
        }
        Ok(())
    }
}

/// Known bugs, each one rule of Ben-Or's round weakened. The protocol has
/// no bug in the paper's sense: FLP's point is that even the correct one
/// cannot terminate in every admissible run.
///
/// Each of the first three bugs also makes every fair run decide
/// ("termination" holds): the other side of FLP's theorem, a protocol that
/// always decides gives up agreement. The fourth keeps agreement and gives
/// up tolerating the crash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as described.
    #[default]
    None,
    /// A process proposes a value half of the reports it received carry
    /// (its own estimate on a tie), not one more than n/2 processes
    /// reported. Must violate "agreement": two values are proposed in one
    /// round, and each can gather f + 1 proposals.
    ProposeWithoutMajority,
    /// A process decides on one proposal, not f + 1. Must violate
    /// "agreement": the other processes can wait for two proposals that do
    /// not include it, fall back to 0, and decide 0.
    DecideOnOneProposal,
    /// A process that saw a proposal falls back to 0 instead of adopting it.
    /// Must violate "agreement": a process that decided 1 on f + 1
    /// proposals leaves the others with 0.
    IgnoreProposal,
    /// A process waits for the reports and then the proposals of all n
    /// processes, not n - f. Must violate "termination" in scenario
    /// `initially-dead` (FLP §4): the two live processes wait forever for
    /// the dead one. (With every process up it decides in round 1, since
    /// three binary reports always hold a majority: no initial configuration
    /// is bivalent, which is how it escapes Lemma 2, whose proof needs a
    /// decision in a run where one process takes no steps.)
    WaitForAll,
    /// A process that decides halts without relaying `Decide` (nor, with
    /// retransmission, sending it again; what it sent before it still
    /// sends again). Must violate "every correct process decides" (with
    /// every process up): two processes that each proposed v decide v on
    /// each other's proposal and halt, while the third, whose own proposal
    /// was ?, sees one v, adopts it and waits forever for reports of a
    /// round the halted two never run. "termination" cannot tell: some
    /// process decided.
    NoRelay,
    /// With retransmission, a process keeps only its current round's
    /// messages, so it sends again only those, not those of the rounds it
    /// has left. Must violate "termination" in scenario
    /// `initially-dead-lossy`: p2 takes p1's proposal and moves on, p2's
    /// proposal to p1 is lost, and p1 waits for it forever while p2 waits
    /// for p1's next report.
    ForgetPastRounds,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::ProposeWithoutMajority,
        Bug::DecideOnOneProposal,
        Bug::IgnoreProposal,
        Bug::WaitForAll,
        Bug::NoRelay,
        Bug::ForgetPastRounds,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::ProposeWithoutMajority => "propose-without-majority",
            Bug::DecideOnOneProposal => "decide-on-one-proposal",
            Bug::IgnoreProposal => "ignore-proposal",
            Bug::WaitForAll => "wait-for-all",
            Bug::NoRelay => "no-relay",
            Bug::ForgetPastRounds => "forget-past-rounds",
        }
    }
}

#[derive(Clone, Debug)]
pub struct FlpActor {
    /// This process.
    pub me: Process,
    /// Every process, this one included.
    pub peers: Vec<Id>,
    /// Its input in a real run; the checker explores every initial
    /// configuration instead ([`FlpModel`]).
    pub input: Value,
    /// Send again what may have been lost (see [`FlpCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// The process's one timer, set only with [`FlpCfg::retransmit`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlpTimer {
    /// Send again what this process has sent (see `on_timeout`).
    Retransmit,
}

/// How long a process waits before retransmitting, on a real network. The
/// checker fires the timer at any time.
const RETRANSMIT: std::ops::Range<std::time::Duration> =
    std::time::Duration::from_millis(20)..std::time::Duration::from_millis(40);

impl FlpActor {
    /// The sender's process index; `None` for a sender that is no process
    /// (a stray datagram in a real run), whose message is ignored.
    fn index(&self, id: Id) -> Option<Process> {
        self.peers.iter().position(|p| *p == id)
    }

    /// The end of phase 1 (Ben-Or: "if more than n/2 messages have the same
    /// value v, send (2, r, v, D), else send (2, r, ?)").
    fn proposal(&self, reports: &BTreeMap<Process, Value>, estimate: Value) -> Option<Value> {
        let count = |v: Value| reports.values().filter(|x| **x == v).count();
        match self.bug {
            // The bug: half of what arrived, own estimate first.
            Bug::ProposeWithoutMajority => [estimate, 1 - estimate]
                .into_iter()
                .find(|v| 2 * count(*v) >= reports.len()),
            _ => [0, 1].into_iter().find(|v| 2 * count(*v) > N),
        }
    }

    /// Sends this process's report for its round to the others, and counts
    /// its own (Ben-Or's "send (1, r, x_p) to all processes", itself
    /// included, delivered at once).
    fn report(&self, state: &mut FlpState, o: &mut Out<Self>) {
        let msg = FlpMsg::Report {
            round: state.round,
            value: state.estimate,
        };
        self.send_to_others(state, o, msg);
        state.reports.insert(self.me, state.estimate);
    }

    /// Sends `msg` to every other process, and keeps it to send again if
    /// this process retransmits.
    fn send_to_others(&self, state: &mut FlpState, o: &mut Out<Self>, msg: FlpMsg) {
        o.broadcast(&self.others(), &msg);
        if self.retransmit {
            state.sent.insert(msg);
        }
    }

    fn others(&self) -> Vec<Id> {
        let me = self.peers[self.me];
        self.peers.iter().copied().filter(|p| *p != me).collect()
    }

    fn decide(state: &mut FlpState, value: Value) {
        state.decision = Some(value);
        state.reports.clear();
        state.proposals.clear();
    }

    /// Arms the retransmission timer, if this process retransmits.
    fn arm(&self, o: &mut Out<Self>) {
        if self.retransmit {
            o.set_timer(FlpTimer::Retransmit, RETRANSMIT);
        }
    }
}

impl Actor for FlpActor {
    type Msg = FlpMsg;
    type Timer = FlpTimer;
    type State = FlpState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        format!("p{}", self.me)
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> FlpState {
        // Round 1 starts: report the input.
        let mut state = FlpState {
            input: self.input,
            decision: None,
            round: 1,
            phase: Phase::Reporting,
            estimate: self.input,
            reports: BTreeMap::new(),
            proposals: BTreeMap::new(),
            sent: BTreeSet::new(),
        };
        self.report(&mut state, o);
        self.arm(o);
        state
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<FlpState>, src: Id, msg: FlpMsg, o: &mut Out<Self>) {
        let Some(from) = self.index(src) else {
            return;
        };
        match (state.as_ref(), msg) {
            // Phase 1: wait for n - f reports of this round (Ben-Or: "wait
            // till n - t messages of type (1, r, *) are received").
            (
                FlpState {
                    decision: None,
                    phase: Phase::Reporting,
                    round: r,
                    reports,
                    ..
                },
                FlpMsg::Report { round, value },
            ) if round == *r && !reports.contains_key(&from) => {
                let s = state.to_mut();
                s.reports.insert(from, value);
                // The bug: wait for every process, a crashed one included.
                let wait_for = if self.bug == Bug::WaitForAll {
                    N
                } else {
                    N - F
                };
                if s.reports.len() == wait_for {
                    let value = self.proposal(&s.reports, s.estimate);
                    s.phase = Phase::Proposing;
                    self.send_to_others(s, o, FlpMsg::Proposal { round, value });
                    s.proposals.insert(self.me, value);
                }
            }
            // Phase 2: wait for n - f proposals of this round, then decide,
            // adopt, or fall back (Ben-Or: "if there are at least t + 1 D
            // messages (2, r, v, D) then decide v; if there is at least one
            // D message then x_p := v; else x_p := 1 or 0 with probability
            // 1/2", the coin here fixed to FALLBACK).
            (
                FlpState {
                    decision: None,
                    phase: Phase::Proposing,
                    round: r,
                    proposals,
                    ..
                },
                FlpMsg::Proposal { round, value },
            ) if round == *r && !proposals.contains_key(&from) => {
                let s = state.to_mut();
                s.proposals.insert(from, value);
                // The bug: wait for every process, a crashed one included.
                let wait_for = if self.bug == Bug::WaitForAll {
                    N
                } else {
                    N - F
                };
                if s.proposals.len() < wait_for {
                    return;
                }
                let count = |v: Value| s.proposals.values().filter(|p| **p == Some(v)).count();
                // The bug: one proposal is enough to decide.
                let needed = if self.bug == Bug::DecideOnOneProposal {
                    1
                } else {
                    F + 1
                };
                if let Some(v) = [0, 1].into_iter().find(|v| count(*v) >= needed) {
                    Self::decide(s, v);
                    // Halt and relay the decision: not Ben-Or's (see
                    // `FlpMsg::Decide`). The bug: halt without the relay.
                    if self.bug != Bug::NoRelay {
                        o.broadcast(&self.others(), &FlpMsg::Decide { value: v });
                    }
                    return;
                }
                let seen = s.proposals.values().flatten().next().copied();
                s.estimate = match seen {
                    // The bug: a proposal seen is not adopted.
                    Some(v) if self.bug != Bug::IgnoreProposal => v,
                    _ => FALLBACK,
                };
                s.round += 1;
                s.phase = Phase::Reporting;
                s.reports.clear();
                s.proposals.clear();
                // The bug: what was sent in the rounds left is forgotten,
                // and not sent again.
                if self.bug == Bug::ForgetPastRounds {
                    s.sent.clear();
                }
                self.report(s, o);
            }
            // Another process decided: so does this one (the relay, an
            // addition to Ben-Or: see `FlpMsg::Decide`).
            (FlpState { decision: None, .. }, FlpMsg::Decide { value }) => {
                Self::decide(state.to_mut(), value);
            }
            // Anything else is for a later phase (it stays in the network
            // until then) or from a round this process has left (a no-op).
            _ => {}
        }
    }

    /// Retransmission, with [`FlpCfg::retransmit`]: a stubborn link
    /// (Cachin, Guerraoui & Rodrigues 2011, Algorithm 2.1 "Retransmit
    /// Forever") sends every message again, forever, since the sender cannot
    /// tell which arrived: every report and proposal this process has sent,
    /// of every round, and once it has decided its decision too (the relay,
    /// which the bug `no-relay` never makes). A receiver counts each sender
    /// once per round and decides once, which drops the copies as perfect
    /// links would (Algorithm 2.2 "Eliminate Duplicates"), so a copy changes
    /// nothing. What is kept grows by two messages a round; a real run
    /// decides within a few.
    fn on_timeout(&self, _id: Id, state: &mut Cow<FlpState>, _: &FlpTimer, o: &mut Out<Self>) {
        let s = state.as_ref();
        for msg in &s.sent {
            o.broadcast(&self.others(), msg);
        }
        match s.decision {
            Some(_) if self.bug == Bug::NoRelay => {}
            Some(value) => o.broadcast(&self.others(), &FlpMsg::Decide { value }),
            None => {}
        }
        self.arm(o);
    }
}

pub type FlpActorModel = ActorModel<FlpActor, FlpCfg>;
type State = stateright::actor::ActorModelState<FlpActor>;
type Action = ActorModelAction<FlpMsg, FlpTimer, ()>;

fn processes(state: &State) -> impl Iterator<Item = &FlpState> + '_ {
    state.actor_states.iter().map(|s| &**s)
}

/// A network of the same kind as `like` (duplicating with retransmission,
/// else not) holding `envelopes`.
fn network_like(like: &Network<FlpMsg>, envelopes: Vec<Envelope<FlpMsg>>) -> Network<FlpMsg> {
    match like {
        Network::UnorderedDuplicating(..) => Network::new_unordered_duplicating(envelopes),
        _ => Network::new_unordered_nonduplicating(envelopes),
    }
}

// Properties. Each is a function of the state alone, so the checked model
// (every initial configuration) and a real run's model share them.

/// FLP §2, partial correctness (1): "No accessible configuration has more
/// than one decision value."
fn agreement<M>(_: &M, state: &State) -> bool {
    let decided = |v| processes(state).any(|p| p.decision == Some(v));
    !(decided(0) && decided(1))
}

/// Validity: a decided value is some process's input. Aspnes,
/// "Randomized protocols for asynchronous consensus" (Distributed
/// Computing 16, 2003), §1, lists it with agreement and termination as the
/// three conditions a correct consensus protocol must satisfy, the problem
/// Ben-Or 1983 solves with probability 1 (his abstract: FLP "proved that
/// no completely asynchronous consensus protocol can tolerate even a
/// single unannounced process death. We exhibit here a probabilistic
/// solution for this problem"). With binary values it is the same as "if
/// all processes start with v, v is the only possible decision": a value
/// no process started with can only be decided if all started with the
/// other. FLP §2 asks only for the weaker nontriviality, the two
/// `sometimes` properties below.
fn validity<M>(_: &M, state: &State) -> bool {
    processes(state)
        .filter_map(|p| p.decision)
        .all(|v| processes(state).any(|p| p.input == v))
}

/// FLP §2: a protocol is totally correct if "every admissible run is a
/// deciding run", one in which some process reaches a decision state. FLP's
/// Theorem 1: no consensus protocol is, so this must be VIOLATED.
fn termination<M>(_: &M, state: &State) -> bool {
    processes(state).any(|p| p.decision.is_some())
}

/// "Every correct process decides", as a leads-to (declared in
/// [`FlpCfg::analyses`]): [`some_decided`] ~> [`every_live_decided`]. FLP
/// 1985 §2 defines a deciding run as one in which *some* process reaches a
/// decision state, and total correctness as every admissible run (at most
/// one faulty process, every message to a nonfaulty one received) being a
/// deciding run: "termination" above. That weak form is all the
/// impossibility needs; the usual termination condition asks every
/// nonfaulty process to decide. Given "termination", what it adds is this
/// leads-to: once some process has decided, every process that has not
/// crashed decides too. It holds here because a process that decides
/// relays `Decide` (the relay the `no-relay` bug drops): a live process
/// still undecided can then always take that delivery, and weak fairness
/// demands it.
fn some_decided(state: &State) -> bool {
    processes(state).any(|p| p.decision.is_some())
}

/// Q of "every correct process decides": every process that has not
/// crashed (nor is dead from the start) has decided.
fn every_live_decided(state: &State) -> bool {
    (0..state.actor_states.len())
        .filter(|p| !state.crashed[*p])
        .all(|p| state.actor_states[p].decision.is_some())
}

/// FLP §2, partial correctness (2): "for each v ∈ {0, 1}, some accessible
/// configuration has decision value v" (here v = 0).
fn decides_0<M>(_: &M, state: &State) -> bool {
    processes(state).any(|p| p.decision == Some(0))
}

/// FLP §2, partial correctness (2), v = 1.
fn decides_1<M>(_: &M, state: &State) -> bool {
    processes(state).any(|p| p.decision == Some(1))
}

/// Reachability: some run has a crash and every live process decided. The
/// crash may come after the decisions, so this alone does not show that the
/// live processes decide without the crashed one; scenario `initially-dead`
/// does, where p0 takes no step at all and "termination" must hold (FLP §4,
/// Theorem 2), and there `wait-for-all` finds no such run.
fn decides_despite_a_crash<M>(_: &M, state: &State) -> bool {
    let live = (0..state.actor_states.len()).filter(|p| !state.crashed[*p]);
    state.crashed.iter().any(|c| *c)
        && live
            .map(|p| state.actor_states[p].decision)
            .all(|d| d.is_some())
}

// The model the checker explores.

/// The protocol from every initial configuration (FLP §2: "an initial
/// configuration is one in which each process starts at an initial state and
/// the message buffer is empty"), each taken after every process's first
/// step, the report of its input (that step reads nothing but the input, so
/// the decisions reachable are the same), in the order of Lemma 2's chain: each
/// differs from the one before in one process's input (a Gray code: 000,
/// 001, 011, 010, 110, 111, 101, 100, p0's input first). Steps, fairness and
/// descriptions are the actor model's; a Stateright actor model has a single
/// initial state, hence this wrapper. A crashed process never recovers.
/// With `initially_dead`, p0 is dead from the start (FLP §4): it is crashed
/// in every initial configuration and its first step, the report of its
/// input, never happened.
#[derive(Clone)]
pub struct FlpModel {
    pub system: FlpActorModel,
}

/// The inputs of the `k`-th initial configuration, p0's first.
pub fn initial_inputs(k: usize) -> [Value; N] {
    let gray = k ^ (k >> 1);
    std::array::from_fn(|p| ((gray >> (N - 1 - p)) & 1) as Value)
}

/// `state`, the actor model's initial state, with these inputs: each
/// process's registers and the report of its input it has sent (in flight,
/// and kept to be sent again with retransmission).
fn with_inputs(state: &State, inputs: [Value; N]) -> State {
    let mut s = state.clone();
    for (p, v) in inputs.iter().enumerate() {
        let mut process = (*s.actor_states[p]).clone();
        process.input = *v;
        process.estimate = *v;
        process.reports = BTreeMap::from([(p, *v)]);
        process.sent = process
            .sent
            .iter()
            .map(|m| match m {
                FlpMsg::Report { round, .. } => FlpMsg::Report {
                    round: *round,
                    value: *v,
                },
                m => m.clone(),
            })
            .collect();
        s.actor_states[p] = std::sync::Arc::new(process);
    }
    let envelopes: Vec<Envelope<FlpMsg>> = state
        .network
        .iter_all()
        .map(|e| Envelope {
            src: e.src,
            dst: e.dst,
            msg: match e.msg {
                FlpMsg::Report { round, .. } => FlpMsg::Report {
                    round: *round,
                    value: inputs[usize::from(e.src)],
                },
                m => m.clone(),
            },
        })
        .collect();
    s.network = network_like(&state.network, envelopes);
    s
}

/// The process that is dead from the start in scenario `initially-dead`.
pub const DEAD: Process = 0;

/// `state` with process `p` dead from the start: crashed, and the report it
/// would have sent in its first step neither sent nor counted (nor its
/// timer set).
fn initially_dead(mut state: State, p: Process) -> State {
    state.crashed[p] = true;
    state.timers_set[p].cancel_all();
    let mut dead = (*state.actor_states[p]).clone();
    dead.reports.clear();
    state.actor_states[p] = std::sync::Arc::new(dead);
    let envelopes: Vec<Envelope<FlpMsg>> = state
        .network
        .iter_all()
        .filter(|e| usize::from(e.src) != p)
        .map(|e| Envelope {
            src: e.src,
            dst: e.dst,
            msg: e.msg.clone(),
        })
        .collect();
    state.network = network_like(&state.network, envelopes);
    state
}

impl Model for FlpModel {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        let base = self.system.init_states();
        let dead = self.system.cfg.initially_dead;
        (0..1 << N)
            .flat_map(|k| {
                let inputs = initial_inputs(k);
                base.iter().map(move |s| {
                    let s = with_inputs(s, inputs);
                    if dead {
                        initially_dead(s, DEAD)
                    } else {
                        s
                    }
                })
            })
            .collect()
    }

    /// The actor model's steps, less recovery: FLP's faulty process stops
    /// for good (Stateright offers every crashed actor a restart).
    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        self.system.actions(state, actions);
        actions.retain(|a| !matches!(a, ActorModelAction::Recover(_)));
    }

    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        self.system.next_state(last, action)
    }

    fn format_action(&self, action: &Action) -> String {
        self.system.format_action(action)
    }

    fn format_step(&self, last: &State, action: Action) -> Option<String> {
        self.system.format_step(last, action)
    }

    fn as_svg(&self, path: Path<State, Action>) -> Option<String> {
        self.system.as_svg(path)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::always("agreement", agreement),
            Property::always("validity", validity),
            Property::eventually("termination", termination),
            Property::sometimes("decides 0", decides_0),
            Property::sometimes("decides 1", decides_1),
            Property::sometimes("decides despite a crash", decides_despite_a_crash),
        ]
    }
}

impl Describe for FlpModel {
    fn lanes(&self) -> Vec<String> {
        self.system.lanes()
    }

    fn describe_step(&self, before: &State, action: &Action, after: &State) -> Step {
        self.system.describe_step(before, action, after)
    }

    fn describe_state(&self, state: &State) -> Vec<String> {
        self.system.describe_state(state)
    }

    fn sent(&self, before: &State, action: &Action) -> Vec<(usize, String)> {
        self.system.sent(before, action)
    }
}

impl FairnessClasses for FlpModel {
    fn fairness_class(&self, action: &Action) -> Option<u64> {
        self.system.fairness_class(action)
    }
}

// The round view.

/// What the checker stores of a state (TLC's `VIEW`). Rounds grow forever in
/// a run that never decides, so without it that run is an infinite path the
/// checker could only cut off; with it the run closes into a cycle. It
/// forgets three things that no future step and no property can observe, so
/// a state and its view have the same properties and, step for step,
/// successors with the same views (a bisimulation):
///
/// 1. *Dead messages.* A report or proposal for a round (or phase) its
///    receiver has left, a message to a process that has decided (it takes
///    no more steps), and any message to a crashed process (crash-stop:
///    recovery is not in the fault model) is a no-op to deliver and stays
///    one, since a process's round and phase only move forward. Stateright
///    does not offer a no-op delivery as a step, so no fairness class is
///    enabled by one either.
/// 2. *The rounds of halted processes.* A crashed or decided process takes
///    no more steps (with retransmission, a decided one only sends again
///    what it kept and its decision); its round, estimate and tallies are
///    never read again (the properties read only inputs, decisions and
///    which processes crashed, all kept). Its phase is kept too: harmless,
///    it only costs a little reduction.
/// 3. *The size of round numbers.* The protocol only tests a message's round
///    for equality with the receiver's, and sends its own round or the next,
///    so subtracting the same number from every live round (the smallest
///    live one becomes 1) changes nothing observable.
///
/// *Fairness.* The checker's fairness classes are deliveries (sender,
/// receiver, message), the message's absolute round included, so on a
/// cycle of views that renumbers the rounds, one class stands for messages
/// of different real rounds, and weak fairness judged on the view is not by
/// itself the real run's. It is here: a cycle of views either keeps every
/// live round (then its classes are exact), or advances every live process
/// by the same number of rounds, and then every real message to a live
/// process becomes dead once its receiver has moved past its round, so no
/// real delivery stays enabled forever: the real run the cycle unrolls to
/// is weakly fair, and admissible in FLP's sense (every message received,
/// the late ones as no-ops). The bug variants and scenario
/// `initially-dead` have no cycle through undecided states at all, so
/// their "termination" verdicts do not depend on fairness. The lossy
/// scenarios do (a message lost and sent again, forever), and are judged
/// under strong fairness: a delivery enabled infinitely often is taken, so
/// a message sent again and again arrives (fair-loss links). Their cycles
/// keep every live round, since two processes alone decide within two
/// rounds, so their classes are exact.
///
/// The view is finite: two processes running ahead of the third see only
/// each other, and two processes alone decide within two rounds (equal
/// estimates are both proposed; different ones fall back to 0), so no live
/// process is more than a few rounds ahead of another. Counterexamples are
/// still shown as the real run, rounds growing.
///
/// *Retransmission* ([`FlpCfg::retransmit`]). The network duplicates: a
/// message stays in flight until it is lost, and delivering a dead one
/// changes nothing (it is no step; Stateright's record of the last message
/// delivered, which nothing reads, is forgotten). What a process keeps to
/// send again of a round below every undecided live process's is forgotten
/// with the round (all of it once no live process is undecided): sent
/// again, it would be dead on arrival. A crashed process's store is
/// forgotten too (it never sends again); the rounds a store keeps are
/// renumbered with the others.
pub fn view(state: &State) -> State {
    let halted = |p: Process| state.crashed[p] || state.actor_states[p].decision.is_some();
    let lowest = (0..N)
        .filter(|p| !halted(*p))
        .map(|p| state.actor_states[p].round)
        .min();
    let base = lowest.unwrap_or(1) - 1;
    // 1. Dead messages.
    let live = |env: &Envelope<&FlpMsg>| {
        let (from, to) = (usize::from(env.src), usize::from(env.dst));
        if to >= N || halted(to) {
            return false;
        }
        let p = &state.actor_states[to];
        match *env.msg {
            FlpMsg::Report { round, .. } => {
                round > p.round
                    || round == p.round
                        && p.phase == Phase::Reporting
                        && !p.reports.contains_key(&from)
            }
            FlpMsg::Proposal { round, .. } => {
                round > p.round || round == p.round && !p.proposals.contains_key(&from)
            }
            FlpMsg::Decide { .. } => true,
        }
    };
    // 3. Rounds, renumbered.
    let shift = |r: Round| r - base;
    let renumber = |m: &FlpMsg| match m.clone() {
        FlpMsg::Report { round, value } => FlpMsg::Report {
            round: shift(round),
            value,
        },
        FlpMsg::Proposal { round, value } => FlpMsg::Proposal {
            round: shift(round),
            value,
        },
        m @ FlpMsg::Decide { .. } => m,
    };
    let envelopes: Vec<Envelope<FlpMsg>> = state
        .network
        .iter_all()
        .filter(live)
        .map(|e| Envelope {
            src: e.src,
            dst: e.dst,
            msg: renumber(e.msg),
        })
        .collect();
    // What a process keeps to send again: only messages of rounds a live
    // process is in or will be in can be counted.
    let counted = |m: &FlpMsg| match *m {
        FlpMsg::Report { round, .. } | FlpMsg::Proposal { round, .. } => {
            lowest.is_some_and(|r| round >= r)
        }
        FlpMsg::Decide { .. } => true,
    };
    let mut next = state.clone();
    for p in 0..N {
        let mut s = (*state.actor_states[p]).clone();
        if halted(p) {
            // 2. Halted processes: only the registers remain, and what a
            // decided one still sends.
            s.round = 0;
            s.estimate = s.input;
            s.reports.clear();
            s.proposals.clear();
        } else {
            s.round = shift(s.round);
        }
        s.sent = if state.crashed[p] {
            BTreeSet::new()
        } else {
            s.sent.iter().filter(|m| counted(m)).map(renumber).collect()
        };
        next.actor_states[p] = std::sync::Arc::new(s);
    }
    next.network = network_like(&state.network, envelopes);
    next
}

// Configuration.

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FlpCfg {
    /// 0 or 1: how many processes may crash (FLP's "one faulty process").
    pub crashes: usize,
    /// A real run's inputs, p0's first; the checker explores all eight.
    pub inputs: [Value; N],
    /// p0 is dead from the start (FLP §4's initially dead process); checked
    /// only, a real run starts every process.
    pub initially_dead: bool,
    /// The network loses, duplicates and reorders messages, and the
    /// processes send again on a timer all they have sent (see
    /// [`FlpActor`]'s `on_timeout` and the module's notes): scenario
    /// `initially-dead-lossy`, and every real run.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for FlpCfg {
    /// One crash, as FLP allow; a real run starts from 011, a bivalent
    /// initial configuration.
    fn default() -> Self {
        FlpCfg {
            crashes: 1,
            inputs: [0, 1, 1],
            initially_dead: false,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for FlpCfg {
    type Model = FlpModel;

    fn new(variant: &str, params: &Params) -> Self {
        FlpCfg {
            crashes: params["crashes"] as usize,
            initially_dead: params["initially-dead"] == 1,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
            ..FlpCfg::default()
        }
    }

    fn into_model(self) -> FlpModel {
        FlpModel {
            system: crate::runner::indexed(self),
        }
    }

    /// "Every correct process decides" (a leads-to), the round view, and a
    /// process's decision as the decision of FLP's valence analysis.
    fn analyses(_: &FlpModel) -> checker::Analyses<FlpModel> {
        checker::Analyses {
            leads_to: vec![checker::LeadsTo::new(
                EVERY_CORRECT_PROCESS_DECIDES,
                some_decided,
                every_live_decided,
            )],
            view: Some(Box::new(view)),
            decision: Some(checker::Decision {
                names: vec!["0".into(), "1".into()],
                decided: Box::new(|s: &State| {
                    processes(s)
                        .filter_map(|p| p.decision)
                        .fold(0, |bits, v| bits | 1 << v)
                }),
            }),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for FlpCfg {
    type Actor = FlpActor;
    type History = ();

    fn actor_count(&self) -> usize {
        N
    }

    fn done(states: &[Option<FlpState>]) -> bool {
        states.iter().flatten().all(|s| s.decision.is_some())
    }

    fn observations(states: &[FlpState], _: &()) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(p, s)| match s.decision {
                Some(v) => format!("p{p}: input {}, decided {v}", s.input),
                None => format!("p{p}: input {}, undecided in round {}", s.input, s.round),
            })
            .collect()
    }

    /// The inputs the path's initial configuration gives each process.
    fn starting_in(self, init: &State) -> Self {
        FlpCfg {
            inputs: std::array::from_fn(|p| init.actor_states[p].input),
            ..self
        }
    }

    /// `dsw run flp`: the configuration given, with `retransmit` on, as
    /// scenario `initially-dead-lossy` checks it (there with p0 dead): a
    /// real network may lose and duplicate (`--loss`, `--duplicate`), and a
    /// process waiting for a lost report would wait forever.
    fn for_real_network(self) -> Self {
        FlpCfg {
            retransmit: true,
            ..self
        }
    }

    fn model_on(self, ids: &[Id]) -> FlpActorModel {
        let (bug, inputs, crashes) = (self.bug, self.inputs, self.crashes);
        let retransmit = self.retransmit;
        let actors = (0..N).map(|me| FlpActor {
            me,
            peers: ids.to_vec(),
            input: inputs[me],
            retransmit,
            bug,
        });
        // With retransmission the network loses and duplicates (Stateright's
        // duplicating network keeps a message in flight until it is lost).
        let (network, lossy) = if retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .max_crashes(crashes)
            .property(Expectation::Always, "agreement", agreement)
            .property(Expectation::Always, "validity", validity)
            .property(Expectation::Eventually, "termination", termination)
            .property(Expectation::Sometimes, "decides 0", decides_0)
            .property(Expectation::Sometimes, "decides 1", decides_1)
            .property(
                Expectation::Sometimes,
                "decides despite a crash",
                decides_despite_a_crash,
            )
    }
}

/// The leads-to property's name, in the registry and in the analyses.
const EVERY_CORRECT_PROCESS_DECIDES: &str = "every correct process decides";

pub static PROTOCOL: Protocol = Protocol {
    name: "flp",
    section: "Distributed consensus and time",
    summary: "The FLP impossibility on a deterministic protocol (Ben-Or's, its coin fixed): agreement and validity hold, but a fair run with no crash stays bivalent forever, so termination fails",
    citations: &[
        "Fischer, Lynch & Paterson, Impossibility of Distributed Consensus with One Faulty Process (JACM 1985), §2-3, Lemmas 2-3, Theorem 1",
        "Ben-Or, Another Advantage of Free Choice: Completely Asynchronous Agreement Protocols (PODC 1983), Protocol A",
    ],
    notes: NOTES,
    params: &[
        ParamSpec {
            name: "crashes",
            doc: "processes that may crash and stay down (FLP: at most one)",
            default: 1,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "initially-dead",
            doc: "1: p0 is dead from the start and takes no step (FLP §4); checked only, not run",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: the network loses, duplicates and reorders, and each process sends again on a timer every report and proposal it has sent, of every round, and once decided its decision too (stubborn links; scenario initially-dead-lossy; every real run retransmits); 0: a reliable network, no timers",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[ParamRule {
        doc: "crashes + initially-dead <= 1: FLP's one faulty process",
        check: one_faulty_process,
    }],
    properties: &[
        PropertySpec {
            name: "agreement",
            kind: PropertyKind::Always,
            source: "FLP 1985 §2, partial correctness (1): no configuration has two decision values",
        },
        PropertySpec {
            name: "validity",
            kind: PropertyKind::Always,
            source: "Aspnes, Randomized protocols for asynchronous consensus (Distributed Computing 2003) §1, the consensus problem Ben-Or 1983 solves: a decision is some process's input (for binary values: if all start with v, v is the only possible decision)",
        },
        PropertySpec {
            name: "termination",
            kind: PropertyKind::Eventually,
            source: "FLP 1985 §2: every admissible run is a deciding run; Theorem 1: impossible",
        },
        PropertySpec {
            name: "decides 0",
            kind: PropertyKind::Sometimes,
            source: "FLP 1985 §2, partial correctness (2)",
        },
        PropertySpec {
            name: "decides 1",
            kind: PropertyKind::Sometimes,
            source: "FLP 1985 §2, partial correctness (2)",
        },
        PropertySpec {
            name: "decides despite a crash",
            kind: PropertyKind::Sometimes,
            source: "reachability: some run with a crash in which every live process decides (the crash may follow the decisions; scenario initially-dead is FLP 1985 §4's dead process)",
        },
        PropertySpec {
            name: EVERY_CORRECT_PROCESS_DECIDES,
            kind: PropertyKind::LeadsTo,
            source: "FLP 1985 §2 (a deciding run: some process decides; the usual termination asks it of every nonfaulty process): some process decided ~> every live process decided",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "Ben-Or's rounds with the coin fixed to 0, three processes, one of which may crash: partially correct, and a fair run with no crash never decides (FLP's Theorem 1)",
            expect: &[("termination", Verdict::Violated)],
        },
        VariantSpec {
            name: "propose-without-majority",
            doc: "a process proposes a value half of the reports it received carry (its own on a tie), not a majority of all processes: two values are proposed in one round",
            expect: &[("agreement", Verdict::Violated)],
        },
        VariantSpec {
            name: "decide-on-one-proposal",
            doc: "a process decides on one proposal instead of f + 1, so the others need not see it",
            expect: &[("agreement", Verdict::Violated)],
        },
        VariantSpec {
            name: "ignore-proposal",
            doc: "a process that saw a proposal falls back to 0 instead of adopting it",
            expect: &[("agreement", Verdict::Violated)],
        },
        VariantSpec {
            name: "wait-for-all",
            doc: "a process waits for all n reports and proposals, not n - f: it decides in round 1 when no process crashes, and waits forever for one that crashed before sending its report or proposal (caught in scenario initially-dead-wait-for-all)",
            expect: &[("termination", Verdict::Violated)],
        },
        VariantSpec {
            name: "no-relay",
            doc: "a process that decides halts without relaying its decision (nor sending it again): a process that moved on to the next round waits forever for the halted ones",
            expect: &[
                ("termination", Verdict::Violated),
                (EVERY_CORRECT_PROCESS_DECIDES, Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "forget-past-rounds",
            doc: "with retransmission, a process keeps only its current round's messages and sends again only those, not those of the rounds it has left: a process whose proposal was lost waits forever for the one that moved on (caught in scenario initially-dead-lossy-forget-past-rounds; without retransmission it is the correct protocol)",
            expect: &[("termination", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "no-crash",
            doc: "no process may crash: the run that never decides is still there, since FLP's run needs no crash, only the possibility of one (the protocol waits for n - f messages)",
            variant: crate::registry::CORRECT,
            params: &[("crashes", 0)],
            fairness: None,
            expect: &[
                ("termination", Verdict::Violated),
                ("decides despite a crash", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "initially-dead",
            doc: "p0 is dead from the start and no other process crashes (FLP §4, Theorem 2's setting): p1 and p2 decide within two rounds on every fair run, without hearing from p0",
            variant: crate::registry::CORRECT,
            params: &[("crashes", 0), ("initially-dead", 1)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "initially-dead-wait-for-all",
            doc: "wait-for-all with p0 dead from the start: p1 and p2 wait for p0's report forever, and nothing is ever decided",
            variant: "wait-for-all",
            params: &[("crashes", 0), ("initially-dead", 1)],
            fairness: None,
            expect: &[
                ("termination", Verdict::Violated),
                ("decides 0", Verdict::NoExample),
                ("decides 1", Verdict::NoExample),
                ("decides despite a crash", Verdict::NoExample),
            ],
        },
        ScenarioSpec {
            name: "initially-dead-lossy",
            doc: "initially-dead on a network that loses, duplicates and reorders, each process sending again on a timer all it has sent (the real run's retransmission): p1 and p2 still agree and decide on every strongly fair run (a message sent again and again is delivered at last), the one left behind in a round is sent what it lacks by the one that moved on",
            variant: crate::registry::CORRECT,
            params: &[("crashes", 0), ("initially-dead", 1), ("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
        ScenarioSpec {
            name: "initially-dead-lossy-forget-past-rounds",
            doc: "forget-past-rounds in initially-dead-lossy: p2 takes p1's proposal and moves on, p2's own proposal to p1 is lost, and each waits for the other forever",
            variant: "forget-past-rounds",
            params: &[("crashes", 0), ("initially-dead", 1), ("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[("termination", Verdict::Violated)],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<FlpCfg>,
    explore: crate::registry::explore_config::<FlpCfg>,
    replay: crate::registry::replay_config::<FlpCfg>,
    compare: crate::registry::compare_config::<FlpCfg>,
    run: Some(run),
};

/// The parameter rule: at most one faulty process, crashed or dead.
fn one_faulty_process(params: &Params) -> Result<(), String> {
    let (crashes, dead) = (params["crashes"], params["initially-dead"]);
    if crashes + dead <= 1 {
        return Ok(());
    }
    Err(format!(
        "parameters crashes = {crashes} and initially-dead = {dead} make two faulty \
         processes; FLP allow one: crashes + initially-dead must be 0 or 1"
    ))
}

/// A real run: every process starts, so a dead one is refused.
fn run(variant: &str, params: &Params, opts: &RunOptions) -> Result<RunReport, String> {
    if params["initially-dead"] != 0 {
        return Err(
            "flp's real run starts every process: initially-dead is for checking only; \
             run with initially-dead=0"
                .into(),
        );
    }
    crate::runner::run_config::<FlpCfg>(variant, params, opts)
}

/// The report page's reading of the checks: how the counterexamples mirror
/// FLP's lemmas.
const NOTES: &str = r#"
FLP prove that a deterministic consensus protocol that tolerates one crash
has a run that never decides. The checks below find that run in a concrete
protocol: Ben-Or's rounds with the coin fixed to 0, three processes
p0, p1, p2, each waiting for n - f = 2 of the 3 reports and then 2 of the 3
proposals of its round (it cannot wait for all 3: one may have crashed).

**Lemma 2: a bivalent initial configuration.** The valence line of the
`correct` check lists the eight initial configurations in the order of
Lemma 2's chain, each differing from the one before in one process's input:
000, 001, 011, 010, 110, 111, 101, 100 (p0's input first). Their reachable
decisions are `0; 0; 0, 1; 0; 0, 1; 1; 0, 1; 0`: the configurations with
exactly two 1s are bivalent. The proof's step is visible between 011
(bivalent) and 111 (1-valent, by validity): they differ only in p0's input,
and a run from 011 in which p0 takes no steps (as if crashed) is a run from
111 as well, in which p1 and p2 see only 1s and decide 1.

**Lemma 3 and Theorem 1: a fair run that stays bivalent forever.** The
lasso under `termination` (the same run as the valence analysis's "a fair run
stays bivalent forever") starts in 011 and comes back to it one round later,
with no crash (the rounds are renumbered: the loop prints `r1`, and the
next time round it is r2, then r3, ...). In each round every process hears
from itself and one other: p0 gets p2's report (0, 1: no majority, it
proposes ?), p1 gets p0's (1, 0: ?), p2 gets p1's (1, 1: it proposes 1);
then p0 gets p1's ? (no proposal seen: it falls back to 0), p1 and p2 each
see p2's 1 once (adopt 1, one short of the f + 1 = 2 needed to decide). The
estimates are 0, 1, 1 again, and every configuration on the way is
bivalent. Each round leaves six messages behind, and two of them are the
events Lemma 3 is about, both 0-valent: had p2 heard p0's report right
after step 1, it would have proposed ? like the others, every process would
have fallen back to 0, and the configuration would be 0-valent; had p1
heard p0's ? right after step 5, it would have seen no proposal and fallen
back to 0, leaving the estimates 0, 0, 1, again 0-valent. The other
deliveries left behind keep the configuration bivalent: p2's proposal of 1
reaching p0 after step 3 or 4 makes p0 adopt 1, but p1, still holding
only its own ?, can take p0's ? and fall back to 0 (estimates 1, 0, 1), or
take p2's 1 (1, 1, 1). No delivery in this round makes the configuration
1-valent; only a crash does (p0 crashing after step 2 leaves p1 and p2 to
adopt p2's 1 and decide 1 in the next round). FLP's adversary delays each
decisive event until it no longer matters, and so does this run: every
late message may be received after its receiver has moved on, where it is
a no-op (the checker leaves such a delivery out, a stutter). So the run is
admissible in FLP's sense, every process taking infinitely many steps and
every message received, and no process ever decides.

**Why the crash matters though none happens.** Scenario `no-crash` forbids
the crash and the same run is there: what FLP's argument uses is not a
crash but that the protocol must be able to decide without waiting for a
process that may have crashed. Variant `wait-for-all` waits for all three
processes instead: with every process up it decides in round 1 (three
binary reports always hold a majority, so no initial configuration is
bivalent), but once a process has crashed its `termination` counterexample
is a run that stops, the two others waiting forever.

**A dead process (FLP §4).** FLP's Theorem 2 solves consensus when the
faulty processes are dead from the start. Scenario `initially-dead` is that
setting: p0 takes no step, p1 and p2 hear only each other, and `termination`
holds: equal estimates are both proposed and decided in round 1, different
ones fall back to 0 and are decided in round 2. The same scenario catches
`wait-for-all` (`initially-dead-wait-for-all`): nothing is ever decided.

**Every correct process decides.** FLP's termination asks only that some
process decide. "every correct process decides" asks the rest as a
leads-to: from any state where some process has decided, every fair run
reaches one where every process that has not crashed has decided. It
holds because a process that decides relays `Decide` to the others (an
addition to Ben-Or's protocol, in which a decided process keeps running
rounds). Variant `no-relay` halts without the relay, and its
counterexample needs no crash: p0 and p1 propose 0, p2 (its reports split)
proposes ?; p1 and then p0 decide on each other's proposal and halt,
while p2, seeing one 0, adopts it and waits forever for reports of round
2 that no one will send. "termination" cannot see this bug: a process did
decide.

**A lossy network.** Ben-Or's channels are reliable. A real run's are
not, so there (and with `-p retransmit=1`) each process sends again, on a
timer, everything it has sent: its report and proposal of every round,
and its decision once it has one (a stubborn link). The old rounds are
needed: in scenario `initially-dead-lossy` p2 can take p1's proposal and
move on to round 2 while its own proposal to p1 is lost; p1 then waits in
round 1 for what only p2's round-1 proposal can give it, and p2 waits in
round 2 for p1's report. Sent again, the lost proposal lets p1 catch up,
and `termination` holds on every strongly fair run (a message sent again
and again is delivered at last). `forget-past-rounds` sends again only
the current round's messages, and its counterexample is that run: the
two processes' timers fire forever and nothing moves. (With p0 dead, p1
and p2 are never more than a round apart, so this check needs only the
last round sent again; with three processes the state space is too
large for the catalog, and a test checks directly that a process sends
again every round it kept.)

**The bugs.** `propose-without-majority`, `decide-on-one-proposal` and
`ignore-proposal` each weaken one rule of the round and make the protocol
decide on every fair run ("termination" holds, and no fair run stays
bivalent), at the price of agreement: the other horn of FLP's theorem.
`wait-for-all` keeps agreement and loses the tolerance of a crash.
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::BugVariant;

    #[test]
    fn registry_lists_every_bug_and_property_in_order() {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        let listed: Vec<&str> = PROTOCOL.variants.iter().map(|v| v.name).collect();
        assert_eq!(names, listed);
        let defaults = FlpCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, FlpCfg::default());
        let model = defaults.into_model();
        let analyses = FlpCfg::analyses(&model);
        let declared: Vec<&str> = model
            .properties()
            .iter()
            .map(|p| p.name)
            .chain(analyses.leads_to.iter().map(|l| l.name.as_str()))
            .collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
        let run: Vec<&str> = model.system.properties.iter().map(|p| p.name).collect();
        assert_eq!(run, listed[..run.len()]);
    }

    /// Lemma 2's chain: eight initial configurations, each differing from
    /// the one before in exactly one input, from 000 to 100.
    #[test]
    fn initial_configurations_form_lemma_2s_chain() {
        let chain: Vec<[Value; N]> = (0..1 << N).map(initial_inputs).collect();
        assert_eq!(chain[0], [0, 0, 0]);
        for w in chain.windows(2) {
            let differ = (0..N).filter(|p| w[0][*p] != w[1][*p]).count();
            assert_eq!(differ, 1, "{w:?}");
        }
        let distinct: std::collections::BTreeSet<_> = chain.iter().collect();
        assert_eq!(distinct.len(), 1 << N);
    }
}
