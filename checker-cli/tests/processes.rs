//! Nodes as OS processes: `dsw run --processes` (every node its own
//! `dsw node` child), a real SIGKILL and restart from the storage
//! directory, `dsw node`'s contract, and nodes in network namespaces. These
//! need the `dsw` binary, which cargo builds for the tests beside it.

#![allow(clippy::print_stderr)] // the namespace tests say why they skip

mod common;

use runtime::trace::{TraceEvent, TraceKind};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddrV4};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::{dsw, refused};

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
    // What the seed reproduces, and what it does not, is said.
    assert!(
        err.contains("the faults follow --seed 1")
            && err.contains("the threads' scheduling is not reproduced"),
        "{err}"
    );
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

/// Runs a command, failing with what it printed; its stdout.
fn sh(args: &[&str]) -> Result<String, String> {
    sh_in(args, None)
}

/// [`sh`] with `input` on its stdin.
fn sh_in(args: &[&str], input: Option<&str>) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new(args[0])
        .args(&args[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{args:?}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    if let Some(text) = input {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("{args:?}: {e}"))?;
    }
    drop(stdin);
    let o = child
        .wait_with_output()
        .map_err(|e| format!("{args:?}: {e}"))?;
    if o.status.success() {
        Ok(String::from_utf8_lossy(&o.stdout).into_owned())
    } else {
        Err(format!("{args:?}: {}", String::from_utf8_lossy(&o.stderr)))
    }
}

/// The nftables table a test cuts a host with, inside the host's
/// namespace.
const CUT_TABLE: &str = "dswcut";

/// Hosts in network namespaces: one namespace per host, each with a veth
/// pair to a bridge and host `h` at 10.77.0.`h + 1`/24. Everything,
/// nftables tables included, is removed when dropped (even when the test
/// fails or the setup stops halfway).
struct Namespaces {
    names: Vec<String>,
    bridge: String,
    veths: Vec<String>,
    /// One set at a time in this process: the names and the addresses
    /// are the same for every test (released after the rest is removed).
    _one_at_a_time: MutexGuard<'static, ()>,
}

/// Held by the test whose namespaces exist.
static NAMESPACES: Mutex<()> = Mutex::new(());

impl Namespaces {
    fn new(hosts: usize) -> Result<Namespaces, String> {
        let pid = std::process::id() % 10_000_000;
        let mut ns = Namespaces {
            names: Vec::new(),
            bridge: format!("dswbr{pid}"),
            veths: Vec::new(),
            // A test that failed while holding it left nothing behind.
            _one_at_a_time: NAMESPACES.lock().unwrap_or_else(|e| e.into_inner()),
        };
        // Each name is kept before what it names is made: a failure
        // halfway removes what was made.
        sh(&["ip", "link", "add", &ns.bridge, "type", "bridge"])?;
        sh(&["ip", "link", "set", &ns.bridge, "up"])?;
        for h in 0..hosts {
            let name = format!("dsw{pid}n{h}");
            ns.names.push(name.clone());
            sh(&["ip", "netns", "add", &name])?;
            let (outside, inside) = (format!("dsw{pid}v{h}"), format!("dsw{pid}p{h}"));
            ns.veths.push(outside.clone());
            sh(&[
                "ip", "link", "add", &outside, "type", "veth", "peer", "name", &inside,
            ])?;
            sh(&["ip", "link", "set", &inside, "netns", &name])?;
            sh(&["ip", "link", "set", &outside, "master", &ns.bridge])?;
            sh(&["ip", "link", "set", &outside, "up"])?;
            let addr = format!("{}/24", Self::addr(h));
            sh(&["ip", "-n", &name, "addr", "add", &addr, "dev", &inside])?;
            sh(&["ip", "-n", &name, "link", "set", &inside, "up"])?;
            sh(&["ip", "-n", &name, "link", "set", "lo", "up"])?;
        }
        Ok(ns)
    }

