import type { StandbyReader } from '../standby-reader.js';
import type { Probe, ProbeFigures, ProbeTable } from './probe.js';

/** A report query on the standby, holding a snapshot of the table while the operation runs. */
export class StandbyQueryProbe implements Probe {
  private table?: ProbeTable;

  constructor(private readonly reader: StandbyReader) {}

  async prepare(table: ProbeTable): Promise<void> {
    this.table = table;
  }

  async start(): Promise<void> {
    await this.reader.start(this.table!.name);
  }

  async stop(): Promise<void> {
    await this.reader.stop();
  }

  figures(): ProbeFigures {
    return { standby_query_ms: this.reader.holdMs };
  }
}
