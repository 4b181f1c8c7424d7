/** --rme: a case iterates past its minimum until its mean is that sure, or its time budget is spent. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from '../../bench/runner.js';
import type { BenchOptions } from '../../bench/types.js';
import { readCsv } from '../../src/results/csv.js';

const ddl = (out: string, more: Partial<BenchOptions>): BenchOptions => ({
  suites: ['ddl'],
  sizes: [1000],
  strategies: ['ctid'],
  batchSize: 1000,
  delayMs: 0,
  workers: 1,
  iterations: 2,
  ddlRows: 1000,
  partitions: [0],
  vacuum: ['off'],
  writers: false,
  readers: false,
  standby: false,
  out,
  ...more,
});

test('--rme: a loose target stops at the minimum iterations; an unreachable one runs until the case budget, never past 30', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-rme-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const loose = join(dir, 'loose.csv');
  // Any two samples meet it (with 2 samples t is 12.7, so a 2 ms case's rme can exceed 100%).
  await runBench(ddl(loose, { rmeTarget: 1e6, only: { case: 'rename-column' } }), () => undefined);
  t.deepEqual(
    readCsv(loose).map((r) => r.iterations),
    ['2'],
  );

  const strict = join(dir, 'strict.csv');
  const t0 = performance.now();
  await runBench(ddl(strict, { rmeTarget: 0.0001, maxCaseMs: 1500, only: { case: 'rename-column' } }), () => undefined);
  const ms = performance.now() - t0;
  const [row] = readCsv(strict);
  const n = Number(row!.iterations);
  t.true(n > 2 && n <= 30, `${n} iterations`);
  t.true(Number(row!.rme_pct) > 0.0001, 'the target was not reached: the budget stopped it');
  t.true(ms < 1500 + 15_000, `${ms.toFixed(0)} ms: the budget bounds the case (setup of the run apart)`);
});
