//! Evaluation statistics: how often each flag served each variant, and how often it failed.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Per-flag counters. Atomic so an [`Engine`](crate::Engine) can be shared across threads; relaxed
/// ordering is enough because each counter is independent and only ever read as a total.
pub(crate) struct FlagCounters {
    /// Counters of the first variants. Most flags have two or three variants, so keeping these
    /// inline saves an allocation per flag when a snapshot loads.
    first: [AtomicU64; INLINE],
    /// Counters of the variants after the first `INLINE` (empty, unallocated, for most flags).
    rest: Box<[AtomicU64]>,
    variants: usize,
    without_variant: AtomicU64,
    errors: AtomicU64,
}

const INLINE: usize = 3;

impl FlagCounters {
    pub(crate) fn new(variants: usize) -> Self {
        FlagCounters {
            first: Default::default(),
            rest: (INLINE..variants).map(|_| AtomicU64::new(0)).collect(),
            variants,
            without_variant: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }

    fn per_variant(&self) -> impl Iterator<Item = &AtomicU64> {
        self.first
            .iter()
            .take(self.variants)
            .chain(self.rest.iter())
    }

    fn variant(&self, variant: usize) -> Option<&AtomicU64> {
        if variant >= self.variants {
            return None;
        }
        match variant.checked_sub(INLINE) {
            None => self.first.get(variant),
            Some(beyond) => self.rest.get(beyond),
        }
    }

    #[inline]
    pub(crate) fn record(&self, variant: Option<u32>, error: bool) {
        let counter = if error {
            &self.errors
        } else {
            match variant.and_then(|variant| self.variant(variant as usize)) {
                Some(counter) => counter,
                None => &self.without_variant,
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(&self, key: &str, variant_keys: &[&str]) -> FlagStats {
        let variants: Vec<VariantCount> = variant_keys
            .iter()
            .zip(self.per_variant())
            .map(|(variant, counter)| VariantCount {
                variant: (*variant).to_owned(),
                count: counter.load(Ordering::Relaxed),
            })
            .collect();
        let errors = self.errors.load(Ordering::Relaxed);
        let without_variant = self.without_variant.load(Ordering::Relaxed);
        let evaluations = variants
            .iter()
            .map(|entry| entry.count)
            .fold(errors.saturating_add(without_variant), u64::saturating_add);
        FlagStats {
            flag: key.to_owned(),
            evaluations,
            errors,
            without_variant,
            variants,
        }
    }

    pub(crate) fn reset(&self) {
        for counter in self.per_variant() {
            counter.store(0, Ordering::Relaxed);
        }
        self.without_variant.store(0, Ordering::Relaxed);
        self.errors.store(0, Ordering::Relaxed);
    }
}

/// How often one variant was served.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VariantCount {
    /// The variant key.
    pub variant: String,
    /// Evaluations that served it.
    pub count: u64,
}

/// Counts for one flag since the engine was loaded or the statistics were last reset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FlagStats {
    /// The flag key.
    pub flag: String,
    /// All evaluations of the flag.
    pub evaluations: u64,
    /// Evaluations that ended in an error (served the caller's default with an error code).
    pub errors: u64,
    /// Evaluations that served the caller's default without an error (disabled, no off variant).
    pub without_variant: u64,
    /// Evaluations per variant, in the flag's variant order.
    pub variants: Vec<VariantCount>,
}

impl FlagStats {
    /// Errors as a fraction of evaluations (0 when there were none).
    pub fn error_rate(&self) -> f64 {
        if self.evaluations == 0 {
            0.0
        } else {
            // Counts far beyond 2^53 lose precision here, which a rate can afford.
            self.errors as f64 / self.evaluations as f64
        }
    }
}

/// Statistics of an [`Engine`](crate::Engine), from [`Engine::stats`](crate::Engine::stats).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// One entry per flag, in snapshot order.
    pub flags: Vec<FlagStats>,
    /// Evaluations of keys that are not in the snapshot (`FLAG_NOT_FOUND`).
    pub unknown_flag_evaluations: u64,
}

impl Stats {
    /// All evaluations, including those of unknown flags.
    pub fn evaluations(&self) -> u64 {
        self.flags
            .iter()
            .map(|flag| flag.evaluations)
            .fold(self.unknown_flag_evaluations, u64::saturating_add)
    }

    /// All evaluations that ended in an error, including those of unknown flags.
    pub fn errors(&self) -> u64 {
        self.flags
            .iter()
            .map(|flag| flag.errors)
            .fold(self.unknown_flag_evaluations, u64::saturating_add)
    }

    /// Errors as a fraction of all evaluations (0 when there were none).
    pub fn error_rate(&self) -> f64 {
        let evaluations = self.evaluations();
        if evaluations == 0 {
            0.0
        } else {
            self.errors() as f64 / evaluations as f64
        }
    }

    /// The entry of one flag.
    pub fn flag(&self, key: &str) -> Option<&FlagStats> {
        self.flags.iter().find(|flag| flag.flag == key)
    }
}

#[cfg(test)]
mod tests {
    use super::FlagCounters;

    #[test]
    fn every_variant_counts_separately_inline_or_not() {
        let names = ["a", "b", "c", "d", "e"];
        let counters = FlagCounters::new(names.len());
        for (variant, times) in [(0u32, 1), (2, 3), (3, 4), (4, 5)] {
            for _ in 0..times {
                counters.record(Some(variant), false);
            }
        }
        counters.record(Some(5), false);
        counters.record(None, false);
        counters.record(Some(1), true);
        let stats = counters.read("f", &names);
        let counts: Vec<u64> = stats.variants.iter().map(|entry| entry.count).collect();
        assert_eq!(counts, vec![1, 0, 3, 4, 5]);
        assert_eq!(stats.without_variant, 2);
        assert_eq!(stats.errors, 1);
        assert_eq!(stats.evaluations, 16);
        counters.reset();
        let stats = counters.read("f", &names);
        assert_eq!(stats.evaluations, 0);
        assert!(stats.variants.iter().all(|entry| entry.count == 0));
    }
}
