import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { MigrationFileError } from './errors.js';
import { formatFromContent, upPart } from './formats.js';
import type { MigrationFormat, SourceFile } from './types.js';

/** Names in the order migration tools apply them: numeric parts compared as numbers. */
const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

const sqlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && statSync(join(dir, f)).isFile())
    .sort(byName)
    .map((f) => join(dir, f));

/** A folder's migration files in apply order, and the layout that says which tool wrote them. */
function folderFiles(dir: string): { files: string[]; format?: MigrationFormat } {
  // graphile-migrate: migrations/committed/000001.sql (current.sql is work in progress, not run).
  if (existsSync(join(dir, 'committed'))) return { files: sqlFiles(join(dir, 'committed')), format: 'graphile-migrate' };
  // Prisma: prisma/migrations/<timestamp>_<name>/migration.sql, given either folder.
  for (const root of [dir, join(dir, 'migrations')]) {
    if (!existsSync(root) || !statSync(root).isDirectory()) continue;
    const prisma = readdirSync(root)
      .filter((d) => existsSync(join(root, d, 'migration.sql')))
      .sort(byName);
    if (prisma.length) return { files: prisma.map((d) => join(root, d, 'migration.sql')), format: 'prisma' };
  }
  const files = sqlFiles(dir);
  // golang-migrate (and dbmate's plain twin): NNN_name.up.sql beside NNN_name.down.sql.
  if (files.some((f) => f.endsWith('.up.sql'))) return { files: files.filter((f) => f.endsWith('.up.sql')), format: 'golang-migrate' };
  if (existsSync(join(dir, 'meta', '_journal.json'))) return { files, format: 'drizzle' };
  return { files };
}

function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new MigrationFileError({ file: path, line: 1, col: 1 }, `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const nul = text.indexOf('\0');
    if (nul >= 0) throw new Error('NUL');
    return text;
  } catch {
    throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'not UTF-8 text (a binary file?)');
  }
}

/** Layouts that name the tool by themselves; in a Drizzle folder a file's own markers still win. */
const LAYOUT_DECIDES: ReadonlySet<MigrationFormat> = new Set(['graphile-migrate', 'prisma', 'golang-migrate']);

/** The format of one file: a deciding folder layout, else its own markers, else its folder's, else its name, else plain SQL. */
function fileFormat(path: string, text: string, layout?: MigrationFormat): MigrationFormat {
  if (layout && LAYOUT_DECIDES.has(layout)) return layout;
  const marked = formatFromContent(text) ?? layout;
  if (marked) return marked;
  if (basename(path) === 'migration.sql') return 'prisma';
  if (path.endsWith('.up.sql')) return 'golang-migrate';
  return 'plain';
}

/**
 * The migration files at the given paths (folders or files), in the order their tool applies them,
 * each cut to its up part. Everything here happens before any SQL runs; a problem names file:line.
 */
export function readSources(paths: string[], cwd = process.cwd()): SourceFile[] {
  const out: SourceFile[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'no such file or folder');
    const isDir = statSync(path).isDirectory();
    const { files, format } = isDir ? folderFiles(path) : { files: [path], format: undefined };
    if (isDir && files.length === 0) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'no migration files (*.sql) in this folder');
    if (!isDir && path.endsWith('.down.sql')) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'a down migration: pgmb try measures migrating up');
    for (const file of files) {
      const text = readText(file);
      const f = fileFormat(file, text, format);
      const shown = relative(cwd, file) || file;
      out.push({ path: shown, format: f, ...upPart(shown, f, text) });
    }
  }
  return out;
}
