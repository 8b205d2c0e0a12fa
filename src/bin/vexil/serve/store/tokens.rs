//! Stored tokens: ids and digests, never secrets.

use sqlx::{AnyPool, Row};

use super::StoreError;

/// A token as stored.
#[derive(Clone, Debug)]
pub struct TokenRow {
    /// The public id.
    pub id: String,
    /// SHA-256 of the secret, hex.
    pub digest: String,
    /// `admin`, `server` or `client`.
    pub kind: String,
    /// For admin tokens.
    pub role: Option<String>,
    /// For SDK keys.
    pub environment: Option<String>,
    /// A name for people (shown as the actor in the audit trail).
    pub name: String,
    /// When it was made.
    pub created_at: i64,
    /// By whom.
    pub created_by: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str =
    "id, digest, kind, role, environment, name, created_at, created_by, revoked_at";

/// Stores a new token.
pub async fn insert(pool: &AnyPool, token: &TokenRow) -> Result<(), StoreError> {
    sqlx::query(&format!(
        "INSERT INTO tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    ))
    .bind(&token.id)
    .bind(&token.digest)
    .bind(&token.kind)
    .bind(&token.role)
    .bind(&token.environment)
    .bind(&token.name)
    .bind(token.created_at)
    .bind(&token.created_by)
    .bind(token.revoked_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The token with this id, revoked or not.
pub async fn find(pool: &AnyPool, id: &str) -> Result<Option<TokenRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tokens WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.map(|row| token(&row)).transpose()
}

/// Every token, oldest first.
pub async fn list(pool: &AnyPool) -> Result<Vec<TokenRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM tokens ORDER BY created_at, id"
    ))
    .fetch_all(pool)
    .await?;
    rows.iter().map(token).collect()
}

/// Revokes a token; false if there is no such live token.
pub async fn revoke(pool: &AnyPool, id: &str, now: i64) -> Result<bool, StoreError> {
    let result =
        sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(pool)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// How many live admin tokens with the admin role there are.
pub async fn live_admins(pool: &AnyPool) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM tokens WHERE kind = 'admin' AND role = 'admin' AND revoked_at IS NULL",
    )
    .fetch_one(pool)
    .await?;
    Ok(row.try_get(0)?)
}

fn token(row: &sqlx::any::AnyRow) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: row.try_get(0)?,
        digest: row.try_get(1)?,
        kind: row.try_get(2)?,
        role: row.try_get(3)?,
        environment: row.try_get(4)?,
        name: row.try_get(5)?,
        created_at: row.try_get(6)?,
        created_by: row.try_get(7)?,
        revoked_at: row.try_get(8)?,
    })
}
