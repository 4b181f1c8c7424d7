/** Liquibase's SQL changelogs as Liquibase reads them: formatted SQL changesets, raw SQL files, the order a master changelog gives. Database-free. */
/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: Liquibase's properties are written ${name}: these strings are migration text, not templates */
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { liquibase } from '../../src/migrations/formats/liquibase.js';
import { changelogSqlFiles } from '../../src/migrations/formats/liquibase-changelog.js';
import { tempDir } from '../helpers/temp-dir.js';

const MIW = 'test/corpus/tractusx-miw';

function tree(t: ExecutionContext, files: Record<string, string>): string {
  const dir = tempDir(t, 'liquibase');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const read = (path: string, cwd: string, placeholders: Record<string, string> = {}) => readSources([path], { cwd, placeholders: new Map(Object.entries(placeholders)) });
const summary = (path: string, cwd: string) => read(path, cwd).map((s) => `${s.path} ${s.name}${s.noTransaction ? ' no-transaction' : ''}`);
/** Each migration's statements as 'line kind'. */
const statements = async (path: string, cwd: string) => Promise.all(read(path, cwd).map(async (s) => [s.name, (await parseMigration(s)).statements.map((st) => `${st.line} ${st.kind}`)]));

test('the header claims a file when it is the first non-blank line (a marker); further down, under a licence, only a hint: Liquibase reads that file as raw SQL', (t) => {
  const claim = liquibase.claim!;
  t.is(claim('--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n'), 'marker');
  t.is(claim('\n\n  \n-- Liquibase Formatted SQL\n'), 'marker');
  t.is(claim('/* licence */\n\n-- liquibase formatted sql\n-- changeset a:1\n'), 'hint');
  t.is(claim('SELECT 1;\n'), undefined);
});

test('formatted SQL: one migration per changeset, named author:id, in file order, at the file own lines; rollback, comment and precondition lines are not run', async (t) => {
  const dir = tree(t, {
    'changes.sql': [
      '--liquibase formatted sql',
      '',
      '--changeset alice:1',
      '--comment: the accounts table',
      '--preconditions onFail:MARK_RAN',
      "--precondition-sql-check expectedResult:0 SELECT count(*) FROM pg_tables WHERE tablename = 'accounts'",
      'CREATE TABLE accounts (id int);',
      '--rollback DROP TABLE accounts;',
      '',
      '--changeset "bob smith":"add-email" runInTransaction:false context:prod labels:v2',
      'CREATE INDEX CONCURRENTLY accounts_id ON accounts (id);',
      '/* liquibase rollback',
      'DROP INDEX accounts_id;',
      '*/',
      '--changeset carol:3 dbms:h2',
      'CREATE TABLE h2_only (id int);',
      '--changeset carol:4 dbms:!h2,!oracle',
      'ALTER TABLE accounts ADD note text;',
      '--changeset carol:5 ignore:true',
      'DROP TABLE accounts;',
      '--changeset carol:6 dbms:postgresql,h2',
      'ALTER TABLE accounts ADD other text;',
      '',
    ].join('\n'),
  });
  t.deepEqual(summary(join(dir, 'changes.sql'), dir), ['changes.sql alice:1', 'changes.sql bob smith:add-email no-transaction', 'changes.sql carol:4', 'changes.sql carol:6']);
  t.deepEqual(await statements(join(dir, 'changes.sql'), dir), [
    ['alice:1', ['7 CREATE TABLE']],
    ['bob smith:add-email', ['11 CREATE INDEX CONCURRENTLY']],
    ['carol:4', ['18 ALTER TABLE ADD COLUMN']],
    ['carol:6', ['22 ALTER TABLE ADD COLUMN']],
  ]);
  const [first] = read(join(dir, 'changes.sql'), dir);
  t.notRegex(first!.text, /DROP TABLE|rollback|MARK_RAN/, 'nothing but the changeset SQL is left');
});

test('delimiters: endDelimiter lines and Liquibase default GO and / lines become semicolons; splitStatements:false changes nothing pgmb reads', async (t) => {
  const dir = tree(t, {
    'd.sql': [
      '--liquibase formatted sql',
      '--changeset a:1 endDelimiter:GO splitStatements:false',
      'CREATE TABLE a (id int)',
      'GO',
      'CREATE TABLE b (id int)',
      'go',
      '--changeset a:2',
      'CREATE TABLE c (id int)',
      '/',
      '--changeset a:3 endDelimiter:$$',
      'SELECT 1;',
      '',
    ].join('\n'),
  });
  t.deepEqual(await statements(join(dir, 'd.sql'), dir), [
    ['a:1', ['3 CREATE TABLE', '5 CREATE TABLE']],
    ['a:2', ['8 CREATE TABLE']],
    ['a:3', ['11 SELECT']],
  ]);
});

test('${name} is replaced from --property lines and --placeholder values; an unknown one is left, as Liquibase leaves it', (t) => {
  const dir = tree(t, { 'p.sql': '--liquibase formatted sql\n--property name:table value:accounts\n--changeset a:1\nALTER TABLE ${table} ADD ${column} text; -- ${unknown}\n' });
  t.is(read(join(dir, 'p.sql'), dir, { column: 'note' })[0]!.text.split('\n')[3], 'ALTER TABLE accounts ADD note text; -- ${unknown}');
});

test('what Liquibase refuses in formatted SQL is refused at its line: a changeset with no SQL, "author: id" with a space', (t) => {
  const dir = tree(t, {
    'empty.sql': '--liquibase formatted sql\n--changeset a:1\n--rollback SELECT 1;\n\n--changeset a:2\nSELECT 1;\n',
    'space.sql': '--liquibase formatted sql\n-- changeset andreibogus: add column algorithm\nSELECT 1;\n',
  });
  const e = t.throws(() => read(join(dir, 'empty.sql'), dir), { instanceOf: MigrationFileError });
  t.is(e!.message, 'empty.sql:2:1: changeset a:1 has no SQL: Liquibase refuses it (No SQL for changeset)');
  t.throws(() => read(join(dir, 'space.sql'), dir), { message: /^space\.sql:2:1: .*Liquibase refuses a space after the colon.*--changeset andreibogus:add$/ });
});

test('an XML master changelog gives the order: include (classpath-absolute, relative, relativeToChangelogFile), includeAll in path order, included changelogs followed', (t) => {
  const root = tree(t, {
    'src/main/resources/db/changelog/master.xml': `<?xml version="1.0"?>
<!-- <include file="commented-out.sql"/> -->
<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">
  <include file="/db/changelog/changes/b.sql"/>
  <include file="changes/a.sql" relativeToChangelogFile="true"/>
  <includeAll path="db/changelog/all/"/>
  <include file="db/changelog/more.xml"/>
</databaseChangeLog>`,
    'src/main/resources/db/changelog/changes/a.sql': '--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n',
    'src/main/resources/db/changelog/changes/b.sql': 'SELECT 2;\n',
    'src/main/resources/db/changelog/changes/not-included.sql': 'SELECT 0;\n',
    'src/main/resources/db/changelog/all/02_two.sql': 'SELECT 4;\n',
    'src/main/resources/db/changelog/all/01_one.sql': 'SELECT 3;\n',
    'src/main/resources/db/changelog/all/sub/00_deep.sql': 'SELECT 5;\n',
    'src/main/resources/db/changelog/more.xml': '<databaseChangeLog><include file="changes/c.yaml" relativeToChangelogFile="true"/></databaseChangeLog>',
    'src/main/resources/db/changelog/changes/c.yaml':
      'databaseChangeLog:\n  - include:\n      file: d.sql\n      relativeToChangelogFile: true\n  - include: {file: changes/b.sql, relativeToChangelogFile: false}\n',
    'src/main/resources/db/changelog/changes/d.sql': 'SELECT 6;\n',
  });
  const dir = join(root, 'src/main/resources/db/changelog');
  t.deepEqual(
    liquibase.folder!(dir)!.map((f) => relative(dir, f)),
    ['changes/b.sql', 'changes/a.sql', 'all/01_one.sql', 'all/02_two.sql', 'all/sub/00_deep.sql', 'changes/d.sql'],
  );
  t.deepEqual(
    read(dir, dir).map((s) => `${s.format} ${s.path} ${s.name}`),
    [
      'liquibase changes/b.sql includeAll:raw',
      'liquibase changes/a.sql a:1',
      'liquibase all/01_one.sql includeAll:raw',
      'liquibase all/02_two.sql includeAll:raw',
      'liquibase all/sub/00_deep.sql includeAll:raw',
      'liquibase changes/d.sql includeAll:raw',
    ],
  );
});

test('YAML and JSON masters; Spring locate by spring.liquibase.change-log; a changeSet written in a changelog is refused at its line, not skipped', (t) => {
  const root = tree(t, {
    'svc/src/main/resources/application.yml': 'spring:\n  liquibase:\n    change-log: classpath:/db/main.yaml\n',
    'svc/src/main/resources/db/main.yaml': 'databaseChangeLog:\n  # the schema\n  - include:\n      file: db/sql/one.sql\n',
    'svc/src/main/resources/db/sql/one.sql': 'SELECT 1;\n',
    'json/db/changelog/db.changelog-master.json': '{"databaseChangeLog": [{"include": {"file": "x.sql", "relativeToChangelogFile": true}}]}',
    'json/db/changelog/x.sql': 'SELECT 1;\n',
    'xml/db/changelog/master.xml':
      '<databaseChangeLog>\n  <include file="db/changelog/x.sql"/>\n  <changeSet id="1" author="a">\n    <createTable tableName="t"/>\n  </changeSet>\n</databaseChangeLog>\n',
    'xml/db/changelog/x.sql': 'SELECT 1;\n',
    'yml/db/changelog/master.yml': 'databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - sql:\n            sql: SELECT 1\n',
  });
  t.deepEqual(
    liquibase.locate!(root).map((d) => relative(root, d)),
    ['json/db/changelog', 'svc/src/main/resources/db', 'xml/db/changelog', 'yml/db/changelog'],
  );
  t.deepEqual(
    liquibase.folder!(join(root, 'svc/src/main/resources/db'))!.map((f) => relative(root, f)),
    ['svc/src/main/resources/db/sql/one.sql'],
  );
  t.deepEqual(
    liquibase.folder!(join(root, 'json/db/changelog'))!.map((f) => relative(root, f)),
    ['json/db/changelog/x.sql'],
  );
  const e = t.throws(() => liquibase.folder!(join(root, 'xml/db/changelog')), { instanceOf: MigrationFileError });
  t.regex(e!.message, /master\.xml:3:1: a changeSet written in the changelog itself \(<createTable>\): that is Liquibase's own change language, not SQL/);
  t.throws(() => liquibase.folder!(join(root, 'yml/db/changelog')), { message: /master\.yml:2:1: a changeSet written in the changelog itself \(<sql>\)/ });
});

test('a missing include, an include cycle and a folder of unrelated masters are refused with their place', (t) => {
  const root = tree(t, {
    'missing/master.xml': '<databaseChangeLog>\n<include file="nope.sql" relativeToChangelogFile="true"/>\n</databaseChangeLog>',
    'cycle/a.xml': '<databaseChangeLog><include file="b.xml" relativeToChangelogFile="true"/></databaseChangeLog>',
    'cycle/sub/b.xml': '',
    'two/one.xml': '<databaseChangeLog/>',
    'two/two.xml': '<databaseChangeLog/>',
  });
  writeFileSync(join(root, 'cycle/b.xml'), '<databaseChangeLog><include file="a.xml" relativeToChangelogFile="true"/></databaseChangeLog>');
  t.throws(() => liquibase.folder!(join(root, 'missing')), { message: /master\.xml:2:1: includes "nope\.sql", which is not there/ });
  t.throws(() => changelogSqlFiles(join(root, 'cycle/a.xml')), { message: /includes .*a\.xml, which includes this changelog again/ });
  t.throws(() => liquibase.folder!(join(root, 'two')), { message: /several Liquibase changelogs here and none includes the others \(one\.xml, two\.xml\)/ });
});

test('tractusx-miw: two services, two histories; miw init.sql is formatted (3 changesets), the files with the header under a licence are raw, one changeset each', (t) => {
  t.deepEqual(
    liquibase.locate!(MIW).map((d) => relative(MIW, d)),
    ['miw/src/main/resources/db/changelog', 'revocation-service/src/main/resources/db/changelog'],
  );
  const miw = join(MIW, 'miw/src/main/resources/db/changelog');
  t.deepEqual(summary(miw, miw), [
    'changes/init.sql nitin:1',
    'changes/init.sql nitin:2',
    'changes/init.sql pmanaras:3',
    'changes/create_jti_table.sql includeAll:raw',
    'changes/update_wallet_table.sql includeAll:raw',
  ]);
  const revocation = join(MIW, 'revocation-service/src/main/resources/db/changelog');
  t.deepEqual(summary(revocation, revocation), ['changes/init.sql includeAll:raw'], 'both the postgresql and the h2 changesets run, as raw SQL');
  t.deepEqual(
    summary(join(miw, 'changes'), miw),
    ['changes/init.sql nitin:1', 'changes/init.sql nitin:2', 'changes/init.sql pmanaras:3', 'changes/create_jti_table.sql includeAll:raw', 'changes/update_wallet_table.sql includeAll:raw'],
    'the changes/ folder alone is read in its master order',
  );
});

test('tractusx-miw statements keep the file lines: changeset SQL only, the licence and header lines blank', async (t) => {
  const miw = join(MIW, 'miw/src/main/resources/db/changelog');
  const got = await statements(miw, miw);
  t.deepEqual(
    got.map(([name, s]) => [name, (s as string[]).slice(0, 2)]),
    [
      ['nitin:1', ['4 CREATE TABLE', '20 COMMENT']],
      ['nitin:2', ['80 ALTER TABLE ADD COLUMN']],
      ['pmanaras:3', ['83 ALTER TABLE ADD COLUMN']],
      ['includeAll:raw', ['25 CREATE TABLE', '36 COMMENT']],
      ['includeAll:raw', ['25 ALTER TABLE ADD COLUMN']],
    ],
  );
});
