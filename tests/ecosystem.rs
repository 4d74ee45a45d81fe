//! Getting started: `spof init` and shell completions.

use std::process::Command;

fn spof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .output()
        .expect("spof runs")
}

#[test]
fn the_starter_file_is_valid_and_never_overwrites() {
    let dir = std::env::temp_dir().join(format!("spof-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("architecture.yaml");
    let f = file.to_str().unwrap();
    assert_eq!(spof(&["init", f]).status.code(), Some(0));
    assert_eq!(spof(&["validate", f]).status.code(), Some(0));
    let audit = spof(&["audit", f]);
    assert!(String::from_utf8_lossy(&audit.stdout).contains("single point"));
    std::fs::write(&file, "mine").unwrap();
    let again = spof(&["init", f]);
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let stdout = spof(&["init", "-"]);
    assert_eq!(
        String::from_utf8_lossy(&stdout.stdout),
        include_str!("../src/cli/starter.yaml")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_spof()"),
        ("zsh", "#compdef spof"),
        ("fish", "complete -c spof"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[spof]"),
    ] {
        let out = spof(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}");
        assert!(text.contains("what-if"), "{shell} completes subcommands");
    }
}

#[test]
fn version_names_the_format() {
    let out = spof(&["--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("format v1"));
}

#[test]
fn a_backstage_catalog_imports_validates_and_audits() {
    let dir = std::env::temp_dir().join(format!("spof-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("architecture.yaml");
    let f = file.to_str().unwrap();
    let import = spof(&["import", "backstage", "tests/fixtures/backstage", "-o", f]);
    assert_eq!(import.status.code(), Some(0));
    let said = String::from_utf8_lossy(&import.stderr);
    assert!(said.contains("14 nodes from 8 catalog files"), "{said}");
    assert_eq!(spof(&["validate", f]).status.code(), Some(0));

    // Every Component, Resource, API and System of the catalog is kept.
    let text = std::fs::read_to_string(&file).unwrap();
    for reference in [
        "component:default/artist-web",
        "component:default/artist-lookup",
        "component:default/playback-order",
        "component:default/shuffle-experiment",
        "component:mobile/playback-sdk",
        "resource:default/artists-db",
        "resource:default/playback-queue",
        "api:default/artist-api",
        "api:default/playback-api",
        "api:default/spotify",
        "system:default/artist-engagement-portal",
        "system:default/audio-playback",
        "system:default/podcast",
    ] {
        assert!(
            text.contains(&format!("ref: \"{reference}\"")),
            "{reference}"
        );
    }

    let audit = spof(&["audit", f, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let spofs: Vec<&str> = json["spofs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        spofs,
        [
            "playback-queue",
            "playback-order",
            "seoul-dc-1",
            "artists-db",
            "artist-lookup",
            "cdn-edge",
            "artist-web"
        ]
    );
    // The data center named in an annotation takes the artist side down.
    let seoul = &json["spofs"][2];
    assert_eq!(
        seoul["chains"]["artist-web"],
        serde_json::json!(["artist-lookup", "artists-db", "seoul-dc-1"])
    );

    // A second import does not overwrite without --force.
    let again = spof(&["import", "backstage", "tests/fixtures/backstage", "-o", f]);
    assert_eq!(again.status.code(), Some(2));
    let forced = spof(&[
        "import",
        "backstage",
        "tests/fixtures/backstage",
        "-o",
        f,
        "--force",
    ]);
    assert_eq!(forced.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
