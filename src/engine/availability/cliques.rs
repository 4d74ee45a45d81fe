//! How many cliques a relation has, by size: the exact method's proof
//! that a target is over its budget before it answers a set
//! ([`super::SetsBySize::untouched_sets_break_budget`], and the pass over
//! the largest cycle).
//!
//! `higher[x]` holds the parts above `x` that may be with it; a clique is
//! a set of parts any two of which may be together. The counts are exact
//! up to a limit, so a verdict from them is the one counting every set
//! would give. Two lower bounds say "more than the limit" before any
//! count where they can: one from the pairs of parts apart
//! ([`surely_more_than`]), for relations where most parts may be
//! together, and one from the Moon–Moser inequality on the ratios of the
//! counts of sizes in a row ([`surely_more_by_ratios`]), also after each
//! size counted. Both only ever say "more" where there are more.

use super::super::bits::next_set;

/// Parts' positions up to which cliques are counted by branching
/// ([`Branching`]): four words of masks.
const MOST_BRANCHED: usize = 256;
/// Visits after which a search gives way to branching: a twentieth of
/// what an exact attempt's limit lets it visit.
const FIRST_VISITS: usize = 16_384;
/// Branchings after which [`Branching`] gives way to the search: each
/// costs a few passes over the parts, about what a search spends in some
/// dozens of visits.
const MOST_BRANCHINGS: usize = 4_096;

/// How many cliques of `higher` among the parts of `open` there are of
/// each size in `sizes` (from 1), by size, or `None` once they number more
/// than `limit` in all.
///
/// A search counts them one by one, visiting up to `limit` cliques
/// (300,000 for an exact attempt). On a file whose services are up 99.9%
/// of the time and call back 10% of the time, such searches were a
/// quarter of `availability`: cones of some forty parts, most of which
/// may be with most others. Counting by branching ([`Branching`]) costs
/// what the parts that may *not* be together cost there, but more than
/// the search where those are many (on `chain`, cones of a hundred parts
/// or more). So the search goes first, for [`FIRST_VISITS`] visits; then
/// branching, for [`MOST_BRANCHINGS`] branchings; then the search again,
/// to the end. Each gives the exact counts, so the verdict is the same
/// whichever gives it. O((FIRST_VISITS + the last search's visits, at
/// most the cliques up to `limit` and the smaller ones) × W +
/// MOST_BRANCHINGS × the parts × W).
pub(super) fn clique_counts<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    sizes: std::ops::RangeInclusive<usize>,
    limit: usize,
) -> Option<Vec<usize>> {
    if surely_more_than(higher, open, sizes.clone(), limit) {
        return None;
    }
    let few = Few::of(higher, open);
    // Cliques of one part and of two, where they are counted.
    let counted = (1..=2)
        .filter(|m| sizes.contains(m))
        .map(|m| few.0[m])
        .sum();
    if surely_more_by_ratios(
        few.0[1],
        (2, few.0[1], few.0[2]),
        (sizes.clone(), counted),
        limit,
    ) {
        return None;
    }
    counted_within(
        higher,
        open,
        sizes,
        limit,
        few,
        (FIRST_VISITS, MOST_BRANCHINGS),
    )
}

/// The cliques of sizes 0, 1 and 2: one empty, the parts, and the pairs
/// of parts that may be together. The bound from the ratios starts from
/// them.
#[derive(Clone, Copy)]
struct Few([u128; 3]);

impl Few {
    /// O(n × W).
    fn of<const W: usize>(higher: &[[u64; W]], open: [u64; W]) -> Self {
        let mut pairs = 0u128;
        let mut next = 0;
        while let Some(x) = next_set(|w| open[w], next, 64 * W) {
            next = x + 1;
            pairs += u128::from(together_above(higher, open, x));
        }
        let n = open.iter().map(|w| u128::from(w.count_ones())).sum();
        Few([1, n, pairs])
    }
}

/// The parts of `open` above `x` that may be with it (per `higher`).
/// O(W).
fn together_above<const W: usize>(higher: &[[u64; W]], open: [u64; W], x: usize) -> u32 {
    // Only the parts above `x` count: its own word from the bit after it.
    let own = open[x / 64] & higher[x][x / 64] & ((!0u64 << (x % 64)) << 1);
    let later = (x / 64 + 1..W).map(|w| (open[w] & higher[x][w]).count_ones());
    own.count_ones() + later.sum::<u32>()
}

