//! Lamport timestamps on the recorded events, the datagram envelope that
//! carries them, and the recorded trace as JSON lines.
//!
//! Each node has a Lamport clock (Lamport, "Time, Clocks, and the Ordering
//! of Events in a Distributed System", CACM 1978, IR1 and IR2): every
//! recorded event of the node ticks it; a send stamps the datagram with the
//! send's time, and a receipt takes `max(local, carried) + 1`. So whenever
//! event `a` happened before event `b`, `a`'s time is below `b`'s; a
//! delivery is always later than its send.
//!
//! The clock is the runtime's, not the actor's: actors see the same
//! messages as under the checker. On the wire a message travels as
//! `{"l":<send's time>,"m":<message>}`; anything else a node receives is
//! malformed. The clock survives a crash (it is the recorder's), so a
//! node's times keep rising across its restart.
//!
//! What a trace cannot say: which of two concurrent events (equal in the
//! happened-before order) came first is the threads' scheduling, and a rerun
//! with the same seed interleaves them differently. The file lists events
//! in the order they were recorded (real time, consistent with causality);
//! the Lamport times are one linear extension of the causal order, not a
//! replay schedule.

use crate::{Event, EventKind, RunResult};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stateright::actor::Actor;
use std::cell::Cell;

/// A node's Lamport clock, kept by its thread.
#[derive(Default)]
pub(crate) struct Clock(Cell<u64>);

impl Clock {
    /// A clock that already reached `t` (a node process restarting, whose
    /// record goes on).
    pub(crate) fn starting_at(t: u64) -> Self {
        Clock(Cell::new(t))
    }

    /// A local event: the clock ticks, and the event takes the new time.
    pub(crate) fn tick(&self) -> u64 {
        let t = self.0.get() + 1;
        self.0.set(t);
        t
    }

    /// A receipt of a datagram sent at `carried`.
    pub(crate) fn receive(&self, carried: u64) -> u64 {
        let t = self.0.get().max(carried) + 1;
        self.0.set(t);
        t
    }
}

#[derive(Serialize)]
struct WireOut<'a, M> {
    l: u64,
    m: &'a M,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIn<M> {
    l: u64,
    m: M,
}

/// The datagram for `msg` sent at Lamport time `lamport`.
pub(crate) fn encode<M: Serialize>(lamport: u64, msg: &M) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&WireOut { l: lamport, m: msg })
}

/// The send's time and the message, or none if `bytes` is not an envelope
/// holding a message.
pub(crate) fn decode<M: DeserializeOwned>(bytes: &[u8]) -> Option<(u64, M)> {
    serde_json::from_slice::<WireIn<M>>(bytes)
        .ok()
        .map(|w| (w.l, w.m))
}

/// What a trace line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceKind {
    Sent,
    Lost,
    Delivered,
    Timer,
    Malformed,
    Stored,
    StorageFailed,
    Crash,
    Dropped,
    Restart,
    /// A datagram the nemesis's partition dropped at its sender.
    Cut,
    /// The nemesis's fault `fault` started, or healed (`healed`). Not a
    /// node's event: `node` is the fault's node, and its Lamport time is 0.
    Nemesis,
    /// The node's thread stopped handling anything (the nemesis's pause).
    Paused,
    Resumed,
    /// The node made a random choice: `label` is the option picked. In
    /// the step that asked for it, or (a held run, `dsw replay`) as a step
    /// of its own, the choice pending until then.
    Chose,
    /// A held run's node left a random choice pending (`label`: its key)
    /// until the driver makes it.
    Pending,
}

/// One line of a trace file: one recorded event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceEvent {
    /// The node it happened on: its index and its actor's name.
    pub node: usize,
    pub name: String,
    /// The node's Lamport time at the event.
    pub lamport: u64,
    /// Real time since the run started, in microseconds.
    pub micros: u64,
    pub kind: TraceKind,
    /// The other end: the receiver of a send or loss, the sender of a
    /// delivery or drop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<usize>,
    /// For a delivery or drop: the Lamport time of its send (the
    /// `sent` line of node `peer` with this `lamport`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_lamport: Option<u64>,
    /// The message, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg: Option<serde_json::Value>,
    /// The message or timer as the model prints it (Rust's `Debug`, as in
    /// the checker's counterexamples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// A delivery the actor ignored (no change, nothing sent).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
    /// A timer that fired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer: Option<String>,
    /// A timer only the real run has (a heartbeat the model's actor does
    /// not set): no step of the model.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub run_only: bool,
    /// What the storage file held at a crash, or was read back at a
    /// restart (JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<serde_json::Value>,
    /// Bytes written to storage, or of a malformed datagram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<usize>,
    /// Why storage failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a nemesis line: the fault's index in the printed schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<usize>,
    /// For a nemesis line: the fault healed (rather than started).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub healed: bool,
}

