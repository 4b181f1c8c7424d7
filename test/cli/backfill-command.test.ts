/** `pgmb backfill` on a table of the user's, as a script runs it: a real process, exit codes, stdout. */
import test from 'ava';
import { seesReplicationStats } from '../../src/engine/index.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { listProjectTables } from '../../src/fixtures/cleanup.js';
import { client, fixture, q, scalar, stateTable } from '../helpers/db.js';
import { nullsPer, partitionedTree } from '../helpers/trees.js';
import { pgmb, pgmbInBackground } from '../helpers/pgmb.js';

const pgmbBackfill = (args: string[]) => pgmb(['backfill', ...args]);

const canaries = async (c: Parameters<typeof listProjectTables>[0]) => (await listProjectTables(c)).filter((n) => n.startsWith('pgmb_canary'));

test('pgmb backfill with two workers and both health limits (lag where the role may read it) fills every row, reruns as a no-op, and drops its canary', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 50_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  // Asked for by name, --max-lag needs pg_read_all_stats (an ordinary role is refused: tested in ordinary-role).
  const lag = (await seesReplicationStats(c)) ? ['--max-lag', '1.5s'] : ['--max-lag', '0'];
  const args = ['--table', table, '--column', 'bio', '--value', 'hello', '--workers', '2', ...lag, '--max-writer-p99', '2s', '--state-table', stateTable(t)];

  const first = pgmbBackfill(args);
  t.is(first.status, 0, first.stderr);
  t.regex(first.stdout, /^50000 rows updated in [\d.]+ s, \d+ batches \(largest \d+ rows\), 2 worker\(s\); 0 NULLs left \(counted\)$/m);
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

test('pgmb backfill of a partitioned table fills every leaf and says how many it walked', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 30_000);
  const r = pgmbBackfill(['--table', root, '--column', 'bio', '--value', 'x', '--workers', '2', '--state-table', stateTable(t)]);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^30000 rows updated .*, 5 leaves; 0 NULLs left \(counted\)$/m);
  t.deepEqual(Object.values(await nullsPer(c, leaves)), [0, 0, 0, 0, 0]);
});

test('pgmb backfill that cannot fill every row (a trigger undoes it) exits 1 naming the leaf and the count, with no success line', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 5_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  await c.query(`CREATE FUNCTION ${q(`${table}_fn`)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.name LIKE '%3' THEN NEW.bio := NULL; END IF; RETURN NEW; END $$`);
  await c.query(`CREATE TRIGGER undo BEFORE UPDATE ON ${q(table)} FOR EACH ROW EXECUTE FUNCTION ${q(`${table}_fn`)}()`);
  t.teardown(() => c.query(`DROP FUNCTION IF EXISTS ${q(`${table}_fn`)}() CASCADE`).then(() => undefined));
  const r = pgmbBackfill(['--table', table, '--column', 'bio', '--value', 'x', '--state-table', stateTable(t)]);
  t.is(r.status, 1, r.stderr);
  t.is(r.stdout, '', 'no result line on stdout');
  t.regex(r.stderr, new RegExp(`^pgmb: backfill of "public"\\."${table}"\\."bio" is not done: 500 row\\(s\\) .* still NULL \\("public"\\."${table}": 500\\)`, 'm'));
});

test('operator mistakes exit 2 with one line each: a view, a materialized view, a sequence, a column or table in the wrong case', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 100);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN "Bio" text`);
  const view = `${table}_v`;
  const matview = `${table}_mv`;
  const seq = `${table}_seq`;
  const upper = `${table}_Upper`;
  await c.query(`CREATE VIEW ${q(view)} AS SELECT * FROM ${q(table)}`);
  await c.query(`CREATE MATERIALIZED VIEW ${q(matview)} AS SELECT * FROM ${q(table)}`);
  await c.query(`CREATE SEQUENCE ${q(seq)}`);
  await c.query(`CREATE TABLE ${q(upper)} (id int PRIMARY KEY, bio text)`);
  t.teardown(() =>
    c.query(`DROP VIEW IF EXISTS ${q(view)}; DROP MATERIALIZED VIEW IF EXISTS ${q(matview)}; DROP SEQUENCE IF EXISTS ${q(seq)}; DROP TABLE IF EXISTS ${q(upper)}`).then(() => undefined),
  );
  const cases: [string[], RegExp][] = [
    [['--table', view, '--column', 'bio'], new RegExp(`^pgmb: "${view}" is a view; this needs a table`, 'm')],
    [['--table', matview, '--column', 'bio'], new RegExp(`^pgmb: "${matview}" is a materialized view; this needs a table`, 'm')],
    [['--table', seq, '--column', 'bio'], new RegExp(`^pgmb: "${seq}" is a sequence; this needs a table`, 'm')],
    [['--table', table, '--column', 'Bio'], /^pgmb: column bio does not exist in table .*; a column "Bio" exists: .*double-quoted, e\.g\. '"Bio"'/m],
    [['--table', upper, '--column', 'bio'], new RegExp(`^pgmb: table "${upper.toLowerCase()}" does not exist; a table "${upper}" exists: .*double-quoted, e\\.g\\. '"${upper}"'`, 'm')],
  ];
  for (const [args, message] of cases) {
    const r = pgmbBackfill([...args, '--value', 'x', '--state-table', stateTable(t)]);
    t.is(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    t.regex(r.stderr, message);
    t.is(r.stderr.split('\n').filter((l) => l.startsWith('pgmb:')).length, 1, `one line: ${r.stderr}`);
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('a second pgmb backfill of the same column is told who runs the first (exit 1); with --wait it queues behind it', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 40_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const state = stateTable(t);
  const args = ['--table', table, '--column', 'bio', '--value', 'x', '--state-table', state];
  const first = pgmbInBackground(['backfill', ...args, '--batch-size', '1000', '--delay', '60ms']);
  // Until the first holds the lock: its first progress line.
  await first.saying(/backfill .* main:/);
  const second = pgmbBackfill(args);
  t.is(second.status, 1, second.stderr);
  t.regex(second.stderr, /^pgmb: another backfill of .*"bio" is running \(server pid \d+, application pgmb-backfill.*\); wait for it, or pass --wait/m);
  const queued = pgmbBackfill([...args, '--wait']);
  t.is((await first.exited).code, 0);
  t.is(queued.status, 0, queued.stderr);
  t.regex(queued.stderr, /waiting: another backfill of this column is running/);
  t.regex(queued.stdout, /^0 rows updated/, 'it ran after the first had filled everything');
});
