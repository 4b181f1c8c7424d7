/** The bench and pgmb backfill as a role that owns its database and nothing more, as on managed servers. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { probeCapabilities } from '../../src/measure/capabilities.js';
import { readCsv } from '../../src/results/csv.js';
import { partitioned, usersShape } from '../../src/fixtures/shapes.js';
import { q, scalar } from '../helpers/db.js';
import { ordinaryRoleUrl } from '../helpers/ordinary-role.js';

const pgmb = (url: string, args: string[]) =>
  spawnSync(process.execPath, ['bin/pgmb.js', ...args], { env: { ...process.env, TEST_DATABASE_URL: url, DATABASE_URL: '' }, encoding: 'utf8', timeout: 300_000 });

const noStack = (stderr: string) => !/\n\s+at /.test(stderr);

async function asRole(t: Parameters<typeof ordinaryRoleUrl>[0]): Promise<{ url: string; c: pg.Client }> {
  const url = await ordinaryRoleUrl(t);
  const c = await connect(url, 'pgmb-test-ordinary');
  t.teardown(() => c.end().catch(() => undefined));
  return { url, c };
}

test('npm run bench as an ordinary role completes every suite, names the probes it turned off once, and leaves their figures empty', async (t) => {
  const { url, c } = await asRole(t);
  const caps = await probeCapabilities(c);
  t.false(caps.checkpoint, 'an ordinary role may not CHECKPOINT');
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-ordinary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'run.csv');
  const r = pgmb(url, ['bench', '--sizes', '10k', '--iterations', '1', '--partitions', '0,8', '--ddl-rows', '10k', '--out', out]);
  t.is(r.status, 0, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  t.is(r.stderr.match(/probes off for this role: /g)?.length, 1, 'said once');
  t.true(r.stderr.includes(`probes off for this role: ${caps.off.join('; ')}\n`), r.stderr);
  t.regex(r.stderr, /checkpoint before each case \(needs superuser or pg_checkpoint: GRANT pg_checkpoint TO the role\)/);
  const rows = readCsv(out);
  t.is(rows.length, 4 + 4 * 2 + 3 * 2 + 8);
  for (const row of rows) {
    t.is(row.probes_off, caps.off.map((o) => o.split(' (')[0]).join('; '), `${row.suite} ${row.case}`);
    if (!caps.flushStats) t.is(row.dead_tuples, '', 'empty, never 0');
    t.regex(row.wal_bytes!, /^\d+$/, 'what can be measured still is');
  }
});

test('pgmb backfill as an ordinary role on its own tables: done, the lag throttle off with one warning; asked for by name, a missing privilege', async (t) => {
  const { url, c } = await asRole(t);
  await loadTable(c, 'pgmb_own', usersShape, 20_000, { primaryKey: 'after' });
  await c.query('ALTER TABLE pgmb_own ADD COLUMN bio text');
  const ok = pgmb(url, ['backfill', '--table', 'pgmb_own', '--column', 'bio', '--value', 'x', '--max-writer-p99', '500ms']);
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stderr, /warning: standbys' replay lag is not visible to this role \(GRANT pg_monitor to see it\): --max-lag is off/);
  t.regex(ok.stdout, /^20000 rows updated .* 0 NULLs left \(counted\)$/m);
  const lag = pgmb(url, ['backfill', '--table', 'pgmb_own', '--column', 'bio', '--value', 'x', '--max-lag', '1s']);
  t.is(lag.status, 2, lag.stderr);
  t.regex(lag.stderr, /missing standbys' replay lag \(pg_stat_replication\), for --max-lag 1s: GRANT pg_monitor TO "?[\w]+"?, or --max-lag 0/);
  t.true(noStack(lag.stderr));
});

test('pgmb backfill without UPDATE on some partitions and without CREATE for its state table: exit 2 before any change, one line per missing privilege', async (t) => {
  const { url, c } = await asRole(t);
  await loadTable(c, 'pgmb_parts', partitioned(usersShape, 4), 8_000, { primaryKey: 'after' });
  await c.query('ALTER TABLE pgmb_parts ADD COLUMN bio text');
  // The owner takes its own privileges away: on two leaves (the parent keeps them), and CREATE on a schema.
  await c.query('REVOKE UPDATE ON pgmb_parts_p1, pgmb_parts_p2 FROM CURRENT_USER');
  await c.query('CREATE SCHEMA pgmb_locked');
  await c.query('REVOKE CREATE ON SCHEMA pgmb_locked FROM CURRENT_USER');
  const r = pgmb(url, ['backfill', '--table', 'pgmb_parts', '--column', 'bio', '--value', 'x', '--max-lag', '0', '--state-table', 'pgmb_locked.pgmb_state']);
  t.is(r.status, 2, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim().startsWith('missing '));
  t.is(lines.length, 3, r.stderr);
  t.regex(lines[0]!, /missing UPDATE on "public"\."pgmb_parts_p1" \(a partition or child of .*a grant on the parent alone does not reach it\): GRANT UPDATE ON "public"\."pgmb_parts_p1" TO /);
  t.regex(lines[1]!, /missing UPDATE on "public"\."pgmb_parts_p2"/);
  t.regex(lines[2]!, /missing CREATE on schema "pgmb_locked", for the checkpoint table .*: GRANT CREATE ON SCHEMA "pgmb_locked" TO .*, or --state-table myschema\.pgmb_backfill_state/);
  t.is(await scalar(c, 'SELECT count(*)::int FROM pgmb_parts WHERE bio IS NOT NULL'), 0, 'nothing was written');
  t.is(await scalar(c, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'pgmb_locked'"), 0, 'no state table');
});

test('errors we can expect end in one line with the SQLSTATE and what to do, no stack trace; --debug shows it', async (t) => {
  const { url, c } = await asRole(t);
  await c.query(`CREATE TABLE ${q('pgmb_locked_t')} (id int PRIMARY KEY, bio text)`);
  await c.query('INSERT INTO pgmb_locked_t SELECT g FROM generate_series(1, 100) g');
  // A long transaction holds the table: every batch waits lock_timeout, retries, then gives up.
  await c.query('BEGIN');
  await c.query('LOCK TABLE pgmb_locked_t IN ACCESS EXCLUSIVE MODE');
  const r = pgmb(url, ['backfill', '--table', 'pgmb_locked_t', '--column', 'bio', '--value', 'x', '--max-lag', '0', '--lock-timeout', '100ms']);
  await c.query('ROLLBACK');
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /^pgmb: .*lock/m);
  t.true(noStack(r.stderr), r.stderr);
  const debug = pgmb(url, ['backfill', '--table', 'pgmb_locked_t', '--column', 'nope', '--value', 'x', '--debug']);
  t.is(debug.status, 2);
  t.regex(debug.stderr, /column nope does not exist/);
  t.regex(debug.stderr, /\n\s+at /, 'with --debug, the stack too');
});
