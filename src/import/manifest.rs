//! Reading Kubernetes manifests into objects.
//!
//! A manifest file holds one or more YAML (or JSON) documents, each an
//! object with `kind` and `metadata.name`, or a `kind: List` (what `kubectl
//! get -o yaml` writes) whose `items` are objects. `helm template` and
//! `kustomize build` write plain multi-document files. A document that is not
//! an object is a warning at the line where it starts, and skipped.

use std::sync::Arc;

use serde_json::Value as Json;

use crate::code::Code;
use crate::diagnostic::{Label, LoadError, Problem, SourceFile, Span};

/// One Kubernetes object, as written.
#[derive(Clone, Debug)]
pub struct Object {
    /// `Deployment`, `Service`, ... as written.
    pub kind: String,
    /// `metadata.namespace`, or `default`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// The whole object.
    pub value: Json,
}

impl Object {
    /// The text at a path of keys, if it is a string.
    pub fn text(&self, path: &[&str]) -> Option<&str> {
        at(&self.value, path).and_then(Json::as_str)
    }

    /// `metadata.annotations[key]`, as text (numbers and booleans too).
    pub fn annotation(&self, key: &str) -> Option<String> {
        match at(&self.value, &["metadata", "annotations", key])? {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) => Some(n.to_string()),
            Json::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// The value at a path of keys.
pub fn at<'v>(value: &'v Json, path: &[&str]) -> Option<&'v Json> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// What one manifest file gave.
#[derive(Debug, Default)]
pub struct ManifestFile {
    /// The objects, in file order.
    pub objects: Vec<Object>,
    /// Documents skipped, as warnings.
    pub warnings: Vec<Problem>,
}

/// Reads one manifest file. A file that is not YAML is an error with every
/// problem found; documents that are not objects are warnings.
pub fn read(name: &str, text: &str) -> Result<(ManifestFile, Arc<SourceFile>), LoadError> {
    let (documents, source) = super::documents(name, text)?;
    let mut out = ManifestFile::default();
    for (span, value) in documents {
        match value {
            Some(value) => add(&mut out, value, span, 0),
            None => out.warnings.push(skipped(span, "nested too deeply")),
        }
    }
    Ok((out, source))
}

/// One document: an object, or a `List` of them (a list may hold lists).
fn add(out: &mut ManifestFile, value: Json, span: Span, depth: usize) {
    let is_list = value
        .get("kind")
        .and_then(Json::as_str)
        .is_some_and(|k| k == "List" || k.ends_with("List"))
        && value.get("items").is_some_and(Json::is_array);
    if is_list && depth < 4 {
        if let Some(Json::Array(items)) = value.get("items") {
            for item in items.clone() {
                add(out, item, span, depth + 1);
            }
        }
        return;
    }
    match object(value) {
        Ok(object) => out.objects.push(object),
        Err(why) => out.warnings.push(skipped(span, why)),
    }
}

fn object(value: Json) -> Result<Object, &'static str> {
    if !value.is_object() {
        return Err("not a mapping");
    }
    // A kustomization.yaml sits beside the manifests it builds; it has no
    // name, and is counted, not warned about.
    let api = value
        .get("apiVersion")
        .and_then(Json::as_str)
        .unwrap_or_default();
    if api.starts_with("kustomize.config.k8s.io/") {
        let kind = value
            .get("kind")
            .and_then(Json::as_str)
            .unwrap_or("Kustomization");
        return Ok(Object {
            kind: kind.to_string(),
            namespace: "default".into(),
            name: String::new(),
            value,
        });
    }
    let kind = value
        .get("kind")
        .and_then(Json::as_str)
        .filter(|k| usable(k))
        .ok_or("no `kind`")?
        .to_string();
    let name = at(&value, &["metadata", "name"])
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|n| usable(n))
        .ok_or("no `metadata.name`")?
        .to_string();
    let namespace = at(&value, &["metadata", "namespace"])
        .and_then(Json::as_str)
        .map(str::trim)
        .filter(|n| usable(n))
        .unwrap_or("default")
        .to_string();
    Ok(Object {
        kind,
        namespace,
        name,
        value,
    })
}

/// Whether a name can be part of a spof id.
fn usable(part: &str) -> bool {
    !part.is_empty() && !part.chars().any(char::is_control)
}

fn skipped(span: Span, why: &str) -> Problem {
    Problem::new(
        Code::ImportSkipped,
        format!("object skipped: {why}"),
        Label::new(Span::point(span.start), "this document"),
    )
    .with_help_opt(
        why.starts_with("no ")
            .then(|| "a Kubernetes object needs `kind` and `metadata.name`".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_lists_and_empty_documents() {
        let text = "---\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\n---\n---\nkind: List\nitems:\n- {kind: Deployment, metadata: {name: b}}\n- {kind: ConfigMap, metadata: {name: c}}\n---\n- 1\n";
        let (file, _) = read("m.yaml", text).unwrap();
        let names: Vec<(&str, &str, &str)> = file
            .objects
            .iter()
            .map(|o| (o.kind.as_str(), o.namespace.as_str(), o.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Service", "shop", "a"),
                ("Deployment", "default", "b"),
                ("ConfigMap", "default", "c")
            ]
        );
        assert_eq!(file.warnings.len(), 1);
        assert_eq!(file.warnings[0].primary.span.start.line, 12);
    }

    #[test]
    fn json_from_kubectl_is_read() {
        let text = r#"{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p", "annotations": {"spof/users": 12}}}]}"#;
        let (file, _) = read("all.json", text).unwrap();
        assert_eq!(
            file.objects[0].annotation("spof/users").as_deref(),
            Some("12")
        );
    }

    #[test]
    fn broken_yaml_is_an_error() {
        let err = read("m.yaml", "kind: [Service\n").unwrap_err();
        assert_eq!(err.problems[0].code, Code::YamlSyntax);
    }
}
