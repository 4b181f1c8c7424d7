/** `pgmb try` end to end on the test server: a real process, exit codes, the verdicts it writes as JSON. */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { readCsv } from '../../src/results/csv.js';
import { SCRATCH_PREFIX } from '../../src/db/scratch.js';
import { connect } from '../../src/db/connect.js';
import { scalar, testUrl } from '../helpers/db.js';
import { tempDir } from '../helpers/temp-dir.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';

const ACCOUNTS = `CREATE TABLE accounts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  name varchar(80),
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

/** A golang-migrate folder: 1_accounts builds the schema, 2_change is measured. */
function folder(t: ExecutionContext, change: string, schema = ACCOUNTS): string {
  const dir = tempDir(t, 'try');
  writeFileSync(join(dir, '1_accounts.up.sql'), schema);
  writeFileSync(join(dir, '1_accounts.down.sql'), 'DROP TABLE accounts;\n');
  writeFileSync(join(dir, '2_change.up.sql'), change);
  return dir;
}

interface Json {
  target_rows: number;
  writers: { tables: string[]; writes: number; errors: number; errorMessages: string[] };
  statements: {
    key: string;
    kind: string;
    lock?: string;
    rewritten: boolean;
    heldMs: number;
    msBySize: Record<string, number>;
    verdict: string;
    reason?: string;
    lint: string[];
    atTarget: { ms: number; from?: number[] };
  }[];
  transactions: { statements: string[]; holder?: string; heldBySize: Record<string, number>; msBySize: Record<string, number>; verdict: string }[];
}

function pgmbTry(dir: string, args: string[], env: Record<string, string> = {}) {
  const json = join(dir, 'verdicts.json');
  const r = pgmb(['try', dir, '--json', json, '--long-query', '0', ...args], env);
  refusedWithoutCreatedb(r);
  const verdicts = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Json) : undefined;
  return { ...r, verdicts };
}

test.after.always('no scratch database is left behind', async (t) => {
  const c = await connect(testUrl());
  try {
    // Other test files run pgmb try at the same time: their scratch databases go within seconds, a leftover never does.
    const count = () => scalar<number>(c, 'SELECT count(*)::int FROM pg_database WHERE datname LIKE $1', [`${SCRATCH_PREFIX}%`]);
    for (let waited = 0; (await count()) > 0 && waited < 60_000; waited += 500) await new Promise((r) => setTimeout(r, 500));
    t.is(await count(), 0);
  } finally {
    await c.end();
  }
});

testNeedingCreatedb('CREATE INDEX on a 1M-row accounts table holds writers: exit 1 at --max-block 200ms, named with its SHARE lock, squawk confirmed, annotated for GitHub', (t) => {
  const dir = folder(t, 'CREATE INDEX accounts_email ON accounts (email);\n');
  const r = pgmbTry(dir, ['--sizes', '100k,1m', '--max-block', '200ms'], { GITHUB_ACTIONS: 'true' });
  t.is(r.status, EXIT.failure, r.stderr);
  const s = r.verdicts!.statements[0]!;
  t.is(s.key, `${relative(process.cwd(), join(dir, '2_change.up.sql'))}:1`, 'file:line as given, relative to where pgmb ran');
  t.is(s.lock, 'ShareLock');
  t.is(s.verdict, 'blocks writers');
  t.true(s.heldMs >= 200, `writers held ${s.heldMs} ms at 1M`);
  t.deepEqual(
    s.lint.filter((l) => l.startsWith('require-concurrent-index-creation')),
    ['require-concurrent-index-creation: confirmed'],
  );
  t.regex(r.stdout, /2_change\.up\.sql\n {2}BLOCKS writers +:1 CREATE INDEX +Share /, 'a heading per file, the verdict first on the statement line');
  t.regex(r.stdout, /FAIL: 1 of 1 transaction\(s\) hold writers >= 200 ms at 1m rows/);
  t.regex(
    r.stdout,
    new RegExp(`^::error file=${s.key.replace(/:1$/, '').replace(/[.]/g, '\\.')},line=1::pgmb try: CREATE INDEX blocks writers: its ShareLock held writers (\\d+ ms|\\d+\\.\\d s)`, 'm'),
  );
});

testNeedingCreatedb('the same at the default --max-block 1s, judged at --target-rows 10m: extrapolated from 100k and 1m, exit 1', (t) => {
  const dir = folder(t, 'CREATE INDEX accounts_email ON accounts (email);\n');
  const r = pgmbTry(dir, ['--sizes', '100k,1m', '--target-rows', '10m', '--lint', 'none']);
  t.is(r.status, EXIT.failure, r.stderr);
  const s = r.verdicts!.statements[0]!;
  t.deepEqual(s.atTarget.from, [100_000, 1_000_000]);
  t.true(s.atTarget.ms > s.msBySize['1000000']!, 'the time at 10M is beyond the time at 1M');
  t.regex(s.reason!, /held writers (\d+ ms|\d+\.\d s) \(upper end, extrapolated\)/);
  t.regex(r.stdout, /carried to 10m rows from 100k, 1m/);
});

testNeedingCreatedb('CREATE INDEX CONCURRENTLY on the same table does not hold writers: exit 0', (t) => {
  const dir = folder(t, 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n');
  const r = pgmbTry(dir, ['--sizes', '100k,1m', '--max-block', '200ms']);
  t.is(r.status, EXIT.ok, `${r.stdout}\n${r.stderr}`);
  const s = r.verdicts!.statements[0]!;
  t.is(s.lock, 'ShareUpdateExclusiveLock');
  t.is(s.verdict, 'ok');
  t.false(s.lint.some((l) => l.startsWith('require-concurrent-index-creation')));
});

testNeedingCreatedb('ADD COLUMN ... DEFAULT 0 is measured as no rewrite; DEFAULT clock_timestamp() as a rewrite that holds writers', (t) => {
  const constant = pgmbTry(folder(t, 'ALTER TABLE accounts ADD COLUMN score int NOT NULL DEFAULT 0;\n'), ['--sizes', '100k', '--max-block', '50ms']);
  t.is(constant.status, EXIT.ok, constant.stderr);
  const c = constant.verdicts!.statements[0]!;
  t.is(c.lock, 'AccessExclusiveLock');
  t.false(c.rewritten);
  t.true(
    c.lint.every((l) => !l.includes('confirmed')),
    `no lint finding is confirmed: ${c.lint.join('; ')}`,
  );

  const volatile = pgmbTry(folder(t, 'ALTER TABLE accounts ADD COLUMN seen_at timestamptz NOT NULL DEFAULT clock_timestamp();\n'), ['--sizes', '100k', '--max-block', '50ms']);
  t.is(volatile.status, EXIT.failure, volatile.stderr);
  const v = volatile.verdicts!.statements[0]!;
  t.true(v.rewritten);
  t.is(v.verdict, 'blocks readers and writers', 'ACCESS EXCLUSIVE: readers wait too');
  t.true(v.heldMs >= 0.5 * v.msBySize['100000']!, `writers held ${v.heldMs} ms of its ${v.msBySize['100000']} ms`);
});

testNeedingCreatedb(
  'two statements in one transaction: writers are held for the whole transaction, put on the statements that took the locks; CSV rows per statement, transaction and migration',
  (t) => {
    const dir = folder(t, 'ALTER TABLE accounts ADD COLUMN x int;\nCREATE INDEX ON accounts (name);\n');
    const csv = join(dir, 'try.csv');
    const r = pgmbTry(dir, ['--sizes', '100k', '--max-block', '20ms', '--lint', 'none', '--out', csv]);
    t.is(r.status, EXIT.failure, r.stderr);
    const [add, index] = r.verdicts!.statements;
    const tx = r.verdicts!.transactions[0]!;
    t.is(tx.statements.length, 2);
    t.is(tx.holder, add!.key, 'the ALTER TABLE took the first lock writers wait for');
    t.true(tx.heldBySize['100000']! >= 0.7 * tx.msBySize['100000']!, `held ${tx.heldBySize['100000']} ms of the transaction's ${tx.msBySize['100000']} ms`);
    t.log(`ADD COLUMN ${add!.msBySize['100000']!.toFixed(0)} ms, CREATE INDEX ${index!.msBySize['100000']!.toFixed(0)} ms`);
    t.false(add!.rewritten, 'the ADD COLUMN itself rewrites nothing...');
    t.is(add!.verdict, 'blocks readers and writers', '...but its lock holds readers and writers until COMMIT');
    t.regex(add!.reason!, /until COMMIT after .*:2/);
    t.is(index!.verdict, 'blocks readers and writers', 'inside the transaction whose ACCESS EXCLUSIVE holds readers too');
    const rows = readCsv(csv);
    t.deepEqual(
      rows.map((row) => [row.suite, row.case!.replace(/^.*2_change\.up\.sql/, 'F'), row.rows]),
      [
        ['try', 'F:1 ALTER TABLE ADD COLUMN', '100000'],
        ['try', 'F:2 CREATE INDEX', '100000'],
        ['try', 'F:1 transaction', '100000'],
        ['try', 'F migration', '100000'],
      ],
    );
    t.is(rows[1]!.lock_mode, 'ShareLock');
  },
);

