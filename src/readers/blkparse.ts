import { latin1 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { deviceName, rwbsKind } from './rwbs.js';
import { VolumeSpanCache } from './volumes.js';

const SUMMARY = /^(CPU\d+|Total|Throughput|Events|Skips)\b/;

/**
 * Text output of `blkparse` (default format):
 * `maj,min cpu seq time pid action rwbs sector + n [process]`. Only queue (`Q`) events count, so
 * each bio is counted once; RWBS W = write, R = read, D (discard) and flushes are skipped.
 * time in seconds from trace start (ns digits truncated to µs) plus `--start`; sector and n in
 * 512 B sectors; volume = `maj:min`. The per-CPU summary blkparse prints at the end is ignored.
 */
export const blkparse: Reader = {
  name: 'blkparse',
  description: 'blkparse text: maj,min cpu seq time(s from start) pid action rwbs sector(512 B) + n(512 B) [proc]; Q events; volume maj:min',
  sniff(head) {
    return /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s/.test(latin1(head, 0, Math.min(head.length, 400)).split('\n')[0]!);
  },
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, deviceName);
    let summary = false;
    return openLines(ctx, 'blkparse', -1, {
      parse(f) {
        if (summary) return;
        f.field('device');
        const comma = f.bytes.indexOf(44, f.start);
        if (comma < 0 || comma >= f.end) {
          if (SUMMARY.test(f.text())) {
            summary = true;
            return;
          }
          throw f.error(`device is not major,minor: "${f.excerpt()}"`);
        }
        const volume = volumes.id(f.bytes, f.start, f.end);
        f.field('cpu').uint('cpu');
        f.field('sequence').uint('sequence');
        const timeUs = f.field('time').scaled('time', 6);
        f.field('pid').uint('pid');
        f.field('action');
        if (!f.is('Q')) return;
        const kind = rwbsKind(f.field('rwbs'));
        if (kind < 0 || !f.hasMore()) return;
        f.field('sector');
        if (f.bytes[f.start] === 91) return; // "[process]" right away: a flush with no sector range
        const sector = f.uint('sector');
        f.field('+');
        if (!f.is('+')) throw f.error(`expected "+" after the sector: "${f.excerpt()}"`);
        const sectors = f.field('sectors').uint('sectors');
        if (sectors === 0) return;
        ctx.batch.push(volume, timeUs + ctx.startUs, sector * 512, sectors * 512, kind === 1);
      },
    });
  },
};
