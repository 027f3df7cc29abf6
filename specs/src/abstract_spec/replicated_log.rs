//! `ReplicatedLog`, what a replicated log promises its clients: a sequence
//! of committed entries that only grows, and never loses or changes an
//! entry once committed. Raft's own statement of it is Figure 3's State
//! Machine Safety and Leader Completeness ([Ongaro & Ousterhout, "In Search
//! of an Understandable Consensus Algorithm (Extended Version)"
//! (2014)](https://raft.github.io/raft.pdf), §5.3, §5.4): "if a server has
//! applied a log entry at a given index to its state machine, no other
//! server will ever apply a different log entry for the same index", and a
//! committed entry is in the log of every later leader. Written as a plain
//! spec in the shape of a TLA+ module (not a transcription: it is the
//! workbench's own):
//!
//! ```text
//! CONSTANTS Entry, MaxLen
//! VARIABLE committed
//! Init == committed = <<>>
//! Commit(s) == /\ s # <<>>
//!              /\ Len(committed) + Len(s) <= MaxLen
//!              /\ committed' = committed \o s
//! Next == \E s \in Seq(Entry) : Commit(s)
//! Spec == Init /\ [][Next]_committed
//! ```
//!
//! One variable, `committed`: no servers, no messages, no faults. A step
//! appends a non-empty sequence, not a single entry, because one step of an
//! implementation may commit several entries at once (a Raft leader moves
//! its commit index past two entries when a single acknowledgement puts both
//! on a majority). `MaxLen` bounds `Seq(Entry)` so that the checker can
//! enumerate `Next`, as TLC needs a bounded sequence set; an implementation
//! configured with logs of at most `MaxLen` entries is checked against it.
//! The `raft` model refines it under its longest known committed prefix.

use serde::Serialize;
use stateright::{Model, Property};

/// An element of the constant set `Entry`: the command a client proposes,
/// named by a letter (`a`, `b`, ...).
pub type Entry = char;

/// A state of `ReplicatedLog`: its single variable.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct State {
    /// `committed`: the committed entries, in log order (index 1 first).
    pub committed: Vec<Entry>,
}

/// `Next == \E s \in Seq(Entry) : Commit(s)`, one action per witness `s`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Action {
    /// `Commit(s)`: the non-empty sequence `s` is committed after what is
    /// committed already.
    Commit(Vec<Entry>),
}

/// `ReplicatedLog` with constants `Entry` and `MaxLen`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicatedLog {
    /// The constant `Entry`: every entry a client may propose.
    pub entries: Vec<Entry>,
    /// The constant `MaxLen`: no more entries are ever committed.
    pub max_len: usize,
}

impl ReplicatedLog {
    pub fn new(entries: Vec<Entry>, max_len: usize) -> Self {
        Self { entries, max_len }
    }

    /// Every sequence over `Entry` of length `1..=n`, shortest first.
    fn sequences(&self, n: usize) -> Vec<Vec<Entry>> {
        let mut all = Vec::new();
        let mut layer: Vec<Vec<Entry>> = vec![Vec::new()];
        for _ in 0..n {
            layer = layer
                .iter()
                .flat_map(|s| {
                    self.entries.iter().map(move |&e| {
                        let mut longer = s.clone();
                        longer.push(e);
                        longer
                    })
                })
                .collect();
            all.extend(layer.iter().cloned());
        }
        all
    }
}

impl Default for ReplicatedLog {
    /// Two clients' commands, logs of at most two entries: the `raft`
    /// model's default.
    fn default() -> Self {
        Self::new(vec!['a', 'b'], 2)
    }
}

/// `TypeOK == committed \in Seq(Entry) /\ Len(committed) <= MaxLen`.
pub fn type_ok(spec: &ReplicatedLog, committed: &[Entry]) -> bool {
    committed.len() <= spec.max_len && committed.iter().all(|e| spec.entries.contains(e))
}

