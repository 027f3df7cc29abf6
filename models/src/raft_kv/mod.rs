//! A linearizable key-value store on Raft with client sessions, as [Ongaro
//! & Ousterhout, "In Search of an Understandable Consensus Algorithm
//! (Extended Version)" (2014)](https://raft.github.io/raft.pdf) §8 describes
//! it (and MIT 6.824's Lab 3 builds it). Clients send `Get`, `Put` and
//! `Append` to the server they think leads; the leader appends each request
//! to the Raft log, and every server applies the committed log to its store.
//! "Clients assign unique serial numbers to every command": each server's
//! duplicate table remembers, per client, the last serial number applied
//! and its reply, so a retried command is answered from it, not applied
//! again. A `Get` goes through the log like a write, which is §8's way of
//! not returning stale data (a read index, the other way, confirms
//! leadership before answering).
//!
//! The servers are [`crate::raft`]'s, unchanged: [`KvServer`] wraps a
//! [`RaftActor`] replicating [`KvCmd`]s, hands it every Raft message and
//! timeout, and applies what it commits; Raft's rules are written once, in
//! that module. Fault model: raft's (FIFO links, no loss, timeouts at any
//! time), without crashes. A client retries on its timer (at any time, so
//! also while its first request is still on its way), at most `retries`
//! times per request, and a retry after a timeout goes to another server
//! (§8: "clients then try again with randomly-chosen servers"; here the
//! next candidate, see [`KvClient::candidates`]). A follower's "not
//! leader" names the most recent leader it has heard from, if any, and
//! the client sends there at once (§8, Figure 2's `leaderId`: "so follower
//! can redirect clients"). Its first request waits for the same timer, so
//! that it can be invoked after another client's request returned.
//!
//! The history records each request's invocation (its first send) and
//! response (the reply the client accepts); Stateright's
//! `LinearizabilityTester` checks it against a sequential key-value store
//! ([`KvSpec`]).
//!
//! What the checker shows. At the default (3 servers, one of which stands
//! for election, in term 1 only; logs of 2 entries; client 0
//! `Append(x, a)`, which may retry once, and client 1 `Get(x)`, which does
//! not) "linearizable" and "exactly-once application" hold, a Get reads
//! the other client's Append, and a retry is answered from the duplicate
//! table. `no-duplicate-table` applies client 0's retried Append twice at
//! the default (exactly-once application). In scenario `double-append` one
//! client, 6.824 Lab 3's, appends and then reads its key back with logs of
//! 3: without the table its retried Append is applied twice and its Get,
//! appended after both, reads `aa` (linearizable). `stale-read` needs a
//! leader that has been deposed: in scenario `deposed-leader` (two
//! candidates taking turns over two terms) server 0 leads term 1, server 1
//! leads term 2 and commits client 0's Append, and server 0, deposed
//! without knowing it, answers client 1's later Get from its own store
//! with the old empty value (linearizable). Scenario `retry-to-new-leader`
//! is §8's own duplicate: one client appends once, server 0 leads term 1
//! and takes the Append, server 1 leads term 2, and the client's retry
//! (after a timeout, to the next candidate) may reach server 1 with the
//! Append already in its log: exactly-once application holds on every
//! run, while `retry-to-new-leader-no-table`, the same without the table,
//! applies the Append twice (18 steps: term 2's leader appends the retry
//! again and commits both). The scenario's "retry answered from the
//! duplicate table" example is a term-1 follower answering from its table
//! (any server here answers a request its table holds).
//!
//! "Every request answered" is judged up to the checker's horizon
//! ([`out_of_bounds`]): states where only the bounds keep every unanswered
//! request from an answer: each is nowhere on its way (rejected, dropped
//! by a full log, or left in a new leader's log behind no entry of its
//! term), and its client may send no more or no leader can arise below
//! `max_term`. A request on its way, or
//! one a leader has applied or will commit by itself, is not at the
//! horizon, so a leader that never answered would be a violation. Every
//! checked configuration reaches the horizon (a client without retries
//! may be rejected before the election), so the verdict is `bounded`.
//!
//! Why so small: every timing of two candidates over two terms with the
//! two clients passes a million states (measured: over 1,000,000 unique
//! states at depth 16 after five minutes, unfinished); with both clients
//! retrying, the default's one leader alone gives 425,580 states. So only
//! the writer retries (`retrying = 1`), the default has one leader, the
//! deposed leader has its own scenario with one entry per log and no
//! retries, and the retry to a new leader has one client.
//!
//! Measured (release build, one thread, `dsw check raft-kv [--variant V |
//! --scenario S]`): the default 68,636 unique states, depth 35;
//! `stale-read` 36,100; `no-duplicate-table` 59,170; `deposed-leader`
//! 123,774, "linearizable" violated in 16 steps; `double-append` 101,802;
//! `retry-to-new-leader` 402,645; `retry-to-new-leader-no-table` 469,287,
//! "exactly-once application" violated in 18 steps. BENCHMARKS.md has the
//! times.
//!
//! Known limits (docs/reviews/raft-kv.md): a new leader appends no no-op
//! entry at the start of its term (`election_command: None`). Its reads go
//! through the log, so it needs none for safety, but an entry left from an
//! earlier term is committed only with the next request, and §8's first
//! read precaution ("a leader must have the latest information on which
//! entries are committed") has nothing to attach to: `stale-read` is shown
//! as the second precaution's failure only (a deposed leader).

pub mod run;

use crate::raft::{self, Index, RaftActor, RaftMsg, RaftState, RaftStorage, RaftTimer, Term};
use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Command, Envelope, Id, Network, Out};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// "Clients assign unique serial numbers to every command" (§8), from 1.
pub type Seq = u32;
/// A key of the store: one letter.
pub type Key = char;

/// A client operation, as MIT 6.824's key-value service has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvOp {
    /// The key's value, empty if it has none.
    Get(Key),
    /// Replaces the key's value with one letter.
    Put(Key, char),
    /// Adds one letter at the end of the key's value.
    Append(Key, char),
}

/// What an operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvRet {
    /// A `Get`'s value.
    Value(String),
    /// A `Put` or an `Append` done.
    Ok,
}

