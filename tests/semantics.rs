//! One small named example per rule of format v1 §7 and §8.

use spof::engine::{self, FailureGraph, State, TargetSelection};
use spof::load::load_str;

/// States of the named nodes when `fail` fail, from a file body (without
/// the `version` line).
fn states(body: &str, fail: &[&str], show: &[&str]) -> Vec<State> {
    let loaded = load_str("t.yaml", format!("version: 1\n{body}")).unwrap_or_else(|e| {
        panic!("invalid example: {:?}", e.problems);
    });
    let arch = &loaded.arch;
    let graph = FailureGraph::build(arch);
    let failed: Vec<_> = fail
        .iter()
        .map(|id| arch.id_of(id).expect("known id"))
        .collect();
    let outcome = engine::what_if(arch, &graph, &failed);
    show.iter()
        .map(|id| {
            let n = arch.id_of(id).expect("known id");
            outcome.nodes.iter().find(|o| o.id == n).unwrap().state
        })
        .collect()
}

use State::{Degraded, Down, Up};

#[test]
fn a_hard_dependency_that_is_down_takes_the_node_down() {
    let body = "services:\n  db: {}\n  api:\n    depends_on: [db]\n";
    assert_eq!(states(body, &["db"], &["api"]), [Down]);
}

#[test]
fn a_soft_dependency_that_is_down_only_degrades() {
    let body = "services:\n  search: {}\n  shop:\n    depends_on: [{ on: search, mode: soft }]\n";
    assert_eq!(states(body, &["search"], &["shop"]), [Degraded]);
}

#[test]
fn a_degraded_soft_dependency_leaves_the_node_up() {
    let body = "services:\n  a: {}\n  b:\n    depends_on: [{ on: a, mode: soft }]\n  c:\n    depends_on: [{ on: b, mode: soft }]\n";
    assert_eq!(states(body, &["a"], &["b", "c"]), [Degraded, Up]);
}

#[test]
fn a_degraded_hard_dependency_degrades() {
    let body = "services:\n  a: {}\n  b:\n    depends_on: [{ on: a, mode: soft }]\n  c:\n    depends_on: [b]\n";
    assert_eq!(states(body, &["a"], &["c"]), [Degraded]);
}

#[test]
fn any_of_survives_while_one_member_is_up() {
    let body = "services:\n  a: {}\n  b: {}\n  c:\n    depends_on: [{ any_of: [a, b] }]\n";
    assert_eq!(states(body, &["a"], &["c"]), [Up]);
    assert_eq!(states(body, &["a", "b"], &["c"]), [Down]);
}

#[test]
fn any_of_with_min_counts_members_up_and_not_down() {
    let body = "services:\n  a: {}\n  b: {}\n  c: {}\n  s:\n    depends_on: [{ on: c, mode: soft }]\n  q:\n    depends_on: [{ any_of: [a, b, s], min: 2 }]\n";
    // One member down: 2 of 3 still up.
    assert_eq!(states(body, &["a"], &["q"]), [Up]);
    // One member down and one degraded: 2 not down, 1 up: degraded.
    assert_eq!(states(body, &["a", "c"], &["q"]), [Degraded]);
    // Two down: down.
    assert_eq!(states(body, &["a", "b"], &["q"]), [Down]);
}

#[test]
fn placements_one_site_a_list_and_a_quorum() {
    let body = "sites:\n  x: {}\n  y: {}\n  z: {}\nservices:\n  one:\n    runs_in: x\n  list:\n    runs_in: [x, y]\n  quorum:\n    runs_in: { sites: [x, y, z], min: 2 }\n";
    assert_eq!(
        states(body, &["x"], &["one", "list", "quorum"]),
        [Down, Up, Up]
    );
    assert_eq!(
        states(body, &["x", "y"], &["one", "list", "quorum"]),
        [Down, Down, Down]
    );
}

#[test]
fn a_standby_needs_what_it_requires() {
    let body = "sites:\n  primary: {}\n  standby: {}\nservices:\n  tooling:\n    runs_in: primary\n  app:\n    runs_in:\n      - primary\n      - { site: standby, requires: [tooling] }\n";
    assert_eq!(states(body, &["primary"], &["app"]), [Down]);
    assert_eq!(states(body, &["tooling"], &["app"]), [Up]);
}

#[test]
fn within_takes_contained_sites_down() {
    let body = "sites:\n  region:\n    kind: region\n  zone:\n    within: region\nservices:\n  api:\n    runs_in: zone\n";
    assert_eq!(states(body, &["region"], &["zone", "api"]), [Down, Down]);
    assert_eq!(states(body, &["zone"], &["region"]), [Up]);
}

#[test]
fn an_integration_is_up_while_the_provider_or_a_fallback_is() {
    let body = "services:\n  kakao-login: {}\n  own-accounts: {}\n  shop: {}\nintegrations:\n  login:\n    consumer: shop\n    provider: kakao-login\n    fallback: [own-accounts]\n";
    assert_eq!(states(body, &["kakao-login"], &["login", "shop"]), [Up, Up]);
    assert_eq!(
        states(body, &["kakao-login", "own-accounts"], &["login", "shop"]),
        [Down, Down]
    );
}

#[test]
fn the_consumer_feels_an_integration_with_its_mode() {
    let body = "services:\n  map: {}\n  app: {}\nintegrations:\n  maps:\n    consumer: app\n    provider: map\n    mode: soft\n";
    assert_eq!(states(body, &["map"], &["maps", "app"]), [Down, Degraded]);
}

#[test]
fn cycles_settle_on_the_greatest_fixpoint() {
    // a and b need each other: with nothing failed both stay up.
    let body = "services:\n  a:\n    depends_on: [b]\n  b:\n    depends_on: [a]\n  c: {}\n";
    assert_eq!(states(body, &["c"], &["a", "b"]), [Up, Up]);
    assert_eq!(states(body, &["a"], &["b"]), [Down]);
}

#[test]
fn failing_a_logical_node_is_allowed_in_what_if() {
    let body = "services:\n  journey:\n    logical: true\n  step:\n    depends_on: [journey]\n";
    assert_eq!(
        states(body, &["journey"], &["journey", "step"]),
        [Down, Down]
    );
}

#[test]
fn the_audit_never_fails_logical_nodes_and_ignores_the_candidate_itself() {
    let body = "version: 1\nservices:\n  journey:\n    logical: true\n    tier: critical\n  step:\n    tier: critical\n    depends_on: [journey]\n  lone:\n    tier: critical\n";
    let loaded = load_str("t.yaml", body).unwrap();
    let graph = FailureGraph::build(&loaded.arch);
    let audit = engine::audit(&loaded.arch, &graph, &TargetSelection::default());
    // `journey` is logical (never a candidate); `lone` takes down only itself.
    assert!(audit.spofs.is_empty(), "{:?}", audit.spofs);
}

#[test]
fn users_affected_count_every_node_down_once() {
    let body = "version: 1\nsites:\n  dc: {}\nservices:\n  a:\n    runs_in: dc\n    users: 10\n    tier: high\n  b:\n    depends_on: [a, a]\n    users: 5\n";
    let loaded = load_str("t.yaml", body).unwrap();
    let graph = FailureGraph::build(&loaded.arch);
    let audit = engine::audit(&loaded.arch, &graph, &TargetSelection::default());
    let dc = &audit.spofs[0];
    assert_eq!(loaded.arch.name_of(dc.id), "dc");
    assert_eq!(dc.users_affected, 15);
}
