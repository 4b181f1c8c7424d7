/** A batch is the size asked for, on tables whose rows are not spread evenly over their pages. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/engine/index.js';
import { copyRows } from '../../src/fixtures/copy-loader.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, q, scalar, stateTable, tableName, testUrl } from '../helpers/db.js';

const BATCH = 5000;
const LOADED = 1_500_000;

/**
 * ~1M live rows: the first 20% of the pages emptied (purged, then vacuumed: retention on an event
 * table), the middle third half dead tuples (deleted, not yet vacuumed), the rest dense.
 */
async function skewedTable(t: Parameters<typeof tableName>[0], c: Awaited<ReturnType<typeof client>>): Promise<string> {
  const table = tableName(t, 'skew');
  await c.query(`CREATE TABLE ${q(table)} (id uuid NOT NULL DEFAULT gen_random_uuid(), name text NOT NULL, created_at timestamptz DEFAULT now(), bio text) WITH (autovacuum_enabled = off)`);
  await copyRows(c, table, usersFixture, LOADED);
  const pages = await scalar(c, `SELECT (pg_relation_size($1::regclass) / 8192)::int`, [q(table)]);
  await c.query(`DELETE FROM ${q(table)} WHERE ctid < $1::tid`, [`(${Math.floor(pages * 0.2)},0)`]);
  await c.query(`VACUUM ${q(table)}`);
  await c.query(`DELETE FROM ${q(table)} WHERE ctid >= $1::tid AND ctid < $2::tid AND (substr(name, 6)::int % 2) = 0`, [`(${Math.floor(pages / 3)},0)`, `(${Math.floor((pages * 2) / 3)},0)`]);
  await c.query(`ANALYZE ${q(table)}`);
  return table;
}

for (const workers of [1, 2]) {
  test(`ctid with ${workers} worker(s) on a 1M-row table with an empty first 20% and a half-dead middle third: no batch over 1.5x the batch size`, async (t) => {
    const c = await client(t);
    const table = await skewedTable(t, c);
    const live = await scalar(c, `SELECT count(*)::int FROM ${q(table)}`);
    const sizes: number[] = [];
    let last = 0;
    const result = await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'v' }], {
      backfill: { batchSize: BATCH, workers, stateTable: stateTable(t) },
      connect: () => connect(testUrl()),
      onEvent: (e) => {
        if (e.type !== 'backfill-progress' || e.progress.stage === 'done') return;
        sizes.push(e.progress.rowsDone - last);
        last = e.progress.rowsDone;
      },
    });
    const r = result.backfills[0]!;
    t.log(`${live} live rows, ${r.batches} batches, largest ${r.largestBatch} rows, ${r.ms.toFixed(0)} ms`);
    t.is(r.rowsUpdated, live);
    t.is(r.nullsLeft, 0);
    t.true(r.largestBatch <= BATCH * 1.5, `largest batch ${r.largestBatch}`);
    if (workers === 1) t.true(Math.max(...sizes) <= BATCH * 1.5, 'every batch seen in progress is within 1.5x');
    // Not a walk of tiny batches either: most of the rows went in batches near the size asked for.
    t.true(r.batches <= (live / BATCH) * 1.6 + 50, `${r.batches} batches for ${live} rows`);
  });
}
