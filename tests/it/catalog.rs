//! One test per protocol: every variant and scenario of the registry checked
//! at its configuration (BFS, one thread), one named snapshot each
//! (`catalog__<model>@<variant>.snap`), and every verdict asserted against
//! the registry in code, so a bug that quietly stops being caught fails even
//! if someone accepts the snapshot.

use checker::Verdict;

fn check_protocol(name: &str) {
    let protocol = models::protocol(name).expect("registered");
    for job in models::jobs_of(protocol) {
        let mut summary = job.check(&mut |_| {});
        summary.timing = None;
        insta::with_settings!({
            snapshot_suffix => job.name(),
            description => format!("{} {}", protocol.name, job.name()),
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_yaml_snapshot!(name, summary);
        });
        let mismatches = job.mismatches(&summary);
        assert!(
            mismatches.is_empty(),
            "{name} {}: verdicts differ from the registry: {mismatches:?}",
            job.name()
        );
        // Only the model's own declared bound may cut a catalog check short,
        // and then the verdicts it cut are inconclusive, never "holds".
        assert!(
            summary
                .cut_off_by
                .iter()
                .all(|c| c.starts_with("the model's bound cut it off (")),
            "{name} {}: search cut short by {:?}",
            job.name(),
            summary.cut_off_by
        );
        for p in &summary.properties {
            if p.verdict == Verdict::Holds || p.verdict == Verdict::NoExample {
                assert!(
                    summary.complete || p.kind == checker::PropertyKind::Eventually,
                    "{name} {}: {} {:?} on an incomplete search",
                    job.name(),
                    p.name,
                    p.verdict
                );
            }
        }
        // A bug variant must be caught: some property it names is violated,
        // at the defaults or else in a scenario of its own (a bug that needs
        // a larger bound, as Raft's Figure 8 does).
        if let Some(v) = protocol.variants.iter().find(|v| v.name == job.variant) {
            let own_scenario = |s: &&models::registry::ScenarioSpec| {
                s.variant == v.name && s.expect.iter().any(|(_, e)| *e == Verdict::Violated)
            };
            let caught_in_scenario = match job.scenario {
                None => {
                    !v.expect.iter().any(|(_, e)| *e == Verdict::Violated)
                        && protocol.scenarios.iter().any(|s| own_scenario(&s))
                }
                Some(s) => own_scenario(&s),
            };
            if caught_in_scenario && job.scenario.is_some() {
                assert!(
                    summary.any_violation(),
                    "{name} {}: bug not caught",
                    job.name()
                );
            }
            if job.scenario.is_none() && v.name != models::CORRECT && !caught_in_scenario {
                assert!(
                    v.expect.iter().any(|(_, e)| *e == Verdict::Violated),
                    "{name} {}: a bug variant must expect a violation",
                    v.name
                );
                assert!(summary.any_violation(), "{name} {}: bug not caught", v.name);
            }
        }
        // Nothing is vacuous: every violated property carries a path, and
        // every reachability property found its example.
        for p in &summary.properties {
            if matches!(p.verdict, Verdict::Violated | Verdict::ExampleFound) {
                assert!(p.counterexample.is_some(), "{name}: {} has no path", p.name);
            }
        }
    }
}

#[test]
fn alternating_bit() {
    check_protocol("alternating-bit");
}

#[test]
fn mapreduce() {
    check_protocol("mapreduce");
}

#[test]
fn rpc_kv() {
    check_protocol("rpc-kv");
}

#[test]
fn crawler() {
    check_protocol("crawler");
}

#[test]
fn two_phase_commit() {
    check_protocol("two-phase-commit");
}

#[test]
fn paxos() {
    check_protocol("paxos");
}

#[test]
fn raft() {
    check_protocol("raft");
}

#[test]
fn abd_register() {
    check_protocol("abd-register");
}

#[test]
fn lamport_clocks() {
    check_protocol("lamport-clocks");
}

#[test]
fn lamport_mutex() {
    check_protocol("lamport-mutex");
}

#[test]
fn chandy_lamport() {
    check_protocol("chandy-lamport");
fn byzantine_generals() {
    check_protocol("byzantine-generals");
}

#[test]
fn three_phase_commit() {
    check_protocol("three-phase-commit");
}

#[test]
fn every_protocol_has_a_catalog_test() {
    let tested = [
        "alternating-bit",
        "mapreduce",
        "rpc-kv",
        "crawler",
        "two-phase-commit",
        "paxos",
        "raft",
        "abd-register",
        "lamport-clocks",
        "lamport-mutex",
        "chandy-lamport",
        "byzantine-generals",
        "three-phase-commit",
    ];
    for p in models::PROTOCOLS {
        assert!(
            tested.contains(&p.name),
            "add a catalog test for {}",
            p.name
        );
    }
}

/// `cargo test` does not reject orphaned snapshots (only `cargo insta test
/// --unreferenced=reject` does), so check here that every committed
/// snapshot belongs to a catalog job: a renamed variant leaves none behind.
#[test]
fn every_snapshot_belongs_to_a_catalog_job() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("it/snapshots");
    let expected: Vec<String> = models::catalog_jobs()
        .iter()
        .map(|j| format!("{}@{}.snap", j.protocol.name, j.name()))
        .collect();
    for entry in std::fs::read_dir(dir)
        .expect("snapshots directory")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".snap") {
            assert!(expected.contains(&name), "orphaned snapshot {name}");
        }
    }
}
