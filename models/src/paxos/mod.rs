//! Single-decree Paxos, as [Lamport, "Paxos Made Simple"
//! (2001)](https://lamport.azurewebsites.net/pubs/paxos-simple.pdf) §2
//! describes it, serving a write-once register. Every server is proposer,
//! acceptor and learner; a client's Put makes its server propose the value.
//! Phase 1 is Prepare/Promise (1a/1b), phase 2 is Accept/Accepted (2a/2b);
//! the proposer is the distinguished learner of its ballot and tells the
//! others with Chosen (§2.3).
//!
//! Fault model: unordered network that loses nothing and delivers each
//! message once; up to `crashes` servers down at once, each recovering from
//! stable storage (§2.5). By default each proposer asks a fixed majority
//! (see `quorum`); with `ask_all = 1` it asks every acceptor and proceeds
//! with whichever majority answers first (scenario `live-majority`). By
//! default a refused request is ignored and a proposer
//! never retries.
//! With `retry = 1` an acceptor refuses out loud (Nack) and the refused
//! proposer starts again with a higher ballot (§2.5). With `retransmit = 1`
//! (scenario `lossy`, and every real run) the network loses and duplicates
//! messages, and a timer in each actor sends again what may have been lost:
//! a client its request, a proposer its current ballot's Prepare or Accept
//! to the acceptors that have not answered, the learner Chosen; no crashes
//! then (`retransmit_fits`). It holds safety, and a value is chosen under
//! strong fairness, explored under a view that forgets dead messages
//! (`lossy_view`).
//!
//! What the checker shows: §2.1's three safety requirements (agreement,
//! validity, a learner learns only a chosen value) and linearizability
//! hold; `ignore-highest-accepted`, `forget-promise-on-crash` and
//! `forget-acceptance-on-crash` break agreement (and with it the clients'
//! linearizable view) at the default, each by its own path. Phase 2(a)'s
//! "highest-numbered" matters only when a phase 1 hears of two accepted
//! values, which takes a third ballot, so retrying proposers; with one
//! ballot per proposer (the default) "two values reported" has no example.
//! Scenario `highest-accepted` retries with rounds up to 2 (`max_round`, a
//! finite set of ballots as Paxos.tla's model-checking configurations
//! have), a complete search: the case is reached and agreement holds; in
//! `lowest-accepted`, the same with `pick-lowest-accepted`, a second value
//! is chosen. "Eventually chosen" is progress, which Paxos does not
//! promise (§2.4):
//!
//! - By default it fails: an acceptor of the proposer's fixed majority
//!   crashes and stays down (a crash may happen, a recovery need not), or a
//!   proposer crashes and forgets its client's request, and nobody retries.
//! - §2.4 promises progress when "enough of the system (proposer, acceptors,
//!   and communication network) is working properly". Scenario
//!   `live-majority` is that condition: the proposer stays up, any one
//!   acceptor may crash and recover or stay down, and the proposer asks
//!   every acceptor, so some majority always answers: it holds. Scenario
//!   `fixed-majority` is the same with a fixed majority asked: it fails as
//!   soon as that majority loses an acceptor.
//! - With one retrying proposer and no crashes (scenario `one-proposer`) it
//!   holds.
//! - With two (scenario `duelling-proposers`) the checker finds §2.4's duel
//!   as a lasso: each proposer's prepare pre-empts the other's accept,
//!   forever, with every message delivered.
//!
//! Refinements, following Lamport's own proof structure (Paxos implements
//! Voting implements Consensus: `Paxos.tla`'s `V == INSTANCE Voting`, and
//! the spec of his Turing-award lecture, tlaplus/Examples
//! `specifications/PaxosHowToWinATuringAward/`): under [`to_voting`] (votes
//! from the 2b messages sent, `maxBal` from the promises, ballots renumbered
//! order-preservingly by [`voting_ballot`]) every step is a step of
//! `Voting` or a stutter ("refines Voting"), and under Voting's `chosen`
//! one of `Consensus` ("refines Consensus"). Each bug breaks them at its
//! offending step: `ignore-highest-accepted` and `forget-acceptance-on-crash`
//! at the first vote for a value no quorum shows safe, before a second
//! value is chosen; `forget-promise-on-crash` already at the recovery that
//! loses a promise (Voting's `maxBal` never decreases), though agreement
//! fails only later; Consensus breaks where the second value is chosen,
//! the step that violates agreement. With unbounded rounds (`retry` without
//! `max_round`) neither is judged (see [`refinements`]).
//!
//! How the duel becomes a finite loop: with `retry` and no `max_round` the
//! checker explores the ballot view (see `view`), which renumbers rounds and
//! forgets replies
//! nobody will read, so a run that only grows ballots returns to a state it
//! has seen. The view is sound: a state and its view satisfy the same
//! properties and have the same steps. The shown run is the real one, its
//! ballots growing each time around the loop. What it cannot conclude:
//! retrying proposers may also leave ever more stale requests in flight, so
//! the space is explored with at most `IN_FLIGHT_BOUND` messages in flight (a
//! TLC-style constraint). The lasso lies inside the bound and is a real fair
//! run. A "holds" with `retry` and two proposers would mean only "within the
//! bound", and a run that leaves it is reported `bounded`, never violated.

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::{HistoryEdge, OpEdge, Runnable};
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use specs::abstract_spec::voting::{self, Voting};
use stateright::actor::{majority, Actor, ActorModel, Envelope, Id, LossyNetwork, Network, Out};
use stateright::semantics::write_once_register::{WORegister, WORegisterOp, WORegisterRet};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The counter half of a proposal number.
pub type Round = u32;
/// A proposal number, `(round, proposer)`, ordered lexicographically: "different
/// proposers choose their numbers from disjoint sets of numbers" (§2.5).
pub type Ballot = (Round, Id);
/// A value of the register: client A writes 'A', client B writes 'B', ...
pub type Value = char;
/// A proposal: a proposal number and a value (§2.2).
pub type Proposal = (Ballot, Value);

/// Client requests and replies, then the messages of §2.2-2.3.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PaxosMsg {
    /// A client asks a server to write `value`.
    Put { value: Value },
    /// The register holds the client's value.
    PutOk,
    /// The register holds another value: a write-once register refuses.
    PutFail,
    /// A client asks a server for the register's value.
    Get,
    /// The register's value, answered only once the server has learned it.
    GetOk { value: Value },
    /// 1a: "a prepare request with number n".
    Prepare { ballot: Ballot },
    /// 1b: a promise not to accept proposals numbered less than `ballot`,
    /// "with the highest-numbered proposal (if any) that it has accepted".
    Promise {
        ballot: Ballot,
        accepted: Option<Proposal>,
    },
    /// 2a: "an accept request ... for a proposal numbered n with a value v".
    Accept { ballot: Ballot, value: Value },
    /// 2b: the acceptor accepted the proposal; sent to its proposer, the
    /// distinguished learner of that ballot (§2.3).
    Accepted { ballot: Ballot, value: Value },
    /// The distinguished learner "informs the other learners when a value
    /// has been chosen" (§2.3).
    Chosen { value: Value },
    /// With `retry`: the acceptor ignored a prepare or accept request for
    /// `ballot` because it has promised the higher `promised`, and says so,
    /// so that the proposer abandons its proposal (§2.5).
    Nack { ballot: Ballot, promised: Ballot },
}

/// What a server keeps across a crash (§2.5: "stable storage, preserved
/// during failures").
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaxosStorage {
    /// "Each proposer remembers (in stable storage) the highest-numbered
    /// proposal it has tried to issue."
    pub round: Round,
    pub promised: Option<Ballot>,
    pub accepted: Option<Proposal>,
}

/// A server's state: all three roles of §2.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct ServerState {
    // proposer state
    /// The highest round this server has used (durable).
    pub round: Round,
    /// The client whose Put this server is proposing for, and its value.
    pub request: Option<(Id, Value)>,
    /// The number of the proposal being issued.
    pub ballot: Option<Ballot>,
    /// Phase 1: the promises received for `ballot`, by acceptor.
    pub promises: BTreeMap<Id, Option<Proposal>>,
    /// Phase 2: the proposal sent in accept requests.
    pub proposal: Option<Proposal>,

    // acceptor state (durable, §2.5)
    /// The highest-numbered prepare or accept request responded to.
    pub promised: Option<Ballot>,
    /// The highest-numbered proposal accepted.
    pub accepted: Option<Proposal>,

    // learner state
    /// Phase 2: acceptors that accepted `proposal` (this server is its
    /// distinguished learner).
    pub accepted_by: BTreeSet<Id>,
    /// The value learned to be chosen.
    pub chosen: Option<Value>,
    /// Clients whose Get arrived before the value was learned: they are
    /// answered when it is. (Leaving the Get in the network instead would
    /// only work in the checker: on a real network it is gone once read.)
    pub readers: BTreeSet<Id>,
}

/// Where a client is in its one write followed by one read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ClientPhase {
    /// Put sent, awaiting PutOk or PutFail.
    Writing,
    /// Get sent, awaiting GetOk.
    Reading,
    /// Both operations returned.
    Done,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub enum PaxosState {
    /// A server: proposer, acceptor and learner.
    Server(ServerState),
    /// A client of the register.
    Client(ClientPhase),
}

/// Counterexamples print each lane's state without the role's name, which the
/// lane already gives.
impl std::fmt::Debug for PaxosState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PaxosState::Server(s) => s.fmt(f),
            PaxosState::Client(phase) => phase.fmt(f),
        }
    }
}

