//! The ABD register of [Attiya, Bar-Noy & Dolev, "Sharing Memory Robustly in
//! Message-Passing Systems" (JACM 1995)](https://doi.org/10.1145/200836.200869),
//! in the multi-writer form of Lynch & Shvartsman (1997) and Cachin, Guerraoui &
//! Rodrigues (2011) §4.4, "Read-Impose Write-Consult-Majority". Servers keep a
//! value labelled `(seq, writer)`. A write asks a majority for the highest label
//! and stores `(seq + 1, self)` at a majority; a read asks a majority, writes the
//! highest `(label, value)` back to a majority, then returns it. `Query`/
//! `QueryReply`/`Update`/`UpdateAck` are Cachin et al.'s READ/VALUE/WRITE/ACK.
//!
//! Fault model: unordered network, no loss, each message delivered once; with
//! `crashes = f` up to `f` servers (a minority) may crash, crash-stop: a
//! crashed server stays down (a crash is never forced). With
//! `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses and duplicates messages, and each client queries every server and
//! re-sends on a timer its current phase to the servers that have not
//! answered (and a `Handoff` it sent): every operation still completes,
//! under strong fairness.
//! Workload: the first `writers` clients each write their own number, at
//! once and so concurrently (two writers then each read, once both writes
//! returned), or, with `concurrent_writes = 0`, in turn: client 2 writes,
//! then client 1 writes and reads; the other clients read once each, in
//! turn (a reader starts only after the previous one returned: a
//! `Handoff`) or, with `concurrent_reads = 1`, all at once.
//!
//! Checked: both consistency properties hold, a read sees a write, and
//! every operation completes while a majority is up. `no-read-write-back`
//! breaks "linearizable" with a new-old inversion: the write of 1 has
//! reached one server; client 2's majority includes it and reads 1, then
//! client 3, starting after client 2 returned, asks a majority without it
//! and reads 0. "sequentially consistent" still holds (client 3's read may
//! go before the write); it would not if one client read twice, hence three
//! clients. Scenario `two-writers` exercises the writer's query phase and
//! the tie-break on writer ids, with two concurrent reads after the writes;
//! in it (scenario `tie-break`) `timestamp-without-writer-id` gives both
//! writes the label `(1, _)` and the reads disagree. Scenario
//! `writes-in-turn` has a write start after another returned, from a writer
//! with a lower id: only the query phase lifts its label above the first
//! write's, and `writer-skips-query` (labels from the writer's own count,
//! as a single writer may) loses the later write (scenario
//! `no-writer-query`). `store-older-update` (a server stores an Update that
//! is not newer) lets a late write-back undo a returned write. Scenario
//! `server-crash` lets a server crash for good: every operation still
//! completes. The checker explores a view that forgets dead messages and
//! which server is which (see `view`).

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::{HistoryEdge, OpEdge, Runnable};
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Envelope, Id, LossyNetwork, Network, Out};
use stateright::semantics::register::{Register, RegisterOp, RegisterRet};
use stateright::semantics::{
    ConsistencyTester, LinearizabilityTester, SequentialConsistencyTester,
};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A register value; every server starts with [`INITIAL_VALUE`].
pub type Value = u8;
/// The register's value before any write.
pub const INITIAL_VALUE: Value = 0;
/// The value client 1 writes (client `c` writes `c`).
pub const WRITTEN: Value = 1;
/// A write's sequence number.
pub type Seq = u32;
/// Client `c` is writer `c` (1-based); writer 0 labels the initial value.
pub type Writer = usize;
/// The label of a stored value, ordered lexicographically: two writers that
/// read the same highest `seq` still pick distinct labels (Lynch &
/// Shvartsman 1997).
pub type Timestamp = (Seq, Writer);
/// The timestamp every server starts with.
pub const INITIAL_TS: Timestamp = (0, 0);
/// A server, by number: server 1 is the first (its lane is "server 1").
pub type Server = usize;
/// A majority of the servers, in ascending order.
pub type Quorum = Vec<Server>;
/// An operation's position in its client's workload. Every protocol message
/// of the operation carries it, so that a late acknowledgement of an earlier
/// operation is told apart from one of the current operation.
pub type OpIndex = usize;

/// What a caller asks of the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Op {
    /// Returns the register's value.
    Read,
    /// Sets the register's value.
    Write(Value),
}

/// What an operation returns to its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Response {
    /// The write took effect.
    WriteOk,
    /// The value read.
    ReadOk(Value),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbdMsg {
    /// Phase 1 of every operation: "send me your timestamp and value" (READ).
    Query { op: OpIndex },
    /// A server's answer to a `Query` (VALUE).
    QueryReply {
        op: OpIndex,
        ts: Timestamp,
        value: Value,
    },
    /// Phase 2, to every server: "keep `value` if `ts` is newer than yours"
    /// (WRITE). A write's new value, or a read's write-back.
    Update {
        op: OpIndex,
        ts: Timestamp,
        value: Value,
    },
    /// The server now holds `ts` or newer (ACK).
    UpdateAck { op: OpIndex },

    // The workload's messages, not the protocol's.
    /// The caller invokes an operation. Sent by the client to itself and never
    /// acted upon: Stateright records histories from messages, and this one
    /// marks the invocation.
    Invoke(Op),
    /// The operation's response to its caller, likewise sent to itself.
    Return(Response),
    /// A client whose operation returned tells another client to start its
    /// next one, as a phone call would: the two operations are then ordered
    /// in real time, not in any client's program. Readers in turn pass it
    /// on; each of two writers tells the other that its write returned.
    Handoff,
}

/// Where a client is in its current operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Phase {
    /// The next operation waits for a `Handoff`.
    Waiting,
    /// Phase 1: the servers that answered the `Query`, and the highest
    /// `(timestamp, value)` among their answers.
    Query {
        replied: BTreeSet<Server>,
        highest: (Timestamp, Value),
    },
    /// Phase 2: `(ts, value)` is being stored; the servers that acknowledged.
    Update {
        ts: Timestamp,
        value: Value,
        acked: BTreeSet<Server>,
    },
    /// The workload is done.
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AbdState {
    /// A replica of the register.
    Server { ts: Timestamp, value: Value },
    Client {
        /// The current operation (the workload's length once done).
        op: OpIndex,
        phase: Phase,
        /// What the finished operations returned, in order.
        returned: Vec<Response>,
    },
}

