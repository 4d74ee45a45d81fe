//! Redundancy that is not real: every alternative of a group goes down with
//! one common part.
//!
//! Cost: what each candidate's failure takes down, read from the ranking's
//! propagation of it (no propagation of its own).

use crate::engine::bits::lanes_of;
use crate::engine::graph::{Gate, GateId, HelperRole};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use crate::engine::lanes::{BaseStates, Lanes};
use crate::engine::sharing::Sharing;
use crate::engine::FailureGraph;
use crate::model::NodeId;

use super::{Alternative, Detail, Finding, Group, Rule};

/// The redundant-looking groups that failures of a batch take down, each
/// with the first of those candidates in id order (`ranks`), which is all
/// [`shared_fate`] keeps: read from the ranking's propagation of the batch
/// (`lanes` holds its states, a lane standing for the candidates
/// `sharing` says), see `engine::rank_visiting`. At most one pair per
/// group a batch touches, not one per failure: where failures cascade far
/// that is millions fewer.
pub(super) fn groups_down(
    groups: &RedundantGroups,
    (lanes, sharing, base): (&Lanes, &Sharing, Option<BaseStates<'_>>),
    (ranks, seen): (&[u32], &Mutex<HashSet<usize>>),
) -> GroupsDown {
    let mut down = GroupsDown::default();
    // Each lane's candidate, first by id of those it stands for: looked
    // up once per batch, not once per group and lane.
    let first: Vec<NodeId> = lanes.batch().iter().map(|&c| sharing.first(c)).collect();
    let first_of = |word: u64| {
        lanes_of(word)
            .map(|i| first[i])
            .min_by_key(|c| ranks[c.index()])
    };
    let mut hit = |g: GateId| {
        if groups.contains(g) {
            if let Some(first) = first_of(lanes.down(g)) {
                down.hits.push((g, first));
            }
        }
    };
    match lanes.beyond_beneath().zip(base) {
        // The groups of the states beneath that the batch left as they are
        // go down in every lane: once per ground, with the batch's first.
        Some(((changed, rest), base)) => {
            changed.iter().for_each(|&(g, _)| hit(g));
            rest.iter().for_each(|&g| hit(g));
            let all = u64::MAX >> (64 - first.len().clamp(1, 64));
            let new = seen.lock().is_ok_and(|mut seen| seen.insert(base.index()));
            let groups = new.then(|| base.down_gates().filter(|&g| groups.contains(g)).collect());
            down.beneath = first_of(all).map(|c| (base.index(), c, groups));
        }
        None => lanes.touched().iter().for_each(|&g| hit(g)),
    }
    down
}

/// Which gates are redundant-looking groups ([`is_redundant_group`]), a
/// bit each: every batch asks it of every gate it reached, and a bit in
/// a few kilobytes answers where the gate itself is a cache miss (on
/// 100,000 `anyof` services, a third of the time [`groups_down`] took).
pub(super) struct RedundantGroups(Vec<u64>);

impl RedundantGroups {
    /// The groups of `graph`. O(gates).
    pub(super) fn of(graph: &FailureGraph) -> Self {
        let mut bits = vec![0u64; graph.len().div_ceil(64)];
        for g in (0..graph.len()).map(|g| GateId(g as u32)) {
            if is_redundant_group(graph, g) {
                bits[g.index() / 64] |= 1 << (g.index() % 64);
            }
        }
        RedundantGroups(bits)
    }

    /// Whether `g` is one. O(1).
    fn contains(&self, g: GateId) -> bool {
        (self.0.get(g.index() / 64)).is_some_and(|w| w >> (g.index() % 64) & 1 == 1)
    }
}

/// The redundant-looking groups a batch takes down, each with the first
/// of its candidates in id order; and, for a batch failed from the states
/// under a ground, that ground's index and the batch's first candidate,
/// which take down every group down in those states (listed by the first
/// batch to see that ground). A group those states hold and the batch
/// changed is among the hits too, which only adds a candidate no earlier.
#[derive(Debug, Default)]
pub(super) struct GroupsDown {
    pub(super) hits: Vec<(GateId, NodeId)>,
    pub(super) beneath: Option<(usize, NodeId, Option<Vec<GateId>>)>,
}

/// Every hit of the batches' [`GroupsDown`]: their own, then each
/// ground's groups with the first candidate of the batches failed from it.
pub(super) fn all_hits(
    batches: Vec<GroupsDown>,
    ranks: &[u32],
) -> impl Iterator<Item = (GateId, NodeId)> {
    let mut firsts: HashMap<usize, NodeId> = HashMap::new();
    let mut groups: HashMap<usize, Vec<GateId>> = HashMap::new();
    let mut hits = Vec::new();
    for batch in batches {
        hits.extend(batch.hits);
        if let Some((base, c, listed)) = batch.beneath {
            let e = firsts.entry(base).or_insert(c);
            if ranks[c.index()] < ranks[e.index()] {
                *e = c;
            }
            if let Some(listed) = listed {
                groups.insert(base, listed);
            }
        }
    }
    let beneath = firsts.into_iter().flat_map(move |(base, c)| {
        let listed = groups.remove(&base).unwrap_or_default();
        listed.into_iter().map(move |g| (g, c))
    });
    hits.into_iter().chain(beneath)
}

/// One finding per group that a single candidate takes down with all its
/// alternatives, naming the candidate first in id order, so the result does
/// not depend on threads. `hits` are [`groups_down`] of every batch,
/// with the candidate; `ranks` are the file's `id_ranks`, made once per
/// check (sorting every id is a third of a second at a million).
pub(super) fn shared_fate(
    graph: &FailureGraph,
    ranks: &[u32],
    hits: impl Iterator<Item = (GateId, NodeId)>,
) -> Vec<Finding> {
    // By gate, the first candidate in id order: a slot per gate rather
    // than a map, as the hits number millions in a large file and gates
    // are their bound.
    let mut first: Vec<Option<NodeId>> = vec![None; graph.len()];
    for (g, c) in hits {
        let e = first[g.index()].get_or_insert(c);
        if ranks[c.index()] < ranks[e.index()] {
            *e = c;
        }
    }
    first
        .into_iter()
        .enumerate()
        .filter_map(|(g, c)| finding(graph, GateId(g as u32), c?))
        .collect()
}

fn is_redundant_group(graph: &FailureGraph, g: GateId) -> bool {
    matches!(graph.gate(g), Gate::AtLeast { members, .. } if members >= 2)
}

/// A group's alternatives: nodes, or the sites of placement entries.
fn alternatives(graph: &FailureGraph, g: GateId) -> Vec<Alternative> {
    graph
        .requirements(g)
        .iter()
        .map(|&(r, _)| {
            // A placement entry's helper stands for its site, its first requirement.
            let real = if graph.is_real(r) {
                r
            } else {
                graph.requirements(r).first().map_or(r, |&(site, _)| site)
            };
            graph
                .node_of(real)
                .map_or(Alternative::Entry, Alternative::Node)
        })
        .collect()
}

fn finding(graph: &FailureGraph, g: GateId, common: NodeId) -> Option<Finding> {
    let helper = graph.helper(g)?;
    let group = match helper.role {
        HelperRole::Placement => Group::Placement,
        HelperRole::AnyOf => Group::AnyOf,
        HelperRole::Providers => Group::Providers,
        HelperRole::PlacementEntry => return None,
    };
    Some(Finding {
        rule: Rule::SharedFate,
        severity: Rule::SharedFate.severity(),
        node: helper.owner,
        detail: Detail::SharedFate {
            group,
            alternatives: alternatives(graph, g),
            common,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn the_bits_of_the_groups_say_what_each_gate_says() {
        let text = "version: 1\nsites:\n  a: {}\n  b: {}\nservices:\n  db: {runs_in: [a, b]}\n  cache: {runs_in: a}\n  api:\n    runs_in: a\n    depends_on: [{any_of: [db, cache]}]\n";
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let bits = RedundantGroups::of(&graph);
        let gates = (0..graph.len()).map(|g| GateId(g as u32));
        let (groups, others): (Vec<_>, Vec<_>) = gates.partition(|&g| bits.contains(g));
        assert!(groups.iter().all(|&g| is_redundant_group(&graph, g)));
        assert!(others.iter().all(|&g| !is_redundant_group(&graph, g)));
        // db's placement and the any_of; not the sites nor the services.
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert!(!bits.contains(GateId(graph.len() as u32)), "past the end");
    }
}
