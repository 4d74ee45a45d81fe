//! Availability of a target under independent failures (format v1 §10).
//!
//! Only candidates in the target's down-cone that have an `availability`
//! below 1 can fail. The exact method enumerates failure sets by size,
//! using two facts: states are monotone (if a set takes the target down,
//! so does every superset, so only supersets of sets that leave it up are
//! tried), and sets of many failures are improbable (enumeration stops when
//! the probability of more failures than enumerated is below 1e-12, far
//! under the 1e-9 the spec asks of an exact result). When that would take
//! more than [`EXACT_BUDGET`] sets, a Monte Carlo estimate with a 95%
//! confidence interval is given instead, over samples that every target
//! shares (`engine/sampling.rs`).
//! Degraded counts as available.

use crate::model::{Architecture, NodeId};

use super::bits::next_set;
use super::budget::Budget;
use super::circuit::{ConeCircuit, Singles};
use super::cone::ConeMarks;
use super::fnv::Fnv;
use super::graph::{FailureGraph, GateId};
use super::progress::Progress;
pub use super::sampling::SAMPLES;
use super::sampling::{down_counts, sampled_union, union_circuit, Compiled};
use super::sure_down::SureDown;

mod alone;
mod at_pairs;
mod big_cones;
mod cliques;
mod diagram;
mod shared_cycle;
mod together;
use alone::ForcedReach;
use at_pairs::AtPairs;
use big_cones::BigCones;
use cliques::{clique_counts, cliques_break_budget};
use diagram::DecisionDiagram;
use shared_cycle::{LargestCycle, Plan, SharedCycle};
use together::Together;

/// Most failure sets the exact method may try for one target.
pub const EXACT_BUDGET: usize = 300_000;
/// Probability mass the exact method may leave unenumerated.
const TAIL: f64 = 1e-12;
/// Most parts the exact method holds as bit masks; past it, as lists.
const MOST_MASKED: usize = 8192;

#[derive(Clone, Debug, PartialEq)]
/// How an availability was computed.
pub enum Method {
    /// By enumeration, correct to 1e-9.
    Exact,
    /// By sampling.
    MonteCarlo {
        /// How many samples were drawn.
        samples: u32,
        /// The Wilson 95% interval.
        ci95: (f64, f64),
    },
}

#[derive(Clone, Debug, PartialEq)]
/// One target's availability.
pub struct TargetAvailability {
    /// The target.
    pub target: NodeId,
    /// Probability that it is not down.
    pub availability: f64,
    /// How it was computed.
    pub method: Method,
    /// How many parts with an availability below 1 can take it down, the
    /// target itself included.
    pub parts: usize,
}

/// The availability of `target` (format v1 §10): exact when the
/// enumeration is small enough, else Monte Carlo. The same as the target's
/// entry in [`availability_of_each`], whatever else is asked.
///
/// Cost: the exact method enumerates failure sets of the cone's parts by
/// size until the remaining probability mass is below 1e-12, one
/// evaluation of the cone per 64 sets; Monte Carlo costs one evaluation of
/// the cone per 64 of its [`SAMPLES`] samples.
pub fn availability(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
) -> TargetAvailability {
    let mut each = availability_of_each(arch, graph, &[target], &Progress::default());
    each.swap_remove(0)
}

/// [`availability`] of each target, in the order given, counting targets
/// finished in `progress`, then blocks of samples. The exact attempts run
/// in parallel by target: those of the targets above the largest cycle
/// after one pass over it (`availability/shared_cycle.rs`), the others'
/// while it runs; targets with cones large enough to give up at the pairs
/// are first judged together (`availability/big_cones.rs`). The targets
/// they leave to Monte Carlo share its samples, so their cones are
/// evaluated together, once per 1,024 samples, in a union compiled once
/// where the pass, the judgement of large cones or a thread waiting for
/// the pass compiled it already.
pub fn availability_of_each(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
) -> Vec<TargetAvailability> {
    // With no bound, nothing is cut short.
    each_within(arch, graph, targets, progress, &Budget::new(None)).unwrap_or_default()
}

/// Availability's work passed `--max-work`: a file can make it draw
/// billions of failures (100,000 parts up half the time), or make each of
/// many targets try its whole budget of sets before it gives up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooMuchWork {
    /// The bound, in steps (see [`availability_of_each_within`]).
    pub limit: u64,
}

/// [`availability_of_each`] within `max_work` steps (`None`: no bound),
/// or `Err` as soon as it is known to need more. A step is a gate
/// evaluated for up to 64 sets or samples (see `ConeCircuit::steps` for
/// what counts), a set the exact method walks or answers, or a failure
/// Monte Carlo draws. The exact method counts as it goes; Monte Carlo counts
/// before it starts, from the failures its parts are expected to draw and
/// every gate of the union per 64 samples, so a file over the bound is
/// refused without sampling. The count depends only on the file and the
/// targets, so whether the bound is passed does too.
pub fn availability_of_each_within(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
    max_work: Option<u64>,
) -> Result<Vec<TargetAvailability>, TooMuchWork> {
    let work = Budget::new(max_work);
    each_within(arch, graph, targets, progress, &work).ok_or(TooMuchWork {
        limit: work.limit(),
    })
}

/// [`availability_of_each_within`], `None` once `work` is passed. Targets
/// that go down together are answered once (`availability/together.rs`).
fn each_within(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
    work: &Budget,
) -> Option<Vec<TargetAvailability>> {
    let together = Together::find(graph, targets);
    let answered = each_answered(arch, graph, &together.answered, progress, work)?;
    let answer = |rep: &NodeId| -> Option<&TargetAvailability> {
        answered.get(together.answered.binary_search(rep).ok()?)
    };
    (targets.iter().zip(&together.of))
        .map(|(&target, rep)| {
            let a = answer(rep)?;
            Some(TargetAvailability {
                target,
                ..a.clone()
            })
        })
        .collect()
}

/// [`each_within`] for targets that each answer for themselves.
fn each_answered(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
    work: &Budget,
) -> Option<Vec<TargetAvailability>> {
    // One pass for the targets above a large cycle, which would otherwise
    // each compile its cone only to give up. The pass is mostly on one
    // thread, so the other targets are tried meanwhile.
    // Found for a lone target too: whether its cone holds a cycle decides
    // whether a decision diagram is tried for it ([`Walk`]). Both walks
    // over the graph are serial, so they go side by side.
    let (reached, largest) = super::parallel::both(
        || reached_by_failures(arch, graph),
        || LargestCycle::of(graph),
    );
    let walk_of = |t: NodeId| match &largest {
        Some(c) if c.any_in_cone_of(t) => Walk::Only,
        _ => Walk::AfterDiagram,
    };
    let above: Vec<bool> = targets
        .iter()
        .map(|&t| largest.as_ref().is_some_and(|c| c.in_cone_of(t)))
        .collect();
    let pick = |is_above: bool| -> Vec<NodeId> {
        let picked = targets.iter().zip(&above).filter(|&(_, &a)| a == is_above);
        picked.map(|(&t, _)| t).collect()
    };
    let (over, others) = (pick(true), pick(false));
    progress.start(targets.len());
    let try_each = |known: Known, these: &[NodeId]| {
        // Small runs of targets, each on a thread's buffers (a graph's
        // worth of marks, made about once per thread): in large runs, the last
        // run of costly cones kept one thread working while the other
        // waited (`chain` and `tree` at 100,000 services: 0.1-0.15 s).
        let runs: Vec<&[NodeId]> = these.chunks(TARGETS_A_RUN).collect();
        let pool = std::sync::Mutex::new(Vec::new());
        let tried = super::parallel::map_pooled(
            &runs,
            &Progress::default(),
            (&pool, || Buffers::new(graph)),
            |buffers, run| {
                let each = run.iter().map(|&t| {
                    let known = (&reached[..], known);
                    attempt(arch, graph, known, t, buffers, (work, walk_of(t)))
                });
                let tried: Vec<Result<TargetAvailability, usize>> = each.collect();
                progress.advance(run.len());
                tried
            },
        );
        tried.into_iter().flatten().collect::<Vec<_>>()
    };
    // Targets with large cones are judged together first, both those not
    // above the cycle (beside the pass over it) and those above it that
    // the pass leaves to their attempts.
    let plan = Plan::default();
    let (mut shared, (tried_others, mut big_others, ahead)) = super::parallel::both(
        || {
            let _over = plan.over_when_dropped();
            let c = largest.as_ref().filter(|_| targets.len() >= 2)?;
            SharedCycle::find(arch, graph, (targets, c), &plan)
        },
        || {
            let big = BigCones::find(arch, graph, (&others, &reached, None), &[], work);
            let tried = try_each((None, big.as_ref()), &others);
            // While the pass over the cycle still runs, and unless it
            // compiles a union itself, this thread compiles the union Monte
            // Carlo needs when every target above the cycle is left to it
            // (`layered-all-99` at 100,000 services: 0.13 s, on one thread
            // once the pass was over).
            let ahead = !over.is_empty() && plan.running_without_union();
            let ahead = ahead.then(|| {
                let gave_up = (others.iter().zip(&tried)).filter(|(_, r)| r.is_err());
                let left: Vec<NodeId> = over
                    .iter()
                    .chain(gave_up.map(|(t, _)| t))
                    .copied()
                    .collect();
                union_circuit(arch, graph, &left)
            });
            (tried, big, ahead)
        },
    );
    let (hopeless_over, undecided): (Vec<NodeId>, Vec<NodeId>) = (over.iter().copied())
        .partition(|&t| (shared.as_ref()).is_some_and(|s| s.hopeless_parts(t).is_some()));
    let root = largest.as_ref().map(LargestCycle::root);
    // The union the judgement compiles holds the cones of the other
    // targets left to Monte Carlo so far too (those the pass found
    // hopeless, those not above the cycle that gave up): when every
    // target it judges is hopeless, it is the union Monte Carlo needs,
    // which it would otherwise compile again, on one thread
    // (`layered-back-99` at 100,000 services: 0.07 s).
    let gave_up = (others.iter().zip(&tried_others)).filter_map(|(&t, r)| r.is_err().then_some(t));
    let also: Vec<NodeId> = hopeless_over.into_iter().chain(gave_up).collect();
    let mut big_over = BigCones::find(arch, graph, (&undecided, &reached, root), &also, work);
    let mut over = try_each((shared.as_ref(), big_over.as_ref()), &over).into_iter();
    let mut others = tried_others.into_iter();
    let tried: Vec<Result<TargetAvailability, usize>> = above
        .iter()
        .filter_map(|&a| if a { over.next() } else { others.next() })
        .collect();
    let left: Vec<(NodeId, usize)> = targets
        .iter()
        .zip(&tried)
        .filter_map(|(&t, r)| r.as_ref().err().map(|&parts| (t, parts)))
        .collect();
    // A union already compiled, where it is the union of the targets left.
    let ids: Vec<NodeId> = left.iter().map(|&(t, _)| t).collect();
    let unions = [
        shared.as_mut().and_then(SharedCycle::take_union),
        big_over.as_mut().and_then(BigCones::take_union),
        big_others.as_mut().and_then(BigCones::take_union),
        ahead,
    ];
    let compiled = (unions.into_iter().flatten()).find_map(|u| u.for_targets(graph, &ids));
    if work.passed() {
        return None;
    }
    let mut sampled = sampled_each(arch, graph, &left, compiled, progress, work)?.into_iter();
    tried
        .into_iter()
        .map(|r| r.or_else(|_| sampled.next().ok_or(())).ok())
        .collect()
}

