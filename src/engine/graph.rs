//! The architecture compiled into a failure graph: one gate per node, plus
//! small helper gates for `any_of` groups, placements and placement entries.
//!
//! Edges run from a requirement to the node that needs it, so a failure
//! propagates along outgoing edges. Real nodes keep their [`NodeId`] as
//! their index; helper gates come after them.

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId, Placement};

/// Index of a gate in a [`FailureGraph`]. Real nodes come first and keep
/// their [`NodeId`] as their index (`GateId::from(node)`); helper gates
/// follow. [`FailureGraph::node_of`] goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct GateId(pub(crate) u32);

impl GateId {
    /// The index into per-gate buffers.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl From<NodeId> for GateId {
    fn from(id: NodeId) -> Self {
        GateId(id.0)
    }
}

/// How a gate combines its requirements (format v1, §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// A site, service or integration, or a placement entry: down when it
    /// failed or a hard requirement is down; degraded when a hard
    /// requirement is degraded or a soft one is down.
    All,
    /// An `any_of` group or a multi-site placement: down when fewer than
    /// `min` members are not down, degraded when fewer than `min` are up.
    AtLeast {
        /// How many requirements must be up.
        min: u32,
        /// How many requirements there are.
        members: u32,
    },
}

impl Gate {
    /// Whether a requirement's down state, along an edge of `mode`, can
    /// take this gate down: every edge but a soft one into an `All` gate,
    /// which only degrades it (format v1 §7).
    pub(crate) fn carries_down(self, mode: Mode) -> bool {
        !(self == Gate::All && mode == Mode::Soft)
    }

    /// Whether a requirement's down state alone, along an edge of `mode`,
    /// takes this gate down whatever else is down: a hard edge into an
    /// `All` gate, or any edge into an `AtLeast` gate that needs every
    /// member (format v1 §7).
    pub(crate) fn forced_by(self, mode: Mode) -> bool {
        match self {
            Gate::All => mode == Mode::Hard,
            Gate::AtLeast { min, members } => min >= members,
        }
    }
}

/// What a helper gate stands for, so findings can name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HelperRole {
    /// A `runs_in` list or quorum.
    Placement,
    /// One entry of a placement that has `requires`.
    PlacementEntry,
    /// An `any_of` group.
    AnyOf,
    /// An integration's provider and fallbacks.
    Providers,
}

/// A helper gate's owner (the node whose field it comes from) and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Helper {
    /// The node the helper gate belongs to.
    pub owner: NodeId,
    /// Which part of that node it stands for.
    pub role: HelperRole,
}

/// [`FailureGraph::placement_of`] for a node without a placement.
const NO_PLACEMENT: u32 = u32::MAX;

/// The compiled graph with a flat copy of the edges for the hot loops.
#[derive(Debug)]
pub struct FailureGraph {
    /// The gates and, as edges, what each one requires and how hard.
    pub graph: DiGraph<Gate, Mode, u32>,
    /// Number of real nodes; indices below it are [`NodeId`]s.
    pub real: usize,
    /// For each helper gate (index `real + i`), what it stands for.
    pub helpers: Vec<Helper>,
    dependents_start: Vec<u32>,
    dependents: Vec<(GateId, Mode)>,
    requirements_start: Vec<u32>,
    requirements: Vec<(GateId, Mode)>,
    /// For each real node, the gate its placement is (see
    /// [`FailureGraph::placement_of`]); [`NO_PLACEMENT`] for none.
    placements: Vec<u32>,
}

impl FailureGraph {
    /// Builds the graph in O(nodes + references).
    pub fn build(arch: &Architecture) -> Self {
        let mut graph = DiGraph::<Gate, Mode, u32>::with_capacity(arch.nodes.len(), 0);
        for _ in &arch.nodes {
            graph.add_node(Gate::All);
        }
        let mut helpers = Vec::new();
        let mut placements = vec![NO_PLACEMENT; arch.nodes.len()];
        let mut b = Builder {
            arch,
            graph: &mut graph,
            helpers: &mut helpers,
            owner: NodeId(0),
        };
        for id in arch.node_ids() {
            let node = arch.node(id);
            b.owner = id;
            let me = NodeIndex::new(id.index());
            match &node.detail {
                NodeDetail::Site { within, .. } => {
                    if let Some(parent) = within {
                        b.edge(ix(*parent), me, Mode::Hard);
                    }
                }
                NodeDetail::Service { runs_in, .. } => {
                    if let Some(placement) = runs_in {
                        let gate = b.placement(placement);
                        b.edge(gate, me, Mode::Hard);
                        placements[id.index()] = gate.index() as u32;
                    }
                }
                NodeDetail::Integration {
                    consumer,
                    provider,
                    mode,
                    fallback,
                    ..
                } => {
                    let mut sources = vec![*provider];
                    sources.extend(fallback.iter());
                    let gate = b.group(&sources, 1, HelperRole::Providers);
                    b.edge(gate, me, Mode::Hard);
                    b.edge(me, ix(*consumer), *mode);
                }
            }
            b.dependencies(arch.depends_on(node), me);
        }
        let ((dependents_start, dependents), (requirements_start, requirements)) = rayon::join(
            || flatten(&graph, Direction::Outgoing),
            || flatten(&graph, Direction::Incoming),
        );
        FailureGraph {
            graph,
            real: arch.nodes.len(),
            helpers,
            dependents_start,
            dependents,
            requirements_start,
            requirements,
            placements,
        }
    }

