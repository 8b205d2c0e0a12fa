//! Starting and stopping the service: options, the listener, the database, the first
//! tokens, and a clean stop on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use tokio::net::TcpListener;

use super::api::admin::issue;
use super::change::{Author, Edit};
use super::clock::Clock;
use super::console::Console;
use super::definition::Definition;
use super::keys::check_environment;
use super::service::{Service, Settings, Shared};
use super::store::{environments, tokens as stored, Store, TokenRow};
use super::tokens::{Presented, TokenKind};
use crate::args::Parsed;
use crate::failure::Failure;
use crate::serve::log::{log, say};

/// The environments a new database starts with.
const FIRST_ENVIRONMENTS: [&str; 3] = ["development", "staging", "production"];

/// What `vexil serve` was asked to do.
#[derive(Debug)]
pub struct Options {
    listen: SocketAddr,
    data: PathBuf,
    database: Option<String>,
    settings: Settings,
    admin_token: Option<String>,
    seed: Option<PathBuf>,
    console: Option<PathBuf>,
}

impl Options {
    /// Reads the command line (and `VEXIL_ADMIN_TOKEN`).
    pub fn read(parsed: &Parsed) -> Result<Options, Failure> {
        let listen = listen_option(parsed)?;
        let default_environment = parsed
            .value("--environment")
            .unwrap_or("production")
            .to_owned();
        check_environment(&default_environment).map_err(|error| Failure::usage("serve", error))?;
        let changes_per_hour = match parsed.value("--changes-per-hour") {
            None => 100,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|count| (1..=1_000_000).contains(count))
                .ok_or_else(|| {
                    Failure::usage(
                        "serve",
                        "--changes-per-hour needs a number from 1 to 1000000",
                    )
                })?,
        };
        let database = parsed.value("--database").map(str::to_owned);
        if let Some(url) = &database {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                return Err(Failure::usage(
                    "serve",
                    "--database takes a postgres:// URL (SQLite is the default, in --data)",
                ));
            }
        }
        let admin_token = match parsed.value("--admin-token-file") {
            Some(file) => Some(
                std::fs::read_to_string(file)
                    .map_err(|error| {
                        Failure::fatal(format!("cannot read the admin token file {file}: {error}"))
                    })?
                    .trim()
                    .to_owned(),
            ),
            None => std::env::var("VEXIL_ADMIN_TOKEN")
                .ok()
                .filter(|token| !token.is_empty()),
        };
        if let Some(token) = &admin_token {
            if Presented::parse(token).is_none() || !token.starts_with("vxa_") {
                return Err(Failure::fatal(
                    "the admin token must look like vxa_<12 hex digits>_<64 hex digits>; run `vexil token` to make one",
                ));
            }
        }
        Ok(Options {
            listen,
            data: PathBuf::from(parsed.value("--data").unwrap_or("vexil-data")),
            database,
            settings: Settings {
                default_environment,
                changes_per_hour,
            },
            admin_token,
            seed: parsed.value("--seed").map(PathBuf::from),
            console: console_option(parsed)?,
        })
    }
}

/// Runs the service until Ctrl-C or SIGTERM.
pub async fn serve(options: Options) -> Result<(), Failure> {
    let (listener, address) = bind(options.listen).await?;
    let store = match &options.database {
        Some(url) => Store::open_postgres(url).await,
        None => Store::open_sqlite(&options.data).await,
    }
    .map_err(|error| Failure::fatal(error.to_string()))?;
    let service: Shared = Arc::new(Service::new(
        store,
        Clock::system(),
        options.settings.clone(),
    ));
    prepare(&service, &options, address).await?;
    super::sync::start(&service);
    let console = match &options.console {
        Some(folder) => Some(Console::folder(folder.clone())),
        None => Console::embedded(),
    };
    if console.is_some() {
        say(format_args!("console:         http://{address}/"));
    } else {
        log(format_args!(
            "this vexil was built without the console (see `make console`, or --console DIR)"
        ));
    }
    let app = super::console::serve(super::api::router(service.clone()), console);
    if let Some(warning) = super::limits::warning(super::limits::open_files()) {
        log(format_args!("{warning}"));
    }
    say(format_args!("listening on http://{address}"));
    let stopping = service.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            stop_signal().await;
            // Open streams end, so the server can finish; changes in flight complete whole.
            let _ = stopping.shutdown.send(true);
        })
        .await
        .map_err(|error| Failure::fatal(format!("the server stopped: {error}")))?;
    if let Err(error) = service.usage.flush(&service.store).await {
        log(format_args!("evaluation counts lost at shutdown: {error}"));
    }
    service.store.pool.close().await;
    log(format_args!("stopped"));
    Ok(())
}

/// `--console DIR`: a built console folder (its `index.html` must be there).
fn console_option(parsed: &Parsed) -> Result<Option<PathBuf>, Failure> {
    let Some(folder) = parsed.value("--console") else {
        return Ok(None);
    };
    let folder = PathBuf::from(folder);
    if !folder.join("index.html").is_file() {
        return Err(Failure::usage(
            "serve",
            format!(
                "--console {} has no index.html (build the console with `make console`; it is in www/dist)",
                folder.display()
            ),
        ));
    }
    Ok(Some(folder))
}

/// `--listen ADDR:PORT`, or the default 127.0.0.1:8080.
pub fn listen_option(parsed: &Parsed) -> Result<SocketAddr, Failure> {
    let listen = parsed.value("--listen").unwrap_or("127.0.0.1:8080");
    listen.parse().map_err(|_| {
        Failure::usage(
            "serve",
            format!("--listen needs ADDR:PORT, e.g. 127.0.0.1:8080; got `{listen}`"),
        )
    })
}

