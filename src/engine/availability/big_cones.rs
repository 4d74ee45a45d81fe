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
const FEWEST: usize = 775;
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
    /// Cost: marking each reached target's cone; then, for those with at least
    /// [`FEWEST`] parts, compiling the union of their cones and one
    /// evaluation of it per 1,024 of its parts, counted in `work`.
    pub(super) fn find(
        arch: &Architecture,
        graph: &FailureGraph,
        (targets, reached): (&[NodeId], &[bool]),
        work: &Budget,
    ) -> Option<Self> {
        // A target no failure reaches is answered without its cone; its
        // cone may be most of the file.
        let targets: Vec<NodeId> = (targets.iter().copied())
            .filter(|t| reached[t.index()])
            .collect();
        let counted = map_chunked(
            &targets,
            16,
            &Progress::default(),
            || Counter::new(graph),
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
        let ids: Vec<NodeId> = judged.iter().map(|&(t, _)| t).collect();
        let union = union_circuit(arch, graph, &ids);
        if union.ids.len() > SAMPLES as usize {
            return None;
        }
        let downs = downs_alone(&union, work);
        let mut parts = vec![NOT_HOPELESS; graph.len()];
        let mut hopeless = |t: NodeId, n: usize| {
            parts[t.index()] = u32::try_from(n).unwrap_or(NOT_HOPELESS - 1);
        };
        // Those that walk lists and whose pairs fit the budget, by row.
        let mut lists = Vec::new();
        for (row, (&(t, n), down)) in judged.iter().zip(downs).enumerate() {
            // Its own failure takes it down, but is not one of its parts.
            let up = n.saturating_sub(down.saturating_sub(usize::from(can_fail(arch, t))));
            if breaks(n, up) {
                hopeless(t, n);
            } else if n > MOST_MASKED {
                lists.push(row);
            }
        }
        for (row, n) in triangles::hopeless_at_three(arch, graph, &union, &lists, work) {
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

/// Counts the parts of cones, with marks reused from one target to the
/// next: the cone `ConeMarks::mark` marks, without the dependents lists
/// a compile needs.
struct Counter {
    marks: Vec<u32>,
    stamp: u32,
    stack: Vec<GateId>,
}

impl Counter {
    fn new(graph: &FailureGraph) -> Self {
        Counter {
            marks: vec![0; graph.len()],
            stamp: 0,
            stack: Vec::new(),
        }
    }

    /// The number of parts of `target`'s cone (itself aside: what
    /// `failable_parts` lists), and the chance that two or more of them
    /// fail, 1 - P(none) - P(one). O(the cone's gates and edges).
    fn count(&mut self, arch: &Architecture, graph: &FailureGraph, target: NodeId) -> (usize, f64) {
        let (mut parts, mut none, mut odds) = (0, 1.0, 0.0);
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
        let mut parts = Vec::new();
        self.walk(arch, graph, target, |id, q| parts.push((id, q)));
        parts.sort_unstable_by_key(|&(id, _)| id);
        parts
    }

    /// Calls `each` with every part of `target`'s cone (itself aside) and
    /// its probability of failing, in no particular order.
    fn walk(
        &mut self,
        arch: &Architecture,
        graph: &FailureGraph,
        target: NodeId,
        mut each: impl FnMut(NodeId, f64),
    ) {
        self.stamp += 1;
        let stamp = self.stamp;
        self.marks[target.index()] = stamp;
        self.stack.push(GateId::from(target));
        while let Some(n) = self.stack.pop() {
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
    use super::super::{availability_of_each, exactly_unbounded, own_availability, ConeMarks};
    use super::*;
    use crate::engine::circuit::ConeCircuit;
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
        let big = BigCones::find(arch, &graph, (&targets, &reached), &Budget::new(None)).unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        let mut named = Vec::new();
        for (&t, name) in targets.iter().zip(names) {
            let tried = exactly_unbounded(arch, &graph, t, &mut marks, &mut circuit);
            if let Some(parts) = big.hopeless_parts(t) {
                let own = usize::from(own_availability(arch, t) < 1.0);
                assert_eq!(tried.err(), Some(parts + own), "{name}");
                named.push(name);
            } else {
                assert!(tried.is_ok(), "{name}");
            }
        }
        assert_eq!(named, ["pairs", "more"]);
        assert_eq!(big.hopeless_parts(targets[1]), Some(901));
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
        assert!(BigCones::find(arch, &graph, (&targets, &reached), &work).is_none());
        reached[targets[0].index()] = true;
        assert!(BigCones::find(arch, &graph, (&targets, &reached), &work).is_some());
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
}
