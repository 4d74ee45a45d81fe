//! `spof check` as CI uses it: SARIF located at the right line, baselines
//! that fail only on new findings and report stale ones.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn spof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("spof runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spof-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn sarif_results_point_at_the_node_ids() {
    for file in [
        "graphs/kakao-2022.yaml",
        "graphs/startup-one-region.yaml",
        "graphs/partner-login.yaml",
    ] {
        let out = spof(&["check", file, "--format", "sarif"]);
        assert_eq!(out.status.code(), Some(1));
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let results = run["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            let line = lines[region["startLine"].as_u64().unwrap() as usize - 1];
            let start = region["startColumn"].as_u64().unwrap() as usize - 1;
            let end = region["endColumn"].as_u64().unwrap() as usize - 1;
            let at: String = line.chars().skip(start).take(end - start).collect();
            let fingerprint = r["partialFingerprints"]["spofFinding/v1"].as_str().unwrap();
            let node = fingerprint.rsplit(':').next().unwrap();
            assert_eq!(at, node, "{file}: {r}");
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                file
            );
        }
    }
}

#[test]
fn github_annotations_match_sarif_locations() {
    let out = spof(&["check", "graphs/partner-login.yaml", "--format", "github"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text
        .lines()
        .all(|l| l.starts_with("::error file=") || l.starts_with("::warning file=")));
    assert!(text.contains("::error file=graphs/partner-login.yaml,line=10,col=3,"));
}

#[test]
fn a_baseline_fails_only_on_new_findings_and_reports_stale_ones() {
    let dir = temp_dir("baseline");
    let arch = dir.join("arch.yaml");
    let baseline = dir.join("baseline.json");
    std::fs::copy("graphs/startup-one-region.yaml", &arch).unwrap();
    let arch_s = arch.to_str().unwrap();
    let base_s = baseline.to_str().unwrap();

    let out = spof(&["check", arch_s, "--write-baseline", base_s]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 7 findings"));

    let out = spof(&["check", arch_s, "--baseline", base_s, "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);

    // A new service placed only in zone-b adds a new single point of
    // failure, and the region, accepted for what it took down before, now
    // takes down more: it has grown, so it is new again.
    let mut text = std::fs::read_to_string(&arch).unwrap();
    text.push_str("  billing:\n    tier: critical\n    runs_in: zone-b\n");
    std::fs::write(&arch, text).unwrap();
    let out = spof(&["check", arch_s, "--baseline", base_s, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["node"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["aws-ap-northeast-2", "zone-b"]);

    // Make the database a replicated one that fails only through its
    // zones: its own finding no longer occurs, so its entry is stale.
    let text = std::fs::read_to_string(&arch).unwrap().replace(
        "    runs_in: zone-a\n    availability: 0.999",
        "    runs_in: [zone-a, zone-b]\n    logical: true\n    availability: 0.999",
    );
    std::fs::write(&arch, text).unwrap();
    let out = spof(&["check", arch_s, "--baseline", base_s]);
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains(
            "baseline entry no longer occurs: spof/single-point-of-failure on `postgres`"
        ),
        "{human}"
    );

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{}").unwrap();
    let out = spof(&["check", arch_s, "--baseline", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_reads_the_base_from_git() {
    let in_git = Command::new("git")
        .args(["rev-parse", "--verify", "HEAD"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !in_git {
        common::skip("not in a git checkout");
        return;
    }
    let out = spof(&[
        "diff",
        "graphs/kakao-2022.yaml",
        "--base-ref",
        "HEAD",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["added"].as_array().unwrap().len(), 0);
    assert_eq!(d["users_at_risk"]["change"], 0);

    let out = spof(&[
        "diff",
        "graphs/kakao-2022.yaml",
        "--base-ref",
        "no-such-revision",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("cannot read no-such-revision:./graphs/kakao-2022.yaml"));
}

/// GitHub code scanning rejects a SARIF run of more than 25,000 results or
/// a result of more than 1,000 locations: a file with 30,002 findings gets
/// a log of 25,000, errors first, with the rest counted and said on
/// stderr, and a failure that takes down 150 targets names 100.
#[test]
fn sarif_stays_within_what_github_accepts() {
    let mut text = String::from("version: 1\nsites:\n  dc: {}\n  a: {}\n  b: {}\n");
    for i in 0..20_000 {
        text.push_str(&format!("  d{i}: {{}}\n"));
    }
    text.push_str("services:\n  p: {runs_in: [a, b]}\n  web: {runs_in: [a, b]}\n");
    for i in 0..150 {
        text.push_str(&format!("  h{i}: {{tier: high, runs_in: dc}}\n"));
    }
    for i in 0..20_000 {
        text.push_str(&format!("  s{i}: {{tier: high, runs_in: d{i}}}\n"));
    }
    // Integrations without a fallback: 10,000 warnings.
    text.push_str("integrations:\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "  i{i}: {{consumer: web, provider: p, mode: soft, tier: high}}\n"
        ));
    }
    let dir = temp_dir("sarif-limits");
    let file = dir.join("many.yaml");
    std::fs::write(&file, text).unwrap();
    let out = spof(&["check", file.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    assert_eq!(run["properties"]["omittedResults"], 5_002);
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    let errors = levels.iter().take_while(|l| **l == "error").count();
    assert_eq!(errors, 20_002);
    assert!(levels[errors..].iter().all(|l| *l == "warning"));
    let most = results
        .iter()
        .map(|r| r["relatedLocations"].as_array().map_or(0, Vec::len))
        .max();
    assert_eq!(most, Some(100));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("spof::sarif-truncated"), "{err}");
    assert!(err.contains("leaves 5002 out"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
