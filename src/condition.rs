//! Operators: how a condition is compiled from the wire format and how it is tested.

use crate::context::AttrValue;
use crate::fasthash::StrSet;
use crate::operand::Operand;
use crate::regex::Regex;
use crate::semver::Version;
use crate::timestamp::Timestamp;

/// Comparisons shared by numeric, semver and date operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Lte,
    Gt,
    Gte,
}

impl Cmp {
    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        matches!(
            (self, ordering),
            (Cmp::Eq, Equal)
                | (Cmp::Lt, Less)
                | (Cmp::Lte, Less | Equal)
                | (Cmp::Gt, Greater)
                | (Cmp::Gte, Greater | Equal)
        )
    }
}

/// A compiled operator with its pre-parsed operands.
#[derive(Clone, Debug)]
pub(crate) enum Operator {
    Exists,
    /// `equals` / `in`: any operand equal (same JSON type and value).
    OneOf {
        strings: StrSet,
        numbers: Vec<f64>,
        bools: [bool; 2],
    },
    Contains(Vec<Box<str>>),
    StartsWith(Vec<Box<str>>),
    EndsWith(Vec<Box<str>>),
    Matches(Vec<Regex>),
    Number(Cmp, Vec<f64>),
    Semver(Cmp, Vec<Version>),
    Date(Cmp, Vec<Timestamp>),
    InSegment(Vec<u32>),
}

/// What kind of operands an operator takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operands {
    None,
    Scalars,
    Strings,
    Regexes,
    Numbers,
    Versions,
    Dates,
    Segments,
}

/// Looks up an operator name: its canonical name, the operand kind, whether the name itself
/// negates (the `not…` spellings), and the comparison for ordered operators.
pub(crate) fn lookup(op: &str) -> Option<(&'static str, Operands, bool, Cmp)> {
    use Operands as O;
    Some(match op {
        "exists" => ("exists", O::None, false, Cmp::Eq),
        "equals" => ("equals", O::Scalars, false, Cmp::Eq),
        "notEquals" => ("notEquals", O::Scalars, true, Cmp::Eq),
        "in" => ("in", O::Scalars, false, Cmp::Eq),
        "notIn" => ("notIn", O::Scalars, true, Cmp::Eq),
        "contains" => ("contains", O::Strings, false, Cmp::Eq),
        "startsWith" => ("startsWith", O::Strings, false, Cmp::Eq),
        "endsWith" => ("endsWith", O::Strings, false, Cmp::Eq),
        "matches" => ("matches", O::Regexes, false, Cmp::Eq),
        "lt" => ("lt", O::Numbers, false, Cmp::Lt),
        "lte" => ("lte", O::Numbers, false, Cmp::Lte),
        "gt" => ("gt", O::Numbers, false, Cmp::Gt),
        "gte" => ("gte", O::Numbers, false, Cmp::Gte),
        "semverEq" => ("semverEq", O::Versions, false, Cmp::Eq),
        "semverLt" => ("semverLt", O::Versions, false, Cmp::Lt),
        "semverLte" => ("semverLte", O::Versions, false, Cmp::Lte),
        "semverGt" => ("semverGt", O::Versions, false, Cmp::Gt),
        "semverGte" => ("semverGte", O::Versions, false, Cmp::Gte),
        "before" => ("before", O::Dates, false, Cmp::Lt),
        "after" => ("after", O::Dates, false, Cmp::Gt),
        "inSegment" => ("inSegment", O::Segments, false, Cmp::Eq),
        "notInSegment" => ("notInSegment", O::Segments, true, Cmp::Eq),
        _ => return None,
    })
}

/// Every operator name, for documentation and error messages.
pub(crate) const OPERATOR_NAMES: &[&str] = &[
    "exists",
    "equals",
    "notEquals",
    "in",
    "notIn",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "lt",
    "lte",
    "gt",
    "gte",
    "semverEq",
    "semverLt",
    "semverLte",
    "semverGt",
    "semverGte",
    "before",
    "after",
    "inSegment",
    "notInSegment",
];

