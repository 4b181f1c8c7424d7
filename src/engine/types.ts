/**
 * The engine's boundary types: what a caller asks for (operations, options) and what it is told
 * (events, results). Everything a script or the CLI passes in is described here.
 */
import type pg from 'pg';
import type { StrategyName } from './backfill/strategies/index.js';
import type { VacuumPolicy } from './backfill/vacuum-behind.js';
import type { Requirement } from './catalog.js';

export type PhaseName = 'ddl' | 'index' | 'data' | 'validate';
export const PHASE_ORDER: readonly PhaseName[] = ['ddl', 'index', 'data', 'validate'];

/** Names are written as in SQL: `users`, `"Order"`, `public."user data"`. Values are text, cast by the server. */
export type OperationSpec = AddColumnSpec | DropColumnSpec | RenameColumnSpec | CreateIndexSpec | SetNotNullSpec | BackfillSpec;

export interface AddColumnSpec {
  op: 'add-column';
  table: string;
  column: string;
  type: string;
  /** A constant default (PostgreSQL 11+ adds it without a rewrite). */
  default?: string;
  /** Fill existing rows with this value in the Data phase, batch by batch. */
  backfill?: string;
  /** Set NOT NULL at the end (the safe way when there is a backfill). */
  notNull?: boolean;
}

export interface DropColumnSpec {
  op: 'drop-column';
  table: string;
  column: string;
}

export interface RenameColumnSpec {
  op: 'rename-column';
  table: string;
  column: string;
  to: string;
}

export interface CreateIndexSpec {
  op: 'create-index';
  table: string;
  columns: string[];
  /** Defaults to `<table>_<columns>_idx`. */
  name?: string;
  unique?: boolean;
}

export interface SetNotNullSpec {
  op: 'set-not-null';
  table: string;
  column: string;
}

export interface BackfillSpec {
  op: 'backfill';
  table: string;
  column: string;
  value: string;
  /** An extra SQL condition, trusted like pt-online-schema-change's --where; checked before use. */
  where?: string;
}

export { STRATEGIES, type StrategyName } from './backfill/strategies/index.js';

export interface BackfillOptions {
  strategy: StrategyName;
  /** Rows per batch (the first batch's size when targetBatchMs is set). */
  batchSize: number;
  /** Sleep between batches, outside any transaction (the seed: 1000). */
  delayMs: number;
  /** Adapt the batch size so that one batch takes about this long (pt-osc's --chunk-time). */
  targetBatchMs?: number;
  /** Where the checkpoint lives; one row per (table, column). */
  stateTable: string;
  /**
   * Parallel workers, each on its own connection, taking parts from one queue: the leaves of a
   * partitioned or inheritance tree, and with ctid page ranges of the big ones. Each part has its
   * own checkpoint; a crash redoes at most one batch per worker.
   */
  workers: number;
  /** Called before each batch; resolves after any wait it imposed, with the ms it waited. */
  throttle?: () => Promise<number>;
  /** When another backfill of the same table and column runs: wait for it instead of failing. */
  wait?: boolean;
  /**
   * VACUUM (INDEX_CLEANUP OFF) of the leaf behind the walk, so new row versions reuse the space the
   * old ones left instead of doubling the table: 'auto' picks how often from the growth it
   * measures, a number is every N batches, 'off' never. Default: the strategy's own (defaultVacuum).
   */
  vacuum: VacuumPolicy;
}

export interface EngineOptions {
  /** lock_timeout for each DDL transaction. */
  lockTimeoutMs: number;
  /** statement_timeout for each DDL transaction. */
  statementTimeoutMs: number;
  /** Attempts of a DDL transaction that hits lock_timeout, with exponential backoff. */
  maxAttempts: number;
  backfill: BackfillOptions;
  onEvent?: (event: EngineEvent) => void;
  /**
   * Emit a `ddl-locks` event with the table locks each DDL transaction holds just before COMMIT:
   * exact where polling pg_locks from outside misses a transaction of a millisecond.
   */
  reportLocks?: boolean;
  /** Opens another connection to the same database: needed for parallel backfill workers. */
  connect?: () => Promise<pg.Client>;
  /** Privileges the caller's own machinery needs (a canary table, lag readings), checked with the migration's. */
  requirements?: Requirement[];
}