testNeedingCreatedb('writers write every table the migration touches: an index on the second table holds its writers, and that fails the check', (t) => {
  const schema = `${ACCOUNTS}CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);\n`;
  const r = pgmbTry(folder(t, 'ALTER TABLE accounts ADD COLUMN note text;\nCREATE INDEX users_name ON users (name);\n', schema), [
    '--sizes',
    '100k',
    '--transaction',
    'statement',
    '--max-block',
    '30ms',
    '--lint',
    'none',
  ]);
  t.is(r.status, EXIT.failure, `${r.stdout}\n${r.stderr}`);
  t.deepEqual(r.verdicts!.writers.tables, ['accounts', 'users']);
  t.deepEqual(
    r.verdicts!.statements.map((s) => [s.kind, s.verdict]),
    [
      ['ALTER TABLE ADD COLUMN', 'ok'],
      ['CREATE INDEX', 'blocks writers'],
    ],
  );
});

testNeedingCreatedb(
  '--schema takes a real pg_dump --schema-only (its \\restrict lines, search_path, owners of roles this server lacks): the migration runs on app.events, filled after the app.accounts it references',
  (t) => {
    const dir = tempDir(t, 'try');
    writeFileSync(join(dir, '20250101_events_at.sql'), 'CREATE INDEX CONCURRENTLY events_at ON app.events (at);\n');
    const r = pgmbTry(dir, ['--schema', 'test/fixtures/structure.sql', '--sizes', '20k', '--lint', 'none']);
    t.is(r.status, EXIT.ok, `${r.stdout}\n${r.stderr}`);
    t.deepEqual(r.verdicts!.writers.tables, ['app.events']);
    t.is(r.verdicts!.writers.errors, 0);
  },
);

