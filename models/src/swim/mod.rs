//! SWIM, the membership protocol of [Das, Gupta & Motivala, "SWIM: Scalable
//! Weakly-consistent Infection-style Process Group Membership Protocol" (DSN
//! 2002)](https://doi.org/10.1109/DSN.2002.1028914) §3-4: each protocol period
//! a member pings one other; without an ack it asks `k` others to ping it
//! (ping-req); without any ack it suspects it, and a suspicion not refuted
//! within a timeout becomes a confirmed failure. Members piggyback what they
//! know on every message (infection-style dissemination), and a suspected
//! member refutes by raising its incarnation number.
//!
//! Fault model: unordered links that may lose up to `losses` messages in all
//! (never must); the last `crashes` members may crash and stay down (a fair
//! choice that offers not crashing: may, never must). Timeouts assume
//! the paper's synchrony: a probe's timeout fires only once every reply that
//! can still come has come (the period is longer than a round trip).
//!
//! What the checker shows (3 members, k = 1, two losses; the `crash`
//! scenario: one crash, no loss): accuracy holds and a falsely suspected
//! member clears itself; a crashed member is declared failed by every live
//! one. `no-suspicion` declares a member failed as soon as a probe fails:
//! two losses make a live member failed (accuracy violated);
//! `no-incarnation-bump` refutes without a new incarnation, which overrides
//! no suspicion, so the suspected member is confirmed failed all the same.
//! Suspicion lowers the false-positive rate; it does not remove it (§4.2):
//! with three losses accuracy still holds, with four (`-p losses=4`, 603,372
//! unique states, outside the catalog's seconds) it is violated, m2's
//! probes lost whole twice, so it never hears it is suspected.

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::liveness::FairnessClasses;
use checker::{Describe, PropertyKind, Step, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{
    Actor, ActorModel, ActorModelAction, ActorModelState, Id, LossyNetwork, Network, Out,
};
use stateright::{Model, Property};
use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::time::Duration;

pub mod run;

/// A group member by number: 0 is m1.
pub type Member = usize;
/// A member's incarnation number (§4.2), raised only by the member itself.
pub type Incarnation = u8;

/// What one member believes of another: the states of §4.2's membership
/// list, each with the incarnation it was heard at. `Faulty` is a confirmed
/// failure (the paper removes the member from the list).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Status {
    Alive(Incarnation),
    Suspect(Incarnation),
    Faulty,
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Alive(i) => write!(f, "alive@{i}"),
            Status::Suspect(i) => write!(f, "suspect@{i}"),
            Status::Faulty => f.write_str("failed"),
        }
    }
}

impl Status {
    /// §4.2's precedence of updates about one member: "{Alive Ml, inc=i}
    /// overrides {Suspect Ml, inc=j} if i > j, and {Alive Ml, inc=j} if
    /// i > j"; "{Suspect Ml, inc=i} overrides {Suspect Ml, inc=j} if i > j,
    /// and {Alive Ml, inc=j} if i >= j"; "{Confirm Ml, inc=i} overrides
    /// {Alive Ml, inc=j} and {Suspect Ml, inc=j}, any j". Nothing overrides
    /// a confirmed failure: the member has left the list.
    fn overrides(self, old: Status) -> bool {
        match (self, old) {
            (_, Status::Faulty) => false,
            (Status::Faulty, _) => true,
            (Status::Alive(i), Status::Alive(j) | Status::Suspect(j)) => i > j,
            (Status::Suspect(i), Status::Suspect(j)) => i > j,
            (Status::Suspect(i), Status::Alive(j)) => i >= j,
        }
    }
}

/// A member's whole membership list, one entry per member, its own
/// included: what every message piggybacks (§4.1).
pub type View = Vec<Status>;

/// The messages of §3.1, each carrying the sender's list (§4.1:
/// "piggybacking on ping, ping-req and ack messages"). `prober` is the
/// member whose protocol period the message belongs to: an ack for a
/// ping-req travels back through the member that pinged on its behalf.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SwimMsg {
    Ping {
        prober: Member,
        updates: View,
    },
    PingReq {
        prober: Member,
        target: Member,
        updates: View,
    },
    Ack {
        prober: Member,
        target: Member,
        updates: View,
    },
}