/// The Monte Carlo estimate of each target's availability, in the order
/// given, whatever the exact method could do: what [`availability`] gives
/// for a target over the budget. Cost: as [`availability`]'s Monte Carlo,
/// for the union of the targets' cones, plus marking each cone to count
/// its parts.
pub fn monte_carlo_of_each(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
) -> Vec<TargetAvailability> {
    let mut marks = ConeMarks::new(graph);
    let counted: Vec<(NodeId, usize)> = targets
        .iter()
        .map(|&t| {
            let parts = failable_parts(arch, graph, t, &mut marks).len();
            (
                t,
                parts + usize::from(arch.node(t).own_availability() < 1.0),
            )
        })
        .collect();
    sampled_each(arch, graph, &counted, None, progress, &Budget::new(None)).unwrap_or_default()
}

/// The Monte Carlo results of targets with their numbers of parts.
/// `compiled`, when given, is the union of their cones compiled for them.
/// `None`, without sampling, when the failures the parts are expected to
/// draw and the union's gates per 64 samples pass `work`.
fn sampled_each(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[(NodeId, usize)],
    compiled: Option<Compiled>,
    progress: &Progress,
    work: &Budget,
) -> Option<Vec<TargetAvailability>> {
    if targets.is_empty() {
        return Some(Vec::new());
    }
    let ids: Vec<NodeId> = targets.iter().map(|&(t, _)| t).collect();
    // Where gates are sure down, the union is walked again, short of them.
    let sure = SureDown::find(arch, graph, &ids, work);
    let compiled = if sure.any() {
        sampled_union(arch, graph, &ids, &sure)
    } else {
        compiled.unwrap_or_else(|| union_circuit(arch, graph, &ids))
    };
    let failing: f64 = (compiled.ids.iter())
        .map(|&id| 1.0 - arch.node(id).availability.get().unwrap_or(1.0))
        .sum();
    let draws = (f64::from(SAMPLES) * failing) as u64;
    let gates = (compiled.circuit.gates() as u64).saturating_mul(u64::from(SAMPLES / 64));
    if !work.spend(draws.saturating_add(gates)) {
        return None;
    }
    let down = down_counts(arch, graph, &ids, Some(compiled), progress);
    let each = targets.iter().zip(down);
    Some(
        each.map(|(&(t, parts), down)| sampled(t, parts, down))
            .collect(),
    )
}

/// For each gate, whether the failure of some part that can fail (a
/// candidate with an availability below 1) reaches it along at least one
/// edge that carries down: a target not reached has no part in its cone.
/// O(gates + edges).
fn reached_by_failures(arch: &Architecture, graph: &FailureGraph) -> Vec<bool> {
    let seeds = arch.node_ids().filter(|&id| can_fail(arch, id));
    reached_down(graph, seeds.map(GateId::from).collect())
}

/// Whether a candidate can fail on its own: a part of the cones it is in.
fn can_fail(arch: &Architecture, id: NodeId) -> bool {
    arch.node(id).own_availability() < 1.0
}

/// For each gate, whether a down state at one of `seeds` reaches it along
/// at least one edge that carries down (a seed only when reached so).
/// O(gates + edges reached).
fn reached_down(graph: &FailureGraph, mut stack: Vec<GateId>) -> Vec<bool> {
    let mut reached = vec![false; graph.len()];
    while let Some(g) = stack.pop() {
        for &(d, mode) in graph.dependents(g) {
            // The flag first: a gate is reached along many edges, and its
            // flag lies in a small array where its kind is a miss in the
            // graph's large one (on `anyof` at 100,000 services, most of
            // this walk's time was that load).
            if reached[d.index()] || !graph.gate(d).carries_down(mode) {
                continue;
            }
            reached[d.index()] = true;
            stack.push(d);
        }
    }
    reached
}

/// The parts in `target`'s down-cone that can fail, with their probability
/// of failing, sorted by id; marks the cone in `marks`.
fn failable_parts(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
    marks: &mut ConeMarks,
) -> Vec<(NodeId, f64)> {
    let mut cone = marks.mark(arch, graph, target);
    // Ids are distinct, so an unstable sort gives the same order, faster.
    cone.sort_unstable();
    cone.into_iter()
        .filter_map(|id| {
            let a = arch.node(id).availability.get()?;
            (a < 1.0).then_some((id, 1.0 - a))
        })
        .collect()
}

/// The target's cone compiled for its failable parts: `parts` and a
/// circuit that answers for 64 sets of them at once.
fn compiled(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
    marks: &mut ConeMarks,
    circuit: &mut ConeCircuit,
) -> Vec<(NodeId, f64)> {
    let parts = failable_parts(arch, graph, target, marks);
    let ids: Vec<NodeId> = parts.iter().map(|&(id, _)| id).collect();
    circuit.compile(graph, marks, &[target], &ids);
    parts
}

/// Targets an attempting thread takes at a time: few enough that the
/// threads end together, many enough that taking them costs nothing.
const TARGETS_A_RUN: usize = 64;

/// What is known before the attempts: which targets the pass over the
/// largest cycle and the judgement of large cones name hopeless.
type Known<'a> = (Option<&'a SharedCycle>, Option<&'a BigCones>);

/// What the exact method gives `t`, or `Err` with its number of parts
/// when it is left to Monte Carlo: at once when `shared` or `big` names it
/// hopeless. When nothing that can fail reaches it, its own availability,
/// exactly.
fn attempt(
    arch: &Architecture,
    graph: &FailureGraph,
    (reached, (shared, big)): (&[bool], Known),
    t: NodeId,
    buffers: &mut Buffers,
    (work, walk): (&Budget, Walk),
) -> Result<TargetAvailability, usize> {
    if work.passed() {
        // Nothing will be shown: the rest is skipped.
        return Err(0);
    }
    let own = arch.node(t).own_availability();
    if !reached[t.index()] {
        // No cone to walk: the exact method's answer over no parts is 1.
        return Ok(TargetAvailability {
            target: t,
            availability: own,
            method: Method::Exact,
            parts: usize::from(own < 1.0),
        });
    }
    let hopeless = (shared.and_then(|s| s.hopeless_parts(t)))
        .or_else(|| big.and_then(|b| b.hopeless_parts(t)));
    match hopeless {
        Some(parts) => Err(parts + usize::from(own < 1.0)),
        None => exactly(arch, graph, t, buffers, (work, walk)),
    }
}

/// What an attempt reuses from one target to the next, per thread.
struct Buffers {
    marks: ConeMarks,
    circuit: ConeCircuit,
    forced: ForcedReach,
    diagram: DecisionDiagram,
    at_pairs: AtPairs,
}

impl Buffers {
    fn new(graph: &FailureGraph) -> Self {
        Buffers {
            marks: ConeMarks::new(graph),
            circuit: ConeCircuit::default(),
            forced: ForcedReach::new(graph),
            diagram: DecisionDiagram::default(),
            at_pairs: AtPairs::new(graph),
        }
    }
}

/// Whether [`exactly`] tries a decision diagram before the walk
/// (`availability/diagram.rs`).
///
/// Not for targets whose cones hold a cycle. Those above the largest
/// cycle hold its cone, often thousands of gates around a few hundred
/// parts, and [`SharedCycle`] names those whose walks would give up
/// without compiling their cones; a diagram needs the cone compiled. A
/// target's answer depends on its cone alone, whichever targets are asked
/// with it and whatever else the file holds, so the rule cannot name the
/// largest cycle: it names any. [`BigCones`] names only cones of more
/// parts than a diagram is tried for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Walk {
    AfterDiagram,
    Only,
}

const _: () = assert!(MOST_DIAGRAM_PARTS < big_cones::FEWEST);

/// The exact availability of `target`, with buffers reused across
/// targets, or, over the budget, `Err` with the number of its parts. The
/// parts that forcing edges say take it down alone are not walked
/// (`availability/alone.rs`); the cone is compiled for the rest. Unless
/// `walk` says otherwise, a cone within [`by_diagram`]'s bounds is first
/// tried as a decision diagram (`availability/diagram.rs`), then walked.
fn exactly(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
    Buffers {
        marks,
        circuit,
        forced,
        diagram,
        at_pairs,
    }: &mut Buffers,
    (work, walk): (&Budget, Walk),
) -> Result<TargetAvailability, usize> {
    let parts = failable_parts(arch, graph, target, marks);
    let (walked, left_out) = forced.walked(graph, target, &parts);
    let own = arch.node(target).own_availability();
    let counted = parts.len() + usize::from(own < 1.0);
    let diagram_first = walk == Walk::AfterDiagram && diagram_tried(&parts, &walked);
    let mut mass = None;
    if !diagram_first {
        let mass = mass.insert(Mass::of(&parts, left_out));
        if at_pairs.gives_up(graph, (marks, target), &walked, mass, work) {
            return Err(counted);
        }
    }
    let ids: Vec<NodeId> = walked.iter().map(|&(id, _)| id).collect();
    circuit.compile(graph, marks, &[target], &ids);
    let by_diagram = diagram_first
        .then(|| by_diagram(diagram, circuit, &parts, &walked, work))
        .flatten();
    let p = match by_diagram {
        Some(p) => p,
        None => {
            let mass = mass.get_or_insert_with(|| Mass::of(&parts, left_out));
            exact_walk(mass, &walked, Counted { circuit, work }).ok_or(counted)?
        }
    };
    Ok(TargetAvailability {
        target,
        availability: p * own,
        method: Method::Exact,
        parts: counted,
    })
}