testNeedingCreatedb(
  'typed synthetic rows: enums, domains, arrays, jsonb, uuid, inet, bounded varchar and numeric, a foreign key to a filled parent, mixed-case names; writers insert beside them',
  (t) => {
    const schema = `
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE DOMAIN short_code AS varchar(6);
CREATE TABLE "Users" (id uuid PRIMARY KEY, handle varchar(5) UNIQUE NOT NULL);
CREATE TABLE "Orders" (
  id bigserial PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES "Users" (id),
  "Total" numeric(10,2) NOT NULL,
  code short_code,
  state mood NOT NULL,
  tags text[],
  body jsonb,
  ip inet,
  placed date,
  at timestamp,
  blob bytea,
  ok boolean,
  ratio float8,
  small int2
);`;
    const r = pgmbTry(folder(t, 'CREATE INDEX CONCURRENTLY orders_user ON "Orders" (user_id);\n', schema), ['--sizes', '20k', '--lint', 'none']);
    t.is(r.status, EXIT.ok, `${r.stdout}\n${r.stderr}`);
    t.deepEqual(r.verdicts!.writers.tables, ['Orders']);
    t.true(r.verdicts!.writers.writes > 0);
    t.is(r.verdicts!.writers.errors, 0, 'every simulated INSERT and UPDATE of the typed values was accepted');
  },
);

