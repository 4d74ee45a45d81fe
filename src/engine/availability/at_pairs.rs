//! Whether an exact attempt gives up at the pairs, known before its cone
//! is compiled.
//!
//! An exact attempt that no decision diagram is tried for compiles its
//! cone, fails each part alone ([`ConeCircuit::singles`]) and, before the
//! pairs, counts the sets no two of whose parts touch: when those alone
//! break the budget it gives up ([`super::SetsBySize`]). On a chain of
//! 100,000 services every such attempt gave up there: 9,718 targets whose
//! marking, compiling and walking took 1.6 s of the attempts' 2.5 s.
//!
//! What that verdict needs, each part's failure alone, is found here by
//! spreading the failure through the marked cone along its dependents,
//! part by part: where one failure takes down a few gates (a chain, a
//! tree of calls), that costs less than compiling the cone. The counts
//! compared are the attempt's own, so the verdict is the same; when the
//! spreading costs more than compiling would, or the counts do not say
//! "give up", the attempt goes on as before.
//!
//! Architecture invariant: [`AtPairs::gives_up`] says `true` only where
//! [`super::exact_walk`] over the same parts would return `None`.
//!
//! [`ConeCircuit::singles`]: super::super::circuit::ConeCircuit::singles

use crate::model::NodeId;

use super::super::budget::Budget;
use super::super::circuit::{rule, Rule, Singles};
use super::super::cone::ConeMarks;
use super::super::graph::{FailureGraph, GateId};
use super::{binomials_over, cliques::clique_counts, open_parts, untouched_above, Mass};
use super::{EXACT_BUDGET, MOST_MASKED};

/// How many times the cone's gates and edges the spreading may visit
/// before it stops: about what compiling the cone and failing its parts
/// 64 at a time would cost.
const MOST_VISITS_PER_CONE: usize = 4;

/// One thread's buffers, kept from one target to the next.
#[derive(Debug)]
pub(super) struct AtPairs {
    /// Per gate: the spreading (one per part) that took it down.
    down: Vec<u32>,
    /// Per gate: the spreading that last counted its requirements down,
    /// and how many it counted.
    counted: Vec<(u32, u32)>,
    spreading: u32,
    stack: Vec<GateId>,
    /// `AtLeast` gates counted in this spreading.
    partly: Vec<GateId>,
    /// Per gate: the target (a count of them) for which it was last given
    /// a row of `fed`, and that row.
    row: Vec<(u32, u32)>,
    target: u32,
    /// Per `AtLeast` gate fed, a row of `words` words: the parts whose
    /// failure alone downs a requirement of the gate but not the gate.
    fed: Vec<u64>,
    words: usize,
}

impl AtPairs {
    pub(super) fn new(graph: &FailureGraph) -> Self {
        AtPairs {
            down: vec![0; graph.len()],
            counted: vec![(0, 0); graph.len()],
            spreading: 0,
            stack: Vec::new(),
            partly: Vec::new(),
            row: vec![(0, 0); graph.len()],
            target: 0,
            fed: Vec::new(),
            words: 0,
        }
    }

    /// Whether the exact walk of `target` over `walked` (its parts less
    /// those `mass` leaves out, the cone marked in `marks`) gives up at the
    /// pairs. `false` also when it cannot tell cheaply. The spreading's
    /// steps are spent from `work`. O(the gates each part's failure alone
    /// downs and their edges, at most [`MOST_VISITS_PER_CONE`] times the
    /// cone's; then the untouched sets counted, at most the budget).
    pub(super) fn gives_up(
        &mut self,
        graph: &FailureGraph,
        (marks, target): (&ConeMarks, NodeId),
        walked: &[(NodeId, f64)],
        mass: &Mass,
        work: &Budget,
    ) -> bool {
        let n = walked.len();
        // `exact_walk`'s other ways: no part to walk, or lists.
        if n == 0 || n > MOST_MASKED {
            return false;
        }
        let deepest = mass.deepest(n);
        let Some(left) = EXACT_BUDGET.checked_sub(mass.left_out + n) else {
            return false;
        };
        if deepest < 2 || !could_give_up(n, deepest, left) {
            return false;
        }
        let Some(alone) = self.alone(graph, marks, target, walked, work) else {
            return false;
        };
        let sizes = (n, deepest, left);
        match n {
            0..=64 => verdict::<1>(&alone, sizes),
            65..=128 => verdict::<2>(&alone, sizes),
            129..=256 => verdict::<4>(&alone, sizes),
            257..=512 => verdict::<8>(&alone, sizes),
            513..=1024 => verdict::<16>(&alone, sizes),
            1025..=2048 => verdict::<32>(&alone, sizes),
            2049..=4096 => verdict::<64>(&alone, sizes),
            _ => verdict::<128>(&alone, sizes),
        }
    }

