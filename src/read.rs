//! Reads the wire types of [`crate::snapshot`] straight from the document text with the pull
//! parser of [`crate::json`], in one pass and without an intermediate tree.
//!
//! Written by hand rather than derived so that every shape error names the exact JSON path of the
//! offending value, repeated members are caught, arrays are never read as objects, and unknown
//! members are collected for the compiler (which refuses to serve a flag it only partly
//! understood).
//!
//! Reading in one pass finds problems in document order, but a document's worst problem should
//! win: text that is not JSON at all is reported as such, and a document of another
//! `schemaVersion` is reported as that, not as the shape error its different layout caused. So
//! when reading stops at a shape error, [`snapshot`] checks those two first (a slower second
//! look, paid only by documents that fail).

use std::borrow::Cow;

use crate::error::{LoadError, LoadErrorKind};
use crate::json::{self, Kind, ParseError, Parser};
use crate::path::JsonPath;
use crate::snapshot::{
    Condition, Entries, Flag, Metadata, Override, Prerequisite, Rule, Schedule, Segment, Serve,
    Snapshot, WeightedVariant, SCHEMA_VERSION,
};

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The text is not JSON, or nests too deep.
    Syntax(ParseError),
    /// The text is JSON but not a v1 snapshot.
    Invalid(LoadError),
}

impl From<ParseError> for Stop {
    fn from(error: ParseError) -> Stop {
        Stop::Syntax(error)
    }
}

impl From<LoadError> for Stop {
    fn from(error: LoadError) -> Stop {
        Stop::Invalid(error)
    }
}

type Read<T> = Result<T, Stop>;

/// A member the wire format does not define, found while reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnknownField {
    /// JSON path of the member.
    pub(crate) path: String,
    /// Index of the flag it is in, if any.
    pub(crate) flag: Option<usize>,
    /// Index of the segment it is in, if any.
    pub(crate) segment: Option<usize>,
}

/// Where the unknown members of an object are reported.
#[derive(Clone, Copy)]
enum Owner {
    TopLevel,
    Flag(usize),
    Segment(usize),
    /// Free-form objects (metadata): unknown members are expected and not reported.
    Free,
}

fn shape(path: &JsonPath, message: String) -> Stop {
    Stop::Invalid(LoadError::new(
        LoadErrorKind::Shape,
        Some(path.to_string()),
        message,
    ))
}

fn expected(path: &JsonPath, what: &str, found: Kind) -> Stop {
    shape(path, format!("expected {what}, found {}", found.name()))
}

/// Text borrowed from the document where it had no escapes.
type Text<'t> = Cow<'t, str>;

/// The members of one JSON object as they are read: which known ones were seen (to catch
/// repeats), the unknown ones, and where the object is.
struct Fields<'p> {
    path: &'p JsonPath<'p>,
    /// One bit per known member, numbered by each reader.
    seen: u32,
    /// Unknown members' names, kept only to catch repeats among them (they are rare).
    strays: Vec<String>,
}

