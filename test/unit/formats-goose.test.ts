/** goose (pressly/goose): its folder, version order, up section, annotations, ENVSUB, errors, and openfga's real history. Database-free. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: goose ENVSUB sources, whose ${VAR} is goose's, not JavaScript's
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goose } from '../../src/migrations/formats/goose.js';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = 'test/fixtures/migrations/goose';
const OPENFGA = 'test/corpus/openfga';

/** Each statement of one file's up part as 'line KIND'. */
const statements = async (source: Parameters<typeof parseMigration>[0]) => (await parseMigration(source)).statements.map((s) => `${s.line} ${s.kind}`);

/** The migrations of a temp folder holding the given files, read with the given placeholders. */
function readTemp(t: Parameters<typeof tempDir>[0], files: Record<string, string>, placeholders: Record<string, string> = {}) {
  const dir = tempDir(t, 'goose');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return readSources([dir], { cwd: dir, placeholders: new Map(Object.entries(placeholders)) });
}

test('goose: version order (10 after 00002), named by the file, NO TRANSACTION honoured', (t) => {
  const read = readSources([FIXTURE]);
  t.deepEqual(
    read.map((m) => [m.format, m.name, m.noTransaction]),
    [
      ['goose', '00001_accounts.sql', false],
      ['goose', '00002_email_index.sql', true],
      ['goose', '10_note.sql', false],
    ],
  );
});

test('goose: the up section only, a StatementBegin block whole, annotations blanked, lines kept', async (t) => {
  const [accounts, index, note] = readSources([FIXTURE]);
  t.deepEqual(await statements(accounts!), ['2 CREATE TABLE', '5 CREATE FUNCTION'], 'the Down section (DROP FUNCTION, DROP TABLE) is not run');
  t.deepEqual(await statements(index!), ['3 CREATE INDEX CONCURRENTLY']);
  t.deepEqual(await statements(note!), ['3 COMMENT'], 'a lower-case "-- +goose up" is an annotation too');
  t.notRegex(accounts!.text, /\+goose/);
  t.is(accounts!.text.split('\n').length, 16, 'the text keeps every line of the file');
});

test('goose: NO TRANSACTION anywhere in the file, even in the Down section, runs it all outside a transaction', (t) => {
  const [m] = readTemp(t, { '1_x.sql': '-- +goose Up\nCREATE INDEX CONCURRENTLY i ON a (b);\n-- +goose Down\n-- +goose NO TRANSACTION\nDROP INDEX i;\n' });
  t.true(m!.noTransaction);
});

test('goose: ENVSUB ON expands ${VAR} from --placeholder, else the environment, until ENVSUB OFF; $$ stays', async (t) => {
  process.env.PGMB_GOOSE_TEST_SCHEMA = 'from_env';
  t.teardown(() => delete process.env.PGMB_GOOSE_TEST_SCHEMA);
  const text = [
    '-- +goose ENVSUB ON',
    '-- +goose Up',
    'CREATE TABLE ${REGION}_t (id int);',
    'CREATE TABLE ${PGMB_GOOSE_TEST_SCHEMA}.t (id int);',
    'CREATE TABLE t${UNSET_VAR} (id int);',
    'CREATE TABLE ${UNSET_VAR:-fallback} (id int);',
    "DO $$ BEGIN RAISE NOTICE '${REGION:0:2}'; END $$;",
    '-- +goose ENVSUB OFF',
    "SELECT '${REGION}';",
    '',
  ].join('\n');
  const [m] = readTemp(t, { '1_x.sql': text }, { REGION: 'eu_west' });
  const lines = m!.text.split('\n');
  t.deepEqual(lines.slice(2, 9), [
    'CREATE TABLE eu_west_t (id int);',
    'CREATE TABLE from_env.t (id int);',
    'CREATE TABLE t (id int);',
    'CREATE TABLE fallback (id int);',
    "DO $$ BEGIN RAISE NOTICE 'eu'; END $$;",
    ' '.repeat('-- +goose ENVSUB OFF'.length),
    "SELECT '${REGION}';",
  ]);
  t.deepEqual(await statements(m!), ['3 CREATE TABLE', '4 CREATE TABLE', '5 CREATE TABLE', '6 CREATE TABLE', '7 DO', '9 SELECT']);
});

test('goose: ${VAR?message} on an unset variable fails as goose does, at its file:line', (t) => {
  const err = t.throws(() => readTemp(t, { '1_x.sql': '-- +goose ENVSUB ON\n-- +goose Up\nSELECT 1;\nCREATE TABLE ${NOPE?set NOPE first} (id int);\n' }), { instanceOf: MigrationFileError });
  t.regex(err!.message, /1_x\.sql:4:14: .*\$NOPE: set NOPE first/);
});

