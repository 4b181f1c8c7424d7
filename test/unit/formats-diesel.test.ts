/** Diesel's migrations as Diesel runs them: folder versions in string order, up.sql only, metadata.toml's run_in_transaction. Database-free. */
import test from 'ava';
import { join } from 'node:path';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { diesel } from '../../src/migrations/formats/diesel.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

const CRATES = 'test/corpus/crates.io';

/** A Diesel migrations folder with the layout's edge cases: setup migration, dashed and newer versions, metadata.toml, strays Diesel ignores. */
const MIGRATIONS = {
  'migrations/README.md': '# not a migration\n',
  'migrations/data_seed.sql': 'SELECT 1;\n',
  'migrations/.keep/notes.txt': 'hidden folders are not migrations\n',
  'migrations/00000000000000_diesel_initial_setup/up.sql': 'CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;\n',
  'migrations/00000000000000_diesel_initial_setup/down.sql': 'DROP FUNCTION diesel_set_updated_at();\n',
  'migrations/2026-07-30-140000-0000_newer_form/up.sql': 'ALTER TABLE users ADD COLUMN bio text;\n',
  'migrations/20170101000000_users/up.sql': 'CREATE TABLE users (id int PRIMARY KEY, email text);\n',
  'migrations/20170101000000_users/down.sql': 'DROP TABLE users;\n',
  'migrations/2017-09-23-182408_dashed/up.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
  'migrations/2019-11-15-182353_Add email index/up.sql': 'CREATE INDEX users_email ON users (email);\n',
  'migrations/2019-11-15-182353_Add email index/metadata.toml': 'run_in_transaction = true\n',
  'migrations/2024-02-12-120203_remove_unused_index/up.sql': 'DROP INDEX CONCURRENTLY users_email;\n',
  'migrations/2024-02-12-120203_remove_unused_index/down.sql': 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n',
  'migrations/2024-02-12-120203_remove_unused_index/metadata.toml': '# no transaction: CONCURRENTLY\nrun_in_transaction = false\n',
  'migrations/2025-01-01-000000_other_keys_only/up.sql': 'SELECT 1;\n',
  'migrations/2025-01-01-000000_other_keys_only/metadata.toml': '[extra]\nrun_in_transaction = true\n',
};

const read = (dir: string) => readSources([join(dir, 'migrations')], { cwd: dir });

test('Diesel: folders in version order compared as strings (dashes dropped), up.sql only, named by folder; strays and hidden folders ignored', (t) => {
  const dir = writeTree(tempDir(t, 'diesel'), MIGRATIONS);
  const read1 = read(dir);
  t.deepEqual(
    read1.map((m) => [m.format, m.name, m.noTransaction]),
    [
      ['diesel', '00000000000000_diesel_initial_setup', false],
      ['diesel', '20170101000000_users', false],
      ['diesel', '2017-09-23-182408_dashed', false],
      ['diesel', '2019-11-15-182353_Add email index', false],
      ['diesel', '2024-02-12-120203_remove_unused_index', true],
      // A metadata.toml without a top-level run_in_transaction: serde's default for the bool, false.
      ['diesel', '2025-01-01-000000_other_keys_only', true],
      // 202607301400000000 is longer, but '2026' > '2025' as strings.
      ['diesel', '2026-07-30-140000-0000_newer_form', false],
    ],
  );
  t.is(read1[1]!.path, 'migrations/20170101000000_users/up.sql');
  t.is(read1[1]!.text, MIGRATIONS['migrations/20170101000000_users/up.sql'], 'the up part is the whole up.sql; down.sql is not read');
});

test('Diesel: versions are strings, not numbers: 10 comes before 9', (t) => {
  const dir = writeTree(tempDir(t, 'diesel'), { 'migrations/9_nine/up.sql': 'SELECT 9;\n', 'migrations/10_ten/up.sql': 'SELECT 10;\n', 'migrations/1_one/up.sql': 'SELECT 1;\n' });
  t.deepEqual(
    read(dir).map((m) => m.name),
    ['1_one', '10_ten', '9_nine'],
  );
});

test('Diesel: a run_in_transaction = false migration parses to statements run outside a transaction', async (t) => {
  const dir = writeTree(tempDir(t, 'diesel'), MIGRATIONS);
  const source = read(dir).find((m) => m.name.endsWith('remove_unused_index'))!;
  const parsed = await parseMigration(source);
  t.true(parsed.noTransaction);
  t.deepEqual(
    parsed.statements.map((s) => `${s.line}:${s.col} ${s.kind}`),
    ['1:1 DROP INDEX CONCURRENTLY'],
  );
});

test('Diesel: a folder without up.sql, a version twice and an empty up.sql are refused, naming the file', (t) => {
  const stray = writeTree(tempDir(t, 'diesel'), { 'migrations/1_a/up.sql': 'SELECT 1;\n', 'migrations/2_b/down.sql': 'SELECT 2;\n' });
  t.regex(t.throws(() => read(stray), { instanceOf: MigrationFileError }).message, /migrations\/2_b:1:1: a folder without up\.sql/);
  const twice = writeTree(tempDir(t, 'diesel'), { 'migrations/2020-01-01-000000_a/up.sql': 'SELECT 1;\n', 'migrations/20200101000000_b/up.sql': 'SELECT 2;\n' });
  t.regex(t.throws(() => read(twice), { instanceOf: MigrationFileError }).message, /_b\/up\.sql:1:1: version 20200101000000 twice/);
  const empty = writeTree(tempDir(t, 'diesel'), { 'migrations/1_a/up.sql': '' });
  t.regex(t.throws(() => read(empty), { instanceOf: MigrationFileError }).message, /migrations\/1_a\/up\.sql:1:1: an empty up\.sql/);
});

test("Diesel locate: diesel.toml's [migrations_directory] dir, else migrations beside diesel.toml or Cargo.toml", (t) => {
  t.deepEqual(diesel.locate!(CRATES), [join(CRATES, 'migrations')]);
  const configured = writeTree(tempDir(t, 'diesel'), {
    'diesel.toml': '[print_schema]\nfile = "src/schema.rs"\n\n[migrations_directory]\ndir = "db/migrations"\n',
    'db/migrations/1_a/up.sql': 'SELECT 1;\n',
    'migrations/README.md': 'not this one\n',
  });
  t.deepEqual(diesel.locate!(configured), [join(configured, 'db/migrations')]);
  const workspace = writeTree(tempDir(t, 'diesel'), {
    'Cargo.toml': '[workspace]\n',
    'crates/db/Cargo.toml': '[package]\n',
    'crates/db/migrations/1_a/up.sql': 'SELECT 1;\n',
    'crates/web/Cargo.toml': '[package]\n',
    'crates/web/migrations/notes.md': 'no migrations here\n',
  });
  t.deepEqual(diesel.locate!(workspace), [join(workspace, 'crates/db/migrations')]);
});

test('crates.io: all 100 migrations in Diesel order, each parsed, none outside a transaction', async (t) => {
  const sources = readSources(diesel.locate!(CRATES), { cwd: CRATES });
  t.is(sources.length, 100);
  t.is(sources[0]!.name, '00000000000000_diesel_initial_setup');
  t.is(sources.at(-1)!.name, '20150804170129_dumped_migration_99');
  t.false(
    sources.some((s) => s.noTransaction),
    'no metadata.toml in the first 100',
  );
  for (const s of sources) t.true((await parseMigration(s)).statements.length > 0, s.name);
});
