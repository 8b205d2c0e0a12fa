//! Reading inputs (files or standard input) and writing standard output without panicking.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use vexil::{Context, Limits, Timestamp};

use crate::failure::Failure;

/// How an input path names standard input.
pub const STDIN: &str = "-";

/// The name to show for an input path.
pub fn label(path: &str) -> &str {
    if path == STDIN {
        "<stdin>"
    } else {
        path
    }
}

/// Opens a file, or standard input for `-`.
pub fn open(path: &str, what: &str) -> Result<Box<dyn BufRead>, Failure> {
    if path == STDIN {
        return Ok(Box::new(BufReader::new(io::stdin())));
    }
    File::open(path)
        .map(|file| Box::new(BufReader::new(file)) as Box<dyn BufRead>)
        .map_err(|error| Failure::fatal(format!("cannot read {what} {path}: {error}")))
}

/// Reads a whole input, but no more than `max` bytes plus one: enough for the engine to report
/// an oversized snapshot without this tool first swallowing a file of any size.
pub fn read_bounded(path: &str, what: &str, max: usize) -> Result<Vec<u8>, Failure> {
    let reader = open(path, what)?;
    let mut bytes = Vec::new();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::fatal(format!("cannot read {what} {path}: {error}")))?;
    Ok(bytes)
}

/// Reads a snapshot file with the default limits in mind.
pub fn read_snapshot(path: &str) -> Result<Vec<u8>, Failure> {
    read_bounded(path, "snapshot", Limits::default().max_document_bytes)
}

/// Parses one context; `Err` is the message to show.
pub fn parse_context(text: &str) -> Result<Context, String> {
    Context::from_json(text).map_err(|error| error.to_string())
}

/// The evaluation time: `--now` when given, else the system clock. Only the tool reads the
/// clock; the library always takes the time as an argument.
pub fn now(command: &str, given: Option<&str>) -> Result<Timestamp, Failure> {
    if let Some(text) = given {
        return Timestamp::parse_rfc3339(text).map_err(|error| {
            Failure::usage(
                command,
                format!("`--now {text}` is not an RFC 3339 instant such as 2026-11-28T12:00:00Z: {error}"),
            )
        });
    }
    let nanos = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok(),
        Err(before) => i128::try_from(before.duration().as_nanos())
            .ok()
            .map(|nanos| -nanos),
    };
    nanos
        .and_then(Timestamp::from_unix_nanos)
        .ok_or_else(|| Failure::fatal("the system clock is out of range; pass --now"))
}

/// Standard output, buffered. Every write reports a closed pipe as [`Failure::Closed`] instead
/// of panicking as `println!` would.
pub struct Out {
    inner: io::BufWriter<io::StdoutLock<'static>>,
}

impl Out {
    /// Locks standard output for the rest of the command.
    pub fn new() -> Out {
        Out {
            inner: io::BufWriter::new(io::stdout().lock()),
        }
    }

    /// Writes one line.
    pub fn line(&mut self, text: impl std::fmt::Display) -> Result<(), Failure> {
        writeln!(self.inner, "{text}").map_err(Failure::output)
    }

    /// Sends everything written so far.
    pub fn flush(&mut self) -> Result<(), Failure> {
        self.inner.flush().map_err(Failure::output)
    }
}

/// Loads a snapshot for evaluation; an unusable one stops the command.
pub fn load_engine(path: &str) -> Result<vexil::Engine, Failure> {
    let bytes = read_snapshot(path)?;
    vexil::Engine::from_slice(&bytes)
        .map_err(|error| Failure::fatal(format!("{} is unusable: {error}", label(path))))
}

/// Mentions, on standard error, that some flags of the snapshot cannot be evaluated.
pub fn warn_about_diagnostics(engine: &vexil::Engine, path: &str) {
    let count = engine.diagnostics().len();
    if count > 0 {
        let _ = writeln!(
            io::stderr().lock(),
            "vexil: warning: {} has {count} diagnostic(s); run `vexil validate {}` for details",
            label(path),
            path
        );
    }
}

/// Writes a warning to standard error. If even that fails there is nobody left to tell.
pub fn warn(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "vexil: warning: {message}");
}
