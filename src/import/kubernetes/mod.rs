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

#[cfg(test)]
mod tests;