/// Known bugs, each one rule of the protocol weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The protocol as published.
    #[default]
    None,
    /// A read returns the highest value of its query phase without writing
    /// it back to a majority. Must violate "linearizable" (a new-old
    /// inversion) while "sequentially consistent" holds.
    NoReadWriteBack,
    /// A writer labels its value with the sequence number alone, leaving out
    /// its id (the single-writer label of Attiya, Bar-Noy & Dolev 1995): two
    /// writers that read the same highest `seq` pick the same label for two
    /// different values. A server keeps the first of them to arrive (the
    /// second is not newer), so the replicas disagree under one label, and a
    /// read's write-back cannot repair them. Must violate "linearizable"
    /// (two reads after both writes return different values) in scenario
    /// `two-writers`.
    TimestampWithoutWriterId,
    /// A writer skips the query phase and labels its value from its own
    /// count of writes, `(writes so far + 1, self)`, as the single writer of
    /// Attiya, Bar-Noy & Dolev 1995 may: a write that starts after another
    /// writer's returned can pick a lower label, and servers keep the older
    /// value. Must violate "linearizable" (a read after both writes returns
    /// the first) in scenario `writes-in-turn`.
    WriterSkipsQuery,
    /// A server stores every Update, even one whose label is not newer than
    /// its own: a read's late write-back of an old value overwrites a newer
    /// one. Must violate "linearizable".
    StoreOlderUpdate,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::NoReadWriteBack,
        Bug::TimestampWithoutWriterId,
        Bug::WriterSkipsQuery,
        Bug::StoreOlderUpdate,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoReadWriteBack => "no-read-write-back",
            Bug::TimestampWithoutWriterId => "timestamp-without-writer-id",
            Bug::WriterSkipsQuery => "writer-skips-query",
            Bug::StoreOlderUpdate => "store-older-update",
        }
    }
}

#[derive(Clone, Debug)]
pub enum AbdActor {
    Server {
        /// 1-based, for the lane name.
        number: Server,
        bug: Bug,
    },
    Client {
        /// 1-based: the lane name and the writer id in timestamps.
        writer: Writer,
        /// Server `n`'s id is `servers[n - 1]`.
        servers: Vec<Id>,
        workload: Vec<Op>,
        /// The operation that starts only after a `Handoff`, if any.
        waits_before: Option<OpIndex>,
        /// Once operation `.0` returned, a `Handoff` goes to client `.1`.
        hands_off: Option<(OpIndex, Id)>,
        /// Query every server and proceed with the first majority to answer
        /// (with crashes, or retransmitting), rather than a majority the
        /// checker picks.
        query_all: bool,
        /// Re-send the current phase's messages on a timer to the servers
        /// that have not answered, and a `Handoff` once sent (see
        /// [`AbdCfg::retransmit`]).
        retransmit: bool,
        bug: Bug,
    },
}

/// The client's one timer, set only with [`AbdCfg::retransmit`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AbdTimer {
    /// Re-send what may have been lost (see `on_timeout`).
    Retransmit,
}

/// How long a client waits before retransmitting, on a real network. The
/// checker fires the timer at any time.
const RETRANSMIT: std::ops::Range<std::time::Duration> =
    std::time::Duration::from_millis(20)..std::time::Duration::from_millis(40);

/// `(op, phase, returned)` of a client's state.
type ClientFields<'a> = (&'a mut OpIndex, &'a mut Phase, &'a mut Vec<Response>);

fn client_fields(state: &mut AbdState) -> Option<ClientFields<'_>> {
    match state {
        AbdState::Client {
            op,
            phase,
            returned,
        } => Some((op, phase, returned)),
        AbdState::Server { .. } => None,
    }
}

/// How many servers make a majority of `servers`.
fn majority(servers: usize) -> usize {
    servers / 2 + 1
}

/// The number of the server whose id is `id`.
fn server_number(servers: &[Id], id: Id) -> Option<Server> {
    servers.iter().position(|s| *s == id).map(|i| i + 1)
}

/// Every majority of servers `1..=servers`, in lexicographic order.
fn majorities(servers: usize) -> Vec<Quorum> {
    let size = majority(servers);
    let mut all: Vec<Quorum> = vec![Vec::new()];
    for s in 1..=servers {
        let with: Vec<Quorum> = all
            .iter()
            .filter(|q| q.len() < size)
            .map(|q| q.iter().copied().chain([s]).collect())
            .collect();
        all.extend(with);
    }
    all.retain(|q| q.len() == size);
    all.sort();
    all
}

impl AbdActor {
    /// Arms the retransmission timer, if this client retransmits.
    fn arm(&self, o: &mut Out<Self>) {
        if let AbdActor::Client {
            retransmit: true, ..
        } = self
        {
            o.set_timer(AbdTimer::Retransmit, RETRANSMIT);
        }
    }

    /// Starts operation `op`: waits for a `Handoff` if it must, else invokes
    /// it (`Done` when the workload has no such operation).
    fn start(&self, id: Id, op: OpIndex, o: &mut Out<Self>) -> Phase {
        match self {
            AbdActor::Client {
                waits_before: Some(k),
                workload,
                ..
            } if *k == op && op < workload.len() => Phase::Waiting,
            _ => self.invoke(id, op, o),
        }
    }

    /// Invokes operation `op`, if the workload has one, and lets the checker
    /// pick the majority it queries (see `on_random`).
    fn invoke(&self, id: Id, op: OpIndex, o: &mut Out<Self>) -> Phase {
        let AbdActor::Client {
            servers,
            workload,
            writer,
            bug,
            ..
        } = self
        else {
            return Phase::Done;
        };
        let Some(call) = workload.get(op) else {
            return Phase::Done;
        };
        o.send(id, AbdMsg::Invoke(*call));
        // The bug: a write goes straight to phase 2, labelled from the
        // writer's own count of writes.
        if let (Op::Write(value), Bug::WriterSkipsQuery) = (*call, *bug) {
            let writes = workload[..op]
                .iter()
                .filter(|c| matches!(c, Op::Write(_)))
                .count();
            let ts = (writes as Seq + 1, *writer);
            o.broadcast(servers, &AbdMsg::Update { op, ts, value });
            self.arm(o);
            return Phase::Update {
                ts,
                value,
                acked: BTreeSet::new(),
            };
        }
        match self {
            AbdActor::Client {
                query_all: true, ..
            } => o.broadcast(servers, &AbdMsg::Query { op }),
            _ => o.choose_random("quorum", majorities(servers.len())),
        }
        self.arm(o);
        Phase::Query {
            replied: BTreeSet::new(),
            highest: (INITIAL_TS, INITIAL_VALUE),
        }
    }

