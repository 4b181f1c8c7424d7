import type { CaseFigures } from '../../results/row.js';

/** The table a case measures on, one per iteration. */
export interface ProbeTable {
  name: string;
  /** The name as SQL: quoted, schema-qualified where it is not on the search path. */
  sql: string;
  oid: number;
  /** The table and every partition under it (or every table a user's migration touches): where locks and statistics are read. */
  relations: number[];
}

/** What the measured operation reports of one iteration (an engine backfill more than the rest). */
export interface RunFigures {
  throttledMs?: number;
  /** NULLs the backfill counted after its sweep. */
  nullsLeft?: number;
  /** Rows of its largest batch. */
  largestBatch?: number;
  /** Table locks the operation took, as it saw them (statement by statement, say). */
  locks?: string[];
}

/** The columns of a case's CSV row a probe fills. */
export type ProbeFigures = Partial<Omit<CaseFigures, 'suite' | 'case'>>;

/**
 * One thing watched beside a measured operation. measureCase calls prepare() on each iteration's
 * fresh table and start() just before the operation, both in the probes' list order, then stop()
 * just after it in the reverse order (so a probe listed earlier sees the table after the later
 * ones are done with it); figures() sums up every iteration as CSV columns.
 */
export interface Probe {
  prepare?(table: ProbeTable): Promise<void>;
  start?(): Promise<void>;
  /** `run` is what the operation reported, with the locks it held as read inside its transaction. */
  stop?(run: RunFigures): Promise<void>;
  figures(): ProbeFigures;
  close?(): Promise<void>;
}
