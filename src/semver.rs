//! Semantic versions (semver.org 2.0.0), parsed and compared with `std` only.
//!
//! Targeting rules compare app versions; a semver crate would add
//! WebAssembly size for the few operations needed here: parse and compare.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::write::Quoted;

/// Longer input is not a plausible app version; refusing it up front bounds
/// the work and the size of error messages on hostile input.
const MAX_INPUT_LEN: usize = 256;

/// A semantic version (semver.org 2.0.0), compared by precedence.
///
/// Parsing is strict semver 2.0.0 with two leniencies, because apps often
/// report such versions: a leading `v` or `V` is ignored, and a missing minor
/// and/or patch number is taken as 0 (`2` is `2.0.0`, `1.4` is `1.4.0`), but
/// only when nothing (no pre-release, no build metadata) follows the
/// shortened core.
///
/// Build metadata (`+...`) is validated and then discarded because it does
/// not affect precedence. As a consequence, equality is precedence equality:
/// `1.0.0+a == 1.0.0+b`, and [`fmt::Display`] prints no build metadata.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    major: Number,
    minor: Number,
    patch: Number,
    // Empty for a release.
    pre: Vec<Identifier>,
}

/// A numeric part of a version. Semver 2.0.0 sets no bound on them, so one beyond `u64` is
/// kept as its digits (the input's length limit bounds them).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Number {
    Small(u64),
    /// More than `u64::MAX`: the digits, without leading zeros (semver forbids them).
    Large(Box<str>),
}

impl Number {
    fn saturated(&self) -> u64 {
        match self {
            Number::Small(number) => *number,
            Number::Large(_) => u64::MAX,
        }
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Number::Small(a), Number::Small(b)) => a.cmp(b),
            (Number::Small(_), Number::Large(_)) => Ordering::Less,
            (Number::Large(_), Number::Small(_)) => Ordering::Greater,
            // Without leading zeros, more digits is a larger number; as many compare as text.
            (Number::Large(a), Number::Large(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Small(number) => write!(f, "{number}"),
            Number::Large(digits) => f.write_str(digits),
        }
    }
}

/// A pre-release identifier.
///
/// The variant order is significant: the derived ordering puts numeric
/// identifiers before alphanumeric ones, compares numbers numerically and
/// strings byte-wise (ASCII order), exactly as semver 2.0.0 §11 requires.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Identifier {
    Numeric(Number),
    Alphanumeric(String),
}

impl Version {
    /// Parses a semantic version such as `1.2.3`, `1.2.3-rc.1+build.5`,
    /// `v2.0.0`, `1.4` or `2`.
    ///
    /// # Errors
    ///
    /// Returns a [`SemverError`] describing the first problem found: an empty
    /// or over-long (more than 256 bytes) text, a missing or non-numeric part,
    /// a leading zero in a number, an empty identifier or one with characters
    /// outside `[0-9A-Za-z-]`, a shortened core followed by a pre-release or
    /// build, or more than three core numbers. Numbers may have any number of
    /// digits, as semver 2.0.0 allows.
    pub fn parse(text: &str) -> Result<Version, SemverError> {
        parse(text).map_err(|kind| SemverError { kind })
    }

    /// The major version number; `u64::MAX` for any larger one (comparisons use the exact
    /// number).
    pub fn major(&self) -> u64 {
        self.major.saturated()
    }

    /// The minor version number (0 when the text omitted it), as [`Version::major`].
    pub fn minor(&self) -> u64 {
        self.minor.saturated()
    }

    /// The patch version number (0 when the text omitted it), as [`Version::major`].
    pub fn patch(&self) -> u64 {
        self.patch.saturated()
    }
}

impl Ord for Version {
    /// Semver 2.0.0 §11 precedence.
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.major, &self.minor, &self.patch)
            .cmp(&(&other.major, &other.minor, &other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                // A release outranks any of its pre-releases.
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                // Vec ordering is field by field, and a longer list wins when
                // one is a prefix of the other, which is what §11.4 asks.
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Prints the canonical form, such as `1.2.3` or `1.2.3-alpha.1`: no `v`,
/// all three core numbers, and no build metadata (it was discarded).
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        for (index, identifier) in self.pre.iter().enumerate() {
            f.write_str(if index == 0 { "-" } else { "." })?;
            match identifier {
                Identifier::Numeric(number) => write!(f, "{number}")?,
                Identifier::Alphanumeric(s) => f.write_str(s)?,
            }
        }
        Ok(())
    }
}

impl FromStr for Version {
    type Err = SemverError;

    /// Same as [`Version::parse`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Version::parse(text)
    }
}

/// Why a text is not a semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemverError {
    kind: ErrorKind,
}

