//! Ids as the checker meets them, one entry at a time: a number for each id
//! at its first mention, whether declaration or reference, so that a
//! reference to a node declared further on (or in a later file) costs no
//! second pass. Once every file is read, [`Symbols::numbering`] gives each
//! declared id its place in the model and [`renumber`] rewrites the nodes.
//!
//! Architecture invariant: a symbol becomes a [`NodeId`] only through
//! `numbering`; until then the `NodeId`s inside the checker's nodes are
//! symbols.

use crate::diagnostic::Span;
use crate::model::{Dependency, Id, IdIndex, Node, NodeDetail, NodeId, NodeKind};

/// An id declared by a key of `sites`, `services` or `integrations`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Declared {
    pub id: NodeId,
    pub kind: NodeKind,
    pub span: Span,
}

/// Every id met, once. A declared id's text is its node's (set when the
/// node is built, never copied), so each id is hashed once on the way in
/// and stored once: a second copy here would be 16 bytes an id until the
/// end of the load, which is its peak (issue #18). Only an id referenced
/// before its declaration (or never declared) keeps a text of its own.
/// The index becomes [`crate::model::Architecture::ids`] as it is.
#[derive(Debug, Default)]
pub(super) struct Symbols {
    pub ids: IdIndex,
    /// By symbol: where its text is, and its kind once declared.
    slots: Vec<Slot>,
    /// The texts of ids met before their declaration, by `Slot::Forward`.
    forward: Vec<Id>,
    /// The id of the node being read: declared, and not yet in the
    /// checker's list (`State::nodes`) where its text will be.
    building: Id,
}

/// Where a symbol's text is: 8 bytes, in a list as long as the file has ids.
#[derive(Clone, Copy, Debug)]
enum Slot {
    /// Not declared (yet): its text is `Symbols::forward[i]`.
    Forward(u32),
    /// Declared with this kind; its node is at this place of the checker's
    /// list (or is the one being read, when the list is that long).
    Declared(NodeKind, u32),
}

/// The text of `sym`, read from the nodes for a declared one.
fn text_of<'t>(
    slots: &[Slot],
    forward: &'t [Id],
    building: &'t Id,
    nodes: &'t [Node],
    sym: NodeId,
) -> &'t [u8] {
    match slots.get(sym.index()) {
        Some(Slot::Forward(i)) => forward.get(*i as usize).map_or(&[], |id| id.as_bytes()),
        Some(Slot::Declared(_, at)) => nodes
            .get(*at as usize)
            .map_or(building, |node| &node.id)
            .as_bytes(),
        None => &[],
    }
}

impl Symbols {
    /// The symbol of `id`, if it was met; `nodes` is the checker's list.
    pub(super) fn get(&self, id: &str, nodes: &[Node]) -> Option<NodeId> {
        let (slots, forward, building) = (&self.slots, &self.forward, &self.building);
        self.ids
            .find(id, |sym| text_of(slots, forward, building, nodes, sym))
    }

    /// The symbol of `id`, new if it was never met: one hash, whether it
    /// is a reference or a declaration (most ids are declared before
    /// anything names them). `nodes` is the checker's list.
    pub(super) fn intern(&mut self, id: &str, nodes: &[Node]) -> NodeId {
        let next = NodeId(self.slots.len() as u32);
        let (slots, forward, building) = (&self.slots, &self.forward, &self.building);
        let (sym, new) = self.ids.find_or_insert(id, next, |sym| {
            text_of(slots, forward, building, nodes, sym)
        });
        if new {
            self.slots.push(Slot::Forward(self.forward.len() as u32));
            self.forward.push(Id::new(id));
        }
        sym
    }

    /// Room for `more` symbols without growing.
    pub(super) fn reserve(&mut self, more: usize) {
        let (slots, forward, building) = (&self.slots, &self.forward, &self.building);
        self.ids
            .reserve(more, |sym| text_of(slots, forward, building, &[], sym));
        self.slots.reserve(more);
    }

