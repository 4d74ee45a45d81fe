//! Cause chains to the targets shown, where a failure takes a large hard
//! component down: one search back from each target through what the
//! component alone takes down, kept while the chains asked for come from
//! failures that take that component down.
//!
//! Every failure that takes a large hard component down takes down at
//! least what the component alone does (see [`super::Beneath`]), so a
//! search back from a target through those gates gives each of them a
//! shortest path to the target that holds in every such failure's lane. A
//! failure among those gates (a member, or one the component takes down
//! and that takes it down) follows its path: a shortest chain. One outside
//! first searches forth through what it takes down beyond them
//! ([`Outskirts`]), to the gates of the component's where it meets them,
//! and joins the path of the one that makes the chain shortest; near the
//! target it also joins where a gate of the path needs one the outskirts
//! reached (see [`TargetMap::join_near`]), which holds where the outskirts
//! stop short.
//!
//! The audit shows chains to the same few targets (the first by tier and
//! id) for each of thousands of such failures. A search per chain (from
//! both ends, or back from the target to one kept forth from the failure)
//! was most of the audit on the files with one cycle of most services; a
//! chain here costs its length, and the failure's search forth its
//! [`super::NEAR`] gates at most, once.

use std::cell::OnceCell;
use std::sync::{Arc, Mutex, OnceLock};

use super::{join_back, Layout, Side, NEAR};
use crate::engine::graph::GateId;

/// Most targets' searches kept. A SPOF shows the chains of at most 64
/// targets one by one (past that, one search forth serves them all), the
/// first in [`crate::engine::audit()`]'s target order; those among what the
/// component alone takes down are among that set's first 64, for every
/// failure that takes the component down. So a component needs 64 at
/// most, and a search is made once per component.
const MAPS: usize = 64;

/// How many gates the component alone takes down a failure sure to take
/// it down pays the targets' searches for: such a failure's chains cost
/// up to [`NEAR`] gates each, and it shows about twenty.
const PAID_PER_FAILURE: usize = 256;

/// Gates an outskirts' search reaches at most, the edge included: a site
/// takes down thousands of services directly, most of them often among
/// what the component takes down, and the search must get past them to
/// the services beyond.
const REACHED: usize = 16 * NEAR;

/// Gates of a target's search a chain looks at first, with what they need
/// beyond what the component alone takes down, to join the candidate's
/// outskirts near the target.
const NEAR_TARGET: usize = 64;

/// Most gates a target's near look holds, its gates and what they need
/// together: a gate can need thousands.
const NEAR_ENTRIES: usize = 4 * NEAR_TARGET;

/// What the component alone takes down: a bit per position, set where
/// down (see [`super::crossing::Crossing::alone_bits`]).
#[derive(Clone, Copy)]
pub(super) struct Alone<'a>(pub(super) &'a [u64]);

impl Alone<'_> {
    /// Whether the gate at position `p` is down.
    pub(super) fn down(self, p: u32) -> bool {
        (self.0.get(p as usize / 64)).is_some_and(|&w| w & (1 << (p % 64)) != 0)
    }
}

/// Not reached.
const UNSET: u32 = u32::MAX;

/// Whether the component at `home`, that alone takes `taken_down` gates
/// down, has enough failures sure to take it down to pay for a search
/// per target shown: without that bound, a file of many components, each
/// taking down the next, would make a search of much of the file per
/// component and target.
pub(super) fn worth(layout: &Layout, home: u32, taken_down: usize) -> bool {
    layout.sure_to_take_down(home) * PAID_PER_FAILURE >= taken_down
}

/// Most targets' searches the threads of one audit share: a thread keeps
/// [`MAPS`] of them, and two threads may work on two components at once.
const SHARED_MAPS: usize = 2 * MAPS;

/// The targets' searches made by the threads of one audit, by component
/// and target: the threads show chains to the same targets, and a search
/// is the same whichever thread makes it, so one makes it and the others
/// wait for it. Past [`SHARED_MAPS`], those of other components go first.
#[derive(Debug, Default)]
pub(crate) struct SharedMaps {
    /// Each search with its component (root's position) and target.
    cells: Mutex<Vec<(u32, u32, MapCell)>>,
}

