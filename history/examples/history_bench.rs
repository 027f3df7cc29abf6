//! The history checker's benchmark (BENCHMARKS.md): generated histories,
//! linearizable and not, register and kv, and optionally Porcupine's own
//! test data.
//!
//! ```text
//! cargo run --release -p history --example history_bench
//! git clone https://github.com/anishathalye/porcupine /tmp/porcupine
//! cargo run --release -p history --example history_bench -- --porcupine /tmp/porcupine
//! cargo run --release -p history --example history_bench -- --no-generated --porcupine /tmp/porcupine
//! ```
//!
//! Prints one Markdown table row per history: parse time, the verdict's
//! time (every key searched, in parallel), and for a history that is not
//! linearizable the time to find where it first fails (`dsw history`
//! does both).
//!
//! Append states are whole strings, so a key's memory grows with the square
//! of its appends (every configuration keeps its string): the append cases
//! hold 1,000 operations per key, not 10,000.

#![allow(clippy::print_stdout)]

use history::generate::{generate, Mix, Spec};
use history::{check, first_bad_partition, keys, parse, ModelKind};
use std::path::Path;
use std::time::Instant;

fn seconds<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed().as_secs_f64())
}

/// Measures one history; returns (linearizable, parse + verdict seconds).
fn bench(name: &str, text: &str, model: ModelKind, print: bool) -> (bool, f64) {
    let (h, parse_s) = seconds(|| parse(text, model).expect("the history parses"));
    let (bad, check_s) = seconds(|| first_bad_partition(&h));
    let explain = if bad.is_some() {
        let (_, s) = seconds(|| check(&h));
        format!("{s:.3}")
    } else {
        "-".into()
    };
    if print {
        println!(
            "| {name} | {} | {} | {} | {parse_s:.3} | {check_s:.3} | {explain} |",
            h.ops.len() + h.failed,
            keys(&h),
            if bad.is_none() { "linearizable" } else { "not" },
        );
    }
    (bad.is_none(), parse_s + check_s)
}

fn generated() {
    let base = Spec {
        model: ModelKind::Register,
        mix: Mix::Register,
        keys: 1,
        operations: 10_000,
        clients: 5,
        values: 0,
        info: 5,
        fail: 5,
        wrong_reads: 0,
        stale_read: false,
        seed: 1,
    };
    let cases = [
        ("register, 10,000 ops, 5 clients", base.clone()),
        (
            "register, 10,000 ops, 5 clients, one stale read",
            Spec {
                stale_read: true,
                ..base.clone()
            },
        ),
        (
            "register, 10,000 ops, 20 clients",
            Spec {
                clients: 20,
                ..base.clone()
            },
        ),
        (
            "register, 10,000 ops, 10 clients",
            Spec {
                clients: 10,
                ..base.clone()
            },
        ),
        (
            "register, 10,000 ops, 10 clients, one stale read",
            Spec {
                clients: 10,
                stale_read: true,
                ..base.clone()
            },
        ),
        (
            "register, 10,000 ops, 5 clients, values 0-4, 3% info",
            Spec {
                values: 5,
                info: 30,
                ..base.clone()
            },
        ),
        (
            "kv register, 10 keys x 10,000 ops, 10 clients",
            Spec {
                model: ModelKind::Kv,
                keys: 10,
                operations: 100_000,
                clients: 10,
                ..base.clone()
            },
        ),
        (
            "kv register, 10 keys x 10,000 ops, 10 clients, one stale read",
            Spec {
                model: ModelKind::Kv,
                keys: 10,
                operations: 100_000,
                clients: 10,
                stale_read: true,
                ..base.clone()
            },
        ),
        (
            "kv append, 10 keys x 1,000 ops, 10 clients",
            Spec {
                model: ModelKind::Kv,
                mix: Mix::Append,
                keys: 10,
                operations: 10_000,
                clients: 10,
                ..base.clone()
            },
        ),
        (
            "kv append, 10 keys x 1,000 ops, 10 clients, one stale read",
            Spec {
                model: ModelKind::Kv,
                mix: Mix::Append,
                keys: 10,
                operations: 10_000,
                clients: 10,
                stale_read: true,
                ..base.clone()
            },
        ),
    ];
    for (name, spec) in cases {
        let text = generate(&spec);
        bench(name, &text, spec.model, true);
    }
}

/// A Jepsen etcd log line of Porcupine's test data, as a `dsw history`
/// line: `INFO  jepsen.util - 3\t:ok\t:cas\t[3 0]`. Other lines are skipped,
/// as Porcupine's own parser does.
fn etcd_line(line: &str) -> Option<String> {
    let (_, rest) = line.split_once(" - ")?;
    let fields: Vec<&str> = rest.split('\t').map(str::trim).collect();
    let [process, ty, f, value] = fields.as_slice() else {
        return None;
    };
    let process: u64 = process.parse().ok()?;
    let f = f.strip_prefix(':')?;
    let value = if *value == "nil" || value.starts_with(':') {
        "null".to_string()
    } else if let Some(pair) = value.strip_prefix('[') {
        let pair: Vec<&str> = pair.trim_end_matches(']').split_whitespace().collect();
        format!("[{}]", pair.join(","))
    } else {
        value.to_string()
    };
    let ty = match (*ty, f) {
        // A timed-out read: its outcome is unknown.
        (":fail", "read") => "info",
        (t, _) => t.strip_prefix(':')?,
    };
    Some(format!(
        r#"{{"process":{process},"type":"{ty}","f":"{f}","value":{value}}}"#
    ))
}