/// Only the fields that are set, so that a step's change is easy to spot.
impl std::fmt::Debug for ServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut set: Vec<String> = Vec::new();
        if self.round > 0 {
            set.push(format!("round: {}", self.round));
        }
        if let Some(request) = &self.request {
            set.push(format!("request: {request:?}"));
        }
        if let Some(ballot) = &self.ballot {
            set.push(format!("ballot: {ballot:?}"));
        }
        if !self.promises.is_empty() {
            set.push(format!("promises: {:?}", self.promises));
        }
        if let Some(proposal) = &self.proposal {
            set.push(format!("proposal: {proposal:?}"));
        }
        if let Some(promised) = &self.promised {
            set.push(format!("promised: {promised:?}"));
        }
        if let Some(accepted) = &self.accepted {
            set.push(format!("accepted: {accepted:?}"));
        }
        if !self.accepted_by.is_empty() {
            set.push(format!("accepted_by: {:?}", self.accepted_by));
        }
        if let Some(chosen) = &self.chosen {
            set.push(format!("chosen: {chosen:?}"));
        }
        if !self.readers.is_empty() {
            set.push(format!("readers: {:?}", self.readers));
        }
        write!(f, "{{{}}}", set.join(", "))
    }
}

/// Known bugs, each one rule of §2 broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// Phase 2(a): the proposer proposes its client's value even when a
    /// promise reports an accepted proposal, instead of "the value of the
    /// highest-numbered proposal among the responses". Must violate
    /// "agreement".
    IgnoreHighestAccepted,
    /// Phase 2(a): the proposer proposes the value of the *lowest*-numbered
    /// proposal among the responses. It differs from the protocol only when
    /// a phase 1 reports two different accepted proposals, which takes a
    /// third ballot: caught in scenario `lowest-accepted` (retrying
    /// proposers). Must violate "agreement" there.
    PickLowestAccepted,
    /// Acceptors keep their promise in volatile memory only (the acceptance
    /// stays durable), so a crash and recovery forgets what they promised
    /// and they accept a proposal they had promised to refuse. Must violate
    /// "agreement".
    ForgetPromiseOnCrash,
    /// Acceptors keep their acceptance in volatile memory only (the promise
    /// stays durable), so a recovered acceptor reports no accepted proposal
    /// to a later phase 1, whose proposer is then free to propose another
    /// value. Must violate "agreement".
    ForgetAcceptanceOnCrash,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::IgnoreHighestAccepted,
        Bug::PickLowestAccepted,
        Bug::ForgetPromiseOnCrash,
        Bug::ForgetAcceptanceOnCrash,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::IgnoreHighestAccepted => "ignore-highest-accepted",
            Bug::PickLowestAccepted => "pick-lowest-accepted",
            Bug::ForgetPromiseOnCrash => "forget-promise-on-crash",
            Bug::ForgetAcceptanceOnCrash => "forget-acceptance-on-crash",
        }
    }
}

/// Servers come first, clients follow them; every actor knows the servers
/// by id (indices when checked, socket addresses when run over UDP).
#[derive(Clone, Debug)]
pub enum PaxosActor {
    /// Server `index` (from 0).
    Server {
        index: usize,
        servers: Vec<Id>,
        bug: Bug,
        /// Refused proposers retry (§2.5, see [`PaxosCfg::retry`]).
        retry: bool,
        /// The highest round a refused proposer may start, 0 for no limit
        /// (see [`PaxosCfg::max_round`]).
        max_round: Round,
        /// Prepare requests go to every acceptor, not a fixed majority (see
        /// [`PaxosCfg::ask_all`]).
        ask_all: bool,
        /// The proposer retransmits on a timer (see
        /// [`PaxosCfg::retransmit`]).
        retransmit: bool,
    },
    /// Client `index` (from 0): writes its letter through server `index`,
    /// then reads from the next server; with `retransmit`, re-sends its
    /// request on a timer until answered.
    Client {
        index: usize,
        servers: Vec<Id>,
        retransmit: bool,
    },
}

/// The one timer of every actor, set only with [`PaxosCfg::retransmit`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PaxosTimer {
    /// A client re-sends its pending Put or Get; a proposer re-sends the
    /// requests of its current ballot to the acceptors that have not
    /// answered, and, once it has learned the value, tells the other
    /// learners again (see `on_timeout`).
    Retransmit,
}

/// How long an actor waits before retransmitting, on a real network. The
/// checker fires the timer at any time.
const RETRANSMIT: std::ops::Range<std::time::Duration> =
    std::time::Duration::from_millis(20)..std::time::Duration::from_millis(40);

impl PaxosActor {
    /// The acceptors this proposer sends its prepare requests to: every
    /// one, proceeding with whichever majority answers first, or (the
    /// default, a smaller space) a fixed majority, [`quorum`].
    fn acceptors(&self, id: Id) -> Vec<Id> {
        match self {
            PaxosActor::Server {
                servers,
                ask_all: true,
                ..
            } => servers.clone(),
            PaxosActor::Server { servers, .. } => quorum(id, servers),
            PaxosActor::Client { .. } => Vec::new(),
        }
    }

    /// Arms the retransmission timer, if this actor retransmits.
    fn arm(&self, o: &mut Out<Self>) {
        if let PaxosActor::Server {
            retransmit: true, ..
        }
        | PaxosActor::Client {
            retransmit: true, ..
        } = self
        {
            o.set_timer(PaxosTimer::Retransmit, RETRANSMIT);
        }
    }

    /// §2.5: "An acceptor records its intended response in stable storage
    /// before actually sending it." Called by every arm that changes durable
    /// state, before its sends.
    fn save(&self, s: &ServerState, o: &mut Out<Self>) {
        let PaxosActor::Server { bug, .. } = self else {
            return;
        };
        // The bugs: half of the acceptor's state never reaches the disk, so
        // a recovered acceptor has promised, or accepted, nothing.
        o.save(PaxosStorage {
            round: s.round,
            promised: s.promised.filter(|_| *bug != Bug::ForgetPromiseOnCrash),
            accepted: s.accepted.filter(|_| *bug != Bug::ForgetAcceptanceOnCrash),
        });
    }
}

/// A learner learns the chosen value (once): the client whose write it was
/// proposing learns whether the write took, and waiting readers get the value.
fn learn(s: &mut ServerState, value: Value, o: &mut Out<PaxosActor>) {
    if s.chosen.is_some() {
        return;
    }
    s.chosen = Some(value);
    if let Some((client, own)) = s.request {
        let reply = if own == value {
            PaxosMsg::PutOk
        } else {
            PaxosMsg::PutFail
        };
        o.send(client, reply);
    }
    for reader in std::mem::take(&mut s.readers) {
        o.send(reader, PaxosMsg::GetOk { value });
    }
}

/// The server state inside `state`, for arms that write.
fn server_mut<'a>(state: &'a mut Cow<PaxosState>) -> &'a mut ServerState {
    match state.to_mut() {
        PaxosState::Server(s) => s,
        PaxosState::Client(_) => unreachable!("only servers run server rules"),
    }
}

fn client_value(index: usize) -> Value {
    char::from(b'A' + index as u8)
}

/// The fixed majority a proposer sends its prepare requests to unless
/// `ask_all`: itself and the next servers around the ring. Phase 1(a) asks
/// for "a majority of acceptors" (§2.2) and safety holds for any choice.
/// Sending to every acceptor (`ask_all`) lets progress need only *some*
/// live majority, but it multiplies the messages in flight: with two
/// proposers the space is 0.9 million states without a crash and 4.8
/// million with one (BENCHMARKS.md), so the default asks a fixed majority
/// and scenario `live-majority` (one proposer, acceptor crashes) asks every
/// acceptor.
fn quorum(proposer: Id, servers: &[Id]) -> Vec<Id> {
    let first = servers.iter().position(|s| *s == proposer).unwrap_or(0);
    (0..majority(servers.len()))
        .map(|k| servers[(first + k) % servers.len()])
        .collect()
}

impl Actor for PaxosActor {
    type Msg = PaxosMsg;
    type Timer = PaxosTimer;
    type State = PaxosState;
    type Storage = PaxosStorage;
    type Random = ();

    fn name(&self) -> String {
        match self {
            // Named by actor id, as ballots print it: server 0 owns (r, Id(0)).
            PaxosActor::Server { index, .. } => format!("server {index}"),
            PaxosActor::Client { index, .. } => format!("client {}", client_value(*index)),
        }
    }

    fn on_start(&self, _id: Id, storage: &Option<PaxosStorage>, o: &mut Out<Self>) -> PaxosState {
        match self {
            // A (re)starting server restores what it saved; everything else
            // is volatile and starts empty.
            PaxosActor::Server { .. } => {
                let stored = storage.clone().unwrap_or_default();
                PaxosState::Server(ServerState {
                    round: stored.round,
                    promised: stored.promised,
                    accepted: stored.accepted,
                    ..ServerState::default()
                })
            }
            PaxosActor::Client { index, servers, .. } => {
                let value = client_value(*index);
                o.send(servers[index % servers.len()], PaxosMsg::Put { value });
                self.arm(o);
                PaxosState::Client(ClientPhase::Writing)
            }
        }
    }

