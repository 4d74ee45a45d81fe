//! A target's cone compiled into a circuit that decides, for 64 failure
//! sets at once, which of them take the target down.
//!
//! The exact availability method asks "is the target down?" for hundreds
//! of thousands of small failure sets of the same cone. A worklist
//! propagation answers one set at a time at some hundreds of instructions
//! each. Here each gate holds a 64-bit word, one bit per set (a *lane*),
//! and the gates are evaluated once per batch in an order where a gate's
//! requirements come first, so a batch costs at most one pass over the
//! cone's edges: a few instructions per edge for 64 sets. Only the gates
//! that can be down are evaluated (those of the failed parts and the
//! dependents of gates found down), since the sets are small and most of a
//! big cone stays up under each.
//!
//! The answer is the propagation's (format v1 §7, down states only): a gate
//! is down when it failed or, for an `All` gate, when a hard requirement is
//! down; for an `AtLeast` gate, when so many requirements are down that
//! fewer than `min` are left. Cycles (a few back edges) are strongly
//! connected components, evaluated with a worklist from all up, which
//! reaches the same least set of down gates as the propagation. Inside
//! one, gates that need one another through `All` gates are always down
//! together, and are laid out as one ([`units`]).
//!
//! Only gates that a part can reach are kept: the rest stay up whatever
//! fails.

use crate::model::{Mode, NodeId};

use super::bits::next_set;
use super::cone::ConeMarks;
use super::fnv::Fnv;
use super::graph::{FailureGraph, Gate, GateId};
use super::word::Lanes;

mod spread;
mod units;
pub(crate) use spread::{Spread, Spreading};

/// No part, or not in the circuit.
const NONE: u32 = u32::MAX;

/// How many gates ahead of its evaluation a gate's requirements are asked
/// for ([`ConeCircuit::prefetch_requirements`]) in a cycle's sweeps. (Out
/// of cycles, an evaluation in order keeps its words in few slots, which
/// stay in the caches: [`Compact`].) Monte Carlo's word is 128 bytes a gate, so
/// a union of 160,000 gates holds 20 MB of them per thread, past what the
/// caches keep for two threads, and a gate's requirements lie anywhere in
/// it: read when the gate is evaluated, each waited for memory in turn.
/// Asked for 8 gates ahead, they arrive while the gates before are
/// evaluated. On `hub` at 100,000 services, `availability` took 2.62 s
/// against 3.39 s (medians of five interleaved rounds), with 4 gates
/// ahead 2.83 s and with 16 2.87 s.
const PREFETCH_AHEAD: usize = 8;

/// When a gate is down, given its requirements (its own failure aside).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Rule {
    /// When any requirement is down.
    Any,
    /// When at least this many requirements are down (at least 2).
    AtLeast(u32),
}

/// A run of gates in evaluation order: one gate, or a cycle's gates.
#[derive(Clone, Copy, Debug)]
struct Block {
    start: u32,
    end: u32,
    cyclic: bool,
}

impl Block {
    /// Whether it is a cycle of [`units::FEW_BACK_EDGES_FROM`] units or
    /// more, laid out in [`units::few_back_edges`]' order.
    fn is_large_cycle(&self) -> bool {
        self.cyclic && (self.end - self.start) as usize >= units::FEW_BACK_EDGES_FROM
    }
}

/// The circuit of one cone, with buffers reused from one target to the
/// next ([`ConeCircuit::compile`]), evaluated over words of lanes `L`.
#[derive(Debug, Default)]
pub(crate) struct ConeCircuit<L: Lanes = u64> {
    /// Per gate, in evaluation order (requirements first).
    rule: Vec<Rule>,
    /// A part whose failure fails the gate, or [`NONE`] (a unit of
    /// several gates has the parts of all, each mapped in `gate_of_part`).
    part: Vec<u32>,
    req_start: Vec<u32>,
    reqs: Vec<u32>,
    /// Dependents in the same block, for the worklist of a cycle.
    dep_start: Vec<u32>,
    deps: Vec<u32>,
    /// Dependents in later blocks, marked when a gate goes down.
    out_start: Vec<u32>,
    outs: Vec<u32>,
    /// The gate each part fails, or [`NONE`] when it does not lead to the
    /// target.
    gate_of_part: Vec<u32>,
    block_of: Vec<u32>,
    blocks: Vec<Block>,
    /// Each target's gate, or [`NONE`] when no part reaches it.
    targets: Vec<u32>,
    /// The targets a part reaches, as (gate, target), by gate: read in
    /// this order, a whole file's gates are read in the order they lie in
    /// memory ([`Self::down_lanes_of_each`]).
    by_gate: Vec<(u32, u32)>,
    /// Down lanes per gate, during an evaluation; none outside one.
    vals: Vec<L>,
    /// The lanes each seeded gate's part failed in, during an evaluation,
    /// by slot ([`Self::gate_to_fail`] says why); empty outside one.
    own: Vec<L>,
    /// Per gate, its slot in `own` and `seeded` while it is seeded (a
    /// slot is its gate's only where `seeded` names the gate there).
    slot: Vec<u32>,
    /// The gates whose `own` lanes are set, each in its slot.
    seeded: Vec<u32>,
    /// Gates to evaluate, one bit each in evaluation order.
    dirty: Vec<u64>,
    /// Gates given a value, set back to none after an evaluation.
    touched: Vec<u32>,
    /// The steps of the evaluations so far ([`Self::steps`]).
    steps: u64,
    /// Evaluations of gates in cycles so far, sweeps counted.
    cycle_evaluations: u64,
    planes: Vec<L>,
    /// Where an evaluation in order keeps the gates' words, made at the
    /// first one ([`Compact`]).
    compact: Compact<L>,
    // Compile-time buffers. `live` is graph-sized and stamped, so a
    // compile costs the gates the parts reach, not the graph or the cone.
    live_stamp: Vec<u32>,
    stamp: u32,
    /// For a live gate (this stamp), its index in `live_gates`.
    live_index: Vec<u32>,
    live_gates: Vec<GateId>,
    /// Live requirements of each live gate, by live index.
    local_reqs: Csr,
    order_of: Vec<u32>,
    same: Same,
}

/// Where an evaluation keeps the gates' words, and where a gate finds
/// its requirements': at their positions ([`Direct`]), or, with `SLOTS`,
/// in slots used again ([`Compact`]). The evaluations are the same over
/// either.
#[derive(Debug, Default)]
struct Words<L, const SLOTS: bool> {
    /// Per gate, its slot (with `SLOTS`; empty without).
    place: Vec<u32>,
    /// Per requirement edge (as the circuit's `reqs`), where the
    /// requirement's word is in `vals`.
    reqs: Vec<u32>,
    vals: Vec<L>,
    /// With `SLOTS`, the circuit's blocks with each run of blocks outside
    /// cycles as one: a run is evaluated gate by gate, with no block to
    /// read for each.
    runs: Vec<Block>,
}

impl<L, const SLOTS: bool> Words<L, SLOTS> {
    /// Where gate `g`'s word is in `vals`.
    #[inline(always)]
    fn at(&self, g: usize) -> usize {
        if SLOTS {
            self.place[g] as usize
        } else {
            g
        }
    }

    /// Gate `g`'s word.
    #[inline(always)]
    fn word(&mut self, g: usize) -> &mut L {
        let at = self.at(g);
        &mut self.vals[at]
    }
}

/// Each gate's word at its position: a marked evaluation reads a gate it
/// did not reach as none, so no two gates may share a word. Its
/// requirement edges are the circuit's own.
type Direct<L> = Words<L, false>;

/// The gates' words for an evaluation in order
/// ([`ConeCircuit::down_lanes_of_each_in_order`]), which writes every
/// gate's word before anything reads it: each gate in a slot, given back
/// once the last block that reads its word is settled, and given to the
/// next gate laid out.
///
/// Why: a word at every position is 128 bytes a gate for Monte Carlo, 15
/// MB for the union of `tree` at 100,000 services (121,359 gates), and a
/// batch wrote it all and read it back: the evaluation waited on memory.
/// Most words are read by the next gates laid out and then never again, so
/// few slots are in use at once, and they stay in the processor's caches.
/// On `tree`, Monte Carlo went from 1,211 samples of a profile to 924.
type Compact<L> = Words<L, true>;

impl<L: Lanes> Words<L, true> {
    /// Slots for `circuit`'s gates. A block's gates take theirs before it
    /// is settled, and each gate gives its back after the last block that
    /// reads its word (its own, or a later one that needs it): no word is
    /// overwritten while a gate may still read it. The slot given back last
    /// is taken first, as it is the likeliest still in the caches.
    /// O(gates + edges).
    fn of(circuit: &ConeCircuit<L>) -> Self {
        let n = circuit.rule.len();
        // Per gate, the last block that reads its word.
        let mut last = circuit.block_of.clone();
        for d in 0..n {
            for &r in circuit.reqs_of(d) {
                last[r as usize] = last[r as usize].max(circuit.block_of[d]);
            }
        }
        let mut given_back = Csr::default();
        given_back.fill(
            circuit.blocks.len(),
            (0..n as u32).map(|g| (last[g as usize], g)),
        );
        let mut place = vec![0u32; n];
        let (mut free, mut slots) = (Vec::new(), 0u32);
        for (b, block) in circuit.blocks.iter().enumerate() {
            for g in block.start..block.end {
                place[g as usize] = free.pop().unwrap_or_else(|| {
                    slots += 1;
                    slots - 1
                });
            }
            free.extend(given_back.of(b as u32).iter().map(|&g| place[g as usize]));
        }
        let reqs = circuit.reqs.iter().map(|&r| place[r as usize]).collect();
        let mut runs: Vec<Block> = Vec::new();
        for &block in &circuit.blocks {
            match runs.last_mut() {
                Some(run) if !run.cyclic && !block.cyclic => run.end = block.end,
                _ => runs.push(block),
            }
        }
        Words {
            place,
            reqs,
            vals: vec![L::NONE; slots as usize],
            runs,
        }
    }
}

/// Finds gates that are the same function of the same gates: a gate
/// without a part, outside any cycle, whose rule and requirements (as
/// positions, counted with repeats) are those of a gate laid out before it
/// is evaluated as that gate. Services placed in the same list of sites
/// each have such a gate (half the `AtLeast` gates of the generator's
/// `layered-avail-all` shape at 100,000 services), and Monte Carlo
/// evaluates every gate of a file's cones in nearly every batch.
///
/// Keys live in one buffer, found by their hash, so that a compile does
/// not allocate per gate: per-target compiles of cones of thousands of
/// gates spent a third of their time allocating keys. Two keys with the
/// same hash are told apart by comparing them, and the later is then laid
/// out on its own: a gate not merged costs time, never a wrong answer.
#[derive(Debug, Default)]
struct Same {
    /// By a key's hash, its entry in `entries`.
    by_hash: std::collections::HashMap<u64, u32, Fnv>,
    /// Per key: its rule, its range in `keys`, and its gate's position.
    entries: Vec<(Rule, u32, u32, u32)>,
    keys: Vec<u32>,
    /// The key being looked up.
    key: Vec<u32>,
}

