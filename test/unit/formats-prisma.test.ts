/** Prisma's migration folders as Prisma orders them (as strings, not numbers), and where a project keeps them. Database-free. */
import test from 'ava';
import { join } from 'node:path';
import { parseMigration, readSources } from '../../src/migrations/index.js';
import { prisma } from '../../src/migrations/formats/prisma.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

const HOPPSCOTCH = 'test/corpus/hoppscotch';
const BACKEND = join(HOPPSCOTCH, 'packages/hoppscotch-backend');

/** Folder names of different lengths: 14-digit timestamps and hand-written 8-digit ones. */
const HISTORY = {
  'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
  'prisma/migrations/20250625_add_index/migration.sql': 'CREATE INDEX "User_email_idx" ON "User"("email");\n',
  'prisma/migrations/20230518191501_init/migration.sql': 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT);\n',
  'prisma/migrations/20240101000000_name/migration.sql': 'ALTER TABLE "User" ADD COLUMN "name" TEXT;\n',
  'prisma/migrations/20230518_backfill/migration.sql': 'UPDATE "User" SET "email" = lower("email");\n',
};

test('Prisma: folders sorted as strings the way Prisma sorts them (localeCompare), so 20250625_x comes after 20230518191501_init', async (t) => {
  const dir = writeTree(tempDir(t, 'prisma'), HISTORY);
  const sources = readSources([join(dir, 'prisma')], { cwd: dir });
  t.deepEqual(
    sources.map((s) => [s.format, s.name, s.noTransaction]),
    [
      // localeCompare puts `_` before digits: the 8-digit 20230518 folder sorts first among 20230518*.
      ['prisma', '20230518_backfill', false],
      ['prisma', '20230518191501_init', false],
      ['prisma', '20240101000000_name', false],
      ['prisma', '20250625_add_index', false],
    ],
  );
  t.is(sources[3]!.path, 'prisma/migrations/20250625_add_index/migration.sql');
  t.deepEqual(
    (await parseMigration(sources[3]!)).statements.map((s) => `${s.line}:${s.col} ${s.kind}`),
    ['1:1 CREATE INDEX'],
  );
});

test("Prisma locate: prisma.config's migrations.path, else migrations beside schema.prisma", (t) => {
  t.deepEqual(prisma.locate!(HOPPSCOTCH), [join(BACKEND, 'prisma/migrations')]);
  const configured = writeTree(tempDir(t, 'prisma'), {
    'prisma.config.ts': "import { defineConfig } from 'prisma/config';\nexport default defineConfig({\n  schema: 'db/schema.prisma',\n  migrations: { path: 'db/history' },\n});\n",
    'db/schema.prisma': 'datasource db { provider = "postgresql" }\n',
    'db/history/20240101000000_init/migration.sql': 'SELECT 1;\n',
  });
  t.deepEqual(prisma.locate!(configured), [join(configured, 'db/history')]);
  const schemaOnly = writeTree(tempDir(t, 'prisma'), {
    'prisma.config.mjs': "export default { schema: 'app/schema.prisma' };\n",
    'app/schema.prisma': 'datasource db { provider = "postgresql" }\n',
    'app/migrations/20240101000000_init/migration.sql': 'SELECT 1;\n',
  });
  t.deepEqual(prisma.locate!(schemaOnly), [join(schemaOnly, 'app/migrations')]);
});

test('hoppscotch: 21 migrations in Prisma order from the package root, each in a transaction', (t) => {
  const sources = readSources(prisma.locate!(HOPPSCOTCH), { cwd: HOPPSCOTCH });
  t.is(sources.length, 21);
  t.is(sources[0]!.name, '20230406064219_init');
  t.is(sources.at(-1)!.name, '20260209063744_published_doc_environment');
  t.false(sources.some((s) => s.noTransaction));
});
