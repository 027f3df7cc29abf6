//! The workbench's `eventually` against Stateright's own, over the catalog.
//!
//! Stateright judges `eventually` only on paths that end, and counts a path
//! cut off by the boundary as ended. So the two must agree on every
//! catalog check except where (a) Stateright's verdict came only from the
//! bound, (b) ours is `inconclusive` because the bound cut the only path
//! that avoids the property, or (c) ours is a lasso, or a run that stops
//! where only unfair steps (crashes) are enabled, which Stateright cannot
//! see. Those cases are listed here, not skipped. Stateright explores
//! at most as many states as we generated: on a model we explore under a
//! view, its own space is unbounded.

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
        // Where our BFS explores a view (Paxos with retries), Stateright,
        // which has none, faces an unbounded space, and its DFS keeps a
        // whole path per pending state: it stops near where we did. On
        // every other job the caps do not bind (the same model: no more
        // states than ours, and no path longer than all of them), which
        // the explanations below would show if they did.
        let opts = CheckOptions {
            strategy: Strategy::Dfs,
            max_states: Some(ours.states),
            max_depth: Some(4 * ours.max_depth + 64),
            ..job.options()
        };
        let theirs = models::check(job.protocol, job.variant, &job.params, &opts, &mut |_| {});
        for (o, t) in ours.properties.iter().zip(&theirs.properties) {
            if o.kind != PropertyKind::Eventually {
                continue;
            }
            compared += 1;
            // Our DFS summary says "inconclusive" where Stateright found
            // nothing (a lasso would be invisible to it): that is its
            // "holds".
            let t_verdict = match (t.verdict, &t.counterexample) {
                (Verdict::Inconclusive, None) => Verdict::Holds,
                (v, _) => v,
            };
            let why = match (o.counterexample_kind, t_verdict) {
                (_, Verdict::Inconclusive) => Some("Stateright's verdict came from the bound"),
                (Some(CounterexampleKind::Bounded), _) => {
                    Some("ours is inconclusive: the bound cut the only such path")
                }
                (Some(CounterexampleKind::Lasso), Verdict::Holds) => {
                    Some("a lasso, which Stateright cannot see")
                }
                (Some(CounterexampleKind::Deadlock), Verdict::Holds) => Some(
                    "a deadlock that Stateright escapes through an action the model excludes (a recovery)",
                ),
                (Some(CounterexampleKind::Stutter), Verdict::Holds) => {
                    Some("a run that stops where only unfair steps are enabled, which Stateright cannot see")
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
                    t_verdict,
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
            // FLP's Lemma 3: a fair run that stays bivalent forever.
            "flp correct termination: a lasso, which Stateright cannot see",
            // The default, where forget-past-rounds is the correct protocol,
            // and its scenario: two processes' timers fire forever.
            "flp forget-past-rounds termination: a lasso, which Stateright cannot see",
            "flp initially-dead-lossy-forget-past-rounds termination: a lasso, which Stateright cannot see",
            "flp no-crash termination: a lasso, which Stateright cannot see",
            "flp no-relay termination: a lasso, which Stateright cannot see",
            // mapreduce: crashed workers stay down (recoveries are excluded);
            // Stateright recovers them and the job goes on.
            // gossip: the members swap values, or keep their own, forever;
            // without the member-list merge, m2 and m3 exchange with the
            // seed forever and it never learns of them.
            "gossip join-no-member-merge convergence: a lasso, which Stateright cannot see",
            "gossip lww-without-versions convergence: a lasso, which Stateright cannot see",
            "gossip no-tie-break convergence: a lasso, which Stateright cannot see",
            "mapreduce accept-late-completion job completes: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "mapreduce no-reissue job completes: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "mapreduce non-atomic-output job completes: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            // paxos: a server crashes and never recovers, and the one majority
            // its proposer asks can never answer: the run stops there.
            "paxos correct eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            // §2.4's duel, a cycle under the ballot view.
            "paxos duelling-proposers eventually chosen: a lasso, which Stateright cannot see",
            // The one acceptor of the proposer's fixed majority that may
            // crash does, and stays down.
            "paxos fixed-majority eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "paxos forget-acceptance-on-crash eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "paxos forget-promise-on-crash eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "paxos ignore-highest-accepted eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "paxos pick-lowest-accepted eventually chosen: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            // raft: where max_term bounds the terms, its horizon makes both
            // liveness properties `bounded` (Stateright sees the bound's
            // deadlock as a violation); with a crash, the crashed server
            // stays down; split votes loop under the term view; figure-8's
            // and split-votes' in-flight bounds cut Stateright's search.
            // one-candidate agrees: both hold.
            "raft commit-by-counting-replicas command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft commit-by-counting-replicas leader eventually elected: ours is inconclusive: the bound cut the only such path",
            "raft correct command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft correct leader eventually elected: ours is inconclusive: the bound cut the only such path",
            "raft double-vote command eventually committed: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "raft double-vote leader eventually elected: a lasso, which Stateright cannot see",
            "raft figure-8 command eventually committed: Stateright's verdict came from the bound",
            "raft figure-8 leader eventually elected: Stateright's verdict came from the bound",
            "raft forget-voted-for command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft forget-voted-for leader eventually elected: ours is inconclusive: the bound cut the only such path",
            "raft keep-conflicting-entries command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft keep-conflicting-entries leader eventually elected: ours is inconclusive: the bound cut the only such path",
            "raft restart command eventually committed: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "raft restart leader eventually elected: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "raft split-votes command eventually committed: Stateright's verdict came from the bound",
            "raft split-votes leader eventually elected: a lasso, which Stateright cannot see",
            "raft three-terms command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft three-terms leader eventually elected: ours is inconclusive: the bound cut the only such path",
            "raft vote-without-log-check command eventually committed: ours is inconclusive: the bound cut the only such path",
            "raft vote-without-log-check leader eventually elected: ours is inconclusive: the bound cut the only such path",
            // raft-kv: a client that spent its retries, or terms at
            // max_term, end a run unanswered: its horizon makes the
            // liveness property `bounded`.
            "raft-kv correct every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv deposed-leader every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv double-append every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv no-duplicate-table every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv retry-to-new-leader every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv retry-to-new-leader-no-table every request answered: ours is inconclusive: the bound cut the only such path",
            "raft-kv stale-read every request answered: ours is inconclusive: the bound cut the only such path",
            // reliable-broadcast: the sender crashes mid-broadcast and stays
            // down; Stateright recovers it and it broadcasts again. Uniform
            // agreement: p1 delivers its own message and crashes before
            // relaying it, in every check (eager broadcast is not uniform);
            // with a second crash allowed (relay-crash) the run stops where
            // only that crash is enabled, and on a lossy network (lossy)
            // where only steps that need never happen (a loss, a crash) are.
            "reliable-broadcast correct uniform agreement: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "reliable-broadcast lossy uniform agreement: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "reliable-broadcast no-duplicate-check uniform agreement: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "reliable-broadcast no-relay agreement: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "reliable-broadcast no-relay uniform agreement: a deadlock that Stateright escapes through an action the model excludes (a recovery)",
            "reliable-broadcast relay-crash uniform agreement: a run that stops where only unfair steps are enabled, which Stateright cannot see",
            "rpc-kv no-duplicate-detection every call answered: ours is inconclusive: the bound cut the only such path",
            "rpc-kv weak-fairness every call answered: a lasso, which Stateright cannot see",
        ]
    );
}
