import test from 'ava';
import { summary } from '../../bench/summary.js';
import { toRow, type CaseFigures, type RunMetadata } from '../../src/results/row.js';

const meta: RunMetadata = { run_id: 'r', started_at: '', git_sha: '', pkg_version: '', pg_version: '17', pg_settings: '' };
const row = (f: CaseFigures) => toRow(meta, f);

test('the bench summary leads with headlines, then one line per case grouped by suite, no rule between rows', (t) => {
  const rows = [
    row({ suite: 'backfill', case: 'backfill', strategy: 'single-update', rows: 10_000, mean_ms: 100, writer_max_ms: 5, writer_baseline_p99_ms: 2 }),
    row({ suite: 'backfill', case: 'backfill', strategy: 'ctid', vacuum: 'auto', rows: 10_000, mean_ms: 150, writer_max_ms: 5, writer_baseline_p99_ms: 2, growth: 1.1, nulls_left: 0 }),
    row({ suite: 'index', case: 'create-index', rows: 10_000, mean_ms: 50, writer_max_ms: 48, writer_baseline_p99_ms: 2, lock_mode: 'ShareLock', reader_max_ms: 3 }),
    row({ suite: 'index', case: 'create-index-concurrently', rows: 10_000, mean_ms: 80, writer_max_ms: 4, writer_baseline_p99_ms: 2 }),
  ];
  const text = summary(rows);
  const lines = text.split('\n');
  t.is(lines[0], 'speed');
  t.is(lines[1], '  backfill, 10,000 rows: one UPDATE 100.0 ms; batched, as a multiple of its time: ctid vacuum=auto 1.50x');
  t.true(lines.includes('  BLOCKED writers (whole operation):'));
  t.true(lines.includes('    index create-index: worst write 48 ms'));
  t.true(lines.includes('  no harm seen: 3 operation(s)'));
  t.regex(text, /^ {4}ctid vacuum=auto +10,000 +150\.0 .*1\.10x +0 *$/m);
  t.regex(text, /^ {2}index *$/m, 'cases are grouped under their suite');
  t.regex(text, /writer max ms +reader max ms/);
  t.regex(text, /^ {4}create-index +10,000 +50\.0 .*ShareLock +48\.0 +3\.0 *$/m, "the readers' worst read beside the writers' worst write");
  t.notRegex(text, /[├┼─]/, 'no rules between rows');
  t.true(lines.length <= 5 + 2 + 1 + rows.length + 2, `${lines.length} lines`);
});

test('a blocked operation names why its worst write waited, and says so when it was outside the migration', (t) => {
  const text = summary([
    row({
      suite: 'backfill',
      case: 'backfill',
      strategy: 'ctid',
      vacuum: 'auto',
      partitions: 8,
      rows: 10_000,
      mean_ms: 900,
      writer_max_ms: 1263,
      writer_blocked: 2,
      writer_max_cause: 'outside: waited on IO/WALSync during a checkpoint',
    }),
    row({
      suite: 'index',
      case: 'create-index',
      rows: 10_000,
      mean_ms: 1500,
      writer_max_ms: 1400,
      writer_blocked: 1,
      writer_max_cause: 'migration: waited on Lock/relation behind pgmb-bench (CREATE INDEX ...)',
    }),
  ]);
  t.regex(text, /^ {4}backfill ctid vacuum=auto 8 partitions: worst write 1263 ms, outside the migration: waited on IO\/WALSync during a checkpoint$/m);
  t.regex(text, /^ {4}index create-index: worst write 1400 ms, caused by the migration: waited on Lock\/relation behind pgmb-bench/m);
});
