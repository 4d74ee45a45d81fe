//! Pairs of candidates failed from what each does alone: the gates a pair
//! takes down that neither member does are those its meeting gates take
//! down, so only they are propagated, not either member again.
//!
//! Why that is all: let A and B be a pair, D(A) and D(B) the gates each
//! takes down alone (least fixpoints, §7, each closed under the rules).
//! Their union lies below the pair's fixpoint, and the pair's fixpoint is
//! reached from it by the same rules. On the union, a gate not in it can
//! go down only by reading members from both sides: an all-gate with a
//! hard requirement down is down under that requirement's side already,
//! and a threshold gate with too few members down under one side alone is
//! not down there. So the pair's own losses start at the threshold gates
//! its members meet at with enough members down between them (which
//! `meeting_pairs` keeps for each pair, [`Pairs::meets_at`]); from there,
//! each gate newly down queues its dependents, as any propagation does.
//!
//! A member's down gates are read from its sorted list (by binary search,
//! or from bits for the longest lists, [`Loss`]), never written into the
//! states: on the shapes where a pair's own gates
//! are few and each member's loss is large (a data center's services and
//! what needs them), writing or propagating the top member again for each
//! base it pairs with was most of the work.

use super::super::circuit::{rule, Rule};
use super::super::graph::{FailureGraph, GateId};
use super::super::parallel;
use super::super::progress::Progress;
use super::{Budgets, PairBatch, PairDown, Pairs, Single};

/// One thread's marks: which gates the base takes down and which the
/// current pair took down on top of both members, as one generation stamp
/// per gate (the base's round, or the pair's), so that moving to another
/// base or pair clears nothing and a gate is read once for both.
struct Marks {
    stamp: Vec<u32>,
    round: u32,
    base: Option<usize>,
    base_round: u32,
    queue: Vec<GateId>,
}

impl Marks {
    fn new(gates: usize) -> Self {
        Marks {
            stamp: vec![0; gates],
            round: 0,
            base: None,
            base_round: 0,
            queue: Vec::new(),
        }
    }

    /// Marks what `single`, the base at position `base`, takes down,
    /// unless it is the base marked already; then the batch's up to 64
    /// pairs take the next rounds. O(its gates), and O(gates) once in 4
    /// billion rounds, when the stamps start again from 0.
    fn on_base(&mut self, base: usize, single: &Single) {
        if self.round > u32::MAX - 128 {
            self.stamp.fill(0);
            (self.round, self.base) = (0, None);
        }
        if self.base == Some(base) {
            return;
        }
        self.base = Some(base);
        self.round += 1;
        self.base_round = self.round;
        for g in &single.gates {
            self.stamp[g.index()] = self.base_round;
        }
    }

    /// The gates the base and `top`, meeting at the gates `meets_at`
    /// (each taken down by the two together), take down together and
    /// neither alone, each once, in no order. O(those gates with their
    /// edges × each edge's gate's requirements × log of `top`'s gates).
    fn pair(
        &mut self,
        (graph, downward): (&FailureGraph, &Downward),
        (top, meets_at): (Loss<'_>, &[GateId]),
        found: &mut impl FnMut(GateId),
    ) {
        // A gate the pair takes down is not the base's: its stamp is free.
        self.round += 1;
        let (base_round, pair_round) = (self.base_round, self.round);
        let stamp = &mut self.stamp;
        let queue = &mut self.queue;
        queue.clear();
        for &g in meets_at {
            stamp[g.index()] = pair_round;
            queue.push(g);
        }
        let of_top = |g: GateId| top.holds(g);
        while let Some(g) = queue.pop() {
            found(g);
            for &(d, needs) in downward.of(g) {
                let down = |r: GateId| {
                    let s = stamp[r.index()];
                    s == base_round || s == pair_round || of_top(r)
                };
                if down(d) {
                    continue;
                }
                // A gate that goes down with any requirement goes down
                // with `g`, without reading the others.
                if needs == 1 || at_least_down(graph, d, needs, down) {
                    stamp[d.index()] = pair_round;
                    queue.push(d);
                }
            }
        }
    }
}

/// What a top member takes down alone, as [`Marks::pair`] reads it: its
/// sorted list, and for the longest lists a bit per gate of the graph.
/// A pair reads its top's loss for every requirement of each gate it
/// reaches, and a binary search in a data center's list of thousands of
/// gates missed the cache at every step.
#[derive(Clone, Copy)]
struct Loss<'a> {
    list: &'a [GateId],
    bits: Option<&'a [u64]>,
}