testNeedingCreatedb('simple CHECK constraints are respected by the synthetic rows and by the writers: ranges, BETWEEN, IN lists, lengths', (t) => {
  const schema = `
CREATE TABLE items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  price numeric(10,2) NOT NULL CHECK (price > 0),
  qty int NOT NULL CHECK (qty BETWEEN 1 AND 10),
  status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped')),
  code text NOT NULL CHECK (length(code) <= 4),
  score int CHECK (-5 < score AND score < 5)
);`;
  const r = pgmbTry(folder(t, 'CREATE INDEX CONCURRENTLY items_status ON items (status);\n', schema), ['--sizes', '20k', '--lint', 'none']);
  t.is(r.status, EXIT.ok, `${r.stdout}\n${r.stderr}`);
  t.is(r.verdicts!.writers.errors, 0, 'the writers write inside the constraints too');
});

testNeedingCreatedb('a NOT NULL column without a default whose type has no generator exits 2 naming table.column and the type; --value gives it one', (t) => {
  const schema = 'CREATE TABLE places (id int PRIMARY KEY, spot jsonpath NOT NULL);\n';
  const change = 'CREATE INDEX CONCURRENTLY places_id ON places (id);\n';
  const r = pgmbTry(folder(t, change, schema), ['--sizes', '10k', '--lint', 'none']);
  t.is(r.status, EXIT.usage);
  t.regex(r.stderr, /places\.spot is of type jsonpath, which pgmb has no value generator for; give it one with --value places\.spot=SQL/);
  const fixed = pgmbTry(folder(t, change, schema), ['--sizes', '10k', '--lint', 'none', '--value', "places.spot='$.x' || g"]);
  t.is(fixed.status, EXIT.ok, `${fixed.stdout}\n${fixed.stderr}`);
});

testNeedingCreatedb('a migration that fails on the synthetic rows exits 1 naming the statement and the server error', (t) => {
  const r = pgmbTry(folder(t, 'ALTER TABLE accounts ADD CONSTRAINT short_names CHECK (length(email) < 3);\n'), ['--sizes', '10k', '--lint', 'none']);
  t.is(r.status, EXIT.failure, r.stderr);
  t.regex(r.stdout, /FAILED at 10k rows: .*2_change\.up\.sql:1: check constraint "short_names" of relation "accounts" is violated by some row/);
});

