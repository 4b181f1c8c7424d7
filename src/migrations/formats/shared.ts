/** Helpers the tool files share: apply order by name or version, a folder's .sql files, the up section between markers, folders under a project root. */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { ToolFile, ToolMigration, UpPart } from './format.js';

/** Names in the order migration tools apply them: numeric parts compared as numbers (10 after 2). */
export const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/** Integer versions compared exactly (a 64-bit version, as goose and sqlx read them, can exceed a double's precision). */
export const byVersion = (a: { version: bigint }, b: { version: bigint }) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0);

/** Folders no tool keeps migrations in, and too big to walk: dependencies and build output. */
/** The .sql files directly in `dir`, in name order, as paths joined to it. */
export const sqlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && statSync(join(dir, f)).isFile())
    .sort(byName)
    .map((f) => join(dir, f));

/** Spaces for every character outside [from, to), newlines kept: offsets and lines stay the file's. */
export function keepOnly(text: string, from: number, to: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

/** The 1-based line of an offset into `text`. */
export const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** Whether `path` is a folder (false when it is missing). */
export const isDir = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

/** Folders a project does not keep its own files in: dependencies and build output (hidden folders, .git among them, are skipped too). */
const NOT_ENTERED = new Set(['node_modules', 'vendor', 'target', 'dist']);

/**
 * The folders under `root` (root itself first, then depth first in name order), at most `depth`
 * levels down, that satisfy `keep`: how a tool's locate() finds its config file or its migrations
 * in a project without walking all of it. Hidden folders, node_modules, vendor, target and dist are
 * not entered, nor symbolic links (no loops); an unreadable folder is skipped.
 */
export function findFolders(root: string, keep: (dir: string) => boolean, depth = 8): string[] {
  const found: string[] = [];
  const walk = (dir: string, left: number) => {
    if (keep(dir)) found.push(dir);
    if (left === 0) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    const subfolders = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.') && !NOT_ENTERED.has(e.name)).map((e) => e.name);
    for (const name of subfolders.sort()) walk(join(dir, name), left - 1);
  };
  walk(root, depth);
  return found;
}

/** 1-based line and column of a character offset into `text`. */
export function lineCol(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  return { line: lineOf(text, index), col: index - before.lastIndexOf('\n') };
}

/** The markers of a file's up and down sections, and the up line as the error messages show it. */
export interface SectionMarkers {
  up: RegExp;
  down: RegExp;
  upName: string;
}

/**
 * The up part between an up marker and a down marker, either of which may be missing: the text with
 * the rest blanked, and what follows the marker on the up line (dbmate's `transaction:false`).
 */
export function upSection(path: string, text: string, markers: SectionMarkers): { text: string; upLine: string } {
  const { up, down, upName } = markers;
  const u = up.exec(text);
  const d = down.exec(text);
  if (!u) {
    if (d) throw new MigrationFileError({ file: path, line: lineOf(text, d.index), col: 1 }, `a down section without an up section: add a "${upName}" line above the statements to run`);
    throw new MigrationFileError({ file: path, line: 1, col: 1 }, `no "${upName}" line: this tool's files mark the statements to run with it`);
  }
  const again = new RegExp(up.source, up.flags.includes('g') ? up.flags : `${up.flags}g`);
  const ups = [...text.matchAll(again)];
  if (ups.length > 1) throw new MigrationFileError({ file: path, line: lineOf(text, ups[1]!.index), col: 1 }, `a second "${upName}" line: one up section per file`);
  const start = u.index + u[0].length;
  if (d && d.index < u.index) throw new MigrationFileError({ file: path, line: lineOf(text, d.index), col: 1 }, `the down section comes before the up section`);
  return { text: keepOnly(text, start, d ? d.index : text.length), upLine: u[1] ?? '' };
}

/** One migration per file, named by `name`, its up part by `up` (default: the whole file, run in a transaction). */
export const onePerFile =
  (name: (file: ToolFile) => string, up: (file: ToolFile) => UpPart = ({ text }) => ({ text, noTransaction: false })) =>
  (file: ToolFile): ToolMigration[] => [{ name: name(file), ...up(file) }];

/** A tool's config file found under a project root: the folder it is in (its paths are relative to it) and its text. */
export interface FoundConfig {
  dir: string;
  text: string;
}

/** The config files under `root` called one of `names` (the first of them in each folder, by findFolders). */
export function findConfigs(root: string, names: readonly string[]): FoundConfig[] {
  const nameIn = (dir: string) => names.find((n) => existsSync(join(dir, n)));
  return findFolders(root, (d) => nameIn(d) !== undefined).map((dir) => ({ dir, text: readFileSync(join(dir, nameIn(dir)!), 'utf8') }));
}
