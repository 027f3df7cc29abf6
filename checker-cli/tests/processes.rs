//! Nodes as OS processes: `dsw run --processes` (every node its own
//! `dsw node` child), a real SIGKILL and restart from the storage
//! directory, `dsw node`'s contract, and nodes in network namespaces. These
//! need the `dsw` binary, which cargo builds for the tests beside it.

#![allow(clippy::print_stderr)] // the namespace test says why it skips

use std::net::SocketAddrV4;
mod common;

use common::{dsw, refused};
use std::process::{Command, Output};

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `dsw` with `args` and `--trace` to a fresh file: its output and the
/// trace's lines (none if it wrote no trace).
fn traced(tag: &str, args: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let dir = std::env::temp_dir().join(format!("dsw-{tag}-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("trace.jsonl");
    let mut all = args.to_vec();
    all.extend(["--trace", trace.to_str().unwrap()]);
    let o = dsw(&all);
    let lines = std::fs::read_to_string(&trace)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    (o, lines)
}

/// A run whose nodes were processes: it says so, every check holds, the
/// records replayed through the model match it step by step.
#[test]
fn a_run_of_processes_is_checked_as_a_run_of_threads() {
    for model in ["abd-register", "paxos", "two-phase-commit"] {
        let o = dsw(&["run", model, "--processes", "--duration", "10"]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{model}: {out}\n{err}");
        assert!(err.contains("each node its own process"), "{model}: {err}");
        assert!(
            out.contains("ran as its own OS process (dsw node)"),
            "{model}: {out}"
        );
        assert!(
            out.contains("workload finished in time: holds"),
            "{model}: {out}"
        );
        assert!(out.contains("trace validation: valid"), "{model}: {out}");
        assert!(!out.contains("VIOLATED"), "{model}: {out}");
    }
}

/// The nemesis's kill is a SIGKILL to the node's process; the node comes
/// back as a new process from its storage directory, and the run's
/// properties and validation (which replays the crash and the restart)
/// still hold.
#[test]
fn a_killed_process_restarts_from_its_storage_and_the_run_holds() {
    let (o, lines) = traced(
        "kill",
        &[
            "run",
            "paxos",
            "--processes",
            "--nemesis",
            "kill",
            "--seed",
            "3",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    let crashes = out
        .lines()
        .filter(|l| l.contains("crash: ") && l.contains("SIGKILL to its process"))
        .count();
    let restarts = out
        .lines()
        .filter(|l| l.contains("restart: ") && l.contains("a new process from its storage file"))
        .count();
    assert_eq!((crashes, restarts), (2, 2), "{out}");
    assert!(out.contains("2 crashes, 2 restarts"), "{out}");
    assert!(out.contains("trace validation: valid"), "{out}");
    assert!(!out.contains("VIOLATED"), "{out}");
    // The trace holds the crash and the restart, on the killed node, in
    // that order, its Lamport times rising across them.
    let crash = lines
        .iter()
        .position(|l| l["kind"] == "crash")
        .expect("a crash");
    let restart = lines
        .iter()
        .position(|l| l["kind"] == "restart")
        .expect("a restart");
    assert!(crash < restart);
    assert_eq!(lines[crash]["node"], lines[restart]["node"]);
    assert!(lines[restart]["lamport"].as_u64() > lines[crash]["lamport"].as_u64());
}

/// The nemesis's partition and pause reach node processes: a partition is
/// each child's own filter, set through the partition file (every cut
/// datagram recorded, and only while a partition is in force); a pause is
/// SIGSTOP then SIGCONT, and the paused process records nothing until it
/// resumes. Paxos keeps its safety, and the merged records replay through
/// the model.
#[test]
fn partitions_and_pauses_reach_the_processes() {
    let (o, lines) = traced(
        "nemesis",
        &[
            "run",
            "paxos",
            "--processes",
            "--nemesis",
            "partition,pause",
            "--seed",
            "1",
        ],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(out.contains("trace validation: valid"), "{out}");
    assert!(!out.contains("VIOLATED"), "{out}");
    // The schedule, printed before the run: fault i is line i.
    let kinds: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("nemesis: "))
        .map(|l| {
            if l.contains("partition:") {
                "partition"
            } else {
                "pause"
            }
        })
        .collect();
    assert!(
        kinds.contains(&"partition") && kinds.contains(&"pause"),
        "{out}"
    );
    let (mut in_force, mut healed, mut cut) = (None, 0, 0);
    let mut paused: Option<u64> = None;
    let mut pauses = 0;
    for l in &lines {
        match l["kind"].as_str().unwrap() {
            "nemesis" if l["healed"] == true => {
                in_force = None;
                healed += 1;
            }
            "nemesis" => {
                assert!(in_force.is_none(), "one fault at a time");
                in_force = Some(kinds[l["fault"].as_u64().unwrap() as usize]);
            }
            "cut" => {
                assert_eq!(
                    in_force,
                    Some("partition"),
                    "a cut outside a partition: {l}"
                );
                cut += 1;
            }
            "paused" => {
                assert_eq!(in_force, Some("pause"), "{l}");
                paused = l["node"].as_u64();
                pauses += 1;
            }
            "resumed" => paused = None,
            _ => assert_ne!(l["node"].as_u64(), paused, "a paused process did {l}"),
        }
    }
    assert_eq!(healed, kinds.len(), "every fault healed");
    assert!(cut > 0, "the partitions cut nothing: {out}");
    assert_eq!(pauses, kinds.iter().filter(|k| **k == "pause").count());
    assert!(out.contains("did nothing while paused"), "{out}");
}

#[test]
fn what_processes_cannot_do_is_refused_in_one_line() {
    refused(
        &["run", "swim", "--processes"],
        "--processes is not supported by swim",
    );
    refused(
        &["run", "paxos", "--processes", "--fuzz", "10"],
        "--fuzz is not supported with --processes",
    );
}

#[test]
fn dsw_node_refuses_a_bad_cluster_file_or_id() {
    let dir = std::env::temp_dir().join(format!("dsw-node-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cluster = dir.join("cluster.txt");
    let c = cluster.to_str().unwrap();
    std::fs::write(&cluster, "0 127.0.0.1:7000\n2 127.0.0.1:7002\n").unwrap();
    refused(
        &["node", "paxos", "--id", "0", "--cluster", c],
        "has no node 1",
    );
    std::fs::write(&cluster, "0 localhost\n").unwrap();
    refused(
        &["node", "paxos", "--id", "0", "--cluster", c],
        "is not an IPv4 address with a port",
    );
    std::fs::write(&cluster, "0 127.0.0.1:0\n1 127.0.0.2:0\n").unwrap();
    refused(
        &["node", "paxos", "--id", "0", "--cluster", c],
        "the cluster file lists 2 nodes; this configuration has",
    );
    refused(
        &["node", "gossip", "--id", "0", "--cluster", c],
        "dsw node is not supported by gossip",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs a command, failing with what it printed.
fn sh(args: &[&str]) -> Result<(), String> {
    let o = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{args:?}: {e}"))?;
    if o.status.success() {
        Ok(())
    } else {
        Err(format!("{args:?}: {}", String::from_utf8_lossy(&o.stderr)))
    }
}

/// Network namespaces and the bridge joining them, removed when dropped
/// (even when the test fails).
struct Namespaces {
    names: Vec<String>,
    bridge: String,
    veths: Vec<String>,
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for v in &self.veths {
            let _ = sh(&["ip", "link", "del", v]);
        }
        for n in &self.names {
            let _ = sh(&["ip", "netns", "del", n]);
        }
        let _ = sh(&["ip", "link", "del", &self.bridge]);
    }
}

/// Why the namespace test cannot run here, if it cannot.
fn no_namespaces() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not root (id -u is not 0)".into());
    }
    match Command::new("ip").args(["netns", "list"]).output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "ip netns is unavailable: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no ip command: {e}")),
    }
}

/// abd-register's nodes on four hosts: four network namespaces, each with
/// a veth pair to a bridge and an address in 10.77.0.0/24 (the servers one
/// each, the clients sharing the first), every node a `dsw node` inside
/// its namespace. The run is checked as any other: properties and trace
/// validation. Everything is removed at the end.
#[test]
fn nodes_in_network_namespaces_run_the_protocol() {
    if let Some(why) = no_namespaces() {
        // CI runs as root with iproute2 installed: there a skip would hide
        // a test that never ran.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the namespace test cannot run under CI=true: {why}"
        );
        eprintln!("skipped: {why}");
        return;
    }
    let pid = std::process::id() % 10_000_000;
    let mut ns = Namespaces {
        names: Vec::new(),
        bridge: format!("dswbr{pid}"),
        veths: Vec::new(),
    };
    let setup = |ns: &mut Namespaces| -> Result<(), String> {
        sh(&["ip", "link", "add", &ns.bridge, "type", "bridge"])?;
        sh(&["ip", "link", "set", &ns.bridge, "up"])?;
        for i in 0..4 {
            let name = format!("dsw{pid}n{i}");
            sh(&["ip", "netns", "add", &name])?;
            ns.names.push(name.clone());
            let (outside, inside) = (format!("dsw{pid}v{i}"), format!("dsw{pid}p{i}"));
            sh(&[
                "ip", "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ])?;
            ns.veths.push(outside.clone());
            sh(&["ip", "link", "set", &inside, "netns", &name])?;
            sh(&["ip", "link", "set", &outside, "master", &ns.bridge])?;
            sh(&["ip", "link", "set", &outside, "up"])?;
            let addr = format!("10.77.0.{}/24", i + 1);
            sh(&["ip", "-n", &name, "addr", "add", &addr, "dev", &inside])?;
            sh(&["ip", "-n", &name, "link", "set", &inside, "up"])?;
            sh(&["ip", "-n", &name, "link", "set", "lo", "up"])?;
        }
        Ok(())
    };
    setup(&mut ns).unwrap_or_else(|e| panic!("namespace setup: {e}"));
    let protocol = models::protocol("abd-register").unwrap();
    let params = protocol.default_params();
    // abd-register's actors: three clients (0..3), then three servers;
    // the clients share host 0, the servers have one host each.
    let host_of = |i: usize| i.saturating_sub(2);
    let hosts: Vec<models::processes::Host> = (0..6)
        .map(|i: usize| {
            let host = host_of(i);
            models::processes::Host {
                addr: SocketAddrV4::new([10, 77, 0, host as u8 + 1].into(), 7000 + i as u16),
                prefix: vec![
                    "ip".into(),
                    "netns".into(),
                    "exec".into(),
                    ns.names[host].clone(),
                ],
            }
        })
        .collect();
    let opts = models::RunOptions {
        duration: std::time::Duration::from_secs(20),
        processes: Some(models::processes::ProcessOptions {
            exe: env!("CARGO_BIN_EXE_dsw").into(),
            model: "abd-register".into(),
            variant: models::CORRECT.into(),
            params: params.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            hosts: Some(hosts),
        }),
        ..models::RunOptions::default()
    };
    let report = models::run(protocol, models::CORRECT, &params, &opts)
        .unwrap_or_else(|e| panic!("the run in namespaces: {e}"));
    assert!(report.sent > 0 && report.received > 0);
    for (name, ok) in &report.checks {
        assert!(ok, "{name} failed: {:?}", report.evidence);
    }
    assert!(report.validation.valid() && report.validation.steps > 0);
    // The nodes talked across namespaces: every host received something.
    let receivers: std::collections::BTreeSet<usize> = report
        .trace
        .iter()
        .filter(|e| e.kind == runtime::trace::TraceKind::Delivered)
        .map(|e| host_of(e.node))
        .collect();
    assert_eq!(receivers.len(), 4, "every host received something");
    drop(ns);
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&left.stdout).contains(&format!("dsw{pid}n")),
        "namespaces left behind"
    );
}
