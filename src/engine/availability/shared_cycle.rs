//! Targets above one large cycle whose exact attempts are known to fail
//! before they start.
//!
//! Where a file has a large cycle (a strongly connected component of the
//! failure graph), every target above it holds the cycle's whole cone in
//! its own. On the shapes where availability was slow, that cone holds
//! hundreds of parts, most of them up alone and few touching, so each of
//! those targets' exact attempts compiled the big cone, answered each part
//! alone, and gave up at size 2 ([`super::exact_masks`]): paid once per
//! target, the file's time grew with targets × cone.
//!
//! Here that is paid once. The cycle's cone is compiled once; its parts
//! that leave the cycle up alone are each failed over the whole graph, to
//! learn which targets each takes down and which `AtLeast` gates it feeds.
//! For a target above the cycle, those of them that leave the target up,
//! are not the target, and feed no `AtLeast` gate of its cone outside the
//! cycle's, are among its parts up alone, and two of them touch in its
//! cone exactly where they touch in the cycle's (the only gates of its
//! cone they feed). The target has at least the cycle's parts (less
//! itself), and the tail of its failure count is at least theirs. So every
//! count the exact method's budget checks make at size 2 (the pairs, then
//! the untouched sets of each larger size) is at least the count made here
//! from these parts, and its budget left is at most the one here. When
//! these counts already break the budget, the exact attempt would give up:
//! the target goes to Monte Carlo at once, with the same answer.
//!
//! Architecture invariant: [`SharedCycle::hopeless_parts`] names a target
//! only when its exact attempt would return `None`, and gives the number
//! of parts that attempt would have counted; the tests check both against
//! the attempt itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::model::{Architecture, NodeId};

mod lists;

use super::super::bits::lanes_of;
use super::super::circuit::{components_along, rule, Blocks, ConeCircuit, Rule};
use super::super::cone::ConeMarks;
use super::super::graph::{FailureGraph, GateId};
use super::super::lanes::{Lanes as SingleFailures, Layout};
use super::super::parallel::map_chunked;
use super::super::progress::Progress;
use super::super::propagate::Scratch;
use super::super::sampling::{union_circuit, Batch, Compiled};
use super::super::word::Lanes;
use super::{
    binomial, binomials_over, can_fail, cliques_break_budget, parts_above, reached_down,
    tail_probabilities, EXACT_BUDGET, MOST_MASKED, TAIL,
};

/// Which targets above the largest cycle are hopeless, with their parts.
#[derive(Debug)]
pub(super) struct SharedCycle {
    /// Per gate: for a target above the cycle whose exact attempt would
    /// fail, the parts of its cone (itself aside); else [`NOT_HOPELESS`].
    parts: Vec<u32>,
    /// The union of cones the lists' count compiled, if it did.
    union: Option<Compiled>,
}

/// A target whose exact attempt is to be made.
const NOT_HOPELESS: u32 = u32::MAX;
/// A gate that is not a target above the cycle.
const NO_ROW: u32 = u32::MAX;

impl SharedCycle {
    /// The pass over the largest cycle, when some of `targets` are above
    /// it and it has parts enough to matter; `None` otherwise, or when
    /// failing its parts would visit more gates than the exact attempts of
    /// the targets above it would at least cost: the pass never costs much
    /// more than it can save.
    ///
    /// Cost: O(gates + edges) for the cycles and the cone, and a walk of
    /// each target's cone outside the cycle's. Where the cone has at most
    /// [`MOST_MASKED`] parts, one evaluation of it per 1,024 parts, a
    /// propagation over the graph for each of its parts up alone (bounded
    /// as above), and, per distinct set of parts that targets leave out, a
    /// count of untouched sets capped at the budget; past that, or for the
    /// targets past masks, [`lists::hopeless`].
    ///
    /// `plan` learns, as soon as the pass knows, whether it will compile a
    /// union of the targets above for the lists' count ([`Plan`]).
    pub(super) fn find(
        arch: &Architecture,
        graph: &FailureGraph,
        (targets, largest): (&[NodeId], &LargestCycle),
        plan: &Plan,
    ) -> Option<Self> {
        let (root, above) = (largest.root, &largest.above);
        let mut marks = ConeMarks::new(graph);
        let mut parts = marks.mark_union(arch, graph, &[root]);
        parts.retain(|&id| can_fail(arch, id));
        parts.sort();
        if parts.len() < 3 {
            return None;
        }
        let inside: Vec<bool> = (0..graph.len())
            .map(|g| marks.local(GateId(g as u32)).is_some())
            .collect();
        // Each target above the cycle's row in the masks below.
        let mut row = vec![NO_ROW; graph.len()];
        let mut targets_above = Vec::new();
        for &t in targets.iter().filter(|t| above[t.index()]) {
            if row[t.index()] == NO_ROW {
                row[t.index()] = targets_above.len() as u32;
                targets_above.push(t);
            }
        }
        if targets_above.len() < 2 {
            return None;
        }
        // Every target above holds the cycle's parts, so past what masks
        // hold each of them walks lists, whichever parts are open: the
        // parts are then not answered alone here.
        let open = if parts.len() > MOST_MASKED {
            Vec::new()
        } else {
            open_parts(graph, &marks, root, &parts)
        };
        // The pass with masks runs only over these; without it, the lists'
        // count compiles a union.
        let masks = (3..=MOST_MASKED).contains(&open.len());
        plan.planned(!masks);
        drop(marks);
        let cycle = Cycle {
            parts,
            open,
            inside,
            targets_above,
            row,
        };
        let mut found = vec![NOT_HOPELESS; graph.len()];
        let walked = || {
            let mut walk = Walk::new(graph);
            let mut parts_of = |t| walk.parts_of(arch, graph, t, &cycle, None, &mut []);
            let each = cycle.targets_above.iter().map(|&t| (t, parts_of(t)));
            each.collect::<Vec<(NodeId, usize)>>()
        };
        let (many, ahead) =
            if cycle.parts.len() > MOST_MASKED && lists::attempts_reach_pairs(arch, &cycle.parts) {
                // Every target above holds more parts than masks do, so the
                // lists' count will compile the union of all their cones: it
                // is compiled beside the walks of their cones, on another
                // thread once one is free (`anyof` at 100,000 services: the
                // union 0.35 s on one thread, the walks and what comes before
                // them 0.08 s).
                let (many, union) = super::super::parallel::both(walked, || {
                    union_circuit(arch, graph, &cycle.targets_above)
                });
                (many, Some(union))
            } else {
                let many = (cycle.with_masks(arch, graph, &mut found)).unwrap_or_else(|| {
                    // No pass with masks: every target above is left to the lists'.
                    plan.planned(true);
                    walked()
                });
                (many, None)
            };
        if many.iter().any(|&(_, n)| n > MOST_MASKED) {
            plan.planned(true);
        }
        let union = lists::hopeless(arch, graph, &cycle.parts, &many, (&mut found, ahead));
        Some(SharedCycle {
            parts: found,
            union,
        })
    }

