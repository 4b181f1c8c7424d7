import { maxOf } from '../../core/numbers.js';
import { causeCell, type SlowWriteCause } from '../slow-write.js';
import { WriterSet, keepErrorMessages, type CaseWriters, type WriteTarget } from '../traffic-probe.js';
import type { Probe, ProbeFigures, ProbeTable } from './probe.js';

/** How long the writers run alone on a case's first table, as the baseline. */
const BASELINE_MS = 1000;

/**
 * Simulated application writers on the case's tables while the operation runs: their p99, their
 * longest write and its cause, writes blocked or failed, against a baseline of their own taken on
 * the first table before anything runs. The operation reads their health through CaseWriters.
 */
export class WritersProbe implements Probe, CaseWriters {
  private readonly p99: number[] = [];
  private readonly max: number[] = [];
  private readonly migrationMax: number[] = [];
  private blocked = 0;
  private writes = 0;
  private errors = 0;
  private readonly messages: string[] = [];
  /** The cause of the slowest write over all iterations, with its duration. */
  private slowest?: { ms: number; cause: SlowWriteCause };
  private baselineP99?: number;
  private writers?: WriterSet;

  /** `targets`: where they write on each iteration's table (the table itself, or a user's tables). */
  constructor(
    private readonly url: string,
    private readonly targets: (table: ProbeTable) => WriteTarget[],
  ) {}

  async prepare(table: ProbeTable): Promise<void> {
    const targets = this.targets(table);
    if (!this.writers) {
      this.writers = await WriterSet.open(this.url, targets);
      await this.writers.start();
      await new Promise((r) => setTimeout(r, BASELINE_MS));
      this.baselineP99 = (await this.writers.stop()).p99Ms;
    }
    this.writers.retarget(targets);
  }

  async start(): Promise<void> {
    await this.writers!.start();
  }

  async stop(): Promise<void> {
    const w = await this.writers!.stop();
    if (w.p99Ms !== undefined) this.p99.push(w.p99Ms);
    if (w.maxMs !== undefined) this.max.push(w.maxMs);
    if (w.migrationMaxMs !== undefined) this.migrationMax.push(w.migrationMaxMs);
    if (w.maxCause && (!this.slowest || w.maxMs! > this.slowest.ms)) this.slowest = { ms: w.maxMs!, cause: w.maxCause };
    this.blocked += w.blocked;
    this.writes += w.writes;
    this.errors += w.errors;
    keepErrorMessages(this.messages, w.errorMessages);
  }

  /** The writers' health now, for a writer-p99 throttle. */
  recentP99Ms(): number {
    return this.writers?.recentP99Ms() ?? 0;
  }

  heldWithin(from: number, to: number): number | undefined {
    return this.writers?.heldWithin(from, to);
  }

  errorMessages(): string[] {
    return [...this.messages];
  }

  figures(): ProbeFigures {
    return {
      writer_p99_ms: maxOf(this.p99),
      writer_max_ms: maxOf(this.max),
      writer_blocked: this.blocked,
      writer_writes: this.writes,
      writer_errors: this.errors,
      // Only when the slowest write of the case is the one explained (it was over SLOW_WRITE_MS).
      writer_max_cause: this.slowest && this.slowest.ms === maxOf(this.max) ? causeCell(this.slowest.cause) : undefined,
      writer_migration_max_ms: maxOf(this.migrationMax) ?? 0,
      writer_baseline_p99_ms: this.baselineP99,
    };
  }

  async close(): Promise<void> {
    await this.writers?.close();
  }
}
