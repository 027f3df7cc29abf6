//! `dsw check --replay`: counterexamples exported as ITF files
//! ([`models::itf_export`]) and followed back on their model
//! ([`models::itf_replay`]): each is followed to its end and shows what its
//! `#meta` says; a copy with one value changed in a middle state diverges
//! at exactly that step, naming what differs; a file that is no trace of
//! the catalog is refused with what is valid.

use checker::replay::Outcome;
use checker::CheckOptions;
use models::itf_export::{self, Source};
use models::itf_replay;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A fresh directory under the system's temp directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("dsw-replay-{name}-{}", std::process::id()));
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

/// Checks one catalog job with ITF states kept and writes its files as
/// `dsw check --itf` does; returns each file with its counterexample kind.
fn export(dir: &Path, model: &str, name: &str) -> Vec<(PathBuf, checker::CounterexampleKind)> {
    let protocol = models::protocol(model).expect("registered");
    let job = models::jobs_of(protocol)
        .into_iter()
        .find(|j| j.name() == name)
        .unwrap_or_else(|| panic!("{model} has no job {name}"));
    let opts = CheckOptions {
        itf: true,
        ..job.options()
    };
    let summary = job.check_with(&opts, &mut |_| {});
    let source = Source {
        scenario: job.scenario.map(|s| s.name.to_string()),
        explore: None,
        params: job.params.clone(),
    };
    itf_export::write(dir, &summary, job.name(), &source).expect("written");
    checker::itf::printed(&summary)
        .into_iter()
        .map(|(property, ce)| {
            (
                dir.join(itf_export::file_name(model, name, property)),
                ce.kind,
            )
        })
        .collect()
}

/// Replays `path`, returning the lines printed and the outcome.
fn replay(path: &Path) -> (Vec<String>, Outcome) {
    let r = itf_replay::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = Vec::new();
    let outcome = r.run(&mut |l| lines.push(l.to_string()));
    (lines, outcome)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

fn write_json(path: &Path, v: &Value) {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).expect("write");
}

