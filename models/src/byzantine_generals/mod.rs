//! The Byzantine generals, as [Lamport, Shostak & Pease, "The Byzantine
//! Generals Problem" (TOPLAS 1982)](https://lamport.azurewebsites.net/pubs/byz.pdf)
//! solves it: a commander sends his order to `n - 1` lieutenants, who relay
//! what they received for `m` more rounds and decide by majority (oral
//! messages, OM(m), §3) or by the set of validly signed orders they saw
//! (signed messages, SM(m), §4).
//!
//! Fault model: up to two traitors (the commander or lieutenants,
//! parameters) who may send any value to anyone and collude (a traitor may
//! sign in another traitor's name); the checker explores every choice they
//! have (each of a traitor's sends is a set of timers, one per possible
//! message, and the first to fire is what it sends). The paper's assumptions
//! A1-A3 hold: every message sent is delivered (unordered, no loss), the
//! receiver knows the sender, and absence is detected: a lieutenant waits for
//! one message per sender and round, so a traitor's silence is one of its
//! choices (under OM, by A3, silence reads as RETREAT, which the traitor may
//! send outright; under SM an empty set of orders). With `signed = 1` a loyal
//! general's signature cannot be forged (A4).
//!
//! What the checker shows: the paper's results. OM(1) with four generals and
//! SM(1) with three keep IC1 and IC2 wherever the one traitor is; OM(1) with
//! three generals and a traitorous lieutenant violates IC2 (Theorem 1's
//! impossibility, scenario `om1-three-generals`; with three generals there is
//! one loyal lieutenant, so those scenarios test IC2 only). Two colluding
//! traitors break OM(1) with four generals, as Theorem 2's bound says they
//! must (n = 4 is not more than 3m for m = 2): in scenario
//! `om1-two-traitors` lieutenants 2 and 3 outvote the loyal commander's
//! ATTACK at lieutenant 1 (IC2, 8 steps), and in
//! `om1-two-traitors-with-commander` the commander and lieutenant 3 split
//! the loyal lieutenants (IC1, 12 steps). SM(m) against two traitors is too
//! many states for the catalog's seconds, so these are run by hand (`-p second_traitor=3`; release build, one thread): SM(2) with
//! four generals holds against the commander and lieutenant 3 (Theorem 3;
//! 675,565 unique states, depth 22) and against lieutenants 2 and 3 (91,183,
//! depth 24), while SM(1) against the commander and lieutenant 3 violates IC1
//! in 12 steps: the commander signs nothing for the loyal lieutenants, and
//! his accomplice, signing ATTACK in his name, tells one of them in the last
//! round (97,633 unique states). OM(m) for m = 2 needs seven generals (n >
//! 3m), out of this model's reach: OM is checked against its bound for m = 1
//! only.
//! `no-relay` and `ignore-own-order` break IC1 and IC2 at the default
//! configuration.
//!
//! With `retransmit = 1` (scenario `lossy`, and every real run) the network
//! loses and duplicates messages, against A1 ("every message that is sent
//! is delivered correctly", §3), and A1 is rebuilt under the rounds: every
//! general's sends go over stubborn links (Cachin, Guerraoui & Rodrigues,
//! "Introduction to Reliable and Secure Distributed Programming", 2011,
//! Algorithm 2.1 "Retransmit Forever": it remembers every (receiver,
//! message) it sent and sends them all again on a timer), and a
//! lieutenant already takes one message per sender and round, so a copy
//! is dropped as duplicate elimination (Algorithm 2.2) would drop it. The
//! link is below the algorithm: a traitor chooses what to send, and what
//! it chose is sent again like any general's message (its silence is the
//! empty message, one of its choices as before). A traitor that stopped
//! resending would leave a loyal lieutenant waiting forever, which the
//! paper's A3 (absence detected by a timeout, in a synchronous system)
//! answers and this model, with no clocks, does not: OM(m) and SM(m)
//! here keep their rounds by counting messages.

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{Actor, ActorModel, Id, LossyNetwork, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A general, by number: the commander is 0, lieutenant `i` is `i`.
pub type General = usize;
/// The commander.
pub const COMMANDER: General = 0;
/// A traitor parameter that names nobody (past the last lieutenant).
const NOBODY: General = 5;
/// A message's route in OM: the commander, then every lieutenant who relayed
/// it, the sender last (§3: "the value ... received from lieutenant j").
pub type Path = Vec<General>;

/// "ATTACK" or "RETREAT" (§1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Order {
    Attack,
    Retreat,
}

/// `v:0:j1:...:jk` of §4: an order with the signatures of the commander and
/// of each lieutenant who relayed it, in signing order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SignedOrder {
    pub order: Order,
    pub signers: Vec<General>,
}

/// One sender's messages to one receiver in one round (round 1: from the
/// commander; round `r + 1`: the relays of round `r`). Every sender sends
/// exactly one per round and receiver, possibly empty: the empty one stands
/// for the receiver noticing that nothing came (A3).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ByzantineMsg {
    /// OM(m): the value received along each path, relayed (sorted by
    /// path; a list, because JSON maps take only string keys).
    Oral {
        round: usize,
        values: Vec<(Path, Order)>,
    },
    /// SM(m): signed orders, each with the sender's signature last.
    Signed {
        round: usize,
        orders: BTreeSet<SignedOrder>,
    },
}

impl ByzantineMsg {
    fn round(&self) -> usize {
        match self {
            ByzantineMsg::Oral { round, .. } | ByzantineMsg::Signed { round, .. } => *round,
        }
    }

