//! Monte Carlo one sample at a time, where most samples take little down.
//!
//! A batch of 1,024 samples evaluates every gate of the union once or more
//! (a cycle in sweeps), whatever goes down in it. On a file where a sample
//! takes down a hundred gates of hundreds of thousands, spreading each
//! sample's failures alone (`circuit/spread.rs`) costs a small share of
//! that. The few samples that take down much of the union (a failure of
//! a service that everything needs) would cost it all, gate by gate: past
//! [`OneByOne::most`] gates down, a sample is given back and evaluated
//! with the other such samples, in batches of their own. A sample's count
//! does not depend on which samples it is evaluated beside, so the counts
//! are the same either way.
//!
//! Which way a drawing goes is decided on its first batch, spread one
//! sample at a time until the gates its samples take down pass what
//! evaluating it as a batch would cost ([`OneByOne::first`]). Where most
//! samples take little down, the batch is never evaluated: on `anyof`
//! at 100,000 services (a large cycle needing about nine sweeps a batch)
//! that batch was a quarter of a second on each of the run's first two
//! drawings, to decide what spreading it tells in milliseconds.

use std::sync::Arc;

use super::{count_down, Batch, Failures, Way, HELD, WIDTH};
use crate::engine::circuit::{ConeCircuit, Spread, Spreading};

/// What a gate of a batch's evaluation costs, in gates down one sample at
/// a time: samples go one at a time when the gates they take down (a
/// sample given back counted at [`OneByOne::most`], and the batches of
/// those given back at the union's gates each) are fewer than this many
/// times the union's gates, per batch. Measured at 100,000 services, each
/// way forced: one at a time was 2.4x faster on `anyof`, level on
/// `standby`, `popular` and `chain`, and slower on `hub` (3.2 s against
/// 2.5 s), `tree` and the generator's `layered` shapes (most samples given
/// back). Their first batches, at 3 a gate, come to 0.26 (`anyof`), 0.38
/// (`popular`), 0.50 (`chain`), 1.8 (`standby`) and 1.96 (`hub`); at 6 a
/// gate `hub` went one at a time, 14% slower.
const BATCH_GATE_COST: usize = 3;

/// A drawing's state for evaluating samples one at a time.
pub(super) struct OneByOne {
    /// Shared with the drawings told to go one at a time by this one's
    /// first batch ([`Self::told`]).
    spread: Arc<Spread>,
    spreading: Spreading,
    /// Most gates a sample may take down before it is given back: a
    /// 128th of the union (at least 1,024). On `anyof` at 100,000
    /// services a sample takes down 101 gates of 366,050 at the median,
    /// 1,557 at the 99th percentile (a data center down), and 317,407 when
    /// `s0`, which everything needs, fails; giving back from a 128th
    /// rather than a 32nd was 2.45 s against 2.66 s (medians of four).
    most: usize,
    /// The samples given back, not yet evaluated.
    back: GivenBack,
    in_order: Option<bool>,
    /// A stretch of samples' failures, as (sample, part); then their
    /// gates and parts by sample, and where each sample's start.
    failures: Vec<(u32, u32)>,
    gates: Vec<u32>,
    parts: Vec<u32>,
    starts: Vec<u32>,
}

/// How a drawing goes one sample at a time: the spread it shares and
/// its [`OneByOne::most`].
#[derive(Clone)]
pub(super) struct Told(Arc<Spread>, usize);

/// Samples given back, each as the parts failed in it: parts rather than
/// gates, so that the samples of drawings on either layout of a union
/// ([`super::Trial`]) can be evaluated together at the end of a run,
/// in one batch where each drawing would have taken one of its own.
#[derive(Default)]
pub(super) struct GivenBack {
    parts: Vec<u32>,
    /// Where each sample's parts end.
    ends: Vec<u32>,
}

impl GivenBack {
    fn push(&mut self, parts: &[u32]) {
        self.parts.extend_from_slice(parts);
        self.ends.push(self.parts.len() as u32);
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Adds the samples of `other`.
    pub(super) fn append(&mut self, other: GivenBack) {
        let base = self.parts.len() as u32;
        self.parts.extend(other.parts);
        self.ends.extend(other.ends.into_iter().map(|e| e + base));
    }

    /// Evaluates the samples on `circuit`, a batch at a time, adding to
    /// `down` the samples each target is down in, and forgets them.
    pub(super) fn evaluate(
        &mut self,
        circuit: &mut ConeCircuit<Batch>,
        down: &mut [u32],
        in_order: &mut Option<bool>,
    ) {
        let mut start = 0;
        for batch in self.ends.chunks(WIDTH as usize) {
            for (lane, &end) in batch.iter().enumerate() {
                for &p in &self.parts[start..end as usize] {
                    circuit.fail(p, lane);
                }
                start = end as usize;
            }
            count_down(circuit, down, in_order);
        }
        self.parts.clear();
        self.ends.clear();
    }
}

impl OneByOne {
    /// Spreads the samples `from..to` of a block, their failures `drawn`
    /// as (sample, part), one at a time on `circuit`, adds to `down` the
    /// samples each target is down in, and returns what goes on one at a
    /// time; or `None`, having added nothing, once the gates they take
    /// down pass what evaluating them as a batch would cost
    /// ([`BATCH_GATE_COST`]), or when `way` says batches. A sample that
    /// takes more than [`OneByOne::most`] gates down is given back,
    /// counted at `most` and at its share of a batch.
    ///
    /// Cost: at most about what the batch would cost, plus laying the
    /// circuit out for spreading (O(gates + edges)).
    pub(super) fn first(
        circuit: &ConeCircuit<Batch>,
        drawn: &[(u32, u32)],
        (from, to): (u64, u64),
        down: &mut [u32],
        way: Way,
    ) -> Option<Box<OneByOne>> {
        let gates = circuit.gates();
        let (most, bounded) = match way {
            Way::Guessed => ((gates / 128).max(1024), true),
            #[cfg(test)]
            Way::Batches => return None,
            #[cfg(test)]
            Way::OneByOne { most } => (most, false),
        };
        let mut one = OneByOne::new(circuit, most);
        let this = &mut *one;
        this.failures.clear();
        this.failures.extend_from_slice(drawn);
        this.by_sample(circuit, from, to);
        let samples = (to - from) as usize;
        let batch =
            (gates.saturating_mul(BATCH_GATE_COST)).saturating_mul(samples) / WIDTH as usize;
        let share = batch / samples.max(1);
        // Added to `down` only once every sample is spread.
        let mut counts = vec![0u32; down.len()];
        let mut spent = 0usize;
        for s in 0..samples {
            spent += this.spread_sample(s, &mut counts).unwrap_or(most + share);
            if bounded && spent >= batch {
                return None;
            }
        }
        down.iter_mut().zip(&counts).for_each(|(d, &c)| *d += c);
        Some(one)
    }

