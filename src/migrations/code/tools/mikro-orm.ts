import type { CodeTool } from './tool.js';

/** MikroORM: `mikro_orm_migrations(name, executed_at)`, the class or file name. */
export const mikroOrm: CodeTool = { name: 'mikro-orm', title: 'MikroORM', history: 'mikro_orm_migrations', bookkeeping: [], nameOf: (r) => r.name ?? undefined };
