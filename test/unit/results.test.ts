import test from 'ava';
import { parse } from 'csv-parse/sync';
import { compareRuns, failures } from '../../src/results/compare.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendCsv, appendProblem, readCsv, toCsv, type ReadRow } from '../../src/results/csv.js';
import { buildCharts, MAX_SERIES, type ChartSpec } from '../../src/results/charts.js';
import { steps } from '../../src/results/history.js';
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
  t.deepEqual(
    rows.map((r) => [r.mean_ms, r.standby_query_ms]),
    [
      ['5', undefined],
      ['7', '10000'],
    ],
  );

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

const row = (c: string, mean: number, rme: number, extra: Partial<ReadRow> = {}): ReadRow => ({
  suite: 'backfill',
  case: 'backfill',
  strategy: c,
  rows: '1000',
  mean_ms: String(mean),
  rme_pct: String(rme),
  ...extra,
});

const run = (id: string, rows: ReadRow[]) => rows.map((r) => ({ ...r, run_id: id }));

test('one run per side: time beyond the threshold is inconclusive, never a regression; within it, same', (t) => {
  const base = [row('ctid', 100, 2), row('keyset', 100, 2), row('gone', 1, 1)];
  const next = [row('ctid', 160, 2), row('keyset', 105, 2), row('new', 1, 1)];
  const v = compareRuns(base, next, { threshold: 0.15 });
  t.deepEqual(Object.fromEntries(v.cases.map((c) => [c.strategy, c.verdict])), { ctid: 'inconclusive', keyset: 'same', gone: 'gone', new: 'new' });
  t.is(v.cases[0]!.noise, undefined, 'no side has two runs: the noise is unknown');
  t.deepEqual(failures(v).time, []);
  t.is(failures(v).inconclusive, 1);
});

test("runs are the samples: a t-test over whole runs decides, a side with one run borrows the other side's spread", (t) => {
  const base = [...run('a', [row('ctid', 100, 1)]), ...run('b', [row('ctid', 102, 1)]), ...run('c', [row('ctid', 98, 1)])];
  const slower = compareRuns(base, run('n', [row('ctid', 130, 1)]), { threshold: 0.15 }).cases[0]!;
  t.is(slower.baseRuns, 3);
  t.is(slower.baseMs, 100);
  t.is(slower.verdict, 'regression');
  t.true(slower.noise! > 0 && slower.noise! < 0.3, 'the bound on the change is known and smaller than it');
  t.is(compareRuns(base, run('n', [row('ctid', 70, 1)]), { threshold: 0.15 }).cases[0]!.verdict, 'faster');
  // The same build ran at 100 and 125 ms: a third run at 128 ms is nothing the spread rules out.
  const noisy = [...run('a', [row('ctid', 100, 1)]), ...run('b', [row('ctid', 125, 1)])];
  t.is(compareRuns(noisy, run('n', [row('ctid', 128, 1)]), { threshold: 0.1 }).cases[0]!.verdict, 'inconclusive');
  // Iterations inside one run are not runs: two rows of one run_id are one sample.
  t.is(compareRuns(run('a', [row('ctid', 100, 1), row('ctid', 101, 1)]), run('n', [row('ctid', 130, 1)])).cases[0]!.baseRuns, 1);
});

const work = (rows: number, blocks: number, walRecords = rows): Partial<ReadRow> => ({
  work_rows: String(rows),
  work_blks_hit: String(blocks),
  work_blks_read: '0',
  work_wal_records: String(walRecords),
  work_wal_bytes: String(walRecords * 100),
});

test('work counters: a rise beyond the work threshold is "more work" from one run per side; small absolute moves are not judged', (t) => {
  const base = [row('keyset', 100, 1, work(100_000, 600_000)), row('ctid', 100, 1, work(100_000, 600_000)), row('ddl', 5, 1, work(0, 50, 10))];
  const next = [row('keyset', 104, 1, work(150_000, 700_000)), row('ctid', 99, 1, work(101_000, 610_000)), row('ddl', 5, 1, work(0, 90, 20))];
  const v = compareRuns(base, next);
  const by = Object.fromEntries(v.cases.map((c) => [c.strategy, c]));
  t.is(by.keyset!.work!.verdict, 'more work');
  t.is(by.keyset!.work!.counter, 'rows', 'the counter that moved most is named');
  t.is(by.keyset!.verdict, 'same', 'time and work are separate verdicts');
  t.is(by.ctid!.work!.verdict, 'same work');
  t.is(by.ddl!.work!.verdict, 'same work', '+40 blocks and +10 WAL records are under the floors');
  t.deepEqual(
    failures(v).work.map((c) => c.strategy),
    ['keyset'],
  );
  t.is(compareRuns([row('x', 1, 1)], [row('x', 1, 1)]).cases[0]!.work, undefined, 'no counters, no work verdict');
});

