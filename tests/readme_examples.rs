//! The README's YAML examples work when copied: every block that is an
//! architecture file (its first line that is not a comment is `version: 1`)
//! validates. A block whose first line names a file of this repository
//! (`# graphs/...`) is checked beside that file, where its includes resolve.
//! Other blocks are fragments or other tools' files (workflows, pre-commit).

use std::process::Command;

#[test]
fn every_architecture_in_the_readme_validates() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line) {
            (None, "```yaml") => current = Some(String::new()),
            (Some(text), "```") => {
                blocks.push(std::mem::take(text));
                current = None;
            }
            (Some(text), line) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    let mut checked = 0;
    for (i, block) in blocks.iter().enumerate() {
        let first = block.lines().find(|l| !l.starts_with('#')).unwrap_or("");
        if !first.starts_with("version: 1") {
            continue;
        }
        // Beside the file it shows, when it names one; else in a temporary folder.
        let home = block
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# "))
            .and_then(|l| l.split_whitespace().next())
            .filter(|p| p.starts_with("graphs/"))
            .and_then(|p| std::path::Path::new(p).parent().map(|d| d.to_path_buf()))
            .unwrap_or_else(std::env::temp_dir);
        let path = home.join(format!(".readme-example-{}-{i}.yaml", std::process::id()));
        std::fs::write(&path, block).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_spof"))
            .args(["validate", path.to_str().unwrap()])
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(
            out.status.success(),
            "README block {i} does not validate:\n{block}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} examples checked");
}