    /// The gate that stands for where service `id` runs: its placement's
    /// helper, its one entry's helper, or its one site. `None` for a node
    /// without a placement. O(1), kept as the graph is built: not read
    /// from the service's requirements, where an integration declared
    /// before its consumer puts its own edge first, and a service that
    /// also depends on its one site has that site twice.
    pub fn placement_of(&self, id: NodeId) -> Option<GateId> {
        let gate = *self.placements.get(id.index())?;
        (gate != NO_PLACEMENT).then_some(GateId(gate))
    }

    /// How many gates: real nodes first, then helpers.
    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    /// Whether there are no gates.
    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// The gate at index `n`.
    pub fn gate(&self, n: GateId) -> Gate {
        self.graph[NodeIndex::new(n.index())]
    }

    /// The gates that need `n`, with how they need it.
    pub fn dependents(&self, n: GateId) -> &[(GateId, Mode)] {
        let (a, b) = (
            self.dependents_start[n.index()],
            self.dependents_start[n.index() + 1],
        );
        &self.dependents[a as usize..b as usize]
    }

    /// What gate `n` needs, with how it needs it.
    pub fn requirements(&self, n: GateId) -> &[(GateId, Mode)] {
        let (a, b) = (
            self.requirements_start[n.index()],
            self.requirements_start[n.index() + 1],
        );
        &self.requirements[a as usize..b as usize]
    }

    /// Whether gate `n` is a node of the architecture (not a helper).
    pub fn is_real(&self, n: GateId) -> bool {
        n.index() < self.real
    }

    /// The node gate `n` is, or `None` for a helper gate.
    pub fn node_of(&self, n: GateId) -> Option<NodeId> {
        self.is_real(n).then_some(NodeId(n.0))
    }

    /// What helper gate `n` stands for; `None` for a real node.
    pub fn helper(&self, n: GateId) -> Option<Helper> {
        n.index().checked_sub(self.real).map(|i| self.helpers[i])
    }
}

fn ix(id: NodeId) -> NodeIndex<u32> {
    NodeIndex::new(id.index())
}