impl SwimMsg {
    /// The member whose probe this message serves.
    pub fn prober(&self) -> Member {
        match self {
            SwimMsg::Ping { prober, .. }
            | SwimMsg::PingReq { prober, .. }
            | SwimMsg::Ack { prober, .. } => *prober,
        }
    }

    fn updates(&self) -> &View {
        match self {
            SwimMsg::Ping { updates, .. }
            | SwimMsg::PingReq { updates, .. }
            | SwimMsg::Ack { updates, .. } => updates,
        }
    }
}

fn name(m: Member) -> String {
    format!("m{}", m + 1)
}

impl fmt::Debug for SwimMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SwimMsg::Ping { prober, updates } => {
                write!(f, "Ping(for {}) {updates:?}", name(*prober))
            }
            SwimMsg::PingReq {
                target, updates, ..
            } => write!(f, "PingReq({}) {updates:?}", name(*target)),
            SwimMsg::Ack {
                prober,
                target,
                updates,
            } => write!(
                f,
                "Ack({} for {}) {updates:?}",
                name(*target),
                name(*prober)
            ),
        }
    }
}

/// A member's own steps.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SwimTimer {
    /// The end of a protocol period and the start of the next (§3.1).
    Period,
    /// The ping timeout within a period, after which ping-reqs go out.
    PingTimeout,
    /// (Real runs only) the member is killed.
    Kill,
}

/// A member's random choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SwimChoice {
    /// §3.1's random ping target (real runs).
    Target(Member),
    /// (Checker) the member crashes now, and stays down.
    Crash,
    /// (Checker) the member never crashes.
    NoCrash,
}

/// Where a member is in its protocol period (§3.1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Probe {
    /// Acked (or nobody to ping): waiting for the period to end.
    Done,
    /// Pinged `target`, waiting for the ack until the ping timeout.
    Pinged { target: Member },
    /// Sent ping-req about `target` to k members; waiting until the period
    /// ends.
    PingReqd { target: Member },
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Done => f.write_str("done"),
            Probe::Pinged { target } => write!(f, "pinged {}", name(*target)),
            Probe::PingReqd { target } => write!(f, "ping-req'd {}", name(*target)),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct SwimState {
    // Membership (§4.2).
    /// The membership list; the own entry carries this member's
    /// incarnation number.
    pub view: View,
    /// For each suspected member, the protocol periods left before the
    /// suspicion is confirmed.
    pub suspicion: Vec<u8>,
    // Failure detector (§3.1, §4.3).
    pub probe: Probe,
    /// Where the round-robin target selection of §4.3 resumes.
    pub next: Member,
    // Crashes.
    /// Crashed (killed, in a real run): handles nothing, and the checker
    /// takes no step of it.
    pub killed: bool,
    /// (Checker) whether to crash is still to be chosen. The choice is fair
    /// and offers no crash, so a crash may happen and never must; and
    /// strong completeness cannot hold before the choice, so that it is not
    /// met vacuously by the state before the crash.
    pub may_crash: bool,
}

impl fmt::Debug for SwimState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.killed {
            return f.write_str("crashed");
        }
        write!(f, "{{view: {:?}, probe: {:?}", self.view, self.probe)?;
        let timers: Vec<String> = self
            .view
            .iter()
            .zip(&self.suspicion)
            .enumerate()
            .filter(|(_, (s, _))| matches!(s, Status::Suspect(_)))
            .map(|(m, (_, left))| format!("{} in {left}", name(m)))
            .collect();
        if !timers.is_empty() {
            write!(f, ", confirm: [{}]", timers.join(", "))?;
        }
        f.write_str("}")
    }
}

/// Known bugs, each one rule of §4.2 weakened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// SWIM as published.
    #[default]
    None,
    /// A failed probe declares the target failed at once, §3's basic
    /// protocol without §4.2's suspicion. Must violate "accuracy" when
    /// messages are lost.
    NoSuspicion,
    /// A member that hears it is suspected answers with its current
    /// incarnation instead of a new one, which overrides no suspicion: it
    /// cannot clear itself. Must violate "accuracy" when messages are lost.
    NoIncarnationBump,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[Bug::None, Bug::NoSuspicion, Bug::NoIncarnationBump];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::NoSuspicion => "no-suspicion",
            Bug::NoIncarnationBump => "no-incarnation-bump",
        }
    }
}

