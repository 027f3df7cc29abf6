//! The workbench's `eventually` against Stateright's own, over the catalog.
//!
//! Stateright judges `eventually` only on paths that end, and counts a path
//! cut off by the boundary as ended. So the two must agree on every
//! catalog check except where (a) Stateright's verdict came only from the
//! bound (ours: `inconclusive`, a bounded path), or (b) ours is a lasso,
//! which Stateright cannot see. Those cases are listed here, not skipped.

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
    // Today's catalog is acyclic and unbounded: no case needs explaining.
    assert_eq!(explained, Vec::<String>::new());
}
