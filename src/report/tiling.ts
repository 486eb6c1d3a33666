/** A piece of a window answered at one level: a rollup level (s), or 0 for the fine cells. */
export interface Tile {
  levelS: number;
  fromS: number;
  toS: number; // exclusive
}

/**
 * Tile [firstS, endS) with the coarsest rollup periods that lie whole inside buckets of `stepS`
 * (null: one bucket, the window), and fine cells at the edges; tiles ascending, contiguous. A
 * level is used only when every bucket boundary falls on its period boundaries (`stepS` a
 * multiple of it), so no period straddles two buckets.
 */
export function tileWindow(firstS: number, endS: number, stepS: number | null, levelsS: readonly number[]): Tile[] {
  const usable = levelsS.filter((l) => stepS === null || stepS % l === 0);
  const tile = (fromS: number, toS: number, level: number): Tile[] => {
    if (toS <= fromS) return [];
    if (level < 0) return [{ levelS: 0, fromS, toS }];
    const l = usable[level]!;
    const a = Math.ceil(fromS / l) * l;
    const b = Math.floor(toS / l) * l;
    if (b <= a) return tile(fromS, toS, level - 1);
    return [...tile(fromS, a, level - 1), { levelS: l, fromS: a, toS: b }, ...tile(b, toS, level - 1)];
  };
  return tile(firstS, endS, usable.length - 1);
}