testNeedingCreatedb("a rename breaks the application's writes: their waits still count toward the verdict, and what the server said is shown", (t) => {
  // The writers queue on the rename's lock while the transaction sleeps, then meet the new name.
  const r = pgmbTry(folder(t, 'ALTER TABLE accounts RENAME COLUMN name TO full_name;\nSELECT pg_sleep(1.2);\n'), ['--sizes', '10k', '--lint', 'none']);
  t.is(r.status, EXIT.failure, r.stderr);
  const tx = r.verdicts!.transactions[0]!;
  t.true(tx.heldBySize['10000']! >= 1000, `writers held ${tx.heldBySize['10000']} ms: the write that waited and then failed waited all the same`);
  t.is(tx.verdict, 'blocks readers and writers');
  t.true(r.verdicts!.writers.errors >= 1, `${r.verdicts!.writers.errors} failed writes: the INSERT queued behind the rename fails (the UPDATEs set another column)`);
  t.deepEqual(r.verdicts!.writers.errorMessages, ['column "name" of relation "accounts" does not exist']);
  t.regex(r.stdout.replace(/\s+/g, ' '), /writers: .* of them failed \("column "name" of relation "accounts" does not exist"; /);
});

testNeedingCreatedb('a table no earlier migration creates exits 2 at the statement', (t) => {
  const r = pgmbTry(folder(t, 'CREATE INDEX i ON missing (a);\n'), ['--sizes', '10k']);
  t.is(r.status, EXIT.usage);
  t.regex(r.stderr, /2_change\.up\.sql:1:1: table missing does not exist: no earlier migration or --schema file creates it/);
});

testNeedingCreatedb("--setting: a session setting is set for the migration's connection, a server-wide one that differs is named, an unknown one is bad input", (t) => {
  const check = "DO $$ BEGIN IF current_setting('maintenance_work_mem') <> '200MB' THEN RAISE EXCEPTION 'maintenance_work_mem is %', current_setting('maintenance_work_mem'); END IF; END $$;\n";
  const dir = folder(t, `${check}CREATE INDEX accounts_email ON accounts (email);\n`);
  const r = pgmbTry(dir, ['--sizes', '2k', '--lint', 'none', '--setting', 'maintenance_work_mem=200MB', '--setting', 'shared_buffers=8GB']);
  t.is(r.status, EXIT.ok, r.stdout + r.stderr);
  t.regex(r.stderr, /settings: maintenance_work_mem=200MB set for the migration's session/);
  t.regex(r.stderr, /settings not matched \(server-wide, this server keeps its own\): shared_buffers 8GB \(here \w+\)/);
  const unknown = pgmbTry(dir, ['--sizes', '2k', '--lint', 'none', '--setting', 'no_such_setting=1']);
  t.is(unknown.status, EXIT.usage, unknown.stderr);
  t.regex(unknown.stderr, /--setting no_such_setting: the server has no setting of that name/);
});

testNeedingCreatedb('--sizes auto: a timed 100k probe, then sizes up to a tenth of the target, said; without a target it is bad input', (t) => {
  const dir = folder(t, 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n');
  const r = pgmbTry(dir, ['--sizes', 'auto', '--target-rows', '2m', '--budget', '5m', '--lint', 'none']);
  t.is(r.status, EXIT.ok, r.stdout + r.stderr);
  t.regex(r.stderr, /sizes auto: 100,000, 300,000 rows for a target of 2,000,000/);
  t.deepEqual(Object.keys(r.verdicts!.statements[0]!.msBySize), ['100000', '300000']);
  const untargeted = pgmbTry(dir, ['--sizes', 'auto']);
  t.is(untargeted.status, EXIT.usage, untargeted.stderr);
  t.regex(untargeted.stderr, /--sizes: auto chooses sizes from the target/);
});

testNeedingCreatedb('--changed-since: only the migrations a branch adds are measured, the earlier ones build the schema; none changed: exit 0 with one line; --markdown writes the PR report', (t) => {
  const dir = folder(t, 'CREATE INDEX accounts_email ON accounts (email);\n');
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, encoding: 'utf8' });
    t.is(r.status, 0, r.stderr);
  };
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'history');
  git('checkout', '-q', '-b', 'feature');
  const none = pgmbTry(dir, ['--changed-since', 'main', '--sizes', '2k', '--lint', 'none']);
  t.is(none.status, EXIT.ok, none.stderr);
  t.is(none.stdout, 'no migration changed since main: nothing to measure\n');

  writeFileSync(join(dir, '3_name_index.up.sql'), 'CREATE INDEX CONCURRENTLY accounts_name ON accounts (name);\n');
  const md = join(dir, 'report.md');
  const r = pgmbTry(dir, ['--changed-since', 'main', '--sizes', '2k', '--lint', 'none', '--markdown', md]);
  t.is(r.status, EXIT.ok, r.stderr);
  t.deepEqual(
    r.verdicts!.statements.map((s) => s.kind),
    ['CREATE INDEX CONCURRENTLY'],
    'the untracked new migration alone; 2_change built the schema',
  );
  const report = readFileSync(md, 'utf8');
  t.regex(report, /^### pgmb try: OK: no statement or transaction holds writers or readers >= 1000 ms at 2k rows/);
  t.regex(report, /\| `[^`]*3_name_index\.up\.sql` \| ok \| 1 \|/);
  t.regex(report, /<details><summary><code>[^<]*3_name_index\.up\.sql:1<\/code> CREATE INDEX CONCURRENTLY: <b>ok<\/b><\/summary>/);
  const bad = pgmbTry(dir, ['--changed-since', 'no-such-ref', '--sizes', '2k']);
  t.is(bad.status, EXIT.usage, bad.stderr);
  t.regex(bad.stderr, /--changed-since: git merge-base no-such-ref HEAD failed/);
});
