import test from 'ava';
import { wrap } from '../../src/cli/try-table.js';
import { formatTry } from '../../src/cli/try-view.js';
import { tryVerdicts, type SizeRun } from '../../src/try/verdict.js';

/** A migration file of three statements and another of one, quiet at two sizes and behind a long query at the larger. */
const run = (rows: number, scale: number): SizeRun => ({
  rows,
  statements: [
    {
      key: 'prisma/migrations/20250301000000_post_author_index/migration.sql:2',
      kind: 'ALTER TABLE ADD COLUMN',
      ms: 2,
      lock: 'AccessExclusiveLock',
      rewritten: false,
      heldMs: 1,
      readersHeldMs: 1,
      waitedMs: 0,
    },
    {
      key: 'prisma/migrations/20250301000000_post_author_index/migration.sql:5',
      kind: 'CREATE INDEX',
      ms: 28 * scale,
      lock: 'ShareLock',
      rewritten: false,
      heldMs: 27 * scale,
      readersHeldMs: 27 * scale,
      waitedMs: 0,
    },
    {
      key: 'prisma/migrations/20250301000000_post_author_index/migration.sql:7',
      kind: 'ALTER TABLE ALTER COLUMN TYPE',
      ms: 70 * scale,
      rewritten: true,
      heldMs: 69 * scale,
      readersHeldMs: 69 * scale,
      waitedMs: 0,
    },
    {
      key: 'prisma/migrations/20250302000000_orders/migration.sql:1',
      kind: 'CREATE INDEX CONCURRENTLY',
      ms: 120 * scale,
      lock: 'ShareUpdateExclusiveLock',
      rewritten: false,
      heldMs: 3,
      readersHeldMs: 2,
      waitedMs: 0,
    },
  ],
  groups: [
    {
      key: 'prisma/migrations/20250301000000_post_author_index/migration.sql:2',
      statements: [
        'prisma/migrations/20250301000000_post_author_index/migration.sql:2',
        'prisma/migrations/20250301000000_post_author_index/migration.sql:5',
        'prisma/migrations/20250301000000_post_author_index/migration.sql:7',
      ],
      inTransaction: true,
      ms: 100 * scale,
      holder: 'prisma/migrations/20250301000000_post_author_index/migration.sql:2',
      holdMs: 100 * scale,
      heldMs: 98 * scale,
      readersHeldMs: 98 * scale,
      waitedMs: 0,
      attempts: 1,
    },
    {
      key: 'prisma/migrations/20250302000000_orders/migration.sql:1',
      statements: ['prisma/migrations/20250302000000_orders/migration.sql:1'],
      inTransaction: false,
      ms: 120 * scale,
      heldMs: 3,
      readersHeldMs: 2,
      waitedMs: 0,
      attempts: 1,
    },
  ],
});

function behind(): SizeRun {
  const r = run(1_000_000, 10);
  r.statements = r.statements.map((s) => ({ ...s, waitedMs: s.key.endsWith(':2') || s.kind === 'CREATE INDEX CONCURRENTLY' ? 3001 : 0 }));
  r.groups = r.groups.map((g) => ({ ...g, waitedMs: 3001, heldMs: (g.heldMs ?? 0) + (g.inTransaction ? 3000 : 0), readersHeldMs: (g.readersHeldMs ?? 0) + (g.inTransaction ? 3000 : 0) }));
  return r;
}

const lint = {
  findings: [
    { rule: 'require-concurrent-index-creation', message: '', statement: 'prisma/migrations/20250301000000_post_author_index/migration.sql:5' },
    { rule: 'prefer-robust-stmts', message: '', statement: 'prisma/migrations/20250301000000_post_author_index/migration.sql:5' },
    { rule: 'changing-column-type', message: '', statement: 'prisma/migrations/20250301000000_post_author_index/migration.sql:7' },
  ],
};

for (const width of [80, 120]) {
  test(`the terminal report at ${width} columns: a heading per file, a line per statement with the verdict first, nothing wider than the terminal`, (t) => {
    const v = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 10_000_000, 1000, { run: behind(), longQueryMs: 3000 });
    const text = formatTry(v, [100_000, 1_000_000], lint, undefined, { width, colour: false });
    const lines = text.trimEnd().split('\n');
    const table = lines.slice(
      0,
      lines.findIndex((l) => l.startsWith('lint (squawk):')),
    );
    for (const l of table) t.true(l.length <= width, `${l.length} > ${width}: ${l}`);
    t.true(table.includes('prisma/migrations/20250302000000_orders/migration.sql'), 'a heading per file');
    t.regex(text, /^ {2}BLOCKS readers and writers +:2 ALTER TABLE ADD COLUMN/m);
    t.regex(text, /^ {2}ok +:1 CREATE INDEX/m);
    t.snapshot(text);
  });
}

test('the table colours the verdicts on a TTY, and nothing else', (t) => {
  const v = tryVerdicts([run(100_000, 1), run(1_000_000, 10)], 1_000_000, 500);
  const text = formatTry(v, [100_000, 1_000_000], undefined, undefined, { width: 120, colour: true });
  const ESC = String.fromCharCode(27);
  t.true(text.includes(`${ESC}[31mBLOCKS readers and writers`), 'a failing verdict in red');
  t.true(text.includes(`${ESC}[32mok`), 'ok in green');
  t.false(formatTry(v, [100_000, 1_000_000], undefined, undefined, { width: 120, colour: false }).includes(ESC));
});

test('wrap: words on lines of the width, each indented', (t) => {
  t.deepEqual(wrap('a bb ccc dddd', 8, '  '), ['  a bb', '  ccc', '  dddd']);
});
