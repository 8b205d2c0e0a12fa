//! Why a snapshot could not be loaded at all.

use std::fmt;

use crate::limits::LimitKind;

/// A snapshot that cannot be used: nothing of it was loaded.
///
/// Carries a [`kind`](LoadError::kind) to act on, the JSON [`path`](LoadError::path) of the problem
/// where one is known, and a human-readable message. Problems confined to one flag are not
/// `LoadError`s; they are [`Diagnostic`](crate::Diagnostic)s and the rest of the snapshot loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    kind: LoadErrorKind,
    path: Option<String>,
    message: String,
}

/// The class of a [`LoadError`], with what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// The text is not JSON (or not UTF-8). Usually a truncated download or an error page served
    /// in place of the snapshot: fetch again.
    NotJson,
    /// Valid JSON of the wrong shape: a required field is missing or has the wrong type. The
    /// producer and this engine disagree on the format: check `schemaVersion` and the producer.
    Shape,
    /// `schemaVersion` is not one this engine understands. Upgrade the engine.
    UnsupportedSchemaVersion,
    /// The document goes over one of the [`Limits`](crate::Limits).
    Limit(LimitKind),
}

impl LoadErrorKind {
    /// A stable code for this kind: `NOT_JSON`, `SHAPE`, `UNSUPPORTED_SCHEMA_VERSION` or a `LIMIT_…` code.
    pub fn code(self) -> &'static str {
        match self {
            LoadErrorKind::NotJson => "NOT_JSON",
            LoadErrorKind::Shape => "SHAPE",
            LoadErrorKind::UnsupportedSchemaVersion => "UNSUPPORTED_SCHEMA_VERSION",
            LoadErrorKind::Limit(limit) => limit.code(),
        }
    }
}

impl LoadError {
    pub(crate) fn new(
        kind: LoadErrorKind,
        path: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        LoadError {
            kind,
            path,
            message: message.into(),
        }
    }

    pub(crate) fn limit(limit: LimitKind, limit_value: usize, actual: usize, path: String) -> Self {
        LoadError::new(
            LoadErrorKind::Limit(limit),
            Some(path),
            format!(
                "{} is {actual}, over the limit of {limit_value}",
                limit.what()
            ),
        )
    }

    /// A document whose `schemaVersion` this engine does not read.
    pub(crate) fn unsupported_schema_version(version: u64) -> Self {
        LoadError::new(
            LoadErrorKind::UnsupportedSchemaVersion,
            Some("$.schemaVersion".to_owned()),
            format!(
                "schemaVersion {version} is not supported; this engine reads version {}",
                crate::snapshot::SCHEMA_VERSION
            ),
        )
    }

    /// What went wrong, to decide what to do.
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    /// The stable code of the kind (see [`LoadErrorKind::code`]).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Where in the document, as a JSON path such as `$.flags[3].rules[0]`, when known.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The explanation, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) => write!(f, "{} at {}: {}", self.kind.code(), path, self.message),
            None => write!(f, "{}: {}", self.kind.code(), self.message),
        }
    }
}

impl std::error::Error for LoadError {}
