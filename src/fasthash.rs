//! A small, fast hasher for the engine's internal lookup tables, started from a secret seed.
//!
//! The tables are built from the snapshot and queried with context values. Whoever writes a
//! snapshot must not be able to choose keys that hash alike: with a known starting state, the
//! second word of a key can be chosen to cancel the first, and a set of 100,000 such keys took
//! seconds to build and tens of milliseconds to look up in. So the hash starts from a secret
//! seed (drawn once per process natively; given by the JavaScript SDK from
//! `crypto.getRandomValues` in WebAssembly) and ends with a full-avalanche mix, so that keys
//! differing only in their last bytes spread over the table too. Nothing the engine answers
//! depends on the seed: tables keep their keys in insertion order and only find them faster.

use std::hash::Hasher;

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
        // Array references make each word one load (a slice copy stays a call in a
        // size-optimised WebAssembly build).
        let mut rest = bytes;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*chunk));
            rest = tail;
        }
        if rest.is_empty() {
            return;
        }
        if let Some(last) = bytes.last_chunk::<8>() {
            // The last eight bytes, overlapping a word already added: one load for the tail of
            // any key of eight bytes or more.
            self.add(u64::from_le_bytes(*last));
        } else {
            // Byte by byte: a copy of variable length into a word is a call in WebAssembly.
            let word = rest
                .iter()
                .rev()
                .fold(0, |word, &byte| (word << 8) | u64::from(byte));
            self.add(word);
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

/// Whether two byte strings are equal, compared a word at a time in place: in WebAssembly a
/// comparison of variable length is a call into a byte loop, which costs more than the
/// comparison itself for the short keys, names and operands that loading and evaluation compare.
#[inline]
pub(crate) fn same_bytes(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    if left.len() < 8 {
        if let (Some(left_head), Some(right_head), Some(left_tail), Some(right_tail)) = (
            left.first_chunk::<4>(),
            right.first_chunk::<4>(),
            left.last_chunk::<4>(),
            right.last_chunk::<4>(),
        ) {
            // Four to seven bytes: two overlapping words cover them.
            return left_head == right_head && left_tail == right_tail;
        }
        return left.iter().zip(right).all(|(a, b)| a == b);
    }
    let (mut left_rest, mut right_rest) = (left, right);
    while let (Some((a, left_tail)), Some((b, right_tail))) = (
        left_rest.split_first_chunk::<8>(),
        right_rest.split_first_chunk::<8>(),
    ) {
        if a != b {
            return false;
        }
        (left_rest, right_rest) = (left_tail, right_tail);
    }
    // The last eight bytes, overlapping words already compared.
    left.last_chunk::<8>() == right.last_chunk::<8>()
}

/// A set of strings packed into one buffer: a scan for a few entries, an open-addressing table of
/// indices beyond. A large segment list costs three allocations instead of one per key, which is
/// most of what loading a big snapshot allocates.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrSet {
    text: String,
    /// End offset in `text` of each key, in insertion order (a key starts where the previous ends).
    ends: Vec<u32>,
    /// Empty for small sets; otherwise a power-of-two table of key index + 1 (0 = free slot).
    table: Vec<u32>,
}

/// Up to this many keys, a scan beats hashing.
const FEW: usize = 8;

fn hash_str(item: &str) -> u64 {
    hash_bytes(item.as_bytes())
}

fn hash_bytes(item: &[u8]) -> u64 {
    let mut hasher = FastHasher(seed::get());
    hasher.write(item);
    mix(hasher.finish())
}

/// Every bit of `hash` moves every bit of the result (MurmurHash3's 64-bit finaliser), so the
/// table's low-bit mask sees all of it: a multiply only carries upward, and keys differing in
/// their last bytes would otherwise differ only in high bits.
#[inline]
fn mix(mut hash: u64) -> u64 {
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^ (hash >> 33)
}