impl Loss<'_> {
    /// Whether gate `g` is down in it. O(1) with bits, else O(log list).
    fn holds(&self, g: GateId) -> bool {
        match self.bits {
            Some(bits) => {
                (bits.get(g.index() / 64)).is_some_and(|w| w >> (g.index() % 64) & 1 == 1)
            }
            None => self.list.binary_search(&g).is_ok(),
        }
    }
}

/// Each gate's dependents that its going down can take down, each with
/// how many of its requirements must be down for it to go down (1 where
/// any one does): what a cascade reads for every gate it takes down,
/// without reading each dependent's rule from the graph (a miss of the
/// cache for nearly every edge: a third of the pairs' time on `anyof`).
/// Soft edges into all-gates are left out, since they never take it down.
struct Downward {
    start: Vec<u32>,
    edges: Vec<(GateId, u32)>,
}

impl Downward {
    /// O(gates + edges), 8 bytes an edge.
    fn build(graph: &FailureGraph) -> Self {
        let mut start = Vec::with_capacity(graph.len() + 1);
        let mut edges = Vec::new();
        start.push(0);
        for g in 0..graph.len() {
            for &(d, mode) in graph.dependents(GateId(g as u32)) {
                let gate = graph.gate(d);
                // A soft edge into an all-gate never takes it down.
                if !gate.carries_down(mode) {
                    continue;
                }
                let needs = match rule(gate) {
                    Rule::Any => 1,
                    Rule::AtLeast(t) => t,
                };
                edges.push((d, needs));
            }
            start.push(edges.len() as u32);
        }
        Downward { start, edges }
    }

    /// Gate `g`'s dependents as [`Downward`] keeps them.
    fn of(&self, g: GateId) -> &[(GateId, u32)] {
        let (a, z) = (self.start[g.index()], self.start[g.index() + 1]);
        &self.edges[a as usize..z as usize]
    }
}

/// Bits for the longest lists of `singles` ([`Loss`]), longest first,
/// while they take no more room than the lists together and each
/// list holds 64 gates or more. On 100,000 `anyof` services, 222 lists
/// (the sites and the services most depend on) and a fifth less time
/// for the pairs. O(gates / 64 + the list) for each.
fn bits_of_long_lists(graph: &FailureGraph, singles: &[Single]) -> Vec<Option<Vec<u64>>> {
    let words = graph.len().div_ceil(64);
    let mut room: usize = singles.iter().map(|s| s.gates.len() / 2).sum();
    let mut longest: Vec<usize> = (0..singles.len())
        .filter(|&i| singles[i].gates.len() >= 64)
        .collect();
    longest.sort_by_key(|&i| (std::cmp::Reverse(singles[i].gates.len()), i));
    let mut bits: Vec<Option<Vec<u64>>> = (0..singles.len()).map(|_| None).collect();
    for i in longest {
        // In words of 8 bytes: half a word for each gate listed.
        let Some(left) = room.checked_sub(words) else {
            break;
        };
        room = left;
        let mut set = vec![0u64; words];
        for g in &singles[i].gates {
            set[g.index() / 64] |= 1 << (g.index() % 64);
        }
        bits[i] = Some(set);
    }
    bits
}