    /// Returns `ret` to the caller, hands off if another client waits for
    /// this operation, then starts the next operation.
    fn respond(
        &self,
        id: Id,
        (op, phase, returned): ClientFields<'_>,
        ret: Response,
        o: &mut Out<Self>,
    ) {
        // The Return goes out first, so that the history sees this operation
        // return before anything it causes is invoked.
        o.send(id, AbdMsg::Return(ret));
        returned.push(ret);
        if let AbdActor::Client {
            hands_off: Some((after, next)),
            ..
        } = self
        {
            if *after == *op {
                o.send(*next, AbdMsg::Handoff);
                self.arm(o);
            }
        }
        *op += 1;
        *phase = self.start(id, *op, o);
    }
}

impl Actor for AbdActor {
    type Msg = AbdMsg;
    type Timer = AbdTimer;
    type State = AbdState;
    /// A server's label and value, kept across a crash.
    type Storage = (Timestamp, Value);
    type Random = Quorum;

    fn name(&self) -> String {
        match self {
            AbdActor::Server { number, .. } => format!("server {number}"),
            AbdActor::Client { writer, .. } => format!("client {writer}"),
        }
    }

    fn on_start(
        &self,
        id: Id,
        storage: &Option<(Timestamp, Value)>,
        o: &mut Out<Self>,
    ) -> AbdState {
        match self {
            // A (re)starting server restores what it stored.
            AbdActor::Server { .. } => {
                let (ts, value) = storage.unwrap_or((INITIAL_TS, INITIAL_VALUE));
                AbdState::Server { ts, value }
            }
            AbdActor::Client { .. } => AbdState::Client {
                op: 0,
                phase: self.start(id, 0, o),
                returned: Vec::new(),
            },
        }
    }

    fn on_msg(&self, id: Id, state: &mut Cow<AbdState>, src: Id, msg: AbdMsg, o: &mut Out<Self>) {
        match (self, state.as_ref(), msg) {
            // Server: answer a Query with the stored label and value.
            (AbdActor::Server { .. }, AbdState::Server { ts, value }, AbdMsg::Query { op }) => {
                o.send(
                    src,
                    AbdMsg::QueryReply {
                        op,
                        ts: *ts,
                        value: *value,
                    },
                );
            }
            // Server: an Update with a newer label replaces the stored value.
            // The bug: any Update does.
            (
                AbdActor::Server { bug, .. },
                AbdState::Server { ts: stored, .. },
                AbdMsg::Update { op, ts, value },
            ) if ts > *stored || *bug == Bug::StoreOlderUpdate => {
                *state.to_mut() = AbdState::Server { ts, value };
                o.save((ts, value));
                o.send(src, AbdMsg::UpdateAck { op });
            }
            // Server: an Update with an older (or the same) label is
            // acknowledged all the same: the server already holds newer.
            (AbdActor::Server { .. }, AbdState::Server { .. }, AbdMsg::Update { op, .. }) => {
                o.send(src, AbdMsg::UpdateAck { op });
            }

            // Client: the operation it waited for returned; invoke the next.
            (
                AbdActor::Client { .. },
                AbdState::Client {
                    op,
                    phase: Phase::Waiting,
                    ..
                },
                AbdMsg::Handoff,
            ) => {
                let phase = self.invoke(id, *op, o);
                if let Some((_, p, _)) = client_fields(state.to_mut()) {
                    *p = phase;
                }
            }
            // Client, phase 1: a reply to the current Query from a server not
            // yet heard from. The phase ends once the majority asked answered.
            (
                AbdActor::Client {
                    writer,
                    servers,
                    workload,
                    bug,
                    ..
                },
                AbdState::Client {
                    op: current,
                    phase: Phase::Query { replied, .. },
                    ..
                },
                AbdMsg::QueryReply { op, ts, value },
            ) if op == *current
                && server_number(servers, src).is_some_and(|n| !replied.contains(&n)) =>
            {
                let Some(from) = server_number(servers, src) else {
                    return;
                };
                let Some(fields) = client_fields(state.to_mut()) else {
                    return;
                };
                let Phase::Query { replied, highest } = &mut *fields.1 else {
                    return;
                };
                replied.insert(from);
                *highest = (*highest).max((ts, value));
                if replied.len() < majority(servers.len()) {
                    return;
                }
                let ((seq, _), highest_value) = *highest;
                match (workload[op], bug) {
                    // Write: a label above every label the majority holds,
                    // ties between writers broken by the writer's id
                    // (Lynch & Shvartsman 1997). The bug leaves the id out.
                    (Op::Write(value), _) => {
                        let ts = match bug {
                            Bug::TimestampWithoutWriterId => (seq + 1, 0),
                            _ => (seq + 1, *writer),
                        };
                        *fields.1 = Phase::Update {
                            ts,
                            value,
                            acked: BTreeSet::new(),
                        };
                        o.broadcast(servers, &AbdMsg::Update { op, ts, value });
                    }
                    // The bug: return what the query phase found.
                    (Op::Read, Bug::NoReadWriteBack) => {
                        self.respond(id, fields, Response::ReadOk(highest_value), o);
                    }
                    // Read: write the highest value back to a majority before
                    // returning it, so that no later read returns an older one.
                    (Op::Read, _) => {
                        let (ts, value) = *highest;
                        *fields.1 = Phase::Update {
                            ts,
                            value,
                            acked: BTreeSet::new(),
                        };
                        o.broadcast(servers, &AbdMsg::Update { op, ts, value });
                    }
                }
            }
            // Client, phase 2: an acknowledgement of the current Update from
            // a server not yet heard from. The operation returns at a majority.
            (
                AbdActor::Client {
                    servers, workload, ..
                },
                AbdState::Client {
                    op: current,
                    phase: Phase::Update { acked, .. },
                    ..
                },
                AbdMsg::UpdateAck { op },
            ) if op == *current
                && server_number(servers, src).is_some_and(|n| !acked.contains(&n)) =>
            {
                let Some(from) = server_number(servers, src) else {
                    return;
                };
                let Some(fields) = client_fields(state.to_mut()) else {
                    return;
                };
                let Phase::Update { value, acked, .. } = &mut *fields.1 else {
                    return;
                };
                acked.insert(from);
                if acked.len() < majority(servers.len()) {
                    return;
                }
                let ret = match workload[op] {
                    Op::Write(_) => Response::WriteOk,
                    Op::Read => Response::ReadOk(*value),
                };
                self.respond(id, fields, ret, o);
            }
            // Everything else is a late acknowledgement (its Update already
            // has a majority), or an Invoke or Return, which only the history
            // reads.
            _ => {}
        }
    }

