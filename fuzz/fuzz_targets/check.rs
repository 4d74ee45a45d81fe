//! Any file that loads goes through everything a CI run does: the audit,
//! the check rules with their settings, and every report format. None of it
//! may panic, and the reports must be valid JSON where they are JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spof::check;
use spof::load::config::CheckConfig;
use spof::engine::{self, FailureGraph, TargetSelection};
use spof::model::Tier;
use spof::report::findings::{self, FileFindings};

fuzz_target!(|data: &[u8]| {
    let Ok(loaded) = spof::load::load_bytes("fuzz.yaml", data.to_vec()) else {
        return;
    };
    let arch = &loaded.arch;
    let graph = FailureGraph::build(arch);
    let audit = engine::audit(arch, &graph, &TargetSelection::MinTier(Tier::Low));
    let _ = spof::report::json::audit(arch, &audit);
    // Availability runs the compiled cone (`engine::circuit`) on whatever
    // shape the file has: cycles, quorums, fallbacks.
    let targets: Vec<_> = arch.node_ids().filter(|&t| arch.node(t).tier().is_some()).collect();
    // Within a bound, as the command line runs it: a refusal is an answer.
    let work = Some(50_000_000);
    let found = engine::availability::availability_of_each_within(arch, &graph, &targets, &Default::default(), work);
    for a in found.iter().flatten() {
        assert!((0.0..=1.0).contains(&a.availability), "{}", a.availability);
    }
    // A target's answer does not hang on what else is asked, even where
    // targets that go down together share one (`availability/together.rs`).
    if let Ok(found) = &found {
        for (&t, a) in targets.iter().zip(found).take(2) {
            let alone = engine::availability::availability_of_each_within(arch, &graph, &[t], &Default::default(), work);
            if let Ok(alone) = alone {
                assert_eq!(alone[0], *a);
            }
        }
    }
    for &t in targets.iter().take(2) {
        for i in engine::availability::importance(arch, &graph, t).into_iter().flatten() {
            assert!(i.birnbaum.is_finite());
        }
    }
    // The shared search of cut sets (batches of pairs in lanes, on a base
    // failed once) finds what the search inside each target's cone finds.
    let progress = engine::Progress::default();
    let search = |how| engine::cuts::minimal_cut_sets_searching(arch, &graph, &targets, 2, &progress, how);
    assert_eq!(search(engine::cuts::Search::Shared), search(engine::cuts::Search::PerTarget));
    let outcome = check::run(arch, &graph, &["fuzz.yaml"], Tier::Low, &CheckConfig::default(), None);
    let files = [FileFindings {
        arch,
        sources: &loaded.sources,
        outcome,
    }];
    let mut out = Vec::new();
    findings::write_human(&mut out, &files, false).unwrap();
    findings::write_github(&mut out, &files).unwrap();
    findings::write_markdown(&mut out, &files).unwrap();
    let sarif = findings::sarif(&files).to_string();
    assert!(serde_json::from_str::<serde_json::Value>(&sarif).is_ok());
    // Output written to a terminal never carries a raw escape character.
    assert!(!out.contains(&0x1b));
    let dot = spof::report::dot::to_dot(&spof::report::dot::graph(arch, &Default::default()));
    assert!(!dot.contains('\u{1b}'));
});