test('complexity: a case made quadratic is flagged by its slope, by work from one run or by time over runs', (t) => {
  const at = (id: string, ms10k: number, ms100k: number, w?: [number, number]) =>
    run(id, [row('keyset', ms10k, 1, { rows: '10000', ...(w ? work(10_000, w[0]) : {}) }), row('keyset', ms100k, 1, { rows: '100000', ...(w ? work(100_000, w[1]) : {}) })]);
  const linear = at('a', 10, 100, [1000, 10_000]);
  // 100k took 10x longer than linear: slope 1 -> 2. The last size alone moved 10x, but by time
  // alone and one run per side that is inconclusive; the work counters grew the same way: complexity.
  const quadratic = at('n', 10, 1000, [1000, 100_000]);
  const v = compareRuns(linear, quadratic).complexity[0]!;
  t.is(Math.round(v.baseSlope * 100) / 100, 1);
  t.is(Math.round(v.newSlope * 100) / 100, 2);
  t.like(v, { verdict: 'complexity', confirmedBy: 'work' });
  t.is(compareRuns(at('a', 10, 100), at('n', 10, 1000)).complexity[0]!.verdict, 'inconclusive');
  // Whole runs move together on a noisy machine (here by 2x), so the largest size's time is within
  // its noise, while each run's slope is steady: the slope rose by 0.2 in every run.
  const base = [...at('a', 10, 100), ...at('b', 14, 140), ...at('c', 7, 70)];
  const next = [...at('x', 10, 160), ...at('y', 14, 225), ...at('z', 7, 112)];
  t.is(compareRuns(base, next).cases.find((c) => c.rows === '100000')!.verdict, 'inconclusive');
  t.like(compareRuns(base, next).complexity[0], { verdict: 'complexity', confirmedBy: 'time' });
  t.is(compareRuns(base, base).complexity[0]!.verdict, 'same');
});

test('a throttled run is another experiment: compare and the report keep it apart from the unthrottled one', (t) => {
  const free = row('ctid', 100, 1, { workers: '2' });
  const throttled = row('ctid', 300, 1, { workers: '2', max_lag_ms: '1000' });
  const c = compareRuns([free, throttled], [free, throttled], { threshold: 0.1 }).cases;
  t.deepEqual(
    c.map((x) => [x.policy, x.baseMs, x.verdict]),
    [
      ['workers=2', 100, 'same'],
      ['workers=2 max_lag_ms=1000', 300, 'same'],
    ],
  );
  const charts = buildCharts([
    {
      name: 'v1',
      rows: [
        { ...free, rows_per_sec: '10' },
        { ...throttled, rows_per_sec: '3' },
      ],
    },
  ]).filter((x) => x.id.startsWith('backfill-size'));
  t.deepEqual(
    charts.map((c) => [c.title, c.datasets.map((d) => d.data)]),
    [
      ['ctid', [[{ x: 1000, y: 10 }]]],
      ['ctid max_lag_ms=1000', [[{ x: 1000, y: 3 }]]],
    ],
  );
});

