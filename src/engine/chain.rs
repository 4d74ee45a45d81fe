//! Cause chains: why a node is not up, as a path of ids back to a failed node.
//!
//! Each step picks a requirement that changed strictly before the node it
//! explains (see the timestamps in [`Scratch`]); among those, the earliest,
//! which keeps chains short. Helper gates (groups, placements) are walked
//! through but not named, so every id in a chain is a direct requirement of
//! the one before it, as format v1 §9 asks.

use crate::model::{Mode, NodeId};

use super::graph::{FailureGraph, Gate, GateId};
use super::propagate::{Scratch, State};

/// The chain of causes of real node `id`: empty when it is up or failed.
pub(crate) fn cause_chain(graph: &FailureGraph, scratch: &Scratch, id: NodeId) -> Vec<NodeId> {
    let mut chain = Vec::new();
    let mut at = GateId::from(id);
    if scratch.state(at) == State::Up {
        return chain;
    }
    // Times fall strictly at every step, so the walk ends; the `None` arms
    // only keep it total should that invariant ever break.
    while !scratch.is_failed(at) {
        let Some(mut next) = explain(graph, scratch, at) else {
            break;
        };
        let node = loop {
            if let Some(node) = graph.node_of(next) {
                break node;
            }
            match explain(graph, scratch, next) {
                Some(n) => next = n,
                None => return chain,
            }
        };
        chain.push(node);
        at = next;
    }
    chain
}

/// The requirement of `n` that made it leave its state first.
fn explain(graph: &FailureGraph, s: &Scratch, n: GateId) -> Option<GateId> {
    let nu = n.index();
    let down = s.state(n) == State::Down;
    let deadline = if down {
        s.down_at[nu]
    } else {
        s.left_up_at[nu]
    };
    let all = graph.gate(n) == Gate::All;
    let mut best: Option<(u32, GateId)> = None;
    for &(r, mode) in graph.requirements(n) {
        let ru = r.index();
        let state = s.state(r);
        let soft = all && mode == Mode::Soft;
        // The time `r` reached the state that explains `n`.
        let when = match (down, soft, state) {
            (true, false, State::Down) => s.down_at[ru],
            (false, false, State::Down | State::Degraded) => s.left_up_at[ru],
            (false, true, State::Down) => s.down_at[ru],
            _ => continue,
        };
        if when < deadline && best.is_none_or(|(w, _)| when < w) {
            best = Some((when, r));
        }
    }
    best.map(|(_, r)| r)
}
