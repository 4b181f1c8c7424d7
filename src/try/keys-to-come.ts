import type pg from 'pg';
import { quoteIdent, quoteTable } from '../core/identifiers.js';
import type { ForeignKeyAdded, TryPlan } from './types.js';

const columnList = (columns: string[]) => columns.map(quoteIdent).join(', ');

/** The foreign keys the measured statements add to tables that exist before them. */
export const keysToCome = (plan: TryPlan): ForeignKeyAdded[] => plan.measured.flatMap((m) => m.statements.flatMap((s) => s.addsForeignKeys ?? []));

/**
 * Fill with the foreign keys the migration will add already in place, NOT VALID: the fill reads
 * them from the catalog like any other, so the synthetic rows (and the writers' rows) point at
 * parent rows, as production's do when the migration validates them. Dropped before the migration
 * runs. A key that cannot stand before the migration (a column it adds, a parent without a unique
 * key yet) is left out, and said.
 */
export async function withKeysToCome<T>(client: pg.Client, keys: ForeignKeyAdded[], fill: () => Promise<T>): Promise<{ filled: T; notes: string[] }> {
  const added: { table: string; name: string }[] = [];
  const notes: string[] = [];
  for (const [i, k] of keys.entries()) {
    const table = quoteTable(k.table);
    const name = `pgmb_fill_fk_${i + 1}`;
    const parentColumns = k.parentColumns.length ? ` (${columnList(k.parentColumns)})` : '';
    try {
      await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columnList(k.columns)}) REFERENCES ${quoteTable(k.parent)}${parentColumns} NOT VALID`);
      added.push({ table, name });
    } catch (err) {
      notes.push(`the foreign key the migration adds on ${k.table.name} (${k.columns.join(', ')}) is not met by the synthetic rows: ${(err as Error).message}`);
    }
  }
  try {
    return { filled: await fill(), notes };
  } finally {
    for (const a of added) await client.query(`ALTER TABLE ${a.table} DROP CONSTRAINT IF EXISTS ${quoteIdent(a.name)}`);
  }
}
