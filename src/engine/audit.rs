//! `audit`: the single points of failure (format v1 §8).
//!
//! Every candidate (a site or a non-logical service) is failed alone; the
//! propagation touches only what depends on it, so the whole audit costs
//! the sum of the blast radii rather than candidates × nodes. Candidates
//! run in parallel, each worker with its own [`Scratch`].

use rayon::prelude::*;

use crate::model::{Architecture, NodeId, Tier};

use super::chain::cause_chain;
use super::graph::FailureGraph;
use super::progress::Progress;
use super::propagate::{Scratch, State};

/// Which services and integrations matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetSelection {
    /// Every service and integration of at least this tier.
    MinTier(Tier),
    /// Exactly these nodes.
    Named(Vec<NodeId>),
}

impl Default for TargetSelection {
    fn default() -> Self {
        TargetSelection::MinTier(Tier::High)
    }
}

impl TargetSelection {
    /// A flag per node: is it a target?
    pub fn flags(&self, arch: &Architecture) -> Vec<bool> {
        match self {
            TargetSelection::MinTier(min) => arch
                .nodes
                .iter()
                .map(|n| n.tier().is_some_and(|t| t >= *min))
                .collect(),
            TargetSelection::Named(ids) => {
                let mut flags = vec![false; arch.nodes.len()];
                for id in ids {
                    flags[id.index()] = true;
                }
                flags
            }
        }
    }
}

/// One single point of failure and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spof {
    pub id: NodeId,
    /// Every node down when `id` fails, except `id`; sorted by id.
    pub takes_down: Vec<NodeId>,
    /// Every node degraded when `id` fails; sorted by id.
    pub degrades: Vec<NodeId>,
    /// Sum of `users` over the nodes down, `id` included.
    pub users_affected: u64,
    /// The targets taken down, sorted by id, each with a cause chain that
    /// ends at `id`.
    pub chains: Vec<(NodeId, Vec<NodeId>)>,
    /// How many of those targets are `critical`.
    pub critical_down: usize,
}

/// Everything the audit found, ranked as format v1 §9 says.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Audit {
    pub spofs: Vec<Spof>,
    pub targets: usize,
    pub candidates: usize,
}

/// Fails each candidate alone and keeps those that take a target down.
///
/// Cost: one propagation per candidate, each over the part of the graph
/// the failure reaches: O(C · (V + E)) at worst, run on every core.
pub fn audit(arch: &Architecture, graph: &FailureGraph, targets: &TargetSelection) -> Audit {
    audit_with(arch, graph, targets, &Progress::default())
}

/// [`audit`], counting candidates tried in `progress`.
pub fn audit_with(
    arch: &Architecture,
    graph: &FailureGraph,
    targets: &TargetSelection,
    progress: &Progress,
) -> Audit {
    let is_target = targets.flags(arch);
    let ranks = arch.id_ranks();
    let candidates = arch.candidates();
    progress.start(candidates.len());
    let chunk = (candidates.len() / (rayon::current_num_threads() * 8)).max(64);
    let mut spofs: Vec<Spof> = candidates
        .par_chunks(chunk)
        .flat_map_iter(|chunk| {
            let mut scratch = Scratch::new(graph);
            let found: Vec<Spof> = chunk
                .iter()
                .filter_map(|&c| {
                    let spof = single(arch, graph, &mut scratch, &is_target, &ranks, c);
                    scratch.reset(graph);
                    progress.advance(1);
                    spof
                })
                .collect();
            found
        })
        .collect();
    spofs.sort_by(|a, b| {
        b.critical_down
            .cmp(&a.critical_down)
            .then(b.users_affected.cmp(&a.users_affected))
            .then(b.takes_down.len().cmp(&a.takes_down.len()))
            .then(arch.name_of(a.id).cmp(arch.name_of(b.id)))
    });
    Audit {
        spofs,
        targets: is_target.iter().filter(|&&t| t).count(),
        candidates: candidates.len(),
    }
}

/// The findings for candidate `c`, or `None` when it takes no target down.
pub fn single(
    arch: &Architecture,
    graph: &FailureGraph,
    scratch: &mut Scratch,
    is_target: &[bool],
    ranks: &[u32],
    c: NodeId,
) -> Option<Spof> {
    scratch.propagate(graph, &[c]);
    let real = |n: &&u32| graph.is_real(**n) && **n != c.0;
    let hits_target = scratch
        .changed
        .iter()
        .filter(real)
        .any(|&n| is_target[n as usize] && scratch.state(n) == State::Down);
    if !hits_target {
        return None;
    }
    let mut takes_down = Vec::new();
    let mut degrades = Vec::new();
    for &n in scratch.changed.iter().filter(real) {
        match scratch.state(n) {
            State::Down => takes_down.push(NodeId(n)),
            _ => degrades.push(NodeId(n)),
        }
    }
    takes_down.sort_unstable_by_key(|id| ranks[id.index()]);
    degrades.sort_unstable_by_key(|id| ranks[id.index()]);
    let users_affected = takes_down
        .iter()
        .chain(std::iter::once(&c))
        .fold(0u64, |sum, id| sum.saturating_add(arch.node(*id).users()));
    let chains: Vec<(NodeId, Vec<NodeId>)> = takes_down
        .iter()
        .filter(|id| is_target[id.index()])
        .map(|&t| (t, cause_chain(graph, scratch, t)))
        .collect();
    let critical_down = chains
        .iter()
        .filter(|(t, _)| arch.node(*t).tier() == Some(Tier::Critical))
        .count();
    Some(Spof {
        id: c,
        takes_down,
        degrades,
        users_affected,
        chains,
        critical_down,
    })
}
