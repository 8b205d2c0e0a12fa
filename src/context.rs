//! Evaluation contexts: who is asking (the targeting key) and what is known about them.

use std::fmt;

use serde_json::Value;

use crate::write::Quoted;

use crate::bucket::integer_text;

/// The attribute that identifies the subject of an evaluation (OpenFeature's targeting key).
pub const TARGETING_KEY: &str = "targetingKey";

/// One attribute value of a context.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// `true` or `false`.
    Bool(bool),
    /// Any JSON number.
    Number(f64),
    /// Text.
    String(String),
    /// A list of scalars (e.g. roles); an operator holds for a list if it holds for any item.
    List(Vec<AttrValue>),
}

impl From<bool> for AttrValue {
    fn from(value: bool) -> Self {
        AttrValue::Bool(value)
    }
}
impl From<f64> for AttrValue {
    fn from(value: f64) -> Self {
        AttrValue::Number(value)
    }
}
impl From<i32> for AttrValue {
    fn from(value: i32) -> Self {
        AttrValue::Number(f64::from(value))
    }
}
impl From<&str> for AttrValue {
    fn from(value: &str) -> Self {
        AttrValue::String(value.to_owned())
    }
}
impl From<String> for AttrValue {
    fn from(value: String) -> Self {
        AttrValue::String(value)
    }
}
impl<T: Into<AttrValue>> From<Vec<T>> for AttrValue {
    fn from(values: Vec<T>) -> Self {
        AttrValue::List(values.into_iter().map(Into::into).collect())
    }
}

impl AttrValue {
    /// The value as JSON, for traces and output.
    pub fn to_json(&self) -> Value {
        match self {
            AttrValue::Bool(value) => Value::Bool(*value),
            AttrValue::Number(value) => serde_json::Number::from_f64(*value)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            AttrValue::String(value) => Value::String(value.clone()),
            AttrValue::List(values) => {
                Value::Array(values.iter().map(AttrValue::to_json).collect())
            }
        }
    }
}

/// Why a context could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextError {
    attribute: Option<String>,
    message: String,
}

impl ContextError {
    fn new(attribute: Option<&str>, message: impl Into<String>) -> Self {
        ContextError {
            attribute: attribute.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The attribute at fault, if the problem is with one attribute.
    pub fn attribute(&self) -> Option<&str> {
        self.attribute.as_deref()
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(attribute) => write!(
                f,
                "invalid context attribute {}: {}",
                Quoted(attribute),
                self.message
            ),
            None => write!(f, "invalid context: {}", self.message),
        }
    }
}

impl std::error::Error for ContextError {}

/// The subject of an evaluation: a flat set of named attributes, one of which may be the
/// targeting key.
///
/// ```
/// use vexil::Context;
/// let context = Context::with_targeting_key("user-42")
///     .with("jurisdiction", "ontario")
///     .with("roles", vec!["admin", "editor"]);
/// assert_eq!(context.targeting_key(), Some("user-42"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    attributes: Vec<(String, AttrValue)>,
}

impl Context {
    /// An empty context (anonymous, no attributes).
    pub fn new() -> Self {
        Context::default()
    }

    /// A context with only a targeting key.
    pub fn with_targeting_key(key: impl Into<String>) -> Self {
        Context::new().with(TARGETING_KEY, AttrValue::String(key.into()))
    }

