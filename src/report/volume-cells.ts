import { forEachPackedInterval, unpackChunk, type PackedIntervalVisit } from '../store/chunk.js';
import type { RawChunk } from '../store/store.js';
import { cellsOfPage, type CellSource } from './cells.js';

/**
 * One volume's merged cells with starts in [fromS, toS), ascending, handed over one by one: from
 * the packed chunks without an object per cell when the source gives them (`chunkData`), a chunk
 * start held by several runs merged exactly (tracks ORed, counters summed, profiles added when
 * `withProfiles`, else empty); else from `cells`.
 * Memory: one page of chunks.
 */
export async function eachVolumeCell(
  source: CellSource,
  volume: string,
  fromS: number,
  toS: number,
  visit: PackedIntervalVisit,
  withProfiles = false,
): Promise<void> {
  if (source.chunkData === undefined) {
    for await (const page of source.cells([volume], fromS, toS, withProfiles)) {
      for (const c of page) visit(c.startS, c.changedTracks, c.writeBytes, c.bitmap, c.writeProfile);
    }
    return;
  }
  let group: RawChunk[] = [];
  const flush = (): void => {
    if (group.length === 1) forEachPackedInterval(group[0]!.chunkS, group[0]!.data, fromS, toS, visit, withProfiles);
    else if (group.length > 1) {
      const rows = group.flatMap((c) => unpackChunk(volume, c.chunkS, c.data, fromS, toS, withProfiles));
      // Stable: one start's rows stay in run order, side by side, for the merge.
      rows.sort((a, b) => a.startS - b.startS);
      for (const c of cellsOfPage(rows)) visit(c.startS, c.changedTracks, c.writeBytes, c.bitmap, c.writeProfile);
    }
    group = [];
  };
  for await (const page of source.chunkData(volume, fromS, toS)) {
    for (const c of page) {
      if (group.length > 0 && group[0]!.chunkS !== c.chunkS) flush();
      group.push(c);
    }
  }
  flush();
}
