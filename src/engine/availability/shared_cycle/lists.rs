//! Targets above a cycle too large for masks: their exact attempts walk
//! lists ([`super::super::exact_lists`]), whose one budget check before
//! the pairs is plain: after every part alone (as many sets as parts),
//! the pairs of the parts up alone must fit in what is left.
//!
//! So a target's verdict needs only its number of parts and how many of
//! them are up alone. The first comes from the walk of its cone outside
//! the cycle's; the second from one circuit over the union of these
//! targets' cones, evaluated with each part alone in its lane, 1,024
//! parts per evaluation, rather than a compile and an evaluation per 64
//! parts for each target.
//!
//! The cycle's parts are failed first, in rounds that double: each of
//! them is in every target's cone, so those that leave a target up are
//! already that many parts up alone for it, and a few thousand of them
//! are usually enough to break its budget. The count stops once every
//! target's is broken; only where some target's is not does it go on to
//! every part of the union.

use std::sync::Mutex;

use crate::model::{Architecture, NodeId};

use super::super::super::circuit::ConeCircuit;
use super::super::super::graph::FailureGraph;
use super::super::super::sampling::{union_circuit, Batch, Compiled, SAMPLES};
use super::super::super::word::Lanes;
use super::super::big_cones::{alone_by_batch, breaks};
use super::super::{tail_probabilities, MOST_MASKED, TAIL};
use super::can_fail;

/// Records in `found`, for each of `many` (a target above the cycle and
/// the parts of its cone, itself aside) whose exact attempt would walk
/// lists and give up, its parts. `cycle_parts` are the parts of the
/// cycle's cone, which every one of them holds: the chance that two or
/// more of them fail is at most the target's, so when it is well above
/// [`TAIL`] the attempt does reach the pairs.
///
/// Returns the union it compiled, if it did, for Monte Carlo to use again.
/// `ahead` is that union compiled beforehand, if it was: used when it is
/// the union of the same targets, in the same order.
///
/// Cost: the tail over the cycle's parts, then marking and compiling the
/// union of the targets' cones (unless `ahead` is it) and
/// [`UpAlone::count`] over it.
pub(super) fn hopeless(
    arch: &Architecture,
    graph: &FailureGraph,
    cycle_parts: &[NodeId],
    many: &[(NodeId, usize)],
    (found, ahead): (&mut [u32], Option<Compiled>),
) -> Option<Compiled> {
    let many: Vec<(NodeId, usize)> = many
        .iter()
        .copied()
        .filter(|&(_, n)| n > MOST_MASKED)
        .collect();
    if many.is_empty() || !attempts_reach_pairs(arch, cycle_parts) {
        return None;
    }
    let targets: Vec<NodeId> = many.iter().map(|&(t, _)| t).collect();
    let union = (ahead.filter(|u| u.targets == targets))
        .unwrap_or_else(|| union_circuit(arch, graph, &targets));
    let up = UpAlone::new(arch, &many, &union.ids, cycle_parts).count(&union.circuit);
    for (&(t, parts), &up) in many.iter().zip(&up) {
        if breaks(parts, up) {
            found[t.index()] = u32::try_from(parts).unwrap_or(u32::MAX - 1);
        }
    }
    Some(union)
}

/// Whether [`hopeless`] counts parts up alone at all for targets holding
/// `cycle_parts`: only where the chance that two or more of them fail is
/// well above [`TAIL`], so that the exact attempts do reach the pairs.
/// O(cycle parts).
pub(super) fn attempts_reach_pairs(arch: &Architecture, cycle_parts: &[NodeId]) -> bool {
    let failing: Vec<(NodeId, f64)> = cycle_parts
        .iter()
        .map(|&id| (id, 1.0 - arch.node(id).availability.get().unwrap_or(1.0)))
        .collect();
    // A margin of 2 for rounding: the target's tail is computed over more
    // parts than this one.
    tail_probabilities(&failing)
        .get(1)
        .is_some_and(|&t| t >= 2.0 * TAIL)
}

/// The count of each target's parts up alone, over the union's circuit.
struct UpAlone {
    /// Per target, its parts and whether it can fail itself.
    targets: Vec<(usize, bool)>,
    /// The positions of the union's parts in the circuit, in batches of at
    /// most [`Batch::LANES`]: the cycle's parts first, then the rest when
    /// there are at most [`SAMPLES`] parts in all (past that, failing each
    /// would cost more than the Monte Carlo the targets go to, and only as
    /// many of the cycle's parts as Monte Carlo has samples are).
    batches: Vec<Vec<u32>>,
    /// How many of `batches` hold the cycle's parts (all of them, where
    /// truncated).
    of_cycle: usize,
    /// Whether `batches` hold every part of the union.
    every_part: bool,
}

