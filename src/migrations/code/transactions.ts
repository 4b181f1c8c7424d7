import type { WireStatement } from '../../db/wire-proxy.js';

/** Where a statement stands in its connection's transactions, from the status the server gave before and after it. */
export type Place = 'alone' | 'opens' | 'inside' | 'closes';

export function placeOf(s: Pick<WireStatement, 'statusBefore' | 'statusAfter'>): Place {
  const after = s.statusAfter ?? 'I';
  if (s.statusBefore === 'I') return after === 'I' ? 'alone' : 'opens';
  return after === 'I' ? 'closes' : 'inside';
}

const SAVEPOINT = /^\s*SAVEPOINT\s+("[^"]+"|\S+)/i;
const ROLLBACK_TO = /^\s*ROLLBACK\s+(?:WORK\s+|TRANSACTION\s+)?TO\s+(?:SAVEPOINT\s+)?("[^"]+"|\S+)/i;

/**
 * The statements of one connection's open transaction that still count: a ROLLBACK TO SAVEPOINT
 * takes back what ran since its savepoint (Django's atomic blocks, Rails' requires_new).
 */
export class OpenTransaction<T> {
  readonly kept: T[] = [];
  private readonly savepoints: { name: string; at: number }[] = [];

  /** A statement that ran inside it: a savepoint marked, one rolled back to, or the statement kept. */
  add(sql: string, item: T | undefined): void {
    const rollbackTo = ROLLBACK_TO.exec(sql)?.[1];
    if (rollbackTo) {
      const i = this.savepoints.map((s) => s.name).lastIndexOf(rollbackTo);
      if (i >= 0) {
        this.kept.length = this.savepoints[i]!.at;
        this.savepoints.length = i + 1;
      }
      return;
    }
    if (item !== undefined) this.kept.push(item);
    // The savepoint itself stays when the transaction rolls back to it.
    const savepoint = SAVEPOINT.exec(sql)?.[1];
    if (savepoint) this.savepoints.push({ name: savepoint, at: this.kept.length });
  }
}
