/** golang-migrate's up files in version order (an unsigned integer), and the folders a project keeps them in. Database-free. */
import test from 'ava';
import { join } from 'node:path';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { golangMigrate } from '../../src/migrations/formats/golang-migrate.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

const POCKET_ID = 'test/corpus/pocket-id';

test('golang-migrate: .up.sql files by version as a number (9 before 10, 0011 is 11), names it cannot parse skipped', async (t) => {
  const dir = writeTree(tempDir(t, 'golang'), {
    '10_c.up.sql': 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n',
    '10_c.down.sql': 'DROP INDEX users_email;\n',
    '0011_d.up.sql': 'ALTER TABLE users ADD COLUMN bio text;\n',
    '9_b.up.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
    '2_a.up.sql': 'CREATE TABLE users (id int);\n',
    'seed.up.sql': 'INSERT INTO users VALUES (1);\n',
  });
  const sources = readSources([dir], { cwd: dir });
  t.deepEqual(
    sources.map((s) => [s.format, s.name, s.noTransaction]),
    [
      ['golang-migrate', '2_a', false],
      ['golang-migrate', '9_b', false],
      ['golang-migrate', '10_c', false],
      ['golang-migrate', '0011_d', false],
    ],
  );
  t.deepEqual(
    (await parseMigration(sources[2]!)).statements.map((s) => `${s.line}:${s.col} ${s.kind} ${s.needsNoTransaction}`),
    ['1:1 CREATE INDEX CONCURRENTLY true'],
  );
});

test('golang-migrate: one version in two up files is refused', (t) => {
  const dir = writeTree(tempDir(t, 'golang'), { '1_a.up.sql': 'SELECT 1;\n', '001_b.up.sql': 'SELECT 2;\n' });
  t.regex(t.throws(() => readSources([dir]), { instanceOf: MigrationFileError }).message, /_[ab]\.up\.sql:1:1: version 1 has two up files/);
});

test('golang-migrate locate: folders holding <version>_<title>.up.sql, not inside node_modules or hidden folders', (t) => {
  t.deepEqual(golangMigrate.locate!(POCKET_ID), [join(POCKET_ID, 'backend/resources/migrations/postgres')]);
  const dir = writeTree(tempDir(t, 'golang'), {
    'db/migrations/1_a.up.sql': 'SELECT 1;\n',
    'node_modules/pkg/migrations/1_a.up.sql': 'SELECT 1;\n',
    '.cache/migrations/1_a.up.sql': 'SELECT 1;\n',
    'docs/up.sql': 'SELECT 1;\n',
  });
  t.deepEqual(golangMigrate.locate!(dir), [join(dir, 'db/migrations')]);
});

test('pocket-id: 64 up files in version order, the first without a down file', (t) => {
  const sources = readSources(golangMigrate.locate!(POCKET_ID), { cwd: POCKET_ID });
  t.is(sources.length, 64);
  t.is(sources[0]!.name, '20241211111554_init');
  t.is(sources.at(-1)!.name, '20260814120000_api_client_access');
  t.false(sources.some((s) => s.noTransaction));
});
