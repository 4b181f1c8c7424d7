import { InputError } from '../../core/errors.js';
import type { OperationSpec } from '../types.js';
import { addColumn } from './add-column.js';
import { backfill } from './backfill.js';
import { createIndex } from './create-index.js';
import { dropColumn } from './drop-column.js';
import type { Operation } from './operation.js';
import { renameColumn } from './rename-column.js';
import { setNotNull } from './set-not-null.js';

const OPERATIONS: { [K in OperationSpec['op']]: Operation<Extract<OperationSpec, { op: K }>> } = {
  'add-column': addColumn,
  'drop-column': dropColumn,
  'rename-column': renameColumn,
  'create-index': createIndex,
  'set-not-null': setNotNull,
  backfill,
};

export function operationFor(spec: OperationSpec): Operation {
  const op = OPERATIONS[spec.op as OperationSpec['op']] as Operation | undefined;
  if (!op) throw new InputError('UNKNOWN_OPERATION', `unknown operation ${JSON.stringify((spec as { op: unknown }).op)}`);
  return op;
}
