import { InvalidOptionError } from '../../core/errors.js';
import { parseColumnName, quoteIdent } from '../../core/identifiers.js';
import { runShortTransaction } from '../transaction.js';
import type { DropColumnSpec } from '../types.js';
import type { Operation } from './operation.js';

/** DROP COLUMN: a catalog change only (no rewrite), under a brief ACCESS EXCLUSIVE lock. */
export const dropColumn: Operation<DropColumnSpec> = {
  async plan(spec, catalog) {
    const table = await catalog.table(spec.table);
    const column = parseColumnName(spec.column);
    if (catalog.column(table, column).usedLater) {
      throw new InvalidOptionError('drop-column', `${column} is used by an earlier operation of this migration; drop it in a later one`);
    }
    catalog.require({ kind: 'owner', table, why: 'ALTER TABLE ... DROP COLUMN' });
    table.columns.delete(column);
    const sql = `ALTER TABLE ${table.sql} DROP COLUMN ${quoteIdent(column)}`;
    return [{ phase: 'ddl', description: sql, run: (ctx) => runShortTransaction(ctx, `drop column ${quoteIdent(column)}`, [sql]) }];
  },
};