    fn on_msg(
        &self,
        id: Id,
        state: &mut Cow<Self::State>,
        src: Id,
        msg: Self::Msg,
        o: &mut Out<Self>,
    ) {
        match (self, state.as_ref(), msg) {
            // Proposer: a client's write starts phase 1 with "a higher
            // proposal number than any it has used" (§2.5).
            // A learner that already knows the chosen value answers a
            // write at once: proposing again could only re-choose it.
            (
                PaxosActor::Server { .. },
                PaxosState::Server(ServerState {
                    chosen: Some(chosen),
                    ..
                }),
                PaxosMsg::Put { value },
            ) => {
                let reply = if value == *chosen {
                    PaxosMsg::PutOk
                } else {
                    PaxosMsg::PutFail
                };
                o.send(src, reply);
            }
            (
                PaxosActor::Server { servers, .. },
                PaxosState::Server(s),
                PaxosMsg::Put { value },
            ) if s.request.is_none() => {
                let ballot = (s.round + 1, id);
                let s = server_mut(state);
                s.round = ballot.0;
                s.request = Some((src, value));
                s.ballot = Some(ballot);
                self.save(s, o);
                o.broadcast(&self.acceptors(id), &PaxosMsg::Prepare { ballot });
                self.arm(o);
            }
            // Acceptor, phase 1(b): "If an acceptor receives a prepare
            // request with number n greater than that of any prepare request
            // to which it has already responded, then it responds" (§2.2).
            (PaxosActor::Server { .. }, PaxosState::Server(s), PaxosMsg::Prepare { ballot })
                if s.promised < Some(ballot) =>
            {
                let s = server_mut(state);
                s.promised = Some(ballot);
                self.save(s, o);
                let accepted = s.accepted;
                o.send(src, PaxosMsg::Promise { ballot, accepted });
            }
            // A prepare request for the ballot already promised: a
            // retransmission, or a duplicate. The acceptor has responded to
            // it and responds again: a lost promise is re-sent only so. The
            // promise is unchanged, so this is no new promise (Paxos.tla's
            // Phase1b needs a higher ballot for that), only its message
            // again; the accepted proposal it reports is the acceptor's
            // current one, as a fresh response would report.
            (PaxosActor::Server { .. }, PaxosState::Server(s), PaxosMsg::Prepare { ballot })
                if s.promised == Some(ballot) =>
            {
                let accepted = s.accepted;
                o.send(src, PaxosMsg::Promise { ballot, accepted });
            }
            // "If an acceptor ignores a prepare or accept request because it
            // has already received a prepare request with a higher number,
            // then it should probably inform the proposer, who should then
            // abandon its proposal" (§2.5).
            (
                PaxosActor::Server { retry: true, .. },
                PaxosState::Server(ServerState {
                    promised: Some(promised),
                    ..
                }),
                PaxosMsg::Prepare { ballot } | PaxosMsg::Accept { ballot, .. },
            ) if ballot < *promised => {
                let promised = *promised;
                o.send(src, PaxosMsg::Nack { ballot, promised });
            }
            // The proposer abandons its proposal and starts phase 1 again
            // with "a higher proposal number than any it has used" (§2.5),
            // and higher than the promise that refused it.
            // With a finite supply of rounds (`max_round`, Paxos.tla's
            // finite `Ballot` set) a proposer that has used them all stops.
            (
                PaxosActor::Server { max_round, .. },
                PaxosState::Server(s),
                PaxosMsg::Nack { ballot, promised },
            ) if s.ballot == Some(ballot)
                && s.chosen.is_none()
                && (*max_round == 0 || s.round.max(promised.0) < *max_round) =>
            {
                let s = server_mut(state);
                let ballot = (s.round.max(promised.0) + 1, id);
                s.round = ballot.0;
                s.ballot = Some(ballot);
                s.promises.clear();
                s.proposal = None;
                s.accepted_by.clear();
                self.save(s, o);
                o.broadcast(&self.acceptors(id), &PaxosMsg::Prepare { ballot });
            }
            // Proposer, phase 2(a): on promises from a majority, propose "the
            // value of the highest-numbered proposal among the responses, or
            // is any value if the responses reported no proposals" (§2.2).
            (
                PaxosActor::Server {
                    servers,
                    bug,
                    ask_all,
                    ..
                },
                PaxosState::Server(s),
                PaxosMsg::Promise { ballot, accepted },
            ) if s.ballot == Some(ballot)
                && s.proposal.is_none()
                && !s.promises.contains_key(&src) =>
            {
                let s = server_mut(state);
                s.promises.insert(src, accepted);
                if s.promises.len() < majority(servers.len()) {
                    return;
                }
                let Some((_, own)) = s.request else {
                    return;
                };
                let reported = s.promises.values().flatten();
                let value = match bug {
                    Bug::IgnoreHighestAccepted => own,
                    Bug::PickLowestAccepted => reported.min().map_or(own, |&(_, v)| v),
                    _ => reported.max().map_or(own, |&(_, v)| v),
                };
                s.proposal = Some((ballot, value));
                // "It sends an accept request to each of those acceptors",
                // or, asking every acceptor, to all of them: the accept
                // requests "need not [go to] the same set of acceptors that
                // responded to the initial requests" (§2.2), and Paxos.tla's
                // Phase2a sends to all.
                let to = accept_targets(*ask_all, servers, s);
                o.broadcast(&to, &PaxosMsg::Accept { ballot, value });
            }
            // Acceptor, phase 2(b): "If an acceptor receives an accept
            // request for a proposal numbered n, it accepts the proposal
            // unless it has already responded to a prepare request having a
            // number greater than n" (§2.2). Accepting also raises the
            // promise, as Phase2b of Lamport's Paxos.tla does.
            (
                PaxosActor::Server { .. },
                PaxosState::Server(s),
                PaxosMsg::Accept { ballot, value },
            ) if s.promised <= Some(ballot) => {
                let s = server_mut(state);
                s.promised = Some(ballot);
                s.accepted = Some((ballot, value));
                self.save(s, o);
                o.send(ballot.1, PaxosMsg::Accepted { ballot, value });
            }
            // Distinguished learner: a majority accepted this server's
            // proposal, so its value is chosen (§2.3). The client learns
            // whether its write took; the other learners learn the value.
            (
                PaxosActor::Server { servers, .. },
                PaxosState::Server(s),
                PaxosMsg::Accepted { ballot, value },
            ) if s.proposal == Some((ballot, value))
                && s.accepted_by.len() < majority(servers.len())
                && !s.accepted_by.contains(&src) =>
            {
                let s = server_mut(state);
                s.accepted_by.insert(src);
                if s.accepted_by.len() < majority(servers.len()) {
                    return;
                }
                learn(s, value, o);
                let others: Vec<Id> = servers.iter().copied().filter(|&j| j != id).collect();
                o.broadcast(&others, &PaxosMsg::Chosen { value });
            }
            // Learner.
            (PaxosActor::Server { .. }, PaxosState::Server(s), PaxosMsg::Chosen { value })
                if s.chosen.is_none() =>
            {
                learn(server_mut(state), value, o);
            }
            // A read is answered once the value is learned; until then the
            // reader waits (replying "empty" could contradict a value chosen
            // elsewhere).
            (PaxosActor::Server { .. }, PaxosState::Server(s), PaxosMsg::Get)
                if s.chosen.is_none() && !s.readers.contains(&src) =>
            {
                server_mut(state).readers.insert(src);
            }
            (
                PaxosActor::Server { .. },
                PaxosState::Server(ServerState {
                    chosen: Some(value),
                    ..
                }),
                PaxosMsg::Get,
            ) => {
                o.send(src, PaxosMsg::GetOk { value: *value });
            }
            // Client: the write returned; read from the next server.
            (
                PaxosActor::Client { index, servers, .. },
                PaxosState::Client(ClientPhase::Writing),
                PaxosMsg::PutOk | PaxosMsg::PutFail,
            ) => {
                *state.to_mut() = PaxosState::Client(ClientPhase::Reading);
                o.send(servers[(index + 1) % servers.len()], PaxosMsg::Get);
                self.arm(o);
            }
            (
                PaxosActor::Client { retransmit, .. },
                PaxosState::Client(ClientPhase::Reading),
                PaxosMsg::GetOk { .. },
            ) => {
                *state.to_mut() = PaxosState::Client(ClientPhase::Done);
                if *retransmit {
                    o.cancel_timer(PaxosTimer::Retransmit);
                }
            }
            _ => {}
        }
    }

    /// Retransmission, with [`PaxosCfg::retransmit`]. Paxos Made Simple
    /// lets messages "be lost" (§2.1) and keeps safety whatever is lost;
    /// progress needs a working network (§2.4), which on a lossy one means
    /// sending again what may have been lost, as implementations do (Chandra,
    /// Griesemer & Redstone, "Paxos Made Live" (PODC 2007) §4: a replica
    /// whose round makes no progress retries on a timeout). Every
    /// retransmission repeats a message of the current state, so each
    /// handler sees only a duplicate, which it already tolerates.
    fn on_timeout(
        &self,
        id: Id,
        state: &mut Cow<Self::State>,
        _timer: &PaxosTimer,
        o: &mut Out<Self>,
    ) {
        match (self, state.as_ref()) {
            // Client: the request not yet answered goes out again, to the
            // same server (a retransmitted Put reaches its proposer, which
            // ignores it while proposing and answers it once it has learned).
            (PaxosActor::Client { index, servers, .. }, PaxosState::Client(phase)) => {
                let (to, msg) = match phase {
                    ClientPhase::Writing => (
                        servers[index % servers.len()],
                        PaxosMsg::Put {
                            value: client_value(*index),
                        },
                    ),
                    ClientPhase::Reading => (servers[(index + 1) % servers.len()], PaxosMsg::Get),
                    ClientPhase::Done => return,
                };
                o.send(to, msg);
                self.arm(o);
            }
            // Learner: "the distinguished learner informs the other learners
            // when a value has been chosen" (§2.3); it cannot know which of
            // them heard, so it tells them again.
            (
                PaxosActor::Server { servers, .. },
                PaxosState::Server(ServerState {
                    chosen: Some(value),
                    ..
                }),
            ) => {
                let others: Vec<Id> = servers.iter().copied().filter(|&j| j != id).collect();
                o.broadcast(&others, &PaxosMsg::Chosen { value: *value });
                self.arm(o);
            }
            // Proposer, phase 1: the prepare request again, to the acceptors
            // whose promise has not arrived; phase 2: the accept request
            // again, to those that have not accepted. The ballot is the
            // same: a new one is what a refusal calls for (`retry`), not a
            // loss.
            (
                PaxosActor::Server {
                    servers, ask_all, ..
                },
                PaxosState::Server(
                    s @ ServerState {
                        ballot: Some(ballot),
                        ..
                    },
                ),
            ) => {
                let (to, msg) = match s.proposal {
                    None => (
                        self.acceptors(id)
                            .into_iter()
                            .filter(|a| !s.promises.contains_key(a))
                            .collect::<Vec<Id>>(),
                        PaxosMsg::Prepare { ballot: *ballot },
                    ),
                    Some((ballot, value)) => (
                        accept_targets(*ask_all, servers, s)
                            .into_iter()
                            .filter(|a| !s.accepted_by.contains(a))
                            .collect(),
                        PaxosMsg::Accept { ballot, value },
                    ),
                };
                o.broadcast(&to, &msg);
                self.arm(o);
            }
            _ => {}
        }
    }
}

