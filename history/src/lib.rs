//! A linearizability checker for recorded client histories: `dsw history`,
//! and later every real run with clients.
//!
//! - [`parse`]: the history format ([`FORMAT`]), Jepsen-style JSON lines.
//! - [`model`]: the sequential object, a register (read, write, cas,
//!   append) per key.
//! - [`search`]: Wing & Gong's search with Lowe's just-in-time linearization
//!   and memoisation of (linearized set, state), as Porcupine does it.
//! - [`generate`]: seeded random histories for tests and benchmarks.
//!
//! A kv history is split per key and each key checked on its own: a
//! history of independent objects is linearizable exactly when each
//! object's sub-history is (Herlihy & Wing's locality; Horn & Kroening's
//! P-compositionality). Keys are checked in parallel.

pub mod generate;
pub mod model;
pub mod parse;
pub mod search;

pub use model::{Op, Val};
pub use parse::{parse, History, ModelKind, Operation, Outcome, ParseError};

use rayon::prelude::*;
use search::Item;

/// The history format, for `dsw history --help` and the README.
pub const FORMAT: &str = "\
History format: one JSON object per line (Jepsen's), for example
  {\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}
  {\"process\": 1, \"type\": \"invoke\", \"f\": \"read\", \"value\": null}
  {\"process\": 0, \"type\": \"ok\", \"f\": \"write\", \"value\": 1}
  {\"process\": 1, \"type\": \"ok\", \"f\": \"read\", \"value\": 1}
Fields:
  process  the client: an integer or a string; one operation at a time each
  type     invoke; then ok (took effect, with this result), fail (did not
           take effect: dropped) or info (unknown: it may take effect at any
           time after its invocation, so it stays pending to the end)
  f        read (the ok line's value is what was read; null: never written),
           write (value), cas (value [from, to]), append (value: a string is
           appended to the string, anything else to a list)
  key      kv only: a string or a number; each key is one register
  value    as f says; JSON of any type
  time     optional, a non-negative integer (or `index`); every line or none;
           without it, line order. At equal times invocations come first.
An invocation never completed counts as info. Every register starts null.";

/// The checker's verdict on one history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    /// Not linearizable: where the first failing key first fails.
    NotLinearizable(Failure),
}

/// Where a non-linearizable history first fails (see
/// [`search::first_failure`]): on key `key`, the operations up to
/// `line` (the culprit's completion) cannot be linearized, while every
/// shorter prefix can (with the culprit's outcome unknown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub key: Option<String>,
    /// Index into [`History::ops`].
    pub culprit: usize,
    /// Indices into [`History::ops`]: the prefix's operations that overlap
    /// the culprit in time.
    pub concurrent: Vec<usize>,
    /// How many operations of this key the failing prefix holds.
    pub prefix_operations: usize,
    /// The line of the culprit's completion, where the prefix ends.
    pub line: usize,
}

fn items(history: &History, part: &[usize]) -> Vec<Item> {
    part.iter()
        .map(|&i| {
            let o = &history.ops[i];
            Item {
                op: o.op.clone(),
                call: o.call,
                ret: o.ret,
            }
        })
        .collect()
}

/// Only the verdict: the index (into [`History::partitions`]) of the first
/// key that is not linearizable, if any.
pub fn first_bad_partition(history: &History) -> Option<usize> {
    let parts = history.partitions();
    let verdicts: Vec<bool> = parts
        .par_iter()
        .map(|p| search::linearizable(&items(history, p)).0)
        .collect();
    verdicts.iter().position(|ok| !ok)
}

/// Checks a history; when it is not linearizable, also finds where it
/// first fails (a binary search over prefixes of the failing key: a few
/// more searches).
pub fn check(history: &History) -> Verdict {
    let Some(bad) = first_bad_partition(history) else {
        return Verdict::Linearizable;
    };
    let part = &history.partitions()[bad];
    let cut = search::first_failure(&items(history, part))
        .expect("the key failed as a whole, so some prefix fails");
    let culprit = part[cut.culprit];
    Verdict::NotLinearizable(Failure {
        key: history.ops[culprit].key.clone(),
        culprit,
        concurrent: cut.concurrent.iter().map(|&i| part[i]).collect(),
        prefix_operations: cut.operations,
        line: history.ops[culprit]
            .complete_line
            .expect("the culprit completed"),
    })
}

/// How many keys (partitions) a history has.
pub fn keys(history: &History) -> usize {
    history.partitions().len()
}
