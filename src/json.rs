//! A JSON tree that keeps object members in document order, duplicates included.
//!
//! The loader parses a snapshot into this tree once and reads the wire types from it by hand.
//! One generic instantiation of the parser serves every type (the WebAssembly build is small),
//! repeated members can be reported instead of silently overwritten, and every error can name the
//! exact JSON path of what was wrong.
//!
//! The tree is built for loading speed: strings borrow from the document text unless they contain
//! escapes, and the children of every array and object live in two shared arenas (a container
//! node holds the span of its children), so building the whole tree takes a handful of
//! allocations instead of one per container. Children sit in `Cell`s so a reader can take them
//! out one at a time through a shared reference.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A parsed JSON value. Containers refer to their children in a [`Tree`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Json<'a> {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Span),
    /// Members in document order; a key may appear more than once.
    Object(Span),
}

/// Where a container's children are in the [`Tree`]'s arenas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: usize,
    len: usize,
}

/// The arenas holding every container's children.
#[derive(Default)]
pub(crate) struct Tree<'a> {
    items: Vec<Cell<Json<'a>>>,
    members: Vec<(Cow<'a, str>, Cell<Json<'a>>)>,
}

/// A member of an object: its key, and its value until someone takes it.
pub(crate) type Member<'a> = (Cow<'a, str>, Cell<Json<'a>>);

impl<'a> Tree<'a> {
    /// The items of an array.
    pub(crate) fn items(&self, span: Span) -> &[Cell<Json<'a>>] {
        self.items
            .get(span.start..span.start + span.len)
            .unwrap_or(&[])
    }

    /// The members of an object.
    pub(crate) fn members(&self, span: Span) -> &[Member<'a>] {
        self.members
            .get(span.start..span.start + span.len)
            .unwrap_or(&[])
    }

    /// Converts a node to a `serde_json::Value`, taking its children out of the tree. In objects,
    /// a repeated key keeps its last value, as JSON parsers generally do.
    pub(crate) fn take_value(&self, json: Json<'a>) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(value) => Value::Bool(value),
            Json::Number(value) => Value::Number(value),
            Json::String(value) => Value::String(value.into_owned()),
            Json::Array(span) => Value::Array(
                self.items(span)
                    .iter()
                    .map(|item| self.take_value(item.take()))
                    .collect(),
            ),
            Json::Object(span) => {
                let mut map = Map::new();
                for (key, value) in self.members(span) {
                    map.insert(key.to_string(), self.take_value(value.take()));
                }
                Value::Object(map)
            }
        }
    }
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
}

/// Parses JSON text into a tree, refusing nesting deeper than `max_depth` while it parses (so the
/// depth limit holds whatever the parser's own recursion limit is). `Err(None)` means the depth
/// limit was hit; `Err(Some(error))` is a syntax error.
pub(crate) fn parse(
    text: &str,
    max_depth: usize,
) -> Result<(Tree<'_>, Json<'_>), Option<serde_json::Error>> {
    // Reserving from the document's size (a member takes at least ~4 bytes of text, an item at
    // least 2) saves the arenas from growing by copying, several times over, on large documents.
    let mut builder = Builder {
        tree: Tree {
            items: Vec::with_capacity(text.len() / 32),
            members: Vec::with_capacity(text.len() / 16),
        },
        items: Vec::new(),
        members: Vec::new(),
        too_deep: false,
        max_depth,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = JsonSeed {
        depth: 0,
        builder: &mut builder,
    }
    .deserialize(&mut deserializer);
    if builder.too_deep {
        return Err(None);
    }
    let json = parsed.map_err(Some)?;
    deserializer.end().map_err(Some)?;
    Ok((builder.tree, json))
}

/// The tree being built, and stacks where the children of the containers still open gather
/// until their container closes and they move, contiguously, into the tree.
struct Builder<'de> {
    tree: Tree<'de>,
    items: Vec<Json<'de>>,
    members: Vec<(Cow<'de, str>, Json<'de>)>,
    too_deep: bool,
    max_depth: usize,
}

struct JsonSeed<'s, 'de> {
    depth: usize,
    builder: &'s mut Builder<'de>,
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
        let depth = nested::<A::Error>(self.depth, self.builder)?;
        let builder = self.builder;
        let open = builder.items.len();
        while let Some(item) = seq.next_element_seed(JsonSeed {
            depth,
            builder: &mut *builder,
        })? {
            builder.items.push(item);
        }
        let start = builder.tree.items.len();
        builder
            .tree
            .items
            .extend(builder.items.drain(open..).map(Cell::new));
        Ok(Json::Array(Span {
            start,
            len: builder.tree.items.len() - start,
        }))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let depth = nested::<A::Error>(self.depth, self.builder)?;
        let builder = self.builder;
        let open = builder.members.len();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(JsonSeed {
                depth,
                builder: &mut *builder,
            })?;
            builder.members.push((key, value));
        }
        let start = builder.tree.members.len();
        builder.tree.members.extend(
            builder
                .members
                .drain(open..)
                .map(|(key, value)| (key, Cell::new(value))),
        );
        Ok(Json::Object(Span {
            start,
            len: builder.tree.members.len() - start,
        }))
    }
}

/// The depth of the values inside a container at `depth`, or an error past the limit.
fn nested<E: serde::de::Error>(depth: usize, builder: &mut Builder<'_>) -> Result<usize, E> {
    let inner = depth + 1;
    if inner > builder.max_depth {
        builder.too_deep = true;
        return Err(E::custom("nesting too deep"));
    }
    Ok(inner)
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
