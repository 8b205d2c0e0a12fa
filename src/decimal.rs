//! Decimal text to `f64` and back, exactly, with no lookup tables.
//!
//! The standard library's float parsing and serde_json's float printing each carry about 10 KB
//! of tables, which every browser would download inside the WebAssembly. Snapshots and contexts
//! mostly hold integers and short decimals, which take the fast path here (one exact `f64`
//! multiplication or division); every other number is converted exactly with a small big
//! integer. Reading is correctly rounded (ties to even), as JavaScript reads numbers, so every
//! runtime sees the same value; printing gives the shortest digits that read back to the same
//! value.

use std::cmp::Ordering;
use std::fmt::Write as _;

/// Reads text of the JSON number grammar (`-?digits(.digits)?([eE][+-]?digits)?`, which the
/// caller has checked) as the nearest `f64`; out of range gives an infinity or zero, as
/// JavaScript does.
pub(crate) fn parse(text: &str) -> f64 {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = parse_unsigned(unsigned);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// Digits kept beyond which only "something non-zero follows" matters: deciding the rounding
/// of an `f64` never needs more than 768 significant digits.
const MAX_DIGITS: usize = 800;

fn parse_unsigned(text: &str) -> f64 {
    let (mantissa, exponent_text) = match text.find(['e', 'E']) {
        Some(at) => (
            text.get(..at).unwrap_or(""),
            text.get(at + 1..).unwrap_or(""),
        ),
        None => (text, ""),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut exponent = read_exponent(exponent_text) - clamp_len(fraction.len());
    // Significant digits: no leading zeros, trailing zeros moved into the exponent.
    let digits = integer.bytes().chain(fraction.bytes());
    let mut significant: Vec<u8> = digits.skip_while(|&d| d == b'0').collect();
    while significant.last() == Some(&b'0') {
        significant.pop();
        exponent += 1;
    }
    if significant.is_empty() {
        return 0.0;
    }
    let count = clamp_len(significant.len());
    // Beyond these bounds the value is certainly infinite or rounds to zero.
    if count + exponent > 310 {
        return f64::INFINITY;
    }
    if count + exponent < -324 {
        return 0.0;
    }
    if let Some(fast) = fast_path(&significant, exponent) {
        return fast;
    }
    if significant.len() > MAX_DIGITS {
        let dropped = significant.len() - MAX_DIGITS;
        let tail_non_zero = significant[MAX_DIGITS..].iter().any(|&d| d != b'0');
        significant.truncate(MAX_DIGITS);
        exponent += clamp_len(dropped);
        if tail_non_zero {
            // A final 1 keeps the value strictly between the truncated digits and the next.
            significant.push(b'1');
            exponent -= 1;
        }
    }
    slow_path(&significant, exponent)
}

fn clamp_len(length: usize) -> i64 {
    i64::try_from(length).unwrap_or(i64::MAX).min(1_000_000)
}

/// The exponent digits with their sign, saturating far beyond any meaningful value.
fn read_exponent(text: &str) -> i64 {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or("")),
        Some(b'+') => (false, text.get(1..).unwrap_or("")),
        _ => (false, text),
    };
    let value = digits.bytes().fold(0i64, |value, digit| {
        (value * 10 + i64::from(digit - b'0')).min(1_000_000)
    });
    if negative {
        -value
    } else {
        value
    }
}

/// Exact when the digits fit in 53 bits and the power of ten is itself an exact `f64`: the one
/// rounding of the multiplication or division is then the correct one.
fn fast_path(digits: &[u8], exponent: i64) -> Option<f64> {
    if digits.len() > 15 || !(-22..=22).contains(&exponent) {
        return None;
    }
    let value = digits
        .iter()
        .fold(0u64, |value, &digit| value * 10 + u64::from(digit - b'0'));
    // At most 15 digits: below 2^53, so exact as f64.
    #[allow(clippy::cast_precision_loss)]
    let value = value as f64;
    let power = (0..exponent.unsigned_abs()).fold(1.0f64, |power, _| power * 10.0);
    Some(if exponent >= 0 {
        value * power
    } else {
        value / power
    })
}