/// `committed \sqsubseteq committed'`: the step keeps every committed
/// entry, at its index: the action property `[][Prefix]_committed` that
/// `Spec` implies (each `Commit` appends), and that a refinement of
/// `ReplicatedLog` therefore carries over to the implementation.
pub fn prefix(before: &[Entry], after: &[Entry]) -> bool {
    after.starts_with(before)
}

impl Model for ReplicatedLog {
    type State = State;
    type Action = Action;

    /// `Init == committed = <<>>`.
    fn init_states(&self) -> Vec<State> {
        vec![State {
            committed: Vec::new(),
        }]
    }

    /// The witnesses `s` of `Next`'s `\E` that `MaxLen` leaves room for.
    fn actions(&self, state: &State, actions: &mut Vec<Action>) {
        let room = self.max_len.saturating_sub(state.committed.len());
        actions.extend(self.sequences(room).into_iter().map(Action::Commit));
    }

    /// `Commit(s)`: enabled for a non-empty `s` over `Entry` that fits
    /// under `MaxLen`.
    fn next_state(&self, last: &State, action: Action) -> Option<State> {
        match action {
            Action::Commit(s)
                if !s.is_empty()
                    && last.committed.len() + s.len() <= self.max_len
                    && s.iter().all(|e| self.entries.contains(e)) =>
            {
                let mut committed = last.committed.clone();
                committed.extend(s);
                Some(State { committed })
            }
            Action::Commit(_) => None,
        }
    }

    fn properties(&self) -> Vec<Property<Self>> {
        vec![
            Property::<Self>::always("TypeOK", |m, s| type_ok(m, &s.committed)),
            // Reachability: an entry is committed at all.
            Property::<Self>::sometimes("committed # <<>>", |_, s| !s.committed.is_empty()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stateright::Checker;

    /// The reachable states are exactly `BSeq(Entry, MaxLen)`, and every
    /// step appends a non-empty sequence: the committed prefix only grows.
    #[test]
    fn states_are_the_bounded_sequences_and_every_step_extends() {
        let spec = ReplicatedLog::new(vec!['a', 'b', 'c'], 2);
        let checker = spec.clone().checker().spawn_bfs().join();
        // 1 + 3 + 9 sequences of length 0, 1, 2.
        assert_eq!(checker.unique_state_count(), 13);
        checker.assert_properties();

        let mut frontier = spec.init_states();
        let mut seen = 0;
        while let Some(s) = frontier.pop() {
            seen += 1;
            assert!(type_ok(&spec, &s.committed), "{s:?}");
            for next in spec.next_states(&s) {
                assert!(prefix(&s.committed, &next.committed), "{s:?} -> {next:?}");
                assert!(
                    next.committed.len() > s.committed.len(),
                    "{s:?} -> {next:?}"
                );
                frontier.push(next);
            }
        }
        // Each state reached once per path: 1 + 3 + (3 * 3 + 9).
        assert_eq!(seen, 1 + 3 + 18);
    }

    /// Two entries in one step, and nothing that changes or drops an entry.
    #[test]
    fn commit_appends_several_entries_and_never_rewrites() {
        let spec = ReplicatedLog::default();
        let empty = State { committed: vec![] };
        let ab = State {
            committed: vec!['a', 'b'],
        };
        assert!(spec.next_states(&empty).contains(&ab));
        let a = State {
            committed: vec!['a'],
        };
        let b = State {
            committed: vec!['b'],
        };
        assert!(!spec.next_states(&a).contains(&b));
        assert!(!spec.next_states(&a).contains(&empty));
        assert!(spec.next_states(&ab).is_empty(), "MaxLen is reached");
        assert_eq!(spec.next_state(&a, Action::Commit(vec![])), None);
        assert_eq!(spec.next_state(&a, Action::Commit(vec!['z'])), None);
        assert!(!prefix(&['a'], &['b']));
    }
}
