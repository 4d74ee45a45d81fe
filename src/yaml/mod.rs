//! Reading YAML with spans: the tree and the core-schema scalar rules.

pub(crate) mod json;
pub(crate) mod scalar;
pub(crate) mod subset;
mod tabs;
pub(crate) mod tree;

/// A YAML text as JSON, read as spof reads it (YAML 1.2 core schema,
/// bounded aliases); `None` when the YAML has any problem.
pub fn to_json(text: &str) -> Option<serde_json::Value> {
    let (doc, problems) = tree::parse(text);
    let doc = doc?;
    if !problems.is_empty() {
        return None;
    }
    json::to_json(&doc, doc.root?)
}
