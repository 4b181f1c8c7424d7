/**
 * Issue 15's premise, checked on this machine: its own walk (ctid page ranges of ~5,000 rows, one
 * session, no writers, no engine) with a VACUUM (INDEX_CLEANUP OFF) after every 5 batches, against
 * the same walk without. Three rounds of each, alternating, on 1M rows of the seed's table; per run
 * the walk's time and the heap's size after it over before. Run it under the launcher:
 *   tsx src/cli/with-database.ts [--pg 15] -- tsx scripts/vacuum-premise.ts
 */
import pg from 'pg';
import { loadTable } from '../src/fixtures/copy-loader.js';
import { usersFixture } from '../src/fixtures/table-fixtures.js';

const url = process.env.TEST_DATABASE_URL!;
const c = new pg.Client(url);
await c.connect();
for (const round of [1, 2, 3]) {
  for (const mode of round % 2 ? ['off', 'every5'] : ['every5', 'off']) {
    await c.query('DROP TABLE IF EXISTS pgmb_vacuum_premise');
    await loadTable(c, 'pgmb_vacuum_premise', usersFixture, 1_000_000, { primaryKey: 'after' });
    await c.query('VACUUM (ANALYZE) pgmb_vacuum_premise');
    await c.query('ALTER TABLE pgmb_vacuum_premise ADD COLUMN extra text');
    await c.query('CHECKPOINT');
    const pages = Number((await c.query("SELECT pg_relation_size('pgmb_vacuum_premise') / 8192 AS p")).rows[0].p);
    const before = Number((await c.query("SELECT pg_relation_size('pgmb_vacuum_premise') AS b")).rows[0].b);
    // ~5,000 rows: the seed's rows fit about 136 to a page.
    const per = 37;
    const t0 = performance.now();
    let batch = 0;
    for (let p = 0; p < pages; p += per) {
      await c.query(`UPDATE pgmb_vacuum_premise SET extra = 'value-0123456789' WHERE ctid >= '(${p},0)'::tid AND ctid < '(${p + per},0)'::tid AND extra IS NULL`);
      batch += 1;
      if (mode === 'every5' && batch % 5 === 0) await c.query('VACUUM (INDEX_CLEANUP OFF, TRUNCATE false) pgmb_vacuum_premise');
    }
    const ms = performance.now() - t0;
    const size = async () => Number((await c.query("SELECT pg_relation_size('pgmb_vacuum_premise') AS b")).rows[0].b);
    const after = await size();
    // The floor: the same rows rewritten compactly, outside the timed walk.
    await c.query('VACUUM FULL pgmb_vacuum_premise');
    const compact = await size();
    console.log(`${mode}: ${ms.toFixed(0)} ms, ${batch} batches, heap ${(after / before).toFixed(2)}x its size before, ${(after / compact).toFixed(2)}x compact`);
  }
}
await c.query('DROP TABLE IF EXISTS pgmb_vacuum_premise');
await c.end();
