//! Diagrams through real Graphviz: every example renders, and every id comes
//! out exactly as written. On a machine without `dot` the rendering checks
//! fail under SPOF_REQUIRE_TOOLS=1 (set by .ci/run, which installs Graphviz) and say they were skipped otherwise.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn spof(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_spof"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("spof runs")
}

fn files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["graphs", "tests/fixtures/valid"] {
        for entry in std::fs::read_dir(dir).expect("folder exists") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 5, "the examples are there");
    files
}

fn have_dot() -> bool {
    Command::new("dot")
        .arg("-V")
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The text of every `<text>` element of an SVG, XML entities decoded.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|part| {
            let start = part.find('>')? + 1;
            let end = part.find("</text>")?;
            Some(
                part[start..end]
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&#45;", "-")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

fn render(dot_text: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dot starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot_text)
        .expect("write");
    let out = child.wait_with_output().expect("dot finishes");
    assert!(
        out.status.success(),
        "dot rejected the graph: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("svg is utf-8")
}

#[test]
fn dot_output_is_byte_identical_across_runs() {
    for file in files() {
        let f = file.to_str().unwrap();
        let a = spof(&["diagram", f, "--spofs"]);
        let b = spof(&["diagram", f, "--spofs"]);
        assert!(
            a.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&a.stderr)
        );
        assert_eq!(a.stdout, b.stdout, "{f}");
    }
}

#[test]
fn every_example_renders_and_shows_every_id_as_written() {
    if !have_dot() {
        common::skip("Graphviz's dot is not installed");
        return;
    }
    for file in files() {
        let f = file.to_str().unwrap();
        let out = spof(&["diagram", f, "--spofs"]);
        assert!(out.status.success());
        let texts = svg_texts(&render(&out.stdout));
        let loaded = spof::load::load_path(Path::new(f), spof::load::read::DEFAULT_MAX_BYTES)
            .expect("valid example");
        for node in &loaded.arch.nodes {
            // A multi-line id would be split over several text elements;
            // the examples have none.
            assert!(
                texts.iter().any(|t| **t == *node.id),
                "{f}: `{}` not shown as written; texts: {texts:?}",
                node.id
            );
        }
    }
}

#[test]
fn collapsed_views_render() {
    if !have_dot() {
        common::skip("Graphviz's dot is not installed");
        return;
    }
    for file in files() {
        let f = file.to_str().unwrap();
        let out = spof(&["diagram", f, "--collapse", "--spofs"]);
        assert!(out.status.success(), "{f}");
        let texts = svg_texts(&render(&out.stdout));
        let loaded = spof::load::load_path(Path::new(f), spof::load::read::DEFAULT_MAX_BYTES)
            .expect("valid example");
        let sites = loaded
            .arch
            .nodes
            .iter()
            .filter(|n| n.kind() == spof::model::NodeKind::Site)
            .count();
        let counted = texts
            .iter()
            .filter(|t| t.ends_with(" services") || t.contains(" services, "))
            .count();
        assert_eq!(counted, sites, "{f}: {texts:?}");
    }
}

#[test]
fn failures_render_with_the_legend() {
    if !have_dot() {
        common::skip("Graphviz's dot is not installed");
        return;
    }
    let out = spof(&[
        "diagram",
        "graphs/kakao-2022.yaml",
        "--fail",
        "pangyo-power",
    ]);
    let texts = svg_texts(&render(&out.stdout));
    for word in ["failed", "down", "degraded", "up", "legend"] {
        assert!(texts.iter().any(|t| t == word), "legend lacks {word}");
    }
}

#[test]
fn output_files_take_their_format_from_the_extension() {
    let dir = std::env::temp_dir().join(format!("spof-diagram-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dot_path = dir.join("k.dot");
    let out = spof(&[
        "diagram",
        "graphs/partner-login.yaml",
        "-o",
        dot_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&dot_path)
        .unwrap()
        .starts_with("digraph spof {"));

    let bad = spof(&["diagram", "graphs/partner-login.yaml", "-o", "x.jpeg"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".svg, .png or .pdf"));

    if have_dot() {
        for (ext, magic) in [
            ("svg", &b"<?xml"[..]),
            ("png", &b"\x89PNG"[..]),
            ("pdf", &b"%PDF"[..]),
        ] {
            let path = dir.join(format!("k.{ext}"));
            let out = spof(&[
                "diagram",
                "graphs/kakao-2022.yaml",
                "--fail",
                "pangyo-power",
                "-o",
                path.to_str().unwrap(),
            ]);
            assert!(
                out.status.success(),
                "{ext}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(std::fs::read(&path).unwrap().starts_with(magic), "{ext}");
        }
    } else {
        common::skip("rendering to svg/png/pdf needs Graphviz's dot");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_dot_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_spof"))
        .args([
            "diagram",
            "graphs/partner-login.yaml",
            "-o",
            "never-written.svg",
        ])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Graphviz's `dot` is not installed"), "{err}");
    assert!(err.contains("apt-get install graphviz"), "{err}");
    assert!(!Path::new("never-written.svg").exists());
}
