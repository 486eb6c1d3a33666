/**
 * Interns volume names to dense ids shared by readers, tracker and store writes. Readers look a
 * name up only when it differs from the previous record's, so the map is off the hot path.
 */
export class VolumeTable {
  readonly names: string[] = [];
  readonly #ids = new Map<string, number>();

  idOf(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.#ids.set(name, id);
    }
    return id;
  }
}

/**
 * Maps the bytes naming a volume in a record to its id, remembering the previous record's bytes:
 * traces run long stretches on one volume, so the common case is a byte compare, no string.
 */
export class VolumeSpanCache {
  #last = new Uint8Array(64);
  #lastLength = -1;
  #lastId = 0;
  readonly #table: VolumeTable;
  readonly #nameOf: (bytes: Uint8Array, start: number, end: number) => string;

  constructor(table: VolumeTable, nameOf: (bytes: Uint8Array, start: number, end: number) => string) {
    this.#table = table;
    this.#nameOf = nameOf;
  }

  id(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length === this.#lastLength) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.#last[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#lastId;
    }
    if (length > this.#last.length) this.#last = new Uint8Array(length * 2);
    this.#last.set(bytes.subarray(start, end));
    this.#lastLength = length;
    this.#lastId = this.#table.idOf(this.#nameOf(bytes, start, end));
    return this.#lastId;
  }
}
