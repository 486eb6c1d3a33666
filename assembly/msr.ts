import { OUT_IS_WRITE, OUT_LENGTH, OUT_OFFSET, OUT_TIME_US, OUT_VOLUME } from './layout';
import { digitsValue, nextDelimiter } from './scan';
import * as stop from './stop';
import { volumeId } from './volumes';

const COMMA: u8 = 44;
const NL: u8 = 10;
const CR: u8 = 13;
const FILETIME_DIGITS: u32 = 18;
const FILETIME_EPOCH_OFFSET_S: f64 = 11_644_473_600;
const WRIT: u32 = 0x74697257; // "Writ", little-endian
const READ: u32 = 0x64616552; // "Read"

/**
 * MSR Cambridge lines `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime` from
 * [p, end) into the output columns: exactly the lines src/readers/msr.ts's fast path takes, with
 * the same arithmetic (so the same doubles), and a stricter few more left to the JS path: a
 * volume name over 64 bytes, a ResponseTime over 18 digits. Times outside [fromUs, untilUs) and
 * ends past `maxEndBytes` are left to the JS path, which names the field in its error.
 */
export function parseMsr(p: u32, end: u32, maxRecords: u32, maxEndBytes: f64, fromUs: f64, untilUs: f64): u32 {
  let n: u32 = 0;
  const zeros = i8x16.splat(48);
  const nines = i8x16.splat(9);
  let reason = stop.END;
  while (p < end) {
    const lineStart = p;
    // Timestamp: 18 digits and a comma; 16 of them checked at once.
    if (p + FILETIME_DIGITS >= end || load<u8>(p + FILETIME_DIGITS) != COMMA) { reason = stop.LINE; break; }
    const low16 = i8x16.sub(v128.load(p), zeros);
    if (i8x16.bitmask(i8x16.gt_u(low16, nines)) != 0) { reason = stop.LINE; break; }
    const d16 = <u32>load<u8>(p + 16) - 48;
    const d17 = <u32>load<u8>(p + 17) - 48;
    if (d16 > 9 || d17 > 9) { reason = stop.LINE; break; }
    const secondsHigh = <i32>digitsValue(p, p + 2);
    const secondsLow = <i32>digitsValue(p + 2, p + 11);
    const ticks = <i32>digitsValue(p + 11, p + FILETIME_DIGITS);
    // Hostname (not empty), DiskNumber (digits): the volume's name is the bytes between.
    const hostStart = p + FILETIME_DIGITS + 1;
    const hostEnd = nextDelimiter(hostStart, end);
    if (hostEnd >= end || load<u8>(hostEnd) != COMMA || hostEnd == hostStart) { reason = stop.LINE; break; }
    const diskEnd = nextDelimiter(hostEnd + 1, end);
    if (diskEnd >= end || load<u8>(diskEnd) != COMMA || diskEnd == hostEnd + 1) { reason = stop.LINE; break; }
    if (digitsValue(hostEnd + 1, diskEnd) < 0) { reason = stop.LINE; break; }
    // Type
    let q = diskEnd + 1;
    if (q + 6 > end) { reason = stop.LINE; break; }
    const word = load<u32>(q);
    let isWrite: u8 = 0;
    if (word == WRIT && load<u8>(q + 4) == 101 && load<u8>(q + 5) == COMMA) {
      isWrite = 1;
      q += 6;
    } else if (word == READ && load<u8>(q + 4) == COMMA) q += 5;
    else { reason = stop.LINE; break; }
    // Offset, Size: 1 to 15 digits (exact in a double, as the JS path requires).
    const offsetEnd = nextDelimiter(q, end);
    if (offsetEnd >= end || load<u8>(offsetEnd) != COMMA || offsetEnd == q || offsetEnd - q > 15) { reason = stop.LINE; break; }
    const offset = digitsValue(q, offsetEnd);
    const sizeEnd = nextDelimiter(offsetEnd + 1, end);
    if (sizeEnd >= end || load<u8>(sizeEnd) != COMMA || sizeEnd == offsetEnd + 1 || sizeEnd - offsetEnd - 1 > 15) {
      reason = stop.LINE;
      break;
    }
    const size = digitsValue(offsetEnd + 1, sizeEnd);
    // ResponseTime: digits, then CR LF or LF.
    const nl = nextDelimiter(sizeEnd + 1, end);
    if (nl >= end || load<u8>(nl) != NL) { reason = stop.LINE; break; }
    const responseEnd = nl > sizeEnd + 1 && load<u8>(nl - 1) == CR ? nl - 1 : nl;
    if (responseEnd == sizeEnd + 1 || responseEnd - sizeEnd - 1 > 18) { reason = stop.LINE; break; }
    if ((offset | size | digitsValue(sizeEnd + 1, responseEnd)) < 0) { reason = stop.LINE; break; }
    const seconds = <f64>secondsHigh * 1e9 + <f64>secondsLow;
    const timeUs = (seconds - FILETIME_EPOCH_OFFSET_S) * 1e6 + Math.floor(<f64>ticks / 10);
    const offsetBytes = <f64>offset;
    const sizeBytes = <f64>size;
    if (!(timeUs >= fromUs && timeUs < untilUs) || offsetBytes + sizeBytes > maxEndBytes) { reason = stop.LINE; break; }
    const volume = volumeId(hostStart, diskEnd);
    if (volume < 0) {
      stop.keyStart = hostStart;
      stop.keyEnd = diskEnd;
      reason = stop.VOLUME;
      p = lineStart;
      break;
    }
    store<u32>(OUT_VOLUME + n * 4, <u32>volume);
    store<f64>(OUT_TIME_US + n * 8, timeUs);
    store<f64>(OUT_OFFSET + n * 8, offsetBytes);
    store<f64>(OUT_LENGTH + n * 8, sizeBytes);
    store<u8>(OUT_IS_WRITE + n, isWrite);
    n++;
    p = nl + 1;
    if (n == maxRecords) { reason = p < end ? stop.FULL : stop.END; break; }
  }
  stop.records = n;
  stop.stopReason = reason;
  return p;
}
