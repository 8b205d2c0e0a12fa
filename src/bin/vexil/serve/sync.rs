//! The service's background work: learning of other instances' changes (PostgreSQL
//! LISTEN/NOTIFY, with a periodic check as a safety net), removing expired overrides, and
//! storing evaluation counts.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::change::{Author, Edit};
use super::service::Shared;
use super::store::Backend;
use crate::serve::log::log;

/// How often expired overrides are looked for: an override stops applying within this long
/// of its expiry.
const EXPIRY_CHECK: Duration = Duration::from_secs(1);
/// How often counted evaluations are stored.
const USAGE_FLUSH: Duration = Duration::from_secs(5);
/// How often every environment's revision is compared with the database, in case a
/// notification was lost while reconnecting.
const RECONCILE: Duration = Duration::from_secs(30);

/// Starts the background tasks; they end when the service shuts down.
pub fn start(service: &Shared) {
    if service.store.backend == Backend::Postgres {
        tokio::spawn(listen(service.clone()));
    }
    tokio::spawn(every(service.clone(), EXPIRY_CHECK, |service| async move {
        expire_overrides(&service).await;
    }));
    tokio::spawn(every(service.clone(), USAGE_FLUSH, |service| async move {
        if let Err(error) = service.usage.flush(&service.store).await {
            log(format_args!(
                "evaluation counts not stored yet ({error}); will retry"
            ));
        }
    }));
    tokio::spawn(every(service.clone(), RECONCILE, |service| async move {
        if let Err(error) = service.reload().await {
            log(format_args!("cannot check for newer revisions ({error})"));
        }
    }));
}

async fn every<F, Fut>(service: Shared, period: Duration, work: F)
where
    F: Fn(Shared) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut shutdown = service.shutdown.subscribe();
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = ticks.tick() => work(service.clone()).await,
        }
    }
}

async fn expire_overrides(service: &Shared) {
    let now = service.clock.now_ms();
    let due: Result<Vec<String>, sqlx::Error> = sqlx::query_scalar(
        "SELECT DISTINCT environment FROM overrides WHERE expires_at IS NOT NULL AND expires_at <= $1",
    )
    .bind(now)
    .fetch_all(&service.store.pool)
    .await;
    let author = Author {
        actor: "vexil (override expiry)".to_owned(),
        reason: None,
    };
    match due {
        Ok(environments) => {
            for environment in environments {
                if let Err(error) = service
                    .change(&environment, Edit::ExpireOverrides, &author)
                    .await
                {
                    log(format_args!(
                        "cannot remove expired overrides in `{environment}`: {}",
                        error.message
                    ));
                }
            }
        }
        Err(error) => log(format_args!(
            "cannot look for expired overrides ({})",
            super::store::StoreError::from(error)
        )),
    }
}

/// Follows the other instances' changes on PostgreSQL.
async fn listen(service: Shared) {
    let mut shutdown = service.shutdown.subscribe();
    loop {
        match PgListener::connect(&service.store.url).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen_all(["vexil_changes", "vexil_tokens"]).await {
                    log(format_args!(
                        "cannot listen for changes ({})",
                        super::store::StoreError::from(error)
                    ));
                } else {
                    // Whatever happened while not listening.
                    service.tokens.clear();
                    let _ = service.reload().await;
                    loop {
                        tokio::select! {
                            _ = shutdown.changed() => return,
                            received = listener.recv() => match received {
                                Ok(notification) if notification.channel() == "vexil_tokens" => service.tokens.clear(),
                                Ok(_) => {
                                    if let Err(error) = service.reload().await {
                                        log(format_args!("cannot read a new revision ({error})"));
                                    }
                                }
                                Err(error) => {
                                    log(format_args!("lost the change listener ({}); reconnecting", super::store::StoreError::from(error)));
                                    break;
                                }
                            },
                        }
                    }
                }
            }
            Err(error) => log(format_args!(
                "cannot listen for changes ({}); retrying",
                super::store::StoreError::from(error)
            )),
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}
