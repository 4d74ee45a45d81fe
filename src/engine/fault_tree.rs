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

use crate::model::{Architecture, Mode, NodeId};

use super::graph::{FailureGraph, Gate};

#[derive(Clone, Debug, PartialEq, Eq)]
/// An argument of a gate.
pub enum Arg {
    /// Another gate, by index in [`FaultTree::gates`].
    Gate(u32),
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
    pub gate: u32,
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
    let down_reqs = |g: u32| -> Vec<u32> {
        let all = graph.gate(g) == Gate::All;
        graph
            .requirements(g)
            .iter()
            .filter(|&&(_, mode)| !(all && mode == Mode::Soft))
            .map(|&(r, _)| r)
            .collect()
    };
    // Iterative post-order DFS, so deep chains cannot overflow the stack.
    let mut stack: Vec<(u32, usize)> = vec![(target.0, 0)];
    state[target.index()] = 1;
    while let Some(&mut (g, ref mut next)) = stack.last_mut() {
        let reqs = down_reqs(g);
        if *next < reqs.len() {
            let r = reqs[*next];
            *next += 1;
            match state[r as usize] {
                0 => {
                    state[r as usize] = 1;
                    stack.push((r, 0));
                }
                1 => {
                    let from = stack.iter().position(|&(s, _)| s == r).unwrap_or(0);
                    let cycle = stack[from..]
                        .iter()
                        .map(|&(s, _)| s)
                        .filter(|&s| graph.is_real(s))
                        .map(NodeId)
                        .collect();
                    return Err(cycle);
                }
                _ => {}
            }
            continue;
        }
        stack.pop();
        state[g as usize] = 2;
        let mut args: Vec<Arg> = reqs.iter().map(|&r| Arg::Gate(r)).collect();
        let logic = match graph.gate(g) {
            Gate::All => {
                if graph.is_real(g) && arch.node(NodeId(g)).is_candidate() {
                    basic.push(NodeId(g));
                    args.insert(0, Arg::Basic(NodeId(g)));
                }
                if args.is_empty() {
                    Logic::False
                } else {
                    Logic::Or
                }
            }
            Gate::AtLeast { min, members } => Logic::AtLeast(members - min + 1),
        };
        gates.push(FtGate {
            gate: g,
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
