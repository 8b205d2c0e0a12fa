//! The regular expressions of the `matches` operator: a small matcher of our own, so that the
//! WebAssembly build does not carry a general-purpose regex library (which cost more than a
//! third of the browser download budget).
//!
//! The syntax is the commonly used part of the Rust `regex` family's syntax, with the same
//! meaning (the tests compare every generated pattern against `regex-lite`): literals and
//! escapes, `.`, classes with ranges, negation, `\d \w \s` and POSIX names, anchors and word
//! boundaries, groups (capturing, named, non-capturing), flags `i m s U`, alternation, and
//! greedy or lazy repetition with counts. Everything is ASCII-aware only, like `regex-lite`.
//!
//! Matching simulates the compiled automaton over all its states at once (a Thompson/Pike
//! simulation without captures), so its time is linear in the text whatever the pattern:
//! a pattern from a snapshot can never make an evaluation hang.

mod classes;
mod parse;
mod program;

use std::fmt;
use std::sync::Arc;

use program::Program;

/// A compiled pattern. Cloning is cheap: snapshots repeat patterns and share one program.
#[derive(Clone, Debug)]
pub(crate) struct Regex {
    program: Arc<Program>,
}

impl Regex {
    /// Compiles `pattern`. `size_limit` bounds the compiled program in bytes (so counted
    /// repetitions such as `a{1000}{1000}` are refused quickly); `nest_limit` bounds how deep
    /// groups may nest.
    pub(crate) fn new(pattern: &str, size_limit: usize, nest_limit: u32) -> Result<Regex, Error> {
        let tree = parse::parse(pattern, nest_limit)?;
        let program = Program::compile(&tree, size_limit)?;
        Ok(Regex {
            program: Arc::new(program),
        })
    }

    /// How many states the compiled program has. A search visits at most this many per
    /// character of the text, which is what an evaluation is charged for a `matches` test.
    pub(crate) fn states(&self) -> usize {
        self.program.states()
    }

    /// Bytes the compiled program takes in memory.
    pub(crate) fn program_bytes(&self) -> usize {
        self.program.bytes()
    }

    /// Whether the pattern matches anywhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.program.is_match(text)
    }
}

const TOO_LARGE: &str = "the compiled pattern exceeds the size limit";

/// Why a pattern was refused, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Error {
    what: &'static str,
    /// Byte offset in the pattern; `None` for problems of the pattern as a whole.
    at: Option<usize>,
}

impl Error {
    pub(super) fn at(what: &'static str, at: usize) -> Error {
        Error { what, at: Some(at) }
    }

    pub(super) fn whole(what: &'static str) -> Error {
        Error { what, at: None }
    }

    pub(super) fn too_large() -> Error {
        Error::whole(TOO_LARGE)
    }

    /// Whether the pattern was refused for compiling over the size limit, rather than for its
    /// syntax.
    pub(crate) fn is_too_large(&self) -> bool {
        self.what == TOO_LARGE
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(f, "{} (at byte {at})", self.what),
            None => f.write_str(self.what),
        }
    }
}

#[cfg(test)]
mod tests;
