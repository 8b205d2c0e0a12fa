//! Turns a parsed [`Snapshot`] into the immutable index evaluation runs on.
//!
//! Everything evaluation needs is resolved here, once: keys interned to indices, segments and
//! prerequisites resolved, regexes, versions and dates parsed, weights laid out as bucket ranges,
//! and the prerequisite graph checked for cycles and depth. Problems confined to one flag become
//! [`Diagnostic`]s and that flag alone is marked unusable; going over a [`Limits`] bound rejects
//! the whole document.

use std::sync::Arc;

use serde_json::Value;

use crate::bucket::{FlagHasher, Ranges};
use crate::condition::{self, Condition, Operands, Operator, ReadAhead};
use crate::context::TARGETING_KEY;
use crate::diagnostic::{Diagnostic, DiagnosticCode, Severity};
use crate::error::LoadError;
use crate::fasthash::{same_bytes, KeyIndex, StrMap, StrSet};
use crate::limits::{LimitKind, Limits};
use crate::metadata::MetadataStore;
use crate::operand::{Given, Operand, OperandStore, Owners, Slot};
use crate::path::JsonPath;
use crate::read::{Packed, ReadProblem};
use crate::regex::Regex;
use crate::semver::Version;
use crate::snapshot::{self as wire, Snapshot, Text};
use crate::stats::FlagCounters;
use crate::timestamp::Timestamp;
use crate::write::Quoted;

/// Deepest group nesting accepted in a regex.
const REGEX_NEST_LIMIT: u32 = 32;

/// The value type of a flag's variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlagType {
    /// `true` / `false`.
    Boolean,
    /// Text.
    String,
    /// A JSON number.
    Number,
    /// Any JSON value (objects, arrays, …).
    Object,
}

impl FlagType {
    fn parse(name: &str) -> Option<FlagType> {
        match name {
            "boolean" => Some(FlagType::Boolean),
            "string" => Some(FlagType::String),
            "number" => Some(FlagType::Number),
            "object" => Some(FlagType::Object),
            _ => None,
        }
    }

    /// The name used in snapshots: `boolean`, `string`, `number` or `object`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagType::Boolean => "boolean",
            FlagType::String => "string",
            FlagType::Number => "number",
            FlagType::Object => "object",
        }
    }

    fn admits(self, value: &Value) -> bool {
        match self {
            FlagType::Boolean => value.is_boolean(),
            FlagType::String => value.is_string(),
            FlagType::Number => value.is_number(),
            FlagType::Object => true,
        }
    }
}

/// What a rule or the fallthrough serves, resolved.
#[derive(Clone, Debug)]
pub(crate) enum Serve {
    Variant(u32),
    Split { bucket_by: u32, ranges: Ranges },
}

#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) id: Box<str>,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) serve: Serve,
}

#[derive(Clone, Debug)]
pub(crate) struct Prerequisite {
    pub(crate) flag: u32,
    pub(crate) variants: Vec<u32>,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub(crate) start: Option<Timestamp>,
    pub(crate) end: Option<Timestamp>,
}

impl Window {
    pub(crate) fn contains(&self, now: Timestamp) -> bool {
        self.start.is_none_or(|start| now >= start) && self.end.is_none_or(|end| now < end)
    }
}

/// Everything needed to evaluate a usable flag.
pub(crate) struct FlagBody {
    pub(crate) enabled: bool,
    pub(crate) off: Option<u32>,
    /// `None` without overrides. The rare parts of a flag are boxed, so that the thousands of
    /// flags without them are a third smaller.
    pub(crate) overrides: Option<Box<StrMap<u32>>>,
    pub(crate) schedule: Option<Box<Window>>,
    pub(crate) prerequisites: Vec<Prerequisite>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) fallthrough: Serve,
    /// Present when some rule or the fallthrough splits; boxed, so that the other flags do not
    /// carry its room.
    pub(crate) hasher: Option<Box<FlagHasher>>,
    /// Nothing about the context or the time can change the result.
    pub(crate) is_static: bool,
}

/// A variant's name. Names repeat across flags (`on`, `off`, `control`...), so each distinct
/// name is kept once per engine and shared, rather than allocated again for every flag.
pub(crate) type VariantName = Arc<str>;

pub(crate) struct CompiledFlag {
    pub(crate) key: Box<str>,
    pub(crate) kind: Option<FlagType>,
    pub(crate) variants: Vec<(VariantName, Value)>,
    /// `None` when the flag has error diagnostics: it then evaluates to `PARSE_ERROR`.
    pub(crate) body: Option<FlagBody>,
    pub(crate) counters: FlagCounters,
}

pub(crate) struct CompiledSegment {
    pub(crate) included: StrSet,
    pub(crate) excluded: StrSet,
    pub(crate) conditions: Vec<Condition>,
}

/// Snapshot-level facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) schema_version: u64,
    pub(crate) revision: u64,
    pub(crate) generated_at: Timestamp,
    pub(crate) environment: Option<String>,
}