/// A client request as a Raft log entry: the client's session (its id and
/// the request's serial number) and the operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KvCmd {
    pub client: Id,
    pub seq: Seq,
    pub op: KvOp,
}

/// `[client.seq op]`; an entry prints its term first: `2[4.1 Append(x, a)]`.
impl std::fmt::Debug for KvCmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match self.op {
            KvOp::Get(k) => format!("Get({k})"),
            KvOp::Put(k, v) => format!("Put({k}, {v})"),
            KvOp::Append(k, v) => format!("Append({k}, {v})"),
        };
        write!(f, "[{}.{} {op}]", usize::from(self.client), self.seq)
    }
}

/// The store's sequential semantics: what one operation does to the map
/// and returns. The servers' state machine and the linearizability spec
/// ([`KvSpec`]) both run it.
fn execute(store: &mut BTreeMap<Key, String>, op: KvOp) -> KvRet {
    match op {
        KvOp::Get(k) => KvRet::Value(store.get(&k).cloned().unwrap_or_default()),
        KvOp::Put(k, v) => {
            store.insert(k, v.to_string());
            KvRet::Ok
        }
        KvOp::Append(k, v) => {
            store.entry(k).or_default().push(v);
            KvRet::Ok
        }
    }
}

/// Raft's messages between servers, and the clients' requests and answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvMsg {
    /// Figure 2's RPCs, as [`crate::raft`] sends them.
    Raft(RaftMsg<KvCmd>),
    /// Client to server: the request with serial number `seq`.
    Request { seq: Seq, op: KvOp },
    /// Server to client: request `seq` was applied (or answered from the
    /// duplicate table), with its result.
    Reply { seq: Seq, ret: KvRet },
    /// "If the client contacts a follower, the follower rejects the
    /// client's request and supplies information about the most recent
    /// leader it has heard from" (§8): `leader`, an index into the
    /// servers, if it has heard from one.
    NotLeader { seq: Seq, leader: Option<usize> },
}

/// Raft's election timeout on servers; a client's retry timer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvTimer {
    Raft(RaftTimer),
    /// "If the leader crashes, client requests will time out; clients then
    /// try again with randomly-chosen servers" (§8): a retry goes to
    /// another server. Also the client's first send.
    Retry,
}

/// A server: Raft's state, and the state machine it applies the log to.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct KvServerState {
    pub raft: RaftState<KvCmd>,
    /// The most recent leader this server has heard from (the sender of
    /// the last AppendEntries of its term or a later one, which only that
    /// term's leader sends; Figure 2's `leaderId`, "so follower can
    /// redirect clients"), as an index into the servers.
    pub leader_hint: Option<usize>,

    // the state machine (§8), volatile: rebuilt from the log on restart
    /// Entries of Raft's applied sequence taken into the store (always
    /// Raft's `last_applied` between steps).
    pub applied: Index,
    /// The key-value map.
    pub store: BTreeMap<Key, String>,
    /// The duplicate table: per client, the last serial number applied
    /// and its reply (§8). Empty in variant `no-duplicate-table`.
    pub sessions: BTreeMap<Id, (Seq, KvRet)>,

    // history variables, for the properties only
    /// Every `(client, seq)` this server's store executed, in order.
    pub executed: Vec<(Id, Seq)>,
    /// The duplicate table answered a retried request.
    pub table_answered: bool,
}

impl std::fmt::Debug for KvServerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.raft)?;
        if let Some(leader) = self.leader_hint.filter(|_| !self.raft.is_leader()) {
            write!(f, " heard leader {leader}")?;
        }
        if !self.store.is_empty() {
            write!(f, " store {:?}", self.store)?;
        }
        if self.table_answered {
            write!(f, " (answered from the duplicate table)")?;
        }
        Ok(())
    }
}

/// A client: how far through its operations it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct KvClientState {
    /// The results of its operations so far; the one in flight is the
    /// next, with serial number `results.len() + 1`.
    pub results: Vec<KvRet>,
    /// How often the operation in flight has been sent (0: not yet).
    pub sends: u8,
    /// The server it takes for the leader, as an index into the servers.
    pub leader: usize,
}

/// A server's or a client's state. The checker keeps each in an `Arc`
/// already, so the size difference costs nothing a `Box` would save.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum RaftKvState {
    Server(KvServerState),
    Client(KvClientState),
}

/// Known bugs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// §8 as published.
    #[default]
    None,
    /// A leader answers `Get` from its own store at once, without the log
    /// or a read index. §8's two precautions for a read without the log
    /// are skipped: "a leader must have the latest information on which
    /// entries are committed" and "a leader must check whether it has been
    /// deposed before processing a read-only request". Must violate
    /// "linearizable"; the checks show the second one's failure (scenario
    /// `deposed-leader`).
    StaleRead,
    /// No duplicate table: a retried request that reaches the log twice is
    /// executed twice (§8's "execute it twice"). Must violate "exactly-once
    /// application".
    NoDuplicateTable,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::StaleRead, Bug::NoDuplicateTable];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::StaleRead => "stale-read",
            Bug::NoDuplicateTable => "no-duplicate-table",
        }
    }
}

/// A key-value server: a Raft server and its state machine.
#[derive(Clone, Debug)]
pub struct KvServer {
    pub raft: RaftActor<KvCmd>,
    pub bug: Bug,
}

/// A client with its session: its id and its operations' serial numbers.
#[derive(Clone, Debug)]
pub struct KvClient {
    pub index: usize,
    pub servers: Vec<Id>,
    pub ops: Vec<KvOp>,
    /// Sends of one request beyond its first, at most.
    pub retries: u8,
    /// The clients take the candidates in reverse order for their first
    /// guess, the last client server 0 (term 1's candidate): client `i` of
    /// `n` first asks server `(n - 1 - i) mod candidates`. A retry after a
    /// timeout goes to the next candidate. Only candidates ever lead, and a
    /// guess at a server that cannot only adds "not leader" round trips to
    /// the search (its answer names the leader, if it knows one). With two
    /// candidates taking turns and two clients, the writer (client 0)
    /// first asks term 2's candidate and the reader (client 1) term 1's;
    /// one client asks term 1's.
    pub candidates: usize,
    /// How many clients there are.
    pub clients: usize,
}

