import type { FieldCursor } from './fields.js';

/**
 * Classify a blktrace RWBS field (`W`, `WS`, `R`, `RA`, `FWS`, `D`, `N`, …): 1 write, 0 read,
 * -1 neither (discard, flush-only, none). A discard unmaps blocks rather than writing data.
 */
export function rwbsKind(f: FieldCursor): number {
  let write = false;
  let read = false;
  for (let p = f.start; p < f.end; p++) {
    const c = f.bytes[p]!;
    if (c === 68) return -1; // 'D' discard
    if (c === 87)
      write = true; // 'W'
    else if (c === 82) read = true; // 'R'
  }
  return write ? 1 : read ? 0 : -1;
}

/** Volume name of a Linux block device: `major:minor` (as lsblk prints it). */
export function deviceName(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += bytes[i] === 44 ? ':' : String.fromCharCode(bytes[i]!);
  return s;
}
