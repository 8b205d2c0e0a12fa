//! `vexil push`: replace an environment of a running service with a snapshot file, as one
//! change the service validates, audits and counts like any other.

use std::ffi::OsString;
use std::io::Write;

use serde::Deserialize;
use serde_json::Value;
use vexil::Engine;

use super::changes::{between, Change};
use super::http::{HttpError, Service};
use super::json_text::compact;
use super::snapshot_path;
use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_OK};
use crate::io::{label, read_snapshot, Out, STDIN};
use crate::serve::definition::Definition;
use crate::serve::keys::check_environment;
use crate::validate::{count, load_error_line, tally};

/// `vexil push --help`.
pub const HELP: &str = "\
vexil push: replace an environment of a running flag service with a snapshot file.

Usage:
  vexil push SNAPSHOT --to URL [--environment NAME] [--token-file FILE] [--reason TEXT] [--dry-run]

The environment's flags and segments become the snapshot's, as one change: the service
validates it, records it in the history of each flag and segment it changes (kind `push`,
with the reason), and counts it against the change quota. Per-user overrides set in the
service stay. The snapshot is first checked here as `vexil validate` checks it (the
diagnostics are printed on standard error), and one with errors is not sent.

Prints one line per flag or segment created, updated or deleted, then the environment's new
revision; or `no changes`. The whitespace between tokens is not sent, so formatting alone
changes nothing: pushing back a file `vexil pull` wrote is `no changes`.

