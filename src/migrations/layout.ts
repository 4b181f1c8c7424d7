import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { InputError } from '../core/errors.js';
import { discover, oneHistory } from './discover.js';
import { MigrationFileError } from './errors.js';
import { FALLBACK, TOOLS, type ContentClaim, type MigrationFormat, type MigrationTool, type ReadOptions } from './formats/index.js';
import { sqlFiles } from './formats/shared.js';
import type { SourceFile } from './types.js';

/** A folder's migration files in apply order, and the tool whose layout it is (--tool's, else the first that recognises it). */
function folderFiles(dir: string, only?: MigrationTool<MigrationFormat>): { files: string[]; layout?: MigrationTool<MigrationFormat> } {
  for (const tool of only ? [only] : TOOLS) {
    const files = tool.folder?.(dir);
    if (files) return { files, layout: tool };
  }
  // No tool's layout: its .sql files, each file's tool said by its content or name.
  return { files: sqlFiles(dir), layout: only };
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

export interface ReadHistoryOptions extends Partial<ReadOptions> {
  /** Paths in output are relative to this (default: the working directory). */
  cwd?: string;
  /** --tool: every folder and file is this tool's; detection is not asked. */
  tool?: MigrationFormat;
}

/** A history read: its migrations in apply order, and what was read as which tool (for a line of output each). */
export interface History {
  sources: SourceFile[];
  /** `prisma/migrations as Prisma (19 migrations)`, for each folder found from a project root. */
  readAs: string[];
  /** What the folders hold that was not read (a Sqitch plan's dependencies on other projects), a line each. */
  notes: string[];
}

/** The files of one path: a file, a migration folder, or a project root whose tool's folders are found. */
function filesOf(path: string, only: MigrationTool<MigrationFormat> | undefined, cwd: string, history: History): { files: string[]; layout?: MigrationTool<MigrationFormat> } {
  if (!existsSync(path)) throw new InputError('NO_SUCH_PATH', `${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) {
    if (path.endsWith('.down.sql')) throw new MigrationFileError({ file: path, line: 1, col: 1 }, 'a down migration: pgmb try measures migrating up');
    return { files: [path], layout: only };
  }
  const own = folderFiles(path, only);
  // A migration folder itself, else a project root, searched by each tool's own conventions.
  const found = own.files.length ? { tool: own.layout, dirs: [path], files: own.files } : oneHistory(path, discover(path, only?.name), cwd);
  const { tool, files } = found;
  for (const note of found.dirs.flatMap((d) => tool?.notes?.(d) ?? [])) history.notes.push(note);
  const count = `${files.length} file${files.length === 1 ? '' : 's'}`;
  history.readAs.push(`${found.dirs.map((d) => relative(cwd, d) || '.').join(', ')} as ${tool?.title ?? 'SQL files, each by its own markers'} (${count})`);
  return { files: tool?.orderAcross && found.dirs.length > 1 ? tool.orderAcross(files) : files, layout: tool };
}

/**
 * The migrations at the given paths (files, migration folders or project roots), in the order their
 * tool applies them, each cut to its up part. Everything here happens before any SQL runs; a
 * problem in a file names its file:line, one about a path names the path.
 */
export function readHistory(paths: string[], options: ReadHistoryOptions = {}): History {
  const cwd = options.cwd ?? process.cwd();
  const read: ReadOptions = { placeholders: options.placeholders ?? new Map() };
  const only = options.tool === undefined ? undefined : TOOLS.find((t) => t.name === options.tool);
  const history: History = { sources: [], readAs: [], notes: [] };
  for (const path of paths) {
    const { files, layout } = filesOf(path, only, cwd, history);
    for (const file of files) {
      const text = readText(file);
      const tool = fileTool(file, text, layout);
      const source = { file, path: relative(cwd, file) || file, text, options: read };
      for (const m of tool.migrations(source)) history.sources.push({ path: source.path, format: tool.name, ...m });
    }
  }
  return history;
}

/** The migrations at the given paths, without the account of what was read as what. */
export const readSources = (paths: string[], options: ReadHistoryOptions = {}): SourceFile[] => readHistory(paths, options).sources;
