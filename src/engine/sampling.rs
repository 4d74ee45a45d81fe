//! Monte Carlo over samples that every target shares.
//!
//! Each part that can fail has its own stream of failures, seeded by its
//! id and by the block of samples (every [`BLOCK`] samples). A target's
//! estimate therefore depends only on the parts in its cone and itself: it
//! is the same whether the target is asked about alone or with every other
//! target of the file, and it does not move when unrelated services are
//! added or the file is reordered. And since the samples are shared, one
//! evaluation of the union of the targets' cones per 1,024 samples answers
//! every target at once: the cost grows with the file, not with targets ×
//! cone.
//!
//! Architecture invariant: a target's count of down samples is a function
//! of its own cone's parts, their ids and availabilities, nothing else.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

use crate::model::{Architecture, NodeId};

use super::circuit::ConeCircuit;
use super::cone::ConeMarks;
use super::graph::{FailureGraph, GateId};
use super::progress::Progress;
use super::sure_down::SureDown;
use super::word::{Lanes, Wide};

mod gap;
mod one_by_one;
use one_by_one::{GivenBack, OneByOne};

/// Samples evaluated side by side: 1,024, so that a batch pays each
/// gate's bookkeeping once for sixteen words' worth of samples (most of
/// the union goes down in some lane of any batch: see [`super::word`]).
/// On `layered-avail-all` at 100,000 services, Monte Carlo took 5.05 s
/// with one word, 2.40 s with four, 2.08 s with eight and 2.05 s with
/// sixteen, before cycles were evaluated in sweeps.
pub(crate) type Batch = Wide<16>;
/// Samples per [`Batch`].
const WIDTH: u32 = Batch::LANES as u32;

/// Samples of a Monte Carlo estimate.
pub const SAMPLES: u32 = 200_000;
/// The share of the union's gates a batch evaluates (its steps over the
/// gates: a gate with a failed part counts twice) from which the next ones
/// are evaluated in order ([`ConeCircuit::down_lanes_of_each_in_order`])
/// rather than by their marks. At 100,000 services, `chain` evaluates
/// 0.42 of its union and is 5% faster in order; the generator's shapes with
/// Monte Carlo and `hub`, `standby`, `mesh` and `earlier` are 0.88-1.76.
const IN_ORDER_FROM: f64 = 0.3;
/// Samples per block: each part's stream is reseeded at each block, so
/// that blocks are drawn on any thread in any order with the same result.
const BLOCK: u32 = 8192;
/// About how many failures are held at once while a block is drawn: when
/// parts fail often, a block is drawn a few batches at a time.
const HELD: f64 = 1_000_000.0;

/// In how many of [`SAMPLES`] samples each target is down, in the order
/// given, a sample failing each part that can fail (a candidate with an
/// availability below 1, the target itself included) independently.
///
/// `compiled`, when given, is that union already compiled for `targets`
/// ([`Compiled::for_targets`]).
///
/// Cost: marking and compiling the union of the targets' cones, then, per
/// block and per part, a seed; per failure drawn, a logarithm; per 64
/// samples, one evaluation of the gates that go down in them
/// ([`ConeCircuit::down_lanes_of_each`]) per 1,024 samples (a [`Batch`]).
/// About SAMPLES × (expected failures per sample) + SAMPLES / 1,024 ×
/// (union's gates / 64 + targets + gates down and their edges × 16),
/// spread over threads by block. Memory: the circuit once per thread
/// (two words of a [`Batch`], 256 bytes, per gate), and about [`HELD`]
/// failures at a time. When the union holds a large cycle, it is laid out
/// a second time with that cycle in another order
/// ([`ConeCircuit::relaid`]), and blocks are drawn on both until each has
/// drawn one ([`Trial`]); the rest go to the one whose cycles took fewer
/// evaluations a sample. The counts are the same on either.
pub(crate) fn down_counts(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    compiled: Option<Compiled>,
    progress: &Progress,
) -> Vec<u32> {
    let union = compiled.unwrap_or_else(|| union_circuit(arch, graph, targets));
    let how = (true, Way::Guessed);
    down_counts_in(Build::best(), arch, targets, union, how, progress)
}

/// [`down_counts`] of the union compiled, evaluated by `build`, trying
/// its large cycles in another order when `try_relaid`, its samples taken
/// the `way` given.
fn down_counts_in(
    build: Build,
    arch: &Architecture,
    targets: &[NodeId],
    union: Compiled,
    (try_relaid, way): (bool, Way),
    progress: &Progress,
) -> Vec<u32> {
    let Compiled { ids, circuit, .. } = union;
    let sampler =
        |circuit: &ConeCircuit| Sampler::new((build, way), arch, &ids, circuit, targets.len());
    let blocks = SAMPLES.div_ceil(BLOCK);
    let Settled {
        circuit,
        sampler,
        from,
        mut left,
        kept,
        mut back,
    } = if try_relaid && circuit.has_large_cycle() {
        Trial::new(blocks).settle(circuit, &sampler)
    } else {
        Settled {
            sampler: sampler(&circuit),
            circuit,
            from: 0,
            left: Vec::new(),
            kept: Vec::new(),
            back: GivenBack::default(),
        }
    };
    // One drawing per thread, taken by block: a drawing holds a copy of
    // the circuit (tens of megabytes on a large file), made once. Where
    // the drawing kept from the trial goes one sample at a time, so do
    // the others, without a first batch of their own.
    let told = (kept.first()).and_then(|d| d.one_by_one.as_deref().map(OneByOne::told));
    let drawing = || {
        let mut drawing = sampler.drawing(&circuit);
        if let Some(told) = &told {
            drawing.decided = true;
            drawing.one_by_one = Some(OneByOne::as_told(told));
        }
        drawing
    };
    let drawings = std::sync::Mutex::new(kept);
    let rest: Vec<u32> = (from..blocks).collect();
    super::parallel::map_pooled(&rest, progress, (&drawings, drawing), |drawing, &block| {
        drawing.block(&sampler.parts, block, sampler.expected)
    });
    let mut drawings = drawings.into_inner().unwrap_or_else(|e| e.into_inner());
    // The samples every drawing gave back, evaluated together on one.
    for drawing in &mut drawings {
        back.append(drawing.take_back());
    }
    if let Some(one) = drawings.first_mut().filter(|_| back.len() > 0) {
        one.evaluate_back(&mut back);
    }
    left.extend(drawings.into_iter().map(|d| d.down));
    sum_of(left, targets.len())
}

