//! Targets with large cones whose exact attempts are known to give up at
//! the pairs, found together rather than one attempt at a time.
//!
//! An exact attempt first answers every part of its cone alone, then
//! checks its budget once before the pairs: every pair of parts up alone
//! is tried at size 2, so when the parts and those pairs number more than
//! [`EXACT_BUDGET`] it gives up there ([`super::exact_masks`],
//! [`super::exact_lists`]). Where many targets share a large cone (a hub
//! that every team's services reach, a mesh of services that call each
//! other), each attempt compiled that cone and answered its thousands of
//! parts alone only to give up: 4,898 targets over cones of 6,896 parts
//! took 43 s at 10,000 services, the cost growing with targets × cone.
//!
//! Here each target's cone is only marked, for its number of parts, and
//! one circuit over the union of the cones of those with enough parts to
//! break the budget answers every part alone for every target at once,
//! 1,024 parts per evaluation. A target's verdict needs nothing else: the
//! same two counts the attempt would make, compared as it would.
//!
//! Architecture invariant: [`BigCones::hopeless_parts`] names a target only
//! when its exact attempt would return `None`, with the number of parts
//! that attempt would count (itself aside); the tests check both against
//! the attempt.

use std::sync::Mutex;

use crate::model::{Architecture, NodeId};

use super::super::budget::Budget;
use super::super::circuit::ConeCircuit;
use super::super::graph::{FailureGraph, GateId};
use super::super::parallel::{map_chunked, map_pooled};
use super::super::progress::Progress;
use super::super::sampling::{union_circuit, Batch, Compiled, SAMPLES};
use super::super::word::Lanes;
use super::{can_fail, EXACT_BUDGET, MOST_MASKED};

mod triangles;

/// Fewest parts with which the parts and the pairs of them can break the
/// budget: 775 + 775 × 774 / 2 > 300,000.
pub(super) const FEWEST: usize = 775;
/// The chance of two failures or more that a target's cone must have, at
/// least, to be judged here: far above the exact method's `TAIL` (1e-12),
/// so that this estimate's rounding cannot put an attempt that stops
/// before the pairs among those that reach them.
const LIKELY: f64 = 1e-6;

/// Which targets' exact attempts would give up at the pairs.
#[derive(Debug)]
pub(super) struct BigCones {
    /// Per gate: for a hopeless target, the parts of its cone (itself
    /// aside); else [`NOT_HOPELESS`].
    parts: Vec<u32>,
    /// The union of the cones of the targets judged, compiled.
    union: Option<Compiled>,
}

const NOT_HOPELESS: u32 = u32::MAX;

impl BigCones {
    /// Judges `targets` that some failure reaches (`reached`, per gate):
    /// `None` when fewer than two of them have cones
    /// that could break the budget, or their union has more parts than
    /// Monte Carlo has samples (failing each alone would cost more than
    /// the Monte Carlo they would go to).
    ///
    /// `below`, when given, is a node whose cone every one of `targets`
    /// holds (the largest cycle's): that cone is walked once, not once
    /// per target. The union compiled holds the cones of `also` too,
    /// targets not judged, so that it can be the union Monte Carlo needs
    /// ([`Self::take_union`]).
    ///
    /// Cost: marking each reached target's cone (outside `below`'s); then,
    /// for those with at least [`FEWEST`] parts, compiling the union of
    /// their cones and one evaluation of it per 1,024 of its parts, counted
    /// in `work`.
    pub(super) fn find(
        arch: &Architecture,
        graph: &FailureGraph,
        (targets, reached, below): (&[NodeId], &[bool], Option<NodeId>),
        also: &[NodeId],
        work: &Budget,
    ) -> Option<Self> {
        // A target no failure reaches is answered without its cone; its
        // cone may be most of the file.
        let targets: Vec<NodeId> = (targets.iter().copied())
            .filter(|t| reached[t.index()])
            .collect();
        if targets.len() < 2 {
            // Fewer than two could be judged: the cone below is not walked
            // (above the largest cycle, most of the file).
            return None;
        }
        let below = below.map(|root| Below::of(arch, graph, root));
        let below = below.as_ref();
        let counted = map_chunked(
            &targets,
            16,
            &Progress::default(),
            || Counter::new(graph, below),
            |counter, &t| {
                let (parts, two_or_more) = counter.count(arch, graph, t);
                (parts >= FEWEST && two_or_more >= LIKELY).then_some(parts)
            },
        );
        let judged: Vec<(NodeId, usize)> = (targets.iter().zip(counted))
            .filter_map(|(&t, n)| Some((t, n?)))
            .collect();
        if judged.len() < 2 || work.passed() {
            return None;
        }
        // The judged first: their rows of the union are theirs.
        let ids: Vec<NodeId> = (judged.iter().map(|&(t, _)| t))
            .chain(also.iter().copied())
            .collect();
        let union = union_circuit(arch, graph, &ids);
        if union.ids.len() > SAMPLES as usize {
            return None;
        }
        let downs = downs_alone(&union, work);
        let mut parts = vec![NOT_HOPELESS; graph.len()];
        let mut hopeless = |t: NodeId, n: usize| {
            parts[t.index()] = u32::try_from(n).unwrap_or(NOT_HOPELESS - 1);
        };
        // Those that walk lists and whose pairs fit the budget but whose
        // triples may not, by row, with their parts.
        let mut lists = Vec::new();
        for (row, (&(t, n), down)) in judged.iter().zip(downs).enumerate() {
            // Its own failure takes it down, but is not one of its parts.
            let up = n.saturating_sub(down.saturating_sub(usize::from(can_fail(arch, t))));
            if breaks(n, up) {
                hopeless(t, n);
            } else if n > MOST_MASKED && triangles::could_break(n, up) {
                lists.push((row, n));
            }
        }
        for (row, n) in triangles::hopeless_at_three(arch, graph, (&union, below), &lists, work) {
            hopeless(union.targets[row], n);
        }
        Some(BigCones {
            parts,
            union: Some(union),
        })
    }

