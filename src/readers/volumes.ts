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
 * Maps the bytes naming a volume in a record to its id without making a string: the previous
 * record's bytes are checked first (traces run long stretches on one volume), then a small
 * open-addressing table keyed by an FNV-1a hash of the bytes. A string is made once per volume.
 */
export class VolumeSpanCache {
  #lastBytes: Uint8Array | null = null;
  #lastId = 0;
  #slots = new Int32Array(256); // index + 1 into #keys, 0 = empty
  readonly #keys: Uint8Array[] = [];
  readonly #ids: number[] = [];
  readonly #table: VolumeTable;
  readonly #nameOf: (bytes: Uint8Array, start: number, end: number) => string;

  constructor(table: VolumeTable, nameOf: (bytes: Uint8Array, start: number, end: number) => string) {
    this.#table = table;
    this.#nameOf = nameOf;
  }

  /** The id of the name in bytes[start, end), or -1 when it holds a NUL byte (never interned). */
  id(bytes: Uint8Array, start: number, end: number): number {
    const last = this.#lastBytes;
    if (last !== null && last.length === end - start && same(last, bytes, start)) return this.#lastId;
    let hash = FNV_OFFSET;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME);
    return this.idHashed(bytes, start, end, hash);
  }

  /**
   * `id` (-1 for a name holding NUL) for a caller that computed the FNV-1a hash of bytes[start, end) while scanning them
   * (start from FNV_OFFSET; per byte `hash = Math.imul(hash ^ byte, FNV_PRIME)`).
   */
  idHashed(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (let k = this.#slots[slot]!; k !== 0; k = this.#slots[slot]!) {
      const key = this.#keys[k - 1]!;
      if (key.length === end - start && same(key, bytes, start)) return this.#remember(key, this.#ids[k - 1]!);
      slot = (slot + 1) & mask;
    }
    // Once per new name: a name holding NUL is refused by every reader (FieldCursor.nulError).
    for (let i = start; i < end; i++) if (bytes[i] === 0) return -1;
    const key = bytes.slice(start, end);
    const id = this.#table.idOf(this.#nameOf(bytes, start, end));
    this.#keys.push(key);
    this.#ids.push(id);
    this.#slots[slot] = this.#keys.length;
    if (this.#keys.length * 2 > this.#slots.length) this.#grow();
    return this.#remember(key, id);
  }

  #remember(key: Uint8Array, id: number): number {
    this.#lastBytes = key;
    this.#lastId = id;
    return id;
  }

  #grow(): void {
    const slots = new Int32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    this.#keys.forEach((key, i) => {
      let hash = FNV_OFFSET;
      for (let j = 0; j < key.length; j++) hash = Math.imul(hash ^ key[j]!, FNV_PRIME);
      let slot = hash & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    });
    this.#slots = slots;
  }
}

export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

function same(key: Uint8Array, bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < key.length; i++) if (key[i] !== bytes[start + i]) return false;
  return true;
}
