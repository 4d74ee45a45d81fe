//! `spof check`: the rules a pull request is linted with. Pure: findings
//! come out as data; the report layer formats them.

pub mod baseline;
pub mod diff;
mod fixes;
mod shared_fate;
mod standby;

use crate::engine::graph::GateId;
use crate::engine::lanes::Layout;
use crate::engine::{self, FailureGraph, TargetSelection};
use crate::model::{Architecture, NodeDetail, NodeId, Tier};

mod policy;
pub use policy::{run, Outcome, Suppressed, SuppressedBy};

pub use crate::rule::{Rule, Severity};

/// One thing `check` found, located at the node it is about. Plain data:
/// the report layer words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Rule,
    /// The rule's default, or what the configuration says.
    pub severity: Severity,
    /// The node whose id line the finding points at.
    pub node: NodeId,
    /// What was found, with the nodes involved.
    pub detail: Detail,
}

/// What a finding is about, rule by rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    /// `node` alone takes down `targets` (most important first).
    SinglePoint {
        /// The targets it takes down, most important tier first.
        targets: engine::Targets,
        /// Users of every node down when it fails, itself included.
        users_affected: u64,
        /// The edit that removes it.
        fix: Fix,
        /// What the engine said about the edit (checked for reported
        /// findings only, within a work budget).
        verified: Verified,
    },
    /// The standby of service `node` in `standby_site` needs `needed`, which
    /// goes down with `primary`.
    StandbyNeedsPrimary {
        /// The site of the standby placement entry.
        standby_site: NodeId,
        /// The hard requirement that fails with the primary.
        needed: NodeId,
        /// The other placement site whose loss takes `needed` down.
        primary: NodeId,
        /// The fix (`needed` also placed in `standby_site`), checked by
        /// running the engine on the changed model.
        fix: Verified,
    },
    /// Integration `node` has no fallback.
    IntegrationWithoutFallback {
        /// Who runs what it uses.
        provider: NodeId,
        /// Whose feature it is.
        consumer: NodeId,
        /// Its tier (its own, or its consumer's).
        tier: Tier,
    },
    /// Nothing reaches the target bar; `node` is where the file begins.
    NoTargets {
        /// The bar.
        min_tier: Tier,
    },
    /// A group of `node` looks redundant but fails with `common`.
    SharedFate {
        /// Which group of the node.
        group: Group,
        /// The group's alternatives, in file order.
        alternatives: Vec<Alternative>,
        /// The one part that takes every alternative down.
        common: NodeId,
    },
}

/// What running the engine on a fixed model said about a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verified {
    /// With the fix, the finding's service survives.
    Enough,
    /// The fix helps, but the service still goes down.
    NotEnough,
    /// The fix cannot be written as a model change, or was not tried (time bound).
    Unchecked,
}

/// An edit of the model that removes a single point of failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Site `node` takes `services` down through their placement: run them
    /// also in `site` (`None`: no site survives `node`).
    PlaceAlsoIn {
        /// The services, in file order.
        services: Vec<NodeId>,
        /// The site to add, one `node` does not take down.
        site: Option<NodeId>,
    },
    /// Service `node` runs in several sites and fails only as one
    /// deployable: `logical: true` if only its sites can take it down.
    Logical,
    /// Service `node` runs in one site (or none): run replicas in `site`
    /// too, `logical: true`.
    ReplicateIn {
        /// A site outside its site and not containing it.
        site: Option<NodeId>,
    },
    /// External service `node` is someone else's: what needs it needs an
    /// alternative (`any_of`) or a fallback.
    Alternative,
}

/// The redundant-looking group a shared-fate finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// A service's multi-site placement.
    Placement,
    /// An `any_of` dependency group.
    AnyOf,
    /// An integration's provider and fallbacks.
    Providers,
}

/// One alternative of a group: a node, or a placement entry with no node of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// A site, service or integration.
    Node(NodeId),
    /// A placement entry (a site with a standby's requirements).
    Entry,
}

impl Finding {
    /// The finding's level (the rule's, or the configuration's).
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The other nodes a reader should look at, beside [`Finding::node`].
    pub fn related(&self) -> Vec<NodeId> {
        match &self.detail {
            Detail::SinglePoint { targets, .. } => targets.to_vec(),
            Detail::StandbyNeedsPrimary {
                needed, primary, ..
            } => vec![*needed, *primary],
            Detail::IntegrationWithoutFallback { provider, .. } => vec![*provider],
            Detail::SharedFate { common, .. } => vec![*common],
            Detail::NoTargets { .. } => Vec::new(),
        }
    }
}

/// Runs every rule on one architecture. Findings are sorted by the line of
/// their node, then by rule.
pub fn check(arch: &Architecture, graph: &FailureGraph, min_tier: Tier) -> Vec<Finding> {
    let SinglePoints {
        findings,
        groups,
        ranks,
        ..
    } = single_points(arch, graph, min_tier);
    let others = other_rules(arch, graph, min_tier, (groups, &ranks));
    merge_by_line(arch, findings, others, |f| f)
}

