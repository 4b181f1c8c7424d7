#!/usr/bin/env bash
# Can compare be fooled by noise? RUNS single default runs of one build (--sizes 10k,100k), one
# after the other, each compared with the one before it as a user would compare the run they just
# made: every verdict other than "same"/"inconclusive" across these pairs is a false alarm.
# Runs already in OUT are kept (rerun to resume, or to recompare after a change to compare).
#   scripts/verdict-noise.sh [OUT=results/verdicts-noise] [RUNS=11]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/verdicts-noise}
runs=${2:-11}
mkdir -p "$out"
pgmb() { node_modules/.bin/tsx src/cli/pgmb.ts "$@"; }

for i in $(seq -w 1 "$runs"); do
  csv="$out/run-$i.csv"
  [ -s "$csv" ] && continue
  echo "== run $i of $runs ($(date -u +%H:%M:%S))"
  pgmb bench --sizes 10k,100k --out "$csv.partial" > "$out/run-$i.log" 2>&1
  mv "$csv.partial" "$csv"
done

summary="$out/pairs.txt"
: > "$summary"
prev=
for csv in "$out"/run-*.csv; do
  if [ -n "$prev" ]; then
    name="compare-$(basename "$prev" .csv)-$(basename "$csv" .csv).txt"
    set +e
    pgmb compare "$prev" "$csv" > "$out/$name" 2>&1
    code=$?
    set -e
    echo "$(basename "$prev") -> $(basename "$csv"): exit $code; $(tail -n 1 "$out/$name")" >> "$summary"
  fi
  prev=$csv
done
# The first half of the runs against the second, as two files of several runs each: the time
# verdict can then be decided, and shows what a change in the machine's conditions between the
# halves does to it.
runs_made=("$out"/run-[0-9]*.csv)
half=$(( ${#runs_made[@]} / 2 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{ head -n 1 "${runs_made[0]}"; for f in "${runs_made[@]:0:$half}"; do tail -n +2 "$f"; done; } > "$tmp/first-half.csv"
{ head -n 1 "${runs_made[0]}"; for f in "${runs_made[@]:$half}"; do tail -n +2 "$f"; done; } > "$tmp/second-half.csv"
set +e
pgmb compare "$tmp/first-half.csv" "$tmp/second-half.csv" > "$out/compare-halves.txt" 2>&1
code=$?
set -e
echo "first $half runs -> the other $(( ${#runs_made[@]} - half )): exit $code; $(tail -n 1 "$out/compare-halves.txt")" >> "$summary"
cat "$summary"
