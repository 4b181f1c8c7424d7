import { InputError } from '../../core/errors.js';
import { parseColumnName, parseTableName, quoteIdent, quoteLiteral, quoteTable } from '../../core/identifiers.js';

export interface BatchedUpdateOptions {
  batchSize?: number;
  sleepSeconds?: number;
}

const TAG = '$pgmb$';

/**
 * The seed's GenerateBatchedUpdate, as one self-contained DO block a DBA can paste into psql:
 * batches of `LIMIT batchSize`, COMMIT after each (PostgreSQL 11+, outside an explicit
 * transaction), RAISE NOTICE progress, pg_sleep between batches. So the seed's diagnostics
 * (pg_stat_activity showing `LIMIT 5000` and `pg_sleep(1)`) find it.
 * Names are quoted and the value is a quoted literal (a DO block cannot take bound parameters);
 * `where` is the DBA's own SQL condition, added to the IS NULL guard, never replacing it.
 */
export function generateBatchedUpdate(table: string, column: string, value: string, where = '', { batchSize = 5000, sleepSeconds = 1 }: BatchedUpdateOptions = {}): string {
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new InputError('INVALID_OPTION', `batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isFinite(sleepSeconds) || sleepSeconds < 0) throw new InputError('INVALID_OPTION', `sleepSeconds must be >= 0, got ${sleepSeconds}`);
  if (value.includes(TAG) || where.includes(TAG)) throw new InputError('INVALID_VALUE', `value and where must not contain ${TAG}`);
  const t = quoteTable(parseTableName(table));
  const c = quoteIdent(parseColumnName(column));
  const guard = where.trim() ? `${c} IS NULL AND (${where.trim()})` : `${c} IS NULL`;
  return `DO ${TAG}
DECLARE
  batch_rows bigint;
  total_rows bigint := 0;
BEGIN
  LOOP
    UPDATE ${t} SET ${c} = ${quoteLiteral(value)}
     WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t} WHERE ${guard} LIMIT ${batchSize}))
       AND ${guard};
    GET DIAGNOSTICS batch_rows = ROW_COUNT;
    total_rows := total_rows + batch_rows;
    COMMIT;
    EXIT WHEN batch_rows = 0;
    RAISE NOTICE 'backfill %: % rows done', ${quoteLiteral(`${t}.${c}`)}, total_rows;
    PERFORM pg_sleep(${sleepSeconds});
  END LOOP;
END
${TAG};`;
}
