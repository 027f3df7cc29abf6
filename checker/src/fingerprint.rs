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

use std::hash::{Hash, Hasher};

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
/// caller needs it (edges do; a safety check does not), in one open-
/// addressing table with linear probing: 8 bytes a slot, or 12 with
/// numbers, and no allocation per state.
pub struct Seen {
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

/// What the table says of a fingerprint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Not seen.
    New,
    /// Seen: the state's number, if numbers are kept.
    Seen(Option<u32>),
}

impl Seen {
    pub fn new(keep_ids: bool) -> Self {
        let cap = 1 << 10;
        Seen {
            keys: vec![EMPTY; cap],
            ids: if keep_ids { vec![0; cap] } else { Vec::new() },
            len: 0,
            shift: 64 - cap.trailing_zeros(),
            keep_ids,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
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
    pub fn get(&self, fp: u64) -> Lookup {
        let key = Self::key(fp);
        let i = self.slot(key);
        if self.keys[i] == EMPTY {
            Lookup::New
        } else {
            Lookup::Seen(self.keep_ids.then(|| self.ids[i]))
        }
    }

    /// Records `fp` as state `id` unless it is there already; says which.
    #[inline]
    pub fn insert(&mut self, fp: u64, id: u32) -> Lookup {
        // At most 7/8 full: linear probing stays short with a mixed hash.
        if (self.len + 1) * 8 > self.keys.len() * 7 {
            self.grow();
        }
        let key = Self::key(fp);
        let i = self.slot(key);
        if self.keys[i] != EMPTY {
            return Lookup::Seen(self.keep_ids.then(|| self.ids[i]));
        }
        self.keys[i] = key;
        if self.keep_ids {
            self.ids[i] = id;
        }
        self.len += 1;
        Lookup::New
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
}
