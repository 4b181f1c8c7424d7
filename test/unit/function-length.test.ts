/** Small functions with one job: none in the product is longer than MAX_LINES. */
import test from 'ava';
import ts from 'typescript';
import { readTree } from '../helpers/import-graph.js';

/** About 60 lines; a switch that is a table of cases (a type's values, a statement's kind) may run a little over. */
const MAX_LINES = 70;

/** Functions, methods and arrow functions of a source longer than `max` lines, as `path:line name (n lines)`. */
function longFunctions(path: string, source: string, max: number): string[] {
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node)) {
      const first = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const lines = file.getLineAndCharacterOfPosition(node.end).line - first + 1;
      const name = node.name?.getText(file) ?? '(anonymous)';
      if (lines > max) out.push(`${path}:${first + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

test(`no function in src, bench or scripts is longer than ${MAX_LINES} lines`, (t) => {
  const files = readTree(['src', 'bench', 'scripts']);
  t.true(files.size > 100);
  t.deepEqual(
    [...files].flatMap(([path, source]) => longFunctions(path, source, MAX_LINES)),
    [],
  );
});

test('the length check sees declarations, methods and arrows, and passes short ones', (t) => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const x${i} = ${i};`).join('\n');
  const source = `export function big() {\n${body(4)}\n}\nclass C {\n  m() {\n${body(3)}\n  }\n}\nconst f = () => {\n${body(1)}\n};\n`;
  t.deepEqual(longFunctions('a.ts', source, 4), ['a.ts:1 big (6 lines)', 'a.ts:8 m (5 lines)']);
  t.deepEqual(longFunctions('a.ts', source, 6), []);
});
