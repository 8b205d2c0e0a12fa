//! From stored rows to the published snapshot: the document every SDK fetches, in full for
//! server keys and without what is marked server-only for client keys, each compressed once.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use serde_json::Value;
use sha2::{Digest, Sha256};
use vexil::Engine;

use super::clock::rfc3339;
use super::definition::Definition;
use super::references;
use super::store::{EnvState, FlagRow, OverrideRow};
use super::tokens::hex;

/// An environment's snapshot at one revision, ready to serve.
#[derive(Debug)]
pub struct Published {
    /// The environment.
    pub environment: String,
    /// The revision.
    pub revision: i64,
    /// The whole document, for server keys and admins.
    pub full: Body,
    /// Without server-only flags and segments, for client keys.
    pub client: Body,
    /// The full document loaded, for the evaluate endpoints.
    pub engine: Arc<Engine>,
}

/// One document in the encodings a client may ask for (a clone shares the bytes).
#[derive(Clone, Debug)]
pub struct Body {
    /// The strong validator: a digest of the document.
    pub etag: String,
    /// The document.
    pub identity: Bytes,
    /// gzip.
    pub gzip: Bytes,
    /// brotli.
    pub brotli: Bytes,
}

impl Published {
    /// Prepares the document `full` (as stored at `revision`) for serving.
    pub fn prepare(environment: &str, revision: i64, full: &str) -> Result<Published, String> {
        let engine = Engine::from_slice(full.as_bytes()).map_err(|error| error.to_string())?;
        let client = client_document(full)?;
        let full_body = Body::new(full.as_bytes().to_vec());
        // Without server-only definitions both documents are the same text, compressed once:
        // compressing is most of what a change costs.
        let client = if client == full {
            full_body.clone()
        } else {
            Body::new(client.into_bytes())
        };
        Ok(Published {
            environment: environment.to_owned(),
            revision,
            full: full_body,
            client,
            engine: Arc::new(engine),
        })
    }
}

impl Body {
    fn new(identity: Vec<u8>) -> Body {
        let etag = format!("\"{}\"", &hex(&Sha256::digest(&identity))[..32]);
        let gzip = gzip(&identity);
        let brotli = brotli(&identity);
        Body {
            etag,
            identity: Bytes::from(identity),
            gzip: Bytes::from(gzip),
            brotli: Bytes::from(brotli),
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 9,
        ..Default::default()
    };
    let mut input = bytes;
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// The snapshot document of `state` (at its revision), generated at `now`: overrides that
/// have expired by `now` are left out.
pub fn document(state: &EnvState, now: i64) -> String {
    let mut text = format!(
        "{{\"schemaVersion\":1,\"revision\":{},\"generatedAt\":{},\"environment\":{},\"segments\":[",
        state.revision,
        Value::String(rfc3339(now)),
        Value::String(state.name.clone()),
    );
    for (index, segment) in state.segments.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&segment.definition);
    }
    text.push_str("],\"flags\":[");
    for (index, flag) in state.flags.iter().enumerate() {
        if index > 0 {
            text.push(',');
        }
        text.push_str(&published_flag(flag, &state.overrides, now));
    }
    text.push_str("]}");
    text
}

