import { parseColumnName, quoteIdent } from '../identifiers.js';
import { runShortTransaction } from '../transaction.js';
import type { DropColumnSpec } from '../types.js';
import type { Operation } from './operation.js';

/** DROP COLUMN: a catalog change only (no rewrite), under a brief ACCESS EXCLUSIVE lock. */
export const dropColumn: Operation<DropColumnSpec> = {
  async plan(spec, catalog) {
    const table = await catalog.table(spec.table);
    const column = parseColumnName(spec.column);
    catalog.column(table, column);
    table.columns.delete(column);
    const sql = `ALTER TABLE ${table.sql} DROP COLUMN ${quoteIdent(column)}`;
    return [{ phase: 'ddl', description: sql, run: (ctx) => runShortTransaction(ctx, `drop column ${quoteIdent(column)}`, [sql]) }];
  },
};
