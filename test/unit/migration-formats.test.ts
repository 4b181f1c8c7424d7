/** The migration tool registry (src/migrations/formats/), and each tool's name for its migrations. Database-free. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMAT_TITLES, MIGRATION_FORMATS, readSources } from '../../src/migrations/index.js';
import { FALLBACK, TOOLS } from '../../src/migrations/formats/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURES = 'test/fixtures/migrations';
/** Each file of a fixture folder as 'format name'. */
const named = (folder: string) => readSources([join(FIXTURES, folder)]).map((s) => `${s.format} ${s.name}`);

test('each tool names its migrations as the tool itself does', (t) => {
  t.deepEqual(named('plain'), ['plain 1_accounts.sql', 'plain 2_email_index.sql', 'plain 10_note.sql']);
  t.deepEqual(named('golang-migrate'), ['golang-migrate 1_accounts', 'golang-migrate 2_email_index']);
  t.deepEqual(named('dbmate'), ['dbmate 20240101000000_accounts.sql', 'dbmate 20240201000000_email_index.sql']);
  t.deepEqual(named('prisma'), ['prisma 20240101000000_init', 'prisma 20240201000000_email_index']);
  t.deepEqual(named('drizzle'), ['drizzle 0000_init', 'drizzle 0001_email']);
  t.deepEqual(named('node-pg-migrate'), ['node-pg-migrate 1700000000000_accounts', 'node-pg-migrate 1700000000001_email_index']);
  t.deepEqual(named('graphile-migrate'), ['graphile-migrate 000001.sql', 'graphile-migrate 000002.sql']);
});

test('a lone file is named too: a Prisma migration.sql by its folder, a golang-migrate file without .up.sql', (t) => {
  const [p] = readSources([join(FIXTURES, 'prisma/migrations/20240201000000_email_index/migration.sql')]);
  t.is(`${p!.format} ${p!.name}`, 'prisma 20240201000000_email_index');
  const [g] = readSources([join(FIXTURES, 'golang-migrate/2_email_index.up.sql')]);
  t.is(`${g!.format} ${g!.name}`, 'golang-migrate 2_email_index');
});

test('every MIGRATION_FORMATS member has exactly one registered tool, and plain SQL takes what no tool claims', (t) => {
  t.deepEqual(
    MIGRATION_FORMATS,
    TOOLS.map((tool) => tool.name),
  );
  for (const format of MIGRATION_FORMATS) t.is(TOOLS.filter((tool) => tool.name === format).length, 1, format);
  t.deepEqual([...MIGRATION_FORMATS].sort(), [
    'atlas',
    'dbmate',
    'diesel',
    'drizzle',
    'flyway',
    'golang-migrate',
    'goose',
    'graphile-migrate',
    'liquibase',
    'node-pg-migrate',
    'plain',
    'prisma',
    'sqitch',
    'sqlx',
    'supabase',
  ]);
  t.is(FALLBACK.name, 'plain');
  t.true(TOOLS.includes(FALLBACK));
  t.false(!!(FALLBACK.folder || FALLBACK.claim || FALLBACK.ownsName), 'plain SQL claims nothing itself');
});

test('the registry order is the precedence: layouts graphile-migrate, Prisma, Atlas, Supabase, sqlx, golang-migrate, Drizzle, Diesel, Sqitch, goose, Liquibase, Flyway; markers dbmate, node-pg-migrate, Drizzle, goose, Liquibase, then hints', (t) => {
  const withLayouts = TOOLS.filter((tool) => tool.folder).map((tool) => tool.name);
  t.deepEqual(withLayouts, ['graphile-migrate', 'prisma', 'atlas', 'supabase', 'sqlx', 'golang-migrate', 'drizzle', 'diesel', 'sqitch', 'goose', 'liquibase', 'flyway']);
  const text = '--liquibase formatted sql\n--! no-transaction\n--> statement-breakpoint\n-- Up Migration\n-- migrate:up\n-- +goose Up\n';
  const claims = TOOLS.flatMap((tool) => (tool.claim?.(text) ? [`${tool.name} ${tool.claim(text)}`] : []));
  t.deepEqual(claims, ['graphile-migrate hint', 'dbmate marker', 'node-pg-migrate marker', 'drizzle marker', 'goose marker', 'liquibase marker']);
  const named = (file: string) => TOOLS.find((tool) => tool.ownsName?.(file))?.name;
  t.deepEqual(['V1__a.up.sql', 'V1__a.sql', 'R__views.sql', 'migration.sql', 'U1__a.sql'].map(named), ['golang-migrate', 'flyway', 'flyway', 'prisma', undefined]);
});

test('ambiguous folders and files go to the tool of higher precedence', (t) => {
  const dir = tempDir(t, 'formats');
  // A folder with graphile-migrate's committed/ and Drizzle's journal: graphile-migrate.
  mkdirSync(join(dir, 'both', 'committed'), { recursive: true });
  mkdirSync(join(dir, 'both', 'meta'));
  writeFileSync(join(dir, 'both', 'meta', '_journal.json'), '{}');
  writeFileSync(join(dir, 'both', 'committed', '000001.sql'), 'SELECT 1;\n');
  writeFileSync(join(dir, 'both', '0000_init.sql'), 'SELECT 2;\n');
  t.deepEqual(
    readSources([join(dir, 'both')], { cwd: dir }).map((s) => `${s.format} ${s.path}`),
    ['graphile-migrate both/committed/000001.sql'],
  );
  // A file with Drizzle's breakpoint and a graphile-migrate header: Drizzle's marker wins over the hint.
  writeFileSync(join(dir, 'a.sql'), '--! no-transaction\nSELECT 1;\n--> statement-breakpoint\nSELECT 2;\n');
  t.deepEqual(
    readSources([join(dir, 'a.sql')], { cwd: dir }).map((s) => [s.format, s.noTransaction]),
    [['drizzle', false]],
  );
  // dbmate's and node-pg-migrate's markers in one file: dbmate.
  writeFileSync(join(dir, 'b.sql'), '-- migrate:up\nSELECT 1;\n-- Up Migration\n');
  t.is(readSources([join(dir, 'b.sql')], { cwd: dir })[0]!.format, 'dbmate');
  // A graphile-migrate header alone: graphile-migrate, its no-transaction honoured.
  writeFileSync(join(dir, 'c.sql'), '--! no-transaction\nSELECT 1;\n');
  t.deepEqual(
    readSources([join(dir, 'c.sql')], { cwd: dir }).map((s) => [s.format, s.noTransaction]),
    [['graphile-migrate', true]],
  );
});

test('FORMAT_TITLES lists every tool for help text: plain SQL first, then alphabetically', (t) => {
  t.is(FORMAT_TITLES, 'plain SQL, Atlas, dbmate, Diesel, Drizzle, Flyway, golang-migrate, goose, graphile-migrate, Liquibase, node-pg-migrate, Prisma, Sqitch, sqlx, Supabase CLI');
});
