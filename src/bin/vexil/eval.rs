//! `vexil eval`: evaluate flags for one context or a file of contexts, as JSON.

use std::ffi::OsString;
use std::io::BufRead as _;

use serde::ser::{Serialize, Serializer};
use vexil::{Engine, Evaluation, PreparedContext, Step, Timestamp};

use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_FINDINGS, EXIT_OK};
use crate::io::{self, Out, STDIN};

pub const HELP: &str = "\
vexil eval: evaluate flags for one context, or for each context of a file, as JSON.

Usage:
  vexil eval SNAPSHOT --context JSON [--flag KEY] [--now TIME] [--explain]
  vexil eval SNAPSHOT --contexts FILE [--flag KEY] [--now TIME] [--explain]

Prints an object keyed by flag key, in snapshot order:
  {\"new-checkout\": {\"value\": true, \"variant\": \"on\", \"reason\": \"SPLIT\"}, ...}
Each entry has value (null: the caller's default applies), variant, reason, and when
set errorCode and ruleId. With --flag, only that flag's entry is printed.

Options:
  --context JSON    the context, inline ('{\"targetingKey\": \"user-42\", \"plan\": \"pro\"}'),
                    or @FILE to read it from a file (@- for standard input)
  --contexts FILE   one JSON context per line (- for standard input); prints one JSON line
                    per context, skipping blank lines. A line that is not a valid context
                    prints {\"line\": N, \"error\": \"...\"} instead and the exit code is 1.
  --flag KEY        evaluate only this flag
  --now TIME        the evaluation time, RFC 3339 (default: the system clock)
  --explain         add \"steps\": every step the evaluation took
  -h, --help

Exit codes:
  0  every context was evaluated
  1  some lines of --contexts were not valid contexts (the others were evaluated)
  2  the snapshot is unusable, a file cannot be read, or the command line is wrong
";

const OPTIONS: &[OptSpec] = &[
    opt("--context", true),
    opt("--contexts", true),
    opt("--flag", true),
    opt("--now", true),
    opt("--explain", false),
];

/// One flag's result as printed.
#[derive(serde::Serialize)]
struct Entry<'e> {
    #[serde(flatten)]
    evaluation: Evaluation<'e>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps: Option<Vec<Step>>,
}

/// Pairs serialized as a JSON object in their order: the crate's JSON maps would sort the
/// keys, and the output should follow the snapshot.
struct Keyed<'a, T>(&'a [(&'a str, T)]);

impl<T: Serialize> Serialize for Keyed<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(key, value)| (key, value)))
    }
}

#[derive(serde::Serialize)]
struct BadLine<'a> {
    line: usize,
    error: &'a str,
}

/// What to evaluate for each context.
struct Request<'a> {
    engine: &'a Engine,
    flag: Option<&'a str>,
    now: Timestamp,
    explain: bool,
}

pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("eval", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    let [path] = parsed.positionals("eval", ["SNAPSHOT"])?;
    let context = parsed.value("--context");
    let contexts = parsed.value("--contexts");
    let source = match (context, contexts) {
        (Some(_), Some(_)) => {
            return Err(Failure::usage(
                "eval",
                "`--context` and `--contexts` cannot be used together",
            ))
        }
        (None, None) => {
            return Err(Failure::usage(
                "eval",
                "missing `--context JSON` or `--contexts FILE` (use --context '{}' for an anonymous visitor)",
            ))
        }
        (Some(context), None) => Source::One(context),
        (None, Some(file)) => Source::Lines(file),
    };
    let reads_stdin = match source {
        Source::One(context) => context == "@-",
        Source::Lines(file) => file == STDIN,
    };
    if path == STDIN && reads_stdin {
        return Err(Failure::usage(
            "eval",
            "the snapshot and the contexts cannot both come from standard input",
        ));
    }
    let now = io::now("eval", parsed.value("--now"))?;
    // An inline context is checked before the snapshot is read, so a typo is reported first.
    let single = match source {
        Source::One(text) => Some(read_context(text)?),
        Source::Lines(_) => None,
    };
    let engine = io::load_engine(path)?;
    io::warn_about_diagnostics(&engine, path);
    let flag = parsed.value("--flag");
    if let Some(key) = flag {
        if engine.flag(key).is_none() {
            return Err(Failure::fatal(format!(
                "{} has no flag `{key}`",
                io::label(path)
            )));
        }
    }
    let request = Request {
        engine: &engine,
        flag,
        now,
        explain: parsed.switch("--explain"),
    };
    let mut out = Out::new();
    let code = match (single, source) {
        (Some(context), _) => {
            let prepared = engine.prepare(context);
            out.line(request.render(&prepared, true)?)?;
            EXIT_OK
        }
        (None, Source::Lines(file)) => each_line(&request, file, &mut out)?,
        (None, Source::One(_)) => EXIT_OK,
    };
    out.flush()?;
    Ok(code)
}

