//! What a workload's pod template says: labels, replicas, where its pods
//! may go, what configuration it reads and what volumes it keeps state in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::import::manifest::{at, Object};

/// The kinds that run pods.
pub(super) const WORKLOAD_KINDS: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Pod",
];

/// The node labels that name a zone (the second is the deprecated one).
const ZONE_KEYS: [&str; 2] = [
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

/// How many pods a workload keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Replicas {
    /// A fixed count (`replicas`, `parallelism`, or 1 for a Pod).
    Count(u64),
    /// A DaemonSet: one per node, so in every zone with nodes.
    EveryNode,
}

/// One piece of configuration text and where it was read.
#[derive(Debug)]
pub(super) struct Setting {
    /// The variable's or ConfigMap key's name; empty for command args.
    pub(super) name: String,
    pub(super) value: String,
}

/// A workload's pod template, read.
#[derive(Debug)]
pub(super) struct Workload<'o> {
    pub(super) object: &'o Object,
    pub(super) labels: BTreeMap<String, String>,
    pub(super) replicas: Replicas,
    /// Zones its pods are allowed in (node affinity or selector); empty: any.
    pub(super) zones: BTreeSet<String>,
    /// The largest zone skew a hard spread constraint allows; `Some(1)` for
    /// a required anti-affinity on zones.
    pub(super) zone_skew: Option<u64>,
    pub(super) settings: Vec<Setting>,
    /// ConfigMaps read whole (`envFrom`) or one key (`configMapKeyRef`).
    pub(super) config_maps: Vec<(String, Option<String>)>,
    /// PersistentVolumeClaims its pods mount, by claim name, and whether
    /// they come from a StatefulSet's `volumeClaimTemplates`.
    pub(super) claims: Vec<Claim>,
    /// `emptyDir` volumes by name: state lost when a pod moves.
    pub(super) scratch_volumes: Vec<String>,
}

/// A volume claim a workload mounts.
#[derive(Debug)]
pub(super) struct Claim {
    pub(super) name: String,
    pub(super) storage_class: Option<String>,
    pub(super) shared: bool,
}

/// The pod template of a workload object.
fn template(object: &Object) -> Option<&Json> {
    let v = &object.value;
    match object.kind.as_str() {
        "Pod" => Some(v),
        "CronJob" => at(v, &["spec", "jobTemplate", "spec", "template"]),
        _ => at(v, &["spec", "template"]),
    }
}

/// Reads a workload; `None` for an object that runs no pods.
pub(super) fn read(object: &Object) -> Option<Workload<'_>> {
    if !WORKLOAD_KINDS.contains(&object.kind.as_str()) {
        return None;
    }
    let template = template(object)?;
    let pod = template.get("spec").unwrap_or(&Json::Null);
    let mut w = Workload {
        object,
        labels: strings(at(template, &["metadata", "labels"])),
        replicas: replicas(object),
        zones: allowed_zones(pod),
        zone_skew: zone_skew(pod),
        settings: Vec::new(),
        config_maps: Vec::new(),
        claims: Vec::new(),
        scratch_volumes: Vec::new(),
    };
    for list in ["initContainers", "containers"] {
        for c in items(pod.get(list)) {
            read_container(&mut w, c);
        }
    }
    read_volumes(&mut w, pod);
    Some(w)
}

fn replicas(object: &Object) -> Replicas {
    let v = &object.value;
    let count = |path: &[&str]| at(v, path).and_then(Json::as_u64);
    match object.kind.as_str() {
        "DaemonSet" => Replicas::EveryNode,
        "Pod" => Replicas::Count(1),
        "Job" => Replicas::Count(count(&["spec", "parallelism"]).unwrap_or(1)),
        "CronJob" => {
            Replicas::Count(count(&["spec", "jobTemplate", "spec", "parallelism"]).unwrap_or(1))
        }
        _ => Replicas::Count(count(&["spec", "replicas"]).unwrap_or(1)),
    }
}

