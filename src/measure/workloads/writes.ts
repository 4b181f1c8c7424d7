import { quoteIdent } from '../../core/identifiers.js';
import type { TrafficOptions, Workload } from '../traffic-probe.js';
import { keyParams, sampleKeys } from './keys.js';

/** What writers need of a table: columns as SQL over a row number `g`, and the key to update by. */
export interface WriterColumns {
  loaded: readonly { name: string; series: string }[];
  primaryKey: readonly string[];
  /** CHECK constraints over the loaded columns: a row they refuse is not written (the application would not write it). */
  checks?: readonly string[];
}

/** A table the simulated application writes (and reads), and what its rows look like. */
export interface WriteTarget {
  sql: string;
  columns: WriterColumns;
}

export const DEFAULT_WRITERS: TrafficOptions = { connections: 2, intervalMs: 10, blockedMs: 1000 };

/**
 * The application's writes: a steady mix of single-row INSERTs and UPDATEs by key, alternating,
 * each row's values the fixture's expressions for one row number.
 */
export function writes(columns: WriterColumns): Workload {
  return {
    application: 'pgmb-writer',
    async prepare(client, t) {
      const cols = columns.loaded;
      // Each write's values are the fixture's expressions for one row number: typed as the table wants.
      const row = '(SELECT $1::int8 AS g) AS w';
      const updated = cols.filter((c) => !columns.primaryKey.includes(c.name)).at(-1);
      // By the whole primary key, as an application does: on a partitioned table it names the partition.
      const key = columns.primaryKey.map(quoteIdent);
      const keys = await sampleKeys(client, t, key);
      const names = cols.map((c) => quoteIdent(c.name)).join(', ');
      const checks = columns.checks ?? [];
      const insertSql = checks.length
        ? `INSERT INTO ${t} (${names}) SELECT ${names} FROM (SELECT ${cols.map((c) => `${c.series} AS ${quoteIdent(c.name)}`).join(', ')} FROM ${row}) AS candidate WHERE ${checks.map((c) => `(${c}) IS NOT FALSE`).join(' AND ')}`
        : `INSERT INTO ${t} (${names}) SELECT ${cols.map((c) => c.series).join(', ')} FROM ${row}`;
      const updateSql = updated && `UPDATE ${t} SET ${quoteIdent(updated.name)} = (SELECT ${updated.series} FROM ${row}) WHERE (${key.join(', ')}) = (${keyParams(key, 2)})`;
      return async (c, n) => {
        // Values far above any fixture row number, so unique columns stay unique.
        const g = 1_000_000_000 + process.pid * 100_000 + n;
        if (n % 2 === 0 && updateSql && keys.length) await c.query(updateSql, [g, ...keys[n % keys.length]!]);
        else await c.query(insertSql, [g]);
      };
    },
  };
}
