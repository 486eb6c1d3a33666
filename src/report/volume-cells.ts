import { forEachPackedBitmap, forEachPackedInterval, unpackChunk } from '../store/chunk.js';
import type { PackedBitmapVisit, PackedIntervalVisit } from '../store/chunk.js';
import type { RawChunk } from '../store/store.js';
import { cellsOfPage, type CellSource, type PlacedCell } from './cells.js';

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
  const merged = (c: PlacedCell): void => visit(c.startS, c.changedTracks, c.writeBytes, c.bitmap, c.writeProfile);
  if (source.chunkData === undefined) {
    for await (const page of source.cells([volume], fromS, toS, withProfiles)) for (const c of page) merged(c);
    return;
  }
  await eachChunkGroup(source.chunkData(volume, fromS, toS), (group) => {
    if (group.length === 1) forEachPackedInterval(group[0]!.chunkS, group[0]!.data, fromS, toS, visit, withProfiles);
    else for (const c of mergedCells(volume, group, fromS, toS, withProfiles)) merged(c);
  });
}

/**
 * `eachVolumeCell` without profiles, each cell's bitmap handed over as its place in a view (of
 * its chunk, or of the merged cell's bitmap): no object per cell of a chunk held by one run.
 */
export async function eachVolumeBitmap(
  source: CellSource,
  volume: string,
  fromS: number,
  toS: number,
  visit: PackedBitmapVisit,
): Promise<void> {
  const viewOf: PackedIntervalVisit = (startS, changedTracks, writeBytes, bitmap) => {
    const view = new DataView(bitmap.buffer, bitmap.byteOffset, bitmap.byteLength);
    visit(startS, changedTracks, writeBytes, view, 0, bitmap.byteLength, 0, 0); // no profile read
  };
  if (source.chunkData === undefined) return eachVolumeCell(source, volume, fromS, toS, viewOf);
  await eachChunkGroup(source.chunkData(volume, fromS, toS), (group) => {
    if (group.length === 1) forEachPackedBitmap(group[0]!.chunkS, group[0]!.data, fromS, toS, visit);
    else
      for (const c of mergedCells(volume, group, fromS, toS, false))
        viewOf(c.startS, c.changedTracks, c.writeBytes, c.bitmap, c.writeProfile);
  });
}

/** Hand over the chunks of `pages` grouped by chunk start (one group per start, its runs in order). */
async function eachChunkGroup(pages: AsyncIterable<RawChunk[]>, onGroup: (group: RawChunk[]) => void): Promise<void> {
  let group: RawChunk[] = [];
  for await (const page of pages) {
    for (const c of page) {
      if (group.length > 0 && group[0]!.chunkS !== c.chunkS) {
        onGroup(group);
        group = [];
      }
      group.push(c);
    }
  }
  if (group.length > 0) onGroup(group);
}

/** The cells of one chunk start held by several runs, merged exactly. */
function mergedCells(
  volume: string,
  group: RawChunk[],
  fromS: number,
  toS: number,
  withProfiles: boolean,
): PlacedCell[] {
  const rows = group.flatMap((c) => unpackChunk(volume, c.chunkS, c.data, fromS, toS, withProfiles));
  // Stable: one start's rows stay in run order, side by side, for the merge.
  rows.sort((a, b) => a.startS - b.startS);
  return cellsOfPage(rows);
}
