import { relative } from 'node:path';
import { InputError } from '../core/errors.js';
import { TOOLS, type MigrationFormat, type MigrationTool } from './formats/index.js';
import { isDir, sqlFiles } from './formats/shared.js';

/** One migration history under a project root: its tool, the folders read together as one, and their files as the tool lists them. */
export interface FoundHistory {
  tool: MigrationTool<MigrationFormat>;
  dirs: string[];
  files: string[];
}

/**
 * The migration histories under a project root, by each tool's own configuration and conventions
 * (its `locate` or `histories`), each folder confirmed by the tool's own layout where it has one. A
 * folder two tools find is the first's in registry order, as when it is given directly (openmeter's
 * atlas.sum over golang-migrate names). `only` (--tool) asks that tool alone.
 */
export function discover(root: string, only?: MigrationFormat): FoundHistory[] {
  const found: FoundHistory[] = [];
  const taken = new Set<string>();
  for (const tool of TOOLS) {
    if (only && tool.name !== only) continue;
    const histories = tool.histories?.(root) ?? (tool.locate?.(root) ?? []).map((d) => [d]);
    for (const candidate of histories) {
      // Each folder listed once: its listing is both the confirmation and the files read.
      const listed = [...new Set(candidate)]
        .filter((d) => !taken.has(d) && isDir(d))
        .map((dir) => ({ dir, files: tool.folder ? tool.folder(dir) : sqlFiles(dir) }))
        .filter((l): l is { dir: string; files: string[] } => l.files !== undefined);
      for (const l of listed) taken.add(l.dir);
      if (listed.length) found.push({ tool, dirs: listed.map((l) => l.dir), files: listed.flatMap((l) => l.files) });
    }
  }
  return found;
}

/**
 * The one history a project root holds: none found, or several (two tools', or two services' of one
 * tool), is bad input said in one line before anything runs, with what to pass instead.
 */
export function oneHistory(root: string, found: FoundHistory[], cwd: string): FoundHistory {
  const shown = (d: string) => relative(cwd, d) || '.';
  if (found.length === 1) return found[0]!;
  if (!found.length) {
    const looked = TOOLS.filter((t) => t.locate || t.histories).map((t) => t.title);
    throw new InputError('NO_MIGRATIONS', `no migrations found under ${shown(root)}: looked for ${looked.join(', ')}; give the migrations folder, or --tool NAME`);
  }
  const list = found.map((f) => `${f.tool.name} (${f.dirs.map(shown).join(', ')})`).join('; ');
  const tools = new Set(found.map((f) => f.tool)).size;
  const what = tools > 1 ? `migrations of ${tools} tools` : `${found.length} migration histories`;
  throw new InputError('SEVERAL_HISTORIES', `${shown(root)} holds ${what}: ${list}; give one folder${tools > 1 ? ', or --tool NAME' : ''}`);
}
