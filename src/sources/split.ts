import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** A byte range [start, end) of a file — end exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

const PROBE_BYTES = 1 << 16;
/**
 * How far past a target a cut looks for a line start. Readers reject lines over 64 KiB, so a
 * target with no newline this close lies inside a line that is bad input anyway: it gets no cut
 * (its neighbours' ranges grow), and a file without newlines is never scanned to its end.
 */
const MAX_LOOK_BYTES = 64 * 1024 + 2;

/**
 * Cut a file into about `parts` ranges that start at line starts (text) or at multiples of
 * `recordBytes` (fixed-size binary records), so that each range decodes on its own.
 */
export async function splitFile(
  path: string,
  size: number,
  parts: number,
  split: { kind: 'lines' } | { kind: 'records'; recordBytes: number },
): Promise<ByteRange[]> {
  const starts = [0];
  const handle = await open(path, 'r');
  try {
    const probe = new Uint8Array(PROBE_BYTES);
    for (let k = 1; k < parts; k++) {
      const target = Math.floor((size * k) / parts);
      let start: number;
      if (split.kind === 'records') {
        start = target - (target % split.recordBytes);
      } else {
        // The first line start at or after target: just past the first newline from target - 1.
        start = -1;
        for (let at = target - 1; at < Math.min(size, target - 1 + MAX_LOOK_BYTES) && start < 0; at += PROBE_BYTES) {
          const { bytesRead } = await handle.read(probe, 0, Math.min(PROBE_BYTES, size - at), at);
          const nl = probe.subarray(0, bytesRead).indexOf(10);
          if (nl >= 0) start = at + nl + 1;
        }
        if (start < 0) continue; // no line start near: no cut here
      }
      if (start > starts[starts.length - 1]! && start < size) starts.push(start);
    }
  } finally {
    await handle.close();
  }
  return starts.map((start, i) => ({ start, end: starts[i + 1] ?? size }));
}

/**
 * The first cut at or after byte `target` of an open file (`fd`) of `size` bytes: a line start
 * (just past a newline; none within 64 KiB: null) or a multiple of `recordBytes`. Null also when
 * the cut would be at or past the end. Synchronous: a decoding worker asks it between reads.
 */
export function cutAtOrAfter(
  fd: number,
  target: number,
  size: number,
  split: { kind: 'lines' } | { kind: 'records'; recordBytes: number },
): number | null {
  let cut = -1;
  if (split.kind === 'records') {
    cut = target + ((split.recordBytes - (target % split.recordBytes)) % split.recordBytes);
  } else {
    const probe = new Uint8Array(PROBE_BYTES);
    const from = Math.max(0, target - 1);
    for (let at = from; at < Math.min(size, from + MAX_LOOK_BYTES) && cut < 0; at += PROBE_BYTES) {
      const n = readSync(fd, probe, 0, Math.min(PROBE_BYTES, size - at), at);
      if (n <= 0) break;
      const nl = probe.subarray(0, n).indexOf(10);
      if (nl >= 0) cut = at + nl + 1;
    }
  }
  return cut <= 0 || cut >= size ? null : cut;
}

/** Number of newlines in [0, end) of a file: turns a range-local line number into a file one. */
export async function countLinesBefore(path: string, end: number): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(1 << 20);
    let lines = 0;
    for (let at = 0; at < end;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead <= 0) break;
      for (let p = buffer.indexOf(10); p >= 0 && p < bytesRead; p = buffer.indexOf(10, p + 1)) lines++;
      at += bytesRead;
    }
    return lines;
  } finally {
    await handle.close();
  }
}
