/** Where the database comes from, proven with real processes and servers. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { startEmbedded } from '../../src/db/embedded.js';
import { connect } from '../../src/db/connect.js';
import { testUrl } from '../helpers/db.js';
import { pgmb } from '../helpers/pgmb.js';

const BAD = 'postgres://nobody:pw@127.0.0.1:1/nothing';

/** `pgmb clean --dry-run` connects with the resolved URL and touches nothing. */
function clean(env: Record<string, string>) {
  return pgmb(['clean', '--dry-run'], { TEST_DATABASE_URL: '', DATABASE_URL: '', ...env });
}

test('TEST_DATABASE_URL wins over DATABASE_URL, on a real server', (t) => {
  const good = clean({ TEST_DATABASE_URL: testUrl(), DATABASE_URL: BAD });
  t.is(good.status, 0, good.stderr);
  t.regex(good.stdout, /would drop/);
  const bad = clean({ TEST_DATABASE_URL: BAD, DATABASE_URL: testUrl() });
  t.is(bad.status, 3);
  t.regex(bad.stderr, /^pgmb: cannot connect to PostgreSQL at 127\.0\.0\.1:1 /);
  t.false(bad.stderr.includes('    at '), 'no stack trace');
  t.false(bad.stderr.includes(':pw@'), 'no password');
  t.is(clean({ DATABASE_URL: testUrl() }).status, 0, 'DATABASE_URL alone is used');
});

test('an embedded server starts on a free port, answers, and leaves no process or directory when stopped', async (t) => {
  const server = await startEmbedded();
  const c = await connect(server.url);
  const version = Number((await c.query("SELECT current_setting('server_version_num') AS v")).rows[0].v);
  await c.end();
  t.true(version >= 150000, 'PostgreSQL 15 or newer');
  t.true(existsSync(server.dataDir));
  await server.stop();
  t.false(existsSync(server.dataDir), 'data directory removed');
  await t.throwsAsync(connect(server.url), { message: /cannot connect/ }, 'server gone');
});

test('pgmb --help and a bad option exit as scripts expect', (t) => {
  const help = pgmb(['backfill', '--help']);
  t.is(help.status, 0);
  t.regex(help.stdout, /--target-batch-ms/);
  const bad = pgmb(['backfill', '--table', 't', '--column', 'c', '--value', 'v', '--batch-size', '0'], { TEST_DATABASE_URL: testUrl() });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /--batch-size: must be a positive whole number/);
  const noUrl = pgmb(['backfill', '--table', 't', '--column', 'c', '--value', 'v'], { TEST_DATABASE_URL: '', DATABASE_URL: '' });
  t.is(noUrl.status, 2);
  t.regex(noUrl.stderr, /no database: set DATABASE_URL/);
});