#[derive(Clone, Debug)]
pub enum RaftKvActor {
    Server(KvServer),
    Client(KvClient),
}

type RaftOut = Out<RaftActor<KvCmd>>;

/// Raft's commands as this actor's: its messages wrapped, its timer
/// wrapped, its storage as is.
fn forward(raft_out: RaftOut, o: &mut Out<RaftKvActor>) {
    for command in raft_out {
        match command {
            Command::Send(dst, m) => o.send(dst, KvMsg::Raft(m)),
            Command::SetTimer(t, d) => o.set_timer(KvTimer::Raft(t), d),
            Command::CancelTimer(t) => o.cancel_timer(KvTimer::Raft(t)),
            Command::Save(storage) => o.save(storage),
            Command::ChooseRandom(key, r) => o.choose_random(key, r),
        }
    }
}

impl KvServer {
    /// One step of Raft on the server's Raft state, then whatever it
    /// committed applied to the store.
    fn raft_step(
        &self,
        state: &mut Cow<KvServerState>,
        o: &mut Out<RaftKvActor>,
        step: impl FnOnce(&mut Cow<RaftState<KvCmd>>, &mut RaftOut),
    ) {
        let mut raft_out = Out::new();
        let mut raft_state = Cow::Borrowed(&state.raft);
        step(&mut raft_state, &mut raft_out);
        let changed = match raft_state {
            Cow::Owned(r) => Some(r),
            Cow::Borrowed(_) => None,
        };
        forward(raft_out, o);
        if let Some(r) = changed {
            let s = state.to_mut();
            s.raft = r;
            self.apply(s, o);
        }
    }

    /// The state machine: each newly applied entry is executed, unless the
    /// duplicate table shows it already was. "The state machine tracks
    /// the latest serial number processed for each client, along with the
    /// associated response. If it receives a command whose serial number
    /// has already been executed, it responds immediately without
    /// re-executing the request" (§8). The leader answers the client; the
    /// followers only apply.
    fn apply(&self, s: &mut KvServerState, o: &mut Out<RaftKvActor>) {
        let leader = s.raft.is_leader();
        while s.applied < s.raft.state_machine.len() {
            let KvCmd { client, seq, op } = s.raft.state_machine[s.applied].command;
            s.applied += 1;
            let ret = match s.sessions.get(&client) {
                Some((last, ret)) if *last == seq => {
                    s.table_answered |= leader;
                    ret.clone()
                }
                Some((last, _)) if *last > seq => continue,
                _ => {
                    let ret = execute(&mut s.store, op);
                    s.executed.push((client, seq));
                    // The bug: no table to record the session in.
                    if self.bug != Bug::NoDuplicateTable {
                        s.sessions.insert(client, (seq, ret.clone()));
                    }
                    ret
                }
            };
            if leader {
                o.send(client, KvMsg::Reply { seq, ret });
            }
        }
    }
}

impl KvClient {
    fn send(&self, s: &mut KvClientState, o: &mut Out<RaftKvActor>) {
        let seq = s.results.len() as Seq + 1;
        let op = self.ops[s.results.len()];
        s.sends += 1;
        o.send(self.servers[s.leader], KvMsg::Request { seq, op });
        if s.sends <= self.retries {
            o.set_timer(KvTimer::Retry, durations::RETRY);
        }
    }

    fn may_send(&self, s: &KvClientState) -> bool {
        s.results.len() < self.ops.len() && s.sends <= self.retries
    }
}

impl Actor for RaftKvActor {
    type Msg = KvMsg;
    type Timer = KvTimer;
    type State = RaftKvState;
    type Storage = RaftStorage<KvCmd>;
    type Random = ();

    fn name(&self) -> String {
        match self {
            RaftKvActor::Server(s) => format!("server {}", s.raft.index),
            RaftKvActor::Client(c) => format!("client {}", c.index),
        }
    }

