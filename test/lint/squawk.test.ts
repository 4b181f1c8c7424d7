/** The squawk adapter against the real squawk binary (npm squawk-cli): findings land on their statements. */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lint } from '../../src/lint/squawk.js';
import { parseMigration, readSources } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

test("squawk's findings are put on the statement whose lines hold them; the down section's are dropped", async (t) => {
  const dir = tempDir(t, 'lint');
  const file = join(dir, '20240101_x.sql');
  writeFileSync(file, '-- migrate:up\nSELECT 1;\n\nCREATE INDEX accounts_email\n  ON accounts (email);\n\n-- migrate:down\nCREATE INDEX other ON accounts (name);\n');
  const [m] = await Promise.all(readSources([file]).map(parseMigration));
  const r = await lint([m!.path], m!.statements, 17);
  if ('unavailable' in r) return t.fail(r.unavailable);
  const index = r.findings.filter((f) => f.rule === 'require-concurrent-index-creation');
  t.deepEqual(
    index.map((f) => f.statement),
    [`${m!.path}:4`, undefined],
    'line 4 is the CREATE INDEX of the up section; the down one maps to no statement',
  );
});
