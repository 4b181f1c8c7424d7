/** A real streaming standby: its lag is measured, and a backfill pauses while it is behind. */
import test from 'ava';
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { startEmbedded, type EmbeddedServer } from '../../src/db/embedded.js';
import { startStandby, type Standby } from '../../src/db/standby.js';
import { migrate, throttleWhile } from '../../src/engine/index.js';
import { sleep } from '../../src/engine/transaction.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { LagSampler, ReplicaLagReader, waitForReplay } from '../../src/measure/replica-lag.js';
import { StandbyReader } from '../../src/measure/standby-reader.js';
import { scalar } from '../helpers/db.js';

const LIMIT_MS = 300;

interface Pair {
  primary: EmbeddedServer;
  standby: Standby;
  p: pg.Client;
  s: pg.Client;
  lagClient: pg.Client;
  reader: ReplicaLagReader;
}
let pair: Pair;

// A primary of its own, shared by the tests of this file: the standby is made from its data directory.
test.before(async () => {
  const primary = await startEmbedded();
  const standby = await startStandby(primary);
  const [p, s, lagClient] = await Promise.all([connect(primary.url), connect(standby.url), connect(primary.url)]);
  pair = { primary, standby, p, s, lagClient, reader: new ReplicaLagReader(lagClient) };
});

test.after.always(async () => {
  await Promise.all([pair?.p.end(), pair?.s.end(), pair?.lagClient.end()]);
  await pair?.standby.stop();
  await pair?.primary.stop();
});

test('a backfill with a lag limit waits while the standby is behind, and the standby ends with every row', async (t) => {
  const { p, s, reader } = pair;
  t.true(await scalar<boolean>(s, 'SELECT pg_is_in_recovery()'), 'the standby is in recovery');
  t.is((await reader.read()).standbys, 1, 'the primary streams to it');

  await loadTable(p, 'pgmb_lag_test', usersFixture, 100_000, { primaryKey: 'after' });
  await p.query('ALTER TABLE pgmb_lag_test ADD COLUMN bio text');
  // Replay stops: from now on the standby falls behind whatever the backfill writes.
  await s.query('SELECT pg_wal_replay_pause()');
  setTimeout(() => void s.query('SELECT pg_wal_replay_resume()'), 2500);

  const lagSeen: number[] = [];
  const result = await migrate(p, [{ op: 'backfill', table: 'pgmb_lag_test', column: 'bio', value: 'v' }], {
    backfill: {
      batchSize: 5000,
      delayMs: 50,
      stateTable: 'pgmb_lag_state',
      throttle: throttleWhile([
        {
          name: 'replica lag',
          limit: LIMIT_MS,
          read: async () => {
            const lag = await reader.read();
            lagSeen.push(lag.ms);
            return lag.ms;
          },
        },
      ]),
    },
  });
  const r = result.backfills[0]!;
  t.log(`throttled ${r.throttledMs.toFixed(0)} ms of ${r.ms.toFixed(0)} ms; worst lag seen ${Math.max(...lagSeen).toFixed(0)} ms`);
  t.true(r.throttledMs >= 500, 'the backfill waited while replay was paused');
  t.true(Math.max(...lagSeen) > LIMIT_MS, 'the lag over the limit was seen');

  // The standby catches up and holds every backfilled row.
  await waitForReplay(p, s, 30_000);
  t.is(await scalar(s, "SELECT count(*) FROM pgmb_lag_test WHERE bio = 'v'"), 100_000);
});

test('a report query on the standby holds replay back until it ends (the bench --standby-query)', async (t) => {
  const { p, s, reader } = pair;
  await loadTable(p, 'pgmb_report_test', usersFixture, 50_000, { primaryKey: 'after' });
  await p.query('ALTER TABLE pgmb_report_test ADD COLUMN bio text');
  const report = new StandbyReader(pair.standby.url, p, 30_000);
  t.teardown(() => report.close());
  await report.start('pgmb_report_test');

  const sampler = new LagSampler(reader);
  sampler.start(50);
  await p.query("UPDATE pgmb_report_test SET bio = 'v'");
  // VACUUM removes the old row versions the report's snapshot still sees: replay must wait for it.
  await p.query('VACUUM pgmb_report_test');
  // Replay first works through the UPDATE's WAL (over 1.5 s on a loaded machine), then stops at the
  // VACUUM's cleanup: give it up to 20 s to have stood still 1.5 s; the report query holds for 30.
  const deadline = performance.now() + 20_000;
  while (sampler.max.ms < 1500 && performance.now() < deadline) await sleep(100);
  const held = await sampler.stop();
  const still = await reader.read();
  t.log(`while the report query held: worst lag ${held.ms.toFixed(0)} ms, ${held.bytes} bytes behind; ${still.bytes} bytes behind after`);
  t.true(held.ms >= 1500, 'replay stood still behind the report query');
  t.true(still.bytes > 0, 'and still stands while the report query runs');

  await report.stop();
  await waitForReplay(p, s, 30_000);
  t.is((await reader.read()).ms, 0, 'caught up once the report query ended');
  t.is(await scalar(s, "SELECT count(*)::int FROM pgmb_report_test WHERE bio = 'v'"), 50_000);
  t.is(report.cancelled, 0, 'the standby waited for the query instead of cancelling it');
});