fn slow_path(digits: &[u8], exponent: i64) -> f64 {
    let mut numerator = Big::from_digits(digits);
    // The bounds checked by the caller keep |exponent| well under 2,000.
    let power = u32::try_from(exponent.unsigned_abs()).unwrap_or(u32::MAX);
    let (quotient, sticky, binary_exponent) = if exponent >= 0 {
        numerator.mul_pow10(power);
        // Keep the top 64 bits and note whether anything below them was non-zero.
        let excess = numerator.bit_len().saturating_sub(64);
        let sticky = numerator.low_bits_non_zero(excess);
        numerator.shr(excess);
        (numerator.low_u128(), sticky, i64::from(excess))
    } else {
        let mut denominator = Big::from_u64(1);
        denominator.mul_pow10(power);
        // Scale so that the quotient has 64 or 65 bits.
        let scale = 64 - (i64::from(numerator.bit_len()) - i64::from(denominator.bit_len()));
        let shift = u32::try_from(scale.unsigned_abs()).unwrap_or(u32::MAX);
        if scale >= 0 {
            numerator.shl(shift);
        } else {
            denominator.shl(shift);
        }
        let (quotient, remainder_non_zero) = numerator.divide(&denominator);
        (quotient, remainder_non_zero, -scale)
    };
    round_to_f64(quotient, sticky, binary_exponent)
}

/// The `f64` nearest to `(quotient + f) * 2^exponent`, where `0 <= f < 1` and `sticky` tells
/// whether `f > 0`.
fn round_to_f64(quotient: u128, sticky: bool, exponent: i64) -> f64 {
    if quotient == 0 {
        return 0.0;
    }
    let length = i64::from(128 - quotient.leading_zeros());
    // The exponent of the last mantissa bit: 53 bits for normal numbers, fewer for subnormals.
    let mut target = (length + exponent - 53).max(-1074);
    let shift = target - exponent;
    let mut mantissa = if shift <= 0 {
        // Exact: only possible for integers that fit, with no fraction.
        quotient << shift.unsigned_abs().min(127)
    } else if shift >= 128 {
        return 0.0;
    } else {
        let shift = shift.unsigned_abs();
        let kept = quotient >> shift;
        let rest = quotient & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        let up = match rest.cmp(&half) {
            Ordering::Greater => true,
            Ordering::Equal => sticky || kept & 1 == 1,
            Ordering::Less => false,
        };
        kept + u128::from(up)
    };
    if mantissa == 1u128 << 53 {
        mantissa >>= 1;
        target += 1;
    }
    let Ok(mantissa) = u64::try_from(mantissa) else {
        return f64::INFINITY;
    };
    if mantissa < 1 << 52 {
        // Subnormal (target is -1074): the bits are the mantissa.
        return f64::from_bits(mantissa);
    }
    let biased = target + 1075;
    match u64::try_from(biased) {
        Ok(biased) if biased < 2047 => {
            f64::from_bits((biased << 52) | (mantissa & ((1 << 52) - 1)))
        }
        _ => f64::INFINITY,
    }
}

/// Appends `value` as a JSON number: the shortest decimal that reads back as `value`, in plain
/// notation between 1e-7 and 1e21 (as JavaScript prints) and with an exponent outside.
/// Infinities and NaN, which JSON cannot hold, are written as `null`.
// Only the WebAssembly bindings print JSON; native builds test it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn write(out: &mut String, value: f64) {
    if !value.is_finite() {
        out.push_str("null");
        return;
    }
    if value == 0.0 {
        out.push_str(if value.is_sign_negative() {
            "-0.0"
        } else {
            "0"
        });
        return;
    }
    if value.is_sign_negative() {
        out.push('-');
    }
    let magnitude = value.abs();
    // Integers below 2^53 print exactly through the integer formatter.
    if magnitude < 9_007_199_254_740_992.0 && magnitude.fract() == 0.0 {
        // Checked just above: an integer below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let _ = write!(out, "{}", magnitude as u64);
        return;
    }
    let (digits, exponent) = shortest(magnitude);
    place(out, &digits, exponent);
}

/// The shortest digits `d` and exponent `e` with `0.d × 10^e` reading back as `value` (> 0).
fn shortest(value: f64) -> (Vec<u8>, i64) {
    let (exact, point) = exact_digits(value);
    for precision in 1..=17 {
        let (digits, exponent) = round_digits(&exact, point, precision);
        let mut text = String::with_capacity(24);
        text.push_str("0.");
        text.extend(digits.iter().map(|&d| char::from(d)));
        let _ = write!(text, "e{exponent}");
        if parse(&text) == value {
            return (digits, exponent);
        }
    }
    // Seventeen significant digits always read back; reached only if the loop above did.
    round_digits(&exact, point, 17)
}

