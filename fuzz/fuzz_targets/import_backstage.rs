//! Any text as a Backstage catalog: reading it must not panic, and when it
//! reads, the architecture written must load as valid format v1.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((file, _)) = spof::import::catalog::read("fuzz.yaml", text) {
        let imported = spof::import::backstage::import(&file.entities, 1, None);
        assert!(spof::load::load_str("out.yaml", imported.text.as_str()).is_ok());
    }
});
