import { latin1, utf8 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';
import { digits, scanDigits } from './digits.js';
import { isPlausibleUs, plausibleTimeUs } from './epoch.js';
import { simdLines } from './simd.js';

const COMMA = 44;
const NL = 10;
const CR = 13;
const W = 87;
const R = 82;

/**
 * Alibaba Cloud block traces: `device_id,opcode,offset,length,timestamp`.
 * Opcode R/W, offset and length in bytes, timestamp µs since the Unix epoch (plausible: 1990 ..
 * 2100, else a bad record); volume = device_id.
 */
export const alibaba: Reader = {
  name: 'alibaba',
  description: 'Alibaba block: device_id,opcode(R/W),offset(B),length(B),timestamp(µs epoch); volume device_id',
  split: { kind: 'lines' },
  sniff(head) {
    return /^\d+,[RW],\d+,\d+,\d+\r?$/i.test(latin1(head, 0, Math.min(head.length, 300)).split('\n')[0]!);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, utf8);
    const batch = ctx.batch;
    const bulk = ctx.simd === false ? undefined : simdLines('alibaba', batch, volumes);
    return openLines(ctx, 'alibaba', 44, {
      ...(bulk ? { bulk } : {}),
      fast(b, p, end) {
        scanDigits(b, p, end);
        let q = digits.end;
        if (q + 3 > end) return 0;
        if (q === p || b[q] !== COMMA || b[q + 2] !== COMMA) return -1;
        const volume = volumes.id(b, p, q);
        const op = b[q + 1];
        if (op !== W && op !== R) return -1;
        const offsetStart = q + 3;
        const offset = scanDigits(b, offsetStart, end);
        q = digits.end;
        if (q >= end) return 0;
        if (b[q] !== COMMA || q === offsetStart || q - offsetStart > 15) return -1;
        const length = scanDigits(b, q + 1, end);
        const lengthStart = q + 1;
        q = digits.end;
        if (q >= end) return 0;
        if (b[q] !== COMMA || q === lengthStart || q - lengthStart > 15) return -1;
        const timeStart = q + 1;
        const timeUs = scanDigits(b, timeStart, end);
        q = digits.end;
        if (q >= end) return 0;
        if (q === timeStart || !isPlausibleUs(timeUs) || offset + length > batch.maxWriteEndBytes) return -1;
        if (b[q] === CR && ++q >= end) return 0;
        if (b[q] !== NL) return -1;
        batch.push(volume, timeUs, offset, length, op === W);
        return q + 1;
      },
      parse(f) {
        f.field('device_id').uint('device_id');
        const volume = volumes.id(f.bytes, f.start, f.end);
        f.field('opcode');
        const isWrite = f.is('W');
        if (!isWrite && !f.is('R')) throw f.error(`opcode is neither R nor W: "${f.excerpt()}"`);
        const offset = f.field('offset').uint('offset');
        const length = f.field('length').uint('length');
        const timeUs = plausibleTimeUs(f, 'timestamp', f.field('timestamp').uint('timestamp'));
        if (f.hasMore()) throw f.error('too many fields (expected 5)');
        const problem = batch.rangeProblem(offset, length, isWrite);
        if (problem !== null) throw f.error(`offset + length ${problem}`);
        batch.push(volume, timeUs, offset, length, isWrite);
      },
    });
  },
};
