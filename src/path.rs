//! JSON paths such as `$.flags[3].rules[0]`, built on the stack and only turned into text when a
//! problem is reported, so loading a clean snapshot allocates no path strings.

use std::fmt;

use crate::write::Quoted;

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
            Some(Step::Field(name)) if is_identifier(name) => write!(f, ".{name}"),
            // Keys such as variant names can hold dots, spaces or quotes; bracket them so the
            // path stays unambiguous.
            Some(Step::Field(name)) => write!(f, "[{}]", Quoted(name)),
            Some(Step::Index(index)) => write!(f, "[{index}]"),
            None => Ok(()),
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_' || first == '$')
        && chars
            .all(|rest| rest.is_ascii_alphanumeric() || rest == '_' || rest == '$' || rest == '-')
}

#[cfg(test)]
mod tests {
    use super::JsonPath;

    #[test]
    fn odd_keys_are_bracketed_and_quoted() {
        let root = JsonPath::ROOT;
        let flags = root.field("flags");
        let flag = flags.index(3);
        let variants = flag.field("variants");
        assert_eq!(variants.field("on").to_string(), "$.flags[3].variants.on");
        assert_eq!(
            variants.field("dark-mode").to_string(),
            "$.flags[3].variants.dark-mode"
        );
        assert_eq!(
            variants.field("a.b").to_string(),
            r#"$.flags[3].variants["a.b"]"#
        );
        assert_eq!(
            variants.field("say \"hi\"").to_string(),
            r#"$.flags[3].variants["say \"hi\""]"#
        );
        assert_eq!(variants.field("").to_string(), r#"$.flags[3].variants[""]"#);
    }
}