    /// Every symbol's text and, once declared, its kind (the checker's
    /// list is `nodes`).
    pub(super) fn iter<'t>(
        &'t self,
        nodes: &'t [Node],
    ) -> impl Iterator<Item = (&'t str, Option<NodeKind>)> + Clone + 't {
        (0..self.slots.len() as u32).map(move |i| {
            let sym = NodeId(i);
            let kind = self.declaration(sym).map(|(kind, _)| kind);
            (self.text(sym, nodes), kind)
        })
    }

    /// The text of `sym` (the checker's list is `nodes`).
    pub(super) fn text<'t>(&'t self, sym: NodeId, nodes: &'t [Node]) -> &'t str {
        let text = text_of(&self.slots, &self.forward, &self.building, nodes, sym);
        // Always `Ok`: every text is a `str`'s bytes.
        std::str::from_utf8(text).unwrap_or_default()
    }

    /// The kind of a declared symbol and the place of its node.
    pub(super) fn declaration(&self, sym: NodeId) -> Option<(NodeKind, u32)> {
        match self.slots.get(sym.index()) {
            Some(Slot::Declared(kind, at)) => Some((*kind, *at)),
            _ => None,
        }
    }

    /// The symbol of the key `id` of a node that will be `at` in the
    /// checker's list (`nodes`), and is read next: declared here as `kind`
    /// unless it was declared before, which the answer says. The text is
    /// the node's from then on (`building` until it is in the list).
    pub(super) fn declare(
        &mut self,
        id: &str,
        kind: NodeKind,
        at: u32,
        nodes: &[Node],
    ) -> (NodeId, bool) {
        let next = NodeId(self.slots.len() as u32);
        let (slots, forward, building) = (&self.slots, &self.forward, &self.building);
        let (sym, new) = self.ids.find_or_insert(id, next, |sym| {
            text_of(slots, forward, building, nodes, sym)
        });
        if new {
            self.slots.push(Slot::Declared(kind, at));
        } else if self.declaration(sym).is_some() {
            return (sym, true);
        } else if let Some(slot) = self.slots.get_mut(sym.index()) {
            *slot = Slot::Declared(kind, at);
        }
        self.building = Id::new(id);
        (sym, false)
    }

    /// Each symbol's `NodeId` in the model, given the symbols of the nodes
    /// in model order; `None` for an id never declared (a load with one
    /// fails, but the model is still built, so nothing may panic on it).
    /// The index keeps the declared ones, renumbered; the nodes hold their
    /// ids already. No text may be asked for after this.
    pub(super) fn numbering(&mut self, order: &[NodeId]) -> Vec<Option<NodeId>> {
        // Every declaration is checked by now: freed first, as the end of
        // the load is its peak.
        let count = self.slots.len();
        self.slots = Vec::new();
        self.forward = Vec::new();
        let mut to = vec![None; count];
        for (at, sym) in order.iter().enumerate() {
            if let Some(slot) = to.get_mut(sym.index()) {
                *slot = Some(NodeId(at as u32));
            }
        }
        self.ids
            .renumber(|sym| to.get(sym.index()).copied().flatten());
        to
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
/// `dependencies` holds every node's `depends_on` list.
pub(super) fn renumber(
    node: &mut Node,
    dependencies: &mut [Dependency],
    me: NodeId,
    to: &[Option<NodeId>],
) {
    let map = |sym: NodeId| to.get(sym.index()).copied().flatten();
    if let Some(list) = dependencies.get_mut(node.depends_on.range()) {
        let kept = renumber_in_place(list, &map);
        node.depends_on = node.depends_on.truncated(kept);
    }
    match &mut node.detail {
        NodeDetail::Site { within, .. } => *within = within.and_then(map),
        NodeDetail::Service { runs_in, .. } => {
            if let Some(placement) = runs_in {
                placement.retain(|entry| match map(entry.site) {
                    Some(site) => {
                        entry.site = site;
                        entry
                            .requires
                            .change(|list| renumber_dependencies(list, &map));
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
            retain_mut(fallback, |f| map(*f).map(|id| *f = id).is_some());
        }
    }
}

fn renumber_dependencies(deps: &mut Box<[Dependency]>, map: &impl Fn(NodeId) -> Option<NodeId>) {
    retain_mut(deps, |dep| renumber_dependency(dep, map));
}

/// Renumbers `list` in place, the dependencies kept first, in order: how
/// many are kept. The rest stay behind them, unread.
fn renumber_in_place(list: &mut [Dependency], map: &impl Fn(NodeId) -> Option<NodeId>) -> usize {
    let mut kept = 0;
    for at in 0..list.len() {
        if renumber_dependency(&mut list[at], map) {
            list.swap(kept, at);
            kept += 1;
        }
    }
    kept
}

/// Renumbers one dependency: whether anything of it is left.
fn renumber_dependency(dep: &mut Dependency, map: &impl Fn(NodeId) -> Option<NodeId>) -> bool {
    match dep {
        Dependency::On { target, .. } => map(*target).map(|id| *target = id).is_some(),
        Dependency::AnyOf(group) => {
            retain_mut(&mut group.members, |m| map(*m).map(|id| *m = id).is_some());
            !group.members.is_empty()
        }
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
    use crate::model::{AnyOf, Mode};

    fn on(target: u32) -> Dependency {
        Dependency::On {
            target: NodeId(target),
            mode: Mode::Hard,
        }
    }

    fn group(members: &[u32]) -> Dependency {
        Dependency::AnyOf(Box::new(AnyOf {
            members: members.iter().map(|&m| NodeId(m)).collect(),
            min: 1,
            mode: Mode::Soft,
        }))
    }

    /// A failed load still builds its model: a list loses what names no
    /// declared id, in place, keeping the order of the rest.
    #[test]
    fn a_list_is_renumbered_in_place_and_keeps_its_order() {
        // Symbols 0-3 become nodes 3, 2, 1, 0; symbol 4 was never declared.
        let to = [3, 2, 1, 0].map(|n| Some(NodeId(n)));
        let to = [&to[..], &[None]].concat();
        let map = |sym: NodeId| to.get(sym.index()).copied().flatten();
        let mut list = [on(0), on(4), group(&[4]), group(&[1, 4]), on(3), on(9)];
        let kept = renumber_in_place(&mut list, &map);
        assert_eq!(kept, 3);
        assert_eq!(list[..kept], [on(3), group(&[2]), on(0)]);
    }
}