/// Whether the cliques of the sizes in `sizes` surely number more than
/// `limit`, where there are exactly `before` cliques of `size - 1` parts
/// and `at` of `size` (from 2) among `n` parts, `counted` of them in
/// `sizes` already: by the Moon–Moser inequality, the ratio of the
/// cliques of one size to those of the size before,
/// r(s + 1) = N(s + 1) / N(s), is at least (s² r(s) - n) / (s² - 1)
/// (J. W. Moon and L. Moser, "On a problem of Turán", 1962; equal for
/// parts that may all be together). Chained from the exact ratio at
/// `size`, each bound on a ratio gives the next while it stays positive,
/// and each size's bound is the last one times its ratio, rounded down.
///
/// Where most parts may be with most others, and the bound from the pairs
/// apart ([`surely_more_than`]) says nothing, this often says at once
/// what a search would visit most of the limit to learn: on `chain` at
/// 100,000 services, cones of about a hundred parts, each part apart from
/// about fifteen of the others, with 78,000 cliques of three and 925,000
/// of four. The ratios are kept exact as fractions; past `i128`, the
/// chain stops with no verdict. O(the sizes).
fn surely_more_by_ratios(
    n: u128,
    (size, before, at): (usize, u128, u128),
    (sizes, counted): (std::ops::RangeInclusive<usize>, u128),
    limit: usize,
) -> bool {
    let (smallest, largest) = sizes.into_inner();
    if size < 2 {
        // The inequality starts at cliques of two.
        return false;
    }
    let (Ok(n), Ok(mut num), Ok(mut den)) = (
        i128::try_from(n),
        i128::try_from(at),
        i128::try_from(before),
    ) else {
        return false;
    };
    let (mut count, mut total, limit) = (at, counted, limit as u128);
    for s in size..largest {
        let s2 = (s * s) as i128;
        let next = s2
            .checked_mul(num)
            .zip(n.checked_mul(den))
            .and_then(|(a, b)| a.checked_sub(b))
            .zip((s2 - 1).checked_mul(den));
        let Some((a, b)) = next.filter(|&(a, b)| a > 0 && b > 0) else {
            return false;
        };
        let common = gcd(a, b);
        (num, den) = (a / common, b / common);
        // Both positive: the casts are exact.
        let Some(more) = count.checked_mul(num as u128) else {
            return false;
        };
        count = more / den as u128;
        if s + 1 >= smallest {
            total = total.saturating_add(count);
            if total > limit {
                return true;
            }
        }
    }
    false
}

/// The greatest common divisor of two positive numbers.
fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Whether the cliques of the sizes in `sizes` among the `n` parts of
/// `open` surely number more than `limit`, from the pairs of parts that
/// may not be together (`apart` of them): of the C(n, m) sets of m parts,
/// one that is not a clique holds such a pair, and each pair is in
/// C(n - 2, m - 2) sets, so at least C(n, m) - apart × C(n - 2, m - 2) are
/// cliques. Where few parts are apart, that is nearly all the sets, and
/// the verdict costs a pass over the parts instead of `limit` visits: on
/// `chain` at 100,000 services, 11,852 of the 14,193 exact attempts that
/// give up learn it here, and their counts had taken 0.51 s of processor
/// time.
///
/// The bound for size m is positive only while apart × m(m - 1) is below
/// n(n - 1) (the ratio of the two binomials), so the pass stops once the
/// pairs apart reach that for the smallest size, and the sizes once they
/// reach it for theirs: where most parts are apart (cones of thousands of
/// parts that fail 1% of the time, sizes up to a hundred), it costs
/// little more than the parts' first words. O(n × W + the sizes counted).
fn surely_more_than<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    sizes: std::ops::RangeInclusive<usize>,
    limit: usize,
) -> bool {
    let (smallest, largest) = sizes.into_inner();
    let limit = limit as u128;
    let n: u128 = open.iter().map(|w| u128::from(w.count_ones())).sum();
    // Sets of one part hold no pair: every one is a clique.
    let mut total = if smallest <= 1 && 1 <= largest { n } else { 0 };
    let first = smallest.max(2) as u128;
    if total > limit || first > largest as u128 || n < first {
        return total > limit;
    }
    let pairs_of = |m: u128| m * (m - 1);
    let all_pairs = n * (n - 1);
    let Some(apart) = pairs_apart(higher, open, |apart| {
        apart.saturating_mul(pairs_of(first)) >= all_pairs
    }) else {
        return false;
    };
    // C(n, m) and C(n - 2, m - 2), from m = 2 up.
    let (mut all, mut per_pair) = (all_pairs / 2, 1u128);
    for m in 2..=(largest as u128).min(n) {
        if apart.saturating_mul(pairs_of(m)) >= all_pairs {
            break; // no bound from this size or larger ones
        }
        if m >= first {
            total = total.saturating_add(all - apart * per_pair);
            if total > limit {
                return true;
            }
        }
        // Each product is the next binomial times m + 1 (or m - 1): exact.
        let next = all.checked_mul(n - m).zip(per_pair.checked_mul(n - m));
        let Some((a, p)) = next else {
            break; // past u128: no bound from larger sizes
        };
        (all, per_pair) = (a / (m + 1), p / (m - 1));
    }
    false
}

