//! Where a workload's pods are, as a format-v1 placement.
//!
//! A workload is up while a zone holding one of its pods is up. Which zones
//! hold its pods is the scheduler's choice; the manifests only bound it. The
//! placement says what is sure: with pods guaranteed in at least `m`
//! distinct zones out of `z` allowed, losing `m` zones may take every pod,
//! losing fewer cannot. So it is a quorum over the allowed zones with
//! `min = z - m + 1`: one pod (`m = 1`) is taken by any zone's loss
//! (`min = z`), pods in every zone (`m = z`) survive while one zone is up
//! (`min = 1`, a plain list).

use super::workload::Replicas;

/// A placement to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Placement {
    /// `runs_in: SITE`.
    One(String),
    /// `runs_in: [A, B]`: up while one is up.
    Any(Vec<String>),
    /// `runs_in: { sites: [...], min: K }`.
    Quorum(Vec<String>, usize),
}

/// The distinct zones a workload's pods are sure to be in, out of `zones`.
///
/// A hard spread with `maxSkew` s leaves no zone empty unless every other
/// holds at most s pods, so n pods fill at least ⌈n / s⌉ zones.
pub(super) fn sure_zones(replicas: Replicas, skew: Option<u64>, zones: usize) -> usize {
    let z = zones as u64;
    let m = match (replicas, skew) {
        (Replicas::EveryNode, _) => z,
        (Replicas::Count(n), Some(s)) => n.div_ceil(s.max(1)).min(z),
        (Replicas::Count(_), None) => 1,
    };
    usize::try_from(m.max(1)).unwrap_or(zones)
}

/// A quorum over `zones` for pods sure to be in `m` of them.
pub(super) fn quorum(zones: Vec<String>, m: usize) -> Placement {
    let z = zones.len();
    let m = m.clamp(1, z.max(1));
    match (z, z - m + 1) {
        (1, _) => Placement::One(zones.into_iter().next().unwrap_or_default()),
        (_, 1) => Placement::Any(zones),
        (_, min) => Placement::Quorum(zones, min),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("z{i}")).collect()
    }

    #[test]
    fn sure_zones_follow_replicas_and_skew() {
        assert_eq!(sure_zones(Replicas::Count(1), None, 3), 1);
        assert_eq!(
            sure_zones(Replicas::Count(5), None, 3),
            1,
            "no hard spread: all may share a zone"
        );
        assert_eq!(sure_zones(Replicas::Count(2), Some(1), 3), 2);
        assert_eq!(sure_zones(Replicas::Count(6), Some(1), 3), 3);
        assert_eq!(sure_zones(Replicas::Count(6), Some(2), 3), 3);
        assert_eq!(sure_zones(Replicas::Count(3), Some(2), 3), 2);
        assert_eq!(sure_zones(Replicas::EveryNode, None, 3), 3);
        assert_eq!(sure_zones(Replicas::Count(0), None, 3), 1);
    }

    #[test]
    fn quorums() {
        assert_eq!(quorum(zones(3), 1), Placement::Quorum(zones(3), 3));
        assert_eq!(quorum(zones(3), 2), Placement::Quorum(zones(3), 2));
        assert_eq!(quorum(zones(3), 3), Placement::Any(zones(3)));
        assert_eq!(quorum(zones(1), 1), Placement::One("z0".into()));
        assert_eq!(quorum(zones(2), 9), Placement::Any(zones(2)));
    }
}