    /// Host `h`'s address.
    fn addr(h: usize) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, 0, h as u8 + 1)
    }

    /// The command prefix that runs a program on host `h`.
    fn prefix(&self, h: usize) -> Vec<String> {
        ["ip", "netns", "exec", &self.names[h]]
            .map(String::from)
            .to_vec()
    }

    /// `nft` inside host `h`'s namespace, with `script` on its stdin if
    /// any; its stdout.
    fn nft(&self, h: usize, args: &[&str], script: Option<&str>) -> Result<String, String> {
        let mut all: Vec<&str> = vec!["ip", "netns", "exec", &self.names[h], "nft"];
        all.extend(args);
        sh_in(&all, script)
    }

    /// Cuts host `h` off from every other host in the kernel: a table
    /// whose output chain drops every datagram to another host's address
    /// and, if `both_ways` (else Jepsen's one-way partition: `h` still
    /// hears the others), whose input chain drops every datagram from one,
    /// each counted by a named counter (`dropped_in`, `dropped_out`). The
    /// nodes on `h` are not told.
    fn cut(&self, h: usize, both_ways: bool) -> Result<(), String> {
        let others: Vec<String> = (0..self.names.len())
            .filter(|o| *o != h)
            .map(|o| Self::addr(o).to_string())
            .collect();
        let others = others.join(", ");
        let inbound = if both_ways {
            format!("ip saddr {{ {others} }} counter name dropped_in drop")
        } else {
            String::new()
        };
        let script = format!(
            "table inet {CUT_TABLE} {{
  counter dropped_in {{ }}
  counter dropped_out {{ }}
  chain input {{
    type filter hook input priority filter; policy accept;
    {inbound}
  }}
  chain output {{
    type filter hook output priority filter; policy accept;
    ip daddr {{ {others} }} counter name dropped_out drop
  }}
}}
"
        );
        self.nft(h, &["-f", "-"], Some(&script)).map(|_| ())
    }

    /// Heals host `h`'s cut: both chains flushed in one transaction (the
    /// counters stay, so what they counted can be read after).
    fn heal(&self, h: usize) -> Result<(), String> {
        let script =
            format!("flush chain inet {CUT_TABLE} input\nflush chain inet {CUT_TABLE} output\n");
        self.nft(h, &["-f", "-"], Some(&script)).map(|_| ())
    }

    /// The datagrams host `h`'s cut dropped so far: (coming in, going out).
    fn dropped(&self, h: usize) -> Result<(u64, u64), String> {
        let count = |name: &str| -> Result<u64, String> {
            let text = self.nft(h, &["list", "counter", "inet", CUT_TABLE, name], None)?;
            text.split_whitespace()
                .skip_while(|w| *w != "packets")
                .nth(1)
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("no packet count in nft's listing of {name}: {text}"))
        };
        Ok((count("dropped_in")?, count("dropped_out")?))
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        // The tables live in the namespaces and would go with them; they
        // are deleted first all the same, so that nothing filters while
        // the rest is taken down.
        for h in 0..self.names.len() {
            let _ = self.nft(h, &["delete", "table", "inet", CUT_TABLE], None);
        }
        for v in &self.veths {
            let _ = sh(&["ip", "link", "del", v]);
        }
        for n in &self.names {
            let _ = sh(&["ip", "netns", "del", n]);
        }
        let _ = sh(&["ip", "link", "del", &self.bridge]);
    }
}

/// Why the namespace tests cannot run here, if they cannot.
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

/// Why nftables cannot be used here, if it cannot.
fn no_nft() -> Option<String> {
    match Command::new("nft").arg("--version").output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "nft --version failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!(
            "no nft command (Debian: apt-get install nftables): {e}"
        )),
    }
}

/// True if the test cannot run here and may skip; under `CI=true` (root,
/// iproute2 and nftables installed) it fails instead: there a skip would
/// hide a test that never ran.
fn skip(why: Option<String>) -> bool {
    let Some(why) = why else {
        return false;
    };
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the namespace test cannot run under CI=true: {why}"
    );
    eprintln!("skipped: {why}");
    true
}

/// abd-register's actors: three clients (0..3), then three servers; the
/// clients share host 0, the servers have one host each.
fn abd_host_of(i: usize) -> usize {
    i.saturating_sub(2)
}

