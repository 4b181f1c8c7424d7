import type { CodeTool } from './tool.js';

/** Knex: `knex_migrations(name, batch, migration_time)`, the file name; `knex_migrations_lock` guards a run. */
export const knex: CodeTool = { name: 'knex', title: 'Knex', history: 'knex_migrations', bookkeeping: ['knex_migrations_lock'], nameOf: (r) => r.name ?? undefined };
