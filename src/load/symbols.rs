//! Ids as the checker meets them, one entry at a time: a number for each id
//! at its first mention, whether declaration or reference, so that a
//! reference to a node declared further on (or in a later file) costs no
//! second pass. Once every file is read, [`Symbols::numbering`] gives each
//! declared id its place in the model and [`renumber`] rewrites the nodes.
//!
//! Architecture invariant: a symbol becomes a [`NodeId`] only through
//! `numbering`; until then the `NodeId`s inside the checker's nodes are
//! symbols.

use std::collections::HashMap;

use crate::diagnostic::Span;
use crate::model::{Dependency, Node, NodeDetail, NodeId, NodeKind, Placement};

/// An id declared by a key of `sites`, `services` or `integrations`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Declared {
    pub id: NodeId,
    pub kind: NodeKind,
    pub span: Span,
}

/// Every id met, once: the map becomes [`crate::model::Architecture::ids`]
/// as it is, so each id is hashed once on the way in.
#[derive(Debug, Default)]
pub(super) struct Symbols {
    pub ids: HashMap<String, NodeId>,
    /// By symbol: its kind and where it is declared, once it is.
    pub info: Vec<Option<(NodeKind, Span)>>,
}

impl Symbols {
    /// The symbol of `id`, new if it was never met.
    pub(super) fn intern(&mut self, id: &str) -> NodeId {
        if let Some(&sym) = self.ids.get(id) {
            return sym;
        }
        let sym = NodeId(self.info.len() as u32);
        self.ids.insert(id.to_string(), sym);
        self.info.push(None);
        sym
    }

    /// The symbol of a declared `id`, new if it was never met: one hash,
    /// as most ids are declared before anything names them.
    pub(super) fn declare_id(&mut self, id: &str) -> NodeId {
        let next = NodeId(self.info.len() as u32);
        let sym = *self.ids.entry(id.to_string()).or_insert(next);
        if sym == next {
            self.info.push(None);
        }
        sym
    }

    /// The declaration of a symbol, if it has one yet.
    pub(super) fn declared(&self, sym: NodeId) -> Option<Declared> {
        let (kind, span) = self.info.get(sym.index()).copied().flatten()?;
        Some(Declared {
            id: sym,
            kind,
            span,
        })
    }

    /// Declares `sym`; `Err` with the first declaration when it has one.
    pub(super) fn declare(
        &mut self,
        sym: NodeId,
        kind: NodeKind,
        span: Span,
    ) -> Result<(), Declared> {
        match self.declared(sym) {
            Some(first) => Err(first),
            None => {
                self.info[sym.index()] = Some((kind, span));
                Ok(())
            }
        }
    }

    /// Each symbol's `NodeId` in the model, given the symbols of the nodes
    /// in model order; `None` for an id never declared (a load with one
    /// fails, but the model is still built, so nothing may panic on it).
    /// The map of ids keeps the declared ones, renumbered.
    pub(super) fn numbering(&mut self, order: &[NodeId]) -> Vec<Option<NodeId>> {
        let mut to = vec![None; self.info.len()];
        for (at, sym) in order.iter().enumerate() {
            to[sym.index()] = Some(NodeId(at as u32));
        }
        self.ids.retain(|_, sym| match to[sym.index()] {
            Some(id) => {
                *sym = id;
                true
            }
            None => false,
        });
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
            if let Some(Placement { entries, .. }) = runs_in {
                entries.retain_mut(|entry| match map(entry.site) {
                    Some(site) => {
                        entry.site = site;
                        renumber_dependencies(&mut entry.requires, &map);
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
            fallback.retain_mut(|f| map(*f).map(|id| *f = id).is_some());
        }
    }
}

fn renumber_dependencies(deps: &mut Vec<Dependency>, map: &impl Fn(NodeId) -> Option<NodeId>) {
    deps.retain_mut(|dep| match dep {
        Dependency::On { target, .. } => map(*target).map(|id| *target = id).is_some(),
        Dependency::AnyOf { members, .. } => {
            members.retain_mut(|m| map(*m).map(|id| *m = id).is_some());
            !members.is_empty()
        }
    });
}
