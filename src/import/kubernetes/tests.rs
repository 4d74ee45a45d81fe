//! The mapping rules, one test each, on small manifests.

use super::{import, Options};
use crate::import::manifest;

fn import_with(text: &str, zones: &[&str]) -> String {
    let (file, _) = manifest::read("m.yaml", text).expect("yaml");
    let options = Options {
        zones: zones.iter().map(|z| z.to_string()).collect(),
        ..Options::default()
    };
    let imported = import(&file.objects, 1, &options);
    if let Err(e) = crate::load::load_str("out.yaml", imported.text.as_str()) {
        panic!("{:?}\n{}", e.problems, imported.text);
    }
    imported.text
}

fn node<'t>(text: &'t str, id: &str) -> &'t str {
    let start = text
        .find(&format!("\n  {id}:\n"))
        .or_else(|| text.find(&format!("\n  \"{id}\":\n")))
        .unwrap_or_else(|| panic!("no node {id} in\n{text}"));
    let rest = &text[start + 1..];
    let end = rest
        .match_indices("\n  ")
        .find(|(i, _)| rest.as_bytes().get(i + 3).is_some_and(|b| *b != b' '))
        .map_or(rest.len(), |(i, _)| i + 1);
    &rest[..end]
}

const SHOP: &str = "\
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - env:
        - {name: CART_SERVICE_ADDR, value: 'cart:7070'}
        - {name: PAYMENTS_URL, value: 'https://api.stripe.com/v1'}
        - {name: LOG_LEVEL, value: info}
        envFrom: [{configMapRef: {name: web-config}}]
---
kind: ConfigMap
metadata: {name: web-config}
data: {SEARCH_HOST: search.shop.svc.cluster.local}
---
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, selector: {app: web}}
---
kind: Deployment
metadata: {name: cart}
spec:
  selector: {matchLabels: {app: cart}}
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
      - args: ['--redis=redis:6379']
---
kind: Service
metadata: {name: cart}
spec: {selector: {app: cart}}
---
kind: StatefulSet
metadata: {name: redis}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: redis}}
    spec: {containers: [{name: redis}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce]}
---
kind: Service
metadata: {name: redis}
spec: {selector: {app: redis}}
---
kind: ServiceAccount
metadata: {name: web}
";

#[test]
fn edges_come_from_env_config_maps_and_args() {
    let text = import_with(SHOP, &[]);
    let web = node(&text, "web");
    assert!(web.contains("      - api.stripe.com\n"), "{web}");
    assert!(web.contains("      - cart\n"), "{web}");
    assert!(web.contains("      - search\n"), "{web}");
    assert!(!web.contains("info"), "{web}");
    assert!(node(&text, "cart").contains("      - redis\n"), "{text}");
    let search = node(&text, "search");
    assert!(
        search.contains("TODO(spof): named as an address"),
        "{search}"
    );
    let stripe = node(&text, "api.stripe.com");
    assert!(stripe.contains("external: true"), "{stripe}");
}

#[test]
fn without_zones_the_cluster_is_one_site() {
    let text = import_with(SHOP, &[]);
    assert!(text.contains("  cluster:\n    kind: other\n"), "{text}");
    assert!(text.contains("TODO(spof): no zone"), "{text}");
    assert!(node(&text, "cart").contains("runs_in: cluster\n"), "{text}");
}

#[test]
fn one_replica_is_an_instance_that_fails_and_many_are_logical() {
    let text = import_with(SHOP, &["z1", "z2", "z3"]);
    let cart = node(&text, "cart");
    assert!(!cart.contains("logical"), "{cart}");
    assert!(
        cart.contains("runs_in: { sites: [z1, z2, z3], min: 3 }"),
        "{cart}"
    );
    assert!(cart.contains("one replica"), "{cart}");
    let web = node(&text, "web");
    assert!(web.contains("logical: true"), "{web}");
    // No hard spread: three replicas may share one zone.
    assert!(web.contains("min: 3"), "{web}");
    assert!(
        text.contains("  z1: { kind: zone, within: cluster }\n"),
        "{text}"
    );
}

