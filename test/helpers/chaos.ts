/**
 * A chaos worker, as a test's helper: like pg-rage-terminator, it terminates a random backend of the
 * run under test every `minMs`-`maxMs`, with pg_terminate_backend from a side connection (an
 * ordinary role may end its own role's backends).
 */
import type pg from 'pg';
import { connect } from '../../src/db/connect.js';

export interface ChaosOptions {
  /** Only backends with one of these application names are killed (the run's, never the test's). */
  applications: string[];
  /** Only backends connected to a database whose name starts with this (e.g. try's pgmb_try_). */
  databasePrefix?: string;
  minMs?: number;
  maxMs?: number;
}

export interface Chaos {
  /** Stop killing; resolves with the application name of each backend killed, in order. */
  stop(): Promise<string[]>;
}

/** Start killing: the first kill comes after a random wait, as every later one. */
export async function startChaos(url: string, options: ChaosOptions): Promise<Chaos> {
  const { minMs = 1000, maxMs = 3000 } = options;
  const side: pg.Client = await connect(url, 'pgmb-test-chaos');
  const killed: string[] = [];
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const loop = (async () => {
    while (running) {
      await pause(minMs + Math.random() * (maxMs - minMs));
      if (!running) break;
      const { rows } = await side.query<{ pid: number; app: string }>(
        `SELECT pid, application_name AS app FROM pg_stat_activity
          WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'
            AND application_name = ANY($1) AND ($2::text IS NULL OR left(datname, length($2)) = $2)`,
        [options.applications, options.databasePrefix ?? null],
      );
      const victim = rows[Math.floor(Math.random() * rows.length)];
      if (victim && (await side.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [victim.pid])).rows[0]!.ok) killed.push(victim.app);
    }
  })();
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      wake();
      await loop;
      await side.end();
      return killed;
    },
  };
}
