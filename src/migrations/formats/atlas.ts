import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { findFolders, isDir, sqlFiles } from './shared.js';

/*
 * Atlas versioned migrations (`atlas migrate apply`), read as Atlas reads a migration directory
 * (sql/migrate/dir.go: https://github.com/ariga/atlas/blob/master/sql/migrate/dir.go): atlas.sum
 * lists the files in the order they apply (`h1:<sum>`, then `<file> h1:<hash>` per file); a directory
 * its sum does not match is refused. File directives are the comment lines that open a file,
 * followed by a blank line; `-- atlas:txmode none` runs the file outside a transaction, `file` in
 * one, and without it `--tx-mode file` (the default) wraps each file in its own
 * (https://atlasgo.io/versioned/apply, "Transaction Configuration"; cmd/atlas/internal/cmdapi,
 * txmodeFor: one directive per file, `all` refused there). On a new database Atlas starts
 * at the last `atlas:checkpoint` file (https://atlasgo.io/versioned/checkpoint).
 */

/** The files atlas.sum lists, in its order, with the sum's line of each. */
function sumEntries(sum: string): { name: string; line: number }[] {
  const lines = readFileSync(sum, 'utf8').split('\n');
  if (!lines[0]?.startsWith('h1:')) throw new MigrationFileError({ file: sum, line: 1, col: 1 }, 'not an atlas.sum: its first line is the directory\'s "h1:" sum');
  return lines.slice(1).flatMap((text, i) => {
    if (!text.trim()) return [];
    const at = text.indexOf(' h1:');
    if (at < 0) throw new MigrationFileError({ file: sum, line: i + 2, col: 1 }, 'Atlas reads "<file> h1:<hash>" on each line of atlas.sum');
    return [{ name: text.slice(0, at).trim(), line: i + 2 }];
  });
}

/** One `atlas:<name> <arg>` file directive and its line. */
interface Directive {
  name: string;
  arg: string;
  line: number;
}

/** Atlas's LocalFile.comments and directive(): the `--` or `#` lines opening the file, when a blank line follows them. */
function fileDirectives(text: string): Directive[] {
  const comments: { text: string; line: number }[] = [];
  let rest = text;
  while (rest.startsWith('--') || rest.startsWith('#')) {
    const nl = rest.indexOf('\n');
    if (nl < 0) return []; // a comments-only file has no directives
    comments.push({ text: rest.slice(0, nl).trim(), line: comments.length + 1 });
    rest = rest.slice(nl + 1);
  }
  if (!rest.startsWith('\n')) return [];
  return comments.flatMap(({ text: c, line }) => {
    const m = /^([ -~]*)atlas:(\w+)(?: +([ -~]*))*/.exec(c);
    return m ? [{ name: m[2]!, arg: m[3] ?? '', line }] : [];
  });
}

/** The files from the last checkpoint on: what Atlas applies to a new database. */
function fromLastCheckpoint(files: string[]): string[] {
  const isCheckpoint = files.map((f) => fileDirectives(readFileSync(f, 'utf8')).some((d) => d.name === 'checkpoint'));
  return files.slice(Math.max(isCheckpoint.lastIndexOf(true), 0));
}

/** A folder's files in atlas.sum's order; refused, as Atlas does, when the sum lists a missing file or misses one there. */
function sumOrder(dir: string): string[] {
  const sum = join(dir, 'atlas.sum');
  const listed = sumEntries(sum);
  const missing = listed.find((e) => !existsSync(join(dir, e.name)));
  if (missing)
    throw new MigrationFileError(
      { file: sum, line: missing.line, col: 1 },
      `lists ${missing.name}, which is not in the folder: Atlas refuses a directory its sum does not match (run "atlas migrate hash")`,
    );
  const names = new Set(listed.map((e) => e.name));
  // golang-migrate-format directories list only the up files: a .down.sql is never applied.
  const unlisted = sqlFiles(dir).find((f) => !names.has(basename(f)) && !f.endsWith('.down.sql'));
  if (unlisted) throw new MigrationFileError({ file: unlisted, line: 1, col: 1 }, 'not in atlas.sum: Atlas refuses a directory its sum does not match (run "atlas migrate hash")');
  return fromLastCheckpoint(listed.map((e) => join(dir, e.name)));
}

