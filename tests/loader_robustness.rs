//! Whatever bytes come in, the loader answers with a model or with located
//! problems: never a panic, never a position outside the file.

use proptest::prelude::*;
use spof::load::load_bytes;

const SEEDS: [&str; 3] = [
    include_str!("../graphs/kakao-2022.yaml"),
    include_str!("../graphs/active-active.yaml"),
    include_str!("fixtures/valid/hostile-ids.yaml"),
];

fn check(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    match load_bytes("fuzz.yaml", bytes) {
        Ok(loaded) => {
            for node in &loaded.arch.nodes {
                prop_assert!(node.id_span.span().start.line >= 1);
            }
        }
        Err(error) => {
            prop_assert!(!error.problems.is_empty());
            // Lines as YAML counts them (a lone CR ends one too), and the
            // one past a last line without a break, where the parser ends.
            let lines = error.file.line_count() as u32 + 1;
            for p in &error.problems {
                prop_assert!(p.primary.span.start.line >= 1);
                prop_assert!(p.primary.span.start.line <= lines, "{p:?}");
                // Rendering must not panic either.
                let mut out = Vec::new();
                let writer = spof::report::diagnostics::DiagnosticWriter::new(false);
                writer.write(&mut out, &error.file.diagnostic(p)).unwrap();
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(bytes)?;
    }

    #[test]
    fn mutated_files_never_panic(
        seed in 0usize..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let at = at % bytes.len();
            match op {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, b"\n\t:-[]{}&*!|>'\"#,?x "[byte as usize % 20]),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        check(bytes)?;
    }

    #[test]
    fn yaml_shaped_garbage_never_panics(text in "[ a-z0-9:\\-\\[\\]{},&*!|>'\"#\\n]{0,300}") {
        check(format!("version: 1\n{text}").into_bytes())?;
    }
}

#[test]
fn hostile_shapes_get_diagnostics_quickly() {
    let deep_lists = format!(
        "version: 1\nx-a: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let deep_maps = format!(
        "version: 1\nx-a: {}1{}\n",
        "{a: ".repeat(5_000),
        "}".repeat(5_000)
    );
    let mut laughs =
        String::from("version: 1\nx-0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..12 {
        let p = i - 1;
        laughs.push_str(&format!(
            "x-{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let junk: Vec<u8> = (0..5_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, bytes) in [
        ("deep lists", deep_lists.into_bytes()),
        ("deep maps", deep_maps.into_bytes()),
        ("billion laughs", laughs.into_bytes()),
        ("binary junk", junk),
    ] {
        let error = load_bytes("hostile.yaml", bytes).expect_err(name);
        assert!(!error.problems.is_empty(), "{name}");
    }
}
