/** The work counters hold the measured operation's work alone: the probes' own statements are left out. */
import test from 'ava';
import { connect } from '../../src/db/connect.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { probeCapabilities } from '../../src/measure/capabilities.js';
import { WorkCounters } from '../../src/measure/probes/work-counters.js';
import { client, fixture, q, scalar, testUrl } from '../helpers/db.js';

test("an UPDATE's rows, WAL and blocks are counted; a probe connection writing at the same time is not", async (t) => {
  const op = await client(t, 'pgmb-test-op');
  const caps = await probeCapabilities(op);
  const loaded = await scalar<boolean>(op, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')");
  const superuser = await scalar<boolean>(op, 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  // Where the server or role cannot give them, they are off and named; npm test's embedded server can.
  t.is(caps.workCounters, loaded && superuser);
  if (!caps.workCounters) {
    t.true(caps.off.some((o) => o.startsWith('work counters')));
    return;
  }
  const observer = await connect(testUrl(), 'pgmb-test-observer', { instrument: true });
  const probe = await connect(testUrl(), 'pgmb-test-writer', { instrument: true });
  t.teardown(() => Promise.all([observer.end(), probe.end()]));
  const table = await fixture(t, op, usersFixture, 5000);
  const other = await fixture(t, op, usersFixture, 3000);
  const work = WorkCounters.open(observer, caps.workCounters)!;
  await work.start();
  await Promise.all([op.query(`UPDATE ${q(table)} SET name = name || 'x'`), probe.query(`UPDATE ${q(other)} SET name = name || 'y'`)]);
  await work.stop();
  const f = work.figures();
  const n = (v: unknown) => Number(v);
  t.is(f.work_rows, 5000, "the operation's rows, not the probe's 3000");
  t.true(n(f.work_wal_records) >= 5000, `${f.work_wal_records} WAL records`);
  t.true(n(f.work_wal_bytes) > 5000 * 50, `${f.work_wal_bytes} WAL bytes`);
  t.true(n(f.work_blks_hit) + n(f.work_blks_read) > 0);
});
