//! Finding the next set bit in a bit set held as words: the availability
//! walk skips the parts it has ruled out, and the circuit finds the next
//! gate to evaluate, both a word of 64 positions at a time.

/// The first position from `from` up to `end` (exclusive) whose bit is set,
/// where `word(w)` gives the bits of positions `64 w .. 64 w + 64`.
/// O((end - from) / 64) words read.
#[inline(always)]
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

/// The lanes whose bit is set in `word`, lowest first.
pub(crate) fn lanes_of(mut word: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (word != 0).then(|| {
            let i = word.trailing_zeros() as usize;
            word &= word - 1;
            i
        })
    })
}

/// Sixty-four counters side by side, one per lane: plane `b` holds bit
/// `b` of every lane's count, so adding a word of lanes costs a carry
/// through a few planes rather than a step per lane set.
#[derive(Clone, Debug, Default)]
pub(crate) struct LaneCounts {
    planes: Vec<u64>,
}

impl LaneCounts {
    /// Adds one to the count of each lane set in `word`. O(log count).
    pub(crate) fn add(&mut self, word: u64) {
        self.add_at(word, 0);
    }

    /// Adds `times` to the count of each lane set in `word`: `word` once
    /// at each plane where `times` has a bit. O(log times · log count).
    pub(crate) fn add_times(&mut self, word: u64, times: usize) {
        for b in (0..usize::BITS as usize).filter(|b| times >> b & 1 == 1) {
            self.add_at(word, b);
        }
    }

    /// Adds 2^`plane` to the count of each lane set in `word`, carrying
    /// through the planes above. O(log count).
    fn add_at(&mut self, word: u64, plane: usize) {
        if self.planes.len() < plane {
            self.planes.resize(plane, 0);
        }
        let mut carry = word;
        for p in self.planes.iter_mut().skip(plane) {
            if carry == 0 {
                return;
            }
            let sum = *p ^ carry;
            carry &= *p;
            *p = sum;
        }
        if carry != 0 {
            self.planes.push(carry);
        }
    }

    /// Lane `lane`'s count.
    pub(crate) fn get(&self, lane: usize) -> usize {
        self.planes
            .iter()
            .enumerate()
            .map(|(b, p)| ((p >> lane & 1) as usize) << b)
            .sum()
    }
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

    /// Each lane counts the words it was set in, past several carries.
    #[test]
    fn lane_counts_count_each_lane() {
        let mut counts = LaneCounts::default();
        let words: Vec<u64> = (0..1000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        for &w in &words {
            counts.add(w);
        }
        for lane in 0..64 {
            let want = words.iter().filter(|w| *w >> lane & 1 == 1).count();
            assert_eq!(counts.get(lane), want, "lane {lane}");
        }
    }

    /// Adding a word many times at once counts as adding it that many
    /// times one by one, before and after other words, carries included.
    #[test]
    fn adding_many_times_is_adding_one_at_a_time() {
        let (mut at_once, mut one_by_one) = (LaneCounts::default(), LaneCounts::default());
        let steps: [(u64, usize); 5] = [
            (0b1011, 5),
            (u64::MAX, 1 << 20 | 3),
            (1 << 63 | 1, 0),
            (0x00FF_00FF_00FF_00FF, 77),
            (u64::MAX >> 1, 1),
        ];
        for (word, times) in steps {
            at_once.add_times(word, times);
            for _ in 0..times {
                one_by_one.add(word);
            }
            at_once.add(word);
            one_by_one.add(word);
        }
        for lane in 0..64 {
            assert_eq!(at_once.get(lane), one_by_one.get(lane), "lane {lane}");
        }
    }
}
