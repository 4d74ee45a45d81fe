//! Targets above a cycle too large for masks: their exact attempts walk
//! lists ([`super::super::exact_lists`]), whose one budget check before
//! the pairs is plain: after every part alone (as many sets as parts),
//! the pairs of the parts up alone must fit in what is left.
//!
//! So a target's verdict needs only its number of parts and how many of
//! them take it down alone. The first comes from the walk of its cone
//! outside the cycle's; the second from one circuit over the union of
//! these targets' cones, evaluated with each part alone in its lane, 1,024
//! parts per evaluation ([`downs_alone`]), rather than a compile and an
//! evaluation per 64 parts for each target.

use crate::model::{Architecture, NodeId};

use super::super::super::graph::FailureGraph;
use super::super::super::parallel::fold_chunked;
use super::super::super::progress::Progress;
use super::super::super::sampling::{sum_of, union_circuit, Batch, SAMPLES};
use super::super::super::word::Lanes;
use super::super::{tail_probabilities, EXACT_BUDGET, MOST_MASKED, TAIL};
use super::can_fail;

/// Records in `found`, for each of `many` (a target above the cycle and
/// the parts of its cone, itself aside) whose exact attempt would walk
/// lists and give up, its parts. `cycle_parts` are the parts of the
/// cycle's cone, which every one of them holds: the chance that two or
/// more of them fail is at most the target's, so when it is well above
/// [`TAIL`] the attempt does reach the pairs.
///
/// Cost: the tail over the cycle's parts, then [`downs_alone`] when some
/// target has more parts than masks hold.
pub(super) fn hopeless(
    arch: &Architecture,
    graph: &FailureGraph,
    cycle_parts: &[NodeId],
    many: &[(NodeId, usize)],
    found: &mut [u32],
) {
    let many: Vec<(NodeId, usize)> = many
        .iter()
        .copied()
        .filter(|&(_, n)| n > MOST_MASKED)
        .collect();
    if many.is_empty() {
        return;
    }
    let failing: Vec<(NodeId, f64)> = cycle_parts
        .iter()
        .map(|&id| (id, 1.0 - arch.node(id).availability.get().unwrap_or(1.0)))
        .collect();
    // A margin of 2 for rounding: the target's tail is computed over more
    // parts than this one.
    if tail_probabilities(&failing)
        .get(1)
        .is_none_or(|&t| t < 2.0 * TAIL)
    {
        return;
    }
    let targets: Vec<NodeId> = many.iter().map(|&(t, _)| t).collect();
    let Some(downs) = downs_alone(arch, graph, &targets) else {
        return;
    };
    for (&(t, parts), &down) in many.iter().zip(&downs) {
        // Its own failure takes it down, but is not one of its parts.
        let others = (down as usize).saturating_sub(usize::from(can_fail(arch, t)));
        let up = parts.saturating_sub(others);
        let pairs = up.saturating_mul(up.saturating_sub(1)) / 2;
        if parts.saturating_add(pairs) > EXACT_BUDGET {
            found[t.index()] = u32::try_from(parts).unwrap_or(u32::MAX - 1);
        }
    }
}

/// For each of `targets`, how many of the parts of the union of their
/// cones (themselves among them) take it down alone; `None` when those
/// parts are more than [`SAMPLES`], where this would cost more than the
/// Monte Carlo the targets go to.
///
/// Cost: marking and compiling the union, then one evaluation of it per
/// 1,024 parts, each failed alone in its lane, on every thread (at most what Monte Carlo
/// spends on the same union).
fn downs_alone(arch: &Architecture, graph: &FailureGraph, targets: &[NodeId]) -> Option<Vec<u32>> {
    let (ids, compiled) = union_circuit(arch, graph, targets);
    if ids.len() > SAMPLES as usize {
        return None;
    }
    let starts: Vec<usize> = (0..ids.len()).step_by(Batch::LANES).collect();
    let per_thread = fold_chunked(
        &starts,
        1,
        &Progress::default(),
        || {
            (
                compiled.for_evaluation::<Batch>(),
                vec![0u32; targets.len()],
            )
        },
        |(circuit, downs), &from| {
            for p in from..(from + Batch::LANES).min(ids.len()) {
                circuit.fail(p as u32, p - from);
            }
            circuit.down_lanes_of_each(|t, lanes| downs[t] += lanes.count());
        },
        |(_, downs)| downs,
    );
    Some(sum_of(per_thread, targets.len()))
}

