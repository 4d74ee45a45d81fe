//! A target's exact availability from a binary decision diagram of its
//! compiled cone.
//!
//! The walk of `exact_masks` sums the sets of failed parts that leave the
//! target up, by size, until what is left holds less than 1e-12: where
//! parts fail rarely but cones are deep (a chain of services, each on
//! shared sites), it tries hundreds of thousands of sets per target and
//! often gives up. The function "the target is down" over the parts the
//! walk would try is usually small as a diagram (a node per part and per
//! distinct way the parts below it can leave the target), and a diagram
//! gives the probability exactly, in one pass over its nodes.
//!
//! Each gate of the circuit becomes the diagram of "this gate is down",
//! built in the circuit's evaluation order: a gate is down when its own
//! parts fail or its rule holds of its requirements (`Any`: one is down;
//! `AtLeast(t)`: `t` are). A cycle's gates start up and are built again
//! until none changes: the least fixpoint, as the circuit's worklist
//! reaches. Parts are the diagram's variables in the order of their
//! gates, requirements first, so that parts that meet low in the cone
//! (sites) are decided first.
//!
//! A diagram can be exponential in the parts; the build stops at a bound
//! on its nodes and on its steps, and the walk is tried instead.

use super::super::circuit::{ConeCircuit, Rule};

/// The diagram that is always false: the gate is up.
const UP: u32 = 0;
/// The diagram that is always true: the gate is down.
const DOWN: u32 = 1;
/// The variable of the two leaves, after every part's.
const LEAF: u32 = u32::MAX;
/// Most steps (operations not found in the cache) for one target. On a
/// chain of 30,000 services, 4,096 answered 9,598 targets (of 15,231) in
/// 1.1 s, 32,768 answered 10,382 in 2.6 s: the diagrams that fail are
/// most of the cost, and most diagrams that succeed take a few hundred.
const MOST_STEPS: u64 = 1 << 12;
/// Most nodes of one target's diagrams: each step makes at most one, and
/// each part one more (at most `MOST_DIAGRAM_PARTS`, 512).
const MOST_NODES: usize = 1 << 13;
/// Slots of the table of nodes, twice the nodes, a power of two.
const TABLE: usize = 2 * MOST_NODES;
/// Entries of the cache of operations, a power of two.
const CACHE: usize = 1 << 13;

#[derive(Clone, Copy)]
enum Op {
    And = 0,
    Or = 1,
}

/// A node: its part (variable), where it goes when the part is up, and
/// where when it failed.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Node {
    var: u32,
    up: u32,
    failed: u32,
}

/// Diagrams of one target at a time, with buffers kept across targets.
pub(super) struct DecisionDiagram {
    nodes: Vec<Node>,
    /// Each node once, by its hash, open addressing: `(stamp, node)`.
    table: Vec<(u32, u32)>,
    /// Direct-mapped: `[stamp, op and left, right, result]`.
    cache: Vec<[u32; 4]>,
    /// Marks this target's entries of the table and the cache, so that a
    /// target clears neither.
    stamp: u32,
    steps: u64,
    /// For `AtLeast` gates: how many requirements are down, as diagrams.
    counts: Vec<u32>,
}

impl Default for DecisionDiagram {
    fn default() -> Self {
        DecisionDiagram {
            nodes: Vec::new(),
            table: vec![(0, 0); TABLE],
            cache: vec![[0; 4]; CACHE],
            stamp: 0,
            steps: 0,
            counts: Vec::new(),
        }
    }
}

