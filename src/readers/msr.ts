import { latin1, type FieldCursor } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';

// FILETIME counts 100 ns ticks since 1601-01-01; the Unix epoch is 11,644,473,600 s later.
const FILETIME_EPOCH_OFFSET_S = 11_644_473_600;
const TICKS_PER_SECOND_DIGITS = 7;

/**
 * µs since the Unix epoch from a FILETIME held in the cursor's current field. The value
 * (~1.3e17) is above 2^53, so seconds and sub-second ticks are parsed apart to stay exact.
 */
export function unixUsFromFiletime(f: FieldCursor, name: string): number {
  for (let p = f.start; p < f.end; p++) {
    const c = f.bytes[p]!;
    if (c < 48 || c > 57) throw f.error(`${name} is not a whole number: "${f.text()}"`);
  }
  const digits = f.end - f.start;
  if (digits <= TICKS_PER_SECOND_DIGITS) return Math.floor(f.uint(name) / 10) - FILETIME_EPOCH_OFFSET_S * 1e6;
  const whole = f.end;
  f.end = whole - TICKS_PER_SECOND_DIGITS;
  const seconds = f.uint(name);
  f.start = f.end;
  f.end = whole;
  const ticks = f.uint(name);
  f.start = f.end - digits;
  return (seconds - FILETIME_EPOCH_OFFSET_S) * 1e6 + Math.floor(ticks / 10);
}

/**
 * MSR Cambridge / SNIA IOTTA block traces:
 * `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime`.
 * Timestamp: Windows FILETIME (100 ns ticks since 1601-01-01 UTC); Type `Read`/`Write`;
 * Offset and Size in bytes; volume = `Hostname_DiskNumber`.
 */
export const msr: Reader = {
  name: 'msr',
  description: 'MSR Cambridge / SNIA CSV: Timestamp(FILETIME),Hostname,DiskNumber,Type,Offset(B),Size(B),ResponseTime; volume Hostname_DiskNumber',
  sniff(head) {
    const firstLine = latin1(head, 0, Math.min(head.length, 512)).split('\n')[0]!;
    return /^\d{15,20},[^,]+,\d+,(Read|Write),\d+,\d+,\d+\r?$/i.test(firstLine);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, (bytes, start, end) => {
      const comma = bytes.indexOf(44, start);
      return `${latin1(bytes, start, comma)}_${latin1(bytes, comma + 1, end)}`;
    });
    return openLines(ctx, 'msr', 44, {
      parse(f) {
        const timeUs = unixUsFromFiletime(f.field('Timestamp'), 'Timestamp');
        const hostStart = f.field('Hostname').start;
        f.field('DiskNumber').uint('DiskNumber');
        const volume = volumes.id(f.bytes, hostStart, f.end);
        f.field('Type');
        const isWrite = f.is('Write');
        if (!isWrite && !f.is('Read')) throw f.error(`Type is neither Read nor Write: "${f.text()}"`);
        const offset = f.field('Offset').uint('Offset');
        const size = f.field('Size').uint('Size');
        f.field('ResponseTime').uint('ResponseTime');
        if (f.hasMore()) throw f.error('too many fields (expected 7)');
        ctx.batch.push(volume, timeUs, offset, size, isWrite);
      },
    });
  },
};
