import { maxOf } from '../../core/numbers.js';
import { keepErrorMessages, TrafficSet, type CaseTraffic, type TrafficOptions, type TrafficStats, type Workload } from '../traffic-probe.js';
import type { WriteTarget, WriterColumns } from '../workloads/writes.js';
import type { Probe, ProbeFigures, ProbeTable } from './probe.js';

/** How one kind of simulated traffic runs beside a case. */
export interface TrafficKind {
  /** The workload on a table whose rows look like `columns`. */
  workload: (columns: WriterColumns) => Workload;
  options: TrafficOptions;
  /** Sample pg_stat_activity beside it, so that its slowest operation gets its cause. */
  explainSlow: boolean;
}

/** What every kind of traffic sums up over a case's iterations. */
export interface TrafficTotals {
  /** The worst iteration's p99 and max. */
  p99Ms?: number;
  maxMs?: number;
  blocked: number;
  ops: number;
  errors: number;
}

/**
 * Simulated application traffic on the case's tables while the operation runs, summed over the
 * iterations: the part writers and readers share. A subclass names the CSV columns (figures()),
 * and may keep more of each iteration's stats (record()) or run the traffic once alone first
 * (opened()). The operation reads its health through CaseTraffic.
 */
export abstract class TrafficCaseProbe implements Probe, CaseTraffic {
  private readonly p99: number[] = [];
  private readonly max: number[] = [];
  private blocked = 0;
  private ops = 0;
  private errors = 0;
  private readonly messages: string[] = [];
  private traffic?: TrafficSet;

  /** `targets`: where it runs on each iteration's table (the table itself, or a user's tables). */
  constructor(
    private readonly url: string,
    private readonly targets: (table: ProbeTable) => WriteTarget[],
    private readonly kind: TrafficKind,
  ) {}

  async prepare(table: ProbeTable): Promise<void> {
    const targets = this.targets(table);
    if (!this.traffic) {
      this.traffic = await TrafficSet.open(
        this.url,
        targets.map((t) => ({ sql: t.sql, workload: this.kind.workload(t.columns) })),
        this.kind.options,
        this.kind.explainSlow,
      );
      await this.opened?.(this.traffic);
    }
    this.traffic.retarget(targets);
  }

  /** Once the traffic is open on the first table, before the first iteration. */
  protected opened?(traffic: TrafficSet): Promise<void>;

  async start(): Promise<void> {
    await this.traffic!.start();
  }

  async stop(): Promise<void> {
    this.record(await this.traffic!.stop());
  }

  /** One iteration's stats, added to the case's. */
  protected record(s: TrafficStats): void {
    if (s.p99Ms !== undefined) this.p99.push(s.p99Ms);
    if (s.maxMs !== undefined) this.max.push(s.maxMs);
    this.blocked += s.blocked;
    this.ops += s.ops;
    this.errors += s.errors;
    keepErrorMessages(this.messages, s.errorMessages);
  }

  protected totals(): TrafficTotals {
    return { p99Ms: maxOf(this.p99), maxMs: maxOf(this.max), blocked: this.blocked, ops: this.ops, errors: this.errors };
  }

  /** The traffic's health now, for a writer-p99 throttle. */
  recentP99Ms(): number {
    return this.traffic?.recentP99Ms() ?? 0;
  }

  heldWithin(from: number, to: number): number | undefined {
    return this.traffic?.heldWithin(from, to);
  }

  errorMessages(): string[] {
    return [...this.messages];
  }

  abstract figures(): ProbeFigures;

  async close(): Promise<void> {
    await this.traffic?.close();
  }
}
