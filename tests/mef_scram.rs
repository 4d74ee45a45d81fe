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
