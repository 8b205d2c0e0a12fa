//! A JSON tree that keeps object members in document order, duplicates included.
//!
//! The loader parses a snapshot into this tree once and reads the wire types from it by hand.
//! One generic instantiation of the parser serves every type (the WebAssembly build is small),
//! repeated members can be reported instead of silently overwritten, and every error can name the
//! exact JSON path of what was wrong.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A parsed JSON value. Strings borrow from the document text unless they contain escapes, so
/// building the tree allocates little beyond its arrays.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members in document order; a key may appear more than once.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl Json<'_> {
    /// The JSON type's name, for messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// Converts to a `serde_json::Value`. In objects, a repeated key keeps its last value, as
    /// JSON parsers generally do.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(value) => Value::Bool(value),
            Json::Number(value) => Value::Number(value),
            Json::String(value) => Value::String(value.into_owned()),
            Json::Array(items) => Value::Array(items.into_iter().map(Json::into_value).collect()),
            Json::Object(members) => {
                let mut map = Map::new();
                for (key, value) in members {
                    map.insert(key.into_owned(), value.into_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Parses JSON text into a tree, refusing nesting deeper than `max_depth` while it parses (so the
/// depth limit holds whatever the parser's own recursion limit is). `Err(None)` means the depth
/// limit was hit; `Err(Some(error))` is a syntax error.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Json<'_>, Option<serde_json::Error>> {
    let scratch = Scratch {
        items: RefCell::new(Vec::new()),
        members: RefCell::new(Vec::new()),
        too_deep: Cell::new(false),
        max_depth,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = JsonSeed {
        depth: 0,
        scratch: &scratch,
    }
    .deserialize(&mut deserializer);
    if scratch.too_deep.get() {
        return Err(None);
    }
    let json = parsed.map_err(Some)?;
    deserializer.end().map_err(Some)?;
    Ok(json)
}

/// Stacks shared by the whole parse: items of the arrays and objects being read are gathered
/// here, then moved into one exactly-sized allocation per array or object, instead of growing a
/// vector per container.
struct Scratch<'de> {
    items: RefCell<Vec<Json<'de>>>,
    members: RefCell<Vec<(Cow<'de, str>, Json<'de>)>>,
    too_deep: Cell<bool>,
    max_depth: usize,
}

#[derive(Clone, Copy)]
struct JsonSeed<'s, 'de> {
    depth: usize,
    scratch: &'s Scratch<'de>,
}

impl<'de> DeserializeSeed<'de> for JsonSeed<'_, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonSeed<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json<'de>, E> {
        // JSON text cannot spell NaN or infinity, so this is always a number.
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(value)))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value.to_owned())))
    }

    fn visit_string<E>(self, value: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let inner = self.nested::<A::Error>()?;
        let start = self.scratch.items.borrow().len();
        while let Some(item) = seq.next_element_seed(inner)? {
            self.scratch.items.borrow_mut().push(item);
        }
        let items: Vec<Json<'de>> = self.scratch.items.borrow_mut().drain(start..).collect();
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let inner = self.nested::<A::Error>()?;
        let start = self.scratch.members.borrow().len();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(inner)?;
            self.scratch.members.borrow_mut().push((key, value));
        }
        let members: Vec<(Cow<'de, str>, Json<'de>)> =
            self.scratch.members.borrow_mut().drain(start..).collect();
        Ok(Json::Object(members))
    }
}

impl<'s, 'de> JsonSeed<'s, 'de> {
    /// The seed for the values inside this container, or an error past the depth limit.
    fn nested<E: serde::de::Error>(self) -> Result<JsonSeed<'s, 'de>, E> {
        let depth = self.depth + 1;
        if depth > self.scratch.max_depth {
            self.scratch.too_deep.set(true);
            return Err(E::custom("nesting too deep"));
        }
        Ok(JsonSeed {
            depth,
            scratch: self.scratch,
        })
    }
}

/// Reads an object key, borrowing it from the text when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(value))
    }
}
