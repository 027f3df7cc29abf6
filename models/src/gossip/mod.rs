//! Push-pull anti-entropy, the gossip of [Demers et al., "Epidemic Algorithms
//! for Replicated Database Maintenance" (PODC 1987)](https://doi.org/10.1145/41840.41841)
//! §1.1 and §1.3, as hashicorp/memberlist (Serf's gossip layer) runs it: every
//! period a member opens an exchange with a peer and sends its whole state;
//! the peer answers with its own, and both merge, keeping for each key the
//! entry with the larger timestamp. Timestamps are Lamport clocks with the
//! writer as tie-break, so concurrent writes are totally ordered. Member
//! lists are merged the same way: a member may join by a push-pull with a
//! seed and learn of the others by gossip.
//!
//! Fault model: unordered links that may lose up to `losses` messages in all
//! (never must); up to `crashes` members crash and stay down. A member runs
//! one exchange at a time (memberlist's push-pull is one synchronous
//! request/reply), so a member starts its next exchange once the last one's
//! messages are delivered or lost. The partner of each exchange is left to
//! the checker (a timer per known peer), under strong fairness: a random
//! choice picks every peer infinitely often.
//!
//! What the checker shows (3 members, 2 writers of one key; scenarios with
//! a crash, a loss, and members joining through the seed): values only move
//! forward, no write is overwritten by one it follows, and every live member
//! ends up with the same state, holding the newest write any of them has
//! held. `lww-without-versions` (the incoming value
//! wins) loses an update, moves a member backwards, and can swap values
//! forever; `no-tie-break` (timestamps without the writer) leaves concurrent
//! writes unresolved, so the members never converge; `no-member-merge`
//! (member lists not merged) leaves members that joined through the seed
//! unknown to it, so the member lists never converge (scenario
//! `join-no-member-merge`); `skewed-clock` (Demers' `Now[]` from clocks
//! that disagree) stamps a write made after another with the smaller
//! timestamp, so it loses everywhere: an update lost, though no member
//! ever moves back.

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::liveness::FairnessClasses;
use checker::{Describe, PropertyKind, Step, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{
    Actor, ActorModel, ActorModelAction, ActorModelState, Envelope, Id, LossyNetwork, Network, Out,
};
use stateright::{Model, Property};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

pub mod run;

/// A member by number: 0 is m1, the seed others join through.
pub type Member = usize;
/// An index into the replicated database (Demers §1.1's keys).
pub type Key = usize;
/// Demers §1.1's timestamp, made a Lamport clock ("Time, Clocks, and the
/// Ordering of Events", 1978, rule IR2') with the writer as tie-break: a
/// write's counter exceeds every counter its writer has held, and two
/// writes with one counter are ordered by writer. (`skewed-clock` takes the
/// counter from the writer's own clock instead, as Demers' `Now[]` does.)
pub type Version = (u8, Member);
/// A write, named by its writer (each writer writes once).
pub type Write = usize;
/// A set of members or of writes, as bits.
pub type Set = u16;

fn bit(i: usize) -> Set {
    1 << i
}

/// One key's entry: the value (which write put it there) and its timestamp.
/// `after` is a history variable, read by the properties only: the writes
/// to the same key that this write causally follows (its writer had held
/// them, or writes that followed them, when it wrote).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub version: Version,
    pub write: Write,
    pub after: Set,
}

/// The value a write puts: `a` for m1's, `b` for m2's, ...
fn value(w: Write) -> char {
    (b'a' + w as u8) as char
}

fn name(m: Member) -> String {
    format!("m{}", m + 1)
}

fn members_text(set: Set) -> String {
    let names: Vec<String> = (0..16).filter(|m| set & bit(*m) != 0).map(name).collect();
    format!("{{{}}}", names.join(","))
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (counter, writer) = self.version;
        write!(f, "{}@{counter}.{}", value(self.write), name(writer))
    }
}

/// The replicated database: one optional entry per key.
pub type Db = Vec<Option<Entry>>;

/// memberlist's push-pull (`pushPullMsg`: the node list and the user
/// state), Demers §1.3's anti-entropy exchange in both directions.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GossipMsg {
    /// The initiator's whole state: the push half.
    PushPull { db: Db, members: Set },
    /// The peer's state as it was before it merged the push: the pull half
    /// (memberlist's `handleConn` sends its local state, then merges).
    PushPullReply { db: Db, members: Set },
}

impl fmt::Debug for GossipMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kind, db, members) = match self {
            GossipMsg::PushPull { db, members } => ("PushPull", db, members),
            GossipMsg::PushPullReply { db, members } => ("PushPullReply", db, members),
        };
        write!(f, "{kind} {db:?} {}", members_text(*members))
    }
}

/// A member's own steps.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GossipTimer {
    /// (Checker) a push-pull with this peer: one timer per known peer, so
    /// the partner is any of them.
    Exchange(Member),
    /// (Real runs) the period's push-pull with a peer picked at random,
    /// memberlist's `pushPullTrigger`.
    Round,
    /// The client's one write at this member.
    Write,
}

