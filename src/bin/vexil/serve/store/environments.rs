//! Environments: their rows, revisions and published documents. A deleted environment keeps
//! its row (marked deleted) so that its revisions never go back.

use sqlx::{AnyConnection, AnyPool, Row};

use super::StoreError;

/// Every live environment with its revision and published snapshot.
pub async fn list(pool: &AnyPool) -> Result<Vec<(String, i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT name, revision, snapshot FROM environments WHERE deleted_at IS NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect()
}

/// One live environment's revision and published snapshot.
pub async fn get(pool: &AnyPool, name: &str) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT revision, snapshot FROM environments WHERE name = $1 AND deleted_at IS NULL",
    )
    .bind(name)
    .fetch_optional(pool)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .transpose()
}

/// Makes `name` live: a new row at revision 1, or a deleted one revived at its next revision.
/// Answers the revision, or `None` if the environment is live already. The caller then
/// stores the document of that revision with [`super::state::set_snapshot`].
pub async fn create(
    conn: &mut AnyConnection,
    name: &str,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let revived = sqlx::query(
        "UPDATE environments SET revision = revision + 1, deleted_at = NULL \
         WHERE name = $1 AND deleted_at IS NOT NULL RETURNING revision",
    )
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = revived {
        return Ok(Some(row.try_get(0)?));
    }
    let inserted = sqlx::query(
        "INSERT INTO environments (name, revision, snapshot, created_at) VALUES ($1, 1, '', $2) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok((inserted.rows_affected() == 1).then_some(1))
}

/// Marks `name` deleted (its revision was taken by the caller's transaction) and revokes its
/// SDK keys.
pub async fn delete(conn: &mut AnyConnection, name: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE environments SET deleted_at = $1 WHERE name = $2")
        .bind(now)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE environment = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
