import { digits16 } from './digits';
import { fieldEnd, fieldStart, isNumber, lineFields, lineLength } from './fields';
import { emit, finish } from './emit';
import * as stop from './stop';

const SECTOR_BYTES: f64 = 512;

/**
 * Tencent CBS lines `Timestamp,Offset,Size,IOType,VolumeID` from [p, end): lines of plain digits
 * (at most 15 each, IOType one digit 0 or 1) that fit a 64-byte window, with the values
 * src/readers/tencent.ts computes; anything else (blanks, a header) is left to it.
 */
export function parseTencent(p: u32, end: u32, maxRecords: u32, maxEndBytes: f64, fromUs: f64, untilUs: f64): u32 {
  let n: u32 = 0;
  let reason = stop.END;
  while (p < end) {
    if (
      lineFields(p, end) != 5 ||
      !isNumber(0, 15) ||
      !isNumber(1, 15) ||
      !isNumber(2, 15) ||
      fieldEnd(3) - fieldStart(3) != 1 ||
      !isNumber(3, 1) ||
      !isNumber(4, 15)
    ) {
      reason = stop.LINE;
      break;
    }
    const ioType = load<u8>(p + fieldStart(3)) - 48;
    const timeUs = <f64>digits16(p + fieldEnd(0), fieldEnd(0) - fieldStart(0)) * 1e6;
    const offsetBytes = <f64>digits16(p + fieldEnd(1), fieldEnd(1) - fieldStart(1)) * SECTOR_BYTES;
    const sizeBytes = <f64>digits16(p + fieldEnd(2), fieldEnd(2) - fieldStart(2)) * SECTOR_BYTES;
    if (ioType > 1 || !(timeUs >= fromUs && timeUs < untilUs) || offsetBytes + sizeBytes > maxEndBytes) {
      reason = stop.LINE;
      break;
    }
    const next = p + lineLength() + 1;
    reason = emit(n, p + fieldStart(4), p + fieldEnd(4), timeUs, offsetBytes, sizeBytes, ioType == 1 ? 1 : 0);
    if (reason != stop.END) break;
    n++;
    p = next;
    if (n == maxRecords) {
      reason = p < end ? stop.FULL : stop.END;
      break;
    }
  }
  return finish(p, n, reason);
}
