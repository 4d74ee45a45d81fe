//! The targets a single point of failure takes down, as `check` keeps them
//! for every finding.
//!
//! Where failures cascade far this is most of `check`'s memory: on the
//! `layered` shape at 100,000 services, 35,043 SPOFs take down 137 million
//! targets in all. Two kinds of sharing keep it near the file's size:
//! - the members of a large hard component take down the same nodes (see
//!   `engine/sharing.rs`), each all but itself, so they share one list of
//!   every target the component's failure takes down, each leaving itself
//!   out;
//! - a failure that takes such a component down, and a few targets more,
//!   shares the component's list and keeps only those few of its own, each
//!   with its place in the shared list. Merging them into a list of its
//!   own cost O(the component) per failure: at a million `layered`
//!   services, gigabytes and a quarter of `check`'s time.

use std::sync::Arc;

use crate::model::NodeId;

/// Targets added to a shared list, in order, each with the place in the
/// list it goes before (the list's length: after the last).
pub(crate) type Added = Arc<[(u32, NodeId)]>;

/// Targets taken down, most important first (see
/// [`crate::engine::TargetsTaken`]), possibly shared with other SPOFs.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    /// Targets shared with other SPOFs, in order.
    base: Arc<[NodeId]>,
    /// Targets of this SPOF's own, placed in `base`.
    adds: Added,
    /// A target of `base` or `adds` left out: the SPOF itself.
    without: Option<NodeId>,
}

impl Targets {
    /// The targets `list`, in its order.
    pub fn new(list: Vec<NodeId>) -> Self {
        Targets {
            base: list.into(),
            ..Targets::default()
        }
    }

    /// The targets of the shared `base` and of `adds` (each with the place
    /// in `base` it goes before, in order), leaving out `without`, which
    /// the caller has found in one of them.
    pub(crate) fn shared(base: Arc<[NodeId]>, adds: Added, without: Option<NodeId>) -> Self {
        Targets {
            base,
            adds,
            without,
        }
    }

    /// The shared list and the targets added to it, the one left out
    /// included.
    pub(crate) fn parts(&self) -> (&Arc<[NodeId]>, &Added) {
        (&self.base, &self.adds)
    }

    /// The target of the shared list or the adds left out, if any.
    pub(crate) fn left_out(&self) -> Option<NodeId> {
        self.without
    }

    /// How many targets there are.
    pub fn len(&self) -> usize {
        self.base.len() + self.adds.len() - usize::from(self.without.is_some())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The targets, in order. O(1) per target.
    pub fn iter(&self) -> impl Iterator<Item = NodeId> + '_ {
        let without = self.without;
        Merged {
            base: &self.base,
            adds: &self.adds,
            at: 0,
            added: 0,
        }
        .filter(move |&t| Some(t) != without)
    }

    /// The targets, in order, in a list of their own.
    pub fn to_vec(&self) -> Vec<NodeId> {
        self.iter().collect()
    }
}

/// A shared list with the targets added to it, read in order.
struct Merged<'a> {
    base: &'a [NodeId],
    adds: &'a [(u32, NodeId)],
    /// The next of `base` to read.
    at: usize,
    /// The next of `adds` to read.
    added: usize,
}

impl Iterator for Merged<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        // Past the end of `base`, the adds left are read whatever their
        // place says.
        let at_end = self.at >= self.base.len();
        match self.adds.get(self.added) {
            Some(&(before, t)) if before as usize <= self.at || at_end => {
                self.added += 1;
                Some(t)
            }
            _ => {
                let t = self.base.get(self.at).copied();
                self.at += 1;
                t
            }
        }
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

    fn ids(list: &[u32]) -> Vec<NodeId> {
        list.iter().copied().map(NodeId).collect()
    }

    /// A shared list reads as the list without the one left out, and
    /// equals a list of its own with the same targets.
    #[test]
    fn a_shared_list_leaves_one_out() {
        let base: Arc<[NodeId]> = ids(&[0, 1, 2, 3, 4]).into();
        let none: Added = Arc::new([]);
        let shared = Targets::shared(base.clone(), none.clone(), Some(NodeId(2)));
        assert_eq!(shared.len(), 4);
        assert_eq!(shared.to_vec(), ids(&[0, 1, 3, 4]));
        assert_eq!(shared, Targets::new(ids(&[0, 1, 3, 4])));
        assert_ne!(
            shared,
            Targets::shared(base.clone(), none.clone(), Some(NodeId(3)))
        );
        assert_eq!(Targets::shared(base, none, None).len(), 5);
        assert!(Targets::default().is_empty());
    }

    /// Targets added to a shared list read in their places: before the
    /// first, between two, several before one, and after the last.
    #[test]
    fn added_targets_read_in_their_places() {
        let base: Arc<[NodeId]> = ids(&[10, 20, 30]).into();
        let adds: Added = [(0, 5), (2, 21), (2, 22), (3, 40), (3, 41)]
            .map(|(at, t)| (at, NodeId(t)))
            .into();
        let all = Targets::shared(base.clone(), adds.clone(), None);
        assert_eq!(all.to_vec(), ids(&[5, 10, 20, 21, 22, 30, 40, 41]));
        assert_eq!(all.len(), 8);
        let without_added = Targets::shared(base.clone(), adds.clone(), Some(NodeId(22)));
        assert_eq!(without_added.to_vec(), ids(&[5, 10, 20, 21, 30, 40, 41]));
        let without_shared = Targets::shared(base, adds, Some(NodeId(10)));
        assert_eq!(
            without_shared,
            Targets::new(ids(&[5, 20, 21, 22, 30, 40, 41]))
        );
    }
}
