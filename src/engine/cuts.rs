//! Minimal cut sets (format v1 §10): the smallest sets of candidates whose
//! joint failure takes a target down.
//!
//! Per target, only the candidates in its down-cone (marked by
//! `ConeMarks::mark`: candidates with a path to it along requirements that
//! carry "down") are tried, and a set is tried only when none of its
//! subsets already is a cut, which keeps every reported set minimal by
//! construction. Trying one set costs one propagation over the part of the
//! graph it reaches.
//!
//! Orders 1 and 2 are found for every target at once: each candidate is
//! failed once, then only the pairs that meet at a threshold gate (see
//! `meeting_pairs` for why no minimal pair is missed), each once, with the
//! targets each takes down recorded: O(C + P) propagations for C
//! candidates and P meeting pairs, shared by all targets, instead of C² per
//! target. Candidates alone run 64 at a time in the audit's `Lanes`
//! (`engine/lanes.rs`), spreading down alone (`Lanes::down_only`), and
//! keep the gates each takes down. A pair then costs only what it takes
//! down on top of its members: propagated from the gates where they meet
//! (`cuts/cascade.rs`), reading each member's loss from its list. Where
//! those lists would pass `gates_kept`, pairs run in batches of up to 64
//! sharing one member, that member failed once beneath them. Order K ≥ 3
//! tries every K-set of a target's cone: O(C^K) per target.

use std::collections::{HashMap, HashSet};

use crate::model::{Architecture, NodeId};

use super::audit::TargetSelection;
use super::bits::lanes_of;
use super::budget::Budget;
use super::cone::ConeMarks;
use super::graph::{FailureGraph, Gate, GateId};
use super::lanes::{Lanes, Layout};
use super::progress::Progress;
use super::propagate::{OnTop, Scratch, State};

mod cascade;

/// The minimal cut sets of one target, each sorted by id, sorted by size
/// and then by ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetCuts {
    /// The target.
    pub target: NodeId,
    /// Its minimal cut sets, each sorted, by size then lexicographically.
    pub sets: CutSets,
}

/// Sets of candidates, kept one after another in one list: a file can have
/// hundreds of millions of minimal pairs (one per target they take down),
/// and a `Vec` per pair costs four times what the pair does. Sets come
/// by size, so their sizes are kept as runs: a pair costs its 8 bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CutSets {
    members: Vec<NodeId>,
    /// (size, how many sets of that size), in the order the sets came.
    runs: Vec<(usize, usize)>,
    /// How many sets there are.
    len: usize,
}

impl CutSets {
    /// Room for `members` members, in sets of any size.
    pub fn with_capacity(members: usize) -> Self {
        CutSets {
            members: Vec::with_capacity(members),
            ..CutSets::default()
        }
    }

    /// How many sets there are.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a set after the others.
    pub fn push(&mut self, set: &[NodeId]) {
        self.members.extend_from_slice(set);
        match self.runs.last_mut() {
            Some((size, count)) if *size == set.len() => *count += 1,
            _ => self.runs.push((set.len(), 1)),
        }
        self.len += 1;
    }

    /// The sets in order.
    pub fn iter(&self) -> Sets<'_> {
        Sets {
            sets: self,
            run: 0,
            taken: 0,
            start: 0,
            left: self.len,
        }
    }

    /// Each set as its own list (for tests and small answers).
    pub fn to_vecs(&self) -> Vec<Vec<NodeId>> {
        self.iter().map(<[NodeId]>::to_vec).collect()
    }
}

impl<'a> IntoIterator for &'a CutSets {
    type Item = &'a [NodeId];
    type IntoIter = Sets<'a>;

    fn into_iter(self) -> Sets<'a> {
        self.iter()
    }
}

/// The sets of a [`CutSets`], in order.
#[derive(Clone, Debug)]
pub struct Sets<'a> {
    sets: &'a CutSets,
    /// The run the next set is in, and how many of its sets were taken.
    run: usize,
    taken: usize,
    /// Where the next set starts in the members.
    start: usize,
    left: usize,
}

impl<'a> Iterator for Sets<'a> {
    type Item = &'a [NodeId];

    fn next(&mut self) -> Option<&'a [NodeId]> {
        let &(size, count) = self.sets.runs.get(self.run)?;
        let set = self.sets.members.get(self.start..self.start + size)?;
        self.start += size;
        self.taken += 1;
        if self.taken == count {
            (self.run, self.taken) = (self.run + 1, 0);
        }
        self.left -= 1;
        Some(set)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Sets<'_> {}

/// How much a search may do: a file can make the answer itself huge (a
/// quorum of n sites that needs n - 1 has n²/2 minimal pairs, and every
/// target behind it has them all), so the CLI bounds the work and the
/// answer, and says so rather than run out of time or memory. `None`: no
/// bound.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bounds {
    /// Sets of two or more candidates listed to try, before any is tried:
    /// the pairs that meet at a threshold gate, and every set of three or
    /// more of a target's cone (a sixteenth each: most hold a smaller cut
    /// and are skipped) plus one for each such set propagated.
    pub max_tries: Option<u64>,
    /// Cut sets found, counted once per target they take down.
    pub max_sets: Option<u64>,
}

/// Which bound of [`Bounds`] a search passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TooLarge {
    /// It would try more sets than `max_tries`.
    Tries {
        /// The bound.
        limit: u64,
    },
    /// It would find more sets than `max_sets`.
    Sets {
        /// The bound.
        limit: u64,
        /// How many sets of order 1 there are, when that alone passes the
        /// bound and was counted before the search.
        order_one: Option<u64>,
    },
}

/// The two counts of [`Bounds`]. The tries counted never depend on the
/// sets found, so which bound is reported is deterministic: tries when
/// they pass, else sets.
struct Budgets {
    tries: Budget,
    sets: Budget,
    /// Whether candidates' losses may be kept for pairs, within
    /// `gates_kept` (not under [`Search::SharedPropagated`]).
    keep_gates: bool,
}

impl Budgets {
    fn new(bounds: Bounds) -> Self {
        Budgets {
            tries: Budget::new(bounds.max_tries),
            sets: Budget::new(bounds.max_sets),
            keep_gates: true,
        }
    }

    /// Whether either count is past its limit: then the rest of the search
    /// is skipped, since its answer will not be shown.
    fn passed(&self) -> bool {
        self.tries.passed() || self.sets.passed()
    }
}

/// Cut sets of order at most `max_order` for each target. Cost: see the
/// module doc, O(C^K) propagations inside the cone per target.
pub fn minimal_cut_sets(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    max_order: usize,
) -> Vec<TargetCuts> {
    minimal_cut_sets_searching(
        arch,
        graph,
        targets,
        max_order,
        &Progress::default(),
        Search::Auto,
    )
}

/// How orders 1 and 2 are searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Per target when the cones are small, shared otherwise (see
    /// `cones_are_small`).
    Auto,
    /// Each target inside its cone.
    PerTarget,
    /// Once for all targets.
    Shared,
    /// Once for all targets, each pair propagated on its base as when
    /// the candidates' losses do not fit the memory kept for them
    /// (`gates_kept`), not from where its members meet.
    SharedPropagated,
}

