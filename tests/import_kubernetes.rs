//! `spof import kubernetes` as a user runs it: on real manifests, from
//! stdin, then `validate` and `audit` on what it wrote.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn spof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .output()
        .expect("spof runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The ids of the single points of failure an audit lists, in its order.
fn spofs(audit: &str) -> Vec<String> {
    audit
        .lines()
        .filter_map(|l| {
            let (number, rest) = l.split_once(". ")?;
            number.parse::<usize>().ok()?;
            Some(rest.split_whitespace().next()?.to_string())
        })
        .collect()
}

const BOUTIQUE: &str = "tests/fixtures/kubernetes/online-boutique";

#[test]
fn online_boutique_imports_validates_and_its_audit_names_the_single_instances() {
    let out = common::scratch("k8s", "boutique").join("boutique.yaml");
    let o = out.to_str().unwrap();
    let import = spof(&["import", "kubernetes", BOUTIQUE, "-o", o]);
    assert_eq!(import.status.code(), Some(0), "{}", text(&import.stderr));
    let said = text(&import.stderr);
    assert!(said.contains("14 nodes from 12 manifest files"), "{said}");
    assert_eq!(spof(&["validate", o]).status.code(), Some(0));
    let audit = text(&spof(&["audit", o]).stdout);
    let found = spofs(&audit);
    // Every one-replica Deployment on the way to the storefront, the cart's
    // Redis, and the cluster itself (no zone data: one site).
    for id in [
        "cluster",
        "frontend",
        "cartservice",
        "redis-cart",
        "productcatalogservice",
        "currencyservice",
        "checkoutservice",
        "paymentservice",
        "shippingservice",
        "emailservice",
        "recommendationservice",
        "adservice",
    ] {
        assert!(found.iter().any(|f| f == id), "{id} missing from\n{audit}");
    }
    assert!(!found.iter().any(|f| f == "loadgenerator"), "{audit}");
    // Never over a file without --force.
    let again = spof(&["import", "kubernetes", BOUTIQUE, "-o", o]);
    assert_eq!(again.status.code(), Some(2));
    let forced = spof(&["import", "kubernetes", BOUTIQUE, "-o", o, "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn zones_a_zonal_store_and_a_shared_ingress_are_named() {
    let out = common::scratch("k8s", "zonal").join("shop.yaml");
    let o = out.to_str().unwrap();
    let zones = "eu-west-1a,eu-west-1b,eu-west-1c";
    let fixture = "tests/fixtures/kubernetes/zonal";
    let import = spof(&["import", "kubernetes", fixture, "--zones", zones, "-o", o]);
    assert_eq!(import.status.code(), Some(0), "{}", text(&import.stderr));
    let audit = text(&spof(&["audit", o]).stdout);
    let found = spofs(&audit);
    for id in [
        "cluster",
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
        "postgres",
        "redis",
        "ingress-controller-nginx",
        "api.payments.example.com",
    ] {
        assert!(found.iter().any(|f| f == id), "{id} missing from\n{audit}");
    }
    // Spread over the zones with a hard constraint: no SPOF by themselves.
    for id in ["api", "recommendations"] {
        assert!(!found.iter().any(|f| f == id), "{id} in\n{audit}");
    }
    // The shared controller takes both Ingresses.
    assert!(
        audit.contains("high      admin ← ingress-controller-nginx\n"),
        "{audit}"
    );
    assert!(
        audit.contains("high      shop ← ingress-controller-nginx\n"),
        "{audit}"
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn manifests_are_read_from_stdin_as_kubectl_writes_them() {
    let list = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop", "annotations": {"spof/tier": "high"}},
       "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "env": [{"name": "DB_HOST", "value": "db"}]}]}}},
       "status": {"replicas": 1}},
      {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "shop"}, "spec": {"selector": {"app": "db"}}},
      {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"},
       "spec": {"template": {"metadata": {"labels": {"app": "db"}}, "spec": {}}}}
    ]}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(["import", "kubernetes", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spof runs");
    let mut stdin = child.stdin.take().expect("a pipe");
    stdin.write_all(list.as_bytes()).expect("written");
    drop(stdin);
    let output = child.wait_with_output().expect("spof ends");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let yaml = text(&output.stdout);
    let web = "  web:\n    tier: high\n    runs_in: cluster\n    depends_on:\n      - db\n";
    assert!(yaml.contains(web), "{yaml}");
}

#[test]
fn the_boutique_example_is_the_import_as_it_is_now() {
    // graphs/boutique/cluster.yaml is generated: regenerate it with the
    // command in graphs/boutique/shop.yaml when the import changes.
    let fresh = spof(&[
        "import",
        "kubernetes",
        BOUTIQUE,
        "--zones",
        "zone-a,zone-b,zone-c",
    ]);
    assert_eq!(fresh.status.code(), Some(0));
    let committed = std::fs::read_to_string("graphs/boutique/cluster.yaml").expect("committed");
    assert_eq!(text(&fresh.stdout), committed);
    assert_eq!(
        spof(&["validate", "graphs/boutique/shop.yaml"])
            .status
            .code(),
        Some(0)
    );
}