fn read_container(w: &mut Workload<'_>, c: &Json) {
    for e in items(c.get("env")) {
        let name = e.get("name").and_then(Json::as_str).unwrap_or_default();
        if let Some(value) = e.get("value").and_then(Json::as_str) {
            w.settings.push(Setting {
                name: name.to_string(),
                value: value.to_string(),
            });
        }
        if let Some(r) = at(e, &["valueFrom", "configMapKeyRef"]) {
            if let (Some(map), Some(key)) = (
                r.get("name").and_then(Json::as_str),
                r.get("key").and_then(Json::as_str),
            ) {
                w.config_maps.push((map.to_string(), Some(key.to_string())));
            }
        }
    }
    for e in items(c.get("envFrom")) {
        for source in ["configMapRef", "secretRef"] {
            if let Some(map) = at(e, &[source, "name"]).and_then(Json::as_str) {
                w.config_maps.push((map.to_string(), None));
            }
        }
    }
    for list in ["command", "args"] {
        for arg in items(c.get(list)).filter_map(Json::as_str) {
            w.settings.push(Setting {
                name: String::new(),
                value: arg.to_string(),
            });
        }
    }
}

fn read_volumes(w: &mut Workload<'_>, pod: &Json) {
    for v in items(pod.get("volumes")) {
        let name = v.get("name").and_then(Json::as_str).unwrap_or("?");
        if v.get("emptyDir").is_some() {
            w.scratch_volumes.push(name.to_string());
        }
        if let Some(claim) = at(v, &["persistentVolumeClaim", "claimName"]).and_then(Json::as_str) {
            w.claims.push(Claim {
                name: claim.to_string(),
                storage_class: None,
                shared: false,
            });
        }
    }
    for t in items(at(&w.object.value, &["spec", "volumeClaimTemplates"])) {
        let modes: Vec<&str> = items(at(t, &["spec", "accessModes"]))
            .filter_map(Json::as_str)
            .collect();
        w.claims.push(Claim {
            name: at(t, &["metadata", "name"])
                .and_then(Json::as_str)
                .unwrap_or("?")
                .to_string(),
            storage_class: at(t, &["spec", "storageClassName"])
                .and_then(Json::as_str)
                .map(str::to_string),
            shared: modes.contains(&"ReadWriteMany"),
        });
    }
}

/// Zones a pod may run in: a zone `nodeSelector`, or the union of the
/// zones each required node-affinity term allows with `In`.
fn allowed_zones(pod: &Json) -> BTreeSet<String> {
    let mut zones = BTreeSet::new();
    for key in ZONE_KEYS {
        if let Some(z) = at(pod, &["nodeSelector", key]).and_then(Json::as_str) {
            zones.insert(z.to_string());
        }
    }
    let terms = at(
        pod,
        &[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ],
    );
    // Only `In` bounds where a pod may go; `NotIn` names zones it avoids.
    for (op, values) in zone_expressions(terms) {
        if op == "In" {
            zones.extend(values);
        }
    }
    zones.retain(|z| !z.is_empty() && !z.chars().any(char::is_control));
    zones
}

/// The (operator, values) of every match expression on a zone label in a
/// list of node selector terms.
fn zone_expressions(terms: Option<&Json>) -> impl Iterator<Item = (&str, Vec<String>)> {
    items(terms)
        .flat_map(|term| items(term.get("matchExpressions")))
        .filter(|e| {
            let key = e.get("key").and_then(Json::as_str).unwrap_or_default();
            ZONE_KEYS.contains(&key)
        })
        .map(|e| {
            let op = e.get("operator").and_then(Json::as_str).unwrap_or_default();
            let values = items(e.get("values"))
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect();
            (op, values)
        })
}