/// How a member picks whom to ping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Selection {
    /// §4.3's round robin (in list order): every member is pinged once in
    /// `members - 1` periods, which bounds detection time. The checker's.
    RoundRobin,
    /// §3.1's uniformly random choice each period, whose expected detection
    /// time the paper derives. Real runs'.
    Random,
}

#[derive(Clone, Debug)]
pub struct SwimActor {
    pub me: Member,
    /// Every member's id, m1 first.
    pub members: Vec<Id>,
    /// Members asked to ping on a prober's behalf (§3.1's k).
    pub k: usize,
    /// Protocol periods a suspicion lasts before it is confirmed (§4.2's
    /// "prespecified time-out").
    pub suspicion: u8,
    pub selection: Selection,
    /// The protocol period, on a real network (the checker ignores time).
    pub period: Duration,
    /// (Real runs only) killed after this long.
    pub kill_after: Option<Duration>,
    /// (Checker) may crash, at any time: a fair choice, one option of
    /// which is never to crash.
    pub may_crash: bool,
    pub bug: Bug,
}

impl SwimActor {
    fn n(&self) -> usize {
        self.members.len()
    }

    /// The ping timeout within a period: a fifth of it (the paper asks only
    /// that it exceed a round trip, §3.1).
    fn ping_timeout(&self) -> Range<Duration> {
        runtime::exactly(self.period / 5)
    }

    /// Members after `from` in list order, wrapping, other than this one
    /// and those confirmed failed.
    fn candidates<'a>(
        &'a self,
        s: &'a SwimState,
        from: Member,
    ) -> impl Iterator<Item = Member> + 'a {
        let n = self.n();
        (0..n)
            .map(move |i| (from + i) % n)
            .filter(move |m| *m != self.me && s.view[*m] != Status::Faulty)
    }

    /// Merges a message's piggybacked list into this member's (§4.1-4.2).
    fn merge(&self, s: &mut SwimState, updates: &View) {
        for (m, &update) in updates.iter().enumerate() {
            if m == self.me {
                // "M_j itself ... can start propagating an {Alive M_j}
                // message" (§4.2), with a new incarnation: "such an
                // incarnation number can be incremented only by M_j, when it
                // receives information about itself being suspected in the
                // current incarnation". The bug answers at the current one.
                let Status::Alive(own) = s.view[m] else {
                    continue;
                };
                if let Status::Suspect(inc) = update {
                    if inc >= own && self.bug != Bug::NoIncarnationBump {
                        s.view[m] = Status::Alive(inc + 1);
                    }
                }
                continue;
            }
            if update.overrides(s.view[m]) {
                s.view[m] = update;
                s.suspicion[m] = match update {
                    Status::Suspect(_) => self.suspicion,
                    _ => 0,
                };
            }
        }
    }

    /// A period's probe got no ack, direct or indirect (§3.1).
    fn failed(&self, s: &mut SwimState, target: Member) {
        match s.view[target] {
            // §3's basic protocol: "declares M_j as failed in its local
            // membership list" at once. The bug does so.
            _ if self.bug == Bug::NoSuspicion => s.view[target] = Status::Faulty,
            // §4.2: "M_i ... does not declare M_j as failed, but marks it
            // as suspected and disseminates {Suspect M_j: M_i suspects
            // M_j}", at the incarnation M_i knows.
            Status::Alive(inc) => {
                s.view[target] = Status::Suspect(inc);
                s.suspicion[target] = self.suspicion;
            }
            Status::Suspect(_) | Status::Faulty => {}
        }
    }

    /// A new protocol period: suspicions whose time is up become confirmed
    /// failures ("after a prespecified time-out, M_j is declared faulty and
    /// {Confirm M_j: M_i declares M_j as faulty} disseminated", §4.2), and
    /// the next target is pinged.
    fn new_period(&self, s: &mut SwimState, o: &mut Out<Self>) {
        for m in 0..self.n() {
            if let Status::Suspect(_) = s.view[m] {
                if s.suspicion[m] == 0 {
                    s.view[m] = Status::Faulty;
                } else {
                    s.suspicion[m] -= 1;
                }
            }
        }
        s.probe = Probe::Done;
        o.set_timer(SwimTimer::Period, runtime::exactly(self.period));
        match self.selection {
            Selection::RoundRobin => {
                let target = self.candidates(s, s.next).next();
                if let Some(target) = target {
                    s.next = (target + 1) % self.n();
                    self.ping(s, target, o);
                }
            }
            Selection::Random => {
                let choices: Vec<Member> = self.candidates(s, 0).collect();
                if !choices.is_empty() {
                    let choices = choices.into_iter().map(SwimChoice::Target).collect();
                    o.choose_random("target", choices);
                }
            }
        }
    }

    /// "M_i picks a member M_j ... and sends a ping message to M_j" (§3.1).
    fn ping(&self, s: &mut SwimState, target: Member, o: &mut Out<Self>) {
        o.send(
            self.members[target],
            SwimMsg::Ping {
                prober: self.me,
                updates: s.view.clone(),
            },
        );
        s.probe = Probe::Pinged { target };
        o.set_timer(SwimTimer::PingTimeout, self.ping_timeout());
    }
}

