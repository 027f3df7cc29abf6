//! The search: Wing & Gong's linearizability check as Lowe made it fast
//! ("Testing for linearizability", 2017) and Porcupine implements it.
//!
//! The history is a doubly linked list of call and return entries in time
//! order. The search walks it from the front: at a call it tries to
//! linearize that operation next (the sequential object must accept it in
//! the current state); on success the operation's call and return are
//! unlinked and the walk restarts at the front. Reaching a return means the
//! operation it ends must already have been linearized and was not: the
//! search undoes its last choice (relinking that operation) and tries the
//! entry after it. The history is linearizable when the list is empty,
//! and not when it must undo with nothing to undo.
//!
//! Memoisation: a configuration is the set of linearized operations (a
//! bitset) with the object's state; the continuation depends only on it, so
//! a configuration met before is never explored again. The bitset's hash is
//! kept incrementally (a random word per operation, xored in and out).

use crate::model::{Op, Val};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// One operation as the search sees it.
#[derive(Clone, Debug)]
pub struct Item {
    pub op: Op,
    pub call: u64,
    /// `None`: pending to the end (outcome unknown).
    pub ret: Option<u64>,
}

const NIL: u32 = u32::MAX;

/// The cache's keys are already mixed; hash them as they are.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

/// Configurations seen, by hash: (linearized set, state).
type Cache = HashMap<u64, Vec<(Box<[u64]>, Val)>, BuildHasherDefault<Identity>>;

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// What one search did: its verdict and how much it explored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Configurations (linearized set, state) stored in the cache.
    pub configurations: usize,
    /// Times the search undid a choice.
    pub backtracks: usize,
}

/// The operations the search must place. Left out: reads whose result is
/// unknown (they constrain and change nothing), and, when the key has no
/// append, pending writes and cas whose value no one ever observed (no read
/// returned it and no cas compares with it). Such a write, if it took
/// effect, must be followed by another write before any read or successful
/// cas (nothing reads its value) with only pending cas between, which fail
/// on it; so the same order without it, those pending cas moved to the end
/// (pending operations have no completion to respect), is a linearization
/// too: it is as good as never happening. Jepsen histories have many
/// pending writes of values never read; each would double the
/// configurations of a failing search.
fn relevant(items: &[Item]) -> Vec<&Item> {
    let mut items: Vec<&Item> = items.iter().filter(|i| !i.op.is_inert()).collect();
    let reads: Vec<&Val> = items
        .iter()
        .filter_map(|i| match &i.op {
            Op::Read(Some(v)) => Some(v),
            _ => None,
        })
        .collect();
    let has_cas = items.iter().any(|i| matches!(i.op, Op::Cas { .. }));
    if items.iter().any(|i| matches!(i.op, Op::Append(_))) {
        // A pending append no read shows (appends only extend a value, so
        // every read after it shows it until a write) is as good as never
        // happening, by the same argument; cas compares whole values, so
        // with a cas nothing is left out.
        if has_cas {
            return items;
        }
        let shown = |v: &Val| {
            reads.iter().any(|r| match (r, v) {
                (Val::Str(r), Val::Str(v)) => r.contains(&**v),
                (Val::List(l), v) => l.contains(v),
                _ => false,
            })
        };
        items.retain(|i| !(i.ret.is_none() && matches!(&i.op, Op::Append(v) if !shown(v))));
        return items;
    }
    let mut observed: std::collections::HashSet<&Val> = reads.into_iter().collect();
    for i in &items {
        if let Op::Cas { from, .. } = &i.op {
            observed.insert(from);
        }
    }
    let unobserved = |i: &Item| {
        i.ret.is_none()
            && match &i.op {
                Op::Write(v) | Op::Cas { to: v, .. } => !observed.contains(v),
                _ => false,
            }
    };
    items.retain(|i| !unobserved(i));
    items
}

/// Whether the operations are linearizable with respect to one register
/// that starts `null`.
pub fn linearizable(items: &[Item]) -> (bool, Stats) {
    linearizable_within(items, usize::MAX).expect("no budget")
}

