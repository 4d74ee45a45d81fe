#!/usr/bin/env bash
# Several files against one: the same generated architecture of N services
# (default 100,000) as one file and as a root that includes 1,000 team files
# of N/1,000 services each. Prints wall time and peak memory of `validate`
# and `audit` for both, interleaved, three runs each.
#
#   bash benches/include.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
cargo build --release --quiet --bin spof --example generate
dir=${TMPDIR:-/tmp}/spof-bench-include
rm -rf "$dir" && mkdir -p "$dir"
./target/release/examples/generate "$n" > "$dir/one.yaml"
python3 benches/split.py "$dir/one.yaml" "$dir/split" 1000
measure() { /usr/bin/time -f "%e s %M KB" "$@" > /dev/null 2> "$dir/t" || true; tail -1 "$dir/t"; }
for run in 1 2 3; do
  for cmd in validate audit; do
    printf '%s run %s  one file: %s   1,000 files: %s\n' "$cmd" "$run" \
      "$(measure ./target/release/spof $cmd "$dir/one.yaml")" \
      "$(measure ./target/release/spof $cmd "$dir/split/root.yaml")"
  done
done
