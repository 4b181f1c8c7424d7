import type { Catalog } from '../catalog.js';
import type { EngineOptions, OperationSpec, PhaseName, Step } from '../types.js';

/**
 * One schema change, pgroll-style: it checks its input against the catalog (recording its effect
 * there, so later operations see the schema as it will be), and returns its steps, each tagged
 * with a phase. plan() runs no SQL that changes anything.
 */
export interface Operation<S extends OperationSpec = OperationSpec> {
  plan(spec: S, catalog: Catalog, options: EngineOptions): Promise<Step[]>;
}

/** A step with nothing to do, saying why (a rerun of a change already applied). */
export function skipped(phase: PhaseName, reason: string): Step {
  return { phase, description: reason, skip: reason, run: async () => undefined };
}
