//! Any bytes into the loader: it must answer with a model or with located
//! problems, and rendering those problems must not panic either. The lean
//! load (text not kept) must answer only with the usual load's model.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let usual = spof::load::load_bytes("fuzz.yaml", data.to_vec());
    let reader = std::io::Cursor::new(data);
    let lean = spof::load::load_lean("fuzz.yaml", reader, data.len() as u64, u64::MAX);
    if let Some(lean) = lean {
        let usual = usual.as_ref().expect("a lean load answers only for a valid file");
        assert_eq!(lean.arch, usual.arch);
    }
    if let Err(error) = usual {
        let writer = spof::report::diagnostics::DiagnosticWriter::new(false);
        for problem in &error.problems {
            let mut out = Vec::new();
            let _ = writer.write(&mut out, &error.file.diagnostic(problem));
        }
    }
});
