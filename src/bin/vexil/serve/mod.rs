//! `vexil serve`: the flag service. An admin API where people change flags, a store on
//! SQLite or PostgreSQL where every change is validated, audited, counted and published in
//! one transaction, and the config endpoint SDKs fetch (docs/service.md, docs/api.md). With
//! `--snapshot`, the config endpoint alone, serving snapshot files read-only.

pub mod api;
pub mod auth;
pub mod change;
pub mod clock;
pub mod console;
pub mod definition;
pub mod diff;
pub mod environments;
pub mod error;
pub mod keys;
pub mod limits;
pub mod live;
pub mod log;
pub mod publish;
pub mod readonly;
pub mod references;
pub mod service;
pub mod start;
pub mod store;
pub mod sync;
#[cfg(test)]
mod tests;
pub mod tokens;
pub mod usage;
pub mod validate;

use std::ffi::OsString;

use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_OK};

/// `vexil serve --help`.
pub const HELP: &str = "\
vexil serve: run the flag service (admin API, config endpoint, SQLite or PostgreSQL), or serve
snapshot files read-only.

Usage:
  vexil serve [--listen ADDR:PORT] [--data DIR | --database URL] [OPTIONS]
  vexil serve --snapshot FILE|DIR [--listen ADDR:PORT] [--environment NAME]

Options:
  --listen ADDR:PORT        where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --data DIR                the SQLite data folder (default ./vexil-data)
  --database URL            postgres://user@host:port/db instead of SQLite; several instances
                            may share one database
  --environment NAME        the default environment (default production; with --snapshot,
                            the one served to requests that name none)
  --changes-per-hour N      the change quota per flag (default 100)
  --admin-token-file FILE   the first admin token, read from FILE (or set VEXIL_ADMIN_TOKEN)
  --seed SNAPSHOT           on a new database, import SNAPSHOT into the default environment
  --console DIR             serve the console from DIR (a built www/dist) instead of the one
                            built into this binary
  --snapshot FILE|DIR       serve snapshot files read-only, with no database (see below)

The first start creates the environments development, staging and production, and prints an
admin token and SDK keys for the default environment, once. The server prints
`listening on http://ADDR:PORT` when it is ready, and stops cleanly on Ctrl-C or SIGTERM.

Read-only mode (--snapshot):
  FILE is one environment, named by the document's `environment` field, else by the file
  name; DIR serves each DIR/NAME.json as the environment NAME. Only the config endpoint
  (/sdk/v1) and /api/v1/health answer, without keys: every reader gets the whole document as
  the file holds it, since there are no client keys to hide server-only flags from, so put in
  the files only what any reader may see. When one environment is served, requests may leave
  out ?environment=. The files are looked at every 0.5 s: a changed file is served once it
  loads and its revision is not lower than the one served; otherwise the last good one stays
  served and standard error says why. At start, every file must load. --database, --data,
  --seed, --admin-token-file and --changes-per-hour do not apply.
";

const OPTIONS: &[OptSpec] = &[
    opt("--listen", true),
    opt("--data", true),
    opt("--database", true),
    opt("--environment", true),
    opt("--changes-per-hour", true),
    opt("--admin-token-file", true),
    opt("--seed", true),
    opt("--snapshot", true),
    opt("--console", true),
];

/// Runs `vexil serve`.
pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("serve", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    parsed.positionals::<0>("serve", [])?;
    let read_only = match parsed.value("--snapshot") {
        Some(_) => Some(readonly::Options::read(&parsed)?),
        None => None,
    };
    let database = match read_only {
        Some(_) => None,
        None => Some(start::Options::read(&parsed)?),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::fatal(format!("cannot start the runtime: {error}")))?;
    if let Some(options) = read_only {
        runtime.block_on(readonly::serve(options))?;
    }
    if let Some(options) = database {
        runtime.block_on(start::serve(options))?;
    }
    Ok(EXIT_OK)
}
