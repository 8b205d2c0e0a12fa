//! Reading snapshot text: size and encoding checks, then reading the wire types straight from the
//! text (see [`crate::read`]).

use std::borrow::Cow;

use crate::error::{LoadError, LoadErrorKind};
use crate::json;
use crate::limits::{LimitKind, Limits};
use crate::read::{self, Packed, ReadProblem, Stop};
use crate::snapshot::Snapshot;

/// A document read for the compiler.
pub(crate) struct Parsed<'t> {
    /// The wire types, with strings borrowed from the document where it had no escapes.
    pub(crate) snapshot: Snapshot<Cow<'t, str>>,
    /// The members the reader did not recognise, so the compiler can refuse to serve
    /// definitions it only partly understood.
    pub(crate) read_problems: Vec<ReadProblem>,
    /// What was packed for the compiler while reading.
    pub(crate) packed: Packed<'t>,
}

/// Parses snapshot bytes into wire types, enforcing the document size and depth limits first so
/// the parser never sees an oversized or over-deep document.
pub(crate) fn parse<'t>(bytes: &'t [u8], limits: &Limits) -> Result<Parsed<'t>, LoadError> {
    if bytes.len() > limits.max_document_bytes {
        return Err(LoadError::limit(
            LimitKind::DocumentBytes,
            limits.max_document_bytes,
            bytes.len(),
            "$".to_owned(),
        ));
    }
    // Some servers and editors prefix UTF-8 with a byte-order mark; it is not part of the JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        LoadError::new(
            LoadErrorKind::NotJson,
            None,
            format!(
                "the document is not UTF-8 (invalid byte at offset {})",
                error.valid_up_to()
            ),
        )
    })?;
    let mut unknown = Vec::new();
    let (snapshot, packed) =
        read::snapshot(text, limits.max_json_depth, &mut unknown).map_err(|stop| {
            match stop {
                // Syntax errors carry a line and column in their message, which locate them better
                // than a path.
                Stop::Syntax(json::ParseError::Syntax(error)) => {
                    LoadError::new(LoadErrorKind::NotJson, None, error.to_string())
                }
                // The parser stops at the first level past the limit.
                Stop::Syntax(json::ParseError::TooDeep) => LoadError::limit(
                    LimitKind::JsonDepth,
                    limits.max_json_depth,
                    limits.max_json_depth.saturating_add(1),
                    "$".to_owned(),
                ),
                Stop::Invalid(error) => *error,
            }
        })?;
    Ok(Parsed {
        snapshot,
        read_problems: unknown,
        packed,
    })
}
