import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import { SCRATCH_MIN_AGE_S, dropLeftoverScratch, listScratchDatabases, scratchInUse } from '../../db/scratch.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { DEFAULT_BACKFILL, InvalidOptionError } from '../../engine/index.js';
import { dropTables, listProjectTables } from '../../fixtures/cleanup.js';

export function cleanCommand(): Command {
  return new Command('clean')
    .description(
      `drop the tables (pgmb_*) and pgmb try's scratch databases (pgmb_try_*) an interrupted run left behind; a scratch database with a session connected, or made less than ${SCRATCH_MIN_AGE_S / 60} minutes ago, belongs to a run and is kept`,
    )
    .option('--dry-run', 'list them, drop nothing')
    .action(async (o: { dryRun?: boolean }) => {
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
        if (tables.length < all.length) process.stdout.write(`kept ${DEFAULT_BACKFILL.stateTable}: pgmb backfill's checkpoints (drop it once no backfill is unfinished)\n`);
      });
    });
}
