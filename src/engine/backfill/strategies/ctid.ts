import type pg from 'pg';
import type { Leaf } from '../../relations.js';
import { relationSize, stillNull, updateSet, type BackfillTarget, type BatchResult, type Cursor, type Strategy } from '../strategy.js';

interface CtidCursor extends Cursor {
  startPage: number;
  page: number;
  endPage: number;
  /** Live rows per page, learned from the ranges counted so far. */
  rowsPerPage: number;
  /** Pages of the last batch: a batch grows by at most GROWTH times over the one before. */
  lastPages?: number;
}

/** Pages counted when the statistics know nothing of the leaf (never analyzed). */
const SAMPLE_PAGES = 32;
/** A counted range over this many times the batch size is cut before anything is written. */
const OVERSHOOT = 1.25;
const GROWTH = 4;
/** Weight of the newest range in the learned density. */
const WEIGHT = 0.5;

const tid = (page: number) => `(${page},0)`;

async function liveRows(client: pg.Client, leaf: Leaf, from: number, to: number): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ONLY ${leaf.sql} WHERE ctid >= $1::tid AND ctid < $2::tid`, [tid(from), tid(to)]);
  return rows[0]!.n;
}

/**
 * Walk a leaf's heap by page ranges with TID range scans (PostgreSQL 14+): each batch reads only
 * its own pages, so the cost per row stays flat however big the table. The end page is fixed at the
 * start: new row versions land beyond it and are not walked again; the sweep catches the rest.
 * Disjoint page ranges touch disjoint rows, so the walk splits into parts for parallel workers.
 *
 * A batch is sized in rows, not pages: the live rows of the range it proposes (from the density
 * learned so far) are counted first, cheaply, and a range holding more than 1.25x the batch is cut
 * before anything is written. Empty stretches (purged rows), dense ones and bloated ones each get
 * batches near the size asked for.
 */
export const ctidStrategy: Strategy<'ctid'> = {
  name: 'ctid',
  needsPrimaryKey: false,
  // The table ends 1.09x its compact size at 1M rows with it, 1.8x without (measured).
  defaultVacuum: 'auto',

  async begin(client, _target, leaf) {
    const size = await relationSize(client, leaf);
    let rowsPerPage = size.statPages > 0 && size.rows > 0 ? size.rows / size.statPages : 0;
    if (rowsPerPage === 0) {
      const sample = Math.min(size.pages, SAMPLE_PAGES);
      rowsPerPage = sample > 0 ? (await liveRows(client, leaf, 0, sample)) / sample : 0;
    }
    rowsPerPage = Math.max(rowsPerPage, 1);
    const totalRows = size.rows > 0 ? size.rows : Math.round(rowsPerPage * size.pages);
    const cursor: CtidCursor = { leaf: leaf.oid, startPage: 0, page: 0, endPage: size.pages, rowsPerPage, totalRows };
    return cursor;
  },

  fraction(cursor) {
    const c = cursor as CtidCursor;
    return c.endPage <= c.startPage ? 1 : (c.page - c.startPage) / (c.endPage - c.startPage);
  },

  split(cursor, parts) {
    const c = cursor as CtidCursor;
    const span = c.endPage - c.startPage;
    return Array.from({ length: parts }, (_, i): CtidCursor => {
      const startPage = c.startPage + Math.floor((span * i) / parts);
      const endPage = c.startPage + Math.floor((span * (i + 1)) / parts);
      return { ...c, startPage, page: startPage, endPage, totalRows: span > 0 ? (c.totalRows * (endPage - startPage)) / span : 0 };
    });
  },

  async batch(client: pg.Client, target: BackfillTarget, leaf: Leaf, cursor: Cursor, rows: number): Promise<BatchResult> {
    const c = cursor as CtidCursor;
    const left = c.endPage - c.page;
    let pages = Math.max(1, Math.min(left, Math.round(rows / c.rowsPerPage), c.lastPages ? c.lastPages * GROWTH : Infinity));
    let seen = left > 0 ? await liveRows(client, leaf, c.page, c.page + pages) : 0;
    while (seen > rows * OVERSHOOT && pages > 1) {
      pages = Math.max(1, Math.floor((pages * rows) / seen));
      seen = await liveRows(client, leaf, c.page, c.page + pages);
    }
    const to = Math.min(c.endPage, c.page + pages);
    const result =
      to > c.page ? await client.query(`${updateSet(target, leaf)} WHERE ctid >= $2::tid AND ctid < $3::tid AND ${stillNull(target)}`, [target.value, tid(c.page), tid(to)]) : { rowCount: 0 };
    const density = seen / Math.max(1, to - c.page);
    const next: CtidCursor = { ...c, page: to, lastPages: Math.max(1, to - c.page), rowsPerPage: Math.max(0.01, WEIGHT * density + (1 - WEIGHT) * c.rowsPerPage) };
    return { updated: result.rowCount ?? 0, scanned: seen, cursor: next, done: to >= c.endPage };
  },
};
