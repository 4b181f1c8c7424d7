import Table from 'cli-table3';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InvalidOptionError } from '../../engine/errors.js';
import { compareRuns } from '../../results/compare.js';
import { readCsv } from '../../results/csv.js';
import { EXIT } from '../exit-codes.js';
import { parseFraction } from '../parse.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare two bench CSVs case by case (each may hold several runs); exit 1 when a case regressed beyond the threshold and the noise')
    .argument('<base>', 'the baseline CSV, e.g. results/baseline-0.2.0.csv')
    .argument('<new>', 'the CSV of the run to judge')
    .option('--threshold <fraction>', 'slowdown that counts as a regression, when it also exceeds the noise (rme)', '0.15')
    .addHelpText('after', '\nExit codes: 0 no regression, 1 regression, 2 bad input.')
    .action((basePath: string, newPath: string, o: { threshold: string }) => {
      const threshold = parseFraction('--threshold', o.threshold);
      for (const p of [basePath, newPath]) if (!existsSync(p)) throw new InvalidOptionError('compare', `no such file: ${p}`);
      const results = compareRuns(readCsv(basePath), readCsv(newPath), threshold);
      const table = new Table({ head: ['suite', 'case', 'strategy', 'rows', 'policy', 'base runs', 'base ms', 'new ms', 'delta', 'noise', 'verdict'], style: { head: [], border: [] } });
      const fmt = (n?: number) => (n === undefined ? '' : n.toFixed(1));
      const pct = (n?: number) => (n === undefined ? '' : `${n >= 0 ? '+' : ''}${(n * 100).toFixed(1)}%`);
      for (const c of results) {
        table.push([c.suite, c.case, c.strategy, c.rows, c.policy, c.baseRuns, fmt(c.baseMs), fmt(c.newMs), pct(c.delta), `±${(c.noise * 100).toFixed(1)}%`, c.verdict]);
      }
      process.stdout.write(`${table.toString()}\n`);
      const regressions = results.filter((c) => c.verdict === 'regression');
      process.stdout.write(
        regressions.length
          ? `${regressions.length} regression(s) over ${(threshold * 100).toFixed(0)}% and the noise\n`
          : `no regression over ${(threshold * 100).toFixed(0)}% (${results.length} cases)\n`,
      );
      process.exitCode = regressions.length ? EXIT.failure : EXIT.ok;
    });
}
