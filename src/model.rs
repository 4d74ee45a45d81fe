//! The architecture as plain data: sites, services, integrations and what
//! each needs. Nothing here knows about YAML; the loader builds it and the
//! engine reads it. Nodes refer to each other by dense [`NodeId`]s.

use crate::diagnostic::KeySpan;
use crate::rule::Rule;

mod availability;
mod id;
mod id_index;
pub use availability::Availability;
pub use id::Id;
pub use id_index::IdIndex;

/// Dense index of a node in [`Architecture::nodes`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index into [`Architecture::nodes`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
/// The three kinds of node.
pub enum NodeKind {
    /// A place that fails as a whole (§3).
    Site,
    /// Something that runs somewhere (§4).
    Service,
    /// A consumer's feature that uses another organisation's service (§6).
    Integration,
}

impl NodeKind {
    /// `site`, `service` or `integration`.
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
    /// `low`.
    Low,
    #[default]
    /// `medium`, the default.
    Medium,
    /// `high`: a target by default.
    High,
    /// `critical`: ranks first in the audit.
    Critical,
}

impl Tier {
    /// The tiers as written in files, most important first.
    pub const NAMES: [&'static str; 4] = ["critical", "high", "medium", "low"];

    /// The tier as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Low => "low",
            Tier::Medium => "medium",
            Tier::High => "high",
            Tier::Critical => "critical",
        }
    }

    /// The tier a file's word names.
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
    /// `hard` or `soft`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Hard => "hard",
            Mode::Soft => "soft",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
/// What a site is; it changes nothing in the semantics, only how it is shown.
pub enum SiteKind {
    /// A cloud region.
    Region,
    /// An availability zone.
    Zone,
    #[default]
    /// A data center, the default.
    Datacenter,
    /// A building.
    Building,
    /// A power feed or electrical room.
    Power,
    /// A network or carrier.
    Network,
    /// Anything else.
    Other,
}

impl SiteKind {
    /// The kinds as written in files.
    pub const NAMES: [&'static str; 7] = [
        "region",
        "zone",
        "datacenter",
        "building",
        "power",
        "network",
        "other",
    ];

    /// The kind a file's word names.
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

    /// The kind as written in files.
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
    /// One node.
    On {
        /// What is needed.
        target: NodeId,
        /// Down or only degraded when it is down.
        mode: Mode,
    },
    /// Met while at least `min` members of the group are up. The group
    /// is kept in [`Architecture::groups`], as few dependencies are
    /// groups: a dependency is 8 bytes, where a boxed group beside the
    /// tag made every dependency 16 (issue #18: a terse file's model
    /// within 3x of the file).
    AnyOf(GroupId),
}

/// Where an `any_of` group is in [`Architecture::groups`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupId(pub u32);

impl GroupId {
    /// The index into [`Architecture::groups`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An `any_of` group (§5).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnyOf {
    /// The alternatives.
    pub members: Box<[NodeId]>,
    /// How many of them must be up.
    pub min: u32,
    /// Down or only degraded when fewer are up.
    pub mode: Mode,
}

/// Where a service runs: up while at least [`Placement::min`] of its
/// [`Placement::entries`] are up.
///
/// Most services run in one site, and a boxed list of one entry is a
/// 32-byte allocation beside the box: that one entry is kept inline, in
/// 16 bytes, and a longer list behind a thin box beside `min`, in the same
/// 16 (issue #18: a terse file's model within 3x of the file).
#[derive(Clone, Debug, PartialEq)]
pub struct Placement(Sites);

#[derive(Clone, Debug, PartialEq)]
enum Sites {
    /// One site, needed.
    One(PlacementEntry),
    /// Any other list, in file order, and how many must be up.
    Many {
        entries: Box<Box<[PlacementEntry]>>,
        min: u32,
    },
}

impl Placement {
    /// `min` of `entries` (in file order) must be up.
    pub fn new(entries: Vec<PlacementEntry>, min: u32) -> Self {
        match <[PlacementEntry; 1]>::try_from(entries) {
            Ok([only]) if min == 1 => Placement(Sites::One(only)),
            Ok(one) => Placement(Sites::Many {
                entries: Box::new(Box::new(one)),
                min,
            }),
            Err(entries) => Placement(Sites::Many {
                entries: Box::new(entries.into()),
                min,
            }),
        }
    }

    /// Runs in `site` alone.
    pub fn one(site: NodeId) -> Self {
        Placement(Sites::One(PlacementEntry {
            site,
            requires: Requires::default(),
        }))
    }

