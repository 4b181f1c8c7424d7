import { InvalidOptionError } from '../src/core/errors.js';
import { parseVacuum } from '../src/engine/backfill/vacuum-behind.js';
import type { ReporterFactory } from '../src/measure/reporter.js';
import { caseKey, type Comparison } from '../src/results/compare.js';
import { num, type ReadRow } from '../src/results/csv.js';
import { gitSha } from '../src/results/metadata.js';
import { SUITES, type Suite } from '../src/results/row.js';
import { runBench } from './runner.js';
import { BATCHED_STRATEGIES, type BenchOptions } from './types.js';

/** The bench options that measure exactly the case a CSV row holds, appending to `out`. */
export function optionsFor(row: ReadRow, out: string): BenchOptions {
  const suite = row.suite as Suite;
  if (!SUITES.includes(suite)) throw new InvalidOptionError('--confirm', `cannot re-measure suite ${JSON.stringify(row.suite)}`);
  const rows = num(row, 'rows')!;
  const strategy = BATCHED_STRATEGIES.find((s) => s === row.strategy);
  return {
    suites: [suite],
    sizes: [rows],
    ddlRows: rows,
    strategies: [strategy ?? 'ctid'],
    batchSize: num(row, 'batch_size') ?? 5000,
    delayMs: num(row, 'delay_ms') ?? 0,
    workers: num(row, 'workers') ?? 1,
    iterations: num(row, 'iterations'),
    vacuum: [row.vacuum ? parseVacuum('vacuum', row.vacuum) : 'auto'],
    partitions: [num(row, 'partitions') ?? 0],
    writers: Boolean(row.writer_max_ms),
    readers: Boolean(row.reader_max_ms),
    standby: Boolean(row.replica_lag_max_ms),
    maxLagMs: num(row, 'max_lag_ms'),
    maxWriterP99Ms: num(row, 'max_writer_p99_ms'),
    standbyQueryMs: num(row, 'standby_query_ms'),
    out,
    only: { case: row.case!, strategy: row.strategy || undefined },
  };
}

/** Cases worth measuring again before anyone is accused: slower by time, or doing more work. */
export function suspects(cases: Comparison[]): Comparison[] {
  return cases.filter((c) => c.verdict === 'regression' || (c.verdict === 'inconclusive' && (c.delta ?? 0) > 0) || c.work?.verdict === 'more work');
}

/**
 * Measure each suspected case of the build checked out here `runs` more times, each a run of its
 * own (its own server and run_id), appended to the NEW file. Refused when NEW was measured on
 * another commit: the runs would not be of the build being judged.
 */
export async function confirm(suspected: Comparison[], next: ReadRow[], newPath: string, runs: number, log: (line: string) => void, newReporter?: ReporterFactory): Promise<void> {
  const sha = gitSha();
  const other = next.find((r) => r.git_sha && sha && r.git_sha !== sha);
  if (other) throw new InvalidOptionError('--confirm', `${newPath} was measured at commit ${other.git_sha}, this checkout is ${sha}: check that build out to confirm its runs`);
  for (const c of suspected) {
    const row = next.find((r) => caseKey(r) === c.key)!;
    for (let i = 1; i <= runs; i++) {
      log(`confirm: ${c.suite} ${c.case} ${c.strategy} ${c.rows} ${c.policy} (run ${i} of ${runs})`.replace(/ +/g, ' '));
      await runBench(optionsFor(row, newPath), () => undefined, newReporter);
    }
  }
}
