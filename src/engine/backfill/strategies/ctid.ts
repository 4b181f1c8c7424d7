import type pg from 'pg';
import type { Cursor } from '../checkpoint.js';
import { estimatedRows, relationPages, stillNull, updateSet, type BackfillTarget, type BatchResult, type Strategy } from '../strategy.js';

interface CtidCursor extends Cursor {
  startPage: number;
  page: number;
  endPage: number;
  rowsPerPage: number;
}

const SAMPLE_PAGES = 32;

/**
 * Walk the heap by page ranges with TID range scans (PostgreSQL 14+): each batch reads only its
 * own pages, so the cost per row stays flat however big the table. The end page is fixed at the
 * start: new row versions land beyond it and are not walked again; the sweep catches the rest.
 * Disjoint page ranges touch disjoint rows, so the walk splits into parts for parallel workers.
 */
export const ctidStrategy: Strategy = {
  name: 'ctid',
  needsPrimaryKey: false,

  async begin(client, target) {
    const endPage = await relationPages(client, target);
    const sample = Math.min(endPage, SAMPLE_PAGES);
    const counted = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${target.table.sql} WHERE ctid < $1::tid`, [
      `(${sample},0)`,
    ]);
    const rowsPerPage = sample > 0 ? Math.max(1, counted.rows[0]!.n / sample) : 1;
    const estimate = await estimatedRows(client, target);
    const cursor: CtidCursor = { startPage: 0, page: 0, endPage, rowsPerPage, totalRows: estimate > 0 ? estimate : Math.round(rowsPerPage * endPage) };
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

  async batch(client: pg.Client, target: BackfillTarget, cursor: Cursor, rows: number): Promise<BatchResult> {
    const c = cursor as CtidCursor;
    const pages = Math.max(1, Math.round(rows / c.rowsPerPage));
    const to = Math.min(c.endPage, c.page + pages);
    const result = await client.query(
      `${updateSet(target)} WHERE ctid >= $2::tid AND ctid < $3::tid AND ${stillNull(target)}`,
      [target.value, `(${c.page},0)`, `(${to},0)`],
    );
    const next: CtidCursor = { ...c, page: to };
    return {
      updated: result.rowCount ?? 0,
      scanned: Math.round((to - c.page) * c.rowsPerPage),
      cursor: next,
      done: to >= c.endPage,
    };
  },
};
