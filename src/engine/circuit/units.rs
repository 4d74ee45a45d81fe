//! The gates of a cycle that are always down together, laid out as one.
//!
//! Inside a cycle, gates that reach one another along requirements into
//! `Any` gates are down in exactly the same lanes: an `Any` gate is down
//! wherever a requirement is, so a down state anywhere in such a set goes
//! round it. Each such set (a strongly connected component along those
//! edges alone) is therefore one *unit*, laid out as one `Any` gate with
//! every member's part and every requirement that leaves the set: its
//! value is each member's, and the least fixpoint is the same.
//!
//! Why: on three of the generator's shapes with an `availability` on every
//! site and service, at 100,000 services, the largest cycle holds 81,000 to
//! 106,000 gates, most of them services that need one another. Those are
//! 42,000 to 71,000 gates of one unit, so the cycle comes to 34,000 to
//! 44,000 gates, and Monte Carlo evaluates it in every batch, a few times
//! over (see [`super::ConeCircuit`]).
//!
//! A cycle is evaluated in sweeps in the order laid out here, so that
//! order matters too: in a large cycle the units go in an order with few
//! requirements after the gates that need them ([`few_back_edges`]).

use super::{components, Csr, NONE};

/// Units in a cycle from which they go in [`few_back_edges`]' order;
/// smaller cycles keep a search's finishing order, which costs nothing
/// more. Measured at 100,000 services: ordering every cycle so slowed the
/// exact method's many small compiles (1.31 s to 1.70 s on
/// `layered-avail-all`), while from 64 or 1,024 units on it made no
/// difference there and Monte Carlo 7-10% faster.
pub(super) const FEW_BACK_EDGES_FROM: usize = 1024;

/// The gates of a cyclic `block` (live indices, with `reqs` their live
/// requirements) as units, in an evaluation order: each unit a strongly
/// connected component along requirements into gates for which `is_any`
/// holds; the units in the order a search along every requirement
/// finished them or, from [`FEW_BACK_EDGES_FROM`] units on, in
/// [`few_back_edges`]' order. `index` is scratch, one entry per live gate,
/// [`NONE`] on entry and on return. O(the block's gates and edges).
pub(super) fn units(
    block: &[u32],
    reqs: &Csr,
    is_any: impl Fn(u32) -> bool,
    index: &mut [u32],
) -> Vec<Vec<u32>> {
    for (i, &l) in block.iter().enumerate() {
        index[l as usize] = i as u32;
    }
    let laid = in_order(block, reqs, is_any, index);
    for &l in block {
        index[l as usize] = NONE;
    }
    laid
}

/// [`units`], with `index` giving each gate of `block` its position there.
fn in_order(
    block: &[u32],
    reqs: &Csr,
    is_any: impl Fn(u32) -> bool,
    index: &[u32],
) -> Vec<Vec<u32>> {
    let k = block.len();
    // Requirements inside the block, by position in it.
    let inside = |i: usize| {
        reqs.of(block[i])
            .iter()
            .map(|&r| index[r as usize])
            .filter(|&j| j != NONE)
    };
    let mut into_any = Csr::default();
    into_any.fill(
        k,
        (0..k)
            .filter(|&i| is_any(block[i]))
            .flat_map(|i| inside(i).map(move |j| (i as u32, j))),
    );
    let sets = components(k, 0..k as u32, |v, i| into_any.of(v).get(i).copied());
    if sets.len() == k && k < FEW_BACK_EDGES_FROM {
        // Nothing to merge: the block's own order is already a search's.
        return block.iter().map(|&l| vec![l]).collect();
    }
    let mut unit_of = vec![0u32; k];
    for (u, set) in sets.iter().enumerate() {
        set.iter().for_each(|&i| unit_of[i as usize] = u as u32);
    }
    let mut between = Csr::default();
    between.fill(
        sets.len(),
        (0..k).flat_map(|i| {
            let from = unit_of[i];
            inside(i)
                .map(|j| unit_of[j as usize])
                .filter(move |&to| to != from)
                .map(move |to| (from, to))
        }),
    );
    let order: Vec<u32> = if sets.len() >= FEW_BACK_EDGES_FROM {
        few_back_edges(&between, &vec![false; sets.len()])
    } else {
        components(sets.len(), 0..sets.len() as u32, |v, i| {
            between.of(v).get(i).copied()
        })
        .into_gates()
    };
    order
        .into_iter()
        .map(|u| {
            sets[u as usize]
                .iter()
                .map(|&i| block[i as usize])
                .collect()
        })
        .collect()
}

