//! A pull parser for JSON text: the snapshot reader asks for the next member, item or value and
//! gets it straight from the document, without building a tree first.
//!
//! Made for loading speed (RFC 8259, strict): strings borrow from the document text unless they
//! contain escapes, their contents are scanned eight bytes at a time, and nothing is allocated
//! for structure. Reading in document order also lets the reader report repeated members
//! instead of silently keeping one, and name the exact JSON path of anything wrong. The nesting
//! depth limit is enforced as containers open, so no input can exhaust the stack.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::fasthash::StrSet;
use crate::write::Quoted;

/// The type of the value at the parser's position, known from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    /// The JSON type's name, for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
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
    /// Not JSON. Boxed: parse results are returned at every step, and the error is rare, so it
    /// should not make every result bigger.
    Syntax(Box<SyntaxError>),
    /// Nested deeper than allowed.
    TooDeep,
}

/// Something the JSON grammar allows that Vexil does not read: met while reading or skipping a
/// value, it does not stop the parser, which keeps the first one for the caller to judge
/// ([`Parser::take_oddity`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Oddity {
    /// An object gives this member name more than once: which value was meant is unknown.
    Repeated(String),
    /// A number beyond the range of a double (such as `1e400`), written as here.
    OutOfRange(String),
}

impl fmt::Display for Oddity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Oddity::Repeated(name) => write!(f, "member {} is given twice", Quoted(name)),
            Oddity::OutOfRange(text) => {
                write!(f, "the number {text} is beyond the range of a double")
            }
        }
    }
}

/// Checks that `text` is one JSON value and nothing else, nested at most `max_depth` deep.
/// Only the grammar is checked: a repeated member or a number out of range is not a syntax
/// error.
pub(crate) fn validate(text: &str, max_depth: usize) -> Result<(), ParseError> {
    let mut parser = Parser::new(text, max_depth);
    parser.skip()?;
    parser.finish()
}

/// Parses `text` as one JSON value, refusing (as a syntax error) the oddities that a value
/// cannot hold faithfully: a repeated member, a number out of range.
pub(crate) fn parse_value(text: &str, max_depth: usize) -> Result<Value, ParseError> {
    let mut parser = Parser::new(text, max_depth);
    let value = parser.value()?;
    parser.finish()?;
    match parser.take_oddity() {
        None => Ok(value),
        Some(_) => Err(parser.error("repeated member name or number out of range")),
    }
}

/// The exact value of the JSON number `text` (grammar already checked) if it is a whole number
/// from 0 to `u64::MAX`, in whatever form it is written: `25000`, `25000.0`, `2.5e4`, `-0`.
pub(crate) fn exact_unsigned(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    let (mantissa, exponent) = match bytes.iter().position(|&byte| byte | 0x20 == b'e') {
        Some(at) => (bytes.get(..at)?, bytes.get(at + 1..)?),
        None => (bytes, &[][..]),
    };
    // The significant digits without trailing zeros, the zeros not yet multiplied in, and the
    // digits after the point: the value is `significant × 10^(zeros + exponent − fraction)`.
    let (mut significant, mut zeros, mut fraction, mut after_point) = (0u64, 0u32, 0i64, false);
    for &byte in mantissa {
        match byte {
            b'.' => after_point = true,
            b'0'..=b'9' => {
                fraction += i64::from(after_point);
                if byte == b'0' {
                    zeros = zeros.saturating_add(u32::from(significant != 0));
                } else {
                    significant =
                        times_ten(significant, zeros + 1)?.checked_add(u64::from(byte - b'0'))?;
                    zeros = 0;
                }
            }
            _ => {}
        }
    }
    if significant == 0 {
        return Some(0);
    }
    if bytes.first() == Some(&b'-') {
        return None;
    }
    // Saturated far beyond any exponent that could still give a u64.
    let mut scale = 0i64;
    for &byte in exponent {
        if byte.is_ascii_digit() {
            scale = (scale * 10 + i64::from(byte - b'0')).min(1_000_000);
        }
    }
    if exponent.first() == Some(&b'-') {
        scale = -scale;
    }
    let scale = u32::try_from(scale + i64::from(zeros) - fraction).ok()?;
    times_ten(significant, scale)
}

