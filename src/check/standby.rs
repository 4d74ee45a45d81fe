//! The Pangyo pattern: a standby whose `requires` fails with the primary.

use std::collections::BTreeMap;

use crate::engine::{FailureGraph, Scratch, State};
use crate::model::{Architecture, Dependency, Mode, NodeDetail, NodeId};

use super::{Finding, Rule};

/// For every placement entry with `requires`, fails each other entry's site
/// alone and reports a hard requirement that goes down with it.
pub fn standbys_needing_primary(arch: &Architecture, graph: &FailureGraph) -> Vec<Finding> {
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
        for (i, entry) in placement.entries.iter().enumerate() {
            if entry.requires.is_empty() {
                continue;
            }
            for other in &placement.entries {
                if other.site != entry.site {
                    by_primary.entry(other.site).or_default().push((id, i));
                }
            }
        }
    }
    let mut findings = Vec::new();
    let mut scratch = Scratch::new(graph);
    for (primary, standbys) in by_primary {
        scratch.propagate(graph, &[primary]);
        let mut seen = Vec::new();
        for (service, i) in standbys {
            if seen.contains(&(service, i)) {
                continue;
            }
            seen.push((service, i));
            let NodeDetail::Service {
                runs_in: Some(placement),
                ..
            } = &arch.node(service).detail
            else {
                continue;
            };
            let entry = &placement.entries[i];
            // The standby's own site going down is a different problem.
            if scratch.state(entry.site.0) == State::Down {
                continue;
            }
            let Some(needed) = entry.requires.iter().find_map(|d| hard_down(d, &scratch)) else {
                continue;
            };
            findings.push(Finding {
                rule: Rule::StandbyNeedsPrimary,
                severity: Rule::StandbyNeedsPrimary.severity(),
                node: service,
                message: format!(
                    "the standby of `{}` in `{}` needs `{}`, which goes down with `{}`, the site it stands by for",
                    arch.name_of(service),
                    arch.name_of(entry.site),
                    arch.name_of(needed),
                    arch.name_of(primary)
                ),
                fix: format!(
                    "run `{}` outside `{}` as well (e.g. also in `{}`)",
                    arch.name_of(needed),
                    arch.name_of(primary),
                    arch.name_of(entry.site)
                ),
                related: vec![needed, primary],
            });
        }
        scratch.reset(graph);
    }
    findings
}

/// The node that makes a hard requirement unmet, if it is.
fn hard_down(dep: &Dependency, scratch: &Scratch) -> Option<NodeId> {
    match dep {
        Dependency::On {
            target,
            mode: Mode::Hard,
        } => (scratch.state(target.0) == State::Down).then_some(*target),
        Dependency::AnyOf {
            members,
            min,
            mode: Mode::Hard,
        } => {
            let down: Vec<NodeId> = members
                .iter()
                .copied()
                .filter(|m| scratch.state(m.0) == State::Down)
                .collect();
            (members.len() - down.len() < *min as usize).then(|| down[0])
        }
        _ => None,
    }
}