/// Listens on `listen`; also answers the address bound (port 0 picks a free one).
pub async fn bind(listen: SocketAddr) -> Result<(TcpListener, SocketAddr), Failure> {
    let listener = TcpListener::bind(listen).await.map_err(|error| {
        let hint = if error.kind() == std::io::ErrorKind::AddrInUse {
            " (another program is using it; pick another with --listen)"
        } else {
            ""
        };
        Failure::fatal(format!("cannot listen on {listen}: {error}{hint}"))
    })?;
    let address = listener
        .local_addr()
        .map_err(|error| Failure::fatal(format!("cannot read the listening address: {error}")))?;
    Ok((listener, address))
}

/// Waits for Ctrl-C or, on Unix, SIGTERM.
pub async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {},
            _ = terminate.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// First-start work: environments, tokens, the seed; then serve what is stored.
async fn prepare(service: &Shared, options: &Options, address: SocketAddr) -> Result<(), Failure> {
    let fatal = |error: super::store::StoreError| Failure::fatal(error.to_string());
    let fresh = environments::list(&service.store.pool)
        .await
        .map_err(fatal)?
        .is_empty();
    if fresh {
        for name in FIRST_ENVIRONMENTS {
            service
                .create_environment(name, "vexil (first start)")
                .await
                .map_err(fatal)?;
        }
    }
    let default = service.settings.default_environment.clone();
    service
        .create_environment(&default, "vexil (first start)")
        .await
        .map_err(fatal)?;
    service.reload().await.map_err(fatal)?;
    let mut lines = Vec::new();
    if let Some(token) = &options.admin_token {
        adopt_admin_token(service, token).await.map_err(fatal)?;
    } else if stored::live_admins(&service.store.pool)
        .await
        .map_err(fatal)?
        == 0
    {
        let made = issue(
            service,
            TokenKind::Admin,
            Some("admin".to_owned()),
            None,
            "first admin",
            "vexil (first start)",
        )
        .await
        .map_err(|error| Failure::fatal(error.message))?;
        lines.push(format!(
            "admin token (shown once): {}",
            made["token"].as_str().unwrap_or_default()
        ));
    }
    if fresh {
        for kind in [TokenKind::Server, TokenKind::Client] {
            let made = issue(
                service,
                kind,
                None,
                Some(default.clone()),
                &format!("{default} {} key", kind.as_str()),
                "vexil (first start)",
            )
            .await
            .map_err(|error| Failure::fatal(error.message))?;
            lines.push(format!(
                "{} key for {default} (shown once): {}",
                kind.as_str(),
                made["token"].as_str().unwrap_or_default()
            ));
        }
    }
    if let Some(seed) = &options.seed {
        seed_environment(service, seed).await?;
    }
    for line in lines {
        say(format_args!("{line}"));
    }
    say(format_args!(
        "admin API:       http://{address}/api/v1  (docs/api.md)"
    ));
    say(format_args!(
        "config endpoint: http://{address}/sdk/v1/snapshot  (Authorization: Bearer <SDK key>)"
    ));
    Ok(())
}

/// Stores the given admin token if it is not stored yet (so a restart with the same
/// `VEXIL_ADMIN_TOKEN` changes nothing).
async fn adopt_admin_token(service: &Service, token: &str) -> Result<(), super::store::StoreError> {
    let Some(presented) = Presented::parse(token) else {
        return Ok(());
    };
    if stored::find(&service.store.pool, presented.id)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let (_, secret) = token.rsplit_once('_').unwrap_or_default();
    let row = TokenRow {
        id: presented.id.to_owned(),
        digest: super::tokens::digest_of(secret),
        kind: "admin".to_owned(),
        role: Some("admin".to_owned()),
        environment: None,
        name: "admin (from VEXIL_ADMIN_TOKEN)".to_owned(),
        created_at: service.clock.now_ms(),
        created_by: "vexil (first start)".to_owned(),
        revoked_at: None,
    };
    stored::insert(&service.store.pool, &row).await?;
    service.tokens_changed().await;
    Ok(())
}

/// Imports a snapshot file into the default environment if that environment has no flags.
async fn seed_environment(service: &Service, path: &std::path::Path) -> Result<(), Failure> {
    let environment = service.settings.default_environment.clone();
    let published = service.live.get(&environment);
    if published.is_some_and(|published| !published.engine.is_empty()) {
        return Ok(());
    }
    let text = std::fs::read_to_string(path).map_err(|error| {
        Failure::fatal(format!("cannot read the seed {}: {error}", path.display()))
    })?;
    let document = Definition::parse(&text)
        .map_err(|error| Failure::fatal(format!("the seed is not a snapshot: {error}")))?;
    let items = |name: &str| -> Vec<String> {
        document
            .raw(name)
            .and_then(|raw| serde_json::from_str::<Vec<&serde_json::value::RawValue>>(raw).ok())
            .map(|items| {
                items
                    .into_iter()
                    .map(|item| item.get().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let edit = Edit::Replace {
        flags: items("flags"),
        segments: items("segments"),
    };
    let author = Author {
        actor: "vexil (seed)".to_owned(),
        reason: Some(format!("seeded from {}", path.display())),
    };
    service
        .change(&environment, edit, &author)
        .await
        .map_err(|error| {
            let details = error
                .details
                .as_ref()
                .map(Value::to_string)
                .unwrap_or_default();
            Failure::fatal(format!("the seed was refused: {} {details}", error.message))
        })?;
    Ok(())
}
