#!/usr/bin/env bash
# Scale benchmark on several generator shapes: each command's time and peak
# memory at each size, its ratio to `audit` on the same file (`validate` and
# `audit` itself: to the parse floor), and the growth
# exponent from one size to the next (log(t2/t1) / log(n2/n1): 1 is linear).
# Ratios are taken within one run, so a busy machine shifts them less than
# the times.
#
#   bash benches/shapes.sh                    # 10k and 100k, both shapes
#   SIZES="10000 100000 1000000" bash benches/shapes.sh
#   SHAPES="systems layered" bash benches/shapes.sh
#   COMMANDS="validate;audit;check --format github" bash benches/shapes.sh
#
# Shapes (examples/generate.rs): `systems`, systems of 20 services on a
# replicated platform; `layered`, the shape of issue #18 (one site, a list or
# a quorum; one to four dependencies, mostly on a shared platform, some
# soft, some any_of, a few cycles; 2% integrations). `layered-dense` is
# `layered` with up to 2 dependencies of which most are near ones, so one
# failure cascades through much of the file. `layered-wide` has up to 8
# dependencies, 10% back edges (large cycles) and 50% quorums;
# `layered-quorum` up to 6, 5% back edges and 80% quorums on a smaller
# platform. `layered-flat` has no shared platform (calls go to near
# services) and 5% back edges; `layered-half-quorum` half its services in
# quorums and a smaller platform: both within issue #18's description, and
# both make one large cycle that most failures degrade or take down.
# `layered-avail` gives every
# data center and power feed an `availability`, and 10% of the services one;
# `layered-avail-all` gives every service one, so that availability's exact
# method and Monte Carlo, not only its marking, are timed. The shapes
# `layered-wide-all`, `layered-quorum-all`, `layered-flat-all` and
# `layered-half-quorum-all` are those four with every site and service
# given one: each has one large cycle of tens of thousands of parts.
# `layered-half-quorum-999` and `layered-half-quorum-99` are
# `layered-half-quorum-all` with services and data centers up 99.9% and
# 99% of the time rather than 99.95%.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin spof --example generate --example parse_floor
sizes=(${SIZES:-10000 100000})
shapes=(${SHAPES:-systems layered})
dir=${TMPDIR:-/tmp}/spof-bench
mkdir -p "$dir"
limit=${LIMIT:-900}
measure() { # prints "seconds KB note" for a command, output discarded; "- - -" past the
  # limit; the note is "refused" when spof stopped at one of its bounds (exit 2)
  local rc=0
  /usr/bin/time -f "%e %M" -o "$dir/time" timeout "$limit" "$@" > "$dir/out" 2>/dev/null || rc=$?
  if [ "$rc" = 124 ]; then echo "- - -"
  elif [ "$rc" = 2 ]; then echo "$(tail -1 "$dir/time") refused"
  else echo "$(tail -1 "$dir/time") -"; fi
}
gen() { # shape size -> file
  local f="$dir/$1-$2.yaml"
  if [ ! -f "$f" ]; then
    case "$1" in
      systems) ./target/release/examples/generate "$2" > "$f" ;;
      layered) ./target/release/examples/generate "$2" layered > "$f" ;;
      layered-dense) ./target/release/examples/generate "$2" layered 2 1 20 > "$f" ;;
      layered-wide) ./target/release/examples/generate "$2" layered 8 10 50 70 > "$f" ;;
      layered-quorum) ./target/release/examples/generate "$2" layered 6 5 80 40 > "$f" ;;
      layered-flat) ./target/release/examples/generate "$2" layered 4 5 30 0 > "$f" ;;
      layered-half-quorum) ./target/release/examples/generate "$2" layered 4 3 50 30 > "$f" ;;
      layered-avail) ./target/release/examples/generate "$2" layered 4 3 20 70 10 > "$f" ;;
      layered-avail-all) ./target/release/examples/generate "$2" layered 4 3 20 70 100 > "$f" ;;
      layered-wide-all) ./target/release/examples/generate "$2" layered 8 10 50 70 100 > "$f" ;;
      layered-quorum-all) ./target/release/examples/generate "$2" layered 6 5 80 40 100 > "$f" ;;
      layered-flat-all) ./target/release/examples/generate "$2" layered 4 5 30 0 100 > "$f" ;;
      layered-half-quorum-all) ./target/release/examples/generate "$2" layered 4 3 50 30 100 > "$f" ;;
      layered-half-quorum-999) ./target/release/examples/generate "$2" layered 4 3 50 30 100 0.999 > "$f" ;;
      layered-half-quorum-99) ./target/release/examples/generate "$2" layered 4 3 50 30 100 0.99 > "$f" ;;
      layered-back-999) ./target/release/examples/generate "$2" layered 4 10 20 70 100 0.999 > "$f" ;;
      layered-back-99) ./target/release/examples/generate "$2" layered 4 10 20 70 100 0.99 > "$f" ;;
      layered-all-99) ./target/release/examples/generate "$2" layered 4 3 20 70 100 0.99 > "$f" ;;
      layered-back20-995) ./target/release/examples/generate "$2" layered 3 20 50 50 50 0.995 > "$f" ;;
      *) echo "unknown shape: $1" >&2; exit 2 ;;
    esac
  fi
  echo "$f"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.1fx", a / b }'; }
