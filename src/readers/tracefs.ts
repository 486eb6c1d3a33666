import { ascii, indexOfBytes, latin1 } from './fields.js';
import { openLines } from './lines.js';
import type { DecodeContext, Reader } from './reader.js';
import { deviceName, rwbsKind } from './rwbs.js';
import { VolumeSpanCache } from './volumes.js';
import { relativeTimeProblem } from './epoch.js';

const MARK = ascii(': block_');
const BIO_QUEUE = 'block_bio_queue';
const RQ_ISSUE = 'block_rq_issue';
const PLUS = 43;
const SPACE = 32;

/**
 * Lines of the kernel's block tracepoints as `trace`/`trace_pipe` print them:
 * `comm-pid [cpu] flags 1234.567890: block_bio_queue: 8,0 W 3000 + 8 [comm]` or
 * `… block_rq_issue: 8,0 W 4096 () 3000 + 8 [comm]`. One kind is counted — the first of the
 * two seen — so a bio is never counted twice; other events are ignored. Time: seconds (µs
 * digits) on the trace clock plus `--start`; volume = `maj:min`.
 */
export const tracefs: Reader = {
  name: 'tracefs',
  description:
    'tracefs text: ... time: block_bio_queue|block_rq_issue: maj,min rwbs [bytes ()] sector + n [comm]; volume maj:min',
  sniff(head) {
    return /^\s*\S.*\s\d+\.\d+: block_(bio_queue|rq_issue): \d+,\d+ /m.test(
      latin1(head, 0, Math.min(head.length, 4096)),
    );
  },
  open(ctx: DecodeContext) {
    return openLines(ctx, 'tracefs', -1, tracefsLineParser(ctx));
  },
};

/** The line parser: finds the event, its timestamp and the device, sector range and RWBS. */
function tracefsLineParser(ctx: DecodeContext) {
  const volumes = new VolumeSpanCache(ctx.volumes, deviceName);
  let counted: string | null = null;
  return {
    parse(f: import('./fields.js').FieldCursor): void {
      const b = f.bytes;
      const mark = indexOfBytes(b, MARK, f.lineStart, f.lineEnd);
      if (mark < 0) return; // not a block event
      const nameEnd = b.indexOf(58, mark + 2); // ':'
      if (nameEnd < 0 || nameEnd >= f.lineEnd) return;
      f.start = mark + 2;
      f.end = nameEnd;
      if (!f.is(BIO_QUEUE) && !f.is(RQ_ISSUE)) return;
      const event = f.is(BIO_QUEUE) ? BIO_QUEUE : RQ_ISSUE;
      counted ??= event;
      if (event !== counted) {
        ctx.warnings.warn(
          `tracefs-${event}`,
          `tracefs: ${ctx.source}: ${event} events ignored; ${counted} events are counted so that no I/O counts twice`,
        );
        return;
      }
      // The timestamp is the token just before ": block_".
      let ts = mark - 1;
      while (ts > f.lineStart && b[ts] !== SPACE) ts--;
      f.start = ts + 1;
      f.end = mark;
      const timeUs = f.scaled('time', 6);
      // After "event: ": device, rwbs, then (rq_issue) bytes and (cmd), then "sector + n".
      f.reset(b, nameEnd + 1, f.lineEnd, f.line);
      f.field('device');
      const comma = b.indexOf(44, f.start);
      if (comma >= f.end || comma < 0) throw f.error(`device is not major,minor: "${f.excerpt()}"`);
      const volume = volumes.id(b, f.start, f.end);
      if (volume < 0) throw f.nulError('device');
      const kind = rwbsKind(f.field('rwbs'));
      const plus = b.indexOf(PLUS, f.end);
      if (plus < 0 || plus >= f.lineEnd) {
        if (kind < 0) return; // flushes print no sector range
        throw f.error('no "sector + n" range');
      }
      let s = plus - 2;
      while (s > f.end && b[s] !== SPACE) s--;
      f.start = s + 1;
      f.end = plus - 1;
      const sector = f.uint('sector');
      f.reset(b, plus + 1, f.lineEnd, f.line);
      const sectors = f.field('sectors').uint('sectors');
      if (kind < 0 || sectors === 0) return;
      const problem = ctx.batch.rangeProblem(sector * 512, sectors * 512, kind === 1);
      if (problem !== null) throw f.error(`sector + sectors ${problem}`);
      const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
      if (timeProblem !== null) throw f.error(`time ${timeProblem}`);
      ctx.batch.push(volume, timeUs + ctx.startUs, sector * 512, sectors * 512, kind === 1);
    },
  };
}
