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

/// Every id met, once. Its text is kept here alone until
/// [`Symbols::numbering`] moves it into its node, and the index becomes
/// [`crate::model::Architecture::ids`] as it is, so each id is hashed once
/// on the way in and stored once.
#[derive(Debug, Default)]
pub(super) struct Symbols {
    pub ids: IdIndex,
    /// By symbol: its text.
    pub texts: Vec<Id>,
    /// By symbol, once it is declared: its kind, and the place of its node
    /// in the checker's list (`State::nodes`), where its span is: 8 bytes,
    /// where a copy of the span would be 24, in a list as long as the
    /// file has ids.
    pub info: Vec<Option<(NodeKind, u32)>>,
}

impl Symbols {
    /// The symbol of `id`, if it was met.
    pub(super) fn get(&self, id: &str) -> Option<NodeId> {
        self.ids.find(id, |sym| self.texts[sym.index()].as_bytes())
    }

    /// The symbol of `id`, new if it was never met: one hash, whether it
    /// is a reference or a declaration (most ids are declared before
    /// anything names them).
    pub(super) fn intern(&mut self, id: &str) -> NodeId {
        let next = NodeId(self.texts.len() as u32);
        let texts = &self.texts;
        let (sym, new) = self
            .ids
            .find_or_insert(id, next, |sym| texts[sym.index()].as_bytes());
        if new {
            self.texts.push(Id::new(id));
            self.info.push(None);
        }
        sym
    }

    /// Room for `more` symbols without growing.
    pub(super) fn reserve(&mut self, more: usize) {
        let texts = &self.texts;
        self.ids.reserve(more, |sym| texts[sym.index()].as_bytes());
        self.texts.reserve(more);
        self.info.reserve(more);
    }

    /// Every symbol with its text.
    pub(super) fn iter(&self) -> impl Iterator<Item = (NodeId, &str)> + Clone {
        (0..self.texts.len() as u32).map(|i| (NodeId(i), &*self.texts[i as usize]))
    }

    /// The kind of a declared symbol and the place of its node.
    pub(super) fn declaration(&self, sym: NodeId) -> Option<(NodeKind, u32)> {
        self.info.get(sym.index()).copied().flatten()
    }

    /// Declares `sym` (not declared yet), whose node will be `at` in the
    /// checker's list.
    pub(super) fn declare(&mut self, sym: NodeId, kind: NodeKind, at: u32) {
        if let Some(slot) = self.info.get_mut(sym.index()) {
            *slot = Some((kind, at));
        }
    }

    /// Each symbol's `NodeId` in the model, given the symbols of the nodes
    /// in model order; `None` for an id never declared (a load with one
    /// fails, but the model is still built, so nothing may panic on it).
    /// The index keeps the declared ones, renumbered, and each node gets
    /// its text (moved, not copied).
    pub(super) fn numbering(
        &mut self,
        nodes: &mut [Node],
        order: &[NodeId],
    ) -> Vec<Option<NodeId>> {
        // Every declaration is checked by now: freed first, as the end of
        // the load is its peak.
        self.info = Vec::new();
        let mut to = vec![None; self.texts.len()];
        for ((at, sym), node) in order.iter().enumerate().zip(nodes) {
            to[sym.index()] = Some(NodeId(at as u32));
            node.id = std::mem::take(&mut self.texts[sym.index()]);
        }
        self.ids
            .renumber(|sym| to.get(sym.index()).copied().flatten());
        self.texts = Vec::new();
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
pub(super) fn renumber(node: &mut Node, me: NodeId, to: &[Option<NodeId>]) {
    let map = |sym: NodeId| to.get(sym.index()).copied().flatten();
    renumber_dependencies(&mut node.depends_on, &map);
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
    retain_mut(deps, |dep| match dep {
        Dependency::On { target, .. } => map(*target).map(|id| *target = id).is_some(),
        Dependency::AnyOf(group) => {
            retain_mut(&mut group.members, |m| map(*m).map(|id| *m = id).is_some());
            !group.members.is_empty()
        }
    });
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
