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

/// A non-linearizable history: its first key (in order of appearance) with
/// no linearization, and where that key first fails, when the search for
/// it stayed within [`EXPLAIN_BUDGET`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub key: Option<String>,
    pub first: Option<FirstFailure>,
}

/// Configurations each prefix search of the explanation may cache.
pub const EXPLAIN_BUDGET: usize = 200_000;

/// Where a key first fails (see [`search::first_failure`]): the
/// operations invoked before `line` (the culprit's completion) cannot be
/// linearized, while with the culprit's result unknown they can.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirstFailure {
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

/// Only the verdict: the index (into [`History::partitions`]) of a key
/// that is not linearizable, if any.
///
/// A history is not linearizable as soon as one key is not, and proving
/// one key wrong can cost far less than searching another to the end
/// (Porcupine cancels the other keys' searches at the first failure). So
/// the keys are searched in rounds, in parallel, each round with a budget
/// of cached configurations four times the last, only the keys still
/// undecided going on: the cheapest failure is found first, linearizable
/// keys cost at most a third more than one unbounded search (a lone key
/// is searched to the end at once), and the
/// answer (the first failing key, in order, of the first round with a
/// failure) does not depend on thread timing.
pub fn first_bad_partition(history: &History) -> Option<usize> {
    let parts = history.partitions();
    let items: Vec<Vec<Item>> = parts.iter().map(|p| items(history, p)).collect();
    let mut open: Vec<usize> = (0..parts.len()).collect();
    let mut budget = 10_000usize;
    while !open.is_empty() {
        if open.len() == 1 {
            // Nothing left to race: one search to the end.
            budget = usize::MAX;
        }
        let results: Vec<Option<bool>> = open
            .par_iter()
            .map(|&p| search::linearizable_within(&items[p], budget).map(|(ok, _)| ok))
            .collect();
        if let Some((&p, _)) = open.iter().zip(&results).find(|(_, r)| **r == Some(false)) {
            return Some(p);
        }
        open = open
            .into_iter()
            .zip(results)
            .filter(|(_, r)| r.is_none())
            .map(|(p, _)| p)
            .collect();
        budget = budget.saturating_mul(4);
    }
    None
}

/// Checks a history; when it is not linearizable, also finds where it
/// first fails (a binary search over prefixes of the failing key: a few
/// more searches).
pub fn check(history: &History) -> Verdict {
    let Some(bad) = first_bad_partition(history) else {
        return Verdict::Linearizable;
    };
    let part = &history.partitions()[bad];
    let first = search::first_failure(&items(history, part), EXPLAIN_BUDGET).map(|cut| {
        let culprit = part[cut.culprit];
        FirstFailure {
            culprit,
            concurrent: cut.concurrent.iter().map(|&i| part[i]).collect(),
            prefix_operations: cut.operations,
            line: history.ops[culprit]
                .complete_line
                .expect("the culprit completed"),
        }
    });
    Verdict::NotLinearizable(Failure {
        key: history.ops[part[0]].key.clone(),
        first,
    })
}

