//! Evaluation counts, gathered in memory from the evaluate endpoints and the SDKs' reports,
//! and added to the database every few seconds (and at shutdown).

use std::collections::HashMap;
use std::sync::Mutex;

use super::store::{usage, Store, StoreError};

/// `(environment, flag, variant, hour)` → evaluations; errors under the variant `""`.
type Counts = HashMap<(String, String, String, i64), i64>;

/// Counts not yet stored.
#[derive(Debug, Default)]
pub struct UsageBuffer {
    counts: Mutex<Counts>,
}

impl UsageBuffer {
    /// Adds `evaluations` of `variant` (`None`: an error) of a flag in `hour`.
    pub fn add(
        &self,
        environment: &str,
        flag: &str,
        variant: Option<&str>,
        hour: i64,
        evaluations: i64,
    ) {
        if evaluations <= 0 {
            return;
        }
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let key = (
            environment.to_owned(),
            flag.to_owned(),
            variant.unwrap_or_default().to_owned(),
            hour,
        );
        let slot = counts.entry(key).or_insert(0);
        *slot = slot.saturating_add(evaluations);
    }

    /// Stores everything counted so far. On failure the counts are kept for the next try.
    pub async fn flush(&self, store: &Store) -> Result<(), StoreError> {
        let taken: Counts = std::mem::take(
            &mut *self
                .counts
                .lock()
                .unwrap_or_else(|poison| poison.into_inner()),
        );
        let mut by_environment: HashMap<String, Vec<(String, String, i64, i64)>> = HashMap::new();
        for ((environment, flag, variant, hour), evaluations) in &taken {
            by_environment
                .entry(environment.clone())
                .or_default()
                .push((flag.clone(), variant.clone(), *hour, *evaluations));
        }
        let mut outcome = Ok(());
        for (environment, counts) in by_environment {
            if let Err(error) = usage::add_counts(&store.pool, &environment, &counts).await {
                for (flag, variant, hour, evaluations) in counts {
                    let variant = (!variant.is_empty()).then_some(variant.as_str());
                    self.add(&environment, &flag, variant, hour, evaluations);
                }
                outcome = Err(error);
            }
        }
        outcome
    }
}
