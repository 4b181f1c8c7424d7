import { DEFAULT_READERS, reads } from '../workloads/reads.js';
import type { WriteTarget } from '../workloads/writes.js';
import type { ProbeFigures, ProbeTable } from './probe.js';
import { TrafficCaseProbe } from './traffic.js';

/**
 * Simulated application readers on the case's tables while the operation runs: their p99, their
 * longest read, reads done and failed. A plain CREATE INDEX holds writers and not readers, an ACCESS
 * EXCLUSIVE lock (or one queued ahead of them) holds both: the readers tell which.
 */
export class ReadersProbe extends TrafficCaseProbe {
  constructor(url: string, targets: (table: ProbeTable) => WriteTarget[], connections = DEFAULT_READERS.connections) {
    // No cause is named for a slow read in the CSV: no wait sampler polls beside the readers.
    super(url, targets, { workload: (columns) => reads(columns.primaryKey), options: { ...DEFAULT_READERS, connections }, explainSlow: false });
  }

  figures(): ProbeFigures {
    const r = this.totals();
    return { reader_p99_ms: r.p99Ms, reader_max_ms: r.maxMs, reader_reads: r.ops, reader_errors: r.errors };
  }
}
