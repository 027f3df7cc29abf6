//! What every test of the `dsw` binary needs: running it, reading what it
//! printed, and the bad-input contract (DESIGN.md: exit 2, one line).
//! Each test file that uses it says `mod common;`.

#![allow(dead_code)] // not every test file uses every helper

use std::process::{Command, Output};

/// Runs the `dsw` that cargo built beside these tests.
pub fn dsw(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dsw"))
        .args(args)
        .output()
        .expect("dsw runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Bad input: exit 2, and on stderr one line starting `dsw: ` that
/// contains `needle`, followed at most by the command's `usage:` line
/// (argument errors show how the command is called); never a panic.
pub fn refused(args: &[&str], needle: &str) {
    let o = dsw(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.len() == 1 || (lines.len() == 2 && lines[1].starts_with("usage: ")),
        "{args:?}: not one line (and perhaps the usage): {err}"
    );
    assert!(lines[0].starts_with("dsw: "), "{args:?}: {err}");
    assert!(lines[0].contains(needle), "{args:?}: {err} lacks {needle}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}
