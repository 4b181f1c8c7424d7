import type { Strategy } from '../strategy.js';
import { classicStrategy } from './classic.js';
import { ctidStrategy } from './ctid.js';
import { keysetStrategy } from './keyset.js';

/**
 * Every backfill strategy, one line each, in the order people see them (--strategy's help, the
 * bench's runs). What a strategy needs and defaults to is in its own file; every list of names
 * (StrategyName, STRATEGIES, the bench's and its CSV's) is made from this one.
 */
const REGISTRY = [ctidStrategy, keysetStrategy, classicStrategy] as const;

export type StrategyName = (typeof REGISTRY)[number]['name'];
export const STRATEGIES: readonly StrategyName[] = REGISTRY.map((s) => s.name);

/** The strategy of a name (options are checked against STRATEGIES before they get here). */
export function strategyNamed(name: StrategyName): Strategy<StrategyName> {
  return REGISTRY.find((s) => s.name === name)!;
}
