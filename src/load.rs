//! Reading snapshot text: size and depth checks before parsing, then parsing with JSON paths in
//! shape errors.

use serde::Deserialize;
use serde_json::error::Category;

use crate::error::{LoadError, LoadErrorKind};
use crate::limits::{LimitKind, Limits};
use crate::snapshot::{Snapshot, SCHEMA_VERSION};

/// A field the wire format does not define, found while parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnknownField {
    /// JSON path of the field.
    pub(crate) path: String,
    /// Index of the flag it is in, if any.
    pub(crate) flag: Option<usize>,
    /// Index of the segment it is in, if any.
    pub(crate) segment: Option<usize>,
}

/// Parses snapshot bytes into wire types, enforcing the document size and depth limits first so
/// the parser never sees an oversized or over-deep document. Also returns the fields it did not
/// recognise, so the compiler can refuse to serve definitions it only partly understood.
pub(crate) fn parse(
    bytes: &[u8],
    limits: &Limits,
) -> Result<(Snapshot, Vec<UnknownField>), LoadError> {
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
    check_depth(bytes, limits.max_json_depth)?;
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
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut unknown = Vec::new();
    let note_unknown = |path: serde_ignored::Path| {
        if let Some(field) = unknown_field(&path) {
            unknown.push(field);
        }
    };
    // Tracking the path allocates a string for every object key, about a third of the load time
    // of a large snapshot, and only serves to locate an error; so a document that fails is parsed
    // a second time with tracking (see `located_error`).
    let parsed: Result<Snapshot, _> = serde_ignored::deserialize(&mut deserializer, note_unknown);
    let snapshot = match parsed {
        Ok(snapshot) => snapshot,
        Err(error) => {
            // A document of another schema version fails on shape first; name the real cause.
            if let Some(version) = foreign_schema_version(text) {
                return Err(unsupported(version));
            }
            return Err(located_error(text).unwrap_or_else(|| from_json_error(error, None)));
        }
    };
    deserializer
        .end()
        .map_err(|error| from_json_error(error, None))?;
    if snapshot.schema_version != SCHEMA_VERSION {
        return Err(unsupported(snapshot.schema_version));
    }
    Ok((snapshot, unknown))
}

/// Parses a document already known to fail, this time tracking the path, and returns the error
/// with its JSON path (`None` only if the second parse unexpectedly succeeds).
fn located_error(text: &str) -> Option<LoadError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut ignore = |_: serde_ignored::Path| {};
    let parsed: Result<Snapshot, _> = serde_path_to_error::deserialize(
        serde_ignored::Deserializer::new(&mut deserializer, &mut ignore),
    );
    let error = parsed.err()?;
    let path = error.path().to_string();
    Some(from_json_error(error.into_inner(), Some(json_path(&path))))
}

/// One step of a serde_ignored path.
enum Segment {
    Key(String),
    Index(usize),
}

/// Turns an ignored-field path into a JSON path and its owner. Fields inside `metadata` are
/// free-form and not reported.
fn unknown_field(path: &serde_ignored::Path) -> Option<UnknownField> {
    let mut segments = Vec::new();
    let mut cursor = path;
    loop {
        match cursor {
            serde_ignored::Path::Root => break,
            serde_ignored::Path::Seq { parent, index } => {
                segments.push(Segment::Index(*index));
                cursor = parent;
            }
            serde_ignored::Path::Map { parent, key } => {
                segments.push(Segment::Key(key.clone()));
                cursor = parent;
            }
            serde_ignored::Path::Some { parent }
            | serde_ignored::Path::NewtypeStruct { parent }
            | serde_ignored::Path::NewtypeVariant { parent } => cursor = parent,
        }
    }
    segments.reverse();
    let owner_index = match segments.get(1) {
        Some(Segment::Index(index)) => Some(*index),
        _ => None,
    };
    let (flag, segment) = match segments.first() {
        Some(Segment::Key(key)) if key == "flags" => (owner_index, None),
        Some(Segment::Key(key)) if key == "segments" => (None, owner_index),
        _ => (None, None),
    };
    if matches!(segments.get(2), Some(Segment::Key(key)) if key == "metadata") {
        return None;
    }
    let mut text = String::from("$");
    for segment in &segments {
        match segment {
            Segment::Key(key) if is_plain(key) => {
                text.push('.');
                text.push_str(key);
            }
            Segment::Key(key) => {
                text.push('[');
                text.push_str(&serde_json::Value::from(key.as_str()).to_string());
                text.push(']');
            }
            Segment::Index(index) => {
                text.push('[');
                text.push_str(&index.to_string());
                text.push(']');
            }
        }
    }
    Some(UnknownField {
        path: text,
        flag,
        segment,
    })
}

fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn from_json_error(error: serde_json::Error, path: Option<String>) -> LoadError {
    let kind = match error.classify() {
        Category::Data => LoadErrorKind::Shape,
        Category::Io | Category::Syntax | Category::Eof => LoadErrorKind::NotJson,
    };
    // Syntax errors carry a line and column in their message; a path would be misleading.
    let path = if kind == LoadErrorKind::Shape {
        path
    } else {
        None
    };
    LoadError::new(kind, path, error.to_string())
}

fn unsupported(version: u64) -> LoadError {
    LoadError::new(
        LoadErrorKind::UnsupportedSchemaVersion,
        Some("$.schemaVersion".to_owned()),
        format!(
            "schemaVersion {version} is not supported; this engine reads version {SCHEMA_VERSION}"
        ),
    )
}

/// The `schemaVersion` of a document whose full parse failed, if it names another version.
fn foreign_schema_version(text: &str) -> Option<u64> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Header {
        schema_version: u64,
    }
    let header: Header = serde_json::from_str(text).ok()?;
    (header.schema_version != SCHEMA_VERSION).then_some(header.schema_version)
}

/// serde_path_to_error writes `flags[3].key`; we write JSON paths rooted at `$`.
fn json_path(path: &str) -> String {
    if path == "." || path.is_empty() {
        "$".to_owned()
    } else if path.starts_with('[') {
        format!("${path}")
    } else {
        format!("$.{path}")
    }
}

/// Rejects documents nested deeper than `max_depth` with a linear scan that understands strings,
/// so the depth limit holds whatever the parser's own recursion limit is.
fn check_depth(bytes: &[u8], max_depth: usize) -> Result<(), LoadError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err(LoadError::limit(
                        LimitKind::JsonDepth,
                        max_depth,
                        depth,
                        "$".to_owned(),
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
