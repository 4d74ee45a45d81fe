//! The nodes an import makes and the edges between them, before ids.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use super::placement::{self, Placement};
use super::workload::{self, items, strings, Replicas, Workload};
use super::Options;
use crate::import::address::{hosts_in, Host};
use crate::import::manifest::{at, Object};
use crate::model::Tier;

/// Index of a planned node.
pub(super) type NodeIx = usize;

/// A dependency: on one node, or on one of several.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Dep {
    pub(super) on: Vec<NodeIx>,
    pub(super) soft: bool,
}

/// One node to write.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// What it is, for its id: (kind, namespace, name).
    pub(super) key: (String, String, String),
    pub(super) logical: bool,
    pub(super) external: bool,
    pub(super) tier: Option<&'static str>,
    pub(super) tier_note: Option<String>,
    pub(super) users: Option<u64>,
    pub(super) availability: Option<f64>,
    pub(super) placement: Option<Placement>,
    pub(super) deps: Vec<Dep>,
    pub(super) notes: Vec<String>,
    /// The object it came from: `x-kubernetes`.
    pub(super) source: bool,
    /// Its `backstage.io/kubernetes-id` label, which joins it to a catalog
    /// component.
    pub(super) backstage_id: Option<String>,
}

/// Every node and the sites.
pub(super) struct Plan {
    pub(super) nodes: Vec<Node>,
    /// The cluster's zones, sorted; empty when nothing names one.
    pub(super) zones: Vec<String>,
    /// Kinds read but not made into nodes, with counts.
    pub(super) skipped: BTreeMap<String, usize>,
    /// Objects read, after duplicates.
    pub(super) objects: usize,
}

/// Most workloads one Service's node lists as its alternatives.
const MAX_SELECTED: usize = 1_000;

/// Env names that say their value is an address.
const ADDRESS_WORDS: [&str; 10] = [
    "ADDR", "HOST", "URL", "URI", "ENDPOINT", "SERVICE", "SERVER", "BROKER", "DSN", "PEERS",
];

struct Builder<'o> {
    options: &'o Options,
    nodes: Vec<Node>,
    workloads: Vec<(Workload<'o>, NodeIx)>,
    /// Workloads (indices into `workloads`) by (namespace, label, value).
    by_label: HashMap<(String, String, String), Vec<usize>>,
    services: HashMap<(String, String), &'o Object>,
    service_nodes: HashMap<(String, String), NodeIx>,
    hosts: HashMap<String, NodeIx>,
    unknown: HashMap<(String, String), NodeIx>,
    controllers: HashMap<String, NodeIx>,
    config: HashMap<(String, String), BTreeMap<String, String>>,
    claims: HashMap<(String, String), &'o Object>,
    regional_classes: BTreeSet<String>,
    min_replicas: HashMap<(String, String, String), u64>,
    namespaces: BTreeSet<String>,
    zones: Vec<String>,
}

impl Plan {
    pub(super) fn build(objects: &[Object], options: &Options) -> Plan {
        let mut seen = BTreeSet::new();
        let kept: Vec<&Object> = objects
            .iter()
            .filter(|o| seen.insert((o.kind.clone(), o.namespace.clone(), o.name.clone())))
            .filter(|o| !managed(o))
            .collect();
        let mut b = Builder::new(&kept, options);
        let mut skipped = BTreeMap::new();
        for o in &kept {
            match o.kind.as_str() {
                "Ingress" => b.ingress(o),
                "Service" if entry_point(o) => {
                    b.service((o.namespace.clone(), o.name.clone()));
                }
                "Service"
                | "ConfigMap"
                | "Secret"
                | "PersistentVolumeClaim"
                | "StorageClass"
                | "HorizontalPodAutoscaler"
                | "PersistentVolume"
                | "Namespace" => {}
                kind if workload::WORKLOAD_KINDS.contains(&kind) => {}
                kind => *skipped.entry(kind.to_string()).or_default() += 1,
            }
        }
        for i in 0..b.workloads.len() {
            b.dependencies(i);
        }
        Plan {
            nodes: b.nodes,
            zones: b.zones,
            skipped,
            objects: kept.len(),
        }
    }

