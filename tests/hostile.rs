//! Hostile and careless input, tried as an attacker and a careless user would
//! (issue: safe on untrusted input). Each case is one attack.

use std::process::{Command, Stdio};

fn spof() -> Command {
    Command::new(env!("CARGO_BIN_EXE_spof"))
}

#[test]
fn a_full_disk_is_an_io_error_not_invalid_input() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        panic!("/dev/full is needed for this test (Linux)");
    };
    let out = spof()
        .args(["audit", "graphs/kakao-2022.yaml"])
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(74));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not be written whole"), "{err}");
}

#[test]
fn a_closed_pipe_ends_quietly_with_141() {
    let mut child = spof()
        .args(["audit", "graphs/kakao-2022.yaml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before anything is read, as `| head -0` would.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_base_ref_is_never_read_by_git_as_an_option() {
    let dir = std::env::temp_dir().join(format!("spof-hostile-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    std::fs::copy("graphs/startup-one-region.yaml", dir.join("x.yaml")).unwrap();
    git(&["init", "-q"]);
    git(&["add", "x.yaml"]);
    git(&["commit", "-qm", "base"]);
    let out = spof()
        .args(["diff", "x.yaml", "--base-ref=--output=pwn"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("spof::git"), "{err}");
    let written: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pwn"))
        .collect();
    assert!(written.is_empty(), "git wrote {written:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
