//! A count of work that may not pass its limit, shared by the threads: what
//! keeps `cuts` and `availability` bounded on a hostile file.

use std::sync::atomic::{AtomicU64, Ordering};

/// A count that may not pass its limit, shared by the threads. Whether the
/// bound is passed depends only on the file, not on the order the threads
/// run in, as long as each unit of work counts the same whatever ran
/// before it: every count is added, and the total compared with the
/// limit; work is skipped only once a bound is passed, when its answer
/// will not be shown.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: u64,
    used: AtomicU64,
}

impl Budget {
    /// A budget of `limit` (`None`: no bound).
    pub(crate) fn new(limit: Option<u64>) -> Self {
        Budget {
            limit: limit.unwrap_or(u64::MAX),
            used: AtomicU64::new(0),
        }
    }

    /// Counts `n` more; false once the total is past the limit.
    pub(crate) fn spend(&self, n: u64) -> bool {
        let before = self.used.fetch_add(n, Ordering::Relaxed);
        before.saturating_add(n) <= self.limit
    }

    /// Whether the total is past the limit.
    pub(crate) fn passed(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.limit
    }

    /// The total so far.
    #[cfg(test)]
    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit (`u64::MAX` when there is none).
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_itself_is_within_and_one_more_is_past() {
        let b = Budget::new(Some(10));
        assert!(b.spend(4));
        assert!(b.spend(6));
        assert!(!b.passed());
        assert!(!b.spend(1));
        assert!(b.passed());
    }

    #[test]
    fn no_limit_is_never_passed() {
        let b = Budget::new(None);
        assert!(b.spend(u64::MAX / 2));
        assert!(b.spend(u64::MAX / 2));
        assert!(!b.passed());
    }
}
