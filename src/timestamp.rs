//! RFC 3339 instants, parsed and printed with `std` only.
//!
//! Snapshots carry instants (schedules, the evaluation `now`) as RFC 3339
//! text. A date-time crate would cost more WebAssembly size than this whole
//! module, and we only ever need UTC instants, never calendars or time zones.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Anything longer cannot be a valid instant (the longest one is 35 bytes);
/// refusing it up front bounds the work done on hostile input.
const MAX_INPUT_LEN: usize = 64;

/// An instant in UTC with nanosecond precision (what RFC 3339 instants in snapshots and `now` are).
///
/// Equality and ordering are chronological. Parsing accepts the RFC 3339
/// `date-time` grammar (see [`Timestamp::parse_rfc3339`]); [`fmt::Display`]
/// prints RFC 3339 in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    // Declared before `nanos` because the derived ordering compares fields in
    // declaration order.
    secs: i64,
    // Kept below one second so that every instant has exactly one
    // representation, which is what makes the derived Eq/Ord chronological.
    nanos: u32,
}

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Timestamp = Timestamp { secs: 0, nanos: 0 };

    /// Parses an RFC 3339 (section 5.6) `date-time`, such as
    /// `2026-11-22T03:04:05Z`, `2026-11-22t03:04:05.25z` or
    /// `2026-11-22 04:04:05+01:00`.
    ///
    /// The grammar is `YYYY-MM-DD`, then `T`, `t` or a single space, then
    /// `hh:mm:ss`, an optional `.` with 1 to 9 digits, then `Z`, `z`,
    /// `+hh:mm` or `-hh:mm`. The offset is applied, so the result is UTC.
    /// Days are checked against the month length with Gregorian leap years.
    ///
    /// A leap second (`ss` = 60) is accepted at any minute and counts as the
    /// first second of the next minute: `2016-12-31T23:59:60Z` equals
    /// `2017-01-01T00:00:00Z`. Without a leap-second table this is the only
    /// consistent choice, and it keeps such instants ordered after the
    /// preceding second.
    ///
    /// # Errors
    ///
    /// Returns a [`TimestampError`] describing the first problem found when
    /// the text is not such an instant, including a date without a time, a
    /// missing offset, trailing characters, and input longer than 64 bytes.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        parse(text).map_err(|kind| TimestampError { kind })
    }

    /// The instant `ms` milliseconds after the Unix epoch (before it when
    /// negative). Every `i64` is representable.
    pub fn from_unix_millis(ms: i64) -> Timestamp {
        // Euclidean division keeps the sub-second part non-negative, so
        // -1 ms is one millisecond before the epoch, not after it.
        let secs = ms.div_euclid(1000);
        // `rem_euclid(1000)` is in 0..1000, so the cast is lossless.
        let millis = ms.rem_euclid(1000) as u32;
        Timestamp {
            secs,
            nanos: millis * 1_000_000,
        }
    }

    /// `secs` whole seconds and `nanos` (carried into the seconds past 10^9) after the epoch;
    /// `None` when the seconds overflow. Avoids 128-bit division, which the WebAssembly build
    /// would otherwise carry. (Only the WebAssembly bindings need it.)
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn from_unix_parts(secs: i64, nanos: u32) -> Option<Timestamp> {
        let secs = secs.checked_add(i64::from(nanos / NANOS_PER_SEC))?;
        Some(Timestamp {
            secs,
            nanos: nanos % NANOS_PER_SEC,
        })
    }

    /// The instant `nanos` nanoseconds after the Unix epoch (before it when
    /// negative), or `None` when its whole seconds do not fit in an `i64`.
    pub fn from_unix_nanos(nanos: i128) -> Option<Timestamp> {
        let per_sec = i128::from(NANOS_PER_SEC);
        let secs = i64::try_from(nanos.div_euclid(per_sec)).ok()?;
        // `rem_euclid` is in 0..1_000_000_000, so the cast is lossless.
        let nanos = nanos.rem_euclid(per_sec) as u32;
        Some(Timestamp { secs, nanos })
    }

    /// Whole seconds since the Unix epoch, rounded towards the past (so an
    /// instant half a second before the epoch gives -1).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// The nanoseconds past [`Timestamp::unix_seconds`], always below
    /// 1_000_000_000.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// The current instant, from the system clock.
    ///
    /// ```
    /// use vexil::Timestamp;
    ///
    /// let now = Timestamp::now();
    /// assert!(now > Timestamp::parse_rfc3339("2024-01-01T00:00:00Z")?);
    /// # Ok::<(), vexil::TimestampError>(())
    /// ```
    ///
    /// Not in the `wasm32-unknown-unknown` build: the standard library has no clock there
    /// (`SystemTime::now` panics), so JavaScript passes its own `Date.now()` instead.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn now() -> Timestamp {
        Timestamp::from(SystemTime::now())
    }

    /// The same instant as a [`SystemTime`], or `None` when the platform's `SystemTime` cannot
    /// hold it (instants far from the epoch, which only [`Timestamp::from_unix_nanos`] and the
    /// like can make).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use vexil::Timestamp;
    ///
    /// let instant = Timestamp::parse_rfc3339("1970-01-01T00:00:01.5Z")?;
    /// assert_eq!(
    ///     instant.to_system_time(),
    ///     Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1500))
    /// );
    /// # Ok::<(), vexil::TimestampError>(())
    /// ```
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let whole = Duration::from_secs(self.secs.unsigned_abs());
        let since = if self.secs >= 0 {
            SystemTime::UNIX_EPOCH.checked_add(whole)?
        } else {
            SystemTime::UNIX_EPOCH.checked_sub(whole)?
        };
        since.checked_add(Duration::from_nanos(u64::from(self.nanos)))
    }

    /// Milliseconds since the Unix epoch, rounded towards the past, and
    /// saturating at `i64::MIN`/`i64::MAX` for instants beyond that range.
    pub fn unix_millis(&self) -> i64 {
        // i128 holds the exact value; saturating the i64 steps separately
        // would be off by the sub-second part near the limits.
        let exact = i128::from(self.secs) * 1000 + i128::from(self.nanos / 1_000_000);
        i64::try_from(exact).unwrap_or(if exact < 0 { i64::MIN } else { i64::MAX })
    }
}

