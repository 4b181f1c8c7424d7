/** Sqitch's deploy scripts as Sqitch deploys them: in sqitch.plan's order, reworked changes from their @tag scripts, sqitch.conf's paths. Database-free. */
import test from 'ava';
import { join } from 'node:path';
import { MigrationFileError, parseMigration, readSources, transactionGroups } from '../../src/migrations/index.js';
import { sqitch } from '../../src/migrations/formats/sqitch.js';
import { readHistory } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

const NASA = 'test/corpus/nasa-apt';
const BY = '2024-01-01T00:00:00Z Ann <ann@example.com>';

/**
 * A plan with a tag, a reworked change (`users`: first deployed from deploy/users@v1.0.sql, then
 * from deploy/users.sql), a nested change name, and a dependency on another project's change.
 */
const PLAN = [
  '%syntax-version=1.0.0',
  '%project=flipr',
  '%uri=https://example.com/flipr#main',
  '',
  `appschema ${BY} # Add the schema`,
  `users [appschema] ${BY} # Add users`,
  `@v1.0 ${BY} # Tag v1.0`,
  '',
  `schemas/api [users other:accounts !legacy] ${BY} # An API schema`,
  `@v1.1 ${BY}`,
  `users [users@v1.0] ${BY} # Rework users`,
  '',
].join('\n');

const PROJECT = {
  'sqitch.plan': PLAN,
  'sqitch.conf': '[core]\n\tengine = pg\n\t# plan_file = sqitch.plan\n\t# top_dir = .\n',
  'deploy/appschema.sql': '-- Deploy flipr:appschema to pg\nBEGIN;\nCREATE SCHEMA flipr;\nCOMMIT;\n',
  'deploy/users@v1.0.sql': 'BEGIN;\nCREATE TABLE flipr.users (name text PRIMARY KEY);\nCOMMIT;\n',
  'deploy/schemas/api.sql': 'CREATE SCHEMA api;\nCREATE INDEX CONCURRENTLY users_name ON flipr.users (name);\n',
  'deploy/users.sql': 'BEGIN;\nALTER TABLE flipr.users ADD COLUMN email text;\nCOMMIT;\n',
  'revert/users.sql': 'BEGIN;\nALTER TABLE flipr.users DROP COLUMN email;\nCOMMIT;\n',
  'verify/users.sql': 'SELECT email FROM flipr.users WHERE false;\n',
};

test('Sqitch: deploy scripts in plan order, a reworked change first from its @tag script then from its own, revert/ and verify/ unread', (t) => {
  const dir = writeTree(tempDir(t, 'sqitch'), PROJECT);
  const sources = readSources([dir], { cwd: dir });
  t.deepEqual(
    sources.map((s) => [s.format, s.name, s.path, s.noTransaction]),
    [
      ['sqitch', 'appschema', 'deploy/appschema.sql', false],
      // Rework tags, best first: v1.1 (on the change after it), then v1.0 (its own): users@v1.1.sql is not there, users@v1.0.sql is.
      ['sqitch', 'users@v1.0', 'deploy/users@v1.0.sql', false],
      // No BEGIN of its own: psql autocommits each statement.
      ['sqitch', 'schemas/api', 'deploy/schemas/api.sql', true],
      ['sqitch', 'users', 'deploy/users.sql', false],
    ],
  );
  t.is(sources[3]!.text, PROJECT['deploy/users.sql']);
});

test("Sqitch: a script's own BEGIN/COMMIT is its transaction; without them psql autocommits each statement", async (t) => {
  const dir = writeTree(tempDir(t, 'sqitch'), PROJECT);
  const migrations = await Promise.all(readSources([dir], { cwd: dir }).map(parseMigration));
  t.deepEqual(
    transactionGroups(migrations, 'file').map((g) => [g.inTransaction, g.statements.map((s) => `${s.file} ${s.line} ${s.kind}`)]),
    [
      [true, ['deploy/appschema.sql 3 CREATE SCHEMA']],
      [true, ['deploy/users@v1.0.sql 2 CREATE TABLE']],
      [false, ['deploy/schemas/api.sql 1 CREATE SCHEMA']],
      [false, ['deploy/schemas/api.sql 2 CREATE INDEX CONCURRENTLY']],
      [true, ['deploy/users.sql 2 ALTER TABLE ADD COLUMN']],
    ],
  );
});

