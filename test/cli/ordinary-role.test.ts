/** The bench and pgmb backfill as a role that owns its database and nothing more, as on managed servers. */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { ddlCasesOn } from '../../bench/ddl.js';
import { connect } from '../../src/db/connect.js';
import { loadTable } from '../../src/fixtures/copy-loader.js';
import { probeCapabilities } from '../../src/measure/capabilities.js';
import { readCsv } from '../../src/results/csv.js';
import { partitioned, usersFixture } from '../../src/fixtures/table-fixtures.js';
import { uniqueTableName } from '../../src/fixtures/table-names.js';
import { q, scalar } from '../helpers/db.js';
import { ordinaryRoleUrl } from '../helpers/ordinary-role.js';
import { pgmb } from '../helpers/pgmb.js';

/** pgmb as the ordinary role. */
const asOrdinary = (url: string, args: string[]) => pgmb(args, { TEST_DATABASE_URL: url, DATABASE_URL: '' });

const noStack = (stderr: string) => !/\n\s+at /.test(stderr);

type T = Parameters<typeof ordinaryRoleUrl>[0];

/** A connection as the ordinary role, and a name for each object it makes, dropped when the test ends. */
async function asRole(t: T): Promise<{ url: string; c: pg.Client; name: (label: string, kind?: 'TABLE' | 'SCHEMA') => string }> {
  const url = await ordinaryRoleUrl(t);
  const c = await connect(url, 'pgmb-test-ordinary');
  const made: string[] = [];
  t.teardown(async () => {
    for (const sql of made.reverse()) await c.query(sql).catch(() => undefined);
    await c.end().catch(() => undefined);
  });
  const name = (label: string, kind: 'TABLE' | 'SCHEMA' = 'TABLE') => {
    const n = uniqueTableName(label);
    made.push(`DROP ${kind} IF EXISTS ${q(n)} CASCADE`);
    return n;
  };
  return { url, c, name };
}

