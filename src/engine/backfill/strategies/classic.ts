import { relationPages, stillNull, updateSet, type Strategy } from '../strategy.js';
import { primaryKeySql } from './primary-key.js';

/**
 * The seed's method, kept to compare against: `... WHERE c IS NULL AND id IN (SELECT id ...
 * WHERE c IS NULL LIMIT n)`. Every batch scans past the rows already done, so the cost per row
 * grows with the table. Its "cursor" is the IS NULL condition itself. It looks only below the
 * table's end when it began, so rows appended meanwhile do not keep it going; inserts into free
 * space inside the table can still lengthen it, as they would the seed's.
 */
export const classicStrategy: Strategy = {
  name: 'classic',
  needsPrimaryKey: true,

  async begin(client, target) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${target.table.sql} WHERE ${stillNull(target)}`,
    );
    return { done: 0, totalRows: rows[0]!.n, endPage: await relationPages(client, target) };
  },

  fraction(cursor) {
    return cursor.totalRows > 0 ? Math.min(0.99, (cursor.done as number) / cursor.totalRows) : 0;
  },

  async batch(client, target, cursor, rows) {
    const pk = primaryKeySql(target, 'classic');
    const result = await client.query(
      `${updateSet(target)} WHERE ${stillNull(target)}
         AND (${pk.list}) IN (SELECT ${pk.list} FROM ${target.table.sql} WHERE ctid < $3::tid AND ${stillNull(target)} LIMIT $2)`,
      [target.value, rows, `(${cursor.endPage as number},0)`],
    );
    const updated = result.rowCount ?? 0;
    return {
      updated,
      scanned: updated,
      cursor: { ...cursor, done: (cursor.done as number) + updated },
      done: updated === 0,
    };
  },
};
