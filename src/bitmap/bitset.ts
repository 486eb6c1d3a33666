/**
 * A growable dense bitset over track numbers, one bit per track, `Uint32Array` words.
 * Used by the reporter to OR many interval bitmaps of one volume and count the result; the
 * tracker uses its own paged variant (`TrackSet`).
 */
export class Bitset {
  words: Uint32Array;

  constructor(initialBits = 1024) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(initialBits / 32)));
  }

  /** Make room for bit `index`; doubling keeps growth amortized O(1). */
  ensure(index: number): void {
    const need = (index >>> 5) + 1;
    if (need <= this.words.length) return;
    let size = this.words.length;
    while (size < need) size *= 2;
    const grown = new Uint32Array(size);
    grown.set(this.words);
    this.words = grown;
  }

  /** Set every bit of [from, to) — to exclusive. */
  setRange(from: number, to: number): void {
    if (to <= from) return;
    this.ensure(to - 1);
    setBitRange(this.words, from, to - 1);
  }

  /** OR another bitset into this one. */
  or(other: Bitset): void {
    this.ensure(other.words.length * 32 - 1);
    const a = this.words;
    const b = other.words;
    for (let i = 0; i < b.length; i++) a[i]! |= b[i]!;
  }

  count(): number {
    let n = 0;
    const w = this.words;
    for (let i = 0; i < w.length; i++) n += popcount32(w[i]!);
    return n;
  }

  /** Count set bits in [from, to) — to exclusive. */
  countRange(from: number, to: number): number {
    let n = 0;
    const end = Math.min(to, this.words.length * 32);
    for (let i = from; i < end; i++) {
      if ((i & 31) === 0 && i + 32 <= end) {
        n += popcount32(this.words[i >>> 5]!);
        i += 31;
      } else if ((this.words[i >>> 5]! & (1 << (i & 31))) !== 0) n++;
    }
    return n;
  }

  /** Count bits set in both this and `other`, without allocating. */
  countAnd(other: Bitset): number {
    const a = this.words;
    const b = other.words;
    const len = Math.min(a.length, b.length);
    let n = 0;
    for (let i = 0; i < len; i++) n += popcount32(a[i]! & b[i]!);
    return n;
  }

  clear(): void {
    this.words.fill(0);
  }
}

/** Set bits `first .. last` (inclusive) of `words`, a word at a time: 1/32 of the bits in time. */
export function setBitRange(words: Uint32Array, first: number, last: number): void {
  const fw = Math.floor(first / 32);
  const lw = Math.floor(last / 32);
  const fm = (0xffff_ffff << (first & 31)) >>> 0;
  const lm = 0xffff_ffff >>> (31 - (last & 31));
  if (fw === lw) {
    words[fw]! |= fm & lm;
    return;
  }
  words[fw]! |= fm;
  words.fill(0xffff_ffff, fw + 1, lw);
  words[lw]! |= lm;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
