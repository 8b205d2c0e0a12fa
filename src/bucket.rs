//! The bucketing algorithm, and nothing else. `docs/bucketing.md` is its specification; any
//! change here is a breaking change for every user in every runtime.
//!
//! 1. Bytes: `UTF-8(salt) ‖ 0x00 ‖ UTF-8(flag key) ‖ 0x00 ‖ UTF-8(bucketing value)`.
//! 2. Hash: XXH64 of those bytes with seed 0, read as an unsigned 64-bit integer.
//! 3. Bucket: `hash mod 100000`, an integer in `0..100000` (one bucket is 0.001 %).
//! 4. Variant: weights (integers adding up to 100000) are laid end to end in the order listed;
//!    the variant whose half-open range `[start, end)` contains the bucket is chosen.

use std::borrow::Cow;

use xxhash_rust::xxh64::Xxh64;

use crate::context::AttrValue;

/// Number of buckets; also the total of a split's weights (100000 = 100 %).
pub const BUCKETS: u32 = 100_000;

/// The XXH64 seed.
pub const SEED: u64 = 0;

/// Separates the salt, the flag key and the value in the hashed bytes. Flag keys and salts
/// cannot contain it (the compiler rejects them), so the three parts can never run together.
pub const SEPARATOR: u8 = 0;

/// Largest integer magnitude every runtime represents exactly (2^53); numbers beyond are not used
/// for bucketing because a JavaScript caller could not have sent them exactly.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// The XXH64 hash of `salt ‖ 0x00 ‖ flag_key ‖ 0x00 ‖ value`.
pub fn hash(salt: &str, flag_key: &str, value: &str) -> u64 {
    FlagHasher::new(salt, flag_key).hash(value)
}

/// The bucket (`0..BUCKETS`) of `value` for a flag.
pub fn bucket(salt: &str, flag_key: &str, value: &str) -> u32 {
    FlagHasher::new(salt, flag_key).bucket(value)
}

/// A hasher with the salt and flag key already fed, so evaluation hashes only the value.
#[derive(Clone)]
pub(crate) struct FlagHasher {
    prefix: Xxh64,
}

impl FlagHasher {
    pub(crate) fn new(salt: &str, flag_key: &str) -> Self {
        let mut prefix = Xxh64::new(SEED);
        prefix.update(salt.as_bytes());
        prefix.update(&[SEPARATOR]);
        prefix.update(flag_key.as_bytes());
        prefix.update(&[SEPARATOR]);
        FlagHasher { prefix }
    }

    pub(crate) fn hash(&self, value: &str) -> u64 {
        let mut state = self.prefix.clone();
        state.update(value.as_bytes());
        state.digest()
    }

    pub(crate) fn bucket(&self, value: &str) -> u32 {
        reduce(self.hash(value))
    }
}

/// Integer-only reduction of a hash to a bucket.
pub fn reduce(hash: u64) -> u32 {
    // The remainder is below 100000, so it always fits.
    u32::try_from(hash % u64::from(BUCKETS)).unwrap_or(0)
}

/// The text a context value is hashed as, or `None` when the value cannot be bucketed.
///
/// Strings are used as they are. Integers (numbers with no fractional part and a magnitude of
/// at most 2^53) become their shortest decimal form, so `42`, `42.0` and `"42"` share a bucket.
/// Booleans become `true` / `false`. Other numbers, lists and missing values cannot be bucketed.
pub fn bucketing_text(value: &AttrValue) -> Option<Cow<'_, str>> {
    match value {
        AttrValue::String(text) => Some(Cow::Borrowed(text.as_str())),
        AttrValue::Number(number) => integer_text(*number).map(Cow::Owned),
        AttrValue::Bool(true) => Some(Cow::Borrowed("true")),
        AttrValue::Bool(false) => Some(Cow::Borrowed("false")),
        AttrValue::List(_) => None,
    }
}

/// The decimal form of an exactly representable integer, `None` for anything else.
pub(crate) fn integer_text(number: f64) -> Option<String> {
    if number.is_finite() && number.fract() == 0.0 && number.abs() <= MAX_EXACT_INTEGER {
        // In range and integral, so the conversion is exact; `as` cannot truncate here.
        #[allow(clippy::cast_possible_truncation)]
        let integer = number as i64;
        Some(integer.to_string())
    } else {
        None
    }
}

/// A split's weights laid out as bucket ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ranges {
    /// `(end, variant)` pairs with increasing `end`; zero-width slices are dropped, so a 0 %
    /// variant can never be chosen.
    ends: Vec<(u32, u32)>,
}

impl Ranges {
    /// Lays `weights` (variant index, weight) end to end. Returns `None` unless they add up to
    /// exactly [`BUCKETS`].
    pub(crate) fn new(weights: &[(u32, u64)]) -> Option<Ranges> {
        let mut end: u64 = 0;
        let mut ends = Vec::with_capacity(weights.len());
        for &(variant, weight) in weights {
            end = end.checked_add(weight)?;
            if weight > 0 {
                ends.push((u32::try_from(end).ok()?, variant));
            }
        }
        (end == u64::from(BUCKETS)).then_some(Ranges { ends })
    }

    /// The variant whose range holds `bucket`, with that range.
    pub(crate) fn pick(&self, bucket: u32) -> Option<(u32, u32, u32)> {
        let mut start = 0;
        for &(end, variant) in &self.ends {
            if bucket < end {
                return Some((variant, start, end));
            }
            start = end;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_values_of_xxh64() {
        // Published XXH64 test values for seed 0, reproduced through our prefix machinery.
        let mut empty = Xxh64::new(0);
        empty.update(b"");
        assert_eq!(empty.digest(), 0xEF46_DB37_51D8_E999);
        // salt "" and key "" give the bytes 00 00 followed by the value.
        let direct = xxhash_rust::xxh64::xxh64(b"\0\0user-42", 0);
        assert_eq!(hash("", "", "user-42"), direct);
    }

    #[test]
    fn zero_weight_variant_is_never_chosen() {
        let ranges = Ranges::new(&[(0, 0), (1, 100_000), (2, 0)]).expect("adds up");
        for bucket in [0, 1, 50_000, 99_999] {
            assert_eq!(ranges.pick(bucket).map(|p| p.0), Some(1));
        }
    }

    #[test]
    fn weights_must_add_up_exactly() {
        assert!(Ranges::new(&[(0, 50_000), (1, 49_999)]).is_none());
        assert!(Ranges::new(&[(0, 50_000), (1, 50_001)]).is_none());
        assert!(Ranges::new(&[(0, u64::MAX), (1, 2)]).is_none());
        assert!(Ranges::new(&[]).is_none());
    }

    #[test]
    fn integers_bucket_like_their_decimal_text() {
        assert_eq!(integer_text(42.0).as_deref(), Some("42"));
        assert_eq!(integer_text(-0.0).as_deref(), Some("0"));
        assert_eq!(integer_text(-7.0).as_deref(), Some("-7"));
        assert_eq!(
            integer_text(9_007_199_254_740_992.0).as_deref(),
            Some("9007199254740992")
        );
        assert_eq!(integer_text(9_007_199_254_740_994.0), None);
        assert_eq!(integer_text(0.5), None);
        assert_eq!(integer_text(f64::NAN), None);
        assert_eq!(integer_text(f64::INFINITY), None);
    }
}
