import { relative } from 'node:path';
import { InputError } from '../core/errors.js';
import { TOOLS, type MigrationFormat, type MigrationTool } from './formats/index.js';
import { isDir } from './formats/shared.js';

/** One tool's migration folders under a project root. */
export interface FoundTool {
  tool: MigrationTool<MigrationFormat>;
  dirs: string[];
}

/**
 * The migration folders under a project root, by each tool's own configuration and conventions
 * (its `locate`), each confirmed by the tool's own layout where it has one. `only` (--tool) asks
 * that tool alone.
 */
export function discover(root: string, only?: MigrationFormat): FoundTool[] {
  const found: FoundTool[] = [];
  // A folder two tools locate is the first's in registry order, as when it is given directly (openmeter's atlas.sum over golang-migrate names).
  const taken = new Set<string>();
  for (const tool of TOOLS) {
    if (only && tool.name !== only) continue;
    const dirs = [...new Set(tool.locate?.(root) ?? [])].filter((d) => !taken.has(d) && isDir(d) && (!tool.folder || tool.folder(d) !== undefined));
    for (const d of dirs) taken.add(d);
    if (dirs.length) found.push({ tool, dirs });
  }
  return found;
}

/**
 * The one tool whose history a project root holds: none found or two tools found is bad input,
 * said in one line before anything runs (with what to pass instead).
 */
export function oneTool(root: string, found: FoundTool[], cwd: string): FoundTool {
  const shown = (d: string) => relative(cwd, d) || '.';
  if (found.length === 1) return found[0]!;
  if (!found.length) {
    const looked = TOOLS.filter((t) => t.locate).map((t) => t.title);
    throw new InputError('NO_MIGRATIONS', `no migrations found under ${shown(root)}: looked for ${looked.join(', ')}; give the migrations folder, or --tool NAME`);
  }
  const list = found.map((f) => `${f.tool.name} (${f.dirs.map(shown).join(', ')})`).join('; ');
  throw new InputError('SEVERAL_TOOLS', `${shown(root)} holds migrations of ${found.length} tools: ${list}; give one folder, or --tool NAME`);
}
