//! `audit`: the single points of failure (format v1 §8).
//!
//! Every candidate (a site or a non-logical service) is failed alone, 64
//! at a time (see `engine/lanes.rs`): a batch touches only what its
//! failures reach, so the whole audit costs about a sixty-fourth of the sum
//! of the blast radii. The candidates of one large hard component share a
//! lane (see `engine/sharing.rs`). Batches run in parallel, each worker
//! with its own buffers.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::Mutex;

use super::parallel;

use crate::model::{Architecture, NodeId, Tier};

use super::bits::{lanes_of, LaneCounts};
use super::graph::{FailureGraph, GateId};
use super::lanes::{BaseStates, Beneath, ChainSearch, Ground, Grounds, Lanes, Layout, SharedMaps};
use super::progress::Progress;
use super::sharing::Sharing;
use super::targets::{Added, Targets};

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
    /// Every node down when `id` fails, except `id`; sorted by id. Empty
    /// unless listed ([`Shown::lists`]).
    pub takes_down: Vec<NodeId>,
    /// Every node degraded when `id` fails; sorted by id. Empty unless
    /// listed.
    pub degrades: Vec<NodeId>,
    /// Sum of `users` over the nodes down, `id` included.
    pub users_affected: u64,
    /// Every target taken down, sorted by id. Empty unless listed.
    pub targets: Vec<NodeId>,
    /// The targets shown (all of them, unless [`Ranking::details_showing`]
    /// was given fewer), sorted by id, each with a cause chain that ends at
    /// `id`.
    pub chains: Vec<(NodeId, Vec<NodeId>)>,
    /// How many of those targets are `critical`.
    pub critical_down: usize,
    /// How many nodes it takes down and degrades, listed or not.
    pub reach: Reach,
    /// Whether it is shown with others that fail together with it
    /// ([`Shown::fold`]).
    pub fold: Fold,
}

impl Spof {
    /// `id`, shown with `head` ([`Fold::Into`]): nothing but its id.
    fn folded(id: NodeId, head: NodeId) -> Spof {
        Spof {
            id,
            takes_down: Vec::new(),
            degrades: Vec::new(),
            users_affected: 0,
            targets: Vec::new(),
            chains: Vec::new(),
            critical_down: 0,
            reach: Reach::default(),
            fold: Fold::Into(head),
        }
    }
}

/// SPOFs that fail together, shown as one ([`Shown::fold`]): for a large
/// hard cycle (see `engine/sharing.rs`), its members and the candidates it takes
/// down that are sure to take it down, that rank alike (the same critical
/// targets, users and nodes down). A failure of any of them takes all of
/// them down, and with them the same nodes, so a person reads one entry,
/// not thousands alike. The first of them by id stands for the rest.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Fold {
    /// Shown on its own.
    #[default]
    Alone,
    /// Shown for these others too (sorted by id).
    Head(Vec<NodeId>),
    /// Shown with this one (ranked before it), so not described.
    Into(NodeId),
}

/// How far one single point of failure reaches, counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Reach {
    /// Nodes down, itself left out.
    pub down: usize,
    /// Nodes degraded.
    pub degraded: usize,
    /// Targets down.
    pub targets: usize,
    /// Targets down by tier: `critical`, `high`, `medium`, `low` (as
    /// [`Tier::NAMES`]).
    pub by_tier: [usize; 4],
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
/// Cost: each candidate failed once and each single point of failure once
/// more, 64 at a time, each batch over the part of the graph its failures
/// reach: O(C / 64 · (V + E)) at worst, run on every core, plus the
/// details (every node down, sorted; a chain per target). Memory holds every detail;
/// to write a large audit, walk [`Ranking::details`] instead.
pub fn audit(arch: &Architecture, graph: &FailureGraph, targets: &TargetSelection) -> Audit {
    audit_with(arch, graph, targets, &Progress::default())
}

/// [`audit`], counting batches of 64 candidates done in `progress`.
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
    /// The users each of them affects.
    users: Vec<u64>,
    /// The SPOF each of them fails together with and is shown with, if
    /// any ([`Fold`]).
    folded_into: Vec<Option<NodeId>>,
    /// How many targets there were.
    pub targets: usize,
    /// How many candidates were failed one by one.
    pub candidates: usize,
    /// The targets each single point of failure takes down, summed: the
    /// minimal cut sets of order 1, counted per target, known before any
    /// is listed.
    pub targets_taken_down: u64,
    /// Gate evaluations the ranking's batches made (for tests of their
    /// cost: nothing budgets against them).
    #[cfg(test)]
    evaluations: usize,
    is_target: Vec<bool>,
    ranks: Vec<u32>,
    layout: Layout,
    target_order: TargetOrder,
}

/// What ranking needs to know of one single point of failure.
struct Impact {
    id: NodeId,
    /// The lane of its batch that stands for it.
    lane: usize,
    critical_down: usize,
    users_affected: u64,
    down: usize,
    /// The targets taken down, when asked for (most important first).
    targets: Targets,
    /// How many targets it takes down.
    targets_down: usize,
    /// The SPOF described as the ranking pass was asked to, if it was
    /// (boxed: most candidates are not SPOFs, and every one has an Impact
    /// while its batch is counted).
    described: Option<Box<Spof>>,
    /// The SPOF it fails together with and is shown with, if any
    /// ([`Fold`]).
    folded_into: Option<NodeId>,
}

/// One single point of failure without its chains: the targets it takes
/// down (the most important tier first, in id order within a tier) and the
/// users affected.
pub type TargetsTaken = (NodeId, Targets, u64);

/// Ranks the single points of failure: every candidate failed alone, 64
/// at a time, batches in parallel, counting batches done in `progress`.
///
/// Cost: O(C / 64 · (V + E)) at worst for C candidates, in practice the
/// union of what each batch's failures reach, plus handing each node down
/// to the lanes it is down in (the sum of the blast radii, a bit at a
/// time); memory O(V) per thread and a few numbers per SPOF.
pub fn rank(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
) -> Ranking {
    rank_inner(
        arch,
        graph,
        targets,
        progress,
        (false, None),
        |_, _, _, _| (),
    )
    .0
}

/// [`rank`], also describing each single point of failure as `shown`
/// asks, from the same propagations, when it asks for no lists (as human
/// output does): then the details cost no second propagation. Pass what
/// comes back to [`Ranking::details_described`].
pub fn rank_showing(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
    shown: Shown,
) -> (Ranking, Described) {
    let held = AtomicUsize::new(0);
    let early = (!shown.lists).then_some((shown, &held));
    let (ranking, _, _, spofs) = rank_inner(
        arch,
        graph,
        targets,
        progress,
        (false, early),
        |_, _, _, _| (),
    );
    (ranking, Described { shown, spofs })
}

/// Single points of failure described before they are written, by place in
/// the ranking (`None`: to describe when written).
#[derive(Debug)]
pub struct Described {
    shown: Shown,
    spofs: Vec<Option<Spof>>,
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
    let (ranking, taken, _, _) = rank_inner(
        arch,
        graph,
        targets,
        progress,
        (true, None),
        |_, _, _, _| (),
    );
    (ranking, taken)
}

