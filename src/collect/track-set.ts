import { serializeRoaring } from '../bitmap/roaring.js';

/**
 * The collector's per-(volume, interval) flags: one bit per track, set by the first write, plus
 * the list of tracks set so far. The list makes closing O(tracks touched): it is sorted and
 * serialized as a roaring bitmap, then only those bits are cleared for reuse.
 */
export class TrackSet {
  bits: Uint32Array = new Uint32Array(256);
  touched: Uint32Array = new Uint32Array(256);
  count = 0;

  /** Set the flag of `track`; later writes to it change nothing. */
  add(track: number): void {
    const w = track >>> 5;
    if (w >= this.bits.length) this.#growBits(w);
    const mask = 1 << (track & 31);
    const word = this.bits[w]!;
    if ((word & mask) !== 0) return;
    this.bits[w] = word | mask;
    if (this.count === this.touched.length) {
      const grown = new Uint32Array(this.touched.length * 2);
      grown.set(this.touched);
      this.touched = grown;
    }
    this.touched[this.count++] = track;
  }

  /** Set flags for tracks [first, last] — last inclusive. */
  addRange(first: number, last: number): void {
    for (let t = first; t <= last; t++) this.add(t);
  }

  /** Serialize the set as a portable roaring bitmap, then clear it for the next interval. */
  closeToRoaring(): Uint8Array {
    const list = this.touched.subarray(0, this.count);
    list.sort();
    const blob = serializeRoaring(list, this.count);
    this.clear();
    return blob;
  }

  clear(): void {
    const words = this.bits;
    if (this.count * 8 > words.length) words.fill(0);
    else for (let i = 0; i < this.count; i++) words[this.touched[i]! >>> 5] = 0;
    this.count = 0;
  }

  #growBits(word: number): void {
    let size = this.bits.length;
    while (size <= word) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.bits);
    this.bits = grown;
  }
}
