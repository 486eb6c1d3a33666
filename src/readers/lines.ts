import { InputError } from '../errors.js';
import { EXCERPT_CHARS, FieldCursor, excerptOf } from './fields.js';
import type { DecodeContext, DecodeStats, Decoder } from './reader.js';

const NL = 10;
const CR = 13;
const HASH = 35;

/** Parses one line of a text format; pushes at most one record to `ctx.batch`. */
export interface LineParser {
  /**
   * Optional single-pass fast path for well-formed data lines: parse the line starting at `p`,
   * push its record, and return the position after its newline; 0 when no newline comes before
   * `end` (the line continues in the next chunk); -1 for anything unusual, which then goes
   * through `parse` for the exact result or the exact error. Must agree with `parse`.
   */
  fast?(bytes: Uint8Array, p: number, end: number): number;
  /**
   * Return true when the line is a header (or other non-record line) to ignore. Asked for
   * every line until it first returns false; a header is only expected at the top.
   */
  isHeader?(f: FieldCursor): boolean;
  parse(f: FieldCursor): void;
  /** Optional whole-chunk fast path (the WebAssembly kernels, see simd.ts); taken before `fast`. */
  bulk?: BulkLines;
  /** Fields may be quoted as in RFC 4180 (within one line). */
  quotes?: boolean;
}

/**
 * Parses runs of well-formed data lines at once. `load` is given each chunk before any of its lines;
 * `run(p, end)` parses whole lines of that chunk from `p`, pushes their records, sets `lines` to how
 * many, and returns the position after the last; it stops at the first line it does not take (an
 * unusual or incomplete line), which then goes through `fast` and `parse`. Must agree with `parse`.
 */
export interface BulkLines {
  load(chunk: Uint8Array): void;
  run(p: number, end: number): number;
  lines: number;
}

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]); // UTF-8 byte order mark

/**
 * The longest line a text trace may have, newline excluded: real trace lines are under 200 bytes,
 * and the limit bounds the memory one line can take, whatever the input.
 */
export const MAX_LINE_BYTES = 64 * 1024;
const MAX_LINE_TEXT = '65,536 bytes (64 KiB)';

/**
 * A decoder for line-oriented text formats: splits chunks at newlines without making strings,
 * carries a partial line over to the next chunk, skips a leading UTF-8 BOM and blank and `#`
 * lines, and turns a bad line into an InputError naming file, line and field (or counts it with
 * --skip-bad). A line longer than MAX_LINE_BYTES is bad input as soon as the limit is passed;
 * it is never buffered whole.
 */
