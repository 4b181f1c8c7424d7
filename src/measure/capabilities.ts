import type pg from 'pg';

/** What the role may do that some probes need; managed servers grant none of it by default. */
export interface ProbeCapabilities {
  /** CHECKPOINT before each case, so every case starts from the same clean state. */
  checkpoint: boolean;
  /** pg_stat_force_next_flush(), so dead tuples are read current. */
  flushStats: boolean;
  /** pg_stat_statements is readable and the probes' own statements can be kept out of it. */
  workCounters: boolean;
  /** The probes that are off and why: the run's header line and its CSV column probes_off. */
  off: string[];
}

/** Asked once per run, read-only. */
export async function probeCapabilities(client: pg.Client): Promise<ProbeCapabilities> {
  const { rows } = await client.query<{ checkpoint: boolean; flush: boolean; superuser: boolean }>(
    `SELECT r.rolsuper OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_checkpoint')
                           AND pg_has_role(current_user, 'pg_checkpoint', 'MEMBER')) AS checkpoint,
            coalesce(has_function_privilege(to_regprocedure('pg_stat_force_next_flush()'), 'EXECUTE'), false) AS flush,
            r.rolsuper AS superuser
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const { checkpoint, flush, superuser } = rows[0]!;
  const statements = await readsStatements(client);
  const workCounters = superuser && statements;
  const off = [
    ...(checkpoint ? [] : ['checkpoint before each case (needs superuser or pg_checkpoint: GRANT pg_checkpoint TO the role)']),
    ...(flush ? [] : ['dead_tuples (needs EXECUTE on pg_stat_force_next_flush(), PostgreSQL 15+)']),
    ...(statements ? [] : ['work counters (need pg_stat_statements: in shared_preload_libraries, then CREATE EXTENSION pg_stat_statements)']),
    ...(statements && !superuser ? ["work counters (need a superuser, to keep the probes' own statements out of pg_stat_statements)"] : []),
  ];
  return { checkpoint, flushStats: flush, workCounters, off };
}

/** The extension is installed here and loaded at server start (the view errors otherwise). */
async function readsStatements(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  if (!rows.length) return false;
  try {
    await client.query('SELECT dealloc FROM pg_stat_statements_info');
    return true;
  } catch {
    return false;
  }
}