    /// Each of `walked` failed alone, spread through the cone: `None` past
    /// [`MOST_VISITS_PER_CONE`] times the cone's gates and edges.
    fn alone(
        &mut self,
        graph: &FailureGraph,
        marks: &ConeMarks,
        target: NodeId,
        walked: &[(NodeId, f64)],
        work: &Budget,
    ) -> Option<Singles> {
        let (gates, edges) = marks.size();
        let most = MOST_VISITS_PER_CONE * (gates + edges);
        self.alone_within(graph, (marks, target), walked, most, work)
    }

    /// [`Self::alone`], `None` past `most` gates and edges visited.
    fn alone_within(
        &mut self,
        graph: &FailureGraph,
        (marks, target): (&ConeMarks, NodeId),
        walked: &[(NodeId, f64)],
        most: usize,
        work: &Budget,
    ) -> Option<Singles> {
        let mut visits = 0usize;
        let mut down = vec![0u64; walked.len().div_ceil(64)];
        if self.target == u32::MAX {
            self.row.fill((0, 0));
            self.target = 0;
        }
        self.target += 1;
        self.fed.clear();
        self.words = walked.len().div_ceil(64);
        for (i, &(part, _)) in walked.iter().enumerate() {
            visits += self.spread(graph, marks, GateId::from(part), i as u32);
            if visits > most {
                work.spend(visits as u64);
                return None;
            }
            let target_down = self.down[GateId::from(target).index()] == self.spreading;
            down[i / 64] |= u64::from(target_down) << (i % 64);
        }
        work.spend(visits as u64);
        let fed = std::mem::take(&mut self.fed);
        Some(Singles::of(down, fed, self.words, walked.len()))
    }

    /// Fails `from` alone and spreads it through the cone to the least
    /// fixpoint, as the circuit's evaluation does (an `Any` gate goes down
    /// with a requirement, an `AtLeast(t)` gate with `t`, counting each
    /// edge); files the `AtLeast` gates it feeds as `part`'s. Returns the
    /// gates and edges visited.
    fn spread(
        &mut self,
        graph: &FailureGraph,
        marks: &ConeMarks,
        from: GateId,
        part: u32,
    ) -> usize {
        if self.spreading == u32::MAX {
            self.down.fill(0);
            self.counted.fill((0, 0));
            self.spreading = 0;
        }
        self.spreading += 1;
        let now = self.spreading;
        self.down[from.index()] = now;
        self.stack.push(from);
        let mut visits = 0;
        while let Some(r) = self.stack.pop() {
            let dependents = marks.dependents(r);
            visits += 1 + dependents.len();
            for &(d, _) in dependents {
                if self.down[d.index()] == now {
                    continue;
                }
                let goes_down = match rule(graph.gate(d)) {
                    Rule::Any => true,
                    Rule::AtLeast(t) => {
                        let counted = &mut self.counted[d.index()];
                        if counted.0 != now {
                            *counted = (now, 0);
                            self.partly.push(d);
                        }
                        counted.1 += 1;
                        counted.1 >= t
                    }
                };
                if goes_down {
                    self.down[d.index()] = now;
                    self.stack.push(d);
                }
            }
        }
        let (target, words) = (self.target, self.words);
        for g in self.partly.drain(..) {
            if self.down[g.index()] == now {
                continue;
            }
            let row = &mut self.row[g.index()];
            if row.0 != target {
                *row = (target, (self.fed.len() / words) as u32);
                self.fed.resize(self.fed.len() + words, 0);
            }
            let at = row.1 as usize * words + part as usize / 64;
            self.fed[at] |= 1 << (part % 64);
        }
        visits
    }
}