/// Adjacency in one direction as offsets into one array, each gate's edges
/// in insertion order, so that results do not depend on petgraph's list
/// order. A counting sort over the edge list, read once in order, so
/// O(gates and edges). Walking petgraph's per-gate lists instead jumps
/// across the edge array at every step, and each list then needs sorting:
/// at a million services, 1.3 s against 0.4 s for both directions.
fn flatten(graph: &DiGraph<Gate, Mode, u32>, dir: Direction) -> (Vec<u32>, Vec<(GateId, Mode)>) {
    let edges = graph.raw_edges();
    let ends = |e: &petgraph::graph::Edge<Mode, u32>| match dir {
        Direction::Outgoing => (e.source().index(), e.target().index()),
        Direction::Incoming => (e.target().index(), e.source().index()),
    };
    let mut start = vec![0u32; graph.node_count() + 1];
    for e in edges {
        start[ends(e).0 + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut next = start.clone();
    let mut flat = vec![(GateId(0), Mode::Hard); edges.len()];
    for e in edges {
        let (from, to) = ends(e);
        flat[next[from] as usize] = (GateId(to as u32), e.weight);
        next[from] += 1;
    }
    (start, flat)
}

struct Builder<'g> {
    arch: &'g Architecture,
    graph: &'g mut DiGraph<Gate, Mode, u32>,
    helpers: &'g mut Vec<Helper>,
    /// The node whose fields are being compiled.
    owner: NodeId,
}

impl Builder<'_> {
    fn helper(&mut self, gate: Gate, role: HelperRole) -> NodeIndex<u32> {
        self.helpers.push(Helper {
            owner: self.owner,
            role,
        });
        self.graph.add_node(gate)
    }

    fn edge(&mut self, from: NodeIndex<u32>, to: NodeIndex<u32>, mode: Mode) {
        self.graph.add_edge(from, to, mode);
    }

    /// A gate met while `min` of `members` are up; a lone member needs none.
    fn group(&mut self, members: &[NodeId], min: u32, role: HelperRole) -> NodeIndex<u32> {
        if let ([only], 1) = (members, min) {
            return ix(*only);
        }
        let gate = self.helper(
            Gate::AtLeast {
                min,
                members: members.len() as u32,
            },
            role,
        );
        for &m in members {
            self.edge(ix(m), gate, Mode::Hard);
        }
        gate
    }

    fn placement(&mut self, placement: &Placement) -> NodeIndex<u32> {
        let entries: Vec<NodeIndex<u32>> = placement
            .entries()
            .iter()
            .map(|entry| {
                if entry.requires.is_empty() {
                    return ix(entry.site);
                }
                let gate = self.helper(Gate::All, HelperRole::PlacementEntry);
                self.edge(ix(entry.site), gate, Mode::Hard);
                let arch = self.arch;
                self.dependencies(arch.requires(entry), gate);
                gate
            })
            .collect();
        if let ([only], 1) = (entries.as_slice(), placement.min()) {
            return *only;
        }
        let gate = self.helper(
            Gate::AtLeast {
                min: placement.min(),
                members: entries.len() as u32,
            },
            HelperRole::Placement,
        );
        for e in entries {
            self.edge(e, gate, Mode::Hard);
        }
        gate
    }

    fn dependencies(&mut self, deps: &[Dependency], me: NodeIndex<u32>) {
        for dep in deps {
            match dep {
                Dependency::On { target, mode } => self.edge(ix(*target), me, *mode),
                Dependency::AnyOf(group) => {
                    let group = self.arch.group(*group);
                    let gate = self.group(&group.members, group.min, HelperRole::AnyOf);
                    self.edge(gate, me, group.mode);
                }
            }
        }
    }
}

impl FailureGraph {
    /// The real nodes within `depth` steps of `start`, following
    /// requirements in both directions; helper gates cost no step.
    /// O(gates + edges) (a 0-1 breadth-first search).
    pub fn neighbourhood(&self, start: NodeId, depth: u32) -> Vec<bool> {
        use std::collections::VecDeque;
        let mut dist = vec![u32::MAX; self.len()];
        let mut queue = VecDeque::new();
        dist[start.index()] = 0;
        queue.push_back(GateId::from(start));
        while let Some(n) = queue.pop_front() {
            let d = dist[n.index()];
            let neighbours = self.dependents(n).iter().chain(self.requirements(n));
            for &(m, _) in neighbours {
                let step = u32::from(self.is_real(m));
                let nd = d + step;
                if nd <= depth && nd < dist[m.index()] {
                    dist[m.index()] = nd;
                    if step == 0 {
                        queue.push_front(m);
                    } else {
                        queue.push_back(m);
                    }
                }
            }
        }
        dist[..self.real].iter().map(|&d| d != u32::MAX).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    #[test]
    fn a_placement_is_found_whatever_its_form_and_whatever_comes_first() {
        let text = "version: 1\nintegrations:\n  login: {consumer: one, provider: tool}\nsites:\n  a: {}\n  b: {}\nservices:\n  tool: {}\n  one: {runs_in: a, depends_on: [tool]}\n  twice: {depends_on: [tool, a], runs_in: a}\n  list: {runs_in: [a, b], depends_on: [tool]}\n  entry: {runs_in: [{site: a, requires: [tool]}], depends_on: [tool]}\n";
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        let id = |s: &str| arch.id_of(s).unwrap();
        let helper = |s: &str| graph.placement_of(id(s)).and_then(|g| graph.helper(g));
        let a = GateId::from(id("a"));
        assert_eq!(graph.placement_of(id("one")), Some(a));
        assert_eq!(graph.placement_of(id("twice")), Some(a));
        let role = |role| {
            Some(Helper {
                owner: id("list"),
                role,
            })
        };
        assert_eq!(helper("list"), role(HelperRole::Placement));
        let role = |role| {
            Some(Helper {
                owner: id("entry"),
                role,
            })
        };
        assert_eq!(helper("entry"), role(HelperRole::PlacementEntry));
        for unplaced in ["tool", "a", "b"] {
            assert_eq!(graph.placement_of(id(unplaced)), None, "{unplaced}");
        }
    }
}
