/** The seed's TestPhaseFailureRecovery_BackfillResumability, plus a real SIGKILL. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/engine/index.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, stateTable, testUrl } from '../helpers/db.js';
import { backfillKilledAfter } from '../helpers/killed-backfill.js';

const BATCH = 2000;
const backfill = (table: string, value: string) => [{ op: 'backfill' as const, table: q(table), column: 'bio', value }];

test('stopped at 50%, resumed: completes, nothing redone, zero NULLs', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 100_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const state = stateTable(t);
  const crash = new Error('stop at 50%');
  await t.throwsAsync(
    migrate(c, backfill(table, 'v'), {
      backfill: { batchSize: BATCH, stateTable: state },
      onEvent: (e) => {
        if (e.type === 'backfill-progress' && e.progress.fraction >= 0.5) throw crash;
      },
    }),
    { is: crash },
  );
  const done = await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NOT NULL`);
  t.true(done >= 50_000 && done < 60_000, `${done} rows done at the stop`);
  const second = await migrate(c, backfill(table, 'v'), { backfill: { batchSize: BATCH, stateTable: state } });
  t.true(second.backfills[0]!.resumed);
  t.is(second.backfills[0]!.rowsUpdated, 100_000 - done, 'the second run filled exactly the rest');
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NULL`), 0);
});

test('a finished backfill run again changes no row', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 20_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  const state = stateTable(t);
  await migrate(c, backfill(table, 'v'), { backfill: { stateTable: state } });
  const xid = await scalar<string>(c, 'SELECT pg_current_xact_id()::text');
  const again = await migrate(c, backfill(table, 'v'), { backfill: { stateTable: state } });
  t.is(again.backfills[0]!.rowsUpdated, 0);
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE xmin::text::bigint > $1::bigint`, [xid]), 0, 'no row was rewritten');
});

test('value A then value B: every row keeps A (IS NULL never overwrites)', async (t) => {
  const c = await client(t);
  const table = await fixture(t, c, usersFixture, 20_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  for (const [value, state] of [
    ['A', stateTable(t)],
    ['B', stateTable(t)],
  ] as const) {
    await migrate(c, backfill(table, value), { backfill: { stateTable: state } });
  }
  t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'A'`), 20_000);
});

for (const [strategy, workers] of [
  ['ctid', 1],
  ['ctid', 2],
  ['keyset', 1],
] as const) {
  test(`a ${strategy} backfill with ${workers} worker(s) killed with SIGKILL at a random batch resumes, redoing at most one batch per worker`, async (t) => {
    const c = await client(t);
    const table = await fixture(t, c, usersFixture, 200_000);
    await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
    // Rows the application set before: they must survive.
    await c.query(`UPDATE ${q(table)} SET bio = 'app' WHERE name LIKE '%7'`);
    const appRows = await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'app'`);
    const state = stateTable(t);
    const killAfter = 5 + Math.floor(Math.random() * 60);
    // Vacuum off: behind the walk it frees the application's dead tuples ahead of a cursor too, and
    // filled rows' new versions landing there would look like work done ahead of the checkpoint.
    // With it on, the same invariants are checked on a partitioned table (partitioned-backfill).
    const batches = await backfillKilledAfter({ table, stateTable: state, strategy, batchSize: BATCH, delayMs: 10, workers, killAfter, vacuum: 'off' });
    const parts = (await c.query<{ cursor: { page?: number; endPage?: number; after?: string[] | null }; rows_done: number }>(`SELECT cursor, rows_done FROM ${q(state)} ORDER BY part`)).rows;
    t.is(parts.length, workers, 'a checkpoint per worker survived the kill');
    const filledBefore = await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'v'`);
    t.is(
      filledBefore,
      parts.reduce((n, p) => n + p.rows_done, 0),
      'checkpoints and data agree: they commit together',
    );
    // What the resumed run will walk again that was already done: at most one batch per part.
    for (const { cursor } of parts) {
      const ahead = strategy === 'ctid' ? `ctid >= '(${cursor.page},0)'::tid AND ctid < '(${cursor.endPage},0)'::tid` : cursor.after ? `id > '${cursor.after[0]}'::uuid` : 'true';
      const redone = await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'v' AND ${ahead}`);
      t.log(`killed after ${batches} batches; rows already done ahead of this part's checkpoint: ${redone}`);
      t.true(redone <= BATCH, `${redone} rows past the checkpoint were done already`);
    }

    const resumed = await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'v' }], {
      backfill: { strategy, batchSize: BATCH, stateTable: state, workers, vacuum: 'off' },
      connect: () => connect(testUrl()),
    });
    const r = resumed.backfills[0]!;
    t.true(r.resumed, 'the second run picked up the checkpoint');
    t.is(r.rowsUpdated, 200_000 - appRows - filledBefore, 'the second run filled only what was left');
    t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NULL`), 0);
    t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio = 'app'`), appRows, 'no application value overwritten');
  });
}
