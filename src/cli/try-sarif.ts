import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { packageVersion } from '../results/metadata.js';
import { VERDICTS, type VerdictEntry, type VerdictWord } from '../results/verdicts.js';
import type { TryVerdicts } from '../try/verdict.js';
import { tryFindings } from './try-view.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const ruleId = (verdict: string) => `pgmb-try/${verdict.replace(/ /g, '-')}`;

/** A finding's file as code scanning wants it: relative to the project root (where pgmb runs in CI), with forward slashes. */
const projectPath = (file: string) => relative(process.cwd(), resolve(file)).split(sep).join('/');

/**
 * `pgmb try --sarif`: SARIF 2.1.0 for code scanning, each failing statement a result on its file and
 * line (a --command migration, which has no file of its own, by its name), each verdict word a rule
 * whose help is the catalogue's what-to-do.
 */
export function trySarif(v: TryVerdicts): unknown {
  const findings = tryFindings(v);
  const words = [...new Set(findings.map((f) => f.verdict))];
  const rules = words.map((w) => {
    const entry: VerdictEntry = VERDICTS[w as VerdictWord];
    return { id: ruleId(w), name: w, shortDescription: { text: w }, fullDescription: { text: entry.means }, help: { text: entry.todo ?? entry.means }, defaultConfiguration: { level: 'error' } };
  });
  const results = findings.map((f) => ({
    ruleId: ruleId(f.verdict),
    ruleIndex: words.indexOf(f.verdict),
    level: 'error',
    message: { text: f.message },
    ...(existsSync(f.file)
      ? { locations: [{ physicalLocation: { artifactLocation: { uri: projectPath(f.file), uriBaseId: '%SRCROOT%' }, region: { startLine: f.line } } }] }
      : { locations: [{ logicalLocations: [{ name: `${f.file}:${f.line}`, kind: 'module' }] }] }),
  }));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'pgmb try', version: packageVersion(), rules } }, results }],
  };
}