    /// The number of parts of `target`'s cone (itself aside) when its
    /// exact attempt is known to give up, else `None`. O(1).
    pub(super) fn hopeless_parts(&self, target: NodeId) -> Option<usize> {
        let parts = *self.parts.get(target.index())?;
        (parts != NOT_HOPELESS).then_some(parts as usize)
    }

    /// The union it compiled, for Monte Carlo to use again.
    pub(super) fn take_union(&mut self) -> Option<Compiled> {
        self.union.take()
    }
}

/// Whether a target of `parts` parts, `up` of them up alone, gives up at
/// the pairs: the parts, each tried alone, and the pairs of those up
/// alone, all tried at size 2, pass the budget.
pub(super) fn breaks(parts: usize, up: usize) -> bool {
    let pairs = up.saturating_mul(up.saturating_sub(1)) / 2;
    parts.saturating_add(pairs) > EXACT_BUDGET
}

/// A cone that the cones counted all hold, walked once.
pub(super) struct Below {
    /// Per gate, whether it is in the cone.
    inside: Vec<bool>,
    /// Its parts with their probability of failing, sorted by id.
    parts: Vec<(NodeId, f64)>,
    /// P(none of them fails), and the sum of their odds of failing.
    none: f64,
    odds: f64,
}

impl Below {
    /// The cone of `root`, itself included. O(the cone's gates and edges).
    fn of(arch: &Architecture, graph: &FailureGraph, root: NodeId) -> Self {
        let mut counter = Counter::new(graph, None);
        let mut parts = counter.parts(arch, graph, root);
        if can_fail(arch, root) {
            let q = 1.0 - arch.node(root).availability.get().unwrap_or(1.0);
            parts.push((root, q));
            parts.sort_unstable_by_key(|&(id, _)| id);
        }
        let stamp = counter.stamp;
        let inside = counter.marks.iter().map(|&m| m == stamp).collect();
        let none = parts.iter().map(|&(_, q)| 1.0 - q).product();
        let odds = parts.iter().map(|&(_, q)| q / (1.0 - q)).sum();
        Below {
            inside,
            parts,
            none,
            odds,
        }
    }
}

/// Counts the parts of cones, with marks reused from one target to the
/// next: the cone `ConeMarks::mark` marks, without the dependents lists
/// a compile needs. Where every target's cone holds a cone walked once
/// (`below`), only the part outside it is walked, unless the target is in
/// it.
struct Counter<'a> {
    marks: Vec<u32>,
    stamp: u32,
    stack: Vec<GateId>,
    below: Option<&'a Below>,
}

impl<'a> Counter<'a> {
    fn new(graph: &FailureGraph, below: Option<&'a Below>) -> Self {
        Counter {
            marks: vec![0; graph.len()],
            stamp: 0,
            stack: Vec::new(),
            below,
        }
    }