/// [`rank_keeping_targets`], also showing each batch of failures to
/// `visit` (the [`Lanes`] hold their states; a lane may stand for more
/// candidates than the one it failed, as the [`Sharing`] says), so that
/// other rules read the same propagation instead of failing every
/// candidate again. What `visit` returns comes back batch by batch, in no
/// particular order. A batch failed from the states under a ground comes
/// with them ([`BaseStates`]): the gates of those states it did not change
/// ([`Lanes::beyond_beneath`]) are down (or degraded) in every lane, so
/// `visit` may read them once per ground, not once per batch; it is also
/// given the ids' ranks ([`Architecture::id_ranks`], made once). Cost: the
/// ranking's, plus what `visit` reads.
pub(crate) fn rank_visiting<T: Send>(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
    visit: impl Fn(&Lanes, &Sharing, Option<BaseStates<'_>>, &[u32]) -> T + Sync,
) -> (Ranking, Vec<TargetsTaken>, Vec<T>) {
    let (ranking, taken, seen, _) = rank_inner(arch, graph, targets, progress, (true, None), visit);
    (ranking, taken, seen)
}

fn rank_inner<T: Send>(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
    (keep, early): (bool, Option<(Shown, &AtomicUsize)>),
    visit: impl Fn(&Lanes, &Sharing, Option<BaseStates<'_>>, &[u32]) -> T + Sync,
) -> (Ranking, Vec<TargetsTaken>, Vec<T>, Vec<Option<Spof>>) {
    let is_target = targets.flags(arch);
    // Independent, and both before anything can start.
    let (ranks, layout) = rayon::join(|| arch.id_ranks(), || Layout::new(graph));
    let candidates = arch.candidates();
    // Neighbours in the layout share much of what their failures reach,
    // so a batch of them costs little more than one of them.
    let mut by_position = candidates.clone();
    by_position.sort_unstable_by_key(|&c| layout.position(GateId::from(c)));
    let reached = layout.grounds_of_gates();
    // The batches and the states under their grounds on one thread, the
    // targets' order and who fails together on another: independent, and
    // at a million services a second each.
    let ((sharing, failed, grounds), (target_order, together)) = rayon::join(
        || {
            let (sharing, failed) = Sharing::new(&layout, &reached, by_position, &ranks);
            let batches: Vec<&[NodeId]> = failed.chunks(LANES).collect();
            let grounds = Grounds::new(&layout, reached.clone(), &batches);
            (sharing, failed, grounds)
        },
        || {
            let order = TargetOrder::new(arch, &is_target, &ranks);
            let together = Together::new(
                (arch, graph, &layout),
                &reached,
                (&is_target, &ranks),
                &order,
            );
            (order, together)
        },
    );
    drop(reached);
    let batches: Vec<&[NodeId]> = failed.chunks(LANES).collect();
    let bases: Vec<Base> = (grounds.states(&layout))
        .map(|states| {
            Base::of(
                (arch, graph, &is_target),
                states,
                keep.then_some(&target_order),
            )
        })
        .collect();
    let order = &target_order;
    let describer = Describer {
        is_target: &is_target,
        ranks: &ranks,
        layout: &layout,
        order,
    };
    // A batch in a cycle that most failures reach costs a thousand times
    // one at the edge of the graph, and such batches sit side by side in
    // the layout: threads take them one at a time.
    let pool = Mutex::new(Vec::new());
    let shared = Arc::new(SharedMaps::default());
    let out = parallel::map_pooled(
        &batches,
        progress,
        (&pool, || {
            (Lanes::new(&layout), ChainSearch::sharing(&shared))
        }),
        |(lanes, search), batch| {
            let base = grounds.fail_each(lanes, &layout, batch);
            let base_states = base.map(|i| grounds.base(&layout, i));
            let base = base.and_then(|i| bases.get(i));
            let mut impacts = impacts(
                (arch, graph, &sharing),
                (lanes, base),
                (&is_target, &together),
                keep.then_some(order),
            );
            if let Some((shown, held)) = early {
                let lanes = (&*lanes, base.map(|b| &b.counts), search);
                describer.describe_impacts(arch, graph, lanes, &mut impacts, shown, held);
            }
            (impacts, visit(lanes, &sharing, base_states, &ranks))
        },
    );
    #[cfg(test)]
    let evaluations = (pool.into_inner().unwrap_or_default().iter())
        .map(|(lanes, _)| lanes.evaluations())
        .sum();
    let mut found: Vec<Impact> = Vec::new();
    let mut seen = Vec::with_capacity(batches.len());
    for (impacts, visited) in out {
        found.extend(impacts);
        seen.push(visited);
    }
    // Ids are unique, so the key has no ties: an unstable sort gives the
    // one order, and ids compare by their rank (as strings would) without
    // reading a node.
    found.sort_unstable_by_key(|i| {
        let id = ranks.get(i.id.index()).copied().unwrap_or(u32::MAX);
        (
            Reverse(i.critical_down),
            Reverse(i.users_affected),
            Reverse(i.down),
            id,
        )
    });
    let described = match early {
        Some(_) => found
            .iter_mut()
            .map(|i| i.described.take().map(|d| *d))
            .collect(),
        None => Vec::new(),
    };
    let ranking = Ranking {
        down: found.iter().map(|i| i.down).collect(),
        users: found.iter().map(|i| i.users_affected).collect(),
        folded_into: found.iter().map(|i| i.folded_into).collect(),
        order: found.iter().map(|i| i.id).collect(),
        targets: is_target.iter().filter(|&&t| t).count(),
        candidates: candidates.len(),
        targets_taken_down: found.iter().map(|i| i.targets_down as u64).sum(),
        #[cfg(test)]
        evaluations,
        is_target,
        ranks,
        layout,
        target_order,
    };
    let taken = if keep {
        found
            .into_iter()
            .map(|i| (i.id, i.targets, i.users_affected))
            .collect()
    } else {
        Vec::new()
    };
    (ranking, taken, seen, described)
}

/// The targets, the most important tier first and in id order within a
/// tier, as findings list them.
#[derive(Clone, Debug, Default)]
struct TargetOrder {
    list: Vec<NodeId>,
    /// Each node's place in that order (targets only).
    key: Vec<u32>,
}

impl TargetOrder {
    fn new(arch: &Architecture, is_target: &[bool], ranks: &[u32]) -> Self {
        let mut list: Vec<NodeId> = arch.node_ids().filter(|n| is_target[n.index()]).collect();
        let tier = |n: &NodeId| std::cmp::Reverse(arch.node(*n).tier());
        list.sort_unstable_by_key(|n| (tier(n), ranks[n.index()]));
        let mut key = vec![0; is_target.len()];
        for (k, n) in list.iter().enumerate() {
            key[n.index()] = k as u32;
        }
        TargetOrder { list, key }
    }

    /// Whether the batch `lanes` holds reached few gates against the
    /// targets: callers then gather each lane's targets from the gates it
    /// touched, for [`TargetOrder::firsts`] to sort.
    fn few(&self, lanes: &Lanes) -> bool {
        lanes.touched().len().saturating_mul(8) < self.list.len()
    }

    /// The first `most` targets down of each lane, in this order, into
    /// `found`: when the batch reached [few](TargetOrder::few) gates,
    /// `found` holds each lane's targets, gathered unsorted, and is sorted
    /// and cut; else it is empty and the list is read until every lane has
    /// `most` or the list ends. The lanes of `skip` are left as they are
    /// (their candidates share a list: see [`Together`]).
    fn firsts(&self, lanes: &Lanes, (most, skip): (usize, u64), found: &mut [Vec<NodeId>]) {
        if self.few(lanes) {
            self.firsts_gathered(most, !0, found);
            return;
        }
        self.firsts_read(lanes, (most, lanes_held(found.len()) & !skip), found);
    }

    /// The first `most` of each list of the lanes `these`, each holding
    /// every target its lane takes down, unsorted: sorted and cut.
    /// O(their lengths · log `most`).
    fn firsts_gathered(&self, most: usize, these: u64, found: &mut [Vec<NodeId>]) {
        let key = |t: &NodeId| self.key[t.index()];
        for (lane, list) in found.iter_mut().enumerate() {
            if lane >= 64 || these >> lane & 1 == 0 {
                continue;
            }
            // Only the first `most` need their order: O(targets).
            if most < list.len() {
                list.select_nth_unstable_by_key(most, key);
                list.truncate(most);
            }
            list.sort_unstable_by_key(key);
        }
    }

    /// The first `most` targets down of each lane of `need`, pushed onto
    /// its (empty) list by reading this order until every such lane has
    /// `most` or the order ends. O(the order read).
    fn firsts_read(
        &self,
        lanes: &Lanes,
        (most, mut need): (usize, u64),
        found: &mut [Vec<NodeId>],
    ) {
        if most == 0 {
            need = 0;
        }
        for &t in &self.list {
            if need == 0 {
                break;
            }
            let g = GateId::from(t);
            for i in lanes_of(lanes.down(g) & !lanes.failed(g) & need) {
                found[i].push(t);
                if found[i].len() >= most {
                    need &= !(1 << i);
                }
            }
        }
    }

    /// A lane's targets on the states under a ground whose targets are
    /// `all` (in this order): `all` shared, and `adds` (those the lane
    /// adds, unsorted) placed in it. The lane's candidate `failed` is left
    /// out; when `shared` by other candidates (see [`Sharing`]), it is put
    /// in first, as [`TargetOrder::shared`] does. O(adds · log all): a
    /// list of its own would cost O(all) per lane, and under a large
    /// cycle most lanes add a few targets to the cycle's many.
    fn on_ground(
        &self,
        all: &Arc<[NodeId]>,
        (mut adds, failed, shared): (Vec<NodeId>, NodeId, bool),
        is_target: &[bool],
    ) -> Targets {
        let in_all = self.holds(all, failed);
        let target = is_target[failed.index()];
        if shared && target && !in_all {
            adds.push(failed);
        }
        adds.sort_unstable_by_key(|t| self.key[t.index()]);
        let placed: Added = adds
            .iter()
            .map(|&t| (u32::try_from(self.place(all, t)).unwrap_or(u32::MAX), t))
            .collect();
        let without = (target && (in_all || shared)).then_some(failed);
        Targets::shared(all.clone(), placed, without)
    }

    /// The targets of `failed`'s lane, `list` (in this order, down with
    /// `failed` failed), as the candidates sharing the lane share them
    /// (see [`Sharing`]): `failed` put in, and left out of its own.
    fn shared(&self, mut list: Vec<NodeId>, failed: NodeId, is_target: &[bool]) -> Targets {
        let target = is_target[failed.index()];
        if target {
            let at = self.place(&list, failed);
            list.insert(at, failed);
        }
        Targets::shared(list.into(), Arc::new([]), target.then_some(failed))
    }

    /// The targets `lane` (shared by the candidates of a lane, see
    /// [`TargetOrder::shared`]) as `id`'s, another of them: every target
    /// of the list but `id`.
    fn shared_by(&self, lane: &Targets, id: NodeId, is_target: &[bool]) -> Targets {
        let (base, adds) = lane.parts();
        let added = || {
            let key = |t: NodeId| self.key[t.index()];
            (adds.binary_search_by_key(&key(id), |&(_, t)| key(t))).is_ok()
        };
        let held = is_target[id.index()] && (self.holds(base, id) || added());
        Targets::shared(base.clone(), adds.clone(), held.then_some(id))
    }

    /// The targets `all` (in this order) as `id`'s: every one but `id`.
    fn leaving_out(&self, all: Arc<[NodeId]>, id: NodeId, is_target: &[bool]) -> Targets {
        let held = is_target[id.index()] && self.holds(&all, id);
        Targets::shared(all, Arc::new([]), held.then_some(id))
    }

    /// Whether target `id` is in `list` (targets in this order). O(log
    /// list).
    fn holds(&self, list: &[NodeId], id: NodeId) -> bool {
        list.get(self.place(list, id)) == Some(&id)
    }

    /// `list`, targets in this order down with `failed` failed, as it is
    /// with `id` failed instead, when both take down the same gates (see
    /// [`Sharing`]): `failed` in, `id` out.
    fn swap(&self, list: &mut Vec<NodeId>, (failed, id): (NodeId, NodeId), is_target: &[bool]) {
        list.retain(|&t| t != id);
        if is_target[failed.index()] {
            list.insert(self.place(list, failed), failed);
        }
    }

    /// Where target `id` is, or would be, in `list` (targets in this
    /// order). O(log list).
    fn place(&self, list: &[NodeId], id: NodeId) -> usize {
        let key = self.key[id.index()];
        list.partition_point(|t| self.key[t.index()] < key)
    }
}

/// Chain ids all SPOFs described up front may hold together (4 bytes
/// each): past it, the rest are described range by range as they are
/// written.
const CHAIN_IDS: usize = 1 << 26;

/// How many chains of one SPOF are found by one search forth from it
/// rather than a search each.
const MANY_CHAINS: usize = 64;

/// Targets a lane may take down and still have its list gathered from
/// the gates a batch reached (see `Describer::count`).
const GATHERED: usize = 256;

/// Scenarios evaluated together: one per bit of a word.
const LANES: usize = 64;

/// What to fill in [`Ranking::details_showing`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown {
    /// Cause chains for at most this many targets of each SPOF (`None`:
    /// all of them).
    pub chains: Option<usize>,
    /// Whether to list what each SPOF takes down and degrades and its
    /// targets ([`Spof::takes_down`], [`Spof::degrades`],
    /// [`Spof::targets`]); without, only [`Spof::reach`] counts them.
    pub lists: bool,
    /// Whether SPOFs that fail together are described once, for the
    /// first of them ([`Fold`]); the others come back as [`Fold::Into`]
    /// with nothing but their id.
    pub fold: bool,
}

impl Shown {
    /// Every list and every chain, every SPOF on its own.
    pub const ALL: Shown = Shown {
        chains: None,
        lists: true,
        fold: false,
    };
}

impl Ranking {
    /// The order the batches evaluated gates in, for other passes of
    /// [`Lanes`] (building it again costs about a second at a million
    /// services), and the ids' ranks ([`Architecture::id_ranks`]: sorting
    /// every id again is a tenth of a second at a million).
    pub(crate) fn into_layout_and_ranks(self) -> (Layout, Vec<u32>) {
        (self.layout, self.ranks)
    }

    /// Every SPOF with every detail, in ranked order (see
    /// [`Ranking::details_showing`]).
    pub fn details<'a>(
        &'a self,
        arch: &'a Architecture,
        graph: &'a FailureGraph,
    ) -> impl Iterator<Item = Spof> + 'a {
        self.details_showing(arch, graph, Shown::ALL)
    }

    /// Each SPOF with the details `shown` asks for, in ranked order: cause
    /// chains for the most important targets first, then by id. A chain
    /// can be as long as the file, so all of them cost up to the cube of a
    /// file's size (a line of n services, each needing the one before); a
    /// few per SPOF keep it to the square, and without the lists the rest
    /// is counting.
    ///
    /// The SPOFs are failed again 64 at a time, batches in parallel, each
    /// batch holding about a million nodes' worth of details at most, and
    /// only one batch is held at a time.
    pub fn details_showing<'a>(
        &'a self,
        arch: &'a Architecture,
        graph: &'a FailureGraph,
        shown: Shown,
    ) -> impl Iterator<Item = Spof> + 'a {
        // Without lists a SPOF holds little but its chains, and those are
        // short where failures cascade far: so every SPOF is described up
        // front, in batches of neighbours in the layout, while the chains
        // held stay within a budget; those past it wait for their range.
        let mut early: Vec<Option<Spof>> = Vec::new();
        if !shown.lists {
            let pool = Mutex::new(Vec::new());
            let held = AtomicUsize::new(0);
            let all: Vec<usize> = (0..self.order.len()).collect();
            early.resize(self.order.len(), None);
            for (i, spof) in self.described(arch, graph, &pool, &all, shown, Some(&held)) {
                early[i] = spof;
            }
        }
        self.details_described(
            arch,
            graph,
            Described {
                shown,
                spofs: early,
            },
        )
    }

    /// The details of [`Ranking::details_showing`], those `described`
    /// holds taken from it and the rest described as they are reached.
    pub fn details_described<'a>(
        &'a self,
        arch: &'a Architecture,
        graph: &'a FailureGraph,
        described: Described,
    ) -> impl Iterator<Item = Spof> + 'a {
        let Described {
            shown,
            spofs: mut early,
        } = described;
        // Graph-sized buffers are made once per thread, not once per batch.
        let pool: Mutex<Vec<(Lanes, ChainSearch)>> = Mutex::new(Vec::new());
        let mut heads = self.heads(shown);
        self.batches(shown).flat_map(move |range| {
            let late: Vec<usize> = range
                .clone()
                .filter(|&i| early.get(i).is_none_or(Option::is_none))
                .collect();
            let mut in_rank: Vec<Option<Spof>> = range
                .clone()
                .map(|i| early.get_mut(i).and_then(Option::take))
                .collect();
            for (i, spof) in self.described(arch, graph, &pool, &late, shown, None) {
                in_rank[i - range.start] = spof;
            }
            for spof in in_rank.iter_mut().flatten() {
                if let Some(others) = heads.remove(&spof.id) {
                    spof.fold = Fold::Head(others);
                }
            }
            in_rank.into_iter().flatten()
        })
    }

    /// For each SPOF others are folded into, when `shown` folds, those
    /// others in ranked order (so by id: they rank alike). O(SPOFs).
    fn heads(&self, shown: Shown) -> HashMap<NodeId, Vec<NodeId>> {
        let mut heads: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        if shown.fold {
            for (&id, head) in self.order.iter().zip(&self.folded_into) {
                if let Some(head) = head {
                    heads.entry(*head).or_default().push(id);
                }
            }
        }
        heads
    }

    /// The SPOFs at places `at` of the ranking, each with its place: failed
    /// in batches of neighbours in the layout, which share what they reach
    /// (as when ranking), batches in parallel. With a budget of chain ids
    /// `held`, a SPOF whose chains would take it past [`CHAIN_IDS`] comes
    /// back as `None`.
    fn described(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        pool: &Mutex<Vec<(Lanes, ChainSearch)>>,
        at: &[usize],
        shown: Shown,
        held: Option<&AtomicUsize>,
    ) -> Vec<(usize, Option<Spof>)> {
        let folded = |i: usize| self.folded_into[i].filter(|_| shown.fold);
        let (folded_at, at): (Vec<usize>, Vec<usize>) =
            at.iter().partition(|&&i| folded(i).is_some());
        let mut by_position = at;
        by_position.sort_unstable_by_key(|&i| self.layout.position(GateId::from(self.order[i])));
        let batches: Vec<&[usize]> = by_position.chunks(LANES).collect();
        let shared = Arc::new(SharedMaps::default());
        let new = || (Lanes::new(&self.layout), ChainSearch::sharing(&shared));
        let described = parallel::map_pooled(
            &batches,
            &Progress::default(),
            (pool, new),
            |(lanes, search), &at| {
                let batch: Vec<NodeId> = at.iter().map(|&i| self.order[i]).collect();
                lanes.fail_each(&self.layout, &batch);
                let spofs = if shown.lists {
                    let spofs = self.describe(arch, graph, (lanes, search), at, shown);
                    spofs.into_iter().map(Some).collect()
                } else {
                    let subjects: Vec<Subject> = (at.iter().enumerate())
                        .map(|(lane, &i)| (lane, self.order[i], self.down[i], self.users[i]))
                        .collect();
                    self.describer().count(
                        (arch, graph),
                        (lanes, None, search),
                        &subjects,
                        shown,
                        held,
                    )
                };
                at.iter().copied().zip(spofs).collect::<Vec<_>>()
            },
        );
        let folded = (folded_at.into_iter())
            .filter_map(|i| Some((i, Some(Spof::folded(self.order[i], folded(i)?)))));
        described.into_iter().flatten().chain(folded).collect()
    }

    /// Consecutive ranges of [`Ranking::order`] small enough to hold at
    /// once: a SPOF that takes down d nodes holds at most d targets with
    /// chains of at most d + 1 ids (and lists of d), so a range stops at
    /// 2^26 for the sum of (d + 1) · (chains shown + 1), or 4,096 SPOFs, but
    /// holds at least two per thread. (A bound on d alone let a line of
    /// 2,000 services, each needing the one before, hold 5 GB of chains.)
    fn batches(&self, shown: Shown) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
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
                // A SPOF shown with another holds its id alone.
                let d = if shown.fold && self.folded_into[end].is_some() {
                    0
                } else {
                    self.down[end]
                };
                let chains = shown.chains.unwrap_or(d).min(d);
                let held = (d + 1).saturating_mul(chains + 2);
                ids = ids.saturating_add(held);
                end += 1;
            }
            let range = start..end;
            start = end;
            Some(range)
        })
    }

    /// The SPOFs of the batch `lanes` holds, with their lists: one pass
    /// over the gates the batch touched hands each node to the lanes it is
    /// down or degraded in, then each lane is sorted and its chains
    /// searched. The users come from the ranking (`at` gives each lane's
    /// place in it).
    fn describe(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        (lanes, search): (&Lanes, &mut ChainSearch),
        at: &[usize],
        shown: Shown,
    ) -> Vec<Spof> {
        let mut spofs: Vec<Spof> = lanes
            .batch()
            .iter()
            .zip(at)
            .map(|(&c, &i)| Spof {
                id: c,
                takes_down: Vec::new(),
                degrades: Vec::new(),
                users_affected: self.users[i],
                targets: Vec::new(),
                chains: Vec::new(),
                critical_down: 0,
                reach: Reach::default(),
                fold: Fold::Alone,
            })
            .collect();
        for &g in lanes.touched() {
            let Some(n) = graph.node_of(g) else { continue };
            let target = self.is_target[n.index()];
            for i in lanes_of(lanes.down(g) & !lanes.failed(g)) {
                if target {
                    spofs[i].targets.push(n);
                }
                spofs[i].takes_down.push(n);
            }
            for i in lanes_of(lanes.not_up(g) & !lanes.down(g)) {
                spofs[i].degrades.push(n);
            }
        }
        for (lane, spof) in spofs.iter_mut().enumerate() {
            self.finish(arch, graph, (lanes, &mut *search), lane, spof, shown);
        }
        spofs
    }

    /// What describing a batch without lists reads of this ranking.
    fn describer(&self) -> Describer<'_> {
        Describer {
            is_target: &self.is_target,
            ranks: &self.ranks,
            layout: &self.layout,
            order: &self.target_order,
        }
    }

    /// Counts `spof`'s lists, sorts them and picks the targets whose
    /// chains are shown: the first ones in [`TargetOrder`].
    fn finish(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        (lanes, search): (&Lanes, &mut ChainSearch),
        lane: usize,
        spof: &mut Spof,
        shown: Shown,
    ) {
        let rank = |id: &NodeId| self.ranks[id.index()];
        let mut by_tier = [0; 5];
        for &t in &spof.targets {
            by_tier[tier_bucket(arch, t)] += 1;
        }
        spof.reach = Reach {
            down: spof.takes_down.len(),
            degraded: spof.degrades.len(),
            targets: spof.targets.len(),
            by_tier: [by_tier[0], by_tier[1], by_tier[2], by_tier[3]],
        };
        spof.critical_down = by_tier[0];
        let mut chosen = spof.targets.clone();
        let most = shown.chains.unwrap_or(usize::MAX);
        if most < chosen.len() {
            chosen.select_nth_unstable_by_key(most, |t| self.target_order.key[t.index()]);
            chosen.truncate(most);
        }
        chosen.sort_unstable_by_key(rank);
        spof.chains = self
            .describer()
            .chains_of(graph, (lanes, search), (lane, spof.id), chosen, None)
            .unwrap_or_default();
        spof.takes_down.sort_unstable_by_key(rank);
        spof.degrades.sort_unstable_by_key(rank);
        spof.targets.sort_unstable_by_key(rank);
    }
}

