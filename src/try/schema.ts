import type pg from 'pg';
import { quoteTable } from '../core/identifiers.js';
import { isConnectionLoss } from '../db/errors.js';
import { MigrationFileError, statementKey, type Migration, type RelationName } from '../migrations/index.js';
import type { TryPlan } from './types.js';

const label = (r: RelationName) => (r.schema ? `${r.schema}.${r.name}` : r.name);

/** What to do about an earlier migration's statement the empty scratch database refused, by SQLSTATE. */
export function buildHint(code: string | undefined, key: string): string {
  const skip = `--skip ${key}`;
  // 58P01: an extension's files are missing; 0A000: a feature (or extension) this server lacks.
  if (code === '58P01' || code === '0A000') return `the scratch server lacks it: ${skip} (what it makes will be missing), or --scratch-url a server that has it`;
  // 42704 undefined object (a role, a tablespace, a type), 42P01 table, 42883 function, 3F000 schema: made outside the history.
  if (code === '42704' || code === '42P01' || code === '42883' || code === '3F000') return `it needs something made outside these migrations: --schema a file that makes it, or ${skip}`;
  return `your tool ran it on a database with rows or settings this empty one lacks? ${skip}`;
}

/** --skip keys that name no statement of the schema migrations: bad input, said before anything runs. */
export function unknownSkips(schema: Migration[], skip: ReadonlySet<string>): string[] {
  const keys = new Set(schema.flatMap((m) => m.statements.map(statementKey)));
  return [...skip].filter((k) => !keys.has(k));
}

/**
 * Apply the schema migrations statement by statement on the empty scratch database. Owners and
 * grants name production's roles, which the scratch database does not have: they are skipped, as
 * are the statements --skip names. A refused statement is named with what to do about it.
 */
export async function buildSchema(client: pg.Client, schema: Migration[], skip: ReadonlySet<string> = new Set()): Promise<void> {
  for (const m of schema) {
    for (const s of m.statements) {
      if (s.control || s.aboutRoles || skip.has(statementKey(s))) continue;
      try {
        await client.query(s.sql, s.params);
      } catch (err) {
        // A lost connection is not the file's fault: it exits as the server's error.
        if (isConnectionLoss(err)) throw err;
        const hint = buildHint((err as { code?: string }).code, statementKey(s));
        throw new MigrationFileError(s, `building the schema on an empty database failed: ${(err as Error).message}; ${hint}`);
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
      const { rows } = await client.query<{ oid: number | null; kind: string | null }>('SELECT c.oid::int AS oid, c.relkind AS kind FROM pg_class c WHERE c.oid = to_regclass($1)', [quoteTable(t)]);
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