    /// The sites, in file order.
    pub fn entries(&self) -> &[PlacementEntry] {
        match &self.0 {
            Sites::One(entry) => std::slice::from_ref(entry),
            Sites::Many { entries, .. } => entries,
        }
    }

    /// The sites, to change in place.
    pub fn entries_mut(&mut self) -> &mut [PlacementEntry] {
        match &mut self.0 {
            Sites::One(entry) => std::slice::from_mut(entry),
            Sites::Many { entries, .. } => entries,
        }
    }

    /// How many entries must be up (1 unless the file says).
    pub fn min(&self) -> u32 {
        match &self.0 {
            Sites::One(_) => 1,
            Sites::Many { min, .. } => *min,
        }
    }

    /// Keeps the entries `keep` says to, changed as it changes them; `min`
    /// stays as it was.
    pub fn retain(&mut self, keep: impl FnMut(&mut PlacementEntry) -> bool) {
        let min = self.min();
        let mut entries = match std::mem::replace(
            &mut self.0,
            Sites::Many {
                entries: Box::default(),
                min,
            },
        ) {
            Sites::One(entry) => vec![entry],
            Sites::Many { entries, .. } => entries.into_vec(),
        };
        entries.retain_mut(keep);
        *self = Placement::new(entries, min);
    }
}

/// A site of a placement, and what a standby there needs to take over.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementEntry {
    /// The site.
    pub site: NodeId,
    /// What a copy there needs besides the site (a standby's tooling).
    pub requires: Requires,
}

/// What a copy at a site needs besides the site (nearly always nothing):
/// a list in [`Architecture::dependencies`], as a node's `depends_on` is,
/// read with [`Architecture::requires`]. 8 bytes, with no alignment of 8,
/// so that an entry is 12 bytes and a placement of one site 16.
pub type Requires = DependsOn;

/// A list that is nearly always empty: 8 bytes and no allocation when
/// empty, where a boxed slice is 16 (an integration's fallbacks).
#[derive(Clone, Debug, PartialEq)]
pub struct Thin<T>(Option<Box<Box<[T]>>>);

impl<T> Default for Thin<T> {
    fn default() -> Self {
        Thin(None)
    }
}

impl<T> Thin<T> {
    /// Changes the list in place with `change` (which may empty it).
    pub fn change(&mut self, change: impl FnOnce(&mut Box<[T]>)) {
        if let Some(list) = &mut self.0 {
            change(list);
            if list.is_empty() {
                self.0 = None;
            }
        }
    }
}

impl<T> std::ops::Deref for Thin<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], |list| list)
    }
}

impl<T> From<Vec<T>> for Thin<T> {
    fn from(list: Vec<T>) -> Self {
        Thin((!list.is_empty()).then(|| Box::new(list.into_boxed_slice())))
    }
}

impl<T> FromIterator<T> for Thin<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Thin::from(items.into_iter().collect::<Vec<T>>())
    }
}