/// All the decimal digits of `value` (> 0, finite) and the position of the decimal point: the
/// value is `0.digits × 10^point`.
fn exact_digits(value: f64) -> (Vec<u8>, i64) {
    let bits = value.to_bits();
    let biased = i64::try_from(bits >> 52).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let mut number = Big::from_u64(mantissa);
    let power = u32::try_from(exponent.unsigned_abs()).unwrap_or(0);
    let scale = if exponent >= 0 {
        number.shl(power);
        0
    } else {
        // m × 2^-k = m × 5^k / 10^k.
        number.mul_pow5(power);
        -exponent
    };
    let digits = number.to_decimal();
    let point = clamp_len(digits.len()) - scale;
    (digits, point)
}

/// `0.digits × 10^point` rounded to `precision` significant digits (ties to even), trailing
/// zeros removed.
fn round_digits(digits: &[u8], point: i64, precision: usize) -> (Vec<u8>, i64) {
    if digits.len() <= precision {
        let mut kept = digits.to_vec();
        while kept.len() > 1 && kept.last() == Some(&b'0') {
            kept.pop();
        }
        return (kept, point);
    }
    let mut kept = digits[..precision].to_vec();
    let next = digits[precision];
    let rest_non_zero = digits[precision + 1..].iter().any(|&d| d != b'0');
    let last_odd = kept.last().is_some_and(|&d| (d - b'0') % 2 == 1);
    let up = next > b'5' || (next == b'5' && (rest_non_zero || last_odd));
    let mut point = point;
    if up {
        let mut index = kept.len();
        loop {
            if index == 0 {
                kept.insert(0, b'1');
                kept.pop();
                point += 1;
                break;
            }
            index -= 1;
            if kept[index] == b'9' {
                kept[index] = b'0';
            } else {
                kept[index] += 1;
                break;
            }
        }
    }
    while kept.len() > 1 && kept.last() == Some(&b'0') {
        kept.pop();
    }
    (kept, point)
}

/// Writes `0.digits × 10^point` the way JavaScript prints numbers.
fn place(out: &mut String, digits: &[u8], point: i64) {
    let count = clamp_len(digits.len());
    let text = |range: &[u8]| range.iter().map(|&d| char::from(d)).collect::<String>();
    if (-5..=21).contains(&point) {
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n(
                '0',
                usize::try_from(-point).unwrap_or(0),
            ));
            out.push_str(&text(digits));
        } else if point >= count {
            out.push_str(&text(digits));
            out.extend(std::iter::repeat_n(
                '0',
                usize::try_from(point - count).unwrap_or(0),
            ));
        } else {
            let split = usize::try_from(point).unwrap_or(0);
            out.push_str(&text(&digits[..split]));
            out.push('.');
            out.push_str(&text(&digits[split..]));
        }
    } else {
        out.push_str(&text(&digits[..1]));
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&text(&digits[1..]));
        }
        let _ = write!(out, "e{}", point - 1);
    }
}

