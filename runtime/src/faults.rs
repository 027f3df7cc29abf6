//! Faults of a real run that follow the seed, whatever the threads' timing.
//!
//! Loss and duplication: whether a datagram is dropped or sent twice is a
//! function of the seed, its sender and receiver, its bytes, and how many
//! times that sender already sent those bytes to that receiver
//! ([`decide`]); not of one random stream whose order the scheduler
//! decides. The same message sent the same number of times meets the same
//! fate in every run with the seed.
//!
//! The nemesis (after Jepsen's): a schedule of faults drawn from the seed
//! ([`schedule`]), each with its start and its heal time relative to the
//! run's start, one fault at a time:
//! - `partition`, in Jepsen's shapes: one node isolated; a majority and a
//!   minority; a ring in which every node sees a majority and no two see
//!   the same one; one-way, a node whose outgoing datagrams are all
//!   dropped. The sender drops what crosses the cut (recorded as `Cut`).
//! - `kill`: the runtime's crash, the node restarting from its storage file
//!   at the heal time (for models whose nodes keep one).
//! - `pause`: the node's thread stops handling anything (its datagrams stay
//!   queued in its socket, its timers do not fire) and resumes with its
//!   state intact at the heal time, as SIGSTOP and SIGCONT would.

use crate::{lock, Event, EventKind, Shared, SplitMix};
use stateright::actor::Actor;
use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// The nemesis's kinds of fault, as `dsw run --nemesis` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Partition,
    Kill,
    Pause,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Partition, Kind::Kill, Kind::Pause];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Partition => "partition",
            Kind::Kill => "kill",
            Kind::Pause => "pause",
        }
    }
}

/// Reads a comma-separated list of kinds (`partition,kill,pause`); an
/// unknown name is an error naming the valid ones.
pub fn parse_kinds(s: &str) -> Result<Vec<Kind>, String> {
    let valid = || {
        Kind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut kinds = Vec::new();
    for name in s.split(',').map(str::trim) {
        let Some(kind) = Kind::ALL.into_iter().find(|k| k.name() == name) else {
            return Err(format!(
                "unknown nemesis \"{name}\"; valid: {} (comma-separated)",
                valid()
            ));
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds.sort();
    Ok(kinds)
}

/// The shape of a partition (Jepsen's nemesis menu).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One node cut off from every other, both ways.
    Isolate(usize),
    /// The minority cut off from the majority, both ways.
    Split { minority: Vec<usize> },
    /// Nodes in a ring, each seeing the nodes within `reach` of it: every
    /// node sees a majority, no two the same one.
    Ring { order: Vec<usize>, reach: usize },
    /// Every datagram the node sends is dropped; it still receives.
    OneWay(usize),
}

/// One fault of a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    Partition(Shape),
    Kill(usize),
    Pause(usize),
}

impl Fault {
    pub fn kind(&self) -> Kind {
        match self {
            Fault::Partition(_) => Kind::Partition,
            Fault::Kill(_) => Kind::Kill,
            Fault::Pause(_) => Kind::Pause,
        }
    }

    /// The node a fault is recorded on: the one it targets, or for a split
    /// or a ring the first in its list.
    pub fn node(&self) -> usize {
        match self {
            Fault::Partition(Shape::Isolate(k) | Shape::OneWay(k))
            | Fault::Kill(k)
            | Fault::Pause(k) => *k,
            Fault::Partition(Shape::Split { minority }) => minority[0],
            Fault::Partition(Shape::Ring { order, .. }) => order[0],
        }
    }

    /// Whether the partition drops a datagram from `from` to `to` (never
    /// for a kill or a pause).
    pub fn cuts(&self, n: usize, from: usize, to: usize) -> bool {
        let Fault::Partition(shape) = self else {
            return false;
        };
        if from == to {
            return false;
        }
        match shape {
            Shape::Isolate(k) => from == *k || to == *k,
            Shape::Split { minority } => minority.contains(&from) != minority.contains(&to),
            Shape::Ring { order, reach } => {
                let at = |x| order.iter().position(|o| *o == x).unwrap_or(0);
                let d = at(from).abs_diff(at(to));
                d.min(n - d) > *reach
            }
            Shape::OneWay(k) => from == *k,
        }
    }

    /// The fault in words, nodes named by `name`.
    pub fn describe(&self, name: &dyn Fn(usize) -> String) -> String {
        let list = |v: &[usize]| v.iter().map(|&i| name(i)).collect::<Vec<_>>().join(", ");
        match self {
            Fault::Partition(Shape::Isolate(k)) => {
                format!("partition: {} isolated from every other node", name(*k))
            }
            Fault::Partition(Shape::Split { minority }) => {
                format!("partition: minority {{{}}} cut from the majority", list(minority))
            }
            Fault::Partition(Shape::Ring { order, reach }) => format!(
                "partition: ring {} (each node sees the {reach} on either side of it: a majority, no two the same)",
                list(order)
            ),
            Fault::Partition(Shape::OneWay(k)) => {
                format!("partition: one-way, every datagram {} sends dropped", name(*k))
            }
            Fault::Kill(k) => format!("kill: {} crashes, restarts from its storage file", name(*k)),
            Fault::Pause(k) => format!("pause: {} stops handling anything, then resumes", name(*k)),
        }
    }
}

/// A fault and when it starts and heals, relative to the run's start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled {
    pub start: Duration,
    pub end: Duration,
    pub fault: Fault,
}

