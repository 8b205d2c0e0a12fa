//! Evaluation counts per flag, variant and hour.

use sqlx::{AnyPool, Row};

use super::StoreError;

/// Adds counts: `(flag, variant, hour, evaluations)`; errors count under the variant `""`.
pub async fn add_counts(
    pool: &AnyPool,
    environment: &str,
    counts: &[(String, String, i64, i64)],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for (flag, variant, hour, evaluations) in counts {
        sqlx::query(
            "INSERT INTO evaluation_counts (environment, flag_key, variant, hour, evaluations) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (environment, flag_key, variant, hour) \
             DO UPDATE SET evaluations = evaluation_counts.evaluations + excluded.evaluations",
        )
        .bind(environment)
        .bind(flag)
        .bind(variant)
        .bind(*hour)
        .bind(*evaluations)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A flag's counts from `since_hour` on: `(hour, variant, evaluations)`, oldest first.
pub async fn counts(
    pool: &AnyPool,
    environment: &str,
    flag: &str,
    since_hour: i64,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT hour, variant, evaluations FROM evaluation_counts \
         WHERE environment = $1 AND flag_key = $2 AND hour >= $3 ORDER BY hour, variant",
    )
    .bind(environment)
    .bind(flag)
    .bind(since_hour)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect()
}