    /// How many of the paper's messages this is (one per path or signed
    /// order; §3 counts "messages" that way).
    pub fn paper_messages(&self) -> usize {
        match self {
            ByzantineMsg::Oral { values, .. } => values.len(),
            ByzantineMsg::Signed { orders, .. } => orders.len(),
        }
    }
}

/// Choices a general makes on its own. To the checker a timer fires at any
/// time, so a set of them is a nondeterministic choice: the first to fire
/// wins and cancels the rest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ByzantineTimer {
    /// A loyal commander decides which order to give.
    Give(Order),
    /// A traitor sends `msg` to general `to` (one alternative of its choice
    /// for that receiver and round).
    Lie { to: General, msg: ByzantineMsg },
    /// With [`ByzantineCfg::retransmit`]: the stubborn links' timer (Cachin
    /// et al. Algorithm 2.1, "upon event <Timeout>"); every send made is
    /// made again.
    Retransmit,
}

/// Every (receiver, message) a general sent: Cachin et al. Algorithm 2.1's
/// `sent` (with `retransmit` only; empty otherwise).
pub type Sent = BTreeSet<(General, ByzantineMsg)>;

/// A lieutenant's state.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize)]
pub struct LieutenantState {
    /// A constant of the run: this lieutenant is the traitor (it never
    /// decides).
    pub traitor: bool,
    /// Senders heard from, by round: a round is over when all have sent.
    pub heard: BTreeSet<(usize, General)>,
    /// Rounds that are over (their relays sent).
    pub rounds_done: usize,
    // OM(m)
    /// The value received along each path (`v_j` of §3).
    pub received: BTreeMap<Path, Order>,
    // SM(m)
    /// `V_i`: the orders received with valid signatures (§4).
    pub v: BTreeSet<Order>,
    /// Signed orders to relay at the end of their round: a loyal lieutenant
    /// keeps those that brought a new order, a traitor every one it got.
    pub relay: BTreeSet<SignedOrder>,
    /// The order the lieutenant obeys, once decided.
    pub decision: Option<Order>,
    /// Its sends, over the stubborn links.
    pub sent: Sent,
}

impl std::fmt::Debug for LieutenantState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = f.debug_struct("L");
        if !self.received.is_empty() {
            s.field("received", &self.received);
        }
        if !self.v.is_empty() {
            s.field("V", &self.v);
        }
        if let Some(d) = &self.decision {
            s.field("decision", d);
        }
        if !self.sent.is_empty() {
            s.field("sent", &self.sent.len());
        }
        s.finish()
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub enum ByzantineState {
    /// The commander: the order he gave, if loyal and decided, and his
    /// sends over the stubborn links.
    Commander {
        order: Option<Order>,
        sent: Sent,
    },
    Lieutenant(LieutenantState),
}

impl std::fmt::Debug for ByzantineState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ByzantineState::Commander { order, sent } if !sent.is_empty() => {
                write!(f, "Commander {{ order: {order:?}, sent: {} }}", sent.len())
            }
            ByzantineState::Commander { order, .. } => {
                write!(f, "Commander {{ order: {order:?} }}")
            }
            ByzantineState::Lieutenant(l) => l.fmt(f),
        }
    }
}

/// Known bugs, each one step of OM(m)/SM(m) broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// The algorithms as published.
    #[default]
    None,
    /// A loyal lieutenant does not act as commander for the others (OM step
    /// (2); SM step (2)A): it relays nothing. Must violate "IC2" and "IC1"
    /// at the default configuration (and "IC1" under SM with a traitorous
    /// commander, scenario `sm1-no-relay`).
    NoRelay,
    /// OM step (3): the lieutenant takes the majority of the values relayed
    /// by the others and leaves out `v_i`, the one it received itself. Must
    /// violate "IC2" (and "IC1").
    IgnoreOwnOrder,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NoRelay, Bug::IgnoreOwnOrder];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoRelay => "no-relay",
            Bug::IgnoreOwnOrder => "ignore-own-order",
        }
    }
}

/// Every general runs the same code; `traitor` says whether this one lies.
#[derive(Clone, Debug)]
pub struct ByzantineActor {
    pub me: General,
    /// Every general's id, the commander first.
    pub generals: Vec<Id>,
    /// The number of traitors the algorithm is run for: OM(m) or SM(m).
    pub m: usize,
    pub signed: bool,
    pub traitor: bool,
    /// Every traitor: they may collude, and a traitor may sign in another
    /// traitor's name (A4 protects only a loyal general's signature).
    pub traitors: Vec<General>,
    /// Sends go over stubborn links (see [`ByzantineCfg::retransmit`]).
    pub retransmit: bool,
    pub bug: Bug,
}

/// §3: "majority(v1, ..., vn-1) ... equals v if a majority of the vi equal
/// v", and RETREAT when there is no majority.
fn majority(values: &[Order]) -> Order {
    let attack = values.iter().filter(|v| **v == Order::Attack).count();
    if 2 * attack > values.len() {
        Order::Attack
    } else {
        Order::Retreat
    }
}

/// §4: "choice(V) ... if the set V consists of the single element v, then
/// choice(V) = v", and RETREAT otherwise (the paper's own example choice).
fn choice(v: &BTreeSet<Order>) -> Order {
    match v.iter().collect::<Vec<_>>().as_slice() {
        [only] => **only,
        _ => Order::Retreat,
    }
}

impl ByzantineActor {
    fn n(&self) -> usize {
        self.generals.len()
    }

    /// Sends `msg` to general `to`; over a stubborn link the send is
    /// remembered too: "upon event <sl, Send | q, m> do trigger <fll,
    /// Send | q, m>; sent := sent ∪ {(q, m)}" (Cachin et al. Algorithm
    /// 2.1).
    fn send(&self, sent: &mut Sent, to: General, msg: ByzantineMsg, o: &mut Out<Self>) {
        if self.retransmit {
            sent.insert((to, msg.clone()));
        }
        o.send(self.generals[to], msg);
    }

