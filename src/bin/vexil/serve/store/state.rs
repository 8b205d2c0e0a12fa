//! One environment's stored state, read and written inside a change's transaction.

use sqlx::{AnyConnection, AnyPool, Row};

use super::{Backend, Store, StoreError};

/// A flag as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct FlagRow {
    /// Its key.
    pub key: String,
    /// Its version, for If-Match.
    pub version: i64,
    /// The snapshot format's flag object, as written.
    pub definition: String,
    /// Where it goes in the snapshot.
    pub position: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// Who last changed it.
    pub updated_by: String,
}

/// A segment as stored (the same columns as a flag).
pub type SegmentRow = FlagRow;

/// A per-user override.
#[derive(Clone, Debug, PartialEq)]
pub struct OverrideRow {
    /// The flag it belongs to.
    pub flag: String,
    /// The user it applies to.
    pub targeting_key: String,
    /// The variant forced.
    pub variant: String,
    /// Why, for people.
    pub note: String,
    /// Who set it.
    pub set_by: String,
    /// When.
    pub set_at: i64,
    /// When it stops applying, if ever.
    pub expires_at: Option<i64>,
}

/// Everything one environment holds.
#[derive(Clone, Debug)]
pub struct EnvState {
    /// The environment's name.
    pub name: String,
    /// Its revision.
    pub revision: i64,
    /// Its flags, in snapshot order.
    pub flags: Vec<FlagRow>,
    /// Its segments, in snapshot order.
    pub segments: Vec<SegmentRow>,
    /// Its per-user overrides, by flag and targeting key.
    pub overrides: Vec<OverrideRow>,
}

/// Takes the environment's next revision, which also locks it against other writers until
/// the transaction ends (PostgreSQL locks the row; SQLite the database). `None`: no such
/// environment.
pub async fn next_revision(
    conn: &mut AnyConnection,
    environment: &str,
) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "UPDATE environments SET revision = revision + 1 WHERE name = $1 AND deleted_at IS NULL RETURNING revision",
    )
    .bind(environment)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some(row) => Some(row.try_get::<i64, _>(0)?),
        None => None,
    })
}

/// Reads the environment's revision and everything it holds at that revision, in one
/// read-only transaction on one connection. PostgreSQL reads at REPEATABLE READ, so every
/// statement sees the same committed state (at its default, READ COMMITTED, each statement
/// would see the changes committed since the one before); SQLite's read transaction holds
/// one snapshot of the file from its first read. `None`: no such environment.
pub async fn read(store: &Store, environment: &str) -> Result<Option<EnvState>, StoreError> {
    let mut tx = store.pool.begin().await?;
    if store.backend == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await?;
    }
    let row =
        sqlx::query("SELECT revision FROM environments WHERE name = $1 AND deleted_at IS NULL")
            .bind(environment)
            .fetch_optional(&mut *tx)
            .await?;
    let state = match row {
        Some(row) => Some(load(&mut tx, environment, row.try_get(0)?).await?),
        None => None,
    };
    tx.rollback().await?;
    Ok(state)
}

/// Reads the environment's flags, segments and overrides (revision as given).
pub async fn load(
    conn: &mut AnyConnection,
    environment: &str,
    revision: i64,
) -> Result<EnvState, StoreError> {
    let flags = definitions(conn, "flags", "flag_key", environment).await?;
    let segments = definitions(conn, "segments", "segment_key", environment).await?;
    let rows = sqlx::query(
        "SELECT flag_key, targeting_key, variant, note, set_by, set_at, expires_at \
         FROM overrides WHERE environment = $1 ORDER BY flag_key, targeting_key",
    )
    .bind(environment)
    .fetch_all(&mut *conn)
    .await?;
    let mut overrides = Vec::with_capacity(rows.len());
    for row in rows {
        overrides.push(OverrideRow {
            flag: row.try_get(0)?,
            targeting_key: row.try_get(1)?,
            variant: row.try_get(2)?,
            note: row.try_get(3)?,
            set_by: row.try_get(4)?,
            set_at: row.try_get(5)?,
            expires_at: row.try_get(6)?,
        });
    }
    Ok(EnvState {
        name: environment.to_owned(),
        revision,
        flags,
        segments,
        overrides,
    })
}