/// The secret seed of every table's hash.
pub(crate) mod seed {
    /// Natively: drawn once per process from the standard library's random source.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn get() -> u64 {
        use std::hash::BuildHasher;
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        *SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0x5eed_u64))
    }

    #[cfg(target_arch = "wasm32")]
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

    /// In WebAssembly the standard library has no random source: the SDK sets the seed once,
    /// right after instantiating, before any table is built.
    #[cfg(target_arch = "wasm32")]
    static SEED: AtomicU64 = AtomicU64::new(0x243f_6a88_85a3_08d3);
    #[cfg(target_arch = "wasm32")]
    static SET: AtomicBool = AtomicBool::new(false);

    #[cfg(target_arch = "wasm32")]
    pub(crate) fn get() -> u64 {
        SEED.load(Relaxed)
    }

    /// Sets the seed, once: tables already built would no longer find their keys under
    /// another, so later calls change nothing.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn set(seed: u64) {
        if !SET.swap(true, Relaxed) {
            SEED.store(seed, Relaxed);
        }
    }
}

/// Appends `key` to packed keys: its text, and where it ends.
#[inline]
fn pack(text: &mut String, ends: &mut Vec<u32>, key: &str) {
    text.push_str(key);
    // Offsets are bounded by the document size limit, far below u32::MAX.
    ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
}

/// Puts key number `index` into the first free slot from its hash's (a table at most half full
/// always has one).
fn place(table: &mut [u32], hash: u64, index: usize) {
    let mask = table.len().wrapping_sub(1);
    let mut slot = hash as usize & mask;
    while let Some(entry) = table.get_mut(slot) {
        if *entry == 0 {
            *entry = u32::try_from(index + 1).unwrap_or(u32::MAX);
            return;
        }
        slot = (slot + 1) & mask;
    }
}

impl StrSet {
    pub(crate) fn new<'k, I>(items: I) -> StrSet
    where
        I: IntoIterator<Item = &'k str>,
        I::IntoIter: Clone,
    {
        let items = items.into_iter();
        // Sized exactly up front: growing the buffer key by key would reallocate it repeatedly.
        let (bytes, count) = items.clone().fold((0, 0), |(bytes, count), item| {
            (bytes + item.len(), count + 1)
        });
        let mut set = StrSet {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
            table: Vec::new(),
        };
        for item in items {
            pack(&mut set.text, &mut set.ends, item);
        }
        set.seal();
        set
    }

    /// Makes the table of a set packed key by key that will not grow again, sized for at most
    /// half full.
    fn seal(&mut self) {
        if self.ends.len() > FEW {
            self.rebuild(self.ends.len() * 2);
        }
    }

    /// The position of the first key longer than `max` bytes, and the key.
    pub(crate) fn first_longer_than(&self, max: usize) -> Option<(usize, &str)> {
        let mut start = 0;
        self.ends.iter().enumerate().find_map(|(index, &end)| {
            let length = (end as usize).saturating_sub(start);
            start = end as usize;
            if length > max {
                self.key(index).map(|key| (index, key))
            } else {
                None
            }
        })
    }

    /// An empty set with room for `count` keys of `bytes` bytes in all, so inserting them
    /// never regrows it.
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> StrSet {
        let mut set = StrSet {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(count),
            table: Vec::new(),
        };
        if count > FEW {
            set.table = vec![0; (count * 4).next_power_of_two()];
        }
        set
    }

