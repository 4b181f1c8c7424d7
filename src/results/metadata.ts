import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { RunMetadata } from './row.js';

/** Settings that move the numbers; recorded with every run so two CSVs can be told apart. */
const KEY_SETTINGS = ['shared_buffers', 'max_wal_size', 'work_mem', 'maintenance_work_mem', 'synchronous_commit', 'fsync', 'wal_level'];

export function gitSha(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function runMetadata(client: pg.Client): Promise<RunMetadata> {
  const version = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const settings = await client.query<{ name: string; setting: string }>(`SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1) ORDER BY name`, [KEY_SETTINGS]);
  const started = new Date();
  return {
    run_id: `${started.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`,
    started_at: started.toISOString(),
    git_sha: gitSha(),
    pkg_version: packageVersion(),
    pg_version: version.rows[0]!.v,
    pg_settings: settings.rows.map((s) => `${s.name}=${s.setting}`).join(';'),
  };
}
