//! Evaluation contexts: who is asking (the targeting key) and what is known about them.

use std::fmt;

use serde_json::Value;

use crate::bucket::integer_text;
use crate::fasthash::StrSet;
use crate::json::{Kind, ParseError, Parser};
use crate::write::Quoted;

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
    /// [`Context::from_json`] to have it reported). A number that is not finite (an infinity,
    /// NaN) reads as `null`, as JSON has it: the attribute is removed (and such items are
    /// dropped from a list).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<AttrValue>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds or replaces an attribute; see [`Context::with`].
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<AttrValue>) {
        let name = name.into();
        let Some(mut value) = readable(value.into()) else {
            self.remove(&name);
            return;
        };
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
    /// Values may be strings, numbers, booleans, `null` (same as absent) or lists of those; a
    /// number beyond the range of a double (`1e400`) reads as `null`, as it does in JavaScript.
    /// Nested objects, lists of lists and an attribute named twice are rejected, and so is a
    /// targeting key that is not a string or an integer.
    pub fn from_json(text: &str) -> Result<Context, ContextError> {
        // A context is an object of scalars and lists of scalars: nothing legitimate nests deeper
        // than this, and the limit keeps a hostile context from exhausting the stack.
        const MAX_DEPTH: usize = 16;
        let not_json = |error| {
            let why = match error {
                ParseError::Syntax(error) => error.to_string(),
                ParseError::TooDeep => format!("nested deeper than {MAX_DEPTH} levels"),
            };
            ContextError::new(None, format!("not valid JSON: {why}"))
        };
        // Read straight into attributes (a context is prepared on every request, and building a
        // JSON tree first cost most of it). Problems with values wait until the whole text is
        // known to be JSON, so a syntax error anywhere is the one reported, as with a tree.
        let mut parser = Parser::new(text, MAX_DEPTH);
        let entries = read_entries(&mut parser).map_err(not_json)?;
        parser.finish().map_err(not_json)?;
        let Some(entries) = entries else {
            return Err(ContextError::new(None, "a context must be a JSON object"));
        };
        // A repeated name is refused, as in a snapshot: which value was meant is unknown (JSON
        // readers disagree: most keep the last, some the first).
        // Contexts are small: a scan finds repeats without allocating; a table keeps a large
        // context linear.
        let mut seen = (entries.len() > 32).then(|| {
            let bytes = entries.iter().map(|(name, _)| name.len()).sum();
            StrSet::with_capacity(entries.len(), bytes)
        });
        for (index, (name, _)) in entries.iter().enumerate() {
            let repeated = match &mut seen {
                Some(seen) => !seen.insert(name).1,
                None => entries
                    .get(..index)
                    .is_some_and(|before| before.iter().any(|(earlier, _)| earlier == name)),
            };
            if repeated {
                return Err(ContextError::new(
                    Some(name),
                    "the attribute is given more than once",
                ));
            }
        }
        let mut context = Context {
            attributes: Vec::with_capacity(entries.len()),
        };
        for (name, value) in entries {
            let value = match value {
                Ok(Some(value)) => value,
                Ok(None) => continue,
                Err(message) => return Err(ContextError::new(Some(&name), message)),
            };
            context.push_attribute(name, value)?;
        }
        Ok(context)
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
            context.push_attribute(name, value)?;
        }
        Ok(context)
    }

    fn push_attribute(&mut self, name: String, value: AttrValue) -> Result<(), ContextError> {
        let value = if name == TARGETING_KEY {
            normalize_targeting_key(value)
                .map_err(|message| ContextError::new(Some(&name), message))?
        } else {
            value
        };
        self.attributes.push((name, value));
        Ok(())
    }
}

/// An attribute as read: its value (`None` for `null`), or what is wrong with it.
type ReadValue = Result<Option<AttrValue>, &'static str>;

const OBJECT_VALUE: &str =
    "objects are not supported as attribute values; flatten them (e.g. \"address.country\")";
const NESTED_LIST: &str = "lists of lists are not supported";

