/** `pgmb clean` drops the project's leftovers but never pgmb backfill's checkpoints. */
import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { DEFAULT_BACKFILL } from '../../src/engine/index.js';
import { listProjectTables } from '../../src/fixtures/cleanup.js';
import { listScratchDatabases, SCRATCH_PREFIX, scratchAgeS, scratchInUse } from '../../src/db/scratch.js';
import { client, mayCreateDatabases, q, scalar, tableName, testUrl } from '../helpers/db.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pgmb, pgmbInBackground } from '../helpers/pgmb.js';

test('pgmb clean drops a leftover pgmb_ table and keeps the checkpoint table of pgmb backfill', async (t) => {
  const c = await client(t);
  const leftover = tableName(t, 'leftover');
  const state = DEFAULT_BACKFILL.stateTable;
  const hadState = (await listProjectTables(c)).includes(state);
  await c.query(`CREATE TABLE ${q(leftover)} (x int)`);
  await c.query(`CREATE TABLE IF NOT EXISTS ${q(state)} (x int)`);
  if (!hadState) t.teardown(() => c.query(`DROP TABLE IF EXISTS ${q(state)}`).then(() => undefined));

  const r = clean();
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`dropped \\d+ table\\(s\\): .*${leftover}`));
  t.regex(r.stdout, new RegExp(`kept ${state}`));
  const after = await listProjectTables(c);
  t.false(after.includes(leftover));
  t.true(after.includes(state));
});

/** `pgmb clean` in a process of its own, as a user runs it beside others. */
const clean = () => pgmb(['clean']);

/** A scratch database named as pgmb try names one made `ageS` seconds ago (by the server's clock). */
async function scratch(t: ExecutionContext, c: pg.Client, ageS: number): Promise<string> {
  const nowS = Math.floor(await scalar<number>(c, 'SELECT extract(epoch FROM now())::float8'));
  const name = `${SCRATCH_PREFIX}${(nowS - ageS).toString(36)}_${randomBytes(4).toString('hex')}`;
  await c.query(`CREATE DATABASE ${q(name)}`);
  t.teardown(() => c.query(`DROP DATABASE IF EXISTS ${q(name)} WITH (FORCE)`).then(() => undefined));
  return name;
}

test('scratch database names carry their age; a name without one (an earlier release) has none', (t) => {
  t.is(scratchAgeS(`${SCRATCH_PREFIX}${(1_000_000).toString(36)}_0a1b2c3d`, 1_000_300), 300);
  t.is(scratchAgeS(`${SCRATCH_PREFIX}0a1b2c3d`, 1_000_300), undefined);
  t.is(scratchInUse({ name: 'x', ageS: 600, sessions: 0 }), undefined);
  t.regex(scratchInUse({ name: 'x', ageS: 600, sessions: 2 })!, /2 session\(s\) connected/);
  t.regex(scratchInUse({ name: 'x', ageS: 10, sessions: 0 })!, /made 10 s ago/);
  t.is(scratchInUse({ name: 'x', sessions: 0 }), undefined);
});

test('pgmb clean drops a scratch database a killed pgmb try left behind, and keeps one in use or just made', async (t) => {
  const c = await client(t);
  if (!(await mayCreateDatabases(c))) {
    // Without CREATEDB no scratch database can exist, so clean finds none: that is the outcome to prove.
    const r = clean();
    t.is(r.status, 0, r.stderr);
    t.notRegex(r.stdout, /scratch database/, 'this role may not create databases: there is nothing of try to clean');
    return;
  }
  const leftover = await scratch(t, c, 3600);
  const fresh = await scratch(t, c, 10);
  const used = await scratch(t, c, 3600);
  const url = new URL(testUrl());
  url.pathname = `/${used}`;
  const session = await connect(url.toString(), 'pgmb-test-session');
  t.teardown(() => session.end().catch(() => undefined));
  const r = clean();
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`dropped 1 scratch database\\(s\\) of pgmb try: ${leftover}`));
  t.regex(r.stdout, new RegExp(`kept scratch database ${fresh}: made \\d+ s ago`));
  t.regex(r.stdout, new RegExp(`kept scratch database ${used}: 1 session\\(s\\) connected`));
  const left = (await listScratchDatabases(c)).map((d) => d.name);
  t.false(left.includes(leftover));
  t.true(left.includes(fresh) && left.includes(used));
});

test('pgmb clean beside a live pgmb try leaves its scratch database alone, and the try ends as it would have', async (t) => {
  const c = await client(t);
  const dir = tempDir(t, 'clean-try');
  writeFileSync(join(dir, '1_accounts.sql'), 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n');
  writeFileSync(join(dir, '2_index.sql'), 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n');
  const run = pgmbInBackground(['try', dir, '--sizes', '300k', '--lint', 'none']);
  if (!(await mayCreateDatabases(c))) {
    const r = await run.exited;
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /GRANT it CREATEDB/);
    return;
  }
  // Wait for the run's scratch database, then clean beside it.
  let live: string | undefined;
  for (let waited = 0; !live && waited < 60_000; waited += 100) {
    live = (await listScratchDatabases(c))[0]?.name;
    if (!live) await new Promise((r) => setTimeout(r, 100));
  }
  t.truthy(live, 'the try made its scratch database');
  const cleaned = clean();
  t.is(cleaned.status, 0, cleaned.stderr);
  t.regex(cleaned.stdout, new RegExp(`kept scratch database ${live}: `));
  const tried = await run.exited;
  t.is(tried.code, 0, tried.stderr);
  t.false(
    (await listScratchDatabases(c)).some((d) => d.name === live),
    'the try dropped its own at the end',
  );
});
