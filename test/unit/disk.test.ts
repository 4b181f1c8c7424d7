/** The bench's free-disk check: fails before the first case, with both numbers. */
import test from 'ava';
import { tmpdir } from 'node:os';
import { checkDisk, estimateBytes } from '../../bench/disk.js';
import type { BenchOptions } from '../../bench/types.js';

const options = (sizes: number[]): BenchOptions => ({
  suites: ['backfill'],
  sizes,
  strategies: ['ctid'],
  batchSize: 5000,
  delayMs: 0,
  workers: 2,
  partitions: [0],
  vacuum: ['auto'],
  ddlRows: 100_000,
  writers: true,
  readers: true,
  out: 'x.csv',
  standby: false,
});

test('the estimate grows with the biggest size; WAL counts up to max_wal_size', (t) => {
  const gb = (n: number) => estimateBytes(options([n])) / 2 ** 30;
  t.true(gb(1_000_000) > 1 && gb(1_000_000) < 2, `${gb(1_000_000)}`);
  t.true(gb(10_000_000) > 7 && gb(10_000_000) < 9, `${gb(10_000_000)}`);
  t.is(estimateBytes(options([10_000, 1_000_000])), estimateBytes(options([1_000_000])));
});

test('a size the disk cannot hold is refused with what it needs and what is free; one it can, says both', (t) => {
  t.regex(checkDisk(options([10_000]), tmpdir()), /^disk: [\d.]+ GB free, the biggest case needs about [\d.]+ GB$/);
  const err = t.throws(() => checkDisk(options([1e12]), tmpdir()));
  t.regex(err!.message, /^not enough free disk for the biggest case: about [\d.]+ GB needed, [\d.]+ GB free under .*; use smaller --sizes$/);
  t.regex(checkDisk(options([1e12]), undefined), /not visible from here/, 'a server reached by URL: its disk is not ours to see');
});