/// Builds the `OneOf` operator from scalar operands; `None` if an operand is not a scalar.
pub(crate) fn one_of(values: &[Operand]) -> Result<Operator, usize> {
    let mut numbers = Vec::new();
    let mut bools = [false; 2];
    for (index, value) in values.iter().enumerate() {
        match value {
            Operand::Text(_) => {}
            Operand::Number(number) => numbers.push(*number),
            Operand::Bool(flag) => bools[usize::from(*flag)] = true,
            Operand::Other => return Err(index),
        }
    }
    Ok(Operator::OneOf {
        // Packed straight from the operands: no list of them is gathered first.
        strings: StrSet::new(values.iter().filter_map(Operand::as_str)),
        numbers,
        bools,
    })
}

impl Operator {
    /// Whether the operator holds for `value` (before negation). A missing attribute never
    /// satisfies any operator but `inSegment`, which does not read an attribute.
    /// `parsed` is the value as read ahead by a prepared context, if it was.
    pub(crate) fn holds(
        &self,
        value: Option<&AttrValue>,
        parsed: Option<&Parsed>,
        in_segment: &dyn Fn(u32) -> bool,
    ) -> bool {
        match self {
            Operator::Exists => value.is_some(),
            Operator::InSegment(segments) => segments.iter().any(|&segment| in_segment(segment)),
            _ => match (value, parsed) {
                (None, _) => false,
                (Some(AttrValue::List(items)), _) => {
                    items.iter().any(|item| self.holds_scalar(item))
                }
                (Some(_), Some(Parsed::Version(version)))
                    if matches!(self, Operator::Semver(..)) =>
                {
                    self.holds_version(version.as_ref())
                }
                (Some(_), Some(Parsed::Date(instant))) if matches!(self, Operator::Date(..)) => {
                    self.holds_date(*instant)
                }
                (Some(scalar), _) => self.holds_scalar(scalar),
            },
        }
    }

    fn holds_version(&self, version: Option<&Version>) -> bool {
        match (self, version) {
            (Operator::Semver(cmp, operands), Some(version)) => operands
                .iter()
                .any(|operand| cmp.holds(version.cmp(operand))),
            _ => false,
        }
    }

    fn holds_date(&self, instant: Option<Timestamp>) -> bool {
        match (self, instant) {
            (Operator::Date(cmp, operands), Some(instant)) => operands
                .iter()
                .any(|operand| cmp.holds(instant.cmp(operand))),
            _ => false,
        }
    }

    fn holds_scalar(&self, value: &AttrValue) -> bool {
        match (self, value) {
            (Operator::OneOf { strings, .. }, AttrValue::String(text)) => strings.contains(text),
            (Operator::OneOf { numbers, .. }, AttrValue::Number(number)) => {
                numbers.iter().any(|n| n == number)
            }
            (Operator::OneOf { bools, .. }, AttrValue::Bool(flag)) => bools[usize::from(*flag)],
            (Operator::Contains(needles), AttrValue::String(text)) => {
                needles.iter().any(|needle| contains(text, needle))
            }
            (Operator::StartsWith(prefixes), AttrValue::String(text)) => {
                prefixes.iter().any(|prefix| text.starts_with(&**prefix))
            }
            (Operator::EndsWith(suffixes), AttrValue::String(text)) => {
                suffixes.iter().any(|suffix| text.ends_with(&**suffix))
            }
            (Operator::Matches(patterns), AttrValue::String(text)) => {
                patterns.iter().any(|re| re.is_match(text))
            }
            (Operator::Number(cmp, operands), AttrValue::Number(number)) => {
                operands.iter().any(|operand| {
                    number
                        .partial_cmp(operand)
                        .is_some_and(|ordering| cmp.holds(ordering))
                })
            }
            (Operator::Semver(..), AttrValue::String(text)) => {
                self.holds_version(Version::parse(text).ok().as_ref())
            }
            (Operator::Date(..), value) => self.holds_date(date_of(value)),
            _ => false,
        }
    }
}

