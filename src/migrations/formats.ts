import { MigrationFileError } from './errors.js';
import type { MigrationFormat } from './types.js';

export interface UpPart {
  /** The text with every character outside the up part turned into a space (newlines kept). */
  text: string;
  noTransaction: boolean;
}

/** Markers that make a .sql file one tool's and not plain SQL. */
const DBMATE_UP = /^--\s*migrate:up\b(.*)$/m;
const DBMATE_DOWN = /^--\s*migrate:down\b/m;
const NODE_PG_UP = /^--\s*Up Migration\b/im;
const NODE_PG_DOWN = /^--\s*Down Migration\b/im;
const DRIZZLE_BREAK = /^--> statement-breakpoint/m;
const GRAPHILE_HEADER = /^--! /m;

/** The tool a single .sql file's content says it belongs to, if its markers say one. */
export function formatFromContent(text: string): MigrationFormat | undefined {
  if (DBMATE_UP.test(text) || DBMATE_DOWN.test(text)) return 'dbmate';
  if (NODE_PG_UP.test(text) || NODE_PG_DOWN.test(text)) return 'node-pg-migrate';
  if (DRIZZLE_BREAK.test(text)) return 'drizzle';
  if (GRAPHILE_HEADER.test(text.slice(0, 2000))) return 'graphile-migrate';
  return undefined;
}

/** Spaces for every character outside [from, to), newlines kept: offsets and lines stay the file's. */
function keep(text: string, from: number, to: number): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to));
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The up part between an up marker and a down marker, either of which may be missing. */
function section(path: string, text: string, up: RegExp, down: RegExp, upName: string): { text: string; upLine: string } {
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
  return { text: keep(text, start, d ? d.index : text.length), upLine: u[1] ?? '' };
}

/** The part of a file its tool runs when migrating up, and whether it runs it in a transaction. */
export function upPart(path: string, format: MigrationFormat, text: string): UpPart {
  switch (format) {
    case 'dbmate': {
      const s = section(path, text, DBMATE_UP, DBMATE_DOWN, '-- migrate:up');
      return { text: s.text, noTransaction: /\btransaction:false\b/.test(s.upLine) };
    }
    case 'node-pg-migrate':
      return { text: section(path, text, NODE_PG_UP, NODE_PG_DOWN, '-- Up Migration').text, noTransaction: false };
    case 'graphile-migrate':
      return { text, noTransaction: /^--! no-transaction\b/m.test(text) };
    default:
      // golang-migrate, Prisma, Drizzle and plain files are SQL through and through.
      return { text, noTransaction: false };
  }
}
