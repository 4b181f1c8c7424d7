/** `pgmb try` on histories: a statement the empty scratch database refuses, --skip, and the schema built once per content. */
import type { ExecutionContext } from 'ava';
import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A golang-migrate history: each text one migration, in order. */
function history(t: ExecutionContext, ...migrations: string[]): string {
  const dir = tempDir(t, 'history');
  for (const [i, sql] of migrations.entries()) writeFileSync(join(dir, `${i + 1}_m${i + 1}.up.sql`), sql);
  return dir;
}

const tryAt = (dir: string, ...args: string[]) => pgmb(['try', dir, '--sizes', '2k', '--lint', 'none', '--long-query', '0', ...args]);

testNeedingCreatedb('an earlier migration the empty database refuses is named at file:line with what to do; --skip it and the history builds', (t) => {
  const dir = history(
    t,
    'CREATE EXTENSION IF NOT EXISTS pgmb_no_such_extension;\n',
    'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n',
    'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n',
  );
  const key = `${relative(process.cwd(), join(dir, '1_m1.up.sql'))}:1`;
  const refused = tryAt(dir);
  refusedWithoutCreatedb(refused);
  t.is(refused.status, EXIT.usage, refused.stderr);
  t.regex(
    refused.stderr,
    new RegExp(`${key.replace(/[.]/g, '\\.')}:1: building the schema on an empty database failed: .*pgmb_no_such_extension.*; the scratch server lacks it: --skip ${key.replace(/[.]/g, '\\.')}`),
  );
  const skipped = tryAt(dir, '--skip', key);
  t.is(skipped.status, EXIT.ok, skipped.stderr);
  t.regex(skipped.stdout, /CREATE INDEX CONCURRENTLY/);
});

test('--skip naming no statement of the history is bad input before anything runs', (t) => {
  const dir = history(t, 'CREATE TABLE a (id int);\n', 'CREATE INDEX a_id ON a (id);\n');
  const r = tryAt(dir, '--skip', 'nope.sql:3');
  t.is(r.status, EXIT.usage, r.stderr);
  t.regex(r.stderr, /^pgmb: --skip nope\.sql:3: no statement of the migrations that build the schema starts there/m);
  t.notRegex(r.stderr, /database:/, 'no database was started');
});

testNeedingCreatedb('a history of 400 migrations builds in seconds, once per server: a second try of the same history clones the build; a changed history builds anew', (t) => {
  const tables = Array.from({ length: 400 }, (_, i) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, v text);\nCREATE INDEX t${i}_v ON t${i} (v);\n`);
  const dir = history(t, ...tables, 'ALTER TABLE t0 ADD COLUMN w int;\n');
  const first = tryAt(dir);
  refusedWithoutCreatedb(first);
  t.is(first.status, EXIT.ok, first.stderr);
  const built = /schema: 400 migration\(s\), 800 statement\(s\) built in (\d+) ms/.exec(first.stderr);
  t.truthy(built, first.stderr);
  t.log(`400 migrations, 800 statements built in ${built?.[1]} ms`);
  const second = tryAt(dir);
  t.is(second.status, EXIT.ok, second.stderr);
  t.regex(second.stderr, /schema: the build of these 400 migration\(s\) made earlier on this server is reused \(pgmb_schema_[0-9a-f]{16}\)/);
  writeFileSync(join(dir, '1_m1.up.sql'), 'CREATE TABLE t0 (id bigint PRIMARY KEY, v text, x int);\nCREATE INDEX t0_v ON t0 (v);\n');
  const changed = tryAt(dir);
  t.is(changed.status, EXIT.ok, changed.stderr);
  t.regex(changed.stderr, /schema: 400 migration\(s\), 800 statement\(s\) built in/);
});

testNeedingCreatedb("a foreign key the migration adds is met by the synthetic rows (and the writers' rows), as production's rows meet it", (t) => {
  const dir = history(
    t,
    'CREATE TABLE users (uid text PRIMARY KEY, name text);\nCREATE TABLE shortcodes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, creator_uid text, body text);\n',
    'ALTER TABLE shortcodes ADD CONSTRAINT shortcodes_creator_fkey FOREIGN KEY (creator_uid) REFERENCES users (uid) ON DELETE SET NULL;\n',
  );
  const json = join(dir, 'verdicts.json');
  const r = tryAt(dir, '--json', json);
  refusedWithoutCreatedb(r);
  t.is(r.status, EXIT.ok, `${r.stdout}\n${r.stderr}`);
  const v = JSON.parse(readFileSync(json, 'utf8')) as { failed?: unknown; writers: { errors: number; errorMessages: string[] }; statements: { kind: string }[] };
  t.is(v.failed, undefined);
  t.is(v.statements[0]!.kind, 'ALTER TABLE ADD FOREIGN KEY');
  t.is(v.writers.errors, 0, v.writers.errorMessages.join('; '));
});
