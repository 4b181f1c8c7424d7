import test from 'ava';
import { accuracyRows, LOG_LOG, measuredSeries } from '../../src/results/extrapolation-accuracy.js';
import { carry, fitGrowth, growthOf, memoryEdgeRows, predictGrowth } from '../../src/results/growth.js';
import type { ReadRow } from '../../src/results/csv.js';

test('growth: index builds and foreign key validation sort (n log n), the rest scans (linear); a DROP INDEX is no build', (t) => {
  t.is(growthOf('CREATE INDEX CONCURRENTLY'), 'n log n');
  t.is(growthOf('CREATE UNIQUE INDEX'), 'n log n');
  t.is(growthOf('ALTER TABLE VALIDATE CONSTRAINT'), 'n log n');
  t.is(growthOf('DROP INDEX'), 'linear');
  t.is(growthOf('ALTER TABLE ALTER COLUMN TYPE'), 'linear');
  t.is(growthOf('UPDATE'), 'linear');
});

test('fitGrowth: a fixed part and a growing one recovered from exact points; negative parts floored at 0', (t) => {
  const exact = [100_000, 300_000, 1_000_000].map((rows) => ({ rows, ms: 20 + rows / 2500 }));
  const fit = fitGrowth(exact, 'linear');
  t.is(Math.round(fit.fixed), 20);
  t.is(Math.round(predictGrowth(fit, 10_000_000)), 4020);
  const shrinking = fitGrowth(
    [
      { rows: 1000, ms: 50 },
      { rows: 10_000, ms: 10 },
    ],
    'linear',
  );
  t.is(shrinking.perUnit, 0);
  t.true(shrinking.fixed > 0);
});

test('carry: the memory edge is where the table passes shared_buffers, or a sort its keys maintenance_work_mem; the largest size past it bounds the range by itself', (t) => {
  const memory = { sharedBuffersBytes: 1000 * 100, maintenanceWorkMemBytes: 1000 * 10, bytesPerRow: 100 };
  t.is(memoryEdgeRows('linear', memory), 1000);
  t.is(memoryEdgeRows('n log n', memory), 400);
  const before = [
    { rows: 100, ms: 10 },
    { rows: 300, ms: 30 },
  ];
  t.true(carry(before, 3000, 'linear', memory).pastMemory);
  t.false(carry(before, 900, 'linear', memory).pastMemory);
  // Past the edge at 3,000 rows but not EDGE_SPAN times past it: the step is still allowed for.
  t.true(carry([...before, { rows: 3000, ms: 600 }], 9000, 'linear', memory).pastMemory);
  // Far past it at 5,000 rows, and slower per row there than before it: the range reaches the largest size's own rate.
  const c = carry([...before, { rows: 5000, ms: 1000 }], 15_000, 'linear', memory);
  t.false(c.pastMemory);
  t.true(c.high >= 3000, `${c.high}`);
});

test('accuracy rows: each size predicted from two sizes a decade apart and from every smaller size, at about 3x and 10x, with the error signed', (t) => {
  const rows = [100_000, 300_000, 1_000_000, 3_000_000].map((n) => ({ suite: 'try', case: 'm.sql:2 CREATE INDEX', rows: String(n), mean_ms: String(n / 1000) }) as ReadRow);
  rows.push({ suite: 'try', case: 'm.sql migration', rows: '100000', mean_ms: '1' } as ReadRow);
  const series = measuredSeries(rows);
  t.is(series.length, 1, 'whole-migration rows are left out');
  const acc = accuracyRows(series, [LOG_LOG]);
  t.deepEqual(
    acc.map((r) => `${r.from}->${r.to}`),
    ['100000+300000->1000000', '100000+300000->3000000', '100000+1000000->3000000', '100000+300000+1000000->3000000'],
  );
  t.true(
    acc.every((r) => Math.abs(r.error_pct) < 0.5),
    'exactly linear points: log-log is exact',
  );
});

test('recorded series (results/extrapolation-0.8.0/raw.csv): a btree build whose sort spills past 1m shows the step in its upper end; a scan that stays in shared_buffers gets none and its range holds the measurement', (t) => {
  // shared_buffers 256MB, maintenance_work_mem 64MB, 178 bytes a row: the sort's edge is about 1.5m rows.
  const memory = { sharedBuffersBytes: 256 * 1024 ** 2, maintenanceWorkMemBytes: 64 * 1024 ** 2, bytesPerRow: 178 };
  const build = [
    { rows: 100_000, ms: 55 },
    { rows: 300_000, ms: 149 },
    { rows: 1_000_000, ms: 375 },
  ];
  const spilled = carry(build, 3_000_000, 'n log n', memory);
  t.true(spilled.pastMemory);
  t.true(spilled.high >= 2356, `upper end ${Math.round(spilled.high)} ms; measured 2,356 ms at 3m, 6.3x the time of 1m`);
  t.true(spilled.ms < 2356, 'the fitted point alone misses the step');
  const scan = carry(
    [
      { rows: 100_000, ms: 11 },
      { rows: 300_000, ms: 25 },
    ],
    1_000_000,
    'linear',
    memory,
  );
  t.false(scan.pastMemory);
  t.true(scan.low <= 71 && scan.high >= 71, `SET NOT NULL's scan: ${Math.round(scan.low)}-${Math.round(scan.high)} ms, measured 71 ms at 1m`);
});
