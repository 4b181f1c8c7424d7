import { num, type ReadRow } from './csv.js';

/** What the simulated writers saw during one case: the figures a safety verdict reads. */
export interface WriterFigures {
  writerMaxMs?: number;
  writerBaselineP99Ms?: number;
  writerBlocked?: number;
  /** How long the operation itself took. */
  operationMs?: number;
}

/** Worst first: the order in which verdicts are ranked and listed. */
export const SAFETY_VERDICTS = ['BLOCKED writers', 'BLOCKED writers (whole operation)', 'slowed writers', 'no harm seen'] as const;
export type SafetyVerdict = (typeof SAFETY_VERDICTS)[number];

/**
 * Did an operation hurt the application? From the simulated writers: a write over 1 s is
 * "blocked". A write that waited about as long as the whole operation took, and 10x the baseline
 * p99 (over 20 ms), was stopped by the operation's lock, not slowed by its load: "blocked (whole
 * operation)", a harm that grows with the table. A worst write over 100 ms and 10x the baseline
 * p99 is "slowed". Undefined when no writers ran.
 */
export function writerVerdict(f: WriterFigures): SafetyVerdict | undefined {
  const max = f.writerMaxMs;
  if (max === undefined) return undefined;
  const baseline = f.writerBaselineP99Ms ?? 1;
  const operation = f.operationMs ?? Infinity;
  if ((f.writerBlocked ?? 0) > 0 || max >= 1000) return 'BLOCKED writers';
  if (max > 20 && max > 10 * baseline && max >= 0.7 * operation) return 'BLOCKED writers (whole operation)';
  if (max > 100 && max > 10 * baseline) return 'slowed writers';
  return 'no harm seen';
}

/** The CSV columns a safety verdict reads. */
type FigureColumn = 'writer_max_ms' | 'writer_baseline_p99_ms' | 'writer_blocked' | 'mean_ms';

/** The verdict of one CSV row, its figures read by `figure`: one mapping of columns to figures for rows written and rows read. */
export const columnsVerdict = (figure: (column: FigureColumn) => number | undefined) =>
  writerVerdict({ writerMaxMs: figure('writer_max_ms'), writerBaselineP99Ms: figure('writer_baseline_p99_ms'), writerBlocked: figure('writer_blocked'), operationMs: figure('mean_ms') });

/** The verdict of one row read from a CSV, as the safety table reads it. */
export const rowVerdict = (r: ReadRow) => columnsVerdict((column) => num(r, column));
