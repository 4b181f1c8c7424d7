/** Vacuum behind the walk: the table stays compact, the vacuum never blocks or queues, the results are the same. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { migrate, type BackfillResult } from '../../src/engine/index.js';
import type { VacuumPolicy } from '../../src/engine/backfill/vacuum-behind.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, stateTable, testUrl } from '../helpers/db.js';

type C = Awaited<ReturnType<typeof client>>;
const bytes = (c: C, table: string) => scalar<number>(c, 'SELECT pg_table_size($1::regclass)::float8', [q(table)]);

async function backfill(
  t: Parameters<typeof client>[0],
  c: C,
  table: string,
  vacuum: VacuumPolicy,
  withConnect = true,
  lockTimeoutMs = 2000,
  batch = { batchSize: 2000, workers: 1 },
): Promise<BackfillResult> {
  const r = await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'backfilled value' }], {
    lockTimeoutMs,
    backfill: { ...batch, stateTable: stateTable(t), vacuum },
    connect: withConnect ? () => connect(testUrl()) : undefined,
  });
  return r.backfills[0]!;
}

test('at 100K rows, batches of 5,000 and 2 workers (the defaults): with vacuum behind the walk the table ends within 1.15x of its compact size, batches kept to a 50th of the table; without, it nearly doubles', async (t) => {
  const c = await client(t);
  const growth: Record<string, number> = {};
  for (const vacuum of ['auto', 'off'] as const) {
    const table = await fixture(t, c, usersFixture, 100_000);
    await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
    await c.query(`VACUUM ANALYZE ${q(table)}`);
    const r = await backfill(t, c, table, vacuum, true, 2000, { batchSize: 5000, workers: 2 });
    t.is(r.nullsLeft, 0);
    // ctid cuts a range at 1.25x what it asked for: 2,000 rows (100K / 50) asked with vacuum, 5,000 without.
    t.true(r.largestBatch <= (vacuum === 'auto' ? 2000 : 5000) * 1.25, `largest batch ${r.largestBatch}`);
    const after = await bytes(c, table);
    await c.query(`VACUUM FULL ${q(table)}`);
    growth[vacuum] = after / (await bytes(c, table));
    t.log(`vacuum ${vacuum}: ${r.vacuums} rounds (${r.vacuumMs.toFixed(0)} ms), largest batch ${r.largestBatch}, growth ${growth[vacuum]!.toFixed(2)}x the compact size`);
    if (vacuum === 'auto') t.true(r.vacuums > 0);
    else t.is(r.vacuums, 0);
  }
  t.true(growth.auto! <= 1.15, `with vacuum: ${growth.auto}`);
  t.true(growth.off! > 1.5, `without: ${growth.off} (the comparison shows the vacuum is what keeps it compact)`);
});

test('the vacuum never queues: with its lock held elsewhere, rounds are skipped and the backfill goes on; never inside a batch transaction', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 60_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  // SHARE UPDATE EXCLUSIVE, as autovacuum or CREATE INDEX CONCURRENTLY hold it: batches (ROW
  // EXCLUSIVE) go on beside it, a VACUUM would have to wait.
  const holder = await connect(testUrl(), 'pgmb-test-holder');
  t.teardown(() => holder.end());
  await holder.query('BEGIN');
  await holder.query(`LOCK TABLE ${q(table)} IN SHARE UPDATE EXCLUSIVE MODE`);
  const t0 = performance.now();
  const held = await backfill(t, c, table, 2, true, 200);
  const ms = performance.now() - t0;
  await holder.query('COMMIT');
  t.log(`with the lock held: ${held.vacuums} rounds, ${held.vacuumsSkipped} skipped, backfill ${ms.toFixed(0)} ms`);
  t.is(held.vacuums, 0);
  t.true(held.vacuumsSkipped > 0, 'rounds were due and skipped');
  t.is(held.nullsLeft, 0);
  // Without a connection of its own the vacuum runs on the worker's, between two batches: VACUUM
  // refuses to run in a transaction block, so completing proves it ran outside every batch's.
  const inline = await fixture(t, c, usersFixture, 60_000);
  await c.query(`ALTER TABLE ${q(inline)} ADD COLUMN bio text`);
  await c.query('SET lock_timeout = 12345');
  const r = await backfill(t, c, inline, 2, false);
  t.true(r.vacuums > 0);
  t.is(r.nullsLeft, 0);
  t.is(await scalar<string>(c, "SELECT current_setting('lock_timeout')"), '12345ms', "the caller's session setting is put back");
});
