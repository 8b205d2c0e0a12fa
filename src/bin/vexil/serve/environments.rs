//! Creating and deleting environments: each is a change of its own, audited, and published
//! (an empty snapshot for a new one), one transaction each.

use axum::http::StatusCode;
use serde_json::json;

use super::error::ApiError;
use super::publish::document;
use super::service::Service;
use super::store::{audit, environments, state, AuditEntry, EnvState, StoreError};

impl Service {
    /// Creates (or revives, continuing its revisions) an environment; false if it exists.
    pub async fn create_environment(&self, name: &str, actor: &str) -> Result<bool, StoreError> {
        let _turn = self.writes.lock().await;
        let now = self.clock.now_ms();
        let mut tx = self.store.pool.begin().await?;
        let Some(revision) = environments::create(&mut tx, name, now).await? else {
            return Ok(false);
        };
        let empty = EnvState {
            name: name.to_owned(),
            revision,
            flags: Vec::new(),
            segments: Vec::new(),
            overrides: Vec::new(),
        };
        let text = document(&empty, now);
        state::set_snapshot(&mut tx, name, &text).await?;
        audit::insert(
            &mut tx,
            name,
            &entry(name, revision, "environment.create", actor, now),
        )
        .await?;
        self.notify(&mut tx, name).await?;
        tx.commit().await?;
        self.publish(name, revision, text).await;
        Ok(true)
    }

    /// Deletes an environment that holds no flags or segments, and revokes its SDK keys. The
    /// default environment cannot be deleted.
    pub async fn delete_environment(&self, name: &str, actor: &str) -> Result<(), ApiError> {
        if name == self.settings.default_environment {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "`{name}` is the service's default environment (vexil serve --environment)"
                ),
            ));
        }
        let _turn = self.writes.lock().await;
        let now = self.clock.now_ms();
        let mut tx = self.store.pool.begin().await.map_err(StoreError::from)?;
        let Some(revision) = state::next_revision(&mut tx, name).await? else {
            return Err(ApiError::not_found("environment", name));
        };
        let held = state::load(&mut tx, name, revision - 1).await?;
        if !held.flags.is_empty() || !held.segments.is_empty() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!(
                    "`{name}` still holds {} flag(s) and {} segment(s); delete them first",
                    held.flags.len(),
                    held.segments.len()
                ),
            )
            .with_details(json!({ "flags": held.flags.len(), "segments": held.segments.len() })));
        }
        environments::delete(&mut tx, name, now).await?;
        audit::insert(
            &mut tx,
            name,
            &entry(name, revision, "environment.delete", actor, now),
        )
        .await?;
        self.notify(&mut tx, name).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.live.remove(name);
        self.tokens_changed().await;
        Ok(())
    }
}

fn entry(name: &str, revision: i64, kind: &str, actor: &str, now: i64) -> AuditEntry {
    AuditEntry {
        revision,
        subject_type: "environment".to_owned(),
        subject: name.to_owned(),
        at: now,
        actor: actor.to_owned(),
        kind: kind.to_owned(),
        before: None,
        after: None,
        reason: None,
    }
}