/// How many keys (partitions) a history has.
pub fn keys(history: &History) -> usize {
    history.partitions().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str, model: ModelKind) -> Verdict {
        check(&parse(text, model).expect("parses"))
    }

    fn error(text: &str, model: ModelKind) -> String {
        parse(text, model).expect_err("refused").to_string()
    }

    const W1: &str = r#"{"process":0,"type":"invoke","f":"write","value":1}"#;
    const W1_OK: &str = r#"{"process":0,"type":"ok","f":"write","value":1}"#;

    #[test]
    fn linearizable_histories_pass() {
        assert_eq!(verdict("", ModelKind::Register), Verdict::Linearizable);
        let text = format!(
            "{W1}\n{}\n{W1_OK}\n{}\n",
            r#"{"process":1,"type":"invoke","f":"read"}"#,
            r#"{"process":1,"type":"ok","f":"read","value":null}"#
        );
        // The read overlaps the write, so it may come first and see null.
        assert_eq!(verdict(&text, ModelKind::Register), Verdict::Linearizable);
    }

    #[test]
    fn a_stale_read_fails_at_its_completion() {
        let text = format!(
            "{W1}\n{W1_OK}\n{}\n{}\n",
            r#"{"process":1,"type":"invoke","f":"read"}"#,
            r#"{"process":1,"type":"ok","f":"read","value":null}"#
        );
        let h = parse(&text, ModelKind::Register).unwrap();
        let Verdict::NotLinearizable(Failure { first: Some(f), .. }) = check(&h) else {
            panic!("linearizable?")
        };
        assert_eq!((f.line, f.culprit, f.prefix_operations), (4, 1, 2));
        assert!(f.concurrent.is_empty());
    }

    #[test]
    fn the_explanation_stops_at_its_budget() {
        let text = format!(
            "{W1}\n{W1_OK}\n{}\n{}\n",
            r#"{"process":1,"type":"invoke","f":"read"}"#,
            r#"{"process":1,"type":"ok","f":"read","value":null}"#
        );
        let h = parse(&text, ModelKind::Register).unwrap();
        let all = items(&h, &h.partitions()[0]);
        assert_eq!(search::first_failure(&all, 0), None);
        assert!(search::first_failure(&all, EXPLAIN_BUDGET).is_some());
        assert_eq!(search::linearizable_within(&all, 0), None);
    }

    #[test]
    fn info_may_take_effect_late_or_never() {
        let info = r#"{"process":0,"type":"info","f":"write","value":1}"#;
        let read = |p: u32, v: &str| {
            format!(
                "{{\"process\":{p},\"type\":\"invoke\",\"f\":\"read\"}}\n{{\"process\":{p},\"type\":\"ok\",\"f\":\"read\",\"value\":{v}}}\n"
            )
        };
        // Not yet, then taken effect, long after the info.
        let text = format!("{W1}\n{info}\n{}{}", read(1, "null"), read(2, "1"));
        assert_eq!(verdict(&text, ModelKind::Register), Verdict::Linearizable);
        // Never.
        let text = format!("{W1}\n{info}\n{}", read(1, "null"));
        assert_eq!(verdict(&text, ModelKind::Register), Verdict::Linearizable);
        // But it cannot be undone.
        let text = format!("{W1}\n{info}\n{}{}", read(1, "1"), read(2, "null"));
        assert!(matches!(
            verdict(&text, ModelKind::Register),
            Verdict::NotLinearizable(_)
        ));
        // And a fail never happened.
        let fail = r#"{"process":0,"type":"fail","f":"write","value":1}"#;
        let text = format!("{W1}\n{fail}\n{}", read(1, "1"));
        assert!(matches!(
            verdict(&text, ModelKind::Register),
            Verdict::NotLinearizable(_)
        ));
    }

    #[test]
    fn time_orders_lines_and_ties_are_concurrent() {
        // In file order the read follows the write's completion; by time it
        // overlaps the write (same instant), so it may see null.
        let text = r#"{"process":0,"type":"invoke","f":"write","value":1,"time":1}
{"process":0,"type":"ok","f":"write","value":1,"time":5}
{"process":1,"type":"invoke","f":"read","time":5}
{"process":1,"type":"ok","f":"read","value":null,"time":6}"#;
        assert_eq!(verdict(text, ModelKind::Register), Verdict::Linearizable);
        let later = text.replace(r#""read","time":5"#, r#""read","time":6"#);
        assert!(matches!(
            verdict(&later, ModelKind::Register),
            Verdict::NotLinearizable(_)
        ));
    }

    #[test]
    fn kv_keys_are_independent() {
        let text = r#"{"process":0,"type":"invoke","f":"write","key":"a","value":1}
{"process":0,"type":"ok","f":"write","key":"a","value":1}
{"process":0,"type":"invoke","f":"read","key":"b"}
{"process":0,"type":"ok","f":"read","key":"b","value":null}
{"process":0,"type":"invoke","f":"read","key":"a"}
{"process":0,"type":"ok","f":"read","key":"a","value":2}"#;
        let h = parse(text, ModelKind::Kv).unwrap();
        assert_eq!(keys(&h), 2);
        let Verdict::NotLinearizable(f) = check(&h) else {
            panic!("linearizable?")
        };
        assert_eq!(
            (f.key.as_deref(), f.first.map(|f| f.line)),
            (Some("\"a\""), Some(6))
        );
    }

    #[test]
    fn bad_input_names_the_line_and_what_is_valid() {
        let r = ModelKind::Register;
        assert_eq!(
            error(&format!("{W1}\nnope"), r),
            "line 2: not JSON (expected ident at line 1 column 2); each line must be one JSON object like {\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}"
        );
        assert!(error("[1]", r).starts_with("line 1: not a JSON object"));
        assert_eq!(
            error(r#"{"type":"invoke","f":"read"}"#, r),
            "line 1: no `process` (the client: an integer or a string)"
        );
        assert_eq!(
            error(r#"{"process":0,"type":"invoke","f":"get"}"#, r),
            "line 1: `f` must be one of read, write, cas, append (got \"get\")"
        );
        assert_eq!(
            error(r#"{"process":0,"type":"invoke","f":"cas","value":1}"#, r),
            "line 1: a cas needs `value` [from, to] (got 1)"
        );
        assert_eq!(
            error(r#"{"process":0,"type":"invoke","f":"write"}"#, r),
            "line 1: a write needs a `value`"
        );
        assert_eq!(
            error(r#"{"process":0,"type":"invoke","f":"read"}"#, ModelKind::Kv),
            "line 1: `key` must be a string or a number in a kv history (got nothing)"
        );
        assert_eq!(
            error(&format!("{W1}\n{W1}"), r),
            "line 2: process 0 invokes again while its operation from line 1 has not completed (a client runs one operation at a time; after `info` it may go on)"
        );
        assert!(error(W1_OK, r).starts_with(
            "line 1: a completion (`ok`) for process 0, which has no operation in progress"
        ));
        assert_eq!(
            error(
                &format!(
                    "{W1}\n{}",
                    r#"{"process":0,"type":"ok","f":"read","value":1}"#
                ),
                r
            ),
            "line 2: completes a read but process 0 invoked a write at line 1"
        );
        assert_eq!(
            error(
                r#"{"process":0,"type":"invoke","f":"read","time":3}
{"process":0,"type":"ok","f":"read","value":1}"#,
                r
            ),
            "line 2: has no `time`, but line 1 has: give every line a `time`, or none (line order)"
        );
        assert_eq!(
            error(r#"{"process":0,"type":"invoke","f":"read","time":-3}"#, r),
            "line 1: `time` must be a non-negative integer (got -3)"
        );
    }

    #[test]
    fn an_open_invocation_counts_as_info() {
        let read = r#"{"process":1,"type":"invoke","f":"read"}
{"process":1,"type":"ok","f":"read","value":1}"#;
        let h = parse(&format!("{W1}\n{read}"), ModelKind::Register).unwrap();
        assert_eq!(h.ops[0].outcome, Outcome::Open);
        assert_eq!(check(&h), Verdict::Linearizable);
    }
}