impl Same {
    /// The position of the earlier gate that live gate `l` is the same
    /// as, if any; if none, `l` is taken to be laid out next, at the
    /// circuit's next position. Requirements are laid out before `l`.
    /// O(requirements × log requirements).
    fn gate_like<L: Lanes>(
        &mut self,
        circuit: &ConeCircuit<L>,
        graph: &FailureGraph,
        l: u32,
        part_of_local: &[u32],
    ) -> Option<u32> {
        let reqs = circuit.local_reqs.of(l);
        if part_of_local[l as usize] != NONE || reqs.contains(&l) {
            return None;
        }
        self.key.clear();
        let positions = reqs.iter().map(|&r| circuit.order_of[r as usize]);
        self.key.extend(positions.filter(|&o| o != NONE));
        self.key.sort_unstable();
        let rule = rule(graph.gate(circuit.live_gates[l as usize]));
        let hash = std::hash::BuildHasher::hash_one(&Fnv, (rule, &self.key[..]));
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Occupied(e) => {
                let (r, from, to, position) = self.entries[*e.get() as usize];
                let same = r == rule && self.keys[from as usize..to as usize] == self.key[..];
                same.then_some(position)
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(self.entries.len() as u32);
                let from = self.keys.len() as u32;
                self.keys.extend_from_slice(&self.key);
                let to = self.keys.len() as u32;
                self.entries
                    .push((rule, from, to, circuit.rule.len() as u32));
                None
            }
        }
    }

    /// Forgets every key, keeping the buffers.
    fn clear(&mut self) {
        self.by_hash.clear();
        self.entries.clear();
        self.keys.clear();
    }
}

/// Adjacency as offsets into one array.
#[derive(Debug, Default)]
struct Csr {
    start: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    /// Fills from (from, to) pairs over `n` vertices, keeping pair order.
    fn fill(&mut self, n: usize, pairs: impl Iterator<Item = (u32, u32)> + Clone) {
        self.start.clear();
        self.start.resize(n + 1, 0);
        for (a, _) in pairs.clone() {
            self.start[a as usize + 1] += 1;
        }
        for i in 1..=n {
            self.start[i] += self.start[i - 1];
        }
        self.items.clear();
        self.items.resize(self.start[n] as usize, 0);
        let mut fill = self.start.clone();
        for (a, b) in pairs {
            let slot = &mut fill[a as usize];
            self.items[*slot as usize] = b;
            *slot += 1;
        }
    }

    fn of(&self, v: u32) -> &[u32] {
        &self.items[self.start[v as usize] as usize..self.start[v as usize + 1] as usize]
    }
}

/// Each part's failure alone ([`ConeCircuit::singles`]).
#[derive(Debug)]
pub(crate) struct Singles {
    /// Bit per part: its failure alone takes the target down.
    pub(crate) down: Vec<u64>,
    /// Per `AtLeast` gate, `words` words: the parts whose failure alone
    /// downs a requirement of it and not it.
    feeders: Vec<u64>,
    words: usize,
    parts: usize,
}

impl Singles {
    /// Singles found otherwise than by [`ConeCircuit::singles`]: `down`
    /// a bit per part, `feeders` rows of `words` words, one per `AtLeast`
    /// gate some part feeds, over `parts` parts.
    pub(crate) fn of(down: Vec<u64>, feeders: Vec<u64>, words: usize, parts: usize) -> Self {
        Singles {
            down,
            feeders,
            words,
            parts,
        }
    }

    /// For each part, as a mask of `W` words (at least the parts' words),
    /// the parts it *touches*: those whose failure alone downs a
    /// requirement of some `AtLeast` gate that the failure of this part
    /// alone also downs a requirement of, while neither downs the gate
    /// itself. Parts in `skip` are left out, rows and columns (the exact
    /// method skips the parts that take the target down alone, often most).
    /// Whether a part touches itself is left unsaid: no set counts it.
    ///
    /// Why it matters: for parts no two of which touch, the gates down
    /// under their joint failure are the union of those down under each
    /// alone. That union is closed under every rule (an `Any` gate with a
    /// requirement in it is in it already; an `AtLeast` gate outside it
    /// has its down requirements from one part only, so no more of them
    /// than under that part alone), so it is the least fixpoint, which the
    /// propagation reaches. So a set of parts each up alone, no two
    /// touching, leaves the target up. Cost: O(feeders not skipped × W).
    pub(crate) fn touching<const W: usize>(&self, skip: &[u64; W]) -> Vec<[u64; W]> {
        let mut touch = vec![[0u64; W]; self.parts];
        for row in self.feeders.chunks(self.words.max(1)) {
            let mut kept = [0u64; W];
            kept.iter_mut()
                .zip(row)
                .zip(skip)
                .for_each(|((k, &r), &s)| *k = r & !s);
            if kept.iter().map(|k| k.count_ones()).sum::<u32>() < 2 {
                // A part alone touches only itself, which no set counts.
                continue;
            }
            for (w, &word) in kept.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let x = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    touch[x].iter_mut().zip(&kept).for_each(|(t, &k)| *t |= k);
                }
            }
        }
        touch
    }
}

impl<L: Lanes> ConeCircuit<L> {
    /// Compiles the cone (or union of cones, [`ConeMarks::mark_union`])
    /// of `targets` last marked in `marks`, where part `i` fails gate
    /// `parts[i]`. O(gates the parts reach + their edges): a target with no
    /// part that can fail costs nothing here, however large its cone.
    pub(crate) fn compile(
        &mut self,
        graph: &FailureGraph,
        marks: &ConeMarks,
        targets: &[NodeId],
        parts: &[NodeId],
    ) {
        self.mark_live(graph, marks, parts);
        let n = self.live_gates.len();
        let mut reqs = std::mem::take(&mut self.local_reqs);
        let this = &*self;
        // A live gate's requirements inside the cone that carry down
        // (soft ones into an `All` gate do not), kept when live too.
        let pairs = self.live_gates.iter().enumerate().flat_map(|(i, &g)| {
            let gate = graph.gate(g);
            graph
                .requirements(g)
                .iter()
                .filter(move |&&(_, mode)| gate.carries_down(mode))
                .filter_map(move |&(r, _)| Some((i as u32, this.live_position(r)?)))
        });
        reqs.fill(n, pairs);
        self.local_reqs = reqs;
        let mut part_of_local = vec![NONE; n];
        for (i, &p) in parts.iter().enumerate() {
            if let Some(l) = self.live_position(GateId::from(p)) {
                part_of_local[l as usize] = i as u32;
            }
        }
        let roots: Vec<Option<u32>> = targets
            .iter()
            .map(|&t| self.live_position(GateId::from(t)))
            .collect();
        let order = self.order(n, &roots);
        self.lay_out(graph, &order, &part_of_local, &roots);
        // By live gate, as a unit's gate has the parts of all its members.
        self.gate_of_part.clear();
        self.gate_of_part.resize(parts.len(), NONE);
        for (&p, &g) in part_of_local.iter().zip(&self.order_of) {
            if p != NONE {
                self.gate_of_part[p as usize] = g;
            }
        }
    }

    /// Numbers the gates of the cone that some part reaches along the
    /// cone's dependents.
    fn mark_live(&mut self, graph: &FailureGraph, marks: &ConeMarks, parts: &[NodeId]) {
        if self.live_stamp.len() != graph.len() {
            self.live_stamp = vec![0; graph.len()];
            self.live_index = vec![0; graph.len()];
            self.stamp = 0;
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.live_stamp.fill(0);
            self.stamp = 1;
        }
        self.live_gates.clear();
        let mut stack: Vec<GateId> = Vec::new();
        for &p in parts {
            let g = GateId::from(p);
            if marks.local(g).is_some() {
                self.live(g, &mut stack);
            }
        }
        while let Some(v) = stack.pop() {
            for &(d, _) in marks.dependents(v) {
                self.live(d, &mut stack);
            }
        }
    }

    /// Gate `g`'s index among the live gates of this compile, if live.
    fn live_position(&self, g: GateId) -> Option<u32> {
        (self.live_stamp[g.index()] == self.stamp).then(|| self.live_index[g.index()])
    }

    fn live(&mut self, g: GateId, stack: &mut Vec<GateId>) {
        if self.live_stamp[g.index()] != self.stamp {
            self.live_stamp[g.index()] = self.stamp;
            self.live_index[g.index()] = self.live_gates.len() as u32;
            self.live_gates.push(g);
            stack.push(g);
        }
    }

    /// The live gates in evaluation order, as blocks of local indices:
    /// see [`components`].
    fn order(&self, n: usize, roots: &[Option<u32>]) -> Blocks {
        components(n, roots.iter().flatten().copied(), |v, i| {
            self.local_reqs.of(v).get(i).copied()
        })
    }

    /// Numbers the gates in evaluation order and keeps, for each, its rule,
    /// its part and its live requirements.
    fn lay_out(
        &mut self,
        graph: &FailureGraph,
        order: &Blocks,
        part_of_local: &[u32],
        roots: &[Option<u32>],
    ) {
        self.order_of.clear();
        self.order_of.resize(self.live_gates.len(), NONE);
        self.rule.clear();
        self.part.clear();
        self.blocks.clear();
        self.block_of.clear();
        let mut same = std::mem::take(&mut self.same);
        same.clear();
        let mut merged = vec![false; self.live_gates.len()];
        // Per position, whether it is a unit of several gates.
        let mut unit = Vec::new();
        let mut index = vec![NONE; self.live_gates.len()];
        for block in order.iter() {
            let start = self.rule.len() as u32;
            if let [l] = *block {
                if let Some(g) = same.gate_like(self, graph, l, part_of_local) {
                    self.order_of[l as usize] = g;
                    merged[l as usize] = true;
                    continue;
                }
                self.lay_gate(graph, &[l], part_of_local);
                unit.push(false);
            } else {
                let is_any = |l: u32| rule(graph.gate(self.live_gates[l as usize])) == Rule::Any;
                for members in units::units(block, &self.local_reqs, is_any, &mut index) {
                    self.lay_gate(graph, &members, part_of_local);
                    unit.push(members.len() > 1);
                }
            }
            let laid = self.rule.len() as u32 - start;
            let self_loop = block.len() == 1 && self.local_reqs.of(block[0]).contains(&block[0]);
            self.blocks.push(Block {
                start,
                end: self.rule.len() as u32,
                cyclic: laid > 1 || self_loop,
            });
        }
        self.same = same;
        let count = self.rule.len();
        self.targets.clear();
        self.targets.extend(
            roots
                .iter()
                .map(|r| r.map_or(NONE, |r| self.order_of[r as usize])),
        );
        self.sort_targets();
        let mut reqs = Vec::new();
        let mut deps = Vec::new();
        let mut outs = Vec::new();
        for block in order.iter() {
            for &l in block {
                if merged[l as usize] {
                    continue; // laid out as the earlier gate it is the same as
                }
                let g = self.order_of[l as usize];
                for &r in self.local_reqs.of(l) {
                    let o = self.order_of[r as usize];
                    if o == NONE {
                        continue; // does not lead to the target
                    }
                    if o == g && unit[g as usize] {
                        continue; // between two gates of one unit
                    }
                    reqs.push((g, o));
                    if self.block_of[o as usize] == self.block_of[g as usize] {
                        deps.push((o, g));
                    } else {
                        outs.push((o, g));
                    }
                }
            }
        }
        if unit.contains(&true) {
            // A unit's members share requirements and dependents: each
            // once is enough (an `AtLeast` gate counts its requirements
            // with repeats, and a unit is never one).
            reqs.sort_unstable();
            reqs.dedup_by(|a, b| a == b && unit[a.0 as usize]);
            for pairs in [&mut deps, &mut outs] {
                pairs.sort_unstable();
                pairs.dedup();
            }
        }
        let mut csr = Csr::default();
        csr.fill(count, reqs.iter().copied());
        self.req_start = csr.start;
        self.reqs = csr.items;
        let mut csr = Csr::default();
        csr.fill(count, deps.iter().copied());
        self.dep_start = csr.start;
        self.deps = csr.items;
        let mut csr = Csr::default();
        csr.fill(count, outs.iter().copied());
        self.out_start = csr.start;
        self.outs = csr.items;
        self.dirty.clear();
        self.dirty.resize(count.div_ceil(64), 0);
        self.vals.clear();
        self.vals.resize(count, L::NONE);
        // Slots for another layout's gates (made again when asked for).
        self.compact = Compact::default();
        self.own.clear();
        self.slot.clear();
        self.slot.resize(count, 0);
    }