    /// The checker picks the majority a Query goes to. Querying every server
    /// and using the first majority to answer reaches the same histories,
    /// plus replies nobody reads, each a new state (an Update, by contrast,
    /// goes to every server: a late one still changes its server).
    fn on_random(&self, _id: Id, state: &mut Cow<AbdState>, quorum: &Quorum, o: &mut Out<Self>) {
        if let (
            AbdActor::Client { servers, .. },
            AbdState::Client {
                op,
                phase: Phase::Query { .. },
                ..
            },
        ) = (self, state.as_ref())
        {
            let asked: Vec<Id> = quorum.iter().map(|n| servers[n - 1]).collect();
            o.broadcast(&asked, &AbdMsg::Query { op: *op });
        }
    }

    /// Retransmission, with [`AbdCfg::retransmit`]. ABD's channels are
    /// reliable (Attiya, Bar-Noy & Dolev 1995 §2: every message sent is
    /// eventually delivered); Cachin, Guerraoui & Rodrigues 2011 build
    /// such links over fair-loss ones by sending again and again (§2.4.3,
    /// "retransmit forever", the stubborn links under §4.4's algorithms).
    /// So does this client: each phase's message again to every server
    /// that has not answered it, and a `Handoff` it sent, again (it cannot
    /// tell whether it arrived). Servers answer a repeated `Query` or
    /// `Update` as the first (an `Update` that is not newer is only
    /// acknowledged), and a client counts each server once per phase, so
    /// a duplicate changes nothing.
    fn on_timeout(&self, _id: Id, state: &mut Cow<AbdState>, _: &AbdTimer, o: &mut Out<Self>) {
        let (
            AbdActor::Client {
                servers, hands_off, ..
            },
            AbdState::Client { op, phase, .. },
        ) = (self, state.as_ref())
        else {
            return;
        };
        let not_heard = |heard: &BTreeSet<Server>| -> Vec<Id> {
            (1..=servers.len())
                .filter(|n| !heard.contains(n))
                .map(|n| servers[n - 1])
                .collect()
        };
        match phase {
            Phase::Query { replied, .. } => {
                o.broadcast(&not_heard(replied), &AbdMsg::Query { op: *op });
            }
            Phase::Update { ts, value, acked } => {
                let update = AbdMsg::Update {
                    op: *op,
                    ts: *ts,
                    value: *value,
                };
                o.broadcast(&not_heard(acked), &update);
            }
            Phase::Waiting | Phase::Done => {}
        }
        if let Some((after, next)) = hands_off {
            if op > after {
                o.send(*next, AbdMsg::Handoff);
            }
        }
        if !o.is_empty() {
            self.arm(o);
        }
    }
}

// The history.

/// The register the clients share, as a sequential object.
type Spec = Register<Value>;

/// Each operation's invocation and response, seen by both testers. A
/// client's actor id is its thread id.
#[derive(Clone, Debug, Hash, PartialEq)]
pub struct Testers {
    pub linearizable: LinearizabilityTester<Id, Spec>,
    pub sequential: SequentialConsistencyTester<Id, Spec>,
}

impl Default for Testers {
    fn default() -> Self {
        Testers {
            linearizable: LinearizabilityTester::new(Register(INITIAL_VALUE)),
            sequential: SequentialConsistencyTester::new(Register(INITIAL_VALUE)),
        }
    }
}

/// The model's history. Every step clones the whole model state, and only
/// an `Invoke` or a `Return` changes the history: sharing it makes the other
/// steps' clones cheap.
pub type AbdHistory = Arc<Testers>;

/// Records each `Invoke` and `Return` as it leaves its client. A tester that
/// sees an impossible history (two operations in flight on one client) marks
/// it invalid, which fails its property: the `Result`s need no other check.
fn record_msg_out(_: &AbdCfg, history: &AbdHistory, env: Envelope<&AbdMsg>) -> Option<AbdHistory> {
    let client = env.src;
    let mut testers = match env.msg {
        AbdMsg::Invoke(_) | AbdMsg::Return(_) => Testers::clone(history),
        _ => return None,
    };
    match *env.msg {
        AbdMsg::Invoke(call) => {
            let op = match call {
                Op::Read => RegisterOp::Read,
                Op::Write(v) => RegisterOp::Write(v),
            };
            let _ = testers.linearizable.on_invoke(client, op.clone());
            let _ = testers.sequential.on_invoke(client, op);
        }
        AbdMsg::Return(ret) => {
            let ret = match ret {
                Response::WriteOk => RegisterRet::WriteOk,
                Response::ReadOk(v) => RegisterRet::ReadOk(v),
            };
            let _ = testers.linearizable.on_return(client, ret.clone());
            let _ = testers.sequential.on_return(client, ret);
        }
        _ => {}
    }
    Some(Arc::new(testers))
}

// Properties.

type State = stateright::actor::ActorModelState<AbdActor, AbdHistory>;

/// Linearizability (Herlihy & Wing, "Linearizability: A Correctness
/// Condition for Concurrent Objects", TOPLAS 1990, §2): the history has a
/// sequential order, legal for a register, that keeps every operation that
/// returned before another was invoked ahead of it. ABD 1995 emulates an
/// atomic register, which is the same condition for registers.
fn linearizable(_: &AbdModel, state: &State) -> bool {
    state.history.linearizable.is_consistent()
}