/// Where phase 2(a) sends its accept requests: "to each of those
/// acceptors" that promised, or, asking every acceptor, to all of them.
fn accept_targets(ask_all: bool, servers: &[Id], s: &ServerState) -> Vec<Id> {
    if ask_all {
        servers.to_vec()
    } else {
        s.promises.keys().copied().collect()
    }
}

// History: what the properties are stated over.

/// Auxiliary state recorded from the messages (see `record_out`, `record_in`).
#[derive(Clone, Debug, PartialEq, Hash)]
pub struct PaxosHistory {
    /// The clients' operations on the register, for "linearizable".
    pub register: LinearizabilityTester<Id, WORegister<Value>>,
    /// Every value a client asked to write: the proposed values.
    pub proposed: BTreeSet<Value>,
    /// Every acceptance ever made, as `(acceptor, proposal)`. A history
    /// variable: an acceptor keeps only its latest acceptance, and a crash
    /// may erase even that, but a value once chosen stays chosen.
    pub acceptances: BTreeSet<(Id, Proposal)>,
    /// The operations invoked, as `(client, is a read)`: a retransmitted
    /// Put or Get is the same operation sent again, not a new invocation.
    pub invoked: BTreeSet<(Id, bool)>,
}

fn record_out(
    _: &PaxosCfg,
    history: &PaxosHistory,
    env: Envelope<&PaxosMsg>,
) -> Option<PaxosHistory> {
    if !matches!(
        env.msg,
        PaxosMsg::Put { .. } | PaxosMsg::Get | PaxosMsg::Accepted { .. }
    ) {
        return None;
    }
    let is_get = matches!(env.msg, PaxosMsg::Get);
    let mut h = history.clone();
    // An `Err` from the tester marks the history invalid, which
    // "linearizable" then reports; nothing else to do with it here.
    match env.msg {
        PaxosMsg::Put { .. } | PaxosMsg::Get if h.invoked.contains(&(env.src, is_get)) => {
            return None;
        }
        PaxosMsg::Put { value } => {
            let _ = h.register.on_invoke(env.src, WORegisterOp::Write(*value));
            h.proposed.insert(*value);
            h.invoked.insert((env.src, false));
        }
        PaxosMsg::Get => {
            let _ = h.register.on_invoke(env.src, WORegisterOp::Read);
            h.invoked.insert((env.src, true));
        }
        PaxosMsg::Accepted { ballot, value } => {
            h.acceptances.insert((env.src, (*ballot, *value)));
        }
        _ => {}
    }
    Some(h)
}

fn record_in(
    _: &PaxosCfg,
    history: &PaxosHistory,
    env: Envelope<&PaxosMsg>,
) -> Option<PaxosHistory> {
    let ret = match env.msg {
        PaxosMsg::PutOk => WORegisterRet::WriteOk,
        PaxosMsg::PutFail => WORegisterRet::WriteFail,
        PaxosMsg::GetOk { value } => WORegisterRet::ReadOk(Some(*value)),
        _ => return None,
    };
    let mut h = history.clone();
    let _ = h.register.on_return(env.dst, ret);
    Some(h)
}

type State = stateright::actor::ActorModelState<PaxosActor, PaxosHistory>;

/// The chosen values: "a value is chosen when a single proposal with that
/// value has been accepted by a majority of the acceptors" (§2.2), at any
/// time so far.
fn chosen(model: &PaxosModel, state: &State) -> BTreeSet<Value> {
    chosen_by(majority(model.cfg.servers), state)
}

/// The acceptances of each proposal.
fn votes(state: &State) -> BTreeMap<Proposal, usize> {
    let mut votes: BTreeMap<Proposal, usize> = BTreeMap::new();
    for (_, proposal) in &state.history.acceptances {
        *votes.entry(*proposal).or_default() += 1;
    }
    votes
}

fn chosen_by(majority: usize, state: &State) -> BTreeSet<Value> {
    votes(state)
        .into_iter()
        .filter(|(_, n)| *n >= majority)
        .map(|((_, value), _)| value)
        .collect()
}

// Properties.

/// "Only a single value is chosen" (Paxos Made Simple §2.1).
fn agreement(model: &PaxosModel, state: &State) -> bool {
    chosen(model, state).len() <= 1
}

/// "Only a value that has been proposed may be chosen" (Paxos Made Simple
/// §2.1).
fn validity(model: &PaxosModel, state: &State) -> bool {
    chosen(model, state).is_subset(&state.history.proposed)
}

/// The clients' history is linearizable with respect to a write-once register
/// (Herlihy & Wing 1990, §3): what §2.1's safety requirements mean to a client,
/// which learns the value only through replies (§2.3).
fn linearizable(_: &PaxosModel, state: &State) -> bool {
    state.history.register.serialized_history().is_some()
}

/// "A process never learns that a value has been chosen unless it actually
/// has been" (Paxos Made Simple §2.1): every value a learner holds is chosen.
fn learns_only_chosen(model: &PaxosModel, state: &State) -> bool {
    let chosen = chosen(model, state);
    state.actor_states.iter().all(|a| match &**a {
        PaxosState::Server(s) => s.chosen.is_none_or(|v| chosen.contains(&v)),
        PaxosState::Client(_) => true,
    })
}

/// Reachability of the case phase 2(a)'s rule is about: a proposer's
/// majority of promises reports two accepted proposals with different
/// values, so "the value of the highest-numbered proposal among the
/// responses" (Paxos Made Simple §2.2) is a real choice. It takes a third
/// ballot: scenario `highest-accepted`.
fn two_values_reported(_: &PaxosModel, state: &State) -> bool {
    state.actor_states.iter().any(|a| match &**a {
        PaxosState::Server(s) => {
            let values: BTreeSet<Value> = s.promises.values().flatten().map(|&(_, v)| v).collect();
            values.len() >= 2
        }
        PaxosState::Client(_) => false,
    })
}

/// Reachability: a value can be chosen at all, the goal of §2.1 ("ensure that
/// some proposed value is eventually chosen").
fn value_chosen(model: &PaxosModel, state: &State) -> bool {
    !chosen(model, state).is_empty()
}

/// Progress: "some proposed value is eventually chosen" (Paxos Made Simple
/// §2.1), which §2.4 shows two proposers can prevent forever: "two proposers
/// each keep issuing a sequence of proposals with increasing numbers, none of
/// which are ever chosen". Without `retry` a refused proposer gives up; with
/// it, one proposer makes progress and two may duel.
fn eventually_chosen(model: &PaxosModel, state: &State) -> bool {
    value_chosen(model, state)
}

// Refinement mappings (Lamport's Paxos.tla: `V == INSTANCE Voting` and
// `THEOREM Spec => V!Spec`; Voting.tla: `C == INSTANCE Consensus` and
// `THEOREM Spec => C!Spec`).

/// The highest round a ballot can have: 1 unless refused proposers retry,
/// and then `max_round` (a retry starts at most at round `max_round`; a
/// client's Put starts round 1). `None` when rounds are unbounded.
fn highest_round(cfg: &PaxosCfg) -> Option<Round> {
    match (cfg.retry, cfg.max_round) {
        (false, _) => Some(1),
        (true, 0) => None,
        (true, max) => Some(max.max(1)),
    }
}

/// Voting's ballot number of the proposal number `(round, server)`, with
/// `servers` servers: `(round - 1) * servers + server`.
///
/// Sound because it is an order isomorphism. A proposal number is a pair
/// `(r, i)` with `r >= 1` (a proposer's first ballot is one round above
/// round 0) and `0 <= i < servers`, ordered lexicographically (§2.5); the
/// formula reads the pair as a number in mixed radix, so it is one-to-one
/// and `b < b'` exactly when `ballot(b) < ballot(b')`, and with rounds
/// `1..=R` it is onto Voting's `Ballot = 0..(R * servers - 1)`. Voting only
/// compares ballots and quantifies over the ballots between two of them
/// (`ShowsSafeAt`'s `c+1..b-1`, `SafeAt`'s `0..b-1`): each of those is the
/// image of a proposal number between the two, so every guard means the
/// same of the actors' numbers as of their images.
pub fn voting_ballot(servers: usize, (round, id): Ballot) -> voting::Ballot {
    debug_assert!(round >= 1 && usize::from(id) < servers);
    (round as voting::Ballot - 1) * servers as voting::Ballot + usize::from(id) as voting::Ballot
}

/// Voting's `Value` of a client's letter: client `k` writes value `k`.
fn voting_value(value: Value) -> voting::Value {
    usize::from(value as u8 - b'A')
}

/// The actor model as a state of Voting.tla, as Paxos.tla's `V == INSTANCE
/// Voting` maps Paxos: acceptor `a` is server `a`, ballots map by
/// [`voting_ballot`], values by client.
///
/// - `votes[a]`: the votes `<<b, v>>` of the 2b (Accepted) messages `a`
///   sent, recorded in the history's `acceptances` (Paxos.tla reads them
///   off `msgs`, every message ever sent). A history, not `a`'s `accepted`
///   field: an acceptor keeps only its latest acceptance, and a crash may
///   erase even that.
/// - `maxBal[a]`: `a`'s promise (`promised`), -1 if it made none. A crashed
///   acceptor keeps its state until it restarts from stable storage.
///
/// Under it, delivering a Prepare that the acceptor promises is
/// `IncreaseMaxBal(a, b)`, and delivering an Accept that it accepts is
/// `VoteFor(a, b, v)`, which Voting allows only when some quorum shows `v`
/// safe at `b` (`ShowsSafeAt`): that is what phase 2(a)'s choice of value
/// must guarantee (Paxos Made Simple §2.2). Every other step (a Put, a
/// proposer counting promises or acceptances, a learner learning, a client,
/// a crash, and, with stable storage, a recovery) changes neither and is a
/// stutter.
pub fn to_voting(cfg: &PaxosCfg, state: &State) -> voting::State {
    let mut votes = vec![BTreeSet::new(); cfg.servers];
    for (acceptor, (ballot, value)) in &state.history.acceptances {
        votes[usize::from(*acceptor)]
            .insert((voting_ballot(cfg.servers, *ballot), voting_value(*value)));
    }
    let max_bal = state.actor_states[..cfg.servers]
        .iter()
        .map(|a| match &**a {
            PaxosState::Server(s) => s.promised.map_or(-1, |b| voting_ballot(cfg.servers, b)),
            PaxosState::Client(_) => unreachable!("servers come first"),
        })
        .collect();
    voting::State { votes, max_bal }
}

