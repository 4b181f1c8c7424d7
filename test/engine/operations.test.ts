/** The engine's operations on a real server: names, phases, locks, strategies. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { LockTimeoutError, NoPrimaryKeyError, generateBatchedUpdate, migrate } from '../../src/engine/index.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, stateTable, tableName, testUrl } from '../helpers/db.js';

test('hostile but real names work: spaces, mixed case, quotes, a semicolon, a schema', async (t) => {
  const c = await client(t);
  const schema = tableName(t, 'schema');
  await c.query(`CREATE SCHEMA ${q(schema)}`);
  t.teardown(async () => {
    const cc = await connect(testUrl());
    await cc.query(`DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`).finally(() => cc.end());
  });
  for (const name of ['user data', 'Order', 'x; DROP TABLE y; --', 'we"ird']) {
    const full = `${q(schema)}.${q(name)}`;
    await c.query(`CREATE TABLE ${full} (id int PRIMARY KEY, "Bio" text)`);
    await c.query(`INSERT INTO ${full} SELECT g FROM generate_series(1, 500) g`);
    await migrate(
      c,
      [
        { op: 'backfill', table: full, column: '"Bio"', value: "it's" },
        { op: 'rename-column', table: full, column: '"Bio"', to: '"My Bio"' },
        { op: 'create-index', table: full, columns: ['"My Bio"'], name: `"${name.replaceAll('"', '""')} idx"` },
        { op: 'set-not-null', table: full, column: '"My Bio"' },
      ],
      { backfill: { strategy: 'keyset', batchSize: 100, stateTable: stateTable(t) } },
    );
    t.is(await scalar(c, `SELECT count(*) FROM ${full} WHERE "My Bio" = 'it''s'`), 500, name);
  }
  t.is(await scalar(c, "SELECT count(*) FROM pg_class WHERE relname = 'y'"), 0);
});

test('phases run DDL -> Index -> Data -> Validate whatever the order of operations', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 5000);
  const phases: string[] = [];
  await migrate(
    c,
    [
      { op: 'set-not-null', table: q(table), column: 'created_at' },
      { op: 'add-column', table: q(table), column: 'score', type: 'integer', backfill: '7', notNull: true },
      { op: 'create-index', table: q(table), columns: ['score'] },
      { op: 'drop-column', table: q(table), column: 'name' },
    ],
    { backfill: { stateTable: stateTable(t) }, onEvent: (e) => e.type === 'phase-start' && phases.push(e.phase) },
  );
  t.deepEqual(phases, ['ddl', 'index', 'data', 'validate']);
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE score = 7`), 5000);
  t.is(await scalar(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attname IN ('score', 'created_at') AND attnotnull", [q(table)]), 2);
  t.is(await scalar(c, "SELECT count(*) FROM pg_constraint WHERE conrelid = $1::regclass AND conname LIKE 'pgmb_nn_%'", [q(table)]), 0, 'the helper check is gone');
});

test('a migration whose DDL committed can be run again and finishes', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 3000);
  const spec = [{ op: 'add-column' as const, table: q(table), column: 'bio', type: 'text', backfill: 'b', notNull: true }];
  // First run dies in the Data phase.
  await t.throwsAsync(
    migrate(c, spec, {
      backfill: { stateTable: stateTable(t), batchSize: 500 },
      onEvent: (e) => {
        if (e.type === 'backfill-progress') throw new Error('crash');
      },
    }),
  );
  const steps: string[] = [];
  await migrate(c, spec, { backfill: { stateTable: stateTable(t) }, onEvent: (e) => e.type === 'step' && e.skip && steps.push(e.skip) });
  t.true(steps.some((s) => s.includes('exists already')));
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'b'`), 3000);
});

test('with reportLocks each DDL transaction tells the locks it held before COMMIT: the safe NOT NULL scans under SHARE UPDATE EXCLUSIVE and sets it under ACCESS EXCLUSIVE', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 2000);
  const held: { description: string; modes: string[] }[] = [];
  await migrate(c, [{ op: 'set-not-null', table: q(table), column: 'created_at' }], { reportLocks: true, onEvent: (e) => e.type === 'ddl-locks' && held.push(e) });
  t.deepEqual(
    held.map((h) => [h.description.split(' on ')[0], h.modes.includes('AccessExclusiveLock') ? 'AccessExclusiveLock' : h.modes.join(',')]),
    [
      ['add NOT VALID check', 'AccessExclusiveLock'],
      ['validate check', 'ShareUpdateExclusiveLock'],
      ['set NOT NULL', 'AccessExclusiveLock'],
    ],
  );
});

test('DDL waits at most lock_timeout, retries with backoff, then fails clearly', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 100);
  const blocker = await connect(testUrl());
  t.teardown(() => blocker.end());
  await blocker.query('BEGIN');
  await blocker.query(`SELECT count(*) FROM ${q(table)}`); // ACCESS SHARE held: ALTER TABLE must wait
  const retries: number[] = [];
  const err = await t.throwsAsync(
    migrate(c, [{ op: 'add-column', table: q(table), column: 'x', type: 'text' }], {
      lockTimeoutMs: 100,
      maxAttempts: 3,
      onEvent: (e) => e.type === 'ddl-retry' && retries.push(e.attempt),
    }),
    { instanceOf: LockTimeoutError },
  );
  t.deepEqual(retries, [1, 2]);
  t.regex(err!.message, /could not get the lock within 100 ms, 3 attempts/);
  // The blocker ends during the retries: the DDL then goes through.
  setTimeout(() => void blocker.query('COMMIT'), 300);
  await migrate(c, [{ op: 'add-column', table: q(table), column: 'x', type: 'text' }], { lockTimeoutMs: 100, maxAttempts: 8 });
  t.is(await scalar(c, "SELECT count(*) FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'x'", [q(table)]), 1);
});

test('keyset walks a composite key; ctid needs no key; keyset and classic refuse a keyless table', async (t) => {
  const c = await client(t);
  const composite = tableName(t, 'composite');
  await c.query(`CREATE TABLE ${q(composite)} (a int, b text, bio text, PRIMARY KEY (a, b))`);
  await c.query(`INSERT INTO ${q(composite)} SELECT g % 100, 'k' || g, NULL FROM generate_series(1, 20000) g`);
  const r = await migrate(c, [{ op: 'backfill', table: q(composite), column: 'bio', value: 'v' }], { backfill: { strategy: 'keyset', batchSize: 777, stateTable: stateTable(t) } });
  t.is(await scalar(c, `SELECT count(*) FROM ${q(composite)} WHERE bio = 'v'`), 20000);
  t.is(r.backfills[0]!.batches, Math.ceil(20000 / 777));

  const keyless = tableName(t, 'keyless');
  await c.query(`CREATE TABLE ${q(keyless)} AS SELECT g AS n, NULL::text AS bio FROM generate_series(1, 5000) g`);
  await migrate(c, [{ op: 'backfill', table: q(keyless), column: 'bio', value: 'v' }], { backfill: { strategy: 'ctid', stateTable: stateTable(t) } });
  t.is(await scalar(c, `SELECT count(*) FROM ${q(keyless)} WHERE bio IS NULL`), 0);
  for (const strategy of ['keyset', 'classic'] as const) {
    await t.throwsAsync(migrate(c, [{ op: 'backfill', table: q(keyless), column: 'bio', value: 'v' }], { backfill: { strategy, stateTable: stateTable(t) } }), {
      instanceOf: NoPrimaryKeyError,
    });
  }
});

test('a target batch duration adapts the batch size', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 200_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const sizes = new Set<number>();
  await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'v' }], {
    backfill: { batchSize: 500, targetBatchMs: 200, stateTable: stateTable(t) },
    onEvent: (e) => e.type === 'backfill-progress' && sizes.add(e.progress.batchSize),
  });
  t.true(sizes.size > 2, `batch sizes seen: ${[...sizes].join(', ')}`);
  t.true(Math.max(...sizes) > 500);
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NULL`), 0);
});

test("the seed's DO block runs in PostgreSQL as generated, committing per batch", async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 12_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  await c.query(`UPDATE ${q(table)} SET bio = 'app' WHERE name = 'user_5'`);
  const notices: string[] = [];
  c.on('notice', (n) => notices.push(n.message ?? ''));
  const xid = await scalar<string>(c, 'SELECT pg_current_xact_id()::text');
  await c.query(generateBatchedUpdate(q(table), 'bio', "it's", '', { batchSize: 5000, sleepSeconds: 0 }));
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NULL`), 0);
  t.is(await scalar<string>(c, `SELECT bio FROM ${q(table)} WHERE name = 'user_5'`), 'app');
  t.is(await scalar(c, `SELECT count(DISTINCT xmin::text) FROM ${q(table)} WHERE xmin::text::bigint > $1::bigint`, [xid]), 3, 'three batches, three transactions');
  t.is(notices.filter((n) => n.startsWith('backfill')).length, 3);
});
