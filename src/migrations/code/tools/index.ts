/**
 * The registry of tools `pgmb try --command` knows by their history tables: one line per tool,
 * one file each. A tool not here is named with --history-table (customTool).
 */
import { alembic } from './alembic.js';
import { django } from './django.js';
import { flyway } from './flyway.js';
import { knex } from './knex.js';
import { mikroOrm } from './mikro-orm.js';
import { rails } from './rails.js';
import { sequelize } from './sequelize.js';
import type { CodeTool, HistoryRow } from './tool.js';
import { typeorm } from './typeorm.js';

export type { CodeTool, HistoryRow } from './tool.js';

export const CODE_TOOLS: readonly CodeTool[] = [knex, django, alembic, rails, sequelize, typeorm, mikroOrm, flyway];

/** The usual name columns, for a history table named with --history-table. */
const NAME_COLUMNS = ['name', 'version', 'version_num', 'migration', 'id'];

/** An unknown tool, known by the table it records applied migrations in: named by its first usual name column, else its first value. */
export function customTool(table: string): CodeTool {
  const nameOf = (r: HistoryRow) => NAME_COLUMNS.map((c) => r[c]).find((v) => v) ?? Object.values(r).find((v) => v) ?? undefined;
  return { name: 'custom', title: `history table ${table}`, history: table, bookkeeping: [], nameOf };
}
