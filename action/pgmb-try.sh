#!/usr/bin/env bash
# The step of action.yml: `pgmb try` with the action's inputs (INPUT_*), on a pull request the
# migrations it changes, the report in the job summary and as the step's `report` output, SARIF
# for code scanning in the file the `sarif` output names.
# PGMB is the command that runs pgmb (the action's own checkout; a test gives its own).
set -uo pipefail
args=(try "${INPUT_PATH:-.}" --sizes "${INPUT_SIZES:-100k,1m}" --max-block "${INPUT_MAX_BLOCK:-1s}")
[ -n "${INPUT_TOOL:-}" ] && args+=(--tool "$INPUT_TOOL")
[ -n "${INPUT_TARGET_ROWS:-}" ] && args+=(--target-rows "$INPUT_TARGET_ROWS")
since="${INPUT_CHANGED_SINCE:-}"
if [ -z "$since" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  # A pull request: compare with its base branch, fetched if the checkout was shallow.
  git fetch --no-tags --quiet origin "$GITHUB_BASE_REF" 2>/dev/null || true
  since="origin/$GITHUB_BASE_REF"
fi
[ -n "$since" ] && args+=(--changed-since "$since")
report="${RUNNER_TEMP:-/tmp}/pgmb-try-report.md"
sarif="${RUNNER_TEMP:-/tmp}/pgmb-try.sarif"
rm -f "$report" "$sarif"
# shellcheck disable=SC2086 # PGMB is a command and its arguments
${PGMB:-npx --yes --package pg-migration-bench pgmb} "${args[@]}" --markdown "$report" --sarif "$sarif"
status=$?
if [ -n "${GITHUB_OUTPUT:-}" ] && [ -f "$report" ]; then
  { echo 'report<<PGMB_REPORT'; cat "$report"; echo 'PGMB_REPORT'; } >> "$GITHUB_OUTPUT"
fi
if [ -n "${GITHUB_OUTPUT:-}" ] && [ -f "$sarif" ]; then echo "sarif=$sarif" >> "$GITHUB_OUTPUT"; fi
exit "$status"