/// What describing a batch's single points of failure without lists
/// reads: the same in the ranking pass ([`rank_showing`]) as after it.
#[derive(Clone, Copy)]
struct Describer<'a> {
    is_target: &'a [bool],
    ranks: &'a [u32],
    layout: &'a Layout,
    order: &'a TargetOrder,
}

impl Describer<'_> {
    /// Describes the SPOFs among the batch `lanes` holds into their
    /// `impacts`, with the chain budget `held`.
    fn describe_impacts(
        &self,
        arch: &Architecture,
        graph: &FailureGraph,
        (lanes, base, search): (&Lanes, Option<&BaseCounts>, &mut ChainSearch),
        impacts: &mut [Impact],
        shown: Shown,
        held: &AtomicUsize,
    ) {
        let (folded, shown_apart): (Vec<&mut Impact>, Vec<&mut Impact>) =
            (impacts.iter_mut()).partition(|i| shown.fold && i.folded_into.is_some());
        for impact in folded {
            let head = impact.folded_into.unwrap_or(impact.id);
            impact.described = Some(Box::new(Spof::folded(impact.id, head)));
        }
        let subjects: Vec<Subject> = (shown_apart.iter())
            .map(|i| (i.lane, i.id, i.down, i.users_affected))
            .collect();
        let spofs = self.count(
            (arch, graph),
            (lanes, base, search),
            &subjects,
            shown,
            Some(held),
        );
        for (impact, spof) in shown_apart.into_iter().zip(spofs) {
            impact.described = spof.map(Box::new);
        }
    }

    /// The SPOFs `subjects` of the batch `lanes` holds, without lists, in
    /// the same order: the nodes down and users of each from `subjects`,
    /// the rest counted 64 lanes at a time ([`LaneCounts`]), and the
    /// targets whose chains are shown read off the targets in the order
    /// they are shown in, until every lane has its count (or, when the
    /// batch reached few gates, from those it reached). So a SPOF costs
    /// its chains, not everything it takes down. A subject that is not its
    /// lane's failed candidate shares the lane (see [`Sharing`]).
    fn count(
        &self,
        (arch, graph): (&Architecture, &FailureGraph),
        (lanes, base, search): (&Lanes, Option<&BaseCounts>, &mut ChainSearch),
        subjects: &[Subject],
        shown: Shown,
        held: Option<&AtomicUsize>,
    ) -> Vec<Option<Spof>> {
        let order = self.order;
        let few = order.few(lanes);
        let mut degraded = LaneCounts::default();
        let mut tiers: [LaneCounts; 5] = Default::default();
        let mut found: Vec<Vec<NodeId>> = vec![Vec::new(); lanes.batch().len()];
        let (gates, unchanged) = split_unchanged((arch, graph, self.is_target), (lanes, base), few);
        if let Some(u) = unchanged {
            let all = all_lanes(lanes);
            degraded.add_times(all, u.degraded);
            for (counts, &times) in tiers.iter_mut().zip(&u.by_tier) {
                counts.add_times(all, times);
            }
        }
        // Past few gates, the lists of lanes that take at most `GATHERED`
        // targets down are gathered too (when every target down is among
        // the gates read): reading the order for them would read most of
        // it, where a lane's few targets are spread through it, batch
        // after batch. The rest read the order, and stop early.
        let base_targets = unchanged.as_ref().is_some_and(|u| u.targets > 0);
        let batch_lanes = lanes_held(found.len());
        let mut gathering = if few || base_targets { 0 } else { batch_lanes };
        let complete = gathering;
        let mut overflow = 0u64;
        for (g, _) in gates {
            let Some(n) = graph.node_of(g) else { continue };
            let down = lanes.down(g) & !lanes.failed(g);
            let only_degraded = lanes.not_up(g) & !lanes.down(g);
            if only_degraded != 0 {
                degraded.add(only_degraded);
            }
            if down != 0 && self.is_target[n.index()] {
                tiers[tier_bucket(arch, n)].add(down);
                let gather = if few { down } else { down & gathering };
                for i in lanes_of(gather) {
                    found[i].push(n);
                    if !few && found[i].len() > GATHERED {
                        gathering &= !(1 << i);
                        overflow |= 1 << i;
                    }
                }
            }
        }
        let most = shown.chains.unwrap_or(usize::MAX);
        // One more than shown: a subject sharing a lane may leave one out.
        let first = most.saturating_add(1);
        if few {
            order.firsts(lanes, (first, 0), &mut found);
        } else {
            let gathered = complete & !overflow;
            for i in lanes_of(overflow) {
                found[i].clear();
            }
            order.firsts_gathered(first, gathered, &mut found);
            order.firsts_read(lanes, (first, batch_lanes & !gathered), &mut found);
        }
        let rank = |id: &NodeId| self.ranks[id.index()];
        subjects
            .iter()
            .map(|&(lane, id, down, users_affected)| {
                let mut by_tier: [usize; 5] = std::array::from_fn(|t| tiers[t].get(lane));
                let mut chosen = found[lane].clone();
                let failed = lanes.batch()[lane];
                if id != failed {
                    // `id`'s failure takes down `failed`, and not itself.
                    for (n, add) in [(failed, true), (id, false)] {
                        if self.is_target[n.index()] {
                            let count = &mut by_tier[tier_bucket(arch, n)];
                            *count = if add {
                                *count + 1
                            } else {
                                count.saturating_sub(1)
                            };
                        }
                    }
                    order.swap(&mut chosen, (failed, id), self.is_target);
                }
                chosen.truncate(most);
                let reach = Reach {
                    down,
                    degraded: degraded.get(lane),
                    targets: by_tier.iter().sum(),
                    by_tier: [by_tier[0], by_tier[1], by_tier[2], by_tier[3]],
                };
                chosen.sort_unstable_by_key(rank);
                let chains =
                    self.chains_of(graph, (lanes, &mut *search), (lane, id), chosen, held)?;
                Some(Spof {
                    id,
                    takes_down: Vec::new(),
                    degrades: Vec::new(),
                    users_affected,
                    targets: Vec::new(),
                    chains,
                    critical_down: reach.by_tier[0],
                    reach,
                    fold: Fold::Alone,
                })
            })
            .collect()
    }

    /// The cause chains of `chosen` (sorted by id) in lane `lane`, from
    /// `candidate`. Past a
    /// few chains, one search through everything the SPOF takes down costs
    /// less than a search per chain. With a budget `held`, `None` as soon
    /// as the chains would take it past [`CHAIN_IDS`].
    fn chains_of(
        &self,
        graph: &FailureGraph,
        (lanes, search): (&Lanes, &mut ChainSearch),
        from: (usize, NodeId),
        chosen: Vec<NodeId>,
        held: Option<&AtomicUsize>,
    ) -> Option<Vec<(NodeId, Vec<NodeId>)>> {
        let within = |chain: &Vec<NodeId>| {
            held.is_none_or(|h| h.fetch_add(chain.len() + 1, Ordering::Relaxed) < CHAIN_IDS)
        };
        if chosen.len() > MANY_CHAINS {
            let chains = lanes.chains(graph, search, from, &chosen);
            chains
                .iter()
                .all(within)
                .then(|| chosen.into_iter().zip(chains).collect())
        } else {
            chosen
                .into_iter()
                .map(|t| {
                    let chain = lanes.chain(graph, self.layout, search, from, t);
                    within(&chain).then_some((t, chain))
                })
                .collect()
        }
    }
}

