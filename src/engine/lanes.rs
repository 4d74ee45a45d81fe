//! Sixty-four single failures at once, for the audit.
//!
//! The audit fails every candidate alone. One propagation per candidate
//! costs the sum of the blast radii, and that grows with the square of a
//! file where failures cascade far (each service needing some of the ones
//! before it): 147 s for 100,000 such services. Here every gate holds two
//! words, down and not-up, with one bit (a lane) per scenario of a batch of
//! up to 64 candidates, and a gate is evaluated once for the whole batch,
//! requirements first (the [`Layout`]). A batch costs what the union of its
//! failures reaches, so the audit costs about a sixty-fourth of the sum of
//! the blast radii.
//!
//! The states are those of format v1 §7, as [`super::propagate`] reaches
//! them: from all up, only what a failure reaches is lowered, so a cycle
//! that nothing failed in stays up (the greatest fixpoint).

use std::sync::Arc;

use rayon::prelude::*;

use crate::model::{Mode, NodeId};

use super::bits::next_set;
use super::circuit::{at_least, components, rule, Rule};
use super::graph::{FailureGraph, Gate, GateId};

mod crossing;
mod held;
mod target_paths;

pub(crate) use target_paths::SharedMaps;

/// Evaluation order of a whole graph: strongly connected components with
/// their requirements first, each a block of consecutive positions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Layout {
    /// Each gate's position.
    pos: Vec<u32>,
    /// The gate at each position.
    at: Vec<GateId>,
    /// For each gate, the first position of its block.
    block_start: Vec<u32>,
    /// The graph again, indexed by position, so that a batch reads its
    /// words in the order it evaluates them: each position's gate, its
    /// requirements (positions, with how they are needed) and its
    /// dependents (positions), as offsets into flat lists.
    gate: Vec<Gate>,
    req_start: Vec<u32>,
    reqs: Vec<(u32, Mode)>,
    dep_start: Vec<u32>,
    deps: Vec<u32>,
    /// A bit per entry of `deps`: whether that edge can take the dependent
    /// down ([`Gate::carries_down`]), so that searches forth through down
    /// gates read neither the graph's edges nor the dependent's gate.
    deps_down: Vec<u64>,
    /// Each gate's large hard component, by position: the position of its
    /// first gate (`u32::MAX` outside one). Empty without one.
    hard: Vec<u32>,
    /// The members of each large hard component (positions, ascending),
    /// one component after another, and for each component its root's
    /// position and its range in `members`, by root: what
    /// [`Lanes::propagate`] takes down at once.
    members: Vec<u32>,
    member_ranges: Vec<(u32, u32, u32)>,
    /// For each large hard component (as `member_ranges`), how many gates
    /// are sure to take it down (their ground, see
    /// [`Layout::grounds_of_gates`]).
    sure: Vec<u32>,
}

/// The edges of a run of positions, as [`Layout::fill_edges`] joins them.
#[derive(Default)]
struct EdgesPart {
    gate: Vec<Gate>,
    /// Each gate's requirements (as positions), and how many per gate.
    reqs: Vec<(u32, Mode)>,
    req_lens: Vec<u32>,
    /// Each gate's dependents (as positions), whether each edge can take
    /// the dependent down, and how many per gate.
    deps: Vec<u32>,
    down: Vec<bool>,
    dep_lens: Vec<u32>,
}

impl EdgesPart {
    fn add(&mut self, graph: &FailureGraph, pos: &[u32], g: GateId) {
        self.gate.push(graph.gate(g));
        let reqs = graph.requirements(g);
        (self.reqs).extend(reqs.iter().map(|&(r, mode)| (pos[r.index()], mode)));
        self.req_lens.push(reqs.len() as u32);
        let deps = graph.dependents(g);
        for &(d, mode) in deps {
            self.deps.push(pos[d.index()]);
            self.down.push(graph.gate(d).carries_down(mode));
        }
        self.dep_lens.push(deps.len() as u32);
    }
}

/// Hard components with at least this many gates are marked in the
/// [`Layout`]. A hard component is strongly connected along hard edges
/// (where one down requirement takes the dependent down), so a failure of
/// any gate in one takes all of it down. Chains from a failure in a large
/// one follow paths made once per component (see `lanes/crossing.rs`),
/// rather than a search of much of it per target shown.
const LARGE_HARD_COMPONENT: usize = 64;

/// Whether `gate` goes down whenever one requirement reached along an edge
/// of `mode` is down (format v1 §7): then a failure crosses that edge
/// whatever else is down.
fn hard(gate: Gate, mode: Mode) -> bool {
    match gate {
        Gate::All => gate.carries_down(mode),
        Gate::AtLeast { .. } => rule(gate) == Rule::Any,
    }
}

impl Layout {
    /// The order of `graph`'s gates. O(gates + edges).
    pub(crate) fn new(graph: &FailureGraph) -> Self {
        let n = graph.len();
        // Two searches for components, one along every requirement and
        // one along hard ones: each on a thread.
        let (blocks, large) = rayon::join(
            || {
                components(n, 0..n as u32, |v, i| {
                    graph.requirements(GateId(v)).get(i).map(|&(r, _)| r.0)
                })
            },
            || large_hard_components(graph),
        );
        let mut layout = Layout {
            pos: vec![0; n],
            at: Vec::with_capacity(n),
            block_start: vec![0; n],
            ..Layout::default()
        };
        for block in blocks.iter() {
            let start = layout.at.len() as u32;
            for &g in block {
                layout.pos[g as usize] = layout.at.len() as u32;
                layout.block_start[g as usize] = start;
                layout.at.push(GateId(g));
            }
        }
        layout.fill_edges(graph);
        layout.hard = layout.hard_of_positions(&large);
        if !layout.hard.is_empty() {
            layout.group_members();
            layout.sure = layout.count_sure();
        }
        layout
    }

    /// Each gate's kind, requirements and dependents, by position, in the
    /// layout's order: worked out a chunk of positions on each thread (at
    /// a million services, a pass of half a second on one), then joined in
    /// order. O(gates + edges).
    fn fill_edges(&mut self, graph: &FailureGraph) {
        let pos = &self.pos;
        let parts = super::parallel::fold_chunked(
            &self.at,
            4096,
            &super::Progress::default(),
            EdgesPart::default,
            |part, &g| part.add(graph, pos, g),
            |part| part,
        );
        self.req_start.push(0);
        self.dep_start.push(0);
        for part in parts {
            self.gate.extend(part.gate);
            let mut reqs = self.reqs.len() as u32;
            for len in part.req_lens {
                reqs += len;
                self.req_start.push(reqs);
            }
            self.reqs.extend(part.reqs);
            let mut deps = part.deps.into_iter().zip(part.down);
            for len in part.dep_lens {
                for (d, down) in deps.by_ref().take(len as usize) {
                    let k = self.deps.len();
                    if k % 64 == 0 {
                        self.deps_down.push(0);
                    }
                    if down {
                        self.deps_down[k / 64] |= 1 << (k % 64);
                    }
                    self.deps.push(d);
                }
                self.dep_start.push(self.deps.len() as u32);
            }
        }
    }

    /// Each gate's large hard component, by position (see
    /// [`Layout::hard`]), from the components `large` (gates). O(their
    /// gates), or nothing when there are none.
    fn hard_of_positions(&self, large: &[Vec<u32>]) -> Vec<u32> {
        let mut hard = Vec::new();
        for members in large {
            if hard.is_empty() {
                hard = vec![u32::MAX; self.pos.len()];
            }
            let positions = members.iter().map(|&g| self.pos[g as usize]);
            let first = positions.clone().min().unwrap_or(u32::MAX);
            for p in positions {
                hard[p as usize] = first;
            }
        }
        hard
    }

    /// For each large hard component, how many gates are sure to take it
    /// down. O(gates + edges).
    fn count_sure(&self) -> Vec<u32> {
        let mut sure = vec![0; self.member_ranges.len()];
        for ground in self.grounds_of_gates().into_iter().flatten() {
            let found = (self.member_ranges).binary_search_by_key(&ground.root, |&(r, _, _)| r);
            if let (true, Ok(i)) = (ground.down, found) {
                sure[i] += 1;
            }
        }
        sure
    }

    /// How many gates are sure to take down the large hard component whose
    /// root is at position `root`.
    fn sure_to_take_down(&self, root: u32) -> usize {
        let found = (self.member_ranges).binary_search_by_key(&root, |&(r, _, _)| r);
        found
            .ok()
            .and_then(|i| self.sure.get(i))
            .map_or(0, |&n| n as usize)
    }

    /// Fills `members` and `member_ranges` from `hard`. O(gates + their
    /// components · log).
    fn group_members(&mut self) {
        let mut by_root: Vec<(u32, u32)> = (self.hard.iter().enumerate())
            .filter(|&(_, &root)| root != u32::MAX)
            .map(|(p, &root)| (root, p as u32))
            .collect();
        by_root.sort_unstable();
        self.members = by_root.iter().map(|&(_, p)| p).collect();
        for (i, &(root, _)) in by_root.iter().enumerate() {
            match self.member_ranges.last_mut() {
                Some((last, _, end)) if *last == root => *end = i as u32 + 1,
                _ => self.member_ranges.push((root, i as u32, i as u32 + 1)),
            }
        }
    }

