/**
 * `pgmb try` on public projects' real histories (test/corpus, each with its LICENSE and SOURCE.txt):
 * from the project's root with nothing said about where or what its migrations are, the newest
 * migration is measured; and one chosen migration gets the verdict its SQL implies at 1M rows.
 */
import type { ExecutionContext } from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Project {
  root: string;
  /** How pgmb says it read the history: `<folder> as <Tool> (<n> files)`. */
  readAs: RegExp;
  /** A migration by its tool's name, and the verdict of its statement that decides it at 1M rows. */
  target: { name: string; statement: RegExp; verdict: 'ok' | 'blocks writers' | 'deadlocks with writers'; lock?: string };
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
    target: { name: '20251207122817_add_slug_to_published_docs', statement: /ADD COLUMN/, verdict: 'blocks writers', lock: 'AccessExclusiveLock' },
  },
  {
    root: 'ai-chatbot',
    readAs: /^reading test\/corpus\/ai-chatbot\/lib\/db\/migrations as Drizzle \(9 files\)$/m,
    target: { name: '0008_flat_forgotten_one', statement: /DROP COLUMN/, verdict: 'ok', lock: 'AccessExclusiveLock' },
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
    target: { name: '006_add_collate_index.sql', statement: /CREATE INDEX CONCURRENTLY/, verdict: 'ok', lock: 'ShareUpdateExclusiveLock' },
  },
];

interface Verdicts {
  statements: { key: string; kind: string; lock?: string; verdict: string }[];
  failed?: { key: string; verdict: string };
}

const corpus = (p: Project) => join('test', 'corpus', p.root);

function readVerdicts(t: ExecutionContext, args: string[]): { status: number | null; stdout: string; stderr: string; verdicts?: Verdicts } {
  const json = join(tempDir(t, 'corpus'), 'verdicts.json');
  const r = pgmb(['try', ...args, '--lint', 'none', '--json', json]);
  refusedWithoutCreatedb(r);
  return { ...r, verdicts: r.status === EXIT.ok || r.status === EXIT.failure ? (JSON.parse(readFileSync(json, 'utf8')) as Verdicts) : undefined };
}

for (const p of PROJECTS) {
  testNeedingCreatedb(`${p.root}: from the project's root, its tool and folder are found and the newest migration is measured`, (t) => {
    const r = readVerdicts(t, [corpus(p), '--sizes', '10k']);
    t.true(r.status === EXIT.ok || r.status === EXIT.failure, `exit ${r.status}: ${r.stderr}`);
    t.regex(r.stdout, p.readAs);
    t.true(r.verdicts!.statements.length > 0);
  });

  testNeedingCreatedb(`${p.root}: ${p.target.name} at 1M rows: ${p.target.verdict}`, (t) => {
    const r = readVerdicts(t, [corpus(p), '--measure', p.target.name, '--sizes', '1m', '--max-block', '200ms']);
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