Options:
  --to URL              the service's base URL, e.g. http://127.0.0.1:8080
  --environment NAME    the environment to replace (default: the snapshot's `environment`)
  --token-file FILE     read the admin token (editor role or above) from FILE; without it,
                        the token is read from the VEXIL_TOKEN environment variable
  --reason TEXT         why; recorded with the change
  --dry-run             print what would change, and change nothing
  -h, --help

Exit codes:
  0  pushed, or nothing to change; with --dry-run, the changes were printed
  2  the snapshot has errors or cannot be read, the service refused the push or cannot be
     reached, or the command line is wrong
";

const OPTIONS: &[OptSpec] = &[
    opt("--to", true),
    opt("--environment", true),
    opt("--token-file", true),
    opt("--reason", true),
    opt("--dry-run", false),
];

/// The service's answer to a push.
#[derive(Deserialize)]
struct Pushed {
    environment: String,
    revision: i64,
    changed: Vec<Changed>,
}

#[derive(Deserialize)]
struct Changed {
    #[serde(rename = "type")]
    subject: String,
    key: String,
    kind: String,
}

/// Runs `vexil push`.
pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("push", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    let [path] = parsed.positionals("push", ["SNAPSHOT"])?;
    if path == STDIN && parsed.value("--token-file") == Some(STDIN) {
        return Err(Failure::usage(
            "push",
            "the snapshot and the token cannot both come from standard input",
        ));
    }
    let reason = parsed.value("--reason");
    if reason.is_some_and(|reason| reason.chars().any(char::is_control)) {
        return Err(Failure::usage("push", "--reason must be one line of text"));
    }
    let service = super::service(&parsed, "push", "--to")?;
    let given = super::environment(&parsed, "push")?;
    let bytes = read_snapshot(path)?;
    let engine = checked(&bytes, path)?;
    let environment = match given.or(engine.environment()) {
        Some(name) => name,
        None => {
            return Err(Failure::usage(
                "push",
                format!(
                    "{} names no environment; pass --environment NAME",
                    label(path)
                ),
            ))
        }
    };
    check_environment(environment)
        .map_err(|error| Failure::fatal(format!("{}: `environment`: {error}", label(path))))?;
    // The engine accepted the bytes, so they are UTF-8.
    let document = compact(&String::from_utf8_lossy(&bytes));
    if parsed.switch("--dry-run") {
        return dry_run(&service, environment, &document);
    }
    let answer = service
        .put(&snapshot_path(environment), document.as_bytes(), reason)
        .map_err(refused)?;
    let pushed: Pushed = serde_json::from_slice(&answer).map_err(|error| {
        Failure::fatal(format!(
            "{} answered the push with an unexpected document: {error}",
            service.base()
        ))
    })?;
    print_pushed(&pushed)
}

/// One line per flag or segment changed, then the new revision.
fn print_pushed(pushed: &Pushed) -> Result<u8, Failure> {
    let mut out = Out::new();
    for change in &pushed.changed {
        out.line(format_args!(
            "{} {} {}",
            change.kind, change.subject, change.key
        ))?;
    }
    if pushed.changed.is_empty() {
        out.line(format_args!(
            "{}: no changes (revision {})",
            pushed.environment, pushed.revision
        ))?;
    } else {
        out.line(format_args!(
            "{}: revision {}, {} pushed",
            pushed.environment,
            pushed.revision,
            count(pushed.changed.len(), "change")
        ))?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

/// Loads the snapshot as `vexil validate` does and prints its diagnostics; a snapshot that
/// cannot be used, or has errors, stops the push.
fn checked(bytes: &[u8], path: &str) -> Result<Engine, Failure> {
    let engine = Engine::from_slice(bytes).map_err(|error| {
        note(load_error_line(&error));
        Failure::fatal(format!("{} is unusable; nothing was pushed", label(path)))
    })?;
    let diagnostics = engine.diagnostics();
    for diagnostic in diagnostics {
        note(diagnostic);
    }
    let (errors, _) = tally(diagnostics);
    if errors > 0 {
        return Err(Failure::fatal(format!(
            "{} has {}; nothing was pushed",
            label(path),
            count(errors, "error")
        )));
    }
    Ok(engine)
}

/// Prints what a push of `document` would change, from the environment as it is now.
fn dry_run(service: &Service, environment: &str, document: &str) -> Result<u8, Failure> {
    let current = service
        .get(&snapshot_path(environment))
        .map_err(|error| Failure::fatal(format!("cannot read {environment}: {error}")))?;
    let current = String::from_utf8_lossy(&current);
    let unexpected =
        |error: String| Failure::fatal(format!("the service's {environment} snapshot: {error}"));
    let changes = between(&current, document).map_err(unexpected)?;
    let revision = Definition::parse(&current)
        .map_err(unexpected)?
        .value("revision")
        .unwrap_or(Value::Null);
    let mut out = Out::new();
    for Change { subject, key, kind } in &changes {
        let verb = match *kind {
            "created" => "create",
            "deleted" => "delete",
            _ => "update",
        };
        out.line(format_args!("would {verb} {subject} {key}"))?;
    }
    let summary = if changes.is_empty() {
        "no changes".to_owned()
    } else {
        format!("{} would be pushed", count(changes.len(), "change"))
    };
    out.line(format_args!(
        "{environment}: {summary} (now at revision {revision}); dry run, nothing was changed"
    ))?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// The failure of a push; the service's diagnostics, with their paths, go to standard error.
fn refused(error: HttpError) -> Failure {
    match &error {
        HttpError::Refused(refusal) => {
            for line in refusal.details.iter().flat_map(detail_lines) {
                note(line);
            }
            Failure::fatal(format!("the service refused the push: {error}"))
        }
        HttpError::Failed(_) => Failure::fatal(error),
    }
}

/// The details of a refused push as diagnostic lines: a snapshot that does not load
/// (`{"code", "path"}`) or flags with errors (`{"diagnostics": [...]}`, paths inside each).
pub fn detail_lines(details: &Value) -> Vec<String> {
    let text = |value: &Value, name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    if let Some(list) = details.get("diagnostics").and_then(Value::as_array) {
        return list
            .iter()
            .map(|diagnostic| {
                let owner = match (text(diagnostic, "flag"), text(diagnostic, "segment")) {
                    (flag, _) if !flag.is_empty() => format!("flag `{flag}` "),
                    (_, segment) if !segment.is_empty() => format!("segment `{segment}` "),
                    _ => String::new(),
                };
                format!(
                    "error[{}] {owner}{}: {}",
                    text(diagnostic, "code"),
                    text(diagnostic, "path"),
                    text(diagnostic, "message")
                )
            })
            .collect();
    }
    match (text(details, "code"), text(details, "path")) {
        (code, path) if !code.is_empty() && !path.is_empty() => {
            vec![format!("error[{code}] {path}")]
        }
        _ => Vec::new(),
    }
}

/// One line on standard error. If even that fails there is nobody left to tell.
fn note(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_diagnostics_are_shown_with_their_owner_and_path() {
        let details = serde_json::json!({"diagnostics": [
            {"code": "invalid-regex", "path": "$.rules[0].conditions[0].value", "flag": "a",
             "message": "bad pattern"},
            {"code": "unknown-segment", "path": "$.conditions[1]", "segment": "s",
             "message": "no such segment"},
        ]});
        assert_eq!(
            detail_lines(&details),
            [
                "error[invalid-regex] flag `a` $.rules[0].conditions[0].value: bad pattern",
                "error[unknown-segment] segment `s` $.conditions[1]: no such segment",
            ]
        );
        let unusable = serde_json::json!({"code": "SHAPE", "path": "$.flags"});
        assert_eq!(detail_lines(&unusable), ["error[SHAPE] $.flags"]);
        assert!(detail_lines(&serde_json::json!({"dependants": []})).is_empty());
    }
}
