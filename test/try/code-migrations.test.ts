/**
 * Migrations written as code (issue 26): `pgmb try --command` runs each tool's real CLI on a tiny
 * project in the tool's own layout (test/code-projects), captures what it sends through the
 * wire-protocol proxy, replays the earlier migration and measures the newest on filled rows.
 */
import { cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Json {
  statements: { key: string; kind: string; sql?: string; lock?: string; msBySize: Record<string, number>; rowsBySize?: Record<string, number>; executions?: number; heldMs: number; verdict: string }[];
  transactions: { key: string; inTransaction: boolean; verdict: string; heldAtTarget: { ms: number } }[];
  failed?: { key: string; error: string; verdict: string };
}

const PROJECTS = resolve('test/code-projects');
const BIN = resolve('node_modules/.bin');

/** Each tool's migrate command, run in the project's folder, as its README says. */
const COMMANDS = {
  knex: `node ${BIN}/knex migrate:latest`,
  sequelize: `node ${BIN}/sequelize-cli db:migrate`,
  django: '/usr/bin/python3 manage.py migrate --noinput',
  alembic: '/usr/bin/python3 -m alembic upgrade head',
  rails: 'rake db:migrate',
} as const;
type Tool = keyof typeof COMMANDS;
const TITLES: Record<Tool, string> = { knex: 'Knex', sequelize: 'Sequelize', django: 'Django', alembic: 'Alembic', rails: 'Rails (ActiveRecord)' };

/** The tool's base project with one variant's newer migration copied on, as a team's checkout would have it (node_modules beside a JS project). */
function project(t: ExecutionContext, tool: Tool, variant?: string): string {
  const dir = tempDir(t, `code-${tool}`);
  cpSync(join(PROJECTS, tool, 'base'), dir, { recursive: true });
  if (variant) cpSync(join(PROJECTS, tool, 'variants', variant), dir, { recursive: true });
  if (existsSync(join(dir, 'package.json'))) symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  return dir;
}

function tryCommand(t: ExecutionContext, tool: Tool, dir: string, args: string[], command: string = COMMANDS[tool]) {
  const json = join(tempDir(t, 'code-json'), 'verdicts.json');
  const r = pgmb(['try', '--command', command, '--cwd', dir, '--lint', 'none', '--long-query', '0', '--json', json, ...args]);
  refusedWithoutCreatedb(r);
  return { ...r, verdicts: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Json) : undefined };
}

/** Carried to 1m rows from two sizes, a plain index build holds writers past 200 ms; its concurrent twin does not. */
const INDEX_ARGS = ['--sizes', '20k,100k', '--target-rows', '1m', '--max-block', '200ms'];

for (const tool of Object.keys(COMMANDS) as Tool[]) {
  testNeedingCreatedb(`${tool}: the plain index migration holds writers at 1m rows (exit 1); its concurrent twin does not (exit 0)`, (t) => {
    const plain = tryCommand(t, tool, project(t, tool, 'index_plain'), INDEX_ARGS);
    t.is(plain.status, EXIT.failure, plain.stdout + plain.stderr);
    const index = plain.verdicts!.statements.find((s) => s.kind === 'CREATE INDEX');
    t.truthy(index, JSON.stringify(plain.verdicts!.statements));
    t.is(index!.lock, 'ShareLock');
    t.is(index!.verdict, 'blocks writers');
    t.true((plain.stdout + plain.stderr).includes(` as ${TITLES[tool]}: 2 migration(s), the newest measured`), plain.stderr);

    const concurrent = tryCommand(t, tool, project(t, tool, 'index_concurrent'), INDEX_ARGS);
    t.is(concurrent.status, EXIT.ok, concurrent.stdout + concurrent.stderr);
    const twin = concurrent.verdicts!.statements.find((s) => s.kind === 'CREATE INDEX CONCURRENTLY');
    t.truthy(twin, JSON.stringify(concurrent.verdicts!.statements));
    t.is(twin!.lock, 'ShareUpdateExclusiveLock');
    t.is(twin!.verdict, 'ok');
  });
}

/**
 * How a tool runs a data migration: Knex and Django in one transaction (rows held until COMMIT),
 * sequelize-cli without one (each batch commits). Knex binds a batch's ids ($1 .. $1000), Django
 * (psycopg2) writes them into the text. Rails' and Alembic's loops write them into the text too
 * (test/code-projects/<tool>/variants/backfill_loop); they passed these checks when added (issue 26) and
 * are left out here for npm test's time: add them to the list to run them.
 */