/// `number × 10^power`, if it fits (a non-zero number overflows within 20 steps).
fn times_ten(mut number: u64, power: u32) -> Option<u64> {
    for _ in 0..power {
        if number == 0 {
            break;
        }
        number = number.checked_mul(10)?;
    }
    Some(number)
}

/// A recursive-descent parser over the document's bytes, driven by its caller: after
/// [`Parser::peek`] says what comes next, the caller reads it as a scalar, opens it as a
/// container and walks its members or items, or skips it.
pub(crate) struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    max_depth: usize,
    /// The container just opened has not given a member or item yet (no `,` expected).
    fresh: bool,
    /// The first oddity met, for the caller to take.
    oddity: Option<Oddity>,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(text: &'a str, max_depth: usize) -> Parser<'a> {
        Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
            max_depth,
            fresh: false,
            oddity: None,
        }
    }

    /// The first [`Oddity`] met since the last call, if any.
    pub(crate) fn take_oddity(&mut self) -> Option<Oddity> {
        self.oddity.take()
    }

    #[cold]
    #[inline(never)]
    fn odd(&mut self, oddity: Oddity) {
        self.oddity.get_or_insert(oddity);
    }

    #[cold]
    #[inline(never)]
    fn error(&self, message: &'static str) -> ParseError {
        let before = self.bytes.get(..self.pos).unwrap_or(self.bytes);
        let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |at| at + 1);
        ParseError::Syntax(Box::new(SyntaxError {
            message,
            line,
            column: self.pos - line_start,
        }))
    }

    fn peek_byte(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Snapshots are usually minified, so the check for whitespace is inlined and the loop that
    /// skips it is not.
    #[inline]
    fn skip_whitespace(&mut self) {
        if let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek_byte() {
            self.skip_whitespace_run();
        }
    }

    #[inline(never)]
    fn skip_whitespace_run(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek_byte() {
            self.pos += 1;
        }
    }

    /// Whether the next byte opens a string (no whitespace skipped): the fast path for readers
    /// that expect one.
    #[inline]
    pub(crate) fn at_quote(&self) -> bool {
        self.peek_byte() == Some(b'"')
    }

    /// The byte offset the parser has reached in the text.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// How many bytes of the text are still to be read.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The type of the next value, which is left in place.
    pub(crate) fn peek(&mut self) -> Result<Kind, ParseError> {
        self.skip_whitespace();
        match self.peek_byte() {
            Some(b'{') => Ok(Kind::Object),
            Some(b'[') => Ok(Kind::Array),
            Some(b'"') => Ok(Kind::String),
            Some(b'-' | b'0'..=b'9') => Ok(Kind::Number),
            Some(b't' | b'f') => Ok(Kind::Bool),
            Some(b'n') => Ok(Kind::Null),
            None => Err(self.error("EOF while parsing a value")),
            Some(_) => Err(self.error("expected value")),
        }
    }

    /// After the document's value: only whitespace may follow.
    pub(crate) fn finish(&mut self) -> Result<(), ParseError> {
        self.skip_whitespace();
        if self.pos == self.bytes.len() {
            Ok(())
        } else {
            Err(self.error("trailing characters"))
        }
    }

    fn open(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(ParseError::TooDeep);
        }
        self.pos += 1;
        self.fresh = true;
        Ok(())
    }

    fn close(&mut self) {
        self.pos += 1;
        self.depth -= 1;
        self.fresh = false;
    }

    /// Opens the object at the position (after [`Parser::peek`] said [`Kind::Object`]).
    pub(crate) fn begin_object(&mut self) -> Result<(), ParseError> {
        self.open()
    }

    /// The next member's key, leaving its value to be read; `None` once the object has closed.
    pub(crate) fn next_key(&mut self) -> Result<Option<Cow<'a, str>>, ParseError> {
        self.skip_whitespace();
        if self.fresh {
            self.fresh = false;
            if self.peek_byte() == Some(b'}') {
                self.close();
                return Ok(None);
            }
        } else {
            match self.peek_byte() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.close();
                    return Ok(None);
                }
                None => return Err(self.error("EOF while parsing an object")),
                Some(_) => return Err(self.error("expected `,` or `}`")),
            }
        }
        match self.peek_byte() {
            Some(b'"') => {}
            None => return Err(self.error("EOF while parsing an object")),
            Some(_) => return Err(self.error("key must be a string")),
        }
        let key = self.string()?;
        self.skip_whitespace();
        match self.peek_byte() {
            Some(b':') => self.pos += 1,
            None => return Err(self.error("EOF while parsing an object")),
            Some(_) => return Err(self.error("expected `:`")),
        }
        Ok(Some(key))
    }

    /// Opens the array at the position (after [`Parser::peek`] said [`Kind::Array`]).
    pub(crate) fn begin_array(&mut self) -> Result<(), ParseError> {
        self.open()
    }

    /// Whether another item follows (to be read next); `false` once the array has closed.
    pub(crate) fn next_item(&mut self) -> Result<bool, ParseError> {
        self.skip_whitespace();
        if self.fresh {
            self.fresh = false;
            if self.peek_byte() == Some(b']') {
                self.close();
                return Ok(false);
            }
            return Ok(true);
        }
        match self.peek_byte() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                self.close();
                Ok(false)
            }
            None => Err(self.error("EOF while parsing a list")),
            Some(_) => Err(self.error("expected `,` or `]`")),
        }
    }

    /// The next item of the open array if it is a string without escapes written with no
    /// space around it (as in minified lists of thousands of keys), consumed; otherwise `None`,
    /// with nothing consumed, for [`Parser::next_item`] to take the item the general way.
    #[inline]
    pub(crate) fn plain_string_item(&mut self) -> Option<&'a str> {
        let quote = if self.fresh { self.pos } else { self.pos + 1 };
        if self.bytes.get(quote) != Some(&b'"') || (!self.fresh && self.peek_byte() != Some(b',')) {
            return None;
        }
        let end = plain_end(self.bytes, quote + 1);
        if self.bytes.get(end) != Some(&b'"') {
            return None;
        }
        // Quotes are ASCII, so both ends are character boundaries of the UTF-8 text.
        let text = self.text.get(quote + 1..end)?;
        self.fresh = false;
        self.pos = end + 1;
        Some(text)
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), ParseError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected value"))
        }
    }

    /// Reads `true` or `false` (after [`Parser::peek`] said [`Kind::Bool`]).
    pub(crate) fn boolean(&mut self) -> Result<bool, ParseError> {
        if self.peek_byte() == Some(b't') {
            self.literal(b"true").map(|()| true)
        } else {
            self.literal(b"false").map(|()| false)
        }
    }

    /// Reads `null` (after [`Parser::peek`] said [`Kind::Null`]).
    pub(crate) fn null(&mut self) -> Result<(), ParseError> {
        self.literal(b"null")
    }

    /// Reads past the next value, checking its syntax and depth, and noting a repeated member
    /// name as an [`Oddity`] (a number out of range is not read, so it is not one here).
    pub(crate) fn skip(&mut self) -> Result<(), ParseError> {
        match self.peek()? {
            Kind::Object => {
                self.begin_object()?;
                let mut names = StrSet::default();
                while let Some(name) = self.next_key()? {
                    if !names.insert(&name).1 {
                        self.odd(Oddity::Repeated(name.into_owned()));
                    }
                    self.skip()?;
                }
            }
            Kind::Array => {
                self.begin_array()?;
                while self.next_item()? {
                    self.skip()?;
                }
            }
            Kind::String => {
                self.string()?;
            }
            Kind::Number => {
                self.number_text()?;
            }
            Kind::Bool => {
                self.boolean()?;
            }
            Kind::Null => self.null()?,
        }
        Ok(())
    }

    /// Reads the next value as a `serde_json::Value`. A repeated member name (the last value is
    /// kept) and a number out of range (read as `null`) are noted as an [`Oddity`].
    pub(crate) fn value(&mut self) -> Result<Value, ParseError> {
        Ok(match self.peek()? {
            Kind::Object => {
                self.begin_object()?;
                let mut map = Map::new();
                while let Some(key) = self.next_key()? {
                    let value = self.value()?;
                    if let Some(name) = repeated(&mut map, key, value) {
                        self.odd(Oddity::Repeated(name));
                    }
                }
                Value::Object(map)
            }
            Kind::Array => {
                self.begin_array()?;
                let mut items = Vec::new();
                while self.next_item()? {
                    items.push(self.value()?);
                }
                Value::Array(items)
            }
            Kind::String => Value::String(self.string()?.into_owned()),
            Kind::Number => self.number()?.map_or(Value::Null, Value::Number),
            Kind::Bool => Value::Bool(self.boolean()?),
            Kind::Null => {
                self.null()?;
                Value::Null
            }
        })
    }

    /// Moves `pos` to the next quote, backslash or control character (or the end).
    #[inline]
    fn skip_plain(&mut self) {
        self.pos = plain_end(self.bytes, self.pos);
    }

    /// A string at `pos` (which holds the opening quote): borrowed when it has no escapes.
    /// The common case, a plain string, is inlined into every caller, even in the size-tuned
    /// build (3 % fewer instructions per snapshot load, for 0.4 KB gzip); strings with escapes
    /// or errors take the out-of-line path.
    #[inline(always)]
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        let start = self.pos + 1;
        let end = plain_end(self.bytes, start);
        if self.bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            // Quotes are ASCII, so both ends are character boundaries of the UTF-8 text.
            return Ok(Cow::Borrowed(self.text.get(start..end).unwrap_or("")));
        }
        self.pos = end;
        self.escaped_string(start)
    }

    /// The rest of a string from `pos`, which holds a backslash, a control character or the end;
    /// `start` is where its contents began.
    #[inline(never)]
    fn escaped_string(&mut self, start: usize) -> Result<Cow<'a, str>, ParseError> {
        match self.peek_byte() {
            None => return Err(self.error("EOF while parsing a string")),
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character in string")),
        }
        let mut owned = String::from(self.text.get(start..self.pos).unwrap_or(""));
        loop {
            match self.peek_byte() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek_byte() {
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
        while let Some(b'0'..=b'9') = self.peek_byte() {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A number, by RFC 8259's grammar. Integers become exact `u64` / `i64` when they fit;
    /// everything else is read as the nearest `f64` (as JavaScript does). A number beyond the
    /// range of a double (`1e400`, which JavaScript reads as `Infinity`) is `None`, and noted
    /// as an [`Oddity`].
    pub(crate) fn number(&mut self) -> Result<Option<Number>, ParseError> {
        let text = self.number_text()?;
        let integer = !text.bytes().any(|byte| matches!(byte, b'.' | b'e' | b'E'));
        // `-0` is the float negative zero, as serde_json and JavaScript read it.
        if integer && text != "-0" {
            let exact = if text.starts_with('-') {
                text.parse::<i64>().ok().map(Number::from)
            } else {
                text.parse::<u64>().ok().map(Number::from)
            };
            if exact.is_some() {
                return Ok(exact);
            }
        }
        let number = Number::from_f64(crate::decimal::parse(text));
        if number.is_none() {
            self.odd(Oddity::OutOfRange(text.to_owned()));
        }
        Ok(number)
    }

    /// The text of a number (its grammar checked), read past.
    pub(crate) fn number_text(&mut self) -> Result<&'a str, ParseError> {
        let start = self.pos;
        let negative = self.peek_byte() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        match self.peek_byte() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek_byte() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek_byte() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek_byte() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        Ok(self.text.get(start..self.pos).unwrap_or(""))
    }
}

/// Inserts a member into `map`; its name if `map` already had one of that name.
fn repeated(map: &mut Map<String, Value>, name: Cow<'_, str>, value: Value) -> Option<String> {
    let name = name.into_owned();
    if map.contains_key(&name) {
        map.insert(name.clone(), value);
        return Some(name);
    }
    map.insert(name, value);
    None
}

/// The index of the first quote, backslash or control character at or after `at` (or the
/// end), eight bytes at a time: string contents are most of a snapshot's bytes.
#[inline(always)]
fn plain_end(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Marks bytes of `word` that are zero; exact for the lowest marked byte, which is all that
    // is used.
    let zero_bytes = |word: u64| word.wrapping_sub(ONES) & !word & HIGHS;
    // An array reference makes this one 8-byte load (`copy_from_slice` stays a call in a
    // size-optimised WebAssembly build).
    while let Some(&chunk) = bytes
        .get(at..at + 8)
        .and_then(|chunk| <&[u8; 8]>::try_from(chunk).ok())
    {
        let word = u64::from_le_bytes(chunk);
        let special = zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGHS);
        if special != 0 {
            return at + (special.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&byte) = bytes.get(at) {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            return at;
        }
        at += 1;
    }
    at
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::{parse_value, validate, Kind, Oddity, ParseError, Parser};

    /// Our reading as a `Value`, or `None` when the text is rejected; skipping the value must
    /// accept every text that reading does.
    fn ours(text: &str) -> Option<Value> {
        let value = parse_value(text, 128).ok();
        if value.is_some() {
            assert!(
                validate(text, 128).is_ok(),
                "skipping refuses {text:?}, which reading accepts"
            );
        }
        value
    }

    fn theirs(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    /// Whether serde_json finds `text` to be JSON, judging the grammar alone (as `validate`
    /// does): numbers out of range and repeated members are not its business.
    fn theirs_grammar(text: &str) -> bool {
        serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
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
    fn numbers_out_of_range_and_repeated_members_are_grammatical_but_noted() {
        for text in [
            "1e400",
            "-1e400",
            "[1, 1e400]",
            r#"{"a":1,"a":2}"#,
            r#"[{"b":{"a":1,"a":2}}]"#,
        ] {
            assert_eq!(validate(text, 8), Ok(()), "{text}");
            assert!(
                parse_value(text, 8).is_err(),
                "{text} cannot be held as a value"
            );
        }
        let mut parser = Parser::new(r#"{"n":[1e400],"m":-1e999}"#, 8);
        assert_eq!(
            parser.value(),
            Ok(serde_json::json!({"n": [null], "m": null}))
        );
        assert_eq!(
            parser.take_oddity(),
            Some(Oddity::OutOfRange("1e400".to_owned()))
        );
        assert_eq!(parser.take_oddity(), None, "taken");
        let mut parser = Parser::new(r#"{"a":1,"b":{"c":1,"c":2},"a":3}"#, 8);
        assert_eq!(
            parser.value(),
            Ok(serde_json::json!({"a": 3, "b": {"c": 2}}))
        );
        assert_eq!(parser.take_oddity(), Some(Oddity::Repeated("c".to_owned())));
        let mut parser = Parser::new(r#"{"x":[{"k":1,"k":2}],"y":1e400}"#, 8);
        assert_eq!(parser.skip(), Ok(()));
        assert_eq!(parser.take_oddity(), Some(Oddity::Repeated("k".to_owned())));
        let mut parser = Parser::new("[1e400, 0.5e-400]", 8);
        assert_eq!(parser.skip(), Ok(()));
        assert_eq!(parser.take_oddity(), None, "skipping reads no number");
        // Underflow is not out of range: it reads as zero, as in JavaScript.
        assert_eq!(
            parse_value("1e-400", 8).ok().and_then(|v| v.as_f64()),
            Some(0.0)
        );
    }

    #[test]
    fn whole_numbers_are_exact_in_any_notation() {
        for (text, value) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("-0.0e5", Some(0)),
            ("25000", Some(25_000)),
            ("25000.0", Some(25_000)),
            ("25000.000", Some(25_000)),
            ("2.5e4", Some(25_000)),
            ("2.5E+4", Some(25_000)),
            ("250000e-1", Some(25_000)),
            ("1e5", Some(100_000)),
            ("0.00001e10", Some(100_000)),
            ("18446744073709551615", Some(u64::MAX)),
            ("1.8446744073709551615e19", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("1e20", None),
            ("1e400", None),
            ("1e99999999999999999999", None),
            ("25000.5", None),
            ("2.50005e4", None),
            ("1e-1", None),
            ("1e-99999999999999999999", None),
            ("-1", None),
            ("-1e2", None),
        ] {
            let mut parser = Parser::new(text, 1);
            assert_eq!(parser.number_text(), Ok(text), "{text} is a number");
            assert_eq!(super::exact_unsigned(text), value, "{text}");
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        let Err(ParseError::Syntax(error)) = parse_value("{\n  \"a\": tru\n}", 64) else {
            panic!("expected a syntax error");
        };
        assert_eq!(error.to_string(), "expected value at line 2 column 7");
    }

    #[test]
    fn nesting_past_the_limit_is_reported_as_such() {
        for check in [
            |text| parse_value(text, 3).map(|_| ()),
            |text| validate(text, 3),
        ] {
            assert_eq!(check("[[[]]]"), Ok(()));
            assert_eq!(check("[[],[[]],{\"a\":[]}]"), Ok(()));
            assert_eq!(check("[[[[]]]]"), Err(ParseError::TooDeep));
            assert_eq!(check(r#"{"a":{"b":{"c":{}}}}"#), Err(ParseError::TooDeep));
        }
    }

    /// Arbitrary JSON values, including strings with escapes, control characters and
    /// astral-plane characters, and numbers of every kind. The writers' tests use them too.
    pub(crate) fn value() -> impl Strategy<Value = Value> {
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

    /// A list of strings read as the loader reads segment key lists: minified plain items
    /// taken by the fast path, anything else the general way.
    fn string_list(text: &str) -> Option<(Vec<String>, usize)> {
        let mut parser = Parser::new(text, 8);
        if parser.peek().ok()? != Kind::Array {
            return None;
        }
        parser.begin_array().ok()?;
        let (mut items, mut fast) = (Vec::new(), 0);
        loop {
            if let Some(item) = parser.plain_string_item() {
                items.push(item.to_owned());
                fast += 1;
                continue;
            }
            if !parser.next_item().ok()? {
                break;
            }
            if !parser.at_quote() && parser.peek().ok()? != Kind::String {
                return None;
            }
            items.push(parser.string().ok()?.into_owned());
        }
        parser.finish().ok()?;
        Some((items, fast))
    }

    #[test]
    fn plain_list_items_take_the_fast_path_only_when_minified_and_unescaped() {
        let (items, fast) = string_list(r#"["a","b" ,"c\"d", "e","f"]"#).expect("a list");
        assert_eq!(items, ["a", "b", "c\"d", "e", "f"]);
        assert_eq!(fast, 3, "a, b and f");
        for broken in [
            r#"["a""b"]"#,
            r#"["a",]"#,
            r#"["a","b""#,
            r#"["a",1]"#,
            "[\"a\u{1}\"]",
        ] {
            assert_eq!(string_list(broken), None, "{broken}");
        }
    }

    proptest! {
        #[test]
        fn any_string_list_reads_the_same_as_with_serde_json(
            list in proptest::collection::vec("[a-z\"\\\\é ]{0,6}", 0..6),
            pretty in any::<bool>(),
        ) {
            let text = if pretty {
                serde_json::to_string_pretty(&list)
            } else {
                serde_json::to_string(&list)
            }
            .expect("serializable");
            prop_assert_eq!(string_list(&text).map(|(items, _)| items), Some(list));
        }

        #[test]
        fn any_whole_number_reads_exactly_in_any_notation(n in any::<u64>(), shift in 0usize..25, zeros in 0usize..3) {
            let digits = n.to_string();
            // The same number with its point moved `shift` places left and an exponent to match,
            // and trailing zeros after the point.
            let padded = format!("{}{digits}", "0".repeat(shift.saturating_sub(digits.len())));
            let (head, tail) = padded.split_at(padded.len() - shift.min(padded.len()));
            let head = if head.is_empty() { "0" } else { head };
            let text = format!("{head}.{tail}{}e{shift}", "0".repeat(zeros + 1));
            prop_assert_eq!(super::exact_unsigned(&text), Some(n), "{}", text);
            prop_assert_eq!(super::exact_unsigned(&format!("{n}.5")), None);
            let plus_one = n.checked_add(1).map_or_else(|| "18446744073709551616".to_owned(), |m| m.to_string());
            prop_assert_eq!(super::exact_unsigned(&plus_one), n.checked_add(1));
        }

        #[test]
        fn any_text_is_a_string_list_exactly_when_serde_json_says_so(text in "[\\[\\]\",a-z\\\\ ]{0,16}") {
            prop_assert_eq!(
                string_list(&text).map(|(items, _)| items),
                serde_json::from_str::<Vec<String>>(&text).ok(),
                "{:?}", text
            );
        }

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
            prop_assert_eq!(validate(&text, 128).is_ok(), theirs_grammar(&text), "{:?}", text);
            if ours(&text).is_some() {
                prop_assert!(theirs(&text).is_some(), "{:?}", text);
            }
        }
    }
}
