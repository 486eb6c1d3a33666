/** A dense page's value for a track it has not recorded (or not within the horizon). */
export const UNSET = -0x8000;

/** Largest offset of an interval from its page's base (an Int16). */
const MAX_OFFSET = 0x7fff;

/** Tracks per dense page: one roaring container's span. */
export const PAGE_TRACKS = 65536;

/** A container with at least this many tracks is looked up in its key's dense page. */
export const DENSE_MIN_TRACKS = 64;

/** Idle pages kept for reuse (each 128 KiB). */
const POOL_MAX = 4;

/** Tracks written one by one into a wholly written container before it becomes a dense page. */
const SINCE_MAX = 4096;

/**
 * A container whose 65,536 tracks were all written at interval `at` (one write of a whole
 * 256 MiB or more at 4 KiB tracks): kept as that interval, not per track, so that a write of any
 * size costs one entry per container. Tracks written since, one by one, go to the sparse tables
 * and are listed in `since`; a track's last write is the later of `at` and its sparse entry.
 */
interface WholeContainer {
  at: number;
  since: number[];
}

/**
 * The last interval each track was written in, for writes at most `horizon` intervals old: a
 * track last written longer ago reads as never written. Sparse tracks are kept in two
 * open-addressing tables of typed arrays, one per epoch of `horizon` intervals (lookups try the
 * current one, then the previous; the older is cleared when an epoch starts). A container of
 * many tracks (`DENSE_MIN_TRACKS`) is looked up in a dense page of its 65,536 tracks instead
 * (`page`): no hashing for a hot volume's tracks. A page idle for `horizon` intervals holds
 * nothing recent and is dropped at the next epoch, so memory follows the tracks written in the
 * last two epochs (128 KiB per container of at least `DENSE_MIN_TRACKS` tracks in them), never
 * the volume's history.
 */
export class RecentWrites {
  #current = new EpochTable();
  #previous = new EpochTable();
  #epoch = -1;
  readonly #pages = new Map<number, Page>();
  readonly #pool: Int16Array[] = [];
  readonly #whole = new Map<number, WholeContainer>();
  /** The sparse tables' tracks by container, made for the current interval when first needed. */
  #byKey: Map<number, number[]> | null = null;

  constructor(readonly horizon: number) {}

