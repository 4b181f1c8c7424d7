/** Drizzle's migrations in meta/_journal.json's order, and the folder drizzle.config names. Database-free. */
import test from 'ava';
import { join } from 'node:path';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { drizzle } from '../../src/migrations/formats/drizzle.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

const CHATBOT = 'test/corpus/ai-chatbot';

const journal = (...tags: string[]) =>
  JSON.stringify({ version: '7', dialect: 'postgresql', entries: tags.map((tag, idx) => ({ idx, version: '7', when: 1700000000000 + idx, tag, breakpoints: true })) }, null, 2);

test("Drizzle: the journal's entries in order, files it does not list left out, named by tag", async (t) => {
  const dir = writeTree(tempDir(t, 'drizzle'), {
    'drizzle/meta/_journal.json': journal('0000_init', '0002_renumbered', '0001_email'),
    'drizzle/0000_init.sql': 'CREATE TABLE "user" (id serial PRIMARY KEY);\n',
    'drizzle/0001_email.sql': 'ALTER TABLE "user" ADD COLUMN email text;--> statement-breakpoint\nCREATE INDEX user_email ON "user" (email);\n',
    'drizzle/0002_renumbered.sql': 'ALTER TABLE "user" ADD COLUMN name text;\n',
    'drizzle/0003_not_in_journal.sql': 'DROP TABLE "user";\n',
  });
  const sources = readSources([join(dir, 'drizzle')], { cwd: dir });
  t.deepEqual(
    sources.map((s) => [s.format, s.name, s.noTransaction]),
    [
      ['drizzle', '0000_init', false],
      ['drizzle', '0002_renumbered', false],
      ['drizzle', '0001_email', false],
    ],
  );
  t.deepEqual(
    (await parseMigration(sources[2]!)).statements.map((s) => `${s.line}:${s.col} ${s.kind}`),
    ['1:1 ALTER TABLE ADD COLUMN', '2:1 CREATE INDEX'],
  );
});

test('Drizzle: a journal entry without its file, and a journal that is not JSON, are refused at the journal', (t) => {
  const missing = writeTree(tempDir(t, 'drizzle'), { 'meta/_journal.json': journal('0000_init', '0001_gone'), '0000_init.sql': 'SELECT 1;\n' });
  t.regex(t.throws(() => readSources([missing]), { instanceOf: MigrationFileError }).message, /meta\/_journal\.json:16:1: journal entry "0001_gone" has no 0001_gone\.sql/);
  const broken = writeTree(tempDir(t, 'drizzle'), { 'meta/_journal.json': '{"entries": [', '0000_init.sql': 'SELECT 1;\n' });
  t.regex(t.throws(() => readSources([broken]), { instanceOf: MigrationFileError }).message, /meta\/_journal\.json:1:1: not JSON/);
});

test("Drizzle locate: drizzle.config's out (read, not evaluated), its default drizzle/, and folders with a journal", (t) => {
  t.deepEqual(drizzle.locate!(CHATBOT), [join(CHATBOT, 'lib/db/migrations')]);
  const json = writeTree(tempDir(t, 'drizzle'), { 'drizzle.config.json': '{ "dialect": "postgresql", "out": "./sql" }\n', 'sql/meta/_journal.json': journal() });
  t.deepEqual(drizzle.locate!(json), [join(json, 'sql')]);
  const defaults = writeTree(tempDir(t, 'drizzle'), { 'drizzle.config.ts': "export default { dialect: 'postgresql', schema: './src/schema.ts' };\n", 'drizzle/0000_a.sql': 'SELECT 1;\n' });
  t.deepEqual(drizzle.locate!(defaults), [join(defaults, 'drizzle')]);
});

test('ai-chatbot: 9 migrations in journal order, each in a transaction', (t) => {
  const sources = readSources(drizzle.locate!(CHATBOT), { cwd: CHATBOT });
  t.is(sources.length, 9);
  t.is(sources[0]!.name, '0000_keen_devos');
  t.is(sources.at(-1)!.name, '0008_flat_forgotten_one');
  t.false(sources.some((s) => s.noTransaction));
});