    /// The union of cones compiled for the lists' count, if there was one:
    /// where the targets it names are all that Monte Carlo is left, it is
    /// their union, and need not be compiled again.
    pub(super) fn take_union(&mut self) -> Option<Compiled> {
        self.union.take()
    }

    /// The number of parts of `target`'s cone (itself aside) when its
    /// exact attempt is known to fail, else `None`. O(1).
    pub(super) fn hopeless_parts(&self, target: NodeId) -> Option<usize> {
        let parts = *self.parts.get(target.index())?;
        (parts != NOT_HOPELESS).then_some(parts as usize)
    }
}

#[cfg(test)]
impl SharedCycle {
    /// [`Self::find`] over the graph's largest cycle, found here.
    pub(super) fn of_largest(
        arch: &Architecture,
        graph: &FailureGraph,
        targets: &[NodeId],
    ) -> Option<Self> {
        Self::find(
            arch,
            graph,
            (targets, &LargestCycle::of(graph)?),
            &Plan::default(),
        )
    }
}

/// What the pass over the largest cycle plans, for a thread that would
/// compile ahead what the pass may compile itself: whether the pass may
/// compile the union of the targets above the cycle (for the lists'
/// count), told as soon as it knows, and when it is over.
#[derive(Debug, Default)]
pub(super) struct Plan(AtomicU8);

/// [`Plan`]'s states, in the order they come: a later one is never undone.
const RUNNING: u8 = 0;
const NO_UNION: u8 = 1;
const UNION: u8 = 2;
const OVER: u8 = 3;

impl Plan {
    /// The pass knows whether it compiles the union.
    fn planned(&self, union: bool) {
        self.0
            .fetch_max(if union { UNION } else { NO_UNION }, Ordering::Release);
    }

    /// The pass is over (or was never made).
    fn over(&self) {
        self.0.fetch_max(OVER, Ordering::Release);
    }

    /// Tells the plan that the pass is over when dropped, however the pass
    /// ends: a panic too, so that a thread asking never waits for ever.
    pub(super) fn over_when_dropped(&self) -> Over<'_> {
        Over(self)
    }

    /// Whether the pass still runs and plans no union, once it knows:
    /// waits, a millisecond at a time, until it does or is over. The pass
    /// knows after marking the cycle's cone, before its long part.
    pub(super) fn running_without_union(&self) -> bool {
        loop {
            match self.0.load(Ordering::Acquire) {
                RUNNING => std::thread::sleep(std::time::Duration::from_millis(1)),
                state => return state == NO_UNION,
            }
        }
    }
}

/// Ends a [`Plan`] when dropped ([`Plan::over_when_dropped`]).
pub(super) struct Over<'a>(&'a Plan);

impl Drop for Over<'_> {
    fn drop(&mut self) {
        self.0.over();
    }
}

/// The largest cycle of a graph, and the gates above it and above any
/// cycle.
#[derive(Debug)]
pub(super) struct LargestCycle {
    /// A node of it.
    root: NodeId,
    /// Per gate, whether its cone holds the cycle.
    above: Vec<bool>,
    /// Per gate, whether its cone holds a cycle, this one or another.
    above_any: Vec<bool>,
}

impl LargestCycle {
    /// `None` when no cycle of two gates or more holds a node.
    /// O(gates + edges).
    pub(super) fn of(graph: &FailureGraph) -> Option<Self> {
        let all = 0..graph.len() as u32;
        let blocks = components_along(graph, all, |kind, mode| kind.carries_down(mode));
        let root = largest_cycle(graph, &blocks)?;
        let above = above(graph, GateId::from(root));
        let cyclic = blocks.iter().filter(|b| b.len() >= 2).flatten();
        let above_any = reached_down(graph, cyclic.map(|&g| GateId(g)).collect());
        Some(LargestCycle {
            root,
            above,
            above_any,
        })
    }

