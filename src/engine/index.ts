/** The engine's public surface. */
export { migrate, type MigrationResult } from './migrate.js';
export { resolveEngineOptions, type EngineOptionsInput } from './options.js';
export { splitPhases, type Phase } from './phases.js';
export { throttleWhile, type HealthSignal } from './backfill/throttle.js';
export { generateBatchedUpdate } from './backfill/seed-sql.js';
export { createIndexSql } from './concurrent-index.js';
export { preflight, seesReplicationStats, type Requirement } from './preflight.js';
export * from './errors.js';
export * from './types.js';
