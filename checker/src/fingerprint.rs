//! State fingerprints, and the table of states seen.
//!
//! A fingerprint is a 64-bit hash of a state; the explorer keeps only
//! fingerprints of the states it has seen, as TLC and Stateright do, so two
//! states with one fingerprint would be taken for one. With a well-mixed
//! 64-bit hash that happens with probability about n²/2⁶⁵ for n states
//! (about 3·10⁻⁶ at ten million).
//!
//! The hash is our own, and stable: the same value on every platform and
//! every run (no random keys, integers always widened to 64 bits), because
//! state numbering and explorer links must not change between machines. It
//! absorbs each word with a folded multiply (the 128-bit product of two
//! 64-bit numbers, its halves xor-ed), the mixing step of the wyhash family,
//! which is fast and mixes every input bit into every output bit.

use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// Odd 64-bit constants with no structure (the fractional digits of π and
/// e, and the golden ratio).
const SEED: u64 = 0x243F_6A88_85A3_08D3;
const MUL: u64 = 0x9E37_79B9_7F4A_7C15;
const FIN: u64 = 0xB7E1_5162_8AED_2A6B;

#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The fingerprint hasher: feed a state through `Hash`, read `finish`.
#[derive(Clone, Copy, Debug)]
pub struct Fingerprinter {
    h: u64,
}

impl Default for Fingerprinter {
    fn default() -> Self {
        Fingerprinter { h: SEED }
    }
}

impl Hasher for Fingerprinter {
    #[inline(always)]
    fn write_u64(&mut self, x: u64) {
        // The rotation keeps a word equal to the running hash from
        // cancelling it to zero for every later input.
        self.h = folded_multiply(self.h.rotate_left(23) ^ x, MUL);
    }
    #[inline(always)]
    fn write_u8(&mut self, x: u8) {
        self.write_u64(u64::from(x));
    }
    #[inline(always)]
    fn write_u16(&mut self, x: u16) {
        self.write_u64(u64::from(x));
    }
    #[inline(always)]
    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }
    #[inline(always)]
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    #[inline(always)]
    fn write_i8(&mut self, x: i8) {
        self.write_u64(x as i64 as u64);
    }
    #[inline(always)]
    fn write_i16(&mut self, x: i16) {
        self.write_u64(x as i64 as u64);
    }
    #[inline(always)]
    fn write_i32(&mut self, x: i32) {
        self.write_u64(x as i64 as u64);
    }
    #[inline(always)]
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
    #[inline(always)]
    fn write_isize(&mut self, x: isize) {
        self.write_u64(x as i64 as u64);
    }
    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.write_u64(u64::from_le_bytes(w.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(last));
        }
        // The length tells "ab" from "ab\0".
        self.write_u64(bytes.len() as u64);
    }
    #[inline(always)]
    fn finish(&self) -> u64 {
        folded_multiply(self.h ^ FIN, MUL)
    }
}

/// The fingerprint of `value`.
#[inline]
pub fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = Fingerprinter::default();
    value.hash(&mut h);
    h.finish()
}

/// The fingerprints seen so far, each with the state's number when the
/// caller needs it (edges do; a safety check does not), in [`SHARDS`]
/// open-addressing tables with linear probing: 8 bytes a slot, or 12 with
/// numbers, and no allocation per state.
///
/// A fingerprint's low bits pick its shard and its high bits its slot, so
/// the shards can take a batch of new fingerprints in parallel
/// ([`Seen::claim`]): each shard is owned by one worker and walks the batch
/// in order, so the first occurrence of a fingerprint wins whatever the
/// number of workers, and the explorer can number the winners in batch
/// order afterwards.
pub struct Seen {
    shards: Vec<Table>,
    keep_ids: bool,
}

/// The number of shards: a power of two, fixed (not the thread count), so
/// the tables are laid out the same whatever the number of workers.
pub const SHARDS: usize = 16;

#[inline]
fn shard_of(fp: u64) -> usize {
    (fp as usize) & (SHARDS - 1)
}

/// One shard of [`Seen`].
struct Table {
    /// `EMPTY`, or a fingerprint (a fingerprint equal to `EMPTY` is stored
    /// as `EMPTY + 1`, a collision as unlikely as any other).
    keys: Vec<u64>,
    /// Parallel to `keys` when numbers are kept, else empty.
    ids: Vec<u32>,
    len: usize,
    /// `64 - log2(keys.len())`: a slot is picked by the key's high bits.
    shift: u32,
    keep_ids: bool,
}

