import test from 'ava';
import { parse } from 'csv-parse/sync';
import { compareRuns } from '../../src/results/compare.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendCsv, appendProblem, readCsv, toCsv, type ReadRow } from '../../src/results/csv.js';
import { buildCharts } from '../../src/results/report.js';
import { CSV_COLUMNS, toRow, type RunMetadata } from '../../src/results/row.js';

const meta: RunMetadata = { run_id: 'r1', started_at: '2026-11-24T00:00:00Z', git_sha: 'abc', pkg_version: '0.1.0', pg_version: '17.10', pg_settings: 'fsync=on' };

test('CSV has the contract columns in order; a figure that does not apply is empty, not 0', (t) => {
  const csv = toCsv([toRow(meta, { suite: 'ddl', case: 'rename-column', mean_ms: 1.23456, rows: 100_000, rows_per_sec: undefined, table_rewritten: false })]);
  const [header, line] = csv.trim().split('\n');
  t.deepEqual(header!.split(','), [...CSV_COLUMNS]);
  const row = parse(csv, { columns: true })[0] as ReadRow;
  t.is(row.mean_ms, '1.235');
  t.is(row.rows_per_sec, '');
  t.is(row.table_rewritten, 'false');
  t.truthy(line);
});

test("a CSV an older release wrote takes this release's rows: its header grows, its rows keep their cells", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-csv-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'old.csv');
  const old = CSV_COLUMNS.slice(0, CSV_COLUMNS.indexOf('standby_query_ms'));
  writeFileSync(file, `${old.join(',')}\n${old.map((c) => (c === 'mean_ms' ? '5' : c === 'suite' ? 'ddl' : '')).join(',')}\n`);
  t.is(appendProblem(file), undefined);
  appendCsv(file, [toRow(meta, { suite: 'ddl', case: 'x', mean_ms: 7, standby_query_ms: 10_000 })]);
  const rows = readCsv(file);
  t.is(readFileSync(file, 'utf8').split('\n')[0], CSV_COLUMNS.join(','));
  t.deepEqual(rows.map((r) => [r.mean_ms, r.standby_query_ms]), [['5', undefined], ['7', '10000']]);

  const foreign = join(dir, 'foreign.csv');
  writeFileSync(foreign, 'a,b\n1,2\n');
  t.regex(appendProblem(foreign)!, /not written with this CSV contract/);
  t.throws(() => appendCsv(foreign, []), { message: /not written with this CSV contract/ });
  t.throws(() => readCsv(foreign), { message: /foreign\.csv is not a pgmb bench CSV: it lacks the column\(s\) run_id, started_at, .*writer_blocked$/ });
});

test('an --out that cannot be written is found before a run: a missing parent under /proc, a directory', (t) => {
  t.regex(appendProblem('/proc/nope/x.csv')!, /\/proc\/nope\/x\.csv cannot be written/);
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-out-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.regex(appendProblem(dir)!, /is a directory/);
  t.is(appendProblem(join(dir, 'new', 'deeper', 'run.csv')), undefined, 'a new directory is made');
});

const row = (c: string, mean: number, rme: number, extra: Partial<ReadRow> = {}): ReadRow => ({ suite: 'backfill', case: 'backfill', strategy: c, rows: '1000', mean_ms: String(mean), rme_pct: String(rme), ...extra });

test('compare flags a slowdown over the threshold and the noise, and nothing else', (t) => {
  const base = [row('ctid', 100, 2), row('keyset', 100, 2), row('classic', 100, 30), row('gone', 1, 1)];
  const next = [row('ctid', 130, 2), row('keyset', 105, 2), row('classic', 130, 30), row('new', 1, 1)];
  const v = Object.fromEntries(compareRuns(base, next, 0.15).map((c) => [c.strategy, c.verdict]));
  t.deepEqual(v, { ctid: 'regression', keyset: 'same', classic: 'slower', gone: 'gone', new: 'new' });
});

test("a baseline of several runs: its own spread counts as noise", (t) => {
  // The same build ran twice: 100 ms, then 125 ms. A third run at 128 ms is within that spread.
  const base = [row('ctid', 100, 1), row('ctid', 125, 1)];
  const c = compareRuns(base, [row('ctid', 128, 1)], 0.1)[0]!;
  t.is(c.baseRuns, 2);
  t.is(c.baseMs, 112.5);
  t.is(c.verdict, 'slower');
  // Against one base run the same numbers are a regression: nothing says the machine is that noisy.
  t.is(compareRuns([row('ctid', 100, 1)], [row('ctid', 128, 1)], 0.1)[0]!.verdict, 'regression');
  // Far outside the spread it is a regression again.
  t.is(compareRuns(base, [row('ctid', 200, 1)], 0.1)[0]!.verdict, 'regression');
});

test('a throttled run is another experiment: compare and the report keep it apart from the unthrottled one', (t) => {
  const free = row('ctid', 100, 1, { workers: '2' });
  const throttled = row('ctid', 300, 1, { workers: '2', max_lag_ms: '1000' });
  const c = compareRuns([free, throttled], [free, throttled], 0.1);
  t.deepEqual(
    c.map((x) => [x.policy, x.baseMs, x.verdict]),
    [
      ['workers=2', 100, 'same'],
      ['workers=2 max_lag_ms=1000', 300, 'same'],
    ],
  );
  const chart = buildCharts([{ name: 'v1', rows: [{ ...free, rows_per_sec: '10' }, { ...throttled, rows_per_sec: '3' }] }]).find((x) => x.id === 'backfill')!;
  t.deepEqual(chart.datasets.map((d) => [d.label, d.data]), [
    ['ctid', [10]],
    ['ctid max_lag_ms=1000', [3]],
  ]);
});

test('the report charts backfill rows/s per strategy and size, one dataset per file and series', (t) => {
  const a = [row('ctid', 10, 1, { rows: '1000', rows_per_sec: '100' }), row('ctid', 10, 1, { rows: '10000', rows_per_sec: '1000' })];
  const charts = buildCharts([
    { name: 'v1', rows: a },
    { name: 'v2', rows: a },
  ]);
  const backfill = charts.find((c) => c.id === 'backfill')!;
  t.deepEqual(backfill.labels, ['1000', '10000']);
  t.deepEqual(backfill.datasets.map((d) => d.label), ['v1: ctid', 'v2: ctid']);
  t.deepEqual(backfill.datasets[0]!.data, [100, 1000]);
  // Two runs of a point in one file are averaged, as compare does.
  const twice = buildCharts([{ name: 'v1', rows: [...a, row('ctid', 10, 1, { rows: '1000', rows_per_sec: '300' })] }]);
  t.deepEqual(twice.find((c) => c.id === 'backfill')!.datasets[0]!.data, [200, 1000]);
});
