//! The JSON Schema (draft 2020-12) of format v1, for editors.
//!
//! It is generated from the loader's own field table
//! ([`crate::load::fields`]), so a field added to the loader appears here and
//! a field the loader refuses is refused here. A schema sees shapes only:
//! whether ids resolve, `min` fits its list, containment loops and YAML key
//! types (`123:` is read as a number) are left to `spof validate`.

use serde_json::{json, Map, Value};

use crate::load::fields::{Context, FieldDef, Shape};
use crate::rule::Rule;

/// Where the committed copy lives, relative to the repository root.
pub const COMMITTED_PATH: &str = "schema/spof-v1.schema.json";

/// Matches a valid id: non-empty, no surrounding whitespace, no control
/// characters (the rules of `spof::invalid-id`).
const ID_PATTERN: &str = r"^[^\s\u0000-\u001F\u007F-\u009F]([^\u0000-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F])?$";

/// The schema as a JSON value.
pub fn schema() -> Value {
    let mut root = Map::new();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert("$id".into(), json!("urn:spof:format:v1"));
    root.insert("title".into(), json!("spof architecture file, format v1"));
    if let Value::Object(top) = object(Context::Top) {
        root.extend(top);
    }
    root.insert(
        "description".into(),
        json!("An architecture for spof: sites, services, integrations and their dependencies. Keys starting with `x-` are free for your own metadata."),
    );
    let mut defs = Map::new();
    defs.insert(
        "id".into(),
        json!({
            "description": "The id of a site, service or integration.",
            "type": "string",
            "pattern": ID_PATTERN,
        }),
    );
    for ctx in Context::ALL {
        if ctx != Context::Top {
            defs.insert(def_name(ctx).into(), object(ctx));
        }
    }
    defs.insert(
        "dependencies".into(),
        list(dependency(), "a list of dependencies"),
    );
    defs.insert("placement".into(), placement());
    defs.insert("placementEntries".into(), placement_entries());
    defs.insert("suppressions".into(), suppressions());
    root.insert("$defs".into(), Value::Object(defs));
    Value::Object(root)
}

/// The schema as the committed file holds it: pretty JSON and a final newline.
pub fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    text.push('\n');
    text
}

fn def_name(ctx: Context) -> &'static str {
    match ctx {
        Context::Top => "file",
        Context::Site => "site",
        Context::Service => "service",
        Context::Integration => "integration",
        Context::Dependency => "dependency",
        Context::AnyOfMember => "anyOfMember",
        Context::Placement => "quorumPlacement",
        Context::PlacementEntry => "placementEntry",
    }
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{name}") })
}

/// A mapping of this context: its fields, `x-` extensions, nothing else.
/// Node bodies may be `null` (a node with every default).
fn object(ctx: Context) -> Value {
    let mut properties = Map::new();
    for field in ctx.fields() {
        properties.insert(field.key.into(), property(field));
    }
    if ctx.is_node() {
        properties.insert("x-spof-ignore".into(), reference("suppressions"));
    }
    let required: Vec<&str> = ctx
        .fields()
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key)
        .collect();
    let mut schema = Map::new();
    schema.insert(
        "description".into(),
        json!(format!("The fields of {}.", ctx.noun())),
    );
    schema.insert(
        "type".into(),
        // `name:` alone is a node with every default, unless a field is required.
        if ctx.is_node() && required.is_empty() {
            json!(["object", "null"])
        } else {
            json!("object")
        },
    );
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("patternProperties".into(), json!({ "^x-": {} }));
    schema.insert("additionalProperties".into(), json!(false));
    if !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    if ctx == Context::Dependency {
        // Either `on` (without `min`) or `any_of`, never both.
        schema.insert(
            "oneOf".into(),
            json!([
                { "required": ["on"], "not": { "required": ["min"] } },
                { "required": ["any_of"] }
            ]),
        );
    }
    Value::Object(schema)
}

fn property(field: &FieldDef) -> Value {
    let mut schema = match shape(field.shape) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), json!([other]));
            map
        }
    };
    // A `$ref` with siblings is fine in 2020-12, and keeps hover text.
    schema.insert("description".into(), json!(field.doc));
    Value::Object(schema)
}

fn shape(shape: Shape) -> Value {
    match shape {
        Shape::Version => json!({ "const": 1 }),
        Shape::Text => json!({ "type": "string" }),
        Shape::Texts => json!({ "type": ["array", "null"], "items": { "type": "string" } }),
        Shape::Probability => {
            json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 1 })
        }
        Shape::Count => json!({ "type": "integer", "minimum": 0 }),
        Shape::Min => json!({ "type": "integer", "minimum": 1 }),
        Shape::Flag => json!({ "type": "boolean" }),
        Shape::Choice(words) => json!({ "enum": words }),
        Shape::Id => reference("id"),
        Shape::Ids => json!({ "type": ["array", "null"], "items": reference("id") }),
        Shape::Section(ctx) => json!({
            "type": ["object", "null"],
            "propertyNames": reference("id"),
            "additionalProperties": reference(def_name(ctx)),
        }),
        Shape::Dependencies => reference("dependencies"),
        Shape::Members => json!({
            "type": "array",
            "minItems": 1,
            "items": { "anyOf": [reference("id"), reference(def_name(Context::AnyOfMember))] },
        }),
        Shape::Placement => reference("placement"),
        Shape::PlacementEntries => reference("placementEntries"),
    }
}

fn list(item: Value, description: &str) -> Value {
    json!({ "description": description, "type": ["array", "null"], "items": item })
}

fn dependency() -> Value {
    json!({ "anyOf": [reference("id"), reference(def_name(Context::Dependency))] })
}

fn placement() -> Value {
    json!({
        "description": "A site id, a list of entries (up while one is up), or `{ sites: [...], min: K }`.",
        "anyOf": [
            reference("id"),
            reference("placementEntries"),
            reference(def_name(Context::Placement)),
        ],
    })
}

fn placement_entries() -> Value {
    json!({
        "type": "array",
        "minItems": 1,
        "items": { "anyOf": [reference("id"), reference(def_name(Context::PlacementEntry))] },
    })
}

fn suppressions() -> Value {
    // `spof/shared-fate` and `shared-fate` both name a rule.
    let mut rules: Vec<&str> = Rule::ALL.iter().map(|r| r.slug()).collect();
    rules.extend(Rule::ALL.iter().map(|r| r.code()));
    json!({
        "description": "`spof check` findings accepted on this node, each with the reason a reviewer reads.",
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "rule": { "enum": rules },
                "reason": { "type": "string", "pattern": "\\S" },
            },
            "required": ["rule", "reason"],
            "additionalProperties": false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_of_every_context_is_in_the_schema() {
        let schema = schema();
        for ctx in Context::ALL {
            let props = if ctx == Context::Top {
                &schema["properties"]
            } else {
                &schema["$defs"][def_name(ctx)]["properties"]
            };
            for field in ctx.fields() {
                assert!(props.get(field.key).is_some(), "{} in {ctx:?}", field.key);
            }
        }
    }

    #[test]
    fn the_text_is_stable() {
        assert_eq!(schema_text(), schema_text());
        assert!(schema_text().ends_with("}\n"));
    }
}