    /// Whether `target`'s cone holds a cycle of two gates or more: a
    /// property of the cone alone, unlike which cycle is the largest.
    pub(super) fn any_in_cone_of(&self, target: NodeId) -> bool {
        self.above_any[target.index()]
    }

    /// A node of the cycle: every cone that holds the cycle holds this
    /// node's cone.
    pub(super) fn root(&self) -> NodeId {
        self.root
    }

    /// Whether `target`'s cone holds the cycle.
    pub(super) fn in_cone_of(&self, target: NodeId) -> bool {
        self.above[target.index()]
    }
}

/// The largest cycle's cone and the targets above it.
struct Cycle {
    /// The parts of its cone, sorted.
    parts: Vec<NodeId>,
    /// Those that leave it up alone, sorted; none past [`MOST_MASKED`]
    /// parts, where no target's attempt uses masks.
    open: Vec<NodeId>,
    /// Per gate, whether it is in the cone.
    inside: Vec<bool>,
    targets_above: Vec<NodeId>,
    /// Per gate, its index in `targets_above`, or [`NO_ROW`].
    row: Vec<u32>,
}

impl Cycle {
    /// Records in `found` the targets above whose exact attempts, with
    /// masks, would give up at size 2, and returns those whose attempts
    /// would walk lists instead, with their parts; `None`, with nothing
    /// recorded, when there are too few open parts to break a budget or
    /// too many for masks, or when failing the open parts would cost more
    /// than the targets' attempts would at least.
    fn with_masks(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        found: &mut [u32],
    ) -> Option<Vec<(NodeId, usize)>> {
        let (parts, open, inside) = (&self.parts, &self.open, &self.inside);
        if open.len() < 3 || open.len() > MOST_MASKED {
            return None;
        }
        // What those targets' exact attempts would at least cost, each
        // answering every part alone over the cycle's cone, 64 at a time.
        let cone_gates = inside.iter().filter(|&&i| i).count();
        let most = self
            .targets_above
            .len()
            .saturating_mul(cone_gates)
            .saturating_mul(1 + parts.len() / 64);
        let effects = Effects::of(graph, open, &self.row, inside, most)?;
        let bound = Bound::of(arch, parts);
        let mut walk = Walk::new(graph);
        let mut by_left_out: HashMap<Vec<u64>, Vec<(NodeId, u32)>> = HashMap::new();
        let mut many = Vec::new();
        for (r, &t) in self.targets_above.iter().enumerate() {
            let words = effects.words;
            let mut left_out = effects.downs[r * words..][..words].to_vec();
            let parts = walk.parts_of(arch, graph, t, self, Some(&effects), &mut left_out);
            // Past this the exact method walks lists.
            if parts > MOST_MASKED {
                many.push((t, parts));
                continue;
            }
            if let Ok(j) = open.binary_search(&t) {
                left_out[j / 64] |= 1 << (j % 64);
            }
            by_left_out
                .entry(left_out)
                .or_default()
                .push((t, parts as u32));
        }
        let groups: Vec<_> = by_left_out.into_iter().collect();
        let left_outs: Vec<&[u64]> = groups.iter().map(|(l, _)| &l[..]).collect();
        let verdicts = effects.break_budget(open.len(), &left_outs, bound);
        for ((_, ts), _) in groups.iter().zip(&verdicts).filter(|(_, &v)| v) {
            ts.iter().for_each(|&(t, c)| found[t.index()] = c);
        }
        Some(many)
    }
}

/// A walk over a target's cone outside the cycle's, reused across targets.
struct Walk {
    seen: Vec<u32>,
    stamp: u32,
    stack: Vec<GateId>,
}

impl Walk {
    fn new(graph: &FailureGraph) -> Self {
        Walk {
            seen: vec![0; graph.len()],
            stamp: 0,
            stack: Vec::new(),
        }
    }

    /// The parts of `target`'s cone (itself aside): the cycle's cone's,
    /// and those outside it, found as [`Self::outside`] finds them (which
    /// also adds to `left_out`, with `effects`).
    fn parts_of(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
        cycle: &Cycle,
        effects: Option<&Effects>,
        left_out: &mut [u64],
    ) -> usize {
        let (parts, inside) = (&cycle.parts, &cycle.inside);
        if inside[target.index()] {
            // In the cycle: its cone is the cycle's.
            parts.len() - usize::from(can_fail(arch, target))
        } else {
            parts.len() + self.outside(arch, graph, target, inside, effects, left_out)
        }
    }

    /// The parts of `target`'s cone outside the cycle's, itself aside;
    /// adds to `left_out` the open parts that feed an `AtLeast` gate there:
    /// in its cone, those may touch through gates the pass did not look
    /// at. O(that part of the cone × the words of a mask).
    fn outside(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
        inside: &[bool],
        effects: Option<&Effects>,
        left_out: &mut [u64],
    ) -> usize {
        // One stamp per target: a file has fewer than 2^32 targets.
        self.stamp += 1;
        let start = GateId::from(target);
        self.seen[start.index()] = self.stamp;
        self.stack.clear();
        self.stack.push(start);
        let mut count = 0;
        while let Some(g) = self.stack.pop() {
            if g != start {
                count += usize::from(graph.node_of(g).is_some_and(|id| can_fail(arch, id)));
            }
            if let Some(fed) = effects.and_then(|e| e.fed(g)) {
                left_out.iter_mut().zip(fed).for_each(|(l, &f)| *l |= f);
            }
            let gate = graph.gate(g);
            for &(r, mode) in graph.requirements(g) {
                if gate.carries_down(mode)
                    && !inside[r.index()]
                    && self.seen[r.index()] != self.stamp
                {
                    self.seen[r.index()] = self.stamp;
                    self.stack.push(r);
                }
            }
        }
        count
    }
}

