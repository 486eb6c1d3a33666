import { digits16, digits8 } from './digits';
import { OUT_IS_WRITE, OUT_LENGTH, OUT_OFFSET, OUT_TIME_US, OUT_VOLUME } from './layout';
import { digitsValue, nextDelimiter } from './scan';
import * as stop from './stop';
import { volumeId } from './volumes';
import { commas, newlines, nextBit, nonDigits, scanWindow } from './window';

const COMMA: u8 = 44;
const NL: u8 = 10;
const CR: u8 = 13;
const FILETIME_DIGITS: u32 = 18;
const TICKS_PER_S: i64 = 10_000_000;
const FILETIME_EPOCH_OFFSET_S: f64 = 11_644_473_600;
const WRIT: u32 = 0x74697257; // "Writ", little-endian
const READ: u32 = 0x64616552; // "Read"
const MAX_NUMBER_DIGITS: u32 = 15; // Offset and Size: exact in a double, as the JS path requires
const MAX_RESPONSE_DIGITS: u32 = 18;

// The line just parsed.
let seconds: i64 = 0;
let ticks: i64 = 0;
let hostStart: u32 = 0;
let diskEnd: u32 = 0;
let isWrite: u8 = 0;
let offset: i64 = 0;
let size: i64 = 0;
let lineEnd: u32 = 0; // after its newline

/**
 * The line at `p` when it fits a 64-byte window, its fields found from the window's masks and
 * its numbers converted 8 digits at a time; false for anything else (then `scalarLine` decides).
 */
// @ts-ignore: decorator
@inline
function windowLine(p: u32, end: u32): bool {
  scanWindow(p);
  const nl = nextBit(newlines, 0);
  if (nl >= 64 || p + nl >= end) return false;
  // Timestamp: 18 digits and a comma.
  if ((nonDigits & 0x3ffff) != 0 || ((commas >> FILETIME_DIGITS) & 1) == 0) return false;
  // Hostname (not empty), DiskNumber (digits): the volume's name is the bytes between.
  const hostEnd = nextBit(commas, 19);
  if (hostEnd >= nl || hostEnd == 19) return false;
  const disk = nextBit(nonDigits, hostEnd + 1);
  if (disk == hostEnd + 1 || ((commas >> disk) & 1) == 0) return false;
  // Type
  let q = disk + 1;
  const word = load<u32>(p + q);
  if (word == WRIT && load<u8>(p + q + 4) == 101 && load<u8>(p + q + 5) == COMMA) {
    isWrite = 1;
    q += 6;
  } else if (word == READ && load<u8>(p + q + 4) == COMMA) {
    isWrite = 0;
    q += 5;
  } else return false;
  // Offset, Size, ResponseTime
  const offsetEnd = nextBit(nonDigits, q);
  if (offsetEnd == q || offsetEnd - q > MAX_NUMBER_DIGITS || ((commas >> offsetEnd) & 1) == 0) return false;
  const sizeEnd = nextBit(nonDigits, offsetEnd + 1);
  const sizeDigits = sizeEnd - offsetEnd - 1;
  if (sizeDigits == 0 || sizeDigits > MAX_NUMBER_DIGITS || ((commas >> sizeEnd) & 1) == 0) return false;
  const responseEnd = nextBit(nonDigits, sizeEnd + 1);
  if (responseEnd == sizeEnd + 1 || responseEnd - sizeEnd - 1 > MAX_RESPONSE_DIGITS) return false;
  if (responseEnd != nl && !(responseEnd + 1 == nl && load<u8>(p + responseEnd) == CR)) return false;
  const filetime = <i64>digits8(p) * 10_000_000_000 + <i64>digits8(p + 8) * 100
    + <i64>(load<u8>(p + 16) - 48) * 10 + <i64>(load<u8>(p + 17) - 48);
  seconds = filetime / TICKS_PER_S;
  ticks = filetime - seconds * TICKS_PER_S;
  hostStart = p + FILETIME_DIGITS + 1;
  diskEnd = p + disk;
  offset = <i64>digits16(p + offsetEnd, offsetEnd - q);
  size = <i64>digits16(p + sizeEnd, sizeEnd - offsetEnd - 1);
  lineEnd = p + nl + 1;
  return true;
}