/// Porcupine's kv test data, EDN: `{:process 6, :type :invoke, :f :append,
/// :key "0", :value "x 6 0 y"}` (get/put/append), as `dsw history` lines.
/// Porcupine's keys start as ""; ours start null, so each key first gets a
/// completed write of "" by a process of its own.
fn kv_lines(text: &str) -> String {
    let field = |line: &str, name: &str| -> String {
        let start = line.find(&format!(":{name} ")).expect("field") + name.len() + 2;
        let rest = &line[start..];
        if let Some(quoted) = rest.strip_prefix('"') {
            format!(
                "\"{}\"",
                &quoted[..quoted.find('"').expect("closing quote")]
            )
        } else {
            rest[..rest.find([',', '}']).unwrap_or(rest.len())].to_string()
        }
    };
    let mut keys = Vec::new();
    let mut body = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let key = field(line, "key");
        if !keys.contains(&key) {
            keys.push(key.clone());
        }
        let f = match field(line, "f").as_str() {
            ":get" => "read",
            ":put" => "write",
            ":append" => "append",
            other => panic!("unknown f {other}"),
        };
        let value = field(line, "value").replace("nil", "null");
        body.push(format!(
            r#"{{"process":{},"type":"{}","f":"{f}","key":{key},"value":{value}}}"#,
            field(line, "process"),
            field(line, "type").trim_start_matches(':'),
        ));
    }
    let mut out: Vec<String> = keys
        .iter()
        .flat_map(|k| {
            ["invoke", "ok"].map(|t| {
                format!(r#"{{"process":"init","type":"{t}","f":"write","key":{k},"value":""}}"#)
            })
        })
        .collect();
    out.extend(body);
    out.join("\n")
}

fn porcupine(dir: &Path) {
    // Porcupine's expected verdicts: `checkJepsen(t, 3, false)`.
    let tests = std::fs::read_to_string(dir.join("porcupine_test.go")).expect("porcupine_test.go");
    let expected: Vec<(u32, bool)> = tests
        .lines()
        .filter_map(|l| {
            let args = l
                .trim()
                .strip_prefix("checkJepsen(t, ")?
                .strip_suffix(")")?;
            let (n, ok) = args.split_once(", ")?;
            Some((n.parse().ok()?, ok == "true"))
        })
        .collect();
    let (mut total, mut agree, mut lin) = (0.0, 0, 0);
    let mut differ = Vec::new();
    for &(n, want) in &expected {
        let log = std::fs::read_to_string(dir.join(format!("test_data/jepsen/etcd_{n:03}.log")))
            .expect("etcd log");
        let text: Vec<String> = log.lines().filter_map(etcd_line).collect();
        let (ok, s) = bench(
            &format!("etcd_{n:03}"),
            &text.join("\n"),
            ModelKind::Register,
            false,
        );
        total += s;
        lin += ok as usize;
        if ok == want {
            agree += 1;
        } else {
            differ.push(format!("etcd_{n:03} (ours {ok}, Porcupine {want})"));
        }
    }
    println!(
        "| Porcupine's {} etcd Jepsen histories (total) | | | {lin} linearizable | | {total:.3} (parse + verdict) | |",
        expected.len()
    );
    println!(
        "\nverdicts equal to Porcupine's on {agree} of {}; differ: {}\n",
        expected.len(),
        if differ.is_empty() {
            "none".to_string()
        } else {
            differ.join(", ")
        }
    );
    for name in [
        "c01-ok", "c01-bad", "c10-ok", "c10-bad", "c50-ok", "c50-bad",
    ] {
        let text =
            std::fs::read_to_string(dir.join(format!("test_data/kv/{name}.txt"))).expect("kv log");
        bench(
            &format!("Porcupine kv {name}"),
            &kv_lines(&text),
            ModelKind::Kv,
            true,
        );
    }
}

/// `--partitions FILE`: each kv key's search on its own, with its
/// configurations (stopping at three million).
fn partitions(file: &str) {
    let text = kv_lines(&std::fs::read_to_string(file).expect("kv log"));
    let h = parse(&text, ModelKind::Kv).expect("parses");
    for part in h.partitions() {
        let items: Vec<history::search::Item> = part
            .iter()
            .map(|&i| history::search::Item {
                op: h.ops[i].op.clone(),
                call: h.ops[i].call,
                ret: h.ops[i].ret,
            })
            .collect();
        let (r, s) = seconds(|| history::search::linearizable_within(&items, 3_000_000));
        println!(
            "key {:?}: {} ops: {r:?} {s:.3} s",
            h.ops[part[0]].key,
            part.len()
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--partitions") {
        return partitions(&args[i + 1]);
    }
    println!("| history | operations | keys | verdict | parse s | verdict s | where it fails s |");
    println!("|---|---:|---:|---|---:|---:|---:|");
    if !args.iter().any(|a| a == "--no-generated") {
        generated();
    }
    if let Some(i) = args.iter().position(|a| a == "--porcupine") {
        porcupine(Path::new(args.get(i + 1).expect("--porcupine DIR")));
    }
}