    /// Lays out `members` (live indices) as the next gate: one gate, or
    /// a unit of `Any` gates ([`units`]) with the first of their parts.
    fn lay_gate(&mut self, graph: &FailureGraph, members: &[u32], part_of_local: &[u32]) {
        let position = self.rule.len() as u32;
        for &l in members {
            self.order_of[l as usize] = position;
        }
        let first = self.live_gates[members[0] as usize];
        self.rule.push(match members {
            [_] => rule(graph.gate(first)),
            _ => Rule::Any,
        });
        let part = members
            .iter()
            .map(|&l| part_of_local[l as usize])
            .find(|&p| p != NONE);
        self.part.push(part.unwrap_or(NONE));
        self.block_of.push(self.blocks.len() as u32);
    }
}

impl ConeCircuit<u64> {
    /// The lanes in which the target is down, where bit `l` of
    /// `lanes_of_part[i]` says that part `i` failed in lane `l`.
    ///
    /// Only gates that can be down are evaluated: those of the parts that
    /// failed, then the dependents of each gate found down, in evaluation
    /// order (a bit per gate, so finding the next costs a word per 64
    /// gates). A gate whose requirements are all up and whose part did not
    /// fail is up. O(gates / 64 + the gates that go down and their
    /// edges), more only inside cycles (each gate's word grows at most 64
    /// times).
    pub(crate) fn down_lanes(&mut self, lanes_of_part: &[u64]) -> u64 {
        let target = self.targets.first().copied().unwrap_or(NONE);
        if target == NONE {
            return 0;
        }
        self.settle(lanes_of_part);
        let down = self.vals[target as usize];
        self.reset();
        down
    }

    /// What failing each of the first `parts` parts alone does: whether it
    /// takes the first target down, and which `AtLeast` gates it feeds
    /// ([`Singles::touching`]). Cost: one evaluation per 64 parts, each
    /// part alone in its lane, and a pass over the `AtLeast` gates'
    /// requirements for each.
    pub(crate) fn singles(&mut self, parts: usize) -> Singles {
        let words = parts.div_ceil(64);
        let target = self.targets.first().copied().unwrap_or(NONE);
        if target == NONE {
            // No part reaches the target: nothing is evaluated, and no
            // part changes anything.
            return Singles {
                down: vec![0; words],
                feeders: Vec::new(),
                words,
                parts,
            };
        }
        let thresholds: Vec<usize> = (0..self.rule.len())
            .filter(|&g| matches!(self.rule[g], Rule::AtLeast(_)))
            .collect();
        let mut down = vec![0u64; words];
        let mut feeders = vec![0u64; thresholds.len() * words];
        let mut lanes = vec![0u64; parts];
        for w in 0..words {
            lanes.fill(0);
            for (l, lane) in lanes.iter_mut().skip(w * 64).take(64).enumerate() {
                *lane = 1 << l;
            }
            self.settle(&lanes);
            down[w] = self.vals[target as usize];
            for (i, &g) in thresholds.iter().enumerate() {
                let fed = self
                    .reqs_of(g)
                    .iter()
                    .fold(0, |v, &r| v | self.vals[r as usize]);
                feeders[i * words + w] = fed & !self.vals[g];
            }
            self.reset();
        }
        Singles {
            down,
            feeders,
            words,
            parts,
        }
    }
}

impl<L: Lanes> ConeCircuit<L> {
    /// Evaluates the circuit for `lanes_of_part`, leaving each gate's down
    /// lanes in `vals` until [`Self::reset`].
    fn settle(&mut self, lanes_of_part: &[L]) {
        for (p, &lanes) in lanes_of_part.iter().enumerate() {
            if !lanes.is_none() {
                self.seed(p, lanes);
            }
        }
        self.settle_marked();
    }

    /// Fails part `p` in `lanes` too and marks its gate, if it has one.
    fn seed(&mut self, p: usize, lanes: L) {
        if let Some(k) = self.gate_to_fail(p) {
            self.own[k] = self.own[k] | lanes;
        }
    }

    /// The slot of the gate part `p` fails in `own`, if it leads to a
    /// target, marked and kept among those seeded. No gate is marked
    /// between evaluations, so a marked one is seeded already: its mark,
    /// not its slot, says so.
    ///
    /// Why slots: most gates are not seeded in an evaluation (a sixth of
    /// `anyof`'s union in a batch of Monte Carlo), and those that are lie
    /// far apart. Their words (sixteen words each for Monte Carlo) lie
    /// side by side in `own`, in the order they were seeded, rather than
    /// each at its gate in a word per gate. That is the order a batch's
    /// failures come in and its gates are evaluated in, and nothing is
    /// written back to put them up again.
    #[inline(always)]
    fn gate_to_fail(&mut self, p: usize) -> Option<usize> {
        let g = self.gate_of_part[p];
        if g == NONE {
            return None;
        }
        let mark = &mut self.dirty[g as usize / 64];
        if *mark >> (g % 64) & 1 == 0 {
            *mark |= 1 << (g % 64);
            self.slot[g as usize] = self.seeded.len() as u32;
            self.seeded.push(g);
            self.own.push(L::NONE);
        }
        Some(self.slot[g as usize] as usize)
    }

    /// Gate `g`'s slot in `own`, if it is seeded.
    #[inline(always)]
    fn slot_of(&self, g: usize) -> Option<usize> {
        let k = self.slot[g] as usize;
        (self.seeded.get(k) == Some(&(g as u32))).then_some(k)
    }

    /// The lanes in which the first target is down when part `from + i`
    /// fails alone in lane `i`, for the parts `from..to` (at most
    /// [`Lanes::LANES`] of them). One evaluation.
    pub(crate) fn down_alone(&mut self, from: usize, to: usize) -> L {
        let target = self.targets.first().copied().unwrap_or(NONE);
        if target == NONE {
            return L::NONE;
        }
        for p in from..to {
            self.fail(p as u32, p - from);
        }
        self.settle_marked();
        let lanes = self.vals[target as usize];
        self.reset();
        lanes
    }

    /// Makes `targets` the compiled circuit's targets when the gate of
    /// each is laid out (so the union compiled holds its cone); `false`,
    /// and nothing changed, when one is not. O(targets).
    pub(crate) fn retarget(&mut self, targets: &[NodeId]) -> bool {
        let positions: Option<Vec<u32>> = targets
            .iter()
            .map(|&t| {
                let o = self.order_of[self.live_position(GateId::from(t))? as usize];
                (o != NONE).then_some(o)
            })
            .collect();
        let Some(positions) = positions else {
            return false;
        };
        self.targets = positions;
        self.sort_targets();
        true
    }

    /// Fills [`Self::by_gate`] from `targets`. O(targets × log targets).
    fn sort_targets(&mut self) {
        self.by_gate.clear();
        let reached = self.targets.iter().enumerate().filter(|(_, &g)| g != NONE);
        self.by_gate.extend(reached.map(|(i, &g)| (g, i as u32)));
        self.by_gate.sort_unstable();
    }

    /// Fails part `p` in lane `lane` too, for the next evaluation
    /// ([`Self::down_lanes_of_each`], [`Self::down_alone`]). A part that
    /// does not lead to a target changes nothing.
    #[inline(always)]
    pub(crate) fn fail(&mut self, p: u32, lane: usize) {
        if let Some(own) = self.lanes_to_fail(p) {
            // One word of it written, not all sixteen.
            own.set_lane(lane);
        }
    }

    /// The lanes of the gate part `p` fails, to set the lanes it fails in
    /// one after another: [`Self::fail`] for a run of failures of one part,
    /// its gate looked up once. `None` when it leads to no target.
    #[inline(always)]
    pub(crate) fn lanes_to_fail(&mut self, p: u32) -> Option<&mut L> {
        let k = self.gate_to_fail(p as usize)?;
        Some(&mut self.own[k])
    }

    /// Fails part `p` in every lane of `lanes` at once.
    #[inline(always)]
    pub(crate) fn fail_in(&mut self, p: u32, lanes: L) {
        if let Some(own) = self.lanes_to_fail(p) {
            *own = *own | lanes;
        }
    }

    /// [`Self::settle`] once the gates of the failed parts are marked.
    #[inline(always)]
    fn settle_marked(&mut self) {
        if self.vals.len() != self.rule.len() {
            // Dropped for slots ([`Self::down_lanes_of_each_in_order`]),
            // or not made yet ([`Self::for_evaluation`]).
            self.vals = vec![L::NONE; self.rule.len()];
        }
        // The words are lent to the evaluation and given back.
        let mut words = Direct {
            place: Vec::new(),
            reqs: std::mem::take(&mut self.reqs),
            vals: std::mem::take(&mut self.vals),
            runs: Vec::new(),
        };
        // Marks only ever go to later positions, or inside the cycle being
        // settled, so one scan from the start finds them all.
        let mut from = 0;
        while let Some(g) = next_set(|w| self.dirty[w], from, self.rule.len()) {
            from = g;
            let block = self.blocks[self.block_of[g] as usize];
            if block.cyclic {
                self.settle_cycle(block, &mut words);
            } else {
                self.dirty[g / 64] &= !(1u64 << (g % 64));
                let v = self.eval(g, &words);
                if !v.is_none() {
                    *words.word(g) = v;
                    self.touched.push(g as u32);
                    self.mark_outs(g);
                }
            }
        }
        (self.vals, self.reqs) = (words.vals, words.reqs);
    }

