import type pg from 'pg';
import type { Requirement } from './catalog.js';
import { MissingPrivilegesError } from '../core/errors.js';
import { parseTableName, quoteIdent, quoteTable } from '../core/identifiers.js';
import { listLeaves } from './relations.js';

/** One privilege missing, and the GRANT that gives it or the option that avoids needing it. */
export interface Missing {
  need: string;
  fix: string;
}

async function one<T>(client: pg.Client, sql: string, params: unknown[]): Promise<T> {
  return (await client.query(sql, params)).rows[0] as T;
}

/** Who we are, for the GRANTs we print. */
async function me(client: pg.Client): Promise<string> {
  return (await one<{ u: string }>(client, 'SELECT current_user::text AS u', [])).u;
}

/** Can this role read standbys' lag (superuser, pg_read_all_stats or pg_monitor)? */
export async function seesReplicationStats(client: pg.Client): Promise<boolean> {
  return (await one<{ ok: boolean }>(client, "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS ok FROM pg_roles WHERE rolname = current_user", [])).ok;
}

/** The schema an unqualified CREATE TABLE would use, if any, and whether we may create there. */
async function creatableSchema(client: pg.Client, schema?: string): Promise<{ schema: string | null; ok: boolean }> {
  return one(
    client,
    `SELECT s AS schema,
            CASE WHEN EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s) THEN has_schema_privilege(s, 'CREATE') ELSE false END AS ok
       FROM (SELECT coalesce($1::text, current_schema())::text AS s) x`,
    [schema ?? null],
  );
}

async function check(client: pg.Client, r: Requirement, user: string): Promise<Missing[]> {
  const role = quoteIdent(user);
  switch (r.kind) {
    case 'owner': {
      const { ok, owner } = await one<{ ok: boolean; owner: string }>(client, "SELECT pg_has_role(relowner, 'USAGE') AS ok, relowner::regrole::text AS owner FROM pg_class WHERE oid = $1", [
        r.table.oid,
      ]);
      return ok ? [] : [{ need: `${r.why} on ${r.table.sql} needs its owner, ${owner}`, fix: `run as ${owner}, or GRANT ${owner} TO ${role}` }];
    }
    case 'write': {
      const missing: Missing[] = [];
      for (const leaf of await listLeaves(client, r.table.oid)) {
        const { sel, upd } = await one<{ sel: boolean; upd: boolean }>(
          client,
          // A column the same migration adds does not exist yet: then the table's own UPDATE privilege.
          `SELECT has_table_privilege($1::oid, 'SELECT') AS sel,
                  CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = $1 AND attname = $2 AND NOT attisdropped)
                       THEN has_column_privilege($1::oid, $2, 'UPDATE') ELSE has_table_privilege($1::oid, 'UPDATE') END AS upd`,
          [leaf.oid, r.column],
        );
        const lacking = [...(sel ? [] : ['SELECT']), ...(upd ? [] : ['UPDATE'])];
        if (lacking.length === 0) continue;
        const direct = leaf.oid === r.table.oid ? '' : ` (a partition or child of ${r.table.sql}: the backfill updates it directly, so a grant on the parent alone does not reach it)`;
        missing.push({ need: `${lacking.join(' and ')} on ${leaf.sql}${direct}`, fix: `GRANT ${lacking.join(', ')} ON ${leaf.sql} TO ${role}` });
      }
      return missing;
    }
    case 'state-table': {
      const ref = parseTableName(r.name);
      const qualified = quoteTable(ref);
      const existing = await one<{ oid: number | null }>(client, 'SELECT to_regclass($1)::oid::int AS oid', [qualified]);
      if (existing.oid !== null) {
        const { ok } = await one<{ ok: boolean }>(client, "SELECT has_table_privilege($1::oid, 'SELECT, INSERT, UPDATE, DELETE') AS ok", [existing.oid]);
        if (ok) return [];
        return [
          { need: `SELECT, INSERT, UPDATE, DELETE on the checkpoint table ${qualified}`, fix: `GRANT SELECT, INSERT, UPDATE, DELETE ON ${qualified} TO ${role}, or --state-table <a table of yours>` },
        ];
      }
      const s = await creatableSchema(client, ref.schema);
      if (s.ok) return [];
      const where = s.schema ? `schema ${quoteIdent(s.schema)}` : 'a schema on the search_path (none exists)';
      return [
        {
          need: `CREATE on ${where}, for the checkpoint table ${qualified}`,
          fix: `${s.schema ? `GRANT CREATE ON SCHEMA ${quoteIdent(s.schema)} TO ${role}, or ` : ''}--state-table myschema.pgmb_backfill_state (a schema where you may create tables)`,
        },
      ];
    }
    case 'create-table': {
      const s = await creatableSchema(client);
      if (s.ok) return [];
      return [
        {
          need: `CREATE on ${s.schema ? `schema ${quoteIdent(s.schema)}` : 'a schema on the search_path'}, for ${r.why}`,
          fix: `${s.schema ? `GRANT CREATE ON SCHEMA ${quoteIdent(s.schema)} TO ${role}, or ` : ''}${r.avoid}`,
        },
      ];
    }
    case 'replication-stats':
      return (await seesReplicationStats(client)) ? [] : [{ need: `standbys' replay lag (pg_stat_replication), for ${r.why}`, fix: `GRANT pg_monitor TO ${role}, or ${r.avoid}` }];
  }
}

/** Every requirement checked; all that are missing are reported at once, before anything runs. */
export async function preflight(client: pg.Client, requirements: readonly Requirement[]): Promise<void> {
  const user = await me(client);
  const missing: Missing[] = [];
  const seen = new Set<string>();
  for (const r of requirements) {
    for (const m of await check(client, r, user)) {
      if (seen.has(m.need)) continue;
      seen.add(m.need);
      missing.push(m);
    }
  }
  if (missing.length) throw new MissingPrivilegesError(user, missing);
}
