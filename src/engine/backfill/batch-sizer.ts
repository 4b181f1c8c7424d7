/** Weight of the newest batch in the rate average; pt-online-schema-change weighs history the same way. */
const WEIGHT = 0.3;
const MIN_ROWS = 50;
const MAX_ROWS = 500_000;
/** A batch grows by at most this factor at a time, so one fast batch cannot cause a huge next one. */
const MAX_GROWTH = 2;

/**
 * The size of the next batch: fixed, or (with a target duration) the weighted average rate times
 * the target, like pt-online-schema-change's --chunk-time.
 */
export class BatchSizer {
  private rowsPerMs: number | undefined;
  private current: number;

  constructor(
    initial: number,
    private readonly targetMs?: number,
  ) {
    this.current = initial;
  }

  get size(): number {
    return this.current;
  }

  observe(rows: number, ms: number): void {
    if (this.targetMs === undefined || rows <= 0) return;
    const rate = rows / Math.max(ms, 1);
    this.rowsPerMs = this.rowsPerMs === undefined ? rate : WEIGHT * rate + (1 - WEIGHT) * this.rowsPerMs;
    const wanted = Math.round(this.rowsPerMs * this.targetMs);
    this.current = Math.max(MIN_ROWS, Math.min(MAX_ROWS, this.current * MAX_GROWTH, wanted));
  }
}