/// Whether `needle` occurs in `text`, byte for byte, in time linear in both (an evaluation is
/// charged `text + needle` for it). The standard library's substring search would bring its panic
/// formatting into the WebAssembly. Short needles are compared window by window (at most eight
/// bytes per position); longer ones go through a Knuth–Morris–Pratt scan, which never looks at
/// a byte of the text twice, so `aaaa…b` in `aaaa…a` costs no more than any other search.
fn contains(text: &str, needle: &str) -> bool {
    let (text, needle) = (text.as_bytes(), needle.as_bytes());
    if needle.len() <= 8 {
        return needle.is_empty() || text.windows(needle.len()).any(|window| window == needle);
    }
    if needle.len() > text.len() {
        return false;
    }
    // border[i]: the length of the longest proper prefix of needle[..=i] that is also its suffix.
    let mut border = vec![0usize; needle.len()];
    let mut length = 0;
    for (i, &byte) in needle.iter().enumerate().skip(1) {
        while length > 0 && needle.get(length) != Some(&byte) {
            length = border.get(length - 1).copied().unwrap_or(0);
        }
        if needle.get(length) == Some(&byte) {
            length += 1;
        }
        if let Some(slot) = border.get_mut(i) {
            *slot = length;
        }
    }
    let mut matched = 0;
    for &byte in text {
        while matched > 0 && needle.get(matched) != Some(&byte) {
            matched = border.get(matched - 1).copied().unwrap_or(0);
        }
        if needle.get(matched) == Some(&byte) {
            matched += 1;
            if matched == needle.len() {
                return true;
            }
        }
    }
    false
}

/// What preparing a context reads ahead for an attribute: the version or instant that the
/// attribute's version or date conditions would otherwise parse on every evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadAhead {
    Nothing,
    Version,
    Date,
    /// Both kinds of condition read the attribute (unusual): it is parsed when tested.
    Both,
}

impl ReadAhead {
    pub(crate) fn with(self, other: ReadAhead) -> ReadAhead {
        match (self, other) {
            (ReadAhead::Nothing, kind) | (kind, ReadAhead::Nothing) => kind,
            (a, b) if a == b => a,
            _ => ReadAhead::Both,
        }
    }
}

/// A context value read ahead (see [`ReadAhead`]); `None` inside when it is not a version or
/// an instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    Unread,
    Version(Option<Version>),
    Date(Option<Timestamp>),
}

impl Parsed {
    pub(crate) fn read(kind: ReadAhead, value: &AttrValue) -> Parsed {
        match (kind, value) {
            (ReadAhead::Version, AttrValue::String(text)) => {
                Parsed::Version(Version::parse(text).ok())
            }
            (ReadAhead::Version, AttrValue::Number(_) | AttrValue::Bool(_)) => {
                Parsed::Version(None)
            }
            (ReadAhead::Date, AttrValue::String(_) | AttrValue::Number(_)) => {
                Parsed::Date(date_of(value))
            }
            (ReadAhead::Date, AttrValue::Bool(_)) => Parsed::Date(None),
            _ => Parsed::Unread,
        }
    }
}

/// The most Unix milliseconds a context number may hold to be an instant, either side of the
/// epoch: JavaScript's `Date` range (±100,000,000 days), so every instant a JavaScript caller
/// can hold is one here, and nothing beyond.
const MAX_UNIX_MILLIS: f64 = 8.64e15;

