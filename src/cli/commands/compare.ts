import Table from 'cli-table3';
import { confirm, suspects } from '../../../bench/confirm.js';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InvalidOptionError } from '../../core/errors.js';
import { compareRuns, DEFAULT_COMPARE, failures, type Comparison, type ComplexityChange, type Verdicts } from '../../results/compare.js';
import { readCsv } from '../../results/csv.js';
import { EXIT } from '../exit-codes.js';
import { parseFraction, parsePositiveInt } from '../parse.js';
import { createReporter } from '../progress-view.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare two bench CSVs case by case, by time and by the work each operation did; exit 1 on a regression')
    .argument('<base>', 'the baseline CSV, e.g. results/baseline-0.3.0.csv')
    .argument('<new>', 'the CSV of the run to judge')
    .option('--threshold <fraction>', 'time change that counts, when a t-test over runs is also sure of it', String(DEFAULT_COMPARE.threshold))
    .option('--work-threshold <fraction>', 'rise of a work counter (rows, WAL records, WAL bytes, blocks touched) that counts', String(DEFAULT_COMPARE.workThreshold))
    .option('--confirm [runs]', 'first re-measure each suspected case of the build checked out here this many more times (default 3), appending to <new>')
    .option('--slope-rise <n>', 'rise of the growth exponent (log-log slope of time over rows) that counts', String(DEFAULT_COMPARE.slopeRise))
    .addHelpText(
      'after',
      `
Verdicts (results/README.md explains each):
  regression / faster   time changed beyond --threshold and a t-test over whole runs is sure of it
  inconclusive          time changed beyond --threshold, but one run per side cannot tell the build
                        from the machine: append runs to each file (bench --out FILE), or --confirm
  more work             the operation's own counters (pg_stat_statements) rose beyond --work-threshold
  complexity            the growth exponent rose by --slope-rise, shown by runs or by work counters

Exit codes: 0 no regression (inconclusive included), 1 regression, more work or complexity, 2 bad input.`,
    )
    .action(async (basePath: string, newPath: string, o: { threshold: string; workThreshold: string; slopeRise: string; confirm?: string | true }) => {
      const options = {
        threshold: parseFraction('--threshold', o.threshold),
        workThreshold: parseFraction('--work-threshold', o.workThreshold),
        slopeRise: parseFraction('--slope-rise', o.slopeRise),
      };
      for (const p of [basePath, newPath]) if (!existsSync(p)) throw new InvalidOptionError('compare', `no such file: ${p}`);
      const confirmRuns = o.confirm === undefined ? 0 : o.confirm === true ? 3 : parsePositiveInt('--confirm', o.confirm);
      let verdicts = compareRuns(readCsv(basePath), readCsv(newPath), options);
      const suspected = confirmRuns ? suspects(verdicts.cases) : [];
      if (suspected.length) {
        await confirm(suspected, readCsv(newPath), newPath, confirmRuns, (line) => process.stderr.write(`${line}\n`), createReporter);
        verdicts = compareRuns(readCsv(basePath), readCsv(newPath), options);
      }
      process.stdout.write(formatVerdicts(verdicts, options.threshold));
      const f = failures(verdicts);
      process.exitCode = f.time.length + f.work.length + f.complexity.length ? EXIT.failure : EXIT.ok;
    });
}

const pct = (n?: number) => (n === undefined ? '' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`);
const ms = (n?: number) => (n === undefined ? '' : n.toFixed(1));

function caseRow(c: Comparison): string[] {
  const work = c.work ? `${c.work.counter} ${pct(c.work.delta)}` : '';
  return [
    c.suite,
    c.case,
    c.strategy,
    c.rows,
    c.policy,
    `${c.baseRuns}/${c.newRuns}`,
    ms(c.baseMs),
    ms(c.newMs),
    pct(c.delta),
    c.noise === undefined ? '?' : `±${(c.noise * 100).toFixed(1)}%`,
    c.verdict,
    work,
    c.work?.verdict ?? '',
  ];
}

function slopeRow(c: ComplexityChange): string[] {
  return [c.suite, c.case, c.strategy, c.policy, c.sizes.join(','), c.baseSlope.toFixed(2), c.newSlope.toFixed(2), `${c.verdict}${c.confirmedBy ? ` (by ${c.confirmedBy})` : ''}`];
}

/** The verdict tables and the lines a person and a script read last. */
export function formatVerdicts(v: Verdicts, threshold: number): string {
  const cases = new Table({
    head: ['suite', 'case', 'strategy', 'rows', 'policy', 'runs', 'base ms', 'new ms', 'time', 'noise', 'time verdict', 'work (most moved)', 'work verdict'],
    style: { head: [], border: [], compact: true },
  });
  for (const c of v.cases) cases.push(caseRow(c));
  let out = `${cases.toString()}\n`;
  const moved = v.complexity.filter((c) => c.verdict !== 'same');
  if (moved.length) {
    const slopes = new Table({ head: ['suite', 'case', 'strategy', 'policy', 'sizes', 'base slope', 'new slope', 'complexity'], style: { head: [], border: [], compact: true } });
    for (const c of moved) slopes.push(slopeRow(c));
    out += `growth exponent (time ~ rows^slope) rose by the threshold or more:\n${slopes.toString()}\n`;
  }
  const f = failures(v);
  if (f.inconclusive) {
    out +=
      `${f.inconclusive} inconclusive: time moved beyond ${(threshold * 100).toFixed(0)}% where one run per side cannot tell the build from the machine. ` +
      'For a verdict, append more runs to each file (npm run bench -- --out FILE) or rerun compare with --confirm.\n';
  }
  const found = [`${f.time.length} time regression(s)`, `${f.work.length} with more work`, `${f.complexity.length} complexity regression(s)`];
  out += `${found.join(', ')}; ${f.inconclusive} inconclusive (${v.cases.length} cases)\n`;
  return out;
}
