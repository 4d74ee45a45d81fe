//! Requirements left out in some lanes: a check of a fix asks what a
//! failure takes down when a service's placement holds (as if it also ran
//! in a site that is up), and 64 such checks, each holding its own
//! services, share one pass of the lanes.

use crate::model::{Mode, NodeId};

use super::{GateId, Lanes, Layout};

/// For some gates, requirements read as up in some lanes.
#[derive(Debug, Default)]
pub(super) struct Held {
    /// (gate's position, requirement's place among the gate's, lanes it
    /// is left out in), sorted, each pair once. By place, not by the
    /// requirement's gate: a service that also depends on its one site
    /// needs it twice, and only the placement's edge is left out.
    edges: Vec<(u32, u32, u64)>,
    /// A bit per position with an entry in `edges`, so that the gates
    /// without one (all but a few) cost one test.
    marked: Vec<u64>,
}

impl Held {
    /// Whether the gate at position `p` has a requirement left out.
    #[inline]
    pub(super) fn at(&self, p: usize) -> bool {
        !self.edges.is_empty() && (self.marked.get(p / 64)).is_some_and(|w| w >> (p % 64) & 1 == 1)
    }

    /// The entries of the gate at position `p`: its requirements' places
    /// and the lanes each is left out in. O(log edges).
    pub(super) fn of(&self, p: usize) -> &[(u32, u32, u64)] {
        let p = p as u32;
        let start = self.edges.partition_point(|e| e.0 < p);
        let end = start + self.edges[start..].partition_point(|e| e.0 == p);
        &self.edges[start..end]
    }

    /// No requirement left out. O(edges).
    pub(super) fn clear(&mut self) {
        for &(p, _, _) in &self.edges {
            if let Some(w) = self.marked.get_mut(p as usize / 64) {
                *w = 0;
            }
        }
        self.edges.clear();
    }

    /// Leaves out one hard edge of each `(gate, requirement, lanes)` of
    /// `held` (none if there is none). O(held · the gate's requirements +
    /// held log held), and the bits' memory once.
    fn set(&mut self, layout: &Layout, held: &[(GateId, GateId, u64)]) {
        self.clear();
        if self.marked.is_empty() && !held.is_empty() {
            self.marked = vec![0; layout.at.len().div_ceil(64)];
        }
        let place = |g: GateId, r: GateId| {
            let (p, r) = (layout.position(g), layout.position(r));
            let reqs = layout.reqs_at(p as usize);
            let k = reqs.iter().position(|&e| e == (r, Mode::Hard))?;
            Some((p, k as u32))
        };
        self.edges.extend(
            (held.iter()).filter_map(|&(g, r, lanes)| place(g, r).map(|(p, k)| (p, k, lanes))),
        );
        self.edges.sort_unstable_by_key(|&(g, r, _)| (g, r));
        self.edges.dedup_by(|later, first| {
            let same = (later.0, later.1) == (first.0, first.1);
            if same {
                first.2 |= later.2;
            }
            same
        });
        for &(p, _, _) in &self.edges {
            if let Some(w) = self.marked.get_mut(p as usize / 64) {
                *w |= 1 << (p % 64);
            }
        }
    }
}

impl Lanes {
    /// [`Lanes::fail_each`], where in the lanes of each `(gate,
    /// requirement, lanes)` of `held` the gate does not read one hard edge
    /// from that requirement: the graph without that edge, lane by lane. Cost: that of [`Lanes::fail_each`], plus O(log held) for
    /// each evaluation of a gate with a requirement left out.
    pub(crate) fn fail_each_holding(
        &mut self,
        layout: &Layout,
        batch: &[NodeId],
        held: &[(GateId, GateId, u64)],
    ) {
        debug_assert!(batch.len() <= 64, "a batch has at most 64 lanes");
        self.start_over();
        self.held.set(layout, held);
        self.batch.extend_from_slice(&batch[..batch.len().min(64)]);
        self.run(layout, 0..self.batch.len());
    }
}
