//! Any bytes into the loader: it must answer with a model or with located
//! problems, and rendering those problems must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(error) = spof::load::load_bytes("fuzz.yaml", data.to_vec()) {
        let writer = spof::report::diagnostics::DiagnosticWriter::new(false);
        for problem in &error.problems {
            let mut out = Vec::new();
            let _ = writer.write(&mut out, &error.file.diagnostic(problem));
        }
    }
});