    /// Adds `item` unless it is there; returns its index and whether it was added. Sets that
    /// grow key by key (the compiler's lookup tables) use this; `new` packs a known list.
    pub(crate) fn insert(&mut self, item: &str) -> (usize, bool) {
        if let Some(index) = self.find(item) {
            return (index, false);
        }
        pack(&mut self.text, &mut self.ends, item);
        let index = self.ends.len() - 1;
        // A table made by `with_capacity` is used from the first key; otherwise one is made once
        // the set outgrows a scan.
        if !self.table.is_empty() || self.ends.len() > FEW {
            if self.ends.len() * 2 > self.table.len() {
                // Room to grow to twice the keys before the next rebuild.
                self.rebuild(self.ends.len() * 4);
            } else {
                self.place(index);
            }
        }
        (index, true)
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Makes a table of at least `slots` slots (a power of two) and places every key, walking
    /// the packed keys once (a large segment list is placed key after key while loading).
    fn rebuild(&mut self, slots: usize) {
        let size = slots.next_power_of_two();
        self.table = vec![0; size];
        let bytes = self.text.as_bytes();
        let mut start = 0;
        for (index, &end) in self.ends.iter().enumerate() {
            let key = bytes.get(start..end as usize).unwrap_or_default();
            start = end as usize;
            place(&mut self.table, hash_bytes(key), index);
        }
    }

    fn place(&mut self, index: usize) {
        let Some(key) = self.key(index) else { return };
        let hash = hash_str(key);
        place(&mut self.table, hash, index);
    }

    /// Where key number `index` starts and ends in `text`.
    #[inline]
    fn span(&self, index: usize) -> Option<std::ops::Range<usize>> {
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)? as usize,
        };
        Some(start..*self.ends.get(index)? as usize)
    }

    /// The bytes of key number `index` (no character-boundary checks, for comparing).
    #[inline]
    fn key_bytes(&self, index: usize) -> Option<&[u8]> {
        self.text.as_bytes().get(self.span(index)?)
    }

    fn key(&self, index: usize) -> Option<&str> {
        self.text.get(self.span(index)?)
    }

    #[inline]
    pub(crate) fn contains(&self, item: &str) -> bool {
        self.find(item).is_some()
    }

    /// The insertion index of `item` (of one of its copies, if it was inserted more than once).
    #[inline]
    pub(crate) fn find(&self, item: &str) -> Option<usize> {
        let wanted = item.as_bytes();
        if self.table.is_empty() {
            // Lengths first: most keys differ in length, and bytes compare without the
            // character-boundary checks of slicing text.
            let bytes = self.text.as_bytes();
            let mut start = 0;
            for (index, &end) in self.ends.iter().enumerate() {
                let end = end as usize;
                if end.wrapping_sub(start) == wanted.len()
                    && bytes
                        .get(start..end)
                        .is_some_and(|key| same_bytes(key, wanted))
                {
                    return Some(index);
                }
                start = end;
            }
            return None;
        }
        let mask = self.table.len() - 1;
        let mut slot = hash_str(item) as usize & mask;
        // The table is at most half full, so a free slot always ends the probe.
        loop {
            match self.table.get(slot).copied() {
                None | Some(0) => return None,
                Some(entry) => {
                    let index = entry as usize - 1;
                    if self
                        .key_bytes(index)
                        .is_some_and(|key| same_bytes(key, wanted))
                    {
                        return Some(index);
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Whether the set has no keys.
    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The most slots a lookup of one of the keys walks.
    #[cfg(test)]
    fn longest_probe(&self) -> usize {
        let mask = self.table.len().wrapping_sub(1);
        (0..self.ends.len())
            .filter_map(|index| {
                let key = self.key(index)?;
                let home = hash_str(key) as usize & mask;
                let at = self
                    .table
                    .iter()
                    .position(|&entry| entry as usize == index + 1)?;
                Some(at.wrapping_sub(home) & mask)
            })
            .max()
            .unwrap_or(0)
    }
}

/// Packs lists of keys read one at a time into [`StrSet`]s: the keys gather in buffers reused
/// for every list, and each finished list is copied out at its exact size in two copies, so a
/// large segment list costs neither a string per key nor repeated regrowth.
#[derive(Debug, Default)]
pub(crate) struct KeyPacker {
    text: String,
    ends: Vec<u32>,
}

impl KeyPacker {
    /// Adds the next key of the list being packed.
    pub(crate) fn push(&mut self, key: &str) {
        pack(&mut self.text, &mut self.ends, key);
    }

    /// Number of keys in the list being packed.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The list packed so far as a set; the packer starts the next list empty.
    pub(crate) fn finish(&mut self) -> StrSet {
        let mut set = StrSet {
            text: String::from(self.text.as_str()),
            ends: self.ends.clone(),
            table: Vec::new(),
        };
        self.text.clear();
        self.ends.clear();
        set.seal();
        set
    }
}

/// A map from distinct strings to values, with the keys packed as in [`StrSet`]: a flag's
/// thousands of per-user overrides cost a few allocations, not one per key.
#[derive(Clone, Debug)]
pub(crate) struct StrMap<V> {
    keys: StrSet,
    values: Vec<V>,
}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap {
            keys: StrSet::default(),
            values: Vec::new(),
        }
    }
}

impl<V> StrMap<V> {
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.values.get(self.keys.find(key)?)
    }

    /// An empty map with room for `count` keys of `bytes` bytes in all.
    pub(crate) fn with_capacity(count: usize, bytes: usize) -> StrMap<V> {
        StrMap {
            keys: StrSet::with_capacity(count, bytes),
            values: Vec::with_capacity(count),
        }
    }

    /// The value of `key`, inserting `make()` first if the key is new.
    pub(crate) fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &V {
        let (index, added) = self.keys.insert(key);
        if added {
            self.values.push(make());
        }
        &self.values[index]
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Finds an item of a list by its key without copying any key: an open-addressing table of
/// positions in the list, which the caller resolves to keys. Loading thousands of flags then
/// costs one allocation for the index instead of one per key.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyIndex {
    /// Power-of-two table of position + 1 (0 = free slot), at most half full.
    table: Box<[u32]>,
}

impl KeyIndex {
    /// An index with room for `count` keys.
    pub(crate) fn with_capacity(count: usize) -> KeyIndex {
        let size = (count.saturating_mul(2)).max(8).next_power_of_two();
        KeyIndex {
            table: vec![0; size].into_boxed_slice(),
        }
    }

    /// Records `position` for `key` unless the key is already there; returns the position that
    /// was already there. `key_of` gives the key at a recorded position. The index must have been
    /// made with room for every key inserted.
    pub(crate) fn insert<'k>(
        &mut self,
        key: &str,
        position: u32,
        key_of: impl Fn(u32) -> Option<&'k str>,
    ) -> Option<u32> {
        let mask = self.table.len().checked_sub(1)?;
        let mut slot = hash_str(key) as usize & mask;
        loop {
            let entry = self.table.get_mut(slot)?;
            if *entry == 0 {
                *entry = position.saturating_add(1);
                return None;
            }
            let existing = *entry - 1;
            if key_of(existing).is_some_and(|found| same_bytes(found.as_bytes(), key.as_bytes())) {
                return Some(existing);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The position recorded for `key`.
    #[inline]
    pub(crate) fn get<'k>(
        &self,
        key: &str,
        key_of: impl Fn(u32) -> Option<&'k str>,
    ) -> Option<u32> {
        let mask = self.table.len().checked_sub(1)?;
        let mut slot = hash_str(key) as usize & mask;
        // The table is at most half full, so a free slot always ends the probe.
        loop {
            match self.table.get(slot).copied() {
                None | Some(0) => return None,
                Some(entry) => {
                    if key_of(entry - 1)
                        .is_some_and(|found| same_bytes(found.as_bytes(), key.as_bytes()))
                    {
                        return Some(entry - 1);
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// A map from `u32` keys (never `u32::MAX`) to small values: a scan while short, an
/// open-addressing table beyond. Starts without allocating.
#[derive(Clone, Debug)]
pub(crate) struct U32Map<V> {
    /// Short: entries in insertion order. Hashed: a power-of-two table at most half full, whose
    /// free slots have key `u32::MAX`.
    entries: Vec<(u32, V)>,
    layout: Layout,
    len: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Short,
    Hashed,
}

impl<V> Default for U32Map<V> {
    fn default() -> Self {
        U32Map {
            entries: Vec::new(),
            layout: Layout::Short,
            len: 0,
        }
    }
}

impl<V: Copy> U32Map<V> {
    fn slot_of(&self, key: u32) -> usize {
        let mask = self.entries.len() - 1;
        let mut slot = (u64::from(key).wrapping_mul(K) >> 32) as usize & mask;
        while let Some(&(taken, _)) = self.entries.get(slot) {
            if taken == key || taken == u32::MAX {
                break;
            }
            slot = (slot + 1) & mask;
        }
        slot
    }

    #[inline]
    pub(crate) fn get(&self, key: u32) -> Option<V> {
        let slot = match self.layout {
            Layout::Short => {
                return self
                    .entries
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|&(_, v)| v);
            }
            Layout::Hashed => self.slot_of(key),
        };
        match self.entries.get(slot) {
            Some(&(k, v)) if k == key => Some(v),
            _ => None,
        }
    }

    /// Sets the value of `key`.
    #[inline]
    pub(crate) fn insert(&mut self, key: u32, value: V) {
        match self.layout {
            Layout::Short => {
                if let Some(entry) = self.entries.iter_mut().find(|(k, _)| *k == key) {
                    entry.1 = value;
                    return;
                }
                if self.entries.len() < FEW {
                    self.entries.push((key, value));
                    self.len += 1;
                    return;
                }
                self.grow(value);
            }
            Layout::Hashed if (self.len + 1) * 2 > self.entries.len() => self.grow(value),
            Layout::Hashed => {}
        }
        let slot = self.slot_of(key);
        if let Some(entry) = self.entries.get_mut(slot) {
            if entry.0 == u32::MAX {
                self.len += 1;
            }
            *entry = (key, value);
        }
    }

    /// Moves to a hashed table four times the entries (`filler` is any value, for the free
    /// slots).
    fn grow(&mut self, filler: V) {
        let size = ((self.len + 1) * 4).next_power_of_two();
        let old = std::mem::replace(&mut self.entries, vec![(u32::MAX, filler); size]);
        self.layout = Layout::Hashed;
        for (key, value) in old {
            if key != u32::MAX {
                let slot = self.slot_of(key);
                if let Some(entry) = self.entries.get_mut(slot) {
                    *entry = (key, value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Keys of two words whose second word cancels the first under the hash started from zero:
    /// every one of them hashed alike before the hash had a secret seed.
    fn keys_colliding_without_a_seed(count: usize) -> Vec<String> {
        let mut keys = Vec::with_capacity(count);
        let mut counter: u64 = 0;
        while keys.len() < count {
            counter += 1;
            let mut first = [b'a'; 8];
            let mut rest = counter;
            for byte in first.iter_mut() {
                *byte = b'a' + (rest % 26) as u8;
                rest /= 26;
            }
            let word = u64::from_le_bytes(first);
            let second = word.wrapping_mul(super::K).rotate_left(5) ^ 0x2a2a_2a2a_2a2a_2a2a;
            let bytes = second.to_le_bytes();
            if bytes.iter().all(|&byte| (1..0x80).contains(&byte)) {
                let mut key = first.to_vec();
                key.extend_from_slice(&bytes);
                keys.extend(String::from_utf8(key).ok());
            }
        }
        keys
    }

    #[test]
    fn keys_chosen_to_hash_alike_spread_over_the_table() {
        let keys = keys_colliding_without_a_seed(2000);
        let set = StrSet::new(keys.iter().map(String::as_str));
        // Linear probing at most half full walks a few slots; 2,000 keys in one cluster walk
        // up to 2,000.
        assert!(set.longest_probe() < 100, "{}", set.longest_probe());
        assert!(keys.iter().all(|key| set.contains(key)));
    }

    #[test]
    fn keys_that_differ_in_their_last_bytes_spread_over_the_table() {
        // Sequential ids differ in the high bits of their last word, which a multiply alone
        // never carries down to the slot.
        let keys: Vec<String> = (0..10_000).map(|id| format!("user-{id:06}")).collect();
        let set = StrSet::new(keys.iter().map(String::as_str));
        assert!(set.longest_probe() < 100, "{}", set.longest_probe());
    }

    use super::{same_bytes, KeyIndex, KeyPacker, StrMap, StrSet, U32Map, FEW};

    proptest! {
        /// Every length around the word sizes, equal texts and texts one byte apart anywhere.
        #[test]
        fn same_bytes_is_byte_equality(
            left in proptest::collection::vec(any::<u8>(), 0..40),
            at in any::<proptest::sample::Index>(),
            other in any::<u8>(),
            cut in 0usize..3,
        ) {
            prop_assert!(same_bytes(&left, &left.clone()));
            let mut right = left.clone();
            if !right.is_empty() {
                right[at.index(left.len())] = other;
            }
            prop_assert_eq!(same_bytes(&left, &right), left == right);
            let shorter = &left[..left.len().saturating_sub(cut)];
            prop_assert_eq!(same_bytes(&left, shorter), left.as_slice() == shorter);
        }
    }

    #[test]
    fn a_u32_map_keeps_the_last_value_of_each_key_short_and_long() {
        let mut map = U32Map::default();
        for key in 0..1000u32 {
            map.insert(key * 7, key);
            map.insert(key * 7, key + 1);
            assert_eq!(map.get(key * 7), Some(key + 1));
        }
        for key in 0..7000u32 {
            let expected = (key % 7 == 0).then_some(key / 7 + 1);
            assert_eq!(map.get(key), expected, "{key}");
        }
    }

    #[test]
    fn a_growing_set_numbers_keys_in_insertion_order() {
        let mut set = StrSet::default();
        for round in 0..2 {
            for index in 0..500 {
                let key = format!("key-{index}");
                assert_eq!(set.insert(&key), (index, round == 0));
            }
        }
        assert_eq!(set.len(), 500);
        assert_eq!(set.find("key-499"), Some(499));
        assert_eq!(set.find("key-500"), None);
        let mut map = StrMap::default();
        assert_eq!(*map.get_or_insert_with("a", || 1), 1);
        assert_eq!(*map.get_or_insert_with("a", || 2), 1);
        assert_eq!(map.get("a"), Some(&1));
    }

    #[test]
    fn a_string_map_gives_each_key_its_value() {
        // Sized for exactly its keys, for more (a table from the first key), and not at all.
        for (size, room) in [
            (0usize, 0),
            (3, 3),
            (3, 100),
            (8, 8),
            (9, 9),
            (9, 0),
            (500, 500),
            (500, 0),
        ] {
            let keys: Vec<String> = (0..size).map(|index| format!("user-{index}")).collect();
            let mut map = StrMap::with_capacity(room, room * 8);
            for (value, key) in keys.iter().enumerate() {
                map.get_or_insert_with(key, || value);
            }
            assert_eq!(map.is_empty(), size == 0);
            for (value, key) in keys.iter().enumerate() {
                assert_eq!(map.get(key), Some(&value), "{key} in a map of {size}");
            }
            assert_eq!(map.get("user-"), None);
            assert_eq!(map.get(&format!("user-{size}")), None);
        }
    }

    #[test]
    fn a_key_index_finds_each_key_and_reports_repeats() {
        let keys = ["a", "b", "", "é", "a", "日本", "b", "c-1", "c-10"];
        let key_of = |position: u32| keys.get(position as usize).copied();
        let mut index = KeyIndex::with_capacity(keys.len());
        let mut repeats = Vec::new();
        for (position, key) in keys.iter().enumerate() {
            if let Some(first) = index.insert(key, position as u32, key_of) {
                repeats.push((position, first));
            }
        }
        assert_eq!(repeats, vec![(4, 0), (6, 1)]);
        for (position, key) in keys.iter().enumerate() {
            let first = keys
                .iter()
                .position(|other| other == key)
                .map(|at| at as u32);
            assert_eq!(index.get(key, key_of), first, "{key:?} at {position}");
        }
        for absent in ["c", "A", "c-100", " "] {
            assert_eq!(index.get(absent, key_of), None);
        }
        assert_eq!(KeyIndex::default().get("a", key_of), None);
    }

    #[test]
    fn small_and_large_sets_find_exactly_their_members() {
        for size in [0usize, 1, 7, 8, 9, 100, 1000] {
            let keys: Vec<String> = (0..size).map(|index| format!("user-{index}")).collect();
            let set = StrSet::new(keys.iter().map(String::as_str));
            for key in &keys {
                assert!(set.contains(key), "{key} in a set of {size}");
            }
            for absent in ["", "user-", "user-1000", "user-01", "x"] {
                assert_eq!(
                    set.contains(absent),
                    keys.iter().any(|key| key == absent),
                    "{absent:?} in {size}"
                );
            }
        }
    }

    #[test]
    fn packed_lists_are_the_same_sets_as_lists_given_whole() {
        let mut packer = KeyPacker::default();
        for count in [0, 1, FEW, FEW + 1, 300] {
            let keys: Vec<String> = (0..count).map(|i| format!("user-{i}-é")).collect();
            for key in &keys {
                packer.push(key);
            }
            assert_eq!(packer.len(), count);
            let packed = packer.finish();
            let whole = StrSet::new(keys.iter().map(String::as_str));
            assert_eq!(packed.len(), whole.len());
            for key in &keys {
                assert_eq!(packed.find(key), whole.find(key), "{key}");
            }
            assert!(!packed.contains("user-x"));
            assert_eq!(packer.len(), 0, "the next list starts empty");
        }
    }

    #[test]
    fn the_first_key_over_a_length_is_found() {
        let set = StrSet::new(["ab", "", "abcd", "abcdef", "xyzw"]);
        assert_eq!(set.first_longer_than(3), Some((2, "abcd")));
        assert_eq!(set.first_longer_than(5), Some((3, "abcdef")));
        assert_eq!(set.first_longer_than(6), None);
        assert_eq!(StrSet::default().first_longer_than(0), None);
        assert_eq!(StrSet::new([""]).first_longer_than(0), None);
    }

    #[test]
    fn empty_strings_and_repeats_are_members_like_any_other() {
        let keys = ["", "a", "", "é", "日本", "a"];
        let set = StrSet::new(keys.iter().copied().chain((0..20).map(|_| "pad")));
        for key in keys {
            assert!(set.contains(key));
        }
        assert!(!set.contains("b"));
    }
}