#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct GossipState {
    // Replica (Demers §1.1).
    pub db: Db,
    // Membership (memberlist's node list): the members this one knows.
    pub members: Set,
    // History variables: read by the properties, never by the protocol.
    /// Per key, the highest timestamp this member has held since its own
    /// last write to the key (the write's, then the merges'). A write is a
    /// new value whatever its stamp (Demers' `Update` assigns); with the
    /// Lamport tick its stamp exceeds every one held, so this is the
    /// highest timestamp ever held.
    pub high: Vec<Option<Version>>,
    /// Writes this member has held, and every write they follow.
    pub past: Set,
    /// Writes that some write this member has held follows: overwriting
    /// the latter with one of these loses an update.
    pub superseded: Set,
}

impl fmt::Debug for GossipState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{db: {:?}, members: {}",
            self.db,
            members_text(self.members)
        )?;
        let moved_back = self
            .db
            .iter()
            .zip(&self.high)
            .any(|(e, h)| e.map(|e| e.version) != *h);
        if moved_back {
            write!(f, ", once held: {:?}", self.high)?;
        }
        // A held write that a write this member held before follows: the
        // lost update, named.
        let superseded: Vec<String> = self
            .db
            .iter()
            .flatten()
            .filter(|e| self.superseded & bit(e.write) != 0)
            .map(|e| value(e.write).to_string())
            .collect();
        if !superseded.is_empty() {
            write!(f, ", superseded: {{{}}}", superseded.join(","))?;
        }
        f.write_str("}")
    }
}

/// Known bugs: a weakened merge, of entries (§1.1's "the entry with the
/// larger timestamp wins") or of member lists (memberlist's `mergeState`),
/// or a write stamped from a clock that can run behind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// Versioned push-pull as Demers §1.1-1.3 and memberlist have it.
    #[default]
    None,
    /// Last writer wins without versions: the value that arrives last
    /// replaces the one held, whatever its age. Must violate "no lost
    /// update" (a stale copy overwrites a write made after it).
    LwwWithoutVersions,
    /// Timestamps without the writer's tie-break: two writes with one
    /// counter are left where they are. Must violate "convergence".
    NoTieBreak,
    /// The member lists are not merged (memberlist's `mergeState` skipped):
    /// a member knows only the peers it started with. Invisible when every
    /// member knows every other from the start; with members joining
    /// through the seed (scenario `join-no-member-merge`), must violate
    /// "convergence": the seed never learns of anyone.
    NoMemberMerge,
    /// The write is stamped from the writer's own clock, Demers §1.1's
    /// `Update[v] ≡ s.ValueOf ← (v, Now[])`, and the clocks are skewed:
    /// Demers assumes `Now[]` is "approximately the current Greenwich Mean
    /// Time" (if not, "the algorithms work formally but not practically"),
    /// and here m1's clock runs ahead of m2's by more than the time between
    /// their writes. A write made after holding another may then carry the
    /// smaller timestamp and lose to it at every member, while no merge
    /// ever takes a member back. Must violate "no lost update" and keep
    /// "values only move forward".
    SkewedClock,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::LwwWithoutVersions,
        Bug::NoTieBreak,
        Bug::NoMemberMerge,
        Bug::SkewedClock,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::LwwWithoutVersions => "lww-without-versions",
            Bug::NoTieBreak => "no-tie-break",
            Bug::NoMemberMerge => "no-member-merge",
            Bug::SkewedClock => "skewed-clock",
        }
    }
}

/// How a member picks its partner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Selection {
    /// The checker's: any known peer, one timer each.
    AnyPeer,
    /// Real runs': once a period, a peer drawn at random (Demers §1.3's
    /// "chooses another site s' at random").
    Random,
}

#[derive(Clone, Debug)]
pub struct GossipActor {
    pub me: Member,
    /// Every member's id, m1 first.
    pub ids: Vec<Id>,
    pub keys: usize,
    /// Whether this member's client writes (once).
    pub writes: bool,
    /// When the write comes, on a real network (the checker ignores time).
    pub write_at: Duration,
    /// Whether it starts knowing every member, or only itself and the seed
    /// m1 (it joins through the seed).
    pub knows_all: bool,
    pub selection: Selection,
    /// memberlist's push-pull interval, on a real network.
    pub period: Duration,
    pub bug: Bug,
}

impl GossipActor {
    fn key(&self) -> Key {
        self.me % self.keys
    }

    /// The writes to `key`, as bits.
    fn writes_to(&self, key: Key) -> Set {
        (0..self.ids.len())
            .filter(|w| w % self.keys == key)
            .fold(0, |s, w| s | bit(w))
    }

    fn peers(&self, members: Set) -> Vec<Member> {
        (0..self.ids.len())
            .filter(|m| *m != self.me && members & bit(*m) != 0)
            .collect()
    }