    /// A server starts as Raft's does, with an empty store; a client sets
    /// its timer for its first request.
    fn on_start(&self, id: Id, storage: &Option<Self::Storage>, o: &mut Out<Self>) -> RaftKvState {
        match self {
            RaftKvActor::Server(server) => {
                let mut raft_out = Out::new();
                let raft = server.raft.on_start(id, storage, &mut raft_out);
                forward(raft_out, o);
                RaftKvState::Server(KvServerState {
                    raft,
                    leader_hint: None,
                    applied: 0,
                    store: BTreeMap::new(),
                    sessions: BTreeMap::new(),
                    executed: Vec::new(),
                    table_answered: false,
                })
            }
            RaftKvActor::Client(client) => {
                if !client.ops.is_empty() {
                    o.set_timer(KvTimer::Retry, durations::START);
                }
                RaftKvState::Client(KvClientState {
                    results: Vec::new(),
                    sends: 0,
                    leader: (client.clients - 1 - client.index) % client.candidates,
                })
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
            // Raft's own messages: Figure 2, in crate::raft.
            (RaftKvActor::Server(server), RaftKvState::Server(s), KvMsg::Raft(m)) => {
                // An AppendEntries of the server's term or a later one
                // comes from that term's leader: remembered, to redirect
                // clients (§8).
                let heard = match m {
                    RaftMsg::AppendEntries { term, .. } if term >= s.raft.current_term => {
                        server.raft.servers.iter().position(|&j| j == src)
                    }
                    _ => None,
                };
                with_server(state, |s| {
                    if heard.is_some() && s.leader_hint != heard {
                        s.to_mut().leader_hint = heard;
                    }
                    server.raft_step(s, o, |r, ro| server.raft.on_msg(id, r, src, m, ro))
                });
            }
            // A request already applied is answered from the duplicate
            // table (§8), by any server: its reply is committed.
            (RaftKvActor::Server(server), RaftKvState::Server(s), KvMsg::Request { seq, .. })
                if server.bug != Bug::NoDuplicateTable
                    && s.sessions.get(&src).is_some_and(|(last, _)| *last >= seq) =>
            {
                let (last, ret) = s.sessions[&src].clone();
                if last == seq {
                    o.send(src, KvMsg::Reply { seq, ret });
                    if let RaftKvState::Server(s) = state.to_mut() {
                        s.table_answered = true;
                    }
                }
            }
            // "If the client contacts a follower, the follower rejects the
            // client's request and supplies information about the most
            // recent leader it has heard from" (§8).
            (RaftKvActor::Server(_), RaftKvState::Server(s), KvMsg::Request { seq, .. })
                if !s.raft.is_leader() =>
            {
                o.send(
                    src,
                    KvMsg::NotLeader {
                        seq,
                        leader: s.leader_hint,
                    },
                );
            }
            // The bug: the leader reads its own store, which a newer
            // leader may have left behind.
            (
                RaftKvActor::Server(server),
                RaftKvState::Server(s),
                KvMsg::Request {
                    seq,
                    op: op @ KvOp::Get(_),
                },
            ) if server.bug == Bug::StaleRead => {
                let ret = execute(&mut s.store.clone(), op);
                o.send(src, KvMsg::Reply { seq, ret });
            }
            // The leader appends the request to its log (§5.3, §8); a Get
            // too, so that it is answered only once a majority has
            // confirmed this leader's term by storing it. A full log
            // (`max_log`) drops the request: the client retries.
            (RaftKvActor::Server(server), RaftKvState::Server(s), KvMsg::Request { seq, op })
                if server.raft.can_accept_command(&s.raft) =>
            {
                let command = KvCmd {
                    client: src,
                    seq,
                    op,
                };
                with_server(state, |s| {
                    server.raft_step(s, o, |r, ro| {
                        server.raft.propose(id, r.to_mut(), command, ro)
                    })
                });
            }
            // The answer to the request in flight: the next one goes to
            // the same server at once.
            (RaftKvActor::Client(client), RaftKvState::Client(c), KvMsg::Reply { seq, ret })
                if c.results.len() < client.ops.len() && seq == c.results.len() as Seq + 1 =>
            {
                let mut c = c.clone();
                c.results.push(ret);
                c.sends = 0;
                if c.results.len() < client.ops.len() {
                    client.send(&mut c, o);
                } else {
                    o.cancel_timer(KvTimer::Retry);
                }
                *state.to_mut() = RaftKvState::Client(c);
            }
            // Rejected by a follower that names a leader: the request goes
            // there at once. A follower that knows of no leader names none;
            // the client's timer then moves it on (while no server leads,
            // every one rejects, and a client that moved on at once would
            // spend its retries in one round of rejections).
            (
                RaftKvActor::Client(client),
                RaftKvState::Client(c),
                KvMsg::NotLeader {
                    seq,
                    leader: Some(leader),
                },
            ) if c.results.len() < client.ops.len()
                && seq == c.results.len() as Seq + 1
                && client.may_send(c) =>
            {
                let mut c = c.clone();
                c.leader = leader;
                client.send(&mut c, o);
                *state.to_mut() = RaftKvState::Client(c);
            }
            _ => {}
        }
    }

    fn on_timeout(
        &self,
        id: Id,
        state: &mut Cow<Self::State>,
        timer: &Self::Timer,
        o: &mut Out<Self>,
    ) {
        match (self, state.as_ref(), timer) {
            (RaftKvActor::Server(server), RaftKvState::Server(_), KvTimer::Raft(t)) => {
                with_server(state, |s| {
                    server.raft_step(s, o, |r, ro| server.raft.on_timeout(id, r, t, ro))
                });
            }
            // The first send, or a retry after a timeout: to the next
            // candidate (§8's "randomly-chosen servers", 6.824's clerk
            // trying the next server; see `KvClient::candidates`).
            (RaftKvActor::Client(client), RaftKvState::Client(c), KvTimer::Retry)
                if client.may_send(c) =>
            {
                let mut c = c.clone();
                if c.sends > 0 {
                    c.leader = (c.leader + 1) % client.candidates;
                }
                client.send(&mut c, o);
                *state.to_mut() = RaftKvState::Client(c);
            }
            _ => {}
        }
    }
}

/// Runs `f` on a server's state as a `Cow` of its own, writing it back
/// only if `f` changed it.
fn with_server(state: &mut Cow<RaftKvState>, f: impl FnOnce(&mut Cow<KvServerState>)) {
    let RaftKvState::Server(s) = state.as_ref() else {
        return;
    };
    let mut server = Cow::Borrowed(s);
    f(&mut server);
    if let Cow::Owned(s) = server {
        *state.to_mut() = RaftKvState::Server(s);
    }
}

/// Timer durations of a real run.
mod durations {
    use std::ops::Range;
    use std::time::Duration;

    const fn ms(a: u64, b: u64) -> Range<Duration> {
        Duration::from_millis(a)..Duration::from_millis(b)
    }
    /// A client's first request waits for a leader to be likely.
    pub const START: Range<Duration> = ms(400, 600);
    /// Longer than an election and a commit.
    pub const RETRY: Range<Duration> = ms(600, 900);
}

// The history.

/// The store as a sequential object: what linearizability is checked
/// against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KvSpec(pub BTreeMap<Key, String>);

impl SequentialSpec for KvSpec {
    type Op = KvOp;
    type Ret = KvRet;