growth() { awk -v t1="$1" -v t2="$2" -v n1="$3" -v n2="$4" 'BEGIN { if (t1 == "-" || t2 == "-" || t1 <= 0) print "-"; else printf "%.2f", log(t2 / t1) / log(n2 / n1) }'; }
# COMMANDS, separated by ";", picks some: the JSON audit lists every node each
# failure takes down, which on `layered` grows with the square of the file.
IFS=';' read -ra commands <<< "${COMMANDS:-validate;audit;audit --format json;check --format github;availability --format json;cuts --max-order 2 --format json}"
printf '| shape | services | file | parse floor | command | time | / audit | peak memory (/ file) | growth |\n'
printf '|---|---:|---:|---:|---|---:|---:|---:|---:|\n'
declare -A prev
for shape in "${shapes[@]}"; do
  prevn=""
  for n in "${sizes[@]}"; do
    f=$(gen "$shape" "$n")
    size=$(du -m "$f" | cut -f1)
    size_exact=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.2f", b / 1048576 }')
    floor=$(./target/release/examples/parse_floor "$f" | awk '{print $4}')
    # The base is `audit` as people read it (chains of the 20 most important
    # targets); its JSON lists everything, which on a shape where failures
    # cascade grows with the square of the file and is set against the
    # parse floor, as `validate` and `audit` are.
    read -r ta ma _ < <(measure ./target/release/spof audit "$f")
    for c in "${commands[@]}"; do
      if [ "$c" = "audit" ]; then
        t=$ta m=$ma note="-"
      else
        # shellcheck disable=SC2086
        read -r t m note < <(measure ./target/release/spof $c "$f")
      fi
      g="-"
      [ -n "$prevn" ] && g=$(growth "${prev[$shape $c]}" "$t" "$prevn" "$n")
      mem="-"; [ "$m" != "-" ] && mem="$((m / 1024)) MB ($(ratio "$((m / 1024))" "$size_exact"))"
      # validate and audit are compared with the parse floor, the rest with audit.
      vs=$(ratio "$t" "$ta")
      case "$c" in validate | audit | "audit --format json") vs="$(ratio "$t" "$floor") of floor" ;; esac
      shown="$t s"; [ "$note" = refused ] && shown="$t s, refused"
      printf '| %s | %s | %s MB | %s s | `%s` | %s | %s | %s | %s |\n' \
        "$shape" "$n" "$size" "$floor" "$c" "$shown" "$vs" "$mem" "$g"
      prev["$shape $c"]=$t
    done
    prevn=$n
  done
done