/// The members of the object at the parser, in document order; `None` if it holds no object.
fn read_entries(parser: &mut Parser<'_>) -> Result<Option<Vec<(String, ReadValue)>>, ParseError> {
    if parser.peek()? != Kind::Object {
        parser.skip()?;
        return Ok(None);
    }
    parser.begin_object()?;
    let mut entries = Vec::with_capacity(16);
    while let Some(name) = parser.next_key()? {
        let value = match parser.peek()? {
            Kind::Array => {
                parser.begin_array()?;
                let mut items = Vec::new();
                let mut problem = None;
                while parser.next_item()? {
                    match read_scalar(parser)? {
                        Ok(Some(item)) => items.push(item),
                        Ok(None) => {}
                        Err(message) => problem = problem.or(Some(message)),
                    }
                }
                match problem {
                    Some(message) => Err(message),
                    None => Ok(Some(AttrValue::List(items))),
                }
            }
            _ => read_scalar(parser)?,
        };
        entries.push((name.into_owned(), value));
    }
    Ok(Some(entries))
}

/// A scalar at the parser; a container is read (for its syntax) and refused.
fn read_scalar(parser: &mut Parser<'_>) -> Result<ReadValue, ParseError> {
    Ok(match parser.peek()? {
        Kind::Null => {
            parser.null()?;
            Ok(None)
        }
        Kind::Bool => Ok(Some(AttrValue::Bool(parser.boolean()?))),
        // Beyond the range of a double (`1e400`), a number reads as null: JavaScript reads it
        // as `Infinity`, which its JSON writes as `null`, so every runtime sees the same context.
        Kind::Number => Ok(parser
            .number()?
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .and_then(finite)),
        Kind::String => Ok(Some(AttrValue::String(parser.string()?.into_owned()))),
        Kind::Object => {
            parser.skip()?;
            Err(OBJECT_VALUE)
        }
        Kind::Array => {
            parser.skip()?;
            Err(NESTED_LIST)
        }
    })
}

/// A number as an attribute value; `None` (read as `null`) for an infinity or NaN, which JSON
/// cannot write and JavaScript's JSON writes as `null`.
fn finite(number: f64) -> Option<AttrValue> {
    number.is_finite().then_some(AttrValue::Number(number))
}

