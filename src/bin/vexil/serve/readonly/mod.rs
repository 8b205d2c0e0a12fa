//! `vexil serve --snapshot FILE|DIR`: the read-only mode. No database and no keys: the
//! config endpoint serves snapshot files as they are, follows their changes, and keeps the
//! last good one served when a new one does not load.

pub mod files;
pub mod routes;
pub mod watch;

use crate::serve::log::{log, say};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::http::StatusCode;
use tokio::sync::watch as signal;

use super::api::sdk::Serving;
use super::error::ApiError;
use super::keys::check_environment;
use super::live::Live;
use super::start::{bind, listen_option, stop_signal};
use crate::args::Parsed;
use crate::failure::Failure;
use files::Layout;

/// The options of the database mode that mean nothing without a database.
const CONFLICTS: [&str; 5] = [
    "--database",
    "--data",
    "--seed",
    "--admin-token-file",
    "--changes-per-hour",
];

/// What `vexil serve --snapshot` was asked to do.
#[derive(Debug)]
pub struct Options {
    listen: SocketAddr,
    layout: Layout,
    default_environment: Option<String>,
}

impl Options {
    /// Reads the command line; `--snapshot` is given.
    pub fn read(parsed: &Parsed) -> Result<Options, Failure> {
        if let Some(option) = CONFLICTS
            .into_iter()
            .find(|option| parsed.value(option).is_some())
        {
            return Err(Failure::usage(
                "serve",
                format!(
                    "`--snapshot` serves files read-only, without a database: it cannot be \
                     combined with `{option}`"
                ),
            ));
        }
        let listen = listen_option(parsed)?;
        let path = Path::new(parsed.value("--snapshot").unwrap_or_default());
        let layout = Layout::of(path).map_err(|error| {
            Failure::fatal(format!(
                "cannot read --snapshot {}: {error}",
                path.display()
            ))
        })?;
        let default_environment = parsed.value("--environment").map(str::to_owned);
        if let Some(name) = &default_environment {
            check_environment(name).map_err(|error| Failure::usage("serve", error))?;
        }
        Ok(Options {
            listen,
            layout,
            default_environment,
        })
    }
}

/// What the read-only server's requests and watcher share.
#[derive(Debug)]
pub struct ReadOnly {
    /// The snapshots served.
    pub live: Live,
    /// Set when the server stops: open streams end, the watcher stops.
    pub shutdown: signal::Sender<bool>,
    /// The environment of requests that name none (`--environment`).
    default_environment: Option<String>,
}

impl Serving for ReadOnly {
    fn live(&self) -> &Live {
        &self.live
    }

    fn stopping(&self) -> signal::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

impl ReadOnly {
    /// The environment a request means: the one it names; else `--environment`; else the one
    /// served, when only one is.
    pub fn environment(&self, named: Option<&str>) -> Result<String, ApiError> {
        if let Some(name) = named.or(self.default_environment.as_deref()) {
            check_environment(name).map_err(ApiError::bad_request)?;
            return Ok(name.to_owned());
        }
        let mut served: Vec<String> = self
            .live
            .revisions()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        if served.len() == 1 {
            return Ok(served.remove(0));
        }
        served.sort();
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            format!(
                "this server serves several environments ({}): name one with ?environment=",
                served.join(", ")
            ),
        ))
    }
}

/// Serves the files until Ctrl-C or SIGTERM.
pub async fn serve(options: Options) -> Result<(), Failure> {
    let state = Arc::new(ReadOnly {
        live: Live::default(),
        shutdown: signal::channel(false).0,
        default_environment: options.default_environment,
    });
    let watcher = watch::Watcher::start(options.layout, &state.live)?;
    if let Some(name) = &state.default_environment {
        if state.live.get(name).is_none() {
            return Err(Failure::fatal(format!(
                "--environment {name}: no snapshot file serves `{name}`"
            )));
        }
    }
    let (listener, address) = bind(options.listen).await?;
    watch::spawn(watcher, state.clone())?;
    say(format_args!(
        "config endpoint: http://{address}/sdk/v1/snapshot?environment=NAME  (read-only: no \
         keys, no admin API)"
    ));
    say(format_args!("listening on http://{address}"));
    let stopping = state.clone();
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(async move {
            stop_signal().await;
            // Open streams end, so the server can finish; the watcher stops too.
            let _ = stopping.shutdown.send(true);
        })
        .await
        .map_err(|error| Failure::fatal(format!("the server stopped: {error}")))?;
    log(format_args!("stopped"));
    Ok(())
}
