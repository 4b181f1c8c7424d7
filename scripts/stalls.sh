#!/usr/bin/env bash
# Issue 29's run: the worst write of each batched backfill at 1M rows, with its cause, N iterations
# each: ctid and keyset, plain and 8 partitions, vacuum behind the walk auto and off (the bench runs
# keyset with the first --vacuum policy only, so keyset runs twice). The bench's own CSV, summary and
# log go to DIR; the embedded server is started by the bench (no URL needed).
# Usage: scripts/stalls.sh DIR N
set -euo pipefail
dir=${1:?DIR}; n=${2:?N}
mkdir -p "$dir"
tsx=node_modules/.bin/tsx
"$tsx" src/cli/pgmb.ts bench --suite backfill --sizes 1m --partitions 0,8 --strategy ctid,keyset --vacuum auto,off --iterations "$n" --out "$dir/stalls.csv" > "$dir/run-auto.txt" 2>&1
"$tsx" src/cli/pgmb.ts bench --suite backfill --sizes 1m --partitions 0,8 --strategy keyset --vacuum off --iterations "$n" --out "$dir/stalls.csv" > "$dir/run-keyset-off.txt" 2>&1
# One line per case: its worst write and why.
node -e '
const { parse } = require("csv-parse/sync");
const rows = parse(require("fs").readFileSync(process.argv[1], "utf8"), { columns: true });
for (const r of rows) console.log([r.strategy, r.vacuum || "-", r.partitions ? r.partitions + " partitions" : "plain", "worst " + Math.round(r.writer_max_ms) + " ms", "migration worst " + Math.round(r.writer_migration_max_ms) + " ms", r.writer_max_cause || "(no write over 100 ms)"].join("\t"));
' "$dir/stalls.csv" | tee "$dir/worst-writes.txt"
