/**
 * A per-interval series kept sparse: the non-zero values with their interval starts, ascending.
 * A volume's figures arrive in time order (`add`), and series of several volumes are summed into
 * a group's or a data set's by merging (`addSeries`): memory is about 16 bytes per non-zero
 * interval, and a merge costs the two series' lengths — no hash map per value. Plain arrays, not
 * typed ones: most series are short (an hour of a volume), and a typed array costs far more to
 * allocate than it saves.
 */
export class SparseSeries {
  #starts: number[] = [];
  #values: number[] = [];
  /** Set when a start arrived below the last one; reads then sort first. */
  #unsorted = false;

  get length(): number {
    return this.#starts.length;
  }

  /** Add `value` at interval `startS` (zeros are not stored). */
  add(startS: number, value: number): void {
    if (value === 0) return;
    const n = this.#starts.length;
    if (n > 0) {
      const last = this.#starts[n - 1]!;
      if (startS === last) {
        this.#values[n - 1]! += value;
        return;
      }
      if (startS < last) this.#unsorted = true;
    }
    this.#starts.push(startS);
    this.#values.push(value);
  }

  /** Add another series, start by start. */
  addSeries(other: SparseSeries): void {
    other.#sort();
    this.#sort();
    const a = this.#starts.length;
    const b = other.#starts.length;
    if (b === 0) return;
    if (a === 0 || other.#starts[0]! > this.#starts[a - 1]!) {
      for (let j = 0; j < b; j++) {
        this.#starts.push(other.#starts[j]!);
        this.#values.push(other.#values[j]!);
      }
      return;
    }
    if (this.#addInPlace(other)) return;
    const starts: number[] = [];
    const values: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a || j < b) {
      const sa = i < a ? this.#starts[i]! : Infinity;
      const sb = j < b ? other.#starts[j]! : Infinity;
      if (sa === sb) {
        starts.push(sa);
        values.push(this.#values[i++]! + other.#values[j++]!);
      } else if (sa < sb) {
        starts.push(sa);
        values.push(this.#values[i++]!);
      } else {
        starts.push(sb);
        values.push(other.#values[j++]!);
      }
    }
    this.#starts = starts;
    this.#values = values;
  }

  /**
   * Add `other` value by value when each of its starts is one of this series' (a group's hour
   * already holding every interval its next volume writes in): no new arrays. False, and nothing
   * added, otherwise.
   */
  #addInPlace(other: SparseSeries): boolean {
    const mine = this.#starts;
    const theirs = other.#starts;
    let i = 0;
    for (let j = 0; j < theirs.length; j++) {
      const s = theirs[j]!;
      while (i < mine.length && mine[i]! < s) i++;
      if (i === mine.length || mine[i] !== s) return false;
    }
    i = 0;
    for (let j = 0; j < theirs.length; j++) {
      const s = theirs[j]!;
      while (mine[i]! < s) i++;
      this.#values[i]! += other.#values[j]!;
    }
    return true;
  }

  /** The non-zero values, ascending by start (the series' own array: do not change it). */
  values(): readonly number[] {
    this.#sort();
    return this.#values;
  }

  /** The series as typed arrays (ascending starts and their values), e.g. for another thread. */
  toArrays(): { starts: Float64Array; values: Float64Array } {
    this.#sort();
    return { starts: Float64Array.from(this.#starts), values: Float64Array.from(this.#values) };
  }

  /** A series from `toArrays`' arrays. */
  static fromArrays(starts: ArrayLike<number>, values: ArrayLike<number>): SparseSeries {
    const s = new SparseSeries();
    s.#starts = Array.from(starts);
    s.#values = Array.from(values);
    return s;
  }

  copy(): SparseSeries {
    const c = new SparseSeries();
    c.#starts = this.#starts.slice();
    c.#values = this.#values.slice();
    c.#unsorted = this.#unsorted;
    return c;
  }

  /** Order by start, summing values of equal starts (only after out-of-order adds). */
  #sort(): void {
    if (!this.#unsorted) return;
    const order = this.#starts.map((_, i) => i).sort((x, y) => this.#starts[x]! - this.#starts[y]!);
    const starts: number[] = [];
    const values: number[] = [];
    for (const i of order) {
      const s = this.#starts[i]!;
      const m = starts.length;
      if (m > 0 && starts[m - 1] === s) values[m - 1]! += this.#values[i]!;
      else {
        starts.push(s);
        values.push(this.#values[i]!);
      }
    }
    this.#starts = starts;
    this.#values = values;
    this.#unsorted = false;
  }
}
