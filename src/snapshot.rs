//! The wire format of a snapshot (schema version 1), exactly as it appears in JSON.
//!
//! The types are generic over how they hold text: programs build them with `String` (the
//! default), and the loader reads them with strings borrowed from the document, so the engine
//! allocates only the text it keeps.
//!
//! These types only describe shape: the loader reads them (with exact JSON paths in its errors),
//! and they serialize back to the same format, so programs can build snapshots in code. Meaning
//! (operators, dates, weights, references) is checked by the compiler when an
//! [`Engine`](crate::Engine) is built, so that one broken flag becomes a diagnostic instead of a
//! rejected document. Unknown fields at the top level are ignored (with a
//! warning); inside a flag or segment they make that definition unusable rather than half-read.
//! Changes that older engines must not ignore bump `schemaVersion` (see `docs/snapshot-format.md`).

use serde::Serialize;
use serde_json::Value;

/// What the wire types may hold text as: `String`, or text borrowed from a document.
pub(crate) trait Text:
    std::ops::Deref<Target = str> + Into<String> + std::fmt::Debug
{
}

impl<T: std::ops::Deref<Target = str> + Into<String> + std::fmt::Debug> Text for T {}

/// The only `schemaVersion` this engine reads.
pub const SCHEMA_VERSION: u64 = 1;

/// A whole snapshot document.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot<S = String> {
    /// Format version; must be [`SCHEMA_VERSION`].
    pub schema_version: u64,
    /// Increases with every published change; clients never replace a snapshot with an older one.
    pub revision: u64,
    /// When the snapshot was produced (RFC 3339).
    pub generated_at: S,
    /// Which environment this snapshot is for, e.g. `production`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<S>,
    /// Reusable audiences referenced by rules.
    #[serde(default)]
    pub segments: Vec<Segment<S>>,
    /// The flags, in the order the producer listed them.
    pub flags: Vec<Flag<S>>,
}

/// One flag.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Flag<S = String> {
    /// Unique key the application asks for.
    pub key: S,
    /// `boolean`, `string`, `number` or `object` (any JSON value).
    #[serde(rename = "type")]
    pub kind: S,
    /// Kill switch: when false the flag serves its off variant and nothing else is consulted.
    pub enabled: bool,
    /// Variant key → value, in order.
    pub variants: Entries<Value, S>,
    /// Served when the flag is disabled, outside its schedule, or a prerequisite fails. Without
    /// one, those cases serve the caller's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_variant: Option<S>,
    /// What everyone who reaches the end of the rules gets.
    pub fallthrough: Serve<S>,
    /// Targeting keys forced to a variant.
    #[serde(default)]
    pub overrides: Vec<Override<S>>,
    /// Optional time window in which the flag is live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Schedule<S>>,
    /// Flags that must serve given variants for this one to be on.
    #[serde(default)]
    pub prerequisites: Vec<Prerequisite<S>>,
    /// Targeting rules, tried in order; the first whose conditions all hold decides.
    #[serde(default)]
    pub rules: Vec<Rule<S>>,
    /// Mixed into the bucketing hash; change it to reshuffle who gets which variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<S>,
    /// The context attribute splits bucket by (default `targetingKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_by: Option<S>,
    /// Description, owner, tags and version, for people and previews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata<S>>,
}

/// What a rule or the fallthrough serves: one fixed variant, or a weighted split.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Serve<S = String> {
    /// A fixed variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<S>,
    /// A weighted split; weights are in units of 0.001 % and add up to 100000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<Vec<WeightedVariant<S>>>,
    /// Bucket this split by another attribute than the flag's `bucketBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_by: Option<S>,
}

/// One slice of a split.
#[derive(Clone, Debug, Serialize)]
pub struct WeightedVariant<S = String> {
    /// The variant served to this slice.
    pub variant: S,
    /// Size of the slice in units of 0.001 % (100000 is everybody).
    pub weight: u64,
}

/// Targeting keys forced to one variant.
#[derive(Clone, Debug, Serialize)]
pub struct Override<S = String> {
    /// The variant they get.
    pub variant: S,
    /// The targeting keys.
    pub keys: Vec<S>,
}

/// A time window; either end may be open.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Schedule<S = String> {
    /// First instant the flag is live (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<S>,
    /// First instant the flag is no longer live (exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<S>,
}

/// A flag that must evaluate to one of some variants.
#[derive(Clone, Debug, Serialize)]
pub struct Prerequisite<S = String> {
    /// The key of the flag depended on.
    pub flag: S,
    /// Any of these variants satisfies the prerequisite.
    pub variants: Vec<S>,
}

/// A targeting rule.
#[derive(Clone, Debug, Serialize)]
pub struct Rule<S = String> {
    /// Reported as `ruleId` when this rule decides; defaults to the rule's index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<S>,
    /// All must hold (an empty list always holds).
    #[serde(default)]
    pub conditions: Vec<Condition<S>>,
    /// What the rule serves when it matches.
    pub serve: Serve<S>,
}

/// A test on one context attribute (or on segment membership).
#[derive(Clone, Debug, Serialize)]
pub struct Condition<S = String> {
    /// The context attribute tested; not used by `inSegment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<S>,
    /// The operator, e.g. `in`, `startsWith`, `semverGte`.
    pub op: S,
    /// One operand; shorthand for `values` with one element.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Operands; the condition holds if the operator holds for any of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// Invert the result.
    #[serde(default)]
    pub negate: bool,
}

/// A reusable audience.
#[derive(Clone, Debug, Serialize)]
pub struct Segment<S = String> {
    /// Unique key rules reference with `inSegment`.
    pub key: S,
    /// Targeting keys always in the segment.
    #[serde(default)]
    pub included: Vec<S>,
    /// Targeting keys never in the segment (unless also included).
    #[serde(default)]
    pub excluded: Vec<S>,
    /// When non-empty, contexts for which all hold are in the segment.
    #[serde(default)]
    pub conditions: Vec<Condition<S>>,
}

/// Information for people; never affects evaluation.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Metadata<S = String> {
    /// What the flag is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<S>,
    /// Who to ask about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<S>,
    /// Free-form labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<S>,
    /// The flag's own version, bumped on each change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// When the flag last changed (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_at: Option<S>,
}

/// A JSON object as an ordered list of entries, keeping duplicate keys so they can be reported
/// (a plain map would silently keep the last one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entries<T, S = String>(pub Vec<(S, T)>);

impl<T: Serialize, S: Serialize> Serialize for Entries<T, S> {
    fn serialize<Out: serde::Serializer>(&self, serializer: Out) -> Result<Out::Ok, Out::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
