/** CREATE INDEX on a partitioned table the online way: ON ONLY, each partition CONCURRENTLY, attached. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { InputError, migrate } from '../../src/engine/index.js';
import { partitionIndexName } from '../../src/engine/partitioned-index.js';
import { client, q, scalar, testUrl } from '../helpers/db.js';
import { partitionedTree } from '../helpers/trees.js';

/** Every index of the tree under the root index, and whether each is valid. */
async function indexTree(c: Awaited<ReturnType<typeof client>>, index: string): Promise<{ name: string; valid: boolean }[]> {
  const { rows } = await c.query<{ name: string; valid: boolean }>(
    `WITH RECURSIVE t(oid) AS (SELECT $1::regclass::oid UNION SELECT i.inhrelid FROM pg_inherits i JOIN t ON i.inhparent = t.oid)
     SELECT c.relname AS name, x.indisvalid AS valid FROM t JOIN pg_class c ON c.oid = t.oid JOIN pg_index x ON x.indexrelid = t.oid ORDER BY 1`,
    [q(index)],
  );
  return rows;
}

test('an index on a 3-level partitioned table: valid on every partition, and writers through the parent never wait 200 ms', async (t) => {
  const c = await client(t);
  const { root } = await partitionedTree(t, c, 300_000);
  const w = await connect(testUrl(), 'pgmb-test-writer');
  t.teardown(() => w.end());
  let running = true;
  const latencies: number[] = [];
  const writer = (async () => {
    for (let n = 0; running; n++) {
      const t0 = performance.now();
      await w.query(`INSERT INTO ${q(root)} (id, k, sub, name) VALUES ($1, $2, $3, 'w')`, [10_000_000 + n, n % 25, n % 3]);
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await migrate(c, [{ op: 'create-index', table: q(root), columns: ['name'], name: `${root}_name_idx` }]);
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200));
  running = false;
  await writer;
  const worst = Math.max(...latencies);
  t.log(`build ${ms.toFixed(0)} ms; ${latencies.length} writes, worst ${worst.toFixed(1)} ms`);
  const tree = await indexTree(c, `${root}_name_idx`);
  t.is(tree.length, 1 + 1 + 5, 'the root, the partitioned level under it and the five leaves: an index each');
  t.true(
    tree.every((i) => i.valid),
    JSON.stringify(tree),
  );
  t.true(worst < 200, `worst write ${worst.toFixed(1)} ms`);
  const plan = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) SELECT * FROM ${q(root)} WHERE name = 'user_5'`)).rows.map((r) => r['QUERY PLAN']).join('\n');
  t.regex(plan, /Index|Bitmap/, 'the planner uses it');
});

test('a failed partition build (an invalid index left on one leaf) is recovered by a rerun', async (t) => {
  const c = await client(t);
  const { root, leaves } = await partitionedTree(t, c, 30_000);
  const name = `${root}_n_idx`;
  // What a build cancelled or failed on leaf b leaves: our name on that leaf, INVALID.
  const leafB = leaves[3]!;
  const broken = partitionIndexName(name, await scalar(c, 'SELECT $1::regclass::oid::int', [q(leafB)]));
  await t.throwsAsync(c.query(`CREATE UNIQUE INDEX CONCURRENTLY ${q(broken)} ON ${q(leafB)} (k)`), { message: /could not create unique index/ });
  t.false(await scalar<boolean>(c, 'SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass', [q(broken)]));
  const events: string[] = [];
  await migrate(c, [{ op: 'create-index', table: q(root), columns: ['name'], name }], { onEvent: (e) => e.type === 'index-invalid-dropped' && events.push(e.index) });
  t.deepEqual(events, [broken], 'the invalid leftover was dropped and rebuilt');
  const tree = await indexTree(c, name);
  t.is(tree.length, 7);
  t.true(tree.every((i) => i.valid));
  // Run again: everything is there, nothing to do.
  await migrate(c, [{ op: 'create-index', table: q(root), columns: ['name'], name }]);
  t.is((await indexTree(c, name)).length, 7);
});

test('a unique index on a partitioned table without its partition key is refused before anything runs', async (t) => {
  const c = await client(t);
  const { root } = await partitionedTree(t, c, 100);
  const err = await t.throwsAsync(migrate(c, [{ op: 'create-index', table: q(root), columns: ['id'], unique: true }]), { instanceOf: InputError });
  t.regex(err!.message, /must include its partition key.*"k"/);
  t.is(await scalar(c, `SELECT count(*)::int FROM pg_indexes WHERE indexname LIKE $1`, [`${root}_id%`]), 0);
});