/// The pairs of parts of `open` that may not be together (per
/// `higher`), or `None` as soon as `enough(pairs so far)`. O(n × W).
fn pairs_apart<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    enough: impl Fn(u128) -> bool,
) -> Option<u128> {
    let mut above: u128 = open.iter().map(|w| u128::from(w.count_ones())).sum();
    let mut apart = 0u128;
    let mut next = 0;
    while let Some(x) = next_set(|w| open[w], next, 64 * W) {
        next = x + 1;
        above -= 1;
        apart += above - u128::from(together_above(higher, open, x));
        if enough(apart) {
            return None;
        }
    }
    Some(apart)
}

/// [`clique_counts`], with at most `visits` visits before branching and
/// `branchings` branchings before the search to the end; `few` are the
/// cliques of sizes 0 to 2 ([`Few::of`]).
fn counted_within<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    sizes: std::ops::RangeInclusive<usize>,
    limit: usize,
    few: Few,
    (visits, branchings): (usize, usize),
) -> Option<Vec<usize>> {
    let (smallest, largest) = sizes.into_inner();
    let searched = searched_clique_counts(higher, open, (smallest..=largest, few), limit, visits);
    if let Ok(verdict) = searched {
        return verdict;
    }
    if 64 * W <= MOST_BRANCHED {
        let mut branching = Branching {
            together: together(higher, open),
            largest,
            left: branchings,
        };
        if let Some(mut from_none) = branching.count(open) {
            let by_size = from_none.split_off(smallest.min(largest + 1));
            let total = by_size.iter().try_fold(0usize, |a, &c| a.checked_add(c));
            return total.is_some_and(|total| total <= limit).then_some(by_size);
        }
    }
    searched_clique_counts(higher, open, (smallest..=largest, few), limit, usize::MAX)
        .unwrap_or(None)
}

/// For each part of `open`, the others that may be with it, below or above.
/// O(64 × W × W + the pairs that may be together).
fn together<const W: usize>(higher: &[[u64; W]], open: [u64; W]) -> Vec<[u64; W]> {
    let mut with = vec![[0u64; W]; 64 * W];
    let mut next = 0;
    while let Some(x) = next_set(|w| open[w], next, 64 * W) {
        next = x + 1;
        let mut above = 0;
        while let Some(y) = next_set(|w| open[w] & higher[x][w], above, 64 * W) {
            above = y + 1;
            if y == x {
                // A part is not counted as with itself, whatever `higher`
                // says: branching on it must leave it out.
                continue;
            }
            with[x][y / 64] |= 1 << (y % 64);
            with[y][x / 64] |= 1 << (x % 64);
        }
    }
    with
}

/// Counts cliques by size, from 0 (the empty one), by the two ways a part
/// `v` can be in one or not: the cliques without `v`, and `v` with the
/// cliques of the parts that may be with it. `v` is the part that may not
/// be with the most others, so the second set of parts is small; and
/// where the parts fall into groups any two of which may be together
/// ([`Self::group_of`]), each group is counted alone and the counts
/// multiplied, so that a part that may not be with a few others costs
/// about as much as those few. Exponential in the worst case, hence the
/// bound on branchings.
struct Branching<const W: usize> {
    together: Vec<[u64; W]>,
    /// Sizes past this one are not counted.
    largest: usize,
    /// Branchings left.
    left: usize,
}

