import type { WireStatement } from '../../db/wire-proxy.js';
import { historyWrite } from './history-write.js';
import { OpenTransaction, placeOf } from './transactions.js';
import type { CodeTool } from './tools/index.js';

/** One migration as the tool applied it: everything it ran for it, in order, up to and with its history write. */
export interface CapturedMigration {
  name: string;
  tool: CodeTool;
  statements: WireStatement[];
}

const byStart = (a: WireStatement, b: WireStatement) => a.startedAt - b.startedAt;

/**
 * The statements that took effect, in the order they started: failed ones, what a ROLLBACK TO
 * SAVEPOINT took back, and every statement of a transaction that ended in ROLLBACK (or a COMMIT the
 * server turned into one) are left out.
 */
export function committed(statements: readonly WireStatement[]): WireStatement[] {
  const kept: WireStatement[] = [];
  const open = new Map<number, OpenTransaction<WireStatement>>();
  for (const s of [...statements].sort(byStart)) {
    const place = placeOf(s);
    if (place === 'alone') {
      if (!s.error) kept.push(s);
      continue;
    }
    if (place === 'opens') open.set(s.connection, new OpenTransaction());
    const t = open.get(s.connection);
    t?.add(s.sql, s.error ? undefined : s);
    if (place === 'closes') {
      open.delete(s.connection);
      if (s.tag === 'COMMIT' && t) for (const x of t.kept) kept.push(x);
    }
  }
  return kept.sort(byStart);
}

/**
 * A run split into migrations by its writes to a tool's history table: each migration is what ran
 * since the previous write, the write included. The first holds the tool's own setup too (its
 * history table made); what ran after the last write is returned apart.
 */
export function splitMigrations(statements: readonly WireStatement[], tools: readonly CodeTool[]): { migrations: CapturedMigration[]; after: WireStatement[] } {
  const migrations: CapturedMigration[] = [];
  let since: WireStatement[] = [];
  for (const s of statements) {
    since.push(s);
    const write = historyWrite(s.sql, s.params, tools);
    if (!write) continue;
    migrations.push({ name: write.name, tool: write.tool, statements: since });
    since = [];
  }
  return { migrations, after: since };
}