/// [`linearizable`], or `None` once the cache holds more than `budget`
/// configurations.
pub fn linearizable_within(items: &[Item], budget: usize) -> Option<(bool, Stats)> {
    let items = relevant(items);
    let n = items.len();
    let mut stats = Stats::default();
    if n == 0 {
        return Some((true, stats));
    }
    assert!(2 * n + 1 < NIL as usize, "history too long for one search");
    // Entries in time order; at equal times calls come first (concurrent).
    let mut events: Vec<(u64, bool, u32)> = Vec::with_capacity(2 * n);
    for (i, it) in items.iter().enumerate() {
        events.push((it.call, false, i as u32));
        events.push((it.ret.unwrap_or(u64::MAX), true, i as u32));
    }
    events.sort_unstable();
    // Node 0 is the head; node k is events[k - 1].
    let len = 2 * n + 1;
    let mut next: Vec<u32> = (1..=len as u32).collect();
    next[len - 1] = NIL;
    let mut prev: Vec<u32> = (0..len as u32).map(|k| k.wrapping_sub(1)).collect();
    prev[0] = NIL;
    let mut op_of = vec![0u32; len];
    let mut is_return = vec![false; len];
    let mut return_node = vec![0u32; n];
    for (k, &(_, ret, op)) in events.iter().enumerate() {
        op_of[k + 1] = op;
        is_return[k + 1] = ret;
        if ret {
            return_node[op as usize] = (k + 1) as u32;
        }
    }
    let unlink = |next: &mut Vec<u32>, prev: &mut Vec<u32>, x: u32| {
        let (p, q) = (prev[x as usize], next[x as usize]);
        next[p as usize] = q;
        if q != NIL {
            prev[q as usize] = p;
        }
    };
    let relink = |next: &mut Vec<u32>, prev: &mut Vec<u32>, x: u32| {
        let (p, q) = (prev[x as usize], next[x as usize]);
        next[p as usize] = x;
        if q != NIL {
            prev[q as usize] = x;
        }
    };
    let zobrist: Vec<u64> = (0..n as u64).map(splitmix).collect();
    let words = n.div_ceil(64);
    let mut bits = vec![0u64; words];
    let mut hash = 0u64;
    let mut cache: Cache = HashMap::default();
    let mut stack: Vec<(u32, Val)> = Vec::new();
    let mut state = Val::Null;
    let mut entry = next[0];
    while next[0] != NIL {
        let op = op_of[entry as usize] as usize;
        if !is_return[entry as usize] {
            if let Some(new) = items[op].op.step(&state) {
                bits[op / 64] |= 1 << (op % 64);
                hash ^= zobrist[op];
                let bucket = cache.entry(hash ^ new.fast_hash()).or_default();
                if bucket.iter().any(|(b, s)| **b == *bits && *s == new) {
                    bits[op / 64] &= !(1 << (op % 64));
                    hash ^= zobrist[op];
                    entry = next[entry as usize];
                } else {
                    bucket.push((bits.clone().into_boxed_slice(), new.clone()));
                    stats.configurations += 1;
                    if stats.configurations > budget {
                        return None;
                    }
                    stack.push((entry, std::mem::replace(&mut state, new)));
                    unlink(&mut next, &mut prev, entry);
                    unlink(&mut next, &mut prev, return_node[op]);
                    entry = next[0];
                }
            } else {
                entry = next[entry as usize];
            }
        } else {
            let Some((call, before)) = stack.pop() else {
                return Some((false, stats));
            };
            stats.backtracks += 1;
            state = before;
            let op = op_of[call as usize] as usize;
            bits[op / 64] &= !(1 << (op % 64));
            hash ^= zobrist[op];
            relink(&mut next, &mut prev, return_node[op]);
            relink(&mut next, &mut prev, call);
            entry = next[call as usize];
        }
    }
    Some((true, stats))
}

/// The first point where a non-linearizable set of operations fails: the
/// shortest prefix of the history (in its order) that cannot be
/// linearized, operations cut by the prefix counting as pending with an
/// unknown outcome. Adding an invocation to a linearizable prefix keeps it
/// linearizable (the new operation can go last, or not happen), so the
/// shortest failing prefix ends with a completion: the operation returned
/// there (`culprit`, an index into `items`) is the first one whose result
/// no linearization of everything before can give.
///
/// Operations cut by a prefix become pending, and many pending operations
/// (appends above all) can multiply a search's configurations; each prefix
/// search stops after `budget` configurations, and then the answer is
/// `None`, as it is for linearizable items.
pub fn first_failure(items: &[Item], budget: usize) -> Option<Cut> {
    let mut times: Vec<u64> = items
        .iter()
        .flat_map(|i| std::iter::once(i.call).chain(i.ret))
        .collect();
    times.sort_unstable();
    let prefix = |k: usize| -> Vec<(usize, Item)> {
        // Everything at or before times[k - 1].
        let end = if k == 0 { None } else { Some(times[k - 1]) };
        items
            .iter()
            .enumerate()
            .filter(|(_, i)| end.is_some_and(|e| i.call <= e))
            .map(|(idx, i)| {
                let item = match i.ret {
                    Some(r) if end.is_some_and(|e| r <= e) => i.clone(),
                    _ => Item {
                        op: i.op.unknown(),
                        call: i.call,
                        ret: None,
                    },
                };
                (idx, item)
            })
            .collect()
    };
    let fails = |k: usize| -> Option<bool> {
        let p: Vec<Item> = prefix(k).into_iter().map(|(_, i)| i).collect();
        linearizable_within(&p, budget).map(|(ok, _)| !ok)
    };
    let (mut lo, mut hi) = (0, times.len());
    if fails(hi) != Some(true) {
        return None;
    }
    // Invariant: prefix(lo) is linearizable, prefix(hi) is not.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match fails(mid)? {
            true => hi = mid,
            false => lo = mid,
        }
    }
    let end = times[hi - 1];
    let culprit = items
        .iter()
        .position(|i| i.ret == Some(end))
        .expect("a failing prefix ends with a completion");
    let c = &items[culprit];
    let concurrent = prefix(hi)
        .into_iter()
        .map(|(idx, _)| idx)
        .filter(|&idx| {
            let i = &items[idx];
            idx != culprit && i.call < end && i.ret.is_none_or(|r| r > c.call)
        })
        .collect();
    Some(Cut {
        culprit,
        concurrent,
        operations: prefix(hi).len(),
    })
}

/// Where a search first fails (see [`first_failure`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The operation whose completion makes the prefix fail.
    pub culprit: usize,
    /// The operations of the prefix that overlap the culprit in time (any
    /// of them could be ordered either side of it).
    pub concurrent: Vec<usize>,
    /// How many operations the failing prefix holds.
    pub operations: usize,
}