/// An order of the vertices of `needs` (vertex `v` needs each of
/// `needs.of(v)`, none itself) in which few needs come after what needs
/// them: Eades, Lin and Smyth's greedy order for a small feedback arc set.
/// Vertices needing nothing left go first, those nothing left needs go
/// last, and otherwise the one most needed for what it needs, among those
/// whose needs are not `hard`: a hard vertex goes first only once all it
/// needs is placed, so that no hard need goes backwards when the hard needs
/// have no cycle (between units they have none).
///
/// Why: a cycle is evaluated in sweeps in this order, and a gate whose
/// requirement changes later in a sweep waits for the next. A search's
/// finishing order left 43-56% of a large cycle's requirements behind the
/// gates needing them, and Monte Carlo evaluated each gate of the cycle
/// about twice a batch. The greedy order alone still left 6,532 needs of
/// `Any` units behind them in the largest cycle of `hub` at 100,000
/// services (and 171 of `AtLeast` gates): Monte Carlo evaluated that
/// cycle's gates 3.9 times a batch; with every hard need first (14,462 of
/// `AtLeast` gates behind), 2.4 times. On the generator's `layered` shapes
/// with an availability everywhere it goes the other way (8.8 to 12.2
/// million evaluations on `layered-half-quorum-all`): their `AtLeast`
/// gates are quorums whose members go down together. So a compile asks
/// for no hard needs, and Monte Carlo tries the other order too
/// ([`super::ConeCircuit::relaid`]). O(vertices + edges + the bound on gains
/// ([`ByGain::BOUND`])).
pub(super) fn few_back_edges(needs: &Csr, hard: &[bool]) -> Vec<u32> {
    let mut left = Peeling::new(needs, hard);
    let n = left.placed.len();
    let (mut first, mut last) = (Vec::with_capacity(n), Vec::new());
    while first.len() + last.len() < n {
        if let Some(v) = left.unneeded.pop() {
            if left.place(v) {
                last.push(v);
            }
        } else if let Some(v) = left.free.pop() {
            if left.place(v) {
                first.push(v);
            }
        } else if let Some((v, bucket)) = left.best.pop() {
            // Entries from before a vertex's counts changed are skipped.
            if bucket == ByGain::bucket(left.gain(v)) && left.place(v) {
                first.push(v);
            }
        } else {
            break;
        }
    }
    last.reverse();
    first.extend(last);
    first
}

/// What [`few_back_edges`] has yet to place.
struct Peeling<'a> {
    needs: &'a Csr,
    /// Per vertex, whether its needs are hard: it goes first only once
    /// they are all placed, through `free`, never through `best`.
    hard: &'a [bool],
    needed_by: Csr,
    /// Per vertex, its needs not yet placed.
    needing: Vec<u32>,
    /// Per vertex, the vertices not yet placed that need it.
    needed: Vec<u32>,
    placed: Vec<bool>,
    /// Vertices needing nothing left, and needed by nothing left; some
    /// may be placed since.
    free: Vec<u32>,
    unneeded: Vec<u32>,
    /// Vertices by [`Self::gain`], the most first, with entries from
    /// before their counts changed.
    best: ByGain,
}

