import type { Location } from './types.js';

/** `file:line:col`: where a problem is, as editors and compilers print it. */
export const where = (l: Location) => `${l.file}:${l.line}:${l.col}`;

/** `file:line`: a statement's name in verdicts, CSV cases, lint findings and annotations. */
export const statementKey = (l: Location) => `${l.file}:${l.line}`;
