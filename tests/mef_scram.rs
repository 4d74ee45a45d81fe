//! The exported fault trees, read by SCRAM: its minimal cut sets must be
//! spof's. Skipped (and said so) when SCRAM is not installed; CI installs it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn spof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .output()
        .expect("spof runs")
}

fn have_scram() -> bool {
    Command::new("scram")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The products of a SCRAM report, as sets of basic-event names.
fn products(report: &str) -> Vec<BTreeSet<String>> {
    report
        .split("<product ")
        .skip(1)
        .map(|p| {
            let body = &p[..p.find("</product>").unwrap_or(p.len())];
            body.split("<basic-event name=\"")
                .skip(1)
                .map(|e| e[..e.find('"').unwrap()].to_string())
                .collect()
        })
        .collect()
}

#[test]
fn scram_finds_the_same_minimal_cut_sets() {
    if !have_scram() {
        common::skip("SCRAM is not installed (apt-get install scram)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("spof-mef-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut compared = 0;
    for file in [
        "graphs/kakao-2022.yaml",
        "graphs/kakao-2022-fixed.yaml",
        "graphs/active-active.yaml",
        "graphs/startup-one-region.yaml",
        "graphs/partner-login.yaml",
    ] {
        let arch = spof::load::load_path(Path::new(file), spof::load::read::DEFAULT_MAX_BYTES)
            .expect("valid")
            .arch;
        let cuts = spof(&["cuts", file, "--max-order", "3", "--format", "json"]);
        let cuts: serde_json::Value = serde_json::from_slice(&cuts.stdout).unwrap();
        for entry in cuts["cuts"].as_array().unwrap() {
            let target = entry["target"].as_str().unwrap();
            let xml = dir.join("tree.xml");
            let out = spof(&[
                "export",
                file,
                "--target",
                target,
                "-o",
                xml.to_str().unwrap(),
            ]);
            if out.status.code() == Some(2) {
                continue; // a cycle in the cone: not exportable
            }
            let report = dir.join("report.xml");
            let run = Command::new("scram")
                .args([
                    "--mocus",
                    "--limit-order",
                    "3",
                    xml.to_str().unwrap(),
                    "-o",
                    report.to_str().unwrap(),
                ])
                .output()
                .unwrap();
            assert!(
                run.status.success(),
                "{file} {target}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let own = format!("e{}", arch.id_of(target).unwrap().0);
            let theirs: BTreeSet<BTreeSet<String>> =
                products(&std::fs::read_to_string(&report).unwrap())
                    .into_iter()
                    .filter(|p| !p.contains(&own))
                    .map(|p| {
                        p.iter()
                            .map(|e| {
                                arch.name_of(spof::model::NodeId(e[1..].parse().unwrap()))
                                    .to_string()
                            })
                            .collect()
                    })
                    .collect();
            let ours: BTreeSet<BTreeSet<String>> = entry["sets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    s.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string())
                        .collect()
                })
                .collect();
            assert_eq!(ours, theirs, "{file}: {target}");
            compared += 1;
        }
    }
    assert!(compared > 20, "compared {compared} trees");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A small random architecture that reaches the same things by several
/// paths: a dependency beside a placement on the same site, a parent beside
/// a dependency on it, two integrations on one provider, `any_of` groups
/// with a member listed twice.
fn random_architecture(seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let sites = 2 + next(3);
    let services = 2 + next(5);
    let mut text = String::from("version: 1\nsites:\n");
    for s in 0..sites {
        text.push_str(&format!("  d{s}:\n"));
        if s > 0 && next(2) == 0 {
            let p = next(s);
            text.push_str(&format!("    within: d{p}\n    depends_on: [d{p}]\n"));
        }
    }
    text.push_str("services:\n");
    for v in 0..services {
        let site = next(sites);
        text.push_str(&format!(
            "  v{v}:\n    tier: high\n    availability: 0.99\n"
        ));
        match next(3) {
            0 => text.push_str(&format!("    runs_in: d{site}\n")),
            1 => text.push_str(&format!(
                "    runs_in: [d{site}, d{}]\n",
                (site + 1) % sites
            )),
            _ => text.push_str(&format!(
                "    runs_in: {{ sites: [d{site}, d{}], min: 2 }}\n",
                (site + 1) % sites
            )),
        }
        let mut deps = vec![format!("d{site}")];
        if v > 0 {
            let w = next(v);
            deps.push(format!("v{w}"));
            deps.push(format!("{{ any_of: [v{w}, d{site}] }}"));
            // A member listed twice counts twice in an at-least gate.
            deps.push(format!("{{ any_of: [v{w}, v{w}, d{site}], min: 2 }}"));
        }
        text.push_str(&format!("    depends_on: [{}]\n", deps.join(", ")));
    }
    text.push_str("integrations:\n");
    for i in 0..2 {
        text.push_str(&format!(
            "  i{i}: {{ consumer: v{}, provider: v0, tier: high }}\n",
            services - 1
        ));
    }
    text
}

#[test]
fn scram_accepts_every_export_of_random_architectures() {
    if !have_scram() {
        common::skip("SCRAM is not installed (apt-get install scram)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("spof-mef-random-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut validated = 0;
    for seed in 0..60 {
        let file = dir.join("arch.yaml");
        std::fs::write(&file, random_architecture(seed)).unwrap();
        let file = file.to_str().unwrap();
        let targets = spof(&["cuts", file, "--format", "json"]);
        assert!(
            targets.status.success(),
            "seed {seed}: {}",
            String::from_utf8_lossy(&targets.stderr)
        );
        let targets: serde_json::Value = serde_json::from_slice(&targets.stdout).unwrap();
        for entry in targets["cuts"].as_array().unwrap() {
            let target = entry["target"].as_str().unwrap();
            let out = spof(&["export", file, "--target", target]);
            if out.status.code() == Some(2) {
                continue; // a cycle: no fault tree, and spof says so
            }
            let mef = dir.join("tree.xml");
            std::fs::write(&mef, &out.stdout).unwrap();
            let scram = Command::new("scram")
                .arg("--validate")
                .arg(&mef)
                .output()
                .unwrap();
            assert!(
                scram.status.success(),
                "seed {seed}, target {target}: {}\n{}",
                String::from_utf8_lossy(&scram.stderr),
                String::from_utf8_lossy(&out.stdout)
            );
            validated += 1;
        }
    }
    assert!(validated > 150, "only {validated} exports validated");
    let _ = std::fs::remove_dir_all(&dir);
}
