import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors.js';
import { CSV_COLUMNS, REQUIRED_COLUMNS, type Cell, type CsvRow } from './row.js';

/** Numbers with sensible precision; booleans as true/false; missing figures as empty cells. */
export function formatCell(value: Cell): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  }
  return String(value);
}

export function toCsv(rows: CsvRow[], withHeader = true): string {
  return stringify(
    rows.map((r) => CSV_COLUMNS.map((c) => formatCell(r[c]))),
    { header: withHeader, columns: [...CSV_COLUMNS] },
  );
}

/**
 * Append rows; the header is written only when the file is new or empty. A file written by an
 * older release has a header that is a prefix of today's (columns are only ever added at the end):
 * its header is brought up to date and its rows keep their cells, the new columns empty.
 */
export function appendCsv(path: string, rows: CsvRow[]): void {
  makeDirs(dirname(path));
  const existing = readExisting(path);
  if (!existing) {
    writeFileSync(path, toCsv(rows, true));
    return;
  }
  if (existing.problem) throw new Error(existing.problem);
  if (existing.header !== CURRENT_HEADER) writeFileSync(path, `${CURRENT_HEADER}\n${existing.body}`);
  appendFileSync(path, toCsv(rows, false));
}

const CURRENT_HEADER = CSV_COLUMNS.join(',');

/** A non-empty CSV split at its header, and why this version cannot append to it, if it cannot. */
function readExisting(path: string): { header: string; body: string; problem?: string } | undefined {
  if (!existsSync(path) || statSync(path).size === 0) return undefined;
  const text = readFileSync(path, 'utf8');
  const eol = text.indexOf('\n');
  const header = (eol < 0 ? text : text.slice(0, eol)).trimEnd();
  const body = eol < 0 ? '' : text.slice(eol + 1);
  const fits = header === CURRENT_HEADER || CURRENT_HEADER.startsWith(`${header},`);
  const problem = fits ? undefined : `${path} was not written with this CSV contract (its header starts ${JSON.stringify(header.slice(0, 40))}); choose another file`;
  return { header, body, problem };
}

/**
 * Why this version's rows cannot be appended to `path`; undefined when they can. Checked before a
 * run, so nothing measured is lost to a file that cannot be written: the directory is created if
 * need be, and it (or the file) must be writable.
 */
export function appendProblem(path: string): string | undefined {
  try {
    makeDirs(dirname(path));
    accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
  } catch (err) {
    return `${path} cannot be written: ${(err as Error).message}`;
  }
  if (existsSync(path) && statSync(path).isDirectory()) return `${path} is a directory`;
  return readExisting(path)?.problem;
}

/** mkdir -p one level at a time: Node's recursive mkdir never returns on some paths (under /proc). */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d);
}

/** A CSV as rows of strings keyed by column (columns it lacks are empty). */
export type ReadRow = Record<string, string>;

/** A pgmb CSV as rows; a file that is not one (columns of the contract missing) is refused by name. */
export function readCsv(path: string): ReadRow[] {
  const text = readFileSync(path, 'utf8');
  const header = parse(text, { to_line: 1 }) as string[][];
  const missing = REQUIRED_COLUMNS.filter((c) => !(header[0] ?? []).includes(c));
  if (missing.length) {
    throw new InputError('NOT_A_PGMB_CSV', `${path} is not a pgmb bench CSV: it lacks the column(s) ${missing.join(', ')}`);
  }
  // relax_column_count_less: rows an older release wrote lack the columns added since.
  return parse(text, { columns: true, skip_empty_lines: true, relax_column_count_less: true }) as ReadRow[];
}

/** A numeric cell, or undefined when empty or not a number. */
export function num(row: ReadRow, column: string): number | undefined {
  const v = row[column];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** "a=1 b=2" for the given columns that are set: names a row's policy in tables and charts. */
export function cellsLabel(row: ReadRow, columns: readonly string[]): string {
  return columns
    .filter((c) => row[c] !== undefined && row[c] !== '')
    .map((c) => `${c}=${row[c]}`)
    .join(' ');
}