#[test]
fn a_load_balancer_is_an_entry_point_and_takes_the_workload_name_too() {
    let text = import_with(SHOP, &[]);
    let entry = node(&text, "service:web");
    assert!(entry.contains("tier: high   # guessed"), "{entry}");
    assert!(entry.contains("logical: true"), "{entry}");
    assert!(entry.contains("      - web\n"), "{entry}");
}

#[test]
fn a_stateful_set_with_a_zonal_volume_is_pinned() {
    let text = import_with(SHOP, &["z1", "z2"]);
    let redis = node(&text, "redis");
    assert!(redis.contains("zonal volumes (data)"), "{redis}");
    assert!(redis.contains("min: 2"), "{redis}");
}

#[test]
fn hard_spread_sets_the_quorum() {
    let text = import_with(
        "kind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: {app: api}}\n    spec:\n      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}\n",
        &["a", "b", "c"],
    );
    assert!(
        node(&text, "api").contains("runs_in: { sites: [a, b, c], min: 2 }"),
        "{text}"
    );
    let text = import_with(
        "kind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      nodeSelector: {topology.kubernetes.io/zone: a}\n",
        &["a", "b"],
    );
    assert!(node(&text, "agent").contains("runs_in: a\n"), "{text}");
}

#[test]
fn zones_named_in_affinity_become_sites() {
    let text = import_with(
        "kind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions:\n              - {key: topology.kubernetes.io/zone, operator: In, values: [eu-1a, eu-1b]}\n---\nkind: Deployment\nmetadata: {name: worker}\nspec: {template: {spec: {}}}\n",
        &[],
    );
    assert!(text.contains("  eu-1a: { kind: zone"), "{text}");
    assert!(
        node(&text, "worker").contains("{ sites: [eu-1a, eu-1b], min: 2 }"),
        "{text}"
    );
}

#[test]
fn ingresses_share_their_controller() {
    let text = import_with(
        "kind: Ingress\nmetadata: {name: shop}\nspec:\n  ingressClassName: nginx\n  rules:\n  - http:\n      paths:\n      - backend: {service: {name: web, port: {number: 80}}}\n---\nkind: Ingress\nmetadata: {name: admin}\nspec:\n  ingressClassName: nginx\n  defaultBackend: {service: {name: admin}}\n---\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {metadata: {labels: {app: web}}, spec: {}}}\n---\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n",
        &[],
    );
    // The backend `admin` was planned before the Ingress named like it.
    for ingress in ["shop", "ingress:admin"] {
        let n = node(&text, ingress);
        assert!(n.contains("      - ingress-controller-nginx\n"), "{n}");
        assert!(n.contains("tier: high"), "{n}");
    }
    assert!(node(&text, "shop").contains("      - web\n"), "{text}");
    assert!(node(&text, "admin").contains("TODO(spof)"), "{text}");
}

#[test]
fn annotations_override_guesses_and_shape_edges() {
    let text = import_with(
        "kind: Deployment\nmetadata:\n  name: web\n  annotations: {spof/tier: critical, spof/users: 5000, spof/soft: recs, spof/fallback: 'pay=pay-backup', spof/depends-on: 'pay'}\nspec:\n  template:\n    spec:\n      containers:\n      - env: [{name: RECS_ADDR, value: 'recs:80'}]\n---\nkind: Service\nmetadata: {name: recs}\nspec: {selector: {app: recs}}\n---\nkind: Deployment\nmetadata: {name: recs}\nspec: {template: {metadata: {labels: {app: recs}}}}\n---\nkind: Service\nmetadata: {name: pay}\nspec: {type: ExternalName, externalName: pay.example.com}\n---\nkind: Service\nmetadata: {name: pay-backup}\nspec: {type: ExternalName, externalName: pay2.example.com}\n",
        &[],
    );
    let web = node(&text, "web");
    assert!(web.contains("tier: critical\n"), "{web}");
    assert!(web.contains("users: 5000\n"), "{web}");
    assert!(web.contains("{ on: recs, mode: soft }"), "{web}");
    assert!(web.contains("{ any_of: [pay, pay-backup] }"), "{web}");
    assert!(node(&text, "pay").contains("external: true"), "{text}");
}

