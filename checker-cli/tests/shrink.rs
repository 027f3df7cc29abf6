//! `dsw shrink` on real bugs: a real run's trace of rpc-kv's
//! `table-keyed-by-request-id` (which breaks linearizability on every
//! run) cut down to a schedule that still breaks it and is 1-minimal (the
//! trace without any one of its events breaks nothing), and a
//! counterexample path; bad input in one line with exit 2.

use std::path::{Path, PathBuf};
mod common;

use common::{dsw, refused, stderr, stdout};
use std::process::Output;

/// A fresh directory for one test's files.
fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dsw-shrink-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `(events before, events kept)` from shrink's first line.
fn counts(out: &str) -> (usize, usize) {
    let first = out.lines().next().unwrap_or_default();
    let (_, rest) = first.split_once(": ").unwrap();
    let rest = rest.split_once(": ").map_or(rest, |(_, r)| r);
    let words: Vec<&str> = rest.split_whitespace().collect();
    assert_eq!(words[1..4], ["events", "shrunk", "to"], "{first}");
    (words[0].parse().unwrap(), words[4].parse().unwrap())
}

fn shrink_trace(trace: &Path, out: Option<&Path>) -> Output {
    let mut args = vec![
        "shrink",
        "rpc-kv",
        "--variant",
        "table-keyed-by-request-id",
        "--trace",
        trace.to_str().unwrap(),
    ];
    if let Some(out) = out {
        args.extend(["--out", out.to_str().unwrap()]);
    }
    dsw(&args)
}

#[test]
fn a_real_runs_trace_shrinks_to_a_one_minimal_violation() {
    let dir = scratch("trace");
    let trace = dir.join("run.jsonl");
    let run = dsw(&[
        "run",
        "rpc-kv",
        "--variant",
        "table-keyed-by-request-id",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert!(trace.exists(), "{}{}", stdout(&run), stderr(&run));
    let shrunk = dir.join("shrunk.jsonl");
    let o = shrink_trace(&trace, Some(&shrunk));
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let (before, kept) = counts(&out);
    assert!(kept >= 1 && kept < before, "{out}");
    assert!(
        out.contains(&format!("({} removed", before - kept)),
        "{out}"
    );
    assert!(out.contains("explorer path: 0/"), "{out}");
    let lines: Vec<String> = std::fs::read_to_string(&shrunk)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), kept, "{out}");
    // The shrunk trace still violates, and nothing more comes off it.
    let again = shrink_trace(&shrunk, None);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(counts(&stdout(&again)), (kept, kept), "{}", stdout(&again));
    // 1-minimal: without any one of its events, the model replayed along
    // the rest violates nothing (or cannot follow it).
    for i in 0..lines.len() {
        let without = dir.join(format!("without-{i}.jsonl"));
        let rest: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, l)| l.as_str())
            .collect();
        std::fs::write(&without, rest.join("\n") + "\n").unwrap();
        let o = shrink_trace(&without, None);
        assert_eq!(
            o.status.code(),
            Some(1),
            "without line {}: {}{}",
            i + 1,
            stdout(&o),
            stderr(&o)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A breadth-first counterexample is already shortest: shrink keeps it
/// whole. A depth-first one (longer) shrinks, and still violates.
#[test]
fn a_counterexample_path_shrinks_to_one_that_still_violates() {
    let path_of = |strategy: &str| -> String {
        let o = dsw(&[
            "check",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--strategy",
            strategy,
            "--json",
        ]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        v["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "agreement")
            .and_then(|p| p["counterexample"]["path"].as_str())
            .expect("agreement violated")
            .to_string()
    };
    let shrink = |path: &str| {
        dsw(&[
            "shrink",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--property",
            "agreement",
            "--path",
            path,
        ])
    };
    let bfs = path_of("bfs");
    let o = shrink(&bfs);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let steps = bfs.split('/').count() - 1;
    assert_eq!(counts(&stdout(&o)), (steps, steps), "{}", stdout(&o));
    let dfs = path_of("dfs");
    let o = shrink(&dfs);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let (before, kept) = counts(&stdout(&o));
    assert_eq!(before, dfs.split('/').count() - 1);
    assert!(kept <= before, "{}", stdout(&o));
    // What it prints is a path that violates as it is: nothing comes off.
    let shrunk = stdout(&o)
        .lines()
        .find_map(|l| l.strip_prefix("explorer path: "))
        .expect("a path")
        .to_string();
    let o = shrink(&shrunk);
    assert_eq!(counts(&stdout(&o)), (kept, kept), "{}", stdout(&o));
    // The correct protocol's path breaks nothing: exit 1.
    let o = dsw(&["shrink", "two-phase-commit", "--path", "0"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
}

/// Bad input: exit 2, one line on stderr naming what is valid.
#[test]
fn shrink_refuses_bad_input_in_one_line() {
    refused(
        &["shrink", "two-phase-commit", "--path", "0/x"],
        "not an index",
    );
    refused(
        &["shrink", "two-phase-commit", "--path", "0/99"],
        "enabled there",
    );
    refused(
        &[
            "shrink",
            "two-phase-commit",
            "--path",
            "0",
            "--property",
            "agrement",
        ],
        "did you mean \"agreement\"",
    );
    refused(
        &[
            "shrink",
            "two-phase-commit",
            "--path",
            "0",
            "--property",
            "termination",
        ],
        "no always property",
    );
    refused(
        &["shrink", "rpc-kv", "--trace", "no-such-file.jsonl"],
        "cannot read no-such-file.jsonl",
    );
    refused(&["shrink", "flp", "--path", "0"], "cannot be shrunk");
    refused(&["shrink", "two-phase-commit"], "--trace");
}
