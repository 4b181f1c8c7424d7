/** The seed's TestConcurrentIndexCreation_NoWriteLocks, with a control that shows the test can fail. */
import test from 'ava';
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { createIndexSql, migrate } from '../../src/engine/index.js';
import { emailsFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, testUrl } from '../helpers/db.js';

interface Write {
  start: number;
  end: number;
  ok: boolean;
}

/** The seed's writer: an INSERT every 100 ms, each given 2 s before it counts as blocked. */
async function writeEvery100ms(table: string, until: () => boolean): Promise<Write[]> {
  const w: pg.Client = await connect(testUrl(), 'pgmb-test-writer');
  await w.query('SET statement_timeout = 2000');
  const writes: Write[] = [];
  let n = 0;
  try {
    while (!until()) {
      const start = performance.now();
      n += 1;
      const ok = await w.query(`INSERT INTO ${q(table)} (email, name) VALUES ($1, 'writer')`, [`writer-${n}-${process.pid}@example.com`]).then(
        () => true,
        () => false,
      );
      writes.push({ start, end: performance.now(), ok });
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await w.end();
  }
  return writes;
}

test('CREATE UNIQUE INDEX CONCURRENTLY over 500K rows never blocks a writer', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, emailsFixture, 500_000);
  let building = true;
  const writer = writeEvery100ms(table, () => !building);
  await new Promise((r) => setTimeout(r, 300));
  const statements: string[] = [];
  const t0 = performance.now();
  await migrate(c, [{ op: 'create-index', table: q(table), columns: ['email'], name: `${table}_email_key`, unique: true }], {
    onEvent: (e) => e.type === 'step' && statements.push(e.description),
  });
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 300));
  building = false;
  const writes = await writer;
  t.log(`build ${(t1 - t0).toFixed(0)} ms; ${writes.length} writes, slowest ${Math.max(...writes.map((w) => w.end - w.start)).toFixed(0)} ms`);
  t.true(
    writes.every((w) => w.ok),
    'no write hit the 2 s timeout',
  );
  // Behind a lock, a write that starts during the build ends only when the build ends: here some
  // must end well before it does.
  t.true(
    writes.some((w) => w.start > t0 && w.end < t1 - 100),
    'writes completed while the index was still building',
  );
  t.true(await scalar<boolean>(c, 'SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass', [q(`${table}_email_key`)]));
  const sql = createIndexSql({ table: { sql: q(table) } as never, name: 'i', columns: ['email'], unique: true });
  t.regex(sql, /^CREATE UNIQUE INDEX CONCURRENTLY /);
});

test('control: a plain CREATE INDEX held in a transaction blocks the same writer', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, emailsFixture, 50_000);
  await c.query('BEGIN');
  await c.query(`CREATE INDEX ${q(`${table}_plain`)} ON ${q(table)} (email)`);
  let holding = true;
  const writer = writeEvery100ms(table, () => !holding);
  await new Promise((r) => setTimeout(r, 2600));
  await c.query('COMMIT');
  holding = false;
  const writes = await writer;
  t.true(
    writes.some((w) => !w.ok),
    'the writer timed out behind the SHARE lock',
  );
});

test('the engine refuses to run inside a transaction block: CONCURRENTLY cannot', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, emailsFixture, 1000);
  await c.query('BEGIN');
  await t.throwsAsync(migrate(c, [{ op: 'create-index', table: q(table), columns: ['email'] }]), { message: /cannot run inside a transaction block/ });
  await c.query('ROLLBACK');
});
