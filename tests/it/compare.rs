//! `dsw compare` on every bug variant of the catalog: its counterexample
//! followed on the correct protocol parts from the bug's run at a step, or
//! stops where the schedule cannot be followed, and the correct run does
//! not break the property the bug broke as far as it was followed.

use checker::compare::Comparison;
use checker::{CheckOptions, Verdict};
use models::Protocol;

/// What `dsw compare <model> --variant <variant>` computes, at the
/// protocol's defaults if they catch the bug (some property violated that
/// the correct protocol keeps, by the registry), else as `--scenario` of
/// the first scenario about the variant; the memory of one check bounded.
fn compare(protocol: &Protocol, variant: &str) -> Comparison {
    let violated = |name: &str| -> Vec<&str> {
        protocol
            .variant(name)
            .expect("registered")
            .expect
            .iter()
            .filter(|(_, v)| *v == Verdict::Violated)
            .map(|(p, _)| *p)
            .collect()
    };
    let correct = violated(models::CORRECT);
    let by_default = violated(variant).iter().any(|p| !correct.contains(p));
    let (params, fairness) = match protocol.scenarios.iter().find(|s| s.variant == variant) {
        Some(s) if !by_default => {
            let kv: Vec<String> = s.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (
                protocol
                    .params_with(&kv)
                    .expect("a scenario's parameters are valid"),
                s.fairness.unwrap_or(protocol.fairness),
            )
        }
        _ => (protocol.default_params(), protocol.fairness),
    };
    let opts = CheckOptions {
        fairness,
        max_memory: Some(3 << 30),
        ..CheckOptions::default()
    };
    models::compare(protocol, variant, &params, &opts, None, &mut |_| {})
        .unwrap_or_else(|e| panic!("{} {variant}: {e}", protocol.name))
}

#[test]
fn every_bug_variant_parts_from_the_correct_protocol_or_stops() {
    let mut seen = 0;
    for protocol in models::PROTOCOLS {
        for v in protocol
            .variants
            .iter()
            .filter(|v| v.name != models::CORRECT)
        {
            let c = compare(protocol, v.name);
            let name = format!("{} {}", protocol.name, v.name);
            seen += 1;
            // The bug's counterexample is followed whole on its own model
            // (compare refuses otherwise) and breaks what it says.
            assert!(
                !c.buggy.steps.is_empty() || c.divergence == Some(0),
                "{name}"
            );
            // Where the runs part, or where the schedule stops.
            assert!(
                c.divergence.is_some() || c.stopped.is_some(),
                "{name}: the correct protocol does the same on the whole schedule"
            );
            if let Some(d) = c.divergence {
                assert!(
                    d <= c.correct.steps.len(),
                    "{name}: divergence {d} not followed"
                );
            }
            match &c.stopped {
                Some(s) => {
                    assert_eq!(c.correct.steps.len(), s.at - 1, "{name}");
                    assert!(s.at <= c.buggy.steps.len(), "{name}");
                }
                None => assert_eq!(c.correct.steps.len(), c.buggy.steps.len(), "{name}"),
            }
            // Before the runs part, every step is matched by value.
            let parted = c.divergence.unwrap_or(usize::MAX);
            for (i, f) in c.followed.iter().enumerate() {
                if i < parted {
                    assert!(
                        !f.by_type,
                        "{name}: step {} matched by type before the runs part",
                        i + 1
                    );
                }
            }
            // Where the runs part, the states' encodings say in what.
            if c.divergence.is_some() {
                assert!(
                    !c.parts.is_empty() && !c.differences.is_empty(),
                    "{name}: the runs part, but no part of the state differs"
                );
            }
            // The correct run is drawn looping only where it closes the
            // bug's loop too.
            if c.correct.loop_start.is_some() {
                assert!(
                    matches!(c.judgement, checker::compare::Judgement::AlsoNever { .. }),
                    "{name}: the correct run is drawn with a loop: {:?}",
                    c.judgement
                );
            }
            assert!(
                !c.judgement.violated(),
                "{name}: the correct protocol breaks \"{}\" on the bug's schedule too: {:?}",
                c.property,
                c.judgement
            );
            // The text names every step of the schedule up to where it
            // stops, and marks the first difference.
            let text = presentation::compare::text(&c, protocol.name, v.name);
            let shown = c.stopped.as_ref().map_or(c.buggy.steps.len(), |s| s.at);
            assert!(text.contains(&format!("  {shown:>3} ")), "{name}:\n{text}");
            match (c.divergence, &c.stopped) {
                (Some(d), _) if d > 0 => assert!(
                    text.contains(&format!(
                        "first difference: correct does something else at step {d}"
                    )),
                    "{name}:\n{text}"
                ),
                (_, Some(s)) => assert!(
                    text.contains(&format!(
                        "cannot be followed on the correct protocol from step {}",
                        s.at
                    )),
                    "{name}:\n{text}"
                ),
                _ => {}
            }
        }
    }
    assert!(seen > 40, "only {seen} bug variants in the catalog");
}

/// Paxos's proposer that ignores the accepted value a promise reports:
/// at the step where the second proposer hears its majority, the correct
/// one adopts 'A', the buggy one proposes its own 'B'.
#[test]
fn paxos_ignore_highest_accepted_parts_where_the_proposer_picks_its_value() {
    let protocol = models::protocol("paxos").expect("registered");
    let c = compare(protocol, "ignore-highest-accepted");
    let text = presentation::compare::text(&c, "paxos", "ignore-highest-accepted");
    // Apart from the catalog's snapshots, which must each belong to a job.
    insta::with_settings!({ snapshot_path => "snapshots/compare" }, {
        insta::assert_snapshot!("paxos_ignore_highest_accepted", text);
    });
    let d = c.divergence.expect("the runs part");
    assert!(c.stopped.is_none());
    assert!(c.buggy_sent[d - 1]
        .iter()
        .all(|(_, m)| !m.starts_with("Accept ") || m.contains("'B'")));
    assert!(c.correct_sent[d - 1]
        .iter()
        .any(|(_, m)| m.starts_with("Accept ") && m.contains("'A'")));
    // After it, the Accepts differ in content: matched by type.
    assert!(c.followed[d..].iter().any(|f| f.by_type));
    let svg = presentation::compare::svg(&c, "paxos", "ignore-highest-accepted");
    assert_eq!(
        svg.matches("<svg ").count(),
        3,
        "one document, two diagrams"
    );
    assert!(svg.contains(&format!("first difference: step {d}")));
}

