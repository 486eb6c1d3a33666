import { latin1, utf8 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { VolumeSpanCache } from './volumes.js';
import { relativeTimeProblem } from './epoch.js';

/**
 * FIU SRCMap / IODedup traces: `ts pid process lba size op major minor [md5]`, blank separated.
 * ts in ns (from trace start, plus `--start`), lba and size in 512 B blocks, op R/W;
 * volume = `major:minor`.
 */
export const fiu: Reader = {
  name: 'fiu',
  description: 'FIU: ts(ns) pid process lba(512 B) size(512 B blocks) op(R/W) major minor [md5]; volume major:minor',
  split: { kind: 'lines' },
  sniff(head) {
    return /^\d+ \d+ \S+ \d+ \d+ [RW] \d+ \d+( [0-9a-f]+)?\r?$/i.test(
      latin1(head, 0, Math.min(head.length, 400)).split('\n')[0]!,
    );
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, (bytes, start, end) =>
      utf8(bytes, start, end).replace(/[ \t]+/, ':'),
    );
    return openLines(ctx, 'fiu', -1, {
      parse(f) {
        const tsNs = f.field('ts').uint('ts');
        f.field('pid').uint('pid');
        f.field('process');
        const lba = f.field('lba').uint('lba');
        const blocks = f.field('size').uint('size');
        f.field('op');
        const isWrite = f.is('W');
        if (!isWrite && !f.is('R')) throw f.error(`op is neither R nor W: "${f.excerpt()}"`);
        const majorStart = f.field('major').start;
        f.uint('major');
        f.field('minor').uint('minor');
        const volume = volumes.id(f.bytes, majorStart, f.end);
        const problem = ctx.batch.rangeProblem(lba * 512, blocks * 512, isWrite);
        if (problem !== null) throw f.error(`lba + size ${problem}`);
        const timeProblem = relativeTimeProblem(Math.floor(tsNs / 1000) + ctx.startUs);
        if (timeProblem !== null) throw f.error(`ts ${timeProblem}`);
        ctx.batch.push(volume, Math.floor(tsNs / 1000) + ctx.startUs, lba * 512, blocks * 512, isWrite);
      },
    });
  },
};
