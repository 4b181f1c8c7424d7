import { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { InvalidOptionError } from '../../core/errors.js';
import { readCsv } from '../../results/csv.js';
import { renderReport } from '../../results/report.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('write one self-contained HTML page from one or more bench CSVs; several are releases in order: each is judged against the one before, and the trends mark where a step happened')
    .argument('<csv...>', 'bench CSV files, oldest release first')
    .option('--out <file>', 'HTML file to write', 'results/report.html')
    .action((files: string[], o: { out: string }) => {
      for (const f of files) if (!existsSync(f)) throw new InvalidOptionError('report', `no such file: ${f}`);
      const html = renderReport(files.map((f) => ({ name: basename(f, '.csv'), rows: readCsv(f) })));
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, html);
      process.stdout.write(`wrote ${o.out}\n`);
    });
}
