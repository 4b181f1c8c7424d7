/** A backfill in its own process, so a test can SIGKILL it: prints one line per committed batch. */
import { connect } from '../../src/db/connect.js';
import { migrate } from '../../src/engine/index.js';
import { quoteIdent } from '../../src/core/identifiers.js';
import type { StrategyName } from '../../src/engine/types.js';

const [url, table, stateTable, strategy, batchSize, delayMs, workers, vacuum = 'auto'] = process.argv.slice(2) as [string, string, string, StrategyName, string, string, string, string?];
const client = await connect(url, 'pgmb-backfill-child');
await migrate(client, [{ op: 'backfill', table: quoteIdent(table), column: 'bio', value: 'v' }], {
  backfill: { strategy, batchSize: Number(batchSize), delayMs: Number(delayMs), stateTable, workers: Number(workers), vacuum: vacuum === 'off' || vacuum === 'auto' ? vacuum : Number(vacuum) },
  connect: () => connect(url, 'pgmb-backfill-child-worker'),
  onEvent: (e) => {
    if (e.type === 'backfill-progress') process.stdout.write(`batch ${e.progress.batches}\n`);
  },
});
await client.end();
