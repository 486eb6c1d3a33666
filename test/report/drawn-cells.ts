import { serializeRoaring } from '../../src/bitmap/roaring.js';
import type { IntervalRow } from '../../src/store/store.js';
import { encodeProfile } from '../../src/store/write-profile.js';

// Cells drawn by the cycle-grid and tiled-run properties, and the answer computed from them with
// sets (the oracle those tests hold the store's paths to).

export const I = 60;
export const T = 4096;
export const settings = { intervalS: I, trackBytes: T };

/** One drawn row: a run's tracks of a volume at interval index `k` (start k × I). */
export interface Drawn {
  run: number;
  volume: string;
  k: number;
  tracks: number[];
}

/** Measured ratio of one (volume, interval): arbitrary but fixed, between 1 and 3. */
export const ratioAt = (volume: string, startS: number): number =>
  1 + ((volume.charCodeAt(0) * 7 + startS / I) % 9) / 4;

export function rowOf(c: Drawn): IntervalRow {
  const sorted = Uint32Array.from(new Set(c.tracks)).sort();
  return {
    volume: c.volume,
    startS: c.k * I,
    writes: sorted.length,
    writeBytes: sorted.length * 512,
    reads: 0,
    readBytes: 0,
    changedTracks: sorted.length,
    bitmap: serializeRoaring(sorted),
    writeProfile: encodeProfile(new Float64Array(I)),
  };
}

/** Each run's rows: one per (volume, interval), the last drawn for it. */
export function rowsByRun(cells: Drawn[]): Map<number, IntervalRow[]> {
  const byRun = new Map<number, Map<string, IntervalRow>>();
  for (const c of cells) {
    let rows = byRun.get(c.run);
    if (rows === undefined) byRun.set(c.run, (rows = new Map()));
    rows.set(`${c.volume}@${c.k}`, rowOf(c));
  }
  return new Map([...byRun].map(([run, rows]) => [run, [...rows.values()]]));
}

/**
 * The changes of [fromK, toK) from the drawn cells with sets: each (volume, interval)'s tracks
 * the union of its runs' last rows, each volume's intervals ORed, volumes summed by name; with
 * ratios each volume's distinct tracks × Σ (c_i / r_i) / Σ c_i in time order.
 */
export function expectedChanges(
  cells: Drawn[],
  fromK: number,
  toK: number,
  withRatios: boolean,
): { changed: number; compressed: number } {
  const byRun = new Map<string, Drawn>();
  for (const c of cells) byRun.set(`${c.run}/${c.volume}@${c.k}`, c);
  const cell = new Map<string, Set<number>>(); // volume@k -> tracks
  for (const c of byRun.values()) {
    const key = `${c.volume}@${c.k}`;
    const set = cell.get(key) ?? new Set<number>();
    for (const t of c.tracks) set.add(t);
    cell.set(key, set);
  }
  let changed = 0;
  let compressed = 0;
  for (const volume of [...new Set(cells.map((c) => c.volume))].sort()) {
    const union = new Set<number>();
    let sumTracks = 0;
    let sumCompressed = 0;
    let any = false;
    for (let k = fromK; k < toK; k++) {
      const tracks = cell.get(`${volume}@${k}`);
      if (tracks === undefined) continue;
      any = true;
      for (const t of tracks) union.add(t);
      sumTracks += tracks.size;
      sumCompressed += tracks.size / (withRatios ? ratioAt(volume, k * I) : 1);
    }
    if (!any) continue;
    changed += union.size;
    compressed += withRatios ? (sumTracks === 0 ? 0 : (union.size * sumCompressed) / sumTracks) : union.size;
  }
  return { changed: changed * T, compressed: compressed * T };
}
