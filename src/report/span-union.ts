import { ARRAY_CONTAINER, forEachContainer, RUN_CONTAINER } from '../bitmap/roaring.js';
import { TrackUnion } from './track-union.js';

/** Parts whose stored counts add up to at most this many tracks are counted by sorting their values. */
export const SMALL_SPAN_TRACKS = 512;

/**
 * The number of distinct tracks in the parts (cells, chunks, rollups) of one volume's span: a lone
 * part gives its stored count; a few small parts (stored counts adding up to at most
 * `SMALL_SPAN_TRACKS`) are kept by reference and counted by listing their values, sorting them and
 * counting the distinct ones — a fraction of a `TrackUnion`'s cost for the tiny bitmaps of a
 * quiet volume's cycle; larger spans are ORed in a `TrackUnion`. Memory: the parts' references
 * and a fixed list of `SMALL_SPAN_TRACKS` values.
 */
export class SpanUnion {
  readonly #union = new TrackUnion();
  readonly #values = new Uint32Array(SMALL_SPAN_TRACKS);
  #n = 0;
  #data: Uint8Array[] = [];
  #at: number[] = [];
  #length: number[] = [];
  #parts = 0;
  #firstData: Uint8Array | null = null;
  #firstAt = 0;
  #firstLength = 0;
  #storedTracks = 0;
  #small = true;

  get parts(): number {
    return this.#parts;
  }

  /** A part: its bitmap at `data[at, at + length)` and its stored count. */
  add(data: Uint8Array, at: number, length: number, tracks: number): void {
    // A lone part is never decoded (its stored count): kept in fields, no list (most spans).
    if (++this.#parts === 1) {
      this.#firstData = data;
      this.#firstAt = at;
      this.#firstLength = length;
      this.#storedTracks = tracks;
      return;
    }
    if (!this.#small) return this.#union.add(viewOf(data, at, length));
    if (this.#parts === 2) this.#keep(this.#firstData!, this.#firstAt, this.#firstLength);
    this.#keep(data, at, length);
    this.#storedTracks += tracks;
    // Past the small list the parts are ORed.
    if (this.#storedTracks > SMALL_SPAN_TRACKS) this.#toUnion();
  }

  #keep(data: Uint8Array, at: number, length: number): void {
    this.#data.push(data);
    this.#at.push(at);
    this.#length.push(length);
  }

  /** Distinct tracks of the parts added since the last `clear`. */
  count(): number {
    if (this.#parts === 1) return this.#storedTracks;
    if (this.#small && !this.#listAll()) this.#toUnion();
    if (!this.#small) return this.#union.count();
    const values = this.#values.subarray(0, this.#n).sort();
    let distinct = values.length > 0 ? 1 : 0;
    for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1]) distinct++;
    return distinct;
  }

  clear(): void {
    if (this.#parts > 1) {
      if (!this.#small) this.#union.clear();
      this.#data.length = 0;
      this.#at.length = 0;
      this.#length.length = 0;
    }
    this.#firstData = null;
    this.#parts = 0;
    this.#storedTracks = 0;
    this.#small = true;
  }

  /** OR the kept parts into the union, which takes every part from now on. */
  #toUnion(): void {
    for (let i = 0; i < this.#data.length; i++) this.#union.add(viewOf(this.#data[i]!, this.#at[i]!, this.#length[i]!));
    this.#data.length = 0;
    this.#at.length = 0;
    this.#length.length = 0;
    this.#small = false;
  }

  /** List the kept parts' values; false when they hold more than the list (a stored count was short). */
  #listAll(): boolean {
    this.#n = 0;
    let fits = true;
    const visit = (key: number, kind: number, card: number, at: number, view: DataView): void => {
      if (!fits) return;
      const base = key * 65536;
      if (kind === ARRAY_CONTAINER && this.#n + card <= SMALL_SPAN_TRACKS) {
        for (let i = 0; i < card; i++) this.#values[this.#n++] = base + view.getUint16(at + 2 * i, true);
      } else if (kind === RUN_CONTAINER && this.#n + card <= SMALL_SPAN_TRACKS) {
        const runs = view.getUint16(at, true);
        for (let r = 0; r < runs; r++) {
          const start = view.getUint16(at + 2 + 4 * r, true);
          const last = start + view.getUint16(at + 4 + 4 * r, true);
          if (this.#n + last - start + 1 > SMALL_SPAN_TRACKS) fits = false;
          else for (let v = start; v <= last; v++) this.#values[this.#n++] = base + v;
        }
      } else fits = false;
    };
    for (let i = 0; i < this.#data.length && fits; i++) {
      forEachContainer(viewOf(this.#data[i]!, this.#at[i]!, this.#length[i]!), visit);
    }
    return fits;
  }
}

function viewOf(data: Uint8Array, at: number, length: number): Uint8Array {
  return at === 0 && length === data.byteLength ? data : new Uint8Array(data.buffer, data.byteOffset + at, length);
}
