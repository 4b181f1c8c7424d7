import test from 'ava';
import { bounded, checkBounds } from '../../src/fixtures/check-bounds.js';

const integral = (c: string) => ['qty', 'age', 'x'].includes(c);

test('simple CHECK constraints, as pg_get_constraintdef prints them, become bounds per column', async (t) => {
  const b = await checkBounds(
    [
      'CHECK ((price > (0)::numeric))',
      "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))",
      'CHECK ((length(code) <= 3))',
      'CHECK (((age >= 18) AND (age <= 150)))',
      "CHECK ((('-5'::integer < x) AND (x < 5))) NOT VALID",
      'CHECK ((qty > 0))',
      'CHECK (((a < b) OR (b IS NULL)))',
    ],
    integral,
  );
  t.deepEqual(b.get('price'), { min: 0.01 });
  t.deepEqual(b.get('status'), { values: ["'new'", "'paid'"] });
  t.deepEqual(b.get('code'), { maxLength: 3 });
  t.deepEqual(b.get('age'), { min: 18, max: 150 });
  t.deepEqual(b.get('x'), { min: -4, max: 4 }, "a constant on the left, flipped; '-5'::integer is a number; exclusive moves in by one");
  t.deepEqual(b.get('qty'), { min: 1 });
  t.false(b.has('a') || b.has('b'), 'two columns or OR: left to the server');
});

test('bounded: a value list cycles, a range wraps inside its span, a length cuts', (t) => {
  t.is(bounded('g', { values: ["'new'", "'paid'"] }, false), "(ARRAY['new', 'paid'])[1 + (g) % 2]");
  t.is(bounded('g', { min: 18, max: 150 }, true), '(18 + ((g) % 133))');
  t.is(bounded('(g % 100)::int4', { min: 1 }, true), '(1 + abs((g % 100)::int4))', 'one bound: the type expression, shifted');
  t.is(bounded("'code_' || g", { maxLength: 3 }, false), "left(('code_' || g)::text, 3)");
});
