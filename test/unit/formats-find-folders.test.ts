/** findFolders, the walk every tool's locate() uses: root first, name order, a depth limit, dependency and hidden folders skipped. */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS } from '../../src/migrations/formats/index.js';
import { findConfigs, findFolders } from '../../src/migrations/formats/shared.js';
import { tempDir } from '../helpers/temp-dir.js';
import { writeTree } from '../helpers/write-tree.js';

test('findFolders: the root itself, then depth first in name order, to the given depth, skipping node_modules, vendor, target, dist and hidden folders', (t) => {
  const dir = writeTree(tempDir(t, 'find'), {
    mark: '',
    'b/mark': '',
    'a/mark': '',
    'a/deep/er/mark': '',
    'node_modules/x/mark': '',
    'vendor/mark': '',
    'target/mark': '',
    'dist/mark': '',
    '.git/mark': '',
  });
  const marked = (d: string) => existsSync(join(d, 'mark'));
  t.deepEqual(
    findFolders(dir, marked).map((d) => d.slice(dir.length)),
    ['', '/a', '/a/deep/er', '/b'],
  );
  t.deepEqual(
    findFolders(dir, marked, 1).map((d) => d.slice(dir.length)),
    ['', '/a', '/b'],
  );
});

test('findConfigs: each folder holding one of the names, with the first name it holds read', (t) => {
  const dir = writeTree(tempDir(t, 'find'), { 'x/tool.json': 'json', 'x/tool.ts': 'ts', 'y/tool.json': 'only json' });
  t.deepEqual(findConfigs(dir, ['tool.ts', 'tool.json']), [
    { dir: join(dir, 'x'), text: 'ts' },
    { dir: join(dir, 'y'), text: 'only json' },
  ]);
});

test("each copied project's root is located by its own tool, and by none of the others", (t) => {
  const roots: Record<string, string> = { 'crates.io': 'diesel', 'nasa-apt': 'sqitch', hoppscotch: 'prisma', 'ai-chatbot': 'drizzle', 'pocket-id': 'golang-migrate' };
  for (const [project, tool] of Object.entries(roots)) {
    const root = join('test/corpus', project);
    const found = TOOLS.filter((each) => (each.locate?.(root) ?? []).length > 0).map((each) => each.name);
    t.deepEqual(found, [tool], project);
  }
});
