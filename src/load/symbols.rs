//! Ids as the checker meets them, one entry at a time: a number for each id
//! at its first mention, whether declaration (its node's place in the
//! checker's list) or reference (a number from `FORWARD` up), so that a
//! reference to a node declared further on (or in a later file) costs no
//! second pass. Once every file is read, [`Symbols::numbering`] gives each
//! declared id its place in the model and [`renumber`] rewrites the nodes.
//!
//! Architecture invariant: a symbol becomes a [`NodeId`] only through
//! `numbering`; until then the `NodeId`s inside the checker's nodes are
//! symbols.

use crate::diagnostic::Span;
use crate::model::{AnyOf, Dependency, GroupId, Id, IdIndex, Node, NodeDetail, NodeId, NodeKind};

/// An id declared by a key of `sites`, `services` or `integrations`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Declared {
    pub id: NodeId,
    pub kind: NodeKind,
    pub span: Span,
}

/// Symbols from here up are ids met before their declaration (or never
/// declared): the k-th such id is `FORWARD + k`. Below it, a symbol is its
/// node's place in the checker's list (`State::nodes`), so a declared id's
/// text and kind are read from its node with no table between. A file of
/// 2^31 nodes would need hundreds of GB of memory before reaching it.
const FORWARD: u32 = 1 << 31;

/// Every id met, once. A declared id's text is its node's, so each id is
/// hashed once on the way in and stored once: a copy here would be 16
/// bytes an id until the end of the load, which is its peak (issue #18).
/// Only an id named before its declaration keeps a text of its own. The
/// index becomes [`crate::model::Architecture::ids`] as it is.
#[derive(Debug, Default)]
pub(super) struct Symbols {
    pub ids: IdIndex,
    /// By `sym - FORWARD`: the text of an id named before its declaration,
    /// and its kind and its node's place once declared.
    forward: Vec<(Id, Option<(NodeKind, u32)>)>,
    /// The id and kind of the node being read: declared, and not yet in the
    /// checker's list, where it will be at the place that is its symbol (if
    /// its id was not named before).
    building: (Id, Option<NodeKind>),
}

/// The text of `sym`, read from its node for a declared one.
fn text_of<'t>(
    forward: &'t [(Id, Option<(NodeKind, u32)>)],
    building: &'t Id,
    nodes: &'t [Node],
    sym: NodeId,
) -> &'t [u8] {
    match sym.0.checked_sub(FORWARD) {
        None => nodes
            .get(sym.index())
            .map_or(building, |node| &node.id)
            .as_bytes(),
        Some(k) => forward.get(k as usize).map_or(&[], |(id, _)| id.as_bytes()),
    }
}

impl Symbols {
    /// The symbol of `id`, if it was met; `nodes` is the checker's list.
    pub(super) fn get(&self, id: &str, nodes: &[Node]) -> Option<NodeId> {
        let (forward, building) = (&self.forward, &self.building.0);
        self.ids
            .find(id, |sym| text_of(forward, building, nodes, sym))
    }

    /// The symbol of the reference `id`, new if it was never met: one hash
    /// (most ids are declared before anything names them). `nodes` is the
    /// checker's list.
    pub(super) fn intern(&mut self, id: &str, nodes: &[Node]) -> NodeId {
        let next = NodeId(FORWARD.saturating_add(self.forward.len() as u32));
        let (forward, building) = (&self.forward, &self.building.0);
        let (sym, new) = self
            .ids
            .find_or_insert(id, next, |sym| text_of(forward, building, nodes, sym));
        if new {
            self.forward.push((Id::new(id), None));
        }
        sym
    }

    /// Room for `more` symbols without growing.
    pub(super) fn reserve(&mut self, more: usize) {
        let (forward, building) = (&self.forward, &self.building.0);
        self.ids
            .reserve(more, |sym| text_of(forward, building, &[], sym));
    }

    /// The text of `sym` (the checker's list is `nodes`).
    pub(super) fn text<'t>(&'t self, sym: NodeId, nodes: &'t [Node]) -> &'t str {
        let text = text_of(&self.forward, &self.building.0, nodes, sym);
        // Always `Ok`: every text is a `str`'s bytes.
        std::str::from_utf8(text).unwrap_or_default()
    }

