import { latin1, utf8, type FieldCursor } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { FNV_OFFSET, FNV_PRIME, VolumeSpanCache } from './volumes.js';
import { isPlausibleUs, plausibleTimeUs } from './epoch.js';
import { simdLines } from './simd.js';

// FILETIME counts 100 ns ticks since 1601-01-01; the Unix epoch is 11,644,473,600 s later.
const FILETIME_EPOCH_OFFSET_S = 11_644_473_600;
const TICKS_PER_SECOND_DIGITS = 7;
const FILETIME_DIGITS = 18;
const COMMA = 44;
const NL = 10;
const CR = 13;

/**
 * µs since the Unix epoch from a FILETIME held in the cursor's current field. The value
 * (~1.3e17) is above 2^53, so seconds and sub-second ticks are parsed apart to stay exact.
 */
export function unixUsFromFiletime(f: FieldCursor, name: string): number {
  for (let p = f.start; p < f.end; p++) {
    const c = f.bytes[p]!;
    if (c < 48 || c > 57) throw f.error(`${name} is not a whole number: "${f.excerpt()}"`);
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
 * Timestamp: Windows FILETIME (100 ns ticks since 1601-01-01 UTC), plausible (1990 .. 2100) or a
 * bad record; Type `Read`/`Write`;
 * Offset and Size in bytes; volume = `Hostname_DiskNumber`.
 */
export const msr: Reader = {
  name: 'msr',
  description:
    'MSR Cambridge / SNIA CSV: Timestamp(FILETIME),Hostname,DiskNumber,Type,Offset(B),Size(B),ResponseTime; volume Hostname_DiskNumber',
  split: { kind: 'lines' },
  sniff(head) {
    const firstLine = latin1(head, 0, Math.min(head.length, 512)).split('\n')[0]!;
    return /^\d{15,20},[^,]+,\d+,(Read|Write),\d+,\d+,\d+\r?$/i.test(firstLine);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, (bytes, start, end) => {
      const comma = bytes.indexOf(44, start);
      return `${utf8(bytes, start, comma)}_${utf8(bytes, comma + 1, end)}`;
    });
    const batch = ctx.batch;
    const bulk = ctx.simd === false ? undefined : simdLines('msr', batch, volumes);
    return openLines(ctx, 'msr', 44, {
      ...(bulk ? { bulk } : {}),
      fast(b, p, end) {
        // Timestamp: 18 digits (FILETIME from 1601-ish to 2200-ish), parsed in one pass as int32
        // pieces: 2 + 9 digits of seconds and 7 of ticks. Anything else takes the slow path.
        if (p + FILETIME_DIGITS >= end) return 0;
        if (b[p + FILETIME_DIGITS] !== COMMA) return -1;
        let d: number;
        let secondsHigh = 0;
        for (let i = p; i < p + 2; i++) {
          if ((d = b[i]! - 48) >>> 0 > 9) return -1;
          secondsHigh = secondsHigh * 10 + d;
        }
        let secondsLow = 0;
        for (let i = p + 2; i < p + 11; i++) {
          if ((d = b[i]! - 48) >>> 0 > 9) return -1;
          secondsLow = secondsLow * 10 + d;
        }
        let ticks = 0;
        for (let i = p + 11; i < p + FILETIME_DIGITS; i++) {
          if ((d = b[i]! - 48) >>> 0 > 9) return -1;
          ticks = ticks * 10 + d;
        }
        const seconds = secondsHigh * 1e9 + secondsLow;
        let q = p + FILETIME_DIGITS;
        let c = 0;
        // The volume's bytes are hashed while scanned, for the volume lookup.
        let hash = FNV_OFFSET;
        const hostStart = ++q;
        while (q < end && (c = b[q]!) !== COMMA && c !== NL) {
          hash = Math.imul(hash ^ c, FNV_PRIME);
          q++;
        }
        if (q >= end) return 0;
        if (c !== COMMA || q === hostStart) return -1;
        hash = Math.imul(hash ^ COMMA, FNV_PRIME);
        const diskStart = ++q;
        while (q < end && (c = b[q]! - 48) >>> 0 <= 9) {
          hash = Math.imul(hash ^ (c + 48), FNV_PRIME);
          q++;
        }
        if (q >= end) return 0;
        if (b[q] !== COMMA || q === diskStart) return -1;
        const volume = volumes.idHashed(b, hostStart, q, hash);
        if (volume < 0) return -1;
        // Type
        q++;
        if (q + 6 > end) return 0;
        let isWrite: boolean;
        if (
          b[q] === 87 &&
          b[q + 1] === 114 &&
          b[q + 2] === 105 &&
          b[q + 3] === 116 &&
          b[q + 4] === 101 &&
          b[q + 5] === COMMA
        ) {
          isWrite = true;
          q += 6;
        } else if (b[q] === 82 && b[q + 1] === 101 && b[q + 2] === 97 && b[q + 3] === 100 && b[q + 4] === COMMA) {
          isWrite = false;
          q += 5;
        } else return -1;
        // Offset, Size, ResponseTime
        let offset = 0;
        const offsetStart = q;
        while (q < end && (c = b[q]! - 48) >>> 0 <= 9) {
          offset = offset * 10 + c;
          q++;
        }
        if (q >= end) return 0;
        if (b[q] !== COMMA || q === offsetStart || q - offsetStart > 15) return -1;
        let size = 0;
        const sizeStart = ++q;
        while (q < end && (c = b[q]! - 48) >>> 0 <= 9) {
          size = size * 10 + c;
          q++;
        }
        if (q >= end) return 0;
        if (b[q] !== COMMA || q === sizeStart || q - sizeStart > 15) return -1;
        const responseStart = ++q;
        while (q < end && (b[q]! - 48) >>> 0 <= 9) q++;
        if (q >= end) return 0;
        if (q === responseStart) return -1;
        if (b[q] === CR && ++q >= end) return 0;
        if (b[q] !== NL) return -1;
        const timeUs = (seconds - FILETIME_EPOCH_OFFSET_S) * 1e6 + Math.floor(ticks / 10);
        if (!isPlausibleUs(timeUs) || offset + size > batch.maxWriteEndBytes) return -1;
        batch.push(volume, timeUs, offset, size, isWrite);
        return q + 1;
      },
      parse(f) {
        const timeUs = plausibleTimeUs(f, 'Timestamp', unixUsFromFiletime(f.field('Timestamp'), 'Timestamp'));
        const hostStart = f.field('Hostname').start;
        const hostEnd = f.end;
        f.field('DiskNumber').uint('DiskNumber');
        const volume = volumes.id(f.bytes, hostStart, f.end);
        if (volume < 0) {
          f.start = hostStart;
          f.end = hostEnd;
          throw f.nulError('Hostname');
        }
        f.field('Type');
        const isWrite = f.is('Write');
        if (!isWrite && !f.is('Read')) throw f.error(`Type is neither Read nor Write: "${f.excerpt()}"`);
        const offset = f.field('Offset').uint('Offset');
        const size = f.field('Size').uint('Size');
        f.field('ResponseTime').uint('ResponseTime');
        if (f.hasMore()) throw f.error('too many fields (expected 7)');
        const problem = batch.rangeProblem(offset, size, isWrite);
        if (problem !== null) throw f.error(`Offset + Size ${problem}`);
        batch.push(volume, timeUs, offset, size, isWrite);
      },
    });
  },
};
