//! The JavaScript boundary (compiled only for wasm32). The npm package's hand-written SDK in
//! `pkg/` is the only intended caller.
//!
//! Speed across this boundary comes from moving as little as possible: the snapshot crosses once
//! (encoded by JS straight into a [`TextBuffer`]) and stays compiled here; a context crosses
//! once and is kept as a [`WasmContext`]; each evaluation returns one number that packs indices
//! (variant, rule) and codes (reason, error), and the JS side maps them onto values it reads once
//! per flag from [`WasmEngine::flag`]. Layout of that number (all fields unsigned integers):
//!
//! ```text
//! packed = variant1 + 2^16 * (reason + 2^4 * error) + 2^24 * rule1
//! variant1 = variant index + 1 (0 = no variant), < 2^16
//! reason   = 0 STATIC, 1 DEFAULT, 2 TARGETING_MATCH, 3 SPLIT, 4 DISABLED, 5 OVERRIDE,
//!            6 PREREQUISITE_FAILED, 7 ERROR
//! error    = 0 none, 1 FLAG_NOT_FOUND, 2 PARSE_ERROR, 3 TYPE_MISMATCH, 4 TARGETING_KEY_MISSING,
//!            5 INVALID_CONTEXT, 6 GENERAL
//! rule1    = rule index + 1 (0 = no rule), < 2^29
//! ```
//!
//! Every method is total except the constructor and [`WasmEngine::prepare`], which throw a JS
//! `Error` carrying `code` (and `path` where known) for input that cannot be used at all.

use wasm_bindgen::prelude::*;

use crate::evaluate::Outcome;
use crate::write::{Object, ToJson};
use crate::{Context, Engine, ErrorCode, FlagType, Limits, PreparedContext, Reason, Timestamp};

/// The most variants a flag may have in the wasm build: the packed result has 16 bits for them.
const MAX_WASM_VARIANTS: usize = 0xFFFF - 1;

/// Seeds the hash of the engine's lookup tables with a secret (two random 32-bit halves), so
/// that a snapshot's author cannot choose keys that hash alike. Called once per instance, before
/// any snapshot loads; later calls change nothing.
#[wasm_bindgen]
pub fn seed_tables(high: u32, low: u32) {
    crate::fasthash::seed::set((u64::from(high) << 32) | u64::from(low));
}

/// A compiled snapshot owned by JavaScript.
#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
}

/// Bytes that JavaScript writes straight into this instance's memory: a snapshot is encoded
/// into it in place (`TextEncoder.encodeInto`), which saves making a 3 MB array in JS and
/// copying it over, about a tenth of loading a large snapshot.
#[wasm_bindgen]
pub struct TextBuffer {
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl TextBuffer {
    /// A buffer of `length` zero bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(length: usize) -> TextBuffer {
        TextBuffer {
            bytes: vec![0; length],
        }
    }

    /// Where the bytes start in the instance's memory; moves when the buffer is resized.
    pub fn address(&mut self) -> usize {
        self.bytes.as_mut_ptr() as usize
    }

    /// Grows the buffer with zero bytes, or shortens it, keeping the bytes before `length`.
    pub fn resize(&mut self, length: usize) {
        self.bytes.resize(length, 0);
    }
}

/// A context prepared for one engine.
#[wasm_bindgen]
pub struct WasmContext {
    prepared: PreparedContext,
}

#[wasm_bindgen]
impl WasmEngine {
    /// Loads a snapshot from the first `length` bytes of `text` (its UTF-8). `limits` is an
    /// optional JSON object of camelCase [`Limits`] fields.
    #[wasm_bindgen(js_name = fromBuffer)]
    pub fn from_buffer(
        text: &TextBuffer,
        length: usize,
        limits: Option<String>,
    ) -> Result<WasmEngine, JsValue> {
        let mut limits: Limits = match limits.as_deref() {
            None | Some("") => Limits::default(),
            Some(text) => Limits::from_json(text).map_err(|why| {
                js_error("INVALID_LIMITS", None, &format!("invalid limits: {why}"))
            })?,
        };
        limits.max_variants = limits.max_variants.min(MAX_WASM_VARIANTS);
        let bytes = text.bytes.get(..length).unwrap_or(&text.bytes);
        Engine::from_slice_with_limits(bytes, limits)
            .map(|engine| WasmEngine { engine })
            .map_err(|error| js_error(error.code(), error.path(), error.message()))
    }

    /// The snapshot's header fields and flag count as JSON, which the JS side reads once per
    /// snapshot. Everything else comes when it is first needed: a flag's position from
    /// [`WasmEngine::position`], its details from [`WasmEngine::flag`], the key list from
    /// [`WasmEngine::keys`]. So loading a large snapshot does not pay for flags nobody asks
    /// about.
    pub fn catalog(&self) -> String {
        let engine = &self.engine;
        let mut out = String::new();
        Object::new(&mut out)
            .field("schemaVersion", &engine.schema_version())
            .field("revision", &engine.revision())
            .field("generatedAt", &engine.generated_at().to_string())
            .field("environment", &engine.environment())
            .field("flagCount", &engine.len())
            .end();
        out
    }