    fn new(circuit: &ConeCircuit<Batch>, most: usize) -> Box<OneByOne> {
        OneByOne::with(Arc::new(circuit.spread()), most)
    }

    /// What another drawing of the same layout needs to go one at a time
    /// as this one does, with no first batch of its own: the counts are
    /// the same either way, and that batch costs every gate of the union.
    pub(super) fn told(&self) -> Told {
        Told(self.spread.clone(), self.most)
    }

    /// One at a time as [`Self::told`].
    pub(super) fn as_told(told: &Told) -> Box<OneByOne> {
        OneByOne::with(told.0.clone(), told.1)
    }

    fn with(spread: Arc<Spread>, most: usize) -> Box<OneByOne> {
        Box::new(OneByOne {
            spreading: spread.spreading(),
            spread,
            most,
            back: GivenBack::default(),
            in_order: None,
            failures: Vec::new(),
            gates: Vec::new(),
            parts: Vec::new(),
            starts: Vec::new(),
        })
    }

    /// Evaluates samples `first..len` of a block whose parts' streams
    /// (`streams`, each at or past `first`) are given, adding to `down`.
    pub(super) fn draw(
        &mut self,
        circuit: &mut ConeCircuit<Batch>,
        streams: &mut [(u32, Failures)],
        (first, len): (u64, u64),
        expected: f64,
        down: &mut [u32],
    ) {
        // As many samples at a time as hold about HELD failures.
        let stretch = (HELD / expected.max(1e-9)).clamp(f64::from(WIDTH), 1e9) as u64;
        let mut from = first;
        while from < len {
            let to = (from + stretch).min(len);
            self.failures.clear();
            for (p, f) in streams.iter_mut() {
                while f.next < to {
                    self.failures.push((f.next as u32, *p));
                    f.advance();
                }
            }
            self.spread_failures(circuit, (from, to), down);
            from = to;
        }
    }

    /// Evaluates samples `from..to` of a block, whose failures are in
    /// `failures`.
    fn spread_failures(
        &mut self,
        circuit: &mut ConeCircuit<Batch>,
        (from, to): (u64, u64),
        down: &mut [u32],
    ) {
        self.by_sample(circuit, from, to);
        for s in 0..(to - from) as usize {
            if self.spread_sample(s, down).is_none() && self.back.len() == WIDTH as usize {
                self.back.evaluate(circuit, down, &mut self.in_order);
            }
        }
    }

    /// Spreads sample `s` of those [`Self::by_sample`] sorted, adding to
    /// `down`, and returns how many gates it took down; or, past
    /// [`Self::most`], gives it back and returns `None`.
    fn spread_sample(&mut self, s: usize, down: &mut [u32]) -> Option<usize> {
        let (a, z) = (self.starts[s] as usize, self.starts[s + 1] as usize);
        if a == z {
            return Some(0);
        }
        let gates = &self.gates[a..z];
        let went_down = (self.spreading).sample(&self.spread, gates, self.most, down);
        if went_down.is_none() {
            self.back.push(&self.parts[a..z]);
        }
        went_down
    }

    /// `failures`, of samples `from..to`, by sample into `gates`, `parts`
    /// and `starts` (a counting sort), leaving out parts that fail no
    /// gate.
    fn by_sample(&mut self, circuit: &ConeCircuit<Batch>, from: u64, to: u64) {
        let n = (to - from) as usize;
        self.starts.clear();
        self.starts.resize(n + 1, 0);
        self.failures
            .retain(|&(_, p)| circuit.gate_of(p as usize).is_some());
        for &(s, _) in &self.failures {
            self.starts[(u64::from(s) - from) as usize + 1] += 1;
        }
        for s in 0..n {
            self.starts[s + 1] += self.starts[s];
        }
        self.gates.clear();
        self.gates.resize(self.failures.len(), 0);
        self.parts.clear();
        self.parts.resize(self.failures.len(), 0);
        let mut next = self.starts.clone();
        for &(s, p) in &self.failures {
            let s = (u64::from(s) - from) as usize;
            let g = circuit.gate_of(p as usize).map_or(u32::MAX, |g| g as u32);
            (self.gates[next[s] as usize], self.parts[next[s] as usize]) = (g, p);
            next[s] += 1;
        }
    }

    /// The samples given back and not yet evaluated.
    pub(super) fn take_back(&mut self) -> GivenBack {
        std::mem::take(&mut self.back)
    }
}