/// The parts of the cycle's cone (marked in `marks`, with `root` in the
/// cycle) that leave it up alone, sorted. O(the cone's gates and edges ×
/// parts / 1,024).
fn open_parts(
    graph: &FailureGraph,
    marks: &ConeMarks,
    root: NodeId,
    parts: &[NodeId],
) -> Vec<NodeId> {
    let mut circuit = ConeCircuit::<u64>::default();
    circuit.compile(graph, marks, &[root], parts);
    let down_alone = down_alone(&circuit, parts.len());
    parts
        .iter()
        .enumerate()
        .filter(|&(i, _)| down_alone[i / 64] >> (i % 64) & 1 == 0)
        .map(|(_, &id)| id)
        .collect()
}

/// For each of the first `parts` parts of `compiled`, whether its failure
/// alone takes the first target down: bit `p % 64` of word `p / 64`. One
/// evaluation per 1,024 parts, each alone in its lane, on every thread.
fn down_alone(compiled: &ConeCircuit, parts: usize) -> Vec<u64> {
    let starts: Vec<usize> = (0..parts).step_by(Batch::LANES).collect();
    let words = map_chunked(
        &starts,
        1,
        &Progress::default(),
        || compiled.for_evaluation::<Batch>(),
        |circuit, &from| circuit.down_alone(from, (from + Batch::LANES).min(parts)),
    );
    let per_batch = Batch::LANES / 64;
    words
        .iter()
        .flat_map(|w| (0..per_batch).map(|i| w.word(i)))
        .take(parts.div_ceil(64))
        .collect()
}

/// A node of the largest of `blocks` (the strongly connected components
/// along edges that carry down) of two gates or more, when one holds a
/// node. Every gate of a component has the same cone. O(gates).
fn largest_cycle(graph: &FailureGraph, blocks: &Blocks) -> Option<NodeId> {
    blocks
        .iter()
        .filter(|b| b.len() >= 2)
        .filter_map(|b| {
            let node = b.iter().find_map(|&g| graph.node_of(GateId(g)))?;
            Some((b.len(), node))
        })
        // The largest; of those, the one with the smallest node, so the
        // choice does not hang on the search's order.
        .min_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)))
        .map(|(_, node)| node)
}

/// Per gate, whether its cone holds `cycle`: the gates a down state there
/// can reach, `cycle` among them (a member of a cycle reaches itself).
/// O(gates + edges reached).
fn above(graph: &FailureGraph, cycle: GateId) -> Vec<bool> {
    reached_down(graph, vec![cycle])
}

/// What each part up alone does over the whole graph.
#[derive(Debug, PartialEq)]
struct Effects {
    /// Per target above the cycle (by row), `words` words: the parts that
    /// take it down alone.
    downs: Vec<u64>,
    /// Per gate outside the cycle's cone, its row in `fed`, or [`NO_ROW`].
    fed_row: Vec<u32>,
    /// Per row, `words` words: the parts that feed that `AtLeast` gate.
    fed: Vec<u64>,
    /// For each part, `words` words: the parts it touches through
    /// `AtLeast` gates in the cycle's cone, which every target above it
    /// holds (itself among them, which is harmless: a set never holds a
    /// part twice).
    touching: Vec<u64>,
    words: usize,
}

/// Most words of masks and pairs (gate, part) the pass keeps, per gate of
/// the graph: past it, it gives up, so that its memory stays a small
/// multiple of the graph's.
const KEPT_PER_GATE: usize = 16;

/// The least any target above the cycle has: parts in its cone, and the
/// deepest size its exact method walks to.
#[derive(Clone, Copy, Debug)]
struct Bound {
    parts: usize,
    deepest: usize,
}

impl Bound {
    /// The bound from the cycle's cone's `parts`.
    fn of(arch: &Architecture, parts: &[NodeId]) -> Self {
        let mut q: Vec<(NodeId, f64)> = parts
            .iter()
            .map(|&id| (id, 1.0 - arch.node(id).availability.get().unwrap_or(1.0)))
            .collect();
        // A target in the cycle is not its own part: leave out the part
        // most likely to fail, so that the tail is a lower bound for each.
        if let Some(most) = (0..q.len()).max_by(|&a, &b| q[a].1.total_cmp(&q[b].1)) {
            q.remove(most);
        }
        let tail = tail_probabilities(&q);
        // Twice the tail the exact method stops at, so that rounding in a
        // sum over more parts cannot make its deepest size the smaller.
        let deepest = tail.iter().take_while(|&&t| t >= 2.0 * TAIL).count();
        Bound {
            parts: q.len(),
            deepest,
        }
    }
}

/// What [`Effects::of`] has learned so far.
struct Learned {
    /// Gates and edges visited, each once per part that takes it down.
    visits: usize,
    downs: Vec<u64>,
    /// (gate, part) for each `AtLeast` gate in the cycle's cone a part
    /// feeds.
    feeds_inside: Vec<(u32, u32)>,
    fed_row: Vec<u32>,
    fed: Vec<u64>,
    words: usize,
}

