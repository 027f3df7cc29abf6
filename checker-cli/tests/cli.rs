//! The `dsw` contract (DESIGN.md): exit codes, one-line errors naming the
//! valid choices, and the JSON shapes scripts rely on. These tests run the
//! real binary, which is why they live beside it (cargo gives them its path)
//! rather than in the workspace `tests/` crate.

mod common;

use common::{dsw, refused, stderr};
use std::process::Command;

/// The property called `name` in a `check --json` result.
fn property<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no property {name}"))
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    refused(&["check", "pax"], "known: ");
    refused(
        &["check", "two-phase-commit", "--variant", "nope"],
        "commit-on-majority",
    );
    refused(&["check", "two-phase-commit", "-p", "nope=1"], "rms");
    refused(
        &["check", "two-phase-commit", "-p", "rms=99"],
        "out of range",
    );
    refused(&["check", "two-phase-commit", "-p", "rms=x"], "integer");
    // A rule between parameters: every MapReduce worker may not crash.
    refused(
        &["check", "mapreduce", "-p", "crashes=2"],
        "it takes 0 to 1",
    );
    // Raft without a term bound needs the in-flight bound (the term view
    // alone leaves stale messages unbounded).
    refused(
        &["check", "raft", "-p", "max_term=0"],
        "max_in_flight = 0 is out of range with max_term = 0",
    );
    refused(&["check", "two-phase-commit", "--threads", "0"], "threads");
    refused(
        &["check", "two-phase-commit", "--strategy", "sideways"],
        "sideways",
    );
    refused(
        &["check", "--all", "--variant", "commit-on-majority"],
        "--all",
    );
    refused(&["show", "nope"], "unknown model");
    refused(&["frobnicate"], "frobnicate");
    refused(&["run", "two-phase-commit", "--loss", "2"], "loss");
    refused(
        &["run", "paxos", "--nemesis", "partition,chaos"],
        "valid: partition, kill, pause",
    );
    refused(
        &["run", "two-phase-commit", "--nemesis", "kill"],
        "paxos, abd-register, raft, raft-kv",
    );
    refused(
        &["run", "swim", "--nemesis", "pause"],
        "not supported by swim",
    );
    // The crawler's messages are one program's memory accesses: loss is
    // outside its fault model.
    refused(
        &["run", "crawler", "--loss", "0.3"],
        "--loss and --duplicate do not apply to crawler",
    );
    refused(
        &["run", "crawler", "--duplicate", "0.1"],
        "never lost or duplicated",
    );
    refused(&["check", "two-phase-commit", "--fairness", "fair"], "fair");
}

#[test]
fn bad_input_names_what_is_valid() {
    refused(&["check"], "<MODEL>");
    refused(
        &["check", "paxos", "--strategy", "foo"],
        "bfs, dfs, simulation",
    );
    refused(
        &["check", "paxos", "--fairness", "bogus"],
        "none, weak, strong",
    );
    refused(&["chek"], "did you mean 'check'");
    refused(&["check", "pax"], "did you mean \"paxos\"");
    refused(
        &["check", "paxos", "--variant", "ignore-highest"],
        "did you mean \"ignore-highest-accepted\"",
    );
    refused(
        &["check", "paxos", "-p", "server=2"],
        "did you mean \"servers\"",
    );
    refused(
        &["check", "paxos", "--scenario", "duel"],
        "did you mean \"duelling-proposers\"",
    );
    refused(
        &[
            "check",
            "two-phase-commit",
            "--scenario",
            "coordinator-crash",
            "--variant",
            "commit-on-majority",
        ],
        "drop --variant",
    );
}

