import { serializeRoaring } from '../bitmap/roaring.js';

/**
 * The collector's per-(volume, interval) flags: one bit per track, set by the first write.
 * A second level keeps one bit per 32-track word that is in use, so closing the interval (list
 * the set tracks in order, serialize them as a roaring bitmap, clear for reuse) costs time in
 * proportion to the words touched, not to the volume's size.
 */
export class TrackSet {
  bits: Uint32Array = new Uint32Array(256);
  /** Bit w set when bits[w] is not zero. */
  used: Uint32Array = new Uint32Array(8);
  count = 0;
  /** Highest word index in use since the last clear. */
  maxWord = 0;
  #list = new Uint32Array(1024);

  /** Set the flag of `track`; later writes to it change nothing. */
  add(track: number): void {
    const w = track >>> 5;
    if (w >= this.bits.length) this.#grow(w);
    const mask = 1 << (track & 31);
    const word = this.bits[w]!;
    if ((word & mask) !== 0) return;
    if (word === 0) {
      this.used[w >>> 5]! |= 1 << (w & 31);
      if (w > this.maxWord) this.maxWord = w;
    }
    this.bits[w] = word | mask;
    this.count++;
  }

  /** Set flags for tracks [first, last] — last inclusive. */
  addRange(first: number, last: number): void {
    for (let t = first; t <= last; t++) this.add(t);
  }

  /** Serialize the set as a portable roaring bitmap, then clear it for the next interval. */
  closeToRoaring(): Uint8Array {
    if (this.#list.length < this.count) this.#list = new Uint32Array(Math.max(this.count, this.#list.length * 2));
    const list = this.#list;
    const { bits, used } = this;
    let n = 0;
    const lastUsed = this.maxWord >>> 5;
    for (let u = 0; u <= lastUsed; u++) {
      let usedBits = used[u]!;
      if (usedBits === 0) continue;
      used[u] = 0;
      while (usedBits !== 0) {
        const lowUsed = usedBits & -usedBits;
        usedBits ^= lowUsed;
        const w = (u << 5) + 31 - Math.clz32(lowUsed);
        let word = bits[w]!;
        bits[w] = 0;
        while (word !== 0) {
          const low = word & -word;
          word ^= low;
          list[n++] = (w << 5) + 31 - Math.clz32(low);
        }
      }
    }
    this.count = 0;
    this.maxWord = 0;
    return serializeRoaring(list, n);
  }

  #grow(word: number): void {
    let size = this.bits.length;
    while (size <= word) size *= 2;
    const bits = new Uint32Array(size);
    bits.set(this.bits);
    this.bits = bits;
    const used = new Uint32Array(size >>> 5);
    used.set(this.used);
    this.used = used;
  }
}
