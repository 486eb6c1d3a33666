import { InputError } from '../errors.js';
import type { DecodeContext, DecodeStats, Decoder } from './reader.js';

/**
 * Parses one binary record at `at` in `bytes` (a chunk or the carry buffer). `fileOffset` is the
 * record's byte offset in the input, for error messages; `final` is true when no more bytes will
 * come. Returns the record's length in bytes, or 0 when more bytes are needed.
 */
export type RecordParser = (
  bytes: Uint8Array,
  view: DataView,
  at: number,
  available: number,
  fileOffset: number,
  final: boolean,
) => number;

/**
 * A decoder for binary traces made of records (fixed or self-sized): hands the parser whole
 * records straight from each chunk and carries a partial record over to the next chunk.
 * A record cut short at the end of input is an InputError naming the byte offset.
 */
export function openRecords(ctx: DecodeContext, format: string, parse: RecordParser): Decoder {
  const stats: DecodeStats = { records: 0, skipped: 0 };
  let carry = new Uint8Array(0);
  let fileOffset = 0; // offset of carry[0] (or of the chunk when carry is empty)

  const run = (bytes: Uint8Array, final: boolean): number => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let at = 0;
    while (at < bytes.length) {
      let used: number;
      try {
        used = parse(bytes, view, at, bytes.length - at, fileOffset + at, final);
      } catch (err) {
        if (!(err instanceof InputError) || !ctx.skipBad || !(err as InputError & { recordBytes?: number }).recordBytes)
          throw err;
        // A bad record of known length is skipped as a unit.
        used = (err as InputError & { recordBytes: number }).recordBytes;
        stats.skipped++;
        stats.firstSkipped ??= err.message;
        stats.records--;
      }
      if (used === 0) break;
      stats.records++;
      at += used;
    }
    return at;
  };

  return {
    stats,
    push(chunk: Uint8Array): void {
      let input = chunk;
      if (carry.length > 0) {
        input = new Uint8Array(carry.length + chunk.length);
        input.set(carry);
        input.set(chunk, carry.length);
      }
      const used = run(input, false);
      carry = input.slice(used);
      fileOffset += used;
    },
    end(): void {
      if (carry.length === 0) return;
      const used = run(carry, true);
      carry = carry.slice(used);
      fileOffset += used;
      if (carry.length === 0) return;
      const message = `${format}: ${ctx.source}: byte ${fileOffset}: truncated last record (${carry.length} bytes left over)`;
      if (!ctx.skipBad) throw new InputError(message);
      stats.skipped++;
      stats.firstSkipped ??= message;
      carry = new Uint8Array(0);
    },
  };
}

/** An InputError for a bad binary record of known length, which --skip-bad may skip. */
export function recordError(message: string, recordBytes: number): InputError {
  return Object.assign(new InputError(message), { recordBytes });
}