impl Actor for SwimActor {
    type Msg = SwimMsg;
    type Timer = SwimTimer;
    type State = SwimState;
    type Storage = ();
    type Random = SwimChoice;

    fn name(&self) -> String {
        name(self.me)
    }

    /// Every member starts knowing the whole group alive at incarnation 0,
    /// and starts its first period at any time.
    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> SwimState {
        let n = self.n();
        o.set_timer(SwimTimer::Period, Duration::ZERO..self.period);
        if let Some(after) = self.kill_after {
            o.set_timer(SwimTimer::Kill, runtime::exactly(after));
        }
        if self.may_crash {
            o.choose_random("crash", vec![SwimChoice::Crash, SwimChoice::NoCrash]);
        }
        SwimState {
            view: vec![Status::Alive(0); n],
            suspicion: vec![0; n],
            probe: Probe::Done,
            next: (self.me + 1) % n,
            killed: false,
            may_crash: self.may_crash,
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<SwimState>,
        src: Id,
        msg: SwimMsg,
        o: &mut Out<Self>,
    ) {
        if state.killed {
            return;
        }
        let mut s = state.as_ref().clone();
        self.merge(&mut s, msg.updates());
        match msg {
            // "M_j replies with an ack" (§3.1), to whoever pinged, which is
            // the prober or a member pinging on its behalf.
            SwimMsg::Ping { prober, .. } => {
                o.send(
                    src,
                    SwimMsg::Ack {
                        prober,
                        target: self.me,
                        updates: s.view.clone(),
                    },
                );
            }
            // "Each of these members in turn (in the absence of its own
            // failure) pings M_j and forwards the ack" (§3.1).
            SwimMsg::PingReq { prober, target, .. } => {
                o.send(
                    self.members[target],
                    SwimMsg::Ping {
                        prober,
                        updates: s.view.clone(),
                    },
                );
            }
            SwimMsg::Ack { prober, target, .. } if prober != self.me => {
                o.send(
                    self.members[prober],
                    SwimMsg::Ack {
                        prober,
                        target,
                        updates: s.view.clone(),
                    },
                );
            }
            // The ack this period waits for, direct or indirect.
            SwimMsg::Ack { target, .. } => match s.probe {
                Probe::Pinged { target: t } if t == target => {
                    s.probe = Probe::Done;
                    o.cancel_timer(SwimTimer::PingTimeout);
                }
                Probe::PingReqd { target: t } if t == target => s.probe = Probe::Done,
                // A late ack of an earlier period.
                _ => {}
            },
        }
        if s != **state {
            *state.to_mut() = s;
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<SwimState>,
        timer: &SwimTimer,
        o: &mut Out<Self>,
    ) {
        if state.killed {
            return;
        }
        match (timer, state.probe) {
            (SwimTimer::Kill, _) => state.to_mut().killed = true,
            // Ping timeout: "M_i selects k members at random and sends each
            // a ping-req(M_j) message" (§3.1); here the k members after
            // M_j in the list.
            (SwimTimer::PingTimeout, Probe::Pinged { target }) => {
                let s = state.to_mut();
                let helpers: Vec<Member> = self
                    .candidates(s, target)
                    .filter(|m| *m != target)
                    .take(self.k)
                    .collect();
                for h in helpers {
                    o.send(
                        self.members[h],
                        SwimMsg::PingReq {
                            prober: self.me,
                            target,
                            updates: s.view.clone(),
                        },
                    );
                }
                s.probe = Probe::PingReqd { target };
            }
            (SwimTimer::PingTimeout, _) => {}
            // "At the end of this protocol period, M_i checks if it has
            // received any acks, directly from M_j or indirectly" (§3.1).
            (SwimTimer::Period, Probe::PingReqd { target }) => {
                let s = state.to_mut();
                self.failed(s, target);
                self.new_period(s, o);
            }
            (SwimTimer::Period, _) => self.new_period(state.to_mut(), o),
        }
    }

    /// §3.1's random target (real runs only), or the crash choice
    /// (checker only).
    fn on_random(
        &self,
        _id: Id,
        state: &mut Cow<SwimState>,
        choice: &SwimChoice,
        o: &mut Out<Self>,
    ) {
        if state.killed {
            return;
        }
        match choice {
            SwimChoice::Target(target) => self.ping(state.to_mut(), *target, o),
            SwimChoice::Crash => {
                let s = state.to_mut();
                s.killed = true;
                s.may_crash = false;
            }
            SwimChoice::NoCrash => state.to_mut().may_crash = false,
        }
    }
}

type State = ActorModelState<SwimActor, Lost>;
type Action = ActorModelAction<SwimMsg, SwimTimer, SwimChoice>;
/// How many messages the network has lost so far.
pub type Lost = u8;

/// The actors on a network that loses at most `losses` messages, with the
/// paper's timing assumption: a member's ping timeout and the end of its
/// period come only once no message of its own probe is on its way to a
/// member that is up, and the period ends after the ping timeout. A probe of a live member over links that lose
/// nothing therefore always gets its ack, as a period longer than a round
/// trip ensures. Crashes are crash-stop.
pub struct SwimModel {
    pub inner: ActorModel<SwimActor, SwimCfg, Lost>,
    pub losses: Lost,
}

/// The properties, declared once for the checked model and the members
/// `dsw replay` drives.
fn properties<M: Model<State = State>>() -> Vec<Property<M>> {
    vec![
        Property::always("accuracy", accuracy),
        Property::eventually("strong completeness", strong_completeness),
        Property::sometimes("a member suspected", suspected),
        Property::sometimes("a suspicion refuted", refuted),
    ]
}

impl Model for SwimModel {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        self.inner.init_states()
    }

    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        self.inner.actions(state, actions);
        // A message whose delivery would change nothing is no reply to wait
        // for: Stateright takes no such step, and leaves it in the network.
        let pending = |prober: usize| {
            state.network.iter_deliverable().any(|e| {
                e.msg.prober() == prober
                    && !state.actor_states[usize::from(e.dst)].killed
                    && self
                        .inner
                        .next_state(
                            state,
                            ActorModelAction::Deliver {
                                src: e.src,
                                dst: e.dst,
                                msg: e.msg.clone(),
                            },
                        )
                        .is_some()
            })
        };
        let down = |id: &Id| state.actor_states[usize::from(*id)].killed;
        actions.retain(|a| match a {
            // A crashed member takes no step, as Stateright's crashes do:
            // nothing is delivered to it, no timer of its fires.
            ActorModelAction::Deliver { dst, .. } if down(dst) => false,
            ActorModelAction::Timeout(id, _) | ActorModelAction::SelectRandom { actor: id, .. }
                if down(id) =>
            {
                false
            }
            ActorModelAction::Drop(e) => state.history < self.losses && !down(&e.dst),
            // The period ends after the ping timeout, and after replies.
            ActorModelAction::Timeout(id, SwimTimer::Period) => {
                let m = usize::from(*id);
                !pending(m) && !matches!(state.actor_states[m].probe, Probe::Pinged { .. })
            }
            ActorModelAction::Timeout(id, SwimTimer::PingTimeout) => !pending(usize::from(*id)),
            ActorModelAction::Crash(_) | ActorModelAction::Recover(_) => false,
            _ => true,
        });
    }

