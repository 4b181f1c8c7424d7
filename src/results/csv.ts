import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CSV_COLUMNS, type Cell, type CsvRow } from './row.js';

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

/** Append rows; the header is written only when the file is new or empty. */
export function appendCsv(path: string, rows: CsvRow[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const fresh = !existsSync(path) || statSync(path).size === 0;
  if (fresh) writeFileSync(path, toCsv(rows, true));
  else appendFileSync(path, toCsv(rows, false));
}

/** A CSV as rows of strings keyed by column (columns it lacks are empty). */
export type ReadRow = Record<string, string>;

export function readCsv(path: string): ReadRow[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as ReadRow[];
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
  return columns.filter((c) => row[c] !== undefined && row[c] !== '').map((c) => `${c}=${row[c]}`).join(' ');
}
