import { openRecords, recordError } from './records.js';
import type { DecodeContext, Reader } from './reader.js';
import { SCSI_READ_OPS, SCSI_WRITE_OPS } from './scsi.js';
import { relativeTimeProblem } from './epoch.js';

// Little-endian records as written by VMware vscsiStats (CloudPhysics traces):
// v1 (32 B): u32 sn, u32 len, u32 nSG, u16 cmd, u16 ver, u64 lbn, u64 ts
// v2 (40 B): u16 cmd, u16 ver, u32 sn, u32 len, u32 nSG, u64 lbn, u64 ts, u64 rt
// `ver >> 8` is the version; len in bytes; lbn in 512 B sectors; ts in µs from trace start.
const V1 = { bytes: 32, cmd: 12, ver: 14, len: 4, lbn: 16, ts: 24 } as const;
const V2 = { bytes: 40, cmd: 0, ver: 2, len: 8, lbn: 16, ts: 24 } as const;
const SECTOR = 512;

function versionOf(head: Uint8Array): typeof V1 | typeof V2 | null {
  // Like vscsiStats' own test: the version byte of the first two records must agree.
  for (const layout of [V2, V1]) {
    if (head.length < 2 * layout.bytes) continue;
    if (
      head[layout.ver + 1] === (layout === V1 ? 1 : 2) &&
      head[layout.bytes + layout.ver + 1] === head[layout.ver + 1]
    )
      return layout;
  }
  return null;
}

/**
 * VMware vscsiStats binary traces, versions 1 and 2 (detected from the version byte of the first
 * records). One volume per file: `--volume`, default the file's base name. SCSI READ/WRITE
 * (6/10/12/16) are reads and writes; other commands are skipped. Time: µs from trace start
 * plus `--start`.
 */
export const vscsi: Reader = {
  name: 'vscsi',
  description:
    'VMware vscsiStats binary v1 (32 B) / v2 (40 B) records: cmd, len(B), lbn(512 B), ts(µs from start); one volume per file',
  split: { kind: 'records', recordBytes: (head) => versionOf(head)?.bytes ?? 0 },
  sniff(head) {
    return versionOf(head) !== null;
  },
  open(ctx: DecodeContext) {
    const volume = ctx.volumes.idOf(ctx.volumeName);
    let layout: typeof V1 | typeof V2 | null = null;
    return openRecords(ctx, 'vscsi', (bytes, view, at, available, fileOffset, final) => {
      if (layout === null) {
        // Decided once, on the first two records (or the only one).
        if (available < 2 * V2.bytes && !final) return 0;
        layout =
          versionOf(bytes.subarray(at)) ??
          (bytes[at + V1.ver + 1] === 1 ? V1 : bytes[at + V2.ver + 1] === 2 ? V2 : null);
        if (layout === null)
          throw recordError(`vscsi: ${ctx.source}: byte ${fileOffset}: not a vscsi v1 or v2 record`, 0);
      }
      const L = layout;
      if (available < L.bytes) return 0;
      const version = bytes[at + L.ver + 1];
      if (version !== (L === V1 ? 1 : 2))
        throw recordError(
          `vscsi: ${ctx.source}: byte ${fileOffset}: version byte is ${version}, expected ${L === V1 ? 1 : 2}`,
          L.bytes,
        );
      const cmd = view.getUint16(at + L.cmd, true) & 0xff;
      const isWrite = SCSI_WRITE_OPS.has(cmd);
      if (!isWrite && !SCSI_READ_OPS.has(cmd)) return L.bytes;
      const length = view.getUint32(at + L.len, true);
      const lbn = Number(view.getBigUint64(at + L.lbn, true));
      const timeUs = Number(view.getBigUint64(at + L.ts, true));
      const problem = ctx.batch.rangeProblem(lbn * SECTOR, length, isWrite);
      if (problem !== null) {
        throw recordError(`vscsi: ${ctx.source}: byte ${fileOffset}: lbn + len ${problem}`, L.bytes);
      }
      const timeProblem = relativeTimeProblem(timeUs + ctx.startUs);
      if (timeProblem !== null)
        throw recordError(`vscsi: ${ctx.source}: byte ${fileOffset}: ts ${timeProblem}`, L.bytes);
      ctx.batch.push(volume, timeUs + ctx.startUs, lbn * SECTOR, length, isWrite);
      return L.bytes;
    });
  },
};
