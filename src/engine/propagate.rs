//! States under a scenario: the greatest fixpoint of format v1 §7, reached
//! with a worklist.
//!
//! Every gate starts up; failed nodes go down; each change is pushed to the
//! gates that need the changed one, which update counters and lower their
//! own state when the rules say so. A gate is lowered at most twice
//! (up → degraded → down), so one scenario costs O(gates + edges) in the
//! worst case and, in practice, only the part of the graph it reaches. The
//! buffers are reset by walking the gates that changed, so one [`Scratch`]
//! serves any number of scenarios without an O(graph) clear.

use std::collections::VecDeque;

use crate::model::{Mode, NodeId};

use super::graph::{FailureGraph, Gate, GateId};

/// A node's state, ordered `Down < Degraded < Up`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    /// Cannot serve.
    Down,
    /// Serves with less (a soft requirement is down).
    Degraded,
    /// Serves.
    Up,
}

impl State {
    /// `down`, `degraded` or `up`, as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Up => "up",
            State::Degraded => "degraded",
            State::Down => "down",
        }
    }
}

/// Buffers for one scenario at a time, sized to the graph.
#[derive(Debug)]
pub struct Scratch {
    pub(crate) state: Vec<State>,
    /// `All`: hard requirements down. `AtLeast`: members down.
    down: Vec<u32>,
    /// `All`: hard requirements not up. `AtLeast`: members not up.
    not_up: Vec<u32>,
    /// `All`: soft requirements down.
    soft_down: Vec<u32>,
    pub(crate) failed: Vec<bool>,
    /// When a gate stopped being up, and when it went down (a step counter):
    /// a cause chain follows requirements that changed strictly earlier,
    /// which is what makes every chain end at a failed node.
    pub(crate) left_up_at: Vec<u32>,
    pub(crate) down_at: Vec<u32>,
    /// Gates that changed in the current scenario, in the order they changed.
    pub(crate) changed: Vec<GateId>,
    /// Gates whose counters moved, so that a reset clears just those.
    touched: Vec<GateId>,
    is_touched: Vec<bool>,
    queue: VecDeque<(GateId, State, State)>,
    clock: u32,
    /// Set by [`Scratch::mark`]: where a [`Scratch::rollback`] returns to.
    mark: Option<Mark>,
    /// Each gate's values before its first change since the mark.
    trail: Vec<Saved>,
    /// The mark generation each gate was last saved in.
    saved_in: Vec<u32>,
    generation: u32,
}

/// Where a rollback returns to.
#[derive(Debug, Clone, Copy)]
struct Mark {
    changed: usize,
    touched: usize,
    clock: u32,
}

/// A gate's values as they were at the mark.
#[derive(Debug, Clone, Copy)]
struct Saved {
    gate: GateId,
    state: State,
    failed: bool,
    down: u32,
    not_up: u32,
    soft_down: u32,
    left_up_at: u32,
    down_at: u32,
}

impl Scratch {
    /// Buffers sized to `graph`, every gate up.
    pub fn new(graph: &FailureGraph) -> Self {
        let n = graph.len();
        Scratch {
            state: vec![State::Up; n],
            down: vec![0; n],
            not_up: vec![0; n],
            soft_down: vec![0; n],
            failed: vec![false; n],
            left_up_at: vec![0; n],
            down_at: vec![0; n],
            changed: Vec::new(),
            touched: Vec::new(),
            is_touched: vec![false; n],
            queue: VecDeque::new(),
            clock: 0,
            mark: None,
            trail: Vec::new(),
            saved_in: vec![0; n],
            generation: 0,
        }
    }

    /// Remembers the present states, so that more failures can be
    /// propagated on top of them and taken back with
    /// [`Scratch::rollback`]: a scenario that grows one failure at a time
    /// pays for the failure added, not for the whole scenario again.
    pub(crate) fn mark(&mut self) {
        self.next_generation();
        self.trail.clear();
        self.mark = Some(Mark {
            changed: self.changed.len(),
            touched: self.touched.len(),
            clock: self.clock,
        });
    }

