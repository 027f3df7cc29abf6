//! `dsw shrink` on real bugs: a real run's trace of rpc-kv's
//! `table-keyed-by-request-id` (whose every run breaks "a returned write
//! executed exactly once": a client is answered with the other's result)
//! cut down to a schedule that still breaks it and is 1-minimal (the trace
//! without any one of its events either breaks nothing or is no schedule
//! the model can follow), and a counterexample path; every shrinkable
//! protocol's correct run followed by the model to its end, crashes and
//! real-run heartbeats included; a schedule the model cannot follow said
//! so, at its line; bad input in one line with exit 2.

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
    let (before, _, kept) = counts3(out);
    (before, kept)
}

/// `(events, events up to the violation, events kept)` from shrink's
/// first line: `N events (M up to the violation) shrunk to K`.
fn counts3(out: &str) -> (usize, usize, usize) {
    let first = out.lines().next().unwrap_or_default();
    let (_, rest) = first.split_once(": ").unwrap();
    let rest = rest.split_once(": ").map_or(rest, |(_, r)| r);
    let words: Vec<&str> = rest.split_whitespace().collect();
    assert_eq!(words[1], "events", "{first}");
    assert_eq!(
        words[3..8],
        ["up", "to", "the", "violation)", "shrunk"],
        "{first}"
    );
    let number = |w: &str| w.trim_start_matches('(').parse::<usize>().unwrap();
    (number(words[0]), number(words[2]), number(words[9]))
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

/// The kinds of trace line that are model events (what shrink keeps).
const EVENT_KINDS: [&str; 5] = ["delivered", "timer", "crash", "restart", "chose"];

fn kind(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).expect("a trace line");
    v["kind"].as_str().unwrap_or_default().to_string()
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
    let (before, _, kept) = counts3(&out);
    assert!(kept >= 1 && kept < before, "{out}");
    assert!(
        out.contains(&format!("({} removed", before - kept)),
        "{out}"
    );
    // The explorer line is the command that serves this configuration and
    // the path's address.
    assert!(
        out.contains(
            "explorer: dsw explore rpc-kv --variant table-keyed-by-request-id, then http://"
        ),
        "{out}"
    );
    let lines: Vec<String> = std::fs::read_to_string(&shrunk)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let events: Vec<usize> = (0..lines.len())
        .filter(|&i| EVENT_KINDS.contains(&kind(&lines[i]).as_str()))
        .collect();
    assert_eq!(events.len(), kept, "{out}");
    // The kept deliveries keep their sends: dsw trace finds each one.
    let drawn = dsw(&["trace", shrunk.to_str().unwrap()]);
    assert_eq!(drawn.status.code(), Some(0), "{}", stderr(&drawn));
    assert!(
        !stdout(&drawn).contains("NOT consistent"),
        "{}",
        stdout(&drawn)
    );
    // The shrunk trace still violates, and nothing more comes off it.
    let again = shrink_trace(&shrunk, None);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert_eq!(counts(&stdout(&again)), (kept, kept), "{}", stdout(&again));
    // 1-minimal: without any one of its events, the model replayed along
    // the rest violates nothing (or cannot follow it).
    for &i in &events {
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

/// Every protocol whose traces shrink: its correct run's trace (seed 1)
/// is one the model follows to its end (no stuck event), with the run's
/// node ids, crashes and heartbeats, and breaks none of its properties.
#[test]
fn every_shrinkable_protocols_correct_run_replays_in_full() {
    let dir = scratch("full");
    for model in SHRINKABLE {
        let trace = dir.join(format!("{model}.jsonl"));
        let run = dsw(&[
            "run",
            model,
            "--seed",
            "1",
            "--trace",
            trace.to_str().unwrap(),
        ]);
        assert!(trace.exists(), "{model}: {}{}", stdout(&run), stderr(&run));
        let o = dsw(&["shrink", model, "--trace", trace.to_str().unwrap()]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(1), "{model}: {out}{}", stderr(&o));
        assert!(out.contains("the model follows all"), "{model}: {out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The protocols `dsw shrink` takes a trace of.
const SHRINKABLE: [&str; 17] = [
    "abd-register",
    "alternating-bit",
    "byzantine-generals",
    "causal-broadcast",
    "chandy-lamport",
    "crawler",
    "lamport-clocks",
    "lamport-mutex",
    "mapreduce",
    "paxos",
    "raft",
    "raft-kv",
    "reliable-broadcast",
    "rpc-kv",
    "three-phase-commit",
    "total-order-broadcast",
    "two-phase-commit",
];

/// Paxos's real nodes are known by socket-derived ids; the trace writes
/// them as the model does, so a run with crashes (the nemesis's kill)
/// replays: it shrinks, or the model follows it to its end.
#[test]
fn a_paxos_trace_with_kills_replays() {
    let dir = scratch("paxos");
    let trace = dir.join("pk.jsonl");
    let args = ["--variant", "forget-promise-on-crash"];
    let run = dsw(&[
        &["run", "paxos"][..],
        &args,
        &[
            "--nemesis",
            "kill",
            "--seed",
            "2",
            "--trace",
            trace.to_str().unwrap(),
        ],
    ]
    .concat());
    assert!(trace.exists(), "{}{}", stdout(&run), stderr(&run));
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text.contains("\"kind\":\"crash\""), "no crash in the run");
    let o = dsw(&[
        &["shrink", "paxos"][..],
        &args,
        &[
            "--trace",
            trace.to_str().unwrap(),
            "--property",
            "agreement",
        ],
    ]
    .concat());
    let out = stdout(&o);
    match o.status.code() {
        Some(0) => assert!(out.contains("shrunk to"), "{out}"),
        Some(1) => assert!(out.contains("the model follows all"), "{out}"),
        _ => panic!("{out}{}", stderr(&o)),
    }
    // abd-register's kills too.
    let trace = dir.join("ak.jsonl");
    let run = dsw(&[
        "run",
        "abd-register",
        "--nemesis",
        "kill",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    assert!(trace.exists(), "{}{}", stdout(&run), stderr(&run));
    let o = dsw(&["shrink", "abd-register", "--trace", trace.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("the model follows all"),
        "{}",
        stdout(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A schedule the model cannot follow is said to be one, at the line of
/// the file it stands on (blank lines counted) and with its node's name,
/// not read as "violates none" (exit 1); a trace of other nodes does not
/// fit the model at all (exit 2).
#[test]
fn a_schedule_the_model_cannot_follow_is_named_at_its_line() {
    let dir = scratch("stuck");
    let trace = dir.join("run.jsonl");
    let run = dsw(&["run", "rpc-kv", "--trace", trace.to_str().unwrap()]);
    assert!(trace.exists(), "{}{}", stdout(&run), stderr(&run));
    let text = std::fs::read_to_string(&trace).unwrap();
    // Two blank lines first, and the first delivery gone: what answers it
    // is then never sent in the model.
    let mut lines: Vec<&str> = vec!["", ""];
    let mut dropped = false;
    for l in text.lines() {
        if !dropped && kind(l) == "delivered" {
            dropped = true;
            continue;
        }
        lines.push(l);
    }
    let cut = dir.join("cut.jsonl");
    std::fs::write(&cut, lines.join("\n") + "\n").unwrap();
    let o = dsw(&["shrink", "rpc-kv", "--trace", cut.to_str().unwrap()]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("the model cannot follow the schedule"),
        "{out}"
    );
    let at: usize = out
        .split("trace line ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("a line number");
    let line = lines[at - 1];
    let v: serde_json::Value = serde_json::from_str(line).expect("the named line is an event");
    let name = v["name"].as_str().unwrap();
    assert!(out.contains(&format!("({name} ")), "{name}: {out}");
    assert!(!out.contains("lane"), "{out}");
    // rpc-kv's nodes are not two-phase-commit's.
    let o = dsw(&[
        "shrink",
        "two-phase-commit",
        "--trace",
        trace.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{}{err}", stdout(&o));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("is it a trace of this model"), "{err}");
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
        .filter(|l| l.starts_with("explorer: dsw explore "))
        .find_map(|l| l.split_once("/path/"))
        .and_then(|(_, p)| p.split('?').next())
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
    refused(&["shrink", "gossip", "--path", "0"], "cannot be shrunk");
    refused(&["shrink", "two-phase-commit"], "--trace");
    refused(
        &[
            "shrink",
            "two-phase-commit",
            "--path",
            "0",
            "--out",
            "x.jsonl",
        ],
        "--out writes a shrunk trace",
    );
}
