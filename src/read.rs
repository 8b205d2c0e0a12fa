//! Reads the wire types of [`crate::snapshot`] from a [`Json`] tree.
//!
//! Written by hand rather than derived so that every shape error names the exact JSON path of the
//! offending value, repeated members are caught, arrays are never read as objects, and unknown
//! members are collected for the compiler (which refuses to serve a flag it only partly
//! understood).

use std::borrow::Cow;

use serde_json::Value;

use crate::error::{LoadError, LoadErrorKind};
use crate::fasthash::FastSet;
use crate::json::{Json, Member, Tree};
use crate::path::JsonPath;
use crate::snapshot::{
    Condition, Entries, Flag, Metadata, Override, Prerequisite, Rule, Schedule, Segment, Serve,
    Snapshot, WeightedVariant, SCHEMA_VERSION,
};

type Read<T> = Result<T, LoadError>;

/// A member the wire format does not define, found while reading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UnknownField {
    /// JSON path of the member.
    pub(crate) path: String,
    /// Index of the flag it is in, if any.
    pub(crate) flag: Option<usize>,
    /// Index of the segment it is in, if any.
    pub(crate) segment: Option<usize>,
}

/// Where the unknown members of an object are reported.
#[derive(Clone, Copy)]
enum Owner {
    TopLevel,
    Flag(usize),
    Segment(usize),
    /// Free-form objects (metadata): unknown members are expected and not reported.
    Free,
}

fn shape(path: &JsonPath, message: String) -> LoadError {
    LoadError::new(LoadErrorKind::Shape, Some(path.to_string()), message)
}

fn expected(path: &JsonPath, what: &str, found: &Json<'_>) -> LoadError {
    shape(path, format!("expected {what}, found {}", found.kind()))
}

/// The members of one JSON object, taken one by one as they are read.
struct Object<'p, 'r, 't> {
    members: &'r [Member<'t>],
    /// Which members were taken: a bit mask, or a list for an object of more than 64 members.
    taken: Taken,
    path: &'p JsonPath<'p>,
}

enum Taken {
    Mask(u64),
    List(Vec<bool>),
}

impl Taken {
    fn new(len: usize) -> Taken {
        if len <= 64 {
            Taken::Mask(0)
        } else {
            Taken::List(vec![false; len])
        }
    }

    fn get(&self, index: usize) -> bool {
        match self {
            Taken::Mask(mask) => index < 64 && mask & (1 << index) != 0,
            Taken::List(list) => list.get(index).copied().unwrap_or(false),
        }
    }

    fn set(&mut self, index: usize) {
        match self {
            Taken::Mask(mask) if index < 64 => *mask |= 1 << index,
            Taken::Mask(_) => {}
            Taken::List(list) => {
                if let Some(slot) = list.get_mut(index) {
                    *slot = true;
                }
            }
        }
    }
}

impl<'p, 'r, 't> Object<'p, 'r, 't> {
    fn new(tree: &'r Tree<'t>, json: Json<'t>, path: &'p JsonPath<'p>) -> Read<Object<'p, 'r, 't>> {
        let Json::Object(span) = json else {
            return Err(expected(path, "an object", &json));
        };
        let members = tree.members(span);
        // Members are few in the wire objects; a set only for the unusual large one.
        let repeated = if members.len() <= 16 {
            members
                .iter()
                .enumerate()
                .find(|(index, (key, _))| {
                    members[..*index].iter().any(|(earlier, _)| earlier == key)
                })
                .map(|(_, (key, _))| key.to_string())
        } else {
            let mut seen: FastSet<&str> = FastSet::default();
            members
                .iter()
                .find(|(key, _)| !seen.insert(key))
                .map(|(key, _)| key.to_string())
        };
        if let Some(key) = repeated {
            return Err(shape(path, format!("duplicate field `{key}`")));
        }
        Ok(Object {
            members,
            taken: Taken::new(members.len()),
            path,
        })
    }

    /// The member `name`, if present (even if `null`).
    fn present(&mut self, name: &str) -> Option<Json<'t>> {
        let index = self.members.iter().position(|(key, _)| key == name)?;
        self.taken.set(index);
        self.members.get(index).map(|(_, value)| value.take())
    }

    /// The member `name`, if present and not `null`.
    fn optional(&mut self, name: &str) -> Option<Json<'t>> {
        self.present(name).filter(|json| *json != Json::Null)
    }

    fn required(&mut self, name: &str) -> Read<Json<'t>> {
        self.present(name)
            .ok_or_else(|| shape(self.path, format!("missing field `{name}`")))
    }

    /// Reports the members nobody asked for.
    fn finish(self, owner: Owner, unknown: &mut Vec<UnknownField>) {
        let (flag, segment) = match owner {
            Owner::Free => return,
            Owner::TopLevel => (None, None),
            Owner::Flag(index) => (Some(index), None),
            Owner::Segment(index) => (None, Some(index)),
        };
        for (index, (key, _)) in self.members.iter().enumerate() {
            if self.taken.get(index) {
                continue;
            }
            unknown.push(UnknownField {
                path: self.path.field(key).to_string(),
                flag,
                segment,
            });
        }
    }
}