impl DecisionDiagram {
    /// P(the target of `circuit` stays up) when part `i` (of the parts
    /// the circuit was compiled for) fails with probability `q[i]`, or
    /// `None` past the bounds on nodes and steps. O(the circuit's gates and
    /// requirements, plus steps, at most [`MOST_STEPS`]): each step is
    /// an operation not found in the cache, or a gate of a cycle passed
    /// over again.
    pub(super) fn up(&mut self, circuit: &ConeCircuit, q: &[f64]) -> Option<f64> {
        self.start();
        let Some(target) = circuit.target_gate(0) else {
            return Some(1.0);
        };
        let mut order: Vec<(usize, usize)> = (0..q.len())
            .filter_map(|p| Some((circuit.gate_of(p)?, p)))
            .collect();
        order.sort_unstable();
        let mut own = vec![UP; circuit.gates()];
        let mut q_of_var = Vec::with_capacity(order.len());
        for (var, &(g, p)) in order.iter().enumerate() {
            let failed = self.node(var as u32, UP, DOWN)?;
            own[g] = self.apply(Op::Or, own[g], failed)?;
            q_of_var.push(q[p]);
        }
        let mut down = vec![UP; circuit.gates()];
        for (gates, cyclic) in circuit.blocks() {
            loop {
                let mut changed = false;
                for g in gates.clone() {
                    let from_reqs = self.rule(circuit, g, &down)?;
                    let v = self.apply(Op::Or, own[g], from_reqs)?;
                    changed |= v != down[g];
                    down[g] = v;
                }
                if !cyclic || !changed {
                    break;
                }
                // Another pass may find every operation in the cache, so
                // the passes count too: a long cycle laid out against its
                // edges takes a pass per gate.
                self.steps += gates.len() as u64;
                if self.steps > MOST_STEPS {
                    return None;
                }
            }
        }
        Some(self.probability_up(down[target], &q_of_var))
    }

    /// The steps of the last [`Self::up`], for the budget of work.
    pub(super) fn steps(&self) -> u64 {
        self.steps + self.nodes.len() as u64
    }

