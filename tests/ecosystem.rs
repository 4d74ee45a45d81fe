//! Getting started: `spof init` and shell completions.

mod common;

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
    // The starter shows the good pattern: it passes the CI gate as written.
    let check = spof(&["check", f]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("0 errors, 0 warnings"));
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
        // A system needs its parts only where annotated (audio-playback):
        // artist-web is no SPOF of the unannotated artist portal.
        [
            "playback-queue",
            "playback-order",
            "seoul-dc-1",
            "artists-db",
            "artist-lookup",
            "cdn-edge"
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

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_man_pages_render() {
    if !have("man") {
        common::skip("`man` is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("spof-man-{}", std::process::id()));
    let out = spof(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for page in [
        "spof.1",
        "spof-audit.1",
        "spof-what-if.1",
        "spof-import-backstage.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
    assert!(!pages.iter().any(|p| p.contains("__ids")), "{pages:?}");
    let render = |page: &str| {
        let out = Command::new("man")
            .args(["-l", dir.join(page).to_str().unwrap()])
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .expect("man runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let main = render("spof.1");
    for text in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "what-if",
        "single points of failure",
    ] {
        assert!(main.contains(text), "{text} in\n{main}");
    }
    let audit = render("spof-audit.1");
    assert!(audit.contains("--min-tier"), "{audit}");
    // The page on stdout is the same as the one written.
    let stdout = spof(&["man"]);
    assert!(stdout.stdout == std::fs::read(dir.join("spof.1")).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bash_completes_ids_from_the_file() {
    if !have("bash") {
        common::skip("bash is not installed");
        return;
    }
    let script = spof(&["completions", "bash"]).stdout;
    let dir = std::env::temp_dir().join(format!("spof-bash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("spof.bash"), script).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_spof"))
        .parent()
        .unwrap();
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source {}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; _spof spof \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            dir.join("spof.bash").display(),
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1,
        );
        let out = Command::new("bash")
            .args(["-c", &program])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    bin.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            )
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        complete("spof what-if graphs/kakao-2022.yaml --fail pangyo"),
        "pangyo-power\n"
    );
    let targets = complete("spof audit graphs/kakao-2022.yaml --target kakao-t");
    assert_eq!(targets, "kakao-t\nkakao-t-bike\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `groups` databases, each needed by `per` important services.
fn star_groups(groups: usize, per: usize) -> String {
    let mut text = String::from("version: 1\nservices:\n");
    for g in 0..groups {
        text.push_str(&format!("  db{g}: {{}}\n"));
        for s in 0..per {
            text.push_str(&format!(
                "  app{g}-{s}: {{ tier: high, depends_on: [db{g}] }}\n"
            ));
        }
    }
    text
}

#[test]
fn a_progress_bar_only_on_a_terminal_and_never_with_quiet() {
    if !have("script") {
        common::skip("`script` (util-linux) is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("spof-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("chain.yaml");
    std::fs::write(&file, star_groups(40, 50)).unwrap();
    let f = file.to_str().unwrap();
    let bin = env!("CARGO_BIN_EXE_spof");
    // On a pseudo-terminal, with the one-second wait taken away.
    let on_terminal = |extra: &str| {
        let out = Command::new("script")
            .args([
                "-qec",
                &format!("{bin} audit {f} {extra} > /dev/null"),
                "/dev/null",
            ])
            .env("SPOF_PROGRESS_DELAY_MS", "0")
            .env("TERM", "xterm")
            .output()
            .expect("script runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal("");
    assert!(shown.contains("auditing candidates"), "{shown:?}");
    let quiet = on_terminal("--quiet");
    assert!(!quiet.contains("auditing"), "{quiet:?}");
    // Not a terminal: nothing on stderr at all.
    let piped = Command::new(bin)
        .args(["audit", f])
        .env("SPOF_PROGRESS_DELAY_MS", "0")
        .output()
        .unwrap();
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    assert!(String::from_utf8_lossy(&piped.stdout).contains("40 single points of failure"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fish_completes_ids_and_zsh_reads_its_script() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_spof"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let dir = std::env::temp_dir().join(format!("spof-shells-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if have("fish") {
        let script = dir.join("spof.fish");
        std::fs::write(&script, spof(&["completions", "fish"]).stdout).unwrap();
        let out = Command::new("fish")
            .args([
                "-c",
                &format!(
                    "source {}; complete -C 'spof what-if graphs/kakao-2022.yaml --fail pang'",
                    script.display()
                ),
            ])
            .env("PATH", &path)
            .output()
            .expect("fish runs");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "pangyo-power\tA node that fails (repeat for several)\n"
        );
    } else {
        common::skip("fish is not installed");
    }
    if have("zsh") {
        let script = dir.join("_spof");
        std::fs::write(&script, spof(&["completions", "zsh"]).stdout).unwrap();
        let out = Command::new("zsh")
            .args(["-n", script.to_str().unwrap()])
            .output()
            .expect("zsh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    } else {
        common::skip("zsh is not installed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_catalog_folder_without_catalog_info_imports_every_yaml_file_in_it() {
    let dir = std::env::temp_dir().join(format!("spof-catalog-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("team-a")).unwrap();
    std::fs::create_dir_all(dir.join("team-b")).unwrap();
    std::fs::write(
        dir.join("team-a/x.yaml"),
        "kind: Component\nmetadata: {name: a}\nspec: {dependsOn: [component:b]}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("team-b/y.yml"),
        "kind: Component\nmetadata: {name: b}\nspec: {}\n",
    )
    .unwrap();
    let out = spof(&["import", "backstage", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("from 2 catalog files: 2 entities"), "{text}");
    assert!(text.contains("  a:\n") && text.contains("  b:\n"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
