import type { CodeTool } from './tool.js';

/** Flyway run by its own CLI (Java migrations too): `flyway_schema_history(version, description, script, ...)`. */
export const flyway: CodeTool = { name: 'flyway', title: 'Flyway', history: 'flyway_schema_history', bookkeeping: [], nameOf: (r) => r.script ?? r.version ?? undefined };
