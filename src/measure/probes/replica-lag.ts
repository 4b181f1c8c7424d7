import { maxOf } from '../../core/numbers.js';
import { LagSampler, type ReplicaLagReader } from '../replica-lag.js';
import type { Probe, ProbeFigures } from './probe.js';

/** Standby replay lag, sampled while the operation runs: the worst of each iteration. */
export class ReplicaLagProbe implements Probe {
  private readonly ms: number[] = [];
  private readonly bytes: number[] = [];
  private readonly sampler: LagSampler;

  constructor(reader: ReplicaLagReader) {
    this.sampler = new LagSampler(reader);
  }

  async start(): Promise<void> {
    this.sampler.start();
  }

  async stop(): Promise<void> {
    const lag = await this.sampler.stop();
    this.ms.push(lag.ms);
    this.bytes.push(lag.bytes);
  }

  figures(): ProbeFigures {
    return { replica_lag_max_ms: maxOf(this.ms), replica_lag_max_bytes: maxOf(this.bytes) };
  }
}
