//! A key/value server reached by at-most-once RPC, as [Birrell & Nelson,
//! "Implementing Remote Procedure Calls" (TOCS 1984)](https://doi.org/10.1145/2080.357392)
//! §3 builds it and MIT 6.824's RPC lecture and key/value lab use it: a
//! client tags each call with its id and a sequence number and retransmits
//! until answered; the server remembers, per client, the last call it
//! executed and its result, answers a retransmission from that table, and
//! executes each call once.
//!
//! Fault model: a network that loses, duplicates and reorders messages; no
//! crashes (the table lives in the server's memory: a restarted server
//! would need it on stable storage, or a new incarnation its callers
//! notice, not to run a call twice). One key; client 1 calls `Put(x)`,
//! client 2 calls `Append(y)` then `Get`. The checker shows the history
//! linearizable, every Append applied at most once and every write that
//! returned executed exactly once; every call answered under strong
//! fairness of delivery (a retransmission that is lost forever never gets
//! through). `no-duplicate-detection` applies a duplicated Append twice;
//! `table-keyed-by-request-id` answers one client's call with the other's
//! result, so a call returns without having run.

use crate::registry::{Config, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec};
use crate::runner::{HistoryEdge, Runnable};
use checker::{Fairness, PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Envelope, Id, LossyNetwork, Network, Out};
use stateright::semantics::{ConsistencyTester, LinearizabilityTester, SequentialSpec};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

/// A client, by number from 1 (Birrell & Nelson's "caller identifier").
pub type ClientId = u8;
/// A call's sequence number, from 1, increasing per client (§3.2: the call
/// identifier is the calling activity and a sequence number).
pub type Seq = u8;
/// The key's value: the characters put and appended.
pub type Value = String;

/// What a client asks of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Op {
    Put(char),
    Append(char),
    Get,
}

/// What a call returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ret {
    /// A Put or Append took effect.
    Ok,
    /// A Get's value.
    Value(Value),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvMsg {
    /// The call packet: who calls, which call, and what.
    Call { client: ClientId, seq: Seq, op: Op },
    /// The result packet of call `seq`.
    Result { seq: Seq, ret: Ret },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KvTimer {
    /// The client's retransmission timeout.
    Retransmit,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum KvState {
    Server {
        value: Value,
        /// The duplicate table: per client, the last call executed and its
        /// result (keyed as the bug says in `table-keyed-by-request-id`).
        executed: BTreeMap<u8, (Seq, Ret)>,
        /// Every execution of a Put or Append, as (client, seq), in order: a
        /// record for the properties, not protocol state (at most [`WRITES`]
        /// + 1 explored).
        writes: Vec<(ClientId, Seq)>,
        /// Some call was answered from the table (a witness, not protocol
        /// state).
        replayed: bool,
    },
    Client {
        /// The current call's position in the workload (its length once
        /// done); its sequence number is one more.
        call: usize,
        /// What each finished call returned.
        returned: Vec<Ret>,
    },
}

/// Known bugs, each one rule of the server weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// At-most-once RPC as published.
    #[default]
    None,
    /// The server executes every call packet it receives. Must violate
    /// "each Append applied at most once" (and "linearizable", and "a
    /// returned write executed exactly once").
    NoDuplicateDetection,
    /// The duplicate table is keyed by the sequence number alone: the two
    /// clients' first calls share an entry, so whichever arrives second
    /// looks like a retransmission of the other and is answered with the
    /// other's result, never executed. Must violate "a returned write
    /// executed exactly once" (and "linearizable").
    TableKeyedByRequestId,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::NoDuplicateDetection,
        Bug::TableKeyedByRequestId,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoDuplicateDetection => "no-duplicate-detection",
            Bug::TableKeyedByRequestId => "table-keyed-by-request-id",
        }
    }
}

#[derive(Clone, Debug)]
pub enum KvActor {
    Server {
        bug: Bug,
    },
    Client {
        client: ClientId,
        server: Id,
        workload: Vec<Op>,
    },
}

/// How long a client waits before retransmitting, on a real network. The
/// checker fires the timer at any time.
const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);

impl KvActor {
    /// Sends call `call` of the workload, if any, and arms the timer.
    fn send_call(&self, call: usize, o: &mut Out<Self>) {
        if let KvActor::Client {
            client,
            server,
            workload,
        } = self
        {
            if let Some(op) = workload.get(call) {
                o.send(
                    *server,
                    KvMsg::Call {
                        client: *client,
                        seq: call as Seq + 1,
                        op: *op,
                    },
                );
                o.set_timer(KvTimer::Retransmit, RETRANSMIT);
            }
        }
    }
}

