//! Why a command stopped early, and the exit codes.

use std::fmt;
use std::io;

/// Everything went well (and `validate` found nothing).
pub const EXIT_OK: u8 = 0;
/// The command ran, and found problems: diagnostics, or context lines it could not use.
pub const EXIT_FINDINGS: u8 = 1;
/// The command could not do its job: bad arguments, unreadable input, unusable snapshot.
pub const EXIT_FAILURE: u8 = 2;

/// A reason to stop before the command's work is done.
#[derive(Debug)]
pub enum Failure {
    /// The command line is wrong; the user is pointed at the help.
    Usage {
        /// The command whose help to point at.
        command: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The command line is fine, but the work cannot be done (e.g. a file cannot be read).
    Fatal(String),
    /// Standard output was closed by the reader (e.g. `vexil eval … | head -1`): nobody wants
    /// the rest, so stop quietly and successfully.
    Closed,
}

impl Failure {
    /// A command-line mistake in `command`.
    pub fn usage(command: &str, message: impl Into<String>) -> Failure {
        Failure::Usage {
            command: Some(command.to_owned()),
            message: message.into(),
        }
    }

    /// Anything else that stops the command.
    pub fn fatal(message: impl fmt::Display) -> Failure {
        Failure::Fatal(message.to_string())
    }

    /// A failure to write standard output.
    pub fn output(error: io::Error) -> Failure {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Fatal(format!("cannot write the output: {error}"))
        }
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        Failure::output(error)
    }
}