/// Whether the walk could give up at size 2 were all `n` parts up alone:
/// the verdict only falls with fewer ([`verdict`]), so where this is
/// `false` nothing is spread.
fn could_give_up(n: usize, deepest: usize, left: usize) -> bool {
    let pairs = n * (n - 1) / 2;
    pairs > left || (deepest >= 3 && binomials_over(n, 3..=deepest, left))
}

/// The walk's verdict at size 2 ([`super::exact_masks`]), from the
/// `n` parts' failures alone: `left` sets of the budget left after size 1,
/// sizes up to `deepest`.
fn verdict<const W: usize>(alone: &Singles, (n, deepest, left): (usize, usize, usize)) -> bool {
    let mut dead = [0u64; W];
    dead.iter_mut().zip(&alone.down).for_each(|(d, &a)| *d = a);
    let up = n - dead.iter().map(|d| d.count_ones() as usize).sum::<usize>();
    if up == 0 {
        return false;
    }
    // Every pair of parts up alone is tried at size 2.
    let pairs = up * (up - 1) / 2;
    if pairs > left {
        return true;
    }
    if deepest < 3 || !binomials_over(up, 3..=deepest, left) {
        return false;
    }
    let open = open_parts(n, &dead);
    let higher = untouched_above(open, &alone.touching::<W>(&dead));
    clique_counts(&higher, open, 3..=deepest, left - pairs).is_none()
}

#[cfg(test)]
mod tests {
    use super::super::{exact_walk, failable_parts, Counted, ForcedReach, MOST_DIAGRAM_WALKED};
    use super::*;
    use crate::engine::circuit::ConeCircuit;
    use crate::load::load_str;
    use crate::model::Architecture;

    /// A small deterministic generator, so that a failing case is its seed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// `services` services on `sites` sites (two regions' worth), each on
    /// one site, a list of two or a quorum of two of three; each needs the
    /// one before it hard or softly, or in an `any_of` (of one, or of
    /// both) with another earlier one, and one in ten a later one too
    /// (cycles).
    fn random_file(seed: u64, sites: usize, services: usize, up: &str) -> String {
        let mut rng = Rng(seed | 1);
        let mut f = String::from("version: 1\nsites:\n  r0: {kind: region, availability: 0.999}\n");
        f.push_str("  r1: {kind: region, availability: 0.999}\n");
        for d in 0..sites {
            f.push_str(&format!(
                "  d{d}: {{within: r{}, availability: 0.99}}\n",
                d % 2
            ));
        }
        f.push_str("services:\n");
        let site = |rng: &mut Rng| format!("d{}", rng.below(sites));
        for i in 0..services {
            let runs_in = match rng.below(3) {
                0 => site(&mut rng),
                1 => format!("[{}, {}]", site(&mut rng), site(&mut rng)),
                _ => format!(
                    "{{sites: [{}, {}, {}], min: 2}}",
                    site(&mut rng),
                    site(&mut rng),
                    site(&mut rng)
                ),
            };
            let mut deps = Vec::new();
            if i > 0 {
                let other = rng.below(i);
                deps.push(match rng.below(4) {
                    0 => format!("s{}", i - 1),
                    1 => format!("{{on: s{}, mode: soft}}", i - 1),
                    2 => format!("{{any_of: [s{}, s{other}]}}", i - 1),
                    _ => format!("{{any_of: [s{}, s{other}], min: 2}}", i - 1),
                });
            }
            if i + 1 < services && rng.below(10) == 0 {
                deps.push(format!("s{}", i + 1 + rng.below(services - i - 1)));
            }
            f.push_str(&format!(
                "  s{i}: {{runs_in: {runs_in}, availability: {up}, depends_on: [{}]}}\n",
                deps.join(", ")
            ));
        }
        f
    }

