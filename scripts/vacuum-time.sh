#!/usr/bin/env bash
# Issue 15's time target: the ctid backfill at 1M rows with vacuum behind the walk (auto) against
# the same backfill without it (off), writers on. N runs appended to DIR/vacuum-time.csv, the order
# of the two policies alternating run by run so neither always goes first; then the ratio per run.
# Usage: scripts/vacuum-time.sh DIR N [more bench options, e.g. --workers 1]
set -euo pipefail
dir=${1:?DIR}; runs=${2:?N}; shift 2
mkdir -p "$dir"
tsx=node_modules/.bin/tsx
for i in $(seq 1 "$runs"); do
  if (( i % 2 )); then order=auto,off; else order=off,auto; fi
  "$tsx" src/cli/pgmb.ts bench --suite backfill --sizes 1m --strategy ctid --partitions 0 --vacuum "$order" --iterations 1 "$@" --out "$dir/vacuum-time.csv" > "$dir/run-$i.log" 2>&1
  echo "run $i ($order) done"
done
"$tsx" scripts/vacuum-time.ts "$dir/vacuum-time.csv" | tee "$dir/ratios.txt"
