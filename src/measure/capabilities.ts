import type pg from 'pg';

/** What the role may do that some probes need; managed servers grant none of it by default. */
export interface ProbeCapabilities {
  /** CHECKPOINT before each case, so every case starts from the same clean state. */
  checkpoint: boolean;
  /** pg_stat_force_next_flush(), so dead tuples are read current. */
  flushStats: boolean;
  /** The probes that are off and why: the run's header line and its CSV column probes_off. */
  off: string[];
}

/** Asked once per run, read-only. */
export async function probeCapabilities(client: pg.Client): Promise<ProbeCapabilities> {
  const { rows } = await client.query<{ checkpoint: boolean; flush: boolean }>(
    `SELECT r.rolsuper OR (EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pg_checkpoint')
                           AND pg_has_role(current_user, 'pg_checkpoint', 'MEMBER')) AS checkpoint,
            coalesce(has_function_privilege(to_regprocedure('pg_stat_force_next_flush()'), 'EXECUTE'), false) AS flush
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const { checkpoint, flush } = rows[0]!;
  const off = [
    ...(checkpoint ? [] : ['checkpoint before each case (needs superuser or pg_checkpoint: GRANT pg_checkpoint TO the role)']),
    ...(flush ? [] : ['dead_tuples (needs EXECUTE on pg_stat_force_next_flush(), PostgreSQL 15+)']),
  ];
  return { checkpoint, flushStats: flush, off };
}
