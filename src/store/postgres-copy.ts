import type pg from 'pg';

/**
 * Reading rows with `COPY (SELECT …) TO STDOUT (FORMAT binary)`: bytea columns arrive as their
 * raw bytes. A plain query sends them as hex or base64 text, which the server encodes and the
 * client decodes again (node-postgres 8 reads every field as UTF-8 text): for the packed chunks
 * of 1,000 volumes x 7 days that text cost more than all the rest of `--models`.
 */

/** One field of a binary COPY row: an integer, raw bytes, text, or null. */
export type CopyField = number | Uint8Array | string | null;

/**
 * How to read each column, one letter per column: `i` an integer (int2, int4 or int8), `b` raw
 * bytes (bytea), `t` text (UTF-8).
 */
export type CopyColumns = string;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

/**
 * A binary COPY stream (header, tuples, trailer) read as it arrives, each field as `columns`
 * says: integers big-endian and signed (an int8 past 2^53 as the nearest double), bytes as views
 * into this
 * parser's own copy of the message that held their row (so a row keeps only its own bytes
 * alive). A row split over messages waits until enough bytes are in, joined once per field.
 */
export class BinaryCopyParser {
  readonly rows: CopyField[][] = [];
  readonly #columns: CopyColumns;
  /** Bytes of an unfinished header or row, and how many bytes from their start the next step needs. */
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #need = 0;
  #headerRead = false;
  #ended = false;

  constructor(columns: CopyColumns) {
    this.#columns = columns;
  }

  /** Add the next bytes of the stream (copied: the caller may reuse `chunk`). */
  push(chunk: Uint8Array): void {
    if (this.#ended && chunk.byteLength > 0) throw new Error('binary COPY output goes on after its trailer');
    this.#pending.push(new Uint8Array(chunk)); // a copy (Buffer#slice would be a view)
    this.#pendingBytes += chunk.byteLength;
    if (this.#pendingBytes < this.#need) return;
    const bytes = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingBytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    if (!this.#headerRead) {
      const end = headerEnd(bytes, view);
      if (end < 0) return this.#wait(bytes, 0, -end);
      this.#headerRead = true;
      at = end;
    }
    while (at < bytes.byteLength && !this.#ended) {
      const end = this.#row(bytes, view, at);
      if (end < 0) return this.#wait(bytes, at, -end);
      at = end;
    }
    if (this.#ended && at < bytes.byteLength) throw new Error('binary COPY output goes on after its trailer');
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#need = 0;
  }

  /** The rows, once the trailer was read; throws when the stream ended early. */
  end(): CopyField[][] {
    if (!this.#ended) throw new Error('binary COPY output ends early');
    return this.rows;
  }

  #wait(bytes: Uint8Array, at: number, need: number): void {
    const rest = bytes.subarray(at);
    this.#pending = [rest];
    this.#pendingBytes = rest.byteLength;
    this.#need = need;
  }

  /** Read the row at `at`: the offset after it, or minus the bytes from `at` it needs to go on. */
  #row(bytes: Uint8Array, view: DataView, at: number): number {
    const start = at;
    if (at + 2 > bytes.byteLength) return -2;
    const count = view.getInt16(at);
    at += 2;
    if (count === -1) {
      this.#ended = true;
      return at;
    }
    const columns = this.#columns;
    if (count !== columns.length) throw new Error(`binary COPY row of ${count} fields, ${columns.length} expected`);
    const row: CopyField[] = new Array<CopyField>(count);
    for (let f = 0; f < count; f++) {
      if (at + 4 > bytes.byteLength) return -(at + 4 - start);
      const length = view.getInt32(at);
      at += 4;
      if (length === -1) {
        row[f] = null;
        continue;
      }
      if (length < 0) throw new Error(`binary COPY field of ${length} bytes`);
      if (at + length > bytes.byteLength) return -(at + length - start);
      const kind = columns[f];
      row[f] =
        kind === 'i'
          ? intField(view, at, length)
          : kind === 't'
            ? Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('utf8')
            : bytes.subarray(at, at + length);
      at += length;
    }
    this.rows.push(row);
    return at;
  }
}

/** The offset after the header, or minus the bytes it needs; throws on a wrong signature. */
function headerEnd(bytes: Uint8Array, view: DataView): number {
  const fixed = SIGNATURE.byteLength + 8; // signature, flags, extension length
  if (bytes.byteLength < fixed) return -fixed;
  if (!SIGNATURE.equals(bytes.subarray(0, SIGNATURE.byteLength))) throw new Error('not binary COPY output (signature)');
  const end = fixed + view.getUint32(SIGNATURE.byteLength + 4); // no OIDs are asked for: flags left alone
  return bytes.byteLength < end ? -end : end;
}

function intField(view: DataView, at: number, length: number): number {
  if (length === 2) return view.getInt16(at);
  if (length === 4) return view.getInt32(at);
  // Past 2^53 the nearest double, as node-postgres's text reads of int8 give (and SQLite's reads).
  if (length === 8) return Number(view.getBigInt64(at));
  throw new Error(`binary COPY integer field of ${length} bytes`);
}

/**
 * A whole number within bigint written into SQL text (COPY takes no parameters), digit for digit
 * (`String(2 ** 62)` would round); anything else is refused.
 */
export function sqlInteger(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) >= 2 ** 63) throw new Error(`not a whole number for SQL: ${n}`);
  return BigInt(n).toString();
}

/**
 * A node-postgres submittable that sends one simple query, `COPY (…) TO STDOUT (FORMAT binary)`,
 * and parses its CopyData messages as they come (each is copied at once: the protocol parser
 * reuses its buffer for the next socket read).
 */
class CopyOut {
  readonly done: Promise<CopyField[][]>;
  readonly #parser: BinaryCopyParser;
  #resolve!: (rows: CopyField[][]) => void;
  #reject!: (err: Error) => void;
  #failed = false;

  constructor(
    readonly text: string,
    columns: CopyColumns,
  ) {
    this.#parser = new BinaryCopyParser(columns);
    this.done = new Promise<CopyField[][]>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  submit(connection: { query: (text: string) => void }): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Uint8Array }): void {
    if (this.#failed) return;
    try {
      this.#parser.push(message.chunk);
    } catch (err) {
      this.handleError(err as Error);
    }
  }

  handleError(err: Error): void {
    // A server error is followed by ReadyForQuery; a lost connection is not: fail at once either way.
    if (!this.#failed) this.#reject(err);
    this.#failed = true;
  }

  handleReadyForQuery(): void {
    if (this.#failed) return;
    try {
      this.#resolve(this.#parser.end());
    } catch (err) {
      this.handleError(err as Error);
    }
  }

  handleCopyInResponse(): void {
    this.handleError(new Error('COPY asked for input'));
  }

  // Messages that need nothing here.
  handleCommandComplete(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
}

/**
 * The rows of `select` (a SELECT with its numbers written in: COPY takes no parameters) read on
 * `client` through binary COPY, each column read as `columns` says. The client must not be used
 * again after a failure (the caller releases it as broken).
 */
export async function copyRows(client: pg.ClientBase, select: string, columns: CopyColumns): Promise<CopyField[][]> {
  const copy = new CopyOut(`COPY (${select}) TO STDOUT (FORMAT binary)`, columns);
  // The submittable's own promise carries the rows; node-postgres returns the submittable itself.
  void client.query(copy as unknown as pg.Submittable);
  return copy.done;
}
