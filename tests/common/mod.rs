//! What the integration tests share.

/// Says why a test cannot run here and lets it return, unless the
/// environment asks for the real tools (`SPOF_REQUIRE_TOOLS=1`, set by
/// `.ci/run`, which installs them): then a missing tool fails the test.
#[allow(dead_code)]
pub(crate) fn skip(why: &str) {
    if std::env::var_os("SPOF_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("SPOF_REQUIRE_TOOLS=1 but {why}");
    }
    eprintln!("skipped: {why}");
}

/// A fresh scratch folder for one test: `spof-PREFIX-PID-NAME` in the
/// temporary folder. (Not every test binary uses every helper.)
#[allow(dead_code)]
pub(crate) fn scratch(prefix: &str, name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("spof-{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs git in `dir` as a throwaway identity; the test fails if git does.
#[allow(dead_code)]
pub(crate) fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
