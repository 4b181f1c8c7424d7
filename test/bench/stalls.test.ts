/**
 * Issue 29's promise: a batched backfill at 1M rows leaves the application's writes alone. Every
 * write over 100 ms gets a cause from pg_stat_activity samples, and none the migration caused is
 * over 200 ms; plain and 8 partitions, ctid and keyset, vacuum behind the walk on.
 */
import test from 'ava';
import { runBench } from '../../bench/runner.js';
import { SLOW_WRITE_MS } from '../../src/measure/slow-write.js';
import { tempDir } from '../helpers/temp-dir.js';

test('1M rows, ctid and keyset, plain and 8 partitions, vacuum behind: every slow write explained, none the migration caused over 200 ms', async (t) => {
  const out = `${tempDir(t, 'stalls')}/stalls.csv`;
  const rows = await runBench(
    {
      suites: ['backfill'],
      sizes: [1_000_000],
      strategies: ['ctid', 'keyset'],
      batchSize: 5000,
      delayMs: 0,
      workers: 2,
      iterations: 1,
      ddlRows: 0,
      partitions: [0, 8],
      vacuum: ['auto'],
      writers: true,
      readers: true,
      standby: false,
      out,
    },
    () => undefined,
  );
  const batched = rows.filter((r) => r.strategy !== 'single-update');
  t.is(batched.length, 4);
  for (const r of rows) {
    const where = `${r.strategy} ${r.partitions ? `${r.partitions} partitions` : 'plain'}: worst write ${Number(r.writer_max_ms).toFixed(0)} ms`;
    t.log(`${where}${r.writer_max_cause ? `, ${r.writer_max_cause}` : ''}`);
    if (Number(r.writer_max_ms) > SLOW_WRITE_MS) t.regex(String(r.writer_max_cause ?? ''), /^(migration|outside): /, `${where}: its cause was seen`);
    if (r.strategy !== 'single-update') t.true(Number(r.writer_migration_max_ms) < 200, `${where}; the migration held one ${r.writer_migration_max_ms} ms`);
  }
  // The check can fail: one whole-table UPDATE holds the writers' updates for its whole run, and says so.
  const update = rows.find((r) => r.strategy === 'single-update' && !r.partitions)!;
  t.true(Number(update.writer_migration_max_ms) > 200, `one UPDATE held writers ${update.writer_migration_max_ms} ms`);
  t.regex(String(update.writer_max_cause), /^migration: waited on Lock\/transactionid behind pgmb-bench/);
});
