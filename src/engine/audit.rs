//! `audit`: the single points of failure (format v1 §8).
//!
//! Every candidate (a site or a non-logical service) is failed alone; the
//! propagation touches only what depends on it, so the whole audit costs
//! the sum of the blast radii rather than candidates × nodes. Candidates
//! run in parallel, each worker with its own [`Scratch`].

use std::sync::Mutex;

use rayon::prelude::*;

use super::parallel;

use crate::model::{Architecture, NodeId, Tier};

use super::chain::cause_chain;
use super::graph::FailureGraph;
use super::progress::Progress;
use super::propagate::{Scratch, State};

/// Which services and integrations matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSelection {
    /// Every service and integration of at least this tier.
    MinTier(Tier),
    /// Exactly these nodes.
    Named(Vec<NodeId>),
}

impl Default for TargetSelection {
    fn default() -> Self {
        TargetSelection::MinTier(Tier::High)
    }
}

impl TargetSelection {
    /// A flag per node: is it a target?
    pub fn flags(&self, arch: &Architecture) -> Vec<bool> {
        match self {
            TargetSelection::MinTier(min) => arch
                .nodes
                .iter()
                .map(|n| n.tier().is_some_and(|t| t >= *min))
                .collect(),
            TargetSelection::Named(ids) => {
                let mut flags = vec![false; arch.nodes.len()];
                for id in ids {
                    flags[id.index()] = true;
                }
                flags
            }
        }
    }
}

/// One single point of failure and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spof {
    /// The candidate.
    pub id: NodeId,
    /// Every node down when `id` fails, except `id`; sorted by id.
    pub takes_down: Vec<NodeId>,
    /// Every node degraded when `id` fails; sorted by id.
    pub degrades: Vec<NodeId>,
    /// Sum of `users` over the nodes down, `id` included.
    pub users_affected: u64,
    /// Every target taken down, sorted by id.
    pub targets: Vec<NodeId>,
    /// The targets shown (all of them, unless [`Ranking::details_showing`]
    /// was given fewer), sorted by id, each with a cause chain that ends at
    /// `id`.
    pub chains: Vec<(NodeId, Vec<NodeId>)>,
    /// How many of those targets are `critical`.
    pub critical_down: usize,
}

/// Everything the audit found, ranked as format v1 §9 says.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Audit {
    /// The single points of failure, ranked (format v1 §9).
    pub spofs: Vec<Spof>,
    /// How many targets there were.
    pub targets: usize,
    /// How many candidates were failed one by one.
    pub candidates: usize,
}

/// Fails each candidate alone and keeps those that take a target down,
/// with every detail, ranked.
///
/// Cost: two propagations per single point of failure and one per other
/// candidate, each over the part of the graph the failure reaches:
/// O(C · (V + E)) at worst, run on every core. Memory holds every detail;
/// to write a large audit, walk [`Ranking::details`] instead.
pub fn audit(arch: &Architecture, graph: &FailureGraph, targets: &TargetSelection) -> Audit {
    audit_with(arch, graph, targets, &Progress::default())
}

/// [`audit`], counting candidates tried in `progress`.
pub fn audit_with(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
) -> Audit {
    let ranking = rank(arch, graph, targets, progress);
    Audit {
        spofs: ranking.details(arch, graph).collect(),
        targets: ranking.targets,
        candidates: ranking.candidates,
    }
}

/// The single points of failure in ranked order, without their details.
///
/// The details of one SPOF (what it takes down, a chain per target) can be
/// as large as the graph, and a densely connected file has thousands of
/// SPOFs: kept together they would not fit in memory. So the audit ranks
/// first, keeping a few numbers per candidate, and recomputes the details
/// of each SPOF when they are written.
#[derive(Clone, Debug)]
pub struct Ranking {
    /// The single points of failure, most harmful first (format v1 §9).
    pub order: Vec<NodeId>,
    /// How many nodes each of them takes down, to size the batches of details.
    down: Vec<usize>,
    /// How many targets there were.
    pub targets: usize,
    /// How many candidates were failed one by one.
    pub candidates: usize,
    is_target: Vec<bool>,
    ranks: Vec<u32>,
}

