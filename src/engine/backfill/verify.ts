import { listLeaves } from '../relations.js';
import type { BackfillResult } from '../types.js';
import type { BackfillRun } from './run.js';
import { shortRead } from './short-read.js';
import { stillNull } from './strategy.js';
import type { Sweep } from './sweep.js';

export type WhatIsLeft = Pick<BackfillResult, 'nullsLeft' | 'nullsByRelation' | 'lateRelations'>;

/**
 * Done is counted, not assumed: per leaf, NULLs among the row versions older than the sweep's
 * start, plus rows the sweep itself wrote and something (a trigger, a rule) left NULL. Rows the
 * application wrote since are its own. Leaves that joined the tree after the sweep began are named.
 */
export async function verify(run: BackfillRun, swept: Sweep): Promise<WhatIsLeft> {
  const { ctx, target } = run;
  const nullsByRelation: BackfillResult['nullsByRelation'] = [];
  for (const leaf of swept.leaves) {
    const nulls = await shortRead(ctx, `count what is left in ${leaf.sql}`, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ONLY ${leaf.sql}
            WHERE ${stillNull(target)} AND (age(xmin) > age($1::xid) OR xmin = ANY($2::xid[]))`,
        [swept.horizon, swept.xids],
      );
      return rows[0]!.n;
    });
    if (nulls > 0) nullsByRelation.push({ relation: leaf.sql, nulls });
  }
  const nullsLeft = nullsByRelation.reduce((n, r) => n + r.nulls, 0);
  const lateRelations = (await listLeaves(ctx.client, target.table.oid)).filter((l) => !swept.leaves.some((s) => s.oid === l.oid)).map((l) => l.sql);
  return { nullsLeft, nullsByRelation, lateRelations };
}