/// Vertices in buckets by gain, the most first; in a bucket, the last
/// put in first. Gains past ±[`ByGain::BOUND`] share the end buckets:
/// the vertex taken from the top one still has a gain of at least 0.
///
/// Why buckets rather than a heap: the heap's entries outgrew the caches
/// (an entry per count changed), and its comparisons were two thirds of
/// this order's time on `anyof` at 100,000 services. A bucket is O(1) a
/// vertex put in or taken. A vertex is put in again when its gain moves
/// by one, from an entry at or below `top`, so `top` rises by at most one
/// an entry: the empty buckets passed over come to at most the entries
/// and the buckets.
struct ByGain {
    buckets: Vec<Vec<u32>>,
    /// No bucket above this one holds a vertex.
    top: usize,
}

impl ByGain {
    const BOUND: i64 = 1024;

    fn new() -> Self {
        ByGain {
            buckets: vec![Vec::new(); 2 * Self::BOUND as usize + 1],
            top: 0,
        }
    }

    fn bucket(gain: i64) -> usize {
        (gain.clamp(-Self::BOUND, Self::BOUND) + Self::BOUND) as usize
    }

    fn push(&mut self, v: u32, gain: i64) {
        let b = Self::bucket(gain);
        self.buckets[b].push(v);
        self.top = self.top.max(b);
    }

    /// A vertex of the highest bucket that holds one, and that bucket.
    fn pop(&mut self) -> Option<(u32, usize)> {
        loop {
            if let Some(v) = self.buckets[self.top].pop() {
                return Some((v, self.top));
            }
            self.top = self.top.checked_sub(1)?;
        }
    }
}

impl<'a> Peeling<'a> {
    fn new(needs: &'a Csr, hard: &'a [bool]) -> Self {
        let n = needs.start.len().saturating_sub(1) as u32;
        let mut needed_by = Csr::default();
        needed_by.fill(
            n as usize,
            (0..n).flat_map(|v| needs.of(v).iter().map(move |&r| (r, v))),
        );
        let needing: Vec<u32> = (0..n).map(|v| needs.of(v).len() as u32).collect();
        let needed: Vec<u32> = (0..n).map(|v| needed_by.of(v).len() as u32).collect();
        let mut left = Peeling {
            needs,
            hard,
            needed_by,
            free: (0..n).filter(|&v| needing[v as usize] == 0).collect(),
            unneeded: (0..n).filter(|&v| needed[v as usize] == 0).collect(),
            needing,
            needed,
            placed: vec![false; n as usize],
            best: ByGain::new(),
        };
        for v in (0..n).filter(|&v| !hard[v as usize]) {
            left.best.push(v, left.gain(v));
        }
        left
    }

    /// How many more needs on `v` than of it are left: placed next, that
    /// many more needs go forward than back.
    fn gain(&self, v: u32) -> i64 {
        i64::from(self.needed[v as usize]) - i64::from(self.needing[v as usize])
    }