/// What ranking needs to know of one single point of failure.
struct Impact {
    id: NodeId,
    critical_down: usize,
    users_affected: u64,
    down: usize,
    /// The targets taken down, when asked for (in id-rank order).
    targets: Vec<NodeId>,
}

/// One single point of failure without its chains: the targets it takes
/// down (in id order) and the users affected.
pub type TargetsTaken = (NodeId, Vec<NodeId>, u64);

/// Ranks the single points of failure: one propagation per candidate, in
/// parallel, counting candidates tried in `progress`.
///
/// Cost: O(C · (V + E)) at worst for C candidates, in practice the sum of
/// what each failure reaches; memory O(V) per thread and a few numbers per
/// SPOF.
pub fn rank(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
) -> Ranking {
    rank_inner(arch, graph, targets, progress, false, |_, _| ()).0
}

/// [`rank`], keeping what each single point of failure takes down: the
/// targets and users of [`Ranking::details`] without the chains, from the
/// same propagations (none more). Memory: the targets of every SPOF.
pub fn rank_keeping_targets(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
) -> (Ranking, Vec<TargetsTaken>) {
    let (ranking, taken, _) = rank_inner(arch, graph, targets, progress, true, |_, _| ());
    (ranking, taken)
}

/// [`rank_keeping_targets`], also showing each candidate's failure to
/// `visit` (the scratch holds its down states; degraded ones are not
/// computed), so that other rules read the same propagation instead of
/// failing every candidate again. What `visit` returns comes back in
/// candidate order. Cost: the ranking's, plus what `visit` reads.
pub fn rank_visiting<T: Send>(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
    visit: impl Fn(&Scratch, NodeId) -> T + Sync,
) -> (Ranking, Vec<TargetsTaken>, Vec<T>) {
    rank_inner(arch, graph, targets, progress, true, visit)
}

fn rank_inner<T: Send>(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
    keep: bool,
    visit: impl Fn(&Scratch, NodeId) -> T + Sync,
) -> (Ranking, Vec<TargetsTaken>, Vec<T>) {
    let is_target = targets.flags(arch);
    let ranks = arch.id_ranks();
    let candidates = arch.candidates();
    let results = parallel::map_chunked(
        &candidates,
        64,
        progress,
        || Scratch::new(graph),
        |scratch, &c| {
            let found = impact(arch, graph, scratch, &is_target, c, keep);
            let seen = visit(scratch, c);
            scratch.reset(graph);
            (found, seen)
        },
    );
    // One pass, no second copy of the results: they are one per candidate.
    let mut found: Vec<Impact> = Vec::new();
    let mut seen = Vec::with_capacity(results.len());
    for (impact, visited) in results {
        found.extend(impact);
        seen.push(visited);
    }
    found.sort_by(|a, b| {
        b.critical_down
            .cmp(&a.critical_down)
            .then(b.users_affected.cmp(&a.users_affected))
            .then(b.down.cmp(&a.down))
            .then(arch.name_of(a.id).cmp(arch.name_of(b.id)))
    });
    let ranking = Ranking {
        down: found.iter().map(|i| i.down).collect(),
        order: found.iter().map(|i| i.id).collect(),
        targets: is_target.iter().filter(|&&t| t).count(),
        candidates: candidates.len(),
        is_target,
        ranks,
    };
    let taken = if keep {
        found
            .into_iter()
            .map(|mut i| {
                i.targets
                    .sort_unstable_by_key(|id| ranking.ranks[id.index()]);
                (i.id, i.targets, i.users_affected)
            })
            .collect()
    } else {
        Vec::new()
    };
    (ranking, taken, seen)
}

