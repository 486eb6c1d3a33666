import { latin1 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';

/**
 * Alibaba Cloud block traces: `device_id,opcode,offset,length,timestamp`.
 * Opcode R/W, offset and length in bytes, timestamp µs since the Unix epoch; volume = device_id.
 */
export const alibaba: Reader = {
  name: 'alibaba',
  description: 'Alibaba block: device_id,opcode(R/W),offset(B),length(B),timestamp(µs epoch); volume device_id',
  sniff(head) {
    return /^\d+,[RW],\d+,\d+,\d+\r?$/i.test(latin1(head, 0, Math.min(head.length, 300)).split('\n')[0]!);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, latin1);
    return openLines(ctx, 'alibaba', 44, {
      parse(f) {
        f.field('device_id').uint('device_id');
        const volume = volumes.id(f.bytes, f.start, f.end);
        f.field('opcode');
        const isWrite = f.is('W');
        if (!isWrite && !f.is('R')) throw f.error(`opcode is neither R nor W: "${f.text()}"`);
        const offset = f.field('offset').uint('offset');
        const length = f.field('length').uint('length');
        const timeUs = f.field('timestamp').uint('timestamp');
        if (f.hasMore()) throw f.error('too many fields (expected 5)');
        ctx.batch.push(volume, timeUs, offset, length, isWrite);
      },
    });
  },
};
