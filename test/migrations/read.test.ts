/** Reading migration folders as each tool does, refusing what cannot be read, and the exit codes of pgmb try before anything is measured. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planTry } from '../../src/try/plan.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { exitCodeFor } from '../../src/cli/run-main.js';
import { tempDir } from '../helpers/temp-dir.js';
import { pgmb } from '../helpers/pgmb.js';

const FIXTURES = 'test/fixtures/migrations';
const plan = (paths: string[], measure = 'last') => planTry({ paths, schema: [], measure, transaction: 'file' });
/** Each group as [in a transaction, 'line:col KIND' of its statements]. */
const shape = async (format: string) => (await plan([join(FIXTURES, format)])).groups.map((g) => [g.inTransaction, g.statements.map((s) => `${s.line}:${s.col} ${s.kind}`)]);

test('plain SQL: files in numeric name order (10 after 2), the parser splits (a semicolon in a string is not a split), one transaction per file', async (t) => {
  const p = await plan([join(FIXTURES, 'plain')]);
  t.deepEqual(
    p.schema.map((m) => m.path.split('/').pop()),
    ['1_accounts.sql', '2_email_index.sql'],
  );
  t.is(p.measured[0]!.format, 'plain');
  t.deepEqual(await shape('plain'), [[true, ['2:1 ALTER TABLE ADD COLUMN', '3:1 COMMENT']]]);
});

test('golang-migrate: .up.sql files only; CONCURRENTLY runs outside a transaction', async (t) => {
  const p = await plan([join(FIXTURES, 'golang-migrate')]);
  t.deepEqual(
    [...p.schema, ...p.measured].map((m) => `${m.path.split('/').pop()} ${m.format}`),
    ['1_accounts.up.sql golang-migrate', '2_email_index.up.sql golang-migrate'],
  );
  t.deepEqual(await shape('golang-migrate'), [[false, ['1:1 CREATE INDEX CONCURRENTLY']]]);
});

test('dbmate: only the migrate:up section, at its own line numbers; transaction:false is honoured', async (t) => {
  const p = await plan([join(FIXTURES, 'dbmate')]);
  t.is(p.measured[0]!.format, 'dbmate');
  t.true(p.measured[0]!.noTransaction);
  t.deepEqual(await shape('dbmate'), [[false, ['2:1 CREATE INDEX CONCURRENTLY']]]);
  t.false(
    p.schema[0]!.statements.some((s) => s.kind.startsWith('DROP')),
    'the down section is not run',
  );
});

test('Prisma: migrations/<timestamp>_<name>/migration.sql in folder order, quoted mixed-case names kept', async (t) => {
  const p = await plan([join(FIXTURES, 'prisma')]);
  t.deepEqual(
    [...p.schema, ...p.measured].map((m) => m.path.split('/').slice(-2).join('/')),
    ['20240101000000_init/migration.sql', '20240201000000_email_index/migration.sql'],
  );
  t.deepEqual(p.measured[0]!.statements[0]!.targets, [{ schema: undefined, name: 'Account' }]);
  t.deepEqual(await shape('prisma'), [[true, ['2:1 CREATE UNIQUE INDEX']]]);
});

test('Drizzle: statements split at their semicolons, the breakpoint comments ignored', async (t) => {
  t.deepEqual(await shape('drizzle'), [[true, ['1:1 ALTER TABLE ADD COLUMN', '2:1 CREATE INDEX']]]);
});

test('node-pg-migrate: the Up Migration section only', async (t) => {
  const p = await plan([join(FIXTURES, 'node-pg-migrate')]);
  t.is(p.measured[0]!.format, 'node-pg-migrate');
  t.deepEqual(await shape('node-pg-migrate'), [[true, ['2:1 CREATE INDEX']]]);
});

test('graphile-migrate: committed/ in order, current.sql left out, --! no-transaction honoured', async (t) => {
  const p = await plan([join(FIXTURES, 'graphile-migrate')]);
  t.deepEqual(
    [...p.schema, ...p.measured].map((m) => m.path.split('/').pop()),
    ['000001.sql', '000002.sql'],
  );
  t.deepEqual(await shape('graphile-migrate'), [[false, ['6:1 CREATE INDEX CONCURRENTLY']]]);
});

test('--measure all measures every file; a glob measures the files it matches, the earlier ones build the schema', async (t) => {
  t.is((await plan([join(FIXTURES, 'plain')], 'all')).measured.length, 3);
  const p = await plan([join(FIXTURES, 'plain')], '2_*.sql');
  t.deepEqual(
    p.measured.map((m) => m.path.split('/').pop()),
    ['2_email_index.sql'],
  );
  t.is(p.schema.length, 1);
});

test('--transaction statement and none', async (t) => {
  const dir = join(FIXTURES, 'drizzle');
  t.deepEqual(
    (await planTry({ paths: [dir], schema: [], measure: 'last', transaction: 'statement' })).groups.map((g) => [g.inTransaction, g.statements.length]),
    [
      [true, 1],
      [true, 1],
    ],
  );
  t.deepEqual(
    (await planTry({ paths: [dir], schema: [], measure: 'last', transaction: 'none' })).groups.map((g) => [g.inTransaction, g.statements.length]),
    [
      [false, 1],
      [false, 1],
    ],
  );
});