/** The line at `p` field by field (any length); false when it is for the JS path or incomplete. */
function scalarLine(p: u32, end: u32): bool {
  if (p + FILETIME_DIGITS >= end || load<u8>(p + FILETIME_DIGITS) != COMMA) return false;
  const high = digitsValue(p, p + 11);
  const low = digitsValue(p + 11, p + FILETIME_DIGITS);
  if ((high | low) < 0) return false;
  hostStart = p + FILETIME_DIGITS + 1;
  const hostEnd = nextDelimiter(hostStart, end);
  if (hostEnd >= end || load<u8>(hostEnd) != COMMA || hostEnd == hostStart) return false;
  diskEnd = nextDelimiter(hostEnd + 1, end);
  if (diskEnd >= end || load<u8>(diskEnd) != COMMA || diskEnd == hostEnd + 1) return false;
  if (digitsValue(hostEnd + 1, diskEnd) < 0) return false;
  let q = diskEnd + 1;
  if (q + 6 > end) return false;
  const word = load<u32>(q);
  if (word == WRIT && load<u8>(q + 4) == 101 && load<u8>(q + 5) == COMMA) {
    isWrite = 1;
    q += 6;
  } else if (word == READ && load<u8>(q + 4) == COMMA) {
    isWrite = 0;
    q += 5;
  } else return false;
  const offsetEnd = nextDelimiter(q, end);
  if (offsetEnd >= end || load<u8>(offsetEnd) != COMMA) return false;
  if (offsetEnd == q || offsetEnd - q > MAX_NUMBER_DIGITS) return false;
  offset = digitsValue(q, offsetEnd);
  const sizeEnd = nextDelimiter(offsetEnd + 1, end);
  if (sizeEnd >= end || load<u8>(sizeEnd) != COMMA || sizeEnd == offsetEnd + 1) return false;
  if (sizeEnd - offsetEnd - 1 > MAX_NUMBER_DIGITS) return false;
  size = digitsValue(offsetEnd + 1, sizeEnd);
  const nl = nextDelimiter(sizeEnd + 1, end);
  if (nl >= end || load<u8>(nl) != NL) return false;
  const responseEnd = nl > sizeEnd + 1 && load<u8>(nl - 1) == CR ? nl - 1 : nl;
  if (responseEnd == sizeEnd + 1 || responseEnd - sizeEnd - 1 > MAX_RESPONSE_DIGITS) return false;
  if ((offset | size | digitsValue(sizeEnd + 1, responseEnd)) < 0) return false;
  seconds = high;
  ticks = low;
  lineEnd = nl + 1;
  return true;
}

/**
 * MSR Cambridge lines `Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime` from
 * [p, end) into the output columns: exactly the lines src/readers/msr.ts's fast path takes, with
 * the same arithmetic (so the same doubles), and a few more left to the JS path: a volume name
 * over 64 bytes, a ResponseTime over 18 digits. Times outside [fromUs, untilUs) and ends past
 * `maxEndBytes` are left to the JS path too, which names the field in its error.
 */
export function parseMsr(p: u32, end: u32, maxRecords: u32, maxEndBytes: f64, fromUs: f64, untilUs: f64): u32 {
  let n: u32 = 0;
  let reason = stop.END;
  while (p < end) {
    if (!windowLine(p, end) && !scalarLine(p, end)) {
      reason = stop.LINE;
      break;
    }
    const timeUs = (<f64>seconds - FILETIME_EPOCH_OFFSET_S) * 1e6 + Math.floor(<f64>ticks / 10);
    const offsetBytes = <f64>offset;
    const sizeBytes = <f64>size;
    if (!(timeUs >= fromUs && timeUs < untilUs) || offsetBytes + sizeBytes > maxEndBytes) {
      reason = stop.LINE;
      break;
    }
    const volume = volumeId(hostStart, diskEnd);
    if (volume < 0) {
      stop.keyStart = hostStart;
      stop.keyEnd = diskEnd;
      reason = stop.VOLUME;
      break;
    }
    store<u32>(OUT_VOLUME + n * 4, <u32>volume);
    store<f64>(OUT_TIME_US + n * 8, timeUs);
    store<f64>(OUT_OFFSET + n * 8, offsetBytes);
    store<f64>(OUT_LENGTH + n * 8, sizeBytes);
    store<u8>(OUT_IS_WRITE + n, isWrite);
    n++;
    p = lineEnd;
    if (n == maxRecords) {
      reason = p < end ? stop.FULL : stop.END;
      break;
    }
  }
  stop.records = n;
  stop.stopReason = reason;
  return p;
}