impl<'p> Fields<'p> {
    /// Opens the object at the parser's position.
    fn open(parser: &mut Parser<'_>, path: &'p JsonPath<'p>) -> Read<Fields<'p>> {
        match parser.peek()? {
            Kind::Object => parser.begin_object()?,
            other => return Err(expected(path, "an object", other)),
        }
        Ok(Fields {
            path,
            seen: 0,
            strays: Vec::new(),
        })
    }

    /// Records known member number `bit`, refusing a second one.
    fn once(&mut self, bit: u32, name: &str) -> Read<()> {
        let mask = 1 << bit;
        if self.seen & mask != 0 {
            return Err(self.duplicate(name));
        }
        self.seen |= mask;
        Ok(())
    }

    fn duplicate(&self, name: &str) -> Stop {
        shape(self.path, format!("duplicate field `{name}`"))
    }

    /// Skips the value of a member the wire format does not define, recording it for `owner`.
    fn unknown(
        &mut self,
        parser: &mut Parser<'_>,
        name: &str,
        owner: Owner,
        unknown: &mut Vec<UnknownField>,
    ) -> Read<()> {
        if self.strays.iter().any(|stray| stray == name) {
            return Err(self.duplicate(name));
        }
        parser.skip()?;
        let (flag, segment) = match owner {
            Owner::Free => (None, None),
            Owner::TopLevel => (None, None),
            Owner::Flag(index) => (Some(index), None),
            Owner::Segment(index) => (None, Some(index)),
        };
        if !matches!(owner, Owner::Free) {
            unknown.push(UnknownField {
                path: self.path.field(name).to_string(),
                flag,
                segment,
            });
        }
        self.strays.push(name.to_owned());
        Ok(())
    }

    fn missing(&self, name: &str) -> Stop {
        shape(self.path, format!("missing field `{name}`"))
    }

    fn required<T>(&self, value: Option<T>, name: &str) -> Read<T> {
        value.ok_or_else(|| self.missing(name))
    }
}

/// `null` counts as absent for optional members: consumes it and says so.
fn null(parser: &mut Parser<'_>) -> Read<bool> {
    if parser.peek()? == Kind::Null {
        parser.null()?;
        return Ok(true);
    }
    Ok(false)
}

fn string<'t>(parser: &mut Parser<'t>, path: &JsonPath) -> Read<Text<'t>> {
    match parser.peek()? {
        Kind::String => Ok(parser.string()?),
        other => Err(expected(path, "a string", other)),
    }
}

/// A string member where `null` means absent.
fn optional_string<'t>(parser: &mut Parser<'t>, path: &JsonPath) -> Read<Option<Text<'t>>> {
    if null(parser)? {
        return Ok(None);
    }
    string(parser, path).map(Some)
}

fn unsigned(parser: &mut Parser<'_>, path: &JsonPath) -> Read<u64> {
    match parser.peek()? {
        Kind::Number => {
            let number = parser.number()?;
            number.as_u64().ok_or_else(|| {
                shape(
                    path,
                    format!("expected a non-negative integer, found {number}"),
                )
            })
        }
        other => Err(expected(path, "a non-negative integer", other)),
    }
}

fn boolean(parser: &mut Parser<'_>, path: &JsonPath) -> Read<bool> {
    match parser.peek()? {
        Kind::Bool => Ok(parser.boolean()?),
        other => Err(expected(path, "a boolean", other)),
    }
}

fn list<'t, T>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    mut read: impl FnMut(&mut Parser<'t>, &JsonPath, usize) -> Read<T>,
) -> Read<Vec<T>> {
    match parser.peek()? {
        Kind::Array => parser.begin_array()?,
        other => return Err(expected(path, "an array", other)),
    }
    let mut out = Vec::new();
    while parser.next_item()? {
        let index = out.len();
        out.push(read(parser, &path.index(index), index)?);
    }
    Ok(out)
}

fn strings<'t>(parser: &mut Parser<'t>, path: &JsonPath) -> Read<Vec<Text<'t>>> {
    list(parser, path, |parser, path, _| string(parser, path))
}

/// Reads a whole snapshot from `text`, nested at most `max_depth` deep.
pub(crate) fn snapshot<'t>(
    text: &'t str,
    max_depth: usize,
    unknown: &mut Vec<UnknownField>,
) -> Result<Snapshot<Text<'t>>, Stop> {
    let mut parser = Parser::new(text, max_depth);
    let read = root(&mut parser, unknown).and_then(|snapshot| {
        parser.finish()?;
        Ok(snapshot)
    });
    match read {
        Ok(snapshot) => Ok(snapshot),
        Err(Stop::Syntax(error)) => Err(Stop::Syntax(error)),
        Err(Stop::Invalid(error)) => {
            json::validate(text, max_depth)?;
            Err(version_problem(text, max_depth).unwrap_or(Stop::Invalid(error)))
        }
    }
}

/// For a document known to be JSON: a missing, malformed or unsupported `schemaVersion`.
fn version_problem(text: &str, max_depth: usize) -> Option<Stop> {
    let mut parser = Parser::new(text, max_depth);
    if parser.peek().ok()? != Kind::Object {
        return None;
    }
    parser.begin_object().ok()?;
    let root = JsonPath::ROOT;
    while let Some(key) = parser.next_key().ok()? {
        if key == "schemaVersion" {
            return match unsigned(&mut parser, &root.field("schemaVersion")) {
                Ok(SCHEMA_VERSION) => None,
                Ok(other) => Some(Stop::Invalid(LoadError::unsupported_schema_version(other))),
                Err(problem) => Some(problem),
            };
        }
        parser.skip().ok()?;
    }
    Some(shape(&root, "missing field `schemaVersion`".to_owned()))
}