/// A value as a context holds it: numbers that are not finite read as `null` (`None`), and are
/// dropped from lists, as [`finite`] says.
fn readable(value: AttrValue) -> Option<AttrValue> {
    match value {
        AttrValue::Number(number) => finite(number),
        AttrValue::List(items) => Some(AttrValue::List(
            items.into_iter().filter_map(readable).collect(),
        )),
        other => Some(other),
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
        Value::Number(number) => match number.as_f64().and_then(finite) {
            Some(number) => number,
            None => return Ok(None),
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
        Value::Array(_) => return Err(ContextError::new(Some(name), NESTED_LIST)),
        Value::Object(_) => return Err(ContextError::new(Some(name), OBJECT_VALUE)),
    }))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Context, ContextError};

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

    /// What reading through a JSON tree gives (the definition `from_json` must match).
    fn through_a_tree(text: &str) -> Result<Context, ContextError> {
        match crate::json::parse_value(text, 16) {
            Ok(value) => Context::from_json_value(value),
            Err(_) => Context::from_json(text).and(Err(ContextError::new(None, "not JSON"))),
        }
    }

    fn sorted(context: &Context) -> Vec<(String, super::AttrValue)> {
        let mut attributes: Vec<_> = context
            .attributes()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect();
        attributes.sort_by(|a, b| a.0.cmp(&b.0));
        attributes
    }

    fn member_value() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("42".to_owned()),
            Just("4.5e-3".to_owned()),
            Just("\"text\"".to_owned()),
            Just("\"caf\\u00e9\"".to_owned()),
            Just("{}".to_owned()),
            Just("{\"a\": [1]}".to_owned()),
            Just("[[1]]".to_owned()),
        ];
        prop_oneof![
            scalar.clone(),
            prop::collection::vec(scalar, 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
        ]
    }

    proptest! {
        #[test]
        fn reading_directly_matches_reading_through_a_tree(
            members in prop::collection::vec(
                (prop::sample::select(vec!["targetingKey", "a", "b", "roles", "z"]), member_value()),
                0..6,
            ),
        ) {
            let text = format!(
                "{{{}}}",
                members.iter().map(|(key, value)| format!("\"{key}\": {value}")).collect::<Vec<_>>().join(", ")
            );
            // The same attributes (in the text's order rather than a map's), or both refused,
            // for the same reason when one attribute is at fault.
            match (Context::from_json(&text), through_a_tree(&text)) {
                (Ok(direct), Ok(tree)) => prop_assert_eq!(sorted(&direct), sorted(&tree), "{}", text),
                (Err(direct), Err(tree)) => {
                    if direct.attribute() == tree.attribute() {
                        prop_assert_eq!(direct, tree, "{}", text);
                    }
                }
                (direct, tree) => prop_assert!(false, "{text}: {direct:?} against {tree:?}"),
            }
        }

        #[test]
        fn any_text_reads_the_same_directly_and_through_a_tree(text in "[\\[\\]{}\",:0-9a-z ]{0,24}") {
            let direct = Context::from_json(&text);
            match crate::json::parse_value(&text, 16) {
                Ok(value) => match (direct, Context::from_json_value(value)) {
                    (Ok(direct), Ok(tree)) => prop_assert_eq!(sorted(&direct), sorted(&tree)),
                    (direct, tree) => prop_assert_eq!(direct.is_ok(), tree.is_ok()),
                },
                Err(_) => {
                    // Grammatical text that cannot be a value (a repeated member) is refused
                    // for what it is; anything else is not JSON.
                    let grammatical = crate::json::validate(&text, 16).is_ok();
                    prop_assert!(
                        direct.is_err_and(|error| error.to_string().contains("not valid JSON") != grammatical),
                        "{}", text
                    );
                }
            }
        }
    }

    #[test]
    fn a_repeated_name_is_refused_in_small_and_large_contexts() {
        for count in [3, 80] {
            let members: Vec<String> = (0..count)
                .map(|index| format!("\"attribute-{index}\": {index}"))
                .chain(["\"attribute-1\": null".to_owned()])
                .collect();
            let text = format!("{{{}}}", members.join(", "));
            let error = Context::from_json(&text).expect_err("a repeated name");
            assert_eq!(error.attribute(), Some("attribute-1"), "{count} members");
            assert_eq!(
                error.to_string(),
                "invalid context attribute \"attribute-1\": the attribute is given more than once"
            );
            let unique = format!(
                "{{{}}}",
                members.get(..count).unwrap_or_default().join(", ")
            );
            assert_eq!(
                Context::from_json(&unique).map(|context| context.len()),
                Ok(count)
            );
        }
    }

    #[test]
    fn the_public_accessors_say_what_the_context_and_its_errors_hold() {
        use super::AttrValue;
        let error = Context::from_json(r#"{"a": {"b": 1}}"#).expect_err("a nested object");
        assert_eq!(error.attribute(), Some("a"));
        assert_eq!(error.message(), super::OBJECT_VALUE);
        assert!(Context::new().is_empty());
        assert!(!Context::with_targeting_key("u").is_empty());
        let list = AttrValue::List(vec![AttrValue::Number(1.5), "a".into(), true.into()]);
        assert_eq!(list.to_json(), serde_json::json!([1.5, "a", true]));
        assert_eq!(
            AttrValue::Number(f64::NAN).to_json(),
            serde_json::Value::Null
        );
    }

    #[test]
    fn attributes_keep_the_order_of_the_text_and_nulls_are_absent() {
        let context = Context::from_json(r#"{"b": 1, "a": null, "targetingKey": 7, "c": "two"}"#)
            .expect("a valid context");
        let attributes: Vec<_> = context
            .attributes()
            .map(|(name, value)| (name.to_owned(), value.clone()))
            .collect();
        assert_eq!(
            attributes,
            vec![
                ("b".to_owned(), super::AttrValue::Number(1.0)),
                (
                    "targetingKey".to_owned(),
                    super::AttrValue::String("7".to_owned())
                ),
                ("c".to_owned(), super::AttrValue::String("two".to_owned())),
            ]
        );
    }

    #[test]
    fn numbers_beyond_the_double_range_read_as_null_however_the_context_is_made() {
        use super::AttrValue;
        let text = r#"{"targetingKey": 1e400, "n": -1e400, "roles": [1, 1e999, "a"], "k": 5}"#;
        let expected = Context::new()
            .with(
                "roles",
                AttrValue::List(vec![AttrValue::Number(1.0), "a".into()]),
            )
            .with("k", 5);
        assert_eq!(Context::from_json(text), Ok(expected.clone()));
        let built = Context::new()
            .with("targetingKey", f64::INFINITY)
            .with("n", 3)
            .with("n", f64::NEG_INFINITY)
            .with(
                "roles",
                AttrValue::List(vec![
                    AttrValue::Number(1.0),
                    AttrValue::Number(f64::NAN),
                    "a".into(),
                ]),
            )
            .with("k", 5);
        assert_eq!(built, expected);
        assert_eq!(
            built.get("n"),
            None,
            "a later NaN or infinity removes the attribute"
        );
    }
}
