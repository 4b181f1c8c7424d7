/**
 * The import graph of the project's TypeScript, and the rule it keeps: data flows one way, from the
 * command line down to the database. Each room (a folder) has a rank; a file imports only from its
 * own room or from rooms of lower rank, and no files import each other in a ring.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** Rooms from the top down: cli -> try, bench -> measuring harness -> engine, fixtures, lint -> migrations -> db -> results, core. */
export const ROOMS: readonly { room: string; rank: number }[] = [
  { room: 'scripts', rank: 9 },
  { room: 'bin', rank: 9 },
  { room: 'src/cli', rank: 8 },
  { room: 'bench', rank: 7 },
  { room: 'src/try', rank: 7 },
  { room: 'src/measure', rank: 6 },
  { room: 'src/engine', rank: 5 },
  { room: 'src/fixtures', rank: 5 },
  { room: 'src/lint', rank: 5 },
  { room: 'src/migrations', rank: 4 },
  { room: 'src/db', rank: 3 },
  { room: 'src/results', rank: 2 },
  { room: 'src/core', rank: 1 },
];

/** Which room a path is in (the longest prefix wins), or undefined outside them. */
export function roomOf(path: string): { room: string; rank: number } | undefined {
  return [...ROOMS].sort((a, b) => b.room.length - a.room.length).find((r) => path === r.room || path.startsWith(`${r.room}/`));
}

/** Relative imports of a source text, type-only ones included (they tie the layers as much). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.{1,2}\/[^']+)'/gms)].map((m) => m[1]!);
}

/** path -> the paths it imports, for .ts files (an import of x.js is the file x.ts). */
export type ImportGraph = Map<string, string[]>;

export function graphOf(files: Map<string, string>): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const [path, source] of files)
    graph.set(
      path,
      importsOf(source).map((spec) => normalize(join(dirname(path), spec)).replace(/\.js$/, '.ts')),
    );
  return graph;
}

/** Every import that runs back up (to a room of higher rank) or sideways (to another room of the same rank). */
export function backImports(graph: ImportGraph): string[] {
  const out: string[] = [];
  for (const [from, tos] of graph) {
    const a = roomOf(from);
    for (const to of tos) {
      const b = roomOf(to);
      if (!a || !b || a.room === b.room) continue;
      if (b.rank >= a.rank) out.push(`${from} imports ${to} (${a.room} may not import ${b.room})`);
    }
  }
  return out;
}

/** Rings of files that import each other, each as a -> b -> ... -> a. */
export function cycles(graph: ImportGraph): string[] {
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

/** The project's .ts files under these folders, by path relative to the project root. */
export function readTree(dirs: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.set(path, readFileSync(path, 'utf8'));
    }
  };
  for (const dir of dirs) walk(dir);
  return files;
}