pub(crate) struct Compiled {
    pub(crate) header: Header,
    pub(crate) flags: Vec<CompiledFlag>,
    pub(crate) flag_index: KeyIndex,
    pub(crate) metadata: MetadataStore,
    pub(crate) segments: Vec<CompiledSegment>,
    pub(crate) attribute_names: Vec<Box<str>>,
    pub(crate) attribute_index: StrSet,
    /// How many memo slots a context needs (see `Condition::memo`).
    pub(crate) memo_slots: usize,
    /// What preparing a context reads ahead, per attribute id (see `ReadAhead`).
    pub(crate) read_ahead: Vec<ReadAhead>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Who a diagnostic belongs to.
#[derive(Clone, Copy)]
enum Owner<'a> {
    Flag(&'a str),
    Segment(&'a str),
}

/// Tracks whether the thing being compiled picked up an error.
#[derive(Default)]
struct Health {
    broken: bool,
}

struct Compiler<'l> {
    limits: &'l Limits,
    diagnostics: Vec<Diagnostic>,
    attribute_names: Vec<Box<str>>,
    /// Attribute names; a name's index is its id.
    attribute_index: StrSet,
    segment_index: StrMap<u32>,
    segment_usable: Vec<bool>,
    /// Every pattern met so far, compiled or refused with why: a pattern used thousands of
    /// times is compiled (or tried up to a limit) once, not once per use.
    regexes: StrMap<Result<Regex, String>>,
    /// Bytes the compiled regexes take so far, against `max_regex_total_bytes`.
    regex_bytes: usize,
    /// Memo slots of remembered tests, by attribute and patterns.
    memo_slots: StrSet,
    /// Per attribute id: which parsing operators read it.
    read_ahead: Vec<ReadAhead>,
    /// Every distinct variant name met so far.
    variant_names: StrMap<VariantName>,
}

type Load<T> = Result<T, LoadError>;

/// Compiled flag heads, the key → index map, and which heads are broken.
type FlagHeads = (Vec<CompiledFlag>, KeyIndex, Vec<bool>);

/// Compiles a parsed snapshot.
pub(crate) fn compile<S: Text>(
    snapshot: Snapshot<S>,
    read_problems: &[ReadProblem],
    packed: Packed<'_>,
    limits: &Limits,
) -> Load<Compiled> {
    let root = JsonPath::ROOT;
    let generated_at = Timestamp::parse_rfc3339(&snapshot.generated_at).map_err(|error| {
        LoadError::new(
            crate::LoadErrorKind::Shape,
            Some(root.field("generatedAt").to_string()),
            format!("generatedAt is not an RFC 3339 instant: {error}"),
        )
    })?;
    check_count(
        LimitKind::Flags,
        limits.max_flags,
        snapshot.flags.len(),
        &root.field("flags"),
    )?;
    check_count(
        LimitKind::Segments,
        limits.max_segments,
        snapshot.segments.len(),
        &root.field("segments"),
    )?;

    let mut compiler = Compiler {
        limits,
        diagnostics: Vec::new(),
        attribute_names: Vec::new(),
        attribute_index: StrSet::default(),
        segment_index: StrMap::default(),
        segment_usable: Vec::new(),
        regexes: StrMap::default(),
        regex_bytes: 0,
        memo_slots: StrSet::default(),
        read_ahead: Vec::new(),
        variant_names: StrMap::default(),
    };
    // Attribute 0 is always the targeting key, so overrides and segments can find it directly.
    compiler.intern(TARGETING_KEY);

    report_unknown_top_level(&mut compiler, read_problems);
    let mut snapshot = snapshot;
    let operands = packed.operands.as_ref();
    let segments = compiler.compile_segments(
        &mut snapshot.segments,
        packed.segment_keys,
        operands,
        read_problems,
    )?;
    let (mut flags, flag_index, mut head_broken) =
        compiler.compile_flag_heads(&snapshot.flags, limits)?;
    for field in read_problems {
        let Some(index) = field.flag else { continue };
        let Some(flag) = snapshot.flags.get(index) else {
            continue;
        };
        compiler.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            code: field.code,
            path: field.path.clone(),
            flag: Some(flag.key.to_string()),
            segment: None,
            message: field.message.clone(),
        });
        if let Some(broken) = head_broken.get_mut(index) {
            *broken = true;
        }
    }

    let flags_path = root.field("flags");
    let mut wire_flags = snapshot.flags;
    // A document's metadata was stored as it was read; a snapshot built in code has it in its
    // wire flags.
    let metadata = packed.metadata.unwrap_or_else(|| {
        let mut store =
            MetadataStore::for_flags(wire_flags.iter().map(|flag| flag.metadata.as_ref()));
        for flag in &wire_flags {
            store.push(flag.metadata.as_ref());
        }
        store
    });
    for (index, wire_flag) in wire_flags.iter_mut().enumerate() {
        let path = flags_path.index(index);
        let Some(head) = flags.get_mut(index) else {
            continue;
        };
        head.variants = std::mem::take(&mut wire_flag.variants.0)
            .into_iter()
            .map(|(key, value)| (compiler.variant_name(&key), value))
            .collect();
        head.counters = FlagCounters::new(head.variants.len());
        if let Some(changed_at) = metadata.changed_at(index) {
            if let Err(error) = Timestamp::parse_rfc3339(changed_at) {
                compiler.report(
                    Severity::Warning,
                    DiagnosticCode::InvalidDate,
                    &path.field("metadata").field("changedAt"),
                    Owner::Flag(&wire_flag.key),
                    format!("changedAt is not an RFC 3339 instant: {error}"),
                );
            }
        }
    }
    for (index, wire_flag) in wire_flags.iter().enumerate() {
        let path = flags_path.index(index);
        let body = compiler.compile_body(wire_flag, index, &flags, &flag_index, operands, &path)?;
        // The body is compiled even under a broken head, to report every problem at once.
        if let Some(flag) = flags.get_mut(index) {
            if !head_broken.get(index).copied().unwrap_or(true) {
                flag.body = body;
            }
        }
    }
    check_prerequisite_graph(&mut compiler, &mut flags, &flags_path)?;

    Ok(Compiled {
        header: Header {
            schema_version: snapshot.schema_version,
            revision: snapshot.revision,
            generated_at,
            environment: snapshot.environment.map(Into::into),
        },
        flags,
        flag_index,
        metadata,
        segments,
        attribute_names: compiler.attribute_names,
        attribute_index: compiler.attribute_index,
        memo_slots: compiler.memo_slots.len(),
        read_ahead: compiler.read_ahead,
        diagnostics: compiler.diagnostics,
    })
}

/// Unknown fields outside flags and segments cannot change what any flag serves: warnings.
fn report_unknown_top_level(compiler: &mut Compiler, read_problems: &[ReadProblem]) {
    for field in read_problems
        .iter()
        .filter(|field| field.flag.is_none() && field.segment.is_none())
    {
        compiler.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            code: DiagnosticCode::UnknownField,
            path: field.path.clone(),
            flag: None,
            segment: None,
            message: field.message.clone(),
        });
    }
}

// Checked tens of thousands of times per large snapshot and almost never over: the test is
// inlined, making the error is not.
#[inline]
fn check_count(limit: LimitKind, max: usize, actual: usize, path: &JsonPath) -> Load<()> {
    if actual > max {
        Err(over_limit(limit, max, actual, path))
    } else {
        Ok(())
    }
}

#[cold]
#[inline(never)]
fn over_limit(limit: LimitKind, max: usize, actual: usize, path: &JsonPath) -> LoadError {
    LoadError::limit(limit, max, actual, path.to_string())
}