/// Text borrowed from the document where it had no escapes.
type Text<'t> = Cow<'t, str>;

fn string<'t>(json: Json<'t>, path: &JsonPath) -> Read<Text<'t>> {
    match json {
        Json::String(text) => Ok(text),
        other => Err(expected(path, "a string", &other)),
    }
}

fn unsigned(json: Json, path: &JsonPath) -> Read<u64> {
    match &json {
        Json::Number(number) => number.as_u64().ok_or_else(|| {
            shape(
                path,
                format!("expected a non-negative integer, found {number}"),
            )
        }),
        other => Err(expected(path, "a non-negative integer", other)),
    }
}

fn boolean(json: Json, path: &JsonPath) -> Read<bool> {
    match json {
        Json::Bool(value) => Ok(value),
        other => Err(expected(path, "a boolean", &other)),
    }
}

fn list<'t, T>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    mut read: impl FnMut(Json<'t>, &JsonPath, usize) -> Read<T>,
) -> Read<Vec<T>> {
    let Json::Array(span) = json else {
        return Err(expected(path, "an array", &json));
    };
    let items = tree.items(span);
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        out.push(read(item.take(), &path.index(index), index)?);
    }
    Ok(out)
}

fn strings<'t>(tree: &Tree<'t>, json: Json<'t>, path: &JsonPath) -> Read<Vec<Text<'t>>> {
    list(tree, json, path, |item, path, _| string(item, path))
}

fn optional_string<'t>(object: &mut Object<'_, '_, 't>, name: &str) -> Read<Option<Text<'t>>> {
    object
        .optional(name)
        .map(|json| string(json, &object.path.field(name)))
        .transpose()
}

fn required_string<'t>(object: &mut Object<'_, '_, 't>, name: &str) -> Read<Text<'t>> {
    let json = object.required(name)?;
    string(json, &object.path.field(name))
}

fn defaulted_strings<'t>(
    tree: &Tree<'t>,
    object: &mut Object<'_, '_, 't>,
    name: &str,
) -> Read<Vec<Text<'t>>> {
    match object.present(name) {
        Some(json) => strings(tree, json, &object.path.field(name)),
        None => Ok(Vec::new()),
    }
}

/// Reads a whole snapshot. `schemaVersion` is checked first, so a document of another version is
/// reported as such rather than as a shape error.
pub(crate) fn snapshot<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    unknown: &mut Vec<UnknownField>,
) -> Read<Snapshot<Text<'t>>> {
    let root = JsonPath::ROOT;
    let mut object = Object::new(tree, json, &root)?;
    let schema_version = unsigned(
        object.required("schemaVersion")?,
        &root.field("schemaVersion"),
    )?;
    if schema_version != SCHEMA_VERSION {
        return Err(LoadError::unsupported_schema_version(schema_version));
    }
    let revision = unsigned(object.required("revision")?, &root.field("revision"))?;
    let generated_at = required_string(&mut object, "generatedAt")?;
    let environment = optional_string(&mut object, "environment")?;
    let segments = match object.present("segments") {
        Some(json) => list(tree, json, &root.field("segments"), |item, path, index| {
            segment(tree, item, path, index, unknown)
        })?,
        None => Vec::new(),
    };
    let flags_json = object.required("flags")?;
    let flags = list(
        tree,
        flags_json,
        &root.field("flags"),
        |item, path, index| flag(tree, item, path, index, unknown),
    )?;
    object.finish(Owner::TopLevel, unknown);
    Ok(Snapshot {
        schema_version,
        revision,
        generated_at,
        environment,
        segments,
        flags,
    })
}

fn segment<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Segment<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let key = required_string(&mut object, "key")?;
    let included = defaulted_strings(tree, &mut object, "included")?;
    let excluded = defaulted_strings(tree, &mut object, "excluded")?;
    let conditions = match object.present("conditions") {
        Some(json) => list(tree, json, &path.field("conditions"), |item, path, _| {
            condition(tree, item, path, Owner::Segment(index), unknown)
        })?,
        None => Vec::new(),
    };
    // Segments may carry notes for people, like flags; they are not read.
    let _ = object.present("metadata");
    object.finish(Owner::Segment(index), unknown);
    Ok(Segment {
        key,
        included,
        excluded,
        conditions,
    })
}

