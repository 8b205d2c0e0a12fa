//! A JSON tree that keeps object members in document order, duplicates included.
//!
//! The loader parses a snapshot into this tree once and reads the wire types from it by hand.
//! One generic instantiation of the parser serves every type (the WebAssembly build is small),
//! repeated members can be reported instead of silently overwritten, and every error can name the
//! exact JSON path of what was wrong.
//!
//! The tree is built for loading speed by a parser made for it (RFC 8259, strict): strings
//! borrow from the document text unless they contain escapes, and the children of every array and
//! object live in two shared arenas (a container node holds the span of its children), so building
//! the whole tree takes a handful of allocations instead of one per container. Children sit in
//! `Cell`s so a reader can take them out one at a time through a shared reference.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde_json::{Map, Number, Value};

/// A parsed JSON value. Containers refer to their children in a [`Tree`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Json<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Span),
    /// Members in document order; a key may appear more than once.
    Object(Span),
}

/// Where a container's children are in the [`Tree`]'s arenas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    len: usize,
}

/// The arenas holding every container's children.
#[derive(Default)]
pub(crate) struct Tree<'a> {
    items: Vec<Cell<Json<'a>>>,
    members: Vec<(Cow<'a, str>, Cell<Json<'a>>)>,
}

/// A member of an object: its key, and its value until someone takes it.
pub(crate) type Member<'a> = (Cow<'a, str>, Cell<Json<'a>>);

impl<'a> Tree<'a> {
    /// The items of an array.
    pub(crate) fn items(&self, span: Span) -> &[Cell<Json<'a>>] {
        self.items
            .get(span.start..span.start + span.len)
            .unwrap_or(&[])
    }

    /// The members of an object.
    pub(crate) fn members(&self, span: Span) -> &[Member<'a>] {
        self.members
            .get(span.start..span.start + span.len)
            .unwrap_or(&[])
    }

    /// Converts a node to a `serde_json::Value`, taking its children out of the tree. In objects,
    /// a repeated key keeps its last value, as JSON parsers generally do.
    pub(crate) fn take_value(&self, json: Json<'a>) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(value) => Value::Bool(value),
            Json::Number(value) => Value::Number(value),
            Json::String(value) => Value::String(value.into_owned()),
            Json::Array(span) => Value::Array(
                self.items(span)
                    .iter()
                    .map(|item| self.take_value(item.take()))
                    .collect(),
            ),
            Json::Object(span) => {
                let mut map = Map::new();
                for (key, value) in self.members(span) {
                    map.insert(key.to_string(), self.take_value(value.take()));
                }
                Value::Object(map)
            }
        }
    }
}

impl Json<'_> {
    /// The JSON type's name, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

/// Why a text is not JSON, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    message: &'static str,
    line: usize,
    column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

/// Why parsing stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Not JSON.
    Syntax(SyntaxError),
    /// Nested deeper than allowed.
    TooDeep,
}

/// Parses JSON text into a tree, refusing nesting deeper than `max_depth` as it goes.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<(Tree<'_>, Json<'_>), ParseError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        max_depth,
        // Reserving from the document's size (a member takes at least ~4 bytes of text, an item
        // at least 2) saves the arenas from growing by copying, several times over.
        tree: Tree {
            items: Vec::with_capacity(text.len() / 32),
            members: Vec::with_capacity(text.len() / 16),
        },
        items: Vec::new(),
        members: Vec::new(),
    };
    let root = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok((parser.tree, root))
}