/// Most parts of a cone that a decision diagram is tried for: fewer than
/// [`BigCones`] judges, so that the targets it names hopeless are never
/// compiled for one. Past some hundreds of parts a diagram seldom stays
/// within its bounds.
const MOST_DIAGRAM_PARTS: usize = 512;

/// Most parts walked (those not left out) that a decision diagram is
/// tried for. On a chain of 100,000 services every diagram over more
/// failed within its steps, and trying them cost 3.61 s against 3.13 s,
/// with the same targets exact.
const MOST_DIAGRAM_WALKED: usize = 128;

/// Whether a cone of `parts` parts, `walked` of them walked, is within
/// the bounds a decision diagram is tried for.
fn diagram_tried(parts: &[(NodeId, f64)], walked: &[(NodeId, f64)]) -> bool {
    parts.len() <= MOST_DIAGRAM_PARTS && walked.len() <= MOST_DIAGRAM_WALKED
}

/// P(the target stays up) from the decision diagram of its compiled cone
/// over the parts `walked`, the rest of `parts` up; `None` when there are
/// more than [`MOST_DIAGRAM_PARTS`] parts or [`MOST_DIAGRAM_WALKED`]
/// walked, or the diagram is over its bounds (`availability/diagram.rs`).
/// Its steps are counted in `work`.
fn by_diagram(
    diagram: &mut DecisionDiagram,
    circuit: &ConeCircuit,
    parts: &[(NodeId, f64)],
    walked: &[(NodeId, f64)],
    work: &Budget,
) -> Option<f64> {
    if !diagram_tried(parts, walked) || work.passed() {
        return None;
    }
    let q: Vec<f64> = walked.iter().map(|&(_, q)| q).collect();
    let up = diagram.up(circuit, &q);
    work.spend(diagram.steps());
    // `walked` is `parts` less those left out, in the same order.
    let mut next = walked.iter().peekable();
    let mut left_out_up = 1.0;
    for &(id, q) in parts {
        if next.next_if(|&&(w, _)| w == id).is_none() {
            left_out_up *= 1.0 - q;
        }
    }
    Some(left_out_up * up?)
}

/// [`exactly`] with no bound on its work and no decision diagram, for
/// the tests of the walk and of what predicts it: the targets they judge
/// are never given a diagram (see [`Walk`]).
#[cfg(test)]
fn exactly_unbounded(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
    marks: &mut ConeMarks,
    circuit: &mut ConeCircuit,
) -> Result<TargetAvailability, usize> {
    let mut buffers = Buffers {
        marks: std::mem::replace(marks, ConeMarks::new(graph)),
        circuit: std::mem::take(circuit),
        forced: ForcedReach::new(graph),
        diagram: DecisionDiagram::default(),
        at_pairs: AtPairs::new(graph),
    };
    let work = Budget::new(None);
    let tried = exactly(arch, graph, target, &mut buffers, (&work, Walk::Only));
    (*marks, *circuit) = (buffers.marks, buffers.circuit);
    tried
}

/// The Monte Carlo result of a target of `parts` parts that was down in
/// `down` of the [`SAMPLES`] samples (its own failures among them).
fn sampled(target: NodeId, parts: usize, down: u32) -> TargetAvailability {
    let n = f64::from(SAMPLES);
    let p = f64::from(SAMPLES - down.min(SAMPLES)) / n;
    TargetAvailability {
        target,
        availability: p,
        method: Method::MonteCarlo {
            samples: SAMPLES,
            ci95: wilson(p, n),
        },
        parts,
    }
}

/// How much one part matters to a target.
#[derive(Clone, Debug, PartialEq)]
pub struct Importance {
    /// The part that can fail.
    pub part: NodeId,
    /// P(target up | part up) - P(target up | part down): how much the
    /// target's availability hangs on this part.
    pub birnbaum: f64,
    /// Risk achievement worth: P(target down | part down) / P(target down);
    /// `None` when the target never goes down.
    pub raw: Option<f64>,
}

/// [`importance`] of each target, in the order given, in parallel.
pub fn importance_of_each(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
) -> Vec<Option<Vec<Importance>>> {
    importance_each_within(arch, graph, targets, progress, &Budget::new(None))
}

/// [`importance_of_each`] within `max_work` steps (`None`: no bound),
/// counted as [`availability_of_each_within`] counts the exact method's.
pub fn importance_of_each_within(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
    max_work: Option<u64>,
) -> Result<Vec<Option<Vec<Importance>>>, TooMuchWork> {
    let work = Budget::new(max_work);
    let each = importance_each_within(arch, graph, targets, progress, &work);
    if work.passed() {
        return Err(TooMuchWork {
            limit: work.limit(),
        });
    }
    Ok(each)
}

/// [`importance_of_each_within`], the steps counted in `work`; what it
/// gives once `work` is passed is not to be shown.
fn importance_each_within(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
    work: &Budget,
) -> Vec<Option<Vec<Importance>>> {
    super::parallel::map_chunked(
        targets,
        1,
        progress,
        || (ConeMarks::new(graph), ConeCircuit::default()),
        |(marks, circuit), &t| importance_counted(arch, graph, t, (marks, circuit), work),
    )
}

/// Birnbaum importance and risk achievement worth of every part that can
/// fail in the target's cone, most important first. Exact only: `None`
/// when the exact method would exceed its budget. Costs two exact
/// computations per part.
pub fn importance(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
) -> Option<Vec<Importance>> {
    let buffers = (&mut ConeMarks::new(graph), &mut ConeCircuit::default());
    importance_counted(arch, graph, target, buffers, &Budget::new(None))
}

/// [`importance`], with buffers reused across targets and its steps
/// counted in `work`.
fn importance_counted(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
    (marks, circuit): (&mut ConeMarks, &mut ConeCircuit),
    work: &Budget,
) -> Option<Vec<Importance>> {
    if work.passed() {
        return None; // not shown
    }
    let parts = compiled(arch, graph, target, marks, circuit);
    let own = arch.node(target).own_availability();
    let total = exact(&parts, Counted { circuit, work })? * own;
    let mut out = Vec::with_capacity(parts.len());
    let mut all_lanes = vec![0u64; parts.len()];
    for (i, &(id, _)) in parts.iter().enumerate() {
        let rest: Vec<(NodeId, f64)> = parts
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &p)| p)
            .collect();
        // Part `i` held up, or failed, in every set of the others.
        let mut down_with = |held: u64, lanes: &[u64], sets: usize| {
            all_lanes[..i].copy_from_slice(&lanes[..i]);
            all_lanes[i] = held;
            all_lanes[i + 1..].copy_from_slice(&lanes[i..]);
            counted_down(circuit, work, &all_lanes, sets)
        };
        let if_up = exact(&rest, Answers(|lanes: &[u64], n| down_with(0, lanes, n)))? * own;
        let if_down = exact(&rest, Answers(|lanes: &[u64], n| down_with(!0, lanes, n)))? * own;
        let raw = (total < 1.0).then(|| (1.0 - if_down) / (1.0 - total));
        out.push(Importance {
            part: id,
            birnbaum: if_up - if_down,
            raw,
        });
    }
    let ranks = arch.id_ranks();
    out.sort_by(|a, b| {
        b.birnbaum
            .total_cmp(&a.birnbaum)
            .then(ranks[a.part.index()].cmp(&ranks[b.part.index()]))
    });
    Some(out)
}

/// What the exact method asks of a target's cone.
trait Cone {
    /// Bit `l` of the answer says that the target is down under set `l`,
    /// where bit `l` of `lanes[i]` says that part `i` failed in set `l`,
    /// for up to 64 sets (`sets` of them).
    fn down(&mut self, lanes: &[u64], sets: usize) -> u64;

    /// What failing each of the `parts` parts alone does, answered in one
    /// go with which parts touch ([`ConeCircuit::singles`]), when the
    /// cone's structure is known.
    fn singles(&mut self, parts: usize) -> Option<Singles>;

    /// Told how many sets a walk counted and compared without asking the
    /// cone, when it ends.
    fn walked(&mut self, _sets: usize) {}
}

impl<C: Cone + ?Sized> Cone for &mut C {
    fn down(&mut self, lanes: &[u64], sets: usize) -> u64 {
        (**self).down(lanes, sets)
    }

    fn singles(&mut self, parts: usize) -> Option<Singles> {
        (**self).singles(parts)
    }

    fn walked(&mut self, sets: usize) {
        (**self).walked(sets);
    }
}

// What the tests ask of a compiled cone directly: the availability's
// own answers are [`Counted`].
#[cfg(test)]
impl Cone for ConeCircuit {
    fn down(&mut self, lanes: &[u64], _: usize) -> u64 {
        self.down_lanes(lanes)
    }

    fn singles(&mut self, parts: usize) -> Option<Singles> {
        Some(ConeCircuit::singles(self, parts))
    }
}

/// A target's compiled cone whose answers count their steps in `work`
/// ([`availability_of_each_within`]). Once `work` is passed, every set is
/// answered down without evaluating it, which ends any enumeration at
/// once: its result will not be shown.
struct Counted<'a> {
    circuit: &'a mut ConeCircuit,
    work: &'a Budget,
}

impl Cone for Counted<'_> {
    fn down(&mut self, lanes: &[u64], sets: usize) -> u64 {
        counted_down(self.circuit, self.work, lanes, sets)
    }

    fn singles(&mut self, parts: usize) -> Option<Singles> {
        let before = self.circuit.steps();
        let singles = ConeCircuit::singles(self.circuit, parts);
        self.work.spend(self.circuit.steps() - before);
        Some(singles)
    }

    fn walked(&mut self, sets: usize) {
        self.work.spend(sets as u64);
    }
}

/// `circuit`'s answer for `sets` sets, its steps and the sets counted in
/// `work`; every set down once `work` is passed (see [`Counted`]).
fn counted_down(circuit: &mut ConeCircuit, work: &Budget, lanes: &[u64], sets: usize) -> u64 {
    if work.passed() {
        return !0;
    }
    let before = circuit.steps();
    let down = circuit.down_lanes(lanes);
    work.spend(circuit.steps() - before + sets as u64);
    down
}

/// A cone known only by its answers.
struct Answers<F>(F);

impl<F: FnMut(&[u64], usize) -> u64> Cone for Answers<F> {
    fn down(&mut self, lanes: &[u64], sets: usize) -> u64 {
        (self.0)(lanes, sets)
    }

