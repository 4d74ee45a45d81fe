//! The gap before a part's next failure: Geometric(q) by inverse
//! transform, floor(ln(u) / ln(1 - q)) for u uniform in (0, 1].
//!
//! Monte Carlo draws one gap per failure, a hundred million and more where
//! every service fails 1% of the time, and each draw called the
//! platform's logarithm and divided. So the quotient is approximated
//! here, by a table and a short polynomial and a multiplication, to within
//! a known error; only its floor is kept, and that is the platform's
//! floor unless the quotient lies within the error of an integer, where
//! the platform's logarithm decides (a few draws in ten billion at 1%).
//! The gaps, hence every estimate, are the same bit for bit as with the
//! platform's logarithm alone (`the_gaps_are_the_platforms`). Monte Carlo
//! asks for four at once ([`Geometric::gaps`]), whose arithmetic the
//! compiler then does in one register for all four.

use std::f64::consts::LN_2;
use std::sync::OnceLock;

/// At least how far [`ln_series`] may be from the true logarithm, with a
/// factor of 128 to spare over what the tests find (2^-47).
const LN_ERROR: f64 = 1.0 / (1u64 << 40) as f64;

/// At least the relative error of the platform's quotient and of this
/// one (rounding, the reciprocal, the platform's logarithm: a few units in
/// the last place), with room to spare.
const RELATIVE: f64 = 1.0 / (1u64 << 40) as f64;

/// Gaps from here on are left to the platform's logarithm, which caps them
/// (they exceed any block of samples).
const LARGEST_FAST: f64 = (1u64 << 51) as f64;

/// Mantissas fall into this many equal intervals of [1, 2), by their
/// leading bits.
const INTERVALS: usize = 128;

/// Per interval of mantissas, c near 1 / m over it and -ln(c).
type Table = [(f64, f64); INTERVALS];

/// The table, made once, by the platform's logarithm.
fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|i| {
            let middle = 1.0 + (i as f64 + 0.5) / INTERVALS as f64;
            let c = 1.0 / middle;
            (c, -c.ln())
        })
    })
}

/// Draws gaps for one probability of failing, q (every gap 0 at a q of 1
/// or more).
#[derive(Clone, Copy, Debug)]
pub(super) struct Geometric {
    /// ln(1 - q), as the platform gives it; -inf at a q of 1 or more.
    log_up: f64,
    /// 1 / ln(1 - q), rounded.
    inverse: f64,
    /// How far [`LN_ERROR`] moves the quotient, and [`RELATIVE`] one.
    margin: f64,
    table: &'static Table,
}

impl Geometric {
    /// Gaps for parts that fail with probability `q`; at a `q` of 1 or
    /// more, every gap is 0 (the quotient's divisor is -inf, and the
    /// platform decides each).
    pub(super) fn new(q: f64) -> Self {
        let log_up = if q >= 1.0 {
            f64::NEG_INFINITY
        } else {
            (1.0 - q).ln()
        };
        Geometric {
            log_up,
            inverse: 1.0 / log_up,
            // Infinite where q is too small to move ln(1 - q) from 0:
            // then the platform decides every gap.
            margin: LN_ERROR / log_up.abs() + RELATIVE,
            table: table(),
        }
    }

    /// The samples up before the next failure, for `u` in (0, 1]: what
    /// `(u.ln() / ln(1 - q)).min(2^63) as u64` gives. One at a time, for
    /// the tests: Monte Carlo draws four at once ([`Self::gaps`]).
    #[cfg(test)]
    pub(super) fn gap(&self, u: f64) -> u64 {
        self.gaps([u])[0]
    }

    /// The gap of each of `u`, floor(ln(u) / ln(1 - q)), side by side:
    /// the same operations on each, in the same order, so that the
    /// compiler puts the lanes in one register. The floor of the quotient
    /// from [`ln_series`] where no integer is within its error, which is
    /// the platform's floor; else, for all of them, the platform's
    /// logarithm. O(N).
    #[inline(always)]
    pub(super) fn gaps<const N: usize>(&self, u: [f64; N]) -> [u64; N] {
        const SHIFT: f64 = (1u64 << 52) as f64;
        let bits = u.map(f64::to_bits);
        let rows = bits.map(|bits| self.table[interval(bits)]);
        let mut close = [0.0; N];
        for ((close, &bits), &row) in close.iter_mut().zip(&bits).zip(&rows) {
            *close = ln_series(bits, row) * self.inverse;
        }
        let mut gaps = [0; N];
        let mut fast = true;
        for (gap, &close) in gaps.iter_mut().zip(&close) {
            let margin = self.margin + RELATIVE * close;
            let shifted = close + SHIFT;
            let off = close - (shifted - SHIFT);
            // No integer within the margin of `close` (`off` is how far
            // the nearest is): the platform's quotient has the same floor.
            // Comparisons false for a NaN or an infinite margin fall
            // through; `&` rather than `&&`, so that no branch splits the
            // lanes.
            fast &= (close >= margin) & (close < LARGEST_FAST) & (off.abs() > margin);
            // Wrapping: a lane not fast (`close` below 0 by the series'
            // error, or NaN) may give anything here; it is not used.
            let floor = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
            *gap = floor.wrapping_sub(u64::from(off < 0.0));
        }
        if !fast {
            // Some quotient is within the margin of an integer: each gap
            // is the platform's (the same as above for the others).
            for (gap, &u) in gaps.iter_mut().zip(&u) {
                *gap = platforms(u, self.log_up);
            }
        }
        gaps
    }
}

