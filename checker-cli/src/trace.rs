//! `dsw trace`: a recorded run (runtime::trace) as the checker's
//! counterexample, so that it is drawn as the same sequence diagram.
//!
//! Lanes are the nodes; a step is what a lane does on receiving or losing:
//! a delivery (an arrow from the sender's lane), a loss or a datagram
//! dropped at a node that is down (a crossed arrow), a timer, a crash, a
//! restart, in the order the run recorded them. A send is drawn by its
//! delivery's arrow; a message still in flight at the end is counted under
//! its sender's final state.

use checker::summary::{Counterexample, CounterexampleKind, Step, StepKind};
use runtime::trace::{TraceEvent, TraceKind};

/// The trace as a counterexample of at most `max_steps` steps, and how many
/// steps the whole trace has.
pub fn counterexample(events: &[TraceEvent], max_steps: usize) -> (Counterexample, usize) {
    let lanes = events
        .iter()
        .flat_map(|e| std::iter::once(e.node).chain(e.peer))
        .max()
        .map_or(0, |n| n + 1);
    let mut actors: Vec<String> = (0..lanes).map(|i| format!("node {i}")).collect();
    let mut named = vec![false; lanes];
    for e in events {
        if !named[e.node] {
            named[e.node] = true;
            actors[e.node] = e.name.clone();
        }
    }
    let label = |e: &TraceEvent| e.label.clone().unwrap_or_else(|| "?".into());
    let times = |e: &TraceEvent| match e.sent_lamport {
        Some(sent) => format!(" (L{sent}→{})", e.lamport),
        None => format!(" (L{})", e.lamport),
    };
    let mut steps = Vec::new();
    let mut total = 0;
    // Per node: last Lamport time, sends, deliveries, timers.
    let mut tally = vec![(0u64, 0usize, 0usize, 0usize, 0usize); lanes];
    for e in events {
        let t = &mut tally[e.node];
        t.0 = t.0.max(e.lamport);
        let step = match (e.kind, e.peer) {
            (TraceKind::Delivered, Some(from)) => {
                t.2 += 1;
                let ignored = if e.ignored { " ignored" } else { "" };
                Some((
                    StepKind::Deliver,
                    e.node,
                    Some(from),
                    format!("{}{}{ignored}", label(e), times(e)),
                ))
            }
            (TraceKind::Lost, Some(to)) => Some((
                StepKind::Drop,
                to,
                Some(e.node),
                format!("{}{}", label(e), times(e)),
            )),
            (TraceKind::Cut, Some(to)) => Some((
                StepKind::Drop,
                to,
                Some(e.node),
                format!("{}{} cut by the partition", label(e), times(e)),
            )),
            (TraceKind::Dropped, Some(from)) => Some((
                StepKind::Drop,
                e.node,
                Some(from),
                format!("{}{} at a node that is down", label(e), times(e)),
            )),
            (TraceKind::Timer, _) => {
                t.3 += 1;
                Some((StepKind::Timeout, e.node, None, label(e)))
            }
            (TraceKind::Crash, _) => Some((StepKind::Crash, e.node, None, "crash".into())),
            (TraceKind::Restart, _) => Some((StepKind::Recover, e.node, None, "recover".into())),
            (TraceKind::Sent, _) => {
                t.1 += 1;
                None
            }
            (TraceKind::Stored, _) => {
                t.4 += 1;
                None
            }
            _ => None,
        };
        if let Some((kind, actor, from, label)) = step {
            total += 1;
            if steps.len() < max_steps {
                steps.push(Step {
                    kind,
                    actor,
                    from,
                    label,
                    changes: Vec::new(),
                });
            }
        }
    }
    let final_states = tally
        .iter()
        .map(|(lamport, sent, delivered, timers, stored)| {
            format!(
                "Lamport time {lamport}; sent {sent}, received {delivered}, timers {timers}, storage writes {stored}"
            )
        })
        .collect();
    let ce = Counterexample {
        kind: CounterexampleKind::Example,
        path: String::new(),
        actors,
        steps,
        loop_start: None,
        final_states,
    };
    (ce, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(node: usize, lamport: u64, kind: TraceKind, peer: Option<usize>) -> TraceEvent {
        let line = serde_json::json!({
            "node": node, "name": format!("n{node}"), "lamport": lamport,
            "micros": lamport * 10, "kind": kind, "label": "Ping",
        });
        TraceEvent {
            peer,
            sent_lamport: (kind == TraceKind::Delivered).then_some(1),
            ..serde_json::from_value(line).unwrap()
        }
    }

    /// A send becomes its delivery's arrow; a loss a crossed arrow to the
    /// receiver's lane; a timer a mark on its lane.
    #[test]
    fn deliveries_losses_and_timers_become_steps() {
        let events = [
            ev(0, 1, TraceKind::Sent, Some(1)),
            ev(1, 2, TraceKind::Delivered, Some(0)),
            ev(1, 3, TraceKind::Lost, Some(0)),
            ev(0, 2, TraceKind::Timer, None),
        ];
        let (ce, total) = counterexample(&events, 10);
        assert_eq!(total, 3);
        assert_eq!(ce.actors, ["n0", "n1"]);
        let kinds: Vec<_> = ce.steps.iter().map(|s| (s.kind, s.actor, s.from)).collect();
        assert_eq!(
            kinds,
            [
                (StepKind::Deliver, 1, Some(0)),
                (StepKind::Drop, 0, Some(1)),
                (StepKind::Timeout, 0, None)
            ]
        );
        assert_eq!(ce.steps[0].label, "Ping (L1→2)");
        let (cut, total) = counterexample(&events, 1);
        assert_eq!((cut.steps.len(), total), (1, 3));
    }
}
