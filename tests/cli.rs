//! The real `spof` binary run on fixture files, outputs compared whole.
//! Cases are data: `tests/cmd/*.trycmd` and the README's console blocks.
//! Update snapshots with `TRYCMD=overwrite cargo test --test cli`.

#[test]
fn cli() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.trycmd")
        .case("README.md");
}
