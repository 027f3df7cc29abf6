//! The registry describes its models truthfully, and refuses bad input with
//! a message that names the valid choices.

use checker::{CheckOptions, PropertyKind};

#[test]
fn declared_properties_are_the_models_properties_in_order() {
    let opts = CheckOptions {
        max_states: Some(1),
        ..CheckOptions::default()
    };
    for p in models::PROTOCOLS.iter().chain(models::tla_specs::SPECS) {
        for v in p.variants {
            let summary = models::check(p, v.name, &p.default_params(), &opts, &mut |_| {});
            let found: Vec<(&str, PropertyKind)> = summary
                .properties
                .iter()
                .map(|r| (r.name.as_str(), r.kind))
                .collect();
            let declared: Vec<(&str, PropertyKind)> =
                p.properties.iter().map(|s| (s.name, s.kind)).collect();
            assert_eq!(found, declared, "{} {}", p.name, v.name);
        }
    }
}

#[test]
fn every_protocol_is_well_formed() {
    for p in models::PROTOCOLS.iter().chain(models::tla_specs::SPECS) {
        assert_eq!(p.variants[0].name, models::CORRECT, "{}", p.name);
        assert!(!p.citations.is_empty(), "{} cites nothing", p.name);
        for prop in p.properties {
            assert!(
                !prop.source.is_empty(),
                "{}: {} has no source",
                p.name,
                prop.name
            );
        }
        for v in p.variants {
            for (name, _) in v.expect {
                assert!(
                    p.properties.iter().any(|s| s.name == *name),
                    "{} {}: expectation names unknown property {name}",
                    p.name,
                    v.name
                );
            }
        }
        for prm in p.params {
            assert!(
                prm.min <= prm.default && prm.default <= prm.max,
                "{}",
                prm.name
            );
        }
        // Every interesting outcome has a reachability companion.
        assert!(
            p.properties
                .iter()
                .any(|s| s.kind == PropertyKind::Sometimes),
            "{} has no sometimes property",
            p.name
        );
    }
}

#[test]
fn unknown_names_are_refused_with_the_valid_choices() {
    let err = models::protocol("pax").unwrap_err().to_string();
    assert!(
        err.contains("unknown model \"pax\"") && err.contains("two-phase-commit"),
        "{err}"
    );

    let p = models::protocol("two-phase-commit").unwrap();
    let err = p.variant("nope").unwrap_err().to_string();
    assert!(err.contains("commit-on-majority"), "{err}");

    let err = p.params_with(&["nope=1".into()]).unwrap_err().to_string();
    assert!(
        err.contains("unknown parameter \"nope\"") && err.contains("rms"),
        "{err}"
    );

    let err = p.params_with(&["rms=99".into()]).unwrap_err().to_string();
    assert!(
        err.contains("out of range") && err.contains("1 to 5"),
        "{err}"
    );

    let err = p
        .params_with(&["rms=three".into()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("integer"), "{err}");

    let err = p.params_with(&["rms".into()]).unwrap_err().to_string();
    assert!(err.contains("key=value"), "{err}");

    assert_eq!(p.params_with(&["rms=2".into()]).unwrap()["rms"], 2);
}

/// Each protocol's registry variants are exactly its `Bug` enum, in order.
#[test]
fn registry_variants_are_the_bug_enums() {
    use models::registry::BugVariant;
    macro_rules! same_names {
        ($($module:ident),* $(,)?) => {{
            $(
                let registry: Vec<_> = models::$module::PROTOCOL.variants.iter().map(|v| v.name).collect();
                let bugs: Vec<_> = models::$module::Bug::ALL.iter().map(|b| b.name()).collect();
                assert_eq!(registry, bugs, stringify!($module));
            )*
            [$(stringify!($module)),*].len()
        }};
    }
    let listed = same_names!(
        alternating_bit,
        mapreduce,
        rpc_kv,
        crawler,
        two_phase_commit,
        paxos,
        raft,
        raft_kv,
        abd_register,
        lamport_clocks,
        lamport_mutex,
        chandy_lamport,
        byzantine_generals,
        three_phase_commit,
        flp,
        reliable_broadcast,
        causal_broadcast,
        total_order_broadcast,
        swim,
        gossip,
    );
    assert_eq!(
        models::PROTOCOLS.len(),
        listed,
        "a new protocol belongs in this test"
    );
}

/// Every catalog check's parameters obey its protocol's rules between
/// parameters (the CLI would refuse them).
#[test]
fn catalog_parameters_obey_the_rules() {
    for job in models::catalog_jobs() {
        for rule in job.protocol.param_rules {
            assert!(
                (rule.check)(&job.params).is_ok(),
                "{} {}: {}",
                job.protocol.name,
                job.name(),
                rule.doc
            );
        }
    }
}