    /// Places `v`, unless it is placed already, and updates what is left
    /// of the counts of the vertices around it.
    fn place(&mut self, v: u32) -> bool {
        if std::mem::replace(&mut self.placed[v as usize], true) {
            return false;
        }
        for &r in self.needs.of(v) {
            if !self.placed[r as usize] {
                self.needed[r as usize] -= 1;
                if self.needed[r as usize] == 0 {
                    self.unneeded.push(r);
                }
                if !self.hard[r as usize] {
                    self.best.push(r, self.gain(r));
                }
            }
        }
        for &d in self.needed_by.of(v) {
            if !self.placed[d as usize] {
                self.needing[d as usize] -= 1;
                if self.needing[d as usize] == 0 {
                    self.free.push(d);
                }
                if !self.hard[d as usize] {
                    self.best.push(d, self.gain(d));
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Back edges of `order`: needs that come after what needs them.
    fn back_edges(needs: &Csr, order: &[u32]) -> usize {
        let mut at = vec![0; order.len()];
        order
            .iter()
            .enumerate()
            .for_each(|(i, &v)| at[v as usize] = i);
        (0..order.len() as u32)
            .flat_map(|v| needs.of(v).iter().map(move |&r| (v, r)))
            .filter(|&(v, r)| at[r as usize] > at[v as usize])
            .count()
    }

    proptest::proptest! {
        /// Every vertex once; at most half the needs backwards (the vertex
        /// placed first without a free one has at least as many needs on
        /// it as it has left); none when the needs have no cycle.
        #[test]
        fn few_back_edges_orders_every_vertex_with_at_most_half_backwards(
            n in 1..40usize,
            pairs in proptest::collection::vec((0..40u32, 0..40u32), 0..200),
            acyclic in proptest::bool::ANY,
        ) {
            let pairs: Vec<(u32, u32)> = pairs
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .filter(|&(a, b)| a != b)
                // Acyclic: each vertex needs only lower ones.
                .map(|(a, b)| if acyclic { (a.max(b), a.min(b)) } else { (a, b) })
                .collect();
            let mut needs = Csr::default();
            needs.fill(n, pairs.iter().copied());
            let order = few_back_edges(&needs, &vec![false; n]);
            let mut seen = order.clone();
            seen.sort_unstable();
            proptest::prop_assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
            let back = back_edges(&needs, &order);
            proptest::prop_assert!(2 * back <= pairs.len(), "{} of {}", back, pairs.len());
            if acyclic {
                proptest::prop_assert_eq!(back, 0);
            }
        }
    }

    proptest::proptest! {
        /// Every vertex once, and no hard need backwards, when the hard
        /// needs have no cycle (as between units: a cycle of hard needs is
        /// one unit).
        #[test]
        fn few_back_edges_puts_every_hard_need_first(
            n in 1..40usize,
            pairs in proptest::collection::vec((0..40u32, 0..40u32), 0..200),
            hard in proptest::collection::vec(proptest::bool::ANY, 40),
        ) {
            // A hard vertex needs only lower ones; the others anything.
            let pairs: Vec<(u32, u32)> = pairs
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .filter(|&(a, b)| a != b)
                .map(|(a, b)| if hard[a.max(b) as usize] { (a.max(b), a.min(b)) } else { (a, b) })
                .filter(|&(a, b)| !hard[a as usize] || a > b)
                .collect();
            let mut needs = Csr::default();
            needs.fill(n, pairs.iter().copied());
            let order = few_back_edges(&needs, &hard[..n]);
            let mut seen = order.clone();
            seen.sort_unstable();
            proptest::prop_assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
            let mut at = vec![0; n];
            order.iter().enumerate().for_each(|(i, &v)| at[v as usize] = i);
            for &(v, r) in &pairs {
                if hard[v as usize] {
                    proptest::prop_assert!(at[r as usize] < at[v as usize], "{} needs {}", v, r);
                }
            }
        }
    }

    /// A chain of 3,000 gates, each needing the next, and each needing the
    /// first: a search from the first finishes it last, behind the 2,999
    /// gates that need it; the order here puts it first, and only its need
    /// of the second goes backwards.
    #[test]
    fn a_gate_everything_needs_goes_first() {
        let n = 3000u32;
        let pairs = (0..n).flat_map(|v| {
            let next = (v + 1 < n).then_some((v, v + 1));
            let first = (v > 0).then_some((v, 0));
            next.into_iter().chain(first)
        });
        let mut needs = Csr::default();
        needs.fill(n as usize, pairs);
        let searched: Vec<u32> =
            components(n as usize, 0..n, |v, i| needs.of(v).get(i).copied()).into_gates();
        assert_eq!(back_edges(&needs, &searched), 2999);
        assert_eq!(
            back_edges(&needs, &few_back_edges(&needs, &vec![false; n as usize])),
            1
        );
    }
}