const EMPTY: u64 = 0;

/// While [`Seen::claim`] runs, a slot claimed in the batch holds the
/// winner's batch index with this bit set, until [`Seen::number`] writes
/// its state number (state numbers stay below it).
const CLAIMED: u32 = 1 << 31;

/// What the table says of a fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Not seen.
    New,
    /// Seen: the state's number, if numbers are kept.
    Seen(Option<u32>),
}

/// What [`Seen::claim`] says of one fingerprint of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Its first occurrence anywhere: a new state.
    New,
    /// Seen earlier in the same batch, first at this batch index (only
    /// when numbers are kept; otherwise `Seen(None)`).
    Earlier(u32),
    /// Seen before the batch: its number, if numbers are kept.
    Seen(Option<u32>),
}

impl Claim {
    const NEW: u64 = 0;
    const EARLIER: u64 = 1 << 32;
    const SEEN: u64 = 2 << 32;
    const SEEN_NO_ID: u64 = 3 << 32;

    fn encode(self) -> u64 {
        match self {
            Claim::New => Self::NEW,
            Claim::Earlier(i) => Self::EARLIER | u64::from(i),
            Claim::Seen(Some(id)) => Self::SEEN | u64::from(id),
            Claim::Seen(None) => Self::SEEN_NO_ID,
        }
    }

    fn decode(x: u64) -> Self {
        match x & !0xFFFF_FFFF {
            Self::NEW => Claim::New,
            Self::EARLIER => Claim::Earlier(x as u32),
            Self::SEEN => Claim::Seen(Some(x as u32)),
            _ => Claim::Seen(None),
        }
    }
}

/// The outcome of [`Seen::claim`] for every fingerprint of a batch, in
/// batch order; its buffer is reused from batch to batch.
#[derive(Default)]
pub struct Claims {
    claims: Vec<AtomicU64>,
}

impl Claims {
    #[inline]
    pub fn get(&self, i: usize) -> Claim {
        Claim::decode(self.claims[i].load(Ordering::Relaxed))
    }

    /// How many fingerprints of the batch are new.
    pub fn fresh(&self) -> usize {
        self.claims
            .iter()
            .filter(|c| Claim::decode(c.load(Ordering::Relaxed)) == Claim::New)
            .count()
    }
}

impl Table {
    fn new(keep_ids: bool) -> Self {
        let cap = 1 << 6;
        Table {
            keys: vec![EMPTY; cap],
            ids: if keep_ids { vec![0; cap] } else { Vec::new() },
            len: 0,
            shift: 64 - cap.trailing_zeros(),
            keep_ids,
        }
    }