    /// The roots of the large hard components (positions), ascending.
    pub(crate) fn component_roots(&self) -> impl Iterator<Item = u32> + '_ {
        self.member_ranges.iter().map(|&(root, _, _)| root)
    }

    /// The positions of the members of the large hard component whose
    /// root is at position `root`.
    fn members_of(&self, root: u32) -> &[u32] {
        let found = (self.member_ranges).binary_search_by_key(&root, |&(r, _, _)| r);
        match found.ok().and_then(|i| self.member_ranges.get(i)) {
            Some(&(_, start, end)) => &self.members[start as usize..end as usize],
            None => &[],
        }
    }

    /// The large hard component `g` is in, if any (its root's position).
    pub(crate) fn hard_component(&self, g: GateId) -> Option<u32> {
        self.hard_component_at(self.position(g))
    }

    /// The large hard component of the gate at position `p`, if any.
    fn hard_component_at(&self, p: u32) -> Option<u32> {
        let component = self.hard.get(p as usize);
        component.copied().filter(|&c| c != u32::MAX)
    }

    /// For each gate (by gate index), what its failure is sure to do to a
    /// large hard component, if anything: take it down, when a path of
    /// hard edges from the gate leads into it (its own component first);
    /// otherwise leave it degraded, when a path of hard edges leads to a
    /// soft requirement of a gate of the first kind (down, that one only
    /// degrades its dependent, and a hard edge carries degraded too).
    /// Where several components are, the one whose search from the
    /// components back along those edges got there first. O(gates +
    /// edges).
    pub(crate) fn grounds_of_gates(&self) -> Vec<Option<Ground>> {
        let mut ground: Vec<Option<Ground>> = vec![None; self.at.len()];
        if self.hard.is_empty() {
            return ground;
        }
        let mut queue: Vec<u32> = Vec::new();
        for (p, &home) in self.hard.iter().enumerate() {
            if home != u32::MAX {
                ground[p] = Some(Ground::down(home));
                queue.push(p as u32);
            }
        }
        self.search_back(&mut ground, queue);
        // Soft requirements of what takes a component down, each degrading
        // it, then what takes those down.
        let mut queue = Vec::new();
        for p in 0..self.at.len() {
            // Only what takes it down: one that degrades it may be only
            // degraded itself.
            let Some(Ground { root, down: true }) = ground[p] else {
                continue;
            };
            for &(r, mode) in self.reqs_at(p) {
                if !self.gate[p].carries_down(mode) && ground[r as usize].is_none() {
                    ground[r as usize] = Some(Ground { root, down: false });
                    queue.push(r);
                }
            }
        }
        self.search_back(&mut ground, queue);
        // By gate, as callers ask.
        let mut by_gate = vec![None; self.at.len()];
        for (p, &g) in self.at.iter().enumerate() {
            by_gate[g.index()] = ground[p];
        }
        by_gate
    }

    /// Gives every gate without a ground that a path of hard edges from it
    /// leads to one of `queue` that gate's ground. O(gates + edges).
    fn search_back(&self, ground: &mut [Option<Ground>], mut queue: Vec<u32>) {
        while let Some(p) = queue.pop() {
            let gate = self.gate[p as usize];
            let here = ground[p as usize];
            for &(r, mode) in self.reqs_at(p as usize) {
                if hard(gate, mode) && ground[r as usize].is_none() {
                    ground[r as usize] = here;
                    queue.push(r);
                }
            }
        }
    }

    /// The requirements of the gate at position `p`, as positions.
    fn reqs_at(&self, p: usize) -> &[(u32, Mode)] {
        &self.reqs[self.req_start[p] as usize..self.req_start[p + 1] as usize]
    }

    /// The dependents of the gate at position `p`, as positions.
    fn deps_at(&self, p: usize) -> &[u32] {
        &self.deps[self.dep_start[p] as usize..self.dep_start[p + 1] as usize]
    }

    /// The dependents of the gate at position `p` that it can take down,
    /// as positions, in the graph's order.
    fn deps_down_at(&self, p: usize) -> impl Iterator<Item = u32> + '_ {
        let range = self.dep_start[p] as usize..self.dep_start[p + 1] as usize;
        let down = |k: usize| self.deps_down[k / 64] & (1 << (k % 64)) != 0;
        range.filter(move |&k| down(k)).map(|k| self.deps[k])
    }

    /// Gate `g`'s position: a requirement outside `g`'s block comes first.
    pub(crate) fn position(&self, g: GateId) -> u32 {
        self.pos[g.index()]
    }

    /// Whether `r` lies in a block before `g`'s.
    fn before_block_of(&self, r: GateId, g: GateId) -> bool {
        self.pos[r.index()] < self.block_start[g.index()]
    }
}

/// The large hard components: Tarjan's components along hard
/// requirements, those of at least [`LARGE_HARD_COMPONENT`] gates.
/// O(gates + edges).
fn large_hard_components(graph: &FailureGraph) -> Vec<Vec<u32>> {
    let n = graph.len();
    // A requirement that is not hard stands in as a loop to the gate
    // itself, which joins it to no component.
    let components = components(n, 0..n as u32, |v, i| {
        let g = GateId(v);
        let &(r, mode) = graph.requirements(g).get(i)?;
        Some(if hard(graph.gate(g), mode) { r.0 } else { v })
    });
    (components.iter())
        .filter(|c| c.len() >= LARGE_HARD_COMPONENT)
        .map(<[u32]>::to_vec)
        .collect()
}

/// Gates a chain's breadth-first search may reach before it gives way to
/// the walk: chains are short where failures cascade far, and the walk
/// bounds the rest.
const SEARCHED: usize = 4096;

/// Gates the search forth from a failure outside a large hard component
/// that takes one down reaches, once per failure, for its chains to join.
const NEAR: usize = 1024;

/// Gates a chain's search back from its target may reach to join that
/// search, before the chain follows the component's paths.
const BACK: usize = 256;

/// Marks and queues for the breadth-first searches of chains, reused from
/// one chain to the next: one side searches back from the target through
/// requirements, the other forth from the candidate through dependents.
#[derive(Debug, Default)]
pub(crate) struct ChainSearch {
    back: Side,
    forth: Side,
    generation: u32,
    /// The paths of the last large hard component chains were asked of.
    crossing: crossing::Crossing,
    /// A search forth from a failure outside a large hard component that
    /// takes one down, kept for its next chains (see [`Lanes::approach`]),
    /// with how many steps each gate in its queue is from the failure and
    /// the generation it was made in.
    near: Side,
    near_steps: Vec<u32>,
    near_generation: u32,
    /// The candidate (position) `near` is for, once searched to [`NEAR`]
    /// gates: the way in alone stops at the first member.
    near_of: Option<u32>,
    /// Searches back from the targets shown through what the component
    /// entered takes down, and the candidate's search forth to it.
    target_paths: target_paths::TargetPaths,
    outskirts: target_paths::Outskirts,
}

/// One direction of a search.
#[derive(Debug, Default)]
struct Side {
    /// The search each gate was last reached in.
    stamp: Vec<u32>,
    /// Where in `queue` each gate reached is.
    at: Vec<u32>,
    /// Gates reached, each with the position in `queue` of the gate it was
    /// reached from (`u32::MAX` for where the side started).
    queue: Vec<(GateId, u32)>,
    /// Gates reached over every search: the work done (for tests of its
    /// cost).
    #[cfg(test)]
    visits: usize,
}

impl Side {
    fn resize(&mut self, gates: usize) {
        if self.stamp.len() != gates {
            self.stamp = vec![0; gates];
            self.at = vec![0; gates];
        }
        self.queue.clear();
    }

    /// Where `g` is in the queue, if this search reached it.
    fn reached(&self, g: GateId, generation: u32) -> Option<usize> {
        (self.stamp[g.index()] == generation).then(|| self.at[g.index()] as usize)
    }

    fn visit(&mut self, g: GateId, from: u32, generation: u32) -> usize {
        #[cfg(test)]
        {
            self.visits += 1;
        }
        self.stamp[g.index()] = generation;
        self.at[g.index()] = self.queue.len() as u32;
        self.queue.push((g, from));
        self.queue.len() - 1
    }

    /// The gates from `at` back to where the side started, that one
    /// included when `with_start`.
    fn path(&self, mut at: usize, with_start: bool) -> Vec<GateId> {
        let mut path = Vec::new();
        while let Some(&(g, from)) = self.queue.get(at) {
            if from == u32::MAX && !with_start {
                break;
            }
            path.push(g);
            at = from as usize;
        }
        path
    }
}

impl ChainSearch {
    /// Searches whose targets' searches are shared with the other threads
    /// of one audit (see `lanes/target_paths.rs`).
    pub(crate) fn sharing(shared: &Arc<SharedMaps>) -> Self {
        ChainSearch {
            target_paths: target_paths::TargetPaths::sharing(Arc::clone(shared)),
            ..ChainSearch::default()
        }
    }

    /// Gates reached by searches over every chain so far.
    #[cfg(test)]
    fn visits(&self) -> usize {
        let paths = self.target_paths.searched_gates() + self.outskirts.visits();
        self.back.visits + self.forth.visits + self.near.visits + paths
    }

    /// A new search over `gates` gates.
    fn start(&mut self, gates: usize) {
        self.back.resize(gates);
        self.forth.resize(gates);
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            for side in [&mut self.back, &mut self.forth, &mut self.near] {
                side.stamp.fill(0);
            }
            self.crossing.forget_entry();
            self.near_of = None;
            self.generation = 1;
        }
    }

    /// The chain through gate `meet`, reached by both sides: the back
    /// side's path from the target (left out) to it, then the forth side's
    /// from it (left out) to the candidate.
    fn joined(&self, meet: GateId) -> Vec<GateId> {
        let generation = self.generation;
        let mut chain = match self.back.reached(meet, generation) {
            Some(at) => self.back.path(at, false),
            None => Vec::new(),
        };
        chain.reverse();
        if let Some(at) = self.forth.reached(meet, generation) {
            // `meet` itself is on the back side's path already, or is the
            // target (which a chain leaves out).
            chain.extend(self.forth.path(at, true).into_iter().skip(1));
        }
        chain
    }
}

/// A breadth-first search back from position `target` through the
/// requirements that can take a gate down and are down in lane `bit` of
/// `down`, for up to `limit` gates, to gates a search kept forth from the
/// candidate reached (`kept` gives a gate's place in it and its steps from
/// the candidate): the join making the fewest steps, fewer than `than`,
/// once no nearer gate could make fewer. Where the back search reached
/// that gate, and where the kept one did. `back` is marked under
/// `generation`, which the caller started. O(`limit` gates and their
/// edges).
fn join_back(
    layout: &Layout,
    (down, bit): (&[u64], u64),
    (back, generation): (&mut Side, u32),
    (target, limit, than): (u32, usize, u32),
    kept: impl Fn(u32) -> Option<(usize, u32)>,
) -> Option<(usize, usize)> {
    // The best so far: its length, where the back side reached the kept
    // search, and where that gate is in it.
    let mut best: Option<(u32, usize, usize)> = None;
    let shorter = |best: Option<(u32, usize, usize)>, length: u32| {
        length < best.map_or(than, |(shortest, _, _)| shortest)
    };
    back.visit(GateId(target), u32::MAX, generation);
    if let Some((i, steps)) = kept(target).filter(|&(_, steps)| shorter(best, steps)) {
        best = Some((steps, 0, i));
    }
    let (mut next, mut level_end, mut depth) = (0, 1, 0u32);
    while next < back.queue.len() && back.queue.len() < limit {
        if next == level_end {
            level_end = back.queue.len();
            depth += 1;
        }
        if !shorter(best, depth + 1) {
            break;
        }
        let p = back.queue[next].0 .0;
        next += 1;
        let gate = layout.gate[p as usize];
        for &(r, mode) in layout.reqs_at(p as usize) {
            if !gate.carries_down(mode)
                || down[r as usize] & bit == 0
                || back.reached(GateId(r), generation).is_some()
            {
                continue;
            }
            let at = back.visit(GateId(r), next as u32 - 1, generation);
            if let Some((i, steps)) = kept(r).filter(|&(_, steps)| shorter(best, depth + 1 + steps))
            {
                best = Some((depth + 1 + steps, at, i));
            }
        }
    }
    best.map(|(_, at, i)| (at, i))
}

/// The words of one batch of single failures: lane `i` is the scenario
/// where only `batch[i]` failed (or, on a base, where the base and
/// `batch[i]` failed: see [`Lanes::fail_base`]). Buffers are sized to the
/// graph and reset in time proportional to what the last batch touched.
#[derive(Debug)]
pub(crate) struct Lanes {
    /// Each gate's words, by position in the layout.
    down: Vec<u64>,
    not_up: Vec<u64>,
    failed: Vec<u64>,
    /// The layout's positions of gates, to read words by gate.
    pos: Vec<u32>,
    /// Positions waiting for evaluation.
    dirty: Vec<u64>,
    /// Gates not up in some lane (or failed), each once.
    touched: Vec<GateId>,
    planes: Vec<u64>,
    batch: Vec<NodeId>,
    /// Gate evaluations so far, over every batch.
    evaluations: usize,
    /// On a base ([`Lanes::fail_base`]): the words each position held
    /// before the tops first changed them, to put back.
    journal: Vec<Saved>,
    /// Whether changes go to `journal` (on a base) or to `touched`.
    on_base: bool,
    /// The round of tops each position was last saved in (empty until a
    /// base is first failed), and the current round.
    saved_in: Vec<u32>,
    round: u32,
    /// The lanes in which some large hard component is down, found when
    /// a chain first asks (see [`Lanes::chain`]); cleared with the states.
    component_lanes: std::cell::OnceCell<u64>,
    /// On the states of a [`Beneath`] ([`Lanes::fail_each_beneath`]): how
    /// many of `touched` are its states (the first ones), and those of
    /// them the batch changed, each with whether it was down (or only
    /// degraded) in the states alone. `changed_in` marks them and every
    /// gate touched past them with `beneath_round`, to take each once.
    beneath_len: usize,
    changed: Vec<StateChanged>,
    changed_in: Vec<u32>,
    beneath_round: u32,
    /// The [`Beneath`] whose states the words hold under the last batch,
    /// and in which lanes: the next batch on them puts back only what
    /// the last one changed.
    kept: Option<(u64, u64)>,
    /// Requirements left out in some lanes ([`Lanes::fail_each_holding`]).
    held: held::Held,
    /// Whether only down is spread ([`Lanes::down_only`]): not-up words
    /// then hold the down ones.
    down_only: bool,
}

