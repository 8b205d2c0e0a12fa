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
use crate::json::Json;
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

fn expected(path: &JsonPath, what: &str, found: &Json) -> LoadError {
    shape(path, format!("expected {what}, found {}", found.kind()))
}

/// The members of one JSON object, taken one by one as they are read (a taken member's value
/// becomes `None`, so nothing shifts).
struct Object<'p, 't> {
    members: Vec<(Cow<'t, str>, Option<Json<'t>>)>,
    path: &'p JsonPath<'p>,
}

impl<'p, 't> Object<'p, 't> {
    fn new(json: Json<'t>, path: &'p JsonPath<'p>) -> Read<Object<'p, 't>> {
        let Json::Object(members) = json else {
            return Err(expected(path, "an object", &json));
        };
        // Members are few in the wire objects; a set only for the unusual large one.
        let repeated = if members.len() <= 16 {
            members
                .iter()
                .enumerate()
                .find(|(index, (key, _))| {
                    members[..*index].iter().any(|(earlier, _)| earlier == key)
                })
                .map(|(_, (key, _))| key.clone())
        } else {
            let mut seen: FastSet<&str> = FastSet::default();
            members
                .iter()
                .find(|(key, _)| !seen.insert(key))
                .map(|(key, _)| key.clone())
        };
        if let Some(key) = repeated {
            return Err(shape(path, format!("duplicate field `{key}`")));
        }
        Ok(Object {
            members: members
                .into_iter()
                .map(|(key, value)| (key, Some(value)))
                .collect(),
            path,
        })
    }

    /// The member `name`, if present (even if `null`).
    fn present(&mut self, name: &str) -> Option<Json<'t>> {
        self.members
            .iter_mut()
            .find(|(key, value)| key == name && value.is_some())
            .and_then(|(_, value)| value.take())
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
        for (key, _) in self.members.iter().filter(|(_, value)| value.is_some()) {
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
    json: Json<'t>,
    path: &JsonPath,
    mut read: impl FnMut(Json<'t>, &JsonPath, usize) -> Read<T>,
) -> Read<Vec<T>> {
    let Json::Array(items) = json else {
        return Err(expected(path, "an array", &json));
    };
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        out.push(read(item, &path.index(index), index)?);
    }
    Ok(out)
}

fn strings<'t>(json: Json<'t>, path: &JsonPath) -> Read<Vec<Text<'t>>> {
    list(json, path, |item, path, _| string(item, path))
}

fn optional_string<'t>(object: &mut Object<'_, 't>, name: &str) -> Read<Option<Text<'t>>> {
    object
        .optional(name)
        .map(|json| string(json, &object.path.field(name)))
        .transpose()
}

fn required_string<'t>(object: &mut Object<'_, 't>, name: &str) -> Read<Text<'t>> {
    let json = object.required(name)?;
    string(json, &object.path.field(name))
}

fn defaulted_strings<'t>(object: &mut Object<'_, 't>, name: &str) -> Read<Vec<Text<'t>>> {
    match object.present(name) {
        Some(json) => strings(json, &object.path.field(name)),
        None => Ok(Vec::new()),
    }
}