    fn next_state(&self, state: &State, action: Action) -> Option<State> {
        let dropped = matches!(action, ActorModelAction::Drop(_));
        let mut next = self.inner.next_state(state, action)?;
        if dropped {
            next.history += 1;
        }
        Some(next)
    }

    fn format_action(&self, action: &Action) -> String {
        self.inner.format_action(action)
    }

    fn properties(&self) -> Vec<Property<Self>> {
        properties()
    }
}

impl Describe for SwimModel {
    fn lanes(&self) -> Vec<String> {
        self.inner.lanes()
    }

    fn describe_step(&self, before: &State, action: &Action, after: &State) -> Step {
        self.inner.describe_step(before, action, after)
    }

    fn describe_state(&self, state: &State) -> Vec<String> {
        self.inner.describe_state(state)
    }

    fn sent(&self, before: &State, action: &Action) -> Vec<(usize, String)> {
        self.inner.sent(before, action)
    }
}

impl FairnessClasses for SwimModel {
    fn fairness_class(&self, action: &Action) -> Option<u64> {
        self.inner.fairness_class(action)
    }
}

/// Members up and their states.
fn live(state: &State) -> impl Iterator<Item = (Member, &SwimState)> + '_ {
    state
        .actor_states
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.killed)
        .map(|(m, s)| (m, &**s))
}

