/** compare and report on the command line: bad input refused, and --confirm re-measuring on a real database. */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { readCsv, type ReadRow } from '../../src/results/csv.js';
import { pgmb } from '../helpers/pgmb.js';

/** Rows read from a CSV, written back with the same columns. */
const toCsvText = (rows: ReadRow[]) => stringify(rows, { header: true, columns: Object.keys(rows[0]!) });

test('compare and report on a CSV with columns a,b exit 2 naming the missing columns; bench refuses an --out it cannot write', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-junk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const junk = join(dir, 'junk.csv');
  writeFileSync(junk, 'a,b\n1,2\n');
  for (const args of [
    ['compare', junk, junk],
    ['report', junk, '--out', join(dir, 'r.html')],
  ]) {
    const r = pgmb(args);
    t.is(r.status, 2, `${args[0]}: ${r.stderr}`);
    t.regex(r.stderr, /^pgmb: .*junk\.csv is not a pgmb bench CSV: it lacks the column\(s\) run_id, .*, mean_ms, /);
    t.is(r.stdout, '', `${args[0]} printed no verdict`);
  }
  const bench = pgmb(['bench', '--out', '/proc/nope/x.csv']);
  t.is(bench.status, 2, bench.stderr);
  t.regex(bench.stderr, /^pgmb: --out: \/proc\/nope\/x\.csv cannot be written/);
  t.notRegex(bench.stderr, /database:/, 'refused before a server was started');
});

test('compare --confirm re-measures the suspect of the checked-out build, appends its runs to NEW and decides on them; refuses a NEW from another commit', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-confirm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const next = join(dir, 'new.csv');
  const bench = pgmb(['bench', '--suite', 'ddl', '--ddl-rows', '2000', '--iterations', '2', '--no-writers', '--out', next]);
  t.is(bench.status, 0, bench.stderr);
  const measured = readCsv(next);
  // The base says alter-column-type once took a thousandth of the time: one suspect, nothing else.
  const base = join(dir, 'base.csv');
  const suspect = (r: ReadRow) => r.case === 'alter-column-type';
  writeFileSync(base, toCsvText(measured.map((r) => (suspect(r) ? { ...r, mean_ms: String(Number(r.mean_ms) / 1000) } : r))));
  const before = pgmb(['compare', base, next]);
  t.is(before.status, 0, 'one run per side: inconclusive, not a failure');
  t.regex(before.stdout, /alter-column-type .*1\/1 .*inconclusive/);
  t.regex(before.stdout, /1 inconclusive: .*--confirm/);

  const foreign = join(dir, 'foreign.csv');
  writeFileSync(foreign, toCsvText(measured.map((r) => ({ ...r, git_sha: 'deadbeef0000' }))));
  const refused = pgmb(['compare', base, foreign, '--confirm', '2']);
  t.is(refused.status, 2, refused.stderr);
  t.regex(refused.stderr, /foreign\.csv was measured at commit deadbeef0000, this checkout is /);

  const confirmed = pgmb(['compare', base, next, '--confirm', '2']);
  const after = readCsv(next);
  t.is(after.length, measured.length + 2, 'two more rows, both of the suspect');
  const added = after.slice(measured.length);
  t.true(added.every(suspect));
  t.is(new Set([...added.map((r) => r.run_id), measured[0]!.run_id]).size, 3, 'each re-measure is a run of its own');
  t.regex(confirmed.stderr, /confirm: ddl alter-column-type 2000 \(run 1 of 2\)/);
  t.regex(confirmed.stdout, /alter-column-type .*1\/3 /, 'decided on the original run and the two new ones');
  const verdict = /alter-column-type .*1\/3 .*│ (regression|inconclusive) +│/.exec(confirmed.stdout)?.[1];
  t.truthy(verdict, 'a thousandfold slowdown is never "same"');
  t.is(confirmed.status, verdict === 'regression' ? 1 : 0, confirmed.stderr);
});
