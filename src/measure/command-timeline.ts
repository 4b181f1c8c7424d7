import type pg from 'pg';
import { WireProxy, type WireStatement, type WireStatementStart } from '../db/wire-proxy.js';
import { runCommand, type CodeCommand, type CommandResult } from '../migrations/code/command.js';
import { isControl, type MeasuredStatements } from '../migrations/code/statements.js';
import type { Statement } from '../migrations/types.js';
import { LockWatcher, locksHeld } from './locks.js';
import { changed, fileNodes, type GroupRun, type StatementRun } from './statement-timeline.js';

/** What measuring one statement as it runs took: its lock watcher, the tables' files before, the statement it is. */
interface Watch {
  statement: Promise<Statement>;
  watcher: LockWatcher;
  before: Map<number, number>;
  run?: Omit<StatementRun, 'statement'>;
}

/** The rows a command tag counts: `UPDATE 1000`, `INSERT 0 5`, `SELECT 7`. */
const tagRows = (tag?: string) => (tag && /^(INSERT|UPDATE|DELETE|SELECT|MERGE|COPY|FETCH|MOVE)\b/.test(tag) ? Number(tag.split(' ').at(-1)) || 0 : 0);

/** Two executions of one statement (a loop) as one: from the first start to the last end, locks and waits added up. */
function merge(a: StatementRun, b: StatementRun): StatementRun {
  return {
    ...a,
    startedAt: Math.min(a.startedAt, b.startedAt),
    endedAt: Math.max(a.endedAt, b.endedAt),
    locks: [...new Set([...a.locks, ...b.locks])],
    rewritten: a.rewritten || b.rewritten,
    waitedMs: a.waitedMs + b.waitedMs,
    executions: (a.executions ?? 1) + (b.executions ?? 1),
    busyMs: (a.busyMs ?? a.endedAt - a.startedAt) + (b.busyMs ?? b.endedAt - b.startedAt),
    rows: (a.rows ?? 0) + (b.rows ?? 0),
  };
}

type OpenGroup = Omit<GroupRun, 'attempts' | 'group'> & { inTransaction: boolean };

/** A statement's run added to its group, merged with an earlier execution of the same statement. */
function add(g: OpenGroup, run: StatementRun): void {
  const i = g.statements.findIndex((s) => s.statement === run.statement);
  if (i < 0) g.statements.push(run);
  else g.statements[i] = merge(g.statements[i]!, run);
  g.endedAt = Math.max(g.endedAt, run.endedAt);
}

const closed = (g: OpenGroup): GroupRun => ({ ...g, attempts: 1, group: { statements: g.statements.map((s) => s.statement), inTransaction: g.inTransaction } });

/**
 * The tool's statements as a file's groups: a transaction from its BEGIN to its COMMIT (locks held
 * until then), and each run of autocommitted statements as one group (a batched loop that commits
 * every batch is one); the tool's bookkeeping left out. Stops at the first statement that failed.
 */
async function groupsOf(statements: WireStatement[], watches: Map<WireStatementStart, Watch>): Promise<GroupRun[]> {
  const groups: GroupRun[] = [];
  const open = new Map<number, OpenGroup>();
  let autocommit: OpenGroup | undefined;
  for (const s of [...statements].sort((a, b) => a.startedAt - b.startedAt)) {
    if (isControl(s)) {
      if (s.statusBefore === 'I' && s.statusAfter !== 'I') open.set(s.connection, { startedAt: s.startedAt, endedAt: s.endedAt, statements: [], inTransaction: true });
      const g = open.get(s.connection);
      if (g && s.statusAfter === 'I') {
        open.delete(s.connection);
        g.endedAt = s.endedAt;
        if (g.statements.length) groups.push(closed(g));
      }
      continue;
    }
    const w = watches.get(s);
    if (!w?.run) continue;
    const run: StatementRun = { statement: await w.statement, ...w.run };
    const inBlock = open.get(s.connection);
    if (!inBlock && !autocommit) autocommit = { startedAt: s.startedAt, endedAt: s.endedAt, statements: [], inTransaction: false };
    add(inBlock ?? autocommit!, run);
    if (inBlock && autocommit) {
      groups.push(closed(autocommit));
      autocommit = undefined;
    }
    if (s.error) {
      const g = inBlock ?? autocommit!;
      return [...groups, { ...closed(g), failed: { statement: run.statement, error: s.error.message, code: s.error.code } }];
    }
  }
  if (autocommit) groups.push(closed(autocommit));
  return groups.sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * The team's command run against the database at `url` through a wire-protocol proxy, each of the
 * migration's statements measured as runGroups measures a file's: the backend's locks polled while
 * it runs (read exactly after it, inside a transaction), its waits, and whether it rewrote a table.
 */
export async function measureCommand(
  cmd: CodeCommand,
  url: string,
  observer: pg.Client,
  relations: number[],
  measured: MeasuredStatements,
): Promise<{ runs: GroupRun[]; result: CommandResult; statements: WireStatement[] }> {
  const watchers = new Map<number, Promise<LockWatcher>>();
  const watches = new Map<WireStatementStart, Watch>();
  // What each backend's open transaction held after its previous statement: a statement's locks are the ones it added.
  const held = new Map<number, string[]>();
  const proxy = await WireProxy.start(url, {
    beforeStatement: async (s) => {
      const statement = measured.of(s);
      if (!statement) return;
      if (!watchers.has(s.pid)) watchers.set(s.pid, LockWatcher.open(url));
      const watcher = await watchers.get(s.pid)!;
      const before = await fileNodes(observer, relations);
      watcher.start(s.pid, relations);
      watches.set(s, { statement, watcher, before });
    },
    afterStatement: async (s) => {
      if (isControl(s)) held.delete(s.pid);
      const w = watches.get(s);
      if (!w) return;
      await w.watcher.stop();
      const waitedUntil = w.watcher.waitedUntil();
      const inTransaction = s.statusBefore !== 'I' || s.statusAfter !== 'I';
      const now = inTransaction ? await locksHeld(observer, relations, s.pid) : w.watcher.seen();
      const before = s.statusBefore === 'I' ? [] : (held.get(s.pid) ?? []);
      held.set(s.pid, now);
      const locks = now.filter((m) => !before.includes(m));
      const rewritten = changed(w.before, await fileNodes(observer, relations));
      const waitedMs = waitedUntil === undefined ? 0 : Math.min(s.endedAt, waitedUntil) - s.startedAt;
      w.run = { startedAt: s.startedAt, endedAt: s.endedAt, locks, rewritten, waitedMs, rows: tagRows(s.tag) };
    },
  });
  try {
    const result = await runCommand(cmd, proxy.url);
    const statements = proxy.statements();
    return { runs: await groupsOf(statements, watches), result, statements };
  } finally {
    await proxy.close();
    await Promise.all([...watchers.values()].map(async (w) => (await w).close()));
  }
}