    fn singles(&mut self, _: usize) -> Option<Singles> {
        None
    }
}

/// P(target not down), or `None` when it would cost more than the budget.
///
/// Enumerates the sets of failed parts under which the target stays up,
/// by size, each grown from a smaller up-set only when every subset one
/// smaller is up (the structure is monotone), until the sets not yet
/// enumerated hold less than `TAIL` of the probability. The cone answers
/// for up to 64 sets at once ([`Cone::down`]). A level's sets are all
/// known before any of them is tried, so they go in batches. Cost: one
/// answer per set tried, at most `EXACT_BUDGET` sets.
fn exact(parts: &[(NodeId, f64)], cone: impl Cone) -> Option<f64> {
    exact_walk(&Mass::of(parts, 0), parts, cone)
}

/// [`exact`] over `walked`: `mass`'s parts less those known to take the
/// target down alone, in the same order, with `cone` answering for
/// `walked`. The parts left out would be tried at size 1, found down and
/// never grown, so the same sets are summed in the same order, and each
/// counts as a set tried, so the budget of sets gives the same verdicts.
/// The budget of compares counts only prefixes the parts walked can
/// complete, so a walk near it may now finish where it gave up.
fn exact_walk(mass: &Mass, walked: &[(NodeId, f64)], mut cone: impl Cone) -> Option<f64> {
    if walked.is_empty() {
        // Every part takes the target down alone: only the set of none
        // can leave it up.
        let up = cone.down(&[], 1) & 1 == 0;
        return Some(if up { mass.base } else { 0.0 });
    }
    if walked.len() > MOST_MASKED {
        return exact_lists(mass, walked, cone);
    }
    match walked.len() {
        0..=64 => exact_masks::<1>(mass, walked, cone),
        65..=128 => exact_masks::<2>(mass, walked, cone),
        129..=256 => exact_masks::<4>(mass, walked, cone),
        257..=512 => exact_masks::<8>(mass, walked, cone),
        513..=1024 => exact_masks::<16>(mass, walked, cone),
        1025..=2048 => exact_masks::<32>(mass, walked, cone),
        2049..=4096 => exact_masks::<64>(mass, walked, cone),
        _ => exact_masks::<128>(mass, walked, cone),
    }
}

/// What an exact walk's probabilities come from: every part of the cone
/// that can fail, walked or not.
struct Mass {
    /// P(no part fails), the products in the parts' order.
    base: f64,
    /// [`tail_probabilities`] of the parts.
    tail: Vec<f64>,
    /// Parts left out of the walk, each taking the target down alone.
    left_out: usize,
}

impl Mass {
    fn of(parts: &[(NodeId, f64)], left_out: usize) -> Self {
        Mass {
            base: parts.iter().map(|&(_, q)| 1.0 - q).product(),
            tail: tail_probabilities(parts),
            left_out,
        }
    }

    /// The largest size a walk of `walked` parts can reach: past it, the
    /// sets left hold less than `TAIL` of the probability. Counted over
    /// every part, as if none were left out, so that the verdict is the
    /// same.
    fn deepest(&self, walked: usize) -> usize {
        (1..=walked + self.left_out)
            .take_while(|&m| self.tail.get(m - 1).is_some_and(|&t| t >= TAIL))
            .last()
            .unwrap_or(0)
    }
}

/// [`exact`] for at most `64 × W` parts, each set a bit mask of `W` words.
///
/// The sets [`exact_lists`] tries at size k are exactly those of size k
/// that hold none of the smallest sets found to take the target down so
/// far (the minimal cut sets of sizes below k): monotonicity makes every
/// set without one up. So instead of keeping each level's up-sets and
/// looking up each candidate's subsets, the sets of size k are walked in
/// lexicographic order, the order [`exact_lists`] tries them in, and a
/// branch stops at the first cut set it holds. A cut set needs looking at
/// only where its highest part is added. The sum is the same to the last
/// bit, since the same sets are added in the same order with the same
/// products.
///
/// Each size is walked twice: first only counting its sets, so that a
/// target over the budget learns it before any of that size is answered
/// (the size that breaks the budget is usually the largest), then
/// answering them. The count is skipped when a bound on it already says
/// the budget holds: the binomial coefficient over the parts up alone, or
/// the up-sets one size smaller times those parts over the size (each set
/// holds that many up-sets one smaller, each grown by one part).
///
/// While a size from 3 on is answered, the walk looks ahead: the sets of
/// the next size whose every subset is already answered are counted, and
/// when they alone would break the budget, the target stops there with the
/// verdict the whole size would have given ([`SetsBySize::look_ahead`]).
fn exact_masks<const W: usize>(
    mass: &Mass,
    parts: &[(NodeId, f64)],
    mut cone: impl Cone,
) -> Option<f64> {
    let n = parts.len();
    let (base, tail) = (mass.base, &mass.tail);
    let odds: Vec<f64> = parts.iter().map(|&(_, q)| q / (1.0 - q)).collect();
    let lanes = vec![0u64; n];
    // Monotone: if the target is down with none of these parts failed (a
    // forced failure elsewhere), it is down with any of them failed.
    if cone.down(&lanes, 1) & 1 != 0 {
        return Some(0.0);
    }
    let mut walk = SetsBySize {
        odds: &odds,
        dead: [0; W],
        partners: vec![[0; W]; n],
        cuts_by_top: vec![Vec::new(); n],
        tops: [0; W],
        size: 0,
        looking_ahead: false,
        probing: false,
        probed: 0,
        fresh_by_top: vec![Vec::new(); n],
        fresh_tops: [0; W],
        fresh_seen: 0,
        fresh: Vec::new(),
        lanes,
        batch: Vec::with_capacity(64),
        alone: None,
        cone,
        answering: true,
        checking: true,
        spent: mass.left_out,
        compared: 0,
        total: base,
        up: 0,
        untouched: None,
    };
    let mut up_before = n;
    let mut up_alone = n;
    // Each part alone, answered at once with what the touch relation
    // needs ([`Cone::singles`]), so that it costs no more evaluations.
    let mut singles: Option<Singles> = None;
    // Which parts touch ([`Singles::touching`]), built once, when needed.
    let mut touch: Option<Option<Vec<[u64; W]>>> = None;
    let deepest = mass.deepest(n);
    for k in 1..=deepest {
        if k == 1 {
            singles = walk.cone.singles(n);
            walk.alone = singles.as_mut().map(|s| std::mem::take(&mut s.down));
        }
        let left = EXACT_BUDGET - walk.spent;
        // At most this many sets of size k; at size 2 exactly the pairs of
        // parts found up alone.
        let most = match k {
            2 => up_before.saturating_mul(up_before.saturating_sub(1)) / 2,
            // Each set holds k sets of size k - 1, all up, and each of
            // those grows by one of the parts up alone.
            _ => binomial(up_alone, k)
                .min(up_before.saturating_mul(up_alone.saturating_sub(k - 1)) / k),
        };
        if k == 2 && most > left {
            return None;
        }
        // Before a size is answered, the sets of the sizes after it known
        // to be up without an answer may already break the budget.
        let could_break = || binomials_over(up_alone, k + 1..=deepest, left);
        if k >= 2 && k < deepest && could_break() {
            let dead = walk.dead;
            let touch = touch.get_or_insert_with(|| singles.as_ref().map(|s| s.touching(&dead)));
            if let Some(touch) = touch {
                if walk.untouched_sets_break_budget((k, up_alone), deepest, touch) {
                    return None;
                }
            }
        }
        let count_first = most > left;
        if count_first {
            walk.answering = false;
            if !walk.grow([0; W], walk.dead, base, 0, k) {
                return None;
            }
        }
        // Answering checks the budgets only when counting did not.
        walk.answering = true;
        walk.checking = !count_first;
        walk.up = 0;
        walk.size = k;
        // Only worth it when the next size could break the budget.
        walk.looking_ahead = k >= 3 && k < deepest && binomial(up_alone, k + 1) > left;
        if !walk.grow([0; W], walk.dead, base, 0, k) {
            return None;
        }
        walk.flush();
        walk.stop_looking_ahead();
        walk.checking = true;
        walk.file_fresh_cuts(k);
        if walk.up == 0 {
            break;
        }
        up_before = walk.up;
        if k == 1 {
            up_alone = walk.up;
        }
    }
    // Sets are left at the deepest size only where the tails stopped
    // above `TAIL` ([`MOST_FEW`]): then more than the budget would follow.
    if walk.up != 0 && tail.get(deepest).is_none_or(|&t| t >= TAIL) {
        return None;
    }
    Some(walk.total)
}

/// The first `n` parts less those of `dead`, as a mask of `W` words.
fn open_parts<const W: usize>(n: usize, dead: &[u64; W]) -> [u64; W] {
    let mut open = [0u64; W];
    for i in 0..n {
        open[i / 64] |= 1 << (i % 64);
    }
    open.iter_mut().zip(dead).for_each(|(o, &d)| *o &= !d);
    open
}

/// For each part, the parts of `open` above it that it does not touch
/// (`touch`): the relation whose cliques are the untouched sets
/// ([`clique_counts`]).
fn untouched_above<const W: usize>(open: [u64; W], touch: &[[u64; W]]) -> Vec<[u64; W]> {
    (touch.iter().enumerate())
        .map(|(x, touched)| {
            let mut mask = parts_above::<W>(x);
            for (w, m) in mask.iter_mut().enumerate() {
                *m &= open[w] & !touched[w];
            }
            mask
        })
        .collect()
}

/// The parts above part `x`, as a mask of `W` words.
fn parts_above<const W: usize>(x: usize) -> [u64; W] {
    let mut mask = [0u64; W];
    for (w, m) in mask.iter_mut().enumerate() {
        *m = match w.cmp(&(x / 64)) {
            std::cmp::Ordering::Less => 0,
            std::cmp::Ordering::Equal => (!0u64 << (x % 64)) << 1,
            std::cmp::Ordering::Greater => !0,
        };
    }
    mask
}

/// C(n, k), saturating.
fn binomial(n: usize, k: usize) -> usize {
    let k = k.min(n - k.min(n));
    (0..k).fold(1usize, |c, i| c.saturating_mul(n - i) / (i + 1))
}