impl TraceEvent {
    fn new(node: usize, name: &str, lamport: u64, micros: u64, kind: TraceKind) -> Self {
        TraceEvent {
            node,
            name: name.to_string(),
            lamport,
            micros,
            kind,
            peer: None,
            sent_lamport: None,
            msg: None,
            label: None,
            ignored: false,
            timer: None,
            run_only: false,
            storage: None,
            bytes: None,
            error: None,
            fault: None,
            healed: false,
        }
    }
}

/// Each actor's name as it gives it, or `node <i>`.
pub fn names<A: Actor>(actors: &[A]) -> Vec<String> {
    actors
        .iter()
        .enumerate()
        .map(|(i, a)| match a.name() {
            name if name.is_empty() => format!("node {i}"),
            name => name,
        })
        .collect()
}

/// The trace of `run`, in recorded order; node `i` is called `names[i]`.
pub fn trace<A: Actor>(run: &RunResult<A>, names: &[String]) -> Vec<TraceEvent>
where
    A::Msg: Serialize,
{
    run.events.iter().map(|e| line(e, names)).collect()
}

fn line<M: Serialize + std::fmt::Debug, T: std::fmt::Debug>(
    e: &Event<M, T>,
    names: &[String],
) -> TraceEvent {
    let name = names
        .get(e.node)
        .cloned()
        .unwrap_or_else(|| format!("node {}", e.node));
    let micros = u64::try_from(e.at.as_micros()).unwrap_or(u64::MAX);
    let kind = match &e.kind {
        EventKind::Sent { .. } => TraceKind::Sent,
        EventKind::Lost { .. } => TraceKind::Lost,
        EventKind::Delivered { .. } => TraceKind::Delivered,
        EventKind::Timer(_) => TraceKind::Timer,
        EventKind::Malformed { .. } => TraceKind::Malformed,
        EventKind::Stored { .. } => TraceKind::Stored,
        EventKind::StorageFailed { .. } => TraceKind::StorageFailed,
        EventKind::Crash { .. } => TraceKind::Crash,
        EventKind::Dropped { .. } => TraceKind::Dropped,
        EventKind::Restart { .. } => TraceKind::Restart,
        EventKind::Cut { .. } => TraceKind::Cut,
        EventKind::Nemesis { .. } => TraceKind::Nemesis,
        EventKind::Paused => TraceKind::Paused,
        EventKind::Resumed => TraceKind::Resumed,
        EventKind::Chose { .. } | EventKind::Selected { .. } => TraceKind::Chose,
        EventKind::Pending { .. } => TraceKind::Pending,
    };
    let mut t = TraceEvent::new(e.node, &name, e.lamport, micros, kind);
    let mut message = |peer: usize, msg: &M| {
        t.peer = Some(peer);
        t.msg = serde_json::to_value(msg).ok();
        t.label = Some(format!("{msg:?}"));
    };
    match &e.kind {
        EventKind::Sent { to, msg, .. }
        | EventKind::Lost { to, msg }
        | EventKind::Cut { to, msg } => message(*to, msg),
        EventKind::Delivered { from, msg, ignored } => {
            message(*from, msg);
            t.ignored = *ignored;
        }
        EventKind::Dropped { from, msg } => message(*from, msg),
        EventKind::Timer(timer) => {
            let timer = format!("{timer:?}");
            t.label = Some(timer.clone());
            t.timer = Some(timer);
        }
        EventKind::Malformed { len } => t.bytes = Some(*len),
        EventKind::Stored { bytes } => t.bytes = Some(*bytes),
        EventKind::StorageFailed { error } => t.error = Some(error.clone()),
        EventKind::Crash { stored } => t.storage = stored.clone(),
        EventKind::Restart { restored } => t.storage = restored.clone(),
        EventKind::Nemesis { index, healed } => {
            t.fault = Some(*index);
            t.healed = *healed;
        }
        EventKind::Paused | EventKind::Resumed => {}
        EventKind::Chose { choice, .. } | EventKind::Selected { choice, .. } => {
            t.label = Some(choice.clone());
        }
        EventKind::Pending { key, .. } => t.label = Some(key.clone()),
    }
    t.sent_lamport = e.sent_lamport;
    t
}