    /// The kind of a declared symbol and the place of its node in the
    /// checker's list `nodes` (or past its end, for the node being read).
    pub(super) fn declaration(&self, sym: NodeId, nodes: &[Node]) -> Option<(NodeKind, u32)> {
        match sym.0.checked_sub(FORWARD) {
            None => {
                let kind = nodes.get(sym.index()).map(Node::kind).or(self.building.1)?;
                Some((kind, sym.0))
            }
            Some(k) => self
                .forward
                .get(k as usize)
                .and_then(|(_, declared)| *declared),
        }
    }

    /// The symbol of the key `id` of a node that will be `at` in the
    /// checker's list (`nodes`), and is read next: declared here as `kind`
    /// unless it was declared before, which the answer says. Its text is
    /// the node's from then on (`building` until it is in the list).
    pub(super) fn declare(
        &mut self,
        id: &str,
        kind: NodeKind,
        at: u32,
        nodes: &[Node],
    ) -> (NodeId, bool) {
        let (forward, building) = (&self.forward, &self.building.0);
        let (sym, new) = self
            .ids
            .find_or_insert(id, NodeId(at), |sym| text_of(forward, building, nodes, sym));
        if !new {
            let Some(k) = sym.0.checked_sub(FORWARD) else {
                return (sym, true);
            };
            match self.forward.get_mut(k as usize) {
                Some((_, declared @ None)) => *declared = Some((kind, at)),
                _ => return (sym, true),
            }
        }
        self.building = (Id::new(id), Some(kind));
        (sym, false)
    }

    /// The id of the node read last, for its node: it is in the checker's
    /// list from now on, where its text is read.
    pub(super) fn take_building(&mut self) -> Id {
        std::mem::take(&mut self.building.0)
    }

    /// Each symbol's `NodeId` in the model, given the symbols of the nodes
    /// in model order (a load with an id never declared fails, but the
    /// model is still built, so nothing may panic on it). The index keeps
    /// the declared ones, renumbered. No text may be asked for after this.
    ///
    /// The node at place `at` of `order` becomes `NodeId(at)`. Where no
    /// node moved from the place it was read in (a file whose sections are
    /// in model order), every declared symbol is its own place, so `order`
    /// itself becomes the numbering, with no second list at the load's
    /// peak (400 KB at 100,000 nodes).
    pub(super) fn numbering(&mut self, mut order: Vec<NodeId>) -> Numbering {
        let mut forward = vec![Numbering::NONE; self.forward.len()];
        // Every declaration is checked by now: freed first, as the end of
        // the load is its peak.
        self.forward = Vec::new();
        let in_place =
            (order.iter().enumerate()).all(|(at, sym)| sym.0 >= FORWARD || sym.index() == at);
        let declared = if in_place {
            for (at, sym) in order.iter_mut().enumerate() {
                if let Some(k) = sym.0.checked_sub(FORWARD) {
                    if let Some(slot) = forward.get_mut(k as usize) {
                        *slot = NodeId(at as u32);
                    }
                    *sym = Numbering::NONE;
                }
            }
            order
        } else {
            let mut declared = vec![Numbering::NONE; order.len()];
            for (at, sym) in order.iter().enumerate() {
                let slot = match sym.0.checked_sub(FORWARD) {
                    None => declared.get_mut(sym.index()),
                    Some(k) => forward.get_mut(k as usize),
                };
                if let Some(slot) = slot {
                    *slot = NodeId(at as u32);
                }
            }
            declared
        };
        let to = Numbering { declared, forward };
        self.ids.renumber(|sym| to.get(sym));
        to
    }
}

/// Symbols to model ids: 4 bytes a symbol, as it is built at the load's
/// peak.
pub(super) struct Numbering {
    /// By symbol below `FORWARD`.
    declared: Vec<NodeId>,
    /// By `sym - FORWARD`.
    forward: Vec<NodeId>,
}

impl Numbering {
    /// No model id: an id never declared.
    const NONE: NodeId = NodeId(u32::MAX);

    /// The model id of `sym`, if it was declared.
    pub(super) fn get(&self, sym: NodeId) -> Option<NodeId> {
        let (list, at) = match sym.0.checked_sub(FORWARD) {
            None => (&self.declared, sym.0),
            Some(k) => (&self.forward, k),
        };
        list.get(at as usize)
            .copied()
            .filter(|&id| id != Self::NONE)
    }
}

/// A reference to an id that was not declared when it was read: checked
/// once every file is read.
#[derive(Debug)]
pub(super) struct Pending {
    pub sym: NodeId,
    pub want: super::references::Want,
    pub place: super::references::Place,
    pub span: Span,
}