impl Actor for KvActor {
    type Msg = KvMsg;
    type Timer = KvTimer;
    type State = KvState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        match self {
            KvActor::Server { .. } => "server".into(),
            KvActor::Client { client, .. } => format!("client {client}"),
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> KvState {
        match self {
            KvActor::Server { .. } => KvState::Server {
                value: Value::new(),
                executed: BTreeMap::new(),
                writes: Vec::new(),
                replayed: false,
            },
            KvActor::Client { .. } => {
                self.send_call(0, o);
                KvState::Client {
                    call: 0,
                    returned: Vec::new(),
                }
            }
        }
    }

    fn on_msg(&self, _id: Id, state: &mut Cow<KvState>, src: Id, msg: KvMsg, o: &mut Out<Self>) {
        match (self, state.as_ref(), msg) {
            (
                KvActor::Server { bug },
                KvState::Server { executed, .. },
                KvMsg::Call { client, seq, op },
            ) => {
                // §3.2: "the callee machine maintains a table giving the
                // sequence number of the last call invoked by each calling
                // activity"; with 6.824's lab it also keeps that call's
                // result. The bug keys it by the sequence number alone.
                let key = match bug {
                    Bug::TableKeyedByRequestId => seq,
                    Bug::None | Bug::NoDuplicateDetection => client,
                };
                let last = executed
                    .get(&key)
                    .filter(|_| *bug != Bug::NoDuplicateDetection)
                    .cloned();
                match last {
                    // A retransmission of the last call: not executed
                    // again. B&N discard it ("possibly after
                    // acknowledgement") and retransmit the result packet
                    // until it is acknowledged; 6.824's lab answers it with
                    // the remembered result, which is that retransmission.
                    Some((last, ret)) if last == seq => {
                        o.send(src, KvMsg::Result { seq, ret });
                        if let KvState::Server { replayed, .. } = state.to_mut() {
                            *replayed = true;
                        }
                    }
                    // An older call: its caller has moved on; discard it.
                    Some((last, _)) if last > seq => {}
                    // A new call: execute it once and remember its result.
                    _ => {
                        let KvState::Server {
                            value,
                            executed,
                            writes,
                            ..
                        } = state.to_mut()
                        else {
                            return;
                        };
                        let ret = match op {
                            Op::Put(c) => {
                                *value = c.to_string();
                                writes.push((client, seq));
                                Ret::Ok
                            }
                            Op::Append(c) => {
                                value.push(c);
                                writes.push((client, seq));
                                Ret::Ok
                            }
                            Op::Get => Ret::Value(value.clone()),
                        };
                        executed.insert(key, (seq, ret.clone()));
                        o.send(src, KvMsg::Result { seq, ret });
                    }
                }
            }
            // The result of the current call: return it, make the next call.
            (KvActor::Client { .. }, KvState::Client { call, .. }, KvMsg::Result { seq, ret })
                if usize::from(seq) == call + 1 =>
            {
                let call = call + 1;
                if let KvState::Client {
                    call: c, returned, ..
                } = state.to_mut()
                {
                    *c = call;
                    returned.push(ret);
                }
                o.cancel_timer(KvTimer::Retransmit);
                self.send_call(call, o);
            }
            // A duplicate result of a call already returned.
            _ => {}
        }
    }

    fn on_timeout(&self, _id: Id, state: &mut Cow<KvState>, _timer: &KvTimer, o: &mut Out<Self>) {
        // No result yet: retransmit the call packet (§3.2: "the machine
        // that transmits a packet is responsible for retransmitting it until
        // an acknowledgment is received").
        if let KvState::Client { call, .. } = state.as_ref() {
            self.send_call(*call, o);
        }
    }
}

// The history.

/// One key as a sequential object: what the server should behave as.
#[derive(Clone, Debug, Default, Hash, PartialEq, Eq)]
pub struct KvSpec(pub Value);

impl SequentialSpec for KvSpec {
    type Op = Op;
    type Ret = Ret;