/// A SPOF to describe from a batch: the lane that stands for it, its id,
/// and the nodes it takes down and users it affects.
type Subject = (usize, NodeId, usize, u64);

/// Where a target's tier puts it among counts by tier: `critical` first,
/// then `high`, `medium`, `low` (as [`Tier::NAMES`]), and no tier last.
fn tier_bucket(arch: &Architecture, n: NodeId) -> usize {
    arch.node(n).tier().map_or(4, |tier| 3 - tier as usize)
}

/// What each candidate the batch `lanes` holds stands for takes down, for
/// those that take a target down: one pass over the gates the batch
/// touched, then the candidates that share a lane (see [`Sharing`]) from
/// their lane's.
fn impacts(
    (arch, graph, sharing): (&Architecture, &FailureGraph, &Sharing),
    (lanes, base): (&Lanes, Option<&Base>),
    (is_target, together): (&[bool], &Together),
    keep: Option<&TargetOrder>,
) -> Vec<Impact> {
    let mut found: Vec<Impact> = lanes
        .batch()
        .iter()
        .enumerate()
        .map(|(lane, &c)| Impact {
            id: c,
            lane,
            critical_down: 0,
            users_affected: arch.node(c).users(),
            down: 0,
            targets: Targets::default(),
            targets_down: 0,
            described: None,
            folded_into: None,
        })
        .collect();
    let gather = keep.is_some_and(|order| order.few(lanes));
    // Lanes whose candidate fails together with others share their list.
    let listed = (lanes.batch().iter().enumerate())
        .filter(|(_, c)| together.targets.contains_key(c))
        .fold(0u64, |lanes, (i, _)| lanes | 1 << i);
    let mut targets: Vec<Vec<NodeId>> = vec![Vec::new(); found.len()];
    // Gates in a row with the same lanes down are added up first, then to
    // each of those lanes once: a failure that takes much down in many
    // lanes alike (a large cycle, a platform) costs its gates, not its
    // gates times its lanes.
    let mut run = Run::default();
    let counts = base.map(|b| &b.counts);
    let (gates, unchanged) = split_unchanged((arch, graph, is_target), (lanes, counts), gather);
    // On the states under a ground, each lane's targets are the ground's
    // and those it adds (`targets`): the ground's are not read again.
    let base_targets = (base.and_then(|b| b.targets.as_ref())).filter(|_| unchanged.is_some());
    let adds = keep.is_some() && base_targets.is_some();
    for (g, was_down) in gates {
        let Some(n) = graph.node_of(g) else { continue };
        let down = lanes.down(g) & !lanes.failed(g);
        if down == 0 {
            continue;
        }
        let node = arch.node(n);
        let target = is_target[n.index()];
        if target && (gather || (adds && !was_down)) {
            lanes_of(down & !listed).for_each(|i| targets[i].push(n));
        }
        if down != run.lanes {
            run.add_to(&mut found);
            run = Run {
                lanes: down,
                ..Run::default()
            };
        }
        run.down += 1;
        // Never saturates for a loaded file: the loader bounds the total of all users.
        run.users = run.users.saturating_add(node.users());
        run.critical += usize::from(target && node.tier() == Some(Tier::Critical));
        run.targets += usize::from(target);
    }
    run.add_to(&mut found);
    if let Some(u) = unchanged {
        Run {
            lanes: all_lanes(lanes),
            down: u.down,
            users: u.users,
            critical: u.critical,
            targets: u.targets,
        }
        .add_to(&mut found);
    }
    if let Some(order) = keep {
        if base_targets.is_none() {
            // Every target of every SPOF can be most of the memory `check`
            // holds: no list grows past its size.
            for (list, impact) in targets.iter_mut().zip(&found) {
                list.reserve_exact(impact.targets_down.saturating_sub(list.len()));
            }
            order.firsts(lanes, (usize::MAX, listed), &mut targets);
        }
        for (impact, list) in found.iter_mut().zip(targets) {
            let alone = sharing.others(impact.id).is_empty();
            impact.targets = match (together.targets.get(&impact.id), base_targets) {
                (Some(all), _) => order.leaving_out(all.clone(), impact.id, is_target),
                // The ground's list, shared, and what the lane adds to it.
                (None, Some(all)) => order.on_ground(all, (list, impact.id, !alone), is_target),
                (None, None) if alone => Targets::new(list),
                // One list for every candidate of the lane: each leaves
                // itself out (see `Impact::for_other`).
                (None, None) => order.shared(list, impact.id, is_target),
            };
        }
    }
    let mut all = Vec::with_capacity(found.len());
    for impact in found {
        for &other in sharing.others(impact.id) {
            all.push(impact.for_other(arch, is_target, keep, other));
        }
        all.push(impact);
    }
    all.retain(|impact| impact.targets_down > 0);
    for impact in &mut all {
        impact.folded_into = together.heads.get(&impact.id).copied();
    }
    all
}