/// An unsigned integer of any size, as little-endian 32-bit limbs.
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u64(value: u64) -> Big {
        let mut big = Big { limbs: Vec::new() };
        big.limbs.push((value & 0xFFFF_FFFF) as u32);
        big.limbs.push((value >> 32) as u32);
        big.trim();
        big
    }

    fn from_digits(digits: &[u8]) -> Big {
        let mut big = Big::from_u64(0);
        for chunk in digits.chunks(9) {
            let value = chunk
                .iter()
                .fold(0u32, |value, &digit| value * 10 + u32::from(digit - b'0'));
            let scale = 10u32.pow(u32::try_from(chunk.len()).unwrap_or(0));
            big.mul_add(scale, value);
        }
        big
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// `self = self × factor + addend`.
    fn mul_add(&mut self, factor: u32, addend: u32) {
        let mut carry = u64::from(addend);
        for limb in &mut self.limbs {
            let product = u64::from(*limb) * u64::from(factor) + carry;
            *limb = (product & 0xFFFF_FFFF) as u32;
            carry = product >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, power: u32) {
        self.mul_pow5(power);
        self.shl(power);
    }

    fn mul_pow5(&mut self, mut power: u32) {
        // 5^13 is the largest power of five below 2^32.
        while power > 0 {
            let step = power.min(13);
            self.mul_add(5u32.pow(step), 0);
            power -= step;
        }
    }

    fn bit_len(&self) -> u32 {
        match self.limbs.last() {
            Some(top) => {
                let below = u32::try_from(self.limbs.len() - 1).unwrap_or(u32::MAX);
                below * 32 + (32 - top.leading_zeros())
            }
            None => 0,
        }
    }

    fn shl(&mut self, bits: u32) {
        let limbs = (bits / 32) as usize;
        let bits = bits % 32;
        if bits > 0 {
            let mut carry = 0;
            for limb in &mut self.limbs {
                let shifted = (u64::from(*limb) << bits) | u64::from(carry);
                *limb = (shifted & 0xFFFF_FFFF) as u32;
                carry = (shifted >> 32) as u32;
            }
            if carry > 0 {
                self.limbs.push(carry);
            }
        }
        if !self.limbs.is_empty() {
            self.limbs.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    fn shr(&mut self, bits: u32) {
        let limbs = ((bits / 32) as usize).min(self.limbs.len());
        self.limbs.drain(..limbs);
        let bits = bits % 32;
        if bits > 0 {
            let mut carry = 0u32;
            for limb in self.limbs.iter_mut().rev() {
                let value = *limb;
                *limb = (value >> bits) | (carry << (32 - bits));
                carry = value & ((1 << bits) - 1);
            }
        }
        self.trim();
    }

    /// Whether any of the lowest `bits` bits is set.
    fn low_bits_non_zero(&self, bits: u32) -> bool {
        let whole = (bits / 32) as usize;
        let part = bits % 32;
        self.limbs.iter().take(whole).any(|&limb| limb != 0)
            || (part > 0
                && self
                    .limbs
                    .get(whole)
                    .is_some_and(|&limb| limb & ((1 << part) - 1) != 0))
    }

    fn low_u128(&self) -> u128 {
        self.limbs
            .iter()
            .take(4)
            .rev()
            .fold(0u128, |value, &limb| (value << 32) | u128::from(limb))
    }

    fn compare(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    /// `self -= other`; `other` must not be larger.
    fn subtract(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (index, limb) in self.limbs.iter_mut().enumerate() {
            let value =
                i64::from(*limb) - i64::from(other.limbs.get(index).copied().unwrap_or(0)) - borrow;
            borrow = i64::from(value < 0);
            *limb = (value + (borrow << 32)) as u32;
        }
        self.trim();
    }

    /// The quotient of `self / divisor` (which must be below 2^127) and whether a remainder
    /// is left. Consumes the value of `self`.
    fn divide(&mut self, divisor: &Big) -> (u128, bool) {
        let mut shifted = Big {
            limbs: divisor.limbs.clone(),
        };
        let top = self.bit_len().saturating_sub(divisor.bit_len()).min(126);
        shifted.shl(top);
        let mut quotient = 0u128;
        for bit in (0..=top).rev() {
            if self.compare(&shifted) != Ordering::Less {
                self.subtract(&shifted);
                quotient |= 1 << bit;
            }
            shifted.shr(1);
        }
        (quotient, !self.limbs.is_empty())
    }

    /// The decimal digits, most significant first.
    fn to_decimal(&self) -> Vec<u8> {
        let mut limbs = self.limbs.clone();
        let mut chunks = Vec::new();
        while !limbs.is_empty() {
            let mut remainder = 0u64;
            for limb in limbs.iter_mut().rev() {
                let value = (remainder << 32) | u64::from(*limb);
                *limb = (value / 1_000_000_000) as u32;
                remainder = value % 1_000_000_000;
            }
            while limbs.last() == Some(&0) {
                limbs.pop();
            }
            chunks.push(remainder as u32);
        }
        let mut digits = Vec::with_capacity(chunks.len() * 9);
        for (index, chunk) in chunks.iter().rev().enumerate() {
            let text = if index == 0 {
                chunk.to_string()
            } else {
                format!("{chunk:09}")
            };
            digits.extend_from_slice(text.as_bytes());
        }
        if digits.is_empty() {
            digits.push(b'0');
        }
        digits
    }
}

#[cfg(test)]
mod tests;
