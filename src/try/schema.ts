import type pg from 'pg';
import { quoteIdent } from '../core/identifiers.js';
import { isConnectionLoss } from '../db/errors.js';
import { MigrationFileError, type Migration, type RelationName } from '../migrations/index.js';
import type { TryPlan } from './types.js';

const label = (r: RelationName) => (r.schema ? `${r.schema}.${r.name}` : r.name);
const sqlName = (r: RelationName) => (r.schema ? `${quoteIdent(r.schema)}.${quoteIdent(r.name)}` : quoteIdent(r.name));

/**
 * Apply the schema migrations statement by statement on the empty scratch database. Owners and
 * grants name production's roles, which the scratch database does not have: they are skipped.
 */
export async function buildSchema(client: pg.Client, schema: Migration[]): Promise<void> {
  for (const m of schema) {
    for (const s of m.statements) {
      if (s.control || s.aboutRoles) continue;
      try {
        await client.query(s.sql);
      } catch (err) {
        // A lost connection is not the file's fault: it exits as the server's error.
        if (isConnectionLoss(err)) throw err;
        throw new MigrationFileError(s, `building the schema on an empty database failed: ${(err as Error).message}`);
      }
    }
  }
  // A dump sets search_path to '' and timeouts to 0 for itself: the measured migration runs as the tool's fresh session would.
  await client.query('RESET ALL');
}

/**
 * The tables the measured statements touch, resolved in the built schema: oids in first-touched
 * order. A table the migration itself creates starts empty and is not filled; any other table
 * that does not exist is bad input, named at the statement.
 */
export async function resolveTargets(client: pg.Client, plan: TryPlan): Promise<number[]> {
  const created = new Set(plan.measured.flatMap((m) => m.statements.flatMap((s) => (s.creates ? [label(s.creates)] : []))));
  const oids: number[] = [];
  for (const s of plan.measured.flatMap((m) => m.statements)) {
    for (const t of s.targets) {
      const { rows } = await client.query<{ oid: number | null; kind: string | null }>('SELECT c.oid::int AS oid, c.relkind AS kind FROM pg_class c WHERE c.oid = to_regclass($1)', [sqlName(t)]);
      const found = rows[0];
      if (!found?.oid) {
        if (created.has(label(t))) continue;
        throw new MigrationFileError(s, `table ${label(t)} does not exist: no earlier migration or --schema file creates it`);
      }
      if (!['r', 'p'].includes(found.kind!)) continue;
      if (!oids.includes(found.oid)) oids.push(found.oid);
    }
  }
  if (!oids.length) throw new MigrationFileError(plan.measured[0]!.statements[0]!, 'the measured statements touch no existing table: there is nothing to fill and measure at a size');
  return oids;
}
