//! Reading snapshot text: size, depth and encoding checks before parsing, then parsing into a
//! [`Json`] tree and reading the wire types from it (see [`crate::read`]).

use std::borrow::Cow;

use crate::error::{LoadError, LoadErrorKind};
use crate::json;
use crate::limits::{LimitKind, Limits};
use crate::read::{self, UnknownField};
use crate::snapshot::Snapshot;

/// Parses snapshot bytes into wire types, enforcing the document size and depth limits first so
/// the parser never sees an oversized or over-deep document. Also returns the members it did not
/// recognise, so the compiler can refuse to serve definitions it only partly understood.
pub(crate) fn parse<'t>(
    bytes: &'t [u8],
    limits: &Limits,
) -> Result<(Snapshot<Cow<'t, str>>, Vec<UnknownField>), LoadError> {
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
    // Syntax errors carry a line and column in their message, which locate them better than a path.
    let (tree, json) = json::parse(text, limits.max_json_depth).map_err(|error| match error {
        json::ParseError::Syntax(error) => {
            LoadError::new(LoadErrorKind::NotJson, None, error.to_string())
        }
        // The parser stops at the first level past the limit.
        json::ParseError::TooDeep => LoadError::limit(
            LimitKind::JsonDepth,
            limits.max_json_depth,
            limits.max_json_depth.saturating_add(1),
            "$".to_owned(),
        ),
    })?;
    let mut unknown = Vec::new();
    let snapshot = read::snapshot(&tree, json, &mut unknown)?;
    Ok((snapshot, unknown))
}
