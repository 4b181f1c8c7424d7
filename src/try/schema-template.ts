import { createHash } from 'node:crypto';
import { createScratchDatabase, databaseExists, keepAsTemplate, TEMPLATE_PREFIX } from '../db/scratch.js';
import { connect, withClient } from '../db/connect.js';
import { buildShapeTables, shapeTablesOf, type BuiltShapes } from '../fixtures/shape/build.js';
import type { Reporter } from '../measure/reporter.js';
import { gitSha, packageVersion } from '../results/metadata.js';
import { buildSchema } from './schema.js';
import type { TryOptions, TryPlan } from './types.js';

/** A history's schema, built once on this server: cloned for every size (CREATE DATABASE ... TEMPLATE). */
export interface SchemaTemplate {
  name: string;
  /** The shape's tables as built, for the fill's statistics. */
  shapes?: BuiltShapes['tables'];
}

/** The content the build depends on: every schema statement, what is skipped, the shape, and pgmb's version (how it builds). */
function buildHash(plan: TryPlan, options: Pick<TryOptions, 'shape' | 'skip'>, version: string): string {
  const h = createHash('sha256').update(version);
  for (const m of plan.schema) for (const s of m.statements) h.update(`\0${s.sql}${s.params ? JSON.stringify(s.params) : ''}`);
  h.update(`\0skip:${[...(options.skip ?? [])].sort().join(',')}`);
  if (options.shape) h.update(`\0shape:${JSON.stringify(options.shape)}`);
  return h.digest('hex').slice(0, 16);
}

/**
 * The template holding the schema the measured migrations run on: reused when this server already
 * has the build of the same content (a persistent server: a second try does not rebuild it), else
 * built in a scratch database and kept under its content hash once complete.
 */
export async function schemaTemplate(url: string, plan: TryPlan, options: Pick<TryOptions, 'shape' | 'skip'>, reporter: Reporter): Promise<SchemaTemplate> {
  const name = `${TEMPLATE_PREFIX}${buildHash(plan, options, `${packageVersion()}+${gitSha()}`)}`;
  const shapes = options.shape && shapeTablesOf(options.shape.tables);
  for (const line of shapes ? shapes.leftOut : []) reporter.log(`shape: left out ${line}`);
  const statements = plan.schema.reduce((n, m) => n + m.statements.length, 0);
  if (await withClient(url, (c) => databaseExists(c, name))) {
    reporter.log(`schema: the build of these ${plan.schema.length} migration(s) made earlier on this server is reused (${name})`);
    return { name, shapes: shapes?.tables };
  }
  const scratch = await createScratchDatabase(url);
  const started = performance.now();
  try {
    const client = await connect(scratch.url, 'pgmb-try');
    try {
      // The work counters read pg_stat_statements, where the server has it loaded.
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
      if (options.shape) await buildShapeTables(client, options.shape, options.shape.tables);
      await buildSchema(client, plan.schema, options.skip);
    } finally {
      await client.end();
    }
    await keepAsTemplate(url, scratch, name);
  } catch (err) {
    await scratch.drop();
    throw err;
  }
  reporter.log(`schema: ${plan.schema.length} migration(s), ${statements} statement(s) built in ${Math.round(performance.now() - started)} ms`);
  return { name, shapes: shapes?.tables };
}