    /// The lieutenants other than `me`.
    fn others(&self) -> impl Iterator<Item = General> + '_ {
        (1..self.n()).filter(move |g| *g != self.me)
    }

    /// Who sends to a lieutenant in `round`: the commander in round 1, every
    /// other lieutenant afterwards.
    fn senders(&self, round: usize) -> Vec<General> {
        if round == 1 {
            vec![COMMANDER]
        } else {
            self.others().collect()
        }
    }

    /// Every path of `len` generals that OM routes: the commander, then
    /// distinct lieutenants, none in `avoid`.
    fn paths(&self, len: usize, avoid: &[General]) -> Vec<Path> {
        let mut paths = vec![vec![COMMANDER]];
        for _ in 1..len {
            paths = paths
                .into_iter()
                .flat_map(|p| {
                    (1..self.n())
                        .filter(|g| !p.contains(g) && !avoid.contains(g))
                        .map(|g| extend(&p, g))
                        .collect::<Vec<_>>()
                })
                .collect();
        }
        paths
    }

    /// OM's value for path `p` at this lieutenant: what came along `p` (or
    /// RETREAT, A3), or, while `p` is shorter than m+1, the majority of that
    /// and of the values the others relayed for it (OM(m - |p| + 1), §3).
    fn om_value(&self, l: &LieutenantState, p: &Path) -> Order {
        let own = l.received.get(p).copied().unwrap_or(Order::Retreat);
        if p.len() > self.m {
            return own;
        }
        let mut values: Vec<Order> = Vec::new();
        // The bug: v_i, the value the lieutenant received itself, is left out.
        if self.bug != Bug::IgnoreOwnOrder {
            values.push(own);
        }
        for k in self.others().filter(|k| !p.contains(k)) {
            values.push(self.om_value(l, &extend(p, k)));
        }
        majority(&values)
    }

    /// A valid signed order for this lieutenant in `round` from `sender`:
    /// signed first by the commander, then by distinct lieutenants, the
    /// sender last, and not already by this lieutenant.
    fn valid_signed(&self, o: &SignedOrder, round: usize, sender: General) -> bool {
        let s = &o.signers;
        s.len() == round
            && s.first() == Some(&COMMANDER)
            && s.last() == Some(&sender)
            && !s.contains(&self.me)
            && s.iter().collect::<BTreeSet<_>>().len() == s.len()
            && s[1..].iter().all(|g| (1..self.n()).contains(g))
    }

    /// A valid OM path in `round` from `sender`.
    fn valid_path(&self, p: &Path, round: usize, sender: General) -> bool {
        p.len() == round
            && p.first() == Some(&COMMANDER)
            && p.last() == Some(&sender)
            && !p.contains(&self.me)
            && p.iter().collect::<BTreeSet<_>>().len() == p.len()
            && p[1..].iter().all(|g| (1..self.n()).contains(g))
    }

    /// What a loyal lieutenant sends to `to` in round `round + 1`: OM relays
    /// each value of `round` (step (2): "acts as the commander in algorithm
    /// OM(m - 1)"), SM each order that was new, with its own signature (step
    /// (2)A), to every lieutenant not yet on it. With `no-relay` the message
    /// is empty: the receiver notices nothing came (A3).
    fn relay(&self, l: &LieutenantState, round: usize, to: General) -> ByzantineMsg {
        let next = round + 1;
        if self.signed {
            let orders = l
                .relay
                .iter()
                .filter(|o| o.signers.len() == round && !o.signers.contains(&to))
                .map(|o| sign(o, self.me))
                .filter(|_| self.bug != Bug::NoRelay)
                .collect();
            ByzantineMsg::Signed {
                round: next,
                orders,
            }
        } else {
            let values = l
                .received
                .iter()
                .filter(|(p, _)| p.len() == round && !p.contains(&to))
                .map(|(p, v)| (extend(p, self.me), *v))
                .filter(|_| self.bug != Bug::NoRelay)
                .collect();
            ByzantineMsg::Oral {
                round: next,
                values,
            }
        }
    }

    /// Everything a traitor may send to `to` in `round`: under OM any value
    /// for every path it would relay; under SM any subset of the orders it
    /// can sign (it cannot forge, A4: a lieutenant signs only orders it got).
    fn lies(&self, l: Option<&LieutenantState>, round: usize, to: General) -> Vec<ByzantineMsg> {
        if self.signed {
            let can_sign: Vec<SignedOrder> = match l {
                None => [Order::Attack, Order::Retreat]
                    .into_iter()
                    .map(|order| SignedOrder {
                        order,
                        signers: vec![COMMANDER],
                    })
                    .collect(),
                Some(l) => {
                    let mut can: BTreeSet<SignedOrder> = l
                        .relay
                        .iter()
                        .filter(|o| o.signers.len() == round - 1 && !o.signers.contains(&to))
                        .map(|o| sign(o, self.me))
                        .collect();
                    // Collusion: an order the commander signed (any, if he
                    // is a traitor too), then signed in the names of other
                    // traitorous lieutenants, then its own.
                    let orders: Vec<Order> = if self.traitors.contains(&COMMANDER) {
                        vec![Order::Attack, Order::Retreat]
                    } else {
                        l.v.iter().copied().collect()
                    };
                    let accomplices: Vec<General> = self
                        .traitors
                        .iter()
                        .copied()
                        .filter(|t| ![COMMANDER, self.me, to].contains(t))
                        .collect();
                    for chain in chains(&accomplices, round - 2) {
                        for order in &orders {
                            let mut signers = vec![COMMANDER];
                            signers.extend(&chain);
                            signers.push(self.me);
                            can.insert(SignedOrder {
                                order: *order,
                                signers,
                            });
                        }
                    }
                    can.into_iter().collect()
                }
            };
            subsets(&can_sign)
                .into_iter()
                .map(|orders| ByzantineMsg::Signed { round, orders })
                .collect()
        } else {
            let paths: Vec<Path> = if self.me == COMMANDER {
                vec![vec![COMMANDER]]
            } else {
                self.paths(round - 1, &[self.me, to])
                    .into_iter()
                    .map(|p| extend(&p, self.me))
                    .collect()
            };
            assignments(&paths)
                .into_iter()
                .map(|values| ByzantineMsg::Oral { round, values })
                .collect()
        }
    }

    /// A traitor's turn to send round `round`: one choice per receiver.
    fn lie(&self, l: Option<&LieutenantState>, round: usize, o: &mut Out<Self>) {
        let to: Vec<General> = if self.me == COMMANDER {
            (1..self.n()).collect()
        } else {
            self.others().collect()
        };
        for to in to {
            for msg in self.lies(l, round, to) {
                o.set_timer(ByzantineTimer::Lie { to, msg }, durations::CHOICE);
            }
        }
    }

    /// Ends every round whose messages have all arrived: relay (or lie), and
    /// after round m + 1 decide (OM step (3), SM step (3)).
    fn end_rounds(&self, l: &mut LieutenantState, o: &mut Out<Self>) {
        loop {
            let round = l.rounds_done + 1;
            if round > self.m + 1
                || !self
                    .senders(round)
                    .iter()
                    .all(|s| l.heard.contains(&(round, *s)))
            {
                return;
            }
            l.rounds_done = round;
            if round <= self.m {
                if self.traitor {
                    self.lie(Some(l), round + 1, o);
                } else {
                    let others: Vec<General> = self.others().collect();
                    for to in others {
                        let relay = self.relay(l, round, to);
                        self.send(&mut l.sent, to, relay, o);
                    }
                }
            } else if !self.traitor {
                l.decision = Some(if self.signed {
                    choice(&l.v)
                } else {
                    self.om_value(l, &vec![COMMANDER])
                });
            }
        }
    }
}

