import { openRecords, recordError } from './records.js';
import { COUNTED_ISSUE, type DecodeContext, type Reader, type Survey } from './reader.js';
import { InputError } from '../errors.js';
import { relativeTimeProblem } from './epoch.js';

// struct blk_io_trace (include/uapi/linux/blktrace_api.h), 48 bytes then pdu_len bytes:
// u32 magic (0x65617400 | version), u32 sequence, u64 time (ns), u64 sector, u32 bytes,
// u32 action, u32 pid, u32 device, u32 cpu, u16 error, u16 pdu_len.
const MAGIC = 0x656174;
const HEADER_BYTES = 48;
const ACT_QUEUE = 1; // __BLK_TA_QUEUE
const ACT_ISSUE = 7; // __BLK_TA_ISSUE
const TC_READ = 1 << 0;
const TC_WRITE = 1 << 1;
const TC_PC = 1 << 9; // pass-through (SCSI/NVMe) commands: no data range
const TC_NOTIFY = 1 << 10;
const TC_DISCARD = 1 << 13;
const MINOR_BITS = 20; // the kernel's internal dev_t: major << 20 | minor

function endianOf(head: Uint8Array): boolean | null {
  if (head.length < 4) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (view.getUint32(0, true) >>> 8 === MAGIC) return true;
  if (view.getUint32(0, false) >>> 8 === MAGIC) return false;
  return null;
}

/**
 * The first pass over all blktrace inputs of a collect. blkparse prints times from the earliest
 * traced event of all per-CPU files read together (its "genesis"; notify records aside, whose
 * times it never shifts), and the per-CPU files are only ordered within themselves, so the
 * earliest event is exact only after every record header of every file has been seen: this walks
 * them all (48 bytes and a length per record; nothing is kept but the minimum and two flags).
 * It also tells whether any queue (Q) event exists, so a trace recorded without them counts
 * issue (D) events instead. A bad record ends the survey of that input; decoding reports it.
 */
export class BlktraceSurvey implements Survey {
  /** Earliest time (ns, raw clock) of a non-notify record; null before the first. */
  earliestNs: bigint | null = null;
  /** Whether any queue event was seen (then issue events are ignored). */
  queued = false;
  readonly done = false;
  readonly #header = new Uint8Array(HEADER_BYTES);
  readonly #view = new DataView(this.#header.buffer);
  #have = 0;
  #skip = 0;
  #littleEndian: boolean | null = null;
  #bad = false;

  push(chunk: Uint8Array): boolean {
    let p = 0;
    while (p < chunk.length && !this.#bad) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - p);
        p += n;
        this.#skip -= n;
        continue;
      }
      const n = Math.min(HEADER_BYTES - this.#have, chunk.length - p);
      this.#header.set(chunk.subarray(p, p + n), this.#have);
      this.#have += n;
      p += n;
      if (this.#have === HEADER_BYTES) this.#take();
    }
    return !this.#bad;
  }

  #take(): void {
    this.#have = 0;
    this.#littleEndian ??= endianOf(this.#header);
    const le = this.#littleEndian === true;
    if (this.#littleEndian === null || this.#view.getUint32(0, le) >>> 8 !== MAGIC) {
      this.#bad = true;
      return;
    }
    this.#skip = this.#view.getUint16(46, le);
    const action = this.#view.getUint32(28, le);
    if (((action >>> 16) & TC_NOTIFY) !== 0) return;
    if ((action & 0xffff) === ACT_QUEUE) this.queued = true;
    const timeNs = this.#view.getBigUint64(8, le);
    if (this.earliestNs === null || timeNs < this.earliestNs) this.earliestNs = timeNs;
  }

  endInput(): void {
    this.#have = 0;
    this.#skip = 0;
    this.#littleEndian = null;
    this.#bad = false;
  }
}

/**
 * Binary per-CPU files written by `blktrace -o NAME` (NAME.blktrace.N), or the one merged stream
 * of `blkparse -d`, little- or big-endian (told by the magic). Queue events are counted, once per
 * bio; a trace with no queue event at all (recorded with `-a issue`, say) counts issue events
 * instead. A write flag makes a write, a read flag a read; discards, pass-through commands,
 * notify records and zero-byte flushes are skipped. Time: ns since the earliest event of all
 * files given together (as blkparse prints it) plus `--start`; sector 512 B; volume
 * `major:minor` of the device.
 */
