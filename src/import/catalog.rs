//! Reading Backstage catalog files (`catalog-info.yaml`) into entities.
//!
//! A catalog file holds one or more YAML documents, each an entity with
//! `apiVersion`, `kind`, `metadata` and `spec`. Only what the import needs is
//! kept; an entity that cannot be read (no kind, no name) is reported as a
//! warning at the line where its document starts, and skipped.

use crate::code::Code;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value as Json;

use crate::diagnostic::{Label, LoadError, Problem, SourceFile, Span};

/// An entity reference in canonical form: kind (lower case), namespace, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    /// `component`, `resource`, ... in lower case.
    pub kind: String,
    /// The namespace, `default` when none is given.
    pub namespace: String,
    /// The entity's name.
    pub name: String,
}

impl EntityRef {
    /// Parses `[kind:][namespace/]name`; `default_kind` fills a missing kind
    /// (Backstage does the same per field: `owner` defaults to `group`).
    pub fn parse(text: &str, default_kind: Option<&str>) -> Option<EntityRef> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, rest)) if !k.contains('/') => (Some(k.trim()).filter(|k| !k.is_empty()), rest),
            _ => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (ns.trim(), name.trim()),
            None => ("default", rest.trim()),
        };
        if !usable(name) || !usable(namespace) {
            return None;
        }
        Some(EntityRef {
            kind: kind.or(default_kind).unwrap_or("").to_ascii_lowercase(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        })
    }

    /// The reference as Backstage compares references: case-insensitively
    /// (kind, namespace and name folded to lower case).
    pub fn folded(&self) -> EntityRef {
        EntityRef {
            kind: self.kind.to_lowercase(),
            namespace: self.namespace.to_lowercase(),
            name: self.name.to_lowercase(),
        }
    }

    /// `kind:namespace/name`, as Backstage writes it.
    pub fn canonical(&self) -> String {
        format!("{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// One entity of a catalog.
#[derive(Clone, Debug)]
pub struct Entity {
    /// Kind, namespace and name.
    pub reference: EntityRef,
    /// `metadata.title`.
    pub title: Option<String>,
    /// `metadata.description`.
    pub description: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `spec`, as read.
    pub spec: Json,
}

impl Entity {
    /// A string field of `spec`.
    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.spec.get(key).and_then(Json::as_str)
    }

    /// A field of `spec` that is a string or a list of strings.
    pub fn spec_list(&self, key: &str) -> Vec<&str> {
        match self.spec.get(key) {
            Some(Json::String(s)) => vec![s.as_str()],
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// What one catalog file gave.
#[derive(Debug, Default)]
pub struct CatalogFile {
    /// The entities, in file order.
    pub entities: Vec<Entity>,
    /// Targets of its `Location` entities, as written (relative paths or URLs).
    pub locations: Vec<String>,
    /// Entities skipped, as warnings.
    pub warnings: Vec<Problem>,
}

/// Reads one catalog file. A file that is not YAML is an error with every
/// problem found; entities that cannot be read are warnings.
pub fn read(name: &str, text: &str) -> Result<(CatalogFile, Arc<SourceFile>), LoadError> {
    let (documents, source) = super::documents(name, text)?;
    let mut out = CatalogFile::default();
    for (span, value) in documents {
        let Some(value) = value else {
            out.warnings.push(skipped(span, "nested too deeply"));
            continue;
        };
        // The catalog API's answers: `GET /api/catalog/entities` is an array
        // of entities, `/entities/by-query` is `{ items: [...] }`.
        let listed = match &value {
            Json::Array(items) => Some(items.clone()),
            Json::Object(map) if !map.contains_key("kind") => {
                map.get("items").and_then(Json::as_array).cloned()
            }
            _ => None,
        };
        if let Some(items) = listed {
            for item in &items {
                add(&mut out, item, span);
            }
            continue;
        }
        add(&mut out, &value, span);
    }
    Ok((out, source))
}

/// One entity of a file: a Location's targets, or an entity, or a warning.
fn add(out: &mut CatalogFile, value: &Json, span: Span) {
    {
        match entity(value) {
            Ok(entity) if entity.reference.kind == "location" => {
                out.locations
                    .extend(entity.spec_str("target").map(str::to_string));
                out.locations
                    .extend(entity.spec_list("targets").into_iter().map(str::to_string));
            }
            Ok(entity) => out.entities.push(entity),
            Err(why) => out.warnings.push(skipped(span, why)),
        }
    }
}

/// Whether a name or namespace can be part of a spof id.
fn usable(part: &str) -> bool {
    !part.is_empty() && !part.chars().any(char::is_control)
}

fn skipped(span: Span, why: &str) -> Problem {
    Problem::new(
        Code::ImportSkipped,
        format!("entity skipped: {why}"),
        Label::new(Span::point(span.start), "this entity"),
    )
    .with_help_opt(
        why.starts_with("no ")
            .then(|| "a Backstage entity needs `kind` and `metadata.name`".to_string()),
    )
}

fn entity(value: &Json) -> Result<Entity, &'static str> {
    if !value.is_object() {
        return Err("not a mapping");
    }
    let kind = value
        .get("kind")
        .and_then(Json::as_str)
        .ok_or("no `kind`")?;
    if kind.eq_ignore_ascii_case("template") {
        return Err("a scaffolder template, not a part of the system");
    }
    if value.to_string().contains("${{") {
        return Err("it holds `${{ ... }}` placeholders: a template, not a part of the system");
    }
    let metadata = value.get("metadata").ok_or("no `metadata`")?;
    let name = metadata
        .get("name")
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or("no `metadata.name`")?;
    let namespace = metadata
        .get("namespace")
        .and_then(Json::as_str)
        .map(str::trim)
        .unwrap_or("default");
    if !usable(name) || !usable(namespace) {
        return Err("a name or namespace that is empty or holds control characters");
    }
    let text = |key: &str| metadata.get(key).and_then(Json::as_str).map(str::to_string);
    let tags = match metadata.get("tags") {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    let annotations = match metadata.get("annotations") {
        Some(Json::Object(map)) => map
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?)))
            .collect(),
        _ => BTreeMap::new(),
    };
    Ok(Entity {
        reference: EntityRef {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        title: text("title"),
        description: text("description"),
        tags,
        annotations,
        spec: value.get("spec").cloned().unwrap_or(Json::Null),
    })
}

/// An annotation's value as text (`spof/users: 3000000` is a number in YAML).
fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_take_the_default_kind_and_namespace() {
        let r = EntityRef::parse("artists-db", Some("resource")).unwrap();
        assert_eq!(r.canonical(), "resource:default/artists-db");
        let r = EntityRef::parse("Component:ops/pager", None).unwrap();
        assert_eq!(r.canonical(), "component:ops/pager");
        assert_eq!(EntityRef::parse("component:", None), None);
    }

    #[test]
    fn a_file_with_several_documents_and_a_location() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: web\nspec:\n  dependsOn: [resource:db]\n---\nkind: Location\nmetadata: {name: more}\nspec:\n  targets: [./a.yaml, ./b.yaml]\n---\nkind: Resource\nspec: {}\n";
        let (file, _) = read("catalog-info.yaml", text).unwrap();
        assert_eq!(file.entities.len(), 1);
        assert_eq!(file.entities[0].spec_list("dependsOn"), ["resource:db"]);
        assert_eq!(file.locations, ["./a.yaml", "./b.yaml"]);
        assert_eq!(file.warnings.len(), 1);
        assert_eq!(file.warnings[0].primary.span.start.line, 13);
    }

    #[test]
    fn broken_yaml_is_an_error_with_its_place() {
        let err = read("c.yaml", "kind: [Component\n").unwrap_err();
        assert_eq!(err.problems[0].code, Code::YamlSyntax);
    }

    #[test]
    fn the_catalog_api_answers_are_read() {
        let entity = r#"{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "web"}, "spec": {}}"#;
        for text in [
            format!("[{entity}, {entity}]"),
            format!("{{\"items\": [{entity}], \"totalItems\": 1}}"),
        ] {
            let (file, _) = read("api.json", &text).unwrap();
            assert!(!file.entities.is_empty(), "{text}");
            assert_eq!(file.entities[0].reference.name, "web");
        }
    }

    #[test]
    fn references_fold_case_as_backstage_does() {
        let a = EntityRef::parse("resource:dynatrace", None).unwrap();
        let b = EntityRef::parse("Resource:Default/DYNATRACE", None).unwrap();
        assert_eq!(a.folded(), b.folded());
        assert_eq!(b.name, "DYNATRACE", "the spelling is kept");
    }

    #[test]
    fn templates_are_skipped_with_a_warning() {
        let text = "kind: Template\nmetadata: {name: t}\n---\nkind: Component\nmetadata: {name: \"${{ values.name }}\"}\n---\nkind: Component\nmetadata: {name: real}\n";
        let (file, _) = read("t.yaml", text).unwrap();
        assert_eq!(file.entities.len(), 1);
        assert_eq!(file.warnings.len(), 2);
    }
}