impl<const W: usize> Branching<W> {
    /// The counts by size from 0 to `largest` of the cliques among `open`;
    /// `None` past the branchings allowed or a count past `usize`.
    fn count(&mut self, open: [u64; W]) -> Option<Vec<usize>> {
        self.left = self.left.checked_sub(1)?;
        let mut by_size = vec![0usize; self.largest + 1];
        by_size[0] = 1;
        let Some(first) = next_set(|w| open[w], 0, 64 * W) else {
            return Some(by_size);
        };
        let group = self.group_of(first, open);
        if group != open {
            let rest = word_by_word(&open, &group, |o, g| o & !g);
            return product(&self.count(group)?, &self.count(rest)?);
        }
        let Some(v) = self.most_apart(open) else {
            // One part alone.
            if let Some(one) = by_size.get_mut(1) {
                *one = 1;
            }
            return Some(by_size);
        };
        let mut without = open;
        without[v / 64] &= !(1 << (v % 64));
        let with_v = self.count(word_by_word(&open, &self.together[v], |o, t| o & t))?;
        let mut counts = self.count(without)?;
        for (size, &with) in with_v.iter().enumerate() {
            if let Some(slot) = counts.get_mut(size + 1) {
                *slot = slot.checked_add(with)?;
            }
        }
        Some(counts)
    }

    /// The parts of `open` reached from `first` by steps between parts
    /// that may not be together. O(the parts reached × W).
    fn group_of(&self, first: usize, open: [u64; W]) -> [u64; W] {
        let mut group = [0u64; W];
        group[first / 64] |= 1 << (first % 64);
        let mut fresh = group;
        while fresh.iter().any(|&w| w != 0) {
            let mut reached = [0u64; W];
            let mut next = 0;
            while let Some(y) = next_set(|w| fresh[w], next, 64 * W) {
                next = y + 1;
                for w in 0..W {
                    reached[w] |= open[w] & !self.together[y][w];
                }
            }
            fresh = word_by_word(&reached, &group, |r, g| r & !g);
            group = word_by_word(&group, &fresh, |g, f| g | f);
        }
        group
    }

    /// The part of `open` that may not be with the most others of it, or
    /// `None` when any two may be together. O(the parts × W).
    fn most_apart(&self, open: [u64; W]) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        let mut next = 0;
        while let Some(x) = next_set(|w| open[w], next, 64 * W) {
            next = x + 1;
            let apart: usize = (0..W)
                .map(|w| (open[w] & !self.together[x][w]).count_ones() as usize)
                .sum::<usize>()
                .saturating_sub(1);
            if apart > best.map_or(0, |(most, _)| most) {
                best = Some((apart, x));
            }
        }
        best.map(|(_, x)| x)
    }
}

/// `f` of two masks, word by word.
fn word_by_word<const W: usize>(
    a: &[u64; W],
    b: &[u64; W],
    f: impl Fn(u64, u64) -> u64,
) -> [u64; W] {
    std::array::from_fn(|w| f(a[w], b[w]))
}

/// The counts by size (from 0) of cliques made of one counted by `a` and
/// one counted by `b` (both from 0), up to their largest size; `None`
/// past `usize`.
fn product(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let mut by_size = vec![0usize; a.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate().take(a.len() - i) {
            by_size[i + j] = by_size[i + j].checked_add(x.checked_mul(y)?)?;
        }
    }
    Some(by_size)
}

/// Whether the cliques of `higher` (for each part, the parts above it it
/// may be with) among the parts of `open`, of the sizes in `sizes`,
/// number more than `left` in all ([`clique_counts`]).
pub(super) fn cliques_break_budget<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    sizes: std::ops::RangeInclusive<usize>,
    left: usize,
) -> bool {
    clique_counts(higher, open, sizes, left).is_none()
}