/// The Voting spec the model refines: `Acceptor` the servers, `Value` the
/// clients' values, `Quorum` the majorities of servers (each proposer's
/// fixed majority is one of them), `Ballot` the images of the proposal
/// numbers with rounds up to `highest`. `None` when rounds are unbounded.
fn voting_spec(cfg: &PaxosCfg) -> Option<Voting> {
    let highest = highest_round(cfg)?;
    let max_ballot = highest as voting::Ballot * cfg.servers as voting::Ballot - 1;
    Some(Voting::new(cfg.servers, cfg.clients, max_ballot))
}

/// "refines Voting" under [`to_voting`], and "refines Consensus" under
/// Voting's `chosen` of it, as Paxos.tla's `V!C` is (the values a quorum
/// voted for in one ballot, which is [`chosen`]). With unbounded rounds
/// neither is judged: Voting's `Ballot` would be all of `Nat`, and the
/// ballot view that makes the space finite forgets dead acceptances, which
/// the mapping reads as votes.
fn refinements(cfg: &PaxosCfg) -> Vec<checker::Refinement<PaxosModel>> {
    const VOTING: &str = "refines Voting";
    const CONSENSUS: &str = "refines Consensus";
    let Some(spec) = voting_spec(cfg) else {
        let why = "rounds are unbounded (Ballot would be Nat) and the ballot view \
                   forgets votes; set max_round";
        return vec![
            checker::Refinement::unjudged(VOTING, why),
            checker::Refinement::unjudged(CONSENSUS, why),
        ];
    };
    let (to_v, to_c) = (cfg.clone(), cfg.clone());
    let chosen_spec = spec.clone();
    vec![
        checker::Refinement::new(VOTING, spec.clone(), move |s: &State| to_voting(&to_v, s)),
        checker::Refinement::new(CONSENSUS, spec.consensus(), move |s: &State| {
            chosen_spec.abstraction(&to_voting(&to_c, s))
        }),
    ]
}

// The ballot view.

/// What the checker stores of a state when proposers retry (TLC's `VIEW`).
/// Retrying proposers make ballots grow forever, so without it two duelling
/// proposers are an infinite path the checker can only cut off; with it the
/// duel closes into a cycle. It forgets three things, none of which any
/// future step or any property can observe, so a state and its view have
/// the same properties and, step for step, successors with the same views
/// (a bisimulation):
///
/// 1. *Dead replies.* A `Promise`, `Accepted` or `Nack` for a ballot its
///    proposer has moved past, or has already counted, is a no-op to
///    deliver, and stays one: a proposer's ballots only grow (§2.5, its round
///    is durable), and it clears its tallies only when it starts a new
///    ballot. Stateright does not even offer a no-op delivery as a step.
/// 2. *Dead acceptances.* The history keeps every acceptance for
///    "agreement"; an acceptance of a proposal that is not chosen and has no
///    `Accept` left in flight can never count towards a majority.
/// 3. *The size of round numbers.* Paxos only compares ballots (§2.2) and
///    adds one to the largest round it knows (§2.5), so renumbering the rounds
///    in use while keeping their order, which of them are consecutive, and
///    round 0 (gaps of two or more become two), changes nothing observable.
///
/// Counterexamples are still shown as the real run, ballots growing.
fn view(majority: usize, state: &State) -> State {
    let servers: Vec<Option<&ServerState>> = state
        .actor_states
        .iter()
        .map(|a| match &**a {
            PaxosState::Server(s) => Some(s),
            PaxosState::Client(_) => None,
        })
        .collect();
    // 1. Dead replies.
    let live = |env: &Envelope<&PaxosMsg>| {
        let Some(Some(p)) = servers.get(usize::from(env.dst)) else {
            return true;
        };
        match *env.msg {
            PaxosMsg::Promise { ballot, .. } => {
                p.ballot == Some(ballot)
                    && p.proposal.is_none()
                    && !p.promises.contains_key(&env.src)
            }
            PaxosMsg::Accepted { ballot, value } => {
                p.proposal == Some((ballot, value))
                    && p.accepted_by.len() < majority
                    && !p.accepted_by.contains(&env.src)
            }
            PaxosMsg::Nack { ballot, .. } => p.ballot == Some(ballot) && p.chosen.is_none(),
            // A learner forgets what it learned when it crashes, so a
            // `Chosen` it ignores today may count after a restart: kept.
            _ => true,
        }
    };
    let mut envelopes: Vec<Envelope<PaxosMsg>> = state
        .network
        .iter_all()
        .filter(live)
        .map(|e| e.to_cloned_msg())
        .collect();
    // 2. Dead acceptances.
    let in_flight: BTreeSet<Proposal> = envelopes
        .iter()
        .filter_map(|e| match e.msg {
            PaxosMsg::Accept { ballot, value } => Some((ballot, value)),
            _ => None,
        })
        .collect();
    let votes = votes(state);
    let mut next = state.clone();
    next.history
        .acceptances
        .retain(|(_, p)| votes[p] >= majority || in_flight.contains(p));

    // 3. Rounds, renumbered.
    let mut actor_states: Vec<PaxosState> =
        next.actor_states.iter().map(|a| (**a).clone()).collect();
    let mut acceptances: Vec<(Id, Proposal)> = next.history.acceptances.iter().copied().collect();
    let mut in_use: BTreeSet<Round> = BTreeSet::from([0]);
    {
        let mut collect = |r: &mut Round| {
            in_use.insert(*r);
        };
        each_round(
            &mut actor_states,
            &mut next.actor_storages,
            &mut envelopes,
            &mut acceptances,
            &mut collect,
        );
    }
    let mut renumbered: BTreeMap<Round, Round> = BTreeMap::new();
    let mut last: Option<(Round, Round)> = None;
    for r in in_use {
        let to = match last {
            None => r,
            Some((from, to)) => to + (r - from).min(2),
        };
        renumbered.insert(r, to);
        last = Some((r, to));
    }
    each_round(
        &mut actor_states,
        &mut next.actor_storages,
        &mut envelopes,
        &mut acceptances,
        &mut |r: &mut Round| *r = renumbered[r],
    );
    next.actor_states = actor_states.into_iter().map(std::sync::Arc::new).collect();
    next.network = Network::new_unordered_nonduplicating(envelopes);
    next.history.acceptances = acceptances.into_iter().collect();
    next
}

/// A `Promise` from `acceptor` for `ballot` that proposer `p` will never
/// count: it has moved past the ballot, or past phase 1, or counted it.
/// Each stays so: without crashes a proposer's ballot and phase only move
/// forward and its tally only grows.
fn promise_dead(p: &ServerState, acceptor: Id, ballot: Ballot) -> bool {
    p.ballot != Some(ballot) || p.proposal.is_some() || p.promises.contains_key(&acceptor)
}

/// An `Accepted` from `acceptor` for `(ballot, value)` that proposer `p`
/// will never count, for the same reasons.
fn accepted_dead(
    majority: usize,
    p: &ServerState,
    acceptor: Id,
    (ballot, value): Proposal,
) -> bool {
    p.proposal != Some((ballot, value))
        || p.accepted_by.len() >= majority
        || p.accepted_by.contains(&acceptor)
}

/// What the checker stores of a state with `retransmit` (and no `retry`;
/// the rule on parameters rules out crashes): the state without its dead
/// messages. Stateright's duplicating network keeps a message in flight
/// until it is lost, so every message ever sent would otherwise stay, and
/// each one lost or not doubles the space. A message is dead when
/// delivering it changes nothing, or only sends messages that are dead in
/// turn, now and forever: without crashes every actor only moves forward
/// (a proposer's ballot and phase, an acceptor's promise, a learner's
/// value, a client's phase), so each condition below, once true, stays
/// true. Delivering a dead message leads to a state with the same view,
/// and losing one does too: a stutter the view does not show. Otherwise a
/// state and its view have the same properties and, step for step,
/// successors with the same views (a bisimulation up to stuttering;
/// tests/it/analyses.rs checks it on 20,000 states). The view shows fewer
/// fairness classes enabled (a dead message's delivery), so a lasso it
/// reported might be unfair on the real states; a "holds" is sound, since
/// every fair run of the real states is a fair run of the views, with its
/// stutters left out. Dead are:
///
/// - a `Promise`, `Accepted`, `Chosen`, `PutOk`/`PutFail` or `GetOk` its
///   receiver no longer reads;
/// - a client's `Put` once the write returned, its `Get` once the read
///   did: its server only answers again, to a client that no longer reads;
/// - a `Prepare` below the acceptor's promise, or for its promise when
///   the `Promise` it would repeat is dead; an `Accept` below the promise,
///   or already accepted when the `Accepted` it would repeat is dead.
fn lossy_view(majority: usize, state: &State) -> State {
    let actor = |id: Id| state.actor_states.get(usize::from(id)).map(|a| &**a);
    let server = |id: Id| match actor(id) {
        Some(PaxosState::Server(s)) => Some(s),
        _ => None,
    };
    let client = |id: Id| match actor(id) {
        Some(PaxosState::Client(phase)) => Some(*phase),
        _ => None,
    };
    let live = |env: &Envelope<&PaxosMsg>| match *env.msg {
        PaxosMsg::Promise { ballot, .. } => {
            server(env.dst).is_none_or(|p| !promise_dead(p, env.src, ballot))
        }
        PaxosMsg::Accepted { ballot, value } => {
            server(env.dst).is_none_or(|p| !accepted_dead(majority, p, env.src, (ballot, value)))
        }
        PaxosMsg::Chosen { .. } => server(env.dst).is_none_or(|s| s.chosen.is_none()),
        PaxosMsg::PutOk | PaxosMsg::PutFail => {
            client(env.dst) != Some(ClientPhase::Done)
                && client(env.dst) != Some(ClientPhase::Reading)
        }
        PaxosMsg::GetOk { .. } => client(env.dst) != Some(ClientPhase::Done),
        PaxosMsg::Put { .. } => client(env.src).is_none_or(|c| c == ClientPhase::Writing),
        PaxosMsg::Get => client(env.src).is_none_or(|c| c != ClientPhase::Done),
        PaxosMsg::Prepare { ballot } => match server(env.dst).and_then(|a| a.promised) {
            Some(promised) if promised > ballot => false,
            Some(promised) if promised == ballot => {
                server(env.src).is_none_or(|p| !promise_dead(p, env.dst, ballot))
            }
            _ => true,
        },
        PaxosMsg::Accept { ballot, value } => match server(env.dst) {
            Some(a) if a.promised > Some(ballot) => false,
            Some(a) if a.promised == Some(ballot) && a.accepted == Some((ballot, value)) => {
                server(ballot.1)
                    .is_none_or(|p| !accepted_dead(majority, p, env.dst, (ballot, value)))
            }
            _ => true,
        },
        _ => true,
    };
    let envelopes: Vec<Envelope<PaxosMsg>> = state
        .network
        .iter_all()
        .filter(live)
        .map(|e| e.to_cloned_msg())
        .collect();
    let mut next = state.clone();
    next.network = Network::new_unordered_duplicating(envelopes);
    next
}

