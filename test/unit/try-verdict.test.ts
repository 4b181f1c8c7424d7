import test from 'ava';
import { lintCell, measuredHarm } from '../../src/try/lint-agreement.js';
import { nextSizes } from '../../src/try/auto-sizes.js';
import { project, tryVerdicts, upperEnd, type SizeRun } from '../../src/try/verdict.js';

test('project: measured at the target is the measurement; beyond it, fixed and growing parts fitted, a range whose upper end the verdict judges', (t) => {
  const sizes = [
    { rows: 100_000, driver: 100, value: 90 },
    { rows: 1_000_000, driver: 1000, value: 900 },
  ];
  t.deepEqual(project(sizes, 1_000_000, 'linear'), { ms: 900 });
  const p = project(sizes, 10_000_000, 'linear');
  t.is(Math.round(p.ms), 9000, 'no fixed part: linear growth carries 900 ms at 1m to 9 s at 10m');
  t.true(p.low! < p.ms && upperEnd(p) > p.ms);
  t.deepEqual(p.from, [100_000, 1_000_000]);
  t.false(p.assumed);
  // The index build: 64 ms at 100k and 431 ms at 1m hold a fixed part, which flattened the log-log slope to 0.83.
  const index = project(
    [
      { rows: 100_000, driver: 64, value: 64 },
      { rows: 1_000_000, driver: 431, value: 431 },
    ],
    5_000_000,
    'n log n',
  );
  t.true(index.ms > 431 * 5 ** 0.83, `${Math.round(index.ms)} ms, more than the log-log slope's 1,634`);
});

test('project: past the memory edge no size measured reached, the upper end allows for the work leaving memory; one size is assumed to grow whole', (t) => {
  const sizes = [
    { rows: 100_000, driver: 60, value: 60 },
    { rows: 1_000_000, driver: 400, value: 400 },
  ];
  const memory = { sharedBuffersBytes: 256 * 1024 ** 2, maintenanceWorkMemBytes: 64 * 1024 ** 2, bytesPerRow: 180 };
  const inside = project(sizes, 1_200_000, 'linear', memory);
  const past = project(sizes, 3_000_000, 'linear', memory);
  t.false(inside.pastMemory);
  t.true(past.pastMemory, '3m rows of 180 bytes are past 256 MB of shared_buffers');
  t.true(upperEnd(past) / past.ms > (upperEnd(inside) / inside.ms) * 2);
  const one = project([{ rows: 1_000_000, driver: 500, value: 400 }], 4_000_000, 'linear');
  t.is(Math.round(one.ms), 1600);
  t.true(one.assumed);
});

const run = (rows: number, scale: number): SizeRun => ({
  rows,
  statements: [
    { key: 'm.sql:1', kind: 'ALTER TABLE ADD COLUMN', ms: 1, lock: 'AccessExclusiveLock', rewritten: false, heldMs: 0 },
    { key: 'm.sql:2', kind: 'CREATE INDEX', ms: 80 * scale, lock: 'ShareLock', rewritten: false, heldMs: 78 * scale },
    { key: 'm.sql:4', kind: 'CREATE INDEX CONCURRENTLY', ms: 120 * scale, lock: 'ShareUpdateExclusiveLock', rewritten: false, heldMs: 3 },
  ],
  groups: [
    { key: 'm.sql:1', statements: ['m.sql:1', 'm.sql:2'], inTransaction: true, ms: 82 * scale, holder: 'm.sql:1', holdMs: 82 * scale, heldMs: 80 * scale },
    { key: 'm.sql:4', statements: ['m.sql:4'], inTransaction: false, ms: 120 * scale, heldMs: 3 },
  ],
});

test('tryVerdicts: the transaction holds writers from the first lock to COMMIT; both lock takers are named, the concurrent build is not', (t) => {
  const v = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  t.true(v.failing);
  t.deepEqual(
    v.groups.map((g) => g.verdict),
    ['blocks writers', 'ok'],
  );
  t.deepEqual(
    v.statements.map((s) => s.verdict),
    ['blocks writers', 'blocks writers', 'ok'],
  );
  t.regex(v.statements[0]!.reason!, /its AccessExclusiveLock held writers 800 ms, until COMMIT after m\.sql:2/);
  t.regex(v.statements[1]!.reason!, /inside the transaction whose lock m\.sql:1 took/);
  t.false(tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 1000).failing, 'under --max-block at the target');
  const far = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 10_000_000, 1000);
  t.true(far.failing, 'extrapolated to 10M the same transaction holds writers ~8 s');
  t.deepEqual(far.groups[0]!.heldAtTarget.from, [100_000, 1_000_000]);
});

