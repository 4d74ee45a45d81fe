#!/usr/bin/env bash
# Checks spof's JSON Schema in the real YAML language server, as an editor
# uses it. Needs Node.js and npm; installs yaml-language-server into a
# temporary folder (nothing is added to the repository).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm init -y >/dev/null && npm install --silent yaml-language-server@1 >/dev/null 2>&1); then
  echo "skipped: could not install yaml-language-server from npm" >&2
  exit 3
fi
node "$root/scripts/editor-check/check.mjs" "$root" "$work/node_modules/yaml-language-server/bin/yaml-language-server"