impl Learned {
    /// Records what the 64 parts of word `w` take down: `down` holds
    /// (gate, the lanes it is down in), in any order, a gate possibly more
    /// than once. O(those entries × log + their gates' edges × log).
    fn batch(
        &mut self,
        graph: &FailureGraph,
        (row, inside): (&[u32], &[bool]),
        w: usize,
        down: &mut Vec<(GateId, u64)>,
    ) {
        down.sort_unstable_by_key(|&(g, _)| g);
        down.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.1 |= later.1;
            }
            same
        });
        let down_in = |d: GateId| {
            down.binary_search_by_key(&d, |&(g, _)| g)
                .map_or(0, |i| down[i].1)
        };
        // (gate, the lanes whose part feeds it).
        let mut feeding: Vec<(GateId, u64)> = Vec::new();
        for &(g, lanes) in down.iter() {
            if let Some(&r) = row.get(g.index()).filter(|&&r| r != NO_ROW) {
                self.downs[r as usize * self.words + w] |= lanes;
            }
            let out = graph.dependents(g);
            self.visits += lanes.count_ones() as usize * (1 + out.len());
            for &(d, mode) in out {
                let gate = graph.gate(d);
                let feeds = lanes & !down_in(d);
                if feeds != 0 && gate.carries_down(mode) && matches!(rule(gate), Rule::AtLeast(_)) {
                    feeding.push((d, feeds));
                }
            }
        }
        feeding.sort_unstable_by_key(|&(d, _)| d);
        for run in feeding.chunk_by(|a, b| a.0 == b.0) {
            let d = run[0].0;
            let feeds = run.iter().fold(0, |m, &(_, f)| m | f);
            if inside[d.index()] {
                let parts = lanes_of(feeds).map(|lane| (w * 64 + lane) as u32);
                self.feeds_inside.extend(parts.map(|j| (d.0, j)));
                continue;
            }
            if self.fed_row[d.index()] == NO_ROW {
                self.fed_row[d.index()] = (self.fed.len() / self.words) as u32;
                self.fed.resize(self.fed.len() + self.words, 0);
            }
            self.fed[self.fed_row[d.index()] as usize * self.words + w] |= feeds;
        }
    }

    /// Words and pairs kept.
    fn kept(&self) -> usize {
        self.downs.len() + self.feeds_inside.len() + self.fed.len()
    }
}

impl Effects {
    /// Fails each of `open` alone over the whole graph, 64 at a time;
    /// `None` past `most` gates and edges visited (each counted once per
    /// part that takes it down), or when what it learns would take more
    /// than [`KEPT_PER_GATE`] words per gate of memory. `row` numbers the
    /// targets above the cycle. Both counts only grow, so whether they
    /// pass does not hang on when they are looked at.
    ///
    /// The first 64 parts are propagated one by one; when they visit more
    /// than a sixteenth of the graph each on average, the rest go in the
    /// audit's lanes, which evaluate a gate once for 64 parts but cost a
    /// layout and a pass over the positions per batch. (Lanes only: 0.10 s
    /// more at 100,000 `layered-avail` services, where parts reach little;
    /// one by one: 0.6 s more at 30,000, where they reach most of it.)
    /// O(parts · gates reached and their edges), a sixty-fourth of it in
    /// lanes.
    fn of(
        graph: &FailureGraph,
        open: &[NodeId],
        row: &[u32],
        inside: &[bool],
        most: usize,
    ) -> Option<Self> {
        Self::learn(graph, (open, row, inside), most, 4 * graph.len())
    }

    /// [`Self::of`], going on in lanes after the first 64 parts when they
    /// visit more than `lanes_past` gates and edges.
    fn learn(
        graph: &FailureGraph,
        (open, row, inside): (&[NodeId], &[u32], &[bool]),
        most: usize,
        lanes_past: usize,
    ) -> Option<Self> {
        let words = open.len().div_ceil(64);
        let rows = row.iter().filter(|&&r| r != NO_ROW).count();
        let most_kept = KEPT_PER_GATE.saturating_mul(graph.len());
        if rows.saturating_mul(words) > most_kept {
            return None;
        }
        let mut learned = Learned {
            visits: 0,
            downs: vec![0u64; rows * words],
            feeds_inside: Vec::new(),
            fed_row: vec![NO_ROW; graph.len()],
            fed: Vec::new(),
            words,
        };
        let mut scratch = Scratch::new(graph);
        let mut lanes: Option<(Layout, SingleFailures)> = None;
        let mut down: Vec<(GateId, u64)> = Vec::new();
        for (w, batch) in open.chunks(64).enumerate() {
            down.clear();
            match &mut lanes {
                Some((layout, lanes)) => {
                    lanes.fail_each(layout, batch);
                    let touched = lanes.touched().iter();
                    down.extend(
                        touched
                            .map(|&g| (g, lanes.down(g)))
                            .filter(|&(_, d)| d != 0),
                    );
                }
                None => {
                    for (lane, &p) in batch.iter().enumerate() {
                        scratch.propagate_down(graph, &[p]);
                        down.extend(scratch.changed.iter().map(|&g| (g, 1u64 << lane)));
                        scratch.reset(graph);
                    }
                }
            }
            learned.batch(graph, (row, inside), w, &mut down);
            if learned.visits > most || learned.kept() > most_kept {
                return None;
            }
            if w == 0 && learned.visits > lanes_past {
                let layout = Layout::new(graph);
                let failures = SingleFailures::new(&layout);
                lanes = Some((layout, failures));
            }
        }
        let Learned {
            downs,
            mut feeds_inside,
            fed_row,
            fed,
            ..
        } = learned;
        feeds_inside.sort_unstable();
        let mut touching = vec![0u64; open.len() * words];
        let mut group_mask = vec![0u64; words];
        for group in feeds_inside.chunk_by(|a, b| a.0 == b.0) {
            group_mask.fill(0);
            for &(_, y) in group {
                group_mask[y as usize / 64] |= 1 << (y % 64);
            }
            for &(_, x) in group {
                let row = &mut touching[x as usize * words..][..words];
                row.iter_mut().zip(&group_mask).for_each(|(r, &m)| *r |= m);
            }
        }
        Some(Effects {
            downs,
            fed_row,
            fed,
            touching,
            words,
        })
    }

