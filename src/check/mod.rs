//! `spof check`: the rules a pull request is linted with. Pure: findings
//! come out as data; the report layer formats them.

pub mod baseline;
pub mod config;
pub mod diff;
pub mod rules;
mod shared_fate;
mod standby;

use crate::engine::{self, FailureGraph, TargetSelection};
use crate::model::{Architecture, NodeDetail, NodeId, Tier};

pub use rules::{Rule, Severity};

/// One thing `check` found, located at the node it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: Rule,
    /// The rule's default, or what the configuration says.
    pub severity: Severity,
    /// The node whose id line the finding points at.
    pub node: NodeId,
    pub message: String,
    /// The smallest change that removes the finding, in words.
    pub fix: String,
    /// Other nodes worth showing beside it.
    pub related: Vec<NodeId>,
}

impl Finding {
    pub fn severity(&self) -> Severity {
        self.severity
    }
}

/// Runs every rule on one architecture. Findings are sorted by the line of
/// their node, then by rule.
pub fn check(arch: &Architecture, graph: &FailureGraph, min_tier: Tier) -> Vec<Finding> {
    let mut findings = single_points(arch, graph, min_tier);
    findings.extend(standby::standbys_needing_primary(arch, graph));
    findings.extend(integrations_without_fallback(arch, min_tier));
    // A standby that needs its primary is the more precise explanation of
    // the same lost redundancy; say it once.
    let explained: Vec<NodeId> = findings
        .iter()
        .filter(|f| f.rule == Rule::StandbyNeedsPrimary)
        .map(|f| f.node)
        .collect();
    findings.extend(
        shared_fate::shared_fate(arch, graph)
            .into_iter()
            .filter(|f| !explained.contains(&f.node)),
    );
    findings.sort_by(|a, b| {
        let line = |f: &Finding| arch.node(f.node).id_span;
        line(a).cmp(&line(b)).then(a.rule.cmp(&b.rule))
    });
    findings
}

fn list(arch: &Architecture, ids: &[NodeId], most: usize) -> String {
    let mut names: Vec<String> = ids
        .iter()
        .take(most)
        .map(|id| format!("`{}`", arch.name_of(*id)))
        .collect();
    if ids.len() > most {
        names.push(format!("and {} more", ids.len() - most));
    }
    names.join(", ")
}

fn single_points(arch: &Architecture, graph: &FailureGraph, min_tier: Tier) -> Vec<Finding> {
    let ranking = engine::rank(
        arch,
        graph,
        &TargetSelection::MinTier(min_tier),
        &engine::Progress::default(),
    );
    // SPOF by SPOF: each one's chains are dropped once its finding is made.
    ranking
        .details(arch, graph)
        .map(|spof| {
            let mut targets: Vec<NodeId> = spof.chains.iter().map(|(t, _)| *t).collect();
            targets.sort_by_key(|t| std::cmp::Reverse(arch.node(*t).tier()));
            let node = arch.node(spof.id);
            let what = if node.kind() == crate::model::NodeKind::Site {
                "site"
            } else {
                "service"
            };
            let fix = match node.detail {
                NodeDetail::Site { .. } => format!(
                    "give {} a second place to run that does not depend on `{}` (e.g. `runs_in: [SITE, OTHER_SITE]`)",
                    list(arch, &targets, 3),
                    arch.name_of(spof.id)
                ),
                _ => format!(
                    "run `{}` in more than one place, or give what needs it an alternative (`any_of`) or a fallback",
                    arch.name_of(spof.id)
                ),
            };
            Finding {
                rule: Rule::SinglePointOfFailure,
                severity: Rule::SinglePointOfFailure.severity(),
                node: spof.id,
                message: format!(
                    "{what} `{}` is a single point of failure: it takes down {}{}",
                    arch.name_of(spof.id),
                    list(arch, &targets, 4),
                    if spof.users_affected > 0 {
                        format!(" ({} users affected)", crate::report::thousands(spof.users_affected))
                    } else {
                        String::new()
                    }
                ),
                fix,
                related: targets,
            }
        })
        .collect()
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
            Some(Finding {
                rule: Rule::IntegrationWithoutFallback,
                severity: Rule::IntegrationWithoutFallback.severity(),
                node: id,
                message: format!(
                    "integration `{}` ({} tier) has no fallback: when `{}` is down, `{}` loses it",
                    node.id,
                    tier.as_str(),
                    arch.name_of(*provider),
                    arch.name_of(*consumer)
                ),
                fix: format!(
                    "add `fallback: [ALTERNATIVE]` to `{}`: something that does the same job without `{}`",
                    node.id,
                    arch.name_of(*provider)
                ),
                related: vec![*provider],
            })
        })
        .collect()
}
