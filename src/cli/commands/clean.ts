import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import type pg from 'pg';
import { SCRATCH_MIN_AGE_S, dropLeftoverScratch, listScratchDatabases, listTemplates, scratchInUse } from '../../db/scratch.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { DEFAULT_BACKFILL, InvalidOptionError } from '../../engine/index.js';
import { dropTables, listProjectTables } from '../../fixtures/cleanup.js';

export function cleanCommand(): Command {
  return new Command('clean')
    .description(
      `drop the tables (pgmb_*) and pgmb try's scratch databases (pgmb_try_*) an interrupted run left behind; a scratch database with a session connected, or made less than ${SCRATCH_MIN_AGE_S / 60} minutes ago, belongs to a run and is kept`,
    )
    .option('--dry-run', 'list them, drop nothing')
    .option('--templates', "also drop the schema builds pgmb try keeps for its next run (pgmb_schema_*): the next try rebuilds its history's schema")
    .action(async (o: { dryRun?: boolean; templates?: boolean }) => {
      const resolved = resolveDatabaseUrl();
      if (!resolved) throw new InvalidOptionError('database', 'set TEST_DATABASE_URL or DATABASE_URL: an embedded server holds nothing to clean');
      await withClient(resolved.url, async (client) => {
        // pgmb backfill's checkpoints are not leftovers: dropping them would make an unfinished
        // backfill start over.
        const all = await listProjectTables(client);
        const tables = all.filter((t) => t !== DEFAULT_BACKFILL.stateTable);
        if (!o.dryRun) await dropTables(client, tables);
        process.stdout.write(`${o.dryRun ? 'would drop' : 'dropped'} ${tables.length} table(s)${tables.length ? `: ${tables.join(', ')}` : ''}\n`);
        // A scratch database is a leftover only when nobody is connected and it is not brand new: a
        // pgmb try running beside this keeps its own.
        const dropped: string[] = [];
        for (const db of await listScratchDatabases(client)) {
          const inUse = scratchInUse(db);
          if (inUse) process.stdout.write(`kept scratch database ${db.name}: ${inUse}\n`);
          else if (o.dryRun || (await dropLeftoverScratch(client, db.name))) dropped.push(db.name);
          else process.stdout.write(`kept scratch database ${db.name}: a session connected to it meanwhile\n`);
        }
        if (dropped.length) process.stdout.write(`${o.dryRun ? 'would drop' : 'dropped'} ${dropped.length} scratch database(s) of pgmb try: ${dropped.join(', ')}\n`);
        const templates = await listTemplates(client);
        if (o.templates) {
          const gone = o.dryRun ? templates : await dropEach(client, templates);
          if (gone.length) process.stdout.write(`${o.dryRun ? 'would drop' : 'dropped'} ${gone.length} schema template(s) of pgmb try: ${gone.join(', ')}\n`);
        } else if (templates.length) process.stdout.write(`kept ${templates.length} schema template(s) of pgmb try for its next run (--templates drops them)\n`);
        if (tables.length < all.length) process.stdout.write(`kept ${DEFAULT_BACKFILL.stateTable}: pgmb backfill's checkpoints (drop it once no backfill is unfinished)\n`);
      });
    });
}

/** Drop each database nobody is connected to (DROP without FORCE refuses one with a session); the names dropped. */
async function dropEach(client: pg.Client, names: string[]): Promise<string[]> {
  const dropped: string[] = [];
  for (const name of names) if (await dropLeftoverScratch(client, name)) dropped.push(name);
  return dropped;
}
