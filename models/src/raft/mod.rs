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
//! each message delivered once; timeouts fire at any time (the checker knows
//! no clocks), but by default only servers 0 and 1 stand for election, taking
//! turns (`rotate`: one candidate per term, Figure 8's schedule); up to `crashes`
//! servers down at once, each restarting from exactly Figure 2's persistent
//! state (`current_term`, `voted_for`, `log[]`, kept in Stateright's
//! `Storage` and saved before any reply that depends on them). Each server
//! has a co-located client: a new leader appends its client's command (in
//! place of §8's no-op entry) while its log is shorter than `max_log`; a
//! server starts no election beyond term `max_term`. Both are bounds on the
//! workload, not cuts: beyond them the actions are simply disabled, so the
//! search is complete.
//!
//! What the checker shows: Figure 3's five properties hold. Each bug variant
//! breaks the rule it names: `vote-without-log-check` (§5.4.1) Leader
//! Completeness, `keep-conflicting-entries` (§5.3) Log Matching, both at the
//! defaults; `forget-voted-for` (Figure 2's persistent state) Election
//! Safety in scenario `double-vote` (two candidates in one term and a crash).
//!
//! Not here yet: Figure 8's bug (committing an earlier term's entry by
//! counting replicas). On three servers it needs four terms (below), and at
//! `max_term = 4` the search does not finish in five minutes.
//!
//! Figure 8 with three servers: S0 leads term 1 and
//! appends `1a`; S1 leads term 2 (S2's vote) and appends `2b`; S0 leads term
//! 3 (S2's vote) and copies `1a` to S2. That is a majority, but `1a` is from
//! an older term: a correct leader waits for an entry of term 3 (§5.4.2); the
//! buggy one counts replicas and commits `1a`. S1 then wins term 4 (S2's
//! vote: its last term 2 beats `1a`'s 1), overwrites `1a` on S2 with `2b`, and
//! commits that: two different entries committed at index 1. This is the
//! paper's (a)-(d) with S1-S5 of the figure played by three servers: S0 is
//! the figure's S1, S1 its S5, S2 stands for S2 and S3.

use crate::registry::{
    Config, ParamSpec, Params, PropertySpec, Protocol, ScenarioSpec, VariantSpec,
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
/// A client command: the letter of the server whose client submitted it.
pub type Command = char;

/// "Each entry contains command for state machine, and term when entry was
/// received by leader (first index is 1)" (Figure 2).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LogEntry {
    pub term: Term,
    pub command: Command,
}

/// Printed as in the paper's figures, the term in the box, plus the command:
/// `1a` is command `a` received in term 1.
impl std::fmt::Debug for LogEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.term, self.command)
    }
}

/// Figure 2's two RPCs and their results. The candidate and the leader are
/// the message's sender (`candidateId`, `leaderId`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RaftMsg {
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
        entries: Vec<LogEntry>,
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

impl RaftMsg {
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum RaftTimer {
    /// "If election timeout elapses without receiving AppendEntries RPC from
    /// current leader or granting vote to candidate: convert to candidate";
    /// a candidate whose election times out starts a new one (Figure 2).
    ElectionTimeout,
}

/// "Updated on stable storage before responding to RPCs" (Figure 2): exactly
/// what a restarted server keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct RaftStorage {
    pub current_term: Term,
    pub voted_for: Option<Id>,
    pub log: Vec<LogEntry>,
}

/// Follower, candidate or leader (§5.1, Figure 4), with the volatile state
/// that only a candidate or a leader has.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Role {
    /// "Followers are passive": they only answer RPCs.
    Follower,
    /// Gathering votes for `current_term`; `votes_granted` includes its own.
    Candidate { votes_granted: BTreeSet<Id> },
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
pub struct RaftState {
    // persistent state on all servers (see `RaftStorage`)
    /// "Latest term server has seen."
    pub current_term: Term,
    /// "CandidateId that received vote in current term (or null if none)."
    pub voted_for: Option<Id>,
    /// "Log entries"; `log[0]` is the paper's index 1.
    pub log: Vec<LogEntry>,

    // volatile state on all servers
    /// "Index of highest log entry known to be committed."
    pub commit_index: Index,
    /// "Index of highest log entry applied to state machine."
    pub last_applied: Index,
    /// The state machine: the entries applied to it, in order (a replicated
    /// log's state machine is the sequence of its commands), each with the
    /// term in which this server learned it was committed. Volatile like
    /// the rest: a restarted server replays its log as entries commit again.
    pub state_machine: Vec<(LogEntry, Term)>,

    /// Follower, candidate or leader, with the role's volatile state.
    pub role: Role,
}

