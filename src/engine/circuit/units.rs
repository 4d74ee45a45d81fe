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

use super::{components, Csr, NONE};

/// The gates of a cyclic `block` (live indices, with `reqs` their live
/// requirements) as units, in an evaluation order: each unit a strongly
/// connected component along requirements into gates for which `is_any`
/// holds, in the order a search along every requirement finished them.
/// `index` is scratch, one entry per live gate, [`NONE`] on entry and on
/// return. O(the block's gates and edges).
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
    if sets.len() == k {
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
    let order = components(sets.len(), 0..sets.len() as u32, |v, i| {
        between.of(v).get(i).copied()
    });
    order
        .iter()
        .flatten()
        .map(|&u| {
            sets[u as usize]
                .iter()
                .map(|&i| block[i as usize])
                .collect()
        })
        .collect()
}
