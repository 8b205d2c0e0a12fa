//! `vexil`: check snapshots and evaluate flags from the command line.
//!
//! Run `vexil --help` for the commands and exit codes.

mod args;
mod demo;
mod eval;
mod failure;
mod io;
#[cfg(feature = "server")]
mod remote;
#[cfg(feature = "server")]
mod serve;
mod validate;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use failure::{Failure, EXIT_FAILURE, EXIT_OK};

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `vexil --help`, up to the commands of the flag service.
const HELP: &str = "\
vexil: check Vexil feature-flag snapshots and evaluate flags from the command line.

Usage:
  vexil validate SNAPSHOT [--json]
  vexil eval SNAPSHOT (--context JSON | --contexts FILE) [--flag KEY] [--now TIME] [--explain]
  vexil demo SNAPSHOT USERS [--now TIME]
  vexil help [COMMAND]
  vexil --version

Commands:
  validate   load a snapshot and list its diagnostics
  eval       evaluate flags for one context, or for a file of contexts, as JSON
  demo       evaluate a file of users and print tables and statistics
";

/// The commands of the flag service, in builds with the `server` feature.
#[cfg(feature = "server")]
const SERVICE_HELP: &str = "
Flag service commands:
  serve      run the flag service: admin API, config endpoint, SQLite or PostgreSQL
  push       replace an environment of a running service with a snapshot file
  pull       write an environment of a running service as a snapshot file
  token      print a new random token, e.g. for VEXIL_ADMIN_TOKEN
";

/// `vexil --help`, after the commands.
const HELP_END: &str = "
A SNAPSHOT or FILE given as `-` is read from standard input.
Run `vexil COMMAND --help` for the options of a command.

Exit codes:
  0  success; for validate, the snapshot has no diagnostics
  1  validate: the snapshot loads but has diagnostics;
     eval, demo: some context lines could not be used (the others were evaluated)
  2  the snapshot is unusable, a file cannot be read, or the command line is wrong
";

fn main() -> ExitCode {
    let code = match run(std::env::args_os().skip(1).collect()) {
        Ok(code) => code,
        Err(Failure::Closed) => EXIT_OK,
        Err(Failure::Usage { command, message }) => {
            let hint = match command {
                Some(command) => format!("run `vexil {command} --help` for usage"),
                None => "run `vexil --help` for usage".to_owned(),
            };
            report(&format!("{message}\n{hint}"));
            EXIT_FAILURE
        }
        Err(Failure::Fatal(message)) => {
            report(&message);
            EXIT_FAILURE
        }
    };
    ExitCode::from(code)
}

/// Writes an error to standard error. If even that fails there is nobody left to tell.
fn report(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "vexil: error: {message}");
}

fn run(mut args: Vec<OsString>) -> Result<u8, Failure> {
    if args.is_empty() {
        return Err(Failure::Usage {
            command: None,
            message: "missing command (validate, eval or demo)".to_owned(),
        });
    }
    let command = args.remove(0);
    let Some(command) = command.to_str() else {
        return Err(Failure::Usage {
            command: None,
            message: format!("unknown command {command:?}"),
        });
    };
    match command {
        "validate" => validate::run(args),
        "eval" => eval::run(args),
        "demo" => demo::run(args),
        #[cfg(feature = "server")]
        "serve" => serve::run(args),
        #[cfg(feature = "server")]
        "push" => remote::push::run(args),
        #[cfg(feature = "server")]
        "pull" => remote::pull::run(args),
        #[cfg(feature = "server")]
        "token" => remote::token::run(args),
        "help" | "--help" | "-h" => help(&args),
        "--version" | "-V" | "version" => {
            let mut out = io::Out::new();
            out.line(format_args!("vexil {VERSION}"))?;
            out.flush()?;
            Ok(EXIT_OK)
        }
        other => Err(Failure::Usage {
            command: None,
            message: format!("unknown command `{other}`"),
        }),
    }
}

fn help(args: &[OsString]) -> Result<u8, Failure> {
    let text = match args.first().and_then(|topic| topic.to_str()) {
        None => return print_help(&main_help()),
        Some("validate") => validate::HELP,
        Some("eval") => eval::HELP,
        Some("demo") => demo::HELP,
        #[cfg(feature = "server")]
        Some("serve") => serve::HELP,
        #[cfg(feature = "server")]
        Some("push") => remote::push::HELP,
        #[cfg(feature = "server")]
        Some("pull") => remote::pull::HELP,
        #[cfg(feature = "server")]
        Some("token") => remote::token::HELP,
        Some(other) => {
            return Err(Failure::Usage {
                command: None,
                message: format!("no help for `{other}`: there is no such command"),
            })
        }
    };
    print_help(text)
}

/// `vexil --help`: the commands this build has, and the exit codes.
fn main_help() -> String {
    #[cfg(feature = "server")]
    let service = SERVICE_HELP;
    #[cfg(not(feature = "server"))]
    let service = "";
    format!("{HELP}{service}{HELP_END}")
}

/// Prints a help text to standard output.
pub fn print_help(text: &str) -> Result<u8, Failure> {
    let mut out = io::Out::new();
    out.line(text.trim_end())?;
    out.flush()?;
    Ok(EXIT_OK)
}
