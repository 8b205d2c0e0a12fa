//! `vexil validate`: load a snapshot and report what is wrong with it.

use std::ffi::OsString;

use serde::Serialize;
use vexil::{Diagnostic, Engine, LoadError, Severity};

use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_FAILURE, EXIT_FINDINGS, EXIT_OK};
use crate::io::{label, read_snapshot, Out};

pub const HELP: &str = "\
vexil validate: load a snapshot and list its diagnostics.

Usage:
  vexil validate SNAPSHOT [--json]

Prints one line per diagnostic, such as
  error[unknown-operator] $.flags[2].rules[0].conditions[0].op: ...
then a summary. A flag named by an error serves the caller's default with PARSE_ERROR;
warnings are harmless. A document that cannot be used at all is reported with its load
error code (NOT_JSON, SHAPE, UNSUPPORTED_SCHEMA_VERSION, LIMIT_...).

Options:
  --json   print one JSON document instead:
           {\"ok\", \"revision\", \"environment\", \"flags\", \"errors\", \"warnings\", \"diagnostics\"},
           or {\"ok\": false, \"error\": {\"code\", \"path\", \"message\"}} for an unusable document
  -h, --help

Exit codes:
  0  no diagnostics
  1  the snapshot loads but has diagnostics (errors or warnings)
  2  the document is unusable, the file cannot be read, or the command line is wrong
";

const OPTIONS: &[OptSpec] = &[opt("--json", false)];

#[derive(Serialize)]
struct Report<'e> {
    ok: bool,
    revision: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<&'e str>,
    flags: usize,
    errors: usize,
    warnings: usize,
    diagnostics: &'e [Diagnostic],
}

#[derive(Serialize)]
struct Unusable<'a> {
    ok: bool,
    error: LoadErrorReport<'a>,
}

#[derive(Serialize)]
struct LoadErrorReport<'a> {
    code: &'a str,
    path: Option<&'a str>,
    message: &'a str,
}

pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("validate", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    let [path] = parsed.positionals("validate", ["SNAPSHOT"])?;
    let json = parsed.switch("--json");
    let bytes = read_snapshot(path)?;
    let mut out = Out::new();
    let code = match Engine::from_slice(&bytes) {
        Ok(engine) => {
            let diagnostics = engine.diagnostics();
            let (errors, warnings) = tally(diagnostics);
            if json {
                let report = Report {
                    ok: diagnostics.is_empty(),
                    revision: engine.revision(),
                    environment: engine.environment(),
                    flags: engine.len(),
                    errors,
                    warnings,
                    diagnostics,
                };
                out.line(to_json(&report)?)?;
            } else {
                for diagnostic in diagnostics {
                    out.line(diagnostic)?;
                }
                let found = if diagnostics.is_empty() {
                    "no problems found".to_owned()
                } else {
                    format!(
                        "{} and {}",
                        count(errors, "error"),
                        count(warnings, "warning")
                    )
                };
                out.line(format_args!(
                    "{}: revision {}, {}, {found}",
                    label(path),
                    engine.revision(),
                    count(engine.len(), "flag"),
                ))?;
            }
            if diagnostics.is_empty() {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            }
        }
        Err(error) => {
            if json {
                let report = Unusable {
                    ok: false,
                    error: LoadErrorReport {
                        code: error.code(),
                        path: error.path(),
                        message: error.message(),
                    },
                };
                out.line(to_json(&report)?)?;
            } else {
                out.line(load_error_line(&error))?;
                out.line(format_args!(
                    "{}: unusable, nothing was loaded",
                    label(path)
                ))?;
            }
            EXIT_FAILURE
        }
    };
    out.flush()?;
    Ok(code)
}

fn to_json(value: &impl Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map_err(|error| Failure::fatal(format!("cannot write JSON: {error}")))
}

/// How many of `diagnostics` are errors, and how many warnings.
pub fn tally(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

/// A document that cannot be used, in the form of a diagnostic line:
/// `error[CODE] PATH: MESSAGE`.
pub fn load_error_line(error: &LoadError) -> String {
    match error.path() {
        Some(at) => format!("error[{}] {at}: {}", error.code(), error.message()),
        None => format!("error[{}]: {}", error.code(), error.message()),
    }
}

/// `1 flag`, `2 flags`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