impl Compiler<'_> {
    #[cold]
    fn report(
        &mut self,
        severity: Severity,
        code: DiagnosticCode,
        path: &JsonPath,
        owner: Owner,
        message: impl Into<String>,
    ) {
        let (flag, segment) = match owner {
            Owner::Flag(key) => (Some(key.to_owned()), None),
            Owner::Segment(key) => (None, Some(key.to_owned())),
        };
        self.diagnostics.push(Diagnostic {
            severity,
            code,
            path: path.to_string(),
            flag,
            segment,
            message: message.into(),
        });
    }

    #[cold]
    fn error(
        &mut self,
        health: &mut Health,
        code: DiagnosticCode,
        path: &JsonPath,
        owner: Owner,
        message: impl Into<String>,
    ) {
        health.broken = true;
        self.report(Severity::Error, code, path, owner, message);
    }

    /// The shared copy of the variant name `name`.
    fn variant_name(&mut self, name: &str) -> VariantName {
        Arc::clone(
            self.variant_names
                .get_or_insert_with(name, || Arc::from(name)),
        )
    }

    fn intern(&mut self, name: &str) -> u32 {
        let (id, added) = self.attribute_index.insert(name);
        if added {
            self.attribute_names.push(Box::from(name));
        }
        u32::try_from(id).unwrap_or(u32::MAX)
    }

    fn check_key(
        &mut self,
        key: &str,
        path: &JsonPath,
        owner: Owner,
        health: &mut Health,
    ) -> Load<()> {
        check_count(
            LimitKind::KeyBytes,
            self.limits.max_key_bytes,
            key.len(),
            path,
        )?;
        if key.is_empty() {
            self.error(
                health,
                DiagnosticCode::InvalidKey,
                path,
                owner,
                "key is empty",
            );
        } else if has_nul(key) {
            self.error(
                health,
                DiagnosticCode::InvalidKey,
                path,
                owner,
                "key contains a NUL character",
            );
        }
        Ok(())
    }

    /// Compiles a `matches` pattern within the per-pattern and per-snapshot size limits.
    /// Snapshots often repeat a pattern across flags: each distinct one is compiled, and
    /// counted against the snapshot's budget, or refused, once.
    fn regex(&mut self, pattern: &str) -> Result<Regex, String> {
        if let Some(known) = self.regexes.get(pattern) {
            return known.clone();
        }
        let compiled = self.compile_regex(pattern);
        self.regexes
            .get_or_insert_with(pattern, || compiled.clone())
            .clone()
    }

    fn compile_regex(&mut self, pattern: &str) -> Result<Regex, String> {
        let per_pattern = self.limits.max_regex_program_bytes;
        let left = self
            .limits
            .max_regex_total_bytes
            .saturating_sub(self.regex_bytes);
        match Regex::new(pattern, per_pattern.min(left), REGEX_NEST_LIMIT) {
            Ok(regex) => {
                self.regex_bytes += regex.program_bytes();
                Ok(regex)
            }
            Err(error) if error.is_too_large() && left < per_pattern => Err(format!(
                "the regular expressions of this snapshot compile to more than \
                 maxRegexTotalBytes ({} bytes) together; this one does not fit in the {left} left",
                self.limits.max_regex_total_bytes
            )),
            Err(error) if error.is_too_large() => Err(format!(
                "the regular expression compiles to more than maxRegexProgramBytes \
                 ({per_pattern} bytes); counted repetitions such as a{{1000}} multiply its size"
            )),
            Err(error) => Err(format!("invalid regular expression: {error}")),
        }
    }

    #[inline]
    fn check_string(&self, text: &str, path: &JsonPath) -> Load<()> {
        check_count(
            LimitKind::StringBytes,
            self.limits.max_string_bytes,
            text.len(),
            path,
        )
    }

    fn check_list(&self, len: usize, path: &JsonPath) -> Load<()> {
        check_count(
            LimitKind::ListValues,
            self.limits.max_list_values,
            len,
            path,
        )
    }

    /// Checks a segment's list of targeting keys against the list and string limits, as packed
    /// into a set (by the reader, for a document: segment lists are the bulk of a large one).
    fn check_key_set(&self, keys: &StrSet, path: &JsonPath) -> Load<()> {
        self.check_list(keys.len(), path)?;
        match keys.first_longer_than(self.limits.max_string_bytes) {
            None => Ok(()),
            Some((index, key)) => self.check_string(key, &path.index(index)),
        }
    }

    fn compile_segments<S: Text>(
        &mut self,
        segments: &mut [wire::Segment<S>],
        packed_keys: Vec<[StrSet; 2]>,
        operands: Option<&OperandStore>,
        read_problems: &[ReadProblem],
    ) -> Load<Vec<CompiledSegment>> {
        let root = JsonPath::ROOT;
        let segments_path = root.field("segments");
        let duplicates = {
            let bytes = segments.iter().map(|segment| segment.key.len()).sum();
            let mut seen = StrSet::with_capacity(segments.len(), bytes);
            let mut duplicates = StrSet::default();
            for segment in segments.iter() {
                if !seen.insert(&segment.key).1 {
                    duplicates.insert(&segment.key);
                }
            }
            duplicates
        };
        let mut compiled = Vec::with_capacity(segments.len());
        let mut packed_keys = packed_keys.into_iter();
        for (index, segment) in segments.iter_mut().enumerate() {
            let path = segments_path.index(index);
            let owner = Owner::Segment(&segment.key);
            let mut health = Health::default();
            self.check_key(&segment.key, &path.field("key"), owner, &mut health)?;
            if duplicates.contains(&segment.key) {
                self.error(
                    &mut health,
                    DiagnosticCode::DuplicateSegmentKey,
                    &path.field("key"),
                    owner,
                    format!(
                        "segment key {} is used more than once",
                        Quoted(&segment.key)
                    ),
                );
            }
            let (included, excluded) = match packed_keys.next() {
                Some([included, excluded]) => (included, excluded),
                None => (
                    StrSet::new(segment.included.iter().map(|key| &**key)),
                    StrSet::new(segment.excluded.iter().map(|key| &**key)),
                ),
            };
            self.check_key_set(&included, &path.field("included"))?;
            self.check_key_set(&excluded, &path.field("excluded"))?;
            let conditions = self.compile_conditions(
                &segment.conditions,
                operands.map(|store| (store, store.slots(Owners::Segments, index))),
                &path.field("conditions"),
                owner,
                false,
                &mut health,
            )?;
            for field in read_problems
                .iter()
                .filter(|field| field.segment == Some(index))
            {
                health.broken = true;
                self.diagnostics.push(Diagnostic {
                    severity: Severity::Error,
                    code: field.code,
                    path: field.path.clone(),
                    flag: None,
                    segment: Some(segment.key.to_string()),
                    message: field.message.clone(),
                });
            }
            let id = u32::try_from(index).unwrap_or(u32::MAX);
            // The first definition is the one referenced; duplicates make it unusable anyway.
            self.segment_index.get_or_insert_with(&segment.key, || id);
            self.segment_usable.push(!health.broken);
            compiled.push(CompiledSegment {
                included,
                excluded,
                conditions,
            });
        }
        Ok(compiled)
    }

    /// Keys, types and variants of every flag (the parts other flags' prerequisites refer to).
    fn compile_flag_heads<S: Text>(
        &mut self,
        flags: &[wire::Flag<S>],
        limits: &Limits,
    ) -> Load<FlagHeads> {
        let root = JsonPath::ROOT;
        let flags_path = root.field("flags");
        // Positions are u32 everywhere; the flag limit keeps them far below u32::MAX.
        let key_of = |position: u32| flags.get(position as usize).map(|flag| &*flag.key);
        let mut index = KeyIndex::with_capacity(flags.len());
        let mut duplicates = StrSet::default();
        for (position, flag) in flags.iter().enumerate() {
            let id = u32::try_from(position).unwrap_or(u32::MAX);
            if index.insert(&flag.key, id, key_of).is_some() {
                duplicates.insert(&flag.key);
            }
        }
        let mut heads = Vec::with_capacity(flags.len());
        let mut broken = Vec::with_capacity(flags.len());
        for (position, flag) in flags.iter().enumerate() {
            let path = flags_path.index(position);
            let owner = Owner::Flag(&flag.key);
            let mut health = Health::default();
            self.check_key(&flag.key, &path.field("key"), owner, &mut health)?;
            if duplicates.contains(&flag.key) {
                self.error(
                    &mut health,
                    DiagnosticCode::DuplicateFlagKey,
                    &path.field("key"),
                    owner,
                    format!(
                        "flag key {} is used more than once; every flag with it is unusable",
                        Quoted(&flag.key)
                    ),
                );
            }
            let kind = FlagType::parse(&flag.kind);
            if kind.is_none() {
                self.error(
                    &mut health,
                    DiagnosticCode::UnknownFlagType,
                    &path.field("type"),
                    owner,
                    format!(
                        "type {} is not one of boolean, string, number, object",
                        Quoted(&flag.kind)
                    ),
                );
            }
            let variants_path = path.field("variants");
            check_count(
                LimitKind::Variants,
                limits.max_variants,
                flag.variants.0.len(),
                &variants_path,
            )?;
            if flag.variants.0.is_empty() {
                self.error(
                    &mut health,
                    DiagnosticCode::NoVariants,
                    &variants_path,
                    owner,
                    "a flag needs at least one variant",
                );
            }
            for (position, (variant, value)) in flag.variants.0.iter().enumerate() {
                let variant_path = variants_path.field(variant);
                self.check_key(variant, &variant_path, owner, &mut health)?;
                // The variant limit keeps this quadratic scan small; most flags have two.
                let earlier = flag.variants.0.get(..position).unwrap_or(&[]);
                if earlier.iter().any(|(other, _)| **other == **variant) {
                    self.error(
                        &mut health,
                        DiagnosticCode::DuplicateVariantKey,
                        &variant_path,
                        owner,
                        format!("variant {} is defined more than once", Quoted(variant)),
                    );
                }
                if let Some(kind) = kind {
                    if !kind.admits(value) {
                        self.error(
                            &mut health,
                            DiagnosticCode::VariantTypeMismatch,
                            &variant_path,
                            owner,
                            format!(
                                "variant {} is not a {} value",
                                Quoted(variant),
                                kind.as_str()
                            ),
                        );
                    }
                }
            }
            heads.push(CompiledFlag {
                key: Box::from(&*flag.key),
                kind,
                variants: Vec::new(),
                body: None,
                counters: FlagCounters::new(0),
            });
            broken.push(health.broken);
        }
        Ok((heads, index, broken))
    }

    fn compile_body<S: Text>(
        &mut self,
        flag: &wire::Flag<S>,
        position: usize,
        heads: &[CompiledFlag],
        flag_index: &KeyIndex,
        operands: Option<&OperandStore>,
        path: &JsonPath,
    ) -> Load<Option<FlagBody>> {
        let owner = Owner::Flag(&flag.key);
        let mut health = Health::default();
        let variants: &[(VariantName, Value)] = heads
            .get(position)
            .map(|head| head.variants.as_slice())
            .unwrap_or(&[]);

        let off = match &flag.off_variant {
            Some(name) => self.variant(
                variants,
                name,
                &path.field("offVariant"),
                owner,
                &mut health,
            )?,
            None => None,
        };

        let overrides_path = path.field("overrides");
        self.check_list(flag.overrides.len(), &overrides_path)?;
        // Sized once for every listed key, so a flag's thousands of keys are packed without
        // regrowing.
        let (listed, bytes) = flag
            .overrides
            .iter()
            .flat_map(|entry| entry.keys.iter())
            .fold((0, 0), |(count, bytes), key| (count + 1, bytes + key.len()));
        let mut overrides = StrMap::with_capacity(listed, bytes);
        for (index, entry) in flag.overrides.iter().enumerate() {
            let entry_path = overrides_path.index(index);
            let variant = self.variant(
                variants,
                &entry.variant,
                &entry_path.field("variant"),
                owner,
                &mut health,
            )?;
            let keys_path = entry_path.field("keys");
            self.check_list(entry.keys.len(), &keys_path)?;
            for (key_position, key) in entry.keys.iter().enumerate() {
                let key_path = keys_path.index(key_position);
                self.check_string(key, &key_path)?;
                if overrides.get(key).is_some() {
                    self.report(
                        Severity::Warning,
                        DiagnosticCode::DuplicateOverrideKey,
                        &key_path,
                        owner,
                        format!(
                            "{} is already overridden earlier; the earlier override wins",
                            Quoted(key)
                        ),
                    );
                } else if let Some(variant) = variant {
                    overrides.get_or_insert_with(key, || variant);
                }
            }
        }

        let schedule = match &flag.schedule {
            Some(window) => {
                self.compile_schedule(window, &path.field("schedule"), owner, &mut health)
            }
            None => None,
        };

        let prerequisites_path = path.field("prerequisites");
        self.check_list(flag.prerequisites.len(), &prerequisites_path)?;
        let mut prerequisites = Vec::with_capacity(flag.prerequisites.len());
        for (index, prerequisite) in flag.prerequisites.iter().enumerate() {
            let entry_path = prerequisites_path.index(index);
            let flag_path = entry_path.field("flag");
            let key_of = |position: u32| heads.get(position as usize).map(|head| &*head.key);
            let Some(target) = flag_index.get(&prerequisite.flag, key_of) else {
                self.error(
                    &mut health,
                    DiagnosticCode::UnknownPrerequisite,
                    &flag_path,
                    owner,
                    format!(
                        "prerequisite flag {} does not exist",
                        Quoted(&prerequisite.flag)
                    ),
                );
                continue;
            };
            if *prerequisite.flag == *flag.key {
                self.error(
                    &mut health,
                    DiagnosticCode::PrerequisiteCycle,
                    &flag_path,
                    owner,
                    "a flag cannot depend on itself",
                );
                continue;
            }
            let variants_path = entry_path.field("variants");
            self.check_list(prerequisite.variants.len(), &variants_path)?;
            if prerequisite.variants.is_empty() {
                self.error(
                    &mut health,
                    DiagnosticCode::UnknownVariant,
                    &variants_path,
                    owner,
                    "a prerequisite must list at least one variant",
                );
            }
            let target_variants: &[(VariantName, Value)] = heads
                .get(target as usize)
                .map(|head| head.variants.as_slice())
                .unwrap_or(&[]);
            let mut required = Vec::with_capacity(prerequisite.variants.len());
            for (variant_position, name) in prerequisite.variants.iter().enumerate() {
                let variant_path = variants_path.index(variant_position);
                match position_of(target_variants, name) {
                    Some(variant) => required.push(variant),
                    None => self.error(
                        &mut health,
                        DiagnosticCode::UnknownVariant,
                        &variant_path,
                        owner,
                        format!(
                            "flag {} has no variant {}",
                            Quoted(&prerequisite.flag),
                            Quoted(name)
                        ),
                    ),
                }
            }
            prerequisites.push(Prerequisite {
                flag: target,
                variants: required,
            });
        }

        if let Some(salt) = &flag.salt {
            self.check_string(salt, &path.field("salt"))?;
            if has_nul(salt) {
                self.error(
                    &mut health,
                    DiagnosticCode::InvalidKey,
                    &path.field("salt"),
                    owner,
                    "salt contains a NUL character",
                );
            }
        }
        let default_bucket_by = match &flag.bucket_by {
            Some(attribute) => {
                self.check_key(attribute, &path.field("bucketBy"), owner, &mut health)?;
                self.intern(attribute)
            }
            None => 0,
        };

        let rules_path = path.field("rules");
        check_count(
            LimitKind::Rules,
            self.limits.max_rules,
            flag.rules.len(),
            &rules_path,
        )?;
        let mut rules = Vec::with_capacity(flag.rules.len());
        // Rule ids seen so far: a scan of the rules built so far for the usual short list, a set
        // once a flag has many rules (so a hostile snapshot cannot make this quadratic).
        let mut rule_ids: Option<StrSet> = None;
        // The flag's operand slots, taken rule by rule.
        let mut slots = operands.map_or(&[][..], |store| store.slots(Owners::Flags, position));
        for (index, rule) in flag.rules.iter().enumerate() {
            let (rule_slots, rest) = slots.split_at(rule.conditions.len().min(slots.len()));
            slots = rest;
            let rule_path = rules_path.index(index);
            let id: Box<str> = match &rule.id {
                Some(id) => {
                    self.check_key(id, &rule_path.field("id"), owner, &mut health)?;
                    Box::from(&**id)
                }
                None => Box::from(index.to_string().as_str()),
            };
            if index == 32 {
                rule_ids = Some(StrSet::new(rules.iter().map(|rule: &Rule| &*rule.id)));
            }
            let repeated = match &mut rule_ids {
                Some(ids) => !ids.insert(&id).1,
                None => rules.iter().any(|rule: &Rule| rule.id == id),
            };
            if repeated {
                self.error(
                    &mut health,
                    DiagnosticCode::DuplicateRuleId,
                    &rule_path.field("id"),
                    owner,
                    format!(
                        "rule id {} is used more than once in this flag",
                        Quoted(&id)
                    ),
                );
            }
            let conditions = self.compile_conditions(
                &rule.conditions,
                operands.map(|store| (store, rule_slots)),
                &rule_path.field("conditions"),
                owner,
                true,
                &mut health,
            )?;
            let serve = self.compile_serve(
                &rule.serve,
                variants,
                default_bucket_by,
                &rule_path.field("serve"),
                owner,
                &mut health,
            )?;
            if let Some(serve) = serve {
                rules.push(Rule {
                    id,
                    conditions,
                    serve,
                });
            }
        }
        let fallthrough = self.compile_serve(
            &flag.fallthrough,
            variants,
            default_bucket_by,
            &path.field("fallthrough"),
            owner,
            &mut health,
        )?;

        let Some(fallthrough) = fallthrough.filter(|_| !health.broken) else {
            return Ok(None);
        };
        let is_static = flag.enabled
            && overrides.is_empty()
            && schedule.is_none()
            && prerequisites.is_empty()
            && rules.is_empty()
            && matches!(fallthrough, Serve::Variant(_));
        // Most flags never split: they keep no hasher (its state is about 90 bytes).
        let splits = std::iter::once(&fallthrough)
            .chain(rules.iter().map(|rule| &rule.serve))
            .any(|serve| matches!(serve, Serve::Split { .. }));
        let hasher = splits.then(|| {
            Box::new(FlagHasher::new(
                flag.salt.as_deref().unwrap_or(""),
                &flag.key,
            ))
        });
        Ok(Some(FlagBody {
            enabled: flag.enabled,
            off,
            overrides: (!overrides.is_empty()).then(|| Box::new(overrides)),
            schedule: schedule.map(Box::new),
            prerequisites,
            rules,
            fallthrough,
            hasher,
            is_static,
        }))
    }

    fn variant(
        &mut self,
        variants: &[(VariantName, Value)],
        name: &str,
        path: &JsonPath,
        owner: Owner,
        health: &mut Health,
    ) -> Load<Option<u32>> {
        check_count(
            LimitKind::KeyBytes,
            self.limits.max_key_bytes,
            name.len(),
            path,
        )?;
        let found = position_of(variants, name);
        if found.is_none() {
            self.error(
                health,
                DiagnosticCode::UnknownVariant,
                path,
                owner,
                format!("the flag has no variant {}", Quoted(name)),
            );
        }
        Ok(found)
    }

    fn compile_schedule<S: Text>(
        &mut self,
        window: &wire::Schedule<S>,
        path: &JsonPath,
        owner: Owner,
        health: &mut Health,
    ) -> Option<Window> {
        let mut parse = |compiler: &mut Self, text: &Option<S>, field: &str| -> Option<Timestamp> {
            let text: &str = text.as_ref()?;
            match Timestamp::parse_rfc3339(text) {
                Ok(instant) => Some(instant),
                Err(error) => {
                    compiler.error(
                        health,
                        DiagnosticCode::InvalidDate,
                        &path.field(field),
                        owner,
                        format!("{field} is not an RFC 3339 instant: {error}"),
                    );
                    None
                }
            }
        };
        let start = parse(self, &window.start, "start");
        let end = parse(self, &window.end, "end");
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                self.error(
                    health,
                    DiagnosticCode::EmptySchedule,
                    path,
                    owner,
                    "the schedule ends before it starts",
                );
            }
        }
        if start.is_none() && end.is_none() {
            None
        } else {
            Some(Window { start, end })
        }
    }

    fn compile_serve<S: Text>(
        &mut self,
        serve: &wire::Serve<S>,
        variants: &[(VariantName, Value)],
        default_bucket_by: u32,
        path: &JsonPath,
        owner: Owner,
        health: &mut Health,
    ) -> Load<Option<Serve>> {
        match (&serve.variant, &serve.split) {
            (Some(name), None) => Ok(self
                .variant(variants, name, &path.field("variant"), owner, health)?
                .map(Serve::Variant)),
            (None, Some(split)) => {
                let split_path = path.field("split");
                check_count(
                    LimitKind::Variants,
                    self.limits.max_variants,
                    split.len(),
                    &split_path,
                )?;
                let bucket_by = match &serve.bucket_by {
                    Some(attribute) => {
                        self.check_key(attribute, &path.field("bucketBy"), owner, health)?;
                        self.intern(attribute)
                    }
                    None => default_bucket_by,
                };
                let mut weights = Vec::with_capacity(split.len());
                let mut total: u64 = 0;
                for (index, slice) in split.iter().enumerate() {
                    let slice_path = split_path.index(index);
                    if let Some(variant) = self.variant(
                        variants,
                        &slice.variant,
                        &slice_path.field("variant"),
                        owner,
                        health,
                    )? {
                        weights.push((variant, slice.weight));
                    }
                    total = total.saturating_add(slice.weight);
                }
                if health.broken {
                    return Ok(None);
                }
                match Ranges::new(&weights) {
                    Some(ranges) => Ok(Some(Serve::Split { bucket_by, ranges })),
                    None => {
                        self.error(
                            health,
                            DiagnosticCode::WeightsSum,
                            &split_path,
                            owner,
                            format!("weights add up to {total}, not 100000 (100 %)"),
                        );
                        Ok(None)
                    }
                }
            }
            _ => {
                self.error(
                    health,
                    DiagnosticCode::InvalidServe,
                    path,
                    owner,
                    "a serve needs exactly one of variant and split",
                );
                Ok(None)
            }
        }
    }

    fn compile_conditions<S: Text>(
        &mut self,
        conditions: &[wire::Condition<S>],
        operands: Option<(&OperandStore, &[Slot])>,
        path: &JsonPath,
        owner: Owner,
        allow_segments: bool,
        health: &mut Health,
    ) -> Load<Vec<Condition>> {
        check_count(
            LimitKind::Conditions,
            self.limits.max_conditions,
            conditions.len(),
            path,
        )?;
        let mut compiled = Vec::with_capacity(conditions.len());
        for (index, condition) in conditions.iter().enumerate() {
            // Operands the loader read come from its store; a condition built in code has them
            // as JSON values.
            let built;
            let (values, given) = match operands
                .and_then(|(store, slots)| slots.get(index).map(|slot| store.operands(slot)))
            {
                Some(read) => read,
                None => {
                    let (value, values) = (&condition.value, &condition.values);
                    built = value
                        .iter()
                        .chain(values.iter().flatten())
                        .map(Operand::of_value)
                        .collect::<Vec<_>>();
                    (&built[..], Given::of(value.is_some(), values.is_some()))
                }
            };
            let parts = ConditionParts {
                op: &condition.op,
                attribute: condition.attribute.as_deref(),
                negate: condition.negate,
                values,
                given,
            };
            if let Some(condition) =
                self.compile_condition(&parts, &path.index(index), owner, allow_segments, health)?
            {
                compiled.push(condition);
            }
        }
        Ok(compiled)
    }

    fn compile_condition(
        &mut self,
        condition: &ConditionParts,
        path: &JsonPath,
        owner: Owner,
        allow_segments: bool,
        health: &mut Health,
    ) -> Load<Option<Condition>> {
        let Some((op_name, operands, op_negates, cmp)) = condition::lookup(condition.op) else {
            let shown: String = condition.op.chars().take(64).collect();
            self.error(
                health,
                DiagnosticCode::UnknownOperator,
                &path.field("op"),
                owner,
                format!(
                    "unknown operator {}; expected one of {}",
                    Quoted(&shown),
                    condition::OPERATOR_NAMES.join(", ")
                ),
            );
            return Ok(None);
        };
        let invalid = |compiler: &mut Self, health: &mut Health, at: &JsonPath, message: String| {
            compiler.error(health, DiagnosticCode::InvalidCondition, at, owner, message);
            Ok(None)
        };

        let attribute = if operands == Operands::Segments {
            if !allow_segments {
                return invalid(
                    self,
                    health,
                    &path.field("op"),
                    format!("{op_name} cannot be used inside a segment"),
                );
            }
            None
        } else {
            match condition.attribute {
                Some(attribute) => {
                    self.check_key(attribute, &path.field("attribute"), owner, health)?;
                    Some(self.intern(attribute))
                }
                None => {
                    return invalid(self, health, path, format!("{op_name} needs an attribute"))
                }
            }
        };

        let (values, given) = (condition.values, condition.given);
        let values_path = match given {
            Given::Value => path.field("value"),
            Given::Values | Given::Neither => path.field("values"),
            Given::Both => {
                return invalid(
                    self,
                    health,
                    path,
                    "give either value or values, not both".to_owned(),
                )
            }
        };
        self.check_list(values.len(), &values_path)?;
        if operands == Operands::None {
            if !values.is_empty() {
                return invalid(
                    self,
                    health,
                    &values_path,
                    format!("{op_name} takes no values"),
                );
            }
        } else if values.is_empty() {
            return invalid(
                self,
                health,
                &values_path,
                format!("{op_name} needs at least one value"),
            );
        }
        for (index, value) in values.iter().enumerate() {
            if let Operand::Text(text) = value {
                let value_path = if given == Given::Value {
                    values_path
                } else {
                    values_path.index(index)
                };
                if operands == Operands::Regexes {
                    check_count(
                        LimitKind::RegexBytes,
                        self.limits.max_regex_bytes,
                        text.len(),
                        &value_path,
                    )?;
                } else {
                    self.check_string(text, &value_path)?;
                }
            }
        }

        let at = |index: usize| {
            if given == Given::Value {
                values_path
            } else {
                values_path.index(index)
            }
        };
        let operator = match operands {
            Operands::None => Operator::Exists,
            Operands::Scalars => match condition::one_of(values) {
                Ok(operator) => operator,
                Err(index) => {
                    return invalid(
                        self,
                        health,
                        &at(index),
                        format!("{op_name} compares strings, numbers or booleans"),
                    )
                }
            },
            Operands::Strings => {
                let Some(strings) = strings_of(values) else {
                    return invalid(
                        self,
                        health,
                        &values_path,
                        format!("{op_name} takes string values"),
                    );
                };
                match op_name {
                    "contains" => Operator::Contains(strings),
                    "startsWith" => Operator::StartsWith(strings),
                    _ => Operator::EndsWith(strings),
                }
            }
            Operands::Regexes => {
                let mut patterns = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    let Operand::Text(pattern) = value else {
                        return invalid(
                            self,
                            health,
                            &at(index),
                            "matches takes regular expressions as strings".to_owned(),
                        );
                    };
                    match self.regex(pattern) {
                        Ok(regex) => patterns.push(regex),
                        Err(message) => {
                            self.error(
                                health,
                                DiagnosticCode::InvalidRegex,
                                &at(index),
                                owner,
                                message,
                            );
                            return Ok(None);
                        }
                    }
                }
                Operator::Matches(patterns)
            }
            Operands::Numbers => {
                let mut numbers = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    match value {
                        Operand::Number(number) => numbers.push(*number),
                        _ => {
                            return invalid(
                                self,
                                health,
                                &at(index),
                                format!("{op_name} takes numbers"),
                            )
                        }
                    }
                }
                Operator::Number(cmp, numbers)
            }
            Operands::Versions => {
                let mut versions = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    let parsed = value.as_str().map(Version::parse);
                    match parsed {
                        Some(Ok(version)) => versions.push(version),
                        Some(Err(error)) => {
                            self.error(
                                health,
                                DiagnosticCode::InvalidSemver,
                                &at(index),
                                owner,
                                format!("invalid version: {error}"),
                            );
                            return Ok(None);
                        }
                        None => {
                            return invalid(
                                self,
                                health,
                                &at(index),
                                format!("{op_name} takes versions as strings"),
                            )
                        }
                    }
                }
                Operator::Semver(cmp, versions)
            }
            Operands::Dates => {
                let mut instants = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    let parsed = value.as_str().map(Timestamp::parse_rfc3339);
                    match parsed {
                        Some(Ok(instant)) => instants.push(instant),
                        Some(Err(error)) => {
                            self.error(
                                health,
                                DiagnosticCode::InvalidDate,
                                &at(index),
                                owner,
                                format!("invalid date: {error}"),
                            );
                            return Ok(None);
                        }
                        None => {
                            return invalid(
                                self,
                                health,
                                &at(index),
                                format!("{op_name} takes RFC 3339 instants as strings"),
                            )
                        }
                    }
                }
                Operator::Date(cmp, instants)
            }
            Operands::Segments => {
                let mut segments = Vec::with_capacity(values.len());
                for (index, value) in values.iter().enumerate() {
                    let Some(key) = value.as_str() else {
                        return invalid(
                            self,
                            health,
                            &at(index),
                            format!("{op_name} takes segment keys as strings"),
                        );
                    };
                    match self.segment_index.get(key) {
                        None => {
                            self.error(
                                health,
                                DiagnosticCode::UnknownSegment,
                                &at(index),
                                owner,
                                format!("segment {} does not exist", Quoted(key)),
                            );
                            return Ok(None);
                        }
                        Some(&segment)
                            if !self
                                .segment_usable
                                .get(segment as usize)
                                .copied()
                                .unwrap_or(false) =>
                        {
                            self.error(
                                health,
                                DiagnosticCode::InvalidSegment,
                                &at(index),
                                owner,
                                format!("segment {} has errors", Quoted(key)),
                            );
                            return Ok(None);
                        }
                        Some(&segment) => segments.push(segment),
                    }
                }
                Operator::InSegment(segments)
            }
        };
        if let Some(attribute) = attribute {
            let kind = match operator {
                Operator::Semver(..) => ReadAhead::Version,
                Operator::Date(..) => ReadAhead::Date,
                _ => ReadAhead::Nothing,
            };
            if kind != ReadAhead::Nothing {
                let slot = attribute as usize;
                if self.read_ahead.len() <= slot {
                    self.read_ahead.resize(slot + 1, ReadAhead::Nothing);
                }
                self.read_ahead[slot] = self.read_ahead[slot].with(kind);
            }
        }
        let memo = match (&operator, attribute) {
            (Operator::Matches(_), Some(attribute)) => {
                // One slot per (attribute, patterns): the attribute id in decimal, then the
                // patterns, each after a NUL (which JSON text can hold, so the key is exact).
                let mut key = attribute.to_string();
                for pattern in strings_of(values).unwrap_or_default() {
                    key.push('\0');
                    key.push_str(&pattern);
                }
                let (slot, _) = self.memo_slots.insert(&key);
                Some(u32::try_from(slot).unwrap_or(u32::MAX))
            }
            _ => None,
        };
        Ok(Some(Condition {
            attribute,
            op_name,
            weight: crate::cost::Weight::of(&operator),
            operator,
            negate: condition.negate != op_negates,
            memo,
        }))
    }
}

