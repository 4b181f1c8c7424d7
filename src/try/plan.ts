import { InputError } from '../core/errors.js';
import { shapeLabel } from '../fixtures/shape/ddl.js';
import type { ShapeFile } from '../fixtures/shape/types.js';
import { MigrationFileError, parseMigration, readHistory, readSources, transactionGroups, type Migration } from '../migrations/index.js';
import { resolve } from 'node:path';
import { changedFiles } from './changed-files.js';
import { unknownSkips } from './schema.js';
import type { TryOptions, TryPlan, TryTarget } from './types.js';

/** A glob as a regular expression's body: `*` within a path segment, `**` across them, `?` one character. */
function globBody(glob: string): string {
  const segment = (part: string) =>
    part
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
  return glob.split('**').map(segment).join('.*');
}

/** Whether a migration is the one a user named: its name as its tool names it (a Prisma folder, `V74`, a Sqitch change), or a glob over that name or its path. */
export function migrationMatcher(pattern: string): (m: Pick<Migration, 'path' | 'name'>) => boolean {
  const body = globBody(pattern);
  const byPath = new RegExp(`(^|/)${body}$`);
  const byName = new RegExp(`^${body}$`);
  return (m) => m.name === pattern || byName.test(m.name) || byPath.test(m.path);
}

/** Indexes of the migrations `pattern` names; bad input when none. */
function matching(all: Migration[], pattern: string, option: string): number[] {
  const hit = migrationMatcher(pattern);
  const hits = all.flatMap((m, i) => (hit(m) ? [i] : []));
  if (hits.length) return hits;
  const names = all.map((m) => m.name);
  const shown = names.length > 8 ? `${names.slice(0, 3).join(', ')}, ... ${names.slice(-3).join(', ')}` : names.join(', ');
  throw new InputError('NOTHING_TO_MEASURE', `${option} ${pattern} matches no migration's name or path (${names.length} migrations: ${shown})`);
}

/**
 * The measured slice [first, last) of the migrations: --measure, the range --measure-from ..
 * --measure-to, or from the first to the last migration whose file `changed` holds (--changed-since;
 * an empty slice when none did).
 */
export function measuredRange(all: Migration[], options: Pick<TryOptions, 'measure' | 'measureFrom' | 'measureTo'>, changed?: ReadonlySet<string>): [number, number] {
  const { measure, measureFrom, measureTo } = options;
  if (changed) {
    const hits = all.flatMap((m, i) => (changed.has(resolve(m.path)) ? [i] : []));
    return hits.length ? [hits[0]!, hits.at(-1)! + 1] : [all.length, all.length];
  }
  if (measureFrom !== undefined || measureTo !== undefined) {
    const first = measureFrom === undefined ? 0 : matching(all, measureFrom, '--measure-from')[0]!;
    const last = measureTo === undefined ? all.length : matching(all, measureTo, '--measure-to').at(-1)! + 1;
    if (last <= first) throw new InputError('NOTHING_TO_MEASURE', `--measure-to ${measureTo} comes before --measure-from ${measureFrom} in the history`);
    return [first, last];
  }
  if (measure === 'last') return [all.length - 1, all.length];
  if (measure === 'all') return [0, all.length];
  const hits = matching(all, measure, '--measure');
  return [hits[0]!, hits.at(-1)! + 1];
}

/**
 * Read and parse everything before any SQL runs (every problem here exits 2 with file:line), and
 * split the migrations: the measured ones run on the schema the earlier ones (and --schema) build.
 */
export async function planTry(options: Pick<TryOptions, 'paths' | 'schema' | 'measure' | 'measureFrom' | 'measureTo' | 'changedSince' | 'transaction' | 'shape' | 'read' | 'skip'>): Promise<TryPlan> {
  const read = options.read ?? {};
  const extra = await Promise.all(readSources(options.schema, { placeholders: read.placeholders }).map(parseMigration));
  const history = readHistory(options.paths, read);
  const all = await Promise.all(history.sources.map(parseMigration));
  const changed = options.changedSince === undefined ? undefined : changedFiles(options.paths[0] ?? '.', options.changedSince);
  const [first, last] = measuredRange(all, options, changed);
  const measured = all.slice(first, last);
  if (!measured.length) return { schema: [], notApplied: [], measured, readAs: history.readAs, notes: history.notes, groups: [] };
  const statements = measured.flatMap((m) => m.statements.filter((s) => !s.control));
  if (!statements.length) throw new MigrationFileError({ file: measured[0]!.path, line: 1, col: 1 }, 'no statements to measure in this migration');
  const earlier = all.slice(0, first);
  const schema = options.shape ? extra : [...extra, ...earlier];
  const unknown = unknownSkips(schema, options.skip ?? new Set());
  if (unknown.length) throw new InputError('UNKNOWN_SKIP', `--skip ${unknown.join(', ')}: no statement of the migrations that build the schema starts there (give FILE:LINE as errors print it)`);
  return {
    schema,
    notApplied: options.shape ? earlier : [],
    measured,
    readAs: history.readAs,
    notes: history.notes,
    groups: transactionGroups(measured, options.transaction),
  };
}

/** The target size a shape gives: the largest production table the measured statements touch. */
export function shapeTarget(plan: TryPlan, shape: ShapeFile): { rows: number; table: string } | undefined {
  const touched = new Set(plan.measured.flatMap((m) => m.statements.flatMap((s) => s.targets.map((t) => `${t.schema ?? 'public'}.${t.name}`))));
  const tables = shape.tables.filter((t) => touched.has(shapeLabel(t))).sort((a, b) => b.rows - a.rows);
  return tables[0] && { rows: tables[0].rows, table: shapeLabel(tables[0]) };
}

/** The size the verdict is for: --target-rows, else the shape's largest touched table (once the plan is known), else the largest size. */
export function tryTarget(plan: TryPlan | undefined, options: Pick<TryOptions, 'targetRows' | 'shape' | 'sizes'>): TryTarget {
  if (options.targetRows !== undefined) return { rows: options.targetRows, from: '--target-rows' };
  const fromShape = plan && options.shape && shapeTarget(plan, options.shape);
  if (fromShape) return { rows: fromShape.rows, from: `reltuples of ${fromShape.table}` };
  return { rows: options.sizes[options.sizes.length - 1]!, from: 'largest size' };
}
