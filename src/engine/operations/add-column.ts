import { DuplicateColumnError, InvalidOptionError } from '../../core/errors.js';
import { parseColumnName, quoteIdent, quoteLiteral } from '../../core/identifiers.js';
import { runShortTransaction } from '../transaction.js';
import type { AddColumnSpec, Step } from '../types.js';
import { backfillStep } from './backfill.js';
import { skipped, type Operation } from './operation.js';
import { safeNotNullStep } from './set-not-null.js';

/**
 * ADD COLUMN in the DDL phase (nullable, or with a constant default: no rewrite on PostgreSQL 11+),
 * then, with a backfill value, the Data phase fills it and the Validate phase sets NOT NULL safely.
 * A rerun after the DDL committed finds the column and goes on with the later phases.
 */
export const addColumn: Operation<AddColumnSpec> = {
  async plan(spec, catalog, options) {
    const table = await catalog.table(spec.table);
    const column = parseColumnName(spec.column);
    const type = await catalog.type(spec.type);
    if (spec.default !== undefined && spec.backfill !== undefined) {
      throw new InvalidOptionError('backfill', 'cannot go with a default: PostgreSQL gives existing rows the default already');
    }
    if (spec.notNull && spec.default === undefined && spec.backfill === undefined) {
      throw new InvalidOptionError('notNull', 'needs a default or a backfill value, or existing rows would violate it');
    }
    if (spec.default !== undefined) await catalog.checkValue(spec.default, type);
    if (spec.backfill !== undefined) await catalog.checkValue(spec.backfill, type);

    const col = quoteIdent(column);
    const steps: Step[] = [];
    catalog.require({ kind: 'owner', table, why: 'ALTER TABLE ... ADD COLUMN' });
    const existing = table.columns.get(column);
    if (existing) {
      if (!(await catalog.sameBaseType(existing.type, type))) throw new DuplicateColumnError(table.sql, column);
      steps.push(skipped('ddl', `${table.sql}.${col} exists already`));
    } else {
      const defaultSql = spec.default !== undefined ? ` DEFAULT ${quoteLiteral(spec.default)}` : '';
      const notNullSql = spec.default !== undefined && spec.notNull ? ' NOT NULL' : '';
      const sql = `ALTER TABLE ${table.sql} ADD COLUMN ${col} ${type}${defaultSql}${notNullSql}`;
      steps.push({ phase: 'ddl', description: sql, run: (ctx) => runShortTransaction(ctx, `add column ${col}`, [sql]) });
      table.columns.set(column, { name: column, type, notNull: notNullSql !== '' });
    }
    if (spec.backfill !== undefined) {
      const info = catalog.column(table, column);
      steps.push(await backfillStep(catalog, options, table, info, spec.backfill));
      if (spec.notNull && !info.notNull) {
        steps.push(safeNotNullStep(table, info));
        info.notNull = true;
      }
    }
    return steps;
  },
};