/// One condition as the compiler reads it, whether it came from a document or was built in
/// code (one compiled routine serves both).
struct ConditionParts<'c> {
    op: &'c str,
    attribute: Option<&'c str>,
    negate: bool,
    values: &'c [Operand<'c>],
    given: Given,
}

/// Whether `text` holds a NUL character. Keys are short, so a plain loop: the standard search
/// is a call into a word-at-a-time routine, which costs more than it saves on a few bytes in
/// WebAssembly.
fn has_nul(text: &str) -> bool {
    text.bytes().any(|byte| byte == 0)
}

fn position_of(variants: &[(VariantName, Value)], name: &str) -> Option<u32> {
    variants
        .iter()
        .position(|(key, _)| same_bytes(key.as_bytes(), name.as_bytes()))
        .and_then(|position| u32::try_from(position).ok())
}

fn strings_of(values: &[Operand]) -> Option<Vec<Box<str>>> {
    values
        .iter()
        .map(|value| value.as_str().map(Box::from))
        .collect()
}

/// The prerequisite graph with every flag's edges in one shared list (one allocation for the
/// whole graph, not one per flag).
struct Graph {
    /// `targets[starts[node]..starts[node + 1]]` are the flags `node` requires.
    starts: Vec<usize>,
    targets: Vec<usize>,
}

