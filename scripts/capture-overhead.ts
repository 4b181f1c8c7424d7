/**
 * Issue 26's overhead check: each tool's migrate command timed on a fresh empty database, run
 * straight at the server and through the capture proxy (try --command's WireProxy, no hooks), one
 * after the other, five times each; and the knex backfill loop on 10,000 filled rows straight and
 * through the proxy with the measuring hooks try runs (locks polled per statement).
 *   tsx src/cli/with-database.ts -- tsx scripts/capture-overhead.ts --out results/capture-overhead-0.9.0
 */
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { withClient } from '../src/db/connect.js';
import { createScratchDatabase } from '../src/db/scratch.js';
import { resolveDatabaseUrl } from '../src/db/url.js';
import { WireProxy } from '../src/db/wire-proxy.js';
import { measureCommand } from '../src/measure/command-timeline.js';
import { runCommand, type CodeCommand } from '../src/migrations/code/command.js';
import { MeasuredStatements } from '../src/migrations/code/statements.js';
import { CODE_TOOLS } from '../src/migrations/code/tools/index.js';
import { loadParser } from '../src/migrations/parse.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);
const BIN = resolve('node_modules/.bin');
const TOOLS: Record<string, string> = {
  knex: `node ${BIN}/knex migrate:latest`,
  sequelize: `node ${BIN}/sequelize-cli db:migrate`,
  django: '/usr/bin/python3 manage.py migrate --noinput',
  alembic: '/usr/bin/python3 -m alembic upgrade head',
  rails: 'rake db:migrate',
};

/** The projects copied for the runs, removed at the end. */
const made: string[] = [];

function project(tool: string, variant: string): string {
  const dir = mkdtempSync(join(tmpdir(), `pgmb-overhead-${tool}-`));
  made.push(dir);
  cpSync(resolve('test/code-projects', tool, 'base'), dir, { recursive: true });
  cpSync(resolve('test/code-projects', tool, 'variants', variant), dir, { recursive: true });
  if (existsSync(join(dir, 'package.json'))) symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return dir;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One run of the command on a fresh empty database, straight or through the proxy: its wall time (ms). */
async function timed(url: string, cmd: CodeCommand, proxied: boolean): Promise<{ ms: number; statements: number }> {
  const scratch = await createScratchDatabase(url);
  try {
    const proxy = proxied ? await WireProxy.start(scratch.url) : undefined;
    const r = await runCommand(cmd, proxy?.url ?? scratch.url).finally(() => proxy?.close());
    if (r.code !== 0) throw new Error(`${cmd.command} exited ${r.code}: ${r.tail.join('\n')}`);
    return { ms: r.ms, statements: proxy?.statements().length ?? 0 };
  } finally {
    await scratch.drop();
  }
}

/** The knex loop on 10,000 rows: straight, or measured as try measures it (the proxy with its hooks). */
async function loop(url: string, measured: boolean): Promise<{ ms: number; statements: number }> {
  const dir = project('knex', 'backfill_loop');
  const cmd: CodeCommand = { command: TOOLS.knex!, cwd: dir, env: {} };
  const scratch = await createScratchDatabase(url);
  try {
    await withClient(scratch.url, async (c) => {
      await c.query('CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL, score integer NOT NULL DEFAULT 0)');
      await c.query("INSERT INTO accounts (email) SELECT 'u' || g FROM generate_series(1, 10000) g");
      // The base migration as applied: knex then runs the loop alone.
      await c.query('CREATE TABLE knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz)');
      await c.query("INSERT INTO knex_migrations (name, batch, migration_time) VALUES ('20240101000000_create_accounts.js', 1, now())");
    });
    if (!measured) return { ms: (await runCommand(cmd, scratch.url)).ms, statements: 0 };
    const oid = await withClient(scratch.url, async (c) => (await c.query<{ oid: number }>("SELECT 'accounts'::regclass::oid::int AS oid")).rows[0]!.oid);
    const started = performance.now();
    const run = await withClient(scratch.url, (c) => measureCommand(cmd, scratch.url, c, [oid], new MeasuredStatements('loop', CODE_TOOLS).run()));
    return { ms: performance.now() - started, statements: run.statements.length };
  } finally {
    await scratch.drop();
  }
}

await loadParser();
const url = resolveDatabaseUrl()!.url;
const rows: Record<string, string | number>[] = [];
for (const [tool, command] of Object.entries(TOOLS)) {
  const cmd = { command, cwd: project(tool, 'index_plain'), env: {} };
  const straight: number[] = [];
  const proxied: number[] = [];
  let statements = 0;
  for (let i = 0; i < RUNS; i++) {
    straight.push((await timed(url, cmd, false)).ms);
    const p = await timed(url, cmd, true);
    proxied.push(p.ms);
    statements = p.statements;
  }
  rows.push({ case: `${tool} migrate (2 migrations, empty database)`, statements, straight_ms: Math.round(median(straight)), proxied_ms: Math.round(median(proxied)) });
  console.log(JSON.stringify(rows.at(-1)));
}
const straightLoop: number[] = [];
const measuredLoop: number[] = [];
let loopStatements = 0;
for (let i = 0; i < RUNS; i++) {
  straightLoop.push((await loop(url, false)).ms);
  const m = await loop(url, true);
  measuredLoop.push(m.ms);
  loopStatements = m.statements;
}
rows.push({
  case: 'knex backfill loop, 10,000 rows (proxy with the measuring hooks)',
  statements: loopStatements,
  straight_ms: Math.round(median(straightLoop)),
  proxied_ms: Math.round(median(measuredLoop)),
});
console.log(JSON.stringify(rows.at(-1)));
if (values.out) {
  const csv = stringify(
    rows.map((r) => ({ ...r, overhead_ms: Number(r.proxied_ms) - Number(r.straight_ms), overhead_pct: Math.round((100 * (Number(r.proxied_ms) - Number(r.straight_ms))) / Number(r.straight_ms)) })),
    { header: true },
  );
  writeFileSync(join(values.out, 'overhead.csv'), csv);
}
for (const dir of made) rmSync(dir, { recursive: true, force: true });
