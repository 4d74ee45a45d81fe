#!/usr/bin/env bash
# `availability` against `audit` on the shapes of benches/other_shapes.py (made
# by a script, not by examples/generate.rs), in interleaved rounds: each round
# runs, per shape, `audit`, then `availability` (and, with BEFORE, another
# binary's `availability` just before it), so that a busy spell of a shared
# machine weighs on both alike. Prints each round's times and ratio, then, per
# shape, the time of all the rounds against the audit's and the range of the
# rounds' ratios: the README's table of availability on these shapes.
#
#   bash benches/other_rounds.sh                          # 100,000 services, 3 rounds
#   SHAPES="anyof tree" SIZE=30000 ROUNDS=5 bash benches/other_rounds.sh
#   BEFORE=/tmp/spof-old bash benches/other_rounds.sh     # an older binary beside it
#
# Files are kept in ${TMPDIR:-/tmp}/spof-bench/other and made when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin spof
size=${SIZE:-100000}
rounds=${ROUNDS:-3}
shapes=(${SHAPES:-hub standby popular anyof tree chain})
dir=${TMPDIR:-/tmp}/spof-bench/other
mkdir -p "$dir"
bin=./target/release/spof
took() { # label, command...: appends "label seconds" to the rounds' file
  local label=$1
  shift
  # A command that exits non-zero still has its time; time(1) then adds a
  # line of its own, which the summary below skips.
  /usr/bin/time -f "$label %e" -a -o "$dir/rounds" "$@" > /dev/null 2> /dev/null || true
}
: > "$dir/rounds"
for shape in "${shapes[@]}"; do
  f="$dir/$shape-$size.yaml"
  [ -f "$f" ] || python3 benches/other_shapes.py "$size" "$shape" > "$f"
done
for r in $(seq "$rounds"); do
  for shape in "${shapes[@]}"; do
    f="$dir/$shape-$size.yaml"
    took "$shape $r audit" "$bin" audit "$f"
    [ -n "${BEFORE:-}" ] && took "$shape $r before" "$BEFORE" availability "$f"
    took "$shape $r availability" "$bin" availability "$f"
  done
done
awk '
  NF != 4 || $4 !~ /^[0-9.]+$/ { next }
  { t[$1, $2, $3] = $4; sum[$1, $3] += $4; if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  $2 > rounds { rounds = $2 }
  END {
    for (i = 1; i <= n; i++) {
      s = order[i]; lo = 1e9; hi = 0
      for (r = 1; r <= rounds; r++) {
        x = t[s, r, "availability"] / t[s, r, "audit"]
        if (x < lo) lo = x
        if (x > hi) hi = x
        line = sprintf("  round %d: audit %.2f s, availability %.2f s (%.1fx)", r,
          t[s, r, "audit"], t[s, r, "availability"], x)
        if ((s, r, "before") in t) line = line sprintf(", before %.2f s", t[s, r, "before"])
        print s line
      }
      line = sprintf("%s: availability / audit %.1fx in all, %.1fx-%.1fx round by round", s,
        sum[s, "availability"] / sum[s, "audit"], lo, hi)
      if ((s, "before") in sum) line = line sprintf(" (before: %.1fx in all)", sum[s, "before"] / sum[s, "audit"])
      print line
    }
  }' "$dir/rounds"