export const blktrace: Reader = {
  name: 'blktrace',
  description:
    'blktrace binary (blktrace -o): struct blk_io_trace, either endianness; queue events (issue if none); ' +
    'time ns from the first event; volume major:minor',
  sniff(head) {
    return endianOf(head) !== null;
  },
  survey: () => new BlktraceSurvey(), // it stops at a bad record header, which no option skips
  open(ctx: DecodeContext) {
    let littleEndian: boolean | null = null;
    const volumeIds = new Map<number, number>();
    const survey = ctx.survey instanceof BlktraceSurvey ? ctx.survey : null;
    // Files were surveyed: the earliest event and the event kind are known. Standard input was
    // not: its first event is the origin (a later, earlier event is bad input) and queue events
    // are counted (a stream with none fails at its end rather than count nothing).
    let originNs = survey?.earliestNs ?? null;
    const countedAction = survey !== null && !survey.queued ? ACT_ISSUE : ACT_QUEUE;
    let issues = 0;
    let queues = 0;
    const decoder = openRecords(ctx, 'blktrace', (bytes, view, at, available, fileOffset) => {
      if (available < HEADER_BYTES) return 0;
      littleEndian ??= endianOf(bytes.subarray(at, at + 4));
      const le = littleEndian === true;
      const magic = view.getUint32(at, le);
      if (littleEndian === null || magic >>> 8 !== MAGIC) {
        throw new InputError(
          `blktrace: ${ctx.source}: byte ${fileOffset}: bad magic 0x${magic.toString(16).padStart(8, '0')} (not a blk_io_trace record)`,
        );
      }
      const pduBytes = view.getUint16(at + 46, le);
      const recordBytes = HEADER_BYTES + pduBytes;
      if (available < recordBytes) return 0;
      const action = view.getUint32(at + 28, le);
      const category = action >>> 16;
      if ((category & TC_NOTIFY) !== 0) return recordBytes;
      const timeNs = view.getBigUint64(at + 8, le);
      originNs ??= timeNs;
      if (timeNs < originNs) {
        throw recordError(
          `blktrace: ${ctx.source}: byte ${fileOffset}: time ${timeNs} ns is before the first event (${originNs} ns); ` +
            'a trace on standard input must start with its earliest event (give the per-CPU files instead)',
          recordBytes,
        );
      }
      const what = action & 0xffff;
      if (what === ACT_QUEUE) queues++;
      else if (what === ACT_ISSUE) issues++;
      if (what !== countedAction || (category & (TC_DISCARD | TC_PC)) !== 0) return recordBytes;
      const isWrite = (category & TC_WRITE) !== 0;
      const length = view.getUint32(at + 24, le);
      if ((!isWrite && (category & TC_READ) === 0) || length === 0) return recordBytes;
      const device = view.getUint32(at + 36, le);
      let volume = volumeIds.get(device);
      if (volume === undefined) {
        volume = ctx.volumes.idOf(`${device >>> MINOR_BITS}:${device & ((1 << MINOR_BITS) - 1)}`);
        volumeIds.set(device, volume);
      }
      const sector = Number(view.getBigUint64(at + 16, le));
      const problem = ctx.batch.rangeProblem(sector * 512, length, isWrite);
      if (problem !== null) {
        throw recordError(`blktrace: ${ctx.source}: byte ${fileOffset}: sector + bytes ${problem}`, recordBytes);
      }
      const timeUs = Number((timeNs - originNs) / 1000n) + ctx.startUs;
      const timeProblem = relativeTimeProblem(timeUs);
      if (timeProblem !== null)
        throw recordError(`blktrace: ${ctx.source}: byte ${fileOffset}: time ${timeProblem}`, recordBytes);
      ctx.batch.push(volume, timeUs, sector * 512, length, isWrite);
      return recordBytes;
    });
    if (countedAction === ACT_ISSUE) decoder.stats.counted = COUNTED_ISSUE;
    return {
      stats: decoder.stats,
      push: (chunk) => decoder.push(chunk),
      end(): void {
        decoder.end();
        if (survey === null && queues === 0 && issues > 0) {
          throw new InputError(
            `blktrace: ${ctx.source}: the trace has no queue (Q) events; its ${issues} issue (D) events can be counted ` +
              'only when it is read from files (read twice: first to find the event kind), not from standard input',
          );
        }
      },
    };
  },
};