impl Graph {
    fn new(flags: &[CompiledFlag]) -> Graph {
        let mut starts = Vec::with_capacity(flags.len() + 1);
        let mut targets = Vec::new();
        starts.push(0);
        for flag in flags {
            if let Some(body) = &flag.body {
                targets.extend(body.prerequisites.iter().map(|p| p.flag as usize));
            }
            starts.push(targets.len());
        }
        Graph { starts, targets }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn edges(&self, node: usize) -> &[usize] {
        let start = self.starts.get(node).copied().unwrap_or(0);
        let end = self.starts.get(node + 1).copied().unwrap_or(start);
        self.targets.get(start..end).unwrap_or(&[])
    }
}

/// Which flags are on a prerequisite cycle: members of a strongly connected component of more than
/// one flag, or of one flag that depends on itself (Tarjan's algorithm, iterative so that a long
/// chain cannot overflow the stack).
fn cycle_members(graph: &Graph) -> Vec<bool> {
    let count = graph.len();
    let mut search = Tarjan {
        order: vec![Tarjan::UNSEEN; count],
        low: vec![0; count],
        on_stack: vec![false; count],
        component: Vec::new(),
        next_order: 0,
    };
    let mut in_cycle = vec![false; count];
    // Stack of (node, next edge to look at).
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..count {
        // Most flags have no prerequisites, so they are on no cycle and are skipped here (one
        // that is itself a prerequisite is still reached from its dependants).
        if search.order[root] != Tarjan::UNSEEN || graph.edges(root).is_empty() {
            continue;
        }
        search.visit(root);
        calls.push((root, 0));
        while let Some(&mut (node, ref mut next)) = calls.last_mut() {
            if let Some(&target) = graph.edges(node).get(*next) {
                *next += 1;
                if target >= count {
                    continue;
                }
                if search.order[target] == Tarjan::UNSEEN {
                    search.visit(target);
                    calls.push((target, 0));
                } else if search.on_stack[target] {
                    search.low[node] = search.low[node].min(search.order[target]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                search.low[parent] = search.low[parent].min(search.low[node]);
            }
            if search.low[node] == search.order[node] {
                // The component is everything above `node` on the stack, `node` included.
                let base = search
                    .component
                    .iter()
                    .rposition(|&member| member == node)
                    .unwrap_or(0);
                let cyclic = search.component.len() - base > 1 || graph.edges(node).contains(&node);
                for member in search.component.drain(base..) {
                    search.on_stack[member] = false;
                    if cyclic {
                        in_cycle[member] = true;
                    }
                }
            }
        }
    }
    in_cycle
}

/// The state of Tarjan's strongly-connected-components search in [`cycle_members`].
struct Tarjan {
    /// Visit order of each node (`UNSEEN` before its visit).
    order: Vec<usize>,
    /// Lowest visit order reachable from each node through the search tree and one back edge.
    low: Vec<usize>,
    on_stack: Vec<bool>,
    /// Nodes whose component is not settled yet, in visit order.
    component: Vec<usize>,
    next_order: usize,
}

impl Tarjan {
    const UNSEEN: usize = usize::MAX;

    fn visit(&mut self, node: usize) {
        self.order[node] = self.next_order;
        self.low[node] = self.next_order;
        self.next_order += 1;
        self.component.push(node);
        self.on_stack[node] = true;
    }
}

/// Marks flags in prerequisite cycles unusable, rejects chains over the depth limit, and warns
/// about prerequisites on unusable flags. Iterative, so a long chain cannot overflow the stack.
fn check_prerequisite_graph(
    compiler: &mut Compiler,
    flags: &mut [CompiledFlag],
    flags_path: &JsonPath,
) -> Load<()> {
    const UNVISITED: u8 = 0;
    const ACTIVE: u8 = 1;
    const DONE: u8 = 2;
    let count = flags.len();
    let graph = Graph::new(flags);
    let mut state = vec![UNVISITED; count];
    let mut depth = vec![0usize; count];
    // Marking the stack when a back edge shows up misses cycle members that the search finished
    // earlier through another path, so cycles come from strongly connected components instead.
    let in_cycle = cycle_members(&graph);
    // Stack of (node, next edge to look at).
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for start in 0..count {
        // Without prerequisites a flag's depth is 0, as it starts.
        if state[start] != UNVISITED || graph.edges(start).is_empty() {
            continue;
        }
        stack.push((start, 0));
        state[start] = ACTIVE;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&target) = graph.edges(node).get(*next) else {
                state[node] = DONE;
                stack.pop();
                let node_depth = graph
                    .edges(node)
                    .iter()
                    .map(|&target| {
                        if in_cycle[target] {
                            1
                        } else {
                            depth[target].saturating_add(1)
                        }
                    })
                    .max()
                    .unwrap_or(0);
                depth[node] = node_depth;
                continue;
            };
            *next += 1;
            // A back edge (to an ACTIVE flag) closes a cycle, already in `in_cycle`.
            if state.get(target).copied() == Some(UNVISITED) {
                state[target] = ACTIVE;
                stack.push((target, 0));
            }
        }
    }
    for index in 0..count {
        if in_cycle[index] {
            let key = flags[index].key.clone();
            let path = flags_path.index(index);
            compiler.report(
                Severity::Error,
                DiagnosticCode::PrerequisiteCycle,
                &path.field("prerequisites"),
                Owner::Flag(&key),
                "the flag's prerequisites lead back to itself",
            );
            flags[index].body = None;
        }
    }
    for index in 0..count {
        if depth[index] > compiler.limits.max_prerequisite_depth && !in_cycle[index] {
            return Err(LoadError::limit(
                LimitKind::PrerequisiteDepth,
                compiler.limits.max_prerequisite_depth,
                depth[index],
                flags_path.index(index).field("prerequisites").to_string(),
            ));
        }
    }
    for index in 0..count {
        let Some(body) = &flags[index].body else {
            continue;
        };
        let broken: Vec<(usize, Box<str>)> = body
            .prerequisites
            .iter()
            .enumerate()
            .filter_map(|(position, prerequisite)| {
                let target = flags.get(prerequisite.flag as usize)?;
                target
                    .body
                    .is_none()
                    .then(|| (position, target.key.clone()))
            })
            .collect();
        if broken.is_empty() {
            continue;
        }
        let key = flags[index].key.clone();
        for (position, target) in broken {
            compiler.report(
                Severity::Warning,
                DiagnosticCode::BrokenPrerequisite,
                &flags_path
                    .index(index)
                    .field("prerequisites")
                    .index(position)
                    .field("flag"),
                Owner::Flag(&key),
                format!(
                    "prerequisite {} has errors, so this flag serves its off variant",
                    Quoted(&target)
                ),
            );
        }
    }
    Ok(())
}