fn extend(p: &Path, g: General) -> Path {
    let mut q = p.clone();
    q.push(g);
    q
}

fn sign(o: &SignedOrder, g: General) -> SignedOrder {
    SignedOrder {
        order: o.order,
        signers: extend(&o.signers, g),
    }
}

/// Every sequence of `len` distinct generals from `from`.
fn chains(from: &[General], len: usize) -> Vec<Vec<General>> {
    let mut out = vec![Vec::new()];
    for _ in 0..len {
        out = out
            .into_iter()
            .flat_map(|c: Vec<General>| {
                from.iter()
                    .filter(|g| !c.contains(g))
                    .map(|g| extend(&c, *g))
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    out
}

/// Every subset of `items`.
fn subsets<T: Clone + Ord>(items: &[T]) -> Vec<BTreeSet<T>> {
    (0..1u32 << items.len())
        .map(|bits| {
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| bits >> i & 1 == 1)
                .map(|(_, t)| t.clone())
                .collect()
        })
        .collect()
}

/// Every assignment of an order to each path.
fn assignments(paths: &[Path]) -> Vec<Vec<(Path, Order)>> {
    (0..1u32 << paths.len())
        .map(|bits| {
            paths
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let v = if bits >> i & 1 == 1 {
                        Order::Retreat
                    } else {
                        Order::Attack
                    };
                    (p.clone(), v)
                })
                .collect()
        })
        .collect()
}

impl Actor for ByzantineActor {
    type Msg = ByzantineMsg;
    type Timer = ByzantineTimer;
    type State = ByzantineState;
    type Storage = ();
    type Random = ();

