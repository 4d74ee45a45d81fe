//! Any text as Kubernetes manifests: reading them must not panic, and when
//! they read, the architecture written must load as valid format v1, with
//! and without zones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spof::import::kubernetes::{import, Options};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((file, _)) = spof::import::manifest::read("fuzz.yaml", text) {
        for zones in [vec![], vec!["a".to_string(), "b".to_string()]] {
            let options = Options { zones, ..Options::default() };
            let imported = import(&file.objects, 1, &options);
            let loaded = spof::load::load_str("out.yaml", imported.text.as_str());
            assert!(loaded.is_ok(), "{}", imported.text);
        }
    }
});
