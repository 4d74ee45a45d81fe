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
        self.total.store(total as u64, Ordering::Relaxed);
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
        self.total.load(Ordering::Relaxed)
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
}
