//! `dsw replay`: a checker counterexample followed on real nodes (actors
//! over UDP on loopback, every datagram held until the driver releases it).

use checker::CheckOptions;
use models::real_replay::{replayer, REPLAYABLE};

fn replay(
    model: &str,
    variant: &str,
    property: Option<&str>,
    path: Option<&str>,
) -> (Result<bool, String>, Vec<String>) {
    let p = models::protocol(model).unwrap();
    let f = replayer(model).unwrap();
    let opts = CheckOptions {
        fairness: p.fairness,
        ..CheckOptions::default()
    };
    let mut lines = Vec::new();
    let r = f(
        variant,
        &p.default_params(),
        &opts,
        property,
        path,
        &mut |l| lines.push(l.to_string()),
    )
    .map_err(|e| e.0);
    (r, lines)
}

/// Every runnable model is replayable; for each, some bug variant's
/// counterexample is followed step by step on real nodes, the real end
/// state violates exactly what the model violates at the path's end (at
/// least one property), and the recorded run validates.
#[test]
fn a_bug_of_every_runnable_model_is_reproduced_on_real_nodes() {
    for p in models::PROTOCOLS.iter().filter(|p| p.run.is_some()) {
        assert!(
            REPLAYABLE.contains(&p.name) && replayer(p.name).is_ok(),
            "{} has a real run and no replay",
            p.name
        );
        let mut reproduced = None;
        for v in p.variants.iter().skip(1) {
            let (r, lines) = replay(p.name, v.name, None, None);
            match r {
                Ok(true) => {
                    let violated: Vec<&String> = lines
                        .iter()
                        .filter(|l| l.starts_with("VIOLATED on the real nodes: "))
                        .collect();
                    assert!(!violated.is_empty(), "{} {}: {lines:#?}", p.name, v.name);
                    assert!(
                        lines.iter().any(|l| l.contains("trace validation: valid")),
                        "{lines:#?}"
                    );
                    reproduced = Some(v.name);
                    break;
                }
                Ok(false) => panic!("{} {}: not reproduced: {lines:#?}", p.name, v.name),
                // No counterexample to an always property: nothing to replay.
                Err(e) => assert!(e.contains("violates no always property"), "{}: {e}", p.name),
            }
        }
        assert!(reproduced.is_some(), "{}: no bug reproduced", p.name);
    }
}

/// A crash the model leaves pending as a random choice (three-phase
/// commit's coordinator, total order broadcast's sequencer) stays pending on
/// the real node across its other steps and is made at the path's step
/// that makes it: every bug variant whose counterexample makes such a
/// choice is reproduced, its violations exactly the model's.
#[test]
fn a_random_choice_left_pending_is_made_where_the_path_makes_it() {
    for (model, variant, violated) in [
        ("three-phase-commit", "no-precommit", "agreement"),
        ("three-phase-commit", "commit-when-uncertain", "agreement"),
        (
            "total-order-broadcast",
            "failover-without-agreement",
            "integrity",
        ),
    ] {
        let (r, lines) = replay(model, variant, None, None);
        assert_eq!(r, Ok(true), "{model} {variant}: {lines:#?}");
        // The choice is a step of its own, taken after a step of the same
        // node while it was pending (the TM's or p1's start asked for it).
        let made = lines
            .iter()
            .position(|l| l.contains("made its pending choice"))
            .unwrap_or_else(|| panic!("{model} {variant}: {lines:#?}"));
        // The node that takes a step: the receiver of a delivery ("2. RM1
        // -> TM ..."), else the one named ("1. TM  timer Abort").
        let taker = |l: &str| {
            let words: Vec<&str> = l.split_whitespace().collect();
            match words.get(2) {
                Some(&"->") => words.get(3).map(|w| w.to_string()),
                _ => words.get(1).map(|w| w.to_string()),
            }
        };
        let node = taker(&lines[made]).unwrap();
        assert!(
            lines[1..made]
                .iter()
                .any(|l| taker(l) == Some(node.clone())),
            "{model} {variant}: no step of {node} before its choice: {lines:#?}"
        );
        assert!(
            lines.contains(&format!("VIOLATED on the real nodes: {violated}")),
            "{model} {variant}: {lines:#?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains("trace validation: valid") && l.contains("random choice")),
            "{model} {variant}: {lines:#?}"
        );
    }
}

/// FLP's initial configurations are the initial states of one model: a
/// path from one whose inputs are not a real run's default starts the real
/// processes with its inputs. A path from a state no real run starts in
/// (p0 dead from the start) is refused.
#[test]
fn a_path_starts_the_real_nodes_where_it_starts() {
    // Initial state 5 is inputs 111 (Lemma 2's chain); the real run's
    // default is 011. Each delivery carries its sender's input, so a
    // process started with another input sends a report the path does
    // not deliver.
    for path in ["5/0/0", "2/0/0"] {
        let (r, lines) = replay("flp", "correct", None, Some(path));
        assert_eq!(r, Ok(true), "{path}: {lines:#?}");
        assert!(
            lines.iter().any(|l| l.contains("released datagram")),
            "{lines:#?}"
        );
    }
    let p = models::protocol("flp").unwrap();
    let mut params = p.default_params();
    params.insert("crashes", 0);
    params.insert("initially-dead", 1);
    let f = replayer("flp").unwrap();
    let err = f(
        "correct",
        &params,
        &CheckOptions::default(),
        None,
        Some("0"),
        &mut |_| {},
    )
    .unwrap_err()
    .0;
    assert!(err.contains("real nodes cannot start in"), "{err}");
}

/// A path given as `dsw check` links it is followed as given; one whose
/// end violates nothing replays to an end state that violates nothing.
#[test]
fn a_path_is_followed_as_given() {
    let (r, lines) = replay(
        "two-phase-commit",
        "commit-on-majority",
        Some("agreement"),
        Some("0/1/0/1/0/0/4"),
    );
    assert_eq!(r, Ok(true), "{lines:#?}");
    assert!(
        lines
            .iter()
            .any(|l| l == "VIOLATED on the real nodes: agreement"),
        "{lines:#?}"
    );
    // Its first four steps: two votes delivered, nothing decided.
    let (r, lines) = replay(
        "two-phase-commit",
        "commit-on-majority",
        None,
        Some("0/1/0/1/0"),
    );
    assert_eq!(r, Ok(true), "{lines:#?}");
    assert!(
        lines.iter().all(|l| !l.starts_with("VIOLATED")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("violate no always property")),
        "{lines:#?}"
    );
}

/// Bad paths and properties are refused with what is valid.
#[test]
fn bad_paths_and_properties_are_refused() {
    let err = |property, path| {
        replay("two-phase-commit", "commit-on-majority", property, path)
            .0
            .unwrap_err()
    };
    assert!(err(None, Some("0/x")).contains("is not an index"));
    assert!(err(None, Some("0/99")).contains("enabled there"));
    assert!(err(None, Some("7")).contains("no initial state 7"));
    assert!(err(Some("termination"), None).contains("no always property"));
    assert!(err(Some("agreement"), Some("0/1")).contains("does not end in a violation"));
    let e = replay("two-phase-commit", "correct", None, None)
        .0
        .unwrap_err();
    assert!(e.contains("violates no always property"), "{e}");
}
