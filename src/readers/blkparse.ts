import { InputError } from '../errors.js';
import { latin1, type FieldCursor } from './fields.js';
import { openLines } from './lines.js';
import { COUNTED_ISSUE, type DecodeContext, type Decoder, type Reader, type Survey } from './reader.js';
import { deviceName, rwbsKind } from './rwbs.js';
import { VolumeSpanCache } from './volumes.js';
import { relativeTimeProblem } from './epoch.js';

const SUMMARY = /^(CPU\d+|Total|Throughput|Events|Skips)\b/;
const EVENT = /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s/;

/** True when the line is an event; the cursor is then on its action field. */
function actionOf(f: FieldCursor): boolean {
  f.field('device');
  const comma = f.bytes.indexOf(44, f.start);
  if (comma < 0 || comma >= f.end || !f.hasMore()) return false;
  f.field('cpu');
  f.field('sequence');
  f.field('time');
  f.field('pid');
  if (!f.hasMore()) return false;
  f.field('action');
  return true;
}

/**
 * The first pass over blkparse inputs: whether any queue (Q) event exists. It stops reading at
 * the first one, so a trace with queue events costs a few lines; one without is read to its end
 * (or to its closing summary, or, without --skip-bad, to a line that decoding will reject).
 */
export class BlkparseSurvey implements Survey {
  queued = false;
  get done(): boolean {
    return this.queued;
  }

  readonly #skipBad: boolean;
  #stopped = false; // this input needs no more reading
  #lines: Decoder;

  constructor(skipBad: boolean) {
    this.#skipBad = skipBad;
    this.#lines = this.#open();
  }

  #open(): Decoder {
    return openLines({ source: 'survey', skipBad: this.#skipBad }, 'blkparse', -1, {
      parse: (f) => {
        if (this.#stopped) return;
        if (actionOf(f)) {
          if (f.is('Q')) this.queued = true;
        } else if (SUMMARY.test(latin1(f.bytes, f.start, Math.min(f.end, f.start + 16)))) this.#stopped = true;
      },
    });
  }

  push(chunk: Uint8Array): boolean {
    if (this.queued || this.#stopped) return false;
    try {
      this.#lines.push(chunk);
    } catch {
      this.#stopped = true; // decoding fails at this line
    }
    return !this.queued && !this.#stopped;
  }

  endInput(): void {
    try {
      if (!this.#stopped) this.#lines.end();
    } catch {
      // A bad last line: decoding reports it.
    }
    this.#stopped = false;
    this.#lines = this.#open();
  }
}

/**
 * Text output of `blkparse` (default format):
 * `maj,min cpu seq time pid action rwbs sector + n [process]`. Queue (`Q`) events count, so each
 * bio is counted once; a trace with no Q event at all (recorded with `-a issue`, say) counts issue
 * (`D`) events instead. RWBS W = write, R = read, D (discard) and flushes are skipped. time in
 * seconds from trace start (ns digits truncated to µs) plus `--start`; sector and n in 512 B
 * sectors; volume = `maj:min`. `#` lines and the per-CPU summary blkparse prints at the end are
 * ignored.
 */
export const blkparse: Reader = {
  name: 'blkparse',
  description:
    'blkparse text: maj,min cpu seq time(s from start) pid action rwbs sector(512 B) + n(512 B) [proc]; ' +
    'Q events (D if none); volume maj:min',
  sniff(head) {
    const lines = latin1(head, 0, Math.min(head.length, 4096)).split('\n');
    // `#` header lines (as some tools write them) come before the first event.
    const first = lines.find((line) => line.trim() !== '' && !line.startsWith('#'));
    return first !== undefined && EVENT.test(first);
  },
  survey: (skipBad) => new BlkparseSurvey(skipBad),
  open(ctx: DecodeContext) {
    const volumes = new VolumeSpanCache(ctx.volumes, deviceName);
    const survey = ctx.survey instanceof BlkparseSurvey ? ctx.survey : null;
    // Files were surveyed; standard input was not: it counts Q events and, if it has none but
    // has D events, fails at its end rather than count nothing.
    const counted = survey !== null && !survey.queued ? 'D' : 'Q';
    let queues = 0;
    let issues = 0;
    let summary = false;
    const lines = openLines(ctx, 'blkparse', -1, {
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
        if (volume < 0) throw f.nulError('device');
        f.field('cpu').uint('cpu');
        f.field('sequence').uint('sequence');
        const timeUs = f.field('time').scaled('time', 6);
        f.field('pid').uint('pid');
        f.field('action');
        if (f.is('Q')) queues++;
        else if (f.is('D')) issues++;
        if (!f.is(counted)) return;
        const kind = rwbsKind(f.field('rwbs'));
        if (kind < 0 || !f.hasMore()) return;
        f.field('sector');
        if (f.bytes[f.start] === 91 || f.bytes[f.start] === 40) return; // "[proc]" or "(cdb)": no sector range
        const sector = f.uint('sector');
        f.field('+');
        if (!f.is('+')) throw f.error(`expected "+" after the sector: "${f.excerpt()}"`);
        const sectors = f.field('sectors').uint('sectors');
        if (sectors === 0) return;
        const problem = ctx.batch.rangeProblem(sector * 512, sectors * 512, kind === 1);
        if (problem !== null) throw f.error(`sector + sectors ${problem}`);
        const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
        if (timeProblem !== null) throw f.error(`time ${timeProblem}`);
        ctx.batch.push(volume, timeUs + ctx.startUs, sector * 512, sectors * 512, kind === 1);
      },
    });
    if (counted === 'D') lines.stats.counted = COUNTED_ISSUE;
    return {
      stats: lines.stats,
      push: (chunk) => lines.push(chunk),
      end(): void {
        lines.end();
        if (survey === null && queues === 0 && issues > 0) {
          throw new InputError(
            `blkparse: ${ctx.source}: the trace has no queue (Q) events; its ${issues} issue (D) events can be counted ` +
              'only when it is read from a file (read twice: first to find the event kind), not from standard input',
          );
        }
      },
    };
  },
};
