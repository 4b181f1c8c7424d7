/** Per run: time of the ctid backfill with vacuum behind the walk over the same without it; their mean and 95% interval. */
import { readCsv } from '../src/results/csv.js';
import { mean } from '../src/core/numbers.js';
import { rmePct } from '../src/results/stats.js';

const rows = readCsv(process.argv[2]!).filter((r) => r.suite === 'backfill' && r.strategy === 'ctid' && r.rows === '1000000');
const runs = [...new Set(rows.map((r) => r.run_id))];
const ratios: number[] = [];
for (const run of runs) {
  const of = (policy: string) => rows.find((r) => r.run_id === run && r.vacuum === policy);
  const auto = of('auto');
  const off = of('off');
  if (!auto || !off) continue;
  const ratio = Number(auto.mean_ms) / Number(off.mean_ms);
  ratios.push(ratio);
  console.log(
    `${run}: auto ${Number(auto.mean_ms).toFixed(0)} ms (growth ${Number(auto.growth).toFixed(3)}), off ${Number(off.mean_ms).toFixed(0)} ms (growth ${Number(off.growth).toFixed(3)}): ${ratio.toFixed(3)}x`,
  );
}
const m = mean(ratios)!;
const half = ((rmePct(ratios) ?? NaN) / 100) * m;
console.log(`${ratios.length} runs: auto/off ${m.toFixed(3)}x, 95% interval ${(m - half).toFixed(3)}..${(m + half).toFixed(3)}`);
