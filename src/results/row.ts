/**
 * One CSV row per measured case: the contract scripts and people rely on (../shared/DESIGN.md).
 * Columns are added at the end, never renamed. A figure that does not apply is empty, never 0.
 */
export const CSV_COLUMNS = [
  'run_id',
  'started_at',
  'git_sha',
  'pkg_version',
  'pg_version',
  'suite',
  'case',
  'strategy',
  'rows',
  'batch_size',
  'delay_ms',
  'iterations',
  'mean_ms',
  'p50_ms',
  'p99_ms',
  'min_ms',
  'max_ms',
  'rme_pct',
  'rows_per_sec',
  'setup_ms',
  'dead_tuples',
  'wal_bytes',
  'table_rewritten',
  'lock_mode',
  'writer_p99_ms',
  'writer_max_ms',
  'writer_blocked',
  // Added after the design card's list:
  'pg_settings',
  'throttled_ms',
  'writer_baseline_p99_ms',
  'replica_lag_max_ms',
  'replica_lag_max_bytes',
  'workers',
  'max_lag_ms',
  'max_writer_p99_ms',
  'standby_query_ms',
  'partitions',
  'nulls_left',
  'largest_batch',
  'probes_off',
  'table_bytes_before',
  'table_bytes_after',
  'table_bytes_compact',
  'growth',
  'vacuum',
  // The operation's own work (pg_stat_statements): steady between runs, where time is not.
  'work_wal_bytes',
  'work_wal_records',
  'work_wal_fpi',
  'work_blks_hit',
  'work_blks_read',
  'work_blks_dirtied',
  'work_blks_written',
  'work_rows',
  // The simulated writers' own count: a verdict of "no harm" means little if their writes failed.
  'writer_writes',
  'writer_errors',
  // Why the worst write waited ("migration: ...", "outside: ...", when over 100 ms), and the worst write the
  // migration caused (0: none over 100 ms).
  'writer_max_cause',
  'writer_migration_max_ms',
  // The simulated readers beside the writers: a lock may hold writes and let reads go on, or hold both.
  'reader_p99_ms',
  'reader_max_ms',
  'reader_reads',
  'reader_errors',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Conditions beyond the batch policy: throttle limits, a report query on the standby, a partitioned fixture. */
export const CONDITION_COLUMNS = ['max_lag_ms', 'max_writer_p99_ms', 'standby_query_ms', 'partitions'] as const satisfies readonly CsvColumn[];

/** The columns of the design card: every pgmb CSV since 0.1.0 has them; compare and report need them. */
export const REQUIRED_COLUMNS = CSV_COLUMNS.slice(0, CSV_COLUMNS.indexOf('writer_blocked') + 1);
/** Everything that makes two rows of one case different experiments, not two runs of one. */
export const POLICY_COLUMNS = ['batch_size', 'delay_ms', 'workers', 'vacuum', ...CONDITION_COLUMNS] as const satisfies readonly CsvColumn[];
export type Cell = string | number | boolean | undefined;
export type CsvRow = Record<CsvColumn, Cell>;

export type Suite = 'setup' | 'backfill' | 'index' | 'ddl';
export const SUITES: readonly Suite[] = ['setup', 'backfill', 'index', 'ddl'];

/** Run-wide metadata repeated on every row. */
export interface RunMetadata {
  run_id: string;
  started_at: string;
  git_sha: string;
  pkg_version: string;
  pg_version: string;
  pg_settings: string;
}

/** What a suite measures for one case; the runner adds the metadata. */
export type CaseFigures = Partial<Omit<CsvRow, keyof RunMetadata>> & Pick<CsvRow, 'suite' | 'case'>;

export function toRow(meta: RunMetadata, figures: CaseFigures): CsvRow {
  const row = Object.fromEntries(CSV_COLUMNS.map((c) => [c, undefined])) as CsvRow;
  return Object.assign(row, meta, figures);
}
