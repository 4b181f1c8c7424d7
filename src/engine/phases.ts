import { PHASE_ORDER, type PhaseName, type Step } from './types.js';

export interface Phase {
  name: PhaseName;
  steps: Step[];
}

/**
 * Order steps into DDL -> Index -> Data -> Validate. Within a phase, steps keep the order of
 * their operations. Empty phases are left out.
 */
export function splitPhases(steps: readonly Step[]): Phase[] {
  return PHASE_ORDER.map((name) => ({ name, steps: steps.filter((s) => s.phase === name) })).filter((phase) => phase.steps.length > 0);
}
