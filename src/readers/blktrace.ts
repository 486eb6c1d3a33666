import { openRecords } from './records.js';
import type { DecodeContext, Reader } from './reader.js';
import { InputError } from '../errors.js';

// struct blk_io_trace (include/uapi/linux/blktrace_api.h), 48 bytes then pdu_len bytes:
// u32 magic (0x65617400 | version), u32 sequence, u64 time (ns), u64 sector, u32 bytes,
// u32 action, u32 pid, u32 device, u32 cpu, u16 error, u16 pdu_len.
const MAGIC = 0x656174;
const HEADER_BYTES = 48;
const ACT_QUEUE = 1; // __BLK_TA_QUEUE
const TC_READ = 1 << 0;
const TC_WRITE = 1 << 1;
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
 * Binary per-CPU files written by `blktrace -o NAME` (NAME.blktrace.N), little- or big-endian
 * (told by the magic). Queue events are counted, once per bio: a write flag makes a write, a read
 * flag a read; discards, notify records and zero-byte flushes are skipped. time ns from trace
 * start plus `--start`; sector 512 B; volume = `major:minor` of the device.
 */
export const blktrace: Reader = {
  name: 'blktrace',
  description: 'blktrace binary (blktrace -o): struct blk_io_trace, either endianness; queue events; time ns from start; volume major:minor',
  sniff(head) {
    return endianOf(head) !== null;
  },
  open(ctx: DecodeContext) {
    let littleEndian: boolean | null = null;
    const volumeIds = new Map<number, number>();
    return openRecords(ctx, 'blktrace', (bytes, view, at, available, fileOffset) => {
      if (available < HEADER_BYTES) return 0;
      littleEndian ??= endianOf(bytes.subarray(at, at + 4));
      const le = littleEndian === true;
      const magic = view.getUint32(at, le);
      if (littleEndian === null || magic >>> 8 !== MAGIC) {
        throw new InputError(`blktrace: ${ctx.source}: byte ${fileOffset}: bad magic 0x${magic.toString(16).padStart(8, '0')} (not a blk_io_trace record)`);
      }
      const pduBytes = view.getUint16(at + 46, le);
      const recordBytes = HEADER_BYTES + pduBytes;
      if (available < recordBytes) return 0;
      const action = view.getUint32(at + 28, le);
      const category = action >>> 16;
      if ((action & 0xffff) !== ACT_QUEUE || (category & (TC_NOTIFY | TC_DISCARD)) !== 0) return recordBytes;
      const isWrite = (category & TC_WRITE) !== 0;
      const length = view.getUint32(at + 24, le);
      if ((!isWrite && (category & TC_READ) === 0) || length === 0) return recordBytes;
      const device = view.getUint32(at + 36, le);
      let volume = volumeIds.get(device);
      if (volume === undefined) {
        volume = ctx.volumes.idOf(`${device >>> MINOR_BITS}:${device & ((1 << MINOR_BITS) - 1)}`);
        volumeIds.set(device, volume);
      }
      const timeNs = view.getBigUint64(at + 8, le);
      const sector = Number(view.getBigUint64(at + 16, le));
      ctx.batch.push(volume, Number(timeNs / 1000n) + ctx.startUs, sector * 512, length, isWrite);
      return recordBytes;
    });
  },
};