/// Whether [`binomial`]`(n, m)` summed (saturating) over the sizes m of
/// `sizes` passes `limit`: stopped at the first size where the sum does,
/// since the terms add up. Cones of thousands of parts that each fail 1%
/// of the time reach sizes of a hundred and more, and the sum of them
/// all, each binomial O(m), was most of the pass over the largest cycle
/// on `layered-all-99` (0.13 s), where the first size passes alone.
/// O(the sizes summed × the largest of them).
fn binomials_over(n: usize, sizes: std::ops::RangeInclusive<usize>, limit: usize) -> bool {
    let mut sum = 0usize;
    sizes.into_iter().any(|m| {
        sum = sum.saturating_add(binomial(n, m));
        sum > limit
    })
}

/// The highest part in a non-empty set.
fn top_part<const W: usize>(set: &[u64; W]) -> usize {
    (0..W)
        .rev()
        .find(|&w| set[w] != 0)
        .map_or(0, |w| w * 64 + 63 - set[w].leading_zeros() as usize)
}

/// The walk of [`exact_masks`] over the sets of one size.
struct SetsBySize<'a, C: Cone, const W: usize> {
    odds: &'a [f64],
    /// The parts that are cut sets alone.
    dead: [u64; W],
    /// For each part, the higher parts it makes a cut set of two with.
    partners: Vec<[u64; W]>,
    /// The cut sets of three parts or more found at smaller sizes, by
    /// their highest part.
    cuts_by_top: Vec<Vec<[u64; W]>>,
    /// The parts with a cut set in `cuts_by_top`.
    tops: [u64; W],
    /// The size being walked.
    size: usize,
    /// Whether the answering walk looks ahead at the next size
    /// ([`Self::look_ahead`]).
    looking_ahead: bool,
    /// Whether the walk is counting sets of the next size for it.
    probing: bool,
    /// Sets of the next size certain to be tried, found so far.
    probed: usize,
    /// This size's cut sets found so far, by highest part, for the probe.
    fresh_by_top: Vec<Vec<[u64; W]>>,
    fresh_tops: [u64; W],
    /// How many of `fresh` are in `fresh_by_top`.
    fresh_seen: usize,
    /// The cut sets found at this size: they cannot hold another set of
    /// the same size, so they join `cuts_by_top` once the size is done.
    fresh: Vec<[u64; W]>,
    lanes: Vec<u64>,
    /// Sets waiting for an answer, with their probability odds product.
    batch: Vec<([u64; W], f64)>,
    /// Bit per part: whether it takes the target down alone, when the cone
    /// answered every part alone at once; the sets of size 1 are answered
    /// from it.
    alone: Option<Vec<u64>>,
    cone: C,
    /// Whether this walk answers its sets, or only counts them.
    answering: bool,
    /// Whether this walk counts sets and comparisons against the budgets.
    checking: bool,
    /// Sets counted, at most [`EXACT_BUDGET`].
    spent: usize,
    /// Cut sets compared with a set, at most 64 × [`EXACT_BUDGET`], so
    /// that a file made to find many cut sets cannot make the walk slow.
    compared: usize,
    total: f64,
    /// Sets of this size found up.
    up: usize,
    /// The untouched sets of each size from the first given, once counted
    /// and found to fit the budget ([`Self::untouched_sets_break_budget`]).
    untouched: Option<(usize, Vec<usize>)>,
}

/// However a walk ends, its cone learns what it counted: a walk can
/// count the sets of a size, up to the budget, without answering one.
impl<C: Cone, const W: usize> Drop for SetsBySize<'_, C, W> {
    fn drop(&mut self) {
        self.cone.walked(self.spent + self.compared / 64);
    }
}

impl<C: Cone, const W: usize> SetsBySize<'_, C, W> {
    /// Visits, in lexicographic order, `set` with `left` more parts from
    /// `from` on, none of them in `ruled_out` (the parts that would complete
    /// a cut set of one or two with `set`); `p` is `set`'s probability.
    /// `false` when over a budget.
    fn grow(
        &mut self,
        set: [u64; W],
        ruled_out: [u64; W],
        p: f64,
        from: usize,
        left: usize,
    ) -> bool {
        let last = self.odds.len().saturating_sub(left);
        if left == 1 && !self.answering {
            return self.count_last(set, ruled_out, from, last);
        }
        let mut next = from;
        // Parts ruled out are skipped a word at a time: in a big cone most
        // parts are often cut sets alone.
        while let Some(j) = next_set(|w| !ruled_out[w], next, last + 1) {
            next = j + 1;
            let mut bigger = set;
            bigger[j / 64] |= 1u64 << (j % 64);
            if self.checking {
                self.compared += self.cuts_by_top[j].len();
                if self.compared > 64 * EXACT_BUDGET {
                    return false;
                }
            }
            if self.holds_cut(j, &bigger) {
                continue;
            }
            let p = p * self.odds[j];
            if left > 1 {
                let mut ruled_out = ruled_out;
                for (w, word) in ruled_out.iter_mut().enumerate() {
                    *word |= self.partners[j][w];
                }
                if !self.grow(bigger, ruled_out, p, j + 1, left - 1) {
                    return false;
                }
                if self.looking_ahead && left == self.size && !self.look_ahead(j) {
                    return false;
                }
                continue;
            }
            if self.checking {
                self.spent += 1;
                if self.spent > EXACT_BUDGET {
                    return false;
                }
            }
            if self.answering {
                self.batch.push((bigger, p));
                if self.batch.len() == 64 {
                    self.flush();
                }
            }
        }
        true
    }

    /// Whether `set`, whose highest part is `top`, holds a cut set of three
    /// parts or more found so far; while probing, of this size too.
    fn holds_cut(&self, top: usize, set: &[u64; W]) -> bool {
        let held = |c: &[u64; W]| (0..W).all(|w| c[w] & !set[w] == 0);
        self.cuts_by_top[top].iter().any(held)
            || (self.probing && self.fresh_by_top[top].iter().any(held))
    }

    /// Counts the sets `set` grows into with one more part from `from` to
    /// `last`, none of them in `ruled_out`, as [`Self::grow`] would at its
    /// last part, but a word of parts at a time: only parts that top a cut
    /// set of three or more need a look of their own, and in a big cone
    /// they are few. The budgets are checked once, after the count, which
    /// gives the same verdict, since the counters only grow. `false` when
    /// over a budget.
    fn count_last(&mut self, set: [u64; W], ruled_out: [u64; W], from: usize, last: usize) -> bool {
        if from > last {
            return true;
        }
        let (mut found, mut compared) = (0usize, 0usize);
        let words = ruled_out.iter().enumerate().take(last / 64 + 1);
        for (w, &out) in words.skip(from / 64) {
            let mut open = !out;
            if w == from / 64 {
                open &= !0u64 << (from % 64);
            }
            if w == last / 64 {
                open &= !0u64 >> (63 - last % 64);
            }
            let tops = self.tops[w] | if self.probing { self.fresh_tops[w] } else { 0 };
            found += (open & !tops).count_ones() as usize;
            let mut topping = open & tops;
            while topping != 0 {
                let j = w * 64 + topping.trailing_zeros() as usize;
                topping &= topping - 1;
                let mut bigger = set;
                bigger[w] |= 1u64 << (j % 64);
                compared += self.cuts_by_top[j].len();
                if !self.holds_cut(j, &bigger) {
                    found += 1;
                }
            }
        }
        if self.probing {
            self.probed += found;
            return true;
        }
        if !self.checking {
            return true;
        }
        self.spent += found;
        self.compared += compared;
        self.compared <= 64 * EXACT_BUDGET && self.spent <= EXACT_BUDGET
    }

    /// Called while answering, once every set of this size whose lowest
    /// part is `a` is answered: counts the sets one larger whose second
    /// part is `a` that the next size will try (those holding no cut set),
    /// since every set one smaller that they hold is now answered. When
    /// those already break the budget, the target is over it, whatever the
    /// rest of this size says: `false` then, so that a target that cannot
    /// be exact stops here rather than after answering the whole size.
    /// Costs what counting those sets costs, a word at a time at the end.
    fn look_ahead(&mut self, a: usize) -> bool {
        self.flush();
        for set in &self.fresh[self.fresh_seen..] {
            let top = top_part(set);
            self.fresh_tops[top / 64] |= 1u64 << (top % 64);
            self.fresh_by_top[top].push(*set);
        }
        self.fresh_seen = self.fresh.len();
        let dead = self.dead;
        let mut next = 0;
        while let Some(x) = next_set(|w| !dead[w], next, a) {
            next = x + 1;
            if self.partners[x][a / 64] >> (a % 64) & 1 != 0 {
                continue;
            }
            let mut pair = [0; W];
            pair[x / 64] |= 1u64 << (x % 64);
            pair[a / 64] |= 1u64 << (a % 64);
            let mut ruled_out = dead;
            for (w, word) in ruled_out.iter_mut().enumerate() {
                *word |= self.partners[x][w] | self.partners[a][w];
            }
            self.probe(pair, ruled_out, a + 1, self.size - 1);
        }
        self.spent.saturating_add(self.probed) <= EXACT_BUDGET
    }

    /// Whether the sets of sizes `k + 1` to `deepest` that the walk will
    /// try, before any set of size `k` is answered, already break the
    /// budget together with those of size `k`. The sets of size `k` are
    /// counted as the look-ahead counts (at size 2, the pairs of the
    /// `up_alone` parts found up alone); of the sizes after it, only the
    /// sets of parts no two of which touch: each such set and all its
    /// subsets are up ([`Singles::touching`]), so each holds no cut set and
    /// is tried, and the walk reaches its size (up sets of the size before
    /// are left to grow). When they break the budget, the walk would learn
    /// it at size `deepest` at the latest: the same verdict with no set of
    /// size `k` answered. Looking past `k + 1` matters where parts rarely
    /// fail alone but the sizes are deep: in a cone of 41 parts up alone,
    /// sizes 2 and 3 fit the budget (11,480 sets) while size 5 of the
    /// untouched ones does not, and answering the first two was most of
    /// the attempt.
    ///
    /// The untouched sets depend only on the parts up alone and the touch
    /// relation, so they are counted once, at the first size that asks,
    /// and each later size sums the counts of the sizes past it. Counted
    /// again at each size, they were most of the exact attempts' time on
    /// a file whose services are up 99% of the time. O(the untouched sets
    /// counted, at most the budget, × W) once, then O(deepest) a size.
    fn untouched_sets_break_budget(
        &mut self,
        (k, up_alone): (usize, usize),
        deepest: usize,
        touch: &[[u64; W]],
    ) -> bool {
        let this_size = if k == 2 {
            // No cut set of two parts or more is known before size 2 is
            // answered: the sets tried are the pairs of parts up alone,
            // which the probe would count a word at a time for each part.
            up_alone * up_alone.saturating_sub(1) / 2
        } else {
            self.probed = 0;
            self.probe([0; W], self.dead, 0, k);
            std::mem::take(&mut self.probed)
        };
        let Some(left) = EXACT_BUDGET.checked_sub(self.spent.saturating_add(this_size)) else {
            return true;
        };
        // Two parts that take the target down together touch, so the
        // pairs found add nothing to what the touch relation rules out.
        debug_assert!((0..self.odds.len())
            .all(|x| (0..W).all(|w| { self.partners[x][w] & !touch[x][w] == 0 })));
        if let Some((from, counts)) = &self.untouched {
            let larger = counts.iter().skip(k + 1 - from);
            return larger.copied().fold(0, usize::saturating_add) > left;
        }
        let open = open_parts(self.odds.len(), &self.dead);
        let higher = untouched_above(open, touch);
        let Some(counts) = clique_counts(&higher, open, k + 1..=deepest, left) else {
            return true;
        };
        self.untouched = Some((k + 1, counts));
        false
    }

    /// Adds to `probed` the sets [`Self::grow`] would reach from `set`,
    /// counting them with this size's cut sets found so far, and neither
    /// answering them nor spending the budgets on them.
    fn probe(&mut self, set: [u64; W], ruled_out: [u64; W], from: usize, left: usize) {
        let (answering, checking) = (self.answering, self.checking);
        (self.answering, self.checking, self.probing) = (false, false, true);
        self.grow(set, ruled_out, 1.0, from, left);
        (self.answering, self.checking, self.probing) = (answering, checking, false);
    }

    /// Forgets what [`Self::look_ahead`] kept of this size.
    fn stop_looking_ahead(&mut self) {
        self.looking_ahead = false;
        self.probed = 0;
        self.fresh_seen = 0;
        self.fresh_tops = [0; W];
        self.fresh_by_top.iter_mut().for_each(Vec::clear);
    }

    /// Files the cut sets found at size `k`, once all sets of that size
    /// are answered: alone or in pairs, as masks the walk skips at no cost
    /// per cut set; larger, by their highest part.
    fn file_fresh_cuts(&mut self, k: usize) {
        for set in self.fresh.drain(..) {
            match k {
                1 => (0..W).for_each(|w| self.dead[w] |= set[w]),
                2 => {
                    let top = top_part(&set);
                    let mut low = set;
                    low[top / 64] &= !(1u64 << (top % 64));
                    self.partners[top_part(&low)][top / 64] |= 1u64 << (top % 64);
                }
                _ => {
                    let top = top_part(&set);
                    self.tops[top / 64] |= 1u64 << (top % 64);
                    self.cuts_by_top[top].push(set);
                }
            }
        }
    }

    /// Answers the sets waiting: adds the up ones to the total, in order,
    /// and keeps the down ones as cut sets.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let down = match &self.alone {
            Some(alone) if self.size == 1 => {
                self.batch
                    .iter()
                    .enumerate()
                    .fold(0, |down, (lane, (set, _))| {
                        let j = top_part(set);
                        down | ((alone[j / 64] >> (j % 64)) & 1) << lane
                    })
            }
            _ => {
                self.lanes.fill(0);
                for (lane, (set, _)) in self.batch.iter().enumerate() {
                    for (w, &word) in set.iter().enumerate() {
                        let mut bits = word;
                        while bits != 0 {
                            self.lanes[w * 64 + bits.trailing_zeros() as usize] |= 1 << lane;
                            bits &= bits - 1;
                        }
                    }
                }
                self.cone.down(&self.lanes, self.batch.len())
            }
        };
        for (lane, &(set, p)) in self.batch.iter().enumerate() {
            if (down >> lane) & 1 == 0 {
                self.total += p;
                self.up += 1;
            } else {
                self.fresh.push(set);
            }
        }
        self.batch.clear();
    }
}