export function openLines(
  ctx: Pick<DecodeContext, 'source' | 'skipBad'>,
  format: string,
  delimiter: number,
  parser: LineParser,
): Decoder {
  const cursor = new FieldCursor();
  cursor.format = format;
  cursor.source = ctx.source;
  cursor.delimiter = delimiter;
  cursor.quotes = parser.quotes === true;
  const stats: DecodeStats = { records: 0, skipped: 0 };
  let carry = new Uint8Array(0);
  let carryLength = 0;
  let line = 0;
  let headerPhase = parser.isHeader !== undefined;
  let overlong = false; // inside a line rejected as too long, dropping it up to its newline
  let bomMatched = 0; // bytes of a leading BOM seen so far; -1 once past the start

  const parseLine = (bytes: Uint8Array, start: number, end: number, truncated: boolean): void => {
    line++;
    if (end > start && bytes[end - 1] === CR) end--;
    if (end === start || bytes[start] === HASH) return;
    cursor.reset(bytes, start, end, line);
    try {
      if (headerPhase) {
        if (parser.isHeader!(cursor)) return;
        headerPhase = false;
        cursor.reset(bytes, start, end, line);
      }
      parser.parse(cursor);
      stats.records++;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const message = truncated ? `${err.message} (last line has no newline: the file looks truncated)` : err.message;
      if (!ctx.skipBad) throw new InputError(message, { cause: err, line });
      stats.skipped++;
      if (stats.firstSkipped === undefined) {
        stats.firstSkipped = message;
        stats.firstSkippedLine = line;
      }
    }
  };

  /** A line over MAX_LINE_BYTES: bad input, or skipped with --skip-bad (its bytes are never kept). */
  const tooLong = (bytes: Uint8Array, start: number, end: number): void => {
    line++;
    const binary = bytes.subarray(start, Math.min(end, start + EXCERPT_CHARS)).includes(0);
    const message =
      `${format}: ${ctx.source}:${line}: line is longer than ${MAX_LINE_TEXT}, the limit for a text trace` +
      (binary ? ' (binary data?)' : `: "${excerptOf(bytes, start, end)}"`);
    if (!ctx.skipBad) throw new InputError(message, { line });
    stats.skipped++;
    if (stats.firstSkipped === undefined) {
      stats.firstSkipped = message;
      stats.firstSkippedLine = line;
    }
  };

  const pushBytes = (chunk: Uint8Array): void => {
    let p = 0;
    if (overlong) {
      // The rest of a line already rejected as too long (--skip-bad): dropped up to its newline.
      const nl = chunk.indexOf(NL);
      if (nl < 0) return;
      overlong = false;
      p = nl + 1;
    } else if (carryLength > 0) {
      const nl = chunk.indexOf(NL);
      const take = nl < 0 ? chunk.length : nl;
      if (carryLength + take > MAX_LINE_BYTES) {
        tooLong(carry, 0, carryLength);
        carryLength = 0;
        if (nl < 0) {
          overlong = true;
          return;
        }
      } else {
        if (carryLength + take > carry.length) {
          const grown = new Uint8Array(Math.min(MAX_LINE_BYTES, Math.max(carry.length * 2, carryLength + take)));
          grown.set(carry.subarray(0, carryLength));
          carry = grown;
        }
        carry.set(chunk.subarray(0, take), carryLength);
        carryLength += take;
        if (nl < 0) return;
        parseLine(carry, 0, carryLength, false);
        carryLength = 0;
      }
      p = nl + 1;
    }
    const fast = headerPhase ? undefined : parser.fast;
    const bulk = headerPhase ? undefined : parser.bulk;
    const length = chunk.length;
    if (bulk !== undefined && p < length) bulk.load(chunk);
    while (p < length) {
      if (bulk !== undefined) {
        const next = bulk.run(p, length);
        if (next > p) {
          line += bulk.lines;
          stats.records += bulk.lines;
          p = next;
          if (p >= length) break;
        }
      }
      if (fast !== undefined) {
        // Bounded so that a fast-path line is never longer than the limit either.
        const next = fast(chunk, p, Math.min(length, p + MAX_LINE_BYTES + 1));
        if (next > 0) {
          line++;
          stats.records++;
          p = next;
          continue;
        }
      }
      const nl = chunk.indexOf(NL, p);
      if (nl < 0) break;
      if (nl - p > MAX_LINE_BYTES) tooLong(chunk, p, nl);
      else parseLine(chunk, p, nl, false);
      p = nl + 1;
    }
    const rest = chunk.length - p;
    if (rest > MAX_LINE_BYTES) {
      tooLong(chunk, p, chunk.length);
      overlong = true;
    } else if (rest > 0) {
      if (rest > carry.length) carry = new Uint8Array(Math.max(rest, 4096));
      carry.set(chunk.subarray(p));
      carryLength = rest;
    }
  };

  return {
    stats,
    push(input: Uint8Array): void {
      // A plain Uint8Array view: TypedArray indexOf is much cheaper than Buffer's.
      let chunk =
        input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      if (bomMatched >= 0) {
        // A UTF-8 byte order mark at the start of the input is not part of the first line.
        let i = 0;
        while (i < chunk.length && bomMatched < BOM.length && chunk[i] === BOM[bomMatched]) {
          i++;
          bomMatched++;
        }
        if (bomMatched < BOM.length && i === chunk.length) return;
        if (bomMatched < BOM.length && bomMatched > 0) pushBytes(BOM.subarray(0, bomMatched));
        bomMatched = -1;
        chunk = chunk.subarray(i);
      }
      pushBytes(chunk);
    },
    end(): void {
      if (bomMatched > 0 && bomMatched < BOM.length) pushBytes(BOM.subarray(0, bomMatched));
      bomMatched = -1;
      if (carryLength > 0) {
        const bytes = carry.subarray(0, carryLength);
        carryLength = 0;
        if (bytes.includes(0)) {
          const excerpt = excerptOf(bytes, 0, bytes.length);
          throw new InputError(`${format}: ${ctx.source}:${line + 1}: binary data in a text trace: "${excerpt}"`);
        }
        parseLine(bytes, 0, bytes.length, true);
      }
    },
  };
}
