//! `what-if`: every node's state under a scenario, with its cause chain.

use crate::model::{Architecture, NodeId};

use super::chain::cause_chain;
use super::graph::FailureGraph;
use super::propagate::{Scratch, State};

#[derive(Clone, Debug, PartialEq, Eq)]
/// One node that is not up, and why.
pub struct NodeOutcome {
    /// The node.
    pub id: NodeId,
    /// Down or degraded.
    pub state: State,
    /// Empty for up nodes and for the failed nodes themselves.
    pub cause: Vec<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// Every node's state under one scenario.
pub struct ScenarioOutcome {
    /// The scenario, without repeats, in id order.
    pub failed: Vec<NodeId>,
    /// Every node, in id order (Unicode code points).
    pub nodes: Vec<NodeOutcome>,
}

impl ScenarioOutcome {
    /// How many nodes are in `state`.
    pub fn count(&self, state: State) -> usize {
        self.nodes.iter().filter(|n| n.state == state).count()
    }
}

/// States of all nodes when `failed` fail together. Cost: one propagation,
/// O(V + E) at worst, and one cause chain per node not up.
pub fn what_if(arch: &Architecture, graph: &FailureGraph, failed: &[NodeId]) -> ScenarioOutcome {
    let mut scratch = Scratch::new(graph);
    scratch.propagate(graph, failed);
    let mut failed: Vec<NodeId> = failed.to_vec();
    failed.sort_by(|a, b| arch.name_of(*a).cmp(arch.name_of(*b)));
    failed.dedup();
    let mut nodes: Vec<NodeOutcome> = arch
        .node_ids()
        .map(|id| NodeOutcome {
            id,
            state: scratch.state(id.into()),
            cause: cause_chain(graph, &scratch, id),
        })
        .collect();
    nodes.sort_by(|a, b| arch.name_of(a.id).cmp(arch.name_of(b.id)));
    ScenarioOutcome { failed, nodes }
}