impl UpAlone {
    fn new(
        arch: &Architecture,
        many: &[(NodeId, usize)],
        ids: &[NodeId],
        cycle_parts: &[NodeId],
    ) -> Self {
        let mut in_cycle = vec![false; ids.len()];
        for id in cycle_parts {
            if let Ok(p) = ids.binary_search(id) {
                in_cycle[p] = true;
            }
        }
        let (first, rest): (Vec<u32>, Vec<u32>) =
            (0..ids.len() as u32).partition(|&p| in_cycle[p as usize]);
        let mut batches: Vec<Vec<u32>> = first.chunks(Batch::LANES).map(<[u32]>::to_vec).collect();
        let of_cycle = batches.len();
        let every_part = ids.len() <= SAMPLES as usize;
        if every_part {
            batches.extend(rest.chunks(Batch::LANES).map(<[u32]>::to_vec));
        } else {
            // No more batches than Monte Carlo's: a lower bound needs no
            // more than some of the cycle's parts.
            batches.truncate((SAMPLES as usize).div_ceil(Batch::LANES));
        }
        UpAlone {
            targets: many.iter().map(|&(t, n)| (n, can_fail(arch, t))).collect(),
            batches,
            of_cycle,
            every_part,
        }
    }

    /// For each target, how many of its parts are up alone: exactly, when
    /// the count went over every part of the union; else a lower bound,
    /// the cycle's parts that leave it up among those failed, enough to
    /// break the budget of each target it can.
    ///
    /// Cost: one evaluation of `compiled` per batch failed, on every
    /// thread, each over the gates that go down in it; batches in rounds of
    /// 2, 4, 8, ... until every target breaks the budget or the batches
    /// run out. At most the batches Monte Carlo evaluates over the union.
    fn count(&self, compiled: &ConeCircuit) -> Vec<usize> {
        let n = self.targets.len();
        let (mut downs, mut up_in_cycle) = (vec![0usize; n], vec![0usize; n]);
        let pool = Mutex::new(Vec::new());
        let (mut done, mut round) = (0, 2);
        while done < self.batches.len() {
            let these = &self.batches[done..(done + round).min(self.batches.len())];
            let counted = alone_by_batch(compiled, &pool, these, n);
            for (i, (down, _)) in counted.iter().enumerate() {
                let of_cycle = done + i < self.of_cycle;
                let failed = these[i].len();
                for t in 0..n {
                    downs[t] += down[t] as usize;
                    if of_cycle {
                        up_in_cycle[t] += failed.saturating_sub(down[t] as usize);
                    }
                }
            }
            done += these.len();
            round *= 2;
            let broken = |t: usize| breaks(self.targets[t].0, up_in_cycle[t]);
            if (0..n).all(broken) {
                return up_in_cycle;
            }
        }
        if !self.every_part {
            return up_in_cycle;
        }
        // Its own failure takes a target down, but is not one of its parts.
        self.targets
            .iter()
            .zip(&downs)
            .map(|(&(parts, own), &down)| {
                parts.saturating_sub(down.saturating_sub(usize::from(own)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::exactly_unbounded;
    use super::super::SharedCycle;
    use super::*;
    use crate::engine::circuit::ConeCircuit;
    use crate::engine::cone::ConeMarks;
    use crate::engine::progress::Progress;
    use crate::engine::sampling::down_counts;
    use crate::load::load_str;

    /// A ring of `n` services, each needing either of the next two (each
    /// is up alone for the ring; two neighbours take it all down), and
    /// above it `top` (needs r0 and `e`, a part outside the ring's cone),
    /// `all` (needs every member, each of which takes it down alone) and
    /// `all_and_pairs` (needs every member and one of each of [`PAIRS`]
    /// pairs: its parts up alone are all outside the ring's cone).
    const PAIRS: usize = 1000;

    /// Adds `n` pairs of services `{a}i` and `{b}i` in site `s`, each up
    /// 99.9% of the time, and gives a need of one of each pair.
    fn pairs_of(text: &mut String, (a, b): (&str, &str), n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                for x in [a, b] {
                    text.push_str(&format!("  {x}{i}: {{runs_in: s, availability: 0.999}}\n"));
                }
                format!("{{any_of: [{a}{i}, {b}{i}]}}")
            })
            .collect()
    }

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
        let mut pairs = every;
        pairs.extend(pairs_of(&mut text, ("y", "z"), PAIRS));
        text.push_str(&format!(
            "  all_and_pairs: {{runs_in: s, depends_on: [{}]}}\n",
            pairs.join(", ")
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
        needs.extend(pairs_of(&mut text, ("x", "y"), pairs));
        text.push_str(&format!(
            "  top: {{runs_in: s, depends_on: [{}]}}\n",
            needs.join(", ")
        ));
        text.push_str("  small: {runs_in: s, depends_on: [r0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let shared = SharedCycle::of_largest(arch, &graph, &[id("top"), id("small")]).unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        assert_eq!(shared.hopeless_parts(id("top")), Some(4 + 2 * pairs));
        let attempt = exactly_unbounded(arch, &graph, id("top"), &mut marks, &mut circuit);
        assert_eq!(attempt.err(), Some(4 + 2 * pairs));
        assert_eq!(shared.hopeless_parts(id("small")), None);
        let attempt = exactly_unbounded(arch, &graph, id("small"), &mut marks, &mut circuit);
        assert!(attempt.is_ok(), "{attempt:?}");
    }

    /// Parts outside the cycle's cone count for the targets whose cones
    /// hold them, and only once every part is failed: `top` (above a ring
    /// that any member's failure takes down, so none of its parts is up
    /// alone) is not named, though the union's other parts leave it up;
    /// `other`, whose pairs of `y_i` and `z_i` are up alone, is.
    #[test]
    fn parts_outside_the_cycle_count_only_in_their_targets_cones() {
        let (n, pairs) = (MOST_MASKED + 40, 1000);
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        for i in 0..n {
            text.push_str(&format!(
                "  r{i}: {{runs_in: s, availability: 0.999, depends_on: [r{}]}}\n",
                (i + 1) % n
            ));
        }
        let mut needs = vec!["r0".to_string()];
        needs.extend(pairs_of(&mut text, ("y", "z"), pairs));
        text.push_str(&format!(
            "  other: {{runs_in: s, depends_on: [{}]}}\n",
            needs.join(", ")
        ));
        text.push_str("  top: {runs_in: s, depends_on: [r0]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let shared = SharedCycle::of_largest(arch, &graph, &[id("top"), id("other")]).unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        assert_eq!(shared.hopeless_parts(id("top")), None);
        let attempt = exactly_unbounded(arch, &graph, id("top"), &mut marks, &mut circuit);
        assert!(attempt.is_ok(), "{attempt:?}");
        assert_eq!(shared.hopeless_parts(id("other")), Some(n + 2 * pairs));
        let attempt = exactly_unbounded(arch, &graph, id("other"), &mut marks, &mut circuit);
        assert_eq!(attempt.err(), Some(n + 2 * pairs));
    }

    /// The union the count compiled for `top` and a member of the ring,
    /// both named, is theirs (asked in another order), and Monte Carlo
    /// over it counts what it counts over the union compiled again; with
    /// `all` among the targets
    /// it was compiled for, it is not theirs.
    #[test]
    fn the_counts_union_serves_monte_carlo_when_it_is_the_same() {
        let loaded = ring_of_pairs(MOST_MASKED + 40);
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let named = [id("top"), id("r7")];
        let mut shared = SharedCycle::of_largest(arch, &graph, &named).unwrap();
        assert!(named.iter().all(|&t| shared.hopeless_parts(t).is_some()));
        // Asked the other way round: the circuit's targets follow.
        let asked = [id("r7"), id("top")];
        let compiled = shared.take_union().unwrap().for_targets(&graph, &asked);
        assert!(compiled.is_some());
        let progress = Progress::default();
        let again = down_counts(arch, &graph, &asked, None, &progress);
        assert!(again[0] > 0 && again[0] != again[1], "{again:?}");
        assert_eq!(
            down_counts(arch, &graph, &asked, compiled, &progress),
            again
        );
        // The pass says so as soon as it knows.
        let plan = super::super::Plan::default();
        let largest = super::super::LargestCycle::of(&graph).unwrap();
        let mut planned = SharedCycle::find(arch, &graph, (&named, &largest), &plan).unwrap();
        assert!(!plan.running_without_union());
        assert!(planned.take_union().is_some());
        let mut wider =
            SharedCycle::of_largest(arch, &graph, &[id("top"), id("r7"), id("all")]).unwrap();
        assert!(wider
            .take_union()
            .unwrap()
            .for_targets(&graph, &named)
            .is_none());
    }

    /// The invariant of the pass, where the cycle's cone holds more parts
    /// than masks do: `top` and a member of the ring are named, with the
    /// parts their exact attempts count when they give up, though the
    /// ring's parts alone show it; `all_and_pairs` is named too, which only
    /// the count over every part shows; `all`, whose every part takes it
    /// down alone, is not, and its attempt answers.
    #[test]
    fn targets_above_a_cycle_too_large_for_masks() {
        let loaded = ring_of_pairs(MOST_MASKED + 40);
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let targets = [id("top"), id("all"), id("r7"), id("all_and_pairs")];
        let shared = SharedCycle::of_largest(arch, &graph, &targets).expect("a pass over the ring");
        let mut marks = ConeMarks::new(&graph);
        let mut circuit = ConeCircuit::default();
        let named = [
            ("top", MOST_MASKED + 41),
            ("r7", MOST_MASKED + 39),
            ("all_and_pairs", MOST_MASKED + 40 + 2 * PAIRS),
        ];
        for (t, parts) in named {
            assert_eq!(shared.hopeless_parts(id(t)), Some(parts), "{t}");
            let attempt = exactly_unbounded(arch, &graph, id(t), &mut marks, &mut circuit);
            let own = usize::from(arch.node(id(t)).own_availability() < 1.0);
            assert_eq!(attempt.err(), Some(parts + own), "{t}");
        }
        assert_eq!(shared.hopeless_parts(id("all")), None);
        let attempt = exactly_unbounded(arch, &graph, id("all"), &mut marks, &mut circuit);
        assert!(attempt.is_ok(), "{attempt:?}");
    }
}
