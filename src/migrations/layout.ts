import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { MigrationFileError } from './errors.js';
import { FALLBACK, TOOLS, type ContentClaim, type MigrationFormat, type MigrationTool, type ReadOptions } from './formats/index.js';
import { sqlFiles } from './formats/shared.js';
import type { SourceFile } from './types.js';

/** A folder's migration files in apply order, and the tool whose layout it is, if one recognises it. */
function folderFiles(dir: string): { files: string[]; layout?: MigrationTool<MigrationFormat> } {
  for (const tool of TOOLS) {
    const files = tool.folder?.(dir);
    if (files) return { files, layout: tool };
  }
  // No tool's layout: its .sql files, each file's tool said by its content or name.
  return { files: sqlFiles(dir) };
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

/**
 * The tool of one file: a deciding folder layout, else a tool's content marker, else a tool's content
 * hint, else its folder's layout, else its name, else plain SQL (registry order breaks ties).
 */
function fileTool(file: string, text: string, layout?: MigrationTool<MigrationFormat>): MigrationTool<MigrationFormat> {
  if (layout?.layoutDecides) return layout;
  const claimed = (claim: ContentClaim) => TOOLS.find((t) => t.claim?.(text) === claim);
  return claimed('marker') ?? claimed('hint') ?? layout ?? TOOLS.find((t) => t.ownsName?.(file)) ?? FALLBACK;
}

/**
 * The migration files at the given paths (folders or files), in the order their tool applies them,
 * each cut to its up part. Everything here happens before any SQL runs; a problem names file:line.
 */
export function readSources(paths: string[], options: Partial<ReadOptions> & { cwd?: string } = {}): SourceFile[] {
  const cwd = options.cwd ?? process.cwd();
  const read: ReadOptions = { placeholders: options.placeholders ?? new Map() };
  const out: SourceFile[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'no such file or folder');
    const isDir = statSync(path).isDirectory();
    const { files, layout } = isDir ? folderFiles(path) : { files: [path], layout: undefined };
    if (isDir && files.length === 0) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'no migration files (*.sql) in this folder');
    if (!isDir && path.endsWith('.down.sql')) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'a down migration: pgmb try measures migrating up');
    for (const file of files) {
      const text = readText(file);
      const tool = fileTool(file, text, layout);
      const source = { file, path: relative(cwd, file) || file, text, options: read };
      for (const m of tool.migrations(source)) out.push({ path: source.path, format: tool.name, ...m });
    }
  }
  return out;
}
