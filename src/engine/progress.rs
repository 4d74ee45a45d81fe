//! How far a long computation has got, for whoever wants to show it.
//!
//! The engine only counts; it never draws. The command line reads the
//! counters from another thread and decides whether to show a bar.

use std::sync::atomic::{AtomicU64, Ordering};

/// Units of work done out of a total (candidates tried, targets finished).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// Starts a new count of `total` units.
    pub fn start(&self, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        // Released after `done` is set back: a reader that sees this total
        // sees the new count's units, never the last count's ([`Self::now`]).
        self.total.store(total as u64, Ordering::Release);
    }

    /// Counts `units` more as done.
    pub fn advance(&self, units: usize) {
        self.done.fetch_add(units as u64, Ordering::Relaxed);
    }

    /// Units done so far.
    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    /// Units in all.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Acquire)
    }

    /// The units done and the total, as one count has them: read in the
    /// order [`Self::start`] wrote them, so that a count started while
    /// they are read never shows the units of the one before over its own
    /// total (`39868/22` where a command goes from its targets to its
    /// blocks of samples). At most the total.
    pub fn now(&self) -> (u64, u64) {
        let total = self.total();
        (self.done().min(total), total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_threads() {
        let p = Progress::default();
        p.start(4000);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..1000).for_each(|_| p.advance(1)));
            }
        });
        assert_eq!((p.done(), p.total()), (4000, 4000));
    }

    #[test]
    fn a_new_count_starts_from_none_done() {
        let p = Progress::default();
        p.start(39_868);
        p.advance(39_868);
        p.start(22);
        assert_eq!(p.now(), (0, 22));
        p.advance(3);
        assert_eq!(p.now(), (3, 22));
        // More units than the total (a count that overran) show as all.
        p.advance(30);
        assert_eq!(p.now(), (22, 22));
    }
}