/// [`minimal_cut_sets`], counting work in `progress` (targets, or
/// candidates then pairs when the search is shared), within `bounds`.
/// When the search is shared and `max_sets` is set, the sets of order 1
/// are counted first (`order_one_count`), so a count past the bound is
/// refused in the time of an audit, with the count.
pub fn minimal_cut_sets_with(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    max_order: usize,
    progress: &Progress,
    bounds: Bounds,
) -> Result<Vec<TargetCuts>, TooLarge> {
    let budget = Budgets::new(bounds);
    let search = if cones_are_small(arch, graph, targets) {
        Search::PerTarget
    } else {
        Search::Shared
    };
    let mut layout = None;
    if let (Search::Shared, Some(limit)) = (search, bounds.max_sets) {
        let (order_one, counted) = order_one_count(arch, graph, targets, progress);
        if order_one > limit {
            let order_one = Some(order_one);
            return Err(TooLarge::Sets { limit, order_one });
        }
        layout = Some(counted);
    }
    let graph = (graph, layout);
    let found = bounded(arch, graph, targets, max_order, progress, search, &budget);
    if budget.tries.passed() {
        return Err(TooLarge::Tries {
            limit: budget.tries.limit(),
        });
    }
    if budget.sets.passed() {
        return Err(TooLarge::Sets {
            limit: budget.sets.limit(),
            order_one: None,
        });
    }
    Ok(found)
}

/// How many minimal cut sets of order 1 the targets have, counted per
/// target, without listing one: the audit's ranking, whose batches share
/// the failures of a large cycle's ground, where listing each candidate's
/// targets fails every one of them over the cycle again. Where the cones
/// are large, the sets of order 1 alone can grow with the square of the
/// file (every member of a cycle most targets sit behind takes down every
/// one of them), so this tells a search that cannot fit its bound in the
/// time of an audit, not of the search. Comes with the ranking's
/// [`Layout`], which the search then need not build again. O(the audit's
/// ranking).
fn order_one_count(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    progress: &Progress,
) -> (u64, Layout) {
    let named = TargetSelection::Named(targets.to_vec());
    let ranking = super::audit::rank(arch, graph, &named, progress);
    (
        ranking.targets_taken_down,
        ranking.into_layout_and_ranks().0,
    )
}

/// [`minimal_cut_sets`], searching as `search` says; both searches give
/// the same sets (the property tests run both).
pub fn minimal_cut_sets_searching(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    max_order: usize,
    progress: &Progress,
    search: Search,
) -> Vec<TargetCuts> {
    let mut unbounded = Budgets::new(Bounds::default());
    unbounded.keep_gates = search != Search::SharedPropagated;
    let graph = (graph, None);
    bounded(
        arch, graph, targets, max_order, progress, search, &unbounded,
    )
}

/// The search within `budget`; when it is passed, what comes back is
/// partial and the caller reports the bound instead.
fn bounded(
    arch: &Architecture,
    (graph, layout): (&FailureGraph, Option<Layout>),
    targets: &[NodeId],
    max_order: usize,
    progress: &Progress,
    search: Search,
    budget: &Budgets,
) -> Vec<TargetCuts> {
    let ranks = arch.id_ranks();
    let per_target = match search {
        Search::Auto => cones_are_small(arch, graph, targets),
        Search::PerTarget => true,
        Search::Shared | Search::SharedPropagated => false,
    };
    let mut out: Vec<TargetCuts> = if per_target {
        super::parallel::map_chunked(
            targets,
            16,
            progress,
            || (Scratch::new(graph), ConeMarks::new(graph)),
            |(scratch, marks), &t| {
                let order = max_order.min(2);
                let mut sets = cone_cuts(arch, graph, scratch, marks, &ranks, t, order, budget);
                if max_order >= 3 {
                    larger_cuts(
                        arch, graph, scratch, marks, &ranks, t, max_order, &mut sets, budget,
                    );
                }
                TargetCuts { target: t, sets }
            },
        )
    } else {
        let order = max_order.min(2);
        let on = (graph, layout);
        let mut small = small_cuts(arch, on, targets, order, &ranks, progress, budget);
        if max_order >= 3 {
            super::parallel::map_chunked(
                targets,
                16,
                progress,
                || (Scratch::new(graph), ConeMarks::new(graph)),
                |(scratch, marks), &t| {
                    let mut sets = small.get(&t).cloned().unwrap_or_default();
                    larger_cuts(
                        arch, graph, scratch, marks, &ranks, t, max_order, &mut sets, budget,
                    );
                    TargetCuts { target: t, sets }
                },
            )
        } else {
            targets
                .iter()
                .map(|&t| TargetCuts {
                    target: t,
                    sets: small.remove(&t).unwrap_or_default(),
                })
                .collect()
        }
    };
    out.sort_by_key(|c| ranks[c.target.index()]);
    out
}

/// Whether the targets' cones hold few candidates next to the whole file
/// (at most 32 times the candidates, summed over targets). Then each
/// target's search stays inside its own small cone; else the cones overlap
/// so much that one search shared by all targets costs less.
///
/// Over [`MOST_SAMPLED`] targets, the sum is estimated from every `k`th
/// target's cone (the first of each `k`, so the same ones on every run),
/// scaled by `k`. Both searches give the same sets, so the estimate
/// only picks the cheaper: summing every cone cost 0.7 s on 100,000
/// `tree` services (1 s over two threads), more than the choice saves.
/// O(the sampled cones), stopping as soon as the bound is passed.
fn cones_are_small(arch: &Architecture, graph: &FailureGraph, targets: &[NodeId]) -> bool {
    let candidates = arch.nodes.iter().filter(|n| n.is_candidate()).count();
    let bound = candidates.saturating_mul(32);
    let k = targets.len().div_ceil(MOST_SAMPLED).max(1);
    let mut marks = ConeMarks::new(graph);
    let mut total = 0usize;
    for &t in targets.iter().step_by(k) {
        total += marks.mark(arch, graph, t).len().saturating_mul(k);
        if total > bound {
            return false;
        }
    }
    true
}

/// Most targets whose cones [`cones_are_small`] marks.
const MOST_SAMPLED: usize = 1024;