impl Scheduled {
    /// One line of the printed schedule.
    pub fn line(&self, name: &dyn Fn(usize) -> String) -> String {
        format!(
            "nemesis: {:.3} s to {:.3} s  {}",
            self.start.as_secs_f64(),
            self.end.as_secs_f64(),
            self.fault.describe(name)
        )
    }
}

/// The partitions possible among `n` nodes, drawn from `rng`.
fn partition(n: usize, rng: &mut SplitMix) -> Fault {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    let majority = n / 2 + 1;
    // Reach d: a node sees 2d + 1 nodes (itself included), at least a
    // majority; the ring cuts something only when that leaves some out.
    let reach = majority / 2;
    let mut shapes = vec![Shape::Isolate(order[0]), Shape::OneWay(order[0])];
    if n - majority >= 2 {
        let mut minority = order[..n - majority].to_vec();
        minority.sort();
        shapes.push(Shape::Split { minority });
    }
    if 2 * reach + 1 < n {
        shapes.push(Shape::Ring {
            order: order.clone(),
            reach,
        });
    }
    let pick = (rng.next_u64() % shapes.len() as u64) as usize;
    Fault::Partition(shapes.swap_remove(pick))
}

/// The nemesis's schedule for `n` nodes and a run of `duration`: two
/// faults per kind, one at a time, each kind at least once among the
/// first, their kinds, targets, starts and lengths drawn from `seed`. The
/// faults fall within the first two thirds of the run, so the run has
/// time to recover after the last heal.
pub fn schedule(kinds: &[Kind], n: usize, seed: u64, duration: Duration) -> Vec<Scheduled> {
    if kinds.is_empty() || n < 2 {
        return Vec::new();
    }
    let mut rng = SplitMix::new(seed ^ 0x4E45_4D45_5349_5321);
    let count = 2 * kinds.len();
    let mut order: Vec<Kind> = kinds.to_vec();
    for i in (1..order.len()).rev() {
        order.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    while order.len() < count {
        order.push(kinds[(rng.next_u64() % kinds.len() as u64) as usize]);
    }
    let window = duration.as_millis() as u64 * 2 / 3;
    let slot = window / count as u64;
    let ms = Duration::from_millis;
    order
        .into_iter()
        .enumerate()
        .map(|(i, kind)| {
            let base = i as u64 * slot;
            // Starts in the slot's first quarter, lasts half to three
            // quarters of it.
            let start = base + rng.next_u64() % (slot / 4).max(1);
            let length = slot / 2 + rng.next_u64() % (slot / 4).max(1);
            let node = (rng.next_u64() % n as u64) as usize;
            let fault = match kind {
                Kind::Partition => partition(n, &mut rng),
                Kind::Kill => Fault::Kill(node),
                Kind::Pause => Fault::Pause(node),
            };
            Scheduled {
                start: ms(start),
                end: ms(start + length.max(1)),
                fault,
            }
        })
        .collect()
}

/// The run's side of the schedule: starts and heals each fault when its
/// time comes, and records both.
pub(crate) struct Nemesis<'a> {
    schedule: &'a [Scheduled],
    /// Faults started so far, and healed so far.
    started: usize,
    healed: usize,
}

