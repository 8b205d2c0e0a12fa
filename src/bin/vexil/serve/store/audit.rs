//! The audit trail: one row per subject changed, at the revision the change published.

use sqlx::{AnyConnection, AnyPool, Row};

use super::StoreError;

/// One change to one flag, segment or environment.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// The revision the change published.
    pub revision: i64,
    /// `flag`, `segment` or `environment`.
    pub subject_type: String,
    /// The flag's, segment's or environment's key.
    pub subject: String,
    /// When.
    pub at: i64,
    /// Who (the token's name).
    pub actor: String,
    /// What kind of change, e.g. `flag.update`, `override.set`.
    pub kind: String,
    /// The published definition before (none when created).
    pub before: Option<String>,
    /// The published definition after (none when deleted).
    pub after: Option<String>,
    /// The reason given with the change.
    pub reason: Option<String>,
}

/// Appends `entry` to `environment`'s trail.
pub async fn insert(
    conn: &mut AnyConnection,
    environment: &str,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit (environment, revision, subject_type, subject, at, actor, kind, before_value, after_value, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(environment)
    .bind(entry.revision)
    .bind(&entry.subject_type)
    .bind(&entry.subject)
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.kind)
    .bind(&entry.before)
    .bind(&entry.after)
    .bind(&entry.reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A subject's trail, newest first: at most `limit` entries older than revision `before`.
pub async fn history(
    pool: &AnyPool,
    environment: &str,
    subject_type: &str,
    subject: &str,
    before: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT revision, subject_type, subject, at, actor, kind, before_value, after_value, reason \
         FROM audit WHERE environment = $1 AND subject_type = $2 AND subject = $3 AND revision < $4 \
         ORDER BY revision DESC LIMIT $5",
    )
    .bind(environment)
    .bind(subject_type)
    .bind(subject)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| entry(&row)).collect()
}

/// The last change of each flag in `environment` up to revision `up_to` (the revision of the
/// listing they go with: a change committed since belongs to a later listing).
pub async fn last_changes(
    pool: &AnyPool,
    environment: &str,
    up_to: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.revision, a.subject_type, a.subject, a.at, a.actor, a.kind, NULL, NULL, a.reason \
         FROM audit a JOIN (SELECT subject, MAX(revision) AS revision FROM audit \
         WHERE environment = $1 AND subject_type = 'flag' AND revision <= $2 GROUP BY subject) last \
         ON a.subject = last.subject AND a.revision = last.revision \
         WHERE a.environment = $1 AND a.subject_type = 'flag'",
    )
    .bind(environment)
    .bind(up_to)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|row| entry(&row)).collect()
}

fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        revision: row.try_get(0)?,
        subject_type: row.try_get(1)?,
        subject: row.try_get(2)?,
        at: row.try_get(3)?,
        actor: row.try_get(4)?,
        kind: row.try_get(5)?,
        before: row.try_get(6)?,
        after: row.try_get(7)?,
        reason: row.try_get(8)?,
    })
}