/// A target's search, made by the first thread that asks for it.
type MapCell = Arc<OnceLock<TargetMap>>;

impl SharedMaps {
    /// The search of `target` for the component at `home`, made or not.
    fn cell(&self, home: u32, target: u32) -> MapCell {
        let Ok(mut cells) = self.cells.lock() else {
            // A thread panicked holding the lock: a search of one's own.
            return Arc::default();
        };
        if let Some((_, _, cell)) = cells.iter().find(|&&(h, t, _)| (h, t) == (home, target)) {
            return Arc::clone(cell);
        }
        if cells.len() >= SHARED_MAPS {
            cells.retain(|&(h, _, _)| h == home);
            if cells.len() >= SHARED_MAPS {
                cells.remove(0);
            }
        }
        let cell = Arc::default();
        cells.push((home, target, Arc::clone(&cell)));
        cell
    }
}

/// A target's search kept by one thread, and when it was last asked for.
#[derive(Debug)]
struct Kept {
    target: u32,
    map: MapCell,
    used: u64,
}

/// The searches back from targets for one component: the most recently
/// used [`MAPS`], shared with the audit's other threads where it gives
/// them ([`TargetPaths::sharing`]).
#[derive(Debug, Default)]
pub(super) struct TargetPaths {
    /// The component they are for (its root's position).
    home: Option<u32>,
    /// Its region, made at its first search.
    region: OnceCell<Arc<Region>>,
    maps: Vec<Kept>,
    shared: Option<Arc<SharedMaps>>,
    /// Maps asked for so far, to drop the one least recently used.
    clock: u64,
    /// Searches made, and the gates they reached (for tests of their
    /// cost).
    #[cfg(test)]
    searched: usize,
    #[cfg(test)]
    searched_gates: usize,
}

/// A search back from one target through what the component alone takes
/// down, by position.
#[derive(Debug)]
struct TargetMap {
    target: u32,
    /// What the component alone takes down, numbered (shared by the
    /// component's searches).
    region: Arc<Region>,
    /// By the region's number of each gate reached: its steps to the
    /// target on a shortest path of such gates, and the next gate on it
    /// (a position); `UNSET` elsewhere. The target itself may be outside
    /// the region: then it is not here, and is 0 steps from itself.
    step: Vec<Step>,
    /// Gates reached, in the order reached, with their steps.
    reached: Vec<(u32, u32)>,
    /// The first [`NEAR_TARGET`] gates reached, each followed by what it
    /// needs beyond what the component alone takes down (see
    /// [`TargetMap::join_near`]): the same for every candidate, so made
    /// once.
    near: Vec<NearGate>,
    /// The steps of the first gate reached left out of `near`, if any:
    /// every gate of fewer steps is in it.
    near_whole: u32,
}

/// A gate's steps to the target, and the next gate on the way there.
#[derive(Debug, Clone, Copy)]
struct Step {
    steps: u32,
    next: u32,
}

/// What a large hard component alone takes down, as a graph of its own
/// for the searches back from its targets: each gate numbered by its rank
/// among them in position order, with the requirements a search crosses
/// (those that can take the gate down and that the component takes down
/// too), in the layout's order. A search over this copy reads one list
/// per gate and a bit per edge, where one over the whole layout read each
/// edge's gate, mode and steps, a wait for memory each: at a million
/// services (the component takes down 815,000 of 3 million gates) a
/// search takes 90 ms against 145 ms, and its steps a third of the
/// memory.
#[derive(Debug)]
struct Region {
    /// `alone`'s bits, and how many are set before each word.
    bits: Vec<u64>,
    before: Vec<u32>,
    /// By number: where its requirements crossed start in `reqs`, each
    /// as its number and position (a search reads both, and one read of
    /// the gate's list is all it waits for).
    start: Vec<u32>,
    reqs: Vec<(u32, u32)>,
}

