/** Where the database URL comes from. The seed's README order: TEST_DATABASE_URL wins over DATABASE_URL. */
export type UrlSource = 'TEST_DATABASE_URL' | 'DATABASE_URL' | '--scratch-url';

export interface ResolvedUrl {
  url: string;
  source: UrlSource;
}

export const URL_VARIABLES: readonly Exclude<UrlSource, '--scratch-url'>[] = ['TEST_DATABASE_URL', 'DATABASE_URL'];

/** The first non-empty URL variable, or undefined when the caller should start an embedded server. */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv = process.env): ResolvedUrl | undefined {
  for (const source of URL_VARIABLES) {
    const url = env[source]?.trim();
    if (url) return { url, source };
  }
  return undefined;
}

/** host:port/database of a URL, never its password: safe to print. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || 'localhost';
    const port = u.port || '5432';
    const db = u.pathname.replace(/^\//, '') || '(default database)';
    return `${host}:${port}/${db}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** host:port alone, for "is it running?" hints. */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return '(unparsable URL)';
  }
}