/// abd-register's default configuration with its nodes on `ns`'s hosts
/// ([`abd_host_of`]), run for at most `duration`.
fn abd_in_namespaces(ns: &Namespaces, duration: Duration) -> (models::Params, models::RunOptions) {
    let protocol = models::protocol("abd-register").unwrap();
    let params = protocol.default_params();
    let hosts: Vec<models::processes::Host> = (0..6)
        .map(|i: usize| {
            let host = abd_host_of(i);
            models::processes::Host {
                addr: SocketAddrV4::new(Namespaces::addr(host), 7000 + i as u16),
                prefix: ns.prefix(host),
            }
        })
        .collect();
    let opts = models::RunOptions {
        duration,
        processes: Some(models::processes::ProcessOptions {
            exe: env!("CARGO_BIN_EXE_dsw").into(),
            model: "abd-register".into(),
            variant: models::CORRECT.into(),
            params: params.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            hosts: Some(hosts),
        }),
        ..models::RunOptions::default()
    };
    (params, opts)
}

/// Every property held and the record replayed through the model.
fn assert_holds(report: &models::RunReport) {
    assert!(report.sent > 0 && report.received > 0);
    for (name, ok) in &report.checks {
        assert!(ok, "{name} failed: {:?}", report.evidence);
    }
    assert!(report.validation.valid() && report.validation.steps > 0);
}

/// abd-register's nodes on four hosts: four network namespaces, each with
/// a veth pair to a bridge and an address in 10.77.0.0/24 (the servers one
/// each, the clients sharing the first), every node a `dsw node` inside
/// its namespace. The run is checked as any other: properties and trace
/// validation. Everything is removed at the end.
#[test]
fn nodes_in_network_namespaces_run_the_protocol() {
    if skip(no_namespaces()) {
        return;
    }
    let ns = Namespaces::new(4).unwrap_or_else(|e| panic!("namespace setup: {e}"));
    let (params, opts) = abd_in_namespaces(&ns, Duration::from_secs(20));
    let protocol = models::protocol("abd-register").unwrap();
    let report = models::run(protocol, models::CORRECT, &params, &opts)
        .unwrap_or_else(|e| panic!("the run in namespaces: {e}"));
    assert_holds(&report);
    // The nodes talked across namespaces: every host received something.
    let receivers: BTreeSet<usize> = report
        .trace
        .iter()
        .filter(|e| e.kind == TraceKind::Delivered)
        .map(|e| abd_host_of(e.node))
        .collect();
    assert_eq!(receivers.len(), 4, "every host received something");
    let names = ns.names.clone();
    drop(ns);
    let left = sh(&["ip", "netns", "list"]).unwrap();
    assert!(
        names.iter().all(|n| !left.contains(n.as_str())),
        "namespaces left behind: {left}"
    );
}

/// For each sender, its datagrams to `to` in the order it sent them: how
/// many of the first were never delivered (the ones a cut dropped, before
/// its first that arrived), and how many arrived.
fn cut_then_delivered(trace: &[TraceEvent], to: usize) -> (usize, usize) {
    let delivered: BTreeSet<(usize, u64)> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Delivered && e.node == to)
        .filter_map(|e| Some((e.peer?, e.sent_lamport?)))
        .collect();
    let mut by_sender: BTreeMap<usize, Vec<bool>> = BTreeMap::new();
    for e in trace {
        if e.kind == TraceKind::Sent && e.peer == Some(to) {
            by_sender
                .entry(e.node)
                .or_default()
                .push(delivered.contains(&(e.node, e.lamport)));
        }
    }
    let mut cut = 0;
    for arrived in by_sender.values() {
        cut += arrived.iter().take_while(|a| !**a).count();
    }
    (cut, delivered.len())
}