/// Only what is set, so that a step's change is easy to spot.
impl std::fmt::Debug for RaftState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let role = match &self.role {
            Role::Follower => "follower".to_string(),
            Role::Candidate { votes_granted } => format!("candidate {votes_granted:?}"),
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
            let applied: Vec<LogEntry> = self.state_machine.iter().map(|(e, _)| *e).collect();
            set.push(format!("applied {applied:?}"));
        }
        write!(f, "{{{}}}", set.join(", "))
    }
}

impl RaftState {
    fn last_log_index(&self) -> Index {
        self.log.len()
    }

    fn last_log_term(&self) -> Term {
        self.log.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index`, 0 for index 0 (and past the end).
    fn term_at(&self, index: Index) -> Term {
        if index == 0 {
            0
        } else {
            self.log.get(index - 1).map_or(0, |e| e.term)
        }
    }

    fn is_leader(&self) -> bool {
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
}

impl crate::registry::BugVariant for Bug {
    const ALL: &'static [Bug] = &[
        Bug::None,
        Bug::VoteWithoutLogCheck,
        Bug::KeepConflictingEntries,
        Bug::ForgetVotedFor,
    ];

    fn name(self) -> &'static str {
        match self {
            Bug::None => crate::registry::CORRECT,
            Bug::VoteWithoutLogCheck => "vote-without-log-check",
            Bug::KeepConflictingEntries => "keep-conflicting-entries",
            Bug::ForgetVotedFor => "forget-voted-for",
        }
    }
}

/// A Raft server. Every server knows all of them by id (indices when
/// checked, socket addresses when run over UDP).
#[derive(Clone, Debug)]
pub struct RaftActor {
    /// This server's position in `servers`, from 0.
    pub index: usize,
    pub servers: Vec<Id>,
    pub bug: Bug,
    /// No election starts beyond this term; 0 for no bound.
    pub max_term: Term,
    /// A leader accepts a client command only while its log is shorter.
    pub max_log: usize,
    /// Whether this server's election timeout ever fires (see
    /// [`RaftCfg::candidates`]).
    pub may_campaign: bool,
    /// The candidates take turns (see [`RaftCfg::rotate`]): the number of
    /// candidates, or 0.
    pub rotate: usize,
}

impl RaftActor {
    /// "Updated on stable storage before responding to RPCs" (Figure 2):
    /// called by every arm that changes persistent state, before its sends.
    fn save(&self, s: &RaftState, o: &mut Out<Self>) {
        o.save(RaftStorage {
            current_term: s.current_term,
            // The bug: the vote never reaches the disk.
            voted_for: s.voted_for.filter(|_| self.bug != Bug::ForgetVotedFor),
            log: s.log.clone(),
        });
    }

    fn peers(&self, id: Id) -> impl Iterator<Item = Id> + '_ {
        self.servers.iter().copied().filter(move |&j| j != id)
    }

    fn command(&self) -> Command {
        server_letter(self.index)
    }

    /// The AppendEntries the leader sends server `j`: everything from
    /// `next_index[j]` on (empty: a heartbeat).
    fn append_entries(&self, s: &RaftState, j: Id, o: &mut Out<Self>) {
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
    fn advance_commit_index(&self, s: &mut RaftState) -> bool {
        let Role::Leader { match_index, .. } = &s.role else {
            return false;
        };
        let quorum = majority(self.servers.len());
        let committable = (s.commit_index + 1..=s.last_log_index()).rev().find(|&n| {
            // The leader itself holds every entry of its log.
            let replicas = 1 + match_index.values().filter(|&&m| m >= n).count();
            replicas >= quorum && s.term_at(n) == s.current_term
        });
        match committable {
            Some(n) => {
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
    fn step_down(&self, s: &mut RaftState, term: Term, o: &mut Out<Self>) {
        if s.is_leader() {
            self.reset_election_timer(o);
        }
        s.current_term = term;
        s.voted_for = None;
        s.role = Role::Follower;
    }

    /// (Re)starts the election timeout, on a server whose timeout fires.
    fn reset_election_timer(&self, o: &mut Out<Self>) {
        if self.may_campaign {
            o.set_timer(RaftTimer::ElectionTimeout, durations::ELECTION);
        }
    }

    /// Whether this server's timeout may start the election of `term`.
    fn stands_in(&self, term: Term) -> bool {
        self.rotate == 0 || (term as usize - 1) % self.rotate == self.index
    }

    fn can_accept_command(&self, s: &RaftState) -> bool {
        s.log.len() < self.max_log
    }
}

/// "If commitIndex > lastApplied: increment lastApplied, apply
/// log[lastApplied] to state machine (§5.3)", until they are equal.
fn apply(s: &mut RaftState) {
    while s.last_applied < s.commit_index {
        s.last_applied += 1;
        let entry = s.log[s.last_applied - 1];
        s.state_machine.push((entry, s.current_term));
    }
}

fn server_letter(index: usize) -> Command {
    char::from(b'a' + index as u8)
}

impl Actor for RaftActor {
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    type State = RaftState;
    type Storage = RaftStorage;
    type Random = ();

    fn name(&self) -> String {
        format!("server {}", self.index)
    }

    /// A server starts, and restarts, as a follower with its persistent
    /// state and nothing else.
    fn on_start(&self, _id: Id, storage: &Option<RaftStorage>, o: &mut Out<Self>) -> RaftState {
        let stored = storage.clone().unwrap_or_default();
        self.reset_election_timer(o);
        RaftState {
            current_term: stored.current_term,
            voted_for: stored.voted_for,
            log: stored.log,
            commit_index: 0,
            last_applied: 0,
            state_machine: Vec::new(),
            role: Role::Follower,
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
                && matches!(&state.role, Role::Candidate { votes_granted } if !votes_granted.contains(&src)) =>
            {
                let s = state.to_mut();
                let Role::Candidate { votes_granted } = &mut s.role else {
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
                // "Each leader commit[s] a blank no-op entry into the log at
                // the start of its term" (§8); here the entry carries its
                // client's command, if the log has room.
                if self.can_accept_command(s) {
                    let entry = LogEntry {
                        term: s.current_term,
                        command: self.command(),
                    };
                    s.log.push(entry);
                    self.save(s, o);
                }
                for j in self.peers(id) {
                    self.append_entries(s, j, o);
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
                s.role = Role::Follower;
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
                self.save(s, o);
                // 5: "If leaderCommit > commitIndex, set commitIndex =
                // min(leaderCommit, index of last new entry)."
                let last_new = prev_log_index + entries.len();
                if leader_commit > s.commit_index {
                    s.commit_index = s.commit_index.max(leader_commit.min(last_new));
                    apply(s);
                }
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
            // follower gets what it still lacks, or the new commit index
            // (the others learn it with their next request).
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
                let committed = self.advance_commit_index(s);
                if committed || next <= s.last_log_index() {
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
                    && self.stands_in(state.current_term + 1) =>
            {
                let s = state.to_mut();
                s.current_term += 1;
                s.voted_for = Some(id);
                s.role = Role::Candidate {
                    votes_granted: BTreeSet::from([id]),
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
    /// term, index, entry)`: what "Leader Append-Only" is checked against.
    pub shipped: BTreeSet<(Term, Index, LogEntry)>,
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
        h.shipped.insert((*term, prev_log_index + 1 + k, *e));
    }
    Some(h)
}