    /// Nodes with a `TODO(spof)` note.
    pub(super) fn todos(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| n.notes.iter().any(|t| t.starts_with("TODO")))
            .count()
    }
}

/// A Pod a ReplicaSet made, a ReplicaSet a Deployment made, a Job a CronJob
/// made (as `kubectl get all` lists them): counted with their owner.
fn managed(o: &Object) -> bool {
    items(at(&o.value, &["metadata", "ownerReferences"])).any(|r| {
        r.get("kind")
            .and_then(Json::as_str)
            .is_some_and(|k| workload::WORKLOAD_KINDS.contains(&k))
    })
}

fn entry_point(o: &Object) -> bool {
    matches!(o.text(&["spec", "type"]), Some("LoadBalancer" | "NodePort"))
}

impl<'o> Builder<'o> {
    fn new(kept: &[&'o Object], options: &'o Options) -> Self {
        let mut b = Builder {
            options,
            nodes: Vec::new(),
            workloads: Vec::new(),
            by_label: HashMap::new(),
            services: HashMap::new(),
            service_nodes: HashMap::new(),
            hosts: HashMap::new(),
            unknown: HashMap::new(),
            controllers: HashMap::new(),
            config: HashMap::new(),
            claims: HashMap::new(),
            regional_classes: BTreeSet::new(),
            min_replicas: HashMap::new(),
            namespaces: BTreeSet::new(),
            zones: Vec::new(),
        };
        for &o in kept {
            b.index(o);
        }
        let workloads: Vec<Workload<'o>> = kept.iter().filter_map(|o| workload::read(o)).collect();
        let mut zones = workload::zones_named(&workloads, kept);
        zones.extend(
            options
                .zones
                .iter()
                .filter(|z| !z.is_empty() && !z.chars().any(char::is_control))
                .cloned(),
        );
        b.zones = zones.into_iter().collect();
        for w in workloads {
            let ix = b.workload_node(&w);
            for (k, v) in &w.labels {
                let key = (w.object.namespace.clone(), k.clone(), v.clone());
                b.by_label.entry(key).or_default().push(b.workloads.len());
            }
            b.workloads.push((w, ix));
        }
        b
    }

    /// Remembers what references are resolved against.
    fn index(&mut self, o: &'o Object) {
        let key = (o.namespace.clone(), o.name.clone());
        self.namespaces.insert(o.namespace.clone());
        match o.kind.as_str() {
            "Service" => {
                self.services.insert(key, o);
            }
            "ConfigMap" => {
                self.config.insert(key, strings(o.value.get("data")));
            }
            "Secret" => {
                // Only `stringData` is text; `data` is base64 and stays unread.
                self.config.insert(key, strings(o.value.get("stringData")));
            }
            "PersistentVolumeClaim" => {
                self.claims.insert(key, o);
            }
            "StorageClass" => {
                let parameters = strings(o.value.get("parameters"));
                let zones: usize = items(o.value.get("allowedTopologies"))
                    .flat_map(|t| items(t.get("matchLabelExpressions")))
                    .map(|e| items(e.get("values")).count())
                    .sum();
                if parameters.values().any(|v| v.contains("regional")) || zones > 1 {
                    self.regional_classes.insert(o.name.clone());
                }
            }
            "HorizontalPodAutoscaler" => {
                let target = |k: &str| {
                    o.text(&["spec", "scaleTargetRef", k])
                        .unwrap_or_default()
                        .to_string()
                };
                if let Some(min) = at(&o.value, &["spec", "minReplicas"]).and_then(Json::as_u64) {
                    self.min_replicas
                        .insert((target("kind"), o.namespace.clone(), target("name")), min);
                }
            }
            _ => {}
        }
    }

    fn add(&mut self, node: Node) -> NodeIx {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn workload_node(&mut self, w: &Workload<'o>) -> NodeIx {
        let o = w.object;
        let hpa = self
            .min_replicas
            .get(&(o.kind.clone(), o.namespace.clone(), o.name.clone()));
        let replicas = match (w.replicas, hpa) {
            (Replicas::Count(_), Some(&min)) => Replicas::Count(min),
            (r, _) => r,
        };
        let label = "backstage.io/kubernetes-id";
        let mut node = Node {
            key: (o.kind.clone(), o.namespace.clone(), o.name.clone()),
            source: true,
            backstage_id: at(&o.value, &["metadata", "labels", label])
                .and_then(Json::as_str)
                .or_else(|| w.labels.get(label).map(String::as_str))
                .map(str::to_string),
            ..Node::default()
        };
        match replicas {
            Replicas::EveryNode => {
                node.logical = true;
                node.notes.push("a DaemonSet: a pod on every node".into());
            }
            Replicas::Count(n) if n >= 2 => {
                node.logical = true;
                node.notes.push(format!(
                    "{n} replicas: one pod's failure is not the workload's (spof/logical: \"false\" if a bad release should count)"
                ));
            }
            Replicas::Count(n) => node.notes.push(format!(
                "{}: one pod, whose failure is the workload's",
                if n == 0 { "replicas: 0" } else { "one replica" }
            )),
        }
        let stores = self.zonal_claims(w);
        node.placement = Some(if self.zones.is_empty() {
            Placement::One(self.options.cluster.clone())
        } else {
            // Pods with zonal volumes are pinned to their volumes' zones,
            // which the scheduler chose as it would place any pod.
            let allowed: Vec<String> = if w.zones.is_empty() {
                self.zones.clone()
            } else {
                w.zones.iter().cloned().collect()
            };
            let sure = placement::sure_zones(replicas, w.zone_skew, allowed.len());
            placement::quorum(allowed, sure)
        });
        if !stores.is_empty() {
            node.notes.push(format!(
                "keeps state on zonal volumes ({}): each pod is pinned to its volume's zone",
                stores.join(", ")
            ));
        }
        if !w.scratch_volumes.is_empty() {
            node.notes.push(format!(
                "TODO(spof): emptyDir volume{} {}: the data is lost when the pod moves; if that matters, it is a store",
                if w.scratch_volumes.len() == 1 { "" } else { "s" },
                w.scratch_volumes.join(", ")
            ));
        }
        annotate(&mut node, o);
        self.add(node)
    }

    /// The volume claims of a workload that live in one zone.
    fn zonal_claims(&self, w: &Workload<'o>) -> Vec<String> {
        let mut found = Vec::new();
        for c in &w.claims {
            let claim = self
                .claims
                .get(&(w.object.namespace.clone(), c.name.clone()));
            let class = c.storage_class.clone().or_else(|| {
                claim.and_then(|o| o.text(&["spec", "storageClassName"]).map(str::to_string))
            });
            let shared = c.shared
                || claim.is_some_and(|o| {
                    items(at(&o.value, &["spec", "accessModes"]))
                        .any(|m| m.as_str() == Some("ReadWriteMany"))
                });
            let regional = class.is_some_and(|k| self.regional_classes.contains(&k));
            if !shared && !regional {
                found.push(c.name.clone());
            }
        }
        found
    }

    /// The workloads in `namespace` whose pod labels hold every pair of
    /// `selector`: the pods a Service sends to. O(candidates of the
    /// selector's rarest pair × pairs), through the label index.
    fn selected(&self, namespace: &str, selector: &BTreeMap<String, String>) -> Vec<NodeIx> {
        let candidates = selector
            .iter()
            .map(|(k, v)| {
                let key = (namespace.to_string(), k.clone(), v.clone());
                self.by_label.get(&key).map_or(&[][..], Vec::as_slice)
            })
            .min_by_key(|c| c.len())
            .unwrap_or(&[]);
        candidates
            .iter()
            .filter(|&&i| {
                let labels = &self.workloads[i].0.labels;
                selector.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
            .map(|&i| self.workloads[i].1)
            .collect()
    }

    /// The node a Service stands for: its one workload, or a node of its own.
    fn service(&mut self, key: (String, String)) -> Option<NodeIx> {
        if let Some(&ix) = self.service_nodes.get(&key) {
            return Some(ix);
        }
        let o = *self.services.get(&key)?;
        let selector = strings(at(&o.value, &["spec", "selector"]));
        let selected = self.selected(&o.namespace, &selector);
        let entry = entry_point(o);
        if let ([one], false) = (selected.as_slice(), entry) {
            self.service_nodes.insert(key, *one);
            return Some(*one);
        }
        let mut node = Node {
            key: ("Service".into(), o.namespace.clone(), o.name.clone()),
            logical: !selected.is_empty(),
            source: true,
            ..Node::default()
        };
        if let Some(host) = o.text(&["spec", "externalName"]) {
            node.logical = false;
            node.external = true;
            node.notes.push(format!("ExternalName: {host}"));
        } else if selected.is_empty() {
            node.notes.push(
                "TODO(spof): selects no pod in these manifests: what serves it, and where?".into(),
            );
        } else {
            let mut selected = selected;
            if selected.len() > MAX_SELECTED {
                // Hostile or generated input could make every Service
                // select every workload: quadratic output from a small
                // file. Fewer alternatives is the cautious side.
                node.notes.push(format!(
                    "TODO(spof): selects {} workloads; only the first {MAX_SELECTED} are its alternatives here",
                    selected.len()
                ));
                selected.truncate(MAX_SELECTED);
            }
            node.deps.push(Dep {
                on: selected,
                soft: false,
            });
        }
        if entry {
            node.tier = Some("high");
            node.tier_note = Some("guessed: users come in through this load balancer".into());
        }
        annotate(&mut node, o);
        let ix = self.add(node);
        self.service_nodes.insert(key, ix);
        Some(ix)
    }

    fn ingress(&mut self, o: &'o Object) {
        let class = o
            .text(&["spec", "ingressClassName"])
            .map(str::to_string)
            .or_else(|| o.annotation("kubernetes.io/ingress.class"))
            .filter(|c| !c.chars().any(char::is_control))
            .unwrap_or_default();
        let controller = self.controller(&class);
        let mut node = Node {
            key: ("Ingress".into(), o.namespace.clone(), o.name.clone()),
            logical: true,
            tier: Some("high"),
            tier_note: Some("guessed: users come in through this Ingress".into()),
            source: true,
            ..Node::default()
        };
        node.deps.push(Dep {
            on: vec![controller],
            soft: false,
        });
        let mut backends = BTreeSet::new();
        let v = &o.value;
        let mut add_backend = |b: &Json| {
            let name = at(b, &["service", "name"]).or_else(|| b.get("serviceName"));
            let name = name.and_then(Json::as_str).map(str::trim);
            if let Some(name) = name.filter(|n| !n.is_empty() && !n.chars().any(char::is_control)) {
                backends.insert(name.to_string());
            }
        };
        for b in [
            at(v, &["spec", "defaultBackend"]),
            at(v, &["spec", "backend"]),
        ]
        .into_iter()
        .flatten()
        {
            add_backend(b);
        }
        for rule in items(at(v, &["spec", "rules"])) {
            for path in items(at(rule, &["http", "paths"])) {
                if let Some(b) = path.get("backend") {
                    add_backend(b);
                }
            }
        }
        for name in backends {
            let on = self
                .service((o.namespace.clone(), name.clone()))
                .unwrap_or_else(|| self.unknown_service(&o.namespace, &name, "an Ingress backend"));
            node.deps.push(Dep {
                on: vec![on],
                soft: false,
            });
        }
        annotate(&mut node, o);
        self.add(node);
    }

    /// The ingress controller of a class: every Ingress of it needs it.
    fn controller(&mut self, class: &str) -> NodeIx {
        if let Some(&ix) = self.controllers.get(class) {
            return ix;
        }
        let name = if class.is_empty() {
            "ingress-controller".to_string()
        } else {
            format!("ingress-controller-{class}")
        };
        let placement = self.guessed_placement();
        let ix = self.add(Node {
            key: ("ingress-controller".into(), String::new(), name),
            placement,
            notes: vec![
                "TODO(spof): the ingress controller is not in these manifests: how many replicas, in which zones? Modelled as one instance".into(),
            ],
            ..Node::default()
        });
        self.controllers.insert(class.to_string(), ix);
        ix
    }

    /// Where a thing runs that the manifests do not show: one instance.
    fn guessed_placement(&self) -> Option<Placement> {
        Some(if self.zones.is_empty() {
            Placement::One(self.options.cluster.clone())
        } else {
            placement::quorum(self.zones.clone(), 1)
        })
    }

    fn unknown_service(&mut self, namespace: &str, name: &str, named_by: &str) -> NodeIx {
        let key = (namespace.to_string(), name.to_string());
        if let Some(&ix) = self.unknown.get(&key) {
            return ix;
        }
        let placement = self.guessed_placement();
        let ix = self.add(Node {
            key: ("service".into(), namespace.to_string(), name.to_string()),
            placement,
            notes: vec![format!(
                "TODO(spof): named as {named_by}, but no Service `{name}` is in these manifests: where does it run?"
            )],
            ..Node::default()
        });
        self.unknown.insert(key, ix);
        ix
    }

    fn external_host(&mut self, host: &str) -> NodeIx {
        if let Some(&ix) = self.hosts.get(host) {
            return ix;
        }
        let ix = self.add(Node {
            key: ("external".into(), String::new(), host.to_string()),
            external: true,
            notes: vec!["outside the cluster: named in a workload's configuration".into()],
            ..Node::default()
        });
        self.hosts.insert(host.to_string(), ix);
        ix
    }

    /// What a host name in a workload's configuration stands for.
    fn resolve(&mut self, namespace: &str, host: &Host, hinted: bool) -> Option<NodeIx> {
        let name = host.name.as_str();
        if name.is_empty() || name.chars().any(char::is_control) {
            return None; // written by hand in an annotation: not a name
        }
        if name == "localhost" || name.ends_with(".localhost") {
            return None;
        }
        let local = name
            .strip_suffix(".cluster.local")
            .unwrap_or(name)
            .strip_suffix(".svc")
            .map(|n| (n, true));
        let (short, in_cluster) = local.unwrap_or((name, false));
        let labels: Vec<&str> = short.split('.').collect();
        let (svc, ns) = match labels.as_slice() {
            [svc] => (*svc, namespace),
            [svc, ns] if in_cluster || self.namespaces.contains(*ns) => (*svc, *ns),
            _ if in_cluster => return None,
            _ => return Some(self.external_host(name)),
        };
        if let Some(ix) = self.service((ns.to_string(), svc.to_string())) {
            return Some(ix);
        }
        // Manifests written without a namespace (as `helm template` writes
        // them) land in whatever namespace they are applied to, which their
        // own addresses name: `postgres.shop.svc` is the `postgres` beside them.
        if ns != namespace && !self.namespaces.contains(ns) {
            if let Some(ix) = self.service((namespace.to_string(), svc.to_string())) {
                return Some(ix);
            }
        }
        (in_cluster || (host.addressed && labels.len() == 1 && hinted))
            .then(|| self.unknown_service(ns, svc, "an address in configuration"))
    }

    fn dependencies(&mut self, i: usize) {
        let (ix, namespace) = (
            self.workloads[i].1,
            self.workloads[i].0.object.namespace.clone(),
        );
        let mut found: Vec<NodeIx> = Vec::new();
        for (name, value) in self.settings_of(i) {
            let upper = name.to_ascii_uppercase();
            let hinted = ADDRESS_WORDS.iter().any(|w| upper.contains(w));
            for host in hosts_in(&value) {
                // A bare word (no port, no scheme) counts only in a variable
                // whose name says address, and a bare single label only when
                // a Service has that name: `MODE=frontend` is no edge, and
                // `SEED_PROVIDER=io.k8s.SeedProvider` is no host.
                let known = self
                    .services
                    .contains_key(&(namespace.clone(), host.name.clone()));
                if !host.addressed && (!hinted || (!host.name.contains('.') && !known)) {
                    continue;
                }
                if let Some(on) = self.resolve(&namespace, &host, hinted && !name.is_empty()) {
                    found.push(on);
                }
            }
        }
        let object = self.workloads[i].0.object;
        let named = |b: &mut Self, key: &str| -> Vec<(String, Option<NodeIx>)> {
            list(object.annotation(key).as_deref())
                .map(|n| {
                    let host = Host {
                        name: n.to_ascii_lowercase(),
                        addressed: true,
                    };
                    let ix = b.resolve(&namespace, &host, true);
                    (n.to_string(), ix)
                })
                .collect()
        };
        found.extend(
            named(self, "spof/depends-on")
                .into_iter()
                .filter_map(|(_, ix)| ix),
        );
        let soft: BTreeSet<NodeIx> = named(self, "spof/soft")
            .into_iter()
            .filter_map(|(_, ix)| ix)
            .collect();
        let fallbacks = self.fallbacks(object, &namespace);
        let mut deps: BTreeSet<Dep> = BTreeSet::new();
        for on in found.into_iter().filter(|&on| on != ix) {
            let mut group = vec![on];
            group.extend(
                fallbacks
                    .get(&on)
                    .into_iter()
                    .flatten()
                    .filter(|&&f| f != ix),
            );
            group.dedup();
            deps.insert(Dep {
                on: group,
                soft: soft.contains(&on),
            });
        }
        self.nodes[ix].deps.extend(deps);
    }

    /// `spof/fallback: "cartservice=cart-replica,cart-cache; payments=backup"`.
    fn fallbacks(&mut self, object: &Object, namespace: &str) -> HashMap<NodeIx, Vec<NodeIx>> {
        let mut out = HashMap::new();
        let text = object.annotation("spof/fallback").unwrap_or_default();
        for entry in text.split(';') {
            let Some((dep, alternatives)) = entry.split_once('=') else {
                continue;
            };
            let mut resolve = |n: &str| {
                let host = Host {
                    name: n.trim().to_ascii_lowercase(),
                    addressed: true,
                };
                self.resolve(namespace, &host, true)
            };
            let Some(dep) = resolve(dep) else { continue };
            let alts: Vec<NodeIx> = list(Some(alternatives)).filter_map(&mut resolve).collect();
            out.entry(dep).or_insert_with(Vec::new).extend(alts);
        }
        out
    }

    /// Every (name, value) a workload reads: env, ConfigMaps, args.
    fn settings_of(&self, i: usize) -> Vec<(String, String)> {
        let (w, _) = &self.workloads[i];
        let mut out: Vec<(String, String)> = w
            .settings
            .iter()
            .map(|s| (s.name.clone(), s.value.clone()))
            .collect();
        for (map, key) in &w.config_maps {
            let Some(data) = self.config.get(&(w.object.namespace.clone(), map.clone())) else {
                continue;
            };
            for (k, v) in data {
                if key.as_ref().is_none_or(|want| want == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
        }
        out
    }
}

/// A comma-separated annotation's items.
fn list(text: Option<&str>) -> impl Iterator<Item = &str> {
    text.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The fields the `spof/*` annotations set, over any guess.
fn annotate(node: &mut Node, o: &Object) {
    if let Some(tier) = o
        .annotation("spof/tier")
        .and_then(|t| Tier::parse(t.trim()))
    {
        node.tier = Some(tier.as_str());
        node.tier_note = None;
    }
    node.users = o
        .annotation("spof/users")
        .and_then(|u| u.trim().parse().ok());
    node.availability = o
        .annotation("spof/availability")
        .and_then(|a| a.trim().parse::<f64>().ok())
        .filter(|a| *a > 0.0 && *a <= 1.0);
    match o.annotation("spof/logical").as_deref().map(str::trim) {
        Some("true") => node.logical = true,
        Some("false") => node.logical = false,
        _ => {}
    }
}
