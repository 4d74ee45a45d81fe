//! The cone of a target: the candidates whose failure can reach it.

use crate::model::{Architecture, Mode, NodeId};

use super::graph::{FailureGraph, GateId};

/// Reusable marks for cones, one generation per target, so marking a cone
/// costs the cone, not the graph.
#[derive(Debug)]
pub(crate) struct ConeMarks {
    marks: Vec<u32>,
    stamp: u32,
    /// For a marked gate, its position in `start` (valid while marked).
    local: Vec<u32>,
    /// The cone's own dependents, as offsets into `flat` per local gate.
    start: Vec<u32>,
    flat: Vec<(GateId, Mode)>,
    /// (requirement, dependent, mode) edges found while marking.
    edges: Vec<(GateId, GateId, Mode)>,
    /// Buffers kept from one cone to the next: an exact attempt marks a
    /// cone per target, and these were grown afresh a push at a time for
    /// each (kept, with Tarjan's blocks reserved, vector growth took about
    /// a fifth fewer samples on `tree`, level within noise on `chain`).
    stack: Vec<GateId>,
    fill: Vec<u32>,
    /// The candidates of the last cone, as a first guess of the next's.
    last_candidates: usize,
}

impl ConeMarks {
    pub(crate) fn new(graph: &FailureGraph) -> Self {
        ConeMarks {
            marks: vec![0; graph.len()],
            stamp: 0,
            local: vec![0; graph.len()],
            start: Vec::new(),
            flat: Vec::new(),
            edges: Vec::new(),
            stack: Vec::new(),
            fill: Vec::new(),
            last_candidates: 0,
        }
    }

    /// Marks `target`'s down-cone (replacing the previous one) and returns
    /// its candidates, in no particular order.
    pub(crate) fn mark(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
    ) -> Vec<NodeId> {
        let mut cone = self.mark_union(arch, graph, &[target]);
        cone.retain(|&c| c != target);
        cone
    }

    /// Marks the union of the `targets`' down-cones (replacing the previous
    /// marks) and returns its candidates, the targets that are candidates
    /// included, in no particular order. O(the union's gates and edges).
    pub(crate) fn mark_union(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        targets: &[NodeId],
    ) -> Vec<NodeId> {
        self.mark_union_until(arch, graph, targets, |_| false)
    }

    /// [`Self::mark_union`], not walking past the gates `stop` names (asked
    /// once for each gate marked): they are marked, their requirements
    /// only when reached another way.
    pub(crate) fn mark_union_until(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        targets: &[NodeId],
        mut stop: impl FnMut(GateId) -> bool,
    ) -> Vec<NodeId> {
        self.stamp += 1;
        let stamp = self.stamp;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        for &t in targets {
            if self.marks[t.index()] != stamp {
                self.marks[t.index()] = stamp;
                stack.push(GateId::from(t));
            }
        }
        self.edges.clear();
        let mut gates = 0u32;
        let mut candidates = Vec::with_capacity(self.last_candidates);
        while let Some(n) = stack.pop() {
            self.local[n.index()] = gates;
            gates += 1;
            if let Some(node) = graph.node_of(n) {
                if arch.node(node).is_candidate() {
                    candidates.push(node);
                }
            }
            if stop(n) {
                continue;
            }
            let gate = graph.gate(n);
            for &(r, mode) in graph.requirements(n) {
                if !gate.carries_down(mode) {
                    continue;
                }
                self.edges.push((r, n, mode));
                if self.marks[r.index()] != stamp {
                    self.marks[r.index()] = stamp;
                    stack.push(r);
                }
            }
        }
        // The cone's dependents lists, built from the edges walked: each
        // propagation then looks only at the cone, whatever the fan-out of
        // a shared platform service outside it.
        self.start.clear();
        self.start.resize(gates as usize + 1, 0);
        for &(r, _, _) in &self.edges {
            self.start[self.local[r.index()] as usize + 1] += 1;
        }
        for i in 1..self.start.len() {
            self.start[i] += self.start[i - 1];
        }
        self.flat.clear();
        self.flat.resize(self.edges.len(), (GateId(0), Mode::Hard));
        let mut fill = std::mem::take(&mut self.fill);
        fill.clear();
        fill.extend_from_slice(&self.start);
        for &(r, d, mode) in &self.edges {
            let slot = &mut fill[self.local[r.index()] as usize];
            self.flat[*slot as usize] = (d, mode);
            *slot += 1;
        }
        (self.stack, self.fill, self.last_candidates) = (stack, fill, candidates.len());
        candidates
    }

    /// The local index of gate `n` in the current cone, if it is in it.
    pub(crate) fn local(&self, n: GateId) -> Option<usize> {
        (self.marks[n.index()] == self.stamp).then(|| self.local[n.index()] as usize)
    }

    /// The current cone's gates and the edges between them. O(1).
    pub(crate) fn size(&self) -> (usize, usize) {
        (self.start.len().saturating_sub(1), self.flat.len())
    }

    /// The dependents of `n` inside the current cone (none outside it).
    pub(crate) fn dependents(&self, n: GateId) -> &[(GateId, Mode)] {
        if self.marks[n.index()] != self.stamp {
            return &[];
        }
        let i = self.local[n.index()] as usize;
        &self.flat[self.start[i] as usize..self.start[i + 1] as usize]
    }
}