fn root<'t>(parser: &mut Parser<'t>, unknown: &mut Vec<UnknownField>) -> Read<Snapshot<Text<'t>>> {
    let path = JsonPath::ROOT;
    let mut fields = Fields::open(parser, &path)?;
    let (mut schema_version, mut revision, mut generated_at, mut environment) =
        (None, None, None, None);
    let (mut segments, mut flags) = (Vec::new(), None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "schemaVersion" => {
                fields.once(0, &name)?;
                schema_version = Some(unsigned(parser, &path.field("schemaVersion"))?);
            }
            "revision" => {
                fields.once(1, &name)?;
                revision = Some(unsigned(parser, &path.field("revision"))?);
            }
            "generatedAt" => {
                fields.once(2, &name)?;
                generated_at = Some(string(parser, &path.field("generatedAt"))?);
            }
            "environment" => {
                fields.once(3, &name)?;
                environment = optional_string(parser, &path.field("environment"))?;
            }
            "segments" => {
                fields.once(4, &name)?;
                segments = list(parser, &path.field("segments"), |parser, path, index| {
                    segment(parser, path, index, unknown)
                })?;
            }
            "flags" => {
                fields.once(5, &name)?;
                flags = Some(list(
                    parser,
                    &path.field("flags"),
                    |parser, path, index| flag(parser, path, index, unknown),
                )?);
            }
            _ => fields.unknown(parser, &name, Owner::TopLevel, unknown)?,
        }
    }
    let schema_version = fields.required(schema_version, "schemaVersion")?;
    if schema_version != SCHEMA_VERSION {
        return Err(LoadError::unsupported_schema_version(schema_version).into());
    }
    Ok(Snapshot {
        schema_version,
        revision: fields.required(revision, "revision")?,
        generated_at: fields.required(generated_at, "generatedAt")?,
        environment,
        segments,
        flags: fields.required(flags, "flags")?,
    })
}