/// [`clique_counts`] by one search over all the parts of `open`, size
/// by size, visiting at most `visits` cliques: `Err` when that was not
/// enough for a verdict. `few` are the cliques of sizes 0 to 2.
fn searched_clique_counts<const W: usize>(
    higher: &[[u64; W]],
    open: [u64; W],
    (sizes, few): (std::ops::RangeInclusive<usize>, Few),
    limit: usize,
    mut visits: usize,
) -> Result<Option<Vec<usize>>, Unfinished> {
    let (smallest, largest) = sizes.into_inner();
    let mut search = |sizes: std::ops::RangeInclusive<usize>, limit: usize| {
        let (smallest, largest) = sizes.into_inner();
        let mut count = CliqueCount {
            higher,
            smallest,
            largest,
            limit,
            visits,
            total: 0,
            by_size: vec![0; (largest + 1).saturating_sub(smallest)],
        };
        let within = count.grow(open, 0);
        visits = count.visits;
        match (within, visits) {
            (false, 0) => Err(Unfinished),
            _ => Ok(within.then_some(count.by_size)),
        }
    };
    // Size by size while the counts grow, each size costing a visit per
    // clique one smaller: where parts seldom touch, the limit breaks there
    // at a few visits per thousand cliques, where one search for every
    // size would visit about as many as it counts. Past the largest count,
    // the rest in one search, since counting size by size would visit
    // the small cliques again for each size.
    // After each size, the counts of it and the size before bound those
    // of the sizes after it ([`surely_more_by_ratios`]).
    let mut by_size: Vec<usize> = Vec::new();
    let mut left = limit;
    for size in smallest..=largest {
        let Some(found) = search(size..=size, left)? else {
            return Ok(None);
        };
        let found = found[0];
        left -= found;
        let shrinking = by_size.last().is_some_and(|&before| found < before);
        let before = match by_size.last() {
            Some(&before) => Some(before as u128),
            None => few.0.get(size - 1).copied(),
        };
        by_size.push(found);
        if found == 0 {
            // No larger clique has all its subsets.
            by_size.resize((largest + 1).saturating_sub(smallest), 0);
            break;
        }
        let counted = (smallest..=largest, (limit - left) as u128);
        let known = before.map(|before| (size, before, found as u128));
        if known.is_some_and(|known| surely_more_by_ratios(few.0[1], known, counted, limit)) {
            return Ok(None);
        }
        if shrinking && size < largest {
            let Some(rest) = search(size + 1..=largest, left)? else {
                return Ok(None);
            };
            by_size.extend(rest);
            break;
        }
    }
    Ok(Some(by_size))
}

/// A search stopped at its visits, with no verdict.
#[derive(Debug, PartialEq)]
struct Unfinished;

/// The search of [`clique_counts`].
struct CliqueCount<'a, const W: usize> {
    higher: &'a [[u64; W]],
    smallest: usize,
    largest: usize,
    limit: usize,
    /// Visits left: at 0 the search stops with no verdict.
    visits: usize,
    /// Cliques counted so far, of every size.
    total: usize,
    by_size: Vec<usize>,
}

