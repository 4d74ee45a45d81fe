//! Availability of a target under independent failures (format v1 §10).
//!
//! Only candidates in the target's down-cone that have an `availability`
//! below 1 can fail. With up to [`EXACT_LIMIT`] of them every combination
//! is enumerated (2^n propagations, exact); with more, a Monte Carlo
//! estimate with a fixed seed and a 95% confidence interval is given.
//! Degraded counts as available.

use crate::model::{Architecture, NodeId};

use super::cone::down_cone;
use super::graph::FailureGraph;
use super::propagate::{Scratch, State};

/// Most failable parts for exact enumeration (2^18 = 262,144 scenarios).
pub const EXACT_LIMIT: usize = 18;
/// Samples of a Monte Carlo estimate.
pub const SAMPLES: u32 = 200_000;

#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    Exact,
    MonteCarlo { samples: u32, ci95: (f64, f64) },
}

#[derive(Clone, Debug, PartialEq)]
pub struct TargetAvailability {
    pub target: NodeId,
    pub availability: f64,
    pub method: Method,
    /// How many parts with an availability below 1 can take it down, the
    /// target itself included.
    pub parts: usize,
}

pub fn availability(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
) -> TargetAvailability {
    let parts: Vec<(NodeId, f64)> = down_cone(arch, graph, target)
        .into_iter()
        .filter_map(|id| {
            let a = arch.node(id).availability?;
            (a < 1.0).then_some((id, 1.0 - a))
        })
        .collect();
    let mut scratch = Scratch::new(graph);
    // The target itself may fail on its own when it is a candidate.
    let own = arch
        .node(target)
        .availability
        .filter(|_| arch.node(target).is_candidate())
        .unwrap_or(1.0);
    let counted = parts.len() + usize::from(own < 1.0);
    let mut failed = Vec::with_capacity(parts.len());
    let up = |failed: &[NodeId], scratch: &mut Scratch| {
        scratch.propagate(graph, failed);
        let up = scratch.state(target.0) != State::Down;
        scratch.reset(graph);
        up
    };
    if parts.len() <= EXACT_LIMIT {
        let mut total = 0.0;
        for mask in 0u32..(1u32 << parts.len()) {
            failed.clear();
            let mut p = 1.0;
            for (i, &(id, q)) in parts.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    failed.push(id);
                    p *= q;
                } else {
                    p *= 1.0 - q;
                }
            }
            if up(&failed, &mut scratch) {
                total += p;
            }
        }
        return TargetAvailability {
            target,
            availability: total * own,
            method: Method::Exact,
            parts: counted,
        };
    }
    let mut rng = SplitMix(0x5350_4f46_2022_1015 ^ u64::from(target.0));
    let mut hits = 0u32;
    for _ in 0..SAMPLES {
        failed.clear();
        for &(id, q) in &parts {
            if rng.unit() < q {
                failed.push(id);
            }
        }
        if up(&failed, &mut scratch) {
            hits += 1;
        }
    }
    let n = f64::from(SAMPLES);
    let p = f64::from(hits) / n;
    let (low, high) = wilson(p, n);
    TargetAvailability {
        target,
        availability: p * own,
        method: Method::MonteCarlo {
            samples: SAMPLES,
            ci95: (low * own, high * own),
        },
        parts: counted,
    }
}

/// Wilson score interval at 95%: honest near 0 and 1, where availabilities live.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_984_540_054_f64;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * ((p * (1.0 - p) / n) + z * z / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// SplitMix64: small, fast and the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
