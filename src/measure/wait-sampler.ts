import type pg from 'pg';
import { connect } from '../db/connect.js';
import { Poller } from './poller.js';

/** One backend at one sample of pg_stat_activity: what a slow write's explanation is made of. */
export interface BackendSample {
  pid: number;
  app: string;
  /** client backend, autovacuum worker, checkpointer, walwriter, ... */
  backendType: string;
  /** active, idle, idle in transaction, ... ('' for background processes). */
  state: string;
  waitType?: string;
  wait?: string;
  query: string;
  /** pg_blocking_pids, read for the watched backends only. */
  blockers?: number[];
}

export interface Sample {
  /** performance.now() when the sample came back. */
  at: number;
  backends: BackendSample[];
}

/** Samples kept: long enough for a write held up to a writer's statement_timeout. */
const KEEP_MS = 90_000;

/**
 * Reads pg_stat_activity every few ms from a connection of its own while writers write, so that a
 * slow write can be explained afterwards (explainWait): what the writer's backend waited on, who
 * blocked it and what they ran, and what else the server was doing (a checkpoint, a vacuum, a
 * batch's commit). Keeps the last 90 s of samples: memory bounded however long the run.
 */
export class WaitSampler {
  private samples: Sample[] = [];
  private poller?: Poller;

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<WaitSampler> {
    return new WaitSampler(await connect(url, 'pgmb-wait-sampler', { instrument: true }));
  }

  /** Sample until stop(); `watched` gives the writers' backend pids at each sample (they change on a reconnect). */
  start(watched: () => number[], everyMs = 20): void {
    this.samples = [];
    this.poller = new Poller(async () => {
      const { rows } = await this.client.query<BackendSample>(
        `SELECT pid, coalesce(application_name, '') AS app, coalesce(backend_type, '') AS "backendType", coalesce(state, '') AS state,
                wait_event_type AS "waitType", wait_event AS wait, left(query, 120) AS query,
                CASE WHEN pid = ANY($1::int[]) THEN pg_blocking_pids(pid) END AS blockers
           FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND (state IS DISTINCT FROM 'idle' OR pid = ANY($1::int[]))`,
        [watched()],
      );
      const at = performance.now();
      this.samples.push({ at, backends: rows });
      while (this.samples[0]!.at < at - KEEP_MS) this.samples.shift();
    }, everyMs);
  }

  /** The samples that came back within [from, to] (performance.now() times). */
  within(from: number, to: number): Sample[] {
    return this.samples.filter((s) => s.at >= from && s.at <= to);
  }

  async stop(): Promise<void> {
    await this.poller?.stop();
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
