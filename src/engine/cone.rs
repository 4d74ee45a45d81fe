//! The cone of a target: the candidates whose failure can reach it.

use crate::model::{Architecture, Mode, NodeId};

use super::graph::{FailureGraph, Gate};

/// Candidates that can take `target` down, alone or with others: those with
/// a path to it along requirements that can carry "down" (a soft
/// requirement only degrades, so it is not followed). In id order of the
/// model. O(gates + edges).
pub fn down_cone(arch: &Architecture, graph: &FailureGraph, target: NodeId) -> Vec<NodeId> {
    let mut marks = ConeMarks::new(graph);
    let mut cone = marks.mark(arch, graph, target);
    cone.sort();
    cone
}

/// Reusable marks for cones, one generation per target, so marking a cone
/// costs the cone, not the graph.
#[derive(Debug)]
pub struct ConeMarks {
    marks: Vec<u32>,
    stamp: u32,
}

impl ConeMarks {
    pub fn new(graph: &FailureGraph) -> Self {
        ConeMarks {
            marks: vec![0; graph.len()],
            stamp: 0,
        }
    }

    /// Marks `target`'s down-cone (replacing the previous one) and returns
    /// its candidates, in no particular order.
    pub fn mark(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
    ) -> Vec<NodeId> {
        self.stamp += 1;
        let stamp = self.stamp;
        let mut stack = vec![target.0];
        self.marks[target.index()] = stamp;
        let mut candidates = Vec::new();
        while let Some(n) = stack.pop() {
            if n != target.0 && graph.is_real(n) && arch.node(NodeId(n)).is_candidate() {
                candidates.push(NodeId(n));
            }
            let all = graph.gate(n) == Gate::All;
            for &(r, mode) in graph.requirements(n) {
                if all && mode == Mode::Soft {
                    continue;
                }
                if self.marks[r as usize] != stamp {
                    self.marks[r as usize] = stamp;
                    stack.push(r);
                }
            }
        }
        candidates
    }

    /// The current cone, for [`super::propagate::Scratch::propagate_within`].
    pub fn scope(&self) -> Option<(&[u32], u32)> {
        Some((&self.marks, self.stamp))
    }
}
