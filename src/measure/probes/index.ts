import type pg from 'pg';
import type { ProbeCapabilities } from '../capabilities.js';
import type { ReplicaLagReader } from '../replica-lag.js';
import type { StandbyReader } from '../standby-reader.js';
import type { CaseTraffic } from '../traffic-probe.js';
import type { WriteTarget } from '../workloads/writes.js';
import { BackfillReportProbe } from './backfill-report.js';
import type { Probe, ProbeTable } from './probe.js';
import { ProbeSet } from './probe-set.js';
import { ReadersProbe } from './readers.js';
import { ReplicaLagProbe } from './replica-lag.js';
import { StandbyQueryProbe } from './standby-query.js';
import { TableBytesProbe } from './table-bytes.js';
import { TableChangeProbe } from './table-change.js';
import { TableLocksProbe } from './table-locks.js';
import { WorkCounters } from './work-counters.js';
import { WritersProbe } from './writers.js';

export type { ProbeFigures, ProbeTable, RunFigures } from './probe.js';

export interface CaseProbeOptions {
  url: string;
  /** The connection that runs the operation (its pid is watched, its statistics flushed). */
  op: pg.Client;
  /** A connection of the probes' own for statistics. */
  observer: pg.Client;
  capabilities: ProbeCapabilities;
  /** Where simulated application writers write on each iteration's table; none when undefined. */
  writers?: (table: ProbeTable) => WriteTarget[];
  /** Where simulated application readers read; none when undefined. */
  readers?: (table: ProbeTable) => WriteTarget[];
  /** Connections of each per table (default: DEFAULT_WRITERS', DEFAULT_READERS'). */
  connections?: { writers?: number; readers?: number };
  /** Poll pg_locks while the operation runs (for what cannot run inside a transaction). */
  pollLocks: boolean;
  /** Sample standby replay lag while the operation runs. */
  lag?: ReplicaLagReader;
  /** A report query on the standby, held while the operation runs. */
  standbyReader?: StandbyReader;
}

/** Traffic's health without traffic: nothing held, nothing failed. */
const NO_TRAFFIC: CaseTraffic = { recentP99Ms: () => 0, heldWithin: () => undefined, errorMessages: () => [] };

/**
 * The probes of one case, in the order they are prepared and started (and stopped in reverse):
 * the registry of what is measured beside an operation. A new probe is a file in this folder
 * and a line here.
 */
export async function openCaseProbes(o: CaseProbeOptions): Promise<{ probes: ProbeSet; writers: CaseTraffic; readers: CaseTraffic }> {
  const pid = (await o.op.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const writers = o.writers && new WritersProbe(o.url, o.writers, o.connections?.writers);
  const readers = o.readers && new ReadersProbe(o.url, o.readers, o.connections?.readers);
  const probes: (Probe | undefined)[] = [
    new TableBytesProbe(o.op),
    new TableChangeProbe(o.observer, o.op, o.capabilities.flushStats),
    o.standbyReader && new StandbyQueryProbe(o.standbyReader),
    writers,
    readers,
    await TableLocksProbe.open(o.url, pid, o.pollLocks),
    o.lag && new ReplicaLagProbe(o.lag),
    WorkCounters.open(o.observer, o.capabilities.workCounters),
    new BackfillReportProbe(),
  ];
  return { probes: new ProbeSet(probes.filter((p): p is Probe => p !== undefined)), writers: writers ?? NO_TRAFFIC, readers: readers ?? NO_TRAFFIC };
}