impl<const W: usize> CliqueCount<'_, W> {
    /// Counts the cliques that grow a clique of `size` parts by parts of
    /// `open`, each of which may be with all of it. `false` once past the
    /// limit or out of visits.
    fn grow(&mut self, open: [u64; W], size: usize) -> bool {
        let Some(visits) = self.visits.checked_sub(1) else {
            return false;
        };
        self.visits = visits;
        let ones: usize = open.iter().map(|w| w.count_ones() as usize).sum();
        let bigger = size + 1;
        // No clique from here reaches the sizes counted.
        if ones == 0 || bigger > self.largest || size + ones < self.smallest {
            return true;
        }
        if bigger >= self.smallest {
            self.by_size[bigger - self.smallest] += ones;
            self.total += ones;
            if self.total > self.limit {
                return false;
            }
        }
        if bigger == self.largest {
            return true;
        }
        let mut next = 0;
        while let Some(x) = next_set(|w| open[w], next, 64 * W) {
            next = x + 1;
            let mut with_x = open;
            with_x
                .iter_mut()
                .zip(&self.higher[x])
                .for_each(|(o, &h)| *o &= h);
            if !self.grow(with_x, bigger) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::parts_above;
    use super::*;

    proptest::proptest! {
        /// The cliques counted size by size, then together, are those a
        /// plain look at every subset finds, and the verdict over the limit
        /// is theirs: parts placed anywhere in two words, any relation,
        /// from parts that may seldom be together to parts in groups of
        /// which any two may be (`dense` up to 100).
        #[test]
        fn clique_counts_are_every_subsets(
            places in proptest::sample::subsequence((0..128usize).collect::<Vec<_>>(), 1..=13),
            with in proptest::collection::vec(0..100u8, 78),
            dense in 30..=100u8,
            closed in proptest::collection::vec(proptest::bool::weighted(0.15), 13),
            smallest in 1..8usize,
            extra in 0..8usize,
            limit in 0..400usize,
        ) {
            let n = places.len();
            let pair = |a: usize, b: usize| {
                let (a, b) = (a.min(b), a.max(b));
                with[b * (b - 1) / 2 + a] < dense
            };
            let mut higher = vec![[0u64; 2]; 128];
            let mut open = [0u64; 2];
            for a in 0..n {
                if !closed[a] {
                    open[places[a] / 64] |= 1 << (places[a] % 64);
                }
                for b in a + 1..n {
                    if pair(a, b) {
                        higher[places[a]][places[b] / 64] |= 1 << (places[b] % 64);
                    }
                }
            }
            let largest = smallest + extra;
            let mut by_size = vec![0usize; extra + 1];
            for set in 1u32..1 << n {
                let members: Vec<usize> = (0..n).filter(|&i| set >> i & 1 != 0).collect();
                let size = members.len();
                let clique = members.iter().all(|&a| !closed[a])
                    && members.iter().all(|&a| members.iter().all(|&b| a >= b || pair(a, b)));
                if clique && (smallest..=largest).contains(&size) {
                    by_size[size - smallest] += 1;
                }
            }
            let expected = (by_size.iter().sum::<usize>() <= limit).then_some(by_size);
            // The bound from the pairs apart says "more" only where there are.
            if surely_more_than(&higher, open, smallest..=largest, limit) {
                proptest::prop_assert!(expected.is_none());
            }
            proptest::prop_assert_eq!(
                clique_counts(&higher, open, smallest..=largest, limit),
                expected.clone()
            );
            proptest::prop_assert_eq!(
                cliques_break_budget(&higher, open, smallest..=largest, limit),
                expected.is_none()
            );
            // By branching alone, and by the search alone.
            let few = Few::of(&higher, open);
            proptest::prop_assert_eq!(
                counted_within(&higher, open, smallest..=largest, limit, few, (0, usize::MAX)),
                expected.clone()
            );
            proptest::prop_assert_eq!(
                counted_within(&higher, open, smallest..=largest, limit, few, (usize::MAX, 0)),
                expected.clone()
            );
            // Branching cut short: the search again.
            proptest::prop_assert_eq!(
                counted_within(&higher, open, smallest..=largest, limit, few, (3, 3)),
                expected
            );
        }
    }

    proptest::proptest! {
        /// The bounds chained from the Moon–Moser inequality never pass
        /// the cliques there are: from the exact counts of any two sizes
        /// in a row, over any sizes after them, a limit of exactly the
        /// cliques of those sizes is never said to be broken. Any relation
        /// on up to twelve parts, from none together to all.
        #[test]
        fn ratio_bounds_never_pass_the_counts(
            n in 2..=12usize,
            with in proptest::collection::vec(0..100u8, 66),
            dense in 0..=100u8,
        ) {
            let pair = |a: usize, b: usize| with[b * (b - 1) / 2 + a] < dense;
            let mut by_size = vec![0u128; n + 1];
            for set in 0u32..1 << n {
                let members: Vec<usize> = (0..n).filter(|&i| set >> i & 1 != 0).collect();
                let clique = members.iter().all(|&a| members.iter().all(|&b| a >= b || pair(a, b)));
                if clique {
                    by_size[members.len()] += 1;
                }
            }
            for size in 2..n {
                if by_size[size] == 0 {
                    break;
                }
                let known = (size, by_size[size - 1], by_size[size]);
                for largest in size + 1..=n {
                    for smallest in 1..=largest {
                        let total: u128 = by_size[smallest..=largest].iter().sum();
                        let counted: u128 = by_size[smallest.min(size + 1)..=size].iter().sum();
                        let limit = total as usize;
                        let sizes = (smallest..=largest, counted);
                        proptest::prop_assert!(
                            !surely_more_by_ratios(n as u128, known, sizes, limit),
                            "counts {by_size:?} size {size} sizes {smallest}..={largest}"
                        );
                    }
                }
            }
        }
    }

    /// Four groups of fifteen parts, each apart from the others of its
    /// group: where the Moon–Moser inequality is an equality, so the
    /// ratios give the cliques exactly, C(4, m) × 15^m (13,500 of three,
    /// 50,625 of four), and a limit one short of them is broken with no
    /// search, where the bound from the 420 pairs apart says nothing.
    #[test]
    fn ratios_count_groups_apart_exactly() {
        let group = |x: usize| x / 15;
        let higher: Vec<[u64; 1]> = (0..64)
            .map(|x| {
                let apart = (0..64)
                    .filter(|&y| group(y) == group(x))
                    .fold(0, |m, y| m | 1 << y);
                [parts_above::<1>(x)[0] & !apart]
            })
            .collect();
        let open = [(1u64 << 60) - 1];
        assert_eq!(Few::of(&higher, open).0, [1, 60, 1_350]);
        assert!(!surely_more_than(&higher, open, 3..=4, 64_124));
        assert!(surely_more_by_ratios(
            60,
            (2, 60, 1_350),
            (3..=4, 0),
            64_124
        ));
        assert!(!surely_more_by_ratios(
            60,
            (2, 60, 1_350),
            (3..=4, 0),
            64_125
        ));
        assert_eq!(clique_counts(&higher, open, 3..=4, 64_124), None);
        assert_eq!(
            clique_counts(&higher, open, 3..=4, 64_125),
            Some(vec![13_500, 50_625])
        );
        // From the exact count of three: the four break what is left.
        assert!(surely_more_by_ratios(
            60,
            (3, 1_350, 13_500),
            (3..=4, 13_500),
            64_124
        ));
    }

    /// Sixty parts, any two of which may be together but for the pairs
    /// of the first ten: the bound from the pairs apart says at once that
    /// sets of 3 to 5 break a limit of 300,000 (C(60, 5) = 5,461,512 sets
    /// of five, at most 45 × C(58, 3) = 1,386,720 of them not cliques).
    /// Apart everywhere, it says nothing, and the count decides.
    #[test]
    fn few_pairs_apart_say_more_at_once() {
        let first_ten = (1u64 << 10) - 1;
        let higher: Vec<[u64; 1]> = (0..64)
            .map(|x| {
                let mask = parts_above::<1>(x)[0];
                [if x < 10 { mask & !first_ten } else { mask }]
            })
            .collect();
        let open = [(1u64 << 60) - 1];
        assert!(surely_more_than(&higher, open, 3..=5, 300_000));
        assert_eq!(clique_counts(&higher, open, 3..=5, 300_000), None);
        // Sets of one and two: the bound is exact, 60 + C(60, 2) - 45.
        assert!(!surely_more_than(&higher, open, 1..=2, 1_785));
        assert!(surely_more_than(&higher, open, 1..=2, 1_784));
        let none_together = vec![[0u64; 1]; 64];
        assert!(!surely_more_than(&none_together, open, 2..=5, 0));
        assert_eq!(
            clique_counts(&none_together, open, 2..=5, 0),
            Some(vec![0, 0, 0, 0])
        );
    }

    /// Eight parts that may all be together: C(8, m) cliques of size m,
    /// 255 in all. Counted size by size through size 5 (56, the first
    /// count smaller than the one before), then the rest in one search,
    /// against what the limit has left.
    #[test]
    fn cliques_past_the_largest_count_keep_to_the_limit() {
        let higher: Vec<[u64; 1]> = (0..8).map(parts_above::<1>).collect();
        let open = [0xff];
        let all = vec![8, 28, 56, 70, 56, 28, 8, 1];
        assert_eq!(clique_counts(&higher, open, 1..=8, 255), Some(all));
        // 218 up to size 5; the 37 larger break a limit of 220.
        assert_eq!(clique_counts(&higher, open, 1..=8, 220), None);
        assert_eq!(clique_counts(&higher, open, 3..=4, 126), Some(vec![56, 70]));
        assert_eq!(clique_counts(&higher, open, 3..=4, 125), None);
    }
}
