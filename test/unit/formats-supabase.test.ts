/** Supabase CLI: supabase/migrations beside config.toml, file-name order, the name pattern, one transaction per file. Database-free. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { supabase } from '../../src/migrations/formats/supabase.js';
import { parseMigration, readSources, transactionGroups } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = 'test/fixtures/migrations/supabase';

/** A temp project: supabase/config.toml (unless `config` is false) and the given files in supabase/migrations. */
function project(t: Parameters<typeof tempDir>[0], files: Record<string, string>, config = true) {
  const dir = tempDir(t, 'supabase');
  mkdirSync(join(dir, 'supabase/migrations'), { recursive: true });
  if (config) writeFileSync(join(dir, 'supabase/config.toml'), 'project_id = "x"\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'supabase/migrations', name), text);
  return { dir, read: () => readSources([join(dir, 'supabase/migrations')], { cwd: dir }) };
}

test('Supabase: supabase/migrations (or the supabase folder) in timestamp order, named <timestamp>_<name>, each file one transaction', async (t) => {
  for (const folder of ['supabase/migrations', 'supabase']) {
    t.deepEqual(
      readSources([join(FIXTURE, folder)]).map((m) => [m.format, m.name, m.noTransaction]),
      [
        ['supabase', '20240101000000_accounts', false],
        ['supabase', '20240201000000_email_index', false],
        ['supabase', '20240301000000_note', false],
      ],
    );
  }
  const migrations = await Promise.all(readSources([join(FIXTURE, 'supabase/migrations')]).map(parseMigration));
  t.deepEqual(
    transactionGroups(migrations, 'file').map((g) => [g.inTransaction, g.statements.map((s) => s.kind)]),
    [
      [true, ['CREATE TABLE', 'ALTER TABLE ENABLE ROW SECURITY']],
      [false, ['CREATE INDEX CONCURRENTLY']],
      [true, ['COMMENT']],
    ],
    'the first file is one transaction; CONCURRENTLY runs alone, as the CLI (v2.109+) takes it out of the batch',
  );
});

test("Supabase: plain text order (Go's fs.ReadDir), not numeric; names off the pattern and an old first _init.sql skipped", (t) => {
  const { read } = project(t, {
    '20211208000000_init.sql': 'SELECT 0;\n',
    '1_a.sql': 'SELECT 1;\n',
    '10_b.sql': 'SELECT 2;\n',
    '2_c.sql': 'SELECT 3;\n',
    'schema.sql': 'SELECT 4;\n',
    'v3_d.sql': 'SELECT 5;\n',
  });
  t.deepEqual(
    read().map((m) => m.name),
    ['10_b', '1_a', '20211208000000_init', '2_c'],
    'byte order ("0" before "_"); the _init file is skipped only as the first entry',
  );
  const old = project(t, { '20211208000000_init.sql': 'SELECT 0;\n', '20220101000000_a.sql': 'SELECT 1;\n' });
  t.deepEqual(
    old.read().map((m) => m.name),
    ['20220101000000_a'],
  );
});

test('Supabase: without config.toml it is not a Supabase project: plain SQL', (t) => {
  const { read } = project(t, { '20240101000000_a.sql': 'SELECT 1;\n' }, false);
  t.deepEqual(
    read().map((m) => [m.format, m.name]),
    [['plain', '20240101000000_a.sql']],
  );
});

test("Supabase: a lone file in supabase/migrations is Supabase's", (t) => {
  const [m] = readSources([join(FIXTURE, 'supabase/migrations/20240201000000_email_index.sql')]);
  t.deepEqual([m!.format, m!.name], ['supabase', '20240201000000_email_index']);
});

test('supabase.locate: supabase/migrations beside supabase/config.toml under the root', (t) => {
  t.deepEqual(supabase.locate!(FIXTURE), [join(FIXTURE, 'supabase/migrations')]);
  const { dir } = project(t, {}, false);
  t.deepEqual(supabase.locate!(dir), []);
});
