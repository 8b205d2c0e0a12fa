//! The service in-process, on a real SQLite file and, where PostgreSQL is installed, a real
//! throwaway PostgreSQL cluster, with a clock the tests move instead of sleeping.

mod bad_input;
mod changes;
mod client_evaluation;
mod cluster;
mod concurrency;
mod config;
mod console;
mod endpoints;
mod http;
mod instances;
mod matrix;
mod overrides;
mod publish;
mod quota;
mod reads;
mod throwaway;

use std::sync::Arc;

use super::change::Author;
use super::clock::Clock;
use super::service::{Service, Settings, Shared};
use super::store::Store;

/// 2026-12-05T10:00:00Z, the start of an hour.
pub const TEN_O_CLOCK: i64 = 1_796_464_800_000;

/// A service on a fresh SQLite file in a temporary folder (removed on drop).
pub struct Fixture {
    pub service: Shared,
    pub clock: Clock,
    _folder: TempFolder,
}

impl Fixture {
    pub async fn sqlite() -> Fixture {
        let folder = TempFolder::new("sqlite");
        let store = Store::open_sqlite(&folder.0).await.expect("open SQLite");
        Fixture::on(store, folder).await
    }

    pub async fn on(store: Store, folder: TempFolder) -> Fixture {
        Fixture::with_clock(store, folder, Clock::fixed(TEN_O_CLOCK)).await
    }

    /// Another instance on a database that already has its environments, on `clock`.
    pub async fn joining(store: Store, clock: Clock) -> Fixture {
        let fixture = Fixture::with_clock(store, TempFolder::new("joining"), clock).await;
        fixture.service.reload().await.expect("read what is stored");
        fixture
    }

    async fn with_clock(store: Store, folder: TempFolder, clock: Clock) -> Fixture {
        let settings = Settings {
            default_environment: "production".to_owned(),
            changes_per_hour: 100,
        };
        let service = Arc::new(Service::new(store, clock.clone(), settings));
        service
            .create_environment("production", "test")
            .await
            .expect("environment");
        Fixture {
            service,
            clock,
            _folder: folder,
        }
    }
}

pub fn author() -> Author {
    Author {
        actor: "test".to_owned(),
        reason: None,
    }
}

pub fn flag(key: &str, enabled: bool) -> String {
    format!(
        r#"{{"key":"{key}","type":"boolean","enabled":{enabled},"variants":{{"on":true,"off":false}},"offVariant":"off","fallthrough":{{"variant":"on"}}}}"#
    )
}

pub use throwaway::TempFolder;

impl TempFolder {
    /// A new, empty temporary folder (removed on drop); failing to make one fails the test.
    pub fn new(label: &str) -> TempFolder {
        TempFolder::create(label).unwrap_or_else(|error| panic!("temporary folder: {error}"))
    }
}