/// A second declaration of an id, reported with the others of the same id
/// once every file is read.
#[derive(Debug)]
pub(super) struct Repeat {
    pub sym: NodeId,
    pub text: Box<str>,
    pub kind: NodeKind,
    pub span: Span,
}

/// Rewrites the symbols inside `node` as model ids (`to` from
/// [`Symbols::numbering`]). A reference to an undeclared id is dropped, or
/// points at the node itself where the model needs one; either way the
/// load has already failed on it.
/// `dependencies` holds every node's `depends_on` list, and `groups` the
/// `any_of` groups they name, already renumbered ([`renumber_groups`]): a
/// group left with no member is dropped from its list.
pub(super) fn renumber(
    node: &mut Node,
    (dependencies, groups): (&mut [Dependency], &[AnyOf]),
    me: NodeId,
    to: &Numbering,
) {
    let map = |sym: NodeId| to.get(sym);
    if let Some(list) = dependencies.get_mut(node.depends_on.range()) {
        let kept = renumber_in_place(list, &map, groups);
        node.depends_on = node.depends_on.truncated(kept);
    }
    match &mut node.detail {
        NodeDetail::Site { within, .. } => *within = within.and_then(map),
        NodeDetail::Service { runs_in, .. } => {
            if let Some(placement) = runs_in {
                placement.retain(|entry| match map(entry.site) {
                    Some(site) => {
                        entry.site = site;
                        if let Some(list) = dependencies.get_mut(entry.requires.range()) {
                            let kept = renumber_in_place(list, &map, groups);
                            entry.requires = entry.requires.truncated(kept);
                        }
                        true
                    }
                    None => false,
                });
            }
        }
        NodeDetail::Integration {
            consumer,
            provider,
            fallback,
            ..
        } => {
            *consumer = map(*consumer).unwrap_or(me);
            *provider = map(*provider).unwrap_or(me);
            fallback.change(|list| retain_mut(list, |f| map(*f).map(|id| *f = id).is_some()));
        }
    }
}

/// Rewrites the members of every group as model ids, dropping those that
/// name no declared id, before [`renumber`] reads them.
pub(super) fn renumber_groups(groups: &mut [AnyOf], map: &impl Fn(NodeId) -> Option<NodeId>) {
    for group in groups {
        retain_mut(&mut group.members, |m| map(*m).map(|id| *m = id).is_some());
    }
}

/// The groups the renumbered nodes name, in the order they name them
/// (each node's `requires` lists, then its `depends_on`), with every
/// dependency pointed at its group's new place: the same architecture
/// numbers its groups the same whatever order its files were read in, so
/// that two loads of it compare equal. Groups no list names any more (in
/// a load that failed) are left out. O(nodes + dependencies).
pub(super) fn groups_in_model_order(
    nodes: &[Node],
    dependencies: &mut [Dependency],
    mut groups: Vec<AnyOf>,
) -> Vec<AnyOf> {
    let mut ordered = Vec::with_capacity(groups.len());
    // Each group's new place once it is moved: a group named twice (no
    // load does that) would keep its members at its second mention too.
    let mut moved_to: Vec<Option<GroupId>> = vec![None; groups.len()];
    let mut move_group = |dep: &mut Dependency| {
        if let Dependency::AnyOf(id) = dep {
            let (Some(group), Some(moved)) =
                (groups.get_mut(id.index()), moved_to.get_mut(id.index()))
            else {
                return;
            };
            *id = *moved.get_or_insert_with(|| {
                ordered.push(std::mem::take(group));
                GroupId(ordered.len() as u32 - 1)
            });
        }
    };
    for node in nodes {
        for entry in node.placement().map_or(&[][..], |p| p.entries()) {
            if let Some(list) = dependencies.get_mut(entry.requires.range()) {
                list.iter_mut().for_each(&mut move_group);
            }
        }
        if let Some(list) = dependencies.get_mut(node.depends_on.range()) {
            list.iter_mut().for_each(&mut move_group);
        }
    }
    ordered
}

/// Renumbers `list` in place, the dependencies kept first, in order: how
/// many are kept. The rest stay behind them, unread.
fn renumber_in_place(
    list: &mut [Dependency],
    map: &impl Fn(NodeId) -> Option<NodeId>,
    groups: &[AnyOf],
) -> usize {
    let mut kept = 0;
    for at in 0..list.len() {
        if renumber_dependency(&mut list[at], map, groups) {
            list.swap(kept, at);
            kept += 1;
        }
    }
    kept
}

