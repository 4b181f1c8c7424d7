import { quoteIdent } from '../../core/identifiers.js';
import type { TrafficOptions, Workload } from '../traffic-probe.js';
import { keyParams, sampleKeys } from './keys.js';

export const DEFAULT_READERS: TrafficOptions = { connections: 2, intervalMs: 10, blockedMs: 1000 };

/** Rows a range read returns: a page of a list, a short walk of the key's index. */
const RANGE_ROWS = 10;

/**
 * The application's reads, by the whole primary key as an application reads: one row, then a
 * page of rows from a key on (an index range), alternating. A table without a key, or without rows
 * to sample keys from, is read a page at a time from its start.
 */
export function reads(primaryKey: readonly string[]): Workload {
  return {
    application: 'pgmb-reader',
    async prepare(client, t) {
      const key = primaryKey.map(quoteIdent);
      const keys = await sampleKeys(client, t, key);
      const pageSql = `SELECT * FROM ${t} LIMIT ${RANGE_ROWS}`;
      if (!keys.length) return (c) => c.query(pageSql);
      const k = key.join(', ');
      const rowSql = `SELECT * FROM ${t} WHERE (${k}) = (${keyParams(key, 1)})`;
      const rangeSql = `SELECT * FROM ${t} WHERE (${k}) >= (${keyParams(key, 1)}) ORDER BY ${k} LIMIT ${RANGE_ROWS}`;
      return (c, n) => c.query(n % 2 === 0 ? rowSql : rangeSql, keys[n % keys.length]!);
    },
  };
}