    fn loaded(text: String) -> (Architecture, FailureGraph) {
        let loaded = load_str("t.yaml", text).unwrap();
        let graph = FailureGraph::build(&loaded.arch);
        (loaded.arch, graph)
    }

    /// The parts a target's exact walk tries, its cone marked in `marks`.
    fn walked_parts(
        arch: &Architecture,
        graph: &FailureGraph,
        t: NodeId,
        marks: &mut ConeMarks,
    ) -> (Vec<(NodeId, f64)>, Mass) {
        let parts = failable_parts(arch, graph, t, marks);
        let (walked, left_out) = ForcedReach::new(graph).walked(graph, t, &parts);
        (walked, Mass::of(&parts, left_out))
    }

    /// Spread one at a time through the marked cone, the parts' failures
    /// alone take down the target and touch exactly as the compiled
    /// circuit says ([`ConeCircuit::singles`], [`Singles::touching`]),
    /// on cones with lists, quorums, `any_of` groups of both kinds, soft
    /// edges and cycles.
    ///
    /// [`Singles::touching`]: crate::engine::circuit::Singles::touching
    #[test]
    fn spreading_alone_finds_what_the_circuit_finds() {
        let mut compared = (0, 0);
        for seed in 0..12 {
            let (arch, graph) = loaded(random_file(seed, 5, 30, "0.9"));
            let mut marks = ConeMarks::new(&graph);
            let mut circuit = ConeCircuit::default();
            let mut at_pairs = AtPairs::new(&graph);
            let work = Budget::new(None);
            for t in arch.node_ids().filter(|&n| arch.node(n).is_candidate()) {
                let (walked, _) = walked_parts(&arch, &graph, t, &mut marks);
                if walked.is_empty() || walked.len() > 128 {
                    continue;
                }
                let cone = (&marks, t);
                let alone = (at_pairs.alone_within(&graph, cone, &walked, usize::MAX, &work))
                    .expect("no bound on the visits");
                let ids: Vec<NodeId> = walked.iter().map(|&(id, _)| id).collect();
                circuit.compile(&graph, &marks, &[t], &ids);
                let singles = circuit.singles(walked.len());
                let dead: [u64; 2] =
                    std::array::from_fn(|w| singles.down.get(w).copied().unwrap_or(0));
                assert_eq!(alone.down, singles.down, "seed {seed}");
                let spread = alone.touching::<2>(&dead);
                let compiled = singles.touching::<2>(&dead);
                for x in 0..walked.len() {
                    for y in (0..walked.len()).filter(|&y| y != x) {
                        let bit = |m: &[u64; 2]| m[y / 64] >> (y % 64) & 1;
                        assert_eq!(
                            bit(&spread[x]),
                            bit(&compiled[x]),
                            "seed {seed}, {x} and {y}"
                        );
                        compared.1 += bit(&spread[x]) as usize;
                    }
                }
                compared.0 += dead.iter().map(|d| d.count_ones() as usize).sum::<usize>();
            }
        }
        // Both relations were exercised: parts down alone, pairs touching.
        assert!(compared.0 > 50 && compared.1 > 50, "{compared:?}");
    }

    /// Where it says a target gives up, the walk over the compiled cone
    /// gives up too; and on cones of some hundreds of parts, most of which
    /// seldom touch, it says so.
    #[test]
    fn gives_up_only_where_the_walk_does() {
        let (arch, graph) = loaded(random_file(7, 16, 600, "0.999"));
        let mut marks = ConeMarks::new(&graph);
        let mut circuit = ConeCircuit::default();
        let mut at_pairs = AtPairs::new(&graph);
        let work = Budget::new(None);
        let (mut said, mut wide) = (0, 0);
        for t in arch.node_ids().filter(|&n| arch.node(n).is_candidate()) {
            let (walked, mass) = walked_parts(&arch, &graph, t, &mut marks);
            if !at_pairs.gives_up(&graph, (&marks, t), &walked, &mass, &work) {
                continue;
            }
            said += 1;
            wide += usize::from(walked.len() > MOST_DIAGRAM_WALKED);
            let ids: Vec<NodeId> = walked.iter().map(|&(id, _)| id).collect();
            circuit.compile(&graph, &marks, &[t], &ids);
            let cone = Counted {
                circuit: &mut circuit,
                work: &work,
            };
            assert_eq!(
                exact_walk(&mass, &walked, cone),
                None,
                "{}",
                arch.name_of(t)
            );
        }
        assert!(
            said > 20 && wide > 0,
            "{said} said to give up, {wide} over 128 parts"
        );
    }

