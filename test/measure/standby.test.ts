/** A real streaming standby: its lag is measured, and a backfill pauses while it is behind. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { startEmbedded } from '../../src/db/embedded.js';
import { startStandby } from '../../src/db/standby.js';
import { migrate, throttleWhile } from '../../src/engine/index.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { usersShape } from '../../src/fixtures/shapes.js';
import { ReplicaLagReader } from '../../src/measure/replica-lag.js';
import { scalar } from '../helpers/db.js';

const LIMIT_MS = 300;

test('a backfill with a lag limit waits while the standby is behind, and the standby ends with every row', async (t) => {
  // A primary of its own: the standby is made from its data directory.
  const primary = await startEmbedded();
  t.teardown(() => primary.stop());
  const standby = await startStandby(primary);
  t.teardown(() => standby.stop());
  const p = await connect(primary.url);
  const s = await connect(standby.url);
  const lagClient = await connect(primary.url);
  t.teardown(() => Promise.all([p.end(), s.end(), lagClient.end()]));

  t.true(await scalar<boolean>(s, 'SELECT pg_is_in_recovery()'), 'the standby is in recovery');
  const reader = new ReplicaLagReader(lagClient);
  t.is((await reader.read()).standbys, 1, 'the primary streams to it');

  await loadTable(p, 'pgmb_lag_test', usersShape, 100_000, { primaryKey: 'after' });
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
  const target = await scalar<string>(p, 'SELECT pg_current_wal_lsn()::text');
  for (let i = 0; i < 300 && !(await scalar<boolean>(s, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn', [target])); i++) {
    await new Promise((res) => setTimeout(res, 100));
  }
  t.is(await scalar(s, "SELECT count(*) FROM pgmb_lag_test WHERE bio = 'v'"), 100_000);
});
