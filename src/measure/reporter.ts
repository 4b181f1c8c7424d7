import { formatDuration } from '../core/format.js';
import { rateAndEta } from '../engine/backfill/eta.js';
import type { BackfillProgress } from '../engine/types.js';

/** How long work shows itself: a bar with ETA on a terminal, plain lines in logs and CI. */
export interface Reporter {
  /** A bench case (or one of its iterations) starts. */
  caseStarted(label: string): void;
  caseDone(): void;
  backfill(progress: BackfillProgress): void;
  log(line: string): void;
  stop(): void;
}

/** Makes the reporter of a run that will measure `totalCases` cases (the command line draws it). */
export type ReporterFactory = (totalCases: number) => Reporter;

/** For runs nobody watches (tests, re-measured suspects): progress goes nowhere. */
export const silentReporter: ReporterFactory = () => ({ caseStarted() {}, caseDone() {}, backfill() {}, log() {}, stop() {} });

/** Progress of a synthetic fill, table by table, with a rate and an ETA per table. */
export function fillProgress(reporter: Reporter): (table: string, done: number, total: number) => void {
  let current = { table: '', t0: 0 };
  return (table, done, total) => {
    if (current.table !== table) current = { table, t0: performance.now() };
    const { rowsPerSec, etaSec } = rateAndEta(done, performance.now() - current.t0, 0, done / total);
    const rate = done ? `, ${Math.round(rowsPerSec).toLocaleString('en-US')} rows/s` : '';
    reporter.caseStarted(`filling ${table}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows${rate}, ETA ${formatDuration(etaSec)}`);
  };
}
