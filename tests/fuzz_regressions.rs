//! Every input a fuzz target ever crashed on, kept in `tests/fixtures/fuzz/`
//! and run as the target runs it: `import-*` as a Backstage catalog (it must
//! import to a file that loads), `load-*` and `check-*` through the loader.

#[test]
fn every_fuzz_crash_stays_fixed() {
    let mut ran = 0;
    for entry in std::fs::read_dir("tests/fixtures/fuzz").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        if name.starts_with("import-") {
            let text = String::from_utf8(bytes).unwrap();
            if let Ok((file, _)) = spof::import::catalog::read("fuzz.yaml", &text) {
                let imported = spof::import::backstage::import(&file.entities, 1);
                let loaded = spof::load::load_str("out.yaml", imported.text.as_str());
                assert!(
                    loaded.is_ok(),
                    "{name}: the import does not load:\n{}",
                    imported.text
                );
            }
        } else {
            let _ = spof::load::load_bytes("fuzz.yaml", bytes);
        }
        ran += 1;
    }
    assert!(ran >= 1);
}