  /** Move to interval `index` (ascending): call before its tracks' `swap`s and `page`s. */
  advance(index: number): void {
    this.#byKey = null;
    const epoch = Math.floor(index / this.horizon);
    if (epoch === this.#epoch) return;
    const older = this.#previous;
    older.clear();
    if (epoch === this.#epoch + 1) {
      this.#previous = this.#current;
      this.#current = older;
    } else {
      this.#current.clear(); // more than an epoch later: nothing is recent
    }
    this.#epoch = epoch;
    for (const [key, page] of this.#pages) {
      if (index - page.usedAt >= this.horizon) {
        this.#pages.delete(key);
        if (this.#pool.length < POOL_MAX) this.#pool.push(page.last);
      }
    }
    // A whole write older than the horizon tells nothing (its later tracks are in the sparse tables).
    for (const [key, whole] of this.#whole) if (index - whole.at >= this.horizon) this.#whole.delete(key);
  }

  /**
   * The last interval `track` was written in (through `swap`), if within the horizon of the
   * current interval, else -1 (or an older interval); then record `index`. Not for tracks of a key
   * with a dense page.
   */
  swap(track: number, index: number): number {
    let p = this.#current.swap(track, index);
    if (p < 0) p = this.#previous.get(track);
    if (this.#whole.size !== 0) {
      const whole = this.#whole.get(Math.floor(track / PAGE_TRACKS));
      if (whole !== undefined) {
        if (whole.at > p) p = whole.at;
        whole.since.push(track % PAGE_TRACKS);
      }
    }
    return p;
  }

  /**
   * Count a container written whole at interval `index` (all 65,536 tracks of `key`) into
   * `byDistance` by each track's distance to its previous write (`horizon` or more: `horizon`), and
   * record it: one entry, whatever the write's size. Work: the tracks the container's page, whole
   * entry or sparse entries hold, never 65,536 per track unless a dense page holds them.
   */
  wholeContainer(key: number, index: number, byDistance: Float64Array): void {
    const L = this.horizon;
    const base = key * PAGE_TRACKS;
    const page = this.#pages.get(key);
    if (page !== undefined) {
      for (let low = 0; low < PAGE_TRACKS; low++) {
        const v = page.last[low]!;
        const p = v !== UNSET ? page.base + v : this.sparse(base + low);
        byDistance[p < 0 || index - p >= L ? L : index - p]!++;
      }
      this.#pages.delete(key);
      if (this.#pool.length < POOL_MAX) this.#pool.push(page.last);
    } else {
      const whole = this.#whole.get(key);
      const listed = whole !== undefined ? distinct(whole.since) : this.#sparseOfKey(key);
      const floor = whole?.at ?? -1;
      for (const low of listed) {
        const p = Math.max(floor, this.sparse(base + low));
        byDistance[p < 0 || index - p >= L ? L : index - p]!++;
      }
      byDistance[floor < 0 || index - floor >= L ? L : index - floor]! += PAGE_TRACKS - listed.length;
    }
    this.#whole.set(key, { at: index, since: [] });
  }

  /** The distinct low 16 bits of the sparse tables' tracks of container `key`. */
  #sparseOfKey(key: number): number[] {
    if (this.#byKey === null) {
      const byKey = new Map<number, number[]>();
      const add = (track: number): void => {
        const k = Math.floor(track / PAGE_TRACKS);
        let list = byKey.get(k);
        if (list === undefined) byKey.set(k, (list = []));
        list.push(track % PAGE_TRACKS);
      };
      this.#current.forEachTrack(add);
      this.#previous.forEachTrack(add);
      this.#byKey = byKey;
    }
    return distinct(this.#byKey.get(key) ?? []);
  }

  /**
   * The dense page of container `key` (track = key × 65,536 + low 16 bits) for interval `index`,
   * made when `make` (else null when it has none): `base + last[low]` is the last interval the
   * track was written in since the page was made, or `last[low]` is `UNSET` (then ask `sparse`).
   * The caller stores `index - base` (at most 32,767) there when it writes. A key with a page
   * takes all its writes there.
   */
  page(key: number, index: number, make: boolean): Page | null {
    let page = this.#pages.get(key);
    if (page === undefined) {
      const whole = this.#whole.get(key);
      if (!make && (whole === undefined || whole.since.length < SINCE_MAX)) return null;
      const last = this.#pool.pop() ?? new Int16Array(PAGE_TRACKS);
      last.fill(UNSET);
      if (whole !== undefined) {
        // The whole write, then the tracks written since (the later of the two).
        if (index - whole.at <= MAX_OFFSET) last.fill(whole.at - index);
        const base = key * PAGE_TRACKS;
        for (const low of whole.since) {
          const p = this.sparse(base + low);
          if (p > whole.at && index - p <= MAX_OFFSET) last[low] = p - index;
        }
        this.#whole.delete(key);
      }
      this.#pages.set(key, (page = { last, base: index, usedAt: index }));
    } else if (index - page.base > MAX_OFFSET) {
      rebase(page, index, this.horizon);
    }
    page.usedAt = index;
    return page;
  }

  /** The last interval `track` was written in as the sparse tables hold it (for a page's `UNSET`), else -1. */
  sparse(track: number): number {
    const p = this.#current.get(track);
    return p >= 0 ? p : this.#previous.get(track);
  }

  /** Forget everything (the next volume). */
  clear(): void {
    this.#current.clear();
    this.#previous.clear();
    this.#epoch = -1;
    for (const page of this.#pages.values()) if (this.#pool.length < POOL_MAX) this.#pool.push(page.last);
    this.#pages.clear();
    this.#whole.clear();
    this.#byKey = null;
  }
}

/**
 * A dense page: `last[low]` is the last interval the track was written in, as its offset from
 * `base` (Int16: half the bytes of an interval number, so a hot region's page stays in cache).
 */
export interface Page {
  last: Int16Array;
  base: number;
  /** The last interval the page was asked for. */
  usedAt: number;
}

/**
 * Move a page's base to `index`: offsets shift, and a write older than the horizon becomes
 * `UNSET` (the sparse tables then answer, with an older write or none: the same distance).
 */
function rebase(page: Page, index: number, horizon: number): void {
  const shift = index - page.base;
  const last = page.last;
  for (let i = 0; i < last.length; i++) {
    const v = last[i]!;
    if (v !== UNSET) last[i] = v - shift < -horizon ? UNSET : v - shift;
  }
  page.base = index;
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

  /** Call `each` with every track held. */
  forEachTrack(each: (track: number) => void): void {
    for (let k = 0; k < this.#size; k++) each(this.#keys[this.#used[k]!]!);
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

/** The distinct values of `list`, ascending. */
function distinct(list: readonly number[]): number[] {
  const sorted = Float64Array.from(list).sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
  return out;
}
