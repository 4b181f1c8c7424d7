import type { CodeTool } from './tool.js';

/** Alembic: one row in `alembic_version(version_num)`, inserted for the first revision and updated for each next one. */
export const alembic: CodeTool = { name: 'alembic', title: 'Alembic', history: 'alembic_version', bookkeeping: [], nameOf: (r) => r.version_num ?? undefined };
