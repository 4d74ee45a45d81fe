//! Gates that are down in all but a vanishing share of samples.
//!
//! A part whose failure alone forces a gate down (along forcing edges:
//! hard into `All`, any into an `AtLeast` that needs every member) must be
//! up for the gate to be up, so the gate is up with probability at most
//! the product of those parts' availabilities. Where services are up 99%
//! of the time and a cycle of hard dependencies holds thousands of them,
//! that product is below 1e-200: Monte Carlo drew every failure of the
//! cycle's cone in every sample (most of 174 million draws on the
//! benchmark's `layered-half-quorum-99` at 100,000 services) to find the
//! cycle down in all of them.
//!
//! Here a gate whose bound is below [`SURE`] is *sure down*. Monte Carlo
//! holds such a gate down in every sample and draws nothing of its cone
//! that reaches the targets only through it (`engine/sampling.rs`). A
//! count can differ from drawing everything only in a sample where a sure
//! gate is up: at most gates × samples × [`SURE`], 2 in 10^19 on a file of
//! a million gates, so the counts are those drawing gives.
//!
//! Architecture invariant: a gate is sure down only when forced parts
//! bound its availability below [`SURE`]; the bound depends only on the
//! gate's own cone, so a target's count still depends only on its cone.

use crate::model::{Architecture, NodeId};

use super::circuit::components_along;
use super::graph::{FailureGraph, Gate, GateId};

/// The bound below which a gate counts as sure down.
pub(crate) const SURE: f64 = 1e-30;

/// The gates that are sure down, by gate.
#[derive(Debug)]
pub(crate) struct SureDown {
    down: Vec<bool>,
    any: bool,
}

impl SureDown {
    /// Bounds every gate reached from `roots` along forcing edges. Gates on
    /// a cycle of forcing edges force one another, so each needs every
    /// part on the cycle up, and the parts of a cycle feeding it through
    /// another forcing edge up too: the bound of a cycle is the product of
    /// its own parts' availabilities and of the smallest bound among the
    /// cycles forcing it (the parts of two such cycles may overlap, so
    /// only one is counted). In logarithms, over the cycles requirements
    /// first. O(gates + edges).
    pub(crate) fn find(arch: &Architecture, graph: &FailureGraph, roots: &[NodeId]) -> Self {
        let n = graph.len();
        let roots = roots.iter().map(|&t| GateId::from(t).0);
        let blocks = components_along(graph, roots, Gate::forced_by);
        let mut bound = vec![0f64; n];
        let mut block_of = vec![u32::MAX; n];
        let limit = SURE.ln();
        let mut down = vec![false; n];
        let mut any = false;
        for (b, block) in blocks.iter().enumerate() {
            block.iter().for_each(|&g| block_of[g as usize] = b as u32);
            let mut own = 0.0;
            let mut forcing = 0f64;
            for &g in block {
                let gate = GateId(g);
                own += graph
                    .node_of(gate)
                    .map_or(0.0, |id| up_alone(arch, id).ln());
                let kind = graph.gate(gate);
                for &(r, mode) in graph.requirements(gate) {
                    if kind.forced_by(mode) && block_of[r.index()] != b as u32 {
                        forcing = forcing.min(bound[r.index()]);
                    }
                }
            }
            let log_bound = own + forcing;
            for &g in block {
                bound[g as usize] = log_bound;
                down[g as usize] = log_bound < limit;
            }
            any |= log_bound < limit;
        }
        SureDown { down, any }
    }

    /// Whether gate `g` is sure down.
    pub(crate) fn is_sure(&self, g: GateId) -> bool {
        self.down.get(g.index()).copied().unwrap_or(false)
    }

    /// Whether any gate is.
    pub(crate) fn any(&self) -> bool {
        self.any
    }
}

/// The probability that a node does not fail on its own: its availability
/// when it is a candidate that can fail, else 1.
fn up_alone(arch: &Architecture, id: NodeId) -> f64 {
    let node = arch.node(id);
    match node.availability.get() {
        Some(a) if node.is_candidate() => a,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// A ring of 40 services up 10% of the time: it is up with probability
    /// at most 0.1^40, below [`SURE`]; `above` needs it hard and is sure
    /// down too; `spare` needs it only through an `any_of` with `x` and is
    /// not; `short`, behind a ring of 20 (0.1^20), is not.
    #[test]
    fn bounds_cycles_and_what_they_force() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\n  d2: {}\nservices:\n");
        for (ring, len) in [("r", 40), ("s", 20)] {
            for i in 0..len {
                text.push_str(&format!(
                    "  {ring}{i}: {{runs_in: d1, availability: 0.1, depends_on: [{ring}{}]}}\n",
                    (i + 1) % len
                ));
            }
        }
        text.push_str("  above: {runs_in: d1, depends_on: [r0]}\n");
        text.push_str("  x: {runs_in: d2}\n");
        text.push_str("  spare: {runs_in: d1, depends_on: [{any_of: [r0, x]}]}\n");
        text.push_str("  short: {runs_in: d1, depends_on: [s0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |n: &str| arch.id_of(n).unwrap();
        let roots = [id("above"), id("spare"), id("short")];
        let sure = SureDown::find(arch, &graph, &roots);
        let is = |n: &str| sure.is_sure(GateId::from(id(n)));
        assert!(sure.any());
        assert!(is("r0") && is("r39") && is("above"));
        assert!(!is("spare") && !is("short") && !is("s0") && !is("d1"));
    }
}
