//! Reading checked against the standard library's correctly rounded parser; printing checked
//! to read back exactly with the fewest digits.

use proptest::prelude::*;

use super::{exact_digits, parse, write};

fn std_parse(text: &str) -> f64 {
    text.parse::<f64>().unwrap_or(f64::NAN)
}

fn same(text: &str) {
    let (ours, theirs) = (parse(text), std_parse(text));
    assert_eq!(
        ours.to_bits(),
        theirs.to_bits(),
        "{text}: {ours:e} vs {theirs:e}"
    );
}

fn printed(value: f64) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// The exact decimal text of `value`, or of the midpoint between it and the next `f64` up.
fn exact_text(value: f64, midpoint: bool) -> String {
    let (digits, point) = if midpoint {
        let (low, high) = (
            exact_digits(value),
            exact_digits(f64::from_bits(value.to_bits() + 1)),
        );
        // Average of two exact decimals: work on the longer digit string.
        return average(&low, &high);
    } else {
        exact_digits(value)
    };
    format!("0.{}e{point}", String::from_utf8_lossy(&digits))
}

fn average((a, pa): &(Vec<u8>, i64), (b, pb): &(Vec<u8>, i64)) -> String {
    // Align both to the same point and length, add them as decimals, halve.
    let point = (*pa).max(*pb);
    let pad = |digits: &Vec<u8>, p: i64, length: usize| {
        let mut aligned = vec![b'0'; usize::try_from(point - p).unwrap_or(0)];
        aligned.extend_from_slice(digits);
        aligned.resize(length, b'0');
        aligned
    };
    let length = a.len().max(b.len()) + 2;
    let (a, b) = (pad(a, *pa, length), pad(b, *pb, length));
    let mut sum = vec![0u8; length + 1];
    let mut carry = 0;
    for index in (0..length).rev() {
        let total = (a[index] - b'0') + (b[index] - b'0') + carry;
        sum[index + 1] = total % 10;
        carry = total / 10;
    }
    sum[0] = carry;
    let mut half = Vec::with_capacity(sum.len() + 1);
    let mut remainder = 0;
    for digit in sum.iter().chain(std::iter::once(&0)) {
        let value = remainder * 10 + digit;
        half.push(b'0' + value / 2);
        remainder = value % 2;
    }
    format!("0.{}e{}", String::from_utf8_lossy(&half), point + 1)
}

#[test]
fn edge_cases_read_as_the_standard_library_reads_them() {
    for text in [
        "0",
        "-0",
        "0.0",
        "1",
        "-1",
        "0.1",
        "0.3",
        "1.5",
        "123456789012345678901234567890",
        "9007199254740993",
        "9007199254740995",
        "18446744073709551615",
        "18446744073709551616",
        "1e22",
        "1e23",
        "1e308",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "1e309",
        "1e400",
        "1e999999999999999999999",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "4.9406564584124654e-324",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1e-324",
        "1e-400",
        "1e-999999999999999999",
        "0.000000000000000000000000000000000000001",
        "3.14159",
        "6.02214076e23",
        "1.602176634e-19",
        "0e5",
        "0.000e-5",
        "100e-2",
        "1E+2",
    ] {
        same(text);
    }
    let long = format!("0.{}1e-300", "0".repeat(2_000));
    same(&long);
    let long = format!("{}e-1000", "7".repeat(1_500));
    same(&long);
}

#[test]
fn numbers_print_as_javascript_prints_them() {
    for (value, text) in [
        (0.0, "0"),
        (-0.0, "-0.0"),
        (1.0, "1"),
        (-42.0, "-42"),
        (0.1, "0.1"),
        (1.5, "1.5"),
        (0.000_001, "0.000001"),
        (1e-7, "1e-7"),
        (123.456, "123.456"),
        (1e21, "1e21"),
        (1.5e300, "1.5e300"),
        (9_007_199_254_740_993.0, "9007199254740992"),
        (1.7976931348623157e308, "1.7976931348623157e308"),
        (5e-324, "5e-324"),
        (f64::NAN, "null"),
        (f64::INFINITY, "null"),
    ] {
        assert_eq!(printed(value), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn any_f64_text_reads_back_exactly(bits in any::<u64>()) {
        let value = f64::from_bits(bits);
        prop_assume!(value.is_finite());
        for text in [format!("{value:e}"), format!("{value:.25e}"), format!("{value}"), format!("{value:.3e}")] {
            same(&text);
        }
    }

    #[test]
    fn midpoints_between_neighbours_round_to_even(bits in 0u64..0x7FEF_FFFF_FFFF_FFFF) {
        let value = f64::from_bits(bits);
        same(&exact_text(value, false));
        let midpoint = exact_text(value, true);
        same(&midpoint);
        // Just above the midpoint rounds up.
        same(&midpoint.replacen('e', "000001e", 1));
    }

    #[test]
    fn digit_strings_read_as_the_standard_library_reads_them(
        integer in "[0-9]{1,30}",
        fraction in proptest::option::of("[0-9]{1,30}"),
        exponent in proptest::option::of(-400i32..400),
    ) {
        let mut text = integer;
        if let Some(fraction) = fraction {
            text.push('.');
            text.push_str(&fraction);
        }
        if let Some(exponent) = exponent {
            text.push_str(&format!("e{exponent}"));
        }
        same(&text);
    }

    #[test]
    fn printing_reads_back_with_the_fewest_digits(bits in any::<u64>()) {
        let value = f64::from_bits(bits);
        prop_assume!(value.is_finite());
        let text = printed(value);
        prop_assert_eq!(std_parse(&text).to_bits(), value.to_bits(), "{}", text);
        // As few significant digits as Rust's own shortest form.
        let significant = |text: &str| {
            let mantissa = text.split(['e', 'E']).next().unwrap_or("");
            let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
            digits.trim_start_matches('0').trim_end_matches('0').len()
        };
        prop_assert_eq!(significant(&text), significant(&format!("{value:e}")), "{}", text);
    }
}
