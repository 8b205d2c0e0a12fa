//! Every bound the engine enforces, in one place, so the documentation and the code cannot drift.

use std::fmt;

/// The bounds a snapshot and a context must stay within.
///
/// Deserializes from JSON with camelCase field names (`{"maxFlags": 500}`); fields not given keep
/// their defaults.
///
/// A snapshot over any of the snapshot limits is rejected whole with
/// [`LoadErrorKind::Limit`](crate::LoadErrorKind::Limit) naming the limit; a context over one
/// evaluates to `INVALID_CONTEXT`. Three bounds are per flag instead, so that one costly flag
/// never takes the others down: a pattern over [`Limits::max_regex_program_bytes`] or
/// [`Limits::max_regex_total_bytes`] is an `invalid-regex` diagnostic of its flag or segment, and
/// an evaluation that would spend more than [`Limits::max_evaluation_cost`] answers `GENERAL`.
/// The defaults are generous for real flag sets and small enough that a hostile document cannot
/// exhaust memory or time (`docs/snapshot-format.md` states the worst case).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Limits {
    /// Size of the snapshot document in bytes.
    pub max_document_bytes: usize,
    /// Nesting depth of arrays and objects in the snapshot.
    pub max_json_depth: usize,
    /// Number of flags in a snapshot.
    pub max_flags: usize,
    /// Number of segments in a snapshot.
    pub max_segments: usize,
    /// Number of variants of one flag.
    pub max_variants: usize,
    /// Number of rules of one flag.
    pub max_rules: usize,
    /// Number of conditions in one rule or segment.
    pub max_conditions: usize,
    /// Number of values in one list: a condition's values, a segment's key lists, an override's keys.
    pub max_list_values: usize,
    /// Length in bytes of a key: flag, variant, segment, rule id, attribute name.
    pub max_key_bytes: usize,
    /// Length in bytes of any other string in the targeting definition (values, targeting keys, salts).
    pub max_string_bytes: usize,
    /// Length in bytes of a regular expression.
    pub max_regex_bytes: usize,
    /// Size in bytes of one compiled regular expression. Counted repetitions make a short
    /// pattern compile large (`(?:a{1000}){10}` is ten thousand states); a pattern over this is
    /// an `invalid-regex` diagnostic.
    pub max_regex_program_bytes: usize,
    /// Size in bytes of all the compiled regular expressions of one snapshot together (each
    /// distinct pattern counted once). The patterns compiled after the budget is spent are
    /// `invalid-regex` diagnostics; the rest of the snapshot works.
    pub max_regex_total_bytes: usize,
    /// Work one evaluation may do, in cost units (about one step of a regex state over one
    /// character, or one byte compared; `docs/snapshot-format.md` gives the cost of each
    /// operator). An evaluation that would go over answers the caller's default with `GENERAL`.
    pub max_evaluation_cost: usize,
    /// Length of the longest prerequisite chain (a flag with one prerequisite has depth 1).
    pub max_prerequisite_depth: usize,
    /// Number of attributes in an evaluation context.
    pub max_context_attributes: usize,
    /// Length in bytes of a string in an evaluation context (attribute names and values).
    pub max_context_string_bytes: usize,
    /// Number of items in a list attribute of an evaluation context.
    pub max_context_list_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 16 * 1024 * 1024,
            max_json_depth: 64,
            max_flags: 20_000,
            max_segments: 10_000,
            max_variants: 1_000,
            max_rules: 1_000,
            max_conditions: 100,
            max_list_values: 100_000,
            max_key_bytes: 256,
            max_string_bytes: 4_096,
            max_regex_bytes: 1_024,
            max_regex_program_bytes: 32 * 1024,
            max_regex_total_bytes: 4 * 1024 * 1024,
            max_evaluation_cost: 50_000,
            max_prerequisite_depth: 16,
            max_context_attributes: 256,
            max_context_string_bytes: 4_096,
            max_context_list_items: 1_000,
        }
    }
}

