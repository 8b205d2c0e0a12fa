//! The service's output: what it serves and where on standard output, problems on standard
//! error, one line each. Writing never stops the server: if an output is gone, there is
//! nobody left to tell.

use std::io::Write;

/// One line on standard output.
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// One line on standard error, prefixed `vexil serve: `.
pub fn log(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr().lock(), "vexil serve: {line}");
}