    /// Adds or replaces an attribute, builder style. A targeting key given as an integer is stored
    /// as its decimal text; any other non-string targeting key is ignored (use
    /// [`Context::from_json`] to have it reported).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds or replaces an attribute; see [`Context::with`].
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<AttrValue>) {
        let name = name.into();
        let mut value = value.into();
        if name == TARGETING_KEY {
            match normalize_targeting_key(value) {
                Ok(key) => value = key,
                Err(_) => return,
            }
        }
        match self
            .attributes
            .iter_mut()
            .find(|(existing, _)| *existing == name)
        {
            Some(slot) => slot.1 = value,
            None => self.attributes.push((name, value)),
        }
    }

    /// Removes an attribute.
    pub fn remove(&mut self, name: &str) -> Option<AttrValue> {
        let position = self
            .attributes
            .iter()
            .position(|(existing, _)| existing == name)?;
        Some(self.attributes.remove(position).1)
    }

    /// The value of an attribute.
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .find(|(existing, _)| existing == name)
            .map(|(_, value)| value)
    }

    /// The targeting key, if there is one.
    pub fn targeting_key(&self) -> Option<&str> {
        match self.get(TARGETING_KEY) {
            Some(AttrValue::String(key)) => Some(key),
            _ => None,
        }
    }

    /// All attributes, in insertion order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.attributes
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }

    pub(crate) fn attribute_list(&self) -> &[(String, AttrValue)] {
        &self.attributes
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.attributes.len()
    }

    /// Whether the context has no attributes.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// Reads a context from a JSON object such as
    /// `{"targetingKey": "user-42", "jurisdiction": "ontario", "roles": ["admin"]}`.
    ///
    /// Values may be strings, numbers, booleans, `null` (same as absent) or lists of those.
    /// Nested objects and lists of lists are rejected, and so is a targeting key that is not a
    /// string or an integer.
    pub fn from_json(text: &str) -> Result<Context, ContextError> {
        // A context is an object of scalars and lists of scalars: nothing legitimate nests deeper
        // than this, and the limit keeps a hostile context from exhausting the stack.
        const MAX_DEPTH: usize = 16;
        let value = crate::json::parse_value(text, MAX_DEPTH).map_err(|error| {
            let why = match error {
                crate::json::ParseError::Syntax(error) => error.to_string(),
                crate::json::ParseError::TooDeep => {
                    format!("nested deeper than {MAX_DEPTH} levels")
                }
            };
            ContextError::new(None, format!("not valid JSON: {why}"))
        })?;
        Context::from_json_value(value)
    }

    /// Like [`Context::from_json`], from a parsed JSON value.
    pub fn from_json_value(value: Value) -> Result<Context, ContextError> {
        let Value::Object(map) = value else {
            return Err(ContextError::new(None, "a context must be a JSON object"));
        };
        let mut context = Context {
            attributes: Vec::with_capacity(map.len()),
        };
        for (name, value) in map {
            let Some(value) = attr_from_json(&name, value, true)? else {
                continue;
            };
            let value = if name == TARGETING_KEY {
                normalize_targeting_key(value)
                    .map_err(|message| ContextError::new(Some(&name), message))?
            } else {
                value
            };
            context.attributes.push((name, value));
        }
        Ok(context)
    }
}

fn normalize_targeting_key(value: AttrValue) -> Result<AttrValue, &'static str> {
    match value {
        AttrValue::String(_) => Ok(value),
        AttrValue::Number(number) => integer_text(number)
            .map(AttrValue::String)
            .ok_or("a numeric targeting key must be an integer of at most 2^53"),
        _ => Err("the targeting key must be a string or an integer"),
    }
}

fn attr_from_json(
    name: &str,
    value: Value,
    allow_list: bool,
) -> Result<Option<AttrValue>, ContextError> {
    Ok(Some(match value {
        Value::Null => return Ok(None),
        Value::Bool(value) => AttrValue::Bool(value),
        Value::Number(number) => match number.as_f64() {
            Some(number) => AttrValue::Number(number),
            None => return Err(ContextError::new(Some(name), "number out of range")),
        },
        Value::String(text) => AttrValue::String(text),
        Value::Array(items) if allow_list => {
            let mut list = Vec::with_capacity(items.len());
            for item in items {
                if let Some(item) = attr_from_json(name, item, false)? {
                    list.push(item);
                }
            }
            AttrValue::List(list)
        }
        Value::Array(_) => return Err(ContextError::new(Some(name), "lists of lists are not supported")),
        Value::Object(_) => {
            return Err(ContextError::new(
                Some(name),
                "objects are not supported as attribute values; flatten them (e.g. \"address.country\")",
            ))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::Context;

    #[test]
    fn contexts_are_read_strictly_and_say_why_they_are_refused() {
        let context = Context::from_json(r#"{"targetingKey": "u", "roles": ["a", "b"], "n": 2}"#)
            .expect("a valid context");
        assert_eq!(context.len(), 3);
        for (text, why) in [
            (
                "{",
                "not valid JSON: EOF while parsing an object at line 1 column 1",
            ),
            (
                r#"{"a": 1,}"#,
                "not valid JSON: key must be a string at line 1 column 8",
            ),
            ("[1]", "a context must be a JSON object"),
            (
                &format!("{}1{}", "[".repeat(40), "]".repeat(40)),
                "not valid JSON: nested deeper than 16 levels",
            ),
        ] {
            let error = Context::from_json(text).expect_err(text);
            assert!(error.to_string().contains(why), "{text}: {error}");
        }
    }
}