type State = stateright::actor::ActorModelState<RaftActor, RaftHistory>;

fn servers(state: &State) -> impl Iterator<Item = &RaftState> {
    state.actor_states.iter().map(|s| &**s)
}

/// Every entry some state machine has applied, with its index: the
/// committed entries.
fn applied(state: &State) -> BTreeSet<(Index, LogEntry)> {
    servers(state)
        .flat_map(|s| {
            s.state_machine
                .iter()
                .enumerate()
                .map(|(k, (e, _))| (k + 1, *e))
        })
        .collect()
}

/// The committed entries with the term in which they were known committed:
/// the term of the leader whose commit index (its own, or sent in
/// AppendEntries) covered them when they were applied.
fn committed_in(state: &State) -> BTreeSet<(Index, LogEntry, Term)> {
    servers(state)
        .flat_map(|s| {
            s.state_machine
                .iter()
                .enumerate()
                .map(|(k, (e, t))| (k + 1, *e, *t))
        })
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
/// log; it only appends new entries. §5.3" (Figure 3): a leader's log still
/// holds every entry it has sent out during its term.
fn leader_append_only(_: &RaftModel, state: &State) -> bool {
    servers(state).filter(|s| s.is_leader()).all(|s| {
        state
            .history
            .shipped
            .range(
                (
                    s.current_term,
                    0,
                    LogEntry {
                        term: 0,
                        command: '\0',
                    },
                )..,
            )
            .take_while(|(t, _, _)| *t == s.current_term)
            .all(|(_, index, e)| s.log.get(index - 1) == Some(e))
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
/// higher-numbered terms. §5.4" (Figure 3). Committed in term `t`: applied
/// by some state machine on the word of the leader of `t` (which commits it
/// no later than that). Checked for every leader of a term above `t`.
fn leader_completeness(_: &RaftModel, state: &State) -> bool {
    let committed = committed_in(state);
    servers(state).filter(|s| s.is_leader()).all(|l| {
        committed
            .iter()
            .filter(|(_, _, t)| *t < l.current_term)
            .all(|(index, e, _)| l.log.get(index - 1) == Some(e))
    })
}

/// State Machine Safety: "if a server has applied a log entry at a given
/// index to its state machine, no other server will ever apply a different
/// log entry for the same index. §5.4.3" (Figure 3).
fn state_machine_safety(_: &RaftModel, state: &State) -> bool {
    let committed = applied(state);
    let indices: BTreeSet<Index> = committed.iter().map(|(i, _)| *i).collect();
    indices.len() == committed.len()
}

/// Reachability: a leader is elected (§5.2).
fn leader_elected(_: &RaftModel, state: &State) -> bool {
    !state.history.leaders.is_empty()
}

/// Reachability: an entry is committed and applied (§5.3).
fn entry_committed(_: &RaftModel, state: &State) -> bool {
    servers(state).any(|s| !s.state_machine.is_empty())
}

/// Reachability: a leader is replaced and its successor commits an entry
/// of its own term, which also commits every entry before it (§5.4.2).
fn successor_commits(_: &RaftModel, state: &State) -> bool {
    let first = state.history.leaders.iter().next().map(|(t, _)| *t);
    applied(state)
        .iter()
        .any(|(_, e)| first.is_some_and(|t| e.term > t))
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
    /// The candidates take turns: server `(t - 1) mod candidates` alone
    /// times out into term `t`, as if its randomised timeout always expired
    /// first (§5.2). No split votes and one candidate per term; with two
    /// candidates, exactly Figure 8's schedule (S1, S5, S1, S5).
    pub rotate: bool,
    pub bug: Bug,
}

impl Default for RaftCfg {
    fn default() -> Self {
        RaftCfg {
            servers: 3,
            max_term: 3,
            max_log: 2,
            crashes: 0,
            candidates: 2,
            rotate: true,
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
            rotate: params["rotate"] == 1,
            bug: crate::registry::bug(variant),
        }
    }

    fn into_model(self) -> RaftModel {
        crate::runner::indexed(self)
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

    fn model_on(self, ids: &[Id]) -> RaftModel {
        let servers: Vec<Id> = ids[..self.servers].to_vec();
        let (bug, max_term, max_log) = (self.bug, self.max_term, self.max_log);
        let candidates = self.candidates;
        let rotate = if self.rotate { candidates } else { 0 };
        let actors = (0..self.servers).map(|index| RaftActor {
            index,
            servers: servers.clone(),
            bug,
            max_term,
            max_log,
            may_campaign: index < candidates,
            rotate,
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
            .property(Expectation::Sometimes, "entry committed", entry_committed)
            .property(
                Expectation::Sometimes,
                "successor commits",
                successor_commits,
            )
            .record_msg_out(record_out)
    }
}

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
            doc: "the highest term an election may start",
            default: 3,
            min: 1,
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
            name: "rotate",
            doc: "1: the candidates take turns, one per term (Figure 8's schedule); 0: any candidate may time out at any time",
            default: 1,
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
            name: "entry committed",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.3",
        },
        PropertySpec {
            name: "successor commits",
            kind: PropertyKind::Sometimes,
            source: "reachability; Raft (extended) §5.4.2",
        },
    ],
    variants: &[
        VariantSpec {
            name: crate::registry::CORRECT,
            doc: "Raft's Figure 2 as published",
            expect: &[],
        },
        VariantSpec {
            name: "vote-without-log-check",
            doc: "a vote is granted without the candidate's log being at least as up-to-date (§5.4.1)",
            expect: &[
                ("leader completeness", Verdict::Violated),
                ("state machine safety", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "keep-conflicting-entries",
            doc: "a follower appends without deleting conflicting entries (§5.3)",
            expect: &[
                ("log matching", Verdict::Violated),
                ("leader completeness", Verdict::Violated),
                ("state machine safety", Verdict::Violated),
            ],
        },
        VariantSpec {
            name: "forget-voted-for",
            doc: "voted_for is not persisted, so a restarted server votes again in the same term; needs a crash and two candidates in one term, so it is caught in scenario double-vote",
            expect: &[],
        },
    ],
    scenarios: &[
        ScenarioSpec {
            name: "double-vote",
            doc: "two candidates in term 1 and one crash: a server that forgot its vote votes again, and term 1 has two leaders (no entries, so nothing commits)",
            variant: "forget-voted-for",
            params: &[("rotate", 0), ("max_term", 1), ("max_log", 0), ("crashes", 1)],
            fairness: None,
            expect: &[
                ("election safety", Verdict::Violated),
                ("entry committed", Verdict::NoExample),
                ("successor commits", Verdict::NoExample),
            ],
        },
    ],
    fairness: checker::Fairness::Weak,
    check: crate::registry::check_config::<RaftCfg>,
    explore: crate::registry::explore_config::<RaftCfg>,
    // Not yet: the real run is wired (`Runnable`) but does not finish its
    // workload reliably.
    run: None,
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
        let declared: Vec<&str> = model.properties.iter().map(|p| p.name).collect();
        let listed: Vec<&str> = PROTOCOL.properties.iter().map(|p| p.name).collect();
        assert_eq!(declared, listed);
    }
}
