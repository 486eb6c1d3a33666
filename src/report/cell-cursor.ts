import type { CellSource, PlacedCell } from './cells.js';

/**
 * A forward read of the selected volumes' cells in time order, one page held at a time, that
 * serves runs of whole intervals asked in (mostly) ascending order: a run inside or after the
 * page held continues the read (seeking inside the page, skipping at most one page), a run before
 * it or far after it reopens the read at the run's start. Memory is one page of the source
 * (bounded by the store), never the window.
 */
export class CellCursor {
  #pages: AsyncIterator<PlacedCell[]> | null = null;
  #page: PlacedCell[] = [];
  #at = 0; // next cell of the page
  /** Start of the read: cells before it were never read. */
  #openedFromS = Infinity;
  /** Last start of the pages left behind (cells of one start may end one page and begin the next). */
  #leftBehindS = -Infinity;
  #done = false;
  /** Reads opened (a reopen costs a query and the page it starts in). */
  opens = 0;

  constructor(
    readonly source: CellSource,
    readonly volumes: readonly string[],
    readonly endS: number, // exclusive
  ) {}

  /** Visit the cells with starts in [fromS, toS), ascending (pages are never reused: a bitmap may be kept). */
  async scan(fromS: number, toS: number, visit: (cell: PlacedCell) => void): Promise<void> {
    await this.#seek(fromS);
    for (;;) {
      while (this.#at < this.#page.length) {
        const cell = this.#page[this.#at]!;
        if (cell.startS >= toS) return;
        visit(cell);
        this.#at++;
      }
      if (!(await this.#nextPage())) return;
    }
  }

  /** Release the read in progress. */
  async close(): Promise<void> {
    await this.#pages?.return?.();
    this.#pages = null;
  }

  async #seek(fromS: number): Promise<void> {
    const last = this.#page[this.#page.length - 1];
    const spanS = last === undefined ? 0 : last.startS - this.#page[0]!.startS;
    const reopen =
      this.#pages === null ||
      fromS < this.#openedFromS ||
      fromS <= this.#leftBehindS ||
      (last !== undefined && fromS > last.startS + spanS && !this.#done);
    if (reopen) await this.#open(fromS);
    for (;;) {
      const end = this.#page.length;
      if (end > 0 && this.#page[end - 1]!.startS >= fromS) break;
      if (!(await this.#nextPage())) return;
    }
    this.#at = lowerBound(this.#page, fromS);
  }

  async #open(fromS: number): Promise<void> {
    await this.close();
    this.opens++;
    this.#pages = this.source.cells(this.volumes, fromS, this.endS)[Symbol.asyncIterator]();
    this.#page = [];
    this.#at = 0;
    this.#openedFromS = fromS;
    this.#leftBehindS = -Infinity;
    this.#done = false;
  }

  /** Move to the next non-empty page; false at the end of the read. */
  async #nextPage(): Promise<boolean> {
    for (;;) {
      const last = this.#page[this.#page.length - 1];
      if (this.#done || this.#pages === null) {
        this.#page = [];
        this.#at = 0;
        if (last !== undefined) this.#leftBehindS = last.startS;
        return false;
      }
      const next = await this.#pages.next();
      if (next.done === true) {
        this.#done = true;
        continue;
      }
      if (next.value.length === 0) continue;
      if (last !== undefined) this.#leftBehindS = last.startS;
      this.#page = next.value;
      this.#at = 0;
      return true;
    }
  }
}

/** Index of the first cell starting at or after `startS`. */
function lowerBound(page: readonly PlacedCell[], startS: number): number {
  let lo = 0;
  let hi = page.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (page[mid]!.startS < startS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
