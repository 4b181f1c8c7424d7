import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { TableInfo } from './catalog.js';
import { buildIndexConcurrently, indexSql, type IndexBuild } from './concurrent-index.js';
import { InputError, InvalidIndexError } from '../core/errors.js';
import { quoteIdent } from '../core/identifiers.js';
import { treeMembers, type TreeMember } from './relations.js';
import { runShortTransaction } from './transaction.js';
import type { StepContext } from './types.js';

/** A partition's index name: stable across reruns (so a rerun finds its own work), within 63 bytes. */
export function partitionIndexName(name: string, partitionOid: number): string {
  return `${name.slice(0, 50)}_${createHash('sha1').update(`${name}/${partitionOid}`).digest('hex').slice(0, 8)}`;
}

/** The index of that name on that relation, its validity and the index it is attached to, if any. */
async function indexState(client: pg.Client, build: IndexBuild): Promise<{ oid: number; valid: boolean; parent?: number } | undefined> {
  const { rows } = await client.query<{ oid: number; valid: boolean; parent: number | null }>(
    `SELECT c.oid::int AS oid, i.indisvalid AS valid, (SELECT inhparent::int FROM pg_inherits WHERE inhrelid = c.oid) AS parent
       FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = $1 AND n.nspname = $2`,
    [build.name, build.table.schema],
  );
  const r = rows[0];
  return r ? { oid: r.oid, valid: r.valid, parent: r.parent ?? undefined } : undefined;
}

/**
 * A unique index on a partitioned table must contain every partition key column at every level
 * (the server refuses it otherwise): said at plan time, before anything runs.
 */
export async function checkUniqueOnPartitions(client: pg.Client, table: TableInfo, columns: string[]): Promise<void> {
  const members = (await treeMembers(client, table.oid)).filter((m) => m.relkind === 'p');
  const { rows } = await client.query<{ rel: number; attname: string | null }>(
    `SELECT p.partrelid::int AS rel, a.attname
       FROM pg_partitioned_table p CROSS JOIN LATERAL unnest(p.partattrs::int2[]) AS k(attnum)
       LEFT JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum
      WHERE p.partrelid = ANY($1::oid[])`,
    [members.map((m) => m.oid)],
  );
  const missing = rows.filter((r) => r.attname !== null && !columns.includes(r.attname));
  if (missing.length) {
    const where = members.find((m) => m.oid === missing[0]!.rel)!.sql;
    throw new InputError(
      'UNIQUE_WITHOUT_PARTITION_KEY',
      `a unique index on partitioned ${table.sql} must include its partition key: ${where} is partitioned by ${[...new Set(missing.map((m) => quoteIdent(m.attname!)))].join(', ')}`,
    );
  }
}

/**
 * CREATE INDEX on a partitioned table without blocking writers, the way PostgreSQL allows it
 * (CONCURRENTLY is refused on the parent): an invalid index `ON ONLY` the parent and each
 * partitioned child, then each leaf's index built CONCURRENTLY (an invalid leftover of an earlier
 * attempt dropped and rebuilt) and attached; a level's index becomes valid when its last
 * partition's is attached. Each step is short or lock-free for writers, and each is skipped on a
 * rerun that finds it done, so a failed partition build resumes where it stopped.
 */
export async function buildPartitionedIndex(ctx: StepContext, rootOid: number, build: IndexBuild): Promise<'built' | 'exists'> {
  const members = await treeMembers(ctx.client, rootOid);
  const root = members[0]!;
  const buildFor = (m: TreeMember): IndexBuild => ({ ...build, table: { sql: m.sql, schema: m.schema }, name: m === root ? build.name : partitionIndexName(build.name, m.oid) });
  const existing = await indexState(ctx.client, build);
  if (existing?.valid) return 'exists';

  const cols = build.columns.map(quoteIdent).join(', ');
  const partitioned = members.filter((m) => m.relkind === 'p');
  const indexOf = new Map<number, IndexBuild>(members.map((m) => [m.oid, buildFor(m)]));
  // The shells: instant, no storage, invalid until every partition under them is attached.
  for (const m of partitioned) {
    const b = indexOf.get(m.oid)!;
    await runShortTransaction(ctx, `create index ${b.name} on only ${m.sql}`, [`CREATE ${build.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(b.name)} ON ONLY ${m.sql} (${cols})`]);
  }
  const attach = async (m: TreeMember) => {
    const parent = indexOf.get(m.parent!)!;
    const own = indexOf.get(m.oid)!;
    const [p, o] = [await indexState(ctx.client, parent), await indexState(ctx.client, own)];
    if (o?.parent === p?.oid) return;
    await runShortTransaction(ctx, `attach index ${own.name}`, [`ALTER INDEX ${indexSql(parent)} ATTACH PARTITION ${indexSql(own)}`]);
  };
  // Leaves first, then each level from the deepest up, so every level is valid when attached.
  for (const leaf of members.filter((m) => m.relkind === 'r')) {
    await buildIndexConcurrently(ctx, indexOf.get(leaf.oid)!);
    await attach(leaf);
  }
  for (const m of partitioned.filter((p) => p !== root).sort((a, b) => b.depth - a.depth)) await attach(m);
  for (const m of members.filter((x) => x.relkind === 'r' || x.relkind === 'p')) {
    const state = await indexState(ctx.client, indexOf.get(m.oid)!);
    if (!state?.valid) throw new InvalidIndexError(indexOf.get(m.oid)!.name);
  }
  return 'built';
}
