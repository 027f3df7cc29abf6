//! One test per protocol: every variant and scenario of the registry checked
//! at its configuration (BFS, one thread), one named snapshot each
//! (`catalog__<model>@<variant>.snap`), and every verdict asserted against
//! the registry in code, so a bug that quietly stops being caught fails even
//! if someone accepts the snapshot.

use checker::Verdict;

fn check_protocol(name: &str) {
    let protocol = models::protocol(name).expect("registered");
    let mut caught_somewhere = std::collections::BTreeSet::new();
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
        // A bug variant must be caught: at its default, or in a scenario
        // that runs it (a rule the default never exercises, such as Paxos's
        // highest-accepted rule, needs one), some property is violated that
        // the correct protocol keeps in that configuration.
        if job.variant != models::CORRECT {
            let caught = summary.properties.iter().any(|p| {
                p.verdict == Verdict::Violated
                    && correct_at(protocol, job.scenario, &p.name) != Verdict::Violated
            });
            if caught {
                caught_somewhere.insert(job.variant);
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
    for v in protocol
        .variants
        .iter()
        .filter(|v| v.name != models::CORRECT)
    {
        assert!(
            caught_somewhere.contains(v.name),
            "{name} {}: bug not caught by any catalog check",
            v.name
        );
    }
}

/// What the registry expects of the correct protocol for `property` in
/// the configuration of `scenario` (or at the default): a scenario run on a
/// bug variant is compared with the correct protocol's verdict in a
/// scenario with the same parameters, if there is one, else at the default.
fn correct_at(
    protocol: &models::Protocol,
    scenario: Option<&models::registry::ScenarioSpec>,
    property: &str,
) -> Verdict {
    let spec = protocol
        .properties
        .iter()
        .find(|p| p.name == property)
        .expect("declared");
    let same_params = scenario.and_then(|s| {
        protocol.scenarios.iter().find(|c| {
            c.variant == models::CORRECT && c.params == s.params && c.fairness == s.fairness
        })
    });
    let expect = match (scenario, same_params) {
        (None, _) | (Some(_), None) => protocol.variants[0].expect,
        (Some(_), Some(c)) => c.expect,
    };
    protocol.expected(spec, expect)
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
fn raft_kv() {
    check_protocol("raft-kv");
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
}

#[test]
fn byzantine_generals() {
    check_protocol("byzantine-generals");
}

#[test]
fn three_phase_commit() {
    check_protocol("three-phase-commit");
}

#[test]
fn flp() {
    check_protocol("flp");
}

#[test]
fn reliable_broadcast() {
    check_protocol("reliable-broadcast");
    // Eager reliable broadcast is not uniform (Cachin et al. 2011 §3.4.2):
    // the registry expects every check, the correct variant's included, to
    // violate uniform agreement, as it expects FLP's correct variant to
    // violate termination, and `check_protocol` held each check to that.
    let protocol = models::protocol("reliable-broadcast").expect("registered");
    let uniform = protocol
        .properties
        .iter()
        .find(|p| p.name == "uniform agreement")
        .expect("declared");
    for job in models::jobs_of(protocol) {
        assert_eq!(
            protocol.expected(uniform, job.expect),
            Verdict::Violated,
            "reliable-broadcast {}: eager broadcast is not uniform",
            job.name()
        );
    }
}

#[test]
fn causal_broadcast() {
    check_protocol("causal-broadcast");
}

#[test]
fn total_order_broadcast() {
    check_protocol("total-order-broadcast");
}

#[test]
fn swim() {
    check_protocol("swim");
}

#[test]
fn gossip() {
    check_protocol("gossip");
}

/// Gossip's `skewed-clock` (Demers' `Now[]` from clocks that disagree):
/// m2 writes `b` after holding m1's `a`, stamped below it, and `a` comes
/// back. "No lost update" is violated while "values only move forward"
/// holds (and the members converge, on `a`): the case in which the first
/// property says something the second does not. The counterexample is
/// read as the story it must tell.
#[test]
fn gossip_skewed_clock_loses_an_update_without_moving_back() {
    let protocol = models::protocol("gossip").expect("registered");
    let job = models::jobs_of(protocol)
        .into_iter()
        .find(|j| j.name() == "skewed-clock")
        .expect("a catalog check");
    let summary = job.check(&mut |_| {});
    let verdict = |name: &str| summary.property(name).map(|p| p.verdict);
    assert_eq!(verdict("no lost update"), Some(Verdict::Violated));
    assert_eq!(verdict("values only move forward"), Some(Verdict::Holds));
    assert_eq!(verdict("convergence"), Some(Verdict::Holds));
    assert!(summary.complete);

    let cx = summary
        .property("no lost update")
        .and_then(|p| p.counterexample.as_ref())
        .expect("a path");
    // m2's states along the path, in order.
    let m2: Vec<(&str, &str)> = cx
        .steps
        .iter()
        .flat_map(|s| {
            s.changes
                .iter()
                .filter(|c| c.actor == 1)
                .map(move |c| (s.label.as_str(), c.state.as_str()))
        })
        .collect();
    let write = m2
        .iter()
        .position(|(label, _)| *label == "Write")
        .expect("m2 writes");
    assert!(
        m2[..write]
            .iter()
            .any(|(_, s)| s.contains("db: [Some(a@3.m1)]")),
        "m2 held a before writing: {m2:?}"
    );
    assert!(
        m2[write].1.contains("db: [Some(b@2.m2)]"),
        "b stamped below a: {m2:?}"
    );
    let (_, last) = m2.last().expect("m2's last state");
    assert!(
        last.contains("db: [Some(a@3.m1)]") && last.contains("superseded: {a}"),
        "m2 ends holding a, which b follows: {m2:?}"
    );
    assert!(!last.contains("once held"), "m2 never moved back: {m2:?}");
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
        "raft-kv",
        "abd-register",
        "lamport-clocks",
        "lamport-mutex",
        "chandy-lamport",
        "byzantine-generals",
        "three-phase-commit",
        "flp",
        "reliable-broadcast",
        "causal-broadcast",
        "total-order-broadcast",
        "swim",
        "gossip",
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
