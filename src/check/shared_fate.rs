//! Redundancy that is not real: every alternative of a group goes down with
//! one common part.
//!
//! Cost: what each candidate's failure takes down, read from the ranking's
//! propagation of it (no propagation of its own).

use crate::engine::bits::lanes_of;
use crate::engine::graph::{Gate, GateId, HelperRole};
use crate::engine::lanes::Lanes;
use crate::engine::sharing::Sharing;
use crate::engine::FailureGraph;
use crate::model::{Architecture, NodeId};

use super::{Alternative, Detail, Finding, Group, Rule};

/// The redundant-looking groups that failures of a batch take down, each
/// with the first of those candidates in id order (`ranks`), which is all
/// [`shared_fate`] keeps: read from the ranking's propagation of the batch
/// (`lanes` holds its states, a lane standing for the candidates
/// `sharing` says), see `engine::rank_visiting`. At most one pair per
/// group a batch touches, not one per failure: where failures cascade far
/// that is millions fewer.
pub(super) fn groups_down(
    graph: &FailureGraph,
    (lanes, sharing): (&Lanes, &Sharing),
    ranks: &[u32],
) -> Vec<(GateId, NodeId)> {
    let mut hits = Vec::new();
    // Each lane's candidate, first by id of those it stands for: looked
    // up once per batch, not once per group and lane.
    let first: Vec<NodeId> = lanes.batch().iter().map(|&c| sharing.first(c)).collect();
    for &g in lanes.touched() {
        if !is_redundant_group(graph, g) {
            continue;
        }
        let candidates = lanes_of(lanes.down(g)).map(|i| first[i]);
        if let Some(first) = candidates.min_by_key(|c| ranks[c.index()]) {
            hits.push((g, first));
        }
    }
    hits
}

/// One finding per group that a single candidate takes down with all its
/// alternatives, naming the candidate first in id order, so the result does
/// not depend on threads. `hits` are [`groups_down`] of every batch,
/// with the candidate.
pub(super) fn shared_fate(
    arch: &Architecture,
    graph: &FailureGraph,
    hits: impl Iterator<Item = (GateId, NodeId)>,
) -> Vec<Finding> {
    let ranks = arch.id_ranks();
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