    fn invoke(&mut self, op: &Op) -> Ret {
        match op {
            Op::Put(c) => {
                self.0 = c.to_string();
                Ret::Ok
            }
            Op::Append(c) => {
                self.0.push(*c);
                Ret::Ok
            }
            Op::Get => Ret::Value(self.0.clone()),
        }
    }
}

/// Each call's invocation (its first call packet) and return (the result
/// the client accepts), and the call each client has in flight.
#[derive(Clone, Debug, Hash, PartialEq)]
pub struct KvHistory {
    pub linearizable: LinearizabilityTester<Id, KvSpec>,
    in_flight: BTreeMap<Id, Seq>,
    invoked: BTreeMap<Id, Seq>,
}

impl Default for KvHistory {
    fn default() -> Self {
        KvHistory {
            linearizable: LinearizabilityTester::new(KvSpec::default()),
            in_flight: BTreeMap::new(),
            invoked: BTreeMap::new(),
        }
    }
}

/// Shared, since most steps leave it unchanged.
pub type History = Arc<KvHistory>;

/// A client's first packet of a call invokes it.
fn record_msg_out(_: &KvCfg, history: &History, env: Envelope<&KvMsg>) -> Option<History> {
    let KvMsg::Call { seq, op, .. } = env.msg else {
        return None;
    };
    if history
        .invoked
        .get(&env.src)
        .is_some_and(|last| last >= seq)
    {
        return None;
    }
    let mut h = KvHistory::clone(history);
    let _ = h.linearizable.on_invoke(env.src, *op);
    h.invoked.insert(env.src, *seq);
    h.in_flight.insert(env.src, *seq);
    Some(Arc::new(h))
}

/// The first result of the call in flight returns it (the client accepts
/// exactly that one).
fn record_msg_in(_: &KvCfg, history: &History, env: Envelope<&KvMsg>) -> Option<History> {
    let KvMsg::Result { seq, ret } = env.msg else {
        return None;
    };
    if history.in_flight.get(&env.dst) != Some(seq) {
        return None;
    }
    let mut h = KvHistory::clone(history);
    let _ = h.linearizable.on_return(env.dst, ret.clone());
    h.in_flight.remove(&env.dst);
    Some(Arc::new(h))
}

// Properties.

type State = stateright::actor::ActorModelState<KvActor, History>;

/// The Puts and Appends of the workload.
const WRITES: u8 = 2;

/// Every execution of a write, as (client, seq), in order.
fn writes(state: &State) -> &[(ClientId, Seq)] {
    state
        .actor_states
        .iter()
        .find_map(|s| match &**s {
            KvState::Server { writes, .. } => Some(writes.as_slice()),
            KvState::Client { .. } => None,
        })
        .unwrap_or_default()
}

/// How many times call `seq` of `client` was executed.
fn executions(state: &State, call: (ClientId, Seq)) -> usize {
    writes(state).iter().filter(|w| **w == call).count()
}

/// The operation of call `seq` of `client`, from its workload.
fn op_of(model: &KvModel, (client, seq): (ClientId, Seq)) -> Option<Op> {
    model.actors.iter().find_map(|a| match a {
        KvActor::Client {
            client: c,
            workload,
            ..
        } if *c == client => workload.get(usize::from(seq) - 1).copied(),
        _ => None,
    })
}

/// Linearizability (Herlihy & Wing 1990 §2): the key behaves as one copy
/// executing each call at one instant between its invocation and its
/// return: what a local call would do, which is what Birrell & Nelson 1984
/// §1 set out to imitate.
fn linearizable(_: &KvModel, state: &State) -> bool {
    state.history.linearizable.is_consistent()
}

/// At-most-once execution of the non-idempotent call (6.824 lab: "each
/// Append is applied once"; Birrell & Nelson 1984 §3.1: a call that does
/// not return was invoked "either once or not at all").
fn append_at_most_once(model: &KvModel, state: &State) -> bool {
    let applied = writes(state);
    applied
        .iter()
        .enumerate()
        .all(|(i, w)| !matches!(op_of(model, *w), Some(Op::Append(_))) || !applied[..i].contains(w))
}

/// Birrell & Nelson 1984 §3.1: "if the call returns (normally) then the
/// procedure in the server has been invoked precisely once". Every Put or
/// Append whose result a client accepted was executed exactly once: not
/// twice (a duplicate run), and not never (a result that belongs to some
/// other call). A Get changes nothing, so its executions are not counted;
/// its result is judged by "linearizable".
fn returned_write_executed_once(model: &KvModel, state: &State) -> bool {
    model
        .actors
        .iter()
        .zip(&state.actor_states)
        .all(|(a, s)| match (a, &**s) {
            (
                KvActor::Client {
                    client, workload, ..
                },
                KvState::Client { returned, .. },
            ) => (0..returned.len()).all(|i| {
                let call = (*client, i as Seq + 1);
                matches!(workload[i], Op::Get) || executions(state, call) == 1
            }),
            _ => true,
        })
}

/// Every call is eventually answered (Birrell & Nelson 1984 §3.2: the
/// caller retransmits until it gets the result, so over a network that
/// eventually delivers a retransmission, each call returns).
fn every_call_answered(model: &KvModel, state: &State) -> bool {
    model
        .actors
        .iter()
        .zip(&state.actor_states)
        .all(|(a, s)| match (a, &**s) {
            (KvActor::Client { workload, .. }, KvState::Client { call, .. }) => {
                *call == workload.len()
            }
            _ => true,
        })
}

/// Reachability: the server answered a call packet it had already executed
/// (a retransmission, or a copy the network duplicated) from its table, so
/// "at most once" is tested, not vacuous.
fn answered_from_table(_: &KvModel, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .any(|s| matches!(&**s, KvState::Server { replayed: true, .. }))
}

// Configuration.

pub type KvModel = ActorModel<KvActor, KvCfg, History>;

#[derive(Clone, Debug, Serialize)]
pub struct KvCfg {
    pub bug: Bug,
}

impl Config for KvCfg {
    type Model = KvModel;