    /// For each target, the lanes in which it is down, where only the parts
    /// given to [`Self::fail`] since the last call failed, in the lanes
    /// given there: `each(i, lanes)` is called for target `i` when `lanes`
    /// is not none. As [`Self::down_lanes`], but with many targets and no
    /// pass over the parts that did not fail, for a circuit of a whole
    /// file. O(gates / 64 + targets + the gates that go down and their
    /// edges).
    #[inline(always)]
    pub(crate) fn down_lanes_of_each(&mut self, each: impl FnMut(usize, L)) {
        self.settle_marked();
        self.each_target_down(each);
        self.reset();
    }

    /// Calls `each(i, lanes)` for each target `i` down in some lane, by
    /// gate ([`Self::by_gate`]), once the gates are evaluated.
    #[inline(always)]
    fn each_target_down(&self, mut each: impl FnMut(usize, L)) {
        for &(g, i) in &self.by_gate {
            if !self.vals[g as usize].is_none() {
                each(i as usize, self.vals[g as usize]);
            }
        }
    }

    /// As [`Self::down_lanes_of_each`], but evaluating every gate in order
    /// rather than finding the marked ones: no mark, no list and no branch
    /// on whether a gate went down, for a batch in which nearly every gate
    /// does (Monte Carlo on a file whose cones hold most of it). A cycle's
    /// gates are all marked and settled as by the marked evaluation. The
    /// words are kept in slots used again ([`Compact`], made at the first
    /// such evaluation), apart from those of the marked evaluation, which
    /// stay none. O(gates + edges + what goes down in cycles, times their
    /// sweeps).
    #[inline(always)]
    pub(crate) fn down_lanes_of_each_in_order(&mut self, mut each: impl FnMut(usize, L)) {
        let mut words = std::mem::take(&mut self.compact);
        if words.place.len() != self.rule.len() {
            words = Compact::of(self);
            // Its words at their positions, all none, are not read again
            // unless a marked evaluation follows, which makes them anew:
            // for a union whose cycles keep many slots, both would be tens
            // of megabytes.
            self.vals = Vec::new();
        }
        // Targets are counted as soon as their words are final, while
        // those are still in their slots: out of cycles, as each gate is
        // evaluated; in a cycle, once it is settled.
        let by_gate = std::mem::take(&mut self.by_gate);
        let mut targets = by_gate.iter().copied().peekable();
        let runs = std::mem::take(&mut words.runs);
        for &run in &runs {
            let (start, end) = (run.start as usize, run.end as usize);
            if run.cyclic {
                for g in start..end {
                    *words.word(g) = L::NONE;
                    self.dirty[g / 64] |= 1 << (g % 64);
                }
                self.settle_cycle(run, &mut words);
                while let Some((g, i)) = targets.next_if(|&(g, _)| (g as usize) < end) {
                    let lanes = *words.word(g as usize);
                    if !lanes.is_none() {
                        each(i as usize, lanes);
                    }
                }
            } else {
                for g in start..end {
                    let lanes = self.eval(g, &words);
                    *words.word(g) = lanes;
                    while let Some((_, i)) = targets.next_if(|&(t, _)| t as usize == g) {
                        if !lanes.is_none() {
                            each(i as usize, lanes);
                        }
                    }
                }
            }
        }
        (words.runs, self.by_gate) = (runs, by_gate);
        self.compact = words;
        self.steps += (self.rule.len() + self.seeded.len()) as u64;
        self.own.clear();
        self.seeded.clear();
        // The marks of the parts' gates.
        self.dirty.fill(0);
    }

    /// A copy to evaluate on another thread: the compiled circuit and
    /// fresh evaluation buffers, without the compile-time ones (which are
    /// graph-sized), over words of lanes `M`.
    pub(crate) fn for_evaluation<M: Lanes>(&self) -> ConeCircuit<M> {
        ConeCircuit {
            rule: self.rule.clone(),
            part: self.part.clone(),
            req_start: self.req_start.clone(),
            reqs: self.reqs.clone(),
            dep_start: self.dep_start.clone(),
            deps: self.deps.clone(),
            out_start: self.out_start.clone(),
            outs: self.outs.clone(),
            gate_of_part: self.gate_of_part.clone(),
            block_of: self.block_of.clone(),
            blocks: self.blocks.clone(),
            targets: self.targets.clone(),
            by_gate: self.by_gate.clone(),
            // Made by the first marked evaluation ([`Self::settle_marked`]),
            // if one comes: one sample at a time and in order use none, and
            // a union's are tens of megabytes (`anyof` at 100,000 services:
            // 47 MB a copy, written word by word).
            vals: Vec::new(),
            slot: vec![0; self.slot.len()],
            dirty: vec![0; self.dirty.len()],
            ..ConeCircuit::default()
        }
    }

    /// Whether a cycle of it is large: laid out in
    /// [`units::few_back_edges`]' order.
    pub(crate) fn has_large_cycle(&self) -> bool {
        self.blocks.iter().any(Block::is_large_cycle)
    }

    /// This circuit with each large cycle (one laid out in
    /// [`units::few_back_edges`]' order) in that order again, but with
    /// every requirement of an `Any` gate before it, for evaluation only
    /// (as [`Self::for_evaluation`]); `None` without a large cycle. The
    /// states are the same: only the sweeps a cycle takes differ, and which
    /// order takes fewer depends on how often each kind of requirement
    /// changes, which the layout cannot see (Monte Carlo tries both,
    /// `engine/sampling.rs`). Between units, the requirements into `Any`
    /// gates have no cycle, so none is left behind. O(gates + edges, and
    /// the large cycles' edges × log gates).
    pub(crate) fn relaid(&self) -> Option<ConeCircuit<L>> {
        self.has_large_cycle()
            .then(|| self.permuted(&self.hard_requirements_first()))
    }

    /// Each gate's position with every large cycle's gates in
    /// [`units::few_back_edges`]' order with hard needs, the others where
    /// they are. O(gates, and the large cycles' edges × log gates).
    fn hard_requirements_first(&self) -> Vec<u32> {
        let mut new_pos: Vec<u32> = (0..self.rule.len() as u32).collect();
        for block in self.blocks.iter().filter(|b| b.is_large_cycle()) {
            let (start, end) = (block.start, block.end);
            let mut needs = Csr::default();
            needs.fill(
                (end - start) as usize,
                (start..end).flat_map(|g| {
                    (self.reqs_of(g as usize).iter())
                        .filter(move |&&r| start <= r && r < end && r != g)
                        .map(move |&r| (g - start, r - start))
                }),
            );
            let hard: Vec<bool> = (start..end)
                .map(|g| self.rule[g as usize] == Rule::Any)
                .collect();
            let order = units::few_back_edges(&needs, &hard);
            if order.len() != (end - start) as usize {
                continue; // not every gate placed: this block keeps its order
            }
            for (i, &v) in order.iter().enumerate() {
                new_pos[(start + v) as usize] = start + i as u32;
            }
        }
        new_pos
    }

    /// This circuit for evaluation only, gate `g` moved to `new_pos[g]`
    /// (within its block). O(gates + edges).
    fn permuted(&self, new_pos: &[u32]) -> ConeCircuit<L> {
        let n = self.rule.len();
        let mut at = vec![0u32; n];
        new_pos
            .iter()
            .enumerate()
            .for_each(|(g, &p)| at[p as usize] = g as u32);
        let moved = |g: u32| if g == NONE { NONE } else { new_pos[g as usize] };
        let lists = |start: &[u32], items: &[u32]| {
            let mut csr = Csr::default();
            csr.fill(
                n,
                at.iter().enumerate().flat_map(|(p, &g)| {
                    let of = &items[start[g as usize] as usize..start[g as usize + 1] as usize];
                    of.iter().map(move |&r| (p as u32, moved(r)))
                }),
            );
            csr
        };
        let (reqs, deps, outs) = (
            lists(&self.req_start, &self.reqs),
            lists(&self.dep_start, &self.deps),
            lists(&self.out_start, &self.outs),
        );
        let mut relaid = ConeCircuit {
            rule: at.iter().map(|&g| self.rule[g as usize]).collect(),
            part: at.iter().map(|&g| self.part[g as usize]).collect(),
            req_start: reqs.start,
            reqs: reqs.items,
            dep_start: deps.start,
            deps: deps.items,
            out_start: outs.start,
            outs: outs.items,
            gate_of_part: self.gate_of_part.iter().map(|&g| moved(g)).collect(),
            block_of: at.iter().map(|&g| self.block_of[g as usize]).collect(),
            blocks: self.blocks.clone(),
            targets: self.targets.iter().map(|&g| moved(g)).collect(),
            vals: Vec::new(),
            slot: vec![0; n],
            dirty: vec![0; n.div_ceil(64)],
            ..ConeCircuit::default()
        };
        relaid.sort_targets();
        relaid
    }

    /// The parts that lead to a target, in the order of the gates they
    /// fail: failing parts in this order writes the gates' lanes in the
    /// order they lie in memory. O(parts × log parts).
    pub(crate) fn parts_by_gate(&self) -> Vec<u32> {
        let mut parts: Vec<u32> = (0..self.gate_of_part.len() as u32)
            .filter(|&p| self.gate_of_part[p as usize] != NONE)
            .collect();
        parts.sort_by_key(|&p| self.gate_of_part[p as usize]);
        parts
    }

    /// How many gates it has.
    pub(crate) fn gates(&self) -> usize {
        self.rule.len()
    }

    /// What the evaluations since this circuit was made have cost, in
    /// steps: per evaluation, its gates over 64 (the scan for marked
    /// ones), the gates it gave a value and the gates its failed parts
    /// seeded. A count of work, not of time, that depends only on the
    /// compiled circuit and the lanes asked about.
    pub(crate) fn steps(&self) -> u64 {
        self.steps
    }

    /// Evaluations of gates in cycles since this circuit was made, each
    /// sweep counted: what the order of a cycle changes.
    pub(crate) fn cycle_evaluations(&self) -> u64 {
        self.cycle_evaluations
    }

    /// Puts every gate back up after [`Self::settle`].
    #[inline(always)]
    fn reset(&mut self) {
        let evaluated = self.rule.len() / 64 + self.touched.len() + self.seeded.len();
        self.steps += evaluated as u64;
        for &g in &self.touched {
            self.vals[g as usize] = L::NONE;
        }
        self.touched.clear();
        self.own.clear();
        self.seeded.clear();
    }

