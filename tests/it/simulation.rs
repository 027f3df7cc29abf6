//! Simulation on every catalog model: several seeds each, no panic (Stateright
//! 0.31's simulation panicked on abd-register and paxos, see
//! `checker::simulation`), the same seed giving the same result, and never
//! a verdict it cannot prove.

use checker::{CheckOptions, Strategy, Verdict};

#[test]
fn simulation_runs_every_catalog_model_and_repeats_itself() {
    for protocol in models::PROTOCOLS {
        for variant in protocol.variants {
            let params = protocol.default_params();
            for seed in 0..4 {
                let opts = CheckOptions {
                    strategy: Strategy::Simulation { seed },
                    max_states: Some(5_000),
                    fairness: protocol.fairness,
                    ..CheckOptions::default()
                };
                let mut a = models::check(protocol, variant.name, &params, &opts, &mut |_| {});
                let mut b = models::check(protocol, variant.name, &params, &opts, &mut |_| {});
                a.timing = None;
                b.timing = None;
                assert_eq!(a, b, "{} {} seed {seed}", protocol.name, variant.name);
                assert!(!a.complete);
                assert!(a.cut_off_by[0].contains(&format!("seed {seed}")));
                for p in &a.properties {
                    assert!(
                        !matches!(p.verdict, Verdict::Holds | Verdict::NoExample),
                        "{} {} seed {seed}: {} {:?} from a simulation",
                        protocol.name,
                        variant.name,
                        p.name,
                        p.verdict
                    );
                    if p.verdict == Verdict::Violated {
                        assert!(p.counterexample.is_some());
                    }
                }
            }
        }
    }
}

/// What a simulation finds is real: on bugs that break safety within a few
/// steps, some seed finds the violation the BFS finds.
#[test]
fn simulation_finds_shallow_bugs() {
    for (model, variant, property) in [
        ("two-phase-commit", "commit-on-majority", "agreement"),
        (
            "alternating-bit",
            "no-sequence-bit",
            "delivered once, in order",
        ),
    ] {
        let protocol = models::protocol(model).unwrap();
        let opts = CheckOptions {
            strategy: Strategy::Simulation { seed: 1 },
            max_states: Some(20_000),
            fairness: protocol.fairness,
            ..CheckOptions::default()
        };
        let s = models::check(
            protocol,
            variant,
            &protocol.default_params(),
            &opts,
            &mut |_| {},
        );
        assert_eq!(
            s.property(property).unwrap().verdict,
            Verdict::Violated,
            "{model} {variant}"
        );
    }
}
