//! The workbench's `eventually` against Stateright's own, over the catalog.
//!
//! Stateright judges `eventually` only on paths that end, and counts a path
//! cut off by the boundary as ended. So the two must agree on every
//! catalog check except where (a) Stateright's verdict came only from the
//! bound, (b) ours is `inconclusive` because the bound cut the only path
//! that avoids the property, or (c) ours is a lasso, which Stateright
//! cannot see. Those cases are listed here, not skipped.

use checker::{CheckOptions, CounterexampleKind, PropertyKind, Strategy, Verdict};

#[test]
fn eventually_agrees_with_stateright_on_the_catalog() {
    let mut compared = 0;
    let mut explained: Vec<String> = Vec::new();
    for job in models::catalog_jobs() {
        let liveness = job
            .protocol
            .properties
            .iter()
            .any(|p| p.kind == PropertyKind::Eventually);
        if !liveness {
            continue;
        }
        let ours = job.check(&mut |_| {});
        let opts = CheckOptions {
            strategy: Strategy::Dfs,
            ..job.options()
        };
        let theirs = models::check(job.protocol, job.variant, &job.params, &opts, &mut |_| {});
        for (o, t) in ours.properties.iter().zip(&theirs.properties) {
            if o.kind != PropertyKind::Eventually {
                continue;
            }
            compared += 1;
            let why = match (o.counterexample_kind, t.verdict) {
                (_, Verdict::Inconclusive) => Some("Stateright's verdict came from the bound"),
                (Some(CounterexampleKind::Bounded), _) => {
                    Some("ours is inconclusive: the bound cut the only such path")
                }
                (Some(CounterexampleKind::Lasso), Verdict::Holds) => {
                    Some("a lasso, which Stateright cannot see")
                }
                _ => None,
            };
            match why {
                Some(why) => explained.push(format!(
                    "{} {} {}: {why}",
                    job.protocol.name,
                    job.name(),
                    o.name
                )),
                None => assert_eq!(
                    o.verdict,
                    t.verdict,
                    "{} {} {}: ours {:?}, Stateright's {:?}",
                    job.protocol.name,
                    job.name(),
                    o.name,
                    o.counterexample_kind,
                    t.counterexample.as_ref().map(|c| c.kind)
                ),
            }
        }
    }
    assert!(
        compared > 0,
        "the catalog has eventually properties to compare"
    );
    explained.sort();
    assert_eq!(
        explained,
        [
            "alternating-bit no-sequence-bit every message delivered: ours is inconclusive: the bound cut the only such path",
            "alternating-bit weak-fairness every message delivered: a lasso, which Stateright cannot see",
        ]
    );
}
