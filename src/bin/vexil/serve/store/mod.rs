//! The database: SQLite in a data folder, or PostgreSQL, through one SQL dialect.
//!
//! Every statement is written once, in the SQL both databases read alike, and runs through
//! sqlx's `Any` driver; the schema lives in `migrations/` and is applied at start.

pub mod audit;
pub mod environments;
pub mod state;
pub mod tokens;
pub mod usage;

use std::path::Path;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection};

pub use audit::AuditEntry;
pub use state::{EnvState, FlagRow, OverrideRow};
pub use tokens::TokenRow;

/// The schema's migrations, embedded at build time, in order. A migration is never edited
/// once released (the database records each one's checksum); changes come as new files.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("../migrations/0001_initial.sql")),
    (
        2,
        "environment deletion",
        include_str!("../migrations/0002_environment_deletion.sql"),
    ),
];

/// The embedded migrations as sqlx reads them.
#[derive(Debug)]
struct Embedded;

impl<'s> sqlx::migrate::MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> futures_util::future::BoxFuture<
        's,
        Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>,
    > {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    sqlx::migrate::Migration::new(
                        *version,
                        (*description).into(),
                        sqlx::migrate::MigrationType::Simple,
                        (*sql).into(),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Which database the store is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One file in the data folder; one service instance.
    Sqlite,
    /// A server several instances share; they learn of each other's changes by LISTEN/NOTIFY.
    Postgres,
}

/// The service's database.
#[derive(Clone, Debug)]
pub struct Store {
    /// The connections.
    pub pool: AnyPool,
    /// Which database.
    pub backend: Backend,
    /// The URL, kept for the change listener (PostgreSQL).
    pub url: String,
}

/// A database failure, with a message fit for a log line (never SQL, never a token).
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError(describe(&error))
    }
}

/// What went wrong, without the statement or its parameters.
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(database) => format!("database error: {}", database.message()),
        sqlx::Error::Io(io) => format!("cannot reach the database: {io}"),
        sqlx::Error::PoolTimedOut => "the database did not answer in time".to_owned(),
        sqlx::Error::Tls(_) => "the database's TLS connection failed".to_owned(),
        other => format!("database error: {other}"),
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite database `vexil.db` in `folder`.
    pub async fn open_sqlite(folder: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(folder).map_err(|error| {
            StoreError(format!(
                "cannot create the data folder {}: {error}",
                folder.display()
            ))
        })?;
        let probe = folder.join(".vexil-write-check");
        std::fs::write(&probe, b"").map_err(|error| {
            StoreError(format!(
                "cannot write to the data folder {}: {error}",
                folder.display()
            ))
        })?;
        let _ = std::fs::remove_file(&probe);
        let path = folder.join("vexil.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Store::connect(&url, Backend::Sqlite).await
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://…`).
    pub async fn open_postgres(url: &str) -> Result<Store, StoreError> {
        Store::connect(url, Backend::Postgres).await
    }

    async fn connect(url: &str, backend: Backend) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = url
            .parse()
            .map_err(|_| StoreError("the database URL cannot be read".to_owned()))?;
        let options = options.disable_statement_logging();
        // One connection first, so that an unreachable database is reported as what it is
        // (refused, unknown host, wrong password) rather than as a pool timeout.
        let first = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::AnyConnection::connect_with(&options),
        )
        .await
        .map_err(|_| StoreError("the database did not answer within 10 s".to_owned()))??;
        first.close().await?;
        // SQLite allows one writer; more connections only wait on its lock.
        let connections = if backend == Backend::Sqlite { 4 } else { 8 };
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            // Write-ahead logging: readers (the config endpoint, listings) never wait for a
            // writer. The setting is kept in the database file.
            sqlx::query("PRAGMA journal_mode=WAL")
                .execute(&pool)
                .await?;
        }
        let migrator = sqlx::migrate::Migrator::new(Embedded)
            .await
            .map_err(|error| StoreError(format!("cannot read the schema: {error}")))?;
        migrator
            .run(&pool)
            .await
            .map_err(|error| StoreError(format!("cannot prepare the schema: {error}")))?;
        Ok(Store {
            pool,
            backend,
            url: url.to_owned(),
        })
    }
}