    /// Demers §1.1: "the entry with the larger timestamp wins". The bugs
    /// replace the comparison.
    fn newer(&self, incoming: &Entry, held: &Option<Entry>) -> bool {
        let Some(held) = held else {
            return true;
        };
        match self.bug {
            Bug::None | Bug::NoMemberMerge | Bug::SkewedClock => incoming.version > held.version,
            Bug::NoTieBreak => incoming.version.0 > held.version.0,
            Bug::LwwWithoutVersions => incoming != held,
        }
    }

    /// Takes `e` for `key`, and updates the history variables.
    fn hold(s: &mut GossipState, key: Key, e: Entry) {
        s.db[key] = Some(e);
        s.high[key] = s.high[key].max(Some(e.version));
        s.past |= bit(e.write) | e.after;
        s.superseded |= e.after;
    }

    /// Takes the member's own write `e` for `key` (Demers §1.1's `Update`:
    /// an assignment, whatever the timestamp held), and updates the history
    /// variables; `high` starts again from the write.
    fn write(s: &mut GossipState, key: Key, e: Entry) {
        Self::hold(s, key, e);
        s.high[key] = Some(e.version);
    }

    /// Merges a peer's state (memberlist's `mergeRemoteState`): per key the
    /// newer entry, and every member it knows. A member newly known gets a
    /// timer for exchanges with it.
    fn merge(&self, s: &mut GossipState, db: &Db, members: Set, o: &mut Out<Self>) {
        for (key, incoming) in db.iter().enumerate() {
            if let Some(e) = incoming {
                if self.newer(e, &s.db[key]) {
                    Self::hold(s, key, *e);
                }
            }
        }
        if self.bug == Bug::NoMemberMerge {
            return;
        }
        let new = members & !s.members;
        s.members |= members;
        if self.selection == Selection::AnyPeer {
            for p in self.peers(new) {
                o.set_timer(GossipTimer::Exchange(p), model_timeout());
            }
        }
    }

    fn push(&self, s: &GossipState, peer: Member, o: &mut Out<Self>) {
        o.send(
            self.ids[peer],
            GossipMsg::PushPull {
                db: s.db.clone(),
                members: s.members,
            },
        );
    }
}

/// The checker fires a timer at any time.
fn model_timeout() -> std::ops::Range<Duration> {
    Duration::ZERO..Duration::ZERO
}

impl Actor for GossipActor {
    type Msg = GossipMsg;
    type Timer = GossipTimer;
    type State = GossipState;
    type Storage = ();
    type Random = Member;

    fn name(&self) -> String {
        name(self.me)
    }

    /// A member starts with an empty database, knowing itself and the seed
    /// (memberlist's `Join(existing)`), or every member.
    fn on_start(&self, _id: Id, _storage: &Option<()>, o: &mut Out<Self>) -> GossipState {
        let n = self.ids.len();
        let members = if self.knows_all {
            (0..n).fold(0, |s, m| s | bit(m))
        } else {
            bit(self.me) | bit(0)
        };
        match self.selection {
            Selection::AnyPeer => {
                for p in self.peers(members) {
                    o.set_timer(GossipTimer::Exchange(p), model_timeout());
                }
            }
            // memberlist staggers its first push-pull randomly within the
            // interval, so the members do not start in step.
            Selection::Random => o.set_timer(GossipTimer::Round, Duration::ZERO..self.period),
        }
        if self.writes {
            o.set_timer(GossipTimer::Write, runtime::exactly(self.write_at));
        }
        GossipState {
            db: vec![None; self.keys],
            members,
            high: vec![None; self.keys],
            past: 0,
            superseded: 0,
        }
    }

    fn on_msg(
        &self,
        _id: Id,
        state: &mut Cow<GossipState>,
        src: Id,
        msg: GossipMsg,
        o: &mut Out<Self>,
    ) {
        let mut s = state.as_ref().clone();
        match msg {
            // memberlist's `handleConn` on a `pushPullMsg`: read the remote
            // state, send the local one, then merge the remote one. Demers
            // §1.3: "the push-pull ... ResolveDifference" both ways.
            GossipMsg::PushPull { db, members } => {
                o.send(
                    src,
                    GossipMsg::PushPullReply {
                        db: s.db.clone(),
                        members: s.members,
                    },
                );
                self.merge(&mut s, &db, members, o);
            }
            // The initiator merges the reply (`pushPullNode`).
            GossipMsg::PushPullReply { db, members } => self.merge(&mut s, &db, members, o),
        }
        if s != **state {
            *state.to_mut() = s;
        }
    }