// Kept private so messages and variants can change without breaking users.
// Quoted parts are slices of the input, which is at most 256 bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    Empty,
    TooLong,
    EmptyNumber(&'static str),
    NotANumber(&'static str, String),
    LeadingZero(&'static str, String),
    TooManyParts,
    ShortenedWithSuffix,
    EmptyIdentifier(&'static str),
    InvalidCharacter(&'static str, String, char),
}

impl fmt::Display for SemverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Empty => f.write_str("empty version"),
            ErrorKind::TooLong => write!(f, "version is longer than {MAX_INPUT_LEN} bytes"),
            ErrorKind::EmptyNumber(what) => write!(f, "{what} is empty"),
            ErrorKind::NotANumber(what, part) => {
                write!(f, "{what} {} is not a number", Quoted(part))
            }
            ErrorKind::LeadingZero(what, part) => write!(f, "{what} '{part}' has a leading zero"),
            ErrorKind::TooManyParts => {
                f.write_str("too many numbers in version (expected major.minor.patch)")
            }
            ErrorKind::ShortenedWithSuffix => {
                f.write_str("pre-release or build metadata needs a full major.minor.patch version")
            }
            ErrorKind::EmptyIdentifier(what) => write!(f, "empty {what} identifier"),
            ErrorKind::InvalidCharacter(what, identifier, c) => write!(
                f,
                "invalid character {} in {what} identifier {} (allowed: 0-9, A-Z, a-z, -)",
                Quoted(c.encode_utf8(&mut [0; 4])),
                Quoted(identifier)
            ),
        }
    }
}

impl std::error::Error for SemverError {}

fn parse(text: &str) -> Result<Version, ErrorKind> {
    if text.is_empty() {
        return Err(ErrorKind::Empty);
    }
    if text.len() > MAX_INPUT_LEN {
        return Err(ErrorKind::TooLong);
    }
    let text = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('V'))
        .unwrap_or(text);

    // The first '+' starts the build metadata and the first '-' before it
    // starts the pre-release; later '-' are part of identifiers.
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };

    let mut numbers = core.split('.');
    let major = parse_number(numbers.next().unwrap_or(""), "major version")?;
    let minor = numbers
        .next()
        .map(|part| parse_number(part, "minor version"))
        .transpose()?;
    let patch = numbers
        .next()
        .map(|part| parse_number(part, "patch version"))
        .transpose()?;
    if numbers.next().is_some() {
        return Err(ErrorKind::TooManyParts);
    }
    if patch.is_none() && (pre.is_some() || build.is_some()) {
        return Err(ErrorKind::ShortenedWithSuffix);
    }

    let pre = match pre {
        Some(pre) => pre
            .split('.')
            .map(parse_pre_release_identifier)
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    if let Some(build) = build {
        // Build identifiers may have leading zeros and are not kept.
        for identifier in build.split('.') {
            check_identifier_characters(identifier, "build")?;
        }
    }

    Ok(Version {
        major,
        minor: minor.unwrap_or(Number::Small(0)),
        patch: patch.unwrap_or(Number::Small(0)),
        pre,
    })
}

fn parse_number(part: &str, what: &'static str) -> Result<Number, ErrorKind> {
    if part.is_empty() {
        return Err(ErrorKind::EmptyNumber(what));
    }
    // Checked explicitly because `u64::from_str` also accepts a leading '+'.
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorKind::NotANumber(what, part.to_owned()));
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(ErrorKind::LeadingZero(what, part.to_owned()));
    }
    // Only digits remain, so the only possible failure is a number beyond `u64`.
    Ok(part
        .parse()
        .map_or_else(|_| Number::Large(part.into()), Number::Small))
}

fn parse_pre_release_identifier(identifier: &str) -> Result<Identifier, ErrorKind> {
    check_identifier_characters(identifier, "pre-release")?;
    if identifier.bytes().all(|b| b.is_ascii_digit()) {
        parse_number(identifier, "pre-release identifier").map(Identifier::Numeric)
    } else {
        Ok(Identifier::Alphanumeric(identifier.to_owned()))
    }
}