/// Prints RFC 3339 in UTC, for example `2026-11-22T03:04:05Z`.
///
/// A fraction is printed only when non-zero, with 3, 6 or 9 digits, whichever
/// is the shortest exact one (`.250Z`, `.000001Z`, `.000000001Z`), so the text
/// parses back to the same instant.
///
/// RFC 3339 cannot represent years outside 0000..=9999. Such years (only
/// reachable through [`Timestamp::from_unix_millis`] or
/// [`Timestamp::from_unix_nanos`], or an offset pushing year 0000 back) are
/// printed with a sign and at least four digits, as in ISO 8601's expanded
/// representation: `+10000-01-01T00:00:00Z`, `-0001-12-31T23:00:00Z`. That
/// text is not accepted by [`Timestamp::parse_rfc3339`].
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(SECS_PER_DAY);
        let sec_of_day = self.secs.rem_euclid(SECS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else {
            // The width counts the sign, so this gives at least four digits.
            write!(f, "{year:+05}")?;
        }
        write!(
            f,
            "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            sec_of_day / 3600,
            sec_of_day % 3600 / 60,
            sec_of_day % 60
        )?;
        let nanos = self.nanos;
        if nanos == 0 {
            // No fraction.
        } else if nanos % 1_000_000 == 0 {
            write!(f, ".{:03}", nanos / 1_000_000)?;
        } else if nanos % 1000 == 0 {
            write!(f, ".{:06}", nanos / 1000)?;
        } else {
            write!(f, ".{nanos:09}")?;
        }
        f.write_str("Z")
    }
}

/// The instant a [`SystemTime`] stands for, to nanosecond precision.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use vexil::Timestamp;
///
/// let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_795_316_645_123);
/// assert_eq!(Timestamp::from(time).to_string(), "2026-11-22T03:04:05.123Z");
/// let before = SystemTime::UNIX_EPOCH - Duration::from_millis(1);
/// assert_eq!(Timestamp::from(before).to_string(), "1969-12-31T23:59:59.999Z");
/// ```
///
/// A `SystemTime` beyond what a `Timestamp` holds (about 292 billion years either side of the
/// epoch; no platform's clock gets there) gives the nearest `Timestamp` instead.
impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Timestamp {
        match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => {
                let secs = i64::try_from(after.as_secs()).unwrap_or(i64::MAX);
                Timestamp {
                    secs,
                    nanos: after.subsec_nanos(),
                }
            }
            Err(error) => {
                // `before` is how far before the epoch: its sub-second part counts down from
                // the next whole second, so -0.25 s is second -1 plus 0.75 s.
                let before = error.duration();
                let whole = i64::try_from(before.as_secs()).map_or(i64::MIN, |secs| -secs);
                match before.subsec_nanos() {
                    0 => Timestamp {
                        secs: whole,
                        nanos: 0,
                    },
                    nanos => match whole.checked_sub(1) {
                        Some(secs) => Timestamp {
                            secs,
                            nanos: NANOS_PER_SEC - nanos,
                        },
                        None => Timestamp {
                            secs: i64::MIN,
                            nanos: 0,
                        },
                    },
                }
            }
        }
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// Same as [`Timestamp::parse_rfc3339`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Timestamp::parse_rfc3339(text)
    }
}

