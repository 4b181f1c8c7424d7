import test from 'ava';
import { rowVerdict } from '../../bench/summary.js';
import { toRow, type CaseFigures, type RunMetadata } from '../../src/results/row.js';

const meta: RunMetadata = { run_id: 'r', started_at: '', git_sha: '', pkg_version: '', pg_version: '', pg_settings: '' };
const verdict = (f: Omit<CaseFigures, 'suite' | 'case'>) => rowVerdict(toRow(meta, { suite: 'index', case: 'x', writer_baseline_p99_ms: 5, ...f }));

test('the safety verdict reads the writers against the baseline and the operation', (t) => {
  t.is(verdict({ mean_ms: 5000, writer_max_ms: 20, writer_blocked: 0 }), 'no harm seen');
  t.is(verdict({ mean_ms: 5000, writer_max_ms: 150, writer_blocked: 0 }), 'slowed writers', '30x the baseline p99');
  t.is(verdict({ mean_ms: 9000, writer_max_ms: 1200, writer_blocked: 2 }), 'BLOCKED writers', 'writes over 1 s');
  // Plain CREATE INDEX at 1M here: a 626 ms build, and a write that waited 644 ms, all of it.
  t.is(verdict({ mean_ms: 626, writer_max_ms: 644, writer_blocked: 0 }), 'BLOCKED writers (whole operation)');
  // Plain SET NOT NULL at 1M here: a 59 ms scan under ACCESS EXCLUSIVE, a write held 50 ms; the safe way's worst was 10 ms.
  t.is(verdict({ mean_ms: 59.4, writer_max_ms: 49.8, writer_blocked: 0, writer_baseline_p99_ms: 1 }), 'BLOCKED writers (whole operation)');
  t.is(verdict({ mean_ms: 65.7, writer_max_ms: 9.8, writer_blocked: 0, writer_baseline_p99_ms: 1.3 }), 'no harm seen');
  t.is(verdict({ mean_ms: 12, writer_max_ms: 11, writer_blocked: 0 }), 'no harm seen', 'a wait under 20 ms is noise');
  t.is(verdict({ mean_ms: 5000 }), undefined, 'no writers ran');
});