impl Ranking {
    /// The work the ranking's propagations did, roughly: one per candidate
    /// plus every node its single points of failure took down. Other work
    /// (checking fixes) is budgeted against it, so that it stays within a
    /// constant factor of the audit's.
    pub fn work(&self) -> usize {
        self.candidates + self.down.iter().sum::<usize>()
    }

    /// Every SPOF with its details, in ranked order. Batches are computed
    /// in parallel, each holding about a million nodes' worth of details at
    /// most, and only one batch is held at a time.
    pub fn details<'a>(
        &'a self,
        arch: &'a Architecture,
        graph: &'a FailureGraph,
    ) -> impl Iterator<Item = Spof> + 'a {
        self.details_showing(arch, graph, None)
    }

    /// [`Ranking::details`] with cause chains for at most `chains` targets
    /// of each SPOF (`None`: all): the most important first, then by id.
    /// A chain can be as long as the file, so all of them cost up to the
    /// cube of a file's size (a line of n services, each needing the one
    /// before); a few per SPOF keep it to the square.
    pub fn details_showing<'a>(
        &'a self,
        arch: &'a Architecture,
        graph: &'a FailureGraph,
        chains: Option<usize>,
    ) -> impl Iterator<Item = Spof> + 'a {
        // Graph-sized buffers are made once per thread, not once per batch.
        let pool: Mutex<Vec<Scratch>> = Mutex::new(Vec::new());
        self.batches().flat_map(move |range| {
            let spofs: Vec<Spof> = self.order[range]
                .par_iter()
                .filter_map(|&c| {
                    let taken = pool.lock().ok().and_then(|mut p| p.pop());
                    let mut scratch = taken.unwrap_or_else(|| Scratch::new(graph));
                    let spof = single(
                        arch,
                        graph,
                        &mut scratch,
                        (&self.is_target, &self.ranks),
                        c,
                        chains,
                    );
                    scratch.reset(graph);
                    if let Ok(mut p) = pool.lock() {
                        p.push(scratch);
                    }
                    spof
                })
                .collect();
            spofs
        })
    }

    /// Consecutive ranges of [`Ranking::order`] small enough to hold at
    /// once: a SPOF that takes down d nodes holds at most d targets with
    /// chains of at most d + 1 ids, so a batch stops at 2^26 for the sum of
    /// (d + 1)², or 4,096 SPOFs, but holds at least two per thread so that
    /// the threads have work. (A bound on d alone let a line of 2,000
    /// services, each needing the one before, hold 5 GB of chains.)
    fn batches(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        const IDS: usize = 1 << 26;
        const MOST: usize = 4096;
        let least = 2 * rayon::current_num_threads();
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= self.order.len() {
                return None;
            }
            let mut end = start;
            let mut ids: usize = 0;
            while end < self.order.len() && end - start < MOST && (end - start < least || ids < IDS)
            {
                let held = self.down[end] + 1;
                ids = ids.saturating_add(held.saturating_mul(held));
                end += 1;
            }
            let range = start..end;
            start = end;
            Some(range)
        })
    }
}

fn impact(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    is_target: &[bool],
    c: NodeId,
    keep: bool,
) -> Option<Impact> {
    // Only down states are read here: degraded ones need not be computed.
    scratch.propagate_down(graph, &[c]);
    let mut impact = Impact {
        id: c,
        critical_down: 0,
        users_affected: arch.node(c).users(),
        down: 0,
        targets: Vec::new(),
    };
    let mut hits_target = false;
    for &g in &scratch.changed {
        let Some(n) = graph.node_of(g) else { continue };
        if n == c || scratch.state(g) != State::Down {
            continue;
        }
        let node = arch.node(n);
        impact.down += 1;
        // Never saturates for a loaded file: the loader bounds the total of all users.
        impact.users_affected = impact.users_affected.saturating_add(node.users());
        if is_target[n.index()] {
            hits_target = true;
            if keep {
                impact.targets.push(n);
            }
            if node.tier() == Some(Tier::Critical) {
                impact.critical_down += 1;
            }
        }
    }
    hits_target.then_some(impact)
}