impl Region {
    /// The region of what `alone` says the component takes down.
    /// O(those gates + their edges + the layout's gates / 64).
    fn new(layout: &Layout, alone: Alone<'_>) -> Region {
        let bits = alone.0.to_vec();
        let mut before = Vec::with_capacity(bits.len());
        let mut count = 0u32;
        for w in &bits {
            before.push(count);
            count += w.count_ones();
        }
        let mut region = Region {
            bits,
            before,
            start: Vec::with_capacity(count as usize + 1),
            reqs: Vec::new(),
        };
        region.start.push(0);
        let mut reqs = Vec::new();
        for (i, &word) in region.bits.iter().enumerate() {
            for bit in super::super::bits::lanes_of(word) {
                let p = (i * 64 + bit) as u32;
                let numbered =
                    crossed(layout, alone, p).filter_map(|r| Some((region.number(r)? as u32, r)));
                reqs.extend(numbered);
                region.start.push(reqs.len() as u32);
            }
        }
        region.reqs = reqs;
        region
    }

    /// The number of the gate at position `p`, if the component takes it
    /// down. O(1).
    fn number(&self, p: u32) -> Option<usize> {
        let (w, bit) = (p as usize / 64, p % 64);
        let word = *self.bits.get(w)?;
        (word >> bit & 1 == 1).then(|| {
            let below = word & ((1u64 << bit) - 1);
            self.before[w] as usize + below.count_ones() as usize
        })
    }

    /// How many gates it has.
    fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The requirements a search crosses from the gate numbered `n`.
    fn reqs_of(&self, n: usize) -> &[(u32, u32)] {
        &self.reqs[self.start[n] as usize..self.start[n + 1] as usize]
    }
}

/// The requirements of the gate at position `p` a search back crosses:
/// those that can take it down and that `alone` says are down.
fn crossed<'l>(layout: &'l Layout, alone: Alone<'l>, p: u32) -> impl Iterator<Item = u32> + 'l {
    let gate = layout.gate[p as usize];
    (layout.reqs_at(p as usize).iter())
        .filter(move |&&(r, mode)| gate.carries_down(mode) && alone.down(r))
        .map(|&(r, _)| r)
}

/// A gate near a target where a chain may join a candidate's outskirts:
/// one of the target's search (`gate` is `via`), or one that such a gate,
/// `via`, needs beyond what the component alone takes down. `level` is
/// `via`'s steps to the target.
#[derive(Debug, Clone, Copy)]
struct NearGate {
    level: u32,
    via: u32,
    gate: u32,
}

/// Where a chain leaves a target's search for the candidate's outskirts:
/// at the search's gate `via`, to the gate at `at` in the outskirts' queue
/// (`via` itself, or a gate `via` needs beyond what the component alone
/// takes down), making a chain of `length` steps.
#[derive(Clone, Copy)]
struct Join {
    length: u32,
    via: u32,
    at: usize,
}

impl TargetPaths {
    /// Searches kept with those of other threads in `shared`.
    pub(super) fn sharing(shared: Arc<SharedMaps>) -> Self {
        TargetPaths {
            shared: Some(shared),
            ..TargetPaths::default()
        }
    }