// Properties.

/// Accuracy (§2: a failure detector's "accuracy of failure detection",
/// "the rate of false positives"; §4.2 introduces suspicion to cut it): no
/// member that is up is declared failed by a member that is up, with at
/// most `losses` messages lost. The default's two losses defeat one probe
/// of a live member whole (its ping and its one ping-req); what stands
/// between that and a false positive is the suspicion, and the suspected
/// member's refutation with a new incarnation.
fn accuracy<M>(_: &M, state: &State) -> bool {
    live(state).all(|(_, s)| live(state).all(|(m, _)| s.view[m] != Status::Faulty))
}

/// Strong completeness (§2: "crash-failure of any group member is detected
/// by all non-faulty members"; §4.3 bounds its time with round-robin
/// selection): every crashed member is eventually declared failed by every
/// member that is up. The property is "crashed leads to declared failed";
/// as a state predicate that a run must eventually reach, it is false while
/// a member may still crash (its fair choice not made), so that the state
/// before a crash does not meet it vacuously, and from then on stable. A
/// run on which nobody crashes meets it once every choice is made.
fn strong_completeness<M>(_: &M, state: &State) -> bool {
    let states = &state.actor_states;
    states.iter().all(|s| !s.may_crash)
        && (0..states.len())
            .filter(|c| states[*c].killed)
            .all(|c| live(state).all(|(_, s)| s.view[c] == Status::Faulty))
}

/// Reachability: a member suspected another.
fn suspected<M>(_: &M, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .any(|s| s.view.iter().any(|v| matches!(v, Status::Suspect(_))))
}

/// Reachability: a member refuted a suspicion of itself with a new
/// incarnation (§4.2).
fn refuted<M>(_: &M, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .enumerate()
        .any(|(m, s)| s.view[m] != Status::Alive(0))
}

// Configuration.

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SwimCfg {
    pub members: usize,
    pub k: usize,
    /// Members that may crash (and stay down), at most.
    pub crashes: usize,
    /// Messages the network may lose, at most.
    pub losses: Lost,
    /// Protocol periods before a suspicion is confirmed.
    pub suspicion: u8,
    pub bug: Bug,
}

impl Default for SwimCfg {
    fn default() -> Self {
        SwimCfg {
            members: 3,
            k: 1,
            crashes: 0,
            losses: 2,
            suspicion: 2,
            bug: Bug::None,
        }
    }
}

impl SwimCfg {
    /// The actors, known by `ids`.
    pub fn actors(&self, ids: &[Id], selection: Selection, period: Duration) -> Vec<SwimActor> {
        (0..self.members)
            .map(|me| SwimActor {
                me,
                members: ids.to_vec(),
                k: self.k,
                suspicion: self.suspicion,
                selection,
                period,
                kill_after: None,
                may_crash: false,
                bug: self.bug,
            })
            .collect()
    }
}