#[test]
fn v_is_only_the_version() {
    let o = dsw(&["-V"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("dsw "));
    refused(&["check", "paxos", "-V", "ignore-highest-accepted"], "-V");
}

#[test]
fn a_scenario_is_its_arguments() {
    let by_name = dsw(&[
        "check",
        "two-phase-commit",
        "--scenario",
        "coordinator-crash",
        "--json",
    ]);
    let by_hand = dsw(&[
        "check",
        "two-phase-commit",
        "-p",
        "coordinator_crashes=1",
        "--json",
    ]);
    assert_eq!(by_name.status.code(), Some(1));
    let mut a: serde_json::Value = serde_json::from_slice(&by_name.stdout).unwrap();
    // The config names the variant as the CLI does.
    assert_eq!(a["config"]["bug"], "correct", "{a}");
    let mut b: serde_json::Value = serde_json::from_slice(&by_hand.stdout).unwrap();
    a["timing"] = serde_json::Value::Null;
    b["timing"] = serde_json::Value::Null;
    assert_eq!(a, b);
    let show = String::from_utf8_lossy(&dsw(&["show", "alternating-bit"]).stdout).into_owned();
    assert!(
        show.contains("same as: --variant correct --fairness weak"),
        "{show}"
    );
    let list = String::from_utf8_lossy(&dsw(&["list"]).stdout).into_owned();
    assert!(list.contains("scenarios: duelling-proposers, "), "{list}");
}

#[test]
fn check_help_documents_the_exit_codes() {
    let o = dsw(&["check", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    for code in ["0 ", "1 ", "2 ", "3 "] {
        assert!(help.contains(&format!("\n  {code}")), "{help}");
    }
}

/// An incomplete search never says "holds": each property not violated
/// gets its own verdict with the reason, and the exit code is 3.
#[test]
fn an_incomplete_search_proves_nothing() {
    let o = dsw(&[
        "check",
        "paxos",
        "--variant",
        "forget-promise-on-crash",
        "--max-states",
        "5000",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "agreement is broken early: {}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["config"]["bug"], "forget-promise-on-crash", "{v}");
    assert_eq!(v["complete"], false);
    assert!(v["cut_off_by"][0]
        .as_str()
        .unwrap()
        .contains("--max-states 5000"));
    for name in ["validity", "linearizable"] {
        let p = property(&v, name);
        assert_eq!(p["verdict"], "inconclusive", "{p}");
        assert!(p["reason"]
            .as_str()
            .unwrap()
            .contains("not violated in the part explored"));
    }
    assert_eq!(v["valence"]["complete"], false);
    // Nothing violated, something cut off: exit 3, and the text says so.
    let o = dsw(&["check", "abd-register", "--max-states", "500"]);
    assert_eq!(o.status.code(), Some(3));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("INCOMPLETE: --max-states 500 reached"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with(" holds")),
        "no verdict says holds: {text}"
    );
    assert!(
        text.contains("inconclusive: not violated in the part explored"),
        "{text}"
    );
}

/// The model's own bound (TLC's CONSTRAINT) is a cut like any other.
#[test]
fn a_search_cut_by_the_models_bound_is_not_complete() {
    let o = dsw(&["check", "paxos", "--scenario", "one-proposer", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], true, "one proposer stays within the bound");
    let o = dsw(&[
        "check",
        "alternating-bit",
        "--variant",
        "no-sequence-bit",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], false);
    assert!(v["cut_off_by"][0]
        .as_str()
        .unwrap()
        .contains("the model's bound"));
}

/// DFS judges only runs that end: a lasso is invisible to it, so an
/// `eventually` property it did not see violated is inconclusive, and a
/// refinement (no edges kept) is not judged.
#[test]
fn dfs_never_proves_liveness_or_refinement() {
    let o = dsw(&[
        "check",
        "paxos",
        "--scenario",
        "one-proposer",
        "--strategy",
        "dfs",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = property(&v, "eventually chosen");
    assert_eq!(p["verdict"], "inconclusive");
    assert!(p["reason"].as_str().unwrap().contains("lasso"), "{p}");
    let o = dsw(&["check", "two-phase-commit", "--strategy", "dfs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = property(&v, "refines TwoPhase");
    assert_eq!(p["verdict"], "inconclusive");
    assert!(
        p["reason"].as_str().unwrap().starts_with("not judged"),
        "{p}"
    );
    assert!(!p["reason"].as_str().unwrap().contains("bound"), "{p}");
}

/// A reader that goes away does not make dsw panic.
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::process::Stdio;
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dsw"))
            .args(["check", "two-phase-commit", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dsw runs");
        // Hang up before it writes (it checks first).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(out.status.code(), Some(0), "{err}");
    }
    // Before the fix, println! panicked with "failed printing to stdout:
    // Broken pipe" and exit 101.
}

/// Held by the tests that read the explorer's address in what `dsw check`
/// prints, since one of them takes the first default port meanwhile.
static DEFAULT_PORT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The explorer link `dsw check` printed for `property`, split into its
/// address and the rest, and the command it says serves it.
fn printed_link(out: &str, property: &str) -> (String, String, String) {
    let mut lines = out
        .lines()
        .skip_while(|l| !l.starts_with(&format!("counterexample for \"{property}\"")));
    let link = lines
        .find_map(|l| l.trim().strip_prefix("explorer: http://"))
        .unwrap_or_else(|| panic!("no link for {property}: {out}"));
    let (addr, rest) = link.split_once('/').expect("an address, then a path");
    let served_by = lines
        .next()
        .and_then(|l| l.trim().strip_prefix("(served by: "))
        .and_then(|l| l.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no command under the link: {out}"));
    (addr.to_string(), format!("/{rest}"), served_by.to_string())
}

#[test]
fn check_exits_0_when_all_hold_and_1_on_a_violation() {
    let _port = DEFAULT_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let ok = dsw(&["check", "two-phase-commit"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bug = dsw(&[
        "check",
        "two-phase-commit",
        "--variant",
        "commit-on-majority",
    ]);
    assert_eq!(bug.status.code(), Some(1));
    let out = String::from_utf8_lossy(&bug.stdout);
    assert!(out.contains("counterexample for \"agreement\""), "{out}");
    // The link opens the explorer (at its default address) on this very
    // path, and names the property; the command that serves it follows.
    let ce = serde_json::from_slice::<serde_json::Value>(
        &dsw(&[
            "check",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--json",
        ])
        .stdout,
    )
    .expect("JSON");
    let path = property(&ce, "agreement")["counterexample"]["path"]
        .as_str()
        .expect("a path")
        .to_string();
    // The address is the default one unless something on this machine
    // holds it; then the first free port after it, which the command binds.
    let addr = presentation::explorer::default_addr();
    let link = format!("http://{addr}/path/{path}?property=agreement");
    assert!(
        out.contains(&format!("explorer: {link}\n")),
        "no link {link}: {out}"
    );
    let command = "dsw explore two-phase-commit --variant commit-on-majority";
    let served_by = if addr == presentation::explorer::DEFAULT_ADDR {
        format!("(served by: {command})")
    } else {
        format!("(served by: {command} --bind {addr})")
    };
    assert!(out.contains(&served_by), "{out}");
}

/// A child process of this test, killed when the test ends however it ends.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `dsw explore` with `args`, and the address it says it serves on.
fn start_explore(args: &[&str]) -> (Killed, String) {
    let (child, addr, _, _) = start_explore_lines(args);
    (child, addr)
}

/// The same, with its first line and the lines it prints after it.
fn start_explore_lines(
    args: &[&str],
) -> (Killed, String, String, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dsw"))
        .arg("explore")
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dsw explore starts");
    let stderr = child.stderr.take().expect("stderr");
    let child = Killed(child);
    // It listens before it prints the address, so the line means ready.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("dsw explore says where it serves");
    let addr = line
        .split("on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr, line, rx)
}

/// The status line and body of `GET target` from `addr`.
fn http_get(addr: &str, target: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("the explorer accepts");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("a response");
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.lines().next().unwrap_or_default().to_string();
    (status, body.to_string())
}

/// A printed link names the port the explorer really serves on: with the
/// first default port taken (as by the explorer of an earlier check), the
/// link names the next free one, its command binds that one, and
/// `dsw explore` serves the counterexample there. Before, the link named
/// 3000 whoever held it, and `dsw explore` refused to start.
#[test]
fn a_printed_link_names_the_port_the_explorer_serves_on() {
    let _port = DEFAULT_PORT.lock().unwrap_or_else(|e| e.into_inner());
    let first = presentation::explorer::default_addr();
    let _taken = std::net::TcpListener::bind(&first).expect("the first free default port");
    let bug = ["two-phase-commit", "--variant", "commit-on-majority"];
    let o = dsw(&[&["check"][..], &bug].concat());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let (addr, target, served_by) = printed_link(&out, "agreement");
    assert_ne!(addr, first, "the link names a taken port: {out}");
    assert!(
        served_by.ends_with(&format!(" --bind {addr}")),
        "the command does not bind {addr}: {served_by}"
    );

    // Without --bind, as a user who leaves it off runs it.
    let (explorer, served) = start_explore(&bug);
    assert_eq!(served, addr, "the link and the explorer disagree");
    let (status, page) = http_get(&served, &target);
    assert!(status.contains(" 200 "), "{target}: {status}");
    assert!(page.contains("agreement"), "{page}");
    drop(explorer);

    // The printed command itself serves there too.
    let args: Vec<&str> = served_by
        .strip_prefix("dsw explore ")
        .expect("a dsw explore command")
        .split_whitespace()
        .collect();
    let (_explorer, served) = start_explore(&args);
    assert_eq!(served, addr);
    let (status, _) = http_get(&served, &target);
    assert!(status.contains(" 200 "), "{target}: {status}");
}

#[test]
fn check_json_has_the_documented_fields() {
    let o = dsw(&[
        "check",
        "two-phase-commit",
        "--variant",
        "commit-on-majority",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert_eq!(v["model"], "two-phase-commit");
    assert_eq!(v["variant"], "commit-on-majority");
    assert!(v["unique_states"].as_u64().unwrap() > 0);
    assert!(v["max_depth"].as_u64().unwrap() > 0);
    let props = v["properties"].as_array().unwrap();
    let agreement = props.iter().find(|p| p["name"] == "agreement").unwrap();
    assert_eq!(agreement["kind"], "always");
    assert_eq!(agreement["verdict"], "violated");
    assert!(!agreement["counterexample"]["steps"]
        .as_array()
        .unwrap()
        .is_empty());
    let committed = props.iter().find(|p| p["name"] == "all committed").unwrap();
    assert_eq!(committed["verdict"], "example-found");
}

#[test]
fn list_json_names_models_and_variants() {
    let o = dsw(&["list", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tpc = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "two-phase-commit")
        .expect("listed");
    assert!(tpc["variants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "commit-on-majority"));
}

#[test]
fn coordinator_crash_blocks_as_a_deadlock() {
    let o = dsw(&[
        "check",
        "two-phase-commit",
        "-p",
        "coordinator_crashes=1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = property(&v, "termination");
    assert_eq!(t["verdict"], "violated");
    assert_eq!(t["counterexample"]["kind"], "deadlock");
    assert_eq!(t["counterexample_kind"], "deadlock");
}

#[test]
fn explore_refuses_a_taken_port_in_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    refused(&["explore", "paxos", "--bind", &addr], "cannot listen");
    refused(&["explore", "paxos", "--bind", "nonsense"], "cannot listen");
}

/// The other specs of tlaplus/Examples check like models too, at their MC
/// configurations (manifest.json, commit 32a32c7): EWD840.cfg 302 distinct,
/// 2,001 generated (TLC's depth 10 is a multi-worker overshoot: 9, so 8
/// steps), with its refinement of SyncTerminationDetection; a state
/// constraint (MCLamportMutex's ClockConstraint, here with maxClock = 2)
/// makes every verdict it cut inconclusive, exit 3, never "holds".
#[test]
fn more_specs_check_like_models() {
    let o = dsw(&["check", "spec:ewd840", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&v["unique_states"], &v["states"], &v["max_depth"]),
        (&302.into(), &2001.into(), &8.into())
    );
    assert_eq!(
        property(&v, "refines SyncTerminationDetection")["verdict"],
        "holds"
    );

    for (spec, unique, states, depth) in [
        ("spec:sync-termination-detection", 129, 3722, 0),
        ("spec:chang-roberts", 137, 227, 9),
        ("spec:bcast-byz", 14424, 227344, 6),
        ("spec:bcast-byz-no-bcast", 45, 90, 0),
    ] {
        let o = dsw(&["check", spec, "--json"]);
        assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (&v["unique_states"], &v["states"], &v["max_depth"]),
            (&unique.into(), &states.into(), &depth.into()),
            "{spec}"
        );
    }

    let o = dsw(&["check", "spec:lamport-mutex", "-p", "max_clock=2", "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["cut_off_by"][0]
            .as_str()
            .unwrap()
            .contains("ClockConstraint"),
        "{v}"
    );
    for name in [
        "TypeOK",
        "BoundedNetwork",
        "Mutex",
        "refines MutualExclusion",
    ] {
        assert_eq!(property(&v, name)["verdict"], "inconclusive", "{name}");
    }

    refused(&["check", "spec:bcast-byz", "-p", "t=0"], "ASSUME NTF");
}

#[test]
fn report_refuses_an_unwritable_out_before_checking() {
    // A directory cannot be made under a plain file; the catalog's progress
    // lines on stderr would break the one-line rule if it ran first.
    let file = std::env::temp_dir().join(format!("dsw-report-file-{}", std::process::id()));
    std::fs::write(&file, b"").expect("a temporary file");
    let out = file.join("reports");
    refused(&["report", "--out", out.to_str().unwrap()], "--out");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn help_exits_0() {
    let o = dsw(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("check"));
}

#[test]
fn a_run_cut_by_the_bound_is_inconclusive_not_a_violation() {
    let o = dsw(&["check", "two-phase-commit", "--max-depth", "3", "--json"]);
    assert_eq!(o.status.code(), Some(3), "bounded must not exit 1, nor 0");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], false);
    assert_eq!(v["max_depth"], 3);
    let t = property(&v, "termination");
    assert_eq!(t["verdict"], "inconclusive");
    assert_eq!(t["counterexample"]["kind"], "bounded");

    // A bound past the deepest state cuts nothing off.
    let o = dsw(&["check", "two-phase-commit", "--max-depth", "10", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["complete"], true);
}

/// A check that reaches its memory bound stops by itself, inside a level,
/// and says so in one line; nothing it did not finish is said to hold.
#[test]
fn a_check_stops_at_its_memory_bound() {
    let o = dsw(&["check", "paxos", "--max-memory", "1"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        text.contains("INCOMPLETE: --max-memory 1 MiB reached"),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with(" holds")),
        "{text}"
    );
    let o = dsw(&["check", "paxos", "--max-memory", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `dsw check spec:NAME` checks Lamport's TLA+ specs like models, with the
/// counts TLC records in tlaplus/Examples' manifest.json (commit 32a32c7):
/// `Paxos/MCVoting.cfg` (ballots 0..1, `SYMMETRY`) 77 distinct states, 451
/// generated, depth 11, and `Paxos/MCPaxos.cfg` (one acceptor, one value)
/// 25, 82, depth 9. TLC's depth counts the initial state as 1, the
/// workbench's counts steps, hence one less.
#[test]
fn specs_check_like_models_with_tlc_counts() {
    for (args, unique, states, depth) in [
        (&["-p", "max_ballot=1", "-p", "symmetry=1"][..], 77, 451, 10),
        (&["-p", "max_ballot=1"][..], 599, 3124, 10),
    ] {
        let o = dsw(&[&["check", "spec:voting", "--json"], args].concat());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["unique_states"], unique, "{args:?}");
        assert_eq!(v["states"], states, "{args:?}");
        assert_eq!(v["max_depth"], depth, "{args:?}");
        for (name, verdict) in [
            ("Inv", "holds"),
            ("C!Inv", "holds"),
            ("chosen # {}", "example-found"),
            ("refines Consensus", "holds"),
        ] {
            assert_eq!(property(&v, name)["verdict"], verdict, "{args:?} {name}");
        }
    }

    let o = dsw(&[
        "check",
        "spec:paxos",
        "-p",
        "acceptors=1",
        "-p",
        "values=1",
        "-p",
        "symmetry=1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&v["unique_states"], &v["states"], &v["max_depth"]),
        (&25.into(), &82.into(), &8.into())
    );
    assert_eq!(property(&v, "refines Voting")["verdict"], "holds");
    assert_eq!(property(&v, "refines Consensus")["verdict"], "holds");

    let list = String::from_utf8_lossy(&dsw(&["list"]).stdout).into_owned();
    assert!(
        list.contains("\nspecs ") && list.contains("spec:paxos"),
        "{list}"
    );
    refused(&["check", "spec:vote"], "did you mean \"spec:voting\"");
    refused(&["check", "spec:voting", "-p", "max_ballot=9"], "0 to 2");
}

/// A fixture history of `tests/histories/`.
fn history_file(name: &str) -> String {
    format!("{}/tests/histories/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn history_exit_0_when_linearizable() {
    let o = dsw(&[
        "history",
        &history_file("register-ok.jsonl"),
        "--model",
        "register",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert_eq!(
        out.trim(),
        "linearizable: 5 operations (3 ok, 1 unknown: info or never completed; 1 failed, left out) on one register"
    );
}

#[test]
fn history_exit_1_names_where_it_first_fails() {
    let o = dsw(&[
        "history",
        &history_file("register-bad.jsonl"),
        "--model",
        "register",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.starts_with("not linearizable: "), "{out}");
    // The stale read: it returned 1 after write 2 had completed.
    assert!(out.contains("before line 8 gives"), "{out}");
    assert!(out.contains("  lines 7-8: process 0 read -> 1\n"), "{out}");
    assert!(out.contains("no operation is concurrent with it"), "{out}");

    // kv: key "a" is fine, key "b" read "zy" though "y" was appended first.
    let o = dsw(&["history", &history_file("kv-bad.jsonl"), "--model", "kv"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("on 2 keys"), "{out}");
    assert!(
        out.contains("key \"b\": no order of the 3 operations invoked before line 10"),
        "{out}"
    );
    assert!(
        out.contains("  lines 8-10: process 0 key \"b\" read -> \"zy\"\n"),
        "{out}"
    );
    assert!(
        out.contains("  lines 7-9: process 1 key \"b\" append \"z\"\n"),
        "{out}"
    );
}

#[test]
fn history_exit_2_on_bad_input() {
    refused(
        &[
            "history",
            &history_file("bad-type.jsonl"),
            "--model",
            "register",
        ],
        "bad-type.jsonl line 3: `type` must be one of invoke, ok, fail, info",
    );
    refused(
        &[
            "history",
            &history_file("kv-bad.jsonl"),
            "--model",
            "register",
        ],
        "line 1: a `key` in a register history; use --model kv",
    );
    refused(
        &["history", "no-such-file.jsonl", "--model", "kv"],
        "cannot read no-such-file.jsonl",
    );
    refused(
        &[
            "history",
            &history_file("register-ok.jsonl"),
            "--model",
            "x",
        ],
        "register, kv",
    );
    refused(&["history", &history_file("register-ok.jsonl")], "--model");
}

/// `docs/schema/check.schema.json` describes what `check --json` prints:
/// real output of every shape (a deadlock and valence, a lasso and a
/// bivalent run, a cut-off search with reasons, symmetry) validates
/// against it, and a field the schema does not know fails.
#[test]
fn check_json_follows_its_schema() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/schema/check.schema.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let runs: [&[&str]; 7] = [
        &[
            "check",
            "two-phase-commit",
            "--scenario",
            "coordinator-crash",
        ],
        // A safety violation, with its counterexample.
        &[
            "check",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
        ],
        // A lasso: under weak fairness a message may be dropped forever.
        &["check", "alternating-bit", "--scenario", "weak-fairness"],
        &["check", "flp"],
        // A leads-to property violated, with its counterexample.
        &["check", "flp", "--variant", "no-relay"],
        &[
            "check",
            "paxos",
            "--variant",
            "forget-promise-on-crash",
            "--max-states",
            "5000",
        ],
        &[
            "check",
            "two-phase-commit",
            "--symmetry",
            "on",
            "--threads",
            "2",
        ],
    ];
    // The counterexample kinds the validated outputs hold, so that the
    // shapes that matter most are known to have been seen.
    let mut kinds = std::collections::BTreeSet::new();
    for args in runs {
        let o = dsw(&[args, &["--json"]].concat());
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let mut errors = Vec::new();
        schema::validate(&schema, &schema, &v, "", &mut errors);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        for p in v["properties"].as_array().unwrap() {
            let ce = &p["counterexample"];
            if let Some(kind) = ce["kind"].as_str() {
                kinds.insert(kind.to_string());
                assert_eq!(ce["loop_start"].is_u64(), kind == "lasso", "{args:?}: {ce}");
            }
        }
        if args.contains(&"flp") {
            let leads_to = v["properties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["kind"] == "leads-to")
                .expect("flp declares a leads-to property");
            assert_eq!(leads_to["name"], "every correct process decides");
            let violated = args.contains(&"no-relay");
            assert_eq!(
                leads_to["verdict"],
                if violated { "violated" } else { "holds" },
                "{args:?}"
            );
            assert_eq!(leads_to["counterexample"].is_object(), violated);
        }
    }
    for kind in ["violation", "lasso"] {
        assert!(kinds.contains(kind), "no {kind} validated: {kinds:?}");
    }
    // The schema is strict: an unknown field is an error.
    let mut v: serde_json::Value =
        serde_json::from_slice(&dsw(&["check", "two-phase-commit", "--json"]).stdout).unwrap();
    v["properties"][0]["surprise"] = true.into();
    let mut errors = Vec::new();
    schema::validate(&schema, &schema, &v, "", &mut errors);
    assert_eq!(errors, ["/properties/0: unknown field surprise"]);
}

/// `docs/schema/compare.schema.json` describes what `compare --json`
/// prints: real output where the runs part (paxos) and where the schedule
/// stops on the correct protocol validates against it, agrees with the
/// text, and shares check's counterexample and step definitions.
#[test]
fn compare_json_follows_its_schema() {
    let read = |name: &str| -> serde_json::Value {
        let path = format!("{}/../docs/schema/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let schema = read("compare.schema.json");
    let check = read("check.schema.json");
    for def in ["counterexample", "counterexample_kind", "step"] {
        assert_eq!(schema["$defs"][def], check["$defs"][def], "{def}");
    }
    let runs: [&[&str]; 3] = [
        &["compare", "paxos", "--variant", "ignore-highest-accepted"],
        &["compare", "lamport-mutex", "--variant", "non-fifo-network"],
        &[
            "compare",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
        ],
    ];
    let mut stopped = 0;
    for args in runs {
        let o = dsw(&[args, &["--json"]].concat());
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        let mut errors = Vec::new();
        schema::validate(&schema, &schema, &v, "", &mut errors);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        let pairs = v["pairs"].as_array().unwrap();
        let correct = v["correct"]["steps"].as_array().unwrap();
        let buggy = v["buggy"]["steps"].as_array().unwrap();
        assert_eq!(pairs.len(), correct.len(), "{args:?}");
        for (i, pair) in pairs.iter().enumerate() {
            assert_eq!(pair["step"], i + 1);
        }
        match v["stopped"]["at"].as_u64() {
            Some(at) => {
                stopped += 1;
                assert_eq!(correct.len() as u64, at - 1, "{args:?}");
            }
            None => assert_eq!(correct.len(), buggy.len(), "{args:?}"),
        }
        // The text says the same first difference, and the pair there is
        // not the same on both runs.
        let text = String::from_utf8(dsw(args).stdout).unwrap();
        if let Some(d) = v["first_difference"].as_u64().filter(|d| *d > 0) {
            assert!(
                text.contains(&format!("first difference: step {d}\n")),
                "{text}"
            );
            assert_eq!(pairs[d as usize - 1]["same"], false, "{args:?}");
            assert!(pairs[..d as usize - 1]
                .iter()
                .all(|p| p["matched"] == "value"));
        }
        assert!(text.contains(v["correct_says"].as_str().unwrap()), "{text}");
    }
    assert!(
        stopped >= 1,
        "lamport-mutex's stops where the schedule cannot be followed"
    );
    // The schema is strict: an unknown field is an error.
    let o = dsw(&[
        "compare",
        "paxos",
        "--variant",
        "ignore-highest-accepted",
        "--json",
    ]);
    let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["pairs"][0]["surprise"] = true.into();
    let mut errors = Vec::new();
    schema::validate(&schema, &schema, &v, "", &mut errors);
    assert_eq!(errors, ["/pairs/0: unknown field surprise"]);
}

/// The part of JSON Schema (2020-12) the schema uses, and nothing else: a
/// keyword outside it fails the test rather than going unchecked.
mod schema {
    use serde_json::Value;

    pub fn validate(root: &Value, s: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let s = s.as_object().expect("a schema is an object");
        for (keyword, arg) in s {
            match keyword.as_str() {
                "$schema" | "$id" | "title" | "description" | "$defs" => {}
                "$ref" => {
                    let name = arg.as_str().unwrap().strip_prefix("#/$defs/").unwrap();
                    validate(root, &root["$defs"][name], v, at, errors);
                }
                "type" => {
                    let ok = match arg.as_str().unwrap() {
                        "object" => v.is_object(),
                        "array" => v.is_array(),
                        "string" => v.is_string(),
                        "boolean" => v.is_boolean(),
                        "integer" => v.is_u64() || v.is_i64(),
                        "number" => v.is_number(),
                        t => panic!("type {t}"),
                    };
                    if !ok {
                        errors.push(format!("{at}: not a {arg}: {v}"));
                    }
                }
                "enum" => {
                    if !arg.as_array().unwrap().contains(v) {
                        errors.push(format!("{at}: {v} not in {arg}"));
                    }
                }
                "minimum" => {
                    if v.as_f64().is_some_and(|x| x < arg.as_f64().unwrap()) {
                        errors.push(format!("{at}: {v} below {arg}"));
                    }
                }
                "required" => {
                    for name in arg.as_array().unwrap() {
                        if v.get(name.as_str().unwrap()).is_none() {
                            errors.push(format!("{at}: missing {name}"));
                        }
                    }
                }
                "properties" => {
                    let Some(obj) = v.as_object() else { continue };
                    for (name, value) in obj {
                        match arg.get(name) {
                            Some(sub) => {
                                validate(root, sub, value, &format!("{at}/{name}"), errors)
                            }
                            None if s.get("additionalProperties") == Some(&false.into()) => {
                                errors.push(format!("{at}: unknown field {name}"))
                            }
                            None => {}
                        }
                    }
                }
                "additionalProperties" => assert_eq!(arg, &Value::Bool(false)),
                "items" => {
                    for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                        validate(root, arg, item, &format!("{at}/{i}"), errors);
                    }
                }
                other => panic!("the schema uses {other}, which this check does not implement"),
            }
        }
    }
}

#[test]
fn itf_refuses_a_file_or_an_unwritable_dir_before_checking() {
    // The catalog's progress lines on stderr would break the one-line rule
    // if --all ran first.
    let file = std::env::temp_dir().join(format!("dsw-itf-file-{}", std::process::id()));
    std::fs::write(&file, b"").expect("a temporary file");
    let f = file.to_str().unwrap();
    refused(&["check", "alternating-bit", "--itf", f], "not a directory");
    refused(&["check", "--all", "--itf", f], "not a directory");
    let under = file.join("traces");
    refused(
        &["check", "--all", "--itf", under.to_str().unwrap()],
        "cannot write",
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn itf_writes_one_trace_per_printed_counterexample() {
    let dir = std::env::temp_dir().join(format!("dsw-itf-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = dsw(&[
        "check",
        "alternating-bit",
        "--variant",
        "take-any-ack",
        "--json",
        "--itf",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // stdout stays the JSON summary; the files are said on stderr.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(stderr(&o).contains("ITF trace"), "{}", stderr(&o));
    let violated: Vec<&str> = v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["verdict"] == "violated")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(!violated.is_empty());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("the directory was made")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut expected: Vec<String> = violated
        .iter()
        .map(|p| {
            format!(
                "alternating-bit-take-any-ack-{}.itf.json",
                p.replace(' ', "_")
            )
        })
        .collect();
    expected.sort();
    assert_eq!(files, expected);
    for f in &files {
        let trace: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap();
        assert_eq!(trace["#meta"]["model"], "alternating-bit");
        assert_eq!(trace["#meta"]["variant"], "take-any-ack");
        assert!(trace["states"].as_array().is_some_and(|s| !s.is_empty()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `check --replay`: a file `--itf` wrote is followed to its end (exit 0),
/// each step printed; a copy with a state changed diverges (exit 1) at
/// that step; a file that is no such trace, or a model named besides it,
/// is bad input (exit 2, one line, what is valid).
#[test]
fn replay_exit_codes() {
    let dir = std::env::temp_dir().join(format!("dsw-replay-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o = dsw(&[
        "check",
        "two-phase-commit",
        "--variant",
        "commit-on-majority",
        "--itf",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let file = dir.join("two-phase-commit-commit-on-majority-agreement.itf.json");
    let f = file.to_str().unwrap();

    let o = dsw(&["check", "--replay", f]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("  state 0: initial state"), "{out}");
    assert!(out.contains("    6. "), "{out}");
    assert!(
        out.contains("followed all 6 steps: \"agreement\" is violated at step 6"),
        "{out}"
    );

    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    doc["states"][3]["actor_states"][3]["value"]["voted_yes"] = serde_json::Value::Bool(true);
    let tampered = dir.join("tampered.itf.json");
    std::fs::write(&tampered, doc.to_string()).unwrap();
    let o = dsw(&["check", "--replay", tampered.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("DIVERGES at step 3 (state 3)"), "{out}");
    assert!(
        out.contains("actor_states[3] (RM3).voted_yes: the file true, the model false"),
        "{out}"
    );

    refused(
        &["check", "--replay", "/nonexistent.itf.json"],
        "cannot read",
    );
    std::fs::write(&tampered, "{\"vars\": []}").unwrap();
    refused(
        &["check", "--replay", tampered.to_str().unwrap()],
        "written by dsw check --itf",
    );
    refused(&["check", "paxos", "--replay", f], "cannot be used with");
    refused(
        &["check", "--replay", f, "--variant", "correct"],
        "cannot be used with",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `dsw run --trace F` writes every recorded event as a JSON line whose
/// Lamport time respects causality (each delivery is later than its send,
/// which the file holds before it), and `dsw trace F --out S` draws it: a
/// lane per node, a message arrow per delivery.
#[test]
fn a_recorded_trace_respects_causality_and_is_drawn() {
    let dir = std::env::temp_dir().join(format!("dsw-trace-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.jsonl");
    let svg = dir.join("run.svg");
    let f = file.to_str().unwrap();
    let o = dsw(&["run", "two-phase-commit", "--trace", f, "--duration", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("threads' scheduling"), "{}", stderr(&o));

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let mut names = std::collections::BTreeMap::new();
    let mut sends = std::collections::HashMap::new();
    let mut deliveries = 0;
    for (i, e) in lines.iter().enumerate() {
        for field in ["node", "name", "lamport", "micros", "kind"] {
            assert!(!e[field].is_null(), "line {}: no {field}: {e}", i + 1);
        }
        let node = e["node"].as_u64().unwrap();
        names.insert(node, e["name"].as_str().unwrap().to_string());
        let lamport = e["lamport"].as_u64().unwrap();
        match e["kind"].as_str().unwrap() {
            "sent" => {
                assert!(
                    !e["msg"].is_null(),
                    "line {}: a send without its message",
                    i + 1
                );
                sends.insert((node, lamport), e["msg"].clone());
            }
            "delivered" => {
                deliveries += 1;
                let from = e["peer"].as_u64().unwrap();
                let sent = e["sent_lamport"].as_u64().unwrap();
                let msg = sends
                    .get(&(from, sent))
                    .unwrap_or_else(|| panic!("line {}: its send is not before it", i + 1));
                assert_eq!(msg, &e["msg"], "line {}: another message", i + 1);
                assert!(
                    lamport > sent,
                    "line {}: delivered at {lamport}, sent at {sent}",
                    i + 1
                );
            }
            _ => {}
        }
    }
    assert!(deliveries > 0, "two-phase commit delivers messages");

    let o = dsw(&["trace", f, "--out", svg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("consistent with causality"), "{out}");
    let drawing = std::fs::read_to_string(&svg).unwrap();
    for name in names.values() {
        assert!(drawing.contains(&format!(">{name}<")), "no lane {name}");
    }
    assert!(
        drawing.contains("stroke=\"#1f2328\" stroke-width=\"1.5\"/>"),
        "no message arrow"
    );

    // A bad line: its number, exit 2.
    std::fs::write(
        &file,
        format!("{}\n{{\"node\":1}}\n", text.lines().next().unwrap()),
    )
    .unwrap();
    refused(&["trace", f], "line 2, column ");
    refused(
        &["trace", f, "--out", svg.to_str().unwrap()],
        "line 2, column ",
    );
    std::fs::write(&file, "").unwrap();
    refused(&["trace", f], "no events");
    refused(
        &["trace", dir.join("missing").to_str().unwrap()],
        "cannot read",
    );
    refused(
        &["run", "two-phase-commit", "--seeds", "2", "--trace", f],
        "--trace",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn compare_refuses_bad_input_naming_what_is_valid() {
    refused(&["compare", "pax", "--variant", "x"], "known: ");
    refused(
        &["compare", "two-phase-commit", "--variant", "nope"],
        "commit-on-majority",
    );
    // The correct variant is what a bug variant is compared with.
    refused(
        &["compare", "two-phase-commit", "--variant", "correct"],
        "pick a bug variant of two-phase-commit: commit-on-majority, prepared-rm-aborts",
    );
    refused(&["compare", "two-phase-commit"], "pick a bug variant");
    refused(
        &[
            "compare",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--property",
            "agrement",
        ],
        "known: agreement",
    );
    // A property the variant does not violate: the ones it does.
    refused(
        &[
            "compare",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--property",
            "all aborted",
        ],
        "it violates: agreement",
    );
}

#[test]
fn compare_marks_the_first_difference_and_draws_both_runs() {
    let dir = std::env::temp_dir().join(format!("dsw-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("c.svg");
    let o = dsw(&[
        "compare",
        "two-phase-commit",
        "--variant",
        "commit-on-majority",
        "--out",
        svg.to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("counterexample to \"agreement\""), "{out}");
    assert!(out.contains("first difference: step "), "{out}");
    assert!(out.contains("correct: \"agreement\" holds"), "{out}");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert_eq!(drawn.matches("<svg ").count(), 3, "{drawn}");
    assert!(drawn.contains("first difference: step "));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `dsw replay`: bad input is one line naming what is valid, exit 2.
#[test]
fn replay_refuses_bad_input_naming_what_is_valid() {
    refused(&["replay", "pax", "--variant", "x"], "known: ");
    refused(
        &["replay", "two-phase-commit", "--variant", "nope"],
        "known: correct, commit-on-majority, prepared-rm-aborts",
    );
    refused(
        &["replay", "two-phase-commit", "-p", "rms=9"],
        "it takes 1 to 5",
    );
    refused(
        &[
            "replay",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "0/one",
        ],
        "is not an index",
    );
    refused(
        &[
            "replay",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "0/1/0/1/0/0/4/9/9",
        ],
        "enabled there",
    );
    refused(
        &[
            "replay",
            "two-phase-commit",
            "--variant",
            "commit-on-majority",
            "--property",
            "termination",
        ],
        "a real end state is judged by: agreement, commit validity",
    );
    refused(
        &["replay", "two-phase-commit", "--variant", "correct"],
        "violates no always property",
    );
    refused(
        &["replay", "spec:paxos"],
        "it has no real run; replayable: abd-register",
    );
}

/// `dsw replay`: a reproduced counterexample exits 0 and prints its steps
/// and the property violated on the real nodes; the help documents the
/// exit codes.
#[test]
fn replay_reproduces_a_bug_on_real_nodes() {
    let o = dsw(&[
        "replay",
        "two-phase-commit",
        "--variant",
        "commit-on-majority",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(
        out.contains("    6. RM3  timer ChooseToAbort   fired"),
        "{out}"
    );
    assert!(
        out.contains("VIOLATED on the real nodes: agreement"),
        "{out}"
    );
    assert!(out.contains("trace validation: valid"), "{out}");
    let help = dsw(&["replay", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.contains("Exit codes:") && text.contains("1  not reproduced"),
        "{text}"
    );
}

/// `dsw explore --trace` opens a real run's trace (`dsw run --trace`) as
/// the path it follows on the configuration given (naming the scenario
/// it serves); a trace edited to deliver what was never sent opens up to
/// there, the line and why on stderr and on the page; a malformed line or
/// an ITF-only flag is one line and exit 2.
#[test]
fn explore_opens_a_real_run_trace() {
    let dir = std::env::temp_dir().join(format!("dsw-explore-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("run.jsonl");
    let f = file.to_str().unwrap();
    let run = dsw(&["run", "two-phase-commit", "--trace", f, "--seed", "1"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let text = std::fs::read_to_string(&file).unwrap();
    let lines = |rx: &std::sync::mpsc::Receiver<String>| -> Vec<String> {
        let mut got = Vec::new();
        while let Ok(l) = rx.recv_timeout(std::time::Duration::from_secs(30)) {
            let last = l.contains(": http://");
            got.push(l);
            if last {
                break;
            }
        }
        got
    };
    let (_explorer, addr, _, rx) = start_explore_lines(&[
        "two-phase-commit",
        "--scenario",
        "lossy",
        "--trace",
        f,
        "--bind",
        "127.0.0.1:0",
    ]);
    let said = lines(&rx);
    let target = said
        .last()
        .and_then(|l| l.split(&format!("http://{addr}")).nth(1))
        .unwrap_or_else(|| panic!("no address: {said:?}"))
        .to_string();
    assert!(
        said.iter().any(|l| l.contains("a real run's trace: all ")),
        "{said:?}"
    );
    assert!(
        !said.iter().any(|l| l.contains("cannot follow")),
        "{said:?}"
    );
    let (status, page) = http_get(&addr, &target);
    assert!(status.contains("200"), "{status}");
    let delivered: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["kind"] == "delivered" && e.get("ignored").is_none())
        .collect();
    assert!(!delivered.is_empty());
    for e in &delivered {
        let label = e["label"].as_str().unwrap();
        assert!(page.contains(label), "{label} not on the page");
    }

    // The scenario is named where the explorer says what it serves.
    let (_e, _, first, _) = start_explore_lines(&[
        "two-phase-commit",
        "--scenario",
        "lossy",
        "--bind",
        "127.0.0.1:0",
    ]);
    assert!(
        first.contains("two-phase-commit (correct, scenario lossy)"),
        "{first}"
    );

    // Edited: the first delivery's message was never sent.
    let mut edited = Vec::new();
    let mut at = None;
    for (i, l) in text.lines().enumerate() {
        let mut e: serde_json::Value = serde_json::from_str(l).unwrap();
        if at.is_none() && e["kind"] == "delivered" && e.get("ignored").is_none() {
            e["label"] = "Commit".into();
            at = Some(i + 1);
        }
        edited.push(e.to_string());
    }
    let at = at.unwrap();
    let tampered = dir.join("tampered.jsonl");
    std::fs::write(&tampered, edited.join("\n") + "\n").unwrap();
    let (_explorer, addr, _, rx) = start_explore_lines(&[
        "two-phase-commit",
        "--scenario",
        "lossy",
        "--trace",
        tampered.to_str().unwrap(),
        "--bind",
        "127.0.0.1:0",
    ]);
    let said = lines(&rx);
    let divergence = said
        .iter()
        .find(|l| l.contains("the model cannot follow the trace further"))
        .unwrap_or_else(|| panic!("no divergence: {said:?}"));
    assert!(divergence.contains(&format!("line {at} ")), "{divergence}");
    assert!(divergence.contains("received Commit"), "{divergence}");
    let target = said
        .last()
        .and_then(|l| l.split(&format!("http://{addr}")).nth(1))
        .unwrap()
        .to_string();
    let (status, page) = http_get(&addr, &target);
    assert!(status.contains("200"), "{status}");
    assert!(page.contains("id=\"trace-divergence\""), "{page}");
    assert!(page.contains(&format!("line {at} ")), "{page}");

    // Malformed: one line naming the line, exit 2.
    let bad = dir.join("bad.jsonl");
    let first = text.lines().next().unwrap();
    std::fs::write(&bad, format!("{first}\n{{\"node\":0,\"kind\":7}}\n")).unwrap();
    refused(
        &[
            "explore",
            "two-phase-commit",
            "--trace",
            bad.to_str().unwrap(),
        ],
        "line 2",
    );
    let junk = dir.join("junk.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    refused(
        &[
            "explore",
            "two-phase-commit",
            "--trace",
            junk.to_str().unwrap(),
        ],
        "real run's trace",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
