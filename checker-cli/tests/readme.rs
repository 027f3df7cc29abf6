//! The README's console samples are what `dsw` really prints.
//!
//! Every ```` ```console ```` block of the README is a command (`$ dsw ...`)
//! and its output. The command is run, and its output must match the
//! block's lines, where a line that is only `...` stands for any number of
//! lines, and timings (`0.05 s`, `321,874 states/s`) for any timing. Blocks
//! whose output is not deterministic (real runs over UDP) are `text`
//! blocks, which this test leaves alone.

use std::process::Command;

/// (command arguments, expected lines), one per console block.
fn console_blocks(readme: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "```console" {
            continue;
        }
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        let (command, output) = body.split_first().expect("a console block has a command");
        let command = command
            .strip_prefix("$ dsw ")
            .unwrap_or_else(|| panic!("a console block starts with `$ dsw`: {command}"));
        let command = command.split(" #").next().unwrap_or_default();
        blocks.push((
            command.split_whitespace().map(String::from).collect(),
            output.iter().map(|l| l.to_string()).collect(),
        ));
    }
    blocks
}

/// A line with its timings replaced: `0.05 s` and `321,874 states/s`.
fn untimed(line: &str) -> String {
    let words: Vec<&str> = line.split(' ').collect();
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied().unwrap_or_default();
        let number = |w: &str| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        };
        if number(w) && (next.starts_with("s,") || next == "s" || next.starts_with("states/s")) {
            out.push("#");
        } else {
            out.push(w);
        }
    }
    out.join(" ")
}

/// An output line as it reads when the explorer's default port is free:
/// `dsw check` links to the first free port from 127.0.0.1:3000 and then
/// binds it in the command under the link, and something else on this
/// machine (another explorer) may hold 3000 while the test runs.
fn at_default_port(line: &str) -> String {
    let default = presentation::explorer::DEFAULT_ADDR;
    if let Some((head, link)) = line.split_once("explorer: http://") {
        if let Some((_, rest)) = link.split_once('/') {
            return format!("{head}explorer: http://{default}/{rest}");
        }
    }
    if line.trim_start().starts_with("(served by: dsw explore ") {
        if let Some((command, _)) = line.split_once(" --bind 127.0.0.1:") {
            return format!("{command})");
        }
    }
    line.to_string()
}

/// Whether `actual` matches `expected`, where an `...` line matches any run
/// of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((e, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| untimed(e) == untimed(a) && matches(rest, more)),
    }
}

#[test]
fn the_readme_console_samples_are_real_output() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let blocks = console_blocks(&readme);
    assert!(blocks.len() >= 4, "the README shows dsw at work");
    // Files a sample writes (`--out paxos.svg`) go to a directory of the
    // test's own, not into the source tree.
    let dir = std::env::temp_dir().join(format!("dsw-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    for (args, expected) in blocks {
        let out = Command::new(env!("CARGO_BIN_EXE_dsw"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .expect("dsw runs");
        let actual: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(at_default_port)
            .collect();
        assert!(
            matches(&expected, &actual),
            "`dsw {}` prints, in full:\n{}\n\nthe README shows:\n{}",
            args.join(" "),
            actual.join("\n"),
            expected.join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn elision_and_timings_match_as_documented() {
    let lines = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(&lines("a\n...\nd"), &lines("a\nd")));
    assert!(!matches(&lines("a\n...\nd"), &lines("a\nb")));
    assert!(matches(
        &lines("  bfs: 7 states, 0.05 s, 321,874 states/s"),
        &lines("  bfs: 7 states, 1.25 s, 9 states/s")
    ));
    assert!(!matches(
        &lines("  bfs: 7 states"),
        &lines("  bfs: 8 states")
    ));
    // The explorer's address, when 3000 is taken, reads as the default.
    assert_eq!(
        at_default_port("  explorer: http://127.0.0.1:3002/path/0/1?property=p"),
        "  explorer: http://127.0.0.1:3000/path/0/1?property=p"
    );
    assert_eq!(
        at_default_port("            (served by: dsw explore m --variant v --bind 127.0.0.1:3002)"),
        "            (served by: dsw explore m --variant v)"
    );
    assert_eq!(at_default_port("  bfs: 7 states"), "  bfs: 7 states");
}

/// The project's docs stand on their own: none points outside the repository.
#[test]
fn the_docs_point_nowhere_outside_the_repository() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    for doc in [
        "README.md",
        "ARCHITECTURE.md",
        "BENCHMARKS.md",
        "docs/GLOSSARY.md",
    ] {
        let text = std::fs::read_to_string(format!("{root}/{doc}")).expect(doc);
        assert!(!text.contains("../shared"), "{doc} points into ../shared");
    }
}
