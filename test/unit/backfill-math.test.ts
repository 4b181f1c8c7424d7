import test from 'ava';
import { BatchSizer } from '../../src/engine/backfill/batch-sizer.js';
import { rateAndEta } from '../../src/engine/backfill/eta.js';
import { backoffMs } from '../../src/engine/transaction.js';

test('a fixed batch size stays fixed', (t) => {
  const s = new BatchSizer(5000);
  s.observe(5000, 10);
  t.is(s.size, 5000);
});

test('with a target, the batch grows toward rate x target, at most doubling each time', (t) => {
  const s = new BatchSizer(1000, 500);
  s.observe(1000, 10); // 100 rows/ms -> wants 50,000
  t.is(s.size, 2000);
  for (let i = 0; i < 10; i++) s.observe(s.size, s.size / 100);
  t.is(s.size, 50_000);
});

test('with a target, a slow batch shrinks the next one', (t) => {
  const s = new BatchSizer(10_000, 100);
  s.observe(10_000, 1000); // 10 rows/ms -> wants 1,000
  t.is(s.size, 1000);
});

test('ETA comes from the fraction this run gained', (t) => {
  const r = rateAndEta(50_000, 10_000, 0.5, 0.75); // 25% in 10 s, 25% left
  t.is(r.rowsPerSec, 5000);
  t.is(Math.round(r.etaSec!), 10);
  t.is(rateAndEta(0, 1000, 0, 0).etaSec, undefined);
});

test('lock retries back off exponentially with jitter, capped', (t) => {
  t.is(
    backoffMs(1, () => 1),
    200,
  );
  t.is(
    backoffMs(3, () => 1),
    800,
  );
  t.is(
    backoffMs(3, () => 0),
    400,
  );
  t.is(
    backoffMs(30, () => 1),
    10_000,
  );
});