/// A flag as published: its definition with its live per-user overrides merged into its
/// `overrides` (a per-user override wins over a key the definition lists itself).
pub fn published_flag(flag: &FlagRow, overrides: &[OverrideRow], now: i64) -> String {
    let live: Vec<&OverrideRow> = overrides
        .iter()
        .filter(|row| row.flag == flag.key && row.expires_at.is_none_or(|at| at > now))
        .collect();
    if live.is_empty() {
        return flag.definition.clone();
    }
    let Ok(mut definition) = Definition::parse(&flag.definition) else {
        return flag.definition.clone();
    };
    let mut lists: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(Value::Array(existing)) = definition.value("overrides") {
        for entry in existing {
            let variant = entry
                .get("variant")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let keys = entry.get("keys").and_then(Value::as_array).cloned();
            let (Some(variant), Some(keys)) = (variant, keys) else {
                return flag.definition.clone();
            };
            let keys = keys
                .into_iter()
                .filter(|key| {
                    !live
                        .iter()
                        .any(|row| key.as_str() == Some(&row.targeting_key))
                })
                .collect();
            lists.push((variant, keys));
        }
    }
    for row in live {
        let key = Value::String(row.targeting_key.clone());
        match lists
            .iter_mut()
            .find(|(variant, _)| *variant == row.variant)
        {
            Some((_, keys)) => keys.push(key),
            None => lists.push((row.variant.clone(), vec![key])),
        }
    }
    let merged: Vec<Value> = lists
        .into_iter()
        .filter(|(_, keys)| !keys.is_empty())
        .map(|(variant, keys)| serde_json::json!({ "variant": variant, "keys": keys }))
        .collect();
    if definition.set("overrides", &Value::Array(merged)).is_err() {
        return flag.definition.clone();
    }
    definition.to_text()
}

/// The document without what client keys must not see: flags and segments marked
/// `metadata.serverOnly`, and, so that no client evaluates a flag half-known, every flag or
/// segment that uses one of those (through `inSegment` or a prerequisite), transitively. What
/// is kept keeps its text.
pub fn client_document(full: &str) -> Result<String, String> {
    let mut document = Definition::parse(full)?;
    let segments = raw_items(&document, "segments")?;
    let flags = raw_items(&document, "flags")?;
    let mut hidden_segments: HashSet<String> = HashSet::new();
    let mut hidden_flags: HashSet<String> = HashSet::new();
    loop {
        let before = hidden_segments.len() + hidden_flags.len();
        for (key, segment) in &segments {
            if hides(segment, &hidden_segments, &hidden_flags) {
                hidden_segments.insert(key.clone());
            }
        }
        for (key, flag) in &flags {
            if hides(flag, &hidden_segments, &hidden_flags) {
                hidden_flags.insert(key.clone());
            }
        }
        if hidden_segments.len() + hidden_flags.len() == before {
            break;
        }
    }
    if hidden_segments.is_empty() && hidden_flags.is_empty() {
        return Ok(full.to_owned());
    }
    document.set_raw(
        "segments",
        &kept(&segments, &hidden_segments, &document, "segments"),
    )?;
    document.set_raw("flags", &kept(&flags, &hidden_flags, &document, "flags"))?;
    Ok(document.to_text())
}

/// The items of an array member, each with its key and read as a value.
fn raw_items(document: &Definition, name: &str) -> Result<Vec<(String, Value)>, String> {
    let Some(text) = document.raw(name) else {
        return Ok(Vec::new());
    };
    let items: Vec<&serde_json::value::RawValue> =
        serde_json::from_str(text).map_err(|error| error.to_string())?;
    Ok(items
        .into_iter()
        .map(|item| {
            let value: Value = serde_json::from_str(item.get()).unwrap_or(Value::Null);
            (key_of(&value), value)
        })
        .collect())
}

/// The array member `name` as text, without the hidden items, each kept item as written.
fn kept(
    items: &[(String, Value)],
    hidden: &HashSet<String>,
    document: &Definition,
    name: &str,
) -> String {
    let texts: Vec<&serde_json::value::RawValue> = document
        .raw(name)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let kept: Vec<&str> = texts
        .iter()
        .zip(items)
        .filter(|(_, (key, _))| !hidden.contains(key))
        .map(|(text, _)| text.get())
        .collect();
    format!("[{}]", kept.join(","))
}

fn key_of(definition: &Value) -> String {
    definition
        .get("key")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Whether a flag or segment is server-only or uses something hidden.
fn hides(definition: &Value, segments: &HashSet<String>, flags: &HashSet<String>) -> bool {
    let marked = definition
        .get("metadata")
        .and_then(|metadata| metadata.get("serverOnly"))
        == Some(&Value::Bool(true));
    marked
        || references::segments(definition)
            .iter()
            .any(|key| segments.contains(*key))
        || references::prerequisites(definition)
            .iter()
            .any(|key| flags.contains(*key))
}
