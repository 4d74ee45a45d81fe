//! The cone of a target: the candidates whose failure can reach it.

use crate::model::{Architecture, Mode, NodeId};

use super::graph::{FailureGraph, Gate};

/// Candidates that can take `target` down, alone or with others: those with
/// a path to it along requirements that can carry "down" (a soft
/// requirement only degrades, so it is not followed). In id order of the
/// model. O(gates + edges).
pub fn down_cone(arch: &Architecture, graph: &FailureGraph, target: NodeId) -> Vec<NodeId> {
    let mut seen = vec![false; graph.len()];
    let mut stack = vec![target.0];
    seen[target.index()] = true;
    while let Some(n) = stack.pop() {
        let all = graph.gate(n) == Gate::All;
        for &(r, mode) in graph.requirements(n) {
            if all && mode == Mode::Soft {
                continue;
            }
            if !seen[r as usize] {
                seen[r as usize] = true;
                stack.push(r);
            }
        }
    }
    arch.node_ids()
        .filter(|&id| id != target && seen[id.index()] && arch.node(id).is_candidate())
        .collect()
}
