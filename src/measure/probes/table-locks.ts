import { strongestLock } from '../../core/lock-modes.js';
import { LockWatcher } from '../locks.js';
import type { Probe, ProbeFigures, ProbeTable, RunFigures } from './probe.js';

/**
 * The strongest table lock the operation took: the ones it reported (or that were read inside its
 * transaction), and, for what cannot run in a transaction, pg_locks polled while it runs.
 */
export class TableLocksProbe implements Probe {
  private readonly modes: string[] = [];
  private table?: ProbeTable;

  private constructor(
    private readonly pid: number,
    private readonly watcher: LockWatcher | undefined,
  ) {}

  /** `pid`: the operation's backend; `poll`: watch pg_locks beside it. */
  static async open(url: string, pid: number, poll: boolean): Promise<TableLocksProbe> {
    return new TableLocksProbe(pid, poll ? await LockWatcher.open(url) : undefined);
  }

  async prepare(table: ProbeTable): Promise<void> {
    this.table = table;
  }

  async start(): Promise<void> {
    this.watcher?.start(this.pid, this.table!.relations);
  }

  async stop(run: RunFigures): Promise<void> {
    for (const mode of run.locks ?? []) this.modes.push(mode);
    const polled = await this.watcher?.stop();
    if (polled) this.modes.push(polled);
  }

  figures(): ProbeFigures {
    return { lock_mode: strongestLock(this.modes) };
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
