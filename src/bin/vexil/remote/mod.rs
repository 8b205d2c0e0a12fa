//! `vexil push`, `vexil pull` and `vexil token`: a running service's environments as snapshot
//! files (flags as code), and tokens for the service.

pub mod changes;
pub mod http;
pub mod json_text;
pub mod pull;
pub mod push;
pub mod token;

use crate::args::Parsed;
use crate::failure::Failure;
use crate::io::read_bounded;
use crate::serve::keys::check_environment;
use http::{Service, Token, MAX_TOKEN_BYTES};

/// The service named by `--to` or `--from` (`option`), with the caller's token.
pub fn service(parsed: &Parsed, command: &str, option: &str) -> Result<Service, Failure> {
    let Some(url) = parsed.value(option) else {
        return Err(Failure::usage(
            command,
            format!("missing `{option} URL`, the service's base URL (e.g. http://127.0.0.1:8080)"),
        ));
    };
    let token = token(parsed, command)?;
    Service::new(url, token).map_err(|error| Failure::usage(command, error))
}

/// The admin token: from `--token-file`, else `VEXIL_TOKEN`. Never from an argument, which
/// any user of the machine can read in the process list.
fn token(parsed: &Parsed, command: &str) -> Result<Token, Failure> {
    if let Some(file) = parsed.value("--token-file") {
        let bytes = read_bounded(file, "the token file", MAX_TOKEN_BYTES)?;
        let text = String::from_utf8(bytes).unwrap_or_default();
        return Token::new(&text, &format!("the token file {file}")).map_err(Failure::fatal);
    }
    match std::env::var("VEXIL_TOKEN") {
        Ok(text) if !text.trim().is_empty() => {
            Token::new(&text, "VEXIL_TOKEN").map_err(Failure::fatal)
        }
        _ => Err(Failure::usage(
            command,
            "no token: pass `--token-file FILE` or set VEXIL_TOKEN to an admin token \
             (never as an argument, where the process list shows it)",
        )),
    }
}

/// `--environment`, checked, if given.
fn environment<'p>(parsed: &'p Parsed, command: &str) -> Result<Option<&'p str>, Failure> {
    let given = parsed.value("--environment");
    if let Some(name) = given {
        check_environment(name).map_err(|error| Failure::usage(command, error))?;
    }
    Ok(given)
}

/// The path of an environment's snapshot under the base URL. Names are checked to need no
/// escaping (`check_environment`).
fn snapshot_path(environment: &str) -> String {
    format!("/api/v1/environments/{environment}/snapshot")
}
