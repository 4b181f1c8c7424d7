/**
 * The lock queue, measured (issue 25): a long query holds the table, an instant ALTER queues behind
 * it and every reader and writer queues behind the ALTER; lock_timeout and retries as tools run them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { EXIT } from '../../src/cli/exit-codes.js';
import { refusedWithoutCreatedb, testNeedingCreatedb } from '../helpers/createdb.js';
import { pgmb } from '../helpers/pgmb.js';
import { tempDir } from '../helpers/temp-dir.js';

interface Json {
  statements: { key: string; msBySize: Record<string, number>; verdict: string; reason?: string; waitedBehindMs?: number; heldMs: number; readersHeldMs: number }[];
  transactions: { verdict: string; behind?: { waitedMs: number; heldMs: number; readersHeldMs: number; attempts: number; timedOut: boolean } }[];
}

/** A golang-migrate folder: the accounts table, then the measured change. */
function tryChange(t: ExecutionContext, change: string, args: string[]) {
  const dir = tempDir(t, 'queue');
  writeFileSync(join(dir, '1_accounts.up.sql'), 'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, note text);\n');
  writeFileSync(join(dir, '2_change.up.sql'), change);
  const json = join(dir, 'verdicts.json');
  const r = pgmb(['try', dir, '--lint', 'none', '--json', json, ...args]);
  refusedWithoutCreatedb(r);
  return { ...r, verdicts: existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Json) : undefined };
}

testNeedingCreatedb(
  'an instant ADD COLUMN behind a 3 s query waits for it with readers and writers queued behind: exit 1, the verdict names the queue and lock_timeout; without the long query, ok',
  (t) => {
    const change = 'ALTER TABLE accounts ADD COLUMN c int;\n';
    const r = tryChange(t, change, ['--sizes', '100k']); // the default long query: 3 s
    t.is(r.status, EXIT.failure, r.stdout + r.stderr);
    const s = r.verdicts!.statements[0]!;
    t.is(s.verdict, 'blocks readers and writers');
    t.true(s.waitedBehindMs! >= 2500, `waited ${s.waitedBehindMs} ms`);
    const behind = r.verdicts!.transactions[0]!.behind!;
    t.true(behind.heldMs >= 2500 && behind.readersHeldMs >= 2500, JSON.stringify(behind));
    t.regex(s.reason!, /waited \d\.\d s behind a 3\.0 s query, everything queued behind it .*; set lock_timeout \(and retry\)/);
    t.regex(r.stdout, /BLOCKS readers and writers +:1 ALTER TABLE ADD COLUMN[^\n]*\n +waited \d\.\d s behind a 3\.0 s query/);

    const quiet = tryChange(t, change, ['--sizes', '100k', '--long-query', '0']);
    t.is(quiet.status, EXIT.ok, quiet.stdout + quiet.stderr);
    t.is(quiet.verdicts!.statements[0]!.waitedBehindMs, undefined);
  },
);

testNeedingCreatedb(
  'SET lock_timeout 500ms in the file: the ALTER gives up within ~1 s, traffic held under it, the deploy fails (exit 1); with --retries 10 it goes through once the query ends, traffic never held long: exit 0',
  (t) => {
    const change = "SET lock_timeout = '500ms';\nALTER TABLE accounts ADD COLUMN c int;\n";
    const r = tryChange(t, change, ['--sizes', '20k', '--long-query', '3s']);
    t.is(r.status, EXIT.failure, r.stdout + r.stderr);
    const g = r.verdicts!.transactions.find((x) => x.behind?.timedOut);
    t.truthy(g, JSON.stringify(r.verdicts!.transactions));
    t.is(g!.verdict, 'times out behind a long query');
    t.true(g!.behind!.heldMs < 1000 && g!.behind!.readersHeldMs < 1000, JSON.stringify(g!.behind));
    t.regex(r.stdout, /TIMES OUT behind a long query +:2 ALTER TABLE ADD COLUMN[^\n]*\n +gave up after waiting 0\.\d s/);
    t.regex(r.stdout.replace(/\s+/g, ' '), /the deploy fails unless the tool retries/);

    const retried = tryChange(t, change, ['--sizes', '20k', '--long-query', '3s', '--retries', '10']);
    t.is(retried.status, EXIT.ok, retried.stdout + retried.stderr);
    const ok = retried.verdicts!.transactions.find((x) => x.behind && x.behind.attempts > 1);
    t.truthy(ok, JSON.stringify(retried.verdicts!.transactions));
    t.false(ok!.behind!.timedOut);
    t.true(ok!.behind!.heldMs < 1000 && ok!.behind!.readersHeldMs < 1000, JSON.stringify(ok!.behind));
  },
);

testNeedingCreatedb('CREATE INDEX holds writers but not readers; CREATE INDEX CONCURRENTLY behind a 3 s query waits for it and holds nobody: ok, with the wait shown', (t) => {
  const plain = tryChange(t, 'CREATE INDEX accounts_email ON accounts (email);\n', ['--sizes', '200k', '--long-query', '0', '--max-block', '10s']);
  t.is(plain.status, EXIT.ok, plain.stdout + plain.stderr);
  const p = plain.verdicts!.statements[0]!;
  const ms = p.msBySize['200000']!;
  t.true(p.heldMs >= ms / 2 && p.readersHeldMs < ms / 2, `the build took ${ms} ms; writers held ${p.heldMs} ms, readers ${p.readersHeldMs} ms`);

  const concurrent = tryChange(t, 'CREATE INDEX CONCURRENTLY accounts_email ON accounts (email);\n', ['--sizes', '20k', '--long-query', '3s']);
  t.is(concurrent.status, EXIT.ok, concurrent.stdout + concurrent.stderr);
  const c = concurrent.verdicts!.statements[0]!;
  t.true(c.waitedBehindMs! >= 2500, `waited ${c.waitedBehindMs} ms`);
  t.is(c.verdict, 'ok');
  const behind = concurrent.verdicts!.transactions[0]!.behind!;
  t.true(behind.heldMs < 500 && behind.readersHeldMs < 500, JSON.stringify(behind));
  t.regex(concurrent.stdout, /^ {2}ok +:1 CREATE INDEX CONCURRENTLY .* [23]\.\d s$/m, 'the wait shown in its column');
});