fn check_identifier_characters(identifier: &str, what: &'static str) -> Result<(), ErrorKind> {
    if identifier.is_empty() {
        return Err(ErrorKind::EmptyIdentifier(what));
    }
    match identifier
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        Some(c) => Err(ErrorKind::InvalidCharacter(what, identifier.to_owned(), c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        match Version::parse(text) {
            Ok(version) => version,
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    fn err(text: &str) -> String {
        match Version::parse(text) {
            Ok(version) => panic!("{text:?} should be rejected, got {version}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_parts() {
        let version = v("1.2.3-alpha.1+build.5");
        assert_eq!(version.major(), 1);
        assert_eq!(version.minor(), 2);
        assert_eq!(version.patch(), 3);
        assert_eq!(version.to_string(), "1.2.3-alpha.1");
        assert_eq!(v("0.0.0").to_string(), "0.0.0");
        assert_eq!(
            v("1.0.0-x-y-z.--.0a.-1").to_string(),
            "1.0.0-x-y-z.--.0a.-1"
        );
        assert_eq!(v("1.0.0-alpha-1").to_string(), "1.0.0-alpha-1");
    }

    #[test]
    fn semver_org_precedence_chain() {
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn core_precedence() {
        assert!(v("1.0.0") < v("2.0.0"));
        assert!(v("2.0.0") < v("2.1.0"));
        assert!(v("2.1.0") < v("2.1.1"));
        assert!(v("1.9.0") < v("1.10.0"));
        assert!(v("1.0.0") < v("1.0.1-alpha"));
        assert!(v("0.9.99") < v("1.0.0-0"));
    }

    #[test]
    fn pre_release_identifier_rules() {
        assert!(v("1.0.0-2") < v("1.0.0-10"));
        assert!(v("1.0.0-999") < v("1.0.0-a"));
        assert!(v("1.0.0-999") < v("1.0.0-0a"));
        assert!(v("1.0.0-B") < v("1.0.0-a"));
        assert!(v("1.0.0--") < v("1.0.0-0a"));
        assert!(v("1.0.0-a.b") < v("1.0.0-a.b.c"));
        assert!(v("1.0.0-a.1") < v("1.0.0-a.a"));
        assert!(v(&format!("1.0.0-{}", u64::MAX)) > v("1.0.0-18446744073709551614"));
    }

    #[test]
    fn build_metadata_is_ignored() {
        assert_eq!(v("1.0.0+a"), v("1.0.0+b"));
        assert_eq!(v("1.0.0+a").cmp(&v("1.0.0+b")), Ordering::Equal);
        assert_eq!(v("1.0.0-rc.1+001"), v("1.0.0-rc.1"));
        assert_eq!(v("1.0.0+20130313144700").to_string(), "1.0.0");
        assert_eq!(v("1.0.0+exp.sha.5114f85").to_string(), "1.0.0");
        assert_eq!(err("1.0.0+"), "empty build identifier");
        assert_eq!(err("1.0.0+a..b"), "empty build identifier");
        assert_eq!(
            err("1.0.0+a_b"),
            "invalid character \"_\" in build identifier \"a_b\" (allowed: 0-9, A-Z, a-z, -)"
        );
        assert_eq!(
            err("1.0.0+a+b"),
            "invalid character \"+\" in build identifier \"a+b\" (allowed: 0-9, A-Z, a-z, -)"
        );
    }

    #[test]
    fn leniencies() {
        assert_eq!(v("v1.2.3"), v("1.2.3"));
        assert_eq!(v("V1.2.3-rc.1"), v("1.2.3-rc.1"));
        assert_eq!(v("2"), v("2.0.0"));
        assert_eq!(v("1.4"), v("1.4.0"));
        assert_eq!(v("v2"), v("2.0.0"));
        assert_eq!(v("1.4").to_string(), "1.4.0");
        assert_eq!(
            err("1.4-beta"),
            "pre-release or build metadata needs a full major.minor.patch version"
        );
        assert_eq!(
            err("2+build"),
            "pre-release or build metadata needs a full major.minor.patch version"
        );
        assert_eq!(err("vv1.0.0"), "major version \"v1\" is not a number");
        assert_eq!(err("v"), "major version is empty");
        assert_eq!(err("1."), "minor version is empty");
        assert_eq!(err("1.2."), "patch version is empty");
    }

    #[test]
    fn leading_zeros_rejected() {
        assert_eq!(err("01.0.0"), "major version '01' has a leading zero");
        assert_eq!(err("1.00.0"), "minor version '00' has a leading zero");
        assert_eq!(err("1.0.01"), "patch version '01' has a leading zero");
        assert_eq!(
            err("1.0.0-01"),
            "pre-release identifier '01' has a leading zero"
        );
        assert_eq!(
            err("1.0.0-alpha.00"),
            "pre-release identifier '00' has a leading zero"
        );
        assert_eq!(v("1.0.0-0a").to_string(), "1.0.0-0a");
        assert_eq!(v("1.0.0-0").to_string(), "1.0.0-0");
        assert_eq!(v("1.0.0+01"), v("1.0.0"));
    }

    #[test]
    fn numbers_have_no_bound_but_the_length_of_the_text() {
        let max = u64::MAX;
        assert_eq!(v(&format!("{max}.{max}.{max}-{max}")).major(), max);
        let large = v("18446744073709551616.99999999999999999999999.0-100000000000000000000");
        assert_eq!(large.major(), max, "saturated");
        assert_eq!(large.minor(), max, "saturated");
        assert_eq!(
            large.to_string(),
            "18446744073709551616.99999999999999999999999.0-100000000000000000000"
        );
        // Ordered by value: more digits is larger, as many digits compare digit by digit.
        let chain = [
            format!("{max}.0.0"),
            "18446744073709551616.0.0".to_owned(),
            "18446744073709551617.0.0".to_owned(),
            "99999999999999999999.0.0".to_owned(),
            "100000000000000000000.0.0-0".to_owned(),
            "100000000000000000000.0.0-18446744073709551616".to_owned(),
            "100000000000000000000.0.0-99999999999999999999".to_owned(),
            "100000000000000000000.0.0-100000000000000000000".to_owned(),
            "100000000000000000000.0.0-a".to_owned(),
            "100000000000000000000.0.0".to_owned(),
            "100000000000000000000.0.1".to_owned(),
            "100000000000000000000.1.0".to_owned(),
            "100000000000000000000.18446744073709551616.0".to_owned(),
        ];
        for (i, a) in chain.iter().enumerate() {
            for (j, b) in chain.iter().enumerate() {
                assert_eq!(v(a).cmp(&v(b)), i.cmp(&j), "{a} vs {b}");
                assert_eq!(v(a) == v(b), i == j, "{a} vs {b}");
            }
        }
        let longest = format!("{}.0.0", "9".repeat(252));
        assert_eq!(v(&longest).to_string(), longest);
        assert_eq!(
            err("018446744073709551616.0.0"),
            "major version '018446744073709551616' has a leading zero"
        );
    }

    #[test]
    fn other_errors() {
        assert_eq!(err(""), "empty version");
        assert_eq!(err(&"1".repeat(257)), "version is longer than 256 bytes");
        assert_eq!(
            err("1.2.3.4"),
            "too many numbers in version (expected major.minor.patch)"
        );
        assert_eq!(err("1.0.0-"), "empty pre-release identifier");
        assert_eq!(err("1.0.0-a..b"), "empty pre-release identifier");
        assert_eq!(err("1.0.0-a."), "empty pre-release identifier");
        assert_eq!(err(" 1.0.0"), "major version \" 1\" is not a number");
        assert_eq!(err("1.0.0 "), "patch version \"0 \" is not a number");
        assert_eq!(err("+1.0.0"), "major version is empty");
        assert_eq!(err("1.x.0"), "minor version \"x\" is not a number");
        assert_eq!(
            err("1.0.0-beta\n"),
            "invalid character \"\\n\" in pre-release identifier \"beta\\n\" (allowed: 0-9, A-Z, a-z, -)"
        );
    }

    #[test]
    fn from_str_and_display_round_trip() {
        for text in ["1.2.3", "0.0.1-0.a.-.b-c", "10.20.30-rc.1", "1.0.0-0a"] {
            let parsed: Version = match text.parse() {
                Ok(version) => version,
                Err(e) => panic!("{text}: {e}"),
            };
            assert_eq!(parsed.to_string(), text);
            assert_eq!(v(&parsed.to_string()), parsed);
        }
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        let garbage = [
            " ",
            "\t1.0.0",
            ".",
            "..",
            "1..0",
            ".1.0",
            "-1.0.0",
            "1.-1.0",
            "a.b.c",
            "1.0.0-",
            "1.0.0+",
            "1.0.0-+",
            "1.0.0-é",
            "１.0.0",
            "1.０.0",
            "1.0.0-βeta",
            "1.0.0\u{0}",
            "v",
            "V",
            "v.1",
            "1,0,0",
            "1.0.0-a.b+c+",
            "🦀",
            "1e3",
            "0x10.0.0",
            "latest",
            "*",
            "^1.0.0",
            ">=1.0.0",
            "1.0.0 - 2.0.0",
        ];
        for text in garbage {
            assert!(Version::parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn mutations_never_panic() {
        let valid = "v1.22.333-rc.1.x-y+b.01";
        let replacements = ['0', '9', '.', '-', '+', 'v', 'a', ' ', 'é', '９', '\u{0}'];
        for (index, _) in valid.char_indices() {
            let (head, tail) = valid.split_at(index);
            let _ = Version::parse(head);
            let rest: String = tail.chars().skip(1).collect();
            for r in replacements {
                let text = format!("{head}{r}{rest}");
                if let Ok(version) = Version::parse(&text) {
                    let reparsed = Version::parse(&version.to_string());
                    assert_eq!(reparsed.as_ref(), Ok(&version), "{text}");
                }
            }
        }
    }
}