impl Limits {
    /// Reads limits from a JSON object of camelCase fields, as serde does (`{"maxFlags": 500}`):
    /// fields not given keep their defaults; an unknown field, or a value that is not a
    /// non-negative integer, is refused with a message saying which. Needs no serde, so the
    /// WebAssembly build reads limits with the engine's own JSON parser alone.
    pub fn from_json(text: &str) -> Result<Limits, String> {
        let value = crate::json::parse_value(text, 2)
            .map_err(|_| "limits must be a JSON object of camelCase fields".to_owned())?;
        let serde_json::Value::Object(members) = value else {
            return Err("limits must be a JSON object of camelCase fields".to_owned());
        };
        let mut limits = Limits::default();
        for (name, value) in &members {
            let slot = limits
                .field_mut(name)
                .ok_or_else(|| format!("unknown limit `{name}`"))?;
            *slot = value
                .as_u64()
                .and_then(|number| usize::try_from(number).ok())
                .ok_or_else(|| format!("`{name}` must be a non-negative integer"))?;
        }
        Ok(limits)
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut usize> {
        Some(match name {
            "maxDocumentBytes" => &mut self.max_document_bytes,
            "maxJsonDepth" => &mut self.max_json_depth,
            "maxFlags" => &mut self.max_flags,
            "maxSegments" => &mut self.max_segments,
            "maxVariants" => &mut self.max_variants,
            "maxRules" => &mut self.max_rules,
            "maxConditions" => &mut self.max_conditions,
            "maxListValues" => &mut self.max_list_values,
            "maxKeyBytes" => &mut self.max_key_bytes,
            "maxStringBytes" => &mut self.max_string_bytes,
            "maxRegexBytes" => &mut self.max_regex_bytes,
            "maxRegexProgramBytes" => &mut self.max_regex_program_bytes,
            "maxRegexTotalBytes" => &mut self.max_regex_total_bytes,
            "maxEvaluationCost" => &mut self.max_evaluation_cost,
            "maxPrerequisiteDepth" => &mut self.max_prerequisite_depth,
            "maxContextAttributes" => &mut self.max_context_attributes,
            "maxContextStringBytes" => &mut self.max_context_string_bytes,
            "maxContextListItems" => &mut self.max_context_list_items,
            _ => return None,
        })
    }
}

/// Which limit a document or context went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Limits::max_document_bytes`]
    DocumentBytes,
    /// [`Limits::max_json_depth`]
    JsonDepth,
    /// [`Limits::max_flags`]
    Flags,
    /// [`Limits::max_segments`]
    Segments,
    /// [`Limits::max_variants`]
    Variants,
    /// [`Limits::max_rules`]
    Rules,
    /// [`Limits::max_conditions`]
    Conditions,
    /// [`Limits::max_list_values`]
    ListValues,
    /// [`Limits::max_key_bytes`]
    KeyBytes,
    /// [`Limits::max_string_bytes`]
    StringBytes,
    /// [`Limits::max_regex_bytes`]
    RegexBytes,
    /// [`Limits::max_prerequisite_depth`]
    PrerequisiteDepth,
    /// [`Limits::max_context_attributes`]
    ContextAttributes,
    /// [`Limits::max_context_string_bytes`]
    ContextStringBytes,
    /// [`Limits::max_context_list_items`]
    ContextListItems,
}

