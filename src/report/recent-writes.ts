/**
 * The last interval each track was written in, for writes at most `horizon` intervals old: a
 * track last written longer ago reads as never written. Two open-addressing tables of typed
 * arrays, one per epoch of `horizon` intervals (lookups try the current one, then the previous);
 * the older is cleared when an epoch starts, so memory follows the tracks written in the last
 * two epochs, never the volume's history.
 */
export class RecentWrites {
  #current = new EpochTable();
  #previous = new EpochTable();
  #epoch = -1;

  constructor(readonly horizon: number) {}

  /** The last interval `track` was written in, if within the horizon of `index`, else -1; then record `index`. */
  swap(track: number, index: number): number {
    const epoch = Math.floor(index / this.horizon);
    if (epoch !== this.#epoch) this.#advance(epoch);
    const p = this.#current.swap(track, index);
    if (p >= 0) return p;
    return this.#previous.get(track);
  }

  /** Forget everything (the next volume). */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
    this.#epoch = -1;
  }

  #advance(epoch: number): void {
    const older = this.#previous;
    older.clear();
    if (epoch === this.#epoch + 1) {
      this.#previous = this.#current;
      this.#current = older;
    } else {
      this.#current.clear(); // more than an epoch later: nothing is recent
    }
    this.#epoch = epoch;
  }
}

/** Track -> interval, open addressing with linear probing; slots used are listed for clearing. */
class EpochTable {
  #keys = new Uint32Array(1024);
  #values = new Int32Array(1024).fill(-1);
  #used = new Int32Array(512);
  #size = 0;
  #mask = 1023;

  get(track: number): number {
    for (let i = hash(track) & this.#mask; ; i = (i + 1) & this.#mask) {
      const v = this.#values[i]!;
      if (v < 0) return -1;
      if (this.#keys[i] === track) return v;
    }
  }

  /** Set `track` to `index`, returning its previous value or -1. */
  swap(track: number, index: number): number {
    for (let i = hash(track) & this.#mask; ; i = (i + 1) & this.#mask) {
      const v = this.#values[i]!;
      if (v < 0) {
        this.#keys[i] = track;
        this.#values[i] = index;
        this.#used[this.#size++] = i;
        if (this.#size * 2 > this.#mask) this.#grow();
        return -1;
      }
      if (this.#keys[i] === track) {
        this.#values[i] = index;
        return v;
      }
    }
  }

  clear(): void {
    for (let k = 0; k < this.#size; k++) this.#values[this.#used[k]!] = -1;
    this.#size = 0;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const used = this.#used.subarray(0, this.#size);
    const capacity = keys.length * 2;
    this.#keys = new Uint32Array(capacity);
    this.#values = new Int32Array(capacity).fill(-1);
    const listed = new Int32Array(capacity / 2);
    this.#mask = capacity - 1;
    let n = 0;
    for (const old of used) {
      let i = hash(keys[old]!) & this.#mask;
      while (this.#values[i]! >= 0) i = (i + 1) & this.#mask;
      this.#keys[i] = keys[old]!;
      this.#values[i] = values[old]!;
      listed[n++] = i;
    }
    this.#used = listed;
  }
}

function hash(track: number): number {
  return Math.imul(track | 0, 0x9e3779b1) ^ (track >>> 16);
}