    fn invoke(&mut self, op: &KvOp) -> KvRet {
        execute(&mut self.0, *op)
    }
}

/// Each operation's invocation and response, by client.
#[derive(Clone, Debug, Hash, PartialEq)]
pub struct KvRecord {
    pub linearizable: LinearizabilityTester<Id, KvSpec>,
    /// The serial number each client last invoked, and last returned:
    /// a retry is no new invocation, a second reply no new response.
    pub invoked: BTreeMap<Id, Seq>,
    pub returned: BTreeMap<Id, Seq>,
}

impl Default for KvRecord {
    fn default() -> Self {
        KvRecord {
            linearizable: LinearizabilityTester::new(KvSpec::default()),
            invoked: BTreeMap::new(),
            returned: BTreeMap::new(),
        }
    }
}

/// Shared between states: only an invocation or a response changes it.
pub type KvHistory = Arc<KvRecord>;

/// A request's first send is its invocation.
fn record_out(_: &RaftKvCfg, history: &KvHistory, env: Envelope<&KvMsg>) -> Option<KvHistory> {
    let KvMsg::Request { seq, op } = env.msg else {
        return None;
    };
    if history
        .invoked
        .get(&env.src)
        .is_some_and(|last| last >= seq)
    {
        return None;
    }
    let mut h = KvRecord::clone(history);
    let _ = h.linearizable.on_invoke(env.src, *op);
    h.invoked.insert(env.src, *seq);
    Some(Arc::new(h))
}

/// The reply the client accepts (for the request in flight, the first
/// one) is its response.
fn record_in(_: &RaftKvCfg, history: &KvHistory, env: Envelope<&KvMsg>) -> Option<KvHistory> {
    let KvMsg::Reply { seq, ret } = env.msg else {
        return None;
    };
    if history.invoked.get(&env.dst) != Some(seq) || history.returned.get(&env.dst) == Some(seq) {
        return None;
    }
    let mut h = KvRecord::clone(history);
    let _ = h.linearizable.on_return(env.dst, ret.clone());
    h.returned.insert(env.dst, *seq);
    Some(Arc::new(h))
}

// Properties.

type State = stateright::actor::ActorModelState<RaftKvActor, KvHistory>;

fn kv_servers(state: &State) -> impl Iterator<Item = &KvServerState> {
    state.actor_states.iter().filter_map(|s| match &**s {
        RaftKvState::Server(s) => Some(s),
        RaftKvState::Client(_) => None,
    })
}

fn clients(state: &State) -> impl Iterator<Item = &KvClientState> {
    state.actor_states.iter().filter_map(|s| match &**s {
        RaftKvState::Client(c) => Some(c),
        RaftKvState::Server(_) => None,
    })
}

/// Linearizability: "Our goal for Raft is to implement linearizable
/// semantics (each operation appears to execute instantaneously, exactly
/// once, at some point between its invocation and its response)" (§8;
/// Herlihy & Wing, TOPLAS 1990, §2): the clients' history has an order,
/// legal for a sequential key-value store, that keeps every operation
/// that returned before another was invoked ahead of it.
fn linearizable(_: &RaftKvModel, state: &State) -> bool {
    state.history.linearizable.is_consistent()
}

/// Exactly-once application: no server's state machine executes one
/// client request twice, however often it was sent or appended. "If it
/// receives a command whose serial number has already been executed, it
/// responds immediately without re-executing the request" (§8).
fn exactly_once(_: &RaftKvModel, state: &State) -> bool {
    kv_servers(state).all(|s| {
        let mut seen: Vec<&(Id, Seq)> = s.executed.iter().collect();
        seen.sort();
        seen.windows(2).all(|w| w[0] != w[1])
    })
}

/// Reachability: a client's Get returns a value another client wrote
/// (§8: the store is shared, not per session).
fn read_sees_other_write(model: &RaftKvModel, state: &State) -> bool {
    let written = |index: usize| -> Vec<char> {
        workload(index, model.cfg.ops)
            .into_iter()
            .filter_map(|op| match op {
                KvOp::Put(_, v) | KvOp::Append(_, v) => Some(v),
                KvOp::Get(_) => None,
            })
            .collect()
    };
    clients(state).enumerate().any(|(i, c)| {
        let own = written(i);
        c.results.iter().any(|r| match r {
            KvRet::Value(v) => v.chars().any(|ch| !own.contains(&ch)),
            KvRet::Ok => false,
        })
    })
}

/// Reachability: a retried request is answered from the duplicate table,
/// not executed again (§8).
fn retry_answered_from_table(_: &RaftKvModel, state: &State) -> bool {
    kv_servers(state).any(|s| s.table_answered)
}

/// Liveness: every request is eventually answered. Raft's liveness (§5.2,
/// §5.6) and §8's retries: a client that times out or is rejected tries
/// again until a leader commits its request. Judged on fair runs without
/// crashes, up to the horizon ([`out_of_bounds`]).
fn every_request_answered(model: &RaftKvModel, state: &State) -> bool {
    clients(state).all(|c| c.results.len() == model.cfg.ops)
}

/// Where the bounds, and nothing else, keep every unanswered request from
/// an answer: liveness is not judged through these states (the checker's
/// horizon); every step of the bounded model is still explored, so the
/// safety verdicts stand. A state is cut only if each client with a
/// request unanswered is stuck: nothing for its request is on its way
/// ([`on_its_way`]), and either the client may send no more (`retries`)
/// or no leader can arise below `max_term` ([`election_barred`]). A
/// request on its way, or one a leader has applied or will commit by
/// itself, keeps the state out, so a run that stops or loops with it
/// unanswered is a violation.
fn out_of_bounds(actors: &[RaftKvActor], state: &State) -> bool {
    let barred = election_barred(actors, state);
    let mut unanswered = actors
        .iter()
        .zip(state.actor_states.iter())
        .enumerate()
        .filter_map(|(i, (a, s))| match (a, &**s) {
            (RaftKvActor::Client(client), RaftKvState::Client(c))
                if c.results.len() < client.ops.len() =>
            {
                Some((Id::from(i), client, c))
            }
            _ => None,
        })
        .peekable();
    unanswered.peek().is_some()
        && unanswered.all(|(id, client, c)| {
            !on_its_way(state, id, c.results.len() as Seq + 1) && (barred || !client.may_send(c))
        })
}

/// Client `id`'s request `seq` is on its way to an answer: a copy of it or
/// a reply to it is in flight, a leader has applied it (a leader that
/// applies an entry answers it), or a leader will commit it by itself,
/// which a leader does to an entry followed in its log by one of its own
/// term (§5.4.2). Otherwise only another send could get it answered: an
/// entry left from an earlier term waits for the next request (this
/// model's leaders append no no-op), and a request a full log dropped
/// (`max_log`) or a rejection is gone.
fn on_its_way(state: &State, id: Id, seq: Seq) -> bool {
    let ours = |cmd: &KvCmd| cmd.client == id && cmd.seq == seq;
    let in_flight = crate::runner::in_flight(&state.network).any(|env| match env.msg {
        KvMsg::Request { seq: q, .. } => env.src == id && *q == seq,
        KvMsg::Reply { seq: q, .. } => env.dst == id && *q == seq,
        _ => false,
    });
    in_flight
        || kv_servers(state).any(|s| {
            let r = &s.raft;
            r.is_leader()
                && (r.state_machine[..s.applied]
                    .iter()
                    .any(|e| ours(&e.command))
                    || r.log.iter().enumerate().any(|(at, e)| {
                        ours(&e.command) && r.log[at..].iter().any(|e| e.term == r.current_term)
                    }))
        })
}

/// The term bound bites: a server that would start an election may not
/// (`max_term`), no server leads, and no vote is on its way, so no leader
/// can arise.
fn election_barred(actors: &[RaftKvActor], state: &State) -> bool {
    let votes_pending = crate::runner::in_flight(&state.network).any(|env| {
        matches!(
            env.msg,
            KvMsg::Raft(RaftMsg::RequestVote { .. } | RaftMsg::RequestVoteReply { .. })
        )
    });
    !votes_pending
        && kv_servers(state).all(|s| !s.raft.is_leader())
        && actors
            .iter()
            .zip(state.actor_states.iter())
            .any(|(a, s)| match (a, &**s) {
                (RaftKvActor::Server(server), RaftKvState::Server(s)) => {
                    let (r, raft) = (&server.raft, &s.raft);
                    r.may_campaign
                        && r.max_term > 0
                        && raft.current_term >= r.max_term
                        && r.stands_in(raft.current_term + 1)
                        && r.election_over(raft)
                }
                _ => false,
            })
}

// Configuration.

/// Client `index`'s operations, the first `ops` of them: client 0
/// appends and then reads its key back (6.824's Lab 3 client), client 1
/// reads and then overwrites; every letter written is its writer's own.
pub fn workload(index: usize, ops: usize) -> Vec<KvOp> {
    let all = match index {
        0 => [KvOp::Append('x', 'a'), KvOp::Get('x')],
        _ => [KvOp::Get('x'), KvOp::Put('x', 'c')],
    };
    all[..ops.min(all.len())].to_vec()
}

pub type RaftKvModel = ActorModel<RaftKvActor, RaftKvCfg, KvHistory>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaftKvCfg {
    pub servers: usize,
    /// Clients, each with its session.
    pub clients: usize,
    /// Operations per client ([`workload`]).
    pub ops: usize,
    /// Sends of one request beyond its first, at most, by a client that
    /// retries.
    pub retries: u8,
    /// How many clients retry (the first ones); the others send each
    /// request once.
    pub retrying: usize,
    /// The highest term an election may start.
    pub max_term: Term,
    /// The longest log a leader appends a request to.
    pub max_log: usize,
    /// How many servers (the first ones) ever stand for election, as in
    /// raft ([`raft::RaftCfg::candidates`]).
    pub candidates: usize,
    /// Terms up to this one are open to every candidate; later ones go to
    /// one candidate each in turn ([`raft::RaftCfg::contested`]). Every
    /// timing of two candidates over two terms (`contested = 2`) passes a
    /// million states with the clients, so the default takes turns.
    pub contested: Term,
    pub bug: Bug,
}

impl Default for RaftKvCfg {
    fn default() -> Self {
        RaftKvCfg {
            servers: 3,
            clients: 2,
            ops: 1,
            retries: 1,
            retrying: 1,
            max_term: 1,
            max_log: 2,
            candidates: 1,
            contested: 0,
            bug: Bug::None,
        }
    }
}

impl Config for RaftKvCfg {
    type Model = RaftKvModel;

