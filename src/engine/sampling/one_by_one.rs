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
//! Which way a drawing goes is decided on its first batch, evaluated as a
//! batch: from how many targets each of its samples took down, the cost
//! of each way is guessed ([`OneByOne::decide`]).

use std::sync::Arc;

use super::{count_down, Batch, Failures, Way, HELD, WIDTH};
use crate::engine::circuit::{ConeCircuit, Spread, Spreading};
use crate::engine::word::Lanes;

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
    /// One at a time, if that looks cheaper on `circuit`'s first batch,
    /// in which `per_lane[l]` targets of `targets` went down in lane `l`
    /// (or as `way` says, in a test).
    pub(super) fn decide(
        circuit: &ConeCircuit<Batch>,
        per_lane: &[u32],
        targets: usize,
        way: Way,
    ) -> Option<Box<OneByOne>> {
        let gates = circuit.gates();
        let most = match way {
            Way::Guessed => (gates / 128).max(1024),
            #[cfg(test)]
            Way::Batches => return None,
            #[cfg(test)]
            Way::OneByOne { most } => return Some(OneByOne::new(circuit, most)),
        };
        // Gates down per target down, as a sample's targets say how much
        // of the union it took down.
        let scale = gates as f64 / targets.max(1) as f64;
        let (mut alone, mut given_back) = (0.0, 0usize);
        for &c in per_lane {
            let down = f64::from(c) * scale;
            if down > most as f64 {
                given_back += 1;
                alone += most as f64;
            } else {
                alone += down;
            }
        }
        let batches = per_lane.len().max(1) as f64 / f64::from(WIDTH);
        let batch = (gates * BATCH_GATE_COST) as f64 * batches;
        let back = batch * given_back as f64 / per_lane.len().max(1) as f64;
        (alone + back < batch).then(|| OneByOne::new(circuit, most))
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

    /// Evaluates samples `from..to` of a block, whose failures, as
    /// (sample, part), are `drawn`.
    pub(super) fn draw_drawn(
        &mut self,
        circuit: &mut ConeCircuit<Batch>,
        drawn: &[(u32, u32)],
        (from, to): (u64, u64),
        down: &mut [u32],
    ) {
        self.failures.clear();
        self.failures.extend_from_slice(drawn);
        self.spread_failures(circuit, (from, to), down);
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
            let (a, z) = (self.starts[s] as usize, self.starts[s + 1] as usize);
            if a == z {
                continue;
            }
            let gates = &self.gates[a..z];
            if !(self.spreading).sample(&self.spread, gates, self.most, down) {
                self.back.push(&self.parts[a..z]);
                if self.back.len() == WIDTH as usize {
                    self.back.evaluate(circuit, down, &mut self.in_order);
                }
            }
        }
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

/// A count per lane of the words added, bit-sliced: `planes[b]` holds bit
/// `b` of each lane's count, so a word is added in a few operations on
/// whole words rather than one per lane set (a batch of the generator's
/// shapes takes tens of thousands of targets down in every lane).
#[derive(Default)]
pub(super) struct Tally {
    planes: Vec<Batch>,
}

impl Tally {
    /// Adds one to the count of each lane set in `lanes`.
    #[inline(always)]
    pub(super) fn add(&mut self, lanes: Batch) {
        let mut carry = lanes;
        for plane in &mut self.planes {
            if carry.is_none() {
                return;
            }
            let sum = *plane ^ carry;
            carry = carry & *plane;
            *plane = sum;
        }
        if !carry.is_none() {
            self.planes.push(carry);
        }
    }

    /// The counts of the first `lanes` lanes.
    pub(super) fn counts(&self, lanes: usize) -> Vec<u32> {
        (0..lanes)
            .map(|l| {
                let bits = self.planes.iter().enumerate();
                bits.map(|(b, p)| u32::from(p.has_lane(l)) << b).sum()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_counts_each_lane_as_one_at_a_time() {
        let mut tally = Tally::default();
        let mut naive = vec![0u32; Batch::LANES];
        for i in 0..3000usize {
            let mut lanes = Batch::NONE;
            for l in (0..Batch::LANES).filter(|l| (l * 31 + i * 17) % (1 + l % 7) == 0) {
                lanes.set_lane(l);
                naive[l] += 1;
            }
            tally.add(lanes);
        }
        assert_eq!(tally.counts(Batch::LANES), naive);
        assert!(naive.iter().any(|&c| c > 1000), "{naive:?}");
    }
}