    /// Evaluates a cycle's gates from all up until nothing changes, then,
    /// in a marked evaluation (words without slots), marks the later
    /// dependents of those that went down. Only the gates
    /// marked, and then those whose requirements changed, are evaluated,
    /// in sweeps through the block in position order (requirements mostly
    /// come first in a block): a gate marked behind the sweep waits for the
    /// next one, so that it is evaluated once for all the changes made
    /// meanwhile rather than once per change (with many lanes in a word,
    /// changes are many). From all up, no other gate of the cycle can go
    /// down, so a large cycle costs what goes down in it, times the sweeps.
    #[inline(always)]
    fn settle_cycle<const SLOTS: bool>(&mut self, block: Block, words: &mut Words<L, SLOTS>) {
        let first = self.touched.len();
        let (start, end) = (block.start as usize, block.end as usize);
        let mut from = start;
        loop {
            let Some(g) = next_set(|w| self.dirty[w], from, end) else {
                if from == start {
                    break;
                }
                from = start; // the next sweep
                continue;
            };
            self.dirty[g / 64] &= !(1u64 << (g % 64));
            from = g + 1;
            self.cycle_evaluations += 1;
            // The next gates marked are most often the next ones: in a
            // sweep in order, every gate is.
            self.prefetch_requirements(g + PREFETCH_AHEAD, words);
            // Once down in some lane, a gate's word holds its part's lanes
            // (and goes on holding what it held, as nothing comes back up
            // while a cycle settles): that part's word is not read again.
            let old = *words.word(g);
            let v = if old.is_none() {
                self.eval(g, words)
            } else {
                old | self.eval_requirements(g, words)
            };
            if v == old {
                continue;
            }
            if !SLOTS && old.is_none() {
                self.touched.push(g as u32);
            }
            *words.word(g) = v;
            let (a, z) = (self.dep_start[g] as usize, self.dep_start[g + 1] as usize);
            for i in a..z {
                let d = self.deps[i] as usize;
                self.dirty[d / 64] |= 1u64 << (d % 64);
            }
        }
        for t in first..self.touched.len() {
            self.mark_outs(self.touched[t] as usize);
        }
    }

    /// Marks the dependents of `g` in later blocks for evaluation.
    #[inline(always)]
    fn mark_outs(&mut self, g: usize) {
        let (a, z) = (self.out_start[g] as usize, self.out_start[g + 1] as usize);
        for &d in &self.outs[a..z] {
            self.dirty[d as usize / 64] |= 1 << (d % 64);
        }
    }

    /// The blocks in evaluation order, each its gates and whether it is a
    /// cycle: the circuit read gate by gate, for a method that evaluates
    /// it otherwise (`availability/diagram.rs`).
    pub(crate) fn blocks(&self) -> impl Iterator<Item = (std::ops::Range<usize>, bool)> + '_ {
        (self.blocks.iter()).map(|b| (b.start as usize..b.end as usize, b.cyclic))
    }

    /// Gate `g`'s rule.
    pub(crate) fn rule_of(&self, g: usize) -> Rule {
        self.rule[g]
    }

    /// The gate part `p` fails, if it leads to a target.
    pub(crate) fn gate_of(&self, p: usize) -> Option<usize> {
        let g = *self.gate_of_part.get(p)?;
        (g != NONE).then_some(g as usize)
    }

    /// The gate of the `i`-th target, if a part reaches it.
    pub(crate) fn target_gate(&self, i: usize) -> Option<usize> {
        let g = *self.targets.get(i)?;
        (g != NONE).then_some(g as usize)
    }

    /// Gate `g`'s requirements, as positions.
    pub(crate) fn reqs_of(&self, g: usize) -> &[u32] {
        &self.reqs[self.req_start[g] as usize..self.req_start[g + 1] as usize]
    }

    /// Asks the processor to bring in the words of gate `g`'s
    /// requirements, for a wide word only ([`PREFETCH_AHEAD`] says why).
    /// A gate past the last asks for nothing. O(its requirements).
    #[inline(always)]
    fn prefetch_requirements<const SLOTS: bool>(&self, g: usize, words: &Words<L, SLOTS>) {
        if L::LANES > 64 && g + 1 < self.req_start.len() {
            let reqs = &words.reqs[self.req_start[g] as usize..self.req_start[g + 1] as usize];
            for &r in reqs {
                let word = words.vals.as_ptr().wrapping_add(r as usize).cast::<i8>();
                for line in (0..std::mem::size_of::<L>()).step_by(64) {
                    prefetch(word.wrapping_add(line));
                }
            }
        }
    }

    /// Gate `g`'s down lanes from its part and its requirements' words.
    #[inline(always)]
    fn eval<const SLOTS: bool>(&mut self, g: usize, words: &Words<L, SLOTS>) -> L {
        let own = match self.part[g] {
            NONE => None,
            _ => self.slot_of(g),
        };
        let own = own.map_or(L::NONE, |k| self.own[k]);
        own | self.eval_requirements(g, words)
    }

    /// Gate `g`'s down lanes from its requirements' words alone.
    #[inline(always)]
    fn eval_requirements<const SLOTS: bool>(&mut self, g: usize, words: &Words<L, SLOTS>) -> L {
        let reqs = &words.reqs[self.req_start[g] as usize..self.req_start[g + 1] as usize];
        let vals = &words.vals;
        match self.rule[g] {
            Rule::Any => reqs.iter().fold(L::NONE, |v, &r| v | vals[r as usize]),
            Rule::AtLeast(t) => {
                let lanes = reqs.iter().map(|&r| vals[r as usize]);
                at_least(lanes, t, &mut self.planes)
            }
        }
    }
}

/// Asks for the cache line at `p`, without reading it: the one place the
/// circuit's evaluations (in batches, and one sample at a time in
/// `spread.rs`) hint at what they will read.
#[inline(always)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        #[allow(unsafe_code)]
        // SAFETY: a prefetch is a hint: it reads nothing the program sees
        // and faults on no address, so any pointer will do (the callers
        // compute theirs by `wrapping_add`, without dereferencing); SSE,
        // the feature it needs, is part of every x86-64 processor.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// [`components`] of the whole graph from each of `roots`, along the
/// requirement edges `keep` keeps (given the requiring gate's kind and the
/// edge's mode). O(gates + edges).
pub(crate) fn components_along(
    graph: &FailureGraph,
    roots: impl Iterator<Item = u32>,
    keep: impl Fn(Gate, Mode) -> bool,
) -> Blocks {
    let n = graph.len();
    let mut start = Vec::with_capacity(n + 1);
    let mut reqs = Vec::new();
    start.push(0u32);
    for g in 0..n {
        let gate = GateId(g as u32);
        let kind = graph.gate(gate);
        let kept = (graph.requirements(gate).iter()).filter(|&&(_, mode)| keep(kind, mode));
        reqs.extend(kept.map(|&(r, _)| r.0));
        start.push(reqs.len() as u32);
    }
    let requirement = |v: u32, i: usize| {
        let from = start[v as usize] as usize + i;
        (from < start[v as usize + 1] as usize).then(|| reqs[from])
    };
    components(n, roots, requirement)
}

/// Gates `0..n` in evaluation order, as blocks: Tarjan's strongly
/// connected components along requirements (`requirement(v, i)` is the
/// `i`-th requirement of `v`) from each of `roots` in turn, which come out
/// requirements first; within a block, in the order the search finished
/// them. Iterative, so a long chain in a hostile file cannot overflow the
/// stack. O(gates + edges reached).
pub(crate) fn components(
    n: usize,
    roots: impl Iterator<Item = u32>,
    requirement: impl Fn(u32, usize) -> Option<u32>,
) -> Blocks {
    let mut t = Tarjan {
        index: vec![NONE; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        calls: Vec::new(),
        counter: 0,
        post: vec![0; n],
        finished: 0,
        blocks: Blocks::with_room(n),
    };
    for root in roots {
        if t.index[root as usize] != NONE {
            continue; // reached from an earlier root
        }
        t.visit(root);
        while let Some(&(v, next)) = t.calls.last() {
            if let Some(w) = requirement(v, next as usize) {
                if let Some(top) = t.calls.last_mut() {
                    top.1 += 1;
                }
                if t.index[w as usize] == NONE {
                    t.visit(w);
                } else if t.on_stack[w as usize] {
                    t.low[v as usize] = t.low[v as usize].min(t.index[w as usize]);
                }
                continue;
            }
            t.finish(v);
        }
    }
    t.blocks
}

/// The state of Tarjan's algorithm, its recursion kept in `calls` as
/// (vertex, next requirement to look at).
struct Tarjan {
    index: Vec<u32>,
    low: Vec<u32>,
    on_stack: Vec<bool>,
    stack: Vec<u32>,
    calls: Vec<(u32, u32)>,
    counter: u32,
    /// Finishing position of each vertex: a cycle's gates in this order
    /// have their requirements first along every edge but the back edges.
    post: Vec<u32>,
    finished: u32,
    blocks: Blocks,
}

/// Strongly connected components in order ([`components`]), each a slice
/// of one list, as [`Csr`] keeps rows: nearly every block of a large graph
/// is a single gate, and a list of its own for each was a million
/// allocations at a million services.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Blocks {
    /// Where each block starts in `gates`, and then where the last ends.
    start: Vec<u32>,
    /// Every block's gates, block after block.
    gates: Vec<u32>,
}

impl Blocks {
    /// No block yet, with room for `n` gates, each a block at most: grown
    /// a push at a time, these were about 4% of a cone's compile on
    /// `chain`.
    fn with_room(n: usize) -> Self {
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        Blocks {
            start,
            gates: Vec::with_capacity(n),
        }
    }

    /// How many blocks there are.
    pub(crate) fn len(&self) -> usize {
        self.start.len() - 1
    }

    /// The blocks, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = &[u32]> + Clone + '_ {
        (0..self.len()).map(|b| &self[b])
    }

    /// Every block's gates, block after block.
    pub(crate) fn into_gates(self) -> Vec<u32> {
        self.gates
    }
}

impl std::ops::Index<usize> for Blocks {
    type Output = [u32];

    /// The `b`-th block.
    fn index(&self, b: usize) -> &[u32] {
        &self.gates[self.start[b] as usize..self.start[b + 1] as usize]
    }
}

impl Tarjan {
    fn visit(&mut self, v: u32) {
        self.index[v as usize] = self.counter;
        self.low[v as usize] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack[v as usize] = true;
        self.calls.push((v, 0));
    }

    /// `v` has no requirement left to look at: returns to its caller, and
    /// closes its component when it is the component's root.
    fn finish(&mut self, v: u32) {
        self.post[v as usize] = self.finished;
        self.finished += 1;
        self.calls.pop();
        if let Some(&(u, _)) = self.calls.last() {
            self.low[u as usize] = self.low[u as usize].min(self.low[v as usize]);
        }
        if self.low[v as usize] != self.index[v as usize] {
            return;
        }
        let start = self.blocks.gates.len();
        while let Some(w) = self.stack.pop() {
            self.on_stack[w as usize] = false;
            self.blocks.gates.push(w);
            if w == v {
                break;
            }
        }
        let post = &self.post;
        self.blocks.gates[start..].sort_unstable_by_key(|&w| post[w as usize]);
        self.blocks.start.push(self.blocks.gates.len() as u32);
    }
}

/// A gate's rule for down states (format v1 §7). An `AtLeast` gate goes
/// down once `members - down < min`, that is with `members - min + 1`
/// requirements down, and never with none down.
pub(crate) fn rule(gate: Gate) -> Rule {
    match gate {
        Gate::All => Rule::Any,
        Gate::AtLeast { min, members } => {
            let t = i64::from(members) - i64::from(min) + 1;
            match u32::try_from(t) {
                Ok(t) if t >= 2 => Rule::AtLeast(t),
                _ => Rule::Any,
            }
        }
    }
}

