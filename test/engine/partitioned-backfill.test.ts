/** Backfills of partitioned tables and inheritance trees: every leaf filled, counted, resumable. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { IncompleteBackfillError, InputError, migrate, type BackfillResult } from '../../src/engine/index.js';
import { client, q, scalar, stateTable, testUrl } from '../helpers/db.js';
import { backfillKilledAfter } from '../helpers/killed-backfill.js';
import { inheritanceTree, nullsPer, partitionedTree } from '../helpers/trees.js';

const ROWS = 60_000;
const fill = (table: string) => [{ op: 'backfill' as const, table: q(table), column: 'bio', value: 'v' }];
const zeroes = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

for (const [strategy, workers] of [
  ['ctid', 1],
  ['ctid', 2],
  ['keyset', 2],
  ['classic', 1],
] as const) {
  test(`3-level partitioned table with default partitions, ${strategy} with ${workers} worker(s): every leaf filled, application values kept, 0 NULLs counted`, async (t) => {
    const c = await client(t);
    const { root, leaves } = await partitionedTree(t, c, ROWS);
    await c.query(`UPDATE ${q(root)} SET bio = 'app' WHERE id % 7 = 0`);
    const appRows = await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio = 'app'`);
    const result = await migrate(c, fill(root), {
      backfill: { strategy, workers, batchSize: 2000, stateTable: stateTable(t) },
      connect: () => connect(testUrl()),
    });
    const r = result.backfills[0]!;
    t.is(r.relations, 5, 'five leaves walked');
    t.is(r.nullsLeft, 0);
    t.is(r.rowsUpdated, ROWS - appRows);
    t.deepEqual(await nullsPer(c, leaves), zeroes(leaves));
    t.is(await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio = 'app'`), appRows, 'no application value overwritten');
    t.true(r.largestBatch <= 2000 * 1.5, `largest batch ${r.largestBatch}`);
  });
}

test('inheritance tree (parent 20K rows, wider child 60K, grandchild): every member filled on its own pages', async (t) => {
  const c = await client(t);
  const { root, members } = await inheritanceTree(t, c, 20_000, 60_000);
  const result = await migrate(c, fill(root), { backfill: { batchSize: 5000, stateTable: stateTable(t) } });
  t.is(result.backfills[0]!.relations, 3);
  t.is(result.backfills[0]!.rowsUpdated, 81_000);
  t.deepEqual(await nullsPer(c, members), zeroes(members));
});

test('keyset on an inheritance tree whose child has no primary key is refused, naming the child', async (t) => {
  const c = await client(t);
  const { root, members } = await inheritanceTree(t, c, 100, 100);
  await t.throwsAsync(migrate(c, fill(root), { backfill: { strategy: 'keyset', stateTable: stateTable(t) } }), {
    message: new RegExp(`${members[1]}.*has no primary key`),
  });
});

test('a partition created while the backfill runs is filled by the sweep or reported', async (t) => {
  const c = await client(t);
  const { root } = await partitionedTree(t, c, ROWS);
  const late = `${root}_late`;
  const other = await connect(testUrl(), 'pgmb-test-ddl');
  t.teardown(() => other.end());
  let creating: Promise<unknown> | undefined;
  const result = await migrate(c, fill(root), {
    backfill: { batchSize: 2000, delayMs: 20, stateTable: stateTable(t) },
    onEvent: (e) => {
      if (e.type !== 'backfill-progress' || e.progress.fraction < 0.3 || creating) return;
      creating = (async () => {
        await other.query(`CREATE TABLE ${q(late)} PARTITION OF ${q(root)} FOR VALUES FROM (100) TO (110)`);
        await other.query(`INSERT INTO ${q(root)} (id, k, sub, name) SELECT g, 100 + g % 10, 0, 'late' FROM generate_series(1, 3000) g`);
      })();
    },
  });
  await creating;
  const r = result.backfills[0]!;
  const leftInLate = await scalar(c, `SELECT count(*)::int FROM ${q(late)} WHERE bio IS NULL`);
  t.log(`late partition: ${leftInLate} NULL rows, reported late: ${r.lateRelations.join(', ') || 'no'}`);
  t.true(leftInLate === 0 || r.lateRelations.includes(q(late)), 'filled, or named as joined after the sweep began');
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio IS NULL AND name <> 'late'`), 0);
});

test('a trigger that sets the column back to NULL: the backfill fails with the count, never reports done', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 6_000);
  const b = q(leaves[3]!);
  await c.query(`CREATE FUNCTION ${q(`${leaves[3]}_fn`)}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.bio := NULL; RETURN NEW; END $$`);
  await c.query(`CREATE TRIGGER undo BEFORE UPDATE ON ${b} FOR EACH ROW EXECUTE FUNCTION ${q(`${leaves[3]}_fn`)}()`);
  t.teardown(() => c.query(`DROP FUNCTION IF EXISTS ${q(`${leaves[3]}_fn`)}() CASCADE`).then(() => undefined));
  const inB = await scalar(c, `SELECT count(*)::int FROM ${b}`);
  const err = await t.throwsAsync(migrate(c, fill(root), { backfill: { batchSize: 500, stateTable: stateTable(t) } }), { instanceOf: IncompleteBackfillError });
  t.deepEqual(err!.nullsByRelation, [{ relation: `${q('public')}.${b}`, nulls: inB }], 'the leaf and its exact count');
  t.regex(err!.message, new RegExp(`${inB} row\\(s\\).*still NULL`));
});

test('a partitioned backfill with 2 workers killed with SIGKILL resumes from its per-leaf checkpoints: 0 NULLs, application values kept', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 200_000);
  await c.query(`UPDATE ${q(root)} SET bio = 'app' WHERE id % 11 = 0`);
  const appRows = await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio = 'app'`);
  const state = stateTable(t);
  const killAfter = 5 + Math.floor(Math.random() * 30);
  await backfillKilledAfter({ table: root, stateTable: state, strategy: 'ctid', batchSize: 2000, delayMs: 10, workers: 2, killAfter });
  const parts = (await c.query<{ leaf: number; rows_done: number }>(`SELECT (cursor->>'leaf')::int AS leaf, rows_done FROM ${q(state)}`)).rows;
  t.true(new Set(parts.map((p) => p.leaf)).size === 5, 'a checkpoint per leaf');
  const filled = await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio = 'v'`);
  t.is(
    filled,
    parts.reduce((n, p) => n + p.rows_done, 0),
    'checkpoints and data agree',
  );
  const resumed = await migrate(c, fill(root), { backfill: { batchSize: 2000, stateTable: state, workers: 2 }, connect: () => connect(testUrl()) });
  const r: BackfillResult = resumed.backfills[0]!;
  t.true(r.resumed);
  t.is(r.rowsUpdated, 200_000 - appRows - filled, 'the second run filled only what was left');
  t.deepEqual(await nullsPer(c, leaves), zeroes(leaves));
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(root)} WHERE bio = 'app'`), appRows);
});

test('add a column to a partitioned table, fill it, set NOT NULL the safe way: every leaf NOT NULL, no check left', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 30_000);
  const result = await migrate(c, [{ op: 'add-column', table: q(root), column: 'tier', type: 'text', backfill: 'basic', notNull: true }], {
    backfill: { stateTable: stateTable(t) },
  });
  t.deepEqual(
    result.phases.map((p) => p.name),
    ['ddl', 'data', 'validate'],
  );
  const notNull = await c.query<{ relname: string; attnotnull: boolean }>(
    `SELECT c.relname, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE a.attname = 'tier' AND c.relname LIKE $1 ORDER BY 1`,
    [`${root}%`],
  );
  t.is(notNull.rows.length, 1 + 1 + leaves.length);
  t.true(
    notNull.rows.every((r) => r.attnotnull),
    JSON.stringify(notNull.rows),
  );
  t.is(await scalar(c, `SELECT count(*)::int FROM pg_constraint WHERE conname LIKE 'pgmb_nn_%' AND conrelid::regclass::text LIKE $1`, [`${root}%`]), 0);
});

test('a backfill of a partition key column is refused before anything runs: it would move rows between partitions', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 100);
  const err = await t.throwsAsync(migrate(c, [{ op: 'backfill', table: q(root), column: 'sub', value: '1' }], { backfill: { stateTable: stateTable(t) } }), {
    instanceOf: InputError,
  });
  t.is((err as InputError).code, 'PARTITION_KEY');
  t.regex(err!.message, new RegExp(`column "sub" is in the partition key of "public"\\."${leaves[0]!.replace(/_a0$/, '_a')}"`));
});