/// Why a text is not an RFC 3339 instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampError {
    kind: ErrorKind,
}

// Kept private so messages and variants can change without breaking users.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ErrorKind {
    Empty,
    TooLong,
    /// A fixed-width number is missing or has a non-digit.
    ExpectedDigits(&'static str),
    /// A separator other than the date/time one is missing.
    ExpectedSeparator(char, &'static str),
    MissingTime,
    ExpectedDateTimeSeparator,
    OutOfRange(&'static str, u32),
    DayOutOfRange {
        day: u32,
        year: u32,
        month: u32,
    },
    EmptyFraction,
    FractionTooLong,
    MissingOffset,
    InvalidOffset,
    TrailingCharacters,
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Empty => f.write_str("empty timestamp"),
            ErrorKind::TooLong => write!(f, "timestamp is longer than {MAX_INPUT_LEN} bytes"),
            ErrorKind::ExpectedDigits(what) => write!(f, "expected {what}"),
            ErrorKind::ExpectedSeparator(sep, after) => write!(f, "expected '{sep}' after {after}"),
            ErrorKind::MissingTime => {
                f.write_str("missing time (add 'T' and hh:mm:ss after the date)")
            }
            ErrorKind::ExpectedDateTimeSeparator => {
                f.write_str("expected 'T' between date and time")
            }
            ErrorKind::OutOfRange(field, value) => write!(f, "{field} {value} is out of range"),
            ErrorKind::DayOutOfRange { day, year, month } => {
                write!(f, "day {day} is out of range for {year:04}-{month:02}")
            }
            ErrorKind::EmptyFraction => f.write_str("expected digits after '.'"),
            ErrorKind::FractionTooLong => f.write_str("fraction has more than 9 digits"),
            ErrorKind::MissingOffset => f.write_str("missing time zone offset (add Z or +hh:mm)"),
            ErrorKind::InvalidOffset => {
                f.write_str("expected time zone offset Z, +hh:mm or -hh:mm")
            }
            ErrorKind::TrailingCharacters => {
                f.write_str("unexpected characters after the time zone offset")
            }
        }
    }
}

impl std::error::Error for TimestampError {}

/// Reads the input byte by byte. Every byte it accepts is ASCII, so
/// multi-byte UTF-8 (such as full-width digits) simply fails to match.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn advance(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    /// Reads exactly `count` ASCII digits; `count` is at most 4 here, so the
    /// value cannot overflow.
    fn digits(&mut self, count: usize, what: &'static str) -> Result<u32, ErrorKind> {
        let mut value: u32 = 0;
        for _ in 0..count {
            match self.peek() {
                Some(b @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(b - b'0');
                    self.advance();
                }
                _ => return Err(ErrorKind::ExpectedDigits(what)),
            }
        }
        Ok(value)
    }

    fn separator(&mut self, sep: u8, after: &'static str) -> Result<(), ErrorKind> {
        if self.peek() == Some(sep) {
            self.advance();
            Ok(())
        } else {
            Err(ErrorKind::ExpectedSeparator(char::from(sep), after))
        }
    }
}