#[derive(Clone, Debug, PartialEq)]
/// What is particular to each kind of node.
pub enum NodeDetail {
    /// A site (§3).
    Site {
        /// Region, zone, data center, ...
        kind: SiteKind,
        /// The larger site it is part of.
        within: Option<NodeId>,
        /// Who operates it.
        operator: Option<Box<str>>,
    },
    /// A service (§4).
    Service {
        /// Its tier.
        tier: Tier,
        /// Its users.
        users: u64,
        /// Fails only through what it needs, never on its own.
        logical: bool,
        /// Run by another organisation.
        external: bool,
        /// Where it runs; `None` when the file does not say.
        runs_in: Option<Placement>,
    },
    /// An integration (§6).
    Integration {
        /// The service whose feature it is.
        consumer: NodeId,
        /// The service it uses.
        provider: NodeId,
        /// Whether losing it takes the consumer down or only degrades it.
        mode: Mode,
        /// Alternatives to the provider.
        fallback: Thin<NodeId>,
        /// Its own tier, or the consumer's when the file gives none.
        tier: Tier,
        /// Its users.
        users: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
/// A site, service or integration.
pub struct Node {
    /// Its id, unique in the architecture.
    pub id: Id,
    /// Its name, owner and notes, which few nodes have.
    pub about: About,
    /// Probability that it is up on its own, if the file gives one.
    pub availability: Availability,
    /// What it needs besides its placement: a list in
    /// [`Architecture::dependencies`], read with [`Architecture::depends_on`].
    /// Two nodes compare where their lists are, not the lists: nodes of two
    /// architectures are compared through the architectures.
    pub depends_on: DependsOn,
    /// What is particular to its kind.
    pub detail: NodeDetail,
    /// Where the node's id is written, for reports that point at the file
    /// (`KeySpan::span`).
    pub id_span: KeySpan,
}

/// A node's display name, who runs it and its [`Notes`], in one box: most
/// nodes of a big file have none of them, and one empty box is 8 bytes of
/// every node, where the name and owner inline would be 32 (issue #18).
/// The notes are boxed again inside, so that a node with a name or an
/// owner alone (every component of a Backstage catalog has an owner)
/// costs a box of 40 bytes, as when the two were boxed on their own, not
/// one with room for every note.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct About(Option<Box<AboutNode>>);

#[derive(Clone, Debug, Default, PartialEq)]
struct AboutNode {
    name: Option<Box<str>>,
    owner: Option<Box<str>>,
    notes: Option<Box<Notes>>,
}

impl About {
    /// The name, owner and notes, if the file gives any.
    pub fn new(name: Option<Box<str>>, owner: Option<Box<str>>, notes: Notes) -> Self {
        let notes = notes.boxed();
        let any = name.is_some() || owner.is_some() || notes.is_some();
        About(any.then(|| Box::new(AboutNode { name, owner, notes })))
    }

    /// Display name.
    pub fn name(&self) -> Option<&str> {
        self.0.as_ref()?.name.as_deref()
    }

    /// Who runs it.
    pub fn owner(&self) -> Option<&str> {
        self.0.as_ref()?.owner.as_deref()
    }

    /// Its notes, if it has any.
    pub fn notes(&self) -> Option<&Notes> {
        self.0.as_ref()?.notes.as_deref()
    }

    /// Its notes, made empty first if it has none.
    pub fn notes_mut(&mut self) -> &mut Notes {
        let about = self.0.get_or_insert_default();
        about.notes.get_or_insert_default()
    }
}

/// A node's description, tags, feature and silenced findings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notes {
    /// Free text.
    pub description: Option<String>,
    /// An integration's feature, in words (§6).
    pub feature: Option<Box<str>>,
    /// Free labels.
    pub tags: Vec<String>,
    /// `spof check` findings silenced on this node (`x-spof-ignore`).
    pub suppressions: Vec<Suppression>,
}

impl Notes {
    /// `None` when there is nothing to note, so that nothing is allocated.
    pub fn boxed(self) -> Option<Box<Notes>> {
        (self != Notes::default()).then(|| Box::new(self))
    }
}

/// A check rule silenced for one node, with the reason a reviewer will read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    /// The rule.
    pub rule: Rule,
    /// Why it is accepted.
    pub reason: String,
}

impl Node {
    /// Site, service or integration.
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

    /// Its users (0 for sites).
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

    /// The probability that it does not fail on its own (§10): its
    /// `availability` when it is a candidate that has one, else 1 (a
    /// logical node never fails on its own, nor a node without one).
    pub fn own_availability(&self) -> f64 {
        match self.availability.get() {
            Some(a) if self.is_candidate() => a,
            _ => 1.0,
        }
    }

    /// A copy of it that holds its lists where `other` holds its own
    /// (`depends_on` and each placement entry's `requires`, entry by entry
    /// while both have one): what is left to compare once the lists are
    /// compared through their architectures.
    fn with_lists_of(&self, other: &Node) -> Node {
        let mut copy = Node {
            depends_on: other.depends_on,
            ..self.clone()
        };
        if let (
            NodeDetail::Service {
                runs_in: Some(mine),
                ..
            },
            NodeDetail::Service {
                runs_in: Some(theirs),
                ..
            },
        ) = (&mut copy.detail, &other.detail)
        {
            for (m, t) in mine.entries_mut().iter_mut().zip(theirs.entries()) {
                m.requires = t.requires;
            }
        }
        copy
    }

    /// Where it runs, for a service whose file says.
    pub fn placement(&self) -> Option<&Placement> {
        match &self.detail {
            NodeDetail::Service { runs_in, .. } => runs_in.as_ref(),
            _ => None,
        }
    }

    /// Its name, else its id.
    pub fn display_name(&self) -> &str {
        self.about.name().unwrap_or(&self.id)
    }

