//! JSON paths such as `$.flags[3].rules[0]`, built on the stack and only turned into text when a
//! problem is reported, so loading a clean snapshot allocates no path strings.

use std::fmt;

/// One step of a path: a field name or an array index.
#[derive(Clone, Copy)]
pub(crate) enum Step<'a> {
    Field(&'a str),
    Index(usize),
}

/// A path as a chain of steps from the document root.
#[derive(Clone, Copy)]
pub(crate) struct JsonPath<'a> {
    parent: Option<&'a JsonPath<'a>>,
    step: Option<Step<'a>>,
}

impl<'a> JsonPath<'a> {
    pub(crate) const ROOT: JsonPath<'static> = JsonPath {
        parent: None,
        step: None,
    };

    pub(crate) fn field(&'a self, name: &'a str) -> JsonPath<'a> {
        JsonPath {
            parent: Some(self),
            step: Some(Step::Field(name)),
        }
    }

    pub(crate) fn index(&'a self, index: usize) -> JsonPath<'a> {
        JsonPath {
            parent: Some(self),
            step: Some(Step::Index(index)),
        }
    }
}

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        } else {
            f.write_str("$")?;
        }
        match self.step {
            Some(Step::Field(name)) => write!(f, ".{name}"),
            Some(Step::Index(index)) => write!(f, "[{index}]"),
            None => Ok(()),
        }
    }
}