test('npm run bench as an ordinary role completes every suite, names the probes it turned off once, and leaves their figures empty', async (t) => {
  const { url, c } = await asRole(t);
  const caps = await probeCapabilities(c);
  t.false(caps.checkpoint, 'an ordinary role may not CHECKPOINT');
  const dir = mkdtempSync(join(tmpdir(), 'pgmb-ordinary-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'run.csv');
  const r = asOrdinary(url, ['bench', '--sizes', '10k', '--iterations', '1', '--partitions', '0,8', '--ddl-rows', '10k', '--out', out]);
  t.is(r.status, 0, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  t.is(r.stderr.match(/probes off for this role: /g)?.length, 1, 'said once');
  t.true(r.stderr.includes(`probes off for this role: ${caps.off.join('; ')}\n`), r.stderr);
  t.regex(r.stderr, /checkpoint before each case \(needs superuser or pg_checkpoint: GRANT pg_checkpoint TO the role\)/);
  const rows = readCsv(out);
  t.is(rows.length, 4 + 5 * 2 + 3 * 2 + ddlCasesOn(Number.parseInt(rows[0]!.pg_version!, 10)).length);
  for (const row of rows) {
    t.is(row.probes_off, caps.off.map((o) => o.split(' (')[0]).join('; '), `${row.suite} ${row.case}`);
    if (!caps.flushStats) t.is(row.dead_tuples, '', 'empty, never 0');
    t.regex(row.wal_bytes!, /^\d+$/, 'what can be measured still is');
  }
});

test('pgmb backfill as an ordinary role on its own tables: done, the lag throttle off with one warning; asked for by name, a missing privilege', async (t) => {
  const { url, c, name } = await asRole(t);
  const own = name('own');
  await loadTable(c, own, usersFixture, 20_000, { primaryKey: 'after' });
  await c.query(`ALTER TABLE ${q(own)} ADD COLUMN bio text`);
  const state = ['--state-table', name('state')];
  const ok = asOrdinary(url, ['backfill', '--table', own, '--column', 'bio', '--value', 'x', '--max-writer-p99', '500ms', ...state]);
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stderr, /warning: standbys' replay lag is not visible to this role \(GRANT pg_monitor to see it\): --max-lag is off/);
  t.regex(ok.stdout, /^20000 rows updated .* 0 NULLs left \(counted\)$/m);
  const lag = asOrdinary(url, ['backfill', '--table', own, '--column', 'bio', '--value', 'x', '--max-lag', '1s', ...state]);
  t.is(lag.status, 2, lag.stderr);
  t.regex(lag.stderr, /missing standbys' replay lag \(pg_stat_replication\), for --max-lag 1s: GRANT pg_monitor TO "?[\w]+"?, or --max-lag 0/);
  t.true(noStack(lag.stderr));
});

test('pgmb backfill without UPDATE on some partitions and without CREATE for its state table: exit 2 before any change, one line per missing privilege', async (t) => {
  const { url, c, name } = await asRole(t);
  const parts = name('parts');
  const locked = name('locked', 'SCHEMA');
  await loadTable(c, parts, partitioned(usersFixture, 4), 8_000, { primaryKey: 'after' });
  await c.query(`ALTER TABLE ${q(parts)} ADD COLUMN bio text`);
  // The owner takes its own privileges away: on two leaves (the parent keeps them), and CREATE on a schema.
  await c.query(`REVOKE UPDATE ON ${q(`${parts}_p1`)}, ${q(`${parts}_p2`)} FROM CURRENT_USER`);
  await c.query(`CREATE SCHEMA ${q(locked)}`);
  await c.query(`REVOKE CREATE ON SCHEMA ${q(locked)} FROM CURRENT_USER`);
  const r = asOrdinary(url, ['backfill', '--table', parts, '--column', 'bio', '--value', 'x', '--max-lag', '0', '--state-table', `${locked}.pgmb_state`]);
  t.is(r.status, 2, r.stderr);
  t.true(noStack(r.stderr), r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.trim().startsWith('missing '));
  t.is(lines.length, 3, r.stderr);
  const leaf = (i: number) => `"public"."${parts}_p${i}"`.replace(/[.()]/g, '\\$&');
  t.regex(lines[0]!, new RegExp(`missing UPDATE on ${leaf(1)} \\(a partition or child of .*a grant on the parent alone does not reach it\\): GRANT UPDATE ON ${leaf(1)} TO `));
  t.regex(lines[1]!, new RegExp(`missing UPDATE on ${leaf(2)}`));
  t.regex(lines[2]!, new RegExp(`missing CREATE on schema "${locked}", for the checkpoint table .*: GRANT CREATE ON SCHEMA "${locked}" TO .*, or --state-table myschema\\.pgmb_backfill_state`));
  t.is(await scalar(c, `SELECT count(*)::int FROM ${q(parts)} WHERE bio IS NOT NULL`), 0, 'nothing was written');
  t.is(await scalar(c, 'SELECT count(*)::int FROM pg_tables WHERE schemaname = $1', [locked]), 0, 'no state table');
});

test('errors we can expect end in one line with the SQLSTATE and what to do, no stack trace; --debug shows it', async (t) => {
  const { url, c, name } = await asRole(t);
  const held = name('held');
  await c.query(`CREATE TABLE ${q(held)} (id int PRIMARY KEY, bio text)`);
  await c.query(`INSERT INTO ${q(held)} SELECT g FROM generate_series(1, 100) g`);
  // A long transaction holds the table: every batch waits lock_timeout, retries, then gives up.
  await c.query('BEGIN');
  await c.query(`LOCK TABLE ${q(held)} IN ACCESS EXCLUSIVE MODE`);
  const r = asOrdinary(url, ['backfill', '--table', held, '--column', 'bio', '--value', 'x', '--max-lag', '0', '--lock-timeout', '100ms', '--state-table', name('state')]);
  await c.query('ROLLBACK');
  t.is(r.status, 1, r.stderr);
  t.regex(r.stderr, /^pgmb: .*lock/m);
  t.true(noStack(r.stderr), r.stderr);
  const debug = asOrdinary(url, ['backfill', '--table', held, '--column', 'nope', '--value', 'x', '--debug']);
  t.is(debug.status, 2);
  t.regex(debug.stderr, /column nope does not exist/);
  t.regex(debug.stderr, /\n\s+at /, 'with --debug, the stack too');
});
