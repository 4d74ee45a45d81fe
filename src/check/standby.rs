//! The Pangyo pattern: a standby whose `requires` fails with the primary.

use std::collections::BTreeMap;

use crate::engine::{FailureGraph, Scratch, State};
use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId};

use super::{Detail, Finding, Rule, Verified};

/// For every placement entry with `requires`, fails each other entry's site
/// alone and reports a hard requirement that goes down with it.
pub(super) fn standbys_needing_primary(arch: &Architecture, graph: &FailureGraph) -> Vec<Finding> {
    // primary site → (service, standby entry index) pairs to test under it.
    let mut by_primary: BTreeMap<NodeId, Vec<(NodeId, usize)>> = BTreeMap::new();
    for id in arch.node_ids() {
        let NodeDetail::Service {
            runs_in: Some(placement),
            ..
        } = &arch.node(id).detail
        else {
            continue;
        };
        for (i, entry) in placement.entries().iter().enumerate() {
            if entry.requires.is_empty() {
                continue;
            }
            for other in placement.entries() {
                if other.site != entry.site {
                    by_primary.entry(other.site).or_default().push((id, i));
                }
            }
        }
    }
    let mut findings = Vec::new();
    let mut scratch = Scratch::new(graph);
    // Each check is one propagation; bounded (by count, not time, so that
    // output is the same on every machine) for files with many standbys.
    let mut verify_budget = 100_000;
    let mut verifier = Verifier::default();
    for (primary, standbys) in by_primary {
        scratch.propagate(graph, &[primary]);
        // A set: one primary may have thousands of standbys.
        let mut seen = std::collections::HashSet::new();
        for (service, i) in standbys {
            if !seen.insert((service, i)) {
                continue;
            }
            let NodeDetail::Service {
                runs_in: Some(placement),
                ..
            } = &arch.node(service).detail
            else {
                continue;
            };
            let entry = &placement.entries()[i];
            // The standby's own site going down is a different problem.
            if scratch.state(entry.site.into()) == State::Down {
                continue;
            }
            let Some(needed) = arch
                .requires(entry)
                .iter()
                .find_map(|d| hard_down(arch, d, &scratch))
            else {
                continue;
            };
            // Each check rebuilds the graph: bounded so big files stay fast.
            let fix = if verify_budget > 0 {
                verify_budget -= 1;
                verify(
                    arch,
                    graph,
                    &mut verifier,
                    (service, needed, entry.site, primary),
                )
            } else {
                Verified::Unchecked
            };
            findings.push(Finding {
                rule: Rule::StandbyNeedsPrimary,
                severity: Rule::StandbyNeedsPrimary.severity(),
                node: service,
                detail: Detail::StandbyNeedsPrimary {
                    standby_site: entry.site,
                    needed,
                    primary,
                    fix,
                },
            });
        }
        scratch.reset(graph);
    }
    findings
}

/// Runs the engine as if the fix were made (`needed` also placed in
/// `standby_site`, which is up when `primary` is lost): does `service` then
/// survive `primary`? `Unchecked` when the fix cannot be written as a
/// model change (`needed` has no placement to extend, or already runs
/// there). One propagation, no rebuilt graph (`fixes::down_held`).
fn verify(
    arch: &Architecture,
    graph: &FailureGraph,
    cache: &mut Verifier,
    (service, needed, standby_site, primary): (NodeId, NodeId, NodeId, NodeId),
) -> Verified {
    let NodeDetail::Service {
        runs_in: Some(placement),
        ..
    } = &arch.node(needed).detail
    else {
        return Verified::Unchecked;
    };
    if placement.entries().iter().any(|e| e.site == standby_site) {
        return Verified::Unchecked;
    }
    // Standbys share their tooling and their primaries: one propagation
    // per (tooling, primary), whatever the number of services.
    let Verifier { scratch, down } = cache;
    let scratch = scratch.get_or_insert_with(|| Scratch::new(graph));
    let down = down
        .entry((needed, primary))
        .or_insert_with(|| super::fixes::down_held(graph, scratch, &[needed], primary));
    if down.binary_search(&service).is_ok() {
        Verified::NotEnough
    } else {
        Verified::Enough
    }
}

/// What checking standby fixes keeps between findings.
#[derive(Default)]
struct Verifier {
    scratch: Option<Scratch>,
    down: BTreeMap<(NodeId, NodeId), Vec<NodeId>>,
}

/// The node that makes a hard requirement unmet, if it is.
fn hard_down(arch: &Architecture, dep: &Dependency, scratch: &Scratch) -> Option<NodeId> {
    match dep {
        Dependency::On {
            target,
            mode: Mode::Hard,
        } => (scratch.state((*target).into()) == State::Down).then_some(*target),
        Dependency::AnyOf(group) => {
            let group = arch.group(*group);
            if group.mode != Mode::Hard {
                return None;
            }
            let down: Vec<NodeId> = (group.members.iter().copied())
                .filter(|&m| scratch.state(m.into()) == State::Down)
                .collect();
            (group.members.len() - down.len() < group.min as usize).then(|| down[0])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{check, Detail, Verified};
    use crate::engine::FailureGraph;
    use crate::load::load_str;
    use crate::model::Tier;

    fn fixes(text: &str) -> Vec<Verified> {
        let arch = load_str("t.yaml", text).unwrap().arch;
        let graph = FailureGraph::build(&arch);
        check(&arch, &graph, Tier::High)
            .into_iter()
            .filter_map(|f| match f.detail {
                Detail::StandbyNeedsPrimary { fix, .. } => Some(fix),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_fix_is_checked_by_running_the_engine_again() {
        let one = "version: 1\nsites:\n  p: {}\n  s: {}\nservices:\n  tool:\n    runs_in: p\n  app:\n    tier: high\n    logical: true\n    runs_in:\n      - p\n      - { site: s, requires: [tool] }\n";
        assert_eq!(fixes(one), [Verified::Enough]);
        // Two requirements in the primary: moving one is not enough.
        let two = "version: 1\nsites:\n  p: {}\n  s: {}\nservices:\n  tool:\n    runs_in: p\n  dns:\n    runs_in: p\n  app:\n    tier: high\n    logical: true\n    runs_in:\n      - p\n      - { site: s, requires: [tool, dns] }\n";
        assert_eq!(fixes(two), [Verified::NotEnough]);
    }
}
