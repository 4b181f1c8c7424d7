import type { CodeTool } from './tool.js';

/** Rails (ActiveRecord): `schema_migrations(version)`, the migration's timestamp; `ar_internal_metadata` records the environment. */
export const rails: CodeTool = { name: 'rails', title: 'Rails (ActiveRecord)', history: 'schema_migrations', bookkeeping: ['ar_internal_metadata'], nameOf: (r) => r.version ?? undefined };
