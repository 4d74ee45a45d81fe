#!/usr/bin/env bash
# Checks the Mermaid spof writes with the real Mermaid parser: `spof diagram
# --format mermaid` of every example and valid fixture, and every chart in
# `spof check --format markdown`. Needs Node.js and npm; installs mermaid and
# jsdom into a temporary folder. Exit 3 when they cannot be installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
spof="${SPOF:-$root/target/debug/spof}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm init -y >/dev/null && npm install --silent mermaid@11 jsdom@24 >/dev/null 2>&1); then
  echo "skipped: could not install mermaid from npm" >&2
  exit 3
fi
n=0
for f in "$root"/graphs/*.yaml "$root"/graphs/kakao-2022/*.yaml "$root"/tests/fixtures/valid/*.yaml; do
  n=$((n + 1))
  "$spof" diagram "$f" --format mermaid > "$work/d$n.mmd"
  "$spof" check "$f" --format markdown --min-tier low 2>/dev/null \
    | awk -v out="$work/b$n" '/^```mermaid/{f=1; k++; next} /^```/{f=0} f{print > (out "-" k ".mmd")}' || true
done
cp "$root/scripts/mermaid-check/check.mjs" "$work/check.mjs"
cd "$work" && node check.mjs ./*.mmd
