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
