import { latin1, utf8 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';
import { relativeTimeProblem } from './epoch.js';
import { simdLines } from './simd.js';

/**
 * UMass / SPC traces (Financial, WebSearch): `ASU,LBA,Size,Opcode,Timestamp[,...]`.
 * LBA in 512 B sectors, Size in bytes, Opcode r/w, Timestamp seconds from trace start (decimal)
 * plus `--start`; volume = ASU. Extra trailing fields are ignored.
 */
export const spc: Reader = {
  name: 'spc',
  description: 'UMass/SPC: ASU,LBA(512 B),Size(B),Opcode(r/w),Timestamp(s from start); volume ASU',
  split: { kind: 'lines' },
  sniff(head) {
    return /^\d+,\d+,\d+,[rw],\d+(\.\d+)?(,.*)?\r?$/i.test(latin1(head, 0, Math.min(head.length, 300)).split('\n')[0]!);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, utf8);
    const bulk = ctx.simd === false ? undefined : simdLines('spc', ctx.batch, volumes, ctx.startUs);
    return openLines(ctx, 'spc', 44, {
      ...(bulk ? { bulk } : {}),
      parse(f) {
        f.field('ASU').uint('ASU');
        const volume = volumes.id(f.bytes, f.start, f.end);
        const lba = f.field('LBA').uint('LBA');
        const size = f.field('Size').uint('Size');
        f.field('Opcode');
        const isWrite = f.is('w');
        if (!isWrite && !f.is('r')) throw f.error(`Opcode is neither r nor w: "${f.excerpt()}"`);
        const timeUs = f.field('Timestamp').scaled('Timestamp', 6);
        const problem = ctx.batch.rangeProblem(lba * 512, size, isWrite);
        if (problem !== null) throw f.error(`LBA + Size ${problem}`);
        const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
        if (timeProblem !== null) throw f.error(`Timestamp ${timeProblem}`);
        ctx.batch.push(volume, timeUs + ctx.startUs, lba * 512, size, isWrite);
      },
    });
  },
};