    /// Forgets the last target's diagrams, keeping the buffers.
    fn start(&mut self) {
        self.nodes.clear();
        let leaf = |v| Node {
            var: LEAF,
            up: v,
            failed: v,
        };
        self.nodes.extend([leaf(UP), leaf(DOWN)]);
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.table.fill((0, 0));
            self.cache.fill([0; 4]);
            self.stamp = 1;
        }
        self.steps = 0;
    }

    /// Whether gate `g`'s rule holds of its requirements' diagrams.
    fn rule(&mut self, circuit: &ConeCircuit, g: usize, down: &[u32]) -> Option<u32> {
        let reqs = circuit.reqs_of(g);
        match circuit.rule_of(g) {
            Rule::Any => reqs
                .iter()
                .try_fold(UP, |v, &r| self.apply(Op::Or, v, down[r as usize])),
            Rule::AtLeast(t) => {
                // The buffer is put back however the count ends.
                let mut counts = std::mem::take(&mut self.counts);
                let answer = self.at_least(reqs, down, t as usize, &mut counts);
                self.counts = counts;
                answer
            }
        }
    }

    /// Whether at least `t` of `reqs` are down: `counts[j]` is whether at
    /// least `j` of the requirements so far are. O(requirements × t)
    /// operations.
    fn at_least(
        &mut self,
        reqs: &[u32],
        down: &[u32],
        t: usize,
        counts: &mut Vec<u32>,
    ) -> Option<u32> {
        counts.clear();
        counts.push(DOWN);
        counts.resize(t + 1, UP);
        for &r in reqs {
            let d = down[r as usize];
            if d == UP {
                continue;
            }
            for j in (1..=t).rev() {
                let more = self.apply(Op::And, counts[j - 1], d)?;
                counts[j] = self.apply(Op::Or, counts[j], more)?;
            }
        }
        Some(counts[t])
    }

    /// The node of `var` going to `up` and `failed`, made once.
    fn node(&mut self, var: u32, up: u32, failed: u32) -> Option<u32> {
        if up == failed {
            return Some(up);
        }
        let node = Node { var, up, failed };
        let key = (u64::from(var) << 42 ^ u64::from(up) << 21 ^ u64::from(failed))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut slot = (key >> 40) as usize & (TABLE - 1);
        loop {
            let (stamp, i) = self.table[slot];
            if stamp != self.stamp {
                break;
            }
            if self.nodes[i as usize] == node {
                return Some(i);
            }
            slot = (slot + 1) & (TABLE - 1);
        }
        if self.nodes.len() >= MOST_NODES {
            return None;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(node);
        self.table[slot] = (self.stamp, i);
        Some(i)
    }

    /// `a op b`, or `None` past the bounds.
    fn apply(&mut self, op: Op, a: u32, b: u32) -> Option<u32> {
        let (zero, one) = match op {
            Op::And => (UP, DOWN),
            Op::Or => (DOWN, UP),
        };
        // `zero` absorbs, `one` is the identity.
        if a == zero || b == zero {
            return Some(zero);
        }
        if a == one || a == b {
            return Some(b);
        }
        if b == one {
            return Some(a);
        }
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let key = a << 1 | op as u32;
        let slot = (u64::from(key) << 32 | u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = (slot >> 48) as usize & (CACHE - 1);
        let [stamp, k, r, result] = self.cache[slot];
        if stamp == self.stamp && k == key && r == b {
            return Some(result);
        }
        self.steps += 1;
        if self.steps > MOST_STEPS {
            return None;
        }
        let (x, y) = (self.nodes[a as usize], self.nodes[b as usize]);
        let var = x.var.min(y.var);
        let split = |n: Node, i: u32| {
            if n.var == var {
                (n.up, n.failed)
            } else {
                (i, i)
            }
        };
        let (a_up, a_failed) = split(x, a);
        let (b_up, b_failed) = split(y, b);
        let up = self.apply(op, a_up, b_up)?;
        let failed = self.apply(op, a_failed, b_failed)?;
        let result = self.node(var, up, failed)?;
        self.cache[slot] = [self.stamp, key, b, result];
        Some(result)
    }

    /// P(`root` is false), variable `v` true with probability `q[v]`: one
    /// pass over the nodes, each made after those it goes to.
    fn probability_up(&self, root: u32, q: &[f64]) -> f64 {
        let mut up = vec![0.0; root as usize + 1];
        up[UP as usize] = 1.0;
        for i in 2..=root as usize {
            let n = self.nodes[i];
            let q = q[n.var as usize];
            up[i] = q * up[n.failed as usize] + (1.0 - q) * up[n.up as usize];
        }
        up[root as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::super::compiled;
    use super::*;
    use crate::engine::cone::ConeMarks;
    use crate::engine::graph::{FailureGraph, GateId};
    use crate::engine::propagate::{Scratch, State};
    use crate::load::load_str;
    use crate::model::NodeId;

    /// Every construct a cone compiles: `All` gates with hard and soft
    /// edges, a list of sites, a quorum, `any_of`, an `any_of` needing
    /// two, a region over sites, and cycles: `x` and `y` need each other,
    /// `y` through an `any_of` with `z`; `p1`, `p2`, `p3` each need the
    /// next or a `u`, and `w` needs `p2` or `p3`. One pass over that ring
    /// from all up leaves `p3` up when `p2`, `u1` and `u3` fail (`p2` is
    /// laid out after it), and `w` with it: only the fixpoint takes `w`
    /// down.
    const FILE: &str = "version: 1
sites:
  r: {kind: region, availability: 0.95}
  s1: {within: r, availability: 0.9}
  s2: {availability: 0.8}
  s3: {availability: 0.85}
  s4: {availability: 0.7}
services:
  t: {runs_in: {sites: [s1, s2, s3, s4], min: 2}, depends_on: [a, {on: b, mode: soft}, {any_of: [c, d]}, {any_of: [e, f, x], min: 2}]}
  a: {runs_in: [s1, s2], availability: 0.9, depends_on: [x]}
  b: {runs_in: s1, availability: 0.6}
  c: {runs_in: [s3, s4], availability: 0.75}
  d: {runs_in: s2, availability: 0.8}
  e: {runs_in: s3, availability: 0.9}
  f: {runs_in: s4, availability: 0.65}
  x: {runs_in: s2, availability: 0.9, depends_on: [y]}
  y: {runs_in: s1, availability: 0.85, depends_on: [{any_of: [x, z]}]}
  z: {runs_in: s4, availability: 0.5}
  p1: {availability: 0.9, depends_on: [{any_of: [p2, u1]}]}
  p2: {availability: 0.8, depends_on: [{any_of: [p3, u2]}]}
  p3: {availability: 0.85, depends_on: [{any_of: [p1, u3]}]}
  u1: {availability: 0.7}
  u2: {availability: 0.75}
  u3: {availability: 0.6}
  w: {depends_on: [{any_of: [p2, p3]}]}
";

    /// P(`target` up) over every subset of `parts` failed, by propagation.
    fn every_subset(graph: &FailureGraph, target: NodeId, parts: &[(NodeId, f64)]) -> f64 {
        let mut scratch = Scratch::new(graph);
        let mut up = 0.0;
        for mask in 0u32..1 << parts.len() {
            let failed: Vec<NodeId> = (0..parts.len())
                .filter(|&i| mask >> i & 1 == 1)
                .map(|i| parts[i].0)
                .collect();
            let p: f64 = (parts.iter().enumerate())
                .map(|(i, &(_, q))| if mask >> i & 1 == 1 { q } else { 1.0 - q })
                .product();
            scratch.propagate(graph, &failed);
            if scratch.state(GateId::from(target)) != State::Down {
                up += p;
            }
            scratch.reset(graph);
        }
        up
    }

    #[test]
    fn answers_are_those_of_every_failure_set() {
        let loaded = load_str("t.yaml", FILE.to_string()).unwrap();
        let arch = &loaded.arch;
        let graph = FailureGraph::build(arch);
        let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
        let mut diagram = DecisionDiagram::default();
        let mut cyclic = false;
        for t in arch.node_ids().filter(|&n| arch.node(n).is_candidate()) {
            let parts = compiled(arch, &graph, t, &mut marks, &mut circuit);
            cyclic |= circuit.blocks().any(|(_, cyclic)| cyclic);
            let q: Vec<f64> = parts.iter().map(|&(_, q)| q).collect();
            let got = diagram.up(&circuit, &q).unwrap();
            let want = every_subset(&graph, t, &parts);
            assert!(
                (got - want).abs() < 1e-14,
                "{}: {got} vs {want}",
                arch.name_of(t)
            );
        }
        assert!(cyclic);
    }

    /// `t` is down when every `x` site is (through `front`) or when some
    /// `a_i` is, that is both `x_i` and `y_i`. The `x` sites come first in
    /// the circuit's order, all before the `y` sites, so once the `x`
    /// sites are decided every subset of them leaves a different function
    /// of the `y` sites: 2^n nodes.
    fn pairs_apart(n: usize) -> String {
        let mut text = String::from("version: 1\nsites:\n");
        for i in 0..n {
            text.push_str(&format!("  x{i}: {{availability: 0.9}}\n"));
            text.push_str(&format!("  y{i}: {{availability: 0.9}}\n"));
        }
        text.push_str("services:\n");
        let xs: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
        text.push_str(&format!("  front: {{runs_in: [{}]}}\n", xs.join(", ")));
        let mut needs = vec!["front".to_string()];
        for i in 0..n {
            text.push_str(&format!("  a{i}: {{runs_in: [x{i}, y{i}]}}\n"));
            needs.push(format!("a{i}"));
        }
        text.push_str(&format!("  t: {{depends_on: [{}]}}\n", needs.join(", ")));
        text
    }

    #[test]
    fn a_diagram_past_its_steps_gives_up() {
        let (mut small, mut big) = (None, None);
        for (n, answer) in [(6, &mut small), (20, &mut big)] {
            let loaded = load_str("t.yaml", pairs_apart(n)).unwrap();
            let arch = &loaded.arch;
            let graph = FailureGraph::build(arch);
            let (mut marks, mut circuit) = (ConeMarks::new(&graph), ConeCircuit::default());
            let t = arch.id_of("t").unwrap();
            let parts = compiled(arch, &graph, t, &mut marks, &mut circuit);
            let q: Vec<f64> = parts.iter().map(|&(_, q)| q).collect();
            let mut diagram = DecisionDiagram::default();
            *answer = diagram.up(&circuit, &q);
            assert!(diagram.steps() > 0);
            if n == 6 {
                // No pair down, less all `x` down with every `y` up.
                let want = 0.99f64.powi(6) - 0.1f64.powi(6) * 0.9f64.powi(6);
                assert!(answer.is_some_and(|got| (got - want).abs() < 1e-15));
            } else {
                assert!(diagram.steps() > MOST_STEPS);
            }
        }
        assert!(small.is_some());
        assert_eq!(big, None);
    }
}
