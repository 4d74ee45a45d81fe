//! Redundancy that is not real: every alternative of a group goes down with
//! one common part.
//!
//! Cost: one propagation per candidate, O(candidates × affected nodes).

use std::collections::BTreeMap;

use crate::engine::graph::{Gate, GateId, HelperRole};
use crate::engine::{parallel, FailureGraph, Progress, Scratch, State};
use crate::model::{Architecture, NodeId};

use super::{Alternative, Detail, Finding, Group, Rule};

pub(super) fn shared_fate(arch: &Architecture, graph: &FailureGraph) -> Vec<Finding> {
    let ranks = arch.id_ranks();
    let candidates = arch.candidates();
    // For each redundant-looking group taken down by one candidate: the
    // candidate first in id order, so the result does not depend on threads.
    let per_candidate = parallel::map_chunked(
        &candidates,
        64,
        &Progress::default(),
        || Scratch::new(graph),
        |scratch, &c| {
            scratch.propagate(graph, &[c]);
            let groups: Vec<(GateId, NodeId)> = scratch
                .changed
                .iter()
                .filter(|&&g| is_redundant_group(graph, g) && scratch.state(g) == State::Down)
                .map(|&g| (g, c))
                .collect();
            scratch.reset(graph);
            groups
        },
    );
    let hits = per_candidate.into_iter().flatten();
    let mut first: BTreeMap<GateId, NodeId> = BTreeMap::new();
    for (g, c) in hits {
        let e = first.entry(g).or_insert(c);
        if ranks[c.index()] < ranks[e.index()] {
            *e = c;
        }
    }
    first
        .into_iter()
        .filter_map(|(g, c)| finding(graph, g, c))
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
