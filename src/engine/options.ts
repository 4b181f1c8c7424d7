import { InvalidOptionError } from '../core/errors.js';
import { parseTableName } from '../core/identifiers.js';
import { strategyNamed } from './backfill/strategies/index.js';
import { DEFAULT_BACKFILL, DEFAULT_ENGINE, STRATEGIES, type BackfillOptions, type EngineOptions } from './types.js';

export type EngineOptionsInput = Partial<Omit<EngineOptions, 'backfill'>> & { backfill?: Partial<BackfillOptions> };

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidOptionError(name, `must be a positive integer, got ${value}`);
}

function notNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidOptionError(name, `must be 0 or more, got ${value}`);
}

/** Defaults filled in and every number checked: bad options fail here, before any SQL. */
export function resolveEngineOptions(input: EngineOptionsInput = {}): EngineOptions {
  const backfill: BackfillOptions = { ...DEFAULT_BACKFILL, ...stripUndefined(input.backfill ?? {}) };
  // Vacuum behind the walk is the strategy's default; an unknown strategy gets none, and is refused
  // below with the checks in their order.
  if (input.backfill?.vacuum === undefined) backfill.vacuum = STRATEGIES.includes(backfill.strategy) ? strategyNamed(backfill.strategy).defaultVacuum : 'off';
  const options: EngineOptions = { ...DEFAULT_ENGINE, ...stripUndefined(input), backfill };
  positiveInteger('lockTimeoutMs', options.lockTimeoutMs);
  notNegative('statementTimeoutMs', options.statementTimeoutMs);
  positiveInteger('maxAttempts', options.maxAttempts);
  positiveInteger('batchSize', backfill.batchSize);
  notNegative('delayMs', backfill.delayMs);
  if (backfill.targetBatchMs !== undefined) positiveInteger('targetBatchMs', backfill.targetBatchMs);
  positiveInteger('workers', backfill.workers);
  if (typeof backfill.vacuum === 'number') positiveInteger('vacuum', backfill.vacuum);
  else if (backfill.vacuum !== 'auto' && backfill.vacuum !== 'off') throw new InvalidOptionError('vacuum', `must be auto, off or a number of batches, got ${JSON.stringify(backfill.vacuum)}`);
  if (backfill.workers > 1 && !options.connect) throw new InvalidOptionError('workers', 'parallel workers need a connect() function for their connections');
  if (!STRATEGIES.includes(backfill.strategy)) {
    throw new InvalidOptionError('strategy', `must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(backfill.strategy)}`);
  }
  parseTableName(backfill.stateTable);
  return options;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