/// Whether at least `t` requirements of gate `g` are down, where `down`
/// tells which are (§7). O(its requirements).
fn at_least_down(graph: &FailureGraph, g: GateId, t: u32, down: impl Fn(GateId) -> bool) -> bool {
    let reqs = graph.requirements(g).iter();
    reqs.filter(|&&(r, _)| down(r)).take(t as usize).count() == t as usize
}

/// What [`super::pairs_down`] finds, from each member's lists in
/// `singles` (their `gates` kept): per batch, the targets each pair takes
/// down that neither member does alone. A base's marks are set once for
/// the batches that share it on a thread. O(Σ over bases of their gates
/// and meeting gates + Σ over pairs of the top's meeting gates × their
/// requirements × log of its gates + what each pair takes down on top,
/// with their edges), after O(gates + edges) for [`Downward`].
pub(super) fn pairs_down(
    graph: &FailureGraph,
    batches: &[(usize, PairBatch<'_>)],
    (singles, pairs): (&[Single], &Pairs),
    is_target: &[bool],
    progress: &Progress,
    budget: &Budgets,
) -> Vec<Vec<PairDown>> {
    let (bits, downward) = parallel::both(
        || bits_of_long_lists(graph, singles),
        || Downward::build(graph),
    );
    let loss = |i: usize| Loss {
        list: &singles[i].gates,
        bits: bits[i].as_deref(),
    };
    let pool = std::sync::Mutex::new(Vec::new());
    parallel::map_pooled(
        batches,
        progress,
        (&pool, || Marks::new(graph.len())),
        |marks, &(first, batch)| {
            let Some(&(base, _)) = batch.first() else {
                return Vec::new();
            };
            if budget.passed() {
                return Vec::new();
            }
            marks.on_base(base, &singles[base]);
            let mut new: Vec<PairDown> = Vec::new();
            for (lane, &(_, top)) in batch.iter().enumerate() {
                let with = (loss(top), pairs.meets_at(first + lane));
                marks.pair((graph, &downward), with, &mut |g| {
                    if let Some(t) = graph.node_of(g).filter(|t| is_target[t.index()]) {
                        // A batch has at most 64 lanes.
                        new.push(PairDown {
                            target: t,
                            lane: lane as u8,
                        });
                    }
                });
            }
            if !budget.sets.spend(new.len() as u64) {
                return Vec::new();
            }
            new.shrink_to_fit();
            new
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// A loss read from its bits says what its list says, for every gate,
    /// whether the list got bits or not: of four lists of 80, 73, 67 and
    /// 10 gates in a graph of 4,001, only the longest, since the bits of
    /// one take 63 words and the lists together 57 (4 bytes a gate).
    #[test]
    fn a_loss_read_from_bits_says_what_its_list_says() {
        let mut text = String::from("version: 1\nsites:\n  dc: {}\nservices:\n");
        for i in 0..4000 {
            text.push_str(&format!("  s{i}: {{runs_in: dc}}\n"));
        }
        let arch = load_str("loss.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        assert_eq!(graph.len(), 4001);
        let all: Vec<GateId> = (0..graph.len() as u32).map(GateId).collect();
        let single = |every: usize| Single {
            gates: all.iter().copied().step_by(every).collect(),
            ..Single::default()
        };
        let singles = [single(50), single(55), single(60), single(400)];
        let bits = bits_of_long_lists(&graph, &singles);
        let with_bits: Vec<bool> = bits.iter().map(Option::is_some).collect();
        assert_eq!(with_bits, [true, false, false, false]);
        for (s, b) in singles.iter().zip(&bits) {
            let (list, bits) = (&s.gates[..], b.as_deref());
            let (read, searched) = (Loss { list, bits }, Loss { list, bits: None });
            for &g in &all {
                assert_eq!(read.holds(g), searched.holds(g), "{g:?}");
                assert_eq!(searched.holds(g), list.contains(&g));
            }
        }
    }
}
