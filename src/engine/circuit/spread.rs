//! One sample's failures spread gate by gate through a compiled circuit.
//!
//! Why: Monte Carlo evaluates a batch of 1,024 samples over every gate of
//! the union of the targets' cones, 128 bytes a gate. That pays where most
//! samples take much of the union down. Where most samples take down a
//! hundred gates of hundreds of thousands, as on a file redundant
//! everywhere (`anyof` in `benches/other_shapes.py`: a median of 101 gates
//! of 366,050 at 100,000 services), the batch still reads every gate, and
//! the few samples that take nearly everything down (a failure of a
//! service everything needs) make a large cycle take many sweeps. Spreading
//! each sample's failures alone costs what goes down in it and its edges;
//! the samples that take more than a bound down are given back, to be
//! evaluated together in batches of their own (`sampling.rs`).
//!
//! Each gate counts its requirements left before it goes down (1 for an
//! `Any` gate, `t` for an `AtLeast(t)` one): a worklist from the failed
//! parts' gates, from all up, reaches the least fixpoint of down states,
//! the same one the circuit's evaluation reaches, cycles included.

use super::{prefetch, ConeCircuit, Rule};
use crate::engine::word::Lanes;

/// A gate's count of requirements left, where it fits in a byte: a gate
/// that needs this many or more is counted in [`Spreading::big_left`].
const BIG: u8 = u8::MAX;

/// A circuit's gates for spreading one sample at a time: what takes each
/// down, its dependents and the targets at it. Shared by every thread,
/// each with its own counts ([`Spreading`]).
///
/// Why the counts are bytes apart from the rest: a sample on `anyof` at
/// 100,000 services takes down 136 gates and counts down 950 more that
/// stay up (an `any_of` that lost one of its services). Those 950 touch
/// nothing but the count, at random among 366,050 gates: a byte each is
/// 366 KB a thread, which stays in a core's cache, where the 16-byte
/// gates read for them before came to 5.9 MB a thread and waited on
/// memory. A gate that goes down then reads where its lists start, one
/// more miss, for one in eight of the gates reached.
#[derive(Debug)]
pub(crate) struct Spread {
    /// Per gate and one past the last: where its dependents start in
    /// `deps` and its targets in `targets` (each ends where the next
    /// gate's starts), side by side so that a gate gone down reads both
    /// in one line of the cache.
    starts: Vec<[u32; 2]>,
    /// Per gate, how many of its requirements take it down (1 for an
    /// `Any` gate, `t` for an `AtLeast(t)` one), or [`BIG`] from 255 on.
    need: Vec<u8>,
    /// The gates whose `need` is [`BIG`], in order, and what they need.
    big: Vec<(u32, u32)>,
    /// Per gate, its dependents, once per requirement edge (so that a
    /// gate needing the same gate twice counts it twice, as the circuit
    /// does).
    deps: Vec<u32>,
    targets: Vec<u32>,
}

/// One thread's state for [`Spread`]: its counts, and the gates changed
/// in the sample.
#[derive(Debug, Default)]
pub(crate) struct Spreading {
    /// Per gate, requirements still up before it goes down (0: down), or
    /// [`BIG`]: counted in `big_left`.
    left: Vec<u8>,
    /// Per gate of [`Spread::big`], requirements still up before it goes
    /// down, while its byte in `left` is [`BIG`].
    big_left: Vec<u32>,
    /// Gates down in this sample, in the order they went down.
    down: Vec<u32>,
    /// Gates counted down but still up (an `AtLeast` gate short of its
    /// threshold), maybe more than once.
    partly: Vec<u32>,
}

/// How many gates down ahead of the one being spread its list of
/// dependents is asked for, and twice that ahead where the list starts.
const AHEAD: usize = 4;

