//! Several files, one architecture (format v1 §11): the same architecture
//! split across files gives exactly the audit of the single file, and
//! `diff --base-ref` reads the included files as of the revision.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn spof(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("spof runs")
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("include", name)
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A random architecture as (section, id, body) entries: sites nested by
/// `within`, services placed in one, two or a quorum of sites with hard,
/// soft and `any_of` dependencies (cycles included), integrations.
fn random_entries(rng: &mut Rng) -> Vec<(&'static str, String, String)> {
    let sites = 2 + rng.below(5);
    let services = 2 + rng.below(12);
    let mut out = Vec::new();
    for s in 0..sites {
        let within = if s > 0 && rng.below(3) == 0 {
            format!("within: s{}, ", rng.below(s))
        } else {
            String::new()
        };
        out.push((
            "sites",
            format!("s{s}"),
            format!("{{{within}availability: 0.99}}"),
        ));
    }
    for v in 0..services {
        let tier = ["low", "medium", "high", "critical"][rng.below(4) as usize];
        let a = rng.below(sites);
        let b = (a + 1) % sites;
        let runs_in = match rng.below(3) {
            0 => format!("s{a}"),
            1 => format!("[s{a}, s{b}]"),
            _ => format!("{{ sites: [s{a}, s{b}], min: 2 }}"),
        };
        let mut deps = Vec::new();
        for _ in 0..rng.below(3) {
            let w = rng.below(services);
            if w != v {
                deps.push(match rng.below(3) {
                    0 => format!("{{ on: v{w}, mode: soft }}"),
                    1 => format!("{{ any_of: [v{w}, s{a}] }}"),
                    _ => format!("v{w}"),
                });
            }
        }
        let logical = if rng.below(3) == 0 {
            ", logical: true"
        } else {
            ""
        };
        out.push((
            "services",
            format!("v{v}"),
            format!(
                "{{tier: {tier}, users: {}, runs_in: {runs_in}, depends_on: [{}]{logical}}}",
                rng.below(1000),
                deps.join(", ")
            ),
        ));
    }
    for i in 0..rng.below(3) {
        let (c, p) = (rng.below(services), rng.below(services));
        if c != p {
            out.push((
                "integrations",
                format!("i{i}"),
                format!("{{consumer: v{c}, provider: v{p}, tier: high}}"),
            ));
        }
    }
    out
}

