import type { CellMap, CellSource } from './cells.js';
import type { ChangedRange, ChangedRanges, CycleChanges } from './changes.js';
import { TrackUnion } from './track-union.js';
import { CycleGrid } from './cycle-grid.js';

/** One volume's cells, packed: parallel columns and the bitmaps end to end in one buffer. */
interface VolumeColumns {
  starts: Float64Array; // ascending
  tracks: Float64Array;
  writeBytes: Float64Array;
  bitmapEnds: Uint32Array; // bitmap k is bitmaps[bitmapEnds[k-1] .. bitmapEnds[k])
  bitmaps: Uint8Array;
  profileEnds: Uint32Array;
  profiles: Uint8Array;
}

/** A growable byte buffer for packing. */
class Packer {
  bytes = new Uint8Array(1024);
  length = 0;
  push(b: Uint8Array): number {
    if (this.length + b.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + b.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(b, this.length);
    return (this.length += b.length);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Pack one volume's cells (ascending starts) into columns. */
interface PackedCell {
  startS: number;
  changedTracks: number;
  writeBytes: number;
  bitmap: Uint8Array;
  writeProfile: Uint8Array;
}

function packVolume(cells: Iterable<PackedCell>): VolumeColumns {
  const starts: number[] = [];
  const tracks: number[] = [];
  const writeBytes: number[] = [];
  const bitmapEnds: number[] = [];
  const profileEnds: number[] = [];
  const bitmaps = new Packer();
  const profiles = new Packer();
  for (const c of cells) {
    starts.push(c.startS);
    tracks.push(c.changedTracks);
    writeBytes.push(c.writeBytes);
    bitmapEnds.push(bitmaps.push(c.bitmap));
    profileEnds.push(profiles.push(c.writeProfile));
  }
  return {
    starts: Float64Array.from(starts),
    tracks: Float64Array.from(tracks),
    writeBytes: Float64Array.from(writeBytes),
    bitmapEnds: Uint32Array.from(bitmapEnds),
    bitmaps: bitmaps.done(),
    profileEnds: Uint32Array.from(profileEnds),
    profiles: profiles.done(),
  };
}

/** Index of the first element >= value in an ascending array. */
function lowerBound(a: Float64Array, value: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Written bytes per second, sparse: only seconds with writes, ascending. */
export interface WriteProfile {
  seconds: Float64Array; // absolute (s)
  bytes: Float64Array;
}

/**
 * The changes of a set of volumes (one link's worth) over a window, as the planning models need
 * them: changed bytes over any run of whole intervals (bitmaps ORed per volume, then summed),
 * and written bytes per second. Cells are packed (columns and bitmaps end to end: tens of bytes
 * per cell beyond the bitmaps) and nothing is allocated per interval of an empty span: gaps cost
 * nothing (`nextActiveS` lets a caller jump them). ORs are memoized because the simulator and the
 * planner's bisection ask for the same ranges again and again.
 */
export class Timeline implements CycleChanges {
  readonly perIntervalCompression = false;
  readonly firstS: number;
  readonly endS: number; // exclusive
  readonly intervals: number;
  readonly #volumes: VolumeColumns[];
  /** Distinct interval starts with a cell in any volume, ascending. */
  readonly #active: Float64Array;
  readonly #memo = new Map<number, number>();
  readonly #union = new TrackUnion();
  #grid: CycleGrid | null = null;

  constructor(
    cells: CellMap | VolumeColumns[],
    readonly intervalS: number,
    readonly trackBytes: number,
    firstS: number,
    endS: number,
  ) {
    this.firstS = Math.floor(firstS / intervalS) * intervalS;
    this.endS = Math.ceil(endS / intervalS) * intervalS;
    this.intervals = (this.endS - this.firstS) / intervalS;
    this.#volumes = Array.isArray(cells)
      ? cells
      : [...cells.values()].map((byStart) =>
          packVolume([...byStart].sort((a, b) => a[0] - b[0]).map(([startS, c]) => ({ ...c, startS }))),
        );
    const starts = new Set<number>();
    for (const v of this.#volumes) for (const s of v.starts) if (s >= this.firstS && s < this.endS) starts.add(s);
    this.#active = Float64Array.from(starts).sort();
  }

  /**
   * Load the timeline of `volumes` over [fromS, toS) from a cell source, volume by volume,
   * packing each volume's cells as they arrive.
   */
  static async load(
    source: CellSource,
    volumes: readonly string[],
    intervalS: number,
    trackBytes: number,
    fromS: number,
    toS: number,
    withProfiles = true,
  ): Promise<Timeline> {
    const packed: VolumeColumns[] = [];
    const first = Math.floor(fromS / intervalS) * intervalS;
    for (const volume of volumes) {
      const cells = [];
      for await (const page of source.cells([volume], first, toS, withProfiles)) cells.push(...page);
      if (cells.length > 0) packed.push(packVolume(cells));
    }
    return new Timeline(packed, intervalS, trackBytes, fromS, toS);
  }

  /** Changed bytes in [fromS, toS) — interval aligned; the part outside the window is empty. */
  changedBytes(fromS: number, toS: number): number {
    const from = Math.max(0, Math.round((fromS - this.firstS) / this.intervalS));
    const to = Math.min(this.intervals, Math.round((toS - this.firstS) / this.intervalS));
    if (to <= from) return 0;
    const gridded = this.#grid?.answer(from, to - from);
    if (gridded != null) return gridded.changedBytes;
    const key = from * (this.intervals + 1) + to;
    const memo = this.#memo.get(key);
    if (memo !== undefined) return memo;
    const fromStartS = this.firstS + from * this.intervalS;
    const toStartS = this.firstS + to * this.intervalS;
    let tracks = 0;
    for (const v of this.#volumes) {
      const a = lowerBound(v.starts, fromStartS);
      const b = lowerBound(v.starts, toStartS);
      if (b - a === 1) {
        tracks += v.tracks[a]!;
        continue;
      }
      if (b === a) continue;
      this.#union.clear();
      for (let k = a; k < b; k++) {
        this.#union.add(v.bitmaps.subarray(k === 0 ? 0 : v.bitmapEnds[k - 1]!, v.bitmapEnds[k]!));
      }
      tracks += this.#union.count();
    }
    const bytes = tracks * this.trackBytes;
    this.#memo.set(key, bytes);
    return bytes;
  }

  /** Take a grid computed over this window elsewhere (the pass that chose to hold it). */
  useGrid(grid: CycleGrid): void {
    if (grid.intervals === this.intervals && grid.lengths > (this.#grid?.lengths ?? 0)) this.#grid = grid;
  }

  /** Compute every run of up to `cycleS` from every interval once (`CycleGrid`). */
  prepareCycles(cycleS: number): void {
    const lengths = Math.round(cycleS / this.intervalS);
    if ((this.#grid?.lengths ?? 0) >= lengths || !CycleGrid.fits(this.intervals, lengths)) return;
    const grid = new CycleGrid(this.intervals, lengths, this.trackBytes, false);
    for (const v of this.#volumes) {
      const part = grid.volume();
      const end = lowerBound(v.starts, this.endS);
      for (let k = lowerBound(v.starts, this.firstS); k < end; k++) {
        const bitmap = v.bitmaps.subarray(k === 0 ? 0 : v.bitmapEnds[k - 1]!, v.bitmapEnds[k]!);
        part.push((v.starts[k]! - this.firstS) / this.intervalS, v.tracks[k]!, bitmap, 1);
      }
      part.finish();
    }
    this.#grid = grid;
  }

  /** Nothing to release: the cells are in memory. */
  async close(): Promise<void> {}

  /** `changedBytes` of [fromS, toS) and [fromS, markS), for the simulator (no per-interval compression). */
  changed(fromS: number, toS: number, markS?: number): ChangedRanges {
    const range = (bytes: number): ChangedRange => ({ changedBytes: bytes, compressedBytes: bytes });
    return {
      whole: range(this.changedBytes(fromS, toS)),
      mark: markS === undefined ? null : range(this.changedBytes(fromS, markS)),
    };
  }

  /** Start of the first interval at or after `fromS` in which a selected volume has a cell; Infinity if none. */
  nextActiveS(fromS: number): number {
    const i = lowerBound(this.#active, Math.ceil(fromS / this.intervalS) * this.intervalS);
    return i < this.#active.length ? this.#active[i]! : Infinity;
  }

  /** Written bytes in the window (all selected volumes). */
  writtenBytes(): number {
    let total = 0;
    for (const v of this.#volumes) {
      const end = lowerBound(v.starts, this.endS);
      for (let k = lowerBound(v.starts, this.firstS); k < end; k++) total += v.writeBytes[k]!;
    }
    return total;
  }

  /** Written bytes per second of the window, summed over the selected volumes, sparse. */
  writeProfile(): WriteProfile {
    let entries = 0;
    for (const v of this.#volumes) entries += (v.profiles.length - 4 * v.starts.length) / 12;
    const seconds = new Float64Array(entries);
    const bytes = new Float64Array(entries);
    let n = 0;
    for (const v of this.#volumes) {
      const view = new DataView(v.profiles.buffer, v.profiles.byteOffset, v.profiles.byteLength);
      for (let k = 0, p = 0; k < v.starts.length; k++) {
        const count = view.getUint32(p, true);
        const inWindow = v.starts[k]! >= this.firstS && v.starts[k]! < this.endS;
        for (let i = 0, q = p + 4; i < count; i++, q += 12) {
          if (!inWindow) continue;
          seconds[n] = v.starts[k]! + view.getUint32(q, true);
          bytes[n++] = view.getFloat64(q + 4, true);
        }
        p = v.profileEnds[k]!;
      }
    }
    const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => seconds[a]! - seconds[b]!);
    const outSeconds: number[] = [];
    const outBytes: number[] = [];
    for (const i of order) {
      const s = seconds[i]!;
      if (s >= this.endS) continue;
      if (outSeconds.length > 0 && outSeconds[outSeconds.length - 1] === s) outBytes[outBytes.length - 1]! += bytes[i]!;
      else {
        outSeconds.push(s);
        outBytes.push(bytes[i]!);
      }
    }
    return { seconds: Float64Array.from(outSeconds), bytes: Float64Array.from(outBytes) };
  }
}
