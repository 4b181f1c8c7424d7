import type { WireStatement } from '../../db/wire-proxy.js';
import { historyWrite } from './history-write.js';
import type { CodeTool } from './tools/index.js';

/** One migration as the tool applied it: everything it ran for it, in order, up to and with its history write. */
export interface CapturedMigration {
  name: string;
  tool: CodeTool;
  statements: WireStatement[];
}

const byStart = (a: WireStatement, b: WireStatement) => a.startedAt - b.startedAt;

/**
 * The statements that took effect, in the order they started: failed ones and every statement of
 * a transaction that ended in ROLLBACK (or a COMMIT the server turned into one) are left out.
 */
export function committed(statements: readonly WireStatement[]): WireStatement[] {
  const kept: WireStatement[] = [];
  const open = new Map<number, WireStatement[]>();
  for (const s of [...statements].sort(byStart)) {
    const after = s.statusAfter ?? 'I';
    const inBlock = open.get(s.connection);
    if (s.statusBefore === 'I' && after === 'I') {
      if (!s.error) kept.push(s);
    } else if (s.statusBefore === 'I') {
      open.set(s.connection, [s]);
    } else if (after === 'I') {
      open.delete(s.connection);
      if (s.tag === 'COMMIT' && inBlock) for (const x of [...inBlock, s]) kept.push(x);
    } else if (inBlock && !s.error) {
      inBlock.push(s);
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