    /// The chain of positions from `target` (left out) to `from`, both
    /// among what the component at `home` alone takes down (`alone`): a
    /// shortest one through such gates. `None` when `from` does not reach
    /// the target through them. O(the chain), after O(what the component
    /// takes down + its edges) once per target.
    pub(super) fn chain_from(
        &mut self,
        layout: &Layout,
        (home, alone): (u32, Alone<'_>),
        (target, from): (u32, u32),
    ) -> Option<Vec<u32>> {
        let map = self.map(layout, (home, alone), target);
        let mut chain = map.path_from(from)?;
        chain.reverse();
        Some(chain)
    }

    /// The chain of positions from `target` (left out) to the candidate
    /// `outskirts` searched from: through what the component at `home`
    /// alone takes down, then the outskirts. Joined where the chain is
    /// shortest among the gates the outskirts reached of that, and near
    /// the target (its search's first [`NEAR_TARGET`] gates) also where
    /// such a gate needs one the outskirts reached beyond it: a target
    /// that needs services the component does not take down, near it,
    /// that the candidate does. `None` when the outskirts reach none that
    /// leads to the target. O([`NEAR_TARGET`] gates + the edge gates
    /// nearer the candidate than the chain + the chain), after the
    /// target's search.
    pub(super) fn chain_joining(
        &mut self,
        layout: &Layout,
        (home, alone): (u32, Alone<'_>),
        target: u32,
        outskirts: &Outskirts,
    ) -> Option<Vec<u32>> {
        if let Some(path) = outskirts.path_from(target) {
            return Some(path);
        }
        if !alone.down(target) {
            return None;
        }
        let map = self.map(layout, (home, alone), target);
        let (near, whole_levels) = map.join_near(outskirts);
        let mut best = near;
        for &(at, steps) in &outskirts.edge {
            // The edge comes in the order reached, nearest first, and the
            // gates of the levels searched whole near the target are joined
            // already, so each of the rest adds as many steps at least.
            if best.is_some_and(|join| steps.saturating_add(whole_levels) >= join.length) {
                break;
            }
            let p = outskirts.side.queue[at as usize].0 .0;
            if let Some(more) = map.steps(p) {
                if best.is_none_or(|join| steps + more < join.length) {
                    best = Some(Join {
                        length: steps + more,
                        via: p,
                        at: at as usize,
                    });
                }
            }
        }
        let join = best?;
        let mut chain = map.path_from(join.via)?;
        chain.reverse();
        let joined = outskirts.side.queue[join.at].0 .0;
        let rest = outskirts.side.path(join.at, true).into_iter();
        chain.extend(rest.skip(usize::from(joined == join.via)).map(|g| g.0));
        Some(chain)
    }

    /// How many targets' searches were made so far.
    #[cfg(test)]
    pub(super) fn searched(&self) -> usize {
        self.searched
    }

    /// How many gates those searches reached.
    #[cfg(test)]
    pub(super) fn searched_gates(&self) -> usize {
        self.searched_gates
    }

    /// The search back from `target`, made if neither this thread nor
    /// another keeps it (dropping the least recently used past [`MAPS`],
    /// and all of them for another component).
    fn map(&mut self, layout: &Layout, (home, alone): (u32, Alone<'_>), target: u32) -> &TargetMap {
        if self.home != Some(home) {
            self.home = Some(home);
            self.region = OnceCell::new();
            self.maps.clear();
        }
        self.clock += 1;
        let i = match self.maps.iter().position(|kept| kept.target == target) {
            Some(i) => i,
            None => {
                let oldest = (0..self.maps.len()).min_by_key(|&i| self.maps[i].used);
                if let Some(i) = oldest.filter(|_| self.maps.len() >= MAPS) {
                    self.maps.swap_remove(i);
                }
                let map =
                    (self.shared.as_ref()).map_or_else(Arc::default, |s| s.cell(home, target));
                self.maps.push(Kept {
                    target,
                    map,
                    used: 0,
                });
                self.maps.len() - 1
            }
        };
        let region = &self.region;
        let search = || {
            let region = region.get_or_init(|| Arc::new(Region::new(layout, alone)));
            TargetMap::search(layout, (Arc::clone(region), alone), target)
        };
        #[cfg(test)]
        if self.maps[i].map.get().is_none() {
            let reached = self.maps[i].map.get_or_init(search).reached.len();
            self.searched += 1;
            self.searched_gates += reached;
        }
        let kept = &mut self.maps[i];
        kept.used = self.clock;
        kept.map.get_or_init(search)
    }
}

impl TargetMap {
    /// Searches back from `target` through the requirements that can take
    /// a gate down, to gates `alone` accepts (the component's `region`), in
    /// the order the file gives them. O(those gates + their edges).
    fn search(
        layout: &Layout,
        (region, alone): (Arc<Region>, Alone<'_>),
        target: u32,
    ) -> TargetMap {
        let unset = Step {
            steps: UNSET,
            next: UNSET,
        };
        let mut map = TargetMap {
            target,
            step: vec![unset; region.len()],
            region,
            reached: Vec::new(),
            near: Vec::new(),
            near_whole: UNSET,
        };
        let region = Arc::clone(&map.region);
        // A bit per gate of the region reached: the steps of a gate already
        // reached (most edges lead to one) are not read, and the bits stay
        // in the cache where the steps would wait for memory.
        let mut seen = vec![0u64; region.len().div_ceil(64)];
        // Each gate of `reached` by its number (`UNSET` for a target
        // outside the region).
        let mut numbers = vec![UNSET];
        if let Some(n) = region.number(target) {
            seen[n / 64] |= 1 << (n % 64);
            numbers[0] = n as u32;
            map.step[n] = Step {
                steps: 0,
                next: target,
            };
        }
        map.reached.push((target, 0));
        let mut cross = |(map, numbers): (&mut TargetMap, &mut Vec<u32>),
                         (p, steps): (u32, u32),
                         (n, r): (u32, u32)| {
            let (word, bit) = (n as usize / 64, 1u64 << (n % 64));
            if seen[word] & bit == 0 {
                seen[word] |= bit;
                map.step[n as usize] = Step {
                    steps: steps + 1,
                    next: p,
                };
                map.reached.push((r, steps + 1));
                numbers.push(n);
            }
        };
        // The target's own requirements (it may be outside the region),
        // then the region's.
        for r in crossed(layout, alone, target) {
            if let Some(n) = region.number(r) {
                cross((&mut map, &mut numbers), (target, 0), (n as u32, r));
            }
        }
        let mut next = 1;
        while let Some(&(p, steps)) = map.reached.get(next) {
            let n = numbers[next] as usize;
            next += 1;
            for &numbered in region.reqs_of(n) {
                cross((&mut map, &mut numbers), (p, steps), numbered);
            }
        }
        map.look_near(layout, alone);
        map
    }

    /// Fills `near` and `near_whole` from the search. O([`NEAR_ENTRIES`]²)
    /// at most, for gates needed by several near gates, kept once.
    fn look_near(&mut self, layout: &Layout, alone: Alone<'_>) {
        self.near.clear();
        self.near_whole = UNSET;
        for (i, &(p, level)) in self.reached.iter().enumerate() {
            if i == NEAR_TARGET || self.near.len() >= NEAR_ENTRIES {
                self.near_whole = level;
                return;
            }
            let (via, gate) = (p, layout.gate[p as usize]);
            self.near.push(NearGate {
                level,
                via,
                gate: p,
            });
            for &(r, mode) in layout.reqs_at(p as usize) {
                if self.near.len() >= NEAR_ENTRIES {
                    break;
                }
                let beyond = gate.carries_down(mode) && !alone.down(r);
                if beyond && !self.near.iter().any(|n| n.gate == r) {
                    self.near.push(NearGate {
                        level,
                        via,
                        gate: r,
                    });
                }
            }
        }
    }

    /// The shortest join of the candidate's `outskirts` among the gates
    /// near the target (`near`), and how many of the search's levels
    /// (steps from the target) that looked at whole. Every join there has
    /// a step more than its `via` at least (the candidate is none of the
    /// search's gates), so the look stops at the level of the best less
    /// one. O([`NEAR_ENTRIES`]).
    fn join_near(&self, outskirts: &Outskirts) -> (Option<Join>, u32) {
        let mut best: Option<Join> = None;
        for near in &self.near {
            if best.is_some_and(|join| near.level + 1 >= join.length) {
                return (best, u32::MAX);
            }
            if let Some((at, steps)) = outskirts.steps_of(near.gate) {
                let length = near.level + u32::from(near.gate != near.via) + steps;
                if best.is_none_or(|join| length < join.length) {
                    best = Some(Join {
                        length,
                        via: near.via,
                        at,
                    });
                }
            }
        }
        (best, self.near_whole)
    }

    /// The steps from `p` to the target, if it reaches it.
    fn steps(&self, p: u32) -> Option<u32> {
        if p == self.target {
            return Some(0);
        }
        let steps = self.step.get(self.region.number(p)?)?.steps;
        (steps != UNSET).then_some(steps)
    }

    /// The gates from `p` (included) toward the target (left out).
    fn path_from(&self, mut p: u32) -> Option<Vec<u32>> {
        let mut path = Vec::with_capacity(self.steps(p)? as usize);
        while p != self.target {
            path.push(p);
            p = self.step.get(self.region.number(p)?)?.next;
        }
        Some(path)
    }
}

/// What a failure outside what a large hard component alone takes down
/// takes down before it meets that: a breadth-first search forth from it
/// through gates down in its lane, not past gates the component alone
/// takes down (the edge), for up to [`NEAR`] gates. Kept for the
/// candidate's chains.
#[derive(Debug, Default)]
pub(super) struct Outskirts {
    /// The candidate and component searched for, by position.
    of: Option<(u32, u32)>,
    side: Side,
    generation: u32,
    /// Where in the search's queue each gate of the edge is, with its
    /// steps from the candidate, in the order reached.
    edge: Vec<(u32, u32)>,
    /// Each queued gate's steps from the candidate.
    steps: Vec<u32>,
}

impl Outskirts {
    /// Searches from the candidate at position `c`, in lane `bit` of
    /// `down`, for the component at `home` (`alone`), unless that search is
    /// kept. O([`NEAR`] gates and their edges).
    pub(super) fn search(
        &mut self,
        layout: &Layout,
        (down, bit): (&[u64], u64),
        (home, alone): (u32, Alone<'_>),
        c: u32,
    ) {
        if self.of == Some((c, home)) {
            return;
        }
        self.of = Some((c, home));
        self.side.resize(layout.at.len());
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.side.stamp.fill(0);
            self.generation = 1;
        }
        let generation = self.generation;
        let side = &mut self.side;
        self.edge.clear();
        let steps = &mut self.steps;
        steps.clear();
        steps.push(0);
        side.visit(GateId(c), u32::MAX, generation);
        let mut next = 0;
        'search: while let Some(&(p, _)) = side.queue.get(next) {
            if alone.down(p.0) {
                next += 1;
                continue;
            }
            for q in layout.deps_down_at(p.index()) {
                if down[q as usize] & bit != 0 && side.reached(GateId(q), generation).is_none() {
                    let at = side.visit(GateId(q), next as u32, generation);
                    steps.push(steps[next] + 1);
                    if alone.down(q) {
                        self.edge.push((at as u32, steps[at]));
                    }
                    let beyond = side.queue.len() - self.edge.len();
                    if beyond >= NEAR || side.queue.len() >= REACHED {
                        break 'search;
                    }
                }
            }
            next += 1;
        }
    }

    /// A chain of positions from `target` (left out) to the candidate, if
    /// one joins the outskirts within [`NEAR_TARGET`] gates of a
    /// breadth-first search back from the target through gates down in
    /// lane `bit` of `down`: for a target the component does not take
    /// down, which has no kept search, where the outskirts do not reach
    /// it. `back` is marked under `generation`, which the caller started.
    /// O([`NEAR_TARGET`] gates and their edges).
    pub(super) fn join_back(
        &self,
        layout: &Layout,
        (down, bit): (&[u64], u64),
        (back, generation): (&mut Side, u32),
        target: u32,
    ) -> Option<Vec<u32>> {
        let ends = (target, NEAR_TARGET, u32::MAX);
        let kept = |p: u32| self.steps_of(p);
        let (here, at) = join_back(layout, (down, bit), (back, generation), ends, kept)?;
        let mut chain: Vec<u32> = back.path(here, false).into_iter().map(|g| g.0).collect();
        chain.reverse();
        let rest = self.side.path(at, true).into_iter().skip(1);
        chain.extend(rest.map(|g| g.0));
        Some(chain)
    }

    /// Where in the queue the search reached the gate at position `p`, and
    /// its steps from the candidate; `None` when it did not.
    pub(super) fn steps_of(&self, p: u32) -> Option<(usize, u32)> {
        let at = self.side.reached(GateId(p), self.generation)?;
        Some((at, self.steps[at]))
    }

    /// Gates its searches reached (for tests of their cost).
    #[cfg(test)]
    pub(super) fn visits(&self) -> usize {
        self.side.visits
    }

    /// The chain of positions from `target` (left out) to the candidate,
    /// when the search reached the target.
    fn path_from(&self, target: u32) -> Option<Vec<u32>> {
        let at = self.side.reached(GateId(target), self.generation)?;
        let path = self.side.path(at, true).into_iter().skip(1);
        Some(path.map(|g| g.0).collect())
    }
}