    /// `below`, when `target` is outside it (the part of its cone in it
    /// is then the whole of it).
    fn skipped(&self, target: NodeId) -> Option<&'a Below> {
        self.below.filter(|b| !b.inside[target.index()])
    }

    /// `below`, when `target` is in it: its cone holds `below`'s root and
    /// is held in the root's, so the two cones are one.
    fn same(&self, target: NodeId) -> Option<&'a Below> {
        self.below.filter(|b| b.inside[target.index()])
    }

    /// The number of parts of `target`'s cone (itself aside: what
    /// `failable_parts` lists), and the chance that two or more of them
    /// fail, 1 - P(none) - P(one). O(the cone's gates and edges).
    fn count(&mut self, arch: &Architecture, graph: &FailureGraph, target: NodeId) -> (usize, f64) {
        let (mut parts, mut none, mut odds) = (0, 1.0, 0.0);
        if let Some(b) = self.same(target) {
            // Its cone's, less itself. The rounding differs from a walk's,
            // but this count only picks the targets judged, never a
            // verdict.
            (parts, none, odds) = (b.parts.len(), b.none, b.odds);
            if let Ok(i) = b.parts.binary_search_by_key(&target, |&(id, _)| id) {
                let q = b.parts[i].1;
                (parts, none, odds) = (parts - 1, none / (1.0 - q), odds - q / (1.0 - q));
            }
            return (parts, 1.0 - none - none * odds);
        }
        if let Some(b) = self.skipped(target) {
            (parts, none, odds) = (b.parts.len(), b.none, b.odds);
        }
        self.walk(arch, graph, target, |_, q| {
            parts += 1;
            none *= 1.0 - q;
            odds += q / (1.0 - q);
        });
        (parts, 1.0 - none - none * odds)
    }

    /// What `failable_parts` gives: the parts of `target`'s cone (itself
    /// aside) with their probability of failing, sorted by id, without
    /// the marks a compile needs. O(the cone's gates and edges, and
    /// parts × log parts).
    fn parts(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
    ) -> Vec<(NodeId, f64)> {
        if let Some(b) = self.same(target) {
            return b
                .parts
                .iter()
                .copied()
                .filter(|&(id, _)| id != target)
                .collect();
        }
        let mut parts = Vec::new();
        self.walk(arch, graph, target, |id, q| parts.push((id, q)));
        parts.sort_unstable_by_key(|&(id, _)| id);
        match self.skipped(target) {
            Some(b) => merged(&parts, &b.parts),
            None => parts,
        }
    }

    /// Calls `each` with every part of `target`'s cone (itself aside) and
    /// its probability of failing, in no particular order; only those
    /// outside `below` when it is [`Self::skipped`].
    fn walk(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
        mut each: impl FnMut(NodeId, f64),
    ) {
        let inside = self.skipped(target).map(|b| &b.inside);
        self.stamp += 1;
        let stamp = self.stamp;
        self.marks[target.index()] = stamp;
        self.stack.push(GateId::from(target));
        while let Some(n) = self.stack.pop() {
            if inside.is_some_and(|inside| inside[n.index()]) {
                continue;
            }
            if let Some(node) = graph.node_of(n).filter(|&node| node != target) {
                if can_fail(arch, node) {
                    each(
                        node,
                        1.0 - arch.node(node).availability.get().unwrap_or(1.0),
                    );
                }
            }
            let gate = graph.gate(n);
            for &(r, mode) in graph.requirements(n) {
                if gate.carries_down(mode) && self.marks[r.index()] != stamp {
                    self.marks[r.index()] = stamp;
                    self.stack.push(r);
                }
            }
        }
    }
}

