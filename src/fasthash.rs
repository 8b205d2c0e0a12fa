//! A small, fast, deterministic hasher for the engine's internal lookup tables.
//!
//! The tables are built from the snapshot (produced by the operator, not by end users) and only
//! queried with context values, so the flooding resistance of the standard SipHash buys nothing
//! here, while its cost shows up on every lookup. It also avoids needing randomness on wasm.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash-style multiply-rotate hasher.
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// A set of strings: a list scan for a few entries, a hash set beyond.
#[derive(Clone, Debug)]
pub(crate) enum StrSet {
    Few(Vec<Box<str>>),
    Many(FastSet<Box<str>>),
}

const FEW: usize = 8;

impl StrSet {
    pub(crate) fn new<I: IntoIterator<Item = Box<str>>>(items: I) -> StrSet {
        let items: Vec<Box<str>> = items.into_iter().collect();
        if items.len() <= FEW {
            StrSet::Few(items)
        } else {
            StrSet::Many(items.into_iter().collect())
        }
    }

    #[inline]
    pub(crate) fn contains(&self, item: &str) -> bool {
        match self {
            StrSet::Few(items) => items.iter().any(|candidate| &**candidate == item),
            StrSet::Many(items) => items.contains(item),
        }
    }
}