    /// Its description.
    pub fn description(&self) -> Option<&str> {
        self.about.notes()?.description.as_deref()
    }

    /// An integration's feature, in words.
    pub fn feature(&self) -> Option<&str> {
        self.about.notes()?.feature.as_deref()
    }

    /// Its tags.
    pub fn tags(&self) -> &[String] {
        self.about.notes().map_or(&[], |n| &n.tags)
    }

    /// The `spof check` findings silenced on it.
    pub fn suppressions(&self) -> &[Suppression] {
        self.about.notes().map_or(&[], |n| &n.suppressions)
    }
}

/// Where a node's `depends_on` list (or a placement entry's `requires`
/// list, [`Requires`]) is in [`Architecture::dependencies`].
///
/// Every such list is in that one vector, and the node holds where: 8
/// bytes, where a boxed slice would be 16 in the node and an allocation of
/// its own, rounded up by the allocator (issue #18: a terse file's model
/// within 3x of the file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DependsOn {
    start: u32,
    len: u32,
}

impl DependsOn {
    /// `list`, added at the end of `all` (an architecture's dependencies).
    pub fn push(all: &mut Vec<Dependency>, list: impl IntoIterator<Item = Dependency>) -> Self {
        let start = all.len();
        all.extend(list);
        DependsOn {
            start: start as u32,
            len: (all.len() - start) as u32,
        }
    }

    /// Whether the list is empty.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// Its place in the architecture's dependencies.
    pub fn range(self) -> std::ops::Range<usize> {
        let start = self.start as usize;
        start..start + self.len as usize
    }

    /// The first `len` of the list (no more than it holds).
    pub fn truncated(self, len: usize) -> Self {
        DependsOn {
            len: self.len.min(len as u32),
            ..self
        }
    }
}

/// A whole validated architecture file.
#[derive(Clone, Debug, Default)]
pub struct Architecture {
    /// The file's `name`.
    pub name: Option<String>,
    /// The file's `description`.
    pub description: Option<String>,
    /// Sites first, then services, then integrations, each in file order.
    pub nodes: Vec<Node>,
    /// Id to index, through the nodes' own ids.
    pub ids: IdIndex,
    /// Every node's `depends_on` list, each where its node's
    /// [`Node::depends_on`] says, and every placement entry's `requires`
    /// list, where its [`PlacementEntry::requires`] says.
    pub dependencies: Vec<Dependency>,
    /// The `any_of` groups the dependencies name ([`Dependency::AnyOf`]),
    /// in the order the nodes name them (their `requires` lists first,
    /// then `depends_on`), whatever order the files were read in.
    pub groups: Vec<AnyOf>,
}

/// Equal when the nodes are, each with the dependencies it names, and the
/// groups: where the lists are in [`Architecture::dependencies`] depends
/// on the order the files were read in, but the groups are numbered in
/// the nodes' order.
impl PartialEq for Architecture {
    fn eq(&self, other: &Self) -> bool {
        let same = |(a, b): (&Node, &Node)| {
            self.depends_on(a) == other.depends_on(b)
                && self.requires_of(a).eq(other.requires_of(b))
                && a.with_lists_of(b) == *b
        };
        self.name == other.name
            && self.description == other.description
            && self.ids == other.ids
            && self.groups == other.groups
            && self.nodes.len() == other.nodes.len()
            && self.nodes.iter().zip(&other.nodes).all(same)
    }
}

impl Architecture {
    /// What `node` (one of this architecture's) needs besides its placement.
    pub fn depends_on(&self, node: &Node) -> &[Dependency] {
        self.dependencies
            .get(node.depends_on.range())
            .unwrap_or_default()
    }

    /// What each entry of `node`'s placement requires, in order.
    fn requires_of<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a [Dependency]> {
        let entries = node.placement().map_or(&[][..], Placement::entries);
        entries.iter().map(|entry| self.requires(entry))
    }

    /// What a copy at a placement entry (one of this architecture's) needs
    /// besides the site.
    pub fn requires(&self, entry: &PlacementEntry) -> &[Dependency] {
        self.dependencies
            .get(entry.requires.range())
            .unwrap_or_default()
    }

    /// The `any_of` group a dependency (one of this architecture's) names.
    pub fn group(&self, id: GroupId) -> &AnyOf {
        &self.groups[id.index()]
    }

    /// The node at an index.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The index of an id, if it is declared.
    pub fn id_of(&self, id: &str) -> Option<NodeId> {
        self.ids.find(id, |at| self.nodes[at.index()].id.as_bytes())
    }

