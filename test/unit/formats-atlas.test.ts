/** Atlas: atlas.sum order, file directives (txmode, checkpoint), atlas.hcl's migration dirs, and openmeter's real history over golang-migrate names. Database-free. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: an atlas.hcl source, whose ${var.x} is HCL's, not JavaScript's
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { atlas } from '../../src/migrations/formats/atlas.js';
import { MigrationFileError, parseMigration, readSources } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = 'test/fixtures/migrations/atlas';
const OPENMETER = 'test/corpus/openmeter';

/** A temp folder with the given files and an atlas.sum listing `sum` (the hashes are not checked: only Atlas's own hashing could). */
function atlasDir(t: Parameters<typeof tempDir>[0], files: Record<string, string>, sum = Object.keys(files)) {
  const dir = tempDir(t, 'atlas');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'atlas.sum'), `h1:sum=\n${sum.map((name) => `${name} h1:hash=`).join('\n')}\n`);
  return { dir, read: () => readSources([dir], { cwd: dir }) };
}

test('Atlas: atlas.sum order, named <version>_<name>, atlas:txmode none honoured only as a file directive', async (t) => {
  const read = readSources([join(FIXTURE, 'migrations')]);
  t.deepEqual(
    read.map((m) => [m.format, m.name, m.noTransaction]),
    [
      ['atlas', '20240101000000_accounts', false],
      ['atlas', '20240201000000_email_index', true],
      ['atlas', '20240301000000_note', false],
    ],
  );
  t.deepEqual(
    (await parseMigration(read[1]!)).statements.map((s) => `${s.line} ${s.kind}`),
    ['4 CREATE INDEX CONCURRENTLY'],
  );
});

test('Atlas: the sum decides the order and which files run', (t) => {
  const { read } = atlasDir(t, { '2_b.sql': 'SELECT 2;\n', '1_a.sql': 'SELECT 1;\n', '10_c.sql': 'SELECT 3;\n' }, ['1_a.sql', '10_c.sql', '2_b.sql']);
  t.deepEqual(
    read().map((m) => m.name),
    ['1_a', '10_c', '2_b'],
  );
});

test('Atlas: a new database starts at the last atlas:checkpoint file', (t) => {
  const { read } = atlasDir(t, {
    '1_a.sql': 'CREATE TABLE a (id int);\n',
    '2_checkpoint.sql': '-- atlas:checkpoint\n\nCREATE TABLE a (id int, b int);\n',
    '3_c.sql': 'ALTER TABLE a ADD COLUMN c int;\n',
  });
  t.deepEqual(
    read().map((m) => m.name),
    ['2_checkpoint', '3_c'],
  );
});

/** Directories and files Atlas refuses, and what the error must say, file:line first. */
const BAD: { name: string; files: Record<string, string>; sum?: string[]; expect: RegExp }[] = [
  { name: 'a listed file that is missing', files: { '1_a.sql': 'SELECT 1;\n' }, sum: ['1_a.sql', '2_b.sql'], expect: /atlas\.sum:3:1: lists 2_b\.sql, which is not in the folder/ },
  { name: 'a file the sum does not list', files: { '1_a.sql': 'SELECT 1;\n', '2_b.sql': 'SELECT 2;\n' }, sum: ['1_a.sql'], expect: /2_b\.sql:1:1: not in atlas\.sum/ },
  { name: 'txmode all in a file', files: { '1_a.sql': '-- atlas:txmode all\n\nSELECT 1;\n' }, expect: /1_a\.sql:1:1: atlas:txmode "all": Atlas takes "none" or "file"/ },
  { name: 'two txmode directives', files: { '1_a.sql': '-- atlas:txmode none\n-- atlas:txmode file\n\nSELECT 1;\n' }, expect: /1_a\.sql:2:1: a second atlas:txmode directive/ },
];

for (const bad of BAD) {
  test(`Atlas refuses ${bad.name}, naming file:line`, (t) => {
    const { read } = atlasDir(t, bad.files, bad.sum);
    const err = t.throws(read, { instanceOf: MigrationFileError });
    t.regex(err!.message, bad.expect);
  });
}

test('Atlas refuses an atlas.sum whose first line is not the h1: sum', (t) => {
  const dir = tempDir(t, 'atlas');
  writeFileSync(join(dir, '1_a.sql'), 'SELECT 1;\n');
  writeFileSync(join(dir, 'atlas.sum'), '1_a.sql h1:hash=\n');
  const err = t.throws(() => readSources([dir], { cwd: dir }), { instanceOf: MigrationFileError });
  t.regex(err!.message, /atlas\.sum:1:1: not an atlas\.sum/);
});

test("Atlas: another tool's markers in an Atlas directory win over its layout (Atlas reads goose-format directories too)", (t) => {
  const { read } = atlasDir(t, { '1_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n' });
  t.deepEqual(
    read().map((m) => [m.format, m.name]),
    [['goose', '1_a.sql']],
  );
});

test("Atlas: a lone file beside an atlas.sum is Atlas's", (t) => {
  const [m] = readSources([join(FIXTURE, 'migrations/20240201000000_email_index.sql')]);
  t.deepEqual([m!.format, m!.noTransaction], ['atlas', true]);
});

test('openmeter (Atlas over golang-migrate names): atlas.sum wins over the .up.sql layout; 105 migrations, no .down.sql', (t) => {
  const read = readSources([join(OPENMETER, 'tools/migrate/migrations')]);
  t.is(read.length, 105);
  t.true(read.every((m) => m.format === 'atlas'));
  t.is(read[0]!.name, '20240826120919_init');
  t.is(read.at(-1)!.name, '20250609172811_billing-split-line-group');
  t.false(read.some((m) => m.path.endsWith('.down.sql')));
  t.false(
    read.some((m) => m.noTransaction),
    'no atlas:txmode directives in this range',
  );
});

test("atlas.locate: atlas.hcl's migration dir through its locals, and folders holding atlas.sum", (t) => {
  t.deepEqual(atlas.locate!(OPENMETER), [join(OPENMETER, 'tools/migrate/migrations')]);
  t.deepEqual(atlas.locate!(FIXTURE), [join(FIXTURE, 'migrations')]);
  const dir = tempDir(t, 'atlas');
  mkdirSync(join(dir, 'db/migrations'), { recursive: true });
  mkdirSync(join(dir, 'sql/other'), { recursive: true });
  const hcl = [
    'variable "dir" {',
    '  type    = string',
    '  default = "db"',
    '}',
    '// migration { dir = "file://commented/out" }',
    'env "prod" {',
    '  migration {',
    '    dir = "file://${var.dir}/migrations?format=golang-migrate"',
    '  }',
    '}',
    'env "cloud" {',
    '  migration { dir = "atlas://app" }',
    '}',
    'env "other" {',
    '  migration {',
    '    dir = local.other',
    '  }',
    '}',
    'locals {',
    '  other = "file://sql/other"',
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'atlas.hcl'), hcl);
  t.deepEqual(atlas.locate!(dir), [join(dir, 'db/migrations'), join(dir, 'sql/other')]);
});