fn segment<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Segment<Text<'t>>> {
    let owner = Owner::Segment(index);
    let mut fields = Fields::open(parser, path)?;
    let mut key = None;
    let (mut included, mut excluded, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(name) = parser.next_key()? {
        match &*name {
            "key" => {
                fields.once(0, &name)?;
                key = Some(string(parser, &path.field("key"))?);
            }
            "included" => {
                fields.once(1, &name)?;
                included = strings(parser, &path.field("included"))?;
            }
            "excluded" => {
                fields.once(2, &name)?;
                excluded = strings(parser, &path.field("excluded"))?;
            }
            "conditions" => {
                fields.once(3, &name)?;
                conditions = list(parser, &path.field("conditions"), |parser, path, _| {
                    condition(parser, path, owner, unknown)
                })?;
            }
            // Segments may carry notes for people, like flags; they are not read.
            "metadata" => {
                fields.once(4, &name)?;
                parser.skip()?;
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Segment {
        key: fields.required(key, "key")?,
        included,
        excluded,
        conditions,
    })
}

fn flag<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Flag<Text<'t>>> {
    let owner = Owner::Flag(index);
    let mut fields = Fields::open(parser, path)?;
    let (mut key, mut kind, mut variants, mut fallthrough) = (None, None, None, None);
    let (mut off_variant, mut schedule, mut salt, mut bucket_by, mut metadata) =
        (None, None, None, None, None);
    let mut enabled = true;
    let (mut overrides, mut prerequisites, mut rules) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(name) = parser.next_key()? {
        match &*name {
            "key" => {
                fields.once(0, &name)?;
                key = Some(string(parser, &path.field("key"))?);
            }
            "type" => {
                fields.once(1, &name)?;
                kind = Some(string(parser, &path.field("type"))?);
            }
            "enabled" => {
                fields.once(2, &name)?;
                enabled = boolean(parser, &path.field("enabled"))?;
            }
            "variants" => {
                fields.once(3, &name)?;
                variants = Some(variant_values(parser, &path.field("variants"))?);
            }
            "offVariant" => {
                fields.once(4, &name)?;
                off_variant = optional_string(parser, &path.field("offVariant"))?;
            }
            "fallthrough" => {
                fields.once(5, &name)?;
                fallthrough = Some(serve(parser, &path.field("fallthrough"), owner, unknown)?);
            }
            "overrides" => {
                fields.once(6, &name)?;
                overrides = list(parser, &path.field("overrides"), |parser, path, _| {
                    override_entry(parser, path, owner, unknown)
                })?;
            }
            "schedule" => {
                fields.once(7, &name)?;
                if !null(parser)? {
                    schedule = Some(read_schedule(
                        parser,
                        &path.field("schedule"),
                        owner,
                        unknown,
                    )?);
                }
            }
            "prerequisites" => {
                fields.once(8, &name)?;
                prerequisites = list(parser, &path.field("prerequisites"), |parser, path, _| {
                    prerequisite(parser, path, owner, unknown)
                })?;
            }
            "rules" => {
                fields.once(9, &name)?;
                rules = list(parser, &path.field("rules"), |parser, path, _| {
                    rule(parser, path, owner, unknown)
                })?;
            }
            "salt" => {
                fields.once(10, &name)?;
                salt = optional_string(parser, &path.field("salt"))?;
            }
            "bucketBy" => {
                fields.once(11, &name)?;
                bucket_by = optional_string(parser, &path.field("bucketBy"))?;
            }
            "metadata" => {
                fields.once(12, &name)?;
                if !null(parser)? {
                    metadata = Some(read_metadata(parser, &path.field("metadata"))?);
                }
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Flag {
        key: fields.required(key, "key")?,
        kind: fields.required(kind, "type")?,
        enabled,
        variants: fields.required(variants, "variants")?,
        off_variant,
        fallthrough: fields.required(fallthrough, "fallthrough")?,
        overrides,
        schedule,
        prerequisites,
        rules,
        salt,
        bucket_by,
        metadata,
    })
}

/// A flag's variants in document order, repeated keys included (the compiler reports them).
fn variant_values<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
) -> Read<Entries<serde_json::Value, Text<'t>>> {
    match parser.peek()? {
        Kind::Object => parser.begin_object()?,
        other => return Err(expected(path, "an object", other)),
    }
    let mut entries = Vec::new();
    while let Some(key) = parser.next_key()? {
        let value = parser.value()?;
        entries.push((key, value));
    }
    Ok(Entries(entries))
}

fn serve<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Serve<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut variant, mut split, mut bucket_by) = (None, None, None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "variant" => {
                fields.once(0, &name)?;
                variant = optional_string(parser, &path.field("variant"))?;
            }
            "split" => {
                fields.once(1, &name)?;
                if !null(parser)? {
                    split = Some(list(parser, &path.field("split"), |parser, path, _| {
                        weighted_variant(parser, path, owner, unknown)
                    })?);
                }
            }
            "bucketBy" => {
                fields.once(2, &name)?;
                bucket_by = optional_string(parser, &path.field("bucketBy"))?;
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Serve {
        variant,
        split,
        bucket_by,
    })
}

fn weighted_variant<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<WeightedVariant<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut variant, mut weight) = (None, None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "variant" => {
                fields.once(0, &name)?;
                variant = Some(string(parser, &path.field("variant"))?);
            }
            "weight" => {
                fields.once(1, &name)?;
                weight = Some(unsigned(parser, &path.field("weight"))?);
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(WeightedVariant {
        variant: fields.required(variant, "variant")?,
        weight: fields.required(weight, "weight")?,
    })
}

fn override_entry<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Override<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut variant, mut keys) = (None, None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "variant" => {
                fields.once(0, &name)?;
                variant = Some(string(parser, &path.field("variant"))?);
            }
            "keys" => {
                fields.once(1, &name)?;
                keys = Some(strings(parser, &path.field("keys"))?);
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Override {
        variant: fields.required(variant, "variant")?,
        keys: fields.required(keys, "keys")?,
    })
}

