/**
 * `pgmb try` on public projects' real histories (test/corpus, each with its LICENSE and SOURCE.txt):
 * from the project's root with nothing said about where or what its migrations are, the newest
 * migration is measured; and one chosen migration gets the verdict its SQL implies at 1M rows (one that
 * holds nothing is judged at 200k, where it was measured).
 */
import test, { type ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Project {
  root: string;
  /** Where its one history is, when the root holds several (two services): pgmb asks for one. */
  history?: string;
  /** How pgmb says it read the history: `<folder> as <Tool> (<n> files)`. */
  readAs: RegExp;
  /** A migration by its tool's name, and the verdict of its statement that decides it at 1M rows. */
  target: { name: string; statement: RegExp; verdict: 'ok' | 'blocks writers' | 'blocks readers and writers' | 'deadlocks with writers'; lock?: string; measuredAt?: '200k' };
}

const PROJECTS: Project[] = [
  {
    root: 'crates.io',
    readAs: /^reading test\/corpus\/crates\.io\/migrations as Diesel \(100 files\)$/m,
    target: { name: '20140929103749_dumped_migration_21', statement: /CREATE INDEX/, verdict: 'blocks writers', lock: 'ShareLock' },
  },
  {
    root: 'hoppscotch',
    readAs: /^reading test\/corpus\/hoppscotch\/packages\/hoppscotch-backend\/prisma\/migrations as Prisma \(21 files\)$/m,
    // ADD COLUMN's ACCESS EXCLUSIVE is held until COMMIT, through an UPDATE of every row.
    target: { name: '20251207122817_add_slug_to_published_docs', statement: /ADD COLUMN/, verdict: 'blocks readers and writers', lock: 'AccessExclusiveLock', measuredAt: '200k' },
  },
  {
    root: 'ai-chatbot',
    readAs: /^reading test\/corpus\/ai-chatbot\/lib\/db\/migrations as Drizzle \(9 files\)$/m,
    target: { name: '0008_flat_forgotten_one', statement: /DROP COLUMN/, verdict: 'ok', lock: 'AccessExclusiveLock', measuredAt: '200k' },
  },
  {
    root: 'pocket-id',
    readAs: /^reading test\/corpus\/pocket-id\/backend\/resources\/migrations\/postgres as golang-migrate \(64 files\)$/m,
    // An UPDATE of every client's row, then DROP COLUMN in the same transaction: its ACCESS EXCLUSIVE
    // waits for writers that hold the table and wait for those rows: PostgreSQL cancels the migration.
    target: { name: '20260807120000_oidc_client_multiple_secrets', statement: /DROP COLUMN/, verdict: 'deadlocks with writers' },
  },
  {
    root: 'openfga',
    readAs: /^reading test\/corpus\/openfga\/assets\/migrations\/postgres as goose \(6 files\)$/m,
    // goose's NO TRANSACTION file: CONCURRENTLY, statement by statement, as goose runs it.
    target: { name: '006_add_collate_index.sql', statement: /CREATE INDEX CONCURRENTLY/, verdict: 'ok', lock: 'ShareUpdateExclusiveLock', measuredAt: '200k' },
  },
  {
    root: 'conductor',
    readAs: /^reading test\/corpus\/conductor as Flyway \(21 files\)$/m,
    // DROP INDEX IF EXISTS of an index V1 never made (no lock), then a plain CREATE INDEX: SHARE for the whole build.
    target: { name: 'V3__correlation_id_index', statement: /^CREATE INDEX$/, verdict: 'blocks writers', lock: 'ShareLock' },
  },
  {
    root: 'docs.rs',
    readAs: /^reading test\/corpus\/docs\.rs\/crates\/lib\/docs_rs_database\/migrations as sqlx \(33 files\)$/m,
    // A plain CREATE INDEX on a timestamp column of every row: SHARE held for the whole build.
    target: { name: '20260208042033_repositories-index-updated-', statement: /^CREATE INDEX$/, verdict: 'blocks writers', lock: 'ShareLock' },
  },
  {
    root: 'openmeter',
    readAs: /^reading test\/corpus\/openmeter\/tools\/migrate\/migrations as Atlas \(105 files\)$/m,
    // DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE, held through the index builds after it.
    target: { name: '20250606115859_subject_namespace', statement: /^DROP INDEX$/, verdict: 'blocks readers and writers', lock: 'AccessExclusiveLock' },
  },
  {
    root: 'nasa-apt',
    readAs: /^reading test\/corpus\/nasa-apt\/db as Sqitch \(22 files\)$/m,
    // The deploy script's own BEGIN ... COMMIT around a new enum and a column with a constant default: no rewrite.
    target: { name: 'journal_status', statement: /^ALTER TABLE ADD COLUMN$/, verdict: 'ok', lock: 'AccessExclusiveLock', measuredAt: '200k' },
  },
  {
    root: 'tractusx-miw',
    history: 'miw/src/main/resources/db/changelog',
    readAs: /^reading test\/corpus\/tractusx-miw\/miw\/src\/main\/resources\/db\/changelog as Liquibase \(3 files\)$/m,
    // A NOT NULL column with a constant default: no rewrite, the lock held for an instant.
    target: { name: 'pmanaras:3', statement: /ADD COLUMN/, verdict: 'ok', lock: 'AccessExclusiveLock', measuredAt: '200k' },
  },
];

interface Verdicts {
  statements: { key: string; kind: string; lock?: string; verdict: string }[];
  failed?: { key: string; verdict: string };
}

const corpus = (p: Project) => join('test', 'corpus', p.root, p.history ?? '');

function readVerdicts(t: ExecutionContext, args: string[]): { status: number | null; stdout: string; stderr: string; verdicts?: Verdicts } {
  const json = join(tempDir(t, 'corpus'), 'verdicts.json');
  const r = pgmb(['try', ...args, '--lint', 'none', '--long-query', '0', '--json', json]);
  refusedWithoutCreatedb(r);
  return { ...r, verdicts: r.status === EXIT.ok || r.status === EXIT.failure ? (JSON.parse(readFileSync(json, 'utf8')) as Verdicts) : undefined };
}

for (const p of PROJECTS) {
  testNeedingCreatedb(`${p.root}: from ${p.history ? 'its history' : "the project's root"}, its tool and folder are found and the newest migration is measured`, (t) => {
    const r = readVerdicts(t, [corpus(p), '--sizes', '10k']);
    t.true(r.status === EXIT.ok || r.status === EXIT.failure, `exit ${r.status}: ${r.stderr}`);
    t.regex(r.stdout, p.readAs);
    t.true(r.verdicts!.statements.length > 0);
  });

  // At 1M rows; or, to keep npm test short, measured at 200k: a verdict that a lock holds writers is
  // carried to 1M along the growth measured, and one that nothing holds them is judged where measured
  // (a write's own noise, carried 5x, could cross --max-block).
  const cheaper = p.target.measuredAt !== undefined;
  const at = !cheaper ? ['--sizes', '1m'] : p.target.verdict === 'ok' ? ['--sizes', '200k'] : ['--sizes', '200k', '--target-rows', '1m'];
  const where = !cheaper ? 'at 1M rows' : p.target.verdict === 'ok' ? 'at 200k rows' : 'at 1M rows (measured at 200k)';
  testNeedingCreatedb(`${p.root}: ${p.target.name} ${where}: ${p.target.verdict}`, (t) => {
    const r = readVerdicts(t, [corpus(p), '--measure', p.target.name, ...at, '--max-block', '100ms']);
    t.is(r.status, p.target.verdict === 'ok' ? EXIT.ok : EXIT.failure, r.stderr);
    if (p.target.verdict === 'deadlocks with writers') {
      t.is(r.verdicts!.failed?.verdict, p.target.verdict, JSON.stringify(r.verdicts!.failed));
      t.regex(r.stdout, /^DEADLOCK at 1m rows: .*: deadlock detected$/m);
      return;
    }
    const s = r.verdicts!.statements.find((x) => p.target.statement.test(x.kind));
    t.truthy(s, JSON.stringify(r.verdicts!.statements));
    t.is(s!.verdict, p.target.verdict);
    if (p.target.lock) t.is(s!.lock, p.target.lock);
  });
}

test("tractusx-miw: a root holding two services' Liquibase histories is one line, exit 2, naming both, before anything runs", (t) => {
  const r = pgmb(['try', join('test', 'corpus', 'tractusx-miw')]);
  t.is(r.status, EXIT.usage, r.stderr);
  t.regex(
    r.stderr,
    /^pgmb: test\/corpus\/tractusx-miw holds 2 migration histories: liquibase \(test\/corpus\/tractusx-miw\/miw\/src\/main\/resources\/db\/changelog\); liquibase \(test\/corpus\/tractusx-miw\/revocation-service\/src\/main\/resources\/db\/changelog\); give one folder$/m,
  );
  t.notRegex(r.stderr, /database:/, 'no database was started');
});