/** HCL with its whole-line comments and block comments removed (`//` inside "file://..." strings stays). */
const withoutComments = (hcl: string) => hcl.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*(#|\/\/).*$/gm, '');

/** The body of the block whose `{` ends just before `from`, braces inside strings skipped. */
function blockBody(text: string, from: number): string {
  let depth = 1;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(from, i);
  }
  return text.slice(from);
}

/** The string values an expression may name: `local.<name>` from `locals` blocks, `var.<name>` from a variable's default. */
function knownValues(hcl: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const m of hcl.matchAll(/\blocals\s*\{/g)) {
    for (const [, k, v] of blockBody(hcl, m.index + m[0].length).matchAll(/^\s*(\w+)\s*=\s*"([^"]*)"/gm)) values.set(`local.${k}`, v!);
  }
  for (const m of hcl.matchAll(/\bvariable\s+"(\w+)"\s*\{/g)) {
    const d = /\bdefault\s*=\s*"([^"]*)"/.exec(blockBody(hcl, m.index + m[0].length));
    if (d) values.set(`var.${m[1]}`, d[1]!);
  }
  return values;
}

/** `${local.x}` or `${var.x}` inside an HCL string. */
const REFERENCE = /\$\{\s*((?:local|var)\.\w+)\s*\}/g;

/** A `dir` expression's value: a string with `${local.x}`/`${var.x}` in it, or a bare `local.x`; undefined when something is unknown. */
function expressionValue(expr: string, values: Map<string, string>): string | undefined {
  if (!expr.startsWith('"')) return values.get(expr);
  if ([...expr.matchAll(REFERENCE)].some((m) => !values.has(m[1]!))) return undefined;
  return expr.slice(1, -1).replace(REFERENCE, (_, name: string) => values.get(name)!);
}

/** The local folders atlas.hcl's `migration { dir = "file://..." }` blocks name, relative to atlas.hcl's folder. */
function configDirs(config: string): string[] {
  const hcl = withoutComments(readFileSync(config, 'utf8'));
  const values = knownValues(hcl);
  return [...hcl.matchAll(/\bmigration\s*\{/g)].flatMap((m) => {
    const expr = /\bdir\s*=\s*("[^"]*"|[\w.]+)/.exec(blockBody(hcl, m.index + m[0].length))?.[1];
    const url = expr === undefined ? undefined : expressionValue(expr, values);
    if (!url?.startsWith('file://')) return []; // atlas:// (the Schema Registry) and the like are not local
    const path = url.slice('file://'.length).replace(/\?.*$/, '');
    return [isAbsolute(path) ? path : join(dirname(config), path)];
  });
}

/** Atlas: plain SQL files listed in atlas.sum (Atlas's own `<version>_<name>.sql` or another tool's names). */
export const atlas: MigrationTool<'atlas'> = {
  name: 'atlas',
  title: 'Atlas',
  folder: (dir) => (existsSync(join(dir, 'atlas.sum')) ? sumOrder(dir) : undefined),
  // Atlas also reads goose- and dbmate-format directories: their files' own markers win over atlas.sum's layout.
  layoutDecides: false,
  /** A lone file is Atlas's when an atlas.sum sits beside it. */
  ownsName: (file) => existsSync(join(dirname(file), 'atlas.sum')),
  /** Named `<version>_<name>`: the version and description Atlas records in atlas_schema_revisions. */
  migrations({ file, path, text }) {
    const modes = fileDirectives(text).filter((d) => d.name === 'txmode');
    const mode = modes[0];
    if (modes.length > 1) throw new MigrationFileError({ file: path, line: modes[1]!.line, col: 1 }, 'a second atlas:txmode directive: one per file');
    if (mode && mode.arg !== 'none' && mode.arg !== 'file')
      throw new MigrationFileError({ file: path, line: mode.line, col: 1 }, `atlas:txmode "${mode.arg}": Atlas takes "none" or "file" in a file (--tx-mode all is for the whole run)`);
    return [{ name: basename(file).replace(/(\.up)?\.sql$/, ''), text, noTransaction: mode?.arg === 'none' }];
  },
  locate(root) {
    const configured = findFolders(root, (d) => existsSync(join(d, 'atlas.hcl'))).flatMap((d) => configDirs(join(d, 'atlas.hcl')));
    const summed = findFolders(root, (d) => existsSync(join(d, 'atlas.sum')));
    return [...new Set([...configured, ...summed])].filter(isDir);
  },
};