/// The rules other than single points of failure, sorted by line, then
/// rule (a stable sort: the order they were found in for the rest).
/// `shared` and `ranks` are those of [`single_points`].
fn other_rules(
    arch: &Architecture,
    graph: &FailureGraph,
    min_tier: Tier,
    (shared, ranks): (Vec<(GateId, NodeId)>, &[u32]),
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = no_targets(arch, min_tier).into_iter().collect();
    findings.extend(standby::standbys_needing_primary(arch, graph));
    findings.extend(integrations_without_fallback(arch, min_tier));
    // A standby that needs its primary is the more precise explanation of
    // the same lost redundancy; say it once.
    // Sorted for binary search: both lists grow with the file.
    let mut explained: Vec<NodeId> = findings
        .iter()
        .filter(|f| f.rule == Rule::StandbyNeedsPrimary)
        .map(|f| f.node)
        .collect();
    explained.sort_unstable();
    findings.extend(
        shared_fate::shared_fate(graph, ranks, shared.into_iter())
            .into_iter()
            .filter(|f| explained.binary_search(&f.node).is_err()),
    );
    sort_by_line(arch, &mut findings);
    findings
}

/// Sorts `findings` by [`line_then_rule`], stably. Each key is read once:
/// a comparison that reads two nodes misses the cache at every step.
fn sort_by_line(arch: &Architecture, findings: &mut [Finding]) {
    findings.sort_by_cached_key(|f| (arch.node(f.node).id_span, f.rule));
}

/// The order findings are reported in: by their node's line, then rule.
fn line_then_rule(arch: &Architecture, a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let line = |f: &Finding| arch.node(f.node).id_span;
    line(a).cmp(&line(b)).then(a.rule.cmp(&b.rule))
}

/// `a` and `b`, each sorted by [`line_then_rule`] of the finding `of`
/// gives, as one list so sorted; at equal places, `a`'s first. O(a + b).
///
/// Why not one sort of all: the single points of failure are settled (and
/// their fixes checked) while the other rules run.
fn merge_by_line<T>(
    arch: &Architecture,
    a: Vec<T>,
    b: Vec<T>,
    of: impl Fn(&T) -> &Finding,
) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        let b_first = line_then_rule(arch, of(y), of(x)).is_lt();
        out.extend(if b_first { b.next() } else { a.next() });
    }
    out.extend(a);
    out.extend(b);
    out
}

/// What the audit's one pass gives every rule: the single points of
/// failure with their fixes (sorted by line), the groups each candidate's
/// failure takes down (for `shared_fate`), the layout (for the fixes'
/// checks) and the ids' ranks.
struct SinglePoints {
    findings: Vec<Finding>,
    groups: Vec<(GateId, NodeId)>,
    layout: Layout,
    ranks: Vec<u32>,
}

/// The single points of failure with their fixes, and the groups each
/// candidate's failure takes down (for `shared_fate`, from the same
/// propagations: each candidate is failed once for every rule).
fn single_points(arch: &Architecture, graph: &FailureGraph, min_tier: Tier) -> SinglePoints {
    let mut fixes = fixes::Checker::new(arch);
    let seen = std::sync::Mutex::new(std::collections::HashSet::new());
    let redundant = shared_fate::RedundantGroups::of(graph);
    let (ranking, taken, shared) = engine::rank_visiting(
        arch,
        graph,
        &TargetSelection::MinTier(min_tier),
        &engine::Progress::default(),
        |lanes, sharing, base, ranks| {
            let on = (lanes, sharing, base);
            let groups = shared_fate::groups_down(&redundant, on, (ranks, &seen));
            (groups, fixes.plan_sites(arch, graph, lanes))
        },
    );
    let mut site_plans = std::collections::HashMap::new();
    let mut down = Vec::new();
    for (groups, plans) in shared {
        down.push(groups);
        site_plans.extend(plans);
    }
    let (layout, ranks) = ranking.into_layout_and_ranks();
    let groups = shared_fate::all_hits(down, &ranks).collect();
    // Targets (most important first) and users only: the chains the audit
    // prints are not needed.
    let mut findings: Vec<Finding> = taken
        .into_iter()
        .map(|(id, targets, users_affected)| {
            let fix = site_plans
                .remove(&id)
                .unwrap_or_else(|| fixes.plan(arch, graph, id));
            finding(
                Rule::SinglePointOfFailure,
                id,
                Detail::SinglePoint {
                    targets,
                    users_affected,
                    fix,
                    verified: Verified::Unchecked,
                },
            )
        })
        .collect();
    sort_by_line(arch, &mut findings);
    SinglePoints {
        findings,
        groups,
        layout,
        ranks,
    }
}

/// A warning when nothing is a target: without one, "no single point of
/// failure" would be a false all-clear. Located at the first node of the
/// root file.
fn no_targets(arch: &Architecture, min_tier: Tier) -> Option<Finding> {
    if arch
        .nodes
        .iter()
        .any(|n| n.tier().is_some_and(|t| t >= min_tier))
    {
        return None;
    }
    let first = arch.node_ids().min_by_key(|&id| arch.node(id).id_span)?;
    Some(finding(
        Rule::NoTargets,
        first,
        Detail::NoTargets { min_tier },
    ))
}

/// A finding at the rule's default level.
fn finding(rule: Rule, node: NodeId, detail: Detail) -> Finding {
    Finding {
        rule,
        severity: rule.severity(),
        node,
        detail,
    }
}

fn integrations_without_fallback(arch: &Architecture, min_tier: Tier) -> Vec<Finding> {
    arch.node_ids()
        .filter_map(|id| {
            let node = arch.node(id);
            let NodeDetail::Integration {
                provider,
                fallback,
                tier,
                consumer,
                ..
            } = &node.detail
            else {
                return None;
            };
            if !fallback.is_empty() || *tier < min_tier {
                return None;
            }
            Some(finding(
                Rule::IntegrationWithoutFallback,
                id,
                Detail::IntegrationWithoutFallback {
                    provider: *provider,
                    consumer: *consumer,
                    tier: *tier,
                },
            ))
        })
        .collect()
}
