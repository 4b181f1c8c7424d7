/** Why a slow write waited, judged from pg_stat_activity samples alone (no database). */
import test from 'ava';
import { causeInWords, explainWait } from '../../src/measure/slow-write.js';
import type { BackendSample, Sample } from '../../src/measure/wait-sampler.js';

const WRITER = 101;
const writer = (over: Partial<BackendSample>): BackendSample => ({ pid: WRITER, app: 'pgmb-writer', backendType: 'client backend', state: 'active', query: 'UPDATE t SET ...', ...over });
const checkpointer = (wait: string): BackendSample => ({ pid: 7, app: '', backendType: 'checkpointer', state: '', waitType: 'Activity', wait, query: '' });
const at = (ms: number, ...backends: BackendSample[]): Sample => ({ at: ms, backends });

test("a write blocked by a batch of the backfill is the migration's, named with the blocker and its query", (t) => {
  const batch: BackendSample = {
    pid: 202,
    app: 'pgmb-bench-worker',
    backendType: 'client backend',
    state: 'active',
    waitType: 'IO',
    wait: 'WALSync',
    query: 'UPDATE "pgmb_users" SET bio = $1 WHERE ctid >= ...',
  };
  const samples = [0, 20, 40].map((ms) => at(ms, writer({ waitType: 'Lock', wait: 'transactionid', blockers: [202] }), batch, checkpointer('CheckpointerMain')));
  const c = explainWait(WRITER, samples);
  t.is(c.by, 'migration');
  t.is(c.text, 'waited on Lock/transactionid behind pgmb-bench-worker (UPDATE "pgmb_users" SET bio = $1 WHERE ctid >= ...)');
});

test('a write waiting on WAL while a checkpoint is written is outside the migration, even beside a batch', (t) => {
  const batch: BackendSample = { pid: 202, app: 'pgmb-bench', backendType: 'client backend', state: 'active', query: 'COMMIT' };
  const samples = [
    at(0, writer({ waitType: 'IO', wait: 'WALSync' }), batch, checkpointer('CheckpointWriteDelay')),
    at(20, writer({ waitType: 'IO', wait: 'WALSync' }), batch, checkpointer('CheckpointWriteDelay')),
  ];
  t.deepEqual(explainWait(WRITER, samples), { by: 'outside', text: 'waited on IO/WALSync during a checkpoint' });
});

test("I/O waits while only the migration works (its vacuum round) are the migration's; beside an autovacuum, outside", (t) => {
  const round: BackendSample = { pid: 303, app: 'pgmb-backfill-worker', backendType: 'client backend', state: 'active', query: 'VACUUM (INDEX_CLEANUP OFF) t' };
  const mine = explainWait(WRITER, [at(0, writer({ waitType: 'LWLock', wait: 'WALWrite' }), round, checkpointer('CheckpointerMain'))]);
  t.is(mine.by, 'migration');
  t.is(mine.text, 'waited on LWLock/WALWrite during a vacuum round of the walk');
  const auto: BackendSample = { pid: 404, app: '', backendType: 'autovacuum worker', state: 'active', query: 'autovacuum: VACUUM public.t' };
  t.deepEqual(explainWait(WRITER, [at(0, writer({ waitType: 'IO', wait: 'DataFileRead' }), auto)]), { by: 'outside', text: 'waited on IO/DataFileRead during an autovacuum' });
});

test("a WAL wait while a batch's transaction is open (between its UPDATE and its checkpoint write) is the migration's; after it committed, not seen", (t) => {
  const batch = (state: string): BackendSample => ({ pid: 202, app: 'pgmb-bench', backendType: 'client backend', state, query: 'UPDATE "pgmb_users" SET bio = $1 WHERE id > $2' });
  const wal = writer({ waitType: 'LWLock', wait: 'WALWrite' });
  t.deepEqual(explainWait(WRITER, [at(0, wal, batch('idle in transaction'))]), { by: 'migration', text: "waited on LWLock/WALWrite while the migration's statement or batch ran" });
  t.deepEqual(explainWait(WRITER, [at(0, wal, batch('idle'))]), { by: 'unknown', text: 'waited on LWLock/WALWrite, nobody seen holding it' });
});

test('a write the server had answered, one on CPU, one never sampled, and one blocked by the application itself', (t) => {
  t.is(explainWait(WRITER, [at(0, writer({ state: 'idle', waitType: 'Client', wait: 'ClientRead' }))]).by, 'outside');
  t.regex(explainWait(WRITER, [at(0, writer({ state: 'idle' }))]).text, /client side was late/);
  t.deepEqual(explainWait(WRITER, [at(0, writer({}))]), { by: 'outside', text: "on CPU, waiting on nothing: the machine's cores were busy" });
  t.is(explainWait(WRITER, []).by, 'unknown');
  const other: BackendSample = { pid: 505, app: 'pgmb-writer', backendType: 'client backend', state: 'idle in transaction', query: 'UPDATE t SET name = ...' };
  t.deepEqual(explainWait(WRITER, [at(0, writer({ waitType: 'Lock', wait: 'tuple', blockers: [505] }), other)]), {
    by: 'outside',
    text: 'waited on Lock/tuple behind pgmb-writer (UPDATE t SET name = ...)',
  });
});

test('a cause cell reads as words', (t) => {
  t.is(causeInWords('outside: waited on IO/WALSync during a checkpoint'), 'outside the migration: waited on IO/WALSync during a checkpoint');
  t.is(causeInWords('migration: waited on Lock/relation behind pgmb-try (CREATE INDEX i ON t (a))'), 'caused by the migration: waited on Lock/relation behind pgmb-try (CREATE INDEX i ON t (a))');
});