export const DEFAULT_BACKFILL: BackfillOptions = {
  strategy: 'ctid',
  batchSize: 5000,
  delayMs: 0,
  stateTable: 'pgmb_backfill_state',
  workers: 1,
  vacuum: 'auto',
};

export const DEFAULT_ENGINE: EngineOptions = {
  lockTimeoutMs: 2000,
  statementTimeoutMs: 60_000,
  maxAttempts: 5,
  backfill: DEFAULT_BACKFILL,
};

export interface BackfillProgress {
  table: string;
  column: string;
  strategy: StrategyName;
  rowsDone: number;
  batches: number;
  /** Share of the main pass done, 0..1 (the sweep is the last step). */
  fraction: number;
  /** Estimated rows in all, from the catalog or the strategy's own count. */
  totalEstimate: number;
  rowsPerSec: number;
  /** Seconds left at the recent rate; undefined until there is a rate. */
  etaSec?: number;
  batchSize: number;
  /** The most rows one batch wrote so far. */
  largestBatch: number;
  throttledMs: number;
  stage: 'main' | 'sweep' | 'done';
  /** Relations walked: 1 for a plain table, the leaves of a partitioned or inheritance tree. */
  relations: number;
  /** Rounds of vacuum behind the walk so far. */
  vacuums: number;
  /** With stage 'done': rows still NULL that the sweep should have filled (0 when done is done). */
  nullsLeft?: number;
}

export interface BackfillResult {
  rowsUpdated: number;
  batches: number;
  ms: number;
  throttledMs: number;
  /** True when a checkpoint from an earlier run was picked up. */
  resumed: boolean;
  workers: number;
  /** The most rows one batch wrote (one transaction's worth). */
  largestBatch: number;
  /** Leaves walked (1 for a plain table). */
  relations: number;
  /**
   * Counted after the sweep, per leaf: rows still NULL (and matching `where`) among those that
   * existed when the sweep began, plus any the sweep wrote and something set back to NULL. A
   * non-zero count makes the Data phase fail: a backfill is never reported done while it is not.
   */
  nullsLeft: number;
  nullsByRelation: { relation: string; nulls: number }[];
  /** Leaves that joined the tree after the sweep began (created or attached): not walked. */
  lateRelations: string[];
  /** Leaves that left the tree (dropped or detached) before their part was walked: skipped. */
  goneRelations: string[];
  /** Vacuum behind the walk: rounds run, rounds skipped on a lock, their time. */
  vacuums: number;
  vacuumsSkipped: number;
  vacuumMs: number;
}

export type EngineEvent =
  | { type: 'phase-start'; phase: PhaseName; steps: number }
  | { type: 'phase-end'; phase: PhaseName; ms: number }
  | { type: 'step'; phase: PhaseName; description: string; skip?: string }
  | { type: 'ddl-retry'; description: string; attempt: number; waitMs: number }
  | { type: 'ddl-locks'; description: string; modes: string[] }
  | { type: 'index-invalid-dropped'; index: string }
  | { type: 'backfill-progress'; progress: BackfillProgress }
  | { type: 'backfill-waiting'; holder: string }
  | { type: 'backfill-relation-skipped'; relation: string; reason: string };

/** What a step runs with. The client is not inside a transaction when a step starts. */
export interface StepContext {
  client: pg.Client;
  options: EngineOptions;
  emit(event: EngineEvent): void;
}

/** One unit of work of an operation, tagged with its phase. */
export interface Step {
  phase: PhaseName;
  description: string;
  /** Why the step has nothing to do, when it has nothing to do. */
  skip?: string;
  /** A backfill step returns what it did; the others return nothing. */
  run(ctx: StepContext): Promise<BackfillResult | void>;
}
