import test from 'ava';
import { splitPhases } from '../../src/engine/phases.js';
import type { PhaseName, Step } from '../../src/engine/types.js';

const step = (phase: PhaseName, description: string): Step => ({ phase, description, run: async () => undefined });

test('steps are ordered DDL -> Index -> Data -> Validate, keeping operation order within a phase', (t) => {
  const phases = splitPhases([step('validate', 'nn a'), step('data', 'fill a'), step('ddl', 'add a'), step('index', 'idx a'), step('ddl', 'add b'), step('data', 'fill b')]);
  t.deepEqual(
    phases.map((p) => [p.name, p.steps.map((s) => s.description)]),
    [
      ['ddl', ['add a', 'add b']],
      ['index', ['idx a']],
      ['data', ['fill a', 'fill b']],
      ['validate', ['nn a']],
    ],
  );
});

test('empty phases are left out', (t) => {
  t.deepEqual(
    splitPhases([step('data', 'x')]).map((p) => p.name),
    ['data'],
  );
  t.deepEqual(splitPhases([]), []);
});
