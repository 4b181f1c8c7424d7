import { parseSync } from 'libpg-query';
import type { Node } from '../describe.js';

/** A statement's parse tree (the parser loaded: loadParser), or undefined where the parser refuses it. */
export function treeOf(sql: string): Node | undefined {
  try {
    return parseSync(sql);
  } catch {
    return undefined;
  }
}

/** What `pick` makes of each node of a tree, depth first, where it makes something. */
export function collect<T>(tree: unknown, pick: (n: Node) => T | undefined): T[] {
  const found: T[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) for (const x of n) walk(x);
    else if (n && typeof n === 'object') {
      const got = pick(n as Node);
      if (got !== undefined) found.push(got);
      for (const x of Object.values(n)) walk(x);
    }
  };
  walk(tree);
  return found;
}
