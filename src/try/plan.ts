import { InputError } from '../core/errors.js';
import { shapeLabel } from '../fixtures/shape/ddl.js';
import type { ShapeFile } from '../fixtures/shape/types.js';
import { MigrationFileError, parseMigration, readSources, transactionGroups } from '../migrations/index.js';
import type { TryOptions, TryPlan, TryTarget } from './types.js';

/** `*` within a path segment, `**` across them, `?` one character. */
function globRegExp(glob: string): RegExp {
  const segment = (part: string) =>
    part
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]');
  return new RegExp(`(^|/)${glob.split('**').map(segment).join('.*')}$`);
}

/** The measured slice [first, last) of the migrations, as --measure says. */
function measuredRange(paths: string[], measure: string): [number, number] {
  if (measure === 'last') return [paths.length - 1, paths.length];
  if (measure === 'all') return [0, paths.length];
  const re = globRegExp(measure);
  const hits = paths.map((p, i) => (re.test(p) ? i : -1)).filter((i) => i >= 0);
  if (!hits.length) throw new InputError('NOTHING_TO_MEASURE', `--measure ${measure} matches none of: ${paths.join(', ')}`);
  return [hits[0]!, hits[hits.length - 1]! + 1];
}

/**
 * Read and parse everything before any SQL runs (every problem here exits 2 with file:line), and
 * split the migrations: the measured ones run on the schema the earlier ones (and --schema) build.
 */
export async function planTry(options: Pick<TryOptions, 'paths' | 'schema' | 'measure' | 'transaction' | 'shape'>): Promise<TryPlan> {
  const extra = await Promise.all(readSources(options.schema).map(parseMigration));
  const all = await Promise.all(readSources(options.paths).map(parseMigration));
  const [first, last] = measuredRange(
    all.map((m) => m.path),
    options.measure,
  );
  const measured = all.slice(first, last);
  const statements = measured.flatMap((m) => m.statements.filter((s) => !s.control));
  if (!statements.length) throw new MigrationFileError({ file: measured[0]!.path, line: 1, col: 1 }, 'no statements to measure in this migration');
  const earlier = all.slice(0, first);
  return {
    schema: options.shape ? extra : [...extra, ...earlier],
    notApplied: options.shape ? earlier : [],
    measured,
    groups: transactionGroups(measured, options.transaction),
  };
}

/** The target size a shape gives: the largest production table the measured statements touch. */
export function shapeTarget(plan: TryPlan, shape: ShapeFile): { rows: number; table: string } | undefined {
  const touched = new Set(plan.measured.flatMap((m) => m.statements.flatMap((s) => s.targets.map((t) => `${t.schema ?? 'public'}.${t.name}`))));
  const tables = shape.tables.filter((t) => touched.has(shapeLabel(t))).sort((a, b) => b.rows - a.rows);
  return tables[0] && { rows: tables[0].rows, table: shapeLabel(tables[0]) };
}

/** The size the verdict is for: --target-rows, else the shape's largest touched table, else the largest size. */
export function tryTarget(plan: TryPlan, options: Pick<TryOptions, 'targetRows' | 'shape' | 'sizes'>): TryTarget {
  if (options.targetRows !== undefined) return { rows: options.targetRows, from: '--target-rows' };
  const fromShape = options.shape && shapeTarget(plan, options.shape);
  if (fromShape) return { rows: fromShape.rows, from: `reltuples of ${fromShape.table}` };
  return { rows: options.sizes[options.sizes.length - 1]!, from: 'largest size' };
}