impl LimitKind {
    /// The stable code of this limit, as used in error codes (`LIMIT_…`) and the documentation.
    pub fn code(self) -> &'static str {
        match self {
            LimitKind::DocumentBytes => "LIMIT_DOCUMENT_BYTES",
            LimitKind::JsonDepth => "LIMIT_JSON_DEPTH",
            LimitKind::Flags => "LIMIT_FLAGS",
            LimitKind::Segments => "LIMIT_SEGMENTS",
            LimitKind::Variants => "LIMIT_VARIANTS",
            LimitKind::Rules => "LIMIT_RULES",
            LimitKind::Conditions => "LIMIT_CONDITIONS",
            LimitKind::ListValues => "LIMIT_LIST_VALUES",
            LimitKind::KeyBytes => "LIMIT_KEY_BYTES",
            LimitKind::StringBytes => "LIMIT_STRING_BYTES",
            LimitKind::RegexBytes => "LIMIT_REGEX_BYTES",
            LimitKind::PrerequisiteDepth => "LIMIT_PREREQUISITE_DEPTH",
            LimitKind::ContextAttributes => "LIMIT_CONTEXT_ATTRIBUTES",
            LimitKind::ContextStringBytes => "LIMIT_CONTEXT_STRING_BYTES",
            LimitKind::ContextListItems => "LIMIT_CONTEXT_LIST_ITEMS",
        }
    }

    /// What is counted, in words, for messages.
    pub fn what(self) -> &'static str {
        match self {
            LimitKind::DocumentBytes => "document size in bytes",
            LimitKind::JsonDepth => "JSON nesting depth",
            LimitKind::Flags => "number of flags",
            LimitKind::Segments => "number of segments",
            LimitKind::Variants => "number of variants",
            LimitKind::Rules => "number of rules",
            LimitKind::Conditions => "number of conditions",
            LimitKind::ListValues => "number of list values",
            LimitKind::KeyBytes => "key length in bytes",
            LimitKind::StringBytes => "string length in bytes",
            LimitKind::RegexBytes => "regular expression length in bytes",
            LimitKind::PrerequisiteDepth => "prerequisite chain depth",
            LimitKind::ContextAttributes => "number of context attributes",
            LimitKind::ContextStringBytes => "context string length in bytes",
            LimitKind::ContextListItems => "number of items in a context list",
        }
    }

    /// The value of this limit in `limits`.
    pub fn value_in(self, limits: &Limits) -> usize {
        match self {
            LimitKind::DocumentBytes => limits.max_document_bytes,
            LimitKind::JsonDepth => limits.max_json_depth,
            LimitKind::Flags => limits.max_flags,
            LimitKind::Segments => limits.max_segments,
            LimitKind::Variants => limits.max_variants,
            LimitKind::Rules => limits.max_rules,
            LimitKind::Conditions => limits.max_conditions,
            LimitKind::ListValues => limits.max_list_values,
            LimitKind::KeyBytes => limits.max_key_bytes,
            LimitKind::StringBytes => limits.max_string_bytes,
            LimitKind::RegexBytes => limits.max_regex_bytes,
            LimitKind::PrerequisiteDepth => limits.max_prerequisite_depth,
            LimitKind::ContextAttributes => limits.max_context_attributes,
            LimitKind::ContextStringBytes => limits.max_context_string_bytes,
            LimitKind::ContextListItems => limits.max_context_list_items,
        }
    }
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Limits;

    #[test]
    fn limits_read_from_json_exactly_as_serde_reads_them() {
        let every = serde_json::to_value(Limits::default()).expect("limits serialize");
        let serde_json::Value::Object(fields) = &every else {
            panic!("limits serialize as an object");
        };
        // Every field, each set to a distinct value, reads the same both ways.
        let mut changed = serde_json::Map::new();
        for (index, name) in fields.keys().enumerate() {
            changed.insert(name.clone(), serde_json::json!(1000 + index));
        }
        let text = serde_json::Value::Object(changed).to_string();
        let by_serde: Limits = serde_json::from_str(&text).expect("serde reads them");
        assert_eq!(Limits::from_json(&text), Ok(by_serde));
        assert_eq!(Limits::from_json("{}"), Ok(Limits::default()));
        for (text, why) in [
            (r#"{"maxFlag": 1}"#, "unknown limit `maxFlag`"),
            (
                r#"{"maxFlags": -1}"#,
                "`maxFlags` must be a non-negative integer",
            ),
            (
                r#"{"maxFlags": 1.5}"#,
                "`maxFlags` must be a non-negative integer",
            ),
            (
                r#"{"maxFlags": "many"}"#,
                "`maxFlags` must be a non-negative integer",
            ),
            ("[]", "limits must be a JSON object of camelCase fields"),
            ("{", "limits must be a JSON object of camelCase fields"),
        ] {
            assert_eq!(Limits::from_json(text), Err(why.to_owned()), "{text}");
        }
    }
}
