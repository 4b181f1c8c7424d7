/** Flyway's SQL migrations as Flyway reads them: names and order, locations, placeholders, its transaction rule. Database-free. */
/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flyway's placeholders are written ${name}: these strings are migration text, not templates */
import test, { type ExecutionContext } from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { discover } from '../../src/migrations/discover.js';
import { MigrationFileError, readSources } from '../../src/migrations/index.js';
import { compareVersions, flyway, flywayHistories, flywayName, flywayOrder } from '../../src/migrations/formats/flyway.js';
import { flywayNoTransaction, scanStatements } from '../../src/migrations/formats/flyway-transactions.js';
import { planTry } from '../../src/try/plan.js';
import { tempDir } from '../helpers/temp-dir.js';

const CONDUCTOR = 'test/corpus/conductor';
const CONDUCTOR_DB = join(CONDUCTOR, 'postgres-persistence/src/main/resources/db');

/** Files written under a fresh folder: path → text. */
function tree(t: ExecutionContext, files: Record<string, string>): string {
  const dir = tempDir(t, 'flyway');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const base = (files: string[]) => files.map((f) => f.split('/').pop());
/** readSources of one file or folder, with --placeholder values. */
const read = (path: string, placeholders: Record<string, string> = {}) => readSources([path], { placeholders: new Map(Object.entries(placeholders)), cwd: dirname(path) });

test('Flyway file names: V<version>__<description>, versions split at . or _, R__ repeatables, B baselines; the rest is not a migration', (t) => {
  t.deepEqual(flywayName('V2_1__add_col.sql'), { kind: 'V', version: [2n, 1n], versionText: '2.1', description: 'add col' });
  t.deepEqual(flywayName('db/V13.1__workflow_index_columns.sql')?.version, [13n, 1n]);
  t.deepEqual(flywayName('V1.0.0__x.sql')?.version, [1n], 'trailing zero parts do not count');
  t.deepEqual(flywayName('V1.sql'), { kind: 'V', version: [1n], versionText: '1', description: '' });
  t.deepEqual(flywayName('R__refresh_views.sql'), { kind: 'R', description: 'refresh views' });
  t.is(flywayName('B5__baseline.sql')?.kind, 'B');
  for (const ignored of ['V1_init.sql', 'v1__lower.sql', 'R1__versioned_repeatable.sql', 'U1__undo.sql', 'V__no_version.sql', 'V1__x.txt', 'afterMigrate.sql', 'V1a__x.sql', 'V1..2__x.sql']) {
    t.is(flywayName(ignored), undefined, ignored);
  }
});

test('versions compare part by part as numbers: 2 < 2.1 < 10, 1.0 = 1', (t) => {
  const v = (s: string) => flywayName(`V${s}__x.sql`)!.version!;
  t.true(compareVersions(v('2'), v('2.1')) < 0);
  t.true(compareVersions(v('2.1'), v('10')) < 0);
  t.true(compareVersions(v('2.10'), v('2.9')) > 0);
  t.is(compareVersions(v('1.0'), v('1')), 0);
});

test('flywayOrder: versioned by version, then repeatables by description as Java compares strings; ignored names left out', (t) => {
  const files = [
    'a/V10__ten.sql',
    'b/R__b_view.sql',
    'a/V2__two.sql',
    'b/V2.1__two_one.sql',
    'a/R__a_view.sql',
    'a/R__B_upper.sql',
    'a/U2__undo.sql',
    'a/beforeMigrate.sql',
    'a/V1_bad.sql',
    'a/notes.txt',
  ];
  t.deepEqual(flywayOrder(files), ['a/V2__two.sql', 'b/V2.1__two_one.sql', 'a/V10__ten.sql', 'a/R__B_upper.sql', 'a/R__a_view.sql', 'b/R__b_view.sql']);
  t.deepEqual(flywayOrder(['a/V1__x.sql', 'a/V1__x.sql']), ['a/V1__x.sql'], 'the same file twice counts once');
});

test('flywayOrder refuses two migrations of one version (1.0 is 1) and two repeatables of one description, as Flyway does', (t) => {
  const e = t.throws(() => flywayOrder(['a/V1__x.sql', 'b/V1.0__y.sql']), { instanceOf: MigrationFileError });
  t.regex(e!.message, /^b\/V1\.0__y\.sql:1:1: version 1\.0 again \(also a\/V1__x\.sql\): Flyway refuses two migrations with one version/);
  t.throws(() => flywayOrder(['a/R__views.sql', 'b/R__views.sql']), { message: /repeatable description "views" again/ });
});

test('a baseline migration stands for the versions up to it on an empty database; later ones and repeatables still run', (t) => {
  t.deepEqual(base(flywayOrder(['V1__a.sql', 'V2__b.sql', 'B2__base.sql', 'V3__c.sql', 'B1__old.sql', 'R__v.sql'])), ['B2__base.sql', 'V3__c.sql', 'R__v.sql']);
});

test('conductor: three locations are one history, merged by version (V10.1 from _notify between V10 and V11, V13.2 and V18.1 from _data)', (t) => {
  const histories = flywayHistories(CONDUCTOR);
  t.is(histories.length, 1);
  t.deepEqual(
    histories[0]!.map((d) => relative(CONDUCTOR_DB, d)),
    ['migration_postgres', 'migration_postgres_data', 'migration_postgres_notify'],
  );
  t.deepEqual(
    discover(CONDUCTOR).map((h) => h.dirs),
    histories,
    'discovery finds the one history',
  );
  const merged = flywayOrder(histories[0]!.flatMap((d) => flyway.folder!(d)!));
  t.is(merged.length, 21);
  const sources = readSources(merged);
  t.deepEqual(
    sources.map((s) => s.name),
    ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8', 'V9', 'V10', 'V10.1', 'V11', 'V12', 'V13.1', 'V13.2', 'V14', 'V15', 'V16', 'V17', 'V18', 'V18.1'].map(
      (v, i) => `${v}__${merged[i]!.split('__')[1]!.replace(/\.sql$/, '')}`,
    ),
  );
  t.true(sources.every((s) => s.format === 'flyway'));
  t.deepEqual(
    sources.filter((s) => s.noTransaction).map((s) => s.name),
    ['V9__indexing_index_fix'],
    'only V9, all CREATE/DROP INDEX CONCURRENTLY, runs outside a transaction',
  );
  t.deepEqual(base(flyway.folder!(join(CONDUCTOR_DB, 'migration_postgres'))!).slice(8, 14), [
    'V9__indexing_index_fix.sql',
    'V10__poll_data_check.sql',
    'V11__locking.sql',
    'V12__task_index_columns.sql',
    'V13.1__workflow_index_columns.sql',
    'V14__parent_workflow_id.sql',
  ]);
});