/// The first blocks of a Monte Carlo run, drawn on two layouts of one
/// union: one thread draws blocks on the compiled one while the other lays
/// out the second ([`ConeCircuit::relaid`]) and draws one block on it; the
/// first stops at the end of a block once that is done. Blocks are taken
/// in order from one counter, so each is drawn once, on either layout,
/// with the same counts. When the first drawing's first batch has said to
/// go one sample at a time by the time the second layout is made, where
/// the layout matters little, no block is drawn on it.
struct Trial {
    blocks: u32,
    next: AtomicU32,
    other_done: AtomicBool,
    /// Whether the first drawing's first batch has said to go one sample
    /// at a time.
    one_by_one: Arc<AtomicBool>,
}

/// Where a run goes on from: the layout kept and its sampler, the first
/// block not drawn yet, the counts of the drawings dropped and the
/// samples they gave back, and the drawing kept to go on with.
struct Settled {
    circuit: ConeCircuit,
    sampler: Sampler,
    from: u32,
    left: Vec<Vec<u32>>,
    kept: Vec<Drawing>,
    back: GivenBack,
}

/// A layout's part of a [`Trial`]: its drawing and its cost.
struct Tried {
    sampler: Sampler,
    drawing: Drawing,
    /// Evaluations of cycle gates per sample in its first block, when it
    /// drew one.
    cost: Option<f64>,
}