#[cfg(test)]
mod tests {
    use super::super::super::{exactly, own_availability};
    use super::super::SharedCycle;
    use super::*;
    use crate::engine::circuit::ConeCircuit;
    use crate::engine::cone::ConeMarks;
    use crate::load::load_str;

    /// A ring of `n` services, each needing either of the next two (each
    /// is up alone for the ring; two neighbours take it all down), and
    /// above it `top` (needs r0 and `e`, a part outside the ring's cone)
    /// and `all` (needs every member, each of which takes it down alone).
    fn ring_of_pairs(n: usize) -> crate::load::Loaded {
        let mut text = String::from("version: 1\nsites:\n  s: {}\n  e: {availability: 0.999}\n");
        text.push_str("services:\n");
        for i in 0..n {
            let (a, b) = ((i + 1) % n, (i + 2) % n);
            text.push_str(&format!(
                "  r{i}: {{runs_in: s, availability: 0.999, depends_on: [{{any_of: [r{a}, r{b}]}}]}}\n"
            ));
        }
        text.push_str("  top: {runs_in: e, availability: 0.99, depends_on: [r0]}\n");
        let every: Vec<String> = (0..n).map(|i| format!("r{i}")).collect();
        text.push_str(&format!(
            "  all: {{runs_in: s, depends_on: [{}]}}\n",
            every.join(", ")
        ));
        load_str("t.yaml", text).unwrap()
    }

    /// A small ring (four services, each needing either of the next two)
    /// under `small` (needs r0) and `top`, which also needs one of each of
    /// `pairs` pairs of services: the ring is few parts, so the pass runs
    /// with masks, and `top`, past what masks hold, is left to the lists'
    /// check, where its pairs break the budget.
    #[test]
    fn a_target_past_masks_above_a_small_cycle() {
        let pairs = MOST_MASKED / 2 + 10;
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        for i in 0..4 {
            let (a, b) = ((i + 1) % 4, (i + 2) % 4);
            text.push_str(&format!(
                "  r{i}: {{runs_in: s, availability: 0.999, depends_on: [{{any_of: [r{a}, r{b}]}}]}}\n"
            ));
        }
        let mut needs = vec!["r0".to_string()];
        for i in 0..pairs {
            text.push_str(&format!("  x{i}: {{runs_in: s, availability: 0.999}}\n"));
            text.push_str(&format!("  y{i}: {{runs_in: s, availability: 0.999}}\n"));
            needs.push(format!("{{any_of: [x{i}, y{i}]}}"));
        }
        text.push_str(&format!(
            "  top: {{runs_in: s, depends_on: [{}]}}\n",
            needs.join(", ")
        ));
        text.push_str("  small: {runs_in: s, depends_on: [r0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let shared = SharedCycle::find(arch, &graph, &[id("top"), id("small")]).unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        assert_eq!(shared.hopeless_parts(id("top")), Some(4 + 2 * pairs));
        let attempt = exactly(arch, &graph, id("top"), &mut marks, &mut circuit);
        assert_eq!(attempt.err(), Some(4 + 2 * pairs));
        assert_eq!(shared.hopeless_parts(id("small")), None);
        let attempt = exactly(arch, &graph, id("small"), &mut marks, &mut circuit);
        assert!(attempt.is_ok(), "{attempt:?}");
    }

    /// The invariant of the pass, where the cycle's cone holds more parts
    /// than masks do: `top` and a member of the ring are named, with the
    /// parts their exact attempts count when they give up; `all`, whose
    /// every part takes it down alone, is not, and its attempt answers.
    #[test]
    fn targets_above_a_cycle_too_large_for_masks() {
        let loaded = ring_of_pairs(MOST_MASKED + 40);
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let targets = [id("top"), id("all"), id("r7")];
        let shared = SharedCycle::find(arch, &graph, &targets).expect("a pass over the ring");
        let mut marks = ConeMarks::new(&graph);
        let mut circuit = ConeCircuit::default();
        for (t, parts) in [("top", MOST_MASKED + 41), ("r7", MOST_MASKED + 39)] {
            assert_eq!(shared.hopeless_parts(id(t)), Some(parts), "{t}");
            let attempt = exactly(arch, &graph, id(t), &mut marks, &mut circuit);
            let own = usize::from(own_availability(arch, id(t)) < 1.0);
            assert_eq!(attempt.err(), Some(parts + own), "{t}");
        }
        assert_eq!(shared.hopeless_parts(id("all")), None);
        let attempt = exactly(arch, &graph, id("all"), &mut marks, &mut circuit);
        assert!(attempt.is_ok(), "{attempt:?}");
    }
}