    fn name(&self) -> String {
        let role = if self.me == COMMANDER {
            "commander".to_string()
        } else {
            format!("lieutenant {}", self.me)
        };
        if self.traitor {
            format!("{role} (traitor)")
        } else {
            role
        }
    }

    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> ByzantineState {
        // Algorithm 2.1's Init: "sent := ∅; starttimer(Δ)".
        if self.retransmit {
            o.set_timer(ByzantineTimer::Retransmit, durations::RETRANSMIT);
        }
        if self.me != COMMANDER {
            return ByzantineState::Lieutenant(LieutenantState {
                traitor: self.traitor,
                ..LieutenantState::default()
            });
        }
        if self.traitor {
            self.lie(None, 1, o);
        } else {
            o.set_timer(ByzantineTimer::Give(Order::Attack), durations::CHOICE);
            o.set_timer(ByzantineTimer::Give(Order::Retreat), durations::CHOICE);
        }
        ByzantineState::Commander {
            order: None,
            sent: Sent::new(),
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        src: Id,
        msg: Self::Msg,
        o: &mut Out<Self>,
    ) {
        let Some(sender) = self.generals.iter().position(|g| *g == src) else {
            return;
        };
        let round = msg.round();
        match (state.as_ref(), msg) {
            // Receive one round's message from a sender the round expects
            // (A2: "the receiver of a message knows who sent it").
            (ByzantineState::Lieutenant(l), msg)
                if (1..=self.m + 1).contains(&round)
                    && self.senders(round).contains(&sender)
                    && !l.heard.contains(&(round, sender))
                    && matches!(msg, ByzantineMsg::Signed { .. }) == self.signed =>
            {
                let ByzantineState::Lieutenant(l) = state.to_mut() else {
                    unreachable!("matched a lieutenant")
                };
                l.heard.insert((round, sender));
                match msg {
                    // OM step (1)/(2): record v_j, the value along each path.
                    ByzantineMsg::Oral { values, .. } => {
                        for (p, v) in values {
                            if self.valid_path(&p, round, sender) {
                                l.received.insert(p, v);
                            }
                        }
                    }
                    // SM step (2)A/B: "if ... the order v is not in the set
                    // V_i then he adds v to V_i and, if k < m, sends
                    // v:0:j1:...:jk:i to every lieutenant other than j1..jk".
                    ByzantineMsg::Signed { orders, .. } => {
                        for so in orders {
                            if !self.valid_signed(&so, round, sender) {
                                continue;
                            }
                            let new = l.v.insert(so.order);
                            if (new || self.traitor) && round <= self.m {
                                l.relay.insert(so);
                            }
                        }
                    }
                }
                self.end_rounds(l, o);
            }
            _ => {}
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<Self::State>,
        timer: &Self::Timer,
        o: &mut Out<Self>,
    ) {
        match (state.as_ref(), timer) {
            // OM/SM step (1): "the commander sends his value to every
            // lieutenant" (signed, under SM).
            (ByzantineState::Commander { order: None, .. }, ByzantineTimer::Give(order))
                if !self.traitor =>
            {
                let mut sent = Sent::new();
                for other in [Order::Attack, Order::Retreat] {
                    o.cancel_timer(ByzantineTimer::Give(other));
                }
                for to in 1..self.n() {
                    let msg = if self.signed {
                        ByzantineMsg::Signed {
                            round: 1,
                            orders: BTreeSet::from([SignedOrder {
                                order: *order,
                                signers: vec![COMMANDER],
                            }]),
                        }
                    } else {
                        ByzantineMsg::Oral {
                            round: 1,
                            values: vec![(vec![COMMANDER], *order)],
                        }
                    };
                    self.send(&mut sent, to, msg, o);
                }
                *state.to_mut() = ByzantineState::Commander {
                    order: Some(*order),
                    sent,
                };
            }
            // A traitor sends one of its possible messages to `to`; the
            // others for that receiver and round are dropped.
            (_, ByzantineTimer::Lie { to, msg }) if self.traitor => {
                let l = match state.as_ref() {
                    ByzantineState::Lieutenant(l) => Some(l),
                    ByzantineState::Commander { .. } => None,
                };
                for alt in self.lies(l, msg.round(), *to) {
                    if alt != *msg {
                        o.cancel_timer(ByzantineTimer::Lie { to: *to, msg: alt });
                    }
                }
                let sent = match state.to_mut() {
                    ByzantineState::Lieutenant(l) => &mut l.sent,
                    ByzantineState::Commander { sent, .. } => sent,
                };
                self.send(sent, *to, msg.clone(), o);
            }
            // "upon event <Timeout> do forall (q, m) ∈ sent do trigger
            // <fll, Send | q, m>; starttimer(Δ)" (Cachin et al. Algorithm
            // 2.1): a message lost is sent again, and again, so one gets
            // through.
            (_, ByzantineTimer::Retransmit) => {
                let sent = match state.as_ref() {
                    ByzantineState::Lieutenant(l) => &l.sent,
                    ByzantineState::Commander { sent, .. } => sent,
                };
                for (to, msg) in sent {
                    o.send(self.generals[*to], msg.clone());
                }
                o.set_timer(ByzantineTimer::Retransmit, durations::RETRANSMIT);
            }
            _ => {}
        }
    }
}

type State = stateright::actor::ActorModelState<ByzantineActor>;

/// How long a choice takes on a real network. The checker ignores it.
mod durations {
    use std::ops::Range;
    use std::time::Duration;

    pub const CHOICE: Range<Duration> = Duration::from_millis(1)..Duration::from_millis(30);
    /// The stubborn links' period Δ: a few round trips.
    pub const RETRANSMIT: Range<Duration> = Duration::from_millis(20)..Duration::from_millis(40);
}

/// The decisions of the loyal lieutenants, by general.
fn loyal_decisions<'a>(
    model: &'a ByzantineModel,
    state: &'a State,
) -> impl Iterator<Item = Option<Order>> + 'a {
    state
        .actor_states
        .iter()
        .enumerate()
        .filter(|(g, _)| *g != COMMANDER && !model.cfg.traitors().contains(g))
        .map(|(_, s)| match &**s {
            ByzantineState::Lieutenant(l) => l.decision,
            ByzantineState::Commander { .. } => None,
        })
}

// Properties.

/// IC1: "All loyal lieutenants obey the same order" (Lamport, Shostak &
/// Pease 1982, §1).
fn ic1(model: &ByzantineModel, state: &State) -> bool {
    let decided: BTreeSet<Order> = loyal_decisions(model, state).flatten().collect();
    decided.len() <= 1
}

/// IC2: "If the commanding general is loyal, then every loyal lieutenant
/// obeys the order he sends" (§1).
fn ic2(model: &ByzantineModel, state: &State) -> bool {
    if model.cfg.traitors().contains(&COMMANDER) {
        return true;
    }
    let ByzantineState::Commander { order, .. } = &*state.actor_states[COMMANDER] else {
        return true;
    };
    loyal_decisions(model, state)
        .flatten()
        .all(|d| Some(d) == *order)
}

/// Every loyal lieutenant eventually decides (§3 and §4: each algorithm
/// ends after m + 1 rounds of messages, with A1-A3).
fn all_decide(model: &ByzantineModel, state: &State) -> bool {
    loyal_decisions(model, state).all(|d| d.is_some())
}

/// Reachability: the loyal lieutenants all attack.
fn all_attack(model: &ByzantineModel, state: &State) -> bool {
    loyal_decisions(model, state).all(|d| d == Some(Order::Attack))
}

