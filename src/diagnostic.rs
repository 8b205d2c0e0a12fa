//! Problems confined to one flag or segment, found while compiling a snapshot.

use std::fmt;

use serde::Serialize;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The flag named in the diagnostic cannot be evaluated: it serves the caller's default with
    /// `PARSE_ERROR`. Every other flag is unaffected.
    Error,
    /// Suspicious but harmless: the flag evaluates as documented.
    Warning,
}

/// What a [`Diagnostic`] is about. Each code is documented in `docs/snapshot-format.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DiagnosticCode {
    /// Two flags share a key; both are unusable because which one was meant is unknown.
    DuplicateFlagKey,
    /// Two segments share a key; both are unusable.
    DuplicateSegmentKey,
    /// A flag defines the same variant key twice.
    DuplicateVariantKey,
    /// Two rules of one flag share an id.
    DuplicateRuleId,
    /// A key is listed in more than one override of a flag; the first override wins.
    DuplicateOverrideKey,
    /// A key (flag, segment, variant, rule id, attribute) is empty, or a key or salt holds a NUL
    /// character (reserved as the bucketing separator).
    InvalidKey,
    /// `type` is not `boolean`, `string`, `number` or `object`.
    UnknownFlagType,
    /// A variant's value does not have the flag's type.
    VariantTypeMismatch,
    /// A variant's value cannot be served as written: it holds a number beyond the range of a
    /// double (`1e400`) or an object that gives one member name twice.
    InvalidVariantValue,
    /// The flag has no variants.
    NoVariants,
    /// A variant key is referenced but not defined by the flag.
    UnknownVariant,
    /// A condition's `op` is not a known operator.
    UnknownOperator,
    /// A condition lacks what its operator needs (attribute, values) or has values of the wrong type.
    InvalidCondition,
    /// A regular expression does not compile (or exceeds the engine's size budget).
    InvalidRegex,
    /// A date is not an RFC 3339 instant.
    InvalidDate,
    /// A version is not a semantic version.
    InvalidSemver,
    /// A rule references a segment that does not exist.
    UnknownSegment,
    /// A rule references a segment that has errors of its own.
    InvalidSegment,
    /// A prerequisite names a flag that does not exist.
    UnknownPrerequisite,
    /// Prerequisites form a cycle; every flag in the cycle is unusable.
    PrerequisiteCycle,
    /// A serve has neither or both of `variant` and `split`.
    InvalidServe,
    /// A split's weights are not whole numbers adding up to 100000.
    WeightsSum,
    /// A schedule ends before or when it starts.
    EmptySchedule,
    /// A flag depends on a flag that has errors; it will serve its off variant.
    BrokenPrerequisite,
    /// A field this engine does not know. Inside a flag or segment it is an error: the engine will
    /// not serve a definition it only partly understands (a misspelt `conditions` would otherwise
    /// make a rule match everybody). Elsewhere it is a warning.
    UnknownField,
}

impl DiagnosticCode {
    /// The code as written in JSON output, e.g. `unknown-operator`.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosticCode::DuplicateFlagKey => "duplicate-flag-key",
            DiagnosticCode::DuplicateSegmentKey => "duplicate-segment-key",
            DiagnosticCode::DuplicateVariantKey => "duplicate-variant-key",
            DiagnosticCode::DuplicateRuleId => "duplicate-rule-id",
            DiagnosticCode::DuplicateOverrideKey => "duplicate-override-key",
            DiagnosticCode::InvalidKey => "invalid-key",
            DiagnosticCode::UnknownFlagType => "unknown-flag-type",
            DiagnosticCode::VariantTypeMismatch => "variant-type-mismatch",
            DiagnosticCode::InvalidVariantValue => "invalid-variant-value",
            DiagnosticCode::NoVariants => "no-variants",
            DiagnosticCode::UnknownVariant => "unknown-variant",
            DiagnosticCode::UnknownOperator => "unknown-operator",
            DiagnosticCode::InvalidCondition => "invalid-condition",
            DiagnosticCode::InvalidRegex => "invalid-regex",
            DiagnosticCode::InvalidDate => "invalid-date",
            DiagnosticCode::InvalidSemver => "invalid-semver",
            DiagnosticCode::UnknownSegment => "unknown-segment",
            DiagnosticCode::InvalidSegment => "invalid-segment",
            DiagnosticCode::UnknownPrerequisite => "unknown-prerequisite",
            DiagnosticCode::PrerequisiteCycle => "prerequisite-cycle",
            DiagnosticCode::InvalidServe => "invalid-serve",
            DiagnosticCode::WeightsSum => "weights-sum",
            DiagnosticCode::EmptySchedule => "empty-schedule",
            DiagnosticCode::BrokenPrerequisite => "broken-prerequisite",
            DiagnosticCode::UnknownField => "unknown-field",
        }
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in a snapshot that did load, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error (the flag is unusable) or warning.
    pub severity: Severity,
    /// What kind of problem.
    pub code: DiagnosticCode,
    /// Where, as a JSON path such as `$.flags[2].rules[0].conditions[1].op`.
    pub path: String,
    /// The flag affected, if the problem is in (or reaches) a flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// The segment affected, if the problem is in a segment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// A sentence for humans.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{severity}[{}] {}: {}",
            self.code, self.path, self.message
        )
    }
}