/// Cut sets of order 1 and 2 (as `max_order` allows) of one target, found
/// inside its cone: each candidate of the cone is failed once, then only
/// the pairs that meet at a threshold gate (`meeting_pairs`). O(C + P)
/// propagations inside the cone.
#[allow(clippy::too_many_arguments)]
fn cone_cuts(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    marks: &mut ConeMarks,
    ranks: &[u32],
    target: NodeId,
    max_order: usize,
    budget: &Budgets,
) -> CutSets {
    let mut cone = marks.mark(arch, graph, target);
    cone.sort_by_key(|id| ranks[id.index()]);
    let mut found = CutSets::default();
    let mut is_cut = vec![false; cone.len()];
    let mut reach = vec![0usize; cone.len()];
    let mut meeting: HashMap<GateId, Vec<(usize, Vec<GateId>)>> = HashMap::new();
    for (i, &c) in cone.iter().enumerate() {
        scratch.propagate_along(graph, &[c], |n| marks.dependents(n));
        reach[i] = scratch.changed.len();
        if scratch.state(target.into()) == State::Down {
            found.push(&[c]);
            is_cut[i] = true;
        } else if max_order >= 2 {
            for g in met_gates(graph, scratch, |n| marks.dependents(n)) {
                meeting.entry(g).or_default().push((
                    i,
                    down_members(graph, g, |m| scratch.state(m) == State::Down),
                ));
            }
        }
        scratch.reset(graph);
    }
    if max_order < 2 {
        return found;
    }
    let met: Vec<Met<'_>> = (meeting.iter())
        .flat_map(|(&g, list)| list.iter().map(move |(i, m)| (g, m.as_slice(), *i as u32)))
        .collect();
    let mut on_top = OnTop::default();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let Some(listed) = meeting_pairs(graph, met, budget, |i| reach[i]) else {
        return found;
    };
    for (base, top) in grouped(listed).list {
        if is_cut[base] || is_cut[top] {
            continue;
        }
        if budget.passed() {
            break;
        }
        on_top.propagate(scratch, graph, &[cone[base], cone[top]], |n| {
            marks.dependents(n)
        });
        if scratch.state(target.into()) == State::Down {
            pairs.push((base.min(top), base.max(top)));
        }
        on_top.undo(scratch);
    }
    on_top.clear(scratch, graph);
    budget.sets.spend((found.len() + pairs.len()) as u64);
    // Back in rank order (the cone is in rank order), as §10 asks.
    pairs.sort_unstable();
    for (a, b) in pairs {
        found.push(&[cone[a], cone[b]]);
    }
    found
}

/// The pairs as they are best tried: `(base, top)`, the member whose
/// failure alone reaches more first ([`Meet::bigger_first`]), sorted by
/// base (the list can hold tens of millions). Runs of pairs sharing a base
/// propagate it once ([`OnTop`], or beneath a batch of [`Lanes`]), so a
/// pair costs what its smaller member reaches on top of the bigger, not
/// what its member later in rank order reaches: on the `layered` shape,
/// where a platform service's failure reaches most of the file, that is a
/// fifth of the work.
///
/// Each pair comes once, with the gates it meets at ([`Pairs::at`]). A
/// pair that meets at several gates was listed at each: kept as 4 bytes
/// a gate beside 24 a pair, not a pair per gate (on `hub` at 30,000
/// services, a list of pairs 168 MB long before they were taken once).
///
/// `meets` come from [`meeting_pairs`] as they are best tried, sorted,
/// each once: a second sort of them was a tenth of the search on 100,000
/// `anyof` services. O(P).
fn grouped(meets: Vec<Meet>) -> Pairs {
    debug_assert!(meets.is_sorted());
    let mut pairs = Pairs::default();
    for run in meets.chunk_by(|x, y| x.pair == y.pair) {
        let (base, top) = run[0].pair;
        pairs.list.push((base as usize, top as usize));
        pairs.from.push(pairs.at.len());
        pairs.at.extend(run.iter().map(|m| m.at));
    }
    pairs.from.push(pairs.at.len());
    pairs
}

/// Two candidates (positions in the candidate list) that meet at the
/// threshold gate `at` with enough members down between them to take it
/// down ([`meeting_pairs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Meet {
    pair: (u32, u32),
    at: GateId,
}

impl Meet {
    /// `a` and `b` meeting at `at`, the lower first. Positions in the
    /// candidates fit in 32 bits, as node ids do.
    fn new(a: usize, b: usize, at: GateId) -> Self {
        let pair = (a.min(b) as u32, a.max(b) as u32);
        Meet { pair, at }
    }

    /// The pair as it is best tried ([`grouped`]): `(base, top)`, the
    /// member whose failure alone reaches more (`reach`) first, the lower
    /// first when they reach as much. A function of the pair alone, so
    /// that a pair listed at several gates stays one pair.
    fn bigger_first(self, reach: &impl Fn(usize) -> usize) -> Self {
        let (a, b) = self.pair;
        let pair = if reach(b as usize) > reach(a as usize) {
            (b, a)
        } else {
            (a, b)
        };
        Meet { pair, ..self }
    }
}

/// The pairs to try at order 2 ([`grouped`]), each once, with the
/// gates each meets at: where [`cascade`] starts its propagation.
#[derive(Default)]
struct Pairs {
    /// (base, top), positions in the candidates, sorted.
    list: Vec<(usize, usize)>,
    /// Pair `i` meets at `at[from[i]..from[i + 1]]`.
    from: Vec<usize>,
    at: Vec<GateId>,
}

impl Pairs {
    /// The gates the `i`th pair meets at.
    fn meets_at(&self, i: usize) -> &[GateId] {
        &self.at[self.from[i]..self.from[i + 1]]
    }
}

/// The threshold gates the propagated scenario takes a member of without
/// taking the gate down (along `dependents`), sorted, each once: where a
/// second failure could finish what this one started.
fn met_gates<'a>(
    graph: &FailureGraph,
    scratch: &Scratch,
    dependents: impl Fn(GateId) -> &'a [(GateId, crate::model::Mode)],
) -> Vec<GateId> {
    let mut met: Vec<GateId> = scratch
        .changed
        .iter()
        .filter(|&&m| scratch.state(m) == State::Down)
        .flat_map(|&m| dependents(m).iter().map(|&(g, _)| g))
        .filter(|&g| matches!(graph.gate(g), Gate::AtLeast { .. }))
        .filter(|&g| scratch.state(g) != State::Down)
        .collect();
    met.sort_unstable();
    met.dedup();
    met
}

/// The members of threshold gate `g` that are down, sorted, duplicates kept
/// (a member listed twice counts twice towards the gate's `members`).
/// `down` tells which gates are down.
fn down_members(graph: &FailureGraph, g: GateId, down: impl Fn(GateId) -> bool) -> Vec<GateId> {
    let mut members: Vec<GateId> = graph
        .requirements(g)
        .iter()
        .map(|&(m, _)| m)
        .filter(|&m| down(m))
        .collect();
    members.sort_unstable();
    members
}

/// One candidate's failure: the targets it takes down, sorted, and the
/// threshold gates it takes a member of without taking the gate down, with
/// the members it takes down (sorted).
#[derive(Default)]
struct Single {
    down: Vec<NodeId>,
    /// Every gate it takes down, itself included, sorted: kept for pairs
    /// ([`cascade`]) where every candidate's fit in [`gates_kept`].
    gates: Vec<GateId>,
    /// How many gates it takes down, itself included: what propagating
    /// it costs.
    reach: usize,
    meets: Meets,
}

/// The threshold gates a failure takes a member of without taking the
/// gate down, sorted, each with those members (sorted, duplicates kept),
/// one after another in one list: a list per gate was millions of small
/// allocations on 100,000 `anyof` services, freed on one thread.
#[derive(Default)]
struct Meets {
    /// Each gate, with where its members start in `members`.
    gates: Vec<(GateId, u32)>,
    members: Vec<GateId>,
}

