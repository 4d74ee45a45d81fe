//! `spof diff` (format v1 §12): the single points of failure a change adds,
//! grows and removes.
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
    /// Ids of every node it takes down (itself excluded), in id order.
    pub takes_down: Vec<String>,
    /// Users of every node down when it fails.
    pub users_affected: u64,
}

/// A single point of failure that takes down more in HEAD than in BASE.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grown {
    /// It, as in HEAD.
    pub head: SpofSummary,
    /// Targets it takes down in HEAD and did not in BASE, in id order.
    pub newly_takes_down: Vec<String>,
    /// Its users affected in BASE.
    pub users_affected_base: u64,
}

impl Diff {
    /// Whether the change makes things worse: a single point of failure
    /// added or grown (exit 1, §12).
    pub fn worse(&self) -> bool {
        !self.added.is_empty() || !self.grown.is_empty()
    }
}

/// The single points of failure one version has and the other has not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diff {
    /// In HEAD, not in BASE.
    pub added: Vec<SpofSummary>,
    /// In both, taking down in HEAD a target it did not in BASE, or more users.
    pub grown: Vec<Grown>,
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
    // Only which targets each takes down is compared: no chains.
    for s in ranking.details_showing(
        arch,
        &graph,
        engine::Shown {
            chains: Some(0),
            lists: true,
            fold: false,
        },
    ) {
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
                    .targets
                    .iter()
                    .map(|t| arch.name_of(*t).to_string())
                    .collect(),
                takes_down: s
                    .takes_down
                    .iter()
                    .map(|n| arch.name_of(*n).to_string())
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

/// How a single point of failure in both versions grew, if it did.
fn grown(base: &SpofSummary, head: &SpofSummary) -> Option<Grown> {
    let newly: Vec<String> = head
        .targets
        .iter()
        .filter(|t| base.targets.binary_search(t).is_err())
        .cloned()
        .collect();
    (!newly.is_empty() || head.users_affected > base.users_affected).then(|| Grown {
        head: head.clone(),
        newly_takes_down: newly,
        users_affected_base: base.users_affected,
    })
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
        grown: after
            .iter()
            .filter_map(|(id, now)| grown(before.get(id)?, now))
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

    #[test]
    fn a_spof_that_takes_down_more_has_grown() {
        let base = "version: 1\nsites:\n  dc1: {}\n  dc2: {}\nservices:\n  a: {tier: high, users: 100, runs_in: dc1}\n  b: {tier: high, users: 5000, runs_in: [dc1, dc2]}\n";
        let head = base.replace("runs_in: [dc1, dc2]", "runs_in: dc1");
        let base = load_str("base", base).unwrap().arch;
        let head = load_str("head", head).unwrap().arch;
        let d = diff(&base, &head, Tier::High);
        assert!(d.added.is_empty() && d.removed.is_empty());
        assert_eq!(d.grown.len(), 1);
        assert_eq!(d.grown[0].head.id, "dc1");
        assert_eq!(d.grown[0].newly_takes_down, ["b"]);
        assert_eq!(
            (
                d.grown[0].users_affected_base,
                d.grown[0].head.users_affected
            ),
            (100, 5100)
        );
        assert!(d.worse());
        assert!(!diff(&head, &base, Tier::High).worse());
    }
}
