import { RoaringUnion } from '../bitmap/roaring-union.js';
import { eachCount } from '../store/rollup.js';
import type { CellSource } from './cells.js';
import type { ChangedRange } from './changes.js';
import { tileWindow, type Tile } from './tiling.js';
import { eachVolumeCell } from './volume-cells.js';

/** Compression ratio of one (volume, interval): changed bytes per byte sent. */
export type RatioAt = (volume: string, startS: number) => number;

/**
 * The tiles of a run [fromS, toS) answered from the store's rollups (`tileWindow`: the coarsest
 * stored periods — hours, days — that lie whole inside it, fine cells at its edges), or null when
 * the source keeps no rollups or no period lies whole inside the run (the fine cells are then all
 * there is to read).
 */
export function runTiles(source: CellSource, fromS: number, toS: number): Tile[] | null {
  const levels = source.rollupLevelsS ?? [];
  if (levels.length === 0 || source.rollups === undefined) return null;
  const tiles = tileWindow(fromS, toS, null, levels);
  return tiles.some((t) => t.levelS > 0) ? tiles : null;
}

/**
 * The changes of `volumes` over the run [fromS, toS) (whole intervals) from its tiles: per volume
 * the OR of its stored periods' ORs and its fine cells at the edges (each track counted once),
 * summed over volumes in the order given — the same figure the run's fine cells give, read from a
 * few rows per volume instead of every cell. With `ratioAt` each volume's part is divided by the
 * changed-track-weighted harmonic mean of its intervals' ratios (the per-cell counts the periods
 * keep give each interval's tracks), summed in time order as a read of the cells sums them.
 * Memory: one volume's OR over the run (the size of the answer) and one page of rows.
 */
export async function tiledRun(
  source: CellSource,
  volumes: readonly string[],
  tiles: readonly Tile[],
  trackBytes: number,
  ratioAt: RatioAt | null,
): Promise<ChangedRange> {
  const rollups = source.rollups!;
  const union = new RoaringUnion();
  let tracks = 0;
  let compressed = 0;
  for (const volume of volumes) {
    let parts = 0;
    let single = 0; // the tracks of the only part, when there is one
    let intervalTracks = 0;
    let compressedTracks = 0;
    const add = (bitmap: Uint8Array, partTracks: number): void => {
      if (parts === 0) single = partTracks;
      parts++;
      union.add(bitmap);
    };
    const addInterval = (startS: number, cellTracks: number): void => {
      intervalTracks += cellTracks;
      if (ratioAt !== null) compressedTracks += cellTracks / ratioAt(volume, startS);
    };
    for (const tile of tiles) {
      if (tile.levelS === 0) {
        await eachVolumeCell(source, volume, tile.fromS, tile.toS, (startS, cellTracks, _bytes, bitmap) => {
          add(bitmap, cellTracks);
          addInterval(startS, cellTracks);
        });
        continue;
      }
      for await (const page of rollups(volume, tile.levelS, tile.fromS, tile.toS)) {
        for (const r of page) {
          add(r.orBitmap, r.changedTracks);
          eachCount(r, addInterval);
        }
      }
    }
    if (parts === 0) continue;
    const volumeTracks = parts === 1 ? single : union.cardinality();
    union.clear();
    tracks += volumeTracks;
    if (ratioAt !== null) compressed += intervalTracks === 0 ? 0 : (volumeTracks * compressedTracks) / intervalTracks;
  }
  if (ratioAt === null) compressed = tracks;
  return { changedBytes: tracks * trackBytes, compressedBytes: compressed * trackBytes };
}
