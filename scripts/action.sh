#!/usr/bin/env bash
# The steps of the spof GitHub Action (action.yml), as one script so that it
# can be run and tested anywhere: tests/action.rs runs it against a temporary
# git repository with a base and a head commit.
#
# Reads: SPOF_FILES (required), SPOF_MIN_TIER, SPOF_BASELINE, SPOF_CONFIG,
# SPOF_BASE_REF, SPOF_SARIF; GITHUB_EVENT_NAME, GITHUB_BASE_REF and
# GITHUB_STEP_SUMMARY as GitHub sets them. Writes the SARIF log, workflow
# annotations on stdout and the Markdown summary. Exits 1 when the check or
# the diff fails the gate, 2 on invalid input, whatever step comes first.
set -uo pipefail

spof=${SPOF:-spof}
sarif=${SPOF_SARIF:-spof.sarif}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

# The files, as words; globs are expanded here, by bash, not by a shell
# reading the input as code.
read -r -d '' -a patterns <<< "${SPOF_FILES:-}" || true
files=()
shopt -s nullglob globstar
for p in "${patterns[@]}"; do
  matched=($p)
  if [ ${#matched[@]} -eq 0 ]; then
    echo "::error title=spof::no file matches ${p//%/%25}"
    exit 2
  fi
  files+=("${matched[@]}")
done
if [ ${#files[@]} -eq 0 ]; then
  echo "::error title=spof::the action's 'files' input names no file"
  exit 2
fi

args=()
[ -n "${SPOF_MIN_TIER:-}" ] && args+=(--min-tier "$SPOF_MIN_TIER")
[ -n "${SPOF_BASELINE:-}" ] && args+=(--baseline "$SPOF_BASELINE")
[ -n "${SPOF_CONFIG:-}" ] && args+=(--config "$SPOF_CONFIG")

status=0
"$spof" check "${args[@]}" --format sarif -- "${files[@]}" > "$sarif" || true
"$spof" check "${args[@]}" --format github -- "${files[@]}" || status=$?
"$spof" check "${args[@]}" --format markdown -- "${files[@]}" >> "$summary" || true

if [ "${GITHUB_EVENT_NAME:-}" = "pull_request" ] || [ -n "${SPOF_BASE_REF:-}" ]; then
  base=${SPOF_BASE_REF:-origin/${GITHUB_BASE_REF:-main}}
  diff_args=()
  [ -n "${SPOF_MIN_TIER:-}" ] && diff_args+=(--min-tier "$SPOF_MIN_TIER")
  for f in "${files[@]}"; do
    echo "### spof diff ${f} against ${base}" >> "$summary"
    echo '```' >> "$summary"
    "$spof" diff "${diff_args[@]}" --base-ref "$base" -- "$f" | tee -a "$summary"
    code=${PIPESTATUS[0]}
    echo '```' >> "$summary"
    if [ "$code" -ne 0 ] && [ "$status" -eq 0 ]; then status=$code; fi
  done
fi
exit "$status"