/// The lanes in which at least `t` of the words `lanes` (one per
/// requirement) have their bit set. For a small `t` (most quorums and
/// lists of sites), one word per count up to `t`; otherwise a bit-sliced
/// counter per lane (`planes[b]` holds bit `b` of each lane's count), then
/// a comparison with `t` from the top bit. O(requirements × min(t, log
/// requirements)).
#[inline(always)]
pub(crate) fn at_least<L: Lanes>(
    lanes: impl ExactSizeIterator<Item = L>,
    t: u32,
    planes: &mut Vec<L>,
) -> L {
    let m = u32::try_from(lanes.len()).unwrap_or(u32::MAX);
    if t > m {
        return L::NONE;
    }
    match t {
        2 => return at_least_few::<L, 2>(lanes),
        3 => return at_least_few::<L, 3>(lanes),
        4 => return at_least_few::<L, 4>(lanes),
        _ => {}
    }
    let width = (32 - m.leading_zeros()) as usize;
    planes.clear();
    planes.resize(width, L::NONE);
    for lane in lanes {
        let mut carry = lane;
        for p in planes.iter_mut() {
            if carry.is_none() {
                break;
            }
            let sum = *p ^ carry;
            carry = carry & *p;
            *p = sum;
        }
    }
    let (mut above, mut equal) = (L::NONE, !L::NONE);
    for b in (0..width).rev() {
        if (t >> b) & 1 == 1 {
            equal = equal & planes[b];
        } else {
            above = above | (equal & planes[b]);
            equal = equal & !planes[b];
        }
    }
    above | equal
}

/// [`at_least`] for `T` of 2 or more: `reached[i]` holds the lanes whose
/// count has reached `i + 1`, each word raising the counts it is set in by
/// one (highest first, so that it counts once). No branch on the words,
/// which for a wide word would each read all of it.
#[inline(always)]
fn at_least_few<L: Lanes, const T: usize>(lanes: impl Iterator<Item = L>) -> L {
    let mut reached = [L::NONE; T];
    for lane in lanes {
        for i in (1..T).rev() {
            reached[i] = reached[i] | (reached[i - 1] & lane);
        }
        reached[0] = reached[0] | lane;
    }
    reached[T - 1]
}

/// A ring of [`RING`] services, each needing the one before it and any of
/// the next and `z`: twice as many gates in one cycle, no two of them a
/// unit. With `up`, each service is up that often and `z` 90% of the time.
/// For the tests of [`ConeCircuit::relaid`] and of Monte Carlo's trial of
/// it.
#[cfg(test)]
pub(crate) fn large_mixed_ring(up: Option<f64>) -> String {
    let (z, r) = match up {
        Some(up) => (
            ", availability: 0.9".to_string(),
            format!(", availability: {up}"),
        ),
        None => (String::new(), String::new()),
    };
    let mut text = format!("version: 1\nsites:\n  s: {{}}\nservices:\n  z: {{runs_in: s{z}}}\n");
    for i in 0..RING {
        let before = if i > 0 {
            format!("r{}, ", i - 1)
        } else {
            String::new()
        };
        text.push_str(&format!(
            "  r{i}: {{runs_in: s{r}, depends_on: [{before}{{any_of: [r{}, z]}}]}}\n",
            (i + 1) % RING
        ));
    }
    text
}

/// Services in [`large_mixed_ring`]: past [`units::FEW_BACK_EDGES_FROM`]
/// gates.
#[cfg(test)]
pub(crate) const RING: usize = 700;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::propagate::{Scratch, State};
    use crate::engine::word::Wide;
    use crate::load::load_str;

    #[test]
    fn components_come_requirements_first_each_block_a_slice() {
        // 0 needs 1; 1 and 2 need each other; 2 needs 3; 4 stands alone
        // and is searched first.
        let needs: [&[u32]; 5] = [&[1], &[2], &[1, 3], &[], &[]];
        let blocks = components(5, [4, 0].into_iter(), |v, i| {
            needs[v as usize].get(i).copied()
        });
        let listed: Vec<&[u32]> = blocks.iter().collect();
        assert_eq!(listed, [&[4][..], &[3], &[2, 1], &[0]]);
        assert_eq!((blocks.len(), &blocks[2]), (4, &[2, 1][..]));
        assert_eq!(blocks.into_gates(), [4, 3, 2, 1, 0]);
    }

    /// Quorums, `any_of` with a minimum, soft edges, a two-service cycle, a
    /// self-sustaining pair, `requires` and an integration with a fallback.
    const TEXT: &str = "version: 1
sites:
  r: {}
  a: {within: r}
  b: {within: r}
  c: {within: r}
services:
  db: {runs_in: {sites: [a, b, c], min: 2}}
  cache: {runs_in: a}
  api: {runs_in: [a, b], depends_on: [db, {on: cache, mode: soft}, queue]}
  queue: {runs_in: c, depends_on: [{any_of: [api, db]}]}
  x: {runs_in: b, depends_on: [y]}
  y: {runs_in: c, depends_on: [x, {any_of: [db, cache, api], min: 2}]}
  web: {tier: high, runs_in: b, depends_on: [{any_of: [api, cache]}, y, pay]}
  bank: {runs_in: c}
  spare: {runs_in: [a, c]}
integrations:
  pay: {consumer: web, provider: bank, fallback: [spare], tier: high}
