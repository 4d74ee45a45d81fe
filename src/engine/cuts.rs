//! Minimal cut sets (format v1 §10): the smallest sets of candidates whose
//! joint failure takes a target down.
//!
//! Per target, only the candidates in its down-cone (marked by `ConeMarks::mark`: candidates with a path to it along requirements that carry "down") are
//! tried, and a set is tried only when none of its subsets already is a
//! cut, which keeps every reported set minimal by construction. Trying one
//! set costs one propagation over the part of the graph it reaches, so
//! order K costs O(C^K) propagations for a cone of C candidates; with the
//! order-1 pruning this is what makes K = 3 practical on realistic files.

use std::collections::HashSet;

use crate::model::{Architecture, NodeId};

use super::cone::ConeMarks;
use super::graph::FailureGraph;
use super::progress::Progress;
use super::propagate::{Scratch, State};

/// The minimal cut sets of one target, each sorted by id, sorted by size
/// and then by ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetCuts {
    /// The target.
    pub target: NodeId,
    /// Its minimal cut sets, each sorted, by size then lexicographically.
    pub sets: Vec<Vec<NodeId>>,
}

/// Cut sets of order at most `max_order` for each target. Cost: see the
/// module doc, O(C^K) propagations inside the cone per target.
pub fn minimal_cut_sets(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    max_order: usize,
) -> Vec<TargetCuts> {
    minimal_cut_sets_with(arch, graph, targets, max_order, &Progress::default())
}

/// [`minimal_cut_sets`], counting targets finished in `progress`.
pub fn minimal_cut_sets_with(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    max_order: usize,
    progress: &Progress,
) -> Vec<TargetCuts> {
    let ranks = arch.id_ranks();
    let mut out: Vec<TargetCuts> = super::parallel::map_chunked(
        targets,
        16,
        progress,
        || (Scratch::new(graph), ConeMarks::new(graph)),
        |(scratch, marks), &t| TargetCuts {
            target: t,
            sets: cuts_of(arch, graph, scratch, marks, &ranks, t, max_order),
        },
    );
    out.sort_by_key(|c| ranks[c.target.index()]);
    out
}

fn cuts_of(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    marks: &mut ConeMarks,
    ranks: &[u32],
    target: NodeId,
    max_order: usize,
) -> Vec<Vec<NodeId>> {
    let mut cone = marks.mark(arch, graph, target);
    cone.sort_by_key(|id| ranks[id.index()]);
    let mut found: Vec<Vec<NodeId>> = Vec::new();
    let mut known: HashSet<Vec<NodeId>> = HashSet::new();
    let takes_down = |set: &[NodeId], scratch: &mut Scratch| {
        scratch.propagate_along(graph, set, |n| marks.dependents(n));
        let down = scratch.state(target.into()) == State::Down;
        scratch.reset(graph);
        down
    };
    let mut set = Vec::with_capacity(max_order);
    for order in 1..=max_order.min(cone.len()) {
        let mut indices: Vec<usize> = (0..order).collect();
        loop {
            set.clear();
            set.extend(indices.iter().map(|&i| cone[i]));
            if !has_cut_subset(&set, &known) && takes_down(&set, scratch) {
                known.insert(set.clone());
                found.push(set.clone());
            }
            if !next_combination(&mut indices, cone.len()) {
                break;
            }
        }
    }
    found
}

/// Whether a proper subset of `set` (same order as `set`) is a known cut.
fn has_cut_subset(set: &[NodeId], known: &HashSet<Vec<NodeId>>) -> bool {
    if known.is_empty() || set.len() < 2 {
        return false;
    }
    let n = set.len();
    // Proper, non-empty subsets; sets here have at most a handful of members.
    (1..(1u32 << n) - 1).any(|mask| {
        let subset: Vec<NodeId> = (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| set[i])
            .collect();
        known.contains(&subset)
    })
}

/// Advances `indices` to the next k-combination of 0..n in lexicographic order.
fn next_combination(indices: &mut [usize], n: usize) -> bool {
    let k = indices.len();
    for i in (0..k).rev() {
        if indices[i] < n - k + i {
            indices[i] += 1;
            for j in i + 1..k {
                indices[j] = indices[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::next_combination;

    #[test]
    fn combinations_in_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    }
}
