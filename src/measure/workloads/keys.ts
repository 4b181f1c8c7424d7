import type pg from 'pg';

/** Keys of existing rows to update or read: sampled cheaply, so the traffic hits rows a migration may hold. */
const SAMPLE_KEYS = 200;

/** Up to SAMPLE_KEYS primary keys of `tableSql`, each as text in `key`'s order (quoted column names); none without a key. */
export async function sampleKeys(client: pg.Client, tableSql: string, key: readonly string[]): Promise<string[][]> {
  if (!key.length) return [];
  return (await client.query<string[]>({ text: `SELECT ${key.map((k) => `${k}::text`).join(', ')} FROM ${tableSql} LIMIT ${SAMPLE_KEYS}`, rowMode: 'array' })).rows;
}

/** `$from, $from+1, ...`: one parameter per key column. */
export const keyParams = (key: readonly string[], from: number) => key.map((_, i) => `$${i + from}`).join(', ');
