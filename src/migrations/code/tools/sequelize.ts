import type { CodeTool } from './tool.js';

/** Sequelize (sequelize-cli, umzug): `"SequelizeMeta"(name)`, the file name. */
export const sequelize: CodeTool = { name: 'sequelize', title: 'Sequelize', history: 'SequelizeMeta', bookkeeping: [], nameOf: (r) => r.name ?? undefined };
