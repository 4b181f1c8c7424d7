/** Data flows one way (cli -> try, bench -> harness -> engine, fixtures -> migrations -> db -> results, core), with no ring. */
import test from 'ava';
import { backImports, cycles, graphOf, readTree, roomOf } from '../helpers/import-graph.js';

test('no import runs back up the layers and no files import each other in a ring', (t) => {
  const graph = graphOf(readTree(['src', 'bench', 'scripts', 'bin']));
  t.true(graph.size > 100, `${graph.size} files read`);
  for (const path of graph.keys()) if (!path.startsWith('bin/')) t.truthy(roomOf(path), `${path} is in a room of the layout`);
  t.deepEqual(backImports(graph), []);
  t.deepEqual(cycles(graph), []);
});

test('the checker finds a back-import, a sideways import, a type-only ring and passes a clean tree', (t) => {
  const graph = graphOf(
    new Map([
      ['src/db/connect.ts', "import { quoteIdent } from '../engine/identifiers.js';\n"],
      ['src/engine/identifiers.ts', 'export const quoteIdent = (s: string) => s;\n'],
      ['src/engine/catalog.ts', "import type { Requirement } from './preflight.js';\nimport { connect } from '../db/connect.js';\n"],
      ['src/engine/preflight.ts', "import type {\n  TableInfo,\n} from './catalog.js';\n"],
      ['src/fixtures/fill.ts', "import { migrate } from '../engine/migrate.js';\n"],
      ['src/cli/main.ts', "import { runBench } from '../../bench/runner.js';\n"],
    ]),
  );
  t.deepEqual(backImports(graph), [
    'src/db/connect.ts imports src/engine/identifiers.ts (src/db may not import src/engine)',
    'src/fixtures/fill.ts imports src/engine/migrate.ts (src/fixtures may not import src/engine)',
  ]);
  t.deepEqual(cycles(graph), ['src/engine/catalog.ts -> src/engine/preflight.ts -> src/engine/catalog.ts']);
  t.deepEqual(backImports(graphOf(new Map([['src/engine/catalog.ts', "import { connect } from '../db/connect.js';\n"]]))), []);
});
