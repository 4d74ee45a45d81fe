//! JSON documents exactly as format v1 §9–§10 lays them out: one document,
//! keys in a fixed order, lists sorted.

use serde_json::{json, Value};

use crate::engine::{Audit, ScenarioOutcome};
use crate::model::{Architecture, NodeId};

pub fn ids(arch: &Architecture, ids: &[NodeId]) -> Value {
    Value::Array(ids.iter().map(|id| json!(arch.name_of(*id))).collect())
}

pub fn what_if(arch: &Architecture, outcome: &ScenarioOutcome) -> Value {
    let nodes: Vec<Value> = outcome
        .nodes
        .iter()
        .map(|n| {
            json!({
                "id": arch.name_of(n.id),
                "kind": arch.node(n.id).kind().as_str(),
                "state": n.state.as_str(),
                "cause": ids(arch, &n.cause),
            })
        })
        .collect();
    json!({ "failed": ids(arch, &outcome.failed), "nodes": nodes })
}

pub fn audit(arch: &Architecture, audit: &Audit) -> Value {
    let spofs: Vec<Value> = audit
        .spofs
        .iter()
        .map(|s| {
            let mut chains = serde_json::Map::new();
            for (target, chain) in &s.chains {
                chains.insert(arch.name_of(*target).to_string(), ids(arch, chain));
            }
            json!({
                "id": arch.name_of(s.id),
                "kind": arch.node(s.id).kind().as_str(),
                "takes_down": ids(arch, &s.takes_down),
                "degrades": ids(arch, &s.degrades),
                "users_affected": s.users_affected,
                "chains": chains,
            })
        })
        .collect();
    json!({ "spofs": spofs })
}

/// Pretty JSON with a final newline.
pub fn to_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    text.push('\n');
    text
}