/// Candidates that fail together, each taking down exactly what the
/// others do. For each large hard component, they are the candidates its
/// failure takes down whose own failure is sure to take it down (its
/// members among them), so that each takes the others down.
#[derive(Debug, Default)]
struct Together {
    /// For each one shown with another ([`Fold`]), that other: among those
    /// of one component, critical targets rank apart (each takes down one
    /// critical target fewer), and a target that is the only one among
    /// them is no SPOF; the first of the rest by id stands for them.
    heads: HashMap<NodeId, NodeId>,
    /// For each of them, the targets they take down (in [`TargetOrder`]),
    /// itself among them if it is one: one list for all of them, as
    /// `check` keeps it.
    targets: HashMap<NodeId, Arc<[NodeId]>>,
}

impl Together {
    /// O(what each component takes down + its edges, and its targets ·
    /// log).
    fn new(
        (arch, graph, layout): (&Architecture, &FailureGraph, &Layout),
        grounds: &[Option<Ground>],
        (is_target, ranks): (&[bool], &[u32]),
        order: &TargetOrder,
    ) -> Self {
        let mut together = Together::default();
        for root in layout.component_roots() {
            let ground = Ground::down(root);
            let beneath = Beneath::new(layout, ground);
            let down: Vec<NodeId> = (beneath.down_gates(layout))
                .filter_map(|g| graph.node_of(g))
                .collect();
            let mut targets: Vec<NodeId> = (down.iter().copied())
                .filter(|n| is_target[n.index()])
                .collect();
            targets.sort_unstable_by_key(|t| order.key[t.index()]);
            let targets: Arc<[NodeId]> = targets.into();
            let class: Vec<NodeId> = (down.into_iter())
                .filter(|&n| arch.node(n).is_candidate() && grounds[n.index()] == Some(ground))
                .collect();
            for &n in &class {
                together.targets.insert(n, targets.clone());
            }
            together.fold(arch, &class, (is_target, ranks), targets.len());
        }
        together
    }