/// The gap by the platform's logarithm.
#[inline(never)]
fn platforms(u: f64, log_up: f64) -> u64 {
    (u.ln() / log_up).min(u64::MAX as f64 / 2.0) as u64
}

/// ln(u) for a normal `u` in (0, 1], as [`ln_series`] gives it: for the
/// tests, which hold it to the platform's.
#[cfg(test)]
fn ln_close(u: f64, table: &Table) -> f64 {
    let bits = u.to_bits();
    ln_series(bits, table[interval(bits)])
}

/// The interval of [`Table`] that `u`'s mantissa falls in, from its bits.
#[inline(always)]
fn interval(bits: u64) -> usize {
    (bits >> (52 - 7)) as usize % INTERVALS
}

/// ln(u) for a normal `u` in (0, 1] given by its `bits`, within
/// [`LN_ERROR`], once the table's row for it is read (apart, so that
/// side by side, in [`Geometric::gaps`], the rows are read first and the
/// arithmetic is done on all at once): u = 2^e × m with m in [1, 2); c
/// from m's interval makes |r| = |m c - 1| at most 1/255, and ln(u) =
/// e ln 2 - ln(c) + ln(1 + r), the series of the last to r^5 (its tail
/// below 1e-15).
#[inline(always)]
fn ln_series(bits: u64, (c, minus_ln_c): (f64, f64)) -> f64 {
    const MANTISSA: u64 = (1 << 52) - 1;
    const ONE: u64 = 1023 << 52;
    const TWO_52: u64 = 0x4330_0000_0000_0000;
    const TWO_52_F: f64 = (1u64 << 52) as f64;
    let m = f64::from_bits(bits & MANTISSA | ONE);
    // The exponent, e + 1023 below 2^11, converted through the bits of
    // 2^52 + e + 1023 (exact, and it vectorizes).
    let e = f64::from_bits(TWO_52 | bits >> 52) - (TWO_52_F + 1023.0);
    let r = m * c - 1.0;
    // r - r^2/2 + r^3/3 - r^4/4 + r^5/5, in two halves that overlap.
    let r2 = r * r;
    let high = (-0.5 + r * (1.0 / 3.0)) + r2 * (-0.25 + r * 0.2);
    (e * LN_2 + minus_ln_c) + (r + r2 * high)
}

#[cfg(test)]
mod tests {
    use super::super::SplitMix;
    use super::*;

    /// The draws' values of u: 1 - k / 2^53.
    fn draws(seed: u64, n: usize) -> impl Iterator<Item = f64> {
        let mut rng = SplitMix(seed);
        (0..n).map(move |_| 1.0 - rng.unit())
    }

    /// Within 2^-46 of the platform's logarithm (2^-47 is the worst found)
    /// over draws, the ends of (0, 1], and both sides of each power of two
    /// and of each interval's ends.
    #[test]
    fn the_logarithm_is_close() {
        let mut edges = vec![1.0, f64::EPSILON / 2.0, 1.0 - f64::EPSILON / 2.0];
        for e in 0..53 {
            for i in 0..INTERVALS {
                let x = 2f64.powi(-e - 1) * (1.0 + i as f64 / INTERVALS as f64);
                edges.extend([x, x.next_down(), x.next_up()]);
            }
            let x = 2f64.powi(-e);
            edges.extend([x, x.next_down()]);
        }
        let worst = (draws(7, 2_000_000).chain(edges))
            .filter(|&u| u > 0.0 && u <= 1.0)
            .map(|u| (ln_close(u, table()) - u.ln()).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1.0 / (1u64 << 46) as f64, "{worst:e}");
    }

    /// The gaps are the platform's, for the availabilities files give and
    /// for the ends: many draws, u = 1, the smallest u, and the 400 values
    /// of u nearest each that makes the quotient an integer, where the two
    /// logarithms can put it on either side (without the margin, some do).
    /// Drawn one at a time and four at a time, where each value near an
    /// integer goes with three draws, so that the four fall back to the
    /// platform for one of them.
    #[test]
    fn the_gaps_are_the_platforms() {
        for q in [1.0, 1.5] {
            let always = Geometric::new(q);
            for u in draws(3, 1_000).chain([1.0, f64::EPSILON / 2.0]) {
                assert_eq!(always.gap(u), 0, "u {u} q {q}");
            }
            assert_eq!(always.gaps([1.0, 0.5, 0.25, f64::EPSILON / 2.0]), [0; 4]);
        }
        let qs: [f64; 10] = [0.5, 0.1, 0.01, 0.001, 1e-4, 5e-4, 1e-6, 1e-9, 1e-15, 1e-17];
        for (i, &q) in qs.iter().enumerate() {
            let geometric = Geometric::new(q);
            let log_up = geometric.log_up;
            let mut us: Vec<f64> = draws(i as u64, 300_000).collect();
            us.extend([1.0, f64::EPSILON / 2.0, 0.5, 1.0]);
            let mut others = draws(100 + i as u64, usize::MAX);
            for k in [1.0f64, 2.0, 10.0, 99.0, 1000.0] {
                let mut u = (k * log_up).exp();
                (0..200).for_each(|_| u = u.next_down());
                for _ in 0..400 {
                    if u <= 1.0 {
                        us.push(u);
                        us.extend(others.by_ref().take(3));
                    }
                    u = u.next_up();
                }
            }
            for &u in &us {
                assert_eq!(geometric.gap(u), platforms(u, log_up), "u {u} q {q}");
            }
            for four in us.chunks_exact(4) {
                let four: [f64; 4] = four.try_into().unwrap();
                let platform = four.map(|u| platforms(u, log_up));
                assert_eq!(geometric.gaps(four), platform, "u {four:?} q {q}");
            }
        }
    }
}
