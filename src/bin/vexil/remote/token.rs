//! `vexil token`: a new random token in the service's format.

use std::ffi::OsString;

use crate::args::parse;
use crate::failure::{Failure, EXIT_OK};
use crate::io::Out;
use crate::serve::tokens::{generate, TokenKind};

/// `vexil token --help`.
pub const HELP: &str = "\
vexil token: print a new random token in the flag service's format.

Usage:
  vexil token [admin|server|client]

Prints one token (default: admin) from the operating system's random source:
`vxa_<id>_<secret>` for an admin token, `vxs_…` for a server SDK key, `vxc_…` for a client
SDK key. Nothing is stored: the printed text is the only copy.

An admin token made here is how a service gets its first token from outside, e.g.
  VEXIL_ADMIN_TOKEN=$(vexil token) vexil serve
or in a file given to `vexil serve --admin-token-file`, and then to `vexil push` and
`vexil pull` through VEXIL_TOKEN or --token-file. SDK keys the service is to accept are made
by the service (POST /api/v1/tokens); the other kinds here only have their format.

Exit codes:
  0  the token was printed
  2  the command line is wrong, or there is no random source
";

/// Runs `vexil token`.
pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("token", args, &[])?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    let kind = match parsed.optional_positional("token", "KIND")? {
        None => TokenKind::Admin,
        Some(name) => TokenKind::parse(name).ok_or_else(|| {
            Failure::usage(
                "token",
                format!("unknown kind `{name}`: admin, server or client"),
            )
        })?,
    };
    let token = generate(kind).map_err(Failure::fatal)?;
    let mut out = Out::new();
    out.line(&token.text)?;
    out.flush()?;
    Ok(EXIT_OK)
}
