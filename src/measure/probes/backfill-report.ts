import { maxOf } from '../../core/numbers.js';
import type { Probe, ProbeFigures, RunFigures } from './probe.js';

/** What an engine backfill says of itself: time throttled, NULLs left after its sweep, its largest batch. */
export class BackfillReportProbe implements Probe {
  private throttledMs = 0;
  private iterations = 0;
  private readonly nullsLeft: number[] = [];
  private readonly largestBatch: number[] = [];

  async stop(run: RunFigures): Promise<void> {
    this.iterations += 1;
    this.throttledMs += run.throttledMs ?? 0;
    if (run.nullsLeft !== undefined) this.nullsLeft.push(run.nullsLeft);
    if (run.largestBatch !== undefined) this.largestBatch.push(run.largestBatch);
  }

  figures(): ProbeFigures {
    return {
      throttled_ms: this.throttledMs > 0 ? this.throttledMs / this.iterations : undefined,
      nulls_left: maxOf(this.nullsLeft),
      largest_batch: maxOf(this.largestBatch),
    };
  }
}
