//! From Kubernetes manifests to a format-v1 architecture.
//!
//! Manifests hold both halves spof needs: where things run (zones,
//! replicas, spread, zonal volumes) and what calls what (service addresses
//! in env, ConfigMaps and args). The mapping:
//!
//! | Kubernetes | spof |
//! |---|---|
//! | the cluster | a site (`--cluster`, default `cluster`); its zones are sites `within` it |
//! | Deployment, StatefulSet, DaemonSet, ReplicaSet, (Cron)Job, Pod | a service placed over the zones it may run in (see `placement`) |
//! | `replicas: 1` | not `logical`: the one pod's failure is the workload's |
//! | `replicas: 2` or more, a DaemonSet | `logical: true`: it fails through its zones and dependencies |
//! | a Service selecting one workload | that workload (references resolve to it) |
//! | a Service selecting several, or none in the manifests | a node of its own |
//! | a LoadBalancer or NodePort Service, an Ingress | an entry point: its own node, `tier: high` (guessed) |
//! | an Ingress's class | the ingress controller, one service every Ingress of that class needs |
//! | `ExternalName`, a host outside the cluster | an external service |
//! | annotations `spof/tier`, `spof/users`, `spof/availability`, `spof/logical`, `spof/soft`, `spof/fallback`, `spof/depends-on` | the field, no guess |
//!
//! Pure: objects in, text out. Rescheduling is not modelled: a zone's loss
//! takes what runs there now, as it does until pods are moved.

mod placement;
mod plan;
mod workload;
mod write;

use super::manifest::Object;
use super::Imported;

/// Choices the user makes on the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// The cluster's site id.
    pub cluster: String,
    /// Zones the cluster's nodes are in, when the manifests do not say.
    pub zones: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cluster: "cluster".into(),
            zones: Vec::new(),
        }
    }
}

/// Maps the objects of every manifest read (in the order read) to an
/// architecture. `files` is how many files they came from.
pub fn import(objects: &[Object], files: usize, options: &Options) -> Imported {
    let plan = plan::Plan::build(objects, options);
    let text = write::write(&plan, files, options);
    Imported {
        text,
        nodes: plan.nodes.len(),
        todos: plan.todos(),
    }
}

/// Where the workloads of a cluster run, for joining a Backstage catalog
/// to it: a component annotated `backstage.io/kubernetes-id: X` takes the
/// placement of the workload labelled `backstage.io/kubernetes-id: X`.
#[derive(Debug, Default)]
pub struct Placements {
    /// The cluster's site id.
    pub cluster: String,
    /// Its zones (sites within it), sorted; empty when nothing names one.
    pub zones: Vec<String>,
    /// The placement of each labelled workload, by label value.
    pub by_backstage_id: std::collections::BTreeMap<String, Joined>,
}

/// What a labelled workload gives the component joined to it.
#[derive(Clone, Debug)]
pub struct Joined {
    /// The sites it may run in.
    pub sites: Vec<String>,
    /// How many of them must be up (1: any one).
    pub min: usize,
    /// Whether it fails only through its sites and dependencies (replicas).
    pub logical: bool,
    /// What the import says about it (replicas, volumes).
    pub notes: Vec<String>,
    /// `Kind/namespace/name` of the workload.
    pub workload: String,
}

/// The placements of every workload carrying a `backstage.io/kubernetes-id`
/// label. Where two carry the same label, the first (by kind, namespace and
/// name) is taken and a note names the other.
pub fn placements(objects: &[Object], options: &Options) -> Placements {
    let plan = plan::Plan::build(objects, options);
    let mut by_backstage_id = std::collections::BTreeMap::new();
    let mut labelled: Vec<&plan::Node> = plan
        .nodes
        .iter()
        .filter(|n| n.backstage_id.is_some())
        .collect();
    labelled.sort_by(|a, b| a.key.cmp(&b.key));
    for node in labelled {
        let Some(id) = node.backstage_id.clone() else {
            continue;
        };
        let (kind, ns, name) = &node.key;
        let workload = format!("{kind}/{ns}/{name}");
        if let Some(first) = by_backstage_id.get_mut(&id) {
            let first: &mut Joined = first;
            first
                .notes
                .push(format!("{workload} carries the same label; not joined"));
            continue;
        }
        let (sites, min) = match &node.placement {
            Some(placement::Placement::One(s)) => (vec![s.clone()], 1),
            Some(placement::Placement::Any(s)) => (s.clone(), 1),
            Some(placement::Placement::Quorum(s, k)) => (s.clone(), *k),
            None => (vec![options.cluster.clone()], 1),
        };
        by_backstage_id.insert(
            id,
            Joined {
                sites,
                min,
                logical: node.logical,
                notes: node.notes.clone(),
                workload,
            },
        );
    }
    Placements {
        cluster: options.cluster.clone(),
        zones: plan.zones,
        by_backstage_id,
    }
}

#[cfg(test)]
mod tests;
