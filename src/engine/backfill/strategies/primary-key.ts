import { NoPrimaryKeyError } from '../../../core/errors.js';
import { quoteIdent } from '../../../core/identifiers.js';
import type { Leaf } from '../../relations.js';
import type { BackfillTarget } from '../strategy.js';

export interface PrimaryKeySql {
  /** `"a", "b"` */
  list: string;
  /**
   * `"a"::text AS k0, ...`: the key read back losslessly, to be bound again. The aliases matter:
   * an output column named like the key would make ORDER BY sort by the text, not the key.
   */
  asText: string;
  /** `($2::uuid, $3::int)`: the key as bound parameters, numbered from `first`. */
  params(first: number): string;
}

/** A leaf's primary key as SQL pieces, or a clear refusal for strategies that need one. */
export function primaryKeySql(target: BackfillTarget, leaf: Leaf, strategy: string): PrimaryKeySql {
  const pk = leaf.primaryKey;
  if (pk.length === 0) throw new NoPrimaryKeyError(leaf.sql, strategy);
  const types = pk.map((c) => target.table.columns.get(c)!.type);
  return {
    list: pk.map(quoteIdent).join(', '),
    asText: pk.map((c, i) => `${quoteIdent(c)}::text AS k${i}`).join(', '),
    params: (first) => `(${types.map((t, i) => `$${first + i}::${t}`).join(', ')})`,
  };
}
