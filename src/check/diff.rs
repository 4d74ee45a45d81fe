//! `spof diff`: the single points of failure a change adds and removes.
//! Nodes are matched by id, so a node renamed between the two files counts
//! as removed and added.

use std::collections::BTreeMap;

use crate::engine::{self, FailureGraph, TargetSelection};
use crate::model::{Architecture, NodeKind, Tier};

/// One single point of failure, described by ids so that it can be
/// compared across two files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpofSummary {
    /// The single point of failure's id.
    pub id: String,
    /// Whether it is a site or a service.
    pub kind: NodeKind,
    /// Ids of the targets it takes down, in id order.
    pub targets: Vec<String>,
    /// Users of every node down when it fails.
    pub users_affected: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// The single points of failure one version has and the other has not.
pub struct Diff {
    /// In HEAD, not in BASE.
    pub added: Vec<SpofSummary>,
    /// In BASE, not in HEAD.
    pub removed: Vec<SpofSummary>,
    /// Users of every node some single point of failure takes down.
    pub users_at_risk: (u64, u64),
}

fn summarise(arch: &Architecture, min_tier: Tier) -> (BTreeMap<String, SpofSummary>, u64) {
    let graph = FailureGraph::build(arch);
    let ranking = engine::rank(
        arch,
        &graph,
        &TargetSelection::MinTier(min_tier),
        &engine::Progress::default(),
    );
    let mut at_risk = vec![false; arch.nodes.len()];
    let mut spofs = BTreeMap::new();
    for s in ranking.details(arch, &graph) {
        at_risk[s.id.index()] = true;
        for n in &s.takes_down {
            at_risk[n.index()] = true;
        }
        spofs.insert(
            arch.name_of(s.id).to_string(),
            SpofSummary {
                id: arch.name_of(s.id).to_string(),
                kind: arch.node(s.id).kind(),
                targets: s
                    .chains
                    .iter()
                    .map(|(t, _)| arch.name_of(*t).to_string())
                    .collect(),
                users_affected: s.users_affected,
            },
        );
    }
    let users = arch
        .node_ids()
        .filter(|id| at_risk[id.index()])
        .fold(0u64, |sum, id| sum.saturating_add(arch.node(id).users()));
    (spofs, users)
}

/// Compares the single points of failure of `base` and `head`.
pub fn diff(base: &Architecture, head: &Architecture, min_tier: Tier) -> Diff {
    let (before, users_before) = summarise(base, min_tier);
    let (after, users_after) = summarise(head, min_tier);
    Diff {
        added: after
            .iter()
            .filter(|(id, _)| !before.contains_key(*id))
            .map(|(_, s)| s.clone())
            .collect(),
        removed: before
            .iter()
            .filter(|(id, _)| !after.contains_key(*id))
            .map(|(_, s)| s.clone())
            .collect(),
        users_at_risk: (users_before, users_after),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn a_new_single_site_service_is_an_added_spof() {
        let base = "version: 1\nsites:\n  a: {}\n  b: {}\nservices:\n  api:\n    tier: high\n    users: 10\n    runs_in: [a, b]\n";
        let head = format!("{base}  billing:\n    tier: critical\n    users: 5\n    runs_in: b\n");
        let base = load_str("base", base).unwrap().arch;
        let head = load_str("head", head).unwrap().arch;
        let d = diff(&base, &head, Tier::High);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].id, "b");
        assert_eq!(d.added[0].targets, ["billing"]);
        assert!(d.removed.is_empty());
        assert_eq!(d.users_at_risk, (0, 5));
        let back = diff(&head, &base, Tier::High);
        assert_eq!(back.removed[0].id, "b");
        assert!(back.added.is_empty());
    }
}