    /// The parts that feed `AtLeast` gate `g`, outside the cycle's cone.
    fn fed(&self, g: GateId) -> Option<&[u64]> {
        let row = *self.fed_row.get(g.index()).filter(|&&r| r != NO_ROW)?;
        Some(&self.fed[row as usize * self.words..][..self.words])
    }

    /// For each of `left_outs`, whether the open parts but those break
    /// the exact method's budget at size 2, counted as
    /// [`super::exact_masks`] counts them.
    fn break_budget(&self, open: usize, left_outs: &[&[u64]], bound: Bound) -> Vec<bool> {
        match open {
            0..=64 => self.break_with::<1>(open, left_outs, bound),
            65..=128 => self.break_with::<2>(open, left_outs, bound),
            129..=256 => self.break_with::<4>(open, left_outs, bound),
            257..=512 => self.break_with::<8>(open, left_outs, bound),
            513..=1024 => self.break_with::<16>(open, left_outs, bound),
            1025..=2048 => self.break_with::<32>(open, left_outs, bound),
            2049..=4096 => self.break_with::<64>(open, left_outs, bound),
            _ => self.break_with::<128>(open, left_outs, bound),
        }
    }

    fn break_with<const W: usize>(
        &self,
        open: usize,
        left_outs: &[&[u64]],
        bound: Bound,
    ) -> Vec<bool> {
        let mut all = [0u64; W];
        for i in 0..open {
            all[i / 64] |= 1 << (i % 64);
        }
        // Built once: a count looks only at the parts it is given, so the
        // parts a target leaves out need not be taken out of these.
        let higher: Vec<[u64; W]> = (0..open)
            .map(|x| {
                let mut mask = parts_above::<W>(x);
                let touching = &self.touching[x * self.words..][..self.words];
                for ((m, &a), &t) in mask.iter_mut().zip(&all).zip(touching) {
                    *m &= a & !t;
                }
                mask
            })
            .collect();
        // In parallel: a count can take milliseconds, and the other
        // thread may have finished the targets not above the cycle.
        map_chunked(
            left_outs,
            1,
            &Progress::default(),
            || (),
            |(), left_out| {
                let mut up = all;
                up.iter_mut()
                    .zip(left_out.iter())
                    .for_each(|(u, &l)| *u &= !l);
                breaks(&higher, up, bound)
            },
        )
    }
}

/// Whether the parts `up` break the exact method's budget at size 2, with
/// `higher` the parts above each that it does not touch.
fn breaks<const W: usize>(higher: &[[u64; W]], up: [u64; W], bound: Bound) -> bool {
    let count: usize = up.iter().map(|w| w.count_ones() as usize).sum();
    if count < 2 || bound.deepest < 2 {
        return false;
    }
    let Some(left) = EXACT_BUDGET.checked_sub(bound.parts) else {
        return true;
    };
    // The exact method's first check at size 2: the pairs alone.
    let pairs = binomial(count, 2);
    if pairs > left {
        return true;
    }
    // Its second runs only when the larger sizes could break it.
    if bound.deepest < 3 || !binomials_over(count, 3..=bound.deepest, left) {
        return false;
    }
    cliques_break_budget(higher, up, 3..=bound.deepest, left - pairs)
}

#[cfg(test)]
mod tests {
    use super::super::{availability, availability_of_each, exactly_unbounded};
    use super::*;
    use crate::engine::progress::Progress;
    use crate::load::load_str;

