import type pg from 'pg';
import { InputError } from '../core/errors.js';
import type { MemoryLimits } from '../results/growth.js';

/** What the migration's session can be given of production's settings, and what it cannot. */
export interface SettingsPlan {
  /** Set for the migration's session (set_config), in order. */
  session: [name: string, value: string][];
  /** Server-wide settings (shared_buffers, max_wal_size, ...) that differ here: named, not matched. */
  unmatched: { name: string; wanted: string; here: string }[];
}

/**
 * Sort production's settings (a shape's, then --setting's) into those a session may set and the
 * server-wide ones that differ on this server. A name the server does not know is bad input.
 */
export async function planSettings(client: pg.Client, wanted: ReadonlyMap<string, string>): Promise<SettingsPlan> {
  const plan: SettingsPlan = { session: [], unmatched: [] };
  for (const [name, value] of wanted) {
    const { rows } = await client.query<{ context: string; here: string }>('SELECT context, current_setting(name) AS here FROM pg_settings WHERE name = $1', [name]);
    const found = rows[0];
    if (!found) throw new InputError('UNKNOWN_SETTING', `--setting ${name}: the server has no setting of that name`);
    if (found.context === 'user' || found.context === 'superuser') plan.session.push([name, value]);
    else if (found.here !== value) plan.unmatched.push({ name, wanted: value, here: found.here });
  }
  return plan;
}

/** The migration session's settings: production's, then --lock-timeout as a tool that sets it does. */
function sessionPairs(plan: SettingsPlan, lockTimeoutMs: number | undefined): [name: string, value: string][] {
  return lockTimeoutMs === undefined ? plan.session : [...plan.session, ['lock_timeout', `${Math.round(lockTimeoutMs)}ms`]];
}

/** The session's settings as production has them: for the migration's connection, before it runs. */
export async function applySettings(client: pg.Client, plan: SettingsPlan, lockTimeoutMs?: number): Promise<void> {
  for (const [name, value] of sessionPairs(plan, lockTimeoutMs)) await client.query('SELECT set_config($1, $2, false)', [name, value]);
}

/**
 * The session's settings for a command's own connections: libpq's and node-postgres's PGOPTIONS
 * (`-c name=value`, spaces and backslashes escaped), --lock-timeout last.
 */
export function sessionOptions(plan: SettingsPlan, lockTimeoutMs?: number): string {
  return sessionPairs(plan, lockTimeoutMs)
    .map(([n, v]) => `-c ${n}=${v.replace(/([\\ ])/g, '\\$1')}`)
    .join(' ');
}

/** The plan as lines for the terminal. */
export function settingsLines(plan: SettingsPlan): string[] {
  const out: string[] = [];
  if (plan.session.length) out.push(`settings: ${plan.session.map(([n, v]) => `${n}=${v}`).join(', ')} set for the migration's session, as production has them`);
  if (plan.unmatched.length)
    out.push(
      `settings not matched (server-wide, this server keeps its own): ${plan.unmatched.map((u) => `${u.name} ${u.wanted} (here ${u.here})`).join(', ')}; times that depend on them may differ from production's`,
    );
  return out;
}

/** Where the work leaves memory in this session (its maintenance_work_mem as set), for a table of `bytesPerRow`. */
export async function memoryLimits(client: pg.Client, bytesPerRow: number): Promise<MemoryLimits> {
  const { rows } = await client.query<{ shared: string; maintenance: string }>(
    "SELECT pg_size_bytes(current_setting('shared_buffers')) AS shared, pg_size_bytes(current_setting('maintenance_work_mem')) AS maintenance",
  );
  return { sharedBuffersBytes: Number(rows[0]!.shared), maintenanceWorkMemBytes: Number(rows[0]!.maintenance), bytesPerRow };
}
