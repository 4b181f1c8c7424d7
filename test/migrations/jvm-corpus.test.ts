/**
 * Real Flyway and Liquibase histories (test/corpus: conductor, tractusx-miw), read as their tools
 * read them and applied on PostgreSQL in that order: every statement runs on an empty database, as
 * SOURCE.txt says the projects' own histories do.
 */
import { join } from 'node:path';
import { connect } from '../../src/db/connect.js';
import { flyway, flywayHistories, flywayOrder } from '../../src/migrations/formats/flyway.js';
import { liquibase } from '../../src/migrations/formats/liquibase.js';
import { parseMigration, readSources } from '../../src/migrations/index.js';
import { buildSchema } from '../../src/try/schema.js';
import { scratchDatabase, testNeedingCreatedb } from '../helpers/createdb.js';
import { scalar } from '../helpers/db.js';

/** The histories applied one after the other in a scratch database of their own; what the check query returns. */
async function applied(files: string[], check: string): Promise<unknown> {
  const migrations = await Promise.all(readSources(files).map(parseMigration));
  const scratch = await scratchDatabase();
  try {
    const c = await connect(scratch.url, 'pgmb-test-corpus');
    try {
      await buildSchema(c, migrations);
      return await scalar(c, check);
    } finally {
      await c.end();
    }
  } finally {
    await scratch.drop();
  }
}

testNeedingCreatedb('conductor: the 21 migrations of its three Flyway locations, merged by version, apply on an empty database', async (t) => {
  const [history] = flywayHistories('test/corpus/conductor');
  const files = flywayOrder(history!.flatMap((dir) => flyway.folder!(dir)!));
  t.is(files.length, 21);
  const columns = await applied(
    files,
    "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'workflow_index' AND column_name IN ('end_time', 'update_time', 'parent_workflow_id')",
  );
  t.is(columns, 'end_time,parent_workflow_id,update_time');
});

testNeedingCreatedb('tractusx-miw: each service history from its master changelog applies on an empty database (formatted changesets and raw files)', async (t) => {
  const [miw, revocation] = liquibase.locate!('test/corpus/tractusx-miw');
  t.is(await applied([miw!], "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('wallet', 'wallet_key', 'issuers_credential', 'holders_credential', 'jti')"), 5);
  t.is(await applied([join(revocation!)], "SELECT count(*)::int FROM pg_constraint WHERE conname IN ('uc_statuslistindex_status_list_credential', 'fk_statuslistindex_on_status_list_credential')"), 2);
});
