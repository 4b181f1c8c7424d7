/** Reading migration folders of each tool's format into statements and transaction groups. */
export { readHistory, readSources, type History, type ReadHistoryOptions } from './layout.js';
export { FORMAT_TITLES } from './formats/index.js';
export { parseMigration } from './parse.js';
export { transactionGroups } from './transactions.js';
export { MigrationFileError } from './errors.js';
export { keyLocation, statementKey, where } from './location.js';
export * from './types.js';
