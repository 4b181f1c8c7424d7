/** Colours of a report's series: one per name, the same in every chart, so the eye can follow one thing. */

/** Operations and strategies: ten colours told apart by most eyes (Tableau 10). */
export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** Releases, newest darkest: older ones fade, so the last release stands out in every chart. */
const RELEASE_SHADES = ['#08306b', '#2171b5', '#6baed6', '#9ecae1', '#c6dbef'];

/** A colour per name, handed out in the order names are first asked for. */
export class Colours {
  private readonly seen = new Map<string, string>();
  of(name: string): string {
    if (!this.seen.has(name)) this.seen.set(name, PALETTE[this.seen.size % PALETTE.length]!);
    return this.seen.get(name)!;
  }
}

/** The colour of the i-th of `count` releases (oldest first); past five, the oldest share the palest. */
export const releaseColour = (i: number, count: number) => RELEASE_SHADES[Math.min(count - 1 - i, RELEASE_SHADES.length - 1)]!;