impl Trial {
    fn new(blocks: u32) -> Self {
        Trial {
            blocks,
            next: AtomicU32::new(0),
            other_done: AtomicBool::new(false),
            one_by_one: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Draws the first blocks on `circuit` and on it relaid, and keeps the
    /// layout whose cycles took fewer evaluations a sample (the compiled
    /// one, unless the other is cheaper).
    fn settle(
        self,
        circuit: ConeCircuit,
        sampler: &(impl Fn(&ConeCircuit) -> Sampler + Sync),
    ) -> Settled {
        let (a, (other, b)) = super::parallel::both(
            || self.until_tried(sampler(&circuit), &circuit),
            || {
                // Laid out at once, not after the first batch says which
                // way: waiting for it slowed `hub` by a tenth.
                let other = circuit.relaid();
                let other = other.filter(|_| !self.one_by_one.load(Ordering::Acquire));
                let b = self.once(other.as_ref().map(|o| (sampler(o), o)));
                (other, b)
            },
        );
        let from = self.next.load(Ordering::Relaxed).min(self.blocks);
        let cheaper = |b: &Tried| matches!((a.cost, b.cost), (Some(x), Some(y)) if y < x);
        let (kept, dropped) = match (other, b) {
            (Some(other), Some(b)) if cheaper(&b) => ((other, b.sampler, b.drawing), Some(a)),
            (_, b) => ((circuit, a.sampler, a.drawing), b),
        };
        let (circuit, sampler, drawing) = kept;
        let (left, back) = match dropped {
            Some(mut d) => (
                vec![std::mem::take(&mut d.drawing.down)],
                d.drawing.take_back(),
            ),
            None => (Vec::new(), GivenBack::default()),
        };
        Settled {
            circuit,
            sampler,
            from,
            left,
            kept: vec![drawing],
            back,
        }
    }

    /// The next block not taken.
    fn take(&self) -> Option<u32> {
        let block = self.next.fetch_add(1, Ordering::Relaxed);
        (block < self.blocks).then_some(block)
    }

    /// Blocks drawn on `circuit` until the other layout has drawn its one.
    fn until_tried(&self, sampler: Sampler, circuit: &ConeCircuit) -> Tried {
        let mut drawing = sampler.drawing(circuit);
        drawing.said = Some(self.one_by_one.clone());
        let mut tried = Tried {
            drawing,
            sampler,
            cost: None,
        };
        while !self.other_done.load(Ordering::Acquire) {
            let Some(block) = self.take() else { break };
            tried.draw(block);
        }
        tried
    }

    /// One block drawn on the circuit given, if there is one and a block
    /// is left.
    fn once(&self, laid: Option<(Sampler, &ConeCircuit)>) -> Option<Tried> {
        let tried = laid.and_then(|(sampler, circuit)| {
            let block = self.take()?;
            let mut tried = Tried {
                drawing: sampler.drawing(circuit),
                sampler,
                cost: None,
            };
            tried.draw(block);
            Some(tried)
        });
        self.other_done.store(true, Ordering::Release);
        tried
    }
}

impl Tried {
    fn draw(&mut self, block: u32) {
        let (s, d) = (&self.sampler, &mut self.drawing);
        d.block(&s.parts, block, s.expected);
        let samples = (SAMPLES - block * BLOCK).min(BLOCK);
        let per_sample = d.circuit.cycle_evaluations() as f64 / f64::from(samples);
        self.cost.get_or_insert(per_sample);
    }
}

/// What every drawing of one compiled union shares: each part's stream,
/// in the order of the gates they fail.
struct Sampler {
    build: Build,
    way: Way,
    parts: Vec<(u32, Stream)>,
    /// The parts that stand for gates sure down.
    sure: Vec<u32>,
    /// Failures per sample.
    expected: f64,
    targets: usize,
}

impl Sampler {
    fn new(
        (build, way): (Build, Way),
        arch: &Architecture,
        ids: &[NodeId],
        circuit: &ConeCircuit,
        targets: usize,
    ) -> Self {
        // A part that leads to no target changes nothing, so it is not drawn;
        // the gates sure down, laid out as parts after `ids`, fail in every
        // sample.
        let (parts, sure): (Vec<u32>, Vec<u32>) =
            (circuit.parts_by_gate().into_iter()).partition(|&p| (p as usize) < ids.len());
        let parts: Vec<(u32, Stream)> = (parts.into_iter())
            .map(|p| (p, Stream::of(arch, ids[p as usize])))
            .collect();
        let expected = parts.iter().map(|(_, s)| s.q).sum();
        Sampler {
            build,
            way,
            parts,
            sure,
            expected,
            targets,
        }
    }

    /// A drawing of `circuit`, with its own copy of it.
    fn drawing(&self, circuit: &ConeCircuit) -> Drawing {
        Drawing {
            build: self.build,
            way: self.way,
            in_order: None,
            circuit: circuit.for_evaluation(),
            sure: self.sure.clone(),
            failures: Vec::new(),
            sorted: Vec::new(),
            streams: Vec::new(),
            down: vec![0u32; self.targets],
            decided: false,
            one_by_one: None,
            said: None,
        }
    }
}

/// The union of the cones of `targets` ([`union_circuit`]): its parts
/// that can fail (candidates with an availability below 1), sorted by
/// id, and the union compiled for them.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) targets: Vec<NodeId>,
    pub(crate) ids: Vec<NodeId>,
    pub(crate) circuit: ConeCircuit,
}

/// The union of the cones of `targets` ([`union_circuit`]) for Monte
/// Carlo, not walked past the gates sure down (`engine/sure_down.rs`):
/// those of them that are nodes are laid out as parts after the parts
/// that can fail, to be failed in every sample. O(the union's gates and
/// edges short of the gates sure down).
pub(crate) fn sampled_union(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    sure: &SureDown,
) -> Compiled {
    let held = |g: GateId| graph.node_of(g).filter(|_| sure.is_sure(g));
    union_short_of(arch, graph, targets, held)
}

impl Compiled {
    /// This union, as [`union_circuit`] would compile it for `targets`,
    /// when it is the same union: each target it was compiled for is
    /// among `targets`, and each of `targets` is laid out in it (its cone
    /// is in the union). O(graph's gates + targets).
    pub(crate) fn for_targets(mut self, graph: &FailureGraph, targets: &[NodeId]) -> Option<Self> {
        let mut asked = vec![false; graph.len()];
        targets.iter().for_each(|t| asked[t.index()] = true);
        let same = self.targets.iter().all(|t| asked[t.index()]) && self.circuit.retarget(targets);
        self.targets = targets.to_vec();
        same.then_some(self)
    }
}

/// The union of `targets`' cones, compiled: what Monte Carlo evaluates,
/// and what answering many parts alone for many targets evaluates. O(the
/// union's gates and edges).
pub(crate) fn union_circuit(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
) -> Compiled {
    union_short_of(arch, graph, targets, |_| None)
}

/// The union of `targets`' cones, not walked past the gates `held` names
/// a node of: those nodes are laid out as parts after the parts that can
/// fail (`ids`).
fn union_short_of(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &[NodeId],
    held: impl Fn(GateId) -> Option<NodeId>,
) -> Compiled {
    let mut held_down: Vec<NodeId> = Vec::new();
    let mut marks = ConeMarks::new(graph);
    let stop = |g: GateId| {
        let node = held(g);
        held_down.extend(node);
        node.is_some()
    };
    let mut ids = marks.mark_union_until(arch, graph, targets, stop);
    held_down.sort();
    ids.retain(|&id| {
        let can_fail = arch.node(id).own_availability() < 1.0;
        can_fail && held_down.binary_search(&id).is_err()
    });
    ids.sort();
    let mut parts = ids.clone();
    parts.extend(&held_down);
    let mut circuit = ConeCircuit::default();
    circuit.compile(graph, &marks, targets, &parts);
    Compiled {
        targets: targets.to_vec(),
        ids,
        circuit,
    }
}

/// Whether at least one of `parts` fails in each of the [`SAMPLES`]
/// samples, as Monte Carlo draws them (each part's own stream, block by
/// block): what lets a gate that any one of them takes down be held down
/// in every sample with the counts drawing everything gives, exactly
/// (`engine/sure_down.rs`). Blocks are drawn on every thread; once one
/// has a sample where none fails, the rest are skipped.
///
/// Cost: per part and block a seed, and per failure drawn a gap: about
/// [`SAMPLES`] × (the parts' chances of failing, summed), and a bit per
/// sample.
pub(crate) fn one_fails_in_every_sample(arch: &Architecture, parts: &[NodeId]) -> bool {
    let streams: Vec<Stream> = parts.iter().map(|&id| Stream::of(arch, id)).collect();
    let blocks: Vec<u32> = (0..SAMPLES.div_ceil(BLOCK)).collect();
    let missed = AtomicBool::new(false);
    super::parallel::map_chunked(
        &blocks,
        1,
        &Progress::default(),
        || (),
        |(), &block| {
            if missed.load(Ordering::Relaxed) {
                return;
            }
            let len = u64::from((SAMPLES - block * BLOCK).min(BLOCK));
            let mut failed = vec![0u64; len.div_ceil(64) as usize];
            for stream in &streams {
                let mut f = stream.failures(block);
                while f.next < len {
                    failed[(f.next / 64) as usize] |= 1 << (f.next % 64);
                    f.advance();
                }
            }
            let covered = |(w, &bits): (usize, &u64)| {
                let lanes = (len - 64 * w as u64).min(64);
                bits == u64::MAX >> (64 - lanes)
            };
            if !failed.iter().enumerate().all(covered) {
                missed.store(true, Ordering::Relaxed);
            }
        },
    );
    !missed.load(Ordering::Relaxed)
}

/// The sum, count by count, of `len` counts from each thread.
pub(crate) fn sum_of(per_thread: Vec<Vec<u32>>, len: usize) -> Vec<u32> {
    let mut sum = vec![0u32; len];
    for counts in per_thread {
        sum.iter_mut().zip(counts).for_each(|(s, c)| *s += c);
    }
    sum
}

/// One part's stream of failures.
struct Stream {
    /// Where its seeds come from: a hash of its id.
    key: u64,
    /// Its probability of failing.
    q: f64,
    /// Its geometric gaps.
    gaps: gap::Geometric,
}

impl Stream {
    /// Part `id`'s stream: the one every drawing of it uses, Monte Carlo's
    /// and the check of a cycle's failures ([`one_fails_in_every_sample`]).
    fn of(arch: &Architecture, id: NodeId) -> Self {
        let q = 1.0 - arch.node(id).availability.get().unwrap_or(1.0);
        Stream::new(arch.name_of(id), q)
    }

    fn new(id: &str, q: f64) -> Self {
        Stream {
            key: fnv1a(id.as_bytes()),
            q,
            gaps: gap::Geometric::new(q),
        }
    }