/// Reachability: the loyal lieutenants all retreat.
fn all_retreat(model: &ByzantineModel, state: &State) -> bool {
    loyal_decisions(model, state).all(|d| d == Some(Order::Retreat))
}

// Configuration.

pub type ByzantineModel = ActorModel<ByzantineActor, ByzantineCfg>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ByzantineCfg {
    /// n: the commander and n - 1 lieutenants.
    pub generals: usize,
    /// The m of OM(m) and SM(m).
    pub m: usize,
    /// SM(m) (signed messages, §4) instead of OM(m) (§3).
    pub signed: bool,
    /// Which general is a traitor: 0 the commander, k lieutenant k; a
    /// number past the last lieutenant: nobody.
    pub traitor: usize,
    /// A second traitor, the same way (past the last lieutenant: none).
    pub second_traitor: usize,
    /// The network loses and duplicates messages, and every general's
    /// sends go over stubborn links (Cachin et al. Algorithm 2.1,
    /// "Retransmit Forever"), rebuilding A1: scenario `lossy`, and every
    /// real run (`dsw run byzantine-generals` sets it). Off by default:
    /// A1's reliable delivery.
    pub retransmit: bool,
    pub bug: Bug,
}

impl ByzantineCfg {
    fn traitors(&self) -> Vec<General> {
        [self.traitor, self.second_traitor]
            .into_iter()
            .filter(|g| *g < self.generals)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

impl Default for ByzantineCfg {
    /// OM(1) with four generals, the smallest that tolerates a traitor,
    /// and a traitorous lieutenant (the commander's choices make both
    /// orders reachable, so IC2 is tested for each).
    fn default() -> Self {
        ByzantineCfg {
            generals: 4,
            m: 1,
            signed: false,
            traitor: 3,
            second_traitor: NOBODY,
            retransmit: false,
            bug: Bug::None,
        }
    }
}

impl Config for ByzantineCfg {
    type Model = ByzantineModel;

    fn new(variant: &str, params: &Params) -> Self {
        ByzantineCfg {
            generals: params["generals"] as usize,
            m: params["m"] as usize,
            signed: params["signed"] == 1,
            traitor: params["traitor"] as usize,
            second_traitor: params["second_traitor"] as usize,
            retransmit: params["retransmit"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> ByzantineModel {
        crate::runner::indexed(self)
    }
}

impl Runnable for ByzantineCfg {
    type Actor = ByzantineActor;
    type History = ();

    fn actor_count(&self) -> usize {
        self.generals
    }

    /// Every loyal lieutenant has decided.
    fn done(states: &[Option<ByzantineState>]) -> bool {
        states.iter().all(|s| match s {
            Some(ByzantineState::Lieutenant(l)) => l.traitor || l.decision.is_some(),
            Some(ByzantineState::Commander { .. }) => true,
            None => false,
        })
    }

    fn observations(states: &[ByzantineState], _: &()) -> Vec<String> {
        let mut lines: Vec<String> = states
            .iter()
            .enumerate()
            .map(|(g, s)| match s {
                ByzantineState::Commander { order, .. } => format!("commander: gave {order:?}"),
                ByzantineState::Lieutenant(l) => {
                    format!("lieutenant {g}: decided {:?}", l.decision)
                }
            })
            .collect();
        let received: usize = states
            .iter()
            .map(|s| match s {
                ByzantineState::Lieutenant(l) => l.received.len(),
                ByzantineState::Commander { .. } => 0,
            })
            .sum();
        if received > 0 {
            let n = states.len();
            let m = states
                .iter()
                .filter_map(|s| match s {
                    ByzantineState::Lieutenant(l) => l.received.keys().map(Vec::len).max(),
                    ByzantineState::Commander { .. } => None,
                })
                .max()
                .unwrap_or(1)
                - 1;
            lines.push(format!(
                "OM({m}) path messages received: {received}; the paper's count (n-1) + (n-1)(n-2) + ... for n = {n}: {}",
                om_messages(n, m)
            ));
        }
        lines
    }

    /// The generals, commander first, known by `ids`.
    fn model_on(self, ids: &[Id]) -> ByzantineModel {
        let traitors = self.traitors();
        let actors: Vec<ByzantineActor> = (0..self.generals)
            .map(|me| ByzantineActor {
                me,
                generals: ids.to_vec(),
                m: self.m,
                signed: self.signed,
                traitor: traitors.contains(&me),
                traitors: traitors.clone(),
                retransmit: self.retransmit,
                bug: self.bug,
            })
            .collect();
        // Reliable links (A1) unless retransmitting; then fair-loss links
        // that also duplicate (Stateright's duplicating network keeps a
        // message in flight until it is lost).
        let (network, lossy) = if self.retransmit {
            (Network::new_unordered_duplicating([]), LossyNetwork::Yes)
        } else {
            (Network::new_unordered_nonduplicating([]), LossyNetwork::No)
        };
        ActorModel::new(self, ())
            .actors(actors)
            .init_network(network)
            .lossy_network(lossy)
            .property(Expectation::Always, "IC1", ic1)
            .property(Expectation::Always, "IC2", ic2)
            .property(
                Expectation::Eventually,
                "all loyal lieutenants decide",
                all_decide,
            )
            .property(
                Expectation::Sometimes,
                "loyal lieutenants attack",
                all_attack,
            )
            .property(
                Expectation::Sometimes,
                "loyal lieutenants retreat",
                all_retreat,
            )
    }

    /// `dsw run byzantine-generals`: the configuration given, with
    /// `retransmit` on, as scenario `lossy` checks it: a real network may
    /// lose and duplicate (`--loss`, `--duplicate`), and a lieutenant
    /// waiting for a message that was lost never ends its round.
    fn for_real_network(self) -> Self {
        Self {
            retransmit: true,
            ..self
        }
    }
}

/// The messages OM(m) sends with n generals over all its m + 1 rounds: one
/// per path of the commander and up to m distinct lieutenants, each sent to
/// a lieutenant not on it, so (n - 1) + (n - 1)(n - 2) + ... + (n - 1)(n -
/// 2)...(n - m - 1). The last term is the paper's count (§3: OM(m) "requires
/// ... (n - 1)(n - 2)...(n - m - 1) messages"), which dominates the sum.
pub fn om_messages(n: usize, m: usize) -> usize {
    let mut round = 1;
    let mut total = 0;
    for k in 0..=m {
        round *= n.saturating_sub(1 + k);
        total += round;
    }
    total
}

pub static PROTOCOL: Protocol = Protocol {
    name: "byzantine-generals",
    section: "Distributed consensus and time",
    summary: "Oral messages OM(m) and signed messages SM(m): loyal lieutenants agree despite a traitor who may send anything",
    citations: &["Lamport, Shostak & Pease, The Byzantine Generals Problem (TOPLAS 1982), §1, §3-4"],
    notes: "",
    params: &[
        ParamSpec {
            name: "generals",
            doc: "n: the commander and n - 1 lieutenants",
            default: 4,
            min: 3,
            max: 5,
        },
        ParamSpec {
            name: "m",
            doc: "the m of OM(m) / SM(m): rounds of relaying",
            default: 1,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "signed",
            doc: "1: signed messages SM(m) (§4); 0: oral messages OM(m) (§3)",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "traitor",
            doc: "a traitor: 0 the commander, k lieutenant k; past the last lieutenant, nobody",
            default: 3,
            min: 0,
            max: 5,
        },
        ParamSpec {
            name: "second_traitor",
            doc: "a second traitor, colluding with the first (it may sign in its name); 5: none",
            default: 5,
            min: 0,
            max: 5,
        },
        ParamSpec {
            name: "retransmit",
            doc: "1: the network loses and duplicates messages, and every general's sends are repeated on a timer forever (a stubborn link, Cachin et al. Algorithm 2.1), rebuilding A1 (scenario lossy; every real run retransmits); 0: A1's reliable delivery, no timer",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[],
    properties: &[
        PropertySpec {
            name: "IC1",
            kind: PropertyKind::Always,
            source: "Lamport, Shostak & Pease 1982 §1: all loyal lieutenants obey the same order",
        },
        PropertySpec {
            name: "IC2",
            kind: PropertyKind::Always,
            source: "Lamport, Shostak & Pease 1982 §1: if the commander is loyal, every loyal lieutenant obeys his order",
        },
        PropertySpec {
            name: "all loyal lieutenants decide",
            kind: PropertyKind::Eventually,
            source: "Lamport, Shostak & Pease 1982 §3-4: OM(m) and SM(m) end after m + 1 rounds (A1-A3)",
        },
        PropertySpec {
            name: "loyal lieutenants attack",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
        PropertySpec {
            name: "loyal lieutenants retreat",
            kind: PropertyKind::Sometimes,
            source: "reachability",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "OM(m) and SM(m) as published; by default OM(1), 4 generals, lieutenant 3 a traitor: Theorem 2 (n > 3m), IC1 and IC2 hold",
            expect: &[],
        },
        VariantSpec {
            name: "no-relay",
            doc: "a loyal lieutenant does not act as commander for the others: it relays nothing",
            expect: &[("IC1", Verdict::Violated), ("IC2", Verdict::Violated)],
        },
        VariantSpec {
            name: "ignore-own-order",
            doc: "OM step (3) without v_i: the majority of the relayed values only",
            expect: &[("IC1", Verdict::Violated), ("IC2", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "om1-three-generals",
            doc: "OM(1) with 3 generals and a traitorous lieutenant: IC2 VIOLATED, the impossibility of §2 (Fig. 1, Theorem 1: no solution with fewer than 3m + 1 generals)",
            variant: crate::registry::CORRECT,
            params: &[("generals", 3), ("traitor", 2)],
            fairness: None,
            expect: &[("IC2", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "om1-three-generals-traitorous-commander",
            doc: "OM(1) with 3 generals and a traitorous commander (Fig. 2): OM's default RETREAT on a tie keeps IC1 here, so of Theorem 1's two cases it is the traitorous lieutenant that breaks OM(1)",
            variant: crate::registry::CORRECT,
            params: &[("generals", 3), ("traitor", 0)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "traitorous-commander",
            doc: "OM(1) with 4 generals and a traitorous commander who may tell each lieutenant anything: IC1 holds (Theorem 2)",
            variant: crate::registry::CORRECT,
            params: &[("traitor", 0)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "om0-traitorous-commander",
            doc: "OM(0), lieutenants obey the commander's message directly: a traitorous commander splits them, IC1 VIOLATED",
            variant: crate::registry::CORRECT,
            params: &[("m", 0), ("traitor", 0)],
            fairness: None,
            expect: &[("IC1", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "om1-two-traitors",
            doc: "OM(1) with 4 generals and two colluding traitorous lieutenants: IC2 VIOLATED, OM(m) copes with m traitors only (Theorem 2 needs n > 3m: seven generals for two)",
            variant: crate::registry::CORRECT,
            params: &[("traitor", 2), ("second_traitor", 3)],
            fairness: None,
            expect: &[("IC2", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "om1-two-traitors-with-commander",
            doc: "OM(1) with 4 generals, a traitorous commander and a traitorous lieutenant: IC1 VIOLATED, the loyal lieutenants split (Theorem 2 needs n > 3m)",
            variant: crate::registry::CORRECT,
            params: &[("traitor", 0), ("second_traitor", 3)],
            fairness: None,
            expect: &[("IC1", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "sm1-three-generals",
            doc: "SM(1) with 3 generals and a traitorous lieutenant, who cannot forge the commander's signature: IC1 and IC2 hold (Theorem 3)",
            variant: crate::registry::CORRECT,
            params: &[("generals", 3), ("signed", 1), ("traitor", 2)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "sm1-three-generals-traitorous-commander",
            doc: "SM(1) with 3 generals and a traitorous commander who may sign both orders: the lieutenants relay and agree (Theorem 3)",
            variant: crate::registry::CORRECT,
            params: &[("generals", 3), ("signed", 1), ("traitor", 0)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "sm1-no-relay",
            doc: "SM(1) with 3 generals, a traitorous commander, and lieutenants that do not relay: IC1 VIOLATED",
            variant: "no-relay",
            params: &[("generals", 3), ("signed", 1), ("traitor", 0)],
            fairness: None,
            expect: &[("IC1", Verdict::Violated)],
        },
        ScenarioSpec {
            name: "lossy",
            doc: "the real run's links: OM(1) over a network that loses and duplicates, every general's sends repeated on a timer (stubborn links, Cachin et al. Algorithm 2.1), rebuilding A1; 3 generals and a traitorous commander, as om1-three-generals-traitorous-commander (the real run's 4 generals passed 435,000 unique states, 884 MiB, in 40 s without finishing). IC1 and IC2 hold and, under strong fairness (a message sent again and again is delivered at last), every loyal lieutenant decides",
            variant: crate::registry::CORRECT,
            params: &[("retransmit", 1), ("generals", 3), ("traitor", 0)],
            fairness: Some(checker::Fairness::Strong),
            expect: &[],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<ByzantineCfg>,
    explore: crate::registry::explore_config::<ByzantineCfg>,
    replay: crate::registry::replay_config::<ByzantineCfg>,
    compare: crate::registry::compare_config::<ByzantineCfg>,
    run: Some(crate::runner::run_config::<ByzantineCfg>),
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
        let defaults = ByzantineCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, ByzantineCfg::default());
        let model = defaults.into_model();
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }

    /// §3: OM(1) with 4 generals sends 3 + 3·2 = 9 messages.
    #[test]
    fn om_message_count_is_the_papers() {
        assert_eq!(om_messages(4, 1), 9);
        assert_eq!(om_messages(4, 0), 3);
        assert_eq!(om_messages(7, 2), 6 + 30 + 120);
    }

    fn check(params: &[(&'static str, i64)]) -> checker::CheckSummary {
        let mut p = PROTOCOL.default_params();
        p.extend(params.iter().copied());
        crate::registry::check_config::<ByzantineCfg>(
            crate::registry::CORRECT,
            &p,
            &checker::CheckOptions::default(),
            &mut |_| {},
        )
    }

    fn holds(s: &checker::CheckSummary, property: &str) -> bool {
        s.property(property).map(|r| r.verdict) == Some(Verdict::Holds)
    }

    /// The paper's results, each traitor placement checked: OM(1) with 3
    /// generals fails (Theorem 1, §2), with 4 it holds (Theorem 2), SM(1)
    /// with 3 holds (Theorem 3).
    #[test]
    fn the_papers_results() {
        let om1_three = check(&[("generals", 3), ("traitor", 2)]);
        assert!(!holds(&om1_three, "IC1") || !holds(&om1_three, "IC2"));
        for traitor in 0..4 {
            let om1_four = check(&[("traitor", traitor)]);
            assert!(
                holds(&om1_four, "IC1") && holds(&om1_four, "IC2"),
                "{traitor}"
            );
        }
        for traitor in 0..3 {
            let sm1_three = check(&[("generals", 3), ("signed", 1), ("traitor", traitor)]);
            assert!(
                holds(&sm1_three, "IC1") && holds(&sm1_three, "IC2"),
                "{traitor}"
            );
        }
    }

    /// One run of OM(m) with loyal generals, to its end: the path messages
    /// the lieutenants received are the count of `om_messages`.
    #[test]
    fn a_run_sends_the_papers_count_of_messages() {
        use stateright::Model;
        for (n, m) in [(3, 1), (4, 1), (5, 2)] {
            let cfg = ByzantineCfg {
                generals: n,
                m,
                traitor: NOBODY,
                ..ByzantineCfg::default()
            };
            let model = cfg.into_model();
            let mut s = model.init_states().remove(0);
            loop {
                let mut actions = Vec::new();
                model.actions(&s, &mut actions);
                match actions.into_iter().find_map(|a| model.next_state(&s, a)) {
                    Some(next) => s = next,
                    None => break,
                }
            }
            let received: usize = s
                .actor_states
                .iter()
                .map(|g| match &**g {
                    ByzantineState::Lieutenant(l) => {
                        assert!(l.decision.is_some());
                        l.received.len()
                    }
                    ByzantineState::Commander { .. } => 0,
                })
                .sum();
            assert_eq!(received, om_messages(n, m), "n = {n}, m = {m}");
        }
    }

    #[test]
    fn majority_defaults_to_retreat() {
        use Order::*;
        assert_eq!(majority(&[Attack, Retreat]), Retreat);
        assert_eq!(majority(&[Attack, Attack, Retreat]), Attack);
        assert_eq!(choice(&BTreeSet::from([Attack, Retreat])), Retreat);
        assert_eq!(choice(&BTreeSet::from([Attack])), Attack);
        assert_eq!(choice(&BTreeSet::new()), Retreat);
    }
}
