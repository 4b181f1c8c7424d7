/** `pgmb backfill` on a table of the user's, as a script runs it: a real process, exit codes, stdout. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { usersShape } from '../../src/fixtures/shapes.js';
import { listProjectTables } from '../../src/fixtures/cleanup.js';
import { client, fixture, q, scalar, stateTable, testUrl } from '../helpers/db.js';

function pgmbBackfill(args: string[]) {
  return spawnSync(process.execPath, ['bin/pgmb.js', 'backfill', ...args], {
    env: { ...process.env, TEST_DATABASE_URL: testUrl() },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

const canaries = async (c: Parameters<typeof listProjectTables>[0]) => (await listProjectTables(c)).filter((n) => n.startsWith('pgmb_canary'));

test('pgmb backfill with two workers and both health limits fills every row, reruns as a no-op, and drops its canary', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersShape, 50_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const args = ['--table', table, '--column', 'bio', '--value', 'hello', '--workers', '2', '--max-lag', '1.5s', '--max-writer-p99', '2s', '--state-table', stateTable(t)];

  const first = pgmbBackfill(args);
  t.is(first.status, 0, first.stderr);
  t.regex(first.stdout, /^50000 rows updated in [\d.]+ s, \d+ batches, 2 worker\(s\)/);
  t.regex(first.stderr, /canary: timing writes on table pgmb_canary_/, 'the canary ran');
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(table)} WHERE bio IS DISTINCT FROM 'hello'`), 0);
  t.deepEqual(await canaries(c), [], 'the canary table is dropped');

  const again = pgmbBackfill(args);
  t.is(again.status, 0, again.stderr);
  t.regex(again.stdout, /^0 rows updated/);
});

test('pgmb backfill on a table that does not exist exits 2 before any SQL: no canary, no state table', async (t) => {
  const c = await client(t);
  const state = stateTable(t);
  const r = pgmbBackfill(['--table', 'pgmb_no_such_table', '--column', 'bio', '--value', 'x', '--max-writer-p99', '1s', '--state-table', state]);
  t.is(r.status, 2, r.stderr);
  t.regex(r.stderr, /pgmb_no_such_table/);
  t.deepEqual(await canaries(c), []);
  t.false((await listProjectTables(c)).includes(state));
});