impl Config for SwimCfg {
    type Model = SwimModel;

    fn new(variant: &str, params: &Params) -> Self {
        SwimCfg {
            members: params["members"] as usize,
            k: params["k"] as usize,
            crashes: params["crashes"] as usize,
            losses: params["losses"] as Lost,
            suspicion: params["suspicion"] as u8,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> SwimModel {
        let losses = self.losses;
        SwimModel {
            inner: crate::runner::indexed(self),
            losses,
        }
    }
}

impl Runnable for SwimCfg {
    type Actor = SwimActor;
    type History = Lost;

    fn actor_count(&self) -> usize {
        self.members
    }

    /// The checker's members (round robin, the last `crashes` of them
    /// free to crash), known by `ids`, over a lossy network: the actors
    /// `dsw replay` drives along a path. The checked model adds the loss
    /// bound and the paper's timing ([`SwimModel`]); `dsw run swim` runs
    /// members that pick targets at random and kills one on a timer
    /// ([`run`]).
    fn model_on(self, ids: &[Id]) -> ActorModel<SwimActor, SwimCfg, Lost> {
        let mut actors = self.actors(ids, Selection::RoundRobin, run::PERIOD);
        // The last `crashes` members may crash. Round robin from the next
        // member on makes the group symmetric under rotation, so which
        // member may crash loses nothing when one may.
        let n = self.members;
        for a in &mut actors[n - self.crashes.min(n)..] {
            a.may_crash = true;
        }
        let mut model = ActorModel::new(self, 0)
            .actors(actors)
            .init_network(Network::new_unordered_nonduplicating([]))
            .lossy_network(LossyNetwork::Yes);
        model.properties = properties();
        model
    }

    /// Every member up agrees on every member's status, and none is
    /// still free to crash.
    fn done(states: &[Option<SwimState>]) -> bool {
        let Some(Some(first)) = states.first() else {
            return false;
        };
        states.iter().all(|s| {
            s.as_ref()
                .is_some_and(|s| s.killed || (!s.may_crash && s.view == first.view))
        })
    }

    fn observations(states: &[SwimState], _: &Lost) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(m, s)| format!("{}: {s:?}", name(m)))
            .collect()
    }
}

/// k helpers need k members besides the prober and its target.
fn k_fits(params: &Params) -> Result<(), String> {
    let (k, members) = (params["k"], params["members"]);
    if k <= members - 2 {
        return Ok(());
    }
    Err(format!(
        "parameter k = {k} is out of range with members = {members}; it takes 1 to {} \
         (ping-req goes to k members other than the prober and its target)",
        members - 2
    ))
}

