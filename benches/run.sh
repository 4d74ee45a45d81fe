#!/usr/bin/env bash
# Scale benchmark: generates architectures of 10k, 100k and 1M services and
# times spof on them against the parse floor (walking the YAML events and
# building nothing). Wall time and peak memory come from GNU time.
#
#   bash benches/run.sh            # 10k and 100k
#   bash benches/run.sh 1000000    # add sizes as arguments
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin spof --example generate --example parse_floor
sizes=(10000 100000 "$@")
dir=${TMPDIR:-/tmp}/spof-bench
mkdir -p "$dir"
measure() { # prints "seconds KB" for a command, output discarded
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" > "$dir/out" 2>/dev/null || true
  cat "$dir/time"
}
printf '| services | file | parse floor | validate | what-if (JSON) | audit (JSON) | audit output | peak memory (audit) |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  f="$dir/g$n.yaml"
  [ -f "$f" ] || ./target/release/examples/generate "$n" > "$f"
  size=$(du -m "$f" | cut -f1)
  floor=$(./target/release/examples/parse_floor "$f" | awk '{print $4}')
  read -r tv mv < <(measure ./target/release/spof validate "$f")
  read -r tw mw < <(measure ./target/release/spof what-if "$f" --fail region-0 --format json)
  read -r ta ma < <(measure ./target/release/spof audit "$f" --format json)
  out=$(du -m "$dir/out" | cut -f1)
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
  printf '| %s | %s MB | %s s | %s s (%sx) | %s s (%sx) | %s s (%sx) | %s MB | %s MB |\n' \
    "$n" "$size" "$floor" "$tv" "$(ratio "$tv" "$floor")" "$tw" "$(ratio "$tw" "$floor")" \
    "$ta" "$(ratio "$ta" "$floor")" "$out" "$((ma / 1024))"
done

echo
printf '| services | cuts, order 2 | cuts, order 3 | availability (exact) | peak memory (cuts 3) |\n'
printf '|---:|---:|---:|---:|---:|\n'
for n in "${sizes[@]}"; do
  f="$dir/g$n.yaml"
  read -r c2 _ < <(measure ./target/release/spof cuts "$f" --max-order 2 --format json)
  read -r c3 m3 < <(measure ./target/release/spof cuts "$f" --max-order 3 --format json)
  read -r av _ < <(measure ./target/release/spof availability "$f" --format json)
  printf '| %s | %s s | %s s | %s s | %s MB |\n' "$n" "$c2" "$c3" "$av" "$((m3 / 1024))"
done
