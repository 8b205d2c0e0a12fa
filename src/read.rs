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

use serde_json::Value;

use crate::diagnostic::DiagnosticCode;
use crate::error::{LoadError, LoadErrorKind};
use crate::fasthash::{KeyPacker, StrSet};
use crate::json::{self, Kind, Oddity, ParseError, Parser};
use crate::metadata::{Field as MetadataField, MetadataStore};
use crate::operand::{Given, Operand, OperandStore, Owners};
use crate::path::JsonPath;
use crate::snapshot::{
    Condition, Entries, Flag, Override, Prerequisite, Rule, Schedule, Segment, Serve, Snapshot,
    WeightedVariant, SCHEMA_VERSION,
};

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The text is not JSON, or nests too deep.
    Syntax(ParseError),
    /// The text is JSON but not a v1 snapshot. Boxed, like the parser's errors, to keep every
    /// step's result small.
    Invalid(Box<LoadError>),
}

impl From<ParseError> for Stop {
    fn from(error: ParseError) -> Stop {
        Stop::Syntax(error)
    }
}

impl From<LoadError> for Stop {
    fn from(error: LoadError) -> Stop {
        Stop::Invalid(Box::new(error))
    }
}

type Read<T> = Result<T, Stop>;

/// A problem found while reading that is confined to one flag or segment (or, for an unknown
/// top-level member, to nothing): the compiler turns each into a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ReadProblem {
    /// JSON path of the member or value at fault.
    pub(crate) path: String,
    /// Index of the flag it is in, if any.
    pub(crate) flag: Option<usize>,
    /// Index of the segment it is in, if any.
    pub(crate) segment: Option<usize>,
    /// `UnknownField` for a member the wire format does not define; otherwise what is wrong.
    pub(crate) code: DiagnosticCode,
    /// Why, for people.
    pub(crate) message: String,
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

// Errors are built off the hot path: a large snapshot reads faster, most in WebAssembly, when
// the code that reports problems is not inlined into the code that meets none.
#[cold]
#[inline(never)]
fn shape(path: &JsonPath, message: String) -> Stop {
    Stop::from(LoadError::new(
        LoadErrorKind::Shape,
        Some(path.to_string()),
        message,
    ))
}

/// Skips the value at the parser; an object repeating a member anywhere inside it is refused
/// (`path` is the value's).
fn skip_value(parser: &mut Parser<'_>, path: &JsonPath) -> Read<()> {
    parser.skip()?;
    match parser.take_oddity() {
        Some(Oddity::Repeated(name)) => Err(repeated_inside(path, &name)),
        _ => Ok(()),
    }
}

#[cold]
#[inline(never)]
fn repeated_inside(path: &JsonPath, name: &str) -> Stop {
    shape(
        path,
        format!("an object inside this value gives the field `{name}` twice"),
    )
}

#[cold]
#[inline(never)]
fn expected(path: &JsonPath, what: &str, found: Kind) -> Stop {
    shape(path, format!("expected {what}, found {}", found.name()))
}

/// Reads the members of the object just opened as `$fields`: each known name runs its block,
/// and a second member of the same name is a `duplicate field` error (each name's bit in
/// [`Fields::once`] is its position in the list, worked out at compile time); any other member
/// is skipped and reported for `$owner`.
macro_rules! members {
    ($reader:ident, $fields:ident, $owner:expr, { $($name:literal => $read:block)* }) => {{
        const NAMES: &[&str] = &[$($name),*];
        const _: () = assert!(NAMES.len() <= 32, "Fields tracks at most 32 members");
        while let Some(name) = $reader.next_key()? {
            match &*name {
                $($name => {
                    const BIT: u32 = position_of(NAMES, $name);
                    $fields.once(BIT, $name)?;
                    $read
                })*
                _ => $reader.unknown(&mut $fields, &name, $owner)?,
            }
        }
    }};
}

