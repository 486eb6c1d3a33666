import { latin1 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { SCSI_READ_OPS, SCSI_WRITE_OPS } from './scsi.js';
import { relativeTimeProblem } from './epoch.js';

const HEADER = /^version,time,op,size,lbn\r?$/i;

/**
 * The CSV form of vscsi traces (CloudPhysics): `version,time,op,size,lbn` with time in seconds
 * from trace start (decimals allowed), op the SCSI opcode in hex (`2a` WRITE(10), `28` READ(10)),
 * size in bytes, lbn in 512 B sectors. One volume per file, as for the binary form.
 */
export const vscsiCsv: Reader = {
  name: 'vscsi-csv',
  description: 'vscsi CSV: version,time(s from start),op(SCSI hex),size(B),lbn(512 B); one volume per file',
  sniff(head) {
    const lines = latin1(head, 0, Math.min(head.length, 400)).split('\n');
    return HEADER.test(lines[0]!) || /^[12],\d+(\.\d+)?,[0-9a-f]{1,2},\d+,\d+\r?$/i.test(lines[0]!);
  },
  open(ctx: DecodeContext) {
    const volume = ctx.volumes.idOf(ctx.volumeName);
    return openLines(ctx, 'vscsi-csv', 44, {
      isHeader: (f) => f.lineStart === 0 && HEADER.test(latin1(f.bytes, f.lineStart, f.lineEnd)),
      parse(f) {
        const version = f.field('version').uint('version');
        if (version !== 1 && version !== 2) throw f.error(`version is not 1 or 2: "${f.excerpt()}"`);
        const timeUs = f.field('time').scaled('time', 6);
        const op = f.field('op').hex('op');
        const size = f.field('size').uint('size');
        const lbn = f.field('lbn').uint('lbn');
        if (f.hasMore()) throw f.error('too many fields (expected 5)');
        const isWrite = SCSI_WRITE_OPS.has(op);
        if (!isWrite && !SCSI_READ_OPS.has(op)) return;
        const problem = ctx.batch.rangeProblem(lbn * 512, size, isWrite);
        if (problem !== null) throw f.error(`lbn + size ${problem}`);
        const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
        if (timeProblem !== null) throw f.error(`time ${timeProblem}`);
        ctx.batch.push(volume, timeUs + ctx.startUs, lbn * 512, size, isWrite);
      },
    });
  },
};