    /// Folds `class`, candidates that fail together taking down `targets`
    /// targets, into the first by id of those that rank alike.
    fn fold(
        &mut self,
        arch: &Architecture,
        class: &[NodeId],
        (is_target, ranks): (&[bool], &[u32]),
        targets: usize,
    ) {
        let critical =
            |n: NodeId| is_target[n.index()] && arch.node(n).tier() == Some(Tier::Critical);
        let mut spofs: Vec<NodeId> = (class.iter().copied())
            .filter(|&n| targets > usize::from(is_target[n.index()]))
            .collect();
        spofs.sort_unstable_by_key(|&n| (critical(n), ranks[n.index()]));
        for alike in spofs.chunk_by(|&a, &b| critical(a) == critical(b)) {
            for &n in &alike[1..] {
                self.heads.insert(n, alike[0]);
            }
        }
    }
}

impl Impact {
    /// This impact, of its lane's failed candidate, as it is for `other`,
    /// a candidate that takes down the same gates (see [`Sharing`]): the
    /// same nodes down and users, but the failed candidate counted among
    /// them and `other` not.
    fn for_other(
        &self,
        arch: &Architecture,
        is_target: &[bool],
        keep: Option<&TargetOrder>,
        other: NodeId,
    ) -> Impact {
        let target = |n: NodeId| usize::from(is_target[n.index()]);
        let critical =
            |n: NodeId| target(n) * usize::from(arch.node(n).tier() == Some(Tier::Critical));
        let targets = match keep {
            Some(order) => order.shared_by(&self.targets, other, is_target),
            None => Targets::default(),
        };
        Impact {
            id: other,
            lane: self.lane,
            critical_down: (self.critical_down + critical(self.id)).saturating_sub(critical(other)),
            users_affected: self.users_affected,
            down: self.down,
            targets,
            targets_down: (self.targets_down + target(self.id)).saturating_sub(target(other)),
            described: None,
            folded_into: None,
        }
    }
}

