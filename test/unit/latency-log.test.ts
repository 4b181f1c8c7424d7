/** Long runs: the writer probe's figures from 5M writes, in memory that does not grow with them. */
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LatencyLog } from '../../src/measure/latency-log.js';
import { maxOf } from '../../src/core/numbers.js';

const WRITES = 5_000_000;

test('5M latencies (a day of a busy writer) give exact count and max, p99 within 0.1%, windows old and new, in flat memory', (t) => {
  const log = new LatencyLog();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  // A write every 10 ms for ~14 hours: 1-2 ms each, every 1,000th 50 ms, one 1,263 ms stall at write 4M.
  let now = 0;
  let heapPeak = heapBefore;
  let stallStart = 0;
  for (let i = 0; i < WRITES; i++) {
    const ms = i === 4_000_000 ? 1263 : i % 1000 === 999 ? 50 : 1 + (i % 100) / 100;
    if (i === 4_000_000) stallStart = now;
    log.record(now, now + ms);
    now += ms + 10;
    if (i % 500_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
  }
  const grownMb = (heapPeak - heapBefore) / 2 ** 20;
  t.log(`heap grew ${grownMb.toFixed(1)} MB for ${WRITES.toLocaleString('en-US')} writes`);
  t.is(log.count, WRITES);
  t.is(log.max, 1263);
  // Exact p99 by nearest rank: 1% + 1 of the writes are 50 ms (5,000) or the stall; the rest are 1-1.99 ms.
  const p99 = log.percentile(99)!;
  t.true(Math.abs(p99 - 1.99) / 1.99 <= 0.001, `p99 ${p99}`);
  t.true(log.percentile(99.95)! >= 49.9, 'the 50 ms writes are in the tail');
  // Held windows: the stall, 4M writes back, is folded into its minute's longest write and still seen.
  t.is(Math.round(log.longestWithin(stallStart + 100, stallStart + 300)!), 200, 'a window inside the old stall');
  t.true(Math.abs(log.longestWithin(stallStart - 5, stallStart + 5000)! - 1263) < 1e-6, 'a window over the old stall');
  // The last minute, kept write by write: its longest is a 50 ms write, its p99 over the last second.
  t.true(Math.abs(log.longestWithin(now - 60_000, now)! - 50) < 1e-6);
  t.true(log.percentileSince(now - 1000, 50)! < 2);
  // Memory: the histogram, ten minutes of writes (~60,000) and a fold per minute; an array of
  // 5M latencies and their end times alone would be 80 MB.
  t.true(grownMb < 20, `heap grew ${grownMb.toFixed(1)} MB`);
});

test('a window no write overlapped gives no figure, not 0', (t) => {
  const log = new LatencyLog();
  t.is(log.count, 0);
  t.is(log.percentile(99), undefined);
  t.is(log.max, undefined);
  log.record(100, 103);
  t.is(log.longestWithin(0, 50), undefined);
  t.is(log.longestWithin(101, 200), 2);
  t.is(log.percentileSince(104, 99), undefined);
  t.is(log.percentileSince(0, 99), 3);
});

test('maxOf takes 5M values (Math.max(...xs) throws past ~125,000)', (t) => {
  const xs = Array.from({ length: WRITES }, (_, i) => i % 7);
  xs[123_456] = 99;
  t.throws(() => Math.max(...xs), { instanceOf: RangeError });
  t.is(maxOf(xs), 99);
  t.is(maxOf([]), undefined);
  t.is(maxOf([undefined, -3, undefined]), -3);
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

test('no spread of an array into Math.max/min or push is left in src/, bench/ or scripts/', (t) => {
  const spread = /\b(Math\.(max|min)|\.push|\.unshift|String\.fromCharCode)\((?:[^(){}]*,)?\s*\.\.\./;
  const found = ['src', 'bench', 'scripts'].flatMap((dir) =>
    sources(dir).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (spread.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    ),
  );
  t.deepEqual(found, []);
  // The check can fail: it finds the pattern it is for.
  t.true(spread.test('const worst = Math.max(0, ...latencies);'));
});
