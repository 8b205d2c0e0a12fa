//! The service's state, and the one path every change takes: lock the environment, apply,
//! count against the quota, validate with the engine, store, audit, publish.

use std::sync::Arc;

use axum::http::StatusCode;

use super::auth::TokenCache;
use super::change::{apply, audit_entries, Author, Edit};
use super::clock::Clock;
use super::error::ApiError;
use super::live::Live;
use super::publish::{document, Published};
use super::store::{audit, state, AuditEntry, Backend, EnvState, Store, StoreError};
use super::usage::UsageBuffer;
use super::validate;
use crate::serve::log::log;

/// One hour, in milliseconds.
pub const HOUR_MS: i64 = 3_600_000;

/// Settings that shape the service's behaviour.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The environment flag endpoints use when the request names none.
    pub default_environment: String,
    /// Changes allowed per flag per hour.
    pub changes_per_hour: i64,
}

/// Everything a request handler needs.
pub struct Service {
    /// The database.
    pub store: Store,
    /// What this instance serves.
    pub live: Live,
    /// The time.
    pub clock: Clock,
    /// Settings.
    pub settings: Settings,
    /// Known tokens.
    pub tokens: TokenCache,
    /// Evaluation counts not yet stored.
    pub usage: UsageBuffer,
    /// Set when the service stops: open streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// One change at a time in this instance; the database serializes instances.
    pub(super) writes: tokio::sync::Mutex<()>,
}

/// What a change did.
#[derive(Debug)]
pub struct Committed {
    /// The environment's new revision (the old one when nothing changed).
    pub revision: i64,
    /// The state after the change.
    pub state: EnvState,
    /// The audit entries written (empty when nothing changed).
    pub entries: Vec<AuditEntry>,
}

impl Service {
    /// A service over `store`.
    pub fn new(store: Store, clock: Clock, settings: Settings) -> Service {
        Service {
            store,
            live: Live::default(),
            clock,
            settings,
            tokens: TokenCache::default(),
            usage: UsageBuffer::default(),
            shutdown: tokio::sync::watch::channel(false).0,
            writes: tokio::sync::Mutex::new(()),
        }
    }

    /// Makes `edit` to `environment` as one transaction, or nothing at all.
    pub async fn change(
        &self,
        environment: &str,
        edit: Edit,
        author: &Author,
    ) -> Result<Committed, ApiError> {
        let _turn = self.writes.lock().await;
        let now = self.clock.now_ms();
        let mut tx = self.store.pool.begin().await.map_err(StoreError::from)?;
        let Some(revision) = state::next_revision(&mut tx, environment).await? else {
            return Err(ApiError::not_found("environment", environment));
        };
        let before = state::load(&mut tx, environment, revision - 1).await?;
        let mut after = apply(&before, &edit, author, now)?;
        after.revision = revision;
        let entries = audit_entries(&before, &after, &edit, author, now);
        if entries.is_empty() {
            // Nothing to publish: the revision is not spent.
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(Committed {
                revision: before.revision,
                state: before,
                entries,
            });
        }
        if edit.counts_against_quota() {
            self.count_changes(&mut tx, environment, &entries, now)
                .await?;
        }
        let old_document = document(&before, now);
        let new_document = document(&after, now);
        validate::check(&old_document, &new_document, &entries)?;
        state::write_diff(&mut tx, &before, &after).await?;
        for entry in &entries {
            audit::insert(&mut tx, environment, entry).await?;
        }
        state::set_snapshot(&mut tx, environment, &new_document).await?;
        self.notify(&mut tx, environment).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.publish(environment, revision, new_document).await;
        Ok(Committed {
            revision,
            state: after,
            entries,
        })
    }

    /// Counts one change against each flag changed; refuses (429) past the hourly quota.
    async fn count_changes(
        &self,
        tx: &mut sqlx::AnyConnection,
        environment: &str,
        entries: &[AuditEntry],
        now: i64,
    ) -> Result<(), ApiError> {
        let hour = now.div_euclid(HOUR_MS);
        for entry in entries.iter().filter(|entry| entry.subject_type == "flag") {
            let count = state::count_change(tx, environment, &entry.subject, hour).await?;
            if count > self.settings.changes_per_hour {
                let wait_ms = (hour + 1) * HOUR_MS - now;
                let mut error = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "quota-exceeded",
                    format!(
                        "the flag `{}` has had {} changes this hour, the most allowed; the next is allowed in {} s",
                        entry.subject,
                        self.settings.changes_per_hour,
                        (wait_ms + 999) / 1000
                    ),
                )
                .with_details(serde_json::json!({
                    "flag": entry.subject,
                    "limit": self.settings.changes_per_hour,
                    "resetAt": super::clock::rfc3339((hour + 1) * HOUR_MS),
                }));
                error.retry_after = Some(u64::try_from((wait_ms + 999) / 1000).unwrap_or(1));
                return Err(error);
            }
        }
        Ok(())
    }

    /// Tells the other instances on the same PostgreSQL database; delivered at commit.
    pub(super) async fn notify(
        &self,
        tx: &mut sqlx::AnyConnection,
        environment: &str,
    ) -> Result<(), StoreError> {
        if self.store.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify('vexil_changes', $1)")
                .bind(environment)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    /// Serves the document stored for `environment` at `revision`. Loading and compressing
    /// a large document takes a while, so it runs off the threads that answer requests.
    pub async fn publish(&self, environment: &str, revision: i64, document: String) {
        let name = environment.to_owned();
        let prepared =
            tokio::task::spawn_blocking(move || Published::prepare(&name, revision, &document))
                .await;
        match prepared {
            Ok(Ok(published)) => self.live.install(published),
            // Every stored document was validated before it was stored; one that no longer
            // loads (an older engine?) leaves the last good one served.
            Ok(Err(error)) => log(format_args!("the snapshot of `{environment}` at revision {revision} does not load ({error}); still serving the previous one"
            )),
            Err(error) => log(format_args!("preparing `{environment}` at revision {revision} failed ({error})")),
        }
    }

    /// Reads every environment's stored snapshot and serves those newer than what is served.
    pub async fn reload(&self) -> Result<(), StoreError> {
        let stored = super::store::environments::list(&self.store.pool).await?;
        for (name, _) in self.live.revisions() {
            if !stored.iter().any(|(live, _, _)| *live == name) {
                // Deleted (here or on another instance).
                self.live.remove(&name);
            }
        }
        for (name, revision, document) in stored {
            let served = self.live.get(&name).map(|published| published.revision);
            if served.is_none_or(|served| served < revision) {
                self.publish(&name, revision, document).await;
            }
        }
        Ok(())
    }

    /// Forgets cached tokens here and, on PostgreSQL, on every other instance.
    pub async fn tokens_changed(&self) {
        self.tokens.clear();
        if self.store.backend == Backend::Postgres {
            let sent = sqlx::query("SELECT pg_notify('vexil_tokens', '')")
                .execute(&self.store.pool)
                .await;
            if let Err(error) = sent {
                log(format_args!(
                    "cannot tell other instances of a token change: {}",
                    StoreError::from(error)
                ));
            }
        }
    }

    /// The environment a request means: the one named, or the default.
    pub fn environment_or_default<'a>(&'a self, named: Option<&'a str>) -> &'a str {
        named.unwrap_or(&self.settings.default_environment)
    }
}

/// A shared service.
pub type Shared = Arc<Service>;
