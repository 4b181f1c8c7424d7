import type { Catalog, ColumnInfo, TableInfo } from '../catalog.js';
import { IncompleteBackfillError, InputError, InvalidWhereError, NoPrimaryKeyError } from '../../core/errors.js';
import { parseColumnName, quoteIdent } from '../../core/identifiers.js';
import { runBackfill } from '../backfill/backfill.js';
import { strategyNamed } from '../backfill/strategies/index.js';
import { partitionKeyUsers, treeMembers } from '../relations.js';
import type { BackfillSpec, EngineOptions, Step, StrategyName } from '../types.js';
import type { Operation } from './operation.js';

/** The Data-phase step that fills a column with `value`, checked against the catalog first. */
export async function backfillStep(catalog: Catalog, options: EngineOptions, table: TableInfo, info: ColumnInfo, value: string, where?: string): Promise<Step> {
  const strategy = options.backfill.strategy;
  await checkTree(catalog, table, info.name, strategy);
  await catalog.checkValue(value, info.type);
  if (where !== undefined) await checkWhere(catalog, table, where);
  info.usedLater = true;
  catalog.require({ kind: 'write', table, column: info.name });
  catalog.require({ kind: 'state-table', name: options.backfill.stateTable });
  return {
    phase: 'data',
    description: `backfill ${table.sql}.${quoteIdent(info.name)}`,
    run: async (ctx) => {
      const result = await runBackfill(ctx, { table, column: info.name, value, where }, ctx.options.backfill);
      if (result.nullsLeft > 0) throw new IncompleteBackfillError(table.sql, quoteIdent(info.name), result.nullsByRelation);
      return result;
    },
  };
}

/**
 * Every relation of the table's tree that a backfill would walk must be one it can: foreign
 * partitions live on another server; a strategy that needs a primary key needs each leaf's own (an
 * inheritance child has none unless it was given one); a partition key column would move rows.
 */
async function checkTree(catalog: Catalog, table: TableInfo, column: string, strategy: StrategyName): Promise<void> {
  const members = await treeMembers(catalog.client, table.oid);
  const foreign = members.find((m) => m.relkind === 'f');
  if (foreign) throw new InputError('FOREIGN_PARTITION', `${foreign.sql}, a member of ${table.sql}, is a foreign table: backfill it on its own server; pgmb writes local tables only`);
  if (strategyNamed(strategy).needsPrimaryKey) {
    const keyless = members.find((m) => m.relkind === 'r' && m.primaryKey.length === 0);
    if (keyless) throw new NoPrimaryKeyError(keyless.sql, strategy);
  }
  const keyed = await partitionKeyUsers(catalog.client, members, column);
  if (keyed.length) {
    throw new InputError('PARTITION_KEY', `column ${quoteIdent(column)} is in the partition key of ${keyed.join(', ')}: filling it would move rows between partitions; pgmb refuses`);
  }
}

/**
 * The condition is the operator's SQL, pasted into several statements: it must be one balanced
 * expression (no semicolon, comment or stray parenthesis outside quotes), and the server must be
 * able to plan it.
 */
async function checkWhere(catalog: Catalog, table: TableInfo, where: string): Promise<void> {
  if (!where.trim()) throw new InvalidWhereError(where, 'empty condition');
  const problem = shapeProblem(where);
  if (problem) throw new InvalidWhereError(where, problem);
  try {
    await catalog.explainWhere(table, where);
  } catch (err) {
    throw new InvalidWhereError(where, (err as Error).message);
  }
}

/** What makes a condition unsafe to paste into a larger statement, scanning outside quotes. */
export function shapeProblem(where: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < where.length; i++) {
    const ch = where[i]!;
    if (ch === "'" || ch === '"') {
      const end = where.indexOf(ch, i + 1);
      if (end === -1) return 'unterminated quote';
      i = end;
    } else if (ch === ';') return 'a semicolon: one condition only';
    else if ((ch === '-' && where[i + 1] === '-') || (ch === '/' && where[i + 1] === '*')) return 'a comment';
    else if (ch === '$') return 'dollar quoting or parameters';
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return 'an unbalanced parenthesis';
  }
  return depth === 0 ? undefined : 'an unbalanced parenthesis';
}

export const backfill: Operation<BackfillSpec> = {
  async plan(spec, catalog, options) {
    const table = await catalog.table(spec.table);
    return [await backfillStep(catalog, options, table, catalog.column(table, parseColumnName(spec.column)), spec.value, spec.where)];
  },
};
