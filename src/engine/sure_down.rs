//! Gates that are down in all but a vanishing share of samples, or in
//! every sample Monte Carlo draws.
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
//! A cycle of forcing edges whose own parts bound it above [`SURE`] but
//! below [`CHECKED`] (up in under a thousandth of a sample, expected) is
//! checked against the draws themselves: when one of its parts fails in
//! every sample, it is down in every sample, and so is every gate it
//! forces, exactly as drawing everything finds. Those gates are sure down
//! too. On `layered-back-99` at 100,000 services a cycle of forcing edges
//! bounds 33,639 of the 38,308 targets left to Monte Carlo by about
//! 1e-11: they were down in every one of 200,000 samples, and Monte Carlo
//! drew 71,442 parts to find so; it now draws 8,099.
//!
//! Architecture invariant: a gate is sure down only when forced parts
//! bound its availability below [`SURE`], or the parts of a cycle that
//! forces it fail, one or another, in every sample their own streams
//! draw. Both depend only on the gate's own cone, so a target's count
//! still depends only on its cone.

use crate::model::{Architecture, NodeId};

use super::budget::Budget;
use super::circuit::{components_along, Blocks};
use super::graph::{FailureGraph, Gate, GateId};
use super::sampling::{one_fails_in_every_sample, SAMPLES};

/// The bound below which a gate counts as sure down.
pub(crate) const SURE: f64 = 1e-30;

