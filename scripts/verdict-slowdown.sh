#!/usr/bin/env bash
# Does compare catch a real slowdown? A copy of this build with scripts/slowdown-keyset.patch
# applied (keyset rewrites half of each batch's rows a second time: same values, same policy
# columns, so the rows join) is measured against the build itself, PAIRS times, alternating;
# each slowed run is compared with the real run before it (every pair must flag it), then all
# slowed runs with all real runs (runs on both sides: time can be judged too).
#   scripts/verdict-slowdown.sh [OUT=results/verdicts-slowdown] [PAIRS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-results/verdicts-slowdown}")
pairs=${2:-5}
mkdir -p "$out"
slowed=$(mktemp -d /tmp/pgmb-slowed-XXXX)
trap 'rm -rf "$slowed"' EXIT
git ls-files -co --exclude-standard | tar cf - -T - | tar xf - -C "$slowed"
ln -sfn "$PWD/node_modules" "$slowed/node_modules"
(cd "$slowed" && git apply --unsafe-paths --directory=. scripts/slowdown-keyset.patch 2>/dev/null || patch -s -p1 < scripts/slowdown-keyset.patch)

bench() { (cd "$1" && node_modules/.bin/tsx src/cli/pgmb.ts bench --suite backfill --strategy keyset --sizes 10k,100k --partitions 0 --vacuum auto --out "$2" > "$2.log" 2>&1); }

summary="$out/pairs.txt"
: > "$summary"
for i in $(seq -w 1 "$pairs"); do
  echo "== pair $i of $pairs ($(date -u +%H:%M:%S))"
  [ -s "$out/real-$i.csv" ] || bench "$PWD" "$out/real-$i.csv"
  [ -s "$out/slowed-$i.csv" ] || bench "$slowed" "$out/slowed-$i.csv"
  set +e
  node_modules/.bin/tsx src/cli/pgmb.ts compare "$out/real-$i.csv" "$out/slowed-$i.csv" > "$out/compare-$i.txt" 2>&1
  code=$?
  set -e
  echo "real-$i -> slowed-$i: exit $code; $(tail -n 1 "$out/compare-$i.txt")" >> "$summary"
done
# All runs of each build in one file: with several runs per side the time verdict can be decided too.
for kind in real slowed; do
  files=("$out/$kind"-[0-9]*.csv)
  { head -n 1 "${files[0]}"; for f in "${files[@]}"; do tail -n +2 "$f"; done; } > "$slowed/$kind-all.csv"
done
set +e
node_modules/.bin/tsx src/cli/pgmb.ts compare "$slowed/real-all.csv" "$slowed/slowed-all.csv" > "$out/compare-all.txt" 2>&1
code=$?
set -e
echo "all real -> all slowed: exit $code; $(tail -n 1 "$out/compare-all.txt")" >> "$summary"
cat "$summary"