    fn new(variant: &str, _params: &Params) -> Self {
        KvCfg {
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> KvModel {
        crate::runner::indexed(self)
    }

    /// The boundary in `model_on`, in words.
    fn analyses(_: &KvModel) -> checker::Analyses<KvModel> {
        checker::Analyses {
            boundary: Some(format!(
                "at most {} executions of the clients' writes; more are already a violation",
                WRITES + 1
            )),
            ..checker::Analyses::none()
        }
    }
}

/// Each client's calls: client 1 puts, client 2 appends then reads.
fn workloads() -> Vec<Vec<Op>> {
    vec![vec![Op::Put('x')], vec![Op::Append('y'), Op::Get]]
}

impl Runnable for KvCfg {
    type Actor = KvActor;
    type History = History;

    fn actor_count(&self) -> usize {
        1 + workloads().len()
    }

    const CLIENT_HISTORY: Option<history::ModelKind> = Some(history::ModelKind::Register);

    /// The server's one string: `Put` writes it, `Append` appends to it,
    /// `Get` reads it (the empty string is the history checker's empty
    /// register). A call's first send invokes it, and the result the client
    /// accepts returns it.
    fn history_edge(msg: &KvMsg) -> Option<HistoryEdge> {
        let text = |c: &char| serde_json::Value::from(c.to_string());
        Some(match msg {
            KvMsg::Call { op, .. } => {
                let (f, value) = match op {
                    Op::Put(c) => ("write", text(c)),
                    Op::Append(c) => ("append", text(c)),
                    Op::Get => ("read", serde_json::Value::Null),
                };
                HistoryEdge::Invoke {
                    f,
                    key: None,
                    value,
                }
            }
            KvMsg::Result { ret: Ret::Ok, .. } => HistoryEdge::Ok(None),
            KvMsg::Result {
                ret: Ret::Value(v), ..
            } => HistoryEdge::Ok(Some(if v.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::Value::from(v.as_str())
            })),
        })
    }

    fn done(states: &[Option<KvState>]) -> bool {
        let workloads = workloads();
        states
            .iter()
            .flatten()
            .filter_map(|s| match s {
                KvState::Client { call, .. } => Some(*call),
                KvState::Server { .. } => None,
            })
            .zip(&workloads)
            .all(|(call, w)| call == w.len())
    }

    fn observations(states: &[KvState], _: &History) -> Vec<String> {
        let workloads = workloads();
        let mut lines: Vec<String> = states
            .iter()
            .filter_map(|s| match s {
                KvState::Client { returned, .. } => Some(returned),
                KvState::Server { .. } => None,
            })
            .zip(&workloads)
            .enumerate()
            .map(|(c, (r, w))| format!("client {}: {w:?} returned {r:?}", c + 1))
            .collect();
        for s in states {
            if let KvState::Server { value, writes, .. } = s {
                lines.push(format!(
                    "server: value {value:?}, writes executed (client, call) {writes:?}"
                ));
            }
        }
        lines
    }

    /// The server, then the clients, known by `ids`.
    fn model_on(self, ids: &[Id]) -> KvModel {
        let server = KvActor::Server { bug: self.bug };
        let clients = workloads()
            .into_iter()
            .enumerate()
            .map(|(c, workload)| KvActor::Client {
                client: c as ClientId + 1,
                server: ids[0],
                workload,
            });
        ActorModel::new(self, History::default())
            .actor(server)
            .actors(clients)
            .init_network(Network::new_unordered_duplicating([]))
            .lossy_network(LossyNetwork::Yes)
            .record_msg_out(record_msg_out)
            .record_msg_in(record_msg_in)
            // Without duplicate detection the server executes each copy of
            // a call, and the value grows for ever; a second execution is
            // already a violation, so the space of interest ends at a
            // third.
            .within_boundary(|_, state| writes(state).len() <= usize::from(WRITES) + 1)
            .property(Expectation::Always, "linearizable", linearizable)
            .property(
                Expectation::Always,
                "each Append applied at most once",
                append_at_most_once,
            )
            .property(
                Expectation::Always,
                "a returned write executed exactly once",
                returned_write_executed_once,
            )
            .property(
                Expectation::Eventually,
                "every call answered",
                every_call_answered,
            )
            .property(
                Expectation::Sometimes,
                "call answered from the duplicate table",
                answered_from_table,
            )
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "rpc-kv",
    section: "MapReduce, RPC and threads",
    summary: "A key/value server behind at-most-once RPC: retransmissions answered from a duplicate table",
    citations: &[
        "Birrell & Nelson, Implementing Remote Procedure Calls (TOCS 2(1), 1984), §3.1 (requirements: precisely once) and §3.2 (simple calls: call identifier, duplicate table, retransmission)",
        "MIT 6.824 (6.5840) Distributed Systems, RPC lecture and Lab 2 (key/value server)",
        "Herlihy & Wing, Linearizability: A Correctness Condition for Concurrent Objects (TOPLAS 1990)",
    ],
    notes: "",
    params: &[],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "linearizable",
            kind: PropertyKind::Always,
            source: "Herlihy & Wing 1990 §2; Birrell & Nelson 1984 §1 (remote calls as like local ones as possible)",
        },
        PropertySpec {
            name: "each Append applied at most once",
            kind: PropertyKind::Always,
            source: "6.824 lab (each Append applied once); Birrell & Nelson 1984 §3.1 (a call runs once or not at all)",
        },
        PropertySpec {
            name: "a returned write executed exactly once",
            kind: PropertyKind::Always,
            source: "Birrell & Nelson 1984 §3.1 (if the call returns, the procedure was invoked precisely once)",
        },
        PropertySpec {
            name: "every call answered",
            kind: PropertyKind::Eventually,
            source: "Birrell & Nelson 1984 §3.2 (retransmit until acknowledged); needs strong fairness of delivery",
        },
        PropertySpec {
            name: "call answered from the duplicate table",
            kind: PropertyKind::Sometimes,
            source: "reachability: the duplicate table is exercised",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "the server keeps each client's last call and result, and answers a retransmission from it",
            expect: &[],
        },
        VariantSpec {
            name: "no-duplicate-detection",
            doc: "the server executes every call packet: a duplicated Append is applied twice",
            // A third execution ends the explored space (the value would
            // grow for ever), so liveness is not decided; with no table,
            // nothing is answered from it.
            expect: &[
                ("linearizable", Verdict::Violated),
                ("each Append applied at most once", Verdict::Violated),
                ("a returned write executed exactly once", Verdict::Violated),
                ("every call answered", Verdict::Inconclusive),
                // No table, so no example; but the bound cut the search,
                // so that absence is not shown, only not found.
                ("call answered from the duplicate table", Verdict::Inconclusive),
            ],
        },
        VariantSpec {
            name: "table-keyed-by-request-id",
            doc: "the duplicate table is keyed by sequence number alone: one client's first call is answered with the other's result and never executed",
            expect: &[
                ("linearizable", Verdict::Violated),
                ("a returned write executed exactly once", Verdict::Violated),
            ],
        },
    ],
    scenarios: &[ScenarioSpec {
        name: "weak-fairness",
        doc: "only weak fairness of delivery: every retransmission may be lost for ever",
        variant: crate::registry::CORRECT,
        params: &[],
        fairness: Some(Fairness::Weak),
        expect: &[("every call answered", Verdict::Violated)],
    }],
    fairness: Fairness::Strong,
    check: crate::registry::check_config::<KvCfg>,
    explore: crate::registry::explore_config::<KvCfg>,
    replay: crate::registry::replay_config::<KvCfg>,
    compare: crate::registry::compare_config::<KvCfg>,
    run: Some(crate::runner::run_config::<KvCfg>),
};