/// The position of `name` in `names`, for [`members!`] at compile time.
const fn position_of(names: &[&str], name: &str) -> u32 {
    let mut index = 0;
    while index < names.len() {
        if same_text(names[index], name) {
            // At most 32 names (asserted where this is used), so the index fits.
            #[allow(clippy::cast_possible_truncation)]
            return index as u32;
        }
        index += 1;
    }
    u32::MAX
}

const fn same_text(left: &str, right: &str) -> bool {
    let (left, right) = (left.as_bytes(), right.as_bytes());
    if left.len() != right.len() {
        return false;
    }
    let mut index = 0;
    while index < left.len() {
        if left[index] != right[index] {
            return false;
        }
        index += 1;
    }
    true
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

    #[cold]
    #[inline(never)]
    fn duplicate(&self, name: &str) -> Stop {
        shape(self.path, format!("duplicate field `{name}`"))
    }

    /// Skips the value of a member the wire format does not define, recording it for `owner`.
    #[cold]
    #[inline(never)]
    fn unknown(
        &mut self,
        parser: &mut Parser<'_>,
        name: &str,
        owner: Owner,
        unknown: &mut Vec<ReadProblem>,
    ) -> Read<()> {
        if self.strays.iter().any(|stray| stray == name) {
            return Err(self.duplicate(name));
        }
        skip_value(parser, &self.path.field(name))?;
        self.strays.push(name.to_owned());
        let (flag, segment, message) = match owner {
            // Free-form objects expect members the format does not define.
            Owner::Free => return Ok(()),
            Owner::TopLevel => (None, None, "unknown field, ignored"),
            Owner::Flag(index) => (
                Some(index),
                None,
                "unknown field; the flag is not served rather than served without it \
                 (check the spelling, or upgrade the engine)",
            ),
            Owner::Segment(index) => (
                None,
                Some(index),
                "unknown field; rules using this segment are not served \
                 (check the spelling, or upgrade the engine)",
            ),
        };
        unknown.push(ReadProblem {
            path: self.path.field(name).to_string(),
            flag,
            segment,
            code: DiagnosticCode::UnknownField,
            message: message.to_owned(),
        });
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn missing(&self, name: &str) -> Stop {
        shape(self.path, format!("missing field `{name}`"))
    }

    fn required<T>(&self, value: Option<T>, name: &str) -> Read<T> {
        value.ok_or_else(|| self.missing(name))
    }
}

/// What reading packs straight from the text for the compiler, instead of into the wire types:
/// as lists of borrowed strings, the tens of thousands of keys a large snapshot's segments list
/// would only be copied again.
#[derive(Debug, Default)]
pub(crate) struct Packed<'t> {
    /// Each segment's `included` and `excluded` keys, by segment position; the wire segments
    /// read alongside have these lists empty.
    pub(crate) segment_keys: Vec<[StrSet; 2]>,
    /// Every flag's metadata, by flag position; the wire flags read alongside have none.
    /// `None` when nothing was read (a snapshot built in code).
    pub(crate) metadata: Option<MetadataStore>,
    /// Where each flag's object starts and ends in the text, by flag position (empty for a
    /// snapshot built in code).
    pub(crate) flag_spans: Vec<[u32; 2]>,
    /// Every condition's operands; the wire conditions read alongside have neither `value`
    /// nor `values`. `None` for a snapshot built in code.
    pub(crate) operands: Option<OperandStore<'t>>,
}

/// Reads a whole snapshot from `text`, nested at most `max_depth` deep.
pub(crate) fn snapshot<'t>(
    text: &'t str,
    max_depth: usize,
    unknown: &mut Vec<ReadProblem>,
) -> Result<(Snapshot<Text<'t>>, Packed<'t>), Stop> {
    let mut reader = Reader {
        parser: Parser::new(text, max_depth),
        unknown,
        stacks: Stacks::default(),
        packer: KeyPacker::default(),
        segment_keys: Vec::new(),
        metadata: MetadataStore::default(),
        flag_spans: Vec::new(),
        operands: OperandStore::default(),
    };
    let read = reader.root().and_then(|snapshot| {
        reader.parser.finish()?;
        Ok(snapshot)
    });
    match read {
        Ok(snapshot) => {
            let mut metadata = reader.metadata;
            metadata.shrink_to_fit();
            let packed = Packed {
                segment_keys: reader.segment_keys,
                metadata: Some(metadata),
                flag_spans: reader.flag_spans,
                operands: Some(reader.operands),
            };
            Ok((snapshot, packed))
        }
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
                Ok(other) => Some(LoadError::unsupported_schema_version(other).into()),
                Err(problem) => Some(problem),
            };
        }
        parser.skip().ok()?;
    }
    Some(shape(&root, "missing field `schemaVersion`".to_owned()))
}