/// Visits every round number a state holds.
fn each_round(
    actors: &mut [PaxosState],
    storages: &mut [Option<PaxosStorage>],
    envelopes: &mut [Envelope<PaxosMsg>],
    acceptances: &mut [(Id, Proposal)],
    visit: &mut dyn FnMut(&mut Round),
) {
    for actor in actors {
        if let PaxosState::Server(s) = actor {
            visit(&mut s.round);
            for b in s.ballot.iter_mut().chain(s.promised.iter_mut()) {
                visit(&mut b.0);
            }
            let proposals = s.promises.values_mut().flatten();
            for (b, _) in proposals
                .chain(s.proposal.iter_mut())
                .chain(s.accepted.iter_mut())
            {
                visit(&mut b.0);
            }
        }
    }
    for storage in storages.iter_mut().flatten() {
        visit(&mut storage.round);
        for b in storage.promised.iter_mut() {
            visit(&mut b.0);
        }
        for (b, _) in storage.accepted.iter_mut() {
            visit(&mut b.0);
        }
    }
    for env in envelopes {
        match &mut env.msg {
            PaxosMsg::Prepare { ballot }
            | PaxosMsg::Accept { ballot, .. }
            | PaxosMsg::Accepted { ballot, .. } => visit(&mut ballot.0),
            PaxosMsg::Promise { ballot, accepted } => {
                visit(&mut ballot.0);
                for (b, _) in accepted.iter_mut() {
                    visit(&mut b.0);
                }
            }
            PaxosMsg::Nack { ballot, promised } => {
                visit(&mut ballot.0);
                visit(&mut promised.0);
            }
            _ => {}
        }
    }
    for (_, (b, _)) in acceptances {
        visit(&mut b.0);
    }
}

/// What makes the ballot view's round renumbering sound: every step that
/// starts a ballot starts it at most one round above the highest round in
/// use. A proposer's new round is one above its *base* round (its own round
/// on a client's Put; the larger of its own and the refusing promise's on a
/// Nack, §2.5); if the base could lie two or more rounds below the highest
/// round in use, the new round would land inside a gap that the view has
/// shortened, and `view(next(s)) != view(next(view(s)))`. With at most two
/// proposers it cannot: a Put starts a proposer's first ballot before the
/// other has been refused (only a rival proposer's promise refuses), and a
/// refusal names a round in use by the only rival, which is the highest
/// round or one below. With three proposers a proposer refused by a stale
/// promise could fall behind, which is why `clients` stops at 2. Checked on
/// every state the catalog's retry scenarios explore (tests/it/analyses.rs).
pub fn ballot_view_invariant(state: &State) -> bool {
    let servers: Vec<Option<&ServerState>> = state
        .actor_states
        .iter()
        .map(|a| match &**a {
            PaxosState::Server(s) => Some(s),
            PaxosState::Client(_) => None,
        })
        .collect();
    let mut highest: Round = 0;
    {
        let mut actor_states: Vec<PaxosState> =
            state.actor_states.iter().map(|a| (**a).clone()).collect();
        let mut storages = state.actor_storages.clone();
        let mut envelopes: Vec<Envelope<PaxosMsg>> = state
            .network
            .iter_all()
            .map(|e| e.to_cloned_msg())
            .collect();
        let mut acceptances: Vec<(Id, Proposal)> =
            state.history.acceptances.iter().copied().collect();
        each_round(
            &mut actor_states,
            &mut storages,
            &mut envelopes,
            &mut acceptances,
            &mut |r: &mut Round| highest = highest.max(*r),
        );
    }
    state.network.iter_all().all(|env| {
        let Some(Some(p)) = servers.get(usize::from(env.dst)) else {
            return true;
        };
        let base = match *env.msg {
            PaxosMsg::Put { .. } if p.request.is_none() && p.chosen.is_none() => p.round,
            PaxosMsg::Nack { ballot, promised }
                if p.ballot == Some(ballot) && p.chosen.is_none() =>
            {
                p.round.max(promised.0)
            }
            _ => return true,
        };
        base + 1 >= highest
    })
}

/// With `retry`, the most messages the checker lets be in flight at once,
/// not counting the dead replies the view forgets: a state constraint, as
/// TLC's `CONSTRAINT`. Retrying proposers can otherwise
/// leave ever more stale requests undelivered, an infinite space even under
/// the view. States beyond it are cut off: a liveness verdict that depends on
/// one is `bounded`, never a violation; a lasso found inside it is a real
/// fair run, because only states whose every successor was explored may lie
/// on its loop. Four lets two proposers duel (the loop needs three) and
/// keeps the space to about 82,000 states; five takes minutes.
const IN_FLIGHT_BOUND: usize = 4;

// Configuration.