    fn on_timeout(
        &self,
        _id: Id,
        state: &mut Cow<GossipState>,
        timer: &GossipTimer,
        o: &mut Out<Self>,
    ) {
        match timer {
            // Demers §1.3: "site s chooses another site s' ... and
            // resolves differences"; here the checker chooses.
            GossipTimer::Exchange(peer) => {
                self.push(state, *peer, o);
                o.set_timer(GossipTimer::Exchange(*peer), model_timeout());
            }
            GossipTimer::Round => {
                o.set_timer(GossipTimer::Round, runtime::exactly(self.period));
                let peers = self.peers(state.members);
                if !peers.is_empty() {
                    o.choose_random("peer", peers);
                }
            }
            // A client's write (Demers §1.1's update, "a new value with a
            // new timestamp"): the Lamport clock ticks past every counter
            // held (IR2'), so the write is newer than every write its
            // writer has seen.
            GossipTimer::Write => {
                let s = state.to_mut();
                let key = self.key();
                let counter = match self.bug {
                    // Demers' `Now[]`: the writer's own clock, blind to
                    // the timestamps it holds. The checker has no real
                    // time (every write falls within one tick of it), so a
                    // clock reads its skew alone: m1's runs furthest ahead,
                    // m`k`'s reads `members - k + 1`.
                    Bug::SkewedClock => (self.ids.len() - self.me) as u8,
                    _ => {
                        s.db.iter()
                            .flatten()
                            .map(|e| e.version.0)
                            .max()
                            .unwrap_or(0)
                            + 1
                    }
                };
                let e = Entry {
                    version: (counter, self.me),
                    write: self.me,
                    after: s.past & self.writes_to(key),
                };
                Self::write(s, key, e);
            }
        }
    }

    fn on_random(&self, _id: Id, state: &mut Cow<GossipState>, peer: &Member, o: &mut Out<Self>) {
        self.push(state, *peer, o);
    }
}

type State = ActorModelState<GossipActor, Lost>;
type Action = ActorModelAction<GossipMsg, GossipTimer, Member>;
/// How many messages the network has lost so far.
pub type Lost = u8;

/// The actors on a network that loses at most `losses` messages, with one
/// exchange per member at a time: a member's exchange timers are enabled
/// only when none of its push-pull messages is in flight. The state space
/// is finite without any bound: writes are finite, and at most one exchange
/// per member is under way, so no run is cut short and every verdict is
/// conclusive.
///
/// Two steps complete what Stateright's network does: a message whose
/// delivery changes nothing (a reply with nothing new) is consumed all the
/// same, and a message to a crashed member is lost (crash-stop: it would
/// never be delivered, and left in flight it would hold up the exchange).
pub struct GossipModel {
    pub inner: ActorModel<GossipActor, GossipCfg, Lost>,
    pub losses: Lost,
}

/// The configuration the properties read (convergence waits for the
/// writers): the checked model's, or that of the members `dsw replay`
/// drives ([`Runnable::model_on`]).
pub trait GossipConfigured {
    fn gossip(&self) -> &GossipCfg;
}

impl GossipConfigured for GossipModel {
    fn gossip(&self) -> &GossipCfg {
        &self.inner.cfg
    }
}

impl GossipConfigured for ActorModel<GossipActor, GossipCfg, Lost> {
    fn gossip(&self) -> &GossipCfg {
        &self.cfg
    }
}

/// The properties, declared once for the checked model and the members
/// `dsw replay` drives.
fn properties<M: Model<State = State> + GossipConfigured>() -> Vec<Property<M>> {
    vec![
        Property::always("values only move forward", moves_forward),
        Property::always("no lost update", no_lost_update),
        Property::eventually("convergence", convergence),
        Property::sometimes("a write reached every member", reached_everyone),
        Property::sometimes("a write after another", wrote_after_another),
    ]
}

impl GossipModel {
    /// Whether one of `m`'s exchanges is under way.
    fn exchanging(state: &State, m: Member) -> bool {
        state.network.iter_deliverable().any(|e| match e.msg {
            GossipMsg::PushPull { .. } => usize::from(e.src) == m,
            GossipMsg::PushPullReply { .. } => usize::from(e.dst) == m,
        })
    }

    /// Removes one copy of `env` from the network.
    fn consume(&self, state: &State, env: Envelope<GossipMsg>) -> State {
        let history = state.history;
        let mut next = self
            .inner
            .next_state(state, ActorModelAction::Drop(env))
            .expect("a drop always leads somewhere");
        next.history = history;
        next
    }
}

impl Model for GossipModel {
    type State = State;
    type Action = Action;