    /// The samples of `block` it fails, from the block's first sample on.
    fn failures(&self, block: u32) -> Failures {
        let mut f = Failures {
            rng: SplitMix(self.key ^ u64::from(block).wrapping_mul(0xA076_1D64_78BD_642F)),
            gaps: self.gaps,
            next: 0,
            ahead: [0; AHEAD],
            used: AHEAD,
        };
        f.next = f.gap();
        f
    }
}

/// The failures of one part in one block, drawn as they are needed.
///
/// Sampling part by part would cost samples × parts random numbers; with
/// parts that are up 99.9% of the time almost every sample fails nothing.
/// So each failure is placed directly: the gap to the next one is
/// geometric, and work follows the number of failures.
///
/// Gaps are drawn four at a time, from the next four numbers of the
/// stream, and handed out in order: the same gaps as one at a time, with
/// the four logarithms side by side (in one register each where the
/// processor has AVX2) rather than one after another. And each four are
/// drawn while the four before them are handed out ([`AHEAD`]), so that
/// the processor works out their logarithms while it sets the lanes of
/// the failures before them. On `layered-back-99` at 100,000 services,
/// in pairs of interleaved rounds: one at a time 4.8 s of processor time
/// against four at a time 4.0 s, and four at a time 4.6 s against four
/// ahead of four 3.8 s. A block's stream ends with at most seven drawn
/// and not used.
#[derive(Clone)]
struct Failures {
    rng: SplitMix,
    gaps: gap::Geometric,
    /// The next sample it fails, from the block's start (saturating).
    next: u64,
    /// Gaps drawn ahead, two halves of [`AHEAD`]; those from `used` on
    /// are still to come. `used` is [`AHEAD`] before the first.
    ahead: [u64; AHEAD],
    used: usize,
}

/// Gaps [`Failures`] holds drawn ahead: the four it hands out and the
/// four after them.
const AHEAD: usize = 8;

impl Failures {
    /// Samples up before the next failure ~ Geometric(q), by inverse
    /// transform (`sampling/gap.rs`).
    #[inline(always)]
    fn gap(&mut self) -> u64 {
        if self.used >= AHEAD / 2 {
            if self.used == AHEAD {
                // None drawn yet: the first four too.
                let first = self.drawn();
                self.ahead[AHEAD / 2..].copy_from_slice(&first);
            }
            // The four drawn ahead are handed out next, while the four
            // after them are worked out.
            self.ahead.copy_within(AHEAD / 2.., 0);
            let after = self.drawn();
            self.ahead[AHEAD / 2..].copy_from_slice(&after);
            self.used = 0;
        }
        let gap = self.ahead[self.used];
        self.used += 1;
        gap
    }

    /// The next half of [`AHEAD`] gaps.
    #[inline(always)]
    fn drawn(&mut self) -> [u64; AHEAD / 2] {
        // Each in (0, 1]. No test of q here: at a q of 1 every gap is 0
        // (`Geometric::new`).
        let u = self.rng.next_up::<{ AHEAD / 2 }>();
        self.gaps.gaps(u)
    }

    /// Moves past the failure at `next`.
    #[inline(always)]
    fn advance(&mut self) {
        self.next = self.next.saturating_add(1).saturating_add(self.gap());
    }
}

/// How a block's batches are evaluated: the same code, compiled for any
/// x86-64 processor or, where the processor has it, for AVX2 too, whose
/// wider registers take a sixteen-word [`Batch`] in four operations
/// rather than eight (`hub` at 100,000 services: Monte Carlo a quarter
/// faster). Only the speed differs: the evaluation ANDs, ORs and counts
/// bits, and the draws do the same floating-point operations in the
/// same order (Rust never fuses them), so the counts are the same bit for
/// bit (`both_builds_count_the_same_samples`).
#[derive(Clone, Copy, Debug)]
enum Build {
    /// For any processor of the target.
    Portable,
    /// For AVX2, which the processor has.
    #[cfg(target_arch = "x86_64")]
    Avx2(HasAvx2),
}

/// Proof that the processor has AVX2: made only by [`Build::best`],
/// after asking it.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, Debug)]
struct HasAvx2(());

impl Build {
    /// The fastest build this processor runs.
    fn best() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Build::Avx2(HasAvx2(()));
        }
        Build::Portable
    }
}

/// Which way a drawing takes its samples.
#[derive(Clone, Copy, Debug)]
enum Way {
    /// As its first batch says ([`OneByOne::decide`]).
    Guessed,
    /// In batches only.
    #[cfg(test)]
    Batches,
    /// One at a time after the first batch, a sample that takes more
    /// than `most` gates down given back.
    #[cfg(test)]
    OneByOne { most: usize },
}

/// One thread's buffers for drawing blocks, and its counts.
struct Drawing {
    build: Build,
    way: Way,
    /// Whether batches are evaluated in order, once the first has said.
    in_order: Option<bool>,
    circuit: ConeCircuit<Batch>,
    /// The parts that stand for gates sure down: failed in every sample.
    sure: Vec<u32>,
    /// (sample in the block, part), as drawn, then by batch in `sorted`.
    failures: Vec<(u32, u32)>,
    sorted: Vec<(u32, u32)>,
    /// Each part and its stream in the block being drawn: kept from block
    /// to block, since at 100,000 services it holds megabytes, which
    /// fresh pages for each block made the system zero again.
    streams: Vec<(u32, Failures)>,
    /// Per target, the samples it was down in.
    down: Vec<u32>,
    /// Whether the first batch has said which way samples go.
    decided: bool,
    /// Samples one at a time, when the first batch said so.
    one_by_one: Option<Box<OneByOne>>,
    /// Where to say that the first batch chose one sample at a time, for
    /// a [`Trial`].
    said: Option<Arc<AtomicBool>>,
}

impl Drawing {
    /// Draws `block` and counts the samples each target is down in. When
    /// failures are many (`expected` per sample), the block is drawn a few
    /// batches at a time, each part's stream picked up where it stopped,
    /// which gives the same failures.
    fn block(&mut self, parts: &[(u32, Stream)], block: u32, expected: f64) {
        match self.build {
            Build::Portable => self.block_with(parts, block, expected),
            #[cfg(target_arch = "x86_64")]
            Build::Avx2(_) => self.block_avx2(parts, block, expected),
        }
    }

    /// [`Self::block_with`] compiled for AVX2, on a processor that has it.
    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    fn block_avx2(&mut self, parts: &[(u32, Stream)], block: u32, expected: f64) {
        #[target_feature(enable = "avx2")]
        fn with_avx2(drawing: &mut Drawing, parts: &[(u32, Stream)], block: u32, expected: f64) {
            drawing.block_with(parts, block, expected);
        }
        // SAFETY: the only instructions `with_avx2` may hold beyond
        // x86-64's are AVX2's, and this drawing's build is `Avx2` only when
        // the processor has AVX2 (`Build::Avx2` holds a `HasAvx2`, which
        // only `Build::best` makes, after asking the processor).
        unsafe { with_avx2(self, parts, block, expected) }
    }

