/** Each bench suite at 10K rows writes CSV rows that keep the contract. */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ddlCasesOn } from '../../bench/ddl.js';
import { BENCH_SUITES, runBench } from '../../bench/runner.js';
import { BACKFILL_STRATEGIES } from '../../bench/types.js';
import { readCsv } from '../../src/results/csv.js';
import { CSV_COLUMNS, SUITES } from '../../src/results/row.js';
import { LOCK_MODES } from '../../src/core/lock-modes.js';
import { probeCapabilities } from '../../src/measure/capabilities.js';
import { client } from '../helpers/db.js';

test('all suites at 10K rows: contract columns, listed names, positive figures, empty where n/a', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-smoke-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'smoke.csv');
  // Which probes run depends on the role (superuser on the embedded server, an owner on a managed one).
  const caps = await probeCapabilities(await client(t));
  await runBench(
    {
      suites: [...SUITES],
      sizes: [10_000],
      strategies: ['ctid', 'keyset', 'classic'],
      batchSize: 2000,
      delayMs: 0,
      workers: 2,
      iterations: 2,
      ddlRows: 10_000,
      partitions: [0, 8],
      vacuum: ['auto', 'off'],
      writers: true,
      readers: true,
      standby: false,
      out,
    },
    () => undefined,
  );
  t.deepEqual(readFileSync(out, 'utf8').split('\n')[0]!.split(','), [...CSV_COLUMNS]);
  const rows = readCsv(out);
  const major = Number.parseInt(rows[0]!.pg_version!, 10);
  t.is(rows.length, 4 + 5 * 2 + 3 * 2 + ddlCasesOn(major).length, 'backfill (ctid with and without vacuum) and index on the plain and the 8-partition table');
  // Every case each suite declares was measured, and no other.
  for (const suite of SUITES) {
    const seen = new Set(rows.filter((r) => r.suite === suite).map((r) => r.case));
    t.deepEqual([...seen].sort(), [...BENCH_SUITES[suite].cases(major)].sort(), suite);
  }
  for (const r of rows) {
    const where = `${r.suite}/${r.case}/${r.strategy}`;
    for (const col of ['mean_ms', 'p50_ms', 'p99_ms', 'min_ms', 'max_ms', 'rme_pct']) t.true(Number(r[col]) > 0, `${where} ${col}=${r[col]}`);
    t.is(r.rows, '10000');
    t.is(r.iterations, '2');
    t.regex(r.run_id!, /^\d{8}T\d{6}-[0-9a-f]{6}$/);
    t.regex(r.pg_version!, /^\d+\.\d+/);
    t.true(LOCK_MODES.includes(r.lock_mode as never), `${where} lock ${r.lock_mode}`);
    t.regex(r.wal_bytes!, /^\d+$/);
    if (r.suite === 'ddl') t.is(r.rows_per_sec, '', `${where}: rows/s does not apply`);
    else t.true(Number(r.rows_per_sec) > 0, where);
    // The probes this role may run, named; the figures of those it may not are empty, never 0.
    t.is(r.probes_off, caps.off.map((o) => o.split(' (')[0]).join('; '), where);
    if (major < 15) t.false(caps.flushStats, 'PostgreSQL 14 lacks pg_stat_force_next_flush()');
    if (!caps.flushStats) t.is(r.dead_tuples, '', `${where}: dead tuples not read`);
    for (const col of ['work_blks_hit', 'work_wal_bytes', 'work_wal_records']) {
      if (caps.workCounters) t.regex(r[col]!, /^\d+(\.\d+)?$/, `${where} ${col}`);
      else t.is(r[col], '', `${where} ${col}: work counters off`);
    }
    if (caps.workCounters && r.suite === 'backfill') t.true(Number(r.work_wal_records) >= 10_000, `${where}: a WAL record per row at least, ${r.work_wal_records}`);
    if (r.suite === 'setup') t.is(r.writer_max_ms, '', 'no writers while a table is being built');
    else t.true(Number(r.writer_max_ms) > 0, `${where} writer_max_ms`);
    if (r.suite === 'setup') t.is(r.reader_reads, '', 'no readers where no writers run');
    else t.true(Number(r.reader_reads) > 0 && Number(r.reader_max_ms) > 0, `${where} reader_reads, reader_max_ms`);
  }
  const backfill = rows.filter((r) => r.suite === 'backfill' && r.partitions === '' && r.vacuum !== 'off');
  t.deepEqual(backfill.map((r) => r.strategy).sort(), [...BACKFILL_STRATEGIES].sort());
  const partitioned = rows.filter((r) => r.partitions === '8' && r.vacuum !== 'off');
  t.deepEqual(partitioned.map((r) => `${r.suite} ${r.strategy || r.case}`).sort(), [
    'backfill classic',
    'backfill ctid',
    'backfill keyset',
    'backfill single-update',
    'index create-index',
    'index create-index-concurrently',
    'index create-unique-index-concurrently',
  ]);
  for (const r of rows.filter((x) => x.suite === 'backfill' && x.strategy !== 'single-update')) {
    t.is(r.nulls_left, '0', `${r.strategy} ${r.partitions}: counted NULLs left`);
    t.true(Number(r.largest_batch) > 0 && Number(r.largest_batch) <= 2000 * 1.5, `${r.strategy} ${r.partitions}: largest batch ${r.largest_batch}`);
  }
  t.is(rows.find((r) => r.strategy === 'single-update')!.nulls_left, '', 'one UPDATE counts nothing');
  t.deepEqual(
    rows.filter((r) => r.strategy === 'ctid').map((r) => r.vacuum),
    ['auto', 'off', 'auto', 'off'],
    'ctid with and without vacuum behind the walk',
  );
  t.is(rows.find((r) => r.strategy === 'single-update')!.vacuum, '');
  for (const r of rows) {
    const [before, after, compact, growth] = ['table_bytes_before', 'table_bytes_after', 'table_bytes_compact', 'growth'].map((c) => Number(r[c]));
    t.true(after > 0 && compact > 0 && growth > 0.5 && growth < 5, `${r.suite} ${r.case} ${r.strategy}: after ${after}, compact ${compact}, growth ${growth}`);
    if (r.suite !== 'setup') t.true(before > 0, `${r.suite} ${r.case}: bytes before`);
  }
  t.is(rows.find((r) => r.case === 'create-index' && r.partitions === '8')!.lock_mode, 'ShareLock', 'a plain build locks the partitioned parent');
  t.is(backfill.find((r) => r.strategy === 'single-update')!.batch_size, '', 'no batch size for one UPDATE');
  t.is(backfill.find((r) => r.strategy === 'ctid')!.workers, '2');
  const byCase = (c: string) => rows.find((r) => r.case === c)!;
  t.is(byCase('create-index').lock_mode, 'ShareLock');
  t.is(byCase('create-index-concurrently').lock_mode, 'ShareUpdateExclusiveLock');
  t.is(byCase('add-column-volatile-default').table_rewritten, 'true');
  t.is(byCase('alter-column-type').table_rewritten, 'true');
  t.is(byCase('add-column-default').table_rewritten, 'false');
});
