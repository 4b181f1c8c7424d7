import { createHash } from 'node:crypto';
import type { ColumnInfo, TableInfo } from '../catalog.js';
import { parseColumnName, quoteIdent } from '../../core/identifiers.js';
import { runShortTransaction } from '../transaction.js';
import type { SetNotNullSpec, Step } from '../types.js';
import { skipped, type Operation } from './operation.js';

/** A constraint name that is stable across reruns and fits in 63 bytes. */
function checkName(column: string): string {
  return `pgmb_nn_${createHash('sha1').update(column).digest('hex').slice(0, 12)}`;
}

/**
 * NOT NULL without a full scan under ACCESS EXCLUSIVE: a NOT VALID check (instant), VALIDATE
 * (scans under SHARE UPDATE EXCLUSIVE: writers go on), then SET NOT NULL, which PostgreSQL 12+
 * proves from the valid check without scanning, and the check is dropped. Safe to rerun.
 */
export function safeNotNullStep(table: TableInfo, info: ColumnInfo): Step {
  info.usedLater = true;
  return {
    phase: 'validate',
    description: `set ${table.sql}.${quoteIdent(info.name)} NOT NULL (check, validate, set)`,
    async run(ctx) {
      const column = info.name;
      const check = quoteIdent(checkName(column));
      const col = quoteIdent(column);
      const { rows } = await ctx.client.query<{ convalidated: boolean }>('SELECT convalidated FROM pg_constraint WHERE conrelid = $1 AND conname = $2', [table.oid, checkName(column)]);
      if (!rows[0]) {
        await runShortTransaction(ctx, `add NOT VALID check on ${table.sql}`, [`ALTER TABLE ${table.sql} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID`]);
      }
      if (!rows[0]?.convalidated) {
        // The scan may be long; it blocks no writer, so no statement timeout.
        await runShortTransaction(ctx, `validate check on ${table.sql}`, [`ALTER TABLE ${table.sql} VALIDATE CONSTRAINT ${check}`], {
          statementTimeoutMs: 0,
        });
      }
      await runShortTransaction(ctx, `set NOT NULL on ${table.sql}`, [`ALTER TABLE ${table.sql} ALTER COLUMN ${col} SET NOT NULL`, `ALTER TABLE ${table.sql} DROP CONSTRAINT ${check}`]);
    },
  };
}

export const setNotNull: Operation<SetNotNullSpec> = {
  async plan(spec, catalog) {
    const table = await catalog.table(spec.table);
    const column = parseColumnName(spec.column);
    const info = catalog.column(table, column);
    if (info.notNull) return [skipped('validate', `${table.sql}.${quoteIdent(column)} is NOT NULL already`)];
    catalog.require({ kind: 'owner', table, why: 'ALTER TABLE ... SET NOT NULL' });
    info.notNull = true;
    return [safeNotNullStep(table, info)];
  },
};