/// [`exact`] for any number of parts, each set a sorted list of indices.
fn exact_lists(mass: &Mass, parts: &[(NodeId, f64)], mut cone: impl Cone) -> Option<f64> {
    let n = parts.len();
    // P(exactly S failed) = base × Π_{i∈S} q_i / (1 - q_i).
    let (base, tail) = (mass.base, &mass.tail);
    let odds: Vec<f64> = parts.iter().map(|&(_, q)| q / (1.0 - q)).collect();
    let mut lanes = vec![0u64; n];
    if cone.down(&lanes, 1) & 1 != 0 {
        return Some(0.0);
    }
    let mut total = base;
    let mut level: Vec<(Vec<usize>, f64)> = vec![(Vec::new(), base)];
    let mut spent = mass.left_out;
    // To the size every part would reach, as if none were left out.
    for k in 1..=n + mass.left_out {
        if level.is_empty() {
            break;
        }
        match tail.get(k - 1) {
            Some(&t) if t < TAIL => break,
            Some(_) => {}
            // Past the tails computed ([`MOST_FEW`]).
            None => return None,
        }
        // Every pair of parts that are up alone is tried at size 2, so
        // their number says at once whether the budget holds: a cone of
        // thousands of parts would otherwise build 300,000 pairs to learn it.
        let pairs = level.len().saturating_mul(level.len().saturating_sub(1)) / 2;
        if k == 2 && spent.saturating_add(pairs) > EXACT_BUDGET {
            return None;
        }
        let known: std::collections::HashSet<&[usize], Fnv> =
            level.iter().map(|(s, _)| s.as_slice()).collect();
        let mut tried: Vec<(Vec<usize>, f64)> = Vec::new();
        let mut sub: Vec<usize> = Vec::with_capacity(k);
        // Sets of this size looked at, tried or not, told to the cone.
        let mut looked = 0usize;
        for (set, p) in &level {
            let from = set.last().map_or(0, |&m| m + 1);
            looked += n - from.min(n);
            for (j, &odd) in odds.iter().enumerate().skip(from) {
                // Monotone: a set with a subset that takes the target down
                // takes it down too; only subsets of size k - 1 need a look
                // (the one without `j` is `set` itself, known).
                let all_known = (0..k - 1).all(|drop| {
                    sub.clear();
                    sub.extend(
                        set.iter()
                            .enumerate()
                            .filter(|&(i, _)| i != drop)
                            .map(|(_, &x)| x),
                    );
                    sub.push(j);
                    known.contains(sub.as_slice())
                });
                if !all_known {
                    continue;
                }
                spent += 1;
                if spent > EXACT_BUDGET {
                    cone.walked(looked);
                    return None;
                }
                let mut bigger = set.clone();
                bigger.push(j);
                tried.push((bigger, p * odd));
            }
        }
        drop(known);
        cone.walked(looked);
        let mut next = Vec::new();
        let mut tried = tried.into_iter().peekable();
        while tried.peek().is_some() {
            let batch: Vec<(Vec<usize>, f64)> = tried.by_ref().take(64).collect();
            lanes.fill(0);
            for (lane, (set, _)) in batch.iter().enumerate() {
                for &i in set {
                    lanes[i] |= 1 << lane;
                }
            }
            let down = cone.down(&lanes, batch.len());
            for (lane, (set, p)) in batch.into_iter().enumerate() {
                if (down >> lane) & 1 == 0 {
                    total += p;
                    next.push((set, p));
                }
            }
        }
        level = next;
    }
    Some(total)
}

/// `tail[k]` = probability that more than `k` parts fail (Poisson-binomial),
/// for every `k`, or only up to the first `k` where it is below [`TAIL`]
/// (the exact method stops there) when that comes early.
///
/// The whole distribution costs O(parts²), which in a cone of thousands
/// of parts, one per target, costs more than the rest of the attempt. So
/// the first `few` counts are computed with the rest of the mass in one
/// bucket, O(parts × few), `few` doubling from [`FEW`] until that bucket
/// is below [`TAIL`]: when parts rarely fail, it soon is.
fn tail_probabilities(parts: &[(NodeId, f64)]) -> Vec<f64> {
    let mut few = FEW;
    while few < parts.len() {
        let (exactly, more) = failure_counts(parts, few);
        if more < TAIL || few >= MOST_FEW {
            return tails(&exactly, more);
        }
        few *= 2;
    }
    let (exactly, _) = failure_counts(parts, parts.len());
    tails(&exactly, 0.0)
}

/// Failure counts [`tail_probabilities`] starts from.
const FEW: usize = 16;
/// The most failure counts [`tail_probabilities`] computes. A walk that
/// reaches size k holds a set of k - 1 failures that leaves the target
/// up, and every subset of it is up too (states are monotone), so it has
/// added 2^(k-1) sets: past size 20 that is more than [`EXACT_BUDGET`].
/// So the tails past 64 are never read; the whole distribution would cost
/// O(parts²), minutes on a cone of 100,000 parts up half the time. Where
/// the tails stop above [`TAIL`], a walk that reached their end gives up.
const MOST_FEW: usize = 64;

/// P(exactly k parts fail) for k up to `few`, and P(more than `few` fail).
/// O(parts × few).
fn failure_counts(parts: &[(NodeId, f64)], few: usize) -> (Vec<f64>, f64) {
    let mut exactly = vec![0.0; few + 1];
    exactly[0] = 1.0;
    let mut more = 0.0;
    for (i, &(_, q)) in parts.iter().enumerate() {
        more += exactly[few] * q;
        for k in (0..=(i + 1).min(few)).rev() {
            let stay = exactly[k] * (1.0 - q);
            let fail = if k > 0 { exactly[k - 1] * q } else { 0.0 };
            exactly[k] = stay + fail;
        }
    }
    (exactly, more)
}

/// The tails of [`failure_counts`], summed from the smallest term up.
fn tails(exactly: &[f64], more: f64) -> Vec<f64> {
    let mut tail = vec![0.0; exactly.len()];
    let mut above = more;
    for k in (0..exactly.len()).rev() {
        tail[k] = above;
        above += exactly[k];
    }
    tail
}

