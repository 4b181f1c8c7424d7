/** sqlx (`sqlx migrate`): simple and reversible files, version order, -- no-transaction, telling its folder from golang-migrate's, and docs.rs's real history. Database-free. */
import test from 'ava';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlx } from '../../src/migrations/formats/sqlx.js';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = 'test/fixtures/migrations/sqlx';
const DOCS_RS = 'test/corpus/docs.rs';
const CARGO_SQLX = '[package]\nname = "app"\n\n[dependencies]\nsqlx = { version = "0.8", features = ["postgres"] }\n';

/** A temp crate: the given files under it (paths with folders), read from `folder`. */
function crate(t: Parameters<typeof tempDir>[0], files: Record<string, string>, folder = 'migrations') {
  const dir = tempDir(t, 'sqlx');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, read: () => readSources([join(dir, folder)], { cwd: dir }) };
}

test('sqlx: reversible .up.sql files in version order, named <version>_<description>, -- no-transaction honoured', async (t) => {
  const read = readSources([join(FIXTURE, 'migrations')]);
  t.deepEqual(
    read.map((m) => [m.format, m.name, m.noTransaction]),
    [
      ['sqlx', '20240101000000_accounts', false],
      ['sqlx', '20240201000000_email_index', true],
    ],
  );
  const statements = await Promise.all(read.map(async (m) => (await parseMigration(m)).statements.map((s) => `${s.line} ${s.kind}`)));
  t.deepEqual(statements, [['2 CREATE TABLE'], ['2 CREATE INDEX CONCURRENTLY']], 'the .down.sql files are not run');
});

test('sqlx: simple files in numeric version order; names without "_" or .sql ignored, as sqlx ignores them', (t) => {
  const { read } = crate(t, {
    'Cargo.toml': CARGO_SQLX,
    'migrations/10_note.sql': 'COMMENT ON TABLE a IS $$x$$;\n',
    'migrations/9_a.sql': 'CREATE TABLE a (id int);\n',
    'migrations/schema.sql': 'SELECT 1;\n',
    'migrations/1_notes.txt': 'not SQL\n',
  });
  t.deepEqual(
    read().map((m) => [m.format, m.name]),
    [
      ['sqlx', '9_a'],
      ['sqlx', '10_note'],
    ],
  );
});

test('sqlx: -- no-transaction counts only as the very first characters of the file', (t) => {
  const { read } = crate(t, {
    'Cargo.toml': CARGO_SQLX,
    'migrations/1_a.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a (b);\n',
    'migrations/2_b.sql': '\n-- no-transaction\nCREATE INDEX CONCURRENTLY j ON a (b);\n',
    'migrations/3_c.sql': '-- No-Transaction\nSELECT 1;\n',
  });
  t.deepEqual(
    read().map((m) => m.noTransaction),
    [true, false, false],
  );
});

test('sqlx refuses a version that is not an integer, naming the file', (t) => {
  const { read } = crate(t, { 'Cargo.toml': CARGO_SQLX, 'migrations/1_a.sql': 'SELECT 1;\n', 'migrations/v2_b.sql': 'SELECT 2;\n' });
  const err = t.throws(read, { instanceOf: MigrationFileError });
  t.regex(err!.message, /v2_b\.sql:1:1: sqlx reads the version before the first "_" as an integer/);
});

test('the same .up.sql folder without a sqlx crate above it stays golang-migrate: existing readings are kept', (t) => {
  const dir = tempDir(t, 'sqlx');
  cpSync(join(FIXTURE, 'migrations'), join(dir, 'migrations'), { recursive: true });
  t.deepEqual(
    readSources([join(dir, 'migrations')], { cwd: dir }).map((m) => [m.format, m.name]),
    [
      ['golang-migrate', '20240101000000_accounts'],
      ['golang-migrate', '20240201000000_email_index'],
    ],
  );
});

test("sqlx's other signs: a workspace dependency, sqlx.toml or the .sqlx cache beside Cargo.toml, searched upward", (t) => {
  const files = { 'migrations/1_a.up.sql': 'SELECT 1;\n', 'migrations/1_a.down.sql': 'SELECT 2;\n' };
  const workspace = crate(t, { ...files, 'Cargo.toml': '[workspace.dependencies]\nsqlx.workspace = true\n' });
  const configured = crate(t, { ...files, 'Cargo.toml': '[package]\nname = "x"\n', 'sqlx.toml': '[migrate]\n' });
  const cached = crate(t, { ...files, 'Cargo.toml': '[package]\nname = "x"\n', '.sqlx/query-1.json': '{}' });
  const deeper = crate(t, { 'db/migrations/1_a.up.sql': 'SELECT 1;\n', 'Cargo.toml': CARGO_SQLX }, 'db/migrations');
  for (const c of [workspace, configured, cached, deeper]) t.is(c.read()[0]!.format, 'sqlx');
  const plainCrate = crate(t, { ...files, 'Cargo.toml': '[package]\nname = "x"\n\n[dependencies]\nsqlx-core = "0.8"\n' });
  t.is(plainCrate.read()[0]!.format, 'golang-migrate', 'a crate that does not use sqlx is no sign');
});

test("sqlx: a lone .up.sql file in a sqlx crate is sqlx's", (t) => {
  const [m] = readSources([join(FIXTURE, 'migrations/20240201000000_email_index.up.sql')]);
  t.deepEqual([m!.format, m!.name, m!.noTransaction], ['sqlx', '20240201000000_email_index', true]);
});

test('sqlx.locate: each sqlx crate under the root, its sqlx.toml migrations-dir or ./migrations', (t) => {
  t.deepEqual(sqlx.locate!(DOCS_RS), [join(DOCS_RS, 'crates/lib/docs_rs_database/migrations')]);
  t.deepEqual(sqlx.locate!(FIXTURE), [join(FIXTURE, 'migrations')]);
  const { dir } = crate(t, { 'Cargo.toml': CARGO_SQLX, 'sqlx.toml': '[common]\n\n[migrate]\nmigrations-dir = "src/migrations"\n', 'src/migrations/1_a.sql': 'SELECT 1;\n' });
  t.deepEqual(sqlx.locate!(dir), [join(dir, 'src/migrations')]);
});

test('docs.rs (sqlx reversible): 33 migrations, first and last, a description holding ".sql", none outside a transaction', (t) => {
  const read = readSources([join(DOCS_RS, 'crates/lib/docs_rs_database/migrations')]);
  t.is(read.length, 33);
  t.true(read.every((m) => m.format === 'sqlx'));
  t.is(read[0]!.name, '20231021111635_initial');
  t.is(read.at(-1)!.name, '20260811210608_remove-release-files-archive');
  t.true(read.some((m) => m.name === '20240309082057_release_status_view.sql'));
  t.true(read.some((m) => m.name === '20260208042033_repositories-index-updated-'));
  t.false(read.some((m) => m.noTransaction));
  t.false(read.some((m) => m.path.endsWith('.down.sql')));
});
