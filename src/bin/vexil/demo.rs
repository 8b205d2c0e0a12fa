//! `vexil demo`: the human-friendly tour of a snapshot, used by `make demo`.

use std::ffi::OsString;
use std::io::BufRead as _;

use vexil::{Evaluation, FlagStats};

use crate::args::{opt, parse, OptSpec};
use crate::failure::{Failure, EXIT_FINDINGS, EXIT_OK};
use crate::io::{self, Out, STDIN};

pub const HELP: &str = "\
vexil demo: evaluate every flag for a file of users and show the results as tables.

Usage:
  vexil demo SNAPSHOT USERS [--now TIME]

Prints the snapshot's revision, environment, flag count and diagnostics; then, for each
user (one JSON context per line of USERS, blank lines skipped), a table of
flag, value, variant and reason; and finally how often each flag served each variant.

Options:
  --now TIME   the evaluation time, RFC 3339 (default: the system clock)
  -h, --help

Exit codes:
  0  every user was evaluated
  1  some lines of USERS were not valid contexts (the others were evaluated)
  2  the snapshot is unusable, a file cannot be read, or the command line is wrong
";

const OPTIONS: &[OptSpec] = &[opt("--now", true)];

/// Values longer than this are cut, so one large object does not stretch every row.
const MAX_VALUE_CHARS: usize = 48;

pub fn run(args: Vec<OsString>) -> Result<u8, Failure> {
    let parsed = parse("demo", args, OPTIONS)?;
    if parsed.help {
        return crate::print_help(HELP);
    }
    let [snapshot, users] = parsed.positionals("demo", ["SNAPSHOT", "USERS"])?;
    if snapshot == STDIN && users == STDIN {
        return Err(Failure::usage(
            "demo",
            "the snapshot and the users cannot both come from standard input",
        ));
    }
    let now = io::now("demo", parsed.value("--now"))?;
    let engine = io::load_engine(snapshot)?;
    let mut reader = io::open(users, "users file")?;
    let mut out = Out::new();

    out.line(format_args!("Snapshot {}", io::label(snapshot)))?;
    out.line(format_args!(
        "  revision {}, environment {}, {} flags, generated {}",
        engine.revision(),
        engine.environment().unwrap_or("(none)"),
        engine.len(),
        engine.generated_at()
    ))?;
    out.line(format_args!("  evaluated at {now}"))?;
    match engine.diagnostics() {
        [] => out.line("  no diagnostics")?,
        diagnostics => {
            out.line(format_args!("  {} diagnostic(s):", diagnostics.len()))?;
            for diagnostic in diagnostics {
                out.line(format_args!("    {diagnostic}"))?;
            }
        }
    }

    let mut buffer = Vec::new();
    let mut number = 0usize;
    let mut evaluated = 0usize;
    let mut bad = 0usize;
    loop {
        buffer.clear();
        let read = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|error| Failure::fatal(format!("cannot read users file {users}: {error}")))?;
        if read == 0 {
            break;
        }
        number += 1;
        let (text, context) = match std::str::from_utf8(&buffer) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => (text.trim(), io::parse_context(text.trim())),
            Err(_) => ("", Err("the line is not UTF-8".to_owned())),
        };
        out.line("")?;
        let context = match context {
            Ok(context) => context,
            Err(error) => {
                bad += 1;
                out.line(format_args!("Line {number}: skipped, {error}"))?;
                continue;
            }
        };
        let who = match context.targeting_key() {
            Some(key) => format!("User {key}"),
            None => "Anonymous visitor".to_owned(),
        };
        out.line(format_args!("{who} (line {number}): {text}"))?;
        let prepared = engine.prepare(context);
        let rows: Vec<[String; 4]> = engine
            .evaluate_all(&prepared, now)
            .iter()
            .map(|(key, evaluation)| row(key, evaluation))
            .collect();
        table(&mut out, ["FLAG", "VALUE", "VARIANT", "REASON"], &rows)?;
        evaluated += 1;
    }

    let stats = engine.stats();
    out.line("")?;
    out.line(format_args!(
        "Statistics: {evaluated} user(s), {} evaluations, {} error(s)",
        stats.evaluations(),
        stats.errors()
    ))?;
    let rows: Vec<[String; 4]> = stats.flags.iter().map(stats_row).collect();
    table(
        &mut out,
        ["FLAG", "EVALUATIONS", "ERRORS", "VARIANTS"],
        &rows,
    )?;
    out.flush()?;

    if bad > 0 {
        io::warn(format_args!(
            "{bad} line(s) of {} are not valid contexts",
            io::label(users)
        ));
        Ok(EXIT_FINDINGS)
    } else {
        Ok(EXIT_OK)
    }
}

fn row(key: &str, evaluation: &Evaluation) -> [String; 4] {
    let value = match evaluation.value {
        Some(value) => shorten(value.to_string()),
        None => "(caller's default)".to_owned(),
    };
    let mut reason = evaluation.reason.to_string();
    if let Some(code) = evaluation.error_code {
        reason.push_str(&format!(" ({code})"));
    }
    if let Some(rule) = evaluation.rule_id {
        reason.push_str(&format!(" (rule {rule})"));
    }
    [
        key.to_owned(),
        value,
        evaluation.variant.unwrap_or("-").to_owned(),
        reason,
    ]
}

fn stats_row(flag: &FlagStats) -> [String; 4] {
    let mut served: Vec<String> = flag
        .variants
        .iter()
        .filter(|variant| variant.count > 0)
        .map(|variant| format!("{}={}", variant.variant, variant.count))
        .collect();
    if flag.without_variant > 0 {
        served.push(format!("(default)={}", flag.without_variant));
    }
    [
        flag.flag.clone(),
        flag.evaluations.to_string(),
        flag.errors.to_string(),
        if served.is_empty() {
            "-".to_owned()
        } else {
            served.join("  ")
        },
    ]
}

fn shorten(text: String) -> String {
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let mut short: String = text.chars().take(MAX_VALUE_CHARS - 1).collect();
    short.push('…');
    short
}

/// Prints rows under headers, each column as wide as its widest cell.
fn table<const N: usize>(
    out: &mut Out,
    headers: [&str; N],
    rows: &[[String; N]],
) -> Result<(), Failure> {
    let mut widths = headers.map(|header| header.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let print = |out: &mut Out, cells: [&str; N]| {
        let mut line = String::from("  ");
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            line.push_str(cell);
            // The last column is not padded, so lines carry no trailing spaces.
            if index + 1 < N {
                let pad = width.saturating_sub(cell.chars().count()) + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.line(line)
    };
    print(out, headers)?;
    for row in rows {
        print(out, row.each_ref().map(String::as_str))?;
    }
    Ok(())
}