    /// Rebuilds [`Architecture::ids`] from the nodes (the first of an id
    /// given twice wins), for an architecture built by hand.
    pub fn reindex(&mut self) {
        let mut ids = IdIndex::default();
        for (i, node) in self.nodes.iter().enumerate() {
            let text_of = |at: NodeId| self.nodes[at.index()].id.as_bytes();
            ids.find_or_insert(&node.id, NodeId(i as u32), text_of);
        }
        self.ids = ids;
    }

    /// The id of the node at an index.
    pub fn name_of(&self, id: NodeId) -> &str {
        &self.nodes[id.index()].id
    }

    /// Every index, in order.
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
        // Bytes order is `str` order (code points), without a UTF-8 check
        // per comparison; the index breaks ties as a stable sort would.
        // Each id's bytes sit beside its index, so a comparison reads no
        // node.
        let mut order: Vec<(&[u8], u32)> = self
            .nodes
            .iter()
            .zip(0u32..)
            .map(|(node, i)| (node.id.as_bytes(), i))
            .collect();
        order.sort_unstable();
        let mut ranks = vec![0; order.len()];
        for (rank, (_, i)) in order.into_iter().enumerate() {
            ranks[i as usize] = rank as u32;
        }
        ranks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A node is the bulk of a big model (issue #18: memory within 3x of
    /// the file): a field that makes it bigger should be a choice.
    #[test]
    fn the_parts_of_a_node_keep_their_size() {
        assert_eq!(std::mem::size_of::<Node>(), 88);
        assert_eq!(std::mem::size_of::<Dependency>(), 8);
        assert_eq!(std::mem::size_of::<PlacementEntry>(), 12);
        assert_eq!(std::mem::size_of::<Option<Placement>>(), 16);
    }

    fn entry(site: u32) -> PlacementEntry {
        PlacementEntry {
            site: NodeId(site),
            requires: Requires::default(),
        }
    }

    #[test]
    fn a_placement_gives_back_its_entries_and_min_however_it_is_kept() {
        let one = Placement::new(vec![entry(7)], 1);
        assert_eq!(one, Placement::one(NodeId(7)));
        assert!(matches!(one.0, Sites::One(_)));
        assert_eq!((one.entries(), one.min()), (&[entry(7)][..], 1));
        // One entry with another `min` (a load that fails) is kept as given.
        let odd = Placement::new(vec![entry(7)], 2);
        assert_eq!((odd.entries(), odd.min()), (&[entry(7)][..], 2));
        let mut quorum = Placement::new(vec![entry(1), entry(2), entry(3)], 2);
        assert_eq!((quorum.entries().len(), quorum.min()), (3, 2));
        quorum.entries_mut()[0].site = NodeId(9);
        quorum.retain(|e| e.site != NodeId(2));
        assert_eq!(
            (quorum.entries(), quorum.min()),
            (&[entry(9), entry(3)][..], 2)
        );
        let mut list = Placement::new(vec![entry(1), entry(2)], 1);
        list.retain(|e| e.site == NodeId(2));
        assert_eq!(list, Placement::one(NodeId(2)));
        list.retain(|_| false);
        assert_eq!((list.entries(), list.min()), (&[][..], 1));
    }

    #[test]
    fn what_is_said_about_a_node_is_given_back() {
        assert_eq!(About::new(None, None, Notes::default()), About::default());
        assert!(About::default().0.is_none());
        let both = About::new(Some("Talk".into()), Some("team".into()), Notes::default());
        assert_eq!((both.name(), both.owner()), (Some("Talk"), Some("team")));
        assert_eq!(both.notes(), None);
        let owner = About::new(None, Some("team".into()), Notes::default());
        assert_eq!((owner.name(), owner.owner()), (None, Some("team")));
        let tagged = Notes {
            tags: vec!["edge".into()],
            ..Notes::default()
        };
        let mut noted = About::new(None, None, tagged.clone());
        assert_eq!((noted.name(), noted.notes()), (None, Some(&tagged)));
        noted.notes_mut().feature = Some("login".into());
        assert_eq!(
            noted.notes().and_then(|n| n.feature.as_deref()),
            Some("login")
        );
        let mut plain = About::default();
        plain.notes_mut().feature = Some("map".into());
        assert_eq!(
            plain.notes().and_then(|n| n.feature.as_deref()),
            Some("map")
        );
    }
}