/// Renumbers one dependency: whether anything of it is left.
fn renumber_dependency(
    dep: &mut Dependency,
    map: &impl Fn(NodeId) -> Option<NodeId>,
    groups: &[AnyOf],
) -> bool {
    match dep {
        Dependency::On { target, .. } => map(*target).map(|id| *target = id).is_some(),
        Dependency::AnyOf(group) => groups
            .get(group.index())
            .is_some_and(|g| !g.members.is_empty()),
    }
}

/// `Vec::retain_mut` for a boxed slice. The model's lists are boxed slices
/// (8 bytes less than a `Vec` each, and no spare capacity); the box is
/// reallocated only when something is dropped, which happens only in a
/// load that fails.
fn retain_mut<T>(items: &mut Box<[T]>, keep: impl FnMut(&mut T) -> bool) {
    let mut list = std::mem::take(items).into_vec();
    list.retain_mut(keep);
    *items = list.into_boxed_slice();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mode;

    fn on(target: u32) -> Dependency {
        Dependency::On {
            target: NodeId(target),
            mode: Mode::Hard,
        }
    }

    fn group(members: &[u32]) -> AnyOf {
        AnyOf {
            members: members.iter().map(|&m| NodeId(m)).collect(),
            min: 1,
            mode: Mode::Soft,
        }
    }

    fn in_group(g: u32) -> Dependency {
        Dependency::AnyOf(GroupId(g))
    }

    /// A failed load still builds its model: a list loses what names no
    /// declared id, in place, keeping the order of the rest.
    #[test]
    fn a_list_is_renumbered_in_place_and_keeps_its_order() {
        // Symbols 0-3 become nodes 3, 2, 1, 0; symbol 4 was never declared.
        let to = [3, 2, 1, 0].map(|n| Some(NodeId(n)));
        let to = [&to[..], &[None]].concat();
        let map = |sym: NodeId| to.get(sym.index()).copied().flatten();
        let mut groups = [group(&[4]), group(&[1, 4])];
        renumber_groups(&mut groups, &map);
        assert_eq!(groups, [group(&[]), group(&[2])]);
        let mut list = [on(0), on(4), in_group(0), in_group(1), on(3), on(9)];
        let kept = renumber_in_place(&mut list, &map, &groups);
        assert_eq!(kept, 3);
        assert_eq!(list[..kept], [on(3), in_group(1), on(0)]);
    }

    /// Groups are numbered in the order the nodes name them (a node's
    /// `requires` lists before its `depends_on`), whatever order they were
    /// read in, and those no list names are left out.
    #[test]
    fn groups_are_numbered_in_the_nodes_order() {
        use crate::model::{Availability, DependsOn, Placement, PlacementEntry, Requires, Tier};
        let mut dependencies = Vec::new();
        let service = |runs_in: Option<Placement>, depends_on: DependsOn| Node {
            id: Id::new("s"),
            about: Default::default(),
            availability: Availability::NONE,
            depends_on,
            detail: NodeDetail::Service {
                tier: Tier::Medium,
                users: 0,
                logical: false,
                external: false,
                runs_in,
            },
            id_span: Default::default(),
        };
        let entry = PlacementEntry {
            site: NodeId(0),
            requires: Requires::push(&mut dependencies, [in_group(1)]),
        };
        let first = DependsOn::push(&mut dependencies, [in_group(2)]);
        let second = DependsOn::push(&mut dependencies, [on(0), in_group(0)]);
        let nodes = [
            service(Some(Placement::new(vec![entry], 1)), first),
            service(None, second),
        ];
        let groups = vec![group(&[5]), group(&[6]), group(&[7]), group(&[8])];
        let ordered = groups_in_model_order(&nodes, &mut dependencies, groups);
        assert_eq!(ordered, [group(&[6]), group(&[7]), group(&[5])]);
        // The entry's `requires`, the first node's `depends_on`, the second's.
        assert_eq!(dependencies, [in_group(0), in_group(1), on(0), in_group(2)]);
        // A group named twice keeps one place and its members.
        let mut twice = Vec::new();
        let both = DependsOn::push(&mut twice, [in_group(1), in_group(1)]);
        let node = service(None, both);
        let ordered = groups_in_model_order(&[node], &mut twice, vec![group(&[5]), group(&[6])]);
        assert_eq!(
            (ordered, twice),
            (vec![group(&[6])], vec![in_group(0), in_group(0)])
        );
    }
}