/// The findings for candidate `c`, or `None` when it takes no target down;
/// `by_node` is which nodes are targets and each node's rank by id.
/// Cost: one propagation and one cause chain per target shown (`chains`
/// of them, the most important first; `None`: all).
pub fn single(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    by_node: (&[bool], &[u32]),
    c: NodeId,
    chains: Option<usize>,
) -> Option<Spof> {
    let (is_target, ranks) = by_node;
    scratch.propagate(graph, &[c]);
    // The real nodes that changed, other than `c` itself.
    let changed = || {
        scratch
            .changed
            .iter()
            .filter_map(|&g| graph.node_of(g).map(|n| (g, n)))
            .filter(|&(_, n)| n != c)
    };
    let hits_target =
        changed().any(|(g, n)| is_target[n.index()] && scratch.state(g) == State::Down);
    if !hits_target {
        return None;
    }
    let mut takes_down = Vec::new();
    let mut degrades = Vec::new();
    for (g, n) in changed() {
        match scratch.state(g) {
            State::Down => takes_down.push(n),
            _ => degrades.push(n),
        }
    }
    takes_down.sort_unstable_by_key(|id| ranks[id.index()]);
    degrades.sort_unstable_by_key(|id| ranks[id.index()]);
    let users_affected = takes_down
        .iter()
        .chain(std::iter::once(&c))
        .fold(0u64, |sum, id| sum.saturating_add(arch.node(*id).users()));
    let targets: Vec<NodeId> = takes_down
        .iter()
        .copied()
        .filter(|id| is_target[id.index()])
        .collect();
    let mut shown = targets.clone();
    if let Some(most) = chains.filter(|&most| most < targets.len()) {
        // The most important first, by id among equals (a stable sort).
        shown.sort_by_key(|t| std::cmp::Reverse(arch.node(*t).tier()));
        shown.truncate(most);
        shown.sort_unstable_by_key(|id| ranks[id.index()]);
    }
    let chains: Vec<(NodeId, Vec<NodeId>)> = shown
        .into_iter()
        .map(|t| (t, cause_chain(graph, scratch, t)))
        .collect();
    let critical_down = targets
        .iter()
        .filter(|t| arch.node(**t).tier() == Some(Tier::Critical))
        .count();
    Some(Spof {
        id: c,
        takes_down,
        degrades,
        users_affected,
        targets,
        chains,
        critical_down,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Batches cover the ranking in order, hold at least two SPOFs per
    /// thread, and past that stay within 2^26 for the sum of (d + 1)²: on
    /// a line of 2,000 services (SPOF i takes down 1,999 - i nodes) the
    /// first batch holds the minimum, not a thousand SPOFs.
    #[test]
    fn batches_cover_the_ranking_within_their_bound() {
        let n = 2_000;
        let ranking = Ranking {
            order: (0..n as u32).map(NodeId).collect(),
            down: (0..n).map(|i| n - 1 - i).collect(),
            targets: n,
            candidates: n,
            is_target: vec![true; n],
            ranks: (0..n as u32).collect(),
        };
        let least = 2 * rayon::current_num_threads();
        let batches: Vec<std::ops::Range<usize>> = ranking.batches().collect();
        let mut next = 0;
        for b in &batches {
            assert_eq!(b.start, next);
            assert!(!b.is_empty());
            let before_last: usize = ranking.down[b.start..b.end - 1]
                .iter()
                .map(|d| (d + 1) * (d + 1))
                .sum();
            assert!(b.len() <= least || before_last < 1 << 26, "{b:?}");
            next = b.end;
        }
        assert_eq!(next, n);
        assert!(batches[0].len() <= least.max(17), "{:?}", batches[0]);
    }
}
