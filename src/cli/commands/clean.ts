import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import { dropScratchDatabase, listScratchDatabases } from '../../db/scratch.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { DEFAULT_BACKFILL, InvalidOptionError } from '../../engine/index.js';
import { dropTables, listProjectTables } from '../../fixtures/cleanup.js';

export function cleanCommand(): Command {
  return new Command('clean')
    .description("drop the tables (pgmb_*) and pgmb try's scratch databases (pgmb_try_*) an interrupted run left behind")
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
        const scratch = await listScratchDatabases(client);
        if (!o.dryRun) for (const name of scratch) await dropScratchDatabase(client, name);
        if (scratch.length) process.stdout.write(`${o.dryRun ? 'would drop' : 'dropped'} ${scratch.length} scratch database(s) of pgmb try: ${scratch.join(', ')}\n`);
        if (tables.length < all.length) process.stdout.write(`kept ${DEFAULT_BACKFILL.stateTable}: pgmb backfill's checkpoints (drop it once no backfill is unfinished)\n`);
      });
    });
}
