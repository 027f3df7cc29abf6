//! `dsw check --itf`: counterexamples exported as Informal Trace Format
//! files and read back with the `itf` crate (informalsystems' reader of
//! Apalache's and Quint's traces), checked against the check's summary,
//! and replayed on their model (`dsw check --replay`).
//!
//! The representative set below covers each kind of counterexample the
//! catalog produces (safety violations, lassos, deadlocks, stutters,
//! bounded runs, refinement failures) on actor models with and without a
//! history, in well under a minute. The whole catalog (118 checks, about
//! 2.5 minutes of CPU in release) is the ignored test at the end:
//! `cargo test -p workbench-tests --test it itf -- --ignored`.

use checker::{CheckOptions, CheckSummary, CounterexampleKind};
use models::itf_export::{self, Source};
use serde_json::Value;
use std::path::PathBuf;

/// A fresh directory under the system's temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dsw-itf-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        itf_export::writable(&dir, "--itf").expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn job(model: &str, name: &str) -> models::Job {
    let protocol = models::protocol(model).expect("registered");
    models::jobs_of(protocol)
        .into_iter()
        .find(|j| j.name() == name)
        .unwrap_or_else(|| panic!("{model} has no job {name}"))
}

fn check_itf(job: &models::Job) -> CheckSummary {
    let opts = CheckOptions {
        itf: true,
        ..job.options()
    };
    job.check_with(&opts, &mut |_| {})
}

/// Writes `summary`'s traces under `dir`, reads each file back with the
/// `itf` crate and checks it against the summary; returns the kinds of
/// counterexample seen.
fn export_and_read_back(
    dir: &std::path::Path,
    job: &models::Job,
    summary: &CheckSummary,
) -> Vec<CounterexampleKind> {
    let source = Source {
        scenario: job.scenario.map(|s| s.name.to_string()),
        explore: None,
        params: job.params.clone(),
    };
    let written = itf_export::write(dir, summary, job.name(), &source)
        .unwrap_or_else(|e| panic!("{} {}: {e}", summary.model, job.name()));
    let printed = checker::itf::printed(summary);
    assert_eq!(written.len(), printed.len(), "one file per counterexample");
    let mut kinds = Vec::new();
    for (property, ce) in printed {
        let path = dir.join(itf_export::file_name(&summary.model, job.name(), property));
        assert!(written.contains(&path), "{} not written", path.display());
        let text = std::fs::read_to_string(&path).expect("written");
        let what = format!("{}", path.display());
        // The itf crate's trace and value types read it: every value is an
        // ITF expression. (Not `itf::trace_from_str::<itf::Value>`, which
        // re-decodes each value through the crate's typed deserializer, and
        // that cannot make an untyped value of a map with non-string keys,
        // such as the ordered network's per-link queues.)
        let trace: itf::Trace<itf::Value> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: not ITF: {e}"));
        // As many states as the path has, the loop where the lasso's is.
        assert_eq!(trace.states.len(), ce.steps.len() + 1, "{what}: states");
        assert_eq!(
            trace.states.len(),
            ce.path.split('/').count(),
            "{what}: states vs path"
        );
        assert_eq!(
            trace.loop_index,
            ce.loop_start.map(|k| k as u64),
            "{what}: loop"
        );
        for (i, state) in trace.states.iter().enumerate() {
            assert_eq!(state.meta.index, Some(i as u64), "{what}: index");
            assert!(
                matches!(state.value, itf::Value::Record(_)),
                "{what}: state {i} is a record"
            );
        }
        // The same file as plain JSON, for the details.
        let json: Value = serde_json::from_str(&text).expect("json");
        let vars: Vec<&str> = json["vars"]
            .as_array()
            .expect("vars")
            .iter()
            .map(|v| v.as_str().expect("a var is a string"))
            .collect();
        assert_eq!(vars.len(), trace.vars.len());
        for v in ["actor_states", "network", "timers_set", "crashed", "action"] {
            assert!(vars.contains(&v), "{what}: no var {v}");
        }
        let states = json["states"].as_array().expect("states");
        for (i, state) in states.iter().enumerate() {
            let mut keys: Vec<&str> = state
                .as_object()
                .expect("a state is an object")
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "#meta")
                .collect();
            keys.sort_unstable();
            let mut expected = vars.clone();
            expected.sort_unstable();
            assert_eq!(keys, expected, "{what}: state {i} has exactly the vars");
            assert_eq!(
                state["actor_states"].as_array().map(Vec::len),
                Some(ce.actors.len()),
                "{what}: one actor state per actor"
            );
        }
        // A lasso's last state is where its loop starts: concretely, or
        // (checked by the replay below) under the model's view, for a model
        // that declares one (Paxos's ballot view: the run loops with its
        // ballots growing).
        let lasso_closes_concretely = ce.kind != CounterexampleKind::Lasso || {
            let k = ce.loop_start.expect("a lasso has a loop");
            let without_action = |s: &Value| {
                let mut s = s.clone();
                s.as_object_mut().unwrap().remove("action");
                s.as_object_mut().unwrap().remove("#meta");
                s
            };
            without_action(&states[k]) == without_action(states.last().unwrap())
        };
        // The action taken into each state is the step the summary shows.
        assert_eq!(states[0]["action"]["kind"], "init", "{what}");
        for (i, step) in ce.steps.iter().enumerate() {
            let action = &states[i + 1]["action"];
            assert_eq!(action["label"], step.label.as_str(), "{what}: step {i}");
            assert_eq!(action["actor"], step.actor, "{what}: step {i}");
            assert_eq!(
                action["from"],
                step.from.map_or(-1, |f| f as i64),
                "{what}: step {i}"
            );
        }
        // The source, in the trace's #meta.
        assert_eq!(trace.meta.format.as_deref(), Some("ITF"));
        assert_eq!(
            trace.meta.other.get("property").map(String::as_str),
            Some(property)
        );
        assert_eq!(
            trace.meta.other.get("model"),
            Some(&summary.model),
            "{what}: meta"
        );
        assert_eq!(trace.meta.other.get("variant"), Some(&summary.variant));
        assert!(trace.meta.other.contains_key("config"), "{what}: config");
        // And `dsw check --replay` follows it back to its end, on a model
        // rebuilt from its #meta, and sees what it claims.
        let replay = models::itf_replay::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut followed = 0;
        let outcome = replay.run(&mut |_| followed += 1);
        assert!(outcome.ok(), "{what}: replay: {outcome:?}");
        if !lasso_closes_concretely {
            assert!(
                matches!(&outcome, checker::replay::Outcome::Shows(w) if w.contains("under the model's view")),
                "{what}: a lasso's last state is where its loop starts: {outcome:?}"
            );
        }
        assert_eq!(followed, states.len(), "{what}: every state followed");
        kinds.push(ce.kind);
    }
    kinds
}