impl Meets {
    /// Adds gate `g`, after the others, with `members`.
    fn push(&mut self, g: GateId, members: impl Iterator<Item = GateId>) {
        let start = self.members.len();
        self.members.extend(members);
        self.members[start..].sort_unstable();
        // A failure's members down fit in 32 bits, as the graph's edges do.
        self.gates.push((g, start as u32));
    }

    /// The gates in order, each with its members.
    fn iter(&self) -> impl Iterator<Item = (GateId, &[GateId])> + '_ {
        let ends = (self.gates.iter().skip(1).map(|&(_, start)| start as usize))
            .chain([self.members.len()]);
        (self.gates.iter().zip(ends))
            .map(|(&(g, start), end)| (g, &self.members[start as usize..end]))
    }
}

/// Cut sets of order 1 and 2 for every target at once. Each candidate is
/// failed once for all targets (C propagations); then only the pairs that
/// meet at a threshold gate are failed, once each for all targets (see
/// `meeting_pairs` for why no minimal pair is missed). O((C + P) · R), R
/// the part of the graph a failure reaches, P the pairs that meet.
fn small_cuts(
    arch: &Architecture,
    (graph, layout): (&FailureGraph, Option<Layout>),
    targets: &[NodeId],
    max_order: usize,
    ranks: &[u32],
    progress: &Progress,
    budget: &Budgets,
) -> HashMap<NodeId, CutSets> {
    let mut is_target = vec![false; arch.nodes.len()];
    for t in targets {
        is_target[t.index()] = true;
    }
    let mut candidates: Vec<NodeId> = arch
        .node_ids()
        .filter(|&id| arch.node(id).is_candidate())
        .collect();
    candidates.sort_by_key(|id| ranks[id.index()]);
    let layout = layout.unwrap_or_else(|| Layout::new(graph));
    let meets = max_order >= 2;
    let kept = std::sync::atomic::AtomicUsize::new(0);
    let mut singles = singles(
        (graph, &layout),
        &candidates,
        &is_target,
        meets.then_some(&kept),
        progress,
        budget,
    );
    // Every candidate's gates, or none: pairs go one way or the other.
    let cascading = budget.keep_gates && kept.into_inner() <= gates_kept(graph);
    if !cascading {
        singles.iter_mut().for_each(|s| s.gates = Vec::new());
    }
    // The sets of order 1 alone: what is asked for below order 2, and
    // what comes back (partial, reported as the bound) once the budget is
    // passed.
    let alone = |singles: &[Single]| by_target(arch, &candidates, singles, (&[], Vec::new()));
    if budget.passed() || max_order < 2 {
        return alone(&singles);
    }
    let met: Vec<Met<'_>> = (singles.iter().enumerate())
        .flat_map(|(i, s)| (s.meets.iter()).map(move |(g, m)| (g, m, i as u32)))
        .collect();
    let Some(listed) = meeting_pairs(graph, met, budget, |i| singles[i].reach) else {
        return alone(&singles);
    };
    // Not needed past here, and as long as the pairs' lists.
    singles.iter_mut().for_each(|s| s.meets = Meets::default());
    let mut pairs = grouped(listed);
    if !cascading {
        (pairs.from, pairs.at) = (Vec::new(), Vec::new());
    }
    // Up to 64 pairs sharing a base to a batch, each with where it starts.
    let batches: Vec<(usize, PairBatch<'_>)> = (pairs.list)
        .chunk_by(|x, y| x.0 == y.0)
        .flat_map(|run| run.chunks(64))
        .scan(0, |first, batch| {
            let this = *first;
            *first += batch.len();
            Some((this, batch))
        })
        .collect();
    let plain: Vec<PairBatch<'_>> = batches.iter().map(|b| b.1).collect();
    let found = if cascading {
        let with = (&singles[..], &pairs);
        cascade::pairs_down(graph, &batches, with, &is_target, progress, budget)
    } else {
        pairs_down(
            (graph, &layout),
            &plain,
            &candidates,
            &singles,
            &is_target,
            progress,
            budget,
        )
    };
    if budget.passed() {
        return alone(&singles);
    }
    by_target(arch, &candidates, &singles, (&plain, found))
}

/// Each target's sets: those of order 1 (`singles`, in candidate order),
/// then its pairs from `found` (each batch's, [`pairs_down`]), each
/// target's in the order of their members' positions in `candidates`:
/// rank order, as §10 asks (candidates are in rank order). Each pair is
/// tried once, so no set comes twice.
///
/// Each target's list is made at its size, and the pairs are moved out of
/// `found` a batch at a time, then each target's are sorted on their own:
/// a whole file's pairs are in memory once or twice over (8 bytes each in
/// `found`, 8 while sorted, 8 in the lists), never more. Sorting one
/// copy of them all and pushing them into growing lists took up to 44
/// bytes a pair (2.8 GB for `hub` at 100,000 services). O(nodes + sets +
/// each target's pairs × log of them).
fn by_target(
    arch: &Architecture,
    candidates: &[NodeId],
    singles: &[Single],
    (batches, found): (&[PairBatch<'_>], Vec<Vec<PairDown>>),
) -> HashMap<NodeId, CutSets> {
    let mut slots = Slots::new(arch.nodes.len());
    for &t in singles.iter().flat_map(|s| &s.down) {
        slots.sizes_of(t).0 += 1;
    }
    for down in found.iter().flatten() {
        slots.sizes_of(down.target).1 += 1;
    }
    let Slots { of, targets, sizes } = slots;
    let slot_of = |t: NodeId| of[t.index()] as usize;
    let mut pairs: Vec<Vec<[u32; 2]>> = (sizes.iter())
        .map(|&(_, n)| Vec::with_capacity(n))
        .collect();
    for (batch, found) in batches.iter().zip(found) {
        for down in found {
            let (x, y) = batch[usize::from(down.lane)];
            // Positions in `candidates`, which node ids number.
            pairs[slot_of(down.target)].push([x.min(y) as u32, x.max(y) as u32]);
        }
    }
    let mut cuts: Vec<CutSets> = (sizes.iter())
        .map(|&(ones, twos)| CutSets::with_capacity(ones + 2 * twos))
        .collect();
    for (i, s) in singles.iter().enumerate() {
        for &t in &s.down {
            cuts[slot_of(t)].push(&[candidates[i]]);
        }
    }
    // Each target's list on its own, so on every thread.
    super::parallel::each_with(&mut cuts, pairs, |sets, mut listed| {
        listed.sort_unstable();
        for [a, b] in listed {
            sets.push(&[candidates[a as usize], candidates[b as usize]]);
        }
    });
    targets.into_iter().zip(cuts).collect()
}

/// Each target's place in [`by_target`]'s lists, in the order they come,
/// with its numbers of sets of order 1 and 2.
struct Slots {
    /// Per node, its place, or [`Slots::NONE`].
    of: Vec<u32>,
    /// Per place, the target.
    targets: Vec<NodeId>,
    /// Per place, (sets of order 1, pairs).
    sizes: Vec<(usize, usize)>,
}

impl Slots {
    const NONE: u32 = u32::MAX;

    fn new(nodes: usize) -> Self {
        Slots {
            of: vec![Self::NONE; nodes],
            targets: Vec::new(),
            sizes: Vec::new(),
        }
    }

    /// The sizes of `t`'s lists, given a place if it had none.
    fn sizes_of(&mut self, t: NodeId) -> &mut (usize, usize) {
        let slot = &mut self.of[t.index()];
        if *slot == Self::NONE {
            *slot = self.targets.len() as u32;
            self.targets.push(t);
            self.sizes.push((0, 0));
        }
        &mut self.sizes[*slot as usize]
    }
}

/// Up to 64 pairs `(base, top)` (positions in the candidates) sharing
/// their base, failed together ([`pairs_down`]).
type PairBatch<'a> = &'a [(usize, usize)];

/// A target that a pair of a batch takes down and neither member does
/// alone: the pair is the batch's `lane`th. The pairs found can number
/// hundreds of millions (one per target each takes down), so they are
/// kept in 8 bytes until each target's list is built.
#[derive(Clone, Copy, Debug)]
struct PairDown {
    target: NodeId,
    lane: u8,
}

/// The targets each pair of each batch (up to 64 pairs `(base, top)`,
/// positions in `candidates`, sharing their base) takes down that neither
/// member does alone, batch by batch.
///
/// Each batch is failed in one set of [`Lanes`], the base
/// failed once in every lane and each top in its own
/// ([`Lanes::fail_on_base`]), so a batch costs what its tops reach on top
/// of the base together, not each alone: on the `layered` shape, where
/// the tops of a base reach much the same gates, a large part of 64 times
/// less. A batch's sets come by target, in no order [`by_target`] needs.
/// O(batches · (gates reached on top + gates / 64 + the targets its tops
/// take down alone)).
fn pairs_down(
    (graph, layout): (&FailureGraph, &Layout),
    batches: &[PairBatch<'_>],
    candidates: &[NodeId],
    singles: &[Single],
    is_target: &[bool],
    progress: &Progress,
    budget: &Budgets,
) -> Vec<Vec<PairDown>> {
    // A batch at a time: the batches of a base that reaches most of the
    // file cost far more than the rest, and a chunk of them was one
    // thread's work while the other waited (on 100,000 `tree` services,
    // 1.2 s of the search's 2.3 s).
    let pool = std::sync::Mutex::new(Vec::new());
    super::parallel::map_pooled(
        batches,
        progress,
        (&pool, || {
            (Lanes::down_only(layout), None, vec![0u64; is_target.len()])
        }),
        |(lanes, on, alone), batch| {
            let Some(&(base, _)) = batch.first() else {
                return Vec::new();
            };
            if budget.passed() {
                return Vec::new();
            }
            if *on != Some(base) {
                lanes.fail_base(layout, candidates[base]);
                *on = Some(base);
            }
            let tops: Vec<NodeId> = batch.iter().map(|&(_, top)| candidates[top]).collect();
            lanes.fail_on_base(layout, &tops);
            // Per node, the lanes whose top takes it down alone, or is it:
            // there a target down is no new set. A word per node, set and
            // cleared for the tops' targets alone, costs what a batch
            // finds; sorting what it finds by lane, to merge each lane's
            // with its top's, cost a tenth of the search on `chain`.
            let tops_alone = |lane: usize| {
                let top = batch[lane].1;
                (singles[top].down.iter().copied()).chain([candidates[top]])
            };
            for lane in 0..batch.len() {
                for t in tops_alone(lane) {
                    alone[t.index()] |= 1 << lane;
                }
            }
            let mut new: Vec<PairDown> = Vec::new();
            for (g, on_base) in lanes.changed_on_base(layout) {
                let Some(t) = graph.node_of(g).filter(|t| is_target[t.index()]) else {
                    continue;
                };
                if on_base == 0 && t != candidates[base] {
                    let fresh = lanes.down(g) & !alone[t.index()];
                    // A batch has at most 64 lanes.
                    new.extend(lanes_of(fresh).map(|lane| PairDown {
                        target: t,
                        lane: lane as u8,
                    }));
                }
            }
            for lane in 0..batch.len() {
                for t in tops_alone(lane) {
                    alone[t.index()] = 0;
                }
            }
            if !budget.sets.spend(new.len() as u64) {
                return Vec::new();
            }
            // Kept until every batch is done: without the room their
            // growth left over (up to as much again as they hold).
            new.shrink_to_fit();
            new
        },
    )
}

/// What failing each candidate alone does, 64 candidates at a time in
/// [`Lanes`]: the targets it takes down, and (when `meets`) the threshold
/// gates it takes a member of without taking the gate down, with those
/// members. Each target a candidate takes down alone is an order-1 set,
/// counted in `budget` batch by batch: where candidates take most of a
/// large file down, those lists are what would fill the memory, so once
/// the bound is passed the rest come back empty. O(batches · (gates
/// reached + their edges + gates / 64)).
fn singles(
    (graph, layout): (&FailureGraph, &Layout),
    candidates: &[NodeId],
    is_target: &[bool],
    kept: Option<&std::sync::atomic::AtomicUsize>,
    progress: &Progress,
    budget: &Budgets,
) -> Vec<Single> {
    let meets = kept.is_some();
    let batches: Vec<&[NodeId]> = candidates.chunks(64).collect();
    let empty = |n: usize| std::iter::repeat_with(Single::default).take(n).collect();
    // A batch at a time, as pairs are: a batch that reaches most of the
    // file was left to one thread at the end of its chunk.
    let pool = std::sync::Mutex::new(Vec::new());
    let found = super::parallel::map_pooled(
        &batches,
        progress,
        (&pool, || Lanes::down_only(layout)),
        |lanes, batch| {
            if budget.passed() {
                return empty(batch.len());
            }
            lanes.fail_each(layout, batch);
            let mut out: Vec<(Single, Vec<GateId>)> = Vec::with_capacity(batch.len());
            out.resize_with(batch.len(), Default::default);
            for &g in lanes.touched() {
                let down = lanes.down(g);
                for lane in lanes_of(down) {
                    out[lane].0.reach += 1;
                }
                if let Some(t) = graph.node_of(g).filter(|t| is_target[t.index()]) {
                    for lane in lanes_of(down).filter(|&lane| batch[lane] != t) {
                        out[lane].0.down.push(t);
                    }
                }
                if meets && down != 0 {
                    for &(d, _) in graph.dependents(g) {
                        if matches!(graph.gate(d), Gate::AtLeast { .. }) {
                            for lane in lanes_of(down & !lanes.down(d)) {
                                out[lane].1.push(d);
                            }
                        }
                    }
                }
            }
            for (single, _) in &mut out {
                single.down.sort_unstable();
                single.down.dedup();
            }
            if let Some(kept) = kept.filter(|_| budget.keep_gates) {
                keep_gates(lanes, &mut out, kept, gates_kept(graph));
            }
            let alone: usize = out.iter().map(|(single, _)| single.down.len()).sum();
            if !budget.sets.spend(alone as u64) {
                return empty(batch.len());
            }
            out.into_iter()
                .enumerate()
                .map(|(lane, (mut single, mut met))| {
                    met.sort_unstable();
                    met.dedup();
                    let down_in = |&m: &GateId| lanes.down(m) >> lane & 1 == 1;
                    for g in met {
                        let members = graph.requirements(g).iter().map(|&(m, _)| m);
                        single.meets.push(g, members.filter(down_in));
                    }
                    single
                })
                .collect::<Vec<Single>>()
        },
    );
    found.into_iter().flatten().collect()
}

/// How many gates, over every candidate's list, [`Single::gates`] may
/// hold: 128 per gate of the graph (512 bytes each, and as much again at
/// most for the bits of the longest, `cascade::bits_of_long_lists`), and
/// never more than [`MOST_GATES_KEPT`]. Pairs take their members' losses
/// from those lists ([`cascade`]); past the bound (where losses grow with
/// the square of the file) each pair propagates its top member on its base
/// instead ([`pairs_down`]). On `hub` at 100,000 services the lists hold
/// 68 gates per gate of the graph: with a bound of 32 its pairs ran on
/// their bases in 12.7 s, and from where they meet they take 8.0 s, with
/// 3% more memory (1,188 MB); at 30,000, 4.15 s and 535 MB against 2.86 s
/// and 470 MB.
fn gates_kept(graph: &FailureGraph) -> usize {
    graph.len().saturating_mul(128).min(MOST_GATES_KEPT)
}

/// The most gates [`gates_kept`] allows whatever the graph: 256 MB of
/// lists (and at most as much of bits), so that a file of millions of
/// services whose losses are large keeps to the batches on a base.
const MOST_GATES_KEPT: usize = 1 << 26;

/// Keeps each lane's gates down in `out`'s [`Single::gates`], sorted,
/// while `kept` (what every batch kept, counted) stays within `bound`.
/// O(the gates down in the lanes × log of them).
fn keep_gates(
    lanes: &Lanes,
    out: &mut [(Single, Vec<GateId>)],
    kept: &std::sync::atomic::AtomicUsize,
    bound: usize,
) {
    let here: usize = out.iter().map(|(single, _)| single.reach).sum();
    let before = kept.fetch_add(here, std::sync::atomic::Ordering::Relaxed);
    if before.saturating_add(here) > bound {
        return;
    }
    for &g in lanes.touched() {
        for lane in lanes_of(lanes.down(g)) {
            out[lane].0.gates.push(g);
        }
    }
    for (single, _) in out {
        single.gates.sort_unstable();
    }
}

/// Adds to `sets` (the target's cuts of order 1 and 2) those of order 3
/// up to `max_order`, trying every set of that size in the target's cone
/// that holds no smaller cut: O(C^K) propagations inside the cone.
#[allow(clippy::too_many_arguments)]
fn larger_cuts(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    marks: &mut ConeMarks,
    ranks: &[u32],
    target: NodeId,
    max_order: usize,
    sets: &mut CutSets,
    budget: &Budgets,
) {
    let mut cone = marks.mark(arch, graph, target);
    // Most sets hold a smaller cut and are skipped without a propagation,
    // so a set looked at counts as a sixteenth of a try, paid up front (the
    // enumeration is bounded before it starts); a set propagated counts
    // as one more, as it goes.
    let looked_at: u64 = (3..=max_order.min(cone.len()))
        .map(|k| binomial(cone.len() as u64, k as u64))
        .fold(0, u64::saturating_add);
    if !budget.tries.spend(looked_at / 16) {
        return;
    }
    let mut propagated: u64 = 0;
    cone.sort_by_key(|id| ranks[id.index()]);
    let mut known: HashSet<Vec<NodeId>> = sets.iter().map(<[NodeId]>::to_vec).collect();
    let mut set = Vec::with_capacity(max_order);
    // Combinations come in lexicographic order: runs share all but their
    // last member.
    let mut on_top = OnTop::default();
    for order in 3..=max_order.min(cone.len()) {
        let mut indices: Vec<usize> = (0..order).collect();
        loop {
            set.clear();
            set.extend(indices.iter().map(|&i| cone[i]));
            if !has_cut_subset(&set, &known) {
                propagated += 1;
                if propagated % 4096 == 0 && !budget.tries.spend(4096) {
                    break;
                }
                on_top.propagate(scratch, graph, &set, |n| marks.dependents(n));
                if scratch.state(target.into()) == State::Down {
                    // Known even past the sets' bound, so that what is
                    // tried (and counted) never depends on that bound.
                    known.insert(set.clone());
                    if budget.sets.spend(1) {
                        sets.push(&set);
                    }
                }
                on_top.undo(scratch);
            }
            if !next_combination(&mut indices, cone.len()) {
                break;
            }
        }
    }
    budget.tries.spend(propagated % 4096);
    on_top.clear(scratch, graph);
}

/// The pairs worth trying at order 2, each as (lower, higher) position in
/// the candidate list, with each threshold gate where the two meet with
/// enough members down between them to take it down, sorted.
///
/// Why only these: let {a, b} take the target down while neither alone
/// does. Down-ness is derived (§7) from failed nodes by two rules: a hard
/// requirement down, or too few members of a threshold gate not down. Take
/// the first gate derived under {a, b} that neither a nor b takes down
/// alone. Everything it was derived from is down under a or under b, so it
/// is no all-gate (its one down requirement would take it down under that
/// failure alone): it is a threshold gate with a member down under a and a
/// member down under b, down under neither alone; and since it is down,
/// more than `members - min` of its members are down, each under a or
/// under b. So a and b both meet at it with enough members between them,
/// and the pair is listed.
///
/// Candidates that take the same members of a gate down never pair there
/// (together they take what each does, too few), so each gate's list is
/// grouped by members first: O(G² + P) set unions for G groups and P
/// pairs listed, no propagation. Every pair listed, and every union that
/// lists none, is counted in `budget`; `None` once it is passed.
///
/// Each pair comes as it is best tried ([`Meet::bigger_first`], by
/// `reach`), so that the one sort that takes each pair and gate once also
/// sorts the pairs by base.
fn meeting_pairs(
    graph: &FailureGraph,
    mut met: Vec<Met<'_>>,
    budget: &Budgets,
    reach: impl Fn(usize) -> usize,
) -> Option<Vec<Meet>> {
    // By gate, then by members: each gate's groups side by side.
    super::parallel::sort_unstable(&mut met);
    let gates: Vec<&[Met<'_>]> = met.chunk_by(|x, y| x.0 == y.0).collect();
    // Gate by gate on every thread: the gates of a large cone number
    // hundreds of thousands, and listing them on one thread was a tenth of
    // the search on `popular` at 100,000 services.
    let listed = super::parallel::fold_chunked(
        &gates,
        256,
        &Progress::default(),
        Vec::new,
        |pairs, list| pairs_at(graph, list, budget, pairs),
        |pairs| pairs,
    );
    if budget.tries.passed() {
        return None;
    }
    let mut pairs = listed.concat();
    pairs.iter_mut().for_each(|m| *m = m.bigger_first(&reach));
    // On every thread: the pairs of a large cone number millions (0.3 s
    // on one thread for 100,000 `tree` services).
    super::parallel::sort_unstable(&mut pairs);
    pairs.dedup();
    pairs.shrink_to_fit();
    Some(pairs)
}

/// A candidate meeting at a threshold gate: the gate, the members the
/// candidate's failure takes down there (sorted), and its position in
/// the candidates.
type Met<'a> = (GateId, &'a [GateId], u32);

/// Adds to `pairs` those that meet at the gate of `list` (every candidate
/// meeting there, sorted by members), counting the work in `budget` as
/// [`meeting_pairs`] says; stops once the budget is passed.
fn pairs_at(graph: &FailureGraph, list: &[Met<'_>], budget: &Budgets, pairs: &mut Vec<Meet>) {
    let Some(&(g, _, _)) = list.first() else {
        return;
    };
    let Gate::AtLeast { min, members } = graph.gate(g) else {
        return;
    };
    if budget.tries.passed() {
        return;
    }
    // Down, the gate has more than `members - min` members down, each
    // down under a or under b.
    let needed = (members - min.min(members)) as usize + 1;
    let groups: Vec<&[Met<'_>]> = list.chunk_by(|x, y| x.1 == y.1).collect();
    let mut work: u64 = 0;
    for (k, first) in groups.iter().enumerate() {
        for second in &groups[k + 1..] {
            // A union that lists pairs counts as the pairs it lists; one
            // that does not, as one.
            let meet = union_len(first[0].1, second[0].1) >= needed;
            work += if meet {
                (first.len() as u64).saturating_mul(second.len() as u64)
            } else {
                1
            };
            // Counted as it goes, and before pairs are listed, so a huge
            // list stops early and takes no memory.
            if work >= 1 << 16 {
                if !budget.tries.spend(work) {
                    return;
                }
                work = 0;
            }
            if meet {
                for &(_, _, a) in *first {
                    let with = |&(_, _, b): &Met<'_>| Meet::new(a as usize, b as usize, g);
                    pairs.extend(second.iter().map(with));
                }
            }
        }
    }
    budget.tries.spend(work);
}

/// n choose k, saturating: how many sets of k a cone of n holds.
fn binomial(n: u64, k: u64) -> u64 {
    if k > n {
        return 0;
    }
    let mut c: u64 = 1;
    for i in 0..k {
        // Exact at every step: c is (n choose i) times (n - i) / (i + 1).
        c = match c.checked_mul(n - i) {
            Some(v) => v / (i + 1),
            None => return u64::MAX,
        };
    }
    c
}

/// The size of the union of two sorted lists, as multisets (an element
/// counts as often as it appears in the list holding it more often).
fn union_len(a: &[GateId], b: &[GateId]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
        n += 1;
    }
    n + (a.len() - i) + (b.len() - j)
}

/// Whether a proper subset of `set` (same order as `set`) is a known cut.
fn has_cut_subset(set: &[NodeId], known: &HashSet<Vec<NodeId>>) -> bool {
    if known.is_empty() || set.len() < 2 {
        return false;
    }
    let n = set.len();
    // Proper, non-empty subsets; sets here have at most a handful of members.
    (1..(1u32 << n) - 1).any(|mask| {
        let subset: Vec<NodeId> = (0..n)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| set[i])
            .collect();
        known.contains(&subset)
    })
}

/// Advances `indices` to the next k-combination of 0..n in lexicographic order.
fn next_combination(indices: &mut [usize], n: usize) -> bool {
    let k = indices.len();
    for i in (0..k).rev() {
        if indices[i] < n - k + i {
            indices[i] += 1;
            for j in i + 1..k {
                indices[j] = indices[j - 1] + 1;
            }
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn binomials_are_exact_and_saturate() {
        assert_eq!(binomial(5, 2), 10);
        assert_eq!(binomial(100_000, 3), 166_661_666_700_000);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(u64::MAX, 3), u64::MAX);
    }

    /// A quorum of 6 sites that needs 5 has 15 minimal pairs: a bound of
    /// 15 tries or 15 sets finds them all, 14 refuses, and no bound finds
    /// the same.
    #[test]
    fn the_bound_counts_the_pairs_listed() {
        let mut text = String::from("version: 1\nsites:\n");
        for i in 0..6 {
            text.push_str(&format!("  s{i}: {{}}\n"));
        }
        text.push_str(
            "services:\n  api: {tier: high, runs_in: {sites: [s0, s1, s2, s3, s4, s5], min: 5}}\n",
        );
        let arch = load_str("q.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let api = arch.id_of("api").unwrap();
        let p = Progress::default();
        let all = minimal_cut_sets(&arch, &graph, &[api], 2);
        assert_eq!(all[0].sets.len(), 15);
        let tries = |n| Bounds {
            max_tries: Some(n),
            max_sets: None,
        };
        let sets = |n| Bounds {
            max_tries: None,
            max_sets: Some(n),
        };
        let with = |bounds| minimal_cut_sets_with(&arch, &graph, &[api], 2, &p, bounds);
        assert_eq!(with(tries(15)), Ok(all.clone()));
        assert_eq!(with(tries(14)), Err(TooLarge::Tries { limit: 14 }));
        assert_eq!(with(sets(15)), Ok(all.clone()));
        assert_eq!(
            with(sets(14)),
            Err(TooLarge::Sets {
                limit: 14,
                order_one: None
            })
        );
        assert_eq!(with(Bounds::default()), Ok(all));
    }

    /// `p` runs in both `a` and `b`; `r` needs `p` or `qa` (in `a`), `s`
    /// needs `p` or `qb` (in `b`). The pair {a, b} meets at `p`'s
    /// placement, and from there takes `r` and `s` down only by reading
    /// what each member takes down alone: `qa` under one, `qb` under the
    /// other, whichever is the base. Every search finds {a, b} for `r`,
    /// `s` and `t` (which needs both), among the pairs with the services.
    #[test]
    fn a_pair_from_where_it_meets_reads_what_each_member_takes_down() {
        let text = "version: 1\nsites:\n  a: {}\n  b: {}\nservices:\n  \
            p: {runs_in: [a, b]}\n  qa: {runs_in: a}\n  qb: {runs_in: b}\n  \
            extra: {runs_in: b}\n  \
            r: {tier: high, logical: true, depends_on: [{any_of: [p, qa]}]}\n  \
            s: {tier: high, logical: true, depends_on: [{any_of: [p, qb]}]}\n  \
            t: {tier: high, logical: true, depends_on: [r, s]}\n";
        let arch = load_str("meet.yaml", text.to_string()).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let id = |name: &str| arch.id_of(name).unwrap();
        let targets = [id("r"), id("s"), id("t")];
        let p = Progress::default();
        let mut pair = vec![id("a"), id("b")];
        pair.sort_by_key(|n| arch.id_ranks()[n.index()]);
        let inside = minimal_cut_sets_searching(&arch, &graph, &targets, 2, &p, Search::PerTarget);
        assert_eq!(inside.len(), 3);
        for cuts in &inside {
            assert!(cuts.sets.to_vecs().contains(&pair), "{cuts:?}");
        }
        for search in [Search::Shared, Search::SharedPropagated] {
            let found = minimal_cut_sets_searching(&arch, &graph, &targets, 2, &p, search);
            assert_eq!(found, inside, "{search:?}");
        }
    }

    /// `app` needs `x` (on `dc-a`) or `y`, and `y` (logical, so no
    /// candidate) needs 70 services, each on its own site: 2 × 140
    /// minimal pairs, so a base has more
    /// tops than one batch of lanes holds, and a cycle (`y0` and `y1`
    /// need each other) sits among them. The shared search, in batches on
    /// a base, finds what the search inside the cone finds.
    #[test]
    fn many_pairs_on_one_base_take_several_batches() {
        let mut text = String::from("version: 1\nsites:\n  dc-a: {}\n");
        for i in 0..70 {
            text.push_str(&format!("  s{i}: {{}}\n"));
        }
        text.push_str("services:\n  x: {runs_in: dc-a}\n");
        for i in 0..70 {
            let back = if i < 2 {
                format!(", depends_on: [y{}]", 1 - i)
            } else {
                String::new()
            };
            text.push_str(&format!("  y{i}: {{runs_in: s{i}{back}}}\n"));
        }
        let ys: Vec<String> = (0..70).map(|i| format!("y{i}")).collect();
        text.push_str(&format!(
            "  y: {{logical: true, depends_on: [{}]}}\n",
            ys.join(", ")
        ));
        text.push_str("  app: {tier: high, logical: true, depends_on: [{any_of: [x, y]}]}\n");
        let arch = load_str("many.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let app = arch.id_of("app").unwrap();
        let p = Progress::default();
        let shared = minimal_cut_sets_searching(&arch, &graph, &[app], 2, &p, Search::Shared);
        let inside = minimal_cut_sets_searching(&arch, &graph, &[app], 2, &p, Search::PerTarget);
        let search = Search::SharedPropagated;
        let propagated = minimal_cut_sets_searching(&arch, &graph, &[app], 2, &p, search);
        assert_eq!(shared, inside);
        assert_eq!(propagated, inside);
        let sets = shared[0].sets.to_vecs();
        assert_eq!(sets.len(), 2 * 140);
        let (dc, y5) = (arch.id_of("dc-a").unwrap(), arch.id_of("y5").unwrap());
        let mut pair = vec![dc, y5];
        pair.sort_by_key(|id| arch.id_ranks()[id.index()]);
        assert!(sets.contains(&pair));
    }

    /// One site under 100 targets is 100 order-1 sets: the shared search
    /// counts them as the candidates are failed, so a bound of 99 is
    /// passed there (before any pair is listed) and one of 100 is not.
    /// 100 `high` services in site `dc`, each needing the one before
    /// when `in_line`; the graph, and the services as targets.
    fn hundred_in_dc(in_line: bool) -> (Architecture, FailureGraph, Vec<NodeId>) {
        in_dc(100, in_line)
    }

    /// `n` services in one data center, each needing the one before it
    /// when `in_line`; every service a target.
    fn in_dc(n: usize, in_line: bool) -> (Architecture, FailureGraph, Vec<NodeId>) {
        let mut text = String::from("version: 1\nsites:\n  dc: {}\nservices:\n");
        for i in 0..n {
            let needs = match i {
                i if in_line && i > 0 => format!(", depends_on: [s{}]", i - 1),
                _ => String::new(),
            };
            text.push_str(&format!("  s{i}: {{tier: high, runs_in: dc{needs}}}\n"));
        }
        let arch = load_str("dc.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let targets: Vec<NodeId> = arch
            .node_ids()
            .filter(|&t| arch.node(t).tier().is_some())
            .collect();
        (arch, graph, targets)
    }

    #[test]
    fn the_shared_search_counts_sets_of_one_as_it_finds_them() {
        let (arch, graph, targets) = hundred_in_dc(false);
        let p = Progress::default();
        for (limit, passed) in [(99, true), (100, false)] {
            let budget = Budgets::new(Bounds {
                max_tries: None,
                max_sets: Some(limit),
            });
            let on = (&graph, None);
            let found = bounded(&arch, on, &targets, 2, &p, Search::Shared, &budget);
            assert_eq!(budget.sets.passed(), passed, "limit {limit}");
            assert!(!budget.tries.passed());
            let sets: usize = found.iter().map(|c| c.sets.len()).sum();
            assert_eq!(sets, if passed { 0 } else { 100 });
        }
    }

    /// Past [`MOST_SAMPLED`] targets the sum of the cones is estimated
    /// from a sample: 3,000 services that need nothing have cones of one
    /// candidate (their site), and a line of 3,000 cones of 1,500 on
    /// average, far past 32 times the file's candidates.
    #[test]
    fn the_sampled_sum_of_the_cones_tells_small_from_large() {
        let (arch, graph, targets) = in_dc(3_000, false);
        assert!(cones_are_small(&arch, &graph, &targets));
        let (arch, graph, targets) = in_dc(3_000, true);
        assert!(!cones_are_small(&arch, &graph, &targets));
    }

    /// A line of 100 services, each needing the one before: every cone
    /// holds the services before it, so the cones are large, the search
    /// is shared, and the sets of order 1 (4,950 and the site's 100) are
    /// counted before it starts. One set fewer than that refuses with the
    /// count; as many does not.
    #[test]
    fn sets_of_order_one_are_counted_before_a_shared_search() {
        let (arch, graph, targets) = hundred_in_dc(true);
        assert!(!cones_are_small(&arch, &graph, &targets));
        let all = minimal_cut_sets(&arch, &graph, &targets, 1);
        let order_one: u64 = all.iter().map(|c| c.sets.len() as u64).sum();
        assert_eq!(order_one, 4_950 + 100);
        let with = |limit| {
            let bounds = Bounds {
                max_tries: None,
                max_sets: Some(limit),
            };
            minimal_cut_sets_with(&arch, &graph, &targets, 2, &Progress::default(), bounds)
        };
        let order_one = Some(order_one);
        assert_eq!(
            with(5_049).err(),
            Some(TooLarge::Sets {
                limit: 5_049,
                order_one
            })
        );
        assert_eq!(with(5_050).map(|found| found.len()), Ok(100));
    }

    /// Sets of any size, in any order of sizes, come back as pushed: the
    /// runs of sizes split where the size changes, and a set of none is
    /// a set.
    #[test]
    fn cut_sets_come_back_as_pushed() {
        let id = |i: u32| NodeId(i);
        let pushed: Vec<Vec<NodeId>> = vec![
            vec![id(3)],
            vec![id(1)],
            vec![id(1), id(2)],
            vec![id(0), id(4)],
            vec![id(5)],
            vec![],
            vec![id(1), id(2), id(3), id(4)],
            vec![id(6), id(7)],
        ];
        let mut sets = CutSets::with_capacity(3);
        for set in &pushed {
            sets.push(set);
        }
        assert_eq!(sets.len(), pushed.len());
        assert_eq!(sets.iter().len(), pushed.len());
        assert_eq!(sets.to_vecs(), pushed);
        let mut it = sets.iter();
        it.next();
        assert_eq!(it.size_hint(), (7, Some(7)));
        assert!(CutSets::default().iter().next().is_none());
        assert!(CutSets::default().is_empty() && !sets.is_empty());
    }

    #[test]
    fn combinations_in_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    }
}
