//! Raft's leader election and log replication, as [Ongaro & Ousterhout, "In
//! Search of an Understandable Consensus Algorithm (Extended Version)"
//! (2014)](https://raft.github.io/raft.pdf) §5 and Figure 2 give them. A server
//! that times out starts an election for the next term (RequestVote, §5.2); a
//! candidate with votes from a majority leads that term, appends its clients'
//! commands and replicates them (AppendEntries, §5.3); an entry of the
//! leader's own term stored on a majority is committed (§5.3-5.4), and every
//! server applies its committed prefix to its state machine.
//!
//! Fault model: FIFO links between servers (as etcd's TCP streams), no loss,
//! each message delivered once; up to `crashes` servers down at once, each
//! restarting from exactly Figure 2's persistent state (`current_term`,
//! `voted_for`, `log[]`, kept in Stateright's `Storage` and saved before any
//! message that depends on them). Timeouts fire at any time (the checker
//! knows no clocks). Each server has a co-located client: a new leader
//! appends its client's command (in place of §8's no-op entry) while its log
//! is shorter than `max_log`, so a leader appends at most one entry per term
//! and Leader Append-Only is exercised for that one entry.
//!
//! Bounds and cuts. `max_term` and `max_log` bound the workload: beyond them
//! the actions are disabled. Two more parameters cut the *timing*, which
//! safety must survive in full: only the first `candidates` servers ever time
//! out (2 of 3 by default), and only terms `1..=contested` are open to every
//! candidate, later terms going to one candidate each in turn (as if its
//! randomised timeout always fired first). The default, `contested = max_term
//! = 2`, is every timing of two candidates over two terms (split votes, a
//! vote refused because it went to the rival, a candidate stepping down for
//! the leader of its term); the scenarios with `contested = 0` follow Figure
//! 8's schedule only (S1, S5, S1, S5 of the figure), and their verdicts hold
//! for that schedule. With `contested = max_term = 3` the search passes a
//! million states.
//!
//! A leader tells every follower a new commit index at once: Figure 2's
//! idle-period heartbeat, sent when it carries news. A periodic heartbeat
//! that repeats an acknowledged request changes nothing on a network that
//! loses nothing, and in the checker heartbeats cannot hold off a timeout.
//!
//! The properties read history variables ([`Ghost`], saved with the
//! persistent state so a crash keeps them): what each server ever applied,
//! which entries each leader committed in its term, and each leader's log at
//! election. So State Machine Safety covers every entry ever applied, and
//! Leader Completeness every pair of a commit and a later term's election,
//! whichever happened first, as Figure 3 states them.
//!
//! What the checker shows: Figure 3's five properties hold at the default
//! and in scenario `restart` (a server restarts holding committed entries).
//! Each bug variant breaks the rule it names: `vote-without-log-check`
//! (§5.4.1) Leader Completeness (9 steps) at the default;
//! `keep-conflicting-entries` (§5.3) State Machine Safety at the default and
//! Log Matching in scenario `three-terms`; `forget-voted-for` (Figure 2's
//! persistent state) Election Safety in scenario `double-vote` (it is inert
//! without a crash); `commit-by-counting-replicas` (§5.4.2) State Machine
//! Safety and Leader Completeness in scenario `figure-8`.
//!
//! Figure 8 on three servers, beside the scenario's counterexample (40
//! steps; S1..S5 are the figure's servers, S2 and S3 played by server 2):
//!
//! | Figure 8 | the checker's run |
//! |---|---|
//! | (a) S1 leads term 2 and appends an entry, copied to S2 only | server 0 leads term 1 (server 1's vote), appends `1a`; its AppendEntries arrive after both followers moved on, and are refused |
//! | (b) S1 crashes; S5 leads term 3 (votes of S3, S4, itself), appends an entry | server 1 leads term 2 (server 2's vote: its log is as empty as server 1's) and appends `2b`, stored on server 1 alone |
//! | (c) S5 crashes; S1 leads term 4 and copies its term-2 entry to S3: a majority | server 0 leads term 3 (server 2's vote), its log full, and copies `1a` to server 2. `1a` is on a majority but of term 1: the correct leader waits for an entry of term 3 (§5.4.2); the buggy one counts replicas, commits `1a` and applies it (step 26), and server 2 applies it too |
//! | (d) S1 crashes; S5 is elected (votes of S2, S3, S4) and overwrites the entry everywhere | server 1 times out into term 4 and wins server 0's vote (its last term 2 beats `1a`'s 1), then overwrites `1a` on server 0 with `2b` and, counting replicas again, commits and applies `2b` at index 1 (step 40). State Machine Safety is violated: `1a` and `2b` both applied at index 1. Leader Completeness fails earlier (35 steps): `1a`, committed in term 3, is not in the log of term 4's leader |
//!
//! The term-4 commit uses the same bug only because the log bound leaves
//! server 1 no entry of its own term; with one, its correct commit would
//! overwrite `1a` just the same, as in the figure's (d). The figure's crashes
//! are played by timeouts (a deposed leader in the checker steps down
//! rather than crashing), and the scenario bounds the messages in flight at
//! four (a TLC-style constraint; the complete search at these bounds is 1.6
//! million states, about 9 minutes here), so the verdicts that need the cut
//! states are `inconclusive`, never "holds".
//!
//! Liveness (§5.2, §5.6). "Leader eventually elected" and "command
//! eventually committed" are judged on fair runs (weak fairness: a message
//! that can be delivered, or a timer that can fire, eventually is), without
//! crashes, as fair lassos and deadlocks over the explored graph:
//!
//! - At the default, and wherever `max_term` bounds the terms, both are
//!   `inconclusive` (`bounded`): a run that reaches the bound without a
//!   leader or a commit ends there only because no election may start
//!   beyond it. Judged as is, "command eventually committed" would be
//!   VIOLATED by a deadlock of the bound's making (an election in the last
//!   term is pre-empted, and no server may start another), a verdict about
//!   the bound, not about Raft. So the states where the bound disables a
//!   timeout are the checker's *horizon* ([`term_bound_bites`]): every step
//!   of the bounded model is still explored, so the safety verdicts stand,
//!   but liveness is not judged through them.
//! - Scenario `split-votes` is why real Raft randomizes election timeouts
//!   (§5.2): all three servers time out together, each votes for itself,
//!   no one gets a majority, all time out together again, forever. Every
//!   message is delivered and every timer fires: a fair lasso (18 steps:
//!   three timeouts, then a loop of fifteen), with terms unbounded (`max_term = 0`) under the term view
//!   ([`term_view`]), which turns the ever-growing terms into a loop. The
//!   timeouts are *patient* ([`RaftCfg::patient`], §5.6's
//!   broadcastTime ≪ electionTimeout): no election is cut short by a
//!   timer, and still nothing in the protocol breaks the tie. Random
//!   timeouts make it likely that one server times out well before the
//!   others and wins before they wake up.
//! - Scenario `one-candidate` is that likely case taken as a rule: one
//!   server times out, patiently; on every fair run a leader is elected
//!   and its command committed, and both properties hold.
//! - With a crash (scenarios `double-vote`, `restart`) both are VIOLATED: a
//!   server may crash and stay down (recovery is never forced), and the
//!   one whose turn it is to stand cannot be replaced. §5.6 asks for a
//!   mean time between failures far above the election timeout.
//!
//! Symmetry. The checker's symmetry reduction is not declared: the servers
//! are not interchangeable. Each leader appends its own client's command
//! (`a`, `b`, ...), only the first `candidates` servers time out, and
//! later terms go to them in a fixed rotation; only servers that never
//! stand for election are interchangeable, and the default has one. The
//! reduction would also leave the liveness properties unjudged (fairness
//! names actors and it renames them), so it would buy nothing here.
//!
//! Real runs: `dsw run raft` runs the same actors over UDP on loopback,
//! election timeouts randomized in 150..300 ms, each server's storage in a
//! file fsynced before its messages are sent; it crashes the leader once
//! it has committed, restarts it from its file, runs until every server
//! has applied the committed log, and checks Figure 3's properties on what
//! happened, the takeover and the recovery ([`run`]).
//!
//! Refinement (§5.3, §5.4). "refines ReplicatedLog" checks that every step
//! maps to a step of a plain replicated log
//! ([`specs::abstract_spec::ReplicatedLog`]: one variable `committed`, one
//! action appending a non-empty sequence of commands) or to a stutter,
//! under the longest committed prefix any server knows
//! ([`to_replicated_log`]): Figure 3's State Machine Safety and Leader
//! Completeness together say that a committed entry is never lost or
//! changed. It holds at the default and in scenarios `restart` (a crash
//! wipes a commit index, not what was committed), `double-vote` (no
//! entries: trivially) and `one-candidate`; `split-votes` has no commands,
//! and its in-flight bound leaves it `inconclusive`. It fails in each
//! variant that loses a committed entry, at the step that loses it:
//! `vote-without-log-check` and `keep-conflicting-entries` (11 steps: a
//! second entry applied at index 1), scenario `three-terms`, and
//! scenario `figure-8` (39 steps: Figure 8's (d), the term-4 leader
//! overwrites `1a` in the log of the server that committed it, one step
//! before `2b` is applied over it). `commit-by-counting-replicas` at the
//! default and `forget-voted-for` without a crash lose nothing, as their
//! Figure 3 verdicts already say: the first needs four terms, the second
//! a crash.

pub mod run;

