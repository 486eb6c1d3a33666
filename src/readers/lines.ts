import { InputError } from '../errors.js';
import { FieldCursor, latin1 } from './fields.js';
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
}

/**
 * A decoder for line-oriented text formats: splits chunks at newlines without making strings,
 * carries a partial line over to the next chunk, skips blank and `#` lines, and turns a bad
 * line into an InputError naming file, line and field (or counts it with --skip-bad).
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
  const stats: DecodeStats = { records: 0, skipped: 0 };
  let carry = new Uint8Array(0);
  let carryLength = 0;
  let line = 0;
  let headerPhase = parser.isHeader !== undefined;

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
      const message = truncated
        ? `${err.message} (last line has no newline: the file looks truncated)`
        : err.message;
      if (!ctx.skipBad) throw new InputError(message, { cause: err, line });
      stats.skipped++;
      if (stats.firstSkipped === undefined) {
        stats.firstSkipped = message;
        stats.firstSkippedLine = line;
      }
    }
  };

  return {
    stats,
    push(input: Uint8Array): void {
      // A plain Uint8Array view: TypedArray indexOf is much cheaper than Buffer's.
      const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      let p = 0;
      if (carryLength > 0) {
        const nl = chunk.indexOf(NL);
        const take = nl < 0 ? chunk.length : nl;
        if (carryLength + take > carry.length) {
          const grown = new Uint8Array(Math.max(carry.length * 2, carryLength + take));
          grown.set(carry.subarray(0, carryLength));
          carry = grown;
        }
        carry.set(chunk.subarray(0, take), carryLength);
        carryLength += take;
        if (nl < 0) return;
        parseLine(carry, 0, carryLength, false);
        carryLength = 0;
        p = nl + 1;
      }
      const fast = headerPhase ? undefined : parser.fast;
      const length = chunk.length;
      while (p < length) {
        if (fast !== undefined) {
          const next = fast(chunk, p, length);
          if (next > 0) {
            line++;
            stats.records++;
            p = next;
            continue;
          }
          if (next === 0) break;
        }
        const nl = chunk.indexOf(NL, p);
        if (nl < 0) break;
        parseLine(chunk, p, nl, false);
        p = nl + 1;
      }
      const rest = chunk.length - p;
      if (rest > 0) {
        if (rest > carry.length) carry = new Uint8Array(Math.max(rest, 4096));
        carry.set(chunk.subarray(p));
        carryLength = rest;
      }
    },
    end(): void {
      if (carryLength > 0) {
        const bytes = carry.subarray(0, carryLength);
        carryLength = 0;
        if (bytes.includes(0)) {
          throw new InputError(`${format}: ${ctx.source}:${line + 1}: binary data in a text trace: "${latin1(bytes, 0, Math.min(bytes.length, 40))}"`);
        }
        parseLine(bytes, 0, bytes.length, true);
      }
    },
  };
}
