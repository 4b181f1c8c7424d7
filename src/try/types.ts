import type { ShapeFile } from '../fixtures/shape/types.js';
import type { ValueOverrides } from '../fixtures/synthetic-table.js';
import type { LintResult } from '../lint/squawk.js';
import type { MeasuredFigures } from '../measure/measure-case.js';
import type { Migration, ReadHistoryOptions, TransactionGroup, TransactionMode } from '../migrations/index.js';

export type { ForeignKeyAdded } from '../migrations/index.js';
import type { SettingsPlan } from './settings.js';
import type { SizeRun, TryVerdicts } from './verdict.js';

/** Everything `pgmb try` can be told; see `pgmb try --help`. */
export interface TryOptions {
  paths: string[];
  /** Schema applied before any migration: a pg_dump --schema-only, a structure.sql. */
  schema: string[];
  sizes: number[];
  /** --sizes auto: the sizes are chosen from a timed probe to fit this budget (ms), the largest within 10x of the target. */
  budgetMs?: number;
  /** The size the verdict is for (default: the shape's, else the largest measured). */
  targetRows?: number;
  /** `last` (default), `all`, a migration's name as its tool names it, or a glob over names and paths. */
  measure: string;
  /** A range of migrations instead: from this one (default: the first) to that one (default: the last). */
  measureFrom?: string;
  measureTo?: string;
  /** Measure the migrations a branch adds or changes since this git ref (a pull request's), from the first to the last of them. */
  changedSince?: string;
  /** Statements of the earlier migrations not run when building the schema (--skip FILE:LINE). */
  skip?: ReadonlySet<string>;
  /** How the history is read: --tool, --placeholder. */
  read?: ReadHistoryOptions;
  transaction: TransactionMode;
  maxBlockMs: number;
  values: ValueOverrides;
  /** Simulated application writers on every touched table: connections per table (--writers; 0 none, readers then too). */
  writers: number;
  /** Simulated application readers on every touched table: connections per table (--readers; 0 none). */
  readers: number;
  /** A long query holding each touched table while the migration runs, measured as a second scenario at the largest size (0: none). */
  longQueryMs: number;
  /** SET lock_timeout for the migration's session, as a tool that sets it does (--lock-timeout). */
  lockTimeoutMs?: number;
  /** Attempts after a lock_timeout, as a tool that retries does (--retries). */
  retries: number;
  /** Production's settings for the migration's session: a shape's, then --setting's (which win). */
  settings: ReadonlyMap<string, string>;
  /** Production's tables from `pgmb shape`: they replace the earlier migrations, and their statistics shape the rows. */
  shape?: ShapeFile;
  lint: 'squawk' | 'none';
  /** Append the CSV rows (suite "try") to this file. */
  out?: string;
}

/** The migrations read and split: the ones that build the schema, and the ones measured. */
export interface TryPlan {
  schema: Migration[];
  /** Earlier migrations left out because a shape file stands for production's schema. */
  notApplied: Migration[];
  measured: Migration[];
  /** What a project root was read as: `prisma/migrations as Prisma (19 files)`. */
  readAs: string[];
  /** What the history holds that was not read, a line each. */
  notes: string[];
  groups: TransactionGroup[];
}

/** The size the verdict is for, and where that number came from. */
export interface TryTarget {
  rows: number;
  from: string;
}

/** The migration measured once at one size, in one scenario (quiet, or behind a long query). */
export interface ScenarioResult {
  run: SizeRun;
  /** The whole migration at this size, measured by measureCase as every bench case is. */
  figures: MeasuredFigures;
  /** The tables the simulated writers wrote to. */
  writersOn: string[];
  /** What their failed writes said (a few distinct messages). */
  writerErrors: string[];
}

/** One size: the quiet run, and the run behind a long query where one was measured. */
export interface SizeResult extends ScenarioResult {
  behind?: ScenarioResult & { longQueryMs: number };
}

/** The simulated writers over every size: where they wrote, how many writes, how many failed. */
export interface WriterSummary {
  tables: string[];
  /** Connections per table. */
  connections: number;
  writes: number;
  errors: number;
  /** What the failed writes said: a few distinct server messages. */
  errorMessages: string[];
  /** The slowest write at the largest size, and why it waited, when it was over 100 ms. */
  worst?: { ms: number; cause: string };
  /** The simulated readers beside them, where they ran. */
  readers?: { connections: number; reads: number; errors: number };
}

/** What one `pgmb try` found: everything the command renders. */
export interface TryOutcome {
  pgMajor: number;
  target: TryTarget;
  verdicts: TryVerdicts;
  /** The sizes measured to the end (a failed size is not one). */
  sizes: number[];
  /** --sizes auto: the sizes are chosen from a timed probe to fit this budget (ms), the largest within 10x of the target. */
  budgetMs?: number;
  lint?: LintResult;
  writers?: WriterSummary;
  /** Size results appended to TryOptions.out. */
  appended: number;
  /** Production's settings: those set for the migration's session, and the server-wide ones not matched. */
  settings: SettingsPlan;
}