/// Changes the first boolean or integer found in `v` (depth first, in
/// the order of the keys), returning its path; `None` if there is none.
fn tamper(v: &mut Value, path: String) -> Option<String> {
    match v {
        Value::Bool(b) => {
            *b = !*b;
            Some(path)
        }
        Value::Number(n) => {
            *v = Value::from(n.as_i64().unwrap_or(0) + 1000);
            Some(path)
        }
        Value::Array(items) => items
            .iter_mut()
            .enumerate()
            .find_map(|(i, item)| tamper(item, format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter_mut()
            .filter(|(k, _)| *k != "#meta")
            .find_map(|(k, item)| tamper(item, format!("{path}.{k}"))),
        _ => None,
    }
}

/// A safety violation, a bounded run, a deadlock, a lasso, a stutter,
/// refinement failures and FLP's bivalent lasso (a model with a view)
/// replay to their end and show what their files say; each tampered copy
/// diverges where it was changed.
#[test]
fn replay_follows_each_kind_of_counterexample_and_catches_a_changed_state() {
    let dir = TempDir::new("kinds");
    let jobs = [
        ("alternating-bit", "no-sequence-bit"), // violation, bounded
        ("alternating-bit", "weak-fairness"),   // a lasso
        ("alternating-bit", "take-any-ack"),    // a deadlock
        ("paxos", "fixed-majority"),            // a stutter, a history
        ("two-phase-commit", "commit-on-majority"), // refinement failures
        ("flp", "correct"),                     // stays bivalent, a view
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (model, name) in jobs {
        let files = export(&dir.0, model, name);
        assert!(!files.is_empty(), "{model} {name}: nothing exported");
        for (path, kind) in files {
            let what = path.display().to_string();
            let states = read_json(&path)["states"].as_array().unwrap().len();
            // Followed to the end: a line for state 0 and one per step.
            let (lines, outcome) = replay(&path);
            assert!(outcome.ok(), "{what}: {outcome:?}\n{}", lines.join("\n"));
            assert_eq!(lines.len(), states, "{what}: {lines:?}");
            assert!(lines[0].contains("state 0: initial state"), "{what}");
            kinds.insert(format!("{kind:?}"));

            // One value changed in a middle state: diverges at that step.
            let mut doc = read_json(&path);
            let middle = states / 2;
            let changed = tamper(
                &mut doc["states"][middle]["actor_states"],
                "actor_states".into(),
            )
            .unwrap_or_else(|| panic!("{what}: nothing to change in state {middle}"));
            let tampered = dir.0.join("tampered.itf.json");
            write_json(&tampered, &doc);
            let (lines, outcome) = replay(&tampered);
            match &outcome {
                Outcome::Diverges { at, diff, .. } => {
                    assert_eq!(*at, middle, "{what}: changed {changed}: {outcome:?}");
                    assert_eq!(lines.len(), middle, "{what}: steps before it followed");
                    assert!(
                        diff.iter().any(|l| l.starts_with("actor_states[")),
                        "{what}: the diff names the actor: {diff:?}"
                    );
                }
                other => panic!("{what}: changed {changed}, yet {other:?}"),
            }
        }
    }
    for k in [
        "Violation",
        "Bounded",
        "Lasso",
        "Deadlock",
        "Stutter",
        "Refinement",
    ] {
        assert!(kinds.contains(k), "no {k} among {kinds:?}");
    }
}

/// The exact difference is named: one field of one actor, file vs model;
/// a step whose recorded action is not the one that reaches its state
/// diverges too; so does a changed initial state; a lasso whose loop does
/// not close does not show what it claims.
#[test]
fn replay_names_what_differs() {
    let dir = TempDir::new("diff");
    let files = export(&dir.0, "two-phase-commit", "commit-on-majority");
    let (path, _) = files
        .iter()
        .find(|(p, _)| p.to_string_lossy().ends_with("-agreement.itf.json"))
        .expect("agreement is violated");
    let original = read_json(path);
    let tampered = dir.0.join("tampered.itf.json");

    // RM3 (actor 3) has not voted yet in state 3.
    let mut doc = original.clone();
    assert_eq!(
        doc["states"][3]["actor_states"][3]["value"]["voted_yes"],
        false
    );
    doc["states"][3]["actor_states"][3]["value"]["voted_yes"] = Value::Bool(true);
    write_json(&tampered, &doc);
    let (_, outcome) = replay(&tampered);
    let Outcome::Diverges { at, what, diff } = outcome else {
        panic!("not a divergence: {outcome:?}");
    };
    assert_eq!(at, 3);
    assert!(what.contains("by the recorded step"), "{what}");
    assert!(what.contains("differs in 1 value"), "{what}");
    assert_eq!(
        diff,
        vec!["actor_states[3] (RM3).voted_yes: the file true, the model false".to_string()]
    );

    // The action of step 2 relabelled: its state is reached, by another step.
    let mut doc = original.clone();
    doc["states"][2]["action"]["label"] = Value::from("Prepared { rm: 9 }");
    write_json(&tampered, &doc);
    let (_, outcome) = replay(&tampered);
    assert!(
        matches!(&outcome, Outcome::Diverges { at: 2, what, .. } if what.contains("not by the recorded")),
        "{outcome:?}"
    );

    // State 0 changed.
    let mut doc = original.clone();
    doc["states"][0]["actor_states"][1]["value"]["voted_yes"] = Value::Bool(true);
    write_json(&tampered, &doc);
    let (lines, outcome) = replay(&tampered);
    assert!(lines.is_empty());
    assert!(
        matches!(&outcome, Outcome::Diverges { at: 0, what, .. } if what.contains("none of the model's")),
        "{outcome:?}"
    );

    // A lasso that loops back to the wrong state.
    let files = export(&dir.0, "alternating-bit", "weak-fairness");
    let (lasso, _) = &files[0];
    let mut doc = read_json(lasso);
    let k = doc["loop"].as_u64().expect("a lasso") as usize;
    let states = doc["states"].as_array().unwrap().len();
    let wrong = (0..states - 1).find(|&i| i != k).expect("another state");
    doc["loop"] = Value::from(wrong);
    write_json(&tampered, &doc);
    let (_, outcome) = replay(&tampered);
    assert!(
        matches!(&outcome, Outcome::DoesNotShow(w) if w.contains("loops back")),
        "{outcome:?}"
    );
}

/// Files that are no trace of the catalog are refused, each with what is
/// wrong and what is valid.
#[test]
fn replay_refuses_what_is_not_a_catalog_trace() {
    let dir = TempDir::new("bad");
    let files = export(&dir.0, "alternating-bit", "take-any-ack");
    let good = read_json(&files[0].0);
    let bad = dir.0.join("bad.itf.json");
    let refused = |text: &str, needle: &str| {
        std::fs::write(&bad, text).unwrap();
        let err = itf_replay::read(&bad).expect_err(needle);
        assert!(err.contains(needle), "{err} lacks {needle}");
        assert!(err.contains("bad.itf.json"), "{err} names no file");
    };
    refused("not json", "not JSON");
    refused("[1, 2]", "not an ITF trace");
    refused(r#"{"vars": ["x"]}"#, "no \"states\"");
    refused(r#"{"vars": ["x"], "states": []}"#, "no states");
    let with_meta = |key: &str, value: Option<&str>| {
        let mut doc = good.clone();
        let meta = doc["#meta"].as_object_mut().unwrap();
        match value {
            Some(v) => meta.insert(key.into(), Value::from(v)),
            None => meta.remove(key),
        };
        doc.to_string()
    };
    refused(&with_meta("model", Some("paxo")), "did you mean \"paxos\"");
    refused(&with_meta("model", None), "#meta has no \"model\"");
    refused(
        &with_meta("variant", Some("nope")),
        "known: correct, no-sequence-bit",
    );
    refused(&with_meta("params", Some("capacity=99")), "out of range");
    refused(&with_meta("params", None), "#meta has no \"params\"");
    refused(
        &with_meta("counterexample", Some("spiral")),
        "known: violation",
    );
    let mut doc = good.clone();
    doc["loop"] = Value::from(999);
    refused(&doc.to_string(), "\"loop\" is 999");
    let err = itf_replay::read(&dir.0.join("missing.itf.json")).expect_err("missing");
    assert!(err.contains("cannot read"), "{err}");
}