/// Wilson score interval at 95%: honest near 0 and 1, where availabilities live.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// Both set representations, masks of every width, try the same sets
    /// in the same order: the same probability to the bit, and the same
    /// budget verdict.
    #[test]
    fn masks_and_lists_give_the_same_sum() {
        // (parts, failure probability, within the budget). At 150 parts the
        // sets of size 3 are counted before they are answered, since their
        // binomial coefficient is over the budget but their number is not;
        // at 300 the count says over.
        let cases = [
            (6, 0.2, true),
            (20, 0.01, true),
            (40, 0.0001, true),
            (64, 0.000_01, true),
            (100, 0.000_5, false),
            (150, 0.000_01, true),
            (300, 0.000_001, false),
            (60, 0.05, false),
            (700, 0.000_000_1, true),
            (700, 0.000_01, false),
            (1500, 0.000_000_000_1, true),
            (1500, 0.000_000_01, false),
        ];
        for (n, q, within) in cases {
            let parts: Vec<(NodeId, f64)> = (0..n)
                .map(|i| (NodeId(i), q * (1.0 + f64::from(i % 7) / 10.0)))
                .collect();
            // Up while at most two of the first ten parts, not both of
            // parts 3 and n-1, and no later multiple of 3 have failed:
            // monotone, with single parts and pairs that matter, so that
            // far fewer sets are tried than the binomial coefficient.
            let up = |failed: &[NodeId]| {
                let first = failed.iter().filter(|id| id.0 < 10).count();
                let pair = failed.contains(&NodeId(3)) && failed.contains(&NodeId(n - 1));
                let single = failed.iter().any(|id| id.0 >= 10 && id.0 % 3 == 0);
                first <= 2 && !pair && !single
            };
            let b = exact_lists(&Mass::of(&parts, 0), &parts, one_by_one(&parts, up));
            let bits = |p: Option<f64>| p.map(f64::to_bits);
            let a = exact(&parts, one_by_one(&parts, up));
            assert_eq!(bits(a), bits(b), "{n} parts, as many words as they need");
            if n <= 512 {
                let a8 = exact_masks::<8>(&Mass::of(&parts, 0), &parts, one_by_one(&parts, up));
                assert_eq!(bits(a8), bits(b), "{n} parts, 8 words");
            }
            if n <= 256 {
                let a4 = exact_masks::<4>(&Mass::of(&parts, 0), &parts, one_by_one(&parts, up));
                assert_eq!(bits(a4), bits(b), "{n} parts, 4 words");
            }
            if n <= 128 {
                let a2 = exact_masks::<2>(&Mass::of(&parts, 0), &parts, one_by_one(&parts, up));
                assert_eq!(bits(a2), bits(b), "{n} parts, 2 words");
            }
            if n <= 64 {
                let a1 = exact_masks::<1>(&Mass::of(&parts, 0), &parts, one_by_one(&parts, up));
                assert_eq!(bits(a1), bits(b), "{n} parts, 1 word");
            }
            assert_eq!(a.is_some(), within, "{n} parts: {a:?}");
            if let Some(p) = a {
                assert!(p > 0.0 && p < 1.0, "{p}");
            }
        }
    }

    /// A target over the budget at size 4 learns it from the sets of size 4
    /// whose subsets are answered while size 3 is still being answered
    /// (`look_ahead`), so it answers fewer sets than the lists, which answer
    /// all of size 3 first, with the same verdict.
    #[test]
    fn looking_ahead_stops_a_target_over_the_budget_early() {
        let n = 100;
        let parts: Vec<(NodeId, f64)> = (0..n).map(|i| (NodeId(i), 0.0005)).collect();
        // Single cut sets: every multiple of 7; pairs: 1 with each of 2..6.
        let up = |failed: &[NodeId]| {
            let single = failed.iter().any(|id| id.0 % 7 == 0);
            let pair =
                failed.contains(&NodeId(1)) && failed.iter().any(|id| (2..7).contains(&id.0));
            !single && !pair
        };
        let (mut by_lists, mut by_masks) = (0, 0);
        let mut answer = one_by_one(&parts, up);
        let lists = exact_lists(
            &Mass::of(&parts, 0),
            &parts,
            Answers(|lanes: &[u64], sets: usize| {
                by_lists += sets;
                answer.down(lanes, sets)
            }),
        );
        assert_eq!(lists, None);
        let masks = exact_masks::<2>(
            &Mass::of(&parts, 0),
            &parts,
            Answers(|lanes: &[u64], sets: usize| {
                by_masks += sets;
                answer.down(lanes, sets)
            }),
        );
        assert_eq!(masks, None);
        assert!(
            by_masks < by_lists * 3 / 4,
            "{by_masks} sets answered against {by_lists}"
        );
    }

    /// A target that needs a0..a9 (each a cut set alone), one of b_i and
    /// c_i for each i < 10 (pairs), and one of each four of d0..d79 (none
    /// under four), every part up 99.8% of the time: over the budget, at
    /// size 4.
    fn groups_of_four() -> crate::load::Loaded {
        let mut text = String::from("version: 1\nsites:\n");
        let names: Vec<String> = (0..10)
            .flat_map(|i| [format!("a{i}"), format!("b{i}"), format!("c{i}")])
            .chain((0..80).map(|i| format!("d{i}")))
            .collect();
        for name in &names {
            text.push_str(&format!("  {name}: {{ availability: 0.998 }}\n"));
        }
        let mut needs: Vec<String> = (0..10).map(|i| format!("a{i}")).collect();
        needs.extend((0..10).map(|i| format!("{{ any_of: [b{i}, c{i}] }}")));
        needs.extend((0..20).map(|g| {
            let four: Vec<String> = (0..4).map(|i| format!("d{}", g * 4 + i)).collect();
            format!("{{ any_of: [{}] }}", four.join(", "))
        }));
        text.push_str(&format!(
            "services:\n  t:\n    logical: true\n    tier: high\n    depends_on: [{}]\n",
            needs.join(", ")
        ));
        load_str("t.yaml", text).unwrap()
    }

    /// [`groups_of_four`]'s target compiled: its graph, target, circuit and
    /// parts.
    fn groups_of_four_compiled() -> (FailureGraph, NodeId, ConeCircuit, Vec<(NodeId, f64)>) {
        let loaded = groups_of_four();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let target = arch.id_of("t").unwrap();
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        let parts = compiled(arch, &graph, target, &mut marks, &mut circuit);
        (graph, target, circuit, parts)
    }

    /// A cone of more than 512 parts over the budget at its pairs: the
    /// lists give up before answering them, having answered only the empty
    /// set and each part alone.
    #[test]
    fn lists_over_the_budget_stop_before_the_pairs() {
        let parts: Vec<(NodeId, f64)> = (0..1000).map(|i| (NodeId(i), 0.001)).collect();
        let up = |failed: &[NodeId]| failed.iter().all(|id| id.0 % 5 != 0);
        let mut answered = 0;
        let mut answer = one_by_one(&parts, up);
        let found = exact(
            &parts,
            Answers(|lanes: &[u64], sets: usize| {
                answered += sets;
                answer.down(lanes, sets)
            }),
        );
        assert_eq!(found, None);
        assert_eq!(answered, 1 + 1000);
    }

    /// A cone that counts the sets it answers.
    struct Counting<'a>(&'a mut ConeCircuit, usize, bool);

    impl Cone for Counting<'_> {
        fn down(&mut self, lanes: &[u64], sets: usize) -> u64 {
            self.1 += sets;
            self.0.down_lanes(lanes)
        }

        fn singles(&mut self, parts: usize) -> Option<Singles> {
            // Each part alone is a set answered.
            self.1 += if self.2 { parts } else { 0 };
            self.2.then(|| self.0.singles(parts))
        }
    }

    /// No two parts of different groups of four touch, so the sets of three
    /// and of four parts from as many groups are up without an answer. Those
    /// of four alone break the budget (20 choose 4 times 4⁴: 1,240,320),
    /// those of three do not (72,960, with 4,950 pairs), so the walk looks
    /// past the next size and stops before answering any pair, with the
    /// verdict of the walk that answers them.
    #[test]
    fn untouched_parts_stop_a_target_over_the_budget_before_its_pairs() {
        let (_, _, mut circuit, parts) = groups_of_four_compiled();
        let n = parts.len();
        let mut with = Counting(&mut circuit, 0, true);
        assert_eq!(exact(&parts, &mut with), None);
        let answered_with = with.1;
        let mut without = Counting(&mut circuit, 0, false);
        assert_eq!(exact(&parts, &mut without), None);
        // The empty set, then every part alone.
        assert_eq!(answered_with, 1 + n);
        assert!(without.1 > 5 * answered_with, "{} sets", without.1);
    }

    /// The sum of binomials stopped early gives the verdict of the whole
    /// sum, saturated, on small and large cones, empty and long ranges of
    /// sizes, and limits from 0 to the largest.
    #[test]
    fn binomials_over_is_the_whole_sum_compared() {
        for n in [0, 1, 2, 5, 40, 121, 700, 5_000] {
            for (low, high) in [(1, 1), (2, 5), (3, 40), (3, 150), (7, 3)] {
                for limit in [0, 1, 10, 1_000, EXACT_BUDGET, usize::MAX - 1] {
                    let sum = (low..=high)
                        .map(|m| binomial(n, m))
                        .fold(0, usize::saturating_add);
                    let over = binomials_over(n, low..=high, limit);
                    assert_eq!(
                        over,
                        sum > limit,
                        "n {n} sizes {low}..={high} limit {limit}"
                    );
                }
            }
        }
    }

    /// The bound that decides whether a size is counted first: exact where
    /// it fits a word, and huge, never wrapped, where it does not.
    #[test]
    fn binomial_is_exact_or_saturates() {
        assert_eq!(binomial(5, 2), 10);
        assert_eq!(binomial(300, 3), 4_455_100);
        assert_eq!(binomial(200, 197), binomial(200, 3));
        assert_eq!(binomial(7, 0), 1);
        assert!(binomial(512, 40) > EXACT_BUDGET);
    }

    /// [`exact`]'s question, 64 sets at a time, answered one set at a time.
    fn one_by_one<'a>(
        parts: &'a [(NodeId, f64)],
        up: impl Fn(&[NodeId]) -> bool + 'a,
    ) -> Answers<impl FnMut(&[u64], usize) -> u64 + 'a> {
        Answers(move |lanes: &[u64], sets: usize| {
            let mut down = 0;
            for lane in 0..sets {
                let failed: Vec<NodeId> = parts
                    .iter()
                    .zip(lanes)
                    .filter(|(_, l)| (*l >> lane) & 1 == 1)
                    .map(|(p, _)| p.0)
                    .collect();
                if !up(&failed) {
                    down |= 1 << lane;
                }
            }
            down
        })
    }

    /// `t`'s cone holds a cycle of two (`p` and `q`), which is the
    /// file's largest; adding a larger cycle elsewhere (`r0`..`r5`) must
    /// not change how `t` is answered, to the bit: whether a decision
    /// diagram is tried may not hang on which cycle is the largest.
    #[test]
    fn a_cycle_elsewhere_changes_no_answer() {
        let mut text = String::from("version: 1\nservices:\n");
        text.push_str("  p: {availability: 0.99, depends_on: [{any_of: [q, u]}]}\n");
        text.push_str("  q: {availability: 0.99, depends_on: [p]}\n");
        text.push_str("  u: {availability: 0.98}\n");
        let parts: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
        for (i, s) in parts.iter().enumerate() {
            text.push_str(&format!("  {s}: {{availability: 0.9{i}}}\n"));
        }
        let pairs: Vec<String> = (0..6)
            .map(|i| format!("{{any_of: [s{}, s{}]}}", 2 * i, 2 * i + 1))
            .collect();
        text.push_str(&format!("  t: {{depends_on: [q, {}]}}\n", pairs.join(", ")));
        let mut with_ring = text.clone();
        for i in 0..6 {
            let next = (i + 1) % 6;
            with_ring.push_str(&format!(
                "  r{i}: {{availability: 0.9, depends_on: [r{next}]}}\n"
            ));
        }
        let answer = |text: String| {
            let loaded = load_str("t.yaml", text).unwrap();
            let graph = FailureGraph::build(&loaded.arch);
            let t = loaded.arch.id_of("t").unwrap();
            let a = availability_of_each(&loaded.arch, &graph, &[t], &Progress::default());
            assert_eq!(a[0].method, Method::Exact);
            a[0].availability.to_bits()
        };
        assert_eq!(answer(text), answer(with_ring));
    }

    /// 40 parts that are each up 70% of the time, 20 of them needed: too many
    /// combinations for the exact method, so Monte Carlo answers, and its
    /// interval holds the binomial truth.
    #[test]
    fn monte_carlo_interval_holds_the_truth() {
        let mut text = String::from("version: 1\nsites:\n");
        for i in 0..40 {
            text.push_str(&format!("  s{i}:\n    availability: 0.7\n"));
        }
        let members: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
        text.push_str(&format!(
            "services:\n  quorum:\n    logical: true\n    tier: high\n    depends_on: [{{ any_of: [{}], min: 20 }}]\n",
            members.join(", ")
        ));
        let loaded = load_str("t.yaml", text).unwrap();
        let graph = FailureGraph::build(&loaded.arch);
        let target = loaded.arch.id_of("quorum").unwrap();
        let result = availability(&loaded.arch, &graph, target);
        let Method::MonteCarlo { samples, ci95 } = result.method else {
            panic!("expected Monte Carlo, got {:?}", result.method);
        };
        assert_eq!(samples, SAMPLES);
        // P(at least 20 of 40 up), each up with probability 0.7.
        let mut truth = 0.0;
        for k in 20..=40u32 {
            let choose = (0..k).fold(1.0, |c, i| c * f64::from(40 - i) / f64::from(i + 1));
            truth += choose * 0.7f64.powi(k as i32) * 0.3f64.powi(40 - k as i32);
        }
        assert!(
            ci95.0 <= truth && truth <= ci95.1,
            "{truth} outside {ci95:?}"
        );
        assert!(ci95.1 - ci95.0 < 0.01);
        assert_eq!(result.parts, 40);
    }

    /// A series of two parts (0.9 and 0.8): Birnbaum importance of each is
    /// the availability of the other.
    #[test]
    fn importance_of_parts_in_series() {
        let text = "version: 1\nsites:\n  a:\n    availability: 0.9\n  b:\n    availability: 0.8\nservices:\n  s:\n    logical: true\n    tier: high\n    depends_on: [a, b]\n";
        let loaded = load_str("t.yaml", text).unwrap();
        let graph = FailureGraph::build(&loaded.arch);
        let s = loaded.arch.id_of("s").unwrap();
        let imp = importance(&loaded.arch, &graph, s).unwrap();
        let by = |id: &str| {
            imp.iter()
                .find(|i| i.part == loaded.arch.id_of(id).unwrap())
                .unwrap()
                .clone()
        };
        assert!((by("a").birnbaum - 0.8).abs() < 1e-12);
        assert!((by("b").birnbaum - 0.9).abs() < 1e-12);
        // P(down) = 1 - 0.72 = 0.28; with a down, the target is down for sure.
        assert!((by("a").raw.unwrap() - 1.0 / 0.28).abs() < 1e-9);
        assert_eq!(imp[0].part, loaded.arch.id_of("b").unwrap());
    }

    /// The steps counted for a file's targets, with no bound.
    fn steps_of(arch: &Architecture, graph: &FailureGraph, targets: &[NodeId]) -> u64 {
        let work = Budget::new(None);
        each_within(arch, graph, targets, &Progress::default(), &work).unwrap();
        work.used()
    }

    /// `top`, which needs one of each of `pairs` pairs of parts up half
    /// the time.
    fn top_over_pairs(pairs: usize) -> crate::load::Loaded {
        let mut text = String::from("version: 1\nname: t\nservices:\n");
        for i in 0..2 * pairs {
            text.push_str(&format!("  p{i}: {{ availability: 0.5 }}\n"));
        }
        let needs: Vec<String> = (0..pairs)
            .map(|i| format!("{{ any_of: [p{}, p{}] }}", 2 * i, 2 * i + 1))
            .collect();
        let needs = needs.join(", ");
        text.push_str(&format!("  top: {{ depends_on: [{needs}] }}\n"));
        load_str("s.yaml", text).unwrap()
    }

    /// Within its bound, the availability is the unbounded one; one step
    /// under, it is refused; and the count is the file's, run after run.
    #[test]
    fn a_bound_refuses_one_step_short_and_answers_at_it() {
        let exact = "version: 1\nname: t\nservices:\n  a: { availability: 0.99 }\n  \
                     b: { availability: 0.9 }\n  c: { availability: 0.999 }\n  \
                     t: { depends_on: [c, { any_of: [a, b] }] }\n";
        let loaded = load_str("t.yaml", exact.to_string()).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        // The exact method and Monte Carlo both count: `t` is exact, a
        // target of 600 parts up half the time (too many for a decision
        // diagram) is sampled.
        let sampled = top_over_pairs(300);
        for (arch, graph, name) in [
            (arch, &graph, "t"),
            (&sampled.arch, &FailureGraph::build(&sampled.arch), "top"),
        ] {
            let targets = [arch.id_of(name).unwrap()];
            let steps = steps_of(arch, graph, &targets);
            assert!(steps > 0, "{name}: {steps}");
            assert_eq!(steps_of(arch, graph, &targets), steps);
            let free = availability_of_each(arch, graph, &targets, &Progress::default());
            let p = &Progress::default();
            let bounded = availability_of_each_within(arch, graph, &targets, p, Some(steps));
            assert_eq!(bounded, Ok(free.clone()));
            let short = availability_of_each_within(arch, graph, &targets, p, Some(steps - 1));
            assert_eq!(short, Err(TooMuchWork { limit: steps - 1 }));
            let method = match name {
                "t" => matches!(free[0].method, Method::Exact),
                _ => matches!(free[0].method, Method::MonteCarlo { .. }),
            };
            assert!(method, "{name}: {:?}", free[0].method);
        }
    }

    /// Monte Carlo's share is counted before it starts: a target whose
    /// samples would draw billions of failures is refused at once.
    #[test]
    fn monte_carlo_over_the_bound_is_refused_before_it_samples() {
        let loaded = top_over_pairs(1000);
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = [arch.id_of("top").unwrap()];
        // 200,000 samples × 1,000 failures expected each.
        let p = &Progress::default();
        let refused = availability_of_each_within(arch, &graph, &targets, p, Some(200_000_000));
        assert_eq!(refused, Err(TooMuchWork { limit: 200_000_000 }));
    }

    /// Parts that fail often, many of them: the tails stop at
    /// [`MOST_FEW`] (the whole distribution would cost parts²), and a
    /// walk that needs no deeper size still answers exactly: here every
    /// part takes the target down alone, so no set of two is tried.
    #[test]
    fn tails_of_many_parts_that_fail_often_stop_at_most_few() {
        let parts: Vec<(NodeId, f64)> = (0..1000).map(|i| (NodeId(i), 0.5)).collect();
        let tail = tail_probabilities(&parts);
        assert_eq!(tail.len(), MOST_FEW + 1);
        assert!(tail[MOST_FEW] > TAIL);
        let series = || one_by_one(&parts, |failed: &[NodeId]| failed.is_empty());
        assert_eq!(exact(&parts, series()), Some(0.5f64.powi(1000)));
        assert_eq!(
            exact_lists(&Mass::of(&parts, 0), &parts, series()),
            Some(0.5f64.powi(1000))
        );
        // Any one part keeps it up: over the budget long before the tails end.
        let parallel = || one_by_one(&parts, |failed: &[NodeId]| failed.len() < parts.len());
        assert_eq!(exact(&parts, parallel()), None);
        assert_eq!(exact_lists(&Mass::of(&parts, 0), &parts, parallel()), None);
    }

    /// Over [`FEW`] parts, the first tails with the rest in one bucket are
    /// the whole distribution's, up to rounding, and stop below [`TAIL`].
    #[test]
    fn few_tails_agree_with_the_whole_distribution() {
        let parts: Vec<(NodeId, f64)> = (0..300)
            .map(|i| (NodeId(i), 0.001 * f64::from(1 + i % 5)))
            .collect();
        let few = tail_probabilities(&parts);
        let (exactly, _) = failure_counts(&parts, parts.len());
        let all = tails(&exactly, 0.0);
        assert_eq!(few.len(), FEW + 1);
        assert!(few[FEW] < TAIL);
        for (k, (a, b)) in few.iter().zip(&all).enumerate() {
            assert!((a - b).abs() <= 1e-15 * b.max(1e-300), "{k}: {a} vs {b}");
        }
        // Parts that fail often: the whole distribution.
        let often: Vec<(NodeId, f64)> = (0..40).map(|i| (NodeId(i), 0.3)).collect();
        assert_eq!(tail_probabilities(&often).len(), 41);
    }

    #[test]
    fn tail_probabilities_are_a_poisson_binomial() {
        let parts = [(NodeId(0), 0.5), (NodeId(1), 0.5)];
        let tail = tail_probabilities(&parts);
        assert!((tail[0] - 0.75).abs() < 1e-12);
        assert!((tail[1] - 0.25).abs() < 1e-12);
        assert!(tail[2].abs() < 1e-12);
    }
}