impl<L: Lanes> ConeCircuit<L> {
    /// This circuit for spreading one sample at a time. O(gates + edges +
    /// targets).
    pub(crate) fn spread(&self) -> Spread {
        let n = self.rule.len();
        let mut need = Vec::with_capacity(n);
        let mut big = Vec::new();
        for (g, rule) in self.rule.iter().enumerate() {
            let t = match *rule {
                Rule::Any => 1,
                Rule::AtLeast(t) => t,
            };
            match u8::try_from(t) {
                Ok(t) if t < BIG => need.push(t),
                _ => {
                    need.push(BIG);
                    big.push((g as u32, t));
                }
            }
        }
        let mut starts = vec![[0u32; 2]; n + 1];
        for &r in &self.reqs {
            starts[r as usize + 1][0] += 1;
        }
        for &(g, _) in &self.by_gate {
            starts[g as usize + 1][1] += 1;
        }
        for g in 0..n {
            starts[g + 1][0] += starts[g][0];
            starts[g + 1][1] += starts[g][1];
        }
        let mut next: Vec<u32> = starts.iter().map(|s| s[0]).collect();
        let mut deps = vec![0u32; self.reqs.len()];
        for g in 0..n {
            for &r in self.reqs_of(g) {
                deps[next[r as usize] as usize] = g as u32;
                next[r as usize] += 1;
            }
        }
        // `by_gate` is sorted by gate, so its targets are in this order.
        let targets = self.by_gate.iter().map(|&(_, t)| t).collect();
        Spread {
            starts,
            need,
            big,
            deps,
            targets,
        }
    }
}

impl Spread {
    /// A thread's state, all up.
    pub(crate) fn spreading(&self) -> Spreading {
        Spreading {
            left: self.need.clone(),
            big_left: self.big.iter().map(|&(_, t)| t).collect(),
            down: Vec::new(),
            partly: Vec::new(),
        }
    }

    /// Where gate `g`'s dependents and targets lie in `deps` and
    /// `targets`.
    #[inline(always)]
    fn lists_of(&self, g: u32) -> (&[u32], &[u32]) {
        let ([d, t], [d_end, t_end]) = (self.starts[g as usize], self.starts[g as usize + 1]);
        let deps = self.deps.get(d as usize..d_end as usize).unwrap_or(&[]);
        let targets = self.targets.get(t as usize..t_end as usize).unwrap_or(&[]);
        (deps, targets)
    }

    /// `g`'s place in `big`, which holds it. O(log big gates).
    fn big_of(&self, g: u32) -> usize {
        self.big.partition_point(|&(b, _)| b < g)
    }
}

impl Spreading {
    /// Fails `gates` in one sample, spreads their failures and adds one to
    /// `count[t]` for each target `t` the sample takes down; or, when more
    /// than `most` gates go down, stops, takes back what it added and
    /// returns `false`. Leaves every gate up. O(the gates that go down,
    /// capped at `most`, and their edges).
    pub(crate) fn sample(
        &mut self,
        spread: &Spread,
        gates: &[u32],
        most: usize,
        count: &mut [u32],
    ) -> bool {
        for &g in gates {
            let left = &mut self.left[g as usize];
            if *left != 0 {
                *left = 0;
                self.down.push(g);
            }
        }
        let mut i = 0;
        while let Some(&g) = self.down.get(i) {
            if self.down.len() > most {
                self.take_back(spread, i, count);
                return false;
            }
            self.ask_ahead(spread, i);
            i += 1;
            let (deps, targets) = spread.lists_of(g);
            for &t in targets {
                count[t as usize] += 1;
            }
            for &d in deps {
                let left = &mut self.left[d as usize];
                match *left {
                    0 => {}
                    1 => {
                        *left = 0;
                        self.down.push(d);
                    }
                    BIG => self.count_big(spread, d),
                    _ => {
                        *left -= 1;
                        self.partly.push(d);
                    }
                }
            }
        }
        self.clear(spread);
        true
    }

    /// Counts down a requirement of `d`, a gate of [`Spread::big`].
    #[cold]
    fn count_big(&mut self, spread: &Spread, d: u32) {
        let left = &mut self.big_left[spread.big_of(d)];
        *left -= 1;
        if *left == 0 {
            self.left[d as usize] = 0;
            self.down.push(d);
        } else {
            self.partly.push(d);
        }
    }

