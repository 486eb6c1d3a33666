import { latin1, utf8 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';
import { plausibleTimeUs } from './epoch.js';
import { simdLines } from './simd.js';

const HEADER = /^Timestamp,Offset,Size,IOType,VolumeID\r?$/i;

/**
 * Tencent CBS block traces: `Timestamp,Offset,Size,IOType,VolumeID`.
 * Timestamp in seconds since the Unix epoch (plausible: 1990 .. 2100, else a bad record), Offset
 * and Size in 512 B sectors, IOType 1 = write and 0 = read; volume = VolumeID. An optional first line names the fields.
 */
export const tencent: Reader = {
  name: 'tencent',
  description: 'Tencent CBS: Timestamp(s epoch),Offset(512 B),Size(512 B),IOType(1 write, 0 read),VolumeID',
  split: { kind: 'lines' },
  sniff(head) {
    const lines = latin1(head, 0, Math.min(head.length, 400)).split('\n');
    const first = HEADER.test(lines[0]!) ? lines[1] : lines[0];
    return first !== undefined && /^\d{9,11},\d+,\d+,[01],\d+\r?$/.test(first);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, utf8);
    const bulk = ctx.simd === false ? undefined : simdLines('tencent', ctx.batch, volumes);
    return openLines(ctx, 'tencent', 44, {
      ...(bulk ? { bulk } : {}),
      isHeader: (f) => f.line === 1 && HEADER.test(latin1(f.bytes, f.lineStart, f.lineEnd)),
      parse(f) {
        const timeUs = plausibleTimeUs(f, 'Timestamp', f.field('Timestamp').uint('Timestamp') * 1e6);
        const offset = f.field('Offset').uint('Offset');
        const size = f.field('Size').uint('Size');
        const ioType = f.field('IOType').uint('IOType');
        if (ioType > 1) throw f.error(`IOType is neither 0 nor 1: "${f.excerpt()}"`);
        f.field('VolumeID').uint('VolumeID');
        const volume = volumes.id(f.bytes, f.start, f.end);
        if (f.hasMore()) throw f.error('too many fields (expected 5)');
        const problem = ctx.batch.rangeProblem(offset * 512, size * 512, ioType === 1);
        if (problem !== null) throw f.error(`Offset + Size ${problem}`);
        ctx.batch.push(volume, timeUs, offset * 512, size * 512, ioType === 1);
      },
    });
  },
};
