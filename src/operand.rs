//! Condition operands as the compiler sees them: scalars with their text borrowed from the
//! document. The loader reads every condition's operands into one store for the whole document,
//! so a snapshot's thousands of string operands cost no allocation each (as JSON values they
//! were half of what a large load allocated and freed again).

use std::borrow::Cow;

use serde_json::{Number, Value};

/// One operand of a condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand<'t> {
    Text(Cow<'t, str>),
    Number(f64),
    Bool(bool),
    /// `null`, an array or an object: no operator takes one.
    Other,
}

impl<'t> Operand<'t> {
    /// The operand of a condition built in code, borrowing its text.
    pub(crate) fn of_value(value: &Value) -> Operand<'_> {
        match value {
            Value::String(text) => Operand::Text(Cow::Borrowed(text)),
            Value::Number(number) => Operand::number(number),
            Value::Bool(flag) => Operand::Bool(*flag),
            _ => Operand::Other,
        }
    }

    /// A number operand (every JSON number has an `f64` reading).
    pub(crate) fn number(number: &Number) -> Operand<'t> {
        number.as_f64().map_or(Operand::Other, Operand::Number)
    }

    /// The text, if the operand is a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Operand::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// Which of a condition's operand fields were given (a `null` one counts as absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Given {
    Neither,
    Value,
    Values,
    Both,
}

impl Given {
    /// The form of a condition with `value` and `values` present or not.
    pub(crate) fn of(value: bool, values: bool) -> Given {
        match (value, values) {
            (false, false) => Given::Neither,
            (true, false) => Given::Value,
            (false, true) => Given::Values,
            (true, true) => Given::Both,
        }
    }

    /// This form with `field` (`Value` or `Values`) also given.
    fn with(self, field: Given) -> Given {
        match self {
            Given::Neither => field,
            same if same == field => same,
            _ => Given::Both,
        }
    }
}

/// Where one condition's operands are in the store.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Slot {
    start: u32,
    end: u32,
    given: Given,
}

/// Every condition's operands in a document, in reading order. Conditions are found by their
/// owner's position and their order within it, which is the order the compiler visits them in
/// (a flag's rules in turn, each rule's conditions in turn), whatever the document's order of
/// flags and segments.
#[derive(Debug, Default)]
pub(crate) struct OperandStore<'t> {
    items: Vec<Operand<'t>>,
    slots: Vec<Slot>,
    /// The range of slots of each flag and of each segment, by position, indexed by [`Owners`].
    ranges: [Vec<[u32; 2]>; 2],
    /// The condition being read: its first item and the fields seen so far.
    open: Option<(u32, Given)>,
}

/// The list of the document that owns a condition: flags (through their rules) or segments.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owners {
    Flags = 0,
    Segments = 1,
}

/// Offsets are bounded by the document size limit, far below u32::MAX.
fn offset(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

impl<'t> OperandStore<'t> {
    fn here(&self) -> u32 {
        offset(self.slots.len())
    }

    /// Starts the conditions of the next flag or segment (each list is read in order).
    pub(crate) fn start(&mut self, owners: Owners) {
        let here = self.here();
        self.ranges[owners as usize].push([here, here]);
    }

    /// Ends the flag or segment started last.
    pub(crate) fn finish(&mut self, owners: Owners) {
        let here = self.here();
        if let Some(range) = self.ranges[owners as usize].last_mut() {
            range[1] = here;
        }
    }

    /// Starts reading a condition.
    pub(crate) fn start_condition(&mut self) {
        self.open = Some((offset(self.items.len()), Given::Neither));
    }

    /// Notes that the open condition has its `value` or `values` field (`field`); the operands
    /// follow with [`OperandStore::push`].
    pub(crate) fn given(&mut self, field: Given) {
        if let Some((_, given)) = &mut self.open {
            *given = given.with(field);
        }
    }

    /// Adds an operand to the open condition.
    pub(crate) fn push(&mut self, operand: Operand<'t>) {
        self.items.push(operand);
    }

    /// Ends the open condition.
    pub(crate) fn finish_condition(&mut self) {
        if let Some((start, given)) = self.open.take() {
            self.slots.push(Slot {
                start,
                end: offset(self.items.len()),
                given,
            });
        }
    }

    /// The slots of the conditions of the flag or segment at `position`, in order.
    pub(crate) fn slots(&self, owners: Owners, position: usize) -> &[Slot] {
        self.ranges[owners as usize]
            .get(position)
            .and_then(|&[start, end]| self.slots.get(start as usize..end as usize))
            .unwrap_or(&[])
    }

    /// The operands in `slot`, and which fields gave them.
    pub(crate) fn operands(&self, slot: &Slot) -> (&[Operand<'t>], Given) {
        let items = self
            .items
            .get(slot.start as usize..slot.end as usize)
            .unwrap_or(&[]);
        (items, slot.given)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{Given, Operand, OperandStore, Owners};

    #[test]
    fn the_fields_given_are_the_same_in_either_order() {
        let (value, values) = (Given::Value, Given::Values);
        for (first, second, both) in [
            (value, values, Given::Both),
            (values, value, Given::Both),
            (value, value, Given::Value),
            (values, values, Given::Values),
        ] {
            assert_eq!(Given::Neither.with(first).with(second), both);
        }
        assert_eq!(Given::Neither.with(value), Given::of(true, false));
        assert_eq!(Given::Neither.with(values), Given::of(false, true));
        assert_eq!(Given::Both.with(value), Given::of(true, true));
    }

    #[test]
    fn each_owner_finds_its_own_conditions_whatever_the_document_order() {
        let text = |text: &'static str| Operand::Text(Cow::Borrowed(text));
        let mut store = OperandStore::default();
        // A segment read before the flags, a flag without conditions, then one with two.
        store.start(Owners::Segments);
        store.start_condition();
        store.given(Given::Values);
        store.push(text("admin"));
        store.push(Operand::Number(2.0));
        store.finish_condition();
        store.finish(Owners::Segments);
        store.start(Owners::Flags);
        store.finish(Owners::Flags);
        store.start(Owners::Flags);
        store.start_condition();
        store.finish_condition();
        store.start_condition();
        store.given(Given::Value);
        store.push(Operand::Bool(true));
        store.finish_condition();
        store.finish(Owners::Flags);

        let segment = store.slots(Owners::Segments, 0);
        assert_eq!(segment.len(), 1);
        assert_eq!(
            store.operands(&segment[0]),
            (&[text("admin"), Operand::Number(2.0)][..], Given::Values)
        );
        assert!(store.slots(Owners::Flags, 0).is_empty());
        let flag = store.slots(Owners::Flags, 1);
        assert_eq!(flag.len(), 2);
        assert_eq!(store.operands(&flag[0]), (&[][..], Given::Neither));
        assert_eq!(
            store.operands(&flag[1]),
            (&[Operand::Bool(true)][..], Given::Value)
        );
        // Owners that were never read have no conditions.
        assert!(store.slots(Owners::Flags, 2).is_empty());
        assert!(store.slots(Owners::Segments, 1).is_empty());
    }
}
