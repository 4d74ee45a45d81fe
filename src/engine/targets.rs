//! The targets a single point of failure takes down, as `check` keeps them
//! for every finding.
//!
//! Where failures cascade far this is most of `check`'s memory: on the
//! `layered` shape at 100,000 services, 35,043 SPOFs take down 137 million
//! targets in all. The members of a large hard component take down the
//! same nodes (see `engine/sharing.rs`), each all but itself, so they share
//! one list of every target the component's failure takes down, each
//! leaving itself out.

use std::sync::Arc;

use crate::model::NodeId;

/// Targets taken down, most important first (see
/// [`crate::engine::TargetsTaken`]), possibly shared with other SPOFs.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    /// Every target of the list, and perhaps the SPOF itself.
    all: Arc<[NodeId]>,
    /// Where the SPOF itself is in `all`, left out of the list.
    without: Option<usize>,
}

impl Targets {
    /// The targets `list`, in its order.
    pub fn new(list: Vec<NodeId>) -> Self {
        Targets {
            all: list.into(),
            without: None,
        }
    }

    /// The targets of the shared `all`, leaving out the one at `without`.
    pub(crate) fn shared(all: Arc<[NodeId]>, without: Option<usize>) -> Self {
        Targets { all, without }
    }

    /// Every target of a shared list, the one left out included.
    pub(crate) fn all(&self) -> &Arc<[NodeId]> {
        &self.all
    }

    /// How many targets there are.
    pub fn len(&self) -> usize {
        self.all.len() - usize::from(self.without.is_some())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets, in order, as two runs (the second empty unless one is
    /// left out between them).
    pub fn runs(&self) -> (&[NodeId], &[NodeId]) {
        match self.without {
            Some(i) => (&self.all[..i], &self.all[i + 1..]),
            None => (&self.all, &[]),
        }
    }

    /// The targets, in order.
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + '_ {
        let (a, b) = self.runs();
        a.iter().chain(b).copied()
    }

    /// The targets, in order, in a list of their own.
    pub fn to_vec(&self) -> Vec<NodeId> {
        self.iter().collect()
    }
}

impl PartialEq for Targets {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Targets {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A shared list reads as the list without the one left out, and
    /// equals a list of its own with the same targets.
    #[test]
    fn a_shared_list_leaves_one_out() {
        let all: Arc<[NodeId]> = (0..5).map(NodeId).collect::<Vec<_>>().into();
        let shared = Targets::shared(all.clone(), Some(2));
        assert_eq!(shared.len(), 4);
        assert_eq!(shared.to_vec(), [0, 1, 3, 4].map(NodeId));
        assert_eq!(shared, Targets::new([0, 1, 3, 4].map(NodeId).to_vec()));
        assert_ne!(shared, Targets::shared(all.clone(), Some(3)));
        assert_eq!(Targets::shared(all, None).len(), 5);
        assert!(Targets::default().is_empty());
    }
}