/// A gate of the states under a ground that a batch changed, with whether
/// it was down in them (or only degraded).
pub(crate) type StateChanged = (GateId, bool);

/// What a failure is sure to do to the large hard component whose root is
/// at position `root`: take it down, or leave it degraded (see
/// [`Layout::grounds_of_gates`]). Ordered by component, then fate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Ground {
    root: u32,
    down: bool,
}

impl Ground {
    /// Down, the component whose root is at position `root`.
    pub(crate) fn down(root: u32) -> Self {
        Ground { root, down: true }
    }
}

/// The states of every gate where the members of one large hard
/// component are down (or degraded) and nothing failed, in every lane:
/// the ground a batch of failures that each take that component down (or
/// degrade it) is failed on (see [`Lanes::fail_each_beneath`]). Each
/// failure's fixpoint holds these states (it does that to the component,
/// and so what that does), and they are a fixpoint themselves (each member
/// holds a hard requirement in the component), so its lane starts from
/// them rather than reaching them again.
#[derive(Debug)]
pub(crate) struct Beneath {
    /// The positions not up, each with whether it is down (or only
    /// degraded), in the order they first changed.
    states: Vec<(u32, bool)>,
    /// Which states these are, unique in the process: [`Lanes`] keeps
    /// them from one batch to the next under the same ground.
    id: u64,
}

impl Beneath {
    /// The states under the component of `ground`, down or degraded as it
    /// says. O(what that does + its edges + gates / 64).
    pub(crate) fn new(layout: &Layout, ground: Ground) -> Self {
        let mut lanes = Lanes::new(layout);
        lanes.take_down_alone(layout, ground);
        let states = (lanes.touched.iter())
            .map(|&g| {
                let p = lanes.pos[g.index()];
                (p, lanes.down[p as usize] != 0)
            })
            .collect();
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let id = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Beneath { states, id }
    }

    /// The gates down in these states.
    pub(crate) fn down_gates<'a>(
        &'a self,
        layout: &'a Layout,
    ) -> impl Iterator<Item = GateId> + 'a {
        (self.states.iter())
            .filter(|&&(_, down)| down)
            .map(|&(p, _)| layout.at[p as usize])
    }
}

/// The states under one ground, that a batch was failed from (see
/// [`Lanes::beyond_beneath`]): which ground, and its gates down.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BaseStates<'a> {
    index: usize,
    states: &'a [(u32, bool)],
    layout: &'a Layout,
}

impl<'a> BaseStates<'a> {
    /// Which ground, as [`Grounds::fail_each`] numbers them.
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The gates down in these states.
    pub(crate) fn down_gates(&self) -> impl Iterator<Item = GateId> + 'a {
        let layout = self.layout;
        (self.states.iter())
            .filter(|&&(_, down)| down)
            .map(move |&(p, _)| layout.at[p as usize])
    }
}

/// Where each batch of single failures starts: from the states under a
/// large hard component when every failure of the batch is sure to take
/// that component down, or to degrade it (see [`Beneath`]), otherwise
/// from every gate up.
#[derive(Debug, Default)]
pub(crate) struct Grounds {
    /// Each gate's ground, as [`Layout::grounds_of_gates`] gives.
    reached: Vec<Option<Ground>>,
    /// The states under each ground a whole batch shares.
    beneath: Vec<(Ground, Beneath)>,
}

impl Grounds {
    /// The grounds `batches` need, with each gate's as
    /// [`Layout::grounds_of_gates`] gives (`reached`): a [`Beneath`] for
    /// each ground some batch's failures all share. O(batches'
    /// candidates, plus what each such ground does).
    pub(crate) fn new(
        layout: &Layout,
        reached: Vec<Option<Ground>>,
        batches: &[&[NodeId]],
    ) -> Self {
        let mut grounds: Vec<Ground> = (batches.iter())
            .filter_map(|batch| common_ground(&reached, batch))
            .collect();
        grounds.sort_unstable();
        grounds.dedup();
        // Each a propagation of a large component's failure: side by side.
        let beneath = (grounds.into_par_iter())
            .map(|ground| (ground, Beneath::new(layout, ground)))
            .collect();
        Grounds { reached, beneath }
    }

    /// Fails each of `batch` in its lane (see [`Lanes::fail_each`]), from
    /// the ground that suits it: the same states either way. Which ground's
    /// states it started from (see [`Grounds::states`]), if any.
    pub(crate) fn fail_each(
        &self,
        lanes: &mut Lanes,
        layout: &Layout,
        batch: &[NodeId],
    ) -> Option<usize> {
        let ground = common_ground(&self.reached, batch);
        let found = ground.and_then(|ground| {
            let i = (self.beneath).binary_search_by_key(&ground, |(g, _)| *g);
            i.ok().and_then(|i| Some((i, &self.beneath.get(i)?.1)))
        });
        match found {
            Some((i, beneath)) => {
                lanes.fail_each_beneath(layout, beneath, batch);
                Some(i)
            }
            None => {
                lanes.fail_each(layout, batch);
                None
            }
        }
    }

    /// The states under ground `i` (as [`Grounds::fail_each`] numbers
    /// them).
    pub(crate) fn base<'a>(&'a self, layout: &'a Layout, i: usize) -> BaseStates<'a> {
        BaseStates {
            index: i,
            states: self.beneath.get(i).map_or(&[][..], |(_, b)| &b.states[..]),
            layout,
        }
    }

    /// The states under each ground, in the order of the indices
    /// [`Grounds::fail_each`] returns: each gate, with whether it is down
    /// (or only degraded).
    pub(crate) fn states<'a>(
        &'a self,
        layout: &'a Layout,
    ) -> impl Iterator<Item = impl Iterator<Item = (GateId, bool)> + 'a> + 'a {
        (self.beneath.iter()).map(move |(_, beneath)| {
            (beneath.states.iter()).map(move |&(p, down)| (layout.at[p as usize], down))
        })
    }
}

/// The ground every one of `batch` has, as `reached` says, if they share
/// one.
fn common_ground(reached: &[Option<Ground>], batch: &[NodeId]) -> Option<Ground> {
    let first = (*reached.get(batch.first()?.index())?)?;
    let shared = batch
        .iter()
        .all(|c| reached.get(c.index()) == Some(&Some(first)));
    shared.then_some(first)
}

/// A position's words before a batch of tops changed them.
#[derive(Clone, Copy, Debug)]
struct Saved {
    position: u32,
    down: u64,
    not_up: u64,
    failed: u64,
}

impl Lanes {
    /// Buffers for the graph `layout` orders, every gate up.
    pub(crate) fn new(layout: &Layout) -> Self {
        let n = layout.at.len();
        Lanes {
            down: vec![0; n],
            not_up: vec![0; n],
            failed: vec![0; n],
            pos: layout.pos.clone(),
            dirty: vec![0; n.div_ceil(64)],
            touched: Vec::new(),
            planes: Vec::new(),
            batch: Vec::new(),
            evaluations: 0,
            journal: Vec::new(),
            on_base: false,
            saved_in: Vec::new(),
            round: 0,
            component_lanes: std::cell::OnceCell::new(),
            beneath_len: 0,
            changed: Vec::new(),
            changed_in: Vec::new(),
            beneath_round: 0,
            kept: None,
            held: held::Held::default(),
            down_only: false,
        }
    }

    /// [`Lanes::new`] for a search that asks only which gates go down
    /// (cut sets): degradation is not spread, and each not-up word reads
    /// as its down word. Down never reads degradation (§7), so every down
    /// word is what [`Lanes::new`]'s would be; but one failure degrades
    /// everything downstream of it through `any_of` groups and soft
    /// requirements, where it takes little down: on 100,000 `anyof`
    /// services, most of the work of cut sets of order 2 was spreading
    /// degradation.
    pub(crate) fn down_only(layout: &Layout) -> Self {
        Lanes {
            down_only: true,
            ..Lanes::new(layout)
        }
    }

    /// The states of every gate in each scenario "`batch[i]` alone failed"
    /// (at most 64 of them), replacing the last batch's.
    ///
    /// Cost: each gate the failures reach is evaluated once, reading its
    /// requirements' words, plus again when a cycle it is in changes
    /// further; and a scan of the positions from the first failure on, a
    /// word of 64 at a time. O(gates reached + their edges + gates / 64).
    pub(crate) fn fail_each(&mut self, layout: &Layout, batch: &[NodeId]) {
        debug_assert!(batch.len() <= 64, "a batch has at most 64 lanes");
        self.start_over();
        self.batch.extend_from_slice(&batch[..batch.len().min(64)]);
        self.run(layout, 0..self.batch.len());
    }

    /// [`Lanes::fail_each`] for a batch whose every failure takes down the
    /// component of `beneath`: the same states, from `beneath`'s on. Where
    /// one failure reaches most of a large cycle, the lanes otherwise
    /// sweep it again for every lane the wave arrives in apart. O(the
    /// gates `beneath` holds + what the failures reach past them + their
    /// edges + gates / 64); after a batch of as many lanes on the same
    /// states, O(what the last batch and this one change or reach past
    /// them + their edges + gates / 64): the states are kept, and only
    /// the last batch's changes put back. Batches under one ground come
    /// one after another (see `engine/sharing.rs`), and writing and
    /// clearing the states for each was half of an audit where a cycle
    /// holds most of the file.
    pub(crate) fn fail_each_beneath(
        &mut self,
        layout: &Layout,
        beneath: &Beneath,
        batch: &[NodeId],
    ) {
        debug_assert!(batch.len() <= 64, "a batch has at most 64 lanes");
        let batch = &batch[..batch.len().min(64)];
        // Only the batch's lanes: readers take every lane set as one.
        let lanes = u64::MAX >> (64 - batch.len().max(1));
        if !self.on_base && self.kept == Some((beneath.id, lanes)) {
            self.back_to_beneath(lanes);
        } else {
            self.start_over();
            for &(p, down) in &beneath.states {
                let p = p as usize;
                self.touched.push(layout.at[p]);
                self.down[p] = if down { lanes } else { 0 };
                self.not_up[p] = lanes;
            }
            self.beneath_len = beneath.states.len();
            self.kept = Some((beneath.id, lanes));
        }
        self.batch.extend_from_slice(batch);
        if self.changed_in.is_empty() {
            self.changed_in = vec![0; self.pos.len()];
        }
        self.beneath_round = self.beneath_round.wrapping_add(1);
        if self.beneath_round == 0 {
            self.changed_in.fill(0);
            self.beneath_round = 1;
        }
        self.run(layout, 0..self.batch.len());
    }

