//! Reading snapshot text: size and depth checks before parsing, then parsing with JSON paths in
//! shape errors.

use serde::Deserialize;
use serde_json::error::Category;

use crate::error::{LoadError, LoadErrorKind};
use crate::limits::{LimitKind, Limits};
use crate::snapshot::{Snapshot, SCHEMA_VERSION};

/// Parses snapshot bytes into wire types, enforcing the document size and depth limits first so
/// the parser never sees an oversized or over-deep document.
pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Snapshot, LoadError> {
    if bytes.len() > limits.max_document_bytes {
        return Err(LoadError::limit(
            LimitKind::DocumentBytes,
            limits.max_document_bytes,
            bytes.len(),
            "$".to_owned(),
        ));
    }
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
    let parsed: Result<Snapshot, _> = serde_path_to_error::deserialize(&mut deserializer);
    let snapshot = match parsed {
        Ok(snapshot) => snapshot,
        Err(error) => {
            // A document of another schema version fails on shape first; name the real cause.
            if let Some(version) = foreign_schema_version(text) {
                return Err(unsupported(version));
            }
            let path = error.path().to_string();
            return Err(from_json_error(error.into_inner(), Some(json_path(&path))));
        }
    };
    deserializer
        .end()
        .map_err(|error| from_json_error(error, None))?;
    if snapshot.schema_version != SCHEMA_VERSION {
        return Err(unsupported(snapshot.schema_version));
    }
    Ok(snapshot)
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