impl<'a> Nemesis<'a> {
    pub(crate) fn new(schedule: &'a [Scheduled]) -> Self {
        Nemesis {
            schedule,
            started: 0,
            healed: 0,
        }
    }

    /// Starts and heals what is due; true once every fault has healed.
    pub(crate) fn step<A: Actor>(&mut self, shared: &Shared<A>, n: usize) -> bool {
        loop {
            let now = shared.start.elapsed();
            if self.healed < self.started && self.schedule[self.healed].end <= now {
                let index = self.healed;
                self.apply(shared, n, index, false);
                self.healed += 1;
            } else if self.started == self.healed
                && self.started < self.schedule.len()
                && self.schedule[self.started].start <= now
            {
                let index = self.started;
                self.apply(shared, n, index, true);
                self.started += 1;
            } else {
                return self.healed == self.schedule.len();
            }
        }
    }

    fn apply<A: Actor>(&self, shared: &Shared<A>, n: usize, index: usize, on: bool) {
        let s = &self.schedule[index];
        // Held while the fault starts or heals, so that what it does
        // (a datagram cut) is logged between its start and its heal.
        let mut events = lock(&shared.events);
        events.push(Event {
            at: shared.start.elapsed(),
            node: s.fault.node(),
            // The driver's event, not the node's: no Lamport time.
            lamport: 0,
            sent_lamport: None,
            kind: EventKind::Nemesis { index, healed: !on },
        });
        match &s.fault {
            Fault::Partition(_) => {
                for from in 0..n {
                    for to in 0..n {
                        if s.fault.cuts(n, from, to) {
                            shared.cut[from * n + to].store(on, Ordering::SeqCst);
                        }
                    }
                }
            }
            Fault::Pause(k) => shared.paused[*k].store(on, Ordering::SeqCst),
            // The node's thread restarts it from its storage file when
            // this is over.
            Fault::Kill(k) if on => {
                shared.pending.fetch_add(1, Ordering::SeqCst);
                *lock(&shared.crash[*k]) = Some(s.end.saturating_sub(s.start));
            }
            Fault::Kill(_) => {}
        }
        drop(events);
    }
}

/// What becomes of one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fate {
    pub lost: bool,
    pub duplicated: bool,
}