/// Reads a whole snapshot. `schemaVersion` is checked first, so a document of another version is
/// reported as such rather than as a shape error.
pub(crate) fn snapshot<'t>(
    json: Json<'t>,
    unknown: &mut Vec<UnknownField>,
) -> Read<Snapshot<Text<'t>>> {
    let root = JsonPath::ROOT;
    let mut object = Object::new(json, &root)?;
    let schema_version = unsigned(
        object.required("schemaVersion")?,
        &root.field("schemaVersion"),
    )?;
    if schema_version != SCHEMA_VERSION {
        return Err(LoadError::new(
            LoadErrorKind::UnsupportedSchemaVersion,
            Some("$.schemaVersion".to_owned()),
            format!("schemaVersion {schema_version} is not supported; this engine reads version {SCHEMA_VERSION}"),
        ));
    }
    let revision = unsigned(object.required("revision")?, &root.field("revision"))?;
    let generated_at = required_string(&mut object, "generatedAt")?;
    let environment = optional_string(&mut object, "environment")?;
    let segments = match object.present("segments") {
        Some(json) => list(json, &root.field("segments"), |item, path, index| {
            segment(item, path, index, unknown)
        })?,
        None => Vec::new(),
    };
    let flags_json = object.required("flags")?;
    let flags = list(flags_json, &root.field("flags"), |item, path, index| {
        flag(item, path, index, unknown)
    })?;
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
    json: Json<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Segment<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let key = required_string(&mut object, "key")?;
    let included = defaulted_strings(&mut object, "included")?;
    let excluded = defaulted_strings(&mut object, "excluded")?;
    let conditions = match object.present("conditions") {
        Some(json) => list(json, &path.field("conditions"), |item, path, _| {
            condition(item, path, Owner::Segment(index), unknown)
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
    json: Json<'t>,
    path: &JsonPath,
    index: usize,
    unknown: &mut Vec<UnknownField>,
) -> Read<Flag<Text<'t>>> {
    let owner = Owner::Flag(index);
    let mut object = Object::new(json, path)?;
    let key = required_string(&mut object, "key")?;
    let kind = required_string(&mut object, "type")?;
    let enabled = match object.present("enabled") {
        Some(json) => boolean(json, &path.field("enabled"))?,
        None => true,
    };
    let variants_path = path.field("variants");
    let variants = match object.required("variants")? {
        Json::Object(members) => Entries(
            members
                .into_iter()
                .map(|(key, value)| (key, value.into_value()))
                .collect(),
        ),
        other => return Err(expected(&variants_path, "an object", &other)),
    };
    let off_variant = optional_string(&mut object, "offVariant")?;
    let fallthrough_json = object.required("fallthrough")?;
    let fallthrough = serve(fallthrough_json, &path.field("fallthrough"), owner, unknown)?;
    let overrides = match object.present("overrides") {
        Some(json) => list(json, &path.field("overrides"), |item, path, _| {
            override_entry(item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let schedule = match object.optional("schedule") {
        Some(json) => Some(schedule(json, &path.field("schedule"), owner, unknown)?),
        None => None,
    };
    let prerequisites = match object.present("prerequisites") {
        Some(json) => list(json, &path.field("prerequisites"), |item, path, _| {
            prerequisite(item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let rules = match object.present("rules") {
        Some(json) => list(json, &path.field("rules"), |item, path, _| {
            rule(item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let salt = optional_string(&mut object, "salt")?;
    let bucket_by = optional_string(&mut object, "bucketBy")?;
    let metadata = match object.optional("metadata") {
        Some(json) => Some(metadata(json, &path.field("metadata"))?),
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
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Serve<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let variant = optional_string(&mut object, "variant")?;
    let split = match object.optional("split") {
        Some(json) => Some(list(json, &path.field("split"), |item, path, _| {
            let mut slice = Object::new(item, path)?;
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
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Override<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let variant = required_string(&mut object, "variant")?;
    let keys_json = object.required("keys")?;
    let keys = strings(keys_json, &path.field("keys"))?;
    object.finish(owner, unknown);
    Ok(Override { variant, keys })
}

fn schedule<'t>(
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Schedule<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let start = optional_string(&mut object, "start")?;
    let end = optional_string(&mut object, "end")?;
    object.finish(owner, unknown);
    Ok(Schedule { start, end })
}

fn prerequisite<'t>(
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Prerequisite<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let flag = required_string(&mut object, "flag")?;
    let variants_json = object.required("variants")?;
    let variants = strings(variants_json, &path.field("variants"))?;
    object.finish(owner, unknown);
    Ok(Prerequisite { flag, variants })
}

fn rule<'t>(
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Rule<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let id = optional_string(&mut object, "id")?;
    let conditions = match object.present("conditions") {
        Some(json) => list(json, &path.field("conditions"), |item, path, _| {
            condition(item, path, owner, unknown)
        })?,
        None => Vec::new(),
    };
    let serve_json = object.required("serve")?;
    let serve = serve(serve_json, &path.field("serve"), owner, unknown)?;
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
    json: Json<'t>,
    path: &JsonPath,
    owner: Owner,
    unknown: &mut Vec<UnknownField>,
) -> Read<Condition<Text<'t>>> {
    let mut object = Object::new(json, path)?;
    let attribute = optional_string(&mut object, "attribute")?;
    let op = required_string(&mut object, "op")?;
    let value = object.optional("value").map(Json::into_value);
    let values = match object.optional("values") {
        Some(json) => Some(list(json, &path.field("values"), |item, _, _| {
            Ok::<Value, LoadError>(item.into_value())
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

fn metadata(json: Json, path: &JsonPath) -> Read<Metadata> {
    let mut object = Object::new(json, path)?;
    let description = optional_string(&mut object, "description")?.map(Cow::into_owned);
    let owner = optional_string(&mut object, "owner")?.map(Cow::into_owned);
    let tags = defaulted_strings(&mut object, "tags")?
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