    /// Puts back the states of the [`Beneath`] kept, in `lanes`, where the
    /// last batch on them changed them or reached past them. O(those).
    fn back_to_beneath(&mut self, lanes: u64) {
        self.component_lanes.take();
        for &(g, down) in &self.changed {
            let p = self.pos[g.index()] as usize;
            self.down[p] = if down { lanes } else { 0 };
            self.not_up[p] = lanes;
            self.failed[p] = 0;
        }
        for &g in &self.touched[self.beneath_len..] {
            let p = self.pos[g.index()] as usize;
            self.down[p] = 0;
            self.not_up[p] = 0;
            self.failed[p] = 0;
        }
        self.touched.truncate(self.beneath_len);
        self.changed.clear();
        self.batch.clear();
    }

    /// On the states of a [`Beneath`] ([`Lanes::fail_each_beneath`]): the
    /// gates of those states the batch changed, each with whether it was
    /// down in them (or only degraded), and the gates it touched past
    /// them. Every other gate of those states is as they hold it, alike
    /// in every lane: a reader may count those once for all lanes.
    /// `None` for a batch from every gate up.
    pub(crate) fn beyond_beneath(&self) -> Option<(&[StateChanged], &[GateId])> {
        (self.beneath_len > 0).then(|| (&self.changed[..], &self.touched[self.beneath_len..]))
    }

    /// Fails `base` in every lane, replacing the last batch's states: the
    /// ground [`Lanes::fail_on_base`] fails its tops on, so that a batch
    /// of pairs sharing one member propagates that member once. O(what
    /// `base` reaches + its edges + gates / 64).
    pub(crate) fn fail_base(&mut self, layout: &Layout, base: NodeId) {
        self.start_over();
        let p = self.pos[base.index()] as usize;
        self.touched.push(layout.at[p]);
        self.failed[p] = u64::MAX;
        self.mark(p as u32);
        self.propagate(layout, p, p + 1);
        if self.saved_in.is_empty() {
            self.saved_in = vec![0; self.pos.len()];
        }
        self.on_base = true;
        self.round = self.round.wrapping_add(1);
    }

    /// The states of every gate in each scenario "the base and `tops[i]`
    /// failed" (at most 64 of them), on the last [`Lanes::fail_base`].
    /// What the tops change is journaled, and put back by the next batch,
    /// base or [`Lanes::fail_each`]. O(what the tops reach on top of the
    /// base + its edges + gates / 64).
    pub(crate) fn fail_on_base(&mut self, layout: &Layout, tops: &[NodeId]) {
        debug_assert!(self.on_base, "tops go on a failed base");
        debug_assert!(tops.len() <= 64, "a batch has at most 64 lanes");
        self.undo_tops();
        self.batch.clear();
        self.batch.extend_from_slice(&tops[..tops.len().min(64)]);
        self.run(layout, 0..self.batch.len());
    }