#[test]
fn pods_a_controller_made_are_not_counted_twice() {
    let text = import_with(
        "kind: List\nitems:\n- {kind: Deployment, metadata: {name: web}, spec: {template: {spec: {}}}}\n- {kind: ReplicaSet, metadata: {name: web-5d9, ownerReferences: [{kind: Deployment, name: web}]}, spec: {template: {spec: {}}}}\n- {kind: Pod, metadata: {name: web-5d9-x, ownerReferences: [{kind: ReplicaSet, name: web-5d9}]}, spec: {}}\n",
        &[],
    );
    assert!(!text.contains("web-5d9"), "{text}");
}

#[test]
fn the_hpa_minimum_counts_as_replicas() {
    let text = import_with(
        "kind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {}}}\n---\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 2}\n",
        &[],
    );
    assert!(node(&text, "web").contains("logical: true"), "{text}");
}

proptest::proptest! {
    /// Whatever the names, references and shapes, the file written loads.
    #[test]
    fn any_manifest_set_imports_to_a_valid_file(
        objects in proptest::collection::vec(
            (0usize..6, "[a-z0-9.:/ #'\"가-힣-]{1,10}", "[a-z]{0,3}",
             proptest::collection::vec("[a-z0-9.:/@#-]{1,12}", 0..4), 0u64..4, proptest::bool::ANY),
            1..12,
        )
    ) {
        let kinds = ["Deployment", "Service", "StatefulSet", "Ingress", "ConfigMap", "DaemonSet"];
        let mut docs = Vec::new();
        for (kind, name, namespace, refs, replicas, zoned) in &objects {
            let env: Vec<serde_json::Value> = refs.iter().map(|r| serde_json::json!({"name": "X_ADDR", "value": r})).collect();
            let doc = serde_json::json!({
                "kind": kinds[*kind],
                "metadata": {
                    "name": name,
                    "namespace": if namespace.is_empty() { "default" } else { namespace },
                    "labels": {"app": refs.first()},
                    "annotations": {"spof/soft": refs.join(","), "spof/fallback": refs.join("=")},
                },
                "data": {"URL": refs.join(" ")},
                "spec": {
                    "replicas": replicas,
                    "type": if *zoned { "LoadBalancer" } else { "ClusterIP" },
                    "externalName": refs.last(),
                    "selector": {"app": refs.first()},
                    "rules": [{"http": {"paths": [{"backend": {"service": {"name": refs.first()}}}]}}],
                    "template": {
                        "metadata": {"labels": {"app": name}},
                        "spec": {
                            "containers": [{"env": env, "args": refs}],
                            "nodeSelector": if *zoned { serde_json::json!({"topology.kubernetes.io/zone": refs.first()}) } else { serde_json::json!({}) },
                        },
                    },
                    "volumeClaimTemplates": [{"metadata": {"name": "d"}}],
                },
            });
            docs.push(doc.to_string());
        }
        let (file, _) = manifest::read("m.yaml", &docs.join("\n---\n")).expect("json is yaml");
        let imported = import(&file.objects, 1, &Options { zones: vec!["web".into()], ..Options::default() });
        let loaded = crate::load::load_str("out.yaml", imported.text.as_str());
        proptest::prop_assert!(loaded.is_ok(), "{:?}\n{}", loaded.err().map(|e| e.problems), imported.text);
    }
}

#[test]
fn a_service_selecting_thousands_lists_a_bounded_number() {
    let mut text = String::from(
        "kind: Service\nmetadata: {name: all}\nspec: {type: LoadBalancer, selector: {app: x}}\n",
    );
    for i in 0..1_200 {
        text.push_str(&format!(
            "---\nkind: Deployment\nmetadata: {{name: w{i}}}\nspec: {{replicas: 2, template: {{metadata: {{labels: {{app: x}}}}}}}}\n"
        ));
    }
    let out = import_with(&text, &[]);
    let all = node(&out, "all");
    assert!(
        all.contains("selects 1200 workloads; only the first 1000"),
        "{all}"
    );
    assert_eq!(all.matches(", w").count(), 999, "{all}");
}