/// A context value read as an instant: an RFC 3339 string, or a number of Unix milliseconds.
fn date_of(value: &AttrValue) -> Option<Timestamp> {
    match value {
        AttrValue::String(text) => Timestamp::parse_rfc3339(text).ok(),
        AttrValue::Number(millis) if millis.abs() <= MAX_UNIX_MILLIS => {
            // Within ±273,790 years, so the cast is exact for the integral part.
            #[allow(clippy::cast_possible_truncation)]
            let whole = millis.floor() as i64;
            Some(Timestamp::from_unix_millis(whole))
        }
        _ => None,
    }
}

/// A compiled condition.
#[derive(Clone, Debug)]
pub(crate) struct Condition {
    /// Attribute id in the engine's attribute table (unused by `inSegment`).
    pub(crate) attribute: Option<u32>,
    pub(crate) op_name: &'static str,
    /// What the operands weigh in an evaluation's cost, summed once here so that charging a
    /// test takes the same few steps however many operands there are.
    pub(crate) weight: crate::cost::Weight,
    pub(crate) operator: Operator,
    pub(crate) negate: bool,
    /// Slot in a context's memo for operators worth remembering (regexes): the same test on the
    /// same attribute gives the same answer for every flag, so a bulk evaluation runs it once.
    pub(crate) memo: Option<u32>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{contains, date_of, AttrValue, Timestamp};

    #[test]
    fn unix_milliseconds_are_an_instant_within_javascripts_date_range_inclusive() {
        let millis = |number: f64| date_of(&AttrValue::Number(number));
        for (number, instant) in [
            (8.64e15, Some("+275760-09-13T00:00:00Z")),
            (-8.64e15, Some("-271821-04-20T00:00:00Z")),
            (8.64e15 + 1.0, None),
            (-8.64e15 - 1.0, None),
            (1e20, None),
            (-1e20, None),
            (f64::INFINITY, None),
            (f64::NAN, None),
        ] {
            assert_eq!(
                millis(number).map(|at| at.to_string()),
                instant.map(str::to_owned),
                "{number}"
            );
        }
        assert_eq!(millis(-0.5), Some(Timestamp::from_unix_millis(-1)));
    }

    #[test]
    fn a_long_needle_is_found_at_the_start_the_end_and_after_false_starts() {
        let needle = "aaaaaaaaab";
        assert!(contains("aaaaaaaaab", needle));
        assert!(contains("xaaaaaaaaaaaaaaab", needle));
        assert!(!contains("aaaaaaaaaaaaaaaaaaaa", needle));
        assert!(
            contains("abababababcabababababcd", "ababababcd")
                == "abababababcabababababcd".contains("ababababcd")
        );
        assert!(contains("ab ab abcab abcabcabd!", "abcabcabd"));
        assert!(!contains("short", "longer than the text"));
    }

    /// A text made of prefixes of `needle` and single letters: near misses and overlapping
    /// partial matches, where a search that falls back wrongly after a mismatch shows.
    fn near_misses(needle: &str, pieces: &[(usize, bool)]) -> String {
        pieces
            .iter()
            .map(|&(length, letter)| match (letter, needle.get(..length)) {
                (false, Some(prefix)) => prefix,
                (false, None) => needle,
                (true, _) if length % 2 == 0 => "a",
                (true, _) => "b",
            })
            .collect()
    }

    proptest! {
        // Small alphabets make repeated prefixes, where a wrong border table shows.
        #[test]
        fn contains_agrees_with_the_standard_search(
            text in "[ab]{0,40}",
            needle in "[ab]{0,14}",
        ) {
            prop_assert_eq!(contains(&text, &needle), text.contains(needle.as_str()));
        }

        #[test]
        fn contains_agrees_with_the_standard_search_among_near_misses(
            needle in "[ab]{9,16}",
            pieces in proptest::collection::vec((0usize..17, proptest::bool::ANY), 0..10),
        ) {
            let text = near_misses(&needle, &pieces);
            prop_assert_eq!(contains(&text, &needle), text.contains(needle.as_str()), "{}", text);
        }
    }
}
