import type pg from 'pg';
import { Catalog } from './catalog.js';
import { operationFor } from './operations/index.js';
import { resolveEngineOptions, type EngineOptionsInput } from './options.js';
import { splitPhases } from './phases.js';
import { preflight } from './preflight.js';
import type { BackfillResult, OperationSpec, PhaseName, Step, StepContext } from './types.js';

export interface MigrationResult {
  phases: { name: PhaseName; ms: number; steps: string[] }[];
  backfills: BackfillResult[];
}

/**
 * Check every operation against the catalog and every privilege it needs (no change is made if any
 * is wrong or missing), then run their
 * steps phase by phase: DDL -> Index -> Data -> Validate. The client must not be in a transaction:
 * concurrent index builds refuse to run inside one, and each step opens its own short ones.
 */
export async function migrate(client: pg.Client, specs: OperationSpec[], input?: EngineOptionsInput): Promise<MigrationResult> {
  const options = resolveEngineOptions(input);
  const catalog = new Catalog(client);
  const steps: Step[] = [];
  for (const spec of specs) for (const step of await operationFor(spec).plan(spec as never, catalog, options)) steps.push(step);
  await preflight(client, [...catalog.requirements, ...(options.requirements ?? [])]);

  const ctx: StepContext = { client, options, emit: (event) => options.onEvent?.(event) };
  const result: MigrationResult = { phases: [], backfills: [] };
  for (const phase of splitPhases(steps)) {
    ctx.emit({ type: 'phase-start', phase: phase.name, steps: phase.steps.length });
    const t0 = performance.now();
    for (const step of phase.steps) {
      ctx.emit({ type: 'step', phase: phase.name, description: step.description, skip: step.skip });
      const outcome = await step.run(ctx);
      if (outcome) result.backfills.push(outcome);
    }
    const ms = performance.now() - t0;
    ctx.emit({ type: 'phase-end', phase: phase.name, ms });
    result.phases.push({ name: phase.name, ms, steps: phase.steps.map((s) => s.description) });
  }
  return result;
}
