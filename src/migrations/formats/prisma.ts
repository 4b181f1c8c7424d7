import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { MigrationTool } from './format.js';
import { findConfigs, findFolders, isDir, onePerFile } from './shared.js';

/**
 * Folder names in Prisma's order: `a.localeCompare(b)`, as strings, not as numbers, so
 * `20250625_x` comes after `20230518191501_init` (prisma/prisma packages/migrate/src/utils/listMigrations.ts,
 * "sorted lexicographically by name"). Prisma compares in the runtime's locale; pinned to English
 * here so pgmb's order does not change from machine to machine.
 */
const prismaOrder = (a: string, b: string) => a.localeCompare(b, 'en');

/** Prisma Config's file names (https://www.prisma.io/docs/orm/reference/prisma-config-reference). */
const CONFIG_FILES = ['prisma.config.ts', 'prisma.config.mts', 'prisma.config.cts', 'prisma.config.js', 'prisma.config.mjs', 'prisma.config.cjs'];

/** A string literal given to `key:` in a config file's text (the file is not evaluated). */
const literal = (text: string, key: string) => new RegExp(`\\b${key}\\s*:\\s*(['"\`])([^'"\`]+)\\1`).exec(text)?.[2];

/**
 * The migrations folder a prisma.config file names: `migrations: { path: '...' }`, else
 * `migrations` beside its `schema` file, each relative to the config file. Only string literals
 * are read (the file is not evaluated): a path built with path.join() is not seen.
 */
function configuredMigrations(configDir: string, text: string): string | undefined {
  const block = /\bmigrations\s*:\s*\{([^}]*)\}/.exec(text)?.[1];
  const path = block === undefined ? undefined : literal(block, 'path');
  if (path) return join(configDir, path);
  const schema = literal(text, 'schema');
  return schema?.endsWith('.prisma') ? join(configDir, dirname(schema), 'migrations') : undefined;
}

/** Prisma: `prisma/migrations/<timestamp>_<name>/migration.sql`, given either folder, in Prisma's folder order (migration_lock.toml is not a migration). */
export const prisma: MigrationTool<'prisma'> = {
  name: 'prisma',
  title: 'Prisma',
  folder(dir) {
    for (const root of [dir, join(dir, 'migrations')]) {
      if (!isDir(root)) continue;
      const folders = readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'migration.sql')))
        .sort(prismaOrder);
      if (folders.length) return folders.map((d) => join(root, d, 'migration.sql'));
    }
    return undefined;
  },
  layoutDecides: true,
  ownsName: (file) => basename(file) === 'migration.sql',
  /** Named by its folder, as _prisma_migrations records it. */
  migrations: onePerFile(({ file }) => basename(dirname(resolve(file)))),
  /** The folder each prisma.config names, and `migrations` beside each schema.prisma. */
  locate(root) {
    const configured = findConfigs(root, CONFIG_FILES).flatMap(({ dir, text }) => configuredMigrations(dir, text) ?? []);
    const beside = findFolders(root, (d) => existsSync(join(d, 'schema.prisma'))).map((d) => join(d, 'migrations'));
    return [...new Set([...configured, ...beside])].filter(isDir);
  },
};