test('conductor through pgmb try reading: V9 is statement by statement outside a transaction, the rest in one each', async (t) => {
  const p = await planTry({ paths: [join(CONDUCTOR_DB, 'migration_postgres')], schema: [], measure: 'V9__*', transaction: 'file' });
  t.deepEqual(
    p.groups.map((g) => [g.inTransaction, g.statements.map((s) => `${s.line} ${s.kind}`)]),
    [
      [false, ['2 DROP INDEX CONCURRENTLY']],
      [false, ['4 CREATE INDEX CONCURRENTLY']],
      [false, ['7 DROP INDEX CONCURRENTLY']],
      [false, ['8 DROP INDEX CONCURRENTLY']],
      [false, ['10 CREATE INDEX CONCURRENTLY']],
      [false, ['12 CREATE INDEX CONCURRENTLY']],
    ],
  );
  t.is(p.schema.length, 8);
});

test('a folder of V__ files is Flyway (it was plain SQL): subfolders scanned, other names ignored, a lone file named by its name', (t) => {
  const dir = tree(t, {
    'V1__accounts.sql': 'CREATE TABLE a (id int);\n',
    'sub/V1.1__more.sql': 'ALTER TABLE a ADD b int;\n',
    'R__view.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n',
    'readme.sql': 'SELECT 1;\n',
    'V2__x.sql.conf': 'executeInTransaction=true\n',
  });
  t.deepEqual(
    readSources([dir], { cwd: dir }).map((s) => `${s.format} ${s.path} ${s.name}`),
    ['flyway V1__accounts.sql V1__accounts', 'flyway sub/V1.1__more.sql V1.1__more', 'flyway R__view.sql R__view'],
  );
  t.deepEqual(
    read(join(dir, 'sub/V1.1__more.sql')).map((s) => `${s.format} ${s.name}`),
    ['flyway V1.1__more'],
  );
});

