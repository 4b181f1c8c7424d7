import { DuplicateColumnError } from '../../core/errors.js';
import { parseColumnName, quoteIdent } from '../../core/identifiers.js';
import { runShortTransaction } from '../transaction.js';
import type { RenameColumnSpec } from '../types.js';
import { skipped, type Operation } from './operation.js';

/** RENAME COLUMN; a rerun that finds the new name and not the old one has nothing to do. */
export const renameColumn: Operation<RenameColumnSpec> = {
  async plan(spec, catalog) {
    const table = await catalog.table(spec.table);
    const from = parseColumnName(spec.column);
    const to = parseColumnName(spec.to);
    if (table.columns.has(to)) {
      if (!table.columns.has(from)) return [skipped('ddl', `${table.sql}.${quoteIdent(to)} exists already (renamed before)`)];
      throw new DuplicateColumnError(table.sql, to);
    }
    const info = catalog.column(table, from);
    catalog.require({ kind: 'owner', table, why: 'ALTER TABLE ... RENAME COLUMN' });
    table.columns.delete(from);
    table.columns.set(to, info);
    info.name = to;
    const sql = `ALTER TABLE ${table.sql} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`;
    return [{ phase: 'ddl', description: sql, run: (ctx) => runShortTransaction(ctx, `rename column ${quoteIdent(from)}`, [sql]) }];
  },
};