test('tryVerdicts: a statement the server refused fails the run and is named; one cancelled in a deadlock (40P01) is named so', (t) => {
  const failed: SizeRun = { ...run(100_000, 1), failed: { key: 'm.sql:2', error: 'could not create unique index', code: '23505' } };
  const v = tryVerdicts([failed], 100_000, 1000);
  t.true(v.failing);
  t.deepEqual(v.failed, { rows: 100_000, key: 'm.sql:2', error: 'could not create unique index', verdict: 'failed' });
  const deadlock: SizeRun = { ...run(100_000, 1), failed: { key: 'm.sql:3', error: 'deadlock detected', code: '40P01' } };
  t.is(tryVerdicts([deadlock], 100_000, 1000).failed?.verdict, 'deadlocks with writers');
});

test('lint agreement: confirmed by harm, seen under --max-block, refuted when writers were not held; harm no rule named is missed', (t) => {
  const v = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  const lint = {
    findings: [
      { rule: 'require-concurrent-index-creation', message: '', statement: 'm.sql:2' },
      { rule: 'prefer-robust-stmts', message: '', statement: 'm.sql:2' },
    ],
  };
  t.deepEqual(lintCell(v.statements[1]!, lint), ['require-concurrent-index-creation: confirmed', '+1 style']);
  t.deepEqual(lintCell(v.statements[0]!, lint), ['missed by lint']);
  const lenient = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 5000);
  t.is(measuredHarm(lenient.statements[1]!), 'some');
  t.deepEqual(lintCell(lenient.statements[1]!, lint), ['require-concurrent-index-creation: seen, under --max-block', '+1 style']);
  const harmless = { ...lenient.statements[1]!, heldMs: 5 };
  t.deepEqual(lintCell(harmless, lint), ['require-concurrent-index-creation: refuted', '+1 style']);
});

/** An ADD COLUMN alone and a concurrent build, quiet (instant, nobody held) and behind a 3 s query. */
const queue = (behindAdd: Partial<SizeRun['groups'][number]>, failed?: SizeRun['failed']): { quiet: SizeRun; behind: SizeRun } => {
  const statements = (waited: number) => [
    { key: 'q.sql:1', kind: 'ALTER TABLE ADD COLUMN', ms: 2, lock: 'AccessExclusiveLock', rewritten: false, heldMs: 3, readersHeldMs: 2, waitedMs: waited },
    { key: 'q.sql:2', kind: 'CREATE INDEX CONCURRENTLY', ms: 90, lock: 'ShareUpdateExclusiveLock', rewritten: false, heldMs: 4, readersHeldMs: 2, waitedMs: waited ? 2950 : 0 },
  ];
  const groups = [
    { key: 'q.sql:1', statements: ['q.sql:1'], inTransaction: false, ms: 2, holder: 'q.sql:1', holdMs: 2, heldMs: 3, readersHeldMs: 2, waitedMs: 0, attempts: 1 },
    { key: 'q.sql:2', statements: ['q.sql:2'], inTransaction: false, ms: 90, heldMs: 4, readersHeldMs: 2, waitedMs: 0, attempts: 1 },
  ];
  const quiet: SizeRun = { rows: 100_000, statements: statements(0), groups };
  const add = { ...groups[0]!, ...behindAdd };
  const behind: SizeRun = failed
    ? { rows: 100_000, statements: [statements(1)[0]!], groups: [], failed, failedGroup: add }
    : { rows: 100_000, statements: statements(add.waitedMs ?? 0), groups: [add, { ...groups[1]!, ms: 3040, waitedMs: 2950 }] };
  return { quiet, behind };
};

test('tryVerdicts behind a long query: an instant ALTER that waited 3 s queues readers and writers behind it and fails; the concurrent build waits and holds nobody', (t) => {
  const { quiet, behind } = queue({ ms: 3010, waitedMs: 3000, heldMs: 2990, readersHeldMs: 2985 });
  t.false(tryVerdicts([quiet], 100_000, 1000).failing, 'quiet, the ALTER is instant');
  const v = tryVerdicts([quiet], 100_000, 1000, { run: behind, longQueryMs: 3000 });
  t.true(v.failing);
  t.deepEqual(
    v.groups.map((g) => g.verdict),
    ['blocks readers and writers', 'ok'],
  );
  t.regex(v.statements[0]!.reason!, /^waited 3\.0 s behind a 3\.0 s query, everything queued behind it \(readers and writers held 2990 ms\); set lock_timeout \(and retry\)$/);
  t.is(v.statements[1]!.verdict, 'ok');
  t.is(v.statements[1]!.waitedBehindMs, 2950, "the concurrent build's wait is shown");
  const lint = { findings: [{ rule: 'require-timeout-settings', message: '', statement: 'q.sql:1' }] };
  t.deepEqual(lintCell(v.statements[0]!, lint), ['require-timeout-settings: confirmed']);
  t.deepEqual(lintCell(tryVerdicts([quiet], 100_000, 1000).statements[0]!, lint), ['+1 style'], 'without the long query run, a timeout rule is not measured');
});