/// Two lists sorted by id with no id in both, as one.
fn merged(a: &[(NodeId, f64)], b: &[(NodeId, f64)]) -> Vec<(NodeId, f64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].0 < b[j].0 {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// For each target of `union`, in its order, how many of the union's parts
/// take it down alone, on every thread. The evaluations' steps are spent
/// from `work` (their sum does not depend on the threads).
fn downs_alone(union: &Compiled, work: &Budget) -> Vec<usize> {
    let parts: Vec<u32> = (0..union.ids.len() as u32).collect();
    let batches: Vec<&[u32]> = parts.chunks(Batch::LANES).collect();
    let pool = Mutex::new(Vec::new());
    let counted = alone_by_batch(&union.circuit, &pool, &batches, union.targets.len());
    let mut downs = vec![0usize; union.targets.len()];
    for (down, steps) in counted {
        downs
            .iter_mut()
            .zip(down)
            .for_each(|(d, n)| *d += n as usize);
        work.spend(steps);
    }
    downs
}

/// Each part of each of `batches` (at most [`Batch::LANES`] parts of
/// `compiled` each) failed alone in a lane of its own, one evaluation per
/// batch on copies of `compiled` kept in `pool`: per batch, how many of its
/// parts take each of `targets` targets down, and the steps its evaluation
/// took. O(per batch, the gates that go down and their edges).
pub(super) fn alone_by_batch<B: AsRef<[u32]> + Sync>(
    compiled: &ConeCircuit,
    pool: &Mutex<Vec<ConeCircuit<Batch>>>,
    batches: &[B],
    targets: usize,
) -> Vec<(Vec<u32>, u64)> {
    map_pooled(
        batches,
        &Progress::default(),
        (pool, || compiled.for_evaluation::<Batch>()),
        |circuit, batch| {
            let before = circuit.steps();
            for (lane, &p) in batch.as_ref().iter().enumerate() {
                circuit.fail(p, lane);
            }
            let mut down = vec![0u32; targets];
            circuit.down_lanes_of_each(|t, lanes| down[t] += lanes.count());
            (down, circuit.steps() - before)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::super::{availability_of_each, exactly_unbounded, ConeMarks};
    use super::*;
    use crate::engine::circuit::ConeCircuit;
    use crate::engine::sampling::down_counts;
    use crate::load::load_str;

    /// 900 parts p0..p899, each up 99.9% of the time, in 450 pairs of
    /// alternatives that `pairs` and `more` (which also needs `q`) need:
    /// every part is up alone for them, so their attempts give up at the
    /// pairs (`more` can fail itself too: its own failure is not among
    /// its parts). `hard` needs p0..p799 each (every part takes it down alone:
    /// its attempt answers at size 1); `few` needs 10 of the pairs (too
    /// few parts to break the budget, so it is not judged).
    fn shared_cone() -> crate::load::Loaded {
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        for i in 0..900 {
            text.push_str(&format!("  p{i}: {{runs_in: s, availability: 0.999}}\n"));
        }
        text.push_str("  q: {runs_in: s, availability: 0.999}\n");
        let pairs: Vec<String> = (0..450)
            .map(|i| format!("{{any_of: [p{}, p{}]}}", 2 * i, 2 * i + 1))
            .collect();
        let hard: Vec<String> = (0..800).map(|i| format!("p{i}")).collect();
        let needs = |name: &str, deps: &[String]| {
            format!(
                "  {name}: {{runs_in: s, depends_on: [{}]}}\n",
                deps.join(", ")
            )
        };
        text.push_str(&needs("pairs", &pairs));
        let more = needs("more", &[&pairs[..], &["q".to_string()]].concat());
        text.push_str(&more.replace("runs_in: s,", "runs_in: s, availability: 0.999,"));
        text.push_str(&needs("hard", &hard));
        text.push_str(&needs("few", &pairs[..10]));
        load_str("t.yaml", text).unwrap()
    }

    /// Each target named hopeless is one whose attempt gives up, with the
    /// parts that attempt counts; the others are not named, and `hard`'s
    /// attempt answers.
    #[test]
    fn hopeless_targets_are_those_whose_attempts_give_up_at_the_pairs() {
        let loaded = shared_cone();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let names = ["pairs", "more", "hard", "few"];
        let targets: Vec<NodeId> = names.iter().map(|n| arch.id_of(n).unwrap()).collect();
        let reached = vec![true; graph.len()];
        let big = BigCones::find(
            arch,
            &graph,
            (&targets, &reached, None),
            &[],
            &Budget::new(None),
        )
        .unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        let mut named = Vec::new();
        for (&t, name) in targets.iter().zip(names) {
            let tried = exactly_unbounded(arch, &graph, t, &mut marks, &mut circuit);
            if let Some(parts) = big.hopeless_parts(t) {
                let own = usize::from(arch.node(t).own_availability() < 1.0);
                assert_eq!(tried.err(), Some(parts + own), "{name}");
                named.push(name);
            } else {
                assert!(tried.is_ok(), "{name}");
            }
        }
        assert_eq!(named, ["pairs", "more"]);
        assert_eq!(big.hopeless_parts(targets[1]), Some(901));
    }

    /// The union compiled holds the cones of the targets given as `also`,
    /// which are not judged: it is the union Monte Carlo needs for the
    /// hopeless and those (`for_targets` takes it), and it counts the
    /// samples each is down in as a union compiled for them alone does.
    /// Without `also`, it is not that union.
    #[test]
    fn the_union_also_holds_the_targets_given_beside_the_judged() {
        let loaded = shared_cone();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let id = |n: &str| arch.id_of(n).unwrap();
        let judged = [id("pairs"), id("more")];
        let also = [id("few"), id("q")];
        let reached = vec![true; graph.len()];
        let work = Budget::new(None);
        let find = |also: &[NodeId]| {
            let mut big = BigCones::find(arch, &graph, (&judged, &reached, None), also, &work);
            big.as_mut().and_then(BigCones::take_union).unwrap()
        };
        // The hopeless first, then the others, as availability asks.
        let left = [id("pairs"), id("more"), id("few"), id("q")];
        assert!(find(&[]).for_targets(&graph, &left).is_none());
        let union = find(&also).for_targets(&graph, &left).unwrap();
        assert!(find(&also).for_targets(&graph, &judged).is_none());
        let progress = Progress::default();
        let reused = down_counts(arch, &graph, &left, Some(union), &progress);
        assert_eq!(reused, down_counts(arch, &graph, &left, None, &progress));
        assert!(reused[0] > 0 && reused[3] > 0, "{reused:?}");
    }

    /// A target that no failure reaches is not judged, nor its cone
    /// walked: on a file without availabilities every cone would be,
    /// 290 s for `layered-flat` at 100,000 services.
    #[test]
    fn targets_no_failure_reaches_are_not_judged() {
        let loaded = shared_cone();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets: Vec<NodeId> = ["pairs", "more"]
            .iter()
            .map(|n| arch.id_of(n).unwrap())
            .collect();
        let mut reached = vec![true; graph.len()];
        reached[targets[0].index()] = false;
        let work = Budget::new(None);
        assert!(BigCones::find(arch, &graph, (&targets, &reached, None), &[], &work).is_none());
        reached[targets[0].index()] = true;
        assert!(BigCones::find(arch, &graph, (&targets, &reached, None), &[], &work).is_some());
    }

    /// The targets it names get the answer they got when each attempt
    /// was made: Monte Carlo over the same samples, the same parts.
    #[test]
    fn named_targets_are_answered_as_their_attempts_left_them() {
        let loaded = shared_cone();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets: Vec<NodeId> = ["pairs", "more", "hard"]
            .iter()
            .map(|n| arch.id_of(n).unwrap())
            .collect();
        let together = availability_of_each(arch, &graph, &targets, &Progress::default());
        let alone: Vec<_> = (targets.iter())
            .map(|&t| availability_of_each(arch, &graph, &[t], &Progress::default()).remove(0))
            .collect();
        assert_eq!(together, alone);
        assert!(matches!(
            together[0].method,
            super::super::Method::MonteCarlo { .. }
        ));
        assert_eq!((together[0].parts, together[1].parts), (900, 902));
        assert_eq!(together[2].method, super::super::Method::Exact);
    }

    /// With the largest cycle's cone walked once, every target above the
    /// cycle (in it, or outside its cone) gets the parts and part count a
    /// walk of its own cone gives, the same as `failable_parts` lists.
    #[test]
    fn counting_above_a_cycle_walked_once_is_counting_each_cone() {
        let loaded = load_str(
            "t.yaml",
            "version: 1
sites:
  s1: {availability: 0.99}
  s2: {availability: 0.98, depends_on: [s1]}
services:
  a: {runs_in: s1, availability: 0.9, depends_on: [b, {any_of: [x, y]}]}
  b: {runs_in: [s1, s2], availability: 0.8, depends_on: [{any_of: [a, x]}]}
  x: {runs_in: s2, availability: 0.7}
  y: {runs_in: s1}
  c: {runs_in: s2, availability: 0.85, depends_on: [{any_of: [a, z]}]}
  z: {runs_in: s2, availability: 0.6}
  d: {runs_in: s1, depends_on: [{on: c, mode: soft}, b]}
"
            .to_string(),
        )
        .unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let cycle = super::super::LargestCycle::of(&graph).unwrap();
        let below = Below::of(arch, &graph, cycle.root());
        let (mut once, mut each) = (
            Counter::new(&graph, Some(&below)),
            Counter::new(&graph, None),
        );
        let mut marks = ConeMarks::new(&graph);
        let mut checked = Vec::new();
        for t in arch.node_ids().filter(|&t| cycle.in_cone_of(t)) {
            let expected = super::super::failable_parts(arch, &graph, t, &mut marks);
            assert_eq!(once.parts(arch, &graph, t), expected);
            assert_eq!(each.parts(arch, &graph, t), expected);
            let (n, two) = once.count(arch, &graph, t);
            assert_eq!(n, expected.len());
            assert!((two - each.count(arch, &graph, t).1).abs() < 1e-12);
            checked.push(arch.node(t).id.as_str().to_string());
        }
        checked.sort();
        assert_eq!(checked, ["a", "b", "c", "d"]);
    }
}