fn string<'t>(parser: &mut Parser<'t>, path: &JsonPath) -> Read<Text<'t>> {
    // Snapshots are usually minified: a string member's value starts right after its colon.
    if parser.at_quote() {
        return Ok(parser.string()?);
    }
    match parser.peek()? {
        Kind::String => Ok(parser.string()?),
        other => Err(expected(path, "a string", other)),
    }
}

/// A whole number from 0 to `u64::MAX`, in any notation (`25000`, `25000.0`, `2.5e4`), as
/// producers such as Python's `json` write integral floats.
fn unsigned(parser: &mut Parser<'_>, path: &JsonPath) -> Read<u64> {
    match parser.peek()? {
        Kind::Number => {
            let text = parser.number_text()?;
            json::exact_unsigned(text).ok_or_else(|| not_unsigned(path, text))
        }
        other => Err(expected(path, "a non-negative integer", other)),
    }
}

#[cold]
#[inline(never)]
fn not_unsigned(path: &JsonPath, text: &str) -> Stop {
    shape(
        path,
        format!("expected a non-negative integer, found {text}"),
    )
}

/// Items of lists being read, gathered here and moved into an exactly sized `Vec` when their
/// list closes: one allocation per list instead of one per doubling, and the stacks' own memory
/// is reused by every list of the document. A list nested in another of the same type works
/// too: each list takes only the items above the mark it started at.
#[derive(Default)]
struct Stacks<'t> {
    strings: Vec<Text<'t>>,
    conditions: Vec<Condition<Text<'t>>>,
    rules: Vec<Rule<Text<'t>>>,
    overrides: Vec<Override<Text<'t>>>,
    prerequisites: Vec<Prerequisite<Text<'t>>>,
    splits: Vec<WeightedVariant<Text<'t>>>,
}

/// The state of one read: the parser, where unknown members go, and the list stacks.
struct Reader<'t, 'u> {
    parser: Parser<'t>,
    /// Unknown members and the other problems confined to a flag or segment.
    unknown: &'u mut Vec<ReadProblem>,
    stacks: Stacks<'t>,
    /// Packs segment key lists as they are read.
    packer: KeyPacker,
    /// Each segment's packed `included` and `excluded` keys, in segment order.
    segment_keys: Vec<[StrSet; 2]>,
    /// Every flag's metadata, stored member by member, in flag order.
    metadata: MetadataStore,
    /// Where each flag's object is in the text, in flag order.
    flag_spans: Vec<[u32; 2]>,
    /// Every condition's operands, in reading order.
    operands: OperandStore<'t>,
}

