import type { VacuumPolicy } from '../src/engine/backfill/vacuum-behind.js';
import type { MeasureContext } from '../src/measure/measure-case.js';
import { STRATEGIES } from '../src/engine/index.js';
import type { CaseFigures, Suite } from '../src/results/row.js';

/** The backfill suite's strategy column: the single-update baseline (one whole-table UPDATE), then the engine's strategies. */
export const BACKFILL_STRATEGIES = ['single-update', ...STRATEGIES] as const;
export type BenchStrategy = (typeof BACKFILL_STRATEGIES)[number];
/** The batched strategies, in the order the bench runs them (the single-update baseline always runs). */
export const BATCHED_STRATEGIES = STRATEGIES;

/** Everything `npm run bench` can be told; see `pgmb bench --help`. */
export interface BenchOptions {
  suites: Suite[];
  /** `--pg`: run everything once per PostgreSQL major, each on its own embedded server. */
  pg?: number[];
  sizes: number[];
  /** Batched strategies; the single-update baseline always runs in the backfill suite. */
  strategies: Exclude<BenchStrategy, 'single-update'>[];
  batchSize: number;
  delayMs: number;
  /** Parallel workers of the ctid strategy (the others always use one). */
  workers: number;
  /** Iterations per case (the least, with rmeTarget); undefined: 3 up to 100K rows, 2 above. */
  iterations?: number;
  /** Go on iterating until the relative margin of error (%) is this small... */
  rmeTarget?: number;
  /** ...or the case has taken this long, setup included (default 2 minutes). */
  maxCaseMs?: number;
  /** Vacuum behind the walk: ctid runs once per policy (the first is the others' too). */
  vacuum: VacuumPolicy[];
  /** Leaves of the backfill and index suites' tables: 0 is the plain table, 8 a range-partitioned one. */
  partitions: number[];
  /** Rows of the DDL suite's table (the seed used 100K). */
  ddlRows: number;
  /** Simulated application writers beside every case. */
  writers: boolean;
  /** Simulated application readers beside them. */
  readers: boolean;
  out: string;
  profile?: 'seed';
  /** Start a streaming standby of the embedded server and record its replay lag. */
  standby: boolean;
  /** Backfills pause while replica lag is over this (gh-ost's --max-lag-millis). */
  maxLagMs?: number;
  /** Backfills pause while the simulated writers' recent p99 is over this. */
  maxWriterP99Ms?: number;
  /** With a standby: a report query holds a snapshot there while each case runs, at most this long. */
  standbyQueryMs?: number;
  /** Run this one case of the suites and skip the rest (compare --confirm re-measures this way). */
  only?: { case: string; strategy?: string };
}

/** What a suite runs with: measureCase's context, with every bench option. */
export type SuiteContext = MeasureContext & { options: BenchOptions };

export interface BenchSuite {
  name: Suite;
  /** How many case-iterations it will run, for the progress bar. */
  plannedIterations(options: BenchOptions): number;
  /** The CSV case names it writes on a server of this major (the contract: results/README.md). */
  cases(major: number): readonly string[];
  run(ctx: SuiteContext): Promise<CaseFigures[]>;
}

export function iterationsFor(options: BenchOptions, rows: number): number {
  return options.iterations ?? (rows <= 100_000 ? 3 : 2);
}

/** Each table size with each partitioning asked for (0: plain), sizes first: the backfill and index suites' fixtures. */
export function fixtures(options: BenchOptions): (readonly [rows: number, partitions: number])[] {
  return options.sizes.flatMap((rows) => options.partitions.map((p) => [rows, p] as const));
}

/** Whether a case is to be run: all of them, unless options.only names one. */
export function wanted(options: BenchOptions, caseName: string, strategy?: string): boolean {
  return !options.only || (options.only.case === caseName && (options.only.strategy ?? '') === (strategy ?? ''));
}
