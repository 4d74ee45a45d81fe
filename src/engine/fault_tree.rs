//! A target's fault tree: the part of the failure graph that can take it
//! down, as AND/OR/at-least gates over basic events (format v1 §7 read as
//! boolean logic on "down").
//!
//! A site, service or placement entry is down when its own failure (a
//! basic event, for candidates) or any hard requirement is down: an OR.
//! An `any_of` or placement with `min` k over n members is down when at
//! least n - k + 1 members are down: an at-least gate. Soft requirements
//! never take a node down and are left out. Fault trees are acyclic, so a
//! cone with a dependency cycle is refused. O(gates + edges) of the cone.

use crate::model::{Architecture, NodeId};

use super::graph::{FailureGraph, Gate, GateId};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
/// An argument of a gate.
pub enum Arg {
    /// Another gate of the tree, by its failure-graph gate.
    Gate(GateId),
    /// A basic event: a candidate failing on its own.
    Basic(NodeId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// What makes a gate true (its output failed).
pub enum Logic {
    /// Any argument failed.
    Or,
    /// At least this many arguments failed.
    AtLeast(u32),
    /// Never down (a logical node with no hard requirement).
    False,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// One gate of the tree.
pub struct FtGate {
    /// The failure-graph gate it comes from.
    pub gate: GateId,
    /// The node that gate is, or `None` for a group.
    pub node: Option<NodeId>,
    /// How its arguments combine.
    pub logic: Logic,
    /// Its arguments, without repeats.
    pub args: Vec<Arg>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// The fault tree of one target's failure.
pub struct FaultTree {
    /// The target whose failure is the top event.
    pub target: NodeId,
    /// Gates in dependency order: each gate's arguments come before it.
    pub gates: Vec<FtGate>,
    /// Every basic event used, in id order.
    pub basic_events: Vec<NodeId>,
}

/// The fault tree of `target`, or the ids on a dependency cycle in its cone.
pub fn fault_tree(
    arch: &Architecture,
    graph: &FailureGraph,
    target: NodeId,
) -> Result<FaultTree, Vec<NodeId>> {
    let n = graph.len();
    // 0 new, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    let mut gates = Vec::new();
    let mut basic = Vec::new();
    let down_reqs = |g: GateId| -> Vec<GateId> {
        let gate = graph.gate(g);
        graph
            .requirements(g)
            .iter()
            .filter(|&&(_, mode)| gate.carries_down(mode))
            .map(|&(r, _)| r)
            .collect()
    };
    // Iterative post-order DFS, so deep chains cannot overflow the stack.
    let mut stack: Vec<(GateId, usize)> = vec![(GateId::from(target), 0)];
    state[target.index()] = 1;
    while let Some(&mut (g, ref mut next)) = stack.last_mut() {
        let reqs = down_reqs(g);
        if *next < reqs.len() {
            let r = reqs[*next];
            *next += 1;
            match state[r.index()] {
                0 => {
                    state[r.index()] = 1;
                    stack.push((r, 0));
                }
                1 => {
                    let from = stack.iter().position(|&(s, _)| s == r).unwrap_or(0);
                    let cycle = stack[from..]
                        .iter()
                        .map(|&(s, _)| s)
                        .filter_map(|s| graph.node_of(s))
                        .collect();
                    return Err(cycle);
                }
                _ => {}
            }
            continue;
        }
        stack.pop();
        state[g.index()] = 2;
        let mut args: Vec<Arg> = reqs.iter().map(|&r| Arg::Gate(r)).collect();
        let logic = match graph.gate(g) {
            Gate::All => {
                if let Some(node) = graph.node_of(g).filter(|&n| arch.node(n).is_candidate()) {
                    basic.push(node);
                    args.insert(0, Arg::Basic(node));
                }
                if args.is_empty() {
                    Logic::False
                } else {
                    Logic::Or
                }
            }
            Gate::AtLeast { min, members } => Logic::AtLeast(members - min + 1),
        };
        // Two paths to one requirement (`depends_on: [dc]` beside
        // `runs_in: dc`) give the same argument twice; an OR needs it once,
        // and MEF readers refuse repeats. An at-least gate keeps its count.
        if logic == Logic::Or {
            let mut seen = std::collections::HashSet::new();
            args.retain(|a| seen.insert(a.clone()));
        }
        gates.push(FtGate {
            gate: g,
            node: graph.node_of(g),
            logic,
            args,
        });
    }
    Ok(FaultTree {
        target,
        gates,
        basic_events: basic,
    })
}