/// What gates in a row, down in the same lanes, add to each lane's
/// [`Impact`].
#[derive(Default)]
struct Run {
    lanes: u64,
    down: usize,
    users: u64,
    critical: usize,
    targets: usize,
}

impl Run {
    fn add_to(&self, found: &mut [Impact]) {
        for i in lanes_of(self.lanes) {
            let impact = &mut found[i];
            impact.down += self.down;
            impact.users_affected = impact.users_affected.saturating_add(self.users);
            impact.critical_down += self.critical;
            impact.targets_down += self.targets;
        }
    }
}

/// The lanes of a batch of `n`, one bit each.
fn lanes_held(n: usize) -> u64 {
    match n {
        64.. => !0u64,
        n => (1u64 << n) - 1,
    }
}

/// Every lane of the batch `lanes` holds.
fn all_lanes(lanes: &Lanes) -> u64 {
    lanes_held(lanes.batch().len().clamp(1, 64))
}

/// What a batch failed from the states under a ground (see
/// [`Grounds::states`]) reads of them once for every lane: their counts,
/// and, when targets are kept, their targets in [`TargetOrder`].
#[derive(Debug)]
struct Base {
    counts: BaseCounts,
    targets: Option<Arc<[NodeId]>>,
}

impl Base {
    /// O(states, and their targets · log when `order` is given).
    fn of(
        (arch, graph, is_target): (&Architecture, &FailureGraph, &[bool]),
        states: impl Iterator<Item = (GateId, bool)>,
        order: Option<&TargetOrder>,
    ) -> Self {
        let mut counts = BaseCounts::default();
        let mut targets = Vec::new();
        for (g, down) in states {
            counts.count((arch, graph, is_target), (g, down), 1);
            match graph.node_of(g) {
                Some(n) if down && order.is_some() && is_target[n.index()] => targets.push(n),
                _ => {}
            }
        }
        let targets = order.map(|order| {
            targets.sort_unstable_by_key(|t| order.key[t.index()]);
            targets.into()
        });
        Base { counts, targets }
    }
}

/// What the states under a ground (see [`Grounds::states`]) count, as a
/// batch failed from them sees them in every lane until it changes them:
/// nodes down, their users, critical targets and targets down among them
/// (by tier, as [`tier_bucket`] orders them), and nodes only degraded.
#[derive(Clone, Copy, Debug, Default)]
struct BaseCounts {
    down: usize,
    users: u64,
    critical: usize,
    targets: usize,
    by_tier: [usize; 5],
    degraded: usize,
}

impl BaseCounts {
    /// Counts gate `g` (down, or only degraded) `sign` times: 1 to add
    /// it, -1 to take it back out. Gates that are no node count nothing.
    fn count(
        &mut self,
        (arch, graph, is_target): (&Architecture, &FailureGraph, &[bool]),
        (g, down): (GateId, bool),
        sign: isize,
    ) {
        let Some(n) = graph.node_of(g) else { return };
        let step = |count: &mut usize| *count = count.wrapping_add_signed(sign);
        if !down {
            step(&mut self.degraded);
            return;
        }
        let node = arch.node(n);
        step(&mut self.down);
        self.users = match sign {
            1 => self.users.saturating_add(node.users()),
            _ => self.users.saturating_sub(node.users()),
        };
        if is_target[n.index()] {
            step(&mut self.targets);
            step(&mut self.by_tier[tier_bucket(arch, n)]);
            if node.tier() == Some(Tier::Critical) {
                step(&mut self.critical);
            }
        }
    }
}

