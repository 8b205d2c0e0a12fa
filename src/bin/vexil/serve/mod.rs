//! `vexil serve`: the flag service. An admin API where people change flags, a store on
//! SQLite or PostgreSQL where every change is validated, audited, counted and published in
//! one transaction, and the config endpoint SDKs fetch (docs/service.md, docs/api.md).

pub mod api;
pub mod auth;
pub mod change;
pub mod clock;
pub mod definition;
pub mod diff;
pub mod error;
pub mod keys;
pub mod limits;
pub mod live;
pub mod publish;
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
vexil serve: run the flag service (admin API, config endpoint, SQLite or PostgreSQL).

Usage:
  vexil serve [--listen ADDR:PORT] [--data DIR | --database URL] [OPTIONS]

Options:
  --listen ADDR:PORT        where to listen (default 127.0.0.1:8080; port 0 picks a free one)
  --data DIR                the SQLite data folder (default ./vexil-data)
  --database URL            postgres://user@host:port/db instead of SQLite; several instances
                            may share one database
  --environment NAME        the default environment (default production)
  --changes-per-hour N      the change quota per flag (default 100)
  --admin-token-file FILE   the first admin token, read from FILE (or set VEXIL_ADMIN_TOKEN)
  --seed SNAPSHOT           on a new database, import SNAPSHOT into the default environment

The first start creates the environments development, staging and production, and prints an
admin token and SDK keys for the default environment, once. The server prints
`listening on http://ADDR:PORT` when it is ready, and stops cleanly on Ctrl-C or SIGTERM.
";

const OPTIONS: &[OptSpec] = &[
    opt("--listen", true),
    opt("--data", true),
    opt("--database", true),
    opt("--environment", true),
    opt("--changes-per-hour", true),
    opt("--admin-token-file", true),
    opt("--seed", true),
];

/// Runs `vexil serve`.
pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("serve", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    parsed.positionals::<0>("serve", [])?;
    let options = start::Options::read(&parsed)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::fatal(format!("cannot start the runtime: {error}")))?;
    runtime.block_on(start::serve(options))?;
    Ok(EXIT_OK)
}