    /// The gates the last [`Lanes::fail_on_base`] changed, each once, with
    /// the lanes they were down in on the base alone (every lane or none).
    pub(crate) fn changed_on_base<'a>(
        &'a self,
        layout: &'a Layout,
    ) -> impl Iterator<Item = (GateId, u64)> + 'a {
        let journal = if self.on_base { &self.journal[..] } else { &[] };
        journal
            .iter()
            .map(|s| (layout.at[s.position as usize], s.down))
    }

    /// Fails lane `i`'s member of the batch in lane `i`, then evaluates
    /// what that reaches.
    fn run(&mut self, layout: &Layout, lanes: std::ops::Range<usize>) {
        self.component_lanes.take();
        let mut from = usize::MAX;
        // One past the last position queued: the scan stops there, not at
        // the end of the graph, where a batch reaches little.
        let mut end = 0;
        for i in lanes {
            let p = self.pos[self.batch[i].index()] as usize;
            self.save(layout, p);
            self.failed[p] |= 1 << i;
            from = from.min(self.mark(p as u32));
            end = end.max(p + 1);
        }
        self.propagate(layout, from, end);
    }

    /// Evaluates the queued positions from `from` on, and what their
    /// changes queue, until nothing changes.
    fn propagate(&mut self, layout: &Layout, mut from: usize, mut end: usize) {
        // Positions queued behind the scan wait for the next sweep, and so
        // do the large hard components to take down (see
        // `take_down_component`), each once per sweep.
        let mut behind = usize::MAX;
        let mut components: Vec<(u32, u64, u64)> = Vec::new();
        loop {
            let Some(p) = next_set(|w| self.dirty[w], from, end) else {
                for (root, down, not_up) in components.drain(..) {
                    let (a, b) = self.take_down_component(layout, root, (down, not_up));
                    behind = behind.min(a);
                    end = end.max(b);
                }
                if behind == usize::MAX {
                    break;
                }
                from = std::mem::replace(&mut behind, usize::MAX);
                continue;
            };
            self.dirty[p / 64] &= !(1u64 << (p % 64));
            from = p + 1;
            let (down, not_up) = self.evaluate(layout, p);
            self.evaluations += 1;
            if down == self.down[p] && not_up == self.not_up[p] {
                continue;
            }
            let newly = (down & !self.down[p], not_up & !self.not_up[p]);
            self.save(layout, p);
            self.down[p] = down;
            self.not_up[p] = not_up;
            for &d in layout.deps_at(p) {
                // A dependent in the same cycle may come earlier.
                let q = self.mark(d);
                if q < from {
                    behind = behind.min(q);
                }
                end = end.max(q + 1);
            }
            if newly.1 != 0 {
                if let Some(root) = layout.hard_component_at(p as u32) {
                    match components.iter_mut().find(|c| c.0 == root) {
                        Some(c) => (c.1, c.2) = (c.1 | newly.0, c.2 | newly.1),
                        None => components.push((root, newly.0, newly.1)),
                    }
                }
            }
        }
    }

    /// Takes every member of the large hard component at `root` down in
    /// the lanes `down`, and not up in the lanes `not_up` (which hold
    /// `down`), where one member just changed so: each would, one hard
    /// edge after another (a hard edge carries both), and a wave round a
    /// large cycle costs as many sweeps of it as the cycle is deep, in
    /// every lane it arrives in apart. The members then read as much from
    /// each other, so only dependents outside the component are queued.
    /// Returns the range of positions queued. O(members + their edges).
    fn take_down_component(
        &mut self,
        layout: &Layout,
        root: u32,
        (down, not_up): (u64, u64),
    ) -> (usize, usize) {
        let (mut from, mut end) = (usize::MAX, 0);
        for &q in layout.members_of(root) {
            let q = q as usize;
            if self.down[q] & down == down && self.not_up[q] & not_up == not_up {
                continue;
            }
            self.save(layout, q);
            self.down[q] |= down;
            self.not_up[q] |= not_up;
            for &d in layout.deps_at(q) {
                if layout.hard_component_at(d) != Some(root) {
                    let d = self.mark(d);
                    from = from.min(d);
                    end = end.max(d + 1);
                }
            }
        }
        (from, end)
    }

    /// Every lane to the states where the members of the component whose
    /// root is at position `root` are down and nothing failed. O(what the
    /// last batch touched + what the component takes down + its edges +
    /// gates / 64).
    fn take_down_alone(&mut self, layout: &Layout, ground: Ground) {
        self.start_over();
        let down = if ground.down { u64::MAX } else { 0 };
        let (from, end) = self.take_down_component(layout, ground.root, (down, u64::MAX));
        self.propagate(layout, from, end);
    }

    /// Before position `p`'s words change: on a base, their first value
    /// in this round goes to the journal; otherwise a gate leaving all up
    /// goes to `touched`, for [`Lanes::reset`].
    fn save(&mut self, layout: &Layout, p: usize) {
        if self.on_base {
            if self.saved_in[p] != self.round {
                self.saved_in[p] = self.round;
                self.journal.push(Saved {
                    position: p as u32,
                    down: self.down[p],
                    not_up: self.not_up[p],
                    failed: self.failed[p],
                });
            }
        } else if self.down[p] | self.not_up[p] | self.failed[p] == 0 {
            self.touched.push(layout.at[p]);
            if self.beneath_len > 0 {
                self.changed_in[p] = self.beneath_round;
            }
        } else if self.beneath_len > 0 && self.changed_in[p] != self.beneath_round {
            // One of the states beneath, changed for the first time.
            self.changed_in[p] = self.beneath_round;
            self.changed.push((layout.at[p], self.down[p] != 0));
        }
    }

    /// Puts back the words the last batch of tops changed: the states of
    /// the base alone.
    fn undo_tops(&mut self) {
        for s in self.journal.drain(..).rev() {
            let p = s.position as usize;
            self.down[p] = s.down;
            self.not_up[p] = s.not_up;
            self.failed[p] = s.failed;
        }
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            // Stamps of 4 billion rounds ago would look current.
            self.saved_in.fill(0);
            self.round = 1;
        }
    }

    /// Every gate up and no batch, whether the last states were a batch
    /// alone or tops on a base.
    fn start_over(&mut self) {
        self.component_lanes.take();
        self.held.clear();
        self.leave_base();
        self.reset();
        self.batch.clear();
    }

    /// Leaves the base, if any: back to the base's states, which
    /// [`Lanes::reset`] then clears.
    fn leave_base(&mut self) {
        if self.on_base {
            self.undo_tops();
            self.on_base = false;
        }
    }

    /// Queues position `p` and returns it.
    fn mark(&mut self, p: u32) -> usize {
        let p = p as usize;
        self.dirty[p / 64] |= 1 << (p % 64);
        p
    }

    /// The down and not-up words of the gate at position `p`, from its
    /// requirements' (§7).
    fn evaluate(&mut self, layout: &Layout, p: usize) -> (u64, u64) {
        if self.held.at(p) {
            let held = std::mem::take(&mut self.held);
            let entries = held.of(p);
            let kept = |k: usize| {
                let entry = entries.iter().find(|e| e.1 as usize == k);
                entry.map_or(u64::MAX, |e| !e.2)
            };
            let words = self.evaluate_with(layout, p, kept);
            self.held = held;
            return words;
        }
        if self.down_only {
            let down = self.evaluate_down(layout, p);
            return (down, down);
        }
        self.evaluate_with(layout, p, |_| u64::MAX)
    }

    /// The down word of the gate at position `p` alone, from its
    /// requirements' (§7), for [`Lanes::down_only`].
    fn evaluate_down(&mut self, layout: &Layout, p: usize) -> u64 {
        let down = &self.down;
        let reqs = layout.reqs_at(p).iter();
        self.failed[p]
            | match layout.gate[p] {
                Gate::All => reqs
                    .filter(|&&(_, mode)| Gate::All.carries_down(mode))
                    .fold(0, |d, &(r, _)| d | down[r as usize]),
                gate @ Gate::AtLeast { .. } => match rule(gate) {
                    Rule::Any => reqs.fold(0, |d, &(r, _)| d | down[r as usize]),
                    Rule::AtLeast(t) => {
                        at_least(reqs.map(|&(r, _)| down[r as usize]), t, &mut self.planes)
                    }
                },
            }
    }

    /// [`Lanes::evaluate`], the `k`th requirement read only in the lanes
    /// `kept(k)` (the others read it as up).
    #[inline(always)]
    fn evaluate_with(
        &mut self,
        layout: &Layout,
        p: usize,
        kept: impl Fn(usize) -> u64,
    ) -> (u64, u64) {
        let own = self.failed[p];
        let reqs = layout.reqs_at(p).iter().enumerate();
        let (words_down, words_not_up) = (&self.down, &self.not_up);
        let down = |k: usize, r: u32| words_down[r as usize] & kept(k);
        let not_up = |k: usize, r: u32| words_not_up[r as usize] & kept(k);
        let (down, not_up) = match layout.gate[p] {
            Gate::All => reqs.fold((own, 0), |(d, u), (k, &(r, mode))| {
                if Gate::All.carries_down(mode) {
                    (d | down(k, r), u | not_up(k, r))
                } else {
                    // A soft requirement down only degrades.
                    (d, u | down(k, r))
                }
            }),
            gate @ Gate::AtLeast { .. } => match rule(gate) {
                Rule::Any => reqs.fold((own, 0), |(d, u), (k, &(r, _))| {
                    (d | down(k, r), u | not_up(k, r))
                }),
                Rule::AtLeast(t) => {
                    let planes = &mut self.planes;
                    let d = own | at_least(reqs.clone().map(|(k, &(r, _))| down(k, r)), t, planes);
                    let u = at_least(reqs.map(|(k, &(r, _))| not_up(k, r)), t, planes);
                    (d, u)
                }
            },
        };
        (down, not_up | down)
    }

    /// Puts every gate back up. Where the batch touched an eighth of the
    /// gates or more (under a large cycle's states, most of the file),
    /// clearing every word in order costs less than a lookup and three
    /// scattered writes per gate touched.
    fn reset(&mut self) {
        if self.touched.len() >= self.down.len() / 8 {
            self.down.fill(0);
            self.not_up.fill(0);
            self.failed.fill(0);
        } else {
            self.clear_touched();
        }
        self.touched.clear();
        self.beneath_len = 0;
        self.changed.clear();
        self.kept = None;
    }

    /// Puts the gates touched back up, one by one.
    fn clear_touched(&mut self) {
        for &g in &self.touched {
            let p = self.pos[g.index()] as usize;
            self.down[p] = 0;
            self.not_up[p] = 0;
            self.failed[p] = 0;
        }
    }

    /// The candidates of the last batch, lane by lane.
    pub(crate) fn batch(&self) -> &[NodeId] {
        &self.batch
    }

    /// The gates not up in some lane of the last batch, each once, in no
    /// particular order.
    pub(crate) fn touched(&self) -> &[GateId] {
        &self.touched
    }

    /// The lanes in which `g` is down.
    pub(crate) fn down(&self, g: GateId) -> u64 {
        self.down[self.pos[g.index()] as usize]
    }

    /// The lanes in which `g` is down or degraded.
    pub(crate) fn not_up(&self, g: GateId) -> u64 {
        self.not_up[self.pos[g.index()] as usize]
    }

    /// The lanes in which `g` is the failed candidate.
    pub(crate) fn failed(&self, g: GateId) -> u64 {
        self.failed[self.pos[g.index()] as usize]
    }

    /// Gate evaluations over every batch so far: the work done (for
    /// tests of its cost).
    #[cfg(test)]
    pub(crate) fn evaluations(&self) -> usize {
        self.evaluations
    }

    /// A cause chain of `target` in lane `lane`, from `candidate` (format
    /// v1 §9): real nodes, each a direct requirement of the one before
    /// (helper gates walked through, not named), every one down, the last
    /// the candidate. Empty when `target` is up in that lane or is the
    /// candidate. The candidate is the lane's failed one, or one that takes
    /// down the same gates (see `engine/sharing.rs`).
    ///
    /// A short one: where searches from both ends meet (see
    /// [`Lanes::meet`]) within [`SEARCHED`] gates, otherwise the walk of
    /// [`Lanes::walk`]. Cost: at most `SEARCHED` gates and their edges,
    /// plus the walk. Where the candidate's failure takes a large hard
    /// component down: from inside it, the target's path to the
    /// component's root, then the root's to the candidate (see
    /// `lanes/crossing.rs`), the chain's length plus once per component
    /// what it takes down and its edges; from outside it, a search back to
    /// the one kept forth from the candidate ([`Lanes::near_join`],
    /// [`BACK`] gates, plus [`NEAR`] once per candidate), then those paths.
    pub(crate) fn chain(
        &self,
        graph: &FailureGraph,
        layout: &Layout,
        search: &mut ChainSearch,
        (lane, candidate): (usize, NodeId),
        target: NodeId,
    ) -> Vec<NodeId> {
        let bit = 1u64 << lane;
        let at = GateId::from(target);
        let candidate = GateId::from(candidate);
        if self.down(at) & bit == 0 || at == candidate {
            return Vec::new();
        }
        // Where the failure takes a large hard component down, a search from
        // both ends reaches much of it before meeting, for each of the many
        // chains such failures show. A failure inside one follows the paths
        // made once for the component; one outside first joins the search
        // kept from it, then the paths. Elsewhere the search from both ends
        // finds a shortest chain when it is near, and the walk the rest.
        let ends = (at, candidate);
        let c = layout.position(candidate);
        let enters = self.component_lanes(layout) & bit != 0 && {
            self.enter((graph, layout), search, c, bit);
            search.crossing.has_entry()
        };
        let inside = layout.hard_component_at(c).is_some();
        let gates = (enters.then(|| {
            self.target_paths((graph, layout), search, ends, bit)
                .or_else(|| {
                    (!inside)
                        .then(|| self.near_join((graph, layout), search, (at, c), bit))
                        .flatten()
                })
                .or_else(|| self.crossing(layout, search, ends, bit))
        }))
        .flatten()
        .or_else(|| self.meet((graph, layout), search, ends, bit))
        .unwrap_or_else(|| self.walk(graph, layout, search, ends, bit));
        gates.into_iter().filter_map(|g| graph.node_of(g)).collect()
    }

    /// The lanes in which some large hard component is down: one word per
    /// component's root, once per batch (none without a component). A
    /// lane without one has no way in to search for.
    fn component_lanes(&self, layout: &Layout) -> u64 {
        *self.component_lanes.get_or_init(|| {
            (layout.member_ranges.iter()).fold(0, |lanes, &(root, _, _)| {
                lanes | self.down.get(root as usize).copied().unwrap_or(0)
            })
        })
    }

    /// Keeps the way in of the candidate at position `c` (see
    /// [`Lanes::approach`]), unless it is kept already.
    fn enter(
        &self,
        (graph, layout): (&FailureGraph, &Layout),
        search: &mut ChainSearch,
        c: u32,
        bit: u64,
    ) {
        if !search.crossing.entered_from(c) {
            let entry = self.approach((graph, layout), search, (c, bit), false);
            search.crossing.enter(c, entry);
        }
    }

    /// A chain where the candidate's failure takes a large hard component
    /// down, along the target's search back through what the component
    /// alone takes down (see `lanes/target_paths.rs`), where enough
    /// failures take the component down to pay for such searches. `None`
    /// elsewhere, and when the target is down for another reason than the
    /// component and out of the candidate's outskirts. O(the chain), plus
    /// once per target what the component takes down, and once per
    /// candidate [`NEAR`] gates.
    fn target_paths(
        &self,
        (graph, layout): (&FailureGraph, &Layout),
        search: &mut ChainSearch,
        (at, candidate): (GateId, GateId),
        bit: u64,
    ) -> Option<Vec<GateId>> {
        search.start(graph.len());
        let generation = search.generation;
        let ChainSearch {
            crossing,
            target_paths: paths,
            outskirts,
            back,
            ..
        } = search;
        let home = crossing.entered(layout)?;
        if !target_paths::worth(layout, home, crossing.taken_down()) {
            return None;
        }
        let alone = target_paths::Alone(crossing.alone_bits());
        let (t, c) = (layout.position(at), layout.position(candidate));
        let chain = if alone.down(c) {
            alone
                .down(t)
                .then(|| paths.chain_from(layout, (home, alone), (t, c)))??
        } else {
            let down = (&self.down[..], bit);
            outskirts.search(layout, down, (home, alone), c);
            let joined = paths.chain_joining(layout, (home, alone), t, outskirts);
            let back = (back, generation);
            joined.or_else(|| outskirts.join_back(layout, down, back, t))?
        };
        // What the searches assume of the lane, checked.
        let all_down = chain.iter().all(|&p| self.down[p as usize] & bit != 0);
        (all_down && chain.last() == Some(&c))
            .then(|| chain.into_iter().map(|p| layout.at[p as usize]).collect())
    }

    /// A chain where the candidate's failure takes a large hard component
    /// down: along the paths made once for the component (see
    /// `lanes/crossing.rs`), joined to the candidate's way into it, kept
    /// ([`Lanes::enter`]). `None` when the target is down for another
    /// reason. O(the chain), plus once per component what it takes down.
    fn crossing(
        &self,
        layout: &Layout,
        search: &mut ChainSearch,
        (at, candidate): (GateId, GateId),
        bit: u64,
    ) -> Option<Vec<GateId>> {
        let ends = (layout.position(at), layout.position(candidate));
        let path = (search.crossing).chain(layout, (&self.down, bit), ends)?;
        Some(path.into_iter().map(|p| layout.at[p as usize]).collect())
    }

    /// The way into a large hard component from the failure at position
    /// `candidate`, in lane `bit`: `candidate` itself when it is a member;
    /// otherwise a breadth-first search forth through gates down in the
    /// lane, to the first member of one it reaches. When `whole`, the
    /// search goes on to [`NEAR`] gates and is kept in `near` for the
    /// candidate's chains ([`Lanes::near_join`]). `None` when it reaches
    /// none. O(`NEAR` gates and their edges).
    fn approach(
        &self,
        (graph, layout): (&FailureGraph, &Layout),
        search: &mut ChainSearch,
        (candidate, bit): (u32, u64),
        whole: bool,
    ) -> Option<crossing::Entry> {
        if let Some(home) = layout.hard_component_at(candidate) {
            return Some(crossing::Entry::new(home, candidate, Vec::new()));
        }
        search.start(graph.len());
        let generation = search.generation;
        search.near_generation = generation;
        search.near_of = whole.then_some(candidate);
        let (near, steps) = (&mut search.near, &mut search.near_steps);
        near.resize(graph.len());
        near.visit(GateId(candidate), u32::MAX, generation);
        steps.clear();
        steps.push(0);
        let mut entry = None;
        let mut next = 0;
        while let Some(&(p, _)) = near.queue.get(next).filter(|_| near.queue.len() < NEAR) {
            if let Some(home) = layout.hard_component_at(p.0).filter(|_| entry.is_none()) {
                // The path back from the member to the candidate.
                let path = near.path(next, true).into_iter().skip(1);
                let path = path.map(|k| k.0).collect();
                entry = Some(crossing::Entry::new(home, p.0, path));
                if !whole {
                    break;
                }
            }
            // Up to `NEAR` gates, not past: a site's dependents can be
            // thousands.
            for q in layout.deps_down_at(p.index()) {
                if self.down[q as usize] & bit != 0 && near.reached(GateId(q), generation).is_none()
                {
                    near.visit(GateId(q), next as u32, generation);
                    steps.push(steps[next] + 1);
                    if near.queue.len() >= NEAR {
                        break;
                    }
                }
            }
            next += 1;
        }
        entry
    }

    /// A chain of `target` to `candidate` (outside a large hard component
    /// its failure takes down) along the search kept in `near`: a
    /// breadth-first search back from the target to gates that search
    /// reached, the shortest such chain once no nearer gate could make a
    /// shorter one. `None` when it reaches none within [`BACK`] gates.
    /// O(`BACK` gates and their edges, plus the chain).
    fn near_join(
        &self,
        (graph, layout): (&FailureGraph, &Layout),
        search: &mut ChainSearch,
        (target, candidate): (GateId, u32),
        bit: u64,
    ) -> Option<Vec<GateId>> {
        if search.near_of != Some(candidate) {
            self.approach((graph, layout), search, (candidate, bit), true);
        }
        search.start(graph.len());
        let (generation, near_generation) = (search.generation, search.near_generation);
        let ChainSearch {
            back,
            near,
            near_steps,
            ..
        } = search;
        let steps_near =
            |p: u32| (near.reached(GateId(p), near_generation)).map(|i| (i, near_steps[i]));
        let ends = (layout.position(target), BACK, u32::MAX);
        let (at, i) = join_back(
            layout,
            (&self.down, bit),
            (back, generation),
            ends,
            steps_near,
        )?;
        let mut chain = back.path(at, false);
        chain.reverse();
        chain.extend(near.path(i, true).into_iter().skip(1));
        Some(chain.into_iter().map(|k| layout.at[k.index()]).collect())
    }

    /// Cause chains of many targets in lane `lane` from `candidate` at
    /// once, each as [`Lanes::chain`] gives them: a breadth-first search
    /// forth from the candidate through every gate it takes down, then
    /// each target's path back along it, a shortest chain. Cost: the
    /// gates down in that lane and their edges, plus the chains' lengths.
    pub(crate) fn chains(
        &self,
        graph: &FailureGraph,
        search: &mut ChainSearch,
        (lane, candidate): (usize, NodeId),
        targets: &[NodeId],
    ) -> Vec<Vec<NodeId>> {
        let bit = 1u64 << lane;
        search.start(graph.len());
        let generation = search.generation;
        let forth = &mut search.forth;
        forth.visit(GateId::from(candidate), u32::MAX, generation);
        let mut next = 0;
        while let Some(&(g, _)) = forth.queue.get(next) {
            for &(d, mode) in graph.dependents(g) {
                if self.down(d) & bit != 0
                    && graph.gate(d).carries_down(mode)
                    && forth.reached(d, generation).is_none()
                {
                    forth.visit(d, next as u32, generation);
                }
            }
            next += 1;
        }
        targets
            .iter()
            .map(|&t| match forth.reached(GateId::from(t), generation) {
                Some(at) if t != candidate => forth
                    .path(at, true)
                    .into_iter()
                    .skip(1)
                    .filter_map(|g| graph.node_of(g))
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }

    /// A breadth-first search back from position `from` through the
    /// requirements that can take a gate down and are down in lane `bit`,
    /// only to positions `inside` allows, until one that `goal` accepts:
    /// the gates of the path, `from` left out, in chain order.
    /// Requirements are taken in the order the file gives them, so the
    /// path is the same on every run. `None` when there is none. It marks
    /// `back` (keyed by position, as [`Lanes::meet`]'s sides), under a
    /// `generation` the caller started. O(gates `inside` allows and their
    /// edges).
    fn search(
        &self,
        layout: &Layout,
        (back, generation): (&mut Side, u32),
        (from, bit): (u32, u64),
        inside: impl Fn(u32) -> bool,
        goal: impl Fn(u32) -> bool,
    ) -> Option<Vec<GateId>> {
        back.visit(GateId(from), u32::MAX, generation);
        let mut next = 0;
        while let Some(&(p, _)) = back.queue.get(next) {
            let gate = layout.gate[p.index()];
            for &(r, mode) in layout.reqs_at(p.index()) {
                if !gate.carries_down(mode)
                    || self.down[r as usize] & bit == 0
                    || back.reached(GateId(r), generation).is_some()
                    || !inside(r)
                {
                    continue;
                }
                let at = back.visit(GateId(r), next as u32, generation);
                if goal(r) {
                    let path = back.path(at, false).into_iter().rev();
                    return Some(path.map(|k| layout.at[k.index()]).collect());
                }
            }
            next += 1;
        }
        None
    }

    /// A path of down gates from `target` (left out) to `candidate`, by
    /// breadth-first searches from both ends, a level of the smaller
    /// frontier at a time, until they meet: back from the target through
    /// requirements that can take a gate down, forth from the candidate
    /// through dependents it can take down, both only through gates down
    /// in lane `bit`. `None` past [`SEARCHED`] gates reached.
    ///
    /// Its sides are keyed by layout position, not gate: a search reads
    /// every edge of the gates it reaches, and by position the words and
    /// requirements of a gate are one lookup away, not two.
    fn meet(
        &self,
        (graph, layout): (&FailureGraph, &Layout),
        search: &mut ChainSearch,
        (target, candidate): (GateId, GateId),
        bit: u64,
    ) -> Option<Vec<GateId>> {
        search.start(graph.len());
        let generation = search.generation;
        let key = |p: u32| GateId(p);
        search
            .back
            .visit(key(layout.position(target)), u32::MAX, generation);
        search
            .forth
            .visit(key(layout.position(candidate)), u32::MAX, generation);
        let (mut back_next, mut forth_next) = (0, 0);
        loop {
            let back_left = search.back.queue.len() - back_next;
            let forth_left = search.forth.queue.len() - forth_next;
            if back_left + forth_left == 0
                || search.back.queue.len() + search.forth.queue.len() > SEARCHED
            {
                return None;
            }
            let backwards = forth_left == 0 || (back_left != 0 && back_left <= forth_left);
            let (side, other, next) = if backwards {
                (&mut search.back, &search.forth, &mut back_next)
            } else {
                (&mut search.forth, &search.back, &mut forth_next)
            };
            let level_end = side.queue.len();
            while *next < level_end {
                let p = side.queue[*next].0 .0 as usize;
                let mut step = |d: u32, carries: bool| {
                    let at = key(d);
                    if !carries
                        || self.down[d as usize] & bit == 0
                        || side.reached(at, generation).is_some()
                    {
                        return false;
                    }
                    side.visit(at, *next as u32, generation);
                    other.reached(at, generation).is_some()
                };
                let met = if backwards {
                    let gate = layout.gate[p];
                    layout
                        .reqs_at(p)
                        .iter()
                        .find(|&&(r, mode)| step(r, gate.carries_down(mode)))
                        .map(|&(r, _)| r)
                } else {
                    // The layout's own list, by position: the graph's would
                    // need each dependent's position and gate looked up.
                    layout.deps_down_at(p).find(|&q| step(q, true))
                };
                if let Some(q) = met {
                    let joined = search.joined(key(q));
                    return Some(joined.into_iter().map(|k| layout.at[k.index()]).collect());
                }
                *next += 1;
            }
        }
    }

    /// A chain of `at` (down in lane `bit`, not `candidate`) by steps to the
    /// down requirement that comes first in the layout, which leaves the
    /// current block for an earlier one whenever a requirement outside it
    /// is down; inside a cycle with none, a breadth-first search through
    /// the cycle's down gates finds the nearest one that has (or the
    /// candidate). So the walk ends, and costs its length times the
    /// requirements read, plus the cycles it crosses.
    fn walk(
        &self,
        graph: &FailureGraph,
        layout: &Layout,
        search: &mut ChainSearch,
        (mut at, candidate): (GateId, GateId),
        bit: u64,
    ) -> Vec<GateId> {
        let mut chain = Vec::new();
        // Every step leaves a block or ends at the candidate: at most one
        // per gate, kept as a bound should that invariant ever break.
        for _ in 0..graph.len() {
            if at == candidate {
                break;
            }
            match self.first_down_requirement(layout, at, bit) {
                Some(r) if layout.before_block_of(r, at) => {
                    chain.push(r);
                    at = r;
                }
                Some(_) => {
                    // All in its cycle: to the nearest gate of the cycle that
                    // leaves it (the next step then does) or failed.
                    let path = self.out_of_cycle(graph, layout, search, (at, candidate), bit);
                    let Some(&last) = path.last() else { break };
                    chain.extend(path);
                    at = last;
                }
                None => break,
            }
        }
        chain
    }

    /// The requirement of `g` that can take it down and is down in lane
    /// `bit`, first in the layout.
    fn first_down_requirement(&self, layout: &Layout, g: GateId, bit: u64) -> Option<GateId> {
        // By position: a requirement's words are one lookup away.
        let p = layout.position(g) as usize;
        let gate = layout.gate[p];
        let first = (layout.reqs_at(p).iter())
            .filter(|&&(r, mode)| gate.carries_down(mode) && self.down[r as usize] & bit != 0)
            .map(|&(r, _)| r)
            .min()?;
        Some(layout.at[first as usize])
    }

    /// Whether a requirement of the gate at position `p`, in a block that
    /// starts at position `start`, lies before the block, can take it down
    /// and is down in lane `bit`: then the first down one (see
    /// [`Lanes::first_down_requirement`]) is before the block too, since
    /// the block's positions come after it. Stops at the first it finds.
    fn leaves_block(&self, layout: &Layout, (p, start): (u32, u32), bit: u64) -> bool {
        let gate = layout.gate[p as usize];
        (layout.reqs_at(p as usize).iter()).any(|&(r, mode)| {
            r < start && gate.carries_down(mode) && self.down[r as usize] & bit != 0
        })
    }

    /// From `from`, down in lane `bit` with all its down requirements in
    /// its own block: the shortest path back through down requirements in
    /// the block to `candidate`, or to a gate that has a down requirement
    /// before the block. The path leaves out `from` and ends at that gate;
    /// empty if there is none (which the fixpoint rules out).
    fn out_of_cycle(
        &self,
        graph: &FailureGraph,
        layout: &Layout,
        search: &mut ChainSearch,
        (from, candidate): (GateId, GateId),
        bit: u64,
    ) -> Vec<GateId> {
        // By position: every gate the search reaches is in `from`'s block,
        // which starts at `start` (requirements come first).
        let start = layout.block_start[from.index()];
        let in_block = |r: u32| r >= start;
        search.start(graph.len());
        let generation = search.generation;
        let candidate = layout.position(candidate);
        let exits = |r: u32| r == candidate || self.leaves_block(layout, (r, start), bit);
        let from = layout.position(from);
        (self.search(
            layout,
            (&mut search.back, generation),
            (from, bit),
            in_block,
            exits,
        ))
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::propagate::{Scratch, State};
    use crate::load::load_str;

    /// Quorums, `any_of` with a minimum, soft edges, cycles (one that a
    /// failure reaches, one self-sustaining pair), `requires` and an
    /// integration with a fallback.
    const TEXT: &str = "version: 1
sites:
  r: {}
  a: {within: r}
  b: {within: r}
  c: {within: r}
services:
  db: {runs_in: {sites: [a, b, c], min: 2}}
  cache: {runs_in: a}
  queue: {runs_in: [b, c]}
  api:
    runs_in: b
    depends_on: [db, {on: cache, mode: soft}, {any_of: [queue, cache], min: 1}]
  ping: {runs_in: a, depends_on: [pong]}
  pong: {runs_in: c, depends_on: [ping, api]}
  self1: {depends_on: [self2]}
  self2: {depends_on: [self1]}
  web: {runs_in: c, depends_on: [api, pong]}
";

    /// Gate `g`'s state in lane `lane`.
    fn lane_state(lanes: &Lanes, g: GateId, lane: usize) -> State {
        match (lanes.down(g) >> lane & 1, lanes.not_up(g) >> lane & 1) {
            (1, _) => State::Down,
            (_, 1) => State::Degraded,
            _ => State::Up,
        }
    }

    /// Every lane agrees with a propagation of its candidate alone, on
    /// every gate, whatever the batch's make-up; and every chain is a path
    /// of down requirements from the target to the candidate.
    #[test]
    fn each_lane_agrees_with_propagation() {
        let loaded = load_str("t.yaml", TEXT).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let mut scratch = Scratch::new(&graph);
        let mut search = ChainSearch::default();
        let candidates: Vec<NodeId> = arch.node_ids().collect();
        for batch in [&candidates[..], &candidates[3..7], &candidates[..1]] {
            lanes.fail_each(&layout, batch);
            for (i, &c) in batch.iter().enumerate() {
                scratch.propagate(&graph, &[c]);
                for g in (0..graph.len()).map(|g| GateId(g as u32)) {
                    let want = scratch.state(g);
                    let got = lane_state(&lanes, g, i);
                    assert_eq!(got, want, "gate {g:?}, {} failed", arch.name_of(c));
                }
                for t in arch.node_ids() {
                    let chain = lanes.chain(&graph, &layout, &mut search, (i, batch[i]), t);
                    let at = GateId::from(t);
                    let walked = if chain.is_empty() {
                        Vec::new()
                    } else {
                        let gates =
                            lanes.walk(&graph, &layout, &mut search, (at, c.into()), 1 << i);
                        gates.into_iter().filter_map(|g| graph.node_of(g)).collect()
                    };
                    assert_eq!(walked.last(), chain.last());
                    assert!(walked
                        .iter()
                        .all(|&n| scratch.state(GateId::from(n)) == State::Down));
                    if t == c || scratch.state(GateId::from(t)) != State::Down {
                        assert!(chain.is_empty());
                        continue;
                    }
                    assert_eq!(chain.last(), Some(&c), "{}", arch.name_of(t));
                    assert!(chain
                        .iter()
                        .all(|&n| scratch.state(GateId::from(n)) == State::Down));
                }
                scratch.reset(&graph);
            }
        }
    }

    /// A ring of 90 services, each needing the next (one large hard
    /// component), with soft chords across it, placed in sites (one a
    /// 2-of-3 quorum), every tenth also needing one of six services
    /// below it; and 40 services around it, each needing a ring member
    /// hard, softly or as one of an `any_of`, or one of those.
    fn ring_text() -> String {
        let ring = 90;
        let mut text = String::from("version: 1\nsites:\n  a: {}\n  b: {}\n  c: {}\nservices:\n");
        for k in 0..6 {
            text.push_str(&format!("  base{k}: {{runs_in: a}}\n"));
        }
        // In a cycle with the ring through a soft edge: `w{k}` degrades it,
        // `x{k}` only degrades `w{k}`, and so not the ring. Before the ring
        // in the file, so that the layout's search enters the cycle at
        // `w{k}` and places it after the member that needs it.
        for k in 0..ring / 10 {
            text.push_str(&format!(
                "  w{k}: {{runs_in: b, depends_on: [r{}, {{on: x{k}, mode: soft}}]}}\n  x{k}: {{runs_in: c}}\n",
                k * 10 + 6
            ));
        }
        for i in 0..ring {
            let site = ["a", "b", "c"][i % 3];
            let runs_in = if i == 7 {
                "{sites: [a, b, c], min: 2}".to_string()
            } else {
                site.to_string()
            };
            let chord = (i * 7 + 3) % ring;
            let base = match i % 10 {
                0 => format!(", base{}", i / 10 % 6),
                // `w{k}` down degrades the ring; it needs the ring itself.
                5 => format!(", {{on: w{}, mode: soft}}", i / 10),
                _ => String::new(),
            };
            text.push_str(&format!(
                "  r{i}: {{runs_in: {runs_in}, depends_on: [r{}, {{on: r{chord}, mode: soft}}{base}]}}\n",
                (i + 1) % ring
            ));
        }
        for j in 0..40 {
            let member = (j * 13) % ring;
            let needs = match j % 4 {
                0 => format!("r{member}"),
                1 => format!("{{on: r{member}, mode: soft}}"),
                2 => format!("{{any_of: [r{member}, o{}]}}", j - 1),
                _ => format!("o{}, {{on: r{member}, mode: soft}}", j - 2),
            };
            text.push_str(&format!(
                "  o{j}: {{tier: high, runs_in: {}, depends_on: [{needs}]}}\n",
                ["a", "b", "c"][j % 3]
            ));
        }
        text
    }

    /// Each node's ground is what its failure alone does to the ring: takes
    /// it down, or at least degrades it; and the nodes that only degrade a
    /// member that needs them softly (`x{k}`) have none.
    #[test]
    fn grounds_are_what_a_failure_alone_does() {
        let loaded = load_str("ring.yaml", ring_text()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let grounds = layout.grounds_of_gates();
        let mut scratch = Scratch::new(&graph);
        let (mut down, mut degraded) = (0, 0);
        for n in arch.node_ids() {
            let Some(ground) = grounds[n.index()] else {
                continue;
            };
            scratch.propagate(&graph, &[n]);
            let root = scratch.state(layout.at[ground.root as usize]);
            let name = arch.name_of(n);
            if ground.down {
                down += 1;
                assert_eq!(root, State::Down, "{name}");
            } else {
                degraded += 1;
                assert_ne!(root, State::Up, "{name}");
            }
            scratch.reset(&graph);
        }
        assert!(
            down > 90 && degraded >= 9,
            "{down} down, {degraded} degraded"
        );
        let x = |n: &NodeId| arch.name_of(*n).starts_with('x');
        assert!(arch
            .node_ids()
            .filter(x)
            .all(|n| grounds[n.index()].is_none()));
    }

    /// Chains from failures that take the ring down follow each target's
    /// search back through what the ring takes down
    /// (`lanes/target_paths.rs`): from inside it, a shortest chain (as
    /// long as the one a search forth through everything the failure
    /// takes down gives, [`Lanes::chains`]); from outside (`base{k}`,
    /// the sites), a chain of direct requirements, each down, ending at
    /// the failure. Every target's search is made once, not per chain.
    #[test]
    fn chains_from_failures_that_take_a_ring_down() {
        let loaded = load_str("ring.yaml", ring_text()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let mut search = ChainSearch::default();
        let id = |name: &str| arch.id_of(name).expect("in the file");
        let targets: Vec<NodeId> = (0..40).map(|j| id(&format!("o{j}"))).collect();
        let inside = ["r0", "r7", "r45", "r89"];
        let outside = ["base0", "base3", "a", "b", "w2"];
        let failures: Vec<NodeId> = inside.iter().chain(&outside).map(|n| id(n)).collect();
        lanes.fail_each(&layout, &failures);
        let (mut shown, mut from_outside) = (0, 0);
        for (lane, &failed) in failures.iter().enumerate() {
            let shortest = lanes.chains(&graph, &mut search, (lane, failed), &targets);
            for (&t, best) in targets.iter().zip(&shortest) {
                let chain = lanes.chain(&graph, &layout, &mut search, (lane, failed), t);
                assert_eq!(chain.is_empty(), best.is_empty(), "{}", arch.name_of(t));
                if chain.is_empty() {
                    continue;
                }
                shown += 1;
                assert_eq!(chain.last(), Some(&failed));
                let mut at = t;
                for &next in &chain {
                    let names = (arch.name_of(at), arch.name_of(next));
                    assert!(requires(&graph, at, next), "{names:?}");
                    assert!(
                        lanes.down(GateId::from(next)) & (1 << lane) != 0,
                        "{names:?}"
                    );
                    at = next;
                }
                if lane < inside.len() {
                    assert_eq!(chain.len(), best.len(), "{}", arch.name_of(t));
                } else {
                    from_outside += 1;
                }
            }
        }
        assert!(
            shown >= 100 && from_outside >= 60,
            "{shown} chains, {from_outside} from outside"
        );
        let searched = search.target_paths.searched();
        assert!(
            (1..=targets.len()).contains(&searched),
            "{searched} searches"
        );
    }

    /// Two threads' searches that share targets' searches make each once:
    /// the second finds the first's, and its chains are the same.
    #[test]
    fn threads_share_the_targets_searches() {
        let loaded = load_str("ring.yaml", ring_text()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let shared = Arc::new(SharedMaps::default());
        let mut searches = [ChainSearch::sharing(&shared), ChainSearch::sharing(&shared)];
        let id = |name: &str| arch.id_of(name).expect("in the file");
        let failures = [id("r0"), id("base0")];
        lanes.fail_each(&layout, &failures);
        let targets: Vec<NodeId> = (0..40).map(|j| id(&format!("o{j}"))).collect();
        let chains: Vec<Vec<Vec<NodeId>>> = (searches.iter_mut())
            .map(|search| {
                let chain = |(lane, t): (usize, NodeId)| {
                    lanes.chain(&graph, &layout, search, (lane, failures[lane]), t)
                };
                (0..2)
                    .flat_map(|lane| targets.iter().map(move |&t| (lane, t)))
                    .map(chain)
                    .collect()
            })
            .collect();
        assert_eq!(chains[0], chains[1]);
        assert!(searches[0].target_paths.searched() >= 1);
        assert_eq!(searches[1].target_paths.searched(), 0);
    }

    /// Where few failures are sure to take a large cycle down for what it
    /// takes down (its 64 members, against 16,400 services on it), a search
    /// back per target would cost more than the chains it serves: none is
    /// made, and the chain goes through the cycle's paths, still a chain
    /// of down requirements from the target to the failure.
    #[test]
    fn few_failures_for_a_large_cycle_make_no_target_searches() {
        let mut text = String::from("version: 1\nservices:\n");
        for i in 0..64 {
            text.push_str(&format!("  r{i}: {{depends_on: [r{}]}}\n", (i + 1) % 64));
        }
        for j in 0..16_400 {
            text.push_str(&format!(
                "  d{j}: {{tier: high, depends_on: [r{}]}}\n",
                j % 64
            ));
        }
        let loaded = load_str("ring.yaml", text).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let mut search = ChainSearch::default();
        let id = |name: &str| arch.id_of(name).expect("in the file");
        lanes.fail_each(&layout, &[id("r5")]);
        let target = id("d70");
        let chain = lanes.chain(&graph, &layout, &mut search, (0, id("r5")), target);
        assert_eq!(search.target_paths.searched(), 0);
        assert_eq!(chain.last(), Some(&id("r5")));
        let mut at = target;
        for &next in &chain {
            assert!(
                requires(&graph, at, next),
                "{} {}",
                arch.name_of(at),
                arch.name_of(next)
            );
            at = next;
        }
    }

    /// Where a failure takes down so much beside a cycle that its search
    /// forth stops before the services it takes down near the target (a
    /// site whose `hub` 2,000 services need, searched before `y`), the
    /// chain still joins where the target's own search needs a service
    /// the search forth reached: three steps through `y`, not 35 round
    /// the ring from its member in the site. And where the target's
    /// search has more than its nearest gates looked at (`t2` needs 70
    /// services), the shortest join among the rest is still found (at
    /// `a69`, 3 steps, past one of 5 through `b`).
    #[test]
    fn chains_join_near_the_target_past_a_full_search_forth() {
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        text.push_str("  t: {tier: high, depends_on: [m]}\n  m: {depends_on: [r32, y]}\n");
        for i in 0..64 {
            let site = if i == 0 { ", runs_in: s" } else { "" };
            text.push_str(&format!(
                "  r{i}: {{depends_on: [r{}]{site}}}\n",
                (i + 1) % 64
            ));
        }
        let needs: Vec<String> = (0..70).map(|k| format!("a{k}")).collect();
        text.push_str(&format!(
            "  t2: {{tier: high, depends_on: [{}]}}\n",
            needs.join(", ")
        ));
        text.push_str("  a0: {depends_on: [r32, c1]}\n  c1: {depends_on: [c2]}\n");
        text.push_str("  c2: {depends_on: [b]}\n  b: {runs_in: s, depends_on: [r32]}\n");
        for k in 1..69 {
            text.push_str(&format!("  a{k}: {{depends_on: [r32]}}\n"));
        }
        text.push_str("  a69: {depends_on: [r32, hub]}\n");
        text.push_str("  hub: {runs_in: s}\n  y: {runs_in: s}\n");
        for j in 0..2_000 {
            text.push_str(&format!("  f{j}: {{depends_on: [hub]}}\n"));
        }
        let loaded = load_str("ring.yaml", text).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let mut search = ChainSearch::default();
        let id = |name: &str| arch.id_of(name).expect("in the file");
        lanes.fail_each(&layout, &[id("s")]);
        let chain = lanes.chain(&graph, &layout, &mut search, (0, id("s")), id("t"));
        let names: Vec<&str> = chain.iter().map(|&n| arch.name_of(n)).collect();
        assert_eq!(names, ["m", "y", "s"]);
        // Through the target's search, with the search forth cut short.
        assert_eq!(search.target_paths.searched(), 1);
        assert!(search.outskirts.visits() >= NEAR);
        assert_eq!(
            search
                .outskirts
                .steps_of(layout.position(GateId::from(id("m")))),
            None
        );
        let chain = lanes.chain(&graph, &layout, &mut search, (0, id("s")), id("t2"));
        let names: Vec<&str> = chain.iter().map(|&n| arch.name_of(n)).collect();
        assert_eq!(names, ["a69", "hub", "s"]);
    }

    /// Whether `at` needs `next` directly: through requirements, past
    /// helper gates only.
    fn requires(graph: &FailureGraph, at: NodeId, next: NodeId) -> bool {
        let mut queue = vec![GateId::from(at)];
        while let Some(g) = queue.pop() {
            for &(r, _) in graph.requirements(g) {
                if r == GateId::from(next) {
                    return true;
                }
                if graph.node_of(r).is_none() {
                    queue.push(r);
                }
            }
        }
        false
    }

    /// Batches as the audit makes them (`Sharing`, then [`Grounds`]): the
    /// failures that take the ring down start from the states under it,
    /// and every lane still agrees with a propagation of its failure
    /// alone, down and degraded alike. Beneath the ring, a batch
    /// evaluates only what its failures add: less than the same batch
    /// from every gate up.
    #[test]
    fn failures_beneath_a_large_component_agree_with_propagation() {
        let loaded = load_str("ring.yaml", ring_text()).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut by_position: Vec<NodeId> = arch.node_ids().collect();
        by_position.sort_unstable_by_key(|&c| layout.position(GateId::from(c)));
        let ranks = arch.id_ranks();
        let reached = layout.grounds_of_gates();
        let (_, failed) =
            super::super::sharing::Sharing::new(&layout, &reached, by_position, &ranks);
        // Small batches, so that several are beneath the ring.
        let batches: Vec<&[NodeId]> = failed.chunks(4).collect();
        let grounds = Grounds::new(&layout, reached, &batches);
        let fates: Vec<bool> = grounds.beneath.iter().map(|(g, _)| g.down).collect();
        assert_eq!(
            fates,
            [false, true],
            "one component degraded and taken down"
        );
        let mut lanes = Lanes::new(&layout);
        let mut scratch = Scratch::new(&graph);
        let mut beneath = 0;
        for &batch in &batches {
            let before = lanes.evaluations();
            lanes.fail_each(&layout, batch);
            let from_nothing = lanes.evaluations() - before;
            let before = lanes.evaluations();
            grounds.fail_each(&mut lanes, &layout, batch);
            if common_ground(&grounds.reached, batch).is_some() {
                beneath += 1;
                let cost = lanes.evaluations() - before;
                assert!(cost < from_nothing, "{cost} of {from_nothing}");
            }
            for (i, &c) in batch.iter().enumerate() {
                scratch.propagate(&graph, &[c]);
                for g in (0..graph.len()).map(|g| GateId(g as u32)) {
                    let got = lane_state(&lanes, g, i);
                    assert_eq!(
                        got,
                        scratch.state(g),
                        "gate {g:?}, {} failed",
                        arch.name_of(c)
                    );
                }
                scratch.reset(&graph);
            }
            // No lane past the batch is touched.
            let lanes_used = u64::MAX >> (64 - batch.len());
            for &g in lanes.touched() {
                assert_eq!(lanes.not_up(g) & !lanes_used, 0);
            }
        }
        assert!(beneath >= 2, "{beneath} batches beneath the ring");
        // In pairs, so that a batch under the degraded ring follows one
        // that failed a gate of its states.
        let pairs: Vec<&[NodeId]> = failed.chunks(2).collect();
        let grounds = Grounds::new(&layout, layout.grounds_of_gates(), &pairs);
        kept_states_agree_with_states_made_afresh(&graph, &layout, &grounds, &pairs);
    }

    /// Batch after batch on one [`Lanes`], under a ground the last batch
    /// shared (its states kept, the last batch's changes put back), each
    /// gate's words and what the batch changed beneath the ground or
    /// touched past it are those of the same batch on new lanes.
    fn kept_states_agree_with_states_made_afresh(
        graph: &FailureGraph,
        layout: &Layout,
        grounds: &Grounds,
        batches: &[&[NodeId]],
    ) {
        let mut lanes = Lanes::new(layout);
        let mut kept = 0;
        for batch in batches {
            let ground = common_ground(&grounds.reached, batch);
            let before = lanes.kept;
            grounds.fail_each(&mut lanes, layout, batch);
            kept += usize::from(ground.is_some() && before == lanes.kept);
            let mut fresh = Lanes::new(layout);
            grounds.fail_each(&mut fresh, layout, batch);
            for g in (0..graph.len()).map(|g| GateId(g as u32)) {
                let words = |l: &Lanes| (l.down(g), l.not_up(g), l.failed(g));
                assert_eq!(words(&lanes), words(&fresh), "gate {g:?}");
            }
            let beyond = |l: &Lanes| {
                l.beyond_beneath().map(|(changed, past)| {
                    let mut changed = changed.to_vec();
                    let mut past = past.to_vec();
                    changed.sort_unstable();
                    past.sort_unstable();
                    (changed, past)
                })
            };
            assert_eq!(beyond(&lanes), beyond(&fresh));
            let touched = |l: &Lanes| {
                let mut t = l.touched().to_vec();
                t.sort_unstable();
                t
            };
            assert_eq!(touched(&lanes), touched(&fresh));
        }
        assert!(kept >= 1, "no batch found the states of the last kept");
    }

    /// A cycle of 5,000 services, each needing both neighbours (the even
    /// ones the next first, the odd ones the one before), is one large hard
    /// component, too long for a chain's searches from both ends; `s0`
    /// also needs `base`. The chains from `app` (on `s2500`) follow its
    /// search back through what the component takes down, made once: from
    /// a failure inside it (`s0`, `s1234`) and from one outside that takes
    /// it down (`base`). Each must be a path, each node once, every node a
    /// direct requirement of the one before, ending at the failure, and
    /// a shortest one, after searching the component once for `app`, no
    /// gate for a failure inside it and few from `base`; and (the search
    /// the chains of a failure outside fall back on) a target near `base`
    /// joins the search kept from it for a shortest chain. (Stepping to any gate
    /// of the component once went back and forth between `s2500` and
    /// `s2501` until the walk's bound, a chain as long as the graph.)
    #[test]
    fn chains_through_a_long_hard_cycle_are_paths() {
        let n = 5000;
        let mut text = String::from("version: 1\nservices:\n  base: {}\n");
        for i in 0..n {
            let (next, before) = ((i + 1) % n, (i + n - 1) % n);
            let needs = if i % 2 == 0 {
                [next, before]
            } else {
                [before, next]
            };
            let base = if i == 0 { ", base" } else { "" };
            text.push_str(&format!(
                "  s{i}: {{depends_on: [s{}, s{}{base}]}}\n",
                needs[0], needs[1]
            ));
        }
        text.push_str("  app: {tier: high, depends_on: [s2500]}\n");
        let loaded = load_str("ring.yaml", text).expect("valid");
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let layout = Layout::new(&graph);
        let mut lanes = Lanes::new(&layout);
        let mut search = ChainSearch::default();
        let id = |name: &str| arch.id_of(name).expect("in the file");
        let (app, failures) = (id("app"), [id("s0"), id("s1234"), id("base")]);
        lanes.fail_each(&layout, &failures);
        // Shortest: 2,500 steps from `s2500` to `s0` (and one more to
        // `base`), 1,266 to `s1234`; through the root, 3,734.
        let bounds = [(2501, n + 1), (1267, 0), (2502, 2 + 64 + 2)];
        for (lane, (failed, (longest, work))) in failures.into_iter().zip(bounds).enumerate() {
            let before = search.visits();
            let chain = lanes.chain(&graph, &layout, &mut search, (lane, failed), app);
            // `app`'s search once, through the component and `app`; for
            // `base`, its outskirts (itself and `s0`), and the chain's
            // search back to join them (64 gates and the last one's two
            // requirements), which gives up.
            let searched = search.visits() - before;
            assert!(searched <= work, "{searched} gates searched");
            assert_eq!(chain.last(), Some(&failed));
            let mut seen = std::collections::HashSet::new();
            assert!(chain.iter().all(|&id| seen.insert(id)), "a node twice");
            assert_eq!(chain.len(), longest, "steps");
            let mut at = app;
            for &next in &chain {
                let needs = |d: &crate::model::Dependency| matches!(d, crate::model::Dependency::On { target, .. } if *target == next);
                let names = (arch.name_of(at), arch.name_of(next));
                assert!(
                    arch.depends_on(arch.node(at)).iter().any(needs),
                    "{names:?}"
                );
                at = next;
            }
        }
        // Near `base`, a chain joins the search kept from it: `app`'s
        // target `s2500` is past it, `s4990` (ten steps back) is not.
        let bit = 1 << 2;
        let near = |search: &mut ChainSearch, name: &str| {
            let ends = (
                GateId::from(id(name)),
                layout.position(GateId::from(id("base"))),
            );
            let gates = lanes.near_join((&graph, &layout), search, ends, bit);
            gates.map(|g| g.into_iter().filter_map(|g| graph.node_of(g)).count())
        };
        assert_eq!(near(&mut search, "s2500"), None);
        assert_eq!(near(&mut search, "s4990"), Some(11));
    }
}