/// A partition the kernel makes, which the nodes know nothing of: with
/// abd-register's nodes in namespaces (as above), nftables tables inside
/// the servers' namespaces drop their datagrams. The run starts with
/// server 3 isolated (both ways) and server 2 cut one way (it hears the
/// clients, they never hear it: Jepsen's one-way partition), so no
/// majority of servers answers and the clients retransmit (every 20 to 40
/// ms) while the workload waits. Once the kernel has dropped [`WINDOW`]
/// datagrams bound for server 3, server 3's cut heals (the window closes
/// on that count, not on a clock, so a slow machine only makes it
/// longer). Servers 1 and 3 then make a majority and the workload
/// finishes while server 2 stays unheard: a minority cut off, which ABD
/// tolerates. Every property holds, trace validation replays the run, and
/// the trace shows the cuts as the kernel counted them: each sender's
/// first datagrams to server 3 were never delivered, exactly as many as
/// nftables dropped, and the later ones were; server 2 received, but
/// nothing it sent was ever delivered, and nftables dropped each.
#[test]
fn a_partition_made_by_nftables_in_the_namespaces() {
    /// Datagrams bound for server 3 the kernel drops before the heal.
    const WINDOW: u64 = 10;
    // Node indices (clients 0..3, servers 3..6) and their hosts.
    let (server2, server3) = (4, 5);
    let (host2, host3) = (abd_host_of(server2), abd_host_of(server3));
    if skip(no_namespaces().or_else(no_nft)) {
        return;
    }
    let ns = Namespaces::new(4).unwrap_or_else(|e| panic!("namespace setup: {e}"));
    for (h, both_ways) in [(host2, false), (host3, true)] {
        ns.cut(h, both_ways)
            .unwrap_or_else(|e| panic!("cutting host {h} off with nft: {e}"));
    }
    // The run ends when the workload does, which cannot be before the
    // heal; the bound is for a heal that never comes.
    let (params, opts) = abd_in_namespaces(&ns, Duration::from_secs(60));
    let protocol = models::protocol("abd-register").unwrap();
    let (result, before_heal) = std::thread::scope(|s| {
        let run = s.spawn(|| models::run(protocol, models::CORRECT, &params, &opts));
        let mut seen = 0;
        while seen < WINDOW && !run.is_finished() {
            std::thread::sleep(Duration::from_millis(5));
            seen = ns
                .dropped(host3)
                .unwrap_or_else(|e| panic!("reading host {host3}'s counters: {e}"))
                .0;
        }
        ns.heal(host3)
            .unwrap_or_else(|e| panic!("healing host {host3}: {e}"));
        (run.join().expect("the run's thread"), seen)
    });
    let report = result.unwrap_or_else(|e| panic!("the run in namespaces: {e}"));
    assert!(
        before_heal >= WINDOW,
        "the run ended before the kernel dropped {WINDOW} datagrams bound for server 3 \
         (it dropped {before_heal}): no window of the cut was seen; checks {:?}",
        report.checks
    );
    assert_holds(&report);
    let (in3, out3) = ns.dropped(host3).unwrap();
    let (in2, out2) = ns.dropped(host2).unwrap();
    let delivered_from = |from: usize| {
        report
            .trace
            .iter()
            .filter(|e| e.kind == TraceKind::Delivered && e.peer == Some(from))
            .count()
    };
    // Server 3: cut, then healed. It sent nothing while it heard nothing.
    let (cut3, delivered3) = cut_then_delivered(&report.trace, server3);
    assert!(cut3 as u64 >= WINDOW, "{cut3} datagrams to server 3 cut");
    assert_eq!(
        (cut3 as u64, out3),
        (in3, 0),
        "the datagrams to server 3 the trace shows undelivered before its first delivery, \
         and what nftables dropped (in, out)"
    );
    assert!(delivered3 > 0, "nothing reached server 3 after the heal");
    assert!(
        delivered_from(server3) > 0,
        "no answer of server 3 reached a client after the heal"
    );
    // Server 2: heard the clients the whole run, never heard by them; the
    // kernel dropped every datagram it sent.
    let (_, delivered2) = cut_then_delivered(&report.trace, server2);
    let sent_by2 = report
        .trace
        .iter()
        .filter(|e| e.kind == TraceKind::Sent && e.node == server2)
        .count();
    assert!(delivered2 > 0, "server 2 received nothing: not one-way");
    assert!(
        sent_by2 > 0,
        "server 2 answered nothing: its cut was not seen"
    );
    assert_eq!(
        (delivered_from(server2), sent_by2 as u64, in2),
        (0, out2, 0),
        "server 2's datagrams delivered, sent (and dropped by nftables), and dropped coming in"
    );
    // What the run measured (BENCHMARKS.md; shown with --nocapture).
    eprintln!(
        "nft partition: {:.2} s, {} sent, {} received; server 3: {in3} datagrams dropped by \
         the kernel before the heal (every one undelivered in the trace), {delivered3} \
         delivered after; server 2: {delivered2} received, {out2} sent and dropped",
        report.seconds, report.sent, report.received
    );
    let names = ns.names.clone();
    drop(ns);
    let left = sh(&["ip", "netns", "list"]).unwrap();
    assert!(
        names.iter().all(|n| !left.contains(n.as_str())),
        "namespaces left behind: {left}"
    );
}
