//! Valence analysis, the lens of Fischer, Lynch & Paterson, "Impossibility
//! of Distributed Consensus with One Faulty Process" (JACM 1985): a
//! configuration is *bivalent* when both decisions are still reachable from
//! it, *univalent* when only one is (§3, before Lemma 2). FLP's proof builds
//! an admissible run that stays bivalent forever; this module looks for one
//! in the explored graph.
//!
//! Each state is labelled with the decision values reachable from it,
//! computed backwards over the graph (a least fixed point, so cycles are
//! handled); a state is bivalent when at least two values are reachable and
//! none is decided yet. A fair run that stays bivalent forever is a run
//! through bivalent states that stops (only steps fairness does not demand
//! are enabled) or loops, found by the same search as an `eventually`
//! counterexample (see [`crate::liveness`]).

use crate::graph::StateId;
use crate::liveness::{bad_forever, Edges, Ending, Fairness};
use std::collections::VecDeque;

/// What valence analysis found, before it is described for people.
pub struct Valence {
    /// Per state: the decision values reachable from it, as bits.
    pub reachable: Vec<u64>,
    /// Per state: bivalent (two or more values reachable, none decided).
    pub bivalent: Vec<bool>,
    /// A fair run through bivalent states only, if one exists: one that
    /// stops at a bivalent state (nothing fairness demands is enabled
    /// there), or a lasso; or a path to a bivalent state whose future was
    /// cut off, when the search cannot tell.
    pub forever: Option<Ending>,
}

/// Labels every state and looks for a fair run that stays bivalent.
///
/// `decided[s]` holds the values state `s` has decided; `cut[s]` marks
/// states whose future was not explored (their labels are lower bounds, and
/// they never lie on the run's loop); states `0..inits` are initial.
pub fn analyse(
    edges: &Edges,
    decided: &[u64],
    cut: &[bool],
    inits: usize,
    fairness: Fairness,
) -> Valence {
    let n = edges.len();
    let mut preds: Vec<Vec<StateId>> = vec![Vec::new(); n];
    for (from, out) in edges.iter().enumerate() {
        for e in out {
            preds[e.to as usize].push(from as StateId);
        }
    }
    // Least fixed point of reachable(s) = decided(s) | reachable(succ(s)).
    let mut reachable = decided.to_vec();
    let mut queue: VecDeque<StateId> = (0..n as StateId).collect();
    let mut queued = vec![true; n];
    while let Some(t) = queue.pop_front() {
        queued[t as usize] = false;
        let bits = reachable[t as usize];
        for &p in &preds[t as usize] {
            let before = reachable[p as usize];
            if before | bits != before {
                reachable[p as usize] = before | bits;
                if !queued[p as usize] {
                    queued[p as usize] = true;
                    queue.push_back(p);
                }
            }
        }
    }
    let bivalent: Vec<bool> = (0..n)
        .map(|s| decided[s] == 0 && reachable[s].count_ones() >= 2)
        .collect();
    let forever = bad_forever(edges, &|s| bivalent[s as usize], cut, inits, fairness);
    Valence {
        reachable,
        bivalent,
        forever,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::{Edge, UNFAIR};

    fn edge(to: StateId, class: u32) -> Edge {
        Edge {
            to,
            action: 0,
            class,
        }
    }

    /// 0 -> 1 (decides A), 0 -> 2 (decides B), and 0 -> 0 as a fair class.
    #[test]
    fn a_self_loop_keeps_the_start_bivalent_forever() {
        let edges = vec![vec![edge(1, 0), edge(2, 1), edge(0, 2)], vec![], vec![]];
        let v = analyse(
            &Edges::from(edges.clone()),
            &[0, 1, 2],
            &[false; 3],
            1,
            Fairness::None,
        );
        assert_eq!(v.reachable, vec![3, 1, 2]);
        assert_eq!(v.bivalent, vec![true, false, false]);
        // Without fairness the run may simply stop at the start.
        assert!(matches!(v.forever, Some(Ending::Stops(ref t, _)) if t == &[0]));
        // Under weak fairness the loop must take the always-enabled classes
        // that decide, so no fair run stays bivalent.
        let v = analyse(
            &Edges::from(edges.clone()),
            &[0, 1, 2],
            &[false; 3],
            1,
            Fairness::Weak,
        );
        assert!(v.forever.is_none());
    }

    /// 0 -> 1 -> 2 decides A only: univalent from the start.
    #[test]
    fn one_reachable_value_is_univalent() {
        let edges = vec![vec![edge(1, UNFAIR)], vec![edge(2, UNFAIR)], vec![]];
        let v = analyse(
            &Edges::from(edges.clone()),
            &[0, 0, 1],
            &[false; 3],
            1,
            Fairness::Weak,
        );
        assert_eq!(v.reachable, vec![1, 1, 1]);
        assert!(v.bivalent.iter().all(|b| !b));
        assert!(v.forever.is_none());
    }

    /// 0 -> 1 (decides A) and 0 -> 2 (decides B), both crashes: no fairness
    /// demands either, so a fair run may stop at 0, bivalent forever.
    #[test]
    fn a_state_with_only_unfair_steps_may_stay_bivalent() {
        let edges = vec![vec![edge(1, UNFAIR), edge(2, UNFAIR)], vec![], vec![]];
        for fairness in [Fairness::Weak, Fairness::Strong] {
            let v = analyse(
                &Edges::from(edges.clone()),
                &[0, 1, 2],
                &[false; 3],
                1,
                fairness,
            );
            assert_eq!(
                v.forever,
                Some(Ending::Stops(vec![0], crate::liveness::Stop::Stutter))
            );
        }
    }
}
