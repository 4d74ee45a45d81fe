//! The failure engine: states under failures, single points of failure,
//! cut sets and availability, all on the compiled [`graph::FailureGraph`].
//! Pure computation: no I/O, no printing.

pub mod audit;
pub mod availability;
pub(crate) mod bits;
pub(crate) mod budget;
pub(crate) mod chain;
pub(crate) mod circuit;
pub(crate) mod cone;
pub(crate) mod fnv;
pub(crate) mod lanes;
pub(crate) mod sharing;
pub mod targets;
pub(crate) use audit::rank_visiting;
pub mod cuts;
pub mod fault_tree;
pub mod graph;
pub mod parallel;
pub mod progress;
pub(crate) mod propagate;
pub(crate) mod sampling;
pub mod scenario;
pub(crate) mod sure_down;
pub(crate) mod word;

pub use audit::{
    audit, audit_with, rank, rank_keeping_targets, rank_showing, Audit, Described, Fold, Ranking,
    Reach, Shown, Spof, TargetSelection, TargetsTaken,
};
pub use graph::FailureGraph;
pub use progress::Progress;
pub use propagate::{Scratch, State};
pub use scenario::{what_if, NodeOutcome, ScenarioOutcome};
pub use targets::Targets;
