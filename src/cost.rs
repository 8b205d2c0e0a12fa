//! What one evaluation may spend, and what each test costs.
//!
//! A snapshot of a few kilobytes can ask for a lot of work: a pattern of ten thousand states run
//! over a long attribute, a segment of costly conditions named by a thousand rules, thousands of
//! substrings to look for. Every test an evaluation makes is charged an upper bound of its work
//! *before* it runs, from the compiled operands and the length of the attribute's value alone,
//! and an evaluation whose charges would pass [`Limits::max_evaluation_cost`](crate::Limits)
//! stops and answers `GENERAL`. The charges depend on nothing but the snapshot and the context
//! (not on what a prepared context remembered, nor on the order flags are asked in), so an
//! evaluation that goes over does so in every runtime and every time.
//!
//! One unit is about one step of a regex state over one character, the slowest step there is
//! (3–4 ns natively); the other charges are in the same units, measured so that no kind of work
//! is much slower per unit (`benches/support/worst.rs` builds the costliest flag of each kind).

use std::cell::Cell;

use crate::condition::Operator;
use crate::context::AttrValue;

/// What is left to spend in one evaluation.
pub(crate) struct Meter {
    left: Cell<u64>,
    over: Cell<bool>,
}

impl Meter {
    pub(crate) fn new(limit: usize) -> Meter {
        Meter {
            left: Cell::new(u64::try_from(limit).unwrap_or(u64::MAX)),
            over: Cell::new(false),
        }
    }

    /// Takes `units` from what is left. False when they are not there: the evaluation is then
    /// over its limit for good, whatever it tries next.
    pub(crate) fn charge(&self, units: u64) -> bool {
        match self.left.get().checked_sub(units) {
            Some(left) if !self.over.get() => {
                self.left.set(left);
                true
            }
            _ => {
                self.over.set(true);
                false
            }
        }
    }

    /// Whether a charge was refused.
    pub(crate) fn is_over(&self) -> bool {
        self.over.get()
    }
}

/// What evaluating a flag costs before any of its tests: finding it, its kill switch and
/// schedule, and remembering it as a prerequisite (about 30 ns).
pub(crate) const FLAG: u64 = 10;

/// What any test costs besides its operator's work: reading the attribute and the memo (about
/// 9 ns).
const TEST: u64 = 3;

/// What a compiled operator's operands weigh: how many there are, and their total length in
/// bytes (for `contains`, `startsWith`, `endsWith`) or in states (for `matches`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Weight {
    count: u64,
    total: u64,
}

impl Weight {
    pub(crate) fn of(operator: &Operator) -> Weight {
        let lengths = |items: &[Box<str>]| Weight {
            count: units(items.len()),
            total: items
                .iter()
                .map(|item| units(item.len()))
                .fold(0, u64::saturating_add),
        };
        match operator {
            Operator::Exists | Operator::InSegment(_) => Weight::default(),
            Operator::OneOf { numbers, .. } | Operator::Number(_, numbers) => Weight {
                count: units(numbers.len()),
                total: 0,
            },
            Operator::Contains(items) | Operator::StartsWith(items) | Operator::EndsWith(items) => {
                lengths(items)
            }
            Operator::Matches(patterns) => Weight {
                count: units(patterns.len()),
                total: patterns
                    .iter()
                    .map(|pattern| units(pattern.states()))
                    .fold(0, u64::saturating_add),
            },
            Operator::Semver(_, versions) => Weight {
                count: units(versions.len()),
                total: 0,
            },
            Operator::Date(_, instants) => Weight {
                count: units(instants.len()),
                total: 0,
            },
        }
    }
}

/// The charge for testing `operator`, whose operands weigh `weight`, against `value`: at least
/// the value's size (an explanation copies it), plus an upper bound of the operator's work. A
/// few steps per value, whatever the number of operands.
pub(crate) fn of_test(operator: &Operator, weight: Weight, value: Option<&AttrValue>) -> u64 {
    let work = match value {
        None => 0,
        Some(AttrValue::List(items)) => items
            .iter()
            .map(|item| of_scalar(operator, weight, item))
            .fold(0, u64::saturating_add),
        Some(scalar) => of_scalar(operator, weight, scalar),
    };
    TEST.saturating_add(work)
}

/// The charge for looking up a key of `bytes` bytes in a hashed set (overrides, segment lists,
/// the bucketing hash).
pub(crate) fn of_lookup(bytes: usize) -> u64 {
    1 + units(bytes)
}

