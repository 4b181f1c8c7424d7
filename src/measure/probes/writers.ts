import { maxOf } from '../../core/numbers.js';
import { causeCell, type SlowWriteCause } from '../slow-write.js';
import type { TrafficSet, TrafficStats } from '../traffic-probe.js';
import { DEFAULT_WRITERS, writes, type WriteTarget } from '../workloads/writes.js';
import type { ProbeFigures, ProbeTable } from './probe.js';
import { TrafficCaseProbe } from './traffic.js';

/** How long the writers run alone on a case's first table, as the baseline. */
const BASELINE_MS = 1000;

/**
 * Simulated application writers on the case's tables while the operation runs: their p99, their
 * longest write and its cause, writes blocked or failed, against a baseline of their own taken on
 * the first table before anything runs.
 */
export class WritersProbe extends TrafficCaseProbe {
  private readonly migrationMax: number[] = [];
  /** The cause of the slowest write over all iterations, with its duration. */
  private slowest?: { ms: number; cause: SlowWriteCause };
  private baselineP99?: number;

  constructor(url: string, targets: (table: ProbeTable) => WriteTarget[], connections = DEFAULT_WRITERS.connections) {
    super(url, targets, { workload: writes, options: { ...DEFAULT_WRITERS, connections }, explainSlow: true });
  }

  protected override async opened(traffic: TrafficSet): Promise<void> {
    await traffic.start();
    await new Promise((r) => setTimeout(r, BASELINE_MS));
    this.baselineP99 = (await traffic.stop()).p99Ms;
  }

  protected override record(w: TrafficStats): void {
    super.record(w);
    if (w.migrationMaxMs !== undefined) this.migrationMax.push(w.migrationMaxMs);
    if (w.maxCause && (!this.slowest || w.maxMs! > this.slowest.ms)) this.slowest = { ms: w.maxMs!, cause: w.maxCause };
  }

  figures(): ProbeFigures {
    const w = this.totals();
    return {
      writer_p99_ms: w.p99Ms,
      writer_max_ms: w.maxMs,
      writer_blocked: w.blocked,
      writer_writes: w.ops,
      writer_errors: w.errors,
      // Only when the slowest write of the case is the one explained (it was over SLOW_WRITE_MS).
      writer_max_cause: this.slowest && this.slowest.ms === w.maxMs ? causeCell(this.slowest.cause) : undefined,
      writer_migration_max_ms: maxOf(this.migrationMax) ?? 0,
      writer_baseline_p99_ms: this.baselineP99,
    };
  }
}