/** Malformed goose files, each beside a good one in a goose folder: the file's text and what the error must say, file:line first. */
const BAD: { name: string; text: string; expect: RegExp }[] = [
  { name: 'an unknown annotation', text: '-- +goose Up\nSELECT 1;\n-- +goose Downn\n', expect: /2_x\.sql:3:1: goose refuses the annotation "-- \+goose Downn": it is not one of/ },
  { name: 'whitespace before the annotation', text: '  -- +goose Up\nSELECT 1;\n', expect: /2_x\.sql:1:1: .*no whitespace may come before "--"/ },
  { name: 'two +goose on one line', text: '-- +goose +goose Up\nSELECT 1;\n', expect: /2_x\.sql:1:1: .*two "\+goose"/ },
  { name: 'a second Up', text: '-- +goose Up\nSELECT 1;\n-- +goose Up\nSELECT 2;\n', expect: /2_x\.sql:3:1: a second "-- \+goose Up"/ },
  { name: 'Down before Up', text: '-- +goose Down\nSELECT 1;\n-- +goose Up\nSELECT 2;\n', expect: /2_x\.sql:1:1: "-- \+goose Down" must come once, after "-- \+goose Up"/ },
  { name: 'no Up at all', text: '-- just a comment\n', expect: /2_x\.sql:1:1: no "-- \+goose Up" line/ },
  { name: 'SQL before Up', text: 'SELECT 0;\n-- +goose Up\nSELECT 1;\n', expect: /2_x\.sql:1:1: SQL before "-- \+goose Up"/ },
  {
    name: 'StatementBegin without StatementEnd',
    text: '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n',
    expect: /2_x\.sql:2:1: "-- \+goose StatementBegin" without its "-- \+goose StatementEnd"/,
  },
  { name: 'StatementEnd without StatementBegin', text: '-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n', expect: /2_x\.sql:3:1: "-- \+goose StatementEnd" without/ },
  { name: 'Down inside a StatementBegin block', text: '-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose Down\n', expect: /2_x\.sql:4:1: "-- \+goose Down" must come once/ },
];

for (const bad of BAD) {
  test(`goose refuses ${bad.name}, naming file:line`, (t) => {
    const err = t.throws(() => readTemp(t, { '1_ok.sql': '-- +goose Up\nSELECT 1;\n', '2_x.sql': bad.text }), { instanceOf: MigrationFileError });
    t.regex(err!.message, bad.expect);
  });
}

test('goose refuses a folder file without a version, and a duplicate version', (t) => {
  const noVersion = t.throws(() => readTemp(t, { '1_a.sql': '-- +goose Up\nSELECT 1;\n', 'schema.sql': 'SELECT 2;\n' }), { instanceOf: MigrationFileError });
  t.regex(noVersion!.message, /schema\.sql:1:1: goose reads a migration version from its name/);
  const twice = t.throws(() => readTemp(t, { '1_a.sql': '-- +goose Up\nSELECT 1;\n', '01_b.sql': '-- +goose Up\nSELECT 2;\n' }), { instanceOf: MigrationFileError });
  t.regex(twice!.message, /01_b\.sql:1:1: version 1 again \(also 1_a\.sql\)/);
});

test('openfga (goose): 6 migrations 001..006, the last outside a transaction, its Down section not run', async (t) => {
  const read = readSources([join(OPENFGA, 'assets/migrations/postgres')]);
  t.is(read.length, 6);
  t.true(read.every((m) => m.format === 'goose'));
  t.is(read[0]!.name, '001_initialize_schema.sql');
  t.is(read.at(-1)!.name, '006_add_collate_index.sql');
  t.deepEqual(
    read.filter((m) => m.noTransaction).map((m) => m.name),
    ['006_add_collate_index.sql'],
  );
  const last = await parseMigration(read.at(-1)!);
  t.deepEqual(
    last.statements.map((s) => `${s.line} ${s.sql.split('\n')[0]}`),
    ['3 CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_user_lookup on tuple (', '11 DROP INDEX CONCURRENTLY IF EXISTS idx_reverse_lookup_user'],
  );
});

test('goose.locate finds the folders of goose-annotated files under a project root', (t) => {
  t.deepEqual(goose.locate!(OPENFGA), [join(OPENFGA, 'assets/migrations/postgres')]);
});