    #[inline]
    fn key(fp: u64) -> u64 {
        if fp == EMPTY {
            EMPTY + 1
        } else {
            fp
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    #[inline]
    fn slot(&self, key: u64) -> usize {
        let mask = self.keys.len() - 1;
        let mut i = (key >> self.shift) as usize;
        loop {
            let k = self.keys[i];
            if k == key || k == EMPTY {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn get(&self, fp: u64) -> Lookup {
        let i = self.slot(Self::key(fp));
        if self.keys[i] == EMPTY {
            Lookup::New
        } else {
            Lookup::Seen(self.keep_ids.then(|| self.ids[i]))
        }
    }

    /// Records `fp` with `id` unless it is there already; else gives the
    /// id it has.
    #[inline]
    fn insert(&mut self, fp: u64, id: u32) -> Result<(), Option<u32>> {
        // At most 7/8 full: linear probing stays short with a mixed hash.
        if (self.len + 1) * 8 > self.keys.len() * 7 {
            self.grow();
        }
        let key = Self::key(fp);
        let i = self.slot(key);
        if self.keys[i] != EMPTY {
            return Err(self.keep_ids.then(|| self.ids[i]));
        }
        self.keys[i] = key;
        if self.keep_ids {
            self.ids[i] = id;
        }
        self.len += 1;
        Ok(())
    }

    /// Sets the id of a key that is there.
    #[inline]
    fn set_id(&mut self, fp: u64, id: u32) {
        let i = self.slot(Self::key(fp));
        debug_assert_ne!(self.keys[i], EMPTY);
        self.ids[i] = id;
    }

    fn grow(&mut self) {
        let cap = self.keys.len() * 2;
        let keys = std::mem::replace(&mut self.keys, vec![EMPTY; cap]);
        let ids = std::mem::replace(
            &mut self.ids,
            if self.keep_ids {
                vec![0; cap]
            } else {
                Vec::new()
            },
        );
        self.shift -= 1;
        for (j, key) in keys.into_iter().enumerate() {
            if key != EMPTY {
                let i = self.slot(key);
                self.keys[i] = key;
                if self.keep_ids {
                    self.ids[i] = ids[j];
                }
            }
        }
    }
}

impl Seen {
    pub fn new(keep_ids: bool) -> Self {
        Seen {
            shards: (0..SHARDS).map(|_| Table::new(keep_ids)).collect(),
            keep_ids,
        }
    }

    pub fn len(&self) -> usize {
        self.shards.iter().map(|t| t.len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn get(&self, fp: u64) -> Lookup {
        self.shards[shard_of(fp)].get(fp)
    }

    /// Records `fp` as state `id` unless it is there already; says which.
    #[inline]
    pub fn insert(&mut self, fp: u64, id: u32) -> Lookup {
        assert!(id < CLAIMED, "at most 2^31 states are numbered");
        match self.shards[shard_of(fp)].insert(fp, id) {
            Ok(()) => Lookup::New,
            Err(id) => Lookup::Seen(id),
        }
    }

    /// Inserts a batch of fingerprints (`batch`, its parts in order) and
    /// says, in `claims`, for each whether it is new, repeats an earlier
    /// one of the batch, or was seen before. The shards work in parallel
    /// on `pool`; the outcome is the same for any number of threads. When
    /// numbers are kept, the new ones have none until [`Seen::number`].
    pub fn claim(
        &mut self,
        batch: &[&[u64]],
        pool: Option<&rayon::ThreadPool>,
        claims: &mut Claims,
    ) {
        let n: usize = batch.iter().map(|p| p.len()).sum();
        assert!(n < CLAIMED as usize, "a batch holds fewer than 2^31 states");
        claims.claims.resize_with(n, AtomicU64::default);
        let keep_ids = self.keep_ids;
        let out = &claims.claims;
        // Each group of shards walks the whole batch, in order, and takes
        // the fingerprints that fall in it.
        let run = |first: usize, group: &mut [Table]| {
            let mut i = 0u32;
            for part in batch {
                for &fp in *part {
                    let s = shard_of(fp);
                    if s >= first && s < first + group.len() {
                        let claim = match group[s - first].insert(fp, CLAIMED | i) {
                            Ok(()) => Claim::New,
                            Err(Some(id)) if id & CLAIMED != 0 => Claim::Earlier(id & !CLAIMED),
                            Err(id) => Claim::Seen(id),
                        };
                        debug_assert!(keep_ids || !matches!(claim, Claim::Earlier(_)));
                        out[i as usize].store(claim.encode(), Ordering::Relaxed);
                    }
                    i += 1;
                }
            }
        };
        by_group(&mut self.shards, pool.filter(|_| n > 0), run);
    }

    /// Gives the new fingerprints of the last [`Seen::claim`] their state
    /// numbers: `id(i)` for the one at batch index `i`.
    pub fn number(
        &mut self,
        batch: &[&[u64]],
        claims: &Claims,
        id: impl Fn(usize) -> u32 + Sync,
        pool: Option<&rayon::ThreadPool>,
    ) {
        if !self.keep_ids {
            return;
        }
        let run = |first: usize, group: &mut [Table]| {
            let mut i = 0usize;
            for part in batch {
                for &fp in *part {
                    let s = shard_of(fp);
                    if s >= first && s < first + group.len() && claims.get(i) == Claim::New {
                        let id = id(i);
                        assert!(id < CLAIMED, "at most 2^31 states are numbered");
                        group[s - first].set_id(fp, id);
                    }
                    i += 1;
                }
            }
        };
        by_group(&mut self.shards, pool, run);
    }
}

/// Runs `run(first, group)` on groups of consecutive shards, one group per
/// worker of `pool` (all the shards as one group without a pool); `first`
/// is the group's first shard.
fn by_group(
    shards: &mut [Table],
    pool: Option<&rayon::ThreadPool>,
    run: impl Fn(usize, &mut [Table]) + Sync,
) {
    match pool {
        Some(pool) => {
            let per = SHARDS / pool.current_num_threads().clamp(1, SHARDS);
            pool.install(|| {
                shards
                    .par_chunks_mut(per)
                    .enumerate()
                    .for_each(|(k, group)| run(k * per, group))
            })
        }
        None => run(0, shards),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_is_stable() {
        // Fixed values: a change here changes every exploration's
        // deduplication, so it must be deliberate.
        assert_eq!(fingerprint(&0u64), fingerprint(&0usize));
        assert_eq!(fingerprint(&(1u8, 2i32)), fingerprint(&(1u64, 2u64)));
        assert_ne!(fingerprint(&(1u8, 2u8)), fingerprint(&(2u8, 1u8)));
        assert_ne!(fingerprint("ab"), fingerprint("ab\0"));
        assert_ne!(fingerprint(&vec![0u8; 3]), fingerprint(&vec![0u8; 4]));
        assert_eq!(fingerprint(&[7u32, 9]), 0xf288_f5ab_a02b_e82b);
    }

    #[test]
    fn the_table_finds_what_it_holds() {
        for keep_ids in [false, true] {
            let mut seen = Seen::new(keep_ids);
            for n in 0..100_000u32 {
                assert_eq!(seen.insert(fingerprint(&n), n), Lookup::New);
            }
            assert_eq!(seen.len(), 100_000);
            for n in (0..100_000u32).step_by(7) {
                let expected = Lookup::Seen(keep_ids.then_some(n));
                assert_eq!(seen.get(fingerprint(&n)), expected);
                assert_eq!(seen.insert(fingerprint(&n), 0), expected);
            }
            assert_eq!(seen.get(fingerprint(&100_000u32)), Lookup::New);
            // A fingerprint equal to the empty marker is still a key.
            assert_eq!(seen.insert(EMPTY, 5), Lookup::New);
            assert_eq!(seen.get(EMPTY), Lookup::Seen(keep_ids.then_some(5)));
        }
    }

    /// One batch of parts with repeats inside the batch and repeats of
    /// what the table held: the claims, then the numbers, are the same
    /// with no pool and with pools of 1, 2 and 3 threads.
    #[test]
    fn a_batch_is_claimed_alike_for_any_thread_count() {
        let fps = |r: std::ops::Range<u32>| r.map(|n| fingerprint(&n)).collect::<Vec<_>>();
        let (a, b, c) = (fps(0..500), fps(250..900), fps(100..120));
        let batch: Vec<&[u64]> = vec![&a, &b, &c];
        let run = |threads: Option<usize>| {
            let pool = threads.map(|n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .unwrap()
            });
            let mut seen = Seen::new(true);
            for n in 800..1000u32 {
                seen.insert(fingerprint(&n), 10_000 + n);
            }
            let mut claims = Claims::default();
            seen.claim(&batch, pool.as_ref(), &mut claims);
            let got: Vec<Claim> = (0..a.len() + b.len() + c.len())
                .map(|i| claims.get(i))
                .collect();
            seen.number(&batch, &claims, |i| i as u32, pool.as_ref());
            let ids: Vec<Lookup> = (0..1000u32).map(|n| seen.get(fingerprint(&n))).collect();
            (got, ids)
        };
        let (claims, ids) = run(None);
        // 0..500 are new; 250..500 repeat the first part; 500..800 are
        // new; 800..900 were there; 100..120 repeat the first part.
        assert_eq!(claims[0], Claim::New);
        assert_eq!(claims[500], Claim::Earlier(250));
        assert_eq!(claims[500 + 250], Claim::New);
        assert_eq!(claims[500 + 550], Claim::Seen(Some(10_800)));
        assert_eq!(claims[1150], Claim::Earlier(100));
        assert_eq!(ids[600], Lookup::Seen(Some(500 + 350)));
        assert_eq!(ids[900], Lookup::Seen(Some(10_900)));
        for threads in [1, 2, 3] {
            assert_eq!(
                run(Some(threads)),
                (claims.clone(), ids.clone()),
                "{threads} threads"
            );
        }
    }
}