/// A recursive-descent parser over the document's bytes. Children of open containers gather on
/// the `items` / `members` stacks and move, contiguously, into the tree when their container
/// closes.
struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    max_depth: usize,
    tree: Tree<'a>,
    items: Vec<Json<'a>>,
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &'static str) -> ParseError {
        let before = self.bytes.get(..self.pos).unwrap_or(self.bytes);
        let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |at| at + 1);
        ParseError::Syntax(SyntaxError {
            message,
            line,
            column: self.pos - line_start,
        })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Json<'a>) -> Result<Json<'a>, ParseError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        self.skip_whitespace();
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > self.max_depth {
            return Err(ParseError::TooDeep);
        }
        self.pos += 1;
        let open = self.items.len();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                let item = self.value(depth)?;
                self.items.push(item);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(self.error("EOF while parsing a list")),
                    Some(_) => return Err(self.error("expected `,` or `]`")),
                }
            }
        }
        let start = self.tree.items.len();
        self.tree
            .items
            .extend(self.items.drain(open..).map(Cell::new));
        Ok(Json::Array(Span {
            start,
            len: self.tree.items.len() - start,
        }))
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > self.max_depth {
            return Err(ParseError::TooDeep);
        }
        self.pos += 1;
        let open = self.members.len();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                self.skip_whitespace();
                match self.peek() {
                    Some(b'"') => {}
                    None => return Err(self.error("EOF while parsing an object")),
                    Some(_) => return Err(self.error("key must be a string")),
                }
                let key = self.string()?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b':') => self.pos += 1,
                    None => return Err(self.error("EOF while parsing an object")),
                    Some(_) => return Err(self.error("expected `:`")),
                }
                let value = self.value(depth)?;
                self.members.push((key, value));
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    None => return Err(self.error("EOF while parsing an object")),
                    Some(_) => return Err(self.error("expected `,` or `}`")),
                }
            }
        }
        let start = self.tree.members.len();
        self.tree.members.extend(
            self.members
                .drain(open..)
                .map(|(key, value)| (key, Cell::new(value))),
        );
        Ok(Json::Object(Span {
            start,
            len: self.tree.members.len() - start,
        }))
    }

    /// Moves `pos` to the next quote, backslash or control character (or the end), eight bytes
    /// at a time: string contents are most of a snapshot's bytes.
    fn skip_plain(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        // Marks bytes of `word` that are zero; exact for the lowest marked byte, which is all
        // that is used.
        let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
        while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
            let mut word_bytes = [0u8; 8];
            word_bytes.copy_from_slice(chunk);
            let word = u64::from_le_bytes(word_bytes);
            let special = zero_bytes(word ^ (ONES * u64::from(b'"')))
                | zero_bytes(word ^ (ONES * u64::from(b'\\')))
                | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
            if special != 0 {
                self.pos += (special.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
        while let Some(byte) = self.peek() {
            if byte == b'"' || byte == b'\\' || byte < 0x20 {
                return;
            }
            self.pos += 1;
        }
    }

    /// A string at `pos` (which holds the opening quote): borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.pos += 1;
        let start = self.pos;
        self.skip_plain();
        match self.peek() {
            None => return Err(self.error("EOF while parsing a string")),
            Some(b'"') => {
                // Quotes are ASCII, so both ends are character boundaries of the UTF-8 text.
                let text = self.text.get(start..self.pos).unwrap_or("");
                self.pos += 1;
                return Ok(Cow::Borrowed(text));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character in string")),
        }
        let mut owned = String::from(self.text.get(start..self.pos).unwrap_or(""));
        loop {
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let unit = self.hex4()?;
                            let code = match unit {
                                0xD800..=0xDBFF => {
                                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                        return Err(
                                            self.error("lone leading surrogate in hex escape")
                                        );
                                    }
                                    self.pos += 2;
                                    let low = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&low) {
                                        return Err(
                                            self.error("lone leading surrogate in hex escape")
                                        );
                                    }
                                    0x10000
                                        + ((u32::from(unit) - 0xD800) << 10)
                                        + (u32::from(low) - 0xDC00)
                                }
                                0xDC00..=0xDFFF => {
                                    return Err(self.error("lone trailing surrogate in hex escape"))
                                }
                                other => u32::from(other),
                            };
                            let Some(character) = char::from_u32(code) else {
                                return Err(self.error("invalid unicode code point"));
                            };
                            owned.push(character);
                            continue;
                        }
                        None => return Err(self.error("EOF while parsing a string")),
                        Some(_) => return Err(self.error("invalid escape")),
                    };
                    owned.push(escaped);
                    self.pos += 1;
                }
                Some(0..=0x1F) => return Err(self.error("control character in string")),
                Some(_) => {
                    // Copy the run up to the next quote, escape or control character at once.
                    let run_start = self.pos;
                    self.skip_plain();
                    owned.push_str(self.text.get(run_start..self.pos).unwrap_or(""));
                }
            }
        }
    }

    /// Four hex digits at `pos`.
    fn hex4(&mut self) -> Result<u16, ParseError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|digits| digits.bytes().all(|byte| byte.is_ascii_hexdigit()));
        let Some(value) = digits.and_then(|digits| u16::from_str_radix(digits, 16).ok()) else {
            return Err(self.error("invalid escape"));
        };
        self.pos += 4;
        Ok(value)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number, by RFC 8259's grammar. Integers become exact `u64` / `i64` when they fit;
    /// everything else is read as the nearest `f64` (as JavaScript does).
    fn number(&mut self) -> Result<Json<'a>, ParseError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("");
        // `-0` is the float negative zero, as serde_json and JavaScript read it.
        if integer && text != "-0" {
            let exact = if negative {
                text.parse::<i64>().ok().map(Number::from)
            } else {
                text.parse::<u64>().ok().map(Number::from)
            };
            if let Some(number) = exact {
                return Ok(Json::Number(number));
            }
        }
        match text.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(number) => Ok(Json::Number(number)),
            None => Err(self.error("number out of range")),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::{parse, ParseError};

    /// Our tree, converted to a `Value`, or `None` when the text is rejected.
    fn ours(text: &str) -> Option<Value> {
        parse(text, 128)
            .ok()
            .map(|(tree, json)| tree.take_value(json))
    }

    fn theirs(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    #[test]
    fn accepts_and_reads_exactly_what_serde_json_does_on_edge_cases() {
        let cases = [
            "0",
            "-0",
            "1",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "1.5",
            "-1.5e-3",
            "1E10",
            "1e+2",
            "0.1",
            "123456789012345678901234567890",
            "true",
            "false",
            "null",
            r#""""#,
            r#""a""#,
            r#""\"\\\/\b\f\n\r\t""#,
            r#""\u00e9\u65E5""#,
            r#""\ud83d\ude00""#,
            r#""é 日本 😀""#,
            "[]",
            "{}",
            "[1,[2,[3]]]",
            r#"{"a":{"b":[]}}"#,
            " \t\r\n[ 1 , 2 ]\n",
            r#"{"a":1,"a":2}"#,
            r#"{"":0}"#,
        ];
        for text in cases {
            assert_eq!(ours(text), theirs(text), "{text}");
            assert!(ours(text).is_some(), "{text} should parse");
        }
    }

    #[test]
    fn rejects_what_json_does_not_allow() {
        let cases = [
            "",
            " ",
            "[",
            "]",
            "{",
            "}",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\"}",
            "{\"a\" 1}",
            "{a:1}",
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "1e+",
            "+1",
            "0x10",
            "NaN",
            "Infinity",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\udc00\"",
            "\"\\ud800\\u0041\"",
            "\"a\u{1}b\"",
            "[1] [2]",
            "1 2",
            "1e400",
            "{\"a\":1}}",
            "[\"a\",]",
            "'a'",
        ];
        for text in cases {
            assert_eq!(ours(text), None, "{text:?} should be rejected");
            assert_eq!(theirs(text), None, "serde_json accepts {text:?}");
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        let Err(ParseError::Syntax(error)) = parse("{\n  \"a\": tru\n}", 64) else {
            panic!("expected a syntax error");
        };
        assert_eq!(error.to_string(), "expected value at line 2 column 7");
    }

    #[test]
    fn nesting_past_the_limit_is_reported_as_such() {
        assert_eq!(parse("[[[]]]", 3).map(|_| ()), Ok(()));
        assert_eq!(parse("[[[[]]]]", 3).map(|_| ()), Err(ParseError::TooDeep));
        assert_eq!(
            parse(r#"{"a":{"b":{"c":{}}}}"#, 3).map(|_| ()),
            Err(ParseError::TooDeep)
        );
    }

    /// Arbitrary JSON values, including strings with escapes, control characters and
    /// astral-plane characters, and numbers of every kind.
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<u64>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |x| x.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\/\u{0}-\u{1f}a-zé日😀]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_document_reads_the_same_as_with_serde_json(value in value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value)
            } else {
                serde_json::to_string(&value)
            }
            .expect("serializable");
            prop_assert_eq!(ours(&text), theirs(&text));
        }

        #[test]
        fn any_text_is_accepted_exactly_when_serde_json_accepts_it(text in "[\\[\\]{}\",:0-9.eE+\\- a-z\\\\]{0,24}") {
            prop_assert_eq!(ours(&text).is_some(), theirs(&text).is_some(), "{:?}", text);
        }
    }
}
