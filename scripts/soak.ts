/**
 * The soak of issue 21: `pgmb backfill` with `--max-writer-p99` (its canary) and two simulated
 * application writers on the same table, paced to last about --minutes, logging every minute the
 * backfill process's RSS and V8 heap after its last full GC (--trace-gc), rows done and rows/s, and
 * the application's write p99 and worst write.
 * Run it under the launcher (or with TEST_DATABASE_URL set):
 *   tsx src/cli/with-database.ts -- tsx scripts/soak.ts --minutes 30 --out results/soak-0.6.1/soak.csv
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { connect } from '../src/db/connect.js';
import { dropTables } from '../src/fixtures/cleanup.js';
import { loadTable } from '../src/fixtures/copy-loader.js';
import { usersFixture } from '../src/fixtures/table-fixtures.js';
import { TrafficProbe } from '../src/measure/traffic-probe.js';
import { DEFAULT_WRITERS, writes } from '../src/measure/workloads/writes.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, rows: { type: 'string', default: '1000000' }, out: { type: 'string', default: 'soak.csv' } } });
const minutes = Number(values.minutes);
const rows = Number(values.rows);
const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) throw new Error('run under tsx src/cli/with-database.ts, or set TEST_DATABASE_URL');

const BATCH = 1000;
// Paced so the walk lasts the soak: one batch, then the delay, rows / BATCH times.
const delayMs = Math.max(0, Math.round((minutes * 60_000) / (rows / BATCH)) - 15);
const table = 'pgmb_soak';
const state = 'pgmb_soak_state';

const c = await connect(url, 'pgmb-soak');
await dropTables(c, [table, state]);
await loadTable(c, table, usersFixture, rows, { primaryKey: 'after' });
await c.query(`ALTER TABLE ${table} ADD COLUMN bio text`);
const app = await TrafficProbe.open(url, table, writes(usersFixture), { ...DEFAULT_WRITERS, connections: 2, intervalMs: 10 });

const child = spawn(
  process.execPath,
  [
    '--trace-gc',
    'bin/pgmb.js',
    'backfill',
    '--table',
    table,
    '--column',
    'bio',
    '--value',
    'soaked',
    '--batch-size',
    String(BATCH),
    '--delay',
    `${delayMs}ms`,
    '--state-table',
    state,
    '--max-writer-p99',
    '200ms',
    '--max-lag',
    '0',
  ],
  { env: { ...process.env, TEST_DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'pipe'] },
);
let stderr = '';
let stdout = '';
/** The heap after the latest full GC, from --trace-gc's lines ("Mark-Compact 12.1 (14.0) -> 10.2 (14.5) MB"). */
let heapAfterGcMb: number | undefined;
child.stdout.on('data', (d: Buffer) => {
  for (const line of d.toString().split('\n')) {
    const gc = /Mark-Compact[^>]*-> ([\d.]+) \(/.exec(line);
    if (gc) heapAfterGcMb = Number(gc[1]);
    else if (line && !/Scavenge|Mark-Compact/.test(line)) stdout += `${line}\n`;
  }
});
child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
let done = false;
void exited.then(() => (done = true));

const rssMb = () => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
  } catch {
    return undefined;
  }
};
writeFileSync(values.out!, 'minute,rss_mb,heap_after_gc_mb,rows_done,rows_per_sec,writer_writes,writer_p99_ms,writer_max_ms,writer_errors\n');
process.stderr.write(`soak: ${rows} rows, batches of ${BATCH}, ${delayMs} ms apart, about ${minutes} min\n`);
let before = 0;
for (let minute = 1; !done; minute++) {
  await app.start();
  await Promise.race([new Promise((r) => setTimeout(r, 60_000)), exited]);
  const w = await app.stop();
  const filled = Number((await c.query(`SELECT count(bio)::int AS n FROM ${table}`)).rows[0].n);
  const line = [minute, rssMb()?.toFixed(1) ?? '', heapAfterGcMb?.toFixed(1) ?? '', filled, ((filled - before) / 60).toFixed(0), w.ops, w.p99Ms?.toFixed(2), w.maxMs?.toFixed(1), w.errors].join(',');
  before = filled;
  appendFileSync(values.out!, `${line}\n`);
  process.stderr.write(`${line}\n`);
}
const code = await exited;
process.stderr.write(
  `pgmb backfill exited ${code}: ${stdout.trim()}\n${stderr
    .split('\n')
    .filter((l) => /warning|error|lost/i.test(l))
    .join('\n')}\n`,
);
await app.close();
await dropTables(c, [table, state]);
await c.end();
process.exit(code ?? 1);
