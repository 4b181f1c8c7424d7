/** The engine's public surface. */
export { migrate, type MigrationResult } from './migrate.js';
export { resolveEngineOptions, type EngineOptionsInput } from './options.js';
export { splitPhases, type Phase } from './phases.js';
export { throttleWhile, type HealthSignal } from './backfill/throttle.js';
export { generateBatchedUpdate } from './backfill/seed-sql.js';
export { createIndexSql } from './concurrent-index.js';
export type { Requirement } from './catalog.js';
export { preflight, seesReplicationStats } from './preflight.js';
export * from '../core/errors.js';
export * from './types.js';