/** Each bad input: a file's content (or a setup of its own), and where and what the error must say. */
const BAD: { name: string; file?: string; text?: string | Buffer; setup?: (dir: string) => string; expect: RegExp }[] = [
  { name: 'a syntax error', text: 'SELECT 1;\nCREATE TABL x (id int);\n', expect: /bad\.sql:2:8: syntax error: syntax error at or near "TABL"/ },
  { name: 'psql \\i', text: 'SELECT 1;\n\\i other.sql\n', expect: /bad\.sql:2:1: psql meta-command \\i is not SQL/ },
  { name: 'psql \\set', text: '  \\set ON_ERROR_STOP on\nSELECT 1;\n', expect: /bad\.sql:1:3: psql meta-command \\set/ },
  { name: 'an unterminated string', text: "SELECT 1;\nUPDATE a SET b = 'open;\n", expect: /bad\.sql:2:\d+: syntax error: unterminated quoted string/ },
  { name: 'an unterminated dollar quote', text: 'DO $$ BEGIN\n  PERFORM 1;\n', expect: /bad\.sql:1:\d+: syntax error: unterminated dollar-quoted string/ },
  { name: 'not UTF-8', text: Buffer.from([0x53, 0x45, 0xff, 0xfe, 0x00]), expect: /bad\.sql:1:1: not UTF-8 text/ },
  { name: 'COPY FROM STDIN', text: 'CREATE TABLE a (b int);\nCOPY a FROM STDIN;\n', expect: /bad\.sql:2:1: COPY \.\.\. FROM STDIN reads data/ },
  { name: 'ROLLBACK', text: 'BEGIN;\nSELECT 1;\nROLLBACK;\n', expect: /bad\.sql:3:1: ROLLBACK in a migration/ },
  { name: 'BEGIN without COMMIT', text: 'SELECT 1;\nBEGIN;\nSELECT 2;\n', expect: /bad\.sql:2:1: BEGIN without a COMMIT/ },
  { name: 'COMMIT without BEGIN', text: 'SELECT 1;\nCOMMIT;\n', expect: /bad\.sql:2:1: COMMIT without a BEGIN/ },
  {
    name: 'CONCURRENTLY inside BEGIN',
    text: 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON a (b);\nCOMMIT;\n',
    expect: /bad\.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and the BEGIN at line 1/,
  },
  { name: 'SAVEPOINT', text: 'BEGIN;\nSAVEPOINT s;\nCOMMIT;\n', expect: /bad\.sql:2:1: SAVEPOINT inside a migration/ },
  { name: 'CREATE DATABASE', text: 'CREATE DATABASE other;\n', expect: /bad\.sql:1:1: CREATE DATABASE changes the server/ },
  { name: 'only comments', text: '-- nothing yet\n', expect: /bad\.sql:1:1: no statements to measure/ },
  { name: 'dbmate: a down section without an up section', text: 'SELECT 1;\n-- migrate:down\nSELECT 2;\n', expect: /bad\.sql:2:1: a down section without an up section/ },
  { name: 'dbmate: two up sections', text: '-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n', expect: /bad\.sql:3:1: a second "-- migrate:up" line/ },
  { name: 'node-pg-migrate: no Up Migration line', text: 'SELECT 1;\n-- Down Migration\nSELECT 2;\n', expect: /bad\.sql:2:1: a down section without an up section: add a "-- Up Migration" line/ },
  {
    name: 'graphile: BEGIN in a no-transaction file',
    file: 'committed/000001.sql',
    text: '--! no-transaction\nBEGIN;\nSELECT 1;\nCOMMIT;\n',
    expect: /000001\.sql:2:1: BEGIN in a file marked to run outside a transaction/,
  },
  { name: 'a path that does not exist (a path, not a file:line)', setup: (dir) => join(dir, 'missing'), expect: /missing: no such file or folder$/ },
  {
    name: 'a folder without migrations (a path, not a file:line)',
    setup: (dir) => {
      mkdirSync(join(dir, 'empty'));
      return join(dir, 'empty');
    },
    expect: /no migrations found under .*empty: looked for/,
  },
  {
    name: 'a down migration given as the file',
    setup: (dir) => {
      writeFileSync(join(dir, '1_a.down.sql'), 'DROP TABLE a;');
      return join(dir, '1_a.down.sql');
    },
    expect: /1_a\.down\.sql:1:1: a down migration/,
  },
];

for (const bad of BAD) {
  test(`bad input exits 2 with file:line: ${bad.name}`, async (t) => {
    const dir = tempDir(t, 'bad');
    let path = join(dir, bad.file ?? 'bad.sql');
    if (bad.setup) path = bad.setup(dir);
    else {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, bad.text!);
    }
    const err = await t.throwsAsync(plan([bad.file ? dir : path]));
    t.regex(err!.message, bad.expect);
    t.is(exitCodeFor(err), EXIT.usage);
  });
}

test('the command line: bad input exits 2 with file:line:col before a database is started', (t) => {
  const dir = tempDir(t, 'bad');
  writeFileSync(join(dir, '1.sql'), 'CREATE TABLE a (b int);\nALTER TABLE a ADD COLUMN c int DEFAULT;\n');
  const r = pgmb(['try', dir, '--lint', 'none'], { TEST_DATABASE_URL: '', DATABASE_URL: '' });
  t.is(r.status, EXIT.usage, r.stderr);
  t.regex(r.stderr, /1\.sql:2:\d+: syntax error/);
  t.notRegex(r.stderr, /database:/, 'no server was started or reached');
});

test('the command line: an unreachable database exits 3 after the files were read', (t) => {
  const dir = tempDir(t, 'try');
  writeFileSync(join(dir, '1.sql'), 'CREATE TABLE a (b int);\n');
  writeFileSync(join(dir, '2.sql'), 'CREATE INDEX ON a (b);\n');
  const r = pgmb(['try', dir, '--lint', 'none'], { TEST_DATABASE_URL: 'postgres://nobody:x@127.0.0.1:9/none' });
  t.is(r.status, EXIT.database, r.stderr);
  t.regex(r.stderr, /127\.0\.0\.1:9/);
});