test('the report charts backfill rows/s over a log size axis, a chart per strategy: a release keeps its colour in every chart, the layout is the line style', (t) => {
  const a = [
    row('ctid', 10, 1, { rows: '1000', rows_per_sec: '100' }),
    row('ctid', 10, 1, { rows: '10000', rows_per_sec: '1000' }),
    row('ctid', 10, 1, { rows: '1000', rows_per_sec: '80', partitions: '8' }),
    row('keyset', 10, 1, { rows: '1000', rows_per_sec: '50' }),
  ];
  const charts = buildCharts([
    { name: 'v1', rows: a },
    { name: 'v2', rows: a },
  ]).filter((c) => c.id.startsWith('backfill-size'));
  t.deepEqual(
    charts.map((c) => c.title),
    ['ctid', 'keyset'],
  );
  const [ctid, keyset] = charts as [ChartSpec, ChartSpec];
  t.is(ctid.xScale, 'logarithmic');
  t.deepEqual(
    ctid.datasets.map((d) => d.label),
    ['v1 plain table', 'v1 8 partitions', 'v2 plain table', 'v2 8 partitions'],
  );
  t.deepEqual(ctid.datasets[0]!.data, [
    { x: 1000, y: 100 },
    { x: 10000, y: 1000 },
  ]);
  t.is(ctid.datasets[2]!.color, keyset.datasets[1]!.color, 'v2 has one colour in every chart');
  t.not(ctid.datasets[0]!.color, ctid.datasets[2]!.color, 'each release its own');
  t.deepEqual(ctid.datasets[2]!.dash, [], 'the plain table is solid');
  t.notDeepEqual(ctid.datasets[3]!.dash, [], 'a partitioned one dashed');
  // Two runs of a point in one file are averaged, as compare does.
  const twice = buildCharts([{ name: 'v1', rows: [...a, row('ctid', 10, 1, { rows: '1000', rows_per_sec: '300' })] }]);
  t.deepEqual(twice.find((c) => c.id === 'backfill-size-0')!.datasets[0]!.data, [
    { x: 1000, y: 200 },
    { x: 10000, y: 1000 },
  ]);
});

test('no chart has more than MAX_SERIES lines: one with more is cut into parts; a trend keeps one colour per name across layouts', (t) => {
  const strategies = Array.from({ length: 11 }, (_, i) => `s${i}`);
  const rows = (name: string) => strategies.flatMap((s) => [row(s, 10, 1, { run_id: name }), row(s, 10, 1, { run_id: name, partitions: '8' })]);
  const charts = buildCharts([
    { name: 'v1', rows: rows('v1') },
    { name: 'v2', rows: rows('v2') },
  ]);
  t.true(charts.every((c) => c.datasets.length <= MAX_SERIES));
  const trends = charts.filter((c) => c.id.startsWith('trend-backfill'));
  t.deepEqual(
    trends.map((c) => [c.title, c.datasets.length]),
    [
      ['plain table, 1,000 rows (part 1 of 2)', 8],
      ['plain table, 1,000 rows (part 2 of 2)', 3],
      ['8 partitions, 1,000 rows (part 1 of 2)', 8],
      ['8 partitions, 1,000 rows (part 2 of 2)', 3],
    ],
  );
  t.is(trends[0]!.datasets[0]!.color, trends[2]!.datasets[0]!.color, 's0 has one colour on both layouts');
});

test("the report charts the worst write and the worst read of each case; a CSV without the readers' columns has no readers chart", (t) => {
  const old = row('ctid', 10, 1, { writer_max_ms: '40' });
  const now = row('ctid', 10, 1, { writer_max_ms: '40', reader_max_ms: '3' });
  const ids = (rows: ReadRow[]) => buildCharts([{ name: 'v1', rows }]).map((c) => c.id);
  t.deepEqual(ids([old]), ['writers-0']);
  t.deepEqual(ids([now]), ['writers-0', 'readers-0']);
  const readers = buildCharts([{ name: 'v1', rows: [now] }]).find((c) => c.id === 'readers-0')!;
  t.is(readers.yTitle, 'reader max ms');
  t.is(readers.title, 'backfill on the plain table');
  t.deepEqual(readers.labels, ['ctid, 1k']);
  t.deepEqual(readers.datasets[0]!.data, [3]);
});

test('history: each release against the one before; the step is marked at the release where it happened', (t) => {
  const release = (name: string, keysetRows: number) => ({
    name,
    rows: [row('ctid', 100, 1, { run_id: name, ...work(100_000, 600_000) }), row('keyset', 100, 1, { run_id: name, ...work(keysetRows, 600_000) })],
  });
  const releases = [release('v1', 100_000), release('v2', 150_000), release('v3', 150_000)];
  const history = steps(releases);
  t.deepEqual(
    history.map((s) => [s.from, s.to, s.moreWork.length]),
    [
      ['v1', 'v2', 1],
      ['v2', 'v3', 0],
    ],
  );
  const trend = buildCharts(releases, history).find((c) => c.id === 'trend-backfill-plain-table')!;
  t.deepEqual(trend.labels, ['v1', 'v2', 'v3']);
  const keyset = trend.datasets.find((d) => d.label.includes('keyset'))!;
  t.deepEqual(keyset.steps, [false, true, false]);
  t.deepEqual(trend.datasets.find((d) => d.label.includes('ctid'))!.steps, [false, false, false]);
});
