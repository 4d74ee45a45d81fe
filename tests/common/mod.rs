//! What the integration tests share.

/// Says why a test cannot run here and lets it return, unless the
/// environment asks for the real tools (`SPOF_REQUIRE_TOOLS=1`, set by
/// `.ci/run`, which installs them): then a missing tool fails the test.
pub(crate) fn skip(why: &str) {
    if std::env::var_os("SPOF_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("SPOF_REQUIRE_TOOLS=1 but {why}");
    }
    eprintln!("skipped: {why}");
}