fn parse(text: &str) -> Result<Timestamp, ErrorKind> {
    if text.is_empty() {
        return Err(ErrorKind::Empty);
    }
    if text.len() > MAX_INPUT_LEN {
        return Err(ErrorKind::TooLong);
    }
    let mut cur = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };

    let year = cur.digits(4, "a 4-digit year")?;
    cur.separator(b'-', "the year")?;
    let month = cur.digits(2, "a 2-digit month")?;
    if !(1..=12).contains(&month) {
        return Err(ErrorKind::OutOfRange("month", month));
    }
    cur.separator(b'-', "the month")?;
    let day = cur.digits(2, "a 2-digit day")?;
    if day < 1 || day > days_in_month(year, month) {
        return Err(ErrorKind::DayOutOfRange { day, year, month });
    }

    match cur.peek() {
        None => return Err(ErrorKind::MissingTime),
        Some(b'T' | b't' | b' ') => cur.advance(),
        Some(_) => return Err(ErrorKind::ExpectedDateTimeSeparator),
    }

    let hour = cur.digits(2, "a 2-digit hour")?;
    if hour > 23 {
        return Err(ErrorKind::OutOfRange("hour", hour));
    }
    cur.separator(b':', "the hour")?;
    let minute = cur.digits(2, "a 2-digit minute")?;
    if minute > 59 {
        return Err(ErrorKind::OutOfRange("minute", minute));
    }
    cur.separator(b':', "the minute")?;
    let second = cur.digits(2, "a 2-digit second")?;
    if second > 60 {
        return Err(ErrorKind::OutOfRange("second", second));
    }

    let mut nanos: u32 = 0;
    if cur.peek() == Some(b'.') {
        cur.advance();
        let mut count: u32 = 0;
        while let Some(b @ b'0'..=b'9') = cur.peek() {
            if count == 9 {
                return Err(ErrorKind::FractionTooLong);
            }
            // At most 9 digits, so at most 999_999_999: no overflow.
            nanos = nanos * 10 + u32::from(b - b'0');
            count += 1;
            cur.advance();
        }
        if count == 0 {
            return Err(ErrorKind::EmptyFraction);
        }
        // Scale to nanoseconds: `.25` is 250_000_000, not 25.
        nanos *= 10u32.pow(9 - count);
    }

    let offset_secs: i64 = match cur.peek() {
        None => return Err(ErrorKind::MissingOffset),
        Some(b'Z' | b'z') => {
            cur.advance();
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            cur.advance();
            let oh = cur.digits(2, "a 2-digit offset hour")?;
            if oh > 23 {
                return Err(ErrorKind::OutOfRange("offset hour", oh));
            }
            cur.separator(b':', "the offset hour")?;
            let om = cur.digits(2, "a 2-digit offset minute")?;
            if om > 59 {
                return Err(ErrorKind::OutOfRange("offset minute", om));
            }
            let magnitude = i64::from(oh) * 3600 + i64::from(om) * 60;
            if sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        Some(_) => return Err(ErrorKind::InvalidOffset),
    };

    if cur.peek().is_some() {
        return Err(ErrorKind::TrailingCharacters);
    }

    // The year is at most 9999, so none of this can overflow an i64.
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    let local =
        days * SECS_PER_DAY + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
    // The offset says how far local time is ahead of UTC.
    Ok(Timestamp {
        secs: local - offset_secs,
        nanos,
    })
}

