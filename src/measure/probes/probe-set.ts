import type { Probe, ProbeFigures, ProbeTable, RunFigures } from './probe.js';

/** A case's probes, called as one in the order Probe describes. */
export class ProbeSet {
  constructor(private readonly probes: readonly Probe[]) {}

  async prepare(table: ProbeTable): Promise<void> {
    for (const p of this.probes) await p.prepare?.(table);
  }

  async start(): Promise<void> {
    for (const p of this.probes) await p.start?.();
  }

  async stop(run: RunFigures): Promise<void> {
    for (const p of [...this.probes].reverse()) await p.stop?.(run);
  }

  figures(): ProbeFigures {
    return Object.assign({}, ...this.probes.map((p) => p.figures())) as ProbeFigures;
  }

  async close(): Promise<void> {
    for (const p of [...this.probes].reverse()) await p.close?.();
  }
}
