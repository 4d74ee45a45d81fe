//! The engine's inner loops, timed one by one on a file:
//!
//! ```text
//! cargo run --release --example generate -- 100000 > /tmp/100k.yaml
//! cargo bench --bench engine -- /tmp/100k.yaml [RUNS]
//! ```
//!
//! Each loop runs RUNS times (default 5); the median is printed with its
//! ratio to `propagate`, one propagation per candidate on one thread, the
//! audit's core. Ratios within one run stay meaningful on a busy machine,
//! where the times do not. `benches/shapes.sh` times whole commands; this
//! says which loop inside them moved.

use std::time::{Duration, Instant};

use spof::engine::{self, availability, cuts, FailureGraph, Progress, Scratch, TargetSelection};
use spof::model::{NodeId, Tier};

fn main() {
    // `cargo bench` passes `--bench`; anything else is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: cargo bench --bench engine -- FILE [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    let limit = 1 << 30;
    let load = || spof::load::load_path(path.as_ref(), limit).ok();
    let Some(loaded) = load() else {
        eprintln!("{path} does not load; run `spof validate {path}`");
        std::process::exit(2);
    };
    let arch = &loaded.arch;
    let graph = FailureGraph::build(arch);
    let candidates = arch.candidates();
    let selection = TargetSelection::MinTier(Tier::High);
    let flags = selection.flags(arch);
    // Availability and cut sets are per target: a thousand, spread evenly
    // over the file, keep a run short at any size.
    let all: Vec<NodeId> = arch.node_ids().filter(|id| flags[id.index()]).collect();
    let step = all.len().div_ceil(1000).max(1);
    let targets: Vec<NodeId> = all.iter().copied().step_by(step).collect();
    println!(
        "{path}: {} nodes, {} gates, {} candidates, {} of the targets; median of {runs} runs",
        arch.nodes.len(),
        graph.len(),
        candidates.len(),
        targets.len()
    );
    let base = median(runs, || {
        let mut scratch = Scratch::new(&graph);
        for &c in &candidates {
            scratch.propagate(&graph, &[c]);
            scratch.reset(&graph);
        }
    });
    let loops: Vec<(&str, Duration)> = vec![
        ("propagate (1 thread)", base),
        (
            "load",
            median(runs, || {
                load();
            }),
        ),
        (
            "graph build",
            median(runs, || {
                FailureGraph::build(arch);
            }),
        ),
        (
            "rank (all threads)",
            median(runs, || {
                engine::rank(arch, &graph, &selection, &Progress::default());
            }),
        ),
        (
            "availability, ~1,000 targets",
            median(runs, || {
                availability::availability_of_each(arch, &graph, &targets, &Progress::default());
            }),
        ),
        (
            // Every target: the few whose cones are large (Monte Carlo
            // ones among them) are where the time goes, and a sample of
            // one in 25 can miss them all.
            "availability, every target",
            median(runs, || {
                availability::availability_of_each(arch, &graph, &all, &Progress::default());
            }),
        ),
        (
            "cut sets, order 2",
            median(runs, || {
                cuts::minimal_cut_sets(arch, &graph, &targets, 2);
            }),
        ),
    ];
    for (name, took) in loops {
        println!(
            "{name:32} {:>10.3} ms {:>8.2}x",
            took.as_secs_f64() * 1e3,
            took.as_secs_f64() / base.as_secs_f64().max(1e-9)
        );
    }
}

/// The median time of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}
