/**
 * The capture proxy (try --command) on a real server: every byte passed on, each statement
 * recorded with its text, bound parameters, answer and transaction status.
 */
import test from 'ava';
import pg from 'pg';
import { WireProxy, type WireStatement } from '../../src/db/wire-proxy.js';
import { tableName, testUrl } from '../helpers/db.js';

const shown = (s: WireStatement) => ({ sql: s.sql, params: s.params, tag: s.tag, code: s.error?.code, before: s.statusBefore, after: s.statusAfter });

test('simple and extended queries, a pipelined parse-bind-execute, a transaction and an error: each recorded in order, the client answered as by the server itself', async (t) => {
  const table = tableName(t, 'proxy');
  const started: string[] = [];
  const proxy = await WireProxy.start(testUrl(), { beforeStatement: async (s) => void started.push(s.sql) });
  t.teardown(() => proxy.close());
  // node-postgres sends Parse, Bind, Describe, Execute and Sync in one write: several messages in one chunk.
  const c = new pg.Client(proxy.url);
  await c.connect();
  await c.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
  await c.query('BEGIN');
  const inserted = await c.query(`INSERT INTO ${table} VALUES ($1, $2), ($3, $4) RETURNING id`, [1, 'a', 2, null]);
  await c.query('COMMIT');
  const several = await c.query(`SELECT 1 AS one; SELECT count(*)::int AS n FROM ${table}`);
  const refused = await c.query('SELECT * FROM no_such_table_here').catch((e: { code?: string }) => e.code);
  const read = await c.query(`SELECT v FROM ${table} WHERE id = $1`, [1]);
  // node-postgres binds a Buffer in binary: recorded as the bytea text the server reads back.
  const bytes = await c.query('SELECT $1::bytea AS b', [Buffer.from([1, 2])]);
  await c.end();

  t.deepEqual(inserted.rows, [{ id: 1 }, { id: 2 }]);
  t.deepEqual((several as unknown as pg.QueryResult[])[1]!.rows, [{ n: 2 }]);
  t.is(refused, '42P01');
  t.deepEqual(read.rows, [{ v: 'a' }]);
  t.deepEqual(bytes.rows, [{ b: Buffer.from([1, 2]) }]);
  const recorded = proxy.statements();
  t.deepEqual(recorded.map(shown), [
    { sql: `CREATE TABLE ${table} (id int PRIMARY KEY, v text)`, params: [], tag: 'CREATE TABLE', code: undefined, before: 'I', after: 'I' },
    { sql: 'BEGIN', params: [], tag: 'BEGIN', code: undefined, before: 'I', after: 'T' },
    { sql: `INSERT INTO ${table} VALUES ($1, $2), ($3, $4) RETURNING id`, params: ['1', 'a', '2', null], tag: 'INSERT 0 2', code: undefined, before: 'T', after: 'T' },
    { sql: 'COMMIT', params: [], tag: 'COMMIT', code: undefined, before: 'T', after: 'I' },
    // Two statements sent as one query: one record, done at ReadyForQuery, its last tag.
    { sql: `SELECT 1 AS one; SELECT count(*)::int AS n FROM ${table}`, params: [], tag: 'SELECT 1', code: undefined, before: 'I', after: 'I' },
    { sql: 'SELECT * FROM no_such_table_here', params: [], tag: undefined, code: '42P01', before: 'I', after: 'I' },
    { sql: `SELECT v FROM ${table} WHERE id = $1`, params: ['1'], tag: 'SELECT 1', code: undefined, before: 'I', after: 'I' },
    { sql: 'SELECT $1::bytea AS b', params: ['\\x0102'], tag: 'SELECT 1', code: undefined, before: 'I', after: 'I' },
  ]);
  t.deepEqual(
    started,
    recorded.map((s) => s.sql),
  );
  const pids = new Set(recorded.map((s) => s.pid));
  t.is(pids.size, 1);
  t.true([...pids][0]! > 0);
  t.true(recorded.every((s) => s.endedAt >= s.startedAt));
});

test('a statement is held at the proxy while beforeStatement runs, and its answer while afterStatement runs: a measurement fits around it', async (t) => {
  const events: string[] = [];
  const proxy = await WireProxy.start(testUrl(), {
    beforeStatement: async (s) => {
      events.push(`before ${s.sql}`);
      await new Promise((r) => setTimeout(r, 50));
    },
    afterStatement: async (s) => {
      events.push(`after ${s.sql}`);
      await new Promise((r) => setTimeout(r, 50));
    },
  });
  t.teardown(() => proxy.close());
  const c = new pg.Client(proxy.url);
  await c.connect();
  const t0 = performance.now();
  await c.query('SELECT pg_sleep(0)');
  events.push('answered');
  const elapsed = performance.now() - t0;
  await c.end();
  t.deepEqual(events, ['before SELECT pg_sleep(0)', 'after SELECT pg_sleep(0)', 'answered']);
  t.true(elapsed >= 100, `${elapsed} ms`);
  // The statement's own time excludes the hooks'.
  t.true(proxy.statements()[0]!.endedAt - proxy.statements()[0]!.startedAt < elapsed - 90);
});