test('placeholders: --placeholder values (any case), Flyway defaults, everywhere in the text; lines kept', (t) => {
  const dir = tree(t, {
    'V1__p.sql':
      "-- for ${Owner}\nCREATE TABLE ${flyway:defaultSchema}.${table} (id int);\nGRANT SELECT ON ${TABLE} TO ${flyway:user};\nCOMMENT ON TABLE ${table} IS '${flyway:filename} in ${flyway:table}';\n",
  });
  const [s] = read(join(dir, 'V1__p.sql'), { table: 'accounts', owner: 'app' });
  t.is(s!.text, "-- for app\nCREATE TABLE public.accounts (id int);\nGRANT SELECT ON accounts TO CURRENT_USER;\nCOMMENT ON TABLE accounts IS 'V1__p.sql in flyway_schema_history';\n");
  const [ts] = read(tree(t, { 'V1__t.sql': "SELECT '${flyway:timestamp}', '${flyway:workingDirectory}';\n" }));
  t.regex(ts!.text, /^SELECT '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', '.+';\n$/);
});

test('an unknown placeholder names file:line:col and how to give it; flyway:database says why pgmb has none', (t) => {
  const dir = tree(t, {
    'V1__p.sql': 'SELECT 1;\nINSERT INTO t VALUES (${tenant});\n',
    'V2__db.sql': 'ALTER DATABASE ${flyway:database} SET timezone TO UTC;\n',
    'V3__bad.sql': 'SELECT ${flyway:nope};\n',
  });
  const e = t.throws(() => read(join(dir, 'V1__p.sql')), { instanceOf: MigrationFileError });
  t.is(
    e!.message,
    'V1__p.sql:2:23: no value for the placeholder ${tenant} (Flyway would stop: "No value provided for placeholder"): pass --placeholder tenant=VALUE (or set flyway.placeholders.tenant in flyway.conf)',
  );
  t.throws(() => read(join(dir, 'V2__db.sql')), { message: /^V2__db\.sql:1:16: \$\{flyway:database\} is the database Flyway connects to.*--placeholder flyway:database=NAME/ });
  t.is(read(join(dir, 'V2__db.sql'), { 'flyway:database': 'app' })[0]!.text, 'ALTER DATABASE app SET timezone TO UTC;\n');
  t.throws(() => read(join(dir, 'V3__bad.sql')), { message: /not one of Flyway's default placeholders/ });
});

test("placeholders and switches from the project's flyway.conf, flyway.toml or Spring application file; --placeholder wins", (t) => {
  const conf = tree(t, {
    'flyway.conf': 'flyway.placeholders.tenant=acme\nflyway.placeholders.schema = billing\nflyway.defaultSchema=core\n',
    'sql/V1__p.sql': 'SELECT ${tenant}, ${schema}, ${flyway:defaultSchema};\n',
  });
  t.is(read(join(conf, 'sql/V1__p.sql'))[0]!.text, 'SELECT acme, billing, core;\n');
  t.is(read(join(conf, 'sql/V1__p.sql'), { tenant: 'cli' })[0]!.text, 'SELECT cli, billing, core;\n');
  const toml = tree(t, { 'flyway.toml': '[flyway]\nlocations = ["filesystem:migrations"]\nplaceholderReplacement = false\n', 'migrations/V1__p.sql': 'SELECT ${left_alone};\n' });
  t.is(read(join(toml, 'migrations/V1__p.sql'))[0]!.text, 'SELECT ${left_alone};\n');
  const spring = tree(t, {
    'src/main/resources/application.yml': 'spring:\n  flyway:\n    placeholders:\n      tenant: springy\n',
    'src/main/resources/db/migration/V1__p.sql': 'SELECT ${tenant};\n',
  });
  t.is(read(join(spring, 'src/main/resources/db/migration/V1__p.sql'))[0]!.text, 'SELECT springy;\n');
  const props = tree(t, { 'src/main/resources/application.properties': 'spring.flyway.placeholders.a=1\n', 'src/main/resources/db/migration/V2__q.sql': 'SELECT ${b};\n' });
  const e = t.throws(() => read(join(props, 'src/main/resources/db/migration/V2__q.sql')));
  t.regex(e!.message, /pass --placeholder b=VALUE \(or set it in .*application\.properties\)$/);
});

test("Flyway's statement scan: first words outside parentheses, comments, strings, dollar quotes and BEGIN ATOMIC bodies", (t) => {
  const text = [
    "-- CREATE INDEX CONCURRENTLY in a comment\nSELECT 'CREATE INDEX CONCURRENTLY; VACUUM';",
    '/* nested /* VACUUM; */ still */ CREATE UNIQUE INDEX CONCURRENTLY i ON t (a);',
    "DO $body$ BEGIN EXECUTE 'VACUUM'; END $body$;",
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;',
    "SELECT E'it\\'s; VACUUM', \"odd;name\" FROM (SELECT 1) s;",
    'vacuum analyze t',
  ].join('\n');
  const statements = scanStatements(text);
  t.deepEqual(
    statements.map((s) => [s.line, s.words.slice(0, 4).join(' '), flywayNoTransaction(s)]),
    [
      [2, 'SELECT', false],
      [3, 'CREATE UNIQUE INDEX CONCURRENTLY', true],
      [4, 'DO', false],
      [5, 'CREATE FUNCTION F RETURNS', false],
      [6, 'SELECT E FROM S', false],
      [7, 'VACUUM ANALYZE T', true],
    ],
  );
});

test("Flyway's transaction rule: a statement it knows cannot run in one makes the file non-transactional; mixing is refused unless mixed=true or the script config decides", (t) => {
  const dir = tree(t, {
    'a/V1__concurrently.sql': 'CREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;\n',
    'a/V2__mixed.sql': 'ALTER TABLE t ADD b int;\n\nCREATE INDEX CONCURRENTLY i2 ON t (b);\n',
    'a/V3__conf.sql': 'ALTER TABLE t ADD c int;\nCREATE INDEX CONCURRENTLY i3 ON t (c);\n',
    'a/V3__conf.sql.conf': '# a script configuration\nexecuteInTransaction=false\n',
    'a/V4__plain.sql': 'ALTER TABLE t ADD d int;\n',
    'b/flyway.conf': 'flyway.mixed=true\n',
    'b/V1__mixed.sql': 'ALTER TABLE t ADD b int;\nCREATE INDEX CONCURRENTLY i2 ON t (b);\n',
  });
  const noTx = (file: string) => read(join(dir, file)).map((s) => s.noTransaction)[0];
  t.true(noTx('a/V1__concurrently.sql'));
  t.false(noTx('a/V4__plain.sql'));
  t.true(noTx('a/V3__conf.sql'), 'executeInTransaction=false decides, and mixing is not refused then');
  t.true(noTx('b/V1__mixed.sql'), 'mixed=true: all of it outside a transaction');
  const e = t.throws(() => read(join(dir, 'a/V2__mixed.sql')), { instanceOf: MigrationFileError });
  t.is(
    e!.message,
    'V2__mixed.sql:3:1: Flyway refuses this migration: CREATE INDEX CONCURRENTLY (line 3) runs outside a transaction and ALTER TABLE (line 1) inside one, and mixed is false. Split the file, or set flyway.mixed=true (all of it then runs outside a transaction)',
  );
});

test('a file Flyway would run in a transaction around a statement PostgreSQL refuses there is refused before anything runs', (t) => {
  const dir = tree(t, {
    'V1__reindex.sql': 'REINDEX TABLE CONCURRENTLY t;\n',
    'V2__detach.sql': 'ALTER TABLE parent DETACH PARTITION part CONCURRENTLY;\n',
    'V3__forced.sql': 'CREATE INDEX CONCURRENTLY i ON t (a);\n',
    'V3__forced.sql.conf': 'executeInTransaction=true\n',
    'V4__schema.sql': 'REINDEX SCHEMA CONCURRENTLY app;\n',
    'V5__copy.sql': 'COPY t (a) FROM stdin;\n1\n\\.\n',
  });
  t.throws(() => read(join(dir, 'V1__reindex.sql')), {
    message:
      /^V1__reindex\.sql:1:1: Flyway runs this file in a transaction \(its PostgreSQL rule .*\), and PostgreSQL refuses REINDEX TABLE CONCURRENTLY inside a transaction block: add V1__reindex\.sql\.conf with executeInTransaction=false$/,
  });
  t.throws(() => read(join(dir, 'V2__detach.sql')), { message: /refuses ALTER TABLE \.\.\. DETACH PARTITION \.\.\. CONCURRENTLY inside a transaction block/ });
  t.throws(() => read(join(dir, 'V3__forced.sql')), {
    message:
      /V3__forced\.sql\.conf sets executeInTransaction=true, so Flyway runs this file in a transaction, and PostgreSQL refuses CREATE INDEX CONCURRENTLY inside a transaction block: set executeInTransaction=false in V3__forced\.sql\.conf$/,
  });
  t.true(read(join(dir, 'V4__schema.sql'))[0]!.noTransaction, 'REINDEX SCHEMA is in Flyway rule');
  t.throws(() => read(join(dir, 'V5__copy.sql')), { message: /^V5__copy\.sql:1:1: COPY \.\.\. FROM STDIN/ });
});

test('locate: flyway.conf and flyway.toml locations (filesystem: beside the file, classpath: under src/main/resources), Spring locations with {vendor}, defaults per module', (t) => {
  const root = tree(t, {
    'flyway.conf': 'flyway.locations=filesystem:sql/main, classpath:db/extra\n',
    'sql/main/V1__a.sql': 'SELECT 1;\n',
    'src/main/resources/db/extra/V2__b.sql': 'SELECT 2;\n',
    'src/main/resources/db/migration/V9__not_located.sql': 'SELECT 9;\n',
    'svc-a/src/main/resources/application.properties': 'spring.flyway.locations=classpath:db/migration/{vendor},classpath:db/common\n',
    'svc-a/src/main/resources/db/migration/postgresql/V1__pg.sql': 'SELECT 1;\n',
    'svc-a/src/main/resources/db/migration/h2/V1__h2.sql': 'SELECT 1;\n',
    'svc-a/src/main/resources/db/common/V2__common.sql': 'SELECT 2;\n',
    'svc-b/src/main/resources/db/migration/V1__b.sql': 'SELECT 1;\n',
    'svc-b/src/main/resources/db/migration_mysql/V1__my.sql': 'SELECT 1;\n',
    'svc-c/src/main/resources/application.yml': 'spring:\n  flyway:\n    enabled: false\n',
    'svc-c/src/main/resources/db/migration/V1__off.sql': 'SELECT 1;\n',
    'tool/flyway.toml': '[flyway]\nlocations = [\n  "filesystem:migrations",\n]\n',
    'tool/migrations/V1__t.sql': 'SELECT 1;\n',
    'node_modules/x/db/migration/V1__dep.sql': 'SELECT 1;\n',
  });
  t.deepEqual(
    flywayHistories(root).map((h) => h.map((d) => relative(root, d))),
    [
      ['sql/main', 'src/main/resources/db/extra'],
      ['svc-a/src/main/resources/db/migration/postgresql', 'svc-a/src/main/resources/db/common'],
      ['svc-b/src/main/resources/db/migration'],
      ['tool/migrations'],
    ],
  );
  const noVendorFolder = tree(t, { 'src/main/resources/db/migration/postgres/V1__a.sql': '', 'src/main/resources/db/migration/mysql/V1__a.sql': '' });
  t.deepEqual(
    flywayHistories(noVendorFolder).map((h) => h.map((d) => relative(noVendorFolder, d))),
    [['src/main/resources/db/migration/postgres']],
  );
});