";

    /// Whether `target` is down, by a propagation, when the parts whose bits
    /// are set in `set` fail.
    fn down_by_propagation(
        scratch: &mut Scratch,
        graph: &FailureGraph,
        target: NodeId,
        parts: &[NodeId],
        set: u32,
    ) -> bool {
        let failed: Vec<NodeId> = (0..parts.len())
            .filter(|i| (set >> i) & 1 == 1)
            .map(|i| parts[i])
            .collect();
        scratch.propagate(graph, &failed);
        let down = scratch.state(target.into()) == State::Down;
        scratch.reset(graph);
        down
    }

    /// For every target and every set of its cone's candidates, the circuit
    /// says down exactly where a propagation does.
    #[test]
    fn agrees_with_propagation_on_every_set() {
        let loaded = load_str("t.yaml", TEXT).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let mut marks = ConeMarks::new(&graph);
        let mut scratch = Scratch::new(&graph);
        let mut circuit = ConeCircuit::default();
        let mut checked = 0;
        for target in arch.node_ids() {
            let mut parts = marks.mark(arch, &graph, target);
            parts.sort();
            circuit.compile(&graph, &marks, &[target], &parts);
            let sets: Vec<u32> = (0..1u32 << parts.len()).collect();
            for batch in sets.chunks(64) {
                let mut lanes = vec![0u64; parts.len()];
                for (lane, &set) in batch.iter().enumerate() {
                    for (i, l) in lanes.iter_mut().enumerate() {
                        *l |= u64::from((set >> i) & 1) << lane;
                    }
                }
                let down = circuit.down_lanes(&lanes);
                for (lane, &set) in batch.iter().enumerate() {
                    let expected = down_by_propagation(&mut scratch, &graph, target, &parts, set);
                    let got = (down >> lane) & 1 == 1;
                    assert_eq!(
                        got,
                        expected,
                        "{} under set {set:b} of {parts:?}",
                        arch.name_of(target)
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// One circuit for the union of every node's cone, as Monte Carlo
    /// compiles it, says for each node down exactly where a propagation
    /// does, under every set of the union's candidates (the nodes among
    /// them: a target's own failure is a part here), in words of 64 lanes
    /// and in the wide words Monte Carlo uses.
    #[test]
    fn union_of_cones_agrees_with_propagation_for_each_target() {
        assert!(union_of_cones_agrees::<u64>(TEXT, 64) > 10_000);
        assert!(union_of_cones_agrees::<Wide<4>>(TEXT, 256) > 10_000);
    }

    /// A marked evaluation after one in order starts from every gate up:
    /// `x`, failed in the first, is up in the second, where only `y`
    /// fails (a marked evaluation overwrites only the gates it marks, so
    /// the one in order must leave their words as it found them; and
    /// `y`'s lanes take the slot `x`'s had among the seeded).
    #[test]
    fn a_marked_evaluation_after_one_in_order_starts_all_up() {
        let text = "version: 1\nsites:\n  s: {}\n  t: {}\nservices:\n  \
                    x: {runs_in: s}\n  y: {runs_in: t}\n";
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let (targets, parts, compiled) = every_nodes_union(arch, &graph);
        let at = |list: &[NodeId], name| list.iter().position(|&n| arch.name_of(n) == name);
        let (x, y) = (at(&parts, "x").unwrap(), at(&parts, "y").unwrap());
        let (tx, ty) = (at(&targets, "x").unwrap(), at(&targets, "y").unwrap());
        let mut circuit = compiled.for_evaluation::<u64>();
        let mut down = vec![0u64; targets.len()];
        circuit.fail(x as u32, 0);
        circuit.down_lanes_of_each_in_order(|t, l| down[t] = l);
        assert_eq!((down[tx], down[ty]), (0b1, 0));
        let mut down = vec![0u64; targets.len()];
        circuit.fail(y as u32, 1);
        circuit.down_lanes_of_each(|t, l| down[t] = l);
        assert_eq!((down[tx], down[ty]), (0, 0b10));
    }

    /// The slots of an evaluation in order: no two gates share one while
    /// both words may be read (from a gate's block to the last block that
    /// reads it), and along a chain of 300 services, each needing the one
    /// before, a few slots serve all the gates (each word is read by the
    /// next service, then never again; the site's is read by all).
    #[test]
    fn compact_slots_are_shared_only_by_words_no_longer_read() {
        let mut text = String::from("version: 1\nsites:\n  s: {availability: 0.9}\nservices:\n");
        text.push_str("  c0: {runs_in: s, availability: 0.9}\n");
        for i in 1..300 {
            text.push_str(&format!(
                "  c{i}: {{runs_in: s, availability: 0.9, depends_on: [c{}]}}\n",
                i - 1
            ));
        }
        for (text, most) in [(TEXT, usize::MAX), (text.as_str(), 4)] {
            let loaded = load_str("t.yaml", text).unwrap();
            let graph = FailureGraph::build(&loaded.arch);
            let (_, _, circuit) = every_nodes_union(&loaded.arch, &graph);
            let compact = Compact::of(&circuit);
            let n = circuit.gates();
            let mut last = circuit.block_of.clone();
            for d in 0..n {
                for &r in circuit.reqs_of(d) {
                    last[r as usize] = last[r as usize].max(circuit.block_of[d]);
                }
            }
            for a in 0..n {
                for b in a + 1..n {
                    let apart = last[a] < circuit.block_of[b] || last[b] < circuit.block_of[a];
                    assert!(compact.place[a] != compact.place[b] || apart, "{a} and {b}");
                }
            }
            assert!(
                compact.vals.len() <= most.min(n),
                "{} slots",
                compact.vals.len()
            );
        }
    }

    /// Every gate evaluated in order gives what the marked evaluation
    /// gives, on every file of the tests around, with batches in order and
    /// by marks mixed (so that a marked one follows one in order, which
    /// must not have left words of its own where the marked one reads), or
    /// all in order.
    #[test]
    fn evaluating_in_order_agrees_with_propagation() {
        let mixed = |b: u32| b % 3 != 1;
        assert!(union_of_cones_agrees_by::<Wide<4>>(TEXT, 5, mixed) > 10_000);
        assert!(union_of_cones_agrees_by::<u64>(TEXT, 64, |_| true) > 10_000);
        let ring = "version: 1\nsites:\n  s: {}\nservices:\n  z: {runs_in: s}\n  \
                    a: {runs_in: s, depends_on: [{any_of: [b, z]}]}\n  \
                    b: {runs_in: s, depends_on: [{any_of: [a, z]}]}\n  \
                    c: {runs_in: s, depends_on: [a, b]}\n";
        assert_eq!(union_of_cones_agrees_by::<Wide<2>>(ring, 3, mixed), 5 * 32);
        assert_eq!(union_of_cones_agrees_by::<u64>(ring, 1, |_| true), 5 * 32);
    }

    /// As above, on a ring of four services, each needing the next or
    /// `z`, and their sites, a few sets per batch: whichever fails with
    /// `z`, a change goes back against the evaluation order of the ring's
    /// block, so its sweeps must start over (with every set in one batch,
    /// the first gate of the ring is always among those failed, and the
    /// sweep starts there anyway).
    #[test]
    fn a_ring_goes_down_from_any_of_its_members() {
        let ring = "version: 1
sites:
  s: {}
  t: {}
services:
  a: {runs_in: s, depends_on: [{any_of: [b, z]}]}
  b: {runs_in: t, depends_on: [{any_of: [c, z]}]}
  c: {runs_in: s, depends_on: [{any_of: [d, z]}]}
  d: {runs_in: t, depends_on: [{any_of: [a, z]}]}
  z: {runs_in: s}
";
        assert_eq!(union_of_cones_agrees::<u64>(ring, 1), 7 * 128);
        assert_eq!(union_of_cones_agrees::<Wide<2>>(ring, 3), 7 * 128);
    }

    /// A ring of 600 services, each needing the next or `z`: 1,200 gates
    /// in one cycle, laid out in the order with few back edges. Failing
    /// `z` and any one of the ring takes the whole ring down, against the
    /// order for all but one of them; failing one alone, only it.
    #[test]
    fn a_large_ring_goes_down_from_any_of_its_members() {
        let n = 600;
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n  z: {runs_in: s}\n");
        for i in 0..n {
            let next = (i + 1) % n;
            text.push_str(&format!(
                "  r{i}: {{runs_in: s, depends_on: [{{any_of: [r{next}, z]}}]}}\n"
            ));
        }
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let mut scratch = Scratch::new(&graph);
        let (targets, parts, mut circuit) = every_nodes_union(arch, &graph);
        let largest = circuit.blocks.iter().map(|b| b.end - b.start).max();
        assert_eq!(largest, Some(2 * n));
        let index = |name: &str| parts.iter().position(|&p| p == arch.id_of(name).unwrap());
        let sets: Vec<Vec<usize>> = [0, 1, 299, 598, 599]
            .iter()
            .flat_map(|k| {
                let r = index(&format!("r{k}")).unwrap();
                [vec![r], vec![r, index("z").unwrap()]]
            })
            .chain([vec![], vec![index("s").unwrap()]])
            .collect();
        for (lane, set) in sets.iter().enumerate() {
            set.iter().for_each(|&i| circuit.fail(i as u32, lane));
        }
        let mut down = vec![0u64; targets.len()];
        circuit.down_lanes_of_each(|t, lanes| down[t] = lanes);
        let mut ring_down = 0;
        for (t, &target) in targets.iter().enumerate() {
            for (lane, set) in sets.iter().enumerate() {
                let failed: Vec<NodeId> = set.iter().map(|&i| parts[i]).collect();
                scratch.propagate(&graph, &failed);
                let expected = scratch.state(target.into()) == State::Down;
                scratch.reset(&graph);
                assert_eq!(
                    down[t] >> lane & 1 == 1,
                    expected,
                    "{} in {lane}",
                    arch.name_of(target)
                );
                ring_down += usize::from(expected && set.len() == 2);
            }
        }
        // With `z`, each of five failures takes down all 600 of the ring
        // and `z`.
        assert_eq!(ring_down, 5 * (n as usize + 1));
    }

    /// Relaid, the ring of [`super::large_mixed_ring`] has every requirement of
    /// an `Any` gate before it, and every target down in the lanes the
    /// circuit as compiled gives, failing a few parts a lane.
    #[test]
    fn a_relaid_cycle_puts_hard_requirements_first_with_the_same_states() {
        let loaded = load_str("t.yaml", super::large_mixed_ring(None)).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let (targets, parts, compiled) = every_nodes_union(arch, &graph);
        assert!(compiled.has_large_cycle());
        let mut relaid = compiled.relaid().unwrap();
        // Requirements behind the gates needing them in the large cycle,
        // of `Any` gates and of `AtLeast` ones.
        let behind = |c: &ConeCircuit| {
            let mut behind = (0, 0);
            for block in c.blocks.iter().filter(|b| b.is_large_cycle()) {
                for g in block.start..block.end {
                    let later = |&&r: &&u32| r > g && r < block.end;
                    let n = c.reqs_of(g as usize).iter().filter(later).count();
                    match c.rule[g as usize] {
                        Rule::Any => behind.0 += n,
                        Rule::AtLeast(_) => behind.1 += n,
                    }
                }
            }
            behind
        };
        assert!(behind(&compiled).0 > 0, "{:?}", behind(&compiled));
        let (any, at_least) = behind(&relaid);
        assert_eq!(any, 0);
        assert!(at_least > 0, "the cycle closes through `any_of` gates");
        let ring_down = same_states(&compiled, &mut relaid, parts.len(), targets.len());
        assert!(ring_down > 20 * 64 * 100, "{ring_down}");
    }

    /// Over twenty evaluations of a few random parts failed in each of 64
    /// lanes, `relaid` gives every target the lanes `compiled` gives; the
    /// targets' down lanes in all.
    fn same_states(
        compiled: &ConeCircuit,
        relaid: &mut ConeCircuit,
        parts: usize,
        targets: usize,
    ) -> u32 {
        let mut compiled = compiled.for_evaluation::<u64>();
        let mut below = below_from(7);
        let mut down = 0;
        for _ in 0..20 {
            for lane in 0..64 {
                for _ in 0..3 {
                    let p = below(parts as u64) as u32;
                    compiled.fail(p, lane);
                    relaid.fail(p, lane);
                }
            }
            let (mut a, mut b) = (vec![0u64; targets], vec![0u64; targets]);
            compiled.down_lanes_of_each(|t, lanes| a[t] = lanes);
            relaid.down_lanes_of_each(|t, lanes| b[t] = lanes);
            assert_eq!(a, b);
            down += a.iter().map(|l| l.count_ones()).sum::<u32>();
        }
        down
    }

    /// 1,500 services placed in a site, a list or a quorum, each needing
    /// up to two earlier services and one `any_of` of two or a quorum of
    /// three anywhere (some soft): one large cycle through `AtLeast` gates,
    /// with hard components among the rest. Relaid, it gives the states
    /// the compiled circuit gives.
    #[test]
    fn a_relaid_file_of_many_kinds_of_gate_has_the_same_states() {
        let n = 1500u64;
        let mut below = below_from(11);
        let mut text = String::from("version: 1\nsites:\n");
        (0..10).for_each(|z| text.push_str(&format!("  z{z}: {{}}\n")));
        text.push_str("services:\n");
        for i in 0..n {
            let runs_in = match below(3) {
                0 => format!("z{}", below(10)),
                1 => format!("[z{}, z{}]", below(5), 5 + below(5)),
                _ => format!(
                    "{{sites: [z{}, z{}, z{}], min: 2}}",
                    below(3),
                    3 + below(3),
                    6 + below(4)
                ),
            };
            let mut deps = Vec::new();
            for _ in 0..below(3) {
                if i > 0 {
                    deps.push(format!("s{}", below(i)));
                }
            }
            let (a, b, c) = (below(n), below(n), below(n));
            if a != i && b != i && c != i && a != b && b != c && a != c {
                deps.push(match below(3) {
                    0 => format!("{{any_of: [s{a}, s{b}]}}"),
                    1 => format!("{{any_of: [s{a}, s{b}, s{c}], min: 2}}"),
                    _ => format!("{{on: s{a}, mode: soft}}"),
                });
            }
            text.push_str(&format!(
                "  s{i}: {{runs_in: {runs_in}, depends_on: [{}]}}\n",
                deps.join(", ")
            ));
        }
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let (targets, parts, compiled) = every_nodes_union(arch, &graph);
        assert!(compiled.has_large_cycle());
        let mut relaid = compiled.relaid().unwrap();
        let down = same_states(&compiled, &mut relaid, parts.len(), targets.len());
        assert!(down > 20 * 64 * 10, "{down}");
    }

    /// Services that need one another (a, b, c) are down in the same
    /// lanes, so they are laid out as one gate with the parts of all
    /// three; `d`, which needs any of two of them and which `a` needs,
    /// stays in their cycle, and its gate counts both. Every set still
    /// gives what a propagation gives.
    #[test]
    fn services_that_need_one_another_are_one_gate() {
        let text = "version: 1
sites:
  s: {}
  t: {}
services:
  a: {runs_in: s, depends_on: [b, d]}
  b: {runs_in: t, depends_on: [c]}
  c: {runs_in: s, depends_on: [a]}
  d: {runs_in: t, depends_on: [{any_of: [a, b]}]}
";
        assert_eq!(union_of_cones_agrees::<u64>(text, 64), 6 * 64);
        assert_eq!(union_of_cones_agrees::<Wide<2>>(text, 5), 6 * 64);
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let (targets, _, circuit) = every_nodes_union(arch, &graph);
        let gate = |name| {
            circuit.targets[targets
                .iter()
                .position(|&t| arch.name_of(t) == name)
                .unwrap()]
        };
        assert_eq!((gate("a"), gate("b")), (gate("c"), gate("c")));
        assert_ne!(gate("d"), gate("a"));
        // The sites, the unit, `d` and its `any_of`, which counts the unit twice.
        assert_eq!(circuit.rule.len(), 5, "{:?}", circuit.rule);
        let cyclic: Vec<u32> = circuit
            .blocks
            .iter()
            .filter(|b| b.cyclic)
            .map(|b| b.end - b.start)
            .collect();
        assert_eq!(cyclic, [3]);
    }

    /// Services placed in the same sites, or needing any of the same
    /// services, share their gates in the circuit; sites that are the same
    /// but whose rule differs (any of three, two of three) do not. Every
    /// set still gives what a propagation gives.
    #[test]
    fn gates_that_are_the_same_are_evaluated_once() {
        let text = "version: 1
sites:
  a: {}
  b: {}
  c: {}
services:
  p: {runs_in: [a, b]}
  q: {runs_in: [a, b], depends_on: [p]}
  r: {runs_in: [b, a]}
  s: {runs_in: {sites: [a, b, c], min: 2}}
  t: {runs_in: {sites: [c, b, a], min: 2}, depends_on: [{any_of: [p, r]}]}
  u: {runs_in: c, depends_on: [{any_of: [r, p]}, q]}
  v: {runs_in: [a, b, c]}
";
        assert_eq!(union_of_cones_agrees::<u64>(text, 64), 10 * 1024);
        let loaded = load_str("t.yaml", text).unwrap();
        let graph = FailureGraph::build(&loaded.arch);
        let mut marks = ConeMarks::new(&graph);
        let targets: Vec<NodeId> = loaded.arch.node_ids().collect();
        let parts = marks.mark_union(&loaded.arch, &graph, &targets);
        let mut circuit = ConeCircuit::<u64>::default();
        circuit.compile(&graph, &marks, &targets, &parts);
        let at_least = |n| {
            circuit
                .rule
                .iter()
                .filter(|&&r| r == Rule::AtLeast(n))
                .count()
        };
        // Once each, of seven: [a, b] for p, q and r; [a, b, c] at two
        // of three for s and t; any of [p, r] for t and u. And [a, b, c]
        // at any of three for v, which needs three down.
        assert_eq!((at_least(2), at_least(3)), (3, 1), "{:?}", circuit.rule);
        assert!(circuit.rule.len() < circuit.live_gates.len());
    }

    /// Every node of `arch` as a target, the candidates of their cones'
    /// union as parts (sorted), and that union compiled, as Monte Carlo
    /// compiles it.
    fn every_nodes_union(
        arch: &crate::model::Architecture,
        graph: &FailureGraph,
    ) -> (Vec<NodeId>, Vec<NodeId>, ConeCircuit) {
        let mut marks = ConeMarks::new(graph);
        let targets: Vec<NodeId> = arch.node_ids().collect();
        let mut parts = marks.mark_union(arch, graph, &targets);
        parts.sort();
        let mut circuit = ConeCircuit::<u64>::default();
        circuit.compile(graph, &marks, &targets, &parts);
        (targets, parts, circuit)
    }

    /// The checks of the tests above on `text`, in words `L`, `per_batch`
    /// sets at a time; how many were made.
    fn union_of_cones_agrees<L: Lanes>(text: &str, per_batch: u32) -> usize {
        union_of_cones_agrees_by::<L>(text, per_batch, |_| false)
    }

    /// [`union_of_cones_agrees`], evaluating batch `b` in order when
    /// `in_order(b)`, and by the marked gates otherwise.
    fn union_of_cones_agrees_by<L: Lanes>(
        text: &str,
        per_batch: u32,
        in_order: impl Fn(u32) -> bool,
    ) -> usize {
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let mut scratch = Scratch::new(&graph);
        let (targets, parts, compiled) = every_nodes_union(arch, &graph);
        assert!(parts.len() <= 16, "{}", parts.len());
        let mut circuit = compiled.for_evaluation::<L>();
        let mut checked = 0;
        let sets = 1u32 << parts.len();
        for first in (0..sets).step_by(per_batch as usize) {
            let lanes = (sets - first).min(per_batch);
            for lane in 0..lanes {
                for i in 0..parts.len() as u32 {
                    if ((first + lane) >> i) & 1 == 1 {
                        circuit.fail(i, lane as usize);
                    }
                }
            }
            let mut down = vec![L::NONE; targets.len()];
            if in_order(first / per_batch) {
                circuit.down_lanes_of_each_in_order(|t, l| down[t] = l);
            } else {
                circuit.down_lanes_of_each(|t, l| down[t] = l);
            }
            for (t, &target) in targets.iter().enumerate() {
                for lane in 0..lanes {
                    let set = first + lane;
                    let expected = down_by_propagation(&mut scratch, &graph, target, &parts, set);
                    let got = down[t] & L::NONE.with(lane as usize) != L::NONE;
                    assert_eq!(got, expected, "{} under {set:b}", arch.name_of(target));
                    checked += 1;
                }
            }
        }
        checked
    }

    /// Numbers below `n` for the tests' random files and failures, from a
    /// linear congruential generator seeded with `seed`: the same on every
    /// machine.
    fn below_from(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut state = seed;
        move |n| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        }
    }

    /// Random architectures with quorums, `any_of` with a minimum, soft
    /// edges and cycles, for [`untouched_parts_fail_only_what_each_fails`].
    fn random_text(seed: u64) -> String {
        let mut below = below_from(seed);
        let mut text = String::from("version: 1\nsites:\n");
        for i in 0..5 {
            text.push_str(&format!("  z{i}: {{}}\n"));
        }
        text.push_str("services:\n");
        let services = 9;
        for i in 0..services {
            let site = |b: &mut dyn FnMut(u64) -> u64| format!("z{}", b(5));
            let runs_in = match below(3) {
                0 => site(&mut below),
                1 => format!("[{}, {}]", site(&mut below), site(&mut below)),
                _ => format!(
                    "{{ sites: [z0, z{}, z{}], min: 2 }}",
                    1 + below(2),
                    3 + below(2)
                ),
            };
            let mut deps = Vec::new();
            for _ in 0..below(3) {
                let on = below(services);
                if on == i {
                    continue;
                }
                let (b, c) = ((on + 1) % services, (on + 2) % services);
                let grouped = b != i && c != i;
                deps.push(match below(4) {
                    0 => format!("{{ on: s{on}, mode: soft }}"),
                    1 if grouped => format!("{{ any_of: [s{on}, s{b}, s{c}], min: 2 }}"),
                    2 if grouped => format!("{{ any_of: [s{on}, s{b}] }}"),
                    _ => format!("s{on}"),
                });
            }
            deps.sort();
            deps.dedup();
            text.push_str(&format!(
                "  s{i}: {{ tier: high, runs_in: {runs_in}, depends_on: [{}] }}\n",
                deps.join(", ")
            ));
        }
        text
    }

    /// Parts no two of which touch take a target down together only when
    /// one of them does alone (the reason `touching` exists), on every set
    /// of every cone of the fixed file and of random ones; and touching is
    /// not vacuous: some pairs touch, and sets of untouched parts are
    /// checked.
    #[test]
    fn untouched_parts_fail_only_what_each_fails() {
        let (mut touching_pairs, mut untouched_sets) = (0, 0);
        let texts = std::iter::once(TEXT.to_string()).chain((0..40).map(random_text));
        for text in texts {
            let Ok(loaded) = load_str("t.yaml", text.clone()) else {
                panic!("{text}");
            };
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let mut marks = ConeMarks::new(&graph);
            let mut scratch = Scratch::new(&graph);
            let mut circuit = ConeCircuit::default();
            for target in arch.node_ids() {
                let mut parts = marks.mark(arch, &graph, target);
                parts.sort();
                parts.truncate(14);
                circuit.compile(&graph, &marks, &[target], &parts);
                let singles = circuit.singles(parts.len());
                let touch = singles.touching::<1>(&[0]);
                let down_under = |scratch: &mut Scratch, set: u32| {
                    down_by_propagation(scratch, &graph, target, &parts, set)
                };
                for i in 0..parts.len() {
                    let alone = (singles.down[i / 64] >> (i % 64)) & 1 == 1;
                    assert_eq!(alone, down_under(&mut scratch, 1 << i), "part {i} alone");
                }
                let touches = |a: usize, b: usize| (touch[a][b / 64] >> (b % 64)) & 1 == 1;
                for set in 1..1u32 << parts.len() {
                    let members: Vec<usize> =
                        (0..parts.len()).filter(|i| (set >> i) & 1 == 1).collect();
                    if members.len() < 2 {
                        continue;
                    }
                    let pairs = members
                        .iter()
                        .enumerate()
                        .flat_map(|(i, &a)| members[i + 1..].iter().map(move |&b| (a, b)));
                    let touched = pairs.clone().filter(|&(a, b)| touches(a, b)).count();
                    assert!(pairs.clone().all(|(a, b)| touches(a, b) == touches(b, a)));
                    if members.len() == 2 {
                        touching_pairs += touched;
                    }
                    if touched > 0 {
                        continue;
                    }
                    untouched_sets += 1;
                    let alone = members.iter().any(|&i| down_under(&mut scratch, 1 << i));
                    assert_eq!(
                        down_under(&mut scratch, set),
                        alone,
                        "{} under {members:?} of {parts:?}\n{text}",
                        arch.name_of(target)
                    );
                }
            }
        }
        assert!(touching_pairs > 100, "{touching_pairs}");
        assert!(untouched_sets > 1000, "{untouched_sets}");
    }

    /// The counter agrees with a count lane by lane, for every threshold.
    #[test]
    fn at_least_counts_each_lane() {
        let vals: Vec<u64> = vec![
            0b1011_0110,
            0b1100_1010,
            0b0111_0001,
            0b1111_0000,
            0b0000_1111,
        ];
        let reqs: Vec<u32> = (0..5).collect();
        let mut planes = Vec::new();
        for t in 1..=6 {
            let got = at_least(reqs.iter().map(|&r| vals[r as usize]), t, &mut planes);
            for lane in 0..8 {
                let count = vals.iter().filter(|v| (*v >> lane) & 1 == 1).count() as u32;
                assert_eq!((got >> lane) & 1 == 1, count >= t, "t {t}, lane {lane}");
            }
        }
    }

    /// Both ways of counting (a word per count for small thresholds, bit
    /// planes for the rest) in wide words, against a count per lane.
    #[test]
    fn at_least_counts_each_lane_of_wide_words() {
        let mut rng = crate::engine::sampling::SplitMix(7);
        let mut planes = Vec::new();
        for m in 1..=9 {
            let words: Vec<[u64; 2]> = (0..m)
                .map(|_| [0; 2].map(|_| (rng.unit() * 2f64.powi(53)) as u64))
                .collect();
            let wide: Vec<Wide<2>> = words
                .iter()
                .map(|w| {
                    (0..128).fold(Wide::NONE, |v, l| {
                        if (w[l / 64] >> (l % 64)) & 1 == 1 {
                            v.with(l)
                        } else {
                            v
                        }
                    })
                })
                .collect();
            for t in 1..=m as u32 + 1 {
                let got = at_least(wide.iter().copied(), t, &mut planes);
                for lane in 0..128 {
                    let count = words
                        .iter()
                        .filter(|w| (w[lane / 64] >> (lane % 64)) & 1 == 1)
                        .count() as u32;
                    let set = got & Wide::NONE.with(lane) != Wide::NONE;
                    assert_eq!(set, count >= t, "m {m}, t {t}, lane {lane}");
                }
            }
        }
    }

    #[test]
    fn rule_of_a_quorum() {
        let quorum = |min, members| rule(Gate::AtLeast { min, members });
        assert_eq!(quorum(2, 3), Rule::AtLeast(2));
        assert_eq!(quorum(1, 3), Rule::AtLeast(3));
        assert_eq!(quorum(3, 3), Rule::Any);
        assert_eq!(quorum(5, 3), Rule::Any);
        assert_eq!(quorum(0, 3), Rule::AtLeast(4));
    }
}