    fn init_states(&self) -> Vec<State> {
        self.inner.init_states()
    }

    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        self.inner.actions(state, actions);
        actions.retain(|a| match a {
            ActorModelAction::Drop(_) => state.history < self.losses,
            ActorModelAction::Timeout(id, GossipTimer::Exchange(_) | GossipTimer::Round) => {
                !Self::exchanging(state, usize::from(*id))
            }
            ActorModelAction::Recover(_) => false,
            _ => true,
        });
    }

    fn next_state(&self, state: &State, action: Action) -> Option<State> {
        let mut next = match &action {
            ActorModelAction::Drop(_) => {
                let mut next = self.inner.next_state(state, action)?;
                next.history += 1;
                next
            }
            ActorModelAction::Deliver { src, dst, msg } => {
                match self.inner.next_state(state, action.clone()) {
                    Some(next) => next,
                    None if !state.crashed[usize::from(*dst)] => self.consume(
                        state,
                        Envelope {
                            src: *src,
                            dst: *dst,
                            msg: msg.clone(),
                        },
                    ),
                    None => return None,
                }
            }
            _ => self.inner.next_state(state, action)?,
        };
        let to_crashed: Vec<Envelope<GossipMsg>> = next
            .network
            .iter_deliverable()
            .filter(|e| next.crashed[usize::from(e.dst)])
            .map(|e| e.to_cloned_msg())
            .collect();
        for env in to_crashed {
            next = self.consume(&next, env);
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

impl Describe for GossipModel {
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

impl FairnessClasses for GossipModel {
    fn fairness_class(&self, action: &Action) -> Option<u64> {
        self.inner.fairness_class(action)
    }
}

/// Members up and their states.
fn live(state: &State) -> impl Iterator<Item = (Member, &GossipState)> + '_ {
    state
        .actor_states
        .iter()
        .enumerate()
        .filter(|(m, _)| !state.crashed[*m])
        .map(|(m, s)| (m, &**s))
}

// Properties.

/// Values only move forward (Demers §1.1: an update carries "a new value
/// with a new timestamp", and "the entry with the larger timestamp wins";
/// memberlist's `mergeState` likewise ignores an incarnation not newer than
/// the one held): the timestamp a member holds for a key is the highest it
/// has held since its own last write to the key, so no merge takes it back
/// to an older value. A member's own write is a new value whatever its
/// stamp (Demers' `Update` assigns); with the Lamport tick the stamp
/// exceeds every one held, and this is "the highest it has ever held".
fn moves_forward<M>(_: &M, state: &State) -> bool {
    state.actor_states.iter().all(|s| member_moves_forward(s))
}

/// [`moves_forward`] for one member: real runs check it after each of the
/// member's steps.
pub fn member_moves_forward(s: &GossipState) -> bool {
    s.db.iter()
        .zip(&s.high)
        .all(|(e, high)| e.map(|e| e.version) == *high)
}

/// No lost update (Demers §1.1's timestamps exist so that a newer update is
/// never undone by an older copy; "newer" is Lamport's happened-before,
/// which a Lamport clock respects): no member holds a write once it has
/// held a write that follows it, one made by a member that had seen it.
///
/// "Values only move forward" judges the merge by timestamps; this judges
/// the timestamps by causality. With the Lamport tick a write that follows
/// another carries the larger timestamp, so a member that takes the older
/// back also moves back, and the two are violated together
/// (`lww-without-versions`). With Demers' `Now[]` from skewed clocks
/// (`skewed-clock`), a write that follows another can carry the smaller
/// timestamp and lose to it at every member though no merge goes back:
/// only this property sees it.
fn no_lost_update<M>(_: &M, state: &State) -> bool {
    state.actor_states.iter().all(|s| member_keeps_updates(s))
}

/// [`no_lost_update`] for one member: real runs check it after each of the
/// member's steps.
pub fn member_keeps_updates(s: &GossipState) -> bool {
    s.db.iter()
        .flatten()
        .all(|e| s.superseded & bit(e.write) == 0)
}

/// Convergence (Demers §1.3: anti-entropy, a simple epidemic, "eventually
/// infect[s] the entire population", so that "the effect of every update is
/// eventually reflected in all replicas" (abstract); §1.1's goal is
/// `∀ s, s': s.ValueOf = s'.ValueOf`): once every live writer has written,
/// all live members hold the same entries and know the same members, and
/// each entry is the newest any live member has held for its key. Agreement
/// alone is not enough: members that all went back to an older value agree,
/// yet a later update is reflected nowhere.
fn convergence<M: GossipConfigured>(model: &M, state: &State) -> bool {
    let written = (0..model.gossip().writers)
        .all(|w| state.crashed[w] || !state.timers_set[w].iter().any(|t| *t == GossipTimer::Write));
    let live: Vec<&GossipState> = live(state).map(|(_, s)| s).collect();
    let Some(first) = live.first() else {
        return true;
    };
    let newest = |key: Key| live.iter().filter_map(|s| s.high[key]).max();
    written
        && live
            .iter()
            .all(|s| s.db == first.db && s.members == first.members)
        && (0..first.db.len()).all(|key| first.db[key].map(|e| e.version) == newest(key))
}

/// Reachability: a write reached every member (Demers §1.3's epidemic
/// completed for it).
fn reached_everyone<M>(_: &M, state: &State) -> bool {
    let first = &state.actor_states[0].db;
    (0..first.len())
        .any(|k| first[k].is_some() && state.actor_states.iter().all(|s| s.db[k] == first[k]))
}

/// Reachability: a member wrote after holding another write to the same
/// key, the case a stale copy could undo.
fn wrote_after_another<M>(_: &M, state: &State) -> bool {
    state
        .actor_states
        .iter()
        .any(|s| s.db.iter().flatten().any(|e| e.after != 0))
}

// Configuration.

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GossipCfg {
    pub members: usize,
    pub keys: usize,
    /// m1 .. m`writers` each write once, to key `m % keys`.
    pub writers: usize,
    /// Members that may crash (and stay down), at most.
    pub crashes: usize,
    /// Messages the network may lose, at most.
    pub losses: Lost,
    /// Whether members join through the seed m1 (memberlist's `Join`), or
    /// start knowing every member.
    pub join: bool,
    pub bug: Bug,
}

impl Default for GossipCfg {
    fn default() -> Self {
        GossipCfg {
            members: 3,
            keys: 1,
            writers: 2,
            crashes: 0,
            losses: 0,
            join: false,
            bug: Bug::None,
        }
    }
}

impl GossipCfg {
    /// The checker's actors, known by `ids`.
    pub fn actors(&self, ids: &[Id], selection: Selection, period: Duration) -> Vec<GossipActor> {
        (0..self.members)
            .map(|me| GossipActor {
                me,
                ids: ids.to_vec(),
                keys: self.keys,
                writes: me < self.writers,
                write_at: Duration::ZERO,
                knows_all: !self.join,
                selection,
                period,
                bug: self.bug,
            })
            .collect()
    }
}

impl Config for GossipCfg {
    type Model = GossipModel;

    fn new(variant: &str, params: &Params) -> Self {
        GossipCfg {
            members: params["members"] as usize,
            keys: params["keys"] as usize,
            writers: params["writers"] as usize,
            crashes: params["crashes"] as usize,
            losses: params["losses"] as Lost,
            join: params["join"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> GossipModel {
        let losses = self.losses;
        GossipModel {
            inner: crate::runner::indexed(self),
            losses,
        }
    }
}

impl Runnable for GossipCfg {
    type Actor = GossipActor;
    type History = Lost;

    fn actor_count(&self) -> usize {
        self.members
    }

    /// The checker's members (any peer they know, one exchange timer
    /// each), known by `ids`, over a lossy network that may crash
    /// `crashes` of them: the actors `dsw replay` drives along a path, each
    /// timer fired where the path fires it. The checked model adds the loss
    /// bound and one exchange per member at a time ([`GossipModel`]);
    /// `dsw run gossip` runs members that pick a random peer once a period
    /// ([`run`]).
    fn model_on(self, ids: &[Id]) -> ActorModel<GossipActor, GossipCfg, Lost> {
        let actors = self.actors(ids, Selection::AnyPeer, run::PERIOD);
        let crashes = self.crashes;
        let mut model = ActorModel::new(self, 0)
            .actors(actors)
            .init_network(Network::new_unordered_nonduplicating([]))
            .lossy_network(LossyNetwork::Yes)
            .max_crashes(crashes);
        model.properties = properties();
        model
    }

    /// Every member holds the same non-empty database and member list.
    fn done(states: &[Option<GossipState>]) -> bool {
        let Some(Some(first)) = states.first() else {
            return false;
        };
        first.db.iter().any(Option::is_some)
            && states.iter().all(|s| {
                s.as_ref()
                    .is_some_and(|s| s.db == first.db && s.members == first.members)
            })
    }

    fn observations(states: &[GossipState], _: &Lost) -> Vec<String> {
        states
            .iter()
            .enumerate()
            .map(|(m, s)| format!("{}: {s:?}", name(m)))
            .collect()
    }
}

fn writers_fit(params: &Params) -> Result<(), String> {
    let (writers, members) = (params["writers"], params["members"]);
    if writers <= members {
        return Ok(());
    }
    Err(format!(
        "parameter writers = {writers} is out of range with members = {members}; it takes 1 to {members}"
    ))
}

fn crashes_fit(params: &Params) -> Result<(), String> {
    let (crashes, members) = (params["crashes"], params["members"]);
    if crashes < members {
        return Ok(());
    }
    Err(format!(
        "parameter crashes = {crashes} is out of range with members = {members}; it takes 0 to {}",
        members - 1
    ))
}

pub static PROTOCOL: Protocol = Protocol {
    name: "gossip",
    section: "Broadcast and membership",
    summary: "Push-pull anti-entropy of a versioned key-value map and the member list (Demers et al.; Serf/memberlist): timestamps make values only move forward, and all live members converge",
    citations: &[
        "Demers, Greene, Hauser, Irish, Larson, Shenker, Sturgis, Swinehart & Terry, Epidemic Algorithms for Replicated Database Maintenance (PODC 1987), §1.1 (timestamps), §1.3 (anti-entropy, push-pull)",
        "hashicorp/memberlist, net.go `pushPullNode`/`handleConn` and state.go `mergeState` (the push-pull state sync Serf uses)",
        "Pittel, On Spreading a Rumor (SIAM J. Appl. Math. 1987): log2 n + ln n + O(1) rounds for push",
    ],
    notes: "Each member holds a versioned map (`keys` keys, default 1) and the set of members it knows: every member from the start, or (scenario `join`) itself and the seed m1, through which it joins. m1 .. m`writers` each write once; a write's timestamp is a Lamport clock with the writer as tie-break. An exchange sends the initiator's whole state; the peer replies with its state as it was before merging (memberlist's order), and both merge, keeping per key the entry with the larger timestamp and the union of the member lists. A member runs one exchange at a time and its partner is any peer it knows, one timer per peer; convergence is judged under strong fairness, the reading of a random partner (every peer is picked infinitely often), and weak fairness would allow runs in which, of four members, two pairs only ever talk among themselves. The state space is finite with no bound (writes are finite, one exchange per member at a time), so every verdict is conclusive. Membership entries carry no incarnation here: nobody fails or leaves in the membership, which is swim's model. `lww-without-versions` keeps whatever arrives: a member that wrote `b` after holding `a` gets `a` back from a stale copy (a lost update, and a value that moved backwards), and two members that hold different values can swap them in every exchange, forever. `no-tie-break` compares counters only: two concurrent writes with one counter each stay where they are, and the members never converge. `no-member-merge` skips the member-list merge: invisible when every member knows every other, and caught in scenario `join-no-member-merge`, where the seed m1 never learns of anyone. `skewed-clock` stamps a write from its writer's clock, Demers' `Now[]`, and the clocks disagree (the checker has no real time, so m`k`'s clock reads `members - k + 1`: m1's runs ahead): m2, having held m1's `a`, writes `b` with the smaller timestamp, and `a` wins at every member, m2 included; values only move forward (no merge takes anyone back) and the members converge, on `a`, yet the update is lost. That is what \"no lost update\" adds: with the Lamport tick a write that follows another has the larger timestamp, so every lost update is also a value that moved back. Values only move forward is judged since a member's own last write, which is a new value whatever its stamp (Demers' `Update` assigns). Convergence asks for agreement on the newest value any live member has held, not any agreement (members that all went back to an older value would agree). `dsw run gossip` runs the writers (m2 writes 500 ms after m1, usually after holding m1's write), checks values only move forward and no lost update after every step of every member (the states rebuilt from the event log), and measures the rounds until every member holds m1's write, against log2 n + ln n; a round is counted (the exchanges that ran, per member), not timed, since a stalled process fires every member's overdue period in one burst.",
    params: &[
        ParamSpec {
            name: "members",
            doc: "group members (the catalog checks 3; real runs take up to 16)",
            default: 3,
            min: 2,
            max: 16,
        },
        ParamSpec {
            name: "keys",
            doc: "keys of the replicated map",
            default: 1,
            min: 1,
            max: 2,
        },
        ParamSpec {
            name: "writers",
            doc: "members that each write once (m1 first), to key m % keys",
            default: 2,
            min: 1,
            max: 16,
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
            default: 0,
            min: 0,
            max: 3,
        },
        ParamSpec {
            name: "join",
            doc: "1: members join through the seed m1 and learn the others by gossip; 0: every member knows every other from the start",
            default: 0,
            min: 0,
            max: 1,
        },
    ],
    param_rules: &[
        ParamRule {
            doc: "writers is at most members",
            check: writers_fit,
        },
        ParamRule {
            doc: "crashes is below members",
            check: crashes_fit,
        },
    ],
    properties: &[
        PropertySpec {
            name: "values only move forward",
            kind: PropertyKind::Always,
            source: "Demers et al. 1987 §1.1 (the entry with the larger timestamp wins); memberlist mergeState",
        },
        PropertySpec {
            name: "no lost update",
            kind: PropertyKind::Always,
            source: "Demers et al. 1987 §1.1 (timestamps, Now[] from roughly synchronized clocks); Lamport 1978 (happened-before)",
        },
        PropertySpec {
            name: "convergence",
            kind: PropertyKind::Eventually,
            source: "Demers et al. 1987 §1.1 (the goal: every site's ValueOf equal), §1.3 (anti-entropy, a simple epidemic, eventually reaches every site: every update is reflected in all replicas)",
        },
        PropertySpec {
            name: "a write reached every member",
            kind: PropertyKind::Sometimes,
            source: "reachability: Demers et al. 1987 §1.3's epidemic",
        },
        PropertySpec {
            name: "a write after another",
            kind: PropertyKind::Sometimes,
            source: "reachability: a causally later write to the same key",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "push-pull anti-entropy with Lamport timestamps and the writer as tie-break",
            expect: &[],
        },
        VariantSpec {
            name: "lww-without-versions",
            doc: "the value that arrives last wins, whatever its age: a stale copy undoes a later write",
            expect: &[
                ("values only move forward", Verdict::Violated),
                ("no lost update", Verdict::Violated),
                ("convergence", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "no-tie-break",
            doc: "timestamps without the writer: concurrent writes with one counter are never resolved",
            expect: &[("convergence", Verdict::Violated)],
        },
        VariantSpec {
            name: "no-member-merge",
            doc: "member lists are not merged: a member knows only the peers it started with (caught in scenario join-no-member-merge; at the default every member knows every other, so nothing is lost)",
            expect: &[],
        },
        VariantSpec {
            name: "skewed-clock",
            doc: "a write is stamped from its writer's clock (Demers' Now[]), and m1's runs ahead of m2's: m2's write, made after holding m1's, carries the smaller timestamp and loses to it everywhere, though no member moves back",
            expect: &[("no lost update", Verdict::Violated)],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "crash",
            doc: "a member may crash (and stay down), no message is lost: the live members still converge",
            variant: crate::registry::CORRECT,
            params: &[("crashes", 1)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "loss",
            doc: "one message may be lost: an exchange cut short is retried, and the members converge",
            variant: crate::registry::CORRECT,
            params: &[("losses", 1)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "join",
            doc: "members start knowing only the seed m1 and learn of each other by push-pull (memberlist's Join): the member lists converge with the values",
            variant: crate::registry::CORRECT,
            params: &[("join", 1)],
            fairness: None,
            expect: &[],
        },
        ScenarioSpec {
            name: "join-no-member-merge",
            doc: "members join through the seed m1, but member lists are not merged: m1 never learns of anyone, and the member lists never converge",
            variant: "no-member-merge",
            params: &[("join", 1)],
            fairness: None,
            expect: &[("convergence", Verdict::Violated)],
        },
    ],
    fairness: checker::Fairness::Strong,
    check: crate::registry::check_config::<GossipCfg>,
    explore: crate::registry::explore_config::<GossipCfg>,
    replay: crate::registry::replay_config::<GossipCfg>,
    compare: crate::registry::compare_config::<GossipCfg>,
    run: Some(run::run),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Config;
    use std::sync::Arc;

    /// All three members hold `a` (m1's write) and every write is made, but
    /// m2 had held `b`, written after `a`: the members agree, and the later
    /// update is reflected nowhere. Demers' claim is not met; convergence
    /// used to accept any agreement.
    #[test]
    fn convergence_is_on_the_newest_value_not_any_agreement() {
        let model = GossipCfg::default().into_model();
        let mut state = model.init_states().remove(0);
        let a = Entry {
            version: (1, 0),
            write: 0,
            after: 0,
        };
        let b = Entry {
            version: (2, 1),
            write: 1,
            after: bit(0),
        };
        for m in 0..3 {
            let mut s = (*state.actor_states[m]).clone();
            GossipActor::hold(&mut s, 0, a);
            if m == 1 {
                GossipActor::hold(&mut s, 0, b);
                GossipActor::hold(&mut s, 0, a);
            }
            state.actor_states[m] = Arc::new(s);
            state.timers_set[m].cancel(&GossipTimer::Write);
        }
        assert!(!convergence(&model, &state), "agreement on a stale value");
        // Once m2 is down, nobody live has held b: the live members hold
        // the newest value they know of, and have converged.
        state.crashed[1] = true;
        assert!(convergence(&model, &state));
        // And all holding b is convergence.
        state.crashed[1] = false;
        for m in 0..3 {
            let mut s = (*state.actor_states[m]).clone();
            GossipActor::hold(&mut s, 0, b);
            state.actor_states[m] = Arc::new(s);
        }
        assert!(convergence(&model, &state));
    }

    /// The write rule, both ways: m2 holds m1's `a@3.m1` and writes. With
    /// Lamport's tick its `b` is stamped past `a`, and `a` can never come
    /// back; with a skewed clock `b@2.m2` follows `a` but is stamped below
    /// it, and when `a` comes back (the merge takes it, rightly by
    /// timestamp) the update is lost though m2 never moved back.
    #[test]
    fn a_skewed_clock_stamps_a_later_write_below_the_one_it_follows() {
        let a = Entry {
            version: (3, 0),
            write: 0,
            after: 0,
        };
        let write_after_a = |bug: Bug| {
            let cfg = GossipCfg {
                bug,
                ..GossipCfg::default()
            };
            let ids: Vec<Id> = (0..cfg.members).map(Id::from).collect();
            let m2 = cfg.actors(&ids, Selection::AnyPeer, run::PERIOD).remove(1);
            let mut s = m2.on_start(ids[1], &None, &mut Out::new());
            GossipActor::hold(&mut s, 0, a);
            let mut cow = Cow::Borrowed(&s);
            m2.on_timeout(ids[1], &mut cow, &GossipTimer::Write, &mut Out::new());
            let s = cow.into_owned();
            (m2, s)
        };

        let (m2, s) = write_after_a(Bug::None);
        let b = s.db[0].expect("written");
        assert_eq!((b.write, b.version, b.after), (1, (4, 1), bit(0)));
        assert!(!m2.newer(&a, &s.db[0]), "a cannot come back");

        let (m2, mut s) = write_after_a(Bug::SkewedClock);
        let b = s.db[0].expect("written");
        assert_eq!((b.write, b.version, b.after), (1, (2, 1), bit(0)));
        assert!(member_moves_forward(&s) && member_keeps_updates(&s));
        assert!(m2.newer(&a, &s.db[0]), "a wins by timestamp");
        GossipActor::hold(&mut s, 0, a);
        assert!(member_moves_forward(&s), "no merge went back");
        assert!(!member_keeps_updates(&s), "b, which follows a, is lost");
        assert_eq!(
            format!("{s:?}"),
            "{db: [Some(a@3.m1)], members: {m1,m2,m3}, superseded: {a}}"
        );
    }
}