    /// A cycle ring0 ⇄ ring1 (ring0 needs ring1 or e1, where ring1 runs:
    /// a target that is a part of its own cycle, up alone for it) that
    /// needs a0..a9 (each a cut set alone), one of
    /// b_i and c_i for each i < `pairs`, and one of each four of `4 × groups`
    /// parts d_j, every part up with probability `up`; above it u0..u2,
    /// `v` that also needs one of d_j and d_(j+5) for each j (`AtLeast`
    /// gates outside the cycle's cone, through which those parts touch),
    /// `z` that also needs every b_i (parts up for the cycle that take `z`
    /// down), `w` that also needs e0 (a part outside the cycle's cone), and
    /// `own`, a service that can fail itself.
    fn cycle_over_groups(pairs: usize, groups: usize, up: f64) -> crate::load::Loaded {
        let mut text = String::from("version: 1\nsites:\n");
        let names: Vec<String> = (0..10)
            .map(|i| format!("a{i}"))
            .chain((0..pairs.max(1)).flat_map(|i| [format!("b{i}"), format!("c{i}")]))
            .chain((0..4 * groups.max(1)).map(|i| format!("d{i}")))
            .chain(["e0".to_string(), "e1".to_string()])
            .collect();
        for name in &names {
            text.push_str(&format!("  {name}: {{ availability: {up} }}\n"));
        }
        let mut needs: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
        needs.extend((0..pairs).map(|i| format!("{{ any_of: [b{i}, c{i}] }}")));
        needs.extend((0..groups).map(|g| {
            let four: Vec<String> = (0..4).map(|i| format!("d{}", g * 4 + i)).collect();
            format!("{{ any_of: [{}] }}", four.join(", "))
        }));
        needs.push("{ any_of: [ring1, e1] }".into());
        let service = |name: &str, needs: &str| {
            format!("  {name}:\n    logical: true\n    tier: high\n    depends_on: [{needs}]\n")
        };
        text.push_str("services:\n");
        text.push_str(&service("ring0", &needs.join(", ")));
        text.push_str(&format!(
            "  ring1:\n    runs_in: e1\n    availability: {up}\n    tier: high\n    depends_on: [ring0]\n"
        ));
        for u in ["u0", "u1", "u2"] {
            text.push_str(&service(u, "ring0"));
        }
        // Each d_j with d_(j+5) when there is one: pairs that touch only
        // in v's cone.
        let across: Vec<String> = (0..4 * groups)
            .filter(|j| j + 5 < 4 * groups)
            .map(|j| format!("{{ any_of: [d{j}, d{}] }}", j + 5))
            .chain(["{ any_of: [d0, d1] }".to_string()])
            .collect();
        text.push_str(&service("v", &format!("ring0, {}", across.join(", "))));
        let bs: Vec<String> = (0..pairs.max(1)).map(|i| format!("b{i}")).collect();
        text.push_str(&service("z", &format!("ring0, {}", bs.join(", "))));
        text.push_str(&service("w", "ring0, e0"));
        text.push_str("  own:\n    runs_in: a0\n    availability: 0.99\n    tier: high\n    depends_on: [ring0]\n");
        load_str("t.yaml", text).unwrap()
    }

    const TARGETS: [&str; 9] = ["ring0", "ring1", "u0", "u1", "u2", "v", "z", "w", "own"];

