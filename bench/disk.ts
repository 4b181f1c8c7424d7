import { statfsSync } from 'node:fs';
import { InputError } from '../src/core/errors.js';
import type { BenchOptions } from './types.js';

/** Bytes a row of the bench's tables takes at most while a case runs: heap and keys, doubled by a backfill's new versions. */
const BYTES_PER_ROW = 450;
/** WAL a row's backfill writes, up to max_wal_size (4 GB on the embedded server) kept between checkpoints. */
const WAL_PER_ROW = 300;
const MAX_WAL_BYTES = 4 * 2 ** 30;
const MARGIN_BYTES = 512 * 2 ** 20;

/** What the biggest case of a run needs on the server's disk: one table at a time is kept. */
export function estimateBytes(options: BenchOptions): number {
  const rows = options.sizes.reduce((a, b) => Math.max(a, b), options.suites.includes('ddl') ? options.ddlRows : 0);
  return rows * BYTES_PER_ROW + Math.min(MAX_WAL_BYTES, rows * WAL_PER_ROW) + MARGIN_BYTES;
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;

/**
 * Fail before the first case when the disk under the server's data directory cannot hold the
 * biggest case (an embedded server's: its disk is ours to see). Returns a line saying what it checked.
 */
export function checkDisk(options: BenchOptions, dataDir: string | undefined): string {
  const need = estimateBytes(options);
  if (!dataDir) return `disk: the server's free space is not visible from here; the biggest case needs about ${gb(need)}`;
  const fs = statfsSync(dataDir);
  const free = fs.bavail * fs.bsize;
  if (free < need) {
    throw new InputError('DISK_SPACE', `not enough free disk for the biggest case: about ${gb(need)} needed, ${gb(free)} free under ${dataDir}; use smaller --sizes`);
  }
  return `disk: ${gb(free)} free, the biggest case needs about ${gb(need)}`;
}
