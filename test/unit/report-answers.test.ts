/** The report's first words, built from rows: what to use, what changed, what is unsafe. */
import test from 'ava';
import { answersOf, whatChanged, whatIsUnsafe } from '../../src/results/answers.js';
import { chooseBackfill } from '../../src/results/backfill-choice.js';
import { chartTable } from '../../src/results/chart-table.js';
import type { ReadRow } from '../../src/results/csv.js';
import { steps } from '../../src/results/history.js';
import { namer, shortReleaseNames } from '../../src/results/names.js';
import { harmsOf } from '../../src/results/writer-harm.js';

/** A backfill row at 1,000 rows: its time, the writers' worst wait (baseline p99 2 ms) and the table's growth. */
const backfill = (strategy: string, ms: number, waitMs: number, growth: number, extra: Partial<ReadRow> = {}): ReadRow => ({
  run_id: 'r',
  suite: 'backfill',
  case: 'backfill',
  strategy,
  rows: '1000',
  mean_ms: String(ms),
  writer_max_ms: String(waitMs),
  writer_baseline_p99_ms: '2',
  growth: String(growth),
  ...(strategy === 'single-update' ? {} : { vacuum: 'auto' }),
  ...extra,
});

const release = (name: string, ctidWaitMs: number) => ({
  name,
  rows: [
    backfill('single-update', 1000, 1000, 1.8, { writer_blocked: '3' }),
    backfill('ctid', 800, ctidWaitMs, 1.1),
    backfill('ctid', 600, 20, 1.8, { vacuum: 'off' }),
    backfill('keyset', 1200, 15, 1.05),
  ],
});

test('what to use: the fastest backfill that harmed no writer and left the table compact, against one UPDATE; the faster ones named with their cost', (t) => {
  const [choice] = chooseBackfill(release('v1', 18).rows);
  t.is(choice!.use!.name, 'ctid with vacuum behind it');
  t.deepEqual(
    choice!.fasterAtACost.map((o) => o.name),
    ['ctid without vacuum'],
  );
  t.deepEqual(answersOf([release('v1', 18)], []).use, [
    "On the plain table (1,000 rows), use ctid with vacuum behind it to backfill: 0.80x one UPDATE's time, writers' worst wait 18 ms, table 1.10x compact. Faster, at a cost: ctid without vacuum (0.60x one UPDATE's time, writers' worst wait 20 ms, table 1.80x compact): table over 1.25x compact.",
  ]);
});

test('what to use, when every batched backfill harmed the writers: said plainly, the options still named', (t) => {
  const rows = [backfill('ctid', 800, 300, 1.1), backfill('keyset', 900, 400, 1.1)];
  t.deepEqual(answersOf([{ name: 'v1', rows }], []).use, [
    "On the plain table (1,000 rows), no batched backfill left the writers unharmed and the table within 1.25x compact. Each at a cost: ctid with vacuum behind it (800 ms, writers' worst wait 300 ms, table 1.10x compact): slowed writers; keyset with vacuum behind it (900 ms, writers' worst wait 400 ms, table 1.10x compact): slowed writers.",
  ]);
});

test('what changed: one release says it has nothing to compare; two say what compare found, which writer verdict moved, and whether the choice moved', (t) => {
  t.deepEqual(whatChanged([release('v1', 18)], []), ['One release only (v1): nothing to compare it with.']);
  const releases = [release('v1', 18), release('v2', 300)];
  const changed = whatChanged(releases, steps(releases));
  t.deepEqual(changed, [
    'Since v1, compare found no time regression, no more work and no steeper growth; the median case took 1.00x its time in v1.',
    'Beside the writers, 1 verdict moved: ctid with vacuum behind it on the plain table: no harm seen → slowed writers (worst wait 300 ms).',
    'What to use on the plain table changed: keyset with vacuum behind it, where v1 said ctid with vacuum behind it.',
  ]);
});

test('what is unsafe: each operation that blocked the writers, from which size and its worst wait; those that slowed them in one sentence', (t) => {
  const rows = [
    backfill('single-update', 100, 2000, 1.8, { rows: '1000' }),
    backfill('single-update', 900, 9000, 1.8, { rows: '10000' }),
    backfill('ctid', 80, 10, 1.1, { rows: '1000' }),
    backfill('ctid', 800, 150, 1.1, { rows: '10000', partitions: '4' }),
  ];
  t.deepEqual(whatIsUnsafe({ name: 'v1', rows }), [
    'One UPDATE on the plain table blocked writers from 1,000 rows (worst wait 9.0 s at 10,000 rows).',
    'Slowed writers: ctid with vacuum behind it on 4 partitions (worst wait 150 ms at 10,000 rows).',
  ]);
  t.deepEqual(whatIsUnsafe({ name: 'v1', rows: rows.slice(2, 3) }), ['No operation blocked the writers in v1.']);
  t.is(harmsOf([{ ...rows[0]!, suite: 'setup' }]).length, 0, 'setup has no writers to harm');
});

test('names: two batch sizes of one strategy are told apart; release names lose what they all share', (t) => {
  const rows = [backfill('ctid', 1, 1, 1, { batch_size: '1000' }), backfill('ctid', 1, 1, 1, { batch_size: '5000' }), backfill('keyset', 1, 1, 1, { batch_size: '1000' })];
  const name = namer(rows);
  t.deepEqual(rows.map(name), ['ctid with vacuum behind it batch_size=1000', 'ctid with vacuum behind it batch_size=5000', 'keyset with vacuum behind it']);
  t.deepEqual(shortReleaseNames(['baseline-0.3.0', 'baseline-0.4.0']), ['0.3.0', '0.4.0']);
  t.deepEqual(shortReleaseNames(['v0.1.0', 'v0.2.0']), ['v0.1.0', 'v0.2.0']);
  t.deepEqual(shortReleaseNames(['only']), ['only']);
});

test("a chart's table view: a row per x, a column per line, empty where a line has no point", (t) => {
  const table = chartTable({
    id: 'x',
    group: 'g',
    title: '',
    type: 'line',
    xTitle: 'rows',
    yTitle: 'rows/s',
    xScale: 'logarithmic',
    datasets: [
      { label: 'v1', data: [{ x: 1000, y: 1234.5 }], color: '#000', dash: [] },
      { label: 'v2 <b>', data: [{ x: 10_000, y: 2.345 }], color: '#000', dash: [] },
    ],
  });
  t.is(
    table,
    '<table class="numbers"><caption>rows/s</caption><tr><th>rows</th><th>v1</th><th>v2 &lt;b&gt;</th></tr>\n<tr><td>1,000</td><td class="num">1,235</td><td class="num"></td></tr>\n<tr><td>10,000</td><td class="num"></td><td class="num">2.35</td></tr></table>',
  );
});