test("Sqitch: another project's change in the brackets is noted in the history read, not followed", (t) => {
  const dir = writeTree(tempDir(t, 'sqitch'), PROJECT);
  t.deepEqual(readHistory([dir]).notes, [`${join(dir, 'sqitch.plan')}:9: change "schemas/api" depends on other:accounts, a change of project other: not read (pgmb reads this plan's changes only)`]);
  t.deepEqual(readHistory([NASA]).notes, [], 'from the project root');
  t.deepEqual(readHistory([join(NASA, 'db')]).notes, []);
});

test('Sqitch: sqitch.conf\'s top_dir, plan_file and deploy_dir, [engine "pg"] before [core], relative to the config\'s folder; the deploy folder given alone', (t) => {
  const dir = writeTree(tempDir(t, 'sqitch'), {
    'sqitch.conf': '[core]\n  engine = pg\n  top_dir = db\n  plan_file = db/plans/main.plan ; a comment\n  deploy_dir = db/unused\n[engine "pg"]\n  deploy_dir = "db/pg deploy"\n',
    'db/plans/main.plan': `%project=p\n\nb ${BY}\na ${BY}\n`,
    'db/pg deploy/a.sql': 'SELECT 1;\n',
    'db/pg deploy/b.sql': 'SELECT 2;\n',
  });
  t.deepEqual(
    readSources([dir], { cwd: dir }).map((s) => s.path),
    ['db/pg deploy/b.sql', 'db/pg deploy/a.sql'],
  );
  const plain = writeTree(tempDir(t, 'sqitch'), PROJECT);
  t.deepEqual(
    readSources([join(plain, 'deploy')], { cwd: plain }).map((s) => s.name),
    ['appschema', 'users@v1.0', 'schemas/api', 'users'],
  );
});

test('Sqitch: a plan naming a missing script, a change twice without a tag, a tag before any change: refused at plan file:line', (t) => {
  const bad = (files: Record<string, string>) => t.throws(() => readSources([writeTree(tempDir(t, 'sqitch'), files)]), { instanceOf: MigrationFileError }).message;
  t.regex(bad({ 'sqitch.plan': PLAN, 'deploy/appschema.sql': 'SELECT 1;\n' }), /sqitch\.plan:6:1: change "users": its deploy script .*deploy\/users@v1\.1\.sql is missing/);
  t.regex(bad({ 'sqitch.plan': `%project=p\n\na ${BY}\nb ${BY}\na ${BY}\n` }), /sqitch\.plan:5:1: change "a" again with no tag since line 3/);
  t.regex(bad({ 'sqitch.plan': `%project=p\n\n@v1 ${BY}\n` }), /sqitch\.plan:3:1: tag @v1 before any change/);
  t.regex(bad({ 'sqitch.plan': `\na ${BY}\n` }), /sqitch\.plan:2:1: a change before the %project pragma/);
});

test('Sqitch locate: the folder of sqitch.conf or sqitch.plan, one per plan', (t) => {
  t.deepEqual(sqitch.locate!(NASA), [join(NASA, 'db')]);
  const dir = writeTree(tempDir(t, 'sqitch'), { 'sqitch.conf': '[core]\n  top_dir = db\n', 'db/sqitch.plan': `%project=p\n\na ${BY}\n`, 'db/deploy/a.sql': 'SELECT 1;\n' });
  t.deepEqual(sqitch.locate!(dir), [dir]);
});

test('nasa-apt: 22 changes in plan order, three tags between them, each script carrying its own BEGIN/COMMIT', async (t) => {
  const [db] = sqitch.locate!(NASA);
  const sources = readSources([db!], { cwd: NASA });
  t.is(sources.length, 22);
  t.is(sources[0]!.name, 'appschema');
  t.is(sources[4]!.name, 'owner_authors_reviewers', 'after the @v2.0.0-beta1 tag line');
  t.is(sources.at(-1)!.name, 'remove_reviewer_info_in_atbd_version');
  t.true(sources.every((s) => !s.noTransaction && s.path.startsWith('db/deploy/')));
  const groups = transactionGroups([await parseMigration(sources[1]!)], 'file');
  t.deepEqual(
    groups.map((g) => g.inTransaction),
    [true],
    'deploy/tables.sql runs as one BEGIN ... COMMIT',
  );
});
