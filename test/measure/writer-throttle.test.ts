/** The writer-p99 throttle: a backfill stops taking batches while the application's writes suffer. */
import test from 'ava';
import { migrate, throttleWhile } from '../../src/engine/index.js';
import { quoteIdent } from '../../src/core/identifiers.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { TrafficProbe, writerSignal } from '../../src/measure/traffic-probe.js';
import { DEFAULT_WRITERS, writes } from '../../src/measure/workloads/writes.js';
import { client, fixture, q, scalar, stateTable, testUrl } from '../helpers/db.js';

const BOUND_MS = 200;
const BLOCK_MS = 1500;

test('a backfill with a writer-p99 bound takes no batch while writes are stuck, and finishes after', async (t) => {
  const c = await client(t);
  const blocker = await client(t, 'pgmb-test-blocker');
  const table = await fixture(t, c, usersFixture, 60_000);
  await c.query(`ALTER TABLE ${q(table)} ADD COLUMN bio text`);
  // The application writes to a table of its own, so that what stops its writes (a lock held by
  // someone else) does not also stop the backfill: only the throttle can.
  const appTable = await fixture(t, c, usersFixture, 1_000);
  const probe = await TrafficProbe.open(testUrl(), quoteIdent(appTable), writes(usersFixture), DEFAULT_WRITERS);
  t.teardown(() => probe.close());
  await probe.start();

  let block: Promise<{ from: number; to: number }> | undefined;
  const batchesAt: number[] = [];
  const result = await migrate(c, [{ op: 'backfill', table: q(table), column: 'bio', value: 'v' }], {
    backfill: { batchSize: 1000, delayMs: 20, stateTable: stateTable(t), throttle: throttleWhile([writerSignal(probe, BOUND_MS)]) },
    onEvent: (e) => {
      if (e.type !== 'backfill-progress' || e.progress.stage !== 'main') return;
      batchesAt.push(performance.now());
      // After the first batch, every write of the application waits on a lock for 1.5 s.
      block ??= (async () => {
        await blocker.query('BEGIN');
        await blocker.query(`LOCK TABLE ${q(appTable)} IN SHARE MODE`);
        const from = performance.now();
        await new Promise((r) => setTimeout(r, BLOCK_MS));
        await blocker.query('COMMIT');
        return { from, to: performance.now() };
      })();
    },
  });
  const written = await probe.stop();
  const { from, to } = await block!;
  const r = result.backfills[0]!;

  // The signal crosses the bound BOUND_MS after the lock; allow one poll and one batch on top.
  const during = batchesAt.filter((at) => at > from + BOUND_MS + 300 && at < to);
  t.log(`throttled ${r.throttledMs.toFixed(0)} ms of ${r.ms.toFixed(0)} ms; ${batchesAt.length} batches, ${during.length} while writes were stuck; worst write ${written.maxMs?.toFixed(0)} ms`);
  t.true(written.maxMs! > BLOCK_MS - 300, 'the writes really were stuck on the lock');
  t.deepEqual(during, [], 'no batch ran while writes were stuck');
  t.true(r.throttledMs >= BLOCK_MS - BOUND_MS - 300, 'the pause shows as throttled time');
  t.true(
    batchesAt.some((at) => at > to),
    'the backfill went on after the writes recovered',
  );
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(table)} WHERE bio IS DISTINCT FROM 'v'`), 0);
});