#[derive(Clone, Copy)]
enum Source<'a> {
    One(&'a str),
    Lines(&'a str),
}

fn read_context(argument: &str) -> Result<vexil::Context, Failure> {
    match argument.strip_prefix('@') {
        Some(file) => {
            let bytes = io::read_bounded(file, "context file", CONTEXT_FILE_BYTES)?;
            let text = std::str::from_utf8(&bytes).map_err(|_| {
                Failure::fatal(format!("context file {} is not UTF-8", io::label(file)))
            })?;
            io::parse_context(text).map_err(|message| {
                Failure::fatal(format!("context file {}: {message}", io::label(file)))
            })
        }
        None => io::parse_context(argument)
            .map_err(|message| Failure::usage("eval", format!("`--context`: {message}"))),
    }
}

/// Far beyond any context the engine accepts (256 attributes of at most 4 KiB), so a real
/// context is never cut, while a wrong file is not read whole.
const CONTEXT_FILE_BYTES: usize = 16 * 1024 * 1024;

fn each_line(request: &Request, file: &str, out: &mut Out) -> Result<u8, Failure> {
    let mut reader = io::open(file, "contexts file")?;
    let mut buffer = Vec::new();
    let mut number = 0usize;
    let mut bad = 0usize;
    loop {
        buffer.clear();
        let read = reader.read_until(b'\n', &mut buffer).map_err(|error| {
            Failure::fatal(format!("cannot read contexts file {file}: {error}"))
        })?;
        if read == 0 {
            break;
        }
        number += 1;
        let parsed = match std::str::from_utf8(&buffer) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => io::parse_context(text.trim()),
            Err(_) => Err("the line is not UTF-8".to_owned()),
        };
        match parsed {
            Ok(context) => {
                let prepared = request.engine.prepare(context);
                out.line(request.render(&prepared, false)?)?;
            }
            Err(error) => {
                bad += 1;
                let line = BadLine {
                    line: number,
                    error: &error,
                };
                out.line(to_json(&line, false)?)?;
            }
        }
    }
    if bad > 0 {
        // Flushed first, so the warning follows the output it is about on a shared terminal.
        out.flush()?;
        io::warn(format_args!(
            "{bad} line(s) of {} are not valid contexts",
            io::label(file)
        ));
        Ok(EXIT_FINDINGS)
    } else {
        Ok(EXIT_OK)
    }
}

impl Request<'_> {
    fn render(&self, context: &PreparedContext, pretty: bool) -> Result<String, Failure> {
        if let Some(key) = self.flag {
            return to_json(&self.entry(key, context), pretty);
        }
        let entries: Vec<(&str, Entry)> = if self.explain {
            self.engine
                .flag_keys()
                .map(|key| (key, self.entry(key, context)))
                .collect()
        } else {
            self.engine
                .evaluate_all(context, self.now)
                .into_iter()
                .map(|(key, evaluation)| {
                    (
                        key,
                        Entry {
                            evaluation,
                            steps: None,
                        },
                    )
                })
                .collect()
        };
        to_json(&Keyed(&entries), pretty)
    }

    fn entry(&self, key: &str, context: &PreparedContext) -> Entry<'_> {
        if self.explain {
            let explanation = self.engine.explain(key, context, self.now);
            Entry {
                evaluation: explanation.evaluation,
                steps: Some(explanation.steps),
            }
        } else {
            Entry {
                evaluation: self.engine.evaluate(key, context, self.now),
                steps: None,
            }
        }
    }
}

fn to_json(value: &impl Serialize, pretty: bool) -> Result<String, Failure> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.map_err(|error| Failure::fatal(format!("cannot write JSON: {error}")))
}