/// The entries as one file's text.
fn file_text(header: &str, entries: &[&(&'static str, String, String)]) -> String {
    let mut text = format!("version: 1\n{header}");
    for section in ["sites", "services", "integrations"] {
        let mine: Vec<_> = entries.iter().filter(|e| e.0 == section).collect();
        if !mine.is_empty() {
            text.push_str(&format!("{section}:\n"));
            for (_, id, body) in mine {
                text.push_str(&format!("  {id}: {body}\n"));
            }
        }
    }
    text
}

#[test]
fn random_architectures_split_at_random_audit_as_one_file() {
    let dir = scratch("split");
    for seed in 0..150 {
        let mut rng = Rng(seed);
        let entries = random_entries(&mut rng);
        // Split: each entry into one of 1..5 files, some in a subfolder
        // reached through a glob, the root holding the rest.
        let parts = 1 + rng.below(4);
        let _ = std::fs::remove_dir_all(dir.join("split"));
        std::fs::create_dir_all(dir.join("split/teams")).unwrap();
        let mut groups: Vec<Vec<&(&'static str, String, String)>> =
            vec![Vec::new(); parts as usize + 1];
        for e in &entries {
            groups[rng.below(parts + 1) as usize].push(e);
        }
        for (i, group) in groups.iter().enumerate().skip(1) {
            std::fs::write(
                dir.join(format!("split/teams/t{i}.yaml")),
                file_text("", group),
            )
            .unwrap();
        }
        let root = file_text("name: t\ninclude: [\"teams/*.yaml\"]\n", &groups[0]);
        std::fs::write(dir.join("split/root.yaml"), root).unwrap();
        // The single file holds the entries in the files' order (the root,
        // then the included files by path), as the model orders them; the
        // order only breaks ties between equally early causes in chains.
        let all: Vec<_> = groups.iter().flatten().copied().collect();
        std::fs::write(dir.join("one.yaml"), file_text("name: t\n", &all)).unwrap();
        for command in [
            &["audit", "--min-tier", "low", "--format", "json"][..],
            &["cuts", "--format", "json"],
        ] {
            let one = spof(
                &dir,
                &[&[command[0], "one.yaml"][..], &command[1..]].concat(),
            );
            let split = spof(
                &dir,
                &[&[command[0], "split/root.yaml"][..], &command[1..]].concat(),
            );
            assert!(
                one.status.success(),
                "seed {seed}: {}",
                String::from_utf8_lossy(&one.stderr)
            );
            assert_eq!(
                String::from_utf8_lossy(&one.stdout),
                String::from_utf8_lossy(&split.stdout),
                "seed {seed}, {command:?}: {}",
                String::from_utf8_lossy(&split.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_reads_the_included_files_as_of_the_base_revision() {
    let dir = scratch("git");
    let git = |args: &[&str]| common::git(&dir, args);
    std::fs::create_dir_all(dir.join("arch/platform")).unwrap();
    std::fs::write(
        dir.join("arch/root.yaml"),
        "version: 1\ninclude: [\"platform/*.yaml\"]\nservices:\n  web: {tier: high, users: 100, logical: true, depends_on: [db]}\n",
    )
    .unwrap();
    let db = |runs_in: &str| {
        format!("version: 1\nsites:\n  a: {{}}\n  b: {{}}\nservices:\n  db: {{logical: true, runs_in: {runs_in}}}\n")
    };
    std::fs::write(dir.join("arch/platform/db.yaml"), db("[a, b]")).unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    // The change narrows the database's placement in an included file.
    std::fs::write(dir.join("arch/platform/db.yaml"), db("a")).unwrap();
    let out = spof(
        &dir,
        &[
            "diff",
            "arch/root.yaml",
            "--base-ref",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["added"][0]["id"], "a");
    assert_eq!(doc["users_at_risk"]["head"], 100);
    // A root the base revision does not have: everything is added.
    std::fs::copy(dir.join("arch/root.yaml"), dir.join("arch/new.yaml")).unwrap();
    let out = spof(
        &dir,
        &[
            "diff",
            "./arch/new.yaml",
            "--base-ref",
            "HEAD",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["users_at_risk"]["base"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_baseline_names_files_the_same_however_they_are_given() {
    let dir = scratch("baseline");
    std::fs::create_dir_all(dir.join("arch")).unwrap();
    std::fs::write(
        dir.join("arch/sites.yaml"),
        "version: 1\nsites:\n  dc: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("arch/root.yaml"),
        "version: 1\ninclude: [sites.yaml]\nservices:\n  api: {tier: high, runs_in: dc}\n",
    )
    .unwrap();
    let out = spof(
        &dir,
        &["check", "./arch/root.yaml", "--write-baseline", "b.json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let baseline = std::fs::read_to_string(dir.join("b.json")).unwrap();
    // The finding is on `dc`, written in the included file.
    assert!(
        baseline.contains("\"file\": \"arch/sites.yaml\""),
        "{baseline}"
    );
    let absolute = dir.join("arch/root.yaml");
    for given in ["arch/root.yaml", absolute.to_str().unwrap()] {
        let out = spof(&dir, &["check", given, "--baseline", "b.json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{given}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_nearest_config_up_to_the_repository_root_wins() {
    let dir = scratch("config");
    std::fs::create_dir_all(dir.join("repo/.git")).unwrap();
    std::fs::create_dir_all(dir.join("repo/team/arch")).unwrap();
    // Above the repository: never read.
    std::fs::write(dir.join(".spof.yaml"), "check:\n  colour: red\n").unwrap();
    std::fs::write(
        dir.join("repo/.spof.yaml"),
        "check:\n  rules:\n    single-point-of-failure: warning\n",
    )
    .unwrap();
    let file = "version: 1\nsites:\n  dc: {}\nservices:\n  api: {tier: high, runs_in: dc}\n";
    std::fs::write(dir.join("repo/team/arch/a.yaml"), file).unwrap();
    let repo = dir.join("repo");
    let out = spof(&repo, &["check", "team/arch/a.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A nearer one wins.
    std::fs::write(
        dir.join("repo/team/.spof.yaml"),
        "check:\n  rules:\n    shared-fate: off\n",
    )
    .unwrap();
    let out = spof(&repo, &["check", "team/arch/a.yaml"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // --config overrides.
    let out = spof(
        &repo,
        &["check", "team/arch/a.yaml", "--config", ".spof.yaml"],
    );
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
