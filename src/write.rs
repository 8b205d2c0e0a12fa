//! JSON output without serde: what the WebAssembly build hands to JavaScript (diagnostics,
//! explanations, statistics, flag details) and how messages and paths quote text.
//!
//! serde's serializers for these types would add about 30 KB to the download of every browser
//! that uses Vexil; these writers produce the same JSON (the tests compare them with serde's
//! output for every type) with a fraction of the code.

// Native builds use only the quoting (for messages); the writers serve the WebAssembly
// bindings and are tested natively.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::fmt;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::Explanation;
use crate::evaluate::Evaluation;
use crate::snapshot::Metadata;
use crate::stats::{FlagStats, Stats, VariantCount};
use crate::trace::Step;

/// Writes itself as JSON.
pub(crate) trait ToJson {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut String);

    /// The JSON text of `self`.
    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

/// Text as a JSON string literal, for messages and paths.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.0.len() + 2);
        write_str(&mut out, self.0);
        f.write_str(&out)
    }
}

/// Appends `text` as a JSON string literal (escaping as serde_json does).
pub(crate) fn write_str(out: &mut String, text: &str) {
    out.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0C => "\\f",
            0..=0x1F => "",
            _ => continue,
        };
        out.push_str(text.get(plain..at).unwrap_or(""));
        if escape.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        } else {
            out.push_str(escape);
        }
        plain = at + 1;
    }
    out.push_str(text.get(plain..).unwrap_or(""));
    out.push('"');
}

/// An object being written: `field` adds the separators.
pub(crate) struct Object<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> Object<'o> {
    pub(crate) fn new(out: &'o mut String) -> Object<'o> {
        out.push('{');
        Object { out, empty: true }
    }

    /// Writes `"key":` and hands out the buffer for the value.
    pub(crate) fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_str(self.out, key);
        self.out.push(':');
        self.out
    }

    pub(crate) fn field(&mut self, key: &str, value: &(impl ToJson + ?Sized)) -> &mut Self {
        value.write_json(self.key(key));
        self
    }

    /// Writes the field only when it holds something (serde's `skip_serializing_if`).
    pub(crate) fn optional<T: ToJson>(&mut self, key: &str, value: Option<&T>) -> &mut Self {
        if let Some(value) = value {
            self.field(key, value);
        }
        self
    }

    pub(crate) fn end(&mut self) {
        self.out.push('}');
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for &str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                use fmt::Write as _;
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
integers!(u32, u64, usize, i64);

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (index, item) in self.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// A pair as a two-item array, such as a variant's `[key, value]`.
impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        self.0.write_json(out);
        out.push(',');
        self.1.write_json(out);
        out.push(']');
    }
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(value) => value.write_json(out),
            Value::Number(number) => {
                if let Some(value) = number.as_u64() {
                    value.write_json(out);
                } else if let Some(value) = number.as_i64() {
                    value.write_json(out);
                } else {
                    crate::decimal::write(out, number.as_f64().unwrap_or(f64::NAN));
                }
            }
            Value::String(text) => write_str(out, text),
            Value::Array(items) => items.write_json(out),
            Value::Object(members) => {
                let mut object = Object::new(out);
                for (key, value) in members {
                    object.field(key, value);
                }
                object.end();
            }
        }
    }
}

impl ToJson for Diagnostic {
    fn write_json(&self, out: &mut String) {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        Object::new(out)
            .field("severity", severity)
            .field("code", self.code.as_str())
            .field("path", &self.path)
            .optional("flag", self.flag.as_ref())
            .optional("segment", self.segment.as_ref())
            .field("message", &self.message)
            .end();
    }
}

impl ToJson for Stats {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("flags", &self.flags)
            .field("unknownFlagEvaluations", &self.unknown_flag_evaluations)
            .end();
    }
}

impl ToJson for FlagStats {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("flag", &self.flag)
            .field("evaluations", &self.evaluations)
            .field("errors", &self.errors)
            .field("withoutVariant", &self.without_variant)
            .field("variants", &self.variants)
            .end();
    }
}

impl ToJson for VariantCount {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("variant", &self.variant)
            .field("count", &self.count)
            .end();
    }
}

impl ToJson for Evaluation<'_> {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("value", &self.value)
            .field("variant", &self.variant)
            .field("reason", self.reason.as_str())
            .optional(
                "errorCode",
                self.error_code.map(|code| code.as_str()).as_ref(),
            )
            .optional("ruleId", self.rule_id.as_ref())
            .end();
    }
}

impl ToJson for &Value {
    fn write_json(&self, out: &mut String) {
        (*self).write_json(out);
    }
}

impl ToJson for Explanation<'_> {
    fn write_json(&self, out: &mut String) {
        Object::new(out)
            .field("evaluation", &self.evaluation)
            .field("steps", &self.steps)
            .end();
    }
}

impl ToJson for Step {
    fn write_json(&self, out: &mut String) {
        let mut object = Object::new(out);
        match self {
            Step::FlagNotFound => object.field("step", "flagNotFound"),
            Step::FlagInvalid => object.field("step", "flagInvalid"),
            Step::InvalidContext { message } => object
                .field("step", "invalidContext")
                .field("message", message),
            Step::Enabled { enabled } => object.field("step", "enabled").field("enabled", enabled),
            Step::Override {
                targeting_key,
                variant,
            } => object
                .field("step", "override")
                .field("targetingKey", targeting_key)
                .field("variant", variant),
            Step::Schedule {
                start,
                end,
                now,
                live,
            } => object
                .field("step", "schedule")
                .field("start", start)
                .field("end", end)
                .field("now", now)
                .field("live", live),
            Step::Prerequisite {
                flag,
                required,
                variant,
                met,
            } => object
                .field("step", "prerequisite")
                .field("flag", flag)
                .field("required", required)
                .field("variant", variant)
                .field("met", met),
            Step::Condition {
                rule,
                rule_id,
                condition,
                attribute,
                op,
                negate,
                value,
                result,
            } => object
                .field("step", "condition")
                .field("rule", rule)
                .field("ruleId", rule_id)
                .field("condition", condition)
                .field("attribute", attribute)
                .field("op", op)
                .field("negate", negate)
                .field("value", value)
                .field("result", result),
            Step::RuleMatched { rule, rule_id } => object
                .field("step", "ruleMatched")
                .field("rule", rule)
                .field("ruleId", rule_id),
            Step::Fallthrough => object.field("step", "fallthrough"),
            Step::CostLimit { limit } => object.field("step", "costLimit").field("limit", limit),
            Step::Split {
                bucket_by,
                value,
                bucket,
                range_start,
                range_end,
                variant,
            } => object
                .field("step", "split")
                .field("bucketBy", bucket_by)
                .field("value", value)
                .field("bucket", bucket)
                .field("rangeStart", range_start)
                .field("rangeEnd", range_end)
                .field("variant", variant),
        };
        object.end();
    }
}

impl ToJson for Metadata<&str> {
    fn write_json(&self, out: &mut String) {
        let mut object = Object::new(out);
        object
            .optional("description", self.description.as_ref())
            .optional("owner", self.owner.as_ref());
        if !self.tags.is_empty() {
            object.field("tags", &self.tags);
        }
        object
            .optional("version", self.version.as_ref())
            .optional("changedAt", self.changed_at.as_ref())
            .end();
    }
}

#[cfg(test)]
mod tests;