    /// The position of the flag with this key (the first, if the key repeats), or `u32::MAX`
    /// when there is none.
    pub fn position(&self, key: &str) -> u32 {
        self.engine.position(key).unwrap_or(u32::MAX)
    }

    /// Every flag key in snapshot order, one after another; [`WasmEngine::key_lengths`] says
    /// where each ends. Five thousand keys cross and are cut apart in about a third of the time
    /// the same list takes as JSON.
    pub fn keys(&self) -> String {
        self.engine.flag_keys().collect()
    }

    /// The length of each flag key in UTF-16 code units (JavaScript's string length), in
    /// snapshot order.
    #[wasm_bindgen(js_name = keyLengths)]
    pub fn key_lengths(&self) -> Vec<u32> {
        self.engine
            .flag_keys()
            .map(|key| {
                // Keys are far shorter than u32::MAX units (the key size limit).
                u32::try_from(key.encode_utf16().count()).unwrap_or(u32::MAX)
            })
            .collect()
    }

    /// The flag at `position` (in catalog order) as JSON: key, type, validity, kill switch,
    /// variants as `[key, value]` pairs, rule ids and metadata; `null` past the last flag.
    pub fn flag(&self, position: u32) -> String {
        let engine = &self.engine;
        let position = position as usize;
        let Some(flag) = engine.flags.get(position) else {
            return "null".to_owned();
        };
        let rules: Vec<&str> = flag
            .body
            .as_ref()
            .map(|body| body.rules.iter().map(|rule| &*rule.id).collect())
            .unwrap_or_default();
        let variants: Vec<(&str, &serde_json::Value)> = flag
            .variants
            .iter()
            .map(|(key, value)| (&**key, value))
            .collect();
        let mut out = String::new();
        Object::new(&mut out)
            .field("key", &*flag.key)
            .field("type", &flag.kind.map(FlagType::as_str))
            .field("valid", &flag.body.is_some())
            .field(
                "enabled",
                &flag.body.as_ref().is_some_and(|body| body.enabled),
            )
            .field("variants", &variants)
            .field("rules", &rules)
            .field("metadata", &engine.metadata.get(position))
            .end();
        out
    }

    /// A hash of each flag's definition, in flag order, as written in the document in the
    /// first `length` bytes of `text` (the one this engine was loaded from); cut to 53 bits,
    /// so that each is exact as a JS number.
    #[wasm_bindgen(js_name = definitionHashes)]
    pub fn definition_hashes(&self, text: &TextBuffer, length: usize) -> Vec<f64> {
        let bytes = text.bytes.get(..length).unwrap_or(&text.bytes);
        self.engine
            .definition_hashes(bytes)
            .into_iter()
            // 53 bits are exact in an f64; a change still shows but for one chance in 2^53.
            .map(|hash| (hash >> 11) as f64)
            .collect()
    }

    /// The diagnostics, as a JSON array.
    pub fn diagnostics(&self) -> String {
        self.engine.diagnostics().to_json()
    }

    /// Prepares a context given as the first `length` bytes of `text`: JSON, which the SDK
    /// encodes straight into a buffer it keeps for contexts (handing over a new string each
    /// time cost about a sixth of an evaluation with a new context). Throws an `Error` with code
    /// `INVALID_CONTEXT` when it cannot be read (the SDK turns that into an `INVALID_CONTEXT`
    /// evaluation result).
    #[wasm_bindgen(js_name = prepareBuffer)]
    pub fn prepare_buffer(&self, text: &TextBuffer, length: usize) -> Result<WasmContext, JsValue> {
        Ok(WasmContext {
            prepared: self.engine.prepare(read_context(text, length)?),
        })
    }

    /// [`WasmEngine::prepare_buffer`] into a context made before, which is replaced; left as
    /// it was when this throws. The SDK keeps the last plain context it was given this way, so
    /// a new one each call makes no new JS object to collect.
    #[wasm_bindgen(js_name = prepareInto)]
    pub fn prepare_into(
        &self,
        context: &mut WasmContext,
        text: &TextBuffer,
        length: usize,
    ) -> Result<(), JsValue> {
        context.prepared = self.engine.prepare(read_context(text, length)?);
        Ok(())
    }

    /// Evaluates the flag at `flag` (its index in the catalog; any other number is
    /// `FLAG_NOT_FOUND`) at the instant `seconds` + `nanos` after the Unix epoch (see
    /// [`instant`]). `expected` is 0 for any type, else 1 boolean, 2 string, 3 number,
    /// 4 object: another type gives `TYPE_MISMATCH`. Returns the packed result described in the
    /// module documentation.
    pub fn evaluate(
        &self,
        flag: u32,
        context: &WasmContext,
        seconds: f64,
        nanos: u32,
        expected: u8,
    ) -> f64 {
        let expected = match expected {
            1 => Some(FlagType::Boolean),
            2 => Some(FlagType::String),
            3 => Some(FlagType::Number),
            4 => Some(FlagType::Object),
            _ => None,
        };
        pack(self.engine.counted_outcome(
            flag,
            &context.prepared,
            instant(seconds, nanos),
            expected,
        ))
    }

