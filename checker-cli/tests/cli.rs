//! The `dsw` contract (DESIGN.md): exit codes, one-line errors naming the
//! valid choices, and the JSON shapes scripts rely on. These tests run the
//! real binary, which is why they live beside it (cargo gives them its path)
//! rather than in the workspace `tests/` crate.

use std::process::{Command, Output};

fn dsw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args(args)
        .output()
        .expect("dsw runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The property called `name` in a `check --json` result.
fn property<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no property {name}"))
}

/// Bad input: exit 2, exactly one line on stderr, starting `dsw: `,
/// containing `needle`, and no panic.
fn refused(args: &[&str], needle: &str) {
    let o = dsw(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(err.starts_with("dsw: "), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err} lacks {needle}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
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
    refused(&["check", "two-phase-commit", "--fairness", "fair"], "fair");
}

#[test]
fn check_exits_0_when_all_hold_and_1_on_a_violation() {
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
    let link = format!("http://127.0.0.1:3000/path/{path}?property=agreement");
    assert!(
        out.contains(&format!("explorer: {link}\n")),
        "no link {link}: {out}"
    );
    assert!(
        out.contains("(served by: dsw explore two-phase-commit --variant commit-on-majority)"),
        "{out}"
    );
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

#[test]
fn help_exits_0() {
    let o = dsw(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("check"));
}

#[test]
fn a_run_cut_by_the_bound_is_inconclusive_not_a_violation() {
    let o = dsw(&["check", "two-phase-commit", "--max-depth", "3", "--json"]);
    assert_eq!(o.status.code(), Some(0), "bounded must not exit 1");
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