    /// Asks for what the gates down ahead of the `i`-th will read: the
    /// list of dependents of the one [`AHEAD`] on, and where the lists of
    /// the one twice as far start. The gates down are mostly the sample's
    /// own failures, known from the start, so there are gates ahead to ask
    /// for.
    #[inline(always)]
    fn ask_ahead(&self, spread: &Spread, i: usize) {
        if let Some(&g) = self.down.get(i + 2 * AHEAD) {
            prefetch(spread.starts.as_ptr().wrapping_add(g as usize));
        }
        if let Some(&g) = self.down.get(i + AHEAD) {
            let [d, _] = spread.starts[g as usize];
            prefetch(spread.deps.as_ptr().wrapping_add(d as usize));
        }
    }

    /// Takes back the counts of the first `done` gates down, and puts
    /// every gate back up.
    fn take_back(&mut self, spread: &Spread, done: usize, count: &mut [u32]) {
        for &g in &self.down[..done] {
            for &t in spread.lists_of(g).1 {
                count[t as usize] -= 1;
            }
        }
        self.clear(spread);
    }

    /// Puts every gate changed back up.
    fn clear(&mut self, spread: &Spread) {
        for &g in self.down.iter().chain(&self.partly) {
            let need = spread.need[g as usize];
            self.left[g as usize] = need;
            if need == BIG {
                let b = spread.big_of(g);
                self.big_left[b] = spread.big[b].1;
            }
        }
        self.down.clear();
        self.partly.clear();
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::graph::FailureGraph;
    use crate::engine::sampling::union_circuit;
    use crate::load::load_str;
    use crate::model::NodeId;

    /// A gate needing more requirements than a byte counts goes down at
    /// its threshold, not one short, sample after sample: `q` needs 261
    /// of its 300 members down (an `any_of` of 300 with `min: 40`), and
    /// `top` needs `q`.
    #[test]
    fn gates_needing_more_than_a_byte_counts_go_down_at_their_threshold() {
        let mut text = String::from("version: 1\nservices:\n");
        let members: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
        for m in &members {
            text.push_str(&format!("  {m}: {{availability: 0.5}}\n"));
        }
        text.push_str(&format!(
            "  q: {{depends_on: [{{any_of: [{}], min: 40}}]}}\n  top: {{depends_on: [q]}}\n",
            members.join(", ")
        ));
        let loaded = load_str("t.yaml", text).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let targets: Vec<NodeId> = ["q", "top", "m0"].map(|n| arch.id_of(n).unwrap()).into();
        let union = union_circuit(arch, &graph, &targets);
        let spread = union.circuit.spread();
        assert_eq!(spread.big.len(), 1, "q's gate needs 261: counted apart");
        let mut spreading = spread.spreading();
        // Members by their place among the union's parts.
        let gate = |name: &str| {
            let p = union.ids.binary_search(&arch.id_of(name).unwrap()).unwrap();
            union.circuit.gate_of(p).unwrap() as u32
        };
        let gates: Vec<u32> = members.iter().map(|m| gate(m)).collect();
        for (failed, down) in [
            (262, true),
            (260, false),
            (261, true),
            (300, true),
            (1, false),
        ] {
            let mut count = vec![0; targets.len()];
            assert!(spreading.sample(&spread, &gates[..failed], usize::MAX, &mut count));
            let q = u32::from(down);
            assert_eq!(count, [q, q, 1], "{failed} members failed");
        }
        // Given back past `most`, counting nothing, and every gate up after.
        let mut count = vec![0; targets.len()];
        assert!(!spreading.sample(&spread, &gates[..280], 100, &mut count));
        assert_eq!(count, [0, 0, 0]);
        assert!(spreading.sample(&spread, &gates[..260], usize::MAX, &mut count));
        assert_eq!(count, [0, 0, 1]);
    }
}
