//! Candidates whose failures take down exactly the same gates, failed once
//! for all of them.
//!
//! In a large hard component (see [`Layout`]) one down gate takes every
//! other down, so a failure of any member takes the whole component down,
//! and with it what any other member's failure would: their states are the
//! same least fixpoint, bit for bit (failing `m` downs `r`, so failing `m`
//! is failing both, which is failing `r`). What differs is only which
//! member is the failure and which is counted as taken down. So the audit
//! fails one member, the representative, in one lane that stands for all
//! of them, and derives the others' counts, targets and chains from it.
//!
//! Where failures cascade far this is most of the work: on the `layered`
//! shape at 100,000 services, 2,895 members of one component took 92 of
//! 1,564 batches and 95% of the gate evaluations, each batch reaching
//! most of the file.

use std::collections::HashMap;

use crate::model::NodeId;

use super::graph::GateId;
use super::lanes::{Ground, Layout};

/// Which candidates a lane stands for.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sharing {
    /// For each representative, the other members of its component that
    /// are candidates, in layout order.
    others: HashMap<NodeId, Vec<NodeId>>,
    /// For each representative, the member first by `ranks` (itself
    /// included).
    first: HashMap<NodeId, NodeId>,
}

impl Sharing {
    /// The lanes `by_position` (candidates sorted by layout position)
    /// share, and the candidates to fail, in the order to batch them: the
    /// representatives (each the first of its component in layout order)
    /// and those in no large hard component; first those whose failure
    /// does not take a large hard component down along hard edges, in
    /// layout order, then those whose failure does, by the component
    /// (`reached`, as [`Layout::grounds_of_gates`] gives), then in layout
    /// order. O(candidates · log).
    ///
    /// Why that order: a batch costs the gates its lanes reach together,
    /// so one lane that takes a large component down makes its batch
    /// cost most of the file. Kept together, such lanes fill few batches
    /// (on `layered` at 100,000 services, batches with one: 11 rather
    /// than 39).
    pub(crate) fn new(
        layout: &Layout,
        reached: &[Option<Ground>],
        by_position: Vec<NodeId>,
        ranks: &[u32],
    ) -> (Self, Vec<NodeId>) {
        let mut sharing = Sharing::default();
        let mut representative: HashMap<u32, NodeId> = HashMap::new();
        let (mut failed, mut heavy) = (Vec::with_capacity(by_position.len()), Vec::new());
        for c in by_position {
            let Some(home) = layout.hard_component(GateId::from(c)) else {
                if reached[c.index()].is_some() {
                    heavy.push(c);
                } else {
                    failed.push(c);
                }
                continue;
            };
            match representative.get(&home) {
                Some(&r) => {
                    sharing.others.entry(r).or_default().push(c);
                    let first = sharing.first.entry(r).or_insert(r);
                    if ranks[c.index()] < ranks[first.index()] {
                        *first = c;
                    }
                }
                None => {
                    representative.insert(home, c);
                    heavy.push(c);
                }
            }
        }
        // By the component they take down, so that a batch of them can
        // start from its states (see `Lanes::fail_each_beneath`).
        heavy.sort_by_key(|c| reached[c.index()]);
        failed.extend(heavy);
        (sharing, failed)
    }

    /// The candidates other than `c` that `c`'s lane stands for (none
    /// unless `c` is a representative).
    pub(crate) fn others(&self, c: NodeId) -> &[NodeId] {
        self.others.get(&c).map_or(&[], Vec::as_slice)
    }

    /// Of the candidates `c`'s lane stands for, the first by the ranks the
    /// sharing was made with.
    pub(crate) fn first(&self, c: NodeId) -> NodeId {
        self.first.get(&c).copied().unwrap_or(c)
    }
}
