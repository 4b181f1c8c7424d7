/**
 * Connections killed at random (a chaos worker's pg_terminate_backend every 1-3 s) while the product
 * works: the backfill's promise holds, try and the bench end cleanly and leave nothing behind.
 */
import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { SCRATCH_PREFIX } from '../../src/db/scratch.js';
import { listProjectTables } from '../../src/fixtures/cleanup.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { CSV_COLUMNS } from '../../src/results/row.js';
import { readCsv } from '../../src/results/csv.js';
import { startChaos } from '../helpers/chaos.js';
import { client, fixture, mayCreateDatabases, q, scalar, stateTable, testUrl } from '../helpers/db.js';
import { pgmbInBackground } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROWS = 1_000_000;

/** The last line of an output, trimmed. */
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

test('a 1M-row pgmb backfill with the application writing beside it, its connections killed every 1-3 s: exit 0, 0 NULLs, every value the application wrote kept', async (t) => {
  const c = await client(t, 'pgmb-test-app');
  const table = await fixture(t, c, usersFixture, ROWS);
  const state = stateTable(t);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const ids = (await c.query<{ id: string }>(`SELECT id FROM ${q(table)} TABLESAMPLE SYSTEM (1) LIMIT 2000`)).rows.map((r) => r.id);

  const run = pgmbInBackground([
    'backfill',
    '--table',
    table,
    '--column',
    'bio',
    '--value',
    'filled',
    '--batch-size',
    '5000',
    '--delay',
    '50ms',
    '--workers',
    '2',
    '--state-table',
    state,
    '--max-writer-p99',
    '2s',
    '--max-lag',
    '0',
  ]);
  const chaos = await startChaos(testUrl(), { applications: ['pgmb-backfill', 'pgmb-backfill-worker', 'pgmb-canary', 'pgmb-writer'] });
  // The application: its own values on rows the backfill has or has not reached yet, and new rows.
  let writing = true;
  let written = 0;
  const updated = new Set<string>();
  const app = (async () => {
    for (let i = 0; writing; i++) {
      if (i % 2) {
        const id = ids[i % ids.length]!;
        await c.query(`UPDATE ${q(table)} SET bio = 'app ' || id WHERE id = $1`, [id]);
        updated.add(id);
      } else await c.query(`INSERT INTO ${q(table)} (name, bio) VALUES ($1, 'app new')`, [`app_${i}`]);
      written += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const r = await run.exited;
  const killed = await chaos.stop();
  writing = false;
  await app;
  t.log(`${killed.length} backends killed (${killed.join(', ')}); the application wrote ${written} times`);
  t.log(
    r.stderr
      .split('\n')
      .filter((l) => /connection lost|reconnected/.test(l))
      .slice(0, 6)
      .join('\n'),
  );
  t.is(r.code, EXIT.ok, r.stderr);
  t.true(killed.length >= 3, 'the run was killed again and again');
  t.regex(r.stdout, /; 0 NULLs left \(counted\)$/m);
  t.true(updated.size > 100, `the application updated ${updated.size} rows`);
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(table)} WHERE bio IS NULL`), 0, 'no row left NULL');
  t.is(
    await scalar(c, `SELECT count(*)::int FROM ${q(table)} WHERE id = ANY($1::uuid[]) AND bio IS DISTINCT FROM 'app ' || id`, [[...updated]]),
    0,
    "every row the application updated keeps the application's value",
  );
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(table)} WHERE name LIKE 'app\\_%' AND bio IS DISTINCT FROM 'app new'`), 0, "every row the application inserted keeps the application's value");
  t.false(
    (await listProjectTables(c)).some((name) => name.includes('canary')),
    'no canary table left',
  );
});

test('pgmb try with its connections killed: exit 3 or 1 with one line, no scratch database left', async (t) => {
  const c = await client(t);
  const dir = tempDir(t, 'try-chaos');
  writeFileSync(join(dir, '1_accounts.sql'), 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n');
  writeFileSync(join(dir, '2_index.sql'), 'CREATE INDEX accounts_email ON accounts (email);\n');
  const run = pgmbInBackground(['try', dir, '--sizes', '300k,1m', '--lint', 'none', '--long-query', '0']);
  if (!(await mayCreateDatabases(c))) {
    // Without CREATEDB there is nothing to kill: the refusal is the outcome, before any SQL of the migration.
    const r = await run.exited;
    t.is(r.code, EXIT.usage, r.stderr);
    t.regex(lastLine(r.stderr), /GRANT it CREATEDB .* or give --scratch-url/);
    return;
  }
  const chaos = await startChaos(testUrl(), { applications: ['pgmb-try', 'pgmb-observer'], databasePrefix: SCRATCH_PREFIX });
  const r = await run.exited;
  const killed = await chaos.stop();
  t.log(`${killed.length} backends killed (${killed.join(', ')}); exit ${r.code}: ${lastLine(r.stderr)}`);
  t.true(killed.length >= 1, 'a connection of the run was killed');
  t.true(r.code === EXIT.database || r.code === EXIT.failure, `exit ${r.code}: ${r.stderr}`);
  t.regex(lastLine(r.stderr), /^pgmb: .*(terminat|connection)/i, 'one line saying the connection was lost');
  t.false(/\n\s+at /.test(r.stderr), 'no stack trace');
  t.is(await scalar(c, 'SELECT count(*)::int FROM pg_database WHERE left(datname, length($1)) = $1', [SCRATCH_PREFIX]), 0, 'no scratch database left');
});

test('a bench run with its connections killed: the case fails with one line, the CSV holds whole rows only, no table left', async (t) => {
  const c = await client(t);
  const dir = tempDir(t, 'bench-chaos');
  const out = join(dir, 'run.csv');
  const before = new Set(await listProjectTables(c));
  const run = pgmbInBackground(['bench', '--suite', 'setup,backfill', '--sizes', '100k', '--iterations', '2', '--partitions', '0', '--out', out]);
  const chaos = await startChaos(testUrl(), { applications: ['pgmb-bench', 'pgmb-bench-worker', 'pgmb-writer'], minMs: 2000, maxMs: 4000 });
  const r = await run.exited;
  const killed = await chaos.stop();
  t.log(`${killed.length} backends killed (${killed.join(', ')}); exit ${r.code}: ${lastLine(r.stderr)}`);
  t.true(killed.length >= 1);
  t.true(r.code === EXIT.database || r.code === EXIT.failure, `exit ${r.code}: ${r.stderr}`);
  t.regex(lastLine(r.stderr), /^pgmb: /, `one line: ${r.stderr}`);
  t.false(/\n\s+at /.test(r.stderr), 'no stack trace');
  // What was measured before the kill is kept, whole: every row parses with every column.
  if (existsSync(out)) for (const row of readCsv(out)) t.deepEqual(Object.keys(row), [...CSV_COLUMNS]);
  const left = (await listProjectTables(c)).filter((name) => !before.has(name));
  t.deepEqual(left, [], 'the bench dropped its tables');
});