    /// Puts every gate back as it was at the last [`Scratch::mark`], in
    /// time proportional to what changed since; the mark stays.
    pub(crate) fn rollback(&mut self) {
        let Some(mark) = self.mark else { return };
        for s in self.trail.drain(..).rev() {
            let g = s.gate.index();
            self.state[g] = s.state;
            self.failed[g] = s.failed;
            self.down[g] = s.down;
            self.not_up[g] = s.not_up;
            self.soft_down[g] = s.soft_down;
            self.left_up_at[g] = s.left_up_at;
            self.down_at[g] = s.down_at;
        }
        for &d in &self.touched[mark.touched..] {
            self.is_touched[d.index()] = false;
        }
        self.touched.truncate(mark.touched);
        self.changed.truncate(mark.changed);
        self.clock = mark.clock;
        self.next_generation();
    }

    /// A generation no gate was saved in: after 2^32 of them the counter
    /// would come back to old values, so it starts again from a clean slate.
    fn next_generation(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.saved_in.fill(0);
            self.generation = 1;
        }
    }

    /// Saves gate `g` before its first change since the mark.
    fn save(&mut self, g: GateId) {
        let i = g.index();
        if self.saved_in[i] == self.generation {
            return;
        }
        self.saved_in[i] = self.generation;
        self.trail.push(Saved {
            gate: g,
            state: self.state[i],
            failed: self.failed[i],
            down: self.down[i],
            not_up: self.not_up[i],
            soft_down: self.soft_down[i],
            left_up_at: self.left_up_at[i],
            down_at: self.down_at[i],
        });
    }

    /// The state of gate `n` after the last propagation.
    pub fn state(&self, n: GateId) -> State {
        self.state[n.index()]
    }

    /// Whether gate `n` was failed by the scenario itself.
    pub fn is_failed(&self, n: GateId) -> bool {
        self.failed[n.index()]
    }

    /// Puts every gate the last scenario touched back to up, in time
    /// proportional to what it touched.
    pub fn reset(&mut self, _graph: &FailureGraph) {
        for &n in &self.changed {
            self.state[n.index()] = State::Up;
            self.failed[n.index()] = false;
        }
        for &d in &self.touched {
            let d = d.index();
            self.down[d] = 0;
            self.not_up[d] = 0;
            self.soft_down[d] = 0;
            self.is_touched[d] = false;
        }
        self.changed.clear();
        self.touched.clear();
        self.clock = 0;
        self.mark = None;
        self.trail.clear();
    }

    /// Computes the states under `failed`, starting from all up. Call
    /// [`Scratch::reset`] before the next scenario.
    pub fn propagate(&mut self, graph: &FailureGraph, failed: &[NodeId]) {
        self.propagate_along(graph, failed, |n| graph.dependents(n));
    }

    /// Like [`Scratch::propagate`], but along the dependents `dependents`
    /// gives, such as a target's down-cone alone
    /// (`ConeMarks::dependents`). Down states inside a cone are
    /// exact, since whether a gate there is down depends only on gates
    /// there; gates outside it stay up. This keeps cut sets and availability
    /// proportional to the cone, not to everything a failure reaches.
    pub fn propagate_along<'a>(
        &mut self,
        graph: &FailureGraph,
        failed: &[NodeId],
        dependents: impl Fn(GateId) -> &'a [(GateId, Mode)],
    ) {
        // Decided once: the saving costs nothing when no mark is set.
        let saving = self.mark.is_some();
        for &id in failed {
            let n = GateId::from(id);
            if saving {
                self.save(n);
            }
            self.failed[n.index()] = true;
            self.lower(n, State::Down);
        }
        while let Some((n, old, new)) = self.queue.pop_front() {
            let went_down = new == State::Down;
            let left_up = old == State::Up;
            for &(d, mode) in dependents(n) {
                let du = d.index();
                if saving {
                    self.save(d);
                }
                if !self.is_touched[du] {
                    self.is_touched[du] = true;
                    self.touched.push(d);
                }
                let gate = graph.gate(d);
                match (gate, mode) {
                    (Gate::All, Mode::Soft) => self.soft_down[du] += u32::from(went_down),
                    _ => {
                        self.down[du] += u32::from(went_down);
                        self.not_up[du] += u32::from(left_up);
                    }
                }
                let target = match gate {
                    Gate::All => {
                        if self.down[du] > 0 {
                            State::Down
                        } else if self.not_up[du] > 0 || self.soft_down[du] > 0 {
                            State::Degraded
                        } else {
                            State::Up
                        }
                    }
                    Gate::AtLeast { min, members } => {
                        if members - self.down[du] < min {
                            State::Down
                        } else if members - self.not_up[du] < min {
                            State::Degraded
                        } else {
                            State::Up
                        }
                    }
                };
                if target < self.state[du] {
                    self.lower(d, target);
                }
            }
        }
    }

    /// Like [`Scratch::propagate`], but only what goes down: degraded
    /// states are neither set nor followed, so soft edges are skipped and
    /// no gate is visited twice. The down states are exactly a full
    /// propagation's, since whether a gate is down depends only on which of
    /// its requirements are down (§7); the ranking and the cut sets' single
    /// failures need nothing else. Cause chains do: use
    /// [`Scratch::propagate`] for those. Not for use under a mark (nothing
    /// is saved). O(gates + edges) reached, as [`Scratch::propagate`].
    pub fn propagate_down(&mut self, graph: &FailureGraph, failed: &[NodeId]) {
        self.propagate_down_along(graph, failed, |n| graph.dependents(n));
    }

    /// Like [`Scratch::propagate_down`], but along the dependents
    /// `dependents` gives (as [`Scratch::propagate_along`]): a fix's check
    /// needs only whether its targets go down, so it pays for what goes
    /// down, not for the degraded wave around it.
    pub fn propagate_down_along<'a>(
        &mut self,
        graph: &FailureGraph,
        failed: &[NodeId],
        dependents: impl Fn(GateId) -> &'a [(GateId, Mode)],
    ) {
        debug_assert!(self.mark.is_none(), "propagate_down saves nothing");
        for &id in failed {
            let n = GateId::from(id);
            self.failed[n.index()] = true;
            self.lower(n, State::Down);
        }
        while let Some((n, _, _)) = self.queue.pop_front() {
            for &(d, mode) in dependents(n) {
                let gate = graph.gate(d);
                if matches!((gate, mode), (Gate::All, Mode::Soft)) {
                    continue;
                }
                let du = d.index();
                if !self.is_touched[du] {
                    self.is_touched[du] = true;
                    self.touched.push(d);
                }
                self.down[du] += 1;
                let down = match gate {
                    Gate::All => true,
                    Gate::AtLeast { min, members } => members - self.down[du] < min,
                };
                if down {
                    self.lower(d, State::Down);
                }
            }
        }
    }

    fn lower(&mut self, n: GateId, to: State) {
        let nu = n.index();
        let from = self.state[nu];
        if to >= from {
            return;
        }
        self.clock += 1;
        if from == State::Up {
            self.left_up_at[nu] = self.clock;
            self.changed.push(n);
        }
        if to == State::Down {
            self.down_at[nu] = self.clock;
        }
        self.state[nu] = to;
        self.queue.push_back((n, from, to));
    }
}