fn read_schedule<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Schedule<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut start, mut end) = (None, None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "start" => {
                fields.once(0, &name)?;
                start = optional_string(parser, &path.field("start"))?;
            }
            "end" => {
                fields.once(1, &name)?;
                end = optional_string(parser, &path.field("end"))?;
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Schedule { start, end })
}

fn prerequisite<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Prerequisite<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut flag, mut variants) = (None, None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "flag" => {
                fields.once(0, &name)?;
                flag = Some(string(parser, &path.field("flag"))?);
            }
            "variants" => {
                fields.once(1, &name)?;
                variants = Some(strings(parser, &path.field("variants"))?);
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Prerequisite {
        flag: fields.required(flag, "flag")?,
        variants: fields.required(variants, "variants")?,
    })
}

fn rule<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Rule<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut id, mut conditions, mut serve_json) = (None, Vec::new(), None);
    while let Some(name) = parser.next_key()? {
        match &*name {
            "id" => {
                fields.once(0, &name)?;
                id = optional_string(parser, &path.field("id"))?;
            }
            "conditions" => {
                fields.once(1, &name)?;
                conditions = list(parser, &path.field("conditions"), |parser, path, _| {
                    condition(parser, path, owner, unknown)
                })?;
            }
            "serve" => {
                fields.once(2, &name)?;
                serve_json = Some(serve(parser, &path.field("serve"), owner, unknown)?);
            }
            // A rule may carry a description for people; it is not read.
            "description" => {
                fields.once(3, &name)?;
                parser.skip()?;
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Rule {
        id,
        conditions,
        serve: fields.required(serve_json, "serve")?,
    })
}

fn condition<'t>(
    parser: &mut Parser<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Condition<Text<'t>>> {
    let mut fields = Fields::open(parser, path)?;
    let (mut attribute, mut op, mut value, mut values) = (None, None, None, None);
    let mut negate = false;
    while let Some(name) = parser.next_key()? {
        match &*name {
            "attribute" => {
                fields.once(0, &name)?;
                attribute = optional_string(parser, &path.field("attribute"))?;
            }
            "op" => {
                fields.once(1, &name)?;
                op = Some(string(parser, &path.field("op"))?);
            }
            "value" => {
                fields.once(2, &name)?;
                if !null(parser)? {
                    value = Some(parser.value()?);
                }
            }
            "values" => {
                fields.once(3, &name)?;
                if !null(parser)? {
                    values = Some(list(parser, &path.field("values"), |parser, _, _| {
                        Ok(parser.value()?)
                    })?);
                }
            }
            "negate" => {
                fields.once(4, &name)?;
                negate = boolean(parser, &path.field("negate"))?;
            }
            _ => fields.unknown(parser, &name, owner, unknown)?,
        }
    }
    Ok(Condition {
        attribute,
        op: fields.required(op, "op")?,
        value,
        values,
        negate,
    })
}

fn read_metadata(parser: &mut Parser<'_>, path: &JsonPath) -> Read<Metadata> {
    let mut fields = Fields::open(parser, path)?;
    let mut metadata = Metadata::default();
    while let Some(name) = parser.next_key()? {
        match &*name {
            "description" => {
                fields.once(0, &name)?;
                metadata.description =
                    optional_string(parser, &path.field("description"))?.map(Cow::into_owned);
            }
            "owner" => {
                fields.once(1, &name)?;
                metadata.owner =
                    optional_string(parser, &path.field("owner"))?.map(Cow::into_owned);
            }
            "tags" => {
                fields.once(2, &name)?;
                metadata.tags = strings(parser, &path.field("tags"))?
                    .into_iter()
                    .map(Cow::into_owned)
                    .collect();
            }
            "version" => {
                fields.once(3, &name)?;
                if !null(parser)? {
                    metadata.version = Some(unsigned(parser, &path.field("version"))?);
                }
            }
            "changedAt" => {
                fields.once(4, &name)?;
                metadata.changed_at =
                    optional_string(parser, &path.field("changedAt"))?.map(Cow::into_owned);
            }
            _ => fields.unknown(parser, &name, Owner::Free, &mut Vec::new())?,
        }
    }
    Ok(metadata)
}
