#!/usr/bin/env bash
# The ratios issue #18 sets aims for, as medians of RUNS runs interleaved on
# one file, so that a busy spell of a shared machine weighs on every command
# alike: the parse floor (examples/parse_floor.rs), `validate`, `audit` and
# `check --format github`, each run once per round in that order. Prints
# each command's median wall time and highest peak memory, then
# validate / floor, audit / floor, check / audit and validate's memory / the
# file's size. With CUTS=1, `cuts --max-order 2` runs in each round too
# (after check) and cuts / audit is printed, with whether it listed the sets
# or refused them (spof::cuts-too-large, exit 2). With AVAIL=1,
# `availability` runs in each round too (last) and availability / audit is
# printed: the shapes `layered-avail` and `layered-avail-all` give it parts
# that can fail (every site and 10% of services, or every service), as do
# the `-all` forms of the other four `layered` shapes (every site and
# service), and `layered-half-quorum-999` and `-99`, whose services and
# data centers are up 99.9% and 99% of the time rather than 99.95%;
# `layered-back-999` and `layered-back-99` (the default shape with 10% back
# edges, everything up 99.9% or 99%), `layered-all-99` (3% back edges, 99%)
# and `layered-back20-995` (20% back edges, half the services up 99.5%).
#
#   bash benches/medians.sh                                # layered, 1M
#   SHAPES="layered layered-half-quorum" SIZES=1000000 RUNS=3 bash benches/medians.sh
#   SHAPES="layered layered-flat" SIZES=100000 CUTS=1 bash benches/medians.sh
#   SHAPES="layered-avail layered-avail-all" SIZES="3000 10000 30000" AVAIL=1 bash benches/medians.sh
#
# Shapes as in benches/shapes.sh (the same generator knobs); files are kept
# in ${TMPDIR:-/tmp}/spof-bench and made when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin spof --example generate --example parse_floor
sizes=(${SIZES:-1000000})
shapes=(${SHAPES:-layered})
runs=${RUNS:-3}
dir=${TMPDIR:-/tmp}/spof-bench
mkdir -p "$dir"
bin=./target/release
knobs() { # shape -> the generator's arguments after the size
  case "$1" in
    systems) echo "" ;;
    layered) echo "layered" ;;
    layered-wide) echo "layered 8 10 50 70" ;;
    layered-quorum) echo "layered 6 5 80 40" ;;
    layered-flat) echo "layered 4 5 30 0" ;;
    layered-half-quorum) echo "layered 4 3 50 30" ;;
    layered-avail) echo "layered 4 3 20 70 10" ;;
    layered-avail-all) echo "layered 4 3 20 70 100" ;;
    layered-wide-all) echo "layered 8 10 50 70 100" ;;
    layered-quorum-all) echo "layered 6 5 80 40 100" ;;
    layered-flat-all) echo "layered 4 5 30 0 100" ;;
    layered-half-quorum-all) echo "layered 4 3 50 30 100" ;;
    layered-half-quorum-999) echo "layered 4 3 50 30 100 0.999" ;;
    layered-half-quorum-99) echo "layered 4 3 50 30 100 0.99" ;;
    layered-back-999) echo "layered 4 10 20 70 100 0.999" ;;
    layered-back-99) echo "layered 4 10 20 70 100 0.99" ;;
    layered-all-99) echo "layered 4 3 20 70 100 0.99" ;;
    layered-back20-995) echo "layered 3 20 50 50 50 0.995" ;;
    *) echo "unknown shape $1" >&2; exit 2 ;;
  esac
}
cmds=(floor validate audit check)
[ -n "${CUTS:-}" ] && cmds+=(cuts)
[ -n "${AVAIL:-}" ] && cmds+=(availability)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
most() { sort -n | tail -1; }
for shape in "${shapes[@]}"; do
  for n in "${sizes[@]}"; do
    f="$dir/$shape-$n.yaml"
    # shellcheck disable=SC2046
    [ -f "$f" ] || "$bin/examples/generate" "$n" $(knobs "$shape") > "$f"
    : > "$dir/rounds"
    for _ in $(seq "$runs"); do
      for cmd in "${cmds[@]}"; do
        case "$cmd" in
          floor) run=("$bin/examples/parse_floor" "$f") ;;
          validate) run=("$bin/spof" validate "$f") ;;
          audit) run=("$bin/spof" audit "$f") ;;
          check) run=("$bin/spof" check "$f" --format github) ;;
          cuts) run=("$bin/spof" cuts --max-order 2 "$f") ;;
          availability) run=("$bin/spof" availability "$f") ;;
        esac
        # check exits 1 when it finds something: that is its answer.
        /usr/bin/time -f "$cmd %e %M" -a -o "$dir/rounds" "${run[@]}" > /dev/null 2> "$dir/$cmd.err" || true
      done
    done
    bytes=$(stat -L -c %s "$f")
    t() { grep "^$1 " "$dir/rounds" | awk '{print $2}' | median; }
    m() { grep "^$1 " "$dir/rounds" | awk '{print $3}' | most; }
    echo "$shape $n ($((bytes / 1000000)) MB), medians of $runs:"
    for cmd in "${cmds[@]}"; do
      printf '  %-12s %8.2f s %7d MB\n' "$cmd" "$(t $cmd)" "$(( $(m $cmd) / 1024 ))"
    done
    awk -v f="$(t floor)" -v v="$(t validate)" -v a="$(t audit)" -v c="$(t check)" \
      -v mem="$(m validate)" -v b="$bytes" 'BEGIN {
        printf "  validate / floor %.2fx, audit / floor %.2fx, check / audit %.2fx, validate memory / file %.1fx\n",
          v / f, a / f, c / a, mem * 1024 / b }'
    if [ -n "${CUTS:-}" ]; then
      answer=listed
      grep -q cuts-too-large "$dir/cuts.err" && answer=refused
      awk -v a="$(t audit)" -v c="$(t cuts)" -v how="$answer" 'BEGIN {
        printf "  cuts / audit %.2fx (%s)\n", c / a, how }'
    fi
    if [ -n "${AVAIL:-}" ]; then
      awk -v a="$(t audit)" -v v="$(t availability)" 'BEGIN {
        printf "  availability / audit %.2fx\n", v / a }'
    fi
  done
done
