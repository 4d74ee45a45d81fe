//! The GitHub Action's script (scripts/action.sh, what action.yml runs), run
//! as GitHub would against a temporary repository with a base and a head
//! commit: the gate fails on a narrowed placement and passes a refactor.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

const BASE: &str = "version: 1\nsites:\n  dc1: {}\n  dc2: {}\nservices:\n  db: {tier: critical, logical: true, users: 5000, runs_in: [dc1, dc2]}\n  web: {tier: high, logical: true, users: 100, runs_in: [dc1, dc2], depends_on: [db]}\n";

/// Runs the action's script in a repository whose head commit holds `head`.
fn run_action(name: &str, head: &str) -> (Option<i32>, String, String, serde_json::Value) {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("spof-action-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("architecture")).unwrap();
    std::fs::write(dir.join("architecture/shop.yaml"), BASE).unwrap();
    common::git(&dir, &["init", "-q"]);
    common::git(&dir, &["add", "-A"]);
    common::git(&dir, &["commit", "-qm", "base"]);
    std::fs::write(dir.join("architecture/shop.yaml"), head).unwrap();
    common::git(&dir, &["commit", "-qam", "head"]);
    let summary = dir.join("summary.md");
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/action.sh"))
        .current_dir(&dir)
        .env("SPOF", env!("CARGO_BIN_EXE_spof"))
        .env("SPOF_FILES", "architecture/*.yaml")
        .env("SPOF_BASE_REF", "HEAD~1")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let sarif = std::fs::read_to_string(dir.join("spof.sarif")).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&sarif).expect("the SARIF log is JSON");
    let summary = std::fs::read_to_string(&summary).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        summary,
        sarif,
    )
}

#[test]
fn the_gate_fails_when_a_placement_is_narrowed() {
    let head = BASE.replace(
        "users: 5000, runs_in: [dc1, dc2]",
        "users: 5000, runs_in: dc1",
    );
    let (code, stdout, summary, sarif) = run_action("narrowed", &head);
    assert_eq!(code, Some(1), "{stdout}\n{summary}");
    assert!(
        stdout.contains("::error file=architecture/shop.yaml,line=3"),
        "{stdout}"
    );
    assert!(summary.contains("### spof check"), "{summary}");
    assert!(summary.contains("+ added   dc1 (site)"), "{summary}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "spof/single-point-of-failure"));
}

#[test]
fn the_gate_passes_a_refactor_that_changes_nothing() {
    // Reordered and reformatted: the same architecture.
    let head = "version: 1\nservices:\n  web:\n    tier: high\n    logical: true\n    users: 100\n    runs_in: [dc2, dc1]\n    depends_on: [db]\n  db: {tier: critical, logical: true, users: 5000, runs_in: [dc2, dc1]}\nsites:\n  dc2: {}\n  dc1: {}\n";
    let (code, stdout, summary, sarif) = run_action("refactor", head);
    assert_eq!(code, Some(0), "{stdout}\n{summary}");
    assert!(summary.contains("no change"), "{summary}");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 0);
}