    /// A pass with masks over a small cycle plans no union, and compiles
    /// none; a plan only moves forward; a thread asking waits until the
    /// pass knows, or is over, a panic included.
    #[test]
    fn the_plan_says_whether_the_pass_compiles_a_union() {
        let loaded = cycle_over_groups(3, 2, 0.99);
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets: Vec<NodeId> = TARGETS.iter().map(|n| arch.id_of(n).unwrap()).collect();
        let largest = LargestCycle::of(&graph).unwrap();
        let plan = Plan::default();
        let mut shared = SharedCycle::find(arch, &graph, (&targets, &largest), &plan).unwrap();
        assert!(plan.running_without_union());
        assert!(shared.take_union().is_none());
        plan.over();
        plan.planned(false);
        assert!(!plan.running_without_union());
        let later = Plan::default();
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                later.planned(true);
            });
            assert!(!later.running_without_union());
        });
        later.planned(false);
        assert!(!later.running_without_union());
        // A pass that panics before it plans ends the plan all the same:
        // the thread asking is answered (within a bound, so that this test
        // fails rather than waits if it is not).
        let failing = std::sync::Arc::new(Plan::default());
        let pass = std::thread::spawn({
            let failing = failing.clone();
            move || {
                let _over = failing.over_when_dropped();
                std::thread::sleep(std::time::Duration::from_millis(20));
                panic!("a pass that fails");
            }
        });
        let (told, answer) = std::sync::mpsc::channel();
        std::thread::spawn(move || told.send(failing.running_without_union()));
        let waited = answer.recv_timeout(std::time::Duration::from_secs(10));
        assert_eq!(waited, Ok(false));
        assert!(pass.join().is_err());
    }

    /// The invariant: a target named hopeless is one whose exact attempt
    /// gives up, with the parts that attempt counts; and where the cycle
    /// holds enough parts, every target above it is named.
    #[test]
    fn hopeless_targets_are_those_whose_exact_attempt_gives_up() {
        let mut named_at = Vec::new();
        let sizes = [0.998, 0.99].into_iter().flat_map(|up| {
            (0..=16).flat_map(move |pairs| (0..=5).map(move |groups| (pairs, groups, up)))
        });
        for (pairs, groups, up) in sizes.chain([(10, 20, 0.998)]) {
            let loaded = cycle_over_groups(pairs, groups, up);
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let targets: Vec<NodeId> = TARGETS.iter().map(|t| arch.id_of(t).unwrap()).collect();
            let shared = SharedCycle::of_largest(arch, &graph, &targets);
            let mut named = Vec::new();
            for &t in &targets {
                let Some(parts) = shared.as_ref().and_then(|s| s.hopeless_parts(t)) else {
                    continue;
                };
                named.push(arch.name_of(t).to_string());
                let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
                let attempt = exactly_unbounded(arch, &graph, t, &mut marks, &mut circuit);
                let own = usize::from(arch.node(t).own_availability() < 1.0);
                assert_eq!(
                    attempt.err(),
                    Some(parts + own),
                    "{pairs} pairs, {groups} groups, up {up}: {}",
                    arch.name_of(t)
                );
            }
            named_at.push(named);
        }
        // Few parts: the exact method answers, and nothing is named. Many:
        // every target is but `v`, which leaves out every d_j, each feeding
        // a gate of its cone outside the cycle's.
        assert!(named_at[0].is_empty(), "{named_at:?}");
        let all_but_v: Vec<String> = TARGETS
            .iter()
            .filter(|&&t| t != "v")
            .map(|t| t.to_string())
            .collect();
        assert_eq!(named_at.last(), Some(&all_but_v), "{named_at:?}");
    }

    /// Parts failed in lanes teach what they teach one by one: every
    /// part of the file, 64 one by one and the rest in lanes, against all
    /// one by one.
    #[test]
    fn effects_in_lanes_are_those_one_by_one() {
        // Soft needs too, so that degraded is not down: a part's failure
        // degrades s_i and takes down the group of s_i and s_(i+1) only
        // with the other's.
        let mut soft = String::from("version: 1\nservices:\n");
        for i in 0..200 {
            let next = (i + 1) % 200;
            soft.push_str(&format!(
                "  p{i}: {{ availability: 0.99 }}\n  \
                 s{i}: {{ depends_on: [{{ on: p{i}, mode: soft }}, {{ any_of: [p{i}, p{next}] }}] }}\n"
            ));
        }
        let groups: Vec<String> = (0..100)
            .map(|i| format!("{{ any_of: [s{}, s{}] }}", 2 * i, 2 * i + 1))
            .collect();
        soft.push_str(&format!(
            "  ring0: {{ depends_on: [ring1, {}] }}\n",
            groups.join(", ")
        ));
        soft.push_str("  ring1: { availability: 0.99, depends_on: [ring0] }\n");
        for u in &TARGETS[2..] {
            soft.push_str(&format!(
                "  {u}: {{ depends_on: [{{ on: ring0, mode: soft }}, s0] }}\n"
            ));
        }
        let files = [(16, 40), (3, 50), (70, 2)].map(|(pairs, groups)| {
            (
                format!("{pairs} pairs, {groups} groups"),
                cycle_over_groups(pairs, groups, 0.99),
            )
        });
        let soft = ("soft".to_string(), load_str("s.yaml", soft).unwrap());
        for (name, loaded) in files.into_iter().chain([soft]) {
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let mut open: Vec<NodeId> = arch.node_ids().filter(|&id| can_fail(arch, id)).collect();
            open.sort();
            assert!(open.len() > 2 * 64, "{}", open.len());
            let mut row = vec![NO_ROW; graph.len()];
            for (r, t) in TARGETS.iter().enumerate() {
                row[arch.id_of(t).unwrap().index()] = r as u32;
            }
            let root = arch.id_of("ring0").unwrap();
            let mut marks = ConeMarks::new(&graph);
            marks.mark_union(arch, &graph, &[root]);
            let inside: Vec<bool> = (0..graph.len())
                .map(|g| marks.local(GateId(g as u32)).is_some())
                .collect();
            let learn = |lanes_past| {
                Effects::learn(&graph, (&open, &row, &inside), usize::MAX, lanes_past).unwrap()
            };
            let (one_by_one, in_lanes) = (learn(usize::MAX), learn(0));
            assert_eq!(one_by_one, in_lanes, "{name}");
            assert!(one_by_one.touching.iter().any(|&w| w != 0));
            assert!(one_by_one.downs.iter().any(|&w| w != 0));
        }
    }

    /// The pass counts as the exact method does: the untouched sets are
    /// counted only when the binomial coefficients say they could break
    /// the budget, and after the pairs.
    #[test]
    fn breaks_follows_the_exact_methods_checks() {
        // 100 parts, none touching: 4,950 pairs, 161,700 triples.
        let up = [!0u64, (1 << 36) - 1];
        let higher: Vec<[u64; 2]> = (0..100)
            .map(|x| {
                let mut mask = parts_above::<2>(x);
                mask.iter_mut().zip(&up).for_each(|(m, &u)| *m &= u);
                mask
            })
            .collect();
        let at = |parts| breaks(&higher, up, Bound { parts, deepest: 3 });
        // Left 162,000: the triples fit, so no count is made.
        assert!(!at(EXACT_BUDGET - 162_000));
        // Left 160,000: they do not, with the pairs, nor alone.
        assert!(at(EXACT_BUDGET - 160_000));
        // Left 5,000: the pairs fit, and the triples do not.
        assert!(at(EXACT_BUDGET - 5_000));
        // Left 4,000: the pairs alone break it.
        assert!(at(EXACT_BUDGET - 4_000));
        assert!(!breaks(
            &higher,
            up,
            Bound {
                parts: 0,
                deepest: 2
            }
        ));
    }

    /// Asked together (the pass runs) or one by one (it does not), each
    /// target gets the same result to the bit.
    #[test]
    fn targets_asked_together_get_what_each_gets_alone() {
        for (pairs, groups) in [(10, 2), (10, 20)] {
            let loaded = cycle_over_groups(pairs, groups, 0.998);
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let targets: Vec<NodeId> = TARGETS.iter().map(|t| arch.id_of(t).unwrap()).collect();
            let together = availability_of_each(arch, &graph, &targets, &Progress::default());
            for (&t, got) in targets.iter().zip(&together) {
                assert_eq!(got, &availability(arch, &graph, t), "{}", arch.name_of(t));
            }
        }
    }
}