/// Sequential consistency (Lamport, "How to Make a Multiprocessor Computer
/// That Correctly Executes Multiprocess Programs", IEEE Trans. Computers
/// 1979, p. 690): "the result of any execution is the same as if the
/// operations of all the processors were executed in some sequential order,
/// and the operations of each individual processor appear in this sequence
/// in the order specified by its program". Unlike linearizability, it ignores
/// real-time order across clients.
fn sequentially_consistent(_: &AbdModel, state: &State) -> bool {
    state.history.sequential.is_consistent()
}

/// Reachability: some read returns a written value.
fn read_observes_write(_: &AbdModel, state: &State) -> bool {
    state.actor_states.iter().any(|s| match &**s {
        AbdState::Client { returned, .. } => returned
            .iter()
            .any(|r| matches!(r, Response::ReadOk(v) if *v != INITIAL_VALUE)),
        AbdState::Server { .. } => false,
    })
}

/// Termination: "every operation invoked by a correct process eventually
/// completes", provided a majority of the servers is up (Attiya, Bar-Noy &
/// Dolev 1995, §1, tolerating fewer than half crashed; Cachin et al. 2011
/// §4.4's termination under a majority of correct processes).
fn every_operation_completes(_: &AbdModel, state: &State) -> bool {
    state.actor_states.iter().all(|s| match &**s {
        AbdState::Client { phase, .. } => *phase == Phase::Done,
        AbdState::Server { .. } => true,
    })
}

// The view.

/// What the checker stores of a state (TLC's `VIEW`): the state without
/// its dead messages, those whose delivery is a no-op now and forever.
/// Stateright offers no step for a no-op delivery, so a dead message stays
/// in flight for good, and two runs that differ only in, say, which server's
/// acknowledgement came too late would otherwise stay two states. Dead are:
///
/// 1. the workload's `Invoke` and `Return`, which a client sends to itself
///    only for the history to record;
/// 2. a `QueryReply` or `UpdateAck` its client no longer counts: for an
///    earlier operation, for a phase it has left, or from a server it has
///    already counted. A client's operation index only grows, each
///    operation goes through Query then Update once, and a phase's tally
///    only grows, so such a reply is dead for good;
/// 3. anything sent to a crashed server: crashes are crash-stop here
///    (`Config::analyses` excludes recovery), so it is never delivered.
///
/// It also renumbers the servers (symmetry reduction): every server runs
/// the same rules, a client treats them alike (it asks any majority, or all,
/// and counts each once), servers talk only to clients, and no property
/// reads a server's number, so permuting the servers maps runs to runs.
/// The view sorts the servers by everything the state says about each, so
/// the states of one orbit share one view.
///
/// No property reads the network or a server's number, and a dead message
/// enables no step, so a state and its view have the same properties and,
/// step for step, successors with the same views (a bisimulation;
/// tests/it/analyses.rs checks this on random walks of the model without
/// the view). The model has no cycles (every step consumes a message, makes
/// a choice or crashes a server; tests/it/rules.rs checks that the graph of
/// views is acyclic), so liveness is judged on runs that stop, which the
/// view keeps: no lasso, whose fairness classes the renumbering would
/// confuse, is ever reported. Counterexamples are replayed on the real states.
///
/// With `retransmit` the network duplicates: a message stays in flight
/// until it is lost, and a delivered `Query` or `Update` would be answered
/// again and again. Dead then are also a `Query` whose reply is dead, and
/// an `Update` that its server would not store (it holds that label or a
/// newer one) and whose acknowledgement is dead: its delivery only sends
/// a dead reply, now and forever (a server's label only grows). There are
/// cycles then (a message lost, sent again), and liveness is judged on
/// lassos, whose fairness classes name actors: the servers are not
/// renumbered.
fn view(clients: usize, retransmit: bool, bug: Bug, state: &State) -> State {
    // Whether client `c` still counts a reply of operation `op` from server
    // `n` in the phase `update` says.
    let counts = |c: Id, op: OpIndex, n: Server, update: bool| match state
        .actor_states
        .get(usize::from(c))
        .map(|a| &**a)
    {
        Some(AbdState::Client {
            op: current,
            phase: Phase::Query { replied, .. },
            ..
        }) => !update && op == *current && !replied.contains(&n),
        Some(AbdState::Client {
            op: current,
            phase: Phase::Update { acked, .. },
            ..
        }) => update && op == *current && !acked.contains(&n),
        _ => false,
    };
    let live = |env: &Envelope<&AbdMsg>| {
        let dst = usize::from(env.dst);
        if state.crashed.get(dst).copied().unwrap_or(false) {
            return false;
        }
        if retransmit {
            let number = dst.checked_sub(clients).map(|i| i + 1);
            match (env.msg, number, state.actor_states.get(dst).map(|a| &**a)) {
                (AbdMsg::Query { op }, Some(n), _) => return counts(env.src, *op, n, false),
                (
                    AbdMsg::Update { op, ts, value },
                    Some(n),
                    Some(AbdState::Server {
                        ts: stored,
                        value: held,
                    }),
                ) => {
                    let stores = ts > stored
                        || (bug == Bug::StoreOlderUpdate && (ts, value) != (stored, held));
                    return stores || counts(env.src, *op, n, true);
                }
                _ => {}
            }
        }
        let counted = |tally: &BTreeSet<Server>| {
            let from = usize::from(env.src).checked_sub(clients).map(|i| i + 1);
            from.is_none_or(|n| tally.contains(&n))
        };
        match (env.msg, state.actor_states.get(dst).map(|a| &**a)) {
            (AbdMsg::Invoke(_) | AbdMsg::Return(_), _) => false,
            (
                AbdMsg::QueryReply { op, .. },
                Some(AbdState::Client {
                    op: current, phase, ..
                }),
            ) => {
                matches!(phase, Phase::Query { replied, .. } if op == current && !counted(replied))
            }
            (
                AbdMsg::UpdateAck { op },
                Some(AbdState::Client {
                    op: current, phase, ..
                }),
            ) => matches!(phase, Phase::Update { acked, .. } if op == current && !counted(acked)),
            _ => true,
        }
    };
    let envelopes: Vec<Envelope<AbdMsg>> = state
        .network
        .iter_all()
        .filter(live)
        .map(|e| e.to_cloned_msg())
        .collect();
    if retransmit {
        let mut next = state.clone();
        next.network = Network::new_unordered_duplicating(envelopes);
        return next;
    }

    // 4. Which server is which. A server's profile is everything the state
    // says about it: its label and value, what it stored, whether it is
    // down, the messages it sends and receives (all to and from clients),
    // and whether each client has counted it. Sorting the servers by
    // profile picks one state of each orbit: servers with equal profiles
    // are interchangeable, so ties may fall either way.
    let servers = state.actor_states.len() - clients;
    let server_index = |id: Id| usize::from(id).checked_sub(clients);
    let profile = |s: usize| {
        let id = Id::from(clients + s);
        let mut msgs: Vec<(bool, usize, &AbdMsg)> = envelopes
            .iter()
            .filter_map(|e| match (e.src == id, e.dst == id) {
                (true, _) => Some((true, usize::from(e.dst), &e.msg)),
                (_, true) => Some((false, usize::from(e.src), &e.msg)),
                _ => None,
            })
            .collect();
        msgs.sort();
        let counted: Vec<(bool, bool)> = state.actor_states[..clients]
            .iter()
            .map(|c| match &**c {
                AbdState::Client {
                    phase: Phase::Query { replied, .. },
                    ..
                } => (replied.contains(&(s + 1)), false),
                AbdState::Client {
                    phase: Phase::Update { acked, .. },
                    ..
                } => (false, acked.contains(&(s + 1))),
                _ => (false, false),
            })
            .collect();
        let label = match &*state.actor_states[clients + s] {
            AbdState::Server { ts, value } => Some((*ts, *value)),
            AbdState::Client { .. } => None,
        };
        (
            label,
            state.actor_storages[clients + s],
            state.crashed[clients + s],
            msgs,
            counted,
        )
    };
    let profiles: Vec<_> = (0..servers).map(profile).collect();
    let mut order: Vec<usize> = (0..servers).collect();
    order.sort_by(|a, b| profiles[*a].cmp(&profiles[*b]));
    let mut moved_to = vec![0; servers];
    for (to, from) in order.iter().enumerate() {
        moved_to[*from] = to;
    }
    let renumber = |id: Id| match server_index(id) {
        Some(s) => Id::from(clients + moved_to[s]),
        None => id,
    };
    let renumber_set = |set: &BTreeSet<Server>| -> BTreeSet<Server> {
        set.iter().map(|n| moved_to[n - 1] + 1).collect()
    };

    let mut next = state.clone();
    for c in 0..clients {
        let renumbered = match &*state.actor_states[c] {
            AbdState::Client {
                op,
                phase: Phase::Query { replied, highest },
                returned,
            } => AbdState::Client {
                op: *op,
                phase: Phase::Query {
                    replied: renumber_set(replied),
                    highest: *highest,
                },
                returned: returned.clone(),
            },
            AbdState::Client {
                op,
                phase: Phase::Update { ts, value, acked },
                returned,
            } => AbdState::Client {
                op: *op,
                phase: Phase::Update {
                    ts: *ts,
                    value: *value,
                    acked: renumber_set(acked),
                },
                returned: returned.clone(),
            },
            _ => continue,
        };
        next.actor_states[c] = Arc::new(renumbered);
    }
    for (to, from) in order.iter().enumerate() {
        next.actor_states[clients + to] = state.actor_states[clients + from].clone();
        next.actor_storages[clients + to] = state.actor_storages[clients + from];
        next.crashed[clients + to] = state.crashed[clients + from];
    }
    next.network = Network::new_unordered_nonduplicating(
        envelopes
            .into_iter()
            .map(|e| Envelope {
                src: renumber(e.src),
                dst: renumber(e.dst),
                msg: e.msg,
            })
            .collect::<Vec<_>>(),
    );
    next
}