    fn new(variant: &str, params: &Params) -> Self {
        RaftKvCfg {
            servers: params["servers"] as usize,
            clients: params["clients"] as usize,
            ops: params["ops"] as usize,
            retries: params["retries"] as u8,
            retrying: (params["retrying"] as usize).min(params["clients"] as usize),
            max_term: params["max_term"] as Term,
            max_log: params["max_log"] as usize,
            candidates: (params["candidates"] as usize).min(params["servers"] as usize),
            contested: params["contested"] as Term,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> RaftKvModel {
        crate::runner::indexed(self)
    }

    /// The bounds are the horizon of liveness ([`out_of_bounds`]).
    fn analyses(model: &RaftKvModel) -> checker::Analyses<RaftKvModel> {
        let actors = model.actors.clone();
        let (max_term, retries) = (model.cfg.max_term, model.cfg.retries);
        let sends = match (model.cfg.retrying, retries) {
            (0, _) | (_, 0) => "a client sends each request once".to_string(),
            (n, r) if n >= model.cfg.clients => {
                format!("a client sends a request at most {} times", r + 1)
            }
            (1, r) => format!(
                "client 0 sends a request at most {} times, the others once",
                r + 1
            ),
            (n, r) => format!(
                "the first {n} clients send a request at most {} times, the others once",
                r + 1
            ),
        };
        checker::Analyses {
            horizon: Some(checker::analyses::Horizon {
                words: format!("no election starts beyond term {max_term}, and {sends}"),
                reached: Box::new(move |s: &State| out_of_bounds(&actors, s)),
            }),
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for RaftKvCfg {
    type Actor = RaftKvActor;
    type History = KvHistory;

    fn actor_count(&self) -> usize {
        self.servers + self.clients
    }

    /// Done when every client has every answer.
    fn done(states: &[Option<RaftKvState>]) -> bool {
        states.iter().all(|s| match s {
            Some(RaftKvState::Client(c)) => c.sends == 0 && !c.results.is_empty(),
            Some(RaftKvState::Server(_)) => true,
            None => false,
        })
    }

    fn observations(states: &[RaftKvState], history: &KvHistory) -> Vec<String> {
        let servers = states
            .iter()
            .filter(|s| matches!(s, RaftKvState::Server(_)))
            .count();
        let mut lines: Vec<String> = states
            .iter()
            .enumerate()
            .map(|(i, s)| match s {
                RaftKvState::Server(s) => format!("server {i}: {s:?}"),
                RaftKvState::Client(c) => {
                    format!("client {}: results {:?}", i - servers, c.results)
                }
            })
            .collect();
        lines.push(format!(
            "linearizable: {}",
            history.linearizable.is_consistent()
        ));
        lines
    }

    /// Real runs: the leader, once it has committed an entry of its term
    /// (as `dsw run raft` does; see [`run`]).
    fn crash(&self, crashes: usize, states: &[Option<RaftKvState>]) -> Option<runtime::Crash> {
        raft::run::crash_leader(
            crashes,
            states.iter().map(|s| match s {
                Some(RaftKvState::Server(s)) => Some(&s.raft),
                _ => None,
            }),
        )
    }

    /// The real run's configuration ([`run::real_cfg`]).
    fn for_real_network(self) -> Self {
        run::real_cfg(self)
    }

    /// The leader's heartbeat, through the server's state machine.
    fn run_only_step() -> Option<crate::runner::RunOnlyStep<RaftKvActor>> {
        Some(run::heartbeat)
    }

    fn model_on(self, ids: &[Id]) -> RaftKvModel {
        let servers: Vec<Id> = ids[..self.servers].to_vec();
        let candidates = self.candidates;
        let server = |index: usize| {
            RaftKvActor::Server(KvServer {
                raft: RaftActor {
                    index,
                    servers: servers.clone(),
                    bug: raft::Bug::None,
                    election_command: None,
                    max_term: self.max_term,
                    max_log: self.max_log,
                    may_campaign: index < candidates,
                    candidates,
                    contested: self.contested,
                    patient: false,
                },
                bug: self.bug,
            })
        };
        let client = |index: usize| {
            RaftKvActor::Client(KvClient {
                index,
                servers: servers.clone(),
                ops: workload(index, self.ops),
                retries: if index < self.retrying {
                    self.retries
                } else {
                    0
                },
                candidates: candidates.max(1),
                clients: self.clients,
            })
        };
        let actors: Vec<RaftKvActor> = (0..self.servers)
            .map(server)
            .chain((0..self.clients).map(client))
            .collect();
        ActorModel::new(self, KvHistory::default())
            .actors(actors)
            // FIFO links, as raft's (see crate::raft).
            .init_network(Network::new_ordered([]))
            .property(Expectation::Always, "linearizable", linearizable)
            .property(
                Expectation::Always,
                "exactly-once application",
                exactly_once,
            )
            .property(
                Expectation::Sometimes,
                "read sees another client's write",
                read_sees_other_write,
            )
            .property(
                Expectation::Sometimes,
                "retry answered from the duplicate table",
                retry_answered_from_table,
            )
            .property(
                Expectation::Eventually,
                "every request answered",
                every_request_answered,
            )
            .record_msg_out(record_out)
            .record_msg_in(record_in)
    }
}

/// One writer, two candidates taking turns over two terms: a retry can
/// reach the second leader after the first committed the request.
const RETRY_TO_NEW_LEADER: &[(&str, i64)] = &[("clients", 1), ("candidates", 2), ("max_term", 2)];

pub static PROTOCOL: Protocol = Protocol {
    name: "raft-kv",
    section: "Distributed consensus and time",
    summary: "a linearizable key-value store on Raft with client sessions: Get, Put, Append through the log, a duplicate table for exactly-once application",
    citations: &[
        "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (Extended Version) (2014), §8 (client interaction)",
        "MIT 6.824, Lab 3: Fault-tolerant Key/Value Service",
        "Herlihy & Wing, Linearizability: A Correctness Condition for Concurrent Objects (TOPLAS 1990)",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "servers",
            doc: "Raft servers",
            default: 3,
            min: 3,
            max: 5,
        },
        ParamSpec {
            name: "clients",
            doc: "clients, each with its session (client 0: Append(x, a) then Get(x); client 1: Get(x) then Put(x, c)); client i of n first asks server (n - 1 - i) mod candidates",
            default: 2,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "ops",
            doc: "operations per client, the first ones of its workload",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "retries",
            doc: "sends of one request beyond its first, at most (on a timeout or a \"not leader\")",
            default: 1,
            min: 0,
            max: 3,
        },
        ParamSpec {
            name: "retrying",
            doc: "how many clients retry (the first ones); the others send each request once",
            default: 1,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "max_term",
            doc: "the highest term an election may start",
            default: 1,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "max_log",
            doc: "the longest log a leader appends a request to",
            default: 2,
            min: 1,
            max: 4,
        },
        ParamSpec {
            name: "candidates",
            doc: "servers whose election timeout fires (the first ones); the others stay followers",
            default: 1,
            min: 1,
            max: 5,
        },
        ParamSpec {
            name: "contested",
            doc: "terms up to this one are open to every candidate (split votes); later terms rotate among the candidates, one each",
            default: 0,
            min: 0,
            max: 4,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "linearizable",
            kind: PropertyKind::Always,
            source: "Raft (extended) §8; Herlihy & Wing 1990 §2",
        },
        PropertySpec {
            name: "exactly-once application",
            kind: PropertyKind::Always,
            source: "Raft (extended) §8 (serial numbers, duplicate detection)",
        },
        PropertySpec {
            name: "read sees another client's write",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §8",
        },
        PropertySpec {
            name: "retry answered from the duplicate table",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §8",
        },
        PropertySpec {
            name: "every request answered",
            kind: PropertyKind::Eventually,
            source: "Raft (extended) §5.2, §5.6, §8 (clients retry until a leader answers)",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "§8 as published: every request through the log, a duplicate table per client",
            expect: &[("every request answered", Verdict::Inconclusive)],
        },
        VariantSpec {
            name: "stale-read",
            doc: "a leader answers Get from its own store, without the log or a read index: a deposed leader returns an old value; needs a second leader: caught in scenario deposed-leader",
            expect: &[
                ("every request answered", Verdict::Inconclusive),
            ],
        },
        VariantSpec {
            name: "no-duplicate-table",
            doc: "no duplicate table: a retried Append that reaches the log twice is applied twice",
            expect: &[
                ("exactly-once application", Verdict::Violated),
                ("retry answered from the duplicate table", Verdict::NoExample),
                ("every request answered", Verdict::Inconclusive),
            ],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "deposed-leader",
            doc: "two candidates taking turns over two terms, one entry per log, no retries: server 0 leads term 1, server 1 leads term 2 and commits client 0's Append, and server 0, deposed unawares, answers client 1's Get with the old empty value",
            variant: "stale-read",
            params: &[("max_term", 2), ("candidates", 2), ("max_log", 1), ("retries", 0)],
            fairness: None,
            expect: &[
                ("linearizable", Verdict::Violated),
                ("read sees another client's write", Verdict::NoExample),
                ("retry answered from the duplicate table", Verdict::NoExample),
                ("every request answered", Verdict::Inconclusive),
            ],
        },
        ScenarioSpec {
            name: "retry-to-new-leader",
            doc: "§8's own duplicate: one client appending once, two candidates taking turns over two terms, one retry (after a timeout, to the next candidate): server 0 leads term 1 and takes the Append, server 1 leads term 2, and the retry may reach it with the Append in its log; the duplicate table keeps the Append from being applied twice on every run",
            variant: crate::registry::CORRECT,
            params: RETRY_TO_NEW_LEADER,
            fairness: None,
            expect: &[
                ("read sees another client's write", Verdict::NoExample),
                ("every request answered", Verdict::Inconclusive),
            ],
        },
        ScenarioSpec {
            name: "retry-to-new-leader-no-table",
            doc: "retry-to-new-leader without the duplicate table: term 2's leader appends the retry again and applies the Append twice (§8: \"causing it to be executed a second time\")",
            variant: "no-duplicate-table",
            params: RETRY_TO_NEW_LEADER,
            fairness: None,
            expect: &[
                ("exactly-once application", Verdict::Violated),
                ("read sees another client's write", Verdict::NoExample),
                ("retry answered from the duplicate table", Verdict::NoExample),
                ("every request answered", Verdict::Inconclusive),
            ],
        },
        ScenarioSpec {
            name: "double-append",
            doc: "one client, Lab 3's: it appends and then reads its key back, logs of 3 entries: without a duplicate table its retried Append is applied twice, and its Get, appended after both, reads aa",
            variant: "no-duplicate-table",
            params: &[("clients", 1), ("ops", 2), ("max_log", 3)],
            fairness: None,
            expect: &[
                ("linearizable", Verdict::Violated),
                ("exactly-once application", Verdict::Violated),
                ("read sees another client's write", Verdict::NoExample),
                ("retry answered from the duplicate table", Verdict::NoExample),
                ("every request answered", Verdict::Inconclusive),
            ],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<RaftKvCfg>,
    explore: crate::registry::explore_config::<RaftKvCfg>,
    replay: crate::registry::replay_config::<RaftKvCfg>,
    compare: crate::registry::compare_config::<RaftKvCfg>,
    run: Some(run::run),
};

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
        let defaults = RaftKvCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, RaftKvCfg::default());
        let model = defaults.into_model();
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }

    /// The horizon takes in a request only the bounds keep from an
    /// answer: a leader that applied it (and so must answer it) keeps the
    /// state out of the horizon even once its reply is gone, which is what
    /// lets "every request answered" fail.
    #[test]
    fn the_horizon_excludes_a_request_a_leader_applied() {
        use stateright::Model;
        // Two clients: client 1's own fate (it never retries) must not
        // cut client 0's request from the judgement.
        let model = RaftKvCfg::default().into_model();
        let client0 = Id::from(3);
        let applied_by_leader = |s: &State| {
            kv_servers(s).any(|s| {
                s.raft.is_leader()
                    && s.raft
                        .state_machine
                        .iter()
                        .any(|e| e.command.client == client0)
            })
        };
        let mut queue: std::collections::VecDeque<State> = model.init_states().into();
        let mut seen = std::collections::HashSet::new();
        let mut found = None;
        while let Some(state) = queue.pop_front() {
            if applied_by_leader(&state) {
                found = Some(state);
                break;
            }
            let mut actions = Vec::new();
            model.actions(&state, &mut actions);
            for action in actions {
                if let Some(next) = model.next_state(&state, action) {
                    let mut hasher = std::collections::hash_map::DefaultHasher::new();
                    std::hash::Hash::hash(&next, &mut hasher);
                    if seen.insert(std::hash::Hasher::finish(&hasher)) {
                        queue.push_back(next);
                    }
                }
            }
        }
        let mut answered = found.expect("a leader applies client 0's Append");
        // Client 0 has spent its sends; the reply is on its way.
        if let RaftKvState::Client(c) = &*answered.actor_states[3] {
            let mut c = c.clone();
            c.sends = 2;
            answered.actor_states[3] = Arc::new(RaftKvState::Client(c));
        }
        // Client 1 gave up: its one send spent, nothing of it on its way.
        let client1 = Id::from(4);
        if let RaftKvState::Client(c) = &*answered.actor_states[4] {
            let mut c = c.clone();
            c.sends = 1;
            answered.actor_states[4] = Arc::new(RaftKvState::Client(c));
        }
        assert!(!on_its_way(&answered, client1, 1));
        // Still not the horizon: client 0's reply is on its way.
        assert!(!out_of_bounds(&model.actors, &answered));
        // A leader that never answered: the reply gone, nothing else in
        // flight. Still not the horizon, so a run stopping here violates.
        let mut silent = answered.clone();
        let Network::Ordered(links) = &mut silent.network else {
            panic!("raft-kv's links are FIFO");
        };
        links.clear();
        assert!(!out_of_bounds(&model.actors, &silent));
        // No leader at all (every server a follower, the Append in
        // followers' logs only, term 1 the last, no vote on its way): only
        // another send could get client 0's request answered, and no
        // leader can arise for client 1's: the bounds stop the run.
        let mut lost = silent.clone();
        for s in lost.actor_states.iter_mut() {
            if let RaftKvState::Server(server) = &**s {
                let mut server = server.clone();
                server.raft.role = raft::Role::Follower {
                    heard_leader: false,
                };
                *s = Arc::new(RaftKvState::Server(server));
            }
        }
        assert!(out_of_bounds(&model.actors, &lost));
    }

    #[test]
    fn the_store_and_its_spec_agree_on_each_operation() {
        let mut spec = KvSpec::default();
        assert_eq!(spec.invoke(&KvOp::Get('x')), KvRet::Value(String::new()));
        assert_eq!(spec.invoke(&KvOp::Append('x', 'a')), KvRet::Ok);
        assert_eq!(spec.invoke(&KvOp::Append('x', 'a')), KvRet::Ok);
        assert_eq!(spec.invoke(&KvOp::Get('x')), KvRet::Value("aa".into()));
        assert_eq!(spec.invoke(&KvOp::Put('x', 'c')), KvRet::Ok);
        assert_eq!(spec.invoke(&KvOp::Get('x')), KvRet::Value("c".into()));
    }
}