    /// Evaluates every flag, in catalog order; one packed result each.
    #[wasm_bindgen(js_name = evaluateAll)]
    pub fn evaluate_all(&self, context: &WasmContext, seconds: f64, nanos: u32) -> Vec<f64> {
        let now = instant(seconds, nanos);
        self.engine
            .all_outcomes(&context.prepared, now)
            .into_iter()
            .map(pack)
            .collect()
    }

    /// The evaluation of `key` with every step taken, as JSON `{evaluation, steps}`. Not counted
    /// in the statistics.
    pub fn explain(&self, key: &str, context: &WasmContext, seconds: f64, nanos: u32) -> String {
        let now = instant(seconds, nanos);
        self.engine.explain(key, &context.prepared, now).to_json()
    }

    /// The statistics, as JSON.
    pub fn stats(&self) -> String {
        self.engine.stats().to_json()
    }

    /// Sets every statistics counter back to zero.
    #[wasm_bindgen(js_name = resetStats)]
    pub fn reset_stats(&self) {
        self.engine.reset_stats();
    }
}

/// An RFC 3339 instant as `[seconds, nanoseconds]` since the Unix epoch (seconds rounded towards
/// the past, nanoseconds below 10^9), or an empty array when `text` is not one. Instants cross
/// the boundary in two parts because one `f64` of nanoseconds cannot hold today's instants
/// exactly.
#[wasm_bindgen(js_name = parseInstant)]
pub fn parse_instant(text: &str) -> Vec<f64> {
    match Timestamp::parse_rfc3339(text) {
        // Seconds of any RFC 3339 instant (years 0000–9999) are far inside f64's exact range.
        #[allow(clippy::cast_precision_loss)]
        Ok(instant) => vec![
            instant.unix_seconds() as f64,
            f64::from(instant.subsec_nanos()),
        ],
        Err(_) => Vec::new(),
    }
}

/// Traps on purpose. Only the SDK's tests call it, to check that a trapped instance is replaced
/// and that nothing a caller holds breaks.
#[doc(hidden)]
#[wasm_bindgen(js_name = __vexilTrap)]
pub fn trap() {
    core::arch::wasm32::unreachable()
}

/// `seconds` (whole, since the Unix epoch) and `nanos` as an instant. Fractions of `seconds` are
/// dropped; a non-finite `seconds` is the epoch, and `nanos` past a second carries over.
fn instant(seconds: f64, nanos: u32) -> Timestamp {
    if !seconds.is_finite() {
        return Timestamp::UNIX_EPOCH;
    }
    // Saturating by definition of `as` for floats; in range for any real date.
    #[allow(clippy::cast_possible_truncation)]
    let seconds = seconds.floor() as i64;
    Timestamp::from_unix_parts(seconds, nanos).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn pack(outcome: Outcome) -> f64 {
    let variant1 = outcome
        .variant
        .map_or(0, |variant| variant.saturating_add(1).min(0xFFFF));
    let reason = match outcome.reason {
        Reason::Static => 0,
        Reason::Default => 1,
        Reason::TargetingMatch => 2,
        Reason::Split => 3,
        Reason::Disabled => 4,
        Reason::Override => 5,
        Reason::PrerequisiteFailed => 6,
        Reason::Error => 7,
    };
    let error = match outcome.error {
        None => 0,
        Some(ErrorCode::FlagNotFound) => 1,
        Some(ErrorCode::ParseError) => 2,
        Some(ErrorCode::TypeMismatch) => 3,
        Some(ErrorCode::TargetingKeyMissing) => 4,
        Some(ErrorCode::InvalidContext) => 5,
        Some(ErrorCode::General) => 6,
    };
    let rule1 = outcome
        .rule
        .map_or(0, |rule| rule.saturating_add(1).min((1 << 29) - 1));
    f64::from(variant1)
        + 65_536.0 * f64::from(reason + 16 * error)
        + 16_777_216.0 * f64::from(rule1)
}

/// The context JSON in the first `length` bytes of `text`.
fn read_context(text: &TextBuffer, length: usize) -> Result<Context, JsValue> {
    let bytes = text.bytes.get(..length).unwrap_or(&text.bytes);
    let json = std::str::from_utf8(bytes)
        .map_err(|_| js_error("INVALID_CONTEXT", None, "the context is not UTF-8"))?;
    Context::from_json(json)
        .map_err(|error| js_error("INVALID_CONTEXT", error.attribute(), &error.to_string()))
}

fn js_error(code: &str, path: Option<&str>, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    // Setting a property on a fresh Error object cannot fail; ignore the Result on principle.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    if let Some(path) = path {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("path"), &JsValue::from_str(path));
    }
    error.into()
}

/// The browser build's allocator: smaller than the default, which matters for a download.
#[cfg(feature = "web-allocator")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
