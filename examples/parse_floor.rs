//! The parse floor of the benchmarks: walk a file's YAML event stream with
//! saphyr-parser and build nothing.
//!
//! `cargo run --release --example parse_floor -- /tmp/100k.yaml`

use saphyr_parser::Parser;

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let text = std::fs::read_to_string(path).expect("readable UTF-8");
    let start = std::time::Instant::now();
    let mut events = 0u64;
    for event in Parser::new_from_str(&text) {
        if event.is_err() {
            eprintln!("parse error");
            std::process::exit(2);
        }
        events += 1;
    }
    println!("{events} events in {:.3} s", start.elapsed().as_secs_f64());
}