async fn definitions(
    conn: &mut AnyConnection,
    table: &str,
    key_column: &str,
    environment: &str,
) -> Result<Vec<FlagRow>, StoreError> {
    let sql = format!(
        "SELECT {key_column}, version, definition, position, updated_at, updated_by \
         FROM {table} WHERE environment = $1 ORDER BY position, {key_column}"
    );
    let rows = sqlx::query(&sql)
        .bind(environment)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(FlagRow {
            key: row.try_get(0)?,
            version: row.try_get(1)?,
            definition: row.try_get(2)?,
            position: row.try_get(3)?,
            updated_at: row.try_get(4)?,
            updated_by: row.try_get(5)?,
        });
    }
    Ok(out)
}

/// Writes what differs between `before` and `after` (same environment).
pub async fn write_diff(
    conn: &mut AnyConnection,
    before: &EnvState,
    after: &EnvState,
) -> Result<(), StoreError> {
    let env = after.name.as_str();
    write_rows(conn, env, "flags", "flag_key", &before.flags, &after.flags).await?;
    write_rows(
        conn,
        env,
        "segments",
        "segment_key",
        &before.segments,
        &after.segments,
    )
    .await?;
    for old in &before.overrides {
        let kept = after
            .overrides
            .iter()
            .any(|new| new.flag == old.flag && new.targeting_key == old.targeting_key);
        if !kept {
            sqlx::query("DELETE FROM overrides WHERE environment = $1 AND flag_key = $2 AND targeting_key = $3")
                .bind(env)
                .bind(&old.flag)
                .bind(&old.targeting_key)
                .execute(&mut *conn)
                .await?;
        }
    }
    for new in &after.overrides {
        if before.overrides.contains(new) {
            continue;
        }
        sqlx::query(
            "INSERT INTO overrides (environment, flag_key, targeting_key, variant, note, set_by, set_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (environment, flag_key, targeting_key) DO UPDATE SET \
             variant = excluded.variant, note = excluded.note, set_by = excluded.set_by, \
             set_at = excluded.set_at, expires_at = excluded.expires_at",
        )
        .bind(env)
        .bind(&new.flag)
        .bind(&new.targeting_key)
        .bind(&new.variant)
        .bind(&new.note)
        .bind(&new.set_by)
        .bind(new.set_at)
        .bind(new.expires_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn write_rows(
    conn: &mut AnyConnection,
    environment: &str,
    table: &str,
    key_column: &str,
    before: &[FlagRow],
    after: &[FlagRow],
) -> Result<(), StoreError> {
    for old in before {
        if !after.iter().any(|new| new.key == old.key) {
            let sql = format!("DELETE FROM {table} WHERE environment = $1 AND {key_column} = $2");
            sqlx::query(&sql)
                .bind(environment)
                .bind(&old.key)
                .execute(&mut *conn)
                .await?;
        }
    }
    for new in after {
        if before.contains(new) {
            continue;
        }
        let sql = format!(
            "INSERT INTO {table} (environment, {key_column}, version, definition, position, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (environment, {key_column}) DO UPDATE SET version = excluded.version, \
             definition = excluded.definition, position = excluded.position, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by"
        );
        sqlx::query(&sql)
            .bind(environment)
            .bind(&new.key)
            .bind(new.version)
            .bind(&new.definition)
            .bind(new.position)
            .bind(new.updated_at)
            .bind(&new.updated_by)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Counts one change to `flag` in `hour` and answers the count including it.
pub async fn count_change(
    conn: &mut AnyConnection,
    environment: &str,
    flag: &str,
    hour: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO change_counts (environment, flag_key, hour, changes) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (environment, flag_key, hour) DO UPDATE SET changes = change_counts.changes + 1 \
         RETURNING changes",
    )
    .bind(environment)
    .bind(flag)
    .bind(hour)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// The changes counted against `flag`'s quota in `hour` (what [`count_change`] has added up),
/// without counting one: 0 when there were none.
pub async fn changes_in_hour(
    pool: &AnyPool,
    environment: &str,
    flag: &str,
    hour: i64,
) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT changes FROM change_counts WHERE environment = $1 AND flag_key = $2 AND hour = $3",
    )
    .bind(environment)
    .bind(flag)
    .bind(hour)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(row) => row.try_get(0)?,
        None => 0,
    })
}

/// Records the snapshot published at the environment's current revision.
pub async fn set_snapshot(
    conn: &mut AnyConnection,
    environment: &str,
    snapshot: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE environments SET snapshot = $1 WHERE name = $2")
        .bind(snapshot)
        .bind(environment)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
