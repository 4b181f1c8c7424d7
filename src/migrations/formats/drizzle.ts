import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MigrationFileError } from '../errors.js';
import type { MigrationTool } from './format.js';
import { findConfigs, findFolders, isDir, lineOf, onePerFile, sqlFiles } from './shared.js';

/** drizzle-kit's config file names (https://orm.drizzle.team/docs/drizzle-config-file). */
const CONFIG_FILES = ['drizzle.config.ts', 'drizzle.config.mts', 'drizzle.config.cts', 'drizzle.config.js', 'drizzle.config.mjs', 'drizzle.config.cjs', 'drizzle.config.json'];

/**
 * The folder a drizzle config names as `out`, relative to it; `drizzle` when it names none (the
 * documented default). The file is not evaluated: `out` must be a string literal.
 */
const outFolder = (configDir: string, text: string) => join(configDir, /["']?\bout["']?\s*:\s*(['"`])([^'"`]+)\1/.exec(text)?.[2] ?? 'drizzle');

/**
 * The migrations in journal order: drizzle-orm's migrator runs `<tag>.sql` for each entry of
 * meta/_journal.json in turn and fails on a missing file (drizzle-orm/src/migrator.ts
 * readMigrationFiles); a journal without entries leaves the file names to say.
 */
function journalFiles(dir: string): string[] {
  const journal = join(dir, 'meta', '_journal.json');
  const text = readFileSync(journal, 'utf8');
  let entries: unknown;
  try {
    entries = (JSON.parse(text) as { entries?: unknown }).entries;
  } catch (err) {
    throw new MigrationFileError({ file: journal, line: 1, col: 1 }, `not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(entries)) return sqlFiles(dir);
  return entries.map((entry: { tag?: unknown }) => {
    const file = join(dir, `${String(entry.tag)}.sql`);
    const at = text.indexOf(`"${String(entry.tag)}"`);
    if (!existsSync(file))
      throw new MigrationFileError(
        { file: journal, line: at < 0 ? 1 : lineOf(text, at), col: 1 },
        `journal entry "${String(entry.tag)}" has no ${basename(file)} beside meta/: drizzle's migrator stops there`,
      );
    return file;
  });
}

/**
 * Drizzle: NNNN_name.sql beside meta/_journal.json, in the journal's order, statements separated by
 * `--> statement-breakpoint` comments (the parser splits them anyway). In its folder a file's own markers still win.
 */
export const drizzle: MigrationTool<'drizzle'> = {
  name: 'drizzle',
  title: 'Drizzle',
  folder: (dir) => (existsSync(join(dir, 'meta', '_journal.json')) ? journalFiles(dir) : undefined),
  layoutDecides: false,
  claim: (text) => (/^--> statement-breakpoint/m.test(text) ? 'marker' : undefined),
  /** Named by the file without .sql: the `tag` in meta/_journal.json. */
  migrations: onePerFile(({ file }) => basename(file, '.sql')),
  /** The `out` folder of each drizzle config, and any folder holding meta/_journal.json. */
  locate(root) {
    const configured = findConfigs(root, CONFIG_FILES).map(({ dir, text }) => outFolder(dir, text));
    const journaled = findFolders(root, (d) => existsSync(join(d, 'meta', '_journal.json')));
    return [...new Set([...configured.filter(isDir), ...journaled])];
  },
};
