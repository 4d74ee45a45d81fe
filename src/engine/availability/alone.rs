//! Parts that take a target down alone, known without evaluating them.
//!
//! A part whose gate reaches the target's along forcing edges
//! ([`Gate::forced_by`](crate::engine::graph::Gate::forced_by): hard into `All`, any into an `AtLeast` that needs
//! every member) takes the target down alone, whatever else is down: its
//! failure downs its gate, and each gate on the way downs the next. The
//! exact method learns which parts take the target down alone by failing
//! each over the whole cone, 64 at a time. Where services each need the
//! one before them, every service in a target's cone is such a part, so
//! that cost grows with the square of the cone and the cube of the chain:
//! 10,000 services took 42 s, 30,000 were refused by `--max-work`. Found
//! by a walk up the forcing edges instead, these parts are left out of the
//! exact walk, which never grows a set that holds one: the sums are the
//! same sums, in the same order.
//!
//! Architecture invariant: a part [`ForcedReach::walked`] leaves out takes
//! the target down alone under any other failures.

use crate::model::NodeId;

use super::super::graph::{FailureGraph, GateId};

/// Reusable marks for the walk, one generation per target.
#[derive(Debug)]
pub(super) struct ForcedReach {
    seen: Vec<u32>,
    stamp: u32,
    stack: Vec<GateId>,
}

impl ForcedReach {
    pub(super) fn new(graph: &FailureGraph) -> Self {
        ForcedReach {
            seen: vec![0; graph.len()],
            stamp: 0,
            stack: Vec::new(),
        }
    }

    /// `parts` (of `target`'s cone) less those whose gate reaches the
    /// target's along forcing edges, in the order given, and how many were
    /// left out. O(the gates and edges reached).
    pub(super) fn walked(
        &mut self,
        graph: &FailureGraph,
        target: NodeId,
        parts: &[(NodeId, f64)],
    ) -> (Vec<(NodeId, f64)>, usize) {
        if self.stamp == u32::MAX {
            self.seen.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        let stamp = self.stamp;
        let root = GateId::from(target);
        self.seen[root.index()] = stamp;
        self.stack.push(root);
        while let Some(g) = self.stack.pop() {
            let kind = graph.gate(g);
            for &(r, mode) in graph.requirements(g) {
                if kind.forced_by(mode) && self.seen[r.index()] != stamp {
                    self.seen[r.index()] = stamp;
                    self.stack.push(r);
                }
            }
        }
        let walked: Vec<(NodeId, f64)> = (parts.iter())
            .filter(|&&(id, _)| self.seen[GateId::from(id).index()] != stamp)
            .copied()
            .collect();
        let left_out = parts.len() - walked.len();
        (walked, left_out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{compiled, exact, exactly_unbounded, failable_parts, Counted};
    use super::*;
    use crate::engine::budget::Budget;
    use crate::engine::circuit::ConeCircuit;
    use crate::engine::cone::ConeMarks;
    use crate::engine::propagate::{Scratch, State};
    use crate::load::load_str;

    /// `t` needs `a` hard, `b` softly, an `any_of` of `c` and `d`, and an
    /// `any_of` of `e` and `f` that needs both; `a` needs `g` hard and runs
    /// in `s1` or `s2`; `t`, `e`, `f` and `g` run in `s3`, within region `r`.
    const FILE: &str = "version: 1
sites:
  r: {kind: region, availability: 0.99}
  s1: {availability: 0.99}
  s2: {availability: 0.99}
  s3: {within: r, availability: 0.99}
services:
  t: {runs_in: s3, depends_on: [a, {on: b, mode: soft}, {any_of: [c, d]}, {any_of: [e, f], min: 2}]}
  a: {runs_in: [s1, s2], availability: 0.9, depends_on: [g]}
  b: {runs_in: s1, availability: 0.9}
  c: {runs_in: s1, availability: 0.9}
  d: {runs_in: s2, availability: 0.9}
  e: {runs_in: s3, availability: 0.9}
  f: {runs_in: s3, availability: 0.9}
  g: {runs_in: s3, availability: 0.9}
";

    /// Exactly the parts reached along forcing edges are left out, and
    /// each takes the target down alone, checked by propagation.
    #[test]
    fn leaves_out_the_parts_forcing_edges_reach() {
        let loaded = load_str("t.yaml", FILE.to_string()).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let t = arch.id_of("t").unwrap();
        let parts = failable_parts(arch, &graph, t, &mut ConeMarks::new(&graph));
        let (walked, left_out) = ForcedReach::new(&graph).walked(&graph, t, &parts);
        let name = |&(id, _): &(NodeId, f64)| arch.node(id).id.as_str().to_string();
        let mut walked_names: Vec<String> = walked.iter().map(name).collect();
        walked_names.sort();
        // s1 and s2 each leave `a` up; `c`, `d` alone leave the `any_of`
        // up. `b` is soft; the rest force `t` down.
        assert_eq!(walked_names, ["c", "d", "s1", "s2"]);
        assert_eq!(left_out, parts.len() - walked.len());
        assert_eq!(left_out, 6, "a e f g s3 r");
        let mut scratch = Scratch::new(&graph);
        for part in &parts {
            scratch.propagate(&graph, &[part.0]);
            let down = scratch.state(GateId::from(t)) == State::Down;
            scratch.reset(&graph);
            assert_eq!(down, !walked.contains(part), "{}", name(part));
        }
    }

    /// With the parts forcing edges reach left out, the exact method gives
    /// every service of the file and of a chain the same answer, to the
    /// bit, as when it walks every part.
    #[test]
    fn the_same_answers_to_the_bit() {
        let mut chain = String::from("version: 1\nsites:\n  d1: {availability: 0.9}\n");
        chain.push_str("  d2: {availability: 0.8}\nservices:\n");
        chain.push_str("  c0: {runs_in: [d1, d2], availability: 0.7}\n");
        for i in 1..40 {
            let soft = if i % 7 == 0 { ", mode: soft" } else { "" };
            chain.push_str(&format!(
                "  c{i}: {{runs_in: [d1, d2], availability: 0.9{i}, depends_on: [{{on: c{}{soft}}}]}}\n",
                i - 1
            ));
        }
        for text in [FILE.to_string(), chain] {
            let loaded = load_str("t.yaml", text).unwrap();
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
            let mut left_out_somewhere = false;
            for t in arch.node_ids().filter(|&n| arch.node(n).is_candidate()) {
                let parts = compiled(arch, &graph, t, &mut marks, &mut circuit);
                let work = Budget::new(None);
                let every = exact(
                    &parts,
                    Counted {
                        circuit: &mut circuit,
                        work: &work,
                    },
                );
                let (_, left_out) = ForcedReach::new(&graph).walked(&graph, t, &parts);
                left_out_somewhere |= left_out > 0;
                let walked = exactly_unbounded(arch, &graph, t, &mut marks, &mut circuit);
                let every = every.map(|p| p * arch.node(t).own_availability());
                let walked = walked.ok().map(|a| a.availability);
                assert_eq!(every.map(f64::to_bits), walked.map(f64::to_bits));
            }
            assert!(left_out_somewhere);
        }
    }
}
