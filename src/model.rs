//! The architecture as plain data: sites, services, integrations and what
//! each needs. Nothing here knows about YAML; the loader builds it and the
//! engine reads it. Nodes refer to each other by dense [`NodeId`]s.

use std::collections::HashMap;

use crate::diagnostic::Span;
use crate::rule::Rule;

/// Dense index of a node in [`Architecture::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    Site,
    Service,
    Integration,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Site => "site",
            NodeKind::Service => "service",
            NodeKind::Integration => "integration",
        }
    }
}

/// Importance of a service or integration, least important first so that
/// `tier >= Tier::High` reads as it should.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Tier {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Tier {
    pub const NAMES: [&'static str; 4] = ["critical", "high", "medium", "low"];

    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Tier> {
        match text {
            "low" => Some(Tier::Low),
            "medium" => Some(Tier::Medium),
            "high" => Some(Tier::High),
            "critical" => Some(Tier::Critical),
            _ => None,
        }
    }
}

/// How a dependent feels the loss of what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Down when the requirement is down.
    #[default]
    Hard,
    /// Only degraded when the requirement is down.
    Soft,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Hard => "hard",
            Mode::Soft => "soft",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SiteKind {
    Region,
    Zone,
    #[default]
    Datacenter,
    Building,
    Power,
    Network,
    Other,
}

impl SiteKind {
    pub const NAMES: [&'static str; 7] = [
        "region",
        "zone",
        "datacenter",
        "building",
        "power",
        "network",
        "other",
    ];

    pub fn parse(text: &str) -> Option<SiteKind> {
        Some(match text {
            "region" => SiteKind::Region,
            "zone" => SiteKind::Zone,
            "datacenter" => SiteKind::Datacenter,
            "building" => SiteKind::Building,
            "power" => SiteKind::Power,
            "network" => SiteKind::Network,
            "other" => SiteKind::Other,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[match self {
            SiteKind::Region => 0,
            SiteKind::Zone => 1,
            SiteKind::Datacenter => 2,
            SiteKind::Building => 3,
            SiteKind::Power => 4,
            SiteKind::Network => 5,
            SiteKind::Other => 6,
        }]
    }
}

/// One item of a `depends_on` or `requires` list.
#[derive(Clone, Debug, PartialEq)]
pub enum Dependency {
    On {
        target: NodeId,
        mode: Mode,
    },
    /// Met while at least `min` members are up.
    AnyOf {
        members: Vec<NodeId>,
        min: u32,
        mode: Mode,
    },
}

/// Where a service runs: up while at least `min` entries are up.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub entries: Vec<PlacementEntry>,
    pub min: u32,
}

/// A site of a placement, and what a standby there needs to take over.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementEntry {
    pub site: NodeId,
    pub requires: Vec<Dependency>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeDetail {
    Site {
        kind: SiteKind,
        within: Option<NodeId>,
        operator: Option<String>,
    },
    Service {
        tier: Tier,
        users: u64,
        logical: bool,
        external: bool,
        runs_in: Option<Placement>,
    },
    Integration {
        consumer: NodeId,
        provider: NodeId,
        feature: Option<String>,
        mode: Mode,
        fallback: Vec<NodeId>,
        /// Its own tier, or the consumer's when the file gives none.
        tier: Tier,
        users: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub availability: Option<f64>,
    pub depends_on: Vec<Dependency>,
    pub detail: NodeDetail,
    /// Where the node's id is written, for reports that point at the file.
    pub id_span: Span,
    /// `spof check` findings silenced on this node (`x-spof-ignore`).
    pub suppressions: Vec<Suppression>,
}

/// A check rule silenced for one node, with the reason a reviewer will read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub rule: Rule,
    pub reason: String,
}

impl Node {
    pub fn kind(&self) -> NodeKind {
        match self.detail {
            NodeDetail::Site { .. } => NodeKind::Site,
            NodeDetail::Service { .. } => NodeKind::Service,
            NodeDetail::Integration { .. } => NodeKind::Integration,
        }
    }

    /// Services and integrations have a tier; sites have none.
    pub fn tier(&self) -> Option<Tier> {
        match self.detail {
            NodeDetail::Site { .. } => None,
            NodeDetail::Service { tier, .. } | NodeDetail::Integration { tier, .. } => Some(tier),
        }
    }

    pub fn users(&self) -> u64 {
        match self.detail {
            NodeDetail::Site { .. } => 0,
            NodeDetail::Service { users, .. } | NodeDetail::Integration { users, .. } => users,
        }
    }

    /// Logical nodes never fail by themselves: logical services and every
    /// integration.
    pub fn is_logical(&self) -> bool {
        match self.detail {
            NodeDetail::Site { .. } => false,
            NodeDetail::Service { logical, .. } => logical,
            NodeDetail::Integration { .. } => true,
        }
    }

    /// A node the audit may fail on its own: a site or a non-logical service.
    pub fn is_candidate(&self) -> bool {
        !self.is_logical()
    }

    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// A whole validated architecture file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Architecture {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Sites first, then services, then integrations, each in file order.
    pub nodes: Vec<Node>,
    pub ids: HashMap<String, NodeId>,
}

impl Architecture {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn id_of(&self, id: &str) -> Option<NodeId> {
        self.ids.get(id).copied()
    }

    pub fn name_of(&self, id: NodeId) -> &str {
        &self.nodes[id.index()].id
    }

    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len() as u32).map(NodeId)
    }

    /// The nodes the audit fails one by one: sites and non-logical services.
    pub fn candidates(&self) -> Vec<NodeId> {
        self.node_ids()
            .filter(|&id| self.node(id).is_candidate())
            .collect()
    }
}

impl Architecture {
    /// Each node's position when nodes are sorted by id (Unicode code
    /// points): sorting by these numbers sorts by id, without comparing
    /// strings again.
    pub fn id_ranks(&self) -> Vec<u32> {
        let mut order: Vec<NodeId> = self.node_ids().collect();
        order.sort_by(|a, b| self.name_of(*a).cmp(self.name_of(*b)));
        let mut ranks = vec![0; order.len()];
        for (rank, id) in order.into_iter().enumerate() {
            ranks[id.index()] = rank as u32;
        }
        ranks
    }
}