    /// What [`Self::block`] does, inlined into each build of it, down to
    /// the circuit's evaluation of a gate.
    #[inline(always)]
    fn block_with(&mut self, parts: &[(u32, Stream)], block: u32, expected: f64) {
        let len = (SAMPLES - block * BLOCK).min(BLOCK);
        let batches = len.div_ceil(WIDTH);
        let step =
            (HELD / (f64::from(WIDTH) * expected.max(1e-9))).clamp(1.0, f64::from(batches)) as u32;
        let mut streams = std::mem::take(&mut self.streams);
        streams.clear();
        streams.extend(parts.iter().map(|(p, s)| (*p, s.failures(block))));
        let mut from = 0;
        while from < batches {
            if let Some(one) = self.one_by_one.as_mut() {
                let span = (u64::from(from * WIDTH), u64::from(len));
                one.draw(
                    &mut self.circuit,
                    &mut streams,
                    span,
                    expected,
                    &mut self.down,
                );
                break;
            }
            let to = (from + step).min(batches);
            let end = u64::from((to * WIDTH).min(len));
            if to - from == 1 {
                // One batch at a time (hundreds of failures a sample): its
                // failures go straight into the circuit, unsorted.
                let first = u64::from(from * WIDTH);
                for (p, f) in &mut streams {
                    if f.next >= end {
                        continue;
                    }
                    // The part's gate looked up once for its failures in
                    // the batch (ten on average where parts fail 1% of the
                    // time).
                    let mut lanes = self.circuit.lanes_to_fail(*p);
                    // Drawn in a copy, which stays in registers.
                    let mut drawn = f.clone();
                    while drawn.next < end {
                        if let Some(lanes) = lanes.as_deref_mut() {
                            lanes.set_lane((drawn.next - first) as usize);
                        }
                        drawn.advance();
                    }
                    *f = drawn;
                }
                hold_sure_down(&mut self.circuit, &self.sure, (end - first) as usize);
                self.count((end - first) as usize);
                from = to;
                continue;
            }
            self.failures.clear();
            for (p, f) in &mut streams {
                while f.next < end {
                    self.failures.push((f.next as u32, *p));
                    f.advance();
                }
            }
            self.by_batch(from, to);
            self.evaluate(from, to, len);
            from = to;
        }
        self.streams = streams;
    }

    /// Counts the samples each target is down in, in the batch of
    /// `samples` samples given to the circuit; after the drawing's first,
    /// decides whether the next go one at a time.
    #[inline(always)]
    fn count(&mut self, samples: usize) {
        if self.decided {
            count_down(&mut self.circuit, &mut self.down, &mut self.in_order);
            return;
        }
        self.decided = true;
        let mut tally = one_by_one::Tally::default();
        let down = &mut self.down;
        each_down(&mut self.circuit, &mut self.in_order, |t, lanes| {
            down[t] += lanes.count();
            tally.add(lanes);
        });
        // Parts failed in every sample would be spread in every sample.
        if self.sure.is_empty() {
            let targets = self.down.len();
            let per_lane = tally.counts(samples);
            self.one_by_one = OneByOne::decide(&self.circuit, &per_lane, targets, self.way);
        }
        if let Some(said) = &self.said {
            said.store(self.one_by_one.is_some(), Ordering::Release);
        }
    }

    /// The samples given back and not yet evaluated, which its counts
    /// (`down`) leave out until evaluated on some drawing
    /// ([`Self::evaluate_back`]).
    fn take_back(&mut self) -> GivenBack {
        (self.one_by_one.as_mut()).map_or_else(GivenBack::default, |one| one.take_back())
    }

    /// Evaluates samples given back, adding to the counts.
    fn evaluate_back(&mut self, back: &mut GivenBack) {
        back.evaluate(&mut self.circuit, &mut self.down, &mut self.in_order);
    }

    /// Sorts `failures` into `sorted` by batch (a counting sort).
    fn by_batch(&mut self, from: u32, to: u32) {
        let mut start = vec![0usize; (to - from) as usize + 1];
        for &(s, _) in &self.failures {
            start[(s / WIDTH - from) as usize + 1] += 1;
        }
        for b in 1..start.len() {
            start[b] += start[b - 1];
        }
        self.sorted.clear();
        self.sorted.resize(self.failures.len(), (0, 0));
        for &(s, p) in &self.failures {
            let slot = &mut start[(s / WIDTH - from) as usize];
            self.sorted[*slot] = (s, p);
            *slot += 1;
        }
    }

    /// Evaluates batches `from..to` of a block of `len` samples, their
    /// failures in `sorted`.
    #[inline(always)]
    fn evaluate(&mut self, from: u32, to: u32, len: u32) {
        let sorted = std::mem::take(&mut self.sorted);
        let mut rest = &sorted[..];
        for batch in from..to {
            let n = rest
                .iter()
                .take_while(|&&(s, _)| s / WIDTH == batch)
                .count();
            let (these, later) = rest.split_at(n);
            rest = later;
            if these.is_empty() && self.sure.is_empty() {
                continue;
            }
            for &(s, p) in these {
                self.circuit.fail(p, (s % WIDTH) as usize);
            }
            let samples = (len - batch * WIDTH).min(WIDTH) as usize;
            hold_sure_down(&mut self.circuit, &self.sure, samples);
            self.count(samples);
            if let Some(one) = self.one_by_one.as_mut() {
                // The first batch said to go one at a time: the rest too.
                let (first, end) = ((batch + 1) * WIDTH, (to * WIDTH).min(len));
                let span = (u64::from(first), u64::from(end));
                one.draw_drawn(&mut self.circuit, rest, span, &mut self.down);
                break;
            }
        }
        self.sorted = sorted;
    }
}

/// Fails the parts that stand for gates sure down (`sure`) in a batch's
/// first `samples` lanes.
#[inline(always)]
fn hold_sure_down(circuit: &mut ConeCircuit<Batch>, sure: &[u32], samples: usize) {
    if sure.is_empty() {
        return;
    }
    let mut lanes = Batch::NONE;
    (0..samples).for_each(|l| lanes.set_lane(l));
    for &p in sure {
        circuit.fail_in(p, lanes);
    }
}

