//! Targets that go down together, answered once.
//!
//! A requirement forces its dependent down when its down state alone takes
//! the dependent down: a hard edge into an `All` gate, or any edge into an
//! `AtLeast` gate that needs every member. Gates on a cycle of such edges
//! are down in exactly the same scenarios (each one down forces the rest),
//! so they have the same cone and the same availability. Where services
//! call each other in a mesh, thousands of targets sit on one such cycle,
//! and each of their exact attempts did the same work: at 10,000 services
//! that was 5,000 attempts of 0.4 s over one cone of 10,119 parts.
//!
//! Here each target is mapped to the smallest node of its cycle (itself
//! when it is on none), and only those nodes are answered. The choice
//! depends on the graph alone, never on which targets are asked, so a
//! target's answer stays the same whatever else is asked.
//!
//! Architecture invariant: [`Together::find`] maps two targets to the same
//! node only when they are down in the same scenarios; the tests check it
//! against the states under every set of failures.

use crate::model::NodeId;

use super::super::circuit::components_along;
use super::super::graph::{FailureGraph, Gate, GateId};

/// Each target's representative: the node answered for it.
#[derive(Debug)]
pub(super) struct Together {
    /// Per target, in the order given, the node whose answer is its own.
    pub(super) of: Vec<NodeId>,
    /// The distinct representatives, sorted.
    pub(super) answered: Vec<NodeId>,
}

impl Together {
    /// The representatives of `targets`. O(gates + edges).
    pub(super) fn find(graph: &FailureGraph, targets: &[NodeId]) -> Self {
        let roots = targets.iter().map(|t| GateId::from(*t).0);
        let blocks = components_along(graph, roots, Gate::forced_by);
        // Gates not on a cycle of forcing edges answer for themselves.
        let mut rep: Vec<Option<NodeId>> = vec![None; graph.len()];
        for block in blocks.iter().filter(|b| b.len() >= 2) {
            let least = (block.iter())
                .filter_map(|&g| graph.node_of(GateId(g)))
                .min();
            for &g in block {
                rep[g as usize] = least;
            }
        }
        let of: Vec<NodeId> = (targets.iter())
            .map(|&t| rep[t.index()].unwrap_or(t))
            .collect();
        let mut answered = of.clone();
        answered.sort_unstable();
        answered.dedup();
        Together { of, answered }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::availability::availability_of_each;
    use crate::engine::progress::Progress;
    use crate::engine::propagate::{Scratch, State};
    use crate::load::load_str;

    /// `a`, `b` and `c` need each other hard in a ring; `d` needs `a` and
    /// is needed by it through an `any_of` (down only with `e` down too);
    /// `e` needs `a` softly and `a` needs `e` hard; `f` and `g` need each
    /// other through an `any_of` that needs both its members (`g`, `h`).
    const FILE: &str = "version: 1
sites:
  s1: {availability: 0.99}
  s2: {availability: 0.98}
services:
  a: {runs_in: s1, availability: 0.9, depends_on: [b, d, e]}
  b: {runs_in: [s1, s2], availability: 0.8, depends_on: [c]}
  c: {runs_in: s2, availability: 0.7, depends_on: [a]}
  d: {runs_in: s1, availability: 0.95, depends_on: [{any_of: [a, e]}]}
  e: {runs_in: s2, availability: 0.85, depends_on: [{on: a, mode: soft}]}
  f: {runs_in: s1, availability: 0.75, depends_on: [{any_of: [g, h], min: 2}]}
  g: {runs_in: s2, availability: 0.65, depends_on: [f]}
  h: {runs_in: s2, availability: 0.6}
";

    /// Representatives are shared exactly by the targets down in the same
    /// scenarios, checked under every set of failures.
    #[test]
    fn targets_share_a_representative_when_down_together() {
        let loaded = load_str("t.yaml", FILE.to_string()).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        let targets: Vec<NodeId> = names.iter().map(|n| arch.id_of(n).unwrap()).collect();
        let together = Together::find(&graph, &targets);
        let rep = |n: &str| together.of[names.iter().position(|m| *m == n).unwrap()];
        let a = arch.id_of("a").unwrap();
        let f = arch.id_of("f").unwrap();
        assert_eq!(names.map(rep), [a, a, a, rep("d"), rep("e"), f, f]);
        assert_eq!(together.answered.len(), 4);
        let failable: Vec<NodeId> = arch
            .node_ids()
            .filter(|&n| arch.node(n).is_candidate())
            .collect();
        let mut scratch = Scratch::new(&graph);
        let mut same_always = [[true; 7]; 7];
        for mask in 0u32..(1 << failable.len()) {
            let failed: Vec<NodeId> = (failable.iter().enumerate())
                .filter(|&(i, _)| mask & (1 << i) != 0)
                .map(|(_, &n)| n)
                .collect();
            scratch.propagate(&graph, &failed);
            let down: Vec<bool> = (targets.iter())
                .map(|&t| scratch.state(GateId::from(t)) == State::Down)
                .collect();
            for (i, row) in same_always.iter_mut().enumerate() {
                for (j, same) in row.iter_mut().enumerate() {
                    *same &= down[i] == down[j];
                }
            }
            scratch.reset(&graph);
        }
        for i in 0..7 {
            for j in 0..7 {
                let shared = together.of[i] == together.of[j];
                assert_eq!(shared, same_always[i][j], "{} {}", names[i], names[j]);
            }
        }
        // One answer per representative, given to each of its targets.
        let each = availability_of_each(arch, &graph, &targets, &Progress::default());
        for (t, answer) in targets.iter().zip(&each) {
            assert_eq!(answer.target, *t);
        }
        assert_eq!(each[0].availability, each[2].availability);
        assert_eq!(each[5].availability, each[6].availability);
    }
}