fn is_leap_year(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`). Callers pass years within 0..=9999, far from overflow.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Counting years from March puts the leap day at the end of the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`), as (year, month, day).
///
/// Callers pass `i64` seconds divided by 86_400, so `days` is within about
/// ±1.1e14 and the year within about ±2.9e11: no intermediate overflows.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        match Timestamp::parse_rfc3339(text) {
            Ok(t) => t,
            Err(e) => panic!("{text:?} should parse: {e}"),
        }
    }

    fn err(text: &str) -> String {
        match Timestamp::parse_rfc3339(text) {
            Ok(t) => panic!("{text:?} should be rejected, got {t}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn system_times_convert_both_ways_on_either_side_of_the_epoch() {
        let epoch = SystemTime::UNIX_EPOCH;
        let cases = [
            (epoch, "1970-01-01T00:00:00Z"),
            (
                epoch + Duration::new(1, 1),
                "1970-01-01T00:00:01.000000001Z",
            ),
            (
                epoch - Duration::new(0, 1),
                "1969-12-31T23:59:59.999999999Z",
            ),
            (epoch - Duration::new(1, 0), "1969-12-31T23:59:59Z"),
            (
                epoch - Duration::new(1, 250_000_000),
                "1969-12-31T23:59:58.750Z",
            ),
            (
                epoch + Duration::new(1_795_316_645, 123_000_000),
                "2026-11-22T03:04:05.123Z",
            ),
        ];
        for (time, text) in cases {
            let instant = Timestamp::from(time);
            assert_eq!(instant, ts(text), "{time:?}");
            assert_eq!(instant.to_system_time(), Some(time), "{text}");
        }
        // At the ends of the range: the same instant back where SystemTime holds it (Linux
        // does), else None, never a panic.
        for secs in [i64::MAX, i64::MIN, i64::MIN + 1] {
            for nanos in [0, 999_999_999] {
                let instant = Timestamp { secs, nanos };
                if let Some(time) = instant.to_system_time() {
                    assert_eq!(Timestamp::from(time), instant);
                }
            }
        }
    }

    #[test]
    fn now_is_the_system_clock() {
        let before = Timestamp::from(SystemTime::now());
        let now = Timestamp::now();
        let after = Timestamp::from(SystemTime::now());
        assert!(before <= now && now <= after, "{before} {now} {after}");
    }

    #[test]
    fn whole_seconds_and_nanoseconds_make_an_instant_with_the_carry() {
        let at = |secs, nanos| Timestamp::from_unix_parts(secs, nanos);
        assert_eq!(at(5, 7), Timestamp::from_unix_nanos(5_000_000_007));
        assert_eq!(
            at(-1, 2_500_000_000),
            Timestamp::from_unix_nanos(1_500_000_000)
        );
        assert_eq!(at(i64::MAX, 1_000_000_000), None);
    }

    #[test]
    fn epoch() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), Timestamp::UNIX_EPOCH);
        assert_eq!(Timestamp::UNIX_EPOCH.to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(Timestamp::UNIX_EPOCH.unix_seconds(), 0);
        assert_eq!(Timestamp::UNIX_EPOCH.subsec_nanos(), 0);
    }

    #[test]
    fn known_instants() {
        let t = ts("2026-11-22T03:04:05Z");
        assert_eq!(t.unix_seconds(), 1_795_316_645);
        assert_eq!(ts("2000-03-01T00:00:00Z").unix_seconds(), 951_868_800);
        assert_eq!(ts("0000-01-01T00:00:00Z").unix_seconds(), -62_167_219_200);
        assert_eq!(ts("9999-12-31T23:59:59Z").unix_seconds(), 253_402_300_799);
        assert_eq!(ts("1969-12-31T23:59:59Z").unix_seconds(), -1);
    }

    #[test]
    fn round_trips() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-11-22T03:04:05Z",
            "2024-02-29T12:00:00.250Z",
            "2024-02-29T12:00:00.000001Z",
            "2024-02-29T12:00:00.000000001Z",
            "2024-02-29T12:00:00.123456789Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "1600-02-29T00:00:00Z",
            "1969-07-20T20:17:40Z",
        ] {
            let t = ts(text);
            assert_eq!(t.to_string(), text);
            assert_eq!(ts(&t.to_string()), t);
        }
    }

    #[test]
    fn round_trip_every_day_over_several_centuries() {
        // Covers every month length and the 100/400-year leap rules.
        let start = ts("1599-01-01T00:00:00Z").unix_seconds() / SECS_PER_DAY;
        let end = ts("2401-12-31T00:00:00Z").unix_seconds() / SECS_PER_DAY;
        let mut previous = None;
        for day in start..=end {
            let t = Timestamp {
                secs: day * SECS_PER_DAY + 3661,
                nanos: 0,
            };
            let text = t.to_string();
            assert_eq!(ts(&text), t, "{text}");
            if let Some(p) = previous {
                assert!(p < t);
            }
            previous = Some(t);
        }
    }

    #[test]
    fn leap_years() {
        assert!(Timestamp::parse_rfc3339("2024-02-29T00:00:00Z").is_ok());
        assert!(Timestamp::parse_rfc3339("2000-02-29T00:00:00Z").is_ok());
        assert_eq!(
            err("2023-02-29T00:00:00Z"),
            "day 29 is out of range for 2023-02"
        );
        assert_eq!(
            err("1900-02-29T00:00:00Z"),
            "day 29 is out of range for 1900-02"
        );
        assert_eq!(
            err("2024-02-30T00:00:00Z"),
            "day 30 is out of range for 2024-02"
        );
        assert_eq!(
            err("2026-04-31T00:00:00Z"),
            "day 31 is out of range for 2026-04"
        );
        assert_eq!(
            err("2026-01-00T00:00:00Z"),
            "day 0 is out of range for 2026-01"
        );
        assert!(Timestamp::parse_rfc3339("2026-01-31T00:00:00Z").is_ok());
        assert_eq!(
            ts("2024-03-01T00:00:00Z").unix_seconds() - ts("2024-02-28T00:00:00Z").unix_seconds(),
            2 * SECS_PER_DAY
        );
    }

    #[test]
    fn offsets() {
        assert_eq!(ts("2026-01-01T00:30:00+01:00"), ts("2025-12-31T23:30:00Z"));
        assert_eq!(ts("2025-12-31T18:00:00-05:30"), ts("2025-12-31T23:30:00Z"));
        assert_eq!(ts("2026-01-01T00:00:00-00:00"), ts("2026-01-01T00:00:00Z"));
        assert_eq!(ts("2026-01-01T00:00:00+00:00"), ts("2026-01-01T00:00:00Z"));
        assert_eq!(ts("2026-06-15T12:00:00+23:59"), ts("2026-06-14T12:01:00Z"));
        assert_eq!(
            ts("2026-01-01T00:30:00.5+01:00").to_string(),
            "2025-12-31T23:30:00.500Z"
        );
    }

    #[test]
    fn lowercase_and_space_separators() {
        let upper = ts("2026-11-22T03:04:05Z");
        assert_eq!(ts("2026-11-22t03:04:05z"), upper);
        assert_eq!(ts("2026-11-22 03:04:05Z"), upper);
        assert_eq!(err("2026-11-22  03:04:05Z"), "expected a 2-digit hour");
    }

    #[test]
    fn fractions() {
        let base = ts("2026-01-01T00:00:00Z");
        let cases = [
            ("1", 100_000_000),
            ("12", 120_000_000),
            ("123", 123_000_000),
            ("1234", 123_400_000),
            ("12345", 123_450_000),
            ("123456", 123_456_000),
            ("1234567", 123_456_700),
            ("12345678", 123_456_780),
            ("123456789", 123_456_789),
            ("000000001", 1),
            ("000000000", 0),
        ];
        for (fraction, nanos) in cases {
            let t = ts(&format!("2026-01-01T00:00:00.{fraction}Z"));
            assert_eq!(t.unix_seconds(), base.unix_seconds());
            assert_eq!(t.subsec_nanos(), nanos, "{fraction}");
        }
        assert_eq!(
            err("2026-01-01T00:00:00.1234567890Z"),
            "fraction has more than 9 digits"
        );
        assert_eq!(err("2026-01-01T00:00:00.Z"), "expected digits after '.'");
        assert_eq!(err("2026-01-01T00:00:00."), "expected digits after '.'");
    }

    #[test]
    fn leap_second() {
        assert_eq!(ts("2016-12-31T23:59:60Z"), ts("2017-01-01T00:00:00Z"));
        assert_eq!(ts("2016-12-31T23:59:60.5Z"), ts("2017-01-01T00:00:00.5Z"));
        assert_eq!(ts("2017-01-01T00:59:60+01:00"), ts("2017-01-01T00:00:00Z"));
        assert!(ts("2016-12-31T23:59:59.999Z") < ts("2016-12-31T23:59:60Z"));
        assert_eq!(err("2016-12-31T23:59:61Z"), "second 61 is out of range");
    }

    #[test]
    fn unix_millis_conversions() {
        let t = Timestamp::from_unix_millis(-1);
        assert_eq!(t.to_string(), "1969-12-31T23:59:59.999Z");
        assert_eq!(t.unix_seconds(), -1);
        assert_eq!(t.subsec_nanos(), 999_000_000);
        assert_eq!(t.unix_millis(), -1);

        assert_eq!(Timestamp::from_unix_millis(0), Timestamp::UNIX_EPOCH);
        assert_eq!(
            Timestamp::from_unix_millis(-1000).to_string(),
            "1969-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(-1001).to_string(),
            "1969-12-31T23:59:58.999Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(1250).to_string(),
            "1970-01-01T00:00:01.250Z"
        );
        let ms = 1_795_316_645_123;
        assert_eq!(
            Timestamp::from_unix_millis(ms).to_string(),
            "2026-11-22T03:04:05.123Z"
        );
        for ms in [
            i64::MIN,
            i64::MIN + 1,
            -1_001,
            -999,
            -1,
            0,
            1,
            999,
            1_000,
            ms,
            i64::MAX,
        ] {
            assert_eq!(Timestamp::from_unix_millis(ms).unix_millis(), ms);
        }
        // Floor, not truncation, for instants before the epoch.
        let t = Timestamp::from_unix_nanos(-1).unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(t.unix_millis(), -1);
        assert_eq!(t.unix_seconds(), -1);
        assert_eq!(t.subsec_nanos(), 999_999_999);
    }

    #[test]
    fn unix_nanos_conversions() {
        assert_eq!(Timestamp::from_unix_nanos(0), Some(Timestamp::UNIX_EPOCH));
        assert_eq!(
            Timestamp::from_unix_nanos(1_500_000_001).map(|t| t.to_string()),
            Some("1970-01-01T00:00:01.500000001Z".to_owned())
        );
        let max = i128::from(i64::MAX) * 1_000_000_000 + 999_999_999;
        let min = i128::from(i64::MIN) * 1_000_000_000;
        assert!(Timestamp::from_unix_nanos(max).is_some());
        assert!(Timestamp::from_unix_nanos(min).is_some());
        assert_eq!(Timestamp::from_unix_nanos(max + 1), None);
        assert_eq!(Timestamp::from_unix_nanos(min - 1), None);
        assert_eq!(Timestamp::from_unix_nanos(i128::MAX), None);
        assert_eq!(Timestamp::from_unix_nanos(i128::MIN), None);
    }

    #[test]
    fn unix_millis_saturates() {
        let max = Timestamp {
            secs: i64::MAX,
            nanos: 999_999_999,
        };
        let min = Timestamp {
            secs: i64::MIN,
            nanos: 999_999_999,
        };
        assert_eq!(max.unix_millis(), i64::MAX);
        assert_eq!(min.unix_millis(), i64::MIN);
    }

    #[test]
    fn ordering() {
        let mut list = [
            ts("2026-01-01T00:00:00.000000001Z"),
            ts("1969-12-31T23:59:59.999Z"),
            ts("2026-01-01T00:00:00Z"),
            ts("2025-12-31T23:59:59.999999999Z"),
            ts("1970-01-01T00:00:00Z"),
        ];
        list.sort();
        let texts: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "1969-12-31T23:59:59.999Z",
                "1970-01-01T00:00:00Z",
                "2025-12-31T23:59:59.999999999Z",
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00.000000001Z",
            ]
        );
        assert!(ts("2026-01-01T01:00:00+02:00") < ts("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn display_forms() {
        assert_eq!(
            ts("2026-11-22T03:04:05.250Z").to_string(),
            "2026-11-22T03:04:05.250Z"
        );
        assert_eq!(
            ts("2026-11-22T03:04:05.000001Z").to_string(),
            "2026-11-22T03:04:05.000001Z"
        );
        assert_eq!(
            ts("2026-11-22T03:04:05.000100Z").to_string(),
            "2026-11-22T03:04:05.000100Z"
        );
        assert_eq!(
            ts("2026-11-22T03:04:05.1234Z").to_string(),
            "2026-11-22T03:04:05.123400Z"
        );
        assert_eq!(
            ts("2026-11-22T03:04:05.0000001Z").to_string(),
            "2026-11-22T03:04:05.000000100Z"
        );
        assert_eq!(
            ts("2026-11-22T03:04:05.000Z").to_string(),
            "2026-11-22T03:04:05Z"
        );
        assert_eq!(
            ts("0001-02-03T04:05:06Z").to_string(),
            "0001-02-03T04:05:06Z"
        );
        assert_eq!(
            ts("0000-01-01T00:00:00+01:00").to_string(),
            "-0001-12-31T23:00:00Z"
        );
        assert_eq!(
            ts("9999-12-31T23:59:60Z").to_string(),
            "+10000-01-01T00:00:00Z"
        );
        // Extremes must format without overflowing.
        let max = Timestamp {
            secs: i64::MAX,
            nanos: 999_999_999,
        };
        let min = Timestamp {
            secs: i64::MIN,
            nanos: 0,
        };
        assert_eq!(max.to_string(), "+292277026596-12-04T15:30:07.999999999Z");
        assert_eq!(min.to_string(), "-292277022657-01-27T08:29:52Z");
    }

    #[test]
    fn from_str_matches_parse() {
        let parsed: Result<Timestamp, _> = "2026-11-22T03:04:05Z".parse();
        assert_eq!(parsed, Timestamp::parse_rfc3339("2026-11-22T03:04:05Z"));
        let parsed: Result<Timestamp, _> = "nope".parse();
        assert!(parsed.is_err());
    }

    #[test]
    fn error_messages() {
        assert_eq!(err(""), "empty timestamp");
        assert_eq!(err(&"2".repeat(65)), "timestamp is longer than 64 bytes");
        assert_eq!(err("26-01-01T00:00:00Z"), "expected a 4-digit year");
        assert_eq!(err("+2026-01-01T00:00:00Z"), "expected a 4-digit year");
        assert_eq!(err("2026/01/01T00:00:00Z"), "expected '-' after the year");
        assert_eq!(err("2026-1-01T00:00:00Z"), "expected a 2-digit month");
        assert_eq!(err("2026-13-01T00:00:00Z"), "month 13 is out of range");
        assert_eq!(err("2026-00-01T00:00:00Z"), "month 0 is out of range");
        assert_eq!(err("2026-01+01T00:00:00Z"), "expected '-' after the month");
        assert_eq!(err("2026-01-1T00:00:00Z"), "expected a 2-digit day");
        assert_eq!(
            err("2026-01-01"),
            "missing time (add 'T' and hh:mm:ss after the date)"
        );
        assert_eq!(
            err("2026-01-01X00:00:00Z"),
            "expected 'T' between date and time"
        );
        assert_eq!(err("2026-01-01T0:00:00Z"), "expected a 2-digit hour");
        assert_eq!(err("2026-01-01T24:00:00Z"), "hour 24 is out of range");
        assert_eq!(err("2026-01-01T00-00:00Z"), "expected ':' after the hour");
        assert_eq!(err("2026-01-01T00:60:00Z"), "minute 60 is out of range");
        assert_eq!(err("2026-01-01T00:00"), "expected ':' after the minute");
        assert_eq!(err("2026-01-01T00:00:"), "expected a 2-digit second");
        assert_eq!(
            err("2026-01-01T00:00:00"),
            "missing time zone offset (add Z or +hh:mm)"
        );
        assert_eq!(
            err("2026-01-01T00:00:00.5"),
            "missing time zone offset (add Z or +hh:mm)"
        );
        assert_eq!(
            err("2026-01-01T00:00:00UTC"),
            "expected time zone offset Z, +hh:mm or -hh:mm"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+1:00"),
            "expected a 2-digit offset hour"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+0100"),
            "expected ':' after the offset hour"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+01:0"),
            "expected a 2-digit offset minute"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+24:00"),
            "offset hour 24 is out of range"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+01:60"),
            "offset minute 60 is out of range"
        );
        assert_eq!(
            err("2026-01-01T00:00:00ZZ"),
            "unexpected characters after the time zone offset"
        );
        assert_eq!(
            err("2026-01-01T00:00:00+01:00 "),
            "unexpected characters after the time zone offset"
        );
    }

    #[test]
    fn garbage_is_rejected_without_panicking() {
        let garbage = [
            " ",
            "T",
            "Z",
            "now",
            "2026",
            "2026-",
            "2026-01",
            "2026-01-01T",
            "2026-01-01T00",
            "2026-01-01T00:00:00+",
            "2026-01-01T00:00:00+01",
            "2026-01-01T00:00:00+01:",
            " 2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z ",
            "2026-01-01T00:00:00Z\u{0}",
            "2026-01-01T00:00:00Z\n",
            "２０２６-01-01T00:00:00Z",
            "2026-01-01T００:00:00Z",
            "2026-01-01T00:00:00.５Z",
            "2026-01-01T00:00:00\u{ff3a}",
            "2026-01-01\u{2003}00:00:00Z",
            "2026-01-01T00:00:00.-1Z",
            "2026--1-01T00:00:00Z",
            "2026-+1-01T00:00:00Z",
            "2026-01-01T00:00:-0Z",
            "2026-01-01T00:00:00+-1:00",
            "2026-01-01T00:00:00.1.2Z",
            "2026-01-01TT00:00:00Z",
            "1e10",
            "-1",
            "99999-01-01T00:00:00Z",
            "-2026-01-01T00:00:00Z",
            "\u{feff}2026-01-01T00:00:00Z",
            "🦀🦀🦀🦀-01-01T00:00:00Z",
        ];
        for text in garbage {
            assert!(Timestamp::parse_rfc3339(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn mutations_never_panic() {
        // Every single-character substitution and every truncation of a valid
        // instant must be handled (accepted or rejected) without panicking.
        let valid = "2024-02-29T23:59:60.123456789+23:59";
        let replacements = [
            '0', '9', '-', ':', '.', '+', 'T', 'Z', ' ', 'é', '９', '\u{0}',
        ];
        for (index, _) in valid.char_indices() {
            let (head, tail) = valid.split_at(index);
            let _ = Timestamp::parse_rfc3339(head);
            let rest: String = tail.chars().skip(1).collect();
            for r in replacements {
                let text = format!("{head}{r}{rest}");
                if let Ok(t) = Timestamp::parse_rfc3339(&text) {
                    let _ = t.to_string();
                }
            }
        }
    }
}
