/**
 * Tests of what needs CREATE DATABASE (pgmb try's scratch databases), run as any role: with the
 * privilege they prove what they say; without it the same test runs its own command and proves the
 * refusal instead (exit 2, the line naming CREATEDB and --scratch-url), and its title says so.
 */
import test, { type ExecutionContext } from 'ava';
import { withClient } from '../../src/db/connect.js';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { exitCodeFor } from '../../src/cli/run-main.js';
import { mayCreateDatabases, testUrl } from './db.js';

/** Read once per test file: the role the tests run as may create databases. */
export const MAY_CREATE_DATABASES = await withClient(testUrl(), mayCreateDatabases);

/** What a refused command printed: thrown to end the test where the refusal came. */
class Refused extends Error {
  constructor(readonly result: { status: number | null; stderr: string }) {
    super('refused: this role may not create databases');
  }
}

/** After a command that needs a scratch database: without CREATEDB, the test ends here on its refusal. */
export function refusedWithoutCreatedb(result: { status: number | null; stderr: string }): void {
  if (!MAY_CREATE_DATABASES) throw new Refused(result);
}

/** A scratch database as pgmb try makes one; without CREATEDB, the test ends on its refusal (as the CLI would print it). */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  try {
    return await createScratchDatabase(testUrl());
  } catch (err) {
    if (!MAY_CREATE_DATABASES) refusedWithoutCreatedb({ status: exitCodeFor(err), stderr: `pgmb: ${(err as Error).message}` });
    throw err;
  }
}

/** A test that needs CREATEDB; without it, the same steps up to the refusal, and the refusal checked. */
export function testNeedingCreatedb(title: string, body: (t: ExecutionContext) => Promise<void> | void): void {
  if (MAY_CREATE_DATABASES) {
    test(title, body);
    return;
  }
  test(`${title} [this role lacks CREATEDB: proves the steps before the scratch database, then its refusal, exit 2]`, async (t) => {
    try {
      await body(t);
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      t.is(err.result.status, EXIT.usage, err.result.stderr);
      t.regex(err.result.stderr, /pgmb: pgmb try builds your schema in a scratch database of its own, and this role may not create one: GRANT it CREATEDB .*--scratch-url/);
      return;
    }
    t.fail('the command that needs a scratch database ran as a role without CREATEDB');
  });
}
