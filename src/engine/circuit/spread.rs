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

/// A gate as one sample at a time reads it: what it reads of a gate lies
/// in one 16-byte piece, so a gate reached costs one miss of the cache
/// rather than one per array.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(16))]
struct Node {
    /// Requirements still up before it goes down (0: down).
    left: u32,
    /// How many of its requirements take it down: 1 for an `Any` gate,
    /// `t` for an `AtLeast(t)` one.
    need: u32,
    /// Where its dependents start in `deps`, and its targets in
    /// `targets` (each ends where the next gate's starts).
    deps: u32,
    targets: u32,
}

/// A circuit's gates for spreading one sample at a time: what takes each
/// down, its dependents and the targets at it. Shared by every thread,
/// each with its own copy of the nodes ([`Spreading`]).
#[derive(Debug)]
pub(crate) struct Spread {
    /// Per gate and one past the last, all up.
    nodes: Vec<Node>,
    /// Per gate, its dependents, once per requirement edge (so that a
    /// gate needing the same gate twice counts it twice, as the circuit
    /// does).
    deps: Vec<u32>,
    targets: Vec<u32>,
}

/// One thread's state for [`Spread`]: its nodes, and the gates changed in
/// the sample.
#[derive(Debug, Default)]
pub(crate) struct Spreading {
    nodes: Vec<Node>,
    /// Gates down in this sample, in the order they went down.
    down: Vec<u32>,
    /// Gates counted down but still up (an `AtLeast` gate short of its
    /// threshold), maybe more than once.
    partly: Vec<u32>,
}

/// How many gates down ahead of the one being spread its dependents are
/// asked for, and twice that ahead its list of them.
const AHEAD: usize = 4;

impl<L: Lanes> ConeCircuit<L> {
    /// This circuit for spreading one sample at a time. O(gates + edges +
    /// targets).
    pub(crate) fn spread(&self) -> Spread {
        let n = self.rule.len();
        let mut nodes = vec![Node::default(); n + 1];
        for (node, rule) in nodes.iter_mut().zip(&self.rule) {
            node.need = match *rule {
                Rule::Any => 1,
                Rule::AtLeast(t) => t,
            };
            node.left = node.need;
        }
        for &r in &self.reqs {
            nodes[r as usize + 1].deps += 1;
        }
        for &(g, _) in &self.by_gate {
            nodes[g as usize + 1].targets += 1;
        }
        for g in 0..n {
            nodes[g + 1].deps += nodes[g].deps;
            nodes[g + 1].targets += nodes[g].targets;
        }
        let mut next: Vec<u32> = nodes.iter().map(|n| n.deps).collect();
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
            nodes,
            deps,
            targets,
        }
    }
}

impl Spread {
    /// A thread's state, all up.
    pub(crate) fn spreading(&self) -> Spreading {
        Spreading {
            nodes: self.nodes.clone(),
            down: Vec::new(),
            partly: Vec::new(),
        }
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
            let node = &mut self.nodes[g as usize];
            if node.left != 0 {
                node.left = 0;
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
            let (node, after) = (self.nodes[g as usize], self.nodes[g as usize + 1]);
            for &t in &spread.targets[node.targets as usize..after.targets as usize] {
                count[t as usize] += 1;
            }
            for &d in &spread.deps[node.deps as usize..after.deps as usize] {
                let left = &mut self.nodes[d as usize].left;
                match *left {
                    0 => {}
                    1 => {
                        *left = 0;
                        self.down.push(d);
                    }
                    _ => {
                        *left -= 1;
                        self.partly.push(d);
                    }
                }
            }
        }
        self.clear();
        true
    }

    /// Asks for what the gates down ahead of the `i`-th will read: the
    /// dependents of the one [`AHEAD`] on, and the list of them of the
    /// one twice as far. The gates down are mostly the sample's own
    /// failures, known from the start, so there are gates ahead to ask
    /// for.
    #[inline(always)]
    fn ask_ahead(&self, spread: &Spread, i: usize) {
        if let Some(&g) = self.down.get(i + 2 * AHEAD) {
            let node = &self.nodes[g as usize];
            prefetch(spread.deps.as_ptr().wrapping_add(node.deps as usize));
        }
        if let Some(&g) = self.down.get(i + AHEAD) {
            let (a, z) = (self.nodes[g as usize].deps, self.nodes[g as usize + 1].deps);
            for &d in spread.deps.get(a as usize..z as usize).unwrap_or(&[]) {
                prefetch(self.nodes.as_ptr().wrapping_add(d as usize));
            }
        }
    }

    /// Takes back the counts of the first `done` gates down, and puts
    /// every gate back up.
    fn take_back(&mut self, spread: &Spread, done: usize, count: &mut [u32]) {
        for &g in &self.down[..done] {
            let (node, after) = (self.nodes[g as usize], self.nodes[g as usize + 1]);
            for &t in &spread.targets[node.targets as usize..after.targets as usize] {
                count[t as usize] -= 1;
            }
        }
        self.clear();
    }

    /// Puts every gate changed back up.
    fn clear(&mut self) {
        for &g in self.down.iter().chain(&self.partly) {
            let node = &mut self.nodes[g as usize];
            node.left = node.need;
        }
        self.down.clear();
        self.partly.clear();
    }
}