// Configuration.

pub type AbdModel = ActorModel<AbdActor, AbdCfg, AbdHistory>;

#[derive(Clone, Debug, Serialize)]
pub struct AbdCfg {
    /// The first `writers` clients write; every other client reads once.
    pub clients: usize,
    pub writers: usize,
    /// Two writers write at once; else client 2 writes, then client 1.
    pub concurrent_writes: bool,
    /// Readers start at once, instead of in turn.
    pub concurrent_reads: bool,
    pub servers: usize,
    /// Servers down at once, at most (a minority).
    pub crashes: usize,
    /// Clients retransmit on a timer ([`AbdTimer`]) and query every
    /// server, and the network loses and duplicates messages: scenario
    /// `lossy`, and every real run (`dsw run abd-register` sets it),
    /// whatever the parameter. Off by default: the other checks need no
    /// timer, and a retransmission on a non-duplicating network would only
    /// pile up copies.
    pub retransmit: bool,
    pub bug: Bug,
}

impl Default for AbdCfg {
    fn default() -> Self {
        AbdCfg {
            clients: 3,
            writers: 1,
            concurrent_writes: true,
            concurrent_reads: false,
            servers: 3,
            crashes: 0,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for AbdCfg {
    type Model = AbdModel;

    fn new(variant: &str, params: &Params) -> Self {
        AbdCfg {
            clients: params["clients"] as usize,
            writers: (params["writers"] as usize).min(params["clients"] as usize),
            concurrent_writes: params["concurrent_writes"] == 1,
            concurrent_reads: params["concurrent_reads"] == 1,
            servers: params["servers"] as usize,
            // A majority must stay up: the fault model ABD assumes.
            crashes: (params["crashes"] as usize).min((params["servers"] as usize - 1) / 2),
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> AbdModel {
        crate::runner::indexed(self)
    }

    /// Only servers crash (see the boundary in `model_on`), and they stay
    /// down.
    fn analyses(model: &AbdModel) -> checker::Analyses<AbdModel> {
        let (clients, retransmit, bug) = (model.cfg.clients, model.cfg.retransmit, model.cfg.bug);
        checker::Analyses {
            // Crash-stop, as ABD assumes: a crashed server stays down.
            excluded: Some(Box::new(move |a| {
                use stateright::actor::ActorModelAction as Act;
                matches!(a, Act::Crash(id) if usize::from(*id) < clients)
                    || matches!(a, Act::Recover(_))
            })),
            view: Some(Box::new(move |s: &State| view(clients, retransmit, bug, s))),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for AbdCfg {
    type Actor = AbdActor;
    type History = AbdHistory;

    fn actor_count(&self) -> usize {
        self.clients + self.servers
    }

    /// A client's `Invoke` and `Return`, which it sends itself.
    fn client_op(msg: &AbdMsg) -> Option<OpEdge> {
        match msg {
            AbdMsg::Invoke(_) => Some(OpEdge::Invoke),
            AbdMsg::Return(_) => Some(OpEdge::Return),
            _ => None,
        }
    }

    const CLIENT_HISTORY: Option<history::ModelKind> = Some(history::ModelKind::Register);

    /// The register's reads and writes; a read of [`INITIAL_VALUE`] reads
    /// the history checker's empty register (no client writes it).
    fn history_edge(msg: &AbdMsg) -> Option<HistoryEdge> {
        Some(match msg {
            AbdMsg::Invoke(Op::Write(v)) => HistoryEdge::Invoke {
                f: "write",
                key: None,
                value: serde_json::Value::from(*v),
            },
            AbdMsg::Invoke(Op::Read) => HistoryEdge::Invoke {
                f: "read",
                key: None,
                value: serde_json::Value::Null,
            },
            AbdMsg::Return(Response::WriteOk) => HistoryEdge::Ok(None),
            AbdMsg::Return(Response::ReadOk(v)) => HistoryEdge::Ok(Some(if *v == INITIAL_VALUE {
                serde_json::Value::Null
            } else {
                serde_json::Value::from(*v)
            })),
            _ => return None,
        })
    }

    fn done(states: &[Option<AbdState>]) -> bool {
        states.iter().flatten().all(|s| match s {
            AbdState::Client { phase, .. } => *phase == Phase::Done,
            AbdState::Server { .. } => true,
        })
    }

    fn observations(states: &[AbdState], _: &AbdHistory) -> Vec<String> {
        states
            .iter()
            .filter_map(|s| match s {
                AbdState::Client { returned, .. } => Some(returned),
                AbdState::Server { .. } => None,
            })
            .enumerate()
            .map(|(c, returned)| format!("client {}: {returned:?}", c + 1))
            .collect()
    }

    /// Clients first, then servers, known by `ids`: indices when checked,
    /// socket addresses when run for real.
    fn model_on(self, ids: &[Id]) -> AbdModel {
        let servers: Vec<Id> = ids[self.clients..].to_vec();
        let (writers, in_turn) = (self.writers, !self.concurrent_reads);
        let writes_in_turn = writers == 2 && !self.concurrent_writes;
        let clients: Vec<AbdActor> = (0..self.clients)
            .map(|c| AbdActor::Client {
                writer: c + 1,
                servers: servers.clone(),
                // With two writers at once, each reads once both writes
                // returned: two concurrent reads that must return the same
                // value. In turn, client 2 writes, then client 1 writes
                // (with the lower id) and reads.
                workload: match (c < writers, writers) {
                    (true, 1) => vec![Op::Write(c as Value + 1)],
                    (true, _) if writes_in_turn && c == 1 => vec![Op::Write(2)],
                    (true, _) => vec![Op::Write(c as Value + 1), Op::Read],
                    (false, _) => vec![Op::Read],
                },
                // Two writers at once wait for each other before reading;
                // in turn, client 1 waits for client 2's write; readers go
                // one after another, unless concurrent.
                waits_before: match (c < writers, writers) {
                    (true, 1) => None,
                    (true, _) if writes_in_turn => (c == 0).then_some(0),
                    (true, _) => Some(1),
                    (false, _) => (in_turn && c > writers).then_some(0),
                },
                hands_off: match (c < writers, writers) {
                    (true, 1) => None,
                    (true, _) if writes_in_turn => (c == 1).then(|| (0, ids[0])),
                    (true, _) => Some((0, ids[1 - c])),
                    (false, _) => (in_turn && c + 1 < self.clients).then(|| (0, ids[c + 1])),
                },
                query_all: self.crashes > 0 || self.retransmit,
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        let (max_crashes, bug) = (self.crashes, self.bug);
        let server_actors = (0..self.servers).map(|s| AbdActor::Server { number: s + 1, bug });
        // ABD tolerates duplicates (a client counts each server once, a
        // server keeps the highest label): by default a duplicating network
        // would add states but no history that this one cannot reach. With
        // `retransmit` the network loses and duplicates (Stateright's
        // duplicating network keeps a message in flight until it is lost,
        // so a retransmission adds nothing new to a message still there).
        let (network, lossy) = if self.retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, AbdHistory::default())
            .actors(clients)
            .actors(server_actors)
            .init_network(network)
            .lossy_network(lossy)
            .max_crashes(max_crashes)
            // The fault model crashes servers only, but Stateright's crash
            // action may pick any actor: the boundary cuts off every state
            // with a client down.
            .within_boundary(|cfg, state| state.crashed[..cfg.clients].iter().all(|c| !c))
            .record_msg_out(record_msg_out)
            .property(Expectation::Always, "linearizable", linearizable)
            .property(
                Expectation::Always,
                "sequentially consistent",
                sequentially_consistent,
            )
            .property(
                Expectation::Sometimes,
                "read observes write",
                read_observes_write,
            )
            .property(
                Expectation::Eventually,
                "every operation completes",
                every_operation_completes,
            )
    }

    /// `dsw run abd-register`: the configuration given, with `retransmit` on,
    /// as scenario `lossy` checks it: a real network may lose and duplicate
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
    name: "abd-register",
    section: "Storage, replication, availability, consistency",
    summary: "A register replicated on a majority quorum; reads write back what they return",
    citations: &[
        "Attiya, Bar-Noy & Dolev, Sharing Memory Robustly in Message-Passing Systems (JACM 1995)",
        "Lynch & Shvartsman, Robust Emulation of Shared Memory Using Dynamic Quorum-Acknowledged Broadcasts (FTCS 1997): the multi-writer form",
        "Cachin, Guerraoui & Rodrigues, Introduction to Reliable and Secure Distributed Programming (2011), §4.4",
        "Herlihy & Wing, Linearizability: A Correctness Condition for Concurrent Objects (TOPLAS 1990)",
        "Lamport, How to Make a Multiprocessor Computer That Correctly Executes Multiprocess Programs (1979)",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "clients",
            doc: "clients; the first `writers` write once, the others read once",
            default: 3,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "writers",
            doc: "how many of the clients write (concurrently), each its own number; with 2, each writer then reads, once both writes returned",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "concurrent_writes",
            doc: "with 2 writers: 1, both write at once, then both read; 0, in turn: client 2 writes, then client 1 writes and reads",
            default: 1,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "concurrent_reads",
            doc: "1: readers start at once; 0: each after the previous one returned",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "servers",
            doc: "replicas; every phase waits for a majority",
            default: 3,
            min: 3,
            max: 4,
        },
        ParamSpec {
            name: "crashes",
            doc: "servers that may crash (capped at a minority); crash-stop: a crashed server stays down",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: clients query every server and retransmit on a timer to the servers that have not answered (and a Handoff, again), and the network loses and duplicates messages (scenario lossy; every real run retransmits); 0: a lossless network, no timers",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "linearizable",
            kind: PropertyKind::Always,
            source: "Herlihy & Wing 1990 §2; atomicity, Attiya, Bar-Noy & Dolev 1995",
        },
        PropertySpec {
            name: "sequentially consistent",
            kind: PropertyKind::Always,
            source: "Lamport 1979",
        },
        PropertySpec {
            name: "read observes write",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "every operation completes",
            kind: PropertyKind::Eventually,
            source: "termination with a majority up: Attiya, Bar-Noy & Dolev 1995 §1; Cachin et al. 2011 §4.4",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "multi-writer ABD: reads write back before returning",
            expect: &[],
        },
        VariantSpec {
            name: "no-read-write-back",
            doc: "a read returns what its query phase found, without writing it back: a later read may return an older value (a new-old inversion), which is sequentially consistent but not linearizable",
            expect: &[("linearizable", Verdict::Violated)],
        },
        VariantSpec {
            name: "timestamp-without-writer-id",
            doc: "a writer labels its value with the sequence number alone: two concurrent writers pick the same label for different values, the replicas keep whichever came first, and two later reads disagree; the default has one writer, so it is caught in scenario tie-break",
            expect: &[],
        },
        VariantSpec {
            name: "writer-skips-query",
            doc: "a writer skips the query phase and labels its value (own writes + 1, self): a write that starts after another writer's returned may pick a lower label and be lost; the default has one writer writing once, so it is caught in scenario no-writer-query",
            expect: &[],
        },
        VariantSpec {
            name: "store-older-update",
            doc: "a server stores every Update, even one not newer than what it holds: a read's late write-back of the old value undoes a write that returned",
            expect: &[("linearizable", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "two-writers",
            doc: "two clients write at once (each query phase may see the other's label, or both the same seq, which the writer id breaks), then, once both writes returned, read at once: the two reads must agree",
            variant: crate::registry::CORRECT,
            params: &[("clients", 2), ("writers", 2)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "tie-break",
            doc: "two-writers with labels that leave out the writer id: both writers pick (1, _), servers keep whichever write came first, and the two reads return different values after both writes returned",
            variant: "timestamp-without-writer-id",
            params: &[("clients", 2), ("writers", 2)],
            fairness: None,
            expect: &[
                ("linearizable", Verdict::Violated),
                ("sequentially consistent", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "writes-in-turn",
            doc: "client 2 writes; once it returned, client 1 (the lower id) writes, then reads: only the query phase lifts the second label above the first, and the read must return 1",
            variant: crate::registry::CORRECT,
            params: &[("clients", 2), ("writers", 2), ("concurrent_writes", 0)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "no-writer-query",
            doc: "writes-in-turn with writers that skip the query phase: client 1 labels its write (1, 1), below client 2's (1, 2), servers keep 2, and client 1's read returns 2 after its own write of 1 returned",
            variant: "writer-skips-query",
            params: &[("clients", 2), ("writers", 2), ("concurrent_writes", 0)],
            fairness: None,
            expect: &[("linearizable", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's configuration: one writer and one reader after it, clients that query every server and retransmit on a timer, on a network that loses and duplicates messages; under strong fairness (a message sent again and again is delivered at last) every operation completes",
            variant: crate::registry::CORRECT,
            params: &[("clients", 2), ("retransmit", 1)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
        ScenarioSpec {
            name: "server-crash",
            doc: "one writer, one reader, and a server that may crash (and then stays down): clients query every server and go on with the first majority to answer, so every operation still completes",
            variant: crate::registry::CORRECT,
            params: &[("clients", 2), ("crashes", 1)],
            fairness: None,
            expect: &[],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<AbdCfg>,
    explore: crate::registry::explore_config::<AbdCfg>,
    replay: crate::registry::replay_config::<AbdCfg>,
    compare: crate::registry::compare_config::<AbdCfg>,
    run: Some(crate::runner::run_config::<AbdCfg>),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::BugVariant;
    use checker::CheckOptions;

    #[test]
    fn majorities_of_three_and_four_servers() {
        assert_eq!(majorities(3), [vec![1, 2], vec![1, 3], vec![2, 3]]);
        assert_eq!(majorities(4).len(), 4);
        assert!(majorities(4).iter().all(|q| q.len() == 3));
    }

    /// The shortest violation is the new-old inversion of the module doc:
    /// client 2 read 1 and client 3, after it, read 0, while the write is
    /// still under way.
    #[test]
    fn no_read_write_back_shows_a_new_old_inversion() {
        let summary = crate::registry::check_config::<AbdCfg>(
            Bug::NoReadWriteBack.name(),
            &PROTOCOL.default_params(),
            &CheckOptions::default(),
            &mut |_| {},
        );
        let ce = summary
            .property("linearizable")
            .and_then(|r| r.counterexample.as_ref())
            .expect("a counterexample");
        let final_state = |lane: &str| {
            let i = ce.actors.iter().position(|a| a == lane).expect("lane");
            ce.final_states[i].clone()
        };
        assert!(final_state("client 1").contains("phase: Update"), "{ce:#?}");
        assert!(
            final_state("client 2").contains("returned: [ReadOk(1)]"),
            "{ce:#?}"
        );
        assert!(
            final_state("client 3").contains("returned: [ReadOk(0)]"),
            "{ce:#?}"
        );
    }
}