fn flag<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Flag<Text<'t>>> {
    let owner = Owner::Flag(index);
    let mut object = Object::new(tree, json, path)?;
    let key = required_string(&mut object, "key")?;
    let kind = required_string(&mut object, "type")?;
    let enabled = match object.present("enabled") {
        Some(json) => boolean(json, &path.field("enabled"))?,
        None => true,
    };
    let variants_path = path.field("variants");
    let variants = match object.required("variants")? {
        Json::Object(span) => Entries(
            tree.members(span)
                .iter()
                .map(|(key, value)| (key.clone(), tree.take_value(value.take())))
                .collect(),
        ),
        other => return Err(expected(&variants_path, "an object", &other)),
    };
    let off_variant = optional_string(&mut object, "offVariant")?;
    let fallthrough_json = object.required("fallthrough")?;
    let fallthrough = serve(
        tree,
        fallthrough_json,
        &path.field("fallthrough"),
        owner,
        unknown,
    )?;
    let overrides = match object.present("overrides") {
        Some(json) => list(tree, json, &path.field("overrides"), |item, path, _| {
            override_entry(tree, item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let schedule = match object.optional("schedule") {
        Some(json) => Some(schedule(
            tree,
            json,
            &path.field("schedule"),
            owner,
            unknown,
        )?),
        None => None,
    };
    let prerequisites = match object.present("prerequisites") {
        Some(json) => list(tree, json, &path.field("prerequisites"), |item, path, _| {
            prerequisite(tree, item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let rules = match object.present("rules") {
        Some(json) => list(tree, json, &path.field("rules"), |item, path, _| {
            rule(tree, item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let salt = optional_string(&mut object, "salt")?;
    let bucket_by = optional_string(&mut object, "bucketBy")?;
    let metadata = match object.optional("metadata") {
        Some(json) => Some(metadata(tree, json, &path.field("metadata"))?),
        None => None,
    };
    object.finish(owner, unknown);
    Ok(Flag {
        key,
        kind,
        enabled,
        variants,
        off_variant,
        fallthrough,
        overrides,
        schedule,
        prerequisites,
        rules,
        salt,
        bucket_by,
        metadata,
    })
}

fn serve<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Serve<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let variant = optional_string(&mut object, "variant")?;
    let split = match object.optional("split") {
        Some(json) => Some(list(tree, json, &path.field("split"), |item, path, _| {
            let mut slice = Object::new(tree, item, path)?;
            let variant = required_string(&mut slice, "variant")?;
            let weight = unsigned(slice.required("weight")?, &path.field("weight"))?;
            slice.finish(owner, unknown);
            Ok(WeightedVariant { variant, weight })
        })?),
        None => None,
    };
    let bucket_by = optional_string(&mut object, "bucketBy")?;
    object.finish(owner, unknown);
    Ok(Serve {
        variant,
        split,
        bucket_by,
    })
}

fn override_entry<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Override<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let variant = required_string(&mut object, "variant")?;
    let keys_json = object.required("keys")?;
    let keys = strings(tree, keys_json, &path.field("keys"))?;
    object.finish(owner, unknown);
    Ok(Override { variant, keys })
}

fn schedule<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Schedule<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let start = optional_string(&mut object, "start")?;
    let end = optional_string(&mut object, "end")?;
    object.finish(owner, unknown);
    Ok(Schedule { start, end })
}

fn prerequisite<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Prerequisite<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let flag = required_string(&mut object, "flag")?;
    let variants_json = object.required("variants")?;
    let variants = strings(tree, variants_json, &path.field("variants"))?;
    object.finish(owner, unknown);
    Ok(Prerequisite { flag, variants })
}

fn rule<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Rule<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let id = optional_string(&mut object, "id")?;
    let conditions = match object.present("conditions") {
        Some(json) => list(tree, json, &path.field("conditions"), |item, path, _| {
            condition(tree, item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let serve_json = object.required("serve")?;
    let serve = serve(tree, serve_json, &path.field("serve"), owner, unknown)?;
    // A rule may carry a description for people; it is not read.
    let _ = object.present("description");
    object.finish(owner, unknown);
    Ok(Rule {
        id,
        conditions,
        serve,
    })
}

fn condition<'t>(
    tree: &Tree<'t>,
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Condition<Text<'t>>> {
    let mut object = Object::new(tree, json, path)?;
    let attribute = optional_string(&mut object, "attribute")?;
    let op = required_string(&mut object, "op")?;
    let value = object.optional("value").map(|json| tree.take_value(json));
    let values = match object.optional("values") {
        Some(json) => Some(list(tree, json, &path.field("values"), |item, _, _| {
            Ok::<Value, LoadError>(tree.take_value(item))
        })?),
        None => None,
    };
    let negate = match object.present("negate") {
        Some(json) => boolean(json, &path.field("negate"))?,
        None => false,
    };
    object.finish(owner, unknown);
    Ok(Condition {
        attribute,
        op,
        value,
        values,
        negate,
    })
}

fn metadata<'t>(tree: &Tree<'t>, json: Json<'t>, path: &JsonPath) -> Read<Metadata> {
    let mut object = Object::new(tree, json, path)?;
    let description = optional_string(&mut object, "description")?.map(Cow::into_owned);
    let owner = optional_string(&mut object, "owner")?.map(Cow::into_owned);
    let tags = defaulted_strings(tree, &mut object, "tags")?
        .into_iter()
        .map(Cow::into_owned)
        .collect();
    let version = object
        .optional("version")
        .map(|json| unsigned(json, &path.field("version")))
        .transpose()?;
    let changed_at = optional_string(&mut object, "changedAt")?.map(Cow::into_owned);
    object.finish(Owner::Free, &mut Vec::new());
    Ok(Metadata {
        description,
        owner,
        tags,
        version,
        changed_at,
    })
}