/// A safety violation, lassos, deadlocks, a stutter, bounded runs and
/// refinement failures, each exported and read back.
#[test]
fn itf_export_reads_back_for_each_kind_of_counterexample() {
    let dir = TempDir::new("kinds");
    let jobs = [
        ("alternating-bit", "no-sequence-bit"), // violation, bounded
        ("alternating-bit", "weak-fairness"),   // lassos
        ("alternating-bit", "take-any-ack"),    // deadlocks
        ("byzantine-generals", "om1-three-generals"),
        ("paxos", "fixed-majority"),                // stutters, a history
        ("abd-register", "no-writer-query"),        // a linearizability history
        ("two-phase-commit", "commit-on-majority"), // refinement failures
        // A stop after passing a state at Raft's term bound: the bound cuts
        // a run's end, not what it passes through.
        ("raft", "double-vote"),
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (model, name) in jobs {
        let job = job(model, name);
        let summary = check_itf(&job);
        let seen = export_and_read_back(&dir.0, &job, &summary);
        assert!(!seen.is_empty(), "{model} {name}: no counterexample");
        kinds.extend(seen.into_iter().map(|k| format!("{k:?}")));
    }
    for k in [
        "Violation",
        "Lasso",
        "Deadlock",
        "Stutter",
        "Bounded",
        "Refinement",
    ] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
}

/// Sets, maps and multisets come out as ITF's `#set` and `#map`: the
/// network of in-flight messages (2PC's does not duplicate) as a `#map`
/// from `{src, dst, msg}` records to their multiplicity, the timers as
/// sets.
#[test]
fn itf_network_and_timers_are_sets_of_records() {
    let dir = TempDir::new("network");
    let job = job("two-phase-commit", "commit-on-majority");
    let summary = check_itf(&job);
    export_and_read_back(&dir.0, &job, &summary);
    let (property, _) = checker::itf::printed(&summary)[0];
    let path = dir
        .0
        .join(itf_export::file_name(&summary.model, job.name(), property));
    let text = std::fs::read_to_string(path).expect("written");
    let json: Value = serde_json::from_str(&text).expect("json");
    let mut envelopes_seen = 0;
    for state in json["states"].as_array().unwrap() {
        let network = &state["network"];
        assert_eq!(network["tag"], "UnorderedNonDuplicating", "{network}");
        let entries = network["value"]["#map"]
            .as_array()
            .unwrap_or_else(|| panic!("the network is no multiset: {network}"));
        for entry in entries {
            let (envelope, count) = (&entry[0], &entry[1]);
            for field in ["src", "dst", "msg"] {
                assert!(envelope.get(field).is_some(), "no {field}: {entry}");
            }
            assert!(count.as_u64().is_some_and(|n| n >= 1), "{entry}");
            envelopes_seen += 1;
        }
        for timers in state["timers_set"].as_array().unwrap() {
            assert!(timers.get("#set").is_some(), "timers are a set: {timers}");
        }
    }
    assert!(envelopes_seen > 0, "no message was ever in flight");
}

/// Every counterexample of the whole catalog exports, reads back and
/// replays. Ignored by default: it checks all 118 catalog jobs again
/// (about 2.5 minutes of CPU and 0.5 GB in release; BENCHMARKS.md).
#[test]
#[ignore]
fn itf_every_catalog_counterexample_exports() {
    let dir = TempDir::new("catalog");
    let results = models::reports::run_catalog_with(true, &|_| {});
    let mut files = 0;
    for (job, summary) in &results {
        files += export_and_read_back(&dir.0, job, summary).len();
    }
    assert!(files > 0);
}