/// Evaluates the failures given to `circuit` and adds to `down` the
/// samples each target is down in: a drawing's first batch by the marked
/// gates, and every later one in order (`in_order`) when that first batch
/// evaluated at least [`IN_ORDER_FROM`] of the gates.
#[inline(always)]
fn count_down(circuit: &mut ConeCircuit<Batch>, down: &mut [u32], in_order: &mut Option<bool>) {
    each_down(circuit, in_order, |t, lanes| down[t] += lanes.count());
}

/// [`count_down`], calling `each(t, lanes)` for each target `t` down in
/// some lane.
#[inline(always)]
fn each_down(
    circuit: &mut ConeCircuit<Batch>,
    in_order: &mut Option<bool>,
    each: impl FnMut(usize, Batch),
) {
    match *in_order {
        Some(true) => circuit.down_lanes_of_each_in_order(each),
        Some(false) => circuit.down_lanes_of_each(each),
        None => {
            let before = circuit.steps();
            circuit.down_lanes_of_each(each);
            let gates = circuit.gates() as u64;
            let evaluated = (circuit.steps() - before).saturating_sub(gates / 64);
            *in_order = Some(evaluated as f64 >= IN_ORDER_FROM * gates as f64);
        }
    }
}

/// FNV-1a, 64 bits: a stable hash of a part's id for its seeds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64: small, fast, and good enough for sampling failures; the
/// same numbers on every machine.
#[derive(Clone)]
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    /// What each number adds to the state.
    const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

    /// A number in [0, 1).
    #[cfg(test)]
    pub(crate) fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(Self::GAMMA);
        (Self::mixed(self.0) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// 1 - `unit()` for the next `N` numbers, in order, each in
    /// (0, 1]: the same values, computed side by side. The state after n
    /// numbers is the seed plus n × GAMMA, so each is found from the state
    /// before them; and 1 - k / 2^53 = (2^53 - k) / 2^53 exactly, the
    /// numerator an integer of at most 2^53, converted through the
    /// exponent's bits so that the four conversions vectorize.
    #[inline(always)]
    fn next_up<const N: usize>(&mut self) -> [f64; N] {
        const TWO_52: u64 = 0x4330_0000_0000_0000; // 2^52, in bits
        const TWO_84: u64 = 0x4530_0000_0000_0000; // 2^84, in bits
        let start = self.0;
        let mut up = [0.0; N];
        for (i, up) in up.iter_mut().enumerate() {
            let state = start.wrapping_add(Self::GAMMA.wrapping_mul(i as u64 + 1));
            // n in [1, 2^53], as high × 2^32 + low, each converted exactly
            // and summed exactly (the sum is at most 2^53).
            let n = (1u64 << 53) - (Self::mixed(state) >> 11);
            let low = f64::from_bits(TWO_52 | (n & 0xffff_ffff)) - f64::from_bits(TWO_52);
            let high = f64::from_bits(TWO_84 | (n >> 32)) - f64::from_bits(TWO_84);
            *up = (high + low) * (1.0 / (1u64 << 53) as f64);
        }
        self.0 = start.wrapping_add(Self::GAMMA.wrapping_mul(N as u64));
        up
    }

    /// SplitMix64's output function.
    #[inline(always)]
    fn mixed(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// The samples in which part `name`, failing with probability `q`,
    /// fails: its stream drawn block by block, one failure at a time.
    fn failed_in(name: &str, q: f64) -> Vec<u32> {
        let stream = Stream::new(name, q);
        let mut samples = Vec::new();
        for block in 0..SAMPLES.div_ceil(BLOCK) {
            let len = u64::from((SAMPLES - block * BLOCK).min(BLOCK));
            let mut f = stream.failures(block);
            while f.next < len {
                samples.push(block * BLOCK + f.next as u32);
                f.advance();
            }
        }
        samples
    }

    /// Four gaps drawn at once are the gaps drawn one at a time, one
    /// number of the stream each, for every block and any probability
    /// (and `next_up` is 1 - `unit`, whatever the state, wrapping
    /// included).
    #[test]
    fn gaps_drawn_four_at_once_are_drawn_one_at_a_time() {
        for seed in [
            0,
            1,
            u64::MAX,
            u64::MAX - 0x9e37_79b9_7f4a_7c15,
            0xdead_beef,
        ] {
            let (mut one, mut four) = (SplitMix(seed), SplitMix(seed));
            for _ in 0..10_000 {
                let by_one: [f64; 4] = std::array::from_fn(|_| 1.0 - one.unit());
                assert_eq!(four.next_up::<4>(), by_one, "seed {seed}");
            }
        }
        for q in [0.5, 0.01, 0.001, 1e-6, 1.0] {
            let stream = Stream::new("db", q);
            for block in 0..3 {
                let mut rng =
                    SplitMix(stream.key ^ u64::from(block).wrapping_mul(0xA076_1D64_78BD_642F));
                let mut by_one = || stream.gaps.gap(1.0 - rng.unit());
                let mut next = by_one();
                let mut drawn = stream.failures(block);
                for _ in 0..1_000 {
                    assert_eq!(drawn.next, next, "q {q} block {block}");
                    next = next.saturating_add(1).saturating_add(by_one());
                    drawn.advance();
                }
            }
        }
    }

    /// With some 540 failures a sample, batches are drawn one at a time
    /// and their failures go straight into the circuit; `pairs` is down in
    /// exactly the samples where both of some pair `a_i`, `b_i` fail,
    /// counted here from each part's stream alone, and `noise` (down only
    /// when all of its 1,000 parts fail, each half the time) in none.
    #[test]
    fn counts_match_each_parts_own_stream_when_batches_go_one_at_a_time() {
        let (pairs, noise, q_pair, q_noise) = (300, 1000, 0.05, 0.5);
        let mut text = String::from("version: 1\nsites:\n  s: {}\nservices:\n");
        for i in 0..pairs {
            for x in ["a", "b"] {
                text.push_str(&format!(
                    "  {x}{i}: {{runs_in: s, availability: {}}}\n",
                    1.0 - q_pair
                ));
            }
        }
        for j in 0..noise {
            text.push_str(&format!(
                "  c{j}: {{runs_in: s, availability: {}}}\n",
                1.0 - q_noise
            ));
        }
        let any = |names: Vec<String>| format!("[{{any_of: [{}]}}]", names.join(", "));
        let needs: Vec<String> = (0..pairs)
            .map(|i| any(vec![format!("a{i}"), format!("b{i}")]))
            .collect();
        let needs: Vec<&str> = needs.iter().map(|n| &n[1..n.len() - 1]).collect();
        text.push_str(&format!(
            "  pairs: {{runs_in: s, depends_on: [{}]}}\n",
            needs.join(", ")
        ));
        let all_c = any((0..noise).map(|j| format!("c{j}")).collect());
        text.push_str(&format!("  noise: {{runs_in: s, depends_on: {all_c}}}\n"));
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = [arch.id_of("pairs").unwrap(), arch.id_of("noise").unwrap()];
        let expected = 2.0 * pairs as f64 * q_pair + noise as f64 * q_noise;
        assert!(HELD / (f64::from(WIDTH) * expected) < 2.0, "{expected}");
        let mut down = vec![false; SAMPLES as usize];
        for i in 0..pairs {
            let b = failed_in(&format!("b{i}"), q_pair);
            for s in failed_in(&format!("a{i}"), q_pair) {
                down[s as usize] |= b.binary_search(&s).is_ok();
            }
        }
        let naive = down.iter().filter(|&&d| d).count() as u32;
        assert!((50_000..150_000).contains(&naive), "{naive}");
        let counts = down_counts(arch, &graph, &targets, None, &Progress::default());
        assert_eq!(counts, [naive, 0]);
    }

    /// A ring of 40 services up 10% of the time is sure down: sampled
    /// short of it, the ring's parts are not drawn and every count is the
    /// count drawing them gives: `above` (needing the ring) down in every
    /// sample, `spare` (an `any_of` of the ring and `x`) when `x` fails.
    #[test]
    fn gates_sure_down_are_held_down_with_the_same_counts() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\nservices:\n");
        text.push_str(&super::super::sure_down::forcing_ring("r", 40, 0.1));
        text.push_str("  x: {runs_in: d1, availability: 0.5}\n");
        text.push_str("  above: {runs_in: d1, depends_on: [r0]}\n");
        text.push_str("  spare: {runs_in: d1, depends_on: [{any_of: [r0, x]}]}\n");
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = ["above", "spare", "r7"].map(|n| arch.id_of(n).unwrap());
        let sure = SureDown::find(
            arch,
            &graph,
            &targets,
            &super::super::budget::Budget::new(None),
        );
        let short = sampled_union(arch, &graph, &targets, &sure);
        let x = arch.id_of("x").unwrap();
        assert_eq!(short.ids, [x], "only x is drawn");
        let progress = Progress::default();
        let held = down_counts(arch, &graph, &targets, Some(short), &progress);
        let drawn = down_counts(arch, &graph, &targets, None, &progress);
        assert_eq!(held, drawn);
        assert_eq!(held[0], SAMPLES);
        assert_eq!(held[2], SAMPLES);
        assert!((90_000..110_000).contains(&held[1]), "{held:?}");
    }

    /// A ring of 60 services up 70% of the time is bounded by 0.7^60,
    /// about 5e-10: not sure by its bound, but one of its parts fails in
    /// every sample, so it is held down, its parts are not drawn, and every
    /// count is the count drawing them gives: `above` (needing the ring)
    /// down in every sample, `spare` (an `any_of` of the ring and `x`)
    /// when `x` fails, `side` (needing the ring softly) when it fails.
    #[test]
    fn a_ring_down_in_every_sample_is_held_down_with_the_same_counts() {
        let mut text = String::from("version: 1\nsites:\n  d1: {}\nservices:\n");
        text.push_str(&super::super::sure_down::forcing_ring("r", 60, 0.7));
        text.push_str("  x: {runs_in: d1, availability: 0.5}\n");
        text.push_str("  above: {runs_in: d1, depends_on: [r0]}\n");
        text.push_str("  spare: {runs_in: d1, depends_on: [{any_of: [r0, x]}]}\n");
        text.push_str(
            "  side: {runs_in: d1, availability: 0.9, depends_on: [{on: r3, mode: soft}]}\n",
        );
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets = ["above", "spare", "side", "r7"].map(|n| arch.id_of(n).unwrap());
        let budget = super::super::budget::Budget::new(None);
        let sure = SureDown::find(arch, &graph, &targets, &budget);
        let short = sampled_union(arch, &graph, &targets, &sure);
        let drawn_ids: Vec<&str> = short.ids.iter().map(|&id| arch.name_of(id)).collect();
        assert_eq!(drawn_ids, ["x", "side"], "the ring's parts are not drawn");
        let progress = Progress::default();
        let held = down_counts(arch, &graph, &targets, Some(short), &progress);
        let drawn = down_counts(arch, &graph, &targets, None, &progress);
        assert_eq!(held, drawn);
        assert_eq!([held[0], held[3]], [SAMPLES; 2]);
        assert!((90_000..110_000).contains(&held[1]), "{held:?}");
        assert!((15_000..25_000).contains(&held[2]), "{held:?}");
    }

    /// Whether one of some parts fails in every sample is what their
    /// streams, drawn one part at a time, say: for sets whose failures
    /// leave a few samples uncovered and sets that cover them all.
    #[test]
    fn a_failure_in_every_sample_is_what_the_streams_draw() {
        let mut seen = [false; 2];
        for (parts, up) in [(12, 0.4), (14, 0.4), (30, 0.6), (40, 0.6), (3, 1e-9)] {
            let mut text = String::from("version: 1\nsites:\n  d: {}\nservices:\n");
            for i in 0..parts {
                text.push_str(&format!("  p{i}: {{runs_in: d, availability: {up}}}\n"));
            }
            let loaded = load_str("t.yaml", text).unwrap();
            let arch = &loaded.arch;
            let mut failed = vec![false; SAMPLES as usize];
            for i in 0..parts {
                for s in failed_in(&format!("p{i}"), 1.0 - up) {
                    failed[s as usize] = true;
                }
            }
            let naive = failed.iter().all(|&f| f);
            let ids: Vec<NodeId> = arch
                .node_ids()
                .filter(|&id| arch.node(id).is_candidate())
                .collect();
            let ids: Vec<NodeId> = ids
                .into_iter()
                .filter(|&id| arch.name_of(id) != "d")
                .collect();
            assert_eq!(ids.len(), parts);
            assert_eq!(
                one_fails_in_every_sample(arch, &ids),
                naive,
                "{parts} up {up}"
            );
            seen[usize::from(naive)] = true;
        }
        assert_eq!(seen, [true, true], "both answers are checked");
    }

    /// [`down_counts_in`] by the fastest build, with no progress shown.
    fn counts_of(
        arch: &Architecture,
        targets: &[NodeId],
        union: Compiled,
        how: (bool, Way),
    ) -> Vec<u32> {
        down_counts_in(
            Build::best(),
            arch,
            targets,
            union,
            how,
            &Progress::default(),
        )
    }

    /// A ring of 700 services up 99% of the time, each needing the one
    /// before it and any of the next and `z`: one cycle of 1,400 gates,
    /// so that Monte Carlo tries it relaid ([`Trial`]). Every count is the
    /// one drawn without the trial, one sample at a time or not, with
    /// samples given back by the drawings on either layout evaluated
    /// together at the end; and the ring goes down in some samples but
    /// not in all.
    #[test]
    fn a_relaid_cycle_counts_the_same_samples() {
        let text = super::super::circuit::large_mixed_ring(Some(0.99));
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets: Vec<NodeId> = arch.node_ids().collect();
        let count = |how: (bool, Way)| {
            let union = union_circuit(arch, &graph, &targets);
            assert!(union.circuit.has_large_cycle());
            counts_of(arch, &targets, union, how)
        };
        let tried = count((true, Way::Guessed));
        assert_eq!(tried, count((false, Way::Guessed)));
        for most in [3, usize::MAX] {
            let one_by_one = Way::OneByOne { most };
            assert_eq!(tried, count((true, one_by_one)), "most {most}");
        }
        let between = tried.iter().filter(|&&c| 0 < c && c < SAMPLES).count();
        assert!(between > super::super::circuit::RING / 2, "{tried:?}");
    }

    /// Samples one at a time count what batches count, whether none, some
    /// or every sample is given back to be evaluated in batches.
    #[test]
    fn samples_one_at_a_time_count_what_batches_count() {
        // A ring every service needs (through `s0`), so that some samples
        // take nearly everything down and are given back; services that
        // need any of two or a quorum; parts up 99% and 70%.
        for up in ["0.99", "0.7"] {
            let mut text = format!(
                "version: 1\nsites:\n  r: {{}}\n  a: {{within: r, availability: {up}}}\n  \
                 b: {{within: r, availability: {up}}}\n  c: {{within: r}}\nservices:\n"
            );
            for i in 0..80 {
                let placed = ["a", "[a, b]", "{sites: [a, b, c], min: 2}", "c"][i % 4];
                let (x, y) = ((i * 7 + 3) % 80, (i * 13 + 5) % 80);
                let needs = match i % 3 {
                    _ if i == 0 => "[s79]".to_string(),
                    0 => format!("[s{}, {{on: s{y}, mode: soft}}]", i - 1),
                    1 => format!("[s0, {{any_of: [s{x}, s{y}]}}]"),
                    _ => format!("[{{any_of: [s{x}, s{y}, s{}], min: 2}}]", i - 1),
                };
                text.push_str(&format!(
                    "  s{i}: {{runs_in: {placed}, availability: {up}, depends_on: {needs}}}\n"
                ));
            }
            let loaded = load_str("t.yaml", text).unwrap();
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let targets: Vec<NodeId> = arch.node_ids().collect();
            let count = |way| {
                let union = union_circuit(arch, &graph, &targets);
                counts_of(arch, &targets, union, (false, way))
            };
            let batches = count(Way::Batches);
            for most in [0, 3, 40, usize::MAX] {
                assert_eq!(
                    batches,
                    count(Way::OneByOne { most }),
                    "up {up}, most {most}"
                );
            }
            let between = batches.iter().filter(|&&c| 0 < c && c < SAMPLES).count();
            assert!(between > 40, "up {up}: {batches:?}");
        }
    }

    /// Both builds give the same count for every target of a file with
    /// every construct the circuit has (cycles, `any_of`, a quorum, soft
    /// links, an integration with a fallback), drawn a batch at a time
    /// (with 1,000 more services up half the time: over 500 failures a
    /// sample) and many batches at a time (parts up 99.9%). On x86-64 the
    /// processor must have AVX2, or the test fails rather than compare the
    /// portable build with itself.
    #[test]
    fn both_builds_count_the_same_samples() {
        #[cfg(target_arch = "x86_64")]
        let avx2 = match Build::best() {
            Build::Avx2(has) => Build::Avx2(has),
            Build::Portable => panic!("this processor has no AVX2: nothing to compare"),
        };
        #[cfg(not(target_arch = "x86_64"))]
        let avx2 = Build::Portable;
        for (up, halves) in [("0.7", 1000), ("0.999", 0)] {
            let mut text = format!(
                "version: 1\nsites:\n  r: {{}}\n  a: {{within: r, availability: {up}}}\n  \
                 b: {{within: r, availability: {up}}}\n  c: {{within: r}}\nservices:\n"
            );
            for i in 0..60 {
                let placed = ["a", "[a, b]", "{sites: [a, b, c], min: 2}", "c"][i % 4];
                let (x, y, z) = ((i * 7 + 3) % 60, (i * 13 + 5) % 60, (i + 1) % 60);
                let needs = match i % 3 {
                    0 => format!("[s{x}, {{on: s{y}, mode: soft}}]"),
                    1 => format!("[{{any_of: [s{x}, s{y}, s{z}], min: 2}}]"),
                    _ => format!("[{{any_of: [s{x}, s{z}]}}]"),
                };
                text.push_str(&format!(
                    "  s{i}: {{runs_in: {placed}, availability: {up}, depends_on: {needs}}}\n"
                ));
            }
            for j in 0..halves {
                text.push_str(&format!("  h{j}: {{runs_in: c, availability: 0.5}}\n"));
            }
            let q = 1.0 - up.parse::<f64>().unwrap();
            let expected = 62.0 * q + f64::from(halves) * 0.5;
            assert_eq!(HELD / (f64::from(WIDTH) * expected) < 2.0, halves > 0);
            text.push_str("integrations:\n  pay: {consumer: s1, provider: s2, fallback: [s3]}\n");
            let loaded = load_str("t.yaml", text).unwrap();
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let targets: Vec<NodeId> = arch.node_ids().collect();
            let count = |build| {
                let union = union_circuit(arch, &graph, &targets);
                let how = (true, Way::Guessed);
                down_counts_in(build, arch, &targets, union, how, &Progress::default())
            };
            let portable = count(Build::Portable);
            assert_eq!(portable, count(avx2), "up {up}");
            let between = portable.iter().filter(|&&c| 0 < c && c < SAMPLES).count();
            assert!(between > 30, "up {up}: {portable:?}");
        }
    }
}
