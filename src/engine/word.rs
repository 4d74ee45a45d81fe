//! A word of lanes: one bit per failure set (or sample) evaluated side by
//! side. The circuit ([`super::circuit::ConeCircuit`]) is written over any
//! such word: `u64` for the exact method's 64 sets at a time, [`Wide`] for
//! Monte Carlo, whose batches evaluate most of the union of the cones
//! whatever their width, so a wider word pays a gate's bookkeeping (finding
//! it, reading its requirements' positions, marking its dependents) once
//! for more samples.

use std::ops::{BitAnd, BitOr, BitXor, Not};

/// The operations the circuit needs on a word of lanes.
pub(crate) trait Lanes:
    Copy
    + Eq
    + Default
    + std::fmt::Debug
    + BitOr<Output = Self>
    + BitAnd<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
{
    /// Lanes in one word.
    const LANES: usize;
    /// No lane set.
    const NONE: Self;

    /// Whether no lane is set.
    fn is_none(self) -> bool;

    /// How many lanes are set.
    fn count(self) -> u32;

    /// Sets lane `lane` (below [`Self::LANES`]).
    fn set_lane(&mut self, lane: usize);

    /// This word with lane `lane` set too.
    #[cfg(test)]
    fn with(mut self, lane: usize) -> Self {
        self.set_lane(lane);
        self
    }

    /// Lanes `64 i .. 64 i + 64`, as a `u64`.
    fn word(self, i: usize) -> u64;

    /// Whether lane `lane` is set, read in place (a wide word is not
    /// copied to read one bit of it).
    fn has_lane(&self, lane: usize) -> bool;
}

impl Lanes for u64 {
    const LANES: usize = 64;
    const NONE: Self = 0;

    fn is_none(self) -> bool {
        self == 0
    }

    fn count(self) -> u32 {
        self.count_ones()
    }

    fn set_lane(&mut self, lane: usize) {
        *self |= 1 << lane;
    }

    fn word(self, i: usize) -> u64 {
        if i == 0 {
            self
        } else {
            0
        }
    }

    fn has_lane(&self, lane: usize) -> bool {
        lane < 64 && *self >> lane & 1 == 1
    }
}

/// `N` words of 64 lanes, used as one: lane `l` is bit `l % 64` of word
/// `l / 64`.
///
/// Aligned to a cache line, so that Monte Carlo's word of 128 bytes lies
/// on two lines rather than three.
#[derive(Clone, Copy, Debug, Eq)]
#[repr(align(64))]
pub(crate) struct Wide<const N: usize>([u64; N]);

/// Word by word without a branch (a derived comparison calls `memcmp`,
/// which the cycles' worklist pays once per evaluation).
impl<const N: usize> PartialEq for Wide<N> {
    fn eq(&self, other: &Self) -> bool {
        self.0.iter().zip(&other.0).fold(0, |d, (a, b)| d | (a ^ b)) == 0
    }
}

impl<const N: usize> Default for Wide<N> {
    fn default() -> Self {
        Wide([0; N])
    }
}

impl<const N: usize> Wide<N> {
    // The gates' evaluation is these operations on sixteen words: a call
    // each, where the compiler chose not to inline them, cost Monte Carlo a
    // third more.
    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(u64, u64) -> u64) -> Self {
        Wide(std::array::from_fn(|i| f(self.0[i], other.0[i])))
    }
}

impl<const N: usize> BitOr for Wide<N> {
    type Output = Self;
    #[inline(always)]
    fn bitor(self, other: Self) -> Self {
        self.zip(other, |a, b| a | b)
    }
}

impl<const N: usize> BitAnd for Wide<N> {
    type Output = Self;
    #[inline(always)]
    fn bitand(self, other: Self) -> Self {
        self.zip(other, |a, b| a & b)
    }
}

impl<const N: usize> BitXor for Wide<N> {
    type Output = Self;
    #[inline(always)]
    fn bitxor(self, other: Self) -> Self {
        self.zip(other, |a, b| a ^ b)
    }
}

impl<const N: usize> Not for Wide<N> {
    type Output = Self;
    #[inline(always)]
    fn not(self) -> Self {
        Wide(self.0.map(|a| !a))
    }
}

impl<const N: usize> Lanes for Wide<N> {
    const LANES: usize = 64 * N;
    const NONE: Self = Wide([0; N]);

    fn is_none(self) -> bool {
        self.0.iter().fold(0, |d, a| d | a) == 0
    }

    fn count(self) -> u32 {
        self.0.iter().map(|a| a.count_ones()).sum()
    }

    fn set_lane(&mut self, lane: usize) {
        self.0[lane / 64] |= 1 << (lane % 64);
    }

    fn word(self, i: usize) -> u64 {
        self.0.get(i).copied().unwrap_or(0)
    }

    fn has_lane(&self, lane: usize) -> bool {
        self.0
            .get(lane / 64)
            .is_some_and(|w| w >> (lane % 64) & 1 == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_word_is_its_words_side_by_side() {
        let a = Wide::<2>::NONE.with(3).with(64 + 5);
        let b = Wide::<2>::NONE.with(3).with(7);
        assert_eq!(a.0, [1 << 3, 1 << 5]);
        assert_eq!((a | b).0, [1 << 3 | 1 << 7, 1 << 5]);
        assert_eq!((a & b).0, [1 << 3, 0]);
        assert_eq!((a ^ b).0, [1 << 7, 1 << 5]);
        assert_eq!((!a).0, [!(1u64 << 3), !(1u64 << 5)]);
        assert_eq!((a | b).count(), 3);
        assert!(!a.is_none() && Wide::<2>::NONE.is_none());
        assert_eq!(<Wide<4> as Lanes>::LANES, 256);
        assert_eq!(std::mem::size_of::<Wide<16>>(), 128);
        assert_eq!(std::mem::align_of::<Wide<16>>(), 64);
        assert_eq!((a.word(0), a.word(1), a.word(2)), (1 << 3, 1 << 5, 0));
        assert_eq!((7u64.word(0), 7u64.word(1)), (7, 0));
    }
}
