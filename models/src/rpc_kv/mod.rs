//! A key/value server reached by at-most-once RPC, as [Birrell & Nelson,
//! "Implementing Remote Procedure Calls" (TOCS 1984)](https://doi.org/10.1145/2080.357392)
//! §3 builds it and MIT 6.824's RPC lecture and key/value lab use it: a
//! client tags each call with its id and a sequence number and retransmits
//! until answered; the server remembers, per client, the last call it
//! executed and its result, answers a retransmission from that table, and
//! executes each call once.
//!
//! Fault model: a network that loses, duplicates and reorders messages; no
//! crashes. One key; client 1 calls `Put(x)`, client 2 calls `Append(y)` then
//! `Get`. The checker shows the history linearizable and every Append
//! applied once; every call answered under strong fairness of delivery (a
//! retransmission that is lost forever never gets through).
//! `no-duplicate-detection` applies a duplicated Append twice;
//! `table-keyed-by-request-id` answers one client's call with another's
//! result.

use crate::registry::{Config, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec};
use crate::runner::Runnable;
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
/// A call's sequence number, from 1, increasing per client (§3.1: "the call
/// identifier ... a sequence number").
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

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
        /// Every Append executed, as (client, seq), in order.
        appends: Vec<(ClientId, Seq)>,
        /// How many times a Put or Append was executed (at most
        /// [`WRITES`] + 1 explored).
        writes: u8,
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
    /// "each Append applied at most once" (and "linearizable").
    NoDuplicateDetection,
    /// The duplicate table is keyed by the sequence number alone: client 2's
    /// call 1 looks like a retransmission of client 1's call 1 and gets its
    /// result without being executed. Must violate "linearizable".
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
                appends: Vec::new(),
                writes: 0,
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
                // §3.1: the server keeps, per caller, the last call's
                // sequence number and result. The bug keys it by the call's
                // sequence number alone.
                let key = match bug {
                    Bug::TableKeyedByRequestId => seq,
                    Bug::None | Bug::NoDuplicateDetection => client,
                };
                let last = executed
                    .get(&key)
                    .filter(|_| *bug != Bug::NoDuplicateDetection)
                    .cloned();
                match last {
                    // A retransmission of the last call: "the result is
                    // sent again" without executing it twice.
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
                            appends,
                            writes,
                            ..
                        } = state.to_mut()
                        else {
                            return;
                        };
                        let ret = match op {
                            Op::Put(c) => {
                                *value = c.to_string();
                                *writes += 1;
                                Ret::Ok
                            }
                            Op::Append(c) => {
                                value.push(c);
                                appends.push((client, seq));
                                *writes += 1;
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
        // No result yet: retransmit the call packet (§3.1).
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

fn executions(state: &State) -> u8 {
    state
        .actor_states
        .iter()
        .find_map(|s| match &**s {
            KvState::Server { writes, .. } => Some(*writes),
            KvState::Client { .. } => None,
        })
        .unwrap_or_default()
}

fn appends(state: &State) -> &[(ClientId, Seq)] {
    state
        .actor_states
        .iter()
        .find_map(|s| match &**s {
            KvState::Server { appends, .. } => Some(appends.as_slice()),
            KvState::Client { .. } => None,
        })
        .unwrap_or_default()
}

/// Linearizability (Herlihy & Wing 1990 §2): the key behaves as one copy
/// executing each call at one instant between its invocation and its
/// return. Birrell & Nelson 1984 §1.2 aim to make a remote call "as close
/// as possible" to a local one, which is this condition.
fn linearizable(_: &KvModel, state: &State) -> bool {
    state.history.linearizable.is_consistent()
}

/// At-most-once execution (Birrell & Nelson 1984 §3.1: "if the call
/// returns ... the procedure has been invoked precisely once"; 6.824 lab:
/// "each Append is applied once").
fn append_at_most_once(_: &KvModel, state: &State) -> bool {
    let applied = appends(state);
    applied
        .iter()
        .enumerate()
        .all(|(i, a)| !applied[..i].contains(a))
}

/// Every call is eventually answered (Birrell & Nelson 1984 §3.1: the
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

/// Reachability: the server answered a retransmitted (or duplicated)
/// call from its table, so "at most once" is tested, not vacuous.
fn retransmission_answered_from_table(_: &KvModel, state: &State) -> bool {
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
            if let KvState::Server { value, appends, .. } = s {
                lines.push(format!(
                    "server: value {value:?}, appends executed {appends:?}"
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
            .within_boundary(|_, state| executions(state) <= WRITES + 1)
            .property(Expectation::Always, "linearizable", linearizable)
            .property(
                Expectation::Always,
                "each Append applied at most once",
                append_at_most_once,
            )
            .property(
                Expectation::Eventually,
                "every call answered",
                every_call_answered,
            )
            .property(
                Expectation::Sometimes,
                "retransmission answered from the table",
                retransmission_answered_from_table,
            )
    }
}

pub static PROTOCOL: Protocol = Protocol {
    name: "rpc-kv",
    section: "MapReduce, RPC and threads",
    summary: "A key/value server behind at-most-once RPC: retransmissions answered from a duplicate table",
    citations: &[
        "Birrell & Nelson, Implementing Remote Procedure Calls (TOCS 2(1), 1984), §3.1",
        "MIT 6.824 (6.5840) Distributed Systems, RPC lecture and Lab 2 (key/value server)",
        "Herlihy & Wing, Linearizability: A Correctness Condition for Concurrent Objects (TOPLAS 1990)",
    ],
    notes: "",
    params: &[],
    properties: &[
        PropertySpec {
            name: "linearizable",
            kind: PropertyKind::Always,
            source: "Herlihy & Wing 1990 §2; Birrell & Nelson 1984 §1.2",
        },
        PropertySpec {
            name: "each Append applied at most once",
            kind: PropertyKind::Always,
            source: "Birrell & Nelson 1984 §3.1 (exactly once when the call returns)",
        },
        PropertySpec {
            name: "every call answered",
            kind: PropertyKind::Eventually,
            source: "Birrell & Nelson 1984 §3.1 (retransmit until answered); needs strong fairness of delivery",
        },
        PropertySpec {
            name: "retransmission answered from the table",
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
                ("every call answered", Verdict::Inconclusive),
                // No table, so no example; but the bound cut the search,
                // so that absence is not shown, only not found.
                ("retransmission answered from the table", Verdict::Inconclusive),
            ],
        },
        VariantSpec {
            name: "table-keyed-by-request-id",
            doc: "the duplicate table is keyed by sequence number alone: client 2's Append is answered with client 1's result and never executed",
            expect: &[("linearizable", Verdict::Violated)],
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
    run: Some(crate::runner::run_config::<KvCfg>),
};