impl<'t> Reader<'t, '_> {
    fn open<'p>(&mut self, path: &'p JsonPath<'p>) -> Read<Fields<'p>> {
        Fields::open(&mut self.parser, path)
    }

    fn next_key(&mut self) -> Read<Option<Text<'t>>> {
        Ok(self.parser.next_key()?)
    }

    fn unknown(&mut self, fields: &mut Fields<'_>, name: &str, owner: Owner) -> Read<()> {
        fields.unknown(&mut self.parser, name, owner, self.unknown)
    }

    /// `null` counts as absent for optional members: consumes it and says so.
    fn null(&mut self) -> Read<bool> {
        if self.parser.peek()? == Kind::Null {
            self.parser.null()?;
            return Ok(true);
        }
        Ok(false)
    }

    fn string(&mut self, path: &JsonPath) -> Read<Text<'t>> {
        string(&mut self.parser, path)
    }

    /// A string member where `null` means absent.
    fn optional_string(&mut self, path: &JsonPath) -> Read<Option<Text<'t>>> {
        if self.parser.at_quote() {
            return Ok(Some(self.parser.string()?));
        }
        if self.null()? {
            return Ok(None);
        }
        self.string(path).map(Some)
    }

    fn unsigned(&mut self, path: &JsonPath) -> Read<u64> {
        unsigned(&mut self.parser, path)
    }

    fn boolean(&mut self, path: &JsonPath) -> Read<bool> {
        match self.parser.peek()? {
            Kind::Bool => Ok(self.parser.boolean()?),
            other => Err(expected(path, "a boolean", other)),
        }
    }

    /// Records a problem confined to `owner` (the top level has none but unknown fields).
    #[cold]
    #[inline(never)]
    fn problem(&mut self, owner: Owner, path: &JsonPath, code: DiagnosticCode, message: String) {
        let (flag, segment) = match owner {
            Owner::Flag(index) => (Some(index), None),
            Owner::Segment(index) => (None, Some(index)),
            Owner::TopLevel | Owner::Free => (None, None),
        };
        self.unknown.push(ReadProblem {
            path: path.to_string(),
            flag,
            segment,
            code,
            message,
        });
    }

    /// A variant value. One that JSON allows but that cannot be served as written (a number
    /// out of range, an object repeating a member) makes its flag unusable.
    fn variant_value(&mut self, path: &JsonPath, owner: Owner) -> Read<Value> {
        let mut value = self.parser.value()?;
        if let Some(oddity) = self.parser.take_oddity() {
            self.odd_variant_value(path, owner, &mut value, &oddity);
        }
        Ok(value)
    }

    #[cold]
    #[inline(never)]
    fn odd_variant_value(
        &mut self,
        path: &JsonPath,
        owner: Owner,
        value: &mut Value,
        oddity: &Oddity,
    ) {
        if let (Value::Null, Oddity::OutOfRange(text)) = (&value, oddity) {
            // The value is that one number: kept a number (the largest double of its sign), so
            // the flag is not also reported as having a value of the wrong type.
            let largest = if text.starts_with('-') {
                f64::MIN
            } else {
                f64::MAX
            };
            *value = serde_json::Number::from_f64(largest).map_or(Value::Null, Value::Number);
        }
        self.problem(
            owner,
            path,
            DiagnosticCode::InvalidVariantValue,
            format!("the value cannot be served as written: {oddity}"),
        );
    }

    /// A condition operand: scalars as they are (text borrowed where it has no escapes), any
    /// other value checked and skipped, since no operator takes one. A number out of range
    /// makes the condition invalid.
    fn operand(&mut self, path: &JsonPath, owner: Owner) -> Read<Operand<'t>> {
        Ok(match self.parser.peek()? {
            Kind::String => Operand::Text(self.parser.string()?),
            Kind::Number => match self.parser.number()? {
                Some(number) => Operand::number(&number),
                None => self.odd_operand(path, owner),
            },
            Kind::Bool => Operand::Bool(self.parser.boolean()?),
            Kind::Null | Kind::Array | Kind::Object => {
                skip_value(&mut self.parser, path)?;
                Operand::Other
            }
        })
    }

    /// An operand beyond the range of a double: the condition is invalid.
    #[cold]
    #[inline(never)]
    fn odd_operand(&mut self, path: &JsonPath, owner: Owner) -> Operand<'t> {
        if let Some(oddity) = self.parser.take_oddity() {
            self.problem(
                owner,
                path,
                DiagnosticCode::InvalidCondition,
                format!("{oddity}; operands must be finite numbers"),
            );
        }
        // Read as JavaScript does; the flag is unusable anyway.
        Operand::Number(f64::INFINITY)
    }

    /// A split weight: a whole number (in any notation). Anything else that is a number makes
    /// the flag unusable (`weights-sum`) rather than the document.
    fn weight(&mut self, path: &JsonPath, owner: Owner) -> Read<u64> {
        let text = match self.parser.peek()? {
            Kind::Number => self.parser.number_text()?,
            other => return Err(expected(path, "a non-negative integer", other)),
        };
        Ok(json::exact_unsigned(text).unwrap_or_else(|| self.odd_weight(text, path, owner)))
    }

    /// A weight that is not a whole number: the flag is unusable.
    #[cold]
    #[inline(never)]
    fn odd_weight(&mut self, text: &str, path: &JsonPath, owner: Owner) -> u64 {
        self.problem(
            owner,
            path,
            DiagnosticCode::WeightsSum,
            format!("weight {text} is not a whole number from 0 to 100000"),
        );
        // Kept as its whole part, so the sum reported for the split stays meaningful.
        let weight = crate::decimal::parse(text);
        // Saturating by definition of `as` for floats (a negative weight becomes 0).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let whole = weight as u64;
        whole
    }

    fn skip(&mut self, path: &JsonPath) -> Read<()> {
        skip_value(&mut self.parser, path)
    }

    /// Opens the array at the parser's position.
    #[inline]
    fn open_array(&mut self, path: &JsonPath) -> Read<()> {
        match self.parser.peek()? {
            Kind::Array => Ok(self.parser.begin_array()?),
            other => Err(expected(path, "an array", other)),
        }
    }

    /// Reads an array with `read`, gathering its items on the stack `stack` picks.
    fn list<T>(
        &mut self,
        path: &JsonPath,
        stack: for<'s> fn(&'s mut Stacks<'t>) -> &'s mut Vec<T>,
        mut read: impl FnMut(&mut Self, &JsonPath, usize) -> Read<T>,
    ) -> Read<Vec<T>> {
        self.open_array(path)?;
        let mark = stack(&mut self.stacks).len();
        while self.parser.next_item()? {
            let index = stack(&mut self.stacks).len() - mark;
            let item = read(self, &path.index(index), index)?;
            stack(&mut self.stacks).push(item);
        }
        Ok(stack(&mut self.stacks).drain(mark..).collect())
    }

    /// Reads an array with `read` straight into `out`.
    fn list_into<T>(
        &mut self,
        path: &JsonPath,
        out: &mut Vec<T>,
        mut read: impl FnMut(&mut Self, &JsonPath, usize) -> Read<T>,
    ) -> Read<()> {
        self.open_array(path)?;
        while self.parser.next_item()? {
            let index = out.len();
            let item = read(self, &path.index(index), index)?;
            out.push(item);
        }
        Ok(())
    }

    /// Reads an array of strings straight into a set.
    fn key_set(&mut self, path: &JsonPath) -> Read<StrSet> {
        self.open_array(path)?;
        loop {
            if let Some(key) = self.parser.plain_string_item() {
                self.packer.push(key);
            } else if self.parser.next_item()? {
                let key = string(&mut self.parser, &path.index(self.packer.len()))?;
                self.packer.push(&key);
            } else {
                break;
            }
        }
        Ok(self.packer.finish())
    }

    fn strings(&mut self, path: &JsonPath) -> Read<Vec<Text<'t>>> {
        self.list(
            path,
            |stacks| &mut stacks.strings,
            |reader, path, _| reader.string(path),
        )
    }

    fn conditions(&mut self, path: &JsonPath, owner: Owner) -> Read<Vec<Condition<Text<'t>>>> {
        self.list(
            path,
            |stacks| &mut stacks.conditions,
            |reader, path, _| reader.condition(path, owner),
        )
    }

    fn root(&mut self) -> Read<Snapshot<Text<'t>>> {
        let path = JsonPath::ROOT;
        let mut fields = self.open(&path)?;
        let (mut schema_version, mut revision, mut generated_at, mut environment) =
            (None, None, None, None);
        let (mut segments, mut flags) = (Vec::new(), None);
        members!(self, fields, Owner::TopLevel, {
            "schemaVersion" => {
                schema_version = Some(self.unsigned(&path.field("schemaVersion"))?);
            }
            "revision" => {
                revision = Some(self.unsigned(&path.field("revision"))?);
            }
            "generatedAt" => {
                generated_at = Some(self.string(&path.field("generatedAt"))?);
            }
            "environment" => {
                environment = self.optional_string(&path.field("environment"))?;
            }
            // The document's two big lists are read straight into their own vectors (they
            // are not nested in anything, so a stack would only add a copy), reserved from
            // the document's size: growing a list of thousands of flags by doubling copies
            // it again and again, and every large request makes the allocator sweep its
            // free lists. A flag takes a few hundred bytes of text; pages of a reservation
            // that a document does not fill are never touched.
            "segments" => {
                segments = Vec::with_capacity(self.parser.remaining() / 4096);
                self.list_into(
                    &path.field("segments"),
                    &mut segments,
                    |reader, path, index| reader.segment(path, index),
                )?;
            }
            "flags" => {
                let mut read = Vec::with_capacity(self.parser.remaining() / 512);
                self.flag_spans.reserve(read.capacity());
                self.metadata.reserve_for(self.parser.remaining());
                self.list_into(&path.field("flags"), &mut read, |reader, path, index| {
                    reader.flag(path, index)
                })?;
                flags = Some(read);
            }
        });
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

    fn segment(&mut self, path: &JsonPath, index: usize) -> Read<Segment<Text<'t>>> {
        let owner = Owner::Segment(index);
        let mut fields = self.open(path)?;
        self.operands.start(Owners::Segments);
        let mut key = None;
        let (mut included, mut excluded) = (StrSet::default(), StrSet::default());
        let mut conditions = Vec::new();
        members!(self, fields, owner, {
            "key" => {
                key = Some(self.string(&path.field("key"))?);
            }
            "included" => {
                included = self.key_set(&path.field("included"))?;
            }
            "excluded" => {
                excluded = self.key_set(&path.field("excluded"))?;
            }
            "conditions" => {
                conditions = self.conditions(&path.field("conditions"), owner)?;
            }
            // Segments may carry notes for people, like flags; they are not read.
            "metadata" => {
                self.skip(&path.field("metadata"))?;
            }
        });
        self.operands.finish(Owners::Segments);
        let key = fields.required(key, "key")?;
        // Segments are read in order, so this segment's keys land at its position.
        self.segment_keys.push([included, excluded]);
        Ok(Segment {
            key,
            included: Vec::new(),
            excluded: Vec::new(),
            conditions,
        })
    }

    fn flag(&mut self, path: &JsonPath, index: usize) -> Read<Flag<Text<'t>>> {
        let owner = Owner::Flag(index);
        // Flags are read in order, so the entry started here is at this flag's position.
        self.metadata.start_flag();
        self.operands.start(Owners::Flags);
        let mut fields = self.open(path)?;
        // Offsets are bounded by the document size limit, far below u32::MAX.
        let start = u32::try_from(self.parser.offset().saturating_sub(1)).unwrap_or(u32::MAX);
        let (mut key, mut kind, mut variants, mut fallthrough) = (None, None, None, None);
        let (mut off_variant, mut schedule, mut salt, mut bucket_by) = (None, None, None, None);
        let mut enabled = true;
        let (mut overrides, mut prerequisites, mut rules) = (Vec::new(), Vec::new(), Vec::new());
        members!(self, fields, owner, {
            "key" => {
                key = Some(self.string(&path.field("key"))?);
            }
            "type" => {
                kind = Some(self.string(&path.field("type"))?);
            }
            "enabled" => {
                enabled = self.boolean(&path.field("enabled"))?;
            }
            "variants" => {
                variants = Some(self.variant_values(&path.field("variants"), owner)?);
            }
            "offVariant" => {
                off_variant = self.optional_string(&path.field("offVariant"))?;
            }
            "fallthrough" => {
                fallthrough = Some(self.serve(&path.field("fallthrough"), owner)?);
            }
            "overrides" => {
                overrides = self.list(
                    &path.field("overrides"),
                    |stacks| &mut stacks.overrides,
                    |reader, path, _| reader.override_entry(path, owner),
                )?;
            }
            "schedule" => {
                if !self.null()? {
                    schedule = Some(self.schedule(&path.field("schedule"), owner)?);
                }
            }
            "prerequisites" => {
                prerequisites = self.list(
                    &path.field("prerequisites"),
                    |stacks| &mut stacks.prerequisites,
                    |reader, path, _| reader.prerequisite(path, owner),
                )?;
            }
            "rules" => {
                rules = self.list(
                    &path.field("rules"),
                    |stacks| &mut stacks.rules,
                    |reader, path, _| reader.rule(path, owner),
                )?;
            }
            "salt" => {
                salt = self.optional_string(&path.field("salt"))?;
            }
            "bucketBy" => {
                bucket_by = self.optional_string(&path.field("bucketBy"))?;
            }
            "metadata" => {
                if !self.null()? {
                    self.metadata(&path.field("metadata"))?;
                }
            }
        });
        self.operands.finish(Owners::Flags);
        let end = u32::try_from(self.parser.offset()).unwrap_or(u32::MAX);
        self.flag_spans.push([start, end]);
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
            metadata: None,
        })
    }

    /// A flag's variants in document order, repeated keys included (the compiler reports them).
    fn variant_values(&mut self, path: &JsonPath, owner: Owner) -> Read<Entries<Value, Text<'t>>> {
        match self.parser.peek()? {
            Kind::Object => self.parser.begin_object()?,
            other => return Err(expected(path, "an object", other)),
        }
        // Flags have few variants: two for most.
        let mut entries = Vec::with_capacity(2);
        while let Some(key) = self.next_key()? {
            let value = self.variant_value(&path.field(&key), owner)?;
            entries.push((key, value));
        }
        Ok(Entries(entries))
    }

    fn serve(&mut self, path: &JsonPath, owner: Owner) -> Read<Serve<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut variant, mut split, mut bucket_by) = (None, None, None);
        members!(self, fields, owner, {
            "variant" => {
                variant = self.optional_string(&path.field("variant"))?;
            }
            "split" => {
                if !self.null()? {
                    split = Some(self.list(
                        &path.field("split"),
                        |stacks| &mut stacks.splits,
                        |reader, path, _| reader.weighted_variant(path, owner),
                    )?);
                }
            }
            "bucketBy" => {
                bucket_by = self.optional_string(&path.field("bucketBy"))?;
            }
        });
        Ok(Serve {
            variant,
            split,
            bucket_by,
        })
    }

    fn weighted_variant(
        &mut self,
        path: &JsonPath,
        owner: Owner,
    ) -> Read<WeightedVariant<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut variant, mut weight) = (None, None);
        members!(self, fields, owner, {
            "variant" => {
                variant = Some(self.string(&path.field("variant"))?);
            }
            "weight" => {
                weight = Some(self.weight(&path.field("weight"), owner)?);
            }
        });
        Ok(WeightedVariant {
            variant: fields.required(variant, "variant")?,
            weight: fields.required(weight, "weight")?,
        })
    }

    fn override_entry(&mut self, path: &JsonPath, owner: Owner) -> Read<Override<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut variant, mut keys) = (None, None);
        members!(self, fields, owner, {
            "variant" => {
                variant = Some(self.string(&path.field("variant"))?);
            }
            "keys" => {
                keys = Some(self.strings(&path.field("keys"))?);
            }
        });
        Ok(Override {
            variant: fields.required(variant, "variant")?,
            keys: fields.required(keys, "keys")?,
        })
    }

    fn schedule(&mut self, path: &JsonPath, owner: Owner) -> Read<Schedule<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut start, mut end) = (None, None);
        members!(self, fields, owner, {
            "start" => {
                start = self.optional_string(&path.field("start"))?;
            }
            "end" => {
                end = self.optional_string(&path.field("end"))?;
            }
        });
        Ok(Schedule { start, end })
    }

    fn prerequisite(&mut self, path: &JsonPath, owner: Owner) -> Read<Prerequisite<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut flag, mut variants) = (None, None);
        members!(self, fields, owner, {
            "flag" => {
                flag = Some(self.string(&path.field("flag"))?);
            }
            "variants" => {
                variants = Some(self.strings(&path.field("variants"))?);
            }
        });
        Ok(Prerequisite {
            flag: fields.required(flag, "flag")?,
            variants: fields.required(variants, "variants")?,
        })
    }

    fn rule(&mut self, path: &JsonPath, owner: Owner) -> Read<Rule<Text<'t>>> {
        let mut fields = self.open(path)?;
        let (mut id, mut conditions, mut serve) = (None, Vec::new(), None);
        members!(self, fields, owner, {
            "id" => {
                id = self.optional_string(&path.field("id"))?;
            }
            "conditions" => {
                conditions = self.conditions(&path.field("conditions"), owner)?;
            }
            "serve" => {
                serve = Some(self.serve(&path.field("serve"), owner)?);
            }
            // A rule may carry a description for people; it is not read.
            "description" => {
                self.skip(&path.field("description"))?;
            }
        });
        Ok(Rule {
            id,
            conditions,
            serve: fields.required(serve, "serve")?,
        })
    }

    fn condition(&mut self, path: &JsonPath, owner: Owner) -> Read<Condition<Text<'t>>> {
        let mut fields = self.open(path)?;
        self.operands.start_condition();
        let (mut attribute, mut op) = (None, None);
        let mut negate = false;
        members!(self, fields, owner, {
            "attribute" => {
                attribute = self.optional_string(&path.field("attribute"))?;
            }
            "op" => {
                op = Some(self.string(&path.field("op"))?);
            }
            "value" => {
                if !self.null()? {
                    self.operands.given(Given::Value);
                    let operand = self.operand(&path.field("value"), owner)?;
                    self.operands.push(operand);
                }
            }
            "values" => {
                if !self.null()? {
                    self.operands.given(Given::Values);
                    let values = path.field("values");
                    self.open_array(&values)?;
                    let mut index = 0;
                    while self.parser.next_item()? {
                        let operand = self.operand(&values.index(index), owner)?;
                        index += 1;
                        self.operands.push(operand);
                    }
                }
            }
            "negate" => {
                negate = self.boolean(&path.field("negate"))?;
            }
        });
        self.operands.finish_condition();
        Ok(Condition {
            attribute,
            op: fields.required(op, "op")?,
            value: None,
            values: None,
            negate,
        })
    }

    /// Reads a flag's metadata straight into the store, into the entry its flag started.
    fn metadata(&mut self, path: &JsonPath) -> Read<()> {
        let mut fields = self.open(path)?;
        members!(self, fields, Owner::Free, {
            "description" => {
                self.metadata_text(MetadataField::Description, &path.field("description"))?;
            }
            "owner" => {
                self.metadata_text(MetadataField::Owner, &path.field("owner"))?;
            }
            "tags" => {
                let path = path.field("tags");
                self.open_array(&path)?;
                let mut index = 0;
                loop {
                    if let Some(tag) = self.parser.plain_string_item() {
                        self.metadata.add_tag(tag);
                    } else if self.parser.next_item()? {
                        let tag = string(&mut self.parser, &path.index(index))?;
                        self.metadata.add_tag(&tag);
                    } else {
                        break;
                    }
                    index += 1;
                }
            }
            "version" => {
                if !self.null()? {
                    let version = self.unsigned(&path.field("version"))?;
                    self.metadata.set_version(Some(version));
                }
            }
            "changedAt" => {
                self.metadata_text(MetadataField::ChangedAt, &path.field("changedAt"))?;
            }
            // Metadata is free-form: other members are for people and other tools.
        });
        Ok(())
    }

    fn metadata_text(&mut self, field: MetadataField, path: &JsonPath) -> Read<()> {
        if let Some(text) = self.optional_string(path)? {
            self.metadata.set(field, &text);
        }
        Ok(())
    }
}