/// The trace as JSON lines, one event a line.
pub fn to_json_lines(trace: &[TraceEvent]) -> String {
    let mut out = String::new();
    for e in trace {
        // A trace event is plain data: it always serializes.
        if let Ok(line) = serde_json::to_string(e) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The most nodes a trace may name (node indices below this).
pub const MAX_NODES: usize = 1024;

/// Reads a trace written by [`to_json_lines`]; blank lines are skipped.
/// An error names the line (from 1) and what is wrong there.
pub fn parse(text: &str) -> Result<Vec<TraceEvent>, String> {
    let mut events = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let e: TraceEvent = serde_json::from_str(l).map_err(|err| {
            // serde's own position counts within the line.
            let what = err.to_string();
            let what = what.split(" at line ").next().unwrap_or_default();
            format!(
                "line {}, column {}: not a trace event ({what}); each line is a JSON object with node, name, lamport, micros, kind and the fields of its kind",
                i + 1,
                err.column()
            )
        })?;
        if let Some(n) = [Some(e.node), e.peer]
            .into_iter()
            .flatten()
            .find(|&n| n >= MAX_NODES)
        {
            return Err(format!(
                "line {}: node {n} is out of range (a trace has at most {MAX_NODES} nodes)",
                i + 1
            ));
        }
        events.push(e);
    }
    Ok(events)
}

/// The first delivery or drop whose Lamport time is not above its send's,
/// or whose send is not recorded before it: (its index, why). None when the
/// trace's Lamport times are consistent with causality.
pub fn causality_violation(trace: &[TraceEvent]) -> Option<(usize, String)> {
    let mut sends = std::collections::HashSet::new();
    let mut last = std::collections::HashMap::new();
    for (i, e) in trace.iter().enumerate() {
        // The nemesis's lines are the driver's, not a node's.
        if e.kind == TraceKind::Nemesis {
            continue;
        }
        if let Some(&before) = last.get(&e.node) {
            if e.lamport <= before {
                return Some((
                    i,
                    format!(
                        "node {} goes from Lamport time {before} to {}",
                        e.node, e.lamport
                    ),
                ));
            }
        }
        last.insert(e.node, e.lamport);
        match e.kind {
            TraceKind::Sent => {
                sends.insert((e.node, e.lamport));
            }
            TraceKind::Delivered | TraceKind::Dropped => {
                let (Some(from), Some(sent)) = (e.peer, e.sent_lamport) else {
                    return Some((i, "a receipt without its peer and send time".into()));
                };
                if !sends.contains(&(from, sent)) {
                    return Some((
                        i,
                        format!("no send of node {from} at Lamport time {sent} before it"),
                    ));
                }
                if e.lamport <= sent {
                    return Some((
                        i,
                        format!(
                            "received at Lamport time {}, not after its send at {sent}",
                            e.lamport
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_round_trips_and_refuses_anything_else() {
        let bytes = encode(7, &vec![1u8, 2]).unwrap();
        assert_eq!(bytes, b"{\"l\":7,\"m\":[1,2]}");
        assert_eq!(decode::<Vec<u8>>(&bytes), Some((7, vec![1, 2])));
        assert_eq!(decode::<Vec<u8>>(b"[1,2]"), None);
        assert_eq!(decode::<Vec<u8>>(b"{\"l\":7}"), None);
        assert_eq!(decode::<Vec<u8>>(b"{\"l\":7,\"m\":[1],\"x\":0}"), None);
        assert_eq!(decode::<Vec<u8>>(b"{\"l\":-1,\"m\":[1]}"), None);
    }

    #[test]
    fn a_receipt_is_later_than_both_clocks() {
        let c = Clock::default();
        assert_eq!(c.tick(), 1);
        assert_eq!(c.receive(9), 10);
        assert_eq!(c.receive(3), 11);
        assert_eq!(c.tick(), 12);
    }

    #[test]
    fn parse_names_the_bad_line_and_causality_is_checked() {
        let sent = TraceEvent {
            peer: Some(1),
            label: Some("Ping".into()),
            ..TraceEvent::new(0, "a", 1, 10, TraceKind::Sent)
        };
        let got = TraceEvent {
            peer: Some(0),
            sent_lamport: Some(1),
            ..TraceEvent::new(1, "b", 2, 20, TraceKind::Delivered)
        };
        let text = to_json_lines(&[sent.clone(), got.clone()]);
        let back = parse(&text).unwrap();
        assert_eq!(back, vec![sent.clone(), got.clone()]);
        assert_eq!(causality_violation(&back), None);
        let early = TraceEvent {
            lamport: 1,
            ..got.clone()
        };
        assert!(causality_violation(&[sent.clone(), early]).is_some());
        assert!(causality_violation(&[got, sent]).is_some());
        let err = parse(&format!("{text}\n{{\"node\":0}}\n")).unwrap_err();
        assert!(err.starts_with("line 4, column "), "{err}");
    }
}