/// The report page of a bug variant links its side-by-side diagram with
/// the correct protocol, with one line saying where the runs part; the
/// diagram is among the files `dsw report` writes.
#[test]
fn the_report_links_each_bug_variants_comparison() {
    let jobs: Vec<models::Job> = models::catalog_jobs()
        .into_iter()
        .filter(|j| {
            j.protocol.name == "paxos"
                && j.scenario.is_none()
                && ["correct", "ignore-highest-accepted"].contains(&j.variant)
        })
        .collect();
    assert_eq!(jobs.len(), 2);
    let results: Vec<(models::Job, checker::CheckSummary)> = jobs
        .into_iter()
        .map(|j| {
            let s = j.check(&mut |_| {});
            (j, s)
        })
        .collect();
    let files = models::reports::render(&results, &[]);
    let file = "paxos/compare-ignore-highest-accepted--agreement.svg";
    let svg = &files
        .iter()
        .find(|(f, _)| f == file)
        .unwrap_or_else(|| panic!("no {file}"))
        .1;
    assert!(svg.contains("correct, on the same schedule"));
    let page = &files.iter().find(|(f, _)| f == "paxos.md").unwrap().1;
    let line = page
        .lines()
        .find(|l| l.contains(&format!("]({file})")))
        .expect("the page links the comparison");
    let c = compare(
        models::protocol("paxos").unwrap(),
        "ignore-highest-accepted",
    );
    let d = c.divergence.expect("the runs part");
    assert!(
        line.contains(&format!("first difference at step {d}")),
        "{line}"
    );
    // The correct variant has nothing to compare with.
    assert!(!files
        .iter()
        .any(|(f, _)| f.starts_with("paxos/compare-correct")));
}

/// The first difference is named by the part of the state it is in, with
/// what each side holds there: two-phase-commit's commit-on-majority sets
/// a timer the correct coordinator does not; paxos's
/// forget-promise-on-crash differs in an acceptor's stable storage.
#[test]
fn the_first_difference_names_the_part_of_the_state() {
    let tpc = compare(
        models::protocol("two-phase-commit").unwrap(),
        "commit-on-majority",
    );
    assert!(
        tpc.parts.iter().any(|p| p.ends_with("'s timers")),
        "{:?} {:?}",
        tpc.parts,
        tpc.differences
    );
    let text = presentation::compare::text(&tpc, "two-phase-commit", "commit-on-majority");
    assert!(text.contains("timers_set["), "{text}");
    let paxos = compare(
        models::protocol("paxos").unwrap(),
        "forget-promise-on-crash",
    );
    assert!(
        paxos.parts.iter().any(|p| p.ends_with("'s stable storage")),
        "{:?} {:?}",
        paxos.parts,
        paxos.differences
    );
}

/// gossip's no-tie-break loops forever without converging; on its
/// schedule the correct protocol converges, so its run is neither drawn
/// nor described as looping.
#[test]
fn a_correct_run_that_leaves_the_bugs_loop_is_not_drawn_looping() {
    let c = compare(models::protocol("gossip").unwrap(), "no-tie-break");
    assert_eq!(c.buggy.kind, checker::CounterexampleKind::Lasso);
    assert_eq!(c.correct.loop_start, None);
    assert!(
        matches!(c.judgement, checker::compare::Judgement::Reached { .. }),
        "{:?}",
        c.judgement
    );
    let svg = presentation::compare::svg(&c, "gossip", "no-tie-break");
    assert_eq!(
        svg.matches("loop: the steps below repeat forever").count(),
        1,
        "only the bug's loop is a band"
    );
    assert_eq!(
        svg.matches("the loop above repeats forever").count(),
        1,
        "only the bug's run ends in its loop"
    );
}

/// At the defaults, a variant that breaks only what the correct protocol
/// breaks too is refused (both runs would fail on its schedule), with its
/// scenarios named; asked for by name, it is compared.
#[test]
fn a_variant_that_breaks_only_what_correct_breaks_is_refused() {
    let paxos = models::protocol("paxos").unwrap();
    let opts = CheckOptions {
        fairness: paxos.fairness,
        max_memory: Some(3 << 30),
        ..CheckOptions::default()
    };
    let params = paxos.default_params();
    let only_correct = paxos
        .variants
        .iter()
        .map(|v| v.name)
        .find(|&v| {
            let also = |name: &str| {
                paxos
                    .variant(name)
                    .unwrap()
                    .expect
                    .iter()
                    .filter(|(_, x)| *x == Verdict::Violated)
                    .map(|(p, _)| *p)
                    .collect::<Vec<_>>()
            };
            let mine = also(v);
            v != models::CORRECT
                && !mine.is_empty()
                && mine.iter().all(|p| also(models::CORRECT).contains(p))
        })
        .expect("paxos has such a variant");
    let e = models::compare(paxos, only_correct, &params, &opts, None, &mut |_| {})
        .expect_err("refused");
    assert!(e.0.contains("only what correct violates too"), "{e}");
    assert!(e.0.contains("--scenario"), "{e}");
}