use crate::registry::{
    Config, ParamRule, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
};
use crate::runner::Runnable;
use checker::{PropertyKind, Verdict};
use serde::{Deserialize, Serialize};
use stateright::actor::{majority, Actor, ActorModel, Envelope, Id, Network, Out};
use stateright::Expectation;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// "Terms act as a logical clock" (§5.1); 0 before the first election.
pub type Term = u32;
/// A log position, from 1 as in the paper; 0 means "before the first entry".
pub type Index = usize;
/// A client command: the letter of the server whose client submitted it,
/// printed bare (`a`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Command(pub char);

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a log entry can carry: raft's own [`Command`] letters, or another
/// module's commands (raft-kv's client requests), so that the protocol is
/// written once and replicates any state machine's commands. An entry
/// prints as its term followed by its command's `Debug` (`1a`).
pub trait Cmd:
    Copy
    + std::fmt::Debug
    + Eq
    + std::hash::Hash
    + Ord
    + Serialize
    + serde::de::DeserializeOwned
    + Send
    + Sync
    + 'static
{
}

impl<T> Cmd for T where
    T: Copy
        + std::fmt::Debug
        + Eq
        + std::hash::Hash
        + Ord
        + Serialize
        + serde::de::DeserializeOwned
        + Send
        + Sync
        + 'static
{
}

/// "Each entry contains command for state machine, and term when entry was
/// received by leader (first index is 1)" (Figure 2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogEntry<C = Command> {
    pub term: Term,
    pub command: C,
}

/// Printed as in the paper's figures, the term in the box, plus the command:
/// `1a` is command `a` received in term 1.
impl<C: std::fmt::Debug> std::fmt::Debug for LogEntry<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:?}", self.term, self.command)
    }
}

/// Figure 2's two RPCs and their results. The candidate and the leader are
/// the message's sender (`candidateId`, `leaderId`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RaftMsg<C = Command> {
    /// "Invoked by candidates to gather votes (§5.2)."
    RequestVote {
        term: Term,
        last_log_index: Index,
        last_log_term: Term,
    },
    /// "currentTerm, for candidate to update itself"; "true means candidate
    /// received vote".
    RequestVoteReply { term: Term, vote_granted: bool },
    /// "Invoked by leader to replicate log entries (§5.3); also used as
    /// heartbeat (§5.2)."
    AppendEntries {
        term: Term,
        prev_log_index: Index,
        prev_log_term: Term,
        entries: Vec<LogEntry<C>>,
        leader_commit: Index,
    },
    /// "true if follower contained entry matching prevLogIndex and
    /// prevLogTerm". On success `match_index` is the index of the last entry
    /// the request made the follower's log agree on, so that the leader
    /// can tell which of its requests this answers (the network reorders
    /// them); Figure 2 leaves this to the RPC layer.
    AppendEntriesReply {
        term: Term,
        success: bool,
        match_index: Index,
    },
}

impl<C> RaftMsg<C> {
    fn term(&self) -> Term {
        match self {
            RaftMsg::RequestVote { term, .. }
            | RaftMsg::RequestVoteReply { term, .. }
            | RaftMsg::AppendEntries { term, .. }
            | RaftMsg::AppendEntriesReply { term, .. } => *term,
        }
    }
}

/// A server's own steps. To the checker a timer is "this step is enabled"
/// and fires at any time; the durations only shape real runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RaftTimer {
    /// "If election timeout elapses without receiving AppendEntries RPC from
    /// current leader or granting vote to candidate: convert to candidate";
    /// a candidate whose election times out starts a new one (Figure 2).
    ElectionTimeout,
}

/// "Updated on stable storage before responding to RPCs" (Figure 2): exactly
/// what a restarted server keeps.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound(deserialize = "C: Deserialize<'de> + Ord"))]
pub struct RaftStorage<C = Command> {
    pub current_term: Term,
    pub voted_for: Option<Id>,
    pub log: Vec<LogEntry<C>>,
    /// Not Figure 2's: the history variables the properties read, saved
    /// with the rest so that a crash does not erase them (see [`Ghost`]).
    pub ghost: Ghost<C>,
}

impl<C> Default for RaftStorage<C> {
    fn default() -> Self {
        RaftStorage {
            current_term: 0,
            voted_for: None,
            log: Vec::new(),
            ghost: Ghost::default(),
        }
    }
}

/// History variables, as in TLA+ specifications: what a server has done so
/// far, recorded for Figure 3's properties and never read by the protocol.
/// They live beside the persistent state so that a crash, which erases
/// the state machine and the commit index, keeps the record of what was
/// committed and applied ("no other server will ever apply a different
/// log entry", Figure 3, is a claim about all time).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(bound(deserialize = "C: Deserialize<'de> + Ord"))]
pub struct Ghost<C = Command> {
    /// Every `(index, entry)` this server has ever applied to its state
    /// machine.
    pub applied: BTreeSet<(Index, LogEntry<C>)>,
    /// `(index, entry, term)`: as leader of `term` this server moved its
    /// commit index past `index`, where its log held `entry`: the entry was
    /// committed in `term` (or before).
    pub committed: BTreeSet<(Index, LogEntry<C>, Term)>,
    /// `(term, log)`: this server was elected leader of `term` holding
    /// `log`. A leader only appends, so its log at election is what
    /// Leader Completeness is strongest about.
    pub elected: BTreeSet<(Term, Vec<LogEntry<C>>)>,
}

impl<C> Default for Ghost<C> {
    fn default() -> Self {
        Ghost {
            applied: BTreeSet::new(),
            committed: BTreeSet::new(),
            elected: BTreeSet::new(),
        }
    }
}

/// Follower, candidate or leader (§5.1, Figure 4), with the volatile state
/// that only a candidate or a leader has.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// "Followers are passive": they only answer RPCs. `heard_leader`:
    /// with [`RaftCfg::patient`] timeouts only, it has accepted
    /// AppendEntries from the leader of its current term.
    Follower { heard_leader: bool },
    /// Gathering votes for `current_term`; `votes_granted` includes its own.
    /// `votes_refused` is kept only with [`RaftCfg::patient`] timeouts,
    /// which wait for every answer (empty otherwise, so that a refusal
    /// changes nothing).
    Candidate {
        votes_granted: BTreeSet<Id>,
        votes_refused: BTreeSet<Id>,
    },
    /// "Volatile state on leaders (reinitialized after election)": for each
    /// other server, "index of the next log entry to send to that server"
    /// and "index of highest log entry known to be replicated on server".
    Leader {
        next_index: BTreeMap<Id, Index>,
        match_index: BTreeMap<Id, Index>,
    },
}

/// Figure 2's state of a server.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RaftState<C = Command> {
    // persistent state on all servers (see `RaftStorage`)
    /// "Latest term server has seen."
    pub current_term: Term,
    /// "CandidateId that received vote in current term (or null if none)."
    pub voted_for: Option<Id>,
    /// "Log entries"; `log[0]` is the paper's index 1.
    pub log: Vec<LogEntry<C>>,

    // volatile state on all servers
    /// "Index of highest log entry known to be committed."
    pub commit_index: Index,
    /// "Index of highest log entry applied to state machine."
    pub last_applied: Index,
    /// The state machine: the entries applied to it, in order (a replicated
    /// log's state machine is the sequence of its commands). Volatile like
    /// the rest: a restarted server replays its log as entries commit again.
    pub state_machine: Vec<LogEntry<C>>,

    /// History variables (not Figure 2's), restored from storage on
    /// restart; see [`Ghost`].
    pub ghost: Ghost<C>,

    /// Follower, candidate or leader, with the role's volatile state.
    pub role: Role,
}

/// Only what is set, so that a step's change is easy to spot.
impl<C: std::fmt::Debug> std::fmt::Debug for RaftState<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = match &self.role {
            Role::Follower {
                heard_leader: false,
            } => "follower".to_string(),
            Role::Follower { heard_leader: true } => "follower (leader heard)".to_string(),
            Role::Candidate { votes_granted, .. } => format!("candidate {votes_granted:?}"),
            Role::Leader {
                next_index,
                match_index,
            } => format!("leader next_index {next_index:?} match_index {match_index:?}"),
        };
        let mut set = vec![format!("{role}, term {}", self.current_term)];
        if let Some(v) = self.voted_for {
            set.push(format!("voted_for {v:?}"));
        }
        if !self.log.is_empty() {
            set.push(format!("log {:?}", self.log));
        }
        if self.commit_index > 0 {
            set.push(format!("commit_index {}", self.commit_index));
        }
        if !self.state_machine.is_empty() {
            set.push(format!("applied {:?}", self.state_machine));
        }
        write!(f, "{{{}}}", set.join(", "))
    }
}

impl<C> RaftState<C> {
    pub fn last_log_index(&self) -> Index {
        self.log.len()
    }