const LOOPS: [Tool, boolean][] = [
  ['knex', true],
  ['django', true],
  ['sequelize', false],
];

for (const [tool, inTransaction] of LOOPS) {
  testNeedingCreatedb(
    `${tool}: a data migration that selects ids and updates them 1,000 at a time runs its real loop on the filled rows: every row touched, its batches one statement, its time growing with the rows; ${inTransaction ? 'in one transaction it holds writers (exit 1)' : 'each batch committed, writers are not held (exit 0)'}`,
    (t) => {
      const r = tryCommand(t, tool, project(t, tool, 'backfill_loop'), ['--sizes', '10k,30k', '--target-rows', '1m']);
      t.is(r.status, inTransaction ? EXIT.failure : EXIT.ok, r.stdout + r.stderr);
      const updates = r.verdicts!.statements.filter((s) => s.kind === 'UPDATE');
      // Bound ($1 .. $1000) or written in (IN (1, 2, ...)), every batch is one statement.
      t.is(updates.length, 1, JSON.stringify(r.verdicts!.statements));
      const update = updates[0]!;
      // The writers insert rows while the loop runs: it may reach those too.
      t.true(update.rowsBySize!['10000']! >= 10_000 && update.rowsBySize!['30000']! >= 30_000, JSON.stringify(update.rowsBySize));
      t.true(update.executions! >= 30, `${update.executions} batches`);
      t.true(update.msBySize['30000']! > 1.5 * update.msBySize['10000']!, JSON.stringify(update.msBySize));
      const holding = r.verdicts!.transactions.filter((g) => g.inTransaction);
      if (inTransaction) t.is(holding[0]?.verdict, 'blocks writers', JSON.stringify(r.verdicts!.transactions));
      else t.deepEqual(holding, []);
      t.regex(r.stdout, /UPDATE x\d+/);
      // No file holds a command's statement: its text is in the JSON and under its line in the table.
      t.regex(update.sql!, /^update\s+"?accounts"?/i);
      t.true(r.stdout.includes(update.sql!.replace(/\s+/g, ' ').slice(0, 40)), r.stdout);
    },
  );
}

testNeedingCreatedb('a command that is not there, or fails on its own: exit 2 with its last lines, nothing measured', (t) => {
  const dir = project(t, 'knex');
  const missing = tryCommand(t, 'knex', dir, ['--sizes', '10k'], 'no-such-migrate-tool up');
  t.is(missing.status, EXIT.usage, missing.stdout + missing.stderr);
  t.regex(missing.stderr, /--command on an empty database exited with 127; its last lines:\n.*no-such-migrate-tool.*not found/);
  const failing = tryCommand(t, 'knex', dir, ['--sizes', '10k'], `node -e "console.error('Error: no knexfile here'); process.exit(3)"`);
  t.is(failing.status, EXIT.usage, failing.stdout + failing.stderr);
  t.regex(failing.stderr, /exited with 3; its last lines:\n {2}Error: no knexfile here/);
});

testNeedingCreatedb("knex: a migration that fails on the synthetic rows exits 1 naming the migration, the statement and the server's error", (t) => {
  const dir = project(t, 'knex');
  writeFileSync(
    join(dir, 'migrations', '20240103000000_email_to_int.js'),
    "exports.up = (knex) => knex.raw('ALTER TABLE accounts ALTER COLUMN email TYPE integer USING email::integer');\nexports.down = () => {};\n",
  );
  const r = tryCommand(t, 'knex', dir, ['--sizes', '10k']);
  t.is(r.status, EXIT.failure, r.stdout + r.stderr);
  t.is(r.verdicts!.failed!.key, '20240103000000_email_to_int.js:1');
  t.regex(r.verdicts!.failed!.error, /invalid input syntax for type integer/);
});

test('--command with migration paths, a --cwd that is no folder, or an option it does not read: one line, exit 2, before anything runs', (t) => {
  const cases: [string[], RegExp][] = [
    [['try', 'examples/knex', '--command', COMMANDS.knex], /^pgmb: --command: measures what the command applies: give no migration paths beside it\n$/],
    [['try', '--command', COMMANDS.knex, '--cwd', 'no/such/folder'], /^pgmb: --cwd: no\/such\/folder is not a folder\n$/],
    [['try', '--command', COMMANDS.knex, '--changed-since', 'main'], /^pgmb: --changed-since: is not read with --command/],
  ];
  for (const [args, said] of cases) {
    const r = pgmb(args, { TEST_DATABASE_URL: '', DATABASE_URL: '' });
    t.is(r.status, EXIT.usage, r.stderr);
    t.regex(r.stderr, said);
  }
});