/// The skew a hard zone spread allows: `maxSkew` of a `DoNotSchedule`
/// topology spread constraint on zones, or 1 for a required pod
/// anti-affinity on zones (at most one pod of its kind per zone).
fn zone_skew(pod: &Json) -> Option<u64> {
    let mut skew = None;
    for c in items(pod.get("topologySpreadConstraints")) {
        let key = c
            .get("topologyKey")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let hard = c.get("whenUnsatisfiable").and_then(Json::as_str) == Some("DoNotSchedule");
        if ZONE_KEYS.contains(&key) && hard {
            let s = c.get("maxSkew").and_then(Json::as_u64).unwrap_or(1).max(1);
            skew = Some(skew.map_or(s, |k: u64| k.min(s)));
        }
    }
    let anti = at(
        pod,
        &[
            "affinity",
            "podAntiAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ],
    );
    if items(anti).any(|t| {
        t.get("topologyKey")
            .and_then(Json::as_str)
            .is_some_and(|k| ZONE_KEYS.contains(&k))
    }) {
        skew = Some(1);
    }
    skew
}

/// The items of a list, or none.
pub(super) fn items(value: Option<&Json>) -> impl Iterator<Item = &Json> {
    value.and_then(Json::as_array).into_iter().flatten()
}

/// A mapping of strings (labels, selectors, ConfigMap data).
pub(super) fn strings(value: Option<&Json>) -> BTreeMap<String, String> {
    value
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// The zones named anywhere in the objects: node affinities and selectors
/// of workloads, and PersistentVolumes' node affinity.
pub(super) fn zones_named(workloads: &[Workload<'_>], objects: &[&Object]) -> BTreeSet<String> {
    let mut zones: BTreeSet<String> = workloads
        .iter()
        .flat_map(|w| w.zones.iter().cloned())
        .collect();
    for o in objects.iter().filter(|o| o.kind == "PersistentVolume") {
        let terms = at(
            &o.value,
            &["spec", "nodeAffinity", "required", "nodeSelectorTerms"],
        );
        // Whatever the operator, the values are zones the cluster has.
        zones.extend(zone_expressions(terms).flat_map(|(_, values)| values));
    }
    zones.retain(|z| !z.is_empty() && !z.chars().any(char::is_control));
    zones
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::manifest;

    fn workload(text: &str) -> Workload<'static> {
        let (file, _) = manifest::read("w.yaml", text).unwrap();
        let object = Box::leak(Box::new(file.objects[0].clone()));
        read(object).unwrap()
    }

    #[test]
    fn replicas_by_kind() {
        let w = workload(
            "kind: Deployment\nmetadata: {name: a}\nspec: {replicas: 3, template: {spec: {}}}\n",
        );
        assert_eq!(w.replicas, Replicas::Count(3));
        let w = workload("kind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {}}}\n");
        assert_eq!(w.replicas, Replicas::Count(1), "replicas defaults to 1");
        let w = workload("kind: DaemonSet\nmetadata: {name: a}\nspec: {template: {spec: {}}}\n");
        assert_eq!(w.replicas, Replicas::EveryNode);
        let w =
            workload("kind: Pod\nmetadata: {name: a, labels: {app: a}}\nspec: {containers: []}\n");
        assert_eq!(w.replicas, Replicas::Count(1));
    }

    #[test]
    fn zones_from_affinity_selector_and_spread() {
        let w = workload(
            "kind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n      nodeSelector: {topology.kubernetes.io/zone: z1}\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - {key: topology.kubernetes.io/zone, operator: In, values: [z2, z3]}\n      topologySpreadConstraints:\n      - {maxSkew: 2, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}\n      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}\n",
        );
        assert_eq!(
            w.zones.iter().map(String::as_str).collect::<Vec<_>>(),
            ["z1", "z2", "z3"]
        );
        assert_eq!(w.zone_skew, Some(2), "only the hard constraint counts");
    }

    #[test]
    fn settings_config_maps_and_volumes() {
        let w = workload(
            "kind: Deployment\nmetadata: {name: a}\nspec:\n  volumeClaimTemplates: []\n  template:\n    spec:\n      containers:\n      - env:\n        - {name: DB_ADDR, value: 'db:5432'}\n        - {name: X, valueFrom: {configMapKeyRef: {name: cfg, key: x}}}\n        envFrom: [{configMapRef: {name: all}}]\n        args: ['--cache=redis:6379']\n      volumes:\n      - {name: tmp, emptyDir: {}}\n      - {name: data, persistentVolumeClaim: {claimName: data-a}}\n",
        );
        assert_eq!(w.settings.len(), 2);
        assert_eq!(w.settings[0].name, "DB_ADDR");
        assert_eq!(
            w.config_maps,
            [
                ("cfg".to_string(), Some("x".to_string())),
                ("all".to_string(), None)
            ]
        );
        assert_eq!(w.scratch_volumes, ["tmp"]);
        assert_eq!(w.claims[0].name, "data-a");
    }
}