pub type PaxosModel = ActorModel<PaxosActor, PaxosCfg, PaxosHistory>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaxosCfg {
    pub clients: usize,
    pub servers: usize,
    /// Servers down at once, at most; each recovers from its storage.
    pub crashes: usize,
    /// Acceptors refuse out loud (Nack) and a refused proposer starts a
    /// higher ballot (§2.5). Ballots then grow without bound, and the
    /// checker explores the ballot view ([`view`]).
    pub retry: bool,
    /// With `retry`, the highest round a refused proposer may start: the
    /// rounds are a finite set, as Paxos.tla's `Ballot` constant makes them
    /// in its model-checking configurations, and the search is complete
    /// with no view and no bound. 0: no limit (the ballot view and
    /// [`IN_FLIGHT_BOUND`]).
    pub max_round: Round,
    /// Proposers send prepare requests to every acceptor and proceed with
    /// any majority that answers, so progress needs only *some* live
    /// majority; otherwise each asks a fixed majority ([`quorum`]).
    pub ask_all: bool,
    /// Any server may crash; otherwise only the servers no client writes
    /// through, so the proposers stay up: §2.4's condition for progress is
    /// a working proposer and a working majority of acceptors.
    pub crash_proposers: bool,
    /// Clients and proposers retransmit on a timer ([`PaxosTimer`]), and
    /// the network loses and duplicates messages: scenario `lossy`, and
    /// every real run (`dsw run paxos` sets it), whatever the parameter. Off by default: the other checks need no timer, and a
    /// retransmission on a non-duplicating network would only pile up
    /// copies.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for PaxosCfg {
    /// One crash: `forget-promise-on-crash` needs it, and the correct
    /// protocol is checked under the same fault.
    fn default() -> Self {
        PaxosCfg {
            clients: 2,
            servers: 3,
            crashes: 1,
            retry: false,
            max_round: 0,
            ask_all: false,
            crash_proposers: true,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl PaxosCfg {
    /// Proposers retry with no limit on rounds: the space is infinite, and
    /// is explored under the ballot view within [`IN_FLIGHT_BOUND`].
    fn unbounded_rounds(&self) -> bool {
        self.retry && self.max_round == 0
    }
}

impl Config for PaxosCfg {
    type Model = PaxosModel;

    fn new(variant: &str, params: &Params) -> Self {
        PaxosCfg {
            clients: params["clients"] as usize,
            servers: params["servers"] as usize,
            crashes: params["crashes"] as usize,
            retry: params["retry"] == 1,
            max_round: params["max_round"] as Round,
            ask_all: params["ask_all"] == 1,
            crash_proposers: params["crash_proposers"] == 1,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> PaxosModel {
        crate::runner::indexed(self)
    }

    /// Every step maps to a Voting step or a stutter, and so to a
    /// Consensus step or a stutter (see [`to_voting`]); with `retry`, the
    /// ballot view (see [`view`]); always, the decision predicate for
    /// valence analysis: the chosen values.
    fn analyses(model: &PaxosModel) -> checker::Analyses<PaxosModel> {
        let majority = majority(model.cfg.servers);
        let (servers, clients) = (model.cfg.servers, model.cfg.clients);
        // Server `i` proposes for client `i`.
        let first_crashable = if model.cfg.crash_proposers {
            0
        } else {
            clients
        };
        checker::Analyses {
            refinements: refinements(&model.cfg),
            // Only servers crash, and without `crash_proposers` only those
            // no client writes through (see the boundary in `model_on`).
            excluded: Some(Box::new(move |a| {
                matches!(a, stateright::actor::ActorModelAction::Crash(id)
                    if !(first_crashable..servers).contains(&usize::from(*id)))
            })),
            view: if model.cfg.unbounded_rounds() {
                Some(Box::new(move |s: &State| view(majority, s)))
            } else if model.cfg.retransmit && !model.cfg.retry {
                Some(Box::new(move |s: &State| lossy_view(majority, s)))
            } else {
                None
            },
            boundary: model
                .cfg
                .unbounded_rounds()
                .then(|| format!("at most {IN_FLIGHT_BOUND} messages in flight")),
            decision: Some(checker::Decision {
                names: (0..clients).map(|c| client_value(c).to_string()).collect(),
                decided: Box::new(move |s: &State| {
                    chosen_by(majority, s)
                        .into_iter()
                        .fold(0, |bits, v| bits | 1 << (v as u8 - b'A'))
                }),
            }),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for PaxosCfg {
    type Actor = PaxosActor;
    type History = PaxosHistory;

    fn actor_count(&self) -> usize {
        self.servers + self.clients
    }

    /// A client's first `Put` or `Get` (a retransmission is no new
    /// operation: the history ignores it), and the server's answer it
    /// receives.
    fn client_op(msg: &PaxosMsg) -> Option<OpEdge> {
        match msg {
            PaxosMsg::Put { .. } | PaxosMsg::Get => Some(OpEdge::Invoke),
            PaxosMsg::PutOk | PaxosMsg::PutFail | PaxosMsg::GetOk { .. } => Some(OpEdge::Return),
            _ => None,
        }
    }

    const CLIENT_HISTORY: Option<history::ModelKind> = Some(history::ModelKind::Register);

    /// The clients' write-once register (§2.3's clients of a chosen
    /// value): a `Put` of `v` is `cas null -> v`, which takes effect only on
    /// an empty register, as Stateright's `WORegister` write does (each
    /// client writes its own value, so no other write makes the register
    /// `v` first). A `PutFail` took no effect (`fail`); what it says of
    /// the register (another value was chosen) is left to the model's
    /// "linearizable", which reads the same history.
    fn history_edge(msg: &PaxosMsg) -> Option<HistoryEdge> {
        let value = |v: &Value| serde_json::Value::from(v.to_string());
        Some(match msg {
            PaxosMsg::Put { value: v } => HistoryEdge::Invoke {
                f: "cas",
                key: None,
                value: serde_json::json!([null, value(v)]),
            },
            PaxosMsg::Get => HistoryEdge::Invoke {
                f: "read",
                key: None,
                value: serde_json::Value::Null,
            },
            PaxosMsg::PutOk => HistoryEdge::Ok(None),
            PaxosMsg::PutFail => HistoryEdge::Fail,
            PaxosMsg::GetOk { value: v } => HistoryEdge::Ok(Some(value(v))),
            _ => return None,
        })
    }

    fn done(states: &[Option<PaxosState>]) -> bool {
        states.iter().flatten().all(|s| match s {
            PaxosState::Client(phase) => *phase == ClientPhase::Done,
            PaxosState::Server(_) => true,
        })
    }

    fn observations(states: &[PaxosState], history: &PaxosHistory) -> Vec<String> {
        let mut lines: Vec<String> = states
            .iter()
            .enumerate()
            .filter_map(|(i, s)| match s {
                PaxosState::Server(s) => Some(format!("server {i}: chosen {:?}", s.chosen)),
                PaxosState::Client(_) => None,
            })
            .collect();
        if let Some(ops) = history.register.serialized_history() {
            lines.push(format!("clients, linearized: {ops:?}"));
        }
        lines
    }

    /// Servers first, then clients, known by `ids`: indices when checked,
    /// socket addresses when run for real.
    fn model_on(self, ids: &[Id]) -> PaxosModel {
        let bug = self.bug;
        let server_ids: Vec<Id> = ids[..self.servers].to_vec();
        let (retry, max_round, ask_all) = (self.retry, self.max_round, self.ask_all);
        let retransmit = self.retransmit;
        let servers = (0..self.servers).map(|index| PaxosActor::Server {
            index,
            servers: server_ids.clone(),
            bug,
            retry,
            max_round,
            ask_all,
            retransmit,
        });
        let clients = (0..self.clients).map(|index| PaxosActor::Client {
            index,
            servers: server_ids.clone(),
            retransmit,
        });
        let max_crashes = self.crashes;
        let history = PaxosHistory {
            register: LinearizabilityTester::new(WORegister(None)),
            proposed: BTreeSet::new(),
            acceptances: BTreeSet::new(),
            invoked: BTreeSet::new(),
        };
        // By default unordered, lossless, non-duplicating. Paxos tolerates
        // all three (§2.1: messages "can be duplicated, and can be lost"),
        // but loss is only unbounded delay to a safety property, and
        // duplication makes the space infinite: a Put redelivered to a
        // restarted server starts yet another ballot. With `retransmit` the
        // network loses and duplicates (Stateright's duplicating network
        // keeps each message in flight until it is lost, so a
        // retransmission adds nothing new to a message still there).
        let network = if retransmit {
            Network::new_unordered_duplicating([])
        } else {
            Network::new_unordered_nonduplicating([])
        };
        let lossy = if retransmit {
            LossyNetwork::Yes
        } else {
            LossyNetwork::No
        };
        ActorModel::new(self, history)
            .actors(servers)
            .actors(clients)
            .init_network(network)
            .lossy_network(lossy)
            .max_crashes(max_crashes)
            // The fault model crashes servers only, but Stateright's crash
            // action may pick any actor: the boundary cuts off every state
            // with a client down (a restarted client would write twice).
            .within_boundary(|cfg, state| {
                let first_crashable = if cfg.crash_proposers { 0 } else { cfg.clients };
                state.crashed[..first_crashable].iter().all(|c| !c)
                    && state.crashed[cfg.servers..].iter().all(|c| !c)
                    && (!cfg.unbounded_rounds() || state.network.len() <= IN_FLIGHT_BOUND)
            })
            .property(Expectation::Always, "agreement", agreement)
            .property(Expectation::Always, "validity", validity)
            .property(
                Expectation::Always,
                "learns only chosen",
                learns_only_chosen,
            )
            .property(Expectation::Always, "linearizable", linearizable)
            .property(Expectation::Sometimes, "value chosen", value_chosen)
            .property(
                Expectation::Sometimes,
                "two values reported",
                two_values_reported,
            )
            .property(
                Expectation::Eventually,
                "eventually chosen",
                eventually_chosen,
            )
            .record_msg_out(record_out)
            .record_msg_in(record_in)
    }

    /// `dsw run paxos`: the configuration given, with `retransmit` on, as
    /// scenario `lossy` checks it: a real network may lose and duplicate
    /// (`--loss`, `--duplicate`), and without retransmission a lost message
    /// would stop the workload for good.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "paxos",
    section: "Distributed consensus and time",
    summary: "Single-decree Paxos: proposers, acceptors and learners choose one value for a write-once register",
    citations: &[
        "Lamport, Paxos Made Simple (2001), §2",
        "Lamport, Paxos.tla, Voting.tla and Consensus.tla (tlaplus/Examples, specifications/Paxos and PaxosHowToWinATuringAward, the spec of his 2015 Turing-award lecture)",
        "Herlihy & Wing, Linearizability: A Correctness Condition for Concurrent Objects (1990)",
    ],
    notes: "\"refines Voting\" and \"refines Consensus\" follow Lamport's proof structure (Paxos.tla's `V == INSTANCE Voting`, Voting.tla's `C == INSTANCE Consensus`): Voting's `votes` are the Accepted (2b) messages sent, its `maxBal` the acceptors' promises, and a proposal number (round, server) is Voting's ballot (round - 1) * servers + server, which keeps their order. \
The bug variants break Voting at their offending step: `ignore-highest-accepted` and `forget-acceptance-on-crash` at the first acceptance of a value no quorum shows safe (`ShowsSafeAt`), before any second value is chosen; `forget-promise-on-crash` already at a recovery that forgets a promise (Voting's `maxBal` never goes down), a shorter path than its agreement violation. \
Consensus breaks later, at the acceptance that makes a second value chosen: the step that violates agreement. \
`pick-lowest-accepted` keeps both at the default, where no phase 1 hears of two accepted values, and breaks both in scenario `lowest-accepted`. \
With retrying proposers and no `max_round` (scenarios `duelling-proposers`, `one-proposer`) neither refinement is judged: Voting's `Ballot` would be all of `Nat`, and the ballot view forgets acceptances the mapping reads as votes.",
    params: &[
        ParamSpec {
            name: "clients",
            doc: "clients, each writing its own value then reading (at most 2: two proposers, the most the ballot view is sound for)",
            default: 2,
            min: 1,
            // 3 clients: about 4.4M states and 12 GB (BENCHMARKS.md). And
            // with three proposers the ballot view is unsound: see
            // `ballot_view_invariant`.
            max: 2,
        },
        ParamSpec {
            name: "servers",
            doc: "servers, each proposer, acceptor and learner",
            default: 3,
            min: 3,
            max: 4,
        },
        ParamSpec {
            name: "crashes",
            doc: "servers down at once, at most; each recovers from stable storage",
            default: 1,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "retry",
            doc: "1: acceptors refuse with Nack and a refused proposer retries higher (§2.5)",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "max_round",
            doc: "with retry: the highest round a refused proposer may start (a finite Ballot set, as Paxos.tla's model-checking configurations; the search is then complete); 0: no limit, explored under the ballot view within an in-flight bound",
            default: 0,
            min: 0,
            max: 4,
        },
        ParamSpec {
            name: "ask_all",
            doc: "1: a proposer sends its prepare and accept requests to every acceptor and proceeds with any majority that answers; 0: a fixed majority",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "crash_proposers",
            doc: "1: any server may crash; 0: only servers no client writes through, so the proposers stay up (§2.4)",
            default: 1,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: clients and proposers retransmit on a timer, the distinguished learner repeats Chosen, and the network loses and duplicates messages (scenario lossy; every real run retransmits); 0: a lossless network, no timers",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[ParamRule {
        doc: "retransmit = 1 needs crashes = 0, and with retry = 1 a max_round",
        check: retransmit_fits,
    }],
    properties: &[
        PropertySpec {
            name: "agreement",
            kind: PropertyKind::Always,
            source: "Paxos Made Simple §2.1 (only a single value is chosen)",
        },
        PropertySpec {
            name: "validity",
            kind: PropertyKind::Always,
            source: "Paxos Made Simple §2.1 (only a proposed value may be chosen)",
        },
        PropertySpec {
            name: "learns only chosen",
            kind: PropertyKind::Always,
            source: "Paxos Made Simple §2.1 (a process never learns that a value has been chosen unless it actually has been)",
        },
        PropertySpec {
            name: "linearizable",
            kind: PropertyKind::Always,
            source: "Herlihy & Wing 1990 §3, on the clients of Paxos Made Simple §2.3",
        },
        PropertySpec {
            name: "value chosen",
            kind: PropertyKind::Sometimes,
            source: "reachability; Paxos Made Simple §2.1",
        },
        PropertySpec {
            name: "two values reported",
            kind: PropertyKind::Sometimes,
            source: "reachability of Paxos Made Simple §2.2's phase 2(a) choice: promises reporting two accepted values (scenario highest-accepted)",
        },
        PropertySpec {
            name: "eventually chosen",
            kind: PropertyKind::Eventually,
            source: "Paxos Made Simple §2.1 (some proposed value is eventually chosen); not guaranteed, §2.4",
        },
        PropertySpec {
            name: "refines Voting",
            kind: PropertyKind::Refines,
            source: "Lamport's Paxos.tla, V == INSTANCE Voting and THEOREM Spec => V!Spec (tlaplus/Examples, specifications/Paxos and PaxosHowToWinATuringAward, the Turing-award lecture's spec): votes from the 2b messages sent, maxBal from the promises; Paxos Made Simple §2.2's phase 2(a) is what makes each acceptance a VoteFor",
        },
        PropertySpec {
            name: "refines Consensus",
            kind: PropertyKind::Refines,
            source: "Lamport's Voting.tla, C == INSTANCE Consensus and THEOREM Spec => C!Spec, through Paxos.tla's mapping: chosen is the set of values a majority accepted in one ballot (Paxos Made Simple §2.1-2.2)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "Paxos Made Simple §2 as published, with stable storage (§2.5); by default no value need ever be chosen: an acceptor of the proposer's fixed majority may crash and stay down, or a crashed proposer forget its client's request",
            expect: &[
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "ignore-highest-accepted",
            doc: "the proposer proposes its own value even when a promise reports an accepted proposal",
            expect: &[
                ("agreement", Verdict::Violated),
                ("linearizable", Verdict::Violated),
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
                ("refines Voting", Verdict::Violated),
                ("refines Consensus", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "pick-lowest-accepted",
            doc: "the proposer proposes the value of the lowest-numbered accepted proposal reported; the default (one ballot per proposer) never reports two, so it is caught in scenario lowest-accepted",
            expect: &[
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "forget-promise-on-crash",
            doc: "acceptors keep their promise in volatile memory; a crash forgets it and the acceptor accepts a proposal it promised to refuse",
            expect: &[
                ("agreement", Verdict::Violated),
                ("linearizable", Verdict::Violated),
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
                ("refines Voting", Verdict::Violated),
                ("refines Consensus", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "forget-acceptance-on-crash",
            doc: "acceptors keep their acceptance in volatile memory; a crash forgets it and a later phase 1 hears of no accepted value",
            expect: &[
                ("agreement", Verdict::Violated),
                ("linearizable", Verdict::Violated),
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
                ("refines Voting", Verdict::Violated),
                ("refines Consensus", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "duelling-proposers",
            doc: "two proposers that retry when refused, no crashes: they can pre-empt each other forever (§2.4), a lasso under the ballot view",
            variant: crate::registry::CORRECT,
            params: &[("retry", 1), ("crashes", 0)],
            fairness: None,
            // The in-flight bound cuts the space: safety is not shown here
            // (the default configuration shows it), only the livelock.
            expect: &[
                ("agreement", Verdict::Inconclusive),
                ("validity", Verdict::Inconclusive),
                ("learns only chosen", Verdict::Inconclusive),
                ("linearizable", Verdict::Inconclusive),
                ("eventually chosen", Verdict::Violated),
                // Not judged: unbounded ballots, under the ballot view.
                ("refines Voting", Verdict::Inconclusive),
                ("refines Consensus", Verdict::Inconclusive),
            ],
        },
        ScenarioSpec {
            name: "highest-accepted",
            doc: "why phase 2(a) takes the highest-numbered accepted proposal: two retrying proposers, no crashes, rounds up to 2 (a finite Ballot set, so the search is complete); a third ballot hears of two accepted values and takes the higher: agreement holds",
            variant: crate::registry::CORRECT,
            params: &[("retry", 1), ("crashes", 0), ("max_round", 2)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "lowest-accepted",
            doc: "highest-accepted with the proposer taking the lowest-numbered accepted proposal: a second value is chosen",
            variant: "pick-lowest-accepted",
            params: &[("retry", 1), ("crashes", 0), ("max_round", 2)],
            fairness: None,
            expect: &[
                ("agreement", Verdict::Violated),
                ("linearizable", Verdict::Violated),
                ("refines Voting", Verdict::Violated),
                ("refines Consensus", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "live-majority",
            doc: "progress with some live majority (§2.4): one proposer that stays up and asks every acceptor; either other acceptor may crash, recover, or stay down; a value is eventually chosen",
            variant: crate::registry::CORRECT,
            params: &[("ask_all", 1), ("clients", 1), ("crash_proposers", 0)],
            fairness: None,
            expect: &[("two values reported", Verdict::NoExample)],
        },
        ScenarioSpec {
            name: "fixed-majority",
            doc: "live-majority with a fixed majority asked: when an acceptor of it crashes and stays down, nothing is ever chosen though a majority is up",
            variant: crate::registry::CORRECT,
            params: &[("clients", 1), ("crash_proposers", 0)],
            fairness: None,
            expect: &[
                ("two values reported", Verdict::NoExample),
                ("eventually chosen", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: clients and proposers retransmit on a timer and the distinguished learner repeats Chosen, on a network that loses and duplicates messages; no crashes. Safety holds and, under strong fairness (a message sent again and again is delivered at last), a value is always chosen",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1), ("crashes", 0)],
            fairness: None,
            expect: &[("two values reported", Verdict::NoExample)],
        },
        ScenarioSpec {
            name: "one-proposer",
            doc: "a single proposer that retries, no crashes: a value is always chosen (§2.4's distinguished proposer)",
            variant: crate::registry::CORRECT,
            params: &[("retry", 1), ("crashes", 0), ("clients", 1)],
            fairness: None,
            expect: &[
                ("two values reported", Verdict::NoExample),
                // Not judged: unbounded ballots, under the ballot view.
                ("refines Voting", Verdict::Inconclusive),
                ("refines Consensus", Verdict::Inconclusive),
            ],
        },
    ],
    // A server that crashes and recovers forever is up infinitely often, but
    // never continuously: only strong fairness delivers its messages.
    fairness: checker::Fairness::Strong,
    check: crate::registry::check_config::<PaxosCfg>,
    explore: crate::registry::explore_config::<PaxosCfg>,
    replay: crate::registry::replay_config::<PaxosCfg>,
    compare: crate::registry::compare_config::<PaxosCfg>,
    run: Some(crate::runner::run_config::<PaxosCfg>),
};

/// `retransmit` keeps the space finite only without crashes (a
/// retransmitted Put to a restarted proposer starts yet another ballot,
/// as often as it crashes) and, with `retry`, with a finite set of rounds
/// (a retransmitted request refused again starts yet another ballot).
fn retransmit_fits(params: &Params) -> Result<(), String> {
    if params["retransmit"] == 0 {
        return Ok(());
    }
    if params["crashes"] != 0 {
        return Err(format!(
            "parameter crashes = {} is out of range with retransmit = 1; it takes 0",
            params["crashes"]
        ));
    }
    if params["retry"] == 1 && params["max_round"] == 0 {
        return Err(
            "parameter max_round = 0 is out of range with retransmit = 1 and retry = 1; it takes 1 to 4"
                .into(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::BugVariant;

    #[test]
    fn registry_lists_every_bug_and_property_in_order() {
        let names: Vec<&str> = Bug::ALL.iter().map(|b| b.name()).collect();
        let listed: Vec<&str> = PROTOCOL.variants.iter().map(|v| v.name).collect();
        assert_eq!(names, listed);
        for &bug in Bug::ALL {
            assert_eq!(crate::registry::bug::<Bug>(bug.name()), bug);
        }
        let defaults = PaxosCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, PaxosCfg::default());
        let model = defaults.into_model();
        let mut declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let refinements = <PaxosCfg as Config>::analyses(&model).refinements;
        declared.extend(refinements.iter().map(|r| r.name.as_str()));
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }

    /// The ballot mapping keeps the order of proposal numbers and fills
    /// Voting's `Ballot` exactly.
    #[test]
    fn voting_ballots_are_an_order_isomorphism() {
        let servers = 3;
        let mut ballots: Vec<Ballot> = (1..=2)
            .flat_map(|r| (0..servers).map(move |i| (r, Id::from(i))))
            .collect();
        ballots.sort();
        let images: Vec<i32> = ballots.iter().map(|b| voting_ballot(servers, *b)).collect();
        assert_eq!(images, (0..6).collect::<Vec<i32>>());
        let cfg = PaxosCfg {
            retry: true,
            max_round: 2,
            ..PaxosCfg::default()
        };
        assert_eq!(voting_spec(&cfg).map(|v| v.max_ballot), Some(5));
        assert_eq!(
            voting_spec(&PaxosCfg::default()).map(|v| v.max_ballot),
            Some(2)
        );
        let unbounded = PaxosCfg {
            retry: true,
            ..PaxosCfg::default()
        };
        assert!(voting_spec(&unbounded).is_none());
    }
}
