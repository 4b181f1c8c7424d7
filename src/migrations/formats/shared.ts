/** Helpers the tool files share: apply order by name, a folder's .sql files, the up section between markers. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { ToolFile, ToolMigration, UpPart } from './format.js';

/** Names in the order migration tools apply them: numeric parts compared as numbers (10 after 2). */
export const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

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

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

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