/// The gates of a batch a count reads one by one, and the counts of the
/// rest, alike in every lane. On the states under a ground (`base`), and
/// unless the count gathers lists of targets (`gathers`): the states the
/// batch changed and the gates it touched past them, each with whether it
/// was down in those states, and `base` less the changed ones. Otherwise
/// every gate touched (as not down in them), and `None`. O(the changed
/// states).
fn split_unchanged<'a>(
    on: (&Architecture, &FailureGraph, &[bool]),
    (lanes, base): (&'a Lanes, Option<&BaseCounts>),
    gathers: bool,
) -> (
    impl Iterator<Item = (GateId, bool)> + 'a,
    Option<BaseCounts>,
) {
    let beyond = lanes.beyond_beneath().filter(|_| !gathers);
    let (changed, rest, unchanged) = match (beyond, base) {
        (Some((changed, rest)), Some(base)) => {
            let mut counts = *base;
            for &state in changed {
                counts.count(on, state, -1);
            }
            (changed, rest, Some(counts))
        }
        _ => (&[][..], lanes.touched(), None),
    };
    let gates = (changed.iter().copied()).chain(rest.iter().map(|&g| (g, false)));
    (gates, unchanged)
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
            users: vec![0; n],
            folded_into: vec![None; n],
            targets: n,
            candidates: n,
            targets_taken_down: 0,
            #[cfg(test)]
            evaluations: 0,
            is_target: vec![true; n],
            ranks: (0..n as u32).collect(),
            layout: Layout::default(),
            target_order: TargetOrder::default(),
        };
        let least = 2 * rayon::current_num_threads();
        let batches: Vec<std::ops::Range<usize>> = ranking.batches(Shown::ALL).collect();
        let mut next = 0;
        for b in &batches {
            assert_eq!(b.start, next);
            assert!(!b.is_empty());
            let before_last: usize = ranking.down[b.start..b.end - 1]
                .iter()
                .map(|d| (d + 1) * (d + 2))
                .sum();
            assert!(b.len() <= least || before_last < 1 << 26, "{b:?}");
            next = b.end;
        }
        assert_eq!(next, n);
        assert!(batches[0].len() <= least.max(17), "{:?}", batches[0]);
    }

    /// A hub that 300 targets need, in a batch that reached more gates
    /// than an eighth of the targets: its list is past what is gathered,
    /// so its first targets are read off the order, and its 20 chains go
    /// to the first 20 targets by id whatever order the gates were
    /// reached in.
    #[test]
    fn a_failure_past_the_gathered_lists_shows_its_first_targets() {
        use crate::load::load_str;
        let mut text = String::from("version: 1\nservices:\n  hub: {tier: low}\n");
        // Written last first, so the gates are not reached in id order.
        for i in (0..300).rev() {
            text += &format!("  s{i:03}: {{tier: high, depends_on: [hub]}}\n");
        }
        let loaded = load_str("hub.yaml", text.as_str()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = TargetSelection::MinTier(Tier::High);
        let shown = Shown {
            chains: Some(20),
            lists: false,
            fold: false,
        };
        let progress = Progress::default();
        let (ranking, described) = rank_showing(arch, &graph, &targets, &progress, shown);
        let spofs: Vec<Spof> = ranking.details_described(arch, &graph, described).collect();
        assert_eq!(spofs.len(), 1);
        let firsts: Vec<&str> = (spofs[0].chains.iter())
            .map(|(t, _)| arch.name_of(*t))
            .collect();
        let want: Vec<String> = (0..20).map(|i| format!("s{i:03}")).collect();
        assert_eq!(firsts, want);
    }

    /// A ring of 70 services, each needing the next and a service of its
    /// own, which one more service needs too. Each such own service takes
    /// the ring down and that one more: `check`'s list for it is the
    /// ring's list, shared, with that one placed in it by id (ids
    /// interleave: `n000` in the ring, `n001` its own service, `n002` the
    /// one more, `n004` the next in the ring).
    #[test]
    fn targets_added_to_a_rings_list_read_in_order() {
        use crate::load::load_str;
        let n = 70;
        let mut text = String::from("version: 1\nservices:\n");
        for i in 0..n {
            let (ring, own, more) = (4 * i, 4 * i + 1, 4 * i + 2);
            let next = 4 * ((i + 1) % n);
            text += &format!("  n{ring:03}: {{tier: high, depends_on: [n{next:03}, n{own:03}]}}\n");
            text += &format!("  n{own:03}: {{tier: high}}\n");
            text += &format!("  n{more:03}: {{tier: high, depends_on: [n{own:03}]}}\n");
        }
        let loaded = load_str("ring.yaml", text.as_str()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = TargetSelection::MinTier(Tier::High);
        let (_, taken) = rank_keeping_targets(arch, &graph, &targets, &Progress::default());
        assert_eq!(taken.len(), 2 * n);
        let number = |t: NodeId| arch.name_of(t)[1..].parse::<usize>().unwrap_or(usize::MAX);
        let mut by_id: Vec<NodeId> = arch.node_ids().collect();
        by_id.sort_by_key(|&t| arch.name_of(t).to_string());
        for (c, kept, _) in &taken {
            let more = (number(*c) % 4 == 1).then_some(number(*c) + 1);
            let want: Vec<NodeId> = (by_id.iter().copied())
                .filter(|&t| number(t) % 4 == 0 && t != *c || Some(number(t)) == more)
                .collect();
            assert_eq!(kept.len(), want.len(), "{}", arch.name_of(*c));
            assert_eq!(kept.to_vec(), want, "{}", arch.name_of(*c));
        }
    }

    /// A ring of 70 services, each needing the next, where one is the
    /// only critical target: its members share one lane, whichever of
    /// them it fails, and each is told apart by what it takes down. The
    /// target is no SPOF (it takes down no target but itself); every other
    /// member is, with the target as its one target, in every path: the
    /// ranking, the lists, the counts with chains, and `check`'s targets.
    #[test]
    fn a_lane_shared_by_a_ring_counts_each_member_apart() {
        use crate::load::load_str;
        let n = 70;
        for critical in [0, 5, n - 1] {
            let mut text = String::from("version: 1\nservices:\n");
            for i in 0..n {
                let tier = if i == critical { "critical" } else { "low" };
                let next = (i + 1) % n;
                text +=
                    &format!("  r{i:02}: {{tier: {tier}, users: 1, depends_on: [r{next:02}]}}\n");
            }
            let loaded = load_str("ring.yaml", text.as_str()).expect("valid");
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let targets = TargetSelection::MinTier(Tier::Critical);
            let progress = Progress::default();
            let target = arch
                .node_ids()
                .find(|&c| arch.node(c).tier() == Some(Tier::Critical));
            let target = target.expect("one critical");
            let (ranking, taken) = rank_keeping_targets(arch, &graph, &targets, &progress);
            assert_eq!(
                ranking.order.len(),
                n - 1,
                "ring with r{critical:02} critical"
            );
            // One batch, each gate evaluated about once: 70 lanes of their
            // own would take two batches.
            assert!(
                ranking.evaluations < 2 * graph.len(),
                "{}",
                ranking.evaluations
            );
            assert!(!ranking.order.contains(&target));
            for (c, kept, users) in &taken {
                assert_ne!(*c, target);
                assert_eq!((kept.to_vec(), *users), (vec![target], n as u64));
            }
            let shown = Shown {
                chains: Some(1),
                lists: false,
                fold: false,
            };
            let (again, described) = rank_showing(arch, &graph, &targets, &progress, shown);
            assert_eq!(again.order, ranking.order);
            let counted: Vec<Spof> = again.details_described(arch, &graph, described).collect();
            let listed: Vec<Spof> = ranking.details(arch, &graph).collect();
            for (count, full) in counted.iter().zip(&listed) {
                assert_eq!(
                    (count.id, count.reach, full.reach.targets),
                    (full.id, full.reach, 1)
                );
                assert_eq!(count.chains, full.chains);
                assert_eq!(count.chains[0].1.last(), Some(&count.id));
                assert_eq!(full.takes_down.len(), n - 1);
            }
        }
    }
}
