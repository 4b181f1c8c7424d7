import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { MigrationTool } from './format.js';
import { byName, onePerFile } from './shared.js';

/** Prisma: `prisma/migrations/<timestamp>_<name>/migration.sql`, given either folder, in folder name order. */
export const prisma: MigrationTool<'prisma'> = {
  name: 'prisma',
  title: 'Prisma',
  folder(dir) {
    for (const root of [dir, join(dir, 'migrations')]) {
      if (!existsSync(root) || !statSync(root).isDirectory()) continue;
      const folders = readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'migration.sql')))
        .sort(byName);
      if (folders.length) return folders.map((d) => join(root, d, 'migration.sql'));
    }
    return undefined;
  },
  layoutDecides: true,
  ownsName: (file) => basename(file) === 'migration.sql',
  /** Named by its folder, as _prisma_migrations records it. */
  migrations: onePerFile(({ file }) => basename(dirname(resolve(file)))),
};