/// Propagates sets of failures that grow one at a time, as the cut-set
/// searches try them: the set without
/// its last failure (usually the same as for the set tried just before) is
/// propagated once and marked, and the last failure is propagated on top
/// of it; [`OnTop::undo`] rolls that back. A set of k failures then costs
/// what its last failure reaches, not what all k reach.
#[derive(Debug, Default)]
pub(crate) struct OnTop {
    /// The failures propagated and marked in the scratch, when `ready`.
    base: Vec<NodeId>,
    ready: bool,
}

impl OnTop {
    /// Leaves `scratch` in the states under `failed`; read them, then call
    /// [`OnTop::undo`] before the next set.
    pub(crate) fn propagate<'a>(
        &mut self,
        scratch: &mut Scratch,
        graph: &FailureGraph,
        failed: &[NodeId],
        dependents: impl Fn(GateId) -> &'a [(GateId, Mode)] + Copy,
    ) {
        let Some((last, prefix)) = failed.split_last() else {
            // Nothing failed: every gate up.
            self.clear(scratch, graph);
            return;
        };
        if !self.ready || self.base != prefix {
            scratch.reset(graph);
            scratch.propagate_along(graph, prefix, dependents);
            self.base.clear();
            self.base.extend_from_slice(prefix);
            self.ready = true;
            scratch.mark();
        }
        scratch.propagate_along(graph, std::slice::from_ref(last), dependents);
    }

    /// Takes back the last failure propagated by [`OnTop::propagate`].
    pub(crate) fn undo(&mut self, scratch: &mut Scratch) {
        scratch.rollback();
    }

    /// Leaves `scratch` with every gate up.
    pub(crate) fn clear(&mut self, scratch: &mut Scratch, graph: &FailureGraph) {
        if self.ready {
            scratch.reset(graph);
            self.ready = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    /// A file with quorums, `any_of`, soft edges and a cycle.
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
  web: {tier: high, runs_in: b, depends_on: [{any_of: [api, cache]}]}
";

    /// Every state, by gate.
    fn states(scratch: &Scratch) -> Vec<State> {
        scratch.state.clone()
    }

    /// A down-only propagation takes down exactly what a full one does,
    /// for every set of up to two nodes, and its reset leaves all up.
    #[test]
    fn propagating_down_only_finds_the_same_down_states() {
        let arch = load_str("t.yaml", TEXT).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let ids: Vec<NodeId> = arch.node_ids().collect();
        let mut full = Scratch::new(&graph);
        let mut light = Scratch::new(&graph);
        let down =
            |s: &Scratch| -> Vec<bool> { s.state.iter().map(|&x| x == State::Down).collect() };
        for &x in &ids {
            for &y in &ids {
                full.propagate(&graph, &[x, y]);
                light.propagate_down(&graph, &[x, y]);
                assert_eq!(down(&light), down(&full), "{x:?} + {y:?}");
                assert!(light.state.iter().all(|&s| s != State::Degraded));
                full.reset(&graph);
                light.reset(&graph);
                assert!(light.state.iter().all(|&s| s == State::Up));
            }
        }
    }

    /// Failing `more` on top of a marked scenario gives the states of
    /// failing both from scratch, and a rollback gives back the marked
    /// states, for every set of up to two candidates and every third, on
    /// a file with quorums, `any_of`, soft edges and a cycle.
    #[test]
    fn on_top_and_rollback_match_propagating_from_scratch() {
        let text = TEXT;
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let ids: Vec<NodeId> = arch.node_ids().collect();
        let mut fresh = Scratch::new(&graph);
        let mut layered = Scratch::new(&graph);
        let mut sets: Vec<Vec<NodeId>> = vec![Vec::new()];
        for &x in &ids {
            sets.push(vec![x]);
            for &y in &ids {
                if x < y {
                    sets.push(vec![x, y]);
                }
            }
        }
        for base in &sets {
            fresh.propagate(&graph, base);
            let marked = states(&fresh);
            fresh.reset(&graph);
            layered.propagate(&graph, base);
            layered.mark();
            for &more in &ids {
                let mut all = base.clone();
                all.push(more);
                fresh.propagate(&graph, &all);
                layered.propagate(&graph, &[more]);
                assert_eq!(states(&layered), states(&fresh), "{base:?} + {more:?}");
                fresh.reset(&graph);
                layered.rollback();
                assert_eq!(states(&layered), marked, "back to {base:?}");
            }
            layered.reset(&graph);
            assert!(layered.state.iter().all(|&s| s == State::Up));
        }
    }
}