    /// The verdict is the walk's comparisons at size 2, counted plainly:
    /// the pairs of parts up alone against what size 1 left, then the sets
    /// of three parts up to `deepest`, no two feeding one `AtLeast` gate,
    /// against what the pairs leave, at the limits and one either side.
    #[test]
    fn the_verdict_is_the_untouched_sets_counted_plainly() {
        let mut rng = Rng(99);
        let mut said = [0, 0];
        for _ in 0..300 {
            let n = 3 + rng.below(12);
            let down: Vec<bool> = (0..n).map(|_| rng.below(5) == 0).collect();
            let rows = rng.below(2 * n);
            let fed: Vec<u64> = (0..rows)
                .map(|_| (0..1 + rng.below(3)).fold(0, |m, _| m | 1 << rng.below(n)))
                .collect();
            let down_bits = (down.iter().enumerate()).fold(0, |m, (x, &d)| m | u64::from(d) << x);
            let alone = Singles::of(vec![down_bits], fed.clone(), 1, n);
            let up: Vec<usize> = (0..n).filter(|&x| !down[x]).collect();
            let apart = |x: usize, y: usize| fed.iter().all(|r| r >> x & 1 == 0 || r >> y & 1 == 0);
            let deepest = 2 + rng.below(5);
            let untouched = (0u64..1 << up.len())
                .filter(|set| (3..=deepest).contains(&(set.count_ones() as usize)))
                .filter(|set| {
                    let parts: Vec<usize> = (0..up.len())
                        .filter(|i| set >> i & 1 == 1)
                        .map(|i| up[i])
                        .collect();
                    parts
                        .iter()
                        .enumerate()
                        .all(|(i, &x)| parts[i + 1..].iter().all(|&y| apart(x, y)))
                })
                .count();
            let pairs = up.len() * up.len().saturating_sub(1) / 2;
            let binomials = (3..=deepest)
                .map(|k| super::super::binomial(up.len(), k))
                .sum::<usize>();
            for left in [
                pairs.saturating_sub(1),
                pairs,
                pairs + untouched,
                pairs + untouched + 1,
                pairs + binomials,
            ] {
                let expected = if up.is_empty() {
                    false
                } else if pairs > left {
                    true
                } else if deepest < 3 || binomials <= left {
                    false
                } else {
                    untouched > left - pairs
                };
                assert_eq!(
                    verdict::<1>(&alone, (n, deepest, left)),
                    expected,
                    "{n} parts, left {left}"
                );
                said[usize::from(expected)] += 1;
            }
        }
        assert!(said[0] > 100 && said[1] > 100, "{said:?}");
    }

    /// Past its bound on the gates and edges visited, the spreading stops
    /// and says nothing, and the attempt goes on as before.
    #[test]
    fn a_spreading_over_its_bound_says_nothing() {
        let (arch, graph) = loaded(random_file(3, 5, 40, "0.9"));
        let mut marks = ConeMarks::new(&graph);
        let mut at_pairs = AtPairs::new(&graph);
        let work = Budget::new(None);
        let t = arch.id_of("s39").unwrap();
        let (walked, _) = walked_parts(&arch, &graph, t, &mut marks);
        assert!(!walked.is_empty());
        let cone = (&marks, t);
        assert!(at_pairs
            .alone_within(&graph, cone, &walked, 1, &work)
            .is_none());
        assert!(at_pairs
            .alone_within(&graph, cone, &walked, usize::MAX, &work)
            .is_some());
    }
}
