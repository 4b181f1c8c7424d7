/** A project root: its one history found by each tool's conventions; two tools' histories are bad input naming both. */
import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHistory } from '../../src/migrations/index.js';
import { tempDir } from '../helpers/temp-dir.js';

function project(t: Parameters<typeof tempDir>[0], files: Record<string, string>): string {
  const root = tempDir(t, 'project');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const PRISMA = { 'prisma/schema.prisma': 'datasource db { provider = "postgresql" }\n', 'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE a (id int);\n' };
const GOLANG = { 'db/migrations/1_init.up.sql': 'CREATE TABLE b (id int);\n', 'db/migrations/1_init.down.sql': 'DROP TABLE b;\n' };

test("a root with one tool's history is read as that tool's, and says so", (t) => {
  const root = project(t, PRISMA);
  const h = readHistory([root], { cwd: root });
  t.deepEqual(h.readAs, ['prisma/migrations as Prisma (1 file)']);
  t.deepEqual(
    h.sources.map((s) => `${s.format} ${s.name}`),
    ['prisma 20240101000000_init'],
  );
});

test("a root with two tools' histories is one line naming both, and --tool picks one", (t) => {
  const root = project(t, { ...PRISMA, ...GOLANG });
  const err = t.throws(() => readHistory([root], { cwd: root }));
  t.is(err!.message, '. holds migrations of 2 tools: prisma (prisma/migrations); golang-migrate (db/migrations); give one folder, or --tool NAME');
  t.deepEqual(
    readHistory([root], { cwd: root, tool: 'golang-migrate' }).sources.map((s) => s.name),
    ['1_init'],
  );
});

test('a root with no migrations says where it looked', (t) => {
  const root = project(t, { 'README.md': 'hello\n' });
  t.throws(() => readHistory([root], { cwd: root }), {
    message: /^no migrations found under \.: looked for .*Prisma.*; give the migrations folder, or --tool NAME$/,
  });
});