/// The bound of a cycle's own parts below which their draws are checked
/// for a failure in every sample: a cycle this likely to be down is
/// expected up in under a thousandth of a sample, so the check seldom
/// draws in vain, and it draws no more than Monte Carlo would.
pub(crate) const CHECKED: f64 = 1e-3 / SAMPLES as f64;

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
    /// first. A cycle not sure by its bound whose own parts bound it below
    /// [`CHECKED`] is sure when their draws hold a failure in every sample
    /// ([`one_fails_in_every_sample`]). The failures all such cycles are
    /// expected to draw are counted in `work` at once, before any is
    /// drawn, so that a file of many is refused at once, as Monte Carlo
    /// is; past `work`, none is checked. O(gates + edges) twice, and per
    /// cycle checked, [`SAMPLES`] × its parts' chances of failing.
    pub(crate) fn find(
        arch: &Architecture,
        graph: &FailureGraph,
        roots: &[NodeId],
        work: &Budget,
    ) -> Self {
        let roots = roots.iter().map(|&t| GateId::from(t).0);
        let blocks = components_along(graph, roots, Gate::forced_by);
        // The cycles a check could make sure, by place, with their parts.
        let mut checkable: Vec<(usize, Vec<NodeId>)> = Vec::new();
        let unchecked = bounds(arch, graph, &blocks, |b| {
            checkable.push((b, parts_of(arch, graph, &blocks[b])));
            false
        });
        let failing: f64 = (checkable.iter())
            .flat_map(|(_, parts)| parts)
            .map(|&id| 1.0 - arch.node(id).own_availability())
            .sum();
        let bound = if !checkable.is_empty() && work.spend((f64::from(SAMPLES) * failing) as u64) {
            // The cycles given to check now are among those listed, in
            // the same order (bounds only fall once some cycle is sure).
            bounds(arch, graph, &blocks, |b| {
                let listed = checkable.binary_search_by_key(&b, |&(c, _)| c);
                listed.is_ok_and(|i| one_fails_in_every_sample(arch, &checkable[i].1))
            })
        } else {
            unchecked
        };
        let limit = SURE.ln();
        let down: Vec<bool> = bound.iter().map(|&b| b < limit).collect();
        let any = down.iter().any(|&d| d);
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

/// The log of each gate's bound (0 for gates no root reaches along
/// forcing edges), `blocks` the cycles of forcing edges, requirements
/// first. A cycle not sure by its bound whose own parts bound it below
/// [`CHECKED`] is given to `checked` (by its place in `blocks`), and when
/// that says so it is sure, with a bound of 0 (a log of -inf).
fn bounds(
    arch: &Architecture,
    graph: &FailureGraph,
    blocks: &Blocks,
    mut checked: impl FnMut(usize) -> bool,
) -> Vec<f64> {
    let n = graph.len();
    let mut bound = vec![0f64; n];
    let mut block_of = vec![u32::MAX; n];
    let limit = SURE.ln();
    for (b, block) in blocks.iter().enumerate() {
        block.iter().for_each(|&g| block_of[g as usize] = b as u32);
        let mut own = 0.0;
        let mut forcing = 0f64;
        for &g in block {
            let gate = GateId(g);
            own += graph
                .node_of(gate)
                .map_or(0.0, |id| arch.node(id).own_availability().ln());
            let kind = graph.gate(gate);
            for &(r, mode) in graph.requirements(gate) {
                if kind.forced_by(mode) && block_of[r.index()] != b as u32 {
                    forcing = forcing.min(bound[r.index()]);
                }
            }
        }
        let mut log_bound = own + forcing;
        if log_bound >= limit && own < CHECKED.ln() && checked(b) {
            log_bound = f64::NEG_INFINITY;
        }
        block.iter().for_each(|&g| bound[g as usize] = log_bound);
    }
    bound
}

/// The parts of the cycle `block` (gates): its nodes that can fail.
fn parts_of(arch: &Architecture, graph: &FailureGraph, block: &[u32]) -> Vec<NodeId> {
    (block.iter())
        .filter_map(|&g| graph.node_of(GateId(g)))
        .filter(|&id| arch.node(id).own_availability() < 1.0)
        .collect()
}

/// Services `name0` to `name{len - 1}` in data center `d1`, each up
/// `up` of the time and needing the next hard (the last the first): one
/// cycle of forcing edges. For the tests of sure gates.
#[cfg(test)]
pub(crate) fn forcing_ring(name: &str, len: usize, up: f64) -> String {
    (0..len)
        .map(|i| {
            let next = (i + 1) % len;
            format!(
                "  {name}{i}: {{runs_in: d1, availability: {up}, depends_on: [{name}{next}]}}\n"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// A ring of 40 services up 10% of the time: it is up with probability
    /// at most 0.1^40, below [`SURE`]; `above` needs it hard and is sure
    /// down too; `spare` needs it only through an `any_of` with `x` and is
    /// not; `short`, behind a ring of 20 (0.1^20), is not, when nothing
    /// is drawn.
    #[test]
    fn bounds_cycles_and_what_they_force() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\n  d2: {}\nservices:\n");
        text.push_str(&forcing_ring("r", 40, 0.1));
        text.push_str(&forcing_ring("s", 20, 0.1));
        text.push_str("  above: {runs_in: d1, depends_on: [r0]}\n");
        text.push_str("  x: {runs_in: d2}\n");
        text.push_str("  spare: {runs_in: d1, depends_on: [{any_of: [r0, x]}]}\n");
        text.push_str("  short: {runs_in: d1, depends_on: [s0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |n: &str| arch.id_of(n).unwrap();
        let roots = [id("above"), id("spare"), id("short")];
        // No budget for draws: the bounds alone decide (the ring of 20 is
        // below [`CHECKED`], and its draws would make it sure).
        let sure = SureDown::find(arch, &graph, &roots, &Budget::new(Some(0)));
        let is = |n: &str| sure.is_sure(GateId::from(id(n)));
        assert!(sure.any());
        assert!(is("r0") && is("r39") && is("above"));
        assert!(!is("spare") && !is("short") && !is("s0") && !is("d1"));
    }

    /// A ring of 40 services up half the time is bounded by 0.5^40, about
    /// 1e-12: above [`SURE`], below [`CHECKED`]. One of them fails in each
    /// sample, so it is sure down, and so is `above`, which needs it hard,
    /// but only when the budget lets its draws be counted; a ring of 20
    /// (1e-6) is not checked.
    #[test]
    fn a_cycle_whose_parts_fail_in_every_sample_is_sure_down() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\nservices:\n");
        text.push_str(&forcing_ring("r", 40, 0.5));
        text.push_str(&forcing_ring("s", 20, 0.5));
        text.push_str("  above: {runs_in: d1, depends_on: [r0]}\n");
        text.push_str("  short: {runs_in: d1, depends_on: [s0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |n: &str| arch.id_of(n).unwrap();
        let roots = [id("above"), id("short")];
        let unbounded = Budget::new(None);
        let sure = SureDown::find(arch, &graph, &roots, &unbounded);
        let is = |n: &str| sure.is_sure(GateId::from(id(n)));
        assert!(sure.any());
        assert!(is("r0") && is("r39") && is("above"));
        assert!(!is("short") && !is("s0"));
        // The ring of 40's expected failures: 200,000 × 40 × 0.5.
        assert_eq!(unbounded.used(), 4_000_000);
        let tight = Budget::new(Some(3_999_999));
        let unchecked = SureDown::find(arch, &graph, &roots, &tight);
        assert!(!unchecked.any());
    }

    /// The draws of every cycle that could be checked are counted at once,
    /// before any is drawn: with two rings of 40 up half the time (4
    /// million expected failures each) and room for one, neither is
    /// checked, so a file of many such cycles is refused before a draw.
    #[test]
    fn every_check_is_counted_before_any_is_drawn() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\nservices:\n");
        text.push_str(&forcing_ring("r", 40, 0.5));
        text.push_str(&forcing_ring("t", 40, 0.5));
        text.push_str("  above: {runs_in: d1, depends_on: [r0, t0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let roots = [arch.id_of("above").unwrap()];
        let room_for_one = Budget::new(Some(5_000_000));
        let sure = SureDown::find(arch, &graph, &roots, &room_for_one);
        assert!(!sure.any());
        assert_eq!(room_for_one.used(), 8_000_000);
        let both = SureDown::find(arch, &graph, &roots, &Budget::new(None));
        assert!(both.is_sure(GateId::from(roots[0])));
    }
}
