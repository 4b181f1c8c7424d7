/** compare and report refuse a file that is not a pgmb CSV: exit 2, naming what it lacks. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pgmb = (args: string[]) => spawnSync(process.execPath, ['bin/pgmb.js', ...args], { encoding: 'utf8', timeout: 60_000 });

test('compare and report on a CSV with columns a,b exit 2 naming the missing columns; bench refuses an --out it cannot write', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-junk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const junk = join(dir, 'junk.csv');
  writeFileSync(junk, 'a,b\n1,2\n');
  for (const args of [['compare', junk, junk], ['report', junk, '--out', join(dir, 'r.html')]]) {
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