/// Whether the datagram `bytes`, sent from `from` to `to` for the `nth`
/// time (0 the first) by that sender to that receiver, is lost, and if
/// not, whether it is sent twice: a hash of all of them and the seed,
/// compared with the probabilities.
pub fn decide(
    seed: u64,
    loss: f64,
    duplicate: f64,
    from: usize,
    to: usize,
    bytes: &[u8],
    nth: u64,
) -> Fate {
    // FNV-1a over the bytes, then SplitMix's finalizer over the rest.
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01B3);
    }
    let mix = |x: u64| SplitMix::new(x).next_u64();
    let key = mix(seed ^ mix(h ^ mix((from as u64) << 32 | to as u64) ^ mix(nth)));
    let unit = |x: u64| (mix(x) >> 11) as f64 / (1u64 << 53) as f64;
    let lost = unit(key ^ 1) < loss;
    Fate {
        lost,
        duplicated: !lost && unit(key ^ 2) < duplicate,
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same datagram, the same fate, call after call; a different seed
    /// or a different repetition count, other fates.
    #[test]
    fn a_datagrams_fate_follows_the_seed_not_the_call_order() {
        let msg = br#"{"Put":{"value":1}}"#;
        let fates = |seed| -> Vec<Fate> {
            (0..200)
                .map(|nth| decide(seed, 0.3, 0.2, 1, 2, msg, nth))
                .collect()
        };
        let a = fates(7);
        // Asked again, in reverse order and interleaved with other
        // datagrams: the same answers.
        let mut again: Vec<Fate> = (0..200)
            .rev()
            .map(|nth| {
                let _ = decide(7, 0.3, 0.2, 2, 1, b"other", nth);
                decide(7, 0.3, 0.2, 1, 2, msg, nth)
            })
            .collect();
        again.reverse();
        assert_eq!(a, again);
        assert_ne!(a, fates(8), "another seed, other fates");
        let lost = a.iter().filter(|f| f.lost).count();
        let dup = a.iter().filter(|f| f.duplicated).count();
        assert!((30..=90).contains(&lost), "{lost} of 200 lost at 0.3");
        assert!(dup > 0 && !a.iter().any(|f| f.lost && f.duplicated));
        // The receiver counts too.
        let other: Vec<Fate> = (0..200)
            .map(|nth| decide(7, 0.3, 0.2, 1, 3, msg, nth))
            .collect();
        assert_ne!(a, other);
        assert!(!decide(7, 0.0, 0.0, 1, 2, msg, 0).lost);
        assert!(decide(7, 1.0, 0.0, 1, 2, msg, 0).lost);
    }

    /// The same seed prints the same schedule; another seed another.
    #[test]
    fn the_schedule_follows_the_seed() {
        let kinds = parse_kinds("partition,kill,pause").unwrap();
        let d = Duration::from_secs(5);
        let name = |i: usize| format!("node {i}");
        let lines = |seed| -> Vec<String> {
            schedule(&kinds, 5, seed, d)
                .iter()
                .map(|s| s.line(&name))
                .collect()
        };
        assert_eq!(lines(3), lines(3));
        assert_ne!(lines(3), lines(4));
        let s = schedule(&kinds, 5, 3, d);
        assert_eq!(s.len(), 6);
        for k in Kind::ALL {
            assert!(s.iter().any(|f| f.fault.kind() == k), "{k} missing: {s:?}");
        }
        // One at a time, each healed, all within the run.
        for w in s.windows(2) {
            assert!(w[0].end <= w[1].start, "{s:?}");
        }
        assert!(s.iter().all(|f| f.start < f.end && f.end < d));
    }

    /// Each shape cuts what Jepsen's does, among 5 nodes.
    #[test]
    fn partition_shapes_cut_what_they_say() {
        let n = 5;
        let cut = |f: &Fault| {
            let mut v = Vec::new();
            for a in 0..n {
                for b in 0..n {
                    if f.cuts(n, a, b) {
                        v.push((a, b));
                    }
                }
            }
            v
        };
        let iso = Fault::Partition(Shape::Isolate(2));
        assert_eq!(cut(&iso).len(), 8);
        let one_way = Fault::Partition(Shape::OneWay(2));
        assert_eq!(cut(&one_way), vec![(2, 0), (2, 1), (2, 3), (2, 4)]);
        let split = Fault::Partition(Shape::Split {
            minority: vec![0, 4],
        });
        assert_eq!(cut(&split).len(), 12);
        let ring = Fault::Partition(Shape::Ring {
            order: vec![0, 1, 2, 3, 4],
            reach: 1,
        });
        // Node 0 sees 4, 0, 1: a majority; 1 sees 0, 1, 2: another.
        for a in 0..n {
            let sees = (0..n).filter(|&b| !ring.cuts(n, a, b)).count();
            assert_eq!(sees, 3, "node {a}");
        }
        assert!(!Fault::Kill(1).cuts(n, 1, 2));
        // Three nodes: no ring cuts anything, so none is drawn.
        for seed in 0..50 {
            let mut rng = SplitMix::new(seed);
            let f = partition(3, &mut rng);
            let any = (0..3).any(|a| (0..3).any(|b| f.cuts(3, a, b)));
            assert!(any, "{f:?}");
            assert!(!matches!(f, Fault::Partition(Shape::Ring { .. })));
        }
    }

    #[test]
    fn unknown_kinds_name_the_valid_ones() {
        assert_eq!(
            parse_kinds("pause,partition,pause").unwrap(),
            vec![Kind::Partition, Kind::Pause]
        );
        let err = parse_kinds("partition,chaos").unwrap_err();
        assert!(err.contains("\"chaos\"") && err.contains("partition, kill, pause"));
    }
}
