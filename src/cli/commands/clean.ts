import { Command } from 'commander';
import { withClient } from '../../db/connect.js';
import { resolveDatabaseUrl } from '../../db/url.js';
import { DEFAULT_BACKFILL, InvalidOptionError } from '../../engine/index.js';
import { dropTables, listProjectTables } from '../../fixtures/cleanup.js';

export function cleanCommand(): Command {
  return new Command('clean')
    .description("drop the tables this project left behind (names starting with pgmb_) after an interrupted run")
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
        if (tables.length < all.length) process.stdout.write(`kept ${DEFAULT_BACKFILL.stateTable}: pgmb backfill's checkpoints (drop it once no backfill is unfinished)\n`);
      });
    });
}
