import { digits16 } from './digits';
import { fieldEnd, fieldStart, isNumber, lineFields, lineLength } from './fields';
import { emit, finish } from './emit';
import * as stop from './stop';

const SECTOR_BYTES: f64 = 512;
const DOT: u8 = 46;
const W: u8 = 119; // after | 0x20
const R: u8 = 114;

/**
 * UMass / SPC lines `ASU,LBA,Size,Opcode,Timestamp[,...]` from [p, end): plain digits (at most 15;
 * Timestamp `S[.F]` with at most 9 digits of seconds, so exact in any sum and 6 of fraction) that fit a 64-byte window,
 * with the values src/readers/spc.ts computes; `startUs` is added to the time, which must then lie
 * in [fromUs, untilUs).
 */
export function parseSpc(
  p: u32,
  end: u32,
  maxRecords: u32,
  maxEndBytes: f64,
  fromUs: f64,
  untilUs: f64,
  startUs: f64,
): u32 {
  let n: u32 = 0;
  let reason = stop.END;
  while (p < end) {
    if (
      lineFields(p, end) < 5 ||
      !isNumber(0, 15) ||
      !isNumber(1, 15) ||
      !isNumber(2, 15) ||
      fieldEnd(3) - fieldStart(3) != 1
    ) {
      reason = stop.LINE;
      break;
    }
    const op = load<u8>(p + fieldStart(3)) | 0x20;
    // Timestamp: seconds, then optionally a dot and 1 to 6 digits of fraction.
    const timeStart = fieldStart(4);
    const timeEnd = fieldEnd(4);
    let dot = timeStart;
    while (dot < timeEnd && load<u8>(p + dot) != DOT) dot++;
    const wholeDigits = dot - timeStart;
    const fractionDigits = dot < timeEnd ? timeEnd - dot - 1 : 0;
    if (
      (op != W && op != R) ||
      wholeDigits == 0 ||
      wholeDigits > 9 ||
      (dot < timeEnd && fractionDigits == 0) ||
      fractionDigits > 6 ||
      !digitsOnly(p + timeStart, p + dot) ||
      !digitsOnly(p + dot + 1, p + timeEnd)
    ) {
      reason = stop.LINE;
      break;
    }
    let fractionScale: f64 = 1;
    for (let i = fractionDigits; i < 6; i++) fractionScale *= 10;
    const fraction = fractionDigits == 0 ? 0 : <f64>digits16(p + timeEnd, fractionDigits);
    const timeUs = <f64>digits16(p + dot, wholeDigits) * 1e6 + fraction * fractionScale + startUs;
    const offsetBytes = <f64>digits16(p + fieldEnd(1), fieldEnd(1) - fieldStart(1)) * SECTOR_BYTES;
    const sizeBytes = <f64>digits16(p + fieldEnd(2), fieldEnd(2) - fieldStart(2));
    if (!(timeUs >= fromUs && timeUs < untilUs) || offsetBytes + sizeBytes > maxEndBytes) {
      reason = stop.LINE;
      break;
    }
    const next = p + lineLength() + 1;
    reason = emit(n, p + fieldStart(0), p + fieldEnd(0), timeUs, offsetBytes, sizeBytes, op == W ? 1 : 0);
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

function digitsOnly(start: u32, end: u32): bool {
  for (let q = start; q < end; q++) if (<u32>load<u8>(q) - 48 > 9) return false;
  return true;
}
