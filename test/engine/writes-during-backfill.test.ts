/** Writers on other connections while a backfill runs: no lost value, no deadlock, no NULL left. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/engine/index.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { client, fixture, q, scalar, stateTable, testUrl } from '../helpers/db.js';

for (const strategy of ['ctid', 'keyset', 'classic'] as const) {
  test(`${strategy}: inserts and updates during the backfill all survive, and no NULL is left`, async (t) => {
    const c = await client(t);
    const table = await fixture(t, c, usersFixture, 150_000);
    await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
    const ids = (await c.query<{ id: string }>(`SELECT id::text AS id FROM ${q(table)} ORDER BY random() LIMIT 2000`)).rows.map((r) => r.id);
    const written = new Map<string, string>();
    const errors: string[] = [];
    let running = true;
    let progressSeen = 0;
    const writers = [0, 1].map(async (w) => {
      const wc = await connect(testUrl(), 'pgmb-test-writer');
      let n = 0;
      try {
        while (running) {
          n += 1;
          try {
            if (n % 3 === 0) {
              // A new row the backfill did not know about, left NULL: the sweep must fill it.
              await wc.query(`INSERT INTO ${q(table)} (name) VALUES ($1)`, [`late-${w}-${n}`]);
            } else {
              const id = ids[(n * 7 + w) % ids.length]!;
              const value = `app-${w}-${n}`;
              await wc.query(`UPDATE ${q(table)} SET bio = $1 WHERE id = $2`, [value, id]);
              written.set(id, value);
            }
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
      } finally {
        await wc.end();
      }
    });
    await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'filled' }], {
      backfill: { strategy, batchSize: 3000, stateTable: stateTable(t) },
      onEvent: (e) => {
        if (e.type === 'backfill-progress') progressSeen += 1;
        // Writers stop before the main pass ends; what they did after the walk passed them is
        // what the sweep is for.
        if (e.type === 'backfill-progress' && e.progress.fraction > 0.8) running = false;
      },
    });
    running = false;
    await Promise.all(writers);
    t.deepEqual(errors, [], 'no deadlock or other error in the writers');
    t.true(written.size >= 10, `${written.size} application updates while it ran`);
    t.true(progressSeen > 10);
    // The backfill may finish before the writers stop; one more pass catches their last rows.
    await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'filled' }], { backfill: { strategy, stateTable: stateTable(t) } });
    t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE bio IS NULL`), 0);
    const lost = (await c.query<{ id: string }>(`SELECT id::text AS id, bio FROM ${q(table)} WHERE id = ANY($1::uuid[])`, [[...written.keys()]])).rows.filter(
      (r) => (r as unknown as { bio: string }).bio !== written.get(r.id),
    );
    t.is(lost.length, 0, 'every value the application wrote is still there');
    t.true((await scalar<number>(c, `SELECT count(*) FROM ${q(table)} WHERE name LIKE 'late-%' AND bio = 'filled'`)) > 0, 'rows inserted during the run were filled');
  });
}

for (const strategy of ['ctid', 'keyset', 'classic'] as const) {
  test(`${strategy}: an application inserting NULL rows the whole time does not keep the backfill from finishing`, async (t) => {
    const c = await client(t);
    const table = await fixture(t, c, usersFixture, 100_000);
    await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
    let running = true;
    let inserted = 0;
    const writer = (async () => {
      const wc = await connect(testUrl(), 'pgmb-test-inserter');
      try {
        while (running) {
          await wc.query(`INSERT INTO ${q(table)} (name) SELECT 'stream-' || g FROM generate_series(1, 20) g`);
          inserted += 20;
          await new Promise((r) => setTimeout(r, 5));
        }
      } finally {
        await wc.end();
      }
    })();
    // Slow batches on purpose, so the sweep has a steady stream to chase.
    const result = await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'filled' }], {
      backfill: { strategy, batchSize: 5000, delayMs: 20, stateTable: stateTable(t) },
    }).finally(() => (running = false));
    await writer;
    t.log(`${inserted} rows inserted while it ran; backfill took ${result.backfills[0]!.ms.toFixed(0)} ms`);
    t.true(inserted > 100, 'the application really wrote during the backfill');
    t.is(await scalar(c, `SELECT count(*) FROM ${q(table)} WHERE name LIKE 'user_%' AND bio IS NULL`), 0, 'every row that existed before is filled');
  });
}
