//! A YAML node as a JSON value, for the JSON Schema tests and for reading
//! foreign files (Backstage catalogs) whose shape spof does not check
//! field by field.

use serde_json::{Map, Number, Value as Json};

use super::scalar::{resolve, Resolved};
use super::tree::{Document, NodeIdx, TagName, Value};

/// Deeper nesting than this is refused rather than recursed into: no
/// real catalog or architecture comes close, and the stack stays bounded.
pub(crate) const MAX_DEPTH: usize = 200;

/// The node at `idx` as JSON, scalars read by the YAML 1.2 core schema.
/// Mapping keys become their text. `None` when the nesting passes
/// [`MAX_DEPTH`]. Aliases are expanded; the tree bounds their total size.
pub(crate) fn to_json(doc: &Document<'_>, idx: NodeIdx) -> Option<Json> {
    convert(doc, idx, 0)
}

fn convert(doc: &Document<'_>, idx: NodeIdx, depth: usize) -> Option<Json> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match doc.get(idx).0 {
        Value::Scalar { text, plain, tag } => scalar(text, plain, tag),
        Value::Seq(items) => Json::Array(
            items
                .iter()
                .map(|&i| convert(doc, i, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Value::Map(entries) => {
            let mut map = Map::new();
            for &(k, v) in entries {
                let key = match doc.get(k).0 {
                    Value::Scalar { text, .. } => text.to_string(),
                    _ => convert(doc, k, depth + 1)?.to_string(),
                };
                let value = convert(doc, v, depth + 1)?;
                map.entry(key).or_insert(value);
            }
            Json::Object(map)
        }
    })
}

fn scalar(text: &str, plain: bool, tag: Option<&TagName>) -> Json {
    let core = match tag {
        Some(TagName::Core(suffix)) => Some(suffix.as_str()),
        _ => None,
    };
    match resolve(text, plain, core) {
        Resolved::Null => Json::Null,
        Resolved::Bool(b) => Json::Bool(b),
        Resolved::Int(Some(i)) => match (i64::try_from(i), u64::try_from(i)) {
            (Ok(i), _) => Json::Number(i.into()),
            (_, Ok(u)) => Json::Number(u.into()),
            _ => Json::String(text.to_string()),
        },
        Resolved::Int(None) => Json::String(text.to_string()),
        Resolved::Float(f) => {
            Number::from_f64(f).map_or(Json::String(text.to_string()), Json::Number)
        }
        Resolved::Str(s) => Json::String(s.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::tree::{parse, parse_stream};

    fn json(text: &str) -> Json {
        let (doc, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        let doc = doc.expect("a document");
        to_json(&doc, doc.root.expect("a root")).expect("shallow")
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        assert_eq!(
            json("a: on\nb: true\nc: 12\nd: 0.5\ne: ~\nf: '12'\n"),
            serde_json::json!({"a": "on", "b": true, "c": 12, "d": 0.5, "e": null, "f": "12"})
        );
    }

    #[test]
    fn aliases_are_expanded() {
        assert_eq!(
            json("a: &x [1, 2]\nb: *x\n"),
            serde_json::json!({"a": [1, 2], "b": [1, 2]})
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 5), "]".repeat(MAX_DEPTH + 5));
        let (doc, _) = parse(&text);
        let doc = doc.expect("a document");
        assert_eq!(to_json(&doc, doc.root.expect("a root")), None);
    }

    #[test]
    fn a_stream_has_one_root_per_document() {
        let (doc, problems) = parse_stream("a: 1\n---\nb: 2\n---\nc: 3\n");
        assert!(problems.is_empty());
        let doc = doc.expect("a document");
        let roots: Vec<Json> = doc
            .roots
            .iter()
            .map(|&r| to_json(&doc, r).unwrap())
            .collect();
        assert_eq!(
            roots,
            [
                serde_json::json!({"a": 1}),
                serde_json::json!({"b": 2}),
                serde_json::json!({"c": 3})
            ]
        );
    }
}
