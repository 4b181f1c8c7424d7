/** Reading migration folders of each tool's format into statements and transaction groups. */
export { readSources } from './layout.js';
export { parseMigration } from './parse.js';
export { transactionGroups } from './transactions.js';
export { MigrationFileError, where } from './errors.js';
export * from './types.js';
