/** `pgmb clean` drops the project's leftovers but never pgmb backfill's checkpoints. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { DEFAULT_BACKFILL } from '../../src/engine/index.js';
import { listProjectTables } from '../../src/fixtures/cleanup.js';
import { listScratchDatabases, SCRATCH_PREFIX } from '../../src/db/scratch.js';
import { client, q, tableName, testUrl } from '../helpers/db.js';

test('pgmb clean drops a leftover pgmb_ table and keeps the checkpoint table of pgmb backfill', async (t) => {
  const c = await client(t);
  const leftover = tableName(t, 'leftover');
  const state = DEFAULT_BACKFILL.stateTable;
  const hadState = (await listProjectTables(c)).includes(state);
  await c.query(`CREATE TABLE ${q(leftover)} (x int)`);
  await c.query(`CREATE TABLE IF NOT EXISTS ${q(state)} (x int)`);
  if (!hadState) t.teardown(() => c.query(`DROP TABLE IF EXISTS ${q(state)}`).then(() => undefined));

  const r = spawnSync(process.execPath, ['bin/pgmb.js', 'clean'], { env: { ...process.env, TEST_DATABASE_URL: testUrl() }, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`dropped \\d+ table\\(s\\): .*${leftover}`));
  t.regex(r.stdout, new RegExp(`kept ${state}`));
  const after = await listProjectTables(c);
  t.false(after.includes(leftover));
  t.true(after.includes(state));
});

test("pgmb clean drops a scratch database a killed pgmb try left behind", async (t) => {
  const c = await client(t);
  const name = `${SCRATCH_PREFIX}leftover`;
  await c.query(`CREATE DATABASE ${q(name)}`);
  t.teardown(() => c.query(`DROP DATABASE IF EXISTS ${q(name)}`).then(() => undefined));
  const r = spawnSync(process.execPath, ['bin/pgmb.js', 'clean'], { env: { ...process.env, TEST_DATABASE_URL: testUrl() }, encoding: 'utf8', timeout: 60_000 });
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, new RegExp(`dropped 1 scratch database\\(s\\) of pgmb try: ${name}`));
  t.deepEqual(await listScratchDatabases(c), []);
});