pub static PROTOCOL: Protocol = Protocol {
    name: "swim",
    section: "Broadcast and membership",
    summary: "SWIM failure detection and membership: ping, ping-req through k members, suspicion refuted by incarnation numbers, piggybacked dissemination",
    citations: &[
        "Das, Gupta & Motivala, SWIM: Scalable Weakly-consistent Infection-style Process Group Membership Protocol (DSN 2002), §2-§5",
    ],
    notes: "Timeouts follow the paper's synchrony assumption: a member's ping timeout and period end come only once no message of its own probe is on its way to a member that is up, so over links that lose nothing a live member always acks in time, and no variant suspects anyone without a loss. Loss is a budget (`losses`, default 2): enough to defeat one probe of a live member whole, its ping and its one ping-req. The default checks accuracy under loss with no crash (strong completeness holds there only vacuously); the `crash` scenario checks strong completeness with one crash and no loss. A crash is a fair choice of m3 (crash now, or never), not Stateright's crash action: strong completeness is \"a crash leads to every live member declaring it failed\", and as a state predicate that every fair run must reach it is false until the choice is made, so the state before the crash cannot satisfy it vacuously. The group is symmetric under rotation (round robin from the next member, ping-req to the members after the target), so letting m3 alone crash loses no generality. Both faults together (`-p crashes=1`) take well over a million states and are left out of the catalog. Targets are picked round robin (§4.3), so a suspecter pings the suspect within `members - 1` periods; a suspicion lasts `suspicion` periods (default 2 = `members - 1`). Each message piggybacks the sender's whole list (§4.1 with every update retransmitted, which three members afford). A member clears a suspicion only on an Alive with a higher incarnation, as §4.2's precedence rules make it; the paper's local un-marking after a successful ping is left out, since its Alive, at the same incarnation, overrides no Suspect elsewhere. `dsw run swim` kills the last member after a few periods and measures how long until every live member declares it failed; targets there are picked at random, as §3.1's analysis assumes.",
    params: &[
        ParamSpec {
            name: "members",
            doc: "group members (the checker handles 3 or 4; real runs take up to 8)",
            default: 3,
            min: 3,
            max: 8,
        },
        ParamSpec {
            name: "k",
            doc: "members a ping-req goes to (§3.1's k)",
            default: 1,
            min: 1,
            max: 6,
        },
        ParamSpec {
            name: "crashes",
            doc: "members that may crash (crash-stop), at most",
            default: 0,
            min: 0,
            max: 2,
        },
        ParamSpec {
            name: "losses",
            doc: "messages the network may lose, at most",
            default: 2,
            min: 0,
            max: 4,
        },
        ParamSpec {
            name: "suspicion",
            doc: "protocol periods a suspicion lasts before it is confirmed",
            default: 2,
            min: 1,
            max: 8,
        },
    ],
    param_rules: &[ParamRule {
        doc: "k is at most members - 2",
        check: k_fits,
    }],
    properties: &[
        PropertySpec {
            name: "accuracy",
            kind: PropertyKind::Always,
            source: "Das, Gupta & Motivala 2002 §2 (accuracy of failure detection), §4.2 (suspicion)",
        },
        PropertySpec {
            name: "strong completeness",
            kind: PropertyKind::Eventually,
            source: "Das, Gupta & Motivala 2002 §2 (strong completeness), §4.3",
        },
        PropertySpec {
            name: "a member suspected",
            kind: PropertyKind::Sometimes,
            source: "reachability: §4.2's suspicion",
        },
        PropertySpec {
            name: "a suspicion refuted",
            kind: PropertyKind::Sometimes,
            source: "reachability: §4.2's incarnation numbers",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "SWIM with suspicion and incarnation numbers (§4.2)",
            expect: &[],
        },
        VariantSpec {
            name: "no-suspicion",
            doc: "a failed probe declares its target failed at once (§3's basic protocol): with loss, a live member is declared failed",
            expect: &[
                ("accuracy", Verdict::Violated),
                ("a member suspected", Verdict::NoExample),
                ("a suspicion refuted", Verdict::NoExample),
            ],
        },
        VariantSpec {
            name: "no-incarnation-bump",
            doc: "a suspected member answers at its current incarnation, which overrides no suspicion: it cannot clear itself",
            expect: &[
                ("accuracy", Verdict::Violated),
                ("a suspicion refuted", Verdict::NoExample),
            ],
        },
    ],
    scenarios: &[ScenarioSpec {
        name: "crash",
        doc: "a member may crash and no message is lost: every live member declares it failed (strong completeness); nobody is suspected without a crash",
        variant: crate::registry::CORRECT,
        params: &[("crashes", 1), ("losses", 0)],
        fairness: None,
        expect: &[("a suspicion refuted", Verdict::NoExample)],
    }],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<SwimCfg>,
    explore: crate::registry::explore_config::<SwimCfg>,
    replay: crate::registry::replay_config::<SwimCfg>,
    compare: crate::registry::compare_config::<SwimCfg>,
    run: Some(run::run),
};

#[cfg(test)]
mod tests {
    use super::*;

    /// Strong completeness is "a crash leads to its detection": before the
    /// crash choice it must not hold, or `eventually` would be met by the
    /// initial state of every run, whatever the protocol does after.
    #[test]
    fn strong_completeness_is_not_met_before_the_crash_choice() {
        let model = SwimCfg {
            crashes: 1,
            losses: 0,
            ..SwimCfg::default()
        }
        .into_model();
        let init = &model.init_states()[0];
        assert!(!strong_completeness(&model, init));
        let no_crash = SwimCfg::default().into_model();
        assert!(strong_completeness(&no_crash, &no_crash.init_states()[0]));
    }
}
