import { relationSize, stillNull, updateSet, type Cursor, type Strategy } from '../strategy.js';
import { primaryKeySql } from './primary-key.js';

interface KeysetCursor extends Cursor {
  /** The last key done, as text, or null before the first batch. */
  after: string[] | null;
  seen: number;
}

/**
 * Walk a leaf in its primary-key order, any key type, composite keys included. Each batch first
 * finds its upper bound (the key `rows` entries ahead in the index), then updates that range, so
 * a batch whose rows were all filled already still moves the cursor on.
 */
export const keysetStrategy: Strategy<'keyset'> = {
  name: 'keyset',
  needsPrimaryKey: true,
  // Not measured to help behind this walk.
  defaultVacuum: 'off',

  async begin(client, _target, leaf) {
    const totalRows = (await relationSize(client, leaf)).rows;
    const cursor: KeysetCursor = { leaf: leaf.oid, after: null, seen: 0, totalRows };
    return cursor;
  },

  fraction(cursor) {
    const c = cursor as KeysetCursor;
    return c.totalRows > 0 ? Math.min(0.99, c.seen / c.totalRows) : 0;
  },

  async batch(client, target, leaf, cursor, rows) {
    const c = cursor as KeysetCursor;
    const pk = primaryKeySql(target, leaf, 'keyset');
    const after = c.after ?? [];
    const lowerFrom = (first: number) => (c.after ? `(${pk.list}) > ${pk.params(first)}` : 'true');
    const bound = await client.query<string[]>({
      text: `SELECT ${pk.asText} FROM ONLY ${leaf.sql} WHERE ${lowerFrom(1)}
              ORDER BY ${pk.list} OFFSET ${Math.max(0, rows - 1)} LIMIT 1`,
      values: after,
      rowMode: 'array',
    });
    const upper = bound.rows[0] ?? null;
    const upperSql = upper ? ` AND (${pk.list}) <= ${pk.params(2 + after.length)}` : '';
    const result = await client.query(`${updateSet(target, leaf)} WHERE ${lowerFrom(2)}${upperSql} AND ${stillNull(target)}`, [target.value, ...after, ...(upper ?? [])]);
    const seen = c.seen + rows;
    const next: KeysetCursor = { ...c, after: upper, seen };
    return {
      updated: result.rowCount ?? 0,
      scanned: rows,
      cursor: next,
      done: upper === null,
    };
  },
};
