import { buildIndexConcurrently } from '../concurrent-index.js';
import { buildPartitionedIndex, checkUniqueOnPartitions } from '../partitioned-index.js';
import { InvalidOptionError } from '../../core/errors.js';
import { parseColumnName, parseQualifiedName } from '../../core/identifiers.js';
import type { CreateIndexSpec } from '../types.js';
import type { Operation } from './operation.js';

const MAX_NAME_BYTES = 63;

/** `<table>_<columns>_idx`, cut to what PostgreSQL keeps. */
export function defaultIndexName(table: string, columns: string[]): string {
  let name = `${table}_${columns.join('_')}_idx`;
  while (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) name = name.slice(0, -1);
  return name;
}

/**
 * CREATE [UNIQUE] INDEX CONCURRENTLY in the Index phase, with recovery of an invalid leftover; on a
 * partitioned table (which refuses CONCURRENTLY) the same, partition by partition.
 */
export const createIndex: Operation<CreateIndexSpec> = {
  async plan(spec, catalog) {
    const table = await catalog.table(spec.table);
    if (spec.columns.length === 0) throw new InvalidOptionError('columns', 'an index needs at least one column');
    const columns = spec.columns.map((c) => catalog.column(table, parseColumnName(c)));
    for (const info of columns) info.usedLater = true;
    const name =
      spec.name !== undefined
        ? parseQualifiedName(spec.name, 1)[0]!
        : defaultIndexName(
            table.name.name,
            columns.map((c) => c.name),
          );
    const unique = spec.unique ?? false;
    catalog.require({ kind: 'owner', table, why: 'CREATE INDEX' });
    if (unique && table.partitioned)
      await checkUniqueOnPartitions(
        catalog.client,
        table,
        columns.map((c) => c.name),
      );
    return [
      {
        phase: 'index',
        description: table.partitioned
          ? `create ${unique ? 'unique ' : ''}index ${name} on partitioned ${table.sql}: ON ONLY the parent, each partition CONCURRENTLY, attached`
          : `create ${unique ? 'unique ' : ''}index ${name} concurrently`,
        run: async (ctx) => {
          const build = { table: { sql: table.sql, schema: table.name.schema }, name, unique, columns: columns.map((c) => c.name) };
          const outcome = table.partitioned ? await buildPartitionedIndex(ctx, table.oid, build) : await buildIndexConcurrently(ctx, build);
          if (outcome === 'exists') ctx.emit({ type: 'step', phase: 'index', description: name, skip: `index ${name} exists and is valid` });
        },
      },
    ];
  },
};
