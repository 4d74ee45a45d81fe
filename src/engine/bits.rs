//! Finding the next set bit in a bit set held as words: the availability
//! walk skips the parts it has ruled out, and the circuit finds the next
//! gate to evaluate, both a word of 64 positions at a time.

/// The first position from `from` up to `end` (exclusive) whose bit is set,
/// where `word(w)` gives the bits of positions `64 w .. 64 w + 64`.
/// O((end - from) / 64) words read.
pub(crate) fn next_set(word: impl Fn(usize) -> u64, from: usize, end: usize) -> Option<usize> {
    let mut j = from;
    while j < end {
        let w = j / 64;
        let bits = word(w) >> (j % 64);
        if bits == 0 {
            j = (w + 1) * 64;
            continue;
        }
        j += bits.trailing_zeros() as usize;
        return (j < end).then_some(j);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Crosses words, starts inside one, and stops at `end`.
    #[test]
    fn finds_the_next_set_bit_across_words() {
        let words = [0u64, !0b1011, !0, !0];
        let at = |w: usize| words[w];
        assert_eq!(next_set(at, 0, 256), Some(66));
        assert_eq!(next_set(at, 67, 256), Some(68));
        assert_eq!(next_set(at, 0, 66), None);
        assert_eq!(next_set(|w| [0u64; 2][w], 0, 128), None);
        assert_eq!(next_set(at, 255, 256), Some(255));
    }
}