test('tryVerdicts behind a long query: lock_timeout gave up (55P03) with traffic held under it: the deploy fails, said so; retried to success under --max-block: ok', (t) => {
  const { quiet, behind } = queue({ ms: 505, waitedMs: 500, heldMs: 498, readersHeldMs: 497 }, { key: 'q.sql:1', error: 'canceling statement due to lock timeout', code: '55P03', attempts: 1 });
  const v = tryVerdicts([quiet], 100_000, 1000, { run: behind, longQueryMs: 3000 });
  t.true(v.failing);
  t.is(v.failed, undefined, 'a lock timeout is a verdict, not a failure on the synthetic rows');
  t.is(v.groups[0]!.verdict, 'times out behind a long query');
  t.regex(v.statements[0]!.reason!, /gave up after waiting 0\.5 s for its lock behind a 3\.0 s query \(lock_timeout\): traffic held at most 498 ms, but the deploy fails unless the tool retries/);
  const retried = queue({ ms: 3400, waitedMs: 480, heldMs: 520, readersHeldMs: 510, attempts: 6 });
  const ok = tryVerdicts([retried.quiet], 100_000, 1000, { run: retried.behind, longQueryMs: 3000 });
  t.false(ok.failing);
  t.is(ok.groups[0]!.behind!.attempts, 6);
});

test('--sizes auto: ladder steps after the probe up to the first within 10x of the target, while the budget lasts; said when it stops short', (t) => {
  t.deepEqual(nextSizes(40_000_000, { rows: 100_000, ms: 1000 }, Infinity).sizes, [300_000, 1_000_000, 3_000_000, 10_000_000]);
  t.deepEqual(nextSizes(5_000_000, { rows: 100_000, ms: 1000 }, Infinity).sizes, [300_000, 1_000_000]);
  t.deepEqual(nextSizes(200_000, { rows: 100_000, ms: 1000 }, Infinity).sizes, [], 'the probe is within 10x already');
  // 1 s per 100k rows: 300k takes 3 s, 1m 10 s, 3m 30 s.
  const budget = nextSizes(40_000_000, { rows: 100_000, ms: 1000 }, 20_000);
  t.deepEqual(budget.sizes, [300_000, 1_000_000]);
  t.regex(budget.short!, /^3,000,000 rows would take about 30 s, more than the 7 s left of --budget$/);
});

test("tryVerdicts: a data migration's loop in one transaction holds writers on the rows it wrote: its UPDATE carries the verdict, its SELECT does not", (t) => {
  const loop = (rows: number): SizeRun => ({
    rows,
    statements: [
      { key: 'm:1', kind: 'SELECT', ms: rows / 100, lock: 'AccessShareLock', rewritten: false, heldMs: rows / 10, executions: rows / 1000 },
      { key: 'm:2', kind: 'UPDATE', ms: rows / 30, lock: 'RowExclusiveLock', rewritten: false, heldMs: rows / 10, executions: rows / 1000, rows },
    ],
    groups: [{ key: 'm:1', statements: ['m:1', 'm:2'], inTransaction: true, ms: rows / 20, heldMs: rows / 10, readersHeldMs: 6 }],
  });
  const v = tryVerdicts([loop(10_000), loop(30_000)], 1_000_000, 1000);
  t.is(v.groups[0]!.verdict, 'blocks writers');
  // Row locks stop writers, never readers: what readers waited is taken as measured.
  t.deepEqual(v.groups[0]!.readersHeldAtTarget, { ms: 6 });
  t.deepEqual(
    v.statements.map((s) => [s.key, s.verdict]),
    [
      ['m:1', 'ok'],
      ['m:2', 'blocks writers'],
    ],
  );
  t.regex(v.statements[1]!.reason!, /^its row locks held writers \d+\.\d s/);
  t.deepEqual(Object.fromEntries(v.statements[1]!.rowsBySize!), { 10000: 10_000, 30000: 30_000 });
});

test('tryVerdicts: what writers waited beside a concurrent build (no lock held against them) is taken as measured, not carried with its time to the target', (t) => {
  const build = (rows: number, held: number): SizeRun => ({
    rows,
    statements: [{ key: 'i:1', kind: 'CREATE INDEX CONCURRENTLY', ms: rows / 1000, lock: 'ShareUpdateExclusiveLock', rewritten: false, heldMs: held }],
    groups: [{ key: 'i:1', statements: ['i:1'], inTransaction: false, ms: rows / 1000, heldMs: held }],
  });
  const v = tryVerdicts([build(100_000, 5), build(1_000_000, 13)], 20_000_000, 500);
  t.deepEqual(v.groups[0]!.heldAtTarget, { ms: 13 });
  t.is(v.groups[0]!.verdict, 'ok');
  t.true(upperEnd(v.statements[0]!.atTarget) > 10_000, 'its own time is still carried');
});