fn of_scalar(operator: &Operator, weight: Weight, value: &AttrValue) -> u64 {
    let Weight { count, total } = weight;
    let AttrValue::String(text) = value else {
        // Numbers and booleans: one comparison per operand at most.
        return 1 + match operator {
            Operator::OneOf { .. } | Operator::Number(..) | Operator::Date(..) => count,
            _ => 0,
        };
    };
    let n = units(text.len());
    let work = match operator {
        Operator::Exists | Operator::InSegment(_) | Operator::Number(..) => 0,
        // Hashing the text, then comparing it with one candidate.
        Operator::OneOf { .. } => n.saturating_mul(2),
        // A linear-time search per needle: the text, and the needle's border table.
        Operator::Contains(_) => n.saturating_mul(count).saturating_add(total),
        // Comparing at most the text or the affix, whichever is shorter, per affix.
        Operator::StartsWith(_) | Operator::EndsWith(_) => {
            count.saturating_add(n.saturating_mul(count).min(total))
        }
        // Every state may step over every character, and once more at the end.
        Operator::Matches(_) => total.saturating_mul(n + 1),
        // Parsing, then comparing with each operand (at most one step per identifier).
        Operator::Semver(..) => n.saturating_mul(count + 1),
        Operator::Date(..) => n.saturating_add(count),
    };
    n.saturating_add(1).saturating_add(work)
}

fn units(count: usize) -> u64 {
    u64::try_from(count).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{of_lookup, Meter, Weight};
    use crate::condition::{one_of, Cmp, Operator};
    use crate::context::AttrValue;
    use crate::operand::Operand;
    use crate::regex::Regex;
    use crate::semver::Version;
    use crate::timestamp::Timestamp;

    fn text(value: &str) -> AttrValue {
        AttrValue::String(value.to_owned())
    }

    fn of_test(operator: &Operator, value: Option<&AttrValue>) -> u64 {
        super::of_test(operator, Weight::of(operator), value)
    }

    fn strings(values: &[&str]) -> Vec<Box<str>> {
        values.iter().map(|&value| value.into()).collect()
    }

    #[test]
    fn each_charge_is_the_documented_formula() {
        // A four-byte string costs 3 for the test and 4 + 1 for the value, before the work.
        let abcd = Some(text("abcd"));
        let cases: Vec<(Operator, u64)> = vec![
            (Operator::Exists, 8),
            (
                one_of(&[Operand::Text("x".into())]).expect("scalars"),
                8 + 8,
            ),
            (Operator::Contains(strings(&["ab", "xyz"])), 8 + 6 + 7),
            // Two affixes, and the smaller of 2 × 4 and 2 + 6 bytes.
            (Operator::StartsWith(strings(&["ab", "abcdef"])), 8 + 2 + 8),
            (Operator::StartsWith(strings(&["ab", "c"])), 8 + 2 + 3),
            (Operator::EndsWith(strings(&["d"])), 8 + 2),
            (
                Operator::Matches(vec![Regex::new("a{3}", 1024, 8).expect("compiles")]),
                8 + 4 * 5,
            ),
            (
                Operator::Semver(
                    Cmp::Gt,
                    vec![
                        Version::parse("1.0.0").expect("a version"),
                        Version::parse("2.0.0").expect("a version"),
                    ],
                ),
                8 + 4 * 3,
            ),
            (
                Operator::Date(Cmp::Lt, vec![Timestamp::from_unix_millis(0); 2]),
                8 + 4 + 2,
            ),
            (Operator::Number(Cmp::Lt, vec![1.0, 2.0]), 8),
        ];
        for (operator, charge) in cases {
            assert_eq!(of_test(&operator, abcd.as_ref()), charge, "{operator:?}");
        }
    }

    #[test]
    fn numbers_booleans_lists_and_missing_values_are_charged_too() {
        let seven = Some(AttrValue::Number(7.0));
        let three_numbers = one_of(&[
            Operand::Number(1.0),
            Operand::Number(2.0),
            Operand::Number(7.0),
        ])
        .expect("scalars");
        assert_eq!(of_test(&three_numbers, seven.as_ref()), 3 + 1 + 3);
        let two = Operator::Number(Cmp::Lt, vec![1.0, 2.0]);
        assert_eq!(of_test(&two, seven.as_ref()), 3 + 1 + 2);
        let dates = Operator::Date(Cmp::Lt, vec![Timestamp::from_unix_millis(0); 2]);
        assert_eq!(of_test(&dates, seven.as_ref()), 3 + 1 + 2);
        assert_eq!(
            of_test(&Operator::Exists, Some(&AttrValue::Bool(true))),
            3 + 1
        );
        assert_eq!(of_test(&Operator::Exists, None), 3);
        // Each item of a list is charged as a value of its own.
        let list = AttrValue::List(vec![text("ab"), AttrValue::Number(7.0)]);
        assert_eq!(
            of_test(&three_numbers, Some(&list)),
            3 + (2 + 1 + 4) + (1 + 3)
        );
    }

    #[test]
    fn a_lookup_costs_one_and_the_key_length() {
        assert_eq!((of_lookup(0), of_lookup(5)), (1, 6));
    }

    #[test]
    fn a_meter_spends_down_to_zero_and_then_refuses_everything() {
        let meter = Meter::new(10);
        assert!(meter.charge(4));
        assert!(meter.charge(6));
        assert!(!meter.is_over());
        assert!(!meter.charge(1));
        assert!(meter.is_over());
        // Once over, even a free test is refused: the evaluation has stopped.
        assert!(!meter.charge(0));
    }
}