    fn last_log_term(&self) -> Term {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index`, 0 for index 0 (and past the end).
    pub fn term_at(&self, index: Index) -> Term {
        if index == 0 {
            0
        } else {
            self.log.get(index - 1).map_or(0, |e| e.term)
        }
    }

    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }
}

/// Known bugs, each one rule of Figure 2 broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum Bug {
    /// Figure 2 as published.
    #[default]
    None,
    /// RequestVote grants a vote without "candidate's log is at least as
    /// up-to-date as receiver's log" (§5.4.1). Must violate "leader
    /// completeness".
    VoteWithoutLogCheck,
    /// AppendEntries appends the new entries past the end of the follower's
    /// log but never "delete[s] the existing entry and all that follow it"
    /// when one conflicts (§5.3). Must violate "log matching".
    KeepConflictingEntries,
    /// `voted_for` is kept in memory only, so a server that crashes and
    /// restarts may vote twice in one term. Must violate "election safety".
    ForgetVotedFor,
    /// The leader commits any entry stored on a majority, whatever its
    /// term, instead of only entries of its own term (§5.4.2, Figure 8).
    /// Must violate "state machine safety".
    CommitByCountingReplicas,
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::VoteWithoutLogCheck,
        Bug::KeepConflictingEntries,
        Bug::ForgetVotedFor,
        Bug::CommitByCountingReplicas,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::VoteWithoutLogCheck => "vote-without-log-check",
            Bug::KeepConflictingEntries => "keep-conflicting-entries",
            Bug::ForgetVotedFor => "forget-voted-for",
            Bug::CommitByCountingReplicas => "commit-by-counting-replicas",
        }
    }
}

/// A Raft server. Every server knows all of them by id (indices when
/// checked, socket addresses when run over UDP).
#[derive(Clone, Debug)]
pub struct RaftActor<C = Command> {
    /// This server's position in `servers`, from 0.
    pub index: usize,
    pub servers: Vec<Id>,
    pub bug: Bug,
    /// The command a new leader appends at the start of its term, if any:
    /// in raft, its co-located client's letter (see the module docs).
    pub election_command: Option<C>,
    /// No election starts beyond this term; 0 for no bound.
    pub max_term: Term,
    /// A leader accepts a client command only while its log is shorter.
    pub max_log: usize,
    /// Whether this server's election timeout ever fires (see
    /// [`RaftCfg::candidates`]).
    pub may_campaign: bool,
    /// How many servers stand for election (see [`RaftCfg::candidates`]).
    pub candidates: usize,
    /// Terms up to this one are open to every candidate; later ones rotate
    /// (see [`RaftCfg::contested`]).
    pub contested: Term,
    /// A candidate's election timeout waits for every answer to its
    /// RequestVote (see [`RaftCfg::patient`]).
    pub patient: bool,
}

impl<C: Cmd> RaftActor<C> {
    /// "Updated on stable storage before responding to RPCs" (Figure 2):
    /// called by every arm that changes persistent state, before its sends.
    fn save(&self, s: &RaftState<C>, o: &mut Out<Self>) {
        o.save(RaftStorage {
            current_term: s.current_term,
            // The bug: the vote never reaches the disk.
            voted_for: s.voted_for.filter(|_| self.bug != Bug::ForgetVotedFor),
            log: s.log.clone(),
            ghost: s.ghost.clone(),
        });
    }

    fn peers(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        self.servers.iter().copied().filter(move |&j| j != id)
    }

    /// The AppendEntries the leader sends server `j`: everything from
    /// `next_index[j]` on (empty: a heartbeat).
    fn append_entries(&self, s: &RaftState<C>, j: Id, o: &mut Out<Self>) {
        let Role::Leader { next_index, .. } = &s.role else {
            return;
        };
        let next = next_index[&j];
        let prev_log_index = next - 1;
        o.send(
            j,
            RaftMsg::AppendEntries {
                term: s.current_term,
                prev_log_index,
                prev_log_term: s.term_at(prev_log_index),
                entries: s.log[prev_log_index..].to_vec(),
                leader_commit: s.commit_index,
            },
        );
    }

    /// Leader: "If there exists an N such that N > commitIndex, a majority of
    /// matchIndex[i] ≥ N, and log[N].term == currentTerm: set commitIndex =
    /// N (§5.3, §5.4)". True if the commit index moved.
    fn advance_commit_index(&self, s: &mut RaftState<C>) -> bool {
        let Role::Leader { match_index, .. } = &s.role else {
            return false;
        };
        let quorum = majority(self.servers.len());
        let committable = (s.commit_index + 1..=s.last_log_index()).rev().find(|&n| {
            // The leader itself holds every entry of its log.
            let replicas = 1 + match_index.values().filter(|&&m| m >= n).count();
            // The bug: any entry on a majority, whatever its term.
            let own_term =
                s.term_at(n) == s.current_term || self.bug == Bug::CommitByCountingReplicas;
            replicas >= quorum && own_term
        });
        match committable {
            Some(n) => {
                for index in s.commit_index + 1..=n {
                    let entry = s.log[index - 1];
                    s.ghost.committed.insert((index, entry, s.current_term));
                }
                s.commit_index = n;
                apply(s);
                true
            }
            None => false,
        }
    }

    /// "If RPC request or response contains term T > currentTerm: set
    /// currentTerm = T, convert to follower (§5.1)" (Figure 2, rules for all
    /// servers).
    fn step_down(&self, s: &mut RaftState<C>, term: Term, o: &mut Out<Self>) {
        if s.is_leader() {
            self.reset_election_timer(o);
        }
        s.current_term = term;
        s.voted_for = None;
        s.role = Role::Follower {
            heard_leader: false,
        };
    }

    /// (Re)starts the election timeout, on a server whose timeout fires.
    fn reset_election_timer(&self, o: &mut Out<Self>) {
        if self.may_campaign {
            o.set_timer(RaftTimer::ElectionTimeout, durations::ELECTION);
        }
    }

    /// Whether this server's timeout may start the election of `term`.
    /// Without a term bound, any `contested > 0` opens every term.
    pub fn stands_in(&self, term: Term) -> bool {
        term <= self.contested
            || (self.max_term == 0 && self.contested > 0)
            || (term as usize - 1) % self.candidates == self.index
    }

    /// With patient timeouts, "broadcastTime ≪ electionTimeout ≪ MTBF"
    /// (§5.6) on a network that loses nothing and servers that do not
    /// crash: a candidate's election times out only once every other
    /// server has answered its RequestVote, so no election is cut short by
    /// its own candidate's timer; a follower that has granted its vote in
    /// its current term, or heard that term's leader, does not time out
    /// (the leader's heartbeats would reach it first). Votes may still
    /// split: candidates that time out together each vote for themselves.
    pub fn election_over(&self, s: &RaftState<C>) -> bool {
        if !self.patient {
            return true;
        }
        match &s.role {
            Role::Candidate {
                votes_granted,
                votes_refused,
            } => votes_granted.len() + votes_refused.len() == self.servers.len(),
            Role::Follower { heard_leader } => !heard_leader && s.voted_for.is_none(),
            Role::Leader { .. } => false,
        }
    }

    pub fn can_accept_command(&self, s: &RaftState<C>) -> bool {
        s.log.len() < self.max_log
    }

    /// "The leader appends the command to its log as a new entry, then
    /// issues AppendEntries RPCs in parallel to each of the other servers
    /// to replicate the entry" (§5.3): a client request reaching the
    /// leader, for a module that replicates its own commands (raft's
    /// leaders append only at election). The caller checks that `s` leads
    /// and that its log has room ([`Self::can_accept_command`]).
    pub fn propose(&self, id: Id, s: &mut RaftState<C>, command: C, o: &mut Out<Self>) {
        debug_assert!(s.is_leader() && self.can_accept_command(s));
        let term = s.current_term;
        s.log.push(LogEntry { term, command });
        self.save(s, o);
        for j in self.peers(id) {
            self.append_entries(s, j, o);
        }
    }
}

/// "If commitIndex > lastApplied: increment lastApplied, apply
/// log[lastApplied] to state machine (§5.3)", until they are equal.
fn apply<C: Copy + Ord>(s: &mut RaftState<C>) {
    while s.last_applied < s.commit_index {
        s.last_applied += 1;
        let entry = s.log[s.last_applied - 1];
        s.state_machine.push(entry);
        s.ghost.applied.insert((s.last_applied, entry));
    }
}

fn server_letter(index: usize) -> Command {
    Command(char::from(b'a' + index as u8))
}

impl<C: Cmd> Actor for RaftActor<C> {
    type Msg = RaftMsg<C>;
    type Timer = RaftTimer;
    type State = RaftState<C>;
    type Storage = RaftStorage<C>;
    type Random = ();

    fn name(&self) -> String {
        format!("server {}", self.index)
    }

    /// A server starts, and restarts, as a follower with its persistent
    /// state and nothing else.
    fn on_start(
        &self,
        _id: Id,
        storage: &Option<RaftStorage<C>>,
        o: &mut Out<Self>,
    ) -> RaftState<C> {
        let stored = storage.clone().unwrap_or_default();
        self.reset_election_timer(o);
        RaftState {
            current_term: stored.current_term,
            voted_for: stored.voted_for,
            log: stored.log,
            commit_index: 0,
            last_applied: 0,
            state_machine: Vec::new(),
            ghost: stored.ghost,
            role: Role::Follower {
                heard_leader: false,
            },
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
        if msg.term() > state.current_term {
            let s = state.to_mut();
            self.step_down(s, msg.term(), o);
            self.save(s, o);
        }
        let quorum = majority(self.servers.len());
        match msg {
            // RequestVote receiver, 1: "Reply false if term < currentTerm
            // (§5.1)."
            RaftMsg::RequestVote { term, .. } if term < state.current_term => {
                let term = state.current_term;
                let vote_granted = false;
                o.send(src, RaftMsg::RequestVoteReply { term, vote_granted });
            }
            // RequestVote receiver, 2: "If votedFor is null or candidateId,
            // and candidate's log is at least as up-to-date as receiver's
            // log, grant vote (§5.2, §5.4)." Up-to-date: "If the logs have
            // last entries with different terms, then the log with the later
            // term is more up-to-date. If the logs end with the same term,
            // then whichever log is longer is more up-to-date" (§5.4.1).
            RaftMsg::RequestVote {
                term,
                last_log_index,
                last_log_term,
            } => {
                let up_to_date = (last_log_term, last_log_index)
                    >= (state.last_log_term(), state.last_log_index());
                let check_log = self.bug != Bug::VoteWithoutLogCheck;
                let free = state.voted_for.is_none() || state.voted_for == Some(src);
                let vote_granted = !state.is_leader() && free && (up_to_date || !check_log);
                if vote_granted {
                    let s = state.to_mut();
                    s.voted_for = Some(src);
                    self.save(s, o);
                    // Granting a vote restarts the election timeout.
                    self.reset_election_timer(o);
                }
                o.send(src, RaftMsg::RequestVoteReply { term, vote_granted });
            }
            // Candidate: "If votes received from majority of servers: become
            // leader" (§5.2); then "send initial empty AppendEntries RPCs
            // (heartbeat) to each server". A refused vote changes nothing.
            RaftMsg::RequestVoteReply {
                term,
                vote_granted: true,
            } if term == state.current_term
                && matches!(&state.role, Role::Candidate { votes_granted, .. } if !votes_granted.contains(&src)) =>
            {
                let s = state.to_mut();
                let Role::Candidate { votes_granted, .. } = &mut s.role else {
                    unreachable!("guarded")
                };
                votes_granted.insert(src);
                if votes_granted.len() < quorum {
                    return;
                }
                // "Reinitialized after election": nextIndex to "leader last
                // log index + 1", matchIndex to 0.
                let next = s.last_log_index() + 1;
                s.role = Role::Leader {
                    next_index: self.peers(id).map(|j| (j, next)).collect(),
                    match_index: self.peers(id).map(|j| (j, 0)).collect(),
                };
                o.cancel_timer(RaftTimer::ElectionTimeout);
                let elected = (s.current_term, s.log.clone());
                s.ghost.elected.insert(elected);
                // "Each leader commit[s] a blank no-op entry into the log at
                // the start of its term" (§8); here the entry carries its
                // client's command, if the log has room.
                if let Some(command) = self.election_command {
                    if self.can_accept_command(s) {
                        let term = s.current_term;
                        s.log.push(LogEntry { term, command });
                    }
                }
                self.save(s, o);
                for j in self.peers(id) {
                    self.append_entries(s, j, o);
                }
            }
            // A refused vote counts for nothing; a patient candidate notes
            // it, to know when its election is over.
            RaftMsg::RequestVoteReply {
                term,
                vote_granted: false,
            } if self.patient
                && term == state.current_term
                && matches!(&state.role, Role::Candidate { votes_refused, .. } if !votes_refused.contains(&src)) =>
            {
                let s = state.to_mut();
                if let Role::Candidate { votes_refused, .. } = &mut s.role {
                    votes_refused.insert(src);
                }
            }
            // AppendEntries receiver, 1: "Reply false if term < currentTerm
            // (§5.1)."
            RaftMsg::AppendEntries { term, .. } if term < state.current_term => {
                let term = state.current_term;
                let (success, match_index) = (false, 0);
                o.send(
                    src,
                    RaftMsg::AppendEntriesReply {
                        term,
                        success,
                        match_index,
                    },
                );
            }
            // A candidate that hears from the leader of its term "recognizes
            // the leader as legitimate and returns to follower state" (§5.2);
            // a follower's election timeout restarts. AppendEntries receiver,
            // 2: "Reply false if log doesn't contain an entry at
            // prevLogIndex whose term matches prevLogTerm (§5.3)."
            RaftMsg::AppendEntries {
                term,
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } if !state.is_leader() => {
                let s = state.to_mut();
                s.role = Role::Follower {
                    heard_leader: self.patient,
                };
                self.reset_election_timer(o);
                if prev_log_index > s.last_log_index() || s.term_at(prev_log_index) != prev_log_term
                {
                    let (success, match_index) = (false, 0);
                    o.send(
                        src,
                        RaftMsg::AppendEntriesReply {
                            term,
                            success,
                            match_index,
                        },
                    );
                    return;
                }
                // 3: "If an existing entry conflicts with a new one (same
                // index but different terms), delete the existing entry and
                // all that follow it (§5.3)." 4: "Append any new entries not
                // already in the log."
                for (k, entry) in entries.iter().enumerate() {
                    let index = prev_log_index + 1 + k;
                    if index <= s.last_log_index() {
                        if s.term_at(index) == entry.term {
                            continue;
                        }
                        if self.bug == Bug::KeepConflictingEntries {
                            continue;
                        }
                        s.log.truncate(index - 1);
                    }
                    s.log.push(*entry);
                }
                // 5: "If leaderCommit > commitIndex, set commitIndex =
                // min(leaderCommit, index of last new entry)."
                let last_new = prev_log_index + entries.len();
                if leader_commit > s.commit_index {
                    s.commit_index = s.commit_index.max(leader_commit.min(last_new));
                    apply(s);
                }
                self.save(s, o);
                let (success, match_index) = (true, last_new);
                o.send(
                    src,
                    RaftMsg::AppendEntriesReply {
                        term,
                        success,
                        match_index,
                    },
                );
            }
            // Leader: "If successful: update nextIndex and matchIndex for
            // follower (§5.3)", then commit what a majority holds. The
            // follower gets what it still lacks; a new commit index goes to
            // every follower at once (the heartbeat of Figure 2's "repeat
            // during idle periods", sent when it has news: see the module
            // doc).
            RaftMsg::AppendEntriesReply {
                term,
                success: true,
                match_index: matched,
            } if term == state.current_term
                && matches!(&state.role, Role::Leader { match_index, .. } if match_index[&src] < matched) =>
            {
                let s = state.to_mut();
                let Role::Leader {
                    next_index,
                    match_index,
                } = &mut s.role
                else {
                    unreachable!("guarded")
                };
                match_index.insert(src, matched);
                let next = next_index[&src].max(matched + 1);
                next_index.insert(src, next);
                if self.advance_commit_index(s) {
                    self.save(s, o);
                    for j in self.peers(id) {
                        self.append_entries(s, j, o);
                    }
                } else if next <= s.last_log_index() {
                    self.append_entries(s, src, o);
                }
            }
            // Leader: "If AppendEntries fails because of log inconsistency:
            // decrement nextIndex and retry (§5.3)."
            RaftMsg::AppendEntriesReply {
                term,
                success: false,
                ..
            } if term == state.current_term
                && matches!(&state.role, Role::Leader { next_index, match_index } if next_index[&src] > match_index[&src] + 1) =>
            {
                let s = state.to_mut();
                let Role::Leader { next_index, .. } = &mut s.role else {
                    unreachable!("guarded")
                };
                *next_index.get_mut(&src).expect("a peer") -= 1;
                self.append_entries(s, src, o);
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
        match timer {
            // "On conversion to candidate, start election: increment
            // currentTerm, vote for self, reset election timer, send
            // RequestVote RPCs to all other servers" (Figure 2). Disabled
            // beyond `max_term` (the timer stays set and nothing happens:
            // not a step).
            RaftTimer::ElectionTimeout
                if !state.is_leader()
                    && (self.max_term == 0 || state.current_term < self.max_term)
                    && self.stands_in(state.current_term + 1)
                    && self.election_over(state) =>
            {
                let s = state.to_mut();
                s.current_term += 1;
                s.voted_for = Some(id);
                s.role = Role::Candidate {
                    votes_granted: BTreeSet::from([id]),
                    votes_refused: BTreeSet::new(),
                };
                self.save(s, o);
                self.reset_election_timer(o);
                let msg = RaftMsg::RequestVote {
                    term: s.current_term,
                    last_log_index: s.last_log_index(),
                    last_log_term: s.last_log_term(),
                };
                for j in self.peers(id) {
                    o.send(j, msg.clone());
                }
            }
            RaftTimer::ElectionTimeout => {
                self.reset_election_timer(o);
            }
        }
    }
}

/// Timer durations of a real run. Election timeouts are randomised (§5.2)
/// and much longer than a round trip (§5.6).
mod durations {
    use std::ops::Range;
    use std::time::Duration;

    const fn ms(a: u64, b: u64) -> Range<Duration> {
        Duration::from_millis(a)..Duration::from_millis(b)
    }
    pub const ELECTION: Range<Duration> = ms(150, 300);
}

// History: what the properties are stated over.

/// Auxiliary state recorded from the messages (see `record_out`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct RaftHistory {
    /// Every server that ever acted as leader, with its term: only a leader
    /// sends AppendEntries, and it sends them the moment it is elected.
    pub leaders: BTreeSet<(Term, Id)>,
    /// Every entry a leader ever shipped in AppendEntries, as `(leader's
    /// term, leader, index, entry)`: what "Leader Append-Only" is checked
    /// against.
    pub shipped: BTreeSet<(Term, Id, Index, LogEntry)>,
}

fn record_out(_: &RaftCfg, history: &RaftHistory, env: Envelope<&RaftMsg>) -> Option<RaftHistory> {
    let RaftMsg::AppendEntries {
        term,
        prev_log_index,
        entries,
        ..
    } = env.msg
    else {
        return None;
    };
    let mut h = history.clone();
    h.leaders.insert((*term, env.src));
    for (k, e) in entries.iter().enumerate() {
        h.shipped
            .insert((*term, env.src, prev_log_index + 1 + k, *e));
    }
    Some(h)
}

type State = stateright::actor::ActorModelState<RaftActor, RaftHistory>;

/// The servers that are up (a crashed server's last state lingers in the
/// checker's state until it restarts).
fn servers(state: &State) -> impl Iterator<Item = &RaftState> {
    state
        .actor_states
        .iter()
        .zip(&state.crashed)
        .filter(|(_, crashed)| !**crashed)
        .map(|(s, _)| &**s)
}

/// Every server's history variables, up or down: saved in the step that
/// changes them, so a crash keeps them. A real run keeps no storage in the
/// state it checks: there the servers' own copies are read.
fn ghosts(state: &State) -> impl Iterator<Item = &Ghost> {
    let stored = state.actor_storages.iter();
    stored
        .zip(&state.actor_states)
        .map(|(stored, s)| stored.as_ref().map_or(&s.ghost, |st| &st.ghost))
}

/// Every `(index, entry)` any state machine has ever applied.
fn applied(state: &State) -> BTreeSet<(Index, LogEntry)> {
    ghosts(state)
        .flat_map(|g| g.applied.iter().copied())
        .collect()
}

// Properties (Figure 3).

/// Election Safety: "at most one leader can be elected in a given term.
/// §5.2" (Figure 3), over every leader so far.
fn election_safety(_: &RaftModel, state: &State) -> bool {
    let terms: BTreeSet<Term> = state.history.leaders.iter().map(|(t, _)| *t).collect();
    terms.len() == state.history.leaders.len()
}

/// Leader Append-Only: "a leader never overwrites or deletes entries in its
/// log; it only appends new entries. §5.3" (Figure 3): a sitting leader's
/// log still begins with its log at election and still holds every entry
/// it has sent out during its term.
fn leader_append_only(_: &RaftModel, state: &State) -> bool {
    let ids = state.actor_states.iter().zip(&state.crashed).enumerate();
    let up = ids.filter(|(_, (_, crashed))| !**crashed);
    up.map(|(i, (s, _))| (Id::from(i), &**s))
        .filter(|(_, s)| s.is_leader())
        .all(|(id, s)| {
            let at_election = s
                .ghost
                .elected
                .iter()
                .filter(|(t, _)| *t == s.current_term)
                .all(|(_, log)| s.log.starts_with(log));
            let shipped = state
                .history
                .shipped
                .iter()
                .filter(|(t, leader, _, _)| *t == s.current_term && *leader == id)
                .all(|(_, _, index, e)| s.log.get(index - 1) == Some(e));
            at_election && shipped
        })
}

/// Log Matching: "if two logs contain an entry with the same index and term,
/// then the logs are identical in all entries up through the given index.
/// §5.3" (Figure 3).
fn log_matching(_: &RaftModel, state: &State) -> bool {
    let logs: Vec<&Vec<LogEntry>> = servers(state).map(|s| &s.log).collect();
    logs.iter().enumerate().all(|(a, x)| {
        logs[a + 1..].iter().all(|y| {
            (0..x.len().min(y.len()))
                .filter(|&k| x[k].term == y[k].term)
                .all(|k| x[..=k] == y[..=k])
        })
    })
}

/// Leader Completeness: "if a log entry is committed in a given term, then
/// that entry will be present in the logs of the leaders for all
/// higher-numbered terms. §5.4" (Figure 3). Committed in term `t`: the
/// leader of `t` moved its commit index past it. Checked against every
/// leader ever elected in a higher term, by its log at election (its log
/// only grows from there: Leader Append-Only), whichever of the two
/// happened first.
fn leader_completeness(_: &RaftModel, state: &State) -> bool {
    let committed: BTreeSet<&(Index, LogEntry, Term)> =
        ghosts(state).flat_map(|g| &g.committed).collect();
    let elected: BTreeSet<&(Term, Vec<LogEntry>)> =
        ghosts(state).flat_map(|g| &g.elected).collect();
    committed.iter().all(|(index, e, t)| {
        elected
            .iter()
            .filter(|(leader_term, _)| leader_term > t)
            .all(|(_, log)| log.get(index - 1) == Some(e))
    })
}

/// State Machine Safety: "if a server has applied a log entry at a given
/// index to its state machine, no other server will ever apply a different
/// log entry for the same index. §5.4.3" (Figure 3): over everything any
/// server has applied so far, before a crash or after.
fn state_machine_safety(_: &RaftModel, state: &State) -> bool {
    let applied = applied(state);
    let indices: BTreeSet<Index> = applied.iter().map(|(i, _)| *i).collect();
    indices.len() == applied.len()
}

/// Reachability: a leader is elected (§5.2).
fn leader_elected(_: &RaftModel, state: &State) -> bool {
    !state.history.leaders.is_empty()
}

/// Reachability: two candidates stand in the same term at once, so a vote
/// may be refused because it went to the other (§5.2), and the vote may
/// split: what makes "election safety" more than a schedule.
fn contested_election(_: &RaftModel, state: &State) -> bool {
    let candidates: Vec<Term> = servers(state)
        .filter(|s| matches!(s.role, Role::Candidate { .. }))
        .map(|s| s.current_term)
        .collect();
    (1..candidates.len()).any(|k| candidates[..k].contains(&candidates[k]))
}

/// Reachability: an entry is committed and applied (§5.3).
fn entry_committed(_: &RaftModel, state: &State) -> bool {
    entry_committed_any(state)
}

/// Reachability: a leader is replaced and its successor commits an entry
/// of its own term, which also commits every entry before it (§5.4.2).
fn successor_commits(_: &RaftModel, state: &State) -> bool {
    let first = state.history.leaders.iter().next().map(|(t, _)| *t);
    applied(state)
        .iter()
        .any(|(_, e)| first.is_some_and(|t| e.term > t))
}

/// Reachability: a server that had applied entries crashed and restarted
/// from its storage: its state machine is gone, its log (with those
/// committed entries) is back (Figure 2's persistent state at work).
fn restart_with_log(_: &RaftModel, state: &State) -> bool {
    servers(state).any(|s| s.ghost.applied.len() > s.state_machine.len() && !s.log.is_empty())
}

/// Liveness: "a leader is eventually elected". Raft "uses randomized
/// election timeouts to ensure that split votes are rare" (§5.2) and
/// "can elect and maintain a steady leader as long as the system satisfies
/// the timing requirement broadcastTime ≪ electionTimeout ≪ MTBF" (§5.6):
/// a promise about timing, which a checker without clocks can only
/// approximate with [`RaftCfg::patient`] timeouts. Judged on fair runs
/// without crashes: some server is leader.
fn leader_eventually_elected(_: &RaftModel, state: &State) -> bool {
    servers(state).any(|s| s.is_leader())
}

/// Liveness: a client's command is eventually committed. "Once a leader has
/// been elected, it begins servicing client requests ... When the entry has
/// been safely replicated, the leader applies the entry to its state
/// machine" (§5.3). Judged on fair runs without crashes: some server has
/// applied an entry.
fn command_eventually_committed(_: &RaftModel, state: &State) -> bool {
    entry_committed_any(state)
}

fn entry_committed_any(state: &State) -> bool {
    ghosts(state).any(|g| !g.applied.is_empty())
}

// Refinement mapping (§5.3, §5.4).

/// Raft as a state of the abstract replicated log
/// ([`specs::abstract_spec::ReplicatedLog`]): `committed` is the longest
/// committed prefix any server knows of. A server knows the entries up to
/// the highest commit index it has ever had (the last index it applied,
/// read from its history variables, which a crash keeps: a restarted server
/// starts again from `commit_index = 0`, but what it committed stays
/// committed); the prefix is read from the log of the server that knows the
/// most (the lowest-numbered one, if several do), as the commands its
/// clients proposed.
///
/// Well defined when Figure 3's properties hold: an entry at index `i` ≤ a
/// server's highest commit index was committed (§5.3), so by Leader
/// Completeness (§5.4) it is in the log of every later leader, and by Log
/// Matching every log that holds it holds the same prefix before it; a
/// follower only deletes entries that conflict with its leader's (§5.3),
/// so no log that holds a committed entry ever loses it, and every server
/// that knows index `i` is committed holds the same entries `1..=i` (the
/// State Machine Safety argument of §5.4.3). So the choice of server does
/// not matter, the prefix never changes, and the only change a step can
/// make is to lengthen it: a leader moving its commit index past one or
/// more entries is `Commit(s)` with the entries it passed, every other
/// step a stutter.
///
/// Otherwise (a bug variant) the mapping still yields a sequence, and the
/// step that breaks the argument maps to no `ReplicatedLog` step: a log
/// that knew an entry committed has it overwritten (Figure 8's (d):
/// `committed` changes at that index), or a server that knows more than
/// the others reads a different prefix from its own log.
///
/// The terms are left out: they are Raft's bookkeeping, not what the
/// client proposed, and the state machine sees only commands. A committed
/// entry replaced by one with the same command and another term (the same
/// server's client in a later term) would read as no change here; State
/// Machine Safety, which compares whole entries, still sees it.
pub fn to_replicated_log(state: &State) -> specs::abstract_spec::replicated_log::State {
    let mut best: (Index, &[LogEntry]) = (0, &[]);
    for (stored, s) in state.actor_storages.iter().zip(&state.actor_states) {
        let (ghost, log) = match stored {
            Some(st) => (&st.ghost, &st.log),
            None => (&s.ghost, &s.log),
        };
        let known = ghost.applied.iter().map(|(i, _)| *i).max().unwrap_or(0);
        if known > best.0 {
            best = (known, log);
        }
    }
    let (known, log) = best;
    specs::abstract_spec::replicated_log::State {
        committed: log.iter().take(known).map(|e| e.command.0).collect(),
    }
}

/// The commands raft's clients propose: each candidate's client its own
/// letter (a server that never stands never leads, so its client's command
/// is never appended); `MaxLen` is `max_log`.
pub fn replicated_log_spec(cfg: &RaftCfg) -> specs::abstract_spec::ReplicatedLog {
    let proposals = (0..cfg.candidates.min(cfg.servers)).map(|i| server_letter(i).0);
    specs::abstract_spec::ReplicatedLog::new(proposals.collect(), cfg.max_log)
}

// The term view.

/// What the checker stores of a state when terms are unbounded (`max_term =
/// 0`; TLC's `VIEW`): the state with its terms renumbered, so that a run
/// that only grows terms (split votes, one election after another) returns
/// to a state it has seen and closes into a loop. The issue is the same as
/// with Paxos's ballots; Raft needs less, because it only compares terms and
/// adds one to a server's own current term (§5.1).
///
/// Let `m` be the lowest `current_term` of any server (up, down, or in its
/// storage). A term below `m` is *dead*: every server is past it, terms
/// only grow, so no server will ever hold it again, and no step adds one
/// to it. The view:
///
/// 1. forgets history that only dead terms can use: the leaders of dead
///    terms (except the first leader, which "successor commits" reads), the
///    entries they shipped, and their logs at election; for an entry
///    committed in several terms it keeps the lowest. Every violation of
///    "election safety", "leader append-only" or "leader completeness" is
///    first visible in a state where the terms involved are live (a
///    second leader of a term is elected in it; an entry is committed by
///    the leader of its term, and a later leader's term is higher still),
///    so the checker sees it before the view forgets it;
/// 2. numbers the dead terms `1, 2, ...` in order: they are only ever
///    compared with each other (equal, older, newer) and with live terms,
///    which are all higher;
/// 3. shifts the live terms down by `d`, the largest amount that keeps them
///    above the dead ones, and a multiple of `candidates` when later terms
///    rotate among the candidates (`contested = 0`), so that whose turn a
///    term is does not change. With `contested > 0` every term is open to
///    every candidate ([`RaftActor::stands_in`]).
///
/// Term 0, "no entry" in `last_log_term` and `prev_log_term`, stays 0; a
/// state where some server is still in term 0 is not renumbered at all,
/// since its next term is 1 whatever the others hold. A state and its view
/// have the same steps, taken to states with the same views (every
/// operation on terms is `<`, `==` or a server's own `current_term + 1`,
/// all kept by the renumbering), and the same verdicts: a bisimulation.
/// Counterexamples are still shown as the real run, terms growing.
fn term_view(cfg: &RaftCfg, state: &State) -> State {
    let m = state
        .actor_states
        .iter()
        .map(|s| s.current_term)
        .chain(
            state
                .actor_storages
                .iter()
                .flatten()
                .map(|s| s.current_term),
        )
        .min()
        .unwrap_or(0);
    if m == 0 {
        return state.clone();
    }
    let mut next = state.clone();

    // 1. History only dead terms can use.
    let first = next.history.leaders.iter().next().copied();
    next.history
        .leaders
        .retain(|l| l.0 >= m || Some(*l) == first);
    next.history.shipped.retain(|(t, ..)| *t >= m);
    let prune = |g: &mut Ghost| {
        g.elected.retain(|(t, _)| *t >= m);
        let mut lowest: BTreeMap<(Index, LogEntry), Term> = BTreeMap::new();
        for &(i, e, t) in &g.committed {
            lowest.entry((i, e)).or_insert(t);
        }
        g.committed = lowest.into_iter().map(|((i, e), t)| (i, e, t)).collect();
    };
    let mut actor_states: Vec<RaftState> =
        next.actor_states.iter().map(|a| (**a).clone()).collect();
    for s in &mut actor_states {
        prune(&mut s.ghost);
    }
    for st in next.actor_storages.iter_mut().flatten() {
        prune(&mut st.ghost);
    }

    // 2. and 3. Every term still held, renumbered.
    let mut dead: BTreeSet<Term> = BTreeSet::new();
    {
        let mut collect = |t: &mut Term| {
            if *t != 0 && *t < m {
                dead.insert(*t);
            }
        };
        each_term(&mut actor_states, &mut next, &mut collect);
    }
    let rank: BTreeMap<Term, Term> = dead.iter().zip(1..).map(|(&t, r)| (t, r)).collect();
    let step = if cfg.contested == 0 {
        cfg.candidates.max(1) as Term
    } else {
        1
    };
    let room = m - (rank.len() as Term + 1);
    let d = room / step * step;
    each_term(&mut actor_states, &mut next, &mut |t: &mut Term| {
        *t = match *t {
            0 => 0,
            t if t < m => rank[&t],
            t => t - d,
        }
    });
    next.actor_states = actor_states.into_iter().map(std::sync::Arc::new).collect();
    next
}

/// Visits every term a state holds: servers (`actor_states`, passed apart
/// so that they can be changed in place), storages, messages, history.
fn each_term(actors: &mut [RaftState], state: &mut State, visit: &mut dyn FnMut(&mut Term)) {
    fn log(log: &mut [LogEntry], visit: &mut dyn FnMut(&mut Term)) {
        for e in log {
            visit(&mut e.term);
        }
    }
    fn ghost(g: &mut Ghost, visit: &mut dyn FnMut(&mut Term)) {
        g.applied = std::mem::take(&mut g.applied)
            .into_iter()
            .map(|(i, mut e)| {
                visit(&mut e.term);
                (i, e)
            })
            .collect();
        g.committed = std::mem::take(&mut g.committed)
            .into_iter()
            .map(|(i, mut e, mut t)| {
                visit(&mut e.term);
                visit(&mut t);
                (i, e, t)
            })
            .collect();
        g.elected = std::mem::take(&mut g.elected)
            .into_iter()
            .map(|(mut t, mut l)| {
                visit(&mut t);
                log(&mut l, visit);
                (t, l)
            })
            .collect();
    }
    for s in actors {
        visit(&mut s.current_term);
        log(&mut s.log, visit);
        for e in &mut s.state_machine {
            visit(&mut e.term);
        }
        ghost(&mut s.ghost, visit);
    }
    for st in state.actor_storages.iter_mut().flatten() {
        visit(&mut st.current_term);
        log(&mut st.log, visit);
        ghost(&mut st.ghost, visit);
    }
    if let Network::Ordered(flows) = &mut state.network {
        for msg in flows.values_mut().flatten() {
            match msg {
                RaftMsg::RequestVote {
                    term,
                    last_log_term,
                    ..
                } => {
                    visit(term);
                    visit(last_log_term);
                }
                RaftMsg::RequestVoteReply { term, .. }
                | RaftMsg::AppendEntriesReply { term, .. } => visit(term),
                RaftMsg::AppendEntries {
                    term,
                    prev_log_term,
                    entries,
                    ..
                } => {
                    visit(term);
                    visit(prev_log_term);
                    log(entries, visit);
                }
            }
        }
    }
    let h = &mut state.history;
    h.leaders = std::mem::take(&mut h.leaders)
        .into_iter()
        .map(|(mut t, id)| {
            visit(&mut t);
            (t, id)
        })
        .collect();
    h.shipped = std::mem::take(&mut h.shipped)
        .into_iter()
        .map(|(mut t, id, i, mut e)| {
            visit(&mut t);
            visit(&mut e.term);
            (t, id, i, e)
        })
        .collect();
}

/// Where `max_term` disables an election that would otherwise start: an up
/// server that stands for the next term, is no leader, and whose election
/// is over (with patient timeouts) has reached the bound. A run that ends
/// or stays there without a leader or a committed command may do so only
/// because of the bound, so liveness is not judged through it (the
/// checker's horizon): such a run is `bounded`, never a violation.
fn term_bound_bites(actors: &[RaftActor], state: &State) -> bool {
    let up = state.actor_states.iter().zip(&state.crashed);
    actors.iter().zip(up).any(|(a, (s, crashed))| {
        !crashed
            && a.may_campaign
            && a.max_term > 0
            && s.current_term >= a.max_term
            && !s.is_leader()
            && a.stands_in(s.current_term + 1)
            && a.election_over(s)
    })
}

/// `max_term = 0` leaves terms unbounded: the term view makes runs that
/// only grow terms finite, but stale messages may still pile up, so the
/// in-flight bound must be set.
fn unbounded_terms_need_in_flight_bound(params: &Params) -> Result<(), String> {
    if params["max_term"] != 0 || params["max_in_flight"] > 0 {
        return Ok(());
    }
    Err(
        "parameter max_in_flight = 0 is out of range with max_term = 0 (no term bound); \
         it takes 1 to 20 (unbounded terms are explored under the term view, where \
         stale messages would otherwise pile up without end), or give max_term 1 to 6"
            .to_string(),
    )
}

// Configuration.

pub type RaftModel = ActorModel<RaftActor, RaftCfg, RaftHistory>;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaftCfg {
    pub servers: usize,
    /// The highest term an election may start (0: no bound).
    pub max_term: Term,
    /// The longest log a leader appends to.
    pub max_log: usize,
    /// Servers down at once, at most; each restarts from its storage.
    pub crashes: usize,
    /// How many servers (the first ones) ever time out and stand for
    /// election; the others' election timeouts are longer than any run, so
    /// they stay followers. Every run with only these candidates is
    /// explored; with `candidates = servers`, every run.
    pub candidates: usize,
    /// Terms `1..=contested` are open to every candidate (two may stand in
    /// one term, votes may split); in each later term `t` the candidates
    /// take turns: server `(t - 1) mod candidates` alone times out into it,
    /// as if its randomised timeout always expired first (§5.2). With
    /// `contested = 0` and two candidates, exactly Figure 8's schedule (S1,
    /// S5, S1, S5); with `contested >= max_term`, every timing.
    pub contested: Term,
    /// At most this many messages in flight (0: no bound): a state
    /// constraint, as TLC's `CONSTRAINT`, that only scenario `figure-8`
    /// uses. States beyond it are cut off, so a verdict that needs them is
    /// `inconclusive`, never "holds".
    pub max_in_flight: usize,
    /// At most this many messages in flight on each link, one way (0: no
    /// bound): a state constraint like `max_in_flight`, for scenario
    /// `split-votes`, whose loop needs one RequestVote on every link at once
    /// but nothing piled up behind it.
    pub max_per_link: usize,
    /// Election timeouts as "broadcastTime ≪ electionTimeout ≪ MTBF"
    /// (§5.6) makes them, the timing under which Raft promises to elect a
    /// leader ([`RaftActor::election_over`]). Without it a lone candidate
    /// may restart its own election forever. A crashed server never
    /// answers, so it belongs to runs without crashes, as the liveness
    /// properties do.
    pub patient: bool,
    pub bug: Bug,
}

impl Default for RaftCfg {
    fn default() -> Self {
        RaftCfg {
            servers: 3,
            max_term: 2,
            max_log: 2,
            crashes: 0,
            candidates: 2,
            contested: 2,
            max_in_flight: 0,
            max_per_link: 0,
            patient: false,
            bug: Bug::None,
        }
    }
}

impl Config for RaftCfg {
    type Model = RaftModel;

    fn new(variant: &str, params: &Params) -> Self {
        RaftCfg {
            servers: params["servers"] as usize,
            max_term: params["max_term"] as Term,
            max_log: params["max_log"] as usize,
            crashes: params["crashes"] as usize,
            candidates: (params["candidates"] as usize).min(params["servers"] as usize),
            contested: params["contested"] as Term,
            max_in_flight: params["max_in_flight"] as usize,
            max_per_link: params["max_per_link"] as usize,
            patient: params["patient"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> RaftModel {
        crate::runner::indexed(self)
    }

    /// The in-flight bound, if set, is the model's boundary; the term
    /// bound, if set, the horizon of liveness ([`term_bound_bites`]);
    /// without one, the term view ([`term_view`]). And every step maps to
    /// a step of the abstract replicated log or to a stutter
    /// ([`to_replicated_log`]): the refinement is judged on each step as
    /// taken, before the view renumbers its terms.
    fn analyses(model: &RaftModel) -> checker::Analyses<RaftModel> {
        let bound = model.cfg.max_in_flight;
        let cfg = model.cfg.clone();
        let actors = model.actors.clone();
        let max_term = model.cfg.max_term;
        checker::Analyses {
            horizon: (max_term > 0).then(|| checker::analyses::Horizon {
                words: format!("no election starts beyond term {max_term}"),
                reached: Box::new(move |s: &State| term_bound_bites(&actors, s)),
            }),
            boundary: {
                let mut words = Vec::new();
                if bound > 0 {
                    words.push(format!("at most {bound} messages in flight"));
                }
                if model.cfg.max_per_link > 0 {
                    let link = model.cfg.max_per_link;
                    words.push(format!("at most {link} per link"));
                }
                (!words.is_empty()).then(|| words.join(", "))
            },
            view: (model.cfg.max_term == 0).then(|| {
                Box::new(move |s: &State| term_view(&cfg, s)) as checker::analyses::View<RaftModel>
            }),
            refinements: vec![checker::Refinement::new(
                "refines ReplicatedLog",
                replicated_log_spec(&model.cfg),
                to_replicated_log,
            )],
            ..checker::Analyses::none()
        }
    }
}

impl Runnable for RaftCfg {
    type Actor = RaftActor;
    type History = RaftHistory;

    fn actor_count(&self) -> usize {
        self.servers
    }

    /// Done when every server has applied a full log.
    fn done(states: &[Option<RaftState>]) -> bool {
        let Some(Some(first)) = states.first() else {
            return false;
        };
        let full = first.log.len();
        full > 0
            && states
                .iter()
                .all(|s| s.as_ref().is_some_and(|s| s.state_machine.len() == full))
    }

    fn observations(states: &[RaftState], history: &RaftHistory) -> Vec<String> {
        let mut lines: Vec<String> = states
            .iter()
            .enumerate()
            .map(|(i, s)| format!("server {i}: {s:?}"))
            .collect();
        lines.push(format!("leaders (term, id): {:?}", history.leaders));
        lines
    }

    /// Real runs crash the leader once it has committed ([`run`]).
    fn crash(&self, crashes: usize, states: &[Option<RaftState>]) -> Option<runtime::Crash> {
        run::crash_leader(crashes, states.iter().map(Option::as_ref))
    }

    /// The real run's configuration ([`run::real_cfg`]: every server a
    /// candidate, terms unbounded).
    fn for_real_network(self) -> Self {
        run::real_cfg(self)
    }

    /// The leader's heartbeat ([`run::heartbeat`]).
    fn run_only_step() -> Option<crate::runner::RunOnlyStep<RaftActor>> {
        Some(run::heartbeat)
    }

    fn model_on(self, ids: &[Id]) -> RaftModel {
        let servers: Vec<Id> = ids[..self.servers].to_vec();
        let (bug, max_term, max_log) = (self.bug, self.max_term, self.max_log);
        let candidates = self.candidates;
        let contested = self.contested;
        let patient = self.patient;
        let actors = (0..self.servers).map(|index| RaftActor {
            index,
            servers: servers.clone(),
            bug,
            election_command: Some(server_letter(index)),
            max_term,
            max_log,
            may_campaign: index < candidates,
            candidates,
            contested,
            patient,
        });
        let max_crashes = self.crashes;
        ActorModel::new(self, RaftHistory::default())
            .actors(actors)
            // FIFO per pair of servers, as etcd's TCP streams are; no loss,
            // no duplicates. Raft needs none of this (§5.1: RPCs may be
            // reordered, lost, duplicated), but a reordering network
            // multiplies the interleavings: the default configuration
            // alone grows past 450,000 states.
            .init_network(Network::new_ordered([]))
            .max_crashes(max_crashes)
            .within_boundary(|cfg, state| {
                let per_link = match &state.network {
                    Network::Ordered(flows) => flows.values().map(|f| f.len()).max(),
                    _ => None,
                };
                (cfg.max_in_flight == 0 || state.network.len() <= cfg.max_in_flight)
                    && (cfg.max_per_link == 0 || per_link.unwrap_or(0) <= cfg.max_per_link)
            })
            .property(Expectation::Always, "election safety", election_safety)
            .property(
                Expectation::Always,
                "leader append-only",
                leader_append_only,
            )
            .property(Expectation::Always, "log matching", log_matching)
            .property(
                Expectation::Always,
                "leader completeness",
                leader_completeness,
            )
            .property(
                Expectation::Always,
                "state machine safety",
                state_machine_safety,
            )
            .property(Expectation::Sometimes, "leader elected", leader_elected)
            .property(
                Expectation::Sometimes,
                "contested election",
                contested_election,
            )
            .property(Expectation::Sometimes, "entry committed", entry_committed)
            .property(
                Expectation::Sometimes,
                "successor commits",
                successor_commits,
            )
            .property(Expectation::Sometimes, "restart with log", restart_with_log)
            .property(
                Expectation::Eventually,
                "leader eventually elected",
                leader_eventually_elected,
            )
            .property(
                Expectation::Eventually,
                "command eventually committed",
                command_eventually_committed,
            )
            .record_msg_out(record_out)
    }
}

/// Liveness where `max_term` bounds the terms: `bounded`, judged only up
/// to the bound (see the module docs and [`term_bound_bites`]).
const BOUNDED_LIVENESS: [(&str, Verdict); 2] = [
    ("leader eventually elected", Verdict::Inconclusive),
    ("command eventually committed", Verdict::Inconclusive),
];

pub static PROTOCOL: Protocol = Protocol {
    name: "raft",
    section: "Distributed consensus and time",
    summary: "Raft's leader election and log replication: RequestVote, AppendEntries, the commit rule, crash-restart from persistent state",
    citations: &[
        "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (Extended Version) (2014), §5, Figures 2, 3 and 8",
    ],
    notes: "",
    params: &[
        ParamSpec {
            name: "servers",
            doc: "servers",
            default: 3,
            min: 3,
            max: 5,
        },
        ParamSpec {
            name: "max_term",
            doc: "the highest term an election may start (0: no bound, explored under the term view; needs max_in_flight > 0)",
            default: 2,
            min: 0,
            max: 6,
        },
        ParamSpec {
            name: "max_log",
            doc: "the longest log a leader appends a client command to",
            default: 2,
            min: 0,
            max: 4,
        },
        ParamSpec {
            name: "candidates",
            doc: "servers whose election timeout fires (the first ones); the others stay followers",
            default: 2,
            min: 1,
            max: 5,
        },
        ParamSpec {
            name: "contested",
            doc: "terms up to this one are open to every candidate (split votes); later terms rotate among the candidates, one each (Figure 8's schedule); >= max_term, or > 0 with max_term = 0: every timing",
            default: 2,
            min: 0,
            max: 6,
        },
        ParamSpec {
            name: "max_in_flight",
            doc: "at most this many messages in flight, a state constraint (0: no bound); beyond it the search is cut off and verdicts that need it are inconclusive",
            default: 0,
            min: 0,
            max: 20,
        },
        ParamSpec {
            name: "max_per_link",
            doc: "at most this many messages in flight on each link, one way, a state constraint like max_in_flight (0: no bound)",
            default: 0,
            min: 0,
            max: 20,
        },
        ParamSpec {
            name: "patient",
            doc: "1: timeouts as broadcastTime << electionTimeout (§5.6) make them: a candidate's waits for every answer to its RequestVote, a follower's does not fire once it voted or heard a leader in its term; 0: timeouts fire at any time",
            default: 0,
            min: 0,
            max: 1,
        },
        ParamSpec {
            name: "crashes",
            doc: "servers down at once, at most; each restarts from its persistent state",
            default: 0,
            min: 0,
            max: 2,
        },
    ],
    param_rules: &[ParamRule {
        doc: "max_term = 0 (no term bound) needs max_in_flight > 0: stale messages could otherwise pile up without end",
        check: unbounded_terms_need_in_flight_bound,
    }],
    properties: &[
        PropertySpec {
            name: "election safety",
            kind: PropertyKind::Always,
            source: "Raft (extended) Figure 3, §5.2",
        },
        PropertySpec {
            name: "leader append-only",
            kind: PropertyKind::Always,
            source: "Raft (extended) Figure 3, §5.3",
        },
        PropertySpec {
            name: "log matching",
            kind: PropertyKind::Always,
            source: "Raft (extended) Figure 3, §5.3",
        },
        PropertySpec {
            name: "leader completeness",
            kind: PropertyKind::Always,
            source: "Raft (extended) Figure 3, §5.4",
        },
        PropertySpec {
            name: "state machine safety",
            kind: PropertyKind::Always,
            source: "Raft (extended) Figure 3, §5.4.3",
        },
        PropertySpec {
            name: "leader elected",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.2",
        },
        PropertySpec {
            name: "contested election",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.2 (split votes)",
        },
        PropertySpec {
            name: "entry committed",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.3",
        },
        PropertySpec {
            name: "successor commits",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.4.2",
        },
        PropertySpec {
            name: "restart with log",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) Figure 2 (persistent state)",
        },
        PropertySpec {
            name: "leader eventually elected",
            kind: PropertyKind::Eventually,
            source: "Raft (extended) §5.2 (elections; split votes and randomized timeouts), §5.6 (timing)",
        },
        PropertySpec {
            name: "command eventually committed",
            kind: PropertyKind::Eventually,
            source: "Raft (extended) §5.3 (the leader replicates and commits its clients' commands)",
        },
        PropertySpec {
            name: "refines ReplicatedLog",
            kind: PropertyKind::Refines,
            source: "Raft (extended) §5.3, §5.4, Figure 3 (State Machine Safety, Leader Completeness) as a spec (specs::abstract_spec::ReplicatedLog): under the longest committed prefix any server knows, every step appends committed commands or stutters",
        },
    ],
    // The default has no crash: "restart with log" is shown in scenario
    // restart.
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "Raft's Figure 2 as published",
            expect: &[("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
            ],
        },
        VariantSpec {
            name: "vote-without-log-check",
            doc: "a vote is granted without the candidate's log being at least as up-to-date (§5.4.1)",
            expect: &[
                ("leader completeness", Verdict::Violated),
                ("state machine safety", Verdict::Violated),
                ("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
                ("refines ReplicatedLog", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "keep-conflicting-entries",
            doc: "a follower appends without deleting conflicting entries (§5.3); two terms show two entries applied at one index, three (scenario three-terms) two logs that match at an entry and differ before it",
            expect: &[
                ("state machine safety", Verdict::Violated),
                ("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
                ("refines ReplicatedLog", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "forget-voted-for",
            doc: "voted_for is not persisted, so a restarted server votes again in the same term; inert without a crash (the default has none): caught in scenario double-vote",
            expect: &[("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
            ],
        },
        VariantSpec {
            name: "commit-by-counting-replicas",
            doc: "a leader commits an entry of an earlier term once a majority stores it (§5.4.2); needs four terms: caught in scenario figure-8",
            expect: &[("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
            ],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "double-vote",
            doc: "two candidates in term 1 and one crash: a server that forgot its vote votes again, and term 1 has two leaders (no entries: with them the search is 7 times larger)",
            variant: "forget-voted-for",
            params: &[("max_term", 1), ("max_log", 0), ("crashes", 1)],
            fairness: None,
            expect: &[
                ("election safety", Verdict::Violated),
                ("entry committed", Verdict::NoExample),
                ("successor commits", Verdict::NoExample),
                ("restart with log", Verdict::NoExample),
                ("leader eventually elected", Verdict::Violated),
                ("command eventually committed", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "restart",
            doc: "Figure 8's schedule over two terms, one entry per log, one crash: a server restarts from its persistent state holding committed entries, and everything holds",
            variant: crate::registry::CORRECT,
            params: &[("contested", 0), ("max_log", 1), ("crashes", 1)],
            fairness: None,
            // A crash may happen and a recovery need not: the server whose
            // turn it is stays down and no election starts.
            expect: &[
                ("contested election", Verdict::NoExample),
                ("leader eventually elected", Verdict::Violated),
                ("command eventually committed", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "three-terms",
            doc: "Figure 8's schedule over three terms: a follower that kept 2b under 1a's successor 3a has logs [2b, 3a] and [1a, 3a], the same (index, term) over different prefixes",
            variant: "keep-conflicting-entries",
            params: &[("contested", 0), ("max_term", 3)],
            fairness: None,
            expect: &[
                ("log matching", Verdict::Violated),
                ("leader completeness", Verdict::Violated),
                ("state machine safety", Verdict::Violated),
                ("contested election", Verdict::NoExample),
                ("restart with log", Verdict::NoExample),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
                ("refines ReplicatedLog", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "figure-8",
            doc: "Figure 8's schedule (two candidates taking turns, four terms, one entry per log), at most 4 messages in flight: the leader of term 3 counts 1a on a majority and commits it, the leader of term 4 overwrites it with 2b",
            variant: "commit-by-counting-replicas",
            params: &[
                ("contested", 0),
                ("max_term", 4),
                ("max_log", 1),
                ("max_in_flight", 4),
            ],
            fairness: None,
            expect: &[
                ("election safety", Verdict::Inconclusive),
                ("leader append-only", Verdict::Inconclusive),
                ("log matching", Verdict::Inconclusive),
                ("leader completeness", Verdict::Violated),
                ("state machine safety", Verdict::Violated),
                ("contested election", Verdict::Inconclusive),
                ("restart with log", Verdict::Inconclusive),
                BOUNDED_LIVENESS[0],
                BOUNDED_LIVENESS[1],
                ("refines ReplicatedLog", Verdict::Violated),
            ],
        },
        ScenarioSpec {
            name: "split-votes",
            doc: "every server a candidate in every term, patient timeouts, no term bound (the term view), no commands: each votes for itself, the vote splits, all time out together, forever; a fair lasso, which is why Raft randomizes election timeouts (§5.2)",
            variant: crate::registry::CORRECT,
            params: &[
                ("candidates", 3),
                ("max_term", 0),
                ("contested", 1),
                ("max_log", 0),
                ("max_in_flight", 6),
                ("max_per_link", 2),
                ("patient", 1),
            ],
            fairness: None,
            // The in-flight bounds cut the space: safety is shown at the
            // default, here only the split. Without commands (`max_log = 0`,
            // a complete search with them takes minutes), "command eventually
            // committed" fails at once, by a deadlock.
            expect: &[
                ("election safety", Verdict::Inconclusive),
                ("leader append-only", Verdict::Inconclusive),
                ("log matching", Verdict::Inconclusive),
                ("leader completeness", Verdict::Inconclusive),
                ("state machine safety", Verdict::Inconclusive),
                ("entry committed", Verdict::Inconclusive),
                ("successor commits", Verdict::Inconclusive),
                ("restart with log", Verdict::Inconclusive),
                ("leader eventually elected", Verdict::Violated),
                ("command eventually committed", Verdict::Violated),
                ("refines ReplicatedLog", Verdict::Inconclusive),
            ],
        },
        ScenarioSpec {
            name: "one-candidate",
            doc: "one server times out, patiently, no term bound (the term view): as if its randomized timeout always fired first (§5.2), a leader is elected and its command committed on every fair run",
            variant: crate::registry::CORRECT,
            params: &[
                ("candidates", 1),
                ("max_term", 0),
                ("max_log", 1),
                ("max_in_flight", 6),
                ("patient", 1),
            ],
            fairness: None,
            expect: &[
                ("contested election", Verdict::NoExample),
                ("successor commits", Verdict::NoExample),
                ("restart with log", Verdict::NoExample),
            ],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<RaftCfg>,
    explore: crate::registry::explore_config::<RaftCfg>,
    replay: crate::registry::replay_config::<RaftCfg>,
    compare: crate::registry::compare_config::<RaftCfg>,
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
        let defaults = RaftCfg::new(crate::registry::CORRECT, &PROTOCOL.default_params());
        assert_eq!(defaults, RaftCfg::default());
        let model = defaults.into_model();
        let mut declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        declared.push("refines ReplicatedLog");
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }
}
