//! Every input a fuzz target ever crashed on, kept in `tests/fixtures/fuzz/`
//! and run as the target runs it: `import-*` as a Backstage catalog and
//! `k8s-*` as Kubernetes manifests (each must import to a file that loads),
//! `load-*` and `check-*` through the loader.

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
                let imported = spof::import::backstage::import(&file.entities, 1, None);
                let loaded = spof::load::load_str("out.yaml", imported.text.as_str());
                assert!(
                    loaded.is_ok(),
                    "{name}: the import does not load:\n{}",
                    imported.text
                );
            }
        } else if name.starts_with("k8s-") {
            let text = String::from_utf8(bytes).unwrap();
            if let Ok((file, _)) = spof::import::manifest::read("fuzz.yaml", &text) {
                for zones in [vec![], vec!["a".to_string(), "b".to_string()]] {
                    let options = spof::import::kubernetes::Options {
                        zones,
                        ..Default::default()
                    };
                    let imported = spof::import::kubernetes::import(&file.objects, 1, &options);
                    let loaded = spof::load::load_str("out.yaml", imported.text.as_str());
                    assert!(loaded.is_ok(), "{name}:\n{}", imported.text);
                }
            }
        } else {
            let _ = spof::load::load_bytes("fuzz.yaml", bytes);
        }
        ran += 1;
    }
    assert!(ran >= 1);
}
