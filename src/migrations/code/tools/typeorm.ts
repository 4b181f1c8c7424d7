import type { CodeTool } from './tool.js';

/** TypeORM: `migrations(timestamp, name)`, the class name; `typeorm_metadata` holds views and generated columns. */
export const typeorm: CodeTool = { name: 'typeorm', title: 'TypeORM', history: 'migrations', bookkeeping: ['typeorm_metadata'], nameOf: (r) => r.name ?? undefined };
